/*
 * Reader of EDK2's non-volatile variable store as OVMF keeps it in its
 * OVMF_VARS*.fd flash image: a firmware volume holding one variable
 * store, holding the variables one after another.  The host uses it to
 * see, after QEMU ran, which variables the firmware (or postmortem)
 * wrote, e.g. OsIndications.
 *
 *   file offset 0      HeaderLength (0x48)              FvLength
 *   +-----------------+--------------------------------+ - - - - - - - +
 *   | FV header +     | store header | var | var | ... | 0xff ... |    |
 *   | block map       | (28 bytes)   |     |     |     | (free)   |    |
 *   +-----------------+--------------------------------+----------+----+
 *                     |<------------- Store Size ------------->|  FTW
 *                                                                 areas
 *   variable: header (32 bytes, or 60 in the authenticated format), then
 *   NameSize bytes of UTF-16LE name (with its NUL), then DataSize bytes of
 *   data; the next header starts at the next multiple of 4.
 *
 * Interface.  varstore_open() checks the firmware volume header, the store
 * header and the whole chain of variable headers once, and fills a struct
 * varstore that points into the caller's buffer (which must outlive it and
 * stay unchanged).  varstore_next() then walks the live variables,
 * varstore_next_any() every header, varstore_find() looks one up by
 * name and GUID.  Results point into the buffer; nothing is copied,
 * printed or allocated.  Pure module: builds into the kernel,
 * tools/postmortem and the tests; integers little-endian, read byte by
 * byte.  Bad input is -EBADMSG with a static sentence in *why; the offset
 * it is about is left in struct varstore.bad_offset.
 *
 * Sources: PI 1.8 vol. 3 §3.2.1 (EFI_FIRMWARE_VOLUME_HEADER, block map,
 * checksum); EDK2 (tianocore/edk2 @c5aa7e7d) MdeModulePkg/Include/Guid/
 * VariableFormat.h (store and variable headers, states, HEADER_ALIGN),
 * MdeModulePkg/Universal/Variable/RuntimeDxe/VariableParsing.c (how the
 * store is walked and which copy of a variable counts),
 * VariableNonVolatile.c (the store follows the FV header at HeaderLength)
 * and OvmfPkg/Include/Fdf/VarStore.fdf.inc (the layout OVMF ships);
 * OvmfPkg/QemuFlashFvbServicesRuntimeDxe ValidateFvHeader() (Revision 2,
 * even HeaderLength, zero checksum).  The rules applied, in order:
 *
 *   FV header: at least 56 bytes; Signature "_FVH"; FileSystemGuid
 *   EFI_SYSTEM_NV_DATA_FV_GUID; Revision 2; HeaderLength even, at least 72
 *   (fixed part, one block map entry and the {0,0} terminator) and inside
 *   the file; the 16-bit words of the header sum to 0; the block map ends
 *   with {0,0} inside HeaderLength and its entries add up to FvLength;
 *   FvLength at least HeaderLength and not past the end of the file (a
 *   longer file, like a combined OVMF.fd, is fine).
 *
 *   Store header at HeaderLength: not erased (all 0xff: "raw" in EDK2);
 *   Signature gEfiAuthenticatedVariableGuid (60-byte variable headers)
 *   or gEfiVariableGuid (32-byte ones); Format 0x5A; State 0xFE; Size at
 *   least 28 and inside the FV.  Variables run from the store header's end
 *   (rounded up to 4) to HeaderLength + Size.  EDK2 rounds that end up to
 *   4 as well; this reader does not, so a header must fit inside Size.
 *
 *   Variables: the walk stops at the first header whose StartId is not
 *   0x55AA, or when fewer than 2 bytes remain.  A header must fit in what
 *   remains, then its name, then its data.  As in EDK2, a header whose
 *   State, Attributes, NameSize or DataSize is still all ones (a write
 *   cut short) counts as having no name and no data: the next header
 *   follows it directly.
 *
 *   Which copy is live (VariableParsing.c FindVariableEx() and
 *   VariableServiceGetNextVariableInternal()): State 0x3F (VAR_ADDED:
 *   header and data complete) is live.  State 0x3E (VAR_ADDED &
 *   VAR_IN_DELETED_TRANSITION: an update was under way, the new copy was
 *   being written elsewhere) is live only if no 0x3F copy of the same name
 *   and GUID exists anywhere in the store; otherwise the 0x3F copy is the
 *   variable.  Every other State (0x7F header only, 0x3C/0x3D deleted, 0xFF
 *   blank, anything else) is not live.  A live variable's name must be at
 *   least one UTF-16 unit, of even size and NUL-terminated.
 *
 * Not handled: EDK2 recovers a store whose rewrite was interrupted from
 * the fault-tolerant-write spare area (at FvLength / 2 in OVMF) when it
 * boots; this reader reads the main store only, so a file captured in the
 * middle of a reclaim shows the store as it was in flash.
 */
