/*
 * frame: encoder, sender and streaming decoder of the serial dump stream.
 * Format and interface: payload/frame.h; prose: docs/dump-serial.md.
 *
 * Pure module: no globals, no I/O, no allocation; builds unchanged into
 * the kernel, build/postmortem and the tests.  The decoder keeps at most
 * one frame's bytes (struct frame_decoder.buf) and works the same on any
 * split of the input, byte by byte included: new bytes are appended, then
 * frame_process() consumes whole frames from the front and drops bytes
 * that cannot start one.  Stream bytes are hostile: a header is believed
 * only after its CRC and every field rule pass, and the payload is handed
 * out only after its own CRC.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/crc32.h"
#include "crypto/sha256.h"
#include "payload/frame.h"

/* memcpy into wire structs reads little-endian fields as the host's. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");
_Static_assert(sizeof(FRAME_MAGIC) - 1 == FRAME_MAGIC_LEN, "magic length");

#define FRAME_CRC_SPAN	offsetof(struct frame_wire, header_crc)

/* --------------------------------------------------------------- shared */

/* The rules a header must follow beyond its CRC (encoder and decoder). */
static bool frame_fields_ok(uint8_t type, size_t len, uint64_t offset)
{
	if (len > FRAME_PAYLOAD_MAX)
		return false;
	switch (type) {
	case FRAME_TYPE_HEADER:
		return len >= sizeof(struct frame_dump_header) && offset == 0;
	case FRAME_TYPE_TRAILER:
		return len >= sizeof(struct frame_dump_trailer) && offset == 0;
	case FRAME_TYPE_DATA:
		return len != 0 && offset + (len - 1) >= offset;
	case FRAME_TYPE_ZERO:
		return len == sizeof(uint64_t);
	case FRAME_TYPE_BRIEF:
		return len >= sizeof(struct frame_brief) && offset <= FRAME_BRIEF_MAX &&
		       offset + (len - sizeof(struct frame_brief)) <= FRAME_BRIEF_MAX;
	default:
		return false;
	}
}

const char *frame_type_name(uint8_t type)
{
	switch (type) {
	case FRAME_TYPE_HEADER:
		return "HEADER";
	case FRAME_TYPE_DATA:
		return "DATA";
	case FRAME_TYPE_ZERO:
		return "ZERO";
	case FRAME_TYPE_TRAILER:
		return "TRAILER";
	case FRAME_TYPE_BRIEF:
		return "BRIEF";
	default:
		return "?";
	}
}

/* ------------------------------------------------------------- encoding */

size_t frame_encode(void *out, size_t cap, uint8_t type, uint32_t seq, uint64_t dump_id,
		    uint64_t offset, const void *payload, size_t len)
{
	struct frame_wire w;
	uint8_t *o = out;

	if (out == NULL || (payload == NULL && len != 0) || !frame_fields_ok(type, len, offset) ||
	    cap < FRAME_HEADER_SIZE || len > cap - FRAME_HEADER_SIZE)
		return 0;
	memcpy(w.magic, FRAME_MAGIC, FRAME_MAGIC_LEN);
	w.version = FRAME_VERSION;
	w.type = type;
	w.length = (uint16_t)len;
	w.seq = seq;
	w.dump_id = dump_id;
	w.offset = offset;
	w.payload_crc = crc32(payload, len);
	w.header_crc = crc32(&w, FRAME_CRC_SPAN);
	memcpy(o, &w, sizeof(w));
	if (len != 0)
		memmove(o + FRAME_HEADER_SIZE, payload, len);
	return FRAME_HEADER_SIZE + len;
}

/* --------------------------------------------------------------- sender */

int frame_send_brief(int (*emit)(void *ctx, const void *frame, size_t len), void *ctx,
		     uint64_t dump_id, const char *text, size_t len, uint8_t *frame)
{
	uint8_t part[FRAME_PAYLOAD_MAX];
	struct frame_brief b = { (uint32_t)len, 0 };
	const size_t step = FRAME_PAYLOAD_MAX - sizeof(b);
	uint32_t seq = 0;

	if (emit == NULL || frame == NULL || (text == NULL && len) || len == 0 ||
	    len > FRAME_BRIEF_MAX)
		return -EINVAL;
	for (size_t off = 0; off < len; off += step, seq++) {
		size_t n = len - off < step ? len - off : step, fl;
		int err;

		memcpy(part, &b, sizeof(b));
		memcpy(part + sizeof(b), text + off, n);
		fl = frame_encode(frame, FRAME_MAX_SIZE, FRAME_TYPE_BRIEF, seq, dump_id, off, part,
				  sizeof(b) + n);
		if (fl == 0)
			return -EINVAL;
		err = emit(ctx, frame, fl);
		if (err)
			return err < 0 ? err : -EIO;
	}
	return 0;
}

