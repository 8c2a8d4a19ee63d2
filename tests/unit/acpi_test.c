/*
 * Unit tests for formats/acpi.c: RSDP v1/v2, RSDT/XSDT walking, FADT of
 * ACPI 1.0 and 6.x lengths, and the _S5_ scan over QEMU's DSDT bytes and
 * variants, each truncated and corrupted.  Tables are built here byte by
 * byte, so every offset in them is the spec's, not acpi.h's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "formats/acpi.h"
#include "tests/unit/test.h"

/* Make bytes [0, n) sum to zero by adjusting p[at]. */
static void fix_sum(uint8_t *p, size_t n, size_t at)
{
	uint8_t s = 0;

	p[at] = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	p[at] = (uint8_t)(0x100 - s);
}

static void make_rsdp(uint8_t *p, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "BOCHS ", 6);
	p[15] = rev;
	test_put32(p + 16, rsdt);
	if (rev >= 2) {
		test_put32(p + 20, 36);
		test_put64(p + 24, xsdt);
	}
	/* The 20-byte sum first: the extended one covers its result. */
	fix_sum(p, 20, 8);
	if (rev >= 2)
		fix_sum(p, 36, 32);
}

/* Header for a table of `length` bytes; call fix_sum(p, length, 9) after. */
static void make_sdt(uint8_t *p, const char *sig, uint32_t length, uint8_t rev)
{
	memset(p, 0, 36);
	memcpy(p, sig, 4);
	test_put32(p + 4, length);
	p[8] = rev;
	memcpy(p + 10, "BOCHS ", 6);
	memcpy(p + 16, "BXPC    ", 8);
	test_put32(p + 24, 1);
	memcpy(p + 28, "BXPC", 4);
	test_put32(p + 32, 1);
}

TEST(test_rsdp_v1)
{
	uint8_t b[36];
	struct acpi_rsdp r;

	make_rsdp(b, 0, 0x7fe1234, 0);
	CHECK_EQ(acpi_rsdp_parse(b, 20, &r), 0);
	CHECK_EQ(r.revision, 0);
	CHECK_EQ(r.rsdt_address, 0x7fe1234);
	CHECK_EQ(r.xsdt_address, 0);
	CHECK_EQ(r.length, 20);
	CHECK_STR(r.oem_id, "BOCHS ");
	/* A longer buffer changes nothing for revision 0. */
	CHECK_EQ(acpi_rsdp_parse(b, sizeof(b), &r), 0);
	CHECK_EQ(r.length, 20);
	for (size_t n = 0; n < 20; n++)
		CHECK_EQ(acpi_rsdp_parse(b, n, &r), -EINVAL);
	b[3] ^= 1;
	CHECK_EQ(acpi_rsdp_parse(b, 20, &r), -EBADMSG);
	CHECK_EQ(r.rsdt_address, 0);
	b[3] ^= 1;
	b[19] ^= 0x40;
	CHECK_EQ(acpi_rsdp_parse(b, 20, &r), -EBADMSG);
	CHECK_EQ(acpi_rsdp_parse(NULL, 20, &r), -EINVAL);
	CHECK_EQ(acpi_rsdp_parse(b, 20, NULL), -EINVAL);
}

TEST(test_rsdp_v2)
{
	uint8_t b[48];
	struct acpi_rsdp r;

	memset(b, 0xee, sizeof(b));
	make_rsdp(b, 2, 0x7fe0000, 0x1234567890ull);
	CHECK_EQ(acpi_rsdp_parse(b, 36, &r), 0);
	CHECK_EQ(r.revision, 2);
	CHECK_EQ(r.length, 36);
	CHECK_EQ(r.rsdt_address, 0x7fe0000);
	CHECK_EQ(r.xsdt_address, 0x1234567890ull);
	for (size_t n = 0; n < 36; n++)
		CHECK_EQ(acpi_rsdp_parse(b, n, &r), -EINVAL);
	/* Bad extended checksum, good 20-byte one. */
	b[30] ^= 1;
	CHECK_EQ(acpi_rsdp_parse(b, 36, &r), -EBADMSG);
	b[30] ^= 1;
	/* length below 36, and beyond the buffer. */
	test_put32(b + 20, 35);
	fix_sum(b, 20, 8);
	CHECK_EQ(acpi_rsdp_parse(b, 48, &r), -EBADMSG);
	test_put32(b + 20, 40);
	fix_sum(b, 20, 8);
	fix_sum(b, 40, 32);
	CHECK_EQ(acpi_rsdp_parse(b, 39, &r), -EINVAL);
	CHECK_EQ(acpi_rsdp_parse(b, 40, &r), 0);
	CHECK_EQ(r.length, 40);
	test_put32(b + 20, 0xffffffffu);
	fix_sum(b, 20, 8);
	CHECK_EQ(acpi_rsdp_parse(b, 48, &r), -EINVAL);
	/* Unprintable OEM id bytes come out as '?'. */
	make_rsdp(b, 2, 1, 2);
	b[9] = 0;
	b[10] = 0xff;
	fix_sum(b, 20, 8);
	fix_sum(b, 36, 32);
	CHECK_EQ(acpi_rsdp_parse(b, 36, &r), 0);
	CHECK_STR(r.oem_id, "??CHS ");
}

TEST(test_sdt_header_and_check)
{
	uint8_t b[64];
	struct acpi_sdt h;

	memset(b, 0, sizeof(b));
	make_sdt(b, "APIC", 40, 3);
	test_put32(b + 36, 0xdeadbeef);
	fix_sum(b, 40, 9);
	CHECK_EQ(acpi_sdt_header(b, 36, &h), 0);
	CHECK_STR(h.signature, "APIC");
	CHECK_STR(h.oem_id, "BOCHS ");
	CHECK_STR(h.oem_table_id, "BXPC    ");
	CHECK_STR(h.creator_id, "BXPC");
	CHECK_EQ(h.length, 40);
	CHECK_EQ(h.revision, 3);
	CHECK_EQ(h.oem_revision, 1);
	CHECK_EQ(h.creator_revision, 1);
	CHECK_EQ(acpi_sdt_header(b, 35, &h), -EINVAL);
	CHECK_EQ(h.length, 0);
	CHECK_EQ(acpi_sdt_header(NULL, 36, &h), -EINVAL);

	CHECK_EQ(acpi_sdt_check(b, 40), 0);
	CHECK_EQ(acpi_sdt_check(b, 64), 0);
	CHECK_EQ(acpi_sdt_check(b, 39), -EINVAL);
	CHECK_EQ(acpi_sdt_check(b, 35), -EINVAL);
	CHECK_EQ(acpi_sdt_check(NULL, 40), -EINVAL);
	b[38] ^= 1;
	CHECK_EQ(acpi_sdt_check(b, 40), -EBADMSG);
	test_put32(b + 4, 35);
	CHECK_EQ(acpi_sdt_check(b, 64), -EBADMSG);
	test_put32(b + 4, 0);
	CHECK_EQ(acpi_sdt_check(b, 64), -EBADMSG);
	test_put32(b + 4, 0xffffffffu);
	CHECK_EQ(acpi_sdt_check(b, 64), -EINVAL);
}

TEST(test_rsdt_entries)
{
	uint8_t b[64];
	uint64_t a;

	memset(b, 0, sizeof(b));
	make_sdt(b, "RSDT", 36 + 3 * 4 + 2, 1);	/* trailing 2 bytes: no entry */
	test_put32(b + 36, 0x1000);
	test_put32(b + 40, 0x2000);
	test_put32(b + 44, 0xfffffff0u);
	fix_sum(b, 50, 9);
	CHECK_EQ(acpi_sdt_entry(b, 50, false, 0, &a), 0);
	CHECK_EQ(a, 0x1000);
	CHECK_EQ(acpi_sdt_entry(b, 50, false, 2, &a), 0);
	CHECK_EQ(a, 0xfffffff0u);
	CHECK_EQ(acpi_sdt_entry(b, 50, false, 3, &a), -ENOENT);
	CHECK_EQ(a, 0);
	CHECK_EQ(acpi_sdt_entry(b, 50, false, SIZE_MAX, &a), -ENOENT);
	CHECK_EQ(acpi_sdt_entry(b, 49, false, 0, &a), -EINVAL);
	CHECK_EQ(acpi_sdt_entry(b, 50, true, 0, &a), -EBADMSG);
	CHECK_EQ(acpi_sdt_entry(b, 50, false, 0, NULL), -EINVAL);
	/* An empty RSDT has no entries at all. */
	make_sdt(b, "RSDT", 36, 1);
	CHECK_EQ(acpi_sdt_entry(b, 36, false, 0, &a), -ENOENT);
}

