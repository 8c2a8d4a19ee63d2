/* Host tests for tools/textesc.c: printable ASCII passes, control bytes,
 * ESC, CR, LF, DEL, '\' and bytes >= 0x80 become \xNN, the copy stops at a
 * NUL or the given length, and a short buffer is cut at a whole
 * character, always terminated. */
#include <stdio.h>

#include "tests/unit/test.h"
#include "tools/textesc.h"

TEST(plain_text_unchanged)
{
	char buf[TEXTESC_LEN(16)];

	CHECK_STR(textesc("host-1.example", 14, buf, sizeof(buf)), "host-1.example");
	CHECK_STR(textesc("", 0, buf, sizeof(buf)), "");
	CHECK_STR(textesc(NULL, 5, buf, sizeof(buf)), "");
}

TEST(terminal_bytes_escaped)
{
	static const char hostile[] = "a\033[2J\r\n\007\177\377\\b";
	char buf[TEXTESC_LEN(sizeof(hostile))];

	CHECK_STR(textesc(hostile, sizeof(hostile), buf, sizeof(buf)),
		  "a\\x1b[2J\\x0d\\x0a\\x07\\x7f\\xff\\x5cb");
}

TEST(stops_at_nul_and_length)
{
	char buf[32];

	CHECK_STR(textesc("abc\0def", 7, buf, sizeof(buf)), "abc");
	CHECK_STR(textesc("abcdef", 3, buf, sizeof(buf)), "abc");
}

TEST(short_buffer_cut_whole)
{
	char buf[6];

	CHECK_STR(textesc("abcdefgh", 8, buf, sizeof(buf)), "abcde");
	CHECK_STR(textesc("ab\033cd", 5, buf, sizeof(buf)), "ab");	/* \x1b needs 4 */
	CHECK_STR(textesc("\033", 1, buf, 4), "");
	CHECK_STR(textesc("\033", 1, buf, 5), "\\x1b");
	CHECK(textesc("x", 1, NULL, 0) == NULL);
}

TEST(put_matches_string)
{
	static const char text[] = "r\033x\200";
	char want[TEXTESC_LEN(sizeof(text))], got[64] = { 0 };
	FILE *f = fmemopen(got, sizeof(got), "w");

	CHECK(f != NULL);
	if (f == NULL)
		return;
	textesc_put(f, text, sizeof(text));
	fclose(f);
	CHECK_STR(got, textesc(text, sizeof(text), want, sizeof(want)));
}

TEST_MAIN(plain_text_unchanged, terminal_bytes_escaped, stops_at_nul_and_length,
	  short_buffer_cut_whole, put_matches_string)
