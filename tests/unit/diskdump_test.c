/*
 * Unit tests for formats/diskdump.c, the kdump-compressed writer: a small
 * dump written into memory (only ever appended to) is read back field by
 * field as makedumpfile and crash read it (header, sub-header, notes,
 * VMCOREINFO, both bitmaps, descriptors, the shared zero page, compressed
 * and raw pages), with bitmaps produced a few bytes of window at a time;
 * then the caller's mistakes (a call out of turn, a page count that does
 * not match the bitmap), a 2nd bitmap or a page that changes between the
 * walks, a producer or page source that fails, a measuring writer, a
 * failing output, and the bit-range helpers against a bit-by-bit model.
 * One pass (diskdump_single()) into a target written at any offset that
 * holds the writer to its write pattern: the same bytes as the two
 * passes for page counts around descriptor-block edges (none, one
 * straddling, an area ending on a block), zero, compressed and raw pages,
 * windows of 8 to 24 pfns; a 2nd bitmap that changes, the size limit,
 * calls out of turn, failures; the same bytes in batches formed by a
 * fake second CPU that works only when waited for, by the writer alone,
 * and when the other CPU refuses, stops or is lost (its batch scribbled
 * over: never used, the pages read again and stored raw); and the same
 * file through the dump partition's writer at random (payload/dumphdr.h),
 * digest read back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/sha256.h"
#include "formats/blkdev.h"
#include "formats/diskdump.h"
#include "payload/dumphdr.h"
#include "tests/unit/test.h"

#define OUT_CAP (5u << 20)
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

static const struct diskdump_out dout = { mem_write, NULL, false };
static uint8_t bm1[DISKDUMP_BLOCK], bm2[DISKDUMP_BLOCK];
static struct diskdump_writer w;
static uint8_t window[64];
static int walks, flip_at_walk, fill_error;
static uint8_t pages_of[1024][DISKDUMP_BLOCK];	/* the page source's pages */
static uint64_t null_at_pfn = UINT64_MAX;

/* The producer: windows of the test's whole bitmaps, checked in order. */
static uint64_t next_window;
static int fill(void *ctx, int which, uint64_t pfn0, uint64_t n, uint8_t *bits)
{
	const uint8_t *bm = which == 1 ? bm1 : bm2;

	(void)ctx;
	if (pfn0 == 0 && which == 2)
		walks++;
	if (pfn0 != (pfn0 == 0 ? 0 : next_window) || n == 0)
		return -EDOM;		/* not the order the writer promises */
	next_window = pfn0 + n;
	if (fill_error)
		return fill_error;
	for (uint64_t i = 0; i < n; i++) {
		if (bits[i >> 3] & (1u << (i & 7)))
			return -EDOM;	/* not zeroed */
		if (diskdump_bit(bm, pfn0 + i))
			diskdump_set_bit(bits, i);
	}
	if (which == 2 && walks == flip_at_walk && pfn0 == 0)
		bits[1] ^= 0x10;	/* pfn 12 (or 12 - window) changes */
	return 0;
}

static int page_reads;	/* page_of's calls */
static uint64_t null_reread_at = UINT64_MAX;	/* page_of alone fails there */

static const void *page_of(void *ctx, uint64_t pfn)
{
	(void)ctx;
	page_reads++;
	if (pfn == null_reread_at)
		return NULL;
	return pfn == null_at_pfn || pfn >= 1024 ? NULL : pages_of[pfn];
}

static const struct diskdump_pages src = { page_of, NULL, NULL, NULL };
static struct diskdump_bitmaps bms;

