/*
 * Unit tests for payload/frame.c: the encoder, the sender and the
 * streaming decoder of the serial dump stream.
 *
 * A synthetic "file" (pattern bytes with zero stretches) goes through the
 * sender into a stream buffer, optionally with console text between
 * frames; the decoder, fed whole, byte by byte or in random chunks, must
 * give back exactly the same frames, and a receiver model rebuilds the
 * file and checks it against the TRAILER's SHA-256.  Then the stream is
 * damaged (a byte of each header field, a payload byte, a dropped, a
 * duplicated or a cut frame, a lying length) and the decoder must lose
 * exactly the damaged frame and say why.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crc32.h"
#include "crypto/sha256.h"
#include "payload/frame.h"
#include "tests/unit/test.h"

#define FILE_SIZE	(40u * 1024 + 123)
#define MAX_FRAMES	256
#define STREAM_CAP	(FILE_SIZE * 2 + 64 * 1024)

/* The sender's output: the stream, and where each frame starts. */
struct stream {
	uint8_t *buf;
	size_t len;
	size_t start[MAX_FRAMES], size[MAX_FRAMES];
	size_t nframes;
	const char *text;	/* console text put between frames */
	int fail_after;		/* emit fails after this many frames; 0 never */
};

/* What a receiver saw. */
struct rx {
	uint8_t file[FILE_SIZE];
	bool got[FILE_SIZE];
	uint32_t seqs[MAX_FRAMES * 2];
	int status[MAX_FRAMES * 2];
	size_t n;
	bool header, trailer;
	struct frame_dump_header h;
	struct frame_dump_trailer t;
};

static uint8_t file_bytes[FILE_SIZE];
static struct stream st;
static struct rx rx;

static void make_file(void)
{
	for (size_t i = 0; i < FILE_SIZE; i++)
		file_bytes[i] = (uint8_t)(i * 31 + (i >> 8));
	memset(file_bytes + 4096, 0, 8192);		/* two whole zero chunks and more */
	memset(file_bytes + 30000, 0, 1500);		/* zero, but not chunk-aligned */
	for (size_t i = 20000; i < 20000 + 64; i += 8)	/* markers inside the data */
		memcpy(file_bytes + i, FRAME_MAGIC, FRAME_MAGIC_LEN);
}

static int emit(void *ctx, const void *frame, size_t len)
{
	struct stream *s = ctx;

	if (s->fail_after != 0 && s->nframes == (size_t)s->fail_after)
		return -EIO;
	if (s->text != NULL) {
		memcpy(s->buf + s->len, s->text, strlen(s->text));
		s->len += strlen(s->text);
	}
	s->start[s->nframes] = s->len;
	s->size[s->nframes++] = len;
	memcpy(s->buf + s->len, frame, len);
	s->len += len;
	return 0;
}

/* Send the file: a first part written, a zero stretch given as zeros, the rest. */
static void send_file(const char *text)
{
	static struct frame_sender snd;
	struct frame_dump_header h;

	free(st.buf);
	memset(&st, 0, sizeof(st));
	st.buf = malloc(STREAM_CAP);
	st.text = text;
	memset(&h, 0, sizeof(h));
	h.file_size = FILE_SIZE;
	h.created = 1700000000;
	h.segment_count = 3;
	memcpy(h.producer, "frame_test", 10);
	CHECK_EQ(frame_sender_begin(&snd, &h, 0x1122334455667788ull, emit, &st), 0);
	CHECK_EQ(frame_sender_write(&snd, file_bytes, 5000), 0);
	CHECK_EQ(frame_sender_zero(&snd, 4096 + 8192 - 5000), 0);
	CHECK_EQ(frame_sender_write(&snd, file_bytes + 12288, FILE_SIZE - 12288), 0);
	CHECK_EQ(frame_sender_write(&snd, file_bytes, 1), -EINVAL);	/* past the end */
	CHECK_EQ(frame_sender_end(&snd, 0), 0);
	if (text != NULL) {
		memcpy(st.buf + st.len, text, strlen(text));
		st.len += strlen(text);
	}
}

