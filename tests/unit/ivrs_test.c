/*
 * Unit tests for formats/ivrs.c: a table like QEMU's amd-iommu (one IOMMU
 * described by both a type 10h and a type 11h IVHD), IVMD blocks stepped
 * over, unknown block types, and tables that are truncated, mis-signed,
 * or carry hostile block lengths (zero, too short for the header or for
 * the IVHD type's fixed part, past the end).  Tables are built here byte
 * by byte at the offsets of the AMD IOMMU specification §5.2, not through
 * ivrs.h's constants.  Also the control value that turns the IOMMU off.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "formats/ivrs.h"
#include "tests/unit/test.h"

static uint8_t t[1024];
static size_t tlen;

static void start(uint32_t ivinfo)
{
	memset(t, 0, sizeof(t));
	memcpy(t, "IVRS", 4);
	t[8] = 2;
	memcpy(t + 10, "BOCHS ", 6);
	test_put32(t + 36, ivinfo);
	tlen = 48;
	test_put32(t + 4, (uint32_t)tlen);
}

/* Append a block of type and total length n; returns its offset. */
static size_t add(uint8_t type, uint16_t n)
{
	size_t at = tlen;

	t[at] = type;
	test_put16(t + at + 2, n);
	tlen += n;
	test_put32(t + 4, (uint32_t)tlen);
	return at;
}

static size_t add_ivhd(uint8_t type, uint16_t n, uint16_t devid, uint64_t base, uint16_t seg)
{
	size_t at = add(type, n);

	t[at + 1] = 0xb0;		/* flags */
	test_put16(t + at + 4, devid);
	test_put16(t + at + 6, 0x40);	/* capability offset */
	test_put64(t + at + 8, base);
	test_put16(t + at + 16, seg);
	test_put16(t + at + 18, 0x1234);
	test_put32(t + at + 20, 0x00048000);
	if (type != 0x10)
		test_put64(t + at + 24, 0x00000000246577efull);
	return at;
}

TEST(test_qemu_amd_iommu)
{
	struct ivrs_info info;
	struct ivrs_ivhd h;
	size_t at;

	start(0x00203040);
	add_ivhd(0x10, 24 + 4, 0x0010, 0xfed80000, 0);	/* one 4-byte device entry */
	at = add_ivhd(0x11, 40 + 4, 0x0010, 0xfed80000, 0);
	t[at + 40] = 1;					/* "all devices" entry */
	CHECK_EQ(ivrs_parse(t, tlen, &info), 0);
	CHECK_EQ(info.ivinfo, 0x00203040);
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, &h), 0);
	CHECK_EQ(h.type, 0x10);
	CHECK_EQ(h.flags, 0xb0);
	CHECK_EQ(h.length, 28);
	CHECK_EQ(h.offset, 48);
	CHECK_EQ(h.device_id, 0x0010);
	CHECK_EQ(h.cap_offset, 0x40);
	CHECK_EQ(h.base, 0xfed80000);
	CHECK_EQ(h.segment, 0);
	CHECK_EQ(h.info, 0x1234);
	CHECK_EQ(h.attributes, 0x00048000);
	CHECK_EQ(h.efr, 0);				/* type 10h has none */
	CHECK_EQ(ivrs_ivhd(t, tlen, 1, &h), 0);
	CHECK_EQ(h.type, 0x11);
	CHECK_EQ(h.base, 0xfed80000);			/* the same IOMMU */
	CHECK_EQ(h.efr, 0x00000000246577efull);
	CHECK_EQ(ivrs_ivhd(t, tlen, 2, &h), -ENOENT);
	CHECK_EQ(h.base, 0);				/* cleared on failure */
}

TEST(test_ivmd_and_unknown_blocks_stepped_over)
{
	struct ivrs_ivhd h;

	start(0);
	add(0x20, 32);					/* IVMD, all peripherals */
	add_ivhd(0x40, 40, 0x0002, 0xfd000000, 0);
	add(0x21, 32);
	add(0x99, 6);					/* unknown type */
	add_ivhd(0x10, 24, 0x0102, 0xfd100000, 1);
	add(0x22, 32);
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, &h), 0);
	CHECK_EQ(h.type, 0x40);
	CHECK_EQ(h.base, 0xfd000000);
	CHECK_EQ(ivrs_ivhd(t, tlen, 1, &h), 0);
	CHECK_EQ(h.base, 0xfd100000);
	CHECK_EQ(h.segment, 1);
	CHECK_EQ(ivrs_ivhd(t, tlen, 2, &h), -ENOENT);
}

