/*
 * Unit tests for payload/brief.c (the crash record sent before a serial
 * dump) and formats/textbuf.c (the bounded text builder it uses): a
 * record from NT_PRSTATUS notes and a log in fake memory
 * (tests/unit/klog_image.h), every cap from 1 byte up never overflowing,
 * and the page-table setup refusing bad VMCOREINFO.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payload/brief.h"
#include "formats/textbuf.h"
#include "tests/unit/klog_image.h"
#include "tests/unit/test.h"

static struct kimg k;
static uint8_t notes[32768];
static char out[BRIEF_MAX + 64];

static size_t put_note(size_t off, const char *name, uint32_t type, const void *desc, uint32_t dl)
{
	uint32_t nl = (uint32_t)strlen(name) + 1;

	test_put32(notes + off, nl);
	test_put32(notes + off + 4, dl);
	test_put32(notes + off + 8, type);
	off += 12;
	memcpy(notes + off, name, nl);
	off += (nl + 3u) & ~3u;
	memcpy(notes + off, desc, dl);
	return off + ((dl + 3u) & ~3u);
}

static size_t put_prstatus(size_t off, int32_t pid, uint64_t rip)
{
	uint8_t prs[336];

	memset(prs, 0, sizeof(prs));
	memcpy(prs + 32, &pid, 4);
	for (unsigned i = 0; i < 27; i++)
		test_put64(prs + 112 + 8 * i, 0x1111111111111111ull * (i % 15 + 1));
	test_put64(prs + 112 + 0x80, rip);
	return put_note(off, "CORE", 1, prs, sizeof(prs));
}

static size_t build_notes(unsigned cpus, bool vmcoreinfo)
{
	size_t n = 0;

	for (unsigned i = 0; i < cpus; i++)
		n = put_prstatus(n, (int32_t)(100 + i), 0xffffffff81000000ull + i);
	if (vmcoreinfo)
		n = put_note(n, "VMCOREINFO", 0, KIMG_VMCOREINFO_RING,
			     (uint32_t)strlen(KIMG_VMCOREINFO_RING));
	return n;
}

static void fill_log(void)
{
	kimg_ring_init(&k, 6, 12, 0x40);
	kimg_ring_push(&k, 1000000000ull, "Linux version 6.1.0-18-amd64", 28);
	kimg_ring_push(&k, 2000000000ull, "sysrq: Trigger a crash", 22);
	kimg_ring_push(&k, 2000000100ull, "Kernel panic - not syncing: sysrq triggered crash", 49);
	kimg_ring_push(&k, 2000000200ull, "CPU: 1 PID: 57 Comm: sh", 23);
}

TEST(textbuf_bounds)
{
	char b[8];
	struct textbuf t;

	textbuf_init(&t, b, sizeof(b));
	CHECK(textbuf_add(&t, "%s", "abc"));
	CHECK(!textbuf_add(&t, "%s", "defgh"));		/* 3 + 5 + NUL > 8: dropped whole */
	CHECK_STR(b, "abc");
	CHECK(t.cut);
	CHECK_EQ(textbuf_room(&t), 4);
	CHECK(textbuf_put(&t, "defg", 4));
	CHECK_STR(b, "abcdefg");
	CHECK(!textbuf_put(&t, "h", 1));
	CHECK_EQ(t.len, 7);
}

TEST(record_whole)
{
	struct brief_src src = { 0x1234, "6.1.0-18-amd64", "web1", "no postmortem dump partition found",
				 notes, 0, kimg_read, &k, NULL };
	struct brief_stats st;
	size_t n;

	fill_log();
	src.notes_len = build_notes(2, true);
	n = brief_build(&src, out, BRIEF_MAX, &st);
	CHECK_EQ(n, strlen(out));
	CHECK(strncmp(out, "postmortem crash record, dump 0x0000000000001234\n"
			   "host: web1  kernel: 6.1.0-18-amd64\n"
			   "panic: sysrq triggered crash\n"
			   "target: no postmortem dump partition found\n"
			   "cpus: 2 saved by the crashed kernel\n"
			   "cpu 0: pid 100 rip ffffffff81000000 ", 224) == 0);
	CHECK(strstr(out, "cpu 1: pid 101 rip ffffffff81000001 rsp ") != NULL);
	CHECK(strstr(out, "  rax bbbbbbbbbbbbbbbb rbx 6666666666666666 ") != NULL);
	CHECK(strstr(out, "log: the newest 4 records (") != NULL);
	CHECK(strstr(out, "[    2.000000] Kernel panic - not syncing: sysrq triggered crash\n"
			  "[    2.000000] CPU: 1 PID: 57 Comm: sh\nend of crash record\n") != NULL);
	CHECK_EQ(st.cpus, 2);
	CHECK(st.log_why == NULL);
	CHECK_EQ(st.log.shown, 4);
}

