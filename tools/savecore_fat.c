/*
 * `postmortem savecore` for dump=fat: a dump written as files on a FAT
 * volume (docs/dump-fat.md):
 *
 *   POSTMORTEM/<YYYYMMDD-HHMMSS>/vmcore.000 ... vmcore.NNN   the file in parts
 *   POSTMORTEM/<YYYYMMDD-HHMMSS>/dumpinfo.txt                written last
 *
 * Read from a host directory (the mounted ESP, its POSTMORTEM directory,
 * or one dump's directory), or from a disk image or device through
 * formats/fat.c (any GPT partition, or the whole image, that holds a FAT
 * volume with a POSTMORTEM directory).  The newest complete dump is
 * joined into VMCORE, checked against dumpinfo.txt's size and SHA-256;
 * a kdump-compressed file (format=kdump) is saved as it is, an ELF core
 * (format=elf) given the /proc/vmcore shape unless --compact.  A dump
 * saved under --force that is not whole and verified gets makedumpfile's
 * incomplete mark in its header (either format).  --list prints
 * every dump found.  Exit codes as for the raw partition (savecore.h).
 * Host only.
 *
 * Bounds, for volumes that break the rules: each dump directory is listed
 * once into an index sorted by name and every part found by binary search
 * (not a directory scan per vmcore.NNN); dump directories that start at
 * the same cluster (or inode) as one already seen are cross-linked and
 * skipped; all listings of one volume together may hold no more entries
 * than its data area has room for (more means cross-linked clusters), and
 * the FAT reader bounds every chain (formats/fat.h: loops, length, 65536
 * entries per directory).  In a host directory only regular files are
 * opened (O_NOFOLLOW | O_NONBLOCK, then fstat), so a FIFO or a device named
 * dumpinfo.txt is reported, never waited on.  Names and dumpinfo.txt text
 * are printed escaped (tools/textesc.h).
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
#include "formats/diskdump.h"
#include "formats/elfcore.h"
#include "formats/fat.h"
#include "tools/outfile.h"
#include "tools/savecore.h"
#include "tools/textesc.h"
#include "tools/vmcore_expand.h"

#define TOOL		"savecore"
#define MAX_DUMPS	256
#define NAME_LEN	64
#define INFO_MAX	4096
#define XLINK_SHOWN	4		/* cross-linked directories named before "... and N more" */

/* Where the files are: a host directory tree, or a FAT volume. */
struct src {
	const char *root;		/* host: the directory holding POSTMORTEM (or a dump) */
	struct fat_vol *vol;		/* FAT: the mounted volume */
	char label[96];			/* for messages */
	uint64_t budget;		/* FAT: directory entries left to list on this volume */
	bool budget_said;
	/* the open file */
	int fd;
	struct fat_reader fr;
	uint64_t pos;
};

/* An entry of a listed directory.  key: the name (FAT: ASCII-lowercased). */
struct ent {
	char key[NAME_LEN];
	bool regular;			/* a file (host: S_ISREG without following links) */
	uint8_t attr;			/* FAT */
	uint32_t size, cluster;		/* FAT */
};

/* One directory, listed once, sorted by key. */
struct dirindex {
	struct ent *v;
	size_t n, cap;
};

/* A dump directory under POSTMORTEM; ident: its first cluster, or inode. */
struct sub {
	char name[NAME_LEN];
	uint64_t ident;
};

struct info {
	char status[96];
	char format[16];		/* "kdump", "elf"; "" unknown (look at the file) */
	uint64_t size, part_size;
	unsigned parts;
	char sha256[65];
	char raw[INFO_MAX];
};

static void fold(const char *in, char *out, bool fat)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < NAME_LEN; i++)
		out[i] = fat && in[i] >= 'A' && in[i] <= 'Z' ? (char)(in[i] - 'A' + 'a') : in[i];
	out[i] = '\0';
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->key, ((const struct ent *)b)->key);
}

static void idx_free(struct dirindex *x)
{
	free(x->v);
	memset(x, 0, sizeof(*x));
}

