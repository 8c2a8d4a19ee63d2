/*
 * elfcore reader: checks an ELF core file (ours, or any x86_64 ELF64 core
 * such as a copy of /proc/vmcore), iterates its PT_LOADs and notes, and
 * maps a physical address to its bytes.  Interface: formats/elfcore.h.
 * Used by `postmortem inspect`, `postmortem recv` and the tests.
 *
 * Pure module: no globals, no I/O, no allocation.  The file is hostile:
 * program headers are copied into aligned locals with memcpy, each range
 * is checked for wrapping once in elfcore_read(), and every offset is
 * compared with the file's length before a byte at it is handed out, so a
 * truncated file is read as far as it goes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/elfcore.h"
#include "formats/elf64.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

#define ELFCORE_EHDR	sizeof(struct elf64_ehdr)
#define ELFCORE_PHDR	sizeof(struct elf64_phdr)

/* True when [start, start + size) passes 2^64; ending exactly there is fine. */
static bool elfcore_wraps(uint64_t start, uint64_t size)
{
	return size != 0 && start + (size - 1) < start;
}

static void elfcore_phdr_at(const struct elfcore_info *info, size_t i,
			    struct elf64_phdr *ph)
{
	memcpy(ph, info->file + info->phoff + i * ELFCORE_PHDR, sizeof(*ph));
}

/* Does [off, off + n) pass the end of the file? */
static bool elfcore_past(const struct elfcore_info *info, uint64_t off, uint64_t n)
{
	return off > info->len || n > info->len - off;
}

static uint64_t elfcore_sat_add(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* Check the Ehdr; the table must lie after it and inside len. */
static int elfcore_check_ehdr(const struct elf64_ehdr *eh, size_t len)
{
	if (!elf64_is_x86_64_core(eh))
		return -ENOEXEC;
	if (eh->e_phentsize != ELFCORE_PHDR || eh->e_phnum == ELF64_PN_XNUM)
		return -EBADMSG;
	if (eh->e_phnum != 0 && (eh->e_phoff < ELFCORE_EHDR || eh->e_phoff > len ||
				 (len - eh->e_phoff) / ELFCORE_PHDR < eh->e_phnum))
		return -EBADMSG;
	return 0;
}

/* Check one program header and count it into *out. */
static int elfcore_check_phdr(const struct elf64_phdr *ph, struct elfcore_info *out)
{
	if (ph->p_type == ELF64_PT_LOAD) {
		if (ph->p_filesz > ph->p_memsz || elfcore_wraps(ph->p_paddr, ph->p_memsz) ||
		    elfcore_wraps(ph->p_offset, ph->p_filesz))
			return -EBADMSG;
		out->load_count++;
		out->mem_bytes = elfcore_sat_add(out->mem_bytes, ph->p_memsz);
		out->file_bytes = elfcore_sat_add(out->file_bytes, ph->p_filesz);
	} else if (ph->p_type == ELF64_PT_NOTE) {
		if (elfcore_wraps(ph->p_offset, ph->p_filesz))
			return -EBADMSG;
		out->note_count++;
	} else {
		return 0;
	}
	if (elfcore_past(out, ph->p_offset, ph->p_filesz))
		out->truncated = true;
	return 0;
}

int elfcore_read(const void *file, size_t len, struct elfcore_info *out)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	int err;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (file == NULL)
		return -EINVAL;
	if (len < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, file, sizeof(eh));
	err = elfcore_check_ehdr(&eh, len);
	if (err != 0)
		return err;
	out->file = file;
	out->len = len;
	out->phoff = eh.e_phoff;
	out->phnum = eh.e_phnum;
	out->e_flags = eh.e_flags;
	out->incomplete = (eh.e_flags & ELFCORE_EF_INCOMPLETE) != 0;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		elfcore_phdr_at(out, i, &ph);
		err = elfcore_check_phdr(&ph, out);
		if (err != 0) {
			memset(out, 0, sizeof(*out));
			return err;
		}
	}
	return 0;
}

