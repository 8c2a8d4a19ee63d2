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


void diskdump_bits_set(uint8_t *bits, uint64_t a, uint64_t b)
{
	if (a >= b)
		return;
	for (; a < b && (a & 7); a++)
		bits[a >> 3] |= (uint8_t)(1u << (a & 7));
	if (b - a >= 8) {
		memset(bits + (a >> 3), 0xff, (size_t)((b - a) >> 3));
		a += (b - a) & ~7ull;
	}
	for (; a < b; a++)
		bits[a >> 3] |= (uint8_t)(1u << (a & 7));
}

uint64_t diskdump_bits_count(const uint8_t *bits, uint64_t a, uint64_t b)
{
	uint64_t n = 0, v;

	for (; a < b && (a & 63); a++)
		n += (bits[a >> 3] >> (a & 7)) & 1;
	for (; b - a >= 64 && a < b; a += 64) {
		memcpy(&v, bits + (a >> 3), 8);
		n += (uint64_t)__builtin_popcountll(v);
	}
	for (; a < b; a++)
		n += (bits[a >> 3] >> (a & 7)) & 1;
	return n;
}

uint64_t diskdump_bits_clear(uint8_t *bits, uint64_t a, uint64_t b)
{
	uint64_t n = 0;

	if (a >= b)
		return 0;
	for (; a < b && (a & 7); a++)
		if (bits[a >> 3] & (1u << (a & 7))) {
			bits[a >> 3] &= (uint8_t)~(1u << (a & 7));
			n++;
		}
	if (b - a >= 8 && a < b) {
		size_t len = (size_t)((b - a) >> 3);

		n += diskdump_bits_count(bits, a, a + 8 * (uint64_t)len);
		memset(bits + (a >> 3), 0, len);
		a += 8 * (uint64_t)len;
	}
	for (; a < b; a++)
		if (bits[a >> 3] & (1u << (a & 7))) {
			bits[a >> 3] &= (uint8_t)~(1u << (a & 7));
			n++;
		}
	return n;
}

uint64_t diskdump_bits_next(const uint8_t *bits, uint64_t a, uint64_t b)
{
	uint64_t v;

	while (a < b) {
		if ((a & 63) == 0 && b - a >= 64) {
			memcpy(&v, bits + (a >> 3), 8);
			if (v == 0) {
				a += 64;
				continue;
			}
		}
		if ((bits[a >> 3] >> (a & 7)) & 1)
			return a;
		a++;
	}
	return b;
}

/* Append len bytes (the output only ever grows at its end); a measuring
 * writer (no write) only counts. */
static int dd_put(struct diskdump_writer *w, const void *buf, size_t len)
{
	int err;

	if (w->error)
		return w->error;
	if (w->out.write) {
		err = w->out.write(w->out.ctx, w->pos, buf, len);
		if (err)
			return w->error = err < 0 ? err : -EIO;
	}
	w->pos += len;
	return 0;
}

static int dd_fail(struct diskdump_writer *w, int err)
{
	if (w->error == 0)
		w->error = err;
	return w->error;
}

