/*
 * A crashed kernel's log in a small fake memory, for the klog and brief
 * tests and the klog fuzz target: the lockless ring buffer as Linux 6.1
 * lays it out (offsets as its VMCOREINFO states them) and the older
 * printk_log buffer, both written the way the kernel's printk writes
 * them.  Addresses are kernel virtual addresses from KIMG_BASE.
 */
#ifndef TESTS_UNIT_KLOG_IMAGE_H
#define TESTS_UNIT_KLOG_IMAGE_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define KIMG_BASE	0xffffffff82000000ull
#define KIMG_SIZE	(64u << 10)
#define KIMG_PRB	0x100	/* struct printk_ringbuffer */
#define KIMG_DESCS	0x1000
#define KIMG_INFOS	0x3000
#define KIMG_DATA	0x8000	/* up to 32 KiB of text ring */
#define KIMG_DESC_SIZE	24
#define KIMG_INFO_SIZE	88
#define KIMG_ID_MASK	((1ull << 62) - 1)

#define KIMG_VMCOREINFO_RING \
	"OSRELEASE=6.1.0-18-amd64\n" \
	"PAGESIZE=4096\n" \
	"SYMBOL(prb)=ffffffff82000000\n" \
	"SYMBOL(printk_rb_static)=ffffffff82000100\n" \
	"SYMBOL(clear_seq)=ffffffff82000200\n" \
	"SIZE(printk_ringbuffer)=88\n" \
	"OFFSET(printk_ringbuffer.desc_ring)=0\n" \
	"OFFSET(printk_ringbuffer.text_data_ring)=48\n" \
	"OFFSET(printk_ringbuffer.fail)=80\n" \
	"SIZE(prb_desc_ring)=48\n" \
	"OFFSET(prb_desc_ring.count_bits)=0\n" \
	"OFFSET(prb_desc_ring.descs)=8\n" \
	"OFFSET(prb_desc_ring.infos)=16\n" \
	"OFFSET(prb_desc_ring.head_id)=24\n" \
	"OFFSET(prb_desc_ring.tail_id)=32\n" \
	"SIZE(prb_desc)=24\n" \
	"OFFSET(prb_desc.state_var)=0\n" \
	"OFFSET(prb_desc.text_blk_lpos)=8\n" \
	"SIZE(prb_data_blk_lpos)=16\n" \
	"OFFSET(prb_data_blk_lpos.begin)=0\n" \
	"OFFSET(prb_data_blk_lpos.next)=8\n" \
	"SIZE(printk_info)=88\n" \
	"OFFSET(printk_info.seq)=0\n" \
	"OFFSET(printk_info.ts_nsec)=8\n" \
	"OFFSET(printk_info.text_len)=16\n" \
	"OFFSET(printk_info.caller_id)=20\n" \
	"OFFSET(printk_info.dev_info)=24\n" \
	"SIZE(prb_data_ring)=32\n" \
	"OFFSET(prb_data_ring.size_bits)=0\n" \
	"OFFSET(prb_data_ring.data)=8\n" \
	"OFFSET(prb_data_ring.head_lpos)=16\n" \
	"OFFSET(prb_data_ring.tail_lpos)=24\n" \
	"SIZE(atomic_long_t)=8\n" \
	"OFFSET(atomic_long_t.counter)=0\n"

/* printk_log (Linux 4.x): header 16 bytes, records 8-aligned. */
#define KIMG_LOG_BUF_PTR	0x0	/* char *log_buf */
#define KIMG_LOG_LEN_VAR	0x10	/* u32 log_buf_len */
#define KIMG_LOG_FIRST_VAR	0x14	/* u32 log_first_idx */
#define KIMG_LOG_NEXT_VAR	0x18	/* u32 log_next_idx */
#define KIMG_LOG_BUF		0x1000
#define KIMG_LOG_HDR		16

#define KIMG_VMCOREINFO_LEGACY \
	"OSRELEASE=4.19.0-27-amd64\n" \
	"SYMBOL(log_buf)=ffffffff82000000\n" \
	"SYMBOL(log_buf_len)=ffffffff82000010\n" \
	"SYMBOL(log_first_idx)=ffffffff82000014\n" \
	"SYMBOL(clear_idx)=ffffffff8200001c\n" \
	"SYMBOL(log_next_idx)=ffffffff82000018\n" \
	"SIZE(printk_log)=16\n" \
	"OFFSET(printk_log.ts_nsec)=0\n" \
	"OFFSET(printk_log.len)=8\n" \
	"OFFSET(printk_log.text_len)=10\n"

struct kimg {
	uint8_t mem[KIMG_SIZE];
	unsigned cb, sb;		/* ring: count_bits, size_bits */
	uint64_t first_id, head_id, head_lpos, seq, pushed;
	uint32_t lbuf_len, lnext;	/* printk_log */
	int unreadable_from;		/* reads at or past this offset fail; 0 never */
};

static inline void kimg_put64(struct kimg *k, uint64_t off, uint64_t v)
{
	memcpy(k->mem + off, &v, 8);
}

static inline void kimg_put32(struct kimg *k, uint64_t off, uint32_t v)
{
	memcpy(k->mem + off, &v, 4);
}

static inline int kimg_read(void *ctx, uint64_t va, void *buf, size_t len)
{
	struct kimg *k = ctx;

	if (va < KIMG_BASE || va - KIMG_BASE > KIMG_SIZE || len > KIMG_SIZE - (va - KIMG_BASE))
		return -EFAULT;
	if (k->unreadable_from && va - KIMG_BASE + len > (uint64_t)k->unreadable_from)
		return -EFAULT;
	memcpy(buf, k->mem + (va - KIMG_BASE), len);
	return 0;
}

