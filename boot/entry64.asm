; boot/entry64.asm: the one 64-bit path into C.
;
; Receives: long mode, interrupts off, a usable stack (ours from
; boot/entry32.asm, or pm_boot_stack_top from the kexec entry), edi = boot
; path, rsi = boot information pointer, rdx = loader magic.  The page tables
; in force identity-map at least our image (ours, or kexec's, which map all
; RAM, 4- or 5-level).  CR0/CR4 as the loader left them.
;
; Does: RFLAGS to 0x2 and DR7 off, load pm_boot_gdt and reload every segment register (kexec's GDT is
; in memory we must not trust), load an empty IDT, put CR4 and CR0 in a
; known state (CR4.LA57 stays: kernel/cpu.c builds tables for the paging
; mode in force), enable SSE (the C code and mbedTLS use it),
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
global pm_entry_state

%define R_X86_64_RELATIVE 8
%define KERNEL_STACK_SIZE 65536

section .text
bits 64
pm_start64:
	cli
	cld
	; RFLAGS to a known state: a TF, NT or AC the dead kernel left would
	; trap or fault at the first instruction or IRET of ours.
	push	2
	popfq
	; Hardware breakpoints it armed, off (DR7; DR6 cleared for the report).
	xor	eax, eax
	mov	dr7, rax
	mov	dr6, rax
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

	; No IDT until cpu_init builds ours: a fault before then resets the
	; machine at once instead of running a handler of the dead kernel's.
	push	0
	push	0
	lidt	[rsp]
	add	rsp, 16

	; CR4 to a known state (boot.inc CR4_KEEP says which bits stay and
	; why), with SSE on (Intel SDM vol. 3A 13.1.3: OSFXSR, OSXMMEXCPT).
	; CET goes off before CR0 is written (CR0.WP may not clear under it).
	mov	rax, cr4
	and	eax, CR4_KEEP
	or	eax, CR4_OSFXSR | CR4_OSXMMEXCPT
	mov	cr4, rax
	; CR0: stay in paged protected mode; x87/SSE usable (MP, NE on; EM,
	; TS off), caches on (CD, NW off), WP on, alignment checks off.
	mov	rax, cr0
	and	eax, ~(CR0_EM | CR0_TS | CR0_AM | CR0_NW | CR0_CD)
	or	eax, CR0_MP | CR0_NE | CR0_WP
	mov	cr0, rax

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

section .data
align 8
; CR0, CR4, EFER at entry (ENTRY_* offsets in boot.inc), written by the
; entry code before anything changes them; loaded bytes, so the .bss
; clearing below does not wipe them.
pm_entry_state:	dq	0, 0, 0

section .bss
align 16
kernel_stack:	resb	KERNEL_STACK_SIZE
global kernel_stack_top
kernel_stack_top:
