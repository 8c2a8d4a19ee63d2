/*
 * The streaming file writer: fat_create, fat_write, fat_close, fat_abort.
 * Interface in formats/fat.h; the write order is fat_write.c's (data,
 * FAT, entries, FSInfo, flush) and docs/fat.md argues it.
 *
 * Data goes straight from the caller's buffer to runs of free clusters,
 * as long and as few as the free space allows (one blkdev_write per run);
 * only a partial cluster waits in the volume's scratch.  Each run's FAT
 * entries are set after its data is written, so no FAT entry can reach
 * the disk before the data it covers; nothing points at the chain until
 * fat_close writes the directory entry.  While the file is open it holds
 * back the clusters its directory will need to grow (dir_grow), so the
 * entry always has room at the end.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/blkdev.h"
#include "formats/fat.h"
#include "formats/fat_impl.h"

/* The directory part and the name of a path: split at the last separator. */
static void fat_split(const char *path, size_t *dirlen, const char **name, size_t *namelen)
{
	size_t len = strlen(path), k;

	while (len > 0 && (path[len - 1] == '/' || path[len - 1] == '\\'))
		len--;
	for (k = len; k > 0 && path[k - 1] != '/' && path[k - 1] != '\\'; k--)
		;
	*dirlen = k;
	*name = path + k;
	*namelen = len - k;
}

/* Check the name, the directory and the space; fill f from plan p. */
static int fat_create_plan(struct fat_vol *v, const char *dir, size_t dirlen, const char *name,
			   size_t namelen, uint64_t hint, struct fat_file *f)
{
	struct fat_dirent de;
	struct fat_plan p;
	uint64_t need;
	int err = fat_lookup_len(v, dir, dirlen, &de);

	if (err == 0)
		err = fat_dir_first(v, &de, &f->dir);
	if (err == 0)
		err = fat_plan(v, f->dir, name, namelen, &p);
	if (err)
		return err;
	if (hint > FAT_FILE_MAX)
		return fat_fail(v, "file larger than FAT's 4 GiB - 1 bytes", -EFBIG);
	need = (hint + v->g.cluster_size - 1) / v->g.cluster_size + p.s.grow;
	if (need > v->free_clusters)
		return fat_fail(v, p.s.grow && v->free_clusters < p.s.grow ?
			       "volume full (no cluster for the directory to grow)" :
			       "not enough free space for the file", -ENOSPC);
	memcpy(f->short_name, p.ne.short_name, sizeof(f->short_name));
	memcpy(f->lfn, p.lfn, sizeof(f->lfn));
	f->lfn_len = (uint8_t)p.ne.lfn_len;
	f->nslots = (uint8_t)p.s.need;
	f->dir_grow = p.s.grow;
	return 0;
}

int fat_create(struct fat_vol *v, const char *dir, const char *name, uint64_t size_hint,
	       struct fat_file *f)
{
	size_t dirlen, namelen;
	int err;

	if (f != NULL)
		memset(f, 0, sizeof(*f));
	if (v == NULL || dir == NULL || f == NULL || v->dev == NULL)
		return -EINVAL;
	err = fat_writable(v);
	if (err)
		return err;
	if (name == NULL) {
		fat_split(dir, &dirlen, &name, &namelen);
	} else {
		dirlen = strlen(dir);
		namelen = strlen(name);
	}
	err = fat_create_plan(v, dir, dirlen, name, namelen, size_hint, f);
	if (err)
		return err;
	f->vol = v;
	f->open = true;
	f->saved_next_free = v->next_free;
	v->busy = true;
	return 0;
}

/*
 * Put up to want whole clusters from src into one run of free clusters
 * and chain it after the file's last cluster.  *got: clusters taken.
 */
static int fat_file_run(struct fat_file *f, const uint8_t *src, uint32_t want, uint32_t *got)
{
	struct fat_vol *v = f->vol;
	uint32_t start, n, avail = v->free_clusters > f->dir_grow ? v->free_clusters - f->dir_grow : 0;
	int err;

	if (avail == 0)
		return fat_fail(v, "volume full", -ENOSPC);
	want = want < avail ? want : avail;
	want = want < FAT_RUN_MAX ? want : FAT_RUN_MAX;
	err = fat_find_run(v, want, &start, &n);
	if (err == 0)
		err = fat_dev_write(v, fat_cluster_sector(v, start), n * v->g.sec_per_clus, src);
	for (uint32_t i = 0; err == 0 && i < n; i++)
		err = fat_set(v, start + i, i + 1 < n ? start + i + 1 : fat_eoc(v));
	if (err == 0 && f->last != 0)
		err = fat_set(v, f->last, start);
	if (err)
		return err;
	if (f->first == 0)
		f->first = start;
	f->last = start + n - 1;
	f->nclusters += n;
	v->free_clusters -= n;
	*got = n;
	return 0;
}

