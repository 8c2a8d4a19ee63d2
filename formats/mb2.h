/*
 * Multiboot2: the boot information (MBI) reader and the constants the image
 * header in boot/ needs.
 *
 * Interface: mb2_parse() walks the MBI a multiboot2 loader (GRUB) leaves at
 * EBX and fills a struct mb2_info that the caller provides.  It is pure: no
 * globals, no I/O, no allocation, so it builds unchanged into the kernel
 * (freestanding, newlib headers), tools/ and the host tests.  It checks the
 * MBI's own structure, so that every byte it reports lies inside both
 * total_size and the caller's len, but not the physical addresses the MBI
 * names (modules, framebuffer, EFI system table, memory maps): those are the
 * caller's to range-check against memory it owns.  The pointers in struct
 * mb2_info point into the MBI, which must outlive the struct.  The MBI is
 * read with memcpy into aligned locals, so any alignment of `mbi` works.
 *
 * Boot information layout (Multiboot2 specification 1.0, section 3.6;
 * GRUB include/multiboot2.h), little-endian:
 *
 *   +0   u32 total_size     bytes from +0 to the end of the end tag
 *   +4   u32 reserved
 *   +8   tag  { u32 type; u32 size; payload }   size counts the 8-byte head
 *        tag  at the previous tag's offset + size rounded up to 8
 *        ...
 *        end  { type 0; size 8 }
 *
 * Constants shared with NASM: NASM cannot read this file, so boot/ %defines
 * the same header magic, header tag numbers and header tag sizes, each next
 * to a comment naming the MB2_ constant here or the _Static_assert below
 * that pins the size.
 */
#ifndef FORMATS_MB2_H
#define FORMATS_MB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ image header */

#define MB2_HEADER_MAGIC		0xE85250D6u	/* at a multiple of 8 */
#define MB2_BOOTLOADER_MAGIC		0x36D76289u	/* in EAX at entry */
#define MB2_HEADER_SEARCH		32768		/* header within this */
#define MB2_HEADER_ALIGN		8
#define MB2_ARCHITECTURE_I386		0
/* magic + architecture + header_length + checksum == 0 (mod 2^32) */
#define MB2_HEADER_CHECKSUM(arch, len) \
	((uint32_t)(0u - (MB2_HEADER_MAGIC + (uint32_t)(arch) + (uint32_t)(len))))

/* Header tag types (spec 3.1.3 onwards) and flags. */
#define MB2_HEADER_TAG_END			0
#define MB2_HEADER_TAG_INFORMATION_REQUEST	1
#define MB2_HEADER_TAG_ADDRESS			2
#define MB2_HEADER_TAG_ENTRY_ADDRESS		3
#define MB2_HEADER_TAG_CONSOLE_FLAGS		4
#define MB2_HEADER_TAG_FRAMEBUFFER		5
#define MB2_HEADER_TAG_MODULE_ALIGN		6
#define MB2_HEADER_TAG_EFI_BS			7
#define MB2_HEADER_TAG_ENTRY_ADDRESS_EFI32	8
#define MB2_HEADER_TAG_ENTRY_ADDRESS_EFI64	9
#define MB2_HEADER_TAG_RELOCATABLE		10
#define MB2_HEADER_TAG_OPTIONAL			1	/* flags bit 0 */
#define MB2_LOAD_PREFERENCE_NONE		0	/* relocatable tag */
#define MB2_LOAD_PREFERENCE_LOW			1
#define MB2_LOAD_PREFERENCE_HIGH		2

/* The image header (spec 3.1.1), then header tags (spec 3.1.3). */
struct mb2_header {
	uint32_t magic;			/* 0x00 */
	uint32_t architecture;		/* 0x04 */
	uint32_t header_length;		/* 0x08 */
	uint32_t checksum;		/* 0x0c */
};
_Static_assert(sizeof(struct mb2_header) == 16, "mb2_header");

struct mb2_header_tag {
	uint16_t type;			/* 0x00 */
	uint16_t flags;			/* 0x02 */
	uint32_t size;			/* 0x04 */
};
_Static_assert(sizeof(struct mb2_header_tag) == 8, "mb2_header_tag");

