/*
 * elfcore: the dump file postmortem writes, an ELF64 ET_CORE file in the
 * /proc/vmcore shape (REFERENCE B2) that readelf, gdb, makedumpfile and
 * crash read, planned so the kernel can stream it without ever holding it.
 *
 *   +0                 Elf64_Ehdr      ET_CORE, EM_X86_64, e_phoff 64
 *   +64                Elf64_Phdr      PT_NOTE: all notes, merged
 *   +120               Elf64_Phdr      PT_LOAD per segment, in range order
 *   ...                zero padding to the next 4 KiB
 *   notes_offset       the notes       (CPU NT_PRSTATUS, VMCOREINFO, ours)
 *   ...                zero padding
 *   segment data       each segment's bytes at a file offset congruent to
 *                      its p_paddr modulo 4 KiB (so page-aligned memory is
 *                      page-aligned in the file and can be mmap()ed, as
 *                      Linux's /proc/vmcore arranges it), one after another
 *
 * All-zero memory costs no file space.  A segment is [data][zero tail]:
 * p_filesz bytes in the file, then p_memsz - p_filesz bytes that readers
 * take as zero (ELF gABI: "the extra bytes ... hold the value 0").  A range
 * is cut where a run of at least min_run_pages all-zero pages follows data:
 * the run becomes the zero tail of the segment before it and the next data
 * starts a new segment.  A range that starts with such a run gets a segment
 * with p_filesz 0; zero bytes at the very end of a range always go into the
 * last tail, whatever their length.  Shorter runs are written as data: a
 * cut costs a program header (56 bytes) and, on the serial stream, nothing
 * else, so 16 pages (64 KiB) keeps the table small without writing much.
 *
 * Why a read-only first pass.  The file's header (the number of segments)
 * comes first in the file, and every segment's file offset depends on all
 * the cuts before it, so the cuts must be known before the first byte goes
 * out; the serial HEADER frame and the disk dump header want the file size
 * up front too, and a sequential file lets the SHA-256 run as it is
 * written.  So the kernel plans in a first pass that only reads memory
 * (elfcore_split_range() asks an is_zero callback about each 4 KiB page),
 * then writes in a second.  The first pass is cheap next to any output: a
 * page that holds data is recognised at its first non-zero word, so only
 * zero pages are read in full, at memory speed, while the output runs at
 * disk or UART speed.  Memory of the dead system does not change between
 * the passes unless a device still DMAs into it; such a page, zero in pass
 * 1, is described as zero.  pm.zero=keep (min_run_pages 0) skips pass 1:
 * one segment per range, p_filesz == p_memsz.
 *
 * Bounded table.  segs[] is the caller's (max_segs entries).  When a cut
 * needs an entry and none is left, the planner raises its threshold (at
 * least doubling it, and at least past the shortest tail it can merge) and
 * merges neighbouring segments of the same range whose zero tail is now too
 * short, turning those tails back into file bytes; so any memory fits as
 * long as max_segs >= the number of ranges, and the final threshold says
 * what was kept.  More ranges than entries is -ENOSPC.
 *
 * Input ranges are formats/dumpplan.h's struct dumpplan_range (start, size,
 * read_from, vaddr), as dumpplan_finish() leaves them: read_from differs
 * from start only for kexec-tools' backup region (formats/elfcorehdr.h), and
 * vaddr 0 means unknown (every segment cut from such a range gets 0).
 *
 * Interface, writer (kernel, and the test generators):
 *   1. Build the notes blob with elfcore_note_put(): the crashed kernel's
 *      notes one by one (walk its PT_NOTE buffers with
 *      elfcorehdr_note_next() and put each note again), never its buffers
 *      whole, since their zero terminators and padding would end a
 *      reader's walk early (Linux's /proc/vmcore trims them the same way).
 *   2. elfcore_plan() over the ranges: segments with file offsets, and
 *      the file size.  Or, to put the threshold the plan ended with into
 *      the postmortem note: elfcore_split_init(), elfcore_split_range()
 *      per range, elfcore_split_min_run(), build the notes, then
 *      elfcore_layout() (the notes' length only moves file offsets).
 *   3. Walk elfcore_piece_next(), writing elfcore_headers() (whole, or a
 *      window at a time with elfcore_headers_part()),
 *      zero gaps, the notes, each segment's bytes (read from its
 *      read_from address), in file order, covering [0, file_size) exactly.
 * Reader (tools, tests; also over damaged files): elfcore_read() checks the
 * ELF header and the table's bounds; elfcore_load_next() and
 * elfcore_note_next() iterate; elfcore_find_paddr() maps a physical
 * address to file bytes or zero fill.  Wire structs, ELF constants and the
 * note walker come from formats/elf64.h: one definition of ELF for the
 * whole tree.
 *
 * Pure module: no globals, no I/O, no allocation; builds unchanged into
 * the kernel, build/postmortem and the tests.  Every sum is checked for
 * wrapping.  Errors: -EINVAL for bad arguments (NULL, size 0, a chunk past
 * the range); -EOVERFLOW when an address or file offset would pass 2^64;
 * -ENOSPC when the table or a buffer is too small; -E2BIG for more segments
 * than ELF can number; -ENOEXEC / -EBADMSG for a file that is not one of
 * ours or is malformed; -ENOENT for "not there" / "no more".
 */
