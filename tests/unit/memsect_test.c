/*
 * Host tests for formats/memsect.c.  The dead system's physical memory is
 * synthesised word by word by the read callback, so a 1 TiB machine
 * (8192 sections of 128 MiB, 16 GiB of struct pages) is walked without
 * allocating any of it: a PML4 mapping the direct map and the vmemmap
 * with 1 GiB pages, the mem_section root array, 32 roots of 256 sections,
 * and struct pages whose flags word names their own pfn.  Holes, a
 * section without a mem_map, hostile roots and maps are mixed in.
 */
#include <errno.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "formats/memsect.h"
#include "tests/unit/kfilter_texts.h"
#include "tests/unit/synth_kernel.h"
#include "tests/unit/test.h"

#define DMAP		SYNTH_DMAP
#define VMEMMAP		SYNTH_VMEMMAP
#define ROOTS		SYNTH_ROOTS		/* SYMBOL(mem_section) = DMAP + ROOTS */
#define SECTIONS	SYNTH_SECTIONS		/* root r at SECTIONS + r * 4096 */
#define PML4		0x1000ull
#define PAGES		0x4000000000ull		/* struct pages: 256 GiB up */
#define USED_ROOTS	32			/* 1 TiB / 128 MiB / 256 */
#define USED_SECTIONS	(USED_ROOTS * 256)
#define TOTAL_PFNS	(1ull << 28)		/* 1 TiB of 4 KiB pages */

static uint64_t reads;

static uint64_t section_word(uint64_t nr)
{
	if (nr >= 100 && nr < 200)
		return 0;			/* hole */
	if (nr == 300)
		return VMEMMAP | 0x1;		/* present, no mem_map */
	if (nr == 301)
		return 0x1000 | 0x3;		/* not a kernel address */
	return VMEMMAP | 0x7;			/* present, has mem_map, online */
}

static uint64_t synth_word(uint64_t pa)
{
	uint64_t w;

	if (synth_pgtable_word(PML4, PAGES, 512, pa, &w))
		return w;
	if (pa >= ROOTS && pa < ROOTS + 2048 * 8) {
		uint64_t r = (pa - ROOTS) / 8;

		if (r < USED_ROOTS)
			return DMAP + SECTIONS + r * 4096;
		if (r == 40)
			return 0x1234;				/* user address */
		if (r == 41)
			return 0xffffc90000000000ull;		/* unmapped */
		return 0;
	}
	if (pa >= SECTIONS && pa < SECTIONS + USED_ROOTS * 4096) {
		uint64_t off = pa - SECTIONS;

		return off % 16 == 0 ? section_word(off / 16) : 0;
	}
	if (pa >= PAGES && pa < PAGES + TOTAL_PFNS * 64) {
		uint64_t off = pa - PAGES;

		return off % 64 == 0 ? (off / 64) << 8 | 0x5a : 0;
	}
	return 0;
}

static int synth_read(void *ctx, uint64_t paddr, void *buf, size_t len)
{
	uint8_t *out = buf;

	(void)ctx;
	reads++;
	synth_bytes(synth_word, paddr, out, len);
	return 0;
}

static struct kinfo ki;
static struct kpgtable pt;
static struct memsect ms;

static void setup(void)
{
	char text[8192];

	snprintf(text, sizeof(text), "%sSYMBOL(mem_section)=%llx\n", KFILTER_TEXT_6_1,
		 (unsigned long long)(DMAP + ROOTS));
	/* the first SYMBOL(mem_section) line wins: drop the text's own */
	memcpy(strstr(text, "SYMBOL(mem_section)="), "SYMBOL(mem_sectioX)=", 20);
	CHECK(kinfo_read(text, strlen(text), &ki) == NULL);
	CHECK_EQ(ki.v[KINFO_MEM_SECTION], DMAP + ROOTS);
	CHECK_EQ(kpgtable_init(&pt, &ki, synth_read, NULL), 0);
	pt.root = PML4;
	CHECK_EQ(memsect_init(&ms, &ki, &pt), 0);
	CHECK_EQ(ms.per_root, 256);
	CHECK_EQ(ms.nr_sections, 2048 * 256);
	CHECK_EQ(ms.pfn_section_shift, 15);
}

