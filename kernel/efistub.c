/*
 * The EFI stub: postmortem started as a UEFI application (firmware boot
 * entry, a boot manager, shim, GRUB's chainloader, OVMF's -kernel), the
 * PE/COFF entry of build/postmortem.bzImage (boot/setup.asm,
 * boot/efistub.asm).
 *
 * Interface: boot/efistub.asm jumps here from AddressOfEntryPoint with the
 * firmware's arguments, under the Microsoft x64 calling convention:
 * efi_stub_main(ImageHandle, SystemTable).  It returns an EFI status to
 * the firmware only when it fails before ExitBootServices(); otherwise it
 * ends in pm_efi_handoff() (boot/efistub.asm), which enters the normal
 * 64-bit path (boot/entry64.asm) as boot path BOOT_EFI with a multiboot2
 * boot information block it built, the same facts GRUB's multiboot2 path
 * gives on UEFI (kernel/bootinfo.c reads both alike):
 *
 *   cmdline           the LoadOptions (UCS-2) as ASCII: QEMU -append,
 *                     a boot entry's optional data, the shell's arguments
 *                     (without the program's path, which it passes first)
 *   boot loader name  "UEFI <FirmwareVendor>"
 *   EFI64             the system table (configuration tables, runtime
 *                     services: still usable in physical mode)
 *   ACPI new/old      a copy of the RSDP from the configuration tables
 *   framebuffer       the Graphics Output Protocol's mode, when there is one
 *   EFI memory map    the last GetMemoryMap(), whose key ExitBootServices()
 *                     accepted
 *   memory map        the same in multiboot2 (e820) types, adjacent ranges
 *                     of one type joined
 *
 * It all lives in one EfiLoaderData pool allocation, which stays ours
 * after ExitBootServices().
 *
 * Runs before the image has relocated itself or zeroed .bss (entry64 does
 * both later): so no initialised pointer, no global state; the firmware
 * zeroed .bss when it loaded the image, and .bss is zeroed again after.
 * ExitBootServices() follows UEFI 2.10 section 7.4: when it fails with
 * EFI_INVALID_PARAMETER (the map changed), GetMemoryMap() is called again
 * into the same buffer (no allocation may happen in between) and the new
 * key tried, a few times.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/efi.h"
#include "formats/guid.h"
#include "formats/le.h"
#include "formats/mb2.h"
#include "kernel/boot.h"

#define EFIAPI __attribute__((ms_abi))

typedef uint64_t efi_status;
#define EFI_ERR(n)		(0x8000000000000000ull | (n))
#define EFI_SUCCESS		0
#define EFI_LOAD_ERROR		EFI_ERR(1)
#define EFI_INVALID_PARAMETER	EFI_ERR(2)
#define EFI_BUFFER_TOO_SMALL	EFI_ERR(5)

#define EBS_TRIES	8		/* ExitBootServices() attempts */
#define MAP_SLACK	16		/* descriptors more than asked for, for the pool itself */
#define CMDLINE_MAX	4096
#define FIXED_TAGS	(CMDLINE_MAX + 1024)	/* every tag but the two memory maps */

/* UEFI 2.10 4.3 EFI_SYSTEM_TABLE, 4.4 EFI_BOOT_SERVICES (the entries used). */
struct stub_table_header {
	uint64_t signature;
	uint32_t revision, header_size, crc32, reserved;
};

struct stub_text_out {
	void *reset;
	efi_status (EFIAPI *output_string)(struct stub_text_out *self, const uint16_t *s);
};

