/*
 * formats/pe.c: the PE/COFF reader and layout check on built images (each
 * rule broken once), and the layout of build/postmortem.bzImage itself:
 * a PE32+ EFI application whose sections are aligned, do not overlap,
 * tile the file for the Authenticode digest, whose .text is the bzImage's
 * protected-mode part and whose SizeOfImage covers .bss (init_size), with
 * the Linux setup header still in place (boot/setup.asm, docs/boot.md).
 * PM_BZIMAGE names another image to check (default build/postmortem.bzImage),
 * such as a signed copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/pe.h"
#include "tests/unit/test.h"

/* A small valid image: headers 0x400, .text (code, RVA 0x1000, 0x400 raw,
 * 0x1800 virtual), .reloc (RVA 0x3000, 0x200 raw). */
#define IMG_LEN	0xA00
#define PE_OFF	0x40
#define OPT	(PE_OFF + 4 + 20)
#define SECT	(OPT + 112 + 16 * 8)

static void put_section(uint8_t *p, const char *name, uint32_t vsize, uint32_t rva, uint32_t raw,
			uint32_t off, uint32_t flags)
{
	memset(p, 0, 40);
	memcpy(p, name, strlen(name));
	test_put32(p + 8, vsize);
	test_put32(p + 12, rva);
	test_put32(p + 16, raw);
	test_put32(p + 20, off);
	test_put32(p + 36, flags);
}

static uint8_t *make_image(size_t extra)
{
	uint8_t *p = calloc(1, IMG_LEN + extra);

	p[0] = 'M';
	p[1] = 'Z';
	test_put32(p + 0x3C, PE_OFF);
	memcpy(p + PE_OFF, "PE\0\0", 4);
	test_put16(p + PE_OFF + 4, PE_MACHINE_X64);
	test_put16(p + PE_OFF + 6, 2);
	test_put16(p + PE_OFF + 20, 112 + 16 * 8);
	test_put16(p + PE_OFF + 22, 0x22);
	test_put16(p + OPT, PE_MAGIC_PE32PLUS);
	test_put32(p + OPT + 16, 0x1010);		/* entry */
	test_put64(p + OPT + 24, 0x100000);
	test_put32(p + OPT + 32, 0x1000);
	test_put32(p + OPT + 36, 0x200);
	test_put32(p + OPT + 56, 0x4000);		/* SizeOfImage */
	test_put32(p + OPT + 60, 0x400);		/* SizeOfHeaders */
	test_put16(p + OPT + 68, PE_SUBSYSTEM_EFI_APP);
	test_put32(p + OPT + 108, 16);
	test_put32(p + OPT + 112 + 8 * PE_DIR_BASERELOC, 0x3000);
	test_put32(p + OPT + 112 + 8 * PE_DIR_BASERELOC + 4, 12);
	put_section(p + SECT, ".text", 0x1800, 0x1000, 0x400, 0x400,
		    PE_SCN_CNT_CODE | PE_SCN_MEM_EXECUTE | PE_SCN_MEM_READ);
	put_section(p + SECT + 40, ".reloc", 12, 0x3000, 0x200, 0x800, PE_SCN_MEM_READ);
	return p;
}

/* Parse and check; the first refusal's sentence must contain want (NULL: accepted). */
static void expect(const uint8_t *p, size_t len, const char *want)
{
	struct pe_info pi;
	const char *why = NULL;
	int rc = pe_parse(p, len, &pi, &why);

	if (rc == 0)
		rc = pe_check_layout(&pi, len, &why);
	if (want == NULL) {
		CHECK_EQ(rc, 0);
		if (rc != 0)
			fprintf(stderr, "  refused: %s\n", why);
	} else {
		CHECK_EQ(rc, -EBADMSG);
		CHECK(why != NULL && strstr(why, want) != NULL);
		if (why == NULL || strstr(why, want) == NULL)
			fprintf(stderr, "  want \"%s\", got \"%s\"\n", want, why ? why : "(accepted)");
	}
}

TEST(valid_image)
{
	uint8_t *p = make_image(0);
	struct pe_info pi;
	size_t n = 9;

	CHECK_EQ(pe_parse(p, IMG_LEN, &pi, NULL), 0);
	CHECK_EQ(pi.nsections, 2);
	CHECK_STR(pi.sections[0].name, ".text");
	CHECK_EQ(pi.entry, 0x1010);
	CHECK_EQ(pi.checksum_offset, OPT + 64);
	CHECK_EQ(pi.cert_dir_offset, OPT + 112 + 32);
	CHECK_EQ(pe_check_layout(&pi, IMG_LEN, NULL), 0);
	CHECK(pe_section_at(&pi, 0x27ff) == &pi.sections[0]);
	CHECK(pe_section_at(&pi, 0x2800) == NULL);
	CHECK_EQ(pe_certs(p, IMG_LEN, &pi, NULL, 0, &n, NULL), 0);
	CHECK_EQ(n, 0);
	free(p);
}

