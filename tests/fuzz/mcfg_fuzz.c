/*
 * Fuzz target for formats/mcfg.c: every input is an MCFG table; every entry
 * and the choice for segments 0 and 1 are read field by field.  Seeds:
 * tests/fuzz/corpus/mcfg/.
 */
#include <stdint.h>

#include "formats/mcfg.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcfg_ecam e;
	uint64_t v = 0;

	for (size_t i = 0; i < 64 && mcfg_entry(data, size, i, &e) == 0; i++)
		v += e.base + e.segment + e.bus_start + e.bus_end;
	for (uint16_t seg = 0; seg < 2; seg++)
		if (mcfg_find(data, size, seg, &e) == 0)
			v += e.base + e.segment + e.bus_start + e.bus_end;
	sink = v;
	return 0;
}
