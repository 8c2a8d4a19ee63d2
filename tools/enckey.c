/*
 * Keys and the decrypting writer of encrypted dumps; see tools/enckey.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "crypto/hmac_sha256.h"
#include "crypto/sha256.h"
#include "tools/enckey.h"

#define MIN_BITS 3072
#define MAX_BITS (8 * ENCDUMP_WRAPPED_MAX)

int enckey_random(void *buf, size_t len)
{
	uint8_t *b = buf;

	while (len) {
		ssize_t n = getrandom(b, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static int rng(void *ctx, unsigned char *out, size_t len)
{
	(void)ctx;
	return enckey_random(out, len) == 0 ? 0 : MBEDTLS_ERR_RSA_RNG_FAILED;
}

void enckey_id_hex(const uint8_t id[ENCDUMP_KEY_ID_LEN], char out[2 * ENCDUMP_KEY_ID_LEN + 1])
{
	crypto_sha256_hex(id, out);
}

void enckey_free(struct enckey *k)
{
	if (k->pk != NULL) {
		mbedtls_pk_free(k->pk);
		free(k->pk);
	}
	memset(k, 0, sizeof(*k));
}

/* The checks both loads share, and the key id. */
static int settle(struct enckey *k, const char *path, const char *what, char err[ENCKEY_ERR_LEN])
{
	mbedtls_pk_context *pk = k->pk;
	unsigned char der[2 * ENCDUMP_WRAPPED_MAX + 256];
	int n;

	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_RSA) {
		snprintf(err, ENCKEY_ERR_LEN, "%s: not an RSA key (%s): encrypted dumps need an RSA "
			 "key of at least %d bits", path, mbedtls_pk_get_name(pk), MIN_BITS);
		return -1;
	}
	k->bits = (unsigned)mbedtls_pk_get_bitlen(pk);
	if (k->bits < MIN_BITS || k->bits > MAX_BITS) {
		snprintf(err, ENCKEY_ERR_LEN, "%s: RSA %s key of %u bits: encrypted dumps need "
			 "%d to %d bits", path, what, k->bits, MIN_BITS, MAX_BITS);
		return -1;
	}
	mbedtls_rsa_set_padding(mbedtls_pk_rsa(*pk), MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	n = mbedtls_pk_write_pubkey_der(pk, der, sizeof(der));	/* written at the end of der */
	if (n <= 0) {
		snprintf(err, ENCKEY_ERR_LEN, "%s: cannot encode the public key", path);
		return -1;
	}
	crypto_sha256(der + sizeof(der) - n, (size_t)n, k->key_id);
	return 0;
}

static int load(struct enckey *k, const char *path, bool priv, char err[ENCKEY_ERR_LEN])
{
	char msg[128];
	int ret;

	memset(k, 0, sizeof(*k));
	k->pk = calloc(1, sizeof(mbedtls_pk_context));
	if (k->pk == NULL) {
		snprintf(err, ENCKEY_ERR_LEN, "%s: out of memory", path);
		return -1;
	}
	mbedtls_pk_init(k->pk);
	k->private_key = priv;
	if (access(path, R_OK) != 0) {
		snprintf(err, ENCKEY_ERR_LEN, "%s: %s", path, strerror(errno));
		enckey_free(k);
		return -1;
	}
	ret = priv ? mbedtls_pk_parse_keyfile(k->pk, path, NULL)
		   : mbedtls_pk_parse_public_keyfile(k->pk, path);
	if (ret != 0) {
		mbedtls_pk_context other;

		/* Say so plainly when the other kind of key was given. */
		mbedtls_pk_init(&other);
		if (!priv && mbedtls_pk_parse_keyfile(&other, path, NULL) == 0)
			snprintf(msg, sizeof(msg), "a private key: give the public key "
				 "(openssl pkey -in KEY -pubout)");
		else if (priv && mbedtls_pk_parse_public_keyfile(&other, path) == 0)
			snprintf(msg, sizeof(msg), "a public key: decrypting needs the private key");
		else
			snprintf(msg, sizeof(msg), "not a%s key mbedTLS can read (-0x%04x)",
				 priv ? " private" : " public", (unsigned)-ret);
		mbedtls_pk_free(&other);
		snprintf(err, ENCKEY_ERR_LEN, "%s: %s", path, msg);
		enckey_free(k);
		return -1;
	}
	if (settle(k, path, priv ? "private" : "public", err) != 0) {
		enckey_free(k);
		return -1;
	}
	return 0;
}

