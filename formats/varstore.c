/*
 * EDK2 variable store reader (see varstore.h for the layout, the
 * interface and the rules, with their sources).
 *
 * The file is hostile input.  Every field is read with byte getters from
 * an offset first proven to lie inside the buffer; every length is
 * compared with what remains (end - offset) instead of being added to an
 * offset, so nothing wraps; offsets are size_t and the store's end is
 * bounded by the file length before the walk starts.  The walk never goes
 * backwards (each step moves at least one header forward), so it ends.
 * Deciding whether an in-transition copy is live scans the store again
 * for an added copy: quadratic in the number of such copies, which EDK2
 * leaves at most one of per variable and a 256 KiB store bounds anyway.
 *
 * Pure module: no globals but constant tables, no printing, no allocation.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/efi.h"
#include "formats/le.h"
#include "formats/varstore.h"

static const struct {
	struct efi_guid guid;
	const char *name;
} varstore_known[] = {
	{ VARSTORE_GLOBAL_VARIABLE_GUID, "EFI global" },
	/* EFI_IMAGE_SECURITY_DATABASE_GUID, UEFI 2.10 §32.6.1: db, dbx, dbt */
	{ EFI_GUID_INIT(0xd719b2cb, 0x3d3a, 0x4596, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f),
	  "image security" },
	/* EFI_CAPSULE_REPORT_GUID, UEFI 2.10 §8.5.6: Capsule####, CapsuleLast, CapsuleMax */
	{ EFI_GUID_INIT(0x39b68c46, 0xf7fb, 0x441b, 0xb6, 0xec, 0x16, 0xb0, 0xf6, 0x98, 0x21, 0xf3),
	  "capsule report" },
	/* EDK2 gEfiCapsuleVendorGuid: CapsuleUpdateData */
	{ EFI_GUID_INIT(0x711c703f, 0xc285, 0x4b10, 0xa3, 0xb0, 0x36, 0xec, 0xbd, 0x3c, 0x8b, 0xe2),
	  "EDK2 capsule vendor" },
	/* EDK2 gEfiMemoryTypeInformationGuid: MemoryTypeInformation */
	{ EFI_GUID_INIT(0x4c19049f, 0x4137, 0x4dd3, 0x9c, 0x10, 0x8b, 0x97, 0xa8, 0x3f, 0xfd, 0xfa),
	  "EDK2 memory type information" },
	/* EDK2 gMtcVendorGuid: MTC, the monotonic counter's high word */
	{ EFI_GUID_INIT(0xeb704011, 0x1402, 0x11d3, 0x8e, 0x77, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b),
	  "EDK2 monotonic counter" },
	/* EDK2 gEfiSecureBootEnableDisableGuid: SecureBootEnable */
	{ EFI_GUID_INIT(0xf0a30bc7, 0xaf08, 0x4556, 0x99, 0xc4, 0x00, 0x10, 0x09, 0xc9, 0x3a, 0x44),
	  "EDK2 secure boot enable" },
	/* EDK2 gEfiCustomModeEnableGuid: CustomMode */
	{ EFI_GUID_INIT(0xc076ec0c, 0x7028, 0x4399, 0xa0, 0x72, 0x71, 0xee, 0x5c, 0x44, 0x8b, 0x9f),
	  "EDK2 custom mode" },
	/* EDK2 gEfiVendorKeysNvGuid: VendorKeysNv */
	{ EFI_GUID_INIT(0x9073e4e0, 0x60ec, 0x4b6e, 0x99, 0x03, 0x4c, 0x22, 0x3c, 0x26, 0x0f, 0x3c),
	  "EDK2 vendor keys" },
	/* EDK2 gEfiCertDbGuid: certdb, certdbv */
	{ EFI_GUID_INIT(0xd9bee56e, 0x75dc, 0x49d9, 0xb4, 0xd7, 0xb5, 0x34, 0x21, 0x0f, 0x63, 0x7a),
	  "EDK2 certificate db" },
	/* EDK2 gEdkiiVarErrorFlagGuid: VarErrorFlag */
	{ EFI_GUID_INIT(0x04b37fe8, 0xf6ae, 0x480b, 0xbd, 0xd5, 0x37, 0xd9, 0x8c, 0x5e, 0x89, 0xaa),
	  "EDK2 variable error flag" },
	/* OVMF gOvmfPlatformConfigGuid: PlatformConfig */
	{ EFI_GUID_INIT(0x7235c51c, 0x0c80, 0x4cab, 0x87, 0xac, 0x3b, 0x08, 0x4a, 0x63, 0x04, 0xb1),
	  "OVMF platform config" },
};