/* An empty ring as Linux starts it: one reusable descriptor, first_id - 1. */
static inline void kimg_ring_init(struct kimg *k, unsigned cb, unsigned sb, uint64_t first_id)
{
	uint64_t d0 = (first_id - 1) & KIMG_ID_MASK, slot = d0 & ((1ull << cb) - 1);

	memset(k, 0, sizeof(*k));
	k->cb = cb;
	k->sb = sb;
	k->first_id = first_id & KIMG_ID_MASK;
	k->head_id = d0;
	k->head_lpos = -(1ull << sb);	/* BLK0_LPOS: one lap below zero, as Linux starts */
	kimg_put64(k, 0, KIMG_BASE + KIMG_PRB);				/* prb */
	kimg_put32(k, KIMG_PRB + 0, cb);
	kimg_put64(k, KIMG_PRB + 8, KIMG_BASE + KIMG_DESCS);
	kimg_put64(k, KIMG_PRB + 16, KIMG_BASE + KIMG_INFOS);
	kimg_put64(k, KIMG_PRB + 24, d0);				/* head_id */
	kimg_put64(k, KIMG_PRB + 32, d0);				/* tail_id */
	kimg_put32(k, KIMG_PRB + 48, sb);
	kimg_put64(k, KIMG_PRB + 56, KIMG_BASE + KIMG_DATA);
	kimg_put64(k, KIMG_DESCS + slot * KIMG_DESC_SIZE, (3ull << 62) | d0);	/* reusable */
	kimg_put64(k, KIMG_DESCS + slot * KIMG_DESC_SIZE + 8, 1);	/* no data */
	kimg_put64(k, KIMG_DESCS + slot * KIMG_DESC_SIZE + 16, 1);
}

/* Append one finalized record; returns its id. */
static inline uint64_t kimg_ring_push(struct kimg *k, uint64_t ts, const char *text, size_t len)
{
	uint64_t id = (k->head_id + 1) & KIMG_ID_MASK, count = 1ull << k->cb, size = 1ull << k->sb;
	uint64_t slot = id & (count - 1), blk = (8 + len + 7) & ~7ull, begin = k->head_lpos, next, at;
	uint64_t d = KIMG_DESCS + slot * KIMG_DESC_SIZE, in = KIMG_INFOS + slot * KIMG_INFO_SIZE;

	if (((begin + blk) >> k->sb) != (begin >> k->sb)) {
		/* It would reach the lap's end: Linux (get_next_lpos) puts it
		 * at the start of the next lap instead. */
		next = ((begin + blk) & ~(size - 1)) + blk;
		at = 0;
	} else {
		next = begin + blk;
		at = begin & (size - 1);
	}
	kimg_put64(k, KIMG_DATA + at, id);
	memcpy(k->mem + KIMG_DATA + at + 8, text, len);
	kimg_put64(k, d, (2ull << 62) | id);
	kimg_put64(k, d + 8, begin);
	kimg_put64(k, d + 16, next);
	memset(k->mem + in, 0, KIMG_INFO_SIZE);
	kimg_put64(k, in + 0, k->seq++);
	kimg_put64(k, in + 8, ts);
	k->mem[in + 16] = (uint8_t)len;
	k->mem[in + 17] = (uint8_t)(len >> 8);
	k->head_lpos = next;
	k->head_id = id;
	k->pushed++;
	kimg_put64(k, KIMG_PRB + 24, id);
	/* The tail follows when the descriptors run out (texts here are
	 * short enough that the text ring never laps a live record first). */
	kimg_put64(k, KIMG_PRB + 32, k->pushed >= count ? (id - (count - 1)) & KIMG_ID_MASK :
		   k->pushed == 1 ? id : k->first_id);
	return id;
}

static inline void kimg_legacy_init(struct kimg *k, uint32_t buf_len)
{
	memset(k, 0, sizeof(*k));
	k->lbuf_len = buf_len;
	kimg_put64(k, KIMG_LOG_BUF_PTR, KIMG_BASE + KIMG_LOG_BUF);
	kimg_put32(k, KIMG_LOG_LEN_VAR, buf_len);
	kimg_put32(k, KIMG_LOG_FIRST_VAR, 0);
	kimg_put32(k, KIMG_LOG_NEXT_VAR, 0);
}

/* Append a record as the 4.x log_store() does, wrapping to 0 with a len-0
 * marker; log_first_idx is the test's to set (the oldest record kept). */
static inline void kimg_legacy_push(struct kimg *k, uint64_t ts, const char *text, uint16_t len)
{
	uint32_t rec = (KIMG_LOG_HDR + len + 7) & ~7u, next = k->lnext;
	uint8_t *b = k->mem + KIMG_LOG_BUF;

	if (next + rec > k->lbuf_len) {
		if (next + KIMG_LOG_HDR <= k->lbuf_len)
			memset(b + next, 0, KIMG_LOG_HDR);	/* len 0: go on at 0 */
		next = 0;
	}
	memset(b + next, 0, rec);
	memcpy(b + next, &ts, 8);
	b[next + 8] = (uint8_t)rec;
	b[next + 9] = (uint8_t)(rec >> 8);
	b[next + 10] = (uint8_t)len;
	b[next + 11] = (uint8_t)(len >> 8);
	memcpy(b + next + KIMG_LOG_HDR, text, len);
	k->lnext = next + rec;
	kimg_put32(k, KIMG_LOG_NEXT_VAR, k->lnext);
}

#endif
