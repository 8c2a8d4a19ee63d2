/*
 * Progress of long work on every console, at a bounded rate.
 *
 * Interface: progress_start(p, what, total_bytes); progress_update(p, done)
 * as often as convenient: it prints at most once a second
 * ("dump: 42% 430/1024 MiB, 85 MiB/s, ETA 7 s"); progress_end(p) returns
 * the elapsed microseconds.  Uses drivers/clock.h.
 */
#ifndef KERNEL_PROGRESS_H
#define KERNEL_PROGRESS_H

#include <stdint.h>

struct progress {
	const char *what;
	uint64_t total, done;
	uint64_t t0, last;
};

void progress_start(struct progress *p, const char *what, uint64_t total);
void progress_update(struct progress *p, uint64_t done);
uint64_t progress_end(struct progress *p);

/* MiB/s for bytes over us microseconds, rounded down; 0 when us is 0. */
uint64_t progress_rate(uint64_t bytes, uint64_t us);

#endif
