/*
 * The kernel's large buffers that only one part of a run needs, laid over
 * each other: the footprint is what kexec must find in the crashkernel=
 * reservation, and 4 MiB has to hold it (docs/kexec.md, "Footprint").
 *
 * A run goes one way: the context is gathered (kernel/context.c), then
 * the dump is written (kernel/dump.c, kdump.c, encsink.c, kcompress.c),
 * then the after-action, which uses none of this.  The test modes that
 * stop after the context (devices_selftest, pm.bench=compress) use the
 * dump's part, or one of their own.
 *
 *   gather   the parsed elfcorehdr, a PT_NOTE's bounce buffer and the
 *            unaccepted-memory planner's two plans.  Dead once
 *            context_gather() returns: what outlives it (the ranges, the
 *            notes) is static in context.c.
 *   dump.a   the encryption's chunks, or the one pass's ring of batches
 *            and the second CPU's compressor workspace, or the serial
 *            crash record's text: never two of them.  kernel/kdump.c
 *            gives the ring only to a sink with second_cpu, which an
 *            encrypted stream's never has (kernel/encsink.c), and a
 *            serial target, the only one with a crash record first (sent
 *            whole before the dump), has neither.
 *   dump.b   the kdump-compressed file's state and the boot CPU's
 *            compressor workspace, or the ELF core's segments, filter and
 *            copy buffer.  The ELF core follows a kdump-compressed file
 *            given up on (kernel/kdump.c), never runs beside it, so they
 *            share.  It never shares with dump.a: the encryption's state
 *            goes on into that ELF core, and a second CPU given up on
 *            without INIT may still write into its batches.
 *
 * Each file uses its own part only, through the one object below.
 */
#ifndef KERNEL_PHASEMEM_H
#define KERNEL_PHASEMEM_H

#include <stdint.h>

#include "formats/diskdump.h"
#include "formats/dumpplan.h"
#include "formats/elfcore.h"
#include "formats/elfcorehdr.h"
#include "formats/pagecomp.h"
#include "payload/brief.h"
#include "payload/elffilter.h"
#include "payload/encdump.h"
#include "payload/kdumpfile.h"

#define PHASEMEM_NOTE_BOUNCE	(64u << 10)	/* a PT_NOTE copied out before it is parsed */
#define PHASEMEM_SEGS		4096		/* the ELF core's segments (coarser past that) */
#define PHASEMEM_CHUNK		(64u << 10)	/* the ELF core's copy buffer */
#define PHASEMEM_SELFTEST	(8u * 4096u)	/* devices_selftest's pattern, each of two */

union phasemem {
	struct {
		struct elfcorehdr eh;
		uint8_t note_bounce[PHASEMEM_NOTE_BOUNCE];
		struct dumpplan unaccepted_out, unaccepted_allowed;
	} gather;
	struct {
		union {
			struct {
				uint8_t wire[ENCDUMP_CHUNK_WIRE(ENCDUMP_CHUNK_SIZE)]
					__attribute__((aligned(64)));
				/* sealing at offsets: the chunks being filled after wire */
				uint8_t slots[ENCDUMP_AT_SLOTS - 1][ENCDUMP_CHUNK_WIRE(ENCDUMP_CHUNK_SIZE)]
					__attribute__((aligned(64)));
				struct encdump_sealer_at sealer_at;
			} enc;
			struct {
				struct diskdump_batch batches[DISKDUMP_BATCHES];
				uint8_t ws[PAGECOMP_WORKSPACE] __attribute__((aligned(64)));
			} second;
			char brief_text[BRIEF_MAX];
		} a;
		union {
			struct {
				struct kdumpfile kf;
				uint8_t ws[PAGECOMP_WORKSPACE] __attribute__((aligned(64)));
			} kdump;
			struct {
				struct elfcore_segment segs[PHASEMEM_SEGS];
				struct elffilter ef;
				uint8_t chunk[PHASEMEM_CHUNK] __attribute__((aligned(64)));
			} elf;
		} b;
	} dump;
	struct {
		uint8_t orig[PHASEMEM_SELFTEST] __attribute__((aligned(4096)));
		uint8_t work[PHASEMEM_SELFTEST] __attribute__((aligned(4096)));
	} selftest;
} __attribute__((aligned(4096)));

extern union phasemem phasemem;

#endif