static void setup(struct diskdump_info *di)
{
	static const char notes[] = "NOTESNOTES", vi[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";

	memset(out, 0, sizeof(out));
	out_len = 0;
	fail_at_call = calls = 0;
	memset(bm1, 0, sizeof(bm1));
	memset(bm2, 0, sizeof(bm2));
	memset(di, 0, sizeof(*di));
	memset(pages_of, 0, sizeof(pages_of));
	walks = flip_at_walk = fill_error = 0;
	null_at_pfn = UINT64_MAX;
	bms = (struct diskdump_bitmaps){ fill, NULL, window, 3 };	/* 24 pfns a window */
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
	memcpy(pages_of[10], a, sizeof(a));
	memcpy(pages_of[12], b, sizeof(b));
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	CHECK_EQ(diskdump_descs(&w, &src), 0);
	CHECK_EQ(diskdump_data(&w), 0);
	CHECK_EQ(diskdump_pages(&w, &src), 0);
	CHECK_EQ(diskdump_end(&w), 0);
	CHECK_EQ(walks, 3);		/* the 2nd bitmap: begin, pass 1, pass 2 */

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

/* VMCOREINFO inside the notes (a note's descriptor, as the kernel and the
 * host tool pass it) is named where it lies there, not copied again:
 * makedumpfile, re-filtering the file, copies the notes and keeps the offset. */
TEST(vmcoreinfo_inside_notes)
{
	static const char notes[] = "hdr:OSRELEASE=6.1.0\nPAGESIZE=4096\n:tail";
	struct diskdump_info di;
	struct diskdump_sub_header sh;

	setup(&di);
	di.notes = notes;
	di.notes_len = sizeof(notes) - 1;
	di.vmcoreinfo = notes + 4;
	di.vmcoreinfo_len = 30;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	memcpy(&sh, out + 4096, sizeof(sh));
	CHECK_EQ(sh.offset_vmcoreinfo, sh.offset_note + 4);
	CHECK_EQ(sh.size_vmcoreinfo, 30);
	CHECK(memcmp(out + sh.offset_vmcoreinfo, "OSRELEASE=6.1.0\nPAGESIZE=4096\n", 30) == 0);
	/* nothing after the notes: the copy is not written */
	CHECK_EQ(out[sh.offset_note + sh.size_note], 0);
	/* VMCOREINFO reaching past the notes' end gets its own copy */
	setup(&di);
	di.notes = notes;
	di.notes_len = 10;
	di.vmcoreinfo = notes + 4;
	di.vmcoreinfo_len = 30;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	memcpy(&sh, out + 4096, sizeof(sh));
	CHECK_EQ(sh.offset_vmcoreinfo, sh.offset_note + 10);
	CHECK(memcmp(out + sh.offset_vmcoreinfo, "OSRELEASE=6.1.0\n", 16) == 0);
}

TEST(many_descriptors_across_windows)
{
	struct diskdump_info di;
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
		pages_of[pfn][pfn % 4096] = (uint8_t)(pfn | 1);
		n++;
	}
	bms.buf_bytes = 5;		/* 40 pfns a window: 10 windows */
	CHECK_EQ(diskdump_begin(&w, &di, &bms, n, &dout), 0);
	CHECK_EQ(diskdump_descs(&w, &src), 0);
	CHECK_EQ(diskdump_data(&w), 0);
	CHECK_EQ(diskdump_pages(&w, &src), 0);
	CHECK_EQ(diskdump_end(&w), 0);
	/* The bitmaps as written: every even pfn below 400, then zeros. */
	CHECK_EQ(out[2 * 4096], 0x55);
	CHECK_EQ(out[2 * 4096 + 49], 0x55);
	CHECK_EQ(out[2 * 4096 + 50], 0);
	CHECK(memcmp(out + 2 * 4096, out + 3 * 4096, 4096) == 0);
	/* Descriptor 99 (pfn 198, past one flush of 170) points at its page. */
	memcpy(&d, out + w.lay.descs + 99 * 24, sizeof(d));
	CHECK_EQ(d.size, 4096);
	CHECK_EQ(out[d.offset + 198], 199);
	CHECK_EQ(out_len, w.lay.data + 200 * 4096);
}

TEST(caller_mistakes)
{
	struct diskdump_info di;
	struct diskdump_bitmaps b;

	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	CHECK_EQ(diskdump_pages(&w, &src), -EINVAL);		/* data before descriptors */
	CHECK_EQ(diskdump_descs(&w, &src), -EINVAL);		/* the error sticks */
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	CHECK_EQ(diskdump_data(&w), -EINVAL);			/* no descriptors yet */
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	CHECK_EQ(diskdump_descs(&w, &src), 0);
	CHECK_EQ(diskdump_descs(&w, &src), -EINVAL);		/* again */
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	CHECK_EQ(diskdump_descs(&w, &src), 0);
	CHECK_EQ(diskdump_data(&w), 0);
	CHECK_EQ(diskdump_end(&w), -EINVAL);			/* no data pass */
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	CHECK_EQ(diskdump_descs(&w, NULL), -EINVAL);
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 3, &dout), -ESTALE);	/* the bitmap has 4 */
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 101, &dout), -EINVAL);
	di.max_mapnr = 0;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 0, &dout), -EINVAL);
	di.max_mapnr = (1ull << 40) + 1;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 0, &dout), -E2BIG);
	setup(&di);
	di.notes = NULL;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), -EINVAL);
	setup(&di);
	b = bms;
	b.buf_bytes = 0;
	CHECK_EQ(diskdump_begin(&w, &di, &b, 4, &dout), -EINVAL);
	CHECK_EQ(diskdump_begin(&w, &di, NULL, 4, &dout), -EINVAL);
	CHECK_EQ(diskdump_pages(NULL, &src), -EINVAL);
	CHECK_EQ(diskdump_end(NULL), -EINVAL);
}

TEST(bitmap_or_page_changed_between_walks)
{
	struct diskdump_info di;

	for (int walk = 2; walk <= 3; walk++) {		/* pass 1, pass 2 */
		setup(&di);
		flip_at_walk = walk;
		CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
		CHECK_EQ(diskdump_descs(&w, &src), walk == 2 ? -ESTALE : 0);
		if (walk == 3) {
			CHECK_EQ(diskdump_data(&w), 0);
			CHECK_EQ(diskdump_pages(&w, &src), -ESTALE);
		}
	}
	/* A bit moved: the same count, another hash. */
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	diskdump_set_bit(bm2, 15);
	bm2[1] &= (uint8_t)~(1u << 5);		/* 13 out, 15 in */
	CHECK_EQ(diskdump_descs(&w, &src), -ESTALE);
}

TEST(page_changed_between_passes)
{
	struct diskdump_info di;

	setup(&di);
	for (uint64_t p = 10; p < 14; p++)
		memset(pages_of[p], p == 11 ? 0 : 0x33, DISKDUMP_BLOCK);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	CHECK_EQ(diskdump_descs(&w, &src), 0);
	CHECK_EQ(diskdump_data(&w), 0);
	memset(pages_of[11], 0x33, DISKDUMP_BLOCK);	/* was zero: 4096 bytes more... */
	memset(pages_of[13], 0, DISKDUMP_BLOCK);	/* ...and one fewer: the same total */
	CHECK_EQ(diskdump_pages(&w, &src), 0);
	CHECK_EQ(diskdump_end(&w), -ESTALE);			/* still caught */
}

