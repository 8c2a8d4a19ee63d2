/*
 * The handoff block: what a dying Linux (or a tool run before it dies)
 * leaves postmortem, and the one format the kernel, build/postmortem and the
 * tests share.  docs/handoff.md describes it byte by byte for other
 * producers; this header is the authority for every offset.
 *
 * Interface.  Writer: handoff_writer_init() over a caller buffer, then
 * handoff_add() or a typed handoff_add_*() per record, then
 * handoff_finish(), which fills the header and the SHA-256.  A record that
 * does not fit returns -ENOSPC and leaves the block exactly as it was (no
 * half record is counted), so the caller may retry with a bigger buffer.
 * Reader: handoff_verify() first; nothing in a block is trusted (no address
 * used, no length believed) until it returns 0.  handoff_next() walks the
 * records with its own bounds checks, so it is also safe on a block that
 * failed verification (for `postmortem handoff show`).  The decoders take a
 * record from handoff_next() and copy fields into the caller's aligned
 * structs; array records are read one entry at a time by index.  Pointers
 * handed out (struct handoff_record.payload, struct handoff_bytes.ptr)
 * point into the caller's buffer, which must outlive them, and are only
 * ever byte pointers: no wire struct is read through a cast pointer, so any
 * buffer alignment works.
 *
 * Pure module: no globals, no I/O, no allocation; the same files build into
 * the freestanding kernel, tools/postmortem and the host tests.
 *
 * Layout (all integers little-endian):
 *
 *   +0     header (80 bytes, struct handoff_header)
 *   +80    record 0: { u32 type; u32 flags; u64 length } payload, zero pad to 8
 *   ...    record n-1
 *   +total_size
 *
 * The SHA-256 at header +0x30 covers bytes [0, total_size) with its own 32
 * bytes taken as zero.  Readers skip records of unknown type unless the
 * record carries HANDOFF_RECORD_CRITICAL.
 */
#ifndef PAYLOAD_HANDOFF_H
#define PAYLOAD_HANDOFF_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "formats/blkdev.h"
#include "payload/dumpfile.h"

/* ------------------------------------------------------------ block header */

#define HANDOFF_MAGIC		"PMHANDOF"	/* 8 bytes, no NUL */
#define HANDOFF_MAGIC_LEN	8
#define HANDOFF_VERSION		1
#define HANDOFF_HEADER_SIZE	80	/* version 1; readers accept larger */
#define HANDOFF_ALIGN		8	/* records start at multiples of this */
#define HANDOFF_DIGEST_OFFSET	0x30

struct handoff_header {
	uint8_t magic[HANDOFF_MAGIC_LEN];	/* 0x00 "PMHANDOF" */
	uint32_t version;			/* 0x08 1 */
	uint32_t header_size;			/* 0x0c 80; multiple of 8 */
	uint32_t flags;				/* 0x10 none defined: write 0 */
	uint32_t record_count;			/* 0x14 records that follow */
	uint64_t total_size;			/* 0x18 whole block, header included */
	uint64_t created;			/* 0x20 unix time, seconds */
	uint64_t reserved0;			/* 0x28 write 0 */
	uint8_t sha256[SHA256_LEN];		/* 0x30 digest, see above */
};
_Static_assert(sizeof(struct handoff_header) == HANDOFF_HEADER_SIZE, "handoff_header");
_Static_assert(offsetof(struct handoff_header, version) == 0x08, "version");
_Static_assert(offsetof(struct handoff_header, header_size) == 0x0c, "header_size");
_Static_assert(offsetof(struct handoff_header, flags) == 0x10, "flags");
_Static_assert(offsetof(struct handoff_header, record_count) == 0x14, "record_count");
_Static_assert(offsetof(struct handoff_header, total_size) == 0x18, "total_size");
_Static_assert(offsetof(struct handoff_header, created) == 0x20, "created");
_Static_assert(offsetof(struct handoff_header, reserved0) == 0x28, "reserved0");
_Static_assert(offsetof(struct handoff_header, sha256) == HANDOFF_DIGEST_OFFSET, "sha256");

/* ------------------------------------------------------------------ records */

#define HANDOFF_RECORD_CRITICAL	(1u << 0)	/* reject the block if type unknown */

struct handoff_record_header {
	uint32_t type;			/* 0x00 HANDOFF_TYPE_* */
	uint32_t flags;			/* 0x04 HANDOFF_RECORD_* */
	uint64_t length;		/* 0x08 payload bytes, padding excluded */
};
_Static_assert(sizeof(struct handoff_record_header) == 16, "handoff_record_header");
_Static_assert(offsetof(struct handoff_record_header, length) == 0x08, "length");

