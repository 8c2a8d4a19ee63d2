/*
 * Unit tests for formats/diskdump.c, the kdump-compressed writer: a small
 * dump written into memory (only ever appended to) is read back field by
 * field as makedumpfile and crash read it (header, sub-header, notes,
 * VMCOREINFO, both bitmaps, descriptors, the shared zero page, compressed
 * and raw pages), then the caller's mistakes (a page out of order, skipped
 * or not in the 2nd bitmap, a call out of turn, an early end), a page that
 * changes between the two passes, and a failing output.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "formats/diskdump.h"
#include "tests/unit/test.h"

#define OUT_CAP (1u << 20)
static uint8_t out[OUT_CAP];
static uint64_t out_len;
static int fail_at_call, calls;

static int mem_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	(void)ctx;
	if (fail_at_call && ++calls >= fail_at_call)
		return -ENOSPC;
	if (off + len > OUT_CAP || off != out_len)
		return -EFBIG;		/* the writer only appends */
	memcpy(out + off, buf, len);
	if (off + len > out_len)
		out_len = off + len;
	return 0;
}

/* "Compresses" a page that starts with 0xAA to its first 100 bytes. */
static int fake_compress(void *ctx, const void *in, void *o, size_t *n)
{
	(void)ctx;
	if (((const uint8_t *)in)[0] != 0xAA)
		return -1;
	memcpy(o, in, 100);
	*n = 100;
	return 0;
}

static const struct diskdump_out dout = { mem_write, NULL };
static uint8_t bm1[DISKDUMP_BLOCK], bm2[DISKDUMP_BLOCK];
static struct diskdump_writer w;

