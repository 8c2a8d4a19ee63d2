/*
 * Encrypted dumps ("PMENC", version 1): the stream that replaces a dump's
 * body when the handoff block carries a dump key (docs/encryption.md
 * describes it byte by byte; this header is the authority for every offset
 * and rule).  Every target carries the same stream after its own header:
 * the dump partition's body, the FAT volume's vmcore.NNN parts joined, the
 * dump file's data area, the serial HEADER frame's body.
 *
 *   stream offset 0     the header block: ENCDUMP_HEADER_SIZE (4096) bytes,
 *                       struct encdump_header then zeros (checked zero)
 *   4096 + i * (chunk_size + 16)
 *                       chunk i: AES-256-GCM ciphertext of plaintext bytes
 *                       [i * chunk_size, ...) then its 16-byte tag
 *
 * Keys.  The master key M (32 random bytes) is drawn at load time and sent
 * to the crash kernel in the handoff block, wrapped for the recipient's RSA
 * public key too (RSA-OAEP, SHA-256, MGF1-SHA-256, empty label).  Each dump
 * has a fresh 32-byte salt and its own key
 *     K = HMAC-SHA-256(key = M, "postmortem dump key v1" || salt)
 * (the label's 22 ASCII bytes, no NUL), so a (key, IV) pair never repeats
 * even when one handoff block serves several dumps.
 *
 * Header tag: GCM under K with IV = 12 bytes 0xff, no plaintext, AAD = the
 * header's bytes [0, ENCDUMP_TAG_OFFSET).  Chunk i: IV = 4 zero bytes ||
 * u64 LE i; AAD = SHA-256(the 4096-byte header block, tag included) || u64
 * LE i || u8 final (41 bytes), final = 1 on the last chunk only.  Every
 * chunk but the last holds chunk_size plaintext bytes; the last holds
 * 1..chunk_size (0 only when the whole stream is empty).  A stream whose
 * last chunk does not verify with final = 1 is not whole: cut short, or
 * damaged.
 *
 * Interface.
 *  - encdump_derive_key(), encdump_make_salt(): the key and salt rules.
 *  - encdump_header_build() / encdump_header_parse(): the header block,
 *    every field checked on parse (with a why-string), the tag checked by
 *    encdump_open_init() once the key is known.
 *  - Sealer (the crash kernel, and test generators): encdump_seal_init()
 *    emits the header through the write callback, encdump_seal_write()
 *    takes plaintext in any pieces, keeping one chunk buffered so that the
 *    last chunk is sealed final, encdump_seal_finish() seals it.
 *  - Opener: encdump_open_init() (parse + tag), encdump_open_chunk() opens
 *    one chunk with a given index and final flag, encdump_open_chunk_any()
 *    one chunk alone, final or not (a reader with gaps: host recv).
 *  - Reader (host tools): encdump_reader_feed() takes ciphertext in any
 *    pieces and hands verified plaintext to a callback, one chunk at a
 *    time; encdump_reader_finish() says whole, damaged (which chunk) or
 *    truncated (after which chunk).
 *  - encdump_stream_size(), encdump_chunk_offset(): sizes for space checks;
 *    encdump_layout(): where the chunks of a stream of a given length lie.
 *
 * Pure: no I/O, no globals; buffers come from the caller (mbedTLS's GCM
 * allocates its AES context: crypto/aesgcm.h).  Integers little-endian,
 * read and written byte by byte.
 */
#ifndef PAYLOAD_ENCDUMP_H
#define PAYLOAD_ENCDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aesgcm.h"
#include "crypto/sha256.h"

#define ENCDUMP_MAGIC		"PMENCRY1"	/* 8 bytes, no NUL */
#define ENCDUMP_MAGIC_LEN	8
#define ENCDUMP_VERSION		1
#define ENCDUMP_HEADER_SIZE	4096
#define ENCDUMP_CIPHER_AES256GCM	1
#define ENCDUMP_WRAP_RSA_OAEP_SHA256	1
#define ENCDUMP_CHUNK_SIZE	65536		/* what the writers use */
#define ENCDUMP_CHUNK_MIN	4096		/* what readers accept: powers of two */
#define ENCDUMP_CHUNK_MAX	(1u << 20)
#define ENCDUMP_TAG_LEN		16
#define ENCDUMP_KEY_LEN		32
#define ENCDUMP_SALT_LEN	32
#define ENCDUMP_KEY_ID_LEN	32
#define ENCDUMP_WRAPPED_MIN	256
#define ENCDUMP_WRAPPED_MAX	1024
#define ENCDUMP_INNER_KDUMP	1	/* the plaintext: kdump-compressed file */
#define ENCDUMP_INNER_ELF	2	/* ELF core */
#define ENCDUMP_KEY_LABEL	"postmortem dump key v1"	/* 22 bytes, no NUL */
#define ENCDUMP_KEY_LABEL_LEN	22
#define ENCDUMP_WHY_LEN		160	/* a why-string, one line */
#define ENCDUMP_TAG_OFFSET	0x468
#define ENCDUMP_USED_SIZE	0x478	/* struct encdump_header; zeros follow */
/* One chunk on the wire: ciphertext and tag (a seal or reader buffer). */
#define ENCDUMP_CHUNK_WIRE(chunk_size)	((size_t)(chunk_size) + ENCDUMP_TAG_LEN)

