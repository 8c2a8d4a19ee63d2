; boot/entry32.asm: from 32-bit protected mode to long mode, for the
; multiboot2 and Linux 32-bit entries (boot/head.asm).
;
; Receives: 32-bit flat protected mode, paging off, interrupts off, a stack
; good for one call (boot/head.asm borrows one), edi = boot path, esi = boot
; information pointer, edx = loader magic.  The image may sit anywhere below
; 4 GiB: every address is computed from where we find ourselves.
;
; Does: switch to our boot stack (.boot), check the CPU has long mode, build
; boot page tables in .boot that identity-map the first 4 GiB with 2 MiB
; pages, enable PAE + EFER.LME + paging, load pm_boot_gdt and far-return
; into 64-bit code, which jumps to pm_start64 (boot/entry64.asm) with the
; three values above.  kernel/cpu.c replaces these tables and this GDT.
%include "boot.inc"

extern pm_start64
extern pm_entry_state
global pm_entry32_common
global pm_boot_gdt
global pm_boot_gdt_limit
global pm_boot_stack_top

section .text
bits 32
pm_entry32_common:
	call	.here
.here:	pop	ebx				; ebx = runtime address of .here
	mov	eax, [ebx + (rel_stack - .here)]
	lea	esp, [ebx + (rel_stack - .here) + eax]
	push	edi
	push	esi
	push	edx

	; what we were handed, for the cpu: line (EFER after the long-mode check)
	mov	eax, [ebx + (rel_state - .here)]
	lea	ebp, [ebx + (rel_state - .here) + eax]
	mov	eax, cr0
	mov	[ebp + ENTRY_CR0], eax
	mov	eax, cr4
	mov	[ebp + ENTRY_CR4], eax

	; Paging must be off to enter long mode; both protocols say it is, but
	; a loader that left it on (identity-mapping us, or we would not be
	; running) gets it turned off rather than a #GP at EFER.LME.
	; CR4.PCIDE first: clearing CR0.PG while it is set is a #GP.
	mov	eax, cr4
	and	eax, ~CR4_PCIDE
	mov	cr4, eax
	mov	eax, cr0
	and	eax, ~CR0_PG & 0xFFFFFFFF
	mov	cr0, eax

	; long mode present? (CPUID 0x80000001 EDX bit 29, Intel SDM vol. 2A)
	push	ebx				; cpuid clobbers it
	mov	eax, 0x80000000
	cpuid
	cmp	eax, 0x80000001
	jb	.no_long_mode_pop
	mov	eax, 0x80000001
	cpuid
	bt	edx, 29
	pop	ebx
	jnc	.no_long_mode

	; boot page tables: PML4, PDPT, 4 page directories, zeroed here
	push	ebp
	mov	eax, [ebx + (rel_pgt - .here)]
	lea	ebp, [ebx + (rel_pgt - .here) + eax]
	mov	edi, ebp
	mov	ecx, 6 * 1024
	xor	eax, eax
	rep stosd
	lea	eax, [ebp + 0x1000 + 3]		; PML4[0] -> PDPT, present + writable
	mov	[ebp], eax
	xor	ecx, ecx
.pdpt:	lea	eax, [ebp + 0x2000 + 3]
	mov	edx, ecx
	shl	edx, 12
	add	eax, edx
	mov	[ebp + 0x1000 + ecx * 8], eax	; PDPT[i] -> PD i
	inc	ecx
	cmp	ecx, 4
	jb	.pdpt
	xor	ecx, ecx
.pd:	mov	eax, ecx
	shl	eax, 21
	or	eax, 0x83			; present + writable + 2 MiB page
	mov	[ebp + 0x2000 + ecx * 8], eax
	inc	ecx
	cmp	ecx, 2048
	jb	.pd
	mov	esi, ebp			; esi = the PML4 (popped back below)
	pop	ebp				; ebp = pm_entry_state again

	; Intel SDM vol. 3A 10.8.5 "Initializing IA-32e Mode": PAE, LME, CR3, PG.
	; CR4 as boot.inc's CR4_KEEP says, but LA57 off: outside long mode it
	; can change, and these tables are 4-level.
	mov	eax, cr4
	and	eax, CR4_KEEP & ~CR4_LA57
	or	eax, CR4_PAE
	mov	cr4, eax
	mov	ecx, 0xC0000080			; IA32_EFER
	rdmsr
	mov	[ebp + ENTRY_EFER], eax
	mov	[ebp + ENTRY_EFER + 4], edx
	or	eax, 1 << 8			; EFER.LME
	wrmsr
	mov	cr3, esi
	mov	eax, cr0
	or	eax, (1 << 31) | 1		; CR0.PG | CR0.PE
	mov	cr0, eax

	; our GDT, at its runtime address
	lea	eax, [ebx + (pm_boot_gdt - .here)]
	sub	esp, 8
	mov	word [esp], pm_boot_gdt_end - pm_boot_gdt - 1
	mov	[esp + 2], eax
	lgdt	[esp]
	add	esp, 8

	pop	edx
	pop	esi
	pop	edi
	lea	eax, [ebx + (.long - .here)]
	push	SEL_CODE64
	push	eax
	retf

.no_long_mode_pop:
	pop	ebx
.no_long_mode:
	; Nothing to report with yet but COM1; say it there and stop.
	lea	esi, [ebx + (msg_no_lm - .here)]
.putc:	lodsb
	test	al, al
	jz	.stop
	mov	dx, 0x3F8
	out	dx, al
	jmp	.putc
.stop:	cli
	hlt
	jmp	.stop

bits 64
.long:
	mov	eax, SEL_DATA
	mov	ds, eax
	mov	es, eax
	mov	ss, eax
	; upper halves are undefined after the switch: zero-extend
	mov	edi, edi
	mov	esi, esi
	mov	edx, edx
	jmp	pm_start64

; PC-relative offsets to .boot, resolved by the linker (no run-time fixup).
align 4
rel_stack:	dd	pm_boot_stack_top - $
rel_pgt:	dd	pm_boot_pgt - $
rel_state:	dd	pm_entry_state - $

msg_no_lm:	db	"postmortem: this CPU has no long mode; halting", 13, 10, 0

section .rodata
align 16
; Boot GDT: null, 64-bit code, data, 32-bit code (Intel SDM vol. 3A 3.4.5)
pm_boot_gdt:
	dq	0
	dq	0x00AF9A000000FFFF		; SEL_CODE64: L=1, D=0, present, DPL 0
	dq	0x00CF92000000FFFF		; SEL_DATA: 4 GiB, writable
	dq	0x00CF9A000000FFFF		; SEL_CODE32: 4 GiB, D=1
pm_boot_gdt_end:
pm_boot_gdt_limit:	dw	pm_boot_gdt_end - pm_boot_gdt - 1

section .boot nobits alloc write align=4096
pm_boot_pgt:	resb	6 * 4096
pm_boot_stack:	resb	BOOT_STACK_SIZE
pm_boot_stack_top:
