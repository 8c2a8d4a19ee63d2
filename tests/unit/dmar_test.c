/*
 * Unit tests for formats/dmar.c: a table like QEMU's q35 with intel-iommu
 * (one DRHD covering every PCI device, an IOAPIC scope), several units
 * among other remapping structures, device scope paths, and tables that
 * are truncated, mis-signed, or carry hostile structure and scope lengths
 * (zero, too short, odd, past the end).  Tables are built here byte by
 * byte at the offsets of the VT-d specification §8, not through dmar.h's
 * constants.  Also the GCMD value that turns translation off.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "formats/dmar.h"
#include "tests/unit/test.h"

static uint8_t t[1024];
static size_t tlen;

/* Start a DMAR table in t: the 48-byte fixed part. */
static void start(uint8_t haw_minus_1, uint8_t flags)
{
	memset(t, 0, sizeof(t));
	memcpy(t, "DMAR", 4);
	t[8] = 1;
	memcpy(t + 10, "BOCHS ", 6);
	t[36] = haw_minus_1;
	t[37] = flags;
	tlen = 48;
	test_put32(t + 4, (uint32_t)tlen);
}

/* Append a remapping structure of type and total length n; returns its offset. */
static size_t add(uint16_t type, uint16_t n)
{
	size_t at = tlen;

	test_put16(t + at, type);
	test_put16(t + at + 2, n);
	tlen += n;
	test_put32(t + 4, (uint32_t)tlen);
	return at;
}

/* Append a DRHD with room for scope_bytes of device scopes; returns its offset. */
static size_t add_drhd(uint8_t flags, uint16_t seg, uint64_t base, uint16_t scope_bytes)
{
	size_t at = add(0, (uint16_t)(16 + scope_bytes));

	t[at + 4] = flags;
	test_put16(t + at + 6, seg);
	test_put64(t + at + 8, base);
	return at;
}

/* Write a device scope at p: type, enumeration id, start bus, npath (dev, fn) pairs. */
static size_t put_scope(uint8_t *p, uint8_t type, uint8_t id, uint8_t bus, size_t npath,
			const uint8_t *path)
{
	p[0] = type;
	p[1] = (uint8_t)(6 + 2 * npath);
	p[4] = id;
	p[5] = bus;
	memcpy(p + 6, path, 2 * npath);
	return 6 + 2 * npath;
}

TEST(test_qemu_q35)
{
	static const uint8_t ioapic_path[] = { 0x1f, 0x00 };
	struct dmar_info info;
	struct dmar_drhd d;
	struct dmar_scope s;
	size_t at;

	start(38, 0x01);		/* 39-bit host addresses, interrupt remapping */
	at = add_drhd(0x01, 0, 0xfed90000, 8);
	put_scope(t + at + 16, 3, 0, 0xff, 1, ioapic_path);
	CHECK_EQ(dmar_parse(t, tlen, &info), 0);
	CHECK_EQ(info.host_addr_width, 39);
	CHECK_EQ(info.flags, DMAR_FLAG_INTR_REMAP);
	CHECK_EQ(dmar_drhd(t, tlen, 0, &d), 0);
	CHECK_EQ(d.reg_base, 0xfed90000);
	CHECK_EQ(d.flags, DMAR_DRHD_INCLUDE_PCI_ALL);
	CHECK_EQ(d.segment, 0);
	CHECK_EQ(d.offset, 48);
	CHECK_EQ(d.length, 24);
	CHECK_EQ(dmar_drhd(t, tlen, 1, &d), -ENOENT);
	CHECK_EQ(d.reg_base, 0);		/* cleared on failure */
	CHECK_EQ(dmar_scope(t, tlen, 0, 0, &s), 0);
	CHECK_EQ(s.type, DMAR_SCOPE_IOAPIC);
	CHECK_EQ(s.start_bus, 0xff);
	CHECK_EQ(s.path_len, 1);
	CHECK_EQ(s.path[0].dev, 0x1f);
	CHECK_EQ(s.path[0].fn, 0);
	CHECK_EQ(dmar_scope(t, tlen, 0, 1, &s), -ENOENT);
	CHECK_EQ(dmar_scope(t, tlen, 1, 0, &s), -ENOENT);
}

