/*
 * `postmortem savecore`, second half: write the chosen dump's body to
 * VMCORE, check it against the header's SHA-256, and --clear (see
 * tools/savecore.h).  The body goes to a new file beside VMCORE that
 * replaces it only once checked (tools/outfile.h): a dump that fails its
 * digest (unless --force) or a write that fails part way leaves VMCORE as
 * it was.  A device or FIFO given as VMCORE is written as the body
 * streams and checked meanwhile: the exit status says what it got.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "crypto/sha256.h"
#include "formats/blkdev.h"
#include "formats/diskdump.h"
#include "formats/elfcore.h"
#include "payload/dumphdr.h"
#include "tools/outfile.h"
#include "tools/savecore.h"
#include "tools/textesc.h"
#include "tools/vmcore_expand.h"

#define TOOL	"savecore"

void savecore_progress(uint64_t done, uint64_t len, uint64_t *next, uint64_t step)
{
	if (len < SAVECORE_PROGRESS_MIN || (done < *next && done != len))
		return;
	fprintf(stderr, "%s: %3u%% (%llu of %llu MiB)\n", TOOL, (unsigned)(done * 100 / len),
		(unsigned long long)(done >> 20), (unsigned long long)(len >> 20));
	*next += step;
}

int savecore_enc_begin(struct savecore_ctx *c, int fd)
{
	c->sink = calloc(1, sizeof(*c->sink));
	c->sink_said = false;
	if (c->sink == NULL) {
		fprintf(stderr, "postmortem: %s: out of memory\n", TOOL);
		return -1;
	}
	encsink_init(c->sink, fd, c->key);
	return 0;
}

static int full_write(int fd, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A stream without --key: refused at its header, naming the key. */
static int no_key(struct savecore_ctx *c, const void *buf, size_t len)
{
	struct encsink *s = c->sink;
	size_t n = ENCDUMP_HEADER_SIZE - s->hdr_have < len ? ENCDUMP_HEADER_SIZE - s->hdr_have : len;
	struct encdump_header h;
	const char *why;
	char id[65];

	memcpy(s->hdr + s->hdr_have, buf, n);
	s->hdr_have += n;
	if (s->hdr_have < ENCDUMP_HEADER_SIZE)
		return 0;
	if (encdump_header_parse(s->hdr, sizeof(s->hdr), &h, &why) != 0)
		snprintf(s->err, sizeof(s->err), "the dump is encrypted, and its header is "
			 "damaged: %s", why);
	else {
		enckey_id_hex(h.key_id, id);
		snprintf(s->err, sizeof(s->err), "the dump is encrypted for key %s: give --key "
			 "PRIVATE.pem (docs/encryption.md)", id);
	}
	s->verdict = ENCSINK_BAD_KEY;
	return -1;
}

int savecore_body_write(struct savecore_ctx *c, int fd, const void *buf, size_t len)
{
	int r;

	if (c->sink == NULL)
		return full_write(fd, buf, len);
	r = c->key != NULL ? encsink_write(c->sink, buf, len) : no_key(c, buf, len);
	if (r != 0 && !c->sink_said) {
		fprintf(stderr, "postmortem: %s: encrypted dump: %s\n", TOOL, c->sink->err);
		c->sink_said = true;
	}
	return r;
}

int savecore_enc_end(struct savecore_ctx *c, bool copied, bool container_whole)
{
	struct encsink *s = c->sink;
	char id[65];
	int rc = SAVECORE_FAIL;

	if (s == NULL)
		return SAVECORE_OK;
	if (copied && s->verdict == ENCSINK_OK) {
		if (c->key == NULL)
			no_key(c, "", 0);	/* a stream shorter than its header */
		else
			encsink_finish(s, container_whole);
	}
	if (s->verdict != ENCSINK_OK && !c->sink_said)
		fprintf(stderr, "postmortem: %s: encrypted dump: %s\n", TOOL, s->err);
	if (s->opened)
		c->kdump_body = s->o.h.inner_format == ENCDUMP_INNER_KDUMP;
	if (s->verdict == ENCSINK_OK) {
		enckey_id_hex(s->o.h.key_id, id);
		printf("%s: decrypted with key %s: %llu bytes (%s), every chunk authenticated\n",
		       TOOL, id, (unsigned long long)s->plain, encdump_inner_name(s->o.h.inner_format));
		rc = SAVECORE_OK;
	} else if (s->verdict == ENCSINK_TRUNCATED && s->opened) {
		fprintf(stderr, "%s: %s: the %llu bytes of the chunks before the cut are kept, "
			"marked incomplete\n", TOOL, c->o.out, (unsigned long long)s->plain);
		rc = SAVECORE_TRUNCATED;
	}
	encsink_free(s);
	free(s);
	c->sink = NULL;
	return rc;
}

