/*
 * pageclass: classify a crashed kernel's struct page for dump filtering.
 * formats/pageclass.h is the interface.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/le.h"
#include "formats/pageclass.h"

static bool pageclass_bit(const struct kinfo *ki, enum kinfo_key k, uint64_t flags)
{
	return kinfo_has(ki, k) && ki->v[k] < 64 && ((flags >> ki->v[k]) & 1);
}

/* _mapcount / page_type holds the page type named by a *_VALUE key. */
static bool pageclass_type(const struct kinfo *ki, enum kinfo_key k, uint32_t mapcount)
{
	uint32_t v;

	if (!kinfo_has(ki, k))
		return false;
	v = kinfo_mapcount_value(ki, k);
	if (ki->page_types)
		return (mapcount >> 24) == (v >> 24);
	return mapcount == v;
}

/* The largest compound page on x86-64: a 1 GiB hugetlb page (order 18). */
#define PAGECLASS_MAX_COMPOUND_ORDER	18

/* Order and hugetlb-ness of a compound head from its first tail page. */
static unsigned pageclass_compound(const struct kinfo *ki, uint64_t pfn, uint32_t mapcount,
				   const uint8_t *next, bool *hugetlb)
{
	uint64_t flags1 = le_get64(next + ki->v[KINFO_OFF_FLAGS]);
	unsigned order = 0, max;

	*hugetlb = false;
	if (kinfo_has(ki, KINFO_HUGETLB_VALUE)) {		/* 6.9+ */
		order = (unsigned)(flags1 & 0xff);
		*hugetlb = pageclass_type(ki, KINFO_HUGETLB_VALUE, mapcount);
	} else if (kinfo_has(ki, KINFO_PG_HUGETLB)) {		/* 6.6 - 6.8 */
		order = (unsigned)(flags1 & 0xff);
		*hugetlb = pageclass_bit(ki, KINFO_PG_HUGETLB, flags1);
	} else {						/* 4.16 - 6.5 */
		if (kinfo_has(ki, KINFO_OFF_COMPOUND_ORDER))
			order = next[ki->v[KINFO_OFF_COMPOUND_ORDER]];
		if (kinfo_has(ki, KINFO_OFF_COMPOUND_DTOR) && kinfo_has(ki, KINFO_HUGETLB_PAGE_DTOR))
			*hugetlb = next[ki->v[KINFO_OFF_COMPOUND_DTOR]] ==
				   ki->v[KINFO_HUGETLB_PAGE_DTOR];
	}
	max = (unsigned)ki->v[KINFO_MAX_PHYSMEM_BITS] - KINFO_PAGE_SHIFT;
	if (max > PAGECLASS_MAX_COMPOUND_ORDER)
		max = PAGECLASS_MAX_COMPOUND_ORDER;
	if (order > max || (pfn & ((1ull << order) - 1)) != 0)
		order = 0;		/* not an order this pfn can have */
	return order;
}

static void pageclass_set(struct pageclass_result *out, enum pageclass cls, unsigned order)
{
	out->cls = cls;
	out->order = order;
	out->nr_pages = 1ull << order;
}

