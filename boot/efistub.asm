; boot/efistub.asm: the PE/COFF entry point of build/postmortem.bzImage
; (AddressOfEntryPoint, boot/setup.asm).
;
; Receives: what UEFI gives an application (UEFI 2.10 section 2.3.4): long
; mode on the firmware's identity map, boot services running, rcx =
; ImageHandle, rdx = SystemTable, the Microsoft x64 calling convention.
;
; Does: nothing yet but return EFI_UNSUPPORTED, so a firmware or boot
; manager that starts the image gets a clean refusal.
global pm_efi_entry

%define EFI_UNSUPPORTED	0x8000000000000003

section .text.efistub progbits alloc exec align=16
bits 64
align 16
pm_efi_entry:
	mov	rax, EFI_UNSUPPORTED
	ret
