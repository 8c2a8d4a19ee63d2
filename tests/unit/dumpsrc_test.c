/*
 * Unit tests for payload/dumpsrc.c: the dump's ranges from an elfcorehdr,
 * a handoff block's DUMP_RANGES and an EFI memory map; the direct-map base
 * from a handoff VMCOREINFO record; the notes from a handoff block and from
 * ELF notes buffers (order, a note that does not fit, the zero terminator,
 * long names); OSRELEASE, the VMCOREINFO text and the creator's host name.
 *
 * Handoff blocks are made with the real writer into exact-size heap
 * copies, so ASan sees any read past a block.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/elfcore.h"
#include "payload/dumpsrc.h"
#include "payload/handoff.h"
#include "tests/unit/test.h"

static uint8_t wbuf[16384];
static uint8_t *block;
static size_t block_len;

static struct handoff_writer w;

static void block_start(void)
{
	handoff_writer_init(&w, wbuf, sizeof(wbuf), 1700000000);
}

/* Finish the block into an exact heap copy (freed by the next call). */
static void block_end(void)
{
	size_t total = 0;

	CHECK_EQ(handoff_finish(&w, &total), 0);
	free(block);
	block = malloc(total);
	memcpy(block, wbuf, total);
	block_len = total;
	CHECK_EQ(handoff_verify(block, block_len, NULL), 0);
}

/* An ELF notes buffer of one note; returns its length. */
static size_t note(uint8_t *buf, size_t cap, const char *name, uint32_t type, const void *desc,
		   size_t len)
{
	size_t used = 0;

	CHECK_EQ(elfcore_note_put(buf, cap, name, type, desc, len, &used), 0);
	return used;
}

/* The notes of buf[0..len) as "NAME/TYPE/LEN " words. */
static const char *describe(const void *buf, size_t len)
{
	static char out[1024];
	struct elfcorehdr_note nt;
	size_t cursor = 0, o = 0;

	out[0] = '\0';
	while (elfcorehdr_note_next(buf, len, &cursor, &nt) == 0 && o < sizeof(out) - 64)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s/%u/%zu ",
				      nt.name ? nt.name : "", nt.type, nt.desc_len);
	return out;
}

TEST(test_ranges_from_handoff)
{
	static struct dumpplan p;
	static struct dumpplan_range out[DUMPPLAN_MAX + 1];
	const struct handoff_dump_range a[] = { { 0x100000, 0x100000 }, { 0, 0 } };
	const struct handoff_dump_range b[] = { { 0x400000, 0x200000 } };
	const char vmci[] = "OSRELEASE=6.1.0\nNUMBER(page_offset_base)=0xffff888000000000\n";
	uint64_t base = 1;
	size_t n;

	block_start();
	CHECK_EQ(handoff_add_dump_ranges(&w, a, 2), 0);	/* the empty range is refused */
	CHECK_EQ(handoff_add_vmcoreinfo(&w, 0, 0, "OSRELEASE=x\n", 12), 0);	/* no base */
	CHECK_EQ(handoff_add_dump_ranges(&w, b, 1), 0);
	CHECK_EQ(handoff_add_vmcoreinfo(&w, 0x1000, 0x1000, vmci, sizeof(vmci) - 1), 0);
	block_end();
	dumpplan_init(&p);
	CHECK_EQ(dumpsrc_ranges_from_handoff(block, block_len, &p), 2);
	CHECK_EQ(dumpsrc_direct_map_from_handoff(block, block_len, &base), 0);
	CHECK_EQ(base, 0xffff888000000000ull);
	dumpplan_exclude(&p, 0x180000, 0x1000);
	dumpplan_finish(&p);
	CHECK_EQ(p.total, 0x2ff000);
	n = dumpsrc_ranges_list(&p, NULL, base, out);
	CHECK_EQ(n, 3);
	CHECK_EQ(out[0].start, 0x100000);
	CHECK_EQ(out[0].vaddr, 0xffff888000100000ull);
	CHECK_EQ(out[1].start, 0x181000);
	CHECK_EQ(out[1].vaddr, 0xffff888000181000ull);
	CHECK_EQ(out[2].read_from, 0x400000);
	CHECK_EQ(out[2].vaddr, 0xffff888000400000ull);
	n = dumpsrc_ranges_list(&p, NULL, 0, out);	/* no base: unknown stays 0 */
	CHECK_EQ(out[0].vaddr, 0);

	/* No DUMP_RANGES, no base: nothing added, -ENOENT, base untouched. */
	block_start();
	CHECK_EQ(handoff_add_vmcoreinfo(&w, 0, 0, "OSRELEASE=x\n", 12), 0);
	block_end();
	dumpplan_init(&p);
	base = 7;
	CHECK_EQ(dumpsrc_ranges_from_handoff(block, block_len, &p), 0);
	CHECK_EQ(dumpsrc_direct_map_from_handoff(block, block_len, &base), -ENOENT);
	CHECK_EQ(base, 7);
}