/* Record types of version 1; 0 is never assigned. */
#define HANDOFF_TYPE_EFI_MEMMAP		1	/* array hdr + EFI_MEMORY_DESCRIPTORs */
#define HANDOFF_TYPE_EFI_SYSTAB		2	/* struct handoff_efi_systab */
#define HANDOFF_TYPE_EFI_CONFIG_TABLES	3	/* array of handoff_config_table */
#define HANDOFF_TYPE_TABLE_COPY		4	/* handoff_table_copy + bytes */
#define HANDOFF_TYPE_ACPI_RSDP		5	/* handoff_acpi_rsdp + bytes */
#define HANDOFF_TYPE_SMBIOS		6	/* handoff_smbios + entry point + table */
#define HANDOFF_TYPE_EFI_RUNTIME_MAP	7	/* array of handoff_runtime_entry */
#define HANDOFF_TYPE_DUMP_RANGES	8	/* array of handoff_dump_range */
#define HANDOFF_TYPE_VMCOREINFO		9	/* handoff_vmcoreinfo + text */
#define HANDOFF_TYPE_CPU_NOTES		10	/* ELF notes (NT_PRSTATUS ...) */
#define HANDOFF_TYPE_CMDLINE		11	/* text appended to our command line */
#define HANDOFF_TYPE_CAPSULE		12	/* a UEFI capsule file's bytes */
#define HANDOFF_TYPE_CREATOR		13	/* struct handoff_creator */
#define HANDOFF_TYPE_MEMMAP		14	/* array of handoff_memmap_entry (e820) */
#define HANDOFF_TYPE_DUMP_FILE		15	/* handoff_dump_file + extents (docs/dump-file.md) */
#define HANDOFF_TYPE_DUMP_KEY		16	/* handoff_dump_key + wrapped key (docs/encryption.md) */
#define HANDOFF_TYPE_MAX_KNOWN		16

/*
 * Array records (EFI_MEMMAP, EFI_CONFIG_TABLES, EFI_RUNTIME_MAP,
 * DUMP_RANGES, MEMMAP) start with this header; entries follow at a stride
 * of entry_size, which must be a multiple of 8 and at least the size of the
 * version 1 entry (larger entries carry fields a newer writer added; readers
 * use the first part).  The payload is exactly 8 + n * entry_size bytes.
 * For EFI_MEMMAP entry_size and entry_version are GetMemoryMap()'s
 * DescriptorSize and DescriptorVersion; other types write version 0.
 */
struct handoff_array_header {
	uint32_t entry_size;		/* 0x00 */
	uint32_t entry_version;		/* 0x04 */
};
_Static_assert(sizeof(struct handoff_array_header) == 8, "handoff_array_header");

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.10 section 7.2, GetMemoryMap()). */
struct handoff_efi_memory_descriptor {
	uint32_t type;			/* 0x00 EfiConventionalMemory = 7 ... */
	uint32_t pad;			/* 0x04 */
	uint64_t physical_start;	/* 0x08 */
	uint64_t virtual_start;		/* 0x10 */
	uint64_t number_of_pages;	/* 0x18 4 KiB pages */
	uint64_t attribute;		/* 0x20 EFI_MEMORY_* */
};
_Static_assert(sizeof(struct handoff_efi_memory_descriptor) == 40, "efi_memory_descriptor");
_Static_assert(offsetof(struct handoff_efi_memory_descriptor, physical_start) == 0x08, "phys");
_Static_assert(offsetof(struct handoff_efi_memory_descriptor, number_of_pages) == 0x18, "pages");
_Static_assert(offsetof(struct handoff_efi_memory_descriptor, attribute) == 0x20, "attr");

#define HANDOFF_EFI_MEMORY_RUNTIME	(1ull << 63)	/* EFI_MEMORY_RUNTIME */
#define HANDOFF_EFI_PAGE_SIZE		4096u

/* EFI_SYSTAB: facts about the EFI system table.  0 means "not known". */
struct handoff_efi_systab {
	uint64_t systab_addr;		/* 0x00 physical address of the table */
	uint32_t revision;		/* 0x08 Hdr.Revision, e.g. 0x00020046 = 2.70 */
	uint32_t fw_revision;		/* 0x0c FirmwareRevision */
	uint64_t runtime_services;	/* 0x10 RuntimeServices (physical) */
	uint64_t config_table_addr;	/* 0x18 ConfigurationTable */
	uint64_t config_table_count;	/* 0x20 NumberOfTableEntries */
	uint64_t fw_vendor_addr;	/* 0x28 FirmwareVendor (a CHAR16 string) */
	uint32_t platform_bits;		/* 0x30 32 or 64 (firmware word size) */
	uint32_t reserved0;		/* 0x34 write 0 */
	char fw_vendor[64];		/* 0x38 UTF-8, NUL-padded; may fill all 64 */
};
_Static_assert(sizeof(struct handoff_efi_systab) == 120, "handoff_efi_systab");
_Static_assert(offsetof(struct handoff_efi_systab, revision) == 0x08, "revision");
_Static_assert(offsetof(struct handoff_efi_systab, runtime_services) == 0x10, "runtime");
_Static_assert(offsetof(struct handoff_efi_systab, config_table_addr) == 0x18, "config");
_Static_assert(offsetof(struct handoff_efi_systab, config_table_count) == 0x20, "count");
_Static_assert(offsetof(struct handoff_efi_systab, fw_vendor_addr) == 0x28, "vendor_addr");
_Static_assert(offsetof(struct handoff_efi_systab, platform_bits) == 0x30, "platform_bits");
_Static_assert(offsetof(struct handoff_efi_systab, fw_vendor) == 0x38, "fw_vendor");

