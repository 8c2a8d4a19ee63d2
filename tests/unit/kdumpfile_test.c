/*
 * Unit tests for payload/kdumpfile.c, the kdump-compressed dump in
 * windows.  A synthetic machine is generated on the fly behind the
 * callbacks: page tables (1 GiB pages for the direct map and the
 * vmemmap), the mem_section table and struct pages laid out as Debian's
 * 6.1 kernel has them (tests/unit/kfilter_texts.h).  Every GiB of it
 * starts with 64 kept pages (32 of them all zero), then free buddy blocks
 * of order 6, 7, 8, 9 and 10 up to the next GiB.
 *
 * A small machine (three windows, a hole and a partial page) is written
 * into memory and read back through diskdump_read() and its descriptors;
 * the level's fallbacks (no VMCOREINFO, struct pages that look misread,
 * level 1) and struct pages that change between the plan and the write;
 * a target that takes the file's upper bound (two passes, the same file)
 * and one that does not (the measuring pass).
 * One pass into a target written at any offset (held to the write
 * pattern formats/diskdump.h promises): the same file byte for byte with
 * the bound, with the measuring pass and without begin(), descriptor
 * areas ending inside a block and on one; struct pages that change after
 * the plan or between begin() and the pass, pages that change during it
 * (read once: the file holds them as read), pages that change after the
 * measuring pass (never more than the size told, -ESTALE).
 * Then a 1 TiB machine (2^28 pfns, 1024 windows) goes through a writer
 * that only counts: the file's layout and page counts come out right,
 * one pass gives the same bytes (a checksum of every byte at its offset)
 * and the memory is struct kdumpfile alone, bounded whatever the machine
 * size (KDUMPFILE_MEMORY_MAX, 120 KiB; it is 112472 bytes on x86-64).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/diskdump.h"
#include "formats/kpgtable.h"
#include "payload/encdump.h"
#include "payload/kdumpfile.h"
#include "tests/unit/kfilter_texts.h"
#include "tests/unit/synth_kernel.h"
#include "tests/unit/test.h"

#define PML4		0x5b80a000ull		/* init_top_pgt - __START_KERNEL_map + phys_base */
#define PAGES		0x100000000ull		/* struct pages from 4 GiB on */
#define SEC_SHIFT	15			/* 128 MiB sections */
#define GIB_PFNS	(1ull << 18)
#define BUDDY		0xffffff7fu		/* PAGE_BUDDY_MAPCOUNT_VALUE, 6.1 */
#define ANON_MAP	(0xffff888087654320ull | 1)

static uint64_t npfn;			/* the machine's pfns */
static int all_anon;			/* every struct page anonymous (misread) */
static int free_kept;			/* the free blocks read as kernel pages instead */

/* pfn's struct page (64 bytes, the 6.1 offsets). */
static void struct_page(uint64_t pfn, uint8_t sp[64])
{
	uint64_t q = pfn % GIB_PFNS, flags = 0, mapping = 0, priv = 0;
	uint32_t mapcount = 0xffffffffu;

	if (all_anon) {
		flags = 1ull << 4;
		mapping = ANON_MAP;
	} else if (q >= 64 && !free_kept) {
		unsigned order = q < 128 ? 6 : q < 256 ? 7 : q < 512 ? 8 : q < 1024 ? 9 : 10;

		if ((q & ((1ull << order) - 1)) == 0) {
			mapcount = BUDDY;
			priv = order;
		}
	}
	memset(sp, 0, 64);
	memcpy(sp + 0, &flags, 8);
	memcpy(sp + 24, &mapping, 8);
	memcpy(sp + 40, &priv, 8);
	memcpy(sp + 48, &mapcount, 4);
}

static uint64_t synth_word(uint64_t pa)
{
	uint64_t nsec = (npfn + (1ull << SEC_SHIFT) - 1) >> SEC_SHIFT;

	uint64_t w;

	if (synth_pgtable_word(PML4, PAGES, 512, pa, &w) || synth_sections_word(nsec, pa, &w))
		return w;
	return 0;
}

static uint64_t phys_reads;

static int synth_read(void *ctx, uint64_t paddr, void *buf, size_t len)
{
	uint8_t *out = buf, sp[64];

	(void)ctx;
	phys_reads++;
	if (paddr >= PAGES && paddr < PAGES + npfn * 64) {	/* struct pages, whole ones */
		if (paddr % 64 || len % 64 || paddr + len > PAGES + npfn * 64)
			return -EFAULT;
		for (size_t i = 0; i < len; i += 64) {
			struct_page((paddr - PAGES + i) / 64, sp);
			memcpy(out + i, sp, 64);
		}
		return 0;
	}
	synth_bytes(synth_word, paddr, out, len);
	return 0;
}

/* The machine's memory: ranges [0, 0x9f800) (a partial last page) and
 * [1 MiB, npfn pages); pages read as a pattern, the 32 pages at 32..63 of
 * each GiB all zero. */
static int range_next(void *ctx, size_t *cursor, uint64_t *start, uint64_t *size)
{
	(void)ctx;
	if (*cursor >= 2)
		return -ENOENT;
	*start = *cursor ? 0x100000 : 0;
	*size = *cursor ? npfn * 4096 - 0x100000 : 0x9f800;
	++*cursor;
	return 0;
}

static void page_bytes(uint64_t pfn, uint8_t *page)
{
	uint64_t q = pfn % GIB_PFNS, v = pfn ^ 0x5a5a5a5a;

	memset(page, 0, DISKDUMP_BLOCK);
	if (q >= 32 && q < 64)
		return;
	memcpy(page, &v, 8);
	page[100] = (uint8_t)(pfn * 7);
	if (q % 3 == 0)
		page[4000] = 1;		/* not "compressible" */
}

