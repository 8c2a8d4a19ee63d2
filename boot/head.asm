; boot/head.asm: the fixed-offset front of the postmortem image.
;
; The same bytes are the start of build/postmortem.elf's load image (loaded
; by GRUB through the multiboot2 address tag) and of the bzImage's
; protected-mode part (loaded by QEMU -kernel, a bootloader, or kexec):
;
;   +0x000  pm_entry32_linux   Linux boot protocol 32-bit entry (code32_start):
;                              32-bit flat protected mode, paging off,
;                              esi = &boot_params, no usable stack.
;   +0x020  pm_mb2_header      multiboot2 header (Multiboot2 spec 3.1), the
;                              address tag's load_end/bss_end written by
;                              linker.ld between .head.mb2a and .head.mb2b.
;           pm_entry32_mb2     multiboot2 entry: 32-bit flat protected mode,
;                              paging off, eax = 0x36D76289, ebx = &MBI,
;                              no usable stack.
;   +0x200  pm_entry64_linux   Linux boot protocol 64-bit entry, what kexec's
;                              purgatory jumps to: long mode on the loader's
;                              identity page tables (4- or 5-level),
;                              rsi = &boot_params; GDT, IDT, CR0/CR4 bits
;                              and the APIC as the crashed kernel left
;                              them (docs/kexec.md, entry states).
;
; Every path ends in pm_start64 (boot/entry64.asm) with edi = boot path,
; rsi = boot information pointer, edx = loader magic.
%include "boot.inc"

%define HEAD_ENTRY32_SIZE 32	; linker.ld asserts pm_mb2_header == 32

extern pm_entry32_common
extern pm_start64
extern pm_boot_stack_top
extern pm_entry_state
global pm_entry32_linux
global pm_entry32_mb2
global pm_entry64_linux
global pm_mb2_header

section .head.entry32 progbits alloc exec align=16
bits 32
pm_entry32_linux:
	cli
	cld
	; Linux's own 32-bit entry borrows boot_params.scratch the same way:
	; a 4-byte stack, enough for the call that finds our address.
	lea	esp, [esi + BP_SCRATCH + 4]
	mov	edi, PM_BOOT_LINUX32
	xor	edx, edx
	jmp	pm_entry32_common
	times	HEAD_ENTRY32_SIZE - ($ - $$) db 0xcc

section .head.mb2a progbits alloc exec align=8
; Multiboot2 header (Multiboot2 specification 1.0, section 3.1.1).
pm_mb2_header:
	dd	MB2_HEADER_MAGIC
	dd	0				; architecture: i386 protected mode
	dd	MB2_HEADER_LENGTH
	dd	-(MB2_HEADER_MAGIC + MB2_HEADER_LENGTH)
	; information request (3.1.3): what we need from the loader
	align	8, db 0
.info:	dw	1, 0
	dd	.info_end - .info
	dd	1				; command line
	dd	3				; modules (handoff, capsule)
	dd	6				; memory map
	dd	8				; framebuffer
	dd	12				; EFI64 system table
	dd	14				; ACPI old RSDP
	dd	15				; ACPI new RSDP
	dd	17				; EFI memory map
	dd	21				; load base address
.info_end:
	; console flags (3.1.6): EGA text is fine too
	align	8, db 0
	dw	4, 0
	dd	12
	dd	2				; EGA_TEXT_SUPPORTED
	; framebuffer (3.1.7), optional: any mode the loader likes
	align	8, db 0
	dw	5, 1
	dd	20
	dd	0, 0, 0
	; module alignment (3.1.8): page-aligned modules
	align	8, db 0
	dw	6, 0
	dd	8
	; relocatable (3.1.10): anywhere from 1 MiB up to 4 GiB, 4 KiB aligned,
	; low preferred.  entry32 finds its own address and entry64 relocates.
	align	8, db 0
	dw	10, 0
	dd	24
	dd	0x100000			; min_addr
	dd	0xFFFFF000			; max_addr
	dd	0x1000				; align
	dd	1				; preference: low
	; address (3.1.4): load the flat image from this file.  The image is
	; linked at 0, so addresses are offsets; GRUB relocates them.
	align	8, db 0
	dw	2, 0
	dd	24
	dd	HEAD_ENTRY32_SIZE		; header_addr (linker.ld asserts)
	dd	0				; load_addr
	; load_end_addr and bss_end_addr follow (linker.ld)
mb2a_end:

section .head.mb2b progbits alloc exec align=1
mb2b_start:
	; entry address (3.1.5)
	dw	3, 0
	dd	12
	dd	pm_entry32_mb2 - mb2b_start + MB2B_OFFSET
	dd	0				; padding to 8
	; end tag
	dw	0, 0
	dd	8
mb2b_end:

bits 32
pm_entry32_mb2:
	cli
	cld
	mov	edx, eax			; loader magic, checked in C
	; No stack yet: the MBI's reserved word (offset 4) takes the one push
	; of the call in pm_entry32_common; total_size at offset 0 is untouched.
	lea	esp, [ebx + 8]
	mov	esi, ebx
	mov	edi, PM_BOOT_MB2
	jmp	pm_entry32_common

; Offsets the header needs, all constant within this file.  .head.entry32
; is HEAD_ENTRY32_SIZE bytes and linker.ld places .head.mb2a straight after
; it, then 8 bytes of address tag, then .head.mb2b.
MB2_HEADER_LENGTH equ (mb2a_end - pm_mb2_header) + 8 + (mb2_end_tag_end - mb2b_start)
mb2_end_tag_end equ mb2b_end
MB2B_OFFSET equ HEAD_ENTRY32_SIZE + (mb2a_end - pm_mb2_header) + 8

section .head.entry64 progbits alloc exec align=16
bits 64
pm_entry64_linux:
	endbr64				; a NOP unless the loader left indirect-branch tracking on
	cli
	cld
	; Keep what we were handed for the cpu: line (kernel/cpu.c); nothing
	; of ours is set up yet, so only RIP-relative stores into the image.
	mov	rax, cr0
	mov	[rel pm_entry_state + ENTRY_CR0], rax
	mov	rax, cr4
	mov	[rel pm_entry_state + ENTRY_CR4], rax
	mov	ecx, 0xC0000080			; IA32_EFER
	rdmsr
	mov	[rel pm_entry_state + ENTRY_EFER], eax
	mov	[rel pm_entry_state + ENTRY_EFER + 4], edx
	lea	rsp, [rel pm_boot_stack_top]
	mov	edi, PM_BOOT_LINUX64
	xor	edx, edx
	jmp	pm_start64
