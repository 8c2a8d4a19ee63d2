/*
 * Host tests for payload/elffilter.c: synthetic ranges and a synthetic
 * 2nd bitmap (which pfns the level leaves out) through the ELF planner:
 * the PT_LOADs (a left-out run of 16 pages or more is a zero tail, a
 * shorter one written), left-out pages never read, windows in order from
 * pfn 0 with the ranges' pages set on entry, left-out and zero runs
 * joined, the table bound (merging keeps some left-out pages), partial
 * pages and read_from, ranges out of order (a new walk from pfn 0, as
 * kexec-tools' kernel-text PT_LOAD needs; too many: -ECANCELED), the
 * callback's reason, and elffilter_plan()'s fallback to level & 1.
 */
#include "tests/unit/test.h"
#include <errno.h>

#include "payload/elffilter.h"

#define PG	4096ull
#define NPFN	4096

static uint8_t leftout[NPFN / 8];	/* bit set: the level leaves the pfn out */
static uint8_t zeros[NPFN / 8];		/* bit set: the page reads as zero */
static uint8_t win[64];
static struct elfcore_segment segs[64];

struct cb {
	uint64_t next;		/* where the next window must start */
	unsigned calls;
	int bad_order;		/* a window out of order */
	unsigned walks;		/* walks begun again at pfn 0 */
	int bad_in;		/* bits in that are not the ranges' pages */
	const struct dumpplan_range *r;
	size_t n;
	const char *fail;	/* returned at window fail_at */
	unsigned fail_at;
	unsigned reads_of_leftout;	/* is_zero() asked about a left-out page */
};

static int in_ranges(const struct cb *c, uint64_t pfn)
{
	for (size_t i = 0; i < c->n; i++)
		if (pfn * PG < c->r[i].start + c->r[i].size && (pfn + 1) * PG > c->r[i].start)
			return 1;
	return 0;
}

static const char *window(void *ctx, uint64_t p0, uint64_t p1, uint8_t *bits)
{
	struct cb *c = ctx;

	if (p0 == 0 && c->next != 0)
		c->walks++;			/* a new walk */
	else if (p0 != c->next || p1 <= p0)
		c->bad_order++;
	c->next = p1;
	if (c->fail && c->calls == c->fail_at)
		return c->fail;
	c->calls++;
	for (uint64_t p = p0; p < p1; p++) {
		if (diskdump_bit(bits, p - p0) != in_ranges(c, p))
			c->bad_in++;
		if (p < NPFN && diskdump_bit(leftout, p))
			bits[(p - p0) / 8] &= (uint8_t)~(1u << ((p - p0) % 8));
	}
	return NULL;
}

static int is_zero(void *ctx, uint64_t at, uint64_t len)
{
	struct cb *c = ctx;
	uint64_t p = at / PG;

	(void)len;
	if (p < NPFN && diskdump_bit(leftout, p))
		c->reads_of_leftout++;
	return p < NPFN && diskdump_bit(zeros, p);
}

static void mark(uint8_t *bits, uint64_t a, uint64_t b)
{
	diskdump_bits_set(bits, a, b);
}

static void reset(void)
{
	memset(leftout, 0, sizeof(leftout));
	memset(zeros, 0, sizeof(zeros));
	memset(segs, 0, sizeof(segs));
}

/* Plan r through elffilter_split with windows of win_bytes; nsegs, or -err. */
static long plan(const struct dumpplan_range *r, size_t n, size_t max_segs, size_t win_bytes,
		 struct cb *c, struct elffilter_counts *cnt, uint64_t *min_run, const char **why)
{
	struct elfcore_split s;
	struct elfcore_zero_scan z = { ELFCORE_ZERO_RUN_DEFAULT, is_zero, c };
	int err;

	c->r = r;
	c->n = n;
	elfcore_split_init(&s, segs, max_segs, ELFCORE_ZERO_RUN_DEFAULT);
	err = elffilter_split(&s, r, n, window, c, &z, win, win_bytes, cnt, why);
	if (min_run)
		*min_run = elfcore_split_min_run(&s);
	return err ? err : (long)s.nsegs;
}

/* Every page in a zero tail is left out or zero; every range covered in order. */
static void check_tails(const struct dumpplan_range *r, size_t n, size_t nsegs)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t covered = 0;

		for (; k < nsegs && segs[k].range == i; k++) {
			CHECK_EQ(segs[k].paddr, r[i].start + covered);
			CHECK(segs[k].filesz <= segs[k].memsz);
			for (uint64_t o = segs[k].filesz; o < segs[k].memsz; o += PG) {
				uint64_t p = (segs[k].paddr + o) / PG;

				CHECK(diskdump_bit(leftout, p) || diskdump_bit(zeros, p));
			}
			covered += segs[k].memsz;
		}
		CHECK_EQ(covered, r[i].size);
	}
	CHECK_EQ(k, nsegs);
}

