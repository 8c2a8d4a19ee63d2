/*
 * Unit tests for formats/elfcorehdr.c: the ELF core header, its notes,
 * x86_64 NT_PRSTATUS and VMCOREINFO text.
 *
 * A small builder lays headers out the way Linux's
 * crash_prepare_elf64_headers() (kexec_file) and kexec-tools'
 * crash_create_elf64_headers() do: one PT_NOTE per CPU, the VMCOREINFO
 * PT_NOTE, the kernel-text PT_LOAD, then one PT_LOAD per RAM range
 * (kexec-tools: with the backup-region p_offset).  Notes are built the way
 * crash_save_cpu() and update_vmcoreinfo_note() write them.  Each test then
 * breaks one thing.  Hostile inputs are parsed from exact-size heap copies
 * so ASan sees any read past the end.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/elfcorehdr.h"
#include "tests/unit/test.h"

#define EHDR		64u
#define PHDR		56u
#define HDR_CAP		(EHDR + (ELFCOREHDR_MAX_LOADS + 16) * PHDR)
#define NOTE_BUF_T	368u	/* 2 headers + "CORE" padded + prstatus */
#define VMCI_NOTE_SIZE	(12u * 2 + 12 + 4096)	/* VMCOREINFO_NOTE_SIZE */

/* Crashed system used throughout: KASLR'd text and direct map. */
#define DIRECT_MAP	0xffff9c5d40000000ull
#define TEXT_VADDR	0xffffffff9a000000ull
#define TEXT_PADDR	0x5a000000ull
#define TEXT_SIZE	0x2e00000ull
#define CPU0_NOTES	0x13fc17a00ull
#define CPU1_NOTES	0x13fc57a00ull
#define VMCI_PADDR	0x5d6a4000ull
#define BACKUP_COPY	0x2f000000ull	/* kexec-tools' copy of low RAM */

struct hb {
	_Alignas(8) uint8_t buf[HDR_CAP];
	size_t len;
	uint16_t phnum;
};

static struct hb hb;
static struct elfcorehdr hdr;

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, sizeof(v)); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof(v)); }

/* The Ehdr both writers emit. */
static struct hb *hb_init(void)
{
	uint8_t *e = hb.buf;

	memset(&hb, 0, sizeof(hb));
	memcpy(e, "\177ELF", 4);
	e[4] = 2;			/* ELFCLASS64 */
	e[5] = 1;			/* ELFDATA2LSB */
	e[6] = 1;			/* EV_CURRENT */
	put16(e + 16, 4);		/* ET_CORE */
	put16(e + 18, 62);		/* EM_X86_64 */
	put32(e + 20, 1);
	put64(e + 32, EHDR);		/* e_phoff */
	put16(e + 52, EHDR);		/* e_ehsize */
	put16(e + 54, PHDR);		/* e_phentsize */
	hb.len = EHDR;
	return &hb;
}

static uint8_t *hb_phdr(struct hb *h, uint32_t type, uint64_t offset,
			uint64_t vaddr, uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	uint8_t *p = h->buf + h->len;

	put32(p, type);
	put32(p + 4, type == ELF64_PT_LOAD ? 7u : 0u);	/* PF_R|PF_W|PF_X */
	put64(p + 8, offset);
	put64(p + 16, vaddr);
	put64(p + 24, paddr);
	put64(p + 32, filesz);
	put64(p + 40, memsz);
	h->len += PHDR;
	h->phnum++;
	put16(h->buf + 56, h->phnum);
	return p;
}

static void hb_note(struct hb *h, uint64_t paddr, uint64_t size)
{
	hb_phdr(h, ELF64_PT_NOTE, paddr, 0, paddr, size, size);
}

static void hb_ram(struct hb *h, uint64_t start, uint64_t end)
{
	hb_phdr(h, ELF64_PT_LOAD, start, DIRECT_MAP + start, start,
		end - start + 1, end - start + 1);
}

/* crash_prepare_elf64_headers(): 2 possible CPUs, 0-1 MiB and crashkernel out. */
static size_t build_linux(struct hb *h)
{
	hb_note(h, CPU0_NOTES, NOTE_BUF_T);
	hb_note(h, CPU1_NOTES, NOTE_BUF_T);
	hb_note(h, VMCI_PADDR, VMCI_NOTE_SIZE);
	hb_phdr(h, ELF64_PT_LOAD, TEXT_PADDR, TEXT_VADDR, TEXT_PADDR,
		TEXT_SIZE, TEXT_SIZE);
	hb_ram(h, 0x100000, 0x2effffff);
	hb_ram(h, 0x38000000, 0x7ffdefff);
	hb_ram(h, 0x100000000ull, 0x27fffffffull);
	return h->len;
}

/* crash_create_elf64_headers() plus the x86 backup region (REFERENCE B1). */
static size_t build_kexec_tools(struct hb *h)
{
	hb_note(h, CPU0_NOTES, NOTE_BUF_T);
	hb_note(h, CPU1_NOTES, NOTE_BUF_T);
	hb_note(h, VMCI_PADDR, VMCI_NOTE_SIZE);
	hb_phdr(h, ELF64_PT_LOAD, TEXT_PADDR, TEXT_VADDR, TEXT_PADDR,
		TEXT_SIZE, TEXT_SIZE);
	/* The first RAM range below 640 KiB is read from its backup copy. */
	hb_phdr(h, ELF64_PT_LOAD, BACKUP_COPY, DIRECT_MAP + 0x1000,
		0x1000, 0x9f000, 0x9f000);
	hb_ram(h, 0x100000, 0x2effffff);
	hb_ram(h, 0x38000000, 0x7ffdefff);
	hb_ram(h, 0x100000000ull, 0x27fffffffull);
	/* kexec-tools pads the buffer to 1 KiB with zeros. */
	h->len = (h->len + 1023) & ~(size_t)1023;
	return h->len;
}

