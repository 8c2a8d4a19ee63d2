/*
 * libFuzzer target for formats/varstore.c.  Each input is read as a
 * variable store file as it is; then a copy gets a valid firmware volume
 * header and store header written over its first 0x64 bytes (FvLength and
 * Size the input's, the header format from byte 0x48's low bit, checksum
 * fixed), since random bytes rarely pass those, and the fuzzer reaches
 * the variable walk and the state rules behind them.  Every live variable
 * and every header is read, and each live one is looked up again by name.
 * Inputs above 64 KiB are skipped (the in-transition rule is quadratic).
 * Seeds: tests/fuzz/corpus/varstore/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/le.h"
#include "formats/varstore.h"

static volatile uint64_t sink;

static uint64_t touch(const uint8_t *p, size_t n)
{
	uint64_t s = n;

	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s;
}

static uint64_t read_store(const uint8_t *data, size_t size)
{
	struct varstore vs;
	struct varstore_var v, w;
	const char *why;
	size_t cursor = 0;
	uint64_t s = (uint64_t)varstore_open(data, size, &vs, &why);

	s += (why != NULL ? strlen(why) : 0) + vs.bad_offset + vs.headers + vs.live;
	if (why != NULL)
		return s;
	while (varstore_next_any(&vs, &cursor, &v) == 0) {
		s += v.offset + v.state + v.live + v.attributes + touch(v.guid.b, 16);
		s += touch(v.name_utf16, v.name_size) + touch(v.data, v.data_size);
		s += strlen(v.name) + v.name_ascii + v.monotonic_count + v.pub_key_index;
		s += v.time_stamp.year + strlen(varstore_state_name(v.state));
		s += varstore_guid_name(&v.guid) != NULL;
		for (uint32_t bit = 1; bit != 0; bit <<= 1)
			s += (v.attributes & bit) != 0 && varstore_attr_name(bit) != NULL;
		if (v.live && v.name_ascii && varstore_find(&vs, v.name, &v.guid, &w) == 0)
			s += w.offset;
	}
	return s;
}

/* Valid FV and store headers over the first 0x64 bytes of img (size >= 0x64). */
static void repair(uint8_t *img, size_t size)
{
	static const struct efi_guid nv = VARSTORE_NV_DATA_FV_GUID;
	static const struct efi_guid a = VARSTORE_AUTH_STORE_GUID, p = VARSTORE_STORE_GUID;
	bool auth = img[0x48] & 1;
	uint16_t sum = 0;

	memset(img, 0, 0x64);
	memcpy(img + 0x10, nv.b, 16);
	le_put32(img + 0x20, (uint32_t)size);
	le_put32(img + 0x28, VARSTORE_FVH_SIGNATURE);
	img[0x30] = 0x48;
	img[0x37] = 2;
	le_put32(img + 0x38, 1);
	le_put32(img + 0x3c, (uint32_t)size);
	for (size_t i = 0; i < 0x48; i += 2)
		sum = (uint16_t)(sum + (img[i] | img[i + 1] << 8));
	sum = (uint16_t)(0x10000 - sum);
	img[0x32] = (uint8_t)sum;
	img[0x33] = (uint8_t)(sum >> 8);
	memcpy(img + 0x48, auth ? a.b : p.b, 16);
	le_put32(img + 0x58, (uint32_t)size - 0x48);
	img[0x5c] = VARSTORE_FORMATTED;
	img[0x5d] = VARSTORE_HEALTHY;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t s;
	uint8_t *copy;

	if (size > (64u << 10))
		return 0;
	s = read_store(data, size);
	if (size >= 0x64 && (copy = malloc(size)) != NULL) {
		memcpy(copy, data, size);
		repair(copy, size);
		s += read_store(copy, size);
		free(copy);
	}
	sink = s;
	return 0;
}
