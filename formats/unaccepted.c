/*
 * Linux's EFI unaccepted-memory table (see unaccepted.h).  Addresses are
 * half-open [a, b); every sum is bounded first: a valid table ends below
 * 2^52, and dump plans never wrap (dumpplan_add checks).
 */
#include <errno.h>

#include "formats/le.h"
#include "formats/unaccepted.h"

int unaccepted_header(const void *buf, size_t len, struct unaccepted_table *t)
{
	const uint8_t *p = buf;
	uint64_t span;

	*t = (struct unaccepted_table){ 0, 0, 0, 0, 0, NULL };
	if (buf == NULL || len < UNACCEPTED_HEADER_SIZE)
		return UNACCEPTED_ESHORT;
	t->version = le_get32(p);
	t->unit_size = le_get32(p + 4);
	t->phys_base = le_get64(p + 8);
	t->size = le_get64(p + 16);
	if (t->version != UNACCEPTED_VERSION)
		return UNACCEPTED_EVERSION;
	if (t->unit_size < UNACCEPTED_UNIT_MIN || t->unit_size > UNACCEPTED_UNIT_MAX ||
	    (t->unit_size & (t->unit_size - 1)) != 0)
		return UNACCEPTED_EUNIT;
	if (t->phys_base & (UNACCEPTED_UNIT_MIN - 1))
		return UNACCEPTED_EBASE;
	if (t->size > UNACCEPTED_BITMAP_MAX)
		return UNACCEPTED_ESIZE;
	/* size <= 2^26 and unit_size <= 2^30: span <= 2^59, no overflow. */
	span = t->size * 8 * t->unit_size;
	if (t->phys_base >= UNACCEPTED_PHYS_LIMIT || span > UNACCEPTED_PHYS_LIMIT - t->phys_base)
		return UNACCEPTED_ERANGE;
	t->end = t->phys_base + span;
	return UNACCEPTED_OK;
}

int unaccepted_parse(const void *buf, size_t len, struct unaccepted_table *t)
{
	int err = unaccepted_header(buf, len, t);

	if (err)
		return err;
	if (len - UNACCEPTED_HEADER_SIZE < t->size)
		return UNACCEPTED_ETRUNC;
	t->bitmap = (const uint8_t *)buf + UNACCEPTED_HEADER_SIZE;
	return UNACCEPTED_OK;
}

const char *unaccepted_strerror(int err)
{
	switch (err) {
	case UNACCEPTED_OK:
		return "valid";
	case UNACCEPTED_ESHORT:
		return "shorter than its 24-byte header";
	case UNACCEPTED_EVERSION:
		return "unknown version (only 1 is known)";
	case UNACCEPTED_EUNIT:
		return "unit size not a power of two from 4 KiB to 1 GiB";
	case UNACCEPTED_EBASE:
		return "base address not 4 KiB aligned";
	case UNACCEPTED_ESIZE:
		return "bitmap larger than 64 MiB";
	case UNACCEPTED_ERANGE:
		return "covers memory beyond 2^52";
	case UNACCEPTED_ETRUNC:
		return "bitmap cut short";
	}
	return "unknown error";
}

uint64_t unaccepted_table_bytes(const struct unaccepted_table *t)
{
	return UNACCEPTED_HEADER_SIZE + t->size;
}

uint64_t unaccepted_count(const struct unaccepted_table *t)
{
	uint64_t n = 0;

	for (uint64_t i = 0; t->bitmap != NULL && i < t->size; i++)
		n += (uint64_t)__builtin_popcount(t->bitmap[i]);
	return n;
}

static bool bit(const struct unaccepted_table *t, uint64_t i)
{
	return (t->bitmap[i >> 3] >> (i & 7) & 1) != 0;
}

/* The first unit in [i, n) whose bit is want; n when none.  Whole bytes
 * of the other value are skipped eight units at a time. */
static uint64_t find(const struct unaccepted_table *t, uint64_t i, uint64_t n, bool want)
{
	const uint8_t other = want ? 0x00 : 0xff;

	while (i < n) {
		if ((i & 7) == 0)
			while (n - i >= 8 && t->bitmap[i >> 3] == other)
				i += 8;
		if (i >= n)
			break;
		if (bit(t, i) == want)
			return i;
		i++;
	}
	return n;
}

bool unaccepted_next(const struct unaccepted_table *t, uint64_t a, uint64_t b, uint64_t *s,
		     uint64_t *e)
{
	uint64_t lo, hi, u0, u1, f, g, unit;

	if (t == NULL || t->bitmap == NULL || a >= b)
		return false;
	unit = t->unit_size;
	lo = a > t->phys_base ? a : t->phys_base;
	hi = b < t->end ? b : t->end;
	if (lo >= hi)
		return false;
	u0 = (lo - t->phys_base) / unit;
	u1 = (hi - t->phys_base - 1) / unit + 1;	/* units touching [lo, hi) */
	f = find(t, u0, u1, true);
	if (f == u1)
		return false;
	g = find(t, f + 1, u1, false);
	*s = t->phys_base + f * unit;
	*e = t->phys_base + g * unit;
	if (*s < lo)
		*s = lo;
	if (*e > hi)
		*e = hi;
	return true;
}

