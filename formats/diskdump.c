/*
 * diskdump: makedumpfile's kdump-compressed file (see diskdump.h).
 */
#include <errno.h>
#include <string.h>

#include "formats/diskdump.h"

uint64_t diskdump_bitmap_bytes(uint64_t max_mapnr)
{
	uint64_t bytes = (max_mapnr + 7) / 8;

	return (bytes + DISKDUMP_BLOCK - 1) / DISKDUMP_BLOCK * DISKDUMP_BLOCK;
}

static int dd_write(struct diskdump_writer *w, uint64_t off, const void *buf, size_t len)
{
	int err;

	if (w->error)
		return w->error;
	err = w->out.write(w->out.ctx, off, buf, len);
	if (err)
		w->error = err < 0 ? err : -EIO;
	return w->error;
}

/* A bitmap's bytes, then zeros up to its whole blocks. */
static int dd_write_bitmap(struct diskdump_writer *w, uint64_t off, const uint8_t *bm)
{
	uint64_t used = (w->info.max_mapnr + 7) / 8, total = diskdump_bitmap_bytes(w->info.max_mapnr);
	int err = used ? dd_write(w, off, bm, (size_t)used) : 0;

	memset(w->cbuf, 0, sizeof(w->cbuf));
	for (uint64_t at = used; err == 0 && at < total;) {
		size_t n = total - at < DISKDUMP_BLOCK ? (size_t)(total - at) : DISKDUMP_BLOCK;

		err = dd_write(w, off + at, w->cbuf, n);
		at += n;
	}
	return err;
}

static void dd_uts(char *field, const char *s)
{
	size_t n = s ? strnlen(s, DISKDUMP_UTS_LEN - 1) : 0;

	memset(field, 0, DISKDUMP_UTS_LEN);
	if (n)
		memcpy(field, s, n);
}

int diskdump_begin(struct diskdump_writer *w, const struct diskdump_info *info,
		   const uint8_t *bitmap1, const uint8_t *bitmap2, uint64_t pages,
		   const struct diskdump_out *out)
{
	struct diskdump_header h;
	struct diskdump_sub_header sh;
	struct diskdump_layout *l;
	uint64_t sub_bytes, bm;

	if (w == NULL || info == NULL || bitmap1 == NULL || bitmap2 == NULL || out == NULL ||
	    out->write == NULL || info->max_mapnr == 0 || pages > info->max_mapnr ||
	    (info->notes == NULL && info->notes_len) ||
	    (info->vmcoreinfo == NULL && info->vmcoreinfo_len))
		return -EINVAL;
	if (info->max_mapnr > (1ull << 40) || info->notes_len > (64u << 20) ||
	    info->vmcoreinfo_len > (1u << 20))
		return -E2BIG;
	memset(w, 0, sizeof(*w));
	w->info = *info;
	w->out = *out;
	w->bitmap2 = bitmap2;
	l = &w->lay;
	sub_bytes = sizeof(sh) + info->notes_len + info->vmcoreinfo_len;
	l->sub_hdr_blocks = (uint32_t)((sub_bytes + DISKDUMP_BLOCK - 1) / DISKDUMP_BLOCK);
	bm = diskdump_bitmap_bytes(info->max_mapnr);
	if (2 * bm / DISKDUMP_BLOCK > UINT32_MAX)
		return -E2BIG;
	l->bitmap_blocks = (uint32_t)(2 * bm / DISKDUMP_BLOCK);
	l->sub_header = DISKDUMP_BLOCK;
	l->notes = l->sub_header + sizeof(sh);
	l->vmcoreinfo = l->notes + info->notes_len;
	l->bitmap1 = (uint64_t)(1 + l->sub_hdr_blocks) * DISKDUMP_BLOCK;
	l->bitmap2 = l->bitmap1 + bm;
	l->descs = l->bitmap2 + bm;
	l->pages = pages;
	l->zero_page = l->descs + pages * sizeof(struct diskdump_page_desc);
	l->data = l->zero_page + DISKDUMP_BLOCK;
	w->data_end = l->data;

	memset(&h, 0, sizeof(h));
	memcpy(h.signature, DISKDUMP_SIGNATURE, sizeof(h.signature));
	h.header_version = DISKDUMP_VERSION;
	dd_uts(h.utsname[0], info->sysname);
	dd_uts(h.utsname[1], info->nodename);
	dd_uts(h.utsname[2], info->release);
	dd_uts(h.utsname[3], info->version);
	dd_uts(h.utsname[4], info->machine);
	h.tv_sec = info->tv_sec;
	h.status = info->compress ? info->compression : 0;
	h.block_size = DISKDUMP_BLOCK;
	h.sub_hdr_size = (int32_t)l->sub_hdr_blocks;
	h.bitmap_blocks = l->bitmap_blocks;
	h.max_mapnr = info->max_mapnr > UINT32_MAX ? UINT32_MAX : (uint32_t)info->max_mapnr;
	h.total_ram_blocks = pages > UINT32_MAX ? UINT32_MAX : (uint32_t)pages;
	h.nr_cpus = info->nr_cpus;

	memset(&sh, 0, sizeof(sh));
	sh.phys_base = info->phys_base;
	sh.dump_level = info->dump_level;
	sh.end_pfn = info->max_mapnr;
	sh.offset_note = info->notes_len ? l->notes : 0;
	sh.size_note = info->notes_len;
	sh.offset_vmcoreinfo = info->vmcoreinfo_len ? l->vmcoreinfo : 0;
	sh.size_vmcoreinfo = info->vmcoreinfo_len;
	sh.end_pfn_64 = info->max_mapnr;
	sh.max_mapnr_64 = info->max_mapnr;

	/* Block 0 and the sub-header blocks whole: zeros where nothing goes. */
	memset(w->cbuf, 0, sizeof(w->cbuf));
	memcpy(w->cbuf, &h, sizeof(h));
	dd_write(w, 0, w->cbuf, DISKDUMP_BLOCK);
	memset(w->cbuf, 0, sizeof(w->cbuf));
	for (uint32_t b = 0; b < l->sub_hdr_blocks; b++)
		dd_write(w, l->sub_header + (uint64_t)b * DISKDUMP_BLOCK, w->cbuf, DISKDUMP_BLOCK);
	dd_write(w, l->sub_header, &sh, sizeof(sh));
	if (info->notes_len)
		dd_write(w, l->notes, info->notes, info->notes_len);
	if (info->vmcoreinfo_len)
		dd_write(w, l->vmcoreinfo, info->vmcoreinfo, info->vmcoreinfo_len);
	dd_write_bitmap(w, l->bitmap1, bitmap1);
	dd_write_bitmap(w, l->bitmap2, bitmap2);
	memset(w->cbuf, 0, sizeof(w->cbuf));
	return dd_write(w, l->zero_page, w->cbuf, DISKDUMP_BLOCK);
}