static struct ent *idx_push(struct dirindex *x)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		struct ent *v = realloc(x->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		x->v = v;
		x->cap = cap;
	}
	memset(&x->v[x->n], 0, sizeof(x->v[0]));
	return &x->v[x->n++];
}

/* The volume's entry budget is spent: cross-linked directories.  Said once. */
static int budget_spent(struct src *s)
{
	if (!s->budget_said)
		fprintf(stderr, "postmortem: %s: %s: the directories list more entries than the "
			"volume has room for (cross-linked clusters); not reading further\n", TOOL,
			s->label);
	s->budget_said = true;
	return -ELOOP;
}

/*
 * List dir once into x, sorted (names longer than a dump's are left out).
 * 0, -ENOENT (no such directory), -ELOOP (the volume's budget is spent),
 * -ENOMEM or the FAT reader's error.
 */
static int src_list(struct src *s, const char *dir, struct dirindex *x)
{
	struct ent *e;
	int err = 0;

	memset(x, 0, sizeof(*x));
	if (s->vol != NULL) {
		struct fat_dir d;
		struct fat_dirent de;

		if (fat_opendir(s->vol, dir, &d) != 0)
			return -ENOENT;
		while ((err = fat_readdir(&d, &de)) == 1) {
			if (s->budget == 0) {
				err = budget_spent(s);
				break;
			}
			s->budget--;
			if (strlen(de.name) >= NAME_LEN)
				continue;
			if ((e = idx_push(x)) == NULL) {
				err = -ENOMEM;
				break;
			}
			fold(de.name, e->key, true);
			e->attr = de.attr;
			e->regular = !(de.attr & FAT_ATTR_DIRECTORY);
			e->size = de.size;
			e->cluster = de.cluster;
		}
	} else {
		char full[4096];
		struct dirent *de;
		struct stat st;
		DIR *d;

		snprintf(full, sizeof(full), "%s/%s", s->root, dir);
		if ((d = opendir(full)) == NULL)
			return -ENOENT;
		while ((de = readdir(d)) != NULL) {
			if (strlen(de->d_name) >= NAME_LEN)
				continue;
			if ((e = idx_push(x)) == NULL) {
				err = -ENOMEM;
				break;
			}
			fold(de->d_name, e->key, false);
			e->regular = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				     S_ISREG(st.st_mode);
		}
		closedir(d);
	}
	if (err < 0 && err != -ELOOP) {
		char esc[TEXTESC_LEN(64)];	/* a name from the disk */

		fprintf(stderr, "postmortem: %s: %s: %s: %s\n", TOOL, s->label,
			textesc(dir, strlen(dir), esc, sizeof(esc)),
			err == -ENOMEM ? "out of memory" : s->vol && s->vol->why ? s->vol->why :
			"unreadable");
	}
	if (x->n > 1)
		qsort(x->v, x->n, sizeof(*x->v), cmp_ent);
	return err < 0 ? err : 0;
}

