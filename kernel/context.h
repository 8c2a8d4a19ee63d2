/*
 * The crash context: what this run knows about the dead system, gathered
 * from the handoff block (when its SHA-256 verifies) and from what the boot
 * path itself guarantees (boot information, firmware tables, elfcorehdr).
 *
 * Interface: context_handoff() finds and verifies the block (initrd,
 * multiboot2 module "handoff", or handoff=ADDR,SIZE) and says on the
 * console what it found; context_gather() then reads EFI (system table,
 * configuration tables, memory map, ESRT) and the elfcorehdr, preferring
 * the handoff's records where it is trusted (docs/handoff.md, "Which source
 * wins"), and context_print() prints the inventory (in full with
 * pm.inventory).  An untrusted block is never dereferenced after
 * handoff_verify() said no: only its status is kept, for the dump.
 *
 * context_gather() also resolves, once, what the dump is made of (struct
 * context_dump): the ranges and where they came from, the direct-map
 * base, the crashed kernel's notes, OSRELEASE and the host name.  The dump
 * stage reads only that; it never walks the handoff block or the
 * elfcorehdr itself.
 */
#ifndef KERNEL_CONTEXT_H
#define KERNEL_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "formats/dumpplan.h"
#include "formats/efi.h"
#include "formats/elfcorehdr.h"
#include "kernel/bootinfo.h"
#include "payload/cmdline.h"
#include "payload/handoff.h"

#define CONTEXT_TABLES_MAX 64

enum context_handoff {
	CONTEXT_HANDOFF_NONE,		/* no block was given */
	CONTEXT_HANDOFF_TRUSTED,	/* digest and structure verified */
	CONTEXT_HANDOFF_UNTRUSTED,	/* given, but failed verification */
};

enum context_esrt {
	CONTEXT_ESRT_NONE,		/* no ESRT configuration table */
	CONTEXT_ESRT_COPY,		/* the handoff's preserved copy is used */
	CONTEXT_ESRT_IN_PLACE,		/* read in place (runtime/reserved memory) */
	CONTEXT_ESRT_REFUSED,		/* not dereferenced; esrt_why says why */
};

#define CONTEXT_DUMP_WARN_MAX	16
#define CONTEXT_DUMP_WARN_LEN	112

/*
 * What the dump is made of, resolved by context_gather() (docs/handoff.md,
 * "Which source wins"):
 *   ranges: the elfcorehdr's PT_LOADs, else the trusted handoff's
 *     DUMP_RANGES, else the EFI memory map's RAM, else e820 RAM; our own
 *     image and boot modules cut out; in file order, an elfcorehdr's
 *     kernel-text PT_LOAD last (it overlaps RAM by design).
 *   direct_map_base: without an elfcorehdr, the handoff's VMCOREINFO
 *     NUMBER(page_offset_base), given to ranges as their virtual address.
 *   notes: the crashed kernel's, one by one: the elfcorehdr's PT_NOTEs,
 *     else the handoff's CPU_NOTES and VMCOREINFO records.  postmortem's
 *     own note is the dump's to add (it names the target).
 *   warnings: problems met on the way, for the dump to print
 *     ("dump: ..." lines) when it starts.
 */
struct context_dump {
	const struct dumpplan_range *ranges;
	size_t range_count;
	uint64_t range_bytes;		/* the planned RAM; the kernel text not counted again */
	const char *ranges_source;	/* "elfcorehdr", "handoff dump ranges", ... */
	uint64_t direct_map_base;	/* 0: not known or not needed */

	const uint8_t *notes;		/* ELF notes, no terminator */
	size_t notes_len;
	const char *vmcoreinfo;		/* the first VMCOREINFO note's text, or NULL */
	size_t vmcoreinfo_len;
	char osrelease[72];		/* "" unknown */
	char hostname[72];		/* the handoff creator's; "" unknown */

	char warnings[CONTEXT_DUMP_WARN_MAX][CONTEXT_DUMP_WARN_LEN];
	unsigned warn_count;
	unsigned warn_dropped;		/* more than CONTEXT_DUMP_WARN_MAX */
};

struct context {
	enum context_handoff handoff;
	char handoff_source[64];	/* "initrd at 0x..., N bytes" */
	char handoff_reason[HANDOFF_REASON_LEN];
	uint8_t handoff_digest[SHA256_LEN];
	const uint8_t *handoff_block;	/* only when TRUSTED */
	size_t handoff_len;
	struct handoff_status handoff_status;

	bool have_efi;
	const char *efi_source;		/* "firmware", "handoff" */
	uint64_t systab_addr;
	uint32_t efi_revision;
	char fw_vendor[64];
	bool systab_crc_ok;
	struct efi_config_table tables[CONTEXT_TABLES_MAX];
	unsigned table_count;
	bool tables_truncated;

	const uint8_t *efi_mmap;	/* descriptors, desc_size stride */
	size_t efi_mmap_len;
	uint32_t efi_desc_size;
	const char *efi_mmap_source;

	enum context_esrt esrt_state;
	uint64_t esrt_addr;
	uint64_t esrt_copy_addr;	/* the address the handoff's copy names (0 unknown) */
	const uint8_t *esrt;		/* table bytes when COPY or IN_PLACE */
	size_t esrt_len;
	uint32_t esrt_count;
	char esrt_why[160];
	char esrt_where[200];		/* the copy's address checked: one line, or "" */

	bool have_elfcorehdr;
	const struct elfcorehdr *elfcore;	/* parsed headers (have_elfcorehdr) */
	uint64_t elfcorehdr_addr;
	size_t elfcore_loads, elfcore_notes;
	uint64_t elfcore_bytes;
	char elfcorehdr_problem[96];

	struct context_dump dump;

	unsigned warn_count;
};

void context_handoff(struct context *ctx, const struct bootinfo *bi, const struct cmdline *opts);

/* The handoff's CMDLINE record (trusted blocks only), or NULL. */
const char *context_handoff_cmdline(const struct context *ctx, size_t *len);

/*
 * The next record of the trusted handoff block at or after *cursor (start
 * at 0) whose type is type (CONTEXT_HANDOFF_ANY: every record).  Returns
 * true with *rec filled; false at the end or when the block is not
 * trusted, so nothing untrusted is ever walked.
 */
#define CONTEXT_HANDOFF_ANY	0u
bool context_handoff_next(const struct context *ctx, uint32_t type, size_t *cursor,
			  struct handoff_record *rec);

void context_gather(struct context *ctx, const struct bootinfo *bi, const struct cmdline *opts);
void context_print(const struct context *ctx, bool full);

#endif