static int on_frame(void *ctx, const struct frame *f)
{
	struct rx *r = ctx;
	uint64_t zlen;

	if (r->n < MAX_FRAMES * 2) {
		r->seqs[r->n] = f->seq;
		r->status[r->n++] = f->status;
	}
	if (f->status != FRAME_OK)
		return 0;
	CHECK_EQ(f->dump_id, 0x1122334455667788ull);
	switch (f->type) {
	case FRAME_TYPE_HEADER:
		r->header = frame_dump_header_get(f, &r->h) == 0;
		break;
	case FRAME_TYPE_TRAILER:
		r->trailer = frame_dump_trailer_get(f, &r->t) == 0;
		break;
	case FRAME_TYPE_DATA:
		CHECK(f->offset + f->length <= FILE_SIZE);
		memcpy(r->file + f->offset, f->payload, f->length);
		memset(r->got + f->offset, 1, f->length);
		break;
	case FRAME_TYPE_ZERO:
		CHECK_EQ(frame_zero_get(f, &zlen), 0);
		CHECK(f->offset + zlen <= FILE_SIZE);
		memset(r->file + f->offset, 0, zlen);
		memset(r->got + f->offset, 1, zlen);
		break;
	}
	return 0;
}

/* Decode buf with chunks of `chunk` bytes (0: random sizes). */
static struct frame_stats decode(const uint8_t *buf, size_t len, size_t chunk)
{
	static struct frame_decoder d;
	size_t off = 0, n;

	memset(&rx, 0, sizeof(rx));
	frame_decoder_init(&d);
	while (off < len) {
		n = chunk ? chunk : (size_t)(rand() % 3000) + 1;
		n = n < len - off ? n : len - off;
		CHECK_EQ(frame_feed(&d, buf + off, n, on_frame, &rx), 0);
		off += n;
	}
	CHECK_EQ(frame_finish(&d, on_frame, &rx), 0);
	CHECK_EQ(d.stats.bytes, len);
	return d.stats;
}

static bool file_whole(void)
{
	for (size_t i = 0; i < FILE_SIZE; i++)
		if (!rx.got[i])
			return false;
	return memcmp(rx.file, file_bytes, FILE_SIZE) == 0;
}

static bool digest_ok(void)
{
	uint8_t d[SHA256_LEN];

	crypto_sha256(rx.file, FILE_SIZE, d);
	return rx.trailer && memcmp(d, rx.t.sha256, SHA256_LEN) == 0;
}

TEST(round_trip)
{
	static const size_t chunks[] = { 1, 7, 40, 1064, 1 << 20, 0, 0, 0 };
	struct frame_stats s;

	send_file(NULL);
	/* HEADER, DATA 0-4095, ZERO 4096-12287 (8 KiB), DATA..., TRAILER */
	CHECK(st.nframes > 30 && st.nframes < 45);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		s = decode(st.buf, st.len, chunks[i]);
		CHECK_EQ(s.frames, st.nframes);
		CHECK_EQ(s.garbage, 0);
		CHECK_EQ(s.bad_header + s.bad_payload + s.truncated + s.resyncs, 0);
		CHECK(file_whole());
		CHECK(digest_ok());
	}
	CHECK(rx.header);
	CHECK_EQ(rx.h.file_size, FILE_SIZE);
	CHECK_EQ(rx.h.segment_count, 3);
	CHECK_EQ(rx.h.data_max, FRAME_DATA_MAX);
	CHECK_EQ(rx.h.created, 1700000000);
	CHECK_EQ(rx.t.status, 0);
	CHECK_EQ(rx.t.bytes_sent, FILE_SIZE);
	CHECK_EQ(rx.t.frame_count, st.nframes - 1);
	for (size_t i = 0; i < rx.n; i++)
		CHECK_EQ(rx.seqs[i], i);
	/* The 8 KiB zero stretch went as one ZERO frame of 48 bytes. */
	CHECK(st.len < FILE_SIZE - 8192 + st.nframes * FRAME_HEADER_SIZE + 200);
}