/* Parse len bytes of src from an exact-size heap copy at offset skew. */
static int parse_copy(const void *src, size_t len, size_t skew)
{
	static uint8_t *copy;

	free(copy);
	copy = malloc(len + skew ? len + skew : 1);
	memcpy(copy + skew, src, len);
	return elfcorehdr_parse(copy + skew, len, &hdr);
}

/* ------------------------------------------------------------- header */

TEST(test_linux_header)
{
	struct hb *h = hb_init();
	size_t len = build_linux(h);
	uint64_t base = 0;

	CHECK_EQ(parse_copy(h->buf, len, 0), 0);
	CHECK_EQ(hdr.e_phnum, 7);
	CHECK_EQ(hdr.phdr_count, 7);
	CHECK_EQ(hdr.other_count, 0);
	CHECK_EQ(hdr.note_count, 3);
	CHECK_EQ(hdr.notes[0].p_offset, CPU0_NOTES);
	CHECK_EQ(hdr.notes[1].p_filesz, NOTE_BUF_T);
	CHECK_EQ(hdr.notes[2].p_offset, VMCI_PADDR);
	CHECK_EQ(hdr.notes[2].p_filesz, VMCI_NOTE_SIZE);
	CHECK_EQ(hdr.load_count, 4);
	CHECK_EQ(hdr.kernel_text_index, 0);
	CHECK_EQ(hdr.loads[0].p_vaddr, TEXT_VADDR);
	CHECK_EQ(hdr.loads[1].p_offset, 0x100000);
	CHECK_EQ(hdr.loads[1].p_paddr, 0x100000);
	CHECK_EQ(hdr.loads[3].p_memsz, 0x180000000ull);
	CHECK_EQ(hdr.loads[3].p_flags, ELF64_PF_R | ELF64_PF_W | ELF64_PF_X);
	/* Kernel text aliases RAM by design: no overlap reported. */
	CHECK(!hdr.loads_overlap);
	CHECK(!hdr.loads_truncated && !hdr.notes_truncated);
	CHECK_EQ(elfcorehdr_loads_direct_map_base(&hdr, &base), 0);
	CHECK_EQ(base, DIRECT_MAP);
	/* Any alignment of the buffer. */
	CHECK_EQ(parse_copy(h->buf, len, 3), 0);
	CHECK_EQ(hdr.load_count, 4);
}

TEST(test_kexec_tools_header)
{
	struct hb *h = hb_init();
	size_t len = build_kexec_tools(h);
	uint64_t base = 0;

	CHECK_EQ(len % 1024, 0);
	CHECK_EQ(parse_copy(h->buf, len, 0), 0);
	CHECK_EQ(hdr.load_count, 5);
	CHECK_EQ(hdr.note_count, 3);
	/* Backup region: bytes come from the copy, describe low RAM. */
	CHECK_EQ(hdr.loads[1].p_offset, BACKUP_COPY);
	CHECK_EQ(hdr.loads[1].p_paddr, 0x1000);
	CHECK_EQ(hdr.loads[1].p_vaddr, DIRECT_MAP + 0x1000);
	CHECK_EQ(hdr.loads[2].p_offset, hdr.loads[2].p_paddr);
	CHECK(!hdr.loads_overlap);
	CHECK_EQ(elfcorehdr_loads_direct_map_base(&hdr, &base), 0);
	CHECK_EQ(base, DIRECT_MAP);
}

TEST(test_every_truncation)
{
	static uint8_t full[HDR_CAP];
	struct hb *h = hb_init();
	size_t len = build_linux(h);
	unsigned bad = 0;

	memcpy(full, h->buf, len);
	for (size_t l = 0; l <= len; l++) {
		int want = l == len ? 0 : -EBADMSG;
		if (parse_copy(full, l, 0) != want)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(elfcorehdr_parse(NULL, 64, &hdr), -EINVAL);
	CHECK_EQ(elfcorehdr_parse(full, len, NULL), -EINVAL);
}

TEST(test_bad_ident)
{
	static const struct { size_t off; uint8_t val; } cases[] = {
		{ 0, 0x7e },		/* magic */
		{ 3, 'f' },
		{ 4, 1 },		/* ELFCLASS32 */
		{ 5, 2 },		/* ELFDATA2MSB */
		{ 6, 0 },		/* EI_VERSION */
		{ 16, 2 },		/* ET_EXEC */
		{ 18, 3 },		/* EM_386 */
		{ 19, 1 },		/* e_machine 0x13e */
		{ 20, 2 },		/* e_version */
	};
	struct hb *h = hb_init();
	size_t len = build_linux(h);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t old = h->buf[cases[i].off];
		h->buf[cases[i].off] = cases[i].val;
		CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-ENOEXEC);
		CHECK_EQ(hdr.load_count + hdr.note_count, 0);
		h->buf[cases[i].off] = old;
	}
	CHECK_EQ(parse_copy(h->buf, len, 0), 0);
}

TEST(test_phentsize)
{
	struct hb *h = hb_init();
	size_t len = build_linux(h);

	put16(h->buf + 54, 32);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	put16(h->buf + 54, 64);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	put16(h->buf + 54, 0);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	CHECK_EQ(hdr.error_offset, 0);
}

TEST(test_phnum)
{
	struct hb *h = hb_init();
	size_t len = build_linux(h);

	put16(h->buf + 56, ELF64_PN_XNUM);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-E2BIG);
	put16(h->buf + 56, 0xfffe);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-E2BIG);
	put16(h->buf + 56, ELFCOREHDR_MAX_PHDRS + 1);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-E2BIG);
	/* Within the limit but past len. */
	put16(h->buf + 56, ELFCOREHDR_MAX_PHDRS);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	put16(h->buf + 56, 8);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	/* No program headers: a valid, empty header. */
	put16(h->buf + 56, 0);
	CHECK_EQ(parse_copy(h->buf, EHDR, 0), 0);
	CHECK_EQ(hdr.load_count + hdr.note_count + hdr.phdr_count, 0);
	CHECK_EQ(hdr.kernel_text_index, ELFCOREHDR_NO_INDEX);
}

