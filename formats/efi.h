/*
 * UEFI table readers: the EFI system table, its configuration tables and
 * the GUIDs that name them, the firmware memory map, the ESRT, and the
 * rule that says whether a table the map places may be read in place.
 *
 * Interface: every function is pure.  The kernel glue maps firmware or
 * crashed-system memory and passes its bytes as (buf, len); len is how
 * many bytes the caller may read.  Addresses found inside the tables
 * (vendor string, configuration tables, ESRT, runtime services) are only
 * reported, never followed: mapping them, and checking them against memory
 * the caller owns, is the caller's job.  Results go to caller-owned
 * structs, cleared first, so after an error they hold nothing useful
 * unless the function says otherwise.  Errors: -EINVAL for a NULL pointer,
 * a buffer too short for what it must hold or an impossible stride;
 * -EBADMSG for a wrong signature, version or size, or a field whose value
 * overflows; -ENOENT for an index past the end; -ENOSPC for a text buffer
 * too small (its truncated text is still NUL-terminated).
 *
 * The usual walk (x86-64 firmware only: UINTN and pointers are 8 bytes):
 *
 *   systab address (multiboot2 EFI64 tag, boot_params efi_info, handoff)
 *   -> map EFI_SYSTAB_SIZE bytes -> efi_systab_parse -> "EFI v" +
 *      efi_revision_format -> map some of fw_vendor -> efi_utf16_to_ascii
 *   -> efi_config_tables_bytes(nr_tables) -> map `tables` -> for i <
 *      nr_tables: efi_config_table_at -> efi_guid_eq / efi_guid_name
 *   -> a table's address -> efi_table_placement over the memory map ->
 *      read it only if the answer is EFI_TABLE_IN_RUNTIME (or a preserved
 *      copy exists) -> e.g. efi_esrt_parse, efi_esrt_size, check placement
 *      of the whole table again, efi_esrt_entry_at.
 *
 * Wire structs mirror UEFI 2.10: §4.2 EFI_TABLE_HEADER, §4.3
 * EFI_SYSTEM_TABLE, §4.6 EFI_CONFIGURATION_TABLE, §7.2 GetMemoryMap()
 * EFI_MEMORY_DESCRIPTOR, §23.4 EFI_SYSTEM_RESOURCE_TABLE, Appendix A for
 * the GUID byte order; they are read only through aligned copies, and
 * x86-64 is little-endian.  Environment: kernel, host tool and host tests
 * alike; freestanding headers only.
 */
#ifndef FORMATS_EFI_H
#define FORMATS_EFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/guid.h"

/* ---------------------------------------------------------------- GUIDs */

/*
 * Configuration table GUIDs.  Each value was checked against the source
 * named beside it: EDK2 (tianocore/edk2 @c5aa7e7d, MdePkg.dec /
 * MdeModulePkg.dec and Include/Guid/) or Linux include/linux/efi.h.
 * efi_guid_name() knows every one of them.
 */
/* ACPI 1.0 RSDP: EDK2 gEfiAcpi10TableGuid, Linux ACPI_TABLE_GUID */
#define EFI_ACPI_10_TABLE_GUID	EFI_GUID_INIT(0xeb9d2d30, 0x2d88, 0x11d3, \
	0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d)
/* ACPI 2.0+ RSDP: EDK2 gEfiAcpi20TableGuid, Linux ACPI_20_TABLE_GUID */
#define EFI_ACPI_20_TABLE_GUID	EFI_GUID_INIT(0x8868e871, 0xe4f1, 0x11d3, \
	0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81)
/* SMBIOS 2.x entry point: EDK2 gEfiSmbiosTableGuid */
#define EFI_SMBIOS_TABLE_GUID	EFI_GUID_INIT(0xeb9d2d31, 0x2d88, 0x11d3, \
	0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d)
/* SMBIOS 3.x entry point: EDK2 gEfiSmbios3TableGuid */
#define EFI_SMBIOS3_TABLE_GUID	EFI_GUID_INIT(0xf2fd1544, 0x9794, 0x4a2c, \
	0x99, 0x2e, 0xe5, 0xbb, 0xcf, 0x20, 0xe3, 0x94)