static int dd_flush(struct diskdump_writer *w)
{
	uint64_t first = w->done - w->nbuf;
	int err = 0;

	if (w->nbuf)
		err = dd_write(w, w->lay.descs + first * sizeof(struct diskdump_page_desc), w->buf,
			       w->nbuf * sizeof(struct diskdump_page_desc));
	w->nbuf = 0;
	return err;
}

static bool dd_zero(const uint8_t *p)
{
	uint64_t v;

	for (size_t i = 0; i < DISKDUMP_BLOCK; i += 8) {
		memcpy(&v, p + i, 8);
		if (v)
			return false;
	}
	return true;
}

int diskdump_page(struct diskdump_writer *w, uint64_t pfn, const void *page)
{
	struct diskdump_page_desc d = { 0, DISKDUMP_BLOCK, 0, 0 };
	size_t clen = 0;
	int err;

	if (w == NULL || page == NULL)
		return -EINVAL;
	if (w->error)
		return w->error;
	if (pfn < w->next_pfn || pfn >= w->info.max_mapnr || !diskdump_bit(w->bitmap2, pfn) ||
	    w->done >= w->lay.pages)
		return -EINVAL;
	for (uint64_t q = w->next_pfn; q < pfn; q++)	/* a page of the 2nd bitmap skipped */
		if (diskdump_bit(w->bitmap2, q))
			return -EINVAL;
	if (dd_zero(page)) {
		d.offset = w->lay.zero_page;
		w->zero++;
	} else if (w->info.compress &&
		   w->info.compress(w->info.compress_ctx, page, w->cbuf, &clen) == 0 &&
		   clen > 0 && clen < DISKDUMP_BLOCK) {
		d.offset = w->data_end;
		d.size = (uint32_t)clen;
		d.flags = w->info.compression;
		err = dd_write(w, w->data_end, w->cbuf, clen);
		if (err)
			return err;
		w->data_end += clen;
		w->compressed++;
	} else {
		d.offset = w->data_end;
		err = dd_write(w, w->data_end, page, DISKDUMP_BLOCK);
		if (err)
			return err;
		w->data_end += DISKDUMP_BLOCK;
		w->stored++;
	}
	w->buf[w->nbuf++] = d;
	w->done++;
	w->next_pfn = pfn + 1;
	if (w->nbuf == DISKDUMP_DESCS_PER_FLUSH)
		return dd_flush(w);
	return 0;
}

int diskdump_end(struct diskdump_writer *w)
{
	int err;

	if (w == NULL)
		return -EINVAL;
	if (w->error)
		return w->error;
	err = dd_flush(w);
	if (err)
		return err;
	return w->done == w->lay.pages ? 0 : -ENODATA;
}
