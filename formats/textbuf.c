/*
 * textbuf: a bounded text builder (see textbuf.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "formats/textbuf.h"

void textbuf_init(struct textbuf *t, char *buf, size_t cap)
{
	t->buf = buf;
	t->cap = cap;
	t->len = 0;
	t->cut = false;
	if (cap)
		buf[0] = '\0';
}

size_t textbuf_room(const struct textbuf *t)
{
	return t->cap > t->len ? t->cap - t->len - 1 : 0;
}

/* Format at the end; on overflow keep the part that fits, or drop it all. */
static bool textbuf_vadd(struct textbuf *t, bool keep_part, const char *fmt, va_list ap)
{
	int n;

	if (t->cap == 0 || t->len >= t->cap) {
		t->cut = true;
		return false;
	}
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	if (n < 0 || (size_t)n >= t->cap - t->len) {
		if (keep_part && n >= 0)
			t->len = t->cap - 1;	/* vsnprintf wrote what fits */
		else
			t->buf[t->len] = '\0';	/* drop the part that was written */
		t->cut = true;
		return false;
	}
	t->len += (size_t)n;
	return true;
}

bool textbuf_add(struct textbuf *t, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = textbuf_vadd(t, false, fmt, ap);
	va_end(ap);
	return ok;
}

bool textbuf_vadd_part(struct textbuf *t, const char *fmt, va_list ap)
{
	return textbuf_vadd(t, true, fmt, ap);
}

bool textbuf_add_part(struct textbuf *t, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = textbuf_vadd(t, true, fmt, ap);
	va_end(ap);
	return ok;
}

bool textbuf_put(struct textbuf *t, const char *s, size_t len)
{
	if (len > textbuf_room(t) || t->cap == 0) {
		t->cut = true;
		return false;
	}
	memmove(t->buf + t->len, s, len);
	t->len += len;
	t->buf[t->len] = '\0';
	return true;
}
