/*
 * Capsule file check (see capsule.h for the interface and the sources of
 * every rule).
 *
 * The file is hostile input.  Sizes are checked before anything is read
 * through them, and in the order a later check relies on an earlier one:
 * the header's own size fields, then the file size, then the flags, then
 * the body.  Every sum that could wrap is written as a subtraction
 * against what remains, 64-bit sums are used where two 32-bit fields
 * add, and the FMP item offsets are 64-bit values compared with the body
 * length before any is used as an index.
 *
 * Pure module: no globals but constant tables, no printing, no allocation.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/capsule.h"
#include "formats/guid.h"
#include "formats/le.h"

#define CAPSULE_FILE_PREFIX	"postmortem-"
#define CAPSULE_FILE_SUFFIX	".cap"

_Static_assert(sizeof(CAPSULE_FILE_PREFIX) - 1 + EFI_GUID_STR_LEN +
	       sizeof(CAPSULE_FILE_SUFFIX) - 1 == CAPSULE_FILE_NAME_LEN, "file name length");

static const struct {
	struct efi_guid guid;
	const char *name;
} capsule_known[] = {
	{ CAPSULE_GUID_FMP, "FMP" },
	{ CAPSULE_GUID_WINDOWS_UX, "Windows UX" },
	{ CAPSULE_GUID_JSON, "JSON" },
	{ CAPSULE_GUID_MEMORY_RANGE, "memory range" },
	{ CAPSULE_GUID_EDK2_COD_NAMES, "EDK2 capsule-on-disk names" },
};

/* Set *why and return -EBADMSG: the one way out of a failed rule. */
static int capsule_bad(const char **why, const char *text)
{
	if (why != NULL)
		*why = text;
	return -EBADMSG;
}

static void capsule_header_decode(const uint8_t *p, struct capsule_header *h)
{
	memcpy(h->capsule_guid.b, p, sizeof(h->capsule_guid.b));
	h->header_size = le_get32(p + 0x10);
	h->flags = le_get32(p + 0x14);
	h->capsule_image_size = le_get32(p + 0x18);
}

static bool capsule_guid_is_zero(const struct efi_guid *g)
{
	for (size_t i = 0; i < sizeof(g->b); i++)
		if (g->b[i] != 0)
			return false;
	return true;
}

/* ------------------------------------------------------------------- FMP */

/* Bytes of an FMP image header of this version, 0 for an unknown one. */
static uint32_t capsule_fmp_image_header_size(uint32_t version)
{
	switch (version) {
	case 1: return CAPSULE_FMP_IMAGE_HEADER_V1_SIZE;
	case 2: return CAPSULE_FMP_IMAGE_HEADER_V2_SIZE;
	case 3: return CAPSULE_FMP_IMAGE_HEADER_V3_SIZE;
	default: return 0;
	}
}

/*
 * Payload item `index` at body[off, end): an image header of a known
 * version whose image and vendor code fill the item exactly (EDK2
 * ValidateFmpCapsule).  The first payload's image type is the target.
 */
static int capsule_fmp_payload(const uint8_t *body, uint64_t off, uint64_t end,
			       struct capsule_info *out, const char **why)
{
	uint64_t item = end - off, want;
	uint32_t hsize;

	if (item < 4)
		return capsule_bad(why, "an FMP payload item is too short for its image header");
	hsize = capsule_fmp_image_header_size(le_get32(body + off));
	if (hsize == 0)
		return capsule_bad(why, "an FMP payload's image header version is not 1, 2 or 3");
	if (item < hsize)
		return capsule_bad(why, "an FMP payload item is too short for its image header");
	want = (uint64_t)hsize + le_get32(body + off + 0x18) + le_get32(body + off + 0x1c);
	if (want != item)
		return capsule_bad(why, "an FMP payload's UpdateImageSize and "
				   "UpdateVendorCodeSize do not fill its item");
	if (out->fmp_item == out->fmp_drivers && !out->nested)
		memcpy(out->target.b, body + off + 0x04, sizeof(out->target.b));
	return 0;
}

/*
 * The FMP capsule body (what follows the FMP capsule's EFI_CAPSULE_HEADER)
 * in body[0..len): UEFI 2.10 §23.3.1-23.3.3 as EDK2 ValidateFmpCapsule
 * applies them.
 */
