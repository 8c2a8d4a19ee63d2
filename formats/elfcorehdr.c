/*
 * elfcorehdr reader: checks the ELF core header the crashed kernel (or
 * kexec-tools) left at elfcorehdr=, walks the ELF notes its PT_NOTEs point
 * at, decodes x86_64 NT_PRSTATUS and looks keys up in VMCOREINFO text.
 * Interface, layout and quirks: formats/elfcorehdr.h.
 *
 * Pure module: no globals, no I/O, no allocation; the same file builds into
 * the freestanding kernel, tools/ and the host tests.  Everything it reads
 * comes from the crashed system and is hostile: each length is checked
 * against what remains before a byte is read, sums are checked for
 * wrapping, program headers are walked by the declared e_phentsize, and
 * fields are read by memcpy into aligned locals, never through a cast
 * pointer into the caller's buffer.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/elfcorehdr.h"

/* memcpy into wire structs reads little-endian fields as the host's. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

/* ------------------------------------------------------------- header */

/* True when [start, start + size) passes 2^64; ending exactly there is fine. */
static bool elfcorehdr_wraps(uint64_t start, uint64_t size)
{
	return size != 0 && start + (size - 1) < start;
}

/* Check the Ehdr and that the program header table lies inside len. */
static int elfcorehdr_check_ehdr(const struct elf64_ehdr *eh, size_t len)
{
	if (!elf64_is_x86_64_core(eh))
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return -EBADMSG;
	if (eh->e_phnum == ELF64_PN_XNUM || eh->e_phnum > ELFCOREHDR_MAX_PHDRS)
		return -E2BIG;
	if (eh->e_phnum == 0)
		return 0;
	/* The table may not overlap the Ehdr nor pass len. */
	if (eh->e_phoff < sizeof(*eh) || eh->e_phoff > len ||
	    (len - eh->e_phoff) / eh->e_phentsize < eh->e_phnum)
		return -EBADMSG;
	return 0;
}

/* A PT_LOAD: check it completely, then record it unless the array is full. */
static int elfcorehdr_add_load(const struct elf64_phdr *ph,
			       struct elfcorehdr *out)
{
	struct elfcorehdr_load *l;

	if (ph->p_filesz > ph->p_memsz ||
	    elfcorehdr_wraps(ph->p_paddr, ph->p_memsz) ||
	    elfcorehdr_wraps(ph->p_vaddr, ph->p_memsz) ||
	    elfcorehdr_wraps(ph->p_offset, ph->p_filesz))
		return -EBADMSG;
	if (out->load_count == ELFCOREHDR_MAX_LOADS) {
		out->loads_truncated = true;
		return 0;
	}
	l = &out->loads[out->load_count++];
	l->p_offset = ph->p_offset;
	l->p_paddr = ph->p_paddr;
	l->p_vaddr = ph->p_vaddr;
	l->p_filesz = ph->p_filesz;
	l->p_memsz = ph->p_memsz;
	l->p_flags = ph->p_flags;
	return 0;
}

/* A PT_NOTE: p_offset is the notes' physical address, p_filesz their size. */
static int elfcorehdr_add_note(const struct elf64_phdr *ph,
			       struct elfcorehdr *out)
{
	struct elfcorehdr_note_segment *n;

	if (elfcorehdr_wraps(ph->p_offset, ph->p_filesz))
		return -EBADMSG;
	if (out->note_count == ELFCOREHDR_MAX_NOTES) {
		out->notes_truncated = true;
		return 0;
	}
	n = &out->notes[out->note_count++];
	n->p_offset = ph->p_offset;
	n->p_filesz = ph->p_filesz;
	return 0;
}

static bool elfcorehdr_is_text(const struct elfcorehdr_load *l)
{
	return l->p_vaddr >= ELFCOREHDR_X86_64_START_KERNEL_MAP;
}

/* Loads that take part in the overlap check: non-empty, not kernel text. */
static bool elfcorehdr_is_ram(const struct elfcorehdr_load *l)
{
	return l->p_memsz != 0 && !elfcorehdr_is_text(l);
}

