/*
 * elfcorehdr: the ELF core header a dying Linux kernel (kexec_file) or
 * kexec-tools (kexec_load) leaves for the crash kernel, the ELF notes its
 * PT_NOTEs point at, x86_64 NT_PRSTATUS and the VMCOREINFO text.
 *
 * Interface.  The crash kernel is told `elfcorehdr=<addr>`; the kernel
 * glue maps that memory and calls elfcorehdr_parse() on it, which checks
 * the ELF header and program headers and copies what a dump writer needs
 * into a caller-provided struct elfcorehdr.  The glue then maps each
 * PT_NOTE's physical range and walks it with elfcorehdr_note_next()
 * (formats/elf64.h, with the ELF structs and constants);
 * elfcorehdr_prstatus() decodes a "CORE"/NT_PRSTATUS desc and the
 * elfcorehdr_vmcoreinfo_*() calls read the "VMCOREINFO" desc.
 * Everything is pure: bytes in as (buf, len), no globals, no I/O, no
 * allocation, so the same file builds into the freestanding kernel,
 * tools/ and the host tests.  Input is read with memcpy into aligned
 * locals, so any alignment of buf works.  Pointers handed out point into
 * the caller's buffer, which must outlive them.  Physical addresses in the
 * header (PT_LOAD and PT_NOTE ranges) are only checked for wrapping: they
 * are the caller's to check against the e820 map and to map.
 *
 * The header (ELF-64 Object File Format 1.5; Linux kernel/crash_core.c
 * crash_prepare_elf64_headers(); kexec-tools kexec/crashdump-elf.c),
 * little-endian:
 *
 *   +0      Elf64_Ehdr   ET_CORE, EM_X86_64, e_phoff = 64, e_phentsize = 56
 *   +64     Elf64_Phdr   PT_NOTE  CPU 0 crash_notes   p_offset = p_paddr = phys
 *           ...          PT_NOTE  one per possible CPU (kexec-tools: per
 *                                 configured CPU), 368 bytes each
 *           Elf64_Phdr   PT_NOTE  VMCOREINFO note, VMCOREINFO_NOTE_SIZE
 *           Elf64_Phdr   PT_LOAD  kernel text: p_vaddr = _text (in the
 *                                 0xffffffff80000000 map), p_paddr = __pa
 *           Elf64_Phdr   PT_LOAD  one per RAM range: p_vaddr = __va(start)
 *           ...
 *
 * Quirks the reader keeps visible rather than hides:
 * - kexec-tools' backup region (REFERENCE B1): purgatory copies the first
 *   640 KiB of RAM into a backup segment inside the crash region, and the
 *   PT_LOAD for that range has p_offset = the copy's physical address, not
 *   p_paddr.  So struct elfcorehdr_load keeps both: dump bytes read from
 *   p_offset, dump headers describe p_paddr.  For every other PT_LOAD the
 *   two are equal.
 * - The kernel-text PT_LOAD aliases part of a RAM PT_LOAD by design (gdb
 *   wants the text mapping).  It is found by p_vaddr at or above
 *   ELFCOREHDR_X86_64_START_KERNEL_MAP, reported in kernel_text_index, and
 *   left out of the overlap check; any other physical overlap between
 *   PT_LOADs sets loads_overlap, which is information for the caller, not
 *   an error (both writers take ranges from resource lists that do not
 *   overlap, so it means an unusual or hostile header).
 * - The per-CPU notes are always "CORE"/NT_PRSTATUS followed by an all-zero
 *   12-byte header; a CPU that never saved its registers leaves an all-zero
 *   buffer.  The VMCOREINFO PT_NOTE is VMCOREINFO_NOTE_SIZE long (a page
 *   plus headers), larger than the note it holds; zeros follow the note.
 * - x86_64 VMCOREINFO does not carry the direct-map base (page_offset_base,
 *   randomised under CONFIG_RANDOMIZE_MEMORY); the RAM PT_LOADs do, as
 *   p_vaddr - p_paddr (elfcorehdr_loads_direct_map_base()).
 *
 * Errors: -EINVAL for a NULL argument or an unusable key; -ENOEXEC when
 * the bytes are not an x86_64 ELF64 little-endian core header; -E2BIG for
 * more program headers than ELFCOREHDR_MAX_PHDRS (PN_XNUM included);
 * -EBADMSG for anything malformed or truncated; -ENOENT for "not there";
 * -ERANGE for a number that does not fit; -EOVERFLOW for sizes that wrap.
 */
