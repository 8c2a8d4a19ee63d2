/*
 * Unit tests for formats/mcfg.c: QEMU q35's one-entry table, several
 * segments and bus ranges, and tables that are empty, truncated, too long
 * for the buffer, misaligned, mis-signed or full of unusable entries.
 * Tables are built here byte by byte at the offsets of PCI Firmware 3.2
 * Tables 4-2 and 4-3, not through mcfg.h's structs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "formats/mcfg.h"
#include "tests/unit/test.h"

/* An MCFG of n entries at p (room for 44 + 16 n bytes); returns its length. */
static size_t make_mcfg(uint8_t *p, size_t n)
{
	size_t len = 44 + 16 * n;

	memset(p, 0, len);
	memcpy(p, "MCFG", 4);
	test_put32(p + 4, (uint32_t)len);
	p[8] = 1;			/* revision */
	memcpy(p + 10, "BOCHS ", 6);
	return len;
}

static void set_entry(uint8_t *p, size_t i, uint64_t base, uint16_t seg, uint8_t start,
		      uint8_t end)
{
	uint8_t *e = p + 44 + 16 * i;

	test_put64(e, base);
	test_put16(e + 8, seg);
	e[10] = start;
	e[11] = end;
	test_put32(e + 12, 0);
}

TEST(test_q35)
{
	uint8_t t[60];
	struct mcfg_ecam e;
	size_t len = make_mcfg(t, 1);

	set_entry(t, 0, 0xb0000000, 0, 0, 255);
	CHECK_EQ(len, 60);
	CHECK_EQ(mcfg_entry(t, len, 0, &e), 0);
	CHECK_EQ(e.base, 0xb0000000);
	CHECK_EQ(e.segment, 0);
	CHECK_EQ(e.bus_start, 0);
	CHECK_EQ(e.bus_end, 255);
	CHECK_EQ(mcfg_entry(t, len, 1, &e), -ENOENT);
	CHECK_EQ(mcfg_find(t, len, 0, &e), 0);
	CHECK_EQ(e.base, 0xb0000000);
	CHECK_EQ(e.bus_end, 255);
	CHECK_EQ(mcfg_find(t, len, 1, &e), -ENOENT);
	CHECK_EQ(e.base, 0);		/* cleared on failure */
}

TEST(test_empty_table)
{
	uint8_t t[44];
	struct mcfg_ecam e;
	size_t len = make_mcfg(t, 0);

	CHECK_EQ(mcfg_entry(t, len, 0, &e), -ENOENT);
	CHECK_EQ(mcfg_find(t, len, 0, &e), -ENOENT);
}

TEST(test_several)
{
	uint8_t t[44 + 16 * 4];
	struct mcfg_ecam e;
	size_t len = make_mcfg(t, 4);

	set_entry(t, 0, 0xe0000000, 1, 0, 63);		/* another segment */
	set_entry(t, 1, 0xc0000000, 0, 0x80, 0xff);	/* segment 0, high buses */
	set_entry(t, 2, 0xd0000000, 0, 0, 0x7f);	/* segment 0 from bus 0: chosen */
	set_entry(t, 3, 0xf0000000, 0, 0, 0x0f);	/* a later tie: not chosen */
	CHECK_EQ(mcfg_find(t, len, 0, &e), 0);
	CHECK_EQ(e.base, 0xd0000000);
	CHECK_EQ(e.bus_start, 0);
	CHECK_EQ(e.bus_end, 0x7f);
	CHECK_EQ(mcfg_find(t, len, 1, &e), 0);
	CHECK_EQ(e.base, 0xe0000000);
	CHECK_EQ(e.segment, 1);
	CHECK_EQ(mcfg_entry(t, len, 3, &e), 0);
	CHECK_EQ(e.base, 0xf0000000);
	CHECK_EQ(mcfg_entry(t, len, 4, &e), -ENOENT);
	CHECK_EQ(mcfg_entry(t, len, (size_t)-1, &e), -ENOENT);
}

