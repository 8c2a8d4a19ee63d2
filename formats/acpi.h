/*
 * ACPI table readers: just enough of ACPI to power the machine off (S5)
 * and reset it, with no AML interpreter.
 *
 * Interface: every function is pure.  The kernel glue maps a table's
 * physical memory and passes its bytes as (buf, len); len is how many
 * bytes the caller may read, and a table whose declared length exceeds it
 * is refused, never read past.  Results go to caller-owned structs, which
 * are cleared first, so after an error they hold nothing useful.  Errors:
 * -EINVAL for a NULL pointer or a buffer too short for what it must
 * hold, -EBADMSG for a wrong signature, checksum or encoding, -ENOENT
 * for something absent (a table index past the end, no _S5_ object).
 *
 * The usual walk:  acpi_rsdp_parse -> (x)sdt address -> acpi_sdt_header
 * to learn the length -> map it -> acpi_sdt_check -> acpi_sdt_entry for
 * each entry until -ENOENT -> the "FACP" table -> acpi_fadt_parse ->
 * acpi_fadt_dsdt -> map the DSDT -> acpi_sdt_check -> acpi_dsdt_find_s5
 * -> acpi_pm1_sleep_value and a write to each PM1 control block.
 *
 * The wire structs below mirror the spec (ACPI 6.5, chapter 5) and are
 * read only through aligned copies; x86-64 only, so little-endian.
 * Environment: kernel, host tool and host tests alike; freestanding
 * headers only.
 */
#ifndef FORMATS_ACPI_H
#define FORMATS_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- wire */

/*
 * Root System Description Pointer, ACPI 6.5 §5.2.5.3.  Revision 0
 * (ACPI 1.0) ends after rsdt_address: only the first 20 bytes exist and
 * only they are covered by `checksum`.  Packed because the spec's 36
 * bytes are not a multiple of the u64's alignment.
 */
struct acpi_table_rsdp {
	uint8_t signature[8];		/* "RSD PTR " */
	uint8_t checksum;		/* bytes 0..19 sum to 0 */
	uint8_t oem_id[6];
	uint8_t revision;		/* 0: ACPI 1.0, 2: ACPI 2.0+ */
	uint32_t rsdt_address;
	uint32_t length;		/* revision >= 2: whole structure */
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* bytes 0..length-1 sum to 0 */
	uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_table_rsdp) == 36, "rsdp size");
_Static_assert(offsetof(struct acpi_table_rsdp, checksum) == 8, "checksum");	/* 8 */
_Static_assert(offsetof(struct acpi_table_rsdp, oem_id) == 9, "oem_id");	/* 9 */
_Static_assert(offsetof(struct acpi_table_rsdp, revision) == 15, "revision");	/* 15 */
_Static_assert(offsetof(struct acpi_table_rsdp, rsdt_address) == 16, "rsdt");	/* 16 */
_Static_assert(offsetof(struct acpi_table_rsdp, length) == 20, "length");	/* 20 */
_Static_assert(offsetof(struct acpi_table_rsdp, xsdt_address) == 24, "xsdt");	/* 24 */
_Static_assert(offsetof(struct acpi_table_rsdp, extended_checksum) == 32, "xsum"); /* 32 */

#define ACPI_RSDP_V1_LEN	20u
#define ACPI_RSDP_V2_LEN	36u

/* System Description Table header, ACPI 6.5 §5.2.6, Table 5.4. */
struct acpi_table_header {
	uint8_t signature[4];
	uint32_t length;		/* whole table, header included */
	uint8_t revision;
	uint8_t checksum;		/* bytes 0..length-1 sum to 0 */
	uint8_t oem_id[6];
	uint8_t oem_table_id[8];
	uint32_t oem_revision;
	uint8_t creator_id[4];
	uint32_t creator_revision;
};
_Static_assert(sizeof(struct acpi_table_header) == 36, "sdt header size");
_Static_assert(offsetof(struct acpi_table_header, length) == 4, "length");	/* 4 */
_Static_assert(offsetof(struct acpi_table_header, revision) == 8, "revision");	/* 8 */
_Static_assert(offsetof(struct acpi_table_header, checksum) == 9, "checksum");	/* 9 */
_Static_assert(offsetof(struct acpi_table_header, oem_id) == 10, "oem_id");	/* 10 */
_Static_assert(offsetof(struct acpi_table_header, oem_table_id) == 16, "oem_tid"); /* 16 */
_Static_assert(offsetof(struct acpi_table_header, oem_revision) == 24, "oem_rev"); /* 24 */
_Static_assert(offsetof(struct acpi_table_header, creator_id) == 28, "creator");	/* 28 */
_Static_assert(offsetof(struct acpi_table_header, creator_revision) == 32, "crev"); /* 32 */