TEST(cut_at_long_left_out_runs)
{
	struct dumpplan_range r[1] = { { 0, 64 * PG, 0, 0xffff888000000000ull } };
	struct elffilter_counts cnt;
	struct cb c = { 0 };
	const char *why = "x";
	long n;

	reset();
	mark(leftout, 10, 30);		/* 20 pages: a tail */
	mark(leftout, 40, 45);		/* 5: written */
	n = plan(r, 1, 64, sizeof(win), &c, &cnt, NULL, &why);
	CHECK_EQ(n, 2);
	CHECK(why == NULL);
	CHECK_EQ(segs[0].paddr, 0);
	CHECK_EQ(segs[0].filesz, 10 * PG);
	CHECK_EQ(segs[0].memsz, 30 * PG);
	CHECK_EQ(segs[1].paddr, 30 * PG);
	CHECK_EQ(segs[1].vaddr, 0xffff888000000000ull + 30 * PG);
	CHECK_EQ(segs[1].filesz, 34 * PG);
	CHECK_EQ(segs[1].memsz, 34 * PG);
	CHECK_EQ(cnt.pages, 64);
	CHECK_EQ(cnt.left_out, 25);
	CHECK_EQ(c.reads_of_leftout, 0);	/* left-out pages are never read */
	CHECK_EQ(c.bad_in, 0);
	check_tails(r, 1, (size_t)n);
}

TEST(windows_in_order_with_holes)
{
	/* Three ranges with holes between; windows of 8 pfns from 0. */
	struct dumpplan_range r[3] = {
		{ 3 * PG, 20 * PG, 3 * PG, 0 },
		{ 40 * PG, 50 * PG, 40 * PG, 0 },
		{ 200 * PG, 17 * PG, 200 * PG, 0 },
	};
	struct elffilter_counts cnt;
	struct cb c = { 0 };
	const char *why;
	long n;

	reset();
	mark(leftout, 45, 80);		/* 35 of range 1 */
	mark(leftout, 200, 217);	/* all of range 2: one segment, filesz 0 */
	n = plan(r, 3, 64, 1, &c, &cnt, NULL, &why);
	CHECK_EQ(n, 4);
	CHECK_EQ(c.bad_order, 0);
	CHECK_EQ(c.bad_in, 0);
	CHECK_EQ(c.next, 217);		/* the walk ends at the last page */
	CHECK_EQ(c.calls, (217 + 7) / 8);
	CHECK_EQ(cnt.windows, (217 + 7) / 8);
	CHECK_EQ(segs[0].memsz, 20 * PG);
	CHECK_EQ(segs[0].filesz, 20 * PG);
	CHECK_EQ(segs[1].paddr, 40 * PG);
	CHECK_EQ(segs[1].filesz, 5 * PG);
	CHECK_EQ(segs[1].memsz, 40 * PG);
	CHECK_EQ(segs[2].paddr, 80 * PG);
	CHECK_EQ(segs[2].filesz, 10 * PG);
	CHECK_EQ(segs[3].paddr, 200 * PG);
	CHECK_EQ(segs[3].filesz, 0);
	CHECK_EQ(segs[3].memsz, 17 * PG);
	CHECK_EQ(cnt.left_out, 35 + 17);
	CHECK_EQ(c.reads_of_leftout, 0);
	check_tails(r, 3, (size_t)n);
}

TEST(zero_and_left_out_runs_join)
{
	/* 8 zero pages then 8 left out: one run of 16, one tail. */
	struct dumpplan_range r[1] = { { 0, 40 * PG, 0, 0 } };
	struct elffilter_counts cnt;
	struct cb c = { 0 };
	const char *why;
	long n;

	reset();
	mark(zeros, 10, 18);
	mark(leftout, 18, 26);
	n = plan(r, 1, 64, sizeof(win), &c, &cnt, NULL, &why);
	CHECK_EQ(n, 2);
	CHECK_EQ(segs[0].filesz, 10 * PG);
	CHECK_EQ(segs[0].memsz, 26 * PG);
	CHECK_EQ(cnt.zero, 8);
	CHECK_EQ(cnt.left_out, 8);
	check_tails(r, 1, (size_t)n);
}

