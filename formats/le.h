/*
 * le: little-endian integers in byte buffers.  le_get16/32/64() read and
 * le_put16/32/64() write a field at any alignment (through memcpy, never a
 * cast pointer), so the same call reads a firmware table, a disk sector or
 * a hostile file.  __builtin_memcpy: the kernel is built -ffreestanding,
 * where a plain memcpy of 2 to 8 bytes is a call to newlib's, a byte at a
 * time; the builtin is one load or store everywhere.  On a big-endian host the bytes are swapped; x86-64,
 * where every flavour of postmortem runs, needs no swap.
 *
 * Header only, freestanding (<stdint.h>, <string.h>); any layer may use it.
 */
#ifndef FORMATS_LE_H
#define FORMATS_LE_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE_SWAP16(v)	__builtin_bswap16(v)
#define LE_SWAP32(v)	__builtin_bswap32(v)
#define LE_SWAP64(v)	__builtin_bswap64(v)
#else
#define LE_SWAP16(v)	(v)
#define LE_SWAP32(v)	(v)
#define LE_SWAP64(v)	(v)
#endif

static inline uint16_t le_get16(const void *p)
{
	uint16_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return LE_SWAP16(v);
}

static inline uint32_t le_get32(const void *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return LE_SWAP32(v);
}

static inline uint64_t le_get64(const void *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return LE_SWAP64(v);
}

static inline void le_put16(void *p, uint16_t v)
{
	v = LE_SWAP16(v);
	__builtin_memcpy(p, &v, sizeof(v));
}

static inline void le_put32(void *p, uint32_t v)
{
	v = LE_SWAP32(v);
	__builtin_memcpy(p, &v, sizeof(v));
}

static inline void le_put64(void *p, uint64_t v)
{
	v = LE_SWAP64(v);
	__builtin_memcpy(p, &v, sizeof(v));
}

#endif
