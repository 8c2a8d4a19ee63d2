/*
 * ACPI discovery for power-off and reset (ACPI 6.5 chapter 5.2: RSDP,
 * RSDT/XSDT, FADT, DSDT; 7.4.2 \_S5; 4.8.3.6 reset register).
 *
 * Tables are read in place after cpu_map_phys() and checked by the pure
 * readers in formats/acpi.c (signature, length against what we mapped,
 * checksum) before any field is used.  Nothing here writes firmware memory.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "drivers/pci.h"
#include "drivers/reset.h"
#include "formats/acpi.h"
#include "formats/mcfg.h"
#include "kernel/cpu.h"
#include "kernel/platform.h"

#define ROOT_MAX	(64u << 10)	/* RSDT/XSDT larger than this: refused */
#define TABLE_MAX	(4u << 20)	/* any other table */
#define ROOT_ENTRIES_MAX 256

static struct {
	bool have_fadt;
	struct acpi_fadt fadt;
	bool have_s5;
	struct acpi_sleep_type s5;
	bool have_rsdp;
	struct acpi_rsdp rsdp;
} acpi;

/* Map a table at addr and return it with its checked length in *len. */
static const void *map_table(uint64_t addr, uint32_t max, size_t *len)
{
	struct acpi_sdt sdt;
	const void *p = (const void *)(uintptr_t)addr;

	if (addr == 0 || cpu_map_phys(addr, ACPI_SDT_HEADER_LEN) != 0)
		return NULL;
	if (acpi_sdt_header(p, ACPI_SDT_HEADER_LEN, &sdt) != 0 || sdt.length > max ||
	    cpu_map_phys(addr, sdt.length) != 0 || acpi_sdt_check(p, sdt.length) != 0)
		return NULL;
	*len = sdt.length;
	return p;
}

static int rsdp_at(uint64_t addr, struct acpi_rsdp *r)
{
	if (cpu_map_phys(addr, ACPI_RSDP_V2_LEN) != 0)
		return -EINVAL;
	/* A v1 RSDP is 20 bytes; the parser reads past 20 only for v2. */
	return acpi_rsdp_parse((const void *)(uintptr_t)addr, ACPI_RSDP_V2_LEN, r);
}

/* ACPI 6.5 5.2.5.1: first KiB of the EBDA, then 0xE0000-0xFFFFF, 16-byte steps. */
static uint64_t rsdp_scan(struct acpi_rsdp *r)
{
	uint16_t ebda_seg;
	uint64_t a;

	memcpy(&ebda_seg, (const void *)(uintptr_t)0x40E, sizeof(ebda_seg));
	a = (uint64_t)ebda_seg << 4;
	if (a >= 0x80000 && a < 0xA0000)
		for (uint64_t p = a; p < a + 1024; p += 16)
			if (rsdp_at(p, r) == 0)
				return p;
	for (a = 0xE0000; a < 0x100000; a += 16)
		if (rsdp_at(a, r) == 0)
			return a;
	return 0;
}

static void find_fadt(const struct acpi_rsdp *r)
{
	bool xsdt = r->revision >= 2 && r->xsdt_address != 0;
	uint64_t root_addr = xsdt ? r->xsdt_address : r->rsdt_address;
	size_t root_len, len;
	const void *root = map_table(root_addr, ROOT_MAX, &root_len);
	uint64_t entry;

	if (root == NULL) {
		printf("acpi: %s at 0x%llx is unreadable or fails its checksum\n",
		       xsdt ? "XSDT" : "RSDT", (unsigned long long)root_addr);
		return;
	}
	for (size_t i = 0; i < ROOT_ENTRIES_MAX &&
	     acpi_sdt_entry(root, root_len, xsdt, i, &entry) == 0; i++) {
		const uint8_t *t = map_table(entry, TABLE_MAX, &len);

		if (t == NULL || memcmp(t, "FACP", 4) != 0)
			continue;
		if (acpi_fadt_parse(t, len, &acpi.fadt) == 0) {
			acpi.have_fadt = true;
			return;
		}
	}
}

/* PCI Firmware 3.2 §4.1.2: the MCFG says where ECAM is; hand segment 0's
 * window to drivers/pci.c (which checks it answers before using it). */
static void find_mcfg(const struct acpi_rsdp *r)
{
	bool xsdt = r->revision >= 2 && r->xsdt_address != 0;
	size_t root_len = 0, len;
	const void *root = map_table(xsdt ? r->xsdt_address : r->rsdt_address, ROOT_MAX,
				     &root_len);
	uint64_t entry;
	struct mcfg_ecam e;

	for (size_t i = 0; root != NULL && i < ROOT_ENTRIES_MAX &&
	     acpi_sdt_entry(root, root_len, xsdt, i, &entry) == 0; i++) {
		const uint8_t *t = map_table(entry, TABLE_MAX, &len);

		if (t == NULL || memcmp(t, "MCFG", 4) != 0)
			continue;
		if (mcfg_find(t, len, 0, &e) == 0) {
			pci_set_ecam(e.base, e.bus_start, e.bus_end);
			return;
		}
		printf("acpi: MCFG at 0x%llx has no usable ECAM window for segment 0; "
		       "PCI configuration through ports 0xcf8/0xcfc\n", (unsigned long long)entry);
		return;
	}
	printf("acpi: no MCFG; PCI configuration through ports 0xcf8/0xcfc\n");
}