/* Last byte of a load's physical range; elfcorehdr_add_load() saw no wrap. */
static uint64_t elfcorehdr_last(const struct elfcorehdr_load *l)
{
	return l->p_paddr + (l->p_memsz - 1);
}

/*
 * Do two RAM loads share physical bytes?  Both writers emit loads in
 * ascending p_paddr order, where a linear pass over neighbours decides it:
 * sorted starts, each after the previous range's last byte, are disjoint.
 * Any other order falls back to comparing every pair.
 */
static bool elfcorehdr_overlap(const struct elfcorehdr *h)
{
	const struct elfcorehdr_load *prev = NULL, *a, *b;
	size_t i, j;

	for (i = 0; i < h->load_count; i++) {
		a = &h->loads[i];
		if (!elfcorehdr_is_ram(a))
			continue;
		if (prev != NULL && a->p_paddr < prev->p_paddr)
			goto unsorted;
		if (prev != NULL && a->p_paddr <= elfcorehdr_last(prev))
			return true;
		prev = a;
	}
	return false;
unsorted:
	for (i = 0; i < h->load_count; i++) {
		a = &h->loads[i];
		for (j = i + 1; a->p_memsz != 0 && j < h->load_count; j++) {
			b = &h->loads[j];
			if (elfcorehdr_is_ram(a) && elfcorehdr_is_ram(b) &&
			    a->p_paddr <= elfcorehdr_last(b) &&
			    b->p_paddr <= elfcorehdr_last(a))
				return true;
		}
	}
	return false;
}

/* Facts about the whole table, once every entry is known to be sound. */
static void elfcorehdr_summarise(struct elfcorehdr *out)
{
	size_t i;

	for (i = 0; i < out->load_count; i++) {
		if (elfcorehdr_is_text(&out->loads[i])) {
			out->kernel_text_index = i;
			break;
		}
	}
	out->loads_overlap = elfcorehdr_overlap(out);
}

int elfcorehdr_parse(const void *buf, size_t len, struct elfcorehdr *out)
{
	const uint8_t *base = buf;
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	size_t i, off;
	int err;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->kernel_text_index = ELFCOREHDR_NO_INDEX;
	if (buf == NULL)
		return -EINVAL;
	if (len < sizeof(eh))
		return -EBADMSG;
	memcpy(&eh, base, sizeof(eh));
	out->e_phnum = eh.e_phnum;
	out->e_phoff = eh.e_phoff;
	err = elfcorehdr_check_ehdr(&eh, len);
	if (err != 0)
		return err;
	for (i = 0; i < eh.e_phnum; i++) {
		off = (size_t)eh.e_phoff + i * eh.e_phentsize;
		out->error_offset = off;
		memcpy(&ph, base + off, sizeof(ph));
		if (ph.p_type == ELF64_PT_LOAD)
			err = elfcorehdr_add_load(&ph, out);
		else if (ph.p_type == ELF64_PT_NOTE)
			err = elfcorehdr_add_note(&ph, out);
		else
			out->other_count++;
		if (err != 0)
			return err;
		out->phdr_count++;
	}
	out->error_offset = 0;
	elfcorehdr_summarise(out);
	return 0;
}

int elfcorehdr_loads_direct_map_base(const struct elfcorehdr *hdr, uint64_t *base)
{
	const struct elfcorehdr_load *l;
	uint64_t found = 0;
	bool any = false;
	size_t i;

	if (hdr == NULL || base == NULL)
		return -EINVAL;
	for (i = 0; i < hdr->load_count; i++) {
		l = &hdr->loads[i];
		if (l->p_vaddr < ELFCOREHDR_X86_64_KERNEL_HALF || elfcorehdr_is_text(l))
			continue;
		if (l->p_vaddr < l->p_paddr ||
		    (any && l->p_vaddr - l->p_paddr != found))
			return -EBADMSG;
		found = l->p_vaddr - l->p_paddr;
		any = true;
	}
	if (!any)
		return -ENOENT;
	if (found < ELFCOREHDR_X86_64_KERNEL_HALF)
		return -EBADMSG;
	*base = found;
	return 0;
}

/* ----------------------------------------------------------- prstatus */

