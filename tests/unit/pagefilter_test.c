/*
 * Unit tests for payload/pagefilter.c: a 256 MiB machine synthesised word
 * by word (page tables with 1 GiB pages for the direct map and the
 * vmemmap, the mem_section table, and struct pages laid out as Debian's
 * 6.1 kernel has them, tests/unit/kfilter_texts.h) is filtered at several
 * dump levels; the pages left out are exactly the classes the level
 * names.  Then batches smaller than a free block, unreadable struct
 * pages, a section without a mem_map and struct pages that look misread.
 * Every run goes through windows (pagefilter_window()); one window over
 * the whole machine is the reference that windows of every size, with
 * free blocks and a compound page across their edges, must give exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "payload/pagefilter.h"
#include "tests/unit/kfilter_texts.h"
#include "tests/unit/synth_kernel.h"
#include "tests/unit/test.h"

#define DMAP		SYNTH_DMAP
#define VMEMMAP		SYNTH_VMEMMAP
#define PML4		0x1000ull
#define PAGES		0x40000000ull		/* struct pages at 1 GiB */
#define NPFN		65536ull		/* 256 MiB: two 128 MiB sections */
#define BUDDY		0xffffff7full		/* PAGE_BUDDY_MAPCOUNT_VALUE, 6.1 */
#define FILE_MAP	0xffff888012345678ull
#define ANON_MAP	(0xffff888087654320ull | 1)

static int mode;		/* 1: every page anonymous; 2: struct pages of pfns 2048.. unreadable;
			 * 3: also a free block of 1024 at 4096 and a 512-page THP at 8192 */
static int section1_present;

/* One word of pfn's struct page (64 bytes; offsets of the 6.1 text). */
static uint64_t page_word(uint64_t pfn, unsigned off)
{
	uint64_t flags = 0, mapping = 0, priv = 0;
	uint32_t mapcount = 0xffffffffu;

	if (mode == 1) {
		flags = 1ull << 4;
		mapping = ANON_MAP;
	} else if (mode == 3 && pfn == 4096) {	/* free, order 10 */
		mapcount = BUDDY;
		priv = 10;
	} else if (mode == 3 && pfn == 8192) {	/* a THP's head: user, order 9 */
		flags = 1ull << 4 | 1ull << 16;
		mapping = ANON_MAP;
	} else if (mode == 3 && pfn > 8192 && pfn < 8192 + 512) {	/* its tails */
		if (off == 8)
			return VMEMMAP + 8192 * 64 + 1;
		if (off == 16 && pfn == 8193)
			return 9 << 8;			/* compound_order */
		return off == 48 ? 0xffffffffu : 0;
	} else if (pfn == 32) {			/* a free block of 32 pages */
		mapcount = BUDDY;
		priv = 5;
	} else if (pfn >= 64 && pfn < 1024) {
		switch (pfn % 4) {
		case 0: flags = 1ull << 4; mapping = FILE_MAP; break;	/* page cache */
		case 1: flags = 1ull << 4; mapping = ANON_MAP; break;	/* user */
		case 3: mapcount = BUDDY; break;			/* free, order 0 */
		}
	}
	switch (off) {
	case 0: return flags;
	case 24: return mapping;
	case 40: return priv;
	case 48: return mapcount;
	default: return 0;
	}
}

static uint64_t synth_word(uint64_t pa)
{
	uint64_t w;

	if (synth_pgtable_word(PML4, PAGES, 1, pa, &w) ||
	    synth_sections_word(section1_present ? 2 : 1, pa, &w))
		return w;
	if (pa >= PAGES && pa < PAGES + NPFN * 64)
		return page_word((pa - PAGES) / 64, (unsigned)((pa - PAGES) % 64));
	return 0;
}

static uint64_t block_bytes;	/* bytes read of the struct pages of pfns 4098..5119 */