static uint64_t pages_read, rewinds, progress_last;
static uint64_t change_after;		/* non-zero: pages read after this many change */
static int shrink;			/* ...to compressible (else to raw) */
static uint64_t flip_at_rewind;		/* non-zero: the free blocks kept from that rewind */

static void read_page(void *ctx, uint64_t pfn, void *page)
{
	(void)ctx;
	pages_read++;
	page_bytes(pfn, page);
	if (change_after && pages_read > change_after) {
		if (shrink)
			((uint8_t *)page)[4000] = 0;	/* every page compressible from now on */
		else
			((uint8_t *)page)[4001] = 1;	/* every page stored raw from now on */
	}
}

static void rewind_cb(void *ctx)
{
	(void)ctx;
	rewinds++;
	if (flip_at_rewind && rewinds == flip_at_rewind)
		free_kept = 1;
}

static void progress_cb(void *ctx, uint64_t pages)
{
	(void)ctx;
	progress_last = pages;
}

/* "Compresses" a page whose bytes past 128 are zero to its first 128. */
static int fake_compress(void *ctx, const void *in, void *o, size_t *n)
{
	const uint8_t *p = in;

	(void)ctx;
	for (size_t i = 128; i < DISKDUMP_BLOCK; i++)
		if (p[i])
			return -1;
	memcpy(o, in, 128);
	*n = 128;
	return 0;
}

static const struct kdumpfile_src src = { range_next, read_page, synth_read, rewind_cb,
					  progress_cb, NULL };
static struct kdumpfile kf;
static char vmcoreinfo[8192];

static void setup(uint64_t pfns)
{
	npfn = pfns;
	all_anon = free_kept = shrink = 0;
	pages_read = rewinds = progress_last = phys_reads = change_after = flip_at_rewind = 0;
	snprintf(vmcoreinfo, sizeof(vmcoreinfo), "%sSYMBOL(mem_section)=%llx\n", KFILTER_TEXT_6_1,
		 (unsigned long long)(SYNTH_DMAP + SYNTH_ROOTS));
	memcpy(strstr(vmcoreinfo, "SYMBOL(mem_section)="), "SYMBOL(mem_sectioX)=", 20);
}

static void info(struct diskdump_info *di)
{
	memset(di, 0, sizeof(*di));
	di->sysname = "Linux";
	di->release = "6.1.0-18-amd64";
	di->machine = "x86_64";
	di->nr_cpus = 2;
	di->vmcoreinfo = vmcoreinfo;
	di->vmcoreinfo_len = strlen(vmcoreinfo);
	di->compression = DISKDUMP_COMPRESSED_LZO;
	di->compress = fake_compress;
}

/* ------------------------------------------------------------ in memory */

#define OUT_CAP (8u << 20)
static uint8_t out[OUT_CAP];
static uint64_t out_len;
static uint64_t begun_size;
static uint32_t begin_flags;

static int mem_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	(void)ctx;
	if (off != out_len || off + len > OUT_CAP)
		return -EFBIG;		/* the writer only appends */
	memcpy(out + off, buf, len);
	out_len += len;
	return 0;
}

static int begin_cb(void *ctx, uint64_t size, uint32_t *status)
{
	(void)ctx;
	begun_size = size;
	*status |= begin_flags;
	return 0;
}

static const struct kdumpfile_dst mem_dst = { { mem_write, NULL, false }, begin_cb, NULL, NULL, NULL };

static int plan(unsigned level, const char *vi)
{
	return kdumpfile_plan(&kf, &src, level, vi, vi ? strlen(vi) : 0);
}

static uint64_t changed_from;		/* check_pages: kept pages past this many read changed */

/* Every 2nd-bitmap page of the file in out: its descriptor's bytes are
 * the page (the zero page for a zero one).  Returns the pages checked. */
static uint64_t check_pages(const struct diskdump_summary *d)
{
	uint64_t n = 0;
	const uint8_t *bm2;
	uint8_t want[DISKDUMP_BLOCK], got[DISKDUMP_BLOCK];

	bm2 = out + d->descs_offset - diskdump_bitmap_bytes(d->max_mapnr);
	for (uint64_t pfn = 0; pfn < d->max_mapnr; pfn++) {
		struct diskdump_page_desc desc;

		if (!diskdump_bit(bm2, pfn))
			continue;
		memcpy(&desc, out + d->descs_offset + n * sizeof(desc), sizeof(desc));
		n++;
		if (desc.offset + desc.size > out_len)
			return 0;
		memset(got, 0, sizeof(got));
		memcpy(got, out + desc.offset, desc.size);	/* fake_compress: a prefix */
		page_bytes(pfn, want);
		if (changed_from && n > changed_from)
			want[4001] = 1;
		if (memcmp(got, want, sizeof(want)) != 0) {
			fprintf(stderr, "pfn %llu differs\n", (unsigned long long)pfn);
			return 0;
		}
	}
	return n;
}

