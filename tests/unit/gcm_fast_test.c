/*
 * Unit tests for crypto/gcm_fast.c: the GCM specification's test case 16,
 * then against mbedTLS's own GCM (linked here from Debian's libmbedcrypto)
 * for many keys, IVs, AAD and data lengths (every length around the 16- and
 * 64-byte steps, a 64 KiB chunk), in place and not, through both block
 * paths (AES-NI where this CPU has it, and mbedTLS's tables), and open:
 * the round trip, and a changed tag, ciphertext or AAD byte refused with
 * the output zeroed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/gcm.h>

#include "crypto/gcm_fast.h"
#include "tests/unit/test.h"

static struct gcm_fast g;	/* 8 KiB of tables: off the stack */
static uint8_t in[65536 + 64], out[65536 + 64], ref[65536 + 64], back[65536 + 64];

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint8_t rnd8(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)(rng >> 24);
}

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = rnd8();
}

/* The GCM specification (McGrew and Viega), appendix B, test case 16. */
TEST(test_spec_case16)
{
	static const uint8_t k[32] = {
		0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30,
		0x83, 0x08, 0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94,
		0x67, 0x30, 0x83, 0x08,
	};
	static const uint8_t iv[12] = {
		0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88,
	};
	static const uint8_t p[60] = {
		0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5, 0xaf, 0xf5,
		0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda, 0x2e, 0x4c, 0x30, 0x3d,
		0x8a, 0x31, 0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95, 0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf,
		0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25, 0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57,
		0xba, 0x63, 0x7b, 0x39,
	};
	static const uint8_t a[20] = {
		0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad,
		0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2,
	};
	static const uint8_t c[60] = {
		0x52, 0x2d, 0xc1, 0xf0, 0x99, 0x56, 0x7d, 0x07, 0xf4, 0x7f, 0x37, 0xa3, 0x2a, 0x84,
		0x42, 0x7d, 0x64, 0x3a, 0x8c, 0xdc, 0xbf, 0xe5, 0xc0, 0xc9, 0x75, 0x98, 0xa2, 0xbd,
		0x25, 0x55, 0xd1, 0xaa, 0x8c, 0xb0, 0x8e, 0x48, 0x59, 0x0d, 0xbb, 0x3d, 0xa7, 0xb0,
		0x8b, 0x10, 0x56, 0x82, 0x88, 0x38, 0xc5, 0xf6, 0x1e, 0x63, 0x93, 0xba, 0x7a, 0x0a,
		0xbc, 0xc9, 0xf6, 0x62,
	};
	static const uint8_t t[16] = {
		0x76, 0xfc, 0x6e, 0xce, 0x0f, 0x4e, 0x17, 0x68, 0xcd, 0xdf, 0x88, 0x53, 0xbb, 0x2d,
		0x55, 0x1b,
	};
	uint8_t tag[16];

	CHECK_EQ(gcm_fast_setkey(&g, k), 0);
	gcm_fast_seal(&g, iv, a, sizeof(a), p, out, sizeof(p), tag);
	CHECK(memcmp(out, c, sizeof(c)) == 0);
	CHECK(memcmp(tag, t, sizeof(t)) == 0);
	CHECK_EQ(gcm_fast_open(&g, iv, a, sizeof(a), c, back, sizeof(c), t), 0);
	CHECK(memcmp(back, p, sizeof(p)) == 0);
	gcm_fast_free(&g);
}

/* mbedTLS's table path gives what its AES-NI path gives from one key
 * schedule, so the tests below may run our software path on this CPU. */
TEST(test_schedule_shared)
{
	mbedtls_aes_context a;
	uint8_t k[32], b[16], x[16], y[16];

	fill(k, sizeof(k));
	fill(b, sizeof(b));
	mbedtls_aes_init(&a);
	CHECK_EQ(mbedtls_aes_setkey_enc(&a, k, 256), 0);
	CHECK_EQ(mbedtls_aes_crypt_ecb(&a, MBEDTLS_AES_ENCRYPT, b, x), 0);
	CHECK_EQ(mbedtls_internal_aes_encrypt(&a, b, y), 0);
	CHECK(memcmp(x, y, 16) == 0);
	mbedtls_aes_free(&a);
}

