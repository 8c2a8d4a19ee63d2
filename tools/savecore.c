/*
 * `postmortem savecore`: extract a raw dump from a disk image or block
 * device (interface and exit status: tools/savecore.h; format and write
 * order: docs/dump-disk.md).
 *
 * The disk is opened read-only unless --clear asks for a write, read
 * through tools/fileblk.c as a struct blkdev, and judged with the same
 * pure code the kernel writes it with: payload/gpt.c finds the partitions,
 * payload/dumphdr.c decodes both header copies and says whether the pair
 * describes a finished dump.  Only a finished dump whose body matches its
 * SHA-256 is kept without --force; a VMCORE that fails the digest is
 * removed again.  --clear marks both headers CLEARED (leading first) after
 * a save, as FreeBSD's savecore does, and only on a partition with the
 * dump type GUID (or with --force).  Host only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "drivers/blkdev.h"
#include "kernel/efi.h"
#include "payload/dumphdr.h"
#include "payload/gpt.h"
#include "tools/fileblk.h"
#include "tools/savecore.h"

#define TOOL		"savecore"
#define SC_SCRATCH	(1u << 20)	/* body chunks, GPT arrays */
#define SC_PROGRESS_MIN	(64ull << 20)	/* bodies at least this big show progress */
#define SC_MAX_TARGETS	GPT_MAX_PARTS

enum { SC_OK = 0, SC_FAIL = 1, SC_USAGE = 2, SC_FORCED = 3 };

static const struct efi_guid sc_dump_type = GPT_TYPE_POSTMORTEM_DUMP;

struct sc_opts {
	const char *image, *out;
	bool list, force, clear;
	uint32_t partition;		/* 0: every dump partition */
	uint32_t sector_size;		/* 0: the device's, else 512 */
};

/* One partition (or the whole image) that may hold a dump. */
struct sc_target {
	const struct gpt_part *part;	/* NULL: the whole image is the partition */
	struct blkdev view;
	struct dumphdr lead, trail;
	int lead_err, trail_err;	/* dumphdr_get results */
	const char *lead_why, *trail_why;
	int verdict;			/* dumphdr_check_pair result */
	const char *why;
};

struct sc_ctx {
	struct sc_opts o;
	struct blkdev dev;
	uint8_t *scratch;
	struct gpt_info *gpt;		/* NULL when the image has no GPT */
	struct sc_target t[SC_MAX_TARGETS];
	unsigned nt;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: postmortem savecore IMAGE-OR-DEVICE -o VMCORE [--partition N] [--force]\n"
		"                           [--clear] [--sector-size BYTES]\n"
		"       postmortem savecore IMAGE-OR-DEVICE --list [--partition N]\n"
		"\n"
		"Save the dump postmortem wrote to a raw dump partition (GPT type\n"
		"9cd6ae46-cf19-4c5c-b341-57f4b21dfd41, or a partition image) as an ELF core file.\n"
		"  -o VMCORE         write the dump's body there (mode 0600)\n"
		"  --list            only report the partitions and their dumps\n"
		"  --partition N     use GPT entry N (1-based), whatever its type\n"
		"  --force           write a dump that is cut short, failed, cleared or fails\n"
		"                    its digest (exit 3), or clear a partition of another type\n"
		"  --clear           after a save, mark the headers CLEARED (opens read-write)\n"
		"  --sector-size N   logical sector size (default: the device's, else 512)\n"
		"exit status: 0 saved and verified, 1 refused or failed, 2 usage,\n"
		"             3 written under --force without being verified\n");
}

static int parse_u32(const char *v, uint32_t *out)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(v, &end, 0);
	if (errno || end == v || *end != '\0' || v[0] == '-' || x == 0 || x > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)x;
	return 0;
}

/* One option that takes a value; returns 0 or SC_USAGE (message printed). */
static int parse_value(struct sc_opts *o, const char *a, const char *v)
{
	if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
		o->out = v;
		return 0;
	}
	if (parse_u32(v, strcmp(a, "--partition") == 0 ? &o->partition : &o->sector_size) == 0)
		return 0;
	fprintf(stderr, "postmortem: %s: %s '%s': want a positive number\n", TOOL, a, v);
	return SC_USAGE;
}

