/*
 * One application processor, started with the MP initialisation sequence
 * (kernel/smp.h; the safety argument is docs/smp.md).
 *
 * smp_start() decides whether it is safe (smp= not off, not crashed under
 * Xen, VMX/SMX not left on, a local APIC enabled, a sane MADT naming an
 * enabled CPU other than ours, page tables below 4 GiB, a RAM page below
 * 1 MiB), then:
 *   1. saves the low page, copies boot/smp_tramp.asm's trampoline there and
 *      fills its data block (CR3, CR0/CR4, EFER bits, stack, entry);
 *   2. INIT (assert, then deassert), 10 ms, SIPI, up to 200 us for the
 *      trampoline's "started" word, a second SIPI if it is still 0 (Intel
 *      SDM vol. 3A 9.4.4.1, "Typical BSP Initialization Sequence"), then up
 *      to SMP_STEP_US for it;
 *   3. up to SMP_STEP_US for smp_ap_main() to say it runs in 64-bit mode on
 *      its own GDT, TSS and stacks;
 *   4. puts the low page back as it was, byte for byte.
 * A step that times out gets one console line; the CPU is sent INIT again
 * (back to wait-for-SIPI, so it can never run the page after it is
 * restored) and the kernel carries on with one CPU.
 *
 * IPIs go through the mode the local APIC is in: x2APIC, the ICR MSR 0x830
 * with the 32-bit destination in bits 63:32 (SDM vol. 3A 11.12.9, with a
 * fence before it: a WRMSR to the x2APIC ICR does not wait for earlier
 * stores, 11.12.3); xAPIC, the ICR at MMIO 0x310 (destination bits 31:24)
 * then 0x300, waiting for the delivery status bit (12) to clear.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crypto/sha256.h"
#include "drivers/clock.h"
#include "formats/bootparams.h"
#include "formats/madt.h"
#include "formats/xennote.h"
#include "kernel/boot.h"
#include "kernel/cpu.h"
#include "kernel/platform.h"
#include "kernel/smp.h"

/* Each step's limit: the sign of life after the SIPIs, then 64-bit mode.
 * A healthy CPU takes microseconds (QEMU's TCG: milliseconds, more when
 * the host is busy); a second is nothing beside a dump. */
#define SMP_STEP_US		1000000u
/* smp_wait(): the longest one piece of work may take (hashing a 64 KiB
 * buffer takes a millisecond or two under TCG, microseconds on hardware). */
#define SMP_WORK_US		5000000u
#define SMP_INIT_DELAY_US	10000u	/* INIT to the first SIPI (SDM 9.4.4.1) */
#define SMP_SIPI_WAIT_US	200u	/* first SIPI to the second */
#define SMP_ICR_WAIT_US		1000u	/* xAPIC: delivery status to clear */

#define MSR_APIC_BASE		0x1B
#define APIC_BASE_EN		(1ull << 11)
#define APIC_BASE_X2		(1ull << 10)
#define APIC_BASE_BSP		(1ull << 8)
#define MSR_X2APIC_ICR		0x830
#define MSR_EFER		0xC0000080
#define MSR_FS_BASE		0xC0000100
#define EFER_LME		(1u << 8)
#define EFER_NXE		(1u << 11)
#define APIC_ICR_LO		0x300
#define APIC_ICR_HI		0x310
#define ICR_INIT		0x00000500u
#define ICR_STARTUP		0x00000600u
#define ICR_ASSERT		(1u << 14)
#define ICR_LEVEL		(1u << 15)
#define ICR_BUSY		(1u << 12)
#define CR4_PAE			(1ull << 5)
#define CR4_MCE			(1ull << 6)
#define CR4_LA57		(1ull << 12)
#define CR4_VMXE		(1ull << 13)
#define CR4_SMXE		(1ull << 14)
#define LOW_LIMIT		0xA0000ull	/* conventional memory ends at 640 KiB */

