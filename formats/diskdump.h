/*
 * diskdump: makedumpfile's kdump-compressed file ("KDUMP   ", header
 * version 6), the format crash, makedumpfile (re-filtering, --dump-dmesg)
 * and drgn read.  Layout, in 4096-byte blocks (docs/kdump-format.md):
 *
 *   block 0            struct diskdump_header
 *   block 1 ..         struct diskdump_sub_header, then VMCOREINFO text
 *                      and the ELF notes (sub_hdr_size blocks)
 *   bitmap_blocks      the 1st bitmap (pages that exist), then the 2nd
 *                      (pages in the file), one bit per pfn, LSB first
 *   page descriptors   struct diskdump_page_desc per 2nd-bitmap bit, in pfn
 *                      order: absolute offset, size, flags (the
 *                      compression used, 0 for a raw page)
 *   page data          a shared zero page first, then each page as stored
 *
 * Interface, in order: a sink that only appends (serial frames, a pipe,
 * an encrypting stream) can take the file.  That needs the descriptors,
 * which hold the data offsets, before the data, so the pages are seen
 * twice:
 *   diskdump_begin()   the header, the sub-header with notes and
 *                      VMCOREINFO, both bitmaps (struct diskdump_info
 *                      gives the facts; the caller counts the 2nd
 *                      bitmap's bits);
 *   diskdump_descs()   pass 1, every 2nd-bitmap page in pfn order: its
 *                      stored form is decided (all zero: the shared zero
 *                      page; else compressed by the caller's compressor,
 *                      or raw when that does not shrink it) and its
 *                      descriptor written;
 *   diskdump_data()    the shared zero page;
 *   diskdump_pages()   pass 2, the same pages again: their bytes;
 *   diskdump_end()     checks pass 2 stored exactly what pass 1 announced
 *                      (a page that changed between the passes is an
 *                      error, never a wrong descriptor).
 * out->write gets consecutive offsets from 0; a NULL write measures only
 * (nothing is produced but the pages of pass 1: lay and data_end give the
 * size a real run will write).
 *
 * Interface, in one pass (out->seekable: a target written at any offset,
 * a dump partition, a file): after begin() the descriptor area's offset
 * and size are known (one descriptor per 2nd-bitmap bit) and the data
 * starts right after it and the zero page, so
 *   diskdump_single()  walks the pages once: each page's form is decided
 *                      (compressed once), its bytes appended at the
 *                      running data offset and its descriptor put in a
 *                      block that is written at its absolute offset when
 *                      full;
 *   diskdump_end()     as above.
 * The file is the same byte for byte as the two passes give.  out->write
 * then gets, after begin()'s appends [0, descs): the data stream from
 * the first block boundary at or after the zero page (the rest of the
 * zero page, then the pages, consecutive offsets up to the file's end),
 * and, between its writes, each block of descriptors as one whole
 * DISKDUMP_BLOCK at its block-aligned offset below the stream's start;
 * the last one, when the descriptors end inside a block, at the end
 * (with the zero page's first bytes: zeros).  Every write that is not a
 * stream append is a whole aligned block, never one already written.
 * A page is read and compressed once, so no page can differ between a
 * descriptor and its bytes; the 2nd bitmap is still walked again and
 * checked against begin()'s (-ESTALE).
 *
 * Bitmaps in windows: the writer never holds a whole bitmap.  The caller's
 * producer (struct diskdump_bitmaps) fills one window of buf_bytes * 8
 * pfns at a time, in pfn order from 0, each time the writer walks a
 * bitmap: begin() writes the 1st and the 2nd, and each pass walks the 2nd
 * again to find its pages (struct diskdump_pages gives each page's bytes).
 * The 2nd bitmap must come out the same in every walk: its bit count and a
 * running hash are compared with begin()'s (-ESTALE when not), so a
 * producer that recomputes it from memory that changed is caught like a
 * page that changed.  The writer keeps one block of descriptors and a
 * compression buffer in its struct: no allocation, no globals (one pass
 * needs nothing more).
 *
 * Errors: negative errno: -EINVAL (bad arguments, a call out of turn),
 * -E2BIG (sizes past the format's fields), -ESTALE (a walk of the 2nd
 * bitmap found other bits than begin() counted, pass 2 stored other
 * bytes than pass 1 announced, or one pass would pass its size limit),
 * -EIO (a page source without the page),
 * or what write or fill returned; the first error sticks.
 */
