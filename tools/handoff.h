/*
 * `postmortem handoff`: build, show and verify handoff blocks on the host.
 *
 * Interface: tools/postmortem.c calls handoff_tool_main() with the words
 * after "handoff".  The rest is shared by the four files of the command:
 * tools/handoff.c (options, writing the block), tools/handoff_describe.c
 * (--describe files), tools/handoff_sysfs.c (--from-system: what a live
 * Linux exports under /sys) and tools/handoff_show.c (show and verify).  Records are gathered
 * into a struct handoff_plan first, then written in one pass by the pure
 * writer in payload/handoff.c, so the host and the kernel share one
 * implementation of the format.
 *
 * Host only (glibc, stdio, malloc).  Exit status of the command: 0 ok,
 * 1 the work failed, 2 bad usage; every error names the file and the
 * problem on stderr.
 */
#ifndef TOOLS_HANDOFF_H
#define TOOLS_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payload/handoff.h"

#define HANDOFF_TOOL_EFI_DESC_SIZE	48	/* what real firmware reports */

/* A TABLE_COPY other than the ESRT (the ESRT is rebuilt from esrt[]). */
struct handoff_plan_copy {
	uint8_t guid[16];
	uint64_t address;
	uint8_t *bytes;
	size_t len;
};

/* Everything a block will hold; arrays grow with handoff_plan_push(). */
struct handoff_plan {
	struct handoff_creator creator;
	bool creator_set;		/* from a description file */

	bool have_systab;
	struct handoff_efi_systab systab;

	struct handoff_efi_memory_descriptor *efi_md;
	size_t n_efi_md;
	struct handoff_memmap_entry *memmap;
	size_t n_memmap;
	struct handoff_config_table *tables;
	size_t n_tables;

	bool have_esrt;
	uint64_t esrt_addr;		/* 0 unknown */
	uint32_t esrt_count_max;
	uint64_t esrt_version;
	struct handoff_esrt_entry *esrt;
	size_t n_esrt;

	struct handoff_plan_copy *copies;
	size_t n_copies;

	bool have_rsdp;
	uint64_t rsdp_addr;
	uint8_t *rsdp;
	size_t rsdp_len;

	bool have_smbios;
	uint64_t smbios_ep_addr, smbios_table_addr;
	uint8_t *smbios_ep, *smbios_table;
	size_t smbios_ep_len, smbios_table_len;

	struct handoff_runtime_entry *runtime;
	size_t n_runtime;
	struct handoff_dump_range *ranges;
	size_t n_ranges;

	bool have_vmcoreinfo;
	uint64_t vmcoreinfo_addr, vmcoreinfo_size;
	uint8_t *vmcoreinfo;
	size_t vmcoreinfo_len;

	uint8_t *notes;
	size_t notes_len;
	uint8_t *cmdline;		/* pieces joined with single spaces */
	size_t cmdline_len;
	uint8_t *capsule;
	size_t capsule_len;

	bool have_dumpkey;		/* --encrypt-to: DUMP_KEY (holds the master key) */
	struct handoff_dump_key dumpkey;

	bool have_dumpfile;		/* --dump-file-record */
	struct handoff_dump_file dumpfile;
	struct dumpfile_extent *dumpfile_ext;
	size_t n_dumpfile_ext;
};

/* `postmortem handoff ...`: argv[0] is "handoff". */
int handoff_tool_main(int argc, char **argv);

/* Append text to p->cmdline, one space between pieces (exits on OOM). */
void handoff_plan_cmdline(struct handoff_plan *p, const char *s, size_t n);

/*
 * --describe: apply every line of a description file to p.  Returns 0, or
 * -EINVAL after printing "file:line: what" for each bad line.
 */
int handoff_describe_load(const char *path, struct handoff_plan *p);

/* Append the elem_size bytes at elem to the array *arr of *n (exits on OOM). */
void handoff_plan_push(void *arr, size_t *n, size_t elem_size, const void *elem);

/*
 * Read a whole file into a malloc'd buffer (NUL-terminated beyond *len).
 * Returns 0 or -errno; prints nothing.
 */
int handoff_read_file(const char *path, uint8_t **buf, size_t *len);

/*
 * The first line of a small text file (a sysfs or /proc file: one value and
 * a newline) into buf, newline dropped; a longer line is cut at len - 1
 * bytes.  Returns 0, or -1 when the file cannot be opened or read or is
 * empty (an empty file leaves buf as it was, so a caller's preset "" stands
 * for "nothing there").  Prints nothing.  Used by load (/sys/kernel/kexec_*,
 * /proc/cmdline) and by the Xen probe (/sys/hypervisor/) alike.
 */
int handoff_read_line(const char *path, char *buf, size_t len);

/*
 * SMBIOS: the structure table's address and length from entry-point bytes
 * ("_SM_" 2.1 or "_SM3_" 3.0); false when the bytes are neither.
 */
bool handoff_smbios_table_of(const uint8_t *ep, size_t len, uint64_t *addr, uint64_t *size);

/*
 * --from-system: add what root (normally "/sys") exports.  Absent files
 * are skipped with a note on stderr.  Returns 0, or -errno when a present
 * file cannot be parsed (the message names it).
 */
int handoff_sysfs_gather(const char *root, struct handoff_plan *p);

/* `handoff show FILE` and `handoff verify FILE`: exit status 0 / 1. */
int handoff_show_file(const char *path);
int handoff_verify_file(const char *path);

#endif