#define SEL_CODE64		0x08
#define SEL_DATA		0x10
#define SEL_CODE32		0x18
#define SEL_AP_TSS		0x30	/* the boot CPU's TSS is 0x20: STR tells them apart */

/* boot/smp_tramp.asm's data block (its TD_* offsets). */
struct tramp_data {
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t pm32_off;
	uint16_t pm32_sel;
	uint16_t pad1;
	uint32_t lm64_off;
	uint16_t lm64_sel;
	uint16_t pad2;
	uint32_t cr3;
	uint32_t cr4_32;
	uint32_t efer;
	uint32_t alive16;
	uint64_t entry;
	uint64_t stack;
	uint64_t cr0;
	uint64_t cr4;
	uint64_t gdt[4];
} __attribute__((packed));
_Static_assert(offsetof(struct tramp_data, pm32_off) == 8, "TD_PTR32");
_Static_assert(offsetof(struct tramp_data, lm64_off) == 16, "TD_PTR64");
_Static_assert(offsetof(struct tramp_data, cr3) == 24, "TD_CR3");
_Static_assert(offsetof(struct tramp_data, alive16) == 36, "TD_ALIVE16");
_Static_assert(offsetof(struct tramp_data, entry) == 40, "TD_ENTRY");
_Static_assert(offsetof(struct tramp_data, cr0) == 56, "TD_CR0");
_Static_assert(offsetof(struct tramp_data, gdt) == 72, "TD_GDT");
_Static_assert(sizeof(struct tramp_data) == 104, "TD_SIZE");

extern const uint8_t pm_ap_tramp_start[], pm_ap_tramp_end[], pm_ap_tramp_data[];
extern const uint32_t pm_ap_tramp_pm32_off, pm_ap_tramp_lm64_off;
extern const uint8_t pm_ap_entry64[];

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* The AP's work, in order: a ring of SMP_QUEUE jobs.  The boot CPU alone
 * writes posted (after the job, release), the AP alone done (after the
 * job ran, release); ticket t is done once done - t, as a signed 32-bit
 * difference, is >= 0. */
#define SMP_QUEUE		4u

/* A job's state: the AP moves QUEUED to RUNNING before it starts it, the
 * boot CPU QUEUED to CANCELLED (smp_cancel) to do the work itself; one
 * compare-and-swap each, so exactly one of them does it. */
enum { JOB_QUEUED = 1, JOB_RUNNING, JOB_CANCELLED };

static struct {
	uint32_t up;		/* written by the AP once in smp_ap_main */
	uint32_t posted;	/* jobs handed over */
	uint32_t done;		/* jobs run */
	uint32_t fault;		/* the AP took a CPU exception (then halted) */
	struct {
		void (*fn)(void *);
		void *arg;
		uint32_t state;	/* JOB_*: the AP takes it, or the boot CPU takes it back */
	} job[SMP_QUEUE];
	uint64_t fault_vector, fault_rip;
} ap __attribute__((aligned(64)));

static bool ap_ready;		/* the boot CPU's view: the AP is usable */
static bool ap_lost;		/* given up on without a delivered INIT: it may still run */
static bool ap_stall;		/* smp=test-stall */
static uint32_t ap_apic_id;
static uint64_t ap_fs_base;
static struct desc_ptr ap_idt;
static uint64_t ap_gdt[8] __attribute__((aligned(16)));
static struct cpu_tss ap_tss __attribute__((aligned(16)));
static uint8_t ap_stack[65536] __attribute__((aligned(16)));
static uint8_t ap_ist1[16384] __attribute__((aligned(16)));
static uint8_t ap_ist2[16384] __attribute__((aligned(16)));
static uint8_t low_saved[4096];

static bool x2apic;
static volatile uint32_t *lapic;

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	if (n == 0)
		__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	else if (n == 3)
		__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	else
		__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* Send one IPI; false when an xAPIC never reported it delivered. */
