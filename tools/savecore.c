/*
 * `postmortem savecore`: extract a raw dump from a disk image or block
 * device (interface and exit status: tools/savecore.h; format and write
 * order: docs/dump-disk.md).  This file: options, finding the dump,
 * --list; tools/savecore_save.c writes VMCORE and clears.
 *
 * The disk is opened read-only unless --clear asks for a write, read
 * through tools/fileblk.c as a struct blkdev, and judged with the same
 * pure code the kernel writes it with: formats/gpt.c finds the partitions,
 * payload/dumphdr.c decodes both header copies and says whether the pair
 * describes a finished dump.  Only a finished dump whose body matches its
 * SHA-256 is kept without --force; a VMCORE that fails the digest is
 * removed again.  --clear marks both headers CLEARED (leading first) after
 * a save, as FreeBSD's savecore does, and only on a partition with the
 * dump type GUID on a disk the kernel's write rule allows (formats/gpt.c
 * gpt_write_refusal), or with --force.  --list and the automatic choice
 * apply the same rule; --partition N reads any entry.  Every text that
 * comes from the disk is printed through tools/textesc.c.  Host only.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "formats/blkdev.h"
#include "formats/guid.h"
#include "formats/fat.h"
#include "formats/gpt.h"
#include "payload/dumphdr.h"
#include "tools/dumpfile.h"
#include "tools/dumpfile_state.h"
#include "tools/fileblk.h"
#include "tools/opts.h"
#include "tools/savecore.h"
#include "tools/textesc.h"

#define TOOL	"savecore"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: postmortem savecore IMAGE-OR-DEVICE -o VMCORE [--partition N] [--force]\n"
		"                           [--clear] [--sector-size BYTES] [--compact]\n"
		"       postmortem savecore IMAGE-OR-DEVICE --list [--partition N]\n"
		"       postmortem savecore --from-file PATH -o VMCORE [--clear] [--force] [--compact]\n"
		"       postmortem savecore -o VMCORE [--clear] ...   the dump file of the last load\n"
		"       postmortem savecore STREAM -o VMCORE --key PRIVATE.pem   a saved stream\n"
		"\n"
		"Save the dump postmortem wrote to a raw dump partition (GPT type\n"
		"9cd6ae46-cf19-4c5c-b341-57f4b21dfd41, or a partition image): its\n"
		"kdump-compressed file as it is (the default), or a dump.format=elf dump's\n"
		"ELF core file in the /proc/vmcore shape.\n"
		"dump=fat dumps are found too: on the FAT partitions of IMAGE, on IMAGE as one\n"
		"FAT volume, or in IMAGE as a directory (the mounted ESP, its POSTMORTEM\n"
		"directory, or one dump's directory); the newest complete one is saved.\n"
		"  -o VMCORE         write the dump's body there (mode 0600): a new file\n"
		"                    beside VMCORE, renamed over it once checked (a failed\n"
		"                    run leaves VMCORE as it was); a device or FIFO is\n"
		"                    written as the body streams (compact, checked meanwhile,\n"
		"                    never removed); a symbolic link to a file is refused\n"
		"  --from-file PATH  the dump in a dump file made by `postmortem load --dump-file`\n"
		"                    (docs/dump-file.md); --clear marks it consumed for reuse.\n"
		"                    With neither IMAGE nor --from-file: the dump file the last\n"
		"                    `postmortem load --dump-file` recorded in STATE-DIR/dumpfile\n"
		"  --state-dir DIR   where that is (default $POSTMORTEM_STATE_DIR, else\n"
		"                    /var/lib/postmortem)\n"
		"  --key PRIVATE.pem decrypt an encrypted dump (load --encrypt-to) with this RSA\n"
		"                    private key; every chunk is authenticated before it is\n"
		"                    written (docs/encryption.md).  IMAGE may also be the\n"
		"                    encrypted stream on its own, as `recv` without --key\n"
		"                    saves it (a stream that ends early: exit 4)\n"
		"  --list            only report the partitions and their dumps\n"
		"  --partition N     use GPT entry N (1-based), whatever its type or disk\n"
		"  --force           write a dump that is cut short, failed, cleared or fails\n"
		"                    its digest (exit 3), or clear a partition of another type\n"
		"                    or on a disk postmortem does not write to by itself\n"
		"                    (see --list: an MBR disk, one GPT copy, copies that differ)\n"
		"  --clear           after a save, mark the headers CLEARED (opens read-write)\n"
		"  --sector-size N   logical sector size (default: the device's, else 512)\n"
		"  --compact         keep an ELF core as postmortem wrote it: zero pages as\n"
		"                    PT_LOAD tails outside the file (p_filesz < p_memsz).\n"
		"                    Default: every p_filesz == p_memsz, zeros as sparse holes\n"
		"                    (the /proc/vmcore shape makedumpfile needs)\n"
		"exit status: 0 saved and verified, 1 refused or failed, 2 usage,\n"
		"             3 written under --force without being verified,\n"
		"             4 saved and verified but TRUNCATED (a partial dump)\n");
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

static int parse_args(int argc, char **argv, struct savecore_opts *o)
{
	enum { LIST = 256, CLEAR, COMPACT, PARTITION, SECTOR_SIZE, FROM_FILE, STATE_DIR, KEY };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "list", no_argument, NULL, LIST },
		{ "force", no_argument, NULL, 'f' },
		{ "clear", no_argument, NULL, CLEAR },
		{ "compact", no_argument, NULL, COMPACT },
		{ "output", required_argument, NULL, 'o' },
		{ "partition", required_argument, NULL, PARTITION },
		{ "sector-size", required_argument, NULL, SECTOR_SIZE },
		{ "from-file", required_argument, NULL, FROM_FILE },
		{ "state-dir", required_argument, NULL, STATE_DIR },
		{ "key", required_argument, NULL, KEY },
		{ NULL, 0, NULL, 0 },
	};
	const char *state_dir = NULL;
	int c, li, at;
	char what[512];
	const char *extra;

	/* whole option names, arguments in order (tools/opts.h) */
	opts_begin();
	while ((c = opts_next(argc, argv, "-:hfo:", opts, &li, &at)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(SAVECORE_OK);
		case LIST: o->list = true; break;
		case 'f': o->force = true; break;
		case CLEAR: o->clear = true; break;
		case COMPACT: o->compact = true; break;
		case 'o': o->out = optarg; break;
		case FROM_FILE: o->from_file = optarg; break;
		case STATE_DIR: state_dir = optarg; break;
		case KEY: o->key = optarg; break;
		case PARTITION:
		case SECTOR_SIZE:
			if (parse_u32(optarg, c == PARTITION ? &o->partition : &o->sector_size)) {
				fprintf(stderr, "postmortem: %s: --%s '%s': want a positive number\n",
					TOOL, opts[li].name, optarg);
				return SAVECORE_USAGE;
			}
			break;
		case ':':
			fprintf(stderr, "postmortem: %s: %s needs a value (see --help)\n", TOOL,
				argv[at][1] == '-' ? argv[at] : "-o");
			return SAVECORE_USAGE;
		case 1:
			if (optarg[0] != '-' && o->image == NULL) {
				o->image = optarg;
				break;
			}
			/* fall through - a second argument, or "-" */
		default:	/* '?' */
			fprintf(stderr, "postmortem: %s: %s (see --help)\n", TOOL,
				opts_what(argv, at, c, what, sizeof(what)));
			return SAVECORE_USAGE;
		}
	}
	if ((extra = opts_rest(argc, argv, &o->image)) != NULL) {	/* after "--" */
		fprintf(stderr, "postmortem: %s: unexpected argument '%s' (see --help)\n", TOOL,
			extra);
		return SAVECORE_USAGE;
	}
	if (o->from_file != NULL && (o->image != NULL || o->partition || o->sector_size)) {
		fprintf(stderr, "postmortem: %s: --from-file takes no IMAGE, --partition or "
			"--sector-size (see --help)\n", TOOL);
		return SAVECORE_USAGE;
	}
	if (o->from_file == NULL && o->image == NULL && (o->out != NULL || o->list)) {
		/* no IMAGE: the dump file the last load recorded (tools/dumpfile_state.h) */
		static char path[4096];
		const char *state;
		int r = dumpfile_state_read(dumpfile_state_dir(state_dir), path, sizeof(path),
					    &state);

		if (r < 0)
			return SAVECORE_FAIL;
		if (r == 0) {
			printf("%s: the dump file %s (recorded in %s by `postmortem load "
			       "--dump-file`)\n", TOOL, path, state);
			o->from_file = path;
		} else {
			fprintf(stderr, "postmortem: %s: IMAGE-OR-DEVICE is required: no dump file "
				"is recorded in %s (see --help)\n", TOOL, state);
			return SAVECORE_USAGE;
		}
	}
	if (o->from_file != NULL)
		o->image = o->from_file;
	if (o->image == NULL || (o->out == NULL && !o->list) || (o->list && o->clear)) {
		fprintf(stderr, "postmortem: %s: %s (see --help)\n", TOOL,
			o->image == NULL ? "IMAGE-OR-DEVICE is required" :
			o->list ? "--list does not clear" : "-o VMCORE or --list is required");
		return SAVECORE_USAGE;
	}
	return 0;
}