TEST(test_phoff)
{
	static uint8_t moved[HDR_CAP + 64];
	struct hb *h = hb_init();
	size_t len = build_linux(h);

	put64(h->buf + 32, len);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	put64(h->buf + 32, len + 1);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	put64(h->buf + 32, UINT64_MAX - 8);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	put64(h->buf + 32, 0);		/* table over the Ehdr */
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	put64(h->buf + 32, EHDR + 1);	/* one byte short at the end */
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	/* An unaligned table that fits is fine. */
	memcpy(moved, h->buf, EHDR);
	memcpy(moved + EHDR + 3, h->buf + EHDR, len - EHDR);
	put64(moved + 32, EHDR + 3);
	CHECK_EQ(parse_copy(moved, len + 3, 0), 0);
	CHECK_EQ(hdr.load_count, 4);
	CHECK_EQ(hdr.loads[2].p_paddr, 0x38000000);
}

TEST(test_wrap)
{
	struct hb *h;
	size_t len, bad_off;

	/* p_paddr + p_memsz past 2^64: error names the phdr, keeps earlier ones. */
	h = hb_init();
	build_linux(h);
	bad_off = h->len;
	hb_phdr(h, ELF64_PT_LOAD, 0xfffffffffffff000ull, 0xffffc00000000000ull,
		0xfffffffffffff000ull, 0x1000, 0x2000);
	len = h->len;
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	CHECK_EQ(hdr.error_offset, bad_off);
	CHECK_EQ(hdr.load_count, 4);
	CHECK_EQ(hdr.note_count, 3);
	CHECK_EQ(hdr.phdr_count, 7);
	/* Ending exactly at 2^64 does not wrap. */
	put64(h->buf + bad_off + 40, 0x1000);
	CHECK_EQ(parse_copy(h->buf, len, 0), 0);
	/* p_offset + p_filesz. */
	put64(h->buf + bad_off + 8, 0xffffffffffffffffull);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	put64(h->buf + bad_off + 8, 0x1000);
	/* p_vaddr + p_memsz. */
	put64(h->buf + bad_off + 16, 0xfffffffffffff800ull);
	CHECK_EQ(parse_copy(h->buf, len, 0), (uint64_t)-EBADMSG);
	put64(h->buf + bad_off + 16, 0xffffc00000000000ull);
	CHECK_EQ(parse_copy(h->buf, len, 0), 0);

	/* A PT_NOTE whose range wraps. */
	h = hb_init();
	hb_note(h, 0xffffffffffffff00ull, 0x200);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), (uint64_t)-EBADMSG);
	CHECK_EQ(hdr.error_offset, EHDR);
}

TEST(test_filesz_memsz)
{
	struct hb *h = hb_init();

	hb_phdr(h, ELF64_PT_LOAD, 0x100000, DIRECT_MAP + 0x100000, 0x100000,
		0x2000, 0x1000);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), (uint64_t)-EBADMSG);
	CHECK_EQ(hdr.load_count, 0);
	/* filesz < memsz: the rest reads as zeros; accepted. */
	put64(h->buf + EHDR + 32, 0x800);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK_EQ(hdr.loads[0].p_filesz, 0x800);
	CHECK_EQ(hdr.loads[0].p_memsz, 0x1000);
}

TEST(test_too_many)
{
	struct hb *h = hb_init();
	size_t i;

	for (i = 0; i < ELFCOREHDR_MAX_LOADS + 3; i++)
		hb_ram(h, 0x100000000ull + i * 0x10000, 0x100000000ull + i * 0x10000 + 0xffff);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK_EQ(hdr.load_count, ELFCOREHDR_MAX_LOADS);
	CHECK(hdr.loads_truncated);
	CHECK_EQ(hdr.phdr_count, ELFCOREHDR_MAX_LOADS + 3);
	CHECK(!hdr.loads_overlap);

	/* A bad load after the array is full is still an error. */
	hb_phdr(h, ELF64_PT_LOAD, 0, 0, 0, 2, 1);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), (uint64_t)-EBADMSG);

	h = hb_init();
	for (i = 0; i < ELFCOREHDR_MAX_NOTES + 1; i++)
		hb_note(h, 0x13fc00000ull + i * 0x40000, NOTE_BUF_T);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK_EQ(hdr.note_count, ELFCOREHDR_MAX_NOTES);
	CHECK(hdr.notes_truncated);
	CHECK(!hdr.loads_truncated);
}

TEST(test_overlap)
{
	struct hb *h;

	/* Sorted, overlapping by one byte. */
	h = hb_init();
	hb_ram(h, 0x100000, 0x1fffff);
	hb_ram(h, 0x1fffff, 0x2fffff);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK(hdr.loads_overlap);
	/* Sorted, adjacent. */
	h = hb_init();
	hb_ram(h, 0x100000, 0x1fffff);
	hb_ram(h, 0x200000, 0x2fffff);
	hb_ram(h, 0x300000, 0x300000);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK(!hdr.loads_overlap);
	/* Unsorted, disjoint. */
	h = hb_init();
	hb_ram(h, 0x300000, 0x3fffff);
	hb_ram(h, 0x100000, 0x1fffff);
	hb_ram(h, 0x500000, 0x5fffff);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK(!hdr.loads_overlap);
	/* Unsorted, one range inside an earlier one. */
	h = hb_init();
	hb_ram(h, 0x500000, 0x5fffff);
	hb_ram(h, 0x100000, 0x1fffff);
	hb_ram(h, 0x180000, 0x18ffff);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK(hdr.loads_overlap);
	/* Zero-sized loads overlap nothing; a second text alias is not RAM. */
	h = hb_init();
	hb_ram(h, 0x100000, 0x1fffff);
	hb_phdr(h, ELF64_PT_LOAD, 0x180000, DIRECT_MAP + 0x180000, 0x180000, 0, 0);
	hb_phdr(h, ELF64_PT_LOAD, 0x100000, TEXT_VADDR, 0x100000, 0x1000, 0x1000);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK(!hdr.loads_overlap);
	CHECK_EQ(hdr.kernel_text_index, 2);
}

