/*
 * Host tests for formats/pageclass.c: synthetic struct pages of every
 * class in the Debian 6.1 layout (PG_slab flag, ~PG_x page types,
 * compound_dtor/compound_order in the first tail page), the 6.6 layout
 * (PG_hugetlb in the first tail's flags) and the 6.12 layout (PGTY << 24
 * page types, order in the first tail's flags); the keep table for the
 * dump levels; the plausibility check over totals.
 */
#include <errno.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/pageclass.h"
#include "tests/unit/kfilter_texts.h"
#include "tests/unit/test.h"

static struct kinfo k61, k612;

struct spage {
	uint64_t flags;
	uint64_t mapping;
	uint64_t priv;
	uint64_t head;
	uint32_t mapcount;
};

#define FILE_MAPPING	0xffff888012345678ull	/* an address_space */
#define ANON_MAPPING	(0xffff888087654320ull | 1)

static void put(const struct kinfo *ki, uint8_t *b, const struct spage *s)
{
	memset(b, 0, 64);
	test_put64(b + ki->v[KINFO_OFF_FLAGS], s->flags);
	test_put64(b + ki->v[KINFO_OFF_MAPPING], s->mapping);
	test_put64(b + ki->v[KINFO_OFF_PRIVATE], s->priv);
	test_put64(b + ki->v[KINFO_OFF_COMPOUND_HEAD], s->head);
	test_put32(b + ki->v[KINFO_OFF_MAPCOUNT], s->mapcount);
}

/* Class of a page (and its first tail, unless next is NULL) at pfn. */
static struct pageclass_result classify(const struct kinfo *ki, uint64_t pfn,
					const struct spage *s, const uint8_t *next)
{
	uint8_t b[64];
	struct pageclass_result r = { PAGECLASS_COUNT, 99, 99 };

	put(ki, b, s);
	CHECK_EQ(pageclass_classify(ki, pfn, b, next, &r), 0);
	return r;
}

static enum pageclass cls(const struct kinfo *ki, const struct spage *s)
{
	return classify(ki, 0, s, NULL).cls;
}

static void load(void)
{
	CHECK(kinfo_read(KFILTER_TEXT_6_1, strlen(KFILTER_TEXT_6_1), &k61) == NULL);
	CHECK(kinfo_read(KFILTER_TEXT_6_12, strlen(KFILTER_TEXT_6_12), &k612) == NULL);
}

#define B(n)	(1ull << (n))
#define NONE	0xffffffffu		/* _mapcount -1: no type, not mapped */

TEST(debian_6_1_single_pages)
{
	struct pageclass_result r;

	load();
	CHECK_EQ(cls(&k61, &(struct spage){ 0, 0, 0, 0, NONE }), PAGECLASS_OTHER);
	r = classify(&k61, 8, &(struct spage){ 0, 0, 3, 0, 0xffffff7f }, NULL);
	CHECK_EQ(r.cls, PAGECLASS_FREE);
	CHECK_EQ(r.order, 3);
	CHECK_EQ(r.nr_pages, 8);
	r = classify(&k61, 9, &(struct spage){ 0, 0, 3, 0, 0xffffff7f }, NULL);
	CHECK_EQ(r.cls, PAGECLASS_FREE);		/* misaligned: this page only */
	CHECK_EQ(r.nr_pages, 1);
	r = classify(&k61, 0, &(struct spage){ 0, 0, 11, 0, 0xffffff7f }, NULL);
	CHECK_EQ(r.cls, PAGECLASS_OTHER);		/* order past LENGTH(zone.free_area) */
	CHECK_EQ(r.nr_pages, 1);
	CHECK_EQ(cls(&k61, &(struct spage){ 0, 0, 0, 0, 0xffffff7e }), PAGECLASS_OTHER);
	CHECK_EQ(cls(&k61, &(struct spage){ B(9), 0, 0, 0, 0xffffff7f }), PAGECLASS_SLAB);
	CHECK_EQ(cls(&k61, &(struct spage){ B(9), 0, 0, 0, 0xfffffeff }), PAGECLASS_SLAB);
	CHECK_EQ(cls(&k61, &(struct spage){ B(9), ANON_MAPPING, 0, 0, NONE }), PAGECLASS_SLAB);
	CHECK_EQ(cls(&k61, &(struct spage){ 0, 0, 0, 0, 0xfffffeff }), PAGECLASS_OFFLINE);
	CHECK_EQ(cls(&k61, &(struct spage){ B(23) | B(4), FILE_MAPPING, 0, 0, NONE }),
		 PAGECLASS_HWPOISON);
	CHECK_EQ(cls(&k61, &(struct spage){ B(23), 0, 0, 0, 0xffffff7f }), PAGECLASS_HWPOISON);
	CHECK_EQ(cls(&k61, &(struct spage){ B(4), FILE_MAPPING, 0, 0, NONE }), PAGECLASS_CACHE);
	CHECK_EQ(cls(&k61, &(struct spage){ B(4) | B(13), FILE_MAPPING, 0, 0, 0 }),
		 PAGECLASS_CACHE_PRIVATE);
	/* swap cache: PG_swapcache counts only with PG_swapbacked */
	CHECK_EQ(cls(&k61, &(struct spage){ B(10) | B(19), FILE_MAPPING, 0, 0, NONE }),
		 PAGECLASS_CACHE);
	CHECK_EQ(cls(&k61, &(struct spage){ B(10), FILE_MAPPING, 0, 0, NONE }), PAGECLASS_OTHER);
	CHECK_EQ(cls(&k61, &(struct spage){ B(4), ANON_MAPPING, 0, 0, 0 }), PAGECLASS_USER);
	CHECK_EQ(cls(&k61, &(struct spage){ B(4) | B(10) | B(19), ANON_MAPPING, 0, 0, 0 }),
		 PAGECLASS_USER);
	CHECK_EQ(cls(&k61, &(struct spage){ B(4), FILE_MAPPING | 3, 0, 0, 0 }),
		 PAGECLASS_USER);				/* KSM */
	CHECK_EQ(cls(&k61, &(struct spage){ 0, FILE_MAPPING | 2, 0, 0, NONE }),
		 PAGECLASS_OTHER);				/* movable, not anon */
	r = classify(&k61, 0, &(struct spage){ B(4), ANON_MAPPING, 0, 0xffffea0000001001ull, 0 },
		     NULL);
	CHECK_EQ(r.cls, PAGECLASS_TAIL);
	CHECK_EQ(r.nr_pages, 1);
}