int enckey_public_load(struct enckey *k, const char *path, char err[ENCKEY_ERR_LEN])
{
	return load(k, path, false, err);
}

int enckey_private_load(struct enckey *k, const char *path, char err[ENCKEY_ERR_LEN])
{
	return load(k, path, true, err);
}

int enckey_dump_key(const struct enckey *k, struct handoff_dump_key *out, char err[ENCKEY_ERR_LEN])
{
	mbedtls_rsa_context *rsa = mbedtls_pk_rsa(*(mbedtls_pk_context *)k->pk);
	size_t n = mbedtls_rsa_get_len(rsa);

	memset(out, 0, sizeof(*out));
	if (n < ENCDUMP_WRAPPED_MIN || n > ENCDUMP_WRAPPED_MAX) {
		snprintf(err, ENCKEY_ERR_LEN, "RSA modulus of %zu bytes: out of range", n);
		return -1;
	}
	for (uint8_t acc = 0; acc == 0;) {	/* an all-zero key (2^-256) is refused by readers */
		if (enckey_random(out->master, sizeof(out->master)) != 0 ||
		    enckey_random(out->load_salt, sizeof(out->load_salt)) != 0) {
			snprintf(err, ENCKEY_ERR_LEN, "getrandom failed: %s", strerror(errno));
			return -1;
		}
		for (size_t i = 0; i < sizeof(out->master); i++)
			acc |= out->master[i];
	}
	if (mbedtls_rsa_rsaes_oaep_encrypt(rsa, rng, NULL, MBEDTLS_RSA_PUBLIC, NULL, 0,
					   sizeof(out->master), out->master, out->wrapped) != 0) {
		crypto_wipe(out, sizeof(*out));
		snprintf(err, ENCKEY_ERR_LEN, "RSA-OAEP wrapping of the master key failed");
		return -1;
	}
	out->version = HANDOFF_DUMP_KEY_VERSION;
	out->cipher = HANDOFF_DUMP_KEY_CIPHER;
	out->wrap = HANDOFF_DUMP_KEY_WRAP;
	out->wrapped_len = (uint32_t)n;
	memcpy(out->key_id, k->key_id, sizeof(out->key_id));
	return 0;
}

/* Unwrap M: 0, or -1 (not this key, or damaged). */
static int unwrap(const struct enckey *k, const struct encdump_header *h, uint8_t m[32])
{
	mbedtls_rsa_context *rsa = mbedtls_pk_rsa(*(mbedtls_pk_context *)k->pk);
	uint8_t out[ENCDUMP_WRAPPED_MAX];
	size_t olen = 0;
	int ret;

	if (h->wrapped_len != mbedtls_rsa_get_len(rsa))
		return -1;
	ret = mbedtls_rsa_rsaes_oaep_decrypt(rsa, rng, NULL, MBEDTLS_RSA_PRIVATE, NULL, 0, &olen,
					     h->wrapped, out, sizeof(out));
	if (ret != 0 || olen != 32) {
		crypto_wipe(out, sizeof(out));
		return -1;
	}
	memcpy(m, out, 32);
	crypto_wipe(out, sizeof(out));
	return 0;
}

