/*
 * UEFI table readers; see efi.h for the interface and the order of calls.
 *
 * Everything here arrives as bytes that firmware, a boot loader or the
 * crashed OS left in memory, so nothing is trusted: fixed layouts are
 * copied into aligned locals before a field is read, arrays are walked by
 * the stride their producer declared, every count is checked against the
 * bytes that remain, and every sum of addresses is checked for wrap.
 * Addresses inside the tables are only reported.
 *
 * System table CRC.  The header CRC32 covers HeaderSize bytes with the
 * CRC32 field zero (UEFI 2.10 §4.2).  EDK2 recomputes it whenever it
 * changes the table: InstallConfigurationTable, ExitBootServices (which
 * zeroes BootServices and the console fields) and SetVirtualAddressMap
 * (RuntimeDxe converts FirmwareVendor, ConfigurationTable and
 * RuntimeServices, then recomputes).  Linux does not check it.  So a
 * mismatch means a non-EDK2 firmware, a loader
 * or hypervisor that patched a field, or a corrupted table; none of these
 * makes the remaining fields less useful than nothing, so the parser
 * reports crc_ok and lets the caller warn, and fails only on what makes
 * the bytes not a system table at all (signature, HeaderSize).
 *
 * Placement rule (docs/interfaces.md, "EFI tables after ExitBootServices").  A
 * configuration table lives wherever its producer allocated it.  After
 * ExitBootServices the OS owns EfiBootServicesCode/Data, EfiConventional,
 * EfiLoader* and EfiPersistent memory and reuses it: Linux frees boot-services memory in
 * efi_free_boot_services() unless efi_mem_reserve() kept a piece, and
 * that piece then carries EFI_MEMORY_RUNTIME in the map handed to kexec.
 * So a table is read in place only when every byte lies in descriptors
 * the OS had to preserve: EFI_MEMORY_RUNTIME set, or type
 * RuntimeServicesCode/Data, ACPIReclaim, ACPINVS or Reserved (ACPIReclaim
 * is what Xen and Linux's own stub pick for tables that must outlive the
 * loader; Linux keeps it as e820 ACPI and does not reclaim it).  A table
 * in boot-services or conventional memory is readable only from a copy
 * the first kernel preserved (the handoff block).  MMIO, MMIOPortSpace,
 * Unusable, PalCode, Unaccepted and OEM/OS-defined types are never read:
 * reads there have side effects, fault or, for unaccepted memory in a
 * TDX/SNP guest, are fatal; they win over EFI_MEMORY_RUNTIME, which
 * firmware sets on MMIO such as the flash its variable services use.
 * Unlike Linux's esrt.c, which wants the table inside one descriptor,
 * adjacent descriptors of the same kind are accepted; descriptors that
 * overlap with different kinds make the answer EFI_TABLE_SPANS, and a
 * descriptor whose size overflows is treated as absent.
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
#include "formats/textbuf.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "EFI tables are little-endian and read by memcpy");
_Static_assert(sizeof(int) == 4, "int results carry at most INT32_MAX");

/*
 * Known configuration tables.  The values, each with its source, are the
 * EFI_*_GUID macros in efi.h; the names are Linux's (drivers/firmware/efi/
 * efi.c common_tables, arch/x86/platform/efi/efi.c arch_tables) where
 * Linux prints one, else ours.  Arrays, not pointers: no relocations.
 */