TEST(producer_and_source_fail)
{
	struct diskdump_info di;

	setup(&di);
	fill_error = -EIO;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), -EIO);
	setup(&di);
	null_at_pfn = 12;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	CHECK_EQ(diskdump_descs(&w, &src), -EIO);
	CHECK_EQ(diskdump_data(&w), -EIO);			/* latched */
}

TEST(measuring_writer)
{
	static const struct diskdump_out measure = { NULL, NULL, false };
	struct diskdump_info di;
	uint64_t size;

	setup(&di);
	memset(pages_of[10], 0xAA, DISKDUMP_BLOCK);
	memset(pages_of[12], 0x5B, DISKDUMP_BLOCK);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &measure), 0);
	CHECK_EQ(walks, 0);				/* no bitmap produced for nothing */
	CHECK_EQ(diskdump_descs(&w, &src), 0);
	CHECK_EQ(out_len, 0);
	size = w.data_end;
	CHECK_EQ(size, 4 * 4096 + 4 * 24 + 4096 + 100 + 4096);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	CHECK_EQ(diskdump_descs(&w, &src), 0);
	CHECK_EQ(diskdump_data(&w), 0);
	CHECK_EQ(diskdump_pages(&w, &src), 0);
	CHECK_EQ(diskdump_end(&w), 0);
	CHECK_EQ(out_len, size);
}

TEST(incomplete_flag)
{
	struct diskdump_info di;
	struct diskdump_header h;

	setup(&di);
	di.status_flags = DISKDUMP_INCOMPLETE;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	memcpy(&h, out, sizeof(h));
	CHECK_EQ(h.status, DISKDUMP_COMPRESSED_LZO | DISKDUMP_INCOMPLETE);
}

TEST(mark_incomplete)
{
	struct diskdump_info di;
	struct diskdump_summary d;
	uint8_t copy[8192], other[sizeof(struct diskdump_header)] = { 'E', 'L', 'F' };

	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
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

	setup(&di);
	for (uint64_t p = 10; p < 14; p++)
		pages_of[p][0] = 1;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	CHECK_EQ(diskdump_descs(&w, &src), 0);
	CHECK_EQ(diskdump_data(&w), 0);
	CHECK_EQ(diskdump_pages(&w, &src), 0);
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

	setup(&di);
	fail_at_call = 2;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), -ENOSPC);
	CHECK_EQ(diskdump_descs(&w, &src), -ENOSPC);	/* latched */
	CHECK_EQ(diskdump_data(&w), -ENOSPC);
	CHECK_EQ(diskdump_end(&w), -ENOSPC);
}

/* The bit-range helpers against a bit-by-bit model, every range of 200 bits. */
TEST(bit_ranges)
{
	static uint8_t b[32], m[32];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int bad = 0;

	for (uint64_t a = 0; a < 200; a += 3)
		for (uint64_t e = a; e <= 200; e += 5) {
			uint64_t want = 0, first = e;

			for (size_t i = 0; i < sizeof(b); i++) {
				x = x * 6364136223846793005ull + 1442695040888963407ull;
				b[i] = (uint8_t)(x >> 56);
			}
			memcpy(m, b, sizeof(b));
			for (uint64_t i = a; i < e; i++)
				if (diskdump_bit(m, i)) {
					want++;
					if (first == e)
						first = i;
				}
			bad += diskdump_bits_count(b, a, e) != want;
			bad += diskdump_bits_next(b, a, e) != first;
			bad += diskdump_bits_clear(b, a, e) != want;
			for (uint64_t i = 0; i < 256; i++)
				bad += diskdump_bit(b, i) != (i >= a && i < e ? 0 : diskdump_bit(m, i));
			diskdump_bits_set(b, a, e);
			for (uint64_t i = 0; i < 256; i++)
				bad += diskdump_bit(b, i) != (i >= a && i < e ? 1 : diskdump_bit(m, i));
		}
	CHECK_EQ(bad, 0);
	diskdump_bits_set(b, 9, 3);		/* an empty range does nothing */
	CHECK_EQ(diskdump_bits_clear(b, 9, 3), 0);
}


/* ------------------------------------------------------------ one pass */

/* A target written at any offset that holds the one-pass writer to its
 * promise: appends, one jump forward, whole aligned blocks into the gap
 * it left, no byte written twice, none left out. */
static uint8_t sout[OUT_CAP], sdone[OUT_CAP];
static uint64_t s_end, s_gap0, s_gap1, s_bad, s_jumps, s_calls, s_fail_at;

static int seek_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	(void)ctx;
	if (s_fail_at && ++s_calls >= s_fail_at)
		return -EIO;
	if (off + len > OUT_CAP)
		return -EFBIG;
	if (off == s_end) {
		s_end += len;
	} else if (off > s_end) {
		s_jumps++;
		if (off % DISKDUMP_BLOCK || s_end % DISKDUMP_BLOCK || s_jumps > 1)
			s_bad++;
		s_gap0 = s_end;
		s_gap1 = off;
		s_end = off + len;
	} else if (off % DISKDUMP_BLOCK || len != DISKDUMP_BLOCK || off < s_gap0 ||
		   off + len > s_gap1) {
		s_bad++;			/* not a whole block in the gap */
	}
	for (size_t i = 0; i < len; i++)
		s_bad += sdone[off + i]++ != 0;	/* written twice */
	memcpy(sout + off, buf, len);
	return 0;
}