/* MP tables: EDK2 gEfiMpsTableGuid */
#define EFI_MPS_TABLE_GUID	EFI_GUID_INIT(0xeb9d2d2f, 0x2d88, 0x11d3, \
	0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d)
/* ESRT: EDK2 gEfiSystemResourceTableGuid */
#define EFI_SYSTEM_RESOURCE_TABLE_GUID	EFI_GUID_INIT(0xb122a263, 0x3661, 0x4f68, \
	0x99, 0x29, 0x78, 0xf8, 0xb0, 0xd6, 0x21, 0x80)
/* EFI_MEMORY_ATTRIBUTES_TABLE: EDK2 gEfiMemoryAttributesTableGuid */
#define EFI_MEMORY_ATTRIBUTES_TABLE_GUID EFI_GUID_INIT(0xdcfa911d, 0x26eb, 0x469f, \
	0xa2, 0x20, 0x38, 0xb7, 0xdc, 0x46, 0x12, 0x20)
/* EFI_RT_PROPERTIES_TABLE: EDK2 gEfiRtPropertiesTableGuid */
#define EFI_RT_PROPERTIES_TABLE_GUID	EFI_GUID_INIT(0xeb66918a, 0x7eef, 0x402a, \
	0x84, 0x2e, 0x93, 0x1d, 0x21, 0xc3, 0x8a, 0xe9)
/* EFI_PROPERTIES_TABLE (UEFI 2.5, deprecated): Linux EFI_PROPERTIES_TABLE_GUID */
#define EFI_PROPERTIES_TABLE_GUID	EFI_GUID_INIT(0x880aaca3, 0x4adc, 0x4a04, \
	0x90, 0x79, 0xb7, 0x47, 0x34, 0x08, 0x25, 0xe5)
/* TCG2 final events log: EDK2 gEfiTcg2FinalEventsTableGuid */
#define EFI_TCG2_FINAL_EVENTS_TABLE_GUID EFI_GUID_INIT(0x1e2ed096, 0x30e2, 0x4254, \
	0xbd, 0x89, 0x86, 0x3b, 0xbe, 0xf8, 0x23, 0x25)
/* CC (TDX) final events log: EDK2 gEfiCcFinalEventsTableGuid */
#define EFI_CC_FINAL_EVENTS_TABLE_GUID	EFI_GUID_INIT(0xdd4a4648, 0x2de7, 0x4665, \
	0x96, 0x4d, 0x21, 0xd9, 0xef, 0x5f, 0xb4, 0x46)
/* DXE services table: EDK2 gEfiDxeServicesTableGuid */
#define EFI_DXE_SERVICES_TABLE_GUID	EFI_GUID_INIT(0x05ad34ba, 0x6f02, 0x4214, \
	0x95, 0x2e, 0x4d, 0xa0, 0x39, 0x8e, 0x2b, 0xb9)
/* PI hand-off block list: EDK2 gEfiHobListGuid */
#define EFI_HOB_LIST_GUID	EFI_GUID_INIT(0x7739f24c, 0x93d7, 0x11d4, \
	0x9a, 0x3a, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d)
/* EFI_DEBUG_IMAGE_INFO_TABLE_HEADER: EDK2 gEfiDebugImageInfoTableGuid */
#define EFI_DEBUG_IMAGE_INFO_TABLE_GUID	EFI_GUID_INIT(0x49152e77, 0x1ada, 0x4764, \
	0xb7, 0xa2, 0x7a, 0xfe, 0xfe, 0xd9, 0x5e, 0x8b)
/* Flattened device tree: EDK2 gFdtTableGuid, Linux DEVICE_TREE_GUID */
#define EFI_FDT_TABLE_GUID	EFI_GUID_INIT(0xb1b621d5, 0xf19c, 0x41a5, \
	0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0)
/* EFI_IMAGE_EXECUTION_INFO_TABLE: EDK2 gEfiImageSecurityDatabaseGuid */
#define EFI_IMAGE_SECURITY_DATABASE_GUID EFI_GUID_INIT(0xd719b2cb, 0x3d3a, 0x4596, \
	0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f)