TEST(test_xsdt_entries_unaligned)
{
	uint8_t raw[80];
	uint8_t *b = raw + 3;	/* deliberately misaligned */
	uint64_t a;

	make_sdt(b, "XSDT", 36 + 2 * 8, 1);
	test_put64(b + 36, 0x123456789abcdef0ull);
	test_put64(b + 44, 0x7fe1000);
	fix_sum(b, 52, 9);
	CHECK_EQ(acpi_sdt_check(b, 52), 0);
	CHECK_EQ(acpi_sdt_entry(b, 52, true, 0, &a), 0);
	CHECK_EQ(a, 0x123456789abcdef0ull);
	CHECK_EQ(acpi_sdt_entry(b, 52, true, 1, &a), 0);
	CHECK_EQ(a, 0x7fe1000);
	CHECK_EQ(acpi_sdt_entry(b, 52, true, 2, &a), -ENOENT);
	CHECK_EQ(acpi_sdt_entry(b, 52, false, 0, &a), -EBADMSG);
	/* Declared length 7 bytes short of the second entry. */
	test_put32(b + 4, 51);
	CHECK_EQ(acpi_sdt_entry(b, 52, true, 1, &a), -ENOENT);
}

/* ACPI 1.0 FADT: 116 bytes; what follows in memory must not be read. */
TEST(test_fadt_rev1)
{
	uint8_t b[300];
	struct acpi_fadt f;
	struct acpi_gas g;

	memset(b, 0xa5, sizeof(b));
	make_sdt(b, "FACP", 116, 1);
	memset(b + 36, 0, 116 - 36);
	test_put32(b + 40, 0x7fe0040);		/* DSDT */
	test_put32(b + 48, 0xb2);			/* SMI_CMD */
	b[52] = 0xf1;				/* ACPI_ENABLE */
	b[53] = 0xf0;				/* ACPI_DISABLE */
	test_put32(b + 64, 0x604);			/* PM1a_CNT_BLK */
	b[89] = 2;				/* PM1_CNT_LEN */
	test_put16(b + 109, 0x0003);			/* IAPC_BOOT_ARCH */
	test_put32(b + 112, 0x000080a5);		/* Flags, bit 10 clear */
	fix_sum(b, 116, 9);
	CHECK_EQ(acpi_fadt_parse(b, sizeof(b), &f), 0);
	CHECK_EQ(f.length, 116);
	CHECK_EQ(f.revision, 1);
	CHECK_EQ(f.present, 0);
	CHECK_EQ(f.dsdt, 0x7fe0040);
	CHECK_EQ(f.smi_cmd, 0xb2);
	CHECK_EQ(f.acpi_enable, 0xf1);
	CHECK_EQ(f.acpi_disable, 0xf0);
	CHECK_EQ(f.pm1a_cnt_blk, 0x604);
	CHECK_EQ(f.pm1b_cnt_blk, 0);
	CHECK_EQ(f.iapc_boot_arch, 3);
	CHECK_EQ(f.flags, 0x80a5);
	CHECK_EQ(f.reset_reg.address, 0);
	CHECK_EQ(f.reset_value, 0);
	CHECK_EQ(f.x_dsdt, 0);
	CHECK_EQ(f.sleep_control_reg.space_id, 0);
	CHECK_EQ(acpi_fadt_dsdt(&f), 0x7fe0040);
	CHECK_EQ(acpi_fadt_pm1_cnt(&f, false, &g), 0);
	CHECK_EQ(g.space_id, ACPI_GAS_SYSTEM_IO);
	CHECK_EQ(g.bit_width, 16);
	CHECK_EQ(g.address, 0x604);
	CHECK_EQ(acpi_fadt_pm1_cnt(&f, true, &g), -ENOENT);
	/* Too short, wrong signature, beyond the buffer. */
	test_put32(b + 4, 115);
	CHECK_EQ(acpi_fadt_parse(b, sizeof(b), &f), -EBADMSG);
	CHECK_EQ(f.dsdt, 0);
	test_put32(b + 4, 116);
	CHECK_EQ(acpi_fadt_parse(b, 115, &f), -EINVAL);
	memcpy(b, "FACS", 4);
	CHECK_EQ(acpi_fadt_parse(b, sizeof(b), &f), -EBADMSG);
	CHECK_EQ(acpi_fadt_parse(NULL, 116, &f), -EINVAL);
}

