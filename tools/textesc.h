/*
 * textesc: text that came from a capture, a dump or a disk (a producer
 * string, a note, a file name, a dumpinfo.txt value), made safe for a
 * terminal or a log: printable ASCII passes, everything else -- control
 * bytes, escape sequences, DEL, non-ASCII, and the backslash itself --
 * becomes \xNN, so no byte from the input can move the cursor, change
 * colours or pose as another line.
 *
 * Interface: textesc_put() writes n bytes escaped to a stream;
 * textesc_str() escapes a NUL-terminated string (at most n bytes of it)
 * into out (cap bytes, always NUL-terminated, cut at a whole escape) and
 * returns out, for use as a printf argument.  Host only; header-only, so
 * each tool file includes it without a Makefile change.
 */
#ifndef TOOLS_TEXTESC_H
#define TOOLS_TEXTESC_H

#include <stddef.h>
#include <stdio.h>

static inline int textesc_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

static inline void textesc_put(FILE *f, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		if (textesc_plain(s[i]))
			putc(s[i], f);
		else
			fprintf(f, "\\x%02x", s[i]);
	}
}

static inline const char *textesc_str(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return out;
	for (size_t i = 0; i < n && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (textesc_plain(c) && o + 1 < cap) {
			out[o++] = (char)c;
		} else if (!textesc_plain(c) && o + 4 < cap) {
			snprintf(out + o, cap - o, "\\x%02x", c);
			o += 4;
		} else {
			break;
		}
	}
	out[o] = '\0';
	return out;
}

#endif
