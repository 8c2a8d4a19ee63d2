/*
 * `postmortem recv CAPTURE -o VMCORE`: rebuild the dump file a
 * `dump=serial` run sent (makedumpfile's kdump-compressed file, or with
 * dump.format=elf an ELF core: the HEADER's body_format says which), from
 * a capture of the serial line (QEMU `-serial file:X`: console text with
 * frames in between).  Interface and
 * exit status: tools/recv.h; the stream: payload/frame.h and
 * docs/dump-serial.md.
 *
 * The capture is fed to the pure decoder in 1 MiB reads, twice: the
 * first pass lists the dumps it holds (a serial log may span several
 * crashes; ids are found through a hash table), picks one (--dump-id,
 * else the last whose HEADER arrived) and learns the file size it
 * declares, which must not pass --max-size (default RECV_SIZE_DEFAULT)
 * before anything is created.  In the second pass that dump's frames are
 * written at their file offsets with pwrite().  ZERO frames only mark
 * bytes, since the output is created empty and set to its full size at
 * the end (never-written bytes read as zero).  Covered file bytes, bytes
 * written by DATA frames and seen sequence numbers are kept as interval
 * lists (tools/spans.h: appended in O(1), sorted once), so memory grows
 * with the number of gaps, not with the dump.  Afterwards: the missing
 * byte ranges (each named with the bad frames that overlap it and the
 * sequence numbers lost there, found by binary search in sorted copies),
 * the missing sequence numbers, the TRAILER, and the SHA-256 of the
 * rebuilt bytes against the TRAILER's, computed in file order from the
 * bookkeeping: DATA bytes are read back, zeros come from a static buffer
 * and never touch the disk.  Lists are cut after LIST_MAX lines on the
 * terminal (SIDECAR_MAX in the sidecar) with "... and N more"; text from
 * the capture (the producer string) is printed escaped (tools/textesc.h).
 * Anything short of "complete and digest OK" leaves the partial file
 * (missing bytes zero; marked incomplete as makedumpfile does: the
 * kdump-compressed header's status bit, the ELF e_flags) plus
 * VMCORE.incomplete listing what is wrong, and exits 1.  A complete
 * kdump-compressed file is written as it was sent; a complete ELF core
 * is given the /proc/vmcore shape (vmcore_expand) unless --compact.
 * An encrypted dump (HEADER body_format 3, docs/encryption.md) is
 * received the same way, as its stream.  Without --key the stream is
 * the file: saved as received, for `savecore --key` later.  With --key
 * the rebuilt stream is decrypted in place through tools/enckey.h's
 * decrypting writer (plaintext chunk i lies before ciphertext chunk i, so
 * nothing is overwritten before it is read): the stream's bytes up to the
 * first one missing go in, and every plaintext byte written has been
 * authenticated.  Whole (the final chunk verified, nothing missing):
 * saved like a complete dump.  Cut (the verified chunks end without the
 * final one): the chunks before the cut are saved, marked incomplete in
 * their own header, with the sidecar, exit 1.  A wrong key, a damaged
 * header or chunk: nothing written.
 * The file is built as a new temporary beside VMCORE and renamed over it
 * at the end (tools/outfile.h: mode 0600, nothing planted is followed);
 * a capture without frames of the dump leaves VMCORE as it was.  A
 * device or FIFO given as VMCORE gets the finished file copied to it
 * (built in $TMPDIR first) and no sidecar: the problems go to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "crypto/sha256.h"
#include "formats/diskdump.h"
#include "formats/elfcore.h"
#include "payload/encdump.h"
#include "payload/frame.h"
#include "tools/enckey.h"
#include "tools/opts.h"
#include "tools/outfile.h"
#include "tools/recv.h"
#include "tools/spans.h"
#include "tools/textesc.h"
#include "tools/vmcore_expand.h"

#define TOOL "postmortem: recv"
#define LIST_MAX 20		/* entries printed per list before "... more" */
#define SIDECAR_MAX 1000	/* the same in VMCORE.incomplete */
#define BAD_PER_LINE 8		/* bad frames named per missing range */
#define RECV_SIZE_DEFAULT (64ull << 30)	/* largest file accepted without --max-size */

struct badframe {
	int status;		/* FRAME_BAD_PAYLOAD or FRAME_TRUNCATED */
	uint8_t type;
	uint32_t seq;
	uint64_t dump_id, offset, len;	/* len 0 when unknown (ZERO) */
};

/* A dump id met in the capture (first pass). */
struct dumpseen {
	uint64_t id, frames;
	uint64_t data;		/* DATA frame bytes: the disk space the file needs */
	bool header, trailer;
	bool brief;		/* sent a crash record (BRIEF frames) */
	uint64_t hdr_size, trl_size, max_end;	/* sizes it declares */
};

/* A crash record being put together (payload/brief.h). */
struct brief_rec {
	uint64_t id;
	char *text;		/* total bytes (+ NUL) */
	uint32_t total;
	struct spans got;
	uint64_t other;		/* BRIEF frames announcing another total */
};

/* Two good DATA/ZERO frames in a row whose seq or offset do not follow on. */
struct jump {
	uint64_t prev_seq, prev_end;	/* the frame before the gap */
	uint64_t seq, offset;		/* the frame after it */
	size_t order;			/* arrival: the first of equal jumps wins */
};

struct recv {
	const char *capture, *out;
	bool quiet, id_given, have_id;
	bool compact;			/* --compact: no vmcore_expand() */
	bool kdump;			/* the file is kdump-compressed (kdump_body()) */
	uint64_t id;
	uint64_t max_size;		/* --max-size */
	int fd;
	int err;			/* first output error, -errno */
	struct spans covered, seqs;
	struct spans data;		/* bytes written by DATA frames */
	struct badframe *bad;
	size_t nbad, capbad;
	size_t *badx, nbadx;		/* this dump's bad DATA/ZERO frames by offset */
	struct jump *jumps;
	size_t njumps, capjumps;
	uint64_t last_seq, last_end;	/* the last good DATA/ZERO frame */
	struct dumpseen *dumps;		/* every dump id in the capture */
	size_t ndumps, capdumps;
	size_t *slots, nslots;		/* hash table: dumps index + 1, 0 empty */
	uint64_t dups, beyond;
	uint64_t by_type[5];
	bool have_hdr, have_trl;
	struct frame_dump_header hdr;
	struct frame_dump_trailer trl;
	uint64_t max_end, max_seq;
	struct frame_stats stats;
	uint64_t file_size;
	struct spans missing;
	bool digest_checked, digest_ok;
	uint8_t digest[SHA256_LEN];
	/* Crash records: the chosen dump's [0], and [1] a newer crash that
	 * sent only its record (its dump never came). */
	struct brief_rec briefs[2];
	size_t nbriefs;
	/* An encrypted stream (docs/encryption.md). */
	const char *key_path;		/* --key */
	struct enckey *key;		/* loaded */
	bool enc;			/* the file is an encrypted stream */
	bool enc_hdr_ok;		/* its header, as received, parses */
	struct encdump_header enc_hdr;
	bool decrypted;			/* went through the decrypting writer */
	int enc_verdict;		/* ENCSINK_* */
	bool enc_opened;		/* the key opened the header */
	uint64_t enc_fed, enc_plain;	/* stream bytes in, verified plaintext out */
	uint64_t enc_kept;		/* no --key, incomplete: the stream kept up to here */
	char enc_err[ENCKEY_ERR_LEN];
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL) {
		fprintf(stderr, "%s: out of memory\n", TOOL);
		exit(1);
	}
	return q;
}

/* Capacity for an array that must hold n + 1 elements (doubling). */
static size_t grown(size_t n, size_t cap)
{
	return n < cap ? cap : cap ? cap * 2 : 16;
}

/* --------------------------------------------------------------- frames */