int savecore_stream(struct savecore_ctx *c, int fd)
{
	uint64_t len, done = 0, step, next;
	struct encdump_header h;
	struct outfile o;
	struct stat st;
	const char *why;
	char id[65], sbuf[32];
	int rc, err = 0;

	if (fstat(fd, &st) != 0 || st.st_size < 0) {
		fprintf(stderr, "postmortem: %s: %s: cannot stat\n", TOOL, c->o.image);
		return SAVECORE_FAIL;
	}
	len = (uint64_t)st.st_size;
	if (c->o.clear) {
		fprintf(stderr, "postmortem: %s: %s is an encrypted stream saved on its own: "
			"--clear is for a dump partition or dump file\n", TOOL, c->o.image);
		return SAVECORE_USAGE;
	}
	if (c->o.list) {
		if (pread(fd, c->scratch, ENCDUMP_HEADER_SIZE, 0) != ENCDUMP_HEADER_SIZE ||
		    encdump_header_parse(c->scratch, ENCDUMP_HEADER_SIZE, &h, &why) != 0) {
			printf("%s: an encrypted stream whose header is cut short or damaged\n",
			       c->o.image);
			return SAVECORE_OK;
		}
		enckey_id_hex(h.key_id, id);
		printf("%s: an encrypted dump stream, %s, for key %s, %s inside (savecore --key "
		       "PRIVATE.pem decrypts it)\n", c->o.image, savecore_fmt_size(len, sbuf,
		       sizeof(sbuf)), id, encdump_inner_name(h.inner_format));
		return SAVECORE_OK;
	}
	if (outfile_open(&o, TOOL, c->o.out, savecore_need(c, len), 0) != 0)
		return SAVECORE_FAIL;
	outfile_keep_stdout_clean(&o);	/* -o /dev/stdout: reports to stderr */
	if (savecore_enc_begin(c, o.fd) != 0) {
		outfile_discard(&o);
		return SAVECORE_FAIL;
	}
	step = len / 10 + 1;
	next = step;
	while (err == 0) {
		ssize_t n = pread(fd, c->scratch, SAVECORE_SCRATCH, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0) {
				fprintf(stderr, "postmortem: %s: %s: read error at byte %llu\n", TOOL,
					c->o.image, (unsigned long long)done);
				err = -EIO;
			}
			break;
		}
		if (savecore_body_write(c, o.fd, c->scratch, (size_t)n) != 0)
			err = -EIO;
		done += (uint64_t)n;
		savecore_progress(done, len, &next, step);
	}
	/* no container: nothing vouches for the stream's length */
	rc = savecore_enc_end(c, err == 0, false);
	if (rc == SAVECORE_FAIL) {
		fprintf(stderr, "postmortem: %s: %s: not saved%s\n", TOOL, c->o.out,
			o.direct ? " (a device or pipe: what it got stays)" : "; left as it was");
		outfile_discard(&o);
		return SAVECORE_FAIL;
	}
	if (rc == SAVECORE_TRUNCATED)
		savecore_mark_incomplete(c, &o);
	if (outfile_done(&o) != 0) {
		fprintf(stderr, "postmortem: %s: %s: not saved\n", TOOL, c->o.out);
		outfile_discard(&o);
		return SAVECORE_FAIL;
	}
	rc = savecore_publish(c, &o, rc, !c->kdump_body);
	if (rc == SAVECORE_FAIL)
		return rc;
	printf("%s: %s: encrypted stream, %s \xe2\x86\x92 %s\n", TOOL, c->o.image,
	       savecore_fmt_size(len, sbuf, sizeof(sbuf)), c->o.out);
	if (rc == SAVECORE_TRUNCATED)
		printf("%s: TRUNCATED: the stream ends early; the %s holds the chunks before the "
		       "cut (exit %d)\n", TOOL, c->kdump_body ? "kdump-compressed file" : "ELF file",
		       SAVECORE_TRUNCATED);
	return rc;
}

/* An encrypted body whose digest is of its stream header only
 * (payload/dumphdr.h DUMPHDR_FLAG_DIGEST_HEAD): its chunks are
 * authenticated by their AES-GCM tags as they are decrypted. */