/* One pass: len bytes at offset (pos is the caller's business). */
static int dd_write_at(struct diskdump_writer *w, uint64_t offset, const void *buf, size_t len)
{
	int err;

	if (w->error)
		return w->error;
	err = w->out.write(w->out.ctx, offset, buf, len);
	return err ? dd_fail(w, err < 0 ? err : -EIO) : 0;
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

static int dd_pass_page(struct diskdump_writer *w, uint64_t pfn, const void *page);
static int dd_batch_add(struct diskdump_writer *w, const struct diskdump_pages *src, uint64_t pfn);

/*
 * One walk of bitmap which, a window at a time from the producer: its
 * bytes written (src NULL; then zeros up to whole blocks), or the pass's
 * pages taken (src).  The 2nd bitmap's running hash and bit count go to
 * *hash and *count.
 */
static int dd_walk(struct diskdump_writer *w, int which, const struct diskdump_pages *src,
		   uint64_t *hash, uint64_t *count)
{
	uint64_t max = w->info.max_mapnr, win = (uint64_t)w->bm.buf_bytes * 8, h = 0, c = 0;
	uint8_t *bits = w->bm.buf;
	int err = 0;

	for (uint64_t p0 = 0; err == 0 && p0 < max; p0 += win) {
		uint64_t n = max - p0 < win ? max - p0 : win, v;
		size_t nb = (size_t)((n + 7) / 8);

		memset(bits, 0, nb);
		err = w->bm.fill(w->bm.ctx, which, p0, n, bits);
		if (err)
			return dd_fail(w, err < 0 ? err : -EIO);
		if (n & 7)
			bits[nb - 1] &= (uint8_t)((1u << (n & 7)) - 1);
		if (which == 2) {
			for (size_t i = 0; i < nb; i += 8) {
				v = 0;
				memcpy(&v, bits + i, nb - i < 8 ? nb - i : 8);
				h = (h ^ v) * 0x100000001b3ull + (h >> 29);
			}
			c += diskdump_bits_count(bits, 0, n);
		}
		if (src == NULL) {
			err = dd_put(w, bits, nb);
			continue;
		}
		for (uint64_t q = diskdump_bits_next(bits, 0, n); err == 0 && q < n;
		     q = diskdump_bits_next(bits, q + 1, n)) {
			const void *page;

			if (w->done >= w->lay.pages)
				return dd_fail(w, -ESTALE);	/* more pages than begin() said */
			w->done++;
			if (w->off) {
				err = dd_batch_add(w, src, p0 + q);
				continue;
			}
			page = src->page(src->ctx, p0 + q);
			if (page == NULL)
				return dd_fail(w, -EIO);
			err = dd_pass_page(w, p0 + q, page);
		}
	}
	if (err)
		return err;
	if (src == NULL) {
		uint64_t used = (max + 7) / 8, total = diskdump_bitmap_bytes(max);

		memset(w->cbuf, 0, sizeof(w->cbuf));
		for (uint64_t at = used; err == 0 && at < total;) {
			size_t k = total - at < DISKDUMP_BLOCK ? (size_t)(total - at) : DISKDUMP_BLOCK;

			err = dd_put(w, w->cbuf, k);
			at += k;
		}
	}
	*hash = h;
	*count = c;
	return err;
}

int diskdump_begin(struct diskdump_writer *w, const struct diskdump_info *info,
		   const struct diskdump_bitmaps *bm, uint64_t pages, const struct diskdump_out *out)
{
	struct diskdump_header h;
	struct diskdump_sub_header sh;
	struct diskdump_layout *l;
	uint64_t sub_bytes, bmb, vi_at, count = 0;
	int err;

	if (w == NULL || info == NULL || bm == NULL || bm->fill == NULL || bm->buf == NULL ||
	    bm->buf_bytes == 0 || out == NULL || info->max_mapnr == 0 || pages > info->max_mapnr ||
	    (info->notes == NULL && info->notes_len) ||
	    (info->vmcoreinfo == NULL && info->vmcoreinfo_len))
		return -EINVAL;
	if (info->max_mapnr > (1ull << 40) || info->notes_len > (64u << 20) ||
	    info->vmcoreinfo_len > (1u << 20) || bm->buf_bytes > (1u << 30))
		return -E2BIG;
	memset(w, 0, sizeof(*w));
	w->info = *info;
	w->out = *out;
	w->bm = *bm;
	l = &w->lay;
	/* VMCOREINFO that is a note's descriptor inside the notes is named
	 * where it lies there, as makedumpfile writes it: makedumpfile, when it
	 * re-filters a file, copies only the notes and keeps the offset.  Any
	 * other VMCOREINFO gets its own copy after the notes. */
	vi_at = UINT64_MAX;
	if (info->vmcoreinfo_len && info->notes_len) {
		uintptr_t n = (uintptr_t)info->notes, v = (uintptr_t)info->vmcoreinfo;

		if (v >= n && info->vmcoreinfo_len <= info->notes_len &&
		    v - n <= info->notes_len - info->vmcoreinfo_len)
			vi_at = v - n;
	}
	sub_bytes = sizeof(sh) + info->notes_len + (vi_at == UINT64_MAX ? info->vmcoreinfo_len : 0);
	l->sub_hdr_blocks = (uint32_t)((sub_bytes + DISKDUMP_BLOCK - 1) / DISKDUMP_BLOCK);
	bmb = diskdump_bitmap_bytes(info->max_mapnr);
	l->bitmap_blocks = (uint32_t)(2 * bmb / DISKDUMP_BLOCK);
	l->sub_header = DISKDUMP_BLOCK;
	l->notes = l->sub_header + sizeof(sh);
	l->vmcoreinfo = l->notes + (vi_at == UINT64_MAX ? info->notes_len : vi_at);
	l->bitmap1 = (uint64_t)(1 + l->sub_hdr_blocks) * DISKDUMP_BLOCK;
	l->bitmap2 = l->bitmap1 + bmb;
	l->descs = l->bitmap2 + bmb;
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

	if (out->write == NULL) {	/* measuring: the layout is all */
		w->pos = l->descs;
		return 0;
	}
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
		if (info->vmcoreinfo_len && vi_at == UINT64_MAX)
			dd_slice(w->cbuf, b0, DISKDUMP_BLOCK, sizeof(sh) + info->notes_len,
				 info->vmcoreinfo, info->vmcoreinfo_len);
		dd_put(w, w->cbuf, DISKDUMP_BLOCK);
	}
	if (w->error)
		return w->error;
	err = dd_walk(w, 1, NULL, &w->bits[0], &count);
	if (err == 0)
		err = dd_walk(w, 2, NULL, &w->bits[0], &count);
	if (err == 0 && count != pages)
		err = dd_fail(w, -ESTALE);	/* the 2nd bitmap is not what the caller counted */
	w->bits_known = true;
	return err;
}