/* EFI_CONFIGURATION_TABLE (UEFI 2.10 section 4.6), 64-bit. */
struct handoff_config_table {
	uint8_t guid[16];		/* 0x00 VendorGuid, EFI_GUID byte order */
	uint64_t table;			/* 0x10 VendorTable (physical) */
};
_Static_assert(sizeof(struct handoff_config_table) == 24, "handoff_config_table");
_Static_assert(offsetof(struct handoff_config_table, table) == 0x10, "table");

/* TABLE_COPY: a table that lived in memory the dump kernel cannot trust. */
struct handoff_table_copy {
	uint8_t guid[16];		/* 0x00 config-table GUID (ESRT ...) */
	uint64_t address;		/* 0x10 where the original was; 0 unknown */
	uint64_t length;		/* 0x18 bytes that follow; = payload - 32 */
};
_Static_assert(sizeof(struct handoff_table_copy) == 32, "handoff_table_copy");
_Static_assert(offsetof(struct handoff_table_copy, address) == 0x10, "address");
_Static_assert(offsetof(struct handoff_table_copy, length) == 0x18, "length");

/* ACPI_RSDP: the RSDP's address and, when they were readable, its bytes. */
struct handoff_acpi_rsdp {
	uint64_t address;		/* 0x00 physical; 0 unknown */
	uint64_t length;		/* 0x08 bytes that follow (0, 20 or 36+) */
};
_Static_assert(sizeof(struct handoff_acpi_rsdp) == 16, "handoff_acpi_rsdp");

/* SMBIOS: entry point and structure table, each with its address. */
struct handoff_smbios {
	uint64_t entry_point_address;	/* 0x00 physical; 0 unknown */
	uint64_t entry_point_length;	/* 0x08 bytes of entry point that follow */
	uint64_t table_address;		/* 0x10 structure table; 0 unknown */
	uint64_t table_length;		/* 0x18 bytes of table after the entry point */
};
_Static_assert(sizeof(struct handoff_smbios) == 32, "handoff_smbios");
_Static_assert(offsetof(struct handoff_smbios, table_address) == 0x10, "table_address");

/* EFI_RUNTIME_MAP: one /sys/firmware/efi/runtime-map/N/ directory. */
struct handoff_runtime_entry {
	uint32_t type;			/* 0x00 EFI memory type */
	uint32_t pad;			/* 0x04 */
	uint64_t phys_addr;		/* 0x08 */
	uint64_t virt_addr;		/* 0x10 the first kernel's SetVirtualAddressMap VA */
	uint64_t num_pages;		/* 0x18 */
	uint64_t attribute;		/* 0x20 */
};
_Static_assert(sizeof(struct handoff_runtime_entry) == 40, "handoff_runtime_entry");
_Static_assert(offsetof(struct handoff_runtime_entry, virt_addr) == 0x10, "virt_addr");
_Static_assert(offsetof(struct handoff_runtime_entry, attribute) == 0x20, "attribute");

/* DUMP_RANGES: physical ranges the dump must contain. */
struct handoff_dump_range {
	uint64_t start;			/* 0x00 */
	uint64_t size;			/* 0x08 bytes */
};
_Static_assert(sizeof(struct handoff_dump_range) == 16, "handoff_dump_range");

/* MEMMAP: e820-style map (what /sys/firmware/memmap shows). */
struct handoff_memmap_entry {
	uint64_t start;			/* 0x00 */
	uint64_t size;			/* 0x08 bytes */
	uint32_t type;			/* 0x10 HANDOFF_E820_* */
	uint32_t reserved0;		/* 0x14 write 0 */
};
_Static_assert(sizeof(struct handoff_memmap_entry) == 24, "handoff_memmap_entry");
_Static_assert(offsetof(struct handoff_memmap_entry, type) == 0x10, "type");

