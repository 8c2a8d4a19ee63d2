/*
 * dump=fat (see fatsink.h).  Order of writes: each part is a new file
 * (data, then FAT chain, then its directory entry: formats/fat.c), and
 * dumpinfo.txt comes last, so a directory without "status=complete" in
 * dumpinfo.txt is a dump that did not finish, whatever parts it holds.
 *
 * The volume is kernel/esp.c's: an ESP it finds by type only on a disk
 * the raw dump partition's write rule allows (formats/gpt.c), or the
 * device or partition named in dump=fat:<dev>.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/cpu.h"
#include "kernel/esp.h"
#include "kernel/fatsink.h"
#include "payload/dumphdr.h"

#define FATSINK_ROOT	"/POSTMORTEM"

static struct esp *esp;
static struct fat_file part;
static uint64_t part_size, file_size, written, in_part;
static unsigned part_no, nparts;
static char dir[64];

static int open_part(struct dumpsink *s)
{
	char name[16];
	uint64_t left = file_size - written, want = left < part_size ? left : part_size;
	int err;

	snprintf(name, sizeof(name), "vmcore.%03u", part_no);
	err = fat_create(&esp->vol, dir, name, want, &part);
	if (err)
		snprintf(s->why, sizeof(s->why), "%s: cannot create %s\\%s: %s", esp->name, dir,
			 name, esp->vol.why);
	in_part = 0;
	return err;
}

static int close_part(struct dumpsink *s)
{
	int err = fat_close(&part);

	if (err) {
		snprintf(s->why, sizeof(s->why), "%s: closing vmcore.%03u failed: %s", esp->name,
			 part_no, esp->vol.why);
		return err;
	}
	part_no++;
	return 0;
}

/* A new directory \POSTMORTEM\<stamp>[-n]; never an existing one. */
static int make_dir(struct dumpsink *s)
{
	struct fat_dirent e;
	const char *stamp = esp->stamp[0] ? esp->stamp : "undated";
	int err;

	for (unsigned n = 0; n < 100; n++) {
		if (n == 0)
			snprintf(dir, sizeof(dir), FATSINK_ROOT "/%s", stamp);
		else
			snprintf(dir, sizeof(dir), FATSINK_ROOT "/%s-%u", stamp, n);
		err = fat_lookup(&esp->vol, dir, &e);
		if (err == -ENOENT)
			break;
		if (err != 0) {
			snprintf(s->why, sizeof(s->why), "%s: cannot look in " FATSINK_ROOT ": %s",
				 esp->name, esp->vol.why);
			return err;
		}
	}
	if (err == 0) {
		snprintf(s->why, sizeof(s->why), "%s: " FATSINK_ROOT " holds 100 dumps of %s",
			 esp->name, stamp);
		return -EEXIST;
	}
	err = fat_mkdir_p(&esp->vol, dir);
	if (err)
		snprintf(s->why, sizeof(s->why), "%s: cannot create %s: %s", esp->name, dir,
			 esp->vol.why);
	return err;
}

static int fat_begin(struct dumpsink *s, uint64_t size, size_t nsegs)
{
	uint64_t free_bytes = 0, cluster = esp->vol.g.cluster_size;
	int err;

	(void)nsegs;
	dir[0] = '\0';
	file_size = size;
	written = 0;
	part_no = 0;
	nparts = (unsigned)((size + part_size - 1) / part_size);
	if (nparts == 0)
		nparts = 1;
	/* the parts, a cluster of slack each, dumpinfo.txt and the directories */
	if ((err = fat_free_bytes(&esp->vol, &free_bytes)) != 0) {
		snprintf(s->why, sizeof(s->why), "%s: cannot count its free space: %s", esp->name,
			 esp->vol.why);
		return err;
	}
	if (free_bytes < size + (nparts + 4) * cluster) {
		snprintf(s->why, sizeof(s->why), "%s has %llu MiB free, the dump needs %llu MiB",
			 esp->name, (unsigned long long)(free_bytes >> 20),
			 (unsigned long long)((size + (nparts + 4) * cluster) >> 20) + 1);
		return -ENOSPC;
	}
	if ((err = make_dir(s)) != 0)
		return err;
	char shown[sizeof(dir)];
	for (size_t i = 0; i < sizeof(dir); i++)
		shown[i] = dir[i] == '/' ? '\\' : dir[i];
	printf("dump: writing %s\\vmcore.000%s on %s (%s%u part%s of up to %llu MiB)\n", shown,
	       nparts > 1 ? "..." : "", esp->name, s->size_bound ? "at most " : "", nparts,
	       nparts == 1 ? "" : "s", (unsigned long long)(part_size >> 20));
	return open_part(s);
}

