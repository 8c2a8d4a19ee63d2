/*
 * `postmortem load --dump-file`: make or reuse the dump file and pin its
 * extents (tools/dumpfile.h, docs/dump-file.md).
 *
 * Order of work, each step refusing with one line that says why:
 *   1. the file: its directory owned by root or us and not writable by
 *      others unless sticky; opened from it without following a link; a
 *      regular file of ours with one link and no group or other access
 *      (open_owned); a new one, or one that already carries our header
 *      (any other file is never touched), not holding a dump not yet saved;
 *   2. the filesystem: ext2/3/4 not journalling file data (data=journal,
 *      chattr +j), or xfs (statfs), not an xfs realtime file;
 *      btrfs is refused (CoW moves blocks, and its FIEMAP addresses are
 *      btrfs logical addresses, not disk offsets, even for NOCOW files);
 *   3. allocation: fallocate to the size, zeros written over every
 *      unwritten extent, fsync; FIEMAP (with FIEMAP_FLAG_SYNC) must then
 *      show the whole file as plain extents: no hole, nothing UNWRITTEN,
 *      SHARED, ENCODED, ENCRYPTED, INLINE, NOT_ALIGNED, DELALLOC, UNKNOWN;
 *   4. the device stack from /sys/dev/block: partitions add their start,
 *      device-mapper linear targets their offset (table from the
 *      DM_TABLE_STATUS ioctl), anything else (dm-crypt, other dm targets,
 *      md) is refused; every extent must land on one disk;
 *   5. the disk's identity from sysfs (kind, serial, model, namespace,
 *      AHCI port, PCI address) and its logical sector size;
 *   6. a fresh nonce, every marker block and the header written through
 *      the file, the dump headers' places zeroed, fsync; FIEMAP again must
 *      give the same extents; every marker is read back from the raw disk
 *      (O_DIRECT) at the sector the record names;
 *   7. the DUMP_FILE payload written for `handoff create --dump-file-record`.
 * With --dry-run, steps 3 and 6 write nothing: an existing file is checked
 * and mapped as it is.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <linux/dm-ioctl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "payload/dumpfile.h"
#include "payload/dumphdr.h"
#include "payload/handoff.h"
#include "tools/dumpfile.h"

#define TOOL		"postmortem load"
#define MAX_PIECES	(DUMPFILE_MAX_EXTENTS * 4)
#define MIN_SIZE	(4u << 20)
/* the advice of a refusal for too many or too small extents */
#define FRAGMENTED	"the filesystem's free space is too fragmented; free some space " \
			"(or defragment it), or load a smaller --size"

/* A byte range of the file on one device (FIEMAP's, then mapped down). */
struct piece {
	uint64_t logical, physical, length;
};

struct disk {
	char dir[PATH_MAX];		/* realpath of the disk's sysfs directory */
	char name[64];
	unsigned major, minor;
	bool loop;
};

static void fail(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: dump file %s: refused: ", TOOL, path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ------------------------------------------------------------------ sizes */

uint64_t dumpfile_auto_size(const char *meminfo)
{
	FILE *f = fopen(meminfo != NULL ? meminfo : "/proc/meminfo", "r");
	unsigned long long kib = 0;
	char line[256];
	uint64_t size;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemTotal: %llu kB", &kib) == 1)
			break;
	if (f != NULL)
		fclose(f);
	size = (uint64_t)kib * 1024 / 8 + (64u << 20);
	return (size + (16u << 20) - 1) & ~(uint64_t)((16u << 20) - 1);
}

/* "512M", "2G", "1048576": bytes; 0 when malformed. */
static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-')
		return 0;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	if (*end != '\0' || v > (UINT64_MAX >> shift))
		return 0;
	return (uint64_t)v << shift;
}

/* ------------------------------------------------------------------ sysfs */

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\0'))
		buf[--n] = '\0';
	return 0;
}

static int read_u64(const char *dir, const char *name, uint64_t *out)
{
	char path[PATH_MAX + 64], buf[64], *end;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (read_text(path, buf, sizeof(buf)) != 0)
		return -1;
	errno = 0;
	*out = strtoull(buf, &end, 0);
	return errno != 0 || end == buf ? -1 : 0;
}