/* The entry called name in x, or NULL (binary search). */
static const struct ent *idx_find(const struct src *s, const struct dirindex *x, const char *name)
{
	char key[NAME_LEN];
	size_t lo = 0, hi = x->n;

	fold(name, key, s->vol != NULL);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(x->v[mid].key, key);

		if (c == 0)
			return &x->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Open dir/name, found in x, for reading.  0; -ENOENT when it is not in
 * x; -ENODEV when it is there but not a regular file (a FIFO,
 * a device, a directory, a symlink: never opened in a way that could
 * block); another -errno when it cannot be opened.
 */
static int src_open(struct src *s, const struct dirindex *x, const char *dir, const char *name,
		    uint64_t *size)
{
	const struct ent *e = idx_find(s, x, name);
	char full[4096];
	struct stat st;

	s->pos = 0;
	s->fd = -1;
	if (e == NULL)
		return -ENOENT;
	if (!e->regular)
		return -ENODEV;
	if (s->vol != NULL) {
		struct fat_dirent de = { .attr = e->attr, .size = e->size, .cluster = e->cluster };

		if (fat_open_entry(s->vol, &de, &s->fr) != 0)
			return -EIO;
		*size = s->fr.size;
		return 0;
	}
	snprintf(full, sizeof(full), "%s/%s/%s", s->root, dir, name);
	s->fd = open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0)
		return errno == ELOOP ? -ENODEV : -errno;
	if (fstat(s->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(s->fd);
		s->fd = -1;
		return -ENODEV;
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
	/* struct sub starts with its name */
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

static int src_subdirs(struct src *s, const char *dir, struct sub *subs)
{
	int n = 0, more = 0;

	if (s->vol != NULL) {
		struct fat_dir d;
		struct fat_dirent e;

		if (fat_opendir(s->vol, dir, &d) != 0)
			return 0;
		while (fat_readdir(&d, &e) == 1) {
			if (s->budget == 0) {
				budget_spent(s);
				break;
			}
			s->budget--;
			/* reopened by name below: a name that is not one plain component
			 * (".", "..", "a/b", "a\\b") would open another directory */
			if (!(e.attr & FAT_ATTR_DIRECTORY) || strlen(e.name) >= NAME_LEN ||
			    e.name[0] == '.' || strpbrk(e.name, "/\\") != NULL)
				continue;
			if (n == MAX_DUMPS) {
				more++;
				continue;
			}
			snprintf(subs[n].name, NAME_LEN, "%.63s", e.name);
			subs[n++].ident = e.cluster;
		}
	} else {
		char full[4096];
		DIR *d;
		struct dirent *e;

		snprintf(full, sizeof(full), "%s/%s", s->root, dir);
		if ((d = opendir(full)) == NULL)
			return 0;
		while ((e = readdir(d)) != NULL) {
			struct stat st;
			char sub[4400];

			snprintf(sub, sizeof(sub), "%s/%s", full, e->d_name);
			if (e->d_name[0] == '.' || strlen(e->d_name) >= NAME_LEN ||
			    lstat(sub, &st) != 0 || !S_ISDIR(st.st_mode))	/* never a link */
				continue;
			if (n == MAX_DUMPS) {
				more++;
				continue;
			}
			snprintf(subs[n].name, NAME_LEN, "%.63s", e->d_name);
			subs[n++].ident = (uint64_t)st.st_ino;
		}
		closedir(d);
	}
	if (more)
		fprintf(stderr, "postmortem: %s: %s: %s holds %d more directories than the %d read "
			"(in directory order); they are not looked at\n", TOOL, s->label, dir, more,
			MAX_DUMPS);
	qsort(subs, (size_t)n, sizeof(*subs), cmp_name);
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

/*
 * dumpinfo.txt of dir (listed in x); 0, or -ENOENT / -EBADMSG.  One that
 * is not a regular file is reported and taken as absent.
 */
static int read_info(struct src *s, const struct dirindex *x, const char *dir, struct info *in)
{
	char v[96], esc[200];
	uint64_t size;
	size_t got = 0;
	int err;

	memset(in, 0, sizeof(*in));
	err = src_open(s, x, dir, "dumpinfo.txt", &size);
	if (err == -ENODEV)
		fprintf(stderr, "postmortem: %s: %s: %s/dumpinfo.txt is not a regular file; "
			"ignored\n", TOOL, s->label, textesc_str(dir, strlen(dir), esc, sizeof(esc)));
	if (err != 0)
		return -ENOENT;
	err = size >= INFO_MAX ? -EBADMSG : src_read(s, in->raw, (size_t)size, &got);
	src_close(s);
	if (err || got != size || strncmp(in->raw, "postmortem-dump 1\n", 18) != 0)
		return -EBADMSG;
	info_get(in->raw, "status", in->status, sizeof(in->status));
	info_get(in->raw, "format", in->format, sizeof(in->format));
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
 * vmcore.001, ... that are there, in order, each found in the index x.
 * 0 (in filled, status says so) or -ENOENT when there is no vmcore.000
 * either.
 */
static int probe_parts(struct src *s, const struct dirindex *x, const char *dir, struct info *in)
{
	char name[32];
	uint64_t size;

	memset(in, 0, sizeof(*in));
	for (unsigned i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "vmcore.%03u", i);
		if (src_open(s, x, dir, name, &size) != 0)
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
static int join(struct savecore_ctx *c, struct src *s, const struct dirindex *x, const char *dir,
		const struct info *in, int fd, uint8_t digest[SHA256_LEN], uint64_t *total)
{
	struct crypto_sha256 sha;
	char name[32], esc[200];
	uint64_t step = in->size / 10 + 1, next = step;

	crypto_sha256_init(&sha);
	*total = 0;
	textesc_str(dir, strlen(dir), esc, sizeof(esc));
	for (unsigned i = 0; i < in->parts; i++) {
		uint64_t size, done = 0;
		size_t got;

		snprintf(name, sizeof(name), "vmcore.%03u", i);
		if (src_open(s, x, dir, name, &size) != 0) {
			fprintf(stderr, "postmortem: %s: %s: %s/%s missing\n", TOOL, s->label, esc,
				name);
			return -ENOENT;
		}
		/* Never more than dumpinfo.txt announced (the free space was checked
		 * for that): a hostile volume's parts could claim terabytes. */
		if (size > in->size - *total) {
			fprintf(stderr, "postmortem: %s: %s: %s/%s holds %llu bytes, more than the "
				"%llu left of the %llu the dump announced; not joined\n", TOOL,
				s->label, esc, name, (unsigned long long)size,
				(unsigned long long)(in->size - *total), (unsigned long long)in->size);
			src_close(s);
			return -EFBIG;
		}
		while (done < size) {
			size_t n = size - done < SAVECORE_SCRATCH ? (size_t)(size - done) : SAVECORE_SCRATCH;
			if (src_read(s, c->scratch, n, &got) != 0 || got != n ||
			    savecore_body_write(c, fd, c->scratch, n) != 0) {
				if (c->sink == NULL || !c->sink_said)
					fprintf(stderr, "postmortem: %s: %s: reading %s/%s or writing "
						"%s failed\n", TOOL, s->label, esc, name, c->o.out);
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

/*
 * What the joined file is, from dumpinfo.txt's format= or else its first
 * bytes; and for a file saved although not whole and verified
 * (--force), makedumpfile's incomplete mark in its header.  Only a
 * regular output can be read back: a device or pipe keeps what it got.
 */
static void settle_format(struct savecore_ctx *c, const struct info *in, struct outfile *o,
			  bool whole)
{
	uint8_t h[8];
	bool got = !o->direct && pread(o->fd, h, sizeof(h), 0) == (ssize_t)sizeof(h);

	if (strcmp(in->format, "kdump") == 0 || strcmp(in->format, "elf") == 0)
		c->kdump_body = strcmp(in->format, "kdump") == 0;
	else
		c->kdump_body = got && memcmp(h, DISKDUMP_SIGNATURE, 8) == 0;
	if (!whole)
		savecore_mark_incomplete(c, o);
}

/* Save dump dir of s (listed in x) to -o; SAVECORE_* */
static int save_dump(struct savecore_ctx *c, struct src *s, const struct dirindex *x,
		     const char *dir, const struct info *in)
{
	uint8_t digest[SHA256_LEN];
	char hex[SHA256_LEN * 2 + 1], edir[200], estatus[400], esha[300];
	uint64_t total;
	bool complete = strcmp(in->status, "complete") == 0;
	struct outfile o;
	int rc;

	textesc_str(dir, strlen(dir), edir, sizeof(edir));	/* names and text from the disk */
	textesc_str(in->status, sizeof(in->status), estatus, sizeof(estatus));
	textesc_str(in->sha256, sizeof(in->sha256), esha, sizeof(esha));

	if (c->o.clear) {
		fprintf(stderr, "postmortem: %s: %s: --clear is for the raw dump partition; a "
			"dump=fat dump is cleared by deleting %s\n", TOOL, s->label, edir);
		return SAVECORE_USAGE;
	}
	if (!complete && !c->o.force) {
		fprintf(stderr, "postmortem: %s: %s: %s: status %s: not saved (--force saves "
			"what is there)\n", TOOL, s->label, edir, in->status[0] ? estatus : "?");
		return SAVECORE_FAIL;
	}
	/* a new file beside VMCORE, renamed over it once checked (tools/outfile.h);
	 * room for an expanded copy unless dumpinfo.txt says kdump-compressed */
	c->kdump_body = strcmp(in->format, "kdump") == 0;
	if (outfile_open(&o, TOOL, c->o.out, savecore_need(c, in->size), 0) != 0)
		return SAVECORE_FAIL;
	outfile_keep_stdout_clean(&o);	/* -o /dev/stdout: reports to stderr */
	memset(digest, 0, sizeof(digest));
	/* format=encrypted: the joined parts are an encrypted stream (docs/encryption.md) */
	bool enc = strcmp(in->format, "encrypted") == 0;
	int erc = SAVECORE_OK, jr;
	if (enc && savecore_enc_begin(c, o.fd) != 0) {
		outfile_discard(&o);
		return SAVECORE_FAIL;
	}
	jr = join(c, s, x, dir, in, o.fd, digest, &total);
	if (enc) {
		erc = savecore_enc_end(c, jr == 0, jr == 0 && complete && total == in->size);
		if (erc == SAVECORE_FAIL) {
			fprintf(stderr, "postmortem: %s: %s: not saved%s\n", TOOL, c->o.out, o.direct ?
				" (a device or pipe: what it got stays)" : "; left as it was");
			outfile_discard(&o);
			return SAVECORE_FAIL;
		}
	}
	if (jr != 0 && !c->o.force) {
		fprintf(stderr, "postmortem: %s: %s: not saved%s\n", TOOL, c->o.out, o.direct ?
			" (a device or pipe: what it got stays)" : "; left as it was");
		outfile_discard(&o);
		return SAVECORE_FAIL;
	}
	crypto_sha256_hex(digest, hex);
	bool ok = complete && total == in->size && strcmp(hex, in->sha256) == 0;
	settle_format(c, in, &o, ok && erc == SAVECORE_OK);
	if (outfile_done(&o) != 0) {
		fprintf(stderr, "postmortem: %s: %s: not saved\n", TOOL, c->o.out);
		outfile_discard(&o);
		return SAVECORE_FAIL;
	}
	if (!ok && complete) {
		fprintf(stderr, "postmortem: %s: %s: %s: %s\n  dumpinfo says %llu bytes, sha256 %s\n"
			"  the parts hold %llu bytes, sha256 %s\n", TOOL, s->label, edir,
			total != in->size ? "size MISMATCH" : "sha256 MISMATCH",
			(unsigned long long)in->size, esha, (unsigned long long)total, hex);
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
	rc = savecore_publish(c, &o, ok ? SAVECORE_OK : SAVECORE_FORCED, !c->kdump_body);
	if (rc == SAVECORE_FAIL)
		return rc;
	if (erc == SAVECORE_TRUNCATED && rc == SAVECORE_OK)
		rc = SAVECORE_TRUNCATED;
	printf("%s: %s: %s: %u part%s, %llu bytes%s, sha256 %s \xe2\x86\x92 %s\n", TOOL, s->label,
	       edir, in->parts, in->parts == 1 ? "" : "s", (unsigned long long)total,
	       c->kdump_body ? ", kdump-compressed" : "", ok ? "OK" : "NOT VERIFIED", c->o.out);
	return rc;
}

/*
 * Read dir's dump facts: list it once, then dumpinfo.txt, else the parts.
 * 0, -EBADMSG (dumpinfo.txt unreadable; in as far as read) or -ENOENT
 * (no dump there, or the directory cannot be listed).  x is left filled
 * on 0 and -EBADMSG, for the caller to idx_free().
 */
static int dump_facts(struct src *s, const char *dir, struct dirindex *x, struct info *in)
{
	int err = src_list(s, dir, x);

	if (err != 0) {
		idx_free(x);
		memset(in, 0, sizeof(*in));
		return -ENOENT;
	}
	err = read_info(s, x, dir, in);
	if (err == -ENOENT && (err = probe_parts(s, x, dir, in)) == -ENOENT)
		idx_free(x);
	return err;
}

/*
 * Every dump under POSTMORTEM of s: list them, or save the newest
 * complete one (the newest of any state under --force).  A dump directory
 * that starts where an earlier one does is cross-linked: named, skipped.
 * Returns SAVECORE_* or -ENOENT when s holds no dump at all.
 */
static int from_src(struct savecore_ctx *c, struct src *s)
{
	static struct sub subs[MAX_DUMPS];
	static struct info in, pick_in;
	struct dirindex x, pick_x = { 0 };	/* the pick's listing, kept: no second read */
	char dir[NAME_LEN + 16], esc[300], estatus[400];
	int n = src_subdirs(s, "POSTMORTEM", subs), pick = -1, found = 0, xlinked = 0;

	for (int i = 0; i < n; i++) {
		int same = -1;

		for (int j = 0; j < i && same < 0; j++)	/* at most MAX_DUMPS squared: small */
			if (subs[j].ident == subs[i].ident && (s->vol == NULL || subs[i].ident != 0))
				same = j;
		snprintf(dir, sizeof(dir), "POSTMORTEM/%.63s", subs[i].name);
		textesc_str(dir, strlen(dir), esc, sizeof(esc));
		if (same >= 0) {
			if (xlinked++ < XLINK_SHOWN) {
				char other[NAME_LEN * 4 + 1];

				fprintf(stderr, "postmortem: %s: %s: %s is the same directory as "
					"POSTMORTEM/%s (cross-linked clusters): skipped\n", TOOL, s->label,
					esc, textesc_str(subs[same].name, NAME_LEN, other,
							 sizeof(other)));
			}
			continue;
		}
		int err = dump_facts(s, dir, &x, &in);
		if (err == -ENOENT)
			continue;
		found++;
		if (c->o.list)
			printf("%s: %s: %s, %llu bytes in %u part%s\n", s->label, esc,
			       err ? "dumpinfo.txt unreadable" :
			       textesc_str(in.status, sizeof(in.status), estatus, sizeof(estatus)),
			       (unsigned long long)in.size, in.parts, in.parts == 1 ? "" : "s");
		if (err == 0 && (strcmp(in.status, "complete") == 0 || c->o.force) && !c->o.list) {
			pick = i;
			idx_free(&pick_x);
			pick_x = x;
			pick_in = in;
		} else {
			idx_free(&x);
		}
	}
	if (xlinked > XLINK_SHOWN)
		fprintf(stderr, "postmortem: %s: %s: ... and %d more cross-linked dump directories "
			"skipped\n", TOOL, s->label, xlinked - XLINK_SHOWN);
	if (found == 0 || c->o.list)
		return found == 0 ? -ENOENT : SAVECORE_OK;
	if (pick < 0) {
		fprintf(stderr, "postmortem: %s: %s: %d dump%s under POSTMORTEM, none complete "
			"(--list shows them; --force saves the newest)\n", TOOL, s->label, found,
			found == 1 ? "" : "s");
		return SAVECORE_FAIL;
	}
	snprintf(dir, sizeof(dir), "POSTMORTEM/%.63s", subs[pick].name);
	int rc = save_dump(c, s, &pick_x, dir, &pick_in);
	idx_free(&pick_x);
	return rc;
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
	if (lstat(root, &st) == 0) {	/* whatever it is: src_open() opens only a file */
		static struct info in;
		struct dirindex x;
		char estatus[400];

		s.root = c->o.image;
		rc = dump_facts(&s, ".", &x, &in);
		if (rc != 0) {
			if (rc != -ENOENT)
				idx_free(&x);
			fprintf(stderr, "postmortem: %s: %s: dumpinfo.txt unreadable\n", TOOL, c->o.image);
			return SAVECORE_FAIL;
		}
		if (c->o.list) {
			idx_free(&x);
			printf("%s: %s, %llu bytes in %u parts\n", c->o.image,
			       textesc_str(in.status, sizeof(in.status), estatus, sizeof(estatus)),
			       (unsigned long long)in.size, in.parts);
			return SAVECORE_OK;
		}
		rc = save_dump(c, &s, &x, ".", &in);
		idx_free(&x);
		return rc;
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
	/* every directory entry the volume has room for, once: more is cross-linking */
	s.budget = (uint64_t)vol.g.clusters * vol.g.cluster_size / FAT_DIRENT_SIZE +
		   vol.g.root_entries;
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