#define ACPI_SDT_HEADER_LEN	36u

/*
 * Generic Address Structure, ACPI 6.5 §5.2.3.2, Table 5.1.  The spec puts
 * the u64 at offset 4, hence packed.  Used both on the wire and in
 * struct acpi_fadt.
 */
struct acpi_gas {
	uint8_t space_id;		/* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;		/* 0 undefined, 1 byte .. 4 qword */
	uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_gas) == 12, "gas size");
_Static_assert(offsetof(struct acpi_gas, access_size) == 3, "access_size");	/* 3 */
_Static_assert(offsetof(struct acpi_gas, address) == 4, "address");		/* 4 */

#define ACPI_GAS_SYSTEM_MEMORY		0x00
#define ACPI_GAS_SYSTEM_IO		0x01
#define ACPI_GAS_PCI_CONFIG		0x02
#define ACPI_GAS_EMBEDDED_CONTROLLER	0x03
#define ACPI_GAS_SMBUS			0x04
#define ACPI_GAS_SYSTEM_CMOS		0x05
#define ACPI_GAS_PCI_BAR_TARGET		0x06
#define ACPI_GAS_IPMI			0x07
#define ACPI_GAS_GPIO			0x08
#define ACPI_GAS_GENERIC_SERIAL_BUS	0x09
#define ACPI_GAS_PCC			0x0a
#define ACPI_GAS_PRM			0x0b
#define ACPI_GAS_FUNCTIONAL_FIXED_HW	0x7f

/*
 * Fixed ACPI Description Table ("FACP"), ACPI 6.5 §5.2.9, Table 5.9: the
 * ACPI 6.0+ layout, 276 bytes.  Older tables are shorter (ACPI 1.0: 116
 * bytes, up to `flags`; 2.0: 244; 5.0: 268) and a field exists only when
 * it lies within the declared length.  Packed: the spec misaligns
 * iapc_boot_arch and every field from x_firmware_ctrl on.
 */
struct acpi_table_fadt {
	struct acpi_table_header header;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;		/* INT_MODEL in ACPI 1.0 */
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t fadt_minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_identity;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_table_fadt) == 276, "fadt size");
_Static_assert(offsetof(struct acpi_table_fadt, dsdt) == 40, "dsdt");			/* 40 */
_Static_assert(offsetof(struct acpi_table_fadt, smi_cmd) == 48, "smi_cmd");		/* 48 */
_Static_assert(offsetof(struct acpi_table_fadt, acpi_enable) == 52, "acpi_enable");	/* 52 */
_Static_assert(offsetof(struct acpi_table_fadt, acpi_disable) == 53, "acpi_disable");	/* 53 */
_Static_assert(offsetof(struct acpi_table_fadt, pm1a_cnt_blk) == 64, "pm1a_cnt");	/* 64 */
_Static_assert(offsetof(struct acpi_table_fadt, pm1b_cnt_blk) == 68, "pm1b_cnt");	/* 68 */
_Static_assert(offsetof(struct acpi_table_fadt, pm1_cnt_len) == 89, "pm1_cnt_len");	/* 89 */
_Static_assert(offsetof(struct acpi_table_fadt, iapc_boot_arch) == 109, "iapc");	/* 109 */
_Static_assert(offsetof(struct acpi_table_fadt, flags) == 112, "flags");		/* 112 */
_Static_assert(offsetof(struct acpi_table_fadt, reset_reg) == 116, "reset_reg");	/* 116 */
_Static_assert(offsetof(struct acpi_table_fadt, reset_value) == 128, "reset_value");	/* 128 */
_Static_assert(offsetof(struct acpi_table_fadt, fadt_minor_version) == 131, "minor");	/* 131 */
_Static_assert(offsetof(struct acpi_table_fadt, x_firmware_ctrl) == 132, "x_fw");	/* 132 */
_Static_assert(offsetof(struct acpi_table_fadt, x_dsdt) == 140, "x_dsdt");		/* 140 */
_Static_assert(offsetof(struct acpi_table_fadt, x_pm1a_cnt_blk) == 172, "x_pm1a_cnt");	/* 172 */
_Static_assert(offsetof(struct acpi_table_fadt, x_pm1b_cnt_blk) == 184, "x_pm1b_cnt");	/* 184 */
_Static_assert(offsetof(struct acpi_table_fadt, sleep_control_reg) == 244, "slp_ctl");	/* 244 */
_Static_assert(offsetof(struct acpi_table_fadt, sleep_status_reg) == 256, "slp_sts");	/* 256 */
_Static_assert(offsetof(struct acpi_table_fadt, hypervisor_vendor_identity) == 268, "hv"); /* 268 */

