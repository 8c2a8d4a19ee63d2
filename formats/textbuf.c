/*
 * textbuf: a bounded text builder (see textbuf.h).
 */
#include <stdarg.h>
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

bool textbuf_add(struct textbuf *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->cap == 0 || t->len >= t->cap) {
		t->cut = true;
		return false;
	}
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len) {
		t->buf[t->len] = '\0';	/* drop the part that was written */
		t->cut = true;
		return false;
	}
	t->len += (size_t)n;
	return true;
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