/* ------------------------------------------------------------ wording */

/* "disk.img partition 2 (postmortem dump)" or "disk.img". */
const char *savecore_where(const struct savecore_ctx *c, const struct savecore_target *t)
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

const char *savecore_fmt_size(uint64_t bytes, char *buf, size_t len)
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
const char *savecore_fmt_dump(const struct dumphdr *h)
{
	static char buf[1024];
	char tbuf[64], sbuf[32], rel[TEXTESC_LEN(sizeof(h->release))];
	char host[TEXTESC_LEN(sizeof(h->hostname))];

	/* Bounded reads of the text fields, escaped: they come from the disk. */
	textesc(h->release, sizeof(h->release), rel, sizeof(rel));
	textesc(h->hostname, sizeof(h->hostname), host, sizeof(host));
	snprintf(buf, sizeof(buf), "dump 0x%016llx, created %s, kernel %s%s%s, %s%s",
		 (unsigned long long)h->dump_id, fmt_time(h->created, tbuf, sizeof(tbuf)),
		 rel[0] ? rel : "unknown", host[0] ? ", host " : "", host,
		 savecore_fmt_size(h->body_length ? h->body_length : h->needed_length,
				       sbuf, sizeof(sbuf)),
		 h->body_format == DUMPHDR_BODY_KDUMP ? ", kdump-compressed" : "");
	return buf;
}

