/* Fuzz formats/unaccepted.c.  Input: a u16 table length n, n bytes of
 * table (header and bitmap), then 32-byte ranges (start, size, read_from,
 * vaddr) for a dump plan.  Checks: a parsed table's runs lie inside the
 * query and on set units; the carved plan holds no unaccepted byte (by the
 * address a range describes or the one it is read from), lies inside the
 * input plan, and the byte counts add up; the intersection keeps only
 * what both plans hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/unaccepted.h"

static struct dumpplan in, out, half;

static int is_set(const struct unaccepted_table *t, uint64_t a)
{
	uint64_t u = (a - t->phys_base) / t->unit_size;

	return t->bitmap[u / 8] >> (u % 8) & 1;
}

static int inside(const struct dumpplan *p, uint64_t a, uint64_t len)
{
	for (size_t i = 0; i < p->n; i++)
		if (a >= p->r[i].start && a - p->r[i].start <= p->r[i].size &&
		    len <= p->r[i].size - (a - p->r[i].start))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unaccepted_table t;
	struct unaccepted_carve_stats st;
	uint64_t v[4], s, e, a, left;
	size_t n;
	int err;

	if (size < 2)
		return 0;
	n = (size_t)(data[0] | data[1] << 8);
	data += 2;
	size -= 2;
	if (n > size)
		n = size;
	err = unaccepted_parse(data, n, &t);
	if (unaccepted_strerror(err) == NULL)
		abort();
	dumpplan_init(&in);
	for (const uint8_t *p = data + n; (size_t)(p - data) + 32 <= size; p += 32) {
		memcpy(v, p, sizeof(v));
		dumpplan_add(&in, v[0] & 0xfffffffffffffull, v[1] & 0xffffffffffull,
			     v[2] & 0xfffffffffffffull, v[3]);
	}
	dumpplan_finish(&in);
	if (err) {
		if (unaccepted_next(&t, 0, UINT64_MAX, &s, &e))
			abort();
		return 0;
	}
	if (t.end < t.phys_base || t.end > UNACCEPTED_PHYS_LIMIT)
		abort();
	/* Every run, walked over the whole address space. */
	for (a = 0; unaccepted_next(&t, a, UINT64_MAX, &s, &e); a = e) {
		if (s < a || e <= s || s < t.phys_base || e > t.end || !is_set(&t, s) || !is_set(&t, e - 1))
			abort();
		if (e < t.end && (e - t.phys_base) % t.unit_size == 0 && is_set(&t, e))
			abort();	/* a run ends at a clear unit */
	}
	err = unaccepted_carve(&t, &in, &out, &st);
	if (err != 0 && st.dropped == 0)
		abort();
	if (out.total + st.bytes + st.dropped != in.total)
		abort();
	for (size_t i = 0; i < out.n; i++) {
		const struct dumpplan_range *r = &out.r[i];

		if (unaccepted_next(&t, r->start, r->start + r->size, &s, &e) ||
		    unaccepted_next(&t, r->read_from, r->read_from + r->size, &s, &e))
			abort();
		if (!inside(&in, r->start, r->size))
			abort();
	}
	/* Intersect with the input's first half: nothing outside both. */
	dumpplan_init(&half);
	for (size_t i = 0; i < in.n / 2; i++)
		dumpplan_add(&half, in.r[i].start, in.r[i].size, in.r[i].start, 0);
	dumpplan_finish(&half);
	unaccepted_keep_in(&out, &half, &in, &left);
	if (left > out.total)
		abort();
	for (size_t i = 0; i < in.n; i++)
		if (!inside(&half, in.r[i].start, in.r[i].size) || !inside(&out, in.r[i].start, in.r[i].size))
			abort();
	return 0;
}
