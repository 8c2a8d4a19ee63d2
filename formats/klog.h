/*
 * klog: the crashed Linux kernel's log (what dmesg showed), read from its
 * memory through the printk symbols and layouts its VMCOREINFO exports,
 * so a person gets the panic text in seconds, before the full dump.
 *
 * Two layouts (docs/dump-serial.md, "The crash record"):
 *
 *   Lockless ring buffer (Linux 5.10 and later; kernel/printk/printk.c,
 *   printk_ringbuffer.h).  SYMBOL(prb) holds a pointer to the
 *   printk_ringbuffer; its desc_ring has 2^count_bits descriptors (descs)
 *   and as many printk_info records (infos), its text_data_ring a
 *   2^size_bits-byte text area (data).  Descriptor ids run from tail_id to
 *   head_id; id & (count - 1) is the slot.  A descriptor's state_var holds
 *   the state in its top two bits (committed 1 and finalized 2 are
 *   readable) and the id in the rest, which must equal the id looked for.
 *   Its text_blk_lpos {begin, next} are logical positions in the text
 *   area: index = lpos & (size - 1), wraps = lpos >> size_bits.  Bit 0
 *   set in begin means no text.  A block in one lap is [begin, next); one
 *   whose next is one lap on (modulo 2^64: positions start one lap below
 *   zero) starts again at index 0 and ends at next's index.  Each block
 *   starts with the descriptor id (8 bytes; a block with another id was
 *   overwritten and is skipped), then the text; printk_info.text_len says
 *   how much of it is the message.
 *
 *   printk_log records (Linux 3.11 to 5.9).  SYMBOL(log_buf) holds a
 *   pointer to a SYMBOL(log_buf_len)-byte buffer (a u32 variable);
 *   records run from SYMBOL(log_first_idx) to SYMBOL(log_next_idx) (u32
 *   variables).  Each is SIZE(printk_log) bytes of header (ts_nsec,
 *   len, text_len at their OFFSET()s) followed by the text; len is the
 *   whole record; a record with len 0 means "continue at index 0".
 *
 * Interface.  klog_tail() formats the newest records that fit in cap
 * bytes as dmesg does ("[    1.234567] text\n"), oldest first, and
 * NUL-terminates.  Bytes outside 0x20..0x7e other than a newline are
 * written as \xNN.  read_virt copies len bytes at the crashed kernel's
 * virtual address vaddr (0, or a negative errno: the caller translates,
 * e.g. with formats/kpgtable.h, and refuses what is not RAM).
 *
 * Everything read is hostile: every size and offset from VMCOREINFO is
 * bounded (structures below 4 KiB, count_bits <= KLOG_MAX_COUNT_BITS,
 * size_bits <= KLOG_MAX_SIZE_BITS, log_buf_len <= 2^KLOG_MAX_SIZE_BITS),
 * a text is at most KLOG_TEXT_MAX bytes, and at most KLOG_MAX_VISITS
 * records are looked at, so a loop or garbage costs bounded work.
 * Records that do not check out are skipped and counted.
 *
 * Returns NULL when a log was read (possibly empty), else a static
 * one-line reason (missing key, unreadable pointer, ...); *st (may be
 * NULL) says how much was read either way.
 *
 * Pure: no globals, no printing, no allocation.
 */
#ifndef FORMATS_KLOG_H
#define FORMATS_KLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KLOG_MAX_COUNT_BITS	31	/* log_buf_len= up to 2 GiB */
#define KLOG_MAX_SIZE_BITS	31
#define KLOG_MAX_VISITS		(1u << 20)
#define KLOG_TEXT_MAX		4096
#define KLOG_STRUCT_MAX		4096

typedef int (*klog_read_fn)(void *ctx, uint64_t vaddr, void *buf, size_t len);

struct klog_stats {
	bool lockless;			/* the 5.10+ ring buffer */
	uint64_t visited;		/* records looked at */
	uint64_t shown;			/* records written */
	uint64_t skipped;		/* records that did not check out */
	uint64_t newest_seq;		/* lockless: seq of the newest record shown */
	bool cut;			/* older records did not fit */
};

const char *klog_tail(const char *vmcoreinfo, size_t vlen, klog_read_fn read_virt, void *rctx,
		      char *out, size_t cap, size_t *out_len, struct klog_stats *st);

/*
 * Append one record as a line to out[*len..cap) ("[secs.usecs] text\n",
 * escaped as above).  Returns false (nothing written) when it does not fit
 * with a NUL after it.  Used by klog_tail(); exported for the tests.
 */
bool klog_format(char *out, size_t cap, size_t *len, uint64_t ts_nsec, const uint8_t *text,
		 size_t text_len);

#endif
