/*
 * HMAC-SHA-256: H((K' ^ opad) || H((K' ^ ipad) || m)), K' the key padded
 * with zeros to 64 bytes (hashed first when longer); see hmac_sha256.h.
 */
#include <errno.h>
#include <string.h>

#include "crypto/hmac_sha256.h"

void crypto_wipe(void *p, size_t len)
{
	volatile uint8_t *v = p;

	while (len--)
		*v++ = 0;
}

void crypto_hmac_sha256_init(struct crypto_hmac_sha256 *ctx, const void *key, size_t key_len)
{
	uint8_t k[HMAC_SHA256_BLOCK];
	uint8_t ipad[HMAC_SHA256_BLOCK];

	memset(k, 0, sizeof(k));
	if (key_len > HMAC_SHA256_BLOCK)
		crypto_sha256(key, key_len, k);
	else if (key_len)
		memcpy(k, key, key_len);
	for (int i = 0; i < HMAC_SHA256_BLOCK; i++) {
		ipad[i] = k[i] ^ 0x36;
		ctx->opad[i] = k[i] ^ 0x5c;
	}
	crypto_sha256_init(&ctx->inner);
	crypto_sha256_update(&ctx->inner, ipad, sizeof(ipad));
	crypto_wipe(k, sizeof(k));
	crypto_wipe(ipad, sizeof(ipad));
}

void crypto_hmac_sha256_update(struct crypto_hmac_sha256 *ctx, const void *data, size_t len)
{
	crypto_sha256_update(&ctx->inner, data, len);
}

void crypto_hmac_sha256_final(struct crypto_hmac_sha256 *ctx, uint8_t out[SHA256_LEN])
{
	struct crypto_sha256 outer;
	uint8_t ih[SHA256_LEN];

	crypto_sha256_final(&ctx->inner, ih);
	crypto_sha256_init(&outer);
	crypto_sha256_update(&outer, ctx->opad, sizeof(ctx->opad));
	crypto_sha256_update(&outer, ih, sizeof(ih));
	crypto_sha256_final(&outer, out);
	crypto_wipe(ih, sizeof(ih));
	crypto_wipe(ctx, sizeof(*ctx));
}

void crypto_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
			uint8_t out[SHA256_LEN])
{
	struct crypto_hmac_sha256 ctx;

	crypto_hmac_sha256_init(&ctx, key, key_len);
	crypto_hmac_sha256_update(&ctx, msg, msg_len);
	crypto_hmac_sha256_final(&ctx, out);
}

/* RFC 4231 section 4: test cases 1 (short key), 2 ("Jefe") and 6 (a
 * 131-byte key, hashed first). */
int crypto_hmac_sha256_selftest(void)
{
	static const uint8_t t1[SHA256_LEN] = {
		0xb0, 0x34, 0x4c, 0x61, 0xd8, 0xdb, 0x38, 0x53, 0x5c, 0xa8, 0xaf, 0xce,
		0xaf, 0x0b, 0xf1, 0x2b, 0x88, 0x1d, 0xc2, 0x00, 0xc9, 0x83, 0x3d, 0xa7,
		0x26, 0xe9, 0x37, 0x6c, 0x2e, 0x32, 0xcf, 0xf7,
	};
	static const uint8_t t2[SHA256_LEN] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26,
		0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83,
		0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
	};
	static const uint8_t t6[SHA256_LEN] = {
		0x60, 0xe4, 0x31, 0x59, 0x1e, 0xe0, 0xb6, 0x7f, 0x0d, 0x8a, 0x26, 0xaa,
		0xcb, 0xf5, 0xb7, 0x7f, 0x8e, 0x0b, 0xc6, 0x21, 0x37, 0x28, 0xc5, 0x14,
		0x05, 0x46, 0x04, 0x0f, 0x0e, 0xe3, 0x7f, 0x54,
	};
	static const char m6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	uint8_t key[131];
	uint8_t d[SHA256_LEN];

	memset(key, 0x0b, 20);
	crypto_hmac_sha256(key, 20, "Hi There", 8, d);
	if (memcmp(d, t1, SHA256_LEN) != 0)
		return -EIO;
	crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	if (memcmp(d, t2, SHA256_LEN) != 0)
		return -EIO;
	memset(key, 0xaa, sizeof(key));
	crypto_hmac_sha256(key, sizeof(key), m6, sizeof(m6) - 1, d);
	if (memcmp(d, t6, SHA256_LEN) != 0)
		return -EIO;
	return 0;
}
