/*
 * CRC-32 as used by UEFI (table headers, GPT) and zlib/Ethernet: reflected
 * polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF.
 *
 * Interface: crc32(buf, len) for one buffer; crc32_update(crc, buf, len)
 * continues a running value (start with 0, as crc32() does).  Pure.
 */
#ifndef CRYPTO_CRC32_H
#define CRYPTO_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);
uint32_t crc32(const void *buf, size_t len);

#endif
