/*
 * FAT names: 8.3 short names (basis name, numeric tail, formatting), the
 * long-name checksum, UTF-8 <-> UTF-16 for long names, name rules and
 * comparison.  Interface: formats/fat.h (the pure helpers) and
 * formats/fat_impl.h.
 *
 * Short names follow the spec's section 7 ("Basis-Name Generation
 * Algorithm", "Numeric-Tail Generation Algorithm"): uppercase; characters
 * an 8.3 name cannot hold become '_' (a multi-byte UTF-8 character gives
 * one '_'); leading periods, spaces and all but the last period are
 * dropped; 8 + 3 characters kept.  Any loss means the long name needs LFN
 * entries and the short name a "~N" tail; a name that only differs in
 * case gets LFN entries and no tail.  Case folding is ASCII only, which is
 * all the writer ever puts in a short name.
 *
 * Pure: no I/O at all.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/fat.h"
#include "formats/fat_impl.h"

static uint8_t fat_upper(uint8_t c)
{
	return c >= 'a' && c <= 'z' ? (uint8_t)(c - 'a' + 'A') : c;
}

/* A character an 8.3 name may hold as it is (spec section 6, DIR_Name). */
static bool fat_short_char(uint8_t c)
{
	static const char special[] = "$%'-_@~`!(){}^#&";

	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != 0 && memchr(special, c, sizeof(special) - 1) != NULL;
}

/* Byte offsets of the 13 UTF-16 units in an LFN entry (LDIR_Name1, 2, 3). */
const uint8_t fat_lfn_unit_at[FAT_LFN_CHARS] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };

uint8_t fat_lfn_checksum(const uint8_t short_name[11])
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + short_name[i]);
	return sum;
}

struct fat_basis {
	uint8_t *out;
	unsigned n, max;
	bool lossy, lower;
};

/* Put the character at s[*k] into b (advancing *k past a UTF-8 sequence). */
static void fat_basis_put(const uint8_t *s, size_t *k, size_t end, struct fat_basis *b)
{
	uint8_t c = s[*k];

	if (c == ' ' || c == '.') {
		b->lossy = true;
		return;
	}
	if (c >= 0x80) {
		while (*k + 1 < end && (s[*k + 1] & 0xc0) == 0x80)
			(*k)++;
		c = '_';
		b->lossy = true;
	} else if (c >= 'a' && c <= 'z') {
		c = fat_upper(c);
		b->lower = true;
	} else if (!fat_short_char(c)) {
		c = '_';
		b->lossy = true;
	}
	if (b->n == b->max) {
		b->lossy = true;
		return;
	}
	b->out[b->n++] = c;
}

int fat_short_basis(const char *name, size_t len, uint8_t out[11])
{
	const uint8_t *s = (const uint8_t *)name;
	struct fat_basis base = { out, 0, 8, false, false }, ext = { out + 8, 0, 3, false, false };
	size_t start = 0, dot = len;

	memset(out, ' ', 11);
	while (start < len && (s[start] == '.' || s[start] == ' ')) {
		start++;
		base.lossy = true;
	}
	for (size_t k = start; k < len; k++)
		if (s[k] == '.')
			dot = k;
	for (size_t k = start; k < dot; k++)
		fat_basis_put(s, &k, dot, &base);
	for (size_t k = dot + 1; k < len; k++)
		fat_basis_put(s, &k, len, &ext);
	if (dot < len && ext.n == 0)
		ext.lossy = true;	/* "NAME." */
	if (base.n == 0) {
		out[0] = '_';
		base.lossy = true;
	}
	if (base.lossy || ext.lossy)
		return FAT_BASIS_LOSSY;
	return base.lower || ext.lower ? FAT_BASIS_CASE : FAT_BASIS_EXACT;
}

