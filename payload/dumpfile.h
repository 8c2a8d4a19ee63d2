/*
 * The dump file: a preallocated file on the system's own filesystem that
 * the crash kernel writes by device sector, with no filesystem code, the
 * way Linux resumes from a swap file.  docs/dump-file.md describes it and
 * argues its safety; this header is the authority for every offset.
 *
 * The file is cut into segments: every extent (a run of the file that is
 * contiguous on the disk) starts a segment, and an extent is cut again
 * every marker stride (DUMPFILE_STRIDE, 16 MiB) from its start, except
 * that a tail no longer than 4 KiB stays with the segment before it.  Every
 * segment starts with a 4 KiB marker block whose first 64 bytes are a
 * marker (struct dumpfile_marker: the file's random nonce, the segment's
 * index, its file offset and device sector, a CRC-32).  The first segment's
 * marker block is the head block: the marker at byte 0, the file header
 * (struct dumpfile_header) at byte 512.
 *
 *   file byte 0      512          1024        4096              16 MiB
 *   +--------+-------------+------ ... --+---------------- ... --+--------+---
 *   | marker | file header | zero        | dump bytes            | marker | dump
 *   +--------+-------------+------ ... --+---------------- ... --+--------+---
 *   \------------- head block ----------/
 *
 * The dump region is the file's bytes minus the marker blocks, in file
 * order; it holds exactly what a raw dump partition holds
 * (payload/dumphdr.h: leading header at its sector 0, body at its byte
 * 64 KiB, trailing header at its last sector), so the crash kernel writes
 * it with the partition writer through dumpfile_map().
 *
 * Interface.  Pure, no I/O, no allocation, no globals; builds into the
 * kernel, the host tool and the tests.  Extents are given in device
 * logical sectors, in file order, logically contiguous (extent i starts
 * at file byte sum(count[0..i)) * sector_size).  dumpfile_geom_init() and
 * dumpfile_extents_check() validate a list (bounds, no wrap, no overlap);
 * dumpfile_segment_at()/dumpfile_segment_next() list the marker blocks;
 * dumpfile_map() turns a dump-region sector into a device sector and the
 * run of sectors contiguous from there.  Marker and header have
 * encode/check functions; checks return 0 or a negative errno with a
 * one-line reason.  All integers little-endian.
 */
#ifndef PAYLOAD_DUMPFILE_H
#define PAYLOAD_DUMPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/blkdev.h"

#define DUMPFILE_BLOCK		4096	/* the marker block at each segment's start */
#define DUMPFILE_STRIDE		(16u << 20)	/* default marker stride */
#define DUMPFILE_STRIDE_MIN	(64u << 10)
#define DUMPFILE_STRIDE_MAX	(1u << 30)
#define DUMPFILE_MAX_EXTENTS	4096
#define DUMPFILE_NONCE_LEN	16
#define DUMPFILE_VERSION	1

#define DUMPFILE_MARKER_MAGIC	"PMDFMARK"	/* 8 bytes, no NUL */
#define DUMPFILE_MARKER_SIZE	64
#define DUMPFILE_HEADER_MAGIC	"PMDUMPFL"
#define DUMPFILE_HEADER_OFFSET	512	/* in the head block */
#define DUMPFILE_HEADER_SIZE	512
#define DUMPFILE_HEADER_CRC	0x1fc

/* The file header's state. 0 is never written. */
#define DUMPFILE_READY		1	/* loaded: the crash kernel may write a dump */
#define DUMPFILE_WRITTEN	2	/* the crash kernel started a dump: see its dump header */
#define DUMPFILE_CONSUMED	3	/* savecore --clear: saved; the next load reuses it */
#define DUMPFILE_STATE_MAX	3

/* One run of the file, contiguous on the disk (logical sectors). */
struct dumpfile_extent {
	uint64_t start;			/* 0x00 first device sector */
	uint64_t count;			/* 0x08 sectors */
};
_Static_assert(sizeof(struct dumpfile_extent) == 16, "dumpfile_extent");

/* Geometry shared by every function below. */
struct dumpfile_geom {
	uint32_t sector_size;		/* 512 .. 4096, power of two */
	uint32_t stride;		/* marker stride in bytes */
	uint64_t marker_sectors;	/* DUMPFILE_BLOCK / sector_size */
	uint64_t stride_sectors;	/* stride / sector_size */
};

/* What a valid extent list adds up to (dumpfile_extents_check). */
struct dumpfile_totals {
	uint64_t file_sectors;		/* sum of the counts */
	uint64_t segments;		/* marker blocks */
	uint64_t dump_sectors;		/* file_sectors - segments * marker_sectors */
};