static const struct diskdump_out sdout = { seek_write, NULL, true };

static void seek_reset(void)
{
	memset(sout, 0, sizeof(sout));
	memset(sdone, 0, sizeof(sdone));
	s_end = s_gap0 = s_gap1 = s_bad = s_jumps = s_calls = s_fail_at = 0;
}

static uint64_t seek_holes(void)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < s_end; i++)
		n += sdone[i] == 0;
	return n;
}

/* A machine of max pfns where the pfns in want are in the file: page p
 * zero (p % 3 == 0), compressible (1) or raw (2). */
static uint64_t machine(struct diskdump_info *di, uint64_t max, uint64_t stride, uint64_t want)
{
	uint64_t n = 0;

	setup(di);
	di->max_mapnr = max;
	memset(bm1, 0, sizeof(bm1));
	memset(bm2, 0, sizeof(bm2));
	for (uint64_t pfn = 0; pfn < max; pfn++) {
		diskdump_set_bit(bm1, pfn);
		if (pfn % 3 == 1)
			memset(pages_of[pfn], 0xAA, 200);
		else if (pfn % 3 == 2)
			for (size_t i = 0; i < DISKDUMP_BLOCK; i += 7)
				pages_of[pfn][i] = (uint8_t)(pfn + i);
		if (pfn % stride == 0 && n < want) {
			diskdump_set_bit(bm2, pfn);
			n++;
		}
	}
	return n;
}

/* The writer's page counts, kept to compare a later run's with. */
struct counts {
	uint64_t compressed, stored, zero;
};

static struct counts counts_now(void)
{
	return (struct counts){ w.compressed, w.stored, w.zero };
}

static bool counts_same(struct counts c)
{
	return w.compressed == c.compressed && w.stored == c.stored && w.zero == c.zero;
}

/* The two passes into out, then one pass into sout: the same bytes. */
static int same_both_ways(struct diskdump_info *di, uint64_t n)
{
	struct counts two;
	uint64_t walk0;

	out_len = 0;
	if (diskdump_begin(&w, di, &bms, n, &dout) || diskdump_descs(&w, &src) ||
	    diskdump_data(&w) || diskdump_pages(&w, &src) || diskdump_end(&w))
		return 1;
	two = counts_now();
	seek_reset();
	walk0 = walks;
	if (diskdump_begin(&w, di, &bms, n, &sdout) || diskdump_single(&w, &src, UINT64_MAX) ||
	    diskdump_end(&w))
		return 2;
	if (walks - walk0 != 2)
		return 3;			/* the 2nd bitmap: begin, the pass */
	if (s_end != out_len || w.pos != out_len || w.data_end != out_len || s_bad ||
	    seek_holes() || s_jumps != (n ? 1u : 0u))
		return 4;
	if (memcmp(sout, out, (size_t)out_len) != 0)
		return 5;
	if (!counts_same(two))
		return 6;
	return 0;
}

TEST(one_pass_same_bytes)
{
	static const uint64_t counts[] = { 0, 1, 4, 169, 170, 171, 341, 342, 512, 513, 700 };
	struct diskdump_info di;
	struct diskdump_summary d;

	/* The first test's four pages: compressed, zero, raw, zero. */
	setup(&di);
	memset(pages_of[10], 0xAA, DISKDUMP_BLOCK);
	memset(pages_of[12], 0x5B, DISKDUMP_BLOCK);
	CHECK_EQ(same_both_ways(&di, 4), 0);
	CHECK_EQ(s_gap0, w.lay.descs);				/* the descriptors' block */
	CHECK_EQ(s_gap1, w.lay.descs + DISKDUMP_BLOCK);	/* then the zero page's rest */
	/* Descriptor areas ending before, on and after block edges (170 2/3
	 * descriptors a block; 512 fill three exactly), windows of 8, 16 and
	 * 24 pfns, pages spread over the windows. */
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
		for (size_t bb = 1; bb <= 3; bb++) {
			uint64_t n = machine(&di, 1024, counts[k] > 300 ? 1 : 3, counts[k]);

			bms.buf_bytes = bb;
			CHECK_EQ(n, counts[k]);
			if (same_both_ways(&di, n) != 0) {
				fprintf(stderr, "%llu pages, %zu-byte windows: %d\n",
					(unsigned long long)n, bb, same_both_ways(&di, n));
				CHECK(!"differs");
			}
		}
	CHECK_EQ(diskdump_read(sout, (size_t)s_end, &d), 0);
	CHECK_EQ(d.pages_dumped, 700);
	CHECK(!d.descs_cut);
	CHECK_EQ(w.lay.zero_page % DISKDUMP_BLOCK, (700 * 24) % DISKDUMP_BLOCK);
	/* 512 descriptors end on a block: no block is left for the end, the
	 * stream starts with the whole zero page. */
	CHECK_EQ(same_both_ways(&di, machine(&di, 1024, 1, 512)), 0);
	CHECK_EQ(w.lay.zero_page % DISKDUMP_BLOCK, 0);
	CHECK_EQ(s_gap1, w.lay.zero_page);
	/* No compressor: every page raw or zero. */
	machine(&di, 300, 1, 300);
	di.compress = NULL;
	CHECK_EQ(same_both_ways(&di, 300), 0);
	CHECK_EQ(w.compressed, 0);
}