TEST(test_several_units_among_others)
{
	static const uint8_t p1[] = { 0x02, 0x00 };
	static const uint8_t p2[] = { 0x1c, 0x00, 0x00, 0x01 };	/* bridge, then device */
	struct dmar_drhd d;
	struct dmar_scope s;
	size_t at;

	start(45, 0);
	at = add_drhd(0, 0, 0xfed91000, 8 + 10);		/* a graphics unit */
	at += 16;
	at += put_scope(t + at, 1, 0, 0, 1, p1);
	put_scope(t + at, 2, 0, 0, 2, p2);
	add(1, 24);						/* an RMRR */
	add(3, 20);						/* an RHSA */
	add_drhd(0x01, 1, 0xfed90000, 0);			/* the catch-all, segment 1 */
	add(5, 8);						/* a SATC */
	add(0x7777, 12);					/* unknown: stepped over */
	CHECK_EQ(dmar_drhd(t, tlen, 0, &d), 0);
	CHECK_EQ(d.reg_base, 0xfed91000);
	CHECK_EQ(d.flags, 0);
	CHECK_EQ(dmar_drhd(t, tlen, 1, &d), 0);
	CHECK_EQ(d.reg_base, 0xfed90000);
	CHECK_EQ(d.segment, 1);
	CHECK_EQ(d.flags, DMAR_DRHD_INCLUDE_PCI_ALL);
	CHECK_EQ(dmar_drhd(t, tlen, 2, &d), -ENOENT);
	CHECK_EQ(dmar_scope(t, tlen, 0, 0, &s), 0);
	CHECK_EQ(s.type, DMAR_SCOPE_PCI_ENDPOINT);
	CHECK_EQ(s.path[0].dev, 2);
	CHECK_EQ(dmar_scope(t, tlen, 0, 1, &s), 0);
	CHECK_EQ(s.type, DMAR_SCOPE_PCI_SUBHIERARCHY);
	CHECK_EQ(s.path_len, 2);
	CHECK_EQ(s.path[1].dev, 0);
	CHECK_EQ(s.path[1].fn, 1);
	CHECK_EQ(dmar_scope(t, tlen, 0, 2, &s), -ENOENT);
	CHECK_EQ(dmar_scope(t, tlen, 1, 0, &s), -ENOENT);
}

TEST(test_register_size_field)
{
	struct dmar_drhd d;
	size_t at;

	start(38, 0);
	at = add_drhd(0, 0, 0xfed90000, 0);
	t[at + 5] = 0xf3;		/* bits 7:4 reserved */
	CHECK_EQ(dmar_drhd(t, tlen, 0, &d), 0);
	CHECK_EQ(d.size, 3);
}

TEST(test_long_path_counted_not_kept)
{
	uint8_t path[2 * 12];
	struct dmar_scope s;
	size_t at;

	for (size_t i = 0; i < sizeof(path); i++)
		path[i] = (uint8_t)i;
	start(38, 0);
	at = add_drhd(0, 0, 0xfed90000, 6 + sizeof(path));
	put_scope(t + at + 16, 1, 0, 0, 12, path);
	CHECK_EQ(dmar_scope(t, tlen, 0, 0, &s), 0);
	CHECK_EQ(s.path_len, 12);
	CHECK_EQ(s.path[DMAR_SCOPE_PATH_MAX - 1].dev, 2 * (DMAR_SCOPE_PATH_MAX - 1));
}

TEST(test_empty_and_stray_bytes)
{
	struct dmar_drhd d;

	start(38, 0);
	CHECK_EQ(dmar_drhd(t, tlen, 0, &d), -ENOENT);
	tlen += 3;				/* too short for a structure header */
	test_put32(t + 4, (uint32_t)tlen);
	CHECK_EQ(dmar_drhd(t, tlen, 0, &d), -ENOENT);
}

TEST(test_hostile_structure_lengths)
{
	struct dmar_drhd d;
	struct dmar_scope s;
	size_t at;

	start(38, 0);
	add_drhd(0, 0, 0xfed90000, 0);
	at = add(1, 8);
	test_put16(t + at + 2, 0);		/* zero: would loop forever */
	CHECK_EQ(dmar_drhd(t, tlen, 0, &d), 0);	/* what came before stays readable */
	CHECK_EQ(dmar_drhd(t, tlen, 1, &d), -EBADMSG);
	test_put16(t + at + 2, 3);		/* shorter than its header */
	CHECK_EQ(dmar_drhd(t, tlen, 1, &d), -EBADMSG);
	test_put16(t + at + 2, 9);		/* one byte past the table */
	CHECK_EQ(dmar_drhd(t, tlen, 1, &d), -EBADMSG);
	test_put16(t + at + 2, 0xffff);
	CHECK_EQ(dmar_drhd(t, tlen, 1, &d), -EBADMSG);
	CHECK_EQ(dmar_scope(t, tlen, 1, 0, &s), -EBADMSG);

	start(38, 0);
	at = add(0, 12);			/* a DRHD too short for its base */
	CHECK_EQ(dmar_drhd(t, tlen, 0, &d), -EBADMSG);
}

