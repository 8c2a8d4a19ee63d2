/*
 * kinfo: the crashed x86-64 Linux kernel's layout facts that page
 * filtering needs, read from its VMCOREINFO text (docs/filtering.md).
 *
 * Interface.  kinfo_read() looks up every key in the table below with
 * formats/elfcorehdr.h's elfcorehdr_vmcoreinfo_u64() (so numbers are read
 * in the base Linux prints them with), stores each value in v[] and marks
 * it in `have`, copies OSRELEASE, then runs kinfo_check().  Both return
 * NULL when the set is usable, otherwise a static one-line reason that
 * names the first missing, malformed or implausible key.  Every value is
 * treated as hostile: the checks bound each number to what an x86-64
 * Linux can print (PAGESIZE 4096, SIZE(page) and every OFFSET(page.*)
 * plus its field size inside it, SECTION_SIZE_BITS < MAX_PHYSMEM_BITS <=
 * 52, consistent page-type values...), so the page-table walk
 * (formats/kpgtable.h), the mem_section walk (formats/memsect.h) and the
 * classifier (formats/pageclass.h) may use them without further checks.
 *
 * Page types.  Linux marks free (buddy), offline, hugetlb, slab and
 * unaccepted pages by a value in page._mapcount (which is page_type in
 * the same union).  Up to 6.11 the value is ~PG_x (one clear bit: buddy
 * -129, offline -257, ...) and the whole 32-bit word must match; from
 * 6.12 it is PGTY_x << 24 and only the top byte names the type.  Linux
 * prints either as a signed long (NUMBER(...)=%ld), some builds as the
 * unsigned 32-bit number; kinfo_mapcount_value() gives the 32 bits either
 * way and kinfo.page_types says which scheme the buddy value uses.
 *
 * Pure: no globals, no printing, no allocation; builds into the kernel,
 * the host tool and the tests.
 */
#ifndef FORMATS_KINFO_H
#define FORMATS_KINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KINFO_PAGE_SIZE		4096
#define KINFO_PAGE_SHIFT	12
#define KINFO_START_KERNEL_MAP	0xffffffff80000000ull	/* __START_KERNEL_map */
#define KINFO_KERNEL_HALF	0xff00000000000000ull	/* lowest kernel VA, 5-level */
#define KINFO_KERNEL_IMAGE_MAX	0x40000000ull	/* KERNEL_IMAGE_SIZE with KASLR */
#define KINFO_OSRELEASE_LEN	65		/* __NEW_UTS_LEN + 1 */
#define KINFO_PAGE_STRUCT_MIN	40
#define KINFO_PAGE_STRUCT_MAX	256
#define KINFO_MAX_FREE_ORDERS	20		/* LENGTH(zone.free_area) cap */

/* The keys, in table order; v[] and `have` are indexed by these. */
enum kinfo_key {
	KINFO_PAGESIZE,			/* PAGESIZE */
	KINFO_KERNELOFFSET,		/* KERNELOFFSET (KASLR slide) */
	KINFO_PHYS_BASE,		/* NUMBER(phys_base) */
	KINFO_INIT_TOP_PGT,		/* SYMBOL(init_top_pgt) */
	KINFO_L5,			/* NUMBER(pgtable_l5_enabled); absent: 0 */
	KINFO_SME_MASK,			/* NUMBER(sme_mask); absent: 0 */
	KINFO_MEM_SECTION,		/* SYMBOL(mem_section): root array VA */
	KINFO_MEM_SECTION_LEN,		/* LENGTH(mem_section): roots */
	KINFO_MEM_SECTION_SIZE,		/* SIZE(mem_section) */
	KINFO_OFF_SECTION_MEM_MAP,	/* OFFSET(mem_section.section_mem_map) */
	KINFO_SECTION_SIZE_BITS,	/* NUMBER(SECTION_SIZE_BITS) */
	KINFO_MAX_PHYSMEM_BITS,		/* NUMBER(MAX_PHYSMEM_BITS) */
	KINFO_SIZE_PAGE,		/* SIZE(page) */
	KINFO_OFF_FLAGS,		/* OFFSET(page.flags), 8 bytes */
	KINFO_OFF_REFCOUNT,		/* OFFSET(page._refcount), 4 */
	KINFO_OFF_MAPPING,		/* OFFSET(page.mapping), 8 */
	KINFO_OFF_LRU,			/* OFFSET(page.lru), 16 */
	KINFO_OFF_MAPCOUNT,		/* OFFSET(page._mapcount), 4 */
	KINFO_OFF_PRIVATE,		/* OFFSET(page.private), 8 */
	KINFO_OFF_COMPOUND_DTOR,	/* OFFSET(page.compound_dtor), 1; <= 6.5 */
	KINFO_OFF_COMPOUND_ORDER,	/* OFFSET(page.compound_order), 1; <= 6.5 */
	KINFO_OFF_COMPOUND_HEAD,	/* OFFSET(page.compound_head), 8 */
	KINFO_FREE_AREA_LEN,		/* LENGTH(zone.free_area): buddy orders */
	KINFO_PG_LRU,			/* NUMBER(PG_lru) ... bit numbers */
	KINFO_PG_PRIVATE,
	KINFO_PG_SWAPCACHE,
	KINFO_PG_SWAPBACKED,
	KINFO_PG_SLAB,			/* <= 6.9 */
	KINFO_PG_HWPOISON,		/* CONFIG_MEMORY_FAILURE */
	KINFO_PG_HEAD_MASK,		/* a mask, not a bit number */
	KINFO_PG_HUGETLB,		/* 6.6 - 6.8 */
	KINFO_HUGETLB_PAGE_DTOR,	/* <= 6.5 */
	KINFO_BUDDY_VALUE,		/* NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE) */
	KINFO_OFFLINE_VALUE,		/* NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE) */
	KINFO_HUGETLB_VALUE,		/* NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE), 6.9+ */
	KINFO_SLAB_VALUE,		/* NUMBER(PAGE_SLAB_MAPCOUNT_VALUE), 6.10+ */
	KINFO_UNACCEPTED_VALUE,		/* NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE) */
	KINFO_KEY_COUNT
};

struct kinfo {
	char osrelease[KINFO_OSRELEASE_LEN];	/* NUL-terminated */
	uint64_t v[KINFO_KEY_COUNT];
	uint64_t have;			/* bit k: v[k] came from the text */
	bool page_types;		/* PGTY << 24 scheme (6.12+) */
};

/* The VMCOREINFO key for k ("PAGESIZE", "OFFSET(page.flags)", ...). */
const char *kinfo_key_name(enum kinfo_key k);

static inline bool kinfo_has(const struct kinfo *ki, enum kinfo_key k)
{
	return (ki->have >> k) & 1;
}

/*
 * Fill *out from text[0..len) (the VMCOREINFO note's desc; it ends at len
 * or the first NUL) and check it.  Returns NULL or the reason; *out is
 * filled as far as the text allowed either way.
 */
const char *kinfo_read(const char *text, size_t len, struct kinfo *out);

/* Check a filled struct (also after a caller changed it); sets page_types. */
const char *kinfo_check(struct kinfo *ki);

/* The 32-bit _mapcount value of a *_VALUE key; 0 when absent. */
uint32_t kinfo_mapcount_value(const struct kinfo *ki, enum kinfo_key k);

/* Physical address of init_top_pgt (the kernel's top page table). */
uint64_t kinfo_top_pgt_phys(const struct kinfo *ki);

#endif
