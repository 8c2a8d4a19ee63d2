/*
 * What the drivers need from the CPU, declared here so that drivers/ never
 * includes kernel/ (docs/architecture.md, "Layers").  Implemented by
 * kernel/cpu.c, whose kernel/cpu.h includes this header.
 *
 * cpu_map_phys() identity-maps a physical range (an MMIO BAR above what
 * the boot map covers); cpu_is_mapped() says whether it is mapped already;
 * memory that is not mapped must not be touched.  cpu_rdtsc() reads the
 * time-stamp counter (drivers/clock.c calibrates it).
 */
#ifndef DRIVERS_CPU_SERVICES_H
#define DRIVERS_CPU_SERVICES_H

#include <stdbool.h>
#include <stdint.h>

/* Identity-map [addr, addr + len); 0, -ERANGE (beyond 2^47, the
 * canonical lower half) or -ENOMEM (a table pool is exhausted). */
int cpu_map_phys(uint64_t addr, uint64_t len);

/* True if [addr, addr + len) is identity-mapped now. */
bool cpu_is_mapped(uint64_t addr, uint64_t len);

static inline uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
