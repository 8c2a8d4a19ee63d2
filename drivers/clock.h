/*
 * Time since boot, from the TSC calibrated against the PIT.
 *
 * Interface: clock_init() once (takes ~10 ms: PIT channel 2 counts 10 ms
 * while the TSC runs); then clock_us() is microseconds since clock_init().
 * clock_hz() is the measured TSC rate; 0 when the PIT never answered (then
 * clock_us() assumes 1 GHz and clock_estimated() is true, so callers can
 * say their times are estimates).  Polled and bounded: no interrupts.
 */
#ifndef DRIVERS_CLOCK_H
#define DRIVERS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

void clock_init(void);
uint64_t clock_us(void);
uint64_t clock_hz(void);
bool clock_estimated(void);
void clock_delay_us(uint64_t us);

#endif