static bool ipi(uint32_t dest, uint32_t lo)
{
	if (x2apic) {
		__asm__ volatile("mfence; lfence" : : : "memory");
		wrmsr(MSR_X2APIC_ICR, ((uint64_t)dest << 32) | lo);
		return true;
	}
	__asm__ volatile("mfence" : : : "memory");
	lapic[APIC_ICR_HI / 4] = dest << 24;
	lapic[APIC_ICR_LO / 4] = lo;
	uint64_t t0 = clock_us();
	while (lapic[APIC_ICR_LO / 4] & ICR_BUSY) {
		if (clock_us() - t0 > SMP_ICR_WAIT_US)
			return false;
		__asm__ volatile("pause");
	}
	return true;
}

/* INIT, assert then deassert (the deassert is what older CPUs need; newer
 * ones ignore it, SDM vol. 3A 11.6.1): the CPU goes to wait-for-SIPI. */
static bool send_init(uint32_t dest)
{
	bool ok = ipi(dest, ICR_INIT | ICR_ASSERT | ICR_LEVEL);

	clock_delay_us(SMP_INIT_DELAY_US);
	return ipi(dest, ICR_INIT | ICR_LEVEL) && ok;
}

/* Wait up to us for *w to become nonzero (acquire); true if it did. */
static bool wait_word(const uint32_t *w, uint64_t us)
{
	uint64_t t0 = clock_us();

	for (;;) {
		if (__atomic_load_n(w, __ATOMIC_ACQUIRE))
			return true;
		if (clock_us() - t0 > us)
			return __atomic_load_n(w, __ATOMIC_ACQUIRE) != 0;
		__asm__ volatile("pause");
	}
}

/* The highest whole 4 KiB page in [4 KiB, 640 KiB) that the memory map
 * calls RAM; 0 when there is none.  Page 0 (the real-mode vector table and
 * the BIOS data area) is never taken. */
static uint64_t low_page(const struct bootinfo *bi)
{
	uint64_t best = 0;

	for (unsigned i = 0; i < bi->mem_count; i++) {
		const struct bootinfo_mem *m = &bi->mem[i];
		uint64_t lo = (m->base + 4095) & ~4095ull, hi;

		if (m->type != BOOTPARAMS_E820_RAM || m->len == 0 || m->base >= LOW_LIMIT)
			continue;
		hi = m->base + m->len > LOW_LIMIT ? LOW_LIMIT : m->base + m->len;
		hi &= ~4095ull;
		if (lo < 4096)
			lo = 4096;
		if (hi > lo && hi - 4096 > best)
			best = hi - 4096;
	}
	/* A RAM range must not also be listed as something else (an overlap
	 * in a hostile map): the page must be in no other type's range. */
	for (unsigned i = 0; best && i < bi->mem_count; i++) {
		const struct bootinfo_mem *m = &bi->mem[i];

		if (m->type != BOOTPARAMS_E820_RAM && m->base < best + 4096 && best < m->base + m->len)
			best = 0;
	}
	return best;
}

/*
 * Pick the AP from the MADT: the first enabled CPU that is not us, not the
 * boot CPU (BSP), and that the APIC mode can address.  INIT sent to the BSP
 * does not park it in wait-for-SIPI: it resets or hangs the machine (Linux
 * commit 151e0c7de616, "x86, apic, kexec: Add disable_cpu_apicid kernel
 * parameter").  When we are not the BSP ourselves (IA32_APIC_BASE bit 8
 * clear: the crash came from another CPU), the BSP is taken to be the
 * first processor the MADT lists, as Linux does since commit 5c5682b9f87a
 * ("x86/cpu: Detect real BSP on crash kernels": firmware enumerates the
 * real BSP first); when that first entry is us, which CPU is the BSP
 * cannot be told and none is started.  Returns 0 with *id, or a reason in
 * *why.
 */
