/*
 * Unit tests for payload/encdump.c: known answers for the key derivation,
 * the salt and a whole stream (computed independently from the format's
 * description with Python's cryptography package); round trips of several
 * stream lengths fed in several piece sizes; every tamper class (header
 * fields, salt, wrapped key, header tag, padding; first, middle and last
 * chunk; swapped chunks); truncation at every chunk boundary and inside
 * chunks; the header parser's field checks; the sealer's errors; sealing
 * at offsets (the one-pass pattern) gives the in-order sealer's stream byte
 * for byte, through the dump partition writer's pattern, and refuses every
 * write outside it.
 */
#include <errno.h>
#include <stdlib.h>

#include "crypto/sha256.h"
#include "formats/le.h"
#include "payload/encdump.h"
#include "tests/unit/test.h"

#define CS 4096u	/* the smallest chunk size keeps the tests quick */
#define WIRE (CS + 16u)

struct sink {
	uint8_t *p;
	size_t len, cap;
	size_t fail_after;	/* fail the write that would pass this many bytes (0: never) */
};

static int sink_write(void *ctx, const void *buf, size_t len)
{
	struct sink *s = ctx;

	if (s->fail_after && s->len + len > s->fail_after)
		return -ENOSPC;
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->p = realloc(s->p, s->cap);
	}
	memcpy(s->p + s->len, buf, len);
	s->len += len;
	return 0;
}

static const uint8_t master[32] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
};

static uint8_t wrapped[256];

static void params(struct encdump_params *p, uint32_t chunk)
{
	memset(p, 0, sizeof(*p));
	p->chunk_size = chunk;
	p->inner_format = ENCDUMP_INNER_KDUMP;
	memset(p->key_id, 0x11, sizeof(p->key_id));
	for (int i = 0; i < 32; i++)
		p->salt[i] = (uint8_t)(0x20 + i);
	for (int i = 0; i < 256; i++)
		wrapped[i] = (uint8_t)(i * 7);
	p->wrapped = wrapped;
	p->wrapped_len = sizeof(wrapped);
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 31 + 7);
}

/* Seal len pattern bytes, written in pieces of `piece` bytes. */
static void seal(struct sink *out, size_t len, size_t piece)
{
	struct encdump_params p;
	struct encdump_sealer s;
	uint8_t key[32], *buf = malloc(WIRE), *data = malloc(len + 1);
	const char *why;

	params(&p, CS);
	encdump_derive_key(master, p.salt, key);
	for (size_t i = 0; i < len; i++)
		data[i] = pattern(i);
	CHECK_EQ(encdump_seal_init(&s, &p, key, buf, WIRE, sink_write, out, &why), 0);
	for (size_t off = 0; off < len; off += piece)
		CHECK_EQ(encdump_seal_write(&s, data + off, len - off < piece ? len - off : piece), 0);
	CHECK_EQ(encdump_seal_finish(&s), 0);
	CHECK_EQ(s.plain, len);
	CHECK_EQ(s.written, out->len);
	free(buf);
	free(data);
}

struct result {
	int init, feed, finish;
	uint64_t plain;		/* plaintext bytes handed out */
	bool plain_ok;		/* and they are the pattern's prefix */
	uint64_t trailing;
	char why[ENCDUMP_WHY_LEN];
};

static int check_plain(void *ctx, const void *buf, size_t len)
{
	struct result *r = ctx;
	const uint8_t *b = buf;

	for (size_t i = 0; i < len; i++)
		if (b[i] != pattern(r->plain + i))
			r->plain_ok = false;
	r->plain += len;
	return 0;
}

/* Open stream[0..len) fed in pieces; container_whole as given. */
static struct result open_stream(const uint8_t *stream, size_t len, size_t piece, bool whole)
{
	struct result r = { .plain_ok = true };
	struct encdump_opener o;
	struct encdump_reader rd;
	uint8_t key[32], *cbuf = malloc(ENCDUMP_CHUNK_WIRE(ENCDUMP_CHUNK_MAX)),
			 *pbuf = malloc(ENCDUMP_CHUNK_MAX);
	const char *why = NULL;
	struct encdump_header h;

	r.init = encdump_header_parse(stream, len, &h, &why);
	if (r.init == 0) {
		encdump_derive_key(master, h.salt, key);
		r.init = encdump_open_init(&o, stream, len, key, &why);
	}
	if (r.init) {
		snprintf(r.why, sizeof(r.why), "%s", why ? why : "?");
		r.feed = r.finish = r.init;
		goto out;
	}
	encdump_reader_init(&rd, &o, cbuf, pbuf, check_plain, &r);
	for (size_t off = ENCDUMP_HEADER_SIZE; off < len && r.feed == 0; off += piece)
		r.feed = encdump_reader_feed(&rd, stream + off, len - off < piece ? len - off : piece);
	r.finish = encdump_reader_finish(&rd, whole);
	r.trailing = rd.trailing;
	snprintf(r.why, sizeof(r.why), "%s", rd.why);
	encdump_open_free(&o);
out:
	free(cbuf);
	free(pbuf);
	return r;
}