/*
 * DUMP_FILE: a preallocated dump file on a disk of the dead system
 * (payload/dumpfile.h, docs/dump-file.md).  The head, then extent_count
 * extents { u64 start_sector; u64 sector_count } (struct dumpfile_extent)
 * at a stride of extent_size, in file order; the payload is exactly
 * head_size + extent_count * extent_size bytes.  The disk is named by what
 * the crash kernel's drivers can read back and compare: kind, serial and
 * model (NVMe Identify Controller SN/MN, virtio-blk's serial, ATA
 * IDENTIFY's serial and model; NUL-padded, may fill the field, compared
 * with trailing spaces dropped), the NVMe namespace id, the AHCI port; the
 * PCI address is a hint only (buses are renumbered).  Everything 0 or
 * empty is unknown.
 */
#define HANDOFF_DISK_OTHER		0	/* nothing the crash kernel can match */
#define HANDOFF_DISK_NVME		1
#define HANDOFF_DISK_VIRTIO_BLK		2
#define HANDOFF_DISK_AHCI		3
#define HANDOFF_DUMP_FILE_ID_LEN	64
#define HANDOFF_DUMP_FILE_PATH_LEN	128
#define HANDOFF_ATA_PORT_UNKNOWN	0xffffffffu
#define HANDOFF_PCI_VALID		1	/* pci_flags: the address below is known */

struct handoff_dump_file {
	uint32_t head_size;		/* 0x000 bytes before the first extent (328) */
	uint32_t extent_size;		/* 0x004 stride of extents: >= 16, multiple of 8 */
	uint32_t extent_count;		/* 0x008 1 .. DUMPFILE_MAX_EXTENTS */
	uint32_t disk_kind;		/* 0x00c HANDOFF_DISK_* */
	uint32_t sector_size;		/* 0x010 logical sector of the disk, 512 .. 4096 */
	uint32_t stride;		/* 0x014 marker stride, bytes */
	uint64_t disk_sectors;		/* 0x018 size of the disk; 0 unknown */
	uint64_t file_size;		/* 0x020 bytes: the extents' sum */
	uint8_t nonce[DUMPFILE_NONCE_LEN];	/* 0x028 in the file header and every marker */
	uint32_t nsid;			/* 0x038 NVMe namespace id; 0 unknown */
	uint32_t ata_port;		/* 0x03c AHCI port; HANDOFF_ATA_PORT_UNKNOWN */
	uint16_t pci_segment;		/* 0x040 PCI address of the controller (hint) */
	uint8_t pci_bus;		/* 0x042 */
	uint8_t pci_dev;		/* 0x043 */
	uint8_t pci_fn;			/* 0x044 */
	uint8_t pci_flags;		/* 0x045 HANDOFF_PCI_VALID */
	uint8_t reserved0[2];		/* 0x046 zero */
	char serial[HANDOFF_DUMP_FILE_ID_LEN];	/* 0x048 */
	char model[HANDOFF_DUMP_FILE_ID_LEN];	/* 0x088 */
	char path[HANDOFF_DUMP_FILE_PATH_LEN];	/* 0x0c8 the file as loaded (messages) */
};
_Static_assert(sizeof(struct handoff_dump_file) == 328, "handoff_dump_file");
_Static_assert(offsetof(struct handoff_dump_file, disk_sectors) == 0x18, "disk_sectors");
_Static_assert(offsetof(struct handoff_dump_file, nonce) == 0x28, "nonce");
_Static_assert(offsetof(struct handoff_dump_file, nsid) == 0x38, "nsid");
_Static_assert(offsetof(struct handoff_dump_file, pci_segment) == 0x40, "pci_segment");
_Static_assert(offsetof(struct handoff_dump_file, serial) == 0x48, "serial");
_Static_assert(offsetof(struct handoff_dump_file, model) == 0x88, "model");
_Static_assert(offsetof(struct handoff_dump_file, path) == 0xc8, "path");

/*
 * DUMP_KEY: encrypt the dump (payload/encdump.h, docs/encryption.md).
 * Written by `postmortem load --encrypt-to` always with
 * HANDOFF_RECORD_CRITICAL, so a crash kernel that does not know the type
 * refuses the whole block instead of dumping in the clear.  The head, then
 * wrapped_len bytes of the master key wrapped for the recipient's RSA key;
 * the payload is exactly HANDOFF_DUMP_KEY_HEAD + wrapped_len bytes.
 * master is the raw 32-byte master key: nothing may print it.
 */
#define HANDOFF_DUMP_KEY_VERSION	1
#define HANDOFF_DUMP_KEY_HEAD		0x70	/* bytes before wrapped[] */
#define HANDOFF_DUMP_KEY_CIPHER		1	/* AES-256-GCM (ENCDUMP_CIPHER_AES256GCM) */
#define HANDOFF_DUMP_KEY_WRAP		1	/* RSA-OAEP SHA-256 (ENCDUMP_WRAP_RSA_OAEP_SHA256) */
#define HANDOFF_DUMP_KEY_WRAPPED_MIN	256
#define HANDOFF_DUMP_KEY_WRAPPED_MAX	1024