static int expected(uint64_t nr)
{
	if (nr >= 2048 * 256)
		return -ERANGE;
	if (nr < USED_SECTIONS) {
		if ((nr >= 100 && nr < 200) || nr == 300)
			return -ENOENT;
		return nr == 301 ? -EBADMSG : 0;
	}
	if (nr / 256 == 40)
		return -EBADMSG;
	if (nr / 256 == 41)
		return -EFAULT;
	return -ENOENT;
}

TEST(one_tib_mem_map_walks_in_bounded_memory)
{
	uint64_t map, present = 0, mismatches = 0;

	setup();
	reads = 0;
	for (uint64_t nr = 0; nr < ms.nr_sections + 2; nr++) {
		int err = memsect_section(&ms, nr, &map);

		if (err != expected(nr))
			mismatches++;
		if (err == 0) {
			present++;
			if (map != VMEMMAP)
				mismatches++;
		}
	}
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(present, USED_SECTIONS - 102);
	/* two 8-byte virtual reads per section at most, 3 table reads each */
	CHECK(reads <= (ms.nr_sections) * 2 * 4);
}

TEST(struct_page_of_a_pfn_is_found_and_read)
{
	static const uint64_t pfns[] = { 0, 1, 32767, 32768, 200ull << 15,
					 TOTAL_PFNS - 1 };
	uint64_t vaddr = 0;
	uint8_t page[64];

	setup();
	for (size_t i = 0; i < sizeof(pfns) / sizeof(pfns[0]); i++) {
		uint64_t flags = 0;

		CHECK_EQ(memsect_page(&ms, pfns[i], &vaddr), 0);
		CHECK_EQ(vaddr, VMEMMAP + pfns[i] * 64);
		CHECK_EQ(kpgtable_read_virt(&pt, vaddr, page, sizeof(page)), 0);
		for (int b = 7; b >= 0; b--)
			flags = flags << 8 | page[b];
		CHECK_EQ(flags, pfns[i] << 8 | 0x5a);
	}
	CHECK_EQ(memsect_page(&ms, 150ull << 15, &vaddr), -ENOENT);
	CHECK_EQ(memsect_page(&ms, 1ull << 34, &vaddr), -ERANGE);	/* 2^46 bytes */
	CHECK_EQ(memsect_page(&ms, ~0ull, &vaddr), -ERANGE);
	CHECK_EQ(memsect_page(NULL, 0, &vaddr), -EINVAL);
	CHECK_EQ(memsect_section(&ms, 0, NULL), -EINVAL);
}

TEST(init_refuses_unusable_layouts)
{
	struct kinfo bad;

	setup();
	bad = ki;
	CHECK_EQ(memsect_init(NULL, &ki, &pt), -EINVAL);
	CHECK_EQ(memsect_init(&ms, &ki, NULL), -EINVAL);
	bad.v[KINFO_MEM_SECTION_SIZE] = 4;
	CHECK_EQ(memsect_init(&ms, &bad, &pt), -EINVAL);
	bad = ki;
	bad.v[KINFO_SECTION_SIZE_BITS] = 46;
	CHECK_EQ(memsect_init(&ms, &bad, &pt), -EINVAL);
	bad = ki;
	bad.v[KINFO_MEM_SECTION_LEN] = 0;
	CHECK_EQ(memsect_init(&ms, &bad, &pt), -EINVAL);
	bad = ki;
	bad.v[KINFO_OFF_SECTION_MEM_MAP] = 12;
	CHECK_EQ(memsect_init(&ms, &bad, &pt), -EINVAL);
	bad = ki;
	bad.v[KINFO_SIZE_PAGE] = 1ull << 60;	/* struct pages would wrap */
	CHECK_EQ(memsect_init(&ms, &bad, &pt), -EINVAL);
	/* more roots than MAX_PHYSMEM_BITS allows: capped */
	bad = ki;
	bad.v[KINFO_MEM_SECTION_LEN] = 1ull << 30;
	CHECK_EQ(memsect_init(&ms, &bad, &pt), 0);
	CHECK_EQ(ms.nr_sections, 1ull << 19);
}

TEST_MAIN(one_tib_mem_map_walks_in_bounded_memory, struct_page_of_a_pfn_is_found_and_read,
	  init_refuses_unusable_layouts)
