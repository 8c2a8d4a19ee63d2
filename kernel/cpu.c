/*
 * CPU set-up: GDT + TSS, IDT, identity page tables, FS base.
 *
 * Runs once from kmain on the C stack, still on the page tables the boot
 * path left (ours from boot/entry32.asm, or kexec's, which identity-map
 * RAM).  Everything it builds lives in our .bss, inside the image, so it
 * touches no memory that belongs to the dump.
 *
 * Page tables: one PML4; a PDPT per 512 GiB region in use, from a pool
 * (PCI BARs of 64-bit devices often sit far above RAM, so any address of
 * the canonical lower half, below 2^47, can be mapped).  The first 4 GiB are
 * mapped at start with 2 MiB pages (the
 * firmware tables, the framebuffer and a 32-bit loader's world all live
 * there), as is our own image wherever it sits; cpu_map_phys() maps more on
 * demand, with 1 GiB pages where the CPU has them (CPUID 0x80000001
 * EDX.Page1GB) and 2 MiB pages from a fixed pool of page directories
 * otherwise.  Intel SDM vol. 3A 4.5 (4-level paging).
 *
 * The upper half (PML4 entries 256-511) holds nothing of ours but what
 * cpu_map_virt() puts there: EFI runtime regions at the virtual addresses
 * a previous OS gave them with SetVirtualAddressMap (kernel/efirt.c), with
 * 4 KiB pages from a pool of page tables where a region does not fill an
 * aligned 2 MiB.  The identity map stops at 2^47 so the two never share a
 * table.  Every page is present, writable and executable, which is what
 * firmware code and data both need; no entry sets XD, so the tables are
 * valid whether EFER.NXE is on or off (it is left as the boot path set it).
 * Every page is a supervisor page, so CR4.SMEP/SMAP would not matter; the
 * entry code clears them anyway (docs/kexec.md, entry states).
 *
 * 5-level paging: a crashed kernel that ran with CR4.LA57 hands it over
 * set, and LA57 cannot be cleared in long mode (leaving it takes a
 * trampoline below 4 GiB, and every low page outside our image belongs to
 * the dump).  So when LA57 is on, a PML5 sits above the same PML4: entry 0
 * (the lower half) and entry 511 (the upper half, where kernel/efirt.c's
 * addresses are) both point at it.  The addresses we use mean the same in
 * either mode; the aliases the shared PML4 adds (the identity map again at
 * 0xff80000000000000, the upper half again at 2^47) are never used.  Intel
 * SDM vol. 3A 4.5.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "drivers/io.h"
#include "kernel/cpu.h"
#include "kernel/boot.h"

#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)	/* with PWT: UC under the power-on PAT */
#define PTE_PS		(1ull << 7)
#define PTE_ADDR	0x000ffffffffff000ull	/* bits 12-51 of a PTE or table entry */
#define PTE_ADDR_2M	0x000fffffffe00000ull	/* bits 21-51 of a 2 MiB PDE (12 is PAT) */
#define PAGE_4K		4096ull
#define PAGE_2M		(2ull << 20)
#define PAGE_1G		(1ull << 30)
#define PD_POOL		64		/* 2 MiB-page directories: 64 GiB */
#define PDPT_POOL	16		/* 512 GiB regions in use at once */
#define PT_POOL		16		/* 4 KiB-page tables for cpu_map_virt (a runtime map needs a few) */
#define MAP_LIMIT	(1ull << 47)	/* identity addresses must be canonical */
#define UPPER_HALF	0xffff800000000000ull	/* first canonical upper-half address */
#define PHYS_LIMIT	(1ull << 52)	/* the architectural MAXPHYADDR limit */

#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x20
#define IST_STACK_SIZE	16384
#define CR4_LA57	(1ull << 12)

_Static_assert(sizeof(struct cpu_tss) == 104, "cpu_tss");
_Static_assert(offsetof(struct cpu_tss, ist) == 0x24, "cpu_tss.ist");

/* Intel SDM vol. 3A 7.14.1, figure 7-8: 64-bit IDT gate descriptor. */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "idt_gate");

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pml5[512] __attribute__((aligned(4096)));
static bool la57;
static uint64_t pdpt_pool[PDPT_POOL][512] __attribute__((aligned(4096)));
static unsigned pdpt_used;
static uint64_t pd_pool[PD_POOL][512] __attribute__((aligned(4096)));
static unsigned pd_used;
static uint64_t pt_pool[PT_POOL][512] __attribute__((aligned(4096)));
static unsigned pt_used;
static int have_1g_pages;

static uint64_t gdt[7] __attribute__((aligned(16)));
static struct cpu_tss tss __attribute__((aligned(16)));
static struct idt_gate idt[32] __attribute__((aligned(16)));
static uint8_t ist1_stack[IST_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t ist2_stack[IST_STACK_SIZE] __attribute__((aligned(16)));	/* NMI */

/* Thread-control block FS points at: prebuilt library objects compiled
 * with -fstack-protector read their canary at %fs:0x28. */
static uint64_t tcb[8] __attribute__((aligned(64)));

extern const uint64_t pm_isr_table[32];
extern const uint64_t pm_entry_state[3];	/* boot/entry64.asm: CR0, CR4, EFER */

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* The PDPT for addr's 512 GiB region, allocated on first use; NULL when
 * the pool is empty (alloc false: NULL when there is none yet). */
static uint64_t *pdpt_for(uint64_t addr, bool alloc)
{
	unsigned i = (unsigned)(addr >> 39) & 511;
	uint64_t *t;

	if (pml4[i] & PTE_P)
		return (uint64_t *)(uintptr_t)(pml4[i] & ~0xfffull);
	if (!alloc || pdpt_used == PDPT_POOL)
		return NULL;
	t = pdpt_pool[pdpt_used++];
	memset(t, 0, 4096);
	pml4[i] = (uint64_t)(uintptr_t)t | PTE_P | PTE_W;
	return t;
}

static int map_2m(uint64_t addr)
{
	uint64_t *pdpt = pdpt_for(addr, true);
	unsigned i = (unsigned)(addr >> 30) & 511;
	uint64_t *pd;

	if (pdpt == NULL)
		return -ENOMEM;

	if (!(pdpt[i] & PTE_P)) {
		if (pd_used == PD_POOL)
			return -ENOMEM;
		pd = pd_pool[pd_used++];
		memset(pd, 0, 4096);
		pdpt[i] = (uint64_t)(uintptr_t)pd | PTE_P | PTE_W;
	} else if (pdpt[i] & PTE_PS) {
		return 0;		/* inside a 1 GiB page already */
	}
	pd = (uint64_t *)(uintptr_t)(pdpt[i] & ~0xfffull);
	pd[(addr >> 21) & 511] = (addr & ~(PAGE_2M - 1)) | PTE_P | PTE_W | PTE_PS;
	return 0;
}

/*
 * Guarded memory (the test switch pm.test=unaccepted-guard): whole 2 MiB
 * pages taken out of the identity map that cpu_map_phys() never maps
 * again, so any touch faults, as touching unaccepted memory would kill a
 * TDX or SEV-SNP guest (docs/unaccepted.md).
 */
#define GUARD_MAX	64
static struct { uint64_t start, end; } guards[GUARD_MAX];
static unsigned guard_count;

/* Does any guard overlap [a, a + len)? */
static bool guarded(uint64_t a, uint64_t len)
{
	for (unsigned g = 0; g < guard_count; g++)
		if (a < guards[g].end && guards[g].start < a + len)
			return true;
	return false;
}

/* Take the 2 MiB page at a out of the identity map (a 1 GiB page around
 * it is split into 2 MiB pages first). */
static int unmap_2m(uint64_t a)
{
	uint64_t *pdpt = pdpt_for(a, false), *pd;
	unsigned i = (unsigned)(a >> 30) & 511;

	if (pdpt == NULL || !(pdpt[i] & PTE_P))
		return 0;
	if (pdpt[i] & PTE_PS) {
		uint64_t base = pdpt[i] & PTE_ADDR & ~(PAGE_1G - 1);

		if (pd_used == PD_POOL)
			return -ENOMEM;
		pd = pd_pool[pd_used++];
		for (unsigned k = 0; k < 512; k++)
			pd[k] = (base + k * PAGE_2M) | PTE_P | PTE_W | PTE_PS;
		pdpt[i] = (uint64_t)(uintptr_t)pd | PTE_P | PTE_W;
	}
	pd = (uint64_t *)(uintptr_t)(pdpt[i] & PTE_ADDR);
	pd[(a >> 21) & 511] = 0;
	return 0;
}

int64_t cpu_guard_phys(uint64_t addr, uint64_t len)
{
	uint64_t start = (addr + PAGE_2M - 1) & ~(PAGE_2M - 1), end = (addr + len) & ~(PAGE_2M - 1);
	int err = 0;

	if (addr + len < addr || addr + len > MAP_LIMIT || addr > UINT64_MAX - PAGE_2M)
		return -ERANGE;
	if (start >= end)
		return 0;
	if (guard_count == GUARD_MAX)
		return -ENOSPC;
	guards[guard_count].start = start;
	guards[guard_count++].end = end;
	for (uint64_t a = start; a < end && err == 0; a += PAGE_2M)
		err = unmap_2m(a);
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
	return err ? err : (int64_t)(end - start);
}

/* Is the 2 MiB at a (aligned) identity-mapped already, by a 1 GiB page or
 * a 2 MiB one? */
static bool mapped_2m(const uint64_t *pdpt, uint64_t a)
{
	uint64_t e = pdpt[(a >> 30) & 511], pde;

	if (!(e & PTE_P))
		return false;
	if (e & PTE_PS)
		return true;
	pde = ((const uint64_t *)(uintptr_t)(e & PTE_ADDR))[(a >> 21) & 511];
	return (pde & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS) && (pde & PTE_ADDR_2M) == a;
}

int cpu_map_phys(uint64_t addr, uint64_t len)
{
	uint64_t end, a;
	bool changed = false;

	if (len == 0)
		return 0;
	if (addr + len < addr || addr + len > MAP_LIMIT)
		return -ERANGE;
	end = addr + len;
	for (a = addr & ~(PAGE_2M - 1); a < end; a += PAGE_2M) {
		uint64_t *pdpt = pdpt_for(a, true);
		unsigned i = (unsigned)(a >> 30) & 511;

		if (pdpt == NULL)
			return -ENOMEM;
		if (guard_count && guarded(a, PAGE_2M))
			continue;	/* left unmapped: a touch faults */
		if (mapped_2m(pdpt, a))
			continue;	/* nothing to add (the dump's every page read) */
		changed = true;
		if (have_1g_pages && !(pdpt[i] & PTE_P) &&
		    !(guard_count && guarded(a & ~(PAGE_1G - 1), PAGE_1G))) {
			pdpt[i] = (a & ~(PAGE_1G - 1)) | PTE_P | PTE_W | PTE_PS;
			continue;
		}
		int err = map_2m(a);
		if (err)
			return err;
	}
	/* Reload CR3 when an entry was added: only additions, but a stale
	 * not-present entry may be cached in the paging-structure caches
	 * (SDM vol. 3A 4.10.4.3).  Not otherwise: under emulation a CR3 write
	 * empties the whole TLB, and the dump maps every page it reads. */
	if (changed)
		__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
	return 0;
}

/* The page directory for va's 1 GiB, allocated on first use; NULL when a
 * pool is empty or a 1 GiB page covers va. */
static uint64_t *pd_for(uint64_t va)
{
	uint64_t *pdpt = pdpt_for(va, true);
	unsigned i = (unsigned)(va >> 30) & 511;
	uint64_t *pd;

	if (pdpt == NULL || (pdpt[i] & PTE_PS))
		return NULL;
	if (!(pdpt[i] & PTE_P)) {
		if (pd_used == PD_POOL)
			return NULL;
		pd = pd_pool[pd_used++];
		memset(pd, 0, 4096);
		pdpt[i] = (uint64_t)(uintptr_t)pd | PTE_P | PTE_W;
	}
	return (uint64_t *)(uintptr_t)(pdpt[i] & PTE_ADDR);
}

/* Map the 4 KiB page at va to pa; an existing different mapping is -EEXIST. */
static int map_4k(uint64_t *pde, uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *pt, *pte;

	if (*pde & PTE_PS)	/* a 2 MiB page already: fine if it says the same */
		return (*pde & PTE_ADDR_2M) + (va & (PAGE_2M - 1)) == pa ? 0 : -EEXIST;
	if (!(*pde & PTE_P)) {
		if (pt_used == PT_POOL)
			return -ENOMEM;
		pt = pt_pool[pt_used++];
		memset(pt, 0, 4096);
		*pde = (uint64_t)(uintptr_t)pt | PTE_P | PTE_W;
	}
	pt = (uint64_t *)(uintptr_t)(*pde & PTE_ADDR);
	pte = &pt[(va >> 12) & 511];
	if (*pte & PTE_P)
		return (*pte & PTE_ADDR) == pa ? 0 : -EEXIST;
	*pte = pa | flags;
	return 0;
}

int cpu_map_virt(uint64_t va, uint64_t pa, uint64_t len, bool uncached)
{
	uint64_t flags = PTE_P | PTE_W | (uncached ? PTE_PCD | PTE_PWT : 0);
	uint64_t off, step;
	int err = 0;

	if (len == 0)
		return 0;
	if (va < UPPER_HALF || ((va | pa | len) & (PAGE_4K - 1)) || len - 1 > UINT64_MAX - va ||
	    pa >= PHYS_LIMIT || len > PHYS_LIMIT - pa)
		return -ERANGE;
	for (off = 0; off < len && err == 0; off += step) {
		uint64_t v = va + off, p = pa + off;
		uint64_t *pd = pd_for(v), *pde;

		if (pd == NULL)
			return -ENOMEM;
		pde = &pd[(v >> 21) & 511];
		step = PAGE_4K;
		if (((v | p) & (PAGE_2M - 1)) == 0 && len - off >= PAGE_2M && !(*pde & PTE_P)) {
			*pde = p | flags | PTE_PS;
			step = PAGE_2M;
		} else {
			err = map_4k(pde, v, p, flags);
		}
	}
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
	return err;
}

bool cpu_is_mapped(uint64_t addr, uint64_t len)
{
	uint64_t a, end = addr + len;

	if (end < addr || end > MAP_LIMIT)
		return false;
	for (a = addr & ~(PAGE_2M - 1); a < end; a += PAGE_2M) {
		uint64_t *pdpt = pdpt_for(a, false);
		uint64_t e = pdpt ? pdpt[(a >> 30) & 511] : 0;

		if (!(e & PTE_P))
			return false;
		if (e & PTE_PS)
			continue;
		if (!(((uint64_t *)(uintptr_t)(e & ~0xfffull))[(a >> 21) & 511] & PTE_P))
			return false;
	}
	return true;
}

static void paging_init(uint64_t load_base)
{
	uint32_t a, b, c, d;
	uint64_t cr4, *top;

	cpuid(0x80000000, &a, &b, &c, &d);
	if (a >= 0x80000001) {
		cpuid(0x80000001, &a, &b, &c, &d);
		have_1g_pages = (d >> 26) & 1;
	}
	/* Before CR3 switches, the page tables in force map .bss (it is part
	 * of the image), so building ours there is safe. */
	cpu_map_phys(0, 4ull << 30);
	cpu_map_phys(load_base, (uint64_t)(__image_end - __image_start));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	la57 = (cr4 & CR4_LA57) != 0;
	top = pml4;
	if (la57) {
		pml5[0] = (uint64_t)(uintptr_t)pml4 | PTE_P | PTE_W;
		pml5[511] = (uint64_t)(uintptr_t)pml4 | PTE_P | PTE_W;
		top = pml5;
	}
	__asm__ volatile("mov %0, %%cr3" : : "r"((uint64_t)(uintptr_t)top) : "memory");
}

int cpu_paging_levels(void)
{
	return la57 ? 5 : 4;
}

/* One 64-bit draw; false when the generator had none after the retries. */
static bool rand64(bool seed, uint64_t *v)
{
	for (int tries = 0; tries < (seed ? 100 : 10); tries++) {
		uint64_t x;
		uint8_t ok;

		if (seed)
			__asm__ volatile("rdseed %0; setc %1" : "=r"(x), "=qm"(ok) : : "cc");
		else
			__asm__ volatile("rdrand %0; setc %1" : "=r"(x), "=qm"(ok) : : "cc");
		if (ok && x != 0 && x != ~0ull) {
			*v = x;
			return true;
		}
		__asm__ volatile("pause");
	}
	return false;
}

size_t cpu_hw_random(uint8_t *out, size_t len, const char **source)
{
	uint32_t a, b, c, d, max;
	bool seed = false, rand = false;
	size_t got = 0;

	cpuid(0, &max, &b, &c, &d);
	cpuid(1, &a, &b, &c, &d);
	rand = (c >> 30) & 1;
	if (max >= 7) {
		cpuid(7, &a, &b, &c, &d);
		seed = (b >> 18) & 1;
	}
	*source = seed ? "RDSEED" : rand ? "RDRAND" : "none";
	while (got < len && (seed || rand)) {
		uint64_t v;
		size_t n = len - got < 8 ? len - got : 8;

		/* RDSEED may run dry under load: RDRAND then, when there is one */
		if (!(seed && rand64(true, &v)) && !(rand && rand64(false, &v)))
			break;
		memcpy(out + got, &v, n);
		got += n;
	}
	return got;
}

bool cpu_has_aesni(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return (c >> 25) & 1;
}

void cpu_entry_info(struct cpu_entry *e)
{
	uint32_t a, b, c, d, max;
	uint64_t base;

	e->cr0 = pm_entry_state[0];
	e->cr4 = pm_entry_state[1];
	e->efer = pm_entry_state[2];
	e->paging_levels = cpu_paging_levels();
	cpuid(0, &max, &b, &c, &d);
	cpuid(1, &a, &b, &c, &d);
	e->apic_id = b >> 24;
	if (!(d & (1u << 9))) {
		e->apic_mode = "no APIC";
		return;
	}
	if (max >= 0xb) {
		uint32_t id;

		cpuid(0xb, &a, &b, &c, &id);
		if (b != 0)		/* leaf 0xB implemented: the full x2APIC ID */
			e->apic_id = id;
	}
	/* IA32_APIC_BASE (SDM vol. 3A 11.4.4): EN bit 11, EXTD bit 10 */
	base = rdmsr(0x1B);
	e->apic_mode = !(base & (1u << 11)) ? "APIC disabled" :
		       (base & (1u << 10)) ? "x2APIC" : "xAPIC";
}

void cpu_load_gdt_tss(uint64_t *gdt_out, size_t entries, struct cpu_tss *t, uint16_t tss_sel,
		      uint8_t *ist1_top, uint8_t *ist2_top)
{
	uint64_t base = (uint64_t)(uintptr_t)t;
	uint64_t limit = sizeof(*t) - 1;
	size_t at = tss_sel / 8;
	struct desc_ptr gp;

	for (size_t i = 0; i < entries; i++)
		gdt_out[i] = 0;
	gdt_out[1] = 0x00AF9A000000FFFFull;	/* 0x08: 64-bit code */
	gdt_out[2] = 0x00CF92000000FFFFull;	/* 0x10: data */
	gdt_out[3] = 0x00CF9A000000FFFFull;	/* 0x18: 32-bit code */
	/* the 64-bit TSS descriptor, 16 bytes (SDM vol. 3A 8.2.3) */
	gdt_out[at] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		      ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt_out[at + 1] = base >> 32;
	t->ist[0] = (uint64_t)(uintptr_t)ist1_top;
	t->ist[1] = (uint64_t)(uintptr_t)ist2_top;
	t->iomap_base = sizeof(*t);

	gp.limit = (uint16_t)(entries * sizeof(*gdt_out) - 1);
	gp.base = (uint64_t)(uintptr_t)gdt_out;
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"ltr %w3\n\t"
		: : "m"(gp), "i"(SEL_CODE64), "i"(SEL_DATA), "r"(tss_sel)
		: "rax", "memory");
}