struct handoff_dump_key {
	uint32_t version;		/* 0x00 1 */
	uint32_t cipher;		/* 0x04 1 */
	uint32_t wrap;			/* 0x08 1 */
	uint32_t wrapped_len;		/* 0x0c 256 .. 1024 */
	uint8_t master[32];		/* 0x10 the master key M (secret) */
	uint8_t key_id[32];		/* 0x30 SHA-256 of the public key's DER SubjectPublicKeyInfo */
	uint8_t load_salt[32];		/* 0x50 random, drawn at load time */
	uint8_t wrapped[HANDOFF_DUMP_KEY_WRAPPED_MAX];	/* 0x70 wrapped_len bytes on the wire */
};
_Static_assert(offsetof(struct handoff_dump_key, master) == 0x10, "master");
_Static_assert(offsetof(struct handoff_dump_key, key_id) == 0x30, "key_id");
_Static_assert(offsetof(struct handoff_dump_key, load_salt) == 0x50, "load_salt");
_Static_assert(offsetof(struct handoff_dump_key, wrapped) == HANDOFF_DUMP_KEY_HEAD, "wrapped");

/* e820 types (Linux arch/x86/include/asm/e820/types.h). */
#define HANDOFF_E820_RAM		1
#define HANDOFF_E820_RESERVED		2
#define HANDOFF_E820_ACPI		3
#define HANDOFF_E820_NVS		4
#define HANDOFF_E820_UNUSABLE		5
#define HANDOFF_E820_PMEM		7
#define HANDOFF_E820_PRAM		12
#define HANDOFF_E820_SOFT_RESERVED	0xefffffffu

/* VMCOREINFO: where the first kernel's note is, and its text if known. */
struct handoff_vmcoreinfo {
	uint64_t note_address;		/* 0x00 physical; 0 unknown */
	uint64_t note_size;		/* 0x08 bytes of the ELF note in memory */
};
_Static_assert(sizeof(struct handoff_vmcoreinfo) == 16, "handoff_vmcoreinfo");

/* CREATOR: who made the block; strings NUL-padded, may fill the field. */
struct handoff_creator {
	char host[64];			/* 0x00 host name */
	char release[64];		/* 0x40 `uname -r` */
	char tool[32];			/* 0x80 e.g. "postmortem 0.1.0" */
};
_Static_assert(sizeof(struct handoff_creator) == 160, "handoff_creator");
_Static_assert(offsetof(struct handoff_creator, release) == 0x40, "release");
_Static_assert(offsetof(struct handoff_creator, tool) == 0x80, "tool");

/* ESRT (UEFI 2.10 section 23.4): the 16-byte header, then 40-byte entries. */
struct handoff_esrt_header {
	uint32_t fw_resource_count;	/* 0x00 */
	uint32_t fw_resource_count_max;	/* 0x04 */
	uint64_t fw_resource_version;	/* 0x08 1 */
};
_Static_assert(sizeof(struct handoff_esrt_header) == 16, "handoff_esrt_header");

struct handoff_esrt_entry {
	uint8_t fw_class[16];			/* 0x00 */
	uint32_t fw_type;			/* 0x10 0 unknown 1 system 2 device 3 driver */
	uint32_t fw_version;			/* 0x14 */
	uint32_t lowest_supported_fw_version;	/* 0x18 */
	uint32_t capsule_flags;			/* 0x1c */
	uint32_t last_attempt_version;		/* 0x20 */
	uint32_t last_attempt_status;		/* 0x24 0 success */
};
_Static_assert(sizeof(struct handoff_esrt_entry) == 40, "handoff_esrt_entry");
_Static_assert(offsetof(struct handoff_esrt_entry, fw_type) == 0x10, "fw_type");
_Static_assert(offsetof(struct handoff_esrt_entry, last_attempt_status) == 0x24, "status");

#define HANDOFF_ESRT_VERSION	1
#define HANDOFF_ESRT_MAX	128	/* Linux esrt.c refuses more */

/* EFI_CAPSULE_HEADER (UEFI 2.10 section 8.5.3), at the start of CAPSULE. */
struct handoff_capsule_header {
	uint8_t capsule_guid[16];	/* 0x00 */
	uint32_t header_size;		/* 0x10 */
	uint32_t flags;			/* 0x14 */
	uint32_t capsule_image_size;	/* 0x18 */
};
_Static_assert(sizeof(struct handoff_capsule_header) == 28, "handoff_capsule_header");

/* Elf64_Nhdr: CPU_NOTES is a sequence of these, name and desc 4-aligned. */
struct handoff_note_header {
	uint32_t namesz;		/* 0x00 name bytes, NUL included */
	uint32_t descsz;		/* 0x04 */
	uint32_t type;			/* 0x08 NT_PRSTATUS = 1 */
};
_Static_assert(sizeof(struct handoff_note_header) == 12, "handoff_note_header");