TEST(table_bound_keeps_some_left_out_pages)
{
	/* 40 runs of 20 left-out pages, each followed by one kept page, then
	 * a run of 300 and a kept page, in a table of 4: the threshold is
	 * raised, neighbours merged, and the left-out pages of the merged
	 * runs are written; the long run stays out of the file. */
	struct dumpplan_range r[1] = { { 0, (40 * 21 + 301) * PG, 0, 0 } };
	struct elffilter_counts cnt;
	struct cb c = { 0 };
	const char *why;
	uint64_t min_run, absent = 0;
	long n;

	reset();
	for (int i = 0; i < 40; i++)
		mark(leftout, (uint64_t)i * 21, (uint64_t)i * 21 + 20);
	mark(leftout, 840, 1140);
	n = plan(r, 1, 4, sizeof(win), &c, &cnt, &min_run, &why);
	CHECK(n >= 1 && n <= 4);
	CHECK(min_run > 20);
	for (long i = 0; i < n; i++)
		absent += segs[i].memsz - segs[i].filesz;
	CHECK(absent >= 300 * PG);		/* the long run is not in the file */
	CHECK(absent < 1100 * PG);		/* some left-out pages written */
	CHECK_EQ(cnt.left_out, 1100);
	check_tails(r, 1, (size_t)n);

	/* The same with room: one segment per kept page. */
	n = plan(r, 1, 64, sizeof(win), &c, &cnt, &min_run, &why);
	CHECK_EQ(n, 42);			/* the first starts with a run: filesz 0 */
	CHECK_EQ(segs[40].memsz, 301 * PG);
	CHECK_EQ(segs[0].filesz, 0);
	CHECK_EQ(min_run, ELFCORE_ZERO_RUN_DEFAULT);
}

TEST(partial_pages_and_read_from)
{
	/* A range from the middle of pfn 2 to the middle of pfn 30, read
	 * from elsewhere (a backup region): the bitmap is by paddr. */
	struct dumpplan_range r[1] = { { 2 * PG + 0x800, 28 * PG, 0x900000 + 0x800, 0 } };
	struct elffilter_counts cnt;
	struct cb c = { 0 };
	const char *why;
	long n;

	reset();
	mark(leftout, 5, 25);
	n = plan(r, 1, 64, sizeof(win), &c, &cnt, NULL, &why);
	CHECK_EQ(n, 2);
	CHECK_EQ(segs[0].filesz, 3 * PG - 0x800);
	CHECK_EQ(segs[0].memsz, 23 * PG - 0x800);
	CHECK_EQ(segs[1].paddr, 25 * PG);
	CHECK_EQ(segs[1].read_from, 0x900000 + 23 * PG);
	CHECK_EQ(segs[1].memsz, 5 * PG + 0x800);
	CHECK_EQ(cnt.pages, 29);
	check_tails(r, 1, (size_t)n);
}

TEST(reasons_cancel)
{
	struct dumpplan_range r[2] = { { 0, 100 * PG, 0, 0 }, { 200 * PG, 10 * PG, 200 * PG, 0 } };
	struct dumpplan_range bad[2] = { { 200 * PG, 10 * PG, 200 * PG, 0 }, { 0, 100 * PG, 0, 0 } };
	struct dumpplan_range many[20];
	struct elffilter_counts cnt;
	struct cb c = { 0 };
	struct elfcore_split s;
	const char *why;

	reset();
	c.fail = "struct pages misread";
	c.fail_at = 2;
	CHECK_EQ(plan(r, 2, 64, 4, &c, &cnt, NULL, &why), -ECANCELED);
	CHECK_STR(why, "struct pages misread");
	/* Out of order: a new walk from 0 for the second range, and the
	 * last walk taken on to the end. */
	memset(&c, 0, sizeof(c));
	CHECK_EQ(plan(bad, 2, 64, 4, &c, &cnt, NULL, &why), 2);
	CHECK(why == NULL);
	CHECK_EQ(c.walks, 1);
	CHECK_EQ(cnt.restarts, 1);
	CHECK_EQ(c.bad_order, 0);
	CHECK_EQ(c.next, 210);
	/* Too far out of order: 20 ranges backwards. */
	for (int i = 0; i < 20; i++)
		many[i] = (struct dumpplan_range){ (uint64_t)(19 - i) * 64 * PG, 32 * PG,
						   (uint64_t)(19 - i) * 64 * PG, 0 };
	memset(&c, 0, sizeof(c));
	CHECK_EQ(plan(many, 20, 64, 4, &c, &cnt, NULL, &why), -ECANCELED);
	CHECK_STR(why, "the dump's ranges are too far out of order");
	/* A planner without a threshold would write every left-out page. */
	elfcore_split_init(&s, segs, 64, 0);
	CHECK_EQ(elffilter_split(&s, r, 2, window, &c, NULL, win, sizeof(win), &cnt, &why), -EINVAL);
	elfcore_split_init(&s, segs, 64, 16);
	CHECK_EQ(elffilter_split(&s, r, 2, window, &c, NULL, win, 0, &cnt, &why), -EINVAL);
	CHECK_EQ(elffilter_max_pfn(r, 2), 210);
	CHECK_EQ(elffilter_max_pfn(NULL, 0), 0);
}

