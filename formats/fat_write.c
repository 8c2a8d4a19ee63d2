/*
 * Adding to a FAT volume: new directory entries (with LFN sets and unique
 * short names), directory growth, fat_mkdir_p, and the streaming file
 * writer fat_create / fat_write / fat_close.  Interface in formats/fat.h;
 * docs/fat.md argues the order.
 *
 * Write order, so that a cut anywhere leaves every existing file whole and
 * at worst some lost clusters (allocated in the FAT, owned by no entry):
 *
 *   1. file data (or a new directory's first cluster, or zeroed clusters
 *      for a directory that grows) into clusters the FAT says are free;
 *   2. the FAT entries of those clusters, every FAT copy, and only then
 *      the link from a growing directory's last cluster;
 *   3. end markers (0x00) before the new entries' slots turned into
 *      deleted (0xE5) ones, so the new entries are not hidden behind them;
 *   4. the entry set, one sector write when it fits one sector (it then
 *      appears whole or not at all), else sector by sector from the
 *      short entry backwards;
 *   5. FAT32's FSInfo free count and next-free hint; 6. blkdev_flush.
 *
 * Space is checked before the first write whenever the size is known
 * (fat_mkdir_p always, fat_create with a size hint), so -ENOSPC then
 * leaves the image byte for byte as it was.  A write that runs out of
 * space without a hint frees its clusters again (the FAT is then as it
 * was; only free clusters' contents changed).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/blkdev.h"
#include "formats/fat.h"
#include "formats/fat_impl.h"

/* ------------------------------------------------------------ scanning */

static void fat_scan_named(struct fat_scan *s, const uint8_t *e, const struct fat_dirent *de)
{
	uint8_t b[11];
	uint32_t n;

	if (!s->exists && (fat_name_eq(s->name, s->len, de->name) ||
			   fat_name_eq(s->name, s->len, de->short_name))) {
		s->exists = true;
		s->exists_attr = de->attr;
		s->exists_cluster = de->cluster;
	}
	if (memcmp(e, s->basis, 11) == 0)
		s->basis_taken = true;
	n = fat_tail_of(e, s->basis);
	if (n != 0 && n < FAT_TAIL_MAX)
		s->tails[n / 8] |= (uint8_t)(1u << (n % 8));
	/* A long name that reads like "NAME~N.EXT" takes that tail too. */
	if (de->has_long && fat_short_basis(de->name, strlen(de->name), b) != FAT_BASIS_LOSSY) {
		n = fat_tail_of(b, s->basis);
		if (n != 0 && n < FAT_TAIL_MAX)
			s->tails[n / 8] |= (uint8_t)(1u << (n % 8));
	}
}

/* A free entry at idx (sector, off): extend the current run of free slots. */
static void fat_scan_free(struct fat_vol *v, struct fat_scan *s, unsigned *run, uint32_t idx,
			  uint32_t sector, uint32_t off)
{
	/* A set that fits a sector is kept inside one, so it is written at once. */
	if (*run > 0 && s->need <= v->g.sector_size / FAT_DIRENT_SIZE &&
	    sector != s->slots[0].sector)
		*run = 0;
	if (*run == 0)
		s->run_start = idx;
	s->slots[*run].sector = sector;
	s->slots[*run].off = off;
	if (++*run == s->need)
		s->found = true;
}

/* Room for the set when no run was found: grow, or say why not. */
static int fat_scan_grow(struct fat_vol *v, uint32_t dir, struct fat_scan *s)
{
	uint32_t per = v->g.cluster_size / FAT_DIRENT_SIZE;

	if (dir == 0)
		return fat_fail(v, "root directory full (FAT12/16 give the root a fixed "
			       "BPB_RootEntCnt entries)", -ENOSPC);
	s->grow = (s->need + per - 1) / per;
	if (s->count + s->grow * per > FAT_DIR_MAX_ENTRIES)
		return fat_fail(v, "directory full (FAT allows 65536 entries)", -ENOSPC);
	s->run_start = s->count;
	return 0;
}