static bool digest_head(const struct dumphdr *h)
{
	return h->body_format == DUMPHDR_BODY_ENCRYPTED && (h->flags & DUMPHDR_FLAG_DIGEST_HEAD);
}

/* Copy len body bytes from the view to fd, hashing them as the header's
 * digest is taken (payload/dumphdr.h dumphdr_digest: whole, the first
 * DUMPHDR_HEAD_DIGEST only, or in two parts). */
static int copy_body(struct savecore_ctx *c, struct savecore_target *t, const struct dumphdr *h,
		     uint64_t len, int fd, uint8_t digest[SHA256_LEN])
{
	uint32_t ss = t->view.sector_size;
	uint64_t lba = h->body_offset, done = 0, step = len / 10 + 1, next = step;
	struct dumphdr_digest d;

	dumphdr_digest_init(&d, h);
	while (done < len) {
		size_t n = len - done < SAVECORE_SCRATCH ? (size_t)(len - done) : SAVECORE_SCRATCH;
		uint32_t sectors = (uint32_t)((n + ss - 1) / ss);
		int err = blkdev_read(&t->view, lba, sectors, c->scratch);

		if (err || savecore_body_write(c, fd, c->scratch, n) != 0) {
			if (err || c->sink == NULL)
				fprintf(stderr, "postmortem: %s: %s at body byte %llu\n", TOOL,
					err ? "read error" : "write error", (unsigned long long)done);
			return -EIO;
		}
		dumphdr_digest_update(&d, c->scratch, n);
		done += n;
		lba += sectors;
		savecore_progress(done, len, &next, step);
	}
	dumphdr_digest_final(&d, digest);
	return 0;
}

/*
 * The header and body length to use.  A finished dump: its own.  Under
 * --force: whichever copy decoded, and for a dump cut short the planned
 * length (how much of it is this dump's is unknown).  Returns NULL when
 * there is nothing to go on (message printed).
 */
static const struct dumphdr *body_plan(struct savecore_ctx *c, struct savecore_target *t, uint64_t *len)
{
	const struct dumphdr *h = savecore_best_header(t);
	uint64_t room;

	if (t->verdict != 0 && !c->o.force) {
		fprintf(stderr, "postmortem: %s: %s: %s; nothing written (--force writes what is "
			"there anyway)\n", TOOL, savecore_where(c, t), t->why);
		if (h != NULL && h->reason[0]) {
			fprintf(stderr, "%s: the kernel said: ", TOOL);
			textesc_put(stderr, h->reason, sizeof(h->reason));	/* text from the disk */
			fputc('\n', stderr);
		}
		return NULL;
	}
	if (h == NULL) {
		fprintf(stderr, "postmortem: %s: %s: no readable header (leading: %s; trailing: "
			"%s); nothing to go on\n", TOOL, savecore_where(c, t), t->lead_why, t->trail_why);
		return NULL;
	}
	*len = h->body_length;
	if (h->status == DUMPHDR_INCOMPLETE)
		*len = h->needed_length < h->body_capacity ? h->needed_length : h->body_capacity;
	room = h->body_offset < t->view.sectors - 1 ?
	       (t->view.sectors - 1 - h->body_offset) * t->view.sector_size : 0;
	if (*len > room)
		*len = room;	/* forced over a partition that changed size */
	if (t->verdict != 0)
		fprintf(stderr, "%s: %s: %s; --force: writing %llu bytes anyway, unverified\n",
			TOOL, savecore_where(c, t), t->why, (unsigned long long)*len);
	return h;
}

/*
 * Compare the digest; returns SAVECORE_OK, SAVECORE_FORCED or SAVECORE_FAIL (messages
 * printed), *ok whether the body matched a digest.
 */