TEST(console_text)
{
	static const char text[] = "postmortem: dumping \xA5PM 12%\r\n\xA5\xA5PMFRM\x5A garbage \xA5";
	struct frame_stats s;

	send_file(text);
	for (size_t chunk = 0; chunk < 3; chunk++) {
		s = decode(st.buf, st.len, chunk == 0 ? 1 : chunk == 1 ? 0 : 1 << 20);
		CHECK_EQ(s.frames, st.nframes);
		CHECK_EQ(s.garbage, (st.nframes + 1) * (sizeof(text) - 1));
		CHECK_EQ(s.resyncs, st.nframes);
		CHECK_EQ(s.bad_header + s.bad_payload + s.truncated, 0);
		CHECK(file_whole());
		CHECK(digest_ok());
	}
}

/*
 * Corrupt byte `at` of frame k: only frame k may be lost.  A broken
 * marker hides the frame (its bytes are garbage); a broken header field
 * fails the header CRC; a broken payload byte names its frame.
 */
static void damage_one(size_t k, size_t at, bool want_bad_header)
{
	uint8_t *copy = malloc(st.len);
	struct frame_stats s;

	memcpy(copy, st.buf, st.len);
	copy[st.start[k] + at] ^= 0x41;
	s = decode(copy, st.len, 0);
	CHECK_EQ(s.frames, st.nframes - 1);
	CHECK_EQ(s.bad_header, want_bad_header && at >= FRAME_MAGIC_LEN ? 1 : 0);
	CHECK_EQ(s.bad_payload, want_bad_header ? 0 : 1);
	for (size_t i = 0; i < rx.n; i++) {
		if (rx.status[i] == FRAME_OK)
			CHECK(rx.seqs[i] != k);
		else
			CHECK_EQ(rx.seqs[i], k);	/* a bad payload names its frame */
	}
	free(copy);
}

TEST(corrupt_each_field)
{
	send_file("text\n");
	for (size_t at = 0; at < FRAME_HEADER_SIZE; at++)
		damage_one(3, at, at < FRAME_HEADER_SIZE);
	damage_one(3, FRAME_HEADER_SIZE, false);
	damage_one(3, FRAME_HEADER_SIZE + 1023, false);
	damage_one(0, 50, false);			/* HEADER payload */
	damage_one(st.nframes - 1, 60, false);		/* TRAILER payload */
	CHECK(!rx.trailer);
}

TEST(dropped_and_duplicated)
{
	uint8_t *copy;
	struct frame_stats s;
	size_t len, k = 5;

	send_file(NULL);
	copy = malloc(st.len * 2);
	/* Drop frame 5. */
	len = st.start[k];
	memcpy(copy, st.buf, len);
	memcpy(copy + len, st.buf + st.start[k + 1], st.len - st.start[k + 1]);
	len += st.len - st.start[k + 1];
	s = decode(copy, len, 0);
	CHECK_EQ(s.frames, st.nframes - 1);
	CHECK_EQ(s.garbage, 0);
	CHECK(!file_whole());
	for (size_t i = 0; i < rx.n; i++)
		CHECK(rx.seqs[i] == (i < k ? i : i + 1));
	/* Frame 5 twice. */
	len = st.start[k + 1];
	memcpy(copy, st.buf, len);
	memcpy(copy + len, st.buf + st.start[k], st.size[k]);
	len += st.size[k];
	memcpy(copy + len, st.buf + st.start[k + 1], st.len - st.start[k + 1]);
	len += st.len - st.start[k + 1];
	s = decode(copy, len, 0);
	CHECK_EQ(s.frames, st.nframes + 1);
	CHECK_EQ(rx.seqs[k], k);
	CHECK_EQ(rx.seqs[k + 1], k);
	CHECK(file_whole());
	free(copy);
}

TEST(cut_frame_then_more)
{
	uint8_t *copy;
	struct frame_stats s;
	size_t len, k = 4, keep = 300;

	send_file(NULL);
	copy = malloc(st.len);
	/* Frame 4 loses its end on the line; frame 5 follows at once. */
	len = st.start[k] + keep;
	memcpy(copy, st.buf, len);
	memcpy(copy + len, st.buf + st.start[k + 1], st.len - st.start[k + 1]);
	len += st.len - st.start[k + 1];
	s = decode(copy, len, 0);
	CHECK_EQ(s.frames, st.nframes - 1);
	CHECK_EQ(s.bad_payload, 1);
	CHECK(rx.trailer);
	free(copy);
}