/* Walk the whole directory at dir (0: fixed root) once and fill s. */
int fat_scan_dir(struct fat_vol *v, uint32_t dir, struct fat_scan *s)
{
	struct fat_dir d;
	struct fat_dirent de;
	uint8_t e[FAT_DIRENT_SIZE];
	uint32_t sector, off;
	unsigned run = 0;
	bool ended = false;
	int r;

	fat_dir_begin(v, dir, &d);
	while ((r = fat_dir_next_raw(&d, e, &sector, &off)) == 1) {
		uint32_t idx = d.index - 1;

		if (e[0] == FAT_DIR_END && !ended) {
			ended = true;
			s->end = idx;
		}
		if (ended && e[0] != FAT_DIR_END)
			return fat_fail(v, "directory has entries after its end marker", -EBADMSG);
		if (e[0] == FAT_DIR_END || e[0] == FAT_DIR_FREE) {
			fat_dir_decode(&d, e, &de);
			if (!s->found)
				fat_scan_free(v, s, &run, idx, sector, off);
			continue;
		}
		run = 0;
		if (fat_dir_decode(&d, e, &de) == 1 && s->name != NULL)
			fat_scan_named(s, e, &de);
	}
	if (r < 0)
		return r;
	s->count = d.index;
	if (!ended)
		s->end = d.index;
	s->last = d.ch.cur;
	if (d.index >= FAT_DIR_MAX_ENTRIES && !s->found)
		return fat_fail(v, "directory full (FAT allows 65536 entries)", -ENOSPC);
	return s->found ? 0 : fat_scan_grow(v, dir, s);
}

/* Clusters a set of need entries adds to a new directory (two entries used). */
static uint32_t fat_fresh_grow(const struct fat_vol *v, unsigned need)
{
	uint32_t per = v->g.cluster_size / FAT_DIRENT_SIZE, eps = v->g.sector_size / FAT_DIRENT_SIZE;

	if (need <= eps)
		return need <= eps - 2 || per >= 2 * eps ? 0 : 1;
	return need <= per - 2 ? 0 : (need + per - 1) / per;
}

/* ------------------------------------------------------------ naming */

/*
 * Plan the entry set for name[0..len) in dir: name rules, short name
 * (basis and free tail), existence and slots.  Returns 0, -EEXIST (s.exists
 * tells what exists), -EINVAL, -ENAMETOOLONG, -ENOSPC or a read error.
 */