static int parse_args(int argc, char **argv, struct sc_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(SC_OK);
		} else if (strcmp(a, "--list") == 0) {
			o->list = true;
		} else if (strcmp(a, "--force") == 0 || strcmp(a, "-f") == 0) {
			o->force = true;
		} else if (strcmp(a, "--clear") == 0) {
			o->clear = true;
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 ||
			   strcmp(a, "--partition") == 0 || strcmp(a, "--sector-size") == 0) {
			if (i + 1 == argc) {
				fprintf(stderr, "postmortem: %s: %s needs a value (see --help)\n", TOOL, a);
				return SC_USAGE;
			}
			if (parse_value(o, a, argv[++i]))
				return SC_USAGE;
		} else if (a[0] == '-' || o->image != NULL) {
			fprintf(stderr, "postmortem: %s: %s '%s' (see --help)\n", TOOL,
				a[0] == '-' ? "unknown option" : "unexpected argument", a);
			return SC_USAGE;
		} else {
			o->image = a;
		}
	}
	if (o->image == NULL || (o->out == NULL && !o->list) || (o->list && o->clear)) {
		fprintf(stderr, "postmortem: %s: %s (see --help)\n", TOOL,
			o->image == NULL ? "IMAGE-OR-DEVICE is required" :
			o->list ? "--list does not clear" : "-o VMCORE or --list is required");
		return SC_USAGE;
	}
	return 0;
}

/* ------------------------------------------------------------ wording */

/* "disk.img partition 2 (postmortem dump)" or "disk.img". */
static const char *where(const struct sc_ctx *c, const struct sc_target *t)
{
	static char buf[512];
	const char *type;

	if (t->part == NULL)
		return c->o.image;
	type = gpt_type_name(&t->part->type);
	snprintf(buf, sizeof(buf), "%s partition %u (%s)", c->o.image, t->part->index,
		 type ? type : "unknown type");
	return buf;
}

static const char *fmt_time(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, len, "at an unknown time");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

static const char *fmt_size(uint64_t bytes, char *buf, size_t len)
{
	if (bytes % (1u << 20) == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes >> 20));
	else if (bytes >= (1u << 20))
		snprintf(buf, len, "%.1f MiB", bytes / 1048576.0);
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
	return buf;
}

/* "dump 0x..., created ..., kernel ..., 64 MiB" for a decoded header. */
static const char *fmt_dump(const struct dumphdr *h)
{
	static char buf[512];
	char tbuf[64], sbuf[32];

	snprintf(buf, sizeof(buf), "dump 0x%016llx, created %s, kernel %s%s%s, %s",
		 (unsigned long long)h->dump_id, fmt_time(h->created, tbuf, sizeof(tbuf)),
		 h->release[0] ? h->release : "unknown", h->hostname[0] ? ", host " : "",
		 h->hostname, fmt_size(h->body_length ? h->body_length : h->needed_length,
				       sbuf, sizeof(sbuf)));
	return buf;
}

/* COMPLETE or TRUNCATED, also as the status before CLEARED: a digest to check. */
static bool has_digest(const struct dumphdr *h)
{
	uint32_t st = h->status == DUMPHDR_CLEARED ? h->prev_status : h->status;

	return st == DUMPHDR_COMPLETE || st == DUMPHDR_TRUNCATED;
}

/*
 * The copy to go by: the leading one if it decoded, except that a cut
 * between the last two writes leaves the trailing copy final over a body
 * that is whole, and its digest can still prove that under --force.
 */
static const struct dumphdr *best_header(const struct sc_target *t)
{
	bool trail_final = t->trail_err == 0 && has_digest(&t->trail) &&
			   t->trail.status != DUMPHDR_CLEARED;

	if (t->lead_err == 0 && !(trail_final && t->lead.status == DUMPHDR_INCOMPLETE &&
				  t->lead.dump_id == t->trail.dump_id))
		return &t->lead;
	return t->trail_err == 0 ? &t->trail : NULL;
}

static bool has_header(const struct sc_target *t)
{
	return t->lead_err != -ENODATA || t->trail_err != -ENODATA;
}

/* ------------------------------------------------------------ finding */

