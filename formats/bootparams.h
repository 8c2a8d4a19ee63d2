/*
 * Linux x86 boot_params ("zero page") reader, for the bzImage entry path:
 * kexec (kexec-tools and kexec_file_load) hands postmortem a boot_params in
 * RSI, with the e820 map, the command line and initrd pointers, EFI handles
 * and a setup_data chain.
 *
 * Interface: bootparams_parse() reads the 4096-byte page into a struct
 * bootparams_info the caller provides.  setup_data nodes live elsewhere in
 * memory, so the caller walks the chain itself and hands each node to
 * bootparams_setup_data(), then the payloads it cares about to
 * bootparams_e820_ext() and bootparams_efi_setup().  All are pure: no
 * globals, no I/O, no allocation; they build unchanged into the kernel
 * (freestanding, newlib headers), tools/ and the host tests.  Buffers may
 * have any alignment; fields are copied into aligned locals before use.
 * Physical addresses found (command line, initrd, EFI tables, setup_data)
 * are reported, not checked: range-checking them is the caller's job.
 *
 * Layout (Linux Documentation/arch/x86/zero-page.rst and boot.rst,
 * arch/x86/include/uapi/asm/bootparam.h, include/uapi/linux/screen_info.h):
 *
 *   0x000  screen_info (64)        0x1e8  e820_entries (u8)
 *   0x070  acpi_rsdp_addr (u64)    0x1ef  sentinel (u8)
 *   0x0c0  ext_ramdisk_image       0x1f1  setup header ("HdrS" at 0x202)
 *   0x0c4  ext_ramdisk_size        0x2d0  e820_table[128], 20-byte entries
 *   0x0c8  ext_cmd_line_ptr        0xd00  eddbuf
 *   0x1c0  efi_info (32)           0x1000 end
 */
#ifndef FORMATS_BOOTPARAMS_H
#define FORMATS_BOOTPARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOTPARAMS_SIZE			4096
#define BOOTPARAMS_HDRS			0x53726448u	/* "HdrS" at 0x202 */
#define BOOTPARAMS_BOOT_FLAG		0xAA55
#define BOOTPARAMS_E820_MAX		128	/* E820_MAX_ENTRIES_ZEROPAGE */
#define BOOTPARAMS_CMDLINE_SIZE_OLD	255	/* cmdline_size before 2.06 */

/* loadflags (0x211) and xloadflags (0x236) bits. */
#define BOOTPARAMS_LOADED_HIGH			(1u << 0)
#define BOOTPARAMS_KASLR_FLAG			(1u << 1)
#define BOOTPARAMS_QUIET_FLAG			(1u << 5)
#define BOOTPARAMS_CAN_USE_HEAP			(1u << 7)
#define BOOTPARAMS_XLF_KERNEL_64		(1u << 0)
#define BOOTPARAMS_XLF_CAN_BE_LOADED_ABOVE_4G	(1u << 1)
#define BOOTPARAMS_XLF_EFI_HANDOVER_32		(1u << 2)
#define BOOTPARAMS_XLF_EFI_HANDOVER_64		(1u << 3)
#define BOOTPARAMS_XLF_EFI_KEXEC		(1u << 4)
#define BOOTPARAMS_XLF_5LEVEL			(1u << 5)
#define BOOTPARAMS_XLF_5LEVEL_ENABLED		(1u << 6)

/* efi_info.efi_loader_signature: "EL64" / "EL32" read as a little-endian u32. */
#define BOOTPARAMS_EFI64_SIGNATURE	0x34364C45u
#define BOOTPARAMS_EFI32_SIGNATURE	0x32334C45u

/* screen_info.orig_video_isVGA and .capabilities. */
#define BOOTPARAMS_VIDEO_TYPE_VLFB		0x23	/* VESA linear framebuffer */
#define BOOTPARAMS_VIDEO_TYPE_EFI		0x70	/* EFI GOP framebuffer */
#define BOOTPARAMS_VIDEO_CAPABILITY_SKIP_QUIRKS	(1u << 0)
#define BOOTPARAMS_VIDEO_CAPABILITY_64BIT_BASE	(1u << 1)

