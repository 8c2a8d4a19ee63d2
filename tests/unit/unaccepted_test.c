/* Host tests for formats/unaccepted.c: header checks (version, unit size,
 * base alignment, bitmap size, covered range near 2^52 and 2^64, short and
 * cut-short buffers), runs of set units clipped to a query range (units
 * straddling its ends, all set, none set, a zero-size bitmap), the carve
 * of a dump plan (holes, edges, read_from elsewhere, a full plan) and the
 * intersection with another plan. */
#include "tests/unit/test.h"
#include <errno.h>

#include "formats/unaccepted.h"

#define MiB (1ull << 20)

static uint8_t buf[UNACCEPTED_HEADER_SIZE + 4096];
static struct dumpplan in, out, allowed;

/* A table in buf: header and nbytes of bitmap (all zero). */
static size_t table(uint32_t version, uint32_t unit, uint64_t base, uint64_t size, size_t nbytes)
{
	memset(buf, 0, sizeof(buf));
	test_put32(buf, version);
	test_put32(buf + 4, unit);
	test_put64(buf + 8, base);
	test_put64(buf + 16, size);
	return UNACCEPTED_HEADER_SIZE + nbytes;
}

static void set_bit(unsigned i)
{
	buf[UNACCEPTED_HEADER_SIZE + i / 8] |= (uint8_t)(1u << (i % 8));
}

TEST(header_checks)
{
	struct unaccepted_table t;
	size_t n = table(1, 2 * MiB, 64 * MiB, 4, 4);

	CHECK_EQ(unaccepted_header(buf, UNACCEPTED_HEADER_SIZE, &t), UNACCEPTED_OK);
	CHECK_EQ(t.end, 64 * MiB + 32 * 2 * MiB);
	CHECK(t.bitmap == NULL);
	CHECK_EQ(unaccepted_table_bytes(&t), 28);
	CHECK_EQ(unaccepted_parse(buf, n, &t), UNACCEPTED_OK);
	CHECK(t.bitmap == buf + UNACCEPTED_HEADER_SIZE);
	CHECK_EQ(unaccepted_parse(buf, n - 1, &t), UNACCEPTED_ETRUNC);
	CHECK_EQ(unaccepted_header(buf, UNACCEPTED_HEADER_SIZE - 1, &t), UNACCEPTED_ESHORT);
	CHECK_EQ(unaccepted_header(NULL, 100, &t), UNACCEPTED_ESHORT);

	table(2, 2 * MiB, 0, 4, 4);
	CHECK_EQ(unaccepted_header(buf, 28, &t), UNACCEPTED_EVERSION);
	CHECK_EQ(t.version, 2);		/* filled for the message */
	table(0, 2 * MiB, 0, 4, 4);
	CHECK_EQ(unaccepted_header(buf, 28, &t), UNACCEPTED_EVERSION);

	const uint32_t bad_units[] = { 0, 1, 2048, 4095, 4097, 3 * MiB, 0x80000000u, 0xffffffffu };
	for (size_t i = 0; i < sizeof(bad_units) / sizeof(bad_units[0]); i++) {
		table(1, bad_units[i], 0, 4, 4);
		CHECK_EQ(unaccepted_header(buf, 28, &t), UNACCEPTED_EUNIT);
	}
	table(1, 4096, 0, 4, 4);
	CHECK_EQ(unaccepted_header(buf, 28, &t), UNACCEPTED_OK);
	table(1, 1u << 30, 0, 4, 4);
	CHECK_EQ(unaccepted_header(buf, 28, &t), UNACCEPTED_OK);

	table(1, 2 * MiB, 0x1000, 4, 4);	/* 4 KiB aligned, not unit aligned: fine */
	CHECK_EQ(unaccepted_header(buf, 28, &t), UNACCEPTED_OK);
	table(1, 2 * MiB, 0x1800, 4, 4);
	CHECK_EQ(unaccepted_header(buf, 28, &t), UNACCEPTED_EBASE);

	table(1, 4096, 0, UNACCEPTED_BITMAP_MAX + 1, 0);
	CHECK_EQ(unaccepted_header(buf, 24, &t), UNACCEPTED_ESIZE);
	table(1, 4096, 0, UINT64_MAX, 0);
	CHECK_EQ(unaccepted_header(buf, 24, &t), UNACCEPTED_ESIZE);
	table(1, 4096, 0, UNACCEPTED_BITMAP_MAX, 0);
	CHECK_EQ(unaccepted_header(buf, 24, &t), UNACCEPTED_OK);
	CHECK_EQ(unaccepted_parse(buf, 24, &t), UNACCEPTED_ETRUNC);
}

