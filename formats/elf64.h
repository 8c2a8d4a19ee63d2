/*
 * elf64: the ELF-64 structures every ELF reader and writer of the tree
 * shares (ELF-64 Object File Format 1.5; Linux include/uapi/linux/elf.h):
 * the file header, the program header, the note header, the constants
 * they hold, and the walker over a buffer of notes.
 *
 * Users: the kexec elfcorehdr reader (formats/elfcorehdr.c), the dump
 * core writer and reader (formats/elfcore.c, formats/elfcore_read.c), the
 * host tool's vmcore expansion and inspect (tools/), the kernel's dump
 * step (through elfcorehdr.h / elfcore.h, which include this).
 *
 * Wire structs are little-endian (ELFDATA2LSB, all postmortem reads and
 * writes) and are copied in and out with memcpy, never cast onto a buffer,
 * so any alignment works.  The note walker keeps the elfcorehdr_ names of
 * its first user, the kexec header reader.
 *
 * Pure: no globals, no I/O, no allocation; freestanding headers only.
 */
#ifndef FORMATS_ELF64_H
#define FORMATS_ELF64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------ constants (gABI) */

#define ELF64_EI_NIDENT		16
#define ELF64_EI_CLASS		4
#define ELF64_EI_DATA		5
#define ELF64_EI_VERSION	6
#define ELF64_ELFMAG		"\177ELF"
#define ELF64_SELFMAG		4
#define ELF64_ELFCLASS64	2
#define ELF64_ELFDATA2LSB	1
#define ELF64_EV_CURRENT	1
#define ELF64_ET_CORE		4
#define ELF64_EM_X86_64		62
#define ELF64_PN_XNUM		0xffff	/* real count in section 0 */

#define ELF64_PT_NULL		0
#define ELF64_PT_LOAD		1
#define ELF64_PT_NOTE		4
#define ELF64_PF_X		0x1
#define ELF64_PF_W		0x2
#define ELF64_PF_R		0x4

#define ELF64_NOTE_ALIGN	4	/* name and desc padding */
#define ELF64_NT_PRSTATUS	1	/* with name "CORE" */
#define ELF64_NT_VMCOREINFO	0	/* with name "VMCOREINFO" */
#define ELF64_NOTE_NAME_CORE	"CORE"
#define ELF64_NOTE_NAME_VMCOREINFO "VMCOREINFO"

/* ---------------------------------------------------------- wire structs */