TEST(record_without_log)
{
	struct brief_src src = { 1, "", "", NULL, notes, 0, kimg_read, &k, NULL };
	struct brief_stats st;

	fill_log();
	src.notes_len = build_notes(1, false);
	brief_build(&src, out, BRIEF_MAX, &st);
	CHECK(strstr(out, "host: unknown  kernel: unknown\npanic: unknown (no log)\ncpus: 1") != NULL);
	CHECK(strstr(out, "log: not read: no VMCOREINFO note\nend of crash record\n") != NULL);
	src.notes_len = build_notes(1, true);
	src.read_virt = NULL;
	brief_build(&src, out, BRIEF_MAX, &st);
	CHECK(strstr(out, "log: not read: the crashed kernel's memory cannot be read\n") != NULL);
	/* A log without a panic line says so. */
	kimg_ring_init(&k, 6, 12, 0x40);
	kimg_ring_push(&k, 1, "BUG: soft lockup - CPU#1 stuck for 13s!", 39);
	src.read_virt = kimg_read;
	brief_build(&src, out, BRIEF_MAX, &st);
	CHECK(strstr(out, "panic: BUG: soft lockup - CPU#1 stuck for 13s!\n") != NULL);
	kimg_ring_init(&k, 6, 12, 0x40);
	kimg_ring_push(&k, 1, "all is well", 11);
	brief_build(&src, out, BRIEF_MAX, &st);
	CHECK(strstr(out, "panic: no panic line in the log\n") != NULL);
	/* Garbage in the ring: the reason, not a fault. */
	kimg_put64(&k, 0, 0x1234);
	brief_build(&src, out, BRIEF_MAX, &st);
	CHECK(strstr(out, "log: not read: the printk descriptor ring cannot be read\n") != NULL);
}

TEST(record_fields_escaped_and_oops_found)
{
	struct brief_src src = { 1, "6.1\n\x1b[2Jpanic: fake", "web\nhost", NULL, notes, 0, kimg_read,
				 &k, NULL };
	struct brief_stats st;

	kimg_ring_init(&k, 6, 12, 0x40);
	kimg_ring_push(&k, 1000, "quoting Kernel panic - not syncing: not a panic", 47);
	kimg_ring_push(&k, 2000, "BUG: kernel NULL pointer dereference, address: 0000000000000000", 63);
	kimg_ring_push(&k, 3000, "Oops: 0002 [#1] PREEMPT SMP NOPTI", 33);
	kimg_ring_push(&k, 4000, "CPU: 0 PID: 1 Comm: sh", 22);
	src.notes_len = build_notes(1, true);
	brief_build(&src, out, BRIEF_MAX, &st);
	CHECK(strstr(out, "host: web\\x0ahost  kernel: 6.1\\x0a\\x1b[2Jpanic:\\x20fake\n") != NULL);
	CHECK(strstr(out, "panic: Oops: 0002 [#1] PREEMPT SMP NOPTI\n") != NULL);
	for (size_t i = 0; out[i]; i++)
		CHECK((out[i] >= 0x20 && out[i] <= 0x7e) || out[i] == '\n');
	/* The reason the caller gives when it cannot read memory. */
	src.read_virt = NULL;
	src.no_log_why = "no usable SYMBOL(init_top_pgt) in VMCOREINFO";
	brief_build(&src, out, BRIEF_MAX, &st);
	CHECK(strstr(out, "log: not read: no usable SYMBOL(init_top_pgt) in VMCOREINFO\n") != NULL);
}

/* 40 CPUs whose saved registers are all ones: the header still has its
 * log: line, and the log follows it. */
TEST(record_header_budget_holds)
{
	struct brief_src src = { 1, "r", "h", "a target line", notes, 0, kimg_read, &k, NULL };
	size_t n = 0;
	uint8_t prs[336];

	fill_log();
	memset(prs, 0xff, sizeof(prs));
	for (int i = 0; i < 40; i++)
		n = put_note(n, "CORE", 1, prs, sizeof(prs));
	n = put_note(n, "VMCOREINFO", 0, KIMG_VMCOREINFO_RING, (uint32_t)strlen(KIMG_VMCOREINFO_RING));
	src.notes_len = n;
	brief_build(&src, out, BRIEF_MAX, NULL);
	CHECK(strstr(out, "rflags ffffffff cs ffff ss ffff\n") != NULL);
	CHECK(strstr(out, "(24 more CPUs: their registers are in the full dump)\nlog: the newest 4 records") != NULL);
}

