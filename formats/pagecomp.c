/*
 * pagecomp: the page compressions of the kdump-compressed file (see
 * pagecomp.h).
 */
#include <errno.h>
#include <string.h>
#include <zlib.h>

#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_initStaticCCtx, the estimates */
#include <zstd.h>

#include "formats/diskdump.h"
#include "formats/lzopage.h"
#include "formats/pagecomp.h"

_Static_assert(DISKDUMP_BLOCK == 4096, "one page is 4096 bytes");
_Static_assert(LZOPAGE_BOUND(DISKDUMP_BLOCK) <= DISKDUMP_COMPRESS_MAX, "an LZO page always fits");

/* ---------------------------------------------------------------- lzo */

static int lzo_init_ws(void *ws, size_t len, void **ctx)
{
	if (len < sizeof(struct lzopage) || ((uintptr_t)ws & (_Alignof(struct lzopage) - 1)))
		return -ENOMEM;
	lzopage_init(ws);
	*ctx = ws;
	return 0;
}

static int lzo_page(void *ctx, const void *in, void *out, size_t *out_len)
{
	/* at most LZOPAGE_BOUND(4096) bytes: always fits; one that does not
	 * shrink the writer stores raw */
	size_t n = lzopage_compress(ctx, in, DISKDUMP_BLOCK, out, DISKDUMP_COMPRESS_MAX);

	if (n == 0)
		return -1;
	*out_len = n;
	return 0;
}

/* ---------------------------------------------------------------- zstd */

static int zstd_init_ws(void *ws, size_t len, void **ctx)
{
	ZSTD_compressionParameters cp = ZSTD_getCParams(PAGECOMP_ZSTD_LEVEL, DISKDUMP_BLOCK, 0);

	/* The kernel links zstd's fast strategy only (scripts/zstd-traps.sh). */
	if (cp.strategy != ZSTD_fast)
		return -EIO;
	if (ZSTD_estimateCCtxSize_usingCParams(cp) > len || ((uintptr_t)ws & 7))
		return -ENOMEM;
	*ctx = ZSTD_initStaticCCtx(ws, len);
	return *ctx ? 0 : -EIO;
}

static int zstd_page(void *ctx, const void *in, void *out, size_t *out_len)
{
	size_t n = ZSTD_compressCCtx(ctx, out, DISKDUMP_COMPRESS_MAX, in, DISKDUMP_BLOCK,
				     PAGECOMP_ZSTD_LEVEL);

	if (ZSTD_isError(n))
		return -1;
	*out_len = n;
	return 0;
}

/* ---------------------------------------------------------------- zlib */

/*
 * deflate with a 4 KiB window (windowBits 12: the whole page) and
 * memLevel 6, so its state fits the workspace; any inflate reads the
 * stream, whose header names the window.  zlib's allocations come from
 * the workspace, front to back; deflateReset() between pages keeps them.
 */
#define ZL_WBITS	12
#define ZL_MEMLEVEL	6

struct zl {
	z_stream s;
	uint8_t *arena;
	size_t used, cap;
};

static voidpf zl_alloc(voidpf opaque, uInt items, uInt size)
{
	struct zl *z = opaque;
	size_t n = (size_t)items * size;

	if (size && n / size != items)
		return Z_NULL;
	n = (n + 63) & ~(size_t)63;
	if (n > z->cap - z->used)
		return Z_NULL;
	z->used += n;
	return z->arena + z->used - n;
}

static void zl_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	(void)p;		/* the workspace is the caller's */
}

static int zlib_init_ws(void *ws, size_t len, void **ctx)
{
	size_t head = (sizeof(struct zl) + 63) & ~(size_t)63;
	struct zl *z = ws;

	if (len < head || ((uintptr_t)ws & 63))
		return -ENOMEM;
	memset(z, 0, sizeof(*z));
	z->arena = (uint8_t *)ws + head;
	z->cap = len - head;
	z->s.zalloc = zl_alloc;
	z->s.zfree = zl_free;
	z->s.opaque = z;
	switch (deflateInit2(&z->s, Z_BEST_SPEED, Z_DEFLATED, ZL_WBITS, ZL_MEMLEVEL,
			     Z_DEFAULT_STRATEGY)) {
	case Z_OK:
		*ctx = z;
		return 0;
	case Z_MEM_ERROR:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static int zlib_page(void *ctx, const void *in, void *out, size_t *out_len)
{
	struct zl *z = ctx;

	if (deflateReset(&z->s) != Z_OK)
		return -1;
	z->s.next_in = (Bytef *)(uintptr_t)in;	/* deflate only reads it */
	z->s.avail_in = DISKDUMP_BLOCK;
	z->s.next_out = out;
	z->s.avail_out = DISKDUMP_COMPRESS_MAX;
	if (deflate(&z->s, Z_FINISH) != Z_STREAM_END)
		return -1;
	*out_len = z->s.total_out;
	return 0;
}

/* ---------------------------------------------------------------- table */

static const struct pagecomp table[] = {
	{ "lzo", DISKDUMP_COMPRESSED_LZO, lzo_init_ws, lzo_page },
	{ "zstd", DISKDUMP_COMPRESSED_ZSTD, zstd_init_ws, zstd_page },
	{ "zlib", DISKDUMP_COMPRESSED_ZLIB, zlib_init_ws, zlib_page },
	{ "none", 0, NULL, NULL },
};

const struct pagecomp *pagecomp_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(name, table[i].name) == 0)
			return &table[i];
	return NULL;
}

const struct pagecomp *pagecomp_all(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const char *pagecomp_names(void)
{
	return "lzo|zstd|zlib|none";
}