TEST(test_other_types)
{
	struct hb *h = hb_init();

	hb_phdr(h, ELF64_PT_NULL, 0, 0, 0, 0, 0);
	hb_phdr(h, 0x6474e551, 0, 0, 0, 0, 0);	/* PT_GNU_STACK */
	hb_ram(h, 0x100000, 0x1fffff);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK_EQ(hdr.other_count, 2);
	CHECK_EQ(hdr.load_count, 1);
	CHECK_EQ(hdr.phdr_count, 3);
}

TEST(test_loads_direct_map)
{
	struct hb *h;
	uint64_t base = 7;

	/* Only the text alias and loads without virtual addresses. */
	h = hb_init();
	hb_phdr(h, ELF64_PT_LOAD, TEXT_PADDR, TEXT_VADDR, TEXT_PADDR, 0x1000, 0x1000);
	hb_phdr(h, ELF64_PT_LOAD, 0x100000, 0, 0x100000, 0x1000, 0x1000);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK_EQ(elfcorehdr_loads_direct_map_base(&hdr, &base), (uint64_t)-ENOENT);
	CHECK_EQ(base, 7);
	/* Two loads that disagree. */
	h = hb_init();
	hb_ram(h, 0x100000, 0x1fffff);
	hb_phdr(h, ELF64_PT_LOAD, 0x300000, DIRECT_MAP + 0x400000, 0x300000,
		0x1000, 0x1000);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK_EQ(elfcorehdr_loads_direct_map_base(&hdr, &base), (uint64_t)-EBADMSG);
	/* p_vaddr < p_paddr cannot be __va(). */
	h = hb_init();
	hb_phdr(h, ELF64_PT_LOAD, 0, 0xff00000000001000ull, 0xff00000000002000ull,
		0x1000, 0x1000);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK_EQ(elfcorehdr_loads_direct_map_base(&hdr, &base), (uint64_t)-EBADMSG);
	/* A base below the kernel half. */
	h = hb_init();
	hb_phdr(h, ELF64_PT_LOAD, 0, 0xff00000000001000ull, 0x2000, 0x1000, 0x1000);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK_EQ(elfcorehdr_loads_direct_map_base(&hdr, &base), (uint64_t)-EBADMSG);
	/* 5-level default base. */
	h = hb_init();
	hb_phdr(h, ELF64_PT_LOAD, 0x1000, ELFCOREHDR_X86_64_PAGE_OFFSET_L5 + 0x1000,
		0x1000, 0x1000, 0x1000);
	CHECK_EQ(parse_copy(h->buf, h->len, 0), 0);
	CHECK_EQ(elfcorehdr_loads_direct_map_base(&hdr, &base), 0);
	CHECK_EQ(base, ELFCOREHDR_X86_64_PAGE_OFFSET_L5);
	CHECK_EQ(elfcorehdr_loads_direct_map_base(NULL, &base), (uint64_t)-EINVAL);
}

/* -------------------------------------------------------------- notes */

/* Append a note as append_elf_note() does; returns the new length. */
static size_t put_note(uint8_t *buf, size_t off, const char *name, uint32_t type,
		       const void *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;

	put32(buf + off, namesz);
	put32(buf + off + 4, descsz);
	put32(buf + off + 8, type);
	off += 12;
	memcpy(buf + off, name, namesz);
	off += (namesz + 3u) & ~3u;
	if (descsz != 0)
		memcpy(buf + off, desc, descsz);
	return off + ((descsz + 3u) & ~3u);
}

/* A prstatus as crash_save_cpu() fills it: pid and registers. */
static void fill_prstatus(uint8_t prs[336], int32_t pid)
{
	memset(prs, 0, 336);
	memcpy(prs + 32, &pid, 4);
	for (unsigned i = 0; i < 27; i++)
		put64(prs + 112 + 8 * i, 0x1111111111111111ull * (i % 15 + 1) + i);
}

/* One CPU's note_buf_t: CORE/NT_PRSTATUS and final_note(). */
static size_t build_percpu(uint8_t buf[NOTE_BUF_T], int32_t pid)
{
	uint8_t prs[336];
	size_t n;

	fill_prstatus(prs, pid);
	memset(buf, 0xa5, NOTE_BUF_T);
	n = put_note(buf, 0, "CORE", ELF64_NT_PRSTATUS, prs, sizeof(prs));
	memset(buf + n, 0, 12);
	return n + 12;
}

/* Walk len bytes of src from an exact-size heap copy; count the notes. */
static int walk_copy(const void *src, size_t len, struct elfcorehdr_note *last,
		     size_t *count)
{
	static uint8_t *copy;
	size_t cursor = 0;
	int r;

	free(copy);
	copy = malloc(len ? len : 1);
	memcpy(copy, src, len);
	*count = 0;
	while ((r = elfcorehdr_note_next(copy, len, &cursor, last)) == 0)
		(*count)++;
	return r;
}