/* Encode into s->frame and emit; latch the first error. */
static int frame_send(struct frame_sender *s, uint8_t type, uint64_t offset,
		      const void *payload, size_t len)
{
	size_t n;
	int err;

	if (s->error != 0)
		return s->error;
	if (s->seq == UINT32_MAX)
		return s->error = -EOVERFLOW;
	n = frame_encode(s->frame, sizeof(s->frame), type, s->seq, s->dump_id, offset,
			 payload, len);
	if (n == 0)
		return s->error = -EINVAL;	/* our own bug: a rule broken */
	err = s->emit(s->ctx, s->frame, n);
	if (err != 0)
		return s->error = err < 0 ? err : -EIO;
	s->seq++;
	return 0;
}

static int frame_flush_zero(struct frame_sender *s)
{
	uint64_t n = s->zero_len;
	int err;

	if (n == 0)
		return 0;
	err = frame_send(s, FRAME_TYPE_ZERO, s->zero_start, &n, sizeof(n));
	if (err == 0)
		s->zero_len = 0;
	return err;
}

static bool frame_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* Send the buffered chunk as DATA, or add it to the ZERO run. */
static int frame_flush_chunk(struct frame_sender *s)
{
	uint64_t off = s->pos - s->fill;
	int err;

	if (s->fill == 0)
		return 0;
	crypto_sha256_update(&s->sha, s->chunk, s->fill);
	if (frame_all_zero(s->chunk, s->fill)) {
		if (s->zero_len == 0)
			s->zero_start = off;
		s->zero_len += s->fill;
	} else {
		err = frame_flush_zero(s);
		if (err == 0)
			err = frame_send(s, FRAME_TYPE_DATA, off, s->chunk, s->fill);
		if (err != 0)
			return err;
	}
	s->fill = 0;
	return 0;
}

int frame_sender_begin(struct frame_sender *s, const struct frame_dump_header *h,
		       uint64_t dump_id, int (*emit)(void *ctx, const void *frame, size_t len),
		       void *ctx)
{
	struct frame_dump_header hd;

	if (s == NULL || h == NULL || emit == NULL)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->emit = emit;
	s->ctx = ctx;
	s->dump_id = dump_id;
	s->file_size = h->file_size;
	crypto_sha256_init(&s->sha);
	hd = *h;
	hd.data_max = FRAME_DATA_MAX;
	return frame_send(s, FRAME_TYPE_HEADER, 0, &hd, sizeof(hd));
}

int frame_sender_write(struct frame_sender *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t n;
	int err;

	if (s == NULL || (buf == NULL && len != 0))
		return -EINVAL;
	if (s->error != 0)
		return s->error;
	if (len > s->file_size - s->pos)
		return -EINVAL;
	while (len > 0) {
		n = sizeof(s->chunk) - s->fill;
		n = n < len ? n : len;
		memcpy(s->chunk + s->fill, p, n);
		s->fill += n;
		s->pos += n;
		p += n;
		len -= n;
		if (s->fill == sizeof(s->chunk) && (err = frame_flush_chunk(s)) != 0)
			return err;
	}
	return 0;
}

