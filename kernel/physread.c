/* The crashed system's memory through the plan's ranges (see physread.h). */
#include <errno.h>
#include <string.h>

#include "kernel/cpu.h"
#include "kernel/physread.h"

int physread_ranges(void *ctx, uint64_t pa, void *buf, size_t len)
{
	const struct physread *m = ctx;

	for (size_t i = 0; i < m->n; i++) {
		const struct dumpplan_range *r = &m->ranges[i];
		uint64_t from;

		if (pa < r->start || pa - r->start >= r->size || len > r->size - (pa - r->start))
			continue;
		from = r->read_from + (pa - r->start);
		if (cpu_map_phys(from, len) != 0)
			return -EFAULT;
		physread_copy(buf, from, len);
		return 0;
	}
	return -EFAULT;
}

void physread_copy(void *dst, uint64_t pa, size_t len)
{
	const void *src = (const void *)(uintptr_t)pa;
	size_t q = len / 8, b = len % 8;

	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(q) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(b) : : "memory");
}
