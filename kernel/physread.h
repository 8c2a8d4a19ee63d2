/*
 * Reading the crashed system's memory through the dump plan's ranges.
 *
 * Interface: physread_ranges() is a read_phys callback (formats/kpgtable.h)
 * over a struct physread: it reads [pa, pa+len) only when one range holds
 * all of it, from that range's read_from (kexec's backup region makes it
 * differ from start), through cpu_map_phys(); -EFAULT otherwise.  So a
 * walker fed by the crashed kernel's pointers never reads postmortem's
 * own image, boot modules or anything the plan left out.
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

#endif