int enckey_open(const struct enckey *k, const void *hdr, size_t len, struct encdump_opener *o,
		char err[ENCKEY_ERR_LEN])
{
	struct encdump_header h;
	const char *why = NULL;
	uint8_t m[32], key[32];
	char want[65], have[65];
	int ret;

	ret = encdump_header_parse(hdr, len, &h, &why);
	if (ret != 0) {
		snprintf(err, ENCKEY_ERR_LEN, "%s", why ? why : "not an encrypted stream");
		return -1;
	}
	enckey_id_hex(h.key_id, want);
	enckey_id_hex(k->key_id, have);
	if (unwrap(k, &h, m) != 0) {
		if (memcmp(h.key_id, k->key_id, sizeof(h.key_id)) != 0)
			snprintf(err, ENCKEY_ERR_LEN, "encrypted for key %s, this key is %s", want, have);
		else
			snprintf(err, ENCKEY_ERR_LEN, "wrapped key damaged or not this key (key %s)",
				 have);
		return -1;
	}
	encdump_derive_key(m, h.salt, key);
	crypto_wipe(m, sizeof(m));
	ret = encdump_open_init(o, hdr, len, key, &why);
	crypto_wipe(key, sizeof(key));
	if (ret != 0) {
		snprintf(err, ENCKEY_ERR_LEN, "%s%s", why ? why : "header damaged",
			 memcmp(h.key_id, k->key_id, sizeof(h.key_id)) != 0 ? " (its key id too)" : "");
		return -1;
	}
	return 0;
}

/* ----------------------------------------------------------------- sink */

static int sink_out(void *ctx, const void *buf, size_t len)
{
	struct encsink *s = ctx;
	const uint8_t *b = buf;

	while (len) {
		ssize_t n = write(s->fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		b += n;
		len -= (size_t)n;
		s->plain += (size_t)n;
	}
	return 0;
}

void encsink_init(struct encsink *s, int fd, const struct enckey *key)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->key = key;
}

static int sink_fail(struct encsink *s, int verdict)
{
	if (s->verdict == ENCSINK_OK)
		s->verdict = verdict;
	return -1;
}

static int reader_verdict(struct encsink *s, int ret)
{
	snprintf(s->err, sizeof(s->err), "%s", s->r.why);
	if (ret == -ENODATA)
		return sink_fail(s, ENCSINK_TRUNCATED);
	if (ret == -EBADMSG)
		return sink_fail(s, ENCSINK_DAMAGED);
	return sink_fail(s, ENCSINK_IO);
}

int encsink_write(struct encsink *s, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	int ret;

	if (s->verdict != ENCSINK_OK)
		return -1;
	if (!s->opened) {
		size_t n = ENCDUMP_HEADER_SIZE - s->hdr_have;

		if (n > len)
			n = len;
		memcpy(s->hdr + s->hdr_have, b, n);
		s->hdr_have += n;
		b += n;
		len -= n;
		if (s->hdr_have < ENCDUMP_HEADER_SIZE)
			return 0;
		if (enckey_open(s->key, s->hdr, sizeof(s->hdr), &s->o, s->err) != 0)
			return sink_fail(s, ENCSINK_BAD_KEY);
		s->opened = true;
		s->cbuf = malloc(ENCDUMP_CHUNK_WIRE(s->o.h.chunk_size));
		s->pbuf = malloc(s->o.h.chunk_size);
		if (s->cbuf == NULL || s->pbuf == NULL) {
			snprintf(s->err, sizeof(s->err), "out of memory");
			return sink_fail(s, ENCSINK_IO);
		}
		encdump_reader_init(&s->r, &s->o, s->cbuf, s->pbuf, sink_out, s);
	}
	if (len == 0)
		return 0;
	ret = encdump_reader_feed(&s->r, b, len);
	return ret ? reader_verdict(s, ret) : 0;
}

int encsink_finish(struct encsink *s, bool container_whole)
{
	int ret;

	if (s->verdict != ENCSINK_OK)
		return -1;
	if (!s->opened) {
		snprintf(s->err, sizeof(s->err), s->hdr_have ? "truncated inside the 4096-byte "
			 "encrypted header (%zu bytes)" : "truncated: no encrypted header", s->hdr_have);
		return sink_fail(s, s->hdr_have && container_whole ? ENCSINK_BAD_KEY
								   : ENCSINK_TRUNCATED);
	}
	ret = encdump_reader_finish(&s->r, container_whole);
	return ret ? reader_verdict(s, ret) : 0;
}

void encsink_free(struct encsink *s)
{
	if (s->opened)
		encdump_open_free(&s->o);
	if (s->pbuf != NULL)
		crypto_wipe(s->pbuf, s->o.h.chunk_size);
	free(s->cbuf);
	free(s->pbuf);
	s->cbuf = s->pbuf = NULL;
	s->opened = false;
}
