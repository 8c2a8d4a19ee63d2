/*
 * Fuzz target for formats/ivrs.c: every input is an IVRS table; the fixed
 * part and every IVHD block are read field by field.  Seeds:
 * tests/fuzz/corpus/ivrs/.
 */
#include <stdint.h>

#include "formats/ivrs.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ivrs_info info;
	struct ivrs_ivhd h;
	uint64_t v = 0;

	if (ivrs_parse(data, size, &info) == 0)
		v += info.ivinfo;
	for (size_t i = 0; i < 64 && ivrs_ivhd(data, size, i, &h) == 0; i++)
		v += h.base + h.efr + h.attributes + h.offset + h.length + h.device_id +
		     h.cap_offset + h.segment + h.info + h.type + h.flags;
	v += amdvi_control_off(v);
	sink = v;
	return 0;
}
