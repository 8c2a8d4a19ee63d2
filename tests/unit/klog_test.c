/*
 * Unit tests for formats/klog.c: the crashed kernel's log from the 5.10+
 * lockless ring buffer and from the older printk_log buffer, in a fake
 * memory written the way printk writes it (tests/unit/klog_image.h), then
 * damaged the ways a dying or hostile machine could leave it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/klog.h"
#include "tests/unit/klog_image.h"
#include "tests/unit/test.h"

static struct kimg k;
static char out[64 << 10];
static char vi[8192];

static const char *run(const char *text, size_t cap, size_t *len, struct klog_stats *st)
{
	return klog_tail(text, strlen(text), kimg_read, &k, out, cap, len, st);
}

static void push(uint64_t ts, const char *s)
{
	kimg_ring_push(&k, ts, s, strlen(s));
}

/* VMCOREINFO with key's line replaced by "key=value" (or dropped: NULL). */
static const char *with(const char *base, const char *key, const char *value)
{
	const char *p = strstr(base, key);
	size_t pre, kl = strlen(key);

	if (p == NULL || p[kl] != '=')
		return base;
	pre = (size_t)(p - base);
	memcpy(vi, base, pre);
	vi[pre] = '\0';
	if (value)
		snprintf(vi + pre, sizeof(vi) - pre, "%s=%s\n", key, value);
	strncat(vi, strchr(p, '\n') + 1, sizeof(vi) - strlen(vi) - 1);
	return vi;
}

TEST(format_line)
{
	char b[64];
	size_t len = 0;

	CHECK(klog_format(b, sizeof(b), &len, 1234567891ull, (const uint8_t *)"hi", 2));
	CHECK_STR(b, "[    1.234567] hi\n");
	CHECK(klog_format(b, sizeof(b), &len, 0, (const uint8_t *)"a\tb\x80\nc", 6));
	CHECK_STR(b, "[    1.234567] hi\n[    0.000000] a\\x09b\\x80\nc\n");
	len = 0;
	CHECK(!klog_format(b, 21, &len, 0, (const uint8_t *)"hello", 5));	/* 21 + NUL needed */
	CHECK_EQ(len, 0);
	CHECK(klog_format(b, 22, &len, 0, (const uint8_t *)"hello", 5));
	CHECK_EQ(len, 21);
	CHECK(!klog_format(b, sizeof(b), &len, 0, NULL, 3));
	CHECK(!klog_format(NULL, 8, &len, 0, NULL, 0));
}

TEST(ring_basic)
{
	struct klog_stats st;
	size_t len;

	kimg_ring_init(&k, 4, 10, 0x100);
	push(1000000000ull, "Linux version 6.1.0-18-amd64");
	push(2500000000ull, "sysrq: Trigger a crash");
	push(2500001000ull, "Kernel panic - not syncing: sysrq triggered crash");
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_STR(out, "[    1.000000] Linux version 6.1.0-18-amd64\n"
		       "[    2.500000] sysrq: Trigger a crash\n"
		       "[    2.500001] Kernel panic - not syncing: sysrq triggered crash\n");
	CHECK_EQ(len, strlen(out));
	CHECK(st.lockless);
	CHECK_EQ(st.shown, 3);
	CHECK_EQ(st.skipped, 0);
	CHECK_EQ(st.newest_seq, 2);
	CHECK(!st.cut);
}

TEST(ring_empty)
{
	struct klog_stats st;
	size_t len = 99;

	kimg_ring_init(&k, 4, 10, 0x100);
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_EQ(len, 0);
	CHECK_STR(out, "");
	CHECK_EQ(st.shown, 0);
	CHECK_EQ(st.skipped, 0);	/* the reusable start descriptor is not damage */
}

/* Ids start where Linux starts them (just below the id space's end) and
 * wrap through it; the descriptor ring laps several times and the text
 * ring wraps, putting blocks at index 0. */
TEST(ring_wraps)
{
	struct klog_stats st;
	char want[4096] = "", line[64];
	size_t len;

	kimg_ring_init(&k, 3, 9, (KIMG_ID_MASK - 8) + 1);
	for (int i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "record %02d", i);
		push((uint64_t)i * 1000000000ull, line);
		if (i >= 22) {
			snprintf(line, sizeof(line), "[%5d.000000] record %02d\n", i, i);
			strcat(want, line);
		}
	}
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_STR(out, want);
	CHECK_EQ(st.shown, 8);
	CHECK_EQ(st.newest_seq, 29);
}

/* The first wrap of the text area crosses 2^64 (positions start one lap
 * below zero): the block placed at index 0 then is still read. */
