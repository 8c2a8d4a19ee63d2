/*
 * The synthetic crashed kernel the filter tests read (memsect, pagefilter
 * and kdumpfile unit tests and fuzz targets): x86-64 4-level page tables
 * with 1 GiB pages, PML4 slot 273 for the direct map (identity from 0) and
 * slot 468 for the vmemmap (struct pages from a physical base), and the
 * SPARSEMEM_EXTREME mem_section table: SYMBOL(mem_section) = SYNTH_DMAP +
 * SYNTH_ROOTS, root r at SYNTH_SECTIONS + r * 4096, 16-byte sections whose
 * section_mem_map is SYNTH_VMEMMAP | 7 (present, has a mem_map, online).
 *
 * Each test keeps what it varies (where the PML4 and the struct pages
 * are, how many sections, holes, bad roots, the struct pages themselves)
 * in its own word function and asks these for the common words.  Header
 * only: tests/unit and tests/fuzz build each file on its own.
 */
#ifndef TESTS_UNIT_SYNTH_KERNEL_H
#define TESTS_UNIT_SYNTH_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/kpgtable.h"

#define SYNTH_DMAP		0xffff888000000000ull	/* PML4 273 */
#define SYNTH_VMEMMAP		0xffffea0000000000ull	/* PML4 468 */
#define SYNTH_PDPT_DMAP		0x2000ull
#define SYNTH_PDPT_VMEMMAP	0x3000ull
#define SYNTH_ROOTS		0x10000ull
#define SYNTH_SECTIONS		0x100000ull

/*
 * The page-table word at pa (8-aligned): the PML4 at pml4, the direct
 * map's PDPT, and the vmemmap's PDPT mapping vmemmap_gib GiB of struct
 * pages from physical pages.  False when pa holds no page-table word.
 */
static inline bool synth_pgtable_word(uint64_t pml4, uint64_t pages, unsigned vmemmap_gib,
				      uint64_t pa, uint64_t *word)
{
	if (pa >= pml4 && pa < pml4 + 4096) {
		uint64_t i = (pa - pml4) / 8;

		*word = i == 273 ? SYNTH_PDPT_DMAP | KPGTABLE_PRESENT :
			i == 468 ? SYNTH_PDPT_VMEMMAP | KPGTABLE_PRESENT : 0;
		return true;
	}
	if (pa >= SYNTH_PDPT_DMAP && pa < SYNTH_PDPT_DMAP + 4096) {
		*word = ((pa - SYNTH_PDPT_DMAP) / 8) << 30 | KPGTABLE_PS | KPGTABLE_PRESENT;
		return true;
	}
	if (pa >= SYNTH_PDPT_VMEMMAP && pa < SYNTH_PDPT_VMEMMAP + 4096) {
		uint64_t i = (pa - SYNTH_PDPT_VMEMMAP) / 8;

		*word = i < vmemmap_gib ? (pages + (i << 30)) | KPGTABLE_PS | KPGTABLE_PRESENT : 0;
		return true;
	}
	return false;
}

/*
 * The mem_section word at pa for a machine whose first nsec sections are
 * all present (in (nsec + 255) / 256 roots).  False when pa is not in the
 * table's roots or sections.
 */
static inline bool synth_sections_word(uint64_t nsec, uint64_t pa, uint64_t *word)
{
	if (pa >= SYNTH_ROOTS && pa < SYNTH_ROOTS + 8 * ((nsec + 255) / 256)) {
		*word = SYNTH_DMAP + SYNTH_SECTIONS + (pa - SYNTH_ROOTS) / 8 * 4096;
		return true;
	}
	if (pa >= SYNTH_SECTIONS && pa < SYNTH_SECTIONS + 16 * nsec) {
		*word = (pa - SYNTH_SECTIONS) % 16 == 0 ? SYNTH_VMEMMAP | 0x7 : 0;
		return true;
	}
	return false;
}

/* len bytes from paddr on, each taken from the word function's words. */
static inline void synth_bytes(uint64_t (*word)(uint64_t pa), uint64_t paddr, void *buf, size_t len)
{
	uint8_t *out = buf;

	for (size_t i = 0; i < len; i++) {
		uint64_t a = paddr + i;

		out[i] = (uint8_t)(word(a & ~7ull) >> (8 * (a & 7)));
	}
}

#endif