#ifndef FORMATS_ELFCORE_H
#define FORMATS_ELFCORE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/dumpplan.h"
#include "formats/elfcorehdr.h"

#define ELFCORE_PAGE_SIZE	4096u
#define ELFCORE_ZERO_RUN_DEFAULT 16u	/* pages: 64 KiB (pm.zero=skip) */
/* e_phnum is 16 bits and 0xffff means "see section 0": PT_NOTE + loads. */
#define ELFCORE_MAX_SEGMENTS	(0xfffeu - 1u)
/* makedumpfile's DUMP_ELF_INCOMPLETE in e_flags (REFERENCE B3). */
#define ELFCORE_EF_INCOMPLETE	0x1u

/*
 * Our own note: name "POSTMORTEM", desc ASCII "KEY=value\n" lines (as
 * VMCOREINFO; read them with elfcorehdr_vmcoreinfo_get()).  The type stays
 * clear of the small numbers readelf and gdb decode as core notes whatever
 * the name (type 1 would print as NT_PRSTATUS).
 */
#define ELFCORE_NOTE_NAME_PM	"POSTMORTEM"
#define ELFCORE_NT_PM_INFO	0x504d0001u	/* "PM" 0x0001: unused by readelf/gdb */

/* One PT_LOAD of the plan (and of a file, from elfcore_load_next()). */
struct elfcore_segment {
	uint64_t paddr;
	uint64_t vaddr;		/* 0 when the range's was unknown */
	uint64_t read_from;	/* writer: read filesz bytes from here */
	uint64_t memsz;
	uint64_t filesz;	/* <= memsz; the rest reads as zero */
	uint64_t file_offset;	/* set by elfcore_layout() */
	size_t range;		/* writer: index of its range; reader: phdr index */
};

/* ------------------------------------------------------------ planning */

/*
 * Zero skipping.  is_zero(ctx, read_from, len) returns 1 when the len
 * bytes at read_from are all zero, 0 when not, or a negative errno to stop
 * the plan (which then returns it).  len <= ELFCORE_PAGE_SIZE; chunks
 * follow 4 KiB boundaries of paddr, so only a range's first and last chunk
 * can be short.  min_run_pages 0 means keep every byte (pm.zero=keep) and
 * is_zero is never called.
 */
struct elfcore_zero_scan {
	uint64_t min_run_pages;
	int (*is_zero)(void *ctx, uint64_t read_from, uint64_t len);
	void *ctx;
};

/* The planner's state; fields are private to elfcore.c but for reading. */
struct elfcore_split {
	struct elfcore_segment *segs;
	size_t max_segs;
	size_t nsegs;		/* the open segment, if any, is segs[nsegs-1] */
	uint64_t run_bytes;	/* current threshold in bytes; 0: keep all */
	uint64_t raised;	/* times the threshold was raised to fit */
	bool open;		/* a range is between begin and end */
	uint64_t left;		/* bytes of the open range not yet fed */
	uint64_t pending;	/* zero bytes fed after the open segment's data */
};

/* Start a plan into segs[0..max_segs) (capped at ELFCORE_MAX_SEGMENTS). */
void elfcore_split_init(struct elfcore_split *s, struct elfcore_segment *segs,
			size_t max_segs, uint64_t min_run_pages);