TEST(test_unusable_entries)
{
	uint8_t t[44 + 16 * 5];
	struct mcfg_ecam e;
	size_t len = make_mcfg(t, 5);

	set_entry(t, 0, 0, 0, 0, 255);				/* no base */
	set_entry(t, 1, 0xb0000800, 0, 0, 255);			/* not 1 MiB aligned */
	set_entry(t, 2, 0xb0000000, 0, 9, 8);			/* start after end */
	set_entry(t, 3, 0xfffffffff0000000ull, 0, 0, 255);	/* ends at 2^64: wraps */
	set_entry(t, 4, 0xfffffffff0000000ull, 0, 0, 255);
	CHECK_EQ(mcfg_find(t, len, 0, &e), -ENOENT);
	/* mcfg_entry reports them as they are. */
	CHECK_EQ(mcfg_entry(t, len, 2, &e), 0);
	CHECK_EQ(e.bus_start, 9);
	CHECK_EQ(e.bus_end, 8);
	/* One bus fewer ends below 2^64: usable. */
	set_entry(t, 4, 0xfffffffff0000000ull, 0, 0, 254);
	CHECK_EQ(mcfg_find(t, len, 0, &e), 0);
	CHECK_EQ(e.bus_end, 254);
}

TEST(test_truncated)
{
	uint8_t t[60];
	struct mcfg_ecam e;
	size_t len = make_mcfg(t, 1);

	set_entry(t, 0, 0xb0000000, 0, 0, 255);
	for (size_t l = 0; l < 44; l++) {
		CHECK_EQ(mcfg_entry(t, l, 0, &e), -EINVAL);
		CHECK_EQ(mcfg_find(t, l, 0, &e), -EINVAL);
	}
	/* The declared length (60) beyond the buffer: refused, not read. */
	for (size_t l = 44; l < len; l++)
		CHECK_EQ(mcfg_find(t, l, 0, &e), -EINVAL);
	/* A declared length that cuts the entry: the partial entry is ignored. */
	for (uint32_t d = 44; d < 60; d++) {
		test_put32(t + 4, d);
		CHECK_EQ(mcfg_entry(t, len, 0, &e), -ENOENT);
		CHECK_EQ(mcfg_find(t, len, 0, &e), -ENOENT);
	}
	test_put32(t + 4, 60);
	CHECK_EQ(mcfg_find(t, len, 0, &e), 0);
}

TEST(test_bad_header)
{
	uint8_t t[60];
	struct mcfg_ecam e;
	size_t len = make_mcfg(t, 1);

	set_entry(t, 0, 0xb0000000, 0, 0, 255);
	test_put32(t + 4, 43);				/* shorter than the header */
	CHECK_EQ(mcfg_entry(t, len, 0, &e), -EBADMSG);
	CHECK_EQ(mcfg_find(t, len, 0, &e), -EBADMSG);
	test_put32(t + 4, 0xffffffffu);			/* maximum: beyond the buffer */
	CHECK_EQ(mcfg_find(t, len, 0, &e), -EINVAL);
	test_put32(t + 4, 60);
	memcpy(t, "APIC", 4);
	CHECK_EQ(mcfg_entry(t, len, 0, &e), -EBADMSG);
	CHECK_EQ(mcfg_find(t, len, 0, &e), -EBADMSG);
	CHECK_EQ(mcfg_find(NULL, len, 0, &e), -EINVAL);
	memcpy(t, "MCFG", 4);
	CHECK_EQ(mcfg_find(t, len, 0, NULL), -EINVAL);
	CHECK_EQ(mcfg_entry(t, len, 0, NULL), -EINVAL);
}

TEST(test_unaligned_exact_heap)
{
	/* An exact-size heap copy at an odd address: ASan and UBSan catch any
	 * read past the end or any misaligned load. */
	uint8_t t[60];
	uint8_t *raw = malloc(61), *u = raw + 1;
	struct mcfg_ecam e;
	size_t len = make_mcfg(t, 1);

	set_entry(t, 0, 0x80000000, 0, 0, 63);
	memcpy(u, t, len);
	CHECK_EQ(mcfg_find(u, len, 0, &e), 0);
	CHECK_EQ(e.base, 0x80000000);
	CHECK_EQ(e.bus_end, 63);
	free(raw);
}

TEST_MAIN(test_q35, test_empty_table, test_several, test_unusable_entries, test_truncated,
	  test_bad_header, test_unaligned_exact_heap)
