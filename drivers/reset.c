/*
 * Reset and power-off pokes (see reset.h).  Polled, bounded: nothing here
 * waits for a device without a limit.
 */
#include <errno.h>
#include <stdint.h>

#include "drivers/cpu_services.h"
#include "drivers/io.h"
#include "drivers/reset.h"

#define GAS_SYSTEM_MEMORY 0
#define GAS_SYSTEM_IO 1

void reset_delay_ms(unsigned ms)
{
	for (unsigned i = 0; i < ms * 1000; i++)
		io_delay();
}

int reset_gas_write(uint8_t space_id, uint8_t bit_width, uint64_t address, uint64_t value)
{
	if (address == 0)
		return -EINVAL;
	if (space_id == GAS_SYSTEM_IO) {
		if (address > 0xFFFF)
			return -EINVAL;
		switch (bit_width) {
		case 0:
		case 8: outb((uint16_t)address, (uint8_t)value); return 0;
		case 16: outw((uint16_t)address, (uint16_t)value); return 0;
		case 32: outl((uint16_t)address, (uint32_t)value); return 0;
		default: return -EINVAL;
		}
	}
	if (space_id == GAS_SYSTEM_MEMORY) {
		if (cpu_map_phys(address, 8) != 0)
			return -EINVAL;
		switch (bit_width) {
		case 0:
		case 8: *(volatile uint8_t *)(uintptr_t)address = (uint8_t)value; return 0;
		case 16: *(volatile uint16_t *)(uintptr_t)address = (uint16_t)value; return 0;
		case 32: *(volatile uint32_t *)(uintptr_t)address = (uint32_t)value; return 0;
		case 64: *(volatile uint64_t *)(uintptr_t)address = value; return 0;
		default: return -EINVAL;
		}
	}
	return -ENOTSUP;
}

int reset_gas_read(uint8_t space_id, uint8_t bit_width, uint64_t address, uint64_t *value)
{
	if (address == 0)
		return -EINVAL;
	if (space_id == GAS_SYSTEM_IO) {
		if (address > 0xFFFF)
			return -EINVAL;
		switch (bit_width) {
		case 0:
		case 8: *value = inb((uint16_t)address); return 0;
		case 16: *value = inw((uint16_t)address); return 0;
		case 32: *value = inl((uint16_t)address); return 0;
		default: return -EINVAL;
		}
	}
	if (space_id == GAS_SYSTEM_MEMORY) {
		if (cpu_map_phys(address, 8) != 0)
			return -EINVAL;
		switch (bit_width) {
		case 0:
		case 8: *value = *(volatile uint8_t *)(uintptr_t)address; return 0;
		case 16: *value = *(volatile uint16_t *)(uintptr_t)address; return 0;
		case 32: *value = *(volatile uint32_t *)(uintptr_t)address; return 0;
		case 64: *value = *(volatile uint64_t *)(uintptr_t)address; return 0;
		default: return -EINVAL;
		}
	}
	return -ENOTSUP;
}

int reset_cf9(void)
{
	/* Select hard reset (bit 1) first, then set RST_CPU (bit 2): the
	 * reset happens on the 0->1 edge of bit 2. */
	outb(0xCF9, 0x02);
	io_delay();
	outb(0xCF9, 0x06);
	return 0;
}

int reset_kbc(void)
{
	/* Wait (bounded) for the input buffer to empty, then pulse reset. */
	for (unsigned i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		io_delay();
	outb(0x64, 0xFE);
	return 0;
}
