/*
 * Fuzz target for formats/efirt_map.c: the first 8 bytes of each input are
 * a RuntimeServices pointer, the next 4 a descriptor size (both
 * little-endian), the rest an EFI memory map.  The map is built, the mode
 * decided, every region translated and every function pointer of the same
 * bytes read as a runtime services table checked; every output is read.
 * Seeds: tests/fuzz/corpus/efirt_map/.
 */
#include <stdint.h>
#include <string.h>

#include "formats/efirt_map.h"

static volatile uint64_t sink;
static struct efirt_map m;

static uint64_t get(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct efirt_decision d;
	struct efirt_rt rt;
	uint64_t v = 0, pa = 0, ptr;
	uint32_t ds;

	if (size < 12)
		return 0;
	ptr = get(data, 8);
	ds = (uint32_t)get(data + 8, 4);
	data += 12;
	size -= 12;
	efirt_map_init(&m);
	v += (uint64_t)efirt_map_add_efi_mmap(&m, data, size, ds) + m.count + m.dropped;
	efirt_map_decide(&m, ptr, 24, &d);
	v += d.mode + d.why + d.table_phys + d.region + d.remapped;
	for (size_t i = 0; i < m.count; i++) {
		v += (uint64_t)efirt_map_virt_to_phys(&m, m.r[i].virt, m.r[i].pages << 12, &pa, NULL) + pa;
		v += (uint64_t)efirt_map_find_phys(&m, m.r[i].phys, 1, NULL) + efirt_region_remapped(&m.r[i]);
	}
	v += (uint64_t)efirt_rt_parse(data, size, &rt) + rt.revision + rt.header_size + rt.crc_computed;
	for (unsigned s = 0; s < EFIRT_SVC_COUNT; s++) {
		v += (uint64_t)efirt_map_check_fn(&m, d.mode, rt.fn[s]);
		v += strlen(efirt_service_name(s));
	}
	v += strlen(efirt_status_name(ptr)) + (uint64_t)efirt_status_errno(ptr);
	sink = v;
	return 0;
}