static bool exists(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* The sysfs directory of device maj:min (realpath), or -1. */
static int dev_dir(const char *sys, unsigned maj, unsigned min, char *out)
{
	char link[PATH_MAX];

	snprintf(link, sizeof(link), "%s/dev/block/%u:%u", sys, maj, min);
	return realpath(link, out) != NULL ? 0 : -1;
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

/* ------------------------------------------------------------ device-mapper */

struct dm_target {
	uint64_t start, length;		/* 512-byte sectors of the dm device */
	char type[DM_MAX_TYPE_NAME];
	char params[256];
};

/* The table as `dmsetup table` prints it: from a test's dm/table file, else the ioctl. */
static int dm_table(const char *dir, unsigned maj, unsigned min, struct dm_target *t, int max)
{
	char path[PATH_MAX + 16], line[512];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/dm/table", dir);
	f = fopen(path, "r");
	if (f != NULL) {
		while (n < max && fgets(line, sizeof(line), f) != NULL) {
			unsigned long long s, l;
			int used = 0;

			if (sscanf(line, "%llu %llu %31s %n", &s, &l, t[n].type, &used) < 3)
				continue;
			t[n].start = s;
			t[n].length = l;
			snprintf(t[n].params, sizeof(t[n].params), "%s", line + used);
			t[n].params[strcspn(t[n].params, "\n")] = '\0';
			n++;
		}
		fclose(f);
		return n;
	}
	size_t cap = 64 * 1024;
	struct dm_ioctl *io = calloc(1, cap);
	int fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);

	if (io == NULL || fd < 0) {
		free(io);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	io->version[0] = DM_VERSION_MAJOR;
	io->version[1] = 0;
	io->version[2] = 0;
	io->data_size = (uint32_t)cap;
	io->data_start = sizeof(*io);
	io->dev = makedev(maj, min);
	io->flags = DM_STATUS_TABLE_FLAG;
	if (ioctl(fd, DM_TABLE_STATUS, io) != 0 || (io->flags & DM_BUFFER_FULL_FLAG)) {
		close(fd);
		free(io);
		return -1;
	}
	close(fd);
	size_t off = io->data_start;
	for (uint32_t i = 0; i < io->target_count && n < max; i++) {
		struct dm_target_spec sp;

		if (off + sizeof(sp) > io->data_size)
			break;
		memcpy(&sp, (uint8_t *)io + off, sizeof(sp));
		t[n].start = sp.sector_start;
		t[n].length = sp.length;
		snprintf(t[n].type, sizeof(t[n].type), "%.*s", (int)sizeof(sp.target_type),
			 sp.target_type);
		snprintf(t[n].params, sizeof(t[n].params), "%.*s",
			 (int)(io->data_size - off - sizeof(sp)), (char *)io + off + sizeof(sp));
		n++;
		if (sp.next == 0)
			break;
		off = io->data_start + sp.next;	/* from the first spec (dm-ioctl.h) */
	}
	free(io);
	return n;
}

/* "253:1 2048" or "/dev/sda2 2048": the device and the offset in 512-byte sectors. */
static int linear_params(const char *p, unsigned *maj, unsigned *min, uint64_t *off)
{
	char dev[200];
	unsigned long long o;
	struct stat st;

	if (sscanf(p, "%199s %llu", dev, &o) != 2)
		return -1;
	*off = o;
	if (sscanf(dev, "%u:%u", maj, min) == 2)
		return 0;
	if (stat(dev, &st) != 0 || !S_ISBLK(st.st_mode))
		return -1;
	*maj = major(st.st_rdev);
	*min = minor(st.st_rdev);
	return 0;
}

/* ------------------------------------------------------------ device stack */

struct mapper {
	const char *sys, *path;
	struct disk disk;
	bool have_disk;
	struct piece *out;
	size_t n;
};

static int map_range(struct mapper *m, unsigned maj, unsigned min, uint64_t logical,
		     uint64_t phys, uint64_t len, int depth);

static int add_piece(struct mapper *m, const char *dir, unsigned maj, unsigned min,
		     uint64_t logical, uint64_t phys, uint64_t len)
{
	if (!m->have_disk) {
		snprintf(m->disk.dir, sizeof(m->disk.dir), "%s", dir);
		snprintf(m->disk.name, sizeof(m->disk.name), "%s", base(dir));
		m->disk.major = maj;
		m->disk.minor = min;
		m->disk.loop = exists(dir, "loop");
		m->have_disk = true;
	} else if (m->disk.major != maj || m->disk.minor != min) {
		fail(m->path, "its blocks lie on two disks (%s and %s): the crash kernel writes "
		     "to one", m->disk.name, base(dir));
		return -1;
	}
	if (m->n > 0 && m->out[m->n - 1].logical + m->out[m->n - 1].length == logical &&
	    m->out[m->n - 1].physical + m->out[m->n - 1].length == phys) {
		m->out[m->n - 1].length += len;
		return 0;
	}
	if (m->n >= MAX_PIECES) {
		fail(m->path, "more than %d extents", MAX_PIECES);
		return -1;
	}
	m->out[m->n++] = (struct piece){ logical, phys, len };
	return 0;
}

static int map_dm(struct mapper *m, const char *dir, unsigned maj, unsigned min,
		  uint64_t logical, uint64_t phys, uint64_t len, int depth)
{
	struct dm_target t[64];
	char uuid[256] = "", name[256] = "";
	char p[PATH_MAX + 16];
	int n;

	snprintf(p, sizeof(p), "%s/dm/uuid", dir);
	read_text(p, uuid, sizeof(uuid));
	snprintf(p, sizeof(p), "%s/dm/name", dir);
	read_text(p, name, sizeof(name));
	if (strncmp(uuid, "CRYPT-", 6) == 0) {
		fail(m->path, "it is on dm-crypt (%s, %s): the disk holds ciphertext, and the "
		     "crash kernel would write plain text under it", base(dir), name);
		return -1;
	}
	n = dm_table(dir, maj, min, t, 64);
	if (n <= 0) {
		fail(m->path, "cannot read the device-mapper table of %s (%s)", base(dir), name);
		return -1;
	}
	while (len > 0) {
		int i;

		for (i = 0; i < n; i++)
			if (phys / 512 >= t[i].start && phys / 512 - t[i].start < t[i].length)
				break;
		if (i == n) {
			fail(m->path, "byte %llu of %s (%s) is outside its device-mapper table",
			     (unsigned long long)phys, base(dir), name);
			return -1;
		}
		if (strcmp(t[i].type, "linear") != 0) {
			fail(m->path, "it is on %s (%s), a device-mapper '%s' target%s: only linear "
			     "targets (LVM) map to one disk", base(dir), name, t[i].type,
			     strcmp(t[i].type, "crypt") == 0 ? " (dm-crypt)" : "");
			return -1;
		}
		unsigned lmaj, lmin;
		uint64_t off, end = (t[i].start + t[i].length) * 512, chunk;

		if (linear_params(t[i].params, &lmaj, &lmin, &off) != 0) {
			fail(m->path, "cannot read the linear target '%s' of %s", t[i].params, name);
			return -1;
		}
		chunk = end - phys < len ? end - phys : len;
		if (map_range(m, lmaj, lmin, logical, off * 512 + (phys - t[i].start * 512), chunk,
			      depth + 1) != 0)
			return -1;
		logical += chunk;
		phys += chunk;
		len -= chunk;
	}
	return 0;
}

static int map_range(struct mapper *m, unsigned maj, unsigned min, uint64_t logical,
		     uint64_t phys, uint64_t len, int depth)
{
	char dir[PATH_MAX], parent[PATH_MAX + 8], devfile[PATH_MAX + 16], devtxt[32];
	uint64_t start;
	unsigned pmaj, pmin;

	if (depth > 8) {
		fail(m->path, "a device stack deeper than 8");
		return -1;
	}
	if (dev_dir(m->sys, maj, min, dir) != 0) {
		fail(m->path, "device %u:%u has no %s/dev/block entry", maj, min, m->sys);
		return -1;
	}
	if (exists(dir, "partition")) {
		if (read_u64(dir, "start", &start) != 0) {
			fail(m->path, "cannot read the start of partition %s", base(dir));
			return -1;
		}
		snprintf(parent, sizeof(parent), "%s/..", dir);
		snprintf(devfile, sizeof(devfile), "%s/dev", parent);
		if (read_text(devfile, devtxt, sizeof(devtxt)) != 0 ||
		    sscanf(devtxt, "%u:%u", &pmaj, &pmin) != 2) {
			fail(m->path, "cannot find the disk of a partition (%s)", parent);
			return -1;
		}
		return map_range(m, pmaj, pmin, logical, phys + start * 512, len, depth + 1);
	}
	if (exists(dir, "dm"))
		return map_dm(m, dir, maj, min, logical, phys, len, depth);
	if (exists(dir, "md")) {
		fail(m->path, "it is on %s, a software RAID: its blocks are not one disk's",
		     base(dir));
		return -1;
	}
	if (exists(dir, "slaves")) {
		char sl[PATH_MAX + 16];
		DIR *d;
		struct dirent *e;
		int k = 0;

		snprintf(sl, sizeof(sl), "%s/slaves", dir);
		d = opendir(sl);
		while (d != NULL && (e = readdir(d)) != NULL)
			k += e->d_name[0] != '.';
		if (d != NULL)
			closedir(d);
		if (k > 0) {
			fail(m->path, "it is on %s, a device stacked on others that postmortem "
			     "cannot map", base(dir));
			return -1;
		}
	}
	return add_piece(m, dir, maj, min, logical, phys, len);
}

/* ------------------------------------------------------------ identity */

static void trim_copy(char *dst, size_t len, const char *src)
{
	while (*src == ' ')
		src++;
	snprintf(dst, len, "%s", src);
	for (size_t n = strlen(dst); n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == '\n'); n--)
		dst[n - 1] = '\0';
}

/* The last "DDDD:BB:DD.F" component of a sysfs path. */
static void pci_of(const char *path, struct handoff_dump_file *h)
{
	char copy[PATH_MAX];
	unsigned seg, bus, dev, fn;

	snprintf(copy, sizeof(copy), "%s", path);
	for (char *save = NULL, *c = strtok_r(copy, "/", &save); c != NULL;
	     c = strtok_r(NULL, "/", &save)) {
		char tail;

		if (strlen(c) == 12 && sscanf(c, "%4x:%2x:%2x.%1x%c", &seg, &bus, &dev, &fn,
					      &tail) == 4) {
			h->pci_segment = (uint16_t)seg;
			h->pci_bus = (uint8_t)bus;
			h->pci_dev = (uint8_t)dev;
			h->pci_fn = (uint8_t)fn;
			h->pci_flags = HANDOFF_PCI_VALID;
		}
	}
}

static void identify(const struct disk *d, struct handoff_dump_file *h, const char *sys)
{
	char p[PATH_MAX + 64], buf[256];
	uint64_t v;

	h->disk_kind = HANDOFF_DISK_OTHER;
	h->ata_port = HANDOFF_ATA_PORT_UNKNOWN;
	pci_of(d->dir, h);
	if (strstr(d->dir, "/nvme/") != NULL) {
		h->disk_kind = HANDOFF_DISK_NVME;
		snprintf(p, sizeof(p), "%s/device/serial", d->dir);
		if (read_text(p, buf, sizeof(buf)) == 0)
			trim_copy(h->serial, sizeof(h->serial), buf);
		snprintf(p, sizeof(p), "%s/device/model", d->dir);
		if (read_text(p, buf, sizeof(buf)) == 0)
			trim_copy(h->model, sizeof(h->model), buf);
		if (read_u64(d->dir, "nsid", &v) == 0)
			h->nsid = (uint32_t)v;
	} else if (strstr(d->dir, "/virtio") != NULL) {
		h->disk_kind = HANDOFF_DISK_VIRTIO_BLK;
		snprintf(p, sizeof(p), "%s/serial", d->dir);
		if (read_text(p, buf, sizeof(buf)) == 0)
			trim_copy(h->serial, sizeof(h->serial), buf);
	} else if (strstr(d->dir, "/ata") != NULL) {
		char drv[PATH_MAX], *ata = strstr(d->dir, "/ata");
		unsigned n;
		ssize_t k;

		h->disk_kind = HANDOFF_DISK_AHCI;
		/* the PCI function's driver must be ahci (libata also drives PATA) */
		if (h->pci_flags & HANDOFF_PCI_VALID) {
			snprintf(p, sizeof(p), "%s/bus/pci/devices/%04x:%02x:%02x.%x/driver", sys,
				 h->pci_segment, h->pci_bus, h->pci_dev, h->pci_fn);
			k = readlink(p, drv, sizeof(drv) - 1);
			if (k > 0) {
				drv[k] = '\0';
				if (strcmp(base(drv), "ahci") != 0)
					h->disk_kind = HANDOFF_DISK_OTHER;
			}
		}
		snprintf(p, sizeof(p), "%s/device/model", d->dir);
		if (read_text(p, buf, sizeof(buf)) == 0)
			trim_copy(h->model, sizeof(h->model), buf);
		/* VPD page 0x80 (unit serial number): libata puts IDENTIFY's serial there */
		snprintf(p, sizeof(p), "%s/device/vpd_pg80", d->dir);
		FILE *f = fopen(p, "rb");
		if (f != NULL) {
			uint8_t vpd[256];
			size_t got = fread(vpd, 1, sizeof(vpd), f);

			fclose(f);
			if (got > 4) {
				size_t len = vpd[3] < got - 4 ? vpd[3] : got - 4;

				memcpy(buf, vpd + 4, len);
				buf[len] = '\0';
				trim_copy(h->serial, sizeof(h->serial), buf);
			}
		}
		if (sscanf(ata, "/ata%u", &n) == 1) {
			snprintf(p, sizeof(p), "%s/class/ata_port/ata%u/port_no", sys, n);
			/* libata shows ap->port_no + 1 there; for ahci ap->port_no is
			 * the HBA's port number, which the crash kernel's driver knows */
			if (read_text(p, buf, sizeof(buf)) == 0 && strtoul(buf, NULL, 10) >= 1)
				h->ata_port = (uint32_t)strtoul(buf, NULL, 10) - 1;
		}
	}
}

/* ------------------------------------------------------------ FIEMAP */

static const struct {
	uint32_t flag;
	const char *why;
} bad_flags[] = {
	{ FIEMAP_EXTENT_UNKNOWN, "its location is unknown (FIEMAP_EXTENT_UNKNOWN)" },
	{ FIEMAP_EXTENT_DELALLOC, "it is not allocated yet (DELALLOC after fsync)" },
	{ FIEMAP_EXTENT_ENCODED, "it is compressed or encoded (ENCODED)" },
	{ FIEMAP_EXTENT_DATA_ENCRYPTED, "it is encrypted by the filesystem (DATA_ENCRYPTED)" },
	{ FIEMAP_EXTENT_NOT_ALIGNED, "it is not block aligned (NOT_ALIGNED)" },
	{ FIEMAP_EXTENT_DATA_INLINE, "its data is inline in metadata (DATA_INLINE)" },
	{ FIEMAP_EXTENT_DATA_TAIL, "it shares a block with other files (DATA_TAIL)" },
	{ FIEMAP_EXTENT_SHARED, "it is shared with another file or snapshot (SHARED, reflink)" },
};

/*
 * The file's extents, checked: returns the count (pieces in fs-device
 * bytes), -1 after a refusal.  *unwritten gets whether any extent is
 * UNWRITTEN (the caller zero-fills them and asks again).
 */
static int fiemap_read(int fd, const char *path, uint64_t size, struct piece *out, size_t max,
		       bool *unwritten)
{
	size_t cap = 512;
	struct fiemap *fm = calloc(1, sizeof(*fm) + cap * sizeof(struct fiemap_extent));
	uint64_t next = 0;
	size_t n = 0;
	bool last = false;

	*unwritten = false;
	if (fm == NULL)
		return -1;
	while (!last && next < size) {
		memset(fm, 0, sizeof(*fm));
		fm->fm_start = next;
		fm->fm_length = size - next;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = (uint32_t)cap;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) != 0) {
			fail(path, "the filesystem cannot report the file's extents (FIEMAP: %s)",
			     strerror(errno));
			free(fm);
			return -1;
		}
		if (fm->fm_mapped_extents == 0)
			break;
		for (uint32_t i = 0; i < fm->fm_mapped_extents; i++) {
			struct fiemap_extent *e = &fm->fm_extents[i];
			uint64_t len = e->fe_length;

			if (e->fe_flags & FIEMAP_EXTENT_LAST)
				last = true;
			if (e->fe_logical >= size)
				continue;
			if (e->fe_logical != next) {
				fail(path, "it is sparse: a hole at bytes %llu..%llu (remove it; the "
				     "next load makes it again)", (unsigned long long)next,
				     (unsigned long long)e->fe_logical);
				free(fm);
				return -1;
			}
			for (size_t k = 0; k < sizeof(bad_flags) / sizeof(bad_flags[0]); k++)
				if (e->fe_flags & bad_flags[k].flag) {
					fail(path, "the extent at byte %llu cannot be written by sector: "
					     "%s", (unsigned long long)e->fe_logical, bad_flags[k].why);
					free(fm);
					return -1;
				}
			if (e->fe_flags & FIEMAP_EXTENT_UNWRITTEN)
				*unwritten = true;
			if (len > size - e->fe_logical)
				len = size - e->fe_logical;
			if (n > 0 && out[n - 1].logical + out[n - 1].length == e->fe_logical &&
			    out[n - 1].physical + out[n - 1].length == e->fe_physical) {
				out[n - 1].length += len;
			} else {
				if (n >= max) {
					fail(path, "more than %zu extents, and a dump file may have "
					     "%d: %s", max, DUMPFILE_MAX_EXTENTS, FRAGMENTED);
					free(fm);
					return -1;
				}
				out[n++] = (struct piece){ e->fe_logical, e->fe_physical, len };
			}
			next = e->fe_logical + len;
		}
	}
	free(fm);
	if (next < size) {
		fail(path, "it is sparse: bytes %llu..%llu have no blocks", (unsigned long long)next,
		     (unsigned long long)size);
		return -1;
	}
	return (int)n;
}