/* UEFI 2.10 conformance profiles: EDK2 gEfiConfProfilesTableGuid */
#define EFI_CONFORMANCE_PROFILES_TABLE_GUID EFI_GUID_INIT(0x36122546, 0xf7e7, 0x4c8f, \
	0xbd, 0x9b, 0xeb, 0x85, 0x25, 0xb5, 0x0c, 0x0b)
/* Memory type information: EDK2 gEfiMemoryTypeInformationGuid */
#define EFI_MEMORY_TYPE_INFORMATION_GUID EFI_GUID_INIT(0x4c19049f, 0x4137, 0x4dd3, \
	0x9c, 0x10, 0x8b, 0x97, 0xa8, 0x3f, 0xfd, 0xfa)
/* LZMA section extractor: EDK2 gLzmaCustomDecompressGuid */
#define EFI_LZMA_CUSTOM_DECOMPRESS_GUID	EFI_GUID_INIT(0xee4e5898, 0x3914, 0x4259, \
	0x9d, 0x6e, 0xdc, 0x7b, 0xd7, 0x94, 0x03, 0xcf)
/* SMM communication buffer: EDK2 gEdkiiPiSmmCommunicationRegionTableGuid */
#define EFI_SMM_COMMUNICATION_REGION_GUID EFI_GUID_INIT(0x4e28ca50, 0xd582, 0x44ac, \
	0xa1, 0x1f, 0xe3, 0xd5, 0x65, 0x26, 0xdb, 0x34)
/* HII database: EDK2 gEfiHiiDatabaseProtocolGuid (installed as a table) */
#define EFI_HII_DATABASE_GUID	EFI_GUID_INIT(0xef9fc172, 0xa1b2, 0x4693, \
	0xb3, 0x27, 0x6d, 0x32, 0xfc, 0x41, 0x60, 0x42)
/* SEV-SNP CC blob: Linux EFI_CC_BLOB_GUID */
#define EFI_CC_BLOB_GUID	EFI_GUID_INIT(0x067b1f5f, 0xcf26, 0x44c5, \
	0x85, 0x54, 0x93, 0xd7, 0x77, 0x91, 0x2d, 0x42)
/* Linux EFI stub tables: include/linux/efi.h LINUX_EFI_*_GUID */
#define EFI_LINUX_RANDOM_SEED_GUID	EFI_GUID_INIT(0x1ce1e5bc, 0x7ceb, 0x42f2, \
	0x81, 0xe5, 0x8a, 0xad, 0xf1, 0x80, 0xf5, 0x7b)
#define EFI_LINUX_TPM_EVENT_LOG_GUID	EFI_GUID_INIT(0xb7799cb0, 0xeca2, 0x4943, \
	0x96, 0x67, 0x1f, 0xae, 0x07, 0xb7, 0x47, 0xfa)
#define EFI_LINUX_MEMRESERVE_GUID	EFI_GUID_INIT(0x888eb0c6, 0x8ede, 0x4ff5, \
	0xa8, 0xf0, 0x9a, 0xee, 0x5c, 0xb9, 0x77, 0xc2)
#define EFI_LINUX_INITRD_MEDIA_GUID	EFI_GUID_INIT(0x5568e427, 0x68fc, 0x4f3d, \
	0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68)
#define EFI_LINUX_MOK_VARIABLE_GUID	EFI_GUID_INIT(0xc451ed2b, 0x9694, 0x45d3, \
	0xba, 0xba, 0xed, 0x9f, 0x89, 0x88, 0xa3, 0x89)
#define EFI_LINUX_COCO_SECRET_GUID	EFI_GUID_INIT(0xadf956ad, 0xe98c, 0x484c, \
	0xae, 0x11, 0xb5, 0x1c, 0x7d, 0x33, 0x64, 0x47)
#define EFI_LINUX_UNACCEPTED_MEM_GUID	EFI_GUID_INIT(0xd5d1de3c, 0x105c, 0x44f9, \
	0x9e, 0xa9, 0xbc, 0xef, 0x98, 0x12, 0x00, 0x31)
#define EFI_LINUX_BOOT_MEMMAP_GUID	EFI_GUID_INIT(0x800f683f, 0xd08b, 0x423a, \
	0xa2, 0x93, 0x96, 0x5c, 0x3c, 0x6f, 0xe2, 0xb4)
