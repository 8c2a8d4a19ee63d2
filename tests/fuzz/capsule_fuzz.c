/*
 * libFuzzer target for formats/capsule.c: each input is checked as a
 * whole capsule file, then with its CapsuleImageSize patched to the input
 * size (random bytes rarely get it right, and every later rule hides
 * behind it), and every output field and name is read.  Seeds:
 * tests/fuzz/corpus/capsule/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/capsule.h"

static volatile uint64_t sink;

static uint64_t touch(const uint8_t *p, size_t n)
{
	uint64_t s = n;

	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s;
}

static uint64_t run(const uint8_t *data, size_t size)
{
	struct capsule_info info;
	const char *why;
	char name[CAPSULE_FILE_NAME_LEN + 1];
	uint64_t v = (uint64_t)capsule_check(data, size, &info, &why);

	v += (why != NULL ? strlen(why) : 0) + info.hdr.header_size + info.hdr.flags;
	v += info.hdr.capsule_image_size + info.file_size + info.fmp + info.nested;
	v += info.fmp_drivers + info.fmp_payloads + info.fmp_item;
	v += touch(info.hdr.capsule_guid.b, 16) + touch(info.target.b, 16);
	v += info.guid_name != NULL ? strlen(info.guid_name) : 0;
	for (uint32_t bit = 1; bit != 0; bit <<= 1)
		if ((info.hdr.flags & bit) != 0 && capsule_flag_name(bit) != NULL)
			v += strlen(capsule_flag_name(bit));
	if (capsule_file_name(&info.target, name, sizeof(name)) > 0)
		v += strlen(name);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint64_t v = run(data, size);

	if (size >= CAPSULE_HEADER_SIZE && size <= (1u << 20) && (copy = malloc(size)) != NULL) {
		memcpy(copy, data, size);
		copy[0x18] = (uint8_t)size;
		copy[0x19] = (uint8_t)(size >> 8);
		copy[0x1a] = (uint8_t)(size >> 16);
		copy[0x1b] = 0;
		v += run(copy, size);
		free(copy);
	}
	sink = v;
	return 0;
}
