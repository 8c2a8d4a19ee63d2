/*
 * Fuzz target for formats/efi.c's ESRT reader, and its GUID text parser:
 * each input is read as an ESRT and its first 36 bytes as GUID text, and
 * every output field is read.  Seeds: tests/fuzz/corpus/esrt/.
 */
#include <stdint.h>
#include <string.h>

#include "formats/efi.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct efi_esrt h;
	struct efi_esrt_entry e;
	struct efi_guid g;
	char text[EFI_GUID_STR_LEN + 1];
	uint64_t v = 0;

	if (efi_esrt_parse(data, size, &h) == 0)
		v += h.count + h.count_max + h.version + efi_esrt_size(&h);
	for (size_t i = 0; efi_esrt_entry_at(data, size, i, &e) == 0; i++) {
		const char *name = efi_guid_name(&e.fw_class);

		efi_guid_format(&e.fw_class, text);
		v += strlen(text) + (name != NULL ? strlen(name) : 0) + e.fw_type +
		     strlen(efi_esrt_fw_type_name(e.fw_type)) + e.fw_version +
		     e.lowest_supported_fw_version + e.capsule_flags +
		     e.last_attempt_version + e.last_attempt_status;
	}
	if (efi_guid_parse((const char *)data, size < 36 ? size : 36, &g) == 0) {
		efi_guid_format(&g, text);
		v += strlen(text) + efi_guid_eq(&g, &e.fw_class);
	}
	sink = v;
	return 0;
}
