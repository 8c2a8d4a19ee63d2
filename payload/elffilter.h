/*
 * elffilter: the ELF core's plan (formats/elfcore.h) with the dump level
 * applied, as `makedumpfile -E -d N` writes it.  A page the level leaves
 * out is treated like an all-zero page of the zero-skipping planner: a run
 * of at least the planner's threshold becomes the zero tail of the PT_LOAD
 * before it (p_filesz < p_memsz: not in the file, read as zeros) and the
 * next page kept starts a new PT_LOAD; shorter runs are written with their
 * bytes.  makedumpfile -E does the same with a threshold of 256 pages
 * (PFN_EXCLUDED); filtering here starts at ELFFILTER_RUN_PAGES, 1 (a
 * program header costs 56 bytes, a page 4096: every left-out page stays
 * out while the table has room), for zero runs as well.  The program
 * headers keep describing all the memory, so crash, gdb and makedumpfile
 * (re-filtering, --dump-dmesg) read the file as any vmcore; a left-out
 * page reads as zeros.
 *
 * The program header table stays bounded: the planner's table is the
 * caller's (max_segs), and when it fills, the threshold is raised and
 * neighbouring segments merged (formats/elfcore.h), so some left-out
 * pages are written rather than the table grown; elffilter_split()
 * reports the threshold it ended with.
 *
 * The 2nd bitmap is never whole: the ranges are planned in their order
 * and the bitmap recomputed a window at a time, windows that follow one
 * another from pfn 0 (what payload/pagefilter.h's walk wants): the
 * window's bits come in as the pages the ranges touch and the window
 * callback clears those the level leaves out.  A range behind the current
 * window starts a new walk from pfn 0 (kexec-tools' elfcorehdr puts the
 * kernel text's PT_LOAD, inside RAM, before the RAM ones: one restart), at
 * most ELFFILTER_RESTARTS_MAX times; the last walk is taken on to the
 * ranges' end, so its totals are the whole machine's.  Left-out pages are
 * never read by the plan (a poisoned page must not be).
 *
 * Two levels of interface:
 *   elffilter_split()  pure planning with any window callback (the unit
 *                      tests give it a synthetic 2nd bitmap).
 *   elffilter_plan()   the dump: VMCOREINFO (formats/kinfo), the dead
 *                      kernel's page tables and struct pages
 *                      (payload/pagefilter) as the callback, and the kdump
 *                      path's fallback: when the level cannot be applied
 *                      (no VMCOREINFO, a refused layout, a bad mem_section,
 *                      totals that look misread), the plan is made again
 *                      without it, every page kept, and the level recorded
 *                      is level & 1, with why saying which.
 *
 * Memory: struct elffilter (about 100 KiB), the caller's, whatever the
 * machine's size.  Pure: no globals, no printing, no allocation.
 */
#ifndef PAYLOAD_ELFFILTER_H
#define PAYLOAD_ELFFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/dumpplan.h"
#include "formats/elfcore.h"
#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "payload/kdumpfile.h"
#include "payload/pagefilter.h"

#define ELFFILTER_WINDOW_PFNS	KDUMPFILE_WINDOW_PFNS
#define ELFFILTER_WINDOW_BYTES	KDUMPFILE_WINDOW_BYTES
#define ELFFILTER_RUN_PAGES	1	/* the planner's first threshold when filtering */
#define ELFFILTER_RESTARTS_MAX	16	/* new walks from pfn 0 for ranges out of order */

/*
 * The 2nd bitmap of pfns [pfn0, pfn1): bit i (pfn0 + i) comes in set for
 * every page a range touches; clear those left out.  NULL, or why the
 * level cannot be applied (the walk stops).
 */
typedef const char *(*elffilter_window_fn)(void *ctx, uint64_t pfn0, uint64_t pfn1, uint8_t *bits);

struct elffilter_counts {
	uint64_t pages;		/* pages (or parts) the ranges hold */
	uint64_t left_out;	/* of them, cleared by the window callback */
	uint64_t zero;		/* of the rest, read as zero by the zero scan */
	uint64_t windows;	/* windows computed */
	uint64_t restarts;	/* walks begun again at pfn 0 */
};

/* pfns a walk over the ranges covers: the last range's end, in pages rounded up. */
uint64_t elffilter_max_pfn(const struct dumpplan_range *r, size_t n);

/*
 * Feed the n ranges through the planner s (elfcore_split_init()ed; its
 * threshold must not be 0, or nothing would be left out): a page whose
 * bit the window callback cleared is a chunk "not in the file" without
 * being read; any other page is asked of zero->is_zero (zero NULL: it is
 * data).  bits is the caller's window, bits_len bytes (windows of 8 *
 * bits_len pfns).  Returns 0 (the caller then calls elfcore_layout());
 * -ECANCELED when the callback gave a reason, or the ranges needed more
 * than ELFFILTER_RESTARTS_MAX new walks (*why says which; the plan is then
 * unusable: make it again without the level); the planner's and the zero
 * scan's errors otherwise.
 */
int elffilter_split(struct elfcore_split *s, const struct dumpplan_range *r, size_t n,
		    elffilter_window_fn window, void *ctx, const struct elfcore_zero_scan *zero,
		    uint8_t *bits, size_t bits_len, struct elffilter_counts *c, const char **why);

struct elffilter {
	/* elffilter_plan()'s results */
	unsigned level;			/* asked for */
	unsigned level_recorded;	/* applied: level, or level & 1 */
	bool filtered;			/* the struct pages decided */
	const char *why;		/* why they could not (NULL: they did, or level <= 1) */
	struct pagefilter_stats st;	/* the walk's classification */
	struct elffilter_counts c;	/* of the plan that was kept */
	size_t nsegs;
	uint64_t min_run;		/* the planner's final threshold, pages (0: no cuts) */
	/* working state */
	struct kinfo ki;
	struct kpgtable pt;
	struct pagefilter pf;
	uint8_t window[ELFFILTER_WINDOW_BYTES];
	uint8_t fbuf[PAGEFILTER_BUF];
};

/*
 * Plan the ELF core's segments into segs[0..max_segs) at dump level
 * level: the struct pages read through read_phys(ctx) when level names
 * more than zero pages and vmcoreinfo is there.  zero: the zero-page
 * scan (NULL: zero pages are written, pm.zero=keep; filtering cuts at
 * left-out runs from ELFFILTER_RUN_PAGES on all the same).  Sets ef's
 * results; the caller then builds the notes (the level recorded goes in
 * them) and calls elfcore_layout(segs, ef->nsegs, ...).  Returns 0 or the
 * planner's error (formats/elfcore.h).
 */
int elffilter_plan(struct elffilter *ef, const struct dumpplan_range *r, size_t n, unsigned level,
		   const char *vmcoreinfo, size_t vmcoreinfo_len, kpgtable_read_fn read_phys,
		   void *ctx, const struct elfcore_zero_scan *zero, struct elfcore_segment *segs,
		   size_t max_segs);

/* "ELF level 31: left out N of M pages (free ..., ...); runs under K pages
 * written", "ELF level 31: not filtering (WHY): every page kept, dump level
 * 1 recorded" or "ELF level 1: every page kept (zero pages ...)". */
void elffilter_level_line(const struct elffilter *ef, char *buf, size_t len);

#endif