static int load_target(struct sc_ctx *c, struct sc_target *t)
{
	int err = 0;

	if (t->part == NULL)
		t->view = c->dev;
	else
		err = blkdev_partition(&t->view, &c->dev, t->part->index, t->part->first_lba,
				       t->part->last_lba - t->part->first_lba + 1);
	if (err) {
		fprintf(stderr, "postmortem: %s: %s: beyond the device\n", TOOL, where(c, t));
		return err;
	}
	t->lead_err = dumphdr_get(&t->view, false, c->scratch, SC_SCRATCH, &t->lead, &t->lead_why);
	t->trail_err = dumphdr_get(&t->view, true, c->scratch, SC_SCRATCH, &t->trail,
				   &t->trail_why);
	if ((t->lead_err && t->lead_err != -ENODATA && t->lead_err != -EBADMSG) ||
	    (t->trail_err && t->trail_err != -ENODATA && t->trail_err != -EBADMSG)) {
		fprintf(stderr, "postmortem: %s: %s: read error\n", TOOL, where(c, t));
		return -EIO;
	}
	t->verdict = dumphdr_check_pair(t->lead_err ? NULL : &t->lead,
					t->trail_err ? NULL : &t->trail, t->view.sectors,
					t->view.sector_size, &t->why);
	return 0;
}

/* --partition N: that entry, whatever its type. */
static int target_named(struct sc_ctx *c)
{
	const struct gpt_part *p = gpt_find_index(c->gpt, c->o.partition);

	if (p == NULL) {
		fprintf(stderr, "postmortem: %s: %s: no partition %u in the GPT\n", TOOL, c->o.image,
			c->o.partition);
		return SC_FAIL;
	}
	if (p->problem != NULL && !c->o.force) {
		fprintf(stderr, "postmortem: %s: %s partition %u: %s; not read (--force reads it)\n",
			TOOL, c->o.image, p->index, p->problem);
		return SC_FAIL;
	}
	if (!efi_guid_eq(&p->type, &sc_dump_type))
		fprintf(stderr, "%s: note: partition %u is not a postmortem dump partition (%s); "
			"reading it because it was named\n", TOOL, p->index,
			gpt_type_name(&p->type) ? gpt_type_name(&p->type) : "unknown type");
	c->t[c->nt++].part = p;
	return SC_OK;
}

/* Every usable partition of the dump type; unusable ones are reported. */
static int targets_by_type(struct sc_ctx *c)
{
	char g[EFI_GUID_STR_LEN + 1];

	for (unsigned i = 0; i < c->gpt->nparts; i++) {
		const struct gpt_part *p = &c->gpt->parts[i];

		if (!efi_guid_eq(&p->type, &sc_dump_type))
			continue;
		if (p->problem != NULL)
			fprintf(stderr, "%s: %s partition %u (postmortem dump) is unusable: %s\n",
				TOOL, c->o.image, p->index, p->problem);
		else if (c->nt < SC_MAX_TARGETS)
			c->t[c->nt++].part = p;
	}
	if (c->nt == 0) {
		efi_guid_format(&sc_dump_type, g);
		fprintf(stderr, "postmortem: %s: %s: no postmortem dump partition (type %s) "
			"among its %u GPT partitions\n", TOOL, c->o.image, g, c->gpt->nparts);
		return SC_FAIL;
	}
	return SC_OK;
}

