/*
 * formats/lzopage: postmortem's LZO1X encoder.  Every stream it makes is
 * read back by liblzo2's lzo1x_decompress_safe(), the call makedumpfile
 * and crash make for an LZO page: inputs of every shape (nothing repeats,
 * one byte, short and long periods, literal runs of 1 to 300 bytes between
 * matches of 3 to 600, lengths 0 to 16384); a page compresses to the same
 * bytes whatever came before it, across the dictionary's renumbering; a
 * stream that would not fit gives 0 and writes nothing past the room; an
 * input too long is refused; and on kernel-like pages the stream is no
 * bigger than liblzo2's LZO1X-1 (makedumpfile's) makes of them.
 */
#include <lzo/lzo1x.h>
#include <stdlib.h>

#include "formats/lzopage.h"
#include "tests/unit/test.h"

static struct lzopage z, z2;
static uint8_t in[LZOPAGE_MAX_INPUT + 16];
static uint8_t out[LZOPAGE_BOUND(LZOPAGE_MAX_INPUT) + 64];
static uint8_t out2[LZOPAGE_BOUND(LZOPAGE_MAX_INPUT) + 64];
static uint8_t back[LZOPAGE_MAX_INPUT + 64];
static uint32_t seed = 1;

static uint32_t rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

/* 0: out[0..len) decodes to exactly in[0..n). */
static int decodes(const uint8_t *c, size_t len, const uint8_t *orig, size_t n)
{
	lzo_uint got = sizeof(back);

	if (lzo1x_decompress_safe(c, len, back, &got, NULL) != LZO_E_OK || got != n)
		return -1;
	return memcmp(back, orig, n) ? -1 : 0;
}

static void round_trip(const uint8_t *p, size_t n)
{
	size_t len = lzopage_compress(&z, p, n, out, sizeof(out));

	CHECK(len > 0 && len <= LZOPAGE_BOUND(n));
	CHECK_EQ(decodes(out, len, p, n), 0);
}

/* shape k of n bytes into in */
static void shape(unsigned k, size_t n)
{
	size_t i = 0;

	switch (k) {
	case 0:				/* nothing repeats */
		for (i = 0; i < n; i++)
			in[i] = (uint8_t)rnd();
		break;
	case 1:				/* one byte */
		memset(in, 0x5a, n);
		break;
	case 2:				/* a period of 1 to 40 bytes */
	case 3: {			/* a period of 100 to 3000 bytes: far matches */
		size_t per = k == 2 ? 1 + rnd() % 40 : 100 + rnd() % 2900;

		for (i = 0; i < n; i++)
			in[i] = i < per ? (uint8_t)rnd() : in[i - per];
		break;
	}
	default:			/* literal runs of 1 to 300 between matches of 3 to 600 */
		while (i < n) {
			size_t lit = 1 + rnd() % (rnd() % 4 ? 20 : 300), m = 3 + rnd() % (rnd() % 4 ? 30 : 600);
			size_t back_by = 1 + rnd() % (i < 16384 ? (i ? i : 1) : 16384);

			for (size_t j = 0; j < lit && i < n; j++)
				in[i++] = (uint8_t)rnd();
			for (size_t j = 0; j < m && i < n && back_by <= i; j++, i++)
				in[i] = in[i - back_by];
		}
		break;
	}
}

TEST(test_shapes_round_trip)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 18, 19, 20, 238, 239,
					240, 255, 256, 300, 1000, 4095, 4096, 4097, 8192, 16383, 16384 };

	lzopage_init(&z);
	for (unsigned k = 0; k < 6; k++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (unsigned rep = 0; rep < 4; rep++) {
				shape(k, sizes[s]);
				round_trip(in, sizes[s]);
			}
	/* many pages of the mixed shape through one state */
	for (unsigned rep = 0; rep < 2000; rep++) {
		shape(4 + rep % 2, 4096);
		round_trip(in, 4096);
	}
}

/* The first literal run of every length, then a match; a match of every
 * length, then literals of every count (the low bits of the match). */
TEST(test_run_and_match_lengths)
{
	lzopage_init(&z);
	for (size_t lit = 1; lit <= 300; lit++) {
		size_t i;

		for (i = 0; i < lit; i++)
			in[i] = (uint8_t)rnd();
		memcpy(in + lit, in, lit < 8 ? lit : 8);
		for (size_t m = 3; m <= 600; m += 37) {
			size_t n = lit + m + 5;

			for (i = lit; i < lit + m; i++)
				in[i] = in[i - lit];
			for (; i < n; i++)
				in[i] = (uint8_t)rnd();
			round_trip(in, n);
		}
	}
}