static void make_fadt6(uint8_t *b, uint32_t length)
{
	memset(b, 0, 320);
	make_sdt(b, "FACP", length, 6);
	test_put32(b + 40, 0x7fe0040);
	test_put32(b + 64, 0x604);
	test_put32(b + 68, 0x608);
	b[89] = 2;
	test_put32(b + 112, (1u << 10) | (1u << 20));
	b[116] = ACPI_GAS_SYSTEM_IO;		/* RESET_REG */
	b[117] = 8;
	b[119] = 1;
	test_put64(b + 120, 0xcf9);
	b[128] = 0x0f;				/* RESET_VALUE */
	b[131] = 4;				/* minor version */
	test_put64(b + 140, 0x100007fe0040ull);	/* X_DSDT */
	b[172] = ACPI_GAS_SYSTEM_MEMORY;	/* X_PM1a_CNT_BLK */
	b[173] = 16;
	b[175] = 2;
	test_put64(b + 176, 0xfed00604ull);
	b[184] = ACPI_GAS_SYSTEM_IO;		/* X_PM1b_CNT_BLK */
	b[185] = 16;
	test_put64(b + 188, 0x608);
	b[244] = ACPI_GAS_SYSTEM_MEMORY;	/* SLEEP_CONTROL_REG */
	b[245] = 8;
	b[247] = 1;
	test_put64(b + 248, 0xfe000010ull);
	b[256] = ACPI_GAS_SYSTEM_MEMORY;	/* SLEEP_STATUS_REG */
	b[257] = 8;
	b[259] = 1;
	test_put64(b + 260, 0xfe000011ull);
	fix_sum(b, length, 9);
}

TEST(test_fadt_rev6)
{
	uint8_t b[320];
	struct acpi_fadt f;
	struct acpi_gas g;

	make_fadt6(b, 276);
	CHECK_EQ(acpi_fadt_parse(b, 276, &f), 0);
	CHECK_EQ(f.present, ACPI_FADT_HAS_RESET | ACPI_FADT_HAS_MINOR_VERSION |
		 ACPI_FADT_HAS_X_DSDT | ACPI_FADT_HAS_X_PM1A_CNT |
		 ACPI_FADT_HAS_X_PM1B_CNT | ACPI_FADT_HAS_SLEEP_CONTROL |
		 ACPI_FADT_HAS_SLEEP_STATUS);
	CHECK(f.flags & ACPI_FADT_RESET_REG_SUP);
	CHECK(f.flags & ACPI_FADT_HW_REDUCED_ACPI);
	CHECK_EQ(f.revision, 6);
	CHECK_EQ(f.minor_version, 4);
	CHECK_EQ(f.reset_reg.space_id, ACPI_GAS_SYSTEM_IO);
	CHECK_EQ(f.reset_reg.bit_width, 8);
	CHECK_EQ(f.reset_reg.access_size, 1);
	CHECK_EQ(f.reset_reg.address, 0xcf9);
	CHECK_EQ(f.reset_value, 0x0f);
	CHECK_EQ(f.x_dsdt, 0x100007fe0040ull);
	CHECK_EQ(acpi_fadt_dsdt(&f), 0x100007fe0040ull);
	CHECK_EQ(f.x_pm1a_cnt_blk.address, 0xfed00604ull);
	CHECK_EQ(f.x_pm1b_cnt_blk.address, 0x608);
	CHECK_EQ(f.sleep_control_reg.address, 0xfe000010ull);
	CHECK_EQ(f.sleep_control_reg.bit_width, 8);
	CHECK_EQ(f.sleep_status_reg.address, 0xfe000011ull);
	CHECK_EQ(acpi_fadt_pm1_cnt(&f, false, &g), 0);
	CHECK_EQ(g.space_id, ACPI_GAS_SYSTEM_MEMORY);
	CHECK_EQ(g.address, 0xfed00604ull);
	CHECK_EQ(acpi_fadt_pm1_cnt(&f, true, &g), 0);
	CHECK_EQ(g.address, 0x608);
	/* X_DSDT zero: fall back to the 32-bit DSDT. */
	test_put64(b + 140, 0);
	fix_sum(b, 276, 9);
	CHECK_EQ(acpi_fadt_parse(b, 276, &f), 0);
	CHECK_EQ(acpi_fadt_dsdt(&f), 0x7fe0040);
	/* A longer table than we know (a later ACPI) is fine; the rest is ignored. */
	make_fadt6(b, 300);
	CHECK_EQ(acpi_sdt_check(b, 300), 0);
	CHECK_EQ(acpi_fadt_parse(b, 300, &f), 0);
	CHECK_EQ(f.length, 300);
	CHECK_EQ(f.present, 0x7f);
	CHECK_EQ(f.sleep_status_reg.address, 0xfe000011ull);
}