#ifndef FORMATS_ELFCOREHDR_H
#define FORMATS_ELFCOREHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/elf64.h"

/* x86_64 Linux virtual layout (arch/x86/include/asm/page_64_types.h). */
#define ELFCOREHDR_X86_64_START_KERNEL_MAP	0xffffffff80000000ull
#define ELFCOREHDR_X86_64_KERNEL_HALF		0xff00000000000000ull /* 5-level */
/* Direct-map bases without CONFIG_RANDOMIZE_MEMORY (Linux >= 4.20). */
#define ELFCOREHDR_X86_64_PAGE_OFFSET_L4	0xffff888000000000ull
#define ELFCOREHDR_X86_64_PAGE_OFFSET_L5	0xff11000000000000ull

/*
 * Limits.  Linux x86 allows NR_CPUS up to 8192 (MAXSMP), and sizes its
 * hotplug-updatable header for CRASH_MAX_MEMORY_RANGES = 8192 RAM ranges
 * (arch/x86/kernel/crash.c), so neither array truncates a header Linux can
 * write; VMCOREINFO is the PT_NOTE after every CPU's, so a smaller note
 * array would lose it first.  The program header table is capped for
 * sanity; e_phnum == PN_XNUM (extended numbering) is rejected, as no
 * crash-header writer uses it.
 */
#define ELFCOREHDR_MAX_PHDRS		16384
#define ELFCOREHDR_MAX_LOADS		8192
#define ELFCOREHDR_MAX_NOTES		8193
#define ELFCOREHDR_NO_INDEX		((size_t)-1)

/* ------------------------------------------------------- wire structs */

/*
 * x86_64 struct user_regs_struct (arch/x86/include/asm/user_64.h), which
 * is elf_gregset_t, ELF_NGREG = 27.  Offsets checked against glibc 2.36
 * <sys/user.h> on x86_64.
 */
struct elfcorehdr_user_regs {
	uint64_t r15;				/* 0x00 */
	uint64_t r14;				/* 0x08 */
	uint64_t r13;				/* 0x10 */
	uint64_t r12;				/* 0x18 */
	uint64_t rbp;				/* 0x20 */
	uint64_t rbx;				/* 0x28 */
	uint64_t r11;				/* 0x30 */
	uint64_t r10;				/* 0x38 */
	uint64_t r9;				/* 0x40 */
	uint64_t r8;				/* 0x48 */
	uint64_t rax;				/* 0x50 */
	uint64_t rcx;				/* 0x58 */
	uint64_t rdx;				/* 0x60 */
	uint64_t rsi;				/* 0x68 */
	uint64_t rdi;				/* 0x70 */
	uint64_t orig_rax;			/* 0x78 */
	uint64_t rip;				/* 0x80 */
	uint64_t cs;				/* 0x88 */
	uint64_t eflags;			/* 0x90 */
	uint64_t rsp;				/* 0x98 */
	uint64_t ss;				/* 0xa0 */
	uint64_t fs_base;			/* 0xa8 */
	uint64_t gs_base;			/* 0xb0 */
	uint64_t ds;				/* 0xb8 */
	uint64_t es;				/* 0xc0 */
	uint64_t fs;				/* 0xc8 */
	uint64_t gs;				/* 0xd0 */
};
_Static_assert(sizeof(struct elfcorehdr_user_regs) == 216, "user_regs_struct");
_Static_assert(offsetof(struct elfcorehdr_user_regs, rbp) == 0x20, "rbp");
_Static_assert(offsetof(struct elfcorehdr_user_regs, rax) == 0x50, "rax");
_Static_assert(offsetof(struct elfcorehdr_user_regs, orig_rax) == 0x78, "orig_rax");
_Static_assert(offsetof(struct elfcorehdr_user_regs, rip) == 0x80, "rip");
_Static_assert(offsetof(struct elfcorehdr_user_regs, cs) == 0x88, "cs");
_Static_assert(offsetof(struct elfcorehdr_user_regs, eflags) == 0x90, "eflags");
_Static_assert(offsetof(struct elfcorehdr_user_regs, rsp) == 0x98, "rsp");
_Static_assert(offsetof(struct elfcorehdr_user_regs, ss) == 0xa0, "ss");
_Static_assert(offsetof(struct elfcorehdr_user_regs, fs_base) == 0xa8, "fs_base");
_Static_assert(offsetof(struct elfcorehdr_user_regs, gs_base) == 0xb0, "gs_base");
_Static_assert(offsetof(struct elfcorehdr_user_regs, ds) == 0xb8, "ds");
_Static_assert(offsetof(struct elfcorehdr_user_regs, gs) == 0xd0, "gs");

