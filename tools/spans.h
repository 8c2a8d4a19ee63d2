/*
 * spans: a set of byte (or number) ranges as sorted, disjoint half-open
 * intervals [a, b) that never touch (adjacent ones are merged), for the
 * host tools' bookkeeping of what arrived and what is missing.
 *
 * Interface: a zeroed struct spans is empty; spans_add() inserts,
 * spans_has() and spans_gaps() query, free(s.v) releases.  Host only:
 * grows with realloc() and exits with a message when memory runs out.
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
};

/* Add [a, b) (nothing when a >= b), merging what it overlaps or touches. */
void spans_add(struct spans *s, uint64_t a, uint64_t b);

/* Is x inside one of the intervals? */
bool spans_has(const struct spans *s, uint64_t x);

/* Add to out the parts of [lo, hi) that s does not hold. */
void spans_gaps(const struct spans *s, uint64_t lo, uint64_t hi, struct spans *out);

/* Sum of the intervals' lengths. */
uint64_t spans_total(const struct spans *s);

#endif