/* Each revision's length exposes exactly the fields that fit. */
TEST(test_fadt_lengths)
{
	static const struct { uint32_t length, present; } cases[] = {
		{ 116, 0 },
		{ 128, 0 },
		{ 129, ACPI_FADT_HAS_RESET },
		{ 132, ACPI_FADT_HAS_RESET | ACPI_FADT_HAS_MINOR_VERSION },
		{ 147, ACPI_FADT_HAS_RESET | ACPI_FADT_HAS_MINOR_VERSION },
		{ 148, 0x07 },
		{ 183, 0x07 },
		{ 184, 0x0f },
		{ 244, 0x1f },		/* ACPI 2.0 */
		{ 255, 0x1f },
		{ 256, 0x3f },
		{ 268, 0x7f },		/* ACPI 5.0 */
	};
	uint8_t b[320];
	struct acpi_fadt f;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_fadt6(b, cases[i].length);
		CHECK_EQ(acpi_fadt_parse(b, cases[i].length, &f), 0);
		CHECK_EQ(f.present, cases[i].present);
		CHECK_EQ(f.length, cases[i].length);
		if (!(f.present & ACPI_FADT_HAS_SLEEP_CONTROL))
			CHECK_EQ(f.sleep_control_reg.address, 0);
		if (!(f.present & ACPI_FADT_HAS_X_DSDT))
			CHECK_EQ(acpi_fadt_dsdt(&f), 0x7fe0040);
	}
}

/* ------------------------------------------------------------ DSDT / _S5_ */

struct aml {
	uint8_t b[512];
	size_t n;
};

static void aml_start(struct aml *a)
{
	memset(a, 0, sizeof(*a));
	make_sdt(a->b, "DSDT", 36, 2);
	a->n = 36;
}

static void aml_put(struct aml *a, const uint8_t *p, size_t n)
{
	if (n > 0)
		memcpy(a->b + a->n, p, n);
	a->n += n;
}

static void aml_finish(struct aml *a)
{
	test_put32(a->b + 4, (uint32_t)a->n);
	fix_sum(a->b, a->n, 9);
}

/* The tail of QEMU's pc/q35 DSDT: Scope(\) { _S3, _S4, _S5 }. */
static const uint8_t qemu_sleep_scope[] = {
	0x10, 0x28, 0x5c,					/* Scope (\) */
	0x08, '_', 'S', '3', '_', 0x12, 0x06, 0x04, 0x01, 0x01, 0x00, 0x00,
	0x08, '_', 'S', '4', '_', 0x12, 0x08, 0x04, 0x0a, 0x02, 0x0a, 0x02,
	0x00, 0x00,
	0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00,
};

