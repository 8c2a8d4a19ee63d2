/*
 * Fuzz target for formats/acpi.c: every input goes to every reader as an
 * RSDP, a table header, an RSDT/XSDT, a FADT and a DSDT, and every output
 * field is read.  Seeds: tests/fuzz/corpus/acpi/.
 */
#include <stdint.h>
#include <string.h>

#include "formats/acpi.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi_rsdp r;
	struct acpi_sdt h;
	struct acpi_fadt f;
	struct acpi_gas g;
	struct acpi_sleep_type s;
	uint64_t a = 0, v = 0;
	uint16_t pm1 = 0;
	uint8_t ctl = 0;

	if (acpi_rsdp_parse(data, size, &r) == 0)
		v += r.revision + r.rsdt_address + r.length + r.xsdt_address + strlen(r.oem_id);
	if (acpi_sdt_header(data, size, &h) == 0)
		v += strlen(h.signature) + strlen(h.oem_id) + strlen(h.oem_table_id) +
		     strlen(h.creator_id) + h.revision + h.checksum + h.length +
		     h.oem_revision + h.creator_revision;
	v += (uint64_t)acpi_sdt_check(data, size);
	for (int x = 0; x < 2; x++)
		for (size_t i = 0; i < 64 && acpi_sdt_entry(data, size, x, i, &a) == 0; i++)
			v += a;
	if (acpi_fadt_parse(data, size, &f) == 0) {
		v += f.length + f.revision + f.minor_version + f.acpi_enable + f.acpi_disable +
		     f.pm1_cnt_len + f.reset_value + f.iapc_boot_arch + f.present + f.flags +
		     f.dsdt + f.smi_cmd + f.pm1a_cnt_blk + f.pm1b_cnt_blk + f.x_dsdt +
		     f.reset_reg.address + f.x_pm1a_cnt_blk.address + f.x_pm1b_cnt_blk.address +
		     f.sleep_control_reg.address + f.sleep_status_reg.address + acpi_fadt_dsdt(&f);
		for (int b = 0; b < 2; b++)
			if (acpi_fadt_pm1_cnt(&f, b, &g) == 0)
				v += g.space_id + g.bit_width + g.bit_offset + g.access_size +
				     g.address + strlen(acpi_gas_space_name(g.space_id));
	}
	if (acpi_dsdt_find_s5(data, size, &s) == 0) {
		v += s.slp_typa + s.slp_typb;
		if (acpi_pm1_sleep_value(&s, size & 2, size > 0 ? data[0] : 0, &pm1) == 0)
			v += pm1;
		if (acpi_sleep_control_value(&s, &ctl) == 0)
			v += ctl;
	}
	sink = v;
	return 0;
}