/* The largest upper bound fat_begin() takes: the free space less a
 * cluster of slack for each part the free space could hold, and four
 * (dumpinfo.txt, the directories).  dumpinfo.txt gets the size written. */
static uint64_t fat_room(struct dumpsink *s)
{
	uint64_t free_bytes = 0, cluster = esp->vol.g.cluster_size, slack;

	(void)s;
	if (fat_free_bytes(&esp->vol, &free_bytes) != 0)
		return 0;
	slack = ((free_bytes + part_size - 1) / part_size + 4) * cluster;
	return free_bytes > slack ? free_bytes - slack : 0;
}

static int fat_sink_write(struct dumpsink *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int err;

	while (len > 0) {
		uint64_t room;
		size_t n;

		/* The next part only when there are bytes for it (with a bound
		 * for the size, the file may end at a part's end). */
		if (in_part == part_size) {
			if (written >= file_size) {	/* more bytes than begin() was told of */
				snprintf(s->why, sizeof(s->why), "%s: the dump grew past its "
					 "planned size", esp->name);
				return -ENOSPC;
			}
			if ((err = close_part(s)) != 0 || (err = open_part(s)) != 0)
				return err;
		}
		room = part_size - in_part;
		n = len < room ? len : (size_t)room;
		if ((err = fat_write(&part, p, n)) != 0) {
			snprintf(s->why, sizeof(s->why), "%s: writing vmcore.%03u: %s", esp->name,
				 part_no, esp->vol.why);
			return err;
		}
		p += n;
		len -= n;
		in_part += n;
		written += n;
	}
	return 0;
}

/* dumpinfo.txt: "key=value" lines, the completeness marker. */
static int write_info(struct dumpsink *s, const char *status, const uint8_t *digest)
{
	static char text[1024];
	char hex[SHA256_LEN * 2 + 1] = "";
	struct fat_file f;
	int n, err;

	if (digest != NULL)
		crypto_sha256_hex(digest, hex);
	n = snprintf(text, sizeof(text),
		     "postmortem-dump 1\nstatus=%s\nformat=%s%s%s\nsize=%llu\nparts=%u\n"
		     "part_size=%llu\nsha256=%s\ncreated=%s\nrelease=%s\nhostname=%s\n"
		     "handoff=%s\nwriter=postmortem " PM_VERSION "\n",
		     status, s->body_format == DUMPHDR_BODY_KDUMP ? "kdump" :
		     s->body_format == DUMPHDR_BODY_ENCRYPTED ? "encrypted" : "elf",
		     s->body_format == DUMPHDR_BODY_ENCRYPTED ? "\ninner=" : "",
		     s->body_format != DUMPHDR_BODY_ENCRYPTED ? "" :
		     s->inner_format == DUMPHDR_BODY_KDUMP ? "kdump" : "elf",
		     (unsigned long long)(s->size_bound && digest != NULL ? written : file_size),
		     part_no,
		     (unsigned long long)part_size, hex, esp->stamp, s->release, s->hostname,
		     s->handoff_status == DUMPHDR_HANDOFF_OK ? "verified" :
		     s->handoff_status == DUMPHDR_HANDOFF_BAD ? "not trusted" : "none");
	err = fat_create(&esp->vol, dir, "dumpinfo.txt", (uint64_t)n, &f);
	if (err == 0 && (err = fat_write(&f, text, (size_t)n)) != 0)
		fat_abort(&f);
	else if (err == 0)
		err = fat_close(&f);
	if (err)
		snprintf(s->why, sizeof(s->why), "%s: writing dumpinfo.txt: %s", esp->name,
			 esp->vol.why);
	return err;
}

static int fat_finish(struct dumpsink *s, const uint8_t digest[SHA256_LEN])
{
	int err = close_part(s);

	if (err == 0)
		err = write_info(s, "complete", digest);
	return err;
}

static void fat_sink_abort(struct dumpsink *s, const char *reason)
{
	char status[96];

	if (dir[0] == '\0')
		return;			/* refused before anything was written */
	if (part.open)
		close_part(s);		/* keep what was written, for --force */
	snprintf(status, sizeof(status), "failed (%s)", reason);
	write_info(s, status, NULL);
}

int fatsink_open(struct dumpsink *s, const char *dev, uint64_t psize, const char **why)
{
	if ((esp = esp_mount(dev, why)) == NULL)
		return -ENODEV;
	part_size = psize / esp->vol.g.sector_size * esp->vol.g.sector_size;
	memset(s, 0, sizeof(*s));
	snprintf(s->namebuf, sizeof(s->namebuf), "fat %s", esp->name);
	s->name = s->namebuf;
	s->hashes = false;
	s->begin = fat_begin;
	s->write = fat_sink_write;
	s->finish = fat_finish;
	s->abort = fat_sink_abort;
	s->room = fat_room;
	return 0;
}