static void note_bad(struct recv *r, const struct frame *f)
{
	struct badframe *b;

	r->capbad = grown(r->nbad, r->capbad);
	r->bad = xrealloc(r->bad, r->capbad * sizeof(*r->bad));
	b = &r->bad[r->nbad++];
	b->status = f->status;
	b->type = f->type;
	b->seq = f->seq;
	b->dump_id = f->dump_id;
	b->offset = f->offset;
	b->len = f->type == FRAME_TYPE_DATA ? f->length : 0;
}

/*
 * Remember where the in-order flow of DATA/ZERO frames broke, so that a
 * hole in the file can be named by the sequence numbers that were lost.
 * The HEADER (seq 0, no bytes) is the first frame's predecessor.
 */
static void note_flow(struct recv *r, const struct frame *f, uint64_t end)
{
	if (f->seq != r->last_seq + 1 || f->offset != r->last_end) {
		r->capjumps = grown(r->njumps, r->capjumps);
		r->jumps = xrealloc(r->jumps, r->capjumps * sizeof(*r->jumps));
		r->jumps[r->njumps] = (struct jump){ r->last_seq, r->last_end, f->seq, f->offset,
						     r->njumps };
		r->njumps++;
	}
	r->last_seq = f->seq;
	r->last_end = end;
}

/* A DATA or ZERO frame's bytes: write (DATA) and mark them. */
static void take_bytes(struct recv *r, const struct frame *f)
{
	uint64_t n = f->length;
	ssize_t w;

	if (f->type == FRAME_TYPE_ZERO && frame_zero_get(f, &n) != 0)
		return;
	if (n == 0 || n > (uint64_t)INT64_MAX || f->offset > (uint64_t)INT64_MAX - n ||
	    (r->have_hdr && f->offset + n > r->hdr.file_size) || f->offset + n > r->max_size) {
		r->beyond++;	/* past the file the HEADER announced, or past --max-size */
		return;
	}
	if (f->type == FRAME_TYPE_DATA && r->err == 0) {
		w = pwrite(r->fd, f->payload, f->length, (off_t)f->offset);
		if (w != (ssize_t)f->length) {
			r->err = w < 0 ? -errno : -EIO;
			return;
		}
		spans_add(&r->data, f->offset, f->offset + n);
	}
	spans_add(&r->covered, f->offset, f->offset + n);
	note_flow(r, f, f->offset + n);
	if (f->offset + n > r->max_end)
		r->max_end = f->offset + n;
}

/* A part of a crash record sent before its dump (payload/brief.h). */
static void take_brief(struct brief_rec *b, const struct frame *f)
{
	const uint8_t *t;
	uint32_t total;
	size_t n;

	if (frame_brief_get(f, &total, &t, &n) != 0)
		return;
	if (b->text == NULL) {
		b->text = xrealloc(NULL, (size_t)total + 1);
		memset(b->text, 0, (size_t)total + 1);
		b->total = total;
	}
	if (total != b->total) {
		b->other++;
		return;
	}
	memcpy(b->text + f->offset, t, n);
	spans_add(&b->got, f->offset, f->offset + n);
}

static int decode_capture(struct recv *r, int (*cb)(void *ctx, const struct frame *f));

/* Third pass, before anything else is decided: the records to show. */
static int on_frame_brief(void *ctx, const struct frame *f)
{
	struct recv *r = ctx;

	if (f->status != FRAME_OK || f->type != FRAME_TYPE_BRIEF)
		return 0;
	for (size_t i = 0; i < r->nbriefs; i++)
		if (f->dump_id == r->briefs[i].id)
			take_brief(&r->briefs[i], f);
	return 0;
}

/*
 * A crash record as text: printable ASCII and newlines as they are, other
 * bytes as \xNN; each stretch that never arrived as one "[N bytes lost]".
 */
static void print_brief(FILE *o, struct brief_rec *b, const char *what)
{
	uint64_t got;

	if (b->text == NULL)
		return;
	spans_norm(&b->got);
	got = spans_total(&b->got);
	fprintf(o, "%s", what);
	if (got < b->total)
		fprintf(o, "; incomplete: %" PRIu64 " of %" PRIu32 " bytes arrived", got, b->total);
	fprintf(o, "):\n");
	for (uint32_t i = 0; i < b->total; i++) {
		uint8_t c = (uint8_t)b->text[i];

		if (!spans_has(&b->got, i)) {
			uint32_t j = i;

			while (j < b->total && !spans_has(&b->got, j))
				j++;
			fprintf(o, "[%" PRIu32 " bytes lost]", j - i);
			i = j - 1;
		} else if ((c >= 0x20 && c <= 0x7e) || c == '\n') {
			fputc(c, o);
		} else {
			fprintf(o, "\\x%02x", c);
		}
	}
	if (b->total && b->text[b->total - 1] != '\n')
		fputc('\n', o);
	if (b->other)
		fprintf(o, "(%" PRIu64 " record frames announced another length and were left out)\n",
		       b->other);
	fflush(o);
}

/*
 * The records to show: the chosen dump's, and the newest crash after it
 * that sent a record but no HEADER (its serial line died, or the capture
 * stopped): a person wants the latest crash's panic text first.
 */
