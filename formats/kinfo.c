/*
 * kinfo: read and check the crashed kernel's layout facts from VMCOREINFO.
 * formats/kinfo.h is the interface; docs/filtering.md says which key
 * decides what.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/elfcorehdr.h"
#include "formats/kinfo.h"

struct kinfo_entry {
	const char *key;
	const char *missing;	/* reason when a required key is absent */
	const char *bad;	/* reason when malformed or out of range */
	bool required;
};

#define KINFO_ENTRY(id, name, req) \
	[id] = { name, "VMCOREINFO lacks " name, \
		 "VMCOREINFO " name " is malformed or out of range", req }

static const struct kinfo_entry kinfo_table[KINFO_KEY_COUNT] = {
	KINFO_ENTRY(KINFO_PAGESIZE, "PAGESIZE", true),
	KINFO_ENTRY(KINFO_KERNELOFFSET, "KERNELOFFSET", false),
	KINFO_ENTRY(KINFO_PHYS_BASE, "NUMBER(phys_base)", true),
	KINFO_ENTRY(KINFO_INIT_TOP_PGT, "SYMBOL(init_top_pgt)", true),
	KINFO_ENTRY(KINFO_L5, "NUMBER(pgtable_l5_enabled)", false),
	KINFO_ENTRY(KINFO_SME_MASK, "NUMBER(sme_mask)", false),
	KINFO_ENTRY(KINFO_MEM_SECTION, "SYMBOL(mem_section)", true),
	KINFO_ENTRY(KINFO_MEM_SECTION_LEN, "LENGTH(mem_section)", true),
	KINFO_ENTRY(KINFO_MEM_SECTION_SIZE, "SIZE(mem_section)", true),
	KINFO_ENTRY(KINFO_OFF_SECTION_MEM_MAP, "OFFSET(mem_section.section_mem_map)", true),
	KINFO_ENTRY(KINFO_SECTION_SIZE_BITS, "NUMBER(SECTION_SIZE_BITS)", true),
	KINFO_ENTRY(KINFO_MAX_PHYSMEM_BITS, "NUMBER(MAX_PHYSMEM_BITS)", true),
	KINFO_ENTRY(KINFO_SIZE_PAGE, "SIZE(page)", true),
	KINFO_ENTRY(KINFO_OFF_FLAGS, "OFFSET(page.flags)", true),
	KINFO_ENTRY(KINFO_OFF_REFCOUNT, "OFFSET(page._refcount)", false),
	KINFO_ENTRY(KINFO_OFF_MAPPING, "OFFSET(page.mapping)", true),
	KINFO_ENTRY(KINFO_OFF_LRU, "OFFSET(page.lru)", false),
	KINFO_ENTRY(KINFO_OFF_MAPCOUNT, "OFFSET(page._mapcount)", true),
	KINFO_ENTRY(KINFO_OFF_PRIVATE, "OFFSET(page.private)", true),
	KINFO_ENTRY(KINFO_OFF_COMPOUND_DTOR, "OFFSET(page.compound_dtor)", false),
	KINFO_ENTRY(KINFO_OFF_COMPOUND_ORDER, "OFFSET(page.compound_order)", false),
	KINFO_ENTRY(KINFO_OFF_COMPOUND_HEAD, "OFFSET(page.compound_head)", true),
	KINFO_ENTRY(KINFO_FREE_AREA_LEN, "LENGTH(zone.free_area)", true),
	KINFO_ENTRY(KINFO_PG_LRU, "NUMBER(PG_lru)", true),
	KINFO_ENTRY(KINFO_PG_PRIVATE, "NUMBER(PG_private)", true),
	KINFO_ENTRY(KINFO_PG_SWAPCACHE, "NUMBER(PG_swapcache)", true),
	KINFO_ENTRY(KINFO_PG_SWAPBACKED, "NUMBER(PG_swapbacked)", true),
	KINFO_ENTRY(KINFO_PG_SLAB, "NUMBER(PG_slab)", false),
	KINFO_ENTRY(KINFO_PG_HWPOISON, "NUMBER(PG_hwpoison)", false),
	KINFO_ENTRY(KINFO_PG_HEAD_MASK, "NUMBER(PG_head_mask)", true),
	KINFO_ENTRY(KINFO_PG_HUGETLB, "NUMBER(PG_hugetlb)", false),
	KINFO_ENTRY(KINFO_HUGETLB_PAGE_DTOR, "NUMBER(HUGETLB_PAGE_DTOR)", false),
	KINFO_ENTRY(KINFO_BUDDY_VALUE, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", true),
	KINFO_ENTRY(KINFO_OFFLINE_VALUE, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", false),
	KINFO_ENTRY(KINFO_HUGETLB_VALUE, "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)", false),
	KINFO_ENTRY(KINFO_SLAB_VALUE, "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)", false),
	KINFO_ENTRY(KINFO_UNACCEPTED_VALUE, "NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)", false),
};

const char *kinfo_key_name(enum kinfo_key k)
{
	if ((unsigned)k >= KINFO_KEY_COUNT)
		return "?";
	return kinfo_table[k].key;
}

static const char *kinfo_bad(enum kinfo_key k)
{
	return kinfo_table[k].bad;
}

const char *kinfo_read(const char *text, size_t len, struct kinfo *out)
{
	const char *val;
	size_t vlen, n;
	int err;

	if (out == NULL)
		return "no kinfo buffer";
	memset(out, 0, sizeof(*out));
	if (text == NULL)
		return "no VMCOREINFO";
	for (unsigned k = 0; k < KINFO_KEY_COUNT; k++) {
		err = elfcorehdr_vmcoreinfo_u64(text, len, kinfo_table[k].key, &out->v[k]);
		if (err == 0)
			out->have |= 1ull << k;
		else if (err != -ENOENT)
			return kinfo_table[k].bad;
		else if (kinfo_table[k].required)
			return kinfo_table[k].missing;
	}
	if (elfcorehdr_vmcoreinfo_get(text, len, "OSRELEASE", &val, &vlen) != 0)
		return "VMCOREINFO lacks OSRELEASE";
	if (vlen == 0 || vlen >= KINFO_OSRELEASE_LEN)
		return "VMCOREINFO OSRELEASE is malformed or out of range";
	for (n = 0; n < vlen; n++)
		if (val[n] < 0x21 || val[n] > 0x7e)
			return "VMCOREINFO OSRELEASE is malformed or out of range";
	memcpy(out->osrelease, val, vlen);
	out->osrelease[vlen] = '\0';
	return kinfo_check(out);
}

/* A field of size bytes at OFFSET key lies inside SIZE(page) (if present). */
static bool kinfo_field_fits(const struct kinfo *ki, enum kinfo_key k, uint64_t size)
{
	if (!kinfo_has(ki, k))
		return true;
	return ki->v[k] <= ki->v[KINFO_SIZE_PAGE] - size;
}

/* A NUMBER(...) that Linux printed from a 32-bit int or unsigned int. */
static bool kinfo_is_32bit(uint64_t v)
{
	return v <= 0xffffffffull || v >= 0xffffffff80000000ull;
}

/* A value that fits the scheme the buddy value set. */
static bool kinfo_type_value_ok(bool page_types, uint32_t v)
{
	uint32_t bit = ~v;

	if (page_types)
		return (v & 0x00ffffffu) == 0 && (v >> 24) >= 0x80 && (v >> 24) != 0xff;
	/* ~PG_x with one bit at or above 0x80 (PAGE_MAPCOUNT_RESERVE is -128) */
	return bit >= 0x80 && (bit & (bit - 1)) == 0;
}

static const char *kinfo_check_flags(const struct kinfo *ki)
{
	static const enum kinfo_key bits[] = {
		KINFO_PG_LRU, KINFO_PG_PRIVATE, KINFO_PG_SWAPCACHE, KINFO_PG_SWAPBACKED,
		KINFO_PG_SLAB, KINFO_PG_HWPOISON, KINFO_PG_HUGETLB,
	};
	uint64_t seen, mask = ki->v[KINFO_PG_HEAD_MASK];

	if (mask == 0 || (mask & (mask - 1)) != 0)
		return kinfo_bad(KINFO_PG_HEAD_MASK);
	seen = mask;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		enum kinfo_key k = bits[i];

		if (!kinfo_has(ki, k))
			continue;
		if (ki->v[k] >= 64 || (seen >> ki->v[k]) & 1)
			return kinfo_bad(k);
		seen |= 1ull << ki->v[k];
	}
	return NULL;
}

static const char *kinfo_check_types(struct kinfo *ki)
{
	static const enum kinfo_key vals[] = {
		KINFO_BUDDY_VALUE, KINFO_OFFLINE_VALUE, KINFO_HUGETLB_VALUE,
		KINFO_SLAB_VALUE, KINFO_UNACCEPTED_VALUE,
	};
	uint32_t got[sizeof(vals) / sizeof(vals[0])];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		if (kinfo_has(ki, vals[i]) && !kinfo_is_32bit(ki->v[vals[i]]))
			return kinfo_bad(vals[i]);
	ki->page_types = (kinfo_mapcount_value(ki, KINFO_BUDDY_VALUE) & 0x00ffffffu) == 0;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint32_t v;

		if (!kinfo_has(ki, vals[i]))
			continue;
		v = kinfo_mapcount_value(ki, vals[i]);
		if (!kinfo_type_value_ok(ki->page_types, v))
			return kinfo_bad(vals[i]);
		for (size_t j = 0; j < n; j++)
			if (got[j] == v)
				return kinfo_bad(vals[i]);
		got[n++] = v;
	}
	if (!kinfo_has(ki, KINFO_PG_SLAB) && !kinfo_has(ki, KINFO_SLAB_VALUE))
		return "VMCOREINFO lacks both NUMBER(PG_slab) and NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)";
	return NULL;
}