TEST(ring_first_wrap_crosses_2_64)
{
	struct klog_stats st;
	size_t len;
	char line[64];
	uint64_t first = 0;

	kimg_ring_init(&k, 5, 9, 0x100);
	for (int i = 0; i < 17; i++) {	/* 32-byte blocks: the 16th would end the lap, wraps */
		uint64_t id;

		snprintf(line, sizeof(line), "the record numbered %02d", i);
		id = kimg_ring_push(&k, (uint64_t)i * 1000000000ull, line, strlen(line));
		if (i == 2)
			first = id;
	}
	CHECK(k.head_lpos < (1ull << 9));		/* the wrap crossed 2^64 */
	kimg_put64(&k, KIMG_PRB + 32, first);		/* 0 and 1 overwritten: the tail moved */
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_EQ(st.skipped, 0);
	CHECK_EQ(st.shown, 15);
	CHECK(strstr(out, "[   15.000000] the record numbered 15\n") != NULL);
	CHECK(strstr(out, "[   16.000000] the record numbered 16\n") != NULL);
	/* With the tail left behind, record 1 is found overwritten, not misread. */
	kimg_put64(&k, KIMG_PRB + 32, first - 1);
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_EQ(st.skipped, 1);
	CHECK(strstr(out, "numbered 01") == NULL);
}

/* A committed descriptor whose text block was overwritten by a newer
 * record (the block's id is the newer one's): skipped, not shown with the
 * wrong text. */
TEST(ring_stale_text_skipped)
{
	struct klog_stats st;
	size_t len;
	uint64_t id1, d;

	kimg_ring_init(&k, 4, 10, 0x100);
	id1 = kimg_ring_push(&k, 1000, "first", 5);
	push(2000, "second");
	d = KIMG_DESCS + (id1 & 15) * KIMG_DESC_SIZE;
	/* Point id1's block at the second record's block. */
	kimg_put64(&k, d + 8, k.head_lpos - 16);
	kimg_put64(&k, d + 16, k.head_lpos);
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_STR(out, "[    0.000002] second\n");
	CHECK_EQ(st.skipped, 1);
}

TEST(ring_cut_keeps_newest)
{
	struct klog_stats st;
	size_t len;

	kimg_ring_init(&k, 4, 10, 0x100);
	push(1000000, "one");
	push(2000000, "two");
	push(3000000, "three");
	/* Each line is 15 + text + 1; room for "two" and "three" only. */
	CHECK(run(KIMG_VMCOREINFO_RING, 19 + 21 + 1, &len, &st) == NULL);
	CHECK_STR(out, "[    0.002000] two\n[    0.003000] three\n");
	CHECK(st.cut);
	CHECK_EQ(st.shown, 2);
	CHECK(run(KIMG_VMCOREINFO_RING, 2, &len, &st) == NULL);
	CHECK_STR(out, "");
	CHECK(st.cut);
}

TEST(ring_damaged_records)
{
	struct klog_stats st;
	size_t len;
	uint64_t id1, id2, id3, d;

	kimg_ring_init(&k, 4, 10, 0x100);
	id1 = kimg_ring_push(&k, 1000, "first", 5);
	id2 = kimg_ring_push(&k, 2000, "second", 6);
	id3 = kimg_ring_push(&k, 3000, "third", 5);
	/* id2: a state_var naming another id (the slot was reused). */
	d = KIMG_DESCS + (id2 & 15) * KIMG_DESC_SIZE;
	kimg_put64(&k, d, (2ull << 62) | (id2 + 16));
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_STR(out, "[    0.000001] first\n[    0.000003] third\n");
	CHECK_EQ(st.skipped, 1);
	/* id2 reserved (being written at the crash): silently left out. */
	kimg_put64(&k, d, (0ull << 62) | id2);
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_EQ(st.skipped, 0);
	CHECK_EQ(st.shown, 2);
	/* id2 committed, but its block runs backwards, or over two laps. */
	kimg_put64(&k, d, (1ull << 62) | id2);
	kimg_put64(&k, d + 8, 0x200);
	kimg_put64(&k, d + 16, 0x100);
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_EQ(st.skipped, 1);
	kimg_put64(&k, d + 8, 0x10);
	kimg_put64(&k, d + 16, 0x10 + 3 * 1024);
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_EQ(st.skipped, 1);
	/* A block shorter than its id. */
	kimg_put64(&k, d + 8, 0x10);
	kimg_put64(&k, d + 16, 0x14);
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_EQ(st.skipped, 1);
	/* id3's text_len far past its block: cut to the block. */
	k.mem[KIMG_INFOS + (id3 & 15) * KIMG_INFO_SIZE + 16] = 0xff;
	k.mem[KIMG_INFOS + (id3 & 15) * KIMG_INFO_SIZE + 17] = 0xff;
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK(strstr(out, "[    0.000003] third\\x00\\x00\\x00\n") != NULL);
	(void)id1;
}