static int show_briefs(struct recv *r)
{
	size_t chosen = r->ndumps;
	char what[160];
	FILE *o = stdout;

	for (size_t i = 0; i < r->ndumps; i++)
		if (r->dumps[i].id == r->id)
			chosen = i;
	r->nbriefs = 0;
	if (chosen < r->ndumps && r->dumps[chosen].brief)
		r->briefs[r->nbriefs++].id = r->id;
	for (size_t i = r->ndumps; i-- > chosen + 1 && chosen < r->ndumps;)
		if (r->dumps[i].brief && !r->dumps[i].header) {
			r->briefs[r->nbriefs++].id = r->dumps[i].id;
			break;
		}
	if (r->nbriefs == 0)
		return 0;
	if (decode_capture(r, on_frame_brief) != 0)
		return -1;
	/* -o /dev/stdout: the dump goes there, the text to stderr. */
	{
		struct stat a, b;

		if (stat(r->out, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			o = stderr;
	}
	for (size_t i = r->nbriefs; i-- > 0;) {
		if (r->briefs[i].id == r->id)
			snprintf(what, sizeof(what), "crash record (sent before the dump");
		else
			snprintf(what, sizeof(what), "crash record of a later crash, dump 0x%016" PRIx64
				 " (its dump never arrived; --dump-id 0x%016" PRIx64 " takes what did",
				 r->briefs[i].id, r->briefs[i].id);
		print_brief(o, &r->briefs[i], what);
	}
	return 0;
}

static int on_frame(void *ctx, const struct frame *f)
{
	struct recv *r = ctx;

	if (f->status != FRAME_OK) {
		note_bad(r, f);
		return 0;
	}
	if (f->dump_id != r->id)
		return 0;	/* another dump in the same capture */
	if (f->type == FRAME_TYPE_BRIEF)
		return 0;	/* numbered apart from the dump's frames; shown first */
	spans_add(&r->seqs, f->seq, (uint64_t)f->seq + 1);	/* duplicates: finish_output() */
	r->max_seq = f->seq > r->max_seq ? f->seq : r->max_seq;
	r->by_type[f->type < 5 ? f->type : 0]++;
	/* The last HEADER and TRAILER that decode win, as in the first pass
	 * (check_size judged that one); one that does not decode changes nothing. */
	if (f->type == FRAME_TYPE_HEADER) {
		struct frame_dump_header h;

		if (frame_dump_header_get(f, &h) == 0) {
			r->hdr = h;
			r->have_hdr = true;
		}
	} else if (f->type == FRAME_TYPE_TRAILER) {
		struct frame_dump_trailer t;

		if (frame_dump_trailer_get(f, &t) == 0) {
			r->trl = t;
			r->have_trl = true;
		}
	} else {
		take_bytes(r, f);
	}
	return 0;
}

/* Feed the whole capture to a fresh decoder with callback cb. */
static int decode_capture(struct recv *r, int (*cb)(void *ctx, const struct frame *f))
{
	static struct frame_decoder dec;
	FILE *in = fopen(r->capture, "rb");
	uint8_t *buf;
	size_t n;
	int e;

	if (in == NULL) {
		fprintf(stderr, "%s: %s: %s\n", TOOL, r->capture, strerror(errno));
		return -1;
	}
	buf = xrealloc(NULL, 1 << 20);
	frame_decoder_init(&dec);
	while ((n = fread(buf, 1, 1 << 20, in)) > 0)
		frame_feed(&dec, buf, n, cb, r);
	e = ferror(in) ? errno : 0;
	frame_finish(&dec, cb, r);
	r->stats = dec.stats;
	free(buf);
	fclose(in);
	if (e != 0) {
		fprintf(stderr, "%s: %s: read error: %s\n", TOOL, r->capture, strerror(e));
		return -1;
	}
	return 0;
}

static size_t id_hash(uint64_t id, size_t nslots)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdull;
	id ^= id >> 33;
	return (size_t)id & (nslots - 1);
}

/* The dumps[] entry of id, added when new: O(1) through the hash table. */
static struct dumpseen *dump_entry(struct recv *r, uint64_t id)
{
	size_t h;

	if (2 * (r->ndumps + 1) > r->nslots) {	/* keep it at most half full */
		size_t n = r->nslots ? r->nslots * 2 : 64;

		free(r->slots);
		r->slots = xrealloc(NULL, n * sizeof(*r->slots));
		memset(r->slots, 0, n * sizeof(*r->slots));
		r->nslots = n;
		for (size_t i = 0; i < r->ndumps; i++) {
			for (h = id_hash(r->dumps[i].id, n); r->slots[h]; h = (h + 1) & (n - 1))
				;
			r->slots[h] = i + 1;
		}
	}
	for (h = id_hash(id, r->nslots); r->slots[h]; h = (h + 1) & (r->nslots - 1))
		if (r->dumps[r->slots[h] - 1].id == id)
			return &r->dumps[r->slots[h] - 1];
	r->capdumps = grown(r->ndumps, r->capdumps);
	r->dumps = xrealloc(r->dumps, r->capdumps * sizeof(*r->dumps));
	r->dumps[r->ndumps] = (struct dumpseen){ .id = id };
	r->slots[h] = ++r->ndumps;
	return &r->dumps[r->ndumps - 1];
}

/* First pass: which dumps does the capture hold, and how big do they say they are? */
static int on_frame_scan(void *ctx, const struct frame *f)
{
	struct recv *r = ctx;
	struct frame_dump_header h;
	struct frame_dump_trailer t;
	struct dumpseen *d;
	uint64_t n = f->length;

	if (f->status != FRAME_OK)
		return 0;
	d = dump_entry(r, f->dump_id);
	d->frames++;
	if (f->type == FRAME_TYPE_DATA)
		d->data += f->length;
	if (f->type == FRAME_TYPE_BRIEF)
		d->brief = true;
	if (f->type == FRAME_TYPE_HEADER && frame_dump_header_get(f, &h) == 0) {
		d->header = true;
		d->hdr_size = h.file_size;
	} else if (f->type == FRAME_TYPE_TRAILER && frame_dump_trailer_get(f, &t) == 0) {
		d->trailer = true;
		d->trl_size = t.file_size;
	} else if ((f->type == FRAME_TYPE_DATA ||
		    (f->type == FRAME_TYPE_ZERO && frame_zero_get(f, &n) == 0)) &&
		   n != 0 && f->offset + n > f->offset && f->offset + n <= (uint64_t)INT64_MAX &&
		   f->offset + n > d->max_end) {
		d->max_end = f->offset + n;	/* as take_bytes() counts it */
	}
	return 0;
}

/* The size the output would be set to (as finish_output() picks it). */
static uint64_t declared_size(const struct dumpseen *d)
{
	return d->header ? d->hdr_size : d->trailer ? d->trl_size : d->max_end;
}

/*
 * Take --dump-id's dump, else the last one whose HEADER arrived (a serial
 * log kept across several crashes holds the newest dump last), else the
 * last one seen.
 */
static void choose_dump(struct recv *r)
{
	if (r->have_id || r->ndumps == 0)
		return;
	r->id = r->dumps[r->ndumps - 1].id;
	for (size_t i = r->ndumps; i-- > 0;) {
		if (r->dumps[i].header) {
			r->id = r->dumps[i].id;
			break;
		}
	}
	r->have_id = true;
}

/*
 * Before anything is created: the file the chosen dump declares (its
 * HEADER's size, else its TRAILER's, else the end of its last frame) must
 * not pass --max-size.  A capture of a few hundred bytes can declare
 * terabytes (one ZERO frame covers any count); the output would be a
 * sparse file of that size and its digest hours of hashing.
 */
static int check_size(const struct recv *r)
{
	uint64_t size;
	size_t i;

	if (!r->have_id)
		return 0;
	for (i = 0; i < r->ndumps && r->dumps[i].id != r->id; i++)
		;
	if (i == r->ndumps)
		return 0;	/* no frames of it: said later */
	size = declared_size(&r->dumps[i]);
	if (size <= r->max_size)
		return 0;
	fprintf(stderr, "%s: %s: dump 0x%016" PRIx64 " declares a file of %" PRIu64 " bytes (its %s),"
		" more than the limit of %" PRIu64 " bytes; nothing written (--max-size raises the "
		"limit)\n", TOOL, r->capture, r->id, size,
		r->dumps[i].header ? "HEADER" : r->dumps[i].trailer ? "TRAILER" : "frames' end",
		r->max_size);
	return -1;
}

/* -------------------------------------------------------------- results */

/*
 * SHA-256 of the first n bytes of the output, in file order from the
 * bookkeeping: what DATA frames wrote is read back, everything else is
 * zero (ZERO frames, or never written) and comes from a static buffer.
 */
static int digest_output(struct recv *r, uint64_t n)
{
	static const uint8_t zeros[1 << 16];
	struct crypto_sha256 ctx;
	uint8_t *buf = xrealloc(NULL, 1 << 20);
	uint64_t at = 0;
	size_t i = 0;
	ssize_t got;

	spans_norm(&r->data);
	crypto_sha256_init(&ctx);
	while (at < n) {
		while (i < r->data.n && r->data.v[i].b <= at)
			i++;
		bool written = i < r->data.n && r->data.v[i].a <= at;
		uint64_t stop = written ? r->data.v[i].b : i < r->data.n ? r->data.v[i].a : n;
		uint64_t want = (stop < n ? stop : n) - at;

		if (!written) {
			want = want < sizeof(zeros) ? want : sizeof(zeros);
			crypto_sha256_update(&ctx, zeros, (size_t)want);
			at += want;
			continue;
		}
		want = want < (1 << 20) ? want : 1 << 20;
		got = pread(r->fd, buf, (size_t)want, (off_t)at);
		if (got <= 0) {
			free(buf);
			return got < 0 ? -errno : -EIO;
		}
		crypto_sha256_update(&ctx, buf, (size_t)got);
		at += (uint64_t)got;
	}
	crypto_sha256_final(&ctx, r->digest);
	free(buf);
	return 0;
}

static int cmp_jump(const void *x, const void *y)
{
	const struct jump *p = x, *q = y;

	if (p->prev_end != q->prev_end)
		return p->prev_end < q->prev_end ? -1 : 1;
	if (p->offset != q->offset)
		return p->offset < q->offset ? -1 : 1;
	return (p->order > q->order) - (p->order < q->order);
}

static const struct badframe *cmp_bad_base;

static int cmp_badx(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	uint64_t a = cmp_bad_base[i].offset, b = cmp_bad_base[j].offset;

	return a != b ? (a < b ? -1 : 1) : (i > j) - (i < j);
}

/*
 * Sorted copies for the report: jumps by (end before, offset after), this
 * dump's bad DATA/ZERO frames by offset; each missing range then finds
 * its explanation by binary search instead of a scan of every frame.
 */
static void index_for_report(struct recv *r)
{
	if (r->njumps > 1)
		qsort(r->jumps, r->njumps, sizeof(*r->jumps), cmp_jump);
	r->badx = xrealloc(NULL, (r->nbad ? r->nbad : 1) * sizeof(*r->badx));
	r->nbadx = 0;
	for (size_t i = 0; i < r->nbad; i++)
		if (r->bad[i].dump_id == r->id && (r->bad[i].type == FRAME_TYPE_DATA ||
						   r->bad[i].type == FRAME_TYPE_ZERO))
			r->badx[r->nbadx++] = i;
	cmp_bad_base = r->bad;
	qsort(r->badx, r->nbadx, sizeof(*r->badx), cmp_badx);
}

/* Size the output, find what is missing, check the digest when it can. */
static void finish_output(struct recv *r)
{
	int e = 0;

	r->dups = r->by_type[1] + r->by_type[2] + r->by_type[3] + r->by_type[4] -
		  spans_total(&r->seqs);
	r->file_size = r->have_hdr ? r->hdr.file_size : r->have_trl ? r->trl.file_size : r->max_end;
	if (r->file_size > r->max_size || r->file_size > (uint64_t)INT64_MAX) {
		r->file_size = r->max_end;	/* check_size() judged the same frames: not reached */
		r->err = -EFBIG;
	}
	if (r->err == 0 && ftruncate(r->fd, (off_t)r->file_size) != 0)
		r->err = -errno;
	spans_gaps(&r->covered, 0, r->file_size, &r->missing);
	index_for_report(r);
	if (r->have_trl && r->trl.bytes_sent <= r->file_size && r->err == 0) {
		struct spans gaps = { 0 };

		spans_gaps(&r->covered, 0, r->trl.bytes_sent, &gaps);
		if (gaps.n == 0 && (e = digest_output(r, r->trl.bytes_sent)) == 0) {
			r->digest_checked = true;
			r->digest_ok = memcmp(r->digest, r->trl.sha256, SHA256_LEN) == 0;
		} else if (gaps.n == 0) {
			r->err = e;
		}
		free(gaps.v);
	}
}

static bool complete(const struct recv *r)
{
	return r->err == 0 && r->have_trl && r->trl.status == 0 && r->missing.n == 0 &&
	       r->trl.bytes_sent == r->file_size && r->trl.file_size == r->file_size &&
	       (!r->have_hdr || r->hdr.file_size == r->file_size) && r->digest_checked &&
	       r->digest_ok;
}

/*
 * Is the file kdump-compressed?  The HEADER says so (body_format); a
 * HEADER that did not arrive, or one from a sender before the field
 * (0), leaves it to the file's first bytes when they arrived.
 */
static bool kdump_body(struct recv *r)
{
	char sig[8];

	if (r->have_hdr && r->hdr.body_format != FRAME_BODY_UNSET)
		return r->hdr.body_format == FRAME_BODY_KDUMP;
	return r->err == 0 && spans_has(&r->covered, 0) && r->covered.v[0].b >= sizeof(sig) &&
	       pread(r->fd, sig, sizeof(sig), 0) == (ssize_t)sizeof(sig) &&
	       memcmp(sig, DISKDUMP_SIGNATURE, sizeof(sig)) == 0;
}

/*
 * Is the file an encrypted stream?  The HEADER says so; without one (or
 * from a sender before the field) the stream's magic at offset 0 does.
 * Its header block, when it arrived, is decoded for the messages (the
 * key id it needs, the inner format).
 */
static bool encrypted_body(struct recv *r)
{
	uint64_t got = r->err == 0 && spans_has(&r->covered, 0) ? r->covered.v[0].b : 0;
	uint8_t *b = xrealloc(NULL, ENCDUMP_HEADER_SIZE);
	const char *why;

	if (got > ENCDUMP_HEADER_SIZE)
		got = ENCDUMP_HEADER_SIZE;
	if (got != 0 && pread(r->fd, b, (size_t)got, 0) != (ssize_t)got)
		got = 0;
	if (r->have_hdr && r->hdr.body_format != FRAME_BODY_UNSET)
		r->enc = r->hdr.body_format == FRAME_BODY_ENCRYPTED;
	else
		r->enc = encdump_is_encrypted(b, (size_t)got);
	if (r->enc && got == ENCDUMP_HEADER_SIZE)
		r->enc_hdr_ok = encdump_header_parse(b, ENCDUMP_HEADER_SIZE, &r->enc_hdr, &why) == 0;
	free(b);
	return r->enc;
}

/*
 * Decrypt the rebuilt stream in place with --key: its bytes from 0 up to
 * the first missing one go through the decrypting writer, which writes
 * verified plaintext from offset 0 of the same file (chunk i's plaintext
 * ends before chunk i + 1's ciphertext starts, and a chunk is read whole
 * before its plaintext is written); the file is then cut to the
 * plaintext.  whole: the capture's own checks passed (every byte, the
 * TRAILER's SHA-256), so a last chunk that fails is damaged, not cut.
 * Sets enc_verdict (ENCSINK_*) and enc_err.
 */
static void decrypt_in_place(struct recv *r, bool whole)
{
	struct encsink *s = xrealloc(NULL, sizeof(*s));
	uint8_t *buf = xrealloc(NULL, 1 << 20);
	uint64_t end = 0;

	if (spans_has(&r->covered, 0))
		end = r->covered.v[0].b < r->file_size ? r->covered.v[0].b : r->file_size;
	encsink_init(s, r->fd, r->key);
	r->decrypted = true;
	if (r->err != 0 || lseek(r->fd, 0, SEEK_SET) != 0) {
		snprintf(s->err, sizeof(s->err), "the stream could not be read back");
		s->verdict = ENCSINK_IO;
	}
	while (s->verdict == ENCSINK_OK && r->enc_fed < end) {
		size_t want = end - r->enc_fed < (1 << 20) ? (size_t)(end - r->enc_fed) : 1 << 20;
		ssize_t got = pread(r->fd, buf, want, (off_t)r->enc_fed);

		if (got <= 0) {
			snprintf(s->err, sizeof(s->err), "reading the stream back: %s",
				 got < 0 ? strerror(errno) : "short read");
			s->verdict = ENCSINK_IO;
			break;
		}
		r->enc_fed += (uint64_t)got;
		encsink_write(s, buf, (size_t)got);
	}
	if (s->verdict == ENCSINK_OK)
		encsink_finish(s, whole && end == r->file_size);
	r->enc_verdict = s->verdict;
	r->enc_opened = s->opened;
	r->enc_plain = s->plain;
	if (s->opened) {
		r->enc_hdr = s->o.h;	/* as the key opened it */
		r->enc_hdr_ok = true;
	}
	snprintf(r->enc_err, sizeof(r->enc_err), "%s", s->err);
	if (s->verdict == ENCSINK_OK || s->verdict == ENCSINK_TRUNCATED) {
		if (ftruncate(r->fd, (off_t)s->plain) != 0 && r->err == 0)
			r->err = -errno;
		r->kdump = s->opened && s->o.h.inner_format == ENCDUMP_INNER_KDUMP;
	}
	encsink_free(s);
	free(s);
	free(buf);
}

/*
 * Set makedumpfile's incomplete mark when the file's header itself
 * arrived: the kdump-compressed header's status bit, or the ELF e_flags.
 * A decrypted file: its first bytes are the verified plaintext's.  An
 * encrypted stream is never changed (it is no such header).
 */
static void mark_incomplete(struct recv *r)
{
	uint8_t eh[sizeof(struct diskdump_header)];
	size_t n = r->kdump ? sizeof(struct diskdump_header) : 64;
	int e;

	if (r->decrypted ? r->err != 0 || r->enc_plain < n :
	    r->err != 0 || !spans_has(&r->covered, 0) || r->covered.v[0].b < n)
		return;
	if (pread(r->fd, eh, n, 0) != (ssize_t)n)
		return;
	e = r->kdump ? diskdump_mark_incomplete(eh, n) : elfcore_mark_incomplete(eh, n);
	if (e == 0 && pwrite(r->fd, eh, n, 0) != (ssize_t)n)
		r->err = -errno;
}

/* ------------------------------------------------------------- reporting */

static void print_seq_list(FILE *f, const struct spans *s)
{
	size_t i;

	for (i = 0; i < s->n && i < LIST_MAX; i++) {
		if (s->v[i].b - s->v[i].a == 1)
			fprintf(f, "%s%" PRIu64, i ? ", " : "", s->v[i].a);
		else
			fprintf(f, "%s%" PRIu64 "-%" PRIu64, i ? ", " : "", s->v[i].a, s->v[i].b - 1);
	}
	if (i < s->n)
		fprintf(f, ", ... (%zu more runs)", s->n - i);
}

/*
 * The bad frames that overlap m, "; "-separated (BAD_PER_LINE of them,
 * then how many more); false when none.  A frame holds at most
 * FRAME_PAYLOAD_MAX bytes, so only those starting in
 * [m->a - FRAME_PAYLOAD_MAX, m->b) can overlap: binary search for the first.
 */
static bool print_bad_in(FILE *f, const struct recv *r, const struct span *m)
{
	uint64_t from = m->a - (m->a < FRAME_PAYLOAD_MAX ? m->a : FRAME_PAYLOAD_MAX);
	size_t lo = 0, hi = r->nbadx, shown = 0, more = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->bad[r->badx[mid]].offset < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < r->nbadx && r->bad[r->badx[i]].offset < m->b; i++) {
		const struct badframe *b = &r->bad[r->badx[i]];
		uint64_t end = b->offset + (b->len ? b->len : 1);

		if (end <= m->a || end < b->offset)
			continue;
		if (shown == BAD_PER_LINE) {
			more++;
			continue;
		}
		fprintf(f, "%sframe seq %" PRIu32, shown ? "; " : "", b->seq);
		if (b->len)
			fprintf(f, " (DATA 0x%" PRIx64 "-0x%" PRIx64 ")", b->offset, end - 1);
		else
			fprintf(f, " (ZERO from 0x%" PRIx64 ")", b->offset);
		fprintf(f, " %s", b->status == FRAME_TRUNCATED ? "cut off by the capture's end" :
				  "payload CRC wrong");
		shown++;
	}
	if (more)
		fprintf(f, "; ... and %zu more bad frames", more);
	return shown != 0;
}

