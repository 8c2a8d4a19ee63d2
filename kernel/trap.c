/*
 * CPU exception reports (see trap.h).  Runs on the IST1 stack with
 * interrupts off; uses only printf (unbuffered, straight to the consoles).
 * NMIs (IST2) only count.
 */
#include <stdint.h>
#include <stdio.h>

#include "kernel/after.h"
#include "kernel/boot.h"
#include "kernel/cpu.h"
#include "kernel/efirt.h"
#include "kernel/smp.h"
#include "kernel/trap.h"

/* Intel SDM vol. 3A table 6-1. */
static const char *const vector_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range exceeded", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack-segment fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 floating-point error", "#AC alignment check",
	"#MC machine check", "#XM SIMD floating-point exception",
	"#VE virtualization exception", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security exception", "reserved 31",
};

static int in_trap;

static void dump_stack(uint64_t rsp)
{
	uint64_t lo = (uint64_t)(uintptr_t)__image_start;
	uint64_t hi = (uint64_t)(uintptr_t)__image_end;

	/* Only our own stacks are worth reading, and only they are surely
	 * mapped: a wild RSP would fault again here. */
	if (rsp < lo || rsp + 8 * 8 > hi || (rsp & 7)) {
		printf("  stack: rsp 0x%016llx is outside our image, not read\n",
		       (unsigned long long)rsp);
		return;
	}
	const uint64_t *sp = (const uint64_t *)(uintptr_t)rsp;
	for (int i = 0; i < 8; i += 2)
		printf("  stack+%02x: %016llx %016llx\n", i * 8,
		       (unsigned long long)sp[i], (unsigned long long)sp[i + 1]);
}

static volatile unsigned nmi_count;

unsigned trap_nmi_count(void)
{
	return nmi_count;
}

void trap_handler(struct trap_frame *f)
{
	const char *name = f->vector < 32 ? vector_names[f->vector] : "unknown";
	uint64_t base = (uint64_t)(uintptr_t)__image_start;

	if (f->vector == 2) {
		/* An NMI (a watchdog the dead kernel left armed, the platform's
		 * NMI button, a late crash-stop IPI): counted and ignored.  It
		 * runs on its own stack and may interrupt anything, printf
		 * included, so it prints nothing; the dump goes on. */
		nmi_count++;
		return;
	}

	if (smp_on_ap())	/* the second CPU: it stops, the boot CPU says so */
		smp_ap_fault(f->vector, f->rip);
	if (in_trap++) {
		/* A fault while reporting: say one line and stop. */
		printf("\npostmortem: run FAILED: CPU exception %llu while handling an exception; halting\n",
		       (unsigned long long)f->vector);
		cpu_halt_forever();
	}
	printf("\ntrap: CPU exception %llu (%s), error code 0x%llx\n",
	       (unsigned long long)f->vector, name, (unsigned long long)f->error);
	printf("  rip 0x%016llx (image+0x%llx)  cs 0x%llx  rflags 0x%llx\n",
	       (unsigned long long)f->rip, (unsigned long long)(f->rip - base),
	       (unsigned long long)f->cs, (unsigned long long)f->rflags);
	printf("  cr2 0x%016llx  cr3 0x%016llx  rsp 0x%016llx  ss 0x%llx\n",
	       (unsigned long long)cpu_read_cr2(), (unsigned long long)cpu_read_cr3(),
	       (unsigned long long)f->rsp, (unsigned long long)f->ss);
	printf("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
	       (unsigned long long)f->rax, (unsigned long long)f->rbx,
	       (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	printf("  rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n",
	       (unsigned long long)f->rsi, (unsigned long long)f->rdi,
	       (unsigned long long)f->rbp, (unsigned long long)f->r8);
	printf("  r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n",
	       (unsigned long long)f->r9, (unsigned long long)f->r10,
	       (unsigned long long)f->r11, (unsigned long long)f->r12);
	printf("  r13 %016llx r14 %016llx r15 %016llx\n",
	       (unsigned long long)f->r13, (unsigned long long)f->r14,
	       (unsigned long long)f->r15);
	dump_stack(f->rsp);
	if (efirt_faulted_service() != NULL)
		printf("  inside the EFI runtime service %s (%s mode): a firmware fault; the firmware will not be called again\n",
		       efirt_faulted_service(), efirt_mode_name());

	char line[96];
	snprintf(line, sizeof(line), "run FAILED: CPU exception %s at rip 0x%llx",
		 name, (unsigned long long)f->rip);
	after_final(line);
}

void trap_provoke_fault(void)
{
	/* 1 TiB: nothing maps it (cpu_map_phys maps only what is asked for). */
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)(1ull << 40);

	printf("pm.test=fault: reading 0x%llx, which is not mapped\n",
	       (unsigned long long)(uintptr_t)p);
	(void)*p;
	after_final("run FAILED: pm.test=fault did not fault");
}