/*
 * Feed one range by hand: begin, then chunks that add up to r->size
 * (each all zero or not; any length), then end.  index is stored in each
 * segment's range field.  Returns 0; -EINVAL for a zero-size range, begin
 * while a range is open, a chunk past the range or end before all of it;
 * -EOVERFLOW when paddr, vaddr or read_from + size passes 2^64; -ENOSPC
 * when no entry can be freed (see above).  On error the plan is unusable.
 */
int elfcore_split_begin(struct elfcore_split *s, const struct dumpplan_range *r, size_t index);
int elfcore_split_chunk(struct elfcore_split *s, uint64_t len, bool zero);
int elfcore_split_end(struct elfcore_split *s);

/* One whole range through z->is_zero (z NULL or min_run_pages 0: keep). */
int elfcore_split_range(struct elfcore_split *s, const struct dumpplan_range *r,
			size_t index, const struct elfcore_zero_scan *z);

/* The threshold in pages the plan ended with (0: keep). */
uint64_t elfcore_split_min_run(const struct elfcore_split *s);

/*
 * Give each segment its file offset (layout above) for a notes blob of
 * notes_len bytes, and the file size.  Returns 0; -E2BIG when nsegs >
 * ELFCORE_MAX_SEGMENTS; -EINVAL for filesz > memsz; -EOVERFLOW when the
 * file would pass 2^64 bytes.
 */
int elfcore_layout(struct elfcore_segment *segs, size_t nsegs, size_t notes_len,
		   uint64_t *file_size);

/*
 * The whole plan: each of the n ranges through elfcore_split_range() with
 * zero (NULL: keep everything), then elfcore_layout().  *nsegs and
 * *file_size are set on success only.  Errors as above.
 */
int elfcore_plan(const struct dumpplan_range *r, size_t n, size_t notes_len,
		 const struct elfcore_zero_scan *zero, struct elfcore_segment *segs,
		 size_t max_segs, size_t *nsegs, uint64_t *file_size);

/* ------------------------------------------------------------- writing */

/* Bytes of Ehdr + phdrs for nsegs segments; 0 when nsegs is too many. */
size_t elfcore_headers_size(size_t nsegs);

/* File offset of the notes for nsegs segments (0 when too many). */
uint64_t elfcore_notes_offset(size_t nsegs);

/*
 * Write the Ehdr and program headers of a laid-out plan into out (cap
 * bytes); *len = elfcore_headers_size(nsegs).  PT_LOADs get flags RWX and
 * p_align 0 as /proc/vmcore's.  Returns 0; -ENOSPC when cap is short;
 * -E2BIG as elfcore_layout(); -EINVAL for a segment elfcore_layout() would
 * not have produced (filesz > memsz, data before the notes' end, a wrap).
 */
int elfcore_headers(const struct elfcore_segment *segs, size_t nsegs, size_t notes_len,
		    void *out, size_t cap, size_t *len);

/*
 * The same bytes, a window at a time: write header bytes [offset, offset +
 * len) into out, so a kernel can send a large program-header table through
 * a small I/O buffer.  Segments are checked as their headers are written
 * (a refused window may be partly written).  Returns 0; -EINVAL when the
 * window passes elfcore_headers_size() or a segment in it is refused;
 * -E2BIG as above.
 */
int elfcore_headers_part(const struct elfcore_segment *segs, size_t nsegs, size_t notes_len,
			 uint64_t offset, void *out, size_t len);

#define ELFCORE_PIECE_HEADERS	1	/* elfcore_headers()' bytes */
#define ELFCORE_PIECE_ZERO	2	/* len zero bytes */
#define ELFCORE_PIECE_NOTES	3	/* the notes blob */
#define ELFCORE_PIECE_SEGMENT	4	/* segs[seg]: len bytes from read_from */

struct elfcore_piece {
	int kind;		/* ELFCORE_PIECE_* */
	uint64_t offset;	/* in the file */
	uint64_t len;		/* > 0 */
	size_t seg;		/* SEGMENT: index into segs */
	uint64_t read_from;	/* SEGMENT: physical address of the bytes */
};

/*
 * The next piece of the file in order (start with *cursor = 0): the
 * pieces are contiguous and cover [0, file_size) of elfcore_layout()
 * exactly.  Returns 0 and *out; -ENOENT after the last; -EINVAL for NULL
 * arguments or segments out of file order.
 */
