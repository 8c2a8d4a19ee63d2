/*
 * How postmortem was entered, and the one C entry every path reaches.
 *
 * Interface: boot/entry64.asm calls kmain(path, info, magic, load_base)
 * once, on our own stack, with .bss zeroed and the image relocated.
 * path is one of enum boot_path; info points at the multiboot2 boot
 * information (BOOT_MB2, magic = EAX at entry; BOOT_EFI, built by the EFI
 * stub, kernel/efistub.c) or at struct boot_params (BOOT_LINUX32,
 * BOOT_LINUX64); load_base is where the image sits.
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <stdint.h>

/* Values pinned by boot/boot.inc PM_BOOT_*. */
enum boot_path {
	BOOT_MB2 = 1,
	BOOT_LINUX32 = 2,
	BOOT_LINUX64 = 3,
	BOOT_EFI = 4,		/* UEFI application: multiboot2 information from kernel/efistub.c */
};

extern char __image_start[], __image_end[], __load_end[];

void kmain(uint32_t path, uint64_t info, uint64_t magic, uint64_t load_base)
	__attribute__((noreturn));

const char *boot_path_name(uint32_t path);

#endif