#ifndef FORMATS_DISKDUMP_H
#define FORMATS_DISKDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISKDUMP_SIGNATURE	"KDUMP   "
#define DISKDUMP_VERSION	6
#define DISKDUMP_BLOCK		4096
#define DISKDUMP_UTS_LEN	65
#define DISKDUMP_COMPRESSED_ZLIB	0x1
#define DISKDUMP_COMPRESSED_LZO		0x2
#define DISKDUMP_COMPRESSED_SNAPPY	0x4
#define DISKDUMP_INCOMPLETE		0x8
#define DISKDUMP_COMPRESSED_ZSTD	0x20
#define DISKDUMP_COMPRESS_MAX	(DISKDUMP_BLOCK + DISKDUMP_BLOCK / 16 + 64 + 3)

struct diskdump_header {
	char signature[8];			/* 0x000 "KDUMP   " */
	int32_t header_version;			/* 0x008 6 */
	char utsname[6][DISKDUMP_UTS_LEN];	/* 0x00c sysname nodename release version machine domainname */
	uint8_t pad0[6];			/* 0x192 struct timeval's alignment */
	int64_t tv_sec;				/* 0x198 timestamp */
	int64_t tv_usec;			/* 0x1a0 */
	uint32_t status;			/* 0x1a8 DISKDUMP_COMPRESSED_* | INCOMPLETE */
	int32_t block_size;			/* 0x1ac */
	int32_t sub_hdr_size;			/* 0x1b0 blocks */
	uint32_t bitmap_blocks;			/* 0x1b4 both bitmaps */
	uint32_t max_mapnr;			/* 0x1b8 32-bit copy */
	uint32_t total_ram_blocks;		/* 0x1bc */
	uint32_t device_blocks;			/* 0x1c0 */
	uint32_t written_blocks;		/* 0x1c4 */
	uint32_t current_cpu;			/* 0x1c8 */
	int32_t nr_cpus;			/* 0x1cc */
};
_Static_assert(sizeof(struct diskdump_header) == 0x1d0, "disk_dump_header");
_Static_assert(__builtin_offsetof(struct diskdump_header, tv_sec) == 0x198, "timestamp");
_Static_assert(__builtin_offsetof(struct diskdump_header, status) == 0x1a8, "status");
_Static_assert(__builtin_offsetof(struct diskdump_header, nr_cpus) == 0x1cc, "nr_cpus");

struct diskdump_sub_header {
	uint64_t phys_base;		/* 0x00 */
	int32_t dump_level;		/* 0x08 makedumpfile's -d */
	int32_t split;			/* 0x0c 0 */
	uint64_t start_pfn;		/* 0x10 32-bit era copies */
	uint64_t end_pfn;		/* 0x18 */
	uint64_t offset_vmcoreinfo;	/* 0x20 absolute */
	uint64_t size_vmcoreinfo;	/* 0x28 */
	uint64_t offset_note;		/* 0x30 */
	uint64_t size_note;		/* 0x38 */
	uint64_t offset_eraseinfo;	/* 0x40 0 */
	uint64_t size_eraseinfo;	/* 0x48 0 */
	uint64_t start_pfn_64;		/* 0x50 */
	uint64_t end_pfn_64;		/* 0x58 */
	uint64_t max_mapnr_64;		/* 0x60 */
};
_Static_assert(sizeof(struct diskdump_sub_header) == 0x68, "kdump_sub_header");

struct diskdump_page_desc {
	uint64_t offset;		/* 0x00 of the page's bytes in the file */
	uint32_t size;			/* 0x08 bytes stored */
	uint32_t flags;			/* 0x0c DISKDUMP_COMPRESSED_* or 0 */
	uint64_t page_flags;		/* 0x10 0 */
};
_Static_assert(sizeof(struct diskdump_page_desc) == 24, "page_desc");

