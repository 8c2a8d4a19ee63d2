/*
 * Encrypted dumps in the crash kernel (see encsink.h).  The stream itself
 * is payload/encdump's sealer; this file decides whether to use it, keeps
 * the key, draws the salt, and sits between the dump writers and a target.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/aesgcm.h"
#include "crypto/sha256.h"
#include "drivers/clock.h"
#include "kernel/cpu.h"
#include "kernel/encsink.h"
#include "kernel/phasemem.h"
#include "payload/dumphdr.h"
#include "payload/encdump.h"
#include "payload/handoff.h"

/* The verified block's key, for every stream of the run. */
static struct {
	uint8_t master[ENCDUMP_KEY_LEN];
	uint8_t key_id[ENCDUMP_KEY_ID_LEN];
	uint8_t load_salt[ENCDUMP_SALT_LEN];
	uint8_t wrapped[ENCDUMP_WRAPPED_MAX];
	uint32_t wrapped_len;
} key;

static struct dumpsink wrap, *inner;
static struct encdump_sealer sealer;
static struct crypto_sha256 stream_sha;	/* when the target does not hash */
/* The chunk being sealed (wire); when sealing at offsets (the one-pass
 * kdump-compressed file on a dump partition or dump file) the chunks being
 * filled, wire the first of them.  In kernel/phasemem.h. */
#define mem (phasemem.dump.a.enc)
static bool sealing, at_offsets;
static uint32_t attempts;		/* streams begun this run: part of each salt */

/* ------------------------------------------------------------ decision */

static int refuse(char *summary, size_t len, const char *cause)
{
	snprintf(summary, len, "dump FAILED: not encrypted, nothing written: %s", cause);
	return -EPERM;
}

int encsink_prepare(const struct context *ctx, const struct cmdline *opts, char *summary,
		    size_t len)
{
	bool required = opts->encrypt == CMDLINE_ENCRYPT_REQUIRED;
	struct handoff_record rec;
	struct handoff_dump_key k;
	char cause[200], id[2 * ENCDUMP_KEY_ID_LEN + 1];
	const char *why = NULL;
	size_t cursor = 0;

	if (ctx->handoff != CONTEXT_HANDOFF_TRUSTED) {
		bool none = ctx->handoff == CONTEXT_HANDOFF_NONE;

		if (required) {
			snprintf(cause, sizeof(cause), "dump.encrypt=required, and %s",
				 none ? "there is no handoff block (no dump key)" :
				 "the handoff block is not trusted (its dump key cannot be used)");
			return refuse(summary, len, cause);
		}
		if (!none)	/* it might have held a key: never silently clear */
			printf("dump: the handoff block is not trusted, so no DUMP_KEY record in it can "
			       "be used: the dump is written in the clear (dump.encrypt=required "
			       "refuses this)\n");
		return 0;
	}
	if (!context_handoff_next(ctx, HANDOFF_TYPE_DUMP_KEY, &cursor, &rec)) {
		if (required)
			return refuse(summary, len, "dump.encrypt=required, and the handoff block "
				      "has no DUMP_KEY record");
		return 0;
	}
	/* A key the verified block asks for is never dropped for a clear
	 * dump, required or not. */
	if (handoff_get_dump_key(&rec, &k, &why) != 0) {
		snprintf(cause, sizeof(cause), "the handoff block's DUMP_KEY record is not usable: %s",
			 why ? why : "malformed");
		return refuse(summary, len, cause);
	}
	if (crypto_aesgcm_selftest() != 0)
		return refuse(summary, len, "the AES-256-GCM self-test failed (GCM specification "
			      "test cases)");
	memcpy(key.master, k.master, sizeof(key.master));
	memcpy(key.key_id, k.key_id, sizeof(key.key_id));
	memcpy(key.load_salt, k.load_salt, sizeof(key.load_salt));
	memcpy(key.wrapped, k.wrapped, k.wrapped_len);
	key.wrapped_len = k.wrapped_len;
	for (int i = 0; i < ENCDUMP_KEY_ID_LEN; i++)
		snprintf(id + 2 * i, 3, "%02x", key.key_id[i]);
	printf("dump: encrypted (AES-256-GCM, %s) for key %s; nothing is written in the clear\n",
	       cpu_has_aesni() ? "AES-NI" : "software AES: the CPU has no AES-NI", id);
	return 1;
}

/* ------------------------------------------------------------ salt */

void encsink_salt(const uint8_t load_salt[ENCDUMP_SALT_LEN], uint8_t salt[ENCDUMP_SALT_LEN])
{
	uint8_t rnd[32];
	const char *src;
	size_t n = cpu_hw_random(rnd, sizeof(rnd), &src);

	encdump_make_salt(rnd, n, cpu_rdtsc(), attempts++, load_salt, salt);
	memset(rnd, 0, sizeof(rnd));
}

/* ------------------------------------------------------------ the sink */

static void take_why(void)
{
	snprintf(wrap.why, sizeof(wrap.why), "%s", inner->why);
}

static int to_inner(void *c, const void *buf, size_t len)
{
	int err;

	(void)c;
	if (!inner->hashes)
		crypto_sha256_update(&stream_sha, buf, len);
	err = inner->write(inner, buf, len);
	if (err)
		take_why();
	return err;
}

static int to_inner_at(void *c, uint64_t off, const void *buf, size_t len)
{
	int err;

	(void)c;
	err = inner->write_at(inner, off, buf, len);	/* the target hashes (encsink_wrap) */
	if (err)
		take_why();
	return err;
}

/* The most plaintext whose stream fits in room bytes. */
static uint64_t plain_for(uint64_t room)
{
	uint64_t c = ENCDUMP_CHUNK_SIZE, w = c + ENCDUMP_TAG_LEN, avail, p;

	if (room < ENCDUMP_HEADER_SIZE + w)
		return 0;
	avail = room - ENCDUMP_HEADER_SIZE;
	p = avail / w * c + (avail % w > ENCDUMP_TAG_LEN ? avail % w - ENCDUMP_TAG_LEN : 0);
	while (p && encdump_stream_size(ENCDUMP_CHUNK_SIZE, p) > room)	/* never more than room */
		p--;
	return p;
}

static uint64_t enc_room(struct dumpsink *s)
{
	(void)s;
	return inner->room ? plain_for(inner->room(inner)) : 0;
}