static void setup(struct diskdump_info *di)
{
	static const char notes[] = "NOTESNOTES", vi[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";

	memset(out, 0, sizeof(out));
	out_len = 0;
	fail_at_call = calls = 0;
	memset(bm1, 0, sizeof(bm1));
	memset(bm2, 0, sizeof(bm2));
	memset(di, 0, sizeof(*di));
	di->sysname = "Linux";
	di->nodename = "web1";
	di->release = "6.1.0-18-amd64";
	di->machine = "x86_64";
	di->tv_sec = 1700000000;
	di->phys_base = 0xffffffffdf000000ull;
	di->dump_level = 31;
	di->nr_cpus = 4;
	di->max_mapnr = 100;
	di->notes = notes;
	di->notes_len = sizeof(notes) - 1;
	di->vmcoreinfo = vi;
	di->vmcoreinfo_len = sizeof(vi) - 1;
	di->compression = DISKDUMP_COMPRESSED_LZO;
	di->compress = fake_compress;
	for (uint64_t pfn = 10; pfn < 20; pfn++)
		diskdump_set_bit(bm1, pfn);
	for (uint64_t pfn = 10; pfn < 14; pfn++)	/* 14..19 filtered out */
		diskdump_set_bit(bm2, pfn);
}

TEST(layout_and_pages)
{
	struct diskdump_info di;
	struct diskdump_header h;
	struct diskdump_sub_header sh;
	struct diskdump_page_desc d[4];
	uint8_t zero[DISKDUMP_BLOCK] = { 0 }, a[DISKDUMP_BLOCK], b[DISKDUMP_BLOCK];

	setup(&di);
	memset(a, 0xAA, sizeof(a));
	memset(b, 0x5B, sizeof(b));
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), 0);
	CHECK_EQ(diskdump_desc(&w, 10, a), 0);
	CHECK_EQ(diskdump_desc(&w, 11, zero), 0);
	CHECK_EQ(diskdump_desc(&w, 12, b), 0);
	CHECK_EQ(diskdump_desc(&w, 13, zero), 0);
	CHECK_EQ(diskdump_data(&w), 0);
	CHECK_EQ(diskdump_page(&w, 10, a), 0);
	CHECK_EQ(diskdump_page(&w, 11, zero), 0);
	CHECK_EQ(diskdump_page(&w, 12, b), 0);
	CHECK_EQ(diskdump_page(&w, 13, zero), 0);
	CHECK_EQ(diskdump_end(&w), 0);

	memcpy(&h, out, sizeof(h));
	CHECK(memcmp(h.signature, "KDUMP   ", 8) == 0);
	CHECK_EQ(h.header_version, 6);
	CHECK_STR(h.utsname[0], "Linux");
	CHECK_STR(h.utsname[1], "web1");
	CHECK_STR(h.utsname[2], "6.1.0-18-amd64");
	CHECK_STR(h.utsname[4], "x86_64");
	CHECK_EQ(h.tv_sec, 1700000000);
	CHECK_EQ(h.status, DISKDUMP_COMPRESSED_LZO);
	CHECK_EQ(h.block_size, 4096);
	CHECK_EQ(h.sub_hdr_size, 1);
	CHECK_EQ(h.bitmap_blocks, 2);
	CHECK_EQ(h.max_mapnr, 100);
	CHECK_EQ(h.nr_cpus, 4);
	memcpy(&sh, out + 4096, sizeof(sh));
	CHECK_EQ(sh.phys_base, 0xffffffffdf000000ull);
	CHECK_EQ(sh.dump_level, 31);
	CHECK_EQ(sh.max_mapnr_64, 100);
	CHECK_EQ(sh.end_pfn_64, 100);
	CHECK_EQ(sh.offset_note, 4096 + sizeof(sh));
	CHECK_EQ(sh.size_note, 10);
	CHECK(memcmp(out + sh.offset_note, "NOTESNOTES", 10) == 0);
	CHECK_EQ(sh.offset_vmcoreinfo, sh.offset_note + 10);
	CHECK(memcmp(out + sh.offset_vmcoreinfo, "OSRELEASE=6.1.0\n", 16) == 0);
	/* Bitmaps at block 2 and 3: pfns 10..19, then 10..13. */
	CHECK_EQ(out[2 * 4096 + 1], 0xfc);
	CHECK_EQ(out[2 * 4096 + 2], 0x0f);
	CHECK_EQ(out[3 * 4096 + 1], 0x3c);
	CHECK_EQ(out[3 * 4096 + 2], 0x00);
	CHECK_EQ(w.lay.descs, 4 * 4096);
	memcpy(d, out + w.lay.descs, sizeof(d));
	CHECK_EQ(w.lay.zero_page, 4 * 4096 + 4 * 24);
	CHECK_EQ(d[0].offset, w.lay.data);
	CHECK_EQ(d[0].size, 100);
	CHECK_EQ(d[0].flags, DISKDUMP_COMPRESSED_LZO);
	CHECK(memcmp(out + d[0].offset, a, 100) == 0);
	CHECK_EQ(d[1].offset, w.lay.zero_page);
	CHECK_EQ(d[1].size, 4096);
	CHECK_EQ(d[1].flags, 0);
	CHECK(memcmp(out + w.lay.zero_page, zero, 4096) == 0);
	CHECK_EQ(d[2].offset, w.lay.data + 100);
	CHECK_EQ(d[2].size, 4096);
	CHECK_EQ(d[2].flags, 0);
	CHECK(memcmp(out + d[2].offset, b, 4096) == 0);
	CHECK_EQ(d[3].offset, w.lay.zero_page);
	CHECK_EQ(out_len, w.lay.data + 100 + 4096);
	CHECK_EQ(w.compressed, 1);
	CHECK_EQ(w.stored, 1);
	CHECK_EQ(w.zero, 2);
}

TEST(many_descriptors)
{
	struct diskdump_info di;
	uint8_t page[DISKDUMP_BLOCK];
	struct diskdump_page_desc d;
	uint64_t n = 0;

	setup(&di);
	di.max_mapnr = 400;
	di.compress = NULL;
	memset(bm1, 0, sizeof(bm1));
	memset(bm2, 0, sizeof(bm2));
	for (uint64_t pfn = 0; pfn < 400; pfn += 2) {
		diskdump_set_bit(bm1, pfn);
		diskdump_set_bit(bm2, pfn);
		n++;
	}
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, n, &dout), 0);
	for (int pass = 1; pass <= 2; pass++) {
		for (uint64_t pfn = 0; pfn < 400; pfn += 2) {
			memset(page, 0, sizeof(page));
			page[pfn % 4096] = (uint8_t)(pfn | 1);
			if (pass == 1)
				CHECK_EQ(diskdump_desc(&w, pfn, page), 0);
			else if (pfn < 200)	/* the first 100 pages fit in memory */
				CHECK_EQ(diskdump_page(&w, pfn, page), 0);
			else
				(void)diskdump_page(&w, pfn, page);
		}
		if (pass == 1)
			CHECK_EQ(diskdump_data(&w), 0);
	}
	(void)diskdump_end(&w);
	/* Descriptor 99 (pfn 198, past one flush of 170) points at its page. */
	memcpy(&d, out + w.lay.descs + 99 * 24, sizeof(d));
	CHECK_EQ(d.size, 4096);
	CHECK_EQ(out[d.offset + 198], 199);
}

