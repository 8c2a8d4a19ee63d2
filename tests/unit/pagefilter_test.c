/*
 * Unit tests for payload/pagefilter.c: a 256 MiB machine synthesised word
 * by word (page tables with 1 GiB pages for the direct map and the
 * vmemmap, the mem_section table, and struct pages laid out as Debian's
 * 6.1 kernel has them, tests/unit/kfilter_texts.h) is filtered at several
 * dump levels; the pages left out are exactly the classes the level
 * names.  Then batches smaller than a free block, unreadable struct
 * pages, a section without a mem_map and struct pages that look misread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "payload/pagefilter.h"
#include "tests/unit/kfilter_texts.h"
#include "tests/unit/test.h"

#define DMAP		0xffff888000000000ull
#define VMEMMAP		0xffffea0000000000ull
#define PML4		0x1000ull
#define PDPT_DMAP	0x2000ull
#define PDPT_VMEMMAP	0x3000ull
#define ROOTS		0x10000ull
#define SECTIONS	0x100000ull
#define PAGES		0x40000000ull		/* struct pages at 1 GiB */
#define NPFN		65536ull		/* 256 MiB: two 128 MiB sections */
#define BUDDY		0xffffff7full		/* PAGE_BUDDY_MAPCOUNT_VALUE, 6.1 */
#define FILE_MAP	0xffff888012345678ull
#define ANON_MAP	(0xffff888087654320ull | 1)

static int mode;		/* 1: every page anonymous; 2: struct pages of pfns 2048.. unreadable */
static int section1_present;

/* One word of pfn's struct page (64 bytes; offsets of the 6.1 text). */
static uint64_t page_word(uint64_t pfn, unsigned off)
{
	uint64_t flags = 0, mapping = 0, priv = 0;
	uint32_t mapcount = 0xffffffffu;

	if (mode == 1) {
		flags = 1ull << 4;
		mapping = ANON_MAP;
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
	if (pa >= PML4 && pa < PML4 + 4096) {
		uint64_t i = (pa - PML4) / 8;

		return i == 273 ? PDPT_DMAP | KPGTABLE_PRESENT :
		       i == 468 ? PDPT_VMEMMAP | KPGTABLE_PRESENT : 0;
	}
	if (pa >= PDPT_DMAP && pa < PDPT_DMAP + 4096)
		return ((pa - PDPT_DMAP) / 8) << 30 | KPGTABLE_PS | KPGTABLE_PRESENT;
	if (pa == PDPT_VMEMMAP)
		return PAGES | KPGTABLE_PS | KPGTABLE_PRESENT;
	if (pa == ROOTS)
		return DMAP + SECTIONS;
	if (pa == SECTIONS)
		return VMEMMAP | 0x7;
	if (pa == SECTIONS + 16)
		return section1_present ? VMEMMAP | 0x7 : 0;
	if (pa >= PAGES && pa < PAGES + NPFN * 64)
		return page_word((pa - PAGES) / 64, (unsigned)((pa - PAGES) % 64));
	return 0;
}

static int synth_read(void *ctx, uint64_t paddr, void *buf, size_t len)
{
	uint8_t *out = buf;

	(void)ctx;
	if (mode == 2 && paddr + len > PAGES + 2048 * 64 && paddr < PAGES + NPFN * 64)
		return -EIO;
	for (size_t i = 0; i < len; i++) {
		uint64_t a = paddr + i;

		out[i] = (uint8_t)(synth_word(a & ~7ull) >> (8 * (a & 7)));
	}
	return 0;
}

static struct kinfo ki;
static struct kpgtable pt;
static uint8_t bm1[NPFN / 8], bm2[NPFN / 8], buf[PAGEFILTER_BUF];

static void setup(void)
{
	char text[8192];

	snprintf(text, sizeof(text), "%sSYMBOL(mem_section)=%llx\n", KFILTER_TEXT_6_1,
		 (unsigned long long)(DMAP + ROOTS));
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

static int bit(const uint8_t *bm, uint64_t pfn)
{
	return (bm[pfn >> 3] >> (pfn & 7)) & 1;
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
	CHECK(pagefilter_run(&ki, &pt, 31, NPFN, bm1, bm2, buf, sizeof(buf), &st) == NULL);
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
	CHECK(pagefilter_run(&ki, &pt, 16, NPFN, bm1, bm2, buf, sizeof(buf), &st) == NULL);
	CHECK_EQ(st.left_out, 32 + 240);
	CHECK(bit(bm2, 64) && bit(bm2, 65) && !bit(bm2, 67));
	setup();
	CHECK(pagefilter_run(&ki, &pt, 8, NPFN, bm1, bm2, buf, sizeof(buf), &st) == NULL);
	CHECK_EQ(st.left_out, 240);
	CHECK(!bit(bm2, 65) && bit(bm2, 64));
	setup();
	CHECK(pagefilter_run(&ki, &pt, 1, NPFN, bm1, bm2, buf, sizeof(buf), &st) == NULL);
	CHECK_EQ(st.left_out, 0);
	CHECK(memcmp(bm1, bm2, sizeof(bm1)) == 0);
}

TEST(small_batches_and_blocks_across_them)
{
	struct pagefilter_stats st;

	setup();
	/* Three struct pages a read: the 32-page free block spans many batches. */
	CHECK(pagefilter_run(&ki, &pt, 31, NPFN, bm1, bm2, buf, 3 * 64, &st) == NULL);
	CHECK_EQ(cleared(32, 64), 32);
	CHECK_EQ(st.left_out, 752);
	CHECK(st.reads > 1000);
	setup();
	CHECK_STR(pagefilter_run(&ki, &pt, 31, NPFN, bm1, bm2, buf, 64, &st),
		  "the buffer holds fewer than two struct pages");
}

TEST(holes_and_unreadable_struct_pages_are_kept)
{
	struct pagefilter_stats st;

	setup();
	section1_present = 0;
	CHECK(pagefilter_run(&ki, &pt, 31, NPFN, bm1, bm2, buf, sizeof(buf), &st) == NULL);
	CHECK_EQ(st.no_struct_page, 32768);
	CHECK_EQ(cleared(32768, NPFN), 0);
	setup();
	mode = 2;
	CHECK(pagefilter_run(&ki, &pt, 31, NPFN, bm1, bm2, buf, 16 * 64, &st) == NULL);
	CHECK(st.unreadable >= NPFN - 2048 - 16);
	CHECK_EQ(cleared(2048, NPFN), 0);
	CHECK_EQ(cleared(32, 64), 32);
}

TEST(misread_struct_pages_end_filtering)
{
	struct pagefilter_stats st;

	setup();
	mode = 1;	/* every page anonymous: nothing kept, no free page */
	CHECK(pagefilter_run(&ki, &pt, 31, NPFN, bm1, bm2, buf, sizeof(buf), &st) != NULL);
	CHECK_STR(pagefilter_run(NULL, &pt, 31, NPFN, bm1, bm2, buf, sizeof(buf), &st),
		  "no layout, page tables, bitmaps or buffer");
}

TEST_MAIN(level_31_leaves_out_free_cache_and_user, lower_levels_leave_out_less,
	  small_batches_and_blocks_across_them, holes_and_unreadable_struct_pages_are_kept,
	  misread_struct_pages_end_filtering)