TEST(test_percpu_notes)
{
	uint8_t buf[NOTE_BUF_T];
	struct elfcorehdr_note n;
	struct elfcorehdr_prstatus prs;
	size_t cursor = 0, count;

	CHECK_EQ(build_percpu(buf, 4242), NOTE_BUF_T);
	CHECK_EQ(elfcorehdr_note_next(buf, sizeof(buf), &cursor, &n), 0);
	CHECK_EQ(n.offset, 0);
	CHECK_STR(n.name, "CORE");
	CHECK_EQ(n.name_len, 4);
	CHECK_EQ(n.type, ELF64_NT_PRSTATUS);
	CHECK_EQ(n.desc_len, 336);
	CHECK(n.desc == buf + 20);
	CHECK(elfcorehdr_note_is(&n, "CORE", ELF64_NT_PRSTATUS));
	CHECK(!elfcorehdr_note_is(&n, "COR", ELF64_NT_PRSTATUS));
	CHECK(!elfcorehdr_note_is(&n, "CORE", 2));
	CHECK_EQ(cursor, NOTE_BUF_T - 12);
	CHECK_EQ(elfcorehdr_note_next(buf, sizeof(buf), &cursor, &n), (uint64_t)-ENOENT);
	CHECK_EQ(cursor, NOTE_BUF_T - 12);
	CHECK_EQ(elfcorehdr_prstatus(n.desc, n.desc_len, &prs), 0);
	CHECK_EQ(prs.pid, 4242);

	/* A CPU that never saved its registers: all zeros. */
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(walk_copy(buf, sizeof(buf), &n, &count), (uint64_t)-ENOENT);
	CHECK_EQ(count, 0);

	/* Every prefix of a per-CPU buffer. */
	build_percpu(buf, 1);
	for (size_t l = 0; l <= NOTE_BUF_T; l++) {
		int r = walk_copy(buf, l, &n, &count);
		if (l < NOTE_BUF_T - 12) {
			CHECK_EQ(count, 0);
			CHECK(r == -EBADMSG || (l == 0 && r == -ENOENT));
		} else {
			CHECK_EQ(count, 1);
			CHECK_EQ(r, (uint64_t)-ENOENT);
		}
	}
}

TEST(test_note_padding)
{
	uint8_t buf[64];
	struct elfcorehdr_note n;
	size_t cursor, count;

	/* namesz 5 ("CORE\0"), buffer ends before the name's padding. */
	memset(buf, 0, sizeof(buf));
	put32(buf, 5);
	put32(buf + 8, 1);
	memcpy(buf + 12, "CORE", 5);
	CHECK_EQ(walk_copy(buf, 17, &n, &count), (uint64_t)-EBADMSG);
	CHECK_EQ(walk_copy(buf, 20, &n, &count), (uint64_t)-ENOENT);
	CHECK_EQ(count, 1);
	CHECK(n.desc == NULL && n.desc_len == 0);

	/* descsz 3: the desc's padding must be there too. */
	put32(buf + 4, 3);
	memcpy(buf + 20, "abc", 3);
	CHECK_EQ(walk_copy(buf, 23, &n, &count), (uint64_t)-EBADMSG);
	CHECK_EQ(walk_copy(buf, 24, &n, &count), (uint64_t)-ENOENT);
	CHECK_EQ(n.desc_len, 3);

	/* A name padded with extra NULs: name_len stops at the first. */
	memset(buf, 0, sizeof(buf));
	put32(buf, 8);
	put32(buf + 8, 1);
	memcpy(buf + 12, "CORE", 4);
	cursor = 0;
	CHECK_EQ(elfcorehdr_note_next(buf, 20, &cursor, &n), 0);
	CHECK_EQ(n.name_len, 4);
	CHECK(elfcorehdr_note_is(&n, "CORE", 1));
}

TEST(test_note_overrun)
{
	uint8_t buf[NOTE_BUF_T];
	struct elfcorehdr_note n;
	size_t count;

	build_percpu(buf, 1);
	put32(buf + 4, 400);		/* descsz past the buffer */
	CHECK_EQ(walk_copy(buf, sizeof(buf), &n, &count), (uint64_t)-EBADMSG);
	put32(buf + 4, 0xffffffffu);
	CHECK_EQ(walk_copy(buf, sizeof(buf), &n, &count), (uint64_t)-EBADMSG);
	put32(buf + 4, 336);
	put32(buf, 0xfffffffdu);	/* namesz near 2^32 */
	CHECK_EQ(walk_copy(buf, sizeof(buf), &n, &count), (uint64_t)-EBADMSG);
	put32(buf, 5);
	CHECK_EQ(walk_copy(buf, sizeof(buf), &n, &count), (uint64_t)-ENOENT);
	CHECK_EQ(count, 1);
}

TEST(test_note_name_without_nul)
{
	uint8_t buf[32];
	struct elfcorehdr_note n;
	size_t count;

	memset(buf, 0, sizeof(buf));
	put32(buf, 4);			/* "CORE" without its NUL */
	put32(buf + 8, 1);
	memcpy(buf + 12, "CORE", 4);
	CHECK_EQ(walk_copy(buf, 16, &n, &count), (uint64_t)-EBADMSG);
	CHECK_EQ(walk_copy(buf, sizeof(buf), &n, &count), (uint64_t)-EBADMSG);
	CHECK_EQ(count, 0);
}

TEST(test_note_tail)
{
	uint8_t buf[NOTE_BUF_T + 12];
	struct elfcorehdr_note n;
	size_t cursor, count;

	/* After the PRSTATUS note: 1..11 zero bytes end it, non-zero do not. */
	build_percpu(buf, 1);
	for (size_t t = 1; t < 12; t++) {
		CHECK_EQ(walk_copy(buf, NOTE_BUF_T - 12 + t, &n, &count), (uint64_t)-ENOENT);
		buf[NOTE_BUF_T - 12 + t - 1] = 0x5a;
		CHECK_EQ(walk_copy(buf, NOTE_BUF_T - 12 + t, &n, &count), (uint64_t)-EBADMSG);
		buf[NOTE_BUF_T - 12 + t - 1] = 0;
	}
	/* A nameless note is a note, not the end. */
	memset(buf, 0, sizeof(buf));
	put32(buf + 4, 4);
	put32(buf + 8, 7);
	memcpy(buf + 12, "desc", 4);
	cursor = 0;
	CHECK_EQ(elfcorehdr_note_next(buf, 16, &cursor, &n), 0);
	CHECK(n.name == NULL && n.name_len == 0 && n.type == 7 && n.desc_len == 4);
	CHECK(!elfcorehdr_note_is(&n, "", 7));
	CHECK_EQ(cursor, 16);
	CHECK_EQ(elfcorehdr_note_next(buf, 16, &cursor, &n), (uint64_t)-ENOENT);
	cursor = 17;
	CHECK_EQ(elfcorehdr_note_next(buf, 16, &cursor, &n), (uint64_t)-EINVAL);
	CHECK_EQ(elfcorehdr_note_next(NULL, 16, &cursor, &n), (uint64_t)-EINVAL);
}

