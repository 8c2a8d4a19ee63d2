/*
 * The dump as makedumpfile's kdump-compressed file (dump.format=kdump, the
 * default; the same bytes to every target), filtered at dump.level= (docs/kdump-format.md, docs/filtering.md).
 *
 * Interface: kdump_run() is called by the dump with the open sink, the
 * planned ranges (struct dumpplan_range: bytes of [start, start+size)
 * read from read_from), the notes buffer (ELF notes: VMCOREINFO and the
 * NT_PRSTATUS notes) and the level.  It returns false, having written
 * nothing and printed one line why, when the file cannot be written here
 * (no ranges; the layout fails), or
 * when memory changed between the passes (the started file is marked
 * FAILED first): the caller writes the ELF core instead.  Else it writes
 * the whole file (sink begin, write, finish or abort; a partition too
 * small gets a file whose header says DISKDUMP_INCOMPLETE), puts the final
 * line in summary and returns true.
 *
 * payload/kdumpfile runs it: the 1st bitmap marks every page the ranges
 * touch (a partial page's missing part reads as zero); the 2nd is the 1st
 * with what the level leaves out cleared by payload/pagefilter, reading
 * the crashed kernel's struct pages only inside the ranges
 * (kernel/physread.h).  Neither bitmap is kept: each walk recomputes a
 * window of 2^18 pfns (32 KiB, 1 GiB of memory) at a time, so the memory
 * is one static struct kdumpfile (about 110 KiB) for a machine of any
 * size.  When the struct pages cannot be classified (no VMCOREINFO, a
 * layout refused, a bad mem_section, a result that looks misread) one
 * line says why and every page is kept at level & 1.  The file size is
 * known before begin() from a measuring run of the descriptor pass, so
 * the pages are compressed three times (dump.compress=, kernel/kcompress.h).
 */
#ifndef KERNEL_KDUMP_H
#define KERNEL_KDUMP_H

#include <stdbool.h>
#include <stddef.h>

#include "formats/dumpplan.h"
#include "kernel/dumpsink.h"

bool kdump_run(struct dumpsink *sink, const struct dumpplan_range *ranges, size_t n,
	       const void *notes, size_t notes_len, unsigned level, char *summary, size_t len);

#endif