static void idt_init(void)
{
	struct desc_ptr ip;

	for (unsigned v = 0; v < 32; v++) {
		uint64_t h = pm_isr_table[v];

		idt[v].offset_lo = (uint16_t)h;
		idt[v].selector = SEL_CODE64;
		idt[v].ist = v == 2 ? 2 : 1;	/* an NMI must not reuse a fault's stack */
		idt[v].type_attr = 0x8E;	/* present, DPL 0, interrupt gate */
		idt[v].offset_mid = (uint16_t)(h >> 16);
		idt[v].offset_hi = (uint32_t)(h >> 32);
		idt[v].reserved = 0;
	}
	ip.limit = sizeof(idt) - 1;
	ip.base = (uint64_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(ip));
}

void cpu_init(uint64_t load_base)
{
	cpu_load_gdt_tss(gdt, sizeof(gdt) / sizeof(gdt[0]), &tss, SEL_TSS,
			 ist1_stack + sizeof(ist1_stack), ist2_stack + sizeof(ist2_stack));
	idt_init();
	tcb[0] = (uint64_t)(uintptr_t)tcb;		/* %fs:0 self pointer */
	tcb[5] = 0x5f6d705f63616e61ull ^ cpu_rdtsc();	/* %fs:0x28 canary */
	wrmsr(0xC0000100, (uint64_t)(uintptr_t)tcb);	/* IA32_FS_BASE */
	paging_init(load_base);
}

