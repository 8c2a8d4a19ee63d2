/*
 * What a dump is made of (see dumpsrc.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "formats/efi.h"
#include "formats/elfcore.h"
#include "payload/dumpsrc.h"
#include "payload/handoff.h"

/* ------------------------------------------------------------ ranges */

size_t dumpsrc_ranges_from_elfcorehdr(const struct elfcorehdr *eh, struct dumpplan *p)
{
	for (size_t i = 0; i < eh->load_count; i++)
		if (i != eh->kernel_text_index)
			dumpplan_add(p, eh->loads[i].p_paddr, eh->loads[i].p_filesz,
				     eh->loads[i].p_offset, eh->loads[i].p_vaddr);
	return p->n;
}

/* The next record of a type, or false at the end of the block. */
static bool next_of(const void *block, size_t len, uint32_t type, size_t *cursor,
		    struct handoff_record *rec)
{
	while (handoff_next(block, len, cursor, rec) == 0)
		if (rec->type == type)
			return true;
	return false;
}

size_t dumpsrc_ranges_from_handoff(const void *block, size_t len, struct dumpplan *p)
{
	size_t cursor = 0;
	struct handoff_record rec;
	struct handoff_array arr;
	struct handoff_dump_range r;

	while (next_of(block, len, HANDOFF_TYPE_DUMP_RANGES, &cursor, &rec)) {
		if (handoff_get_array(&rec, &arr) != 0)
			continue;
		for (size_t i = 0; i < arr.count && handoff_dump_range_at(&rec, i, &r) == 0; i++)
			dumpplan_add(p, r.start, r.size, r.start, 0);
	}
	return p->n;
}

size_t dumpsrc_ranges_from_efi_mmap(const void *mmap, size_t len, uint32_t desc_size,
				    struct dumpplan *p)
{
	struct efi_mmap_desc d;
	size_t n = mmap ? efi_mmap_count(len, desc_size) : 0;

	for (size_t i = 0; i < n; i++)
		if (efi_mmap_desc_at(mmap, len, desc_size, i, &d) == 0 && efi_mem_type_is_ram(d.type))
			dumpplan_add(p, d.phys_start, d.num_pages * 4096, d.phys_start, 0);
	return p->n;
}

int dumpsrc_direct_map_from_handoff(const void *block, size_t len, uint64_t *base)
{
	size_t cursor = 0;
	struct handoff_record rec;
	struct handoff_vmcoreinfo vi;
	struct handoff_bytes b;

	while (next_of(block, len, HANDOFF_TYPE_VMCOREINFO, &cursor, &rec))
		if (handoff_get_vmcoreinfo(&rec, &vi, &b) == 0 &&
		    elfcorehdr_direct_map_base((const char *)b.ptr, b.len, base) == 0)
			return 0;
	return -ENOENT;
}

size_t dumpsrc_ranges_list(const struct dumpplan *p, const struct elfcorehdr *eh,
			   uint64_t direct_map, struct dumpplan_range *out)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++) {
		out[n] = p->r[i];
		if (direct_map && out[n].vaddr == 0)
			out[n].vaddr = direct_map + out[n].start;
		n++;
	}
	/* The kernel-text range repeats bytes of RAM under their kernel-text
	 * addresses; it is kept only when it lies inside one planned range and
	 * reads the same bytes, so it can never reach memory the plan left
	 * out (our own image, boot modules) or name another source for them. */
	if (eh != NULL && eh->kernel_text_index < eh->load_count) {
		const struct elfcorehdr_load *t = &eh->loads[eh->kernel_text_index];

		for (size_t i = 0; i < p->n; i++) {
			const struct dumpplan_range *r = &p->r[i];

			if (t->p_paddr >= r->start && t->p_paddr - r->start <= r->size &&
			    t->p_filesz <= r->size - (t->p_paddr - r->start) &&
			    t->p_offset == r->read_from + (t->p_paddr - r->start)) {
				out[n++] = (struct dumpplan_range){ t->p_paddr, t->p_filesz, t->p_offset,
								    t->p_vaddr };
				break;
			}
		}
	}
	return n;
}

/* ------------------------------------------------------------ notes */

