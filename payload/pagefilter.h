/*
 * pagefilter: the dump level applied to a whole machine.  Starting from
 * the 2nd bitmap of a kdump-compressed dump (formats/diskdump.h) equal to
 * the 1st (every page that exists), clear the bits of the pages the dump
 * level leaves out, deciding from the crashed kernel's own struct pages:
 * formats/kinfo.h (layout), formats/kpgtable.h (its page tables),
 * formats/memsect.h (pfn to struct page), formats/pageclass.h (the class).
 *
 * struct pages are read a batch at a time (as many as buf holds, within
 * one section: the vmemmap is contiguous there), so a 1 GiB machine costs
 * a few hundred reads.  A section without a mem_map, or struct pages that
 * cannot be read, keep their pages (counted).  A free block or a left-out
 * compound page is cleared whole (its nr_pages) and skipped.
 *
 * Hostile input: every read is bounded by the walker; a result that looks
 * misread (pageclass_implausible(): no free page in a large machine,
 * nothing kept, more pages than exist) ends with a reason and the caller
 * must keep every page (copy the 1st bitmap back).  Nothing here leaves
 * out a page that the level does not name, except poisoned and offline
 * pages, which no level reads (formats/pageclass.h; makedumpfile does
 * the same).
 *
 * Pure: no globals, no printing, no allocation.
 */
#ifndef PAYLOAD_PAGEFILTER_H
#define PAYLOAD_PAGEFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "formats/pageclass.h"

struct pagefilter_stats {
	uint64_t counts[PAGECLASS_COUNT];	/* pages per class */
	uint64_t pages;				/* pages in the 1st bitmap */
	uint64_t left_out;			/* bits cleared */
	uint64_t no_struct_page;		/* kept: section without a mem_map */
	uint64_t unreadable;			/* kept: struct page not readable */
	uint64_t reads;				/* batched struct page reads */
};

/* buf must hold at least two struct pages; PAGEFILTER_BUF is a good size. */
#define PAGEFILTER_BUF	(256u << 10)

const char *pagefilter_run(const struct kinfo *ki, const struct kpgtable *pt, unsigned dump_level,
			   uint64_t max_pfn, const uint8_t *bitmap1, uint8_t *bitmap2, void *buf,
			   size_t buflen, struct pagefilter_stats *st);

#endif
