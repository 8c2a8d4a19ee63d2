/*
 * libFuzzer target for payload/dumphdr.c: decode the input's first sector
 * (and, as a trailing copy, its second), judge the pair, lay out a body from
 * input numbers; then again on a copy whose CRC32s were recomputed, so the
 * checks behind the CRC are reached.  Invariants abort: a header that
 * decodes re-encodes to the same fields; a layout never places the body
 * past the trailer.  Seeds: tests/fuzz/corpus/dumphdr/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crc32.h"
#include "payload/dumphdr.h"

static uint64_t one(const uint8_t *b, size_t len, struct dumphdr *h, int *err)
{
	struct dumphdr again;
	uint8_t enc[DUMPHDR_SIZE];
	const char *why;

	*err = dumphdr_decode(b, len, h, &why);
	if (*err == 0) {
		dumphdr_encode(h, enc, sizeof(enc));
		if (dumphdr_decode(enc, sizeof(enc), &again, NULL) != 0 ||
		    memcmp(&again.status, &h->status, DUMPHDR_CRC_OFFSET - 0x10) != 0)
			abort();
	}
	/* After a failed decode *h is whatever the decoder got to: its text
	 * fields need not be terminated, so only a good header's are read. */
	return (why ? strlen(why) : 0) + strlen(dumphdr_status_name(h->status)) + h->body_length +
	       (*err == 0 ? strnlen(h->release, sizeof(h->release)) : 0);
}

static uint64_t pass(const uint8_t *b, size_t size)
{
	struct dumphdr lead, trail;
	struct dumphdr_layout l;
	const char *why;
	int el, et = -1;
	uint64_t s = one(b, size, &lead, &el);

	if (size >= 2 * DUMPHDR_SIZE)
		s += one(b + DUMPHDR_SIZE, size - DUMPHDR_SIZE, &trail, &et);
	s += (uint64_t)dumphdr_check_pair(el ? NULL : &lead, et ? NULL : &trail,
					  lead.part_sectors, lead.sector_size, &why) + strlen(why);
	if (dumphdr_layout(lead.part_sectors, lead.sector_size, lead.needed_length, &l) == 0) {
		if (l.body_bytes > l.capacity || l.capacity / l.sector_size != l.trail_lba - l.body_lba ||
		    l.capacity % l.sector_size || l.truncated != (l.needed > l.capacity))
			abort();
		s += l.body_bytes;
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile uint64_t sink;
	uint64_t s = pass(data, size);
	uint8_t *c;
	uint32_t crc;

	if (size >= DUMPHDR_SIZE && size <= 8192 && (c = malloc(size)) != NULL) {
		memcpy(c, data, size);
		for (size_t off = 0; off + DUMPHDR_SIZE <= size && off <= DUMPHDR_SIZE; off += DUMPHDR_SIZE) {
			memset(c + off + DUMPHDR_CRC_OFFSET, 0, 4);
			crc = crc32(c + off, DUMPHDR_SIZE);
			memcpy(c + off + DUMPHDR_CRC_OFFSET, &crc, 4);
		}
		s += pass(c, size);
		free(c);
	}
	sink = s;
	(void)sink;
	return 0;
}
