/*
 * kpgtable: translate the crashed x86-64 kernel's virtual addresses to
 * physical ones by walking its own page tables (init_top_pgt), so the
 * crash kernel can read the dead kernel's data structures (mem_section,
 * struct pages) wherever KASLR and the direct map put them.
 *
 * Interface.  kpgtable_init() takes the top table's physical address and
 * paging mode from a checked struct kinfo (formats/kinfo.h) and a
 * read_phys callback that copies len bytes of the dead system's physical
 * memory at paddr into buf (0 on success, a negative errno otherwise;
 * it must refuse addresses outside RAM).  kpgtable_translate() walks 4
 * levels (PML4, PDPT, PD, PT) or 5 (PML5 first, when pgtable_l5_enabled)
 * with one 8-byte read per level, so at most 5 reads, whatever the tables
 * hold: a table that points at itself or at a loop only costs those
 * reads.  1 GiB (PDPT) and 2 MiB (PD) large pages end the walk early.
 * kpgtable_read_virt() reads a virtual range, translating each page it
 * touches; kpgtable_translate_range() describes a virtual range as
 * physically contiguous runs, page by page (a large page is taken in one
 * step), up to a caller cap on steps and runs.
 *
 * Entries: bit 0 present, bit 7 page size (in PDPT and PD only; set in
 * PML5 or PML4 is malformed), address bits 12..51 (large pages 30..51,
 * 21..51) with sme_mask (the SME encryption bit) cleared; other bits are
 * ignored.  Every table and page address must lie below 2^MAX_PHYSMEM_BITS.
 *
 * Errors: -EINVAL for a non-canonical address or NULL arguments;
 * -EFAULT for a non-present entry (not mapped); -EBADMSG for an entry
 * that cannot be right (PS in a top level, an address past the physical
 * limit); -E2BIG when a range exceeds the caller's caps; whatever
 * read_phys returned (-EIO when it returned a positive value).
 *
 * Pure: no globals, no printing, no allocation.
 */
#ifndef FORMATS_KPGTABLE_H
#define FORMATS_KPGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/kinfo.h"

#define KPGTABLE_PRESENT	0x1ull
#define KPGTABLE_PS		0x80ull
#define KPGTABLE_ADDR_MASK	0x000ffffffffff000ull
#define KPGTABLE_MAX_READS	5

typedef int (*kpgtable_read_fn)(void *ctx, uint64_t paddr, void *buf, size_t len);

struct kpgtable {
	uint64_t root;		/* physical address of the top table */
	bool l5;		/* 5-level paging */
	uint64_t sme_mask;	/* cleared from every entry */
	uint64_t phys_limit;	/* 2^MAX_PHYSMEM_BITS */
	kpgtable_read_fn read_phys;
	void *ctx;
};

/* One physically contiguous piece of a virtual range. */
struct kpgtable_run {
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t len;
};

/* Set *pt up from a kinfo that passed kinfo_check(). Returns 0 or -EINVAL. */
int kpgtable_init(struct kpgtable *pt, const struct kinfo *ki, kpgtable_read_fn read_phys,
		  void *ctx);

/* True when vaddr is canonical for the mode (48 or 57 bits sign-extended). */
bool kpgtable_canonical(const struct kpgtable *pt, uint64_t vaddr);

/*
 * Translate vaddr.  Returns 0, *paddr and (unless NULL) *map_size, the
 * size of the page that maps it (4 KiB, 2 MiB or 1 GiB).
 */
int kpgtable_translate(const struct kpgtable *pt, uint64_t vaddr, uint64_t *paddr,
		       uint64_t *map_size);

/*
 * Read len bytes at vaddr into buf, page by page.  len is capped at
 * KPGTABLE_READ_MAX (-E2BIG beyond) so the walks stay bounded.
 */
#define KPGTABLE_READ_MAX	(1u << 20)
int kpgtable_read_virt(const struct kpgtable *pt, uint64_t vaddr, void *buf, size_t len);

/*
 * Describe [vaddr, vaddr + len) as runs[0..*nruns), merging neighbours that
 * are contiguous in both spaces.  At most max_steps translations (each
 * page, or each large page, is one) and max_runs runs: -E2BIG when either
 * would be exceeded, with the runs found so far.  A page that is not
 * mapped ends the walk with -EFAULT, runs up to it kept.
 */
int kpgtable_translate_range(const struct kpgtable *pt, uint64_t vaddr, uint64_t len,
			     struct kpgtable_run *runs, size_t max_runs, size_t max_steps,
			     size_t *nruns);

#endif