TEST(one_pass_refusals_and_changes)
{
	struct diskdump_info di;
	uint64_t n, size;

	/* Out of turn, or a target that only appends. */
	setup(&di);
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &dout), 0);
	CHECK_EQ(diskdump_single(&w, &src, UINT64_MAX), -EINVAL);
	seek_reset();
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &sdout), 0);
	CHECK_EQ(diskdump_descs(&w, &src), 0);
	CHECK_EQ(diskdump_single(&w, &src, UINT64_MAX), -EINVAL);	/* after pass 1 */
	seek_reset();
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &sdout), 0);
	CHECK_EQ(diskdump_single(&w, NULL, UINT64_MAX), -EINVAL);
	seek_reset();
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &sdout), 0);
	CHECK_EQ(diskdump_single(&w, &src, w.lay.data - 1), -EINVAL);	/* limit below the pages */
	seek_reset();
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &sdout), 0);
	CHECK_EQ(diskdump_single(&w, &src, UINT64_MAX), 0);
	CHECK_EQ(diskdump_single(&w, &src, UINT64_MAX), -EINVAL);	/* again */
	CHECK_EQ(diskdump_end(&w), -EINVAL);			/* latched */
	seek_reset();
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &sdout), 0);
	CHECK_EQ(diskdump_single(&w, &src, UINT64_MAX), 0);
	CHECK_EQ(diskdump_data(&w), -EINVAL);			/* no second pass after it */
	CHECK_EQ(diskdump_single(NULL, &src, 0), -EINVAL);

	/* The 2nd bitmap changes between begin() and the pass: -ESTALE, with
	 * no descriptor past its area (the file is then failed, never whole). */
	setup(&di);
	seek_reset();
	flip_at_walk = 2;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &sdout), 0);
	CHECK_EQ(diskdump_single(&w, &src, UINT64_MAX), -ESTALE);
	CHECK_EQ(diskdump_end(&w), -ESTALE);
	CHECK_EQ(s_bad, 0);
	/* One page more than begin() counted: caught before its descriptor. */
	setup(&di);
	seek_reset();
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &sdout), 0);
	diskdump_set_bit(bm2, 15);
	CHECK_EQ(diskdump_single(&w, &src, UINT64_MAX), -ESTALE);
	CHECK_EQ(s_bad, 0);
	for (uint64_t i = w.lay.zero_page; i < w.lay.data; i++)
		CHECK_EQ(sout[i], 0);				/* the zero page untouched */

	/* The size limit: a target told a size never gets more. */
	n = machine(&di, 300, 1, 300);
	CHECK_EQ(same_both_ways(&di, n), 0);
	size = out_len;
	seek_reset();
	CHECK_EQ(diskdump_begin(&w, &di, &bms, n, &sdout), 0);
	CHECK_EQ(diskdump_single(&w, &src, size), 0);		/* exactly the size */
	CHECK_EQ(diskdump_end(&w), 0);
	seek_reset();
	CHECK_EQ(diskdump_begin(&w, &di, &bms, n, &sdout), 0);
	CHECK_EQ(diskdump_single(&w, &src, size - 1), -ESTALE);
	CHECK(s_end < size);
	for (uint64_t i = size - 1; i < OUT_CAP; i++)
		if (sdone[i]) {
			CHECK(!"written past the limit");
			break;
		}

	/* A page that changes between begin()'s walk and the pass is read
	 * once: the file holds it as read, descriptor and bytes agreeing. */
	n = machine(&di, 300, 1, 300);
	seek_reset();
	CHECK_EQ(diskdump_begin(&w, &di, &bms, n, &sdout), 0);
	memset(pages_of[3], 0x77, DISKDUMP_BLOCK);		/* was zero, now raw */
	memset(pages_of[5], 0, DISKDUMP_BLOCK);		/* was raw, now zero */
	CHECK_EQ(diskdump_single(&w, &src, UINT64_MAX), 0);
	CHECK_EQ(diskdump_end(&w), 0);
	{
		struct diskdump_page_desc d3, d5;

		memcpy(&d3, sout + w.lay.descs + 3 * 24, sizeof(d3));
		memcpy(&d5, sout + w.lay.descs + 5 * 24, sizeof(d5));
		CHECK_EQ(d3.size, DISKDUMP_BLOCK);
		CHECK(memcmp(sout + d3.offset, pages_of[3], DISKDUMP_BLOCK) == 0);
		CHECK_EQ(d5.offset, w.lay.zero_page);
	}

	/* Failures: the output, the page source. */
	for (uint64_t at = 1; at < 8; at++) {
		machine(&di, 400, 1, 400);
		seek_reset();
		CHECK_EQ(diskdump_begin(&w, &di, &bms, 400, &sdout), 0);
		s_calls = 0;
		s_fail_at = at;
		CHECK_EQ(diskdump_single(&w, &src, UINT64_MAX), -EIO);
		CHECK_EQ(diskdump_end(&w), -EIO);
	}
	setup(&di);
	seek_reset();
	null_at_pfn = 12;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &sdout), 0);
	CHECK_EQ(diskdump_single(&w, &src, UINT64_MAX), -EIO);
}