TEST(test_note_size)
{
	uint8_t buf[512];
	uint8_t desc[336] = { 0 };
	struct elfcorehdr_note n;
	size_t total = 0, cursor = 0;

	CHECK_EQ(elfcorehdr_note_size(5, 336, &total), 0);
	CHECK_EQ(total, 12 + 8 + 336);
	CHECK_EQ(elfcorehdr_note_size(11, 4096, &total), 0);
	CHECK_EQ(total, 12 + 12 + 4096);
	CHECK_EQ(elfcorehdr_note_size(0, 0, &total), 0);
	CHECK_EQ(total, 12);
	CHECK_EQ(elfcorehdr_note_size(0, 1, &total), 0);
	CHECK_EQ(total, 16);
	CHECK_EQ(elfcorehdr_note_size(UINT32_MAX, UINT32_MAX, &total), 0);
	CHECK_EQ(total, 12 + 2 * 0x100000000ull);
	total = 99;
	CHECK_EQ(elfcorehdr_note_size((size_t)UINT32_MAX + 1, 0, &total), (uint64_t)-EOVERFLOW);
	CHECK_EQ(elfcorehdr_note_size(0, SIZE_MAX, &total), (uint64_t)-EOVERFLOW);
	CHECK_EQ(total, 99);
	CHECK_EQ(elfcorehdr_note_size(1, 1, NULL), (uint64_t)-EINVAL);
	/* A writer's size is exactly what the reader walks. */
	CHECK_EQ(put_note(buf, 0, "CORE", 1, desc, 333), 12 + 8 + 336);
	CHECK_EQ(elfcorehdr_note_size(5, 333, &total), 0);
	CHECK_EQ(elfcorehdr_note_next(buf, total, &cursor, &n), 0);
	CHECK_EQ(cursor, total);
}

TEST(test_prstatus)
{
	uint8_t raw[340];
	struct elfcorehdr_prstatus prs, untouched;

	fill_prstatus(raw, 77);
	put32(raw + 12, 11);		/* pr_cursig (s16) and padding */
	memset(&prs, 0xee, sizeof(prs));
	memset(&untouched, 0xee, sizeof(untouched));
	CHECK_EQ(elfcorehdr_prstatus(raw, 335, &prs), (uint64_t)-EBADMSG);
	CHECK(memcmp(&prs, &untouched, sizeof(prs)) == 0);
	CHECK_EQ(elfcorehdr_prstatus(raw, 336, &prs), 0);
	CHECK_EQ(prs.pid, 77);
	CHECK_EQ(prs.cursig, 11);
	/* pr_reg[i] = 0x1111111111111111 * (i % 15 + 1) + i, user_regs order. */
	CHECK_EQ(prs.regs.r15, 0x1111111111111111ull);
	CHECK_EQ(prs.regs.r14, 0x2222222222222222ull + 1);
	CHECK_EQ(prs.regs.rbp, 0x5555555555555555ull + 4);
	CHECK_EQ(prs.regs.rax, 0xbbbbbbbbbbbbbbbbull + 10);
	CHECK_EQ(prs.regs.rdi, 0xffffffffffffffffull + 14);
	CHECK_EQ(prs.regs.orig_rax, 0x1111111111111111ull + 15);
	CHECK_EQ(prs.regs.rip, 0x2222222222222222ull + 16);
	CHECK_EQ(prs.regs.cs, 0x3333333333333333ull + 17);
	CHECK_EQ(prs.regs.eflags, 0x4444444444444444ull + 18);
	CHECK_EQ(prs.regs.rsp, 0x5555555555555555ull + 19);
	CHECK_EQ(prs.regs.ss, 0x6666666666666666ull + 20);
	CHECK_EQ(prs.regs.fs_base, 0x7777777777777777ull + 21);
	CHECK_EQ(prs.regs.gs_base, 0x8888888888888888ull + 22);
	CHECK_EQ(prs.regs.gs, 0xccccccccccccccccull + 26);
	/* A longer desc is read for its first 336 bytes; unaligned is fine. */
	memmove(raw + 1, raw, 336);
	CHECK_EQ(elfcorehdr_prstatus(raw + 1, 339, &prs), 0);
	CHECK_EQ(prs.regs.rip, 0x2222222222222222ull + 16);
	CHECK_EQ(elfcorehdr_prstatus(NULL, 336, &prs), (uint64_t)-EINVAL);
}

/* ---------------------------------------------------------- VMCOREINFO */

/* Lines as Linux 6.x on x86_64 writes them (kernel/vmcore_info.c order). */
static const char vmci[] =
	"OSRELEASE=6.12.9-amd64\n"
	"BUILD-ID=1f7a0c5e9b2d4c6a8e0f1a2b3c4d5e6f7a8b9c0d\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff9b613d40\n"
	"OFFSET(uts_namespace.name)=0\n"
	"SYMBOL(node_online_map)=ffffffff9b6f0a88\n"
	"SYMBOL(swapper_pg_dir)=ffffffff9b40a000\n"
	"SYMBOL(_stext)=ffffffff9a000000\n"
	"NUMBER(VMALLOC_START)=0xffffb2c580000000\n"
	"SYMBOL(vmemmap)=ffffd9a3c0000000\n"
	"SYMBOL(mem_section)=ffff9c5e7ffd3000\n"
	"LENGTH(mem_section)=2048\n"
	"SIZE(page)=64\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=4026531840\n"
	"NUMBER(phys_base)=1073741824\n"
	"SYMBOL(init_top_pgt)=ffffffff9b40a000\n"
	"NUMBER(pgtable_l5_enabled)=0\n"
	"KERNELOFFSET=19000000\n"
	"NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
	"NUMBER(sme_mask)=0\n"
	"CRASHTIME=1717171717\n";

static uint64_t vmci_u64(const char *text, const char *key, int *err)
{
	uint64_t v = 0xdeadbeef;

	*err = elfcorehdr_vmcoreinfo_u64(text, strlen(text), key, &v);
	return v;
}

