/* Fuzz formats/dumpplan.c: the input is a list of 33-byte operations
 * (op, start, size, read_from, vaddr); checks the invariants after finish:
 * sorted, non-overlapping, total = sum of sizes, no wrap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/dumpplan.h"

static struct dumpplan p;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t v[4], total = 0;

	dumpplan_init(&p);
	for (; size >= 33; data += 33, size -= 33) {
		memcpy(v, data + 1, sizeof(v));
		if (data[0] & 1)
			dumpplan_exclude(&p, v[0], v[1] >> (data[0] >> 2));
		else
			dumpplan_add(&p, v[0], v[1] >> (data[0] >> 2), v[2], v[3]);
	}
	dumpplan_finish(&p);
	for (size_t i = 0; i < p.n; i++) {
		if (p.r[i].size == 0 || p.r[i].start + p.r[i].size < p.r[i].start)
			abort();
		if (i && p.r[i - 1].start + p.r[i - 1].size > p.r[i].start)
			abort();
		total += p.r[i].size;
	}
	if (total != p.total)
		abort();
	return 0;
}