/* ------------------------------------------------ one pass, in batches */

/* A fake second CPU: start() keeps the batch and forms it only when
 * waited for (so a batch read too early, or reused while away, shows in
 * the file), with its own compressor state; with refuse_busy it refuses a
 * batch while it holds two (as the kernel's runner does with its queue); start
 * refused from the start_fail_at'th call on; the wait_fail_at'th wait
 * fails with wait_err, and with -EBUSY (lost) every later wait too, each
 * batch lost then "scribbled over" by the runaway CPU. */
static struct diskdump_batch batch_mem[DISKDUMP_BATCHES];
static struct diskdump_batch *held[DISKDUMP_BATCHES];
static int starts, waits, start_fail_at, wait_fail_at, wait_err, reads, max_held;
static bool refuse_busy, cpu_lost;
static int second_state, both_busy;

static int n_held(void)
{
	int n = 0;

	for (int i = 0; i < DISKDUMP_BATCHES; i++)
		n += held[i] != NULL;
	return n;
}

static int fake_start(void *ctx, struct diskdump_batch *b)
{
	unsigned i = (unsigned)(b - batch_mem);

	(void)ctx;
	if (held[i] != NULL || b->compress_ctx != &second_state)
		return -EDOM;			/* away already, or not its own state */
	if (refuse_busy && n_held() >= 2) {
		both_busy++;
		return -EBUSY;
	}
	if (cpu_lost || (start_fail_at && ++starts >= start_fail_at))
		return -ENODEV;
	held[i] = b;
	if (n_held() > max_held)
		max_held = n_held();
	return 0;
}

static int fake_wait(void *ctx, struct diskdump_batch *b)
{
	unsigned i = (unsigned)(b - batch_mem);

	(void)ctx;
	if (held[i] != b)
		return -EDOM;			/* not a batch away */
	held[i] = NULL;
	if (cpu_lost || (wait_fail_at && ++waits == wait_fail_at)) {
		if (cpu_lost || wait_err == -EBUSY) {
			cpu_lost = true;
			memset(b->out, 0xEE, sizeof(b->out));
			memset(b->size, 0x7F, sizeof(b->size));
			b->used = 12345;
			return -EBUSY;
		}
		return wait_err;
	}
	diskdump_batch_form(b);
	return 0;
}

static int read_of(void *ctx, uint64_t pfn, void *page)
{
	(void)ctx;
	reads++;
	if (pfn == null_at_pfn || pfn >= 1024)
		return -EIO;
	memcpy(page, pages_of[pfn], DISKDUMP_BLOCK);
	return 0;
}

static const struct diskdump_offload fake_off = { fake_start, fake_wait, NULL, &second_state,
						  batch_mem };
static const struct diskdump_offload inline_off = { NULL, NULL, NULL, NULL, batch_mem };
static const struct diskdump_pages bsrc = { page_of, NULL, read_of, &fake_off };
static const struct diskdump_pages isrc = { page_of, NULL, read_of, &inline_off };

static void batch_reset(void)
{
	memset(held, 0, sizeof(held));
	starts = waits = start_fail_at = wait_fail_at = wait_err = reads = max_held = both_busy = 0;
	refuse_busy = cpu_lost = false;
	memset(batch_mem, 0x5A, sizeof(batch_mem));	/* nothing left over is read */
}

/* The two passes and one pass page by page the same (same_both_ways:
 * out is the reference), then in batches through psrc into sout: the same
 * bytes and statistics again. */
static int same_in_batches(struct diskdump_info *di, uint64_t n, const struct diskdump_pages *psrc)
{
	struct counts two;
	int err = same_both_ways(di, n);

	if (err)
		return err;
	two = counts_now();
	seek_reset();
	page_reads = 0;			/* from here: the batched run's */
	if (diskdump_begin(&w, di, &bms, n, &sdout) || diskdump_single(&w, psrc, UINT64_MAX) ||
	    diskdump_end(&w))
		return 7;
	if (s_end != out_len || s_bad || seek_holes() || n_held())
		return 8;
	if (memcmp(sout, out, (size_t)out_len) != 0)
		return 9;
	if (!counts_same(two))
		return 10;
	return 0;
}

