/*
 * ACPI MADT reader (see madt.h).  The table comes from firmware memory a
 * crashed system may have overwritten: its declared length is checked
 * against what the caller mapped, every structure's length against what
 * is left, and fields are copied out byte by byte.  A zero-length
 * structure stops the walk (it would otherwise never advance).
 *
 * Pure code: kernel, host tool and tests; freestanding headers only.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/acpi.h"
#include "formats/le.h"
#include "formats/madt.h"

int madt_lapic_address(const void *buf, size_t len, uint32_t *addr)
{
	uint32_t length;
	int err;

	if (addr == NULL)
		return -EINVAL;
	*addr = 0;
	err = acpi_table_check(buf, len, "APIC", MADT_HEADER_LEN, &length);
	if (err)
		return err;
	*addr = le_get32((const uint8_t *)buf + 36);
	return 0;
}

int madt_cpu_next(const void *buf, size_t len, size_t *off, struct madt_cpu *out)
{
	const uint8_t *p = buf;
	uint32_t length;
	size_t o;
	int err;

	if (out == NULL || off == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = acpi_table_check(buf, len, "APIC", MADT_HEADER_LEN, &length);
	if (err)
		return err;
	o = *off < MADT_HEADER_LEN ? MADT_HEADER_LEN : *off;
	while (o < length) {
		uint8_t type, slen;
		int found = 0;

		if (length - o < 2)
			return -EBADMSG;
		type = p[o];
		slen = p[o + 1];
		if (slen < 2 || slen > length - o)
			return -EBADMSG;
		if (type == MADT_TYPE_LAPIC && slen >= MADT_LAPIC_LEN) {
			out->type = type;
			out->uid = p[o + 2];
			out->apic_id = p[o + 3];
			out->flags = le_get32(p + o + 4);
			found = 1;
		} else if (type == MADT_TYPE_X2APIC && slen >= MADT_X2APIC_LEN) {
			out->type = type;
			out->apic_id = le_get32(p + o + 4);
			out->flags = le_get32(p + o + 8);
			out->uid = le_get32(p + o + 12);
			found = 1;
		}
		o += slen;
		if (found) {
			out->enabled = (out->flags & MADT_CPU_ENABLED) != 0;
			*off = o;
			return 0;
		}
	}
	*off = o;
	return -ENOENT;
}