TEST(kat_key_and_salt)
{
	static const uint8_t want_key[32] = {
		0xae, 0x95, 0x2b, 0x5b, 0x4a, 0xb7, 0xcc, 0x85, 0x50, 0x68, 0x75, 0xf0,
		0x21, 0x7d, 0xbf, 0x73, 0x4b, 0x09, 0x54, 0x9e, 0xca, 0x90, 0xbb, 0xde,
		0xfb, 0x30, 0x8a, 0xb3, 0x34, 0x19, 0xc4, 0xb2,
	};
	uint8_t salt[32], key[32], rnd[16], load_salt[32];
	char hex[65];

	for (int i = 0; i < 32; i++)
		salt[i] = (uint8_t)(0x20 + i);
	encdump_derive_key(master, salt, key);
	CHECK(memcmp(key, want_key, 32) == 0);
	CHECK_EQ(strlen(ENCDUMP_KEY_LABEL), ENCDUMP_KEY_LABEL_LEN);

	memset(rnd, 0xaa, sizeof(rnd));
	for (int i = 0; i < 32; i++)
		load_salt[i] = (uint8_t)(0x40 + i);
	encdump_make_salt(rnd, sizeof(rnd), 0x1122334455667788ull, 3, load_salt, salt);
	crypto_sha256_hex(salt, hex);
	CHECK_STR(hex, "a6002fedf0c07a25be0ccb9acfc093fc45fcbf490cc3f411f8420bc8bef268bd");
	/* Another attempt, another salt, another key. */
	uint8_t salt2[32], key2[32];
	encdump_make_salt(rnd, sizeof(rnd), 0x1122334455667788ull, 4, load_salt, salt2);
	CHECK(memcmp(salt, salt2, 32) != 0);
	encdump_derive_key(master, salt2, key2);
	encdump_derive_key(master, salt, key);
	CHECK(memcmp(key, key2, 32) != 0);
}

/* The whole stream for 5000 pattern bytes at chunk size 4096. */
TEST(kat_stream)
{
	struct sink out = { 0 };
	uint8_t d[32];
	char hex[65];

	seal(&out, 5000, 5000);
	CHECK_EQ(out.len, 9128);
	CHECK_EQ(out.len, encdump_stream_size(CS, 5000));
	crypto_sha256(out.p, out.len, d);
	crypto_sha256_hex(d, hex);
	CHECK_STR(hex, "596ac5bfe732b5008629128e3f515694e64d8121a20aa36ba316ef98210b2add");
	free(out.p);
}

TEST(round_trips)
{
	static const size_t lens[] = { 0, 1, CS - 1, CS, CS + 1, 2 * CS, 3 * CS, 3 * CS + 5 };
	static const size_t pieces[] = { 1, 1000, CS, 1 << 20 };

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (size_t j = 0; j < sizeof(pieces) / sizeof(pieces[0]); j++) {
			struct sink out = { 0 };

			if (pieces[j] == 1 && lens[i] > CS + 1)
				continue;	/* byte by byte: the short ones are enough */
			seal(&out, lens[i], pieces[j]);
			CHECK_EQ(out.len, encdump_stream_size(CS, lens[i]));
			CHECK_EQ(encdump_chunk_count(CS, lens[i]), lens[i] ? (lens[i] + CS - 1) / CS : 1);
			for (size_t k = 0; k < 3; k++) {
				size_t rp = k == 0 ? 1 : k == 1 ? 777 : WIRE;
				struct result r;

				if (rp == 1 && lens[i] > CS + 1)
					continue;
				r = open_stream(out.p, out.len, rp, true);
				CHECK_EQ(r.init, 0);
				CHECK_EQ(r.feed, 0);
				CHECK_EQ(r.finish, 0);
				CHECK_EQ(r.plain, lens[i]);
				CHECK(r.plain_ok);
				CHECK_EQ(r.trailing, 0);
			}
			free(out.p);
		}
	}
}

/* A full last chunk (k * chunk_size bytes) is the final one: no empty
 * chunk after it, and it verifies only as final. */
TEST(full_last_chunk_is_final)
{
	struct sink out = { 0 };
	struct encdump_opener o;
	struct encdump_header h;
	uint8_t key[32], plain[CS];

	seal(&out, 2 * CS, 100);
	CHECK_EQ(out.len, ENCDUMP_HEADER_SIZE + 2 * WIRE);
	CHECK_EQ(encdump_header_parse(out.p, out.len, &h, NULL), 0);
	encdump_derive_key(master, h.salt, key);
	CHECK_EQ(encdump_open_init(&o, out.p, out.len, key, NULL), 0);
	CHECK_EQ(encdump_open_chunk(&o, 0, false, out.p + 4096, WIRE, plain), 0);
	CHECK_EQ(encdump_open_chunk(&o, 0, true, out.p + 4096, WIRE, plain), -EBADMSG);
	CHECK_EQ(encdump_open_chunk(&o, 1, true, out.p + 4096 + WIRE, WIRE, plain), 0);
	CHECK_EQ(encdump_open_chunk(&o, 1, false, out.p + 4096 + WIRE, WIRE, plain), -EBADMSG);
	/* The wrong index never opens a chunk. */
	CHECK_EQ(encdump_open_chunk(&o, 1, false, out.p + 4096, WIRE, plain), -EBADMSG);
	/* Lengths out of range. */
	CHECK_EQ(encdump_open_chunk(&o, 0, true, out.p + 4096, 15, plain), -EINVAL);
	CHECK_EQ(encdump_open_chunk(&o, 0, true, out.p + 4096, WIRE + 1, plain), -EINVAL);
	CHECK_EQ(encdump_open_chunk(&o, 1, true, out.p + 4096, 16, plain), -EINVAL);
	encdump_open_free(&o);
	free(out.p);
}

/* Flip one byte at off: the stream must never read as whole, and the
 * verdict must name the class. */
static void tamper(const struct sink *good, size_t off, int want_init, int want_finish,
		   const char *want_why_part)
{
	uint8_t *c = malloc(good->len);
	struct result r;

	memcpy(c, good->p, good->len);
	c[off] ^= 0x01;
	r = open_stream(c, good->len, 1000, true);
	if (want_init) {
		CHECK_EQ(r.init, want_init);
	} else {
		CHECK_EQ(r.init, 0);
		CHECK_EQ(r.finish, want_finish);
	}
	CHECK(r.finish != 0);
	if (strstr(r.why, want_why_part) == NULL) {
		fprintf(stderr, "offset %zu: \"%s\" lacks \"%s\"\n", off, r.why, want_why_part);
		CHECK(0);
	}
	/* Whatever was handed out is an authentic prefix. */
	CHECK(r.plain_ok);
	free(c);
}

TEST(tamper_every_class)
{
	struct sink out = { 0 };
	size_t c0 = 4096, c1 = 4096 + WIRE, c3 = 4096 + 3 * WIRE;

	seal(&out, 3 * CS + 5, CS);	/* chunks 0, 1, 2 full, chunk 3 holds 5 bytes */
	CHECK_EQ(out.len, c3 + 5 + 16);
	tamper(&out, 0, -ENODATA, 0, "magic");
	tamper(&out, 0x008, -EBADMSG, 0, "version");
	tamper(&out, 0x00c, -EBADMSG, 0, "header_size");
	tamper(&out, 0x010, -EBADMSG, 0, "cipher");
	tamper(&out, 0x014, -EBADMSG, 0, "wrap");
	tamper(&out, 0x018, -EBADMSG, 0, "chunk_size");
	tamper(&out, 0x01c, -EACCES, 0, "header damaged");	/* wrapped_len 257: in range */
	tamper(&out, 0x01d, -EBADMSG, 0, "wrapped_len");	/* wrapped_len 0 */
	tamper(&out, 0x020, -EBADMSG, 0, "inner_format");
	tamper(&out, 0x024, -EBADMSG, 0, "flags");
	tamper(&out, 0x028, -EACCES, 0, "header damaged");	/* key_id */
	tamper(&out, 0x048, -EACCES, 0, "header damaged");	/* salt */
	tamper(&out, 0x068, -EACCES, 0, "header damaged");	/* wrapped key, first byte */
	tamper(&out, 0x167, -EACCES, 0, "header damaged");	/* wrapped key, last byte */
	tamper(&out, 0x168, -EBADMSG, 0, "after the wrapped key");
	tamper(&out, 0x468, -EACCES, 0, "header damaged");	/* the tag itself */
	tamper(&out, 0x477, -EACCES, 0, "header damaged");
	tamper(&out, 0x478, -EBADMSG, 0, "padding");
	tamper(&out, 0xfff, -EBADMSG, 0, "padding");
	tamper(&out, c0, 0, -EBADMSG, "chunk 0 fails");			/* first chunk */
	tamper(&out, c0 + CS + 3, 0, -EBADMSG, "chunk 0 fails");	/* its tag */
	tamper(&out, c1 + 2000, 0, -EBADMSG, "chunk 1 fails");		/* a middle chunk */
	tamper(&out, c3, 0, -EBADMSG, "chunk 3 fails");			/* the last */
	tamper(&out, out.len - 1, 0, -EBADMSG, "chunk 3 fails");	/* its tag */
	free(out.p);
}

TEST(swapped_and_dropped_chunks)
{
	struct sink out = { 0 };
	uint8_t *c, tmp[WIRE];
	struct result r;

	seal(&out, 3 * CS, CS);
	c = malloc(out.len);
	memcpy(c, out.p, out.len);
	memcpy(tmp, c + 4096, WIRE);
	memcpy(c + 4096, c + 4096 + WIRE, WIRE);
	memcpy(c + 4096 + WIRE, tmp, WIRE);
	r = open_stream(c, out.len, WIRE, true);
	CHECK_EQ(r.finish, -EBADMSG);
	CHECK(strstr(r.why, "chunk 0 fails") != NULL);
	CHECK_EQ(r.plain, 0);
	/* The middle chunk left out: chunk 2 in chunk 1's place fails. */
	memcpy(c, out.p, out.len);
	memmove(c + 4096 + WIRE, c + 4096 + 2 * WIRE, WIRE);
	r = open_stream(c, out.len - WIRE, WIRE, true);
	CHECK_EQ(r.finish, -EBADMSG);
	CHECK(strstr(r.why, "chunk 1 fails") != NULL);
	CHECK_EQ(r.plain, CS);
	free(c);
	free(out.p);
}