/*
 * x86_64 struct elf_prstatus, the NT_PRSTATUS desc (Linux
 * include/linux/elfcore.h: elf_prstatus_common then pr_reg, pr_fpvalid).
 * Linux's crash_save_cpu() fills pr_pid and pr_reg only.  Offsets checked
 * against glibc 2.36 <sys/procfs.h> on x86_64 (sizeof 336, pr_pid 32,
 * pr_reg 112, pr_fpvalid 328); the timevals are two 64-bit words each.
 */
struct elfcorehdr_elf_prstatus {
	int32_t si_signo;			/* 0x00, pr_info */
	int32_t si_code;			/* 0x04 */
	int32_t si_errno;			/* 0x08 */
	int16_t pr_cursig;			/* 0x0c */
	uint8_t reserved0[2];			/* 0x0e, alignment */
	uint64_t pr_sigpend;			/* 0x10 */
	uint64_t pr_sighold;			/* 0x18 */
	int32_t pr_pid;				/* 0x20 */
	int32_t pr_ppid;			/* 0x24 */
	int32_t pr_pgrp;			/* 0x28 */
	int32_t pr_sid;				/* 0x2c */
	uint64_t pr_utime[2];			/* 0x30, tv_sec, tv_usec */
	uint64_t pr_stime[2];			/* 0x40 */
	uint64_t pr_cutime[2];			/* 0x50 */
	uint64_t pr_cstime[2];			/* 0x60 */
	struct elfcorehdr_user_regs pr_reg;	/* 0x70 */
	int32_t pr_fpvalid;			/* 0x148 */
	uint8_t reserved1[4];			/* 0x14c, alignment */
};
_Static_assert(sizeof(struct elfcorehdr_elf_prstatus) == 336, "elf_prstatus");
_Static_assert(offsetof(struct elfcorehdr_elf_prstatus, pr_cursig) == 0x0c, "pr_cursig");
_Static_assert(offsetof(struct elfcorehdr_elf_prstatus, pr_pid) == 0x20, "pr_pid");
_Static_assert(offsetof(struct elfcorehdr_elf_prstatus, pr_ppid) == 0x24, "pr_ppid");
_Static_assert(offsetof(struct elfcorehdr_elf_prstatus, pr_utime) == 0x30, "pr_utime");
_Static_assert(offsetof(struct elfcorehdr_elf_prstatus, pr_reg) == 0x70, "pr_reg");
_Static_assert(offsetof(struct elfcorehdr_elf_prstatus, pr_fpvalid) == 0x148, "pr_fpvalid");