/* ------------------------------------------------------------ plans */

/* Piece [off, off + len) of r into out; counted in *dropped when full. */
static int put(struct dumpplan *out, const struct dumpplan_range *r, uint64_t off, uint64_t len,
	       uint64_t *dropped)
{
	if (len == 0)
		return 0;
	if (dumpplan_add(out, r->start + off, len, r->read_from + off, r->vaddr ? r->vaddr + off : 0) == 0)
		return 0;
	*dropped += len;
	return -ENOSPC;
}

/* The first unaccepted run of r at or after offset off, by the address it
 * describes or the one it is read from, as offsets [*s, *e) into r; *base
 * is the address space it was found in. */
static bool next_bad(const struct unaccepted_table *t, const struct dumpplan_range *r, uint64_t off,
		     uint64_t *s, uint64_t *e, uint64_t *base)
{
	uint64_t s1, e1, s2, e2;
	bool b1 = unaccepted_next(t, r->start + off, r->start + r->size, &s1, &e1);
	bool b2 = r->read_from != r->start &&
		  unaccepted_next(t, r->read_from + off, r->read_from + r->size, &s2, &e2);

	if (b1) {
		s1 -= r->start;
		e1 -= r->start;
	}
	if (b2) {
		s2 -= r->read_from;
		e2 -= r->read_from;
	}
	if (b1 && (!b2 || s1 < s2 || (s1 == s2 && e1 >= e2))) {
		*s = s1, *e = e1, *base = r->start;
		return true;
	}
	if (b2) {
		*s = s2, *e = e2, *base = r->read_from;
		return true;
	}
	return false;
}

int unaccepted_carve(const struct unaccepted_table *t, const struct dumpplan *in,
		     struct dumpplan *out, struct unaccepted_carve_stats *st)
{
	uint64_t last = UINT64_MAX;	/* the last unit counted (ranges are sorted) */
	int err = 0;

	*st = (struct unaccepted_carve_stats){ 0, 0, 0 };
	dumpplan_init(out);
	for (size_t i = 0; i < in->n; i++) {
		const struct dumpplan_range *r = &in->r[i];
		uint64_t off = 0, s, e, base;

		while (off < r->size && next_bad(t, r, off, &s, &e, &base)) {
			uint64_t fu = (base + s - t->phys_base) / t->unit_size;
			uint64_t lu = (base + e - 1 - t->phys_base) / t->unit_size;

			if (put(out, r, off, s - off, &st->dropped))
				err = -ENOSPC;
			st->bytes += e - s;
			st->units += lu - fu + 1 - (fu == last);
			last = lu;
			off = e;
		}
		if (put(out, r, off, r->size - off, &st->dropped))
			err = -ENOSPC;
	}
	dumpplan_finish(out);
	return err;
}

/* Piece [off, off + len) of r, kept where its read address also lies in allowed. */
static int keep_read(const struct dumpplan_range *r, uint64_t off, uint64_t len,
		     const struct dumpplan *allowed, struct dumpplan *out, uint64_t *kept,
		     uint64_t *dropped)
{
	uint64_t a = r->read_from + off, b = a + len;
	int err = 0;

	if (r->read_from == r->start) {
		*kept += len;
		return put(out, r, off, len, dropped);
	}
	for (size_t j = 0; j < allowed->n; j++) {
		const struct dumpplan_range *w = &allowed->r[j];
		uint64_t lo = a > w->start ? a : w->start;
		uint64_t hi = b < w->start + w->size ? b : w->start + w->size;

		if (lo < hi) {
			*kept += hi - lo;
			if (put(out, r, lo - r->read_from, hi - lo, dropped))
				err = -ENOSPC;
		}
	}
	return err;
}

int unaccepted_keep_in(const struct dumpplan *in, const struct dumpplan *allowed,
		       struct dumpplan *out, uint64_t *left_out)
{
	uint64_t kept = 0, dropped = 0, total = 0;
	int err = 0;

	dumpplan_init(out);
	for (size_t i = 0; i < in->n; i++) {
		const struct dumpplan_range *r = &in->r[i];
		uint64_t rend = r->start + r->size;

		total += r->size;
		for (size_t j = 0; j < allowed->n; j++) {
			const struct dumpplan_range *w = &allowed->r[j];
			uint64_t lo = r->start > w->start ? r->start : w->start;
			uint64_t hi = rend < w->start + w->size ? rend : w->start + w->size;

			if (lo < hi && keep_read(r, lo - r->start, hi - lo, allowed, out, &kept, &dropped))
				err = -ENOSPC;
		}
	}
	dumpplan_finish(out);
	*left_out = total - (kept - dropped);
	return err;
}
