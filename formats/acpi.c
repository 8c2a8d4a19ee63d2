/*
 * ACPI table readers for power-off (S5) and reset; see acpi.h for the
 * interface and the order of calls.
 *
 * Every table arrives as bytes the crashed system's firmware (or
 * whatever overwrote it) left in memory, so nothing is trusted: each
 * table's declared length must lie within the buffer the caller mapped,
 * fixed-layout structures are copied into aligned, zero-filled locals
 * before a field is read, and the AML scan bounds every byte it reads by
 * the table's length.
 *
 * The _S5_ lookup is the one simple kernels use instead of an AML
 * interpreter: find the bytes of
 *
 *     NameOp 0x08  ['\' 0x5c]  '_' 'S' '5' '_'  PackageOp 0x12
 *     PkgLength (1-4 bytes)  NumElements  SLP_TYPa  SLP_TYPb  ...
 *
 * (ACPI 6.5 §20.2.5.1 DefName, §20.2.5.4 DefPackage, §20.2.4 PkgLength,
 * §20.2.3 integer constants).  QEMU's pc and q35 machines build
 * Scope(\) { Name(_S5, Package(4) { Zero, Zero, Zero, Zero }) } into the
 * DSDT (hw/i386/acpi-build.c), i.e. 08 5f 53 35 5f 12 06 04 00 00 00 00.
 * A _S5_ computed by a method, or whose elements are names, is beyond a
 * byte scan; the caller then has no S5 value and must fall back.
 *
 * Pure code: kernel, host tool and tests; freestanding headers only.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/acpi.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "ACPI tables are little-endian and read in place");

/* AML opcodes and prefixes, ACPI 6.5 §20.3. */
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_PACKAGE_OP		0x12
#define AML_ROOT_CHAR		0x5c	/* '\' */

/* True when the FADT's declared length covers all of `field`. */
#define ACPI_FADT_COVERS(length, field) \
	(offsetof(struct acpi_table_fadt, field) + \
	 sizeof(((struct acpi_table_fadt *)0)->field) <= (length))

static uint8_t acpi_sum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n-- > 0)
		sum = (uint8_t)(sum + *p++);
	return sum;
}

/* Copy an n-byte ASCII id into dst[n + 1], unprintable bytes as '?'. */
static void acpi_copy_id(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[n] = '\0';
}

/*
 * Validate the declared length of the table at buf against the len bytes
 * the caller may read: store it in *length and return 0, or -EINVAL
 * (NULL, header or table beyond len) or -EBADMSG (shorter than a header).
 */
static int acpi_table_length(const void *buf, size_t len, uint32_t *length)
{
	struct acpi_table_header h;

	if (buf == NULL || len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (h.length < sizeof(h))
		return -EBADMSG;
	if (h.length > len)
		return -EINVAL;
	*length = h.length;
	return 0;
}

int acpi_rsdp_parse(const void *buf, size_t len, struct acpi_rsdp *out)
{
	struct acpi_table_rsdp r;
	struct acpi_rsdp res;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (buf == NULL || len < ACPI_RSDP_V1_LEN)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	memcpy(&r, buf, len < sizeof(r) ? len : sizeof(r));
	if (memcmp(r.signature, "RSD PTR ", sizeof(r.signature)) != 0)
		return -EBADMSG;
	if (acpi_sum(buf, ACPI_RSDP_V1_LEN) != 0)
		return -EBADMSG;

	memset(&res, 0, sizeof(res));
	res.revision = r.revision;
	acpi_copy_id(res.oem_id, r.oem_id, sizeof(r.oem_id));
	res.rsdt_address = r.rsdt_address;
	res.length = ACPI_RSDP_V1_LEN;
	if (r.revision >= 2) {
		/* ACPI 2.0+: the length field itself must be readable. */
		if (len < offsetof(struct acpi_table_rsdp, length) + sizeof(r.length))
			return -EINVAL;
		if (r.length < ACPI_RSDP_V2_LEN)
			return -EBADMSG;
		if (r.length > len)
			return -EINVAL;
		if (acpi_sum(buf, r.length) != 0)
			return -EBADMSG;
		res.length = r.length;
		res.xsdt_address = r.xsdt_address;
	}
	*out = res;
	return 0;
}

int acpi_sdt_header(const void *buf, size_t len, struct acpi_sdt *out)
{
	struct acpi_table_header h;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (buf == NULL || len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	acpi_copy_id(out->signature, h.signature, sizeof(h.signature));
	acpi_copy_id(out->oem_id, h.oem_id, sizeof(h.oem_id));
	acpi_copy_id(out->oem_table_id, h.oem_table_id, sizeof(h.oem_table_id));
	acpi_copy_id(out->creator_id, h.creator_id, sizeof(h.creator_id));
	out->revision = h.revision;
	out->checksum = h.checksum;
	out->length = h.length;
	out->oem_revision = h.oem_revision;
	out->creator_revision = h.creator_revision;
	return 0;
}

int acpi_sdt_check(const void *buf, size_t len)
{
	uint32_t length;
	int rc = acpi_table_length(buf, len, &length);

	if (rc != 0)
		return rc;
	return acpi_sum(buf, length) == 0 ? 0 : -EBADMSG;
}

int acpi_table_check(const void *buf, size_t len, const char sig[4], uint32_t min_len,
		     uint32_t *length)
{
	struct acpi_table_header h;

	if (buf == NULL || sig == NULL || length == NULL || min_len < sizeof(h) || len < min_len)
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.signature, sig, sizeof(h.signature)) != 0 || h.length < min_len)
		return -EBADMSG;
	if (h.length > len)
		return -EINVAL;
	*length = h.length;
	return 0;
}