/* Section 3, the file header. */
struct elf64_ehdr {
	uint8_t e_ident[ELF64_EI_NIDENT];	/* 0x00 */
	uint16_t e_type;			/* 0x10 */
	uint16_t e_machine;			/* 0x12 */
	uint32_t e_version;			/* 0x14 */
	uint64_t e_entry;			/* 0x18 */
	uint64_t e_phoff;			/* 0x20 */
	uint64_t e_shoff;			/* 0x28 */
	uint32_t e_flags;			/* 0x30 */
	uint16_t e_ehsize;			/* 0x34 */
	uint16_t e_phentsize;			/* 0x36 */
	uint16_t e_phnum;			/* 0x38 */
	uint16_t e_shentsize;			/* 0x3a */
	uint16_t e_shnum;			/* 0x3c */
	uint16_t e_shstrndx;			/* 0x3e */
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr");
_Static_assert(offsetof(struct elf64_ehdr, e_type) == 0x10, "e_type");
_Static_assert(offsetof(struct elf64_ehdr, e_machine) == 0x12, "e_machine");
_Static_assert(offsetof(struct elf64_ehdr, e_version) == 0x14, "e_version");
_Static_assert(offsetof(struct elf64_ehdr, e_phoff) == 0x20, "e_phoff");
_Static_assert(offsetof(struct elf64_ehdr, e_flags) == 0x30, "e_flags");
_Static_assert(offsetof(struct elf64_ehdr, e_phentsize) == 0x36, "e_phentsize");
_Static_assert(offsetof(struct elf64_ehdr, e_phnum) == 0x38, "e_phnum");

/* Section 6, a program header table entry. */
struct elf64_phdr {
	uint32_t p_type;			/* 0x00 */
	uint32_t p_flags;			/* 0x04 */
	uint64_t p_offset;			/* 0x08 */
	uint64_t p_vaddr;			/* 0x10 */
	uint64_t p_paddr;			/* 0x18 */
	uint64_t p_filesz;			/* 0x20 */
	uint64_t p_memsz;			/* 0x28 */
	uint64_t p_align;			/* 0x30 */
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr");
_Static_assert(offsetof(struct elf64_phdr, p_flags) == 0x04, "p_flags");
_Static_assert(offsetof(struct elf64_phdr, p_offset) == 0x08, "p_offset");
_Static_assert(offsetof(struct elf64_phdr, p_vaddr) == 0x10, "p_vaddr");
_Static_assert(offsetof(struct elf64_phdr, p_paddr) == 0x18, "p_paddr");
_Static_assert(offsetof(struct elf64_phdr, p_filesz) == 0x20, "p_filesz");
_Static_assert(offsetof(struct elf64_phdr, p_memsz) == 0x28, "p_memsz");

/* Section 8, a note header; name, then desc, each padded to 4. */
struct elf64_nhdr {
	uint32_t n_namesz;			/* 0x00, NUL included */
	uint32_t n_descsz;			/* 0x04 */
	uint32_t n_type;			/* 0x08 */
};
_Static_assert(sizeof(struct elf64_nhdr) == 12, "Elf64_Nhdr");
_Static_assert(offsetof(struct elf64_nhdr, n_type) == 0x08, "n_type");

/*
 * The e_ident of an ELF64 little-endian file of the current version:
 * magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT.
 */
static inline bool elf64_ident_ok(const struct elf64_ehdr *eh)
{
	const uint8_t *id = eh->e_ident;

	return id[0] == 0x7f && id[1] == 'E' && id[2] == 'L' && id[3] == 'F' &&
	       id[ELF64_EI_CLASS] == ELF64_ELFCLASS64 &&
	       id[ELF64_EI_DATA] == ELF64_ELFDATA2LSB &&
	       id[ELF64_EI_VERSION] == ELF64_EV_CURRENT;
}

/* An x86_64 core file: elf64_ident_ok(), e_version, ET_CORE, EM_X86_64. */
static inline bool elf64_is_x86_64_core(const struct elf64_ehdr *eh)
{
	return elf64_ident_ok(eh) && eh->e_version == ELF64_EV_CURRENT &&
	       eh->e_type == ELF64_ET_CORE && eh->e_machine == ELF64_EM_X86_64;
}

/* n rounded up to the note padding (4); 32-bit sizes in 64 bits cannot wrap. */
static inline uint64_t elf64_note_align(uint64_t n)
{
	return (n + (ELF64_NOTE_ALIGN - 1)) & ~(uint64_t)(ELF64_NOTE_ALIGN - 1);
}

/* ----------------------------------------------------------------- notes */

/*
 * One note.  name is NULL when n_namesz is 0; otherwise it is a C string
 * inside buf (n_namesz bytes, the last a NUL) and name_len counts the
 * bytes before its first NUL.  desc is NULL when desc_len is 0.
 */
struct elfcorehdr_note {
	size_t offset;			/* of the note header in buf */
	const char *name;
	size_t name_len;
	uint32_t type;
	const void *desc;
	size_t desc_len;
};

/*
 * Read the note at buf + *cursor (start with *cursor = 0) and advance
 * *cursor past its padded desc.  Returns 0 and *out; -ENOENT at the end:
 * *cursor == len, an all-zero 12-byte header (Linux's final_note()), or
 * fewer than 12 bytes left that are all zero (padding); -EBADMSG when the
 * header, the name padded to 4 or the desc padded to 4 would pass len, the
 * name's last byte is not NUL, or fewer than 12 non-zero bytes are left;
 * -EINVAL for NULL arguments or *cursor > len.  *cursor moves only on 0.
 * A header with n_namesz 0 but another field set is a nameless note, not
 * the end (Linux's /proc/vmcore would stop there; we keep reading).
 */
int elfcorehdr_note_next(const void *buf, size_t len, size_t *cursor,
			 struct elfcorehdr_note *out);

/* True when the note's name is exactly `name` and its type is `type`. */
bool elfcorehdr_note_is(const struct elfcorehdr_note *note, const char *name,
			uint32_t type);

/*
 * Size of a note with a namesz-byte name (NUL included) and a descsz-byte
 * desc: 12 + namesz and descsz each rounded up to 4.  Returns 0 and
 * *total; -EOVERFLOW when namesz or descsz does not fit the 32-bit header
 * field or the sum does not fit size_t; -EINVAL when total is NULL.
 */
int elfcorehdr_note_size(size_t namesz, size_t descsz, size_t *total);

#endif
