/*
 * The five calls of mbedTLS's generic cipher layer that Debian's gcm.c.o
 * makes, for AES only, in the kernel.  The package's own cipher.c.o and
 * cipher_wrap.c.o carry every cipher mbedTLS has (DES, Camellia, ARIA,
 * Blowfish, ChaCha20, CCM, ...) in tables the linker cannot drop; GCM
 * needs one block cipher in ECB mode on 16-byte blocks:
 *
 *   mbedtls_gcm_setkey   info_from_values(AES, bits, ECB), setup, setkey
 *   gcm_gen_table, gcm_update, gcm_starts, gcm_finish
 *                        update(16 bytes) = one AES block, encrypting
 *   mbedtls_gcm_free     free
 *
 * Each call follows mbedTLS 2.28's documented contract (cipher.h) on its
 * own structures; anything else is refused with the cipher layer's error
 * codes, never run wrong.  The AES contexts come from a small static pool
 * (mbedtls_aes_context points into itself, so it is never copied), not
 * from the heap: GCM contexts in use at once are few (the dump's, a
 * self-test's).  The host program links the real library.
 *
 * AES-NI: Debian's aes.c.o takes the AES-NI path (aesni.c.o) only when
 * CPUID says the CPU has AES-NI, and gcm.c.o uses PCLMULQDQ only when
 * CPUID has it; both are legacy SSE code (no AVX), which boot/entry64.asm
 * enables (CR4.OSFXSR).  Nothing here decides it.
 */
#include <stdbool.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>

#define POOL	4

static mbedtls_aes_context pool[POOL];
static bool pool_used[POOL];

/* One info per key size: ECB, 16-byte blocks, no base (we dispatch here). */
static const mbedtls_cipher_info_t aes_ecb[3] = {
	{ MBEDTLS_CIPHER_AES_128_ECB, MBEDTLS_MODE_ECB, 128, "AES-128-ECB", 0, 0, 16, NULL },
	{ MBEDTLS_CIPHER_AES_192_ECB, MBEDTLS_MODE_ECB, 192, "AES-192-ECB", 0, 0, 16, NULL },
	{ MBEDTLS_CIPHER_AES_256_ECB, MBEDTLS_MODE_ECB, 256, "AES-256-ECB", 0, 0, 16, NULL },
};

static bool ours(const mbedtls_cipher_info_t *info)
{
	return info == &aes_ecb[0] || info == &aes_ecb[1] || info == &aes_ecb[2];
}

const mbedtls_cipher_info_t *mbedtls_cipher_info_from_values(const mbedtls_cipher_id_t cipher_id,
							     int key_bitlen,
							     const mbedtls_cipher_mode_t mode)
{
	if (cipher_id != MBEDTLS_CIPHER_ID_AES || mode != MBEDTLS_MODE_ECB)
		return NULL;
	switch (key_bitlen) {
	case 128: return &aes_ecb[0];
	case 192: return &aes_ecb[1];
	case 256: return &aes_ecb[2];
	}
	return NULL;
}

int mbedtls_cipher_setup(mbedtls_cipher_context_t *ctx, const mbedtls_cipher_info_t *info)
{
	if (ctx == NULL || info == NULL || !ours(info))
		return MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA;
	memset(ctx, 0, sizeof(*ctx));
	for (unsigned i = 0; i < POOL; i++)
		if (!pool_used[i]) {
			pool_used[i] = true;
			mbedtls_aes_init(&pool[i]);
			ctx->cipher_ctx = &pool[i];
			ctx->cipher_info = info;
			return 0;
		}
	return MBEDTLS_ERR_CIPHER_ALLOC_FAILED;
}

int mbedtls_cipher_setkey(mbedtls_cipher_context_t *ctx, const unsigned char *key, int key_bitlen,
			  const mbedtls_operation_t operation)
{
	if (ctx == NULL || ctx->cipher_info == NULL || ctx->cipher_ctx == NULL ||
	    key_bitlen != (int)ctx->cipher_info->key_bitlen || operation != MBEDTLS_ENCRYPT)
		return MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA;
	ctx->key_bitlen = key_bitlen;
	ctx->operation = operation;
	return mbedtls_aes_setkey_enc(ctx->cipher_ctx, key, (unsigned)key_bitlen);
}

/* ECB: whole 16-byte blocks only (GCM gives one at a time). */
int mbedtls_cipher_update(mbedtls_cipher_context_t *ctx, const unsigned char *input, size_t ilen,
			  unsigned char *output, size_t *olen)
{
	int ret;

	if (ctx == NULL || ctx->cipher_ctx == NULL || olen == NULL || ilen % 16 != 0)
		return MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA;
	*olen = 0;
	for (size_t i = 0; i < ilen; i += 16) {
		ret = mbedtls_aes_crypt_ecb(ctx->cipher_ctx, MBEDTLS_AES_ENCRYPT, input + i, output + i);
		if (ret != 0)
			return ret;
	}
	*olen = ilen;
	return 0;
}

void mbedtls_cipher_free(mbedtls_cipher_context_t *ctx)
{
	if (ctx == NULL)
		return;
	for (unsigned i = 0; i < POOL; i++)
		if (ctx->cipher_ctx == &pool[i]) {
			mbedtls_aes_free(&pool[i]);	/* zeroes the round keys */
			pool_used[i] = false;
		}
	memset(ctx, 0, sizeof(*ctx));
}