int frame_sender_zero(struct frame_sender *s, uint64_t len)
{
	uint64_t whole;
	size_t n;
	int err;

	if (s == NULL)
		return -EINVAL;
	if (s->error != 0)
		return s->error;
	if (len > s->file_size - s->pos)
		return -EINVAL;
	while (len > 0) {
		if (s->fill != 0 || len < sizeof(s->chunk)) {
			/* Top up a partial chunk; it may hold data. */
			n = sizeof(s->chunk) - s->fill;
			n = n < len ? (size_t)n : (size_t)len;
			memset(s->chunk + s->fill, 0, n);
			s->fill += n;
			s->pos += n;
			len -= n;
			if (s->fill == sizeof(s->chunk) && (err = frame_flush_chunk(s)) != 0)
				return err;
			continue;
		}
		/* Whole chunks straight into the ZERO run; chunk is free. */
		whole = len - len % sizeof(s->chunk);
		if (s->zero_len == 0)
			s->zero_start = s->pos;
		s->zero_len += whole;
		s->pos += whole;
		len -= whole;
		memset(s->chunk, 0, sizeof(s->chunk));
		for (; whole > 0; whole -= sizeof(s->chunk))
			crypto_sha256_update(&s->sha, s->chunk, sizeof(s->chunk));
	}
	return 0;
}

int frame_sender_end(struct frame_sender *s, int32_t status)
{
	struct frame_dump_trailer t;
	int err;

	if (s == NULL)
		return -EINVAL;
	err = frame_flush_chunk(s);
	if (err == 0)
		err = frame_flush_zero(s);
	if (err != 0)
		return err;
	memset(&t, 0, sizeof(t));
	t.file_size = s->file_size;
	t.bytes_sent = s->pos;
	t.frame_count = s->seq;
	t.status = status == 0 && s->pos != s->file_size ? -ENODATA : status;
	crypto_sha256_final(&s->sha, t.sha256);
	err = frame_send(s, FRAME_TYPE_TRAILER, 0, &t, sizeof(t));
	return err != 0 ? err : t.status;
}

/* ------------------------------------------------------------- decoding */

void frame_decoder_init(struct frame_decoder *d)
{
	memset(d, 0, sizeof(*d));
}

/* Drop n bytes from the front; garbage ones are counted and remembered. */
static void frame_drop(struct frame_decoder *d, size_t n, bool garbage)
{
	memmove(d->buf, d->buf + n, d->have - n);
	d->have -= n;
	d->pos += n;
	if (garbage && n != 0) {
		d->stats.garbage += n;
		d->skipped = true;
	}
}

/* First index where buf holds the marker, or a prefix of it cut by the end. */
static size_t frame_find_marker(const uint8_t *buf, size_t have)
{
	const uint8_t *p;
	size_t k = 0, m;

	while (k < have) {
		p = memchr(buf + k, FRAME_MAGIC[0], have - k);
		if (p == NULL)
			return have;
		k = (size_t)(p - buf);
		m = have - k < FRAME_MAGIC_LEN ? have - k : FRAME_MAGIC_LEN;
		if (memcmp(buf + k, FRAME_MAGIC, m) == 0)
			return k;
		k++;
	}
	return have;
}

/* buf starts with the marker and holds a whole header: believe it? */
static bool frame_header_check(struct frame_decoder *d)
{
	struct frame_wire w;

	memcpy(&w, d->buf, sizeof(w));
	if (w.header_crc != crc32(d->buf, FRAME_CRC_SPAN) || w.version != FRAME_VERSION ||
	    !frame_fields_ok(w.type, w.length, w.offset))
		return false;
	d->hdr = w;
	return true;
}

static void frame_describe(const struct frame_decoder *d, int status, struct frame *f)
{
	memset(f, 0, sizeof(*f));
	f->status = status;
	f->type = d->hdr.type;
	f->length = d->hdr.length;
	f->seq = d->hdr.seq;
	f->dump_id = d->hdr.dump_id;
	f->offset = d->hdr.offset;
	f->stream_pos = d->pos;
	if (status == FRAME_OK)
		f->payload = d->buf + FRAME_HEADER_SIZE;
}

/*
 * Consume what the buffer holds: hunt for a marker, check the header,
 * wait for the payload, report the frame.  Returns 0 when more bytes are
 * needed, or a callback's non-zero value.
 */