/* The header block's first ENCDUMP_USED_SIZE bytes, exactly as written. */
struct encdump_header {
	uint8_t magic[ENCDUMP_MAGIC_LEN];	/* 0x000 "PMENCRY1" */
	uint32_t version;			/* 0x008 1 */
	uint32_t header_size;			/* 0x00c 4096 */
	uint32_t cipher;			/* 0x010 ENCDUMP_CIPHER_AES256GCM */
	uint32_t wrap;				/* 0x014 ENCDUMP_WRAP_RSA_OAEP_SHA256 */
	uint32_t chunk_size;			/* 0x018 plaintext bytes per chunk */
	uint32_t wrapped_len;			/* 0x01c bytes of wrapped[] used */
	uint32_t inner_format;			/* 0x020 ENCDUMP_INNER_* (informational) */
	uint32_t flags;				/* 0x024 0 */
	uint8_t key_id[ENCDUMP_KEY_ID_LEN];	/* 0x028 SHA-256 of the public key's DER SPKI */
	uint8_t salt[ENCDUMP_SALT_LEN];		/* 0x048 fresh per dump */
	uint8_t wrapped[ENCDUMP_WRAPPED_MAX];	/* 0x068 M wrapped; zero after wrapped_len */
	uint8_t header_tag[ENCDUMP_TAG_LEN];	/* 0x468 GCM tag, see above */
};
_Static_assert(sizeof(struct encdump_header) == ENCDUMP_USED_SIZE, "encdump_header");
_Static_assert(offsetof(struct encdump_header, version) == 0x008, "version");
_Static_assert(offsetof(struct encdump_header, header_size) == 0x00c, "header_size");
_Static_assert(offsetof(struct encdump_header, cipher) == 0x010, "cipher");
_Static_assert(offsetof(struct encdump_header, wrap) == 0x014, "wrap");
_Static_assert(offsetof(struct encdump_header, chunk_size) == 0x018, "chunk_size");
_Static_assert(offsetof(struct encdump_header, wrapped_len) == 0x01c, "wrapped_len");
_Static_assert(offsetof(struct encdump_header, inner_format) == 0x020, "inner_format");
_Static_assert(offsetof(struct encdump_header, flags) == 0x024, "flags");
_Static_assert(offsetof(struct encdump_header, key_id) == 0x028, "key_id");
_Static_assert(offsetof(struct encdump_header, salt) == 0x048, "salt");
_Static_assert(offsetof(struct encdump_header, wrapped) == 0x068, "wrapped");
_Static_assert(offsetof(struct encdump_header, header_tag) == ENCDUMP_TAG_OFFSET, "header_tag");

/* ------------------------------------------------------------------ keys */

/* K = HMAC-SHA-256(M, ENCDUMP_KEY_LABEL || salt). */
void encdump_derive_key(const uint8_t master[ENCDUMP_KEY_LEN], const uint8_t salt[ENCDUMP_SALT_LEN],
			uint8_t key[ENCDUMP_KEY_LEN]);

/*
 * The crash kernel's salt for one dump: SHA-256 over rnd[0..rnd_len) (RDSEED
 * or RDRAND output; may be empty), u64 LE tsc, u32 LE attempt (a counter
 * that differs for every dump of one run) and the handoff's load_salt.
 */
void encdump_make_salt(const void *rnd, size_t rnd_len, uint64_t tsc, uint32_t attempt,
		       const uint8_t load_salt[ENCDUMP_SALT_LEN], uint8_t salt[ENCDUMP_SALT_LEN]);

/* ---------------------------------------------------------------- header */

