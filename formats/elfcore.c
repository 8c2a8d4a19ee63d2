/*
 * elfcore: the planner (zero-run splitting, file layout) and the header
 * and note writers of postmortem's ELF core dump file.  The layout, the
 * zero-run rule and the interface are in formats/elfcore.h; the reader is
 * formats/elfcore_read.c; the ELF wire structs and the note walker are
 * formats/elfcorehdr.h's.
 *
 * Pure module: no globals, no I/O, no allocation; builds unchanged into
 * the kernel, build/postmortem and the tests.  Arithmetic is in uint64_t
 * with every sum checked before it is made; a caller's segments are
 * checked again before they become program headers.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/dumpplan.h"
#include "formats/elfcore.h"
#include "formats/elf64.h"

/* memcpy into wire structs reads little-endian fields as the host's. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

#define ELFCORE_EHDR	sizeof(struct elf64_ehdr)
#define ELFCORE_PHDR	sizeof(struct elf64_phdr)
#define ELFCORE_PF_RWX	(ELF64_PF_R | ELF64_PF_W | ELF64_PF_X)
#define ELFCORE_PAGE_MASK ((uint64_t)ELFCORE_PAGE_SIZE - 1)

/* True when [start, start + size) passes 2^64; ending exactly there is fine. */
static bool elfcore_wraps(uint64_t start, uint64_t size)
{
	return size != 0 && start + (size - 1) < start;
}

/* ------------------------------------------------------------- planning */

void elfcore_split_init(struct elfcore_split *s, struct elfcore_segment *segs,
			size_t max_segs, uint64_t min_run_pages)
{
	memset(s, 0, sizeof(*s));
	s->segs = segs;
	s->max_segs = max_segs < ELFCORE_MAX_SEGMENTS ? max_segs : ELFCORE_MAX_SEGMENTS;
	if (segs == NULL)
		s->max_segs = 0;
	s->run_bytes = min_run_pages > UINT64_MAX / ELFCORE_PAGE_SIZE ? UINT64_MAX :
		       min_run_pages * ELFCORE_PAGE_SIZE;
}

uint64_t elfcore_split_min_run(const struct elfcore_split *s)
{
	/* A raised threshold need not be whole pages: round up. */
	return s->run_bytes / ELFCORE_PAGE_SIZE + (s->run_bytes % ELFCORE_PAGE_SIZE != 0);
}

/* Can a and the segment after it be one segment again? */
static bool elfcore_mergeable(const struct elfcore_segment *a, const struct elfcore_segment *b)
{
	return a->range == b->range && a->paddr + a->memsz == b->paddr &&
	       a->read_from + a->memsz == b->read_from;
}

/* Merge every neighbour pair of one range whose zero tail is below the threshold. */
static void elfcore_split_merge(struct elfcore_split *s)
{
	struct elfcore_segment *w, *r;
	size_t out = 0;

	for (size_t i = 0; i < s->nsegs; i++) {
		r = &s->segs[i];
		w = out > 0 ? &s->segs[out - 1] : NULL;
		if (w != NULL && elfcore_mergeable(w, r) && w->memsz - w->filesz < s->run_bytes) {
			/* w's tail becomes file bytes; r's data and tail follow. */
			w->filesz = w->memsz + r->filesz;
			w->memsz += r->memsz;
			continue;
		}
		if (out != i)
			s->segs[out] = *r;
		out++;
	}
	s->nsegs = out;
}

/*
 * The table is full: raise the threshold until an entry is free, or (when
 * cutting) until the open run no longer asks for a cut.  Each round at
 * least doubles it and passes the shortest candidate tail, so it ends
 * within 64 rounds.  -ENOSPC when nothing can be merged.
 */