TEST(truncated_stream)
{
	struct frame_stats s;
	size_t k = 7;

	send_file(NULL);
	s = decode(st.buf, st.start[k] + 100, 0);
	CHECK_EQ(s.frames, k);
	CHECK_EQ(s.truncated, 1);
	CHECK_EQ(rx.status[rx.n - 1], FRAME_TRUNCATED);
	CHECK_EQ(rx.seqs[rx.n - 1], k);
	CHECK(!rx.trailer);
	/* Cut inside a header or inside the marker: just garbage. */
	s = decode(st.buf, st.start[k] + 20, 1);
	CHECK_EQ(s.frames, k);
	CHECK_EQ(s.truncated, 0);
	CHECK_EQ(s.garbage, 20);
	s = decode(st.buf, st.start[k] + 3, 0);
	CHECK_EQ(s.garbage, 3);
	s = decode(st.buf, 0, 0);
	CHECK_EQ(s.frames, 0);
}

/* A header whose CRC is right but whose fields break the rules. */
static size_t forge(uint8_t *out, uint8_t type, uint16_t length, uint64_t offset, uint8_t version)
{
	struct frame_wire w;

	memset(&w, 0, sizeof(w));
	memcpy(w.magic, FRAME_MAGIC, FRAME_MAGIC_LEN);
	w.version = version;
	w.type = type;
	w.length = length;
	w.offset = offset;
	w.header_crc = crc32(&w, 36);
	memcpy(out, &w, sizeof(w));
	return sizeof(w);
}

TEST(lying_headers)
{
	static uint8_t buf[4 * FRAME_MAX_SIZE + 2000];
	struct frame_stats s;
	size_t len = 0, good;

	len += forge(buf + len, FRAME_TYPE_DATA, 0xffff, 0, 1);		/* huge length */
	len += forge(buf + len, FRAME_TYPE_DATA, 16, UINT64_MAX - 3, 1);	/* wraps */
	len += forge(buf + len, 9, 8, 0, 1);					/* type */
	len += forge(buf + len, FRAME_TYPE_ZERO, 8, 0, 2);			/* version */
	len += forge(buf + len, FRAME_TYPE_TRAILER, 8, 0, 1);			/* short */
	good = frame_encode(buf + len, sizeof(buf) - len, FRAME_TYPE_DATA, 9, 0x1122334455667788ull,
			    0, "hello", 5);
	CHECK_EQ(good, 45);
	len += good;
	s = decode(buf, len, 0);
	CHECK_EQ(s.bad_header, 5);
	CHECK_EQ(s.frames, 1);
	CHECK_EQ(rx.seqs[0], 9);
	CHECK(rx.got[4] && !rx.got[5] && memcmp(rx.file, "hello", 5) == 0);
}

TEST(encoder_rules)
{
	uint8_t out[FRAME_MAX_SIZE + 10], p[FRAME_PAYLOAD_MAX + 1] = { 0 };
	uint64_t z = 5;

	CHECK_EQ(frame_encode(out, sizeof(out), FRAME_TYPE_DATA, 0, 0, 0, p, FRAME_PAYLOAD_MAX),
		 FRAME_MAX_SIZE);
	CHECK_EQ(frame_encode(out, sizeof(out), FRAME_TYPE_DATA, 0, 0, 0, p, FRAME_PAYLOAD_MAX + 1), 0);
	CHECK_EQ(frame_encode(out, FRAME_MAX_SIZE - 1, FRAME_TYPE_DATA, 0, 0, 0, p, FRAME_PAYLOAD_MAX), 0);
	CHECK_EQ(frame_encode(out, sizeof(out), FRAME_TYPE_DATA, 0, 0, 0, p, 0), 0);
	CHECK_EQ(frame_encode(out, sizeof(out), FRAME_TYPE_DATA, 0, 0, UINT64_MAX, p, 2), 0);
	CHECK_EQ(frame_encode(out, sizeof(out), FRAME_TYPE_DATA, 0, 0, UINT64_MAX, p, 1), 41);
	CHECK_EQ(frame_encode(out, sizeof(out), FRAME_TYPE_ZERO, 0, 0, 0, &z, 4), 0);
	CHECK_EQ(frame_encode(out, sizeof(out), FRAME_TYPE_ZERO, 0, 0, 0, &z, 8), 48);
	CHECK_EQ(frame_encode(out, sizeof(out), FRAME_TYPE_HEADER, 0, 0, 0, p, 63), 0);
	CHECK_EQ(frame_encode(out, sizeof(out), FRAME_TYPE_HEADER, 0, 0, 1, p, 64), 0);
	CHECK_EQ(frame_encode(out, sizeof(out), 0, 0, 0, 0, p, 8), 0);
	CHECK_EQ(frame_encode(out, sizeof(out), FRAME_TYPE_DATA, 0, 0, 0, NULL, 8), 0);
	CHECK_STR(frame_type_name(FRAME_TYPE_ZERO), "ZERO");
	CHECK_STR(frame_type_name(77), "?");
}