/* What a writer puts in the header (cipher and wrap are version 1's). */
struct encdump_params {
	uint32_t chunk_size;			/* 0: ENCDUMP_CHUNK_SIZE */
	uint32_t inner_format;			/* ENCDUMP_INNER_* */
	uint8_t key_id[ENCDUMP_KEY_ID_LEN];
	uint8_t salt[ENCDUMP_SALT_LEN];
	const uint8_t *wrapped;			/* wrapped_len bytes */
	uint32_t wrapped_len;
};

/*
 * Build the header block into out[0..ENCDUMP_HEADER_SIZE) (zero padded),
 * with the header tag under the dump key.  Returns 0, -EINVAL (a field out
 * of range: *why, when not NULL, says which) or -EIO (the cipher failed).
 */
int encdump_header_build(const struct encdump_params *p, const uint8_t dump_key[ENCDUMP_KEY_LEN],
			 void *out, const char **why);

/*
 * Decode and check a header block in buf[0..len) without a key: len >=
 * 4096; magic; version 1; header_size 4096; cipher 1; wrap 1; chunk_size a
 * power of two in [4096, 1 MiB]; wrapped_len in [256, 1024]; inner_format
 * 1 or 2; flags 0; wrapped[] zero after wrapped_len; bytes [0x478, 4096)
 * zero.  Returns 0; -ENODATA (no magic: not an encrypted stream); -EINVAL
 * (buf NULL or len < 4096: "cut short"); -EBADMSG (a field fails: *why says
 * which, with the value).  *out holds the fields read, even on -EBADMSG.
 */
int encdump_header_parse(const void *buf, size_t len, struct encdump_header *out,
			 const char **why);

/* True when buf[0..len) starts with the magic (a quick look for inspect). */
bool encdump_is_encrypted(const void *buf, size_t len);

/* "kdump-compressed", "ELF core", "unknown". */
const char *encdump_inner_name(uint32_t inner_format);

/* ----------------------------------------------------------------- sizes */

/* Chunks a plaintext of plain_len bytes takes (1 for an empty one). */
uint64_t encdump_chunk_count(uint32_t chunk_size, uint64_t plain_len);
/* Stream bytes for plain_len plaintext bytes: header, chunks, tags. */
uint64_t encdump_stream_size(uint32_t chunk_size, uint64_t plain_len);
/* Stream offset of chunk i. */
uint64_t encdump_chunk_offset(uint32_t chunk_size, uint64_t i);
/*
 * The chunks a stream of stream_len bytes (header included, as its
 * container declares it) is cut into: *count of them, the last *last_wire
 * bytes long (ciphertext and tag; the others chunk_size + 16).  Returns 0;
 * -EINVAL when no stream is that long: no chunk after the header (*count
 * 0), or a last piece under the 16-byte tag (*count and *last_wire still
 * say where the pieces lie), or chunk_size 0.
 */
int encdump_layout(uint32_t chunk_size, uint64_t stream_len, uint64_t *count, size_t *last_wire);

/* ---------------------------------------------------------------- opener */

struct encdump_opener {
	struct crypto_aesgcm gcm;
	struct encdump_header h;		/* decoded */
	uint8_t header_digest[SHA256_LEN];	/* of the 4096-byte block */
	bool keyed;
};

/*
 * Parse the header block (as encdump_header_parse) and check its tag under
 * dump_key.  Returns 0, the parse errors, -EACCES when the tag does not
 * verify ("header damaged": a wrong private key never gets this far, its
 * unwrap fails first), -ENOMEM/-EIO from the cipher.  On success
 * encdump_open_free() must be called.
 */
int encdump_open_init(struct encdump_opener *o, const void *hdr, size_t len,
		      const uint8_t dump_key[ENCDUMP_KEY_LEN], const char **why);

/*
 * Open chunk index from in[0..in_len) (ciphertext then tag) into out
 * (in_len - 16 bytes; may be in, though a failed open then zeroes it), with
 * the final flag as given.  Returns 0, -EBADMSG (does not verify: out
 * zeroed), -EINVAL (in_len < 16 or > chunk_size + 16, or an empty
 * non-first chunk).
 */
int encdump_open_chunk(struct encdump_opener *o, uint64_t index, bool final, const void *in,
		       size_t in_len, void *out);

/*
 * Open chunk index on its own, final or not (a reader that meets the chunks
 * out of order, or with others missing: each chunk's index and final flag
 * are in its IV and AAD, so it verifies alone).  A chunk of chunk_size + 16
 * bytes is tried as a middle chunk, then as the final one; a shorter one
 * only as the final one.  Returns 0 with *final set; -EBADMSG (verifies
 * neither way: out zeroed); -EINVAL (as encdump_open_chunk()).
 */
