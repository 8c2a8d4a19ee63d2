/*
 * The pure half of efirt (kernel/efirt.h): the EFI_RUNTIME_SERVICES table
 * reader, the runtime address map and the decision between physical and
 * virtual mode, EFI_STATUS names, and the ASCII to UTF-16 conversion the
 * variable services need.
 *
 * Interface: every function is pure.  The kernel glue (kernel/efirt.c)
 * fills a struct efirt_map from what the boot path or the handoff block
 * recorded about runtime memory (efirt_map_add for each handoff
 * EFI_RUNTIME_MAP entry, efirt_map_add_efi_mmap for an EFI memory map),
 * asks efirt_map_decide where the RuntimeServices pointer it read from
 * the system table points, maps the answer, and hands the table's bytes
 * to efirt_rt_parse.  Nothing here follows an address.  Errors: -EINVAL
 * for a NULL pointer or a buffer too short; -EBADMSG for a value no
 * firmware writes (signature, revision, size, CRC, misaligned or wrapping
 * region); -EEXIST for a region that contradicts one already added;
 * -ENOSPC for a full map or text buffer; -ENOENT for an address in no
 * region.
 *
 * Why two modes (docs/efirt.md).  Until an OS calls SetVirtualAddressMap
 * the firmware runs at its physical addresses (GRUB hands us a machine in
 * that state).  Linux calls it once at boot, with every runtime region at
 * a VA of its own (0xfffffffe_xxxxxxxx, efi_map_region()); EDK2's
 * RuntimeDxe then converts its internal pointers, the system table's
 * RuntimeServices pointer and every function pointer of the table, and
 * recomputes both CRCs.  It cannot be called again (UEFI 2.10 §8.4), so a
 * kernel kexec'd from that Linux must call the firmware at Linux's VAs,
 * which the runtime map it is handed records (docs/interfaces.md).
 *
 * Wire struct: UEFI 2.10 §4.5 EFI_RUNTIME_SERVICES, x64 (pointers 8
 * bytes), read only through an aligned copy.  Environment: kernel, host
 * tool and host tests alike; freestanding headers only.
 */
#ifndef FORMATS_EFIRT_MAP_H
#define FORMATS_EFIRT_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/efi.h"

/* ---------------------------------------------------------------- wire */

#define EFIRT_RUNTIME_SERVICES_SIGNATURE 0x56524553544e5552ull	/* "RUNTSERV" */
#define EFIRT_RT_SIZE_1_10	0x70u	/* up to ResetSystem: UEFI 1.10's table */
#define EFIRT_RT_SIZE		0x88u	/* UEFI 2.0 and later */
#define EFIRT_RT_SIZE_MAX	4096u	/* a larger HeaderSize is refused */

/* EFI_RUNTIME_SERVICES, UEFI 2.10 §4.5: the header, then 14 function pointers. */
struct efirt_runtime_services {
	struct efi_table_header hdr;
	uint64_t get_time;
	uint64_t set_time;
	uint64_t get_wakeup_time;
	uint64_t set_wakeup_time;
	uint64_t set_virtual_address_map;
	uint64_t convert_pointer;
	uint64_t get_variable;
	uint64_t get_next_variable_name;
	uint64_t set_variable;
	uint64_t get_next_high_monotonic_count;
	uint64_t reset_system;
	uint64_t update_capsule;		/* UEFI 2.0 */
	uint64_t query_capsule_capabilities;	/* UEFI 2.0 */
	uint64_t query_variable_info;		/* UEFI 2.0 */
};
_Static_assert(sizeof(struct efirt_runtime_services) == EFIRT_RT_SIZE, "runtime services size");
_Static_assert(offsetof(struct efirt_runtime_services, get_time) == 0x18, "GetTime");		/* 0x18 */
_Static_assert(offsetof(struct efirt_runtime_services, set_time) == 0x20, "SetTime");		/* 0x20 */
_Static_assert(offsetof(struct efirt_runtime_services, get_wakeup_time) == 0x28, "GetWakeupTime"); /* 0x28 */
_Static_assert(offsetof(struct efirt_runtime_services, set_wakeup_time) == 0x30, "SetWakeupTime"); /* 0x30 */
_Static_assert(offsetof(struct efirt_runtime_services, set_virtual_address_map) == 0x38,
	       "SetVirtualAddressMap");							/* 0x38 */