TEST(one_pass_in_batches)
{
	static const uint64_t counts[] = { 0, 1, 7, 8, 9, 31, 32, 33, 170, 171, 513, 700 };
	struct diskdump_info di;
	struct diskdump_batch b;
	uint64_t n;

	/* diskdump_batch_form alone: zero, compressed, raw, back to back. */
	memset(&b, 0, sizeof(b));
	b.compress = fake_compress;
	b.compression = DISKDUMP_COMPRESSED_LZO;
	b.n = 3;
	memset(b.in[1], 0xAA, DISKDUMP_BLOCK);
	memset(b.in[2], 0x33, DISKDUMP_BLOCK);
	diskdump_batch_form(&b);
	CHECK_EQ(b.size[0], 0);
	CHECK_EQ(b.size[1], 100);
	CHECK_EQ(b.flags[1], DISKDUMP_COMPRESSED_LZO);
	CHECK_EQ(b.size[2], DISKDUMP_BLOCK);
	CHECK_EQ(b.flags[2], 0);
	CHECK_EQ(b.used, 100 + DISKDUMP_BLOCK);
	CHECK(memcmp(b.out, b.in[1], 100) == 0);
	CHECK(memcmp(b.out + 100, b.in[2], DISKDUMP_BLOCK) == 0);
	/* A batch of raw pages fills out; compressed ones leave room. */
	b.n = DISKDUMP_BATCH;
	for (int i = 0; i < DISKDUMP_BATCH; i++)
		memset(b.in[i], 0x40 + i, DISKDUMP_BLOCK);
	diskdump_batch_form(&b);
	CHECK_EQ(b.used, DISKDUMP_BATCH * DISKDUMP_BLOCK);

	/* Page counts around batch and descriptor-block edges, windows of
	 * 8 to 24 pfns, the fake second CPU and the writer alone. */
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
		for (size_t bb = 1; bb <= 3; bb++) {
			n = machine(&di, 1024, counts[k] > 300 ? 1 : 3, counts[k]);
			bms.buf_bytes = bb;
			batch_reset();
			CHECK_EQ(same_in_batches(&di, n, &bsrc), 0);
			CHECK_EQ(w.batches, (n + DISKDUMP_BATCH - 1) / DISKDUMP_BATCH);
			CHECK_EQ(w.batches_away, w.batches);
			CHECK_EQ(reads, (int)n);
			CHECK_EQ(page_reads, 0);
			CHECK(max_held <= DISKDUMP_BATCHES);
			batch_reset();
			refuse_busy = true;
			CHECK_EQ(same_in_batches(&di, n, &bsrc), 0);
			CHECK_EQ(w.batches_away + both_busy, w.batches);
			batch_reset();
			CHECK_EQ(same_in_batches(&di, n, &isrc), 0);
			CHECK_EQ(w.batches_away, 0);
		}
	/* The whole ring away at once, and, refusing while busy, batches
	 * formed by the writer too: the work is shared. */
	n = machine(&di, 1024, 1, 700);
	batch_reset();
	CHECK_EQ(same_in_batches(&di, n, &bsrc), 0);
	CHECK_EQ(max_held, DISKDUMP_BATCHES);
	batch_reset();
	refuse_busy = true;
	CHECK_EQ(same_in_batches(&di, n, &bsrc), 0);
	CHECK(both_busy > 0 && w.batches_away > 0);
	/* No compressor: raw and zero pages only. */
	n = machine(&di, 300, 1, 300);
	di.compress = NULL;
	batch_reset();
	CHECK_EQ(same_in_batches(&di, n, &bsrc), 0);
	CHECK_EQ(w.compressed, 0);

	/* The second CPU refuses from the 3rd batch: the writer forms the rest. */
	n = machine(&di, 1024, 1, 700);
	batch_reset();
	start_fail_at = 3;
	CHECK_EQ(same_in_batches(&di, n, &bsrc), 0);
	CHECK_EQ(w.batches_away, 2);
	/* It stops for good while the 5th batch is away (-ETIMEDOUT, then
	 * parked): that batch is formed here, the same file. */
	batch_reset();
	wait_fail_at = 5;
	wait_err = -ETIMEDOUT;
	CHECK_EQ(same_in_batches(&di, n, &bsrc), 0);
	CHECK_EQ(w.batches_away, w.batches - 1);
}

TEST(one_pass_in_batches_lost_cpu)
{
	struct diskdump_info di;
	uint64_t n = machine(&di, 1024, 1, 700);

	/* Lost with the 5th wait: the batches away (one, or two without
	 * refusals) are scribbled over and never used, their pages read
	 * again, and the rest goes page by page, compressed with the
	 * writer's own state: the same file. */
	for (int refuse = 0; refuse < 2; refuse++) {
		batch_reset();
		refuse_busy = refuse;
		wait_fail_at = 5;
		wait_err = -EBUSY;
		CHECK_EQ(same_in_batches(&di, n, &bsrc), 0);
		CHECK_EQ(w.batches_away, 4);
		CHECK(cpu_lost);
		CHECK(reads >= 5 * DISKDUMP_BATCH && reads < 700);
		CHECK_EQ(page_reads, 700 - reads);	/* the rest page by page; each page read once */
	}
	/* Lost on the very first wait, and on the last batch. */
	batch_reset();
	wait_fail_at = 1;
	wait_err = -EBUSY;
	CHECK_EQ(same_in_batches(&di, n, &bsrc), 0);
	CHECK_EQ(w.batches_away, 0);
	n = machine(&di, 1024, 1, 40);
	batch_reset();
	refuse_busy = true;
	wait_fail_at = 2;
	wait_err = -EBUSY;
	CHECK_EQ(same_in_batches(&di, n, &bsrc), 0);

	/* Lost: a lost batch's pages are never read again (the pages it was
	 * given are written), so a page there that could no longer be read
	 * changes nothing; one read page by page after them: -EIO, and no
	 * batch is left away. */
	for (int k = 0; k < 2; k++) {
		n = machine(&di, 1024, 1, 700);
		batch_reset();
		wait_fail_at = 5;
		wait_err = -EBUSY;
		null_reread_at = k == 0 ? 41 : 600;	/* in the 6th batch, away behind the 5th; after */
		seek_reset();
		CHECK_EQ(diskdump_begin(&w, &di, &bms, n, &sdout), 0);
		CHECK_EQ(diskdump_single(&w, &bsrc, UINT64_MAX), k == 0 ? 0 : -EIO);
		CHECK_EQ(n_held(), 0);
		null_reread_at = UINT64_MAX;
	}

	/* Errors with a batch away: it is waited for before the pass returns. */
	for (uint64_t at = 1; at < 6; at++) {
		machine(&di, 400, 1, 400);
		batch_reset();
		seek_reset();
		CHECK_EQ(diskdump_begin(&w, &di, &bms, 400, &sdout), 0);
		s_calls = 0;
		s_fail_at = at;
		CHECK_EQ(diskdump_single(&w, &bsrc, UINT64_MAX), -EIO);
		CHECK_EQ(n_held(), 0);
	}
	setup(&di);
	batch_reset();
	seek_reset();
	null_at_pfn = 12;
	CHECK_EQ(diskdump_begin(&w, &di, &bms, 4, &sdout), 0);
	CHECK_EQ(diskdump_single(&w, &bsrc, UINT64_MAX), -EIO);
	CHECK_EQ(n_held(), 0);
	/* The size limit holds in batches too. */
	n = machine(&di, 300, 1, 300);
	batch_reset();
	CHECK_EQ(same_in_batches(&di, n, &bsrc), 0);
	seek_reset();
	CHECK_EQ(diskdump_begin(&w, &di, &bms, n, &sdout), 0);
	CHECK_EQ(diskdump_single(&w, &bsrc, out_len - 1), -ESTALE);
	for (uint64_t i = out_len - 1; i < OUT_CAP; i++)
		if (sdone[i]) {
			CHECK(!"written past the limit");
			break;
		}
}