static int dd_flush(struct diskdump_writer *w)
{
	int err = w->nbuf ? dd_put(w, w->dbuf, w->nbuf) : w->error;

	w->nbuf = 0;
	return err;
}

/* One pass: the block of descriptors at its place (what follows the last
 * descriptor in it is zero: the zero page's first bytes). */
static int dd_desc_block(struct diskdump_writer *w)
{
	int err = dd_write_at(w, w->dbuf_at, w->dbuf, DISKDUMP_BLOCK);

	w->dbuf_at += DISKDUMP_BLOCK;
	w->nbuf = 0;
	memset(w->dbuf, 0, sizeof(w->dbuf));
	return err;
}

/* A descriptor: in order, DISKDUMP_DESCS_PER_FLUSH at a time; in one
 * pass, into file blocks (one may straddle two). */
static int dd_desc(struct diskdump_writer *w, const struct diskdump_page_desc *d)
{
	const uint8_t *p = (const uint8_t *)d;
	size_t left = sizeof(*d);
	int err;

	if (w->pass != 4) {
		memcpy(w->dbuf + w->nbuf, d, sizeof(*d));
		w->nbuf += sizeof(*d);
		return w->nbuf == DISKDUMP_DESCS_PER_FLUSH * sizeof(*d) ? dd_flush(w) : 0;
	}
	while (left) {
		size_t n = DISKDUMP_BLOCK - w->nbuf < left ? DISKDUMP_BLOCK - w->nbuf : left;

		memcpy(w->dbuf + w->nbuf, p, n);
		w->nbuf += n;
		p += n;
		left -= n;
		if (w->nbuf == DISKDUMP_BLOCK && (err = dd_desc_block(w)) != 0)
			return err;
	}
	return 0;
}

static bool dd_zero(const uint8_t *p)
{
	/* 64 bytes a test: a zero page is read whole, and this scan was a
	 * tenth of the pass under QEMU's TCG with one test every 8 bytes. */
	for (size_t i = 0; i < DISKDUMP_BLOCK; i += 64) {
		uint64_t v[8];

		memcpy(v, p + i, sizeof(v));
		if ((v[0] | v[1] | v[2] | v[3] | v[4] | v[5] | v[6] | v[7]) != 0)
			return false;
	}
	return true;
}

/*
 * A page's stored form: *size bytes with *flags, compressed into out (room
 * for DISKDUMP_COMPRESS_MAX bytes) when flags is set; 0 size for an
 * all-zero page, DISKDUMP_BLOCK for one stored raw.
 */
static void dd_form_one(int (*compress)(void *, const void *, void *, size_t *), void *ctx,
			uint32_t compression, const void *page, void *out, size_t *size,
			uint32_t *flags)
{
	size_t clen = 0;

	*flags = 0;
	if (dd_zero(page)) {
		*size = 0;
	} else if (compress && compress(ctx, page, out, &clen) == 0 && clen > 0 &&
		   clen < DISKDUMP_BLOCK) {
		*size = clen;
		*flags = compression;
	} else {
		*size = DISKDUMP_BLOCK;
	}
}

