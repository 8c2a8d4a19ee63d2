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
 * list (bounded, loop-safe).
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

#endif