TEST(caller_mistakes)
{
	struct diskdump_info di;
	uint8_t page[DISKDUMP_BLOCK] = { 1 };

	static const int wrong[][2] = { { 14, -EINVAL },	/* not in the 2nd bitmap */
					 { 11, -EINVAL },	/* 10 skipped */
					 { 100, -EINVAL } };	/* past max_mapnr */

	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		setup(&di);
		CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), 0);
		CHECK_EQ(diskdump_desc(&w, (uint64_t)wrong[i][0], page), wrong[i][1]);
		CHECK_EQ(diskdump_desc(&w, 10, page), wrong[i][1]);	/* the error sticks */
	}
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), 0);
	CHECK_EQ(diskdump_desc(&w, 10, page), 0);
	CHECK_EQ(diskdump_desc(&w, 10, page), -EINVAL);	/* again */
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), 0);
	CHECK_EQ(diskdump_page(&w, 10, page), -EINVAL);	/* data before descriptors */
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), 0);
	CHECK_EQ(diskdump_desc(&w, 10, page), 0);
	CHECK_EQ(diskdump_data(&w), -ENODATA);			/* three pages short */
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), 0);
	for (uint64_t p = 10; p < 14; p++)
		CHECK_EQ(diskdump_desc(&w, p, page), 0);
	CHECK_EQ(diskdump_data(&w), 0);
	CHECK_EQ(diskdump_page(&w, 10, page), 0);
	CHECK_EQ(diskdump_end(&w), -ENODATA);
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 101, &dout), -EINVAL);
	di.max_mapnr = 0;
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 0, &dout), -EINVAL);
	di.max_mapnr = (1ull << 40) + 1;
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 0, &dout), -E2BIG);
	setup(&di);
	di.notes = NULL;
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), -EINVAL);
	CHECK_EQ(diskdump_page(NULL, 10, page), -EINVAL);
	CHECK_EQ(diskdump_end(NULL), -EINVAL);
}

TEST(page_changed_between_passes)
{
	struct diskdump_info di;
	uint8_t a[DISKDUMP_BLOCK], zero[DISKDUMP_BLOCK] = { 0 };

	setup(&di);
	memset(a, 0x33, sizeof(a));
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), 0);
	for (uint64_t p = 10; p < 14; p++)
		CHECK_EQ(diskdump_desc(&w, p, p == 11 ? zero : a), 0);
	CHECK_EQ(diskdump_data(&w), 0);
	CHECK_EQ(diskdump_page(&w, 10, a), 0);
	CHECK_EQ(diskdump_page(&w, 11, a), 0);			/* was zero: 4096 bytes more... */
	CHECK_EQ(diskdump_page(&w, 12, a), 0);
	CHECK_EQ(diskdump_page(&w, 13, zero), 0);		/* ...and one fewer: the same total */
	CHECK_EQ(diskdump_end(&w), -ESTALE);			/* still caught */
}

TEST(incomplete_flag)
{
	struct diskdump_info di;
	struct diskdump_header h;

	setup(&di);
	di.status_flags = DISKDUMP_INCOMPLETE;
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), 0);
	memcpy(&h, out, sizeof(h));
	CHECK_EQ(h.status, DISKDUMP_COMPRESSED_LZO | DISKDUMP_INCOMPLETE);
}