/* The marker, as on disk (the first 64 bytes of every marker block). */
struct dumpfile_marker {
	uint8_t magic[8];		/* 0x00 "PMDFMARK" */
	uint8_t nonce[DUMPFILE_NONCE_LEN];	/* 0x08 the file's, from its header */
	uint32_t version;		/* 0x18 1 */
	uint32_t segment;		/* 0x1c index of the segment, file order */
	uint32_t extent;		/* 0x20 index of its extent */
	uint32_t reserved0;		/* 0x24 zero */
	uint64_t file_offset;		/* 0x28 file byte of the marker block */
	uint64_t device_sector;		/* 0x30 where the block is on the disk */
	uint32_t sector_size;		/* 0x38 of device_sector */
	uint32_t crc32;			/* 0x3c CRC-32 of bytes 0..0x3c */
};
_Static_assert(sizeof(struct dumpfile_marker) == DUMPFILE_MARKER_SIZE, "dumpfile_marker");
_Static_assert(offsetof(struct dumpfile_marker, version) == 0x18, "version");
_Static_assert(offsetof(struct dumpfile_marker, file_offset) == 0x28, "file_offset");
_Static_assert(offsetof(struct dumpfile_marker, crc32) == 0x3c, "crc32");

/* The file header, as on disk: head block bytes 512..1024. */
struct dumpfile_header {
	uint8_t magic[8];		/* 0x000 "PMDUMPFL" */
	uint32_t version;		/* 0x008 1 */
	uint32_t header_size;		/* 0x00c 512 */
	uint32_t state;			/* 0x010 DUMPFILE_READY .. */
	uint32_t sector_size;		/* 0x014 the disk's logical sector at load */
	uint8_t nonce[DUMPFILE_NONCE_LEN];	/* 0x018 random, new at every load */
	uint64_t file_size;		/* 0x028 bytes */
	uint32_t extent_count;		/* 0x030 */
	uint32_t stride;		/* 0x034 marker stride, bytes */
	uint64_t segments;		/* 0x038 marker blocks */
	uint64_t dump_offset;		/* 0x040 file byte where the dump region starts (4096) */
	uint64_t dump_sectors;		/* 0x048 size of the dump region */
	uint64_t loaded;		/* 0x050 unix seconds of the load */
	uint64_t changed;		/* 0x058 unix seconds of the last state change */
	uint8_t reserved0[0x1fc - 0x60];	/* 0x060 zero */
	uint32_t crc32;			/* 0x1fc CRC-32 of the 512 bytes, this field 0 */
};
_Static_assert(sizeof(struct dumpfile_header) == DUMPFILE_HEADER_SIZE, "dumpfile_header");
_Static_assert(offsetof(struct dumpfile_header, nonce) == 0x018, "nonce");
_Static_assert(offsetof(struct dumpfile_header, file_size) == 0x028, "file_size");
_Static_assert(offsetof(struct dumpfile_header, segments) == 0x038, "segments");
_Static_assert(offsetof(struct dumpfile_header, changed) == 0x058, "changed");
_Static_assert(offsetof(struct dumpfile_header, crc32) == DUMPFILE_HEADER_CRC, "crc32");

/* One marker block: where it is, and which segment it starts. */
struct dumpfile_segment {
	uint32_t index;			/* segment, file order */
	uint32_t extent;		/* its extent */
	uint64_t device_sector;		/* first sector of the marker block */
	uint64_t file_sector;		/* its file offset in sectors */
	uint64_t sectors;		/* segment length, marker block included */
};

/* A dump-region sector mapped (dumpfile_map). */
struct dumpfile_run {
	uint64_t device_sector;
	uint64_t file_sector;		/* file offset in sectors */
	uint64_t count;			/* sectors contiguous from there, >= 1 */
};

/*
 * Check sector_size (512..4096, a power of two) and stride (a multiple of
 * 4096, DUMPFILE_STRIDE_MIN..MAX, a power of two) and fill g.  0 or -EINVAL.
 */
int dumpfile_geom_init(struct dumpfile_geom *g, uint32_t sector_size, uint32_t stride);

/*
 * Validate an extent list: 1..DUMPFILE_MAX_EXTENTS extents, each at least
 * one marker block plus one sector long, no start + count past 2^64 nor past disk_sectors (when not
 * 0), no two sharing a sector, totals without wrap.  Returns 0 with *t
 * filled, or -EBADMSG with *why (when not NULL) saying which extent.
 */
int dumpfile_extents_check(const struct dumpfile_extent *ext, size_t n,
			   const struct dumpfile_geom *g, uint64_t disk_sectors,
			   struct dumpfile_totals *t, const char **why);

/*
 * The marker block of segment k of a checked list: 0, or -ERANGE past the
 * last.  dumpfile_segment_next() walks them: a zeroed cursor first, then 0 per
 * segment and -ENOENT after the last (O(1) per step).
 */
int dumpfile_segment_at(const struct dumpfile_extent *ext, size_t n,
			const struct dumpfile_geom *g, uint64_t k, struct dumpfile_segment *out);