/* Set *why, note where, and return -EBADMSG: the one way out of a failed rule. */
static int varstore_bad(struct varstore *vs, size_t where, const char **why, const char *text)
{
	vs->bad_offset = where;
	if (why != NULL)
		*why = text;
	return -EBADMSG;
}

/* off rounded up to HEADER_ALIGNMENT, or end if that passes end. */
static size_t varstore_align(size_t off, size_t end)
{
	size_t pad = (VARSTORE_HEADER_ALIGN - off % VARSTORE_HEADER_ALIGN) % VARSTORE_HEADER_ALIGN;

	return end - off < pad ? end : off + pad;
}

/* --------------------------------------------------------- volume header */

/* The 16-bit words of the header, wrapping: a valid header sums to 0. */
static uint16_t varstore_sum16(const uint8_t *p, size_t len)
{
	uint16_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum = (uint16_t)(sum + le_get16(p + i));
	return sum;
}

/* The block map: {0,0}-terminated inside HeaderLength, adding up to FvLength. */
static int varstore_block_map(struct varstore *vs, const char **why)
{
	const uint8_t *p = vs->buf;
	uint64_t total = 0, n, l;

	for (size_t off = sizeof(struct varstore_fv_header);; off += 8) {
		if (vs->fv_header_length - off < 8)
			return varstore_bad(vs, off, why, "the block map has no {0,0} end "
					    "inside HeaderLength");
		n = le_get32(p + off);
		l = le_get32(p + off + 4);
		if (n == 0 && l == 0)
			break;
		if (n == 0 || l == 0)
			return varstore_bad(vs, off, why, "a block map entry has zero blocks "
					    "or zero-length blocks");
		if (n * l > UINT64_MAX - total)
			return varstore_bad(vs, off, why, "the block map overflows 64 bits");
		total += n * l;
	}
	if (total != vs->fv_length)
		return varstore_bad(vs, sizeof(struct varstore_fv_header), why,
				    "the block map does not add up to FvLength");
	return 0;
}

static int varstore_fv_check(struct varstore *vs, const char **why)
{
	static const struct efi_guid nv = VARSTORE_NV_DATA_FV_GUID;
	const uint8_t *p = vs->buf;

	if (vs->len < sizeof(struct varstore_fv_header))
		return varstore_bad(vs, 0, why, "the file is shorter than a firmware volume "
				    "header (56 bytes)");
	if (le_get32(p + 0x28) != VARSTORE_FVH_SIGNATURE)
		return varstore_bad(vs, 0x28, why, "no \"_FVH\" signature: not a firmware volume");
	if (memcmp(p + 0x10, nv.b, sizeof(nv.b)) != 0)
		return varstore_bad(vs, 0x10, why, "FileSystemGuid is not "
				    "EFI_SYSTEM_NV_DATA_FV_GUID: not a variable store volume");
	if (p[0x37] != VARSTORE_FVH_REVISION)
		return varstore_bad(vs, 0x37, why, "the firmware volume Revision is not 2");
	vs->fv_length = le_get64(p + 0x20);
	vs->fv_attributes = le_get32(p + 0x2c);
	vs->fv_header_length = le_get16(p + 0x30);
	if (vs->fv_header_length < VARSTORE_FV_HEADER_MIN || vs->fv_header_length % 2 != 0)
		return varstore_bad(vs, 0x30, why, "HeaderLength is odd or below 72 bytes");
	if (vs->fv_header_length > vs->len)
		return varstore_bad(vs, 0x30, why, "HeaderLength runs past the end of the file");
	if (varstore_sum16(p, vs->fv_header_length) != 0)
		return varstore_bad(vs, 0x32, why, "the firmware volume header's 16-bit sum "
				    "is not zero");
	if (vs->fv_length < vs->fv_header_length)
		return varstore_bad(vs, 0x20, why, "FvLength is smaller than HeaderLength");
	if (vs->fv_length > vs->len)
		return varstore_bad(vs, 0x20, why, "FvLength is larger than the file: "
				    "the file is cut short");
	return varstore_block_map(vs, why);
}

