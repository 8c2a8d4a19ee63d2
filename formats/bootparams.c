/*
 * Linux boot_params ("zero page") reader: turns the 4096-byte page a kexec
 * loader hands postmortem, and the setup_data nodes it chains, into plain
 * structs.  Interface and layout: formats/bootparams.h.
 *
 * Pure module: no globals, no I/O, no allocation; the same file builds into
 * the freestanding kernel, tools/ and the host tests.  The page is hostile
 * input: counts are clamped to the table that holds them, payload lengths
 * are checked against the bytes the caller can read, and every field is
 * copied with memcpy into an aligned local (BOOTPARAMS_READ) before use, as
 * the page itself is packed and may sit at any address.
 *
 * Trap: boot_params has no length or version of its own.  Which setup-header
 * fields exist depends on the header's protocol version, which is the
 * kernel image's (the loader copies the header out of the bzImage and fills
 * in the fields that version defines), so fields newer than it are ignored.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/bootparams.h"

/* memcpy into wire structs reads little-endian fields as the host's. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

/* Copy zero-page field `field` into `dst`, whose size must match it. */
#define BOOTPARAMS_READ(bp, field, dst) do { \
	_Static_assert(sizeof(dst) == \
		       sizeof(((struct bootparams_zeropage *)0)->field), #field); \
	memcpy(&(dst), (const uint8_t *)(bp) + \
	       offsetof(struct bootparams_zeropage, field), sizeof(dst)); \
} while (0)

/* Boot protocol versions that introduced the fields read below (boot.rst). */
#define BOOTPARAMS_V_CMD_LINE_PTR	0x0202
#define BOOTPARAMS_V_KERNEL_ALIGNMENT	0x0205
#define BOOTPARAMS_V_CMDLINE_SIZE	0x0206
#define BOOTPARAMS_V_SETUP_DATA		0x0209
#define BOOTPARAMS_V_PREF_ADDRESS	0x020a
#define BOOTPARAMS_V_XLOADFLAGS		0x020c

static uint64_t bootparams_u64(uint32_t lo, uint32_t hi)
{
	return (uint64_t)hi << 32 | lo;
}

/* The setup header at 0x1f1, whose "HdrS" the caller has checked. */
static void bootparams_read_header(const void *bp, bool sentinel,
				   struct bootparams_info *out)
{
	struct bootparams_setup_header h;
	uint32_t ext_image = 0, ext_size = 0, ext_cmd = 0;

	BOOTPARAMS_READ(bp, hdr, h);
	if (!sentinel) {
		BOOTPARAMS_READ(bp, ext_ramdisk_image, ext_image);
		BOOTPARAMS_READ(bp, ext_ramdisk_size, ext_size);
		BOOTPARAMS_READ(bp, ext_cmd_line_ptr, ext_cmd);
	}
	out->has_header = true;
	out->version = h.version;
	out->type_of_loader = h.type_of_loader;
	out->loadflags = h.loadflags;
	out->ramdisk_image = bootparams_u64(h.ramdisk_image, ext_image);
	out->ramdisk_size = bootparams_u64(h.ramdisk_size, ext_size);
	if (h.version >= BOOTPARAMS_V_CMD_LINE_PTR)
		out->cmd_line_ptr = bootparams_u64(h.cmd_line_ptr, ext_cmd);
	if (h.version >= BOOTPARAMS_V_KERNEL_ALIGNMENT)
		out->kernel_alignment = h.kernel_alignment;
	out->cmdline_size = h.version >= BOOTPARAMS_V_CMDLINE_SIZE ?
			    h.cmdline_size : BOOTPARAMS_CMDLINE_SIZE_OLD;
	if (h.version >= BOOTPARAMS_V_SETUP_DATA)
		out->setup_data = h.setup_data;
	if (h.version >= BOOTPARAMS_V_PREF_ADDRESS) {
		out->pref_address = h.pref_address;
		out->init_size = h.init_size;
	}
	if (h.version >= BOOTPARAMS_V_XLOADFLAGS)
		out->xloadflags = h.xloadflags;
}

/* e820_table[e820_entries], clamped to the 128 slots the page has. */
static void bootparams_read_e820(const void *bp, struct bootparams_info *out)
{
	const uint8_t *table = (const uint8_t *)bp +
			       offsetof(struct bootparams_zeropage, e820_table);
	struct bootparams_e820_entry e;
	uint8_t entries;
	size_t n, i;

	BOOTPARAMS_READ(bp, e820_entries, entries);
	n = entries;
	if (n > BOOTPARAMS_E820_MAX) {
		n = BOOTPARAMS_E820_MAX;
		out->e820_clamped = true;
	}
	for (i = 0; i < n; i++) {
		memcpy(&e, table + i * sizeof(e), sizeof(e));
		out->e820[i].addr = e.addr;
		out->e820[i].size = e.size;
		out->e820[i].type = e.type;
	}
	out->e820_count = n;
}

