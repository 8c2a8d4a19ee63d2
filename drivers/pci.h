/*
 * PCI configuration space: port I/O (mechanism #1, 0xCF8/0xCFC) always,
 * ECAM when the ACPI MCFG table gives one (pci_set_ecam()).
 *
 * Interface: pci_read32/16/8 and pci_write32/16 by (bus, dev, fn, offset);
 * pci_scan(cb, ctx) calls cb for every function present on every bus
 * reachable from bus 0 (through bridges), stopping early when cb returns
 * non-zero; pci_bar() decodes BAR n (memory 32/64-bit or I/O) and never
 * sizes it by writing; pci_enable() sets memory/IO space and bus mastering
 * and disables legacy INTx (we poll).  pci_cap_find() walks the capability
 * list (bounded, loop-safe).  pci_msi_disable() turns MSI and MSI-X off.
 *
 * Details a caller may rely on:
 *  - Reads of a function that does not exist, or of an offset the access
 *    method cannot reach (>= 256 without ECAM), return all ones; such
 *    writes are dropped.  Offsets are aligned down to the access width.
 *  - pci_set_ecam() takes the MCFG allocation for segment 0 (base is the
 *    address of bus 0, as in MCFG); it maps the window with cpu_map_phys(),
 *    checks that it answers like port I/O for 00:00.0, and prints one
 *    "pci:" line saying whether ECAM is used.  Buses outside
 *    [bus_start, bus_end] keep using port I/O.
 *  - pci_scan() goes breadth-first from bus 0 through PCI-to-PCI bridges
 *    (class 06/04, header type 1), visiting each bus at most once; struct
 *    pci_func.header_type is the raw register (bit 7: multi-function).  It
 *    returns 0 after the whole walk, or the first non-zero value cb returned.
 *  - pci_bar() returns 0 and fills *out, -EINVAL when n is not a BAR of this
 *    header type (0-5 for type 0, 0-1 for bridges) or is the upper half of
 *    a 64-bit BAR, -ENOENT when the BAR holds no address (0: unassigned or
 *    unimplemented; we never size, so we cannot tell which).
 *  - pci_cap_find() with start 0 returns the first capability with cap_id,
 *    with start = a previous result the next one after it; 0 when none.  It
 *    follows at most PCI_CAP_MAX pointers, each into 0x40-0xff.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct pci_addr {
	uint8_t bus, dev, fn;
};

struct pci_func {
	struct pci_addr addr;
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type;
};

struct pci_bar {
	uint64_t base;
	bool io;		/* I/O space (base is a port) */
	bool is64;
	bool prefetch;
};

void pci_set_ecam(uint64_t base, uint8_t bus_start, uint8_t bus_end);
uint32_t pci_read32(struct pci_addr a, uint16_t off);
uint16_t pci_read16(struct pci_addr a, uint16_t off);
uint8_t pci_read8(struct pci_addr a, uint16_t off);
void pci_write32(struct pci_addr a, uint16_t off, uint32_t v);
void pci_write16(struct pci_addr a, uint16_t off, uint16_t v);
int pci_scan(int (*cb)(const struct pci_func *f, void *ctx), void *ctx);
int pci_bar(struct pci_addr a, unsigned n, struct pci_bar *out);
void pci_enable(struct pci_addr a, bool mem, bool io, bool master);
uint16_t pci_cap_find(struct pci_addr a, uint8_t cap_id, uint16_t start);

#define PCI_CAP_MAX	48	/* capabilities followed at most (loop guard) */
#define PCI_CAP_ID_MSI	0x05
#define PCI_CAP_ID_VNDR	0x09
#define PCI_CAP_ID_MSIX	0x11

/* Clear the enable bit of the MSI and MSI-X capabilities, if present, so
 * the function can only raise INTx (which pci_enable() disables).  A crashed
 * kernel may have left them on; legacy virtio moves its registers when
 * MSI-X is on. */
void pci_msi_disable(struct pci_addr a);

#endif
