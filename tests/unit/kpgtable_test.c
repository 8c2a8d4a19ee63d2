/*
 * Host tests for formats/kpgtable.c: synthetic x86-64 page tables in a
 * buffer that stands for the dead system's first 256 KiB of physical
 * memory; 4- and 5-level walks, 1 GiB and 2 MiB pages, non-present
 * entries, malformed entries, self-references (bounded reads), the SME
 * bit, reads across pages and range coalescing with caps.
 */
#include <errno.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "tests/unit/kfilter_texts.h"
#include "tests/unit/test.h"

#define MEM_SIZE	0x40000
#define PML4		0x1000
#define PDPT		0x2000
#define PD		0x3000
#define PT		0x4000
#define PML5		0x10000
#define PML4_FOR_L5	0x11000
#define P		KPGTABLE_PRESENT
#define PS		KPGTABLE_PS
#define DMAP		0xffff888000000000ull	/* PML4 index 273 */

static uint8_t mem[MEM_SIZE];
static unsigned reads;

static int read_phys(void *ctx, uint64_t paddr, void *buf, size_t len)
{
	(void)ctx;
	reads++;
	if (paddr >= MEM_SIZE || len > MEM_SIZE - paddr)
		return -EIO;
	memcpy(buf, mem + paddr, len);
	return 0;
}

static void set(uint64_t table, unsigned index, uint64_t entry)
{
	test_put64(mem + table + 8 * index, entry);
}

