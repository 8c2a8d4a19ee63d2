/*
 * AES-256-GCM (NIST SP 800-38D) with 12-byte IVs and 16-byte tags,
 * computed by mbedTLS's GCM from Debian's libmbedtls-dev on the host
 * (-lmbedcrypto); in the kernel the same mbedtls_gcm_* calls are answered
 * by kernel/mbedtls_gcm.c over crypto/gcm_fast.c (mbedTLS's AES, a faster
 * GCM: docs/encryption.md).  This wrapper keeps mbedTLS's headers out of
 * our modules.
 *
 * Interface: crypto_aesgcm_setkey() once per key, then any number of
 * crypto_aesgcm_seal() / crypto_aesgcm_open(), then crypto_aesgcm_free()
 * (it wipes the key schedule).  in and out may be the same buffer (in place)
 * but must not overlap otherwise.  open checks the tag in constant time and
 * returns -EBADMSG when it does not match, with out[0..len) zeroed: nothing
 * unauthenticated is ever handed out.  crypto_aesgcm_selftest() checks the
 * GCM specification's test cases 13, 14 and 16 and returns 0 or -EIO.
 *
 * Pure: no I/O, no globals.  setkey allocates mbedTLS's AES context (a few
 * hundred bytes, calloc); free releases it.
 */
#ifndef CRYPTO_AESGCM_H
#define CRYPTO_AESGCM_H

#include <stddef.h>
#include <stdint.h>

#define AESGCM_KEY_LEN	32
#define AESGCM_IV_LEN	12
#define AESGCM_TAG_LEN	16

struct crypto_aesgcm {
	uint64_t opaque[56];	/* an mbedtls_gcm_context (aesgcm.c asserts it fits) */
};

/* 0, or -ENOMEM / -EIO when mbedTLS refuses (ctx is then freed). */
int crypto_aesgcm_setkey(struct crypto_aesgcm *ctx, const uint8_t key[AESGCM_KEY_LEN]);
/* Encrypt len bytes and compute the tag over aad and the ciphertext: 0 or -EIO. */
int crypto_aesgcm_seal(struct crypto_aesgcm *ctx, const uint8_t iv[AESGCM_IV_LEN],
		       const void *aad, size_t aad_len, const void *in, void *out, size_t len,
		       uint8_t tag[AESGCM_TAG_LEN]);
/* Check the tag and decrypt: 0, -EBADMSG (not authentic; out zeroed) or -EIO. */
int crypto_aesgcm_open(struct crypto_aesgcm *ctx, const uint8_t iv[AESGCM_IV_LEN],
		       const void *aad, size_t aad_len, const void *in, void *out, size_t len,
		       const uint8_t tag[AESGCM_TAG_LEN]);
void crypto_aesgcm_free(struct crypto_aesgcm *ctx);
int crypto_aesgcm_selftest(void);

#endif
