/* rtc_decode(): BCD and binary, 12- and 24-hour, century, impossible values. */
#include <string.h>

#include "drivers/rtc.h"
#include "tests/unit/test.h"

TEST(t_bcd_24h)
{
	uint8_t r[10] = { 0x59, 0, 0x07, 0, 0x23, 1, 0x22, 0x22, 0x11, 0x26 };
	struct rtc_time t;

	CHECK(rtc_decode(r, RTC_24H, 0x20, &t) == 0);
	CHECK(t.year == 2026 && t.month == 11 && t.day == 22);
	CHECK(t.hour == 23 && t.min == 7 && t.sec == 59);
}

TEST(t_binary_12h)
{
	uint8_t r[10] = { 5, 0, 30, 0, 0x80 | 12, 1, 1, 31, 12, 99 };
	struct rtc_time t;

	CHECK(rtc_decode(r, RTC_BINARY, 21, &t) == 0);	/* 12 PM is noon */
	CHECK(t.year == 2199 && t.hour == 12 && t.min == 30);
	CHECK(rtc_decode(r, RTC_BINARY, 19, &t) == 0 && t.year == 2099);	/* 19: not believed */
	r[4] = 12;					/* 12 AM is midnight */
	CHECK(rtc_decode(r, RTC_BINARY, 21, &t) == 0 && t.hour == 0);
	r[4] = 0x80 | 11;
	CHECK(rtc_decode(r, RTC_BINARY, 21, &t) == 0 && t.hour == 23);
}

TEST(t_century_default)
{
	uint8_t r[10] = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x00 };
	struct rtc_time t;

	CHECK(rtc_decode(r, RTC_24H, 0x00, &t) == 0 && t.year == 2000);	/* no century register */
	CHECK(rtc_decode(r, RTC_24H, 0xff, &t) == 0 && t.year == 2000);
}

TEST(t_impossible)
{
	uint8_t good[10] = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 0 };
	static const struct { int reg; uint8_t v; } bad[] = {
		{ 0, 0x60 }, { 2, 0x60 }, { 4, 0x24 }, { 7, 0x00 }, { 7, 0x32 },
		{ 8, 0x00 }, { 8, 0x13 }, { 9, 0x9a }, { 0, 0xff }, { 0, 0x1a }, { 7, 0x0f },
	};
	struct rtc_time t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t r[10];
		memcpy(r, good, sizeof(r));
		r[bad[i].reg] = bad[i].v;
		CHECK(rtc_decode(r, RTC_24H, 0x20, &t) == -EINVAL);
	}
}

TEST(t_unix_time)
{
	struct rtc_time epoch = { 1970, 1, 1, 0, 0, 0 }, leap = { 2024, 2, 29, 12, 0, 0 };
	struct rtc_time y2k = { 2000, 3, 1, 0, 0, 0 }, t = { 2026, 11, 22, 6, 23, 50 };

	CHECK_EQ(rtc_unix_time(&epoch), 0);
	CHECK_EQ(rtc_unix_time(&leap), 1709208000);	/* date -u -d '2024-02-29 12:00' +%s */
	CHECK_EQ(rtc_unix_time(&y2k), 951868800);
	CHECK_EQ(rtc_unix_time(&t), 1795328630);
}

TEST_MAIN(t_bcd_24h, t_binary_12h, t_century_default, t_impossible, t_unix_time)
