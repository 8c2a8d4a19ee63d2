/*
 * PCI configuration space access and bus enumeration (see pci.h).
 *
 * Two access methods:
 *
 *  - Configuration mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2): write
 *    0x80000000 | bus << 16 | dev << 11 | fn << 8 | (off & 0xfc) to
 *    CONFIG_ADDRESS (port 0xcf8), then access CONFIG_DATA (0xcfc + off % 4)
 *    with the width wanted.  Reaches offsets 0-255 only.
 *
 *  - ECAM (PCI Express Base 4.0 §7.2.2; PCI Firmware 3.2 §4.1.2 MCFG):
 *    each function's 4 KiB of configuration space is memory at
 *    base + (bus << 20 | dev << 15 | fn << 12 | off), accessed with one
 *    load or store of the register's width.  Used for the buses the MCFG
 *    allocation covers, once pci_set_ecam() has accepted it.
 *
 * Environment: one CPU and interrupts off, so the address/data pair of
 * mechanism #1 needs no lock.  Nothing here waits on a device.
 */
#include <errno.h>
#include <stdio.h>

#include "drivers/cpu_services.h"
#include "drivers/io.h"
#include "drivers/pci.h"

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc
#define PCI_CONFIG_ENABLE	(1u << 31)

/* Type 0/1 configuration header, PCI Local Bus 3.0 §6.1; PCI-to-PCI
 * Bridge 1.2 §3.2 for type 1. */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_PROG_IF		0x09
#define PCI_SUBCLASS		0x0a
#define PCI_CLASS_CODE		0x0b
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SECONDARY_BUS	0x19	/* type 1 */
#define PCI_CAP_PTR		0x34	/* types 0 and 1 */
#define PCI_CARDBUS_CAP_PTR	0x14	/* type 2 */

#define PCI_COMMAND_IO		(1u << 0)
#define PCI_COMMAND_MEMORY	(1u << 1)
#define PCI_COMMAND_MASTER	(1u << 2)
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS_CAP_LIST	(1u << 4)

#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_HEADER_LAYOUT_MASK	0x7f
#define PCI_HEADER_NORMAL	0
#define PCI_HEADER_BRIDGE	1
#define PCI_HEADER_CARDBUS	2

#define PCI_CLASS_BRIDGE	0x06
#define PCI_SUBCLASS_PCI_BRIDGE	0x04

#define PCI_BAR_IO		(1u << 0)
#define PCI_BAR_MEM_TYPE_MASK	(3u << 1)
#define PCI_BAR_MEM_TYPE_64	(2u << 1)
#define PCI_BAR_MEM_PREFETCH	(1u << 3)

/* MSI (PCI 3.0 §6.8.1.3) and MSI-X (§6.8.2.3) Message Control, at cap + 2. */
#define PCI_MSI_FLAGS		2
#define PCI_MSI_FLAGS_ENABLE	(1u << 0)
#define PCI_MSIX_FLAGS_ENABLE	(1u << 15)

#define PCI_CAP_FIRST		0x40	/* capabilities live in 0x40-0xff */

#define PCI_DEVS		32
#define PCI_FNS			8
#define PCI_BUSES		256
#define ECAM_BUS_SIZE		(1ull << 20)

static struct {
	bool on;
	uint64_t base;			/* address of bus 0 */
	uint8_t bus_start, bus_end;
} ecam;

/* The ECAM address of (a, off), or NULL when a's bus is not covered. */
static volatile void *ecam_ptr(struct pci_addr a, uint16_t off)
{
	if (!ecam.on || a.bus < ecam.bus_start || a.bus > ecam.bus_end || off >= 4096)
		return NULL;
	return (volatile void *)(uintptr_t)(ecam.base + ((uint64_t)a.bus << 20 |
				(uint32_t)(a.dev & 31) << 15 | (uint32_t)(a.fn & 7) << 12 | off));
}

/* Select (a, off) for mechanism #1; false when off is out of its reach. */
static bool port_select(struct pci_addr a, uint16_t off)
{
	if (off >= 256)
		return false;
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | (uint32_t)a.bus << 16 |
	     (uint32_t)(a.dev & 31) << 11 | (uint32_t)(a.fn & 7) << 8 | (off & 0xfc));
	return true;
}

uint32_t pci_read32(struct pci_addr a, uint16_t off)
{
	volatile void *p;

	off &= ~3u;
	p = ecam_ptr(a, off);
	if (p != NULL)
		return *(volatile uint32_t *)p;
	return port_select(a, off) ? inl(PCI_CONFIG_DATA) : 0xffffffffu;
}

uint16_t pci_read16(struct pci_addr a, uint16_t off)
{
	volatile void *p;

	off &= ~1u;
	p = ecam_ptr(a, off);
	if (p != NULL)
		return *(volatile uint16_t *)p;
	return port_select(a, off) ? inw((uint16_t)(PCI_CONFIG_DATA + (off & 2))) : 0xffff;
}

uint8_t pci_read8(struct pci_addr a, uint16_t off)
{
	volatile void *p = ecam_ptr(a, off);

	if (p != NULL)
		return *(volatile uint8_t *)p;
	return port_select(a, off) ? inb((uint16_t)(PCI_CONFIG_DATA + (off & 3))) : 0xff;
}