TEST(huge_values)
{
	struct unaccepted_table t;

	/* 64 MiB of bitmap at 1 GiB units covers 2^59: past 2^52. */
	table(1, 1u << 30, 0, UNACCEPTED_BITMAP_MAX, 0);
	CHECK_EQ(unaccepted_header(buf, 24, &t), UNACCEPTED_ERANGE);
	/* Exactly up to 2^52 is fine; one unit more is not. */
	table(1, 1u << 30, UNACCEPTED_PHYS_LIMIT - (8ull << 30), 1, 1);
	CHECK_EQ(unaccepted_header(buf, 25, &t), UNACCEPTED_OK);
	CHECK_EQ(t.end, UNACCEPTED_PHYS_LIMIT);
	table(1, 1u << 30, UNACCEPTED_PHYS_LIMIT - (8ull << 30) + 4096, 1, 1);
	CHECK_EQ(unaccepted_header(buf, 25, &t), UNACCEPTED_ERANGE);
	/* A base near 2^64 that would wrap. */
	table(1, 2 * MiB, UINT64_MAX - 4095, 1, 1);
	CHECK_EQ(unaccepted_header(buf, 25, &t), UNACCEPTED_ERANGE);
	table(1, 2 * MiB, UNACCEPTED_PHYS_LIMIT, 0, 0);
	CHECK_EQ(unaccepted_header(buf, 24, &t), UNACCEPTED_ERANGE);
	CHECK(strcmp(unaccepted_strerror(UNACCEPTED_EVERSION), "unknown version (only 1 is known)") == 0);
	CHECK(strcmp(unaccepted_strerror(99), "unknown error") == 0);
}

TEST(size_zero)
{
	struct unaccepted_table t;
	uint64_t s, e;

	table(1, 2 * MiB, 64 * MiB, 0, 0);
	CHECK_EQ(unaccepted_parse(buf, 24, &t), UNACCEPTED_OK);
	CHECK_EQ(t.end, 64 * MiB);
	CHECK_EQ(unaccepted_count(&t), 0);
	CHECK(!unaccepted_next(&t, 0, UINT64_MAX, &s, &e));
}

TEST(runs_clipped)
{
	struct unaccepted_table t;
	uint64_t s, e, base = 64 * MiB, u = 2 * MiB;

	table(1, 2 * MiB, base, 4, 4);
	set_bit(2);
	set_bit(3);
	set_bit(9);
	set_bit(31);
	CHECK_EQ(unaccepted_parse(buf, 28, &t), UNACCEPTED_OK);
	CHECK_EQ(unaccepted_count(&t), 4);
	CHECK(unaccepted_next(&t, 0, UINT64_MAX, &s, &e));
	CHECK_EQ(s, base + 2 * u);
	CHECK_EQ(e, base + 4 * u);
	CHECK(unaccepted_next(&t, e, UINT64_MAX, &s, &e));
	CHECK_EQ(s, base + 9 * u);
	CHECK_EQ(e, base + 10 * u);
	CHECK(unaccepted_next(&t, e, UINT64_MAX, &s, &e));
	CHECK_EQ(s, base + 31 * u);
	CHECK_EQ(e, base + 32 * u);
	CHECK(!unaccepted_next(&t, e, UINT64_MAX, &s, &e));

	/* A query starting and ending inside set units: clipped to it. */
	CHECK(unaccepted_next(&t, base + 2 * u + 4096, base + 3 * u + 8192, &s, &e));
	CHECK_EQ(s, base + 2 * u + 4096);
	CHECK_EQ(e, base + 3 * u + 8192);
	/* Ending exactly where a set unit begins: nothing. */
	CHECK(!unaccepted_next(&t, base, base + 2 * u, &s, &e));
	/* Starting exactly where the run ends. */
	CHECK(unaccepted_next(&t, base + 4 * u, base + 10 * u, &s, &e));
	CHECK_EQ(s, base + 9 * u);
	/* One byte of a set unit. */
	CHECK(unaccepted_next(&t, base + 10 * u - 1, base + 10 * u, &s, &e));
	CHECK_EQ(e - s, 1);
	/* Outside the covered memory, empty and inverted queries. */
	CHECK(!unaccepted_next(&t, 0, base, &s, &e));
	CHECK(!unaccepted_next(&t, base + 32 * u, UINT64_MAX, &s, &e));
	CHECK(!unaccepted_next(&t, base + 3 * u, base + 3 * u, &s, &e));
	CHECK(!unaccepted_next(&t, base + 3 * u, base, &s, &e));
}