int acpi_sdt_entry(const void *table, size_t len, bool xsdt, size_t index,
		   uint64_t *addr)
{
	const uint8_t *p = table;
	size_t size = xsdt ? sizeof(uint64_t) : sizeof(uint32_t);
	uint32_t length;
	int rc;

	if (addr == NULL)
		return -EINVAL;
	*addr = 0;
	rc = acpi_table_length(table, len, &length);
	if (rc != 0)
		return rc;
	if (memcmp(p, xsdt ? "XSDT" : "RSDT", 4) != 0)
		return -EBADMSG;
	/* index < count bounds the offset below, so it cannot wrap. */
	if (index >= (length - ACPI_SDT_HEADER_LEN) / size)
		return -ENOENT;
	p += ACPI_SDT_HEADER_LEN + index * size;
	if (xsdt) {
		uint64_t v;
		memcpy(&v, p, sizeof(v));
		*addr = v;
	} else {
		uint32_t v;
		memcpy(&v, p, sizeof(v));
		*addr = v;
	}
	return 0;
}

/* The fields ACPI 1.0's 116-byte FADT already has. */
static void acpi_fadt_fill_v1(const struct acpi_table_fadt *t, struct acpi_fadt *f)
{
	f->length = t->header.length;
	f->revision = t->header.revision;
	f->dsdt = t->dsdt;
	f->smi_cmd = t->smi_cmd;
	f->acpi_enable = t->acpi_enable;
	f->acpi_disable = t->acpi_disable;
	f->pm1a_cnt_blk = t->pm1a_cnt_blk;
	f->pm1b_cnt_blk = t->pm1b_cnt_blk;
	f->pm1_cnt_len = t->pm1_cnt_len;
	f->iapc_boot_arch = t->iapc_boot_arch;
	f->flags = t->flags;
}

/* The fields later revisions appended, each only if the length covers it. */
static void acpi_fadt_fill_ext(const struct acpi_table_fadt *t, uint32_t length,
			       struct acpi_fadt *f)
{
	if (ACPI_FADT_COVERS(length, reset_value)) {
		f->present |= ACPI_FADT_HAS_RESET;
		f->reset_reg = t->reset_reg;
		f->reset_value = t->reset_value;
	}
	if (ACPI_FADT_COVERS(length, fadt_minor_version)) {
		f->present |= ACPI_FADT_HAS_MINOR_VERSION;
		f->minor_version = t->fadt_minor_version;
	}
	if (ACPI_FADT_COVERS(length, x_dsdt)) {
		f->present |= ACPI_FADT_HAS_X_DSDT;
		f->x_dsdt = t->x_dsdt;
	}
	if (ACPI_FADT_COVERS(length, x_pm1a_cnt_blk)) {
		f->present |= ACPI_FADT_HAS_X_PM1A_CNT;
		f->x_pm1a_cnt_blk = t->x_pm1a_cnt_blk;
	}
	if (ACPI_FADT_COVERS(length, x_pm1b_cnt_blk)) {
		f->present |= ACPI_FADT_HAS_X_PM1B_CNT;
		f->x_pm1b_cnt_blk = t->x_pm1b_cnt_blk;
	}
	if (ACPI_FADT_COVERS(length, sleep_control_reg)) {
		f->present |= ACPI_FADT_HAS_SLEEP_CONTROL;
		f->sleep_control_reg = t->sleep_control_reg;
	}
	if (ACPI_FADT_COVERS(length, sleep_status_reg)) {
		f->present |= ACPI_FADT_HAS_SLEEP_STATUS;
		f->sleep_status_reg = t->sleep_status_reg;
	}
}