/* The page's stored form (in cbuf when compressed). */
static void dd_form(struct diskdump_writer *w, const void *page, size_t *size, uint32_t *flags)
{
	dd_form_one(w->info.compress, w->info.compress_ctx, w->info.compression, page, w->cbuf,
		    size, flags);
}

void diskdump_batch_form(struct diskdump_batch *b)
{
	b->used = 0;
	for (uint32_t i = 0; i < b->n && i < DISKDUMP_BATCH; i++) {
		uint8_t *o = b->out + b->used;	/* room: (DISKDUMP_BATCH - i) blocks + COMPRESS_MAX */
		size_t size;

		dd_form_one(b->compress, b->compress_ctx, b->compression, b->in[i], o, &size,
			    &b->flags[i]);
		if (size == DISKDUMP_BLOCK)
			memcpy(o, b->in[i], DISKDUMP_BLOCK);
		b->size[i] = (uint32_t)size;
		b->used += size;
	}
}

/* One pass: len bytes appended to the data stream at data_end (never
 * past the limit the target was told). */
static int dd_append(struct diskdump_writer *w, const void *p, size_t len)
{
	int err;

	if (w->data_end > w->limit || len > w->limit - w->data_end)
		return dd_fail(w, -ESTALE);	/* more than the target was told */
	if (len && (err = dd_write_at(w, w->data_end, p, len)) != 0)
		return err;
	w->pos = w->data_end + len;
	return 0;
}

/* A page of pass 1 or of the one pass (its bytes, if any, at data_end):
 * the running hash of the forms, the statistics and its descriptor. */
static int dd_page_desc(struct diskdump_writer *w, size_t size, uint32_t flags)
{
	struct diskdump_page_desc d = { w->lay.zero_page, DISKDUMP_BLOCK, flags, 0 };

	w->forms[0] = w->forms[0] * 0x100000001b3ull + size * 2 + (flags != 0);
	if (size == 0) {
		w->zero++;
	} else {
		d.offset = w->data_end;
		d.size = (uint32_t)size;
		w->data_end += size;
		if (flags)
			w->compressed++;
		else
			w->stored++;
	}
	return dd_desc(w, &d);
}

/* One page of the current pass: its descriptor (1), its bytes (2), or
 * both (4: one pass, the bytes appended to the data stream). */
static int dd_pass_page(struct diskdump_writer *w, uint64_t pfn, const void *page)
{
	size_t size;
	uint32_t flags;
	int err;

	(void)pfn;
	dd_form(w, page, &size, &flags);
	if (w->pass == 2) {
		w->forms[1] = w->forms[1] * 0x100000001b3ull + size * 2 + (flags != 0);
		if (size == 0)
			return 0;
		if (w->pos + size > w->data_end)
			return dd_fail(w, -ESTALE);	/* more than pass 1 announced */
		return dd_put(w, flags ? w->cbuf : page, size);
	}
	if (w->pass == 4 && size && (err = dd_append(w, flags ? w->cbuf : page, size)) != 0)
		return err;
	return dd_page_desc(w, size, flags);
}

/* ------------------------------------------------- one pass, in batches */

/* A batch formed: its bytes appended to the data stream in one write,
 * then its descriptors (the same file as dd_pass_page, page by page). */
static int dd_batch_write(struct diskdump_writer *w, struct diskdump_batch *b)
{
	size_t sum = 0;
	int err;

	for (uint32_t i = 0; i < b->n; i++)
		sum += b->size[i];
	if (sum != b->used || b->used > sizeof(b->out))
		return dd_fail(w, -EINVAL);	/* never: diskdump_batch_form's own sums */
	if ((err = dd_append(w, b->out, b->used)) != 0)
		return err;
	for (uint32_t i = 0; i < b->n; i++)
		if ((err = dd_page_desc(w, b->size[i], b->flags[i])) != 0)
			return err;
	b->n = 0;
	return 0;
}

/* Batch b formed here, with this CPU's compressor state. */
static void dd_batch_form_here(struct diskdump_writer *w, struct diskdump_batch *b)
{
	b->compress_ctx = w->info.compress_ctx;
	diskdump_batch_form(b);
}

/* Batch b, if it went away, formed: 0 (its forms are ready), 1 (lost: it
 * may still be formed elsewhere; its forms are never read, b never reused;
 * its pages, which the form only reads, are still the ones read in order). */