TEST(ring_head_tail_far_apart)
{
	struct klog_stats st;
	size_t len;

	kimg_ring_init(&k, 4, 10, 0x100);
	push(1000, "a");
	push(2000, "b");
	/* A tail 2^40 ids behind the head: only the ring's 16 slots are read. */
	kimg_put64(&k, KIMG_PRB + 32, (k.head_id - (1ull << 40)) & KIMG_ID_MASK);
	CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
	CHECK_EQ(st.visited, 16);
	CHECK_EQ(st.shown, 2);
	CHECK_STR(out, "[    0.000001] a\n[    0.000002] b\n");
}

TEST(ring_bad_setup)
{
	size_t len;

	kimg_ring_init(&k, 4, 10, 0x100);
	push(1000, "a");
	CHECK_STR(run(with(KIMG_VMCOREINFO_RING, "OFFSET(prb_desc_ring.infos)", NULL), sizeof(out),
		      &len, NULL), "no usable OFFSET(prb_desc_ring.infos) in VMCOREINFO");
	CHECK_STR(run(with(KIMG_VMCOREINFO_RING, "SIZE(prb_desc)", "99999"), sizeof(out), &len, NULL),
		  "no usable SIZE(prb_desc) in VMCOREINFO");
	CHECK_STR(run(with(KIMG_VMCOREINFO_RING, "OFFSET(prb_desc.text_blk_lpos)", "16"), sizeof(out),
		      &len, NULL), "prb_desc fields lie outside SIZE(prb_desc)");
	CHECK_STR(run(with(KIMG_VMCOREINFO_RING, "OFFSET(printk_info.text_len)", "87"), sizeof(out),
		      &len, NULL), "printk_info fields lie outside SIZE(printk_info)");
	CHECK_STR(run(with(KIMG_VMCOREINFO_RING, "SYMBOL(prb)", "ffffffff90000000"), sizeof(out), &len,
		      NULL), "the prb pointer cannot be read");
	kimg_put64(&k, 0, 0xdead000000000000ull);
	CHECK_STR(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, NULL),
		  "the printk descriptor ring cannot be read");
	kimg_ring_init(&k, 4, 10, 0x100);
	kimg_put32(&k, KIMG_PRB, 40);
	CHECK_STR(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, NULL),
		  "prb_desc_ring.count_bits is implausible");
	kimg_ring_init(&k, 4, 10, 0x100);
	kimg_put32(&k, KIMG_PRB + 48, 63);
	CHECK_STR(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, NULL),
		  "prb_data_ring.size_bits is implausible");
	kimg_ring_init(&k, 4, 10, 0x100);
	kimg_put64(&k, KIMG_PRB + 56, KIMG_BASE + KIMG_SIZE - 8);	/* text ring off the end */
	push(1000, "a");
	{
		struct klog_stats st;

		CHECK(run(KIMG_VMCOREINFO_RING, sizeof(out), &len, &st) == NULL);
		CHECK_EQ(st.shown, 0);
		CHECK_EQ(st.skipped, 1);
	}
	CHECK_STR(run("OSRELEASE=6.1\n", sizeof(out), &len, NULL),
		  "VMCOREINFO names no printk buffer (neither SYMBOL(prb) nor SYMBOL(log_buf))");
	CHECK_STR(klog_tail(KIMG_VMCOREINFO_RING, 10, NULL, &k, out, sizeof(out), &len, NULL),
		  "no VMCOREINFO, reader or room for the log");
	CHECK(klog_tail(KIMG_VMCOREINFO_RING, strlen(KIMG_VMCOREINFO_RING), kimg_read, &k, out, 1,
			&len, NULL) != NULL);
}

TEST(legacy_basic)
{
	struct klog_stats st;
	size_t len;

	kimg_legacy_init(&k, 4096);
	kimg_legacy_push(&k, 1000000000ull, "Linux version 4.19.0", 20);
	kimg_legacy_push(&k, 3000000000ull, "Kernel panic - not syncing: Fatal exception", 43);
	CHECK(run(KIMG_VMCOREINFO_LEGACY, sizeof(out), &len, &st) == NULL);
	CHECK_STR(out, "[    1.000000] Linux version 4.19.0\n"
		       "[    3.000000] Kernel panic - not syncing: Fatal exception\n");
	CHECK(!st.lockless);
	CHECK_EQ(st.shown, 2);
	CHECK(!st.cut);
}