/* COMPLETE or TRUNCATED, also as the status before CLEARED: a digest to check. */
bool savecore_has_digest(const struct dumphdr *h)
{
	uint32_t st = h->status == DUMPHDR_CLEARED ? h->prev_status : h->status;

	return st == DUMPHDR_COMPLETE || st == DUMPHDR_TRUNCATED;
}

/*
 * The copy to go by: the leading one if it decoded, except that a cut
 * between the last two writes leaves the trailing copy final over a body
 * that is whole, and its digest can still prove that under --force.
 */
const struct dumphdr *savecore_best_header(const struct savecore_target *t)
{
	bool trail_final = t->trail_err == 0 && savecore_has_digest(&t->trail) &&
			   t->trail.status != DUMPHDR_CLEARED;

	if (t->lead_err == 0 && !(trail_final && t->lead.status == DUMPHDR_INCOMPLETE &&
				  t->lead.dump_id == t->trail.dump_id))
		return &t->lead;
	return t->trail_err == 0 ? &t->trail : NULL;
}

static bool has_header(const struct savecore_target *t)
{
	return t->lead_err != -ENODATA || t->trail_err != -ENODATA;
}

/* ------------------------------------------------------------ finding */

static int load_target(struct savecore_ctx *c, struct savecore_target *t)
{
	int err = 0;

	if (t->part == NULL)
		t->view = c->dev;
	else
		err = blkdev_partition(&t->view, &c->dev, t->part->index, t->part->first_lba,
				       t->part->last_lba - t->part->first_lba + 1);
	if (err) {
		fprintf(stderr, "postmortem: %s: %s: beyond the device\n", TOOL, savecore_where(c, t));
		return err;
	}
	t->lead_err = dumphdr_get(&t->view, false, c->scratch, SAVECORE_SCRATCH, &t->lead, &t->lead_why);
	t->trail_err = dumphdr_get(&t->view, true, c->scratch, SAVECORE_SCRATCH, &t->trail,
				   &t->trail_why);
	if ((t->lead_err && t->lead_err != -ENODATA && t->lead_err != -EBADMSG) ||
	    (t->trail_err && t->trail_err != -ENODATA && t->trail_err != -EBADMSG)) {
		fprintf(stderr, "postmortem: %s: %s: read error\n", TOOL, savecore_where(c, t));
		return -EIO;
	}
	t->verdict = dumphdr_check_pair(t->lead_err ? NULL : &t->lead,
					t->trail_err ? NULL : &t->trail, t->view.sectors,
					t->view.sector_size, &t->why);
	return 0;
}

