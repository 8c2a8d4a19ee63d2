/*
 * x86 port I/O.
 *
 * Interface: inb/inw/inl(port) read, outb/outw/outl(port, value) write
 * (port first, as the names read: "out to port"); io_delay() spends one
 * slow I/O cycle (~1 us) by writing port 0x80, the POST-code port, which
 * legacy devices such as the 8259, the PIT and some UARTs need between
 * accesses.  All are static inline, so including this header adds no symbol.
 *
 * Environment: kernel only (drivers/); port I/O at CPL 0 with no I/O
 * permission bitmap.  The "Nd" constraint lets ports below 256 be encoded
 * as immediates; larger ones go through DX.
 */
#ifndef DRIVERS_IO_H
#define DRIVERS_IO_H

#include <stdint.h>

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %w1, %k0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %k0, %w1" : : "a"(v), "Nd"(port));
}

static inline void io_delay(void)
{
	outb(0x80, 0);
}

#endif