/* setup_data types (bootparam.h). */
#define BOOTPARAMS_SETUP_NONE			0
#define BOOTPARAMS_SETUP_E820_EXT		1
#define BOOTPARAMS_SETUP_DTB			2
#define BOOTPARAMS_SETUP_PCI			3
#define BOOTPARAMS_SETUP_EFI			4
#define BOOTPARAMS_SETUP_APPLE_PROPERTIES	5
#define BOOTPARAMS_SETUP_JAILHOUSE		6
#define BOOTPARAMS_SETUP_CC_BLOB		7
#define BOOTPARAMS_SETUP_IMA			8
#define BOOTPARAMS_SETUP_RNG_SEED		9
#define BOOTPARAMS_SETUP_INDIRECT		(1u << 31)

/* e820 types (arch/x86/include/asm/e820/types.h). */
#define BOOTPARAMS_E820_RAM		1
#define BOOTPARAMS_E820_RESERVED	2
#define BOOTPARAMS_E820_ACPI		3
#define BOOTPARAMS_E820_NVS		4
#define BOOTPARAMS_E820_UNUSABLE	5
#define BOOTPARAMS_E820_PMEM		7
#define BOOTPARAMS_E820_PRAM		12
#define BOOTPARAMS_E820_SOFT_RESERVED	0xefffffffu

/* ---------------------------------------------------------- wire structs */

struct bootparams_screen_info {
	uint8_t orig_x;			/* 0x00 */
	uint8_t orig_y;			/* 0x01 */
	uint16_t ext_mem_k;		/* 0x02 */
	uint16_t orig_video_page;	/* 0x04 */
	uint8_t orig_video_mode;	/* 0x06 */
	uint8_t orig_video_cols;	/* 0x07 */
	uint8_t flags;			/* 0x08 */
	uint8_t unused2;		/* 0x09 */
	uint16_t orig_video_ega_bx;	/* 0x0a */
	uint16_t unused3;		/* 0x0c */
	uint8_t orig_video_lines;	/* 0x0e */
	uint8_t orig_video_isVGA;	/* 0x0f */
	uint16_t orig_video_points;	/* 0x10 */
	uint16_t lfb_width;		/* 0x12 */
	uint16_t lfb_height;		/* 0x14 */
	uint16_t lfb_depth;		/* 0x16 */
	uint32_t lfb_base;		/* 0x18 */
	uint32_t lfb_size;		/* 0x1c */
	uint16_t cl_magic;		/* 0x20 */
	uint16_t cl_offset;		/* 0x22 */
	uint16_t lfb_linelength;	/* 0x24 */
	uint8_t red_size;		/* 0x26 */
	uint8_t red_pos;		/* 0x27 */
	uint8_t green_size;		/* 0x28 */
	uint8_t green_pos;		/* 0x29 */
	uint8_t blue_size;		/* 0x2a */
	uint8_t blue_pos;		/* 0x2b */
	uint8_t rsvd_size;		/* 0x2c */
	uint8_t rsvd_pos;		/* 0x2d */
	uint16_t vesapm_seg;		/* 0x2e */
	uint16_t vesapm_off;		/* 0x30 */
	uint16_t pages;			/* 0x32 */
	uint16_t vesa_attributes;	/* 0x34 */
	uint32_t capabilities;		/* 0x36, misaligned: hence packed */
	uint32_t ext_lfb_base;		/* 0x3a */
	uint8_t _reserved[2];		/* 0x3e */
} __attribute__((packed));
_Static_assert(sizeof(struct bootparams_screen_info) == 0x40, "screen_info");
_Static_assert(offsetof(struct bootparams_screen_info, orig_video_isVGA) == 0x0f, "isVGA");
_Static_assert(offsetof(struct bootparams_screen_info, lfb_width) == 0x12, "lfb_width");
_Static_assert(offsetof(struct bootparams_screen_info, lfb_height) == 0x14, "lfb_height");
_Static_assert(offsetof(struct bootparams_screen_info, lfb_depth) == 0x16, "lfb_depth");
_Static_assert(offsetof(struct bootparams_screen_info, lfb_base) == 0x18, "lfb_base");
_Static_assert(offsetof(struct bootparams_screen_info, lfb_size) == 0x1c, "lfb_size");
_Static_assert(offsetof(struct bootparams_screen_info, lfb_linelength) == 0x24, "linelength");
_Static_assert(offsetof(struct bootparams_screen_info, red_size) == 0x26, "red_size");
_Static_assert(offsetof(struct bootparams_screen_info, blue_pos) == 0x2b, "blue_pos");
_Static_assert(offsetof(struct bootparams_screen_info, capabilities) == 0x36, "capabilities");
_Static_assert(offsetof(struct bootparams_screen_info, ext_lfb_base) == 0x3a, "ext_lfb_base");