TEST(kexec_tools_layout)
{
	/* kexec-tools' elfcorehdr: the kernel text first (inside RAM, with
	 * its virtual address), then the RAM: low 640 KiB, then from 1 MiB. */
	struct dumpplan_range r[3] = {
		{ 1000 * PG, 200 * PG, 1000 * PG, 0xffffffff81000000ull },
		{ 0, 160 * PG, 0, 0 },
		{ 256 * PG, 3000 * PG, 256 * PG, 0 },
	};
	struct elffilter_counts cnt;
	struct cb c = { 0 };
	const char *why;
	long n;

	reset();
	mark(leftout, 1100, 1150);	/* inside the text range and RAM alike */
	n = plan(r, 3, 64, 16, &c, &cnt, NULL, &why);	/* windows of 128 pfns */
	CHECK(why == NULL);
	CHECK_EQ(c.walks, 1);
	CHECK_EQ(c.bad_order, 0);
	CHECK_EQ(c.bad_in, 0);
	CHECK_EQ(c.next, 3256);
	CHECK_EQ(n, 5);
	CHECK_EQ(segs[0].vaddr, 0xffffffff81000000ull);
	CHECK_EQ(segs[0].filesz, 100 * PG);
	CHECK_EQ(segs[0].memsz, 150 * PG);
	CHECK_EQ(segs[1].vaddr, 0xffffffff81000000ull + 150 * PG);
	CHECK_EQ(segs[1].paddr, 1150 * PG);
	CHECK_EQ(segs[3].paddr, 256 * PG);
	CHECK_EQ(segs[3].memsz, (1150 - 256) * PG);
	CHECK_EQ(segs[3].filesz, (1100 - 256) * PG);
	CHECK_EQ(cnt.left_out, 100);
	check_tails(r, 3, (size_t)n);
}

static struct elffilter ef;

TEST(plan_falls_back_to_level_and_1)
{
	struct dumpplan_range r[1] = { { 0, 64 * PG, 0, 0 } };
	struct elfcore_segment want[8];
	struct cb c = { 0 };
	struct elfcore_zero_scan z = { ELFCORE_ZERO_RUN_DEFAULT, is_zero, &c };
	size_t wn;
	uint64_t size;
	char line[320];
	static const char junk[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";

	reset();
	mark(zeros, 20, 40);
	CHECK_EQ(elfcore_plan(r, 1, 0, &z, want, 8, &wn, &size), 0);

	CHECK_EQ(elffilter_plan(&ef, r, 1, 31, NULL, 0, NULL, NULL, &z, segs, 64), 0);
	CHECK_STR(ef.why, "no VMCOREINFO note");
	CHECK_EQ(ef.level_recorded, 1);
	CHECK(!ef.filtered);
	CHECK_EQ(ef.nsegs, wn);
	CHECK(memcmp(segs, want, wn * sizeof(want[0])) == 0 || (segs[0].memsz == want[0].memsz &&
	      segs[0].filesz == want[0].filesz && segs[1].paddr == want[1].paddr));
	elffilter_level_line(&ef, line, sizeof(line));
	CHECK_STR(line, "ELF level 31: not filtering (no VMCOREINFO note): every page kept, dump "
		  "level 1 recorded");

	CHECK_EQ(elffilter_plan(&ef, r, 1, 30, junk, sizeof(junk) - 1, NULL, NULL, &z, segs, 64), 0);
	CHECK(ef.why != NULL);
	CHECK_EQ(ef.level_recorded, 0);

	CHECK_EQ(elffilter_plan(&ef, r, 1, 1, NULL, 0, NULL, NULL, &z, segs, 64), 0);
	CHECK(ef.why == NULL);
	CHECK_EQ(ef.level_recorded, 1);
	elffilter_level_line(&ef, line, sizeof(line));
	CHECK_STR(line, "ELF level 1: every page kept");

	/* pm.zero=keep, no filtering: one segment, every byte. */
	CHECK_EQ(elffilter_plan(&ef, r, 1, 0, NULL, 0, NULL, NULL, NULL, segs, 64), 0);
	CHECK_EQ(ef.nsegs, 1);
	CHECK_EQ(segs[0].filesz, 64 * PG);
	CHECK_EQ(ef.min_run, 0);
	CHECK_EQ(elffilter_plan(NULL, r, 1, 0, NULL, 0, NULL, NULL, NULL, segs, 64), -EINVAL);
}

TEST_MAIN(cut_at_long_left_out_runs, windows_in_order_with_holes, zero_and_left_out_runs_join,
	  table_bound_keeps_some_left_out_pages, partial_pages_and_read_from, reasons_cancel,
	  kexec_tools_layout,
	  plan_falls_back_to_level_and_1)