static const char *kinfo_check_page(const struct kinfo *ki)
{
	static const struct { enum kinfo_key k; uint8_t size; } fields[] = {
		{ KINFO_OFF_FLAGS, 8 }, { KINFO_OFF_REFCOUNT, 4 }, { KINFO_OFF_MAPPING, 8 },
		{ KINFO_OFF_LRU, 16 }, { KINFO_OFF_MAPCOUNT, 4 }, { KINFO_OFF_PRIVATE, 8 },
		{ KINFO_OFF_COMPOUND_DTOR, 1 }, { KINFO_OFF_COMPOUND_ORDER, 1 },
		{ KINFO_OFF_COMPOUND_HEAD, 8 },
	};
	uint64_t size = ki->v[KINFO_SIZE_PAGE];

	if (size < KINFO_PAGE_STRUCT_MIN || size > KINFO_PAGE_STRUCT_MAX || size % 8 != 0)
		return kinfo_bad(KINFO_SIZE_PAGE);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!kinfo_field_fits(ki, fields[i].k, fields[i].size))
			return kinfo_bad(fields[i].k);
	if (ki->v[KINFO_FREE_AREA_LEN] == 0 || ki->v[KINFO_FREE_AREA_LEN] > KINFO_MAX_FREE_ORDERS)
		return kinfo_bad(KINFO_FREE_AREA_LEN);
	if (kinfo_has(ki, KINFO_HUGETLB_PAGE_DTOR) && ki->v[KINFO_HUGETLB_PAGE_DTOR] > 0xff)
		return kinfo_bad(KINFO_HUGETLB_PAGE_DTOR);
	return NULL;
}