TEST(debian_6_1_compound_pages)
{
	uint8_t next[64];
	struct pageclass_result r;
	const struct spage thp = { B(16) | B(4), ANON_MAPPING, 0, 0, 0 };
	const struct spage huge = { B(16), FILE_MAPPING, 0, 0, NONE };

	load();
	put(&k61, next, &(struct spage){ 0, 0, 0, 0xffffea0000000001ull, NONE });
	next[17] = 9;					/* compound_order */
	next[16] = 3;					/* TRANSHUGE_PAGE_DTOR */
	r = classify(&k61, 512, &thp, next);
	CHECK_EQ(r.cls, PAGECLASS_USER);
	CHECK_EQ(r.order, 9);
	CHECK_EQ(r.nr_pages, 512);
	CHECK_EQ(classify(&k61, 512, &thp, NULL).nr_pages, 1);	/* no tail to read */
	CHECK_EQ(classify(&k61, 513, &thp, next).nr_pages, 1);	/* misaligned */
	next[16] = 2;					/* HUGETLB_PAGE_DTOR */
	r = classify(&k61, 1024, &huge, next);
	CHECK_EQ(r.cls, PAGECLASS_HUGETLB);
	CHECK_EQ(r.nr_pages, 512);
	next[16] = 1;					/* COMPOUND_PAGE_DTOR */
	r = classify(&k61, 1024, &huge, next);
	CHECK_EQ(r.cls, PAGECLASS_OTHER);
	CHECK_EQ(r.nr_pages, 512);
	next[17] = 255;					/* impossible order */
	CHECK_EQ(classify(&k61, 0, &huge, next).nr_pages, 1);
	next[17] = 35;					/* past MAX_PHYSMEM_BITS */
	CHECK_EQ(classify(&k61, 0, &huge, next).nr_pages, 1);
	next[17] = 20;					/* more than a 1 GiB page */
	CHECK_EQ(classify(&k61, 0, &huge, next).nr_pages, 1);
	next[17] = 18;					/* a 1 GiB hugetlb page */
	CHECK_EQ(classify(&k61, 0, &huge, next).nr_pages, 1u << 18);
	/* a "first tail" that is not a tail page says nothing of the order */
	put(&k61, next, &(struct spage){ 0, 0, 0, 0, NONE });
	next[17] = 9;
	CHECK_EQ(classify(&k61, 512, &thp, next).nr_pages, 1);
	put(&k61, next, &(struct spage){ 0, 0, 0, 0xffffea0000000001ull, NONE });
	/* a poisoned tail is poisoned, whatever its head is */
	CHECK_EQ(cls(&k61, &(struct spage){ B(23), 0, 0, 0xffffea0000001001ull, NONE }),
		 PAGECLASS_HWPOISON);
	/* a poisoned head covers itself only: its tails are judged one by one */
	r = classify(&k61, 512, &(struct spage){ B(16) | B(23), ANON_MAPPING, 0, 0, 0 }, next);
	CHECK_EQ(r.cls, PAGECLASS_HWPOISON);
	CHECK_EQ(r.nr_pages, 1);
	/* a compound slab keeps its pages together */
	next[17] = 2;
	r = classify(&k61, 4, &(struct spage){ B(16) | B(9), 0, 0, 0, NONE }, next);
	CHECK_EQ(r.cls, PAGECLASS_SLAB);
	CHECK_EQ(r.nr_pages, 4);
}