struct bootparams_efi_info {
	uint32_t efi_loader_signature;	/* 0x00 */
	uint32_t efi_systab;		/* 0x04 */
	uint32_t efi_memdesc_size;	/* 0x08 */
	uint32_t efi_memdesc_version;	/* 0x0c */
	uint32_t efi_memmap;		/* 0x10 */
	uint32_t efi_memmap_size;	/* 0x14 */
	uint32_t efi_systab_hi;		/* 0x18 */
	uint32_t efi_memmap_hi;		/* 0x1c */
};
_Static_assert(sizeof(struct bootparams_efi_info) == 32, "efi_info");

/* Setup header (boot.rst "The real-mode kernel header"), at 0x1f1. */
struct bootparams_setup_header {
	uint8_t setup_sects;		/* 0x1f1 */
	uint16_t root_flags;		/* 0x1f2 */
	uint32_t syssize;		/* 0x1f4 */
	uint16_t ram_size;		/* 0x1f8 */
	uint16_t vid_mode;		/* 0x1fa */
	uint16_t root_dev;		/* 0x1fc */
	uint16_t boot_flag;		/* 0x1fe */
	uint16_t jump;			/* 0x200 */
	uint32_t header;		/* 0x202 */
	uint16_t version;		/* 0x206 */
	uint32_t realmode_swtch;	/* 0x208 */
	uint16_t start_sys_seg;		/* 0x20c */
	uint16_t kernel_version;	/* 0x20e */
	uint8_t type_of_loader;		/* 0x210 */
	uint8_t loadflags;		/* 0x211 */
	uint16_t setup_move_size;	/* 0x212 */
	uint32_t code32_start;		/* 0x214 */
	uint32_t ramdisk_image;		/* 0x218 */
	uint32_t ramdisk_size;		/* 0x21c */
	uint32_t bootsect_kludge;	/* 0x220 */
	uint16_t heap_end_ptr;		/* 0x224 */
	uint8_t ext_loader_ver;		/* 0x226 */
	uint8_t ext_loader_type;	/* 0x227 */
	uint32_t cmd_line_ptr;		/* 0x228 */
	uint32_t initrd_addr_max;	/* 0x22c */
	uint32_t kernel_alignment;	/* 0x230 */
	uint8_t relocatable_kernel;	/* 0x234 */
	uint8_t min_alignment;		/* 0x235 */
	uint16_t xloadflags;		/* 0x236 */
	uint32_t cmdline_size;		/* 0x238 */
	uint32_t hardware_subarch;	/* 0x23c */
	uint64_t hardware_subarch_data;	/* 0x240 */
	uint32_t payload_offset;	/* 0x248 */
	uint32_t payload_length;	/* 0x24c */
	uint64_t setup_data;		/* 0x250 */
	uint64_t pref_address;		/* 0x258 */
	uint32_t init_size;		/* 0x260 */
	uint32_t handover_offset;	/* 0x264 */
	uint32_t kernel_info_offset;	/* 0x268 */
} __attribute__((packed));
_Static_assert(sizeof(struct bootparams_setup_header) == 0x26c - 0x1f1, "setup_header");

