/*
 * pagefilter: the dump level applied to a machine a window of pfns at a
 * time.  A window's bits (those of a kdump-compressed dump's 2nd bitmap,
 * formats/diskdump.h) come in marking the pages that exist and go out with
 * the bits of the pages the dump level leaves out cleared, decided from
 * the crashed kernel's own struct pages: formats/kinfo.h (layout),
 * formats/kpgtable.h (its page tables), formats/memsect.h (pfn to struct
 * page), formats/pageclass.h (the class).
 *
 * Windows: pagefilter_window() takes [pfn0, pfn1) with bit i of bits for
 * pfn0 + i.  A walk is a run of windows that follow one another from pfn
 * 0 (pfn0 == 0 starts a new walk: the totals and the carry are reset).  A
 * free block or a left-out compound page that starts in one window and
 * runs into the next is carried: the next windows clear its rest and skip
 * it, as one window over the whole machine would.  struct pages are read
 * a batch at a time (as many as buf holds, a power of two, ending on a
 * multiple of it: batches never cross a window that is a multiple of it,
 * so windows of 2^18 pfns give exactly the whole-machine result even where
 * reads fail), within one section (the vmemmap is contiguous there).  A
 * batch first reads the head and the next struct page alone: when that is
 * a left-out block (a free block, most of a dead machine) the rest of it
 * is skipped without reading.  A section without a mem_map, or struct pages
 * that cannot be read, keep their pages (counted).
 *
 * Hostile input: every read is bounded by the walker; a walk's totals that
 * look misread (pagefilter_finish(): pageclass_implausible(), no free
 * page in a large machine, nothing kept, more pages than exist) give a
 * reason and the caller must keep every page.  Nothing here leaves out a
 * page that the level does not name, except poisoned and offline pages,
 * which no level reads (formats/pageclass.h; makedumpfile does the same).
 *
 * Pure: no globals, no printing, no allocation: the state is struct
 * pagefilter, the struct-page buffer the caller's.
 */
#ifndef PAYLOAD_PAGEFILTER_H
#define PAYLOAD_PAGEFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "formats/memsect.h"
#include "formats/pageclass.h"

struct pagefilter_stats {
	uint64_t counts[PAGECLASS_COUNT];	/* pages per class */
	uint64_t pages;				/* pages in the 1st bitmap */
	uint64_t left_out;			/* bits cleared */
	uint64_t no_struct_page;		/* kept: section without a mem_map */
	uint64_t unreadable;			/* kept: struct page not readable */
	uint64_t reads;				/* batched struct page reads */
};

struct pagefilter {
	const struct kinfo *ki;
	const struct kpgtable *pt;
	struct memsect ms;
	unsigned level;
	uint64_t max_pfn;
	uint8_t *buf;
	uint64_t per_buf;		/* struct pages a batch: a power of two */
	uint64_t next_pfn;		/* where the walk's next window starts */
	uint64_t carry_end;		/* a left-out block from an earlier window ends here */
	enum pageclass carry_cls;
	uint64_t sec_nr;		/* the last section looked up (UINT64_MAX: none) */
	uint64_t sec_map;
	int sec_err;
	struct pagefilter_stats st;	/* this walk's totals */
};

/* buf must hold at least two struct pages; PAGEFILTER_BUF (1024 of 64
 * bytes and the one more a batch reads) is the size the dump uses. */
#define PAGEFILTER_BUF	((64u << 10) + 256)

/* Set pf up for a machine of max_pfn pfns; NULL, or why it cannot filter. */
const char *pagefilter_init(struct pagefilter *pf, const struct kinfo *ki,
			    const struct kpgtable *pt, unsigned dump_level, uint64_t max_pfn,
			    void *buf, size_t buflen);

/* One window of a walk (see above); NULL, or why filtering must stop. */
const char *pagefilter_window(struct pagefilter *pf, uint64_t pfn0, uint64_t pfn1, uint8_t *bits);

/* After a walk's last window: NULL, or why its totals cannot be right. */
const char *pagefilter_finish(const struct pagefilter *pf);

#endif
