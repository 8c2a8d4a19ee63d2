/*
 * The raw dump partition: a 512-byte header at both ends of the partition
 * and the dump body (an ELF core file) between them.  docs/dump-disk.md
 * describes the format byte by byte and argues the write order; this
 * header is the authority for every offset.
 *
 *   partition LBA 0          body_offset                      last LBA
 *   +-------------+- - - - -+-------------------------- ... --+-------------+
 *   | leading hdr | (unused) | body: body_length bytes, zero   | trailing hdr|
 *   |             |          | padded to a whole sector        | (same bytes)|
 *   +-------------+- - - - -+-------------------------- ... --+-------------+
 *
 * Interface.  Pure codec: dumphdr_encode()/dumphdr_decode() turn a struct
 * dumphdr into one sector and back (decode checks magic, version, sizes,
 * geometry, text fields and the CRC32); dumphdr_layout() places a body of
 * a given size in a partition; dumphdr_check_pair() judges the two copies
 * read back.  Writer (the kernel's raw dump target, and the test
 * generator): dumphdr_writer_begin() writes both headers INCOMPLETE,
 * dumphdr_writer_body() streams the body (hashing it, dropping what does
 * not fit; dumphdr_writer_body_at() writes it at random, and the digest
 * is then two-part: the pages hashed as written, the rest read back),
 * dumphdr_writer_finish() writes the
 * trailing then the leading
 * header COMPLETE (or TRUNCATED), with a flush after every step;
 * dumphdr_writer_fail() marks a dump FAILED.  Reader helpers:
 * dumphdr_get() / dumphdr_put() read or write one copy.
 *
 * The writer only sees a struct blkdev view of the partition; choosing a
 * partition that may be written (the postmortem dump type GUID, or a
 * forced device: DUMPHDR_FLAG_FORCED) is the caller's job.  No globals,
 * no printing, memory only from the caller; builds into the kernel,
 * tools/postmortem and the tests.  All integers little-endian, written
 * and read byte by byte.
 */
#ifndef PAYLOAD_DUMPHDR_H
#define PAYLOAD_DUMPHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "formats/blkdev.h"

#define DUMPHDR_MAGIC		"PMDUMPHD"	/* 8 bytes, no NUL */
#define DUMPHDR_MAGIC_LEN	8
#define DUMPHDR_VERSION		1
#define DUMPHDR_SIZE		512	/* version 1; readers accept larger multiples of 8 */
#define DUMPHDR_CRC_OFFSET	0x1fc
#define DUMPHDR_BODY_ALIGN	65536	/* the body starts at partition byte 64 KiB */

/* status: 0 is never written, so a zeroed sector is no header. */
#define DUMPHDR_INCOMPLETE	1	/* being written; body not trusted */
#define DUMPHDR_COMPLETE	2	/* body whole, digest over all of it */
#define DUMPHDR_TRUNCATED	3	/* partition too small: the first body_length bytes */
#define DUMPHDR_FAILED		4	/* the kernel gave up: see reason */
#define DUMPHDR_CLEARED		5	/* saved by savecore --clear; prev_status kept */
#define DUMPHDR_STATUS_MAX	5

/* flags */
#define DUMPHDR_FLAG_FORCED	(1u << 0)	/* target lacked the dump type GUID (forced) */
/* body_sha256 is the SHA-256 of the body's first DUMPHDR_HEAD_DIGEST bytes
 * only (fewer when body_length is smaller): the encrypted stream's header
 * block, whose digest every chunk's AAD carries; the chunks are
 * authenticated by their AES-GCM tags instead (docs/dump-disk.md).  Set
 * with body_format DUMPHDR_BODY_ENCRYPTED only; a reader that does not
 * know it hashes the whole body and finds a mismatch, never a match. */
#define DUMPHDR_FLAG_DIGEST_HEAD (1u << 1)
#define DUMPHDR_HEAD_DIGEST	4096	/* = ENCDUMP_HEADER_SIZE */
/* body_sha256 is a two-part digest (dumphdr_digest_join): the body's
 * first digest_split bytes (the kdump-compressed file's headers, bitmaps
 * and page descriptors) and the rest (its pages) are hashed apart, so the
 * pages can be hashed as they are written, on another CPU, and never read
 * back.  Set by the writer on a body written at random
 * (dumphdr_writer_body_at) only; never with DUMPHDR_FLAG_DIGEST_HEAD.  A
 * reader that does not know it hashes the whole body and finds a
 * mismatch, never a match. */