struct diskdump_info {
	const char *sysname, *nodename, *release, *version, *machine;	/* NULL: "" */
	int64_t tv_sec;
	uint64_t phys_base;
	int32_t dump_level;
	int32_t nr_cpus;
	uint64_t max_mapnr;		/* pfns the bitmaps cover */
	const void *vmcoreinfo;
	size_t vmcoreinfo_len;
	const void *notes;
	size_t notes_len;
	uint32_t compression;		/* DISKDUMP_COMPRESSED_* the compressor makes */
	uint32_t status_flags;		/* more header status bits: DISKDUMP_INCOMPLETE */
	/* Compress in[0..DISKDUMP_BLOCK) into out (cap DISKDUMP_COMPRESS_MAX);
	 * 0 and *out_len, or non-zero: the page is stored raw. */
	int (*compress)(void *ctx, const void *in, void *out, size_t *out_len);
	void *compress_ctx;
};

struct diskdump_out {
	int (*write)(void *ctx, uint64_t offset, const void *buf, size_t len);	/* 0 or -errno */
	void *ctx;
	/* write takes any offset (see "in one pass"): diskdump_single() may
	 * run.  false: appends only. */
	bool seekable;
};

/*
 * The bitmaps, a window at a time: fill() puts bitmap which (1: the pages
 * that exist, 2: the pages in the file) for pfns [pfn0, pfn0 + n) into
 * bits (bit i is pfn0 + i, LSB first; the writer zeroes bits[0 .. (n + 7)
 * / 8) first and ignores bits past n).  Windows come in pfn order from 0
 * in each walk, pfn0 a multiple of buf_bytes * 8.  Returns 0 or -errno.
 */
struct diskdump_bitmaps {
	int (*fill)(void *ctx, int which, uint64_t pfn0, uint64_t n, uint8_t *bits);
	void *ctx;
	uint8_t *buf;			/* the window */
	size_t buf_bytes;		/* > 0 */
};

/*
 * One pass a batch at a time, for another CPU (optional): the writer reads
 * DISKDUMP_BATCH pages into a batch (struct diskdump_pages read), and has
 * diskdump_batch_form() decide their stored forms (the zero test, the
 * compression) through start() and wait() while it reads the next
 * batches and writes the ones before: a ring of DISKDUMP_BATCHES, the
 * oldest written (waited for first) when the ring is full.  A batch that
 * start() refuses (the other CPU has enough to do) the writer forms
 * itself, with the info's compressor state, so the work balances.  Each
 * batch's bytes are written in one piece, then its descriptors.  The file
 * is the same byte for byte as page by page.  A batch given to start()
 * is read by the writer only after wait() returned 0 for it.
 */
#define DISKDUMP_BATCH		8	/* pages in a batch */
#define DISKDUMP_BATCHES	4	/* batches in the writer's ring */

struct diskdump_batch {
	/* the input pages first: each on its own page of memory */
	uint8_t in[DISKDUMP_BATCH][DISKDUMP_BLOCK];
	/* diskdump_batch_form()'s: each page's bytes as stored, one after
	 * the other in out[0..used) */
	uint8_t out[DISKDUMP_BATCH * DISKDUMP_BLOCK + DISKDUMP_COMPRESS_MAX];
	/* the writer's, before start(): the compressor (the info's, with the
	 * state of whoever forms it) and the pages */
	int (*compress)(void *ctx, const void *in, void *out, size_t *out_len);
	void *compress_ctx;
	uint32_t compression;
	uint32_t n;				/* pages in it, 1 to DISKDUMP_BATCH */
	uint64_t pfn[DISKDUMP_BATCH];
	/* diskdump_batch_form()'s: each page's stored size (0: all zero,
	 * DISKDUMP_BLOCK: raw) and flags */
	uint32_t size[DISKDUMP_BATCH];
	uint32_t flags[DISKDUMP_BATCH];
	size_t used;
} __attribute__((aligned(4096)));

