/* Host tests for formats/dumpplan.c: add, exclude (whole, head, tail,
 * hole, none), merge of contiguous pieces, overlap trimming, read_from and
 * vaddr shifting, overflow and capacity. */
#include "tests/unit/test.h"
#include <errno.h>

#include "formats/dumpplan.h"

static struct dumpplan p;

TEST(add_and_merge)
{
	dumpplan_init(&p);
	CHECK_EQ(dumpplan_add(&p, 0x2000, 0x1000, 0x2000, 0), 0);
	CHECK_EQ(dumpplan_add(&p, 0x1000, 0x1000, 0x1000, 0), 0);
	CHECK_EQ(dumpplan_add(&p, 0x8000, 0x1000, 0x8000, 0), 0);
	dumpplan_finish(&p);
	CHECK_EQ(p.n, 2);
	CHECK_EQ(p.r[0].start, 0x1000);
	CHECK_EQ(p.r[0].size, 0x2000);
	CHECK_EQ(p.r[1].start, 0x8000);
	CHECK_EQ(p.total, 0x3000);
}

TEST(exclude_cases)
{
	dumpplan_init(&p);
	dumpplan_add(&p, 0x100000, 0x100000, 0x100000, 0xffff888000100000ull);
	CHECK_EQ(dumpplan_exclude(&p, 0x140000, 0x10000), 0);		/* hole */
	dumpplan_finish(&p);
	CHECK_EQ(p.n, 2);
	CHECK_EQ(p.r[0].size, 0x40000);
	CHECK_EQ(p.r[1].start, 0x150000);
	CHECK_EQ(p.r[1].read_from, 0x150000);
	CHECK_EQ(p.r[1].vaddr, 0xffff888000150000ull);
	CHECK_EQ(dumpplan_exclude(&p, 0, 0x110000), 0);			/* head */
	CHECK_EQ(dumpplan_exclude(&p, 0x1f0000, 0x100000), 0);		/* tail */
	dumpplan_finish(&p);
	CHECK_EQ(p.r[0].start, 0x110000);
	CHECK_EQ(p.r[1].start + p.r[1].size, 0x1f0000);
	CHECK_EQ(dumpplan_exclude(&p, 0, 0x1000000), 0);		/* everything */
	dumpplan_finish(&p);
	CHECK_EQ(p.n, 0);
	CHECK_EQ(p.total, 0);
	CHECK_EQ(dumpplan_exclude(&p, 5, 0), -EINVAL);
	CHECK_EQ(dumpplan_exclude(&p, ~0ull - 5, 100), -EINVAL);
}

TEST(backup_region_kept_apart)
{
	/* kexec-tools: the first 640 KiB is read from a backup copy. */
	dumpplan_init(&p);
	dumpplan_add(&p, 0, 0xa0000, 0x7f000000, 0);
	dumpplan_add(&p, 0xa0000, 0x60000, 0xa0000, 0);
	dumpplan_finish(&p);
	CHECK_EQ(p.n, 2);
	CHECK_EQ(p.r[0].read_from, 0x7f000000);
}

TEST(overlap_trimmed)
{
	dumpplan_init(&p);
	dumpplan_add(&p, 0x1000, 0x3000, 0x1000, 0);
	dumpplan_add(&p, 0x2000, 0x3000, 0x2000, 0);
	dumpplan_add(&p, 0x1800, 0x100, 0x1800, 0);
	dumpplan_finish(&p);
	CHECK_EQ(p.n, 1);
	CHECK_EQ(p.r[0].size, 0x4000);
}

TEST(limits)
{
	dumpplan_init(&p);
	CHECK_EQ(dumpplan_add(&p, 0, 0, 0, 0), -EINVAL);
	CHECK_EQ(dumpplan_add(&p, ~0ull, 2, 0, 0), -EINVAL);
	for (unsigned i = 0; i < DUMPPLAN_MAX; i++)
		CHECK_EQ(dumpplan_add(&p, (uint64_t)i * 0x10000, 0x1000, (uint64_t)i * 0x10000, 0), 0);
	CHECK_EQ(dumpplan_add(&p, 1ull << 40, 1, 1ull << 40, 0), -ENOSPC);
	/* A hole in a full plan: the upper part is lost, said by -ENOSPC. */
	CHECK_EQ(dumpplan_exclude(&p, 0x100, 0x100), -ENOSPC);
	dumpplan_finish(&p);
	CHECK_EQ(p.r[0].size, 0x100);
}

TEST_MAIN(add_and_merge, exclude_cases, backup_region_kept_apart, overlap_trimmed, limits)