/* ---------------------------------------------------------- store header */

static bool varstore_all_ones(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xff)
			return false;
	return true;
}

static int varstore_store_check(struct varstore *vs, const char **why)
{
	static const struct efi_guid auth = VARSTORE_AUTH_STORE_GUID;
	static const struct efi_guid plain = VARSTORE_STORE_GUID;
	size_t at = vs->fv_header_length;
	const uint8_t *s = vs->buf + at;

	/* fv_length <= len and fv_header_length <= fv_length: both bound the store. */
	if (vs->fv_length - at < sizeof(struct varstore_store_header))
		return varstore_bad(vs, at, why, "no room for the variable store header "
				    "after the firmware volume header");
	if (varstore_all_ones(s, 0x16))
		return varstore_bad(vs, at, why, "the variable store is erased (never formatted)");
	if (memcmp(s, auth.b, sizeof(auth.b)) == 0)
		vs->auth = true;
	else if (memcmp(s, plain.b, sizeof(plain.b)) != 0)
		return varstore_bad(vs, at, why, "the store Signature is neither "
				    "gEfiAuthenticatedVariableGuid nor gEfiVariableGuid");
	if (s[0x14] != VARSTORE_FORMATTED)
		return varstore_bad(vs, at + 0x14, why, "the store Format is not 0x5A (formatted)");
	if (s[0x15] != VARSTORE_HEALTHY)
		return varstore_bad(vs, at + 0x15, why, "the store State is not 0xFE (healthy)");
	vs->store_size = le_get32(s + 0x10);
	if (vs->store_size < sizeof(struct varstore_store_header))
		return varstore_bad(vs, at + 0x10, why, "the store Size is smaller than "
				    "its own header");
	if (vs->store_size > vs->fv_length - at)
		return varstore_bad(vs, at + 0x10, why, "the store Size runs past the end "
				    "of the firmware volume");
	vs->vars_end = at + vs->store_size;
	vs->vars_start = varstore_align(at + sizeof(struct varstore_store_header), vs->vars_end);
	return 0;
}

/* -------------------------------------------------------------- variables */

static void varstore_time_decode(const uint8_t *p, struct varstore_time *t)
{
	t->year = le_get16(p);
	t->month = p[2];
	t->day = p[3];
	t->hour = p[4];
	t->minute = p[5];
	t->second = p[6];
	t->pad1 = p[7];
	t->nanosecond = le_get32(p + 8);
	t->time_zone = (int16_t)le_get16(p + 12);
	t->daylight = p[14];
	t->pad2 = p[15];
}

/* The header fields at p, in either format. */
static void varstore_header_decode(const struct varstore *vs, const uint8_t *p,
				   struct varstore_var *v)
{
	size_t sizes = vs->auth ? 0x24 : 0x08;

	v->state = p[2];
	v->attributes = le_get32(p + 4);
	v->name_size = le_get32(p + sizes);
	v->data_size = le_get32(p + sizes + 4);
	memcpy(v->guid.b, p + sizes + 8, sizeof(v->guid.b));
	if (vs->auth) {
		v->monotonic_count = le_get64(p + 0x08);
		varstore_time_decode(p + 0x10, &v->time_stamp);
		v->pub_key_index = le_get32(p + 0x20);
	}
}

static bool varstore_maybe_live(uint8_t state)
{
	return state == VARSTORE_STATE_ADDED || state == VARSTORE_STATE_IN_TRANSITION;
}