/* ENTRY_ADDRESS, ENTRY_ADDRESS_EFI32 and ENTRY_ADDRESS_EFI64 share it. */
struct mb2_header_tag_entry_address {
	uint16_t type;			/* 0x00 */
	uint16_t flags;			/* 0x02 */
	uint32_t size;			/* 0x04 */
	uint32_t entry_addr;		/* 0x08 */
};
_Static_assert(sizeof(struct mb2_header_tag_entry_address) == 12, "entry_address");

struct mb2_header_tag_framebuffer {
	uint16_t type;			/* 0x00 */
	uint16_t flags;			/* 0x02 */
	uint32_t size;			/* 0x04 */
	uint32_t width;			/* 0x08 */
	uint32_t height;		/* 0x0c */
	uint32_t depth;			/* 0x10 */
};
_Static_assert(sizeof(struct mb2_header_tag_framebuffer) == 20, "hdr framebuffer");

struct mb2_header_tag_relocatable {
	uint16_t type;			/* 0x00 */
	uint16_t flags;			/* 0x02 */
	uint32_t size;			/* 0x04 */
	uint32_t min_addr;		/* 0x08 */
	uint32_t max_addr;		/* 0x0c */
	uint32_t align;			/* 0x10 */
	uint32_t preference;		/* 0x14 */
};
_Static_assert(sizeof(struct mb2_header_tag_relocatable) == 24, "relocatable");
_Static_assert(offsetof(struct mb2_header_tag_relocatable, preference) == 0x14, "pref");

/* ------------------------------------------------------- boot information */

#define MB2_TAG_ALIGN			8
#define MB2_TAG_END			0
#define MB2_TAG_CMDLINE			1
#define MB2_TAG_BOOT_LOADER_NAME	2
#define MB2_TAG_MODULE			3
#define MB2_TAG_BASIC_MEMINFO		4
#define MB2_TAG_BOOTDEV			5
#define MB2_TAG_MMAP			6
#define MB2_TAG_VBE			7
#define MB2_TAG_FRAMEBUFFER		8
#define MB2_TAG_ELF_SECTIONS		9
#define MB2_TAG_APM			10
#define MB2_TAG_EFI32			11
#define MB2_TAG_EFI64			12
#define MB2_TAG_SMBIOS			13
#define MB2_TAG_ACPI_OLD		14
#define MB2_TAG_ACPI_NEW		15
#define MB2_TAG_NETWORK			16
#define MB2_TAG_EFI_MMAP		17
#define MB2_TAG_EFI_BS			18
#define MB2_TAG_EFI32_IH		19
#define MB2_TAG_EFI64_IH		20
#define MB2_TAG_LOAD_BASE_ADDR		21

/* Memory map entry types (spec 3.6.8) and framebuffer types (3.6.12). */
#define MB2_MEMORY_AVAILABLE		1
#define MB2_MEMORY_RESERVED		2
#define MB2_MEMORY_ACPI_RECLAIMABLE	3
#define MB2_MEMORY_NVS			4
#define MB2_MEMORY_BADRAM		5
#define MB2_FRAMEBUFFER_TYPE_INDEXED	0
#define MB2_FRAMEBUFFER_TYPE_RGB	1
#define MB2_FRAMEBUFFER_TYPE_EGA_TEXT	2

/* Smallest EFI_MEMORY_DESCRIPTOR (UEFI 2.10 section 7.2, GetMemoryMap). */
#define MB2_EFI_DESC_MIN		40

/* Wire structs of the boot information, as GRUB writes them. */
struct mb2_info_header {
	uint32_t total_size;		/* 0x00 */
	uint32_t reserved;		/* 0x04 */
};
_Static_assert(sizeof(struct mb2_info_header) == 8, "mb2_info_header");

struct mb2_tag {
	uint32_t type;			/* 0x00 */
	uint32_t size;			/* 0x04 */
};
_Static_assert(sizeof(struct mb2_tag) == 8, "mb2_tag");

struct mb2_tag_module {
	uint32_t type;			/* 0x00 */
	uint32_t size;			/* 0x04 */
	uint32_t mod_start;		/* 0x08 */
	uint32_t mod_end;		/* 0x0c, then the module's string */
};
_Static_assert(sizeof(struct mb2_tag_module) == 16, "mb2_tag_module");