/* The GPT, or a dump header at the image's start (a partition image). */
static int open_layout(struct sc_ctx *c)
{
	struct dumphdr h;
	int err = gpt_read(&c->dev, c->scratch, SC_SCRATCH, c->gpt);

	if (err == 0) {
		if (c->gpt->used_backup)
			fprintf(stderr, "%s: %s: primary GPT header bad (%s); using the backup\n",
				TOOL, c->o.image, c->gpt->primary_problem);
		return c->o.partition ? target_named(c) : targets_by_type(c);
	}
	if (err != -ENODEV) {
		fprintf(stderr, "postmortem: %s: %s: read error (%s)\n", TOOL, c->o.image,
			strerror(-err));
		free(c->gpt);
		c->gpt = NULL;
		return SC_FAIL;
	}
	if (c->o.partition == 0 &&
	    dumphdr_get(&c->dev, false, c->scratch, SC_SCRATCH, &h, NULL) != -ENODATA) {
		free(c->gpt);
		c->gpt = NULL;
		c->nt = 1;		/* t[0].part NULL: the whole image */
		return SC_OK;
	}
	fprintf(stderr, "postmortem: %s: %s: no GPT (primary header: %s; backup header: %s)%s\n",
		TOOL, c->o.image, c->gpt->primary_problem, c->gpt->backup_problem,
		c->o.partition ? "" : " and no dump header at its start");
	if (c->dev.sector_size == 512 && c->dev.sectors > 8 &&
	    blkdev_read(&c->dev, 8, 1, c->scratch) == 0 &&
	    memcmp(c->scratch, GPT_SIGNATURE, 8) == 0)
		fprintf(stderr, "%s: hint: a GPT header sits at byte 4096: try --sector-size 4096\n",
			TOOL);
	free(c->gpt);
	c->gpt = NULL;
	return SC_FAIL;
}

/* ------------------------------------------------------------ listing */

static void list_gpt(const struct sc_ctx *c)
{
	const struct gpt_info *g = c->gpt;
	char guid[EFI_GUID_STR_LEN + 1];

	printf("%s: GPT (%s header), %u partitions, %s, %u-byte sectors\n", c->o.image,
	       g->used_backup ? "backup" : "primary", g->nparts, gpt_pmbr_name(g->pmbr),
	       g->sector_size);
	if (g->backup_problem != NULL && !g->used_backup)
		printf("  note: backup GPT header: %s\n", g->backup_problem);
	for (unsigned i = 0; i < g->nparts; i++) {
		const struct gpt_part *p = &g->parts[i];
		const char *type = gpt_type_name(&p->type);

		efi_guid_format(&p->type, guid);
		printf("  %3u  %-18s %12llu %12llu  \"%s\"%s%s\n", p->index, type ? type : guid,
		       (unsigned long long)p->first_lba, (unsigned long long)p->last_lba, p->name,
		       p->problem ? "  UNUSABLE: " : "", p->problem ? p->problem : "");
	}
}

static void list_target(const struct sc_ctx *c, const struct sc_target *t)
{
	const struct dumphdr *h = best_header(t);

	if (!has_header(t)) {
		printf("%s: no dump (no dump header)\n", where(c, t));
		return;
	}
	if (h == NULL) {
		printf("%s: damaged headers (leading: %s; trailing: %s)\n", where(c, t),
		       t->lead_why, t->trail_why);
		return;
	}
	printf("%s: %s: %s%s%s%s%s%s\n", where(c, t), fmt_dump(h), dumphdr_status_name(h->status),
	       h->status == DUMPHDR_CLEARED ? " (was " : "",
	       h->status == DUMPHDR_CLEARED ? dumphdr_status_name(h->prev_status) : "",
	       h->status == DUMPHDR_CLEARED ? ")" : "",
	       t->verdict == 0 && h->status == DUMPHDR_COMPLETE ? "" : ": ",
	       t->verdict == 0 && h->status == DUMPHDR_COMPLETE ? "" : t->why);
	if (h->reason[0])
		printf("  reason: %s\n", h->reason);
}

/* ------------------------------------------------------------ saving */

/* The one target -o reads: refuse when none or several hold a dump. */
static struct sc_target *pick(struct sc_ctx *c)
{
	struct sc_target *found = NULL;
	unsigned n = 0;

	for (unsigned i = 0; i < c->nt; i++)
		if (has_header(&c->t[i])) {
			found = found ? found : &c->t[i];
			n++;
		}
	if (n == 1)
		return found;
	if (n == 0)
		fprintf(stderr, "postmortem: %s: %s: no dump: %s holds no dump header\n", TOOL,
			c->o.image, c->nt == 1 ? where(c, &c->t[0]) : "no dump partition");
	else
		fprintf(stderr, "postmortem: %s: %s: %u dump partitions hold dumps; choose one "
			"with --partition N (see --list)\n", TOOL, c->o.image, n);
	return NULL;
}

