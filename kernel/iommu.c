/*
 * Turning off the IOMMUs a crashed system left translating (see iommu.h).
 *
 * Intel VT-d (VT-d specification rev. 4.1 §10.4.4-§10.4.5, §11.4.4): a
 * unit translates while GSTS.TES is set.  GCMD is write-only and every
 * write re-states all persistent commands, so the value written is GSTS
 * with the one-shot status bits masked off and TE cleared
 * (vtd_gcmd_clear()); the hardware clears GSTS.TES when it is done, which
 * is polled for at most VTD_TIMEOUT_US.  Interrupt remapping (IRE) and
 * queued invalidation (QIE) are left as found: postmortem polls with MSI
 * and INTx off, so no interrupt goes through the remapping table, and it
 * issues no invalidations.  Protected memory regions (PMEN.EPM, only on
 * units whose CAP has PLMR or PHMR) block DMA to the regions even with
 * translation off, so they are turned off too.
 *
 * AMD-Vi (AMD IOMMU specification rev. 3.x §3.4.1, MMIO offset 0x18):
 * with the control register's IommuEn clear, the IOMMU passes DMA through
 * untranslated.  The command buffer, the logs and their interrupts are
 * turned off in the same write (amdvi_control_off()); there is no status
 * to wait for.
 *
 * Register blocks are identity-mapped with cpu_map_phys() (MMIO below
 * 4 GiB already is).  A base address from a table that memory corruption
 * may have touched could name RAM, so before anything is written a VT-d
 * unit's VER register must read as a version (major non-zero, reserved
 * bits zero), and an AMD-Vi unit's base must be the one its own PCI
 * function's IOMMU capability holds; otherwise the unit is reported and
 * left alone.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "drivers/clock.h"
#include "drivers/pci.h"
#include "formats/dmar.h"
#include "formats/ivrs.h"
#include "kernel/cpu.h"
#include "kernel/iommu.h"
#include "kernel/platform.h"

#define IOMMU_MAX_UNITS		32	/* more are reported and left alone */
#define IOMMU_SCAN_MAX		256	/* DRHD/IVHD structures looked at */
#define VTD_TIMEOUT_US		1000000u

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MASTER	(1u << 2)
#define PCI_HEADER_LAYOUT_MASK	0x7f

enum unit_kind { UNIT_VTD, UNIT_AMDVI };

struct unit {
	enum unit_kind kind;
	uint64_t base;
	bool translating;
	uint16_t segment, device_id, cap;	/* AMD-Vi: where its PCI capability is */
};

static struct unit units[IOMMU_MAX_UNITS];
static unsigned nunits;
static bool any_translating;	/* at boot, before we touched anything */
static bool still_translating;	/* some unit would not turn off */

static uint32_t mmio_rd32(uint64_t a)
{
	return *(volatile uint32_t *)(uintptr_t)a;
}

static void mmio_wr32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)a = v;
}

static uint64_t mmio_rd64(uint64_t a)
{
	return *(volatile uint64_t *)(uintptr_t)a;
}

static void mmio_wr64(uint64_t a, uint64_t v)
{
	*(volatile uint64_t *)(uintptr_t)a = v;
}

static const char *kind_name(enum unit_kind k)
{
	return k == UNIT_VTD ? "VT-d" : "AMD-Vi";
}

/* Map a unit's first register page; false (said why) when it cannot be. */
static bool map_regs(enum unit_kind kind, uint64_t base)
{
	int err;

	if (base == 0 || (base & (VTD_REG_PAGE - 1)) != 0) {
		printf("iommu: %s unit at 0x%llx: register base not a page address; left alone\n",
		       kind_name(kind), (unsigned long long)base);
		return false;
	}
	if (!cpu_is_mapped(base, VTD_REG_PAGE) && (err = cpu_map_phys(base, VTD_REG_PAGE)) != 0) {
		printf("iommu: %s unit at 0x%llx: cannot map its registers (%d); left alone\n",
		       kind_name(kind), (unsigned long long)base, err);
		return false;
	}
	return true;
}

static struct unit *add_unit(enum unit_kind kind, uint64_t base)
{
	for (unsigned i = 0; i < nunits; i++)
		if (units[i].base == base)
			return NULL;	/* one IOMMU, several IVHD types */
	if (nunits == IOMMU_MAX_UNITS) {
		printf("iommu: more than %u units; %s unit at 0x%llx left alone\n",
		       IOMMU_MAX_UNITS, kind_name(kind), (unsigned long long)base);
		return NULL;
	}
	memset(&units[nunits], 0, sizeof(units[nunits]));
	units[nunits].kind = kind;
	units[nunits].base = base;
	return &units[nunits++];
}

