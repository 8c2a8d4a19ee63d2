/*
 * Machine reset and power-off paths, each a single hardware poke.
 *
 * Interface: each function tries once and returns if the machine is still
 * running afterwards (after waiting long enough for the hardware to act);
 * the caller tries the next one.  Addresses come from the ACPI tables
 * (kernel/platform.c); memory-space registers must be identity-mapped.
 * Return 0 when the poke was made, -EINVAL/-ENOTSUP when it could not be.
 */
#ifndef DRIVERS_RESET_H
#define DRIVERS_RESET_H

#include <stdint.h>

/* Write `value` to an ACPI generic address (I/O or memory space), with the
 * register's bit width (8/16/32/64). */
int reset_gas_write(uint8_t space_id, uint8_t bit_width, uint64_t address, uint64_t value);

/* Read an ACPI generic address into *value; 0 or -EINVAL/-ENOTSUP. */
int reset_gas_read(uint8_t space_id, uint8_t bit_width, uint64_t address, uint64_t *value);

/* Reset control register 0xCF9: hard reset (PCH datasheets, "RST_CNT"). */
int reset_cf9(void);

/* 8042 keyboard controller pulse of the CPU reset line (command 0xFE). */
int reset_kbc(void);

/* Wait roughly `ms` milliseconds (port 0x80 writes, ~1 us each). */
void reset_delay_ms(unsigned ms);

#endif