#define DUMPHDR_FLAG_DIGEST_SPLIT (1u << 2)
#define DUMPHDR_SPLIT_TAG	"PMD2"	/* 4 bytes, no NUL: the joined digest's prefix */

/* body_format */
#define DUMPHDR_BODY_ELF	1	/* ELF64 core file, /proc/vmcore's shape */
#define DUMPHDR_BODY_KDUMP	2	/* makedumpfile's kdump-compressed file (docs/kdump-format.md) */
#define DUMPHDR_BODY_ENCRYPTED	3	/* an encrypted stream (payload/encdump.h, docs/encryption.md):
					 * needed/body_length are the stream's; body_sha256 its
					 * header block's (DUMPHDR_FLAG_DIGEST_HEAD) */

/* handoff_status: what the kernel made of its handoff block */
#define DUMPHDR_HANDOFF_NONE	0	/* there was none */
#define DUMPHDR_HANDOFF_OK	1	/* SHA-256 verified, used */
#define DUMPHDR_HANDOFF_BAD	2	/* digest mismatch: ignored */

#define DUMPHDR_RELEASE_LEN	72	/* OSRELEASE (65 with NUL in Linux) */
#define DUMPHDR_HOSTNAME_LEN	72
#define DUMPHDR_PMVERSION_LEN	40
#define DUMPHDR_REASON_LEN	160

/*
 * The header, exactly as on disk (one sector's first 512 bytes; the rest
 * of a larger sector is zero).  Text fields are ASCII, NUL-terminated
 * inside the field and NUL-padded.
 */
struct dumphdr {
	uint8_t magic[DUMPHDR_MAGIC_LEN];	/* 0x000 "PMDUMPHD" */
	uint32_t version;			/* 0x008 1 */
	uint32_t header_size;			/* 0x00c 512 */
	uint32_t status;			/* 0x010 DUMPHDR_INCOMPLETE.. */
	uint32_t flags;				/* 0x014 DUMPHDR_FLAG_* */
	uint64_t dump_id;			/* 0x018 same in both copies; new per dump */
	uint64_t created;			/* 0x020 unix seconds, dump start (0 unknown) */
	uint64_t finished;			/* 0x028 unix seconds, final status (0 before) */
	uint32_t sector_size;			/* 0x030 bytes per LBA of the partition */
	uint32_t body_format;			/* 0x034 DUMPHDR_BODY_ELF or _KDUMP */
	uint64_t part_sectors;			/* 0x038 partition size when written */
	uint64_t body_offset;			/* 0x040 first body sector (partition LBA) */
	uint64_t body_capacity;			/* 0x048 bytes from body_offset to the trailer */
	uint64_t body_length;			/* 0x050 body bytes written */
	uint64_t needed_length;			/* 0x058 bytes the whole body needs */
	uint8_t body_sha256[SHA256_LEN];	/* 0x060 of the body_length bytes */
	uint32_t handoff_status;		/* 0x080 DUMPHDR_HANDOFF_* */
	uint32_t prev_status;			/* 0x084 status before CLEARED, else 0 */
	char release[DUMPHDR_RELEASE_LEN];	/* 0x088 crashed kernel's OSRELEASE */
	char hostname[DUMPHDR_HOSTNAME_LEN];	/* 0x0d0 crashed system's name */
	char pm_version[DUMPHDR_PMVERSION_LEN];	/* 0x118 postmortem that wrote it */
	char reason[DUMPHDR_REASON_LEN];	/* 0x140 why FAILED (or a note) */
	uint64_t digest_split;			/* 0x1e0 DUMPHDR_FLAG_DIGEST_SPLIT: the first part's
						 * length; else 0 */
	uint8_t reserved0[20];			/* 0x1e8 zero */
	uint32_t crc32;				/* 0x1fc UEFI CRC-32 of header_size bytes, this field 0 */
};
_Static_assert(sizeof(struct dumphdr) == DUMPHDR_SIZE, "dumphdr");
_Static_assert(offsetof(struct dumphdr, version) == 0x008, "version");
_Static_assert(offsetof(struct dumphdr, header_size) == 0x00c, "header_size");
_Static_assert(offsetof(struct dumphdr, status) == 0x010, "status");
_Static_assert(offsetof(struct dumphdr, flags) == 0x014, "flags");
_Static_assert(offsetof(struct dumphdr, dump_id) == 0x018, "dump_id");
_Static_assert(offsetof(struct dumphdr, created) == 0x020, "created");
_Static_assert(offsetof(struct dumphdr, finished) == 0x028, "finished");
_Static_assert(offsetof(struct dumphdr, sector_size) == 0x030, "sector_size");
_Static_assert(offsetof(struct dumphdr, body_format) == 0x034, "body_format");
_Static_assert(offsetof(struct dumphdr, part_sectors) == 0x038, "part_sectors");
_Static_assert(offsetof(struct dumphdr, body_offset) == 0x040, "body_offset");
_Static_assert(offsetof(struct dumphdr, body_capacity) == 0x048, "body_capacity");
_Static_assert(offsetof(struct dumphdr, body_length) == 0x050, "body_length");
_Static_assert(offsetof(struct dumphdr, needed_length) == 0x058, "needed_length");
_Static_assert(offsetof(struct dumphdr, body_sha256) == 0x060, "body_sha256");
_Static_assert(offsetof(struct dumphdr, handoff_status) == 0x080, "handoff_status");
_Static_assert(offsetof(struct dumphdr, prev_status) == 0x084, "prev_status");
_Static_assert(offsetof(struct dumphdr, release) == 0x088, "release");
_Static_assert(offsetof(struct dumphdr, hostname) == 0x0d0, "hostname");
_Static_assert(offsetof(struct dumphdr, pm_version) == 0x118, "pm_version");
_Static_assert(offsetof(struct dumphdr, reason) == 0x140, "reason");
_Static_assert(offsetof(struct dumphdr, digest_split) == 0x1e0, "digest_split");
_Static_assert(offsetof(struct dumphdr, reserved0) == 0x1e8, "reserved0");
_Static_assert(offsetof(struct dumphdr, crc32) == DUMPHDR_CRC_OFFSET, "crc32");

