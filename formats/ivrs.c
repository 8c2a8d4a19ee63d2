/*
 * ACPI IVRS reader (see ivrs.h).  The table comes from firmware memory a
 * crashed system may have overwritten, so the declared length is checked
 * against what the caller mapped before anything else is read, and every
 * block's length against what is left of the table before it is used or
 * stepped over.  Fields are copied out through memcpy (blocks are not
 * aligned).
 *
 * Pure code: kernel, host tool and tests; freestanding headers only.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/acpi.h"
#include "formats/ivrs.h"
#include "formats/le.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "ACPI tables are little-endian and read in place");

#define IVRS_IVINFO_OFFSET	36

int ivrs_parse(const void *buf, size_t len, struct ivrs_info *out)
{
	uint32_t length;
	int err;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = acpi_table_check(buf, len, "IVRS", IVRS_HEADER_LEN, &length);
	if (err)
		return err;
	out->ivinfo = le_get32((const uint8_t *)buf + IVRS_IVINFO_OFFSET);
	return 0;
}

static size_t ivhd_fixed_len(uint8_t type)
{
	switch (type) {
	case IVRS_TYPE_IVHD10:
		return IVRS_IVHD10_LEN;
	case IVRS_TYPE_IVHD11:
	case IVRS_TYPE_IVHD40:
		return IVRS_IVHD11_LEN;
	}
	return 0;
}

int ivrs_ivhd(const void *buf, size_t len, size_t index, struct ivrs_ivhd *out)
{
	const uint8_t *p = buf;
	uint32_t length, off = IVRS_HEADER_LEN;
	size_t seen = 0;
	int err;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = acpi_table_check(buf, len, "IVRS", IVRS_HEADER_LEN, &length);
	if (err)
		return err;
	while (length - off >= IVRS_BLOCK_HDR_LEN) {
		uint8_t type = p[off];
		uint16_t n = le_get16(p + off + 2);
		size_t fixed = ivhd_fixed_len(type);

		if (n < IVRS_BLOCK_HDR_LEN || n > length - off)
			return -EBADMSG;
		if (fixed != 0 && n < fixed)
			return -EBADMSG;
		if (fixed != 0 && seen++ == index) {
			const uint8_t *b = p + off;

			out->type = type;
			out->flags = b[1];
			out->length = n;
			out->offset = off;
			out->device_id = le_get16(b + 4);
			out->cap_offset = le_get16(b + 6);
			out->base = le_get64(b + 8);
			out->segment = le_get16(b + 16);
			out->info = le_get16(b + 18);
			out->attributes = le_get32(b + 20);
			if (fixed == IVRS_IVHD11_LEN)
				out->efr = le_get64(b + 24);
			return 0;
		}
		off += n;
	}
	/* 1-3 stray bytes at the end are not a block: ignored. */
	return -ENOENT;
}

uint64_t amdvi_control_off(uint64_t control)
{
	return control & ~AMDVI_CTL_OFF_MASK;
}