static void build(struct kpgtable *pt)
{
	static struct kinfo ki;

	memset(mem, 0, sizeof(mem));
	for (size_t i = 0x5000; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(i ^ (i >> 8));
	set(PML4, 273, PDPT | P);
	set(PDPT, 0, PD | P);
	set(PDPT, 1, 0x80000000ull | PS | P);		/* 1 GiB */
	set(PD, 0, PT | P);
	set(PD, 1, 0x40000000ull | PS | P);		/* 2 MiB */
	set(PD, 2, 0x40200000ull | PS | P);		/* 2 MiB, contiguous */
	set(PT, 5, 0x7000 | P);
	set(PT, 6, 0x8000);				/* not present */
	set(PT, 7, (1ull << 46) | P);			/* past MAX_PHYSMEM_BITS */
	set(PT, 8, 0x9000 | (1ull << 47) | P);		/* SME bit */
	set(PT, 9, 0x9000 | (1ull << 63) | P);		/* NX */
	set(PT, 10, 0xa000 | P);
	set(PT, 11, 0x5000 | P);
	set(PT, 12, 0xc000 | P);
	set(PT, 13, 0xd000 | P);
	set(PT, 14, 0xe000 | P);
	set(PT, 15, 0x20000 | P);
	CHECK(kinfo_read(KFILTER_TEXT_6_1, strlen(KFILTER_TEXT_6_1), &ki) == NULL);
	CHECK_EQ(kpgtable_init(pt, &ki, read_phys, NULL), 0);
	CHECK_EQ(pt->root, 0x5b80a000);
	CHECK_EQ(pt->phys_limit, 1ull << 46);
	pt->root = PML4;
}

static uint64_t va(unsigned pdpt, unsigned pd, unsigned pte, uint64_t off)
{
	return DMAP | (uint64_t)pdpt << 30 | (uint64_t)pd << 21 | (uint64_t)pte << 12 | off;
}

TEST(four_level_walk_finds_4k_2m_and_1g_pages)
{
	struct kpgtable pt;
	uint64_t pa = 0, size = 0;

	build(&pt);
	reads = 0;
	CHECK_EQ(kpgtable_translate(&pt, va(0, 0, 5, 0x123), &pa, &size), 0);
	CHECK_EQ(pa, 0x7123);
	CHECK_EQ(size, 4096);
	CHECK_EQ(reads, 4);
	reads = 0;
	CHECK_EQ(kpgtable_translate(&pt, va(0, 1, 3, 0x456), &pa, &size), 0);
	CHECK_EQ(pa, 0x40003456);
	CHECK_EQ(size, 2u << 20);
	CHECK_EQ(reads, 3);
	reads = 0;
	CHECK_EQ(kpgtable_translate(&pt, va(1, 7, 9, 0x10), &pa, &size), 0);
	CHECK_EQ(pa, 0x80000000ull + (7u << 21) + (9u << 12) + 0x10);
	CHECK_EQ(size, 1u << 30);
	CHECK_EQ(reads, 2);
	CHECK_EQ(kpgtable_translate(&pt, va(0, 0, 5, 0), &pa, NULL), 0);
}

TEST(non_present_and_malformed_entries_are_refused)
{
	struct kpgtable pt;
	uint64_t pa = 0xabc;

	build(&pt);
	CHECK_EQ(kpgtable_translate(&pt, va(0, 0, 6, 0), &pa, NULL), -EFAULT);
	CHECK_EQ(kpgtable_translate(&pt, va(0, 5, 0, 0), &pa, NULL), -EFAULT);	/* PD */
	CHECK_EQ(kpgtable_translate(&pt, va(2, 0, 0, 0), &pa, NULL), -EFAULT);	/* PDPT */
	CHECK_EQ(kpgtable_translate(&pt, 0x1000, &pa, NULL), -EFAULT);		/* PML4 */
	CHECK_EQ(kpgtable_translate(&pt, va(0, 0, 7, 0), &pa, NULL), -EBADMSG);
	set(PML4, 300, PDPT | PS | P);
	CHECK_EQ(kpgtable_translate(&pt, 0xffff960000000000ull, &pa, NULL), -EBADMSG);
	set(PD, 3, (1ull << 47) | P);				/* table past the limit */
	CHECK_EQ(kpgtable_translate(&pt, va(0, 3, 0, 0), &pa, NULL), -EBADMSG);
	set(PD, 4, 0x100000 | P);				/* table outside RAM */
	CHECK_EQ(kpgtable_translate(&pt, va(0, 4, 0, 0), &pa, NULL), -EIO);
	set(PDPT, 3, 0xfffffc0000000ull | PS | P);		/* 1 GiB page ending past */
	CHECK_EQ(kpgtable_translate(&pt, va(3, 0, 0, 0), &pa, NULL), -EBADMSG);
	CHECK_EQ(pa, 0xabc);
	/* non-canonical */
	CHECK_EQ(kpgtable_translate(&pt, 0x0000800000000000ull, &pa, NULL), -EINVAL);
	CHECK_EQ(kpgtable_translate(&pt, 0xff11000000000000ull, &pa, NULL), -EINVAL);
	CHECK(kpgtable_canonical(&pt, 0x00007fffffffffffull));
	CHECK(!kpgtable_canonical(&pt, 0xfffe800000000000ull));
	CHECK_EQ(kpgtable_translate(NULL, 0, &pa, NULL), -EINVAL);
	CHECK_EQ(kpgtable_translate(&pt, DMAP, NULL, NULL), -EINVAL);
	CHECK_EQ(kpgtable_init(&pt, NULL, read_phys, NULL), -EINVAL);
}

TEST(self_referencing_tables_cost_at_most_one_read_per_level)
{
	struct kpgtable pt;
	uint64_t pa = 0, v = 0xffffc80000000000ull | 400ull << 30 | 400ull << 21 | 400ull << 12;

	build(&pt);
	set(PML4, 400, PML4 | P);		/* recursive slot */
	reads = 0;
	CHECK_EQ(kpgtable_translate(&pt, v | 0x18, &pa, NULL), 0);
	CHECK_EQ(pa, PML4 + 0x18);
	CHECK_EQ(reads, 4);
	/* every entry of every table pointing at the table itself */
	for (unsigned i = 0; i < 512; i++)
		set(PML4, i, PML4 | P);
	reads = 0;
	CHECK_EQ(kpgtable_translate(&pt, 0xffffffff81234567ull, &pa, NULL), 0);
	CHECK_EQ(pa, PML4 + 0x567);
	CHECK(reads <= KPGTABLE_MAX_READS);
}

TEST(sme_and_nx_bits_are_not_address_bits)
{
	struct kpgtable pt;
	uint64_t pa = 0;

	build(&pt);
	CHECK_EQ(kpgtable_translate(&pt, va(0, 0, 8, 1), &pa, NULL), -EBADMSG);
	pt.sme_mask = 1ull << 47;
	CHECK_EQ(kpgtable_translate(&pt, va(0, 0, 8, 1), &pa, NULL), 0);
	CHECK_EQ(pa, 0x9001);
	CHECK_EQ(kpgtable_translate(&pt, va(0, 0, 9, 2), &pa, NULL), 0);
	CHECK_EQ(pa, 0x9002);
}

TEST(five_level_walk_reads_pml5_first)
{
	struct kpgtable pt;
	uint64_t pa = 0;

	build(&pt);
	pt.l5 = true;
	pt.root = PML5;
	memset(mem + PML5, 0, 0x2000);
	set(PML5, 0x111, PML4_FOR_L5 | P);	/* 0xff11000000000000 */
	set(PML4_FOR_L5, 0, PDPT | P);
	reads = 0;
	CHECK_EQ(kpgtable_translate(&pt, 0xff11000000005abcull, &pa, NULL), 0);
	CHECK_EQ(pa, 0x7abc);
	CHECK_EQ(reads, 5);
	CHECK_EQ(kpgtable_translate(&pt, 0xff11000000200000ull, &pa, NULL), 0);
	CHECK_EQ(pa, 0x40000000);
	/* a 4-level kernel address is canonical here but unmapped */
	CHECK_EQ(kpgtable_translate(&pt, va(0, 0, 5, 0), &pa, NULL), -EFAULT);
	CHECK_EQ(kpgtable_translate(&pt, 0xfe11000000000000ull, &pa, NULL), -EINVAL);
	set(PML5, 0x112, PDPT | PS | P);
	CHECK_EQ(kpgtable_translate(&pt, 0xff12000000000000ull, &pa, NULL), -EBADMSG);
}

TEST(read_virt_crosses_pages)
{
	struct kpgtable pt;
	uint8_t buf[16], want[16];

	build(&pt);
	memcpy(want, mem + 0xaff8, 8);
	memcpy(want + 8, mem + 0x5000, 8);
	CHECK_EQ(kpgtable_read_virt(&pt, va(0, 0, 10, 0xff8), buf, sizeof(buf)), 0);
	CHECK(memcmp(buf, want, sizeof(buf)) == 0);
	CHECK_EQ(kpgtable_read_virt(&pt, va(0, 0, 5, 0xff8), buf, sizeof(buf)), -EFAULT);
	CHECK_EQ(kpgtable_read_virt(&pt, va(0, 0, 5, 0), buf, 0), 0);
	CHECK_EQ(kpgtable_read_virt(&pt, va(0, 0, 5, 0), NULL, 8), -EINVAL);
	CHECK_EQ(kpgtable_read_virt(&pt, va(0, 0, 5, 0), buf, KPGTABLE_READ_MAX + 1), -E2BIG);
	CHECK_EQ(kpgtable_read_virt(&pt, ~0ull - 4, buf, 8), -E2BIG);
}

TEST(translate_range_coalesces_and_caps)
{
	struct kpgtable pt;
	struct kpgtable_run runs[4];
	size_t n = 99;

	build(&pt);
	CHECK_EQ(kpgtable_translate_range(&pt, va(0, 0, 12, 0x800), 0x3800, runs, 4, 16, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(runs[0].vaddr, va(0, 0, 12, 0x800));
	CHECK_EQ(runs[0].paddr, 0xc800);
	CHECK_EQ(runs[0].len, 0x2800);
	CHECK_EQ(runs[1].paddr, 0x20000);
	CHECK_EQ(runs[1].len, 0x1000);
	CHECK_EQ(kpgtable_translate_range(&pt, va(0, 0, 12, 0), 0x4000, runs, 1, 16, &n), -E2BIG);
	CHECK_EQ(n, 1);
	CHECK_EQ(kpgtable_translate_range(&pt, va(0, 0, 12, 0), 0x4000, runs, 4, 3, &n), -E2BIG);
	CHECK_EQ(kpgtable_translate_range(&pt, va(0, 0, 14, 0), 0x3000, runs, 4, 16, &n), -EFAULT);
	CHECK_EQ(n, 2);
	/* two 2 MiB pages: two steps, one run */
	CHECK_EQ(kpgtable_translate_range(&pt, va(0, 1, 0, 0), 4u << 20, runs, 4, 2, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(runs[0].paddr, 0x40000000);
	CHECK_EQ(runs[0].len, 4u << 20);
	/* 1 GiB in one step */
	CHECK_EQ(kpgtable_translate_range(&pt, va(1, 0, 0, 0), 1u << 30, runs, 1, 1, &n), 0);
	CHECK_EQ(runs[0].len, 1u << 30);
	CHECK_EQ(kpgtable_translate_range(&pt, va(0, 0, 5, 0), 0, runs, 4, 0, &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(kpgtable_translate_range(&pt, va(0, 0, 5, 0), 8, NULL, 4, 4, &n), -EINVAL);
	CHECK_EQ(kpgtable_translate_range(&pt, ~0ull - 4, 16, runs, 4, 4, &n), -EINVAL);
}

TEST_MAIN(four_level_walk_finds_4k_2m_and_1g_pages,
	  non_present_and_malformed_entries_are_refused,
	  self_referencing_tables_cost_at_most_one_read_per_level,
	  sme_and_nx_bits_are_not_address_bits, five_level_walk_reads_pml5_first,
	  read_virt_crosses_pages, translate_range_coalesces_and_caps)
