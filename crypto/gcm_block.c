/*
 * The block cipher under mbedTLS's GCM, for the kernel.
 *
 * mbedTLS 2.28's gcm.c reaches AES through the generic cipher layer
 * (cipher.c), whose table (cipher_wrap.c) names every cipher and mode the
 * library has: linking gcm.c.o from Debian's libmbedcrypto.a pulls in 24
 * objects, about 180 KB, down to bignum and stdio.  gcm.c calls only five
 * functions of that layer; this file defines them for AES in ECB mode (all
 * GCM asks of its cipher), over aes.c.o.  tests/unit/aesgcm_test.c links
 * gcm.c.o, aes.c.o and aesni.c.o with these; the kernel no longer links
 * gcm.c.o (kernel/mbedtls_gcm.c answers its calls over crypto/gcm_fast.c),
 * and the host program links the whole libmbedcrypto and never pulls this
 * file in (nothing of ours calls these names, and an archive member is only
 * taken for a name still undefined).
 *
 * Contract (mbedtls/cipher.h): info_from_values answers only AES-128/192/256
 * ECB; setup allocates an mbedtls_aes_context (calloc); setkey takes the
 * encrypt direction only (GCM never decrypts blocks); update encrypts
 * exactly one 16-byte block (in place allowed); free wipes and releases.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>

/* Prototypes are in mbedtls/cipher.h; these are their definitions. */

static const mbedtls_cipher_info_t gcm_block_aes[3] = {
	{ MBEDTLS_CIPHER_AES_128_ECB, MBEDTLS_MODE_ECB, 128, "AES-128-ECB", 0, 0, 16, NULL },
	{ MBEDTLS_CIPHER_AES_192_ECB, MBEDTLS_MODE_ECB, 192, "AES-192-ECB", 0, 0, 16, NULL },
	{ MBEDTLS_CIPHER_AES_256_ECB, MBEDTLS_MODE_ECB, 256, "AES-256-ECB", 0, 0, 16, NULL },
};

const mbedtls_cipher_info_t *mbedtls_cipher_info_from_values(const mbedtls_cipher_id_t cipher_id,
							     int key_bitlen,
							     const mbedtls_cipher_mode_t mode)
{
	if (cipher_id != MBEDTLS_CIPHER_ID_AES || mode != MBEDTLS_MODE_ECB)
		return NULL;
	for (int i = 0; i < 3; i++)
		if ((int)gcm_block_aes[i].key_bitlen == key_bitlen)
			return &gcm_block_aes[i];
	return NULL;
}

int mbedtls_cipher_setup(mbedtls_cipher_context_t *ctx, const mbedtls_cipher_info_t *cipher_info)
{
	mbedtls_aes_context *aes;

	if (ctx == NULL || cipher_info == NULL || cipher_info->mode != MBEDTLS_MODE_ECB)
		return MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA;
	memset(ctx, 0, sizeof(*ctx));
	aes = calloc(1, sizeof(*aes));
	if (aes == NULL)
		return MBEDTLS_ERR_CIPHER_ALLOC_FAILED;
	mbedtls_aes_init(aes);
	ctx->cipher_info = cipher_info;
	ctx->cipher_ctx = aes;
	return 0;
}

int mbedtls_cipher_setkey(mbedtls_cipher_context_t *ctx, const unsigned char *key, int key_bitlen,
			  const mbedtls_operation_t operation)
{
	if (ctx == NULL || ctx->cipher_info == NULL || ctx->cipher_ctx == NULL ||
	    operation != MBEDTLS_ENCRYPT || key_bitlen != (int)ctx->cipher_info->key_bitlen)
		return MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA;
	ctx->key_bitlen = key_bitlen;
	ctx->operation = operation;
	return mbedtls_aes_setkey_enc(ctx->cipher_ctx, key, (unsigned)key_bitlen);
}

int mbedtls_cipher_update(mbedtls_cipher_context_t *ctx, const unsigned char *input, size_t ilen,
			  unsigned char *output, size_t *olen)
{
	if (ctx == NULL || ctx->cipher_ctx == NULL || olen == NULL || ilen != 16)
		return MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA;
	*olen = 16;
	return mbedtls_aes_crypt_ecb(ctx->cipher_ctx, MBEDTLS_AES_ENCRYPT, input, output);
}

void mbedtls_cipher_free(mbedtls_cipher_context_t *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->cipher_ctx != NULL) {
		mbedtls_aes_free(ctx->cipher_ctx);	/* wipes the key schedule */
		free(ctx->cipher_ctx);
	}
	memset(ctx, 0, sizeof(*ctx));
}