/* The one-pass file through the dump partition's writer at random: the
 * body is the two passes' file byte for byte, and the digest the writer
 * reads back is that file's SHA-256. */
static uint8_t disk[8u << 20];
static struct blkdev ram, part;
static struct dumphdr_writer dw;
static uint8_t scratch[16384];

static int part_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	(void)ctx;
	return dumphdr_writer_body_at(&dw, off, buf, len);
}

TEST(one_pass_to_a_partition)
{
	static const struct diskdump_out pout = { part_write, NULL, true };
	struct diskdump_info di;
	struct dumphdr t, lead, trail;
	uint8_t digest[SHA256_LEN];
	struct dumphdr_digest dg;
	uint64_t n = machine(&di, 1000, 1, 1000);
	const uint8_t *b;

	CHECK_EQ(same_both_ways(&di, n), 0);		/* out: the reference */
	for (uint32_t ss = 512; ss <= 4096; ss *= 8) {
		memset(disk, 0, sizeof(disk));
		CHECK_EQ(blkdev_ram_init(&ram, "ram0", disk, sizeof(disk), ss), 0);
		CHECK_EQ(blkdev_partition(&part, &ram, 1, 8192 / ss, (sizeof(disk) - 16384) / ss), 0);
		memset(&t, 0, sizeof(t));
		t.dump_id = 7;
		t.body_format = DUMPHDR_BODY_KDUMP;
		CHECK_EQ(dumphdr_writer_begin(&dw, &part, &t, out_len, scratch, sizeof(scratch)), 0);
		CHECK_EQ(diskdump_begin(&w, &di, &bms, n, &pout), 0);
		CHECK_EQ(diskdump_single(&w, &src, UINT64_MAX), 0);
		CHECK_EQ(diskdump_end(&w), 0);
		CHECK_EQ(dumphdr_writer_finish(&dw, 1), 0);
		CHECK_EQ(dumphdr_get(&part, false, scratch, sizeof(scratch), &lead, NULL), 0);
		CHECK_EQ(dumphdr_get(&part, true, scratch, sizeof(scratch), &trail, NULL), 0);
		CHECK_EQ(dumphdr_check_pair(&lead, &trail, part.sectors, ss, NULL), 0);
		CHECK_EQ(lead.status, DUMPHDR_COMPLETE);
		CHECK_EQ(lead.body_length, out_len);
		b = disk + (part.offset + lead.body_offset) * ss;
		CHECK(memcmp(b, out, (size_t)out_len) == 0);
		/* two-part: the pages start where the descriptors end */
		CHECK(lead.flags & DUMPHDR_FLAG_DIGEST_SPLIT);
		CHECK(lead.digest_split > 0 && lead.digest_split < out_len);
		CHECK_EQ(lead.digest_split % DISKDUMP_BLOCK, 0);
		dumphdr_digest_init(&dg, &lead);
		dumphdr_digest_update(&dg, out, (size_t)out_len);
		dumphdr_digest_final(&dg, digest);
		CHECK(memcmp(lead.body_sha256, digest, SHA256_LEN) == 0);
		crypto_sha256(out, (size_t)out_len, digest);	/* not the plain digest */
		CHECK(memcmp(lead.body_sha256, digest, SHA256_LEN) != 0);
	}
}

TEST_MAIN(layout_and_pages, vmcoreinfo_inside_notes, many_descriptors_across_windows, caller_mistakes,
	  bitmap_or_page_changed_between_walks, page_changed_between_passes, producer_and_source_fail,
	  measuring_writer, incomplete_flag, mark_incomplete, read_back, output_fails, bit_ranges,
	  one_pass_same_bytes, one_pass_refusals_and_changes, one_pass_in_batches,
	  one_pass_in_batches_lost_cpu, one_pass_to_a_partition)