TEST(sender_errors)
{
	static struct frame_sender snd;
	struct frame_dump_header h = { .file_size = 3000 };
	struct frame f = { .status = FRAME_OK, .type = FRAME_TYPE_DATA, .length = 64 };
	struct frame_dump_header hh;
	uint64_t z;

	free(st.buf);
	memset(&st, 0, sizeof(st));
	st.buf = malloc(STREAM_CAP);
	/* Ends short: the TRAILER says so. */
	CHECK_EQ(frame_sender_begin(&snd, &h, 1, emit, &st), 0);
	CHECK_EQ(frame_sender_write(&snd, file_bytes, 2000), 0);
	CHECK_EQ(frame_sender_zero(&snd, 1001), -EINVAL);
	CHECK_EQ(frame_sender_end(&snd, 0), -ENODATA);
	CHECK_EQ(st.nframes, 4);		/* HEADER, DATA 1024, DATA 976, TRAILER */
	/* A failing UART: the error sticks. */
	st.nframes = 0;
	st.len = 0;
	st.fail_after = 2;
	CHECK_EQ(frame_sender_begin(&snd, &h, 1, emit, &st), 0);
	CHECK_EQ(frame_sender_write(&snd, file_bytes, 1024), 0);
	CHECK_EQ(frame_sender_write(&snd, file_bytes, 1024), -EIO);
	CHECK_EQ(frame_sender_zero(&snd, 10), -EIO);
	CHECK_EQ(frame_sender_end(&snd, 0), -EIO);
	CHECK_EQ(frame_sender_begin(NULL, &h, 1, emit, &st), -EINVAL);
	/* Typed getters refuse the wrong frame. */
	f.payload = file_bytes;
	CHECK_EQ(frame_dump_header_get(&f, &hh), -EINVAL);
	CHECK_EQ(frame_zero_get(&f, &z), -EINVAL);
	f.type = FRAME_TYPE_HEADER;
	CHECK_EQ(frame_dump_header_get(&f, &hh), 0);
	f.status = FRAME_BAD_PAYLOAD;
	CHECK_EQ(frame_dump_header_get(&f, &hh), -EINVAL);
	CHECK_EQ(frame_feed(NULL, file_bytes, 1, NULL, NULL), -EINVAL);
}

static int stop_cb(void *ctx, const struct frame *f)
{
	(void)f;
	return ++*(int *)ctx == 2 ? 42 : 0;
}

TEST(callback_stops)
{
	static struct frame_decoder d;
	int calls = 0;

	send_file(NULL);
	frame_decoder_init(&d);
	CHECK_EQ(frame_feed(&d, st.buf, st.len, stop_cb, &calls), 42);
	CHECK_EQ(calls, 2);
}

/* The crash record: BRIEF frames before the dump, reassembled. */
struct brief_rx {
	char text[FRAME_BRIEF_MAX];
	uint32_t total;
	size_t got, frames, bad;
};

