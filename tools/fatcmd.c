/*
 * `postmortem fat IMAGE[:pN] ls [PATH] | cat PATH | put SRC DEST | mkdir
 * PATH | df` (interface and exit status: tools/fatcmd.h).
 *
 * IMAGE is a file or block device opened through tools/fileblk.c (read
 * only for ls, cat and df).  ":pN" picks GPT partition N (1-based, as
 * Linux numbers them) through formats/gpt.c, which must find it usable;
 * without it the whole image is the volume.  The volume is read and
 * written by formats/fat*.c, the code the kernel uses, so what this tool
 * writes is what a dump=fat dump or a staged capsule looks like.
 *
 * put never replaces anything: an existing DEST is refused.  It creates
 * DEST's missing parent directories, but first asks fat_space_needed()
 * whether they and the file fit, so a full volume is refused with the
 * image untouched.  Host only.
 */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats/blkdev.h"
#include "formats/fat.h"
#include "formats/gpt.h"
#include "tools/fatcmd.h"
#include "tools/fileblk.h"
#include "tools/opts.h"

#define TOOL		"postmortem fat"
#define FATCMD_CHUNK	(1u << 20)	/* put/cat buffer: a whole number of any cluster */
#define FATCMD_GPT_SCRATCH 4096

struct fatcmd {
	char image[4096];		/* the path without ":pN" */
	unsigned part;			/* 0: the whole image */
	struct blkdev dev, view;
	bool opened;
	struct fat_vol *vol;
	uint8_t *scratch;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: postmortem fat IMAGE[:pN] ls [PATH]\n"
		"       postmortem fat IMAGE[:pN] cat PATH\n"
		"       postmortem fat IMAGE[:pN] put SRCFILE DESTPATH\n"
		"       postmortem fat IMAGE[:pN] mkdir PATH\n"
		"       postmortem fat IMAGE[:pN] df\n"
		"\n"
		"Read or add files on a FAT12/16/32 volume: a disk image or block device,\n"
		"or its GPT partition N with :pN (e.g. disk.img:p1 for an EFI system partition).\n"
		"  ls [PATH]        list a directory (default /) or show one file\n"
		"  cat PATH         write a file to stdout\n"
		"  put SRC DEST     copy a host file in as DEST (parent directories are made;\n"
		"                   an existing DEST is never replaced; DEST a directory: SRC's name)\n"
		"  mkdir PATH       make a directory and any missing parents\n"
		"  df               FAT type, cluster size, total and free space\n"
		"Paths use / or \\ and match long and 8.3 names in any case.\n"
		"exit status: 0 done, 1 failed, 2 usage\n");
}

static int fail(const struct fatcmd *c, const char *what, const char *why)
{
	if (what != NULL)
		fprintf(stderr, "%s: %s: %s: %s\n", TOOL, c->image, what, why);
	else
		fprintf(stderr, "%s: %s: %s\n", TOOL, c->image, why);
	return 1;
}

/* The volume's reason for err, or the errno text. */
static const char *why_of(const struct fatcmd *c, int err)
{
	return c->vol != NULL && c->vol->why != NULL ? c->vol->why : strerror(-err);
}

/* "disk.img:p2" -> "disk.img", 2.  A name without a ":pN" tail is the whole image. */
static int parse_image(struct fatcmd *c, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	size_t len = strlen(arg);
	char *end;

	if (colon != NULL && colon[1] == 'p' && colon[2] >= '0' && colon[2] <= '9') {
		unsigned long n = strtoul(colon + 2, &end, 10);

		if (*end != '\0' || n == 0 || n > GPT_MAX_ENTRIES)
			return -EINVAL;
		c->part = (unsigned)n;
		len = (size_t)(colon - arg);
	}
	if (len == 0 || len >= sizeof(c->image))
		return -EINVAL;
	memcpy(c->image, arg, len);
	c->image[len] = '\0';
	return 0;
}