static int synth_read(void *ctx, uint64_t paddr, void *buf, size_t len)
{
	uint8_t *out = buf;

	(void)ctx;
	for (uint64_t a = paddr; a < paddr + len; a++)
		block_bytes += a >= PAGES + 4098 * 64 && a < PAGES + 5120 * 64;
	if (mode == 2 && paddr + len > PAGES + 2048 * 64 && paddr < PAGES + NPFN * 64)
		return -EIO;
	synth_bytes(synth_word, paddr, out, len);
	return 0;
}

static struct kinfo ki;
static struct kpgtable pt;
static struct pagefilter pf;
static uint8_t bm1[NPFN / 8], bm2[NPFN / 8], buf[PAGEFILTER_BUF];

static int bit(const uint8_t *bm, uint64_t pfn)
{
	return (bm[pfn >> 3] >> (pfn & 7)) & 1;
}

static void setup(void)
{
	char text[8192];

	snprintf(text, sizeof(text), "%sSYMBOL(mem_section)=%llx\n", KFILTER_TEXT_6_1,
		 (unsigned long long)(DMAP + SYNTH_ROOTS));
	memcpy(strstr(text, "SYMBOL(mem_section)="), "SYMBOL(mem_sectioX)=", 20);
	CHECK(kinfo_read(text, strlen(text), &ki) == NULL);
	CHECK_EQ(kpgtable_init(&pt, &ki, synth_read, NULL), 0);
	pt.root = PML4;
	memset(bm1, 0xff, sizeof(bm1));
	bm1[0] &= (uint8_t)~(1u << 5);	/* a hole at pfn 5 */
	memcpy(bm2, bm1, sizeof(bm2));
	mode = 0;
	section1_present = 1;
}


/*
 * bm2 from bm1 at level, in windows of win pfns (copied out and back bit
 * by bit, so windows need not start on a byte), with a buffer of buflen:
 * NULL or the reason; the walk's totals in *st.
 */
static const char *run(unsigned level, uint64_t win, size_t buflen, struct pagefilter_stats *st)
{
	static uint8_t tmp[NPFN / 8 + 1];
	const char *why;

	memcpy(bm2, bm1, sizeof(bm2));
	memset(st, 0, sizeof(*st));
	why = pagefilter_init(&pf, &ki, &pt, level, NPFN, buf, buflen);
	for (uint64_t p0 = 0; why == NULL && p0 < NPFN; p0 += win) {
		uint64_t n = NPFN - p0 < win ? NPFN - p0 : win;

		memset(tmp, 0, sizeof(tmp));
		for (uint64_t i = 0; i < n; i++)
			if (bit(bm2, p0 + i))
				tmp[i >> 3] |= (uint8_t)(1u << (i & 7));
		why = pagefilter_window(&pf, p0, p0 + n, tmp);
		for (uint64_t i = 0; i < n; i++)
			if (!((tmp[i >> 3] >> (i & 7)) & 1))
				bm2[(p0 + i) >> 3] &= (uint8_t)~(1u << ((p0 + i) & 7));
	}
	if (why)
		return why;
	*st = pf.st;
	return pagefilter_finish(&pf);
}

/* The pages of [lo, hi) whose 2nd-bitmap bit is clear. */
static uint64_t cleared(uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;

	for (uint64_t p = lo; p < hi; p++)
		n += (uint64_t)(bit(bm1, p) && !bit(bm2, p));
	return n;
}

TEST(level_31_leaves_out_free_cache_and_user)
{
	struct pagefilter_stats st;

	setup();
	CHECK(run(31, NPFN, sizeof(buf), &st) == NULL);
	CHECK_EQ(cleared(32, 64), 32);			/* the free block, whole */
	CHECK_EQ(cleared(64, 1024), 720);		/* cache, user, free; not other */
	CHECK(bit(bm2, 66));				/* pfn % 4 == 2: kept */
	CHECK(!bit(bm2, 64) && !bit(bm2, 65) && !bit(bm2, 67));
	CHECK_EQ(cleared(0, 32) + cleared(1024, NPFN), 0);
	CHECK_EQ(st.left_out, 752);
	CHECK_EQ(st.counts[PAGECLASS_FREE], 32 + 240);
	CHECK_EQ(st.counts[PAGECLASS_CACHE], 240);
	CHECK_EQ(st.counts[PAGECLASS_USER], 240);
	CHECK_EQ(st.pages, NPFN - 1);
	CHECK(!bit(bm2, 5) && !bit(bm1, 5));	/* a hole stays a hole */
}