/* Config-table GUIDs (EFI_GUID byte order) the tools and show name. */
#define HANDOFF_GUID_ESRT { 0x63, 0xa2, 0x22, 0xb1, 0x61, 0x36, 0x68, 0x4f, \
			    0x99, 0x29, 0x78, 0xf8, 0xb0, 0xd6, 0x21, 0x80 }

/* ------------------------------------------------------------------ writer */

struct handoff_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;			/* header + complete records */
	uint32_t count;
	uint64_t created;
};

/*
 * Start a block in buf[0..cap) (any alignment), created at unix time
 * `created`.  A cap below HANDOFF_HEADER_SIZE is remembered: every add and
 * the finish then return -ENOSPC.
 */
void handoff_writer_init(struct handoff_writer *w, void *buf, size_t cap, uint64_t created);

/*
 * Append one record with `len` payload bytes.  Returns 0, -ENOSPC (record
 * not added, block unchanged) or -EINVAL (payload NULL with len > 0).  Any
 * type and flags are accepted, so tests can write unknown records.
 */
int handoff_add(struct handoff_writer *w, uint32_t type, uint32_t flags,
		const void *payload, size_t len);

/* Typed records; each returns as handoff_add(). */
int handoff_add_efi_memmap(struct handoff_writer *w, uint32_t desc_size,
			   uint32_t desc_version, const void *descs, size_t count);
int handoff_add_efi_systab(struct handoff_writer *w, const struct handoff_efi_systab *s);
int handoff_add_config_tables(struct handoff_writer *w,
			      const struct handoff_config_table *t, size_t count);
int handoff_add_table_copy(struct handoff_writer *w, const uint8_t guid[16],
			   uint64_t address, const void *bytes, size_t len);
int handoff_add_acpi_rsdp(struct handoff_writer *w, uint64_t address,
			  const void *bytes, size_t len);
int handoff_add_smbios(struct handoff_writer *w, uint64_t ep_address,
		       const void *ep, size_t ep_len, uint64_t table_address,
		       const void *table, size_t table_len);
int handoff_add_runtime_map(struct handoff_writer *w,
			    const struct handoff_runtime_entry *e, size_t count);
int handoff_add_dump_ranges(struct handoff_writer *w,
			    const struct handoff_dump_range *r, size_t count);
int handoff_add_memmap(struct handoff_writer *w,
		       const struct handoff_memmap_entry *e, size_t count);
int handoff_add_vmcoreinfo(struct handoff_writer *w, uint64_t note_address,
			   uint64_t note_size, const char *text, size_t len);
int handoff_add_creator(struct handoff_writer *w, const struct handoff_creator *c);
/*
 * DUMP_FILE: head_size, extent_size and extent_count are set here from n;
 * the list is checked as the decoder checks it (-EINVAL when it fails).
 */
int handoff_add_dump_file(struct handoff_writer *w, const struct handoff_dump_file *head,
			  const struct dumpfile_extent *ext, size_t n);
/*
 * DUMP_KEY, flagged HANDOFF_RECORD_CRITICAL: version, cipher and wrap are
 * set here; k is checked as the decoder checks it (-EINVAL when it fails).
 */
int handoff_add_dump_key(struct handoff_writer *w, const struct handoff_dump_key *k);
/* CPU_NOTES, CMDLINE and CAPSULE are plain bytes: use handoff_add(). */

/*
 * Write the header (sizes, count, time) and the SHA-256.  *total (unless
 * NULL) gets the block's size.  Returns 0 or -ENOSPC when the buffer
 * cannot even hold the header.  May be called again after more adds.
 */
int handoff_finish(struct handoff_writer *w, size_t *total);

/* ------------------------------------------------------------------ reader */

/*
 * Digest mismatch: EKEYREJECTED where the C library has it (glibc: the
 * host tool and tests); newlib lacks it, so the kernel uses EILSEQ.  Always
 * compare with -HANDOFF_EDIGEST, never a number.
 */
#ifdef EKEYREJECTED
#define HANDOFF_EDIGEST EKEYREJECTED
#else
#define HANDOFF_EDIGEST EILSEQ
#endif

#define HANDOFF_REASON_LEN 160

/* What handoff_verify() found. */
struct handoff_status {
	char reason[HANDOFF_REASON_LEN];	/* one line, NUL-terminated */
	size_t error_offset;		/* offset the reason is about; 0 header */
	uint32_t version;		/* header fields, 0 until read */
	uint32_t record_count;
	uint64_t total_size;
	uint64_t created;
	uint32_t records_walked;	/* records whose bounds checked out */
	uint32_t unknown_records;	/* unknown non-critical records skipped */
	bool digest_checked;		/* structure was sound, digest computed */
	uint8_t digest[SHA256_LEN];	/* computed (when digest_checked) */
	uint8_t stored_digest[SHA256_LEN];	/* from the header (when read) */
};

