/*
 * Minimal host unit-test harness for postmortem.
 *
 * Interface: a test file defines test functions with TEST(name) and lists
 * them once in TEST_MAIN(name, name, ...).  CHECK(cond) records a failure
 * with file and line and goes on; CHECK_EQ(a, b) prints both values as
 * unsigned 64-bit numbers.  Each binary ends with one line
 * "<file>: N passed, N failed" counting checks, and exits non-zero when any
 * check failed; scripts/run-tests.sh adds the lines up.
 *
 * Host only: built with -fsanitize=address,undefined and linked with the
 * pure layer's library, build/san/libpure.a (tests/README.md).
 */
#ifndef TESTS_UNIT_TEST_H
#define TESTS_UNIT_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned test_passed, test_failed;

#define CHECK(cond) do { \
	if (cond) { test_passed++; } else { test_failed++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_EQ(a, b) do { \
	uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b); \
	if (check_a_ == check_b_) { test_passed++; } else { test_failed++; \
		fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (0x%llx != 0x%llx)\n", \
			__FILE__, __LINE__, #a, #b, (unsigned long long)check_a_, \
			(unsigned long long)check_b_); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (check_a_ != NULL && check_b_ != NULL && strcmp(check_a_, check_b_) == 0) { test_passed++; } \
	else { test_failed++; fprintf(stderr, "%s:%d: CHECK_STR failed: \"%s\" != \"%s\"\n", \
		__FILE__, __LINE__, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); } \
} while (0)

#define TEST(name) static void name(void)

/* Little-endian stores for building test inputs byte by byte. */
static inline void test_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void test_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void test_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#define TEST_MAIN(...) \
int main(void) \
{ \
	void (*tests_[])(void) = { __VA_ARGS__ }; \
	for (size_t i_ = 0; i_ < sizeof(tests_) / sizeof(tests_[0]); i_++) \
		tests_[i_](); \
	printf("%s: %u passed, %u failed\n", __FILE__, test_passed, test_failed); \
	return test_failed ? 1 : 0; \
}

#endif
