/*
 * The dump file on the host (docs/dump-file.md): `postmortem load
 * --dump-file` makes or reuses it and pins its extents, `postmortem load
 * --status` shows it, `postmortem savecore --from-file` reads a dump out
 * of it.  The format and the mapping are payload/dumpfile.h's; the
 * DUMP_FILE handoff record is payload/handoff.h's.
 *
 * Host only (Linux: fallocate, FIEMAP, statfs, sysfs, device-mapper).
 */
#ifndef TOOLS_DUMPFILE_H
#define TOOLS_DUMPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payload/dumpfile.h"
#include "payload/handoff.h"

struct dumpfile_opts {
	const char *path;		/* the dump file */
	const char *size;		/* --size: bytes with K/M/G/T, "auto", or NULL */
	const char *sysfs;		/* sysfs root, NULL: /sys */
	const char *record_out;		/* where to write the record's payload */
	bool dry_run;			/* check and report, write nothing */
	bool force;			/* overwrite a dump not yet saved */
};

/* The record: head and extents (malloc'd, *n of them). */
struct dumpfile_record {
	struct handoff_dump_file head;
	struct dumpfile_extent *ext;
	size_t n;
};

/*
 * Make or reuse the file, check that its blocks stay put, map its extents
 * to one disk, write the header and the markers, verify them through the
 * raw disk, and write the DUMP_FILE payload to o->record_out.  Every
 * refusal prints one line saying why.  Returns 0 or -1.
 */
int dumpfile_load(const struct dumpfile_opts *o);

/* Read a payload written by dumpfile_load() and check it as the kernel will: 0 or -1. */
int dumpfile_record_read(const char *path, struct dumpfile_record *r);

/* --status: the dump file a handoff block names, and its state.  0 when none or fine. */
int dumpfile_status(const char *handoff_path);

/* `savecore --from-file PATH -o VMCORE [--clear] [--force] [--compact]`: SAVECORE_*. */
struct savecore_ctx;
int savecore_from_file(struct savecore_ctx *c, const char *path);

/* "auto" size for this machine: MemTotal / 8 + 64 MiB, rounded up to 16 MiB. */
uint64_t dumpfile_auto_size(const char *meminfo);

#endif