static const struct efi_known_table {
	struct efi_guid guid;
	char name[16];
} efi_known_tables[] = {
	{ EFI_ACPI_20_TABLE_GUID, "ACPI 2.0" },
	{ EFI_ACPI_10_TABLE_GUID, "ACPI" },
	{ EFI_SMBIOS_TABLE_GUID, "SMBIOS" },
	{ EFI_SMBIOS3_TABLE_GUID, "SMBIOS 3.0" },
	{ EFI_MPS_TABLE_GUID, "MPS" },
	{ EFI_SYSTEM_RESOURCE_TABLE_GUID, "ESRT" },
	{ EFI_MEMORY_ATTRIBUTES_TABLE_GUID, "MEMATTR" },
	{ EFI_RT_PROPERTIES_TABLE_GUID, "RTPROP" },
	{ EFI_PROPERTIES_TABLE_GUID, "PROP" },
	{ EFI_TCG2_FINAL_EVENTS_TABLE_GUID, "TPMFinalLog" },
	{ EFI_CC_FINAL_EVENTS_TABLE_GUID, "CCFinalLog" },
	{ EFI_LINUX_RANDOM_SEED_GUID, "RNG" },
	{ EFI_LINUX_TPM_EVENT_LOG_GUID, "TPMEventLog" },
	{ EFI_LINUX_MEMRESERVE_GUID, "MEMRESERVE" },
	{ EFI_LINUX_INITRD_MEDIA_GUID, "INITRD" },
	{ EFI_LINUX_MOK_VARIABLE_GUID, "MOKvar" },
	{ EFI_LINUX_COCO_SECRET_GUID, "CocoSecret" },
	{ EFI_LINUX_UNACCEPTED_MEM_GUID, "Unaccepted" },
	{ EFI_LINUX_BOOT_MEMMAP_GUID, "LinuxBootMemmap" },
	{ EFI_LINUX_SCREEN_INFO_GUID, "ScreenInfo" },
	{ EFI_UV_SYSTEM_TABLE_GUID, "UVsystab" },
	{ EFI_DELLEMC_RCI2_TABLE_GUID, "RCI2" },
	{ EFI_CC_BLOB_GUID, "CCBlob" },
	{ EFI_DXE_SERVICES_TABLE_GUID, "DXE" },
	{ EFI_HOB_LIST_GUID, "HOB" },
	{ EFI_DEBUG_IMAGE_INFO_TABLE_GUID, "DebugImageInfo" },
	{ EFI_FDT_TABLE_GUID, "FDT" },
	{ EFI_IMAGE_SECURITY_DATABASE_GUID, "ImageExecInfo" },
	{ EFI_CONFORMANCE_PROFILES_TABLE_GUID, "ConfProfiles" },
	{ EFI_MEMORY_TYPE_INFORMATION_GUID, "MemTypeInfo" },
	{ EFI_LZMA_CUSTOM_DECOMPRESS_GUID, "LzmaDecompress" },
	{ EFI_SMM_COMMUNICATION_REGION_GUID, "SmmCommRegion" },
	{ EFI_HII_DATABASE_GUID, "HiiDatabase" },
};

/* ------------------------------------------------------------ system table */

static void efi_systab_fill(const struct efi_system_table *t, struct efi_systab *s)
{
	s->revision = t->hdr.revision;
	s->rev_major = (uint16_t)(t->hdr.revision >> 16);
	s->rev_minor = (uint16_t)(t->hdr.revision & 0xffff);
	s->header_size = t->hdr.header_size;
	s->crc_stored = t->hdr.crc32;
	s->fw_vendor = t->firmware_vendor;
	s->fw_revision = t->firmware_revision;
	s->con_in_handle = t->console_in_handle;
	s->con_in = t->con_in;
	s->con_out_handle = t->console_out_handle;
	s->con_out = t->con_out;
	s->stderr_handle = t->standard_error_handle;
	s->std_err = t->std_err;
	s->runtime_services = t->runtime_services;
	s->boot_services = t->boot_services;
	s->nr_tables = t->number_of_table_entries;
	s->tables = t->configuration_table;
}

int efi_systab_parse(const void *buf, size_t len, struct efi_systab *out)
{
	struct efi_system_table t;
	struct efi_table_header h;
	uint32_t crc;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (buf == NULL || len < sizeof(t))
		return -EINVAL;
	memcpy(&t, buf, sizeof(t));
	if (t.hdr.signature != EFI_SYSTEM_TABLE_SIGNATURE)
		return -EBADMSG;
	if (t.hdr.header_size < sizeof(t))
		return -EBADMSG;
	if (t.hdr.header_size > len) {
		out->header_size = t.hdr.header_size;
		return -EINVAL;
	}
	/*
	 * The CRC sees the header with its CRC32 field zero: CRC a local copy
	 * of the header so changed, then the rest of the table in place.
	 */
	h = t.hdr;
	h.crc32 = 0;
	crc = crc32_update(0, &h, sizeof(h));
	crc = crc32_update(crc, (const uint8_t *)buf + sizeof(h),
			   t.hdr.header_size - sizeof(h));
	efi_systab_fill(&t, out);
	out->crc_computed = crc;
	out->crc_ok = crc == t.hdr.crc32;
	return 0;
}