TEST(linux_6_6_pg_hugetlb_in_first_tail)
{
	static struct kinfo k66;
	uint8_t next[64];

	load();
	k66 = k61;
	k66.have &= ~(1ull << KINFO_OFF_COMPOUND_DTOR | 1ull << KINFO_OFF_COMPOUND_ORDER |
		      1ull << KINFO_HUGETLB_PAGE_DTOR);
	k66.v[KINFO_PG_HUGETLB] = 24;
	k66.have |= 1ull << KINFO_PG_HUGETLB;
	CHECK(kinfo_check(&k66) == NULL);
	put(&k66, next, &(struct spage){ B(24) | 9, 0, 0, 0xffffea0000000001ull, NONE });
	CHECK_EQ(classify(&k66, 512, &(struct spage){ B(16), FILE_MAPPING, 0, 0, NONE }, next).cls,
		 PAGECLASS_HUGETLB);
	CHECK_EQ(classify(&k66, 512, &(struct spage){ B(16), FILE_MAPPING, 0, 0, NONE }, next)
		 .nr_pages, 512);
	put(&k66, next, &(struct spage){ 9, 0, 0, 0xffffea0000000001ull, NONE });
	CHECK_EQ(classify(&k66, 512, &(struct spage){ B(16), FILE_MAPPING, 0, 0, NONE }, next).cls,
		 PAGECLASS_OTHER);
}

TEST(linux_6_12_page_types)
{
	uint8_t next[64];
	struct pageclass_result r;

	load();
	r = classify(&k612, 4, &(struct spage){ 0, 0, 2, 0, 0xf0000000u }, NULL);
	CHECK_EQ(r.cls, PAGECLASS_FREE);
	CHECK_EQ(r.nr_pages, 4);
	/* only the top byte names the type */
	CHECK_EQ(cls(&k612, &(struct spage){ 0, 0, 0, 0, 0xf0000123u }), PAGECLASS_FREE);
	CHECK_EQ(cls(&k612, &(struct spage){ 0, 0, 0, 0, 0xf5000000u }), PAGECLASS_SLAB);
	CHECK_EQ(cls(&k612, &(struct spage){ 0, ANON_MAPPING, 0, 0, 0xf5000000u }),
		 PAGECLASS_SLAB);
	CHECK_EQ(cls(&k612, &(struct spage){ 0, 0, 0, 0, 0xf1000000u }), PAGECLASS_OFFLINE);
	CHECK_EQ(cls(&k612, &(struct spage){ 0, 0, 0, 0, 0xf2000000u }), PAGECLASS_OTHER);
	CHECK_EQ(cls(&k612, &(struct spage){ 0, 0, 0, 0, 0xf3000000u }), PAGECLASS_OTHER);
	CHECK_EQ(cls(&k612, &(struct spage){ B(21), 0, 0, 0, NONE }), PAGECLASS_HWPOISON);
	CHECK_EQ(cls(&k612, &(struct spage){ B(5), FILE_MAPPING, 0, 0, NONE }), PAGECLASS_CACHE);
	CHECK_EQ(cls(&k612, &(struct spage){ B(5) | B(14), FILE_MAPPING, 0, 0, NONE }),
		 PAGECLASS_CACHE_PRIVATE);
	CHECK_EQ(cls(&k612, &(struct spage){ B(10) | B(17), FILE_MAPPING, 0, 0, NONE }),
		 PAGECLASS_CACHE);
	CHECK_EQ(cls(&k612, &(struct spage){ B(5), ANON_MAPPING, 0, 0, 0 }), PAGECLASS_USER);
	/* 6.1's bits mean something else here */
	CHECK_EQ(cls(&k612, &(struct spage){ B(9), ANON_MAPPING, 0, 0, 0 }), PAGECLASS_USER);
	r = classify(&k612, 1024, &(struct spage){ 0, 0, 0, 0, 0xf7000000u }, NULL);
	CHECK_EQ(r.cls, PAGECLASS_UNACCEPTED);
	CHECK_EQ(r.nr_pages, 1024);
	CHECK_EQ(classify(&k612, 5, &(struct spage){ 0, 0, 0, 0, 0xf7000000u }, NULL).nr_pages, 1);
	put(&k612, next, &(struct spage){ 9, 0, 0, 0xffffea0000000001ull, NONE });
	r = classify(&k612, 512, &(struct spage){ B(6), FILE_MAPPING, 0, 0, 0xf4000000u }, next);
	CHECK_EQ(r.cls, PAGECLASS_HUGETLB);
	CHECK_EQ(r.nr_pages, 512);
	put(&k612, next, &(struct spage){ 4, 0, 0, 0xffffea0000000001ull, NONE });
	r = classify(&k612, 16, &(struct spage){ B(6) | B(5), ANON_MAPPING, 0, 0, 0 }, next);
	CHECK_EQ(r.cls, PAGECLASS_USER);
	CHECK_EQ(r.nr_pages, 16);
	CHECK_EQ(classify(&k612, 16, &(struct spage){ 0, 0, 0, 0xffffea0000000401ull, 0 }, NULL)
		 .cls, PAGECLASS_TAIL);
}

