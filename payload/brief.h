/*
 * brief: the crash record, a few KiB of text a person needs first: the
 * crashed kernel's panic line and the newest part of its log (through
 * formats/klog.h), every CPU's registers from the NT_PRSTATUS notes the
 * crashed kernel saved, and why the dump goes where it goes.  A serial
 * dump sends it before the ELF file (frame type BRIEF, payload/frame.h),
 * so over a 115200-baud line it arrives in seconds, not hours;
 * `postmortem recv` prints it.  Layout: docs/dump-serial.md.
 *
 * Interface.  brief_build() writes at most cap bytes (NUL included) and
 * returns the text's length.  The notes are the dump's ELF notes (from
 * the elfcorehdr or the handoff block); the VMCOREINFO note among them
 * gives the log's layout.  read_virt (may be NULL: no log) reads the
 * crashed kernel's virtual memory; brief_pgtable() sets one up from
 * VMCOREINFO with formats/kpgtable.h over a caller's physical reader.
 * Nothing read is trusted: a log that cannot be read becomes one line
 * saying why.
 *
 * Pure: no globals, no printing, no allocation.
 */
#ifndef PAYLOAD_BRIEF_H
#define PAYLOAD_BRIEF_H

#include <stddef.h>
#include <stdint.h>

#include "formats/klog.h"
#include "formats/kpgtable.h"

#define BRIEF_MAX		(32u << 10)	/* what the kernel sends: ~3 s at 115200 baud */
#define BRIEF_CPUS_SHOWN	16		/* registers of the first 16 CPUs */

struct brief_src {
	uint64_t dump_id;
	const char *release;		/* crashed kernel's OSRELEASE; "" unknown */
	const char *hostname;		/* "" unknown */
	const char *target;		/* where the dump goes and why, one line */
	const void *notes;		/* ELF notes: NT_PRSTATUS, VMCOREINFO */
	size_t notes_len;
	klog_read_fn read_virt;		/* NULL: no log, for the reason below */
	void *rctx;
	const char *no_log_why;		/* why read_virt is NULL (may be NULL) */
};

struct brief_stats {
	size_t cpus;			/* NT_PRSTATUS notes */
	struct klog_stats log;
	const char *log_why;		/* NULL, or why there is no log */
};

size_t brief_build(const struct brief_src *src, char *out, size_t cap, struct brief_stats *st);

/*
 * Set *pt up to translate the crashed kernel's virtual addresses from its
 * VMCOREINFO (SYMBOL(init_top_pgt), NUMBER(phys_base),
 * NUMBER(pgtable_l5_enabled), NUMBER(sme_mask), NUMBER(MAX_PHYSMEM_BITS)).
 * Returns NULL or a static reason naming the missing or bad key.
 */
const char *brief_pgtable(const char *vmcoreinfo, size_t vlen, struct kpgtable *pt,
			  kpgtable_read_fn read_phys, void *ctx);

#endif
