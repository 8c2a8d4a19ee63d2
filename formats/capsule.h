/*
 * UEFI capsule files for capsule-on-disk: the check postmortem applies to
 * a capsule before it stages it in \EFI\UpdateCapsule\ on the ESP, the
 * name it stages it under, and the header writer the tests and
 * `postmortem capsule make` use.
 *
 * Interface.  capsule_check() takes the whole file as (buf, len) and
 * either accepts it (0) or refuses it (-EBADMSG) with a static sentence
 * in *why; the numbers a message needs (sizes, the FMP item at fault)
 * are left in struct capsule_info for the caller to print.  The file is
 * never written, nothing is printed, no memory is allocated: the module
 * is pure and builds into the kernel, tools/postmortem and the tests.
 * All integers are little-endian and read byte by byte.
 *
 * What a file must be, and where each rule comes from:
 *
 *   UEFI 2.10 §8.5.5 "Delivery of Capsules via file on Mass Storage
 *   Device": the file holds exactly one capsule, starting with its
 *   EFI_CAPSULE_HEADER, in contiguous bytes (no block descriptors); the
 *   file size must equal CapsuleImageSize or the firmware ignores it;
 *   only one capsule per file (several files may be staged instead).  So
 *   capsules back to back in one file are refused, not counted.
 *
 *   UEFI 2.10 §8.5.3 UpdateCapsule(): the file's bytes are what
 *   UpdateCapsule() would be given, so its flag rules hold too:
 *   INITIATE_RESET and POPULATE_SYSTEM_TABLE each require
 *   PERSIST_ACROSS_RESET; bits 0..15 are the CapsuleGuid's own, bits 16..18
 *   are defined, the rest are refused.  §23.3.3: an FMP capsule must not
 *   set POPULATE_SYSTEM_TABLE, and one with no driver and no payload is
 *   not processed.
 *
 *   EDK2 (tianocore/edk2 @c5aa7e7d), the firmware most platforms build
 *   on: DxeCapsuleLibFmp/CapsuleOnDisk.c reads every file of the
 *   directory and hands each, as one capsule, to gRT->UpdateCapsule()
 *   (RelocateCapsuleToRam), and CapsuleApp -OD runs
 *   QueryCapsuleCapabilities() on a file before it stages it; both apply
 *   CapsuleRuntimeDxe/CapsuleService.c's checks, which are the flag
 *   rules above.  Capsule-on-disk itself asks nothing more of the flags:
 *   with PERSIST_ACROSS_RESET the firmware keeps the capsule over one
 *   more warm reset (the platform must support that), without it the
 *   capsule is processed during the same boot.  postmortem therefore
 *   does not demand PERSIST_ACROSS_RESET.  DxeCapsuleLib.c
 *   IsValidCapsuleHeader() refuses a capsule whose HeaderSize is not
 *   below CapsuleImageSize (no body), and ValidateFmpCapsule() the FMP
 *   layout rules capsule_check() repeats (version 1, item offsets inside
 *   the body and ascending, each payload's image header version 1..3 and
 *   its sizes adding up to the item).  CapsuleOnDisk.c appends its own
 *   capsule of file names under gEdkiiCapsuleOnDiskNameGuid; a staged
 *   file with that GUID would be read as such a list, so it is refused.
 *
 * A nested FMP capsule (CapsuleGuid the ESRT entry's FwClass, the body a
 * whole FMP capsule, as LVFS ships them and EDK2's IsNestedFmpCapsule()
 * accepts) is recognised by its inner header and checked the same way.
 */
#ifndef FORMATS_CAPSULE_H
#define FORMATS_CAPSULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/guid.h"

/* Where firmware looks for capsule files on the ESP (EDK2 EFI_CAPSULE_FILE_DIRECTORY). */
#define CAPSULE_DIRECTORY	"EFI/UpdateCapsule"

/* EFI_CAPSULE_HEADER, UEFI 2.10 §8.5.3 (UpdateCapsule, Related Definitions). */
struct capsule_header {
	struct efi_guid capsule_guid;	/* 0x00 what the capsule holds */
	uint32_t header_size;		/* 0x10 >= 28; more for GUID-defined headers */
	uint32_t flags;			/* 0x14 CAPSULE_FLAGS_* */
	uint32_t capsule_image_size;	/* 0x18 header + body */
};
_Static_assert(sizeof(struct capsule_header) == 28, "EFI_CAPSULE_HEADER");
_Static_assert(offsetof(struct capsule_header, header_size) == 0x10, "HeaderSize");	/* 0x10 */
_Static_assert(offsetof(struct capsule_header, flags) == 0x14, "Flags");		/* 0x14 */
_Static_assert(offsetof(struct capsule_header, capsule_image_size) == 0x18,
	       "CapsuleImageSize");							/* 0x18 */

