/*
 * kdumpfile: the whole kdump-compressed dump (formats/diskdump.h) of a
 * machine of any size, in memory that does not grow with it.  The crash
 * kernel (kernel/kdump.c, from memory) and `postmortem compress`
 * (tools/compress.c, from an ELF vmcore) both run it; they give the
 * memory, the compressor and the output as callbacks.
 *
 * Bitmaps in windows: neither bitmap is ever held whole.  Each time the
 * writer walks one, a window of KDUMPFILE_WINDOW_PFNS pfns (32 KiB of
 * bitmap, 1 GiB of memory) is recomputed: the 1st bitmap from the ranges
 * (every page they touch), the 2nd from the 1st with payload/pagefilter
 * applied to that window (the struct pages read again).  The 2nd bitmap
 * is therefore computed five times (the plan, the sizing pass, begin(),
 * the descriptor pass, the data pass; one fewer without the sizing pass,
 * and one fewer in one pass); the writer checks every walk gave
 * the same bits (-ESTALE, like a page that changed).  2^18 pfns: a
 * window is a whole number of pagefilter batches and of sections, so the
 * result is the whole-machine one; 1 TiB is 1024 windows; and 32 KiB
 * keeps the crash kernel's image small.
 *
 * Sequence:
 *   kdumpfile_plan()   the ranges' extent (max_mapnr) and one walk of
 *                      every window: the pages that exist and, at a level
 *                      above 1, the struct pages classified (VMCOREINFO:
 *                      formats/kinfo; page tables read through read_phys).
 *                      When classification cannot run (no VMCOREINFO, a
 *                      layout refused, a bad mem_section, totals that look
 *                      misread) every page is kept and the level recorded
 *                      is level & 1 (zero pages stored as one shared page);
 *                      why says which.
 *   kdumpfile_write()  with dst->begin: the size begin() gets before the
 *                      first byte.  When dst->room says the target takes
 *                      the file's upper bound (every kept page stored raw:
 *                      kdumpfile_bound()) with its real size recorded at the
 *                      end, begin() gets that bound and no page is read for
 *                      it; otherwise a measuring pass (every kept page
 *                      compressed, nothing written) gives the exact size.
 *                      Then the file: header, bitmaps, descriptor pass,
 *                      zero page, data pass, end check; the same bytes
 *                      either way.  With dst->out.seekable (a target
 *                      written at any offset) the descriptor and data
 *                      passes are one (diskdump_single(): each page read
 *                      and compressed once), the same bytes again, never
 *                      more than the size begin() was told.  Errors are
 *                      diskdump's (-ESTALE: memory changed between
 *                      passes).
 *   kdumpfile_bound()  the most the file can be (no page read).
 *   kdumpfile_level_line()  the one line saying what the level did.
 *
 * Memory: struct kdumpfile is all of it (about 110 KiB: the 32 KiB window,
 * the 64 KiB struct-page buffer, one page, the writer's descriptor block
 * and compression buffer), the caller's, whatever the machine's size.
 * Pure: no globals, no printing, no allocation.
 */
#ifndef PAYLOAD_KDUMPFILE_H
#define PAYLOAD_KDUMPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/diskdump.h"
#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "payload/pagefilter.h"

#define KDUMPFILE_WINDOW_PFNS	(1u << 18)
#define KDUMPFILE_WINDOW_BYTES	(KDUMPFILE_WINDOW_PFNS / 8)

struct kdumpfile_src {
	/* The memory as ranges of physical addresses (any order, may
	 * overlap): 0 with the range at *cursor (which it advances), or
	 * non-zero after the last.  *cursor starts at 0. */
	int (*range_next)(void *ctx, size_t *cursor, uint64_t *start, uint64_t *size);
	/* Page pfn's DISKDUMP_BLOCK bytes into page (what no range holds:
	 * zeros).  A pass reads each page as the others do. */
	void (*read_page)(void *ctx, uint64_t pfn, void *page);
	/* The crashed machine's physical memory, for its page tables and
	 * struct pages (formats/kpgtable.h); NULL: no filtering. */
	kpgtable_read_fn read_phys;
	/* A pass over the pages starts (NULL: nothing to do). */
	void (*rewind)(void *ctx);
	/* Pages read so far, over every pass (NULL: not told). */
	void (*progress)(void *ctx, uint64_t pages);
	void *ctx;
};

