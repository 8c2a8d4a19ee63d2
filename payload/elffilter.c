/*
 * elffilter: the ELF core's plan with the dump level applied, a window of
 * the 2nd bitmap at a time (see elffilter.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "formats/diskdump.h"
#include "payload/elffilter.h"

#define EF_PAGE		((uint64_t)ELFCORE_PAGE_SIZE)

uint64_t elffilter_max_pfn(const struct dumpplan_range *r, size_t n)
{
	uint64_t max = 0, e;

	for (size_t i = 0; r != NULL && i < n; i++) {
		if (r[i].size == 0)
			continue;
		e = (r[i].start + (r[i].size - 1)) / EF_PAGE + 1;	/* last pfn + 1: no wrap */
		if (r[i].start + (r[i].size - 1) < r[i].start)
			e = UINT64_MAX / EF_PAGE + 1;
		if (e > max)
			max = e;
	}
	return max;
}

/* The window's bits in: every page [pfn0, pfn1) a range touches. */
static void ef_present(const struct dumpplan_range *r, size_t n, uint64_t pfn0, uint64_t pfn1,
		       uint8_t *bits)
{
	memset(bits, 0, (size_t)((pfn1 - pfn0 + 7) / 8));
	for (size_t i = 0; i < n; i++) {
		uint64_t a, e;

		if (r[i].size == 0 || r[i].start + (r[i].size - 1) < r[i].start)
			continue;
		a = r[i].start / EF_PAGE;
		e = (r[i].start + (r[i].size - 1)) / EF_PAGE + 1;
		if (a < pfn0)
			a = pfn0;
		if (e > pfn1)
			e = pfn1;
		if (a < e)
			diskdump_bits_set(bits, a - pfn0, e - pfn0);
	}
}

/* Walk windows on until pfn upto - 1 is inside [*w0, *w1). */
static int ef_advance(const struct dumpplan_range *r, size_t n, uint64_t upto, uint64_t max_pfn,
		      uint64_t wpfns, elffilter_window_fn window, void *ctx, uint8_t *bits,
		      uint64_t *w0, uint64_t *w1, struct elffilter_counts *c, const char **why)
{
	while (upto > *w1) {
		*w0 = *w1;
		*w1 = max_pfn - *w0 < wpfns ? max_pfn : *w0 + wpfns;
		if (*w1 <= *w0) {
			*why = "a page past the dump's last page";
			return -ECANCELED;
		}
		ef_present(r, n, *w0, *w1, bits);
		c->windows++;
		*why = window(ctx, *w0, *w1, bits);
		if (*why != NULL)
			return -ECANCELED;
	}
	return 0;
}

int elffilter_split(struct elfcore_split *s, const struct dumpplan_range *r, size_t n,
		    elffilter_window_fn window, void *ctx, const struct elfcore_zero_scan *zero,
		    uint8_t *bits, size_t bits_len, struct elffilter_counts *c, const char **why)
{
	uint64_t max_pfn, wpfns, w0 = 0, w1 = 0;
	unsigned restarts = 0;
	int err, z;

	if (s == NULL || (r == NULL && n != 0) || window == NULL || bits == NULL || bits_len == 0 ||
	    bits_len > UINT64_MAX / 16 || c == NULL || why == NULL || s->run_bytes == 0)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	*why = NULL;
	max_pfn = elffilter_max_pfn(r, n);
	wpfns = (uint64_t)bits_len * 8;
	if (zero != NULL && (zero->is_zero == NULL || zero->min_run_pages == 0))
		zero = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct dumpplan_range *g = &r[i];
		uint64_t off, len, addr, pfn, k;

		err = elfcore_split_begin(s, g, i);
		if (err != 0)
			return err;
		for (off = 0; off < g->size; off += len) {
			addr = g->start + off;
			pfn = addr / EF_PAGE;
			len = EF_PAGE - (addr & (EF_PAGE - 1));
			if (len > g->size - off)
				len = g->size - off;
			if (pfn < w0) {		/* a range behind the walk: a new walk from 0 */
				if (++restarts > ELFFILTER_RESTARTS_MAX) {
					*why = "the dump's ranges are too far out of order";
					return -ECANCELED;
				}
				w0 = w1 = 0;
				c->restarts++;
			}
			err = ef_advance(r, n, pfn + 1, max_pfn, wpfns, window, ctx, bits, &w0, &w1, c,
					 why);
			if (err != 0)
				return err;
			c->pages++;
			if (!diskdump_bit(bits, pfn - w0)) {
				/* Left out: this page and those after it that are
				 * left out too, up to the window's or range's end,
				 * in one chunk and never read. */
				k = diskdump_bits_next(bits, pfn - w0 + 1, w1 - w0) + w0;
				if (k > pfn + 1) {
					uint64_t more = (k - pfn - 1) * EF_PAGE;

					if (more > g->size - off - len)
						more = g->size - off - len;
					c->pages += (more + EF_PAGE - 1) / EF_PAGE;
					c->left_out += (more + EF_PAGE - 1) / EF_PAGE;
					len += more;
				}
				c->left_out++;
				err = elfcore_split_chunk(s, len, true);
				if (err != 0)
					return err;
				continue;
			}
			z = zero != NULL ? zero->is_zero(zero->ctx, g->read_from + off, len) : 0;
			if (z < 0)
				return z;
			if (z)
				c->zero++;
			err = elfcore_split_chunk(s, len, z != 0);
			if (err != 0)
				return err;
		}
		err = elfcore_split_end(s);
		if (err != 0)
			return err;
	}
	/* The walk to the last page, so its totals are the whole machine's. */
	return ef_advance(r, n, max_pfn, max_pfn, wpfns, window, ctx, bits, &w0, &w1, c, why);
}

