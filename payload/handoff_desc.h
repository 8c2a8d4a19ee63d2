/*
 * Handoff description files: a small line-based text that says what a
 * synthetic handoff block holds, for tests and QEMU runs
 * (`postmortem handoff create --describe FILE`).  Syntax: docs/handoff.md.
 *
 * Interface: handoff_desc_parse_line() parses one line (without its '\n')
 * into a struct handoff_desc_line; the caller (tools/handoff.c) collects
 * the lines, reads the files they name and writes the block.  On a bad line
 * it returns -EINVAL and out->error holds one sentence about what is wrong
 * (the caller prefixes "file:line: ").  Text and file names are spans into
 * the caller's line, which must outlive *out.
 *
 * Pure module: no globals, no I/O, no allocation; freestanding headers only,
 * so it links into the host tool, the unit tests and the fuzz target the
 * same way as every other parser (it is never called in the kernel).
 *
 * Lines (numbers: decimal, 0x-hex, optional K/M/G/T binary suffix; GUIDs as
 * 8-4-4-4-12 hex or a name such as acpi20, smbios3, esrt):
 *   # comment                      (a whole line; blank lines are ignored)
 *   efi-mmap <type> <phys-start> <pages> <attr>
 *   memmap <start> <size> <e820-type>
 *   systab <addr> <revision> [key=value ...] [<vendor text>]
 *          keys: fw-revision runtime config-table config-count vendor-addr platform
 *   config-table <guid> <addr>
 *   esrt-entry <fw-class-guid> <type> <version> <lowest> <flags> <last-version>
 *              <last-status> [at <esrt-addr>]
 *   runtime-map <type> <phys> <virt> <pages> <attr>
 *   dump-range <start> <size>
 *   cmdline <text>                 (the rest of the line)
 *   capsule <file>    vmcoreinfo <file>    cpu-notes <file>
 *   rsdp <addr> [<file>]
 *   smbios <entry-point-addr> <entry-point-file> <table-file>
 *   table-copy <guid> <addr> <file>
 *   creator <host> <release>
 */
#ifndef PAYLOAD_HANDOFF_DESC_H
#define PAYLOAD_HANDOFF_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payload/handoff.h"

#define HANDOFF_DESC_ERROR_LEN	128

enum handoff_desc_kind {
	HANDOFF_DESC_EMPTY,		/* blank line or comment */
	HANDOFF_DESC_EFI_MMAP,		/* efi_md */
	HANDOFF_DESC_MEMMAP,		/* memmap */
	HANDOFF_DESC_SYSTAB,		/* systab */
	HANDOFF_DESC_CONFIG_TABLE,	/* table */
	HANDOFF_DESC_ESRT_ENTRY,	/* esrt, esrt_at, esrt_addr */
	HANDOFF_DESC_RUNTIME_MAP,	/* runtime */
	HANDOFF_DESC_DUMP_RANGE,	/* range */
	HANDOFF_DESC_CMDLINE,		/* text */
	HANDOFF_DESC_CAPSULE,		/* text: file */
	HANDOFF_DESC_VMCOREINFO,	/* text: file */
	HANDOFF_DESC_CPU_NOTES,		/* text: file */
	HANDOFF_DESC_RSDP,		/* addr, text: file (may be empty) */
	HANDOFF_DESC_SMBIOS,		/* addr, text: entry-point file, text2: table file */
	HANDOFF_DESC_TABLE_COPY,	/* table (guid, address), text: file */
	HANDOFF_DESC_CREATOR,		/* creator (host, release) */
};

/* A piece of the caller's line; never NUL-terminated. */
struct handoff_desc_text {
	const char *ptr;
	size_t len;
};

/* One parsed line: kind says which fields are meaningful; the rest are 0. */
struct handoff_desc_line {
	enum handoff_desc_kind kind;
	struct handoff_efi_memory_descriptor efi_md;
	struct handoff_memmap_entry memmap;
	struct handoff_efi_systab systab;
	struct handoff_config_table table;
	struct handoff_esrt_entry esrt;
	bool esrt_at;
	uint64_t esrt_addr;
	struct handoff_runtime_entry runtime;
	struct handoff_dump_range range;
	struct handoff_creator creator;
	uint64_t addr;
	struct handoff_desc_text text;
	struct handoff_desc_text text2;
	char error[HANDOFF_DESC_ERROR_LEN];	/* "" unless the parse failed */
};

/*
 * Parse line[0..len).  Returns 0 with out->kind saying what the line was
 * (HANDOFF_DESC_EMPTY for blank lines and comments), or -EINVAL with
 * out->error set; after an error only out->error is meaningful.
 */
int handoff_desc_parse_line(const char *line, size_t len, struct handoff_desc_line *out);

#endif