int elfcore_piece_next(const struct elfcore_segment *segs, size_t nsegs, size_t notes_len,
		       size_t *cursor, struct elfcore_piece *out);

/*
 * Append one ELF note (name with its NUL, desc, each padded to 4) at
 * buf + *used, where cap is buf's size, and advance *used.  name may be
 * "" (n_namesz 1) but not NULL; desc may be NULL when desclen is 0.
 * Returns 0; -ENOSPC (nothing written) when it does not fit; -EOVERFLOW
 * when a size does not fit the note header; -EINVAL for NULL arguments or
 * *used > cap.
 */
int elfcore_note_put(void *buf, size_t cap, const char *name, uint32_t type,
		     const void *desc, size_t desclen, size_t *used);

/* ------------------------------------------------------------- reading */

struct elfcore_info {
	const uint8_t *file;	/* the caller's bytes, which must outlive this */
	size_t len;
	uint64_t phoff;
	uint16_t phnum;
	uint32_t e_flags;
	bool incomplete;	/* e_flags has ELFCORE_EF_INCOMPLETE */
	size_t load_count;	/* PT_LOADs */
	size_t note_count;	/* PT_NOTEs */
	bool truncated;		/* some PT_LOAD/PT_NOTE's bytes pass len */
	uint64_t mem_bytes;	/* sum of p_memsz (saturates at 2^64-1) */
	uint64_t file_bytes;	/* sum of p_filesz (saturates) */
};

/*
 * Check an ELF core file in file[0..len): at least an Ehdr's 64 bytes,
 * the e_ident, ET_CORE, EM_X86_64 (else -ENOEXEC), e_phentsize 56, e_phnum not PN_XNUM, the table after
 * the Ehdr and inside len; each PT_LOAD with filesz <= memsz and no wrap of
 * [paddr, +memsz) or [offset, +filesz), each PT_NOTE's [offset, +filesz)
 * without wrap (else -EBADMSG).  Data past len is allowed (truncated set):
 * the reader hands out only what is there.  Returns 0 and *out; on error
 * *out is zeroed (its file pointer NULL), so no iterator can use it.
 */
int elfcore_read(const void *file, size_t len, struct elfcore_info *out);

/*
 * The next PT_LOAD at or after program header *cursor (start at 0); range
 * holds its program header's index.  Returns 0; -ENOENT at the end.
 */
int elfcore_load_next(const struct elfcore_info *info, size_t *cursor,
		      struct elfcore_segment *out);

struct elfcore_note_cursor {
	size_t phdr;		/* program header being walked; start 0 */
	size_t off;		/* offset inside its notes; start 0 */
};

/*
 * The next note of any PT_NOTE (formats/elfcorehdr.h's struct; pointers
 * into info->file, offset relative to that PT_NOTE).  Returns 0; -ENOENT
 * at the end; -EBADMSG for a malformed note or a PT_NOTE cut short by the
 * file's end, after which the cursor has moved on to the next PT_NOTE, so
 * a caller may keep walking.
 */
int elfcore_note_next(const struct elfcore_info *info, struct elfcore_note_cursor *c,
		      struct elfcorehdr_note *out);

#define ELFCORE_WHERE_FILE	1	/* bytes at file_offset in the file */
#define ELFCORE_WHERE_ZERO	2	/* zero fill (a tail: not in the file) */

struct elfcore_where {
	int kind;		/* ELFCORE_WHERE_* */
	uint64_t file_offset;	/* FILE: offset of paddr's byte */
	uint64_t avail;		/* bytes from paddr on with the same answer */
	size_t phdr;		/* index of the PT_LOAD that holds paddr */
};

/*
 * Where the first PT_LOAD (in table order) that holds paddr keeps its
 * byte.  Returns 0; -ENOENT when no PT_LOAD describes paddr; -ENODATA when
 * one does but the file ends before that byte (out still says where).
 */
int elfcore_find_paddr(const struct elfcore_info *info, uint64_t paddr,
		       struct elfcore_where *out);

/*
 * Set ELFCORE_EF_INCOMPLETE in the e_flags of an ELF64 file's header
 * (for a partial file rebuilt by a tool).  Returns 0; -ENOEXEC when the
 * first 64 bytes are not an ELF64 little-endian header.
 */
int elfcore_mark_incomplete(void *file, size_t len);

#endif
