; boot/entry64.asm: the one 64-bit path into C.
;
; Receives: long mode, interrupts off, a usable stack (ours from
; boot/entry32.asm, or pm_boot_stack_top from the kexec entry), edi = boot
; path, rsi = boot information pointer, rdx = loader magic.  The page tables
; in force identity-map at least our image (ours, or kexec's, which map all
; RAM).
;
; Does: load pm_boot_gdt and reload every segment register (kexec's GDT is
; in memory we must not trust), enable SSE (the C code and mbedTLS use it),
; zero .bss, apply our own .rela.dyn (R_X86_64_RELATIVE only; the build
; rejects anything else, scripts/check-relocs.sh), switch to the C stack and
; call kmain(path, info, magic, load_base).  kmain never returns.
%include "boot.inc"

extern pm_boot_gdt
extern pm_boot_gdt_limit
extern kmain
extern __image_start
extern __bss_start
extern __bss_end
extern __rela_start
extern __rela_end
global pm_start64

%define R_X86_64_RELATIVE 8
%define KERNEL_STACK_SIZE 65536

section .text
bits 64
pm_start64:
	cli
	cld
	mov	r12d, edi
	mov	r13, rsi
	mov	r14, rdx

	lea	rax, [rel pm_boot_gdt]
	sub	rsp, 16
	movzx	edx, word [rel pm_boot_gdt_limit]
	mov	[rsp], dx
	mov	[rsp + 2], rax
	lgdt	[rsp]
	add	rsp, 16
	lea	rax, [rel .cs]
	push	SEL_CODE64
	push	rax
	retfq
.cs:	mov	eax, SEL_DATA
	mov	ds, eax
	mov	es, eax
	mov	ss, eax
	xor	eax, eax
	mov	fs, eax
	mov	gs, eax

	; SSE (Intel SDM vol. 3A 13.1.3): CR0.EM=0, CR0.MP=1, CR4.OSFXSR|OSXMMEXCPT
	mov	rax, cr0
	and	rax, ~(1 << 2)
	or	rax, 1 << 1
	mov	cr0, rax
	mov	rax, cr4
	or	rax, (1 << 9) | (1 << 10)
	mov	cr4, rax

	; .bss: neither QEMU -kernel nor every loader zeroes it
	lea	rdi, [rel __bss_start]
	lea	rcx, [rel __bss_end]
	sub	rcx, rdi
	xor	eax, eax
	rep stosb

	; relocate: image linked at 0, so *(base + r_offset) = base + r_addend
	lea	rbx, [rel __image_start]
	lea	rsi, [rel __rela_start]
	lea	rcx, [rel __rela_end]
.reloc:	cmp	rsi, rcx
	jae	.relocated
	cmp	dword [rsi + 8], R_X86_64_RELATIVE
	jne	.bad_reloc
	mov	rax, [rsi]
	mov	rdx, [rsi + 16]
	add	rdx, rbx
	mov	[rbx + rax], rdx
	add	rsi, 24
	jmp	.reloc
.relocated:
	lea	rsp, [rel kernel_stack_top]
	xor	ebp, ebp
	mov	edi, r12d
	mov	rsi, r13
	mov	rdx, r14
	mov	rcx, rbx
	call	kmain
.stop:	cli
	hlt
	jmp	.stop

.bad_reloc:
	; cannot happen with a checked build; nothing is set up to say more
	lea	rsi, [rel msg_bad_reloc]
.putc:	lodsb
	test	al, al
	jz	.stop
	mov	dx, 0x3F8
	out	dx, al
	jmp	.putc

section .rodata
msg_bad_reloc:	db	"postmortem: unsupported relocation in image; halting", 13, 10, 0

section .bss
align 16
kernel_stack:	resb	KERNEL_STACK_SIZE
global kernel_stack_top
kernel_stack_top:
