/*
 * pagefilter: the dump level over a machine, a window at a time (see
 * pagefilter.h).
 */
#include <errno.h>
#include <string.h>

#include "formats/diskdump.h"
#include "payload/pagefilter.h"

const char *pagefilter_init(struct pagefilter *pf, const struct kinfo *ki,
			    const struct kpgtable *pt, unsigned dump_level, uint64_t max_pfn,
			    void *buf, size_t buflen)
{
	uint64_t sz, lim;

	if (pf == NULL || ki == NULL || pt == NULL || buf == NULL)
		return "no layout, page tables or buffer";
	memset(pf, 0, sizeof(*pf));
	sz = ki->v[KINFO_SIZE_PAGE];
	if (sz == 0 || buflen / sz < 2)
		return "the buffer holds fewer than two struct pages";
	lim = buflen / sz - 1;			/* a batch reads one more */
	if ((lim + 1) * sz > KPGTABLE_READ_MAX)
		lim = KPGTABLE_READ_MAX / sz - 1;
	pf->per_buf = 1;
	while (pf->per_buf * 2 <= lim)
		pf->per_buf *= 2;
	if (memsect_init(&pf->ms, ki, pt) != 0)
		return "the crashed kernel's mem_section table cannot be walked";
	pf->ki = ki;
	pf->pt = pt;
	pf->level = dump_level;
	pf->max_pfn = max_pfn;
	pf->buf = buf;
	pf->sec_nr = UINT64_MAX;
	return NULL;
}

/* The struct page of pfn, through its section's mem_map (one lookup per section). */
static int pf_struct_page(struct pagefilter *pf, uint64_t pfn, uint64_t *va)
{
	uint64_t nr = pfn >> pf->ms.pfn_section_shift;

	if (nr != pf->sec_nr) {
		pf->sec_nr = nr;
		pf->sec_err = memsect_section(&pf->ms, nr, &pf->sec_map);
	}
	*va = pf->sec_map + pfn * pf->ki->v[KINFO_SIZE_PAGE];
	return pf->sec_err;
}

/*
 * The block at pfn p that the level leaves out (r: its class and size):
 * cleared inside the window, its rest carried into the next windows.
 * Returns the pages it covers from p.
 */
static uint64_t pf_leave_out(struct pagefilter *pf, uint8_t *bits, uint64_t pfn0, uint64_t pfn1,
			     uint64_t p, const struct pageclass_result *r)
{
	uint64_t k = r->nr_pages ? r->nr_pages : 1, end, c;

	if (k > pf->max_pfn - p)
		k = pf->max_pfn - p;
	end = p + k;
	c = diskdump_bits_clear(bits, p - pfn0, (end < pfn1 ? end : pfn1) - pfn0);
	pf->st.left_out += c;
	pf->st.counts[r->cls] += c;
	if (end > pfn1) {
		pf->carry_end = end;
		pf->carry_cls = r->cls;
	}
	return k;
}

/*
 * Classify pfns [pfn, pfn + n) of the window (n within one section and
 * one aligned batch; va their first struct page).  Returns the pages
 * done from pfn: may pass n (a block that runs past the batch).
 */
static uint64_t pf_batch(struct pagefilter *pf, uint8_t *bits, uint64_t pfn0, uint64_t pfn1,
			 uint64_t pfn, uint64_t n, uint64_t va, uint64_t sec_end)
{
	const struct kinfo *ki = pf->ki;
	uint64_t sz = ki->v[KINFO_SIZE_PAGE], avail, i = 0;
	struct pageclass_result r;
	const uint8_t *buf = pf->buf;

	/* The head and its next struct page alone first: a left-out block
	 * (free memory, mostly) is skipped without reading the rest. */
	avail = pfn + 1 < sec_end ? 2 : 1;
	pf->st.reads++;
	if (kpgtable_read_virt(pf->pt, va, pf->buf, (size_t)(avail * sz)) == 0 &&
	    pageclass_classify(ki, pfn, buf, avail == 2 ? buf + sz : NULL, &r) == 0 &&
	    r.cls != PAGECLASS_TAIL && !pageclass_keep(r.cls, pf->level) && r.nr_pages > 1)
		return pf_leave_out(pf, bits, pfn0, pfn1, pfn, &r);

	/* One struct page more when it is in the same section (a compound
	 * head keeps its order in the first tail). */
	avail = n + (pfn + n < sec_end ? 1 : 0);
	pf->st.reads++;
	if (kpgtable_read_virt(pf->pt, va, pf->buf, (size_t)(avail * sz)) != 0) {
		avail = n;
		if (kpgtable_read_virt(pf->pt, va, pf->buf, (size_t)(avail * sz)) != 0) {
			pf->st.unreadable += diskdump_bits_count(bits, pfn - pfn0, pfn + n - pfn0);
			return n;	/* kept */
		}
	}
	while (i < n) {
		uint64_t p = pfn + i;

		if (!diskdump_bit(bits, p - pfn0)) {
			i++;
			continue;
		}
		if (pageclass_classify(ki, p, buf + i * sz, i + 1 < avail ? buf + (i + 1) * sz : NULL,
				       &r) != 0) {
			i++;
			continue;
		}
		if (r.cls != PAGECLASS_TAIL && !pageclass_keep(r.cls, pf->level)) {
			i += pf_leave_out(pf, bits, pfn0, pfn1, p, &r);
		} else {
			pf->st.counts[r.cls]++;
			i++;
		}
	}
	return i;
}

const char *pagefilter_window(struct pagefilter *pf, uint64_t pfn0, uint64_t pfn1, uint8_t *bits)
{
	uint64_t n, pfn, at = 0, shift;

	if (pf == NULL || pf->buf == NULL || bits == NULL)
		return "no filter state or bitmap";
	if (pfn0 == 0) {			/* a new walk */
		memset(&pf->st, 0, sizeof(pf->st));
		pf->carry_end = 0;
		pf->next_pfn = 0;
	}
	if (pfn0 != pf->next_pfn || pfn1 < pfn0 || pfn1 > pf->max_pfn)
		return "a window out of order or past the machine";
	n = pfn1 - pfn0;
	shift = pf->ms.pfn_section_shift;
	pf->st.pages += diskdump_bits_count(bits, 0, n);
	if (pf->carry_end > pfn0) {		/* a block from an earlier window */
		uint64_t e = pf->carry_end < pfn1 ? pf->carry_end : pfn1;
		uint64_t c = diskdump_bits_clear(bits, 0, e - pfn0);

		pf->st.left_out += c;
		pf->st.counts[pf->carry_cls] += c;
		at = e - pfn0;
	}
	pfn = pfn0 + diskdump_bits_next(bits, at, n);
	while (pfn < pfn1) {
		uint64_t sec_end = ((pfn >> shift) + 1) << shift;
		uint64_t lim = (pfn | (pf->per_buf - 1)) + 1, va, done;
		int err;

		if (sec_end > pf->max_pfn || sec_end <= pfn)
			sec_end = pf->max_pfn;
		if (lim > sec_end)
			lim = sec_end;
		if (lim > pfn1)
			lim = pfn1;
		err = pf_struct_page(pf, pfn, &va);
		if (err == -ENOENT || err == -ERANGE) {		/* no struct pages here: keep */
			uint64_t e = sec_end < pfn1 ? sec_end : pfn1;

			pf->st.no_struct_page += diskdump_bits_count(bits, pfn - pfn0, e - pfn0);
			pfn = pfn0 + diskdump_bits_next(bits, e - pfn0, n);
			continue;
		}
		if (err != 0)
			return "the crashed kernel's mem_section entries are not kernel addresses";
		done = pf_batch(pf, bits, pfn0, pfn1, pfn, lim - pfn, va, sec_end);
		pfn = done < pfn1 - pfn ? pfn + done : pfn1;
		pfn = pfn0 + diskdump_bits_next(bits, pfn - pfn0, n);
	}
	pf->next_pfn = pfn1;
	return NULL;
}

const char *pagefilter_finish(const struct pagefilter *pf)
{
	if (pf == NULL)
		return "no filter state";
	return pageclass_implausible(pf->st.counts, pf->st.pages);
}
