/*
 * Dump range arithmetic (see dumpplan.h).  Ranges are half-open
 * [start, start + size); sizes never wrap (checked on entry).
 */
#include <errno.h>
#include <string.h>

#include "formats/dumpplan.h"

void dumpplan_init(struct dumpplan *p)
{
	p->n = 0;
	p->total = 0;
}

int dumpplan_add(struct dumpplan *p, uint64_t start, uint64_t size, uint64_t read_from,
		 uint64_t vaddr)
{
	if (size == 0 || start + size < start || read_from + size < read_from)
		return -EINVAL;
	if (p->n == DUMPPLAN_MAX)
		return -ENOSPC;
	p->r[p->n++] = (struct dumpplan_range){ start, size, read_from, vaddr };
	return 0;
}

/* Keep [start, end) of range r (a sub-range), shifting read_from/vaddr. */
static struct dumpplan_range piece(const struct dumpplan_range *r, uint64_t start, uint64_t end)
{
	uint64_t d = start - r->start;

	return (struct dumpplan_range){ start, end - start, r->read_from + d, r->vaddr ? r->vaddr + d : 0 };
}

int dumpplan_exclude(struct dumpplan *p, uint64_t start, uint64_t size)
{
	uint64_t end = start + size;
	int err = 0;

	if (size == 0 || end < start)
		return -EINVAL;
	for (size_t i = 0; i < p->n; i++) {
		struct dumpplan_range r = p->r[i];
		uint64_t rend = r.start + r.size;

		if (end <= r.start || start >= rend)
			continue;
		if (start <= r.start && end >= rend) {		/* all of it */
			p->r[i--] = p->r[--p->n];
			continue;
		}
		if (start > r.start && end < rend) {		/* a hole: split */
			if (p->n == DUMPPLAN_MAX) {
				err = -ENOSPC;	/* keep the lower part only */
				p->r[i] = piece(&r, r.start, start);
				continue;
			}
			p->r[i] = piece(&r, r.start, start);
			p->r[p->n++] = piece(&r, end, rend);
			continue;
		}
		p->r[i] = start <= r.start ? piece(&r, end, rend) : piece(&r, r.start, start);
	}
	return err;
}

static void sort(struct dumpplan *p)
{
	for (size_t i = 1; i < p->n; i++) {
		struct dumpplan_range k = p->r[i];
		size_t j = i;

		for (; j > 0 && p->r[j - 1].start > k.start; j--)
			p->r[j] = p->r[j - 1];
		p->r[j] = k;
	}
}

void dumpplan_finish(struct dumpplan *p)
{
	size_t out = 0;

	sort(p);
	for (size_t i = 0; i < p->n; i++) {
		struct dumpplan_range *prev = out ? &p->r[out - 1] : NULL;
		struct dumpplan_range r = p->r[i];
		uint64_t pend = prev ? prev->start + prev->size : 0;

		if (prev && r.start < pend) {			/* overlap: trim */
			uint64_t rend = r.start + r.size;

			if (rend <= pend)
				continue;
			r = piece(&r, pend, rend);
		}
		if (prev && r.start == pend && r.read_from == prev->read_from + prev->size &&
		    (r.vaddr == 0) == (prev->vaddr == 0) &&
		    (r.vaddr == 0 || r.vaddr == prev->vaddr + prev->size)) {
			prev->size += r.size;			/* contiguous: merge */
			continue;
		}
		p->r[out++] = r;
	}
	p->n = out;
	p->total = 0;
	for (size_t i = 0; i < p->n; i++)
		p->total += p->r[i].size;
}