int fat_plan(struct fat_vol *v, uint32_t dir, const char *name, size_t len, struct fat_plan *p)
{
	unsigned units, n;
	int kind, err;

	memset(p, 0, sizeof(*p));
	if (fat_name_check(name, len))
		return fat_fail(v, "name is empty, \".\", \"..\", ends in a space or period, "
			       "or holds a character FAT does not allow", -EINVAL);
	err = fat_utf8_to_utf16(name, len, p->lfn, FAT_NAME_MAX, &units);
	if (err)
		return fat_fail(v, err == -EINVAL ? "name is not valid UTF-8" :
			       "name longer than 255 UTF-16 units", err);
	kind = fat_short_basis(name, len, p->ne.short_name);
	p->ne.lfn = p->lfn;
	p->ne.lfn_len = kind == FAT_BASIS_EXACT ? 0 : units;
	p->s.name = name;
	p->s.len = len;
	p->s.basis = p->ne.short_name;
	p->s.need = (p->ne.lfn_len + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS + 1;
	err = fat_scan_dir(v, dir, &p->s);
	if (p->s.exists || (kind != FAT_BASIS_LOSSY && p->s.basis_taken))
		return fat_fail(v, "name exists", -EEXIST);
	if (err)
		return err;
	if (kind != FAT_BASIS_LOSSY)
		return 0;
	for (n = 1; n < FAT_TAIL_MAX && (p->s.tails[n / 8] & (1u << (n % 8))); n++)
		;
	if (n == FAT_TAIL_MAX)
		return fat_fail(v, "no free short name (NAME~1 .. NAME~1023 all taken)", -ENOSPC);
	fat_short_tail(p->ne.short_name, n);
	return 0;
}

/* ------------------------------------------------------------ entries */

static uint16_t fat_date(const struct fat_vol *v)
{
	return v->date ? v->date : fat_pack_date(1980, 1, 1);
}

/* The set in directory order: LFN entries (highest ordinal first), then the short entry. */
static unsigned fat_build_set(const struct fat_vol *v, const struct fat_newent *ne, uint8_t *out)
{
	unsigned nl = (ne->lfn_len + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS;
	uint8_t sum = fat_lfn_checksum(ne->short_name), *e;

	memset(out, 0, (size_t)(nl + 1) * FAT_DIRENT_SIZE);
	for (unsigned i = 0; i < nl; i++) {
		unsigned ord = nl - i;

		e = out + (size_t)i * FAT_DIRENT_SIZE;
		e[offsetof(struct fat_lfn_raw, ord)] = (uint8_t)(ord | (i == 0 ? FAT_LFN_LAST : 0));
		e[offsetof(struct fat_lfn_raw, attr)] = FAT_ATTR_LONG_NAME;
		e[offsetof(struct fat_lfn_raw, chksum)] = sum;
		for (unsigned k = 0; k < FAT_LFN_CHARS; k++) {
			unsigned u = (ord - 1) * FAT_LFN_CHARS + k;	/* after the end: 0, then 0xFFFF */

			le_put16(e + fat_lfn_unit_at[k], u < ne->lfn_len ? ne->lfn[u] :
				  u == ne->lfn_len ? 0 : 0xffff);
		}
	}
	e = out + (size_t)nl * FAT_DIRENT_SIZE;
	memcpy(e, ne->short_name, 11);
	e[offsetof(struct fat_dirent_raw, attr)] = ne->attr;
	le_put16(e + offsetof(struct fat_dirent_raw, crt_time), v->time);
	le_put16(e + offsetof(struct fat_dirent_raw, crt_date), fat_date(v));
	le_put16(e + offsetof(struct fat_dirent_raw, lst_acc_date), fat_date(v));
	le_put16(e + offsetof(struct fat_dirent_raw, fst_clus_hi), v->g.type == 32 ? ne->cluster >> 16 : 0);
	le_put16(e + offsetof(struct fat_dirent_raw, wrt_time), v->time);
	le_put16(e + offsetof(struct fat_dirent_raw, wrt_date), fat_date(v));
	le_put16(e + offsetof(struct fat_dirent_raw, fst_clus_lo), ne->cluster & 0xffff);
	le_put32(e + offsetof(struct fat_dirent_raw, file_size), ne->size);
	return nl + 1;
}

/* Write the set: per sector, the sector holding the short entry first. */
static int fat_write_set(struct fat_vol *v, const struct fat_slot *slots, unsigned n,
			 const uint8_t *ents)
{
	while (n > 0) {
		uint32_t sector = slots[n - 1].sector;
		int err = fat_sec_load(v, sector);

		if (err)
			return err;
		for (; n > 0 && slots[n - 1].sector == sector; n--)
			memcpy(v->sec_buf + slots[n - 1].off, ents + (size_t)(n - 1) * FAT_DIRENT_SIZE,
			       FAT_DIRENT_SIZE);
		err = fat_sec_store(v);
		if (err)
			return err;
	}
	return 0;
}

/* Entries [from, to) of dir that are end markers become deleted ones (via scratch). */
static int fat_unmark_end(struct fat_vol *v, uint32_t dir, uint32_t from, uint32_t to)
{
	struct fat_dir d;
	uint8_t e[FAT_DIRENT_SIZE];
	uint32_t sector, off, pending = 0;
	bool have = false;
	int r, err;

	if (from >= to)
		return 0;
	fat_dir_begin(v, dir, &d);
	while (d.index < to && (r = fat_dir_next_raw(&d, e, &sector, &off)) == 1) {
		if (d.index - 1 < from)
			continue;
		if (!have || sector != pending) {
			if (have && (err = fat_dev_write(v, pending, 1, v->scratch)) != 0)
				return err;
			memcpy(v->scratch, v->sec_buf, v->g.sector_size);
			pending = sector;
			have = true;
		}
		if (e[0] == FAT_DIR_END)
			v->scratch[off] = FAT_DIR_FREE;
	}
	if (d.index < to)
		return r < 0 ? r : fat_fail(v, "directory shrank while being written", -EIO);
	return have ? fat_dev_write(v, pending, 1, v->scratch) : 0;
}

/* Take n free clusters for a growing directory: zeroed, chained, linked after last. */
static int fat_dir_grow(struct fat_vol *v, uint32_t last, uint32_t n, uint32_t *added)
{
	uint32_t c, got;
	int err;

	memset(v->scratch, 0, v->g.cluster_size);
	for (uint32_t i = 0; i < n; i++) {
		err = fat_find_run(v, 1, &c, &got);
		if (err == 0)
			err = fat_dev_write(v, fat_cluster_sector(v, c), v->g.sec_per_clus, v->scratch);
		if (err == 0)
			err = fat_set(v, c, fat_eoc(v));
		if (err == 0 && i > 0)
			err = fat_set(v, added[i - 1], c);
		if (err)
			return err;
		added[i] = c;
		v->free_clusters--;
	}
	err = fat_fat_flush(v);		/* the new chain on disk before the link to it */
	if (err == 0)
		err = fat_set(v, last, added[0]);
	return err ? err : fat_fat_flush(v);
}

/* Add the set ne to dir at the place scan s found (growing dir first if it must). */
int fat_commit(struct fat_vol *v, uint32_t dir, struct fat_scan *s, const struct fat_newent *ne)
{
	uint8_t ents[FAT_SET_MAX * FAT_DIRENT_SIZE];
	uint32_t added[2], per = v->g.cluster_size / FAT_DIRENT_SIZE;
	unsigned n = fat_build_set(v, ne, ents);
	int err;

	if (n != s->need || (!s->found && (s->grow == 0 || s->grow > 2)))
		return fat_fail(v, "internal: entry set does not match its plan", -EINVAL);
	if (!s->found) {
		if (v->free_clusters < s->grow)
			return fat_fail(v, "volume full (no cluster for the directory to grow)", -ENOSPC);
		err = fat_dir_grow(v, s->last, s->grow, added);
		if (err)
			return err;
		for (unsigned i = 0; i < n; i++) {
			uint32_t rel = (i % per) * FAT_DIRENT_SIZE;

			s->slots[i].sector = fat_cluster_sector(v, added[i / per]) + rel / v->g.sector_size;
			s->slots[i].off = rel % v->g.sector_size;
		}
	}
	err = fat_unmark_end(v, dir, s->end, s->run_start);
	return err ? err : fat_write_set(v, s->slots, n, ents);
}

/* ------------------------------------------------------------ mkdir */

/* Common checks of every write entry point; counts free clusters. */
int fat_writable(struct fat_vol *v)
{
	if (v->busy)
		return fat_fail(v, "a file is open for writing on this volume", -EBUSY);
	if (v->scratch == NULL || v->scratch_len < v->g.cluster_size)
		return fat_fail(v, "scratch buffer smaller than a cluster: cannot write", -EINVAL);
	return fat_count_free(v);
}

/* Make directory name[0..len) in parent; *made gets its cluster. */
static int fat_mkdir_one(struct fat_vol *v, const struct fat_dirent *parent, const char *name,
			 size_t len, uint32_t *made)
{
	struct fat_newent dot = { .attr = FAT_ATTR_DIRECTORY };
	struct fat_plan p;
	uint32_t dir, c, got;
	int err = fat_dir_first(v, parent, &dir);

	if (err == 0)
		err = fat_plan(v, dir, name, len, &p);
	if (err == 0 && v->free_clusters < 1 + p.s.grow)
		err = fat_fail(v, "volume full", -ENOSPC);
	if (err == 0)
		err = fat_find_run(v, 1, &c, &got);
	if (err)
		return err;
	/* ".": this directory; "..": the parent, 0 when that is the root (also on FAT32). */
	memset(v->scratch, 0, v->g.cluster_size);
	memcpy(dot.short_name, ".          ", 11);
	dot.cluster = c;
	fat_build_set(v, &dot, v->scratch);
	memcpy(dot.short_name, "..         ", 11);
	dot.cluster = parent->root ? 0 : dir;
	fat_build_set(v, &dot, v->scratch + FAT_DIRENT_SIZE);
	err = fat_dev_write(v, fat_cluster_sector(v, c), v->g.sec_per_clus, v->scratch);
	if (err == 0)
		err = fat_set(v, c, fat_eoc(v));
	if (err == 0)
		err = fat_fat_flush(v);
	if (err)
		return err;
	v->free_clusters--;
	p.ne.attr = FAT_ATTR_DIRECTORY;
	p.ne.cluster = c;
	*made = c;
	err = fat_commit(v, dir, &p.s, &p.ne);
	return err ? err : fat_fsinfo_sync(v);
}

/*
 * Clusters that creating the components from p on takes: the first in
 * parent (its plan: the parent may have to grow), each later one in a new
 * directory.  Directories take one cluster each; the last component takes
 * file_clusters instead when that is not FAT_NOT_A_FILE.
 */
#define FAT_NOT_A_FILE	UINT32_MAX
static int fat_need(struct fat_vol *v, const struct fat_dirent *parent, const char *p,
		    const char *end, uint32_t file_clusters, uint32_t *need)
{
	struct fat_plan plan;
	uint32_t dir;
	size_t len;
	int err = fat_dir_first(v, parent, &dir);

	p = fat_next_component(p, end, &len);
	if (err == 0)
		err = fat_plan(v, dir, p, len, &plan);
	if (err)
		return err;
	*need = plan.s.grow;
	for (;;) {
		unsigned units;
		uint8_t b[11];

		p += len;
		if ((p = fat_next_component(p, end, &len)) == NULL)
			break;
		*need += 1;	/* the directory before this component */
		if (fat_name_check(p, len))
			return fat_fail(v, "a name is empty, \".\", \"..\", ends in a space or "
				       "period, or holds a character FAT does not allow", -EINVAL);
		err = fat_utf8_to_utf16(p, len, plan.lfn, FAT_NAME_MAX, &units);
		if (err)
			return fat_fail(v, "a name is not UTF-8 or longer than 255 units", err);
		if (fat_short_basis(p, len, b) == FAT_BASIS_EXACT)
			units = 0;
		*need += fat_fresh_grow(v, (units + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS + 1);
	}
	*need += file_clusters == FAT_NOT_A_FILE ? 1 : file_clusters;
	return 0;
}

/*
 * Walk the components of [path, end) that exist: *cur the last one found,
 * *rest the first missing component (NULL when all exist).  -ENOTDIR when
 * a component before the last is a file.
 */
static int fat_walk(struct fat_vol *v, const char *path, const char *end, struct fat_dirent *cur,
		    const char **rest)
{
	struct fat_dirent next;
	const char *p;
	uint32_t dir;
	size_t len;
	int err;

	fat_root_entry(v, cur);
	for (p = path; (p = fat_next_component(p, end, &len)) != NULL; p += len) {
		if (len == 1 && p[0] == '.')
			continue;
		if (!(cur->attr & FAT_ATTR_DIRECTORY))
			return fat_fail(v, "a path component is a file, not a directory", -ENOTDIR);
		err = fat_dir_first(v, cur, &dir);
		if (err == 0)
			err = fat_find_in(v, dir, p, len, &next);
		if (err == -ENOENT)
			break;
		if (err)
			return err;
		*cur = next;
	}
	*rest = p;
	return 0;
}

int fat_space_needed(struct fat_vol *v, const char *path, uint64_t size, uint64_t *bytes)
{
	struct fat_dirent cur;
	const char *rest, *end;
	uint32_t need, cs;
	int err;

	if (v == NULL || path == NULL || bytes == NULL || v->dev == NULL)
		return -EINVAL;
	*bytes = 0;
	cs = v->g.cluster_size;
	if (size > FAT_FILE_MAX)
		return fat_fail(v, "file larger than FAT's 4 GiB - 1 bytes", -EFBIG);
	end = path + strlen(path);
	err = fat_walk(v, path, end, &cur, &rest);
	if (err == 0 && rest == NULL)
		err = fat_fail(v, "name exists", -EEXIST);
	if (err == 0)
		err = fat_need(v, &cur, rest, end, (uint32_t)((size + cs - 1) / cs), &need);
	if (err == 0)
		*bytes = (uint64_t)need * cs;
	return err;
}

int fat_mkdir_p(struct fat_vol *v, const char *path)
{
	struct fat_dirent cur;
	const char *p, *end;
	uint32_t need, dir = 0;
	size_t len;
	int err;

	if (v == NULL || path == NULL || v->dev == NULL)
		return -EINVAL;
	err = fat_writable(v);
	if (err)
		return err;
	end = path + strlen(path);
	err = fat_walk(v, path, end, &cur, &p);
	if (err || p == NULL) {
		if (err == 0 && !(cur.attr & FAT_ATTR_DIRECTORY))
			err = fat_fail(v, "exists and is a file, not a directory", -ENOTDIR);
		return err;
	}
	err = fat_need(v, &cur, p, end, FAT_NOT_A_FILE, &need);
	if (err == 0 && v->free_clusters < need)
		err = fat_fail(v, "not enough free space for the new directories", -ENOSPC);
	for (; err == 0 && (p = fat_next_component(p, end, &len)) != NULL; p += len) {
		err = fat_mkdir_one(v, &cur, p, len, &dir);
		memset(&cur, 0, sizeof(cur));
		cur.attr = FAT_ATTR_DIRECTORY;
		cur.cluster = dir;
	}
	if (err == 0 && (err = blkdev_flush(v->dev)) != 0)
		v->why = "device flush failed";
	return err;
}
