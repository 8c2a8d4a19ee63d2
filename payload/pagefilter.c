/*
 * pagefilter: the dump level over a whole machine (see pagefilter.h).
 */
#include <errno.h>
#include <string.h>

#include "formats/memsect.h"
#include "payload/pagefilter.h"

static inline int pf_bit(const uint8_t *bm, uint64_t pfn)
{
	return (bm[pfn >> 3] >> (pfn & 7)) & 1;
}

static inline void pf_clear(uint8_t *bm, uint64_t pfn)
{
	bm[pfn >> 3] &= (uint8_t)~(1u << (pfn & 7));
}

/* The next pfn at or after pfn with its 1st-bitmap bit set (max_pfn: none). */
static uint64_t pf_next(const uint8_t *bm, uint64_t pfn, uint64_t max_pfn)
{
	while (pfn < max_pfn) {
		if ((pfn & 7) == 0 && bm[pfn >> 3] == 0) {
			pfn += 8;
			continue;
		}
		if (pf_bit(bm, pfn))
			return pfn;
		pfn++;
	}
	return max_pfn;
}

/* Classify pfns [pfn, pfn + n) from their struct pages in buf (avail of them). */
static uint64_t pf_batch(const struct kinfo *ki, unsigned level, uint64_t max_pfn,
			 const uint8_t *bm1, uint8_t *bm2, const uint8_t *buf, uint64_t pfn,
			 uint64_t n, uint64_t avail, struct pagefilter_stats *st)
{
	uint64_t sz = ki->v[KINFO_SIZE_PAGE], i = 0;

	while (i < n) {
		struct pageclass_result r;
		uint64_t p = pfn + i;

		if (!pf_bit(bm1, p)) {
			i++;
			continue;
		}
		if (pageclass_classify(ki, p, buf + i * sz, i + 1 < avail ? buf + (i + 1) * sz : NULL,
				       &r) != 0) {
			i++;
			continue;
		}
		if (r.cls != PAGECLASS_TAIL && !pageclass_keep(r.cls, level)) {
			uint64_t k = r.nr_pages ? r.nr_pages : 1;

			if (k > max_pfn - p)
				k = max_pfn - p;
			for (uint64_t j = 0; j < k; j++)
				if (pf_bit(bm1, p + j) && pf_bit(bm2, p + j)) {
					pf_clear(bm2, p + j);
					st->left_out++;
					st->counts[r.cls]++;
				}
			i += k;
		} else {
			st->counts[r.cls]++;
			i++;
		}
	}
	return i;	/* may pass n: a block that runs past the batch */
}

const char *pagefilter_run(const struct kinfo *ki, const struct kpgtable *pt, unsigned dump_level,
			   uint64_t max_pfn, const uint8_t *bitmap1, uint8_t *bitmap2, void *buf,
			   size_t buflen, struct pagefilter_stats *st)
{
	struct memsect ms;
	uint64_t sz, per_buf, pfn;
	const char *why;

	if (ki == NULL || pt == NULL || bitmap1 == NULL || bitmap2 == NULL || buf == NULL ||
	    st == NULL)
		return "no layout, page tables, bitmaps or buffer";
	memset(st, 0, sizeof(*st));
	sz = ki->v[KINFO_SIZE_PAGE];
	if (sz == 0 || buflen / sz < 2)
		return "the buffer holds fewer than two struct pages";
	per_buf = buflen / sz - 1;
	if (per_buf * sz > KPGTABLE_READ_MAX)
		per_buf = KPGTABLE_READ_MAX / sz - 1;
	if (memsect_init(&ms, ki, pt) != 0)
		return "the crashed kernel's mem_section table cannot be walked";
	for (uint64_t p = 0; p < max_pfn; p++)
		st->pages += (uint64_t)pf_bit(bitmap1, p);

	pfn = pf_next(bitmap1, 0, max_pfn);
	while (pfn < max_pfn) {
		uint64_t sec_end = ((pfn >> ms.pfn_section_shift) + 1) << ms.pfn_section_shift;
		uint64_t n = per_buf, avail, va, done;
		int err;

		if (sec_end > max_pfn || sec_end <= pfn)
			sec_end = max_pfn;
		if (n > sec_end - pfn)
			n = sec_end - pfn;
		err = memsect_page(&ms, pfn, &va);
		if (err == -ENOENT || err == -ERANGE) {		/* no struct pages here: keep */
			for (uint64_t p = pfn; p < sec_end; p++)
				st->no_struct_page += (uint64_t)pf_bit(bitmap1, p);
			pfn = pf_next(bitmap1, sec_end, max_pfn);
			continue;
		}
		if (err != 0)
			return "the crashed kernel's mem_section entries are not kernel addresses";
		/* One struct page more when it is in the same section (a
		 * compound head keeps its order in the first tail). */
		avail = n + (pfn + n < sec_end ? 1 : 0);
		st->reads++;
		if (kpgtable_read_virt(pt, va, buf, (size_t)(avail * sz)) != 0) {
			avail = n;
			if (kpgtable_read_virt(pt, va, buf, (size_t)(avail * sz)) != 0) {
				for (uint64_t p = pfn; p < pfn + n; p++)	/* kept */
					st->unreadable += (uint64_t)pf_bit(bitmap1, p);
				pfn = pf_next(bitmap1, pfn + n, max_pfn);
				continue;
			}
		}
		done = pf_batch(ki, dump_level, max_pfn, bitmap1, bitmap2, buf, pfn, n, avail, st);
		pfn = pf_next(bitmap1, pfn + done, max_pfn);
	}
	why = pageclass_implausible(st->counts, st->pages);
	return why;
}
