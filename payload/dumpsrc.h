/*
 * dumpsrc: what a dump is made of, assembled from its sources.  The crash
 * context (kernel/context.c) calls these once while it gathers, so the
 * dump stage reads a finished list of ranges and a finished notes blob and
 * knows nothing of the handoff block or the elfcorehdr.
 *
 * Ranges.  Candidates go into a struct dumpplan (formats/dumpplan.h) from
 * one source: the elfcorehdr's PT_LOADs (dumpsrc_ranges_from_elfcorehdr(),
 * the kernel-text PT_LOAD left out), else the handoff block's DUMP_RANGES
 * records (dumpsrc_ranges_from_handoff()), else the EFI memory map's RAM
 * (dumpsrc_ranges_from_efi_mmap()).  After the caller's exclusions and
 * dumpplan_finish(), dumpsrc_ranges_list() writes the ranges in file order:
 * the plan's, with a direct-map virtual address given to those that have
 * none, then the kernel-text PT_LOAD as its own range last, as Linux's
 * /proc/vmcore has it (it overlaps RAM by design).
 *
 * Notes.  struct dumpsrc_notes builds the crashed kernel's notes in a
 * caller's buffer, one note at a time with elfcore_note_put(), never a
 * buffer whole (formats/elfcore.h says why): dumpsrc_notes_copy() takes
 * every note of one ELF notes buffer (an elfcorehdr PT_NOTE, mapped by the
 * caller), dumpsrc_notes_from_handoff() the handoff's CPU_NOTES records'
 * notes and each VMCOREINFO record's text as a "VMCOREINFO" note, in
 * record order.  A note that does not fit is left out and reported through
 * the left_out callback (which may be NULL); notes after it still go in
 * when they fit.  Notes whose name is 32 bytes or longer are skipped.
 *
 * Pointers handed out point into the caller's buffers.  The handoff block
 * must have passed handoff_verify(); the walks still bound every read.
 *
 * Pure: no globals, no printing, no allocation.
 */
#ifndef PAYLOAD_DUMPSRC_H
#define PAYLOAD_DUMPSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/dumpplan.h"
#include "formats/elfcorehdr.h"

/* ------------------------------------------------------------ ranges */

/* Each adds to p and returns p->n afterwards. */
size_t dumpsrc_ranges_from_elfcorehdr(const struct elfcorehdr *eh, struct dumpplan *p);
size_t dumpsrc_ranges_from_handoff(const void *block, size_t len, struct dumpplan *p);
size_t dumpsrc_ranges_from_efi_mmap(const void *mmap, size_t len, uint32_t desc_size,
				    struct dumpplan *p);

/*
 * The crashed kernel's direct-map base from the handoff's first VMCOREINFO
 * record that gives one (NUMBER(page_offset_base)): 0 with *base set, or
 * -ENOENT.
 */
int dumpsrc_direct_map_from_handoff(const void *block, size_t len, uint64_t *base);

/*
 * The finished plan p as the dump's ranges, into out[] (room for p->n + 1):
 * ranges with vaddr 0 get direct_map + start when direct_map is not 0;
 * eh (may be NULL) adds its kernel-text PT_LOAD last.  Returns how many.
 */
size_t dumpsrc_ranges_list(const struct dumpplan *p, const struct elfcorehdr *eh,
			   uint64_t direct_map, struct dumpplan_range *out);

/* ------------------------------------------------------------ notes */

struct dumpsrc_notes {
	uint8_t *buf;
	size_t cap;
	size_t len;			/* bytes of whole notes so far */
	void (*left_out)(void *arg, const char *name, uint32_t type, size_t desc_len);
	void *arg;
};

void dumpsrc_notes_init(struct dumpsrc_notes *n, void *buf, size_t cap,
			void (*left_out)(void *arg, const char *name, uint32_t type, size_t desc_len),
			void *arg);

/* One note; 0, or -ENOSPC (left out and reported) or -EINVAL. */
int dumpsrc_notes_put(struct dumpsrc_notes *n, const char *name, uint32_t type,
		      const void *desc, size_t desc_len);

/* Every note of the ELF notes buffer buf[0..len), up to its end or its
 * zero terminator. */
void dumpsrc_notes_copy(struct dumpsrc_notes *n, const void *buf, size_t len);

/* The handoff block's CPU_NOTES and VMCOREINFO records, in record order. */
void dumpsrc_notes_from_handoff(struct dumpsrc_notes *n, const void *block, size_t len);

/* ------------------------------------------------------------ what the notes say */

/* The text of the first "VMCOREINFO" note with a desc: true with *text and
 * *tlen set, else false (*text NULL). */
bool dumpsrc_vmcoreinfo(const void *notes, size_t len, const char **text, size_t *tlen);

/* OSRELEASE from the last "VMCOREINFO" note that has one, into out
 * (truncated to fit, NUL-terminated); out is left alone when none has. */
bool dumpsrc_osrelease(const void *notes, size_t len, char *out, size_t cap);

/* The host name of the handoff block's last CREATOR record, into out
 * (truncated to fit, NUL-terminated); out is left alone when there is none. */
bool dumpsrc_creator_host(const void *block, size_t len, char *out, size_t cap);

#endif