/* Free the file's clusters again (the FAT as it was before fat_create). */
static int fat_file_release(struct fat_file *f)
{
	struct fat_vol *v = f->vol;
	uint32_t c = f->first, next;
	int err = 0;

	for (uint32_t i = 0; err == 0 && i < f->nclusters; i++) {
		err = fat_get(v, c, &next);
		if (err == 0)
			err = fat_set(v, c, 0);
		c = next;
	}
	if (err == 0)
		err = fat_fat_flush(v);
	if (err)
		return err;
	v->free_clusters += f->nclusters;
	v->next_free = f->saved_next_free;
	f->first = f->last = f->nclusters = 0;
	return 0;
}

/* A failed write: remember the error, and give the space back when it ran out. */
static int fat_file_fail(struct fat_file *f, int err)
{
	const char *why = f->vol->why;

	f->err = err;
	if (err == -ENOSPC && fat_file_release(f) == 0)
		f->vol->why = why;
	return err;
}

int fat_write(struct fat_file *f, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	struct fat_vol *v;
	uint32_t cs, got;
	int err = 0;

	if (f == NULL || !f->open || (buf == NULL && len != 0))
		return -EINVAL;
	v = f->vol;
	if (f->err)
		return fat_fail(v, "an earlier write failed", f->err);
	if (len > FAT_FILE_MAX - f->size)
		return fat_fail(v, "file would pass FAT's 4 GiB - 1 bytes", -EFBIG);
	cs = v->g.cluster_size;
	while (len > 0 && err == 0) {
		if (f->tail_len == 0 && len >= cs) {
			err = fat_file_run(f, p, (uint32_t)(len / cs), &got);
			if (err == 0) {
				p += (size_t)got * cs;
				len -= (size_t)got * cs;
				f->size += (uint64_t)got * cs;
			}
			continue;
		}
		got = len < cs - f->tail_len ? (uint32_t)len : cs - f->tail_len;
		memcpy(v->scratch + f->tail_len, p, got);
		f->tail_len += got;
		f->size += got;
		p += got;
		len -= got;
		if (f->tail_len == cs) {
			err = fat_file_run(f, v->scratch, 1, &got);
			f->tail_len = 0;
		}
	}
	return err ? fat_file_fail(f, err) : 0;
}

/* The last partial cluster, the entry, FSInfo: everything but the flush. */
static int fat_file_finish(struct fat_file *f)
{
	struct fat_vol *v = f->vol;
	struct fat_newent ne = { .lfn = f->lfn, .lfn_len = f->lfn_len, .attr = FAT_ATTR_ARCHIVE };
	struct fat_scan s = { .need = f->nslots };
	uint32_t got;
	int err = 0;

	if (f->tail_len != 0) {
		memset(v->scratch + f->tail_len, 0, v->g.cluster_size - f->tail_len);
		err = fat_file_run(f, v->scratch, 1, &got);
		f->tail_len = 0;
	}
	if (err == 0)
		err = fat_fat_flush(v);		/* data and chain before the entry */
	if (err == 0)
		err = fat_scan_dir(v, f->dir, &s);
	if (err)
		return err;
	memcpy(ne.short_name, f->short_name, sizeof(ne.short_name));
	ne.cluster = f->first;
	ne.size = (uint32_t)f->size;
	f->dir_grow = 0;
	f->linked = true;
	err = fat_commit(v, f->dir, &s, &ne);
	return err ? err : fat_fsinfo_sync(v);
}

int fat_close(struct fat_file *f)
{
	struct fat_vol *v;
	int err;

	if (f == NULL || !f->open)
		return -EINVAL;
	v = f->vol;
	err = f->err;
	if (err == 0)
		err = fat_file_finish(f);
	if (err) {
		const char *why = v->why;

		if (!f->linked)
			fat_file_release(f);	/* frees what it can; the first error is told */
		v->why = why;
	} else if ((err = blkdev_flush(v->dev)) != 0) {
		v->why = "device flush failed";
	}
	f->open = false;
	v->busy = false;
	return err;
}

int fat_abort(struct fat_file *f)
{
	int err;

	if (f == NULL || !f->open)
		return -EINVAL;
	err = fat_file_release(f);
	if (err == 0 && (err = blkdev_flush(f->vol->dev)) != 0)
		f->vol->why = "device flush failed";
	f->open = false;
	f->vol->busy = false;
	return err;
}