/* The stored forms of b's pages (pure: any CPU, no writer state). */
void diskdump_batch_form(struct diskdump_batch *b);

struct diskdump_offload {
	/* Run diskdump_batch_form(b) elsewhere: 0 when handed over; non-zero:
	 * not now (the writer forms it itself).  NULL: never handed over. */
	int (*start)(void *ctx, struct diskdump_batch *b);
	/* Until that run is over: 0.  -EBUSY: it is not over and may go on
	 * (the other CPU was lost): the writer never reads b's forms or reuses
	 * b again; it forms and writes b's pages from b->in (which
	 * diskdump_batch_form only reads), in their place, and goes on page
	 * by page.  Any other error
	 * (-ECANCELED: taken back before it started; the other CPU stopped):
	 * it never runs, b is the writer's again, which forms it itself. */
	int (*wait)(void *ctx, struct diskdump_batch *b);
	void *ctx;
	/* The compressor state of the batches formed elsewhere, never the
	 * info's (both may compress at once); NULL: none is handed over. */
	void *compress_ctx;
	struct diskdump_batch *batch;	/* the caller's memory: DISKDUMP_BATCHES batches */
};

/* A pass's page source: pfn's DISKDUMP_BLOCK bytes (valid until the next
 * call), or NULL (the pass ends with -EIO).  For diskdump_single() also,
 * optionally, read and off together: pfn's bytes into page (0, or
 * non-zero: -EIO) and the batches' runner: one pass a batch at a time. */
struct diskdump_pages {
	const void *(*page)(void *ctx, uint64_t pfn);
	void *ctx;
	int (*read)(void *ctx, uint64_t pfn, void *page);
	const struct diskdump_offload *off;
};

struct diskdump_layout {
	uint64_t sub_header, vmcoreinfo, notes;	/* offsets */
	uint32_t sub_hdr_blocks, bitmap_blocks;
	uint64_t bitmap1, bitmap2, descs, zero_page, data;
	uint64_t pages;				/* bits in the 2nd bitmap */
};

/* In order, descriptors go out DISKDUMP_DESCS_PER_FLUSH at a time. */
#define DISKDUMP_DESCS_PER_FLUSH	(DISKDUMP_BLOCK / sizeof(struct diskdump_page_desc))

struct diskdump_writer {
	struct diskdump_info info;
	struct diskdump_out out;
	struct diskdump_layout lay;
	struct diskdump_bitmaps bm;
	int pass;			/* 1 descriptors, 2 data, 3 done, 4 one pass */
	uint64_t done;			/* pages taken (this pass) */
	uint64_t bits[3];		/* hash of the 2nd bitmap: begin, pass 1, pass 2 */
	bool bits_known;		/* begin() walked it (not when measuring) */
	uint64_t pos;			/* bytes written so far (one pass: the data stream's end) */
	uint64_t data_end;		/* pass 1: where the next page's bytes will go */
	uint64_t limit;			/* one pass: data_end never passes it */
	uint64_t forms[2];		/* each pass's running hash of the stored forms */
	uint64_t stored, compressed, zero;	/* statistics */
	size_t nbuf;			/* bytes of descriptors in dbuf */
	uint64_t dbuf_at;		/* one pass: the file offset of dbuf[0] */
	const struct diskdump_offload *off;	/* one pass in batches (else NULL) */
	struct diskdump_batch *fill;	/* being read into */
	unsigned oldest, inflight;	/* the ring: formed or being formed, not written yet */
	bool started[DISKDUMP_BATCHES];	/* off->batch[i] handed to off->start, not waited for */
	uint64_t batches, batches_away;	/* statistics: batches, those formed elsewhere */
	uint8_t dbuf[DISKDUMP_BLOCK];	/* descriptors waiting to be written */
	uint8_t cbuf[DISKDUMP_COMPRESS_MAX];
	int error;
};

