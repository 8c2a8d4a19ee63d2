/*
 * spans: a set of byte (or number) ranges as half-open intervals [a, b),
 * for the host tools' bookkeeping of what arrived and what is missing.
 *
 * Interface: a zeroed struct spans is empty; spans_add() inserts,
 * spans_has(), spans_gaps() and spans_total() query, free(s.v) releases.
 * Adding is O(1): an interval that continues the last one (frames in
 * order) is merged into it, any other is appended and the set marked
 * unsorted.  Every query first normalizes (spans_norm(): one sort and a
 * merge, O(n log n)) so that afterwards s->v[0 .. n) is sorted, disjoint
 * and never touching; a capture in any order costs O(n log n) in all, never
 * a shift of the array per insert.  Host only: grows with realloc() and
 * exits with a message when memory runs out.
 */
#ifndef TOOLS_SPANS_H
#define TOOLS_SPANS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct span {
	uint64_t a, b;
};

struct spans {
	struct span *v;
	size_t n, cap;
	bool unsorted;		/* appended out of order since the last spans_norm() */
};

/* Add [a, b) (nothing when a >= b). */
void spans_add(struct spans *s, uint64_t a, uint64_t b);

/* Sort and merge: v[] sorted, disjoint, adjacent intervals joined. */
void spans_norm(struct spans *s);

/* Is x inside one of the intervals? */
bool spans_has(struct spans *s, uint64_t x);

/* Add to out the parts of [lo, hi) that s does not hold. */
void spans_gaps(struct spans *s, uint64_t lo, uint64_t hi, struct spans *out);

/* Sum of the intervals' lengths (overlaps counted once). */
uint64_t spans_total(struct spans *s);

#endif