#define EFI_LINUX_SCREEN_INFO_GUID	EFI_GUID_INIT(0xe03fc20a, 0x85dc, 0x406e, \
	0xb9, 0x0e, 0x4a, 0xb5, 0x02, 0x37, 0x1d, 0x95)
/* SGI UV system table: Linux UV_SYSTEM_TABLE_GUID */
#define EFI_UV_SYSTEM_TABLE_GUID	EFI_GUID_INIT(0x3b13a7d4, 0x633e, 0x11dd, \
	0x93, 0xec, 0xda, 0x25, 0x56, 0xd8, 0x95, 0x93)
/* Dell EMC RCI2: Linux DELLEMC_EFI_RCI2_TABLE_GUID */
#define EFI_DELLEMC_RCI2_TABLE_GUID	EFI_GUID_INIT(0x2d9f28a2, 0xa886, 0x456a, \
	0x97, 0xa8, 0xf1, 0x1e, 0xf2, 0x4f, 0xf4, 0x55)

/* ---------------------------------------------------------------- wire */

#define EFI_SYSTEM_TABLE_SIGNATURE	0x5453595320494249ull	/* "IBI SYST" */
#define EFI_SYSTAB_SIZE			0x78u	/* x64 HeaderSize since UEFI 2.0 */

/* EFI_TABLE_HEADER, UEFI 2.10 §4.2: heads the system, boot and runtime tables. */
struct efi_table_header {
	uint64_t signature;
	uint32_t revision;		/* major << 16 | minor (0..99) */
	uint32_t header_size;		/* whole table, this header included */
	uint32_t crc32;			/* over header_size bytes, this field 0 */
	uint32_t reserved;
};
_Static_assert(sizeof(struct efi_table_header) == 24, "table header size");
_Static_assert(offsetof(struct efi_table_header, revision) == 8, "revision");	/* 8 */
_Static_assert(offsetof(struct efi_table_header, header_size) == 12, "hsize");	/* 12 */
_Static_assert(offsetof(struct efi_table_header, crc32) == 16, "crc32");	/* 16 */
_Static_assert(offsetof(struct efi_table_header, reserved) == 20, "reserved");	/* 20 */

/* EFI_SYSTEM_TABLE, UEFI 2.10 §4.3, x64: every pointer and UINTN is 8 bytes. */
struct efi_system_table {
	struct efi_table_header hdr;
	uint64_t firmware_vendor;	/* CHAR16 *, NUL-terminated */
	uint32_t firmware_revision;
	uint32_t pad0;			/* the ABI aligns the next pointer */
	uint64_t console_in_handle;
	uint64_t con_in;
	uint64_t console_out_handle;
	uint64_t con_out;
	uint64_t standard_error_handle;
	uint64_t std_err;
	uint64_t runtime_services;
	uint64_t boot_services;
	uint64_t number_of_table_entries;
	uint64_t configuration_table;	/* EFI_CONFIGURATION_TABLE[] */
};
_Static_assert(sizeof(struct efi_system_table) == EFI_SYSTAB_SIZE, "systab size");
_Static_assert(offsetof(struct efi_system_table, firmware_vendor) == 0x18, "vendor");	/* 0x18 */
_Static_assert(offsetof(struct efi_system_table, firmware_revision) == 0x20, "fwrev");	/* 0x20 */
_Static_assert(offsetof(struct efi_system_table, console_in_handle) == 0x28, "cih");	/* 0x28 */
_Static_assert(offsetof(struct efi_system_table, con_in) == 0x30, "con_in");		/* 0x30 */
_Static_assert(offsetof(struct efi_system_table, console_out_handle) == 0x38, "coh");	/* 0x38 */
_Static_assert(offsetof(struct efi_system_table, con_out) == 0x40, "con_out");	/* 0x40 */
_Static_assert(offsetof(struct efi_system_table, standard_error_handle) == 0x48, "seh"); /* 0x48 */
_Static_assert(offsetof(struct efi_system_table, std_err) == 0x50, "std_err");	/* 0x50 */
_Static_assert(offsetof(struct efi_system_table, runtime_services) == 0x58, "rt");	/* 0x58 */
_Static_assert(offsetof(struct efi_system_table, boot_services) == 0x60, "bs");	/* 0x60 */
_Static_assert(offsetof(struct efi_system_table, number_of_table_entries) == 0x68, "n"); /* 0x68 */
_Static_assert(offsetof(struct efi_system_table, configuration_table) == 0x70, "ct");	/* 0x70 */