TEST(all_and_none)
{
	struct unaccepted_table t;
	uint64_t s, e;

	table(1, 4096, 0x100000, 64, 64);
	memset(buf + UNACCEPTED_HEADER_SIZE, 0xff, 64);
	CHECK_EQ(unaccepted_parse(buf, 24 + 64, &t), UNACCEPTED_OK);
	CHECK_EQ(unaccepted_count(&t), 512);
	CHECK(unaccepted_next(&t, 0, UINT64_MAX, &s, &e));
	CHECK_EQ(s, 0x100000);
	CHECK_EQ(e, 0x100000 + 512 * 4096);

	table(1, 4096, 0x100000, 64, 64);
	CHECK_EQ(unaccepted_parse(buf, 24 + 64, &t), UNACCEPTED_OK);
	CHECK(!unaccepted_next(&t, 0, UINT64_MAX, &s, &e));

	/* Bit 7 of a byte and bit 0 of the next: one run across the byte. */
	set_bit(15);
	set_bit(16);
	CHECK(unaccepted_next(&t, 0, UINT64_MAX, &s, &e));
	CHECK_EQ(s, 0x100000 + 15 * 4096);
	CHECK_EQ(e, 0x100000 + 17 * 4096);
}

TEST(carve_plan)
{
	struct unaccepted_table t;
	struct unaccepted_carve_stats st;
	uint64_t base = 64 * MiB, u = 2 * MiB;

	table(1, 2 * MiB, base, 4, 4);
	set_bit(2);
	set_bit(3);
	set_bit(9);
	set_bit(31);
	CHECK_EQ(unaccepted_parse(buf, 28, &t), UNACCEPTED_OK);

	dumpplan_init(&in);
	dumpplan_add(&in, 0x100000, 256 * MiB - 0x100000, 0x100000, 0xffff888000100000ull);
	dumpplan_finish(&in);
	CHECK_EQ(unaccepted_carve(&t, &in, &out, &st), 0);
	CHECK_EQ(st.units, 4);
	CHECK_EQ(st.bytes, 4 * u);
	CHECK_EQ(st.dropped, 0);
	CHECK_EQ(out.n, 4);
	CHECK_EQ(out.r[0].start, 0x100000);
	CHECK_EQ(out.r[0].size, base + 2 * u - 0x100000);
	CHECK_EQ(out.r[1].start, base + 4 * u);
	CHECK_EQ(out.r[1].read_from, base + 4 * u);
	CHECK_EQ(out.r[1].vaddr, 0xffff888000000000ull + base + 4 * u);
	CHECK_EQ(out.r[1].size, 5 * u);
	CHECK_EQ(out.r[2].start, base + 10 * u);
	CHECK_EQ(out.r[2].size, 21 * u);
	CHECK_EQ(out.r[3].start, base + 32 * u);
	CHECK_EQ(out.total, in.total - 4 * u);

	/* Ranges whose edges fall inside set units: the unit counted once. */
	dumpplan_init(&in);
	dumpplan_add(&in, base + 2 * u + 4096, 4096, base + 2 * u + 4096, 0);
	dumpplan_add(&in, base + 3 * u, 8192, base + 3 * u, 0);
	dumpplan_add(&in, base + 8 * u, 2 * u + 4096, base + 8 * u, 0);
	dumpplan_finish(&in);
	CHECK_EQ(unaccepted_carve(&t, &in, &out, &st), 0);
	CHECK_EQ(st.units, 3);
	CHECK_EQ(st.bytes, 4096 + 8192 + u);
	CHECK_EQ(out.n, 2);
	CHECK_EQ(out.r[0].start, base + 8 * u);
	CHECK_EQ(out.r[0].size, u);
	CHECK_EQ(out.r[1].start, base + 10 * u);
	CHECK_EQ(out.r[1].size, 4096);

	/* A range read from elsewhere (kexec's backup region): left out
	 * where its read address is unaccepted too. */
	dumpplan_init(&in);
	dumpplan_add(&in, 0, 0xa0000, base + 2 * u - 0x10000, 0);
	dumpplan_finish(&in);
	CHECK_EQ(unaccepted_carve(&t, &in, &out, &st), 0);
	CHECK_EQ(out.n, 1);
	CHECK_EQ(out.r[0].start, 0);
	CHECK_EQ(out.r[0].size, 0x10000);
	CHECK_EQ(out.r[0].read_from, base + 2 * u - 0x10000);
	CHECK_EQ(st.bytes, 0x90000);
}

