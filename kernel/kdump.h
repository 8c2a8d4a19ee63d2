/*
 * The dump as makedumpfile's kdump-compressed file (dump.format=kdump, the
 * default; the same bytes to every target), filtered at dump.level= (docs/kdump-format.md, docs/filtering.md).
 *
 * Interface: kdump_run() is called by the dump with the open sink, the
 * planned ranges (struct dumpplan_range: bytes of [start, start+size)
 * read from read_from), the notes buffer (ELF notes: VMCOREINFO and the
 * NT_PRSTATUS notes) and the level.  It returns false, having written
 * nothing and printed one line why, when the file cannot be written here
 * (the machine needs bitmaps larger than KDUMP_BITMAP_MAX; the layout
 * fails), or when memory changed
 * between the passes (the started file is marked FAILED first): the
 * caller writes the ELF core instead.  Else it writes the whole file (sink
 * begin, write, finish or abort; a partition too small gets a file whose
 * header says DISKDUMP_INCOMPLETE), puts the final line in summary and
 * returns true.
 *
 * The 1st bitmap marks every page the ranges touch (a partial page's
 * missing part reads as zero); the 2nd starts equal and payload/pagefilter
 * clears what the level leaves out, reading the crashed kernel's struct
 * pages only inside the ranges (kernel/physread.h).  The file size is
 * known before begin() from a dry run of the descriptor pass, so the pages
 * are compressed three times (LZO1X-1, Debian's liblzo2).
 */
#ifndef KERNEL_KDUMP_H
#define KERNEL_KDUMP_H

#include <stdbool.h>
#include <stddef.h>

#include "formats/dumpplan.h"
#include "kernel/dumpsink.h"

/* Bytes of each bitmap: 256 KiB covers physical addresses below 8 GiB. */
#define KDUMP_BITMAP_MAX	(256u << 10)

bool kdump_run(struct dumpsink *sink, const struct dumpplan_range *ranges, size_t n,
	       const void *notes, size_t notes_len, unsigned level, char *summary, size_t len);

#endif