struct kdumpfile_dst {
	/* out.seekable: one pass over the pages (the sink takes writes at
	 * any offset, formats/diskdump.h); else in order, two passes. */
	struct diskdump_out out;
	/* NULL, or: the file's size before the first byte (kf->bound: an
	 * upper bound, the real size is kf->size once written); it may add
	 * DISKDUMP_INCOMPLETE to *status (a target too small).  Non-zero:
	 * nothing is written and kdumpfile_write() returns it. */
	int (*begin)(void *ctx, uint64_t size, uint32_t *status);
	void *ctx;
	/* NULL, or: the largest file the target takes when begin() gets an
	 * upper bound and the real size is recorded at the end (a target
	 * with random access to its own headers: the dump partition, a FAT
	 * volume); 0 when it needs the exact size first (serial frames). */
	uint64_t (*room)(void *ctx);
	/* NULL, or the one pass's batches and their runner (another CPU
	 * compresses them: formats/diskdump.h struct diskdump_offload). */
	const struct diskdump_offload *off;
};

struct kdumpfile {
	/* kdumpfile_plan() */
	uint64_t max_mapnr;		/* pfns the bitmaps cover */
	uint64_t present;		/* pages in the 1st bitmap */
	uint64_t pages;			/* pages in the 2nd: the file's */
	unsigned level;			/* asked for */
	unsigned level_recorded;	/* in the file: level, or level & 1 */
	bool filtered;			/* the struct pages decided the 2nd bitmap */
	const char *why;		/* why they could not (NULL: they did, or level <= 1) */
	struct pagefilter_stats st;	/* the plan's classification */
	/* kdumpfile_write() */
	bool measured;			/* the size for begin() is known (measured or bound) */
	bool bound;			/* begin() got the upper bound, not a measured size */
	bool single;			/* one pass over the pages (dst->out.seekable) */
	uint64_t size;			/* bytes of the file (the bound until it is written) */
	uint64_t done;			/* pages read, every pass */
	struct diskdump_writer w;	/* compressed, stored, zero: the last pass 1 */
	/* working state */
	const struct kdumpfile_src *src;
	struct kinfo ki;
	struct kpgtable pt;
	struct pagefilter pf;
	uint8_t window[KDUMPFILE_WINDOW_BYTES];
	uint8_t fbuf[PAGEFILTER_BUF];
	uint8_t page[DISKDUMP_BLOCK];
};

/* Bytes of struct kdumpfile: all the memory a dump of any size needs. */
#define KDUMPFILE_MEMORY_MAX	(120u << 10)

/*
 * Plan the file.  src must stay valid until the write is done.  Returns
 * 0; -EINVAL (NULL arguments); -ENOENT (no memory in the ranges); -E2BIG
 * (memory past 2^52, the pfns a kdump-compressed file can name).
 */
int kdumpfile_plan(struct kdumpfile *kf, const struct kdumpfile_src *src, unsigned level,
		   const char *vmcoreinfo, size_t vmcoreinfo_len);

/*
 * Write it: info gives the header's facts (its max_mapnr and dump_level
 * are the plan's).  Returns 0 or diskdump's error (see above).
 */
int kdumpfile_write(struct kdumpfile *kf, const struct diskdump_info *info,
		    const struct kdumpfile_dst *dst);

/*
 * The largest the planned file can be (header, sub-header, bitmaps,
 * descriptors, the zero page and every kept page stored raw: a page is
 * never stored bigger), for info as kdumpfile_write() takes it; 0 when
 * diskdump refuses the layout.  Uses kf->w (a later write resets it).
 */
uint64_t kdumpfile_bound(struct kdumpfile *kf, const struct diskdump_info *info);

/* "kdump level 31: left out N of M pages (free ..., ...)", "kdump level
 * 31: not filtering (WHY): every page kept, dump level 1 recorded", or
 * "kdump level 1: every page kept (N pages; zero pages stored as one)". */
void kdumpfile_level_line(const struct kdumpfile *kf, char *buf, size_t len);

#endif