struct stub_boot_services {
	struct stub_table_header hdr;
	void *raise_tpl, *restore_tpl, *allocate_pages, *free_pages;
	efi_status (EFIAPI *get_memory_map)(uint64_t *size, void *map, uint64_t *key,
					    uint64_t *desc_size, uint32_t *desc_version);
	efi_status (EFIAPI *allocate_pool)(uint32_t type, uint64_t size, void **buf);
	efi_status (EFIAPI *free_pool)(void *buf);
	void *create_event, *set_timer, *wait_for_event, *signal_event, *close_event, *check_event;
	void *install_protocol, *reinstall_protocol, *uninstall_protocol;
	efi_status (EFIAPI *handle_protocol)(void *handle, const struct efi_guid *guid, void **iface);
	void *reserved, *register_protocol_notify, *locate_handle, *locate_device_path;
	void *install_configuration_table, *load_image, *start_image, *exit, *unload_image;
	efi_status (EFIAPI *exit_boot_services)(void *handle, uint64_t key);
	void *get_next_monotonic_count, *stall, *set_watchdog_timer;
	void *connect_controller, *disconnect_controller, *open_protocol, *close_protocol;
	void *open_protocol_information, *protocols_per_handle, *locate_handle_buffer;
	efi_status (EFIAPI *locate_protocol)(const struct efi_guid *guid, void *registration,
					     void **iface);
};
_Static_assert(offsetof(struct stub_boot_services, get_memory_map) == 56, "GetMemoryMap");
_Static_assert(offsetof(struct stub_boot_services, handle_protocol) == 152, "HandleProtocol");
_Static_assert(offsetof(struct stub_boot_services, exit_boot_services) == 232, "ExitBootServices");
_Static_assert(offsetof(struct stub_boot_services, locate_protocol) == 320, "LocateProtocol");

struct stub_config_table {
	struct efi_guid guid;
	uint64_t table;
};

struct stub_system_table {
	struct stub_table_header hdr;
	const uint16_t *firmware_vendor;
	uint32_t firmware_revision;
	void *con_in_handle, *con_in, *con_out_handle;
	struct stub_text_out *con_out;
	void *stderr_handle, *std_err, *runtime_services;
	struct stub_boot_services *boot_services;
	uint64_t nr_tables;
	struct stub_config_table *tables;
};
_Static_assert(offsetof(struct stub_system_table, con_out) == 64, "ConOut");
_Static_assert(offsetof(struct stub_system_table, boot_services) == 96, "BootServices");
_Static_assert(offsetof(struct stub_system_table, tables) == 112, "ConfigurationTable");

/* 9.1 EFI_LOADED_IMAGE_PROTOCOL */
struct stub_loaded_image {
	uint32_t revision;
	void *parent, *system_table, *device, *file_path, *reserved;
	uint32_t load_options_size;
	const void *load_options;
	uint64_t image_base, image_size;
};
_Static_assert(offsetof(struct stub_loaded_image, load_options_size) == 48, "LoadOptionsSize");
_Static_assert(offsetof(struct stub_loaded_image, image_base) == 64, "ImageBase");

/* 12.9 EFI_GRAPHICS_OUTPUT_PROTOCOL */
struct stub_gop_mode_info {
	uint32_t version, width, height, pixel_format;
	uint32_t red_mask, green_mask, blue_mask, reserved_mask;
	uint32_t pixels_per_scan_line;
};

struct stub_gop_mode {
	uint32_t max_mode, mode;
	struct stub_gop_mode_info *info;
	uint64_t info_size, fb_base, fb_size;
};

struct stub_gop {
	void *query_mode, *set_mode, *blt;
	struct stub_gop_mode *mode;
};

#define EFI_LOADED_IMAGE_GUID	EFI_GUID_INIT(0x5b1b31a1, 0x9562, 0x11d2, \
	0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b)
#define EFI_GOP_GUID		EFI_GUID_INIT(0x9042a9de, 0x23dc, 0x4a38, \
	0x96, 0xfb, 0x7a, 0xde, 0xd0, 0x80, 0x51, 0x6a)

void pm_efi_handoff(uint64_t mbi) __attribute__((noreturn));
efi_status EFIAPI efi_stub_main(void *image, struct stub_system_table *st);

