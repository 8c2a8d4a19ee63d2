/*
 * PE/COFF images (PE32+), as UEFI loads them and as Authenticode signs
 * them: the reader behind the layout check of build/postmortem.bzImage
 * (which is a PE32+ EFI application as well as a bzImage: boot/setup.asm)
 * and behind `postmortem load`'s look at an image before kexec_file_load.
 *
 * Interface.  pe_parse() takes the whole file as (buf, len) and decodes
 * the headers a loader reads first: the MS-DOS header's e_lfanew, the PE
 * signature, the COFF file header, the PE32+ optional header with its data
 * directories, and the section table.  pe_check_layout() then applies the
 * rules an image must keep for loaders and signers to agree on it (below).
 * pe_certs() walks the certificate table (the signatures).  Each returns 0
 * or -EBADMSG with a static sentence in *why (why may be NULL); nothing is
 * printed or allocated, so the module is pure and builds into the kernel,
 * tools/postmortem, the unit tests and the fuzzer.  The file is untrusted:
 * every offset is compared with what is left of it before it is used.
 *
 * Sources: Microsoft "PE Format" (PE/COFF specification 11): 2 the MS-DOS
 * stub, 3.3 the COFF file header, 3.4 the optional header (3.4.3 data
 * directories), 4 the section table, 5.7 the attribute certificate table;
 * "Windows Authenticode Portable Executable Signature Format" 1.0 (what
 * the digest covers); UEFI 2.10 section 2.1.1 (EFI images are PE32+ with
 * Subsystem 10..13) and 32.2.4 (signed images).
 *
 * pe_parse() rules (what any loader needs):
 *   - "MZ" at 0; e_lfanew (u32 at 0x3C) >= 0x40, with the 4-byte "PE\0\0"
 *     signature, the 20-byte file header and the optional header inside
 *     the file;
 *   - optional header Magic 0x20B (PE32+); SizeOfOptionalHeader >= 112 +
 *     8 * NumberOfRvaAndSizes, NumberOfRvaAndSizes <= 16;
 *   - the section table (40 bytes a section, PE_MAX_SECTIONS at most)
 *     right after the optional header, inside the file and inside
 *     SizeOfHeaders; SizeOfHeaders <= file size;
 *   - the certificate table entry (data directory 4), when not zero: a
 *     file offset (not an RVA), inside the file, at or after SizeOfHeaders.
 *
 * pe_check_layout() rules (an image that loads the same everywhere and
 * whose Authenticode digest covers every byte a loader uses):
 *   - FileAlignment a power of 2 from 512 to 64 KiB; SectionAlignment a
 *     power of 2 >= FileAlignment; SizeOfHeaders a multiple of
 *     FileAlignment, SizeOfImage of SectionAlignment;
 *   - each section: VirtualAddress a multiple of SectionAlignment and at
 *     or above SizeOfHeaders; PointerToRawData and SizeOfRawData multiples
 *     of FileAlignment; raw data inside the file and before the
 *     certificate table; its memory (VirtualAddress + the larger of
 *     VirtualSize and SizeOfRawData) inside SizeOfImage;
 *   - sections in ascending VirtualAddress order, no two overlapping in
 *     memory (each ends, rounded up to SectionAlignment, before the next
 *     begins) nor in the file;
 *   - the raw data of the sections tiles the file from SizeOfHeaders on
 *     without a gap (a gap would be outside the digest), and ends where
 *     the certificate table begins, or at the end of an unsigned file;
 *   - the certificate table, when present, is 8-byte aligned and runs to
 *     the end of the file (sbsign and pesign append it there);
 *   - AddressOfEntryPoint inside a section marked executable; the base
 *     relocation directory (entry 5), when not empty, inside a section.
 */
#ifndef FORMATS_PE_H
#define FORMATS_PE_H

#include <stddef.h>
#include <stdint.h>

