/*
 * memsect: find the crashed kernel's struct page for a page frame number
 * through its SPARSEMEM_EXTREME mem_section table (x86-64 Linux with
 * SPARSEMEM_VMEMMAP, the only x86-64 memory model since 4.x).
 *
 * Layout (include/linux/mmzone.h).  SYMBOL(mem_section) is the address
 * of an array of LENGTH(mem_section) root pointers; each root points at
 * SECTIONS_PER_ROOT = PAGESIZE / SIZE(mem_section) struct mem_section
 * (or is NULL: no memory there).  Section nr covers the pfns
 * [nr << PFN_SECTION_SHIFT, (nr + 1) << PFN_SECTION_SHIFT), PFN_SECTION_SHIFT
 * = SECTION_SIZE_BITS - PAGE_SHIFT.  Its section_mem_map word holds flags
 * in the low 5 bits (SECTION_MAP_MASK: bit 0 marked present, bit 1 has a
 * mem_map, then online, early, zone-device taint) and above them the
 * encoded mem_map, "address of the section's first struct page minus
 * (section start pfn * SIZE(page))", so that decoded + pfn * SIZE(page) is
 * the struct page of any pfn in the section.
 *
 * Interface.  memsect_init() binds a checked kinfo and a page-table walker
 * (formats/kpgtable.h); memsect_section() reads one section's entry (two
 * virtual reads: the root pointer and the section's word) and returns the
 * decoded mem_map; memsect_page() gives the struct page address of a pfn.
 * Everything is bounded: a section number is checked against the roots
 * LENGTH(mem_section) allows and against MAX_PHYSMEM_BITS before any read.
 *
 * Errors: -ENOENT for a section without memory (NULL root, flags without
 * present and has-mem_map, zero map); -ERANGE for a section or pfn past
 * the limits; -EBADMSG for a root or map that is no kernel address;
 * -EINVAL for NULL arguments; the walker's errors for failed reads.
 *
 * Pure: no globals, no printing, no allocation.
 */
#ifndef FORMATS_MEMSECT_H
#define FORMATS_MEMSECT_H

#include <stdint.h>

#include "formats/kinfo.h"
#include "formats/kpgtable.h"

#define MEMSECT_MARKED_PRESENT	0x1ull
#define MEMSECT_HAS_MEM_MAP	0x2ull
#define MEMSECT_MAP_MASK	(~0x1full)

struct memsect {
	const struct kinfo *ki;
	const struct kpgtable *pt;
	uint64_t per_root;		/* sections per root */
	uint64_t nr_sections;		/* roots * per_root, capped by MAX_PHYSMEM_BITS */
	unsigned pfn_section_shift;	/* SECTION_SIZE_BITS - PAGE_SHIFT */
};

int memsect_init(struct memsect *ms, const struct kinfo *ki, const struct kpgtable *pt);

/* Decoded mem_map of section nr (add pfn * SIZE(page) for a pfn in it). */
int memsect_section(const struct memsect *ms, uint64_t nr, uint64_t *mem_map);

/* Virtual address of pfn's struct page. */
int memsect_page(const struct memsect *ms, uint64_t pfn, uint64_t *page_vaddr);

#endif