static int judge_digest(struct savecore_ctx *c, struct savecore_target *t, const struct dumphdr *h,
			const uint8_t got[SHA256_LEN], bool *ok, bool direct)
{
	char want_hex[2 * SHA256_LEN + 1], got_hex[2 * SHA256_LEN + 1];

	*ok = savecore_has_digest(h) && memcmp(got, h->body_sha256, SHA256_LEN) == 0;
	if (*ok)
		return t->verdict == 0 ? SAVECORE_OK : SAVECORE_FORCED;
	if (!savecore_has_digest(h))
		return SAVECORE_FORCED;	/* no digest to check: said so in body_plan */
	crypto_sha256_hex(h->body_sha256, want_hex);
	crypto_sha256_hex(got, got_hex);
	if (digest_head(h))
		fprintf(stderr, "postmortem: %s: %s: sha256 MISMATCH: the encrypted stream's header "
			"block is not the one the dump header names (damaged, or another dump's)\n"
			"  header says %s\n  stream header hashes %s\n", TOOL, savecore_where(c, t),
			want_hex, got_hex);
	else
		fprintf(stderr, "postmortem: %s: %s: sha256 MISMATCH: the body is corrupt\n"
			"  header says %s\n  body hashes %s\n", TOOL, savecore_where(c, t), want_hex,
			got_hex);
	if (direct) {
		fprintf(stderr, "%s: %s already received the corrupt body (a device or pipe: "
			"nothing to take back)\n", TOOL, c->o.out);
		return c->o.force ? SAVECORE_FORCED : SAVECORE_FAIL;
	}
	if (!c->o.force) {
		fprintf(stderr, "%s: not saved: %s left as it was (--force saves it)\n", TOOL,
			c->o.out);
		return SAVECORE_FAIL;
	}
	fprintf(stderr, "%s: --force: kept %s although its digest does not match\n", TOOL,
		c->o.out);
	return SAVECORE_FORCED;
}

/*
 * Give the checked body in o the /proc/vmcore shape unless --compact, a
 * direct target or a body that is not ELF (a kdump-compressed file is
 * saved as it is), then put it in place.  rc as judged; returns the final
 * one.
 */
int savecore_publish(struct savecore_ctx *c, struct outfile *o, int rc, bool elf)
{
	if (o->direct && !c->o.compact && elf)
		fprintf(stderr, "%s: %s is a device or pipe: written as the dump holds it "
			"(compact; `postmortem expand` gives a saved copy the /proc/vmcore shape)\n",
			TOOL, c->o.out);
	/* The digest covers the body as written; the file becomes /proc/vmcore-shaped after. */
	if (elf && !o->direct && !c->o.compact && vmcore_expand(o->tmp, c->o.out) < 0 &&
	    rc == SAVECORE_OK)
		rc = SAVECORE_FORCED;
	if (outfile_publish(o) != 0) {
		fprintf(stderr, "postmortem: %s: %s: not saved\n", TOOL, c->o.out);
		return SAVECORE_FAIL;
	}
	return rc;
}

void savecore_mark_incomplete(const struct savecore_ctx *c, struct outfile *o)
{
	/* before outfile_done(): the mark is written through o->fd and synced with the rest */
	uint8_t h[sizeof(struct diskdump_header)];
	size_t n = c->kdump_body ? sizeof(h) : 64;	/* the ELF64 header */

	if (o->direct || pread(o->fd, h, n, 0) != (ssize_t)n)
		return;
	if ((c->kdump_body ? diskdump_mark_incomplete(h, n) : elfcore_mark_incomplete(h, n)) == 0 &&
	    pwrite(o->fd, h, n, 0) == (ssize_t)n)
		fprintf(stderr, "%s: %s: marked incomplete in its header\n", TOOL, c->o.out);
}

/* Bytes VMCORE's filesystem must have free: the body, and its expanded copy. */
uint64_t savecore_need(const struct savecore_ctx *c, uint64_t len)
{
	if (c->o.compact || c->kdump_body)
		return len;
	return len > UINT64_MAX / 2 ? UINT64_MAX : 2 * len;	/* a hostile size never wraps small */
}