#define ACPI_FADT_V1_LEN	116u	/* ACPI 1.0: ends after flags */

/* FADT flags, ACPI 6.5 Table 5.10. */
#define ACPI_FADT_RESET_REG_SUP		(1u << 10)
#define ACPI_FADT_HW_REDUCED_ACPI	(1u << 20)

/* IA-PC boot architecture flags, ACPI 6.5 Table 5.11. */
#define ACPI_IAPC_LEGACY_DEVICES	(1u << 0)
#define ACPI_IAPC_8042			(1u << 1)
#define ACPI_IAPC_NO_VGA		(1u << 2)
#define ACPI_IAPC_NO_CMOS_RTC		(1u << 5)

/*
 * PM1 control register bits, ACPI 6.5 §4.8.2.2.1 (Table 4.13), and the
 * hardware-reduced Sleep Control Register, §4.8.3.7 (Table 4.19).
 */
#define ACPI_PM1_CNT_SCI_EN		(1u << 0)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT	10
#define ACPI_PM1_CNT_SLP_TYP_MASK	(7u << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN		(1u << 13)
#define ACPI_SLEEP_CTL_SLP_TYP_SHIFT	2
#define ACPI_SLEEP_CTL_SLP_TYP_MASK	(7u << ACPI_SLEEP_CTL_SLP_TYP_SHIFT)
#define ACPI_SLEEP_CTL_SLP_EN		(1u << 5)

/* ---------------------------------------------------------------- parsed */

struct acpi_rsdp {
	uint8_t revision;
	char oem_id[7];			/* NUL-terminated, unprintables as '?' */
	uint32_t rsdt_address;
	uint32_t length;		/* 20 for revision < 2 */
	uint64_t xsdt_address;		/* 0 for revision < 2 */
};

struct acpi_sdt {
	char signature[5];		/* NUL-terminated, unprintables as '?' */
	char oem_id[7];
	char oem_table_id[9];
	char creator_id[5];
	uint8_t revision;
	uint8_t checksum;
	uint32_t length;		/* as declared: not yet checked */
	uint32_t oem_revision;
	uint32_t creator_revision;
};

/* struct acpi_fadt.present: which optional fields the table's length covers. */
#define ACPI_FADT_HAS_RESET		(1u << 0)	/* reset_reg, reset_value */
#define ACPI_FADT_HAS_MINOR_VERSION	(1u << 1)
#define ACPI_FADT_HAS_X_DSDT		(1u << 2)
#define ACPI_FADT_HAS_X_PM1A_CNT	(1u << 3)
#define ACPI_FADT_HAS_X_PM1B_CNT	(1u << 4)
#define ACPI_FADT_HAS_SLEEP_CONTROL	(1u << 5)
#define ACPI_FADT_HAS_SLEEP_STATUS	(1u << 6)

/* Fields absent from a short table read as zero; see `present`. */
struct acpi_fadt {
	uint32_t length;
	uint8_t revision;
	uint8_t minor_version;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t pm1_cnt_len;
	uint8_t reset_value;
	uint16_t iapc_boot_arch;
	uint32_t present;		/* ACPI_FADT_HAS_* */
	uint32_t flags;			/* ACPI_FADT_RESET_REG_SUP, ... */
	uint32_t dsdt;
	uint32_t smi_cmd;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint64_t x_dsdt;
	struct acpi_gas reset_reg;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
};

/* The first two integers of \_S5_ (SLP_TYPa, SLP_TYPb), as found. */
struct acpi_sleep_type {
	uint32_t slp_typa;
	uint32_t slp_typb;
};

