/*
 * The kernel's mbedtls_gcm_*: the five calls crypto/aesgcm.c makes (init,
 * setkey, crypt_and_tag, auth_decrypt, free), answered by crypto/gcm_fast.c
 * instead of Debian's gcm.c.o, which the kernel does not link.  gcm.c.o
 * computes each 16-byte block through two calls and 32 table steps, or
 * four PCLMULQDQ that an emulator runs bit by bit; sealing a dump is the
 * crash kernel's hot loop (docs/encryption.md has the figures).  The host
 * program links the real library; tests/unit/gcm_fast_test.c checks
 * gcm_fast against it, and crypto_aesgcm_selftest() (the GCM
 * specification's test cases, run before a dump is encrypted) goes
 * through these very functions.
 *
 * Only what crypto/aesgcm.c asks is answered: AES-256, 12-byte IVs,
 * 16-byte tags, crypt_and_tag encrypting; anything else is
 * MBEDTLS_ERR_GCM_BAD_INPUT, never a wrong result.  The key schedule and
 * tables (8.5 KiB) live in a pool of two (a self-test's, a dump's), not in
 * mbedtls_gcm_context; the context holds which one.
 */
#include <stdbool.h>
#include <string.h>

#include <mbedtls/gcm.h>

#include "crypto/gcm_fast.h"

#define POOL		2
#define MAGIC		0x6b67636d66617374ull	/* "kgcmfast": HL[1] of a keyed context */

static struct gcm_fast pool[POOL];
static bool used[POOL];

static struct gcm_fast *slot(mbedtls_gcm_context *ctx)
{
	if (ctx == NULL || ctx->HL[1] != MAGIC || ctx->HL[0] >= POOL || !used[ctx->HL[0]])
		return NULL;
	return &pool[ctx->HL[0]];
}

void mbedtls_gcm_init(mbedtls_gcm_context *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
}

void mbedtls_gcm_free(mbedtls_gcm_context *ctx)
{
	struct gcm_fast *g = slot(ctx);

	if (g != NULL) {
		gcm_fast_free(g);
		used[ctx->HL[0]] = false;
	}
	if (ctx != NULL)
		memset(ctx, 0, sizeof(*ctx));
}

int mbedtls_gcm_setkey(mbedtls_gcm_context *ctx, mbedtls_cipher_id_t cipher,
		       const unsigned char *key, unsigned int keybits)
{
	if (ctx == NULL || key == NULL || cipher != MBEDTLS_CIPHER_ID_AES ||
	    keybits != 8 * GCM_FAST_KEY_LEN)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	mbedtls_gcm_free(ctx);
	for (uint64_t i = 0; i < POOL; i++)
		if (!used[i]) {
			if (gcm_fast_setkey(&pool[i], key) != 0)
				return MBEDTLS_ERR_GCM_BAD_INPUT;
			used[i] = true;
			ctx->HL[0] = i;
			ctx->HL[1] = MAGIC;
			return 0;
		}
	return MBEDTLS_ERR_GCM_BAD_INPUT;	/* crypto/aesgcm.c frees what it keys */
}

int mbedtls_gcm_crypt_and_tag(mbedtls_gcm_context *ctx, int mode, size_t length,
			      const unsigned char *iv, size_t iv_len, const unsigned char *add,
			      size_t add_len, const unsigned char *input, unsigned char *output,
			      size_t tag_len, unsigned char *tag)
{
	struct gcm_fast *g = slot(ctx);

	if (g == NULL || mode != MBEDTLS_GCM_ENCRYPT || iv == NULL || iv_len != GCM_FAST_IV_LEN ||
	    tag == NULL || tag_len != GCM_FAST_TAG_LEN || (add == NULL && add_len) ||
	    (length && (input == NULL || output == NULL)))
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	gcm_fast_seal(g, iv, add, add_len, input, output, length, tag);
	return 0;
}

int mbedtls_gcm_auth_decrypt(mbedtls_gcm_context *ctx, size_t length, const unsigned char *iv,
			     size_t iv_len, const unsigned char *add, size_t add_len,
			     const unsigned char *tag, size_t tag_len, const unsigned char *input,
			     unsigned char *output)
{
	struct gcm_fast *g = slot(ctx);

	if (g == NULL || iv == NULL || iv_len != GCM_FAST_IV_LEN || tag == NULL ||
	    tag_len != GCM_FAST_TAG_LEN || (add == NULL && add_len) ||
	    (length && (input == NULL || output == NULL)))
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	return gcm_fast_open(g, iv, add, add_len, input, output, length, tag) == 0 ? 0 :
	       MBEDTLS_ERR_GCM_AUTH_FAILED;
}