/* The GPT partition c->part as c->view. */
static int open_partition(struct fatcmd *c)
{
	struct gpt_info *info = malloc(sizeof(*info));
	uint8_t *scratch = malloc(FATCMD_GPT_SCRATCH);
	const struct gpt_part *p;
	char what[32];
	int err = 1;

	snprintf(what, sizeof(what), "partition %u", c->part);
	if (info == NULL || scratch == NULL) {
		fail(c, NULL, "out of memory");
		goto out;
	}
	if (gpt_read(&c->dev, scratch, FATCMD_GPT_SCRATCH, info) != 0) {
		fail(c, what, info->primary_problem ? info->primary_problem : "no GPT");
		goto out;
	}
	p = gpt_find_index(info, c->part);
	if (p == NULL)
		fail(c, what, "no such GPT partition");
	else if (p->problem != NULL)
		fail(c, what, p->problem);
	else if (blkdev_partition(&c->view, &c->dev, c->part, p->first_lba,
				  p->last_lba - p->first_lba + 1) != 0)
		fail(c, what, "outside the disk");
	else
		err = 0;
out:
	free(scratch);
	free(info);
	return err;
}

/*
 * A whole image file whose boot sector says 1024..4096-byte sectors is
 * reopened with that sector size (a regular file has none of its own; a
 * block device keeps its logical one).
 */
static int sector_size_of(struct fatcmd *c, bool writable, const char **why)
{
	uint8_t *buf = malloc(FAT_SECTOR_MAX);
	uint32_t bps;
	struct stat st;
	int err = 0;

	if (buf == NULL)
		return -ENOMEM;
	if (c->part == 0 && stat(c->image, &st) == 0 && S_ISREG(st.st_mode) &&
	    blkdev_read(&c->dev, 0, 1, buf) == 0) {
		bps = (uint32_t)buf[offsetof(struct fat_bpb, byts_per_sec)] |
		      (uint32_t)buf[offsetof(struct fat_bpb, byts_per_sec) + 1] << 8;
		if (bps > c->dev.sector_size && bps <= FAT_SECTOR_MAX && (bps & (bps - 1)) == 0) {
			fileblk_close(&c->dev);
			c->opened = false;
			err = fileblk_open(&c->dev, c->image, writable, bps, why);
			c->opened = err == 0;
		}
	}
	free(buf);
	return err;
}

/* Open IMAGE (and partition), mount the volume.  Returns 0 or 1 (message printed). */
static int open_volume(struct fatcmd *c, bool writable)
{
	const char *why = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int err = fileblk_open(&c->dev, c->image, writable, 0, &why);

	if (err == 0) {
		c->opened = true;
		err = sector_size_of(c, writable, &why);
	}
	if (err)
		return fail(c, NULL, why != NULL ? why : strerror(-err));
	if (c->part != 0 && open_partition(c) != 0)
		return 1;
	c->vol = calloc(1, sizeof(*c->vol));
	c->scratch = malloc(FAT_SCRATCH_SIZE);
	if (c->vol == NULL || c->scratch == NULL)
		return fail(c, NULL, "out of memory");
	err = fat_mount(c->vol, c->part ? &c->view : &c->dev, c->scratch, FAT_SCRATCH_SIZE);
	if (err) {
		fprintf(stderr, "%s: %s%s: not a usable FAT volume: %s\n", TOOL, c->image,
			c->part ? " partition" : "", why_of(c, err));
		return 1;
	}
	if (localtime_r(&now, &tm) != NULL) {
		c->vol->date = fat_pack_date((unsigned)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
					     (unsigned)tm.tm_mday);
		c->vol->time = fat_pack_time((unsigned)tm.tm_hour, (unsigned)tm.tm_min,
					     (unsigned)tm.tm_sec);
	}
	return 0;
}

/* ------------------------------------------------------------ read */

/* A name from the disk, control bytes escaped. */
static void put_name(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f || ch == '\\')
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
}

static void print_entry(const struct fat_dirent *e)
{
	printf("%c %10" PRIu32 " %04u-%02u-%02u %02u:%02u  ",
	       e->attr & FAT_ATTR_DIRECTORY ? 'd' : '-', e->size, 1980u + (e->wrt_date >> 9),
	       (e->wrt_date >> 5) & 15u, e->wrt_date & 31u, e->wrt_time >> 11,
	       (e->wrt_time >> 5) & 63u);
	put_name(e->name);
	putchar('\n');
}

static int cmd_ls(struct fatcmd *c, const char *path)
{
	struct fat_dirent e;
	struct fat_dir d;
	int err = fat_lookup(c->vol, path, &e);

	if (err)
		return fail(c, path, why_of(c, err));
	if (!(e.attr & FAT_ATTR_DIRECTORY)) {
		print_entry(&e);
		return 0;
	}
	err = fat_opendir_entry(c->vol, &e, &d);
	while (err == 0 && (err = fat_readdir(&d, &e)) == 1) {
		print_entry(&e);
		err = 0;
	}
	return err < 0 ? fail(c, path, why_of(c, err)) : 0;
}

static int cmd_cat(struct fatcmd *c, const char *path)
{
	struct fat_reader r;
	uint8_t *buf = malloc(FATCMD_CHUNK);
	uint64_t off = 0;
	size_t got = 1;
	int err = buf == NULL ? -ENOMEM : fat_open(c->vol, path, &r);

	while (err == 0 && got > 0) {
		err = fat_pread(&r, off, buf, FATCMD_CHUNK, &got);
		if (got > 0 && fwrite(buf, 1, got, stdout) != got) {
			free(buf);
			return fail(c, path, "cannot write to stdout");
		}
		off += got;
	}
	free(buf);
	if (err)
		return fail(c, path, why_of(c, err));
	return fflush(stdout) ? fail(c, path, "cannot write to stdout") : 0;
}

static int cmd_df(struct fatcmd *c)
{
	const struct fat_geom *g = &c->vol->g;
	uint64_t free_bytes;
	int err = fat_free_bytes(c->vol, &free_bytes);

	if (err)
		return fail(c, NULL, why_of(c, err));
	printf("FAT%u, %" PRIu32 "-byte sectors, %" PRIu32 "-byte clusters, %" PRIu32
	       " clusters, %" PRIu64 " bytes total, %" PRIu64 " bytes free\n",
	       g->type, g->sector_size, g->cluster_size, g->clusters,
	       (uint64_t)g->clusters * g->cluster_size, free_bytes);
	return 0;
}

/* ------------------------------------------------------------ write */

static int cmd_mkdir(struct fatcmd *c, const char *path)
{
	int err = fat_mkdir_p(c->vol, path);

	return err ? fail(c, path, why_of(c, err)) : 0;
}

/* Refuse before writing anything when the file and its new parents cannot fit. */
static int put_room(struct fatcmd *c, const char *path, const char *dest, uint64_t size)
{
	uint64_t free_bytes, need;
	char msg[160];
	int err = fat_space_needed(c->vol, path, size, &need);

	if (err == 0)
		err = fat_free_bytes(c->vol, &free_bytes);
	if (err == -EEXIST)
		return fail(c, dest, "exists (put never replaces a file); nothing written");
	if (err)
		return fail(c, dest, why_of(c, err));
	if (need <= free_bytes)
		return 0;
	snprintf(msg, sizeof(msg), "not enough free space (%" PRIu64 " bytes needed, %" PRIu64
		 " free); nothing written", need, free_bytes);
	return fail(c, dest, msg);
}

/* Copy fd (size bytes) into the open file f. */
static int put_data(struct fatcmd *c, int fd, struct fat_file *f, const char *dest)
{
	uint8_t *buf = malloc(FATCMD_CHUNK);
	int err = buf == NULL ? -ENOMEM : 0;

	while (err == 0) {
		ssize_t n = read(fd, buf, FATCMD_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : 0;
			break;
		}
		err = fat_write(f, buf, (size_t)n);
	}
	free(buf);
	if (err) {
		fat_close(f);	/* frees what was allocated */
		return fail(c, dest, err == -ENOSPC ? "volume full; the space taken was freed again" :
			    why_of(c, err));
	}
	err = fat_close(f);
	return err ? fail(c, dest, why_of(c, err)) : 0;
}