static void say(struct stub_system_table *st, const char *text, efi_status status)
{
	static const char hex[] = "0123456789abcdef";
	uint16_t buf[160];
	size_t n = 0;

	if (st->con_out == NULL)
		return;
	for (const char *p = "postmortem: EFI stub: "; *p; p++)
		buf[n++] = (uint16_t)*p;
	for (; *text && n < 120; text++)
		buf[n++] = (uint16_t)*text;
	if (status != EFI_SUCCESS) {
		for (const char *p = " (status 0x"; *p; p++)
			buf[n++] = (uint16_t)*p;
		for (int shift = 60; shift >= 0; shift -= 4)
			buf[n++] = (uint16_t)hex[(status >> shift) & 0xf];
		buf[n++] = ')';
	}
	buf[n++] = '\r';
	buf[n++] = '\n';
	buf[n] = 0;
	st->con_out->output_string(st->con_out, buf);
}

/* Start a tag of type at *at; returns its payload. */
static uint8_t *tag_begin(uint8_t *mbi, size_t *at, uint32_t type)
{
	uint8_t *t = mbi + *at;

	memcpy(t, &type, 4);
	return t + 8;
}

/* End the tag begun at *at with payload bytes; *at moves to the next 8-byte boundary. */
static void tag_end(uint8_t *mbi, size_t *at, size_t payload)
{
	uint32_t size = (uint32_t)(8 + payload);

	memcpy(mbi + *at + 4, &size, 4);
	*at = (*at + size + MB2_TAG_ALIGN - 1) & ~(size_t)(MB2_TAG_ALIGN - 1);
}

static size_t ucs2_to_ascii(const uint16_t *s, size_t units, char *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; s != NULL && i < units && n + 1 < max && s[i] != 0; i++)
		out[n++] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : ' ';
	out[n] = '\0';
	return n;
}

/*
 * The command line from LoadOptions.  The UEFI Shell passes its whole
 * command line, the program's own path first (fs0:\EFI\postmortem.efi
 * console=ttyS0 ...): a first word with a backslash or ending in .efi is
 * that path and is left out.  Returns the length.
 */
static size_t cmdline_from(const uint16_t *s, size_t units, char *out, size_t max)
{
	size_t n = ucs2_to_ascii(s, units, out, max), w = 0, skip = 0;

	while (w < n && out[w] != ' ')
		w++;
	for (size_t i = 0; i < w; i++)
		if (out[i] == '\\')
			skip = w;
	if (w >= 4 && (out[w - 4] == '.') && (out[w - 3] | 0x20) == 'e' && (out[w - 2] | 0x20) == 'f' &&
	    (out[w - 1] | 0x20) == 'i')
		skip = w;
	while (skip > 0 && skip < n && out[skip] == ' ')
		skip++;
	memmove(out, out + skip, n - skip + 1);
	return n - skip;
}

static void add_rsdp(const struct stub_system_table *st, uint8_t *mbi, size_t *at)
{
	const struct efi_guid acpi20 = EFI_ACPI_20_TABLE_GUID, acpi10 = EFI_ACPI_10_TABLE_GUID;
	const uint8_t *v1 = NULL, *v2 = NULL;

	for (uint64_t i = 0; st->tables != NULL && i < st->nr_tables && i < 256; i++) {
		if (memcmp(&st->tables[i].guid, &acpi20, sizeof(acpi20)) == 0)
			v2 = (const uint8_t *)(uintptr_t)st->tables[i].table;
		else if (memcmp(&st->tables[i].guid, &acpi10, sizeof(acpi10)) == 0)
			v1 = (const uint8_t *)(uintptr_t)st->tables[i].table;
	}
	if (v2 != NULL && memcmp(v2, "RSD PTR ", 8) == 0 && v2[15] >= 2) {
		memcpy(tag_begin(mbi, at, MB2_TAG_ACPI_NEW), v2, 36);
		tag_end(mbi, at, 36);
	} else if (v1 != NULL && memcmp(v1, "RSD PTR ", 8) == 0) {
		memcpy(tag_begin(mbi, at, MB2_TAG_ACPI_OLD), v1, 20);
		tag_end(mbi, at, 20);
	}
}

/* A mask's lowest set bit and width (GOP PixelBitMask). */
static void mask_field(uint32_t mask, uint8_t *pos, uint8_t *size)
{
	*pos = *size = 0;
	if (mask == 0)
		return;
	while (!(mask & 1)) {
		mask >>= 1;
		(*pos)++;
	}
	while (mask & 1) {
		mask >>= 1;
		(*size)++;
	}
}