static void make_qemu_dsdt(struct aml *a)
{
	/* Something before, as QEMU has \_SB first: Scope(\_SB) { Name(X, 5) } */
	static const uint8_t sb[] = {
		0x10, 0x0c, '_', 'S', 'B', '_', 0x08, 'X', '_', '_', '_', 0x0a, 0x05,
	};

	aml_start(a);
	aml_put(a, sb, sizeof(sb));
	aml_put(a, qemu_sleep_scope, sizeof(qemu_sleep_scope));
	aml_finish(a);
}

TEST(test_s5_qemu)
{
	struct aml a;
	struct acpi_sleep_type s;
	uint16_t v;
	uint8_t c;

	make_qemu_dsdt(&a);
	CHECK_EQ(acpi_sdt_check(a.b, a.n), 0);
	s.slp_typa = s.slp_typb = 99;
	CHECK_EQ(acpi_dsdt_find_s5(a.b, a.n, &s), 0);
	CHECK_EQ(s.slp_typa, 0);
	CHECK_EQ(s.slp_typb, 0);
	/* QEMU's PIIX4/ICH9 PM: SLP_TYP 0 with SLP_EN is soft-off: 0x2000. */
	CHECK_EQ(acpi_pm1_sleep_value(&s, false, 0x0001, &v), 0);
	CHECK_EQ(v, 0x2001);
	CHECK_EQ(acpi_sleep_control_value(&s, &c), 0);
	CHECK_EQ(c, 0x20);
	/* Buffer shorter than the declared length. */
	CHECK_EQ(acpi_dsdt_find_s5(a.b, a.n - 1, &s), -EINVAL);
	CHECK_EQ(acpi_dsdt_find_s5(a.b, 35, &s), -EINVAL);
	CHECK_EQ(acpi_dsdt_find_s5(NULL, a.n, &s), -EINVAL);
	CHECK_EQ(acpi_dsdt_find_s5(a.b, a.n, NULL), -EINVAL);
}

/*
 * Cut the AML at every length (declared length = bytes present): nothing
 * is read past the cut, and until the whole package is in, the _S5_ is
 * either missing or malformed.
 */
TEST(test_s5_truncated_everywhere)
{
	struct aml a, t;
	struct acpi_sleep_type s;
	size_t s5 = 0;

	make_qemu_dsdt(&a);
	for (size_t i = 36; i + 4 <= a.n; i++)
		if (memcmp(a.b + i, "_S5_", 4) == 0)
			s5 = i;
	CHECK(s5 != 0);
	for (size_t n = 36; n <= a.n; n++) {
		t = a;
		t.n = n;
		aml_finish(&t);
		int rc = acpi_dsdt_find_s5(t.b, n, &s);
		if (n == a.n)
			CHECK_EQ(rc, 0);
		else if (n < s5 + 4)
			CHECK_EQ(rc, -ENOENT);
		else
			CHECK_EQ(rc, -EBADMSG);
	}
}

static int s5_of(const uint8_t *frag, size_t n, struct acpi_sleep_type *s)
{
	struct aml a;

	aml_start(&a);
	aml_put(&a, frag, n);
	aml_finish(&a);
	return acpi_dsdt_find_s5(a.b, a.n, s);
}

TEST(test_s5_variants)
{
	struct acpi_sleep_type s;
	/* Name (\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero }) (ICH-style) */
	static const uint8_t root_byte[] = {
		0x08, 0x5c, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
		0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
	};
	/* Word and DWord prefixes, One as the second element. */
	static const uint8_t word_dword[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x02,
		0x0b, 0x07, 0x00, 0x0c, 0x06, 0x00, 0x00, 0x00,
	};
	static const uint8_t one_second[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x07, 0x01,
	};
	/* Package (1) { 0x0705 }: SLP_TYPa 5, SLP_TYPb 7, as ACPICA reads it. */
	static const uint8_t one_element[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0b, 0x05, 0x07,
	};

	CHECK_EQ(s5_of(root_byte, sizeof(root_byte), &s), 0);
	CHECK_EQ(s.slp_typa, 5);
	CHECK_EQ(s.slp_typb, 5);
	CHECK_EQ(s5_of(word_dword, sizeof(word_dword), &s), 0);
	CHECK_EQ(s.slp_typa, 7);
	CHECK_EQ(s.slp_typb, 6);
	CHECK_EQ(s5_of(one_second, sizeof(one_second), &s), 0);
	CHECK_EQ(s.slp_typa, 7);
	CHECK_EQ(s.slp_typb, 1);
	CHECK_EQ(s5_of(one_element, sizeof(one_element), &s), 0);
	CHECK_EQ(s.slp_typa, 5);
	CHECK_EQ(s.slp_typb, 7);
}

