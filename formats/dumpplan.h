/*
 * Which physical memory the dump contains: pure range arithmetic.
 *
 * Interface: dumpplan_add() collects candidate ranges (RAM of the memory
 * map, elfcorehdr PT_LOADs, handoff DUMP_RANGES) into a struct dumpplan;
 * dumpplan_exclude() cuts out ranges that are not the dead system's (our
 * own image, our boot modules, unaccepted memory); dumpplan_finish() sorts
 * and merges what is left (ranges with different read_from offsets are
 * kept apart).  Each range remembers where its bytes are read from
 * (read_from == start except for kexec-tools' backup region) and the
 * crashed kernel's virtual address when known (0 otherwise).
 * Overflowing or empty ranges are refused with -EINVAL; a full plan gives
 * -ENOSPC and keeps what it had.  Pure: no globals, no I/O.
 */
#ifndef FORMATS_DUMPPLAN_H
#define FORMATS_DUMPPLAN_H

#include <stddef.h>
#include <stdint.h>

#define DUMPPLAN_MAX	512

struct dumpplan_range {
	uint64_t start;		/* physical address the bytes describe */
	uint64_t size;
	uint64_t read_from;	/* physical address to read them from */
	uint64_t vaddr;		/* crashed kernel's virtual address, 0 unknown */
};

struct dumpplan {
	struct dumpplan_range r[DUMPPLAN_MAX];
	size_t n;
	uint64_t total;		/* bytes, after dumpplan_finish */
};

void dumpplan_init(struct dumpplan *p);
int dumpplan_add(struct dumpplan *p, uint64_t start, uint64_t size, uint64_t read_from,
		 uint64_t vaddr);
int dumpplan_exclude(struct dumpplan *p, uint64_t start, uint64_t size);
void dumpplan_finish(struct dumpplan *p);

#endif