TEST(test_ranges_from_elfcorehdr)
{
	static struct elfcorehdr eh;
	static struct dumpplan p;
	static struct dumpplan_range out[DUMPPLAN_MAX + 1];
	size_t n;

	memset(&eh, 0, sizeof(eh));
	/* A RAM load, the kernel text (inside the RAM), the backup region. */
	eh.loads[0] = (struct elfcorehdr_load){ 0x100000, 0x100000, 0xffff888000100000ull,
						0x3000000, 0x3000000, 7 };
	eh.loads[1] = (struct elfcorehdr_load){ 0x1000000, 0x1000000, 0xffffffff81000000ull,
						0x200000, 0x200000, 7 };
	eh.loads[2] = (struct elfcorehdr_load){ 0x7000000, 0x1000, 0xffff888000001000ull,
						0x9f000, 0x9f000, 7 };
	eh.load_count = 3;
	eh.kernel_text_index = 1;
	dumpplan_init(&p);
	CHECK_EQ(dumpsrc_ranges_from_elfcorehdr(&eh, &p), 2);
	dumpplan_finish(&p);
	n = dumpsrc_ranges_list(&p, &eh, 0xdead0000, out);	/* vaddrs known: base unused */
	CHECK_EQ(n, 3);
	CHECK_EQ(out[0].start, 0x1000);
	CHECK_EQ(out[0].read_from, 0x7000000);
	CHECK_EQ(out[0].vaddr, 0xffff888000001000ull);
	CHECK_EQ(out[1].start, 0x100000);
	CHECK_EQ(out[2].start, 0x1000000);	/* kernel text last */
	CHECK_EQ(out[2].vaddr, 0xffffffff81000000ull);
	CHECK_EQ(out[2].size, 0x200000);
	CHECK_EQ(p.total, 0x9f000 + 0x3000000);	/* the text not counted */

	/* Text the plan does not hold whole (our own image carved out of it,
	 * or past the RAM) is left out: it would read memory the plan left
	 * out, or name another source for the same bytes. */
	dumpplan_init(&p);
	CHECK_EQ(dumpsrc_ranges_from_elfcorehdr(&eh, &p), 2);
	dumpplan_exclude(&p, 0x1100000, 0x10000);
	dumpplan_finish(&p);
	n = dumpsrc_ranges_list(&p, &eh, 0, out);
	CHECK_EQ(n, p.n);
	CHECK(out[n - 1].vaddr != 0xffffffff81000000ull);
	eh.loads[1].p_offset = 0x2000000;	/* another source for the same bytes */
	dumpplan_init(&p);
	CHECK_EQ(dumpsrc_ranges_from_elfcorehdr(&eh, &p), 2);
	dumpplan_finish(&p);
	CHECK_EQ(dumpsrc_ranges_list(&p, &eh, 0, out), p.n);
	eh.loads[1].p_offset = 0x1000000;

	eh.kernel_text_index = ELFCOREHDR_NO_INDEX;
	dumpplan_init(&p);
	CHECK_EQ(dumpsrc_ranges_from_elfcorehdr(&eh, &p), 3);
	dumpplan_finish(&p);
	CHECK_EQ(dumpsrc_ranges_list(&p, &eh, 0, out), p.n);
}