/* The same page gives the same bytes whatever came before, and across
 * the renumbering every 65535 calls. */
TEST(test_same_bytes_whatever_came_before)
{
	static uint8_t page[4096];
	size_t a, b;

	lzopage_init(&z);
	lzopage_init(&z2);
	shape(4, 4096);
	memcpy(page, in, sizeof(page));
	a = lzopage_compress(&z, page, 4096, out, sizeof(out));
	for (unsigned rep = 0; rep < 50; rep++) {
		shape(rep % 6, 4096);
		lzopage_compress(&z2, in, 4096, out2, sizeof(out2));
	}
	b = lzopage_compress(&z2, page, 4096, out2, sizeof(out2));
	CHECK(a > 0);
	CHECK_EQ(a, b);
	CHECK(memcmp(out, out2, a) == 0);
	z2.call = 0xfffe;
	for (unsigned rep = 0; rep < 4; rep++) {
		b = lzopage_compress(&z2, page, 4096, out2, sizeof(out2));
		CHECK_EQ(a, b);
		CHECK(memcmp(out, out2, a) == 0);
		shape(4, 4096);
		lzopage_compress(&z2, in, 4096, out2, sizeof(out2));
	}
	CHECK(z2.call < 0xfffe);
}

/* Too little room: 0, and nothing written past it; too long an input: 0. */
TEST(test_room_and_refusals)
{
	size_t full, len;

	lzopage_init(&z);
	shape(4, 4096);
	full = lzopage_compress(&z, in, 4096, out, sizeof(out));
	CHECK(full > 3);
	for (size_t cap = 0; cap < full; cap += 1 + cap / 8) {
		memset(out2, 0xa5, sizeof(out2));
		CHECK_EQ(lzopage_compress(&z, in, 4096, out2, cap), 0);
		for (size_t i = cap; i < sizeof(out2); i++)
			if (out2[i] != 0xa5) {
				CHECK(0);
				break;
			}
	}
	len = lzopage_compress(&z, in, 4096, out2, full);
	CHECK_EQ(len, full);
	shape(0, 4096);			/* nothing repeats: bigger than the page */
	len = lzopage_compress(&z, in, 4096, out, sizeof(out));
	CHECK(len > 4096 && len <= LZOPAGE_BOUND(4096));
	CHECK_EQ(lzopage_compress(&z, in, 4096, out, 4095), 0);
	CHECK_EQ(lzopage_compress(&z, in, LZOPAGE_MAX_INPUT + 1, out, sizeof(out)), 0);
}

/* Kernel-like pages (structures of pointers, counters, zero fields and
 * strings): no bigger in all than liblzo2's LZO1X-1 makes them. */
TEST(test_no_bigger_than_lzo1x_1)
{
	static uint8_t wrk[LZO1X_1_MEM_COMPRESS] __attribute__((aligned(16)));
	static const char s[5][9] = { "kworker/", "swapper\0", "ext4\0\0\0\0", "systemd\0", "/usr/lib" };
	uint64_t ours = 0, theirs = 0;

	lzopage_init(&z);
	for (unsigned p = 0; p < 300; p++) {
		lzo_uint n = 0;

		for (size_t i = 0; i < 4096; i += 8) {
			uint64_t v = 0;
			uint32_t r = rnd();

			if (r % 7 == 0)
				v = 0xffff888000000000ull | ((uint64_t)rnd() << 6);
			else if (r % 7 == 1)
				v = rnd() % 64;
			else if (r % 7 == 2)
				memcpy(&v, s[rnd() % 5], 8);
			else if (r % 7 == 3)
				v = 0xffffffff81000000ull + (rnd() % 4096) * 16;
			memcpy(in + i, &v, 8);
		}
		ours += lzopage_compress(&z, in, 4096, out, sizeof(out));
		CHECK_EQ(lzo1x_1_compress(in, 4096, out2, &n, wrk), LZO_E_OK);
		theirs += n;
	}
	printf("lzopage: %llu bytes, liblzo2's LZO1X-1 %llu bytes\n", (unsigned long long)ours,
	       (unsigned long long)theirs);
	CHECK(ours <= theirs);
}

TEST_MAIN(test_shapes_round_trip, test_run_and_match_lengths, test_same_bytes_whatever_came_before,
	  test_room_and_refusals, test_no_bigger_than_lzo1x_1)
