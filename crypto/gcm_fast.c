/*
 * AES-256-GCM for throughput (see gcm_fast.h).  Blocks are two 64-bit
 * halves read big-endian, hi = bytes 0..7: GCM's bit 0 (the first byte's
 * most significant bit) is bit 63 of hi, and multiplying by x is a shift
 * right with R = 0xe1 || 0^120 folded in (SP 800-38D, 6.3).
 */
#include <errno.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/aesni.h>

#include "crypto/gcm_fast.h"

_Static_assert(sizeof(mbedtls_aes_context) <= sizeof(((struct gcm_fast *)0)->aes),
	       "gcm_fast.aes too small for mbedtls_aes_context");

#define AES(g)	((mbedtls_aes_context *)(void *)(g)->aes)

/* Small copies inline even where the compiler is told not to assume a C
 * library (-ffreestanding: memcpy would be a call per 8 bytes). */
#define COPY(d, s, n)	__builtin_memcpy((d), (s), (n))

static inline uint64_t load_be64(const uint8_t *p)
{
	uint64_t v;

	COPY(&v, p, 8);
	return __builtin_bswap64(v);
}

static inline void store_be64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	COPY(p, &v, 8);
}

/* The tables: m[p][v] = H x (v at nibble p), from H x^k for every bit k. */
static void make_tables(struct gcm_fast *g, uint64_t hhi, uint64_t hlo)
{
	uint64_t x[128][2];

	for (int k = 0; k < 128; k++) {
		x[k][0] = hhi;
		x[k][1] = hlo;
		uint64_t lsb = hlo & 1;

		hlo = (hlo >> 1) | (hhi << 63);
		hhi = (hhi >> 1) ^ (lsb ? 0xe100000000000000ull : 0);
	}
	for (int p = 0; p < 32; p++)
		for (int v = 0; v < 16; v++) {
			uint64_t zh = 0, zl = 0;

			for (int j = 0; j < 4; j++)
				if (v >> (3 - j) & 1) {
					zh ^= x[4 * p + j][0];
					zl ^= x[4 * p + j][1];
				}
			g->m[p][v][0] = zh;
			g->m[p][v][1] = zl;
		}
	memset(x, 0, sizeof(x));
}

/* y = (y ^ block) x H: 32 lookups, unrolled, in general registers (an
 * emulator runs those fastest; vector registers gain nothing here). */
__attribute__((optimize("no-tree-vectorize", "no-tree-slp-vectorize")))
static inline void ghash_block(const struct gcm_fast *g, uint64_t y[2], uint64_t a, uint64_t b)
{
	uint64_t zh = 0, zl = 0;

	a ^= y[0];
	b ^= y[1];
#pragma GCC unroll 16
	for (int p = 0; p < 16; p++) {
		const uint64_t *e = g->m[p][(a >> (60 - 4 * p)) & 15];

		zh ^= e[0];
		zl ^= e[1];
	}
#pragma GCC unroll 16
	for (int p = 0; p < 16; p++) {
		const uint64_t *e = g->m[16 + p][(b >> (60 - 4 * p)) & 15];

		zh ^= e[0];
		zl ^= e[1];
	}
	y[0] = zh;
	y[1] = zl;
}

/* GHASH over data, the last block zero padded. */
static void ghash(const struct gcm_fast *g, uint64_t y[2], const uint8_t *p, size_t len)
{
	for (; len >= 16; p += 16, len -= 16)
		ghash_block(g, y, load_be64(p), load_be64(p + 8));
	if (len) {
		uint8_t last[16] = { 0 };

		memcpy(last, p, len);
		ghash_block(g, y, load_be64(last), load_be64(last + 8));
	}
}