int encdump_open_chunk_any(struct encdump_opener *o, uint64_t index, const void *in,
			   size_t in_len, void *out, bool *final);

void encdump_open_free(struct encdump_opener *o);

/* ---------------------------------------------------------------- sealer */

/* Where sealed bytes go: 0, or a negative error that stops the sealer. */
typedef int (*encdump_write_fn)(void *ctx, const void *buf, size_t len);

struct encdump_sealer {
	struct crypto_aesgcm gcm;
	uint8_t header_digest[SHA256_LEN];
	uint8_t *buf;			/* caller's: ENCDUMP_CHUNK_WIRE(chunk_size) bytes */
	uint32_t chunk_size;
	size_t fill;			/* plaintext bytes waiting in buf */
	uint64_t index;			/* of the chunk in buf */
	uint64_t plain;			/* plaintext bytes taken */
	uint64_t written;		/* stream bytes given to write */
	encdump_write_fn write;
	void *ctx;
	int err;			/* first error: sticky */
	bool finished;
};

/*
 * Start a stream: build the header (as encdump_header_build) in buf and
 * write it, 4096 bytes.  buf holds ENCDUMP_CHUNK_WIRE(chunk_size) bytes
 * (at least 4096 + 16) and belongs to the sealer until finish.  Returns 0,
 * -EINVAL (with *why), -ENOMEM/-EIO or the callback's error; after an
 * error the sealer is freed.
 */
int encdump_seal_init(struct encdump_sealer *s, const struct encdump_params *p,
		      const uint8_t dump_key[ENCDUMP_KEY_LEN], void *buf, size_t buf_len,
		      encdump_write_fn write, void *ctx, const char **why);

/*
 * Take len plaintext bytes.  A full chunk is sealed (final = 0) and written
 * only when more bytes arrive, so the last chunk is always final.  Returns
 * 0 or the sticky error.
 */
int encdump_seal_write(struct encdump_sealer *s, const void *data, size_t len);

/*
 * Seal the buffered chunk with final = 1 (an empty one only when nothing
 * was written), write it and free the cipher.  Returns 0 or the sticky
 * error.  Always frees, so call it (or encdump_seal_abort) exactly once.
 */
int encdump_seal_finish(struct encdump_sealer *s);

/* Give up without a final chunk (the stream reads as truncated); frees. */
void encdump_seal_abort(struct encdump_sealer *s);

/* ------------------------------------------------------ sealing at offsets */

/*
 * The same stream, from plaintext written in the pattern of a
 * kdump-compressed file written in one pass (formats/diskdump.h
 * diskdump_single()): appends in order, one jump forward (both ends on a
 * 4096-byte boundary), and whole 4096-byte blocks filling the gap the jump
 * left, in increasing order from its start, each byte once.  Every chunk is
 * sealed exactly as encdump_seal_write() seals it (its index in IV and AAD,
 * final on the last one only), so the stream is byte for byte the one the
 * in-order sealer makes from the same file, salt and key.
 *
 * A chunk is sealed when all its plaintext has arrived and a byte past it
 * has (so the last one is always final), and written at its place in the
 * stream through write_at in the same pattern: appends in order, at most
 * one jump forward, and fills of whole 4096-byte stream blocks into the
 * gap, in increasing order (payload/dumphdr.h dumphdr_writer_body_at takes
 * it).  A 4096-byte block holding the end of one chunk and the start of the
 * next waits in an edge buffer until both are sealed.
 *
 * Bounded: ENCDUMP_AT_SLOTS chunks being filled at once (the one-pass
 * writer needs three: the descriptor block frontier, the chunk across the
 * descriptors' end and the data's start, the appends' tail), and
 * ENCDUMP_AT_EDGES edge blocks.  Anything else (a byte twice, a fill out of
 * order, a second jump, more chunks open than the slots) is an error with
 * a one-line why: a chunk is never sealed twice.
 */
#define ENCDUMP_AT_SLOTS	4
#define ENCDUMP_AT_EDGES	6
#define ENCDUMP_AT_BLOCK	4096

typedef int (*encdump_write_at_fn)(void *ctx, uint64_t off, const void *buf, size_t len);

struct encdump_at_slot {
	uint8_t *buf;			/* caller's: ENCDUMP_CHUNK_WIRE(chunk_size) bytes */
	uint64_t index;			/* the chunk it holds, when used */
	uint32_t got;			/* plaintext bytes arrived */
	bool used;
};

