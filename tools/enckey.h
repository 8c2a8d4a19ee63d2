/*
 * Keys of encrypted dumps on the host (docs/encryption.md): the recipient's
 * RSA public key for `load --encrypt-to` / `handoff create --encrypt-to`,
 * the private key for `savecore --key` / `recv --key`, through mbedTLS's
 * pk and rsa modules (Debian's libmbedcrypto).
 *
 *   enckey_public_load()   a PEM or DER public key: RSA of 3072..8192 bits only
 *   enckey_dump_key()      a DUMP_KEY record's fields: fresh M and load salt
 *                          from getrandom(), M wrapped with RSA-OAEP SHA-256
 *   enckey_private_load()  a PEM or DER private key (no passphrase)
 *   enckey_open()          an encrypted stream's header with a private key:
 *                          key id, unwrap, derive, header tag; the reason on
 *                          failure names which
 *   encsink_*              a writer that takes the stream and writes the
 *                          verified plaintext to a file descriptor
 *
 * Every message is one line in err[]; nothing here prints.  Host only.
 */
#ifndef TOOLS_ENCKEY_H
#define TOOLS_ENCKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payload/encdump.h"
#include "payload/handoff.h"

#define ENCKEY_ERR_LEN	256

struct enckey {
	void *pk;			/* mbedtls_pk_context */
	uint8_t key_id[ENCDUMP_KEY_ID_LEN];
	unsigned bits;
	bool private_key;
};

/* 0, or -1 with err (unreadable, not a key, not RSA, under 3072 or over 8192 bits). */
int enckey_public_load(struct enckey *k, const char *path, char err[ENCKEY_ERR_LEN]);
int enckey_private_load(struct enckey *k, const char *path, char err[ENCKEY_ERR_LEN]);
void enckey_free(struct enckey *k);

/* Random bytes from getrandom(): 0 or -1. */
int enckey_random(void *buf, size_t len);

/* A DUMP_KEY record for public key k: 0, or -1 with err. */
int enckey_dump_key(const struct enckey *k, struct handoff_dump_key *out,
		    char err[ENCKEY_ERR_LEN]);

/* 64 hex digits of a key id into out[65]. */
void enckey_id_hex(const uint8_t id[ENCDUMP_KEY_ID_LEN], char out[2 * ENCDUMP_KEY_ID_LEN + 1]);

/*
 * Open the header block hdr[0..len) with private key k into o.  Returns 0
 * (encdump_open_free() later), or -1 with err: the header's field checks,
 * "encrypted for key <id>, this key is <id>", "wrapped key damaged or not
 * this key", "header_tag does not verify: header damaged".
 */
int enckey_open(const struct enckey *k, const void *hdr, size_t len, struct encdump_opener *o,
		char err[ENCKEY_ERR_LEN]);

/*
 * The decrypting writer.  encsink_init() with the output fd and the key;
 * encsink_write() takes stream bytes (header block first) in any pieces;
 * encsink_finish() ends it.  Verified plaintext reaches fd as each chunk
 * is checked.  Returns of write/finish: 0, or -1 with s->err set and
 * s->verdict: ENCSINK_BAD_KEY (nothing written), ENCSINK_DAMAGED,
 * ENCSINK_TRUNCATED (the chunks before were written), ENCSINK_IO.
 */
enum { ENCSINK_OK = 0, ENCSINK_BAD_KEY, ENCSINK_DAMAGED, ENCSINK_TRUNCATED, ENCSINK_IO };

struct encsink {
	int fd;
	const struct enckey *key;
	uint8_t hdr[ENCDUMP_HEADER_SIZE];
	size_t hdr_have;
	bool opened;
	struct encdump_opener o;
	struct encdump_reader r;
	uint8_t *cbuf, *pbuf;
	uint64_t plain;			/* plaintext bytes written to fd */
	int verdict;
	char err[ENCKEY_ERR_LEN];
};

void encsink_init(struct encsink *s, int fd, const struct enckey *key);
int encsink_write(struct encsink *s, const void *buf, size_t len);
/* container_whole: the container's own checks say every stream byte is there. */
int encsink_finish(struct encsink *s, bool container_whole);
void encsink_free(struct encsink *s);

#endif