/* Decode the name for people: ASCII, whole and printable, or marked as not. */
static void varstore_name_decode(struct varstore_var *v)
{
	int n = efi_utf16_to_ascii(v->name_utf16, v->name_size, v->name, sizeof(v->name));

	v->name_ascii = n >= 0 && (size_t)n * 2 + 2 == v->name_size && strchr(v->name, '?') == NULL;
}

/*
 * The header at *off (a multiple of 4 inside the store): -ENOENT where
 * the chain ends, else 0 with *v filled (live not yet decided) and *off
 * moved to the next header, or -EBADMSG when a length runs past the end.
 */
static int varstore_step(struct varstore *vs, size_t *off, struct varstore_var *v,
			 const char **why)
{
	size_t at = *off, end = vs->vars_end;
	size_t hsize = vs->auth ? VARSTORE_AUTH_VAR_HEADER_SIZE : VARSTORE_VAR_HEADER_SIZE;
	const uint8_t *p;
	size_t room, next;
	bool blank;

	memset(v, 0, sizeof(*v));
	if (at >= end || end - at < 2)
		return -ENOENT;
	p = vs->buf + at;
	if (le_get16(p) != VARSTORE_VARIABLE_DATA)
		return -ENOENT;
	if (end - at < hsize)
		return varstore_bad(vs, at, why, "a variable header runs past the end of the store");
	v->offset = at;
	varstore_header_decode(vs, p, v);
	room = end - at - hsize;
	blank = v->state == 0xff || v->attributes == UINT32_MAX || v->name_size == UINT32_MAX ||
		v->data_size == UINT32_MAX;
	if (blank) {
		/* A write cut short: EDK2 reads its sizes as 0 and steps over the header. */
		v->name_size = v->data_size = 0;
	}
	if (v->name_size > room)
		return varstore_bad(vs, at, why, "a variable's NameSize runs past the end of "
				    "the store");
	if (v->data_size > room - v->name_size)
		return varstore_bad(vs, at, why, "a variable's DataSize runs past the end of "
				    "the store");
	v->name_utf16 = p + hsize;
	v->data = p + hsize + v->name_size;
	if (varstore_maybe_live(v->state) && !blank &&
	    (v->name_size < 2 || v->name_size % 2 != 0 ||
	     le_get16(v->name_utf16 + v->name_size - 2) != 0))
		return varstore_bad(vs, at, why, "a live variable's name is empty, odd-sized "
				    "or not NUL-terminated");
	varstore_name_decode(v);
	next = at + hsize + v->name_size + v->data_size;
	*off = varstore_align(next, end);
	return 0;
}

static bool varstore_same_name(const struct varstore_var *a, const struct varstore_var *b)
{
	return a->name_size == b->name_size && efi_guid_eq(&a->guid, &b->guid) &&
	       memcmp(a->name_utf16, b->name_utf16, a->name_size) == 0;
}

/* Is there a VAR_ADDED copy of v anywhere in the (already checked) store? */
static bool varstore_has_added_copy(const struct varstore *vs, const struct varstore_var *v)
{
	struct varstore tmp = *vs;
	struct varstore_var w;
	size_t off = vs->vars_start;

	while (varstore_step(&tmp, &off, &w, NULL) == 0)
		if (w.state == VARSTORE_STATE_ADDED && varstore_same_name(&w, v))
			return true;
	return false;
}

/*
 * Live by the state rules.  A header read with blank fields has no name
 * (varstore_step() zeroed its sizes), and every other added or
 * in-transition header has one, so name_size 0 marks a cut-short write,
 * which is never live even if its State byte claims so.
 */
static void varstore_decide(const struct varstore *vs, struct varstore_var *v)
{
	if (v->name_size == 0)
		v->live = false;
	else
		v->live = v->state == VARSTORE_STATE_ADDED ||
			  (v->state == VARSTORE_STATE_IN_TRANSITION &&
			   !varstore_has_added_copy(vs, v));
}

/* ---------------------------------------------------------------- public */