_Static_assert(offsetof(struct efirt_runtime_services, convert_pointer) == 0x40, "ConvertPointer"); /* 0x40 */
_Static_assert(offsetof(struct efirt_runtime_services, get_variable) == 0x48, "GetVariable");	/* 0x48 */
_Static_assert(offsetof(struct efirt_runtime_services, get_next_variable_name) == 0x50,
	       "GetNextVariableName");							/* 0x50 */
_Static_assert(offsetof(struct efirt_runtime_services, set_variable) == 0x58, "SetVariable");	/* 0x58 */
_Static_assert(offsetof(struct efirt_runtime_services, get_next_high_monotonic_count) == 0x60,
	       "GetNextHighMonotonicCount");						/* 0x60 */
_Static_assert(offsetof(struct efirt_runtime_services, reset_system) == 0x68, "ResetSystem");	/* 0x68 */
_Static_assert(offsetof(struct efirt_runtime_services, update_capsule) == 0x70, "UpdateCapsule"); /* 0x70 */
_Static_assert(offsetof(struct efirt_runtime_services, query_capsule_capabilities) == 0x78,
	       "QueryCapsuleCapabilities");						/* 0x78 */
_Static_assert(offsetof(struct efirt_runtime_services, query_variable_info) == 0x80,
	       "QueryVariableInfo");							/* 0x80 */

/* The services in table order: fn[EFIRT_SVC_x] of struct efirt_rt. */
enum efirt_service {
	EFIRT_SVC_GET_TIME,
	EFIRT_SVC_SET_TIME,
	EFIRT_SVC_GET_WAKEUP_TIME,
	EFIRT_SVC_SET_WAKEUP_TIME,
	EFIRT_SVC_SET_VIRTUAL_ADDRESS_MAP,
	EFIRT_SVC_CONVERT_POINTER,
	EFIRT_SVC_GET_VARIABLE,
	EFIRT_SVC_GET_NEXT_VARIABLE_NAME,
	EFIRT_SVC_SET_VARIABLE,
	EFIRT_SVC_GET_NEXT_HIGH_MONOTONIC_COUNT,
	EFIRT_SVC_RESET_SYSTEM,
	EFIRT_SVC_UPDATE_CAPSULE,
	EFIRT_SVC_QUERY_CAPSULE_CAPABILITIES,
	EFIRT_SVC_QUERY_VARIABLE_INFO,
	EFIRT_SVC_COUNT,
};

/* EFI_GLOBAL_VARIABLE, UEFI 2.10 §3.3 (EDK2 gEfiGlobalVariableGuid). */
#define EFIRT_GLOBAL_VARIABLE_GUID	EFI_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, \
	0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c)
/* Our own vendor GUID for test variables (random, made for postmortem). */
#define EFIRT_POSTMORTEM_VENDOR_GUID	EFI_GUID_INIT(0x5c699b2b, 0x899d, 0x49ba, \
	0xb0, 0xfb, 0xa7, 0x3b, 0xa3, 0xd2, 0x16, 0xda)

/* Variable attributes, UEFI 2.10 §8.2.1 (GetVariable). */
#define EFIRT_VARIABLE_NON_VOLATILE		0x1u
#define EFIRT_VARIABLE_BOOTSERVICE_ACCESS	0x2u
#define EFIRT_VARIABLE_RUNTIME_ACCESS		0x4u
#define EFIRT_VARIABLE_NV_BS_RT			0x7u

/* OsIndications / OsIndicationsSupported bits, UEFI 2.10 §3.3 (docs/interfaces.md). */
#define EFIRT_OS_INDICATIONS_BOOT_TO_FW_UI			0x01ull
#define EFIRT_OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED	0x04ull
#define EFIRT_OS_INDICATIONS_FMP_CAPSULE_SUPPORTED		0x08ull
#define EFIRT_OS_INDICATIONS_CAPSULE_RESULT_VAR_SUPPORTED	0x10ull

/* EFI_RESET_TYPE, UEFI 2.10 §8.5.1 (ResetSystem). */
#define EFIRT_RESET_COLD	0
#define EFIRT_RESET_WARM	1
#define EFIRT_RESET_SHUTDOWN	2

