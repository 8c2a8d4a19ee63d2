/*
 * libFuzzer target for payload/elffilter.c's planning walk: the input
 * chooses up to 8 ranges (gaps and sizes in pages, a partial first or
 * last page, read_from moved or not; sometimes out of order or
 * overlapping), the table size (1..16), the window (1..8 bytes of bitmap)
 * and which pfns the level leaves out and which pages read as zero.  When
 * the walk succeeds, each range must be covered by its segments in order,
 * every page of a zero tail must be left out or zero, no left-out page
 * may have been read, and the windows must have followed one another from
 * pfn 0 (or began again at 0, for a range behind them) to the last
 * range's end.  -ENOSPC only for more ranges than table entries; nothing
 * else fails.  tests/fuzz/replay.c
 * runs the seeds in tests/fuzz/corpus/elffilter/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/elffilter.h"

#define PG ((uint64_t)ELFCORE_PAGE_SIZE)

struct fz {
	const uint8_t *out, *zero;	/* bit p % nbits: pfn p left out / zero */
	size_t nbits;
	uint64_t next;			/* the window that must come next */
	int read_left_out;
};

static int bit(const uint8_t *b, size_t nbits, uint64_t p)
{
	return nbits == 0 ? 0 : (b[(p % nbits) / 8] >> (p % nbits % 8)) & 1;
}

static const char *window(void *ctx, uint64_t p0, uint64_t p1, uint8_t *bits)
{
	struct fz *z = ctx;

	if ((p0 != z->next && p0 != 0) || p1 <= p0)	/* in order, or a new walk */
		abort();
	z->next = p1;
	for (uint64_t p = p0; p < p1; p++)
		if (bit(z->out, z->nbits, p))
			bits[(p - p0) / 8] &= (uint8_t)~(1u << ((p - p0) % 8));
	return NULL;
}

static int is_zero(void *ctx, uint64_t at, uint64_t len)
{
	struct fz *z = ctx;

	(void)len;
	if (bit(z->out, z->nbits, at / PG))	/* read_from == paddr in the checked runs */
		z->read_left_out = 1;
	return bit(z->zero, z->nbits, at / PG);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elfcore_segment segs[16];
	static uint8_t win[8];
	struct dumpplan_range r[8];
	struct elfcore_zero_scan zs;
	struct elffilter_counts c;
	struct elfcore_split s;
	struct fz z;
	const char *why;
	size_t n, max, wb, k = 0;
	uint64_t at = 0;
	bool moved = false;
	int rc;

	if (size < 3)
		return 0;
	n = data[0] % 9;
	max = data[1] % 16 + 1;
	wb = data[2] % 8 + 1;
	if (size < 3 + n * 3)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *d = data + 3 + i * 3;
		uint64_t gap = (uint64_t)(d[0] % 64) * PG, head = d[2] & 1 ? 0x800 : 0;

		if (d[2] & 2 && at >= 4 * PG)
			at -= 4 * PG;		/* back: overlap or out of order */
		r[i].start = at + gap + head;
		r[i].size = (uint64_t)(d[1] % 96 + 1) * PG - (d[2] & 4 ? 0x300 : 0);
		r[i].read_from = d[2] & 8 ? r[i].start + 0x1000000 : r[i].start;
		r[i].vaddr = d[2] & 16 ? 0 : 0xffff888000000000ull + r[i].start;
		moved |= r[i].read_from != r[i].start;
		at = r[i].start + r[i].size;
	}
	memset(&z, 0, sizeof(z));
	z.nbits = (size - 3 - n * 3) / 2 * 8;
	z.out = data + 3 + n * 3;
	z.zero = z.out + z.nbits / 8;
	zs = (struct elfcore_zero_scan){ ELFCORE_ZERO_RUN_DEFAULT, is_zero, &z };
	elfcore_split_init(&s, segs, max, data[1] / 16 % 4 + 1);
	rc = elffilter_split(&s, r, n, window, &z, &zs, win, wb, &c, &why);
	if (rc == -ENOSPC && n > max)
		return 0;
	if (rc != 0)	/* 8 ranges never need more than ELFFILTER_RESTARTS_MAX walks */
		abort();
	if (n > 0 && z.next != elffilter_max_pfn(r, n))
		abort();
	if (z.read_left_out && !moved)
		abort();
	for (size_t i = 0; i < n; i++) {
		uint64_t covered = 0;

		for (; k < s.nsegs && segs[k].range == i; k++) {
			const struct elfcore_segment *g = &segs[k];

			if (g->paddr != r[i].start + covered || g->filesz > g->memsz ||
			    g->read_from - g->paddr != r[i].read_from - r[i].start)
				abort();
			for (uint64_t o = g->filesz; o < g->memsz; o += PG) {
				uint64_t p = (g->paddr + o) / PG;

				if (!bit(z.out, z.nbits, p) &&
				    !bit(z.zero, z.nbits, (g->read_from + o) / PG))
					abort();
			}
			covered += g->memsz;
		}
		if (covered != r[i].size)
			abort();
	}
	if (k != s.nsegs || s.nsegs > max)
		abort();
	return 0;
}