int pageclass_classify(const struct kinfo *ki, uint64_t pfn, const void *page,
		       const void *next, struct pageclass_result *out)
{
	const uint8_t *p = page;
	uint64_t flags, mapping, priv, head;
	uint32_t mapcount;
	unsigned order = 0, max_free;
	bool slab, anon, hugetlb = false, cache;

	if (ki == NULL || page == NULL || out == NULL)
		return -EINVAL;
	flags = le_get64(p + ki->v[KINFO_OFF_FLAGS]);
	mapping = le_get64(p + ki->v[KINFO_OFF_MAPPING]);
	priv = le_get64(p + ki->v[KINFO_OFF_PRIVATE]);
	head = le_get64(p + ki->v[KINFO_OFF_COMPOUND_HEAD]);
	mapcount = le_get32(p + ki->v[KINFO_OFF_MAPCOUNT]);

	/* PG_hwpoison is per page, heads and tails alike: never read it */
	if (pageclass_bit(ki, KINFO_PG_HWPOISON, flags)) {
		pageclass_set(out, PAGECLASS_HWPOISON, 0);
		return 0;
	}
	if (head & 1) {
		pageclass_set(out, PAGECLASS_TAIL, 0);
		return 0;
	}
	if ((flags & ki->v[KINFO_PG_HEAD_MASK]) != 0 && next != NULL &&
	    (le_get64(next + ki->v[KINFO_OFF_COMPOUND_HEAD]) & 1) != 0)
		order = pageclass_compound(ki, pfn, mapcount, next, &hugetlb);

	slab = pageclass_bit(ki, KINFO_PG_SLAB, flags) ||
	       pageclass_type(ki, KINFO_SLAB_VALUE, mapcount);
	if (!slab && pageclass_type(ki, KINFO_OFFLINE_VALUE, mapcount)) {
		pageclass_set(out, PAGECLASS_OFFLINE, order);
		return 0;
	}
	if (!slab && pageclass_type(ki, KINFO_BUDDY_VALUE, mapcount)) {
		/* page.private holds the block's order; a bad one keeps the page */
		if (priv >= ki->v[KINFO_FREE_AREA_LEN]) {
			pageclass_set(out, PAGECLASS_OTHER, 0);
			return 0;
		}
		order = (unsigned)priv;
		pageclass_set(out, PAGECLASS_FREE,
			      (pfn & ((1ull << order) - 1)) == 0 ? order : 0);
		return 0;
	}
	if (pageclass_type(ki, KINFO_UNACCEPTED_VALUE, mapcount)) {
		/* only MAX_PAGE_ORDER blocks are left unaccepted */
		max_free = (unsigned)ki->v[KINFO_FREE_AREA_LEN] - 1;
		pageclass_set(out, PAGECLASS_UNACCEPTED,
			      (pfn & ((1ull << max_free) - 1)) == 0 ? max_free : 0);
		return 0;
	}
	if (slab) {
		pageclass_set(out, PAGECLASS_SLAB, order);
		return 0;
	}
	anon = (mapping & PAGECLASS_MAPPING_ANON) != 0;
	/* PG_swapcache means swap cache only together with PG_swapbacked */
	cache = pageclass_bit(ki, KINFO_PG_LRU, flags) ||
		(pageclass_bit(ki, KINFO_PG_SWAPBACKED, flags) &&
		 pageclass_bit(ki, KINFO_PG_SWAPCACHE, flags));
	if (cache && !anon) {
		pageclass_set(out, pageclass_bit(ki, KINFO_PG_PRIVATE, flags) ?
			      PAGECLASS_CACHE_PRIVATE : PAGECLASS_CACHE, order);
		return 0;
	}
	if (anon) {
		pageclass_set(out, PAGECLASS_USER, order);
		return 0;
	}
	pageclass_set(out, hugetlb ? PAGECLASS_HUGETLB : PAGECLASS_OTHER, order);
	return 0;
}

bool pageclass_keep(enum pageclass cls, unsigned dump_level)
{
	switch (cls) {
	case PAGECLASS_FREE:
	case PAGECLASS_UNACCEPTED:
		return !(dump_level & PAGECLASS_DL_FREE);
	case PAGECLASS_CACHE:
		return !(dump_level & (PAGECLASS_DL_CACHE | PAGECLASS_DL_CACHE_PRIVATE));
	case PAGECLASS_CACHE_PRIVATE:
		return !(dump_level & PAGECLASS_DL_CACHE_PRIVATE);
	case PAGECLASS_USER:
	case PAGECLASS_HUGETLB:
		return !(dump_level & PAGECLASS_DL_USER);
	case PAGECLASS_HWPOISON:
	case PAGECLASS_OFFLINE:
		return false;
	case PAGECLASS_OTHER:
	case PAGECLASS_SLAB:
	case PAGECLASS_TAIL:
	case PAGECLASS_COUNT:
	default:
		return true;
	}
}

const char *pageclass_name(enum pageclass cls)
{
	static const char *const names[PAGECLASS_COUNT] = {
		[PAGECLASS_OTHER] = "other",
		[PAGECLASS_FREE] = "free",
		[PAGECLASS_UNACCEPTED] = "unaccepted",
		[PAGECLASS_CACHE] = "cache",
		[PAGECLASS_CACHE_PRIVATE] = "cache-private",
		[PAGECLASS_USER] = "user",
		[PAGECLASS_HUGETLB] = "hugetlb",
		[PAGECLASS_SLAB] = "slab",
		[PAGECLASS_HWPOISON] = "hwpoison",
		[PAGECLASS_OFFLINE] = "offline",
		[PAGECLASS_TAIL] = "tail",
	};

	if ((unsigned)cls >= PAGECLASS_COUNT)
		return "?";
	return names[cls];
}

const char *pageclass_implausible(const uint64_t counts[PAGECLASS_COUNT],
				  uint64_t total_pages)
{
	uint64_t sum = 0, kept = 0;

	if (counts == NULL)
		return "no page counts";
	for (unsigned c = 0; c < PAGECLASS_COUNT; c++) {
		if (counts[c] > total_pages - sum)
			return "more pages classified than memory holds";
		sum += counts[c];
		if (pageclass_keep((enum pageclass)c, PAGECLASS_DL_ALL))
			kept += counts[c];
	}
	if (total_pages > PAGECLASS_PLAUSIBLE_MIN && counts[PAGECLASS_FREE] == 0)
		return "no free page at all: the struct pages look misread";
	if (sum > 0 && kept == 0)
		return "every page would be left out: the struct pages look misread";
	return NULL;
}
