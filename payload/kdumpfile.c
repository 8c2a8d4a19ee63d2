/*
 * kdumpfile: the kdump-compressed dump in windows (see kdumpfile.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "payload/kdumpfile.h"

#define KF_PFN_LIMIT	(1ull << 40)	/* diskdump_begin()'s: 2^52 bytes of memory */

/* The 1st bitmap's window [pfn0, pfn0 + n): every page a range touches. */
static void kf_present(const struct kdumpfile *kf, uint64_t pfn0, uint64_t n, uint8_t *bits)
{
	const struct kdumpfile_src *s = kf->src;
	uint64_t start, size;
	size_t cursor = 0;

	memset(bits, 0, (size_t)((n + 7) / 8));
	while (s->range_next(s->ctx, &cursor, &start, &size) == 0) {
		uint64_t a, e;

		if (size == 0 || start + size < start || start + size > KF_PFN_LIMIT * DISKDUMP_BLOCK)
			continue;	/* (the plan refused those) */
		a = start / DISKDUMP_BLOCK;
		e = (start + size + DISKDUMP_BLOCK - 1) / DISKDUMP_BLOCK;
		if (a < pfn0)
			a = pfn0;
		if (e > pfn0 + n)
			e = pfn0 + n;
		if (a < e)
			diskdump_bits_set(bits, a - pfn0, e - pfn0);
	}
}

/* The writer's bitmap producer. */
static int kf_fill(void *ctx, int which, uint64_t pfn0, uint64_t n, uint8_t *bits)
{
	struct kdumpfile *kf = ctx;

	kf_present(kf, pfn0, n, bits);
	if (which == 2 && kf->filtered && pagefilter_window(&kf->pf, pfn0, pfn0 + n, bits) != NULL)
		return -ESTALE;		/* it ran in the plan: the struct pages changed since */
	return 0;
}

/* A page into page (the batch's memory in the one pass in batches),
 * counted for progress. */
static int kf_read(void *ctx, uint64_t pfn, void *page)
{
	struct kdumpfile *kf = ctx;

	kf->src->read_page(kf->src->ctx, pfn, page);
	kf->done++;
	if (kf->src->progress)
		kf->src->progress(kf->src->ctx, kf->done);
	return 0;
}

/* The writer's page source. */
static const void *kf_page(void *ctx, uint64_t pfn)
{
	struct kdumpfile *kf = ctx;

	(void)kf_read(kf, pfn, kf->page);
	return kf->page;
}

static void kf_rewind(const struct kdumpfile *kf)
{
	if (kf->src->rewind)
		kf->src->rewind(kf->src->ctx);
}

/* Set the filter up; NULL, or why it cannot run. */
static const char *kf_filter_init(struct kdumpfile *kf, const char *vi, size_t vlen)
{
	const char *why;

	if (vi == NULL || vlen == 0)
		return "no VMCOREINFO note";
	if (kf->src->read_phys == NULL)
		return "no physical reads for the struct pages";
	why = kinfo_read(vi, vlen, &kf->ki);
	if (why)
		return why;
	if (kpgtable_init(&kf->pt, &kf->ki, kf->src->read_phys, kf->src->ctx) != 0)
		return "the page-table walker refused the layout";
	return pagefilter_init(&kf->pf, &kf->ki, &kf->pt, kf->level, kf->max_mapnr, kf->fbuf,
			       sizeof(kf->fbuf));
}

int kdumpfile_plan(struct kdumpfile *kf, const struct kdumpfile_src *src, unsigned level,
		   const char *vmcoreinfo, size_t vmcoreinfo_len)
{
	uint64_t start, size;
	size_t cursor = 0;

	if (kf == NULL || src == NULL || src->range_next == NULL || src->read_page == NULL)
		return -EINVAL;
	memset(kf, 0, offsetof(struct kdumpfile, ki));
	kf->src = src;
	kf->level = kf->level_recorded = level;
	while (src->range_next(src->ctx, &cursor, &start, &size) == 0) {
		uint64_t end;

		if (size == 0)
			continue;
		if (start + size < start || start + size > KF_PFN_LIMIT * DISKDUMP_BLOCK)
			return -E2BIG;
		end = (start + size + DISKDUMP_BLOCK - 1) / DISKDUMP_BLOCK;
		if (end > kf->max_mapnr)
			kf->max_mapnr = end;
	}
	if (kf->max_mapnr == 0)
		return -ENOENT;
	if (level & ~1u) {	/* anything beyond zero pages needs the struct pages */
		kf->why = kf_filter_init(kf, vmcoreinfo, vmcoreinfo_len);
		kf->filtered = kf->why == NULL;
	}
	/* The plan's walk: the pages that exist, and those the level keeps. */
	for (uint64_t p0 = 0; p0 < kf->max_mapnr; p0 += KDUMPFILE_WINDOW_PFNS) {
		uint64_t n = kf->max_mapnr - p0 < KDUMPFILE_WINDOW_PFNS ? kf->max_mapnr - p0 :
			     KDUMPFILE_WINDOW_PFNS;

		kf_present(kf, p0, n, kf->window);
		kf->present += diskdump_bits_count(kf->window, 0, n);
		if (kf->filtered) {
			kf->why = pagefilter_window(&kf->pf, p0, p0 + n, kf->window);
			if (kf->why)
				kf->filtered = false;
			else
				kf->pages += diskdump_bits_count(kf->window, 0, n);
		}
	}
	if (kf->filtered) {
		kf->st = kf->pf.st;
		kf->why = pagefilter_finish(&kf->pf);
		if (kf->why)
			kf->filtered = false;
	}
	if (!kf->filtered) {
		kf->pages = kf->present;
		if (kf->why)
			kf->level_recorded = level & 1;
	}
	return 0;
}

