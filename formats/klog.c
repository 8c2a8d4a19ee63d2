/*
 * klog: the crashed Linux kernel's log from its memory (see klog.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "formats/elfcorehdr.h"
#include "formats/klog.h"

#define KLOG_DESC_STATE_SHIFT	62
#define KLOG_DESC_ID_MASK	((1ull << KLOG_DESC_STATE_SHIFT) - 1)
#define KLOG_DESC_COMMITTED	1
#define KLOG_DESC_FINALIZED	2
#define KLOG_ID_BYTES		8	/* each text block starts with its descriptor id */

struct klog_src {
	const char *vi;
	size_t vlen;
	klog_read_fn read;
	void *ctx;
};

/* A VMCOREINFO number that must be present and below max. */
static bool klog_key(const struct klog_src *s, const char *key, uint64_t max, uint64_t *out)
{
	return elfcorehdr_vmcoreinfo_u64(s->vi, s->vlen, key, out) == 0 && *out < max;
}

static bool klog_read(const struct klog_src *s, uint64_t va, void *buf, size_t len)
{
	if (va + len < va)
		return false;
	return s->read(s->ctx, va, buf, len) == 0;
}

static bool klog_u64(const struct klog_src *s, uint64_t va, uint64_t *v)
{
	return klog_read(s, va, v, sizeof(*v));
}

static bool klog_u32(const struct klog_src *s, uint64_t va, uint32_t *v)
{
	return klog_read(s, va, v, sizeof(*v));
}

static size_t klog_escaped_len(const uint8_t *text, size_t n)
{
	size_t l = 0;

	for (size_t i = 0; i < n; i++)
		l += (text[i] >= 0x20 && text[i] <= 0x7e) || text[i] == '\n' ? 1 : 4;
	return l;
}

/* "[secs.usecs] " as dmesg prints it; its length (< n). */
static int klog_prefix(char *buf, size_t n, uint64_t ts_nsec)
{
	int pl = snprintf(buf, n, "[%5llu.%06llu] ", (unsigned long long)(ts_nsec / 1000000000ull),
			  (unsigned long long)(ts_nsec % 1000000000ull / 1000ull));

	return pl < 0 || (size_t)pl >= n ? 0 : pl;
}

static size_t klog_line_len(uint64_t ts, const uint8_t *text, size_t n)
{
	char prefix[48];

	return (size_t)klog_prefix(prefix, sizeof(prefix), ts) + klog_escaped_len(text, n) + 1;
}

/*
 * Write the line (klog_line_len() bytes, no NUL) to dst.  text may be
 * the last n bytes of the line's own span: the line is at least n + 16
 * bytes and each byte written lies before every byte still to be read.
 */