/* A 2-byte PkgLength: a package with 80 elements (PkgLength 0x54 > 63). */
TEST(test_s5_long_pkglength)
{
	uint8_t f[5 + 3 + 80 + 2];
	struct acpi_sleep_type s;
	size_t n = 0;
	uint32_t plen = 2 + 1 + 2 + 79;	/* PkgLength bytes, count, elements */

	memcpy(f, "\x08_S5_", 5);
	n = 5;
	f[n++] = 0x12;
	f[n++] = (uint8_t)(0x40 | (plen & 0x0f));
	f[n++] = (uint8_t)(plen >> 4);
	f[n++] = 80;
	f[n++] = 0x0a;
	f[n++] = 0x03;
	memset(f + n, 0x01, 79);
	n += 79;
	CHECK_EQ(s5_of(f, n, &s), 0);
	CHECK_EQ(s.slp_typa, 3);
	CHECK_EQ(s.slp_typb, 1);
	/* Same PkgLength claiming one byte more than the table holds. */
	f[6] = (uint8_t)(0x40 | ((plen + 1) & 0x0f));
	f[7] = (uint8_t)((plen + 1) >> 4);
	CHECK_EQ(s5_of(f, n, &s), -EBADMSG);
	/* 4-byte PkgLength with a huge value. */
	static const uint8_t huge[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0xcf, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00,
	};
	CHECK_EQ(s5_of(huge, sizeof(huge), &s), -EBADMSG);
}

TEST(test_s5_bad_and_missing)
{
	struct acpi_sleep_type s;
	static const uint8_t only_s3[] = {
		0x08, '_', 'S', '3', '_', 0x12, 0x06, 0x04, 0x01, 0x01, 0x00, 0x00,
	};
	/* Elements that are names, OnesOp, QWord: beyond a byte scan. */
	static const uint8_t name_elem[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x02, 'S', 'L', 'P', 'A', 'S', 'L', 'P', 'B',
	};
	static const uint8_t ones[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00,
	};
	static const uint8_t qword[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x0c, 0x02, 0x0e, 5, 0, 0, 0, 0, 0, 0, 0, 0x00,
	};
	static const uint8_t empty_pkg[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 };
	/* PkgLength too small to hold even NumElements. */
	static const uint8_t tiny_pkg[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x01, 0x02, 0x00, 0x00 };
	/* Second element lies past the package's end. */
	static const uint8_t short_pkg[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x05, 0x0a, 0x05,
	};
	/* A reference to _S5_ (not a NameOp) is not a definition. */
	static const uint8_t ref_only[] = { 0x70, '_', 'S', '5', '_', 0x60 };
	/* Name(_S5_, 5): a NameOp but not a package. */
	static const uint8_t not_pkg[] = { 0x08, '_', 'S', '5', '_', 0x0a, 0x05 };

	CHECK_EQ(s5_of(only_s3, sizeof(only_s3), &s), -ENOENT);
	CHECK_EQ(s5_of(NULL, 0, &s), -ENOENT);
	CHECK_EQ(s5_of(ref_only, sizeof(ref_only), &s), -ENOENT);
	CHECK_EQ(s5_of(name_elem, sizeof(name_elem), &s), -EBADMSG);
	CHECK_EQ(s5_of(ones, sizeof(ones), &s), -EBADMSG);
	CHECK_EQ(s5_of(qword, sizeof(qword), &s), -EBADMSG);
	CHECK_EQ(s5_of(empty_pkg, sizeof(empty_pkg), &s), -EBADMSG);
	CHECK_EQ(s5_of(tiny_pkg, sizeof(tiny_pkg), &s), -EBADMSG);
	CHECK_EQ(s5_of(short_pkg, sizeof(short_pkg), &s), -EBADMSG);
	CHECK_EQ(s5_of(not_pkg, sizeof(not_pkg), &s), -EBADMSG);
	CHECK_EQ(s.slp_typa, 0);
}