struct mb2_tag_basic_meminfo {
	uint32_t type;			/* 0x00 */
	uint32_t size;			/* 0x04 */
	uint32_t mem_lower;		/* 0x08, KiB below 1 MiB */
	uint32_t mem_upper;		/* 0x0c, KiB from 1 MiB to the first hole */
};
_Static_assert(sizeof(struct mb2_tag_basic_meminfo) == 16, "basic_meminfo");

struct mb2_tag_mmap {
	uint32_t type;			/* 0x00 */
	uint32_t size;			/* 0x04 */
	uint32_t entry_size;		/* 0x08, stride of the entries */
	uint32_t entry_version;		/* 0x0c, then the entries */
};
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "mb2_tag_mmap");

struct mb2_tag_mmap_entry {
	uint64_t addr;			/* 0x00 */
	uint64_t len;			/* 0x08 */
	uint32_t type;			/* 0x10 */
	uint32_t zero;			/* 0x14 */
};
_Static_assert(sizeof(struct mb2_tag_mmap_entry) == 24, "mb2_tag_mmap_entry");
_Static_assert(offsetof(struct mb2_tag_mmap_entry, type) == 0x10, "type");

/*
 * Spec trap: the specification's text gives `u8 reserved` after
 * framebuffer_type, which would put color_info at 0x1f, but GRUB (the
 * reference loader) writes `u16 reserved`, so color_info starts at 0x20.
 * Every loader in use follows GRUB; so do we.
 */
struct mb2_tag_framebuffer {
	uint32_t type;			/* 0x00 */
	uint32_t size;			/* 0x04 */
	uint64_t framebuffer_addr;	/* 0x08 */
	uint32_t framebuffer_pitch;	/* 0x10 */
	uint32_t framebuffer_width;	/* 0x14 */
	uint32_t framebuffer_height;	/* 0x18 */
	uint8_t framebuffer_bpp;	/* 0x1c */
	uint8_t framebuffer_type;	/* 0x1d */
	uint16_t reserved;		/* 0x1e, then color_info */
};
_Static_assert(sizeof(struct mb2_tag_framebuffer) == 32, "mb2_tag_framebuffer");
_Static_assert(offsetof(struct mb2_tag_framebuffer, framebuffer_bpp) == 0x1c, "bpp");

/* color_info for framebuffer_type RGB, at offset 0x20 of the tag. */
struct mb2_framebuffer_rgb {
	uint8_t framebuffer_red_field_position;		/* 0x00 */
	uint8_t framebuffer_red_mask_size;		/* 0x01 */
	uint8_t framebuffer_green_field_position;	/* 0x02 */
	uint8_t framebuffer_green_mask_size;		/* 0x03 */
	uint8_t framebuffer_blue_field_position;	/* 0x04 */
	uint8_t framebuffer_blue_mask_size;		/* 0x05 */
};
_Static_assert(sizeof(struct mb2_framebuffer_rgb) == 6, "mb2_framebuffer_rgb");

/* EFI64 (12) and EFI64_IH (20): a 64-bit pointer. */
struct mb2_tag_efi64 {
	uint32_t type;			/* 0x00 */
	uint32_t size;			/* 0x04 */
	uint64_t pointer;		/* 0x08 */
};
_Static_assert(sizeof(struct mb2_tag_efi64) == 16, "mb2_tag_efi64");

struct mb2_tag_smbios {
	uint32_t type;			/* 0x00 */
	uint32_t size;			/* 0x04 */
	uint8_t major;			/* 0x08 */
	uint8_t minor;			/* 0x09 */
	uint8_t reserved[6];		/* 0x0a, then the tables */
};
_Static_assert(sizeof(struct mb2_tag_smbios) == 16, "mb2_tag_smbios");

struct mb2_tag_efi_mmap {
	uint32_t type;			/* 0x00 */
	uint32_t size;			/* 0x04 */
	uint32_t descr_size;		/* 0x08 */
	uint32_t descr_vers;		/* 0x0c, then the descriptors */
};
_Static_assert(sizeof(struct mb2_tag_efi_mmap) == 16, "mb2_tag_efi_mmap");

struct mb2_tag_load_base_addr {
	uint32_t type;			/* 0x00 */
	uint32_t size;			/* 0x04 */
	uint32_t load_base_addr;	/* 0x08 */
};
_Static_assert(sizeof(struct mb2_tag_load_base_addr) == 12, "load_base_addr");

/* ------------------------------------------------------------ parsed view */

#define MB2_MAX_MODULES	16
#define MB2_MAX_MMAP	256