TEST(header_rules)
{
	uint8_t *p = make_image(0);

	expect(p, 0x30, "MS-DOS");
	p[0] = 'X';
	expect(p, IMG_LEN, "MS-DOS");
	p[0] = 'M';
	test_put32(p + 0x3C, 0x20);
	expect(p, IMG_LEN, "inside the MS-DOS header");
	test_put32(p + 0x3C, IMG_LEN - 10);
	expect(p, IMG_LEN, "past the end");
	test_put32(p + 0x3C, 0xFFFFFFF0);
	expect(p, IMG_LEN, "past the end");
	test_put32(p + 0x3C, PE_OFF);
	p[PE_OFF + 1] = 'X';
	expect(p, IMG_LEN, "PE signature");
	p[PE_OFF + 1] = 'E';
	test_put16(p + OPT, 0x10B);
	expect(p, IMG_LEN, "not PE32+");
	test_put16(p + OPT, PE_MAGIC_PE32PLUS);
	test_put32(p + OPT + 108, 17);
	expect(p, IMG_LEN, "above 16");
	test_put32(p + OPT + 108, 16);
	test_put16(p + PE_OFF + 20, 112 + 8);
	expect(p, IMG_LEN, "too small for its data directories");
	test_put16(p + PE_OFF + 20, 100);
	expect(p, IMG_LEN, "too short");
	test_put16(p + PE_OFF + 20, 112 + 16 * 8);
	test_put16(p + PE_OFF + 6, 17);
	expect(p, IMG_LEN, "more than 16 sections");
	test_put16(p + PE_OFF + 6, 16);
	test_put32(p + OPT + 60, 0x200);
	expect(p, IMG_LEN, "past SizeOfHeaders");
	test_put32(p + OPT + 60, 0x400);
	test_put16(p + PE_OFF + 6, 2);
	expect(p, SECT + 60, "section table runs past the end");
	test_put32(p + OPT + 60, IMG_LEN + 0x200);
	expect(p, IMG_LEN, "SizeOfHeaders is larger");
	free(p);
}

TEST(layout_rules)
{
	uint8_t *p = make_image(0);

	expect(p, IMG_LEN, NULL);
	test_put32(p + OPT + 36, 0x100);
	expect(p, IMG_LEN, "FileAlignment");
	test_put32(p + OPT + 36, 0x200);
	test_put32(p + OPT + 32, 0x100);
	expect(p, IMG_LEN, "SectionAlignment");
	test_put32(p + OPT + 32, 0x1000);
	test_put32(p + OPT + 60, 0x300);
	expect(p, IMG_LEN, "SizeOfHeaders is not a multiple");
	test_put32(p + OPT + 60, 0x400);
	test_put32(p + OPT + 56, 0x3800);
	expect(p, IMG_LEN, "SizeOfImage is not a multiple");
	test_put32(p + OPT + 56, 0x3000);
	expect(p, IMG_LEN, "ends past SizeOfImage");		/* .reloc at 0x3000 */
	test_put32(p + OPT + 56, 0x4000);
	test_put32(p + SECT + 12, 0x1800);			/* .text RVA */
	expect(p, IMG_LEN, "VirtualAddress is not a multiple");
	test_put32(p + SECT + 12, 0x1000);
	test_put32(p + SECT + 8, 0x2800);			/* .text runs into .reloc */
	expect(p, IMG_LEN, "overlap in memory");
	test_put32(p + SECT + 8, 0x1800);
	test_put32(p + SECT + 20, 0x600);			/* .text raw after a gap */
	test_put32(p + SECT + 40 + 16, 0);			/* .reloc without raw data */
	expect(p, IMG_LEN, "gap");
	test_put32(p + SECT + 20, 0x400);
	test_put32(p + SECT + 40 + 16, 0x200);
	test_put32(p + SECT + 40 + 20, 0x600);			/* inside .text's raw data */
	expect(p, IMG_LEN, "overlap in the file");
	test_put32(p + SECT + 40 + 20, 0x800);
	expect(p, IMG_LEN + 0x200, "after the last section");
	test_put32(p + SECT + 16, 0x300);
	expect(p, IMG_LEN, "not aligned to FileAlignment");
	test_put32(p + SECT + 16, 0x400);
	test_put32(p + SECT + 40 + 20, 0x1000);
	expect(p, IMG_LEN, "outside the file's sections area");
	test_put32(p + SECT + 40 + 20, 0x800);
	test_put32(p + OPT + 16, 0x3004);			/* entry in .reloc */
	expect(p, IMG_LEN, "AddressOfEntryPoint");
	test_put32(p + OPT + 16, 0x5000);
	expect(p, IMG_LEN, "AddressOfEntryPoint");
	test_put32(p + OPT + 16, 0x1010);
	test_put32(p + OPT + 112 + 8 * PE_DIR_BASERELOC + 4, 0x201);
	expect(p, IMG_LEN, "base relocation");
	test_put32(p + OPT + 112 + 8 * PE_DIR_BASERELOC + 4, 12);
	test_put32(p + SECT + 12, 0x800);			/* .text inside the headers? */
	test_put32(p + OPT + 32, 0x200);
	test_put32(p + SECT + 12, 0x200);
	expect(p, IMG_LEN, "inside the headers");
	free(p);
}