/*
 * pm.test=reentry: the state a crashed kernel or another loader could
 * leave, as far as this CPU has the features (CPUID), for the 64-bit entry
 * to cope with.  Our pages are supervisor pages, so SMEP/SMAP/PKE change
 * nothing for the code that still runs here.  The copy is entered with
 * RFLAGS.IF set; so that no interrupt can arrive through the foreign IDT
 * before the entry's cli (which would reset the machine, not test the
 * entry), both 8259 PICs are masked and the local APIC's timer and LINT0
 * (where the firmware routes the PIC) masked first.
 */
#define CR0_TS		(1ull << 3)
#define CR4_PGE		(1ull << 7)
#define CR4_UMIP	(1ull << 11)
#define CR4_FSGSBASE	(1ull << 16)
#define CR4_PCIDE	(1ull << 17)
#define CR4_OSXSAVE	(1ull << 18)
#define CR4_SMEP	(1ull << 20)
#define CR4_SMAP	(1ull << 21)
#define CR4_PKE		(1ull << 22)
#define CR4_CET		(1ull << 23)
#define CR4_PKS		(1ull << 24)
#define EFER_NXE	(1ull << 11)
#define MSR_APIC_BASE	0x1B
#define APIC_BASE_EN	(1ull << 11)
#define APIC_BASE_X2	(1ull << 10)
#define APIC_LVT_TIMER	0x320		/* xAPIC MMIO offsets; x2APIC MSR 0x800 + off / 16 */
#define APIC_LVT_LINT0	0x350
#define APIC_LVT_MASKED	(1u << 16)
#define PIC1_DATA	0x21
#define PIC2_DATA	0xA1
#define MSR_EFER	0xC0000080
#define MSR_GS_BASE	0xC0000101

