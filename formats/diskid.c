/* Disk identity strings (see diskid.h). */
#include <stddef.h>
#include <stdint.h>

#include "formats/diskid.h"

void diskid_text(char *out, size_t outlen, const void *raw, size_t len)
{
	const uint8_t *p = raw;
	size_t n = 0, start = 0, end;

	if (out == NULL || outlen == 0)
		return;
	if (p == NULL)
		len = 0;
	while (n < len && p[n] != 0)
		n++;
	while (start < n && p[start] == ' ')
		start++;
	end = n - start > outlen - 1 ? start + outlen - 1 : n;	/* what fits, then trimmed */
	while (end > start && p[end - 1] == ' ')
		end--;
	n = 0;
	for (size_t i = start; i < end && n + 1 < outlen; i++)
		out[n++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[n] = '\0';
}

void diskid_ata(char *out, size_t outlen, const uint16_t id[256], unsigned first, unsigned count)
{
	uint8_t raw[64];
	unsigned n = 0;

	if (id == NULL || first >= 256)
		count = 0;
	else if (count > 256 - first)
		count = 256 - first;
	if (count > sizeof(raw) / 2)
		count = sizeof(raw) / 2;
	for (unsigned i = 0; i < count; i++) {
		raw[n++] = (uint8_t)(id[first + i] >> 8);
		raw[n++] = (uint8_t)id[first + i];
	}
	diskid_text(out, outlen, raw, n);
}