TEST(small_machine_end_to_end)
{
	struct diskdump_info di;
	struct diskdump_summary d;
	struct diskdump_header h;
	uint64_t present = 0x9f + 1 + (2 * GIB_PFNS + 4096 - 256), kept;
	char line[320];

	setup(2 * GIB_PFNS + 4096);		/* three windows, the last a part */
	CHECK_EQ(plan(31, vmcoreinfo), 0);
	CHECK(kf.filtered);
	CHECK(kf.why == NULL);
	CHECK_EQ(kf.max_mapnr, npfn);
	CHECK_EQ(kf.present, present);
	/* Kept: 64 a GiB (pfns 0..63 and 262144.., 524288..); the last part
	 * of a GiB has 64 more then free blocks. */
	kept = 3 * 64;
	CHECK_EQ(kf.pages, kept);
	CHECK_EQ(kf.st.left_out, present - kept);
	CHECK_EQ(kf.level_recorded, 31);
	kdumpfile_level_line(&kf, line, sizeof(line));
	CHECK(strncmp(line, "kdump level 31: left out ", 25) == 0);

	info(&di);
	out_len = 0;
	begin_flags = DISKDUMP_INCOMPLETE;
	CHECK_EQ(kdumpfile_write(&kf, &di, &mem_dst), 0);
	CHECK(kf.measured);
	CHECK_EQ(begun_size, out_len);			/* measured = written */
	CHECK_EQ(kf.size, out_len);
	CHECK_EQ(pages_read, 3 * kept);			/* measuring, descriptors, data */
	CHECK_EQ(progress_last, 3 * kept);
	CHECK_EQ(rewinds, 3);
	CHECK_EQ(kf.w.zero, 3 * 32);
	CHECK_EQ(diskdump_read(out, (size_t)out_len, &d), 0);
	CHECK_EQ(d.max_mapnr, npfn);
	CHECK_EQ(d.pages_present, present);
	CHECK_EQ(d.pages_dumped, kept);
	CHECK_EQ(d.dump_level, 31);
	CHECK_EQ(d.status, DISKDUMP_COMPRESSED_LZO | DISKDUMP_INCOMPLETE);
	CHECK_EQ(check_pages(&d), kept);
	memcpy(&h, out, sizeof(h));
	CHECK_EQ(h.bitmap_blocks, 2 * diskdump_bitmap_bytes(npfn) / 4096);

	/* Without a begin callback: no measuring pass. */
	begin_flags = 0;
	out_len = 0;
	pages_read = 0;
	CHECK_EQ(kdumpfile_write(&kf, &di,
				 &(struct kdumpfile_dst){ { mem_write, NULL, false }, NULL, NULL, NULL, NULL }), 0);
	CHECK_EQ(pages_read, 2 * kept);
	CHECK_EQ(kf.size, out_len);
	CHECK_EQ(diskdump_read(out, (size_t)out_len, &d), 0);
	CHECK_EQ(d.status, DISKDUMP_COMPRESSED_LZO);
	CHECK_EQ(check_pages(&d), kept);
}

TEST(level_fallbacks)
{
	struct diskdump_info di;
	struct diskdump_summary d;
	char line[320];

	setup(4096);					/* 16 MiB, every page written */
	CHECK_EQ(plan(31, NULL), 0);			/* no VMCOREINFO */
	CHECK(!kf.filtered);
	CHECK_STR(kf.why, "no VMCOREINFO note");
	CHECK_EQ(kf.level_recorded, 1);
	CHECK_EQ(kf.pages, kf.present);
	kdumpfile_level_line(&kf, line, sizeof(line));
	CHECK_STR(line, "kdump level 31: not filtering (no VMCOREINFO note): every page kept, "
		  "dump level 1 recorded");
	info(&di);
	di.vmcoreinfo = NULL;
	di.vmcoreinfo_len = 0;
	out_len = 0;
	CHECK_EQ(kdumpfile_write(&kf, &di, &mem_dst), 0);
	CHECK_EQ(diskdump_read(out, (size_t)out_len, &d), 0);
	CHECK_EQ(d.dump_level, 1);
	CHECK_EQ(d.pages_dumped, d.pages_present);

	CHECK_EQ(plan(30, "PAGESIZE=4096\n"), 0);	/* a layout refused: 30 & 1 */
	CHECK(kf.why != NULL);
	CHECK_EQ(kf.level_recorded, 0);

	setup(GIB_PFNS);
	all_anon = 1;					/* nothing free, nothing kept */
	CHECK_EQ(plan(31, vmcoreinfo), 0);
	CHECK(!kf.filtered);
	CHECK(strstr(kf.why, "misread") != NULL);
	CHECK_EQ(kf.level_recorded, 1);
	CHECK_EQ(kf.pages, kf.present);

	setup(GIB_PFNS);
	CHECK_EQ(plan(1, vmcoreinfo), 0);		/* zero pages only: nothing read */
	CHECK(!kf.filtered);
	CHECK(kf.why == NULL);
	CHECK_EQ(kf.level_recorded, 1);
	CHECK_EQ(phys_reads, 0);
	kdumpfile_level_line(&kf, line, sizeof(line));
	CHECK_STR(line, "kdump level 1: every page kept (262048 pages; zero pages stored as one)");

	CHECK_EQ(kdumpfile_plan(&kf, &src, 31, NULL, 0), 0);
	CHECK_EQ(kdumpfile_plan(NULL, &src, 31, NULL, 0), -EINVAL);
	npfn = 0x100;					/* only the low range */
	CHECK_EQ(plan(31, NULL), 0);
	CHECK_EQ(kf.max_mapnr, 0xa0);
}

/* The struct pages change after the plan (a device writing into them):
 * the 2nd bitmap comes out different and the write says -ESTALE. */
TEST(struct_pages_change_after_the_plan)
{
	struct diskdump_info di;

	setup(GIB_PFNS);
	CHECK_EQ(plan(31, vmcoreinfo), 0);
	CHECK(kf.filtered);
	free_kept = 1;
	info(&di);
	out_len = 0;
	CHECK_EQ(kdumpfile_write(&kf, &di, &mem_dst), -ESTALE);
	CHECK(!kf.measured);				/* caught before anything was written */
	CHECK_EQ(out_len, 0);
	CHECK_EQ(kdumpfile_write(&kf, &di, &(struct kdumpfile_dst){ { mem_write, NULL, false }, NULL,
								    NULL, NULL, NULL }), -ESTALE);
}

