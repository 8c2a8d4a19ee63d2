; boot/isr.asm: CPU exception entry stubs (vectors 0-31).
;
; Receives: the CPU's interrupt frame (Intel SDM vol. 3A 6.14.1) on the IST1
; stack kernel/cpu.c sets up, with an error code for vectors 8, 10-14, 17,
; 21, 29 and 30.  Each stub pushes a zero error code where the CPU does not,
; then the vector, then common code saves every general register and calls
; trap_handler(struct trap_frame *) (kernel/trap.h: the field order there is
; the push order here, reversed).  trap_handler reports and does not
; return, except for an NMI (vector 2, on its own IST stack), which it counts
; and returns from through the iretq path.  An NMI can arrive in the middle
; of SSE code (AES-NI rounds, GHASH, the compressors, compiler-made copies),
; and the C handler may use XMM registers: the x87/SSE state is saved with
; FXSAVE64 around the call and restored before iretq.
global pm_isr_table

section .text
bits 64

%macro ISR_NOERR 1
isr%1:	push	0
	push	%1
	jmp	isr_common
%endmacro
%macro ISR_ERR 1
isr%1:	push	%1
	jmp	isr_common
%endmacro

%assign v 0
%rep 32
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
	ISR_ERR v
%else
	ISR_NOERR v
%endif
%assign v v + 1
%endrep

extern trap_handler
isr_common:
	push	rax
	push	rbx
	push	rcx
	push	rdx
	push	rsi
	push	rdi
	push	rbp
	push	r8
	push	r9
	push	r10
	push	r11
	push	r12
	push	r13
	push	r14
	push	r15
	mov	rdi, rsp
	mov	rbx, rsp
	and	rsp, -16
	sub	rsp, 512		; FXSAVE area: 512 bytes, 16-aligned
	fxsave64 [rsp]
	cld
	call	trap_handler
	fxrstor64 [rsp]
	mov	rsp, rbx
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	r11
	pop	r10
	pop	r9
	pop	r8
	pop	rbp
	pop	rdi
	pop	rsi
	pop	rdx
	pop	rcx
	pop	rbx
	pop	rax
	add	rsp, 16
	iretq

section .data
align 8
pm_isr_table:
%assign v 0
%rep 32
	dq	isr %+ v
%assign v v + 1
%endrep