void fat_short_tail(uint8_t name[11], uint32_t n)
{
	char tail[8];
	unsigned t = 0, b = 8, keep;
	char digits[7];
	unsigned nd = 0;

	if (n == 0 || n > 999999)
		n = 1;
	do {
		digits[nd++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	tail[t++] = '~';
	while (nd)
		tail[t++] = digits[--nd];
	while (b > 0 && name[b - 1] == ' ')
		b--;
	keep = b < 8 - t ? b : 8 - t;
	memcpy(name + keep, tail, t);
	for (unsigned i = keep + t; i < 8; i++)
		name[i] = ' ';
}

/* N when have is basis with the tail "~N", else 0. */
uint32_t fat_tail_of(const uint8_t have[11], const uint8_t basis[11])
{
	uint8_t cand[11];
	uint32_t n = 0;
	int tilde = -1, i;

	if (memcmp(have + 8, basis + 8, 3) != 0)
		return 0;
	for (i = 0; i < 8; i++)
		if (have[i] == '~')
			tilde = i;
	if (tilde < 0 || tilde == 7 || have[tilde + 1] == '0')
		return 0;
	for (i = tilde + 1; i < 8 && have[i] != ' '; i++) {
		if (have[i] < '0' || have[i] > '9')
			return 0;
		n = n * 10 + (uint32_t)(have[i] - '0');
	}
	if (n == 0 || n > 999999)
		return 0;
	memcpy(cand, basis, 11);
	fat_short_tail(cand, n);
	return memcmp(cand, have, 11) == 0 ? n : 0;
}

void fat_short_format(const uint8_t name[11], char *out)
{
	unsigned b = 8, e = 11, k = 0;

	while (b > 0 && name[b - 1] == ' ')
		b--;
	while (e > 8 && name[e - 1] == ' ')
		e--;
	for (unsigned i = 0; i < b; i++) {
		uint8_t c = i == 0 && name[0] == FAT_DIR_KANJI_E5 ? FAT_DIR_FREE : name[i];

		out[k++] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	if (e > 8)
		out[k++] = '.';
	for (unsigned i = 8; i < e; i++)
		out[k++] = name[i] < 0x20 || name[i] >= 0x7f ? '?' : (char)name[i];
	out[k] = '\0';
}

/* ------------------------------------------------------------ long names */

/* ASCII case-insensitive: a[0..alen) against the string b. */
bool fat_name_eq(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++)
		if (b[i] == '\0' || fat_upper((uint8_t)a[i]) != fat_upper((uint8_t)b[i]))
			return false;
	return b[i] == '\0';
}

/* The rules for a name the writer creates (spec section 7: long-name characters). */
int fat_name_check(const char *name, size_t len)
{
	static const char bad[] = "\"*/:<>?\\|";

	if (len == 0)
		return -EINVAL;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	if (name[len - 1] == ' ' || name[len - 1] == '.')
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)name[i];

		if (c < 0x20 || c == 0x7f || memchr(bad, c, sizeof(bad) - 1) != NULL)
			return -EINVAL;
	}
	return 0;
}

/* One code point from UTF-8 at s[*k] (strict: no overlongs, no surrogates). */
static int fat_utf8_next(const uint8_t *s, size_t len, size_t *k, uint32_t *cp)
{
	uint8_t c = s[*k];
	unsigned extra = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 :
			 c >= 0xf0 && c < 0xf5 ? 3 : 4;
	uint32_t x = extra == 0 ? c : extra == 1 ? c & 0x1fu : extra == 2 ? c & 0x0fu : c & 0x07u;

	if (extra == 4 || len - *k <= extra)
		return -EINVAL;
	for (unsigned i = 1; i <= extra; i++) {
		if ((s[*k + i] & 0xc0) != 0x80)
			return -EINVAL;
		x = x << 6 | (s[*k + i] & 0x3fu);
	}
	if ((extra == 2 && x < 0x800) || (extra == 3 && (x < 0x10000 || x > 0x10ffff)) ||
	    (x >= 0xd800 && x <= 0xdfff))
		return -EINVAL;
	*k += extra + 1;
	*cp = x;
	return 0;
}

int fat_utf8_to_utf16(const char *s, size_t len, uint16_t *out, unsigned max, unsigned *n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t k = 0;
	uint32_t cp;

	*n = 0;
	while (k < len) {
		if (fat_utf8_next(p, len, &k, &cp))
			return -EINVAL;
		if (*n + (cp >= 0x10000 ? 2 : 1) > max)
			return -ENAMETOOLONG;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			out[(*n)++] = (uint16_t)(0xd800 | cp >> 10);
			out[(*n)++] = (uint16_t)(0xdc00 | (cp & 0x3ff));
		} else {
			out[(*n)++] = (uint16_t)cp;
		}
	}
	return 0;
}

/* UTF-16 to UTF-8, NUL-terminated; an unpaired surrogate becomes '?'. */
void fat_utf16_to_utf8(const uint16_t *in, unsigned n, char *out, size_t outlen)
{
	size_t k = 0;

	for (unsigned i = 0; i < n && outlen > 0; i++) {
		uint32_t cp = in[i];
		uint8_t b[4];
		unsigned nb;

		if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < n && in[i + 1] >= 0xdc00 &&
		    in[i + 1] < 0xe000)
			cp = 0x10000 + ((cp - 0xd800) << 10) + (in[++i] - 0xdc00u);
		else if (cp >= 0xd800 && cp < 0xe000)
			cp = '?';
		if (cp < 0x80) {
			b[0] = (uint8_t)cp;
			nb = 1;
		} else if (cp < 0x800) {
			b[0] = (uint8_t)(0xc0 | cp >> 6);
			b[1] = (uint8_t)(0x80 | (cp & 0x3f));
			nb = 2;
		} else if (cp < 0x10000) {
			b[0] = (uint8_t)(0xe0 | cp >> 12);
			b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
			b[2] = (uint8_t)(0x80 | (cp & 0x3f));
			nb = 3;
		} else {
			b[0] = (uint8_t)(0xf0 | cp >> 18);
			b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
			b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
			b[3] = (uint8_t)(0x80 | (cp & 0x3f));
			nb = 4;
		}
		if (k + nb >= outlen)
			break;
		memcpy(out + k, b, nb);
		k += nb;
	}
	if (outlen > 0)
		out[k] = '\0';
}
