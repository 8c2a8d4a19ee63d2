/*
 * The dump: lay out the ranges and notes the crash context resolved
 * (struct context_dump), add postmortem's own note, stream the ELF core
 * file to the chosen target with progress, and say how it went.
 *
 * Interface: dump_run() once, after the crash context is built and the
 * block devices are probed.  It prints the plan and progress, and fills
 * summary with the run's last line without the "postmortem: " prefix:
 * "dump complete: <MiB> in <s> (<MiB/s>), sha256 <hex>" or
 * "dump FAILED: <why>".  It never faults on what it reads: memory it cannot
 * map is written as zeros and reported.
 */
#ifndef KERNEL_DUMP_H
#define KERNEL_DUMP_H

#include <stddef.h>

#include "kernel/bootinfo.h"
#include "kernel/context.h"
#include "payload/cmdline.h"

void dump_run(const struct context *ctx, const struct bootinfo *bi, const struct cmdline *opts,
	      char *summary, size_t len);

#endif