TEST(keep_follows_the_dump_level_bits)
{
	unsigned level;

	for (level = 0; level <= 31; level++) {
		CHECK(pageclass_keep(PAGECLASS_OTHER, level));
		CHECK(pageclass_keep(PAGECLASS_SLAB, level));
		CHECK(pageclass_keep(PAGECLASS_TAIL, level));
		CHECK(!pageclass_keep(PAGECLASS_HWPOISON, level));
		CHECK(!pageclass_keep(PAGECLASS_OFFLINE, level));
		CHECK_EQ(pageclass_keep(PAGECLASS_FREE, level), !(level & 16));
		CHECK_EQ(pageclass_keep(PAGECLASS_UNACCEPTED, level), !(level & 16));
		CHECK_EQ(pageclass_keep(PAGECLASS_CACHE, level), !(level & 6));
		CHECK_EQ(pageclass_keep(PAGECLASS_CACHE_PRIVATE, level), !(level & 4));
		CHECK_EQ(pageclass_keep(PAGECLASS_USER, level), !(level & 8));
		CHECK_EQ(pageclass_keep(PAGECLASS_HUGETLB, level), !(level & 8));
	}
	CHECK(pageclass_keep(PAGECLASS_COUNT, 31));
	CHECK_STR(pageclass_name(PAGECLASS_CACHE_PRIVATE), "cache-private");
	CHECK_STR(pageclass_name(PAGECLASS_TAIL), "tail");
	CHECK_STR(pageclass_name(PAGECLASS_COUNT), "?");
}

TEST(implausible_totals_end_filtering)
{
	uint64_t c[PAGECLASS_COUNT] = { 0 };

	c[PAGECLASS_OTHER] = 100000;
	c[PAGECLASS_FREE] = 50000;
	c[PAGECLASS_USER] = 10000;
	CHECK(pageclass_implausible(c, 262144) == NULL);
	CHECK(pageclass_implausible(c, 160000) == NULL);
	CHECK(pageclass_implausible(c, 159999) != NULL);	/* more than memory */
	c[PAGECLASS_FREE] = 0;
	CHECK(strstr(pageclass_implausible(c, 262144), "no free page") != NULL);
	c[PAGECLASS_OTHER] = 4000;
	c[PAGECLASS_USER] = 0;
	CHECK(pageclass_implausible(c, PAGECLASS_PLAUSIBLE_MIN) == NULL);	/* tiny: fine */
	c[PAGECLASS_FREE] = 50000;
	c[PAGECLASS_OTHER] = 0;
	CHECK(strstr(pageclass_implausible(c, 262144), "every page") != NULL);
	c[PAGECLASS_OTHER] = ~0ull;
	CHECK(pageclass_implausible(c, ~0ull) != NULL);		/* sum wraps */
	CHECK(pageclass_implausible(NULL, 1) != NULL);
}

TEST(null_arguments_are_refused)
{
	uint8_t b[64] = { 0 };
	struct pageclass_result r;

	load();
	CHECK_EQ(pageclass_classify(NULL, 0, b, NULL, &r), -EINVAL);
	CHECK_EQ(pageclass_classify(&k61, 0, NULL, NULL, &r), -EINVAL);
	CHECK_EQ(pageclass_classify(&k61, 0, b, NULL, NULL), -EINVAL);
}

TEST_MAIN(debian_6_1_single_pages, debian_6_1_compound_pages, linux_6_6_pg_hugetlb_in_first_tail,
	  linux_6_12_page_types, keep_follows_the_dump_level_bits,
	  implausible_totals_end_filtering, null_arguments_are_refused)
