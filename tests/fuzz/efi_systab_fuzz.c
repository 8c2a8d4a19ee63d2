/*
 * Fuzz target for formats/efi.c's system table side: each input is read as
 * an x64 EFI system table, as a UTF-16 vendor string and as a
 * configuration table array, and every output field is read.
 * Seeds: tests/fuzz/corpus/efi_systab/.
 */
#include <stdint.h>
#include <string.h>

#include "formats/efi.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct efi_systab s;
	struct efi_config_table ct;
	char text[64], guid[EFI_GUID_STR_LEN + 1];
	size_t bytes = 0;
	uint64_t v = 0;

	if (efi_systab_parse(data, size, &s) == 0)
		v += s.revision + s.rev_major + s.rev_minor + s.crc_stored + s.crc_computed +
		     s.crc_ok + s.fw_revision + s.fw_vendor + s.con_in_handle + s.con_in +
		     s.con_out_handle + s.con_out + s.stderr_handle + s.std_err +
		     s.runtime_services + s.boot_services + s.nr_tables + s.tables +
		     (uint64_t)efi_revision_format(s.revision, text, size % 16);
	v += s.header_size + (uint64_t)efi_config_tables_bytes(s.nr_tables, &bytes) + bytes;
	v += (uint64_t)efi_utf16_to_ascii(data, size, text, 1 + size % sizeof(text)) + strlen(text);
	for (size_t i = 0; i < 64 && efi_config_table_at(data, size, i, &ct) == 0; i++) {
		const char *name = efi_guid_name(&ct.guid);

		efi_guid_format(&ct.guid, guid);
		v += ct.table + strlen(guid) + (name != NULL ? strlen(name) : 0);
	}
	sink = v;
	return 0;
}