int acpi_fadt_parse(const void *buf, size_t len, struct acpi_fadt *out)
{
	struct acpi_table_fadt t;
	uint32_t length;
	int rc;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	rc = acpi_table_length(buf, len, &length);
	if (rc != 0)
		return rc;
	if (memcmp(buf, "FACP", 4) != 0 || length < ACPI_FADT_V1_LEN)
		return -EBADMSG;
	/* Bytes past the declared length stay zero: they belong to others. */
	memset(&t, 0, sizeof(t));
	memcpy(&t, buf, length < sizeof(t) ? length : sizeof(t));
	acpi_fadt_fill_v1(&t, out);
	acpi_fadt_fill_ext(&t, length, out);
	return 0;
}

uint64_t acpi_fadt_dsdt(const struct acpi_fadt *fadt)
{
	if ((fadt->present & ACPI_FADT_HAS_X_DSDT) && fadt->x_dsdt != 0)
		return fadt->x_dsdt;
	return fadt->dsdt;
}

int acpi_fadt_pm1_cnt(const struct acpi_fadt *fadt, bool b, struct acpi_gas *out)
{
	uint32_t has = b ? ACPI_FADT_HAS_X_PM1B_CNT : ACPI_FADT_HAS_X_PM1A_CNT;
	struct acpi_gas x = b ? fadt->x_pm1b_cnt_blk : fadt->x_pm1a_cnt_blk;
	uint32_t port = b ? fadt->pm1b_cnt_blk : fadt->pm1a_cnt_blk;

	memset(out, 0, sizeof(*out));
	if ((fadt->present & has) && x.address != 0) {
		*out = x;
		return 0;
	}
	if (port == 0)
		return -ENOENT;
	/*
	 * PM1_CNT_LEN is in bytes and at least 2 (ACPI 6.5 Table 5.9); SLP_EN
	 * is bit 13, so anything outside 2..4 is firmware noise: use 16.
	 */
	out->space_id = ACPI_GAS_SYSTEM_IO;
	out->bit_width = 16;
	if (fadt->pm1_cnt_len >= 2 && fadt->pm1_cnt_len <= 4)
		out->bit_width = (uint8_t)(fadt->pm1_cnt_len * 8u);
	out->address = port;
	return 0;
}

/*
 * Decode a PkgLength (ACPI 6.5 §20.2.4) from p[0..n): the lead byte's top
 * two bits count the bytes that follow; alone, its low six bits are the
 * length, otherwise its low nibble is the least significant and each
 * following byte adds eight more bits.  Bits 5:4 of a multi-byte lead are
 * reserved and, as in ACPICA, ignored.
 */
static int acpi_aml_pkg_length(const uint8_t *p, size_t n, size_t *used,
			       uint32_t *length)
{
	size_t follow;
	uint32_t v;

	if (n < 1)
		return -EBADMSG;
	follow = p[0] >> 6;
	if (n < 1 + follow)
		return -EBADMSG;
	if (follow == 0) {
		v = p[0] & 0x3fu;
	} else {
		v = p[0] & 0x0fu;
		for (size_t k = 0; k < follow; k++)
			v |= (uint32_t)p[1 + k] << (4 + 8 * k);
	}
	*used = 1 + follow;
	*length = v;
	return 0;
}

/* Decode one integer constant (Zero, One, Byte/Word/DWord prefix). */
static int acpi_aml_integer(const uint8_t *p, size_t n, size_t *used, uint32_t *v)
{
	size_t size;

	if (n < 1)
		return -EBADMSG;
	switch (p[0]) {
	case AML_ZERO_OP:
	case AML_ONE_OP:
		*v = p[0];
		*used = 1;
		return 0;
	case AML_BYTE_PREFIX:
		size = 1;
		break;
	case AML_WORD_PREFIX:
		size = 2;
		break;
	case AML_DWORD_PREFIX:
		size = 4;
		break;
	default:
		return -EBADMSG;
	}
	if (n - 1 < size)
		return -EBADMSG;
	*v = 0;
	for (size_t k = 0; k < size; k++)
		*v |= (uint32_t)p[1 + k] << (8 * k);
	*used = 1 + size;
	return 0;
}

/*
 * Decode the package that follows "_S5_" at p[0..n), n being what is left
 * of the table.  The package must end within the table and both integers
 * within the package.  Returns 0 or -EBADMSG.
 */