static int capsule_fmp_check(const uint8_t *body, size_t len, struct capsule_info *out,
			     const char **why)
{
	uint64_t prev = 0, off, end, table;
	uint32_t items;
	int rc;

	if (len < sizeof(struct capsule_fmp_header))
		return capsule_bad(why, "the FMP capsule body is shorter than its 8-byte header");
	if (le_get32(body) != CAPSULE_FMP_HEADER_VERSION)
		return capsule_bad(why, "the FMP capsule header's Version is not 1");
	out->fmp_drivers = le_get16(body + 4);
	out->fmp_payloads = le_get16(body + 6);
	items = (uint32_t)out->fmp_drivers + out->fmp_payloads;
	if (items == 0)
		return capsule_bad(why, "the FMP capsule holds no driver and no payload, "
				   "which firmware does not process");
	if ((len - 8) / 8 < items)
		return capsule_bad(why, "the FMP ItemOffsetList runs past the end of the capsule");
	table = 8 + (uint64_t)items * 8;
	for (out->fmp_item = 0; out->fmp_item < items; out->fmp_item++) {
		off = le_get64(body + 8 + (size_t)out->fmp_item * 8);
		if (off < table || off >= len)
			return capsule_bad(why, "an FMP item offset points outside the capsule body");
		if (out->fmp_item > 0 && off <= prev)
			return capsule_bad(why, "the FMP item offsets are not in ascending order");
		prev = off;
	}
	for (out->fmp_item = out->fmp_drivers; out->fmp_item < items; out->fmp_item++) {
		off = le_get64(body + 8 + (size_t)out->fmp_item * 8);
		end = out->fmp_item + 1 < items ?
		      le_get64(body + 8 + (size_t)(out->fmp_item + 1) * 8) : len;
		rc = capsule_fmp_payload(body, off, end, out, why);
		if (rc != 0)
			return rc;
	}
	out->fmp_item = 0;
	return 0;
}

/*
 * A nested FMP capsule: the body starts with an EFI_CAPSULE_HEADER whose
 * GUID is the FMP GUID.  Returns 1 when the body is one and passes, 0
 * when it is not one, -EBADMSG when it is one and fails.
 */
static int capsule_nested_check(const uint8_t *body, size_t len, struct capsule_info *out,
				const char **why)
{
	static const struct efi_guid fmp = CAPSULE_GUID_FMP;
	struct capsule_header in;
	int rc;

	if (len < CAPSULE_HEADER_SIZE || memcmp(body, fmp.b, sizeof(fmp.b)) != 0)
		return 0;
	capsule_header_decode(body, &in);
	out->fmp = out->nested = true;
	if (in.header_size < CAPSULE_HEADER_SIZE || in.header_size >= in.capsule_image_size ||
	    in.capsule_image_size != len)
		return capsule_bad(why, "the nested FMP capsule's header sizes do not fit the body");
	rc = capsule_fmp_check(body + in.header_size, len - in.header_size, out, why);
	return rc != 0 ? rc : 1;
}

/* ----------------------------------------------------------------- check */

/* The size rules: header fields against each other, then against the file. */
static int capsule_check_sizes(const uint8_t *p, size_t len, const struct capsule_header *h,
			       const char **why)
{
	struct capsule_header next;

	if (h->header_size < CAPSULE_HEADER_SIZE)
		return capsule_bad(why, "HeaderSize is below 28, the size of EFI_CAPSULE_HEADER");
	if (h->header_size > h->capsule_image_size)
		return capsule_bad(why, "HeaderSize is larger than CapsuleImageSize");
	if (h->header_size == h->capsule_image_size)
		return capsule_bad(why, "the capsule has no body (HeaderSize equals "
				   "CapsuleImageSize), which firmware refuses");
	if (h->capsule_image_size > len)
		return capsule_bad(why, "CapsuleImageSize is larger than the file: "
				   "the file is cut short");
	if (h->capsule_image_size == len)
		return 0;
	/* Name the common mistake: capsules concatenated into one file. */
	if (len - h->capsule_image_size >= CAPSULE_HEADER_SIZE) {
		capsule_header_decode(p + h->capsule_image_size, &next);
		if (next.header_size >= CAPSULE_HEADER_SIZE &&
		    next.header_size < next.capsule_image_size &&
		    next.capsule_image_size <= len - h->capsule_image_size)
			return capsule_bad(why, "the file holds more than one capsule; "
					   "capsule-on-disk takes one capsule per file");
	}
	return capsule_bad(why, "CapsuleImageSize is smaller than the file: "
			   "bytes follow the capsule");
}

/* The flag rules of UpdateCapsule(), which capsule-on-disk inherits. */
static int capsule_check_flags(const struct capsule_header *h, const char **why)
{
	static const struct efi_guid fmp = CAPSULE_GUID_FMP;
	uint32_t f = h->flags;

	if ((f & ~CAPSULE_FLAGS_DEFINED) != 0)
		return capsule_bad(why, "Flags sets bits above INITIATE_RESET, "
				   "which UEFI does not define");
	if ((f & CAPSULE_FLAGS_POPULATE_SYSTEM_TABLE) != 0 &&
	    (f & CAPSULE_FLAGS_PERSIST_ACROSS_RESET) == 0)
		return capsule_bad(why, "POPULATE_SYSTEM_TABLE is set without PERSIST_ACROSS_RESET");
	if ((f & CAPSULE_FLAGS_INITIATE_RESET) != 0 &&
	    (f & CAPSULE_FLAGS_PERSIST_ACROSS_RESET) == 0)
		return capsule_bad(why, "INITIATE_RESET is set without PERSIST_ACROSS_RESET");
	if (efi_guid_eq(&h->capsule_guid, &fmp) && (f & CAPSULE_FLAGS_POPULATE_SYSTEM_TABLE) != 0)
		return capsule_bad(why, "an FMP capsule must not set POPULATE_SYSTEM_TABLE");
	return 0;
}