static void add_framebuffer(struct stub_system_table *st, uint8_t *mbi, size_t *at)
{
	const struct efi_guid gop_guid = EFI_GOP_GUID;
	struct stub_gop *gop = NULL;
	const struct stub_gop_mode_info *mi;
	uint8_t *p, pos[3], size[3];

	if (st->boot_services->locate_protocol(&gop_guid, NULL, (void **)&gop) != EFI_SUCCESS ||
	    gop == NULL || gop->mode == NULL || gop->mode->info == NULL || gop->mode->fb_base == 0)
		return;
	mi = gop->mode->info;
	if (mi->pixel_format == 0) {		/* PixelRedGreenBlueReserved8BitPerColor */
		pos[0] = 0, pos[1] = 8, pos[2] = 16;
		size[0] = size[1] = size[2] = 8;
	} else if (mi->pixel_format == 1) {	/* PixelBlueGreenRedReserved8BitPerColor */
		pos[0] = 16, pos[1] = 8, pos[2] = 0;
		size[0] = size[1] = size[2] = 8;
	} else if (mi->pixel_format == 2) {	/* PixelBitMask */
		mask_field(mi->red_mask, &pos[0], &size[0]);
		mask_field(mi->green_mask, &pos[1], &size[1]);
		mask_field(mi->blue_mask, &pos[2], &size[2]);
	} else {
		return;				/* PixelBltOnly: no framebuffer to draw on */
	}
	p = tag_begin(mbi, at, MB2_TAG_FRAMEBUFFER);
	uint64_t addr = gop->mode->fb_base;
	uint32_t pitch = mi->pixels_per_scan_line * 4, width = mi->width, height = mi->height;
	memcpy(p, &addr, 8);
	memcpy(p + 8, &pitch, 4);
	memcpy(p + 12, &width, 4);
	memcpy(p + 16, &height, 4);
	p[20] = 32;				/* bpp */
	p[21] = MB2_FRAMEBUFFER_TYPE_RGB;
	p[22] = p[23] = 0;
	for (int i = 0; i < 3; i++) {
		p[24 + 2 * i] = pos[i];
		p[25 + 2 * i] = size[i];
	}
	tag_end(mbi, at, 30);
}

static uint32_t mb2_type(uint32_t efi_type)
{
	switch (efi_type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		return MB2_MEMORY_AVAILABLE;
	case EFI_ACPI_RECLAIM_MEMORY:
		return MB2_MEMORY_ACPI_RECLAIMABLE;
	case EFI_ACPI_MEMORY_NVS:
		return MB2_MEMORY_NVS;
	case EFI_UNUSABLE_MEMORY:
		return MB2_MEMORY_BADRAM;
	}
	return MB2_MEMORY_RESERVED;
}