void pci_write32(struct pci_addr a, uint16_t off, uint32_t v)
{
	volatile void *p;

	off &= ~3u;
	p = ecam_ptr(a, off);
	if (p != NULL)
		*(volatile uint32_t *)p = v;
	else if (port_select(a, off))
		outl(PCI_CONFIG_DATA, v);
}

void pci_write16(struct pci_addr a, uint16_t off, uint16_t v)
{
	volatile void *p;

	off &= ~1u;
	p = ecam_ptr(a, off);
	if (p != NULL)
		*(volatile uint16_t *)p = v;
	else if (port_select(a, off))
		outw((uint16_t)(PCI_CONFIG_DATA + (off & 2)), v);
}

void pci_set_ecam(uint64_t base, uint8_t bus_start, uint8_t bus_end)
{
	uint64_t first = base + (uint64_t)bus_start * ECAM_BUS_SIZE;
	uint64_t len = (uint64_t)(bus_end - bus_start + 1) * ECAM_BUS_SIZE;
	struct pci_addr host = { 0, 0, 0 };
	uint32_t by_port, by_ecam;
	int err;

	if (base == 0 || (base & (ECAM_BUS_SIZE - 1)) || bus_start > bus_end ||
	    first < base || first + len < first) {
		printf("pci: MCFG ECAM window 0x%llx buses %02x-%02x is malformed; using port I/O\n",
		       (unsigned long long)base, bus_start, bus_end);
		return;
	}
	err = cpu_map_phys(first, len);
	if (err) {
		printf("pci: cannot map ECAM window 0x%llx+0x%llx (%d); using port I/O\n",
		       (unsigned long long)first, (unsigned long long)len, err);
		return;
	}
	/* A wrong MCFG (or one of another machine, in a kexec handoff) would
	 * make every function vanish: where both methods reach 00:00.0, they
	 * must agree on its IDs before we switch. */
	by_port = pci_read32(host, PCI_VENDOR_ID);
	ecam.base = base;
	ecam.bus_start = bus_start;
	ecam.bus_end = bus_end;
	ecam.on = true;
	by_ecam = pci_read32(host, PCI_VENDOR_ID);
	if (bus_start == 0 && by_port != by_ecam) {
		ecam.on = false;
		printf("pci: ECAM at 0x%llx reads 00:00.0 as %08x, port I/O as %08x; using port I/O\n",
		       (unsigned long long)base, by_ecam, by_port);
		return;
	}
	printf("pci: ECAM at 0x%llx for buses %02x-%02x (ACPI MCFG)\n",
	       (unsigned long long)base, bus_start, bus_end);
}

static void read_func(struct pci_addr a, struct pci_func *f)
{
	f->addr = a;
	f->vendor = pci_read16(a, PCI_VENDOR_ID);
	f->device = pci_read16(a, PCI_DEVICE_ID);
	f->revision = pci_read8(a, PCI_REVISION_ID);
	f->prog_if = pci_read8(a, PCI_PROG_IF);
	f->subclass = pci_read8(a, PCI_SUBCLASS);
	f->class_code = pci_read8(a, PCI_CLASS_CODE);
	f->header_type = pci_read8(a, PCI_HEADER_TYPE);
}

/*
 * Breadth-first over buses: bus 0, then each bridge's secondary bus as it
 * is found.  The queue holds each bus number at most once (seen[]), so a
 * firmware loop between bridges or two bridges claiming one bus costs one
 * visit, and the walk is bounded by 256 buses x 32 devices x 8 functions.
 */
int pci_scan(int (*cb)(const struct pci_func *f, void *ctx), void *ctx)
{
	uint8_t queue[PCI_BUSES], seen[PCI_BUSES / 8] = { 0 };
	unsigned head = 0, tail = 0;

	queue[tail++] = 0;
	seen[0] = 1;
	while (head < tail) {
		uint8_t bus = queue[head++];

		for (uint8_t dev = 0; dev < PCI_DEVS; dev++) {
			for (uint8_t fn = 0; fn < PCI_FNS; fn++) {
				struct pci_addr a = { bus, dev, fn };
				struct pci_func f;
				int r;

				if (pci_read16(a, PCI_VENDOR_ID) == 0xffff) {
					if (fn == 0)
						break;	/* no device: its other functions do not count */
					continue;
				}
				read_func(a, &f);
				r = cb(&f, ctx);
				if (r)
					return r;
				if (f.class_code == PCI_CLASS_BRIDGE &&
				    f.subclass == PCI_SUBCLASS_PCI_BRIDGE &&
				    (f.header_type & PCI_HEADER_LAYOUT_MASK) == PCI_HEADER_BRIDGE) {
					uint8_t sec = pci_read8(a, PCI_SECONDARY_BUS);

					/* 0: the bridge was never numbered. */
					if (sec != 0 && !(seen[sec / 8] & (1u << (sec % 8)))) {
						seen[sec / 8] |= (uint8_t)(1u << (sec % 8));
						queue[tail++] = sec;
					}
				}
				if (fn == 0 && !(f.header_type & PCI_HEADER_MULTIFUNCTION))
					break;
			}
		}
	}
	return 0;
}

