/* Host tests for crypto/: SHA-256 through mbedTLS (FIPS 180-2 vectors,
 * pieces vs one buffer), through the CPU's SHA extensions and through our
 * own C rounds against mbedTLS's rounds, the choice between the two, and
 * CRC-32 (check value, pieces). */
#include "tests/unit/test.h"
#include "crypto/crc32.h"
#include "crypto/sha256.h"

TEST(sha256_selftest)
{
	CHECK_EQ(crypto_sha256_selftest(), 0);
}

TEST(sha256_million_a)
{
	/* FIPS 180-2 B.3: one million 'a', fed in uneven pieces. */
	static char a[1000];
	struct crypto_sha256 ctx;
	uint8_t d[SHA256_LEN];
	char hex[65];

	memset(a, 'a', sizeof(a));
	crypto_sha256_init(&ctx);
	for (int i = 0; i < 1000; i++) {
		crypto_sha256_update(&ctx, a, 1 + (i % 7));
		crypto_sha256_update(&ctx, a, 1000 - 1 - (i % 7));
	}
	crypto_sha256_final(&ctx, d);
	crypto_sha256_hex(d, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(sha256_empty)
{
	uint8_t d[SHA256_LEN];
	char hex[65];

	crypto_sha256("", 0, d);
	crypto_sha256_hex(d, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* init's rounds give mbedTLS's digests: every length from 0 to 300 bytes
 * and some long ones, in one piece and in pieces that cross block edges
 * at every offset. */
static void same_as_mbedtls(void (*init)(struct crypto_sha256 *))
{
	static uint8_t buf[70000];
	struct crypto_sha256 x, y;
	uint8_t a[SHA256_LEN], b[SHA256_LEN];
	uint32_t r = 12345;

	for (size_t i = 0; i < sizeof(buf); i++) {
		r = r * 1103515245u + 12345u;
		buf[i] = (uint8_t)(r >> 16);
	}
	for (size_t len = 0; len < 70000; len = len < 300 ? len + 1 : len * 3 + 17) {
		for (size_t step = 1; step <= 129; step = step * 2 + 1) {
			init(&x);
			crypto_sha256_init_generic(&y);
			for (size_t at = 0; at < len; at += step) {
				size_t n = len - at < step ? len - at : step;

				crypto_sha256_update(&x, buf + at, n);
				crypto_sha256_update(&y, buf + at, n);
			}
			crypto_sha256_final(&x, a);
			crypto_sha256_final(&y, b);
			CHECK(memcmp(a, b, SHA256_LEN) == 0);
			if (len > 300)
				break;
		}
		if (init != crypto_sha256_init)
			continue;
		crypto_sha256(buf, len, a);
		crypto_sha256_init_generic(&y);
		crypto_sha256_update(&y, buf, len);
		crypto_sha256_final(&y, b);
		CHECK(memcmp(a, b, SHA256_LEN) == 0);
	}
}

/* The path crypto_sha256_init takes (the SHA extensions where the CPU has
 * them: this host's says which). */
TEST(sha256_extensions_match_rounds)
{
	fprintf(stderr, "crypto_test: the SHA extensions are %s here; SHA-256 through %s\n",
		crypto_sha256_accelerated() ? "used" : "not used (this CPU lacks them)",
		crypto_sha256_rounds());
	same_as_mbedtls(crypto_sha256_init);
}

/* postmortem's own C rounds (a CPU without the extensions) */
TEST(sha256_c_rounds_match_mbedtls)
{
	uint8_t d[SHA256_LEN];
	struct crypto_sha256 x;
	char hex[65];

	crypto_sha256_init_c(&x);
	crypto_sha256_update(&x, "abc", 3);
	crypto_sha256_final(&x, d);
	crypto_sha256_hex(d, hex);		/* FIPS 180-2 B.1 */
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	same_as_mbedtls(crypto_sha256_init_c);
}

/* A clock that makes the first three timings (the extensions') take
 * ni_ticks each and the next three (the C rounds') c_ticks. */
static uint64_t fake_ticks, ni_ticks, c_ticks;
static unsigned fake_calls;

static uint64_t fake_now(void)
{
	fake_calls++;
	if (fake_calls % 2 == 0)
		fake_ticks += fake_calls <= 6 ? ni_ticks : c_ticks;
	return fake_ticks;
}

/* crypto_sha256_rank keeps the extensions unless the C rounds are faster
 * by the clock it is given; then every new hash goes through the C rounds
 * (last: it changes the module's answer for the rest of the process). */
TEST(sha256_rank_keeps_the_faster)
{
	uint8_t a[SHA256_LEN];

	if (!crypto_sha256_accelerated()) {
		CHECK_EQ(crypto_sha256_rank(fake_now), 0);	/* nothing to choose between */
		return;
	}
	fake_calls = 0, ni_ticks = 100, c_ticks = 300;
	CHECK_EQ(crypto_sha256_rank(fake_now), 0);
	CHECK_EQ(fake_calls, 12);
	CHECK(crypto_sha256_accelerated());
	fake_calls = 0, ni_ticks = 100, c_ticks = 100;		/* a tie keeps the extensions */
	CHECK_EQ(crypto_sha256_rank(fake_now), 0);
	CHECK(crypto_sha256_accelerated());
	CHECK_EQ(crypto_sha256_rank(NULL), 0);
	fake_calls = 0, ni_ticks = 240, c_ticks = 100;
	CHECK_EQ(crypto_sha256_rank(fake_now), 24);		/* 2.4 times */
	CHECK(!crypto_sha256_accelerated());
	CHECK_STR(crypto_sha256_rounds(), "postmortem's own C rounds");
	CHECK_EQ(crypto_sha256_selftest(), 0);
	crypto_sha256("abc", 3, a);
	CHECK_EQ(a[0], 0xba);
	CHECK_EQ(crypto_sha256_rank(fake_now), 0);		/* chosen once */
}

TEST(crc32_check_value)
{
	CHECK_EQ(crc32("123456789", 9), 0xCBF43926u);
	CHECK_EQ(crc32("", 0), 0);
	CHECK_EQ(crc32_update(crc32("1234", 4), "56789", 5), 0xCBF43926u);
}

TEST_MAIN(sha256_selftest, sha256_million_a, sha256_empty, sha256_extensions_match_rounds,
	  sha256_c_rounds_match_mbedtls, crc32_check_value, sha256_rank_keeps_the_faster)
