/*
 * libFuzzer target for formats/mb2.c: parse the input as a multiboot2 MBI,
 * then read every output field and every byte the output points at (a
 * string's NUL included when it claims one), so ASan proves each pointer
 * and length stays inside the input.  tests/fuzz/replay.c runs the seeds
 * in tests/fuzz/corpus/mb2/ without libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>

#include "formats/mb2.h"

static uint64_t touch(const void *p, size_t n)
{
	uint64_t s = 0;

	for (size_t k = 0; p != NULL && k < n; k++)
		s += ((const uint8_t *)p)[k];
	return s + n;
}

static uint64_t touch_str(const struct mb2_string *s)
{
	return touch(s->ptr, s->len + (s->terminated ? 1 : 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mb2_info i;
	volatile uint64_t sink;
	uint64_t s = (uint64_t)mb2_parse(data, size, &i);

	s += i.total_size + i.tags_seen + i.tag_count + i.unknown_count +
	     i.duplicate_count + i.error_offset + i.mem_lower + i.mem_upper;
	s += touch_str(&i.cmdline) + touch_str(&i.boot_loader_name);
	for (size_t k = 0; k < i.module_count; k++)
		s += i.modules[k].mod_start + i.modules[k].mod_end +
		     touch_str(&i.modules[k].string);
	s += i.modules_truncated + i.mmap_entry_size + i.mmap_entry_version;
	for (size_t k = 0; k < i.mmap_count; k++)
		s += i.mmap[k].base + i.mmap[k].len + i.mmap[k].type;
	s += i.mmap_truncated + i.fb.addr + i.fb.pitch + i.fb.width + i.fb.height +
	     i.fb.bpp + i.fb.type + i.fb.red_pos + i.fb.red_size + i.fb.green_pos +
	     i.fb.green_size + i.fb.blue_pos + i.fb.blue_size;
	s += i.efi64_systab + i.efi64_image_handle + i.smbios_major + i.smbios_minor;
	s += touch(i.rsdp_old, i.rsdp_old_len) + touch(i.rsdp_new, i.rsdp_new_len);
	s += touch(i.smbios_tables, i.smbios_tables_len);
	s += i.efi_descr_size + i.efi_descr_vers + touch(i.efi_mmap, i.efi_mmap_len);
	s += i.efi_bs_not_terminated + i.load_base_addr;
	sink = s;
	(void)sink;
	return 0;
}
