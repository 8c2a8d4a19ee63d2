/*
 * libFuzzer target for formats/bootparams.c: the input is read as a zero
 * page, as one setup_data node (whose payload, if it fits, is also read as
 * SETUP_E820_EXT and SETUP_EFI data), and whole as those two payloads; every
 * output field is summed into a volatile so nothing is optimised away.
 * tests/fuzz/replay.c runs the seeds in tests/fuzz/corpus/bootparams/.
 */
#include <stddef.h>
#include <stdint.h>

#include "formats/bootparams.h"

static uint64_t payloads(const void *p, size_t n)
{
	struct bootparams_e820 e[8];
	struct bootparams_efi_setup es;
	size_t count = 0;
	uint64_t s = (uint64_t)bootparams_e820_ext(p, n, e, 8, &count) + count;

	for (size_t k = 0; k < count; k++)
		s += e[k].addr + e[k].size + e[k].type +
		     bootparams_e820_type_name(e[k].type)[0];
	s += (uint64_t)bootparams_efi_setup(p, n, &es);
	return s + es.fw_vendor + es.runtime + es.tables + es.smbios;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bootparams_info i;
	struct bootparams_setup_data sd;
	volatile uint64_t sink;
	uint64_t s = (uint64_t)bootparams_parse(data, size, &i);

	s += i.has_header + i.version + i.type_of_loader + i.loadflags +
	     i.xloadflags + i.cmd_line_ptr + i.cmdline_size + i.ramdisk_image +
	     i.ramdisk_size + i.setup_data + i.kernel_alignment + i.pref_address +
	     i.init_size + i.sentinel + i.acpi_rsdp_addr + i.e820_clamped;
	for (size_t k = 0; k < i.e820_count; k++)
		s += i.e820[k].addr + i.e820[k].size + i.e820[k].type;
	s += i.efi_present + i.efi_64bit + i.efi_loader_signature + i.efi_systab +
	     i.efi_memdesc_size + i.efi_memdesc_version + i.efi_memmap +
	     i.efi_memmap_size;
	s += i.video_type + i.has_lfb + i.lfb_width + i.lfb_height + i.lfb_depth +
	     i.lfb_linelength + i.lfb_base + i.lfb_size + i.video_capabilities +
	     i.red_size + i.red_pos + i.green_size + i.green_pos + i.blue_size +
	     i.blue_pos;
	s += (uint64_t)bootparams_setup_data(data, size, &sd) + sd.next + sd.type + sd.len;
	if (sd.data != NULL)
		s += payloads(sd.data, sd.len);
	s += payloads(data, size);
	sink = s;
	(void)sink;
	return 0;
}