TEST(mark_incomplete)
{
	struct diskdump_info di;
	struct diskdump_summary d;
	uint8_t copy[8192], other[sizeof(struct diskdump_header)] = { 'E', 'L', 'F' };

	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), 0);
	memcpy(copy, out, sizeof(copy));
	CHECK_EQ(diskdump_mark_incomplete(out, sizeof(struct diskdump_header)), 0);
	CHECK_EQ(diskdump_read(out, out_len, &d), 0);
	CHECK_EQ(d.status, DISKDUMP_COMPRESSED_LZO | DISKDUMP_INCOMPLETE);
	CHECK(memcmp(out, copy, 0x1a8) == 0);			/* only the status word changed */
	CHECK(memcmp(out + 0x1ac, copy + 0x1ac, sizeof(copy) - 0x1ac) == 0);
	CHECK_EQ(diskdump_mark_incomplete(out, sizeof(struct diskdump_header)), 0);	/* again: the same */
	CHECK_EQ(diskdump_read(out, out_len, &d), 0);
	CHECK_EQ(d.status, DISKDUMP_COMPRESSED_LZO | DISKDUMP_INCOMPLETE);
	CHECK_EQ(diskdump_mark_incomplete(out, sizeof(struct diskdump_header) - 1), -ENOEXEC);
	CHECK_EQ(diskdump_mark_incomplete(other, sizeof(other)), -ENOEXEC);
	CHECK_EQ(other[0], 'E');
	CHECK_EQ(diskdump_mark_incomplete(NULL, 4096), -ENOEXEC);
}

TEST(read_back)
{
	struct diskdump_info di;
	struct diskdump_summary d;
	uint8_t page[DISKDUMP_BLOCK] = { 1 };

	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), 0);
	for (uint64_t p = 10; p < 14; p++)
		CHECK_EQ(diskdump_desc(&w, p, page), 0);
	CHECK_EQ(diskdump_data(&w), 0);
	for (uint64_t p = 10; p < 14; p++)
		CHECK_EQ(diskdump_page(&w, p, page), 0);
	CHECK_EQ(diskdump_end(&w), 0);
	CHECK_EQ(diskdump_read(out, out_len, &d), 0);
	CHECK_EQ(d.header_version, 6);
	CHECK_EQ(d.status, DISKDUMP_COMPRESSED_LZO);
	CHECK_EQ(d.dump_level, 31);
	CHECK_EQ(d.nr_cpus, 4);
	CHECK_STR(d.release, "6.1.0-18-amd64");
	CHECK_STR(d.nodename, "web1");
	CHECK_EQ(d.max_mapnr, 100);
	CHECK_EQ(d.pages_present, 10);
	CHECK_EQ(d.pages_dumped, 4);
	CHECK_EQ(d.notes_len, 10);
	CHECK(memcmp(out + d.notes_offset, "NOTESNOTES", 10) == 0);
	CHECK_EQ(d.vmcoreinfo_len, 30);
	CHECK(!d.descs_cut);
	/* Cut short inside the descriptors; inside the bitmaps; lying fields. */
	CHECK_EQ(diskdump_read(out, (size_t)w.lay.descs + 30, &d), 0);
	CHECK(d.descs_cut);
	CHECK_EQ(diskdump_read(out, 3 * 4096, &d), -EBADMSG);
	CHECK_EQ(diskdump_read(out, 100, &d), -ENOEXEC);
	out[0] = 'X';
	CHECK_EQ(diskdump_read(out, out_len, &d), -ENOEXEC);
	out[0] = 'K';
	test_put32(out + 0x1ac, 8192);				/* block_size */
	CHECK_EQ(diskdump_read(out, out_len, &d), -EBADMSG);
	test_put32(out + 0x1ac, 4096);
	test_put64(out + 4096 + 0x60, 1ull << 40);		/* max_mapnr_64 past the bitmaps */
	CHECK_EQ(diskdump_read(out, out_len, &d), -EBADMSG);
	test_put64(out + 4096 + 0x60, 100);
	test_put64(out + 4096 + 0x38, ~0ull);			/* size_note */
	CHECK_EQ(diskdump_read(out, out_len, &d), -EBADMSG);
	CHECK_EQ(diskdump_read(NULL, 10, &d), -EINVAL);
}

TEST(output_fails)
{
	struct diskdump_info di;
	uint8_t page[DISKDUMP_BLOCK] = { 1 };

	setup(&di);
	fail_at_call = 2;
	CHECK_EQ(diskdump_begin(&w, &di, bm1, bm2, 4, &dout), -ENOSPC);
	CHECK_EQ(diskdump_desc(&w, 10, page), -ENOSPC);	/* latched */
	CHECK_EQ(diskdump_data(&w), -ENOSPC);
	CHECK_EQ(diskdump_end(&w), -ENOSPC);
}

TEST_MAIN(layout_and_pages, many_descriptors, caller_mistakes, page_changed_between_passes,
	  incomplete_flag, mark_incomplete, read_back, output_fails)