#define PE_MZ_SIZE		0x40	/* the MS-DOS header; e_lfanew at 0x3C */
#define PE_LFANEW		0x3C
#define PE_FILE_HEADER_SIZE	20	/* after the 4-byte signature */
#define PE_OPT_FIXED_SIZE	112	/* PE32+ optional header up to the data directories */
#define PE_SECTION_SIZE		40
#define PE_MAX_DIRS		16
#define PE_MAX_SECTIONS		16	/* more is refused: ours has 3, Linux's 4 */

#define PE_MAGIC_PE32PLUS	0x20B
#define PE_MACHINE_X64		0x8664
#define PE_SUBSYSTEM_EFI_APP	10

/* Data directory indices (3.4.3). */
#define PE_DIR_CERT		4	/* file offset and size of the certificate table */
#define PE_DIR_BASERELOC	5

/* Section Characteristics (4.1). */
#define PE_SCN_CNT_CODE		0x00000020u
#define PE_SCN_MEM_EXECUTE	0x20000000u
#define PE_SCN_MEM_READ		0x40000000u
#define PE_SCN_MEM_WRITE	0x80000000u

/* WIN_CERTIFICATE (5.7): dwLength, wRevision, wCertificateType, then the data. */
#define PE_WIN_CERT_HEADER	8
#define PE_WIN_CERT_REVISION_2	0x0200
#define PE_WIN_CERT_TYPE_PKCS7	0x0002	/* WIN_CERT_TYPE_PKCS_SIGNED_DATA: Authenticode */

struct pe_section {
	char name[9];			/* NUL-terminated copy of the 8-byte name */
	uint32_t virtual_size;
	uint32_t rva;			/* VirtualAddress */
	uint32_t raw_size;		/* SizeOfRawData */
	uint32_t raw_offset;		/* PointerToRawData */
	uint32_t flags;			/* Characteristics */
};

struct pe_info {
	uint32_t pe_offset;		/* e_lfanew */
	uint16_t machine;
	uint16_t characteristics;	/* file header Characteristics */
	uint16_t subsystem;
	uint16_t dll_characteristics;
	uint32_t entry;			/* AddressOfEntryPoint (RVA) */
	uint64_t image_base;
	uint32_t section_align, file_align;
	uint32_t size_of_image, size_of_headers;
	uint32_t ndirs;			/* NumberOfRvaAndSizes */
	uint32_t dir_rva[PE_MAX_DIRS], dir_size[PE_MAX_DIRS];	/* zero past ndirs */
	/* file offsets of the two fields Authenticode leaves out of its digest */
	uint32_t checksum_offset;	/* CheckSum (4 bytes) */
	uint32_t cert_dir_offset;	/* data directory 4 (8 bytes); 0 if ndirs <= 4 */
	uint32_t nsections;
	struct pe_section sections[PE_MAX_SECTIONS];
};

/* Decode the headers (the pe_parse() rules).  0, -EINVAL (NULL), -EBADMSG. */
int pe_parse(const void *buf, size_t len, struct pe_info *out, const char **why);

/* The layout rules above, over an image pe_parse() accepted from the same len bytes. */
int pe_check_layout(const struct pe_info *pi, size_t len, const char **why);

/* The section holding rva (RVA inside its VirtualSize or SizeOfRawData), or NULL. */
const struct pe_section *pe_section_at(const struct pe_info *pi, uint32_t rva);

/* One entry of the certificate table, as pe_certs() reports it. */
struct pe_cert {
	uint32_t offset;		/* file offset of the WIN_CERTIFICATE */
	uint32_t length;		/* dwLength, its 8-byte header included */
	uint16_t revision, type;
};

/*
 * Walk the certificate table of a parsed image: each WIN_CERTIFICATE must
 * have dwLength >= 8 and inside the table; the next starts at the next
 * multiple of 8 (5.7.1).  Fills up to max entries of certs (certs may be
 * NULL with max 0 to count only) and sets *count to how many there are.
 * An image without a table has 0.  0, -EINVAL, -EBADMSG.
 */
int pe_certs(const void *buf, size_t len, const struct pe_info *pi, struct pe_cert *certs,
	     size_t max, size_t *count, const char **why);

#endif