/* A kernel virtual address: in the kernel half and canonical for the mode. */
static bool kinfo_kernel_va(const struct kinfo *ki, uint64_t va)
{
	if (va < KINFO_KERNEL_HALF)
		return false;
	if (ki->v[KINFO_L5] == 0 && va < 0xffff800000000000ull)
		return false;
	return true;
}

static const char *kinfo_check_memory(const struct kinfo *ki)
{
	uint64_t mpb = ki->v[KINFO_MAX_PHYSMEM_BITS], ssb = ki->v[KINFO_SECTION_SIZE_BITS];
	uint64_t ms_size = ki->v[KINFO_MEM_SECTION_SIZE], per_root, roots, top;

	if (ki->v[KINFO_L5] > 1)
		return kinfo_bad(KINFO_L5);
	if (mpb < 32 || mpb > 52)
		return kinfo_bad(KINFO_MAX_PHYSMEM_BITS);
	if (ssb < KINFO_PAGE_SHIFT + 4 || ssb >= mpb)
		return kinfo_bad(KINFO_SECTION_SIZE_BITS);
	if ((ki->v[KINFO_SME_MASK] & 0x000ffffffffff000ull) != ki->v[KINFO_SME_MASK] ||
	    (ki->v[KINFO_SME_MASK] & (ki->v[KINFO_SME_MASK] - 1)) != 0)
		return kinfo_bad(KINFO_SME_MASK);
	if (ms_size < 8 || ms_size > KINFO_PAGE_SIZE || ms_size % 8 != 0)
		return kinfo_bad(KINFO_MEM_SECTION_SIZE);
	if (ki->v[KINFO_OFF_SECTION_MEM_MAP] > ms_size - 8)
		return kinfo_bad(KINFO_OFF_SECTION_MEM_MAP);
	per_root = KINFO_PAGE_SIZE / ms_size;
	roots = ((1ull << (mpb - ssb)) + per_root - 1) / per_root;
	if (ki->v[KINFO_MEM_SECTION_LEN] == 0 || ki->v[KINFO_MEM_SECTION_LEN] > roots)
		return kinfo_bad(KINFO_MEM_SECTION_LEN);
	if (!kinfo_kernel_va(ki, ki->v[KINFO_MEM_SECTION]) || ki->v[KINFO_MEM_SECTION] % 8 != 0)
		return kinfo_bad(KINFO_MEM_SECTION);
	if (ki->v[KINFO_INIT_TOP_PGT] < KINFO_START_KERNEL_MAP ||
	    ki->v[KINFO_INIT_TOP_PGT] % KINFO_PAGE_SIZE != 0)
		return kinfo_bad(KINFO_INIT_TOP_PGT);
	if (ki->v[KINFO_KERNELOFFSET] >= KINFO_KERNEL_IMAGE_MAX)
		return kinfo_bad(KINFO_KERNELOFFSET);
	top = kinfo_top_pgt_phys(ki);
	if (top % KINFO_PAGE_SIZE != 0 || (top >> mpb) != 0)
		return kinfo_bad(KINFO_PHYS_BASE);
	return NULL;
}

