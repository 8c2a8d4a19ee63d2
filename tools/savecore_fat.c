/*
 * `postmortem savecore` for dump=fat: a dump written as files on a FAT
 * volume (docs/dump-fat.md):
 *
 *   POSTMORTEM/<YYYYMMDD-HHMMSS>/vmcore.000 ... vmcore.NNN   the ELF file in parts
 *   POSTMORTEM/<YYYYMMDD-HHMMSS>/dumpinfo.txt                written last
 *
 * Read from a host directory (the mounted ESP, its POSTMORTEM directory,
 * or one dump's directory), or from a disk image or device through
 * payload/fat.c (any GPT partition, or the whole image, that holds a FAT
 * volume with a POSTMORTEM directory).  The newest complete dump is
 * joined into VMCORE, checked against dumpinfo.txt's size and SHA-256,
 * then given the /proc/vmcore shape unless --compact.  --list prints
 * every dump found.  Exit codes as for the raw partition (savecore.h).
 * Host only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "payload/fat.h"
#include "tools/outfile.h"
#include "tools/savecore.h"
#include "tools/vmcore_expand.h"

#define TOOL		"savecore"
#define MAX_DUMPS	256
#define NAME_LEN	64
#define INFO_MAX	4096

/* Where the files are: a host directory tree, or a FAT volume. */
struct src {
	const char *root;		/* host: the directory holding POSTMORTEM (or a dump) */
	struct fat_vol *vol;		/* FAT: the mounted volume */
	char label[96];			/* for messages */
	/* the open file */
	int fd;
	struct fat_reader fr;
	uint64_t pos;
};

struct info {
	char status[96];
	uint64_t size, part_size;
	unsigned parts;
	char sha256[65];
	char raw[INFO_MAX];
};

