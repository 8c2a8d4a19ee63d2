/*
 * pageclass: sort one of the crashed kernel's struct pages into the
 * classes a kdump-style dump level leaves out (makedumpfile's -d bits),
 * using only the struct page bytes and the layout facts in a checked
 * struct kinfo (formats/kinfo.h).  docs/filtering.md lists the classes and
 * the keys that decide them.
 *
 * Interface.  pageclass_classify() takes the pfn, the SIZE(page) bytes of
 * its struct page and, when the caller has it, the next pfn's struct page
 * (a compound head keeps its order and, up to 6.5, its destructor in the
 * first tail page).  It fills a struct pageclass_result: the class and
 * how many pages from pfn on share the decision (nr_pages: 2^order for a
 * free buddy block, the unaccepted block, or a compound page's head; else
 * 1), so a caller that leaves them out can skip them at once.  A caller
 * that keeps them classifies every page on (a tail page's PG_hwpoison is
 * its own: such a tail is PAGECLASS_HWPOISON and must not be read).  A
 * compound tail page otherwise gets PAGECLASS_TAIL: the caller applies
 * its head's decision (normally it has already skipped it as part of the
 * head's nr_pages), else keeps it.
 * pageclass_keep() says whether a class stays in the dump at a dump level
 * (the -d bits below); bit 1 (zero pages) is decided by the page's
 * content, not its class, and is the caller's.  pageclass_implausible()
 * judges totals after a pass, so a misread mem_map (wrong layout, hostile
 * values) ends filtering instead of dropping real data.
 *
 * Decision order (makedumpfile's, with hwpoison and offline first, as
 * they are left out at every level and a poisoned page must not be read):
 * tail, hwpoison, offline, free (buddy), unaccepted, slab (kept), page
 * cache without / with private data, user (anonymous), hugetlb, other.
 *
 * Pure: no globals, no printing, no allocation; input read with memcpy.
 */
#ifndef FORMATS_PAGECLASS_H
#define FORMATS_PAGECLASS_H

#include <stdbool.h>
#include <stdint.h>

#include "formats/kinfo.h"

/* Dump level bits (makedumpfile -d). */
#define PAGECLASS_DL_ZERO		1
#define PAGECLASS_DL_CACHE		2
#define PAGECLASS_DL_CACHE_PRIVATE	4
#define PAGECLASS_DL_USER		8
#define PAGECLASS_DL_FREE		16
#define PAGECLASS_DL_ALL		31

#define PAGECLASS_MAPPING_ANON		0x1ull	/* PAGE_MAPPING_ANON */

enum pageclass {
	PAGECLASS_OTHER,		/* kernel data and anything unknown: kept */
	PAGECLASS_FREE,			/* buddy allocator's free block: -d 16 */
	PAGECLASS_UNACCEPTED,		/* unaccepted memory (TDX/SEV-SNP): -d 16 */
	PAGECLASS_CACHE,		/* page cache, no private data: -d 2 or 4 */
	PAGECLASS_CACHE_PRIVATE,	/* page cache with PG_private: -d 4 */
	PAGECLASS_USER,			/* anonymous user memory: -d 8 */
	PAGECLASS_HUGETLB,		/* hugetlbfs page: -d 8 */
	PAGECLASS_SLAB,			/* slab: kept */
	PAGECLASS_HWPOISON,		/* memory failure: always left out */
	PAGECLASS_OFFLINE,		/* logically offline (balloon, virtio-mem): always out */
	PAGECLASS_TAIL,			/* compound tail: follows its head */
	PAGECLASS_COUNT
};

struct pageclass_result {
	enum pageclass cls;
	unsigned order;			/* nr_pages = 1 << order */
	uint64_t nr_pages;
};

/*
 * Classify pfn's struct page.  page (and next, unless NULL) must hold
 * ki->v[KINFO_SIZE_PAGE] bytes.  ki must have passed kinfo_check().
 * Returns 0; -EINVAL for NULL ki, page or out.
 */
int pageclass_classify(const struct kinfo *ki, uint64_t pfn, const void *page,
		       const void *next, struct pageclass_result *out);

/* True when a page of class cls stays in a dump at dump_level. */
bool pageclass_keep(enum pageclass cls, unsigned dump_level);

/* "free", "cache", ... for messages and tests. */
const char *pageclass_name(enum pageclass cls);

/*
 * NULL when page counts per class (counts[PAGECLASS_COUNT], pages, not
 * struct pages looked at) over total_pages of memory look like a real
 * kernel's; otherwise why not (more pages classified than exist, no free
 * page at all in more than PAGECLASS_PLAUSIBLE_MIN pages, nothing kept).
 */
#define PAGECLASS_PLAUSIBLE_MIN	4096	/* 16 MiB */
const char *pageclass_implausible(const uint64_t counts[PAGECLASS_COUNT],
				  uint64_t total_pages);

#endif
