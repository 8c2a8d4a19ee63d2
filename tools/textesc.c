/*
 * Escaping text for the terminal (see textesc.h).
 */
#include <stddef.h>
#include <stdio.h>

#include "tools/textesc.h"

static int textesc_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

const char *textesc(const void *p, size_t n, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = p;
	size_t o = 0;

	if (buf == NULL || len == 0)
		return buf;
	for (size_t i = 0; s != NULL && i < n && s[i] != '\0'; i++) {
		if (textesc_plain(s[i])) {
			if (len - o < 2)
				break;
			buf[o++] = (char)s[i];
		} else {
			if (len - o < 5)
				break;
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[s[i] >> 4];
			buf[o++] = hex[s[i] & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}

void textesc_put(FILE *f, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; s != NULL && i < n && s[i] != '\0'; i++) {
		if (textesc_plain(s[i]))
			fputc(s[i], f);
		else
			fprintf(f, "\\x%02x", s[i]);
	}
}

void textesc_put_all(FILE *f, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; s != NULL && i < n; i++) {
		if (textesc_plain(s[i]))
			fputc(s[i], f);
		else
			fprintf(f, "\\x%02x", s[i]);
	}
}