TEST(test_vmcoreinfo_get)
{
	const char *v = NULL;
	size_t n = 0;

	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, sizeof(vmci) - 1, "OSRELEASE", &v, &n), 0);
	CHECK(n == 12 && memcmp(v, "6.12.9-amd64", 12) == 0 && v[12] == '\n');
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, sizeof(vmci) - 1, "CRASHTIME", &v, &n), 0);
	CHECK(n == 10 && memcmp(v, "1717171717", 10) == 0);
	v = NULL;
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, sizeof(vmci) - 1, "SYMBOL(prb)", &v, &n),
		 (uint64_t)-ENOENT);
	CHECK(v == NULL);
	/* Only whole keys at line start. */
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, sizeof(vmci) - 1, "PAGESIZ", &v, &n),
		 (uint64_t)-ENOENT);
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, sizeof(vmci) - 1, "RELEASE", &v, &n),
		 (uint64_t)-ENOENT);
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, sizeof(vmci) - 1, "SYMBOL", &v, &n),
		 (uint64_t)-ENOENT);
	/* Bad keys. */
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, 10, "", &v, &n), (uint64_t)-EINVAL);
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, 10, "A=B", &v, &n), (uint64_t)-EINVAL);
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, 10, "A\nB", &v, &n), (uint64_t)-EINVAL);
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(NULL, 10, "A", &v, &n), (uint64_t)-EINVAL);
	/* Cut mid-line: the value is what remains. */
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, 16, "OSRELEASE", &v, &n), 0);
	CHECK_EQ(n, 6);
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, 9, "OSRELEASE", &v, &n), (uint64_t)-ENOENT);
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, 10, "OSRELEASE", &v, &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(elfcorehdr_vmcoreinfo_get(vmci, 0, "OSRELEASE", &v, &n), (uint64_t)-ENOENT);
}

TEST(test_vmcoreinfo_prefix_keys)
{
	static const char t[] = "PAGESIZEX=1\nXPAGESIZE=2\nPAGESIZE=4096\nPAGESIZE=8192";
	static const char nul[] = "A=1\n\0PAGESIZE=4096\n";
	int err;

	CHECK_EQ(vmci_u64(t, "PAGESIZE", &err), 4096);	/* the first match */
	CHECK_EQ(err, 0);
	CHECK_EQ(vmci_u64(t, "PAGESIZEX", &err), 1);
	CHECK_EQ(vmci_u64(t, "XPAGESIZE", &err), 2);
	/* Text ends at a NUL. */
	CHECK_EQ(elfcorehdr_vmcoreinfo_u64(nul, sizeof(nul), "PAGESIZE", &(uint64_t){0}),
		 (uint64_t)-ENOENT);
	/* Last line without a newline. */
	CHECK_EQ(vmci_u64("A=1\nB=22", "B", &err), 22);
	CHECK_EQ(err, 0);
	CHECK_EQ(vmci_u64("B=22", "B", &err), 22);
	/* Empty lines and a line that is only a key. */
	CHECK_EQ(vmci_u64("\n\nB\nB=\nB=5\n", "B", &err), 0xdeadbeef);
	CHECK_EQ(err, (uint64_t)-EBADMSG);
}

