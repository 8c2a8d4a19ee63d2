/*
 * The pure half of efirt; see efirt_map.h for the interface and
 * docs/efirt.md for the two modes.
 *
 * Everything here comes from firmware or from a crashed OS: the runtime
 * services table is copied into an aligned local before a field is read,
 * and regions are checked for alignment and wrap before they are kept.
 * A region is never trusted to mean more than "these pages were runtime
 * memory": the glue maps them and calls into them, so the checks that
 * matter are the ones that keep a wild pointer from being called (every
 * function pointer must lie in a runtime region that is not MMIO).
 *
 * Pure code: kernel, host tool and tests; freestanding headers only.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/crc32.h"
#include "formats/efi.h"
#include "formats/efirt_map.h"

#define EFIRT_PAGE_MASK		0xfffull
#define EFIRT_IDENTITY_LIMIT	(1ull << 47)	/* canonical lower half, 4-level paging */

/* ------------------------------------------------------------ the table */

int efirt_rt_parse(const void *buf, size_t len, struct efirt_rt *out)
{
	struct efirt_runtime_services t;
	struct efi_table_header h;
	uint64_t fn[EFIRT_SVC_COUNT];
	uint32_t major;
	size_t have;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (buf == NULL || len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	out->header_size = h.header_size;
	if (h.header_size > len && h.header_size >= EFIRT_RT_SIZE_1_10 &&
	    h.header_size <= EFIRT_RT_SIZE_MAX)
		return -EINVAL;		/* the caller may map more and retry */

	/* Fields past HeaderSize (or len) are not the table's: leave them 0. */
	have = h.header_size < len ? h.header_size : len;
	if (have > sizeof(t))
		have = sizeof(t);
	memset(&t, 0, sizeof(t));
	memcpy(&t, buf, have);
	_Static_assert(sizeof(fn) == sizeof(t) - offsetof(struct efirt_runtime_services, get_time),
		       "fn[] covers every pointer of the table, in order");
	memcpy(fn, (const uint8_t *)&t + offsetof(struct efirt_runtime_services, get_time), sizeof(fn));
	out->revision = h.revision;
	memcpy(out->fn, fn, sizeof(fn));
	out->crc_stored = h.crc32;
	major = h.revision >> 16;
	if (h.signature != EFIRT_RUNTIME_SERVICES_SIGNATURE || major < 1 || major > 9 ||
	    h.header_size < EFIRT_RT_SIZE_1_10 || h.header_size > EFIRT_RT_SIZE_MAX)
		return -EBADMSG;
	/* The CRC sees the header with its CRC32 field zero (UEFI 2.10 §4.2). */
	h.crc32 = 0;
	out->crc_computed = crc32_update(0, &h, sizeof(h));
	out->crc_computed = crc32_update(out->crc_computed, (const uint8_t *)buf + sizeof(h),
					 h.header_size - sizeof(h));
	return out->crc_computed == out->crc_stored ? 0 : -EBADMSG;
}

const char *efirt_service_name(unsigned service)
{
	/* Arrays, not pointers: no relocations in a relocating kernel. */
	static const char names[EFIRT_SVC_COUNT][28] = {
		"GetTime", "SetTime", "GetWakeupTime", "SetWakeupTime",
		"SetVirtualAddressMap", "ConvertPointer", "GetVariable",
		"GetNextVariableName", "SetVariable", "GetNextHighMonotonicCount",
		"ResetSystem", "UpdateCapsule", "QueryCapsuleCapabilities",
		"QueryVariableInfo",
	};

	return service < EFIRT_SVC_COUNT ? names[service] : "?";
}

/* ------------------------------------------------------------ statuses */

const char *efirt_status_name(uint64_t status)
{
	/* UEFI 2.10 Appendix D, tables D.3 (errors) and D.4 (warnings). */
	static const char errors[36][28] = {
		"EFI_SUCCESS", "EFI_LOAD_ERROR", "EFI_INVALID_PARAMETER",
		"EFI_UNSUPPORTED", "EFI_BAD_BUFFER_SIZE", "EFI_BUFFER_TOO_SMALL",
		"EFI_NOT_READY", "EFI_DEVICE_ERROR", "EFI_WRITE_PROTECTED",
		"EFI_OUT_OF_RESOURCES", "EFI_VOLUME_CORRUPTED", "EFI_VOLUME_FULL",
		"EFI_NO_MEDIA", "EFI_MEDIA_CHANGED", "EFI_NOT_FOUND",
		"EFI_ACCESS_DENIED", "EFI_NO_RESPONSE", "EFI_NO_MAPPING",
		"EFI_TIMEOUT", "EFI_NOT_STARTED", "EFI_ALREADY_STARTED",
		"EFI_ABORTED", "EFI_ICMP_ERROR", "EFI_TFTP_ERROR",
		"EFI_PROTOCOL_ERROR", "EFI_INCOMPATIBLE_VERSION",
		"EFI_SECURITY_VIOLATION", "EFI_CRC_ERROR", "EFI_END_OF_MEDIA",
		"", "", "EFI_END_OF_FILE", "EFI_INVALID_LANGUAGE",
		"EFI_COMPROMISED_DATA", "EFI_IP_ADDRESS_CONFLICT", "EFI_HTTP_ERROR",
	};
	static const char warnings[8][28] = {
		"EFI_SUCCESS", "EFI_WARN_UNKNOWN_GLYPH", "EFI_WARN_DELETE_FAILURE",
		"EFI_WARN_WRITE_FAILURE", "EFI_WARN_BUFFER_TOO_SMALL",
		"EFI_WARN_STALE_DATA", "EFI_WARN_FILE_SYSTEM", "EFI_WARN_RESET_REQUIRED",
	};
	uint64_t code = status & ~EFIRT_ERROR_BIT;

	if (status & EFIRT_ERROR_BIT) {
		if (code != 0 && code < 36 && errors[code][0] != '\0')
			return errors[code];
		return "EFI_ERROR_UNKNOWN";
	}
	return code < 8 ? warnings[code] : "EFI_WARN_UNKNOWN";
}

int efirt_status_errno(uint64_t status)
{
	if (!(status & EFIRT_ERROR_BIT))
		return 0;
	switch (status & ~EFIRT_ERROR_BIT) {
	case 14: return -ENOENT;	/* NOT_FOUND */
	case 5: return -ENOSPC;		/* BUFFER_TOO_SMALL */
	case 2:				/* INVALID_PARAMETER */
	case 4: return -EINVAL;		/* BAD_BUFFER_SIZE */
	case 3: return -ENOTSUP;	/* UNSUPPORTED */
	case 8: return -EROFS;		/* WRITE_PROTECTED */
	case 9: return -ENOMEM;		/* OUT_OF_RESOURCES */
	case 15:			/* ACCESS_DENIED */
	case 26: return -EACCES;	/* SECURITY_VIOLATION */
	case 18: return -ETIMEDOUT;	/* TIMEOUT */
	}
	return -EIO;
}

int efirt_utf16_from_ascii(const char *s, uint16_t *out, size_t out_chars)
{
	size_t n = 0;

	if (s == NULL || out == NULL || out_chars == 0)
		return -EINVAL;
	out[0] = 0;
	if (s[0] == '\0')
		return -EINVAL;
	for (; s[n] != '\0'; n++) {
		unsigned char c = (unsigned char)s[n];

		if (c < 0x20 || c > 0x7e) {
			out[0] = 0;
			return -EINVAL;
		}
		if (n + 1 >= out_chars || n >= INT32_MAX) {
			out[0] = 0;
			return -ENOSPC;
		}
		out[n] = c;
	}
	out[n] = 0;
	return (int)n;
}

/* ------------------------------------------------------------ the map */

void efirt_map_init(struct efirt_map *m)
{
	if (m != NULL)
		memset(m, 0, sizeof(*m));
}

bool efirt_region_remapped(const struct efirt_region *r)
{
	return r != NULL && r->virt != 0 && r->virt != r->phys;
}

/* Bytes of a region; its checks in efirt_map_add make this exact. */
static uint64_t efirt_region_bytes(const struct efirt_region *r)
{
	return r->pages << 12;
}

/* [a, a + alen) and [b, b + blen) share a byte (neither wraps). */
static bool efirt_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The range [a, a + len) is non-empty, page-aligned at a, and below 2^64. */
static bool efirt_range_ok(uint64_t a, uint64_t pages)
{
	return (a & EFIRT_PAGE_MASK) == 0 && pages != 0 && pages <= (UINT64_MAX >> 12) &&
	       a <= UINT64_MAX - (pages << 12);
}

int efirt_map_add(struct efirt_map *m, uint32_t type, uint64_t phys, uint64_t virt,
		  uint64_t pages, uint64_t attribute)
{
	struct efirt_region n = { phys, virt, pages, attribute, type };
	int err = 0;

	if (m == NULL)
		return -EINVAL;
	if (!efirt_range_ok(phys, pages) || (virt != 0 && !efirt_range_ok(virt, pages)))
		err = -EBADMSG;
	for (size_t i = 0; err == 0 && efirt_region_remapped(&n) && i < m->count; i++) {
		const struct efirt_region *o = &m->r[i];

		if (efirt_region_remapped(o) &&
		    efirt_overlap(o->virt, efirt_region_bytes(o), virt, pages << 12) &&
		    o->virt - o->phys != virt - phys)
			err = -EEXIST;
	}
	if (err == 0 && m->count == EFIRT_MAP_MAX)
		err = -ENOSPC;
	if (err) {
		m->dropped++;
		return err;
	}
	m->r[m->count++] = n;
	return 0;
}

int efirt_map_add_efi_mmap(struct efirt_map *m, const void *buf, size_t len, uint32_t desc_size)
{
	size_t n = efi_mmap_count(len, desc_size);
	struct efi_mmap_desc d;
	int added = 0;

	if (m == NULL || buf == NULL || (n == 0 && len != 0))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int err = efi_mmap_desc_at(buf, len, desc_size, i, &d);

		if (!(d.attribute & EFI_MEMORY_RUNTIME))
			continue;
		if (err != 0) {
			m->dropped++;
			continue;
		}
		if (efirt_map_add(m, d.type, d.phys_start, d.virt_start, d.num_pages,
				  d.attribute) == 0 && added < INT32_MAX)
			added++;
	}
	return added;
}