TEST(record_many_cpus)
{
	struct brief_src src = { 1, "r", "h", NULL, notes, 0, kimg_read, &k, NULL };
	struct brief_stats st;

	fill_log();
	src.notes_len = build_notes(20, true);
	brief_build(&src, out, BRIEF_MAX, &st);
	CHECK_EQ(st.cpus, 20);
	CHECK(strstr(out, "cpu 15: pid 115") != NULL);
	CHECK(strstr(out, "cpu 16:") == NULL);
	CHECK(strstr(out, "(4 more CPUs: their registers are in the full dump)\n") != NULL);
	CHECK(strstr(out, "Kernel panic - not syncing") != NULL);
}

TEST(record_every_cap)
{
	struct brief_src src = { 1, "r", "h", "why", notes, 0, kimg_read, &k, NULL };
	static char small[4096 + 16];
	unsigned bad = 0;

	fill_log();
	src.notes_len = build_notes(3, true);
	for (size_t cap = 1; cap <= 4096; cap++) {
		size_t n;

		memset(small, 0x5a, sizeof(small));
		n = brief_build(&src, small, cap, NULL);
		if (n >= cap || small[n] != '\0' || strlen(small) != n || small[cap] != 0x5a)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(brief_build(&src, NULL, 10, NULL), 0);
	CHECK_EQ(brief_build(NULL, out, 10, NULL), 0);
}

TEST(pgtable_setup)
{
	struct kpgtable pt;
	const char *vi =
		"SYMBOL(init_top_pgt)=ffffffffb380a000\nNUMBER(phys_base)=-805306368\n";
	const char *ok =
		"SYMBOL(init_top_pgt)=ffffffffb380a000\nNUMBER(phys_base)=1476395008\n"
		"NUMBER(pgtable_l5_enabled)=1\nNUMBER(MAX_PHYSMEM_BITS)=52\nNUMBER(sme_mask)=0\n";

	CHECK(brief_pgtable(ok, strlen(ok), &pt, (kpgtable_read_fn)kimg_read, &k) == NULL);
	CHECK_EQ(pt.root, 0xffffffffb380a000ull - 0xffffffff80000000ull + 1476395008ull);
	CHECK(pt.l5);
	CHECK_EQ(pt.phys_limit, 1ull << 52);
	/* A negative phys_base (the kernel physically below its virtual slide). */
	CHECK(brief_pgtable(vi, strlen(vi), &pt, (kpgtable_read_fn)kimg_read, &k) == NULL);
	CHECK_EQ(pt.root, 0x380a000);
	vi = "SYMBOL(init_top_pgt)=ffffffffb380a000\nNUMBER(phys_base)=-1275068417\n";
	CHECK_STR(brief_pgtable(vi, strlen(vi), &pt, (kpgtable_read_fn)kimg_read, &k),
		  "no usable NUMBER(phys_base) in VMCOREINFO");
	vi = "SYMBOL(init_top_pgt)=ffffffffb380a000\nNUMBER(phys_base)=-4294967296\n";
	CHECK_STR(brief_pgtable(vi, strlen(vi), &pt, (kpgtable_read_fn)kimg_read, &k),
		  "SYMBOL(init_top_pgt) lies past the physical limit");
	CHECK_STR(brief_pgtable("NUMBER(phys_base)=0\n", 20, &pt, (kpgtable_read_fn)kimg_read, &k),
		  "no usable SYMBOL(init_top_pgt) in VMCOREINFO");
	vi = "SYMBOL(init_top_pgt)=ffffffffb380a000\nNUMBER(phys_base)=0\nNUMBER(pgtable_l5_enabled)=7\n";
	CHECK_STR(brief_pgtable(vi, strlen(vi), &pt, (kpgtable_read_fn)kimg_read, &k),
		  "NUMBER(pgtable_l5_enabled) or NUMBER(MAX_PHYSMEM_BITS) is implausible");
	CHECK(brief_pgtable(NULL, 0, &pt, (kpgtable_read_fn)kimg_read, &k) != NULL);
}

TEST_MAIN(textbuf_bounds, record_whole, record_without_log, record_fields_escaped_and_oops_found,
	  record_header_budget_holds, record_many_cpus, record_every_cap,
	  pgtable_setup)