void dumpsrc_notes_init(struct dumpsrc_notes *n, void *buf, size_t cap,
			void (*left_out)(void *arg, const char *name, uint32_t type, size_t desc_len),
			void *arg)
{
	n->buf = buf;
	n->cap = cap;
	n->len = 0;
	n->left_out = left_out;
	n->arg = arg;
}

int dumpsrc_notes_put(struct dumpsrc_notes *n, const char *name, uint32_t type,
		      const void *desc, size_t desc_len)
{
	size_t used = 0;
	int err = elfcore_note_put(n->buf + n->len, n->cap - n->len, name, type, desc, desc_len, &used);

	if (err) {
		if (n->left_out)
			n->left_out(n->arg, name, type, desc_len);
		return err;
	}
	n->len += used;
	return 0;
}

void dumpsrc_notes_copy(struct dumpsrc_notes *n, const void *buf, size_t len)
{
	struct elfcorehdr_note nt;
	char name[32];
	size_t cursor = 0;

	while (elfcorehdr_note_next(buf, len, &cursor, &nt) == 0) {
		size_t nl = nt.name ? strnlen(nt.name, nt.name_len) : 0;

		if (nl >= sizeof(name))
			continue;
		memcpy(name, nt.name, nl);
		name[nl] = '\0';
		dumpsrc_notes_put(n, name, nt.type, nt.desc, nt.desc_len);
	}
}

void dumpsrc_notes_from_handoff(struct dumpsrc_notes *n, const void *block, size_t len)
{
	size_t cursor = 0;
	struct handoff_record rec;
	struct handoff_bytes b;
	struct handoff_vmcoreinfo vi;

	while (handoff_next(block, len, &cursor, &rec) == 0) {
		if (rec.type == HANDOFF_TYPE_CPU_NOTES && handoff_get_bytes(&rec, rec.type, &b) == 0)
			dumpsrc_notes_copy(n, b.ptr, b.len);
		if (rec.type == HANDOFF_TYPE_VMCOREINFO && handoff_get_vmcoreinfo(&rec, &vi, &b) == 0)
			dumpsrc_notes_put(n, ELF64_NOTE_NAME_VMCOREINFO, ELF64_NT_VMCOREINFO,
					  b.ptr, b.len);
	}
}

/* ------------------------------------------------------------ what the notes say */

bool dumpsrc_vmcoreinfo(const void *notes, size_t len, const char **text, size_t *tlen)
{
	struct elfcorehdr_note nt;
	size_t cursor = 0;

	*text = NULL;
	*tlen = 0;
	while (elfcorehdr_note_next(notes, len, &cursor, &nt) == 0)
		if (elfcorehdr_note_is(&nt, ELF64_NOTE_NAME_VMCOREINFO, ELF64_NT_VMCOREINFO) &&
		    nt.desc) {
			*text = (const char *)nt.desc;
			*tlen = nt.desc_len;
			return true;
		}
	return false;
}

bool dumpsrc_osrelease(const void *notes, size_t len, char *out, size_t cap)
{
	struct elfcorehdr_note nt;
	const char *v;
	size_t cursor = 0, vl;
	bool found = false;

	while (elfcorehdr_note_next(notes, len, &cursor, &nt) == 0)
		if (elfcorehdr_note_is(&nt, ELF64_NOTE_NAME_VMCOREINFO, ELF64_NT_VMCOREINFO) &&
		    elfcorehdr_vmcoreinfo_get(nt.desc, nt.desc_len, "OSRELEASE", &v, &vl) == 0) {
			snprintf(out, cap, "%.*s", (int)vl, v);
			found = true;
		}
	return found;
}

bool dumpsrc_creator_host(const void *block, size_t len, char *out, size_t cap)
{
	size_t cursor = 0;
	struct handoff_record rec;
	struct handoff_creator cr;
	bool found = false;

	while (next_of(block, len, HANDOFF_TYPE_CREATOR, &cursor, &rec))
		if (handoff_get_creator(&rec, &cr) == 0) {
			snprintf(out, cap, "%.*s", (int)strnlen(cr.host, sizeof(cr.host)), cr.host);
			found = true;
		}
	return found;
}