/* EFI_CONFIGURATION_TABLE, UEFI 2.10 §4.6, x64. */
struct efi_configuration_table {
	struct efi_guid vendor_guid;
	uint64_t vendor_table;		/* VOID *: physical address */
};
_Static_assert(sizeof(struct efi_configuration_table) == 24, "config table size");
_Static_assert(offsetof(struct efi_configuration_table, vendor_table) == 16, "table"); /* 16 */

/*
 * EFI_MEMORY_DESCRIPTOR, UEFI 2.10 §7.2 (GetMemoryMap), version 1.  An
 * array's stride is the DescriptorSize GetMemoryMap returned, at least
 * this size and often 48: never sizeof() of this struct.
 */
struct efi_memory_descriptor {
	uint32_t type;			/* EFI_* memory type below */
	uint32_t pad;
	uint64_t physical_start;	/* 4 KiB aligned */
	uint64_t virtual_start;
	uint64_t number_of_pages;	/* 4 KiB pages, whatever the OS page size */
	uint64_t attribute;		/* EFI_MEMORY_* */
};
_Static_assert(sizeof(struct efi_memory_descriptor) == 40, "memory descriptor size");
_Static_assert(offsetof(struct efi_memory_descriptor, physical_start) == 8, "phys");	/* 8 */
_Static_assert(offsetof(struct efi_memory_descriptor, virtual_start) == 16, "virt");	/* 16 */
_Static_assert(offsetof(struct efi_memory_descriptor, number_of_pages) == 24, "pages"); /* 24 */
_Static_assert(offsetof(struct efi_memory_descriptor, attribute) == 32, "attr");	/* 32 */

#define EFI_MMAP_DESC_MIN		40u
#define EFI_PAGE_SHIFT			12
#define EFI_MEMORY_DESCRIPTOR_VERSION	1

/* EFI_MEMORY_TYPE, UEFI 2.10 §7.2 Table 7.6 (EDK2 UefiMultiPhase.h). */
#define EFI_RESERVED_MEMORY_TYPE	0
#define EFI_LOADER_CODE			1
#define EFI_LOADER_DATA			2
#define EFI_BOOT_SERVICES_CODE		3
#define EFI_BOOT_SERVICES_DATA		4
#define EFI_RUNTIME_SERVICES_CODE	5
#define EFI_RUNTIME_SERVICES_DATA	6
#define EFI_CONVENTIONAL_MEMORY		7
#define EFI_UNUSABLE_MEMORY		8
#define EFI_ACPI_RECLAIM_MEMORY		9
#define EFI_ACPI_MEMORY_NVS		10
#define EFI_MEMORY_MAPPED_IO		11
#define EFI_MEMORY_MAPPED_IO_PORT_SPACE	12
#define EFI_PAL_CODE			13
#define EFI_PERSISTENT_MEMORY		14
#define EFI_UNACCEPTED_MEMORY		15
#define EFI_MEMORY_TYPE_COUNT		16	/* 0x70000000.. OEM, 0x80000000.. OS */

/* Descriptor attributes, UEFI 2.10 §7.2 (EDK2 UefiSpec.h). */
#define EFI_MEMORY_UC			(1ull << 0)
#define EFI_MEMORY_WC			(1ull << 1)
#define EFI_MEMORY_WT			(1ull << 2)
#define EFI_MEMORY_WB			(1ull << 3)
#define EFI_MEMORY_UCE			(1ull << 4)
#define EFI_MEMORY_WP			(1ull << 12)
#define EFI_MEMORY_RP			(1ull << 13)
#define EFI_MEMORY_XP			(1ull << 14)
#define EFI_MEMORY_NV			(1ull << 15)
#define EFI_MEMORY_MORE_RELIABLE	(1ull << 16)
#define EFI_MEMORY_RO			(1ull << 17)
#define EFI_MEMORY_SP			(1ull << 18)
#define EFI_MEMORY_CPU_CRYPTO		(1ull << 19)
#define EFI_MEMORY_HOT_PLUGGABLE	(1ull << 20)
#define EFI_MEMORY_ISA_MASK		0x0ffff00000000000ull
#define EFI_MEMORY_ISA_VALID		(1ull << 62)
#define EFI_MEMORY_RUNTIME		(1ull << 63)