int gcm_fast_setkey(struct gcm_fast *g, const uint8_t key[GCM_FAST_KEY_LEN])
{
	uint8_t h[16] = { 0 };

	memset(g, 0, sizeof(*g));
	mbedtls_aes_init(AES(g));
	if (mbedtls_aes_setkey_enc(AES(g), key, 8 * GCM_FAST_KEY_LEN) != 0) {
		mbedtls_aes_free(AES(g));
		return -EIO;
	}
	g->aesni = mbedtls_aesni_has_support(MBEDTLS_AESNI_AES) != 0;
	/* H = E(K, 0^128), by whichever path mbedTLS set the key up for */
	if (mbedtls_aes_crypt_ecb(AES(g), MBEDTLS_AES_ENCRYPT, h, h) != 0) {
		mbedtls_aes_free(AES(g));
		return -EIO;
	}
	make_tables(g, load_be64(h), load_be64(h + 8));
	memset(h, 0, sizeof(h));
	return 0;
}

bool gcm_fast_aesni(const struct gcm_fast *g)
{
	return g->aesni;
}

/*
 * Four counter blocks in ks[0..64) encrypted in place with AES-NI: the
 * round keys are mbedTLS's (aesni.c's key schedule, the standard byte
 * layout), nr rounds.  Legacy SSE encodings only (no VEX).
 */
static void aesni_ctr4(const mbedtls_aes_context *aes, uint8_t ks[64])
{
	const uint8_t *rk = (const uint8_t *)aes->rk;
	int rounds = aes->nr - 1;

	__asm__ volatile(
		"movdqu (%[rk]), %%xmm4\n\t"
		"movdqu 0(%[ks]), %%xmm0\n\t"
		"movdqu 16(%[ks]), %%xmm1\n\t"
		"movdqu 32(%[ks]), %%xmm2\n\t"
		"movdqu 48(%[ks]), %%xmm3\n\t"
		"pxor %%xmm4, %%xmm0\n\t"
		"pxor %%xmm4, %%xmm1\n\t"
		"pxor %%xmm4, %%xmm2\n\t"
		"pxor %%xmm4, %%xmm3\n\t"
		"add $16, %[rk]\n\t"
		"1:\n\t"
		"movdqu (%[rk]), %%xmm4\n\t"
		"aesenc %%xmm4, %%xmm0\n\t"
		"aesenc %%xmm4, %%xmm1\n\t"
		"aesenc %%xmm4, %%xmm2\n\t"
		"aesenc %%xmm4, %%xmm3\n\t"
		"add $16, %[rk]\n\t"
		"dec %[n]\n\t"
		"jnz 1b\n\t"
		"movdqu (%[rk]), %%xmm4\n\t"
		"aesenclast %%xmm4, %%xmm0\n\t"
		"aesenclast %%xmm4, %%xmm1\n\t"
		"aesenclast %%xmm4, %%xmm2\n\t"
		"aesenclast %%xmm4, %%xmm3\n\t"
		"movdqu %%xmm0, 0(%[ks])\n\t"
		"movdqu %%xmm1, 16(%[ks])\n\t"
		"movdqu %%xmm2, 32(%[ks])\n\t"
		"movdqu %%xmm3, 48(%[ks])\n\t"
		"pxor %%xmm0, %%xmm0\n\t"
		"pxor %%xmm1, %%xmm1\n\t"
		"pxor %%xmm2, %%xmm2\n\t"
		"pxor %%xmm3, %%xmm3\n\t"
		"pxor %%xmm4, %%xmm4\n\t"
		: [rk] "+r"(rk), [n] "+r"(rounds)
		: [ks] "r"(ks)
		: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "cc", "memory");
}

/* Counter blocks ctr, ctr+1, ... (the last 4 bytes, big-endian, wrap) for n
 * blocks (1..4) into ks, encrypted. */