/* ------------------------------------------------------- parsed header */

/* One PT_LOAD as the header gave it. */
struct elfcorehdr_load {
	uint64_t p_offset;	/* physical address to read the bytes from */
	uint64_t p_paddr;	/* physical address the bytes describe */
	uint64_t p_vaddr;	/* crashed kernel's virtual address */
	uint64_t p_filesz;	/* bytes present at p_offset */
	uint64_t p_memsz;	/* bytes described; >= p_filesz */
	uint32_t p_flags;	/* ELF64_PF_* */
};

/* One PT_NOTE: a buffer of notes at a physical address. */
struct elfcorehdr_note_segment {
	uint64_t p_offset;	/* physical address of the notes */
	uint64_t p_filesz;	/* bytes; the notes may end earlier */
};

/*
 * What elfcorehdr_parse() found.  loads[] and notes[] are in header
 * order; past MAX_LOADS / MAX_NOTES entries the rest are counted in
 * phdr_count only and the truncated flag is set.  other_count counts
 * program headers of other types (PT_NULL and unknown), which are skipped.
 */
struct elfcorehdr {
	uint16_t e_phnum;
	uint64_t e_phoff;
	size_t phdr_count;		/* program headers checked */
	size_t other_count;
	size_t error_offset;		/* bad phdr's offset; 0: the Ehdr */

	struct elfcorehdr_load loads[ELFCOREHDR_MAX_LOADS];
	size_t load_count;
	bool loads_truncated;
	bool loads_overlap;		/* two non-text loads share p_paddr bytes */
	size_t kernel_text_index;	/* into loads[], or ELFCOREHDR_NO_INDEX */

	struct elfcorehdr_note_segment notes[ELFCOREHDR_MAX_NOTES];
	size_t note_count;
	bool notes_truncated;
};

/*
 * Check the ELF core header in buf[0..len) and fill *out.
 * Checks: e_ident (ELFMAG, ELFCLASS64, ELFDATA2LSB, EV_CURRENT), e_version,
 * e_type ET_CORE and e_machine EM_X86_64 (else -ENOEXEC); len >= 64,
 * e_phentsize == 56 and, unless e_phnum is 0, the table after the Ehdr
 * and inside len (else -EBADMSG); e_phnum <=
 * ELFCOREHDR_MAX_PHDRS (else -E2BIG).  Each PT_LOAD must have p_filesz <=
 * p_memsz and neither [p_paddr, +p_memsz), [p_vaddr, +p_memsz) nor
 * [p_offset, +p_filesz) may wrap past 2^64 (a range may end exactly
 * there); each PT_NOTE's [p_offset, +p_filesz) may not wrap (-EBADMSG).
 * Returns 0 on success.  On error *out (unless NULL) holds the header
 * fields and the loads and notes of the program headers before the bad
 * one, error_offset is the bad one's offset in buf (0 when the Ehdr is at
 * fault), and loads_overlap / kernel_text_index are not computed.
 */
int elfcorehdr_parse(const void *buf, size_t len, struct elfcorehdr *out);

/*
 * The crashed kernel's direct-map base from the RAM PT_LOADs, which both
 * writers give p_vaddr = __va(p_paddr): every load whose p_vaddr lies in
 * [ELFCOREHDR_X86_64_KERNEL_HALF, ELFCOREHDR_X86_64_START_KERNEL_MAP) must
 * give the same p_vaddr - p_paddr, which must itself lie in that window.
 * Returns 0 and *base; -ENOENT when no load qualifies; -EBADMSG when they
 * disagree or the base is outside the window (*base untouched).
 */
int elfcorehdr_loads_direct_map_base(const struct elfcorehdr *hdr, uint64_t *base);

/* ----------------------------------------------------------- prstatus */

