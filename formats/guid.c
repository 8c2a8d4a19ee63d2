/*
 * guid: the EFI GUID's compare, text form and parser (see guid.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/guid.h"

/*
 * Text position i of a GUID holds byte efi_guid_order[i]: the first three
 * fields are printed most significant byte first.  The map is its own
 * inverse, so parsing uses it too.
 */
static const uint8_t efi_guid_order[16] = {
	3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15,
};

bool efi_guid_eq(const struct efi_guid *a, const struct efi_guid *b)
{
	if (a == NULL || b == NULL)
		return false;
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/* A dash precedes text bytes 4, 6, 8 and 10. */
static bool efi_guid_dash_before(size_t i)
{
	return i == 4 || i == 6 || i == 8 || i == 10;
}

void efi_guid_format(const struct efi_guid *g, char out[EFI_GUID_STR_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	struct efi_guid nil;
	size_t o = 0;

	if (out == NULL)
		return;
	if (g == NULL) {
		memset(&nil, 0, sizeof(nil));
		g = &nil;
	}
	for (size_t i = 0; i < sizeof(g->b); i++) {
		uint8_t b = g->b[efi_guid_order[i]];

		if (efi_guid_dash_before(i))
			out[o++] = '-';
		out[o++] = hex[b >> 4];
		out[o++] = hex[b & 15];
	}
	out[o] = '\0';
}

static int efi_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int efi_guid_parse(const char *s, size_t len, struct efi_guid *out)
{
	struct efi_guid g;
	size_t pos = 0;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (s == NULL || len != EFI_GUID_STR_LEN)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(g.b); i++) {
		int hi, lo;

		if (efi_guid_dash_before(i) && s[pos++] != '-')
			return -EINVAL;
		hi = efi_hex_digit(s[pos]);
		lo = efi_hex_digit(s[pos + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		g.b[efi_guid_order[i]] = (uint8_t)(hi << 4 | lo);
		pos += 2;
	}
	*out = g;
	return 0;
}