/*
 * A string inside a tag.  ptr is NULL when the tag holds no bytes for it.
 * terminated is true when a NUL lies inside the tag at ptr[len], so ptr is a
 * C string; otherwise only ptr[0..len) may be read.
 */
struct mb2_string {
	const char *ptr;
	size_t len;
	bool terminated;
};

struct mb2_module {
	uint32_t mod_start;		/* physical; not checked here */
	uint32_t mod_end;
	struct mb2_string string;
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;			/* MB2_MEMORY_* */
};

struct mb2_framebuffer {
	uint64_t addr;
	uint32_t pitch;
	uint32_t width;
	uint32_t height;
	uint8_t bpp;
	uint8_t type;			/* MB2_FRAMEBUFFER_TYPE_* */
	/* Valid when type is MB2_FRAMEBUFFER_TYPE_RGB. */
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
};

/*
 * What mb2_parse() found.  tags_seen has bit n set when a tag of type n < 32
 * was decoded (use mb2_has()); a field is meaningful only when its tag's bit
 * is set, and zero otherwise.  Tags that may appear once keep the first
 * copy; later copies are checked, then counted in duplicate_count.
 */
struct mb2_info {
	uint32_t total_size;
	uint32_t tags_seen;
	uint32_t tag_count;		/* tags decoded or skipped, end excluded */
	uint32_t unknown_count;		/* tags of a type not decoded below */
	uint32_t duplicate_count;
	size_t error_offset;		/* offset of the bad tag; 0 for the header */

	struct mb2_string cmdline;		/* MB2_TAG_CMDLINE */
	struct mb2_string boot_loader_name;	/* MB2_TAG_BOOT_LOADER_NAME */

	struct mb2_module modules[MB2_MAX_MODULES];	/* MB2_TAG_MODULE */
	size_t module_count;
	bool modules_truncated;

	uint32_t mem_lower;		/* MB2_TAG_BASIC_MEMINFO, KiB */
	uint32_t mem_upper;

	uint32_t mmap_entry_size;	/* MB2_TAG_MMAP */
	uint32_t mmap_entry_version;
	struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
	size_t mmap_count;
	bool mmap_truncated;

	struct mb2_framebuffer fb;	/* MB2_TAG_FRAMEBUFFER */

	uint64_t efi64_systab;		/* MB2_TAG_EFI64 */
	uint64_t efi64_image_handle;	/* MB2_TAG_EFI64_IH */

	const void *rsdp_old;		/* MB2_TAG_ACPI_OLD: RSDP 1.0 copy */
	size_t rsdp_old_len;
	const void *rsdp_new;		/* MB2_TAG_ACPI_NEW: RSDP 2.0+ copy */
	size_t rsdp_new_len;

	uint8_t smbios_major;		/* MB2_TAG_SMBIOS */
	uint8_t smbios_minor;
	const void *smbios_tables;
	size_t smbios_tables_len;

	uint32_t efi_descr_size;	/* MB2_TAG_EFI_MMAP */
	uint32_t efi_descr_vers;
	const void *efi_mmap;		/* whole descriptors only */
	size_t efi_mmap_len;

	bool efi_bs_not_terminated;	/* MB2_TAG_EFI_BS */
	uint32_t load_base_addr;	/* MB2_TAG_LOAD_BASE_ADDR */
};

/*
 * Parse the boot information at mbi, of which len bytes are readable.
 * Returns 0 when the walk reached a well-formed end tag; -EINVAL when mbi or
 * out is NULL, len < 8, or total_size is < 8 or > len; -EBADMSG when a tag is
 * shorter than 8 bytes or than its type's fixed part, overruns total_size,
 * has an unusable stride (mmap entry_size < 24, EFI descr_size < 40 or not a
 * multiple of 8), or when no end tag {0, 8} comes before total_size.
 * On any error *out (unless NULL) holds everything decoded from the tags
 * before the bad one, which is left untouched, and out->error_offset is the
 * bad tag's offset from mbi (0 for a bad header).
 */
int mb2_parse(const void *mbi, size_t len, struct mb2_info *out);

/* True when mb2_parse() decoded a tag of this type. */
static inline bool mb2_has(const struct mb2_info *info, uint32_t type)
{
	return type < 32 && (info->tags_seen & (1u << type)) != 0;
}

#endif