/* One missing range and what explains it: bad frames, or lost seqs. */
static void print_missing(FILE *f, const struct recv *r, const struct span *m)
{
	uint64_t first = 0, last = 0;
	bool lost = false;
	size_t lo = 0, hi = r->njumps;

	fprintf(f, "missing 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " bytes): ", m->a, m->b - 1,
		m->b - m->a);
	while (lo < hi) {	/* the first jump from m->a to m->b, in arrival order */
		size_t mid = lo + (hi - lo) / 2;
		const struct jump *j = &r->jumps[mid];

		if (j->prev_end < m->a || (j->prev_end == m->a && j->offset < m->b))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < r->njumps && !lost; i++) {
		const struct jump *j = &r->jumps[i];

		if (j->prev_end != m->a || j->offset != m->b)
			break;
		if (j->seq > j->prev_seq + 1) {
			first = j->prev_seq + 1;
			last = j->seq - 1;
			lost = true;
		}
	}
	if (!lost && r->have_trl && m->b == r->file_size && r->last_end == m->a &&
	    r->trl.frame_count > r->last_seq + 1) {
		first = r->last_seq + 1;	/* the frames before the TRAILER */
		last = r->trl.frame_count - 1;
		lost = true;
	}
	if (print_bad_in(f, r, m))
		;
	else if (lost && first == last)
		fprintf(f, "frame seq %" PRIu64 " not received", first);
	else if (lost)
		fprintf(f, "frames seq %" PRIu64 "-%" PRIu64 " not received", first, last);
	else
		fprintf(f, "no frame received");
	if (!r->have_trl && m->b == r->file_size)
		fprintf(f, "; the capture ends before the file does");
	fprintf(f, "\n");
}

