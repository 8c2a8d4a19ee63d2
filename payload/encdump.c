/*
 * Encrypted dump streams: header, keys, sealing and opening; see encdump.h
 * and docs/encryption.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/hmac_sha256.h"
#include "formats/le.h"
#include "payload/encdump.h"

#define AAD_LEN (SHA256_LEN + 8 + 1)

void encdump_derive_key(const uint8_t master[ENCDUMP_KEY_LEN], const uint8_t salt[ENCDUMP_SALT_LEN],
			uint8_t key[ENCDUMP_KEY_LEN])
{
	struct crypto_hmac_sha256 h;

	crypto_hmac_sha256_init(&h, master, ENCDUMP_KEY_LEN);
	crypto_hmac_sha256_update(&h, ENCDUMP_KEY_LABEL, ENCDUMP_KEY_LABEL_LEN);
	crypto_hmac_sha256_update(&h, salt, ENCDUMP_SALT_LEN);
	crypto_hmac_sha256_final(&h, key);
}

void encdump_make_salt(const void *rnd, size_t rnd_len, uint64_t tsc, uint32_t attempt,
		       const uint8_t load_salt[ENCDUMP_SALT_LEN], uint8_t salt[ENCDUMP_SALT_LEN])
{
	struct crypto_sha256 c;
	uint8_t b[12];

	le_put64(b, tsc);
	le_put32(b + 8, attempt);
	crypto_sha256_init(&c);
	if (rnd_len)
		crypto_sha256_update(&c, rnd, rnd_len);
	crypto_sha256_update(&c, b, sizeof(b));
	crypto_sha256_update(&c, load_salt, ENCDUMP_SALT_LEN);
	crypto_sha256_final(&c, salt);
}

/* ---------------------------------------------------------------- header */