#define CAPSULE_HEADER_SIZE	28

/* Flags, §8.5.3: bits 0..15 belong to the CapsuleGuid, 16..31 to the spec. */
#define CAPSULE_FLAGS_GUID_MASK			0x0000ffffu
#define CAPSULE_FLAGS_PERSIST_ACROSS_RESET	0x00010000u
#define CAPSULE_FLAGS_POPULATE_SYSTEM_TABLE	0x00020000u
#define CAPSULE_FLAGS_INITIATE_RESET		0x00040000u
#define CAPSULE_FLAGS_DEFINED			0x0007ffffu

/* EFI_FIRMWARE_MANAGEMENT_CAPSULE_HEADER, UEFI 2.10 §23.3.1 (byte-packed on disk). */
struct capsule_fmp_header {
	uint32_t version;		/* 0x00 1 */
	uint16_t embedded_driver_count;	/* 0x04 */
	uint16_t payload_item_count;	/* 0x06 */
	/* 0x08 UINT64 ItemOffsetList[drivers + payloads], from this header's start */
};
_Static_assert(sizeof(struct capsule_fmp_header) == 8, "FMP capsule header");
_Static_assert(offsetof(struct capsule_fmp_header, embedded_driver_count) == 4, "drivers"); /* 4 */
_Static_assert(offsetof(struct capsule_fmp_header, payload_item_count) == 6, "payloads");	 /* 6 */

#define CAPSULE_FMP_HEADER_VERSION	1

/*
 * EFI_FIRMWARE_MANAGEMENT_CAPSULE_IMAGE_HEADER, §23.3.1, version 3; a
 * version 1 header ends before UpdateHardwareInstance (32 bytes), a
 * version 2 header before ImageCapsuleSupport (40).  The image
 * (UpdateImageSize bytes) and vendor code follow the header.
 */
struct capsule_fmp_image_header {
	uint32_t version;			/* 0x00 1..3 */
	struct efi_guid update_image_type_id;	/* 0x04 the ESRT FwClass it updates */
	uint8_t update_image_index;		/* 0x14 */
	uint8_t reserved_bytes[3];		/* 0x15 */
	uint32_t update_image_size;		/* 0x18 */
	uint32_t update_vendor_code_size;	/* 0x1c */
	uint64_t update_hardware_instance;	/* 0x20 version >= 2 */
	uint64_t image_capsule_support;		/* 0x28 version >= 3 */
};
_Static_assert(sizeof(struct capsule_fmp_image_header) == 48, "FMP image header v3");
_Static_assert(offsetof(struct capsule_fmp_image_header, update_image_type_id) == 0x04, "id");
_Static_assert(offsetof(struct capsule_fmp_image_header, update_image_index) == 0x14, "index");
_Static_assert(offsetof(struct capsule_fmp_image_header, update_image_size) == 0x18, "size");
_Static_assert(offsetof(struct capsule_fmp_image_header, update_vendor_code_size) == 0x1c,
	       "vendor code size");						/* 0x1c */
_Static_assert(offsetof(struct capsule_fmp_image_header, update_hardware_instance) == 0x20,
	       "hardware instance");						/* 0x20 */
_Static_assert(offsetof(struct capsule_fmp_image_header, image_capsule_support) == 0x28,
	       "capsule support");						/* 0x28 */

#define CAPSULE_FMP_IMAGE_HEADER_V1_SIZE	32
#define CAPSULE_FMP_IMAGE_HEADER_V2_SIZE	40
#define CAPSULE_FMP_IMAGE_HEADER_V3_SIZE	48

/* Capsule GUIDs with a name (values from EDK2 MdePkg.dec / MdeModulePkg.dec). */
/* EFI_FIRMWARE_MANAGEMENT_CAPSULE_ID_GUID, §23.3 (EDK2 gEfiFmpCapsuleGuid) */
#define CAPSULE_GUID_FMP	EFI_GUID_INIT(0x6dcbd5ed, 0xe82d, 0x4c44, \
	0xbd, 0xa1, 0x71, 0x94, 0x19, 0x9a, 0xd9, 0x2a)
/* Windows UX capsule, the firmware-update progress picture (EDK2 gWindowsUxCapsuleGuid) */
#define CAPSULE_GUID_WINDOWS_UX	EFI_GUID_INIT(0x3b8c8162, 0x188c, 0x46a4, \
	0xae, 0xc9, 0xbe, 0x43, 0xf1, 0xd6, 0x56, 0x97)
/* EFI_JSON_CAPSULE_ID_GUID, §23.5 (EDK2 gEfiJsonCapsuleIdGuid) */
#define CAPSULE_GUID_JSON	EFI_GUID_INIT(0x67d6f4cd, 0xd6b8, 0x4573, \
	0xbf, 0x4a, 0xde, 0x5e, 0x25, 0x2d, 0x61, 0xae)