/*
 * Check a block in buf[0..len), stopping at the first problem, in this
 * order: len >= 80; magic; version 1; header_size (>= 80, multiple of 8);
 * total_size >= header_size and <= len; each record's header and padded
 * payload inside total_size; record_count equal to the records walked; no
 * record that is both unknown and critical; then the SHA-256.
 * Returns 0 when the block can be trusted, or
 *   -EINVAL          buf NULL, len < 80, or total_size > len (truncated)
 *   -EBADMSG         bad magic, version, header_size, total_size, record
 *                    bounds or record_count
 *   -EPROTO          an unknown record marked critical
 *   -HANDOFF_EDIGEST the digest does not match
 * st (unless NULL) always gets a one-line reason with the numbers.
 */
int handoff_verify(const void *buf, size_t len, struct handoff_status *st);

/* One record, as handoff_next() found it. */
struct handoff_record {
	uint32_t type;
	uint32_t flags;
	uint64_t length;		/* payload bytes, all inside the buffer */
	size_t offset;			/* of the record header in the block */
	const uint8_t *payload;
};

/*
 * Iterate: *cursor = 0 before the first call.  Returns 0 with *rec filled
 * and *cursor advanced, -ENOENT after the last record, -EBADMSG when the
 * next record (or the header) is malformed, -EINVAL for a bad cursor.
 * Walks min(len, total_size) bytes, so a truncated block yields the records
 * that are present.  Does not check the digest: call handoff_verify().
 */
int handoff_next(const void *buf, size_t len, size_t *cursor, struct handoff_record *rec);

/* A byte range inside the block. */
struct handoff_bytes {
	const uint8_t *ptr;
	size_t len;
};

/* The shape of an array record (see struct handoff_array_header). */
struct handoff_array {
	uint32_t entry_size;
	uint32_t entry_version;
	size_t count;
};

/*
 * Decoders.  Each returns 0, -EINVAL when rec is not of its type (or an
 * index is out of range: -ERANGE), or -EBADMSG when the payload is
 * malformed; out-parameters are unchanged on error.  Fixed structs accept
 * payloads longer than version 1's (the tail is a newer writer's).
 */
int handoff_get_array(const struct handoff_record *rec, struct handoff_array *out);
int handoff_efi_memmap_at(const struct handoff_record *rec, size_t i,
			  struct handoff_efi_memory_descriptor *out);
int handoff_config_table_at(const struct handoff_record *rec, size_t i,
			    struct handoff_config_table *out);
int handoff_runtime_map_at(const struct handoff_record *rec, size_t i,
			   struct handoff_runtime_entry *out);
int handoff_dump_range_at(const struct handoff_record *rec, size_t i,
			  struct handoff_dump_range *out);
int handoff_memmap_at(const struct handoff_record *rec, size_t i,
		      struct handoff_memmap_entry *out);
int handoff_get_efi_systab(const struct handoff_record *rec, struct handoff_efi_systab *out);
int handoff_get_creator(const struct handoff_record *rec, struct handoff_creator *out);
int handoff_get_table_copy(const struct handoff_record *rec,
			   struct handoff_table_copy *hdr, struct handoff_bytes *bytes);
int handoff_get_acpi_rsdp(const struct handoff_record *rec,
			  struct handoff_acpi_rsdp *hdr, struct handoff_bytes *bytes);
int handoff_get_smbios(const struct handoff_record *rec, struct handoff_smbios *hdr,
		       struct handoff_bytes *ep, struct handoff_bytes *table);
int handoff_get_vmcoreinfo(const struct handoff_record *rec,
			   struct handoff_vmcoreinfo *hdr, struct handoff_bytes *text);
/*
 * DUMP_FILE: the head and the extents, copied into ext[0..cap) (*n of
 * them), after checking the head's sizes, the payload length, the sector
 * size and stride, and the list (payload/dumpfile.h
 * dumpfile_extents_check(): non-empty, no wrap, inside disk_sectors when
 * known, no two extents sharing a sector) and that file_size is its sum.
 * -EBADMSG with *why (when not NULL) naming the problem; -ENOSPC when cap
 * is too small.
 */
int handoff_get_dump_file(const struct handoff_record *rec, struct handoff_dump_file *head,
			  struct dumpfile_extent *ext, size_t cap, size_t *n, const char **why);
/* The list and sizes check of both: 0 or -EBADMSG with *why. */
int handoff_dump_file_judge(const struct handoff_dump_file *h,
			    const struct dumpfile_extent *ext, size_t n, const char **why);
