/*
 * SHA-256 through mbedTLS 2.28 (Debian's libmbedtls-dev); see sha256.h.
 * The *_ret functions are the ones 2.28 documents as current.
 */
#include <errno.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "crypto/sha256.h"

_Static_assert(sizeof(mbedtls_sha256_context) <= sizeof(struct crypto_sha256),
	       "crypto_sha256 too small for mbedtls_sha256_context");

void crypto_sha256_init(struct crypto_sha256 *ctx)
{
	mbedtls_sha256_context *c = (mbedtls_sha256_context *)ctx;

	mbedtls_sha256_init(c);
	mbedtls_sha256_starts_ret(c, 0);
}

void crypto_sha256_update(struct crypto_sha256 *ctx, const void *data, size_t len)
{
	mbedtls_sha256_update_ret((mbedtls_sha256_context *)ctx, data, len);
}

void crypto_sha256_final(struct crypto_sha256 *ctx, uint8_t out[SHA256_LEN])
{
	mbedtls_sha256_finish_ret((mbedtls_sha256_context *)ctx, out);
	mbedtls_sha256_free((mbedtls_sha256_context *)ctx);
}

void crypto_sha256(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	struct crypto_sha256 ctx;

	crypto_sha256_init(&ctx);
	crypto_sha256_update(&ctx, data, len);
	crypto_sha256_final(&ctx, out);
}

void crypto_sha256_hex(const uint8_t digest[SHA256_LEN], char out[2 * SHA256_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * SHA256_LEN] = '\0';
}

/* FIPS 180-2 appendix B.1 and B.2. */
int crypto_sha256_selftest(void)
{
	static const uint8_t abc[SHA256_LEN] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
		0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	static const uint8_t two_block[SHA256_LEN] = {
		0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93,
		0x0c, 0x3e, 0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67,
		0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1,
	};
	static const char msg2[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t d[SHA256_LEN];

	crypto_sha256("abc", 3, d);
	if (memcmp(d, abc, SHA256_LEN) != 0)
		return -EIO;
	crypto_sha256(msg2, sizeof(msg2) - 1, d);
	if (memcmp(d, two_block, SHA256_LEN) != 0)
		return -EIO;
	return 0;
}