/* EFI_MEMORY_RANGE_CAPSULE_GUID, §8.5.3 */
#define CAPSULE_GUID_MEMORY_RANGE	EFI_GUID_INIT(0x0de9f0ec, 0x88b6, 0x428f, \
	0x97, 0x7a, 0x25, 0x8f, 0x1d, 0x0e, 0x5e, 0x72)
/* EDK2 gEdkiiCapsuleOnDiskNameGuid: the firmware's own list of file names */
#define CAPSULE_GUID_EDK2_COD_NAMES	EFI_GUID_INIT(0x98c80a4f, 0xe16b, 0x4d11, \
	0x93, 0x9a, 0xab, 0xe5, 0x61, 0x26, 0x03, 0x30)

/* Which part of the file a refusal is about, so a caller knows which numbers to print. */
enum capsule_part {
	CAPSULE_PART_NONE,		/* accepted */
	CAPSULE_PART_SIZE,		/* file size, HeaderSize, CapsuleImageSize */
	CAPSULE_PART_FLAGS,		/* hdr.flags */
	CAPSULE_PART_GUID,		/* hdr.capsule_guid */
	CAPSULE_PART_FMP,		/* the FMP layout: fmp_drivers, fmp_payloads, fmp_item */
};

/* What capsule_check() found; cleared first, filled as far as decoded. */
struct capsule_info {
	enum capsule_part refused;	/* what the refusal is about */
	struct capsule_header hdr;	/* the outer header as decoded */
	uint64_t file_size;		/* len */
	const char *guid_name;		/* capsule_guid_name(&hdr.capsule_guid) */
	bool fmp;			/* an FMP capsule, direct or nested */
	bool nested;			/* the body is an FMP capsule with its own header */
	uint16_t fmp_drivers;		/* EmbeddedDriverCount (EDK2 runs them only
					   if the platform allows: see docs/capsule.md) */
	uint16_t fmp_payloads;		/* PayloadItemCount */
	uint32_t fmp_item;		/* the item an FMP reason is about (0-based) */
	struct efi_guid target;		/* the GUID the staged file is named after */
};

/*
 * Check a capsule file (the rules in the comment above, in that order:
 * size fields, flags, GUID, FMP layout).  Returns 0 (a capsule
 * capsule-on-disk may deliver; *why NULL), -EINVAL (buf or out NULL) or
 * -EBADMSG (refused: *why says why; out holds what was decoded, and
 * out->hdr and out->file_size give the numbers the sentence speaks of).
 * why may be NULL.  out->target is the first FMP payload's
 * UpdateImageTypeId for a direct FMP capsule (the ESRT FwClass fwupd
 * names its files after), else the CapsuleGuid.
 */
int capsule_check(const void *buf, size_t len, struct capsule_info *out, const char **why);

/*
 * Write a 28-byte EFI_CAPSULE_HEADER for a body of body_len bytes to
 * buf[0..28).  Returns 0, -EINVAL (NULL buf or guid, len < 28) or
 * -ERANGE (28 + body_len does not fit CapsuleImageSize's 32 bits).  No
 * rule is checked: tests write bad headers with it on purpose.
 */
int capsule_header_put(void *buf, size_t len, const struct efi_guid *guid, uint32_t flags,
		       uint64_t body_len);

/* A named capsule GUID's short name ("FMP", "Windows UX", ...), or NULL. */
const char *capsule_guid_name(const struct efi_guid *g);

/*
 * The spec's name of one flag bit above the GUID-defined ones
 * ("PERSIST_ACROSS_RESET", "POPULATE_SYSTEM_TABLE", "INITIATE_RESET"),
 * or NULL for any other value.
 */
const char *capsule_flag_name(uint32_t bit);

/*
 * The name postmortem stages a capsule under: "postmortem-<guid>.cap",
 * the GUID in lower case (normally capsule_info.target).  fwupd stages
 * fwupd-<guid>.cap the same way; firmware processes the directory's
 * files in alphabetical order (§8.5.5, case folded), so one name per
 * target means staging again replaces the earlier file instead of
 * queueing a second update of the same firmware, and fwupd's files sort
 * before ours.  Returns the length (CAPSULE_FILE_NAME_LEN), -EINVAL
 * (NULL) or -ENOSPC (out_len <= CAPSULE_FILE_NAME_LEN; out is then "").
 */
#define CAPSULE_FILE_NAME_LEN	51	/* "postmortem-" + 36 + ".cap" */
int capsule_file_name(const struct efi_guid *g, char *out, size_t out_len);

#endif