/* Bytes of one bitmap for max_mapnr pfns, rounded up to whole blocks. */
uint64_t diskdump_bitmap_bytes(uint64_t max_mapnr);

static inline bool diskdump_bit(const uint8_t *bitmap, uint64_t pfn)
{
	return (bitmap[pfn >> 3] >> (pfn & 7)) & 1;
}

static inline void diskdump_set_bit(uint8_t *bitmap, uint64_t pfn)
{
	bitmap[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
}

/* Bit ranges [a, b) of a bitmap (bit i: byte i >> 3, LSB first), a byte
 * or eight at a time: set them; clear them (returns how many were set);
 * count the set ones; the first set one (b when none). */
void diskdump_bits_set(uint8_t *bits, uint64_t a, uint64_t b);
uint64_t diskdump_bits_clear(uint8_t *bits, uint64_t a, uint64_t b);
uint64_t diskdump_bits_count(const uint8_t *bits, uint64_t a, uint64_t b);
uint64_t diskdump_bits_next(const uint8_t *bits, uint64_t a, uint64_t b);

/* ------------------------------------------------------------- reading */

/* What diskdump_read() found in a file's first blocks and bitmaps. */
struct diskdump_summary {
	int32_t header_version;
	uint32_t status;		/* DISKDUMP_COMPRESSED_* | DISKDUMP_INCOMPLETE */
	int32_t dump_level;		/* -1: header version 0 (no sub-header field) */
	int32_t nr_cpus;
	int64_t tv_sec;
	char nodename[DISKDUMP_UTS_LEN], release[DISKDUMP_UTS_LEN];	/* NUL-terminated */
	uint64_t max_mapnr;		/* max_mapnr_64 from version 6, else the 32-bit one */
	uint64_t pages_present;		/* bits set in the 1st bitmap */
	uint64_t pages_dumped;		/* bits set in the 2nd bitmap */
	uint64_t notes_offset, notes_len;		/* 0, 0 when absent */
	uint64_t vmcoreinfo_offset, vmcoreinfo_len;
	uint64_t descs_offset;		/* where the page descriptors start */
	bool descs_cut;			/* the file ends inside them (a cut-short file) */
};

/*
 * Check and describe a kdump-compressed file in file[0..len): the
 * signature, a header version 1..6, block_size 4096, sub_hdr_size and
 * bitmap_blocks that fit the file, max_mapnr that the bitmaps cover, and
 * notes and VMCOREINFO inside the file.  Returns 0; -ENOEXEC when the
 * signature is not "KDUMP   " (not this format); -EBADMSG for anything
 * else that does not hold (the file is cut short, or lies); -EINVAL for
 * NULL arguments.  Every count is bounded by len.
 */
int diskdump_read(const void *file, size_t len, struct diskdump_summary *out);

/*
 * Set DISKDUMP_INCOMPLETE in the header status of a kdump-compressed file
 * whose first len bytes are file (for a partial file a host tool rebuilt,
 * as makedumpfile marks one).  Returns 0; -ENOEXEC when len is below the
 * header or the signature is not "KDUMP   ".
 */
int diskdump_mark_incomplete(void *file, size_t len);

int diskdump_begin(struct diskdump_writer *w, const struct diskdump_info *info,
		   const struct diskdump_bitmaps *bm, uint64_t pages, const struct diskdump_out *out);
int diskdump_descs(struct diskdump_writer *w, const struct diskdump_pages *src);
int diskdump_data(struct diskdump_writer *w);
int diskdump_pages(struct diskdump_writer *w, const struct diskdump_pages *src);
int diskdump_end(struct diskdump_writer *w);

/*
 * One pass (see above), right after diskdump_begin() with out->seekable:
 * the file's bytes never pass limit (a page that would is -ESTALE, its
 * bytes not written: a target told a measured size never gets more);
 * UINT64_MAX for none.  -EINVAL when out cannot seek or the call is out
 * of turn.  Then diskdump_end().
 */
int diskdump_single(struct diskdump_writer *w, const struct diskdump_pages *src, uint64_t limit);

#endif
