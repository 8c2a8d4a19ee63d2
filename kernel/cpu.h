/*
 * CPU state we own: GDT with a TSS, IDT for the 32 exception vectors, our
 * identity page tables, SSE, and the FS base the stack-protector canary of
 * prebuilt library code reads.
 *
 * Interface: cpu_init() once, first thing in kmain, before anything that
 * may fault.  After it every exception lands in trap_handler() on its own
 * stack (IST1; NMIs on IST2), and physical memory below 4 GiB plus our
 * image is identity-mapped, with 4- or 5-level paging as the boot path
 * left CR4.LA57.  Nothing here uses the local APIC or another CPU: we run
 * on whichever CPU we were entered on, with interrupts off (kernel/smp.c
 * starts a second one on these same page tables).
 * cpu_map_phys() extends the identity map on demand; memory that is not
 * mapped must not be touched.  What the drivers may use (cpu_map_phys,
 * cpu_is_mapped, cpu_rdtsc) is declared in drivers/cpu_services.h.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/cpu_services.h"	/* cpu_map_phys, cpu_is_mapped, cpu_rdtsc */

void cpu_init(uint64_t load_base);

/* The 64-bit TSS (Intel SDM vol. 3A 8.7 "Task Management in 64-bit Mode",
 * figure 8-11): each CPU has one, for its IST stacks. */
struct cpu_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

/*
 * Give the CPU this runs on its own GDT and TSS: cpu_init() for the boot
 * CPU (TSS selector 0x20), smp_ap_main() for the second CPU (0x30; trap.c
 * tells the two apart by the task register, smp_on_ap()).  gdt[0..entries)
 * gets the null descriptor, 64-bit code at 0x08, data at 0x10, 32-bit code
 * at 0x18, tss's 16-byte descriptor at tss_sel and zeros elsewhere; tss
 * gets IST1 (every exception) and IST2 (NMIs) at the stack tops given and
 * no I/O bitmap.  Then LGDT, CS reloaded by a far return, DS, ES and SS
 * to 0x10, LTR tss_sel.  FS, GS and the IDT are the caller's.  tss_sel
 * is a multiple of 8 from 0x20 with tss_sel / 8 + 1 < entries; gdt, tss
 * and the stacks must stay in place while the CPU runs.
 */
void cpu_load_gdt_tss(uint64_t *gdt, size_t entries, struct cpu_tss *tss, uint16_t tss_sel,
		      uint8_t *ist1_top, uint8_t *ist2_top);

/*
 * Map [va, va + len) to [pa, pa + len) in the upper half of our page
 * tables, beside the identity map (for EFI runtime regions at a previous
 * OS's virtual addresses).  va, pa and len 4 KiB-aligned; va in the
 * canonical upper half; uncached maps with PCD|PWT (MMIO).  Pages that are
 * already mapped to the same PA are left alone.  Returns 0, -ERANGE (bad
 * alignment or range), -EEXIST (part of the range already maps elsewhere:
 * the pages before it stay mapped) or -ENOMEM (a table pool is exhausted).
 */
int cpu_map_virt(uint64_t va, uint64_t pa, uint64_t len, bool uncached);

/*
 * Test switch pm.test=unaccepted-guard only: take the whole 2 MiB pages
 * inside [addr, addr + len) out of the identity map and keep
 * cpu_map_phys() from mapping them again (it leaves them out and still
 * returns 0), so any touch faults.  Returns the bytes guarded (0: no whole
 * 2 MiB page inside), -ERANGE, -ENOSPC (64 guards at most) or -ENOMEM.
 */
int64_t cpu_guard_phys(uint64_t addr, uint64_t len);

/* 4, or 5 when the boot path left CR4.LA57 on (valid after cpu_init). */
int cpu_paging_levels(void);

/* What we were entered with, for the cpu: line. */
struct cpu_entry {
	uint64_t cr0, cr4, efer;	/* as the loader left them */
	uint32_t apic_id;		/* of the CPU we run on (CPUID 0xB, else 1) */
	const char *apic_mode;		/* "x2APIC", "xAPIC", "APIC disabled", "no APIC" */
	int paging_levels;
};
void cpu_entry_info(struct cpu_entry *e);

/*
 * pm.test=reentry: cpu_hostile_describe() decides (from CPUID) which of
 * the states a crashed kernel may leave this CPU can take, and says so in
 * buf; cpu_enter_hostile() then puts the CPU in them (CR4 bits, CR0.TS,
 * EFER.NXE, x2APIC mode, a foreign GDT and IDT, a PCID in CR3, RSP 0,
 * RFLAGS.DF) and jumps to entry, a 64-bit entry of a copy of our image,
 * with rsi as given.  The entry and the boot_params must be mapped.
 */
void cpu_hostile_describe(char *buf, size_t n);
__attribute__((noreturn)) void cpu_enter_hostile(uint64_t entry, uint64_t rsi);

static inline uint64_t cpu_read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t cpu_read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

/*
 * Up to len bytes from the CPU's random number generator into out: RDSEED
 * when CPUID has it (leaf 7 EBX bit 18), else (or when it runs dry) RDRAND
 * (leaf 1 ECX bit 30),
 * each 64-bit draw retried a bounded number of times (the SDM's advice:
 * an empty buffer clears CF); a draw of all zeros or all ones (a broken
 * generator, as some parts after a resume) is never used.  Returns the
 * bytes written (0: no generator, or it gave nothing) and *source "RDSEED",
 * "RDRAND" or "none".  Never blocks for long, never faults.
 */
size_t cpu_hw_random(uint8_t *out, size_t len, const char **source);

/* AES-NI (CPUID 1 ECX bit 25), as mbedTLS's aesni.c checks it: the
 * encrypted dump's console line says how AES runs. */
bool cpu_has_aesni(void);

/* A number that differs from run to run, for dump ids: the TSC mixed. */
static inline uint64_t cpu_rdtsc_id(void)
{
	uint64_t x = cpu_rdtsc();

	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	return x ^ (x >> 27);
}

__attribute__((noreturn)) static inline void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
