/*
 * Unit tests for crypto/aesgcm.c and crypto/hmac_sha256.c.  This binary
 * links AES-GCM the kernel's way (Makefile: Debian's gcm.c.o, aes.c.o and
 * aesni.c.o with crypto/gcm_block.c under them), so the known answers here
 * also prove the kernel's combination.
 */
#include <errno.h>

#include <mbedtls/cipher.h>

#include "crypto/aesgcm.h"
#include "crypto/hmac_sha256.h"
#include "tests/unit/test.h"

TEST(selftests)
{
	CHECK_EQ(crypto_aesgcm_selftest(), 0);
	CHECK_EQ(crypto_hmac_sha256_selftest(), 0);
}

/* mbedTLS's own cipher layer knows AES-CBC; crypto/gcm_block.c answers
 * ECB only: a NULL here proves the kernel's block layer is what runs. */
TEST(kernel_block_layer_linked)
{
	CHECK(mbedtls_cipher_info_from_values(MBEDTLS_CIPHER_ID_AES, 256, MBEDTLS_MODE_CBC) == NULL);
	CHECK(mbedtls_cipher_info_from_values(MBEDTLS_CIPHER_ID_AES, 256, MBEDTLS_MODE_ECB) != NULL);
	CHECK(mbedtls_cipher_info_from_values(MBEDTLS_CIPHER_ID_AES, 100, MBEDTLS_MODE_ECB) == NULL);
}

TEST(round_trip_in_place_and_tamper)
{
	uint8_t key[32], iv[12] = { 1, 2, 3 }, aad[41], buf[1000], orig[1000], tag[16];
	struct crypto_aesgcm g;

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 3);
	for (size_t i = 0; i < sizeof(buf); i++)
		orig[i] = buf[i] = (uint8_t)(i * 7 + 1);
	memset(aad, 0x5a, sizeof(aad));
	CHECK_EQ(crypto_aesgcm_setkey(&g, key), 0);
	CHECK_EQ(crypto_aesgcm_seal(&g, iv, aad, sizeof(aad), buf, buf, sizeof(buf), tag), 0);
	CHECK(memcmp(buf, orig, sizeof(buf)) != 0);
	CHECK_EQ(crypto_aesgcm_open(&g, iv, aad, sizeof(aad), buf, buf, sizeof(buf), tag), 0);
	CHECK(memcmp(buf, orig, sizeof(buf)) == 0);

	/* A flipped bit anywhere: ciphertext, tag, AAD, IV. */
	uint8_t ct[1000], out[1000];
	CHECK_EQ(crypto_aesgcm_seal(&g, iv, aad, sizeof(aad), orig, ct, sizeof(ct), tag), 0);
	ct[500] ^= 1;
	memset(out, 0x77, sizeof(out));
	CHECK_EQ(crypto_aesgcm_open(&g, iv, aad, sizeof(aad), ct, out, sizeof(ct), tag), -EBADMSG);
	uint8_t acc = 0;
	for (size_t i = 0; i < sizeof(out); i++)
		acc |= out[i];
	CHECK_EQ(acc, 0);	/* nothing unauthenticated handed out */
	ct[500] ^= 1;
	tag[15] ^= 0x80;
	CHECK_EQ(crypto_aesgcm_open(&g, iv, aad, sizeof(aad), ct, out, sizeof(ct), tag), -EBADMSG);
	tag[15] ^= 0x80;
	aad[40] ^= 1;
	CHECK_EQ(crypto_aesgcm_open(&g, iv, aad, sizeof(aad), ct, out, sizeof(ct), tag), -EBADMSG);
	aad[40] ^= 1;
	iv[11] ^= 1;
	CHECK_EQ(crypto_aesgcm_open(&g, iv, aad, sizeof(aad), ct, out, sizeof(ct), tag), -EBADMSG);
	iv[11] ^= 1;
	CHECK_EQ(crypto_aesgcm_open(&g, iv, aad, sizeof(aad), ct, out, sizeof(ct), tag), 0);
	CHECK(memcmp(out, orig, sizeof(out)) == 0);
	crypto_aesgcm_free(&g);
}

/* HMAC in pieces equals HMAC in one go, for every split. */
TEST(hmac_pieces)
{
	uint8_t msg[130], one[32], two[32];
	struct crypto_hmac_sha256 h;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	crypto_hmac_sha256("key", 3, msg, sizeof(msg), one);
	for (size_t cut = 0; cut <= sizeof(msg); cut += 13) {
		crypto_hmac_sha256_init(&h, "key", 3);
		crypto_hmac_sha256_update(&h, msg, cut);
		crypto_hmac_sha256_update(&h, msg + cut, sizeof(msg) - cut);
		crypto_hmac_sha256_final(&h, two);
		CHECK(memcmp(one, two, 32) == 0);
	}
	/* A 64-byte key is used as it is; 65 bytes are hashed first. */
	uint8_t k64[65];
	memset(k64, 0x42, sizeof(k64));
	crypto_hmac_sha256(k64, 64, "x", 1, one);
	crypto_hmac_sha256(k64, 65, "x", 1, two);
	CHECK(memcmp(one, two, 32) != 0);
}

TEST_MAIN(selftests, kernel_block_layer_linked, round_trip_in_place_and_tamper, hmac_pieces)