/* ------------------------------------------------------------ two passes */

static uint64_t room_bytes;

static uint64_t room_cb(void *ctx)
{
	(void)ctx;
	return room_bytes;
}

static const struct kdumpfile_dst room_dst = { { mem_write, NULL, false }, begin_cb, NULL, room_cb, NULL };
static uint8_t three[OUT_CAP];

/* A target that takes the upper bound and records the size at the end:
 * no measuring pass, the same file byte for byte; a target without room
 * for the bound gets the measured size, as without room(). */
TEST(two_passes_when_the_bound_fits)
{
	struct diskdump_info di;
	struct diskdump_summary d;
	uint64_t kept = 3 * 64, three_len, bound;

	setup(2 * GIB_PFNS + 4096);
	CHECK_EQ(plan(31, vmcoreinfo), 0);
	CHECK_EQ(kf.pages, kept);
	info(&di);
	/* Three passes: the reference file. */
	out_len = 0;
	CHECK_EQ(kdumpfile_write(&kf, &di, &mem_dst), 0);
	CHECK(!kf.bound);
	CHECK_EQ(pages_read, 3 * kept);
	three_len = out_len;
	memcpy(three, out, (size_t)out_len);

	/* The bound: every kept page raw after the descriptors and the zero page. */
	bound = kdumpfile_bound(&kf, &di);
	CHECK_EQ(bound, (uint64_t)(1 + ((struct diskdump_header *)three)->sub_hdr_size) *
				DISKDUMP_BLOCK + 2 * diskdump_bitmap_bytes(npfn) + kept * 24 +
				DISKDUMP_BLOCK + kept * DISKDUMP_BLOCK);
	CHECK(bound > three_len);

	/* Room for exactly the bound: two passes, begin() told the bound, the
	 * real size in kf.size, the same bytes. */
	room_bytes = bound;
	out_len = pages_read = rewinds = progress_last = 0;
	begun_size = 0;
	CHECK_EQ(kdumpfile_write(&kf, &di, &room_dst), 0);
	CHECK(kf.measured);
	CHECK(kf.bound);
	CHECK_EQ(begun_size, bound);
	CHECK_EQ(kf.size, three_len);
	CHECK_EQ(pages_read, 2 * kept);			/* descriptors, data */
	CHECK_EQ(progress_last, 2 * kept);
	CHECK_EQ(rewinds, 2);
	CHECK_EQ(out_len, three_len);
	CHECK(memcmp(out, three, (size_t)three_len) == 0);
	CHECK_EQ(diskdump_read(out, (size_t)out_len, &d), 0);
	CHECK_EQ(d.status, DISKDUMP_COMPRESSED_LZO);
	CHECK_EQ(check_pages(&d), kept);

	/* One byte less room: the measuring pass, the exact size, the same file. */
	room_bytes = bound - 1;
	out_len = pages_read = rewinds = 0;
	CHECK_EQ(kdumpfile_write(&kf, &di, &room_dst), 0);
	CHECK(!kf.bound);
	CHECK_EQ(begun_size, three_len);
	CHECK_EQ(kf.size, three_len);
	CHECK_EQ(pages_read, 3 * kept);
	CHECK_EQ(rewinds, 3);
	CHECK_EQ(out_len, three_len);
	CHECK(memcmp(out, three, (size_t)three_len) == 0);

	/* No room (a target that needs the size first): measured too. */
	room_bytes = 0;
	out_len = pages_read = 0;
	CHECK_EQ(kdumpfile_write(&kf, &di, &room_dst), 0);
	CHECK(!kf.bound);
	CHECK_EQ(pages_read, 3 * kept);
	CHECK(memcmp(out, three, (size_t)three_len) == 0);

	/* A target too small for the measured size marks the file
	 * INCOMPLETE, as before: the measuring pass runs for it. */
	room_bytes = three_len;
	begin_flags = DISKDUMP_INCOMPLETE;
	out_len = 0;
	CHECK_EQ(kdumpfile_write(&kf, &di, &room_dst), 0);
	CHECK(!kf.bound);
	CHECK_EQ(begun_size, three_len);
	CHECK_EQ(diskdump_read(out, (size_t)out_len, &d), 0);
	CHECK_EQ(d.status, DISKDUMP_COMPRESSED_LZO | DISKDUMP_INCOMPLETE);
	begin_flags = 0;
}

/* With the bound, memory that changes is caught as with three passes: the
 * struct pages after the plan (the file is started: the caller marks it
 * failed), a page between the descriptor and the data pass (never more
 * bytes than the descriptors announced, so never past the bound). */
TEST(two_passes_memory_changes)
{
	struct diskdump_info di;
	uint64_t kept = 64, bound;

	setup(GIB_PFNS);
	CHECK_EQ(plan(31, vmcoreinfo), 0);
	CHECK_EQ(kf.pages, kept);
	info(&di);
	room_bytes = UINT64_MAX;
	bound = kdumpfile_bound(&kf, &di);

	free_kept = 1;
	out_len = 0;
	CHECK_EQ(kdumpfile_write(&kf, &di, &room_dst), -ESTALE);
	CHECK(kf.measured);				/* begun: the caller fails the file */
	CHECK(kf.bound);
	CHECK(out_len <= bound);
	free_kept = 0;

	change_after = kept + kept / 2;		/* half-way through the data pass */
	out_len = pages_read = 0;
	CHECK_EQ(kdumpfile_write(&kf, &di, &room_dst), -ESTALE);
	CHECK(kf.bound);
	CHECK_EQ(kf.size, bound);			/* never the real size of a bad file */
	CHECK(out_len <= kf.w.data_end);
	change_after = 0;
}