TEST(test_hostile_scope_lengths)
{
	static const uint8_t p[] = { 1, 0 };
	struct dmar_scope s;
	size_t at;

	start(38, 0);
	at = add_drhd(0, 0, 0xfed90000, 16) + 16;
	put_scope(t + at, 1, 0, 0, 1, p);
	put_scope(t + at + 8, 1, 0, 0, 1, p);
	CHECK_EQ(dmar_scope(t, tlen, 0, 1, &s), 0);
	t[at + 8 + 1] = 0;			/* zero */
	CHECK_EQ(dmar_scope(t, tlen, 0, 0, &s), 0);
	CHECK_EQ(dmar_scope(t, tlen, 0, 1, &s), -EBADMSG);
	t[at + 8 + 1] = 5;			/* shorter than an entry */
	CHECK_EQ(dmar_scope(t, tlen, 0, 1, &s), -EBADMSG);
	t[at + 8 + 1] = 7;			/* half a path element */
	CHECK_EQ(dmar_scope(t, tlen, 0, 1, &s), -EBADMSG);
	t[at + 8 + 1] = 10;			/* past its DRHD */
	CHECK_EQ(dmar_scope(t, tlen, 0, 1, &s), -EBADMSG);
	CHECK_EQ(s.type, 0);			/* cleared */
	t[at + 8 + 1] = 8;
	test_put16(t + 48 + 2, 16 + 8 + 1);	/* the DRHD ends a byte into entry 1 */
	CHECK_EQ(dmar_scope(t, tlen, 0, 1, &s), -ENOENT);
}

TEST(test_truncated_and_bad_header)
{
	struct dmar_info info;
	struct dmar_drhd d;
	struct dmar_scope s;

	start(38, 0);
	add_drhd(0, 0, 0xfed90000, 0);
	CHECK_EQ(dmar_drhd(t, tlen - 1, 0, &d), -EINVAL);	/* declared > mapped */
	CHECK_EQ(dmar_parse(t, 47, &info), -EINVAL);
	CHECK_EQ(dmar_parse(t, tlen, NULL), -EINVAL);
	CHECK_EQ(dmar_parse(NULL, tlen, &info), -EINVAL);
	CHECK_EQ(dmar_drhd(t, tlen, 0, NULL), -EINVAL);
	CHECK_EQ(dmar_scope(t, tlen, 0, 0, NULL), -EINVAL);
	test_put32(t + 4, 47);					/* below the fixed part */
	CHECK_EQ(dmar_parse(t, tlen, &info), -EBADMSG);
	CHECK_EQ(dmar_drhd(t, tlen, 0, &d), -EBADMSG);
	test_put32(t + 4, 0xffffffffu);
	CHECK_EQ(dmar_drhd(t, tlen, 0, &d), -EINVAL);
	test_put32(t + 4, (uint32_t)tlen);
	memcpy(t, "DMAX", 4);
	CHECK_EQ(dmar_parse(t, tlen, &info), -EBADMSG);
	CHECK_EQ(dmar_scope(t, tlen, 0, 0, &s), -EBADMSG);
}

TEST(test_unaligned_exact_heap)
{
	/* An exact-size copy at an odd address: ASan and UBSan catch any read
	 * past the end or any misaligned load. */
	static const uint8_t p[] = { 3, 0 };
	struct dmar_drhd d;
	struct dmar_scope s;
	uint8_t *raw, *u;
	size_t at;

	start(38, 0);
	at = add_drhd(0x01, 0, 0xfed90000, 8);
	put_scope(t + at + 16, 1, 0, 0, 1, p);
	raw = malloc(tlen + 1);
	u = raw + 1;
	memcpy(u, t, tlen);
	CHECK_EQ(dmar_drhd(u, tlen, 0, &d), 0);
	CHECK_EQ(d.reg_base, 0xfed90000);
	CHECK_EQ(dmar_scope(u, tlen, 0, 0, &s), 0);
	CHECK_EQ(s.path[0].dev, 3);
	CHECK_EQ(dmar_scope(u, tlen, 0, 1, &s), -ENOENT);
	free(raw);
}

TEST(test_gcmd_turns_only_te_off)
{
	/* Translation, queued invalidation and interrupt remapping on, with
	 * the root and interrupt table pointers latched (one-shot status). */
	uint32_t gsts = 0x80000000u | 0x40000000u | 0x04000000u | 0x02000000u | 0x01000000u;

	CHECK_EQ(vtd_gcmd_clear(gsts, VTD_GSTS_TES), 0x04000000u | 0x02000000u);
	CHECK_EQ(vtd_gcmd_clear(0xffffffffu, VTD_GSTS_TES), 0x16ffffffu);
	CHECK_EQ(vtd_gcmd_clear(0xffffffffu, 0), 0x96ffffffu);
	CHECK_EQ(vtd_gcmd_clear(0, VTD_GSTS_TES), 0);
}

TEST_MAIN(test_qemu_q35, test_several_units_among_others, test_register_size_field,
	  test_long_path_counted_not_kept, test_empty_and_stray_bytes,
	  test_hostile_structure_lengths, test_hostile_scope_lengths,
	  test_truncated_and_bad_header, test_unaligned_exact_heap, test_gcmd_turns_only_te_off)
