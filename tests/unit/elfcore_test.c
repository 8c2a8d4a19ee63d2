/*
 * Unit tests for formats/elfcore.c and formats/elfcore_read.c: the plan
 * (zero-run splitting, the bounded table, layout), the headers, the piece
 * walk, notes, and the reader, over synthetic memory.
 *
 * A "machine" is a byte array standing for physical memory at base; the
 * is_zero callback reads it like the kernel's first pass would, and
 * build_file() writes the file the way the kernel's second pass does (by
 * elfcore_piece_next()), so every test can check the round trip: each
 * byte of every range, found again through elfcore_find_paddr(), equals
 * the memory it came from.  One generated file is also handed to
 * `readelf -lW` (an independent reader) when readelf is installed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/elfcorehdr.h"
#include "formats/elfcore.h"
#include "tests/unit/test.h"

#define PG		4096u
#define MAXSEG		256
/* A formats/dumpplan.h range: physical start, size, crashed vaddr, read_from. */
#define RNG(start_, size_, vaddr_, from_) \
	{ .start = (start_), .size = (size_), .read_from = (from_), .vaddr = (vaddr_) }

struct machine {
	uint64_t base;
	uint8_t *mem;
	size_t len;
	unsigned calls;
	uint64_t max_chunk;
	int fail_at;		/* call number that returns -EIO; 0 never */
};

static struct elfcore_segment segs[MAXSEG];

static struct machine *machine_new(uint64_t base, size_t pages)
{
	struct machine *m = calloc(1, sizeof(*m));

	m->base = base;
	m->len = (size_t)pages * PG;
	m->mem = calloc(1, m->len);
	return m;
}

static void machine_free(struct machine *m)
{
	free(m->mem);
	free(m);
}

/* Fill pages [first, first + n) of m with a pattern naming each byte. */
static void plant(struct machine *m, size_t first, size_t n)
{
	for (size_t i = first * PG; i < (first + n) * PG; i++)
		m->mem[i] = (uint8_t)(0x5a ^ (i * 7) ^ (i >> 12));
}