static int acpi_aml_s5_package(const uint8_t *p, size_t n, struct acpi_sleep_type *out)
{
	size_t used, pos, end;
	uint32_t plen, a, b;
	uint8_t count;

	if (n < 1 || p[0] != AML_PACKAGE_OP)
		return -EBADMSG;
	if (acpi_aml_pkg_length(p + 1, n - 1, &used, &plen) != 0)
		return -EBADMSG;
	/* PkgLength counts its own bytes, NumElements and the elements. */
	if (plen < used + 1 || plen > n - 1)
		return -EBADMSG;
	end = 1 + (size_t)plen;
	pos = 1 + used;
	count = p[pos++];
	if (count == 0)
		return -EBADMSG;
	if (acpi_aml_integer(p + pos, end - pos, &used, &a) != 0)
		return -EBADMSG;
	pos += used;
	if (count == 1) {
		/* Old firmware: SLP_TYPa in bits 7:0, SLP_TYPb in bits 15:8. */
		out->slp_typa = a & 0xffu;
		out->slp_typb = (a >> 8) & 0xffu;
		return 0;
	}
	if (acpi_aml_integer(p + pos, end - pos, &used, &b) != 0)
		return -EBADMSG;
	out->slp_typa = a;
	out->slp_typb = b;
	return 0;
}

/* True when a NameOp, optionally followed by '\', precedes p[i] in the AML. */
static bool acpi_aml_named_at(const uint8_t *p, size_t i)
{
	if (i >= ACPI_SDT_HEADER_LEN + 1 && p[i - 1] == AML_NAME_OP)
		return true;
	return i >= ACPI_SDT_HEADER_LEN + 2 && p[i - 1] == AML_ROOT_CHAR &&
	       p[i - 2] == AML_NAME_OP;
}

int acpi_dsdt_find_s5(const void *aml, size_t len, struct acpi_sleep_type *out)
{
	const uint8_t *p = aml;
	struct acpi_sleep_type s;
	uint32_t length;
	int rc, result = -ENOENT;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	rc = acpi_table_length(aml, len, &length);
	if (rc != 0)
		return rc;
	/*
	 * A match can be a coincidence (bytes inside a buffer or a string),
	 * so a candidate that does not decode is remembered and the scan
	 * goes on; the first one that decodes wins.
	 */
	for (size_t i = ACPI_SDT_HEADER_LEN; length - i >= 4; i++) {
		if (memcmp(p + i, "_S5_", 4) != 0 || !acpi_aml_named_at(p, i))
			continue;
		memset(&s, 0, sizeof(s));
		if (acpi_aml_s5_package(p + i + 4, length - i - 4, &s) == 0) {
			*out = s;
			return 0;
		}
		result = -EBADMSG;
	}
	return result;
}

int acpi_pm1_sleep_value(const struct acpi_sleep_type *s, bool b,
			 uint16_t pm1_cnt, uint16_t *value)
{
	uint32_t typ = b ? s->slp_typb : s->slp_typa;

	if (typ > 7)
		return -ERANGE;
	*value = (uint16_t)((pm1_cnt & ~(ACPI_PM1_CNT_SLP_TYP_MASK | ACPI_PM1_CNT_SLP_EN)) |
			    (typ << ACPI_PM1_CNT_SLP_TYP_SHIFT) | ACPI_PM1_CNT_SLP_EN);
	return 0;
}

int acpi_sleep_control_value(const struct acpi_sleep_type *s, uint8_t *value)
{
	if (s->slp_typa > 7)
		return -ERANGE;
	*value = (uint8_t)((s->slp_typa << ACPI_SLEEP_CTL_SLP_TYP_SHIFT) |
			   ACPI_SLEEP_CTL_SLP_EN);
	return 0;
}

const char *acpi_gas_space_name(uint8_t space_id)
{
	/* Arrays, not pointers: no relocations in a relocating kernel. */
	static const char names[][20] = {
		[ACPI_GAS_SYSTEM_MEMORY] = "SystemMemory",
		[ACPI_GAS_SYSTEM_IO] = "SystemIO",
		[ACPI_GAS_PCI_CONFIG] = "PCI_Config",
		[ACPI_GAS_EMBEDDED_CONTROLLER] = "EmbeddedControl",
		[ACPI_GAS_SMBUS] = "SMBus",
		[ACPI_GAS_SYSTEM_CMOS] = "SystemCMOS",
		[ACPI_GAS_PCI_BAR_TARGET] = "PciBarTarget",
		[ACPI_GAS_IPMI] = "IPMI",
		[ACPI_GAS_GPIO] = "GeneralPurposeIO",
		[ACPI_GAS_GENERIC_SERIAL_BUS] = "GenericSerialBus",
		[ACPI_GAS_PCC] = "PCC",
		[ACPI_GAS_PRM] = "PlatformRtMechanism",
	};

	if (space_id < sizeof(names) / sizeof(names[0]))
		return names[space_id];
	if (space_id == ACPI_GAS_FUNCTIONAL_FIXED_HW)
		return "FunctionalFixedHW";
	return space_id >= 0x80 ? "OEMDefined" : "Reserved";
}