const char *kinfo_check(struct kinfo *ki)
{
	const char *why;

	if (ki == NULL)
		return "no kinfo";
	for (unsigned k = 0; k < KINFO_KEY_COUNT; k++)
		if (kinfo_table[k].required && !kinfo_has(ki, (enum kinfo_key)k))
			return kinfo_table[k].missing;
	if (ki->v[KINFO_PAGESIZE] != KINFO_PAGE_SIZE)
		return kinfo_bad(KINFO_PAGESIZE);
	why = kinfo_check_memory(ki);
	if (why == NULL)
		why = kinfo_check_page(ki);
	if (why == NULL)
		why = kinfo_check_flags(ki);
	if (why == NULL)
		why = kinfo_check_types(ki);
	return why;
}

uint32_t kinfo_mapcount_value(const struct kinfo *ki, enum kinfo_key k)
{
	if ((unsigned)k >= KINFO_KEY_COUNT || !kinfo_has(ki, k))
		return 0;
	return (uint32_t)ki->v[k];
}

uint64_t kinfo_top_pgt_phys(const struct kinfo *ki)
{
	/* __pa_symbol(): x - __START_KERNEL_map + phys_base, modulo 2^64 */
	return ki->v[KINFO_INIT_TOP_PGT] - KINFO_START_KERNEL_MAP + ki->v[KINFO_PHYS_BASE];
}