static void print_stream(const struct recv *r)
{
	const struct frame_stats *s = &r->stats;

	printf("capture %s: %" PRIu64 " bytes, %" PRIu64 " good frames, %" PRIu64
	       " bad headers, %" PRIu64 " bad payloads, %" PRIu64 " cut off\n",
	       r->capture, s->bytes, s->frames, s->bad_header, s->bad_payload, s->truncated);
	printf("console text and other bytes: %" PRIu64 " (frames found again after them %" PRIu64
	       " times)\n", s->garbage, s->resyncs);
	if (r->ndumps > 1) {
		printf("the capture holds %zu dumps:", r->ndumps);
		for (size_t i = 0; i < r->ndumps && i < LIST_MAX; i++)
			printf(" 0x%016" PRIx64 " (%" PRIu64 " frames%s)", r->dumps[i].id,
			       r->dumps[i].frames, r->dumps[i].header ? "" : ", no HEADER");
		if (r->ndumps > LIST_MAX)
			printf(" ... and %zu more", r->ndumps - LIST_MAX);
		printf("; taking 0x%016" PRIx64 "%s\n", r->id, r->id_given ? " (--dump-id)" :
		       ", the last with a HEADER (--dump-id picks another)");
	}
}

static void print_dump(const struct recv *r)
{
	char when[64] = "unknown";
	time_t t;

	printf("dump 0x%016" PRIx64 ": %" PRIu64 " HEADER, %" PRIu64 " DATA, %" PRIu64
	       " ZERO, %" PRIu64 " TRAILER frames; %" PRIu64 " duplicates\n", r->id,
	       r->by_type[1], r->by_type[2], r->by_type[3], r->by_type[4], r->dups);
	if (r->have_hdr) {
		t = (time_t)r->hdr.created;
		if (r->hdr.created != 0)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
		if (r->hdr.body_format == FRAME_BODY_KDUMP)
			printf("HEADER: kdump-compressed file %" PRIu64 " bytes, created %s, by \"",
			       r->hdr.file_size, when);
		else if (r->hdr.body_format == FRAME_BODY_ENCRYPTED)
			printf("HEADER: encrypted stream %" PRIu64 " bytes, created %s, by \"",
			       r->hdr.file_size, when);
		else
			printf("HEADER: ELF file %" PRIu64 " bytes, %" PRIu32 " segments, created %s, "
			       "by \"", r->hdr.file_size, r->hdr.segment_count, when);
		textesc_put(stdout, r->hdr.producer, strnlen(r->hdr.producer,
							     sizeof(r->hdr.producer)));
		printf("\"\n");
	} else {
		printf("HEADER: not received\n");
	}
	if (r->enc && r->enc_hdr_ok) {
		char id[2 * ENCDUMP_KEY_ID_LEN + 1];

		enckey_id_hex(r->enc_hdr.key_id, id);
		printf("encrypted (docs/encryption.md) for key %s: %s inside, %" PRIu32
		       "-byte chunks\n", id, encdump_inner_name(r->enc_hdr.inner_format),
		       r->enc_hdr.chunk_size);
	}
	if (r->have_trl)
		printf("TRAILER: seen: %" PRIu32 " frames before it, %" PRIu64 " of %" PRIu64
		       " bytes sent, status %" PRId32 "%s\n", r->trl.frame_count, r->trl.bytes_sent,
		       r->trl.file_size, r->trl.status, r->trl.status ? " (the sender gave up)" : "");
	else
		printf("TRAILER: not received (the end of the dump is unknown)\n");
	if (r->beyond)
		printf("ignored %" PRIu64 " frames outside the file\n", r->beyond);
}

