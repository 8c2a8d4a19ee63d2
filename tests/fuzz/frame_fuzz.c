/*
 * libFuzzer target for payload/frame.c's decoder: the input is a capture.
 * It is decoded twice, in one piece and in pieces whose sizes come from
 * the input itself, and both runs must report the same frames (status,
 * type, seq, offset, payload CRC) and the same counts: the decoder may not
 * depend on how the stream is split.  Every reported frame is checked
 * (payload only when FRAME_OK, CRC right, length within the limit, typed
 * getters agree with the type) and its payload read in full.
 * tests/fuzz/replay.c runs the seeds in tests/fuzz/corpus/frame/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crc32.h"
#include "payload/frame.h"

static int on_frame(void *ctx, const struct frame *f)
{
	uint64_t *h = ctx, z;
	struct frame_dump_header hd;
	struct frame_dump_trailer tr;

	if ((f->payload != NULL) != (f->status == FRAME_OK) || f->length > FRAME_PAYLOAD_MAX)
		abort();
	if ((frame_zero_get(f, &z) == 0) != (f->status == FRAME_OK && f->type == FRAME_TYPE_ZERO) ||
	    (frame_dump_header_get(f, &hd) == 0) != (f->status == FRAME_OK && f->type == FRAME_TYPE_HEADER) ||
	    (frame_dump_trailer_get(f, &tr) == 0) != (f->status == FRAME_OK && f->type == FRAME_TYPE_TRAILER))
		abort();
	*h = *h * 1000003u ^ ((uint64_t)f->status << 56 | (uint64_t)f->type << 48 | f->seq) ^
	     f->offset ^ f->stream_pos * 31 ^ (f->payload ? crc32(f->payload, f->length) : 0);
	return 0;
}

static uint64_t decode(const uint8_t *data, size_t size, bool split, struct frame_stats *st)
{
	static struct frame_decoder d;
	uint64_t h = 0;
	size_t off = 0, n;

	frame_decoder_init(&d);
	while (off < size) {
		n = split ? (size_t)data[off] % 97 + 1 : size - off;
		n = n < size - off ? n : size - off;
		if (frame_feed(&d, data + off, n, on_frame, &h) != 0)
			abort();
		off += n;
	}
	frame_finish(&d, on_frame, &h);
	if (d.have != 0 || d.stats.bytes != size)
		abort();
	*st = d.stats;
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_stats a, b;

	if (decode(data, size, false, &a) != decode(data, size, true, &b) ||
	    memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	return 0;
}