/* Copy len body bytes from the view to fd, hashing them. */
static int copy_body(struct sc_ctx *c, struct sc_target *t, const struct dumphdr *h,
		     uint64_t len, int fd, uint8_t digest[SHA256_LEN])
{
	uint32_t ss = t->view.sector_size;
	uint64_t lba = h->body_offset, done = 0, step = len / 10 + 1, next = step;
	struct crypto_sha256 sha;

	crypto_sha256_init(&sha);
	while (done < len) {
		size_t n = len - done < SC_SCRATCH ? (size_t)(len - done) : SC_SCRATCH;
		uint32_t sectors = (uint32_t)((n + ss - 1) / ss);
		int err = blkdev_read(&t->view, lba, sectors, c->scratch);

		if (err || write(fd, c->scratch, n) != (ssize_t)n) {
			fprintf(stderr, "postmortem: %s: %s at body byte %llu\n", TOOL,
				err ? "read error" : "write error", (unsigned long long)done);
			return -EIO;
		}
		crypto_sha256_update(&sha, c->scratch, n);
		done += n;
		lba += sectors;
		if (len >= SC_PROGRESS_MIN && (done >= next || done == len)) {
			fprintf(stderr, "%s: %3u%% (%llu of %llu MiB)\n", TOOL,
				(unsigned)(done * 100 / len), (unsigned long long)(done >> 20),
				(unsigned long long)(len >> 20));
			next += step;
		}
	}
	crypto_sha256_final(&sha, digest);
	return 0;
}

/*
 * The header and body length to use.  A finished dump: its own.  Under
 * --force: whichever copy decoded, and for a dump cut short the planned
 * length (how much of it is this dump's is unknown).  Returns NULL when
 * there is nothing to go on (message printed).
 */
static const struct dumphdr *body_plan(struct sc_ctx *c, struct sc_target *t, uint64_t *len)
{
	const struct dumphdr *h = best_header(t);
	uint64_t room;

	if (t->verdict != 0 && !c->o.force) {
		fprintf(stderr, "postmortem: %s: %s: %s; nothing written (--force writes what is "
			"there anyway)\n", TOOL, where(c, t), t->why);
		if (h != NULL && h->reason[0])
			fprintf(stderr, "%s: the kernel said: %s\n", TOOL, h->reason);
		return NULL;
	}
	if (h == NULL) {
		fprintf(stderr, "postmortem: %s: %s: no readable header (leading: %s; trailing: "
			"%s); nothing to go on\n", TOOL, where(c, t), t->lead_why, t->trail_why);
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
			TOOL, where(c, t), t->why, (unsigned long long)*len);
	return h;
}

/*
 * Compare the digest; returns SC_OK, SC_FORCED or SC_FAIL (messages
 * printed), *ok whether the body matched a digest.
 */
static int judge_digest(struct sc_ctx *c, struct sc_target *t, const struct dumphdr *h,
			const uint8_t got[SHA256_LEN], bool *ok)
{
	char want_hex[2 * SHA256_LEN + 1], got_hex[2 * SHA256_LEN + 1];

	*ok = has_digest(h) && memcmp(got, h->body_sha256, SHA256_LEN) == 0;
	if (*ok)
		return t->verdict == 0 ? SC_OK : SC_FORCED;
	if (!has_digest(h))
		return SC_FORCED;	/* no digest to check: said so in body_plan */
	crypto_sha256_hex(h->body_sha256, want_hex);
	crypto_sha256_hex(got, got_hex);
	fprintf(stderr, "postmortem: %s: %s: sha256 MISMATCH: the body is corrupt\n"
		"  header says %s\n  body hashes %s\n", TOOL, where(c, t), want_hex, got_hex);
	if (!c->o.force) {
		fprintf(stderr, "%s: removed %s (--force keeps it)\n", TOOL, c->o.out);
		unlink(c->o.out);
		return SC_FAIL;
	}
	fprintf(stderr, "%s: --force: kept %s although its digest does not match\n", TOOL,
		c->o.out);
	return SC_FORCED;
}