static int pick_cpu(uint32_t self, bool self_bsp, uint32_t *id, unsigned *enabled, const char **why)
{
	size_t len = 0, off = 0;
	const void *t = platform_acpi_table("APIC", 0, &len);
	struct madt_cpu c;
	bool found = false, first = true, skipped_bsp = false;
	uint32_t bsp_id = 0xffffffffu;	/* the boot CPU's APIC ID when it is not us */
	int err;

	*enabled = 0;
	if (t == NULL) {
		*why = "not starting another CPU: no MADT (ACPI \"APIC\" table) found";
		return -ENOENT;
	}
	while ((err = madt_cpu_next(t, len, &off, &c)) == 0) {
		if (first && !self_bsp) {
			if (c.apic_id == self) {
				*why = "not starting another CPU: this CPU is not the boot CPU, yet the MADT "
				       "lists it first, so which one is cannot be told";
				return -EPERM;
			}
			if (!c.enabled) {
				*why = "not starting another CPU: this CPU is not the boot CPU and the MADT's "
				       "first CPU is disabled, so which one is cannot be told";
				return -EPERM;
			}
			bsp_id = c.apic_id;
		}
		first = false;
		/* every entry for the boot CPU (firmware may list a CPU twice, as a
		 * local APIC and as an x2APIC entry): INIT would reset the machine */
		bool bsp = !self_bsp && c.apic_id == bsp_id;

		if (!c.enabled)
			continue;
		(*enabled)++;
		if (bsp)
			skipped_bsp = true;
		if (bsp || found || c.apic_id == self || c.apic_id == 0xffffffffu)
			continue;
		if (!x2apic && c.apic_id >= 0xff)
			continue;	/* xAPIC destinations are 8 bits, 0xff broadcast */
		*id = c.apic_id;
		found = true;
	}
	if (err != -ENOENT) {
		*why = err == -EBADMSG ? "not starting another CPU: the MADT is malformed (a structure's length is wrong)" :
					 "not starting another CPU: the MADT is truncated or not a MADT";
		return -EBADMSG;
	}
	if (!found) {
		*why = *enabled <= 1 ? "no other CPU: the MADT lists only this one" :
		       skipped_bsp && *enabled == 2 ?
				"not starting another CPU: the only other one is the boot CPU, which INIT would reset" :
				"not starting another CPU: no other enabled CPU this APIC mode can address";
		return -ENOENT;
	}
	return 0;
}

/* The reason not to start a CPU, or NULL when every condition holds. */
static const char *refusal(const struct context *ctx, const struct cmdline *opts)
{
	uint32_t a, b, c, d;
	uint64_t base;
	struct xennote xn;
	struct cpu_entry ce;

	cpu_entry_info(&ce);
	if (opts->smp == CMDLINE_SMP_OFF)
		return "off (smp=off)";
	if (ctx->dump.notes && xennote_scan(ctx->dump.notes, ctx->dump.notes_len, &xn) == 0)
		return "not starting another CPU: the crash came through Xen, whose CPUs Xen parked";
	if (clock_estimated())
		return "not starting another CPU: the clock is a guess (no PIT calibration), and the "
		       "start-up sequence needs real delays";
	if (ce.cr4 & (CR4_VMXE | CR4_SMXE))
		return "not starting another CPU: we were entered with CR4.VMXE or SMXE on, so the "
		       "other CPUs may be in VMX or SMX operation, where INIT is blocked";
	cpuid(1, &a, &b, &c, &d);
	if (!(d & (1u << 9)))
		return "not starting another CPU: no local APIC";
	base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_EN))
		return "not starting another CPU: the local APIC is disabled";
	x2apic = (base & APIC_BASE_X2) != 0;
	if (!x2apic) {
		uint64_t mmio = base & 0x000ffffffffff000ull;

		if (cpu_map_phys(mmio, 4096) != 0)
			return "not starting another CPU: the local APIC page cannot be mapped";
		lapic = (volatile uint32_t *)(uintptr_t)mmio;
	}
	if ((read_cr(3) & ~0xfffull) >= (4ull << 30))
		return "not starting another CPU: our page tables are above 4 GiB, out of a "
		       "starting CPU's reach";
	return NULL;
}