int efi_revision_format(uint32_t revision, char *out, size_t out_len)
{
	uint32_t minor = revision & 0xffff;
	struct textbuf t;

	if (out == NULL || out_len == 0)
		return -EINVAL;
	textbuf_init(&t, out, out_len);
	textbuf_add_part(&t, "%u.%u", (unsigned)(revision >> 16), (unsigned)(minor / 10));
	if (minor % 10 != 0)
		textbuf_add_part(&t, ".%u", (unsigned)(minor % 10));
	return t.cut ? -ENOSPC : (int)t.len;
}

int efi_utf16_to_ascii(const void *buf, size_t len, char *out, size_t out_len)
{
	const uint8_t *p = buf;
	size_t n = 0;

	if (out == NULL || out_len == 0)
		return -EINVAL;
	out[0] = '\0';
	if (buf == NULL && len != 0)
		return -EINVAL;
	if (out_len > INT32_MAX)
		out_len = INT32_MAX;
	/* i < len, so i + 1 cannot wrap; an odd last byte is never read. */
	for (size_t i = 0; i + 1 < len; i += 2) {
		uint16_t c = (uint16_t)(p[i] | p[i + 1] << 8);

		if (c == 0)
			break;
		if (n + 1 >= out_len) {
			out[n] = '\0';
			return -ENOSPC;
		}
		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[n] = '\0';
	return (int)n;
}

/* ------------------------------------------------------ configuration table */

int efi_config_tables_bytes(uint64_t nr_tables, size_t *bytes)
{
	const size_t size = sizeof(struct efi_configuration_table);

	if (bytes == NULL)
		return -EINVAL;
	*bytes = 0;
	if (nr_tables > SIZE_MAX / size)
		return -EBADMSG;
	*bytes = (size_t)nr_tables * size;
	return 0;
}

int efi_config_table_at(const void *buf, size_t len, size_t index,
			struct efi_config_table *out)
{
	struct efi_configuration_table e;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (buf == NULL)
		return -EINVAL;
	/* index < count bounds the offset below, so it cannot wrap. */
	if (index >= len / sizeof(e))
		return -ENOENT;
	memcpy(&e, (const uint8_t *)buf + index * sizeof(e), sizeof(e));
	out->guid = e.vendor_guid;
	out->table = e.vendor_table;
	return 0;
}

/* ------------------------------------------------------------------ GUIDs */

const char *efi_guid_name(const struct efi_guid *g)
{
	size_t n = sizeof(efi_known_tables) / sizeof(efi_known_tables[0]);

	for (size_t i = 0; i < n; i++)
		if (efi_guid_eq(g, &efi_known_tables[i].guid))
			return efi_known_tables[i].name;
	return NULL;
}

/* ------------------------------------------------------------- memory map */

/* A DescriptorSize we can walk: a whole descriptor, 8-byte aligned. */
static bool efi_stride_ok(uint32_t desc_size)
{
	return desc_size >= EFI_MMAP_DESC_MIN && desc_size % 8 == 0;
}

size_t efi_mmap_count(size_t len, uint32_t desc_size)
{
	return efi_stride_ok(desc_size) ? len / desc_size : 0;
}

int efi_mmap_desc_at(const void *buf, size_t len, uint32_t desc_size,
		     size_t index, struct efi_mmap_desc *out)
{
	struct efi_memory_descriptor d;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (buf == NULL || !efi_stride_ok(desc_size))
		return -EINVAL;
	/* index < count bounds the offset below, so it cannot wrap. */
	if (index >= len / desc_size)
		return -ENOENT;
	memcpy(&d, (const uint8_t *)buf + index * desc_size, sizeof(d));
	out->type = d.type;
	out->phys_start = d.physical_start;
	out->virt_start = d.virtual_start;
	out->num_pages = d.number_of_pages;
	out->attribute = d.attribute;
	if (d.number_of_pages > UINT64_MAX >> EFI_PAGE_SHIFT)
		return -EBADMSG;
	if (d.physical_start > UINT64_MAX - (d.number_of_pages << EFI_PAGE_SHIFT))
		return -EBADMSG;
	return 0;
}

const char *efi_mem_type_name(uint32_t type)
{
	/* Arrays, not pointers: no relocations in a relocating kernel. */
	static const char names[EFI_MEMORY_TYPE_COUNT][20] = {
		[EFI_RESERVED_MEMORY_TYPE] = "Reserved",
		[EFI_LOADER_CODE] = "LoaderCode",
		[EFI_LOADER_DATA] = "LoaderData",
		[EFI_BOOT_SERVICES_CODE] = "BootServicesCode",
		[EFI_BOOT_SERVICES_DATA] = "BootServicesData",
		[EFI_RUNTIME_SERVICES_CODE] = "RuntimeServicesCode",
		[EFI_RUNTIME_SERVICES_DATA] = "RuntimeServicesData",
		[EFI_CONVENTIONAL_MEMORY] = "Conventional",
		[EFI_UNUSABLE_MEMORY] = "Unusable",
		[EFI_ACPI_RECLAIM_MEMORY] = "ACPIReclaim",
		[EFI_ACPI_MEMORY_NVS] = "ACPINVS",
		[EFI_MEMORY_MAPPED_IO] = "MMIO",
		[EFI_MEMORY_MAPPED_IO_PORT_SPACE] = "MMIOPortSpace",
		[EFI_PAL_CODE] = "PalCode",
		[EFI_PERSISTENT_MEMORY] = "Persistent",
		[EFI_UNACCEPTED_MEMORY] = "Unaccepted",
	};

	if (type < EFI_MEMORY_TYPE_COUNT)
		return names[type];
	if (type >= 0x80000000u)
		return "OSDefined";
	return type >= 0x70000000u ? "OEMDefined" : "Invalid";
}

bool efi_mem_type_is_ram(uint32_t type)
{
	const uint32_t ram = 1u << EFI_LOADER_CODE | 1u << EFI_LOADER_DATA |
		1u << EFI_BOOT_SERVICES_CODE | 1u << EFI_BOOT_SERVICES_DATA |
		1u << EFI_RUNTIME_SERVICES_CODE | 1u << EFI_RUNTIME_SERVICES_DATA |
		1u << EFI_CONVENTIONAL_MEMORY | 1u << EFI_ACPI_RECLAIM_MEMORY |
		1u << EFI_ACPI_MEMORY_NVS;

	return type < EFI_MEMORY_TYPE_COUNT && (ram >> type & 1) != 0;
}

static uint64_t efi_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

int efi_mmap_summarise(const void *buf, size_t len, uint32_t desc_size,
		       uint64_t pages_by_type[EFI_MEMORY_TYPE_COUNT],
		       uint64_t *other_pages)
{
	struct efi_mmap_desc d;
	size_t n;
	int rc = 0;

	if (pages_by_type == NULL || other_pages == NULL)
		return -EINVAL;
	memset(pages_by_type, 0, EFI_MEMORY_TYPE_COUNT * sizeof(pages_by_type[0]));
	*other_pages = 0;
	if (buf == NULL || !efi_stride_ok(desc_size))
		return -EINVAL;
	n = efi_mmap_count(len, desc_size);
	for (size_t i = 0; i < n; i++) {
		uint64_t *sum;

		if (efi_mmap_desc_at(buf, len, desc_size, i, &d) != 0) {
			rc = -EBADMSG;
			continue;
		}
		sum = d.type < EFI_MEMORY_TYPE_COUNT ? &pages_by_type[d.type] : other_pages;
		*sum = efi_add_sat(*sum, d.num_pages);
	}
	return rc;
}

/* ---------------------------------------------------------------- placement */

/* The placement a single descriptor gives the bytes it covers. */
static enum efi_table_where efi_desc_kind(const struct efi_mmap_desc *d)
{
	static const uint8_t kind[EFI_MEMORY_TYPE_COUNT] = {
		[EFI_RESERVED_MEMORY_TYPE] = EFI_TABLE_IN_RUNTIME,
		[EFI_LOADER_CODE] = EFI_TABLE_IN_CONVENTIONAL,
		[EFI_LOADER_DATA] = EFI_TABLE_IN_CONVENTIONAL,
		[EFI_BOOT_SERVICES_CODE] = EFI_TABLE_IN_BOOT_SERVICES,
		[EFI_BOOT_SERVICES_DATA] = EFI_TABLE_IN_BOOT_SERVICES,
		[EFI_RUNTIME_SERVICES_CODE] = EFI_TABLE_IN_RUNTIME,
		[EFI_RUNTIME_SERVICES_DATA] = EFI_TABLE_IN_RUNTIME,
		[EFI_CONVENTIONAL_MEMORY] = EFI_TABLE_IN_CONVENTIONAL,
		[EFI_UNUSABLE_MEMORY] = EFI_TABLE_IN_UNSAFE,
		[EFI_ACPI_RECLAIM_MEMORY] = EFI_TABLE_IN_RUNTIME,
		[EFI_ACPI_MEMORY_NVS] = EFI_TABLE_IN_RUNTIME,
		[EFI_MEMORY_MAPPED_IO] = EFI_TABLE_IN_UNSAFE,
		[EFI_MEMORY_MAPPED_IO_PORT_SPACE] = EFI_TABLE_IN_UNSAFE,
		[EFI_PAL_CODE] = EFI_TABLE_IN_UNSAFE,
		[EFI_PERSISTENT_MEMORY] = EFI_TABLE_IN_CONVENTIONAL,
		[EFI_UNACCEPTED_MEMORY] = EFI_TABLE_IN_UNSAFE,
	};

	if (d->type >= EFI_MEMORY_TYPE_COUNT || kind[d->type] == EFI_TABLE_IN_UNSAFE)
		return EFI_TABLE_IN_UNSAFE;
	/* RUNTIME keeps even boot-services memory; it cannot make MMIO readable. */
	if (d->attribute & EFI_MEMORY_RUNTIME)
		return EFI_TABLE_IN_RUNTIME;
	return (enum efi_table_where)kind[d->type];
}

/*
 * One step of the placement walk: the kind of the byte at `at`, from every
 * valid descriptor containing it (EFI_TABLE_NOT_IN_MAP for none,
 * EFI_TABLE_SPANS when they disagree), and in *stop the last byte, at most
 * `last`, before any descriptor containing `at` ends or another begins.
 */
static enum efi_table_where efi_place_step(const void *mmap, size_t len,
					   uint32_t desc_size, uint64_t at,
					   uint64_t last, uint64_t *stop)
{
	enum efi_table_where kind = EFI_TABLE_NOT_IN_MAP;
	size_t n = efi_mmap_count(len, desc_size);
	struct efi_mmap_desc d;

	*stop = last;
	for (size_t i = 0; i < n; i++) {
		enum efi_table_where k;
		uint64_t d_last;

		if (efi_mmap_desc_at(mmap, len, desc_size, i, &d) != 0 || d.num_pages == 0)
			continue;
		/* efi_mmap_desc_at checked that this neither overflows nor wraps. */
		d_last = d.phys_start + (d.num_pages << EFI_PAGE_SHIFT) - 1;
		if (d.phys_start > at) {
			if (d.phys_start - 1 < *stop)
				*stop = d.phys_start - 1;
			continue;
		}
		if (d_last < at)
			continue;
		if (d_last < *stop)
			*stop = d_last;
		k = efi_desc_kind(&d);
		if (kind == EFI_TABLE_NOT_IN_MAP)
			kind = k;
		else if (kind != k)
			kind = EFI_TABLE_SPANS;
	}
	return kind;
}

enum efi_table_where efi_table_placement(const void *mmap, size_t len,
					 uint32_t desc_size, uint64_t addr,
					 uint64_t size)
{
	enum efi_table_where where = EFI_TABLE_NOT_IN_MAP;
	uint64_t at = addr, last, stop;

	if (mmap == NULL || !efi_stride_ok(desc_size) || size == 0 ||
	    addr > UINT64_MAX - (size - 1))
		return EFI_TABLE_INVALID;
	last = addr + (size - 1);
	/*
	 * Each step ends where some descriptor ends or begins, so the walk
	 * takes at most twice as many steps as there are descriptors.
	 */
	for (;;) {
		enum efi_table_where k = efi_place_step(mmap, len, desc_size, at, last, &stop);

		if (k == EFI_TABLE_NOT_IN_MAP || k == EFI_TABLE_SPANS)
			return k;
		if (where != EFI_TABLE_NOT_IN_MAP && where != k)
			return EFI_TABLE_SPANS;
		where = k;
		if (stop >= last)
			return where;
		at = stop + 1;
	}
}

bool efi_table_readable(enum efi_table_where where)
{
	return where == EFI_TABLE_IN_RUNTIME;
}

const char *efi_table_where_name(enum efi_table_where where)
{
	static const char names[][24] = {
		[EFI_TABLE_INVALID] = "invalid range or map",
		[EFI_TABLE_NOT_IN_MAP] = "outside the memory map",
		[EFI_TABLE_IN_RUNTIME] = "runtime memory",
		[EFI_TABLE_IN_BOOT_SERVICES] = "boot-services memory",
		[EFI_TABLE_IN_CONVENTIONAL] = "conventional memory",
		[EFI_TABLE_IN_UNSAFE] = "unreadable memory",
		[EFI_TABLE_SPANS] = "memory of mixed kinds",
	};

	if ((unsigned)where < sizeof(names) / sizeof(names[0]))
		return names[where];
	return "unknown placement";
}

/* --------------------------------------------------------------------- ESRT */

int efi_esrt_parse(const void *buf, size_t len, struct efi_esrt *out)
{
	struct efi_system_resource_table t;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (buf == NULL || len < sizeof(t))
		return -EINVAL;
	memcpy(&t, buf, sizeof(t));
	if (t.fw_resource_version != EFI_ESRT_VERSION)
		return -EBADMSG;
	if (t.fw_resource_count > EFI_ESRT_MAX_ENTRIES ||
	    t.fw_resource_count > t.fw_resource_count_max)
		return -EBADMSG;
	/* count <= 128: the product cannot overflow. */
	if (len - sizeof(t) <
	    (size_t)t.fw_resource_count * sizeof(struct efi_system_resource_entry))
		return -EINVAL;
	out->count = t.fw_resource_count;
	out->count_max = t.fw_resource_count_max;
	out->version = t.fw_resource_version;
	return 0;
}

size_t efi_esrt_size(const struct efi_esrt *esrt)
{
	if (esrt == NULL)
		return 0;
	return sizeof(struct efi_system_resource_table) +
	       (size_t)esrt->count * sizeof(struct efi_system_resource_entry);
}

int efi_esrt_entry_at(const void *buf, size_t len, size_t index,
		      struct efi_esrt_entry *out)
{
	struct efi_system_resource_entry e;
	struct efi_esrt h;
	int rc;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	rc = efi_esrt_parse(buf, len, &h);
	if (rc != 0)
		return rc;
	if (index >= h.count)
		return -ENOENT;
	memcpy(&e, (const uint8_t *)buf + sizeof(struct efi_system_resource_table) +
		   index * sizeof(e), sizeof(e));
	out->fw_class = e.fw_class;
	out->fw_type = e.fw_type;
	out->fw_version = e.fw_version;
	out->lowest_supported_fw_version = e.lowest_supported_fw_version;
	out->capsule_flags = e.capsule_flags;
	out->last_attempt_version = e.last_attempt_version;
	out->last_attempt_status = e.last_attempt_status;
	return 0;
}

const char *efi_esrt_fw_type_name(uint32_t fw_type)
{
	static const char names[][16] = {
		[EFI_ESRT_FW_TYPE_UNKNOWN] = "Unknown",
		[EFI_ESRT_FW_TYPE_SYSTEM] = "SystemFirmware",
		[EFI_ESRT_FW_TYPE_DEVICE] = "DeviceFirmware",
		[EFI_ESRT_FW_TYPE_UEFI_DRIVER] = "UefiDriver",
	};

	if (fw_type < sizeof(names) / sizeof(names[0]))
		return names[fw_type];
	return "Reserved";
}