static int is_zero(void *ctx, uint64_t read_from, uint64_t len)
{
	struct machine *m = ctx;
	const uint8_t *p = m->mem + (read_from - m->base);

	m->calls++;
	if (len > m->max_chunk)
		m->max_chunk = len;
	if (m->fail_at != 0 && (int)m->calls == m->fail_at)
		return -EIO;
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static const uint8_t *mem_at(const struct machine *m, uint64_t addr)
{
	return m->mem + (addr - m->base);
}

/* The whole file, written piece by piece as the kernel would. */
static uint8_t *build_file(const struct machine *m, size_t nsegs, const uint8_t *notes,
			   size_t notes_len, uint64_t file_size)
{
	uint8_t *f = malloc(file_size ? file_size : 1);
	struct elfcore_piece p;
	size_t cursor = 0, hlen;
	uint64_t at = 0;

	memset(f, 0xee, file_size);
	while (elfcore_piece_next(segs, nsegs, notes_len, &cursor, &p) == 0) {
		CHECK_EQ(p.offset, at);
		if (p.kind == ELFCORE_PIECE_HEADERS) {
			CHECK_EQ(elfcore_headers(segs, nsegs, notes_len, f, p.len, &hlen), 0);
			CHECK_EQ(hlen, p.len);
		} else if (p.kind == ELFCORE_PIECE_ZERO) {
			memset(f + p.offset, 0, p.len);
		} else if (p.kind == ELFCORE_PIECE_NOTES) {
			memcpy(f + p.offset, notes, p.len);
		} else {
			CHECK_EQ(p.read_from, segs[p.seg].read_from);
			memcpy(f + p.offset, mem_at(m, p.read_from), p.len);
		}
		at = p.offset + p.len;
	}
	CHECK_EQ(at, file_size);
	return f;
}

/* Every byte of every range reads back through the reader. */
static void check_round_trip(const struct machine *m, const struct dumpplan_range *r, size_t n,
			     const uint8_t *file, uint64_t file_size)
{
	struct elfcore_info info;
	struct elfcore_where w;
	unsigned bad = 0;

	CHECK_EQ(elfcore_read(file, file_size, &info), 0);
	CHECK(!info.truncated);
	for (size_t i = 0; i < n; i++) {
		for (uint64_t a = r[i].start; a - r[i].start < r[i].size; a++) {
			uint8_t want = *mem_at(m, r[i].read_from + (a - r[i].start)), got;

			if (elfcore_find_paddr(&info, a, &w) != 0) {
				bad++;
				continue;
			}
			got = w.kind == ELFCORE_WHERE_FILE ? file[w.file_offset] : 0;
			bad += got != want;
		}
	}
	CHECK_EQ(bad, 0);
}

/* Plan, build and check; returns the file (caller frees). */
static uint8_t *plan_build(struct machine *m, const struct dumpplan_range *r, size_t n,
			   uint64_t run, size_t max, size_t *nsegs, uint64_t *size)
{
	struct elfcore_zero_scan z = { run, is_zero, m };
	/* One "CORE" NT_PRSTATUS note with an empty desc: 12 + 8 bytes. */
	static const uint8_t notes[20] = { 5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'C', 'O', 'R', 'E' };
	uint8_t *f;

	CHECK_EQ(elfcore_plan(r, n, sizeof(notes), &z, segs, max, nsegs, size), 0);
	f = build_file(m, *nsegs, notes, sizeof(notes), *size);
	check_round_trip(m, r, n, f, *size);
	return f;
}

TEST(one_range_keep)
{
	struct machine *m = machine_new(0x100000, 512);
	struct dumpplan_range r = RNG(0x100000, 512 * PG, 0xffff888000100000ull, 0x100000);
	size_t n = 0;
	uint64_t size = 0;
	uint8_t *f;

	plant(m, 0, 512);
	f = plan_build(m, &r, 1, 0, MAXSEG, &n, &size);
	CHECK_EQ(n, 1);
	CHECK_EQ(m->calls, 0);			/* keep: no first pass */
	CHECK_EQ(segs[0].file_offset, 2 * PG);	/* headers page, notes page */
	CHECK_EQ(segs[0].filesz, 512 * PG);
	CHECK_EQ(segs[0].memsz, 512 * PG);
	CHECK_EQ(segs[0].vaddr, 0xffff888000100000ull);
	CHECK_EQ(size, 2 * PG + 512 * PG);
	CHECK_EQ(elfcore_notes_offset(1), PG);
	CHECK_EQ(elfcore_headers_size(1), 64 + 2 * 56);
	free(f);
	machine_free(m);
}

TEST(many_ranges)
{
	struct machine *m = machine_new(0, 400);
	struct dumpplan_range r[100];
	size_t n = 0;
	uint64_t size = 0;
	uint8_t *f;

	plant(m, 0, 400);
	for (size_t i = 0; i < 100; i++) {
		/* 3 pages each, one page apart; the odd ones unaligned. */
		r[i].start = i * 4 * PG + (i % 2 ? 0x123 : 0);
		r[i].size = 3 * PG - (i % 2 ? 0x200 : 0);
		r[i].vaddr = 0;
		r[i].read_from = r[i].start;
	}
	f = plan_build(m, r, 100, ELFCORE_ZERO_RUN_DEFAULT, MAXSEG, &n, &size);
	CHECK_EQ(n, 100);
	for (size_t i = 0; i < n; i++) {
		CHECK_EQ(segs[i].file_offset % PG, segs[i].paddr % PG);
		CHECK_EQ(segs[i].range, i);
		if (i > 0)
			CHECK(segs[i].file_offset >= segs[i - 1].file_offset + segs[i - 1].filesz);
	}
	free(f);
	machine_free(m);
}

TEST(zero_runs)
{
	struct machine *m = machine_new(0x200000, 64);
	struct dumpplan_range r = RNG(0x200000, 64 * PG, 0, 0x200000);
	size_t n = 0;
	uint64_t size = 0;
	uint8_t *f;

	/* zero 0-19, data 20-29, zero 30-49, data 50-52, zero 53-57 (short), data 58-59, zero 60-63 */
	plant(m, 20, 10);
	plant(m, 50, 3);
	plant(m, 58, 2);
	f = plan_build(m, &r, 1, 16, MAXSEG, &n, &size);
	CHECK_EQ(m->calls, 64);
	CHECK_EQ(m->max_chunk, PG);
	CHECK_EQ(n, 3);
	CHECK_EQ(segs[0].paddr, 0x200000);	/* leading run: no file bytes */
	CHECK_EQ(segs[0].filesz, 0);
	CHECK_EQ(segs[0].memsz, 20 * PG);
	CHECK_EQ(segs[1].paddr, 0x200000 + 20 * PG);
	CHECK_EQ(segs[1].filesz, 10 * PG);
	CHECK_EQ(segs[1].memsz, 30 * PG);	/* middle run: the tail */
	CHECK_EQ(segs[2].paddr, 0x200000 + 50 * PG);
	CHECK_EQ(segs[2].filesz, 10 * PG);	/* short run kept as data */
	CHECK_EQ(segs[2].memsz, 14 * PG);	/* end run of 4: tail anyway */
	CHECK_EQ(segs[2].read_from, segs[2].paddr);
	CHECK_EQ(size, segs[2].file_offset + 10 * PG);
	CHECK_EQ(elfcore_split_min_run(&(struct elfcore_split){ .run_bytes = 16 * PG }), 16);
	free(f);
	machine_free(m);
}

TEST(all_zero_and_keep)
{
	struct machine *m = machine_new(0x1000, 40);
	struct dumpplan_range r = RNG(0x1000, 40 * PG, 0xffff888000001000ull, 0x1000);
	size_t n = 0;
	uint64_t size = 0;
	uint8_t *f;

	f = plan_build(m, &r, 1, 16, MAXSEG, &n, &size);
	CHECK_EQ(n, 1);
	CHECK_EQ(segs[0].filesz, 0);
	CHECK_EQ(segs[0].memsz, 40 * PG);
	CHECK_EQ(size, PG + 20);		/* headers page + the notes */
	free(f);
	m->calls = 0;
	f = plan_build(m, &r, 1, 0, MAXSEG, &n, &size);	/* pm.zero=keep */
	CHECK_EQ(m->calls, 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(segs[0].filesz, 40 * PG);
	free(f);
	machine_free(m);
}

/* Ranges not on page boundaries: chunks follow paddr's 4 KiB boundaries. */
TEST(partial_pages)
{
	struct machine *m = machine_new(0, 8);
	struct dumpplan_range r = RNG(0x1800, 0x3000, 0, 0x1800);
	size_t n = 0;
	uint64_t size = 0;
	uint8_t *f;

	m->mem[0x1800] = 1;
	m->mem[0x47ff] = 2;
	f = plan_build(m, &r, 1, 1, MAXSEG, &n, &size);
	CHECK_EQ(m->calls, 4);			/* 0x800, 0x1000, 0x1000, 0x800 */
	CHECK_EQ(n, 2);
	CHECK_EQ(segs[0].filesz, 0x800);
	CHECK_EQ(segs[0].memsz, 0x2800);
	CHECK_EQ(segs[1].paddr, 0x4000);
	CHECK_EQ(segs[1].filesz, 0x800);
	CHECK_EQ(segs[0].file_offset % PG, 0x800);
	free(f);
	machine_free(m);
}

/* kexec-tools' backup region: bytes read elsewhere, described at paddr. */
TEST(backup_region)
{
	struct machine *m = machine_new(0, 64);
	struct dumpplan_range r[2] = {
		RNG(0, 16 * PG, 0, 40 * PG),	/* low RAM, copied to 40 pages up */
		RNG(16 * PG, 8 * PG, 0, 16 * PG),
	};
	size_t n = 0;
	uint64_t size = 0;
	uint8_t *f;

	plant(m, 40, 4);
	plant(m, 16, 8);
	f = plan_build(m, r, 2, 2, MAXSEG, &n, &size);
	CHECK_EQ(n, 2);
	CHECK_EQ(segs[0].paddr, 0);
	CHECK_EQ(segs[0].read_from, 40 * PG);
	CHECK_EQ(segs[0].filesz, 4 * PG);
	CHECK_EQ(segs[0].memsz, 16 * PG);
	free(f);
	machine_free(m);
}

/* A full table raises the threshold instead of failing. */
TEST(table_full_raises)
{
	struct machine *m = machine_new(0, 1024);
	struct dumpplan_range r[2] = { RNG(0, 512 * PG, 0, 0), RNG(512 * PG, 512 * PG, 0, 512 * PG) };
	struct elfcore_split s;
	size_t n = 0;
	uint64_t size = 0, mem = 0;
	uint8_t *f;

	/* data 1 page, zero 1..31 pages growing: many cuts at a 1-page threshold */
	for (size_t p = 0, gap = 1; p < 1024; p += 1 + gap, gap = gap % 31 + 1)
		plant(m, p, 1);
	f = plan_build(m, r, 2, 1, 8, &n, &size);
	CHECK(n <= 8);
	CHECK(n >= 2);
	for (size_t i = 0; i < n; i++)
		mem += segs[i].memsz;
	CHECK_EQ(mem, 1024 * PG);
	free(f);
	/* The split API says how far it went. */
	elfcore_split_init(&s, segs, 8, 1);
	CHECK_EQ(elfcore_split_range(&s, &r[0], 0, &(struct elfcore_zero_scan){ 1, is_zero, m }), 0);
	CHECK_EQ(elfcore_split_range(&s, &r[1], 1, &(struct elfcore_zero_scan){ 1, is_zero, m }), 0);
	CHECK(s.raised > 0);
	CHECK(elfcore_split_min_run(&s) > 1);
	CHECK(s.nsegs <= 8);
	machine_free(m);
}

TEST(too_many_ranges)
{
	struct dumpplan_range r[3] = { RNG(0, PG, 0, 0), RNG(2 * PG, PG, 0, 2 * PG), RNG(4 * PG, PG, 0, 4 * PG) };
	size_t n = 77;
	uint64_t size = 77;

	CHECK_EQ(elfcore_plan(r, 3, 0, NULL, segs, 2, &n, &size), -ENOSPC);
	CHECK_EQ(n, 77);
	CHECK_EQ(size, 77);
	CHECK_EQ(elfcore_plan(r, 3, 0, NULL, segs, 0, &n, &size), -ENOSPC);
	CHECK_EQ(elfcore_plan(r, 3, 0, NULL, segs, 3, &n, &size), 0);
	CHECK_EQ(n, 3);
	CHECK_EQ(elfcore_plan(r, 0, 0, NULL, segs, 3, &n, &size), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(size, PG);
}

TEST(overflow)
{
	struct dumpplan_range top = RNG(0xfffffffffffff000ull, PG, 0, 0xfffffffffffff000ull);
	struct dumpplan_range r;
	struct elfcore_segment big[2];
	size_t n;
	uint64_t size;

	/* Ending exactly at 2^64 is fine; past it is not. */
	CHECK_EQ(elfcore_plan(&top, 1, 0, NULL, segs, MAXSEG, &n, &size), 0);
	CHECK_EQ(segs[0].file_offset, PG);	/* no notes: data right after */
	r = top;
	r.size = 2 * PG;
	CHECK_EQ(elfcore_plan(&r, 1, 0, NULL, segs, MAXSEG, &n, &size), -EOVERFLOW);
	r = (struct dumpplan_range)RNG(0, 2 * PG, 0, 0xfffffffffffff000ull);
	CHECK_EQ(elfcore_plan(&r, 1, 0, NULL, segs, MAXSEG, &n, &size), -EOVERFLOW);
	r = (struct dumpplan_range)RNG(0, 2 * PG, 0xfffffffffffff000ull, 0);
	CHECK_EQ(elfcore_plan(&r, 1, 0, NULL, segs, MAXSEG, &n, &size), -EOVERFLOW);
	r = (struct dumpplan_range)RNG(0, 0, 0, 0);
	CHECK_EQ(elfcore_plan(&r, 1, 0, NULL, segs, MAXSEG, &n, &size), -EINVAL);
	/* The file itself past 2^64 bytes. */
	CHECK_EQ(elfcore_layout(segs, 0, SIZE_MAX, &size), -EOVERFLOW);
	big[0] = (struct elfcore_segment){ .paddr = 0, .memsz = 1ull << 63, .filesz = 1ull << 63 };
	big[1] = (struct elfcore_segment){ .paddr = 1ull << 63, .memsz = 1ull << 63, .filesz = 1ull << 63 };
	CHECK_EQ(elfcore_layout(big, 2, 0, &size), -EOVERFLOW);
	CHECK_EQ(elfcore_layout(big, 1, 0, &size), 0);
	big[0].filesz = big[0].memsz + 0;
	big[1].filesz = 1;
	big[1].memsz = 0;
	CHECK_EQ(elfcore_layout(big, 2, 0, &size), -EINVAL);
	CHECK_EQ(elfcore_layout(big, ELFCORE_MAX_SEGMENTS + 1, 0, &size), -E2BIG);
	CHECK_EQ(elfcore_headers_size(ELFCORE_MAX_SEGMENTS + 1), 0);
	CHECK_EQ(elfcore_notes_offset(ELFCORE_MAX_SEGMENTS + 1), 0);
	CHECK(elfcore_headers_size(ELFCORE_MAX_SEGMENTS) == 64 + 0xfffeull * 56);
}

TEST(split_misuse)
{
	struct machine *m = machine_new(0, 4);
	struct dumpplan_range r = RNG(0, 4 * PG, 0, 0);
	struct elfcore_split s;
	size_t n;
	uint64_t size;

	elfcore_split_init(&s, segs, MAXSEG, 1);
	CHECK_EQ(elfcore_split_chunk(&s, 1, false), -EINVAL);	/* no range open */
	CHECK_EQ(elfcore_split_end(&s), -EINVAL);
	CHECK_EQ(elfcore_split_begin(&s, &r, 0), 0);
	CHECK_EQ(elfcore_split_begin(&s, &r, 1), -EINVAL);	/* one at a time */
	CHECK_EQ(elfcore_split_chunk(&s, 0, false), 0);
	CHECK_EQ(elfcore_split_chunk(&s, 2 * PG, true), 0);
	CHECK_EQ(elfcore_split_end(&s), -EINVAL);		/* not all fed */
	CHECK_EQ(elfcore_split_chunk(&s, 2 * PG + 1, false), -EINVAL);
	CHECK_EQ(elfcore_split_chunk(&s, 2 * PG, false), 0);
	CHECK_EQ(elfcore_split_end(&s), 0);
	CHECK_EQ(s.nsegs, 2);
	/* The callback's error stops the plan. */
	m->fail_at = 3;
	CHECK_EQ(elfcore_plan(&r, 1, 0, &(struct elfcore_zero_scan){ 1, is_zero, m },
			      segs, MAXSEG, &n, &size), -EIO);
	CHECK_EQ(elfcore_plan(NULL, 1, 0, NULL, segs, MAXSEG, &n, &size), -EINVAL);
	machine_free(m);
}

/* Header bytes a window at a time equal the whole. */
TEST(headers_in_windows)
{
	static uint8_t whole[64 + 201 * 56], part[sizeof(whole)];
	struct elfcore_segment g[200];
	size_t len, at, n;
	uint64_t size;

	for (size_t i = 0; i < 200; i++)
		g[i] = (struct elfcore_segment){ .paddr = i * 2 * PG, .vaddr = i, .memsz = PG + i,
						 .filesz = i % 3 ? PG : 0, .read_from = i * 2 * PG };
	CHECK_EQ(elfcore_layout(g, 200, 77, &size), 0);
	CHECK_EQ(elfcore_headers(g, 200, 77, whole, sizeof(whole), &len), 0);
	CHECK_EQ(len, sizeof(whole));
	for (size_t step = 1; step < 200; step = step * 3 + 1) {
		memset(part, 0xee, sizeof(part));
		for (at = 0; at < len; at += n) {
			n = len - at < step ? len - at : step;
			CHECK_EQ(elfcore_headers_part(g, 200, 77, at, part + at, n), 0);
		}
		CHECK(memcmp(whole, part, len) == 0);
	}
	CHECK_EQ(elfcore_headers_part(g, 200, 77, len, part, 0), 0);
	CHECK_EQ(elfcore_headers_part(g, 200, 77, len - 1, part, 2), -EINVAL);
	CHECK_EQ(elfcore_headers_part(g, 0, 0, 0, part, 120), 0);
	CHECK_EQ(elfcore_headers_part(NULL, 0, 0, 0, part, 120), 0);
	g[10].file_offset = 0;				/* inside the headers */
	CHECK_EQ(elfcore_headers_part(g, 200, 77, 64 + 11 * 56, part, 56), -EINVAL);
	CHECK_EQ(elfcore_headers_part(g, 200, 77, 64 + 12 * 56, part, 56), 0);
	CHECK_EQ(elfcore_headers(g, 200, 77, whole, sizeof(whole), &len), -EINVAL);
}

TEST(headers_checks)
{
	uint8_t buf[4096];
	struct elfcore_segment g = { .paddr = 0x1000, .memsz = PG, .filesz = PG, .file_offset = 2 * PG };
	struct elfcore_piece p;
	size_t len, cursor = 0;

	CHECK_EQ(elfcore_headers(&g, 1, 8, buf, 175, &len), -ENOSPC);
	CHECK_EQ(elfcore_headers(&g, 1, 8, buf, 176, &len), 0);
	CHECK_EQ(len, 176);
	g.file_offset = PG + 4;				/* inside the notes */
	CHECK_EQ(elfcore_headers(&g, 1, 8, buf, sizeof(buf), &len), -EINVAL);
	CHECK_EQ(elfcore_headers(&g, 1, 0, buf, sizeof(buf), &len), 0);
	g.filesz = 2 * PG;				/* filesz > memsz */
	CHECK_EQ(elfcore_headers(&g, 1, 0, buf, sizeof(buf), &len), -EINVAL);
	g = (struct elfcore_segment){ .paddr = 0x1000, .memsz = PG, .filesz = PG, .file_offset = PG };
	/* Pieces refuse data before the notes' end. */
	CHECK_EQ(elfcore_piece_next(&g, 1, 16, &cursor, &p), 0);	/* headers */
	CHECK_EQ(elfcore_piece_next(&g, 1, 16, &cursor, &p), 0);	/* gap */
	CHECK_EQ(elfcore_piece_next(&g, 1, 16, &cursor, &p), 0);	/* notes */
	CHECK_EQ(p.kind, ELFCORE_PIECE_NOTES);
	CHECK_EQ(elfcore_piece_next(&g, 1, 16, &cursor, &p), -EINVAL);
}

TEST(notes)
{
	uint8_t buf[512], desc[7] = { 1, 2, 3, 4, 5, 6, 7 };
	static const char *const names[] = { "", "A", "AB", "ABC", "CORE", "VMCOREINFO", "POSTMORTEM" };
	struct elfcorehdr_note n;
	size_t used = 0, cursor = 0, k = 0, before;

	for (size_t i = 0; i < 7; i++)
		CHECK_EQ(elfcore_note_put(buf, sizeof(buf), names[i], (uint32_t)i, desc, i, &used), 0);
	CHECK_EQ(used % 4, 0);
	while (elfcorehdr_note_next(buf, used, &cursor, &n) == 0) {
		CHECK_EQ(n.offset % 4, 0);
		CHECK_EQ(n.type, k);
		CHECK_EQ(n.desc_len, k);
		CHECK(k == 0 || memcmp(n.desc, desc, k) == 0);
		CHECK_STR(n.name, names[k]);
		k++;
	}
	CHECK_EQ(k, 7);
	CHECK_EQ(cursor, used);
	/* Exactly full fits; one byte short changes nothing. */
	before = used;
	CHECK_EQ(elfcore_note_put(buf, before + 12 + 12 + 8 - 1, "POSTMORTEM", 1, desc, 7, &used), -ENOSPC);
	CHECK_EQ(used, before);
	CHECK_EQ(elfcore_note_put(buf, before + 12 + 12 + 8, "POSTMORTEM", 1, desc, 7, &used), 0);
	CHECK_EQ(used, before + 32);
	CHECK_EQ(elfcore_note_put(buf, sizeof(buf), NULL, 1, NULL, 0, &used), -EINVAL);
	CHECK_EQ(elfcore_note_put(buf, sizeof(buf), "X", 1, NULL, 3, &used), -EINVAL);
	used = sizeof(buf) + 1;
	CHECK_EQ(elfcore_note_put(buf, sizeof(buf), "X", 1, NULL, 0, &used), -EINVAL);
	used = 0;
	CHECK_EQ(elfcore_note_put(buf, sizeof(buf), "X", 1, buf, (size_t)UINT32_MAX + 1, &used), -EOVERFLOW);
}

/* A file with notes through the reader's note walk, then damaged. */
TEST(reader)
{
	struct machine *m = machine_new(0x10000, 32);
	struct dumpplan_range r = RNG(0x10000, 32 * PG, 0, 0x10000);
	struct elfcore_zero_scan z = { 4, is_zero, m };
	struct elfcore_note_cursor c = { 0, 0 };
	struct elfcore_info info;
	struct elfcore_segment g;
	struct elfcore_where w;
	struct elfcorehdr_note note;
	uint8_t notes[256], *f;
	size_t used = 0, n = 0, cursor = 0, k = 0;
	uint64_t size = 0;
	const char *v;
	size_t vlen;

	plant(m, 0, 8);
	CHECK_EQ(elfcore_note_put(notes, sizeof(notes), "CORE", 1, m->mem, 336, &used), -ENOSPC);
	CHECK_EQ(elfcore_note_put(notes, sizeof(notes), "VMCOREINFO", 0, "OSRELEASE=6.1.0\nPAGESIZE=4096\n",
				  30, &used), 0);
	CHECK_EQ(elfcore_note_put(notes, sizeof(notes), "POSTMORTEM", 1, "VERSION=0.1\n", 12, &used), 0);
	CHECK_EQ(elfcore_plan(&r, 1, used, &z, segs, MAXSEG, &n, &size), 0);
	f = build_file(m, n, notes, used, size);
	CHECK_EQ(elfcore_read(f, size, &info), 0);
	CHECK_EQ(info.load_count, 1);
	CHECK_EQ(info.note_count, 1);
	CHECK_EQ(info.mem_bytes, 32 * PG);
	CHECK_EQ(info.file_bytes, 8 * PG);
	CHECK(!info.incomplete);
	CHECK_EQ(elfcore_load_next(&info, &cursor, &g), 0);
	CHECK_EQ(g.range, 1);
	CHECK_EQ(g.filesz, 8 * PG);
	CHECK_EQ(elfcore_load_next(&info, &cursor, &g), -ENOENT);
	while (elfcore_note_next(&info, &c, &note) == 0)
		k++;
	CHECK_EQ(k, 2);
	c = (struct elfcore_note_cursor){ 0, 0 };
	CHECK_EQ(elfcore_note_next(&info, &c, &note), 0);
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(note.desc, note.desc_len, "OSRELEASE", &v, &vlen), 0);
	CHECK_EQ(vlen, 5);
	/* Zero tail, file bytes, nothing. */
	CHECK_EQ(elfcore_find_paddr(&info, 0x10000 + 8 * PG, &w), 0);
	CHECK_EQ(w.kind, ELFCORE_WHERE_ZERO);
	CHECK_EQ(w.avail, 24 * PG);
	CHECK_EQ(elfcore_find_paddr(&info, 0x10000 + 5, &w), 0);
	CHECK_EQ(w.kind, ELFCORE_WHERE_FILE);
	CHECK_EQ(w.avail, 8 * PG - 5);
	CHECK_EQ(elfcore_find_paddr(&info, 0xffff, &w), -ENOENT);
	CHECK_EQ(elfcore_find_paddr(&info, 0x10000 + 32 * PG, &w), -ENOENT);
	/* Truncated: the reader goes as far as the bytes go. */
	CHECK_EQ(elfcore_read(f, size - PG, &info), 0);
	CHECK(info.truncated);
	CHECK_EQ(elfcore_find_paddr(&info, 0x10000 + 7 * PG, &w), -ENODATA);
	CHECK_EQ(elfcore_find_paddr(&info, 0x10000 + 6 * PG + 1, &w), 0);
	CHECK_EQ(w.avail, PG - 1);
	CHECK_EQ(elfcore_read(f, PG + 10, &info), 0);		/* notes cut short */
	c = (struct elfcore_note_cursor){ 0, 0 };
	CHECK_EQ(elfcore_note_next(&info, &c, &note), -EBADMSG);
	CHECK_EQ(elfcore_note_next(&info, &c, &note), -ENOENT);
	/* Incomplete mark. */
	CHECK_EQ(elfcore_mark_incomplete(f, size), 0);
	CHECK_EQ(elfcore_read(f, size, &info), 0);
	CHECK(info.incomplete);
	CHECK_EQ(info.e_flags, ELFCORE_EF_INCOMPLETE);
	free(f);
	machine_free(m);
}

/* Hostile files: exact-size heap copies so ASan sees any overread. */
static int read_copy(const uint8_t *f, size_t len, struct elfcore_info *info)
{
	uint8_t *c = malloc(len ? len : 1);
	int rc;

	memcpy(c, f, len);
	rc = elfcore_read(c, len, info);
	free(c);
	return rc;
}

TEST(reader_rejects)
{
	struct dumpplan_range r = RNG(0, PG, 0, 0);
	struct elfcore_info info;
	uint8_t hdr[512], bad[512];
	size_t n, len;
	uint64_t size;
	uint64_t v;
	uint16_t h;

	CHECK_EQ(elfcore_plan(&r, 1, 0, NULL, segs, MAXSEG, &n, &size), 0);
	CHECK_EQ(elfcore_headers(segs, n, 0, hdr, sizeof(hdr), &len), 0);
	CHECK_EQ(read_copy(hdr, len, &info), 0);
	CHECK(info.truncated);
	CHECK_EQ(read_copy(hdr, 63, &info), -ENOEXEC);
	CHECK_EQ(read_copy(hdr, len - 1, &info), -EBADMSG);	/* table cut */
	memcpy(bad, hdr, len);
	bad[0] = 0;
	CHECK_EQ(read_copy(bad, len, &info), -ENOEXEC);
	memcpy(bad, hdr, len);
	bad[16] = 2;					/* ET_EXEC */
	CHECK_EQ(read_copy(bad, len, &info), -ENOEXEC);
	memcpy(bad, hdr, len);
	h = 0xffff;					/* PN_XNUM */
	memcpy(bad + 0x38, &h, 2);
	CHECK_EQ(read_copy(bad, len, &info), -EBADMSG);
	memcpy(bad, hdr, len);
	h = 40;						/* e_phentsize */
	memcpy(bad + 0x36, &h, 2);
	CHECK_EQ(read_copy(bad, len, &info), -EBADMSG);
	memcpy(bad, hdr, len);
	v = 8;						/* e_phoff inside the Ehdr */
	memcpy(bad + 0x20, &v, 8);
	CHECK_EQ(read_copy(bad, len, &info), -EBADMSG);
	memcpy(bad, hdr, len);
	v = 2 * PG;					/* PT_LOAD filesz > memsz */
	memcpy(bad + 64 + 56 + 0x20, &v, 8);
	CHECK_EQ(read_copy(bad, len, &info), -EBADMSG);
	memcpy(bad, hdr, len);
	v = 0xfffffffffffff001ull;			/* paddr wraps */
	memcpy(bad + 64 + 56 + 0x18, &v, 8);
	CHECK_EQ(read_copy(bad, len, &info), -EBADMSG);
	memcpy(bad, hdr, len);
	v = UINT64_MAX;					/* PT_NOTE offset wraps */
	memcpy(bad + 64 + 0x08, &v, 8);
	v = 2;
	memcpy(bad + 64 + 0x20, &v, 8);
	CHECK_EQ(read_copy(bad, len, &info), -EBADMSG);
	CHECK_EQ(elfcore_read(NULL, 100, &info), -EINVAL);
	CHECK_EQ(elfcore_mark_incomplete(bad, 10), -ENOEXEC);
}

/* An independent reader: binutils' readelf must accept a generated file. */
TEST(readelf_accepts)
{
	struct machine *m = machine_new(0x100000, 300);
	struct dumpplan_range r[3] = {
		RNG(0x100000, 100 * PG, 0xffff888000100000ull, 0x100000),
		RNG(0x100000 + 120 * PG, 180 * PG, 0xffff888000100000ull + 120 * PG, 0x100000 + 120 * PG),
		RNG(0x100000 + 100 * PG, 0x1234, 0, 0x100000 + 100 * PG),
	};
	char path[] = "/tmp/elfcore_test_XXXXXX", cmd[256];
	size_t n = 0;
	uint64_t size = 0;
	uint8_t *f;
	FILE *out;
	int fd;

	plant(m, 0, 30);
	plant(m, 90, 40);
	plant(m, 250, 1);
	f = plan_build(m, r, 3, 16, MAXSEG, &n, &size);
	CHECK_EQ(n, 5);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	out = fdopen(fd, "wb");
	CHECK_EQ(fwrite(f, 1, size, out), size);
	fclose(out);
	if (system("command -v readelf >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof(cmd),
			 "readelf -lW %s 2>&1 | grep -v '^$' > %s.out; ! grep -qi 'warn\\|error' %s.out "
			 "&& [ $(grep -c ' LOAD ' %s.out) -eq 5 ]", path, path, path, path);
		CHECK_EQ(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "readelf -nW %s | grep -q NT_PRSTATUS", path);
		CHECK_EQ(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "%s.out", path);
		remove(cmd);
	} else {
		printf("elfcore_test: readelf not installed: that check not run\n");
	}
	remove(path);
	free(f);
	machine_free(m);
}

TEST_MAIN(one_range_keep, many_ranges, zero_runs, all_zero_and_keep, partial_pages, backup_region,
	  table_full_raises, too_many_ranges, overflow, split_misuse, headers_in_windows, headers_checks, notes, reader,
	  reader_rejects, readelf_accepts)