static int enc_begin(struct dumpsink *s, uint64_t file_size, size_t nsegs)
{
	struct encdump_params p;
	uint8_t dump_key[ENCDUMP_KEY_LEN];
	const char *why = NULL;
	int err;

	if (sealing) {		/* never two streams under one begin */
		if (at_offsets)
			encdump_seal_at_abort(&mem.sealer_at);
		else
			encdump_seal_abort(&sealer);
		sealing = false;
	}
	at_offsets = false;
	wrap.digest_head = false;
	memset(&p, 0, sizeof(p));
	p.chunk_size = ENCDUMP_CHUNK_SIZE;
	p.inner_format = s->body_format == DUMPHDR_BODY_KDUMP ? ENCDUMP_INNER_KDUMP : ENCDUMP_INNER_ELF;
	memcpy(p.key_id, key.key_id, sizeof(p.key_id));
	encsink_salt(key.load_salt, p.salt);
	p.wrapped = key.wrapped;
	p.wrapped_len = key.wrapped_len;
	encdump_derive_key(key.master, p.salt, dump_key);

	/* What the target records about the dump, then its header. */
	memcpy(inner->release, s->release, sizeof(inner->release));
	memcpy(inner->hostname, s->hostname, sizeof(inner->hostname));
	inner->handoff_status = s->handoff_status;
	inner->body_format = DUMPHDR_BODY_ENCRYPTED;
	inner->inner_format = s->body_format == DUMPHDR_BODY_KDUMP ? DUMPHDR_BODY_KDUMP : DUMPHDR_BODY_ELF;
	inner->size_bound = s->size_bound;
	inner->why[0] = '\0';
	inner->truncated = false;	/* a second stream starts afresh (the ELF core after a */
	inner->kept = 0;		/* kdump-compressed file given up: kernel/kdump.c) */
	err = inner->begin(inner, encdump_stream_size(ENCDUMP_CHUNK_SIZE, file_size), nsegs);
	s->truncated = inner->truncated;
	s->kept = 0;
	if (inner->truncated && inner->kept > ENCDUMP_HEADER_SIZE)	/* whole chunks kept */
		s->kept = (inner->kept - ENCDUMP_HEADER_SIZE) / ENCDUMP_CHUNK_WIRE(ENCDUMP_CHUNK_SIZE) *
			  ENCDUMP_CHUNK_SIZE;
	if (err) {
		take_why();
		memset(dump_key, 0, sizeof(dump_key));
		return err;
	}
	crypto_sha256_init(&stream_sha);
	err = encdump_seal_init(&sealer, &p, dump_key, mem.wire, sizeof(mem.wire), to_inner, NULL, &why);
	memset(dump_key, 0, sizeof(dump_key));
	if (err) {
		if (why != NULL || s->why[0] == '\0')
			snprintf(s->why, sizeof(s->why), "the encrypted stream cannot start: %s",
				 why ? why : "cipher error");
		return err;
	}
	sealing = true;
	return 0;
}

static int enc_write(struct dumpsink *s, const void *buf, size_t len)
{
	int err;

	if (at_offsets) {	/* one stream is sealed one way */
		snprintf(s->why, sizeof(s->why), "the encrypted stream mixes writes at offsets and "
			 "in order");
		return -EINVAL;
	}
	err = encdump_seal_write(&sealer, buf, len);

	if (err && s->why[0] == '\0')	/* a target's error has set why already */
		snprintf(s->why, sizeof(s->why), "sealing a chunk failed (error %d)", err);
	return err;
}

/*
 * The one-pass kdump-compressed writer's bytes (kernel/kdump.c), sealed as
 * their chunks fill (payload/encdump.h encdump_seal_at_write): the same
 * stream the in-order passes give, written in the target's own one-pass
 * pattern.  Anything outside that pattern fails the dump with one line
 * rather than seal a chunk twice.
 */
static int enc_write_at(struct dumpsink *s, uint64_t off, const void *buf, size_t len)
{
	uint8_t *bufs[ENCDUMP_AT_SLOTS] = { mem.wire };
	int err;

	if (!at_offsets) {
		if (!sealing || sealer.plain != 0 || sealer.fill != 0) {
			snprintf(s->why, sizeof(s->why), "the encrypted stream mixes writes in order "
				 "and at offsets");
			return -EINVAL;
		}
		for (unsigned i = 1; i < ENCDUMP_AT_SLOTS; i++)
			bufs[i] = mem.slots[i - 1];
		err = encdump_seal_at_init(&mem.sealer_at, &sealer, bufs, to_inner_at, NULL);
		if (err) {
			snprintf(s->why, sizeof(s->why), "%s", mem.sealer_at.why);
			return err;
		}
		at_offsets = true;
	}
	err = encdump_seal_at_write(&mem.sealer_at, off, buf, len);
	if (err && s->why[0] == '\0')	/* a target's error has set why already */
		snprintf(s->why, sizeof(s->why), "%s", mem.sealer_at.why[0] ? mem.sealer_at.why :
			 "sealing a chunk failed");
	return err;
}