/* Without room for the bound the target is told the measured size: pages
 * that change between the measuring pass and the descriptor pass (and then
 * stay) would give a file of another size than announced; caught. */
TEST(measured_size_changes)
{
	struct diskdump_info di;
	uint64_t kept = 64;

	setup(GIB_PFNS);
	CHECK_EQ(plan(31, vmcoreinfo), 0);
	CHECK_EQ(kf.pages, kept);
	info(&di);
	change_after = kept / 2;		/* half-way through the measuring pass */
	out_len = pages_read = 0;
	CHECK_EQ(kdumpfile_write(&kf, &di, &mem_dst), -ESTALE);
	CHECK(kf.measured);			/* begun: the caller fails the file */
	CHECK(!kf.bound);
	CHECK_EQ(begun_size, kf.size);
	change_after = 0;
	out_len = pages_read = 0;		/* unchanged memory: written whole */
	CHECK_EQ(kdumpfile_write(&kf, &di, &mem_dst), 0);
	CHECK_EQ(out_len, kf.size);
}


/* ------------------------------------------------------------ one pass */

/* A target written at any offset (into out), held to the pattern of
 * formats/diskdump.h: appends, one jump forward, whole aligned blocks
 * into the gap it left, no byte twice, none left out. */
static uint8_t sdone[OUT_CAP];
static uint64_t s_gap0, s_gap1, s_bad, s_jumps;

static int seek_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	(void)ctx;
	if (off + len > OUT_CAP)
		return -EFBIG;
	if (off == out_len) {
		out_len += len;
	} else if (off > out_len) {
		if (off % DISKDUMP_BLOCK || out_len % DISKDUMP_BLOCK || ++s_jumps > 1)
			s_bad++;
		s_gap0 = out_len;
		s_gap1 = off;
		out_len = off + len;
	} else if (off % DISKDUMP_BLOCK || len != DISKDUMP_BLOCK || off < s_gap0 ||
		   off + len > s_gap1) {
		s_bad++;
	}
	for (size_t i = 0; i < len; i++)
		s_bad += sdone[off + i]++ != 0;
	memcpy(out + off, buf, len);
	return 0;
}

static void seek_reset(void)
{
	memset(out, 0, sizeof(out));
	memset(sdone, 0, sizeof(sdone));
	out_len = s_gap0 = s_gap1 = s_bad = s_jumps = 0;
	pages_read = rewinds = progress_last = 0;
	begun_size = 0;
}

static uint64_t seek_holes(void)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < out_len; i++)
		n += sdone[i] == 0;
	return n;
}

static const struct kdumpfile_dst seek_room_dst = { { seek_write, NULL, true }, begin_cb, NULL,
						    room_cb, NULL };
static const struct kdumpfile_dst seek_dst = { { seek_write, NULL, true }, NULL, NULL, NULL, NULL };
/* The one pass in batches, formed by the writer itself (formats/diskdump.h). */
static struct diskdump_batch batch_mem[DISKDUMP_BATCHES];
static const struct diskdump_offload inline_off = { NULL, NULL, NULL, NULL, batch_mem };
static const struct kdumpfile_dst batch_dst = { { seek_write, NULL, true }, begin_cb, NULL, room_cb,
						&inline_off };

/* The same file four ways in one pass: with the bound (one pass over
 * the pages), without room for it (measuring, then one), in batches,
 * without begin(); descriptor areas that end inside a block (192 pages) and on
 * one (512: eight windows). */
TEST(one_pass_same_file)
{
	static const uint64_t gibs[] = { 3, 8 };
	struct diskdump_info di;
	struct diskdump_summary d;

	for (size_t g = 0; g < 2; g++) {
		uint64_t kept = gibs[g] * 64, ref_len, bound;

		setup(gibs[g] == 3 ? 2 * GIB_PFNS + 4096 : 8 * GIB_PFNS);
		CHECK_EQ(plan(31, vmcoreinfo), 0);
		CHECK_EQ(kf.pages, kept);
		info(&di);
		out_len = 0;
		CHECK_EQ(kdumpfile_write(&kf, &di, &mem_dst), 0);	/* three passes in order */
		CHECK(!kf.single);
		ref_len = out_len;
		memcpy(three, out, (size_t)out_len);
		bound = kdumpfile_bound(&kf, &di);
		CHECK_EQ((kf.w.lay.zero_page % DISKDUMP_BLOCK) == 0, kept % 512 == 0);

		room_bytes = bound;
		seek_reset();
		CHECK_EQ(kdumpfile_write(&kf, &di, &seek_room_dst), 0);
		CHECK(kf.single);
		CHECK(kf.bound);
		CHECK_EQ(begun_size, bound);
		CHECK_EQ(kf.size, ref_len);
		CHECK_EQ(pages_read, kept);			/* each page once */
		CHECK_EQ(progress_last, kept);
		CHECK_EQ(rewinds, 1);
		CHECK_EQ(out_len, ref_len);
		CHECK_EQ(s_bad, 0);
		CHECK_EQ(s_jumps, 1);
		CHECK_EQ(seek_holes(), 0);
		CHECK(memcmp(out, three, (size_t)ref_len) == 0);
		CHECK_EQ(kf.w.pos, ref_len);

		room_bytes = bound - 1;				/* the measuring pass, then one */
		seek_reset();
		CHECK_EQ(kdumpfile_write(&kf, &di, &seek_room_dst), 0);
		CHECK(kf.single);
		CHECK(!kf.bound);
		CHECK_EQ(begun_size, ref_len);
		CHECK_EQ(pages_read, 2 * kept);
		CHECK_EQ(rewinds, 2);
		CHECK_EQ(s_bad, 0);
		CHECK_EQ(seek_holes(), 0);
		CHECK_EQ(out_len, ref_len);
		CHECK(memcmp(out, three, (size_t)ref_len) == 0);

		room_bytes = bound;				/* in batches: the same */
		seek_reset();
		CHECK_EQ(kdumpfile_write(&kf, &di, &batch_dst), 0);
		CHECK(kf.single);
		CHECK_EQ(pages_read, kept);
		CHECK_EQ(progress_last, kept);
		CHECK_EQ(kf.w.batches, (kept + DISKDUMP_BATCH - 1) / DISKDUMP_BATCH);
		CHECK_EQ(s_bad, 0);
		CHECK_EQ(seek_holes(), 0);
		CHECK_EQ(out_len, ref_len);
		CHECK(memcmp(out, three, (size_t)ref_len) == 0);

		seek_reset();					/* no begin(): one pass */
		CHECK_EQ(kdumpfile_write(&kf, &di, &seek_dst), 0);
		CHECK_EQ(pages_read, kept);
		CHECK_EQ(kf.size, ref_len);
		CHECK_EQ(s_bad, 0);
		CHECK(memcmp(out, three, (size_t)ref_len) == 0);
		CHECK_EQ(diskdump_read(out, (size_t)out_len, &d), 0);
		CHECK_EQ(check_pages(&d), kept);
	}
}

