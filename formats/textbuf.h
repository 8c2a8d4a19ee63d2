/*
 * textbuf: a bounded text builder.  textbuf_add() appends printf-style
 * text to a caller's buffer and never writes past it: what does not fit
 * is dropped whole-call (the buffer keeps the text before that call) and
 * `cut` is set, so a message is never torn in the middle of a field.
 * textbuf_add_part() is for the one-line reasons whose fixed buffer they
 * fill to the last byte: it keeps what fits.  The buffer is always
 * NUL-terminated.
 *
 * Pure: no globals, no allocation.
 */
#ifndef FORMATS_TEXTBUF_H
#define FORMATS_TEXTBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct textbuf {
	char *buf;
	size_t cap;		/* bytes at buf, the NUL included */
	size_t len;		/* text so far */
	bool cut;		/* a call did not fit */
};

/* Start on buf[0..cap) (cap >= 1). */
void textbuf_init(struct textbuf *t, char *buf, size_t cap);

/* Append; returns false (and sets cut) when it did not fit. */
bool textbuf_add(struct textbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append as much as fits, cut at the buffer's end; false (cut set) when cut. */
bool textbuf_add_part(struct textbuf *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* textbuf_add_part() with a va_list, for a caller's own printf-style function. */
bool textbuf_vadd_part(struct textbuf *t, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Append len raw bytes; false (nothing added) when they do not fit. */
bool textbuf_put(struct textbuf *t, const char *s, size_t len);

/* Bytes still free (the NUL's byte not counted). */
size_t textbuf_room(const struct textbuf *t);

#endif