struct encdump_at_edge {
	uint64_t block;			/* stream offset / ENCDUMP_AT_BLOCK */
	uint32_t got;			/* bytes arrived (two chunks' parts) */
	bool used;
	uint8_t buf[ENCDUMP_AT_BLOCK];
};

struct encdump_sealer_at {
	struct encdump_sealer *s;	/* started (header written), nothing sealed yet */
	encdump_write_at_fn write_at;
	void *ctx;
	struct encdump_at_slot slot[ENCDUMP_AT_SLOTS];
	struct encdump_at_edge edge[ENCDUMP_AT_EDGES];
	/* plaintext */
	uint64_t offered;		/* where the next append goes; the highest byte + 1 */
	bool jumped;
	uint64_t gap_next, gap_end;	/* the gap's next fill, its end */
	/* stream */
	uint64_t front;			/* where the next append goes */
	bool cjumped;
	uint64_t cgap_next, cgap_end;
	int err;			/* first error: sticky */
	char why[ENCDUMP_WHY_LEN];
};

/*
 * Take over a sealer just started by encdump_seal_init() (nothing written
 * since).  bufs: ENCDUMP_AT_SLOTS buffers of ENCDUMP_CHUNK_WIRE(chunk_size)
 * bytes (one may be the sealer's own buf).  Returns 0 or -EINVAL.
 */
int encdump_seal_at_init(struct encdump_sealer_at *a, struct encdump_sealer *s,
			 uint8_t *const bufs[ENCDUMP_AT_SLOTS], encdump_write_at_fn write_at,
			 void *ctx);

/* len plaintext bytes at offset off (see above).  0, or the sticky error
 * with a->why: -EINVAL (outside the pattern), -ENOSPC (more chunks open
 * than the slots, or edge blocks than ENCDUMP_AT_EDGES), the cipher's or
 * write_at's error. */
int encdump_seal_at_write(struct encdump_sealer_at *a, uint64_t off, const void *data, size_t len);

/* Seal the last chunk final, write the stream's last block, free the
 * cipher and wipe the buffers.  -EINVAL when plaintext bytes are missing
 * (a gap not filled).  Call it or encdump_seal_at_abort() exactly once. */
int encdump_seal_at_finish(struct encdump_sealer_at *a);

void encdump_seal_at_abort(struct encdump_sealer_at *a);

/* ---------------------------------------------------------------- reader */

struct encdump_reader {
	struct encdump_opener *o;
	uint8_t *cbuf;			/* ciphertext: ENCDUMP_CHUNK_WIRE(chunk_size) */
	uint8_t *pbuf;			/* plaintext: chunk_size */
	size_t have;			/* ciphertext bytes in cbuf */
	uint64_t index;			/* of the chunk in cbuf */
	uint64_t plain;			/* plaintext bytes handed out */
	uint64_t trailing;		/* bytes seen after the final chunk (an error) */
	encdump_write_fn out;
	void *ctx;
	int err;			/* first error: sticky */
	bool final_seen;
	char why[ENCDUMP_WHY_LEN];	/* the verdict or error, one line */
};

/*
 * Read the stream after its header block through an opened opener.  cbuf:
 * ENCDUMP_CHUNK_WIRE(chunk_size) bytes; pbuf: chunk_size bytes.  out gets
 * verified plaintext only, in order.
 */
void encdump_reader_init(struct encdump_reader *r, struct encdump_opener *o, void *cbuf,
			 void *pbuf, encdump_write_fn out, void *ctx);

/*
 * Ciphertext bytes in any pieces.  Returns 0; -EBADMSG when a chunk that
 * more bytes follow fails to verify (r->why: "chunk N fails authentication
 * (damaged)"), and for bytes after the final chunk (a stream ends where its
 * final chunk does; r->trailing counts them); or out's error.
 */
int encdump_reader_feed(struct encdump_reader *r, const void *data, size_t len);

/*
 * The end of the stream.  container_whole: the container vouches that every
 * byte it meant to hold is there (its own length or digest checked), so a
 * last chunk that fails is damaged rather than cut.  Returns 0 (whole: the
 * final chunk verified), -EBADMSG (chunk N damaged), -ENODATA (truncated
 * after chunk N: every chunk present verified, none final), or a sticky
 * error; r->why says which in one line.
 */
int encdump_reader_finish(struct encdump_reader *r, bool container_whole);

#endif