/* Where a body goes in a partition (dumphdr_layout). */
struct dumphdr_layout {
	uint32_t sector_size;
	uint64_t part_sectors;
	uint64_t body_lba;		/* first body sector */
	uint64_t trail_lba;		/* the trailing header: part_sectors - 1 */
	uint64_t capacity;		/* bytes between body_lba and trail_lba */
	uint64_t needed;		/* bytes the whole body needs */
	uint64_t body_bytes;		/* what will be written: min(needed, capacity) */
	bool truncated;			/* needed > capacity */
};

/*
 * Encode h into sector[0..len): magic, version and header_size are set
 * here, a text field without a NUL loses its last byte to one, bytes past 512
 * are zeroed and the CRC32 is computed.  Returns 0 or -EINVAL (NULL, len
 * < 512).
 */
int dumphdr_encode(const struct dumphdr *h, void *sector, size_t len);

/*
 * Decode and check one copy.  Returns 0; -EINVAL (NULL, len < 512);
 * -ENODATA (no magic: never written, or not ours); -EBADMSG (magic but a
 * bad version, size, CRC, status, geometry or text field).  *why (if not
 * NULL) says which, or is NULL on success; *out holds the decoded fields
 * even on -EBADMSG (for messages), zero on -EINVAL/-ENODATA.
 */
int dumphdr_decode(const void *sector, size_t len, struct dumphdr *out, const char **why);

/*
 * Place a body of needed_bytes in a partition of part_sectors sectors:
 * body at the first DUMPHDR_BODY_ALIGN byte boundary after the leading
 * header (sector 1 for sectors above 64 KiB), trailer at the last sector.
 * Returns 0 (out->truncated says whether it fits), -EINVAL (sector size
 * not a power of two >= 512, needed_bytes 0, a partition of 2^64 bytes or
 * more) or -ENOSPC (no room for two headers and one body sector;
 * out->capacity is 0, the rest filled).
 */
int dumphdr_layout(uint64_t part_sectors, uint32_t sector_size, uint64_t needed_bytes,
		   struct dumphdr_layout *out);