static int elfcore_split_raise(struct elfcore_split *s, bool cutting)
{
	uint64_t shortest, next, tail;
	bool any;

	while (s->nsegs >= s->max_segs && (!cutting || s->pending >= s->run_bytes)) {
		shortest = cutting ? s->pending : UINT64_MAX;
		any = cutting;
		for (size_t i = 0; i + 1 < s->nsegs; i++) {
			if (!elfcore_mergeable(&s->segs[i], &s->segs[i + 1]))
				continue;
			tail = s->segs[i].memsz - s->segs[i].filesz;
			shortest = tail < shortest ? tail : shortest;
			any = true;
		}
		next = s->run_bytes > UINT64_MAX / 2 ? UINT64_MAX : s->run_bytes * 2;
		if (next <= shortest)
			next = shortest == UINT64_MAX ? UINT64_MAX : shortest + 1;
		if (!any || next == s->run_bytes)
			return -ENOSPC;
		s->run_bytes = next;
		s->raised++;
		elfcore_split_merge(s);
	}
	return 0;
}

int elfcore_split_begin(struct elfcore_split *s, const struct dumpplan_range *r, size_t index)
{
	struct elfcore_segment *seg;
	int err;

	if (s == NULL || r == NULL || s->open || r->size == 0)
		return -EINVAL;
	if (elfcore_wraps(r->start, r->size) || elfcore_wraps(r->vaddr, r->size) ||
	    elfcore_wraps(r->read_from, r->size))
		return -EOVERFLOW;
	err = elfcore_split_raise(s, false);
	if (err != 0)
		return err;
	seg = &s->segs[s->nsegs++];
	memset(seg, 0, sizeof(*seg));
	seg->paddr = r->start;
	seg->vaddr = r->vaddr;
	seg->read_from = r->read_from;
	seg->range = index;
	s->open = true;
	s->left = r->size;
	s->pending = 0;
	return 0;
}

/* Close the open segment at its pending zero run and open one for len data bytes. */
static void elfcore_split_cut(struct elfcore_split *s, uint64_t len)
{
	struct elfcore_segment *cur = &s->segs[s->nsegs - 1];
	struct elfcore_segment *next = &s->segs[s->nsegs++];

	cur->memsz = cur->filesz + s->pending;
	memset(next, 0, sizeof(*next));
	next->paddr = cur->paddr + cur->memsz;
	next->vaddr = cur->vaddr != 0 ? cur->vaddr + cur->memsz : 0;
	next->read_from = cur->read_from + cur->memsz;
	next->range = cur->range;
	next->filesz = len;
	next->memsz = len;
}

int elfcore_split_chunk(struct elfcore_split *s, uint64_t len, bool zero)
{
	struct elfcore_segment *cur;
	int err;

	if (s == NULL || !s->open || len > s->left)
		return -EINVAL;
	s->left -= len;
	if (len == 0)
		return 0;
	if (zero && s->run_bytes != 0) {
		s->pending += len;	/* <= the range's size: no wrap */
		return 0;
	}
	if (s->run_bytes != 0 && s->pending >= s->run_bytes) {
		err = elfcore_split_raise(s, true);
		if (err != 0)
			return err;
	}
	if (s->run_bytes != 0 && s->pending >= s->run_bytes) {
		elfcore_split_cut(s, len);
	} else {
		cur = &s->segs[s->nsegs - 1];
		cur->filesz += s->pending + len;
		cur->memsz = cur->filesz;
	}
	s->pending = 0;
	return 0;
}

int elfcore_split_end(struct elfcore_split *s)
{
	struct elfcore_segment *cur;

	if (s == NULL || !s->open || s->left != 0)
		return -EINVAL;
	cur = &s->segs[s->nsegs - 1];
	cur->memsz = cur->filesz + s->pending;	/* any trailing zeros: the tail */
	s->pending = 0;
	s->open = false;
	return 0;
}

int elfcore_split_range(struct elfcore_split *s, const struct dumpplan_range *r,
			size_t index, const struct elfcore_zero_scan *z)
{
	uint64_t off, len, addr;
	int err, zero;

	err = elfcore_split_begin(s, r, index);
	if (err != 0)
		return err;
	if (s->run_bytes == 0 || z == NULL || z->is_zero == NULL) {
		err = elfcore_split_chunk(s, r->size, false);
		return err != 0 ? err : elfcore_split_end(s);
	}
	for (off = 0; off < r->size; off += len) {
		addr = r->start + off;
		len = ELFCORE_PAGE_SIZE - (addr & ELFCORE_PAGE_MASK);
		if (len > r->size - off)
			len = r->size - off;
		zero = z->is_zero(z->ctx, r->read_from + off, len);
		if (zero < 0)
			return zero;
		err = elfcore_split_chunk(s, len, zero != 0);
		if (err != 0)
			return err;
	}
	return elfcore_split_end(s);
}

