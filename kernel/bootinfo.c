/*
 * Normalise what the boot path handed over into struct bootinfo (see
 * bootinfo.h).  Runs after cpu_init(): everything read here is mapped first
 * with cpu_map_phys(), parsed by the bounds-checked readers (formats/mb2.c,
 * formats/bootparams.c) and copied; a problem becomes a warning line and the
 * field stays empty.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "formats/bootparams.h"
#include "formats/mb2.h"
#include "kernel/boot.h"
#include "kernel/bootinfo.h"
#include "kernel/cpu.h"

#define MB2_INFO_MAX	(1u << 20)	/* refuse a larger boot information */
#define SETUP_DATA_MAX	64		/* setup_data nodes walked at most */
#define SETUP_NODE_MAX	(1u << 20)	/* one node's payload at most */

static void warn(struct bootinfo *bi, const char *fmt, ...)
{
	va_list ap;

	if (bi->warn_count == BOOTINFO_WARN_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(bi->warnings[bi->warn_count++], BOOTINFO_WARN_LEN, fmt, ap);
	va_end(ap);
}

static void add_mem(struct bootinfo *bi, uint64_t base, uint64_t len, uint32_t type)
{
	if (bi->mem_count == BOOTINFO_MEM_MAX) {
		bi->mem_truncated = true;
		return;
	}
	bi->mem[bi->mem_count++] = (struct bootinfo_mem){ base, len, type };
}

static void add_module(struct bootinfo *bi, uint64_t base, uint64_t len, const char *name,
		       size_t name_len)
{
	struct bootinfo_module *m;

	if (bi->module_count == BOOTINFO_MODULES_MAX) {
		warn(bi, "boot: more than %d modules; the rest are ignored", BOOTINFO_MODULES_MAX);
		return;
	}
	m = &bi->modules[bi->module_count++];
	m->base = base;
	m->len = len;
	if (name_len >= sizeof(m->name))
		name_len = sizeof(m->name) - 1;
	memcpy(m->name, name, name_len);
	m->name[name_len] = '\0';
}

static void set_cmdline(struct bootinfo *bi, const char *s, size_t len)
{
	size_t n = strnlen(s, len);

	if (n >= sizeof(bi->cmdline)) {
		n = sizeof(bi->cmdline) - 1;
		bi->cmdline_truncated = true;
	}
	memcpy(bi->cmdline, s, n);
	bi->cmdline[n] = '\0';
}

static void gather_mb2_tags(struct bootinfo *bi, const struct mb2_info *mi)
{
	if (mi->cmdline.ptr != NULL)
		set_cmdline(bi, mi->cmdline.ptr, mi->cmdline.len);
	if (mi->boot_loader_name.ptr != NULL)
		snprintf(bi->loader, sizeof(bi->loader), "%.*s",
			 (int)strnlen(mi->boot_loader_name.ptr, mi->boot_loader_name.len),
			 mi->boot_loader_name.ptr);
	bi->mem_source = mi->mmap_count ? "multiboot2" : "none";
	for (size_t i = 0; i < mi->mmap_count; i++)
		add_mem(bi, mi->mmap[i].base, mi->mmap[i].len, mi->mmap[i].type);
	bi->mem_truncated |= mi->mmap_truncated;
	for (size_t i = 0; i < mi->module_count; i++) {
		const struct mb2_module *m = &mi->modules[i];

		if (m->mod_end < m->mod_start) {
			warn(bi, "multiboot2: module %zu ends before it starts; ignored", i);
			continue;
		}
		add_module(bi, m->mod_start, m->mod_end - m->mod_start, m->string.ptr ? m->string.ptr : "",
			   m->string.ptr ? strnlen(m->string.ptr, m->string.len) : 0);
	}
	if (mi->fb.type == MB2_FRAMEBUFFER_TYPE_RGB && mi->fb.addr) {
		bi->have_fb = true;
		bi->fb = (struct fb_info){
			.addr = mi->fb.addr, .pitch = mi->fb.pitch, .width = mi->fb.width,
			.height = mi->fb.height, .bpp = mi->fb.bpp,
			.red_pos = mi->fb.red_pos, .red_size = mi->fb.red_size,
			.green_pos = mi->fb.green_pos, .green_size = mi->fb.green_size,
			.blue_pos = mi->fb.blue_pos, .blue_size = mi->fb.blue_size,
		};
	} else if (mi->fb.type == MB2_FRAMEBUFFER_TYPE_EGA_TEXT && mi->fb.addr == 0xB8000) {
		bi->vga_text = true;
	}
	bi->efi_systab = mi->efi64_systab;
	if (mi->rsdp_new != NULL && mi->rsdp_new_len <= sizeof(bi->rsdp_copy)) {
		memcpy(bi->rsdp_copy, mi->rsdp_new, mi->rsdp_new_len);
		bi->rsdp_copy_len = mi->rsdp_new_len;
	} else if (mi->rsdp_old != NULL && mi->rsdp_old_len <= sizeof(bi->rsdp_copy)) {
		memcpy(bi->rsdp_copy, mi->rsdp_old, mi->rsdp_old_len);
		bi->rsdp_copy_len = mi->rsdp_old_len;
	}
	if (mi->efi_mmap != NULL) {
		bi->efi_mmap = (uint64_t)(uintptr_t)mi->efi_mmap;
		bi->efi_mmap_size = mi->efi_mmap_len;
		bi->efi_desc_size = mi->efi_descr_size;
		bi->efi_desc_version = mi->efi_descr_vers;
	}
	if (mi->efi_bs_not_terminated)
		warn(bi, "multiboot2: loader left EFI boot services running; not supported");
}

static void gather_mb2(struct bootinfo *bi, uint64_t info, uint64_t magic)
{
	static struct mb2_info mi;	/* large: keep it off the stack */
	uint32_t total;
	int err;

	if (magic != MB2_BOOTLOADER_MAGIC) {
		warn(bi, "multiboot2: bad loader magic 0x%llx; boot information ignored",
		     (unsigned long long)magic);
		return;
	}
	if (cpu_map_phys(info, 8) != 0) {
		warn(bi, "multiboot2: boot information at 0x%llx not mappable", (unsigned long long)info);
		return;
	}
	memcpy(&total, (const void *)(uintptr_t)info, sizeof(total));
	if (total > MB2_INFO_MAX || cpu_map_phys(info, total) != 0) {
		warn(bi, "multiboot2: boot information size %u refused", total);
		return;
	}
	err = mb2_parse((const void *)(uintptr_t)info, total, &mi);
	if (err)
		warn(bi, "multiboot2: malformed boot information (error %d at offset %zu); using the tags before it",
		     err, mi.error_offset);
	gather_mb2_tags(bi, &mi);
}

static const char *loader_name(uint8_t type_of_loader)
{
	/* Documentation/arch/x86/boot.rst, "type_of_loader" (high nibble). */
	static const char *const names[16] = {
		"LILO", "Loadlin", "bootsect-loader", "Syslinux", "Etherboot/gPXE/iPXE",
		"ELILO", "unknown (6)", "GRUB", "U-Boot", "Xen", "Gujin", "QEMU",
		"Arcturus", "kexec", "extended", "unknown (0xF)",
	};

	if ((type_of_loader >> 4) == 0xE)
		return "extended";
	return names[type_of_loader >> 4];
}

static void gather_setup_data(struct bootinfo *bi, uint64_t node)
{
	for (unsigned n = 0; node != 0; n++) {
		struct bootparams_setup_data sd;
		uint32_t len;

		if (n == SETUP_DATA_MAX) {
			warn(bi, "boot_params: setup_data chain longer than %d nodes; rest ignored", SETUP_DATA_MAX);
			return;
		}
		if (cpu_map_phys(node, 16) != 0) {
			warn(bi, "boot_params: setup_data node 0x%llx not mappable", (unsigned long long)node);
			return;
		}
		memcpy(&len, (const void *)(uintptr_t)(node + 12), sizeof(len));
		if (len > SETUP_NODE_MAX || cpu_map_phys(node, 16 + (uint64_t)len) != 0 ||
		    bootparams_setup_data((const void *)(uintptr_t)node, 16 + (size_t)len, &sd) != 0) {
			warn(bi, "boot_params: setup_data node 0x%llx malformed (len %u); chain ends here",
			     (unsigned long long)node, len);
			return;
		}
		if (sd.type == BOOTPARAMS_SETUP_E820_EXT) {
			struct bootparams_e820 ext[32];
			size_t count = 0;

			if (bootparams_e820_ext(sd.data, sd.len, ext, 32, &count) != 0)
				warn(bi, "boot_params: SETUP_E820_EXT malformed (len %u)", sd.len);
			for (size_t i = 0; i < count; i++)
				add_mem(bi, ext[i].addr, ext[i].size, ext[i].type);
		}
		if (sd.type == BOOTPARAMS_SETUP_EFI) {
			struct bootparams_efi_setup es;

			if (bootparams_efi_setup(sd.data, sd.len, &es) == 0) {
				bi->efi_setup_tables = es.tables;
				bi->efi_setup_smbios = es.smbios;
			} else {
				warn(bi, "boot_params: SETUP_EFI malformed (len %u)", sd.len);
			}
		}
		if (sd.next == node) {
			warn(bi, "boot_params: setup_data node 0x%llx points at itself", (unsigned long long)node);
			return;
		}
		node = sd.next;
	}
}

static void gather_linux(struct bootinfo *bi, uint64_t info)
{
	static struct bootparams_info bp;
	int err;

	if (cpu_map_phys(info, 4096) != 0) {
		warn(bi, "boot_params at 0x%llx not mappable", (unsigned long long)info);
		return;
	}
	err = bootparams_parse((const void *)(uintptr_t)info, 4096, &bp);
	if (err == -EBADMSG)
		warn(bi, "boot_params: no setup header (HdrS); command line and initrd unknown");
	else if (err)
		return;
	if (bp.has_header) {
		snprintf(bi->loader, sizeof(bi->loader), "%s", loader_name(bp.type_of_loader));
		if (bp.cmd_line_ptr && cpu_map_phys(bp.cmd_line_ptr, bp.cmdline_size + 1) == 0)
			set_cmdline(bi, (const char *)(uintptr_t)bp.cmd_line_ptr, bp.cmdline_size + 1);
		if (bp.ramdisk_image && bp.ramdisk_size)
			add_module(bi, bp.ramdisk_image, bp.ramdisk_size, "initrd", 6);
	}
	bi->mem_source = bp.e820_count ? "e820" : "none";
	for (size_t i = 0; i < bp.e820_count; i++)
		add_mem(bi, bp.e820[i].addr, bp.e820[i].size, bp.e820[i].type);
	if (bp.e820_clamped)
		warn(bi, "boot_params: e820_entries above 128; extra entries ignored");
	if (bp.has_header && bp.setup_data)
		gather_setup_data(bi, bp.setup_data);
	bi->rsdp_addr = bp.acpi_rsdp_addr;
	if (bp.efi_present && bp.efi_64bit) {
		bi->efi_systab = bp.efi_systab;
		bi->efi_mmap = bp.efi_memmap;
		bi->efi_mmap_size = bp.efi_memmap_size;
		bi->efi_desc_size = bp.efi_memdesc_size;
		bi->efi_desc_version = bp.efi_memdesc_version;
	}
	if (bp.has_lfb && bp.lfb_base) {
		bi->have_fb = true;
		bi->fb = (struct fb_info){
			.addr = bp.lfb_base, .pitch = bp.lfb_linelength, .width = bp.lfb_width,
			.height = bp.lfb_height, .bpp = (uint8_t)bp.lfb_depth,
			.red_pos = bp.red_pos, .red_size = bp.red_size,
			.green_pos = bp.green_pos, .green_size = bp.green_size,
			.blue_pos = bp.blue_pos, .blue_size = bp.blue_size,
		};
	} else if (bp.video_type == 0x22 || bp.video_type == 0x21) {
		bi->vga_text = true;	/* VIDEO_TYPE_VGAC / VIDEO_TYPE_EGAC */
	}
}

void bootinfo_gather(struct bootinfo *bi, uint32_t path, uint64_t info, uint64_t magic,
		     uint64_t load_base)
{
	memset(bi, 0, sizeof(*bi));
	bi->path = path;
	bi->load_base = load_base;
	bi->image_size = (uint64_t)(__image_end - __image_start);
	bi->mem_source = "none";
	snprintf(bi->loader, sizeof(bi->loader), "unknown");
	if (path == BOOT_MB2 || path == BOOT_EFI)	/* the EFI stub builds a multiboot2 MBI */
		gather_mb2(bi, info, magic);
	else if (path == BOOT_LINUX32 || path == BOOT_LINUX64)
		gather_linux(bi, info);
	else
		warn(bi, "boot: unknown boot path %u", path);
	if (bi->mem_truncated)
		warn(bi, "boot: memory map has more than %d entries; the rest are ignored", BOOTINFO_MEM_MAX);
}

uint64_t bootinfo_mem_total(const struct bootinfo *bi, uint32_t type)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == type)
			sum += bi->mem[i].len;
	return sum;
}