static void one(size_t aad_len, size_t len, bool soft, bool in_place)
{
	mbedtls_gcm_context m;
	uint8_t key[32], iv[12], aad[100], tag[16], rtag[16];

	fill(key, sizeof(key));
	fill(iv, sizeof(iv));
	fill(aad, aad_len);
	fill(in, len);
	mbedtls_gcm_init(&m);
	CHECK_EQ(mbedtls_gcm_setkey(&m, MBEDTLS_CIPHER_ID_AES, key, 256), 0);
	CHECK_EQ(mbedtls_gcm_crypt_and_tag(&m, MBEDTLS_GCM_ENCRYPT, len, iv, 12, aad, aad_len, in, ref,
					   16, rtag), 0);
	mbedtls_gcm_free(&m);

	CHECK_EQ(gcm_fast_setkey(&g, key), 0);
	if (soft)
		g.aesni = false;
	if (in_place) {
		memcpy(out, in, len);
		gcm_fast_seal(&g, iv, aad, aad_len, out, out, len, tag);
	} else {
		gcm_fast_seal(&g, iv, aad, aad_len, in, out, len, tag);
	}
	CHECK(memcmp(out, ref, len) == 0);
	CHECK(memcmp(tag, rtag, 16) == 0);
	if (in_place) {
		CHECK_EQ(gcm_fast_open(&g, iv, aad, aad_len, out, out, len, tag), 0);
		CHECK(memcmp(out, in, len) == 0);
	} else {
		CHECK_EQ(gcm_fast_open(&g, iv, aad, aad_len, ref, back, len, tag), 0);
		CHECK(memcmp(back, in, len) == 0);
	}
	gcm_fast_free(&g);
}

TEST(test_against_mbedtls)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 100, 127,
				       128, 129, 255, 256, 1000, 4095, 4096, 4097, 65536 };
	static const size_t aads[] = { 0, 1, 16, 17, 41, 64, 99 };

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (size_t j = 0; j < sizeof(aads) / sizeof(aads[0]); j++)
			for (int soft = 0; soft < 2; soft++)
				one(aads[j], lens[i], soft, (i + j) & 1);
	for (int n = 0; n < 300; n++)		/* and lengths at random */
		one(rnd8() % 100, (size_t)rnd8() * 7 + rnd8() % 7, n & 1, n & 2);
}

/* A counter that wraps the low 32 bits gives mbedTLS's answer too. */
TEST(test_counter_wrap)
{
	mbedtls_gcm_context m;
	uint8_t key[32], iv[12], tag[16], rtag[16];

	fill(key, sizeof(key));
	memset(iv, 0xff, sizeof(iv));
	fill(in, 4096);
	mbedtls_gcm_init(&m);
	CHECK_EQ(mbedtls_gcm_setkey(&m, MBEDTLS_CIPHER_ID_AES, key, 256), 0);
	CHECK_EQ(mbedtls_gcm_crypt_and_tag(&m, MBEDTLS_GCM_ENCRYPT, 4096, iv, 12, NULL, 0, in, ref, 16,
					   rtag), 0);
	mbedtls_gcm_free(&m);
	CHECK_EQ(gcm_fast_setkey(&g, key), 0);
	gcm_fast_seal(&g, iv, NULL, 0, in, out, 4096, tag);
	CHECK(memcmp(out, ref, 4096) == 0);
	CHECK(memcmp(tag, rtag, 16) == 0);
	gcm_fast_free(&g);
}

/* Any changed byte: -EBADMSG and nothing of the plaintext handed out. */
TEST(test_open_refuses)
{
	uint8_t key[32], iv[12], aad[41], tag[16], bad[16];
	size_t len = 1000;

	fill(key, sizeof(key));
	fill(iv, sizeof(iv));
	fill(aad, sizeof(aad));
	fill(in, len);
	CHECK_EQ(gcm_fast_setkey(&g, key), 0);
	gcm_fast_seal(&g, iv, aad, sizeof(aad), in, ref, len, tag);
	for (int what = 0; what < 3; what++) {
		for (size_t at = 0; at < (what == 0 ? 16 : what == 1 ? len : sizeof(aad)); at += 7) {
			memcpy(bad, tag, 16);
			if (what == 0)
				bad[at] ^= 0x01;
			else if (what == 1)
				ref[at] ^= 0x80;
			else
				aad[at] ^= 0x10;
			memset(back, 0xaa, len);
			CHECK_EQ(gcm_fast_open(&g, iv, aad, sizeof(aad), ref, back, len, bad), -EBADMSG);
			for (size_t i = 0; i < len; i++)
				if (back[i] != 0) {
					CHECK(back[i] == 0);
					break;
				}
			if (what == 1)
				ref[at] ^= 0x80;
			else if (what == 2)
				aad[at] ^= 0x10;
		}
	}
	CHECK_EQ(gcm_fast_open(&g, iv, aad, sizeof(aad), ref, back, len, tag), 0);
	CHECK(memcmp(back, in, len) == 0);
	gcm_fast_free(&g);
	for (size_t i = 0; i < sizeof(g); i++)		/* free wipes the key and tables */
		if (((uint8_t *)&g)[i] != 0) {
			CHECK(((uint8_t *)&g)[i] == 0);
			break;
		}
}

TEST_MAIN(test_spec_case16, test_schedule_shared, test_against_mbedtls, test_counter_wrap,
	  test_open_refuses)