/* One pass and memory that changes: the struct pages after the plan or
 * between begin() and the pass (-ESTALE, never past the bound, never the
 * real size of a bad file); a page during the pass (read once: the file
 * holds what was read, descriptor and bytes agreeing); pages between the
 * measuring pass and the pass, growing or shrinking (-ESTALE, never more
 * bytes than the size the target was told). */
TEST(one_pass_memory_changes)
{
	struct diskdump_info di;
	struct diskdump_summary d;
	uint64_t kept = 64, bound, measured;

	setup(GIB_PFNS);
	CHECK_EQ(plan(31, vmcoreinfo), 0);
	CHECK_EQ(kf.pages, kept);
	info(&di);
	room_bytes = UINT64_MAX;
	bound = kdumpfile_bound(&kf, &di);

	free_kept = 1;					/* after the plan */
	seek_reset();
	CHECK_EQ(kdumpfile_write(&kf, &di, &seek_room_dst), -ESTALE);
	CHECK(kf.measured);
	CHECK(out_len <= bound);
	CHECK_EQ(s_bad, 0);
	free_kept = 0;

	flip_at_rewind = 1;				/* between begin() and the pass */
	seek_reset();
	CHECK_EQ(kdumpfile_write(&kf, &di, &seek_room_dst), -ESTALE);
	CHECK(kf.bound);
	CHECK_EQ(kf.size, bound);
	CHECK(out_len <= bound);
	CHECK_EQ(s_bad, 0);
	flip_at_rewind = 0;
	free_kept = 0;

	change_after = kept / 2;			/* during the pass */
	seek_reset();
	CHECK_EQ(kdumpfile_write(&kf, &di, &seek_room_dst), 0);
	CHECK_EQ(pages_read, kept);
	CHECK_EQ(s_bad, 0);
	CHECK_EQ(seek_holes(), 0);
	CHECK_EQ(diskdump_read(out, (size_t)out_len, &d), 0);
	changed_from = change_after;
	CHECK_EQ(check_pages(&d), kept);
	changed_from = 0;

	/* Measured size: pages that grow after the measuring pass. */
	room_bytes = 0;
	change_after = kept / 2;			/* half-way through the measuring pass */
	seek_reset();
	CHECK_EQ(kdumpfile_write(&kf, &di, &seek_room_dst), -ESTALE);
	CHECK(!kf.bound);
	measured = begun_size;
	CHECK(out_len <= measured);			/* never past the size told */
	for (uint64_t i = measured; i < OUT_CAP; i++)
		if (sdone[i]) {
			CHECK(!"written past the measured size");
			break;
		}
	/* ...or shrink: a file smaller than announced, caught at the end. */
	shrink = 1;
	seek_reset();
	CHECK_EQ(kdumpfile_write(&kf, &di, &seek_room_dst), -ESTALE);
	CHECK(out_len < begun_size);
	shrink = 0;
	change_after = 0;
	seek_reset();					/* unchanged memory: written whole */
	CHECK_EQ(kdumpfile_write(&kf, &di, &seek_room_dst), 0);
	CHECK_EQ(out_len, kf.size);
	CHECK_EQ(out_len, begun_size);
}

/* ------------------------------------------------------------ 1 TiB */

struct counter {
	uint64_t pos;
	uint8_t head[2 * DISKDUMP_BLOCK];	/* header and the sub-header block */
	uint64_t bm_off, bm_bytes;		/* known once the header is in */
	uint64_t bits1, bits2, descs, bad;
	uint64_t sum, bytes;			/* every byte at its offset; bytes written */
	bool seekable;				/* one pass: its pattern, not appends */
	uint64_t gap0, gap1, jumps;
	uint8_t gap_done[1024];			/* the gap's blocks written */
};

/* Every byte weighed by its offset: the same for the same file however
 * it is cut into writes and in whatever order they come. */
static void count_sum(struct counter *c, uint64_t off, const uint8_t *p, size_t len)
{
	uint64_t s = 0;

	for (size_t i = 0; i < len; i++) {
		uint64_t a = off + i;

		s += (p[i] + 1u) * ((a * 0x9e3779b97f4a7c15ull) ^ (a >> 7));
	}
	c->sum += s;
	c->bytes += len;
}

