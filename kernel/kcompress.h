/*
 * The kdump-compressed file's page compressor in the kernel: one of
 * formats/pagecomp.h's, chosen by dump.compress= (default
 * PAGECOMP_DEFAULT; docs/compression.md), readied in the kernel's one
 * compressor workspace (PAGECOMP_WORKSPACE bytes, in kernel/phasemem.h).
 *
 * Interface: the dump calls kcompress_choose() with the command line's
 * choice before kdump_run(); kdump_run() calls kcompress_open() for the
 * compressor and its context (compress NULL for "none").  A compressor
 * whose library refuses its workspace gives one line and "none": pages
 * stored raw, never no dump.  kcompress_bench() is pm.bench=compress.
 */
#ifndef KERNEL_KCOMPRESS_H
#define KERNEL_KCOMPRESS_H

#include "formats/pagecomp.h"
#include "kernel/bootinfo.h"
#include "payload/cmdline.h"

void kcompress_choose(enum cmdline_compress c);
const struct pagecomp *kcompress_open(void **ctx);
/* kcompress_open()'s compressor, readied again in a second workspace for
 * the second CPU (kernel/kdump.c): its state, or NULL with one line. */
void *kcompress_second(const struct pagecomp *pc);

/* pm.bench=compress: each compressor over the non-zero pages of up to
 * 64 MiB of the largest RAM range below 4 GiB (read only; postmortem's
 * own image left out): MiB/s and the size it would store, one line each
 * (make bench plants a real vmcore's pages there, scripts/bench_compress.py). */
void kcompress_bench(const struct bootinfo *bi);

#endif