struct bootparams_e820_entry {
	uint64_t addr;			/* 0x00 */
	uint64_t size;			/* 0x08 */
	uint32_t type;			/* 0x10 */
} __attribute__((packed));
_Static_assert(sizeof(struct bootparams_e820_entry) == 20, "boot_e820_entry");

/* struct boot_params, "the zero page". */
struct bootparams_zeropage {
	struct bootparams_screen_info screen_info;	/* 0x000 */
	uint8_t apm_bios_info[0x14];			/* 0x040 */
	uint8_t _pad2[4];				/* 0x054 */
	uint64_t tboot_addr;				/* 0x058 */
	uint8_t ist_info[0x10];				/* 0x060 */
	uint64_t acpi_rsdp_addr;			/* 0x070 */
	uint8_t _pad3[8];				/* 0x078 */
	uint8_t hd0_info[16];				/* 0x080 */
	uint8_t hd1_info[16];				/* 0x090 */
	uint8_t sys_desc_table[16];			/* 0x0a0 */
	uint8_t olpc_ofw_header[16];			/* 0x0b0 */
	uint32_t ext_ramdisk_image;			/* 0x0c0 */
	uint32_t ext_ramdisk_size;			/* 0x0c4 */
	uint32_t ext_cmd_line_ptr;			/* 0x0c8 */
	uint8_t _pad4[112];				/* 0x0cc */
	uint32_t cc_blob_address;			/* 0x13c */
	uint8_t edid_info[0x80];			/* 0x140 */
	struct bootparams_efi_info efi_info;		/* 0x1c0 */
	uint32_t alt_mem_k;				/* 0x1e0 */
	uint32_t scratch;				/* 0x1e4 */
	uint8_t e820_entries;				/* 0x1e8 */
	uint8_t eddbuf_entries;				/* 0x1e9 */
	uint8_t edd_mbr_sig_buf_entries;		/* 0x1ea */
	uint8_t kbd_status;				/* 0x1eb */
	uint8_t secure_boot;				/* 0x1ec */
	uint8_t _pad5[2];				/* 0x1ed */
	uint8_t sentinel;				/* 0x1ef */
	uint8_t _pad6[1];				/* 0x1f0 */
	struct bootparams_setup_header hdr;		/* 0x1f1 */
	uint8_t _pad7[0x290 - 0x26c];			/* 0x26c */
	uint32_t edd_mbr_sig_buffer[16];		/* 0x290 */
	struct bootparams_e820_entry e820_table[BOOTPARAMS_E820_MAX]; /* 0x2d0 */
	uint8_t _pad8[48];				/* 0xcd0 */
	uint8_t eddbuf[6 * 82];				/* 0xd00 */
	uint8_t _pad9[276];				/* 0xeec */
} __attribute__((packed));
_Static_assert(sizeof(struct bootparams_zeropage) == BOOTPARAMS_SIZE, "boot_params");
_Static_assert(offsetof(struct bootparams_zeropage, acpi_rsdp_addr) == 0x070, "acpi_rsdp");
_Static_assert(offsetof(struct bootparams_zeropage, ext_ramdisk_image) == 0x0c0, "ext_rd");
_Static_assert(offsetof(struct bootparams_zeropage, ext_ramdisk_size) == 0x0c4, "ext_rds");
_Static_assert(offsetof(struct bootparams_zeropage, ext_cmd_line_ptr) == 0x0c8, "ext_cmd");
_Static_assert(offsetof(struct bootparams_zeropage, cc_blob_address) == 0x13c, "cc_blob");
_Static_assert(offsetof(struct bootparams_zeropage, efi_info) == 0x1c0, "efi_info");
_Static_assert(offsetof(struct bootparams_zeropage, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct bootparams_zeropage, secure_boot) == 0x1ec, "secure_boot");
_Static_assert(offsetof(struct bootparams_zeropage, sentinel) == 0x1ef, "sentinel");
_Static_assert(offsetof(struct bootparams_zeropage, hdr) == 0x1f1, "hdr");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.boot_flag) == 0x1fe, "boot_flag");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.header) == 0x202, "header");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.version) == 0x206, "version");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.type_of_loader) == 0x210, "loader");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.loadflags) == 0x211, "loadflags");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.ramdisk_image) == 0x218, "rd_image");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.ramdisk_size) == 0x21c, "rd_size");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.cmd_line_ptr) == 0x228, "cmd_line");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.kernel_alignment) == 0x230, "kalign");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.xloadflags) == 0x236, "xloadflags");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.cmdline_size) == 0x238, "cmdline_sz");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.setup_data) == 0x250, "setup_data");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.pref_address) == 0x258, "pref_addr");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.init_size) == 0x260, "init_size");
_Static_assert(offsetof(struct bootparams_zeropage, hdr.kernel_info_offset) == 0x268, "kinfo");
_Static_assert(offsetof(struct bootparams_zeropage, edd_mbr_sig_buffer) == 0x290, "mbr_sig");
_Static_assert(offsetof(struct bootparams_zeropage, e820_table) == 0x2d0, "e820_table");
_Static_assert(offsetof(struct bootparams_zeropage, eddbuf) == 0xd00, "eddbuf");

