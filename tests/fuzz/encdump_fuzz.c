/*
 * libFuzzer target for payload/encdump.c: the input is an encrypted stream
 * (header block, then chunks).  Parse the header; derive its key from a
 * fixed master key and the header's salt (the key the seeds were made
 * with), check the tag, then read the chunks in pieces whose size comes
 * from the input's length.  Invariants abort: a whole verdict hands out
 * exactly the plaintext the stream's length implies, and sealing that
 * plaintext again under the same header gives the same bytes; plaintext is
 * never handed out past a failure.  Seeds: tests/fuzz/corpus/encdump/
 * (master key bytes 0..31, chunk size 4096).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/encdump.h"

struct acc {
	uint8_t *p;
	size_t len, cap;
};

static int take(void *ctx, const void *buf, size_t len)
{
	struct acc *a = ctx;

	if (a->len + len > a->cap) {
		a->cap = (a->len + len) * 2;
		a->p = realloc(a->p, a->cap);
		if (a->p == NULL)
			abort();
	}
	memcpy(a->p + a->len, buf, len);
	a->len += len;
	return 0;
}

static int cmp_write(void *ctx, const void *buf, size_t len)
{
	struct acc *a = ctx;	/* the original stream; len counts what matched */

	if (a->len + len > a->cap || memcmp(a->p + a->len, buf, len) != 0)
		abort();
	a->len += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t master[32] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	};
	struct encdump_header h;
	struct encdump_opener o;
	struct encdump_reader r;
	struct acc plain = { 0 };
	uint8_t key[32], *cbuf, *pbuf;
	const char *why;
	size_t piece = 1 + size % 4099;
	int ret;

	ret = encdump_header_parse(data, size, &h, &why);
	if (ret != 0) {
		if (why == NULL || (ret != -ENODATA && ret != -EINVAL && ret != -EBADMSG))
			abort();
		return 0;
	}
	encdump_derive_key(master, h.salt, key);
	if (encdump_open_init(&o, data, size, key, &why) != 0)
		return 0;
	cbuf = malloc(ENCDUMP_CHUNK_WIRE(h.chunk_size));
	pbuf = malloc(h.chunk_size);
	encdump_reader_init(&r, &o, cbuf, pbuf, take, &plain);
	for (size_t off = ENCDUMP_HEADER_SIZE; off < size; off += piece)
		if (encdump_reader_feed(&r, data + off, size - off < piece ? size - off : piece))
			break;
	ret = encdump_reader_finish(&r, size & 1);
	if (plain.len != r.plain || plain.len > size)
		abort();
	if (ret == 0) {
		struct encdump_params p;
		struct encdump_sealer s;
		struct acc orig = { (uint8_t *)data, 0, size };

		if (encdump_stream_size(h.chunk_size, plain.len) != size)
			abort();
		memset(&p, 0, sizeof(p));
		p.chunk_size = h.chunk_size;
		p.inner_format = h.inner_format;
		memcpy(p.key_id, h.key_id, sizeof(p.key_id));
		memcpy(p.salt, h.salt, sizeof(p.salt));
		p.wrapped = h.wrapped;
		p.wrapped_len = h.wrapped_len;
		if (encdump_seal_init(&s, &p, key, cbuf, ENCDUMP_CHUNK_WIRE(h.chunk_size), cmp_write,
				      &orig, &why) != 0 ||
		    encdump_seal_write(&s, plain.p, plain.len) != 0 || encdump_seal_finish(&s) != 0 ||
		    orig.len != size)
			abort();
	} else if (r.why[0] == '\0') {
		abort();
	}
	encdump_open_free(&o);
	free(cbuf);
	free(pbuf);
	free(plain.p);
	return 0;
}
