/*
 * formats/pagecomp: each compressor's page, decoded with the call
 * makedumpfile and crash make for its flag (uncompress(),
 * lzo1x_decompress_safe(), ZSTD_decompress()), is the page; the
 * writer's raw fallback for pages that do not shrink; workspaces.
 */
#include <errno.h>
#include <lzo/lzo1x.h>
#include <zlib.h>
#include <zstd.h>

#include "formats/diskdump.h"
#include "formats/pagecomp.h"
#include "tests/unit/test.h"

static uint8_t ws[PAGECOMP_WORKSPACE] __attribute__((aligned(64)));
static uint8_t out[DISKDUMP_COMPRESS_MAX];
static uint8_t back[DISKDUMP_BLOCK + 64];

/* 0: the page decodes back to in exactly. */
static int decode(uint32_t flag, const uint8_t *c, size_t n, const uint8_t *in)
{
	memset(back, 0xa5, sizeof(back));
	if (flag == DISKDUMP_COMPRESSED_ZLIB) {
		uLongf len = DISKDUMP_BLOCK;

		if (uncompress(back, &len, c, n) != Z_OK || len != DISKDUMP_BLOCK)
			return -1;
	} else if (flag == DISKDUMP_COMPRESSED_LZO) {
		lzo_uint len = DISKDUMP_BLOCK;

		if (lzo1x_decompress_safe(c, n, back, &len, NULL) != LZO_E_OK || len != DISKDUMP_BLOCK)
			return -1;
	} else if (flag == DISKDUMP_COMPRESSED_ZSTD) {
		size_t len = ZSTD_decompress(back, DISKDUMP_BLOCK, c, n);

		if (ZSTD_isError(len) || len != DISKDUMP_BLOCK)
			return -1;
	} else {
		return -1;
	}
	return memcmp(back, in, DISKDUMP_BLOCK);
}

static void fill(uint8_t *p, unsigned kind, uint32_t seed)
{
	static const char *const words[] = { "task_struct ", "ffff8880", "\0\0\0\0", "lock", "\n" };

	for (size_t i = 0; i < DISKDUMP_BLOCK;) {
		seed = seed * 1103515245u + 12345u;
		if (kind == 0) {		/* text-like */
			const char *w = words[(seed >> 16) % 5];
			size_t n = (seed >> 16) % 5 == 2 ? 4 : strlen(w);

			for (size_t k = 0; k < n && i < DISKDUMP_BLOCK; k++)
				p[i++] = (uint8_t)w[k];
		} else if (kind == 1) {		/* random: does not shrink */
			p[i++] = (uint8_t)(seed >> 16);
		} else {			/* one byte repeated */
			p[i++] = 0xff;
		}
	}
}

TEST(test_table)
{
	size_t n;
	const struct pagecomp *all = pagecomp_all(&n);

	CHECK_EQ(n, 4);
	CHECK_STR(all[0].name, "lzo");
	CHECK_EQ(pagecomp_find("lzo")->flag, DISKDUMP_COMPRESSED_LZO);
	CHECK_EQ(pagecomp_find("zstd")->flag, DISKDUMP_COMPRESSED_ZSTD);
	CHECK_EQ(pagecomp_find("zlib")->flag, DISKDUMP_COMPRESSED_ZLIB);
	CHECK_EQ(pagecomp_find("none")->flag, 0);
	CHECK(pagecomp_find("none")->compress == NULL);
	CHECK(pagecomp_find("LZO") == NULL);
	CHECK(pagecomp_find("snappy") == NULL);
	CHECK(pagecomp_find("") == NULL);
	CHECK(pagecomp_find(NULL) == NULL);
	CHECK(pagecomp_find(PAGECOMP_DEFAULT) != NULL);
	CHECK_STR(pagecomp_names(), "lzo|zstd|zlib|none");
}

TEST(test_round_trip)
{
	static uint8_t page[DISKDUMP_BLOCK];
	size_t n;
	const struct pagecomp *all = pagecomp_all(&n);

	for (size_t k = 0; k < n; k++) {
		void *ctx = NULL;

		if (all[k].compress == NULL)
			continue;
		CHECK_EQ(all[k].init(ws, sizeof(ws), &ctx), 0);
		CHECK(ctx != NULL);
		for (unsigned kind = 0; kind < 3; kind++)
			for (uint32_t seed = 1; seed < 20; seed++) {	/* one context, many pages */
				size_t len = 0;

				fill(page, kind, seed);
				CHECK_EQ(all[k].compress(ctx, page, out, &len), 0);
				CHECK(len > 0 && len <= DISKDUMP_COMPRESS_MAX);
				if (kind != 1)
					CHECK(len < DISKDUMP_BLOCK / 2);
				CHECK_EQ(decode(all[k].flag, out, len, page), 0);
			}
	}
}

/* A random page does not shrink: the writer stores it raw (its rule:
 * a result not smaller than the page). */
TEST(test_random_does_not_shrink)
{
	static uint8_t page[DISKDUMP_BLOCK];
	const char *names[] = { "lzo", "zstd", "zlib" };

	fill(page, 1, 7);
	for (size_t k = 0; k < 3; k++) {
		const struct pagecomp *pc = pagecomp_find(names[k]);
		size_t len = 0;
		void *ctx;

		CHECK_EQ(pc->init(ws, sizeof(ws), &ctx), 0);
		CHECK_EQ(pc->compress(ctx, page, out, &len), 0);
		CHECK(len >= DISKDUMP_BLOCK && len <= DISKDUMP_COMPRESS_MAX);
	}
}

TEST(test_workspace)
{
	void *ctx = (void *)1;

	CHECK_EQ(pagecomp_find("lzo")->init(ws, 1024, &ctx), -ENOMEM);
	CHECK_EQ(pagecomp_find("zstd")->init(ws, 4096, &ctx), -ENOMEM);
	CHECK_EQ(pagecomp_find("zlib")->init(ws, 4096, &ctx), -ENOMEM);
	CHECK_EQ(pagecomp_find("zstd")->init(ws + 1, sizeof(ws) - 1, &ctx), -ENOMEM);
	CHECK_EQ(pagecomp_find("zlib")->init(ws + 8, sizeof(ws) - 8, &ctx), -ENOMEM);
	CHECK_EQ(pagecomp_find("zlib")->init(ws, 256, &ctx), -ENOMEM);
}

TEST_MAIN(test_table, test_round_trip, test_random_does_not_shrink, test_workspace)