#ifndef FORMATS_VARSTORE_H
#define FORMATS_VARSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/guid.h"

/* EFI_FIRMWARE_VOLUME_HEADER, PI 1.8 vol. 3 §3.2.1 (block map excluded). */
struct varstore_fv_header {
	uint8_t zero_vector[16];		/* 0x00 */
	struct efi_guid file_system_guid;	/* 0x10 EFI_SYSTEM_NV_DATA_FV_GUID */
	uint64_t fv_length;			/* 0x20 whole FV, header included */
	uint32_t signature;			/* 0x28 "_FVH" */
	uint32_t attributes;			/* 0x2c EFI_FVB_ATTRIBUTES_2 */
	uint16_t header_length;			/* 0x30 header and block map */
	uint16_t checksum;			/* 0x32 16-bit words sum to 0 */
	uint16_t ext_header_offset;		/* 0x34 0: none (not used here) */
	uint8_t reserved[1];			/* 0x36 */
	uint8_t revision;			/* 0x37 2 */
	/* 0x38 struct varstore_block_map_entry block_map[], ends with {0, 0} */
};
_Static_assert(sizeof(struct varstore_fv_header) == 0x38, "FV header");
_Static_assert(offsetof(struct varstore_fv_header, file_system_guid) == 0x10, "fs guid"); /* 0x10 */
_Static_assert(offsetof(struct varstore_fv_header, fv_length) == 0x20, "FvLength");	/* 0x20 */
_Static_assert(offsetof(struct varstore_fv_header, signature) == 0x28, "Signature");	/* 0x28 */
_Static_assert(offsetof(struct varstore_fv_header, attributes) == 0x2c, "Attributes");	/* 0x2c */
_Static_assert(offsetof(struct varstore_fv_header, header_length) == 0x30, "HeaderLength");
_Static_assert(offsetof(struct varstore_fv_header, checksum) == 0x32, "Checksum");	/* 0x32 */
_Static_assert(offsetof(struct varstore_fv_header, ext_header_offset) == 0x34, "ExtHeader");
_Static_assert(offsetof(struct varstore_fv_header, revision) == 0x37, "Revision");	/* 0x37 */

/* EFI_FV_BLOCK_MAP_ENTRY, PI 1.8 vol. 3 §3.2.1. */
struct varstore_block_map_entry {
	uint32_t num_blocks;			/* 0x00 */
	uint32_t length;			/* 0x04 bytes per block */
};
_Static_assert(sizeof(struct varstore_block_map_entry) == 8, "block map entry");
_Static_assert(offsetof(struct varstore_block_map_entry, length) == 4, "Length");	/* 4 */

#define VARSTORE_FVH_SIGNATURE		0x4856465fu	/* "_FVH" */
#define VARSTORE_FVH_REVISION		2
#define VARSTORE_FV_HEADER_MIN		0x48		/* fixed part + one entry + {0,0} */

/* VARIABLE_STORE_HEADER, EDK2 VariableFormat.h. */
struct varstore_store_header {
	struct efi_guid signature;		/* 0x00 which variable header format */
	uint32_t size;				/* 0x10 store header + variables */
	uint8_t format;				/* 0x14 0x5A */
	uint8_t state;				/* 0x15 0xFE */
	uint16_t reserved;			/* 0x16 */
	uint32_t reserved1;			/* 0x18 */
};
_Static_assert(sizeof(struct varstore_store_header) == 28, "VARIABLE_STORE_HEADER");
_Static_assert(offsetof(struct varstore_store_header, size) == 0x10, "Size");		/* 0x10 */
_Static_assert(offsetof(struct varstore_store_header, format) == 0x14, "Format");	/* 0x14 */
_Static_assert(offsetof(struct varstore_store_header, state) == 0x15, "State");	/* 0x15 */

#define VARSTORE_FORMATTED		0x5a	/* VARIABLE_STORE_FORMATTED */
#define VARSTORE_HEALTHY		0xfe	/* VARIABLE_STORE_HEALTHY */

/* VARIABLE_HEADER, EDK2 VariableFormat.h (byte-packed there; nothing pads here). */
struct varstore_var_header {
	uint16_t start_id;			/* 0x00 0x55AA */
	uint8_t state;				/* 0x02 VARSTORE_VAR_* */
	uint8_t reserved;			/* 0x03 */
	uint32_t attributes;			/* 0x04 VARSTORE_ATTR_* */
	uint32_t name_size;			/* 0x08 bytes, NUL included */
	uint32_t data_size;			/* 0x0c */
	struct efi_guid vendor_guid;		/* 0x10 */
};
_Static_assert(sizeof(struct varstore_var_header) == 32, "VARIABLE_HEADER");
_Static_assert(offsetof(struct varstore_var_header, state) == 0x02, "State");		/* 0x02 */
_Static_assert(offsetof(struct varstore_var_header, attributes) == 0x04, "Attributes");	/* 0x04 */
_Static_assert(offsetof(struct varstore_var_header, name_size) == 0x08, "NameSize");	/* 0x08 */
_Static_assert(offsetof(struct varstore_var_header, data_size) == 0x0c, "DataSize");	/* 0x0c */
_Static_assert(offsetof(struct varstore_var_header, vendor_guid) == 0x10, "VendorGuid");	/* 0x10 */