/* ---------------------------------------------------------------- calls */

/*
 * Parse an RSDP.  Checks "RSD PTR ", the 20-byte checksum and, for
 * revision >= 2, the declared length (36 <= length <= len) and the
 * extended checksum.  Returns 0, -EINVAL (short buffer) or -EBADMSG.
 */
int acpi_rsdp_parse(const void *buf, size_t len, struct acpi_rsdp *out);

/*
 * Read the 36-byte common header of any table, without judging it: use
 * it to learn how much to map, then acpi_sdt_check.  Returns 0 or
 * -EINVAL when len < 36.
 */
int acpi_sdt_header(const void *buf, size_t len, struct acpi_sdt *out);

/*
 * Check a whole table: 36 <= length <= len and the bytes 0..length-1
 * sum to zero.  Returns 0, -EINVAL (length > len) or -EBADMSG.
 */
int acpi_sdt_check(const void *buf, size_t len);

/*
 * The common checks of a table that starts with the 36-byte header and
 * has min_len (>= 36) fixed bytes: len >= min_len (else -EINVAL), the
 * 4-byte signature sig (else -EBADMSG), min_len <= the declared length
 * (else -EBADMSG) <= len (else -EINVAL).  Stores the declared length in
 * *length.  The checksum is acpi_sdt_check()'s, done where the table is
 * mapped.  Used by the DMAR, IVRS and MCFG readers.
 */
int acpi_table_check(const void *buf, size_t len, const char sig[4], uint32_t min_len,
		     uint32_t *length);

/*
 * Store in *addr the index-th entry of an RSDT (xsdt false: u32 entries)
 * or XSDT (u64 entries, unaligned in practice).  Checks the signature and
 * the declared length (which must fit in len); a trailing partial entry is
 * ignored.  Returns 0, -ENOENT past the last entry, -EINVAL or -EBADMSG.
 */
int acpi_sdt_entry(const void *table, size_t len, bool xsdt, size_t index,
		   uint64_t *addr);

/*
 * Parse a "FACP" table of at least 116 bytes and at most len bytes.
 * Does not verify the checksum (acpi_sdt_check does).  Returns 0,
 * -EINVAL or -EBADMSG.
 */
int acpi_fadt_parse(const void *buf, size_t len, struct acpi_fadt *out);

/* The DSDT's physical address: X_DSDT when present and non-zero, else DSDT. */
uint64_t acpi_fadt_dsdt(const struct acpi_fadt *fadt);

/*
 * The PM1a (b false) or PM1b (b true) control block as a GAS: the X_ field
 * when present with a non-zero address, else the legacy I/O port with
 * PM1_CNT_LEN * 8 bits (16 if that is 0).  Returns 0 or -ENOENT when the
 * block does not exist (PM1b usually does not).
 */
int acpi_fadt_pm1_cnt(const struct acpi_fadt *fadt, bool b, struct acpi_gas *out);

/*
 * Find Name(_S5_, Package { SLP_TYPa, SLP_TYPb, ... }) in a DSDT (or SSDT)
 * by scanning its AML after the header; aml/len is the whole table, whose
 * declared length must fit in len.  A one-element package holds both
 * values in its low two bytes, as ACPICA reads it.  Returns 0, -ENOENT
 * (no _S5_), -EBADMSG (an _S5_ that is not a package of integers), or
 * -EINVAL.
 */
int acpi_dsdt_find_s5(const void *aml, size_t len, struct acpi_sleep_type *out);

/*
 * The PM1a (b false) or PM1b control value that enters the sleep state:
 * pm1_cnt (the register's current value) with SLP_TYPx replaced and
 * SLP_EN set.  Linux writes it twice: first without SLP_EN, then with.
 * Returns 0 or -ERANGE when the sleep type does not fit in 3 bits.
 */
int acpi_pm1_sleep_value(const struct acpi_sleep_type *s, bool b,
			 uint16_t pm1_cnt, uint16_t *value);

/*
 * The hardware-reduced Sleep Control Register value (SLP_TYPa, SLP_EN).
 * Returns 0 or -ERANGE.
 */
int acpi_sleep_control_value(const struct acpi_sleep_type *s, uint8_t *value);

/* A GAS address space's name ("SystemIO", ...); never NULL. */
const char *acpi_gas_space_name(uint8_t space_id);

#endif