static struct {
	uint64_t cr4_set;
	bool nxe, x2apic;
} hostile;

/* A GDT not laid out like ours: 64-bit code at 0x30, data at 0x38. */
static uint64_t hostile_gdt[8] __attribute__((aligned(16))) = {
	0, 0x00CF92000000FFFFull, 0x00CF9A000000FFFFull, 0, 0, 0,
	0x00AF9A000000FFFFull, 0x00CF92000000FFFFull,
};

static void hostile_add(char *buf, size_t n, const char *what)
{
	size_t l = strlen(buf);

	if (l + 1 < n)
		snprintf(buf + l, n - l, "%s%s", l ? " " : "", what);
}

void cpu_hostile_describe(char *buf, size_t n)
{
	static const struct { int reg, bit; uint64_t cr4; const char *name; } feats[] = {
		{ 3, 13, CR4_PGE, "PGE" }, { 2, 17, CR4_PCIDE, "PCIDE" },
		{ 2, 26, CR4_OSXSAVE, "OSXSAVE" }, { 5, 0, CR4_FSGSBASE, "FSGSBASE" },
		{ 5, 7, CR4_SMEP, "SMEP" }, { 5, 20, CR4_SMAP, "SMAP" },
		{ 6, 2, CR4_UMIP, "UMIP" }, { 6, 3, CR4_PKE, "PKE" },
		{ 6, 7, CR4_CET, "CET" }, { 6, 31, CR4_PKS, "PKS" },
	};
	uint32_t r[8] = { 0 }, max, x;	/* r[2], r[3]: leaf 1 ECX, EDX; r[5], r[6]: leaf 7 EBX, ECX */

	buf[0] = '\0';
	cpuid(0, &max, &x, &x, &x);
	cpuid(1, &x, &x, &r[2], &r[3]);
	if (max >= 7)
		cpuid(7, &x, &r[5], &r[6], &x);
	hostile_add(buf, n, "CR4");
	for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++)
		if (r[feats[i].reg] & (1u << feats[i].bit)) {
			hostile.cr4_set |= feats[i].cr4;
			hostile_add(buf, n, feats[i].name);
		}
	hostile_add(buf, n, "on, CR0.TS on,");
	cpuid(0x80000001, &x, &x, &x, &r[7]);
	hostile.nxe = (r[7] >> 20) & 1;
	if (hostile.nxe)
		hostile_add(buf, n, "EFER.NXE on,");
	hostile.x2apic = (r[2] >> 21) & 1 && (rdmsr(MSR_APIC_BASE) & (1u << 11));
	hostile_add(buf, n, hostile.x2apic ? "x2APIC mode," : "xAPIC (no x2APIC here),");
	hostile_add(buf, n, "a foreign GDT and IDT, RSP 0, RFLAGS.DF and IF set (8259 PICs, "
		    "LAPIC timer and LINT0 masked");
	hostile_add(buf, n, hostile.x2apic ? "through the x2APIC MSRs)" : "through the xAPIC page)");
}