/* A decoy that does not decode is skipped; the real definition is found. */
TEST(test_s5_decoys)
{
	struct acpi_sleep_type s;
	static const uint8_t decoys[] = {
		0x0d, 'x', '_', 'S', '5', '_', 0x00,		/* String "x_S5_" */
		0x08, '_', 'S', '5', '_', 0x0a, 0x05,		/* Name(_S5_, 5) */
		0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0a, 0x07, 0x00, 0x00, 0x00,
	};

	CHECK_EQ(s5_of(decoys, sizeof(decoys), &s), 0);
	CHECK_EQ(s.slp_typa, 7);
	CHECK_EQ(s.slp_typb, 0);
	/* "_S5_" at the very start of the AML has no NameOp before it. */
	static const uint8_t at_start[] = { '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x00 };
	CHECK_EQ(s5_of(at_start, sizeof(at_start), &s), -ENOENT);
}

TEST(test_sleep_values)
{
	struct acpi_sleep_type s = { .slp_typa = 5, .slp_typb = 7 };
	uint16_t v = 0;
	uint8_t c = 0;

	CHECK_EQ(acpi_pm1_sleep_value(&s, false, 0, &v), 0);
	CHECK_EQ(v, (5u << 10) | (1u << 13));
	CHECK_EQ(acpi_pm1_sleep_value(&s, true, 0, &v), 0);
	CHECK_EQ(v, 0x3c00);
	/* Old SLP_TYP and SLP_EN are replaced, SCI_EN and the rest kept. */
	CHECK_EQ(acpi_pm1_sleep_value(&s, false, 0xdc01, &v), 0);
	CHECK_EQ(v, 0xc001 | (5u << 10) | (1u << 13));
	CHECK_EQ(acpi_sleep_control_value(&s, &c), 0);
	CHECK_EQ(c, (5u << 2) | (1u << 5));
	s.slp_typa = 8;
	v = 0x1234;
	CHECK_EQ(acpi_pm1_sleep_value(&s, false, 0, &v), -ERANGE);
	CHECK_EQ(v, 0x1234);
	CHECK_EQ(acpi_pm1_sleep_value(&s, true, 0, &v), 0);
	CHECK_EQ(acpi_sleep_control_value(&s, &c), -ERANGE);
	s.slp_typb = 0xffffffffu;
	CHECK_EQ(acpi_pm1_sleep_value(&s, true, 0, &v), -ERANGE);
}

TEST(test_gas_names)
{
	CHECK_STR(acpi_gas_space_name(0), "SystemMemory");
	CHECK_STR(acpi_gas_space_name(1), "SystemIO");
	CHECK_STR(acpi_gas_space_name(2), "PCI_Config");
	CHECK_STR(acpi_gas_space_name(0x0a), "PCC");
	CHECK_STR(acpi_gas_space_name(0x0b), "PlatformRtMechanism");
	CHECK_STR(acpi_gas_space_name(0x0c), "Reserved");
	CHECK_STR(acpi_gas_space_name(0x7e), "Reserved");
	CHECK_STR(acpi_gas_space_name(0x7f), "FunctionalFixedHW");
	CHECK_STR(acpi_gas_space_name(0x80), "OEMDefined");
	CHECK_STR(acpi_gas_space_name(0xff), "OEMDefined");
}

TEST_MAIN(test_rsdp_v1, test_rsdp_v2, test_sdt_header_and_check, test_rsdt_entries,
	  test_xsdt_entries_unaligned, test_fadt_rev1, test_fadt_rev6, test_fadt_lengths,
	  test_s5_qemu, test_s5_truncated_everywhere, test_s5_variants,
	  test_s5_long_pkglength, test_s5_bad_and_missing, test_s5_decoys,
	  test_sleep_values, test_gas_names)