static void find_dmar(void)
{
	struct dmar_drhd d;
	size_t len = 0;
	const void *t = platform_acpi_table("DMAR", 0, &len);
	size_t i;
	int err = 0;

	if (t == NULL)
		return;
	for (i = 0; i < IOMMU_SCAN_MAX && (err = dmar_drhd(t, len, i, &d)) == 0; i++)
		add_unit(UNIT_VTD, d.reg_base);
	if (err != 0 && err != -ENOENT)
		printf("iommu: DMAR table malformed after %zu remapping units (%d); the rest are "
		       "unknown\n", i, err);
}

static void find_ivrs(void)
{
	struct ivrs_ivhd h;
	size_t len = 0;
	const void *t = platform_acpi_table("IVRS", 0, &len);
	size_t i;
	int err = 0;

	if (t == NULL)
		return;
	for (i = 0; i < IOMMU_SCAN_MAX && (err = ivrs_ivhd(t, len, i, &h)) == 0; i++) {
		struct unit *u = add_unit(UNIT_AMDVI, h.base);

		if (u != NULL) {
			u->segment = h.segment;
			u->device_id = h.device_id;
			u->cap = h.cap_offset;
		}
	}
	if (err != 0 && err != -ENOENT)
		printf("iommu: IVRS table malformed after %zu IVHD blocks (%d); the rest are "
		       "unknown\n", i, err);
}

/*
 * AMD-Vi: the IOMMU is also a PCI function whose capability (IVHD
 * capability offset; ID 0Fh) holds its MMIO base (AMD IOMMU spec §3.2.1,
 * offsets 4 and 8).  A table naming a base that function does not have is
 * not written through: the address might be memory.
 */
static bool amdvi_base_confirmed(const struct unit *u)
{
	struct pci_addr a = { (uint8_t)(u->device_id >> 8), (uint8_t)((u->device_id >> 3) & 0x1f),
			      (uint8_t)(u->device_id & 7) };
	uint64_t lo, hi;

	if (u->segment != 0 || u->cap < 0x40 || u->cap > 0xf4 || (u->cap & 3) != 0 ||
	    pci_read8(a, u->cap) != AMDVI_PCI_CAP_ID)
		return false;
	lo = pci_read32(a, (uint16_t)(u->cap + 4));
	hi = pci_read32(a, (uint16_t)(u->cap + 8));
	return ((hi << 32) | (lo & ~0x3fffull)) == u->base;
}

/* Read whether the unit translates; false (said why) when it does not answer. */
static bool probe_unit(struct unit *u)
{
	if (u->kind == UNIT_AMDVI && !amdvi_base_confirmed(u)) {
		printf("iommu: AMD-Vi unit at 0x%llx: its PCI function %02x:%02x.%x does not "
		       "confirm that base (capability at 0x%x); left alone\n",
		       (unsigned long long)u->base, u->device_id >> 8, (u->device_id >> 3) & 0x1f,
		       u->device_id & 7, u->cap);
		return false;
	}
	if (!map_regs(u->kind, u->base))
		return false;
	if (u->kind == UNIT_VTD) {
		uint32_t gsts = mmio_rd32(u->base + VTD_REG_GSTS);
		uint32_t ver = mmio_rd32(u->base + VTD_REG_VER);

		/* VER: major in 7:4, minor in 3:0, the rest reserved (zero). */
		if (gsts == 0xffffffffu || (ver & ~0xffu) != 0 || (ver >> 4) == 0) {
			printf("iommu: VT-d unit at 0x%llx: registers do not look like a remapping "
			       "unit (VER 0x%08x, GSTS 0x%08x); left alone\n",
			       (unsigned long long)u->base, (unsigned)ver, (unsigned)gsts);
			return false;
		}
		u->translating = (gsts & VTD_GSTS_TES) != 0;
	} else {
		uint64_t ctl = mmio_rd64(u->base + AMDVI_REG_CONTROL);

		if (ctl == ~0ull) {
			printf("iommu: AMD-Vi unit at 0x%llx: registers read all ones; left alone\n",
			       (unsigned long long)u->base);
			return false;
		}
		u->translating = (ctl & AMDVI_CTL_IOMMU_EN) != 0;
	}
	return true;
}

/* Wait until (reg & mask) == 0; true when it did within us microseconds. */
static bool wait_clear32(uint64_t reg, uint32_t mask, uint64_t us)
{
	uint64_t start = clock_us();

	while (mmio_rd32(reg) & mask)
		if (clock_us() - start >= us)
			return (mmio_rd32(reg) & mask) == 0;
	return true;
}

