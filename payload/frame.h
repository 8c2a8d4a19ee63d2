/*
 * frame: the serial dump stream.  `dump=serial` sends the dump file (the
 * kdump-compressed file of formats/diskdump.h, or with dump.format=elf the
 * ELF core of formats/elfcore.h; the HEADER's body_format says which) as
 * frames over a UART that also carries console text; `postmortem recv`
 * finds the frames in a capture and rebuilds the file.  docs/dump-serial.md describes the format for other tools; this
 * header is the authority for every offset.
 *
 * A frame (all integers little-endian):
 *
 *   +0   magic[8]     A5 50 4D 46 52 4D 5A 0F  ("\xA5PMFRM\x5A\x0F")
 *   +8   version      1
 *   +9   type         HEADER 1, DATA 2, ZERO 3, TRAILER 4
 *   +10  length       payload bytes, <= FRAME_PAYLOAD_MAX
 *   +12  seq          0 for the HEADER, then +1 per frame, TRAILER last
 *   +16  dump_id      the same in every frame of one dump
 *   +24  offset       DATA, ZERO: file offset of the bytes; else 0
 *   +32  payload_crc  CRC-32 of the payload (crypto/crc32.h)
 *   +36  header_crc   CRC-32 of bytes [0, 36)
 *   +40  payload
 *
 *   +9   type         ... BRIEF 5 (the crash record, before the HEADER)
 *
 * HEADER's payload is struct frame_dump_header, TRAILER's struct
 * frame_dump_trailer (a longer payload is allowed; readers take the known
 * part), DATA's the file bytes [offset, offset + length), ZERO's a u64
 * count: the file bytes [offset, offset + count) are all zero.  The sender
 * sends the file in order, so the TRAILER's SHA-256 (of the file's first
 * bytes_sent bytes) is computed as it goes.
 *
 * No escaping: the UART is 8-bit clean and the receiver never looks for a
 * marker inside a frame whose header checked out (its length is CRC'd, so
 * payload bytes that look like a marker are just payload).  Only while
 * hunting, after console text or damage, could a marker in a payload be
 * taken for a frame start, and then a false header must also match a
 * CRC-32 and the dump's id.  Capture the line raw (no CR/LF translation,
 * no XON/XOFF), as QEMU's `-serial file:` does.  The kernel must not print
 * console text in the middle of a frame (one CPU, polled: it writes each
 * frame whole).
 *
 * Interface.  Sender (kernel): frame_sender_begin() with the file's facts
 * and an emit callback, frame_sender_write() / frame_sender_zero() for the
 * file's bytes in order, frame_sender_end() for the TRAILER; it packs
 * DATA frames of FRAME_DATA_MAX bytes and sends all-zero stretches as ZERO
 * frames.  frame_encode() builds any single frame.  Receiver (host):
 * frame_decoder_init(), frame_feed() with chunks of any size, then
 * frame_finish(); the callback sees each frame as struct frame, with
 * status FRAME_OK, FRAME_BAD_PAYLOAD (header good, payload CRC wrong: its
 * type, seq and offset can be trusted, the bytes not) or FRAME_TRUNCATED
 * (the stream ended inside it).  After a bad payload the decoder hunts
 * again from the end of that frame's header, so a frame cut short (bytes
 * lost on the line) does not take the next frame with it.
 *
 * Pure module: no globals, no I/O, no allocation (the decoder and sender
 * keep their buffers in their structs); builds unchanged into the kernel,
 * build/postmortem and the tests.  Errors: negative errno (-EINVAL,
 * -EOVERFLOW, -EBADMSG, or what a callback returned).
 */
#ifndef PAYLOAD_FRAME_H
#define PAYLOAD_FRAME_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"

#define FRAME_MAGIC		"\xA5PMFRM\x5A\x0F"	/* 8 bytes, no NUL */
#define FRAME_MAGIC_LEN		8
#define FRAME_VERSION		1

#define FRAME_TYPE_HEADER	1
#define FRAME_TYPE_DATA		2
#define FRAME_TYPE_ZERO		3
#define FRAME_TYPE_TRAILER	4
#define FRAME_TYPE_BRIEF	5	/* the crash record, sent before the HEADER */

#define FRAME_HEADER_SIZE	40
#define FRAME_DATA_MAX		1024	/* DATA payload the sender uses */
#define FRAME_PAYLOAD_MAX	1024	/* any payload */
#define FRAME_MAX_SIZE		(FRAME_HEADER_SIZE + FRAME_PAYLOAD_MAX)