/* BARs this header layout has: 6 for endpoints, 2 for bridges, 0 else. */
static unsigned bar_count(struct pci_addr a)
{
	switch (pci_read8(a, PCI_HEADER_TYPE) & PCI_HEADER_LAYOUT_MASK) {
	case PCI_HEADER_NORMAL: return 6;
	case PCI_HEADER_BRIDGE: return 2;
	}
	return 0;
}

static bool bar_is_mem64(uint32_t v)
{
	return !(v & PCI_BAR_IO) && (v & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64;
}

/* PCI Local Bus 3.0 §6.2.5.1: the low bits of a BAR say what it is; the
 * rest is the address the firmware (or the crashed kernel) assigned.  We
 * never write all ones to size it: the device may be mid-DMA for the dump. */
int pci_bar(struct pci_addr a, unsigned n, struct pci_bar *out)
{
	unsigned count = bar_count(a), i = 0;
	uint32_t v;

	if (n >= count)
		return -EINVAL;
	/* Walk from BAR 0 so the upper half of a 64-bit BAR is not taken for one. */
	while (i < n)
		i += bar_is_mem64(pci_read32(a, (uint16_t)(PCI_BAR0 + 4 * i))) ? 2 : 1;
	if (i != n)
		return -EINVAL;
	v = pci_read32(a, (uint16_t)(PCI_BAR0 + 4 * n));
	out->io = v & PCI_BAR_IO;
	out->is64 = bar_is_mem64(v);
	out->prefetch = !out->io && (v & PCI_BAR_MEM_PREFETCH);
	if (out->io) {
		out->base = v & ~3u;
	} else {
		out->base = v & ~0xfu;
		if (out->is64) {
			if (n + 1 >= count)
				return -EINVAL;
			out->base |= (uint64_t)pci_read32(a, (uint16_t)(PCI_BAR0 + 4 * (n + 1))) << 32;
		}
	}
	return out->base ? 0 : -ENOENT;
}

void pci_enable(struct pci_addr a, bool mem, bool io, bool master)
{
	uint16_t cmd = pci_read16(a, PCI_COMMAND);

	cmd |= PCI_COMMAND_INTX_DISABLE;
	if (mem)
		cmd |= PCI_COMMAND_MEMORY;
	if (io)
		cmd |= PCI_COMMAND_IO;
	if (master)
		cmd |= PCI_COMMAND_MASTER;
	pci_write16(a, PCI_COMMAND, cmd);
}

/*
 * PCI Local Bus 3.0 §6.7: a list of (id, next) byte pairs starting at the
 * Capabilities Pointer, present when Status bit 4 is set.  Pointers below
 * 0x40 end the list (0 is the terminator; anything else is corrupt), the
 * low two bits are reserved, and a cycle is cut by the PCI_CAP_MAX bound.
 */
uint16_t pci_cap_find(struct pci_addr a, uint8_t cap_id, uint16_t start)
{
	uint8_t ptr;

	if (start == 0) {
		if (!(pci_read16(a, PCI_STATUS) & PCI_STATUS_CAP_LIST))
			return 0;
		ptr = pci_read8(a, (pci_read8(a, PCI_HEADER_TYPE) & PCI_HEADER_LAYOUT_MASK) ==
				PCI_HEADER_CARDBUS ? PCI_CARDBUS_CAP_PTR : PCI_CAP_PTR);
	} else {
		if (start < PCI_CAP_FIRST || start > 0xfc)
			return 0;
		ptr = pci_read8(a, (uint16_t)(start + 1));
	}
	for (unsigned n = 0; n < PCI_CAP_MAX && ptr >= PCI_CAP_FIRST; n++) {
		uint8_t id;

		ptr &= 0xfc;
		id = pci_read8(a, ptr);
		if (id == 0xff)
			return 0;	/* the function went away */
		if (id == cap_id)
			return ptr;
		ptr = pci_read8(a, (uint16_t)(ptr + 1));
	}
	return 0;
}

void pci_msi_disable(struct pci_addr a)
{
	uint16_t cap = pci_cap_find(a, PCI_CAP_ID_MSI, 0);
	uint16_t ctl;

	if (cap) {
		ctl = pci_read16(a, (uint16_t)(cap + PCI_MSI_FLAGS));
		if (ctl & PCI_MSI_FLAGS_ENABLE)
			pci_write16(a, (uint16_t)(cap + PCI_MSI_FLAGS),
				    (uint16_t)(ctl & ~PCI_MSI_FLAGS_ENABLE));
	}
	cap = pci_cap_find(a, PCI_CAP_ID_MSIX, 0);
	if (cap) {
		ctl = pci_read16(a, (uint16_t)(cap + PCI_MSI_FLAGS));
		if (ctl & PCI_MSIX_FLAGS_ENABLE)
			pci_write16(a, (uint16_t)(cap + PCI_MSI_FLAGS),
				    (uint16_t)(ctl & ~PCI_MSIX_FLAGS_ENABLE));
	}
}