TEST(test_ranges_from_efi_mmap)
{
	static struct dumpplan p;
	uint8_t map[3 * 48];

	memset(map, 0, sizeof(map));
	test_put32(map + 0, 7);			/* conventional */
	test_put64(map + 8, 0x100000);
	test_put64(map + 24, 16);
	test_put32(map + 48, 0);		/* reserved */
	test_put64(map + 56, 0x200000);
	test_put64(map + 72, 16);
	test_put32(map + 96, 4);		/* boot services data */
	test_put64(map + 104, 0x300000);
	test_put64(map + 120, 1);
	dumpplan_init(&p);
	CHECK_EQ(dumpsrc_ranges_from_efi_mmap(map, sizeof(map), 48, &p), 2);
	CHECK_EQ(p.r[0].start, 0x100000);
	CHECK_EQ(p.r[0].size, 0x10000);
	CHECK_EQ(p.r[1].start, 0x300000);
	CHECK_EQ(p.r[1].size, 0x1000);
	dumpplan_init(&p);
	CHECK_EQ(dumpsrc_ranges_from_efi_mmap(NULL, 0, 48, &p), 0);
	CHECK_EQ(dumpsrc_ranges_from_efi_mmap(map, sizeof(map), 0, &p), 0);	/* bad stride */
}

static unsigned left_out_count;
static char left_out_last[64];

static void left_out(void *arg, const char *name, uint32_t type, size_t len)
{
	CHECK(arg == &left_out_count);
	left_out_count++;
	snprintf(left_out_last, sizeof(left_out_last), "%s/%u/%zu", name, type, len);
}