struct frame_wire {
	uint8_t magic[FRAME_MAGIC_LEN];	/* 0x00 */
	uint8_t version;		/* 0x08 */
	uint8_t type;			/* 0x09 */
	uint16_t length;		/* 0x0a */
	uint32_t seq;			/* 0x0c */
	uint64_t dump_id;		/* 0x10 */
	uint64_t offset;		/* 0x18 */
	uint32_t payload_crc;		/* 0x20 */
	uint32_t header_crc;		/* 0x24 over [0x00, 0x24) */
};
_Static_assert(sizeof(struct frame_wire) == FRAME_HEADER_SIZE, "frame_wire");
_Static_assert(offsetof(struct frame_wire, version) == 0x08, "version");
_Static_assert(offsetof(struct frame_wire, type) == 0x09, "type");
_Static_assert(offsetof(struct frame_wire, length) == 0x0a, "length");
_Static_assert(offsetof(struct frame_wire, seq) == 0x0c, "seq");
_Static_assert(offsetof(struct frame_wire, dump_id) == 0x10, "dump_id");
_Static_assert(offsetof(struct frame_wire, offset) == 0x18, "offset");
_Static_assert(offsetof(struct frame_wire, payload_crc) == 0x20, "payload_crc");
_Static_assert(offsetof(struct frame_wire, header_crc) == 0x24, "header_crc");

/* HEADER payload: what the file will be. */
struct frame_dump_header {
	uint64_t file_size;		/* 0x00 bytes of the file */
	uint64_t created;		/* 0x08 Unix time; 0 unknown */
	uint32_t segment_count;		/* 0x10 PT_LOADs of an ELF file; 0 for kdump */
	uint32_t data_max;		/* 0x14 largest DATA payload sent */
	uint32_t flags;			/* 0x18 none defined: 0 */
	uint32_t body_format;		/* 0x1c FRAME_BODY_*: what the file is */
	char producer[32];		/* 0x20 e.g. "postmortem 0.1.0", NUL-padded */
};
_Static_assert(sizeof(struct frame_dump_header) == 64, "frame_dump_header");
_Static_assert(offsetof(struct frame_dump_header, segment_count) == 0x10, "segment_count");
_Static_assert(offsetof(struct frame_dump_header, body_format) == 0x1c, "body_format");
_Static_assert(offsetof(struct frame_dump_header, producer) == 0x20, "producer");

/* body_format: the same values as the dump header's (payload/dumphdr.h).
 * 0 is what senders before the field wrote: an ELF core. */
#define FRAME_BODY_UNSET	0	/* an ELF core (older senders) */
#define FRAME_BODY_ELF		1	/* ELF64 core file */
#define FRAME_BODY_KDUMP	2	/* makedumpfile's kdump-compressed file */
#define FRAME_BODY_ENCRYPTED	3	/* an encrypted stream (payload/encdump.h): file_size is its */

/* TRAILER payload: how it ended. */
struct frame_dump_trailer {
	uint64_t file_size;		/* 0x00 as in the HEADER */
	uint64_t bytes_sent;		/* 0x08 file bytes [0, bytes_sent) were sent */
	uint32_t frame_count;		/* 0x10 frames before this one (= its seq) */
	int32_t status;			/* 0x14 0 complete, else -errno it stopped with */
	uint8_t sha256[SHA256_LEN];	/* 0x18 of file bytes [0, bytes_sent) */
};
_Static_assert(sizeof(struct frame_dump_trailer) == 56, "frame_dump_trailer");
_Static_assert(offsetof(struct frame_dump_trailer, frame_count) == 0x10, "frame_count");
_Static_assert(offsetof(struct frame_dump_trailer, status) == 0x14, "status");
_Static_assert(offsetof(struct frame_dump_trailer, sha256) == 0x18, "sha256");

/*
 * BRIEF payload: struct frame_brief then text bytes [offset, offset + n)
 * of the crash record (payload/brief.h), total bytes long, at most
 * FRAME_BRIEF_MAX.  seq counts the BRIEF frames from 0; they carry the
 * dump's dump_id and come before its HEADER, outside the HEADER..TRAILER
 * numbering.  A reader that does not know type 5 skips them.
 */
#define FRAME_BRIEF_MAX		(64u << 10)
struct frame_brief {
	uint32_t total;			/* 0x00 bytes of the whole record */
	uint32_t reserved;		/* 0x04 0 */
};
_Static_assert(sizeof(struct frame_brief) == 8, "frame_brief");

/* ------------------------------------------------------------- encoding */

/*
 * Build one frame into out (cap bytes).  Returns its size (40 + len), or 0
 * when cap is short, len > FRAME_PAYLOAD_MAX, payload is NULL with len > 0,
 * or the frame breaks a rule the decoder checks (unknown type; DATA empty
 * or [offset, +len) wrapping; ZERO not 8 bytes; HEADER / TRAILER shorter
 * than their struct).
 */
size_t frame_encode(void *out, size_t cap, uint8_t type, uint32_t seq, uint64_t dump_id,
		    uint64_t offset, const void *payload, size_t len);

struct frame_sender {
	int (*emit)(void *ctx, const void *frame, size_t len);	/* 0 or -errno */
	void *ctx;
	uint64_t dump_id;
	uint64_t file_size;
	uint64_t pos;			/* file bytes accepted */
	uint32_t seq;			/* of the next frame */
	uint64_t zero_start, zero_len;	/* ZERO run not yet sent */
	size_t fill;			/* bytes in chunk */
	int error;			/* first failure; every later call returns it */
	struct crypto_sha256 sha;
	uint8_t chunk[FRAME_DATA_MAX];
	uint8_t frame[FRAME_MAX_SIZE];
};

