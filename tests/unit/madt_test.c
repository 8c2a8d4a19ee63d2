/*
 * Unit tests for formats/madt.c: QEMU's table (local APICs, an I/O APIC,
 * overrides), x2APIC entries, disabled and online-capable CPUs, short
 * processor structures, and hostile tables: a zero-length structure, one
 * running past the declared length, a declared length past the buffer, a
 * wrong signature.  Tables are built byte by byte at ACPI 6.5 §5.2.12's
 * offsets, not through madt.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "formats/madt.h"
#include "tests/unit/test.h"

static size_t hdr(uint8_t *p, size_t len)
{
	memset(p, 0, 44);
	memcpy(p, "APIC", 4);
	test_put32(p + 4, (uint32_t)len);
	p[8] = 5;
	test_put32(p + 36, 0xfee00000);
	test_put32(p + 40, 1);
	return 44;
}

static size_t lapic(uint8_t *p, uint8_t uid, uint8_t id, uint32_t flags)
{
	p[0] = 0;
	p[1] = 8;
	p[2] = uid;
	p[3] = id;
	test_put32(p + 4, flags);
	return 8;
}

static size_t x2apic(uint8_t *p, uint32_t id, uint32_t flags, uint32_t uid)
{
	memset(p, 0, 16);
	p[0] = 9;
	p[1] = 16;
	test_put32(p + 4, id);
	test_put32(p + 8, flags);
	test_put32(p + 12, uid);
	return 16;
}

static size_t ioapic(uint8_t *p)
{
	memset(p, 0, 12);
	p[0] = 1;
	p[1] = 12;
	test_put32(p + 4, 0xfec00000);
	return 12;
}

TEST(test_qemu_like)
{
	uint8_t t[256];
	size_t o = 44, off = 0;
	struct madt_cpu c;
	uint32_t a;

	o += lapic(t + o, 0, 0, 1);
	o += lapic(t + o, 1, 1, 1);
	o += ioapic(t + o);
	o += lapic(t + o, 2, 2, 0);	/* disabled */
	o += lapic(t + o, 3, 3, 2);	/* online capable, not enabled */
	hdr(t, o);
	CHECK_EQ(madt_lapic_address(t, o, &a), 0);
	CHECK_EQ(a, 0xfee00000);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), 0);
	CHECK_EQ(c.apic_id, 0);
	CHECK(c.enabled);
	CHECK_EQ(c.type, MADT_TYPE_LAPIC);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), 0);
	CHECK_EQ(c.apic_id, 1);
	CHECK_EQ(c.uid, 1);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), 0);	/* the I/O APIC skipped */
	CHECK_EQ(c.apic_id, 2);
	CHECK(!c.enabled);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), 0);
	CHECK_EQ(c.apic_id, 3);
	CHECK(!c.enabled);
	CHECK_EQ(c.flags, MADT_CPU_ONLINE_CAPABLE);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), -ENOENT);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), -ENOENT);
}

TEST(test_x2apic)
{
	uint8_t t[256];
	size_t o = 44, off = 0;
	struct madt_cpu c;

	o += x2apic(t + o, 0x100, 1, 7);
	o += lapic(t + o, 0, 0xff, 1);
	hdr(t, o);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), 0);
	CHECK_EQ(c.type, MADT_TYPE_X2APIC);
	CHECK_EQ(c.apic_id, 0x100);
	CHECK_EQ(c.uid, 7);
	CHECK(c.enabled);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), 0);
	CHECK_EQ(c.apic_id, 0xff);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), -ENOENT);
}

TEST(test_short_structures_skipped)
{
	uint8_t t[256];
	size_t o = 44, off = 0;
	struct madt_cpu c;

	t[o] = 0;		/* a local APIC of 4 bytes: skipped */
	t[o + 1] = 4;
	t[o + 2] = 9;
	t[o + 3] = 9;
	o += 4;
	t[o] = 9;		/* an x2APIC of 8 bytes: skipped */
	t[o + 1] = 8;
	memset(t + o + 2, 0xee, 6);
	o += 8;
	o += lapic(t + o, 5, 5, 1);
	hdr(t, o);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), 0);
	CHECK_EQ(c.apic_id, 5);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), -ENOENT);
}

TEST(test_hostile)
{
	uint8_t t[256];
	size_t o = 44, off = 0;
	struct madt_cpu c;
	uint32_t a;

	o += lapic(t + o, 0, 0, 1);
	t[o] = 1;		/* zero length: the walk must stop, not spin */
	t[o + 1] = 0;
	o += 8;
	hdr(t, o);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), 0);
	CHECK_EQ(madt_cpu_next(t, o, &off, &c), -EBADMSG);
	/* a structure running past the declared length */
	o = 44;
	o += lapic(t + o, 0, 0, 1);
	hdr(t, o + 1);
	t[o] = 0;
	t[o + 1] = 8;
	off = 0;
	CHECK_EQ(madt_cpu_next(t, o + 2, &off, &c), 0);
	CHECK_EQ(madt_cpu_next(t, o + 2, &off, &c), -EBADMSG);
	/* a lone type byte at the end */
	off = 0;
	CHECK_EQ(madt_cpu_next(t, o + 1, &off, &c), 0);
	CHECK_EQ(madt_cpu_next(t, o + 1, &off, &c), -EBADMSG);
	/* declared length past the buffer, short buffers, bad signature */
	hdr(t, 200);
	off = 0;
	CHECK_EQ(madt_cpu_next(t, 100, &off, &c), -EINVAL);
	CHECK_EQ(madt_lapic_address(t, 100, &a), -EINVAL);
	for (size_t l = 0; l < 44; l++) {
		hdr(t, 44);
		off = 0;
		CHECK_EQ(madt_cpu_next(t, l, &off, &c), -EINVAL);
	}
	hdr(t, 40);
	off = 0;
	CHECK_EQ(madt_cpu_next(t, 44, &off, &c), -EBADMSG);
	hdr(t, 44);
	memcpy(t, "APIX", 4);
	CHECK_EQ(madt_cpu_next(t, 44, &off, &c), -EBADMSG);
	CHECK_EQ(madt_cpu_next(NULL, 44, &off, &c), -EINVAL);
	CHECK_EQ(madt_cpu_next(t, 44, NULL, &c), -EINVAL);
	CHECK_EQ(madt_cpu_next(t, 44, &off, NULL), -EINVAL);
	CHECK_EQ(madt_lapic_address(t, 44, NULL), -EINVAL);
	/* an offset past the end */
	hdr(t, 44);
	off = 1000;
	CHECK_EQ(madt_cpu_next(t, 44, &off, &c), -ENOENT);
}

TEST(test_exact_heap)
{
	uint8_t t[64];
	size_t o = 44, off = 0;
	struct madt_cpu c;
	uint8_t *raw, *u;

	o += lapic(t + o, 0, 3, 1);
	o += lapic(t + o, 1, 4, 1);
	hdr(t, o);
	raw = malloc(o + 1);
	u = raw + 1;
	memcpy(u, t, o);
	CHECK_EQ(madt_cpu_next(u, o, &off, &c), 0);
	CHECK_EQ(c.apic_id, 3);
	CHECK_EQ(madt_cpu_next(u, o, &off, &c), 0);
	CHECK_EQ(c.apic_id, 4);
	CHECK_EQ(madt_cpu_next(u, o, &off, &c), -ENOENT);
	free(raw);
}

TEST_MAIN(test_qemu_like, test_x2apic, test_short_structures_skipped, test_hostile, test_exact_heap)
