/*
 * SHA-256 through mbedTLS 2.28 (Debian's libmbedtls-dev); see sha256.h.
 * The *_ret functions are the ones 2.28 documents as current.
 *
 * Whole 64-byte blocks of an update go through the CPU's SHA extensions
 * (CPUID.(EAX=7,ECX=0):EBX[29], with SSSE3 and SSE4.1: SHA256RNDS2,
 * SHA256MSG1, SHA256MSG2), else through postmortem's own C rounds
 * (sha256_c_blocks: under QEMU's TCG about three times as fast as
 * mbedTLS's rounds as Debian builds them, on a real CPU a little faster),
 * else mbedTLS's.  The context stays mbedTLS's (the same total, buffer
 * and state fields its update keeps), so its finish pads and ends either
 * way.  Which rounds is asked once (CPUID, then the FIPS vectors and
 * 50000 bytes in odd pieces through each path beside one run of mbedTLS's
 * own rounds): the module's one global, the same answer on every CPU of a
 * machine.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <immintrin.h>
#include <mbedtls/sha256.h>

#include "crypto/sha256.h"

/* Whole 64-byte blocks into the state (a..h). */
typedef void sha256_blocks_fn(uint32_t state[8], const uint8_t *p, size_t n);

struct sha256_ctx {
	mbedtls_sha256_context m;
	sha256_blocks_fn *blocks;	/* NULL: mbedTLS's update and rounds */
};

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(struct crypto_sha256),
	       "crypto_sha256 too small for mbedtls_sha256_context");

/* FIPS 180-4 4.2.2: the round constants. */
static const uint32_t sha256_k[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

/*
 * n 64-byte blocks at p into state (a..h).  The extensions keep the state
 * as two vectors, ABEF and CDGH (lanes from the highest); each
 * SHA256RNDS2 does two rounds with two words of W + K from the low half
 * of its third operand, and SHA256MSG1/MSG2 extend the message schedule
 * four words at a time (W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) +
 * W[t-16]): MSG1 adds sigma0 to W[t-16..t-13], the W[t-7..t-4] are added
 * in between, MSG2 adds sigma1 of the two words before each.
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void sha256_ni_blocks(uint32_t state[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
	__m128i abef, cdgh, t, m[4], wk;

	/* a b c d | e f g h  ->  ABEF | CDGH */
	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1);	/* b a d c */
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B);	/* h g f e */
	abef = _mm_alignr_epi8(t, cdgh, 8);		/* f e b a: A B E F from the top */
	cdgh = _mm_blend_epi16(cdgh, t, 0xF0);		/* h g d c: C D G H from the top */
	for (; n; n--, p += 64) {
		__m128i abef0 = abef, cdgh0 = cdgh;

		for (int g = 0; g < 16; g++) {
			__m128i *w = &m[g & 3];

			if (g < 4) {
				*w = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
			} else {
				/* m[g&3] holds W[t-16..t-13]; the others t-12.., t-8.., t-4.. */
				t = _mm_alignr_epi8(m[(g - 1) & 3], m[(g - 2) & 3], 4);
				*w = _mm_sha256msg1_epu32(*w, m[(g - 3) & 3]);
				*w = _mm_add_epi32(*w, t);
				*w = _mm_sha256msg2_epu32(*w, m[(g - 1) & 3]);
			}
			wk = _mm_add_epi32(*w, _mm_load_si128((const __m128i *)&sha256_k[4 * g]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	/* back: ABEF | CDGH  ->  a b c d | e f g h */
	t = _mm_shuffle_epi32(abef, 0x1B);		/* a b e f from the bottom */
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);		/* g h c d from the bottom */
	_mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(t, cdgh, 0xF0));
	_mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(cdgh, t, 8));
}