static int src_open(struct src *s, const char *path, uint64_t *size)
{
	char full[4096];
	struct stat st;

	s->pos = 0;
	if (s->vol != NULL) {
		if (fat_open(s->vol, path, &s->fr) != 0)
			return -ENOENT;
		*size = s->fr.size;
		return 0;
	}
	snprintf(full, sizeof(full), "%s/%s", s->root, path);
	s->fd = open(full, O_RDONLY);
	if (s->fd < 0 || fstat(s->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (s->fd >= 0)
			close(s->fd);
		return -ENOENT;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

static int src_read(struct src *s, void *buf, size_t len, size_t *got)
{
	if (s->vol != NULL) {
		int err = fat_pread(&s->fr, s->pos, buf, len, got);
		s->pos += *got;
		return err;
	}
	ssize_t n = read(s->fd, buf, len);
	if (n < 0)
		return -EIO;
	*got = (size_t)n;
	return 0;
}

static void src_close(struct src *s)
{
	if (s->vol == NULL && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/*
 * Dump directories oldest first: "undated[-n]" before any date, then
 * "YYYYMMDD-HHMMSS" in time order, "-n" suffixes in number order (the
 * kernel adds -1, -2, ... for dumps in the same second).
 */
static void name_key(const char *n, int *dated, char stamp[16], unsigned long *suffix)
{
	const char *dash;

	*dated = strncmp(n, "undated", 7) != 0;
	snprintf(stamp, 16, "%.15s", *dated ? n : "");
	dash = strrchr(n, '-');
	*suffix = dash != NULL && (!*dated || dash > n + 8) ? strtoul(dash + 1, NULL, 10) : 0;
}

static int cmp_name(const void *a, const void *b)
{
	int da, db, c;
	char sa[16], sb[16];
	unsigned long na, nb;

	name_key(a, &da, sa, &na);
	name_key(b, &db, sb, &nb);
	if (da != db)
		return da - db;
	if ((c = strcmp(sa, sb)) != 0)
		return c;
	return na < nb ? -1 : na > nb;
}

static int src_subdirs(struct src *s, const char *dir, char (*names)[NAME_LEN])
{
	int n = 0;

	if (s->vol != NULL) {
		struct fat_dir d;
		struct fat_dirent e;

		if (fat_opendir(s->vol, dir, &d) != 0)
			return 0;
		while (n < MAX_DUMPS && fat_readdir(&d, &e) == 1)
			if ((e.attr & FAT_ATTR_DIRECTORY) && strlen(e.name) < NAME_LEN)
				snprintf(names[n++], NAME_LEN, "%.63s", e.name);
	} else {
		char full[4096];
		DIR *d;
		struct dirent *e;

		snprintf(full, sizeof(full), "%s/%s", s->root, dir);
		if ((d = opendir(full)) == NULL)
			return 0;
		while (n < MAX_DUMPS && (e = readdir(d)) != NULL) {
			struct stat st;
			char sub[4400];

			snprintf(sub, sizeof(sub), "%s/%s", full, e->d_name);
			if (e->d_name[0] != '.' && strlen(e->d_name) < NAME_LEN &&
			    stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
				snprintf(names[n++], NAME_LEN, "%.63s", e->d_name);
		}
		closedir(d);
	}
	qsort(names, (size_t)n, NAME_LEN, cmp_name);
	return n;
}

static const char *info_get(const char *raw, const char *key, char *out, size_t len)
{
	size_t k = strlen(key);

	for (const char *p = raw; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, k) == 0 && p[k] == '=') {
			size_t n = strcspn(p + k + 1, "\n");
			snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), p + k + 1);
			return out;
		}
	out[0] = '\0';
	return NULL;
}

/* dumpinfo.txt of dir; 0, or -ENOENT / -EBADMSG. */
static int read_info(struct src *s, const char *dir, struct info *in)
{
	char path[160], v[96];
	uint64_t size;
	size_t got = 0;

	memset(in, 0, sizeof(*in));
	snprintf(path, sizeof(path), "%s/dumpinfo.txt", dir);
	if (src_open(s, path, &size) != 0)
		return -ENOENT;
	int err = size >= INFO_MAX ? -EBADMSG : src_read(s, in->raw, (size_t)size, &got);
	src_close(s);
	if (err || got != size || strncmp(in->raw, "postmortem-dump 1\n", 18) != 0)
		return -EBADMSG;
	info_get(in->raw, "status", in->status, sizeof(in->status));
	in->size = strtoull(info_get(in->raw, "size", v, sizeof(v)) ? v : "0", NULL, 10);
	in->part_size = strtoull(info_get(in->raw, "part_size", v, sizeof(v)) ? v : "0", NULL, 10);
	in->parts = (unsigned)strtoul(info_get(in->raw, "parts", v, sizeof(v)) ? v : "0", NULL, 10);
	info_get(in->raw, "sha256", in->sha256, sizeof(in->sha256));
	if (in->part_size == 0 || in->parts == 0 ||
	    in->parts != (in->size + in->part_size - 1) / in->part_size + (in->size == 0))
		return strcmp(in->status, "complete") == 0 ? -EBADMSG : 0;
	return 0;
}

/*
 * A dump cut short before dumpinfo.txt was written: the parts vmcore.000,
 * vmcore.001, ... that are there, in order.  0 (in filled, status says
 * so) or -ENOENT when there is no vmcore.000 either.
 */
static int probe_parts(struct src *s, const char *dir, struct info *in)
{
	char path[160];
	uint64_t size;

	memset(in, 0, sizeof(*in));
	for (unsigned i = 0; i < 100000; i++) {
		snprintf(path, sizeof(path), "%s/vmcore.%03u", dir, i);
		if (src_open(s, path, &size) != 0)
			break;
		src_close(s);
		if (i == 0)
			in->part_size = size;
		in->size += size;
		in->parts = i + 1;
	}
	if (in->parts == 0)
		return -ENOENT;
	snprintf(in->status, sizeof(in->status), "cut short (no dumpinfo.txt)");
	return 0;
}

/* Join the parts of dir into fd, hashing; 0 or an error (message printed). */
static int join(struct savecore_ctx *c, struct src *s, const char *dir, const struct info *in,
		int fd, uint8_t digest[SHA256_LEN], uint64_t *total)
{
	struct crypto_sha256 sha;
	char path[160];
	uint64_t step = in->size / 10 + 1, next = step;

	crypto_sha256_init(&sha);
	*total = 0;
	for (unsigned i = 0; i < in->parts; i++) {
		uint64_t size, done = 0;
		size_t got;

		snprintf(path, sizeof(path), "%s/vmcore.%03u", dir, i);
		if (src_open(s, path, &size) != 0) {
			fprintf(stderr, "postmortem: %s: %s: %s missing\n", TOOL, s->label, path);
			return -ENOENT;
		}
		while (done < size) {
			size_t n = size - done < SAVECORE_SCRATCH ? (size_t)(size - done) : SAVECORE_SCRATCH;
			if (src_read(s, c->scratch, n, &got) != 0 || got != n ||
			    write(fd, c->scratch, n) != (ssize_t)n) {
				fprintf(stderr, "postmortem: %s: %s: reading %s or writing %s failed\n",
					TOOL, s->label, path, c->o.out);
				src_close(s);
				return -EIO;
			}
			crypto_sha256_update(&sha, c->scratch, n);
			done += n;
			savecore_progress(*total + done, in->size, &next, step);
		}
		src_close(s);
		*total += size;
	}
	crypto_sha256_final(&sha, digest);
	return 0;
}

/* Save dump dir of s to -o; SAVECORE_* */
static int save_dump(struct savecore_ctx *c, struct src *s, const char *dir, const struct info *in)
{
	uint8_t digest[SHA256_LEN];
	char hex[SHA256_LEN * 2 + 1];
	uint64_t total;
	bool complete = strcmp(in->status, "complete") == 0;
	struct outfile o;
	int rc;

	if (c->o.clear) {
		fprintf(stderr, "postmortem: %s: %s: --clear is for the raw dump partition; a "
			"dump=fat dump is cleared by deleting %s\n", TOOL, s->label, dir);
		return SAVECORE_USAGE;
	}
	if (!complete && !c->o.force) {
		fprintf(stderr, "postmortem: %s: %s: %s: status %s: not saved (--force saves "
			"what is there)\n", TOOL, s->label, dir, in->status[0] ? in->status : "?");
		return SAVECORE_FAIL;
	}
	/* a new file beside VMCORE, renamed over it once checked (tools/outfile.h) */
	if (outfile_open(&o, TOOL, c->o.out, savecore_need(c, in->size), 0) != 0)
		return SAVECORE_FAIL;
	outfile_keep_stdout_clean(&o);	/* -o /dev/stdout: reports to stderr */
	memset(digest, 0, sizeof(digest));
	if (join(c, s, dir, in, o.fd, digest, &total) != 0 && !c->o.force) {
		fprintf(stderr, "postmortem: %s: %s: not saved%s\n", TOOL, c->o.out, o.direct ?
			" (a device or pipe: what it got stays)" : "; left as it was");
		outfile_discard(&o);
		return SAVECORE_FAIL;
	}
	if (outfile_done(&o) != 0) {
		fprintf(stderr, "postmortem: %s: %s: not saved\n", TOOL, c->o.out);
		outfile_discard(&o);
		return SAVECORE_FAIL;
	}
	crypto_sha256_hex(digest, hex);
	bool ok = complete && total == in->size && strcmp(hex, in->sha256) == 0;
	if (!ok && complete) {
		fprintf(stderr, "postmortem: %s: %s: %s: %s\n  dumpinfo says %llu bytes, sha256 %s\n"
			"  the parts hold %llu bytes, sha256 %s\n", TOOL, s->label, dir,
			total != in->size ? "size MISMATCH" : "sha256 MISMATCH",
			(unsigned long long)in->size, in->sha256, (unsigned long long)total, hex);
		if (o.direct)
			fprintf(stderr, "%s: %s already received the corrupt dump (a device or "
				"pipe: nothing to take back)\n", TOOL, c->o.out);
		if (!c->o.force) {
			if (!o.direct)
				fprintf(stderr, "%s: not saved: %s left as it was (--force saves "
					"it)\n", TOOL, c->o.out);
			outfile_discard(&o);
			return SAVECORE_FAIL;
		}
	}
	rc = savecore_publish(c, &o, ok ? SAVECORE_OK : SAVECORE_FORCED);
	if (rc == SAVECORE_FAIL)
		return rc;
	printf("%s: %s: %s: %u part%s, %llu bytes, sha256 %s \xe2\x86\x92 %s\n", TOOL, s->label,
	       dir, in->parts, in->parts == 1 ? "" : "s", (unsigned long long)total,
	       ok ? "OK" : "NOT VERIFIED", c->o.out);
	return rc;
}

/*
 * Every dump under POSTMORTEM of s: list them, or save the newest
 * complete one (the newest of any state under --force).  Returns
 * SAVECORE_* or -ENOENT when s holds no dump at all.
 */
static int from_src(struct savecore_ctx *c, struct src *s)
{
	static char names[MAX_DUMPS][NAME_LEN];
	static struct info in;
	char dir[NAME_LEN + 16];
	int n = src_subdirs(s, "POSTMORTEM", names), pick = -1, found = 0;

	for (int i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "POSTMORTEM/%s", names[i]);
		int err = read_info(s, dir, &in);
		if (err == -ENOENT && (err = probe_parts(s, dir, &in)) == -ENOENT)
			continue;
		found++;
		if (c->o.list)
			printf("%s: %s: %s, %llu bytes in %u part%s\n", s->label, dir,
			       err ? "dumpinfo.txt unreadable" : in.status, (unsigned long long)in.size,
			       in.parts, in.parts == 1 ? "" : "s");
		if (err == 0 && (strcmp(in.status, "complete") == 0 || c->o.force))
			pick = i;
	}
	if (found == 0)
		return -ENOENT;
	if (c->o.list)
		return SAVECORE_OK;
	if (pick < 0) {
		fprintf(stderr, "postmortem: %s: %s: %d dump%s under POSTMORTEM, none complete "
			"(--list shows them; --force saves the newest)\n", TOOL, s->label, found,
			found == 1 ? "" : "s");
		return SAVECORE_FAIL;
	}
	snprintf(dir, sizeof(dir), "POSTMORTEM/%s", names[pick]);
	if (read_info(s, dir, &in) == -ENOENT)
		probe_parts(s, dir, &in);
	return save_dump(c, s, dir, &in);
}

int savecore_fat_dir(struct savecore_ctx *c)
{
	struct src s = { .fd = -1 };
	char root[4096];
	struct stat st;
	int rc;

	snprintf(s.label, sizeof(s.label), "%s", c->o.image);
	/* the ESP root, the POSTMORTEM directory, or one dump's directory */
	snprintf(root, sizeof(root), "%s/dumpinfo.txt", c->o.image);
	if (stat(root, &st) == 0) {
		static struct info in;
		s.root = c->o.image;
		if (read_info(&s, ".", &in) != 0) {
			fprintf(stderr, "postmortem: %s: %s: dumpinfo.txt unreadable\n", TOOL, c->o.image);
			return SAVECORE_FAIL;
		}
		if (c->o.list) {
			printf("%s: %s, %llu bytes in %u parts\n", c->o.image, in.status,
			       (unsigned long long)in.size, in.parts);
			return SAVECORE_OK;
		}
		return save_dump(c, &s, ".", &in);
	}
	snprintf(root, sizeof(root), "%s/POSTMORTEM", c->o.image);
	s.root = stat(root, &st) == 0 ? c->o.image : NULL;
	const char *base = strrchr(c->o.image, '/');
	base = base ? base + 1 : c->o.image;
	if (s.root == NULL && strcasecmp(base, "POSTMORTEM") == 0) {	/* the directory itself */
		snprintf(root, sizeof(root), "%s/..", c->o.image);
		s.root = root;
	}
	if (s.root == NULL) {
		fprintf(stderr, "postmortem: %s: %s: no dump=fat dump here (looked for "
			"POSTMORTEM/*/dumpinfo.txt)\n", TOOL, c->o.image);
		return SAVECORE_FAIL;
	}
	rc = from_src(c, &s);
	if (rc == -ENOENT) {
		fprintf(stderr, "postmortem: %s: %s: no dump=fat dump here (looked for "
			"POSTMORTEM/*/dumpinfo.txt)\n", TOOL, c->o.image);
		return SAVECORE_FAIL;
	}
	return rc;
}

/* One FAT volume on view: SAVECORE_* or -ENOENT. */
static int try_volume(struct savecore_ctx *c, struct blkdev *view, const char *label)
{
	static struct fat_vol vol;
	struct src s = { .fd = -1, .vol = &vol };

	if (fat_mount(&vol, view, NULL, 0) != 0)
		return -ENOENT;
	snprintf(s.label, sizeof(s.label), "%s", label);
	return from_src(c, &s);
}

int savecore_fat_image(struct savecore_ctx *c)
{
	char label[96];
	int rc, listed = 0;

	if (c->gpt == NULL) {
		snprintf(label, sizeof(label), "%s (FAT)", c->o.image);
		return try_volume(c, &c->dev, label);
	}
	for (unsigned i = 0; i < c->gpt->nparts; i++) {
		const struct gpt_part *p = &c->gpt->parts[i];
		struct blkdev view;

		if (p->problem != NULL || (c->o.partition && p->index != c->o.partition) ||
		    blkdev_partition(&view, &c->dev, p->index, p->first_lba,
				     p->last_lba - p->first_lba + 1) != 0)
			continue;
		snprintf(label, sizeof(label), "%s partition %u (FAT)", c->o.image, p->index);
		rc = try_volume(c, &view, label);
		if (c->o.list && rc == SAVECORE_OK)
			listed++;
		else if (rc != -ENOENT)
			return rc;
	}
	return listed ? SAVECORE_OK : -ENOENT;
}