/* Protected memory regions block DMA to them whatever TE says. */
static void vtd_pmr_off(uint64_t base)
{
	uint64_t cap = mmio_rd64(base + VTD_REG_CAP);
	uint32_t pmen;

	if (!(cap & (VTD_CAP_PLMR | VTD_CAP_PHMR)))
		return;
	pmen = mmio_rd32(base + VTD_REG_PMEN);
	if (!(pmen & VTD_PMEN_EPM))
		return;
	mmio_wr32(base + VTD_REG_PMEN, pmen & ~VTD_PMEN_EPM);
	if (!wait_clear32(base + VTD_REG_PMEN, VTD_PMEN_PRS, VTD_TIMEOUT_US))
		printf("iommu: VT-d unit at 0x%llx: protected memory regions still on after "
		       "%u ms (PMEN 0x%08x): DMA to them stays blocked\n", (unsigned long long)base,
		       VTD_TIMEOUT_US / 1000, (unsigned)mmio_rd32(base + VTD_REG_PMEN));
	else
		printf("iommu: VT-d unit at 0x%llx: protected memory regions turned off\n",
		       (unsigned long long)base);
}

static void vtd_off(struct unit *u)
{
	uint32_t gsts = mmio_rd32(u->base + VTD_REG_GSTS);

	if (!u->translating) {
		printf("iommu: VT-d unit at 0x%llx: translation off already; nothing to do\n",
		       (unsigned long long)u->base);
	} else {
		mmio_wr32(u->base + VTD_REG_GCMD, vtd_gcmd_clear(gsts, VTD_GSTS_TES));
		if (!wait_clear32(u->base + VTD_REG_GSTS, VTD_GSTS_TES, VTD_TIMEOUT_US)) {
			still_translating = true;
			printf("iommu: VT-d unit at 0x%llx was translating and did NOT turn off "
			       "within %u ms (GSTS 0x%08x): DMA of the devices behind it may be "
			       "blocked\n", (unsigned long long)u->base, VTD_TIMEOUT_US / 1000,
			       (unsigned)mmio_rd32(u->base + VTD_REG_GSTS));
		} else {
			printf("iommu: VT-d unit at 0x%llx was translating; translation turned off "
			       "for postmortem's DMA (interrupt remapping %s, queued invalidation "
			       "%s: left as found)\n", (unsigned long long)u->base,
			       (gsts & VTD_GSTS_IRES) ? "on" : "off",
			       (gsts & VTD_GSTS_QIES) ? "on" : "off");
		}
	}
	vtd_pmr_off(u->base);
}

static void amdvi_off(struct unit *u)
{
	uint64_t ctl = mmio_rd64(u->base + AMDVI_REG_CONTROL);

	if (!u->translating) {
		printf("iommu: AMD-Vi unit at 0x%llx: translation off already; nothing to do\n",
		       (unsigned long long)u->base);
		return;
	}
	mmio_wr64(u->base + AMDVI_REG_CONTROL, amdvi_control_off(ctl));
	if (mmio_rd64(u->base + AMDVI_REG_CONTROL) & AMDVI_CTL_IOMMU_EN) {
		still_translating = true;
		printf("iommu: AMD-Vi unit at 0x%llx was translating and did NOT turn off "
		       "(control 0x%016llx): DMA of the devices behind it may be blocked\n",
		       (unsigned long long)u->base,
		       (unsigned long long)mmio_rd64(u->base + AMDVI_REG_CONTROL));
		return;
	}
	printf("iommu: AMD-Vi unit at 0x%llx was translating; translation turned off for "
	       "postmortem's DMA (command buffer and logs off too)\n", (unsigned long long)u->base);
}

static int bus_master_off(const struct pci_func *f, void *ctx)
{
	unsigned *n = ctx;
	uint16_t cmd;

	if ((f->header_type & PCI_HEADER_LAYOUT_MASK) != 0)
		return 0;		/* bridges forward our devices' DMA */
	cmd = pci_read16(f->addr, PCI_COMMAND);
	if (cmd & PCI_COMMAND_MASTER) {
		pci_write16(f->addr, PCI_COMMAND, (uint16_t)(cmd & ~PCI_COMMAND_MASTER));
		(*n)++;
	}
	return 0;
}

void iommu_quiesce(void)
{
	unsigned masters = 0;

	find_dmar();
	find_ivrs();
	for (unsigned i = 0; i < nunits; i++) {
		if (!probe_unit(&units[i])) {
			units[i].base = 0;
			continue;
		}
		any_translating |= units[i].translating;
	}
	if (any_translating) {
		pci_scan(bus_master_off, &masters);
		printf("iommu: bus mastering turned off on %u PCI functions the crashed system "
		       "left on (drivers turn it on again for the devices they use)\n", masters);
	}
	for (unsigned i = 0; i < nunits; i++) {
		if (units[i].base == 0)
			continue;
		if (units[i].kind == UNIT_VTD)
			vtd_off(&units[i]);
		else
			amdvi_off(&units[i]);
	}
}

const char *iommu_dma_note(void)
{
	if (still_translating)
		return " (an IOMMU is still translating: DMA was likely blocked)";
	if (any_translating)
		return " (an IOMMU was translating: DMA may have been blocked)";
	if (nunits)
		return " (an IOMMU is present, not translating)";
	return "";
}
