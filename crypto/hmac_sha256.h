/*
 * HMAC-SHA-256 (RFC 2104, FIPS 198-1) over crypto/sha256: used to derive a
 * dump's key from the master key and the dump's salt (payload/encdump.h).
 *
 * Interface: crypto_hmac_sha256() for one message; init/update/final for a
 * message in pieces.  A key longer than the 64-byte block is hashed first,
 * as the standard says.  The context holds the key's pads: final wipes it.
 * crypto_hmac_sha256_selftest() checks RFC 4231 test cases 1, 2 and 6 and
 * returns 0 or -EIO.  Pure: no I/O, no globals, no allocation.
 */
#ifndef CRYPTO_HMAC_SHA256_H
#define CRYPTO_HMAC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"

#define HMAC_SHA256_BLOCK 64

struct crypto_hmac_sha256 {
	struct crypto_sha256 inner;
	uint8_t opad[HMAC_SHA256_BLOCK];	/* key XOR 0x5c, kept for final */
};

void crypto_hmac_sha256_init(struct crypto_hmac_sha256 *ctx, const void *key, size_t key_len);
void crypto_hmac_sha256_update(struct crypto_hmac_sha256 *ctx, const void *data, size_t len);
void crypto_hmac_sha256_final(struct crypto_hmac_sha256 *ctx, uint8_t out[SHA256_LEN]);
void crypto_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
			uint8_t out[SHA256_LEN]);
int crypto_hmac_sha256_selftest(void);

/* Set len bytes to zero in a way the compiler does not drop (for keys). */
void crypto_wipe(void *p, size_t len);

#endif