TEST(test_notes_from_handoff)
{
	static uint8_t cpu[1024], out[4096];
	uint8_t prs[336];
	const char vmci[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
	const char *text;
	char rel[72] = "", host[72] = "unchanged";
	struct handoff_creator cr;
	struct dumpsrc_notes nb;
	size_t clen = 0, tlen;

	memset(prs, 0x11, sizeof(prs));
	clen += note(cpu + clen, sizeof(cpu) - clen, "CORE", 1, prs, sizeof(prs));
	clen += note(cpu + clen, sizeof(cpu) - clen, "CORE", 1, prs, sizeof(prs));
	memset(cpu + clen, 0, 12);		/* the terminator Linux writes */
	block_start();
	CHECK_EQ(handoff_add_vmcoreinfo(&w, 0, 0, vmci, sizeof(vmci) - 1), 0);
	CHECK_EQ(handoff_add(&w, HANDOFF_TYPE_CPU_NOTES, 0, cpu, clen + 12), 0);
	block_end();
	CHECK(!dumpsrc_creator_host(block, block_len, host, sizeof(host)));
	CHECK_STR(host, "unchanged");

	dumpsrc_notes_init(&nb, out, sizeof(out), left_out, &left_out_count);
	dumpsrc_notes_from_handoff(&nb, block, block_len);
	CHECK_STR(describe(out, nb.len), "VMCOREINFO/0/35 CORE/1/336 CORE/1/336 ");
	CHECK(dumpsrc_vmcoreinfo(out, nb.len, &text, &tlen));
	CHECK_EQ(tlen, sizeof(vmci) - 1);
	CHECK(memcmp(text, vmci, tlen) == 0);
	CHECK(dumpsrc_osrelease(out, nb.len, rel, sizeof(rel)));
	CHECK_STR(rel, "6.1.0-test");
	CHECK_EQ(left_out_count, 0);

	/* Two creators: the last one's host. */
	memset(&cr, 0, sizeof(cr));
	memcpy(cr.host, "first", 5);
	block_start();
	CHECK_EQ(handoff_add_creator(&w, &cr), 0);
	memset(cr.host, 'h', sizeof(cr.host));	/* fills the field, no NUL */
	CHECK_EQ(handoff_add_creator(&w, &cr), 0);
	block_end();
	CHECK(dumpsrc_creator_host(block, block_len, host, sizeof(host)));
	CHECK_EQ(strlen(host), 64);
	CHECK(dumpsrc_creator_host(block, block_len, host, 6));
	CHECK_STR(host, "hhhhh");
}

TEST(test_notes_left_out)
{
	static uint8_t out[600], src[2048];
	uint8_t big[400], small[16];
	struct dumpsrc_notes nb;
	size_t len = 0;
	char longname[40];

	memset(big, 1, sizeof(big));
	memset(small, 2, sizeof(small));
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	len += note(src + len, sizeof(src) - len, "CORE", 1, big, sizeof(big));
	len += note(src + len, sizeof(src) - len, longname, 1, small, sizeof(small));	/* skipped */
	len += note(src + len, sizeof(src) - len, "CORE", 1, big, sizeof(big));	/* does not fit */
	len += note(src + len, sizeof(src) - len, "VMCOREINFO", 0, small, sizeof(small));
	memset(src + len, 0, 12);
	len += 12;
	len += note(src + len, sizeof(src) - len, "AFTER", 9, small, sizeof(small));	/* past the end */

	left_out_count = 0;
	dumpsrc_notes_init(&nb, out, sizeof(out), left_out, &left_out_count);
	dumpsrc_notes_copy(&nb, src, len);
	CHECK_STR(describe(out, nb.len), "CORE/1/400 VMCOREINFO/0/16 ");
	CHECK_EQ(left_out_count, 1);
	CHECK_STR(left_out_last, "CORE/1/400");
	CHECK_EQ(dumpsrc_notes_put(&nb, "CORE", 1, big, sizeof(big)), -ENOSPC);
	CHECK_EQ(left_out_count, 2);

	/* Without a callback a note is still left out quietly. */
	dumpsrc_notes_init(&nb, out, 16, NULL, NULL);
	CHECK_EQ(dumpsrc_notes_put(&nb, "CORE", 1, small, sizeof(small)), -ENOSPC);
	CHECK_EQ(nb.len, 0);

	/* A malformed buffer: the notes before the damage are kept. */
	dumpsrc_notes_init(&nb, out, sizeof(out), NULL, NULL);
	len = note(src, sizeof(src), "CORE", 1, small, sizeof(small));
	test_put32(src + len, 5);		/* namesz 5, desc past the end */
	test_put32(src + len + 4, 4096);
	test_put32(src + len + 8, 1);
	memcpy(src + len + 12, "CORE", 5);
	dumpsrc_notes_copy(&nb, src, len + 20);
	CHECK_STR(describe(out, nb.len), "CORE/1/16 ");
}

TEST(test_osrelease_and_vmcoreinfo)
{
	static uint8_t notes[1024];
	const char a[] = "PAGESIZE=4096\n", b[] = "OSRELEASE=5.10\n", c[] = "OSRELEASE=6.6\n";
	const char *text = (const char *)1;
	char rel[72] = "kept";
	size_t len = 0, tlen = 9;

	CHECK(!dumpsrc_vmcoreinfo(notes, 0, &text, &tlen));
	CHECK(text == NULL);
	CHECK_EQ(tlen, 0);
	CHECK(!dumpsrc_osrelease(notes, 0, rel, sizeof(rel)));
	CHECK_STR(rel, "kept");
	len += note(notes + len, sizeof(notes) - len, "VMCOREINFO", 0, NULL, 0);	/* no desc */
	len += note(notes + len, sizeof(notes) - len, "VMCOREINFO", 0, a, sizeof(a) - 1);
	len += note(notes + len, sizeof(notes) - len, "VMCOREINFO", 0, b, sizeof(b) - 1);
	len += note(notes + len, sizeof(notes) - len, "VMCOREINFO", 1, c, sizeof(c) - 1);	/* wrong type */
	len += note(notes + len, sizeof(notes) - len, "VMCOREINFO", 0, c, sizeof(c) - 1);
	CHECK(dumpsrc_vmcoreinfo(notes, len, &text, &tlen));	/* the first with text */
	CHECK_EQ(tlen, sizeof(a) - 1);
	CHECK(memcmp(text, a, tlen) == 0);
	CHECK(dumpsrc_osrelease(notes, len, rel, sizeof(rel)));	/* the last with OSRELEASE */
	CHECK_STR(rel, "6.6");
	CHECK(dumpsrc_osrelease(notes, len, rel, 2));
	CHECK_STR(rel, "6");
}

TEST_MAIN(test_ranges_from_handoff, test_ranges_from_elfcorehdr, test_ranges_from_efi_mmap,
	  test_notes_from_handoff, test_notes_left_out, test_osrelease_and_vmcoreinfo)
