/*
 * Fuzz target for formats/dmar.c: every input is a DMAR table; the fixed
 * part, every DRHD and every device scope of each are read field by field.
 * Seeds: tests/fuzz/corpus/dmar/.
 */
#include <stdint.h>

#include "formats/dmar.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmar_info info;
	struct dmar_drhd d;
	struct dmar_scope s;
	uint64_t v = 0;

	if (dmar_parse(data, size, &info) == 0)
		v += info.host_addr_width + info.flags;
	for (size_t i = 0; i < 32 && dmar_drhd(data, size, i, &d) == 0; i++) {
		v += d.reg_base + d.segment + d.flags + d.size + d.offset + d.length;
		for (size_t k = 0; k < 32 && dmar_scope(data, size, i, k, &s) == 0; k++) {
			v += s.type + s.enum_id + s.start_bus + s.path_len;
			for (unsigned p = 0; p < s.path_len && p < DMAR_SCOPE_PATH_MAX; p++)
				v += s.path[p].dev + s.path[p].fn;
		}
	}
	v += vtd_gcmd_clear((uint32_t)v, VTD_GSTS_TES);
	sink = v;
	return 0;
}