/* efi_info at 0x1c0; the _hi halves only count for a 64-bit loader. */
static void bootparams_read_efi(const void *bp, struct bootparams_info *out)
{
	struct bootparams_efi_info e;
	uint32_t systab_hi = 0, memmap_hi = 0;

	BOOTPARAMS_READ(bp, efi_info, e);
	if (e.efi_loader_signature == BOOTPARAMS_EFI64_SIGNATURE) {
		out->efi_64bit = true;
		systab_hi = e.efi_systab_hi;
		memmap_hi = e.efi_memmap_hi;
	} else if (e.efi_loader_signature != BOOTPARAMS_EFI32_SIGNATURE) {
		return;
	}
	out->efi_present = true;
	out->efi_loader_signature = e.efi_loader_signature;
	out->efi_systab = bootparams_u64(e.efi_systab, systab_hi);
	out->efi_memdesc_size = e.efi_memdesc_size;
	out->efi_memdesc_version = e.efi_memdesc_version;
	out->efi_memmap = bootparams_u64(e.efi_memmap, memmap_hi);
	out->efi_memmap_size = e.efi_memmap_size;
}

/* screen_info at 0x000; the framebuffer fields only for VESA or EFI. */
static void bootparams_read_screen(const void *bp, struct bootparams_info *out)
{
	struct bootparams_screen_info si;
	uint32_t hi = 0;

	BOOTPARAMS_READ(bp, screen_info, si);
	out->video_type = si.orig_video_isVGA;
	if (si.orig_video_isVGA != BOOTPARAMS_VIDEO_TYPE_VLFB &&
	    si.orig_video_isVGA != BOOTPARAMS_VIDEO_TYPE_EFI)
		return;
	if (si.capabilities & BOOTPARAMS_VIDEO_CAPABILITY_64BIT_BASE)
		hi = si.ext_lfb_base;
	out->has_lfb = true;
	out->video_capabilities = si.capabilities;
	out->lfb_width = si.lfb_width;
	out->lfb_height = si.lfb_height;
	out->lfb_depth = si.lfb_depth;
	out->lfb_linelength = si.lfb_linelength;
	out->lfb_base = bootparams_u64(si.lfb_base, hi);
	out->lfb_size = si.lfb_size;
	out->red_size = si.red_size;
	out->red_pos = si.red_pos;
	out->green_size = si.green_size;
	out->green_pos = si.green_pos;
	out->blue_size = si.blue_size;
	out->blue_pos = si.blue_pos;
}

int bootparams_parse(const void *bp, size_t len, struct bootparams_info *out)
{
	uint32_t magic;
	uint8_t sent;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (bp == NULL || len < BOOTPARAMS_SIZE)
		return -EINVAL;
	BOOTPARAMS_READ(bp, sentinel, sent);
	out->sentinel = sent != 0;
	if (!out->sentinel)
		BOOTPARAMS_READ(bp, acpi_rsdp_addr, out->acpi_rsdp_addr);
	bootparams_read_e820(bp, out);
	bootparams_read_efi(bp, out);
	bootparams_read_screen(bp, out);
	BOOTPARAMS_READ(bp, hdr.header, magic);
	if (magic != BOOTPARAMS_HDRS)
		return -EBADMSG;
	bootparams_read_header(bp, out->sentinel, out);
	return 0;
}

int bootparams_setup_data(const void *node, size_t len,
			  struct bootparams_setup_data *out)
{
	struct bootparams_setup_data_hdr h;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (node == NULL || len < sizeof(h))
		return -EINVAL;
	memcpy(&h, node, sizeof(h));
	out->next = h.next;
	out->type = h.type;
	out->len = h.len;
	if (h.len > len - sizeof(h))
		return -EBADMSG;
	out->data = (const uint8_t *)node + sizeof(h);
	return 0;
}

int bootparams_e820_ext(const void *data, size_t len,
			struct bootparams_e820 *entries, size_t max, size_t *count)
{
	struct bootparams_e820_entry e;
	size_t n, i;

	if (count == NULL)
		return -EINVAL;
	*count = 0;
	if ((data == NULL && len != 0) || (entries == NULL && max != 0))
		return -EINVAL;
	if (len % sizeof(e) != 0)
		return -EBADMSG;
	n = len / sizeof(e);
	for (i = 0; i < n && i < max; i++) {
		memcpy(&e, (const uint8_t *)data + i * sizeof(e), sizeof(e));
		entries[i].addr = e.addr;
		entries[i].size = e.size;
		entries[i].type = e.type;
	}
	*count = i;
	return n > max ? -ENOSPC : 0;
}

int bootparams_efi_setup(const void *data, size_t len,
			 struct bootparams_efi_setup *out)
{
	struct bootparams_efi_setup_data sd;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (data == NULL)
		return -EINVAL;
	if (len < BOOTPARAMS_EFI_SETUP_MIN)
		return -EBADMSG;
	memcpy(&sd, data, BOOTPARAMS_EFI_SETUP_MIN);
	out->fw_vendor = sd.fw_vendor;
	out->runtime = sd.runtime;
	out->tables = sd.tables;
	out->smbios = sd.smbios;
	return 0;
}

/* Names as Linux's e820 printout uses them, so logs can be compared. */
const char *bootparams_e820_type_name(uint32_t type)
{
	switch (type) {
	case BOOTPARAMS_E820_RAM:
		return "usable";
	case BOOTPARAMS_E820_RESERVED:
		return "reserved";
	case BOOTPARAMS_E820_ACPI:
		return "ACPI data";
	case BOOTPARAMS_E820_NVS:
		return "ACPI NVS";
	case BOOTPARAMS_E820_UNUSABLE:
		return "unusable";
	case BOOTPARAMS_E820_PMEM:
		return "persistent (type 7)";
	case BOOTPARAMS_E820_PRAM:
		return "persistent (type 12)";
	case BOOTPARAMS_E820_SOFT_RESERVED:
		return "soft reserved";
	default:
		return "unknown";
	}
}