/* EFI_SYSTEM_RESOURCE_TABLE header, UEFI 2.10 §23.4. */
struct efi_system_resource_table {
	uint32_t fw_resource_count;
	uint32_t fw_resource_count_max;
	uint64_t fw_resource_version;	/* 1: 40-byte entries follow */
};
_Static_assert(sizeof(struct efi_system_resource_table) == 16, "esrt size");
_Static_assert(offsetof(struct efi_system_resource_table, fw_resource_count_max) == 4, "max"); /* 4 */
_Static_assert(offsetof(struct efi_system_resource_table, fw_resource_version) == 8, "ver");  /* 8 */

/* EFI_SYSTEM_RESOURCE_ENTRY (version 1), UEFI 2.10 §23.4. */
struct efi_system_resource_entry {
	struct efi_guid fw_class;	/* the CapsuleGuid of its updates */
	uint32_t fw_type;		/* EFI_ESRT_FW_TYPE_* */
	uint32_t fw_version;
	uint32_t lowest_supported_fw_version;
	uint32_t capsule_flags;
	uint32_t last_attempt_version;
	uint32_t last_attempt_status;	/* 0 success */
};
_Static_assert(sizeof(struct efi_system_resource_entry) == 40, "esrt entry size");
_Static_assert(offsetof(struct efi_system_resource_entry, fw_type) == 16, "type");	/* 16 */
_Static_assert(offsetof(struct efi_system_resource_entry, fw_version) == 20, "ver");	/* 20 */
_Static_assert(offsetof(struct efi_system_resource_entry, lowest_supported_fw_version) == 24,
	       "lowest");								/* 24 */
_Static_assert(offsetof(struct efi_system_resource_entry, capsule_flags) == 28, "flags"); /* 28 */
_Static_assert(offsetof(struct efi_system_resource_entry, last_attempt_version) == 32,
	       "lav");									/* 32 */
_Static_assert(offsetof(struct efi_system_resource_entry, last_attempt_status) == 36,
	       "las");									/* 36 */

#define EFI_ESRT_VERSION		1
#define EFI_ESRT_MAX_ENTRIES		128	/* Linux esrt.c's sanity limit */
#define EFI_ESRT_FW_TYPE_UNKNOWN	0
#define EFI_ESRT_FW_TYPE_SYSTEM		1
#define EFI_ESRT_FW_TYPE_DEVICE		2
#define EFI_ESRT_FW_TYPE_UEFI_DRIVER	3

/* ---------------------------------------------------------------- parsed */

struct efi_systab {
	uint32_t revision;		/* as found */
	uint16_t rev_major;		/* revision >> 16 */
	uint16_t rev_minor;		/* revision & 0xffff: 70 means 2.7 */
	uint32_t header_size;
	uint32_t crc_stored;		/* the CRC32 field */
	uint32_t crc_computed;		/* header_size bytes, CRC32 field as 0 */
	bool crc_ok;			/* crc_stored == crc_computed */
	uint32_t fw_revision;
	uint64_t fw_vendor;		/* address of a UTF-16LE string */
	uint64_t con_in_handle;
	uint64_t con_in;
	uint64_t con_out_handle;
	uint64_t con_out;
	uint64_t stderr_handle;
	uint64_t std_err;
	uint64_t runtime_services;
	uint64_t boot_services;		/* EDK2 zeroes it at ExitBootServices */
	uint64_t nr_tables;
	uint64_t tables;		/* address of nr_tables config entries */
};

struct efi_config_table {
	struct efi_guid guid;
	uint64_t table;			/* address, as found */
};

struct efi_mmap_desc {
	uint32_t type;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t num_pages;		/* num_pages << 12 fits, and so does the end */
	uint64_t attribute;
};

