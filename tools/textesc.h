/*
 * Text from a disk, a capture, a dump or a handoff block (a producer
 * string, a note, a file name, a dumpinfo.txt value, a header's reason),
 * made safe for a terminal or a log.
 *
 * Interface.  Bytes 0x20..0x7e other than '\' pass as they are; every
 * other byte (control bytes, ESC, \r, \n, DEL, bytes >= 0x80) and '\'
 * itself become \xNN, so what is printed cannot move the cursor, change
 * colours or pass for another line, and the original bytes can be read
 * back.
 *  - textesc(p, n, buf, len): p[0..n), stopping at the first NUL, into
 *    buf.  buf of TEXTESC_LEN(n) bytes always holds the whole result; a
 *    shorter one gets as much as fits, cut at a whole character, always
 *    NUL-terminated.  Returns buf (textesc_str is the same call, for
 *    callers that name it so).
 *  - textesc_put(f, p, n): the same, written to a stream.
 *  - textesc_put_all(f, p, n): every byte of p[0..n), NULs as \x00.
 * Host only; no allocation.
 */
#ifndef TOOLS_TEXTESC_H
#define TOOLS_TEXTESC_H

#include <stddef.h>
#include <stdio.h>

#define TEXTESC_LEN(n)	(4 * (n) + 1)

const char *textesc(const void *p, size_t n, char *buf, size_t len);
void textesc_put(FILE *f, const void *p, size_t n);
void textesc_put_all(FILE *f, const void *p, size_t n);

static inline const char *textesc_str(const char *s, size_t n, char *out, size_t cap)
{
	return textesc(s, n, out, cap);
}

#endif