/*
 * n 64-byte blocks at p into state, in plain C: postmortem's own rounds
 * for a CPU without the extensions.  Written for an emulated CPU (QEMU's
 * TCG, where every memory access is a lookup): the 64 rounds unrolled, so
 * each K[t] is an immediate; the eight working words in registers; W a
 * ring of 16 words, each round one store at most.  mbedTLS's rounds as
 * Debian builds them loop over K and W in memory and swap the bytes with
 * SSE2, several times the memory accesses.  FIPS 180-4 6.2.2.
 */
#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x)	(ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define BSIG1(x)	(ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define SSIG0(x)	(ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define SSIG1(x)	(ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
/* one round t with W[t] in w[t & 15]: the state rotates through the
 * names instead of the values through the variables */
#define RND(a, b, c, d, e, f, g, h, t) do { \
		uint32_t t1_ = h + BSIG1(e) + (((f ^ g) & e) ^ g) + sha256_k[t] + w[(t) & 15]; \
		d += t1_; \
		h = t1_ + BSIG0(a) + (((a | b) & c) | (a & b)); \
	} while (0)
#define SCHED(t) (w[(t) & 15] += SSIG1(w[((t) - 2) & 15]) + w[((t) - 7) & 15] + SSIG0(w[((t) - 15) & 15]))
#define RND8(t, step) do { \
		step(t); RND(a, b, c, d, e, f, g, h, t); \
		step((t) + 1); RND(h, a, b, c, d, e, f, g, (t) + 1); \
		step((t) + 2); RND(g, h, a, b, c, d, e, f, (t) + 2); \
		step((t) + 3); RND(f, g, h, a, b, c, d, e, (t) + 3); \
		step((t) + 4); RND(e, f, g, h, a, b, c, d, (t) + 4); \
		step((t) + 5); RND(d, e, f, g, h, a, b, c, (t) + 5); \
		step((t) + 6); RND(c, d, e, f, g, h, a, b, (t) + 6); \
		step((t) + 7); RND(b, c, d, e, f, g, h, a, (t) + 7); \
	} while (0)
#define LOAD(t) (w[t] = __builtin_bswap32(ld_be_raw(p + 4 * (t))))

static uint32_t ld_be_raw(const uint8_t *q)
{
	uint32_t v;

	__builtin_memcpy(&v, q, sizeof(v));
	return v;
}

static void sha256_c_blocks(uint32_t state[8], const uint8_t *p, size_t n)
{
	uint32_t w[16];

	for (; n; n--, p += 64) {
		uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
		uint32_t e = state[4], f = state[5], g = state[6], h = state[7];

		RND8(0, LOAD);
		RND8(8, LOAD);
		RND8(16, SCHED);
		RND8(24, SCHED);
		RND8(32, SCHED);
		RND8(40, SCHED);
		RND8(48, SCHED);
		RND8(56, SCHED);
		state[0] += a;
		state[1] += b;
		state[2] += c;
		state[3] += d;
		state[4] += e;
		state[5] += f;
		state[6] += g;
		state[7] += h;
	}
}

/* mbedTLS's update, with whole blocks through blocks(): the same
 * total, buffer and state (the byte count as mbedTLS keeps it: the low
 * word, and a carry into the high one, per piece of at most 1 GiB). */
static void sha256_blocks_update(mbedtls_sha256_context *c, const uint8_t *in, size_t len,
				 sha256_blocks_fn *blocks)
{
	while (len) {
		uint32_t n = len > (1u << 30) ? (1u << 30) : (uint32_t)len, left = c->total[0] & 63;

		len -= n;
		c->total[0] += n;
		if (c->total[0] < n)
			c->total[1]++;
		if (left && n >= 64 - left) {
			memcpy(c->buffer + left, in, 64 - left);
			blocks(c->state, c->buffer, 1);
			in += 64 - left;
			n -= 64 - left;
			left = 0;
		}
		if (n >= 64) {
			blocks(c->state, in, n / 64);
			in += n / 64 * 64;
			n %= 64;
		}
		if (n) {
			memcpy(c->buffer + left, in, n);
			in += n;
		}
	}
}

