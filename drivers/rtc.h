/*
 * The PC's CMOS real-time clock (MC146818 registers, as every x86 chipset
 * keeps them at I/O ports 0x70/0x71), read once for a wall-clock stamp:
 * the names and timestamps of what dump=fat and after=capsule write.
 *
 * Interface: rtc_read() fills a struct rtc_time or returns -ENODEV (the
 * registers read back impossible values, as they do where there is no
 * clock) or -ETIMEDOUT (update-in-progress never cleared).  The time is
 * what the clock holds, normally UTC on Linux systems.  Polled, bounded.
 */
#ifndef DRIVERS_RTC_H
#define DRIVERS_RTC_H

#include <errno.h>
#include <stdint.h>

struct rtc_time {
	unsigned year, month, day, hour, min, sec;
};

int rtc_read(struct rtc_time *t);

#define RTC_BINARY	0x04	/* status B: binary, not BCD */
#define RTC_24H		0x02	/* status B: 24-hour */

/*
 * Decode registers 0..9 and the century register (BCD or binary per
 * status B, 12- or 24-hour).  Returns 0, or -EINVAL for impossible
 * values.  Pure (inline here so the unit test needs no hardware).
 */
static inline unsigned rtc_from_bcd(uint8_t v, int binary)
{
	return binary ? v : (unsigned)(v >> 4) * 10 + (v & 15);
}

static inline int rtc_decode(const uint8_t reg[10], uint8_t status_b, uint8_t century, struct rtc_time *t)
{
	int bin = (status_b & RTC_BINARY) != 0;
	unsigned hour = rtc_from_bcd(reg[4] & 0x7f, bin), cent = rtc_from_bcd(century, bin);
	unsigned yy = rtc_from_bcd(reg[9], bin);

	if (!(status_b & RTC_24H)) {	/* 12-hour: 12 AM is 0, PM adds 12 */
		hour %= 12;
		if (reg[4] & 0x80)
			hour += 12;
	}
	t->sec = rtc_from_bcd(reg[0], bin);
	t->min = rtc_from_bcd(reg[2], bin);
	t->hour = hour;
	t->day = rtc_from_bcd(reg[7], bin);
	t->month = rtc_from_bcd(reg[8], bin);
	/* a century register that reads 20 or 21 is believed; anything else is 20 */
	t->year = (cent == 20 || cent == 21 ? cent : 20) * 100 + yy;
	if (!bin)		/* BCD: every digit must be 0-9 */
		for (int i = 0; i < 10; i++)
			if ((i == 0 || i == 2 || i == 4 || i >= 7) &&
			    (((reg[i] & 0x7f) >> 4) > 9 || (reg[i] & 15) > 9))
				return -EINVAL;
	if (t->sec > 59 || t->min > 59 || t->hour > 23 || t->day < 1 || t->day > 31 ||
	    t->month < 1 || t->month > 12 || yy > 99 || hour > 23)
		return -EINVAL;
	return 0;
}
/*
 * Seconds since 1970-01-01 00:00 of t, read as UTC (what Linux keeps in
 * the CMOS clock unless told otherwise).  Pure: days from the civil date
 * by the usual March-based year (proleptic Gregorian).
 */
static inline uint64_t rtc_unix_time(const struct rtc_time *t)
{
	unsigned y = t->year - (t->month <= 2), m = t->month;
	uint64_t era = y / 400, yoe = y - era * 400;
	uint64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + t->day - 1;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	uint64_t days = era * 146097 + doe - 719468;

	return days * 86400 + t->hour * 3600 + t->min * 60 + t->sec;
}

#endif
