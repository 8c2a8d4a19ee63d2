/*
 * libFuzzer target for formats/lzopage.c, postmortem's LZO1X encoder.
 * The input (up to LZOPAGE_MAX_INPUT bytes) is compressed; liblzo2's
 * lzo1x_decompress_safe(), the reader's call, must give it back exactly.
 * It is compressed again after the first byte's count of other inputs
 * (the input turned around) through the same state: the same bytes.  With
 * less room than the stream took, the encoder must give 0 and write
 * nothing past that room.  tests/fuzz/replay.c runs the seeds in
 * tests/fuzz/corpus/lzopage/.
 */
#include <lzo/lzo1x.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/lzopage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lzopage z;
	static int ready;
	static uint8_t out[LZOPAGE_BOUND(LZOPAGE_MAX_INPUT)], again[sizeof(out)], other[LZOPAGE_MAX_INPUT],
		back[LZOPAGE_MAX_INPUT + 1];
	lzo_uint got = sizeof(back);
	size_t len, len2, cap;

	if (!ready) {
		lzopage_init(&z);
		ready = 1;
	}
	if (size > LZOPAGE_MAX_INPUT) {
		if (lzopage_compress(&z, data, size, out, sizeof(out)) != 0)
			abort();
		size = LZOPAGE_MAX_INPUT;
	}
	len = lzopage_compress(&z, data, size, out, sizeof(out));
	if (len == 0 || len > LZOPAGE_BOUND(size))
		abort();
	if (lzo1x_decompress_safe(out, len, back, &got, NULL) != LZO_E_OK || got != size ||
	    memcmp(back, data, size) != 0)
		abort();
	for (size_t i = 0; i < size; i++)
		other[i] = data[size - 1 - i];
	for (unsigned k = 0; size && k < data[0] % 4; k++)
		lzopage_compress(&z, other, size, again, sizeof(again));
	len2 = lzopage_compress(&z, data, size, again, sizeof(again));
	if (len2 != len || memcmp(again, out, len) != 0)
		abort();
	cap = size ? data[size - 1] % len : 0;
	memset(again, 0xa5, sizeof(again));
	if (lzopage_compress(&z, data, size, again, cap) != 0)
		abort();
	for (size_t i = cap; i < sizeof(again); i++)
		if (again[i] != 0xa5)
			abort();
	return 0;
}
