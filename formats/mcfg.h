/*
 * ACPI MCFG reader: where PCI Express configuration space (ECAM) lives.
 *
 * Interface: pure.  The caller maps the table (kernel/platform.c finds it
 * through the RSDT/XSDT and checks its checksum with acpi_sdt_check) and
 * passes its bytes as (buf, len); a table whose declared length exceeds len
 * is refused, never read past.  mcfg_entry() returns the index-th
 * allocation as it stands; mcfg_find() picks the one to use for a PCI
 * segment.  Results go to a caller-owned struct, cleared first.  Errors:
 * -EINVAL (NULL, or a buffer too short for the header or the declared
 * length), -EBADMSG (not "MCFG", or a length below the 44-byte header),
 * -ENOENT (index past the last whole entry; no usable entry for the
 * segment).
 *
 * Layout (PCI Firmware Specification 3.2 §4.1.2, Tables 4-2 and 4-3):
 *
 *    0  ACPI table header (36 bytes, signature "MCFG")
 *   36  reserved (8 bytes)
 *   44  allocation[0]  { u64 base, u16 segment, u8 start bus, u8 end bus, u32 reserved }
 *   60  allocation[1] ...  up to the declared length; a trailing partial
 *                          entry is ignored
 *
 * base_address is the ECAM address of bus 0 of the segment even when
 * start_bus is not 0 (bus b of function f sits at base + (b << 20) + ...).
 * Entries are copied to an aligned local before use (offset 44 does not
 * align a u64).  Environment: kernel, host tool and tests alike.
 */
#ifndef FORMATS_MCFG_H
#define FORMATS_MCFG_H

#include <stddef.h>
#include <stdint.h>

/* PCI Firmware 3.2 Table 4-3: one ECAM allocation, as on the wire. */
struct mcfg_table_alloc {
	uint64_t base_address;
	uint16_t pci_segment;
	uint8_t start_bus;
	uint8_t end_bus;
	uint32_t reserved;
};
_Static_assert(sizeof(struct mcfg_table_alloc) == 16, "mcfg allocation size");
_Static_assert(offsetof(struct mcfg_table_alloc, pci_segment) == 8, "segment");	/* 8 */
_Static_assert(offsetof(struct mcfg_table_alloc, start_bus) == 10, "start_bus");	/* 10 */
_Static_assert(offsetof(struct mcfg_table_alloc, end_bus) == 11, "end_bus");	/* 11 */
_Static_assert(offsetof(struct mcfg_table_alloc, reserved) == 12, "reserved");	/* 12 */

#define MCFG_HEADER_LEN		44u	/* ACPI header + 8 reserved bytes */
#define MCFG_ALLOC_LEN		16u
#define MCFG_BUS_SHIFT		20	/* 1 MiB of configuration space per bus */

struct mcfg_ecam {
	uint64_t base;			/* ECAM address of bus 0 */
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
};

/*
 * Store the index-th allocation in *out, unjudged.  Returns 0, -ENOENT past
 * the last whole entry, -EINVAL or -EBADMSG (see above).
 */
int mcfg_entry(const void *buf, size_t len, size_t index, struct mcfg_ecam *out);

/*
 * The allocation to use for `segment`: among its well-formed entries
 * (start_bus <= end_bus, base non-zero and 1 MiB aligned, and
 * base + (end_bus + 1) MiB not wrapping past 2^64), the one with the
 * lowest start bus (the first such on a tie).  Returns 0, -ENOENT (none),
 * -EINVAL or -EBADMSG.
 */
int mcfg_find(const void *buf, size_t len, uint16_t segment, struct mcfg_ecam *out);

#endif