/* --partition N: that entry, whatever its type. */
static int target_named(struct savecore_ctx *c)
{
	const struct gpt_part *p = gpt_find_index(c->gpt, c->o.partition);

	if (p == NULL) {
		fprintf(stderr, "postmortem: %s: %s: no partition %u in the GPT\n", TOOL, c->o.image,
			c->o.partition);
		return SAVECORE_FAIL;
	}
	if (p->problem != NULL && !c->o.force) {
		fprintf(stderr, "postmortem: %s: %s partition %u: %s; not read (--force reads it)\n",
			TOOL, c->o.image, p->index, p->problem);
		return SAVECORE_FAIL;
	}
	if (!efi_guid_eq(&p->type, &savecore_dump_type))
		fprintf(stderr, "%s: note: partition %u is not a postmortem dump partition (%s); "
			"reading it because it was named\n", TOOL, p->index,
			gpt_type_name(&p->type) ? gpt_type_name(&p->type) : "unknown type");
	c->t[c->nt++].part = p;
	return SAVECORE_OK;
}

/*
 * Every partition of the dump type the write rule allows (formats/gpt.c
 * gpt_write_refusal: the kernel writes nowhere else without force); the
 * others are reported with the reason and left to --partition N.
 */
static int targets_by_type(struct savecore_ctx *c)
{
	char g[EFI_GUID_STR_LEN + 1];
	unsigned refused = 0;

	for (unsigned i = 0; i < c->gpt->nparts; i++) {
		const struct gpt_part *p = &c->gpt->parts[i];
		const char *why = gpt_write_refusal(c->gpt, p);

		if (!efi_guid_eq(&p->type, &savecore_dump_type))
			continue;
		if (why != NULL) {
			fprintf(stderr, "%s: %s partition %u (postmortem dump) is not usable: %s "
				"(--partition %u reads it anyway)\n", TOOL, c->o.image, p->index, why,
				p->index);
			refused++;
		} else if (c->nt < SAVECORE_MAX_TARGETS) {
			c->t[c->nt++].part = p;
		}
	}
	if (c->nt == 0) {
		efi_guid_format(&savecore_dump_type, g);
		fprintf(stderr, "postmortem: %s: %s: no %spostmortem dump partition (type %s) "
			"among its %u GPT partitions\n", TOOL, c->o.image, refused ? "usable " : "",
			g, c->gpt->nparts);
		return SAVECORE_FAIL;
	}
	return SAVECORE_OK;
}

/* The GPT, or a dump header at the image's start (a partition image). */
static int open_layout(struct savecore_ctx *c)
{
	struct dumphdr h;
	int err = gpt_read(&c->dev, c->scratch, SAVECORE_SCRATCH, c->gpt);

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
		return SAVECORE_FAIL;
	}
	if (c->o.partition == 0 &&
	    dumphdr_get(&c->dev, false, c->scratch, SAVECORE_SCRATCH, &h, NULL) != -ENODATA) {
		free(c->gpt);
		c->gpt = NULL;
		c->nt = 1;		/* t[0].part NULL: the whole image */
		return SAVECORE_OK;
	}
	fprintf(stderr, "postmortem: %s: %s: no GPT (primary header: %s; backup header: %s)%s\n",
		TOOL, c->o.image, c->gpt->primary_problem, c->gpt->backup_problem,
		c->o.partition ? "" : " and no dump header at its start");
	if (c->gpt->pmbr == GPT_PMBR_NONE)
		fprintf(stderr, "%s: note: an MBR disk (no protective 0xEE entry): postmortem never "
			"writes to it without force\n", TOOL);
	if (c->dev.sector_size == 512 && c->dev.sectors > 8 &&
	    blkdev_read(&c->dev, 8, 1, c->scratch) == 0 &&
	    memcmp(c->scratch, GPT_SIGNATURE, 8) == 0)
		fprintf(stderr, "%s: hint: a GPT header sits at byte 4096: try --sector-size 4096\n",
			TOOL);
	free(c->gpt);
	c->gpt = NULL;
	return SAVECORE_FAIL;
}

/* ------------------------------------------------------------ listing */

