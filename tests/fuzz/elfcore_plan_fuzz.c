/*
 * libFuzzer target for formats/elfcore.c's planner: the input chooses up
 * to 8 ranges (starts anywhere, up to 2^64; sizes up to 96 pages), the
 * table size (1..16), the zero-run threshold (0..8 pages) and which pages
 * read as zero.  When the plan succeeds, each range must be covered exactly
 * by its segments in order, every zero tail must be pages the callback
 * called zero, the pieces must tile the file, and the headers must read
 * back through elfcore_read() with the same segments.  -ENOSPC is allowed
 * only for more ranges than entries (a full table otherwise raises the
 * threshold), -EOVERFLOW only when a range wraps.  tests/fuzz/replay.c runs the seeds in tests/fuzz/corpus/elfcore_plan/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/elfcore.h"

struct fz {
	const uint8_t *bits;
	size_t nbits;
};

/* Page p of a range reads as zero when its bit is set (bits cycle). */
static int is_zero(void *ctx, uint64_t at, uint64_t len)
{
	const struct fz *z = ctx;
	uint64_t p = at / ELFCORE_PAGE_SIZE;

	(void)len;
	return z->nbits == 0 ? 0 : (z->bits[(p % z->nbits) / 8] >> (p % 8)) & 1;
}

static void check_plan(const struct dumpplan_range *r, size_t n, const struct elfcore_segment *g,
		       size_t nsegs, uint64_t size, struct fz *z)
{
	static uint8_t hdr[64 + 17 * 56];
	struct elfcore_info info;
	struct elfcore_piece p;
	struct elfcore_segment l;
	size_t k = 0, cur = 0, len;
	uint64_t at = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t covered = 0;

		for (; k < nsegs && g[k].range == i; k++) {
			if (g[k].paddr != r[i].start + covered || g[k].filesz > g[k].memsz ||
			    g[k].read_from - g[k].paddr != r[i].read_from - r[i].start)
				abort();
			for (uint64_t o = g[k].filesz; o < g[k].memsz; o += ELFCORE_PAGE_SIZE)
				if (!is_zero(z, ((g[k].read_from + o) & ~4095ull), 1))
					abort();
			covered += g[k].memsz;
		}
		if (covered != r[i].size)
			abort();
	}
	while (elfcore_piece_next(g, nsegs, 0, &cur, &p) == 0) {
		if (p.offset != at)
			abort();
		at += p.len;
	}
	if (at != size || k != nsegs || elfcore_headers(g, nsegs, 0, hdr, sizeof(hdr), &len) != 0 ||
	    elfcore_read(hdr, len, &info) != 0 || info.load_count != nsegs)
		abort();
	for (cur = 0, k = 0; elfcore_load_next(&info, &cur, &l) == 0; k++)
		if (l.paddr != g[k].paddr || l.memsz != g[k].memsz || l.file_offset != g[k].file_offset)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elfcore_segment segs[16];
	struct dumpplan_range r[8];
	struct elfcore_zero_scan zs;
	struct fz z;
	size_t n, max, nsegs = 0;
	uint64_t fsize = 0, v;
	bool wraps = false;
	int rc;

	if (size < 2)
		return 0;
	n = data[0] % 9;
	max = data[1] % 16 + 1;
	if (size < 2 + n * 10)
		return 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(&v, data + 2 + i * 10, 8);
		r[i].start = v;
		r[i].size = (uint64_t)(data[10 + i * 10] % 96 + 1) * ELFCORE_PAGE_SIZE -
			    data[11 + i * 10] % 3 * 100;
		r[i].read_from = data[11 + i * 10] & 0x80 ? v ^ 0x100000 : v;
		r[i].vaddr = data[11 + i * 10] & 0x40 ? 0 : 0xffff888000000000ull;
		wraps |= r[i].start + (r[i].size - 1) < r[i].start ||
			 r[i].read_from + (r[i].size - 1) < r[i].read_from ||
			 r[i].vaddr + (r[i].size - 1) < r[i].vaddr;
	}
	z.bits = data + 2 + n * 10;
	z.nbits = (size - 2 - n * 10) * 8;
	zs = (struct elfcore_zero_scan){ data[1] / 16 % 9, is_zero, &z };
	rc = elfcore_plan(r, n, 0, &zs, segs, max, &nsegs, &fsize);
	if (rc == 0 && !wraps && nsegs <= max)
		check_plan(r, n, segs, nsegs, fsize, &z);
	else if (!(rc == -ENOSPC && n > max) && !(rc == -EOVERFLOW && wraps))
		abort();
	return 0;
}