/* The header's facts as the file records them. */
static void kf_info(const struct kdumpfile *kf, const struct diskdump_info *info,
		    struct diskdump_info *di)
{
	*di = *info;
	di->max_mapnr = kf->max_mapnr;
	di->dump_level = (int32_t)kf->level_recorded;
}

/* Lay the file out in kf->w without writing (nothing is read: a measuring
 * writer's begin() stops at the layout). */
static int kf_layout(struct kdumpfile *kf, const struct diskdump_info *di)
{
	static const struct diskdump_out measure = { NULL, NULL, false };
	struct diskdump_bitmaps bm = { kf_fill, kf, kf->window, sizeof(kf->window) };

	return diskdump_begin(&kf->w, di, &bm, kf->pages, &measure);
}

uint64_t kdumpfile_bound(struct kdumpfile *kf, const struct diskdump_info *info)
{
	struct diskdump_info di;

	if (kf == NULL || kf->src == NULL || kf->max_mapnr == 0 || info == NULL)
		return 0;
	kf_info(kf, info, &di);
	if (kf_layout(kf, &di) != 0)
		return 0;
	/* pages <= max_mapnr <= 2^40: no overflow */
	return kf->w.lay.data + kf->pages * DISKDUMP_BLOCK;
}

int kdumpfile_write(struct kdumpfile *kf, const struct diskdump_info *info,
		    const struct kdumpfile_dst *dst)
{
	struct diskdump_info di;
	struct diskdump_bitmaps bm;
	struct diskdump_pages pg = { kf_page, kf, NULL, NULL };
	uint64_t bound, m_end = 0, m_forms = 0;
	bool remeasure = false;
	int err;

	if (kf == NULL || kf->src == NULL || kf->max_mapnr == 0 || info == NULL || dst == NULL ||
	    dst->out.write == NULL)
		return -EINVAL;
	kf_info(kf, info, &di);
	bm = (struct diskdump_bitmaps){ kf_fill, kf, kf->window, sizeof(kf->window) };
	kf->measured = false;
	kf->bound = false;
	kf->single = false;
	kf->size = 0;
	kf->done = 0;
	if (dst->begin) {
		/* The bound when the target takes it (no pass over the pages),
		 * else the measuring pass. */
		bound = kdumpfile_bound(kf, info);
		if (bound && dst->room && bound <= dst->room(dst->ctx)) {
			kf->bound = true;
			kf->size = bound;
		} else {
			err = kf_layout(kf, &di);
			kf_rewind(kf);
			if (err == 0)
				err = diskdump_descs(&kf->w, &pg);
			if (err)
				return err;
			kf->size = kf->w.data_end;
			m_end = kf->w.data_end;
			m_forms = kf->w.forms[0];
			remeasure = true;
		}
		kf->measured = true;
		err = dst->begin(dst->ctx, kf->size, &di.status_flags);
		if (err)
			return err;
	}
	kf->measured = true;
	kf->single = dst->out.seekable;
	err = diskdump_begin(&kf->w, &di, &bm, kf->pages, &dst->out);
	kf_rewind(kf);
	if (kf->single) {
		/* One pass: never more bytes than the target was told (the
		 * bound, or the measured size, checked exactly below). */
		if (dst->off) {	/* in batches, formed beside the pass */
			pg.read = kf_read;
			pg.off = dst->off;
		}
		if (err == 0)
			err = diskdump_single(&kf->w, &pg, kf->size ? kf->size : UINT64_MAX);
	} else {
		if (err == 0)
			err = diskdump_descs(&kf->w, &pg);
	}
	/* The size the target was told came from the measuring pass: pages
	 * that changed since (a device writing into RAM) would make a file of
	 * another size than announced, so the descriptors must describe
	 * exactly what was measured. */
	if (err == 0 && remeasure && (kf->w.data_end != m_end || kf->w.forms[0] != m_forms))
		err = kf->w.error = -ESTALE;
	if (!kf->single) {
		if (err == 0)
			err = diskdump_data(&kf->w);
		kf_rewind(kf);
		if (err == 0)
			err = diskdump_pages(&kf->w, &pg);
	}
	if (err == 0)
		err = diskdump_end(&kf->w);
	if (kf->size == 0 || (kf->bound && err == 0))
		kf->size = kf->w.data_end;	/* the real size, now written */
	return err;
}

void kdumpfile_level_line(const struct kdumpfile *kf, char *buf, size_t len)
{
	const uint64_t *c = kf->st.counts;

	if (kf->why)
		snprintf(buf, len, "kdump level %u: not filtering (%s): every page kept, dump level "
			 "%u recorded", kf->level, kf->why, kf->level_recorded);
	else if (!kf->filtered)
		snprintf(buf, len, "kdump level %u: every page kept (%llu pages; zero pages stored "
			 "as one)", kf->level, (unsigned long long)kf->present);
	else
		snprintf(buf, len, "kdump level %u: left out %llu of %llu pages (free %llu, cache "
			 "%llu, cache with private data %llu, user %llu, hugetlb %llu, poisoned or "
			 "offline %llu)", kf->level, (unsigned long long)kf->st.left_out,
			 (unsigned long long)kf->present,
			 (unsigned long long)(c[PAGECLASS_FREE] + c[PAGECLASS_UNACCEPTED]),
			 (unsigned long long)c[PAGECLASS_CACHE],
			 (unsigned long long)c[PAGECLASS_CACHE_PRIVATE],
			 (unsigned long long)c[PAGECLASS_USER], (unsigned long long)c[PAGECLASS_HUGETLB],
			 (unsigned long long)(c[PAGECLASS_HWPOISON] + c[PAGECLASS_OFFLINE]));
}