/* Nothing may interrupt between the sti below and the copy's cli. */
static void hostile_mask_interrupts(void)
{
	static const uint32_t lvts[] = { APIC_LVT_TIMER, APIC_LVT_LINT0 };
	uint32_t x, edx;
	uint64_t apic, base;

	outb(PIC2_DATA, 0xff);
	outb(PIC1_DATA, 0xff);
	cpuid(1, &x, &x, &x, &edx);
	if (!(edx & (1u << 9)))		/* no local APIC, no IA32_APIC_BASE */
		return;
	apic = rdmsr(MSR_APIC_BASE);
	base = apic & ~0xfffull & ((1ull << 52) - 1);
	if (!(apic & APIC_BASE_EN))
		return;
	for (size_t i = 0; i < sizeof(lvts) / sizeof(lvts[0]); i++) {
		if (apic & APIC_BASE_X2) {
			uint32_t msr = 0x800 + lvts[i] / 16;

			wrmsr(msr, rdmsr(msr) | APIC_LVT_MASKED);
		} else if (cpu_is_mapped(base, 0x1000) || cpu_map_phys(base, 0x1000) == 0) {
			volatile uint32_t *r = (volatile uint32_t *)(uintptr_t)(base + lvts[i]);

			*r |= APIC_LVT_MASKED;
		}
	}
}