/* smp=auto: what smp_start was given, for smp_want (main's, never freed). */
static struct {
	const struct context *ctx;
	const struct bootinfo *bi;
	const struct cmdline *opts;
	bool tried;
} deferred;

static void start_now(const struct context *ctx, const struct bootinfo *bi,
		      const struct cmdline *opts);

void smp_start(const struct context *ctx, const struct bootinfo *bi, const struct cmdline *opts)
{
	if (opts->smp != CMDLINE_SMP_AUTO) {
		start_now(ctx, bi, opts);
		return;
	}
	deferred.ctx = ctx;
	deferred.bi = bi;
	deferred.opts = opts;
	printf("smp: auto: one more CPU is started if the dump has work for it (smp=on: now, "
	       "smp=off: never)\n");
}

bool smp_want(void)
{
	if (deferred.opts != NULL && !deferred.tried) {
		deferred.tried = true;
		start_now(deferred.ctx, deferred.bi, deferred.opts);
	}
	return ap_ready;
}

static void start_now(const struct context *ctx, const struct bootinfo *bi,
		      const struct cmdline *opts)
{
	const size_t tlen = (size_t)(pm_ap_tramp_end - pm_ap_tramp_start);
	const size_t doff = (size_t)(pm_ap_tramp_data - pm_ap_tramp_start);
	struct cpu_entry ce;
	struct tramp_data *td;
	uint64_t page = 0, cr4, efer, t0, t_up;
	uint8_t *p;
	const uint32_t *alive16;
	uint32_t id = 0, a, b, c, d;
	unsigned enabled = 0;
	const char *why = refusal(ctx, opts);
	bool started;

	if (why != NULL) {
		printf("smp: %s\n", why);
		return;
	}
	cpu_entry_info(&ce);
	if (pick_cpu(ce.apic_id, (rdmsr(MSR_APIC_BASE) & APIC_BASE_BSP) != 0, &id, &enabled, &why) != 0) {
		printf("smp: %s\n", why);
		return;
	}
	page = low_page(bi);
	if (page == 0 || cpu_map_phys(page, 4096) != 0) {
		printf("smp: not starting another CPU: no RAM page below 640 KiB for the start-up code\n");
		return;
	}

	/* 1. the trampoline, over a saved copy of the page */
	p = (uint8_t *)(uintptr_t)page;
	memcpy(low_saved, p, sizeof(low_saved));
	memcpy(p, pm_ap_tramp_start, tlen);
	td = (struct tramp_data *)(p + doff);
	alive16 = (const uint32_t *)(const void *)(p + doff + offsetof(struct tramp_data, alive16));
	td->gdt[0] = 0;
	td->gdt[1] = 0x00AF9A000000FFFFull;	/* 0x08: 64-bit code */
	td->gdt[2] = 0x00CF92000000FFFFull;	/* 0x10: data */
	td->gdt[3] = 0x00CF9A000000FFFFull;	/* 0x18: 32-bit code */
	td->gdt_limit = sizeof(td->gdt) - 1;
	td->gdt_base = (uint32_t)(page + doff + offsetof(struct tramp_data, gdt));
	td->pm32_off = (uint32_t)page + pm_ap_tramp_pm32_off;
	td->pm32_sel = SEL_CODE32;
	td->lm64_off = (uint32_t)page + pm_ap_tramp_lm64_off;
	td->lm64_sel = SEL_CODE64;
	td->cr3 = (uint32_t)(read_cr(3) & ~0xfffull);
	cr4 = read_cr(4);
	td->cr4_32 = (uint32_t)(CR4_PAE | (cr4 & CR4_LA57));
	efer = rdmsr(MSR_EFER);
	td->efer = EFER_LME | (uint32_t)(efer & EFER_NXE);
	td->alive16 = 0;
	if (opts->smp == CMDLINE_SMP_TEST_HANG) {
		/* test switch: "jmp $" where 32-bit code starts, so the CPU
		 * gives its sign of life and then never reaches 64-bit mode */
		p[pm_ap_tramp_pm32_off] = 0xEB;
		p[pm_ap_tramp_pm32_off + 1] = 0xFE;
	}
	ap_stall = opts->smp == CMDLINE_SMP_TEST_STALL;
	td->entry = (uint64_t)(uintptr_t)pm_ap_entry64;
	td->stack = (uint64_t)(uintptr_t)(ap_stack + sizeof(ap_stack));
	td->cr0 = read_cr(0);
	td->cr4 = cr4 & ~(CR4_VMXE | CR4_SMXE);
	cpuid(1, &a, &b, &c, &d);
	if (d & (1u << 7))	/* MCE: a machine check reports instead of shutting the CPU down */
		td->cr4 |= CR4_MCE;
	ap_fs_base = rdmsr(MSR_FS_BASE);
	__asm__ volatile("sidt %0" : "=m"(ap_idt));
	__atomic_store_n(&ap.up, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ap.posted, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ap.done, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ap.fault, 0, __ATOMIC_RELAXED);

	/* 2. INIT, SIPI, SIPI */
	t0 = clock_us();
	started = send_init(id);
	if (!started) {
		why = "the local APIC never delivered the INIT";
	} else {
		uint32_t sipi = ICR_STARTUP | (uint32_t)(page >> 12);

		started = ipi(id, sipi) && wait_word(alive16, SMP_SIPI_WAIT_US);
		if (!started)
			started = ipi(id, sipi) && wait_word(alive16, SMP_STEP_US);
		if (!started)
			why = "it did not start after INIT-SIPI-SIPI";
	}
	/* 3. 64-bit mode, its own GDT, TSS and stacks */
	if (started && !wait_word(&ap.up, SMP_STEP_US)) {
		started = false;
		why = "it started but did not reach 64-bit mode";
	}
	t_up = clock_us();
	/* back to wait-for-SIPI, before the page goes back; if even that INIT
	 * is not delivered the CPU may still run from the page, so the page
	 * keeps the trampoline and the console says the dump's copy of it is
	 * ours, not the crashed system's */
	bool parked = started || send_init(id);

	/* 4. the page as it was */
	if (parked) {
		memcpy(p, low_saved, sizeof(low_saved));
		__asm__ volatile("mfence" : : : "memory");
	}
	if (!started) {
		printf("smp: CPU with APIC ID %u not used: %s (within %u ms, page 0x%llx); going on with one CPU\n",
		       id, why, SMP_STEP_US / 1000, (unsigned long long)page);
		if (!parked)
			printf("smp: the INIT to park it again was not delivered either: page 0x%llx keeps "
			       "postmortem's start-up code, and the dump shows that, not the crashed "
			       "system's bytes\n", (unsigned long long)page);
		return;
	}
	ap_ready = true;
	ap_apic_id = id;
	printf("smp: CPU with APIC ID %u started (%s, page 0x%llx, %llu us); %u CPUs enabled in the MADT\n",
	       id, x2apic ? "x2APIC" : "xAPIC", (unsigned long long)page,
	       (unsigned long long)(t_up - t0), enabled);
}