/* EFI_STATUS, UEFI 2.10 Appendix D: errors have the high bit set. */
#define EFIRT_ERROR_BIT		(1ull << 63)
#define EFIRT_SUCCESS		0ull
#define EFIRT_ERR(n)		(EFIRT_ERROR_BIT | (n))
#define EFIRT_INVALID_PARAMETER	EFIRT_ERR(2)
#define EFIRT_UNSUPPORTED	EFIRT_ERR(3)
#define EFIRT_BUFFER_TOO_SMALL	EFIRT_ERR(5)
#define EFIRT_DEVICE_ERROR	EFIRT_ERR(7)
#define EFIRT_WRITE_PROTECTED	EFIRT_ERR(8)
#define EFIRT_OUT_OF_RESOURCES	EFIRT_ERR(9)
#define EFIRT_NOT_FOUND		EFIRT_ERR(14)
#define EFIRT_SECURITY_VIOLATION EFIRT_ERR(26)

/* ---------------------------------------------------------------- parsed */

struct efirt_rt {
	uint32_t revision;		/* major << 16 | minor: 0x00020046 is 2.70 */
	uint32_t header_size;
	uint32_t crc_stored;
	uint32_t crc_computed;
	uint64_t fn[EFIRT_SVC_COUNT];	/* as found; 0 past HeaderSize (UEFI 1.10) */
};

/* One runtime region: an EFI memory descriptor or a handoff runtime entry. */
struct efirt_region {
	uint64_t phys;
	uint64_t virt;			/* SetVirtualAddressMap's VA; 0 none */
	uint64_t pages;			/* 4 KiB pages, > 0 */
	uint64_t attribute;		/* EFI_MEMORY_* */
	uint32_t type;			/* EFI memory type */
};

#define EFIRT_MAP_MAX	128

struct efirt_map {
	struct efirt_region r[EFIRT_MAP_MAX];
	size_t count;
	size_t dropped;			/* refused by efirt_map_add, or no room */
};

enum efirt_mode {
	EFIRT_MODE_NONE,		/* cannot be called */
	EFIRT_MODE_PHYSICAL,		/* identity map, SetVirtualAddressMap never called */
	EFIRT_MODE_VIRTUAL,		/* at the previous OS's VAs */
};

/* Why efirt_map_decide answered as it did; the glue words it. */
enum efirt_why {
	EFIRT_WHY_NO_POINTER,		/* RuntimeServices is 0: none */
	EFIRT_WHY_VIRTUAL,		/* inside a remapped region's VA range: virtual */
	EFIRT_WHY_PHYSICAL,		/* no region remapped, pointer in a region: physical */
	EFIRT_WHY_PHYSICAL_DESPITE_REMAP, /* regions remapped, pointer physical in one: physical */
	EFIRT_WHY_NO_MAP_PHYSICAL,	/* no map, pointer below 2^47: physical, unchecked */
	EFIRT_WHY_NO_MAP_HIGH,		/* no map, pointer not an identity address: none */
	EFIRT_WHY_OUTSIDE,		/* in no region, virtual or physical: none */
};

struct efirt_decision {
	enum efirt_mode mode;
	enum efirt_why why;
	uint64_t table_phys;		/* where the table's bytes are (not NONE) */
	size_t region;			/* index of the region holding it (map not empty) */
	size_t remapped;		/* regions whose VA differs from their PA */
};

/* ---------------------------------------------------------------- calls */

/*
 * Parse an x64 EFI_RUNTIME_SERVICES table.  Checks the "RUNTSERV"
 * signature, a revision whose major is 1 to 9, EFIRT_RT_SIZE_1_10 <=
 * HeaderSize <= EFIRT_RT_SIZE_MAX and <= len, and the header CRC32 over
 * HeaderSize bytes with the CRC32 field read as zero (never written).
 * Unlike the system table, a CRC mismatch is refused: the table is
 * about to be called through, and EDK2 recomputes the CRC whenever it
 * converts the pointers (SetVirtualAddressMap).  Returns 0, -EINVAL
 * (NULL, len < 24, or HeaderSize > len: then out->header_size alone holds
 * the declared size) or -EBADMSG (signature, revision, HeaderSize, or
 * CRC: then out holds everything, crc_stored and crc_computed included).
 */
int efirt_rt_parse(const void *buf, size_t len, struct efirt_rt *out);

/* "GetTime" ... "QueryVariableInfo"; "?" for anything else. */
const char *efirt_service_name(unsigned service);