size_t elfcore_headers_size(size_t nsegs)
{
	if (nsegs > ELFCORE_MAX_SEGMENTS)
		return 0;
	return ELFCORE_EHDR + (nsegs + 1) * ELFCORE_PHDR;
}

uint64_t elfcore_notes_offset(size_t nsegs)
{
	uint64_t h = elfcore_headers_size(nsegs);

	return (h + ELFCORE_PAGE_MASK) & ~ELFCORE_PAGE_MASK;
}

/* End of the notes; the headers are < 4 MiB, so notes_len alone can wrap. */
static int elfcore_notes_end(size_t nsegs, size_t notes_len, uint64_t *end)
{
	uint64_t off = elfcore_notes_offset(nsegs);

	if ((uint64_t)notes_len > UINT64_MAX - off)
		return -EOVERFLOW;
	*end = off + notes_len;
	return 0;
}

int elfcore_layout(struct elfcore_segment *segs, size_t nsegs, size_t notes_len,
		   uint64_t *file_size)
{
	uint64_t end, pad;
	int err;

	if ((segs == NULL && nsegs != 0) || file_size == NULL)
		return -EINVAL;
	if (nsegs > ELFCORE_MAX_SEGMENTS)
		return -E2BIG;
	err = elfcore_notes_end(nsegs, notes_len, &end);
	if (err != 0)
		return err;
	for (size_t i = 0; i < nsegs; i++) {
		if (segs[i].filesz > segs[i].memsz)
			return -EINVAL;
		if (segs[i].filesz == 0) {
			segs[i].file_offset = end;
			continue;
		}
		/* Next offset congruent to paddr modulo the page size. */
		pad = (segs[i].paddr - end) & ELFCORE_PAGE_MASK;
		if (pad > UINT64_MAX - end || segs[i].filesz > UINT64_MAX - (end + pad))
			return -EOVERFLOW;
		segs[i].file_offset = end + pad;
		end = segs[i].file_offset + segs[i].filesz;
	}
	*file_size = end;
	return 0;
}

int elfcore_plan(const struct dumpplan_range *r, size_t n, size_t notes_len,
		 const struct elfcore_zero_scan *zero, struct elfcore_segment *segs,
		 size_t max_segs, size_t *nsegs, uint64_t *file_size)
{
	struct elfcore_split s;
	uint64_t size;
	int err;

	if ((r == NULL && n != 0) || segs == NULL || nsegs == NULL || file_size == NULL)
		return -EINVAL;
	elfcore_split_init(&s, segs, max_segs, zero != NULL ? zero->min_run_pages : 0);
	for (size_t i = 0; i < n; i++) {
		err = elfcore_split_range(&s, &r[i], i, zero);
		if (err != 0)
			return err;
	}
	err = elfcore_layout(segs, s.nsegs, notes_len, &size);
	if (err != 0)
		return err;
	*nsegs = s.nsegs;
	*file_size = size;
	return 0;
}

/* -------------------------------------------------------------- writing */

/* A segment the layout could have produced (data after the notes' end). */
static bool elfcore_segment_ok(const struct elfcore_segment *g, uint64_t notes_end)
{
	if (g->filesz > g->memsz || elfcore_wraps(g->paddr, g->memsz) ||
	    elfcore_wraps(g->file_offset, g->filesz))
		return false;
	return g->filesz == 0 || g->file_offset >= notes_end;
}