static int frame_process(struct frame_decoder *d,
			 int (*cb)(void *ctx, const struct frame *f), void *ctx)
{
	struct frame f;
	size_t total;
	bool ok;
	int rc;

	for (;;) {
		if (!d->header_ok) {
			frame_drop(d, frame_find_marker(d->buf, d->have), true);
			if (d->have < FRAME_HEADER_SIZE)
				return 0;
			if (!frame_header_check(d)) {
				d->stats.bad_header++;
				frame_drop(d, 1, true);
				continue;
			}
			d->header_ok = true;
		}
		total = FRAME_HEADER_SIZE + d->hdr.length;
		if (d->have < total)
			return 0;
		ok = crc32(d->buf + FRAME_HEADER_SIZE, d->hdr.length) == d->hdr.payload_crc;
		frame_describe(d, ok ? FRAME_OK : FRAME_BAD_PAYLOAD, &f);
		if (ok) {
			d->stats.frames++;
			d->stats.resyncs += d->skipped;
			d->skipped = false;
		} else {
			d->stats.bad_payload++;
		}
		rc = cb != NULL ? cb(ctx, &f) : 0;
		/* A bad payload may hide the next frame's start: hunt in it. */
		frame_drop(d, ok ? total : FRAME_HEADER_SIZE, !ok);
		d->header_ok = false;
		if (rc != 0)
			return rc;
	}
}

int frame_feed(struct frame_decoder *d, const void *buf, size_t len,
	       int (*cb)(void *ctx, const struct frame *f), void *ctx)
{
	const uint8_t *p = buf;
	size_t n;
	int rc;

	if (d == NULL || (buf == NULL && len != 0))
		return -EINVAL;
	while (len > 0) {
		/* Room is never 0 here: a full buffer always holds a whole frame. */
		n = sizeof(d->buf) - d->have;
		n = n < len ? n : len;
		memcpy(d->buf + d->have, p, n);
		d->have += n;
		d->stats.bytes += n;
		p += n;
		len -= n;
		rc = frame_process(d, cb, ctx);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int frame_finish(struct frame_decoder *d, int (*cb)(void *ctx, const struct frame *f), void *ctx)
{
	struct frame f;
	int rc;

	if (d == NULL)
		return -EINVAL;
	while (d->header_ok) {
		frame_describe(d, FRAME_TRUNCATED, &f);
		d->stats.truncated++;
		rc = cb != NULL ? cb(ctx, &f) : 0;
		frame_drop(d, FRAME_HEADER_SIZE, true);
		d->header_ok = false;
		if (rc != 0)
			return rc;
		rc = frame_process(d, cb, ctx);
		if (rc != 0)
			return rc;
	}
	frame_drop(d, d->have, true);
	return 0;
}

/* ------------------------------------------------------ typed payloads */

static int frame_payload(const struct frame *f, uint8_t type, size_t size)
{
	if (f == NULL || f->status != FRAME_OK || f->type != type || f->length < size ||
	    f->payload == NULL)
		return -EINVAL;
	return 0;
}

int frame_dump_header_get(const struct frame *f, struct frame_dump_header *out)
{
	int err = frame_payload(f, FRAME_TYPE_HEADER, sizeof(*out));

	if (err == 0 && out != NULL)
		memcpy(out, f->payload, sizeof(*out));
	return out == NULL ? -EINVAL : err;
}

int frame_dump_trailer_get(const struct frame *f, struct frame_dump_trailer *out)
{
	int err = frame_payload(f, FRAME_TYPE_TRAILER, sizeof(*out));

	if (err == 0 && out != NULL)
		memcpy(out, f->payload, sizeof(*out));
	return out == NULL ? -EINVAL : err;
}

int frame_zero_get(const struct frame *f, uint64_t *count)
{
	int err = frame_payload(f, FRAME_TYPE_ZERO, sizeof(*count));

	if (err == 0 && count != NULL)
		memcpy(count, f->payload, sizeof(*count));
	return count == NULL ? -EINVAL : err;
}

int frame_brief_get(const struct frame *f, uint32_t *total, const uint8_t **text, size_t *len)
{
	struct frame_brief b;
	size_t n;

	if (total == NULL || text == NULL || len == NULL ||
	    frame_payload(f, FRAME_TYPE_BRIEF, sizeof(b)) != 0)
		return -EINVAL;
	memcpy(&b, f->payload, sizeof(b));
	n = f->length - sizeof(b);
	if (b.total == 0 || b.total > FRAME_BRIEF_MAX || f->offset > b.total || n > b.total - f->offset)
		return -EINVAL;
	*total = b.total;
	*text = f->payload + sizeof(b);
	*len = n;
	return 0;
}