static int dd_batch_settle(struct diskdump_writer *w, struct diskdump_batch *b)
{
	unsigned i = (unsigned)(b - w->off->batch);
	int r;

	if (!w->started[i])
		return 0;
	w->started[i] = false;
	r = w->off->wait ? w->off->wait(w->off->ctx, b) : -ENODEV;
	if (r == 0) {
		w->batches_away++;
		return 0;
	}
	if (r == -EBUSY)
		return 1;
	/* taken back, or the other CPU stopped: b is ours again */
	dd_batch_form_here(w, b);
	return 0;
}

/* A lost batch's pages formed here and written, page by page, from its
 * memory: the pages and pfns are the writer's (the form only reads them),
 * read once, in order, so the file has each where the pass put it and the
 * progress counts it once. */
static int dd_batch_by_page(struct diskdump_writer *w, const struct diskdump_batch *b)
{
	int err = 0;

	for (uint32_t i = 0; err == 0 && i < b->n && i < DISKDUMP_BATCH; i++)
		err = dd_pass_page(w, b->pfn[i], b->in[i]);
	return err;
}

/* The ring's oldest batch waited for and, when write, written (a lost
 * one's pages formed here, page by page); *lost: the other CPU was lost
 * with it. */
static int dd_batch_retire(struct diskdump_writer *w, bool write, bool *lost)
{
	struct diskdump_batch *b = &w->off->batch[w->oldest];
	int err = 0;

	*lost = dd_batch_settle(w, b) > 0;
	if (write)
		err = *lost ? dd_batch_by_page(w, b) : dd_batch_write(w, b);
	w->oldest = (w->oldest + 1) % DISKDUMP_BATCHES;
	w->inflight--;
	return err;
}

/*
 * The other CPU was lost: every batch still in the ring, in order, is
 * waited for (a lost one's forms are never used: its pages are formed here)
 * and written, after an error only waited for; the rest of the pass goes
 * page by page.
 */
static int dd_batch_lost(struct diskdump_writer *w)
{
	bool lost;
	int err = 0;

	while (w->inflight) {
		int e = dd_batch_retire(w, err == 0, &lost);

		if (err == 0)
			err = e;
	}
	w->off = NULL;
	return err;
}

/*
 * The batch being filled is formed, elsewhere (start()) or here when it is
 * refused (the other CPU has enough to do: this CPU forms it meanwhile,
 * with info's compressor state), and joins the ring; when the ring is
 * full (or the pass ends), its oldest batch is waited for and written.
 */
static int dd_batch_step(struct diskdump_writer *w, bool last)
{
	struct diskdump_batch *b = w->fill;
	unsigned i = (unsigned)(b - w->off->batch);
	bool lost;
	int err;

	if (b->n) {
		b->compress = w->info.compress;
		b->compression = w->info.compression;
		b->compress_ctx = w->off->compress_ctx;
		w->batches++;
		w->started[i] = w->off->start && w->off->compress_ctx &&
				w->off->start(w->off->ctx, b) == 0;
		if (!w->started[i])
			dd_batch_form_here(w, b);
		w->inflight++;
	}
	while (w->inflight && (w->inflight == DISKDUMP_BATCHES || last)) {
		err = dd_batch_retire(w, true, &lost);
		if (err == 0 && lost)
			err = dd_batch_lost(w);	/* the rest of the ring, then page by page */
		if (err || lost)
			return err;
	}
	w->fill = &w->off->batch[(w->oldest + w->inflight) % DISKDUMP_BATCHES];
	w->fill->n = 0;
	return 0;
}

static int dd_batch_add(struct diskdump_writer *w, const struct diskdump_pages *src, uint64_t pfn)
{
	struct diskdump_batch *b = w->fill;

	if (src->read(src->ctx, pfn, b->in[b->n]) != 0)
		return dd_fail(w, -EIO);
	b->pfn[b->n++] = pfn;
	return b->n == DISKDUMP_BATCH ? dd_batch_step(w, false) : 0;
}