efi_status EFIAPI efi_stub_main(void *image, struct stub_system_table *st)
{
	const struct efi_guid li_guid = EFI_LOADED_IMAGE_GUID;
	struct stub_boot_services *bs;
	struct stub_loaded_image *li = NULL;
	uint64_t map_size = 0, key = 0, desc_size = 0, capacity, got;
	uint32_t desc_version = 0;
	uint8_t *mbi = NULL;
	size_t at = 8, efi_map_at, total;
	efi_status s;
	char *text;

	if (st == NULL || st->boot_services == NULL)
		return EFI_INVALID_PARAMETER;
	bs = st->boot_services;
	s = bs->get_memory_map(&map_size, NULL, &key, &desc_size, &desc_version);
	if (s != EFI_BUFFER_TOO_SMALL || desc_size < MB2_EFI_DESC_MIN) {
		say(st, "GetMemoryMap gave no size", s);
		return s == EFI_SUCCESS ? EFI_LOAD_ERROR : s;
	}
	/* room for the map as it grows (the pool itself, the firmware's own), twice:
	 * the EFI map, and the same in multiboot2 entries (24 bytes each) */
	capacity = map_size + MAP_SLACK * desc_size;
	total = FIXED_TAGS + 16 + capacity + 16 + (capacity / desc_size) * 24 + 8;
	s = bs->allocate_pool(EFI_LOADER_DATA, total, (void **)&mbi);
	if (s != EFI_SUCCESS || mbi == NULL) {
		say(st, "AllocatePool for the boot information failed", s);
		return s;
	}
	memset(mbi, 0, total);

	/* command line: the LoadOptions */
	if (bs->handle_protocol(image, &li_guid, (void **)&li) == EFI_SUCCESS && li != NULL) {
		text = (char *)tag_begin(mbi, &at, MB2_TAG_CMDLINE);
		tag_end(mbi, &at, cmdline_from(li->load_options, li->load_options_size / 2, text,
					       CMDLINE_MAX) + 1);
	}
	text = (char *)tag_begin(mbi, &at, MB2_TAG_BOOT_LOADER_NAME);
	memcpy(text, "UEFI ", 5);
	tag_end(mbi, &at, 5 + ucs2_to_ascii(st->firmware_vendor, 64, text + 5, 64) + 1);
	uint64_t systab = (uint64_t)(uintptr_t)st;
	memcpy(tag_begin(mbi, &at, MB2_TAG_EFI64), &systab, 8);
	tag_end(mbi, &at, 8);
	add_rsdp(st, mbi, &at);
	add_framebuffer(st, mbi, &at);
	say(st, "exiting boot services", EFI_SUCCESS);

	/* the EFI memory map tag's payload: desc_size, desc_version, descriptors */
	efi_map_at = at;
	for (int tries = 0;; tries++) {
		got = capacity;
		s = bs->get_memory_map(&got, mbi + efi_map_at + 16, &key, &desc_size, &desc_version);
		if (s != EFI_SUCCESS) {
			if (tries == 0)
				say(st, "GetMemoryMap failed", s);
			return s;	/* after a failed ExitBootServices the console may be gone */
		}
		s = bs->exit_boot_services(image, key);
		if (s == EFI_SUCCESS)
			break;
		if (s != EFI_INVALID_PARAMETER || tries + 1 == EBS_TRIES) {
			if (tries == 0)
				say(st, "ExitBootServices failed", s);
			return s;
		}
	}
	__asm__ volatile("cli");

	/* Boot services are gone: only our own memory from here on. */
	uint32_t ds = (uint32_t)desc_size;
	memcpy(tag_begin(mbi, &at, MB2_TAG_EFI_MMAP), &ds, 4);
	memcpy(mbi + at + 12, &desc_version, 4);
	tag_end(mbi, &at, 8 + got);
	uint8_t *mm = tag_begin(mbi, &at, MB2_TAG_MMAP);
	uint32_t entry_size = 24, n = 0;
	memcpy(mm, &entry_size, 4);
	for (uint64_t off = 0; off + desc_size <= got; off += desc_size) {
		const uint8_t *d = mbi + efi_map_at + 16 + off;
		uint32_t type = mb2_type(le_get32(d));
		uint64_t base = le_get64(d + 8), len = le_get64(d + 24) << 12;

		uint64_t pbase, plen;
		uint32_t ptype;

		if (n > 0) {		/* one entry for adjacent ranges of one type */
			memcpy(&pbase, mm + 8 + 24 * (n - 1), 8);
			memcpy(&plen, mm + 16 + 24 * (n - 1), 8);
			memcpy(&ptype, mm + 24 + 24 * (n - 1), 4);
			if (ptype == type && pbase + plen == base) {
				plen += len;
				memcpy(mm + 16 + 24 * (n - 1), &plen, 8);
				continue;
			}
		}
		memcpy(mm + 8 + 24 * n, &base, 8);
		memcpy(mm + 16 + 24 * n, &len, 8);
		memcpy(mm + 24 + 24 * n, &type, 4);
		n++;
	}
	tag_end(mbi, &at, 8 + 24 * (size_t)n);
	tag_begin(mbi, &at, MB2_TAG_END);
	tag_end(mbi, &at, 0);
	uint32_t size = (uint32_t)at;
	memcpy(mbi, &size, 4);
	pm_efi_handoff((uint64_t)(uintptr_t)mbi);
}
