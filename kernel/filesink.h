/*
 * dump=file: the dump file named by the verified handoff block's
 * DUMP_FILE record (docs/dump-file.md, "What the crash kernel checks").
 *
 * Interface: filesink_open() finds the record's disk among the registered
 * block devices by identity (formats/blkdev.h struct blkdev_ident, matched
 * by payload/handoff_dumpfile.c handoff_dump_file_disk()), reads and checks
 * every marker and the file header (payload/dumpfile.c dumpfile_verify()),
 * sets the file header to "dump written" and gives in *view a block device
 * whose sectors are the file's dump region (dumpfile_view_init()): the
 * partition writer (kernel/dumpsink.c) writes through it exactly what it
 * writes to a dump partition, and no sector outside the file's extents or
 * on a marker block can be reached through it.  0, or a negative errno
 * with why[0..len) one sentence naming the cause and nothing written
 * anywhere: no verified block, no record, a record that does not decode,
 * no disk or more than one, another geometry, a marker or the header that
 * does not match.  The caller then falls back as for a missing dump
 * partition.
 */
#ifndef KERNEL_FILESINK_H
#define KERNEL_FILESINK_H

#include <stddef.h>

#include "formats/blkdev.h"
#include "kernel/context.h"

int filesink_open(const struct context *ctx, struct blkdev *view, char *why, size_t len);

#endif