int capsule_check(const void *buf, size_t len, struct capsule_info *out, const char **why)
{
	static const struct efi_guid fmp = CAPSULE_GUID_FMP;
	static const struct efi_guid names = CAPSULE_GUID_EDK2_COD_NAMES;
	const uint8_t *p = buf;
	const uint8_t *body;
	size_t body_len;
	int rc;

	if (why != NULL)
		*why = "no capsule (NULL)";
	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return -EINVAL;
	out->file_size = len;
	out->refused = CAPSULE_PART_SIZE;
	if (len < CAPSULE_HEADER_SIZE)
		return capsule_bad(why, "the file is shorter than an EFI_CAPSULE_HEADER (28 bytes)");
	capsule_header_decode(p, &out->hdr);
	out->guid_name = capsule_guid_name(&out->hdr.capsule_guid);
	out->target = out->hdr.capsule_guid;
	rc = capsule_check_sizes(p, len, &out->hdr, why);
	if (rc != 0)
		return rc;
	out->refused = CAPSULE_PART_FLAGS;
	rc = capsule_check_flags(&out->hdr, why);
	if (rc != 0)
		return rc;
	out->refused = CAPSULE_PART_GUID;
	if (capsule_guid_is_zero(&out->hdr.capsule_guid))
		return capsule_bad(why, "CapsuleGuid is all zero");
	if (efi_guid_eq(&out->hdr.capsule_guid, &names))
		return capsule_bad(why, "CapsuleGuid is EDK2's capsule-on-disk file-name list, "
				   "which only the firmware writes");
	out->refused = CAPSULE_PART_FMP;
	body = p + out->hdr.header_size;
	body_len = out->hdr.capsule_image_size - out->hdr.header_size;
	if (efi_guid_eq(&out->hdr.capsule_guid, &fmp)) {
		out->fmp = true;
		rc = capsule_fmp_check(body, body_len, out, why);
	} else {
		rc = capsule_nested_check(body, body_len, out, why);
	}
	if (rc < 0)
		return rc;
	out->refused = CAPSULE_PART_NONE;
	if (why != NULL)
		*why = NULL;
	return 0;
}

/* ------------------------------------------------------------- utilities */

int capsule_header_put(void *buf, size_t len, const struct efi_guid *guid, uint32_t flags,
		       uint64_t body_len)
{
	uint8_t *p = buf;

	if (p == NULL || guid == NULL || len < CAPSULE_HEADER_SIZE)
		return -EINVAL;
	if (body_len > UINT32_MAX - CAPSULE_HEADER_SIZE)
		return -ERANGE;
	memcpy(p, guid->b, sizeof(guid->b));
	le_put32(p + 0x10, CAPSULE_HEADER_SIZE);
	le_put32(p + 0x14, flags);
	le_put32(p + 0x18, (uint32_t)(CAPSULE_HEADER_SIZE + body_len));
	return 0;
}

const char *capsule_guid_name(const struct efi_guid *g)
{
	for (size_t i = 0; i < sizeof(capsule_known) / sizeof(capsule_known[0]); i++)
		if (efi_guid_eq(g, &capsule_known[i].guid))
			return capsule_known[i].name;
	return NULL;
}

const char *capsule_flag_name(uint32_t bit)
{
	switch (bit) {
	case CAPSULE_FLAGS_PERSIST_ACROSS_RESET: return "PERSIST_ACROSS_RESET";
	case CAPSULE_FLAGS_POPULATE_SYSTEM_TABLE: return "POPULATE_SYSTEM_TABLE";
	case CAPSULE_FLAGS_INITIATE_RESET: return "INITIATE_RESET";
	default: return NULL;
	}
}

int capsule_file_name(const struct efi_guid *g, char *out, size_t out_len)
{
	size_t n = sizeof(CAPSULE_FILE_PREFIX) - 1;

	if (g == NULL || out == NULL)
		return -EINVAL;
	if (out_len <= CAPSULE_FILE_NAME_LEN) {
		if (out_len > 0)
			out[0] = '\0';
		return -ENOSPC;
	}
	memcpy(out, CAPSULE_FILE_PREFIX, n);
	efi_guid_format(g, out + n);
	memcpy(out + n + EFI_GUID_STR_LEN, CAPSULE_FILE_SUFFIX, sizeof(CAPSULE_FILE_SUFFIX));
	return CAPSULE_FILE_NAME_LEN;
}
