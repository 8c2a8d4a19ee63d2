/*
 * TSC calibration against the 8254 PIT (Intel 8254 datasheet; port 0x61
 * bit 0 gates channel 2, bit 5 reads its OUT line).  Mode 0 counts down
 * once from the programmed value at 1.193182 MHz; OUT2 goes high at zero.
 */
#include <stdint.h>

#include "drivers/clock.h"
#include "drivers/cpu_services.h"
#include "drivers/io.h"

#define PIT_HZ		1193182u
#define CALIB_MS	10u
#define PIT_POLLS_MAX	50000000u	/* far beyond 10 ms of port reads */
#define FALLBACK_HZ	1000000000ull

static uint64_t tsc_hz, tsc_start;
static bool estimated;

void clock_init(void)
{
	uint16_t count = (uint16_t)(PIT_HZ / (1000 / CALIB_MS));
	uint64_t t0, t1;
	uint32_t i;
	uint8_t gate;

	gate = inb(0x61);
	outb(0x61, (uint8_t)((gate & ~0x02) | 0x01));	/* gate on, speaker off */
	outb(0x43, 0xB0);				/* channel 2, lo/hi, mode 0, binary */
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	t0 = cpu_rdtsc();
	for (i = 0; i < PIT_POLLS_MAX && !(inb(0x61) & 0x20); i++)
		;
	t1 = cpu_rdtsc();
	outb(0x61, gate);
	if (i == PIT_POLLS_MAX || t1 <= t0) {
		tsc_hz = FALLBACK_HZ;
		estimated = true;
	} else {
		tsc_hz = (t1 - t0) * (1000 / CALIB_MS);
	}
	tsc_start = cpu_rdtsc();
}

uint64_t clock_us(void)
{
	uint64_t d = cpu_rdtsc() - tsc_start;

	if (tsc_hz == 0)
		return 0;
	return (uint64_t)(((unsigned __int128)d * 1000000u) / tsc_hz);
}

uint64_t clock_hz(void)
{
	return estimated ? 0 : tsc_hz;
}

bool clock_estimated(void)
{
	return estimated;
}

void clock_delay_us(uint64_t us)
{
	uint64_t end = clock_us() + us;

	while (clock_us() < end)
		__asm__ volatile("pause");
}