/*
 * Judge the pair read from a partition of part_sectors x sector_size
 * (lead or trail NULL when that copy did not decode).  Returns 0 for a
 * finished dump whose copies agree byte for byte (status COMPLETE or
 * TRUNCATED: read lead->status); -ENODATA (no header, or CLEARED);
 * -EINPROGRESS (the write was cut short: the body is not trusted);
 * -ECANCELED (FAILED: lead->reason says why); -EBADMSG (the copies
 * disagree, one is missing or damaged, or the partition's size changed).
 * *why always gets a one-line explanation.
 */
int dumphdr_check_pair(const struct dumphdr *lead, const struct dumphdr *trail,
		       uint64_t part_sectors, uint32_t sector_size, const char **why);

/* A status's name ("COMPLETE", ...), "unknown" otherwise. */
const char *dumphdr_status_name(uint32_t status);

/* Copy text into a text field of size bytes: cut, NUL-terminated, NUL-padded. */
void dumphdr_set_text(char *field, size_t size, const char *text);

/*
 * One copy on a partition view: dumphdr_get reads sector 0 (trailing:
 * the last sector) into scratch and decodes it (returns as
 * dumphdr_decode, or a read error); dumphdr_put encodes h there, writes it
 * and flushes (0 or a write/flush error).  scratch holds one sector.
 */
int dumphdr_get(struct blkdev *part, bool trailing, void *scratch, size_t scratch_len,
		struct dumphdr *out, const char **why);
int dumphdr_put(struct blkdev *part, bool trailing, const struct dumphdr *h, void *scratch,
		size_t scratch_len);

/* ------------------------------------------------------------- digest */

/*
 * The digest a header's body_sha256 holds, over the body's bytes in order:
 *   - plain: SHA-256 of the body_length bytes;
 *   - DUMPHDR_FLAG_DIGEST_HEAD: SHA-256 of the first DUMPHDR_HEAD_DIGEST;
 *   - DUMPHDR_FLAG_DIGEST_SPLIT, with s = min(digest_split, body_length):
 *     SHA-256("PMD2" || le64 digest_split || SHA-256(body[0, s)) ||
 *     SHA-256(body[s, body_length))).
 * init() reads the kind from h; update() takes the body in order, from
 * byte 0, in pieces of any size; final() gives the 32 bytes.
 */
struct dumphdr_digest {
	struct crypto_sha256 part[2];
	uint64_t split;			/* bytes that go to part[0] */
	uint64_t limit;			/* bytes hashed at all */
	uint64_t at;			/* bytes seen */
	bool two;			/* DUMPHDR_FLAG_DIGEST_SPLIT */
};

void dumphdr_digest_init(struct dumphdr_digest *d, const struct dumphdr *h);
void dumphdr_digest_update(struct dumphdr_digest *d, const void *p, size_t len);
void dumphdr_digest_final(struct dumphdr_digest *d, uint8_t out[SHA256_LEN]);
/* The two-part join of part digests meta and data at split. */
void dumphdr_digest_join(uint64_t split, const uint8_t meta[SHA256_LEN],
			 const uint8_t data[SHA256_LEN], uint8_t out[SHA256_LEN]);

/* ------------------------------------------------------------- writer */

struct dumphdr_writer {
	struct blkdev *part;
	struct dumphdr hdr;		/* what the headers say */
	struct dumphdr_layout layout;
	struct crypto_sha256 sha;	/* over the bytes accepted */
	uint8_t *buf;			/* caller scratch: whole sectors */
	size_t buf_len;
	size_t fill;			/* body bytes waiting in buf */
	uint64_t lba;			/* next body sector to write */
	uint64_t accepted;		/* body bytes taken (<= layout.body_bytes) */
	uint64_t offered;		/* body bytes given (past capacity too) */
	bool body_done;
	int err;			/* first error: sticky */
	/* Written at random (dumphdr_writer_body_at): */
	bool random;			/* two-part digest, or read back (end_body) */
	bool head_only;			/* encrypted: DUMPHDR_FLAG_DIGEST_HEAD */
	uint64_t gap, filled;		/* bytes skipped by a jump; written into the gaps */
	/* The two-part digest of a body written at random: the appends
	 * after the first jump (the pages) are hashed as each buffer is
	 * written, the bytes before it read back at the end. */
	bool split_set;			/* one jump so far: split is where it went */
	bool split_off;			/* a second jump, or the hashing failed: read all back */
	uint64_t split;
	struct crypto_sha256 data;	/* over [split, accepted) */
	uint8_t *half[2];		/* hash_start: the scratch as two buffers */
	unsigned cur;			/* the half being filled */
	bool pending;			/* hash_start's work not waited for yet */
	/* NULL, or told how far reading back for the digest has come (the
	 * caller sets it after begin()). */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	/* NULL, or (set after begin()): hash len bytes at p into sha
	 * elsewhere (another CPU) while the writer goes on; the writer then
	 * fills the other half of its scratch meanwhile.  0, or an error
	 * (the writer hashes them itself).  hash_wait() returns when that
	 * work is done: 0, or an error, after which sha is never used and
	 * the digest is taken by reading the whole body back. */
	int (*hash_start)(void *ctx, struct crypto_sha256 *sha, const void *p, size_t len);
	int (*hash_wait)(void *ctx);
	void *hash_ctx;
};

