/*
 * Interval sets for the host tools (see tools/spans.h): a sorted array,
 * appended to in O(1) when intervals arrive in order (frames of a dump
 * do), otherwise placed by binary search and merged with neighbours.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/spans.h"

void spans_add(struct spans *s, uint64_t a, uint64_t b)
{
	size_t lo = 0, hi = s->n, j;

	if (a >= b)
		return;
	if (s->n != 0 && s->v[s->n - 1].a <= a && a <= s->v[s->n - 1].b) {
		s->v[s->n - 1].b = b > s->v[s->n - 1].b ? b : s->v[s->n - 1].b;
		return;		/* the common case: frames in order */
	}
	while (lo < hi) {	/* first interval whose end reaches a */
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].b < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (j = lo; j < s->n && s->v[j].a <= b; j++) {
		a = s->v[j].a < a ? s->v[j].a : a;
		b = s->v[j].b > b ? s->v[j].b : b;
	}
	if (j == lo) {		/* nothing merged: insert */
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->v = realloc(s->v, s->cap * sizeof(*s->v));
			if (s->v == NULL) {
				fprintf(stderr, "postmortem: out of memory\n");
				exit(1);
			}
		}
		memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof(*s->v));
		s->n++;
	} else {
		memmove(s->v + lo + 1, s->v + j, (s->n - j) * sizeof(*s->v));
		s->n -= j - lo - 1;
	}
	s->v[lo] = (struct span){ a, b };
}

bool spans_has(const struct spans *s, uint64_t x)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].b <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->v[lo].a <= x;
}

void spans_gaps(const struct spans *s, uint64_t lo, uint64_t hi, struct spans *out)
{
	uint64_t at = lo;

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

uint64_t spans_total(const struct spans *s)
{
	uint64_t t = 0;

	for (size_t i = 0; i < s->n; i++)
		t += s->v[i].b - s->v[i].a;
	return t;
}