/* Node of the setup_data chain; `len` payload bytes follow. */
struct bootparams_setup_data_hdr {
	uint64_t next;			/* 0x00, physical; 0 ends the chain */
	uint32_t type;			/* 0x08 */
	uint32_t len;			/* 0x0c */
};
_Static_assert(sizeof(struct bootparams_setup_data_hdr) == 16, "setup_data");

/* SETUP_EFI payload (arch/x86/include/asm/efi.h struct efi_setup_data). */
struct bootparams_efi_setup_data {
	uint64_t fw_vendor;		/* 0x00 */
	uint64_t runtime;		/* 0x08, Linux now calls it __unused */
	uint64_t tables;		/* 0x10 */
	uint64_t smbios;		/* 0x18 */
	uint64_t reserved[8];		/* 0x20 */
};
_Static_assert(sizeof(struct bootparams_efi_setup_data) == 96, "efi_setup_data");
_Static_assert(offsetof(struct bootparams_efi_setup_data, smbios) == 0x18, "smbios");

/* Bytes of efi_setup_data that bootparams_efi_setup() reads. */
#define BOOTPARAMS_EFI_SETUP_MIN \
	offsetof(struct bootparams_efi_setup_data, reserved)

/* ------------------------------------------------------------ parsed view */

struct bootparams_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;			/* BOOTPARAMS_E820_* */
};

struct bootparams_info {
	/*
	 * From the setup header: all zero unless has_header.  Fields that a
	 * header version predates read as zero (cmdline_size as 255 before
	 * 2.06): cmd_line_ptr needs 2.02, kernel_alignment 2.05, setup_data
	 * 2.09, pref_address and init_size 2.10, xloadflags 2.12.  The 64-bit
	 * values combine the header's low half with the zero page's ext_ half.
	 */
	bool has_header;
	uint16_t version;		/* 0x0206 = 2.06 */
	uint8_t type_of_loader;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint64_t cmd_line_ptr;
	uint32_t cmdline_size;		/* without the NUL */
	uint64_t ramdisk_image;
	uint64_t ramdisk_size;
	uint64_t setup_data;		/* first node; 0 if none */
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;

	/*
	 * Independent of the header.  sentinel is true when byte 0x1ef is
	 * nonzero: the loader copied the image's first sector wholesale
	 * instead of starting from a zeroed page, so, as Linux's
	 * sanitize_boot_params() does, the fields it keeps no list of (the
	 * ext_ halves and acpi_rsdp_addr here) are distrusted and read as
	 * zero; e820, efi_info and screen_info are kept.
	 */
	bool sentinel;
	uint64_t acpi_rsdp_addr;