static int count_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	struct counter *c = ctx;
	const uint8_t *p = buf;

	count_sum(c, off, p, len);
	if (!c->seekable) {
		if (off != c->pos)
			c->bad++;
	} else if (off > c->pos) {
		if (off % DISKDUMP_BLOCK || c->pos % DISKDUMP_BLOCK || ++c->jumps > 1 ||
		    (off - c->pos) / DISKDUMP_BLOCK > sizeof(c->gap_done))
			c->bad++;
		c->gap0 = c->pos;
		c->gap1 = off;
	} else if (off < c->pos) {
		if (off % DISKDUMP_BLOCK || len != DISKDUMP_BLOCK || off < c->gap0 ||
		    off + len > c->gap1 || c->gap_done[(off - c->gap0) / DISKDUMP_BLOCK]++)
			c->bad++;
		return 0;			/* descriptors: not counted below */
	}
	for (size_t i = 0; i < len; i++) {
		uint64_t a = off + i;

		if (a < sizeof(c->head)) {
			c->head[a] = p[i];
			continue;
		}
		if (c->bm_off == 0) {
			struct diskdump_header h;
			struct diskdump_sub_header sh;

			memcpy(&h, c->head, sizeof(h));
			memcpy(&sh, c->head + DISKDUMP_BLOCK, sizeof(sh));
			c->bm_off = (uint64_t)(1 + h.sub_hdr_size) * DISKDUMP_BLOCK;
			c->bm_bytes = (uint64_t)h.bitmap_blocks / 2 * DISKDUMP_BLOCK;
		}
		if (a >= c->bm_off && a + (len - i) <= c->bm_off + 2 * c->bm_bytes) {
			/* the rest of this write is bitmap: count it a word at a time */
			for (; i < len; i++) {
				a = off + i;
				if (a < c->bm_off + c->bm_bytes)
					c->bits1 += (uint64_t)__builtin_popcount(p[i]);
				else
					c->bits2 += (uint64_t)__builtin_popcount(p[i]);
			}
			break;
		}
		if (a >= c->bm_off + 2 * c->bm_bytes) {	/* descriptors and data: counted */
			break;
		}
		c->bad++;				/* a write across the bitmaps' ends */
		break;
	}
	c->pos = off + len;
	return 0;
}

static int count_begin(void *ctx, uint64_t size, uint32_t *status)
{
	(void)status;
	*(uint64_t *)ctx = size;
	return 0;
}

TEST(one_tib_machine_in_bounded_memory)
{
	static struct counter c;
	uint64_t measured = 0;
	struct diskdump_info di;
	struct diskdump_header h;
	struct diskdump_sub_header sh;
	struct kdumpfile_dst dst = { { count_write, &c, false }, count_begin, &measured, NULL, NULL };
	uint64_t pfns = 1ull << 28, kept = (pfns / GIB_PFNS) * 64;

	/* All the memory a dump of any size needs is struct kdumpfile. */
	CHECK(sizeof(struct kdumpfile) <= KDUMPFILE_MEMORY_MAX);
	CHECK(sizeof(struct kdumpfile) >= KDUMPFILE_WINDOW_BYTES + PAGEFILTER_BUF + DISKDUMP_BLOCK);

	setup(pfns);
	CHECK_EQ(plan(31, vmcoreinfo), 0);
	CHECK(kf.why == NULL);
	CHECK_EQ(kf.max_mapnr, pfns);
	CHECK_EQ(kf.present, pfns - 0x100 + 0xa0);
	CHECK_EQ(kf.pages, kept);
	CHECK_EQ(kf.st.counts[PAGECLASS_FREE], kf.present - kept);

	info(&di);
	memset(&c, 0, sizeof(c));
	CHECK_EQ(kdumpfile_write(&kf, &di, &dst), 0);
	CHECK_EQ(c.bad, 0);
	CHECK_EQ(c.pos, measured);
	CHECK_EQ(kf.size, measured);
	memcpy(&h, c.head, sizeof(h));
	memcpy(&sh, c.head + DISKDUMP_BLOCK, sizeof(sh));
	CHECK_EQ(sh.max_mapnr_64, pfns);
	CHECK_EQ(h.bitmap_blocks, 2 * (pfns / 8 / DISKDUMP_BLOCK));	/* 2 x 32 MiB */
	CHECK_EQ(h.total_ram_blocks, kept);
	CHECK_EQ(sh.dump_level, 31);
	CHECK_EQ(c.bits1, kf.present);
	CHECK_EQ(c.bits2, kept);
	/* descriptors, the zero page, the pages: 32 zero ones a GiB, the
	 * rest compressed to 128 bytes or raw (every third). */
	CHECK_EQ(kf.w.zero, 32 * (pfns / GIB_PFNS));
	CHECK_EQ(kf.w.compressed + kf.w.stored + kf.w.zero, kept);
	CHECK_EQ(c.pos, (uint64_t)(1 + h.sub_hdr_size) * DISKDUMP_BLOCK + 2 * (pfns / 8) +
			    kept * 24 + DISKDUMP_BLOCK + kf.w.compressed * 128 +
			    kf.w.stored * DISKDUMP_BLOCK);
	/* A free block's struct pages are read as its head alone: a few
	 * hundred thousand small reads a walk, not 16 GiB of struct pages. */
	CHECK(phys_reads < 6 * 4 * (pfns / 1024 + 10 * (pfns / GIB_PFNS)));
	CHECK_EQ(c.bytes, c.pos);

	/* One pass (a target that seeks, no begin()): the same bytes. */
	{
		static struct counter c1;
		struct kdumpfile_dst dst1 = { { count_write, &c1, true }, NULL, NULL, NULL, NULL };

		memset(&c1, 0, sizeof(c1));
		c1.seekable = true;
		pages_read = 0;
		CHECK_EQ(kdumpfile_write(&kf, &di, &dst1), 0);
		CHECK(kf.single);
		CHECK_EQ(pages_read, kept);
		CHECK_EQ(c1.bad, 0);
		CHECK_EQ(c1.jumps, 1);
		CHECK_EQ(c1.pos, c.pos);
		CHECK_EQ(c1.bytes, c.bytes);			/* nothing twice, nothing left out */
		CHECK_EQ(c1.sum, c.sum);
		CHECK_EQ(c1.bits1, c.bits1);
		CHECK_EQ(c1.bits2, c.bits2);
		CHECK_EQ(kf.size, c.pos);
		for (uint64_t b = 0; b < (c1.gap1 - c1.gap0) / DISKDUMP_BLOCK; b++)
			CHECK_EQ(c1.gap_done[b], 1);
	}
}