TEST(legacy_wrap_and_cut)
{
	struct klog_stats st;
	char line[64], want[4096] = "";
	size_t len;
	uint32_t first = 0;

	kimg_legacy_init(&k, 256);
	/* 24-byte records ("entry NN" is 8 bytes + 16 header): 10 fit, the
	 * 11th wraps; the test keeps the newest 9 as log_first_idx would. */
	for (int i = 0; i < 14; i++) {
		snprintf(line, sizeof(line), "entry %02d", i);
		kimg_legacy_push(&k, (uint64_t)i * 1000000000ull, line, 8);
	}
	/* After 14 pushes: records 10..13 at 0..96, 5..9 at 120..240 survive. */
	first = 5 * 24;
	kimg_put32(&k, KIMG_LOG_FIRST_VAR, first);
	for (int i = 5; i < 14; i++) {
		snprintf(line, sizeof(line), "[%5d.000000] entry %02d\n", i, i);
		strcat(want, line);
	}
	CHECK(run(KIMG_VMCOREINFO_LEGACY, sizeof(out), &len, &st) == NULL);
	CHECK_STR(out, want);
	CHECK_EQ(st.shown, 9);
	/* Room for the newest three only (24 bytes a line; a quarter of the
	 * buffer is kept for reading texts). */
	CHECK(run(KIMG_VMCOREINFO_LEGACY, 3 * 24 * 4 / 3 + 2, &len, &st) == NULL);
	CHECK_STR(out, "[   11.000000] entry 11\n[   12.000000] entry 12\n[   13.000000] entry 13\n");
	CHECK(st.cut);
}

TEST(legacy_damage)
{
	struct klog_stats st;
	size_t len;

	kimg_legacy_init(&k, 4096);
	kimg_legacy_push(&k, 1000, "ok", 2);
	kimg_legacy_push(&k, 2000, "bad", 3);
	kimg_legacy_push(&k, 3000, "never", 5);
	/* The second record's len runs past the buffer: the walk stops there. */
	k.mem[KIMG_LOG_BUF + 24 + 8] = 0xff;
	k.mem[KIMG_LOG_BUF + 24 + 9] = 0x7f;
	CHECK(run(KIMG_VMCOREINFO_LEGACY, sizeof(out), &len, &st) == NULL);
	CHECK_STR(out, "[    0.000001] ok\n");
	CHECK_EQ(st.skipped, 1);
	/* len below the header. */
	k.mem[KIMG_LOG_BUF + 24 + 8] = 4;
	k.mem[KIMG_LOG_BUF + 24 + 9] = 0;
	CHECK(run(KIMG_VMCOREINFO_LEGACY, sizeof(out), &len, &st) == NULL);
	CHECK_EQ(st.shown, 1);
	/* A len-0 marker at 0 while next is elsewhere: a loop, stopped. */
	kimg_legacy_init(&k, 4096);
	kimg_put32(&k, KIMG_LOG_NEXT_VAR, 64);
	CHECK(run(KIMG_VMCOREINFO_LEGACY, sizeof(out), &len, &st) == NULL);
	CHECK_EQ(st.shown, 0);
	CHECK_EQ(st.skipped, 1);
	/* Records that chain in a circle never reach next: bounded visits. */
	kimg_legacy_init(&k, 4096);
	kimg_legacy_push(&k, 1000, "loop", 4);
	k.mem[KIMG_LOG_BUF + 8] = 0;		/* len 0 at index 0 ... */
	kimg_put32(&k, KIMG_LOG_FIRST_VAR, 0);
	kimg_put32(&k, KIMG_LOG_NEXT_VAR, 8);
	CHECK(run(KIMG_VMCOREINFO_LEGACY, sizeof(out), &len, &st) == NULL);
	CHECK(st.visited <= KLOG_MAX_VISITS);
	/* Indices past log_buf_len, a bad header layout, missing keys. */
	kimg_legacy_init(&k, 4096);
	kimg_put32(&k, KIMG_LOG_FIRST_VAR, 5000);
	CHECK_STR(run(KIMG_VMCOREINFO_LEGACY, sizeof(out), &len, NULL),
		  "log_buf_len or its indices are implausible");
	CHECK_STR(run(with(KIMG_VMCOREINFO_LEGACY, "OFFSET(printk_log.text_len)", "15"), sizeof(out),
		      &len, NULL), "printk_log fields lie outside SIZE(printk_log)");
	CHECK_STR(run(with(KIMG_VMCOREINFO_LEGACY, "SYMBOL(log_next_idx)", NULL), sizeof(out), &len,
		      NULL), "no usable SYMBOL(log_next_idx) in VMCOREINFO");
}

TEST_MAIN(format_line, ring_basic, ring_empty, ring_wraps, ring_first_wrap_crosses_2_64,
	  ring_stale_text_skipped, ring_cut_keeps_newest,
	  ring_damaged_records, ring_head_tail_far_apart, ring_bad_setup, legacy_basic,
	  legacy_wrap_and_cut, legacy_damage)
