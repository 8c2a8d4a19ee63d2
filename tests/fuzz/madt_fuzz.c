/*
 * Fuzz target for formats/madt.c: every input is a MADT; the local APIC
 * address and every processor entry are read.  Seeds:
 * tests/fuzz/corpus/madt/.
 */
#include <stdint.h>

#include "formats/madt.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct madt_cpu c;
	uint64_t v = 0;
	uint32_t a;
	size_t off = 0;

	if (madt_lapic_address(data, size, &a) == 0)
		v += a;
	for (int i = 0; i < 4096 && madt_cpu_next(data, size, &off, &c) == 0; i++)
		v += c.apic_id + c.uid + c.flags + c.type + c.enabled;
	sink = v;
	return 0;
}
