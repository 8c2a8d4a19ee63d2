/*
 * lzopage: an LZO1X encoder for one page at a time, postmortem's own.
 *
 * What it writes is the LZO1X stream liblzo2's lzo1x_decompress_safe()
 * reads (makedumpfile and crash read a kdump-compressed file's LZO pages
 * with it): literal runs, M2 matches (3-8 bytes, up to 2048 back), M3
 * matches (any length, up to 16384 back) and the end marker.  The format
 * is described in docs/compression.md, "The LZO1X stream".
 *
 * Why not liblzo2's own compressors (the kernel used lzo1x_1_11): each
 * call clears its dictionary, 4 KiB for LZO1X-1(11) and 32 KiB for the
 * LZO1X-1 makedumpfile uses, which under emulation costs as much as the
 * page's compression itself; with the small dictionary the file came out
 * 0.6% bigger than makedumpfile's.  Here the dictionary (16384 entries,
 * as LZO1X-1's) is never cleared: each entry carries the number of the
 * call that wrote it, and only this call's entries are used.  So a page
 * compresses to the same bytes whatever was compressed before it, which
 * the kdump-compressed writer needs (two passes, two CPUs).
 *
 * Interface: lzopage_init() once on the state; lzopage_compress() per
 * input of at most LZOPAGE_MAX_INPUT bytes.  Pure: no globals, no I/O.
 */
#ifndef FORMATS_LZOPAGE_H
#define FORMATS_LZOPAGE_H

#include <stddef.h>
#include <stdint.h>

#define LZOPAGE_DICT_BITS	14
#define LZOPAGE_MAX_INPUT	16384	/* every match fits an M2 or M3 */
/* The most an input of n bytes can take (liblzo2's bound for LZO1X-1):
 * the worst is not all literals (n + n/255 + 4) but runs of 19 literals,
 * two bytes to say each, between matches of 4 that take three. */
#define LZOPAGE_BOUND(n)	((n) + (n) / 16 + 64 + 3)

struct lzopage {
	/* (call number << 16) | position of the 4 bytes hashed there */
	uint32_t dict[1u << LZOPAGE_DICT_BITS];
	uint32_t call;		/* this call's number, 1 to 0xffff */
};

void lzopage_init(struct lzopage *z);

/*
 * Compress in[0..n) into out[0..cap): the stream's length, or 0 when
 * n > LZOPAGE_MAX_INPUT or the stream would not fit in cap (a caller
 * that stores what does not shrink passes cap = n).
 */
size_t lzopage_compress(struct lzopage *z, const void *in, size_t n, void *out, size_t cap);

#endif