static void print_seqs(struct recv *r)
{
	uint64_t expect = r->have_trl ? (uint64_t)r->trl.frame_count + 1 : r->max_seq + 1;
	struct spans gaps = { 0 };

	spans_gaps(&r->seqs, 0, expect, &gaps);
	printf("frames: %" PRIu64 " expected%s, %" PRIu64 " missing", expect,
	       r->have_trl ? "" : " at least", spans_total(&gaps));
	if (gaps.n) {
		printf(": seq ");
		print_seq_list(stdout, &gaps);
	}
	printf("\n");
	free(gaps.v);
}

/*
 * Everything that is wrong, in lines; to f (stdout or the sidecar), at
 * most max lines per list, then "... and N more".
 */
static void print_problems(FILE *f, const struct recv *r, size_t max)
{
	char hex[2 * SHA256_LEN + 1];
	size_t shown = 0, more = 0;

	if (r->decrypted && r->missing.n)
		fprintf(f, "(the missing ranges are offsets in the encrypted stream the frames "
			"carry, not in the decrypted file)\n");
	for (size_t i = 0; i < r->missing.n && i < max; i++)
		print_missing(f, r, &r->missing.v[i]);
	if (r->missing.n > max)
		fprintf(f, "... and %zu more missing ranges\n", r->missing.n - max);
	for (size_t i = 0; i < r->nbad; i++) {
		if (r->bad[i].dump_id != r->id || (r->bad[i].type != FRAME_TYPE_HEADER &&
						   r->bad[i].type != FRAME_TYPE_TRAILER))
			continue;
		if (shown++ == max) {
			shown--;
			more++;
			continue;
		}
		fprintf(f, "%s frame seq %" PRIu32 " damaged (%s)\n",
			frame_type_name(r->bad[i].type), r->bad[i].seq,
			r->bad[i].status == FRAME_TRUNCATED ? "cut off" : "payload CRC wrong");
	}
	if (more)
		fprintf(f, "... and %zu more damaged HEADER or TRAILER frames\n", more);
	if (!r->have_hdr && !r->have_trl)
		fprintf(f, "file size unknown (no HEADER, no TRAILER): %" PRIu64
			" bytes is the end of the last frame\n", r->file_size);
	if (!r->have_trl)
		fprintf(f, "TRAILER not received: the end of the file and its digest are unknown\n");
	else if (r->trl.status != 0)
		fprintf(f, "the sender stopped early: status %" PRId32 ", %" PRIu64 " of %" PRIu64
			" bytes sent\n", r->trl.status, r->trl.bytes_sent, r->trl.file_size);
	if (r->have_hdr && r->have_trl && r->hdr.file_size != r->trl.file_size)
		fprintf(f, "HEADER and TRAILER disagree on the file size\n");
	if (r->digest_checked && !r->digest_ok) {
		crypto_sha256_hex(r->digest, hex);
		fprintf(f, "sha256 MISMATCH: rebuilt %s\n", hex);
		crypto_sha256_hex(r->trl.sha256, hex);
		fprintf(f, "                 TRAILER %s\n", hex);
	}
	if (r->enc && !r->decrypted && r->enc_kept < r->file_size)
		fprintf(f, "the encrypted stream is kept up to its first missing byte (%" PRIu64
			" bytes): what follows a gap cannot be decrypted in order\n", r->enc_kept);
	if (r->decrypted && r->enc_verdict == ENCSINK_TRUNCATED && r->enc_opened &&
	    r->enc_plain != 0)
		fprintf(f, "encrypted stream %s: the %" PRIu64 " bytes of the chunks before the cut "
			"are kept, every one authenticated; the file ends there\n", r->enc_err,
			r->enc_plain);
	else if (r->decrypted && r->enc_verdict != ENCSINK_OK)
		fprintf(f, "encrypted stream: %s: nothing decrypted to keep\n", r->enc_err);
	if (r->err != 0)
		fprintf(f, "writing %s failed: %s\n", r->out, strerror(-r->err));
}

static void print_report(struct recv *r)
{
	char hex[2 * SHA256_LEN + 1];

	print_stream(r);
	print_dump(r);
	print_seqs(r);
	printf("%s: %" PRIu64 " bytes, %" PRIu64 " missing in %zu ranges\n",
	       r->enc ? "encrypted stream" : "file", r->file_size, spans_total(&r->missing),
	       r->missing.n);
	print_problems(stdout, r, LIST_MAX);
	if (r->digest_checked && r->digest_ok) {
		crypto_sha256_hex(r->digest, hex);
		printf("sha256 OK %s%s\n", hex, r->trl.bytes_sent != r->file_size ?
		       " (of the bytes sent)" : "");
	} else if (!r->digest_checked) {
		printf("sha256 not checked: %s\n", r->have_trl ? "bytes missing" : "no TRAILER");
	}
}

/*
 * VMCORE.incomplete: the same problem lines, for whoever finds the file;
 * written like VMCORE (beside it, renamed over the old one).
 */
static int write_sidecar(const struct recv *r, const char *path)
{
	struct outfile o;
	char *text = NULL;
	size_t len = 0, done = 0;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (f == NULL)
		return -errno;
	if (r->decrypted)
		fprintf(f, "# postmortem recv: %s is INCOMPLETE: the chunks of the encrypted stream "
			"before its first missing byte, decrypted; the file ends there\n", r->out);
	else if (r->enc)
		fprintf(f, "# postmortem recv: %s is INCOMPLETE or damaged: the encrypted stream as "
			"received, up to its first missing byte\n", r->out);
	else
		fprintf(f, "# postmortem recv: %s is INCOMPLETE or damaged; missing bytes read as "
			"zero\n", r->out);
	fprintf(f, "capture %s\ndump_id 0x%016" PRIx64 "\nfile_size %" PRIu64 "\n", r->capture,
		r->id, r->file_size);
	print_problems(f, r, SIDECAR_MAX);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	err = outfile_open(&o, "recv", path, len, OUTFILE_REPLACE_LINK);
	while (err == 0 && done < len) {
		ssize_t n = write(o.fd, text + done, len - done);
		if (n <= 0)
			err = n < 0 ? -errno : -EIO;
		else
			done += (size_t)n;
	}
	if (err == 0 && (o.direct || (err = outfile_done(&o)) == 0))
		err = outfile_publish(&o);
	else if (o.fd >= 0 || o.tmp[0])
		outfile_discard(&o);
	free(text);
	return err;
}

/* ---------------------------------------------------------------- command */

/* The private key is no longer needed: its memory wiped (enckey_free) and freed. */
static void drop_key(struct recv *r)
{
	if (r->key != NULL)
		enckey_free(r->key);
	free(r->key);
	r->key = NULL;
}