int platform_acpi_init(uint64_t rsdp_hint, const void *rsdp_copy, size_t copy_len)
{
	struct acpi_rsdp r;
	uint64_t at = rsdp_hint;
	const char *how = "given";
	size_t len;

	if (copy_len && acpi_rsdp_parse(rsdp_copy, copy_len, &r) == 0) {
		how = "loader's copy";
		at = 0;
	} else if (at == 0 || rsdp_at(at, &r) != 0) {
		at = rsdp_scan(&r);
		how = "BIOS area scan";
		if (at == 0) {
			printf("acpi: no RSDP found; power-off and ACPI reset unavailable\n");
			return -ENOENT;
		}
	}
	acpi.rsdp = r;
	acpi.have_rsdp = true;
	find_fadt(&r);
	if (acpi.have_fadt) {
		const void *dsdt = map_table(acpi_fadt_dsdt(&acpi.fadt), TABLE_MAX, &len);

		if (dsdt != NULL && acpi_dsdt_find_s5(dsdt, len, &acpi.s5) == 0)
			acpi.have_s5 = true;
	}
	printf("acpi: RSDP %s0x%llx (rev %u, %s 0x%llx), FADT %s, DSDT \\_S5 %s",
	       at ? "" : "copy, tables via ", (unsigned long long)(at ? at : (r.xsdt_address ? r.xsdt_address : r.rsdt_address)),
	       r.revision, r.revision >= 2 && r.xsdt_address ? "XSDT" : "RSDT",
	       (unsigned long long)(r.revision >= 2 && r.xsdt_address ? r.xsdt_address : r.rsdt_address),
	       acpi.have_fadt ? "found" : "missing", acpi.have_s5 ? "found" : "missing");
	if (acpi.have_s5)
		printf(" (SLP_TYP %u/%u)", acpi.s5.slp_typa, acpi.s5.slp_typb);
	printf(" [%s]\n", how);
	find_mcfg(&r);
	return 0;
}

const void *platform_acpi_table(const char *sig, size_t index, size_t *len)
{
	bool xsdt = acpi.rsdp.revision >= 2 && acpi.rsdp.xsdt_address != 0;
	size_t root_len = 0, n;
	const void *root;
	uint64_t entry;

	if (!acpi.have_rsdp)
		return NULL;
	root = map_table(xsdt ? acpi.rsdp.xsdt_address : acpi.rsdp.rsdt_address, ROOT_MAX,
			 &root_len);
	for (size_t i = 0; root != NULL && i < ROOT_ENTRIES_MAX &&
	     acpi_sdt_entry(root, root_len, xsdt, i, &entry) == 0; i++) {
		const uint8_t *t = map_table(entry, TABLE_MAX, &n);

		if (t == NULL || memcmp(t, sig, 4) != 0 || index-- != 0)
			continue;
		*len = n;
		return t;
	}
	return NULL;
}

static int pm1_write_sleep(bool b)
{
	struct acpi_gas g;
	uint64_t cur;
	uint16_t v;

	if (acpi_fadt_pm1_cnt(&acpi.fadt, b, &g) != 0)
		return -ENOENT;
	if (reset_gas_read(g.space_id, g.bit_width, g.address, &cur) != 0 ||
	    acpi_pm1_sleep_value(&acpi.s5, b, (uint16_t)cur, &v) != 0)
		return -EINVAL;
	/* SLP_TYP first, then with SLP_EN, as ACPI 7.4.2 hardware expects. */
	reset_gas_write(g.space_id, g.bit_width, g.address, v & ~ACPI_PM1_CNT_SLP_EN);
	return reset_gas_write(g.space_id, g.bit_width, g.address, v);
}

int platform_poweroff(void)
{
	if (!acpi.have_fadt || !acpi.have_s5) {
		printf("after: power-off needs the ACPI FADT and \\_S5, which were not found\n");
		return -ENOENT;
	}
	if (acpi.fadt.flags & ACPI_FADT_HW_REDUCED_ACPI) {
		uint8_t v;
		const struct acpi_gas *g = &acpi.fadt.sleep_control_reg;

		if (acpi_sleep_control_value(&acpi.s5, &v) != 0 ||
		    reset_gas_write(g->space_id, g->bit_width, g->address, v) != 0) {
			printf("after: hardware-reduced ACPI sleep control register unusable\n");
			return -EINVAL;
		}
	} else {
		int err = pm1_write_sleep(false);

		if (err) {
			printf("after: PM1a control block unusable (%d)\n", err);
			return err;
		}
		pm1_write_sleep(true);
	}
	reset_delay_ms(1000);
	printf("after: ACPI S5 did not power the machine off\n");
	return -ETIMEDOUT;
}

int platform_acpi_reset(void)
{
	const struct acpi_gas *g = &acpi.fadt.reset_reg;

	if (!acpi.have_fadt || !(acpi.fadt.flags & ACPI_FADT_RESET_REG_SUP) ||
	    !(acpi.fadt.present & ACPI_FADT_HAS_RESET) || g->address == 0)
		return -ENOENT;
	if (reset_gas_write(g->space_id, g->bit_width, g->address, acpi.fadt.reset_value) != 0) {
		printf("after: ACPI reset register (%s 0x%llx) unusable\n",
		       acpi_gas_space_name(g->space_id), (unsigned long long)g->address);
		return -EINVAL;
	}
	reset_delay_ms(500);
	printf("after: ACPI reset register did not reset the machine\n");
	return -ETIMEDOUT;
}