struct dumpfile_cursor {
	size_t extent;
	uint64_t within;		/* sectors into the extent */
	uint64_t file;			/* file sectors before the extent */
	uint32_t index;
};
int dumpfile_segment_next(const struct dumpfile_extent *ext, size_t n,
			  const struct dumpfile_geom *g, struct dumpfile_cursor *c,
			  struct dumpfile_segment *out);

/*
 * Dump-region sector d of a checked list: its device sector, file sector
 * and how many sectors follow contiguously in the same segment.  0, or
 * -ERANGE when d is past the region.  O(extents).
 */
int dumpfile_map(const struct dumpfile_extent *ext, size_t n, const struct dumpfile_geom *g,
		 uint64_t d, struct dumpfile_run *out);

/* The marker of segment s of a file with this nonce into buf[0..len) (len >= 64). */
int dumpfile_marker_encode(const uint8_t nonce[DUMPFILE_NONCE_LEN],
			   const struct dumpfile_segment *s, uint32_t sector_size,
			   void *buf, size_t len);

/*
 * Is buf[0..len) the marker of segment s of the file with this nonce?
 * Checks magic, CRC, version, nonce, segment and extent index, file offset,
 * device sector and sector size.  0, -EINVAL (len < 64), -ENODATA (no
 * magic), or -EBADMSG; *why (when not NULL) gets a one-line reason.
 */
int dumpfile_marker_check(const void *buf, size_t len, const uint8_t nonce[DUMPFILE_NONCE_LEN],
			  const struct dumpfile_segment *s, uint32_t sector_size,
			  const char **why);

/*
 * Read a marker without expectations (a reader that finds segments by
 * scanning: savecore --from-file).  Checks magic, CRC, version and nonce,
 * then fills s (index, extent, device_sector; file_sector from its file
 * offset, which must be a multiple of its sector size) and *sector_size.
 * 0, -EINVAL, -ENODATA, -EBADMSG as dumpfile_marker_check().
 */
int dumpfile_marker_read(const void *buf, size_t len, const uint8_t nonce[DUMPFILE_NONCE_LEN],
			 struct dumpfile_segment *s, uint32_t *sector_size, const char **why);

/* Encode h at buf[0..512): magic, version, size and CRC are set here. */
int dumpfile_header_encode(const struct dumpfile_header *h, void *buf, size_t len);

/*
 * Decode the header from buf[0..len) (the 512 bytes at head-block byte
 * 512).  Checks magic, version, size, CRC, state, sector size, stride,
 * dump offset and that the sizes agree with each other.  0, -EINVAL,
 * -ENODATA (no magic), -EBADMSG (*out still filled for messages).
 */
int dumpfile_header_decode(const void *buf, size_t len, struct dumpfile_header *out,
			   const char **why);

/* ------------------------------------------------------- on a block device */

/*
 * The dump region as a block device: sector d of the view is dump-region
 * sector d, read and written on parent at dumpfile_map()'s sectors, split
 * at segment ends.  The crash kernel hands the view to the raw-partition
 * writer (payload/dumphdr.h); savecore reads it.  ext must stay valid and
 * be checked (dumpfile_extents_check) against parent's sector size.
 * Returns 0 or -EINVAL.
 */
struct dumpfile_view {
	struct blkdev dev;		/* give &view.dev to dumphdr_* */
	struct blkdev *parent;
	const struct dumpfile_extent *ext;
	size_t n;
	struct dumpfile_geom g;
};
int dumpfile_view_init(struct dumpfile_view *v, struct blkdev *parent,
		       const struct dumpfile_extent *ext, size_t n, const struct dumpfile_geom *g,
		       uint64_t dump_sectors);

/*
 * Before any write: read every marker block from parent and check it (and
 * the file header in the head block: magic, CRC, the same nonce, sizes
 * that match g and the list).  scratch holds DUMPFILE_BLOCK bytes.
 * Returns 0; -EBADMSG / -ENODATA with *why and *bad (the segment) set; or
 * a read error.  Reads only.
 */
int dumpfile_verify(struct blkdev *parent, const struct dumpfile_extent *ext, size_t n,
		    const struct dumpfile_geom *g, const uint8_t nonce[DUMPFILE_NONCE_LEN],
		    void *scratch, struct dumpfile_header *hdr, uint32_t *bad, const char **why);

/*
 * Rewrite the file header's state (and changed time) in the head block on
 * parent: read the block, decode, set, encode, write, flush.  scratch holds
 * DUMPFILE_BLOCK bytes.  0, or the error (header not valid: -EBADMSG).
 */
int dumpfile_set_state(struct blkdev *parent, const struct dumpfile_extent *ext, size_t n,
		       const struct dumpfile_geom *g, uint32_t state, uint64_t now, void *scratch);

/* "ready", "dump written", "consumed"; "unknown" otherwise. */
const char *dumpfile_state_name(uint32_t state);

#endif