int savecore_save(struct savecore_ctx *c, struct savecore_target *t)
{
	uint8_t digest[SHA256_LEN];
	char sbuf[32];
	uint64_t len = 0;
	const struct dumphdr *h = body_plan(c, t, &len);
	struct outfile o;
	bool ok, cut;
	int rc, err;

	if (h == NULL)
		return SAVECORE_FAIL;
	bool enc = h->body_format == DUMPHDR_BODY_ENCRYPTED;
	int erc = SAVECORE_OK;

	c->kdump_body = h->body_format == DUMPHDR_BODY_KDUMP;
	if (outfile_open(&o, TOOL, c->o.out, savecore_need(c, len), 0) != 0)
		return SAVECORE_FAIL;
	outfile_keep_stdout_clean(&o);	/* -o /dev/stdout: reports to stderr */
	cut = (h->status == DUMPHDR_TRUNCATED || h->prev_status == DUMPHDR_TRUNCATED) &&
	      h->needed_length > len;
	if (enc && savecore_enc_begin(c, o.fd) != 0) {
		outfile_discard(&o);
		return SAVECORE_FAIL;
	}
	err = copy_body(c, t, h, len, o.fd, digest);
	if (enc) {
		/* whole: the header says the body is all there (its digest is judged after) */
		erc = savecore_enc_end(c, err == 0, err == 0 && !cut && savecore_has_digest(h));
		if (erc == SAVECORE_FAIL) {
			fprintf(stderr, "postmortem: %s: %s: not saved%s\n", TOOL, c->o.out,
				o.direct ? " (a device or pipe: what it got stays)" : "; left as it was");
			outfile_discard(&o);
			return SAVECORE_FAIL;
		}
		if (erc == SAVECORE_TRUNCATED)
			cut = true;
	}
	/* not proven whole (forced, or a partition too small): crash must not take it for whole */
	if (err == 0 && (cut || !savecore_has_digest(h) ||
			 memcmp(digest, h->body_sha256, SHA256_LEN) != 0))
		savecore_mark_incomplete(c, &o);
	if (err || outfile_done(&o)) {
		if (o.direct)
			fprintf(stderr, "postmortem: %s: %s: not written completely (a device or "
				"pipe: what it got stays)\n", TOOL, c->o.out);
		else
			fprintf(stderr, "postmortem: %s: %s: not written completely; left as it "
				"was\n", TOOL, c->o.out);
		outfile_discard(&o);
		return SAVECORE_FAIL;
	}
	rc = judge_digest(c, t, h, digest, &ok, o.direct);
	if (rc == SAVECORE_FAIL) {
		outfile_discard(&o);
		return rc;
	}
	rc = savecore_publish(c, &o, rc, !c->kdump_body);
	if (rc == SAVECORE_FAIL)
		return rc;
	char how[96] = "";

	if (digest_head(h))
		snprintf(how, sizeof(how), ", chunks authenticated by AES-GCM tags");
	else if (h->flags & DUMPHDR_FLAG_DIGEST_SPLIT)
		snprintf(how, sizeof(how), " (two-part: the first %llu bytes, then the pages)",
			 (unsigned long long)h->digest_split);
	printf("%s: %s: %s, %ssha256 %s%s \xe2\x86\x92 %s\n", TOOL, savecore_where(c, t),
	       savecore_fmt_dump(h), digest_head(h) ? "stream header " : "", ok ? "OK" : "NOT VERIFIED",
	       how, c->o.out);
	if (cut && erc == SAVECORE_TRUNCATED)
		printf("%s: TRUNCATED: the encrypted dump ends early; the %s holds the chunks "
		       "before the cut (exit %d)\n", TOOL,
		       c->kdump_body ? "kdump-compressed file" : "ELF file", SAVECORE_TRUNCATED);
	else if (cut)
		printf("%s: TRUNCATED: the partition held %s of the %llu-byte dump; the %s "
		       "ends early (exit %d)\n", TOOL, savecore_fmt_size(len, sbuf, sizeof(sbuf)),
		       (unsigned long long)h->needed_length,
		       c->kdump_body ? "kdump-compressed file" : "ELF file", SAVECORE_TRUNCATED);
	return cut && rc == SAVECORE_OK ? SAVECORE_TRUNCATED : rc;
}

/* --clear: leading copy first, so a cut leaves it CLEARED (docs/dump-disk.md). */
int savecore_clear(struct savecore_ctx *c, struct savecore_target *t)
{
	struct dumphdr h = t->lead_err == 0 ? t->lead : t->trail;

	if (t->part != NULL && !efi_guid_eq(&t->part->type, &savecore_dump_type) && !c->o.force) {
		fprintf(stderr, "postmortem: %s: %s: not a dump partition; not cleared (--force "
			"clears it)\n", TOOL, savecore_where(c, t));
		return SAVECORE_FAIL;
	}
	if (h.status != DUMPHDR_CLEARED) {
		h.prev_status = h.status;
		h.status = DUMPHDR_CLEARED;
	}
	if (dumphdr_put(&t->view, false, &h, c->scratch, SAVECORE_SCRATCH) ||
	    dumphdr_put(&t->view, true, &h, c->scratch, SAVECORE_SCRATCH)) {
		fprintf(stderr, "postmortem: %s: %s: writing the CLEARED headers failed\n", TOOL,
			savecore_where(c, t));
		return SAVECORE_FAIL;
	}
	printf("%s: %s: headers marked CLEARED\n", TOOL, savecore_where(c, t));
	return SAVECORE_OK;
}