static void recv_free(struct recv *r)
{
	free(r->bad);
	free(r->jumps);
	free(r->dumps);
	free(r->slots);
	free(r->badx);
	free(r->covered.v);
	free(r->seqs.v);
	free(r->data.v);
	free(r->missing.v);
	for (size_t i = 0; i < 2; i++) {
		free(r->briefs[i].text);
		free(r->briefs[i].got.v);
	}
	drop_key(r);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: postmortem recv CAPTURE -o VMCORE [--dump-id ID] [--quiet] [--compact]\n"
		"                       [--max-size SIZE] [--key PRIVATE.pem]\n"
		"\n"
		"Rebuild the dump file a dump=serial run sent, from a capture of the\n"
		"serial line (console text and frames mixed; docs/dump-serial.md): a\n"
		"kdump-compressed file (the default) is written as it was sent, an ELF\n"
		"core (dump.format=elf) gets the /proc/vmcore shape.\n"
		"  -o VMCORE      where to write the file (missing bytes are zero)\n"
		"  --key PRIVATE.pem  an encrypted dump (load --encrypt-to): decrypt it with\n"
		"                 this RSA private key into the usual file; every byte written\n"
		"                 is authenticated (docs/encryption.md).  A cut capture keeps\n"
		"                 the chunks before the cut, marked incomplete; a wrong key or\n"
		"                 a damaged chunk writes nothing.  Without --key an encrypted\n"
		"                 dump is saved as the stream received, which\n"
		"                 `postmortem savecore --key PRIVATE.pem STREAM -o VMCORE`\n"
		"                 decrypts later\n"
		"  --dump-id ID   take this dump's frames (default: the last dump whose\n"
		"                 HEADER is in the capture)\n"
		"  --quiet        print only problems\n"
		"  --compact      keep an ELF core as sent (zero pages as PT_LOAD tails\n"
		"                 outside the file); default: the /proc/vmcore shape, zeros\n"
		"                 as holes\n"
		"  --max-size SIZE  refuse a dump that declares a bigger file (bytes, or with\n"
		"                 K, M, G or T; default 64G)\n"
		"VMCORE (mode 0600) is written beside it and renamed over it at the end;\n"
		"a capture without frames of the dump leaves an existing VMCORE as it was,\n"
		"and an incomplete dump goes to VMCORE.partial when VMCORE exists.\n"
		"A device or FIFO as VMCORE gets the finished file (built in $TMPDIR),\n"
		"compact, no sidecar; a symbolic link to a regular file is refused.\n"
		"Exit 0 only when the file is complete and matches the sender's SHA-256\n"
		"(decrypted: every chunk authenticated, the last one final); otherwise 1\n"
		"(a partial dump, or nothing written), with VMCORE.incomplete listing what\n"
		"is missing.\n");
}

/* "4096", "64G", "1T": bytes; -1 unless a positive number that fits. */
static int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *u;
	uint64_t v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || s[0] == '-')
		return -1;
	if (*end != '\0') {
		if ((u = strchr(units, *end)) == NULL || end[1] != '\0')
			return -1;
		shift = 10 * (int)(u - units + 1);
	}
	if (v == 0 || v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static int parse_args(struct recv *r, int argc, char **argv)
{
	enum { COMPACT = 256, MAX_SIZE, DUMP_ID, KEY };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "compact", no_argument, NULL, COMPACT },
		{ "max-size", required_argument, NULL, MAX_SIZE },
		{ "dump-id", required_argument, NULL, DUMP_ID },
		{ "key", required_argument, NULL, KEY },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c, li, at;
	char what[512];
	const char *extra;

	/* whole option names, arguments in order (tools/opts.h) */
	opts_begin();
	while ((c = opts_next(argc, argv, "-:hqo:", opts, &li, &at)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'q': r->quiet = true; break;
		case COMPACT: r->compact = true; break;
		case 'o': r->out = optarg; break;
		case KEY: r->key_path = optarg; break;
		case MAX_SIZE:
			if (parse_size(optarg, &r->max_size) != 0)
				return -1;
			break;
		case DUMP_ID:
			errno = 0;
			r->id = strtoull(optarg, &end, 0);
			if (errno != 0 || *end != '\0' || end == optarg)
				return -1;
			r->id_given = r->have_id = true;
			break;
		case ':':
			fprintf(stderr, "%s: %s needs a value\n", TOOL,
				argv[at][1] == '-' ? argv[at] : "-o");
			return -1;
		case 1:
			if (optarg[0] != '-' && r->capture == NULL) {
				r->capture = optarg;
				break;
			}
			/* fall through - a second argument, or "-" */
		default:	/* '?' */
			fprintf(stderr, "%s: %s\n", TOOL,
				opts_what(argv, at, c, what, sizeof(what)));
			return -1;
		}
	}
	if ((extra = opts_rest(argc, argv, &r->capture)) != NULL) {	/* after "--" */
		fprintf(stderr, "%s: unexpected argument '%s'\n", TOOL, extra);
		return -1;
	}
	return r->capture != NULL && r->out != NULL ? 0 : -1;
}

/* One line: VMCORE holds the encrypted stream as received, and how to decrypt it. */
static void say_stream(const struct recv *r, FILE *f)
{
	char id[2 * ENCDUMP_KEY_ID_LEN + 1];

	if (r->enc_hdr_ok)
		enckey_id_hex(r->enc_hdr.key_id, id);
	fprintf(f, "%s: %s is the ENCRYPTED stream as received%s%s (no --key): `postmortem "
		"savecore --key PRIVATE.pem %s -o VMCORE` decrypts it (docs/encryption.md)\n",
		TOOL, r->out, r->enc_hdr_ok ? ", for key " : "", r->enc_hdr_ok ? id : "", r->out);
}

/*
 * A failed run never replaces a file that is there: when VMCORE exists,
 * the partial dump is published as VMCORE.partial instead (a link planted
 * at that name is replaced itself, never followed) and VMCORE is kept.
 */