/* Cut the stream at every chunk boundary and inside every chunk: never
 * whole, only verified chunks handed out, the verdict says truncated. */
TEST(truncation_everywhere)
{
	struct sink out = { 0 };
	uint64_t nch = 4;

	seal(&out, 3 * CS + 5, 999);
	for (size_t cut = 0; cut < out.len; cut += (cut < 4096 ? 1024 : 61)) {
		struct result r = open_stream(out.p, cut, 1000, false);

		CHECK(r.finish != 0);
		if (cut < 4096) {
			CHECK_EQ(r.init, cut == 0 ? -ENODATA : -EINVAL);
			continue;
		}
		CHECK_EQ(r.finish, -ENODATA);
		CHECK(strstr(r.why, "truncated") != NULL);
		CHECK(r.plain_ok);
		CHECK_EQ(r.plain, (cut - 4096) / WIRE * CS);
	}
	for (uint64_t i = 0; i < nch; i++) {
		size_t at = (size_t)encdump_chunk_offset(CS, i);
		char want[64];
		struct result r = open_stream(out.p, at, 1000, false);

		CHECK_EQ(r.finish, -ENODATA);
		if (i == 0)
			snprintf(want, sizeof(want), "no chunk after the header");
		else
			snprintf(want, sizeof(want), "truncated after chunk %llu",
				 (unsigned long long)(i - 1));
		CHECK(strstr(r.why, want) != NULL);
		CHECK_EQ(r.plain, i * CS);
		/* The same cut when the container claims to be whole: not whole either. */
		r = open_stream(out.p, at, 1000, true);
		CHECK(r.finish != 0);
		/* A cut one byte into the chunk, and one byte short of its end. */
		r = open_stream(out.p, at + 1, 1000, false);
		CHECK_EQ(r.finish, -ENODATA);
		if (i < nch - 1) {
			r = open_stream(out.p, at + WIRE - 1, 1000, false);
			CHECK_EQ(r.finish, -ENODATA);
			r = open_stream(out.p, at + WIRE - 1, 1000, true);
			CHECK_EQ(r.finish, -EBADMSG);
		}
	}
	/* The last byte missing. */
	struct result r = open_stream(out.p, out.len - 1, 1000, false);
	CHECK_EQ(r.finish, -ENODATA);
	CHECK_EQ(r.plain, 3 * CS);
	free(out.p);
}

TEST(trailing_bytes_refused)
{
	struct sink out = { 0 };
	uint8_t zeros[100] = { 0 };
	struct result r;

	/* A full final chunk, then bytes: refused, the chunks before handed out. */
	seal(&out, 2 * CS, CS);
	sink_write(&out, zeros, sizeof(zeros));
	r = open_stream(out.p, out.len, 7, true);
	CHECK_EQ(r.finish, -EBADMSG);
	CHECK(strstr(r.why, "after the final chunk 1") != NULL);
	CHECK_EQ(r.plain, 2 * CS);
	free(out.p);
	/* A short final chunk, then bytes: it no longer verifies. */
	memset(&out, 0, sizeof(out));
	seal(&out, CS + 1, CS);
	sink_write(&out, zeros, sizeof(zeros));
	r = open_stream(out.p, out.len, 1000, true);
	CHECK_EQ(r.finish, -EBADMSG);
	CHECK(strstr(r.why, "chunk 1 fails") != NULL);
	CHECK_EQ(r.plain, CS);
	free(out.p);
}

