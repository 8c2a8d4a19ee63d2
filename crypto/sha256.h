/*
 * SHA-256 (FIPS 180-4), computed by mbedTLS from Debian's package: in the
 * kernel, sha256.c.o from libmbedcrypto.a linked as it is; on the host,
 * -lmbedcrypto.  This wrapper keeps mbedTLS's headers out of our modules.
 *
 * Interface: crypto_sha256() for one buffer; init/update/final for data in
 * pieces (a ctx is plain memory, no cleanup needed).  crypto_sha256_selftest()
 * checks the FIPS 180-2 example vectors ("abc" and the 448-bit message) and
 * returns 0 or -EIO.  Pure: no I/O; one global, the cached answer to
 * whether the CPU's SHA extensions are used (crypto_sha256_accelerated:
 * CPUID leaf 7 EBX bit 29, with SSSE3 and SSE4.1, checked against the
 * FIPS vectors), the same on every CPU; the digests are the same either
 * way.
 */
#ifndef CRYPTO_SHA256_H
#define CRYPTO_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct crypto_sha256 {
	uint64_t opaque[16];	/* an mbedtls_sha256_context (sha256.c asserts it fits) */
};

void crypto_sha256_init(struct crypto_sha256 *ctx);
/* mbedTLS's C rounds even where the SHA extensions are used (tests). */
void crypto_sha256_init_generic(struct crypto_sha256 *ctx);
/* postmortem's own C rounds even where the SHA extensions are used (tests). */
void crypto_sha256_init_c(struct crypto_sha256 *ctx);
/* Whether whole blocks go through the CPU's SHA extensions (asked once:
 * CPUID, then the FIPS vectors against mbedTLS's rounds). */
bool crypto_sha256_accelerated(void);
/* What whole blocks go through, for a console line: the CPU's SHA
 * extensions, else postmortem's own C rounds, else mbedTLS's (each checked
 * once against mbedTLS's rounds before it is used). */
const char *crypto_sha256_rounds(void);
/* Where both the extensions and our C rounds give the right digests, time
 * each over 16 KiB with now() (any rising count) and keep the faster: an
 * emulator may run the extensions slower than plain instructions (QEMU
 * 10's TCG: 48 MiB/s against 115).  Call it before a second CPU hashes.
 * Returns ten times how many times faster the C rounds were when they
 * were chosen, else 0. */
unsigned crypto_sha256_rank(uint64_t (*now)(void));
void crypto_sha256_update(struct crypto_sha256 *ctx, const void *data, size_t len);
void crypto_sha256_final(struct crypto_sha256 *ctx, uint8_t out[SHA256_LEN]);
void crypto_sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
int crypto_sha256_selftest(void);

/* Lower-case hex of a digest into out (65 bytes with the NUL). */
void crypto_sha256_hex(const uint8_t digest[SHA256_LEN], char out[2 * SHA256_LEN + 1]);

#endif
