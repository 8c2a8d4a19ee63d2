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

/* Append len bytes (the output only ever grows at its end). */
static int dd_put(struct diskdump_writer *w, const void *buf, size_t len)
{
	int err;

	if (w->error)
		return w->error;
	err = w->out.write(w->out.ctx, w->pos, buf, len);
	if (err)
		return w->error = err < 0 ? err : -EIO;
	w->pos += len;
	return 0;
}

static int dd_fail(struct diskdump_writer *w, int err)
{
	if (w->error == 0)
		w->error = err;
	return w->error;
}

/* A bitmap's bytes, then zeros up to its whole blocks. */
static int dd_put_bitmap(struct diskdump_writer *w, const uint8_t *bm)
{
	uint64_t used = (w->info.max_mapnr + 7) / 8, total = diskdump_bitmap_bytes(w->info.max_mapnr);
	int err = dd_put(w, bm, (size_t)used);

	memset(w->cbuf, 0, sizeof(w->cbuf));
	for (uint64_t at = used; err == 0 && at < total;) {
		size_t n = total - at < DISKDUMP_BLOCK ? (size_t)(total - at) : DISKDUMP_BLOCK;

		err = dd_put(w, w->cbuf, n);
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

/* Copy the part of [src, src + len) at area offset a0 that falls in [b0, b0 + n). */
static void dd_slice(uint8_t *blk, uint64_t b0, size_t n, uint64_t a0, const void *src, size_t len)
{
	uint64_t lo = a0 > b0 ? a0 : b0, hi = a0 + len < b0 + n ? a0 + len : b0 + n;

	if (lo < hi)
		memcpy(blk + (lo - b0), (const uint8_t *)src + (lo - a0), (size_t)(hi - lo));
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
	w->pass = 1;

	memset(&h, 0, sizeof(h));
	memcpy(h.signature, DISKDUMP_SIGNATURE, sizeof(h.signature));
	h.header_version = DISKDUMP_VERSION;
	dd_uts(h.utsname[0], info->sysname);
	dd_uts(h.utsname[1], info->nodename);
	dd_uts(h.utsname[2], info->release);
	dd_uts(h.utsname[3], info->version);
	dd_uts(h.utsname[4], info->machine);
	h.tv_sec = info->tv_sec;
	h.status = (info->compress ? info->compression : 0) | info->status_flags;
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

	memset(w->cbuf, 0, sizeof(w->cbuf));
	memcpy(w->cbuf, &h, sizeof(h));
	dd_put(w, w->cbuf, DISKDUMP_BLOCK);
	/* The sub-header blocks, each built whole: struct, notes, VMCOREINFO. */
	for (uint32_t b = 0; b < l->sub_hdr_blocks; b++) {
		uint64_t b0 = (uint64_t)b * DISKDUMP_BLOCK;

		memset(w->cbuf, 0, sizeof(w->cbuf));
		dd_slice(w->cbuf, b0, DISKDUMP_BLOCK, 0, &sh, sizeof(sh));
		if (info->notes_len)
			dd_slice(w->cbuf, b0, DISKDUMP_BLOCK, sizeof(sh), info->notes, info->notes_len);
		if (info->vmcoreinfo_len)
			dd_slice(w->cbuf, b0, DISKDUMP_BLOCK, sizeof(sh) + info->notes_len,
				 info->vmcoreinfo, info->vmcoreinfo_len);
		dd_put(w, w->cbuf, DISKDUMP_BLOCK);
	}
	dd_put_bitmap(w, bitmap1);
	return dd_put_bitmap(w, bitmap2);
}

static int dd_flush(struct diskdump_writer *w)
{
	int err = w->nbuf ? dd_put(w, w->buf, w->nbuf * sizeof(struct diskdump_page_desc)) : w->error;

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

/*
 * The page's stored form: *size bytes (in cbuf when compressed) with
 * *flags; 0 size for an all-zero page.
 */
static void dd_form(struct diskdump_writer *w, const void *page, size_t *size, uint32_t *flags)
{
	size_t clen = 0;

	*flags = 0;
	if (dd_zero(page)) {
		*size = 0;
	} else if (w->info.compress &&
		   w->info.compress(w->info.compress_ctx, page, w->cbuf, &clen) == 0 &&
		   clen > 0 && clen < DISKDUMP_BLOCK) {
		*size = clen;
		*flags = w->info.compression;
	} else {
		*size = DISKDUMP_BLOCK;
	}
}

/* The order rules both passes share. */
static int dd_next(struct diskdump_writer *w, int pass, uint64_t pfn, const void *page)
{
	if (w->error)
		return w->error;
	if (w->pass != pass || page == NULL || pfn < w->next_pfn || pfn >= w->info.max_mapnr ||
	    !diskdump_bit(w->bitmap2, pfn) || w->done >= w->lay.pages)
		return dd_fail(w, -EINVAL);
	for (uint64_t q = w->next_pfn; q < pfn; q++)	/* a page of the 2nd bitmap skipped */
		if (diskdump_bit(w->bitmap2, q))
			return dd_fail(w, -EINVAL);
	w->next_pfn = pfn + 1;
	w->done++;
	return 0;
}

int diskdump_desc(struct diskdump_writer *w, uint64_t pfn, const void *page)
{
	struct diskdump_page_desc d = { 0, DISKDUMP_BLOCK, 0, 0 };
	size_t size;
	int err;

	if (w == NULL)
		return -EINVAL;
	if ((err = dd_next(w, 1, pfn, page)) != 0)
		return err;
	dd_form(w, page, &size, &d.flags);
	w->forms[0] = w->forms[0] * 0x100000001b3ull + size * 2 + (d.flags != 0);
	if (size == 0) {
		d.offset = w->lay.zero_page;
		w->zero++;
	} else {
		d.offset = w->data_end;
		d.size = (uint32_t)size;
		w->data_end += size;
		if (d.flags)
			w->compressed++;
		else
			w->stored++;
	}
	w->buf[w->nbuf++] = d;
	return w->nbuf == DISKDUMP_DESCS_PER_FLUSH ? dd_flush(w) : 0;
}

int diskdump_data(struct diskdump_writer *w)
{
	if (w == NULL)
		return -EINVAL;
	if (w->error)
		return w->error;
	if (w->pass != 1)
		return dd_fail(w, -EINVAL);
	if (w->done != w->lay.pages)
		return dd_fail(w, -ENODATA);
	if (dd_flush(w) != 0)
		return w->error;
	memset(w->cbuf, 0, sizeof(w->cbuf));
	w->pass = 2;
	w->next_pfn = 0;
	w->done = 0;
	return dd_put(w, w->cbuf, DISKDUMP_BLOCK);
}

int diskdump_page(struct diskdump_writer *w, uint64_t pfn, const void *page)
{
	size_t size;
	uint32_t flags;
	int err;

	if (w == NULL)
		return -EINVAL;
	if ((err = dd_next(w, 2, pfn, page)) != 0)
		return err;
	dd_form(w, page, &size, &flags);
	w->forms[1] = w->forms[1] * 0x100000001b3ull + size * 2 + (flags != 0);
	if (size == 0)
		return 0;
	if (w->pos + size > w->data_end)
		return dd_fail(w, -ESTALE);	/* more than pass 1 announced */
	return dd_put(w, flags ? w->cbuf : page, size);
}

int diskdump_end(struct diskdump_writer *w)
{
	if (w == NULL)
		return -EINVAL;
	if (w->error)
		return w->error;
	if (w->pass != 2 || w->done != w->lay.pages)
		return dd_fail(w, -ENODATA);
	if (w->pos != w->data_end || w->forms[0] != w->forms[1])
		return dd_fail(w, -ESTALE);	/* a page's form changed between the passes */
	return 0;
}

/* ------------------------------------------------------------- reading */

static uint64_t dd_count_bits(const uint8_t *bm, uint64_t nbits)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < nbits / 8; i++)
		n += (uint64_t)__builtin_popcount(bm[i]);
	for (uint64_t i = nbits / 8 * 8; i < nbits; i++)
		n += (bm[i >> 3] >> (i & 7)) & 1;
	return n;
}

static void dd_text(char *dst, const char *src)
{
	memcpy(dst, src, DISKDUMP_UTS_LEN);
	dst[DISKDUMP_UTS_LEN - 1] = '\0';
}

int diskdump_read(const void *file, size_t len, struct diskdump_summary *out)
{
	const uint8_t *f = file;
	struct diskdump_header h;
	struct diskdump_sub_header sh;
	uint64_t sub_end, bm_off, bm_half;

	if (file == NULL || out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < sizeof(h) || memcmp(f, DISKDUMP_SIGNATURE, 8) != 0)
		return -ENOEXEC;
	memcpy(&h, f, sizeof(h));
	if (h.header_version < 1 || h.header_version > DISKDUMP_VERSION ||
	    h.block_size != DISKDUMP_BLOCK || h.sub_hdr_size < 1 || h.bitmap_blocks == 0 ||
	    h.bitmap_blocks % 2 != 0)
		return -EBADMSG;
	sub_end = (uint64_t)(1 + (uint64_t)h.sub_hdr_size) * DISKDUMP_BLOCK;
	if (sub_end > len || sizeof(sh) > (uint64_t)h.sub_hdr_size * DISKDUMP_BLOCK)
		return -EBADMSG;
	memcpy(&sh, f + DISKDUMP_BLOCK, sizeof(sh));
	out->header_version = h.header_version;
	out->status = h.status;
	out->nr_cpus = h.nr_cpus;
	out->tv_sec = h.tv_sec;
	dd_text(out->nodename, h.utsname[1]);
	dd_text(out->release, h.utsname[2]);
	out->dump_level = sh.dump_level;
	out->max_mapnr = h.header_version >= 6 ? sh.max_mapnr_64 : h.max_mapnr;
	bm_half = (uint64_t)h.bitmap_blocks / 2 * DISKDUMP_BLOCK;
	bm_off = sub_end;
	if (out->max_mapnr == 0 || out->max_mapnr > bm_half * 8 || bm_off + 2 * bm_half > len)
		return -EBADMSG;	/* (no rounding up: a max_mapnr near 2^64 must not wrap) */
	if (h.header_version >= 3 && sh.size_vmcoreinfo) {
		if (sh.offset_vmcoreinfo > len || sh.size_vmcoreinfo > len - sh.offset_vmcoreinfo)
			return -EBADMSG;
		out->vmcoreinfo_offset = sh.offset_vmcoreinfo;
		out->vmcoreinfo_len = sh.size_vmcoreinfo;
	}
	if (h.header_version >= 4 && sh.size_note) {
		if (sh.offset_note > len || sh.size_note > len - sh.offset_note)
			return -EBADMSG;
		out->notes_offset = sh.offset_note;
		out->notes_len = sh.size_note;
	}
	out->pages_present = dd_count_bits(f + bm_off, out->max_mapnr);
	out->pages_dumped = dd_count_bits(f + bm_off + bm_half, out->max_mapnr);
	out->descs_offset = bm_off + 2 * bm_half;
	out->descs_cut = out->pages_dumped > (len - out->descs_offset) / sizeof(struct diskdump_page_desc);
	return 0;
}

int diskdump_mark_incomplete(void *file, size_t len)
{
	struct diskdump_header h;

	if (file == NULL || len < sizeof(h))
		return -ENOEXEC;
	memcpy(&h, file, sizeof(h));
	if (memcmp(h.signature, DISKDUMP_SIGNATURE, sizeof(h.signature)) != 0)
		return -ENOEXEC;
	h.status |= DISKDUMP_INCOMPLETE;
	memcpy((uint8_t *)file + offsetof(struct diskdump_header, status), &h.status,
	       sizeof(h.status));
	return 0;
}