static void list_gpt(const struct savecore_ctx *c)
{
	const struct gpt_info *g = c->gpt;
	char guid[EFI_GUID_STR_LEN + 1], name[TEXTESC_LEN(sizeof(g->parts[0].name))];
	const char *disk = gpt_disk_refusal(g);

	printf("%s: GPT (%s header), %u partitions, %s, %u-byte sectors\n", c->o.image,
	       g->used_backup ? "backup" : "primary", g->nparts, gpt_pmbr_name(g->pmbr),
	       g->sector_size);
	if (g->backup_problem != NULL && !g->used_backup)
		printf("  note: backup GPT header: %s\n", g->backup_problem);
	if (disk != NULL)
		printf("  not a disk postmortem writes to without force: %s\n", disk);
	for (unsigned i = 0; i < g->nparts; i++) {
		const struct gpt_part *p = &g->parts[i];
		const char *type = gpt_type_name(&p->type);
		/* A dump partition is judged by the whole rule, any other by its entry. */
		const char *why = efi_guid_eq(&p->type, &savecore_dump_type) ?
				  gpt_write_refusal(g, p) : p->problem;

		efi_guid_format(&p->type, guid);
		printf("  %3u  %-20s %12llu %12llu  \"%s\"%s%s\n", p->index, type ? type : guid,
		       (unsigned long long)p->first_lba, (unsigned long long)p->last_lba,
		       textesc(p->name, sizeof(p->name), name, sizeof(name)),
		       why ? "  UNUSABLE: " : "", why ? why : "");
	}
}

static void list_target(const struct savecore_ctx *c, const struct savecore_target *t)
{
	const struct dumphdr *h = savecore_best_header(t);

	if (!has_header(t)) {
		printf("%s: no dump (no dump header)\n", savecore_where(c, t));
		return;
	}
	if (h == NULL) {
		printf("%s: damaged headers (leading: %s; trailing: %s)\n", savecore_where(c, t),
		       t->lead_why, t->trail_why);
		return;
	}
	printf("%s: %s: %s%s%s%s%s%s\n", savecore_where(c, t), savecore_fmt_dump(h), dumphdr_status_name(h->status),
	       h->status == DUMPHDR_CLEARED ? " (was " : "",
	       h->status == DUMPHDR_CLEARED ? dumphdr_status_name(h->prev_status) : "",
	       h->status == DUMPHDR_CLEARED ? ")" : "",
	       t->verdict == 0 && h->status == DUMPHDR_COMPLETE ? "" : ": ",
	       t->verdict == 0 && h->status == DUMPHDR_COMPLETE ? "" : t->why);
	if (h->reason[0]) {
		printf("  reason: ");
		textesc_put(stdout, h->reason, sizeof(h->reason));
		putchar('\n');
	}
}

/* ------------------------------------------------------------ saving */

/* The one target -o reads: refuse when none or several hold a dump. */
static struct savecore_target *pick(struct savecore_ctx *c)
{
	struct savecore_target *found = NULL;
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
			c->o.image, c->nt == 1 ? savecore_where(c, &c->t[0]) : "no dump partition");
	else
		fprintf(stderr, "postmortem: %s: %s: %u dump partitions hold dumps; choose one "
			"with --partition N (see --list)\n", TOOL, c->o.image, n);
	return NULL;
}