TEST(test_vmcoreinfo_numbers)
{
	int err;

	CHECK_EQ(vmci_u64(vmci, "PAGESIZE", &err), 4096);
	CHECK_EQ(vmci_u64(vmci, "SYMBOL(init_uts_ns)", &err), 0xffffffff9b613d40ull);
	CHECK_EQ(err, 0);
	CHECK_EQ(vmci_u64(vmci, "SYMBOL(_stext)", &err), TEXT_VADDR);
	CHECK_EQ(vmci_u64(vmci, "KERNELOFFSET", &err), 0x19000000);
	CHECK_EQ(vmci_u64(vmci, "NUMBER(phys_base)", &err), 0x40000000);
	CHECK_EQ(vmci_u64(vmci, "NUMBER(VMALLOC_START)", &err), 0xffffb2c580000000ull);
	CHECK_EQ(vmci_u64(vmci, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", &err), 4026531840ull);
	CHECK_EQ(vmci_u64(vmci, "NUMBER(pgtable_l5_enabled)", &err), 0);
	CHECK_EQ(vmci_u64(vmci, "LENGTH(mem_section)", &err), 2048);
	CHECK_EQ(vmci_u64(vmci, "CRASHTIME", &err), 1717171717);
	CHECK_EQ(err, 0);
	/* Not numbers, or absent. */
	vmci_u64(vmci, "OSRELEASE", &err);
	CHECK_EQ(err, (uint64_t)-EBADMSG);
	vmci_u64(vmci, "BUILD-ID", &err);
	CHECK_EQ(err, (uint64_t)-EBADMSG);
	vmci_u64(vmci, "NUMBER(page_offset_base)", &err);
	CHECK_EQ(err, (uint64_t)-ENOENT);
	/* Hex vs decimal by key: "10" is 16 for SYMBOL(), 10 otherwise. */
	CHECK_EQ(vmci_u64("SYMBOL(x)=10\nNUMBER(x)=10\n", "SYMBOL(x)", &err), 16);
	CHECK_EQ(vmci_u64("SYMBOL(x)=10\nNUMBER(x)=10\n", "NUMBER(x)", &err), 10);
	CHECK_EQ(vmci_u64("NUMBER(x)=0X1F", "NUMBER(x)", &err), 31);
	CHECK_EQ(vmci_u64("SYMBOL(x)=0xAbC", "SYMBOL(x)", &err), 0xabc);
	vmci_u64("NUMBER(x)=1f", "NUMBER(x)", &err);
	CHECK_EQ(err, (uint64_t)-EBADMSG);
	vmci_u64("NUMBER(x)=0x", "NUMBER(x)", &err);
	CHECK_EQ(err, (uint64_t)-EBADMSG);
	vmci_u64("NUMBER(x)= 1", "NUMBER(x)", &err);
	CHECK_EQ(err, (uint64_t)-EBADMSG);
	vmci_u64("NUMBER(x)=1\r\n", "NUMBER(x)", &err);
	CHECK_EQ(err, (uint64_t)-EBADMSG);
	/* Negative %ld values, as older kernels print PAGE_BUDDY_MAPCOUNT_VALUE. */
	CHECK_EQ(vmci_u64("NUMBER(x)=-129", "NUMBER(x)", &err), (uint64_t)-129);
	CHECK_EQ(err, 0);
	CHECK_EQ(vmci_u64("N=-9223372036854775808", "N", &err), 0x8000000000000000ull);
	CHECK_EQ(err, 0);
	vmci_u64("N=-9223372036854775809", "N", &err);
	CHECK_EQ(err, (uint64_t)-ERANGE);
	vmci_u64("N=-", "N", &err);
	CHECK_EQ(err, (uint64_t)-EBADMSG);
	vmci_u64("SYMBOL(x)=-1", "SYMBOL(x)", &err);
	CHECK_EQ(err, (uint64_t)-EBADMSG);
}

TEST(test_vmcoreinfo_overflow)
{
	int err;

	CHECK_EQ(vmci_u64("N=18446744073709551615", "N", &err), UINT64_MAX);
	CHECK_EQ(err, 0);
	CHECK_EQ(vmci_u64("N=18446744073709551616", "N", &err), 0xdeadbeef);
	CHECK_EQ(err, (uint64_t)-ERANGE);
	vmci_u64("N=99999999999999999999999", "N", &err);
	CHECK_EQ(err, (uint64_t)-ERANGE);
	CHECK_EQ(vmci_u64("SYMBOL(s)=ffffffffffffffff", "SYMBOL(s)", &err), UINT64_MAX);
	CHECK_EQ(err, 0);
	vmci_u64("SYMBOL(s)=1ffffffffffffffff", "SYMBOL(s)", &err);
	CHECK_EQ(err, (uint64_t)-ERANGE);
	CHECK_EQ(vmci_u64("SYMBOL(s)=000000000000000000001", "SYMBOL(s)", &err), 1);
	/* A bad digit is reported as such even past the overflow. */
	vmci_u64("N=99999999999999999999999z", "N", &err);
	CHECK_EQ(err, (uint64_t)-EBADMSG);
	CHECK_EQ(elfcorehdr_vmcoreinfo_u64(vmci, 10, "OSRELEASE", NULL), (uint64_t)-EINVAL);
}

TEST(test_direct_map_base)
{
	uint64_t base = 5;

	/* Mainline x86_64 VMCOREINFO does not say. */
	CHECK_EQ(elfcorehdr_direct_map_base(vmci, sizeof(vmci) - 1, &base), (uint64_t)-ENOENT);
	CHECK_EQ(base, 5);
	/* VMCOREINFO_NUMBER(page_offset_base) would print a negative %ld. */
	static const char neg[] = "NUMBER(page_offset_base)=-118025701294080\n";
	CHECK_EQ(elfcorehdr_direct_map_base(neg, sizeof(neg) - 1, &base), 0);
	CHECK_EQ(base, 0xffff94a800000000ull);
	static const char hex[] = "X=1\nNUMBER(page_offset_base)=0xff11000000000000";
	CHECK_EQ(elfcorehdr_direct_map_base(hex, sizeof(hex) - 1, &base), 0);
	CHECK_EQ(base, ELFCOREHDR_X86_64_PAGE_OFFSET_L5);
	/* Outside [kernel half, kernel text map). */
	static const char low[] = "NUMBER(page_offset_base)=0x7fff000000000000";
	static const char text[] = "NUMBER(page_offset_base)=0xffffffff80000000";
	base = 5;
	CHECK_EQ(elfcorehdr_direct_map_base(low, sizeof(low) - 1, &base), (uint64_t)-ERANGE);
	CHECK_EQ(elfcorehdr_direct_map_base(text, sizeof(text) - 1, &base), (uint64_t)-ERANGE);
	CHECK_EQ(base, 5);
	CHECK_EQ(elfcorehdr_direct_map_base(low, 3, NULL), (uint64_t)-EINVAL);
}

/* The VMCOREINFO note inside its VMCOREINFO_NOTE_SIZE PT_NOTE buffer. */
TEST(test_vmcoreinfo_note)
{
	static uint8_t buf[VMCI_NOTE_SIZE];
	struct elfcorehdr_note n;
	size_t count;
	uint64_t v = 0;

	memset(buf, 0, sizeof(buf));
	put_note(buf, 0, "VMCOREINFO", ELF64_NT_VMCOREINFO, vmci, sizeof(vmci) - 1);
	CHECK_EQ(walk_copy(buf, sizeof(buf), &n, &count), (uint64_t)-ENOENT);
	CHECK_EQ(count, 1);
	CHECK(elfcorehdr_note_is(&n, ELF64_NOTE_NAME_VMCOREINFO, ELF64_NT_VMCOREINFO));
	CHECK_EQ(n.desc_len, sizeof(vmci) - 1);
	CHECK_EQ(elfcorehdr_vmcoreinfo_u64(n.desc, n.desc_len, "PAGESIZE", &v), 0);
	CHECK_EQ(v, 4096);
}

TEST_MAIN(test_linux_header, test_kexec_tools_header, test_every_truncation,
	  test_bad_ident, test_phentsize, test_phnum, test_phoff, test_wrap,
	  test_filesz_memsz, test_too_many, test_overlap, test_other_types,
	  test_loads_direct_map, test_percpu_notes, test_note_padding,
	  test_note_overrun, test_note_name_without_nul, test_note_tail,
	  test_note_size, test_prstatus, test_vmcoreinfo_get,
	  test_vmcoreinfo_prefix_keys, test_vmcoreinfo_numbers,
	  test_vmcoreinfo_overflow, test_direct_map_base, test_vmcoreinfo_note)