static int enc_finish(struct dumpsink *s, const uint8_t digest[SHA256_LEN])
{
	int err;

	(void)digest;		/* of the plaintext, which no target holds */
	sealing = false;
	err = at_offsets ? encdump_seal_at_finish(&mem.sealer_at) : encdump_seal_finish(&sealer);
	if (err) {
		if (s->why[0] == '\0')
			snprintf(s->why, sizeof(s->why), "%s", at_offsets && mem.sealer_at.why[0] ?
				 mem.sealer_at.why : "sealing the last chunk failed");
		return err;
	}
	crypto_sha256_final(&stream_sha, s->digest);
	err = inner->finish(inner, s->digest);
	if (err)
		take_why();
	if (inner->hashes)
		memcpy(s->digest, inner->digest, SHA256_LEN);
	s->digest_head = inner->hashes && inner->digest_head;
	return err;
}

static void enc_abort(struct dumpsink *s, const char *reason)
{
	(void)s;
	if (sealing && at_offsets)
		encdump_seal_at_abort(&mem.sealer_at);
	else if (sealing)
		encdump_seal_abort(&sealer);
	sealing = false;
	inner->abort(inner, reason);
}

struct dumpsink *encsink_wrap(struct dumpsink *in)
{
	inner = in;
	memset(&wrap, 0, sizeof(wrap));
	wrap.name = in->name;
	wrap.hashes = true;		/* digest: the stream's, as the target records it */
	/* At offsets where the target takes them and hashes what it holds
	 * (the dump partition, the dump file): the kdump-compressed file in
	 * one pass.  Else in order only (serial, FAT). */
	wrap.write_at = in->write_at && in->hashes ? enc_write_at : NULL;
	wrap.sequential = wrap.write_at == NULL;
	wrap.second_cpu = false;	/* so no batches: their memory is ours (kernel/phasemem.h) */
	wrap.dump_id = in->dump_id;
	snprintf(wrap.fallback, sizeof(wrap.fallback), "%s", in->fallback);
	wrap.brief = NULL;		/* the crash record would go in the clear */
	wrap.begin = enc_begin;
	wrap.write = enc_write;
	wrap.finish = enc_finish;
	wrap.abort = enc_abort;
	wrap.room = in->room ? enc_room : NULL;
	if (in->brief)
		printf("dump: no crash record first: it would cross the serial line in the clear\n");
	return &wrap;
}

/* ------------------------------------------------------------ bench */

static int discard(void *c, const void *buf, size_t len)
{
	(void)c, (void)buf, (void)len;
	return 0;
}

void encsink_bench(uint64_t base, uint64_t len)
{
	static const uint8_t wrapped[ENCDUMP_WRAPPED_MIN];
	struct encdump_params p;
	uint8_t k[ENCDUMP_KEY_LEN] = { 1 };
	uint64_t t0, t1;
	const char *why = NULL;
	int err;

	memset(&p, 0, sizeof(p));
	p.chunk_size = ENCDUMP_CHUNK_SIZE;
	p.inner_format = ENCDUMP_INNER_KDUMP;
	p.wrapped = wrapped;
	p.wrapped_len = sizeof(wrapped);
	t0 = clock_us();
	err = encdump_seal_init(&sealer, &p, k, mem.wire, sizeof(mem.wire), discard, NULL, &why);
	for (uint64_t off = 0; err == 0 && off < len; off += 1u << 20)
		err = encdump_seal_write(&sealer, (const void *)(uintptr_t)(base + off), 1u << 20);
	if (err == 0)
		err = encdump_seal_finish(&sealer);
	t1 = clock_us();
	if (err) {
		printf("bench: aes-256-gcm: the sealer failed (error %d%s%s)\n", err, why ? ": " : "",
		       why ? why : "");
		return;
	}
	printf("bench: aes-256-gcm sealing in-kernel (%s): %llu MiB in %llu ms = %llu MiB/s%s\n",
	       cpu_has_aesni() ? "AES-NI" : "software AES",
	       (unsigned long long)(len >> 20), (unsigned long long)((t1 - t0) / 1000),
	       (unsigned long long)(t1 > t0 ? (len >> 20) * 1000000ull / (t1 - t0) : 0),
	       clock_estimated() ? " (clock estimated)" : "");
}
