/*
 * ACPI MADT ("APIC") reader: which processors the firmware lists, by local
 * APIC ID, for kernel/smp.c to choose a CPU to start.
 *
 * Interface: pure.  The caller maps the table (kernel/platform.c finds it
 * and checks its checksum) and passes its bytes as (buf, len); a table
 * whose declared length exceeds len is refused, never read past.
 * madt_cpu_next() walks the interrupt controller structures from *off
 * (start at 0) and returns the next processor entry.  Errors: -EINVAL
 * (NULL, or a buffer too short for the header or the declared length),
 * -EBADMSG (not "APIC", a length below the 44-byte header, or a structure
 * whose length is below 2 or runs past the table: the walk cannot go on),
 * -ENOENT (no more processor entries).
 *
 * Layout (ACPI 6.5 §5.2.12, Tables 5.19, 5.21, 5.22, 5.39):
 *
 *    0  ACPI table header (36 bytes, signature "APIC")
 *   36  u32 local interrupt controller address (xAPIC MMIO base)
 *   40  u32 flags (bit 0: PC-AT dual 8259s)
 *   44  structures, each { u8 type, u8 length, ... } up to the declared length
 *        type 0, Processor Local APIC, 8 bytes:
 *          u8 ACPI processor UID, u8 APIC ID, u32 flags
 *        type 9, Processor Local x2APIC, 16 bytes:
 *          u16 reserved, u32 x2APIC ID, u32 flags, u32 ACPI processor UID
 *   flags bit 0 Enabled, bit 1 Online Capable (ACPI 6.3+: may be enabled
 *   at run time; not running now)
 *
 * A type 0 or 9 structure shorter than its size is skipped (not returned);
 * other types are skipped by their length.  Environment: kernel, host tool
 * and tests alike; freestanding headers only.
 */
#ifndef FORMATS_MADT_H
#define FORMATS_MADT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MADT_HEADER_LEN		44u
#define MADT_TYPE_LAPIC		0u
#define MADT_TYPE_X2APIC	9u
#define MADT_LAPIC_LEN		8u
#define MADT_X2APIC_LEN		16u
#define MADT_CPU_ENABLED	(1u << 0)
#define MADT_CPU_ONLINE_CAPABLE	(1u << 1)

struct madt_cpu {
	uint32_t apic_id;		/* 8-bit for type 0, 32-bit for type 9 */
	uint32_t uid;			/* ACPI processor UID */
	uint32_t flags;
	uint8_t type;			/* MADT_TYPE_LAPIC or MADT_TYPE_X2APIC */
	bool enabled;			/* flags bit 0 */
};

/* The local interrupt controller address at offset 36.  Returns 0,
 * -EINVAL or -EBADMSG. */
int madt_lapic_address(const void *buf, size_t len, uint32_t *addr);

/*
 * The next processor entry at or after *off (0 = the first structure);
 * on 0, *off is past it, ready for the next call.  Returns 0, -ENOENT (no
 * more), -EINVAL or -EBADMSG (see above).  *out is cleared first.
 */
int madt_cpu_next(const void *buf, size_t len, size_t *off, struct madt_cpu *out);

#endif