static const uint8_t header_iv[AESGCM_IV_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static bool chunk_size_ok(uint32_t c)
{
	return c >= ENCDUMP_CHUNK_MIN && c <= ENCDUMP_CHUNK_MAX && (c & (c - 1)) == 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

static const char *params_check(const struct encdump_params *p)
{
	if (p == NULL)
		return "no parameters";
	if (p->chunk_size && !chunk_size_ok(p->chunk_size))
		return "chunk_size not a power of two in 4096..1048576";
	if (p->inner_format != ENCDUMP_INNER_KDUMP && p->inner_format != ENCDUMP_INNER_ELF)
		return "inner_format neither kdump-compressed (1) nor ELF (2)";
	if (p->wrapped == NULL || p->wrapped_len < ENCDUMP_WRAPPED_MIN ||
	    p->wrapped_len > ENCDUMP_WRAPPED_MAX)
		return "wrapped key length outside 256..1024";
	return NULL;
}

/* The tag over header bytes [0, ENCDUMP_TAG_OFFSET) under an opened key. */
static int header_tag(struct crypto_aesgcm *g, const uint8_t *hdr, uint8_t tag[ENCDUMP_TAG_LEN])
{
	return crypto_aesgcm_seal(g, header_iv, hdr, ENCDUMP_TAG_OFFSET, NULL, NULL, 0, tag);
}

static void header_encode(const struct encdump_params *p, uint8_t *out)
{
	memset(out, 0, ENCDUMP_HEADER_SIZE);
	memcpy(out, ENCDUMP_MAGIC, ENCDUMP_MAGIC_LEN);
	le_put32(out + 0x008, ENCDUMP_VERSION);
	le_put32(out + 0x00c, ENCDUMP_HEADER_SIZE);
	le_put32(out + 0x010, ENCDUMP_CIPHER_AES256GCM);
	le_put32(out + 0x014, ENCDUMP_WRAP_RSA_OAEP_SHA256);
	le_put32(out + 0x018, p->chunk_size ? p->chunk_size : ENCDUMP_CHUNK_SIZE);
	le_put32(out + 0x01c, p->wrapped_len);
	le_put32(out + 0x020, p->inner_format);
	le_put32(out + 0x024, 0);
	memcpy(out + 0x028, p->key_id, ENCDUMP_KEY_ID_LEN);
	memcpy(out + 0x048, p->salt, ENCDUMP_SALT_LEN);
	memcpy(out + 0x068, p->wrapped, p->wrapped_len);
}

int encdump_header_build(const struct encdump_params *p, const uint8_t dump_key[ENCDUMP_KEY_LEN],
			 void *out, const char **why)
{
	struct crypto_aesgcm g;
	const char *bad = params_check(p);
	uint8_t *o = out;
	int ret;

	if (why)
		*why = bad;
	if (bad || out == NULL || dump_key == NULL) {
		if (why && !bad)
			*why = "no buffer or key";
		return -EINVAL;
	}
	header_encode(p, o);
	ret = crypto_aesgcm_setkey(&g, dump_key);
	if (ret)
		return ret;
	ret = header_tag(&g, o, o + ENCDUMP_TAG_OFFSET);
	crypto_aesgcm_free(&g);
	return ret;
}

bool encdump_is_encrypted(const void *buf, size_t len)
{
	return buf != NULL && len >= ENCDUMP_MAGIC_LEN && memcmp(buf, ENCDUMP_MAGIC, ENCDUMP_MAGIC_LEN) == 0;
}

const char *encdump_inner_name(uint32_t inner_format)
{
	switch (inner_format) {
	case ENCDUMP_INNER_KDUMP:
		return "kdump-compressed";
	case ENCDUMP_INNER_ELF:
		return "ELF core";
	default:
		return "unknown";
	}
}

int encdump_header_parse(const void *buf, size_t len, struct encdump_header *out,
			 const char **why)
{
	const uint8_t *b = buf;
	struct encdump_header h;
	const char *bad = NULL;

	memset(&h, 0, sizeof(h));
	if (out)
		memset(out, 0, sizeof(*out));
	if (why)
		*why = NULL;
	if (b == NULL || len < ENCDUMP_HEADER_SIZE) {
		if (why)
			*why = encdump_is_encrypted(buf, len) ? "encrypted header cut short (under 4096 bytes)"
							      : "under 4096 bytes: no encrypted header";
		return encdump_is_encrypted(buf, len) ? -EINVAL : -ENODATA;
	}
	if (memcmp(b, ENCDUMP_MAGIC, ENCDUMP_MAGIC_LEN) != 0) {
		if (why)
			*why = "no PMENCRY1 magic: not an encrypted dump";
		return -ENODATA;
	}
	memcpy(h.magic, b, ENCDUMP_MAGIC_LEN);
	h.version = le_get32(b + 0x008);
	h.header_size = le_get32(b + 0x00c);
	h.cipher = le_get32(b + 0x010);
	h.wrap = le_get32(b + 0x014);
	h.chunk_size = le_get32(b + 0x018);
	h.wrapped_len = le_get32(b + 0x01c);
	h.inner_format = le_get32(b + 0x020);
	h.flags = le_get32(b + 0x024);
	memcpy(h.key_id, b + 0x028, ENCDUMP_KEY_ID_LEN);
	memcpy(h.salt, b + 0x048, ENCDUMP_SALT_LEN);
	memcpy(h.wrapped, b + 0x068, ENCDUMP_WRAPPED_MAX);
	memcpy(h.header_tag, b + ENCDUMP_TAG_OFFSET, ENCDUMP_TAG_LEN);

	if (h.version != ENCDUMP_VERSION)
		bad = "encrypted header: version is not 1";
	else if (h.header_size != ENCDUMP_HEADER_SIZE)
		bad = "encrypted header: header_size is not 4096";
	else if (h.cipher != ENCDUMP_CIPHER_AES256GCM)
		bad = "encrypted header: cipher is not 1 (AES-256-GCM)";
	else if (h.wrap != ENCDUMP_WRAP_RSA_OAEP_SHA256)
		bad = "encrypted header: wrap is not 1 (RSA-OAEP SHA-256)";
	else if (!chunk_size_ok(h.chunk_size))
		bad = "encrypted header: chunk_size not a power of two in 4096..1048576";
	else if (h.wrapped_len < ENCDUMP_WRAPPED_MIN || h.wrapped_len > ENCDUMP_WRAPPED_MAX)
		bad = "encrypted header: wrapped_len outside 256..1024";
	else if (h.inner_format != ENCDUMP_INNER_KDUMP && h.inner_format != ENCDUMP_INNER_ELF)
		bad = "encrypted header: inner_format neither 1 nor 2";
	else if (h.flags != 0)
		bad = "encrypted header: flags not 0";
	else if (!all_zero(h.wrapped + h.wrapped_len, ENCDUMP_WRAPPED_MAX - h.wrapped_len))
		bad = "encrypted header: bytes after the wrapped key not zero";
	else if (!all_zero(b + ENCDUMP_USED_SIZE, ENCDUMP_HEADER_SIZE - ENCDUMP_USED_SIZE))
		bad = "encrypted header: padding after the header tag not zero";
	if (out)
		*out = h;
	if (bad) {
		if (why)
			*why = bad;
		return -EBADMSG;
	}
	return 0;
}

/* ----------------------------------------------------------------- sizes */

uint64_t encdump_chunk_count(uint32_t chunk_size, uint64_t plain_len)
{
	if (chunk_size == 0)
		return 0;
	if (plain_len == 0)
		return 1;
	return plain_len / chunk_size + (plain_len % chunk_size != 0);
}

uint64_t encdump_stream_size(uint32_t chunk_size, uint64_t plain_len)
{
	return ENCDUMP_HEADER_SIZE + plain_len + ENCDUMP_TAG_LEN * encdump_chunk_count(chunk_size, plain_len);
}

uint64_t encdump_chunk_offset(uint32_t chunk_size, uint64_t i)
{
	return ENCDUMP_HEADER_SIZE + i * ENCDUMP_CHUNK_WIRE(chunk_size);
}

int encdump_layout(uint32_t chunk_size, uint64_t stream_len, uint64_t *count, size_t *last_wire)
{
	uint64_t wire = ENCDUMP_CHUNK_WIRE(chunk_size), body;

	*count = 0;
	*last_wire = 0;
	if (chunk_size == 0 || stream_len <= ENCDUMP_HEADER_SIZE)
		return -EINVAL;
	body = stream_len - ENCDUMP_HEADER_SIZE;
	*count = body / wire + (body % wire != 0);
	*last_wire = (size_t)(body - (*count - 1) * wire);
	return *last_wire < ENCDUMP_TAG_LEN ? -EINVAL : 0;
}

/* ---------------------------------------------------------------- chunks */

static void chunk_iv_aad(const uint8_t digest[SHA256_LEN], uint64_t index, bool final,
			 uint8_t iv[AESGCM_IV_LEN], uint8_t aad[AAD_LEN])
{
	memset(iv, 0, 4);
	le_put64(iv + 4, index);
	memcpy(aad, digest, SHA256_LEN);
	le_put64(aad + SHA256_LEN, index);
	aad[SHA256_LEN + 8] = final ? 1 : 0;
}

int encdump_open_init(struct encdump_opener *o, const void *hdr, size_t len,
		      const uint8_t dump_key[ENCDUMP_KEY_LEN], const char **why)
{
	uint8_t tag[ENCDUMP_TAG_LEN];
	uint8_t diff = 0;
	int ret;

	memset(o, 0, sizeof(*o));
	ret = encdump_header_parse(hdr, len, &o->h, why);
	if (ret)
		return ret;
	ret = crypto_aesgcm_setkey(&o->gcm, dump_key);
	if (ret) {
		if (why)
			*why = "the cipher could not be set up";
		return ret;
	}
	ret = header_tag(&o->gcm, hdr, tag);
	for (int i = 0; i < ENCDUMP_TAG_LEN; i++)
		diff |= tag[i] ^ o->h.header_tag[i];
	if (ret || diff) {
		crypto_aesgcm_free(&o->gcm);
		if (why)
			*why = ret ? "the cipher failed" : "header_tag does not verify: header damaged";
		return ret ? ret : -EACCES;
	}
	crypto_sha256(hdr, ENCDUMP_HEADER_SIZE, o->header_digest);
	o->keyed = true;
	return 0;
}

int encdump_open_chunk(struct encdump_opener *o, uint64_t index, bool final, const void *in,
		       size_t in_len, void *out)
{
	uint8_t iv[AESGCM_IV_LEN], aad[AAD_LEN], tag[ENCDUMP_TAG_LEN];
	size_t n;

	if (!o->keyed || in_len < ENCDUMP_TAG_LEN || in_len > ENCDUMP_CHUNK_WIRE(o->h.chunk_size))
		return -EINVAL;
	n = in_len - ENCDUMP_TAG_LEN;
	if (n == 0 && index != 0)
		return -EINVAL;
	if (n < o->h.chunk_size && !final)
		return -EBADMSG;	/* only the last chunk may be short */
	memcpy(tag, (const uint8_t *)in + n, ENCDUMP_TAG_LEN);
	chunk_iv_aad(o->header_digest, index, final, iv, aad);
	return crypto_aesgcm_open(&o->gcm, iv, aad, AAD_LEN, in, out, n, tag);
}

int encdump_open_chunk_any(struct encdump_opener *o, uint64_t index, const void *in,
			   size_t in_len, void *out, bool *final)
{
	int ret = -EBADMSG;

	*final = false;
	if (!o->keyed || in_len < ENCDUMP_TAG_LEN || in_len > ENCDUMP_CHUNK_WIRE(o->h.chunk_size))
		return -EINVAL;
	if (in_len == ENCDUMP_CHUNK_WIRE(o->h.chunk_size))
		ret = encdump_open_chunk(o, index, false, in, in_len, out);
	if (ret != 0 && (ret = encdump_open_chunk(o, index, true, in, in_len, out)) == 0)
		*final = true;
	return ret;
}

void encdump_open_free(struct encdump_opener *o)
{
	if (o->keyed)
		crypto_aesgcm_free(&o->gcm);
	o->keyed = false;
}

/* ---------------------------------------------------------------- sealer */

static int seal_emit(struct encdump_sealer *s, bool final)
{
	uint8_t iv[AESGCM_IV_LEN], aad[AAD_LEN];
	int ret;

	chunk_iv_aad(s->header_digest, s->index, final, iv, aad);
	ret = crypto_aesgcm_seal(&s->gcm, iv, aad, AAD_LEN, s->buf, s->buf, s->fill, s->buf + s->fill);
	if (ret == 0)
		ret = s->write(s->ctx, s->buf, s->fill + ENCDUMP_TAG_LEN);
	if (ret) {
		s->err = ret;
		return ret;
	}
	s->written += s->fill + ENCDUMP_TAG_LEN;
	s->index++;
	s->fill = 0;
	return 0;
}

int encdump_seal_init(struct encdump_sealer *s, const struct encdump_params *p,
		      const uint8_t dump_key[ENCDUMP_KEY_LEN], void *buf, size_t buf_len,
		      encdump_write_fn write, void *ctx, const char **why)
{
	const char *bad = params_check(p);
	int ret;

	memset(s, 0, sizeof(*s));
	s->finished = true;
	if (why)
		*why = bad;
	if (bad)
		return s->err = -EINVAL;
	s->chunk_size = p->chunk_size ? p->chunk_size : ENCDUMP_CHUNK_SIZE;
	if (buf == NULL || write == NULL || dump_key == NULL ||
	    buf_len < ENCDUMP_CHUNK_WIRE(s->chunk_size)) {
		if (why)
			*why = "seal buffer smaller than one chunk and its tag";
		return s->err = -EINVAL;
	}
	s->buf = buf;
	s->write = write;
	s->ctx = ctx;
	header_encode(p, s->buf);
	ret = crypto_aesgcm_setkey(&s->gcm, dump_key);
	if (ret) {
		if (why)
			*why = "the cipher could not be set up";
		return s->err = ret;
	}
	ret = header_tag(&s->gcm, s->buf, s->buf + ENCDUMP_TAG_OFFSET);
	if (ret == 0) {
		crypto_sha256(s->buf, ENCDUMP_HEADER_SIZE, s->header_digest);
		ret = write(ctx, s->buf, ENCDUMP_HEADER_SIZE);
	}
	if (ret) {
		crypto_aesgcm_free(&s->gcm);
		if (why)
			*why = "the header could not be written";
		return s->err = ret;
	}
	s->written = ENCDUMP_HEADER_SIZE;
	s->finished = false;
	return 0;
}

int encdump_seal_write(struct encdump_sealer *s, const void *data, size_t len)
{
	const uint8_t *d = data;

	if (s->err)
		return s->err;
	if (s->finished)
		return s->err = -EINVAL;
	while (len) {
		size_t n;

		if (s->fill == s->chunk_size && seal_emit(s, false))
			return s->err;
		n = s->chunk_size - s->fill;
		if (n > len)
			n = len;
		memcpy(s->buf + s->fill, d, n);
		s->fill += n;
		s->plain += n;
		d += n;
		len -= n;
	}
	return 0;
}

int encdump_seal_finish(struct encdump_sealer *s)
{
	if (s->finished)
		return s->err ? s->err : -EINVAL;
	if (s->err == 0)
		seal_emit(s, true);
	crypto_aesgcm_free(&s->gcm);
	crypto_wipe(s->buf, ENCDUMP_CHUNK_WIRE(s->chunk_size));
	s->finished = true;
	return s->err;
}

void encdump_seal_abort(struct encdump_sealer *s)
{
	if (s->finished)
		return;
	crypto_aesgcm_free(&s->gcm);
	crypto_wipe(s->buf, ENCDUMP_CHUNK_WIRE(s->chunk_size));
	s->finished = true;
	if (s->err == 0)
		s->err = -ECANCELED;
}

/* ------------------------------------------------------ sealing at offsets */

/*
 * Why a chunk is sealed once and never again: its IV is its index, so a
 * second sealing would put two plaintexts under one (key, IV) pair.  For
 * GCM that gives away the XOR of the two plaintexts and, from the two
 * tags, the hash key GHASH runs under, with which anyone can forge tags
 * for any chunk.  So a byte that arrives twice, or where the pattern does
 * not allow it, fails the stream instead of resealing its chunk, and the
 * stream side writes each block once (appends at the front, fills in
 * increasing order), so not even a second sealing could reach the target.
 */

static int at_bad(struct encdump_sealer_at *a, int err, const char *what, uint64_t off)
{
	if (a->err == 0) {
		a->err = err;
		snprintf(a->why, sizeof(a->why), "the encrypted stream refused %s at offset %llu",
			 what, (unsigned long long)off);
	}
	return a->err;
}

int encdump_seal_at_init(struct encdump_sealer_at *a, struct encdump_sealer *s,
			 uint8_t *const bufs[ENCDUMP_AT_SLOTS], encdump_write_at_fn write_at,
			 void *ctx)
{
	memset(a, 0, sizeof(*a));
	a->s = s;
	a->write_at = write_at;
	a->ctx = ctx;
	if (s == NULL || bufs == NULL || write_at == NULL || s->finished || s->err ||
	    s->written != ENCDUMP_HEADER_SIZE || s->plain != 0) {
		snprintf(a->why, sizeof(a->why), "the encrypted stream cannot take writes at offsets "
			 "(not a stream just begun)");
		return a->err = -EINVAL;
	}
	for (unsigned i = 0; i < ENCDUMP_AT_SLOTS; i++) {
		if (bufs[i] == NULL)
			return a->err = -EINVAL;
		a->slot[i].buf = bufs[i];
	}
	a->front = ENCDUMP_HEADER_SIZE;	/* the header block: written by encdump_seal_init */
	return 0;
}

/* One stream block (or the stream's last, shorter one) to the target. */
static int at_put(struct encdump_sealer_at *a, uint64_t off, const uint8_t *p, size_t len)
{
	int err;

	if (off < a->front) {
		/* a fill: the gap's next block, each once */
		if (!a->cjumped || off != a->cgap_next || len != ENCDUMP_AT_BLOCK ||
		    off + len > a->cgap_end)
			return at_bad(a, -EINVAL, "a stream block written twice or out of order", off);
		a->cgap_next += len;
	} else if (off > a->front) {
		/* a jump: the blocks between are filled later */
		if (a->cjumped || a->front % ENCDUMP_AT_BLOCK)
			return at_bad(a, -EINVAL, "a second jump in the stream", off);
		a->cjumped = true;
		a->cgap_next = a->front;
		a->cgap_end = off;
	}
	err = a->write_at(a->ctx, off, p, len);
	if (err) {
		if (a->err == 0)
			a->err = err;
		return err;
	}
	if (off >= a->front)
		a->front = off + len;
	return 0;
}

static struct encdump_at_edge *at_edge(struct encdump_sealer_at *a, uint64_t block)
{
	struct encdump_at_edge *free = NULL;

	for (unsigned i = 0; i < ENCDUMP_AT_EDGES; i++) {
		if (a->edge[i].used && a->edge[i].block == block)
			return &a->edge[i];
		if (!a->edge[i].used && free == NULL)
			free = &a->edge[i];
	}
	if (free) {
		free->used = true;
		free->block = block;
		free->got = 0;
	}
	return free;
}

/* A sealed chunk's bytes at stream offset start: whole blocks at once,
 * the blocks it shares with a neighbour when both parts are there. */
static int at_emit(struct encdump_sealer_at *a, uint64_t start, const uint8_t *p, size_t len,
		   bool last)
{
	uint64_t end = start + len;

	for (uint64_t b = start / ENCDUMP_AT_BLOCK; b * ENCDUMP_AT_BLOCK < end; b++) {
		uint64_t at = b * ENCDUMP_AT_BLOCK;
		uint64_t lo = start > at ? start : at;
		uint64_t hi = end < at + ENCDUMP_AT_BLOCK ? end : at + ENCDUMP_AT_BLOCK;
		uint64_t need = last && hi == end ? end - at : ENCDUMP_AT_BLOCK;
		struct encdump_at_edge *e;
		int err;

		if (lo == at && hi - lo == need) {
			err = at_put(a, at, p + (lo - start), (size_t)need);
			if (err)
				return err;
			continue;
		}
		e = at_edge(a, b);
		if (e == NULL)
			return at_bad(a, -ENOSPC, "more blocks shared by two chunks waiting than "
				      "it keeps", at);
		memcpy(e->buf + (lo - at), p + (lo - start), (size_t)(hi - lo));
		e->got += (uint32_t)(hi - lo);
		if (e->got > need)
			return at_bad(a, -EINVAL, "a stream block's bytes twice", at);
		if (e->got == need) {
			e->used = false;
			err = at_put(a, at, e->buf, (size_t)need);
			if (err)
				return err;
		}
	}
	return 0;
}

static int at_seal(struct encdump_sealer_at *a, struct encdump_at_slot *sl, bool final)
{
	struct encdump_sealer *s = a->s;
	uint8_t iv[AESGCM_IV_LEN], aad[AAD_LEN];
	int ret;

	chunk_iv_aad(s->header_digest, sl->index, final, iv, aad);
	ret = crypto_aesgcm_seal(&s->gcm, iv, aad, AAD_LEN, sl->buf, sl->buf, sl->got,
				 sl->buf + sl->got);
	sl->used = false;
	if (ret) {
		if (a->err == 0) {
			a->err = ret;
			snprintf(a->why, sizeof(a->why), "sealing chunk %llu failed (error %d)",
				 (unsigned long long)sl->index, ret);
		}
		return a->err;
	}
	s->written += sl->got + ENCDUMP_TAG_LEN;
	s->plain += sl->got;
	s->index++;		/* chunks sealed */
	return at_emit(a, ENCDUMP_HEADER_SIZE + sl->index * ENCDUMP_CHUNK_WIRE(s->chunk_size),
		       sl->buf, sl->got + ENCDUMP_TAG_LEN, final);
}

/* Seal every whole chunk some byte after it has reached, lowest first. */
static int at_sweep(struct encdump_sealer_at *a)
{
	uint64_t c = a->s->chunk_size;

	for (;;) {
		struct encdump_at_slot *best = NULL;

		for (unsigned i = 0; i < ENCDUMP_AT_SLOTS; i++) {
			struct encdump_at_slot *sl = &a->slot[i];

			if (sl->used && sl->got == c && (sl->index + 1) * c < a->offered &&
			    (best == NULL || sl->index < best->index))
				best = sl;
		}
		if (best == NULL)
			return 0;
		if (at_seal(a, best, false))
			return a->err;
	}
}

static struct encdump_at_slot *at_slot(struct encdump_sealer_at *a, uint64_t index)
{
	struct encdump_at_slot *free = NULL;

	for (unsigned i = 0; i < ENCDUMP_AT_SLOTS; i++) {
		if (a->slot[i].used && a->slot[i].index == index)
			return &a->slot[i];
		if (!a->slot[i].used && free == NULL)
			free = &a->slot[i];
	}
	if (free) {
		free->used = true;
		free->index = index;
		free->got = 0;
	}
	return free;
}

int encdump_seal_at_write(struct encdump_sealer_at *a, uint64_t off, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t c;

	if (a->err)
		return a->err;
	if (len == 0)
		return 0;
	if (data == NULL || off + len < off)
		return at_bad(a, -EINVAL, "a write", off);
	c = a->s->chunk_size;
	if (off == a->offered) {
		a->offered += len;			/* an append */
	} else if (off > a->offered) {			/* the jump */
		if (a->jumped || off % ENCDUMP_AT_BLOCK || a->offered % ENCDUMP_AT_BLOCK)
			return at_bad(a, -EINVAL, "a jump forward (a second one, or not on a "
				      "4096-byte boundary)", off);
		a->jumped = true;
		a->gap_next = a->offered;
		a->gap_end = off;
		a->offered = off + len;
	} else {					/* a fill of the gap */
		if (!a->jumped || off != a->gap_next || off % ENCDUMP_AT_BLOCK ||
		    len % ENCDUMP_AT_BLOCK || len > a->gap_end - off)
			return at_bad(a, -EINVAL, "bytes below the appends that are not the next "
				      "whole blocks of the gap (a byte twice, or out of order)", off);
		a->gap_next += len;
	}
	while (len) {
		uint64_t k = off / c;
		size_t in = (size_t)(off % c), n = (size_t)(c - in) < len ? (size_t)(c - in) : len;
		struct encdump_at_slot *sl;

		if (at_sweep(a))
			return a->err;
		sl = at_slot(a, k);
		if (sl == NULL)
			return at_bad(a, -ENOSPC, "a chunk: more chunks being filled at once than "
				      "it keeps", off);
		memcpy(sl->buf + in, p, n);
		sl->got += (uint32_t)n;
		if (sl->got > c)
			return at_bad(a, -EINVAL, "a chunk's bytes twice", off);
		off += n;
		p += n;
		len -= n;
	}
	return at_sweep(a);
}

static void at_free(struct encdump_sealer_at *a)
{
	struct encdump_sealer *s = a->s;

	if (s == NULL || s->finished)
		return;
	crypto_aesgcm_free(&s->gcm);
	for (unsigned i = 0; i < ENCDUMP_AT_SLOTS; i++)
		if (a->slot[i].buf)
			crypto_wipe(a->slot[i].buf, ENCDUMP_CHUNK_WIRE(s->chunk_size));
	s->finished = true;
}

int encdump_seal_at_finish(struct encdump_sealer_at *a)
{
	struct encdump_sealer *s = a->s;
	uint64_t c, last;
	struct encdump_at_slot *sl = NULL;

	if (s == NULL || s->finished)
		return a->err ? a->err : -EINVAL;
	c = s->chunk_size;
	last = a->offered ? (a->offered - 1) / c : 0;
	if (a->err == 0 && a->jumped && a->gap_next != a->gap_end)
		at_bad(a, -EINVAL, "the end: the gap is not filled from", a->gap_next);
	for (unsigned i = 0; a->err == 0 && i < ENCDUMP_AT_SLOTS; i++) {
		if (!a->slot[i].used)
			continue;
		if (a->slot[i].index != last)
			at_bad(a, -EINVAL, "the end: bytes missing in the chunk",
			       a->slot[i].index * c);
		sl = &a->slot[i];
	}
	if (a->err == 0 && sl == NULL) {	/* an empty stream: one empty final chunk */
		if (a->offered != 0)
			at_bad(a, -EINVAL, "the end: the last chunk is missing", last * c);
		else
			sl = at_slot(a, 0);
	}
	if (a->err == 0 && sl->got != a->offered - last * c)
		at_bad(a, -EINVAL, "the end: bytes missing in the last chunk", last * c);
	if (a->err == 0 && at_seal(a, sl, true) == 0) {
		for (unsigned i = 0; i < ENCDUMP_AT_EDGES; i++)
			if (a->edge[i].used)
				at_bad(a, -EINVAL, "the end: a stream block was never whole",
				       a->edge[i].block * ENCDUMP_AT_BLOCK);
		if (a->cjumped && a->cgap_next != a->cgap_end)
			at_bad(a, -EINVAL, "the end: stream blocks not written from", a->cgap_next);
	}
	if (a->err && s->err == 0)
		s->err = a->err;
	at_free(a);
	return a->err;
}

void encdump_seal_at_abort(struct encdump_sealer_at *a)
{
	if (a->s && !a->s->finished && a->s->err == 0)
		a->s->err = -ECANCELED;
	at_free(a);
}

/* ---------------------------------------------------------------- reader */

void encdump_reader_init(struct encdump_reader *r, struct encdump_opener *o, void *cbuf,
			 void *pbuf, encdump_write_fn out, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->cbuf = cbuf;
	r->pbuf = pbuf;
	r->out = out;
	r->ctx = ctx;
}

static int reader_fail(struct encdump_reader *r, int err)
{
	r->err = err;
	return err;
}

/* Hand out the chunk just opened into pbuf. */
static int reader_pass(struct encdump_reader *r, size_t n, bool final)
{
	int ret = n ? r->out(r->ctx, r->pbuf, n) : 0;

	if (ret) {
		snprintf(r->why, sizeof(r->why), "writing the plaintext of chunk %llu failed",
			 (unsigned long long)r->index);
		return reader_fail(r, ret);
	}
	r->plain += n;
	r->have = 0;
	r->index++;
	r->final_seen = final;
	return 0;
}

/* A full buffer with more bytes after it: a middle chunk, or a final one
 * with trailing bytes. */
static int reader_full(struct encdump_reader *r)
{
	size_t wire = ENCDUMP_CHUNK_WIRE(r->o->h.chunk_size);
	bool final;

	if (encdump_open_chunk_any(r->o, r->index, r->cbuf, wire, r->pbuf, &final) == 0)
		return reader_pass(r, r->o->h.chunk_size, final);
	snprintf(r->why, sizeof(r->why), "chunk %llu fails authentication (damaged)",
		 (unsigned long long)r->index);
	return reader_fail(r, -EBADMSG);
}

int encdump_reader_feed(struct encdump_reader *r, const void *data, size_t len)
{
	const uint8_t *d = data;
	size_t wire = ENCDUMP_CHUNK_WIRE(r->o->h.chunk_size);

	if (r->err)
		return r->err;
	while (len) {
		size_t n;

		if (r->final_seen) {
			r->trailing += len;
			snprintf(r->why, sizeof(r->why),
				 "bytes after the final chunk %llu: the stream is longer than it says",
				 (unsigned long long)(r->index - 1));
			return reader_fail(r, -EBADMSG);
		}
		if (r->have == wire && reader_full(r))
			return r->err;
		if (r->final_seen)
			continue;
		n = wire - r->have;
		if (n > len)
			n = len;
		memcpy(r->cbuf + r->have, d, n);
		r->have += n;
		d += n;
		len -= n;
	}
	return 0;
}

int encdump_reader_finish(struct encdump_reader *r, bool container_whole)
{
	size_t wire = ENCDUMP_CHUNK_WIRE(r->o->h.chunk_size);
	unsigned long long verified;

	if (r->err)
		return r->err;
	if (r->final_seen) {
		snprintf(r->why, sizeof(r->why), "whole: %llu chunks verified, the last one final",
			 (unsigned long long)r->index);
		return 0;
	}
	verified = (unsigned long long)r->index;
	if (r->have == 0) {
		if (verified == 0)
			snprintf(r->why, sizeof(r->why), "truncated: no chunk after the header");
		else
			snprintf(r->why, sizeof(r->why),
				 "truncated after chunk %llu: %llu chunks verified, none final",
				 verified - 1, verified);
		return reader_fail(r, -ENODATA);
	}
	if (r->have >= ENCDUMP_TAG_LEN &&
	    encdump_open_chunk(r->o, r->index, true, r->cbuf, r->have, r->pbuf) == 0)
		return reader_pass(r, r->have - ENCDUMP_TAG_LEN, true) ? r->err
									: encdump_reader_finish(r, container_whole);
	if (r->have == wire &&
	    encdump_open_chunk(r->o, r->index, false, r->cbuf, wire, r->pbuf) == 0) {
		if (reader_pass(r, r->o->h.chunk_size, false))
			return r->err;
		snprintf(r->why, sizeof(r->why),
			 "truncated after chunk %llu: %llu chunks verified, none final", verified,
			 verified + 1);
		return reader_fail(r, -ENODATA);
	}
	if (r->have == wire || container_whole) {
		snprintf(r->why, sizeof(r->why), "chunk %llu fails authentication (damaged)", verified);
		return reader_fail(r, -EBADMSG);
	}
	if (verified == 0)
		snprintf(r->why, sizeof(r->why),
			 "truncated inside chunk 0 (%zu of up to %zu bytes, which do not verify)",
			 r->have, wire);
	else
		snprintf(r->why, sizeof(r->why),
			 "truncated after chunk %llu: chunk %llu has %zu of up to %zu bytes, which do "
			 "not verify",
			 verified - 1, verified, r->have, wire);
	return reader_fail(r, -ENODATA);
}