/* Write zeros over [off, off + len) through the file. */
static int zero_fill(int fd, uint64_t off, uint64_t len)
{
	static uint8_t zeros[1 << 20];

	while (len > 0) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		ssize_t w = pwrite(fd, zeros, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return 0;
}

/* Zero every UNWRITTEN extent (FIEMAP again for their places). */
static int fill_unwritten(int fd, const char *path, uint64_t size)
{
	struct fiemap *fm = calloc(1, sizeof(*fm) + 512 * sizeof(struct fiemap_extent));
	uint64_t next = 0;
	int rc = 0;

	if (fm == NULL)
		return -1;
	while (next < size && rc == 0) {
		memset(fm, 0, sizeof(*fm));
		fm->fm_start = next;
		fm->fm_length = size - next;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = 512;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) != 0 || fm->fm_mapped_extents == 0)
			break;
		for (uint32_t i = 0; i < fm->fm_mapped_extents && rc == 0; i++) {
			struct fiemap_extent *e = &fm->fm_extents[i];

			if ((e->fe_flags & FIEMAP_EXTENT_UNWRITTEN) && e->fe_logical < size)
				rc = zero_fill(fd, e->fe_logical,
					       e->fe_length < size - e->fe_logical ? e->fe_length :
					       size - e->fe_logical);
			next = e->fe_logical + e->fe_length;
		}
	}
	free(fm);
	if (rc != 0)
		fail(path, "writing zeros over its unwritten extents failed: %s", strerror(errno));
	return rc;
}

