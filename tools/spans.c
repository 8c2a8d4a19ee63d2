/*
 * Interval sets for the host tools (see tools/spans.h): an array that is
 * appended to in O(1) and sorted and merged once, when it is next read.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/spans.h"

void spans_add(struct spans *s, uint64_t a, uint64_t b)
{
	struct span *last = s->n ? &s->v[s->n - 1] : NULL;

	if (a >= b)
		return;
	if (last != NULL && !s->unsorted && last->a <= a && a <= last->b) {
		last->b = b > last->b ? b : last->b;
		return;		/* the common case: frames in order */
	}
	if (last != NULL && a < last->b)
		s->unsorted = true;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (s->v == NULL) {
			fprintf(stderr, "postmortem: out of memory\n");
			exit(1);
		}
	}
	s->v[s->n++] = (struct span){ a, b };
}

static int cmp_span(const void *x, const void *y)
{
	const struct span *p = x, *q = y;

	return p->a < q->a ? -1 : p->a > q->a ? 1 : (p->b > q->b) - (p->b < q->b);
}

void spans_norm(struct spans *s)
{
	size_t o = 0;

	if (!s->unsorted)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_span);
	for (size_t i = 0; i < s->n; i++) {
		if (o != 0 && s->v[i].a <= s->v[o - 1].b) {
			if (s->v[i].b > s->v[o - 1].b)
				s->v[o - 1].b = s->v[i].b;
		} else {
			s->v[o++] = s->v[i];
		}
	}
	s->n = o;
	s->unsorted = false;
}

bool spans_has(struct spans *s, uint64_t x)
{
	size_t lo = 0, hi;

	spans_norm(s);
	hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].b <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->v[lo].a <= x;
}

void spans_gaps(struct spans *s, uint64_t lo, uint64_t hi, struct spans *out)
{
	uint64_t at = lo;

	spans_norm(s);
	for (size_t i = 0; i < s->n && at < hi; i++) {
		if (s->v[i].b <= at)
			continue;
		if (s->v[i].a > at)
			spans_add(out, at, s->v[i].a < hi ? s->v[i].a : hi);
		at = s->v[i].b;
	}
	if (at < hi)
		spans_add(out, at, hi);
}

uint64_t spans_total(struct spans *s)
{
	uint64_t t = 0;

	spans_norm(s);
	for (size_t i = 0; i < s->n; i++)
		t += s->v[i].b - s->v[i].a;
	return t;
}