bool smp_available(void)
{
	return ap_ready;
}

/* The AP faulted while it had no work (a machine check while spinning):
 * say so once; it is halted and never used again. */
static int ap_faulted(void)
{
	ap_ready = false;
	printf("smp: the CPU with APIC ID %u took CPU exception %llu at rip 0x%llx and is halted; "
	       "going on with one CPU\n", ap_apic_id, (unsigned long long)ap.fault_vector,
	       (unsigned long long)ap.fault_rip);
	return -EFAULT;
}

/* Whether the AP has run (or skipped) the job of ticket t. */
static bool reached(uint32_t t)
{
	return (int32_t)(__atomic_load_n(&ap.done, __ATOMIC_ACQUIRE) - t) >= 0;
}

/* A job's state from JOB_QUEUED to `to` (the AP's RUNNING, the boot CPU's
 * CANCELLED), unless the other CPU moved it first. */
static bool job_move(uint32_t *state, uint32_t to)
{
	uint32_t want = JOB_QUEUED;

	return __atomic_compare_exchange_n(state, &want, to, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

unsigned smp_queued(void)
{
	return ap_ready ? ap.posted - __atomic_load_n(&ap.done, __ATOMIC_ACQUIRE) : 0;
}

bool smp_busy(void)
{
	return ap_ready && !reached(ap.posted);
}

int smp_post(void (*fn)(void *), void *arg, uint32_t *ticket)
{
	uint32_t n;

	if (!ap_ready)
		return -ENODEV;
	if (__atomic_load_n(&ap.fault, __ATOMIC_ACQUIRE))
		return ap_faulted();
	if (smp_queued() >= SMP_QUEUE)
		return -EBUSY;
	n = ap.posted;
	ap.job[n % SMP_QUEUE].fn = fn;
	ap.job[n % SMP_QUEUE].arg = arg;
	ap.job[n % SMP_QUEUE].state = JOB_QUEUED;
	__atomic_store_n(&ap.posted, n + 1, __ATOMIC_RELEASE);
	if (ticket)
		*ticket = n + 1;
	return 0;
}

int smp_run(void (*fn)(void *), void *arg)
{
	return smp_busy() ? -EBUSY : smp_post(fn, arg, NULL);
}

/* Whether ticket t's job ended within SMP_WORK_US (false: not yet, or the
 * AP faulted first). */
static bool wait_until(uint32_t t)
{
	uint64_t t0 = clock_us();

	while (!reached(t) && !__atomic_load_n(&ap.fault, __ATOMIC_ACQUIRE) &&
	       clock_us() - t0 <= SMP_WORK_US)
		__asm__ volatile("pause");
	return reached(t);
}

int smp_wait_for(uint32_t ticket)
{
	if (reached(ticket))
		return 0;		/* done, whatever became of the AP since */
	if (!ap_ready)
		return ap_lost ? -EBUSY : -ENODEV;
	if (wait_until(ticket))
		return 0;
	if (__atomic_load_n(&ap.fault, __ATOMIC_ACQUIRE))
		return ap_faulted();
	/* Hung, or held in SMM: back to wait-for-SIPI, so it never touches
	 * the work's memory again, and one CPU from here. */
	ap_ready = false;
	ap_lost = !send_init(ap_apic_id);
	printf("smp: the CPU with APIC ID %u did not finish its work within %u ms; "
	       "%s, going on with one CPU\n", ap_apic_id, SMP_WORK_US / 1000,
	       !ap_lost ? "sent INIT" :
	       "the INIT to park it was not delivered (its work is abandoned, never reused)");
	return ap_lost ? -EBUSY : -ETIMEDOUT;
}

bool smp_cancel(uint32_t ticket)
{
	/* also once the AP was given up on: a job it never started never runs */
	if (reached(ticket) || (int32_t)(ap.posted - ticket) < 0)
		return false;
	return job_move(&ap.job[(ticket - 1) % SMP_QUEUE].state, JOB_CANCELLED);
}

int smp_wait(void)
{
	return smp_wait_for(ap.posted);
}

void smp_stop(void)
{
	if (!ap_ready)
		return;
	/* work still running (never, after the dump): its limit, then INIT anyway */
	(void)wait_until(ap.posted);
	ap_ready = false;
	if (!send_init(ap_apic_id))
		printf("smp: the INIT to park the CPU with APIC ID %u again was not delivered\n",
		       ap_apic_id);
}

/* The AP, from pm_ap_entry64: own GDT and TSS, the shared IDT, the
 * stack-protector block, then the work loop. */
__attribute__((noreturn)) void smp_ap_main(void);
void smp_ap_main(void)
{
	/* The TSS at 0x30, not the boot CPU's 0x20 (ap_gdt[4..5] stay zero):
	 * smp_on_ap() reads it back with STR. */
	cpu_load_gdt_tss(ap_gdt, sizeof(ap_gdt) / sizeof(ap_gdt[0]), &ap_tss, SEL_AP_TSS,
			 ap_ist1 + sizeof(ap_ist1), ap_ist2 + sizeof(ap_ist2));
	/* FS and GS still hold the trampoline's selectors, whose GDT is in the
	 * low page given back: our data selector (FS's base follows), then
	 * the boot CPU's IDT. */
	__asm__ volatile(
		"movl %0, %%fs\n\t"
		"movl %0, %%gs\n\t"
		"lidt %1\n\t"
		: : "r"((uint32_t)SEL_DATA), "m"(ap_idt) : "memory");
	wrmsr(MSR_FS_BASE, ap_fs_base);
	__atomic_store_n(&ap.up, 1, __ATOMIC_RELEASE);
	for (;;) {
		uint32_t n = ap.done;	/* ours alone to write */

		if (__atomic_load_n(&ap.posted, __ATOMIC_ACQUIRE) == n) {
			__asm__ volatile("pause");
			continue;
		}
		/* unless taken back (smp_cancel) before it starts */
		if (job_move(&ap.job[n % SMP_QUEUE].state, JOB_RUNNING)) {
			while (ap_stall)	/* smp=test-stall: smp_wait_for's limit runs out */
				__asm__ volatile("pause");
			ap.job[n % SMP_QUEUE].fn(ap.job[n % SMP_QUEUE].arg);
		}
		__atomic_store_n(&ap.done, n + 1, __ATOMIC_RELEASE);
	}
}

bool smp_on_ap(void)
{
	uint16_t tr;

	__asm__ volatile("str %0" : "=r"(tr));
	return tr == SEL_AP_TSS;
}

void smp_ap_fault(uint64_t vector, uint64_t rip)
{
	ap.fault_vector = vector;
	ap.fault_rip = rip;
	__atomic_store_n(&ap.fault, 1, __ATOMIC_RELEASE);
	cpu_halt_forever();
}

/* smp=test: both CPUs hash the same bytes at once; the digests must match. */
struct hash_job {
	const void *buf;
	size_t len;
	uint8_t digest[SHA256_LEN];
};

static void hash_job_run(void *arg)
{
	struct hash_job *j = arg;

	crypto_sha256(j->buf, j->len, j->digest);
}

void smp_self_test(void)
{
	static struct hash_job ap_job, bsp_job;
	size_t len = (size_t)(__load_end - __image_start);
	uint64_t t0, t1, t_alone;
	int err;

	if (!ap_ready) {
		printf("smp: test: no second CPU to test (see the smp: line above)\n");
		return;
	}
	ap_job.buf = bsp_job.buf = __image_start;
	ap_job.len = bsp_job.len = len;
	memset(ap_job.digest, 0, sizeof(ap_job.digest));
	t0 = clock_us();
	hash_job_run(&bsp_job);		/* this CPU alone, for the figure */
	t_alone = clock_us() - t0;
	t0 = clock_us();
	err = smp_run(hash_job_run, &ap_job);
	if (err == 0) {
		hash_job_run(&bsp_job);
		err = smp_wait();
	}
	t1 = clock_us();
	if (err) {
		printf("smp: test FAILED: the second CPU did not run the work (%d)\n", err);
		return;
	}
	printf("smp: test %s: CPU %u and this CPU each hashed our image (%zu KiB) in parallel in %llu ms "
	       "(one alone: %llu ms); SHA-256 %02x%02x%02x%02x... %s\n",
	       memcmp(ap_job.digest, bsp_job.digest, SHA256_LEN) == 0 ? "passed" : "FAILED",
	       ap_apic_id, len >> 10, (unsigned long long)((t1 - t0) / 1000),
	       (unsigned long long)(t_alone / 1000),
	       ap_job.digest[0], ap_job.digest[1], ap_job.digest[2], ap_job.digest[3],
	       memcmp(ap_job.digest, bsp_job.digest, SHA256_LEN) == 0 ? "on both" :
	       "differs from this CPU's");
}