/* ------------------------------------------------------------ the file */

/* The superblock options of the filesystem holding fd (mountinfo's field
 * after the source, for the first line with fd's st_dev), or false. */
static bool super_options(int fd, char *opts, size_t len)
{
	struct stat st;
	char line[4096], dev[32];
	bool found = false;
	FILE *f;

	if (fstat(fd, &st) != 0 || (f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return false;
	snprintf(dev, sizeof(dev), " %u:%u ", major(st.st_dev), minor(st.st_dev));
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *sep = strstr(line, " - "), *p, *src, *so;

		if (sep == NULL || (p = strstr(line, dev)) == NULL || p > sep)
			continue;
		/* " - fstype source superopts" */
		if ((src = strchr(sep + 3, ' ')) == NULL || (so = strchr(src + 1, ' ')) == NULL)
			continue;
		so++;
		so[strcspn(so, " \n")] = '\0';
		snprintf(opts, len, "%s", so);
		found = true;
	}
	fclose(f);
	return found;
}

/*
 * ext4 that journals file data (mounted data=journal, or the file's own
 * +j attribute) writes the data blocks through the journal: replaying it
 * at the next mount could put load-time blocks (markers, the header) back
 * over a dump.  Refused, with the reason.
 */
static bool ext4_data_journal(int fd, const char *path)
{
	char opts[1024], *tok, *save = NULL;
	long flags = 0;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_JOURNAL_DATA_FL)) {
		fail(path, "ext4 journals this file's data (chattr +j): a journal replay could "
		     "write old blocks over a dump; chattr -j it");
		return true;
	}
	if (!super_options(fd, opts, sizeof(opts)))
		return false;
	for (tok = strtok_r(opts, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "data=journal") == 0) {
			fail(path, "its ext4 filesystem is mounted data=journal: a journal replay "
			     "could write old blocks over a dump");
			return true;
		}
	return false;
}