static int brief_cb(void *ctx, const struct frame *f)
{
	struct brief_rx *b = ctx;
	const uint8_t *t;
	uint32_t total;
	size_t n;

	if (f->type != FRAME_TYPE_BRIEF)
		return 0;
	if (frame_brief_get(f, &total, &t, &n) != 0) {
		b->bad++;
		return 0;
	}
	CHECK_EQ(f->seq, b->frames);
	b->frames++;
	b->total = total;
	memcpy(b->text + f->offset, t, n);
	b->got += n;
	return 0;
}

static int brief_emit(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	memcpy(st.buf + st.len, frame, len);
	st.len += len;
	return 0;
}

TEST(brief_frames)
{
	static struct frame_decoder d;
	static struct brief_rx brx;
	static char text[5000];
	uint8_t frame[FRAME_MAX_SIZE];
	struct frame f;
	uint32_t total;
	const uint8_t *t;
	size_t n;

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 26);
	st.len = 0;
	CHECK_EQ(frame_send_brief(brief_emit, NULL, 77, text, sizeof(text), frame), 0);
	CHECK_EQ(st.len, 5 * FRAME_HEADER_SIZE + 5 * 8 + sizeof(text));	/* 1016 text bytes a frame */
	memset(&brx, 0, sizeof(brx));
	frame_decoder_init(&d);
	CHECK_EQ(frame_feed(&d, st.buf, st.len, brief_cb, &brx), 0);
	CHECK_EQ(brx.frames, 5);
	CHECK_EQ(brx.total, sizeof(text));
	CHECK_EQ(brx.got, sizeof(text));
	CHECK(memcmp(brx.text, text, sizeof(text)) == 0);
	CHECK_STR(frame_type_name(FRAME_TYPE_BRIEF), "BRIEF");
	/* Refused: empty, too long, no emit. */
	CHECK_EQ(frame_send_brief(brief_emit, NULL, 1, text, 0, frame), -EINVAL);
	CHECK_EQ(frame_send_brief(brief_emit, NULL, 1, text, FRAME_BRIEF_MAX + 1, frame), -EINVAL);
	CHECK_EQ(frame_send_brief(NULL, NULL, 1, text, 10, frame), -EINVAL);
	/* frame_brief_get: a part outside the announced total, a zero total. */
	memset(&f, 0, sizeof(f));
	f.type = FRAME_TYPE_BRIEF;
	f.status = FRAME_OK;
	f.payload = frame;
	f.length = 8 + 10;
	test_put32(frame, 100);
	test_put32(frame + 4, 0);
	f.offset = 90;
	CHECK_EQ(frame_brief_get(&f, &total, &t, &n), 0);
	CHECK_EQ(n, 10);
	f.offset = 91;
	CHECK_EQ(frame_brief_get(&f, &total, &t, &n), -EINVAL);
	f.offset = 0;
	test_put32(frame, 0);
	CHECK_EQ(frame_brief_get(&f, &total, &t, &n), -EINVAL);
	test_put32(frame, FRAME_BRIEF_MAX + 1);
	CHECK_EQ(frame_brief_get(&f, &total, &t, &n), -EINVAL);
	f.length = 7;
	test_put32(frame, 100);
	CHECK_EQ(frame_brief_get(&f, &total, &t, &n), -EINVAL);
	/* The encoder keeps BRIEF frames inside the record's limit. */
	CHECK_EQ(frame_encode(frame, sizeof(frame), FRAME_TYPE_BRIEF, 0, 1, FRAME_BRIEF_MAX - 4,
			      text, 8 + 5), 0);
	CHECK_EQ(frame_encode(frame, sizeof(frame), FRAME_TYPE_BRIEF, 0, 1, 0, text, 7), 0);
}

int main(void)
{
	make_file();
	srand(1);
	round_trip();
	console_text();
	corrupt_each_field();
	dropped_and_duplicated();
	cut_frame_then_more();
	truncated_stream();
	lying_headers();
	encoder_rules();
	sender_errors();
	callback_stops();
	brief_frames();
	free(st.buf);
	printf("%s: %u passed, %u failed\n", __FILE__, test_passed, test_failed);
	return test_failed ? 1 : 0;
}