struct efi_esrt {
	uint32_t count;			/* FwResourceCount */
	uint32_t count_max;		/* FwResourceCountMax */
	uint64_t version;		/* FwResourceVersion: always 1 here */
};

struct efi_esrt_entry {
	struct efi_guid fw_class;
	uint32_t fw_type;
	uint32_t fw_version;
	uint32_t lowest_supported_fw_version;
	uint32_t capsule_flags;
	uint32_t last_attempt_version;
	uint32_t last_attempt_status;
};

/* Where a table lies according to the memory map: see efi_table_placement. */
enum efi_table_where {
	EFI_TABLE_INVALID,		/* bad map stride, size 0 or range wraps */
	EFI_TABLE_NOT_IN_MAP,		/* some byte is in no (valid) descriptor */
	EFI_TABLE_IN_RUNTIME,		/* preserved memory: readable in place */
	EFI_TABLE_IN_BOOT_SERVICES,	/* freed at ExitBootServices: reused */
	EFI_TABLE_IN_CONVENTIONAL,	/* free or loader memory: reused */
	EFI_TABLE_IN_UNSAFE,		/* MMIO, unusable, unaccepted...: never read */
	EFI_TABLE_SPANS,		/* crosses descriptors of different kinds */
};

/* ---------------------------------------------------------------- calls */

/*
 * Parse an x64 EFI system table.  Checks the signature, 0x78 <=
 * HeaderSize <= len, and computes the header CRC32 over HeaderSize bytes
 * with the CRC32 field read as zero (the input is never written).  A CRC
 * mismatch is reported in crc_ok, not refused: the firmware recomputes it
 * after SetVirtualAddressMap and ExitBootServices, but a previous OS or
 * hypervisor that patched a field would leave it stale, and the table is
 * still the best information there is.  Callers should say so when
 * crc_ok is false.  Returns 0, -EINVAL (NULL, len < 0x78, or HeaderSize >
 * len: then out->header_size alone holds the declared size, so the caller
 * may map more) or -EBADMSG (signature, HeaderSize < 0x78).
 */
int efi_systab_parse(const void *buf, size_t len, struct efi_systab *out);

/*
 * Format a table revision the way Linux prints "EFI v2.7": major, '.',
 * minor / 10, and ".minor % 10" only when non-zero (2.31 -> "2.3.1",
 * 2.100 -> "2.10").  Returns the length, -EINVAL or -ENOSPC.
 */
int efi_revision_format(uint32_t revision, char *out, size_t out_len);

/*
 * Convert the UTF-16LE string in buf (len bytes; an odd last byte is
 * ignored) to ASCII in out, stopping at a NUL character or the end of buf.
 * Characters outside printable ASCII (0x20..0x7e), surrogates included,
 * become '?'.  out is always NUL-terminated when out_len > 0.  Returns the
 * number of characters stored, -EINVAL (NULL, out_len 0) or -ENOSPC
 * (out too small: out holds the truncated prefix).
 */
int efi_utf16_to_ascii(const void *buf, size_t len, char *out, size_t out_len);

/*
 * Bytes nr_tables configuration entries occupy: returns 0, or -EBADMSG
 * when the product overflows a size_t.
 */
int efi_config_tables_bytes(uint64_t nr_tables, size_t *bytes);

/*
 * Entry `index` of an EFI_CONFIGURATION_TABLE array (24-byte entries) in
 * buf.  A trailing partial entry does not count.  The caller bounds index
 * by nr_tables as well.  Returns 0, -EINVAL or -ENOENT.
 */
int efi_config_table_at(const void *buf, size_t len, size_t index,
			struct efi_config_table *out);

/*
 * Short name of a known configuration table GUID: Linux's names where
 * Linux prints one ("ACPI 2.0", "SMBIOS 3.0", "ESRT", "MEMATTR", "RNG",
 * ...), else one of ours; NULL when unknown.
 */
const char *efi_guid_name(const struct efi_guid *g);

/* Number of whole descriptors of stride desc_size in len bytes (0 if stride bad). */
size_t efi_mmap_count(size_t len, uint32_t desc_size);