TEST(test_empty_and_stray_bytes)
{
	struct ivrs_ivhd h;

	start(0);
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, &h), -ENOENT);
	tlen += 3;
	test_put32(t + 4, (uint32_t)tlen);
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, &h), -ENOENT);
}

TEST(test_hostile_block_lengths)
{
	struct ivrs_ivhd h;
	size_t at;

	start(0);
	add_ivhd(0x10, 24, 0x0010, 0xfed80000, 0);
	at = add(0x20, 32);
	test_put16(t + at + 2, 0);			/* zero: would loop forever */
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, &h), 0);	/* what came before stays readable */
	CHECK_EQ(ivrs_ivhd(t, tlen, 1, &h), -EBADMSG);
	test_put16(t + at + 2, 3);
	CHECK_EQ(ivrs_ivhd(t, tlen, 1, &h), -EBADMSG);
	test_put16(t + at + 2, 33);			/* one byte past the table */
	CHECK_EQ(ivrs_ivhd(t, tlen, 1, &h), -EBADMSG);
	test_put16(t + at + 2, 0xffff);
	CHECK_EQ(ivrs_ivhd(t, tlen, 1, &h), -EBADMSG);

	start(0);
	add(0x10, 23);					/* short for a type 10h */
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, &h), -EBADMSG);
	start(0);
	add(0x11, 39);					/* short for a type 11h */
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, &h), -EBADMSG);
	start(0);
	add(0x40, 24);					/* a 10h's size, but type 40h */
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, &h), -EBADMSG);
}

TEST(test_truncated_and_bad_header)
{
	struct ivrs_info info;
	struct ivrs_ivhd h;

	start(0);
	add_ivhd(0x10, 24, 0x0010, 0xfed80000, 0);
	CHECK_EQ(ivrs_ivhd(t, tlen - 1, 0, &h), -EINVAL);
	CHECK_EQ(ivrs_parse(t, 47, &info), -EINVAL);
	CHECK_EQ(ivrs_parse(NULL, tlen, &info), -EINVAL);
	CHECK_EQ(ivrs_parse(t, tlen, NULL), -EINVAL);
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, NULL), -EINVAL);
	test_put32(t + 4, 40);
	CHECK_EQ(ivrs_parse(t, tlen, &info), -EBADMSG);
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, &h), -EBADMSG);
	test_put32(t + 4, 0xffffffffu);
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, &h), -EINVAL);
	test_put32(t + 4, (uint32_t)tlen);
	memcpy(t, "DMAR", 4);
	CHECK_EQ(ivrs_parse(t, tlen, &info), -EBADMSG);
	CHECK_EQ(ivrs_ivhd(t, tlen, 0, &h), -EBADMSG);
}

TEST(test_unaligned_exact_heap)
{
	struct ivrs_ivhd h;
	uint8_t *raw, *u;

	start(0);
	add_ivhd(0x11, 40, 0x0010, 0xfed80000, 0);
	raw = malloc(tlen + 1);
	u = raw + 1;
	memcpy(u, t, tlen);
	CHECK_EQ(ivrs_ivhd(u, tlen, 0, &h), 0);
	CHECK_EQ(h.base, 0xfed80000);
	CHECK_EQ(h.efr, 0x00000000246577efull);
	CHECK_EQ(ivrs_ivhd(u, tlen, 1, &h), -ENOENT);
	free(raw);
}

TEST(test_control_off_keeps_other_bits)
{
	/* IommuEn, HtTunEn (bit 1), event log + interrupt, command buffer,
	 * coherent (bit 10) and a high bit another feature uses. */
	uint64_t ctl = 0x1ull | 0x2ull | 0x4ull | 0x8ull | 0x1000ull | 0x400ull | (1ull << 40);

	CHECK_EQ(amdvi_control_off(ctl), 0x2ull | 0x400ull | (1ull << 40));
	CHECK_EQ(amdvi_control_off(0), 0);
	CHECK_EQ(amdvi_control_off(~0ull) & 1, 0);
}

TEST_MAIN(test_qemu_amd_iommu, test_ivmd_and_unknown_blocks_stepped_over,
	  test_empty_and_stray_bytes, test_hostile_block_lengths, test_truncated_and_bad_header,
	  test_unaligned_exact_heap, test_control_off_keeps_other_bits)
