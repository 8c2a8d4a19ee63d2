/*
 * What the boot path told us, normalised: one struct whichever way we were
 * entered (multiboot2 or Linux boot_params).  The crash context of later
 * steps is built on top of it.
 *
 * Interface: bootinfo_gather() once, after cpu_init() and before the
 * consoles exist; it never faults on bad input (every parser it calls is
 * bounds-checked) and records what it could not use in warnings[], which
 * the caller prints once a console is up.  Memory types are e820's
 * (BOOTPARAMS_E820_*), whichever source they came from.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/fbcon.h"

#define BOOTINFO_CMDLINE_MAX	4096
#define BOOTINFO_MEM_MAX	256
#define BOOTINFO_WARN_MAX	8
#define BOOTINFO_WARN_LEN	112
#define BOOTINFO_MODULES_MAX	8

struct bootinfo_mem {
	uint64_t base;
	uint64_t len;
	uint32_t type;		/* BOOTPARAMS_E820_* */
};

struct bootinfo_module {
	uint64_t base;
	uint64_t len;
	char name[32];
};

struct bootinfo {
	uint32_t path;			/* enum boot_path */
	uint64_t load_base;
	uint64_t image_size;		/* __image_end: what we occupy */
	char loader[48];		/* "GRUB 2.06", "QEMU", "kexec" ... */

	char cmdline[BOOTINFO_CMDLINE_MAX];
	bool cmdline_truncated;

	struct bootinfo_mem mem[BOOTINFO_MEM_MAX];
	unsigned mem_count;
	bool mem_truncated;
	const char *mem_source;		/* "multiboot2", "e820", "none" */

	uint64_t rsdp_addr;		/* physical, 0 if not given */
	uint8_t rsdp_copy[36];		/* a loader's copy (multiboot2) */
	size_t rsdp_copy_len;

	uint64_t efi_systab;		/* 0 if not EFI */
	uint64_t efi_setup_tables;	/* SETUP_EFI: physical config table array, 0 none */
	uint64_t efi_setup_smbios;	/* SETUP_EFI: SMBIOS entry point */
	uint64_t efi_mmap;		/* EFI memory map as the loader gave it */
	uint64_t efi_mmap_size;
	uint32_t efi_desc_size;
	uint32_t efi_desc_version;

	bool have_fb;
	struct fb_info fb;
	bool vga_text;			/* VGA text mode at 0xB8000 is usable */

	struct bootinfo_module modules[BOOTINFO_MODULES_MAX];	/* initrd, multiboot2 modules */
	unsigned module_count;

	char warnings[BOOTINFO_WARN_MAX][BOOTINFO_WARN_LEN];
	unsigned warn_count;
};

void bootinfo_gather(struct bootinfo *bi, uint32_t path, uint64_t info, uint64_t magic,
		     uint64_t load_base);

/* Bytes of memory of the given e820 type, summed. */
uint64_t bootinfo_mem_total(const struct bootinfo *bi, uint32_t type);

#endif