/* A whole pass over the 2nd bitmap's pages; its walk must match begin()'s. */
static int dd_pass(struct diskdump_writer *w, int pass, const struct diskdump_pages *src)
{
	uint64_t count = 0;
	int err;

	if (w == NULL)
		return -EINVAL;
	if (w->error)
		return w->error;
	if (w->pass != pass || w->done != 0 || src == NULL || src->page == NULL)
		return dd_fail(w, -EINVAL);
	err = dd_walk(w, 2, src, &w->bits[pass], &count);
	if (err)
		return err;
	if (count != w->lay.pages || w->done != w->lay.pages ||
	    (pass == 2 || w->bits_known ? w->bits[pass] != w->bits[pass - 1] : false))
		return dd_fail(w, -ESTALE);	/* the 2nd bitmap changed between walks */
	if (pass == 1)
		return dd_flush(w);
	w->pass = 3;
	return 0;
}

int diskdump_descs(struct diskdump_writer *w, const struct diskdump_pages *src)
{
	return dd_pass(w, 1, src);
}

int diskdump_data(struct diskdump_writer *w)
{
	if (w == NULL)
		return -EINVAL;
	if (w->error)
		return w->error;
	if (w->pass != 1 || w->done != w->lay.pages)
		return dd_fail(w, -EINVAL);
	memset(w->cbuf, 0, sizeof(w->cbuf));
	w->pass = 2;
	w->done = 0;
	return dd_put(w, w->cbuf, DISKDUMP_BLOCK);
}

int diskdump_pages(struct diskdump_writer *w, const struct diskdump_pages *src)
{
	return dd_pass(w, 2, src);
}

int diskdump_single(struct diskdump_writer *w, const struct diskdump_pages *src, uint64_t limit)
{
	uint64_t count = 0, stream;
	int err;

	if (w == NULL)
		return -EINVAL;
	if (w->error)
		return w->error;
	if (w->pass != 1 || w->done != 0 || !w->bits_known || src == NULL || src->page == NULL ||
	    w->out.write == NULL || !w->out.seekable || limit < w->lay.data)
		return dd_fail(w, -EINVAL);
	w->pass = 4;
	w->limit = limit;
	/* The data stream starts at the first block boundary in the zero
	 * page, so every descriptor block is written whole: the rest of the
	 * zero page first (1 to DISKDUMP_BLOCK bytes). */
	stream = (w->lay.zero_page + DISKDUMP_BLOCK - 1) / DISKDUMP_BLOCK * DISKDUMP_BLOCK;
	memset(w->cbuf, 0, DISKDUMP_BLOCK);
	err = dd_write_at(w, stream, w->cbuf, (size_t)(w->lay.data - stream));
	if (err)
		return err;
	w->pos = w->data_end = w->lay.data;
	w->dbuf_at = w->lay.descs;
	w->nbuf = 0;
	memset(w->dbuf, 0, sizeof(w->dbuf));
	if (src->read && src->off && src->off->batch) {
		w->off = src->off;
		w->oldest = 0;
		w->inflight = 0;
		memset(w->started, 0, sizeof(w->started));
		w->fill = &w->off->batch[0];
		w->fill->n = 0;
	}
	err = dd_walk(w, 2, src, &w->bits[1], &count);
	if (err == 0 && w->off)
		err = dd_batch_step(w, true);	/* the last batches */
	/* an error with batches away: waited for before their memory goes back */
	for (unsigned i = 0; w->off && i < DISKDUMP_BATCHES; i++)
		if (w->started[i])
			(void)dd_batch_settle(w, &src->off->batch[i]);
	w->off = NULL;
	if (err)
		return err;
	if (count != w->lay.pages || w->done != w->lay.pages || w->bits[1] != w->bits[0])
		return dd_fail(w, -ESTALE);	/* the 2nd bitmap changed since begin() */
	/* The block where the descriptors end inside the zero page. */
	if (w->nbuf && (err = dd_desc_block(w)) != 0)
		return err;
	w->forms[1] = w->forms[0];
	w->pass = 3;
	return 0;
}

int diskdump_end(struct diskdump_writer *w)
{
	if (w == NULL)
		return -EINVAL;
	if (w->error)
		return w->error;
	if (w->pass != 3)
		return dd_fail(w, -EINVAL);
	if (w->pos != w->data_end || w->forms[0] != w->forms[1])
		return dd_fail(w, -ESTALE);	/* a page's form changed between the passes */
	return 0;
}

/* ------------------------------------------------------------- reading */

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
	out->pages_present = diskdump_bits_count(f + bm_off, 0, out->max_mapnr);
	out->pages_dumped = diskdump_bits_count(f + bm_off + bm_half, 0, out->max_mapnr);
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
