/*
 * libFuzzer target for payload/dumpfile.c's on-disk checks: the input is
 * a head block (marker at byte 0, file header at byte 512) and more marker
 * blocks after it.  The header is decoded; the input's own numbers make a
 * geometry and an extent list (from the bytes after the head block), which
 * is checked, walked segment by segment with each segment's marker checked
 * against the block at its place in the input, and mapped sector by sector
 * (bounded).  Then again with the header's and the markers' CRC-32s
 * recomputed, so the checks behind them are reached.  Invariants abort: a
 * header that decodes re-encodes to the same bytes; a marker encoded for a
 * segment checks against it; every mapped run lies inside one extent,
 * past its segment's marker block.  Seeds: tests/fuzz/corpus/dumpfile/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crc32.h"
#include "payload/dumpfile.h"

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t header(const uint8_t *b, size_t size)
{
	struct dumpfile_header h;
	uint8_t enc[DUMPFILE_HEADER_SIZE];
	const char *why;
	int r;

	if (size < DUMPFILE_HEADER_OFFSET)
		return 0;
	r = dumpfile_header_decode(b + DUMPFILE_HEADER_OFFSET, size - DUMPFILE_HEADER_OFFSET, &h,
				   &why);
	if (r == 0) {
		dumpfile_header_encode(&h, enc, sizeof(enc));
		if (memcmp(enc, b + DUMPFILE_HEADER_OFFSET, sizeof(enc)) != 0 &&
		    memcmp(enc + 0x60, b + DUMPFILE_HEADER_OFFSET + 0x60, 0x1fc - 0x60) == 0)
			abort();	/* only reserved bytes may differ (the CRC covers them) */
	}
	return (why ? strlen(why) : 0) + h.file_size + strlen(dumpfile_state_name(h.state));
}

/* Extents from the input after the first 64 bytes: pairs of u64 (count bounded). */
static uint64_t walk(const uint8_t *b, size_t size)
{
	struct dumpfile_extent e[64];
	struct dumpfile_geom g;
	struct dumpfile_totals t;
	struct dumpfile_cursor cur;
	struct dumpfile_segment s;
	struct dumpfile_run run;
	uint8_t mk[DUMPFILE_MARKER_SIZE];
	uint32_t ss, stride;
	size_t n = 0;
	uint64_t sum = 0;

	if (size < 64 + 16)
		return 0;
	ss = 512u << (b[56] % 4);
	stride = DUMPFILE_STRIDE_MIN << (b[57] % 15);
	if (dumpfile_geom_init(&g, ss, stride) != 0)
		abort();
	for (size_t off = 64; off + 16 <= size && n < 64; off += 16, n++) {
		e[n].start = get64(b + off);
		e[n].count = get64(b + off + 8) % (4 * g.stride_sectors + 1);
	}
	if (dumpfile_extents_check(e, n, &g, get64(b + 48), &t, NULL) != 0)
		return 1;
	memset(&cur, 0, sizeof(cur));
	while (dumpfile_segment_next(e, n, &g, &cur, &s) == 0) {
		size_t at = (size_t)(s.index % 8) * 64;
		const char *why;

		if (s.sectors <= g.marker_sectors || s.extent >= n ||
		    s.device_sector < e[s.extent].start ||
		    s.device_sector + s.sectors > e[s.extent].start + e[s.extent].count)
			abort();
		if (at + 64 <= size)
			sum += (uint64_t)dumpfile_marker_check(b + at, size - at, b + 8, &s, ss, &why);
		dumpfile_marker_encode(b + 8, &s, ss, mk, sizeof(mk));
		if (dumpfile_marker_check(mk, sizeof(mk), b + 8, &s, ss, NULL) != 0)
			abort();
	}
	/* map the first and last sectors and a spread between */
	for (uint64_t k = 0; k < 64 && t.dump_sectors > 0; k++) {
		uint64_t d = k < 32 ? k : t.dump_sectors - 1 - (k - 32) * (t.dump_sectors / 33);
		size_t i;

		if (d >= t.dump_sectors)
			continue;	/* a region shorter than 32 sectors */
		if (dumpfile_map(e, n, &g, d, &run) != 0 || run.count == 0)
			abort();
		for (i = 0; i < n; i++)
			if (run.device_sector >= e[i].start &&
			    run.device_sector - e[i].start < e[i].count)
				break;
		if (i == n || run.count > e[i].count - (run.device_sector - e[i].start))
			abort();
		sum += run.device_sector + run.file_sector;
	}
	if (dumpfile_map(e, n, &g, t.dump_sectors, &run) != -ERANGE)
		abort();
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *b = malloc(size ? size : 1);
	volatile uint64_t sink;
	uint32_t crc;

	if (b == NULL)
		return 0;
	memcpy(b, data, size);
	sink = header(b, size) + walk(b, size);
	/* the same with every CRC made right */
	if (size >= DUMPFILE_HEADER_OFFSET + DUMPFILE_HEADER_SIZE) {
		memset(b + DUMPFILE_HEADER_OFFSET + DUMPFILE_HEADER_CRC, 0, 4);
		crc = crc32(b + DUMPFILE_HEADER_OFFSET, DUMPFILE_HEADER_SIZE);
		memcpy(b + DUMPFILE_HEADER_OFFSET + DUMPFILE_HEADER_CRC, &crc, 4);
	}
	for (size_t at = 0; at + 64 <= size && at < DUMPFILE_HEADER_OFFSET; at += 64) {
		crc = crc32(b + at, 0x3c);
		memcpy(b + at + 0x3c, &crc, 4);
	}
	sink += header(b, size) + walk(b, size);
	(void)sink;
	free(b);
	return 0;
}