static void elfcore_put_ehdr(uint8_t *out, size_t nsegs)
{
	struct elf64_ehdr eh;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELF64_ELFMAG, ELF64_SELFMAG);
	eh.e_ident[ELF64_EI_CLASS] = ELF64_ELFCLASS64;
	eh.e_ident[ELF64_EI_DATA] = ELF64_ELFDATA2LSB;
	eh.e_ident[ELF64_EI_VERSION] = ELF64_EV_CURRENT;
	eh.e_type = ELF64_ET_CORE;
	eh.e_machine = ELF64_EM_X86_64;
	eh.e_version = ELF64_EV_CURRENT;
	eh.e_phoff = ELFCORE_EHDR;
	eh.e_ehsize = ELFCORE_EHDR;
	eh.e_phentsize = ELFCORE_PHDR;
	eh.e_phnum = (uint16_t)(nsegs + 1);
	memcpy(out, &eh, sizeof(eh));
}

/*
 * Program header k: 0 is the merged PT_NOTE (as /proc/vmcore's
 * merge_note_headers_elf64() makes it), k >= 1 the PT_LOAD of segs[k-1].
 */
static int elfcore_put_phdr(const struct elfcore_segment *segs, size_t nsegs, size_t notes_len,
			    uint64_t notes_end, size_t k, uint8_t *out)
{
	const struct elfcore_segment *g;
	struct elf64_phdr ph;

	memset(&ph, 0, sizeof(ph));
	if (k == 0) {
		ph.p_type = ELF64_PT_NOTE;
		ph.p_offset = elfcore_notes_offset(nsegs);
		ph.p_filesz = notes_len;
		ph.p_memsz = notes_len;
	} else {
		g = &segs[k - 1];
		if (!elfcore_segment_ok(g, notes_end))
			return -EINVAL;
		ph.p_type = ELF64_PT_LOAD;
		ph.p_flags = ELFCORE_PF_RWX;
		ph.p_offset = g->file_offset;
		ph.p_vaddr = g->vaddr;
		ph.p_paddr = g->paddr;
		ph.p_filesz = g->filesz;
		ph.p_memsz = g->memsz;
	}
	memcpy(out, &ph, sizeof(ph));
	return 0;
}

int elfcore_headers_part(const struct elfcore_segment *segs, size_t nsegs, size_t notes_len,
			 uint64_t offset, void *out, size_t len)
{
	uint8_t one[ELFCORE_EHDR], *o = out;
	uint64_t notes_end, base;
	size_t need = elfcore_headers_size(nsegs), k, n;
	int err;

	if ((segs == NULL && nsegs != 0) || (out == NULL && len != 0))
		return -EINVAL;
	if (need == 0)
		return -E2BIG;
	if (offset > need || len > need - offset)
		return -EINVAL;
	err = elfcore_notes_end(nsegs, notes_len, &notes_end);
	/* One header at a time into `one`, then the part inside the window. */
	while (err == 0 && len > 0) {
		if (offset < ELFCORE_EHDR) {
			base = 0;
			elfcore_put_ehdr(one, nsegs);
			n = ELFCORE_EHDR;
		} else {
			k = (size_t)((offset - ELFCORE_EHDR) / ELFCORE_PHDR);
			base = ELFCORE_EHDR + k * ELFCORE_PHDR;
			err = elfcore_put_phdr(segs, nsegs, notes_len, notes_end, k, one);
			n = ELFCORE_PHDR;
		}
		n = (size_t)(base + n - offset) < len ? (size_t)(base + n - offset) : len;
		memcpy(o, one + (offset - base), n);
		o += n;
		offset += n;
		len -= n;
	}
	return err;
}

int elfcore_headers(const struct elfcore_segment *segs, size_t nsegs, size_t notes_len,
		    void *out, size_t cap, size_t *len)
{
	size_t need = elfcore_headers_size(nsegs);
	uint64_t notes_end;
	int err;

	if ((segs == NULL && nsegs != 0) || out == NULL || len == NULL)
		return -EINVAL;
	if (need == 0)
		return -E2BIG;
	if (cap < need)
		return -ENOSPC;
	/* Check everything first, so a refused plan writes nothing. */
	err = elfcore_notes_end(nsegs, notes_len, &notes_end);
	for (size_t i = 0; err == 0 && i < nsegs; i++)
		if (!elfcore_segment_ok(&segs[i], notes_end))
			err = -EINVAL;
	if (err == 0)
		err = elfcore_headers_part(segs, nsegs, notes_len, 0, out, need);
	if (err == 0)
		*len = need;
	return err;
}

