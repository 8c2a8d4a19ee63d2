/*
 * ACPI DMAR reader (see dmar.h).  The table comes from firmware memory a
 * crashed system may have overwritten, so the declared length is checked
 * against what the caller mapped before anything else is read, every
 * structure's length is checked against what is left of the table (and a
 * device scope's against what is left of its DRHD) before it is used or
 * stepped over, and fields are copied out byte by byte.
 *
 * Pure code: kernel, host tool and tests; freestanding headers only.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/acpi.h"
#include "formats/dmar.h"
#include "formats/le.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "ACPI tables are little-endian and read in place");

#define DMAR_WIDTH_OFFSET	36
#define DMAR_FLAGS_OFFSET	37

int dmar_parse(const void *buf, size_t len, struct dmar_info *out)
{
	const uint8_t *p = buf;
	uint32_t length;
	int err;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = acpi_table_check(buf, len, "DMAR", DMAR_HEADER_LEN, &length);
	if (err)
		return err;
	out->host_addr_width = (uint8_t)(p[DMAR_WIDTH_OFFSET] + 1u);
	out->flags = p[DMAR_FLAGS_OFFSET];
	return 0;
}

/*
 * Find the index-th DRHD of the DMAR table at buf: check the table's
 * header, then walk the remapping structures from offset 48, each checked
 * to hold its header and to end within the table.  Stores its offset and
 * length.  Returns 0, -ENOENT, or acpi_table_check()'s -EINVAL / -EBADMSG.
 */
static int dmar_find_drhd(const void *buf, size_t len, size_t index,
			  uint32_t *at, uint16_t *slen)
{
	const uint8_t *p = buf;
	size_t seen = 0;
	uint32_t length, off = DMAR_HEADER_LEN;
	int err = acpi_table_check(buf, len, "DMAR", DMAR_HEADER_LEN, &length);

	if (err)
		return err;
	while (length - off >= DMAR_STRUCT_HDR_LEN) {
		uint16_t type = le_get16(p + off);
		uint16_t n = le_get16(p + off + 2);

		if (n < DMAR_STRUCT_HDR_LEN || n > length - off)
			return -EBADMSG;
		if (type == DMAR_TYPE_DRHD) {
			if (n < DMAR_DRHD_LEN)
				return -EBADMSG;
			if (seen++ == index) {
				*at = off;
				*slen = n;
				return 0;
			}
		}
		off += n;
	}
	/* 1-3 stray bytes at the end are not a structure: ignored. */
	return -ENOENT;
}

int dmar_drhd(const void *buf, size_t len, size_t index, struct dmar_drhd *out)
{
	const uint8_t *p = buf;
	uint32_t at;
	uint16_t n;
	int err;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = dmar_find_drhd(buf, len, index, &at, &n);
	if (err)
		return err;
	out->flags = p[at + 4];
	out->size = p[at + 5] & 0x0fu;
	out->segment = le_get16(p + at + 6);
	out->reg_base = le_get64(p + at + 8);
	out->offset = at;
	out->length = n;
	return 0;
}

int dmar_scope(const void *buf, size_t len, size_t index, size_t scope,
	       struct dmar_scope *out)
{
	const uint8_t *p = buf;
	uint32_t at, off, end;
	uint16_t n;
	size_t seen = 0;
	int err;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = dmar_find_drhd(buf, len, index, &at, &n);
	if (err)
		return err;
	end = at + n;
	for (off = at + DMAR_DRHD_LEN; end - off >= 2; off += p[off + 1]) {
		uint8_t elen = p[off + 1];

		if (elen < DMAR_SCOPE_HDR_LEN || elen > end - off ||
		    (elen - DMAR_SCOPE_HDR_LEN) % 2 != 0)
			return -EBADMSG;
		if (seen++ != scope)
			continue;
		out->type = p[off];
		out->enum_id = p[off + 4];
		out->start_bus = p[off + 5];
		out->path_len = (uint8_t)((elen - DMAR_SCOPE_HDR_LEN) / 2);
		for (unsigned k = 0; k < out->path_len && k < DMAR_SCOPE_PATH_MAX; k++) {
			out->path[k].dev = p[off + DMAR_SCOPE_HDR_LEN + 2 * k];
			out->path[k].fn = p[off + DMAR_SCOPE_HDR_LEN + 2 * k + 1];
		}
		return 0;
	}
	/* A lone trailing byte is not an entry: ignored, as at the table's end. */
	return -ENOENT;
}

uint32_t vtd_gcmd_clear(uint32_t gsts, uint32_t clear)
{
	return gsts & ~VTD_GSTS_ONE_SHOT & ~clear;
}