static int cmd_put(struct fatcmd *c, const char *src, const char *dest)
{
	const char *base = strrchr(src, '/');
	char *path = NULL, *dir;
	struct fat_dirent e;
	struct fat_file f;
	struct stat st;
	size_t len;
	int fd, err, rc = 1;

	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s: %s\n", TOOL, src, fd < 0 ? strerror(errno) :
			"not a regular file");
		goto out;
	}
	/* DEST an existing directory: SRC's name in it. */
	base = base != NULL ? base + 1 : src;
	if (fat_lookup(c->vol, dest, &e) == 0 && (e.attr & FAT_ATTR_DIRECTORY))
		err = asprintf(&path, "%s/%s", dest, base) < 0 ? -ENOMEM : 0;
	else
		err = (path = strdup(dest)) == NULL ? -ENOMEM : 0;
	if (err) {
		fail(c, dest, "out of memory");
		goto out;
	}
	rc = put_room(c, path, dest, (uint64_t)st.st_size);
	for (len = strlen(path); len > 0 && path[len - 1] != '/' && path[len - 1] != '\\'; len--)
		;
	dir = strndup(path, len);
	err = dir == NULL ? -ENOMEM : 0;
	if (rc == 0 && err == 0 && fat_lookup(c->vol, dir, &e) == -ENOENT)
		err = fat_mkdir_p(c->vol, dir);
	free(dir);
	if (rc == 0 && err == 0)
		err = fat_create(c->vol, path, NULL, (uint64_t)st.st_size, &f);
	if (rc == 0 && err)
		rc = fail(c, dest, err == -EEXIST ? "exists (put never replaces a file); nothing written" :
			  why_of(c, err));
	else if (rc == 0)
		rc = put_data(c, fd, &f, dest);
out:
	free(path);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ------------------------------------------------------------ main */

static int run(struct fatcmd *c, int argc, char **argv)
{
	const char *cmd = argv[2];
	bool write = strcmp(cmd, "put") == 0 || strcmp(cmd, "mkdir") == 0;
	int want = strcmp(cmd, "ls") == 0 ? -1 : strcmp(cmd, "cat") == 0 ? 1 :
		   strcmp(cmd, "put") == 0 ? 2 : strcmp(cmd, "mkdir") == 0 ? 1 :
		   strcmp(cmd, "df") == 0 ? 0 : -2;

	if (want == -2 || (want >= 0 && argc - 3 != want) || (want == -1 && argc > 4)) {
		fprintf(stderr, "%s: %s '%s' (see --help)\n", TOOL,
			want == -2 ? "unknown command" : "wrong number of arguments for", cmd);
		return 2;
	}
	if (open_volume(c, write) != 0)
		return 1;
	if (strcmp(cmd, "ls") == 0)
		return cmd_ls(c, argc > 3 ? argv[3] : "/");
	if (strcmp(cmd, "cat") == 0)
		return cmd_cat(c, argv[3]);
	if (strcmp(cmd, "put") == 0)
		return cmd_put(c, argv[3], argv[4]);
	if (strcmp(cmd, "mkdir") == 0)
		return cmd_mkdir(c, argv[3]);
	return cmd_df(c);
}

int fatcmd_tool_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fatcmd *c;
	int rc, o, li, at;
	char what[512];

	/*
	 * "+": options only before IMAGE (what follows is the command's);
	 * --help is the only one, so one call reads it or the error (whole
	 * names only, tools/opts.h).
	 */
	opts_begin();
	o = opts_next(argc, argv, "+h", opts, &li, &at);
	if (o == 'h') {
		usage(stdout);
		return 0;
	}
	if (o != -1) {
		fprintf(stderr, "%s: %s (see --help)\n", TOOL,
			opts_what(argv, at, o, what, sizeof(what)));
		return 2;
	}
	argc -= optind - 1;	/* after "--": IMAGE is argv[1] again */
	argv += optind - 1;
	if (argc < 3) {
		usage(stderr);
		return 2;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		fprintf(stderr, "%s: out of memory\n", TOOL);
		return 1;
	}
	if (parse_image(c, argv[1]) != 0) {
		fprintf(stderr, "%s: '%s': want IMAGE or IMAGE:pN (see --help)\n", TOOL, argv[1]);
		free(c);
		return 2;
	}
	rc = run(c, argc, argv);
	if (c->opened)
		fileblk_close(&c->dev);
	free(c->scratch);
	free(c->vol);
	free(c);
	return rc;
}