/* What elfcorehdr_prstatus() takes from an x86_64 struct elf_prstatus. */
struct elfcorehdr_prstatus {
	int32_t pid;			/* the task running on that CPU */
	int16_t cursig;
	struct elfcorehdr_user_regs regs;
};

/*
 * Decode an NT_PRSTATUS desc of len bytes (>= 336; a longer desc is read
 * for its first 336 bytes).  Returns 0; -EBADMSG when len < 336 (*out
 * untouched); -EINVAL for NULL arguments.
 */
int elfcorehdr_prstatus(const void *desc, size_t len, struct elfcorehdr_prstatus *out);

/* --------------------------------------------------------- VMCOREINFO */

/*
 * VMCOREINFO is ASCII "KEY=value\n" lines (Linux kernel/vmcore_info.c,
 * include/linux/vmcore_info.h, arch/x86/kernel/vmcore_info_64.c).  The
 * text ends at len or at the first NUL, whichever comes first; the last
 * line may lack its newline.
 *
 * Find the first line that starts with exactly key followed by '=' and
 * return its value (no newline) as a pointer into text and a length.
 * Returns 0; -ENOENT when no line matches (*value, *value_len untouched);
 * -EINVAL for NULL arguments or a key that is empty or holds '=', '\n' or
 * NUL.
 */
int elfcorehdr_vmcoreinfo_get(const char *text, size_t len, const char *key,
			      const char **value, size_t *value_len);

/*
 * The value of key as a number, in the base Linux prints it with:
 *   - a value starting "0x" is hexadecimal (NUMBER(VMALLOC_START)=0x%lx);
 *   - keys "SYMBOL(...)" and "KERNELOFFSET" are bare hexadecimal (%lx);
 *   - everything else is decimal: PAGESIZE=%ld, NUMBER(...)=%ld (so a
 *     negative long such as an old PAGE_BUDDY_MAPCOUNT_VALUE prints "-129"),
 *     SIZE/OFFSET/LENGTH(...)=%lu, CRASHTIME=%lld.  A leading '-' is
 *     accepted for decimal values and yields the two's complement.
 * Returns 0 and *out; -ENOENT when the key is absent; -EBADMSG when the
 * value is empty or holds a character that is not a digit of its base;
 * -ERANGE when it does not fit 64 bits (below INT64_MIN when negative);
 * -EINVAL as elfcorehdr_vmcoreinfo_get().  *out is untouched on error.
 */
int elfcorehdr_vmcoreinfo_u64(const char *text, size_t len, const char *key,
			      uint64_t *out);

/*
 * The crashed kernel's direct-map base as VMCOREINFO states it.  Rule:
 * only an explicit NUMBER(page_offset_base) line counts (decimal as
 * VMCOREINFO_NUMBER() would print the unsigned long, so usually negative,
 * or 0x hex), and its value must lie in [ELFCOREHDR_X86_64_KERNEL_HALF,
 * ELFCOREHDR_X86_64_START_KERNEL_MAP).  Mainline x86_64 Linux writes no
 * such line (arch/x86/kernel/vmcore_info_64.c exports phys_base,
 * init_top_pgt, pgtable_l5_enabled, KERNELOFFSET, KERNEL_IMAGE_SIZE and
 * sme_mask), and nothing else in VMCOREINFO fixes the base: with
 * CONFIG_RANDOMIZE_MEMORY it is randomised independently of KERNELOFFSET.
 * So for Linux this returns -ENOENT and callers should use
 * elfcorehdr_loads_direct_map_base(); the PAGE_OFFSET_L4/L5 defaults hold
 * only for kernels booted without memory randomisation.
 * Returns 0 and *base; -ENOENT when absent; -EBADMSG or -ERANGE for a
 * value elfcorehdr_vmcoreinfo_u64() refuses; -ERANGE for one outside the
 * window; -EINVAL for NULL arguments.  *base is untouched on error.
 */
int elfcorehdr_direct_map_base(const char *text, size_t len, uint64_t *base);

#endif