/* ------------------------------------------------------------ encrypted */

/* The one-pass file sealed at offsets (payload/encdump.h
 * encdump_seal_at_write), the stream into out through seek_write: the
 * target's pattern, each byte once. */
static struct encdump_sealer esealer;
static struct encdump_sealer_at esat;

static int enc_at(void *ctx, uint64_t off, const void *buf, size_t len)
{
	(void)ctx;
	return encdump_seal_at_write(&esat, off, buf, len);
}

static int enc_head(void *ctx, const void *buf, size_t len)
{
	return seek_write(ctx, out_len, buf, len);
}

static int ref_write(void *ctx, const void *buf, size_t len)
{
	uint64_t *n = ctx;

	memcpy(three + *n, buf, len);
	*n += len;
	return 0;
}

static void enc_params(struct encdump_params *p, uint8_t key[ENCDUMP_KEY_LEN])
{
	static const uint8_t wrapped[ENCDUMP_WRAPPED_MIN] = { 1, 2, 3 };
	static const uint8_t master[ENCDUMP_KEY_LEN] = { 9, 8, 7 };

	memset(p, 0, sizeof(*p));
	p->chunk_size = ENCDUMP_CHUNK_SIZE;
	p->inner_format = ENCDUMP_INNER_KDUMP;
	memset(p->salt, 0x5a, sizeof(p->salt));
	p->wrapped = wrapped;
	p->wrapped_len = sizeof(wrapped);
	encdump_derive_key(master, p->salt, key);
}

/* The encrypted one pass gives the stream the in-order passes' file
 * sealed in order gives, byte for byte (so it decrypts to the same file),
 * with the dump partition's write pattern. */
TEST(one_pass_encrypted_same_stream)
{
	static const uint64_t gibs[] = { 3, 8 };
	static uint8_t *bufs[ENCDUMP_AT_SLOTS];
	static uint8_t plain[OUT_CAP];
	struct kdumpfile_dst edst = { { enc_at, NULL, true }, NULL, NULL, NULL, NULL };
	struct encdump_params p;
	uint8_t key[ENCDUMP_KEY_LEN];
	struct diskdump_info di;

	for (int i = 0; i < ENCDUMP_AT_SLOTS; i++)
		bufs[i] = malloc(ENCDUMP_CHUNK_WIRE(ENCDUMP_CHUNK_SIZE));
	for (size_t g = 0; g < 2; g++) {
		uint64_t ref_len = 0, plain_len;
		struct encdump_sealer s;

		setup(gibs[g] == 3 ? 2 * GIB_PFNS + 4096 : 8 * GIB_PFNS);
		CHECK_EQ(plan(31, vmcoreinfo), 0);
		info(&di);
		out_len = 0;
		CHECK_EQ(kdumpfile_write(&kf, &di, &mem_dst), 0);	/* in order */
		plain_len = out_len;
		memcpy(plain, out, (size_t)plain_len);
		enc_params(&p, key);
		CHECK_EQ(encdump_seal_init(&s, &p, key, bufs[0], ENCDUMP_CHUNK_WIRE(ENCDUMP_CHUNK_SIZE),
					   ref_write, &ref_len, NULL), 0);
		CHECK_EQ(encdump_seal_write(&s, plain, (size_t)plain_len), 0);
		CHECK_EQ(encdump_seal_finish(&s), 0);
		CHECK(ref_len > plain_len && ref_len < OUT_CAP);

		seek_reset();
		CHECK_EQ(encdump_seal_init(&esealer, &p, key, bufs[0],
					   ENCDUMP_CHUNK_WIRE(ENCDUMP_CHUNK_SIZE), enc_head, NULL, NULL), 0);
		CHECK_EQ(encdump_seal_at_init(&esat, &esealer, bufs, seek_write, NULL), 0);
		CHECK_EQ(kdumpfile_write(&kf, &di, &edst), 0);
		CHECK(kf.single);
		CHECK_EQ(pages_read, kf.pages);			/* each page once */
		CHECK_EQ(encdump_seal_at_finish(&esat), 0);
		CHECK_EQ(esealer.plain, plain_len);
		CHECK_EQ(s_bad, 0);
		CHECK_EQ(seek_holes(), 0);
		CHECK_EQ(out_len, ref_len);
		CHECK(memcmp(out, three, (size_t)ref_len) == 0);
	}
	for (int i = 0; i < ENCDUMP_AT_SLOTS; i++)
		free(bufs[i]);
}

TEST_MAIN(small_machine_end_to_end, level_fallbacks, struct_pages_change_after_the_plan,
	  two_passes_when_the_bound_fits, two_passes_memory_changes, measured_size_changes,
	  one_pass_same_file, one_pass_memory_changes, one_tib_machine_in_bounded_memory,
	  one_pass_encrypted_same_stream)
