/*
 * CPU exception reports.
 *
 * Interface: boot/isr.asm calls trap_handler() with the frame below (its
 * push order, reversed); cpu_init() must have run.  The handler prints a
 * report (vector name, error code, RIP, CR2, registers, a short stack dump)
 * on every console, then ends the run through the after-action with a
 * "postmortem: ... FAILED" line.  A fault inside the handler or the
 * after-action halts at once after one line, so it never loops or
 * triple-faults silently.  An NMI is not an error: the handler counts it
 * (trap_nmi_count()) and returns to what was interrupted.
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap_frame matches boot/isr.asm");

void trap_handler(struct trap_frame *f);

/* NMIs taken since cpu_init (each ignored). */
unsigned trap_nmi_count(void);

/* The documented test switch pm.test=fault: a page fault on purpose. */
void trap_provoke_fault(void) __attribute__((noreturn));

#endif