/*
 * Start a dump on a partition view: lay out needed_bytes, copy tmpl's
 * dump_id, created, flags, body_format, handoff_status and text fields,
 * then write the leading header INCOMPLETE, flush, the trailing header
 * INCOMPLETE, flush.  scratch: at least one sector (a multiple of the
 * sector size is used; 64 KiB or more keeps writes large), owned by the
 * writer until finish/fail.  Returns 0, -EINVAL, -ENOSPC (see
 * dumphdr_layout: nothing written) or a write error.
 */
int dumphdr_writer_begin(struct dumphdr_writer *w, struct blkdev *part,
			 const struct dumphdr *tmpl, uint64_t needed_bytes, void *scratch,
			 size_t scratch_len);

/*
 * Append body bytes.  Bytes beyond the partition's capacity are counted
 * (needed_length) but dropped.  Returns 0 or the sticky write error.
 */
int dumphdr_writer_body(struct dumphdr_writer *w, const void *data, size_t len);

/*
 * Random access, for a body written in one pass (formats/diskdump.h,
 * diskdump_single()): len bytes at body offset off, one of
 *   - an append: off is where the appended bytes end (as
 *     dumphdr_writer_body, buffered);
 *   - a jump: off past that end, both on a sector boundary; the appends go
 *     on at off, and the gap between is left for
 *   - a fill: whole sectors (off and len multiples of the sector size)
 *     below the appended bytes, not over those still in the buffer,
 *     written at once.
 * Bytes past the capacity are dropped, counted as by dumphdr_writer_body.
 * The digest is then two-part (DUMPHDR_FLAG_DIGEST_SPLIT, split where the
 * first jump went): the appends after the jump are hashed as each buffer
 * is written (by w->hash_start where set), the bytes before it read back
 * at the end (dumphdr_writer_end_body(); w->progress hears how far), after
 * checking that fills wrote as many bytes as the jumps skipped (-EIO when
 * not).  After a second jump, or when hash_wait fails, the whole body is
 * read back and hashed plain instead.
 * An encrypted body (DUMPHDR_BODY_ENCRYPTED) is never hashed whole, in
 * order or at random: its digest is of its first DUMPHDR_HEAD_DIGEST
 * bytes, read back at the end (DUMPHDR_FLAG_DIGEST_HEAD).
 * Returns 0, -EINVAL (none of the three; sticky) or the write error.
 */
int dumphdr_writer_body_at(struct dumphdr_writer *w, uint64_t off, const void *data, size_t len);

/*
 * Write out the last partial sector (zero padded), flush, and put the
 * digest and lengths into w->hdr.  Called by finish; separate so a test
 * can stop here.  Returns 0 or the sticky error.
 */
int dumphdr_writer_end_body(struct dumphdr_writer *w);

/*
 * End the dump: end_body, then status COMPLETE (TRUNCATED when bytes were
 * dropped) and finished_time into the trailing header, flush, then the
 * leading header, flush.  Returns 0, or the error (headers stay
 * INCOMPLETE where the write did not happen).
 */
int dumphdr_writer_finish(struct dumphdr_writer *w, uint64_t finished_time);

/*
 * Give up: status FAILED with reason, trailing then leading header, best
 * effort.  Returns 0 or the error of the header writes.
 */
int dumphdr_writer_fail(struct dumphdr_writer *w, const char *reason, uint64_t finished_time);

#endif