int elfcore_load_next(const struct elfcore_info *info, size_t *cursor,
		      struct elfcore_segment *out)
{
	struct elf64_phdr ph;

	if (info == NULL || cursor == NULL || out == NULL)
		return -EINVAL;
	for (; *cursor < info->phnum; (*cursor)++) {
		elfcore_phdr_at(info, *cursor, &ph);
		if (ph.p_type != ELF64_PT_LOAD)
			continue;
		out->paddr = ph.p_paddr;
		out->vaddr = ph.p_vaddr;
		out->read_from = ph.p_paddr;
		out->memsz = ph.p_memsz;
		out->filesz = ph.p_filesz;
		out->file_offset = ph.p_offset;
		out->range = (*cursor)++;
		return 0;
	}
	return -ENOENT;
}

int elfcore_note_next(const struct elfcore_info *info, struct elfcore_note_cursor *c,
		      struct elfcorehdr_note *out)
{
	struct elf64_phdr ph;
	uint64_t avail;
	int err;

	if (info == NULL || c == NULL || out == NULL || info->file == NULL)
		return -EINVAL;
	for (; c->phdr < info->phnum; c->phdr++, c->off = 0) {
		elfcore_phdr_at(info, c->phdr, &ph);
		if (ph.p_type != ELF64_PT_NOTE)
			continue;
		/* Only the bytes the file has; a cut short PT_NOTE is an error. */
		avail = ph.p_offset >= info->len ? 0 : info->len - ph.p_offset;
		avail = avail < ph.p_filesz ? avail : ph.p_filesz;
		if (c->off > avail)
			return -EINVAL;
		err = elfcorehdr_note_next(avail != 0 ? info->file + ph.p_offset : info->file,
					   (size_t)avail, &c->off, out);
		if (err == 0)
			return 0;
		if (err == -ENOENT && avail == ph.p_filesz)
			continue;
		c->phdr++;
		c->off = 0;
		return -EBADMSG;
	}
	return -ENOENT;
}

int elfcore_find_paddr(const struct elfcore_info *info, uint64_t paddr,
		       struct elfcore_where *out)
{
	struct elf64_phdr ph;
	uint64_t delta;

	if (info == NULL || out == NULL)
		return -EINVAL;
	for (size_t i = 0; i < info->phnum; i++) {
		elfcore_phdr_at(info, i, &ph);
		if (ph.p_type != ELF64_PT_LOAD || paddr < ph.p_paddr ||
		    paddr - ph.p_paddr >= ph.p_memsz)
			continue;
		delta = paddr - ph.p_paddr;
		out->phdr = i;
		if (delta >= ph.p_filesz) {
			out->kind = ELFCORE_WHERE_ZERO;
			out->file_offset = 0;
			out->avail = ph.p_memsz - delta;
			return 0;
		}
		out->kind = ELFCORE_WHERE_FILE;
		out->file_offset = ph.p_offset + delta;	/* checked: no wrap */
		out->avail = ph.p_filesz - delta;
		if (out->file_offset >= info->len)
			return -ENODATA;
		if (out->avail > info->len - out->file_offset)
			out->avail = info->len - out->file_offset;
		return 0;
	}
	return -ENOENT;
}

int elfcore_mark_incomplete(void *file, size_t len)
{
	struct elf64_ehdr eh;

	if (file == NULL || len < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, file, sizeof(eh));
	if (memcmp(eh.e_ident, ELF64_ELFMAG, ELF64_SELFMAG) != 0 ||
	    eh.e_ident[ELF64_EI_CLASS] != ELF64_ELFCLASS64 ||
	    eh.e_ident[ELF64_EI_DATA] != ELF64_ELFDATA2LSB)
		return -ENOEXEC;
	eh.e_flags |= ELFCORE_EF_INCOMPLETE;
	memcpy(file, &eh, sizeof(eh));
	return 0;
}