TEST(carve_full_plan)
{
	struct unaccepted_table t;
	struct unaccepted_carve_stats st;

	/* Every other 4 KiB unit unaccepted over 8 MiB: more pieces than a
	 * plan holds.  What does not fit is dropped, never kept. */
	table(1, 4096, 0, 256, 256);
	memset(buf + UNACCEPTED_HEADER_SIZE, 0x55, 256);
	CHECK_EQ(unaccepted_parse(buf, 24 + 256, &t), UNACCEPTED_OK);
	dumpplan_init(&in);
	dumpplan_add(&in, 0, 8 * MiB, 0, 0);
	dumpplan_finish(&in);
	CHECK_EQ(unaccepted_carve(&t, &in, &out, &st), -ENOSPC);
	CHECK_EQ(out.n, DUMPPLAN_MAX);
	CHECK_EQ(st.units, 1024);
	CHECK_EQ(st.bytes, 4 * MiB);
	CHECK_EQ(st.dropped, 4 * MiB - DUMPPLAN_MAX * 4096ull);
	for (size_t i = 0; i < out.n; i++)
		CHECK_EQ(out.r[i].start, (2 * i + 1) * 4096);
}

TEST(keep_in_plan)
{
	uint64_t left;

	dumpplan_init(&in);
	dumpplan_add(&in, 0x100000, 0xf00000, 0x100000, 0);
	dumpplan_add(&in, 0, 0x1000, 0x2000000, 0);	/* read from elsewhere */
	dumpplan_finish(&in);
	dumpplan_init(&allowed);
	dumpplan_add(&allowed, 0, 0x400000, 0, 0);
	dumpplan_add(&allowed, 0x800000, 0x100000, 0x800000, 0);
	dumpplan_finish(&allowed);
	CHECK_EQ(unaccepted_keep_in(&in, &allowed, &out, &left), 0);
	/* [0,0x1000) is allowed but read from 0x2000000, which is not. */
	CHECK_EQ(out.n, 2);
	CHECK_EQ(out.r[0].start, 0x100000);
	CHECK_EQ(out.r[0].size, 0x300000);
	CHECK_EQ(out.r[1].start, 0x800000);
	CHECK_EQ(out.r[1].size, 0x100000);
	CHECK_EQ(left, 0xf00000 + 0x1000 - 0x400000);

	dumpplan_init(&allowed);
	dumpplan_add(&allowed, 0, 0x1000, 0, 0);
	dumpplan_add(&allowed, 0x2000000, 0x1000, 0x2000000, 0);
	dumpplan_finish(&allowed);
	CHECK_EQ(unaccepted_keep_in(&in, &allowed, &out, &left), 0);
	CHECK_EQ(out.n, 1);
	CHECK_EQ(out.r[0].start, 0);
	CHECK_EQ(out.r[0].read_from, 0x2000000);

	dumpplan_init(&allowed);
	CHECK_EQ(unaccepted_keep_in(&in, &allowed, &out, &left), 0);
	CHECK_EQ(out.n, 0);
	CHECK_EQ(left, in.total);
}

TEST_MAIN(header_checks, huge_values, size_zero, runs_clipped, all_and_none, carve_plan,
	  carve_full_plan, keep_in_plan)