/* The filesystem must keep a file's blocks where FIEMAP says. */
static int check_fs(int fd, const char *path)
{
	struct statfs sf;
	struct fsxattr fx;
	long flags = 0;

	if (fstatfs(fd, &sf) != 0) {
		fail(path, "statfs: %s", strerror(errno));
		return -1;
	}
	switch ((unsigned long)sf.f_type) {
	case EXT4_SUPER_MAGIC:		/* ext2, ext3, ext4 */
		return ext4_data_journal(fd, path) ? -1 : 0;
	case XFS_SUPER_MAGIC:
		if (ioctl(fd, FS_IOC_FSGETXATTR, &fx) == 0 && (fx.fsx_xflags & FS_XFLAG_REALTIME)) {
			fail(path, "it is an xfs realtime file: FIEMAP's offsets are on the "
			     "realtime device");
			return -1;
		}
		return 0;
	case BTRFS_SUPER_MAGIC:
		if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && !(flags & FS_NOCOW_FL)) {
			fail(path, "btrfs copy-on-write file: btrfs moves its blocks on every "
			     "write (and FIEMAP gives btrfs logical addresses, not disk sectors)");
			return -1;
		}
		fail(path, "btrfs: even a NOCOW file's FIEMAP addresses are btrfs logical "
		     "addresses, not disk sectors (chunk mapping); not supported");
		return -1;
	default:
		fail(path, "its filesystem (statfs type 0x%lx) is not one postmortem knows to "
		     "keep a file's blocks in place (ext2/3/4, xfs)", (unsigned long)sf.f_type);
		return -1;
	}
}

/*
 * Open the dump file the way nobody else can have a hand in it (see
 * docs/dump-file.md, "Who may own it"): its directory owned by root or
 * by us and not writable by others unless sticky; the file opened from
 * that directory without following a link, a regular file of ours with
 * one link and no access for group or others (a descriptor opened while
 * it was readable would read every later dump; a chmod does not close it).
 * Creates it 0600 unless dry_run.  The fd, -2 when dry_run and it does not
 * exist, or -1 after a message.
 */
static int open_owned(const char *path, bool dry_run, struct stat *st)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/'), *base = slash != NULL ? slash + 1 : path;
	struct stat ds;
	int dfd, fd;

	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		fail(path, "names a directory, not a file");
		return -1;
	}
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir)) {
		fail(path, "path too long");
		return -1;
	} else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &ds) != 0) {
		fail(path, "cannot open its directory %s: %s", dir, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	if (ds.st_uid != 0 && ds.st_uid != geteuid()) {
		fail(path, "its directory %s belongs to uid %u, neither root nor uid %u: its owner "
		     "could swap the file for another", dir, (unsigned)ds.st_uid,
		     (unsigned)geteuid());
		close(dfd);
		return -1;
	}
	if ((ds.st_mode & (S_IWGRP | S_IWOTH)) && !(ds.st_mode & S_ISVTX)) {
		fail(path, "its directory %s is writable by others (mode %04o, no sticky bit): "
		     "anyone there could remove or replace the file", dir,
		     (unsigned)(ds.st_mode & 07777));
		close(dfd);
		return -1;
	}
	fd = openat(dfd, base, (dry_run ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC | O_NOFOLLOW |
		    O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0) {
		int e = errno;

		close(dfd);
		if (dry_run && e == ENOENT)
			return -2;
		if (e == ELOOP)
			fail(path, "a symbolic link: name the file itself");
		else
			fail(path, "cannot open it: %s", strerror(e));
		return -1;
	}
	close(dfd);
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		fail(path, "not a regular file");
	} else if (st->st_uid != geteuid()) {
		fail(path, "it belongs to uid %u, not to uid %u that loads it: its owner could read "
		     "the dumps (remove it; load makes a new one)", (unsigned)st->st_uid,
		     (unsigned)geteuid());
	} else if (st->st_nlink != 1) {
		fail(path, "it has %lu hard links: another name could read the dumps or free its "
		     "blocks (remove the other names, or name a new file)",
		     (unsigned long)st->st_nlink);
	} else if (st->st_mode & 077) {
		fail(path, "mode %04o: group or others may open it, and a descriptor opened now "
		     "would read every later dump (remove it; load makes a new one, mode 0600)",
		     (unsigned)(st->st_mode & 07777));
	} else if (!dry_run && (st->st_mode & 07777) != 0600 && fchmod(fd, 0600) != 0) {
		fail(path, "chmod 0600: %s", strerror(errno));
	} else {
		int fl = fcntl(fd, F_GETFL);

		if (fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0)
			return fd;
		fail(path, "fcntl: %s", strerror(errno));
	}
	close(fd);
	return -1;
}

/* Our header in an existing file: 0 ours (h filled), -1 refused. */
static int check_existing(int fd, const char *path, bool force, struct dumpfile_header *h)
{
	uint8_t head[DUMPFILE_HEADER_OFFSET + DUMPFILE_HEADER_SIZE];
	const char *why;
	int r;

	if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head)) {
		fail(path, "it exists and is not a postmortem dump file (too short)");
		return -1;
	}
	r = dumpfile_header_decode(head + DUMPFILE_HEADER_OFFSET, DUMPFILE_HEADER_SIZE, h, &why);
	if (r == -ENODATA) {
		fail(path, "it exists and is not a postmortem dump file (no PMDUMPFL header at "
		     "byte 512): never overwritten; name a new path");
		return -1;
	}
	if (r != 0) {
		fail(path, "%s (remove it to start again)", why);
		return -1;
	}
	if (h->state == DUMPFILE_WRITTEN && !force) {
		fail(path, "it holds a dump not yet saved: `postmortem savecore --from-file %s -o "
		     "VMCORE --clear` first (or --force to overwrite it)", path);
		return -1;
	}
	return 0;
}