/* "nvme", "virtio-blk", "ahci", "other"; "unknown" otherwise. */
const char *handoff_disk_kind_name(uint32_t kind);
/*
 * Is dev the disk a DUMP_FILE record names (docs/dump-file.md, "What the
 * crash kernel checks")?  Identity, from dev->ident (formats/blkdev.h): the
 * kind, then for NVMe serial, model and namespace id; for virtio-blk the
 * serial; for AHCI the serial, the model's first 16 characters (what the
 * host could read) and the port when the record knows it.  A record of
 * kind "other" or without a serial matches no disk.  Then the geometry:
 * the record's sector size, and its disk size when known.  The PCI address
 * is never compared (buses get renumbered).  0: this disk; -ENODEV: not
 * this disk; -ERANGE: this disk's identity with another geometry, *why
 * (when not NULL) says which.
 */
int handoff_dump_file_disk(const struct handoff_dump_file *h, const struct blkdev *dev,
			   const char **why);
/*
 * The record's disk for messages, into buf[0..len) (always terminated):
 * 'virtio-blk disk with serial "x"', 'NVMe disk with serial "x", model "y",
 * namespace 1', 'AHCI disk with serial "x", model "y", port 2'.
 */
void handoff_dump_file_disk_text(const struct handoff_dump_file *h, char *buf, size_t len);
/*
 * DUMP_KEY: the head and wrapped key into *out, after checking the payload
 * length (HANDOFF_DUMP_KEY_HEAD + wrapped_len exactly), version 1, cipher 1,
 * wrap 1, wrapped_len 256..1024 and a master key that is not all zero.
 * Returns 0, -EINVAL (not a DUMP_KEY record), or -EBADMSG with *why (when
 * not NULL) naming the problem; *out is unchanged on error.  A crash
 * kernel that finds a DUMP_KEY record it cannot use must not dump in the
 * clear.
 */
int handoff_get_dump_key(const struct handoff_record *rec, struct handoff_dump_key *out,
			 const char **why);
/* The field checks of both (not the payload length): 0 or -EBADMSG with *why. */
int handoff_dump_key_judge(const struct handoff_dump_key *k, const char **why);
/* CMDLINE, CPU_NOTES, CAPSULE: the payload (CMDLINE stops at a NUL). */
int handoff_get_bytes(const struct handoff_record *rec, uint32_t type,
		      struct handoff_bytes *out);
/* CAPSULE: its EFI_CAPSULE_HEADER; -EBADMSG when shorter than 28 bytes. */
int handoff_get_capsule_header(const struct handoff_record *rec,
			       struct handoff_capsule_header *out);

/*
 * ESRT bytes (a TABLE_COPY of the ESRT GUID): the header, and *count entries
 * that fit; -EBADMSG when shorter than 16 bytes or fw_resource_count entries
 * do not fit.  Entry i is copied out by handoff_esrt_entry_at().
 */
int handoff_esrt_header(const struct handoff_bytes *esrt,
			struct handoff_esrt_header *out, size_t *count);
int handoff_esrt_entry_at(const struct handoff_bytes *esrt, size_t i,
			  struct handoff_esrt_entry *out);

/* One ELF note of CPU_NOTES; name and desc lie inside the notes. */
struct handoff_note {
	uint32_t type;
	struct handoff_bytes name;	/* namesz bytes (NUL included when present) */
	struct handoff_bytes desc;
};

/* Iterate notes like handoff_next(): 0, -ENOENT at the end, -EBADMSG. */
int handoff_note_next(const struct handoff_bytes *notes, size_t *cursor,
		      struct handoff_note *out);

/* ------------------------------------------------------------------ names */

/* "EFI_MEMMAP" ... for known types, "unknown" otherwise. */
const char *handoff_type_name(uint32_t type);
/* True for the record types this reader decodes (1..HANDOFF_TYPE_MAX_KNOWN). */
bool handoff_type_known(uint32_t type);
/* EFI memory types 0..15 as "conventional", "boot-data" ...; NULL otherwise. */
const char *handoff_efi_type_name(uint32_t type);
/* e820 types as "ram", "reserved", "acpi" ...; NULL otherwise. */
const char *handoff_e820_type_name(uint32_t type);
/* Known config-table GUIDs as "acpi20", "smbios3", "esrt" ...; NULL otherwise. */
const char *handoff_guid_name(const uint8_t guid[16]);
/* The GUID of such a name (len bytes at name); -ENOENT when unknown. */
int handoff_guid_by_name(const char *name, size_t len, uint8_t out[16]);
/* "b122a263-3661-4f68-9929-78f8b0d62180" (lower case) into out[37]. */
void handoff_guid_format(const uint8_t guid[16], char out[37]);
/* Parse that form (either case) from s[0..len); -EINVAL if malformed. */
int handoff_guid_parse(const char *s, size_t len, uint8_t out[16]);

#endif