static void keystream(const struct gcm_fast *g, const uint8_t iv[GCM_FAST_IV_LEN], uint32_t ctr,
		      uint8_t ks[64], unsigned n)
{
	for (unsigned i = 0; i < 4; i++) {
		uint32_t c = __builtin_bswap32(ctr + i);

		COPY(ks + 16 * i, iv, GCM_FAST_IV_LEN);
		COPY(ks + 16 * i + 12, &c, 4);
	}
	if (g->aesni) {
		aesni_ctr4(AES(g), ks);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		mbedtls_internal_aes_encrypt(AES(g), ks + 16 * i, ks + 16 * i);
}

/*
 * Counter mode from counter 2 over len bytes, GHASH over the ciphertext
 * (before the XOR when decrypting, after it when encrypting: in may be
 * out), the tag's S into s.
 */
static void crypt(const struct gcm_fast *g, bool encrypt, const uint8_t iv[GCM_FAST_IV_LEN],
		  const uint8_t *aad, size_t aad_len, const uint8_t *in, uint8_t *out, size_t len,
		  uint64_t s[2])
{
	uint8_t ks[64] __attribute__((aligned(16)));
	uint32_t ctr = 2;
	size_t done = 0;

	s[0] = s[1] = 0;
	ghash(g, s, aad, aad_len);
	while (done < len) {
		size_t n = len - done < 64 ? len - done : 64;

		keystream(g, iv, ctr, ks, (unsigned)((n + 15) / 16));
		ctr += 4;
		if (!encrypt)
			ghash(g, s, in + done, n);
		if (n == 64) {
			for (size_t i = 0; i < 64; i += 8) {
				uint64_t a, k;

				COPY(&a, in + done + i, 8);
				COPY(&k, ks + i, 8);
				a ^= k;
				COPY(out + done + i, &a, 8);
			}
		} else {
			for (size_t i = 0; i < n; i++)
				out[done + i] = in[done + i] ^ ks[i];
		}
		if (encrypt)
			ghash(g, s, out + done, n);
		done += n;
	}
	ghash_block(g, s, (uint64_t)aad_len * 8, (uint64_t)len * 8);
	memset(ks, 0, sizeof(ks));
}

/* T = E(K, IV || 1) ^ S */
static void tag_of(const struct gcm_fast *g, const uint8_t iv[GCM_FAST_IV_LEN], const uint64_t s[2],
		   uint8_t tag[GCM_FAST_TAG_LEN])
{
	uint8_t ks[64] __attribute__((aligned(16)));

	keystream(g, iv, 1, ks, 1);
	store_be64(tag, load_be64(ks) ^ s[0]);
	store_be64(tag + 8, load_be64(ks + 8) ^ s[1]);
	memset(ks, 0, sizeof(ks));
}

void gcm_fast_seal(struct gcm_fast *g, const uint8_t iv[GCM_FAST_IV_LEN], const void *aad,
		   size_t aad_len, const void *in, void *out, size_t len,
		   uint8_t tag[GCM_FAST_TAG_LEN])
{
	uint64_t s[2];

	crypt(g, true, iv, aad, aad_len, in, out, len, s);
	tag_of(g, iv, s, tag);
}

int gcm_fast_open(struct gcm_fast *g, const uint8_t iv[GCM_FAST_IV_LEN], const void *aad,
		  size_t aad_len, const void *in, void *out, size_t len,
		  const uint8_t tag[GCM_FAST_TAG_LEN])
{
	uint8_t want[GCM_FAST_TAG_LEN];
	uint64_t s[2];
	unsigned diff = 0;

	crypt(g, false, iv, aad, aad_len, in, out, len, s);
	tag_of(g, iv, s, want);
	for (int i = 0; i < GCM_FAST_TAG_LEN; i++)
		diff |= want[i] ^ tag[i];
	if (diff) {
		memset(out, 0, len);
		return -EBADMSG;
	}
	return 0;
}

void gcm_fast_free(struct gcm_fast *g)
{
	mbedtls_aes_free(AES(g));		/* zeroes the key schedule */
	memset(g, 0, sizeof(*g));
}