static void klog_emit(char *dst, uint64_t ts, const uint8_t *text, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char prefix[48];
	size_t o = (size_t)klog_prefix(prefix, sizeof(prefix), ts);

	memcpy(dst, prefix, o);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = text[i];

		if ((c >= 0x20 && c <= 0x7e) || c == '\n') {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\n';
}

bool klog_format(char *out, size_t cap, size_t *len, uint64_t ts_nsec, const uint8_t *text,
		 size_t text_len)
{
	size_t need;

	if (out == NULL || len == NULL || *len >= cap || (text == NULL && text_len != 0))
		return false;
	need = klog_line_len(ts_nsec, text, text_len);
	if (need >= cap - *len)		/* and room for the NUL */
		return false;
	klog_emit(out + *len, ts_nsec, text, text_len);
	*len += need;
	out[*len] = '\0';
	return true;
}

/* ------------------------------------------------------- lockless ring */

struct klog_ring {
	uint64_t descs, infos, data;
	uint64_t count, size, head, tail;
	unsigned size_bits;
	uint64_t desc_size, o_state, o_begin, o_next;
	uint64_t info_size, o_seq, o_ts, o_text_len;
};

#define KLOG_NEED(key, max, var) \
	do { if (!klog_key(s, key, max, &(var))) return "no usable " key " in VMCOREINFO"; } while (0)

static const char *klog_ring_setup(const struct klog_src *s, struct klog_ring *r)
{
	uint64_t prb_sym, prb, o_desc_ring, o_text_ring, o_count_bits, o_descs, o_infos, o_head,
		 o_tail, o_text_lpos, o_size_bits, o_data, o_counter, dr, tr;
	uint32_t cb, sb;

	KLOG_NEED("SYMBOL(prb)", UINT64_MAX, prb_sym);
	KLOG_NEED("OFFSET(printk_ringbuffer.desc_ring)", KLOG_STRUCT_MAX, o_desc_ring);
	KLOG_NEED("OFFSET(printk_ringbuffer.text_data_ring)", KLOG_STRUCT_MAX, o_text_ring);
	KLOG_NEED("OFFSET(prb_desc_ring.count_bits)", KLOG_STRUCT_MAX, o_count_bits);
	KLOG_NEED("OFFSET(prb_desc_ring.descs)", KLOG_STRUCT_MAX, o_descs);
	KLOG_NEED("OFFSET(prb_desc_ring.infos)", KLOG_STRUCT_MAX, o_infos);
	KLOG_NEED("OFFSET(prb_desc_ring.head_id)", KLOG_STRUCT_MAX, o_head);
	KLOG_NEED("OFFSET(prb_desc_ring.tail_id)", KLOG_STRUCT_MAX, o_tail);
	KLOG_NEED("SIZE(prb_desc)", KLOG_STRUCT_MAX, r->desc_size);
	KLOG_NEED("OFFSET(prb_desc.state_var)", KLOG_STRUCT_MAX, r->o_state);
	KLOG_NEED("OFFSET(prb_desc.text_blk_lpos)", KLOG_STRUCT_MAX, o_text_lpos);
	KLOG_NEED("OFFSET(prb_data_blk_lpos.begin)", KLOG_STRUCT_MAX, r->o_begin);
	KLOG_NEED("OFFSET(prb_data_blk_lpos.next)", KLOG_STRUCT_MAX, r->o_next);
	KLOG_NEED("SIZE(printk_info)", KLOG_STRUCT_MAX, r->info_size);
	KLOG_NEED("OFFSET(printk_info.seq)", KLOG_STRUCT_MAX, r->o_seq);
	KLOG_NEED("OFFSET(printk_info.ts_nsec)", KLOG_STRUCT_MAX, r->o_ts);
	KLOG_NEED("OFFSET(printk_info.text_len)", KLOG_STRUCT_MAX, r->o_text_len);
	KLOG_NEED("OFFSET(prb_data_ring.size_bits)", KLOG_STRUCT_MAX, o_size_bits);
	KLOG_NEED("OFFSET(prb_data_ring.data)", KLOG_STRUCT_MAX, o_data);
	/* atomic_long_t is a struct with one long; Linux exports its offset. */
	if (elfcorehdr_vmcoreinfo_u64(s->vi, s->vlen, "OFFSET(atomic_long_t.counter)", &o_counter) != 0)
		o_counter = 0;
	if (o_counter >= KLOG_STRUCT_MAX)
		return "no usable OFFSET(atomic_long_t.counter) in VMCOREINFO";
	r->o_state += o_counter;
	r->o_begin += o_text_lpos;
	r->o_next += o_text_lpos;
	if (r->desc_size < 8 || r->o_state + 8 > r->desc_size || r->o_begin + 8 > r->desc_size ||
	    r->o_next + 8 > r->desc_size)
		return "prb_desc fields lie outside SIZE(prb_desc)";
	if (r->info_size < 8 || r->o_seq + 8 > r->info_size || r->o_ts + 8 > r->info_size ||
	    r->o_text_len + 2 > r->info_size)
		return "printk_info fields lie outside SIZE(printk_info)";

	if (!klog_u64(s, prb_sym, &prb))
		return "the prb pointer cannot be read";
	dr = prb + o_desc_ring;
	tr = prb + o_text_ring;
	if (!klog_u32(s, dr + o_count_bits, &cb) || !klog_u64(s, dr + o_descs, &r->descs) ||
	    !klog_u64(s, dr + o_infos, &r->infos) || !klog_u64(s, dr + o_head + o_counter, &r->head) ||
	    !klog_u64(s, dr + o_tail + o_counter, &r->tail))
		return "the printk descriptor ring cannot be read";
	if (!klog_u32(s, tr + o_size_bits, &sb) || !klog_u64(s, tr + o_data, &r->data))
		return "the printk text ring cannot be read";
	if (cb > KLOG_MAX_COUNT_BITS)
		return "prb_desc_ring.count_bits is implausible";
	if (sb > KLOG_MAX_SIZE_BITS || sb < 4)
		return "prb_data_ring.size_bits is implausible";
	r->count = 1ull << cb;
	r->size_bits = sb;
	r->size = 1ull << sb;
	r->head &= KLOG_DESC_ID_MASK;
	r->tail &= KLOG_DESC_ID_MASK;
	return NULL;
}

/* Where id's text is: its first byte and length; false when it has none or is bad. */
static bool klog_ring_text(const struct klog_ring *r, uint64_t begin, uint64_t next,
			   uint64_t *off, uint64_t *len)
{
	uint64_t mask = r->size - 1, bw = begin >> r->size_bits, nw = next >> r->size_bits;

	if (begin & 1)		/* a record without text */
		return false;
	if (bw == nw && begin < next) {
		*off = begin & mask;
		*len = next - begin;
	} else if (((begin + r->size) >> r->size_bits) == nw) {
		/* One lap on (modulo 2^64: Linux starts the positions one lap
		 * below zero, so the first wrap crosses 2^64): the block was
		 * placed at the start of the text area. */
		*off = 0;
		*len = next & mask;
	} else {
		return false;
	}
	return *len >= KLOG_ID_BYTES && *len <= r->size && *off + *len <= r->size;
}

enum klog_rec { KLOG_REC_OK, KLOG_REC_EMPTY, KLOG_REC_BAD, KLOG_REC_FULL };

/*
 * Format the record with descriptor id as the line ending at out + *pos,
 * inside the free space out[0..*pos) (lines build up backwards).
 */
static enum klog_rec klog_ring_record(const struct klog_src *s, const struct klog_ring *r,
				      uint64_t id, char *out, size_t *pos, uint64_t *seq)
{
	uint64_t slot = id & (r->count - 1), d = r->descs + slot * r->desc_size;
	uint64_t in = r->infos + slot * r->info_size, sv, begin, next, off, blen, ts;
	uint64_t blk_id;
	uint16_t tl;
	size_t tlen, line;

	if (!klog_u64(s, d + r->o_state, &sv) || (sv & KLOG_DESC_ID_MASK) != id)
		return KLOG_REC_BAD;
	/* Reserved (being written when the machine died) or reusable (its
	 * text given up): nothing to show, and nothing wrong. */
	if ((sv >> KLOG_DESC_STATE_SHIFT) != KLOG_DESC_COMMITTED &&
	    (sv >> KLOG_DESC_STATE_SHIFT) != KLOG_DESC_FINALIZED)
		return KLOG_REC_EMPTY;
	if (!klog_u64(s, d + r->o_begin, &begin) || !klog_u64(s, d + r->o_next, &next) ||
	    !klog_u64(s, in + r->o_seq, seq) || !klog_u64(s, in + r->o_ts, &ts) ||
	    !klog_read(s, in + r->o_text_len, &tl, sizeof(tl)))
		return KLOG_REC_BAD;
	if (!klog_ring_text(r, begin, next, &off, &blen))
		return (begin & 1) ? KLOG_REC_EMPTY : KLOG_REC_BAD;
	tlen = tl;
	if (tlen > blen - KLOG_ID_BYTES)
		tlen = (size_t)(blen - KLOG_ID_BYTES);
	if (tlen > KLOG_TEXT_MAX)
		tlen = KLOG_TEXT_MAX;
	/* Read the block (its id, then the text) to the end of the free
	 * space, then write the line ending there: the line is longer than
	 * the text by its prefix and newline, and klog_emit() never overtakes
	 * what it reads.  A block whose id is another descriptor's holds
	 * newer text (it was overwritten): not this record's. */
	if (tlen + KLOG_ID_BYTES > *pos)
		return KLOG_REC_FULL;
	if (!klog_read(s, r->data + off, out + *pos - tlen - KLOG_ID_BYTES, tlen + KLOG_ID_BYTES))
		return KLOG_REC_BAD;
	memcpy(&blk_id, out + *pos - tlen - KLOG_ID_BYTES, sizeof(blk_id));
	if ((blk_id & KLOG_DESC_ID_MASK) != id)
		return KLOG_REC_BAD;
	line = klog_line_len(ts, (const uint8_t *)out + *pos - tlen, tlen);
	if (line > *pos)
		return KLOG_REC_FULL;
	klog_emit(out + *pos - line, ts, (const uint8_t *)out + *pos - tlen, tlen);
	*pos -= line;
	return KLOG_REC_OK;
}

static const char *klog_ring_tail(const struct klog_src *s, char *out, size_t cap,
				  size_t *out_len, struct klog_stats *st)
{
	struct klog_ring r;
	const char *why = klog_ring_setup(s, &r);
	uint64_t n, id, seq;
	size_t pos = cap - 1;	/* the NUL */

	st->lockless = true;
	if (why)
		return why;
	n = ((r.head - r.tail) & KLOG_DESC_ID_MASK) + 1;
	if (n > r.count)		/* ids further apart than the ring holds */
		n = r.count;
	if (n > KLOG_MAX_VISITS)
		n = KLOG_MAX_VISITS;
	id = r.head;
	for (uint64_t i = 0; i < n; i++, id = (id - 1) & KLOG_DESC_ID_MASK) {
		enum klog_rec k;

		st->visited++;
		k = klog_ring_record(s, &r, id, out, &pos, &seq);
		if (k == KLOG_REC_FULL) {
			st->cut = true;
			break;
		}
		if (k == KLOG_REC_BAD)
			st->skipped++;
		if (k == KLOG_REC_OK && st->shown++ == 0)
			st->newest_seq = seq;
	}
	*out_len = cap - 1 - pos;
	memmove(out, out + pos, *out_len);
	out[*out_len] = '\0';
	return NULL;
}

/* ------------------------------------------------------ printk_log records */

struct klog_legacy {
	uint64_t buf, buf_len, first, next;
	uint64_t hdr_size, o_ts, o_len, o_text_len;
};

static const char *klog_legacy_setup(const struct klog_src *s, struct klog_legacy *l)
{
	uint64_t sym_buf, sym_len, sym_first, sym_next;
	uint32_t v32;

	KLOG_NEED("SYMBOL(log_buf)", UINT64_MAX, sym_buf);
	KLOG_NEED("SYMBOL(log_buf_len)", UINT64_MAX, sym_len);
	KLOG_NEED("SYMBOL(log_first_idx)", UINT64_MAX, sym_first);
	KLOG_NEED("SYMBOL(log_next_idx)", UINT64_MAX, sym_next);
	KLOG_NEED("SIZE(printk_log)", 256, l->hdr_size);
	KLOG_NEED("OFFSET(printk_log.ts_nsec)", 256, l->o_ts);
	KLOG_NEED("OFFSET(printk_log.len)", 256, l->o_len);
	KLOG_NEED("OFFSET(printk_log.text_len)", 256, l->o_text_len);
	if (l->o_ts + 8 > l->hdr_size || l->o_len + 2 > l->hdr_size || l->o_text_len + 2 > l->hdr_size)
		return "printk_log fields lie outside SIZE(printk_log)";
	if (!klog_u64(s, sym_buf, &l->buf))
		return "the log_buf pointer cannot be read";
	if (!klog_u32(s, sym_len, &v32))
		return "log_buf_len cannot be read";
	l->buf_len = v32;
	if (!klog_u32(s, sym_first, &v32))
		return "log_first_idx cannot be read";
	l->first = v32;
	if (!klog_u32(s, sym_next, &v32))
		return "log_next_idx cannot be read";
	l->next = v32;
	if (l->buf_len == 0 || l->buf_len > (1ull << KLOG_MAX_SIZE_BITS) ||
	    l->first >= l->buf_len || l->next >= l->buf_len)
		return "log_buf_len or its indices are implausible";
	return NULL;
}

/*
 * Walk the records from first to next; for each, call back with its
 * header fields.  A record that does not check out ends the walk (the
 * next one cannot be found).
 */
struct klog_walk {
	uint64_t idx, visits;
	bool done;
};

static bool klog_legacy_next(const struct klog_src *s, const struct klog_legacy *l,
			     struct klog_walk *w, uint64_t *ts, uint64_t *text_va, size_t *tlen,
			     struct klog_stats *st)
{
	uint8_t hdr[256];
	uint16_t len, tl;

	while (!w->done && w->idx != l->next && w->visits < KLOG_MAX_VISITS) {
		w->visits++;
		st->visited++;
		if (w->idx + l->hdr_size > l->buf_len) {
			if (w->idx == 0)
				break;
			w->idx = 0;	/* no room for a header: Linux starts over at 0 */
			continue;
		}
		if (!klog_read(s, l->buf + w->idx, hdr, (size_t)l->hdr_size))
			break;
		memcpy(&len, hdr + l->o_len, sizeof(len));
		if (len == 0) {
			if (w->idx == 0)
				break;
			w->idx = 0;
			continue;
		}
		if (len < l->hdr_size || w->idx + len > l->buf_len)
			break;
		memcpy(ts, hdr + l->o_ts, sizeof(*ts));
		memcpy(&tl, hdr + l->o_text_len, sizeof(tl));
		*tlen = tl;
		if (*tlen > len - l->hdr_size)
			*tlen = (size_t)(len - l->hdr_size);
		if (*tlen > KLOG_TEXT_MAX)
			*tlen = KLOG_TEXT_MAX;
		*text_va = l->buf + w->idx + l->hdr_size;
		w->idx += len;
		if (w->idx == l->buf_len)
			w->idx = 0;
		return true;
	}
	if (!w->done && w->idx != l->next)
		st->skipped++;		/* the walk broke off before log_next_idx */
	w->done = true;
	return false;
}

static const char *klog_legacy_tail(const struct klog_src *s, char *out, size_t cap,
				    size_t *out_len, struct klog_stats *st)
{
	struct klog_legacy l;
	struct klog_walk w;
	struct klog_stats scratch_st;
	const char *why = klog_legacy_setup(s, &l);
	uint64_t ts, va, total = 0;
	size_t tlen, len = 0, room = (cap - 1) / 4, avail;
	uint8_t *scratch;

	if (why)
		return why;
	/* Texts are read into the last `room` bytes; lines fill the rest. */
	if (room > KLOG_TEXT_MAX)
		room = KLOG_TEXT_MAX;
	avail = cap - 1 - room;
	scratch = (uint8_t *)out + avail;
	/* Pass 1: how long would every line be?  (Records only chain forwards.) */
	memset(&w, 0, sizeof(w));
	w.idx = l.first;
	memset(&scratch_st, 0, sizeof(scratch_st));
	while (klog_legacy_next(s, &l, &w, &ts, &va, &tlen, &scratch_st)) {
		if (tlen > room)
			tlen = room;
		if (klog_read(s, va, scratch, tlen))
			total += klog_line_len(ts, scratch, tlen);
	}
	/* Pass 2: skip the oldest lines until the rest fits, then write. */
	memset(&w, 0, sizeof(w));
	w.idx = l.first;
	while (klog_legacy_next(s, &l, &w, &ts, &va, &tlen, st)) {
		size_t line;

		if (tlen > room)
			tlen = room;
		if (!klog_read(s, va, scratch, tlen)) {
			st->skipped++;
			continue;
		}
		line = klog_line_len(ts, scratch, tlen);
		if (total > avail) {
			total -= line < total ? line : total;
			st->cut = true;
			continue;
		}
		if (!klog_format(out, avail + 1, &len, ts, scratch, tlen)) {
			st->cut = true;
			break;
		}
		st->shown++;
	}
	*out_len = len;
	out[len] = '\0';
	return NULL;
}

/* --------------------------------------------------------------- entry */

const char *klog_tail(const char *vmcoreinfo, size_t vlen, klog_read_fn read_virt, void *rctx,
		      char *out, size_t cap, size_t *out_len, struct klog_stats *st)
{
	struct klog_src s = { vmcoreinfo, vlen, read_virt, rctx };
	struct klog_stats local;
	const char *v;
	size_t vl;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (out_len)
		*out_len = 0;
	if (vmcoreinfo == NULL || read_virt == NULL || out == NULL || out_len == NULL || cap < 2)
		return "no VMCOREINFO, reader or room for the log";
	out[0] = '\0';
	if (elfcorehdr_vmcoreinfo_get(vmcoreinfo, vlen, "SYMBOL(prb)", &v, &vl) == 0)
		return klog_ring_tail(&s, out, cap, out_len, st);
	if (elfcorehdr_vmcoreinfo_get(vmcoreinfo, vlen, "SYMBOL(log_buf)", &v, &vl) == 0)
		return klog_legacy_tail(&s, out, cap, out_len, st);
	return "VMCOREINFO names no printk buffer (neither SYMBOL(prb) nor SYMBOL(log_buf))";
}
