/*
 * lzopage: an LZO1X encoder for one page at a time (see lzopage.h).
 */
#include <string.h>

#include "formats/le.h"
#include "formats/lzopage.h"

#define M2_MAX_LEN	8
#define M2_MAX_DIST	2048
#define MIN_MATCH	4	/* the bytes hashed; M2 and M3 could say 3 */

static unsigned hash(uint32_t v)
{
	return (v * 0x1824429du) >> (32 - LZOPAGE_DICT_BITS);
}

void lzopage_init(struct lzopage *z)
{
	memset(z->dict, 0, sizeof(z->dict));
	z->call = 0;
}

/* Literals are mostly a few bytes: copied here rather than by a memcpy
 * that may take a byte at a time for them (newlib's below 16 bytes,
 * costly under emulation). */
static void copy(uint8_t *d, const uint8_t *s, size_t t)
{
	for (; t >= 8; t -= 8, d += 8, s += 8)
		le_put64(d, le_get64(s));
	while (t--)
		*d++ = *s++;
}

struct out {
	uint8_t *p, *start, *end;
};

/* A length past what an instruction's own bits hold: zero bytes of 255
 * each, then the rest (1 to 255: a last zero would read as one more). */
static void put_len(struct out *o, size_t rest)
{
	while (rest > 255) {
		*o->p++ = 0;
		rest -= 255;
	}
	*o->p++ = (uint8_t)rest;
}

/* t literals from src.  The first run of the stream says its length in
 * its first byte (18 to 255: 1 to 238 literals); later runs of 1 to 3
 * go in the low two bits of the match before (its op[-2]); longer ones
 * are an instruction of their own, 0 to 15 for 3 + that many. */
static int put_literals(struct out *o, const uint8_t *src, size_t t)
{
	if (t == 0)
		return 0;
	if ((size_t)(o->end - o->p) < t + t / 255 + 3)
		return -1;
	if (o->p == o->start && t <= 238) {
		*o->p++ = (uint8_t)(17 + t);
	} else if (o->p == o->start || t > 18) {
		*o->p++ = 0;
		put_len(o, t - 18);
	} else if (t <= 3) {
		o->p[-2] |= (uint8_t)t;
	} else {
		*o->p++ = (uint8_t)(t - 3);
	}
	copy(o->p, src, t);
	o->p += t;
	return 0;
}

/* A match of len bytes dist back: M2 (64-255: length 3-8 in bits 5-7,
 * the distance's low 3 bits in bits 2-4, its high bits in a second byte)
 * or M3 (32-63: length - 2 in bits 0-4, 0 for a longer one, then the
 * distance - 1 shifted left by 2 in 16 bits little-endian).  The low two
 * bits of the byte two before the end stay free for the literals after. */
static int put_match(struct out *o, size_t len, size_t dist)
{
	size_t off = dist - 1;

	if ((size_t)(o->end - o->p) < 4 + len / 255)
		return -1;
	if (len <= M2_MAX_LEN && dist <= M2_MAX_DIST) {
		*o->p++ = (uint8_t)(((len - 1) << 5) | ((off & 7) << 2));
		*o->p++ = (uint8_t)(off >> 3);
		return 0;
	}
	if (len - 2 <= 31) {
		*o->p++ = (uint8_t)(32 | (len - 2));
	} else {
		*o->p++ = 32;
		put_len(o, len - 33);
	}
	*o->p++ = (uint8_t)(off << 2);
	*o->p++ = (uint8_t)(off >> 6);
	return 0;
}

size_t lzopage_compress(struct lzopage *z, const void *in_, size_t n, void *out_, size_t cap)
{
	const uint8_t *in = in_, *lit = in, *end = in + n;
	size_t pos = 0;
	struct out o = { out_, out_, (uint8_t *)out_ + cap };
	uint32_t tag;

	if (n > LZOPAGE_MAX_INPUT)
		return 0;
	if (++z->call > 0xffff) {	/* once in 65535 calls: no entry of an old call may look new */
		memset(z->dict, 0, sizeof(z->dict));
		z->call = 1;
	}
	tag = z->call << 16;
	/* positions, not pointers, until they are known to lie in the input */
	while (n >= MIN_MATCH && pos <= n - MIN_MATCH) {
		const uint8_t *ip = in + pos, *cand;
		uint32_t v = le_get32(ip), *slot = &z->dict[hash(v)], e = *slot;
		size_t len = MIN_MATCH;

		*slot = tag | (uint32_t)pos;
		/* this call's entries are all behind pos */
		if ((e & 0xffff0000u) != tag || le_get32(cand = in + (e & 0xffff)) != v) {
			pos += 1 + ((size_t)(ip - lit) >> 5);	/* faster over what does not repeat */
			continue;
		}
		while (ip + len + 8 <= end) {
			uint64_t d = le_get64(cand + len) ^ le_get64(ip + len);

			if (d) {
				len += (size_t)__builtin_ctzll(d) >> 3;
				goto measured;
			}
			len += 8;
		}
		while (ip + len < end && cand[len] == ip[len])
			len++;
measured:
		if (put_literals(&o, lit, (size_t)(ip - lit)) || put_match(&o, len, (size_t)(ip - cand)))
			return 0;
		pos += len;
		lit = in + pos;
	}
	if (put_literals(&o, lit, (size_t)(end - lit)) || o.end - o.p < 3)
		return 0;
	/* the end: an M4 whose distance is 0 */
	*o.p++ = 0x11;
	*o.p++ = 0;
	*o.p++ = 0;
	return (size_t)(o.p - o.start);
}