int efirt_map_virt_to_phys(const struct efirt_map *m, uint64_t va, uint64_t len,
			   uint64_t *pa, size_t *index)
{
	if (m == NULL || pa == NULL || len == 0 || va > UINT64_MAX - len)
		return -EINVAL;
	for (size_t i = 0; i < m->count; i++) {
		const struct efirt_region *r = &m->r[i];

		if (!efirt_region_remapped(r) || va < r->virt ||
		    va + len > r->virt + efirt_region_bytes(r))
			continue;
		*pa = r->phys + (va - r->virt);
		if (index != NULL)
			*index = i;
		return 0;
	}
	return -ENOENT;
}

int efirt_map_find_phys(const struct efirt_map *m, uint64_t pa, uint64_t len, size_t *index)
{
	if (m == NULL || len == 0 || pa > UINT64_MAX - len)
		return -EINVAL;
	for (size_t i = 0; i < m->count; i++) {
		const struct efirt_region *r = &m->r[i];

		if (pa < r->phys || pa + len > r->phys + efirt_region_bytes(r))
			continue;
		if (index != NULL)
			*index = i;
		return 0;
	}
	return -ENOENT;
}

void efirt_map_decide(const struct efirt_map *m, uint64_t rt, uint64_t rt_len,
		      struct efirt_decision *out)
{
	size_t count = m != NULL ? m->count : 0;
	uint64_t pa;