TEST(lower_levels_leave_out_less)
{
	struct pagefilter_stats st;

	setup();
	CHECK(run(16, NPFN, sizeof(buf), &st) == NULL);
	CHECK_EQ(st.left_out, 32 + 240);
	CHECK(bit(bm2, 64) && bit(bm2, 65) && !bit(bm2, 67));
	setup();
	CHECK(run(8, NPFN, sizeof(buf), &st) == NULL);
	CHECK_EQ(st.left_out, 240);
	CHECK(!bit(bm2, 65) && bit(bm2, 64));
	setup();
	CHECK(run(1, NPFN, sizeof(buf), &st) == NULL);
	CHECK_EQ(st.left_out, 0);
	CHECK(memcmp(bm1, bm2, sizeof(bm1)) == 0);
}

TEST(small_batches_and_blocks_across_them)
{
	struct pagefilter_stats st;

	setup();
	/* Three struct pages a read: the 32-page free block spans many batches. */
	CHECK(run(31, NPFN, 3 * 64, &st) == NULL);
	CHECK_EQ(cleared(32, 64), 32);
	CHECK_EQ(st.left_out, 752);
	CHECK(st.reads > 1000);
	setup();
	CHECK_STR(run(31, NPFN, 64, &st),
		  "the buffer holds fewer than two struct pages");
}

TEST(holes_and_unreadable_struct_pages_are_kept)
{
	struct pagefilter_stats st;

	setup();
	section1_present = 0;
	CHECK(run(31, NPFN, sizeof(buf), &st) == NULL);
	CHECK_EQ(st.no_struct_page, 32768);
	CHECK_EQ(cleared(32768, NPFN), 0);
	setup();
	mode = 2;
	CHECK(run(31, NPFN, 16 * 64, &st) == NULL);
	CHECK(st.unreadable >= NPFN - 2048 - 16);
	CHECK_EQ(cleared(2048, NPFN), 0);
	CHECK_EQ(cleared(32, 64), 32);
}

TEST(misread_struct_pages_end_filtering)
{
	struct pagefilter_stats st;

	setup();
	mode = 1;	/* every page anonymous: nothing kept, no free page */
	CHECK(run(31, NPFN, sizeof(buf), &st) != NULL);
	CHECK_STR(pagefilter_init(&pf, NULL, &pt, 31, NPFN, buf, sizeof(buf)),
		  "no layout, page tables or buffer");
}

static bool same_stats(const struct pagefilter_stats *a, const struct pagefilter_stats *b)
{
	return memcmp(a->counts, b->counts, sizeof(a->counts)) == 0 && a->pages == b->pages &&
	       a->left_out == b->left_out && a->no_struct_page == b->no_struct_page &&
	       a->unreadable == b->unreadable;
}

