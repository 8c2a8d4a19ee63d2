/*
 * Reading the crashed system's memory through the dump plan's ranges.
 *
 * Interface: physread_ranges() is a read_phys callback (formats/kpgtable.h)
 * over a struct physread: it reads [pa, pa+len) only when one range holds
 * all of it, from that range's read_from (kexec's backup region makes it
 * differ from start), through cpu_map_phys(); -EFAULT otherwise.  So a
 * walker fed by the crashed kernel's pointers never reads postmortem's
 * own image, boot modules or anything the plan left out (unaccepted
 * memory among it).
 */
#ifndef KERNEL_PHYSREAD_H
#define KERNEL_PHYSREAD_H

#include <stddef.h>
#include <stdint.h>

#include "formats/dumpplan.h"

struct physread {
	const struct dumpplan_range *ranges;
	size_t n;
};

int physread_ranges(void *ctx, uint64_t pa, void *buf, size_t len);

/*
 * Copy [pa, pa + len) of mapped physical memory to dst, touching no byte
 * outside it: rep movsq/movsb.  The C library's memcpy prefetches up to
 * about 900 bytes past its source, which at the end of a range could reach
 * a unit of unaccepted memory (docs/unaccepted.md); every read of the
 * crashed system's memory goes through this.
 */
void physread_copy(void *dst, uint64_t pa, size_t len);

#endif