	if (out == NULL)
		return;
	memset(out, 0, sizeof(*out));
	out->mode = EFIRT_MODE_NONE;
	for (size_t i = 0; i < count; i++)
		out->remapped += efirt_region_remapped(&m->r[i]);
	if (rt == 0) {
		out->why = EFIRT_WHY_NO_POINTER;
	} else if (count == 0) {
		/* Nothing to check against: only an identity address is usable. */
		if (rt_len != 0 && rt <= EFIRT_IDENTITY_LIMIT - rt_len) {
			out->mode = EFIRT_MODE_PHYSICAL;
			out->why = EFIRT_WHY_NO_MAP_PHYSICAL;
			out->table_phys = rt;
		} else {
			out->why = EFIRT_WHY_NO_MAP_HIGH;
		}
	} else if (out->remapped != 0 && efirt_map_virt_to_phys(m, rt, rt_len, &pa, &out->region) == 0) {
		out->mode = EFIRT_MODE_VIRTUAL;
		out->why = EFIRT_WHY_VIRTUAL;
		out->table_phys = pa;
	} else if (efirt_map_find_phys(m, rt, rt_len, &out->region) == 0) {
		out->mode = EFIRT_MODE_PHYSICAL;
		out->why = out->remapped ? EFIRT_WHY_PHYSICAL_DESPITE_REMAP : EFIRT_WHY_PHYSICAL;
		out->table_phys = rt;
	} else {
		out->why = EFIRT_WHY_OUTSIDE;
	}
}

int efirt_map_check_fn(const struct efirt_map *m, enum efirt_mode mode, uint64_t fn)
{
	size_t i;
	uint64_t pa;
	int err;

	if (m == NULL || fn == 0)
		return -EINVAL;
	if (mode == EFIRT_MODE_VIRTUAL)
		err = efirt_map_virt_to_phys(m, fn, 1, &pa, &i);
	else if (mode == EFIRT_MODE_PHYSICAL)
		err = efirt_map_find_phys(m, fn, 1, &i);
	else
		return -EINVAL;
	if (err)
		return err;
	switch (m->r[i].type) {
	case EFI_RESERVED_MEMORY_TYPE:
	case EFI_MEMORY_MAPPED_IO:
	case EFI_MEMORY_MAPPED_IO_PORT_SPACE:
		return -EPERM;
	}
	return 0;
}