/* EFI_TIME, UEFI 2.10 §8.3 (GetTime). */
struct varstore_time {
	uint16_t year;				/* 0x00 */
	uint8_t month;				/* 0x02 */
	uint8_t day;				/* 0x03 */
	uint8_t hour;				/* 0x04 */
	uint8_t minute;				/* 0x05 */
	uint8_t second;				/* 0x06 */
	uint8_t pad1;				/* 0x07 */
	uint32_t nanosecond;			/* 0x08 */
	int16_t time_zone;			/* 0x0c */
	uint8_t daylight;			/* 0x0e */
	uint8_t pad2;				/* 0x0f */
};
_Static_assert(sizeof(struct varstore_time) == 16, "EFI_TIME");
_Static_assert(offsetof(struct varstore_time, nanosecond) == 0x08, "Nanosecond");	/* 0x08 */
_Static_assert(offsetof(struct varstore_time, time_zone) == 0x0c, "TimeZone");	/* 0x0c */

/*
 * AUTHENTICATED_VARIABLE_HEADER, EDK2 VariableFormat.h: 60 bytes on
 * flash; sizeof is 64 here because of tail padding after VendorGuid.
 */
struct varstore_auth_var_header {
	uint16_t start_id;			/* 0x00 0x55AA */
	uint8_t state;				/* 0x02 */
	uint8_t reserved;			/* 0x03 */
	uint32_t attributes;			/* 0x04 */
	uint64_t monotonic_count;		/* 0x08 */
	struct varstore_time time_stamp;	/* 0x10 */
	uint32_t pub_key_index;			/* 0x20 */
	uint32_t name_size;			/* 0x24 */
	uint32_t data_size;			/* 0x28 */
	struct efi_guid vendor_guid;		/* 0x2c */
};
_Static_assert(sizeof(struct varstore_auth_var_header) == 64, "60 + tail padding");
_Static_assert(offsetof(struct varstore_auth_var_header, monotonic_count) == 0x08, "count");
_Static_assert(offsetof(struct varstore_auth_var_header, time_stamp) == 0x10, "TimeStamp");
_Static_assert(offsetof(struct varstore_auth_var_header, pub_key_index) == 0x20, "key");
_Static_assert(offsetof(struct varstore_auth_var_header, name_size) == 0x24, "NameSize");
_Static_assert(offsetof(struct varstore_auth_var_header, data_size) == 0x28, "DataSize");
_Static_assert(offsetof(struct varstore_auth_var_header, vendor_guid) == 0x2c, "VendorGuid");

#define VARSTORE_VAR_HEADER_SIZE	32
#define VARSTORE_AUTH_VAR_HEADER_SIZE	60
#define VARSTORE_VARIABLE_DATA		0x55aa	/* StartId */
#define VARSTORE_HEADER_ALIGN		4	/* HEADER_ALIGNMENT */

/* State bits: each step clears bits, as flash writes can (VariableFormat.h). */
#define VARSTORE_VAR_IN_DELETED_TRANSITION	0xfe
#define VARSTORE_VAR_DELETED			0xfd
#define VARSTORE_VAR_HEADER_VALID_ONLY		0x7f
#define VARSTORE_VAR_ADDED			0x3f
#define VARSTORE_STATE_ADDED		0x3f	/* VAR_HEADER_VALID_ONLY & VAR_ADDED */
#define VARSTORE_STATE_IN_TRANSITION	0x3e	/* ... & VAR_IN_DELETED_TRANSITION */
#define VARSTORE_STATE_DELETED		0x3c	/* ... & VAR_DELETED */

/* Variable attributes, UEFI 2.10 §8.2 (EFI_VARIABLE_*). */
#define VARSTORE_ATTR_NV	0x01	/* NON_VOLATILE */
#define VARSTORE_ATTR_BS	0x02	/* BOOTSERVICE_ACCESS */
#define VARSTORE_ATTR_RT	0x04	/* RUNTIME_ACCESS */
#define VARSTORE_ATTR_HR	0x08	/* HARDWARE_ERROR_RECORD */
#define VARSTORE_ATTR_AW	0x10	/* AUTHENTICATED_WRITE_ACCESS (deprecated) */
#define VARSTORE_ATTR_AT	0x20	/* TIME_BASED_AUTHENTICATED_WRITE_ACCESS */
#define VARSTORE_ATTR_AP	0x40	/* APPEND_WRITE (a SetVariable flag, never stored) */
#define VARSTORE_ATTR_EA	0x80	/* ENHANCED_AUTHENTICATED_ACCESS */