int varstore_open(const void *buf, size_t len, struct varstore *vs, const char **why)
{
	struct varstore_var v;
	size_t off;
	int rc;

	if (why != NULL)
		*why = "no variable store (NULL)";
	if (vs == NULL)
		return -EINVAL;
	memset(vs, 0, sizeof(*vs));
	if (buf == NULL)
		return -EINVAL;
	vs->buf = buf;
	vs->len = len;
	rc = varstore_fv_check(vs, why);
	if (rc == 0)
		rc = varstore_store_check(vs, why);
	if (rc != 0)
		return rc;
	off = vs->used_end = vs->vars_start;
	while ((rc = varstore_step(vs, &off, &v, why)) == 0) {
		vs->headers++;
		vs->used_end = off;
	}
	if (rc != -ENOENT)
		return rc;
	for (off = vs->vars_start; varstore_step(vs, &off, &v, NULL) == 0;) {
		varstore_decide(vs, &v);
		vs->live += v.live;
	}
	if (why != NULL)
		*why = NULL;
	return 0;
}

int varstore_next_any(const struct varstore *vs, size_t *cursor, struct varstore_var *out)
{
	struct varstore tmp;
	size_t off;
	int rc;

	if (vs == NULL || cursor == NULL || out == NULL)
		return -EINVAL;
	tmp = *vs;
	off = *cursor < vs->vars_start ? vs->vars_start : *cursor;
	rc = varstore_step(&tmp, &off, out, NULL);
	if (rc != 0)
		return -ENOENT;		/* varstore_open() walked it: only the end is left */
	*cursor = off;
	varstore_decide(vs, out);
	return 0;
}

int varstore_next(const struct varstore *vs, size_t *cursor, struct varstore_var *out)
{
	int rc;

	while ((rc = varstore_next_any(vs, cursor, out)) == 0)
		if (out->live)
			return 0;
	return rc;
}

/* Does the stored UTF-16 name of v spell the ASCII string name, NUL included? */
static bool varstore_name_is(const struct varstore_var *v, const char *name)
{
	size_t n = strlen(name);

	if (v->name_size != 2 * (n + 1))
		return false;
	for (size_t i = 0; i <= n; i++)
		if (le_get16(v->name_utf16 + 2 * i) != (uint8_t)name[i])
			return false;
	return true;
}

int varstore_find(const struct varstore *vs, const char *name, const struct efi_guid *guid,
		  struct varstore_var *out)
{
	struct varstore_var v;
	size_t cursor = 0;
	bool found = false;

	if (vs == NULL || name == NULL || guid == NULL || out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	/* Live copies are unique per name and GUID except in a damaged store: prefer ADDED. */
	while (varstore_next(vs, &cursor, &v) == 0) {
		if (!efi_guid_eq(&v.guid, guid) || !varstore_name_is(&v, name))
			continue;
		*out = v;
		found = true;
		if (v.state == VARSTORE_STATE_ADDED)
			break;
	}
	return found ? 0 : -ENOENT;
}

const char *varstore_attr_name(uint32_t bit)
{
	switch (bit) {
	case VARSTORE_ATTR_NV: return "NV";
	case VARSTORE_ATTR_BS: return "BS";
	case VARSTORE_ATTR_RT: return "RT";
	case VARSTORE_ATTR_HR: return "HR";
	case VARSTORE_ATTR_AW: return "AW";
	case VARSTORE_ATTR_AT: return "AT";
	case VARSTORE_ATTR_AP: return "AP";
	case VARSTORE_ATTR_EA: return "EA";
	default: return NULL;
	}
}

const char *varstore_state_name(uint8_t state)
{
	switch (state) {
	case VARSTORE_STATE_ADDED: return "added";
	case VARSTORE_STATE_IN_TRANSITION: return "in deleted transition";
	case VARSTORE_STATE_DELETED:
	case VARSTORE_STATE_DELETED | 1: return "deleted";
	case VARSTORE_VAR_HEADER_VALID_ONLY: return "header only";
	case 0xff: return "blank";
	default: return "unknown";
	}
}

const char *varstore_guid_name(const struct efi_guid *g)
{
	for (size_t i = 0; i < sizeof(varstore_known) / sizeof(varstore_known[0]); i++)
		if (efi_guid_eq(g, &varstore_known[i].guid))
			return varstore_known[i].name;
	return NULL;
}