/*
 * Descriptor `index` of a memory map with stride desc_size (>= 40 and a
 * multiple of 8).  Returns 0, -EINVAL (NULL, bad stride), -ENOENT (past
 * the last whole descriptor) or -EBADMSG (num_pages << 12, or the region's
 * end, overflows 64 bits: *out is still filled, for messages).
 */
int efi_mmap_desc_at(const void *buf, size_t len, uint32_t desc_size,
		     size_t index, struct efi_mmap_desc *out);

/*
 * A memory type's short name ("BootServicesData", ...), "OEMDefined" or
 * "OSDefined" for those ranges, "Invalid" otherwise; never NULL.
 */
const char *efi_mem_type_name(uint32_t type);

/*
 * True for types whose pages hold OS or firmware data worth dumping and
 * are safe to read: Loader*, BootServices*, RuntimeServices*,
 * Conventional, ACPIReclaim and ACPINVS.  Not Reserved (may be SMRAM or
 * stolen), Unusable (bad RAM), MMIO* (reads have side effects), PalCode
 * (IA-64), Persistent (NVDIMM: survives reset, can be terabytes, and
 * Linux's vmcore leaves it out too) or Unaccepted (touching it kills a
 * TDX/SNP guest), nor OEM/OS-defined types.
 */
bool efi_mem_type_is_ram(uint32_t type);

/*
 * Sum pages per type over a memory map: pages_by_type[t] for t < 16,
 * *other_pages for all larger types.  Sums saturate at UINT64_MAX.
 * Descriptors efi_mmap_desc_at rejects are left out.  Returns 0,
 * -EINVAL (NULL, bad stride; arrays zeroed) or -EBADMSG (some descriptor
 * was left out; the sums cover the rest).
 */
int efi_mmap_summarise(const void *buf, size_t len, uint32_t desc_size,
		       uint64_t pages_by_type[EFI_MEMORY_TYPE_COUNT],
		       uint64_t *other_pages);

/*
 * Decide whether the table at [addr, addr + size) may be read, from the
 * memory map the firmware handed over (efi.c explains the rule):
 * EFI_TABLE_IN_RUNTIME when every byte lies in descriptors that are
 * preserved (EFI_MEMORY_RUNTIME set, or type RuntimeServicesCode/Data,
 * ACPIReclaim, ACPINVS or Reserved); EFI_TABLE_IN_BOOT_SERVICES or
 * EFI_TABLE_IN_CONVENTIONAL when all of it lies in memory the OS was free
 * to reuse; EFI_TABLE_IN_UNSAFE for memory that must not be read;
 * EFI_TABLE_SPANS when it crosses kinds; EFI_TABLE_NOT_IN_MAP when any
 * byte is in no descriptor; EFI_TABLE_INVALID for a bad stride, size 0 or
 * a range past 2^64.
 */
enum efi_table_where efi_table_placement(const void *mmap, size_t len,
					 uint32_t desc_size, uint64_t addr,
					 uint64_t size);

/* True only for EFI_TABLE_IN_RUNTIME: the one answer that allows a read. */
bool efi_table_readable(enum efi_table_where where);

/* A placement in words ("runtime memory", ...) for messages; never NULL. */
const char *efi_table_where_name(enum efi_table_where where);

/*
 * Parse an ESRT header: version 1, count <= 128 (Linux's limit), count <=
 * count_max, and 16 + count * 40 <= len.  A count of zero is accepted
 * (Linux does) though the spec asks for at least the system firmware.
 * Returns 0, -EINVAL (NULL, len < 16, or entries beyond len) or -EBADMSG.
 */
int efi_esrt_parse(const void *buf, size_t len, struct efi_esrt *out);

/* Bytes a parsed ESRT occupies: 16 + count * 40. */
size_t efi_esrt_size(const struct efi_esrt *esrt);

/*
 * Entry `index` of the ESRT in buf, which must pass efi_esrt_parse.
 * Returns 0, -EINVAL, -EBADMSG or -ENOENT (index >= count).
 */
int efi_esrt_entry_at(const void *buf, size_t len, size_t index,
		      struct efi_esrt_entry *out);

/* "Unknown", "SystemFirmware", "DeviceFirmware", "UefiDriver", else "Reserved". */
const char *efi_esrt_fw_type_name(uint32_t fw_type);

#endif