/* GUIDs (EDK2 MdePkg.dec / MdeModulePkg.dec; UEFI 2.10 §3.3 for the global one). */
#define VARSTORE_NV_DATA_FV_GUID	EFI_GUID_INIT(0xfff12b8d, 0x7696, 0x4c8b, \
	0xa9, 0x85, 0x27, 0x47, 0x07, 0x5b, 0x4f, 0x50)	/* EFI_SYSTEM_NV_DATA_FV_GUID */
#define VARSTORE_AUTH_STORE_GUID	EFI_GUID_INIT(0xaaf32c78, 0x947b, 0x439a, \
	0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92)	/* gEfiAuthenticatedVariableGuid */
#define VARSTORE_STORE_GUID		EFI_GUID_INIT(0xddcf3616, 0x3275, 0x4164, \
	0x98, 0xb6, 0xfe, 0x85, 0x70, 0x7f, 0xfe, 0x7d)	/* gEfiVariableGuid */
#define VARSTORE_GLOBAL_VARIABLE_GUID	EFI_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, \
	0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c)	/* EFI_GLOBAL_VARIABLE */

#define VARSTORE_NAME_MAX	128	/* ASCII characters kept in varstore_var.name */

/* A store varstore_open() accepted; points into the caller's buffer. */
struct varstore {
	const uint8_t *buf;
	size_t len;
	bool auth;			/* 60-byte authenticated variable headers */
	uint64_t fv_length;
	uint32_t fv_attributes;
	uint16_t fv_header_length;	/* == the store header's offset */
	uint32_t store_size;		/* the store header's Size */
	size_t vars_start;		/* first variable header */
	size_t vars_end;		/* fv_header_length + store_size */
	size_t used_end;		/* after the last header: free space from here */
	unsigned headers;		/* variable headers with StartId 0x55AA */
	unsigned live;			/* of which live */
	size_t bad_offset;		/* what a -EBADMSG reason is about, from file start */
};

/* One variable header and what it points to. */
struct varstore_var {
	size_t offset;			/* of the header, from file start */
	uint8_t state;
	bool live;			/* by the rules above */
	uint32_t attributes;
	struct efi_guid guid;
	const uint8_t *name_utf16;	/* name_size bytes of UTF-16LE, NUL included */
	uint32_t name_size;
	char name[VARSTORE_NAME_MAX + 1];	/* ASCII, '?' for other characters */
	bool name_ascii;		/* name holds the whole name, all printable ASCII */
	const uint8_t *data;
	uint32_t data_size;
	uint64_t monotonic_count;	/* authenticated format only, else 0 */
	struct varstore_time time_stamp;
	uint32_t pub_key_index;
};

/*
 * Check buf[0..len) as an EDK2 variable store firmware volume, walking
 * every variable header once.  Returns 0 (*vs filled, *why NULL),
 * -EINVAL (NULL buf or vs) or -EBADMSG (*why says which rule failed,
 * vs->bad_offset where; vs holds what was read so far).  why may be NULL.
 */
int varstore_open(const void *buf, size_t len, struct varstore *vs, const char **why);

/*
 * The next live variable from *cursor (start with 0; opaque afterwards).
 * Returns 0 (*out filled, cursor moved past it), -ENOENT (no more) or
 * -EINVAL (NULL argument).
 */
int varstore_next(const struct varstore *vs, size_t *cursor, struct varstore_var *out);

/* The same over every header, live or not (out->live says which). */
int varstore_next_any(const struct varstore *vs, size_t *cursor, struct varstore_var *out);

/*
 * The live variable called `name` (ASCII, compared with the stored UTF-16
 * name unit by unit) with vendor GUID `guid`: the VAR_ADDED copy, else the
 * in-transition one EDK2 would return.  Returns 0, -ENOENT or -EINVAL.
 */
int varstore_find(const struct varstore *vs, const char *name, const struct efi_guid *guid,
		  struct varstore_var *out);

/* Short name of one attribute bit ("NV", "BS", "RT", "HR", "AW", "AT", "AP", "EA"), or NULL. */
const char *varstore_attr_name(uint32_t bit);

/* "added", "in deleted transition", "deleted", "header only", "blank" or "unknown". */
const char *varstore_state_name(uint8_t state);

/* A vendor GUID's short name ("EFI global", "image security", ...), or NULL. */
const char *varstore_guid_name(const struct efi_guid *g);

#endif