void cpu_enter_hostile(uint64_t entry, uint64_t rsi)
{
	uint64_t cr4, top = cpu_read_cr3() & PTE_ADDR;
	struct desc_ptr gp = { sizeof(hostile_gdt) - 1, (uint64_t)(uintptr_t)hostile_gdt };
	struct desc_ptr ip = { 0xfff, 0 };	/* the real-mode vector table as an IDT */

	/* x2APIC mode first (xAPIC to x2APIC keeps the LVT registers, SDM
	 * vol. 3A 11.12.5), so that the masking goes through the x2APIC MSRs
	 * where the CPU has them and through the xAPIC page elsewhere. */
	if (hostile.x2apic)
		wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_X2);
	hostile_mask_interrupts();
	if (hostile.nxe)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	wrmsr(0xC0000100, 0xdead0000ull);	/* FS and GS bases somewhere else */
	wrmsr(MSR_GS_BASE, 0xdead1000ull);
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= hostile.cr4_set;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	if (hostile.cr4_set & CR4_PCIDE)	/* a CR3 with a PCID in its low bits */
		__asm__ volatile("mov %0, %%cr3" : : "r"(top | 1) : "memory");
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq $0x30\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl $0x38, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"lidt %1\n\t"
		"movq %%cr0, %%rax\n\t"
		"orq %4, %%rax\n\t"
		"movq %%rax, %%cr0\n\t"	/* no SSE from here on */
		"std\n\t"
		"sti\n\t"
		"xorl %%esp, %%esp\n\t"
		"jmp *%2\n\t"
		: : "m"(gp), "m"(ip), "r"(entry), "S"(rsi), "i"(CR0_TS) : "rax", "memory");
	__builtin_unreachable();
}
