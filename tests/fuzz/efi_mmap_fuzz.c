/*
 * Fuzz target for formats/efi.c's memory map side: the first 4 bytes of
 * each input are the descriptor size (little-endian), the rest the map.
 * Every descriptor, the summary and the placement of ranges the map itself
 * names are computed, and every output field is read.
 * Seeds: tests/fuzz/corpus/efi_mmap/.
 */
#include <stdint.h>
#include <string.h>

#include "formats/efi.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct efi_mmap_desc d;
	uint64_t pages[EFI_MEMORY_TYPE_COUNT], other = 0, v = 0;
	uint32_t ds;

	if (size < 4)
		return 0;
	ds = (uint32_t)(data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24);
	data += 4;
	size -= 4;
	for (size_t i = 0; i < efi_mmap_count(size, ds); i++) {
		v += (uint64_t)efi_mmap_desc_at(data, size, ds, i, &d);
		v += d.type + d.phys_start + d.virt_start + d.num_pages + d.attribute +
		     strlen(efi_mem_type_name(d.type)) + efi_mem_type_is_ram(d.type);
		/* Placement is quadratic in the map: place ranges of the first 8. */
		if (i < 8) {
			enum efi_table_where w = efi_table_placement(data, size, ds, d.phys_start, 4096);

			v += w + efi_table_readable(w) + strlen(efi_table_where_name(w));
			v += efi_table_placement(data, size, ds, d.virt_start, d.attribute);
		}
	}
	v += (uint64_t)efi_mmap_summarise(data, size, ds, pages, &other) + other;
	for (int t = 0; t < EFI_MEMORY_TYPE_COUNT; t++)
		v += pages[t];
	sink = v;
	return 0;
}