/* Windows of every size give what one window over the machine gives. */
TEST(windows_give_the_whole_machine_result)
{
	static const uint64_t wins[] = { 8, 13, 24, 40, 100, 1000, 1024, 4000, 4608, 32776 };
	static uint8_t whole[NPFN / 8];
	struct pagefilter_stats ref, st;
	static const unsigned levels[] = { 31, 16, 8, 2 };

	for (int m = 0; m <= 3; m += 3)
		for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
			setup();
			mode = m;
			CHECK(run(levels[l], NPFN, sizeof(buf), &ref) == NULL);
			memcpy(whole, bm2, sizeof(whole));
			for (size_t i = 0; i < sizeof(wins) / sizeof(wins[0]); i++) {
				CHECK(run(levels[l], wins[i], sizeof(buf), &st) == NULL);
				CHECK(memcmp(whole, bm2, sizeof(whole)) == 0);
				CHECK(same_stats(&ref, &st));
			}
		}
	/* The blocks across the edges: windows of 100 cut the free block of
	 * 1024 at 4096 ten times and the THP at 8192 five times. */
	setup();
	mode = 3;
	CHECK(run(31, 100, sizeof(buf), &st) == NULL);
	CHECK_EQ(cleared(4096, 5120), 1024);
	CHECK_EQ(cleared(8192, 8704), 512);
	CHECK(bit(bm2, 5120) && bit(bm2, 8704) && bit(bm2, 4095));
	CHECK_EQ(st.counts[PAGECLASS_USER], 240 + 512);
	CHECK_EQ(st.counts[PAGECLASS_FREE], 32 + 240 + 1024);
	/* At level 16 the THP stays, its tails counted as tails. */
	CHECK(run(16, 100, sizeof(buf), &st) == NULL);
	CHECK_EQ(cleared(8192, 8704), 0);
	CHECK_EQ(st.counts[PAGECLASS_TAIL], 511);
	/* Unreadable struct pages: windows a multiple of the batch (8 here)
	 * give the same pages kept. */
	setup();
	mode = 2;
	CHECK(run(31, NPFN, 16 * 64, &ref) == NULL);
	memcpy(whole, bm2, sizeof(whole));
	for (uint64_t win = 8; win <= 4096; win *= 8) {
		CHECK(run(31, win, 16 * 64, &st) == NULL);
		CHECK(memcmp(whole, bm2, sizeof(whole)) == 0);
		CHECK(same_stats(&ref, &st));
	}
}

TEST(windows_out_of_order)
{
	static uint8_t bits[128];

	setup();
	CHECK(pagefilter_init(&pf, &ki, &pt, 31, NPFN, buf, sizeof(buf)) == NULL);
	memset(bits, 0xff, sizeof(bits));
	CHECK_STR(pagefilter_window(&pf, 1024, 2048, bits), "a window out of order or past the machine");
	CHECK(pagefilter_window(&pf, 0, 1024, bits) == NULL);
	CHECK_STR(pagefilter_window(&pf, 0 + 2048, 3072, bits),
		  "a window out of order or past the machine");
	CHECK(pagefilter_window(&pf, 1024, 1024, bits) == NULL);	/* empty, in order */
	CHECK_STR(pagefilter_window(&pf, 1024, NPFN + 1, bits),
		  "a window out of order or past the machine");
	CHECK(pagefilter_window(&pf, 0, 1024, bits) == NULL);		/* a new walk */
	CHECK_STR(pagefilter_window(NULL, 0, 1024, bits), "no filter state or bitmap");
	CHECK_STR(pagefilter_init(&pf, &ki, &pt, 31, NPFN, buf, 64),
		  "the buffer holds fewer than two struct pages");
}

/* A free block's head is probed alone (2 struct pages): the rest of the
 * block's struct pages are never read. */
TEST(free_blocks_cost_one_small_read)
{
	struct pagefilter_stats st;

	setup();
	mode = 3;
	block_bytes = 0;
	CHECK(run(31, NPFN, sizeof(buf), &st) == NULL);
	CHECK_EQ(cleared(4096, 5120), 1024);
	CHECK_EQ(block_bytes, 0);
	mode = 0;			/* kept pages there: the whole batch is read */
	CHECK(run(31, NPFN, sizeof(buf), &st) == NULL);
	CHECK(block_bytes >= 1022 * 64);
}

TEST_MAIN(level_31_leaves_out_free_cache_and_user, lower_levels_leave_out_less,
	  small_batches_and_blocks_across_them, holes_and_unreadable_struct_pages_are_kept,
	  misread_struct_pages_end_filtering, windows_give_the_whole_machine_result,
	  windows_out_of_order, free_blocks_cost_one_small_read)
