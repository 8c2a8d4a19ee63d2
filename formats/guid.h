/*
 * guid: the EFI GUID (UEFI 2.10 Appendix A), the one GUID type of the
 * tree: EFI configuration tables, GPT partition types and ids, capsule
 * and variable-store GUIDs, the handoff block's records.  Compare, print
 * as the canonical text, parse that text.
 *
 * Pure, freestanding headers only; formats/efi.h includes it, and a file
 * that needs only the GUID includes this alone.
 */
#ifndef FORMATS_GUID_H
#define FORMATS_GUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An EFI_GUID as stored in memory and on disk (UEFI 2.10 Appendix A):
 * the first three fields little-endian, the last eight bytes in order.
 * The text form 8868e871-e4f1-11d3-bc22-0080c73c8881 therefore stores as
 * 71 e8 68 88  f1 e4  d3 11  bc 22 00 80 c7 3c 88 81.
 */
struct efi_guid {
	uint8_t b[16];
};
_Static_assert(sizeof(struct efi_guid) == 16, "efi_guid");

/* Initialiser from the spec's notation {a, b, c, {d0, ..., d7}}. */
#define EFI_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7) { { \
	(uint8_t)((a) & 0xff), (uint8_t)(((a) >> 8) & 0xff), \
	(uint8_t)(((a) >> 16) & 0xff), (uint8_t)(((a) >> 24) & 0xff), \
	(uint8_t)((b) & 0xff), (uint8_t)(((b) >> 8) & 0xff), \
	(uint8_t)((c) & 0xff), (uint8_t)(((c) >> 8) & 0xff), \
	(d0), (d1), (d2), (d3), (d4), (d5), (d6), (d7) } }

#define EFI_GUID_STR_LEN	36	/* without the NUL */

bool efi_guid_eq(const struct efi_guid *a, const struct efi_guid *b);

/* Canonical lower-case text (as Linux's %pUl and sysfs print), NUL-terminated. */
void efi_guid_format(const struct efi_guid *g, char out[EFI_GUID_STR_LEN + 1]);

/*
 * Parse the s[0..len) text xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, either
 * case, exactly 36 characters.  Returns 0 or -EINVAL (*out cleared).
 */
int efi_guid_parse(const char *s, size_t len, struct efi_guid *out);

#endif
