/*
 * Text from a disk, a dump or a handoff block, made safe for a terminal.
 *
 * Interface.  textesc() copies the bytes p[0..n), stopping at the first
 * NUL, into buf as printable ASCII: bytes 0x20..0x7e other than '\' as
 * they are, every other byte (control bytes, ESC, \r, \n, DEL, bytes >=
 * 0x80) and '\' itself as \xNN, so what is printed cannot move the cursor,
 * change colours or pass for another line, and the original bytes can be
 * read back.  buf of TEXTESC_LEN(n) bytes always holds the whole result;
 * a shorter one gets as much as fits, cut at a whole character, always
 * NUL-terminated.  Returns buf.  textesc_put() writes the same to a FILE.
 * Host only; no allocation.
 */
#ifndef TOOLS_TEXTESC_H
#define TOOLS_TEXTESC_H

#include <stddef.h>
#include <stdio.h>

#define TEXTESC_LEN(n)	(4 * (n) + 1)

const char *textesc(const void *p, size_t n, char *buf, size_t len);
void textesc_put(FILE *f, const void *p, size_t n);

#endif
