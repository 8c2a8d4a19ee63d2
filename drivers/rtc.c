/*
 * CMOS real-time clock read (see rtc.h).  Registers (MC146818A data
 * sheet; the same in every PC chipset): 0 seconds, 2 minutes, 4 hours,
 * 6 day of week, 7 day of month, 8 month, 9 year; status A bit 7 "update
 * in progress"; status B bit 2 binary (else BCD), bit 1 24-hour (else
 * 12-hour with bit 7 of the hour = PM).  The century is not in the
 * MC146818; PCs keep it at 0x32 (the ACPI FADT's CENTURY field names the
 * register; 0x32 is what every firmware we meet uses).  Reading while the
 * chip updates can tear a value, so the time is read until two reads in a
 * row agree, after update-in-progress clears.
 */
#include <errno.h>
#include <string.h>

#include "drivers/io.h"
#include "drivers/rtc.h"

#define RTC_INDEX	0x70
#define RTC_DATA	0x71
#define RTC_STATUS_A	0x0a
#define RTC_STATUS_B	0x0b
#define RTC_CENTURY	0x32
#define RTC_UIP		0x80	/* status A: update in progress */
#define RTC_TRIES	100000

static uint8_t cmos(uint8_t reg)
{
	outb(RTC_INDEX, reg);	/* bit 7 clear: NMI stays enabled as it was */
	return inb(RTC_DATA);
}

static int read_once(uint8_t reg[10], uint8_t *century)
{
	unsigned n = 0;

	while (cmos(RTC_STATUS_A) & RTC_UIP)
		if (++n > RTC_TRIES)
			return -ETIMEDOUT;
	for (uint8_t r = 0; r < 10; r++)
		reg[r] = cmos(r);
	*century = cmos(RTC_CENTURY);
	return 0;
}

int rtc_read(struct rtc_time *t)
{
	uint8_t a[10], b[10], ca, cb;
	int err;

	if ((err = read_once(a, &ca)) != 0)
		return err;
	for (unsigned tries = 0; tries < 5; tries++) {
		if ((err = read_once(b, &cb)) != 0)
			return err;
		if (memcmp(a, b, sizeof(a)) == 0 && ca == cb)
			return rtc_decode(b, cmos(RTC_STATUS_B), cb, t) == 0 ? 0 : -ENODEV;
		memcpy(a, b, sizeof(a));
		ca = cb;
	}
	return -ETIMEDOUT;
}