static int write_all(int fd, const void *b, size_t len, uint64_t off)
{
	return pwrite(fd, b, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

/* Marker blocks, the header, the dump headers' places zeroed; fsync. */
static int write_layout(int fd, const struct handoff_dump_file *r, const struct dumpfile_extent *ext,
			size_t n, const struct dumpfile_geom *g, const struct dumpfile_totals *t)
{
	static uint8_t block[DUMPFILE_BLOCK];
	struct dumpfile_header h;
	struct dumpfile_cursor cur = { 0 };
	struct dumpfile_segment s;
	struct dumpfile_run run;
	uint8_t zero[DUMPFILE_BLOCK] = { 0 };

	while (dumpfile_segment_next(ext, n, g, &cur, &s) == 0) {
		memset(block, 0, sizeof(block));
		dumpfile_marker_encode(r->nonce, &s, g->sector_size, block, sizeof(block));
		if (s.index == 0) {
			memset(&h, 0, sizeof(h));
			h.state = DUMPFILE_READY;
			h.sector_size = g->sector_size;
			memcpy(h.nonce, r->nonce, sizeof(h.nonce));
			h.file_size = r->file_size;
			h.extent_count = (uint32_t)n;
			h.stride = g->stride;
			h.segments = t->segments;
			h.dump_offset = DUMPFILE_BLOCK;
			h.dump_sectors = t->dump_sectors;
			h.loaded = h.changed = (uint64_t)time(NULL);
			dumpfile_header_encode(&h, block + DUMPFILE_HEADER_OFFSET,
					       DUMPFILE_HEADER_SIZE);
		}
		if (write_all(fd, block, sizeof(block), s.file_sector * g->sector_size) != 0)
			return -1;
	}
	/* the leading and trailing dump headers' sectors: no stale dump survives a load */
	if (dumpfile_map(ext, n, g, 0, &run) != 0 ||
	    write_all(fd, zero, g->sector_size, run.file_sector * g->sector_size) != 0 ||
	    dumpfile_map(ext, n, g, t->dump_sectors - 1, &run) != 0 ||
	    write_all(fd, zero, g->sector_size, run.file_sector * g->sector_size) != 0)
		return -1;
	return fsync(fd);
}

/* Read every marker back from the raw disk, past its page cache. */
static int verify_raw(const char *path, const struct disk *d, const struct handoff_dump_file *r,
		      const struct dumpfile_extent *ext, size_t n, const struct dumpfile_geom *g,
		      bool test_root)
{
	char node[96];
	struct dumpfile_cursor cur = { 0 };
	struct dumpfile_segment s;
	void *buf;
	const char *why;
	int fd;
	unsigned ok = 0;

	struct stat st;

	/* /dev/block/M:m (udev), else /dev/NAME; either must be this device */
	snprintf(node, sizeof(node), "/dev/block/%u:%u", d->major, d->minor);
	if (stat(node, &st) != 0 || !S_ISBLK(st.st_mode) ||
	    st.st_rdev != makedev(d->major, d->minor))
		snprintf(node, sizeof(node), "/dev/%s", d->name);
	if (stat(node, &st) == 0 && (!S_ISBLK(st.st_mode) ||
				     st.st_rdev != makedev(d->major, d->minor))) {
		errno = ENODEV;
		fd = -1;
	} else {
		fd = open(node, O_RDONLY | O_DIRECT | O_CLOEXEC);
	}
	if (fd < 0) {
		if (test_root) {
			printf("%s: note: %s (%s) cannot be opened (%s): markers not read back\n",
			       TOOL, node, d->name, strerror(errno));
			return 0;
		}
		fail(path, "cannot open %s (%s) to read the markers back: %s", node, d->name,
		     strerror(errno));
		return -1;
	}
	if (posix_memalign(&buf, DUMPFILE_BLOCK, DUMPFILE_BLOCK) != 0) {
		close(fd);
		return -1;
	}
	while (dumpfile_segment_next(ext, n, g, &cur, &s) == 0) {
		if (pread(fd, buf, DUMPFILE_BLOCK, (off_t)(s.device_sector * g->sector_size)) !=
		    DUMPFILE_BLOCK ||
		    dumpfile_marker_check(buf, DUMPFILE_BLOCK, r->nonce, &s, g->sector_size,
					  &why) != 0) {
			fail(path, "marker %u is not at sector %llu of %s when read from the disk "
			     "(%s): the mapping is wrong; nothing loaded", s.index,
			     (unsigned long long)s.device_sector, d->name,
			     why != NULL ? why : strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		ok++;
	}
	free(buf);
	close(fd);
	printf("%s: read %u markers back from %s\n", TOOL, ok, node);
	return 0;
}

/* FIEMAP -> pieces on the disk -> sectors. */
static int map_file(int fd, const char *path, const char *sys, uint64_t size, dev_t dev,
		    struct mapper *m, struct piece *fsp, bool *unwritten)
{
	int nf = fiemap_read(fd, path, size, fsp, MAX_PIECES, unwritten);

	if (nf < 0)
		return -1;
	m->sys = sys;
	m->path = path;
	m->n = 0;
	m->have_disk = false;
	for (int i = 0; i < nf; i++)
		if (map_range(m, major(dev), minor(dev), fsp[i].logical, fsp[i].physical,
			      fsp[i].length, 0) != 0)
			return -1;
	return 0;
}

static int to_extents(const char *path, const struct mapper *m, uint32_t ss,
		      struct dumpfile_extent *ext, size_t *n)
{
	if (m->n > DUMPFILE_MAX_EXTENTS) {
		fail(path, "%zu extents, more than the %d a dump file may have (what the handoff "
		     "record holds): %s", m->n, DUMPFILE_MAX_EXTENTS, FRAGMENTED);
		return -1;
	}
	for (size_t i = 0; i < m->n; i++)
		if (m->out[i].length <= DUMPFILE_BLOCK) {
			fail(path, "extent %zu (file bytes %llu..%llu) is only %llu bytes, and every "
			     "extent starts with a %u-byte marker block and needs room for the dump "
			     "after it: %s", i, (unsigned long long)m->out[i].logical,
			     (unsigned long long)(m->out[i].logical + m->out[i].length),
			     (unsigned long long)m->out[i].length, DUMPFILE_BLOCK, FRAGMENTED);
			return -1;
		}
	for (size_t i = 0; i < m->n; i++) {
		if (m->out[i].physical % ss || m->out[i].length % ss) {
			fail(path, "an extent at byte %llu is not aligned to the disk's %u-byte "
			     "sectors", (unsigned long long)m->out[i].logical, ss);
			return -1;
		}
		ext[i].start = m->out[i].physical / ss;
		ext[i].count = m->out[i].length / ss;
	}
	*n = m->n;
	return 0;
}

/*
 * The part of the file this load allocated (from byte `from`) may end in
 * extents too short for a marker block and data: the last blocks landed in
 * a small hole of a fragmented filesystem.  Cut them off (whole 4 KiB
 * blocks, never below MIN_SIZE) rather than refuse the file.  1 when
 * cut (the caller maps it again), 0 when not, -1 after a refusal.
 */
static int trim_tail(int fd, const char *path, uint64_t *size, const struct mapper *m,
		     uint64_t from)
{
	uint64_t cut = 0;
	size_t k = m->n;

	while (k > 1 && m->out[k - 1].length <= DUMPFILE_BLOCK && m->out[k - 1].logical >= from &&
	       *size - cut - m->out[k - 1].length >= MIN_SIZE)
		cut += m->out[--k].length;
	if (cut == 0 || cut % DUMPFILE_BLOCK != 0)
		return 0;
	if (ftruncate(fd, (off_t)(*size - cut)) != 0 || fsync(fd) != 0) {
		fail(path, "cutting off its last %llu bytes failed: %s", (unsigned long long)cut,
		     strerror(errno));
		return -1;
	}
	printf("%s: %s: its last %llu bytes got %zu extent%s too short for a marker block and "
	       "data (a fragmented filesystem): cut to %llu bytes\n", TOOL, path,
	       (unsigned long long)cut, m->n - k, m->n - k == 1 ? "" : "s",
	       (unsigned long long)(*size - cut));
	*size -= cut;
	return 1;
}

int dumpfile_load(const struct dumpfile_opts *o)
{
	const char *sys = o->sysfs != NULL ? o->sysfs : "/sys";
	struct piece *fsp = calloc(MAX_PIECES, sizeof(*fsp));
	struct piece *pieces = calloc(MAX_PIECES, sizeof(*pieces));
	struct dumpfile_extent *ext = calloc(DUMPFILE_MAX_EXTENTS, sizeof(*ext));
	struct dumpfile_extent *again = calloc(DUMPFILE_MAX_EXTENTS, sizeof(*again));
	struct mapper m = { .out = pieces };
	struct handoff_dump_file rec;
	struct dumpfile_header old;
	struct dumpfile_geom g;
	struct dumpfile_totals t;
	struct stat st;
	uint64_t size = 0, ss64 = 0, disk512 = 0;
	size_t n = 0, n2 = 0;
	bool fresh, unwritten, grown = false;
	const char *why;
	int fd = -1, rc = -1;

	memset(&rec, 0, sizeof(rec));
	if (fsp == NULL || pieces == NULL || ext == NULL || again == NULL)
		goto out;
	if (o->size != NULL && strcmp(o->size, "auto") != 0) {
		size = parse_size(o->size);
		if (size < MIN_SIZE || size % DUMPFILE_BLOCK) {
			fail(o->path, "--size '%s': want a multiple of 4 KiB of at least 4M, or auto",
			     o->size);
			goto out;
		}
	}
	fd = open_owned(o->path, o->dry_run, &st);
	if (fd == -1)
		goto out;
	if (fd < 0) {
		fd = -1;
		printf("%s: dry run: %s does not exist; a load makes it %llu bytes\n", TOOL, o->path,
		       (unsigned long long)(size ? size : dumpfile_auto_size(NULL)));
		rc = 0;
		goto out;
	}
	if (check_fs(fd, o->path) != 0)
		goto out;
	fresh = st.st_size == 0;
	if (!fresh && check_existing(fd, o->path, o->force, &old) != 0)
		goto out;
	if (size == 0)
		size = fresh || (o->size != NULL) ? dumpfile_auto_size(NULL) : (uint64_t)st.st_size;
	if (!o->dry_run) {
		if (size < (uint64_t)st.st_size && ftruncate(fd, (off_t)size) != 0) {
			fail(o->path, "cannot shrink it: %s", strerror(errno));
			goto out;
		}
		/* a new file refused from here on is emptied again (out:) */
		grown = fresh;
		/* only what is new: a hole in a reused file is refused below, never filled */
		if (size > (uint64_t)st.st_size &&
		    fallocate(fd, 0, (off_t)st.st_size, (off_t)(size - (uint64_t)st.st_size)) != 0 &&
		    (errno != EOPNOTSUPP || zero_fill(fd, (uint64_t)st.st_size,
						      size - (uint64_t)st.st_size) != 0)) {
			fail(o->path, "allocating %llu bytes failed: %s", (unsigned long long)size,
			     strerror(errno));
			goto out;
		}
		if (fsync(fd) != 0) {
			fail(o->path, "fsync: %s", strerror(errno));
			goto out;
		}
	} else if ((uint64_t)st.st_size != size) {
		printf("%s: dry run: %s is %llu bytes; a load makes it %llu\n", TOOL, o->path,
		       (unsigned long long)st.st_size, (unsigned long long)size);
		size = (uint64_t)st.st_size;
	}
	if (map_file(fd, o->path, sys, size, st.st_dev, &m, fsp, &unwritten) != 0)
		goto out;
	if (unwritten && !o->dry_run) {
		if (fill_unwritten(fd, o->path, size) != 0 || fsync(fd) != 0 ||
		    map_file(fd, o->path, sys, size, st.st_dev, &m, fsp, &unwritten) != 0)
			goto out;
	}
	if (unwritten) {
		fail(o->path, "extents stay UNWRITTEN after zeros were written over them");
		goto out;
	}
	if (!o->dry_run && size > (uint64_t)st.st_size) {
		int cut = trim_tail(fd, o->path, &size, &m, (uint64_t)st.st_size);

		if (cut < 0 || (cut > 0 && map_file(fd, o->path, sys, size, st.st_dev, &m, fsp,
						     &unwritten) != 0))
			goto out;
	}
	/* the disk */
	if (read_u64(m.disk.dir, "queue/logical_block_size", &ss64) != 0)
		ss64 = 512;
	if (read_u64(m.disk.dir, "size", &disk512) != 0)
		disk512 = 0;
	if (dumpfile_geom_init(&g, (uint32_t)ss64, DUMPFILE_STRIDE) != 0) {
		fail(o->path, "%s has %llu-byte sectors (postmortem writes 512 .. 4096)",
		     m.disk.name, (unsigned long long)ss64);
		goto out;
	}
	if (to_extents(o->path, &m, g.sector_size, ext, &n) != 0)
		goto out;
	identify(&m.disk, &rec, sys);
	rec.sector_size = g.sector_size;
	rec.stride = g.stride;
	rec.disk_sectors = disk512 * 512 / g.sector_size;
	rec.file_size = size;
	snprintf(rec.path, sizeof(rec.path), "%s", o->path);
	if (dumpfile_extents_check(ext, n, &g, rec.disk_sectors, &t, &why) != 0) {
		fail(o->path, "its extents cannot hold a dump: %s", why);
		goto out;
	}
	if (rec.disk_kind == HANDOFF_DISK_OTHER)
		printf("%s: note: %s is not an NVMe, virtio-blk or AHCI disk: the crash kernel "
		       "will find no disk to match and write nothing%s\n", TOOL, m.disk.name,
		       m.disk.loop ? " (a loop device)" : "");
	if (o->dry_run) {
		printf("%s: dry run: %s: %llu bytes, %zu extents on %s, %llu segments; nothing "
		       "written\n", TOOL, o->path, (unsigned long long)size, n, m.disk.name,
		       (unsigned long long)t.segments);
		rc = 0;
		goto out;
	}
	if (getrandom(rec.nonce, sizeof(rec.nonce), 0) != (ssize_t)sizeof(rec.nonce)) {
		fail(o->path, "getrandom: %s", strerror(errno));
		goto out;
	}
	if (write_layout(fd, &rec, ext, n, &g, &t) != 0) {
		fail(o->path, "writing its markers and header failed: %s", strerror(errno));
		goto out;
	}
	/* nothing moved while we wrote */
	if (map_file(fd, o->path, sys, size, st.st_dev, &m, fsp, &unwritten) != 0 ||
	    to_extents(o->path, &m, g.sector_size, again, &n2) != 0)
		goto out;
	if (n2 != n || memcmp(again, ext, n * sizeof(*ext)) != 0 || unwritten) {
		fail(o->path, "its extents changed while the markers were written");
		goto out;
	}
	if (verify_raw(o->path, &m.disk, &rec, ext, n, &g, strcmp(sys, "/sys") != 0) != 0)
		goto out;
	/* the record's payload for handoff create */
	{
		FILE *f = fopen(o->record_out, "wb");
		struct handoff_dump_file h = rec;
		int ok;

		h.head_size = sizeof(h);
		h.extent_size = sizeof(*ext);
		h.extent_count = (uint32_t)n;
		ok = f != NULL && fwrite(&h, sizeof(h), 1, f) == 1 &&
		     fwrite(ext, sizeof(*ext), n, f) == n;
		if (f != NULL)
			ok = fclose(f) == 0 && ok;
		if (!ok) {
			fail(o->path, "cannot write %s: %s", o->record_out, strerror(errno));
			goto out;
		}
	}
	printf("%s: dump file %s: %llu MiB, %zu extent%s on %s (%s%s%s), %llu MiB for the "
	       "dump, state ready\n", TOOL, o->path, (unsigned long long)(size >> 20), n,
	       n == 1 ? "" : "s", m.disk.name, handoff_disk_kind_name(rec.disk_kind),
	       rec.serial[0] ? ", serial " : "", rec.serial,
	       (unsigned long long)(t.dump_sectors * g.sector_size >> 20));
	rc = 0;
out:
	/* a refused new file keeps no blocks: the next load starts it afresh */
	if (rc != 0 && grown && ftruncate(fd, 0) == 0)
		fprintf(stderr, "%s: dump file %s: its blocks freed again (left empty)\n", TOOL,
			o->path);
	if (fd >= 0)
		close(fd);
	free(fsp);
	free(pieces);
	free(ext);
	free(again);
	return rc;
}

int dumpfile_record_read(const char *path, struct dumpfile_record *r)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(sizeof(struct handoff_dump_file) +
			    DUMPFILE_MAX_EXTENTS * sizeof(struct dumpfile_extent) + 1);
	size_t len;
	const char *why = NULL;
	int err = -1;

	memset(r, 0, sizeof(*r));
	r->ext = calloc(DUMPFILE_MAX_EXTENTS, sizeof(*r->ext));
	if (f != NULL && b != NULL && r->ext != NULL) {
		len = fread(b, 1, sizeof(struct handoff_dump_file) +
			    DUMPFILE_MAX_EXTENTS * sizeof(struct dumpfile_extent) + 1, f);
		struct handoff_record rec = { HANDOFF_TYPE_DUMP_FILE, 0, len, 0, b };

		err = handoff_get_dump_file(&rec, &r->head, r->ext, DUMPFILE_MAX_EXTENTS, &r->n,
					    &why);
	}
	if (f != NULL)
		fclose(f);
	free(b);
	if (err != 0) {
		fprintf(stderr, "postmortem: %s: not a dump-file record: %s\n", path,
			why != NULL ? why : strerror(errno));
		free(r->ext);
		r->ext = NULL;
		return -1;
	}
	return 0;
}

int dumpfile_status(const char *handoff_path)
{
	FILE *f = fopen(handoff_path, "rb");
	static uint8_t block[1 << 20];
	struct dumpfile_extent *ext = calloc(DUMPFILE_MAX_EXTENTS, sizeof(*ext));
	struct handoff_record rec;
	struct handoff_dump_file h;
	struct dumpfile_header fh;
	uint8_t head[DUMPFILE_HEADER_OFFSET + DUMPFILE_HEADER_SIZE];
	size_t len = 0, cur = 0, n = 0;
	const char *why = NULL;
	bool found = false;
	int fd;

	if (f != NULL) {
		len = fread(block, 1, sizeof(block), f);
		fclose(f);
	}
	if (ext == NULL || len == 0 || handoff_verify(block, len, NULL) != 0) {
		free(ext);
		return 0;	/* no block: status() said what is loaded */
	}
	while (!found && handoff_next(block, len, &cur, &rec) == 0)
		found = rec.type == HANDOFF_TYPE_DUMP_FILE;
	if (!found) {
		printf("dump file: none (in %s)\n", handoff_path);
		free(ext);
		return 0;
	}
	if (handoff_get_dump_file(&rec, &h, ext, DUMPFILE_MAX_EXTENTS, &n, &why) != 0) {
		printf("dump file: the record in %s is malformed: %s\n", handoff_path, why);
		free(ext);
		return 1;
	}
	h.path[sizeof(h.path) - 1] = '\0';
	h.serial[sizeof(h.serial) - 1] = '\0';
	printf("dump file: %s, %llu MiB, %zu extent%s on a %s disk%s%s\n", h.path,
	       (unsigned long long)(h.file_size >> 20), n, n == 1 ? "" : "s",
	       handoff_disk_kind_name(h.disk_kind), h.serial[0] ? ", serial " : "", h.serial);
	fd = open(h.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    dumpfile_header_decode(head + DUMPFILE_HEADER_OFFSET, DUMPFILE_HEADER_SIZE, &fh,
				   &why) != 0) {
		printf("dump file: cannot read its header: %s\n",
		       fd < 0 ? strerror(errno) : why != NULL ? why : "too short");
	} else {
		printf("dump file: state %s%s\n", dumpfile_state_name(fh.state),
		       memcmp(fh.nonce, h.nonce, sizeof(h.nonce)) != 0 ?
		       " (but made by another load than the loaded block's: load again)" : "");
	}
	if (fd >= 0)
		close(fd);
	free(ext);
	return 0;
}