static int keep_existing(struct recv *r, struct outfile *o)
{
	static char partial[4096 + 16];
	struct stat st;
	size_t n = strlen(o->name);

	if (o->direct || fstatat(o->dirfd, o->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	if (n + sizeof(".partial") > sizeof(o->name) ||
	    (size_t)snprintf(partial, sizeof(partial), "%s.partial", r->out) >= sizeof(partial)) {
		fprintf(stderr, "%s: %s: the dump is incomplete and %s exists; a name for the "
			"partial dump beside it is too long: nothing written\n", TOOL, r->capture,
			r->out);
		return -ENAMETOOLONG;
	}
	memcpy(o->name + n, ".partial", sizeof(".partial"));
	fprintf(stderr, "%s: %s exists and is kept: the incomplete dump goes to %s\n", TOOL,
		r->out, partial);
	r->out = o->path = partial;
	return 0;
}

/* Put the output in place and the sidecar beside it (or its lines on stderr). */
static int publish_incomplete(struct recv *r, struct outfile *o, const char *side)
{
	int rc = -1;

	mark_incomplete(r);
	if (!r->quiet)
		print_report(r);
	if (keep_existing(r, o) != 0) {
		outfile_discard(o);
		return 1;
	}
	if (outfile_done(o) != 0) {
		outfile_discard(o);
		fprintf(stderr, "%s: %s: not written\n", TOOL, r->out);
		return 1;
	}
	if (outfile_publish(o) != 0) {
		fprintf(stderr, "%s: %s: not written\n", TOOL, r->out);
		return 1;
	}
	if (!o->direct)
		rc = write_sidecar(r, side);
	if (r->decrypted && r->enc_verdict == ENCSINK_TRUNCATED)
		fprintf(stderr, "%s: %s is INCOMPLETE: decrypting the stream up to its first missing "
			"byte: %s; the %" PRIu64
			" bytes decrypted before the cut are kept (every chunk authenticated), "
			"marked incomplete; %s%s\n", TOOL, r->out, r->enc_err, r->enc_plain,
			o->direct ? "a device or pipe: no sidecar" : rc == 0 ? "listed in " :
			"cannot write ", o->direct ? "" : side);
	else if (r->decrypted)	/* every chunk verified, but the capture's checks fail */
		fprintf(stderr, "%s: %s is INCOMPLETE: every chunk of the stream authenticated, the "
			"last one final, but the capture %s; kept, marked incomplete; %s%s\n", TOOL,
			r->out, r->missing.n ? "lacks bytes its HEADER declares" :
			"fails its own checks", o->direct ? "a device or pipe: no sidecar" :
			rc == 0 ? "listed in " : "cannot write ", o->direct ? "" : side);
	else
		fprintf(stderr, "%s: %s is INCOMPLETE: %" PRIu64 " bytes missing in %zu ranges "
			"(%s)%s; %s%s\n", TOOL, r->out, spans_total(&r->missing), r->missing.n,
			r->enc ? "the stream is kept up to the first" : "zero-filled",
			r->digest_checked && !r->digest_ok ? ", sha256 MISMATCH" :
			!r->have_trl ? ", no TRAILER" : "", o->direct ? "a device or pipe: no sidecar" :
			rc == 0 ? "listed in " : "cannot write ", o->direct ? "" : side);
	if (r->enc && !r->decrypted)
		say_stream(r, stderr);
	if (r->quiet || o->direct)
		print_problems(stderr, r, LIST_MAX);
	return 1;
}

/*
 * An encrypted dump and --key: decrypt the rebuilt stream (see the top)
 * and save what verified.  A wrong key, a damaged header or chunk, or a
 * cut before the first chunk verified: nothing written, VMCORE as it was.
 */
static int finish_decrypt(struct recv *r, struct outfile *o, const char *side)
{
	char id[2 * ENCDUMP_KEY_ID_LEN + 1];
	int ex;

	decrypt_in_place(r, complete(r));
	drop_key(r);
	if (r->enc_verdict != ENCSINK_OK &&
	    (r->enc_verdict != ENCSINK_TRUNCATED || !r->enc_opened || r->enc_plain == 0)) {
		if (!r->quiet)
			print_report(r);
		outfile_discard(o);
		fprintf(stderr, "%s: encrypted dump: %s\n", TOOL, r->enc_err);
		fprintf(stderr, "%s: %s: nothing written%s (without --key, recv saves the encrypted "
			"stream as received)\n", TOOL, r->out, o->direct ? "" : ", left as it was");
		return 1;
	}
	/* Whole: the final chunk verified and no stream byte is missing (a
	 * lost TRAILER takes nothing away: the stream authenticates its end). */
	if (r->enc_verdict != ENCSINK_OK || r->missing.n != 0 || r->err != 0 ||
	    (r->digest_checked && !r->digest_ok))
		return publish_incomplete(r, o, side);
	if (!r->quiet)
		print_report(r);
	if (outfile_done(o) != 0) {
		outfile_discard(o);
		return 1;
	}
	ex = !o->direct && !r->compact && !r->kdump ? vmcore_expand(o->tmp, r->out) : 0;
	if (outfile_publish(o) != 0)
		return 1;
	if (!o->direct)
		unlink(side);	/* a stale sidecar; a link there is removed, not followed */
	enckey_id_hex(r->enc_hdr.key_id, id);
	if (!r->quiet)
		printf("%s: decrypted with key %s: %" PRIu64 " bytes (%s), every chunk "
		       "authenticated, the last one final%s\n", TOOL, id, r->enc_plain,
		       encdump_inner_name(r->enc_hdr.inner_format), r->have_trl ? "" :
		       " (the TRAILER did not arrive: the stream vouches for its end)");
	if (!r->quiet)
		printf("wrote %s: %" PRIu64 " bytes, complete%s\n", r->out, r->enc_plain,
		       r->kdump ? " (kdump-compressed)" : o->direct ? " (a device or pipe: compact)" :
		       r->compact ? " (compact)" : "");
	return ex < 0 ? 1 : 0;
}

static int no_frames(const struct recv *r, const char *what)
{
	fprintf(stderr, "%s: %s: no frames of %s found (%" PRIu64 " bytes, %" PRIu64
		" bad headers, %" PRIu64 " bad payloads); %s\n", TOOL, r->capture,
		r->id_given ? "that dump" : "a dump", r->stats.bytes, r->stats.bad_header,
		r->stats.bad_payload, what);
	return 1;
}

int recv_tool_main(int argc, char **argv)
{
	static struct recv r;
	struct outfile o;
	char side[4096];
	uint64_t need = 0;
	bool found = false;

	recv_free(&r);		/* what an earlier call in this process left */
	memset(&r, 0, sizeof(r));
	r.max_size = RECV_SIZE_DEFAULT;
	if (parse_args(&r, argc, argv) != 0) {
		usage(stderr);
		return 2;
	}
	if (r.key_path != NULL) {
		char kerr[ENCKEY_ERR_LEN];

		r.key = xrealloc(NULL, sizeof(*r.key));
		if (enckey_private_load(r.key, r.key_path, kerr) != 0) {
			fprintf(stderr, "%s: --key %s\n", TOOL, kerr);
			free(r.key);
			r.key = NULL;
			return 1;
		}
	}
	if (decode_capture(&r, on_frame_scan) != 0)
		return 1;
	choose_dump(&r);
	/* The crash records first: they may be all that arrived, and a
	 * refusal below must not hide them. */
	if (!r.quiet && show_briefs(&r) != 0)
		return 1;
	if (check_size(&r) != 0)
		return 1;
	snprintf(side, sizeof(side), "%s.incomplete", r.out);
	for (size_t i = 0; i < r.ndumps; i++)
		if (r.have_id && r.dumps[i].id == r.id) {
			need = r.dumps[i].data;
			found = true;
		}
	if (!found)
		return no_frames(&r, "nothing written, VMCORE left as it was");
	/* a new file beside VMCORE, renamed over it at the end (tools/outfile.h) */
	if (outfile_open(&o, "recv", r.out, need, OUTFILE_SEEKABLE) != 0)
		return 1;
	outfile_keep_stdout_clean(&o);	/* -o /dev/stdout: reports to stderr */
	r.fd = o.fd;
	if (decode_capture(&r, on_frame) != 0) {
		outfile_discard(&o);
		return 1;
	}
	if ((r.by_type[1] + r.by_type[2] + r.by_type[3] + r.by_type[4]) == 0) {
		outfile_discard(&o);
		return no_frames(&r, o.direct ? "nothing written" :
				 "nothing written, VMCORE left as it was");
	}
	finish_output(&r);
	r.kdump = kdump_body(&r);
	if (encrypted_body(&r)) {
		r.kdump = false;
		if (r.key != NULL)
			return finish_decrypt(&r, &o, side);
		/* Kept as received, but only up to the first missing byte: zeros in
		 * a chunk would read as damage to `savecore --key`, a cut as a cut. */
		r.enc_kept = r.file_size;
		if (!complete(&r) && r.err == 0) {
			r.enc_kept = spans_has(&r.covered, 0) && r.covered.v[0].b < r.file_size ?
				     r.covered.v[0].b : spans_has(&r.covered, 0) ? r.file_size : 0;
			if (ftruncate(r.fd, (off_t)r.enc_kept) != 0)
				r.err = -errno;
		}
	} else if (r.key != NULL) {
		fprintf(stderr, "%s: %s: the dump is not encrypted; --key is not used\n", TOOL,
			r.capture);
		drop_key(&r);
	}
	if (!complete(&r))
		return publish_incomplete(&r, &o, side);
	if (!r.quiet)
		print_report(&r);
	if (outfile_done(&o) != 0) {
		outfile_discard(&o);
		return 1;
	}
	/* The digest covered the file as sent; an ELF core now gets the
	 * /proc/vmcore shape, a kdump-compressed file stays as it is. */
	int ex = !o.direct && !r.compact && !r.kdump && !r.enc ? vmcore_expand(o.tmp, r.out) : 0;
	if (outfile_publish(&o) != 0)
		return 1;
	if (!o.direct)
		unlink(side);	/* a stale sidecar; a link there is removed, not followed */
	if (!r.quiet)
		printf("wrote %s: %" PRIu64 " bytes, complete, sha256 OK%s\n", r.out, r.file_size,
		       r.kdump ? " (kdump-compressed, as sent)" : r.enc ? " (encrypted stream)" :
		       o.direct ? " (a device or pipe: compact, as sent)" : "");
	if (r.enc)
		say_stream(&r, stdout);
	return ex < 0 ? 1 : 0;
}