int elfcorehdr_prstatus(const void *desc, size_t len, struct elfcorehdr_prstatus *out)
{
	struct elfcorehdr_elf_prstatus prs;

	if (desc == NULL || out == NULL)
		return -EINVAL;
	if (len < sizeof(prs))
		return -EBADMSG;
	memcpy(&prs, desc, sizeof(prs));
	out->pid = prs.pr_pid;
	out->cursig = prs.pr_cursig;
	out->regs = prs.pr_reg;
	return 0;
}

/* --------------------------------------------------------- VMCOREINFO */

int elfcorehdr_vmcoreinfo_get(const char *text, size_t len, const char *key,
			      const char **value, size_t *value_len)
{
	const char *line, *nl, *nul;
	size_t klen, off, line_len;

	if (text == NULL || key == NULL || value == NULL || value_len == NULL)
		return -EINVAL;
	klen = strlen(key);
	if (klen == 0 || memchr(key, '=', klen) != NULL || memchr(key, '\n', klen) != NULL)
		return -EINVAL;
	nul = memchr(text, '\0', len);
	if (nul != NULL)
		len = (size_t)(nul - text);
	for (off = 0; off < len; off += line_len + 1) {
		line = text + off;
		nl = memchr(line, '\n', len - off);
		line_len = nl != NULL ? (size_t)(nl - line) : len - off;
		if (line_len > klen && memcmp(line, key, klen) == 0 && line[klen] == '=') {
			*value = line + klen + 1;
			*value_len = line_len - klen - 1;
			return 0;
		}
	}
	return -ENOENT;
}

/* Value of one digit in base 10 or 16, or -1. */
static int elfcorehdr_digit(char c, unsigned base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* All of s[0..n) as an unsigned number; a bad digit wins over overflow. */
static int elfcorehdr_unsigned(const char *s, size_t n, unsigned base, uint64_t *out)
{
	uint64_t v = 0, d;
	size_t i;

	if (n == 0)
		return -EBADMSG;
	for (i = 0; i < n; i++)
		if (elfcorehdr_digit(s[i], base) < 0)
			return -EBADMSG;
	for (i = 0; i < n; i++) {
		d = (uint64_t)elfcorehdr_digit(s[i], base);
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* Keys Linux prints with a bare %lx (no 0x). */
static bool elfcorehdr_bare_hex_key(const char *key)
{
	return strncmp(key, "SYMBOL(", 7) == 0 || strcmp(key, "KERNELOFFSET") == 0;
}

int elfcorehdr_vmcoreinfo_u64(const char *text, size_t len, const char *key,
			      uint64_t *out)
{
	const char *v;
	size_t n;
	uint64_t u = 0;
	int err;

	if (out == NULL)
		return -EINVAL;
	err = elfcorehdr_vmcoreinfo_get(text, len, key, &v, &n);
	if (err != 0)
		return err;
	if (n >= 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		err = elfcorehdr_unsigned(v + 2, n - 2, 16, &u);
	else if (elfcorehdr_bare_hex_key(key))
		err = elfcorehdr_unsigned(v, n, 16, &u);
	else if (n >= 1 && v[0] == '-') {
		err = elfcorehdr_unsigned(v + 1, n - 1, 10, &u);
		if (err == 0 && u > (uint64_t)INT64_MAX + 1)
			err = -ERANGE;
		u = 0 - u;		/* two's complement: (unsigned long)(long) */
	} else
		err = elfcorehdr_unsigned(v, n, 10, &u);
	if (err != 0)
		return err;
	*out = u;
	return 0;
}

int elfcorehdr_direct_map_base(const char *text, size_t len, uint64_t *base)
{
	uint64_t v;
	int err;

	if (base == NULL)
		return -EINVAL;
	err = elfcorehdr_vmcoreinfo_u64(text, len, "NUMBER(page_offset_base)", &v);
	if (err != 0)
		return err;
	if (v < ELFCOREHDR_X86_64_KERNEL_HALF || v >= ELFCOREHDR_X86_64_START_KERNEL_MAP)
		return -ERANGE;
	*base = v;
	return 0;
}