/* Piece number k of the walk in elfcore_piece_next(); len 0 means "none". */
static int elfcore_piece_at(const struct elfcore_segment *segs, size_t nsegs,
			    uint64_t notes_end, size_t k, struct elfcore_piece *p)
{
	size_t i = (k - 3) / 2;
	uint64_t prev;

	memset(p, 0, sizeof(*p));
	if (k == 0) {
		p->kind = ELFCORE_PIECE_HEADERS;
		p->len = elfcore_headers_size(nsegs);
	} else if (k == 1) {
		p->kind = ELFCORE_PIECE_ZERO;
		p->offset = elfcore_headers_size(nsegs);
		p->len = elfcore_notes_offset(nsegs) - p->offset;
	} else if (k == 2) {
		p->kind = ELFCORE_PIECE_NOTES;
		p->offset = elfcore_notes_offset(nsegs);
		p->len = notes_end - p->offset;
	} else {
		prev = i == 0 ? notes_end : segs[i - 1].file_offset + segs[i - 1].filesz;
		if (segs[i].filesz == 0)
			return 0;
		if (segs[i].file_offset < prev || elfcore_wraps(segs[i].file_offset, segs[i].filesz))
			return -EINVAL;
		p->kind = (k - 3) % 2 == 0 ? ELFCORE_PIECE_ZERO : ELFCORE_PIECE_SEGMENT;
		p->offset = p->kind == ELFCORE_PIECE_ZERO ? prev : segs[i].file_offset;
		p->len = p->kind == ELFCORE_PIECE_ZERO ? segs[i].file_offset - prev : segs[i].filesz;
		p->seg = i;
		p->read_from = p->kind == ELFCORE_PIECE_SEGMENT ? segs[i].read_from : 0;
	}
	return 0;
}

int elfcore_piece_next(const struct elfcore_segment *segs, size_t nsegs, size_t notes_len,
		       size_t *cursor, struct elfcore_piece *out)
{
	uint64_t notes_end;
	int err;

	if ((segs == NULL && nsegs != 0) || cursor == NULL || out == NULL)
		return -EINVAL;
	if (nsegs > ELFCORE_MAX_SEGMENTS)
		return -E2BIG;
	err = elfcore_notes_end(nsegs, notes_len, &notes_end);
	if (err != 0)
		return err;
	/* Pieces: headers, gap, notes, then per segment a gap and its data. */
	while (*cursor < 3 + 2 * nsegs) {
		err = elfcore_piece_at(segs, nsegs, notes_end, *cursor, out);
		if (err != 0)
			return err;
		(*cursor)++;
		if (out->len != 0)
			return 0;
	}
	return -ENOENT;
}

int elfcore_note_put(void *buf, size_t cap, const char *name, uint32_t type,
		     const void *desc, size_t desclen, size_t *used)
{
	struct elf64_nhdr nh;
	uint8_t *p;
	size_t namesz, total, name_pad;
	int err;

	if (buf == NULL || name == NULL || used == NULL || *used > cap ||
	    (desc == NULL && desclen != 0))
		return -EINVAL;
	namesz = strlen(name) + 1;
	err = elfcorehdr_note_size(namesz, desclen, &total);
	if (err != 0)
		return err;
	if (total > cap - *used)
		return -ENOSPC;
	p = (uint8_t *)buf + *used;
	memset(p, 0, total);
	nh.n_namesz = (uint32_t)namesz;
	nh.n_descsz = (uint32_t)desclen;
	nh.n_type = type;
	memcpy(p, &nh, sizeof(nh));
	memcpy(p + sizeof(nh), name, namesz);
	name_pad = (size_t)elf64_note_align(namesz);
	if (desclen != 0)
		memcpy(p + sizeof(nh) + name_pad, desc, desclen);
	*used += total;
	return 0;
}