TEST(header_parse_checks)
{
	struct encdump_params p;
	struct encdump_header h;
	uint8_t key[32], hdr[4096], bad[4096];
	const char *why;

	params(&p, 0);
	encdump_derive_key(master, p.salt, key);
	CHECK_EQ(encdump_header_build(&p, key, hdr, &why), 0);
	CHECK_EQ(encdump_header_parse(hdr, sizeof(hdr), &h, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(h.chunk_size, ENCDUMP_CHUNK_SIZE);	/* 0 asks for the default */
	CHECK_EQ(h.wrapped_len, 256);
	CHECK(encdump_is_encrypted(hdr, 8));
	CHECK(!encdump_is_encrypted(hdr, 7));
	CHECK_STR(encdump_inner_name(h.inner_format), "kdump-compressed");
	CHECK_STR(encdump_inner_name(2), "ELF core");
	CHECK_STR(encdump_inner_name(9), "unknown");
	CHECK_EQ(encdump_header_parse(hdr, 4095, &h, &why), -EINVAL);
	CHECK(strstr(why, "cut short") != NULL);
	CHECK_EQ(encdump_header_parse(NULL, 4096, &h, &why), -ENODATA);

	static const struct { size_t off; uint32_t v; const char *part; } f[] = {
		{ 0x008, 2, "version" }, { 0x00c, 512, "header_size" }, { 0x010, 2, "cipher" },
		{ 0x014, 0, "wrap" }, { 0x018, 0, "chunk_size" }, { 0x018, 2048, "chunk_size" },
		{ 0x018, 65537, "chunk_size" }, { 0x018, 2u << 20, "chunk_size" },
		{ 0x01c, 255, "wrapped_len" }, { 0x01c, 1025, "wrapped_len" },
		{ 0x01c, 0xffffffffu, "wrapped_len" }, { 0x020, 0, "inner_format" },
		{ 0x020, 3, "inner_format" }, { 0x024, 1, "flags" },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		memcpy(bad, hdr, sizeof(bad));
		le_put32(bad + f[i].off, f[i].v);
		CHECK_EQ(encdump_header_parse(bad, sizeof(bad), &h, &why), -EBADMSG);
		CHECK(why != NULL && strstr(why, f[i].part) != NULL);
	}
	/* Accepted extremes: chunk sizes 4096 and 1 MiB, wrapped 1024. */
	memcpy(bad, hdr, sizeof(bad));
	le_put32(bad + 0x018, 4096);
	CHECK_EQ(encdump_header_parse(bad, sizeof(bad), &h, &why), 0);
	le_put32(bad + 0x018, 1u << 20);
	CHECK_EQ(encdump_header_parse(bad, sizeof(bad), &h, &why), 0);
	le_put32(bad + 0x01c, 1024);
	CHECK_EQ(encdump_header_parse(bad, sizeof(bad), &h, &why), 0);
	/* ... but the tag no longer matches. */
	struct encdump_opener o;
	CHECK_EQ(encdump_open_init(&o, bad, sizeof(bad), key, &why), -EACCES);
	CHECK_EQ(encdump_open_init(&o, hdr, sizeof(hdr), key, &why), 0);
	encdump_open_free(&o);
	/* Another key: the tag does not verify. */
	key[0] ^= 1;
	CHECK_EQ(encdump_open_init(&o, hdr, sizeof(hdr), key, &why), -EACCES);

	/* The builder's own checks. */
	params(&p, 3000);
	CHECK_EQ(encdump_header_build(&p, key, hdr, &why), -EINVAL);
	CHECK(strstr(why, "chunk_size") != NULL);
	params(&p, 0);
	p.wrapped_len = 100;
	CHECK_EQ(encdump_header_build(&p, key, hdr, &why), -EINVAL);
	params(&p, 0);
	p.inner_format = 7;
	CHECK_EQ(encdump_header_build(&p, key, hdr, &why), -EINVAL);
}

TEST(sealer_errors)
{
	struct encdump_params p;
	struct encdump_sealer s;
	struct sink out = { 0 };
	uint8_t key[32], buf[WIRE], data[3 * CS];
	const char *why;

	params(&p, CS);
	memset(key, 1, sizeof(key));
	memset(data, 2, sizeof(data));
	/* A buffer one byte short of a chunk and its tag. */
	CHECK_EQ(encdump_seal_init(&s, &p, key, buf, WIRE - 1, sink_write, &out, &why), -EINVAL);
	CHECK_EQ(out.len, 0);
	/* The header write fails. */
	out.fail_after = 100;
	CHECK_EQ(encdump_seal_init(&s, &p, key, buf, WIRE, sink_write, &out, &why), -ENOSPC);
	/* A chunk write fails: the error sticks, finish reports it. */
	out.fail_after = 4096 + WIRE + 1;
	CHECK_EQ(encdump_seal_init(&s, &p, key, buf, WIRE, sink_write, &out, &why), 0);
	CHECK_EQ(encdump_seal_write(&s, data, sizeof(data)), -ENOSPC);
	CHECK_EQ(encdump_seal_write(&s, data, 1), -ENOSPC);
	CHECK_EQ(encdump_seal_finish(&s), -ENOSPC);
	CHECK_EQ(encdump_seal_finish(&s), -ENOSPC);
	/* Aborted: no final chunk, so the stream reads as truncated. */
	free(out.p);
	memset(&out, 0, sizeof(out));
	encdump_derive_key(master, p.salt, key);
	CHECK_EQ(encdump_seal_init(&s, &p, key, buf, WIRE, sink_write, &out, &why), 0);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = pattern(i);
	CHECK_EQ(encdump_seal_write(&s, data, sizeof(data)), 0);
	encdump_seal_abort(&s);
	CHECK_EQ(encdump_seal_write(&s, data, 1), -ECANCELED);
	struct result r = open_stream(out.p, out.len, 1000, true);
	CHECK_EQ(r.finish, -ENODATA);
	CHECK_EQ(r.plain, 2 * CS);
	free(out.p);
}

/* ------------------------------------------------------ sealing at offsets */

/* The target of encdump_seal_at: the dump partition writer's rules
 * (payload/dumphdr.h dumphdr_writer_body_at), each stream byte once. */
struct atsink {
	uint8_t *p, *done;
	size_t cap, pos;
	size_t gap0, gap1;
	unsigned jumps, bad;
};

static int atsink_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	struct atsink *t = ctx;

	if (off + len > t->cap) {
		t->bad++;
		return -EFBIG;
	}
	if (off > t->pos) {
		if (t->jumps++ || off % 512 || t->pos % 512)
			t->bad++;
		t->gap0 = t->pos;
		t->gap1 = off;
	} else if (off < t->pos && (off % 4096 || len != 4096 || off < t->gap0 || off + len > t->gap1)) {
		t->bad++;
	}
	for (size_t i = 0; i < len; i++)
		if (t->done[off + i]++)
			t->bad++;
	memcpy(t->p + off, buf, len);
	if (off >= t->pos)
		t->pos = off + len;
	return 0;
}

static int atsink_append(void *ctx, const void *buf, size_t len)
{
	return atsink_write(ctx, ((struct atsink *)ctx)->pos, buf, len);
}

struct atrun {
	struct encdump_sealer s;
	struct encdump_sealer_at a;
	uint8_t *bufs[ENCDUMP_AT_SLOTS];
	struct atsink t;
};

static void at_start(struct atrun *r, uint32_t chunk, size_t len)
{
	struct encdump_params p;
	uint8_t key[32];
	const char *why = NULL;

	memset(r, 0, sizeof(*r));
	params(&p, chunk);
	encdump_derive_key(master, p.salt, key);
	r->t.cap = (size_t)encdump_stream_size(chunk, len);
	r->t.p = calloc(1, r->t.cap);
	r->t.done = calloc(1, r->t.cap);
	for (int i = 0; i < ENCDUMP_AT_SLOTS; i++)
		r->bufs[i] = malloc(ENCDUMP_CHUNK_WIRE(chunk));
	CHECK_EQ(encdump_seal_init(&r->s, &p, key, r->bufs[0], ENCDUMP_CHUNK_WIRE(chunk),
				   atsink_append, &r->t, &why), 0);
	CHECK_EQ(encdump_seal_at_init(&r->a, &r->s, r->bufs, atsink_write, &r->t), 0);
}

static void at_end(struct atrun *r)
{
	free(r->t.p);
	free(r->t.done);
	for (int i = 0; i < ENCDUMP_AT_SLOTS; i++)
		free(r->bufs[i]);
}

/* The in-order stream of len pattern bytes in chunks of `chunk`. */
static void seal_in_order(struct sink *out, uint32_t chunk, size_t len)
{
	struct encdump_params p;
	struct encdump_sealer s;
	uint8_t key[32], *buf = malloc(ENCDUMP_CHUNK_WIRE(chunk)), *data = malloc(len + 1);

	params(&p, chunk);
	encdump_derive_key(master, p.salt, key);
	for (size_t i = 0; i < len; i++)
		data[i] = pattern(i);
	CHECK_EQ(encdump_seal_init(&s, &p, key, buf, ENCDUMP_CHUNK_WIRE(chunk), sink_write, out, NULL), 0);
	CHECK_EQ(encdump_seal_write(&s, data, len), 0);
	CHECK_EQ(encdump_seal_finish(&s), 0);
	free(buf);
	free(data);
}

static int at_put_pattern(struct atrun *r, uint64_t off, size_t len)
{
	uint8_t *d = malloc(len + 1);
	int err;

	for (size_t i = 0; i < len; i++)
		d[i] = pattern(off + i);
	err = encdump_seal_at_write(&r->a, off, d, len);
	free(d);
	return err;
}

static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(uint64_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return n ? rnd_state % n : 0;
}

/*
 * The one-pass pattern over len bytes: [0, gap0) appended, a jump to gap1,
 * [gap1, len) appended in random pieces while the gap's blocks are filled
 * in order between them, its last block at the very end (diskdump_single's
 * last descriptor block).
 */
static void at_pattern(struct atrun *r, size_t len, size_t gap0, size_t gap1)
{
	size_t pos = 0, fill = gap0;

	while (pos < gap0) {
		size_t n = 1 + (size_t)rnd(9000);

		n = n > gap0 - pos ? gap0 - pos : n;
		CHECK_EQ(at_put_pattern(r, pos, n), 0);
		pos += n;
	}
	pos = gap1;
	while (pos < len || fill < gap1) {
		if (pos < len && (rnd(3) || fill + 4096 >= gap1)) {
			size_t n = 1 + (size_t)rnd(20000);

			n = n > len - pos ? len - pos : n;
			CHECK_EQ(at_put_pattern(r, pos, n), 0);
			pos += n;
		} else {
			size_t n = 4096 * (1 + (size_t)rnd(3));

			if (fill + 4096 >= gap1)		/* the last block: at the end */
				n = 4096;
			else if (n > gap1 - 4096 - fill)
				n = gap1 - 4096 - fill;
			CHECK_EQ(at_put_pattern(r, fill, n), 0);
			fill += n;
		}
	}
}

TEST(seal_at_offsets_same_stream)
{
	static const uint32_t chunks[] = { 4096, 65536 };

	for (size_t c = 0; c < 2; c++) {
		uint32_t cs = chunks[c];

		for (int round = 0; round < 40; round++) {
			size_t gap0 = 4096 * (size_t)rnd(round < 5 ? 2 : 60);
			size_t gap1 = gap0 + 4096 * (1 + (size_t)rnd(round % 2 ? 3 : 80));
			size_t len = gap1 + (round == 3 ? 1 : (size_t)rnd(600000));
			struct sink ref = { 0 };
			struct atrun r;

			if (round == 7)		/* the stream ends on a chunk boundary */
				len = (gap1 / cs + 3) * cs;
			seal_in_order(&ref, cs, len);
			at_start(&r, cs, len);
			at_pattern(&r, len, gap0, gap1);
			CHECK_EQ(encdump_seal_at_finish(&r.a), 0);
			CHECK_EQ(r.t.bad, 0);
			CHECK(r.t.jumps <= 1);
			CHECK_EQ(r.t.pos, ref.len);
			CHECK(r.t.pos == ref.len && memcmp(r.t.p, ref.p, ref.len) == 0);
			CHECK_EQ(r.s.plain, len);
			CHECK_EQ(open_stream(r.t.p, r.t.pos, 7777, true).finish, 0);
			at_end(&r);
			free(ref.p);
		}
	}
	/* appends only, and nothing at all */
	for (size_t len = 0; len < 3 * 4096 + 2; len += 4096 + 1) {
		struct sink ref = { 0 };
		struct atrun r;

		seal_in_order(&ref, 4096, len);
		at_start(&r, 4096, len);
		if (len)
			CHECK_EQ(at_put_pattern(&r, 0, len), 0);
		CHECK_EQ(encdump_seal_at_finish(&r.a), 0);
		CHECK(r.t.pos == ref.len && memcmp(r.t.p, ref.p, ref.len) == 0);
		at_end(&r);
		free(ref.p);
	}
}

TEST(seal_at_offsets_refusals)
{
	struct atrun r;
	size_t len = 40 * 4096;

	/* a gap block twice: refused, never resealed */
	at_start(&r, 4096, len);
	CHECK_EQ(at_put_pattern(&r, 0, 8192), 0);
	CHECK_EQ(at_put_pattern(&r, 16384, 100), 0);
	CHECK_EQ(at_put_pattern(&r, 8192, 4096), 0);
	CHECK_EQ(at_put_pattern(&r, 8192, 4096), -EINVAL);
	CHECK(strstr(r.a.why, "twice") != NULL);
	CHECK_EQ(at_put_pattern(&r, 12288, 4096), -EINVAL);	/* sticky */
	CHECK_EQ(encdump_seal_at_finish(&r.a), -EINVAL);
	CHECK_EQ(r.t.bad, 0);
	at_end(&r);

	/* a fill out of order, a second jump, an unaligned jump, an append twice */
	at_start(&r, 4096, len);
	CHECK_EQ(at_put_pattern(&r, 0, 8192), 0);
	CHECK_EQ(at_put_pattern(&r, 32768, 10), 0);
	CHECK_EQ(at_put_pattern(&r, 12288, 4096), -EINVAL);
	encdump_seal_at_abort(&r.a);
	at_end(&r);
	at_start(&r, 4096, len);
	CHECK_EQ(at_put_pattern(&r, 0, 8192), 0);
	CHECK_EQ(at_put_pattern(&r, 32768, 4096), 0);
	CHECK_EQ(at_put_pattern(&r, 65536, 4096), -EINVAL);
	CHECK(strstr(r.a.why, "jump") != NULL);
	encdump_seal_at_abort(&r.a);
	at_end(&r);
	at_start(&r, 4096, len);
	CHECK_EQ(at_put_pattern(&r, 0, 100), 0);
	CHECK_EQ(at_put_pattern(&r, 8192, 100), -EINVAL);
	encdump_seal_at_abort(&r.a);
	at_end(&r);
	at_start(&r, 4096, len);
	CHECK_EQ(at_put_pattern(&r, 0, 5000), 0);
	CHECK_EQ(at_put_pattern(&r, 4096, 904), -EINVAL);
	encdump_seal_at_abort(&r.a);
	at_end(&r);

	/* the gap never filled: finish refuses, the stream has no final chunk */
	at_start(&r, 4096, len);
	CHECK_EQ(at_put_pattern(&r, 0, 8192), 0);
	CHECK_EQ(at_put_pattern(&r, 16384, 9000), 0);
	CHECK_EQ(at_put_pattern(&r, 8192, 4096), 0);
	CHECK_EQ(encdump_seal_at_finish(&r.a), -EINVAL);
	CHECK(strstr(r.a.why, "gap") != NULL);
	CHECK(open_stream(r.t.p, r.t.pos, 4096, false).finish != 0);
	at_end(&r);

	/* not a stream just begun */
	{
		struct encdump_sealer s;
		struct encdump_sealer_at a;
		uint8_t *bufs[ENCDUMP_AT_SLOTS] = { 0 };

		memset(&s, 0, sizeof(s));
		s.finished = true;
		CHECK_EQ(encdump_seal_at_init(&a, &s, bufs, atsink_write, NULL), -EINVAL);
	}
}

/* Where the chunks of a stream of a given length lie. */
TEST(layout)
{
	uint64_t n;
	size_t last;

	CHECK_EQ(encdump_layout(CS, ENCDUMP_HEADER_SIZE + WIRE, &n, &last), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(last, WIRE);
	CHECK_EQ(encdump_layout(CS, ENCDUMP_HEADER_SIZE + 16, &n, &last), 0);	/* empty stream */
	CHECK_EQ(n, 1);
	CHECK_EQ(last, 16);
	CHECK_EQ(encdump_layout(CS, ENCDUMP_HEADER_SIZE + 3 * WIRE + 17, &n, &last), 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(last, 17);
	CHECK_EQ(encdump_layout(CS, ENCDUMP_HEADER_SIZE + 2 * WIRE + 15, &n, &last), -EINVAL);
	CHECK_EQ(n, 3);		/* a last piece too short for a tag: still placed */
	CHECK_EQ(last, 15);
	CHECK_EQ(encdump_layout(CS, ENCDUMP_HEADER_SIZE, &n, &last), -EINVAL);
	CHECK_EQ(n, 0);
	CHECK_EQ(encdump_layout(CS, 100, &n, &last), -EINVAL);
	CHECK_EQ(n, 0);
	CHECK_EQ(encdump_layout(0, 1 << 20, &n, &last), -EINVAL);
	/* 2^63 bytes of 1 MiB chunks: no overflow */
	CHECK_EQ(encdump_layout(ENCDUMP_CHUNK_MAX, UINT64_MAX, &n, &last), 0);
	CHECK_EQ(n, (UINT64_MAX - ENCDUMP_HEADER_SIZE) / ENCDUMP_CHUNK_WIRE(ENCDUMP_CHUNK_MAX) + 1);
	for (uint64_t len = ENCDUMP_HEADER_SIZE + 16; len < ENCDUMP_HEADER_SIZE + 3 * WIRE; len += 97) {
		uint64_t plain = len - ENCDUMP_HEADER_SIZE;

		if (encdump_layout(CS, len, &n, &last) != 0)
			continue;
		plain -= 16 * n;
		CHECK_EQ(encdump_stream_size(CS, plain), len);
		CHECK_EQ(encdump_chunk_offset(CS, n - 1) + last, len);
	}
}

/* Each chunk opens on its own, with others missing, in any order; a
 * changed one, or one under another index, never does. */
TEST(chunks_open_alone)
{
	struct sink out = { 0 };
	struct encdump_opener o;
	struct encdump_header h;
	uint8_t key[32], plain[CS], *c;
	uint64_t n;
	size_t last;
	bool final = true;

	seal(&out, 3 * CS + 100, 1000);
	CHECK_EQ(encdump_layout(CS, out.len, &n, &last), 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(last, 116);
	CHECK_EQ(encdump_header_parse(out.p, out.len, &h, NULL), 0);
	encdump_derive_key(master, h.salt, key);
	CHECK_EQ(encdump_open_init(&o, out.p, out.len, key, NULL), 0);
	for (uint64_t i = n; i-- > 0;) {
		size_t len = i == n - 1 ? last : WIRE;

		CHECK_EQ(encdump_open_chunk_any(&o, i, out.p + encdump_chunk_offset(CS, i), len, plain,
						&final), 0);
		CHECK_EQ(final, i == n - 1);
		for (size_t k = 0; k < len - 16; k++)
			if (plain[k] != pattern(i * CS + k))
				CHECK(!"plaintext");
	}
	/* The wrong index, a changed byte, a cut chunk: none opens. */
	CHECK_EQ(encdump_open_chunk_any(&o, 2, out.p + encdump_chunk_offset(CS, 1), WIRE, plain,
					&final), -EBADMSG);
	CHECK(!final);
	CHECK_EQ(plain[0], 0);	/* zeroed */
	c = malloc(out.len);
	memcpy(c, out.p, out.len);
	c[encdump_chunk_offset(CS, 1) + 5] ^= 1;
	CHECK_EQ(encdump_open_chunk_any(&o, 1, c + encdump_chunk_offset(CS, 1), WIRE, plain, &final),
		 -EBADMSG);
	CHECK_EQ(encdump_open_chunk_any(&o, 1, out.p + encdump_chunk_offset(CS, 1), WIRE - 1, plain,
					&final), -EBADMSG);
	CHECK_EQ(encdump_open_chunk_any(&o, 3, out.p + encdump_chunk_offset(CS, 3), 15, plain,
					&final), -EINVAL);
	CHECK_EQ(encdump_open_chunk_any(&o, 3, out.p + encdump_chunk_offset(CS, 3), WIRE + 1, plain,
					&final), -EINVAL);
	encdump_open_free(&o);
	free(c);
	free(out.p);
}

TEST_MAIN(kat_key_and_salt, kat_stream, round_trips, full_last_chunk_is_final, tamper_every_class,
	  swapped_and_dropped_chunks, truncation_everywhere, trailing_bytes_refused,
	  header_parse_checks, sealer_errors, layout, chunks_open_alone,
	  seal_at_offsets_same_stream, seal_at_offsets_refusals)