	struct bootparams_e820 e820[BOOTPARAMS_E820_MAX];
	size_t e820_count;
	bool e820_clamped;		/* e820_entries said more than 128 */

	/* efi_present when the signature is "EL64" or "EL32"; else all zero. */
	bool efi_present;
	bool efi_64bit;			/* "EL64": the _hi halves are used */
	uint32_t efi_loader_signature;
	uint64_t efi_systab;
	uint32_t efi_memdesc_size;
	uint32_t efi_memdesc_version;
	uint64_t efi_memmap;
	uint32_t efi_memmap_size;

	/* screen_info; has_lfb when video_type is VLFB or EFI. */
	uint8_t video_type;		/* orig_video_isVGA */
	bool has_lfb;
	uint16_t lfb_width;
	uint16_t lfb_height;
	uint16_t lfb_depth;		/* bits per pixel */
	uint16_t lfb_linelength;	/* bytes per line */
	uint64_t lfb_base;		/* with ext_lfb_base if 64BIT_BASE */
	uint32_t lfb_size;
	uint32_t video_capabilities;
	uint8_t red_size, red_pos;
	uint8_t green_size, green_pos;
	uint8_t blue_size, blue_pos;
};

/* One setup_data node: header fields and where its payload starts. */
struct bootparams_setup_data {
	uint64_t next;
	uint32_t type;
	uint32_t len;
	const void *data;		/* NULL unless the payload fits */
};

/* The SETUP_EFI payload fields that matter. */
struct bootparams_efi_setup {
	uint64_t fw_vendor;
	uint64_t runtime;
	uint64_t tables;
	uint64_t smbios;
};

/*
 * Read the zero page at bp (len readable bytes, any alignment) into *out.
 * Returns 0; -EINVAL if bp or out is NULL or len < 4096 (*out zeroed unless
 * NULL); -EBADMSG if "HdrS" is missing at 0x202: then has_header is false,
 * every setup-header field (including the ext_-combined ones) is zero, and
 * only e820, screen_info, efi_info, acpi_rsdp_addr and sentinel are filled.
 */
int bootparams_parse(const void *bp, size_t len, struct bootparams_info *out);

/*
 * Read one setup_data node at node (len readable bytes).  Returns 0 with
 * data pointing at the len-byte payload; -EINVAL if node or out is NULL or
 * len < 16 (*out zeroed); -EBADMSG if the payload overruns len: then next,
 * type and len are still filled (data is NULL), so a caller that mapped only
 * the header can map 16 + out->len bytes and call again.
 */
int bootparams_setup_data(const void *node, size_t len,
			  struct bootparams_setup_data *out);

/*
 * Parse a SETUP_E820_EXT payload (packed 20-byte entries) into entries[0..max).
 * Returns 0 with *count entries; -EINVAL if a pointer is NULL (data may be
 * NULL when len is 0); -EBADMSG if len is not a multiple of 20 (*count 0);
 * -ENOSPC if more than max entries: the first max are stored, *count = max.
 */
int bootparams_e820_ext(const void *data, size_t len,
			struct bootparams_e820 *entries, size_t max, size_t *count);

/*
 * Parse a SETUP_EFI payload.  Producers write all 96 bytes of struct
 * efi_setup_data; only the first 32 (BOOTPARAMS_EFI_SETUP_MIN) carry data.
 * Returns 0; -EINVAL if data or out is NULL; -EBADMSG if len < 32.  *out is
 * zeroed on error.
 */
int bootparams_efi_setup(const void *data, size_t len,
			 struct bootparams_efi_setup *out);

/* A short name for an e820 type ("usable", "ACPI NVS", ...; "unknown"). */
const char *bootparams_e820_type_name(uint32_t type);

#endif