/*
 * Start a dump: send the HEADER (h's data_max is set here).  emit gets
 * each whole frame.  Returns 0, or the error emit returned.
 */
int frame_sender_begin(struct frame_sender *s, const struct frame_dump_header *h,
		       uint64_t dump_id, int (*emit)(void *ctx, const void *frame, size_t len),
		       void *ctx);

/*
 * The next len bytes of the file (write) or len zero bytes (zero).
 * Returns 0; -EINVAL past the HEADER's file_size (nothing taken); the
 * latched error of an earlier failure; -EOVERFLOW when seq would wrap.
 */
int frame_sender_write(struct frame_sender *s, const void *buf, size_t len);
int frame_sender_zero(struct frame_sender *s, uint64_t len);

/*
 * Send text[0..len) (len <= FRAME_BRIEF_MAX) as BRIEF frames for dump_id,
 * building each in frame (FRAME_MAX_SIZE bytes).  Returns 0, -EINVAL, or
 * the error emit returned.
 */
int frame_send_brief(int (*emit)(void *ctx, const void *frame, size_t len), void *ctx,
		     uint64_t dump_id, const char *text, size_t len, uint8_t *frame);

/*
 * Flush and send the TRAILER with status (0: the sender believes the dump
 * is whole; a status of 0 with fewer than file_size bytes given becomes
 * -ENODATA).  Returns the status sent, or the emit error.
 */
int frame_sender_end(struct frame_sender *s, int32_t status);

/* ------------------------------------------------------------- decoding */

#define FRAME_OK		0	/* both CRCs good */
#define FRAME_BAD_PAYLOAD	1	/* header good, payload CRC wrong */
#define FRAME_TRUNCATED		2	/* header good, stream ended in the payload */

/* A frame as the callback sees it; valid only during the callback. */
struct frame {
	int status;			/* FRAME_OK ... */
	uint8_t type;
	uint16_t length;		/* payload bytes the header announced */
	uint32_t seq;
	uint64_t dump_id;
	uint64_t offset;
	const uint8_t *payload;		/* FRAME_OK only, else NULL */
	uint64_t stream_pos;		/* stream offset of its marker */
};

struct frame_stats {
	uint64_t bytes;			/* fed */
	uint64_t frames;		/* FRAME_OK */
	uint64_t bad_header;		/* marker, but header CRC or fields wrong */
	uint64_t bad_payload;
	uint64_t truncated;
	uint64_t garbage;		/* bytes outside good frames: console text, damage */
	uint64_t resyncs;		/* frames found after skipping bytes */
};

struct frame_decoder {
	struct frame_stats stats;
	uint64_t pos;			/* stream offset of buf[0] */
	size_t have;			/* bytes in buf */
	bool header_ok;			/* buf starts with a checked header */
	bool skipped;			/* bytes skipped since the last frame */
	struct frame_wire hdr;		/* when header_ok */
	uint8_t buf[FRAME_MAX_SIZE];
};

void frame_decoder_init(struct frame_decoder *d);

/*
 * Feed len bytes of the stream.  cb (may be NULL) is called for each
 * frame found; a non-zero return stops the feed and is returned (the
 * decoder then holds an undefined amount of the input: start afresh).
 * Returns 0 or that value; -EINVAL for NULL d or buf with len > 0.
 */
int frame_feed(struct frame_decoder *d, const void *buf, size_t len,
	       int (*cb)(void *ctx, const struct frame *f), void *ctx);

/*
 * End of stream: a frame whose header was read but whose payload never
 * came whole is reported FRAME_TRUNCATED, and the bytes after its header
 * are searched for frames once more; what is left counts as garbage.
 */
int frame_finish(struct frame_decoder *d, int (*cb)(void *ctx, const struct frame *f), void *ctx);

/*
 * Typed payloads of a FRAME_OK frame.  Return 0; -EINVAL (out untouched)
 * when the frame is not of that type, not FRAME_OK, or its payload is too
 * short.  ZERO's count is not checked against anything: a receiver checks
 * [offset, offset + count) against the file size itself.
 */
int frame_dump_header_get(const struct frame *f, struct frame_dump_header *out);
int frame_dump_trailer_get(const struct frame *f, struct frame_dump_trailer *out);
int frame_zero_get(const struct frame *f, uint64_t *count);

/*
 * A BRIEF frame's part of the record: *total, and *text / *len, the bytes
 * for [f->offset, f->offset + *len).  -EINVAL as above, and when total is
 * 0 or above FRAME_BRIEF_MAX or the part does not lie inside it.
 */
int frame_brief_get(const struct frame *f, uint32_t *total, const uint8_t **text, size_t *len);

/* "HEADER", "DATA", "ZERO", "TRAILER", "BRIEF" or "?". */
const char *frame_type_name(uint8_t type);

#endif
