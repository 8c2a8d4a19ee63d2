/* Host tests for crypto/: SHA-256 through mbedTLS (FIPS 180-2 vectors,
 * pieces vs one buffer) and CRC-32 (check value, pieces). */
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

TEST(crc32_check_value)
{
	CHECK_EQ(crc32("123456789", 9), 0xCBF43926u);
	CHECK_EQ(crc32("", 0), 0);
	CHECK_EQ(crc32_update(crc32("1234", 4), "56789", 5), 0xCBF43926u);
}

TEST_MAIN(sha256_selftest, sha256_million_a, sha256_empty, crc32_check_value)