/* A "signed" image: a certificate table of two entries appended (8-aligned). */
TEST(certificates)
{
	size_t extra = 0x30 + 0x18, len = IMG_LEN + extra, n = 0;
	uint8_t *p = make_image(extra);
	struct pe_info pi;
	struct pe_cert c[2];
	const char *why;

	test_put32(p + IMG_LEN, 0x2c);				/* 0x2c rounds to 0x30 */
	test_put16(p + IMG_LEN + 4, PE_WIN_CERT_REVISION_2);
	test_put16(p + IMG_LEN + 6, PE_WIN_CERT_TYPE_PKCS7);
	test_put32(p + IMG_LEN + 0x30, 0x18);
	test_put16(p + IMG_LEN + 0x34, PE_WIN_CERT_REVISION_2);
	test_put16(p + IMG_LEN + 0x36, PE_WIN_CERT_TYPE_PKCS7);
	test_put32(p + OPT + 112 + 8 * PE_DIR_CERT, IMG_LEN);
	test_put32(p + OPT + 112 + 8 * PE_DIR_CERT + 4, (uint32_t)extra);
	expect(p, len, NULL);
	CHECK_EQ(pe_parse(p, len, &pi, NULL), 0);
	CHECK_EQ(pe_certs(p, len, &pi, c, 2, &n, NULL), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(c[0].offset, IMG_LEN);
	CHECK_EQ(c[0].length, 0x2c);
	CHECK_EQ(c[1].type, PE_WIN_CERT_TYPE_PKCS7);
	CHECK_EQ(pe_certs(p, len, &pi, c, 1, &n, NULL), 0);	/* counts past max */
	CHECK_EQ(n, 2);
	test_put32(p + IMG_LEN + 0x30, 0x19);			/* past the table */
	CHECK_EQ(pe_certs(p, len, &pi, c, 2, &n, &why), -EBADMSG);
	test_put32(p + IMG_LEN + 0x30, 4);			/* shorter than its header */
	CHECK_EQ(pe_certs(p, len, &pi, c, 2, &n, &why), -EBADMSG);
	test_put32(p + IMG_LEN + 0x30, 0x18);
	expect(p, len - 8, "certificate table");		/* table runs past the file */
	test_put32(p + OPT + 112 + 8 * PE_DIR_CERT + 4, (uint32_t)extra - 8);
	expect(p, len, "does not run to the end");
	test_put32(p + OPT + 112 + 8 * PE_DIR_CERT, IMG_LEN + 4);
	test_put32(p + OPT + 112 + 8 * PE_DIR_CERT + 4, (uint32_t)extra - 4);
	expect(p, len, "not 8-byte aligned");
	test_put32(p + OPT + 112 + 8 * PE_DIR_CERT, 0x100);
	expect(p, len, "outside the file or in its headers");
	free(p);
}

TEST(null_arguments)
{
	struct pe_info pi;
	size_t n;

	CHECK_EQ(pe_parse(NULL, 10, &pi, NULL), -EINVAL);
	CHECK_EQ(pe_parse("MZ", 2, NULL, NULL), -EINVAL);
	CHECK_EQ(pe_check_layout(NULL, 0, NULL), -EINVAL);
	CHECK_EQ(pe_certs(NULL, 0, NULL, NULL, 0, &n, NULL), -EINVAL);
	CHECK(pe_section_at(NULL, 0) == NULL);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*len = buf != NULL ? (size_t)n : 0;
	fclose(f);
	return buf;
}

/* build/postmortem.bzImage: PE32+ and bzImage at once (boot/setup.asm). */
TEST(bzimage_layout)
{
	const char *path = getenv("PM_BZIMAGE") ? getenv("PM_BZIMAGE") : "build/postmortem.bzImage";
	size_t len, n = 1;
	uint8_t *p = read_file(path, &len);
	struct pe_info pi;
	const char *why = NULL;
	const struct pe_section *text, *reloc, *sbat;

	CHECK(p != NULL);
	if (p == NULL) {
		fprintf(stderr, "  %s missing (make builds it)\n", path);
		return;
	}
	CHECK_EQ(pe_parse(p, len, &pi, &why), 0);
	CHECK_EQ(pe_check_layout(&pi, len, &why), 0);	/* aligned, no overlap, no gap */
	if (why != NULL)
		fprintf(stderr, "  %s: %s\n", path, why);
	CHECK_EQ(pi.machine, PE_MACHINE_X64);
	CHECK_EQ(pi.subsystem, PE_SUBSYSTEM_EFI_APP);
	CHECK_EQ(pi.section_align, 4096);
	CHECK_EQ(pi.nsections, 3);
	sbat = &pi.sections[0];
	reloc = &pi.sections[1];
	text = &pi.sections[2];
	CHECK_STR(sbat->name, ".sbat");
	CHECK_STR(reloc->name, ".reloc");
	CHECK_STR(text->name, ".text");

	/* the Linux setup header, untouched by the PE header before it */
	uint32_t setup_sects = p[0x1F1], init_size, kernel_alignment;
	CHECK(memcmp(p + 0x202, "HdrS", 4) == 0);
	CHECK_EQ(p[0x206] | p[0x207] << 8, 0x020F);
	CHECK_EQ(p[0x1FE] | p[0x1FF] << 8, 0xAA55);
	memcpy(&init_size, p + 0x260, 4);
	memcpy(&kernel_alignment, p + 0x230, 4);
	/* the PE header and section table end before the setup header at 0x1F1 */
	CHECK(pi.pe_offset + 4 + 20 + 112 + 8 * pi.ndirs + 40 * pi.nsections <= 0x1F1);

	/* .text is the protected-mode part every other loader takes */
	CHECK_EQ(text->raw_offset, (setup_sects + 1) * 512);
	/* nothing after it but a signature (make sign) */
	CHECK_EQ(text->raw_offset + text->raw_size,
		 pi.dir_size[PE_DIR_CERT] ? pi.dir_rva[PE_DIR_CERT] : len);
	CHECK(text->flags & PE_SCN_MEM_EXECUTE);
	CHECK_EQ(text->rva % 4096, 0);				/* the image's page tables need it */
	CHECK_EQ(text->rva % kernel_alignment, 0);
	/* SizeOfImage covers .bss and .boot: init_size from the image's start */
	CHECK_EQ(text->virtual_size, init_size);
	CHECK(text->virtual_size >= text->raw_size);
	CHECK((uint64_t)text->rva + init_size <= pi.size_of_image);
	/* the entry point is inside the loaded bytes, not in .bss */
	CHECK(pi.entry >= text->rva && pi.entry < text->rva + text->raw_size);
	/* the 64-bit boot-protocol entry at image + 0x200 still starts with endbr64 */
	CHECK(memcmp(p + text->raw_offset + 0x200, "\xf3\x0f\x1e\xfa", 4) == 0);

	/* .reloc: one block, only ABSOLUTE (no-op) entries */
	CHECK_EQ(pi.dir_rva[PE_DIR_BASERELOC], reloc->rva);
	uint32_t block_rva, block_size;
	memcpy(&block_rva, p + reloc->raw_offset, 4);
	memcpy(&block_size, p + reloc->raw_offset + 4, 4);
	CHECK_EQ(block_size, pi.dir_size[PE_DIR_BASERELOC]);
	CHECK(block_rva < pi.size_of_image);
	for (uint32_t i = 8; i + 2 <= block_size; i += 2)
		CHECK_EQ(p[reloc->raw_offset + i + 1] >> 4, 0);
	/* .sbat: CSV, the format's own line first */
	CHECK(memcmp(p + sbat->raw_offset, "sbat,1,", 7) == 0);
	CHECK(sbat->virtual_size <= sbat->raw_size);
	CHECK(memchr(p + sbat->raw_offset, 0, sbat->virtual_size) == NULL);
	/* the build is unsigned (make sign signs a copy, which PM_BZIMAGE may name) */
	CHECK_EQ(pe_certs(p, len, &pi, NULL, 0, &n, NULL), 0);
	if (getenv("PM_BZIMAGE") == NULL)
		CHECK_EQ(n, 0);
	free(p);
}

TEST_MAIN(valid_image, header_rules, layout_rules, certificates, null_arguments, bzimage_layout)