static int run(struct savecore_ctx *c)
{
	struct savecore_target *t;
	int rc, fat;

	/* A FAT volume without a partition table: dump=fat on a whole device. */
	if (blkdev_read(&c->dev, 0, 1, c->scratch) == 0 &&
	    fat_bpb_parse(c->scratch, c->dev.sector_size, c->dev.sectors, c->dev.sector_size,
			  &(struct fat_geom){ 0 }, NULL) == 0) {
		free(c->gpt);
		c->gpt = NULL;
		fat = savecore_fat_image(c);
		if (fat != -ENOENT)
			return fat;
		fprintf(stderr, "postmortem: %s: %s: a FAT volume without a POSTMORTEM dump\n",
			TOOL, c->o.image);
		return SAVECORE_FAIL;
	}
	/* A GPT without a raw dump partition: a dump=fat dump on one of its FAT partitions? */
	if (!c->o.list && c->o.partition == 0 &&
	    gpt_read(&c->dev, c->scratch, SAVECORE_SCRATCH, c->gpt) == 0) {
		bool raw = false;
		for (unsigned i = 0; i < c->gpt->nparts; i++)
			raw = raw || efi_guid_eq(&c->gpt->parts[i].type, &savecore_dump_type);
		if (!raw && (fat = savecore_fat_image(c)) != -ENOENT)
			return fat;
	}
	rc = open_layout(c);
	if (rc != SAVECORE_OK && !(c->o.list && c->gpt != NULL && c->nt == 0 && rc == SAVECORE_FAIL))
		return rc;
	for (unsigned i = 0; i < c->nt; i++)
		if (load_target(c, &c->t[i]))
			return SAVECORE_FAIL;
	if (c->o.list) {
		if (c->gpt != NULL)
			list_gpt(c);
		for (unsigned i = 0; i < c->nt; i++)
			list_target(c, &c->t[i]);
		if (c->gpt != NULL)
			savecore_fat_image(c);	/* dump=fat dumps on any FAT partition */
		return rc;
	}
	/* No raw dump anywhere: a dump=fat dump on one of the FAT partitions? */
	bool any = false;
	for (unsigned i = 0; i < c->nt; i++)
		any = any || has_header(&c->t[i]);
	if (!any && c->gpt != NULL && (fat = savecore_fat_image(c)) != -ENOENT)
		return fat;
	t = pick(c);
	if (t == NULL)
		return SAVECORE_FAIL;
	if (c->o.clear && !c->o.force && t->part != NULL && c->gpt != NULL &&
	    gpt_write_refusal(c->gpt, t->part) != NULL) {
		fprintf(stderr, "postmortem: %s: %s: --clear refused: %s (postmortem does not write "
			"here without force; --force clears anyway)\n", TOOL, savecore_where(c, t),
			gpt_write_refusal(c->gpt, t->part));
		return SAVECORE_FAIL;
	}
	rc = savecore_save(c, t);
	if (rc != SAVECORE_FAIL && c->o.clear && savecore_clear(c, t) != SAVECORE_OK)
		return SAVECORE_FAIL;
	return rc;
}

int savecore_tool_main(int argc, char **argv)
{
	struct savecore_ctx *c = calloc(1, sizeof(*c));
	const char *why = NULL;
	int rc, err;

	if (c == NULL || (c->gpt = malloc(sizeof(*c->gpt))) == NULL ||
	    (c->scratch = malloc(SAVECORE_SCRATCH)) == NULL) {
		fprintf(stderr, "postmortem: %s: out of memory\n", TOOL);
		rc = SAVECORE_FAIL;
		goto out;
	}
	rc = parse_args(argc, argv, &c->o);
	if (rc)
		goto out;
	if (c->o.key != NULL) {
		char kerr[ENCKEY_ERR_LEN];

		c->key = calloc(1, sizeof(*c->key));
		if (c->key == NULL || enckey_private_load(c->key, c->o.key, kerr) != 0) {
			fprintf(stderr, "postmortem: %s: --key %s\n", TOOL,
				c->key == NULL ? "out of memory" : kerr);
			free(c->key);
			c->key = NULL;
			rc = SAVECORE_FAIL;
			goto out;
		}
	}
	if (c->o.from_file != NULL) {
		rc = savecore_from_file(c, c->o.from_file);	/* tools/savecore_file.c */
		goto out;
	}
	struct stat st;
	if (stat(c->o.image, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (c->o.clear) {
			fprintf(stderr, "postmortem: %s: --clear is for the raw dump partition; a "
				"dump=fat dump is cleared by deleting its POSTMORTEM directory\n", TOOL);
			rc = SAVECORE_USAGE;
			goto out;
		}
		rc = savecore_fat_dir(c);	/* a mounted ESP or a dump's directory */
		goto out;
	}
	/* An encrypted stream saved on its own (recv without --key)? */
	int sfd = open(c->o.image, O_RDONLY | O_CLOEXEC);
	char magic[ENCDUMP_MAGIC_LEN];
	if (sfd >= 0 && fstat(sfd, &st) == 0 && S_ISREG(st.st_mode) &&
	    pread(sfd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
	    encdump_is_encrypted(magic, sizeof(magic))) {
		rc = savecore_stream(c, sfd);
		close(sfd);
		goto out;
	}
	if (sfd >= 0)
		close(sfd);
	err = fileblk_open(&c->dev, c->o.image, c->o.clear, c->o.sector_size, &why);
	if (err) {
		fprintf(stderr, "postmortem: %s: %s: %s\n", TOOL, c->o.image, why);
		rc = SAVECORE_FAIL;
		goto out;
	}
	rc = run(c);
	fileblk_close(&c->dev);
out:
	if (c != NULL) {
		free(c->scratch);
		free(c->gpt);
		if (c->key != NULL)
			enckey_free(c->key);
		free(c->key);
	}
	free(c);
	return rc;
}