/*
 * The name of an EFI_STATUS ("EFI_SUCCESS", "EFI_NOT_FOUND",
 * "EFI_WARN_STALE_DATA" ...), "EFI_ERROR_UNKNOWN" or "EFI_WARN_UNKNOWN"
 * for codes UEFI 2.10 does not define; never NULL.
 */
const char *efirt_status_name(uint64_t status);

/*
 * The negative errno for an EFI_STATUS: 0 for EFI_SUCCESS and warnings,
 * -ENOENT NOT_FOUND, -ENOSPC BUFFER_TOO_SMALL, -EINVAL INVALID_PARAMETER
 * and BAD_BUFFER_SIZE, -ENOTSUP UNSUPPORTED, -EROFS WRITE_PROTECTED,
 * -ENOMEM OUT_OF_RESOURCES, -EACCES SECURITY_VIOLATION and ACCESS_DENIED,
 * -ETIMEDOUT TIMEOUT, -EIO for every other error.
 */
int efirt_status_errno(uint64_t status);

/*
 * ASCII s (NUL-terminated, printable 0x20..0x7e only) to a UTF-16 string
 * in out[0..out_chars), NUL included.  Returns the characters written
 * without the NUL, -EINVAL (NULL, empty, or a character outside that
 * range) or -ENOSPC (out too small; out[0] is then 0).
 */
int efirt_utf16_from_ascii(const char *s, uint16_t *out, size_t out_chars);

void efirt_map_init(struct efirt_map *m);

/*
 * Add one region.  Refused (and counted in m->dropped): pages 0, phys or
 * a non-zero virt not 4 KiB aligned, either range past 2^64 (-EBADMSG); a
 * remapped region whose VA range overlaps another remapped region's with
 * a different VA-to-PA offset (-EEXIST); no room (-ENOSPC).  Returns 0 or
 * that error; -EINVAL for a NULL map (not counted).
 */
int efirt_map_add(struct efirt_map *m, uint32_t type, uint64_t phys, uint64_t virt,
		  uint64_t pages, uint64_t attribute);

/*
 * Add every descriptor of an EFI memory map (stride desc_size) that has
 * EFI_MEMORY_RUNTIME set.  Returns how many were added, or -EINVAL for a
 * NULL pointer or bad stride.  Descriptors efi_mmap_desc_at or
 * efirt_map_add refuse count in m->dropped.
 */
int efirt_map_add_efi_mmap(struct efirt_map *m, const void *buf, size_t len, uint32_t desc_size);

/* True when the region carries a VA that differs from its PA. */
bool efirt_region_remapped(const struct efirt_region *r);

/*
 * The remapped region whose VA range holds all of [va, va + len), and
 * the PA va maps to.  Returns 0, -ENOENT (none) or -EINVAL (NULL, len 0,
 * range wraps).  *pa and *index are unchanged on error; index may be NULL.
 */
int efirt_map_virt_to_phys(const struct efirt_map *m, uint64_t va, uint64_t len,
			   uint64_t *pa, size_t *index);

/* As above for a PA range: 0 with *index (may be NULL), -ENOENT or -EINVAL. */
int efirt_map_find_phys(const struct efirt_map *m, uint64_t pa, uint64_t len, size_t *index);

/*
 * Decide the mode from the map and the system table's RuntimeServices
 * pointer rt (the table's first rt_len bytes must lie in one region):
 * VIRTUAL when some region is remapped and rt lies in a remapped
 * region's VA range (table_phys is then its translation); else PHYSICAL
 * when rt lies in a region's physical range, or when the map is empty and
 * rt is below 2^47 (an identity-mappable address, unchecked); else NONE.
 * A NULL map counts as empty; a NULL out is ignored.
 */
void efirt_map_decide(const struct efirt_map *m, uint64_t rt, uint64_t rt_len,
		      struct efirt_decision *out);

/*
 * Whether fn may be called in mode: it must lie in a region (by VA in
 * virtual mode, by PA in physical mode) that is not MMIO, MMIO port space
 * or reserved memory.  Returns 0, -ENOENT (in no region), -EPERM (in a
 * region of the wrong type) or -EINVAL (mode NONE, NULL map, fn 0).
 */
int efirt_map_check_fn(const struct efirt_map *m, enum efirt_mode mode, uint64_t fn);

#endif
