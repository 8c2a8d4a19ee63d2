; boot/smp_tramp.asm: the real-mode trampoline that starts an application
; processor (AP), and the AP's 64-bit entry into the kernel.
;
; pm_ap_tramp_start .. pm_ap_tramp_end is not run in place: kernel/smp.c
; copies it to a 4 KiB page below 1 MiB (after saving that page, which it
; puts back once the AP has left it), fills the data block at
; pm_ap_tramp_data (struct tramp_data in kernel/smp.c: the offsets TD_*
; below must match it) and sends INIT, SIPI, SIPI with the page's number as
; the vector.  The AP starts in real mode at CS = page >> 4, IP = 0
; (Intel SDM vol. 3A 9.4.4 "MP Initialization Example"), with CR0 as after
; INIT (CD and NW set, SDM vol. 3A table 9-1).  It
;   - writes 1 to TD_ALIVE16 (the "started" sign kernel/smp.c waits for),
;   - loads the page's own GDT and enters 32-bit protected mode with caches
;     on (CD and NW cleared together),
;   - with paging still off, loads CR4 (PAE, and LA57 when the kernel runs
;     5-level paging), CR3 (the kernel's top-level table: below 4 GiB, which
;     kernel/smp.c checks), EFER.LME (+ NXE as on the other CPU), turns
;     paging on and far-jumps to 64-bit code in the page (SDM vol. 3A 10.8.5
;     "Initializing IA-32e Mode"),
;   - in 64-bit mode loads the kernel's CR0 and CR4 (SSE on), the AP's own
;     stack, and jumps to pm_ap_entry64 in the kernel image, which calls
;     smp_ap_main() and never returns to the page.
; Interrupts stay off throughout (CLI first; after INIT RFLAGS.IF is 0).
; Everything is addressed relative to the page: ESI holds its base from
; real mode on (in 64-bit mode its upper half is cleared first: the upper
; halves of registers are undefined after the switch from compatibility
; mode, SDM vol. 1 3.4.1.1).

%define TD_GDTR		0	; u16 limit, u32 base (6 bytes, 2 spare)
%define TD_PTR32	8	; u32 offset, u16 selector (far pointer to pm32)
%define TD_PTR64	16	; u32 offset, u16 selector (far pointer to lm64)
%define TD_CR3		24	; u32
%define TD_CR4_32	28	; u32: PAE [| LA57]
%define TD_EFER		32	; u32: bits to set in EFER (LME [| NXE])
%define TD_ALIVE16	36	; u32: the AP writes 1 in real mode
%define TD_ENTRY	40	; u64: pm_ap_entry64
%define TD_STACK	48	; u64: the AP's stack top
%define TD_CR0		56	; u64: the kernel's CR0
%define TD_CR4		64	; u64: the kernel's CR4
%define TD_GDT		72	; 4 descriptors: null, code64 0x08, data 0x10, code32 0x18
%define TD_SIZE		104

%define SEL_CODE64	0x08
%define SEL_DATA	0x10
%define SEL_CODE32	0x18

global pm_ap_tramp_start, pm_ap_tramp_end, pm_ap_tramp_data, pm_ap_entry64
extern smp_ap_main

section .rodata
align 16
pm_ap_tramp_start:
bits 16
	cli
	cld
	mov	ax, cs
	mov	ds, ax
	mov	dword [D + TD_ALIVE16], 1
	xor	esi, esi
	mov	si, ax
	shl	esi, 4				; the page's physical base
	o32 lgdt [D + TD_GDTR]
	mov	eax, cr0
	and	eax, ~0x60000000		; CD, NW: caches on
	or	eax, 1				; PE
	mov	cr0, eax
	o32 jmp far [D + TD_PTR32]

bits 32
pm32:
	mov	ax, SEL_DATA
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	fs, ax
	mov	gs, ax
	mov	eax, [esi + D + TD_CR4_32]
	mov	cr4, eax
	mov	eax, [esi + D + TD_CR3]
	mov	cr3, eax
	mov	ecx, 0xC0000080			; IA32_EFER
	rdmsr
	or	eax, [esi + D + TD_EFER]
	wrmsr
	mov	eax, cr0
	or	eax, 0x80000001			; PG | PE
	mov	cr0, eax
	jmp	far [esi + D + TD_PTR64]

bits 64
lm64:
	mov	esi, esi
	mov	rax, [rsi + D + TD_CR0]
	mov	cr0, rax
	mov	rax, [rsi + D + TD_CR4]
	mov	cr4, rax
	mov	rsp, [rsi + D + TD_STACK]
	mov	rax, [rsi + D + TD_ENTRY]
	jmp	rax

align 8
pm_ap_tramp_data:
	times TD_SIZE db 0
pm_ap_tramp_end:

D	equ	pm_ap_tramp_data - pm_ap_tramp_start
PM32	equ	pm32 - pm_ap_tramp_start
LM64	equ	lm64 - pm_ap_tramp_start

; Offsets of pm32 and lm64 in the page, for kernel/smp.c's far pointers.
global pm_ap_tramp_pm32_off, pm_ap_tramp_lm64_off
align 4
pm_ap_tramp_pm32_off:	dd	PM32
pm_ap_tramp_lm64_off:	dd	LM64

section .text
; The AP's first instruction in the kernel: on its own stack (16-byte
; aligned), CR0/CR4 as the boot CPU's, interrupts off.
pm_ap_entry64:
	xor	ebp, ebp
	call	smp_ap_main
.halt:	cli
	hlt
	jmp	.halt