/* CPUID leaf (subleaf 0): r[0..3] = EAX, EBX, ECX, EDX. */
static void cpuid0(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static bool cpu_has_sha_ni(void)
{
	uint32_t r[4];

	cpuid0(0, r);
	if (r[0] < 7)
		return false;
	cpuid0(1, r);
	if (!(r[2] & (1u << 9)) || !(r[2] & (1u << 19)))	/* SSSE3, SSE4.1 */
		return false;
	cpuid0(7, r);
	return (r[1] >> 29) & 1;
}

/* What whole blocks go through, asked once, the same answer on every CPU
 * of a machine: 0 not asked yet, else ASKED with the rounds that gave
 * mbedTLS's digests, and PREFER_C once crypto_sha256_rank found ours the
 * faster. */
enum { ASKED = 1, C_RIGHT = 2, NI_RIGHT = 4, PREFER_C = 8 };
static int answer;

static void sha256_init_as(struct sha256_ctx *s, sha256_blocks_fn *blocks)
{
	mbedtls_sha256_init(&s->m);
	mbedtls_sha256_starts_ret(&s->m, 0);
	s->blocks = blocks;
}

/* p[0..n) into each of x[0..k) through its rounds, and into ref through
 * mbedTLS's. */
static void sha256_feed(struct sha256_ctx *x, unsigned k, struct sha256_ctx *ref, const void *p,
			size_t n)
{
	for (unsigned i = 0; i < k; i++)
		sha256_blocks_update(&x[i].m, p, n, x[i].blocks);
	mbedtls_sha256_update_ret(&ref->m, p, n);
}

/* Which of fns[0..k) (k <= 2) give the FIPS 180-2 digests (one block, two
 * blocks) and 50000 a's in odd pieces exactly as mbedTLS's rounds do, fed
 * side by side with one run of mbedTLS's: bit i for fns[i]. */
static unsigned sha256_blocks_agree(sha256_blocks_fn *const *fns, unsigned k)
{
	static const char msg2[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t a[SHA256_LEN], b[SHA256_LEN], buf[1024];
	struct sha256_ctx x[2], y;
	unsigned right = (1u << k) - 1;

	memset(buf, 'a', sizeof(buf));
	for (int v = 0; v < 3; v++) {
		for (unsigned i = 0; i < k; i++)
			sha256_init_as(&x[i], fns[i]);
		sha256_init_as(&y, NULL);
		if (v == 0) {
			sha256_feed(x, k, &y, "abc", 3);
		} else if (v == 1) {
			sha256_feed(x, k, &y, msg2, sizeof(msg2) - 1);
		} else {
			for (size_t at = 0, step = 1, n; at < 50000; at += n, step = step % 997 + 7) {
				n = step < 50000 - at ? step : 50000 - at;
				sha256_feed(x, k, &y, buf, n);
			}
		}
		mbedtls_sha256_finish_ret(&y.m, b);
		for (unsigned i = 0; i < k; i++) {
			mbedtls_sha256_finish_ret(&x[i].m, a);
			if (memcmp(a, b, SHA256_LEN) != 0)
				right &= ~(1u << i);
		}
	}
	return right;
}

static int sha256_answer(void)
{
	int a = __atomic_load_n(&answer, __ATOMIC_RELAXED);

	if (a == 0) {
		static sha256_blocks_fn *const fns[2] = { sha256_c_blocks, sha256_ni_blocks };
		unsigned right = sha256_blocks_agree(fns, cpu_has_sha_ni() ? 2 : 1);

		a = ASKED | (right & 1 ? C_RIGHT : 0) | (right & 2 ? NI_RIGHT : 0);
		__atomic_store_n(&answer, a, __ATOMIC_RELAXED);
	}
	return a;
}

/* The extensions where they are right (unless ours were found faster),
 * else our C rounds where they are right, else NULL: mbedTLS's. */
static sha256_blocks_fn *sha256_chosen(void)
{
	int a = sha256_answer();

	if ((a & NI_RIGHT) && !(a & PREFER_C))
		return sha256_ni_blocks;
	return a & C_RIGHT ? sha256_c_blocks : NULL;
}

/* The ticks of now() blocks() takes for 16 KiB, the least of three runs. */
static uint64_t sha256_time(sha256_blocks_fn *blocks, uint64_t (*now)(void))
{
	uint8_t buf[4096];
	uint32_t state[8] = { 0 };
	uint64_t best = UINT64_MAX;

	memset(buf, 0x5a, sizeof(buf));
	for (int run = 0; run < 3; run++) {
		uint64_t t0 = now(), t;

		for (int k = 0; k < 4; k++)
			blocks(state, buf, sizeof(buf) / 64);
		/* the state is used: no compiler may drop the work it timed */
		__asm__ volatile("" : : "r"(state) : "memory");
		t = now() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

unsigned crypto_sha256_rank(uint64_t (*now)(void))
{
	uint64_t ni, c;

	if (now == NULL || sha256_chosen() != sha256_ni_blocks || !(sha256_answer() & C_RIGHT))
		return 0;
	ni = sha256_time(sha256_ni_blocks, now);
	c = sha256_time(sha256_c_blocks, now);
	if (c == 0 || c >= ni)
		return 0;
	__atomic_store_n(&answer, sha256_answer() | PREFER_C, __ATOMIC_RELAXED);
	return ni * 10 / c > 0xffffffffu ? 0xffffffffu : (unsigned)(ni * 10 / c);
}

bool crypto_sha256_accelerated(void)
{
	return sha256_chosen() == sha256_ni_blocks;
}

const char *crypto_sha256_rounds(void)
{
	sha256_blocks_fn *f = sha256_chosen();

	return f == sha256_ni_blocks ? "the CPU's SHA extensions" :
	       f == sha256_c_blocks ? "postmortem's own C rounds" : "mbedTLS's rounds";
}

void crypto_sha256_init(struct crypto_sha256 *ctx)
{
	sha256_init_as((struct sha256_ctx *)ctx, sha256_chosen());
}

void crypto_sha256_init_generic(struct crypto_sha256 *ctx)
{
	sha256_init_as((struct sha256_ctx *)ctx, NULL);
}

void crypto_sha256_init_c(struct crypto_sha256 *ctx)
{
	sha256_init_as((struct sha256_ctx *)ctx, sha256_c_blocks);
}

void crypto_sha256_update(struct crypto_sha256 *ctx, const void *data, size_t len)
{
	struct sha256_ctx *s = (struct sha256_ctx *)ctx;

	if (s->blocks)
		sha256_blocks_update(&s->m, data, len, s->blocks);
	else
		mbedtls_sha256_update_ret(&s->m, data, len);
}

void crypto_sha256_final(struct crypto_sha256 *ctx, uint8_t out[SHA256_LEN])
{
	struct sha256_ctx *s = (struct sha256_ctx *)ctx;

	mbedtls_sha256_finish_ret(&s->m, out);
	mbedtls_sha256_free(&s->m);
}

void crypto_sha256(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	struct crypto_sha256 ctx;

	crypto_sha256_init(&ctx);
	crypto_sha256_update(&ctx, data, len);
	crypto_sha256_final(&ctx, out);
}

void crypto_sha256_hex(const uint8_t digest[SHA256_LEN], char out[2 * SHA256_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * SHA256_LEN] = '\0';
}

/* FIPS 180-2 appendix B.1 and B.2. */
int crypto_sha256_selftest(void)
{
	static const uint8_t abc[SHA256_LEN] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
		0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	static const uint8_t two_block[SHA256_LEN] = {
		0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93,
		0x0c, 0x3e, 0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67,
		0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1,
	};
	static const char msg2[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t d[SHA256_LEN];

	crypto_sha256("abc", 3, d);
	if (memcmp(d, abc, SHA256_LEN) != 0)
		return -EIO;
	crypto_sha256(msg2, sizeof(msg2) - 1, d);
	if (memcmp(d, two_block, SHA256_LEN) != 0)
		return -EIO;
	return 0;
}