static const char *ef_window(void *ctx, uint64_t pfn0, uint64_t pfn1, uint8_t *bits)
{
	return pagefilter_window(&((struct elffilter *)ctx)->pf, pfn0, pfn1, bits);
}

/* Set the filter up; NULL, or why it cannot run. */
static const char *ef_filter_init(struct elffilter *ef, const char *vi, size_t vlen,
				  kpgtable_read_fn read_phys, void *ctx, uint64_t max_pfn)
{
	const char *why;

	if (vi == NULL || vlen == 0)
		return "no VMCOREINFO note";
	if (read_phys == NULL)
		return "no physical reads for the struct pages";
	why = kinfo_read(vi, vlen, &ef->ki);
	if (why)
		return why;
	if (kpgtable_init(&ef->pt, &ef->ki, read_phys, ctx) != 0)
		return "the page-table walker refused the layout";
	return pagefilter_init(&ef->pf, &ef->ki, &ef->pt, ef->level, max_pfn, ef->fbuf,
			       sizeof(ef->fbuf));
}

int elffilter_plan(struct elffilter *ef, const struct dumpplan_range *r, size_t n, unsigned level,
		   const char *vmcoreinfo, size_t vmcoreinfo_len, kpgtable_read_fn read_phys,
		   void *ctx, const struct elfcore_zero_scan *zero, struct elfcore_segment *segs,
		   size_t max_segs)
{
	struct elfcore_split s;
	uint64_t run;
	int err;

	if (ef == NULL || (r == NULL && n != 0) || segs == NULL)
		return -EINVAL;
	memset(ef, 0, offsetof(struct elffilter, ki));
	ef->level = ef->level_recorded = level;
	if (zero != NULL && (zero->is_zero == NULL || zero->min_run_pages == 0))
		zero = NULL;
	run = zero != NULL ? zero->min_run_pages : 0;
	if (level & ~1u) {	/* anything beyond zero pages needs the struct pages */
		ef->why = ef_filter_init(ef, vmcoreinfo, vmcoreinfo_len, read_phys, ctx,
					 elffilter_max_pfn(r, n));
		if (ef->why == NULL) {
			elfcore_split_init(&s, segs, max_segs, ELFFILTER_RUN_PAGES);
			err = elffilter_split(&s, r, n, ef_window, ef, zero, ef->window,
					      sizeof(ef->window), &ef->c, &ef->why);
			if (err != 0 && err != -ECANCELED)
				return err;
			if (err == 0) {
				ef->st = ef->pf.st;
				ef->why = pagefilter_finish(&ef->pf);
			}
			if (ef->why == NULL) {
				ef->filtered = true;
				ef->nsegs = s.nsegs;
				ef->min_run = elfcore_split_min_run(&s);
				return 0;
			}
		}
		ef->level_recorded = level & 1;
	}
	/* Every page: the plan without the level (zero pages as zero asks). */
	memset(&ef->c, 0, sizeof(ef->c));
	memset(&ef->st, 0, sizeof(ef->st));
	elfcore_split_init(&s, segs, max_segs, run);
	for (size_t i = 0; i < n; i++) {
		err = elfcore_split_range(&s, &r[i], i, zero);
		if (err != 0)
			return err;
	}
	ef->nsegs = s.nsegs;
	ef->min_run = elfcore_split_min_run(&s);
	return 0;
}

void elffilter_level_line(const struct elffilter *ef, char *buf, size_t len)
{
	const uint64_t *c = ef->st.counts;

	if (ef->why)
		snprintf(buf, len, "ELF level %u: not filtering (%s): every page kept, dump level %u "
			 "recorded", ef->level, ef->why, ef->level_recorded);
	else if (!ef->filtered)
		snprintf(buf, len, "ELF level %u: every page kept", ef->level);
	else
		snprintf(buf, len, "ELF level %u: left out %llu of %llu pages (free %llu, cache %llu, "
			 "cache with private data %llu, user %llu, hugetlb %llu, poisoned or offline "
			 "%llu)", ef->level, (unsigned long long)ef->st.left_out,
			 (unsigned long long)ef->st.pages,
			 (unsigned long long)(c[PAGECLASS_FREE] + c[PAGECLASS_UNACCEPTED]),
			 (unsigned long long)c[PAGECLASS_CACHE],
			 (unsigned long long)c[PAGECLASS_CACHE_PRIVATE],
			 (unsigned long long)c[PAGECLASS_USER], (unsigned long long)c[PAGECLASS_HUGETLB],
			 (unsigned long long)(c[PAGECLASS_HWPOISON] + c[PAGECLASS_OFFLINE]));
}
