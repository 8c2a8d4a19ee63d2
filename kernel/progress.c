/* Progress lines (see progress.h). */
#include <stdio.h>

#include "drivers/clock.h"
#include "kernel/progress.h"

#define INTERVAL_US 1000000u

void progress_start(struct progress *p, const char *what, uint64_t total)
{
	p->what = what;
	p->total = total;
	p->done = 0;
	p->t0 = p->last = clock_us();
}

uint64_t progress_rate(uint64_t bytes, uint64_t us)
{
	return us ? (uint64_t)(((unsigned __int128)bytes * 1000000u / us) >> 20) : 0;
}

void progress_update(struct progress *p, uint64_t done)
{
	uint64_t now = clock_us(), el, rate;

	p->done = done;
	if (now - p->last < INTERVAL_US)
		return;
	p->last = now;
	el = now - p->t0;
	rate = progress_rate(done, el);
	printf("%s: %llu%% %llu/%llu MiB, %llu MiB/s", p->what,
	       (unsigned long long)(p->total ? done * 100 / p->total : 100),
	       (unsigned long long)(done >> 20), (unsigned long long)(p->total >> 20),
	       (unsigned long long)rate);
	if (rate && done < p->total)
		printf(", ETA %llu s", (unsigned long long)(((p->total - done) >> 20) / rate));
	printf("\n");
}

uint64_t progress_end(struct progress *p)
{
	return clock_us() - p->t0;
}