static int save(struct sc_ctx *c, struct sc_target *t)
{
	uint8_t digest[SHA256_LEN];
	char sbuf[32];
	uint64_t len = 0;
	const struct dumphdr *h = body_plan(c, t, &len);
	bool ok;
	int fd, rc;

	if (h == NULL)
		return SC_FAIL;
	fd = open(c->o.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "postmortem: %s: %s: %s\n", TOOL, c->o.out, strerror(errno));
		return SC_FAIL;
	}
	if (copy_body(c, t, h, len, fd, digest) || fsync(fd) || close(fd)) {
		fprintf(stderr, "postmortem: %s: %s: not written completely; removed\n", TOOL,
			c->o.out);
		unlink(c->o.out);
		return SC_FAIL;
	}
	rc = judge_digest(c, t, h, digest, &ok);
	if (rc == SC_FAIL)
		return rc;
	printf("%s: %s: %s, sha256 %s \xe2\x86\x92 %s\n", TOOL, where(c, t), fmt_dump(h),
	       ok ? "OK" : "NOT VERIFIED", c->o.out);
	if ((h->status == DUMPHDR_TRUNCATED || h->prev_status == DUMPHDR_TRUNCATED) &&
	    h->needed_length > len)
		printf("%s: TRUNCATED: the partition held %s of the %llu-byte dump; the ELF file "
		       "ends early\n", TOOL, fmt_size(len, sbuf, sizeof(sbuf)),
		       (unsigned long long)h->needed_length);
	return rc;
}

/* --clear: leading copy first, so a cut leaves it CLEARED (docs/dump-disk.md). */
static int clear(struct sc_ctx *c, struct sc_target *t)
{
	struct dumphdr h = t->lead_err == 0 ? t->lead : t->trail;

	if (t->part != NULL && !efi_guid_eq(&t->part->type, &sc_dump_type) && !c->o.force) {
		fprintf(stderr, "postmortem: %s: %s: not a dump partition; not cleared (--force "
			"clears it)\n", TOOL, where(c, t));
		return SC_FAIL;
	}
	if (h.status != DUMPHDR_CLEARED) {
		h.prev_status = h.status;
		h.status = DUMPHDR_CLEARED;
	}
	if (dumphdr_put(&t->view, false, &h, c->scratch, SC_SCRATCH) ||
	    dumphdr_put(&t->view, true, &h, c->scratch, SC_SCRATCH)) {
		fprintf(stderr, "postmortem: %s: %s: writing the CLEARED headers failed\n", TOOL,
			where(c, t));
		return SC_FAIL;
	}
	printf("%s: %s: headers marked CLEARED\n", TOOL, where(c, t));
	return SC_OK;
}

static int run(struct sc_ctx *c)
{
	struct sc_target *t;
	int rc = open_layout(c);

	if (rc != SC_OK && !(c->o.list && c->gpt != NULL && c->nt == 0 && rc == SC_FAIL))
		return rc;
	for (unsigned i = 0; i < c->nt; i++)
		if (load_target(c, &c->t[i]))
			return SC_FAIL;
	if (c->o.list) {
		if (c->gpt != NULL)
			list_gpt(c);
		for (unsigned i = 0; i < c->nt; i++)
			list_target(c, &c->t[i]);
		return rc;
	}
	t = pick(c);
	if (t == NULL)
		return SC_FAIL;
	rc = save(c, t);
	if (rc != SC_FAIL && c->o.clear && clear(c, t) != SC_OK)
		return SC_FAIL;
	return rc;
}

int savecore_tool_main(int argc, char **argv)
{
	struct sc_ctx *c = calloc(1, sizeof(*c));
	const char *why = NULL;
	int rc, err;

	if (c == NULL || (c->gpt = malloc(sizeof(*c->gpt))) == NULL ||
	    (c->scratch = malloc(SC_SCRATCH)) == NULL) {
		fprintf(stderr, "postmortem: %s: out of memory\n", TOOL);
		rc = SC_FAIL;
		goto out;
	}
	rc = parse_args(argc, argv, &c->o);
	if (rc)
		goto out;
	err = fileblk_open(&c->dev, c->o.image, c->o.clear, c->o.sector_size, &why);
	if (err) {
		fprintf(stderr, "postmortem: %s: %s: %s\n", TOOL, c->o.image, why);
		rc = SC_FAIL;
		goto out;
	}
	rc = run(c);
	fileblk_close(&c->dev);
out:
	if (c != NULL) {
		free(c->scratch);
		free(c->gpt);
	}
	free(c);
	return rc;
}
