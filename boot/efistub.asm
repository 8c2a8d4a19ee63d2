; boot/efistub.asm: the PE/COFF entry point of build/postmortem.bzImage
; (AddressOfEntryPoint, boot/setup.asm), and the way from the EFI stub
; (kernel/efistub.c) into the normal 64-bit path.
;
; pm_efi_entry receives what UEFI gives an application (UEFI 2.10 section
; 2.3.4): long mode on the firmware's identity map, boot services running,
; rcx = ImageHandle, rdx = SystemTable, the Microsoft x64 calling
; convention, the image loaded by the firmware's PE loader (.bss and .boot
; zeroed, not yet relocated: nothing here or in the stub reads an
; initialised pointer).  It keeps CR0, CR4 and EFER as the firmware left
; them for the cpu: line (pm_entry_state, as the Linux 64-bit entry does)
; and jumps to efi_stub_main, an ms_abi C function that returns to the
; firmware only with an error.
;
; pm_efi_handoff(mbi) (System V: rdi) is where the stub ends after
; ExitBootServices(): interrupts off, our boot stack, then pm_start64
; (boot/entry64.asm) with edi = PM_BOOT_EFI, rsi = the multiboot2 boot
; information the stub built, edx = the multiboot2 loader magic.
%include "boot.inc"

extern efi_stub_main
extern pm_start64
extern pm_entry_state
extern pm_boot_stack_top
global pm_efi_entry
global pm_efi_handoff

section .text.efistub progbits alloc exec align=16
bits 64
pm_efi_entry:
	mov	r8, rcx
	mov	r9, rdx
	mov	rax, cr0
	mov	[rel pm_entry_state + ENTRY_CR0], rax
	mov	rax, cr4
	mov	[rel pm_entry_state + ENTRY_CR4], rax
	mov	ecx, 0xC0000080			; IA32_EFER
	rdmsr
	mov	[rel pm_entry_state + ENTRY_EFER], eax
	mov	[rel pm_entry_state + ENTRY_EFER + 4], edx
	mov	rcx, r8
	mov	rdx, r9
	jmp	efi_stub_main			; its return goes to the firmware

pm_efi_handoff:
	cli
	cld
	mov	rsi, rdi
	lea	rsp, [rel pm_boot_stack_top]
	mov	edi, PM_BOOT_EFI
	mov	edx, MB2_BOOTLOADER_MAGIC
	jmp	pm_start64
