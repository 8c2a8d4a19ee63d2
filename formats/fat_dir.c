/*
 * FAT directories and file reading: the raw walk over a directory's
 * entries (the fixed FAT12/16 root, or a cluster chain), long-name (VFAT)
 * assembly, fat_readdir, path lookup, and fat_pread.  Interface in
 * formats/fat.h.
 *
 * A long name is a set of LFN entries stored just before its short entry,
 * highest ordinal first (spec section 7):
 *
 *   | LFN ord 0x43 | LFN ord 2 | LFN ord 1 | short entry "FOO~1   TXT" |
 *
 * It is taken only when the set is whole and in order, every entry names
 * the same checksum, and that checksum is the short name's; anything else
 * falls back to the 8.3 name, as the spec tells a reader to.  An entry
 * whose first byte is 0 ends the directory (nothing after it is read); a
 * directory is read for at most FAT_DIR_MAX_ENTRIES entries, and its
 * chain is followed by fat_chain_next() with its loop and length bounds.
 *
 * Pure module: device access only through the caches in fat.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/blkdev.h"
#include "formats/fat.h"
#include "formats/fat_impl.h"

/* ------------------------------------------------------------ raw walk */

void fat_dir_begin(struct fat_vol *v, uint32_t first, struct fat_dir *d)
{
	memset(d, 0, sizeof(*d));
	d->vol = v;
	d->first = first;
}

/* Sector and offset of entry d->index.  Returns 0, 1 (past the end) or an error. */
static int fat_dir_locate(struct fat_dir *d, uint32_t *sector, uint32_t *off)
{
	struct fat_vol *v = d->vol;
	uint32_t per_cluster = v->g.cluster_size / FAT_DIRENT_SIZE, rel;
	int err;

	if (d->done || d->index >= FAT_DIR_MAX_ENTRIES)
		return 1;
	if (d->first == 0) {
		if (d->index >= v->g.root_entries)
			return 1;
		rel = d->index * FAT_DIRENT_SIZE;
		*sector = v->g.root_start + rel / v->g.sector_size;
		*off = rel % v->g.sector_size;
		return 0;
	}
	if (d->index == 0) {
		err = fat_chain_start(v, &d->ch, d->first);
		if (err)
			return err;
	} else if (d->index - d->ch_index >= per_cluster) {
		err = fat_chain_next(v, &d->ch);
		if (err)
			return err;
		d->ch_index += per_cluster;
	}
	rel = (d->index - d->ch_index) * FAT_DIRENT_SIZE;
	*sector = fat_cluster_sector(v, d->ch.cur) + rel / v->g.sector_size;
	*off = rel % v->g.sector_size;
	return 0;
}

/*
 * Copy the next entry into e.  Returns 1 (e, *sector and *off set; the
 * entry's index is d->index - 1), 0 (the directory's end: for a cluster
 * directory d->ch.cur is then its last cluster) or an error.  Free and
 * end-marker entries are returned too: the caller decides.
 */
int fat_dir_next_raw(struct fat_dir *d, uint8_t e[FAT_DIRENT_SIZE], uint32_t *sector,
		     uint32_t *off)
{
	int err = fat_dir_locate(d, sector, off);

	if (err) {
		d->done = true;
		return err == 1 ? 0 : err;
	}
	err = fat_sec_load(d->vol, *sector);
	if (err)
		return err;
	memcpy(e, d->vol->sec_buf + *off, FAT_DIRENT_SIZE);
	d->index++;
	return 1;
}

/* ------------------------------------------------------------ decoding */

static void fat_lfn_reset(struct fat_dir *d)
{
	d->lfn_count = 0;
	d->lfn_next = 0;
}

/* One LFN entry into the set being assembled (anything out of order drops it). */
static void fat_lfn_feed(struct fat_dir *d, const uint8_t *e)
{
	uint8_t ord = e[offsetof(struct fat_lfn_raw, ord)], n = ord & ~FAT_LFN_LAST;
	uint16_t *units;

	if (e[offsetof(struct fat_lfn_raw, type)] != 0 ||
	    le_get16(e + offsetof(struct fat_lfn_raw, fst_clus_lo)) != 0 ||
	    n == 0 || n > FAT_LFN_MAX_ENTRIES) {
		fat_lfn_reset(d);
		return;
	}
	if (ord & FAT_LFN_LAST) {
		d->lfn_count = n;
		d->lfn_sum = e[offsetof(struct fat_lfn_raw, chksum)];
	} else if (d->lfn_count == 0 || n != d->lfn_next ||
		   e[offsetof(struct fat_lfn_raw, chksum)] != d->lfn_sum) {
		fat_lfn_reset(d);
		return;
	}
	units = d->lfn + (n - 1) * FAT_LFN_CHARS;
	for (unsigned i = 0; i < FAT_LFN_CHARS; i++)
		units[i] = le_get16(e + fat_lfn_unit_at[i]);
	d->lfn_next = n - 1;
}

/* The assembled long name for short name sn into out, if whole and matching. */
static bool fat_lfn_take(struct fat_dir *d, const uint8_t *sn, char *out, size_t outlen)
{
	unsigned n = 0, max = d->lfn_count * FAT_LFN_CHARS;
	bool ok = d->lfn_count != 0 && d->lfn_next == 0 && fat_lfn_checksum(sn) == d->lfn_sum;

	fat_lfn_reset(d);
	if (!ok)
		return false;
	while (n < max && d->lfn[n] != 0)
		n++;
	/* Empty, over 255 units, or a last entry that carries nothing: not a name. */
	if (n == 0 || n > FAT_NAME_MAX || n <= max - FAT_LFN_CHARS)
		return false;
	fat_utf16_to_utf8(d->lfn, n, out, outlen);
	return true;
}

/* The 8.3 name as shown: NTRes case bits applied, bytes above 0x7f as '?'. */
static void fat_short_display(const uint8_t *e, char *out)
{
	uint8_t nt = e[offsetof(struct fat_dirent_raw, nt_res)];
	size_t k;

	fat_short_format(e, out);
	for (k = 0; out[k] != '\0' && out[k] != '.'; k++)
		if ((nt & FAT_NTRES_LOWER_BASE) && out[k] >= 'A' && out[k] <= 'Z')
			out[k] = (char)(out[k] - 'A' + 'a');
	for (; out[k] != '\0'; k++)
		if ((nt & FAT_NTRES_LOWER_EXT) && out[k] >= 'A' && out[k] <= 'Z')
			out[k] = (char)(out[k] - 'A' + 'a');
}

/*
 * Feed raw entry e (not free, not the end marker) to d.  Returns 1 when e
 * is a visible short entry (out filled), 0 when it was a long-name piece,
 * a volume label or "." / "..".
 */
int fat_dir_decode(struct fat_dir *d, const uint8_t e[FAT_DIRENT_SIZE], struct fat_dirent *out)
{
	uint8_t attr = e[offsetof(struct fat_dirent_raw, attr)];

	if (e[0] == FAT_DIR_FREE || e[0] == FAT_DIR_END) {
		fat_lfn_reset(d);
		return 0;
	}
	if ((attr & FAT_ATTR_LONG_NAME_MASK) == FAT_ATTR_LONG_NAME) {
		fat_lfn_feed(d, e);
		return 0;
	}
	if ((attr & FAT_ATTR_VOLUME_ID) || e[0] == '.') {
		fat_lfn_reset(d);
		return 0;
	}
	memset(out, 0, sizeof(*out));
	fat_short_format(e, out->short_name);
	out->has_long = fat_lfn_take(d, e, out->name, sizeof(out->name));
	if (!out->has_long)
		fat_short_display(e, out->name);
	out->attr = attr;
	out->size = le_get32(e + offsetof(struct fat_dirent_raw, file_size));
	out->cluster = le_get16(e + offsetof(struct fat_dirent_raw, fst_clus_lo));
	if (d->vol->g.type == 32)
		out->cluster |= (uint32_t)le_get16(e + offsetof(struct fat_dirent_raw, fst_clus_hi)) << 16;
	out->wrt_date = le_get16(e + offsetof(struct fat_dirent_raw, wrt_date));
	out->wrt_time = le_get16(e + offsetof(struct fat_dirent_raw, wrt_time));
	return 1;
}

int fat_readdir(struct fat_dir *d, struct fat_dirent *out)
{
	uint8_t e[FAT_DIRENT_SIZE];
	uint32_t sector, off;

	if (d == NULL || out == NULL || d->vol == NULL)
		return -EINVAL;
	for (;;) {
		int r = fat_dir_next_raw(d, e, &sector, &off);

		if (r <= 0)
			return r;
		if (e[0] == FAT_DIR_END) {
			d->done = true;
			return 0;
		}
		if (fat_dir_decode(d, e, out))
			return 1;
	}
}

/* ------------------------------------------------------------ lookup */

void fat_root_entry(const struct fat_vol *v, struct fat_dirent *out)
{
	memset(out, 0, sizeof(*out));
	out->name[0] = '/';
	out->short_name[0] = '/';
	out->attr = FAT_ATTR_DIRECTORY;
	out->cluster = fat_root_first(v);
	out->root = true;
}

/* The next component of [p, end) after separators: its start (length in *len), NULL at the end. */
const char *fat_next_component(const char *p, const char *end, size_t *len)
{
	while (p < end && (*p == '/' || *p == '\\'))
		p++;
	if (p == end)
		return NULL;
	*len = 0;
	while (p + *len < end && p[*len] != '/' && p[*len] != '\\')
		(*len)++;
	return p;
}

/* Find name[0..len) in the directory starting at dir (0: fixed root).  0, -ENOENT or an error. */
int fat_find_in(struct fat_vol *v, uint32_t dir, const char *name, size_t len,
		struct fat_dirent *out)
{
	struct fat_dir d;
	int r;

	fat_dir_begin(v, dir, &d);
	while ((r = fat_readdir(&d, out)) == 1)
		if (fat_name_eq(name, len, out->name) || fat_name_eq(name, len, out->short_name))
			return 0;
	return r < 0 ? r : fat_fail(v, "no such file or directory", -ENOENT);
}

/* The first cluster of directory entry e (0: the fixed root), or an error. */
int fat_dir_first(struct fat_vol *v, const struct fat_dirent *e, uint32_t *first)
{
	if (!(e->attr & FAT_ATTR_DIRECTORY))
		return fat_fail(v, "not a directory", -ENOTDIR);
	*first = e->root ? fat_root_first(v) : e->cluster;
	if (!e->root && !fat_cluster_ok(v, *first))
		return fat_fail(v, "directory's first cluster outside the volume", -EBADMSG);
	return 0;
}

/* UTF-16 units of UTF-8 s[0..n) (a 4-byte sequence is a surrogate pair). */
static size_t fat_units(const char *s, size_t n)
{
	size_t units = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t b = (uint8_t)s[i];

		if ((b & 0xc0) != 0x80)
			units += b >= 0xf0 ? 2 : 1;
	}
	return units;
}

/* fat_lookup over path[0..len). */
int fat_lookup_len(struct fat_vol *v, const char *path, size_t len, struct fat_dirent *out)
{
	const char *p = path, *end = path + len;
	uint32_t dir;
	size_t n;
	int err;

	fat_root_entry(v, out);
	while ((p = fat_next_component(p, end, &n)) != NULL) {
		if (fat_units(p, n) > FAT_NAME_MAX)
			return fat_fail(v, "path component longer than 255 UTF-16 units", -ENAMETOOLONG);
		if (!(out->attr & FAT_ATTR_DIRECTORY))
			return fat_fail(v, "a path component is a file, not a directory", -ENOTDIR);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return fat_fail(v, "\"..\" is not supported in paths", -ENOENT);
		if (!(n == 1 && p[0] == '.')) {
			err = fat_dir_first(v, out, &dir);
			if (err == 0)
				err = fat_find_in(v, dir, p, n, out);
			if (err)
				return err;
		}
		p += n;
	}
	return 0;
}

int fat_lookup(struct fat_vol *v, const char *path, struct fat_dirent *out)
{
	if (v == NULL || path == NULL || out == NULL || v->dev == NULL)
		return -EINVAL;
	return fat_lookup_len(v, path, strlen(path), out);
}

int fat_opendir_entry(struct fat_vol *v, const struct fat_dirent *e, struct fat_dir *d)
{
	uint32_t first;
	int err;

	if (v == NULL || e == NULL || d == NULL)
		return -EINVAL;
	err = fat_dir_first(v, e, &first);
	if (err)
		return err;
	fat_dir_begin(v, first, d);
	return 0;
}

int fat_opendir(struct fat_vol *v, const char *path, struct fat_dir *d)
{
	struct fat_dirent e;
	int err = fat_lookup(v, path, &e);

	return err ? err : fat_opendir_entry(v, &e, d);
}

/* ------------------------------------------------------------ reading */

int fat_open_entry(struct fat_vol *v, const struct fat_dirent *e, struct fat_reader *r)
{
	if (v == NULL || e == NULL || r == NULL)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	if (e->attr & FAT_ATTR_DIRECTORY)
		return fat_fail(v, "is a directory", -EISDIR);
	r->vol = v;
	r->size = e->size;
	r->first = e->cluster;
	if (r->size == 0)
		return 0;
	return fat_chain_start(v, &r->ch, r->first);
}

int fat_open(struct fat_vol *v, const char *path, struct fat_reader *r)
{
	struct fat_dirent e;
	int err = fat_lookup(v, path, &e);

	return err ? err : fat_open_entry(v, &e, r);
}

/* Move r's chain position to cluster index idx of the file. */
static int fat_reader_seek(struct fat_reader *r, uint32_t idx)
{
	int err;

	if (idx < r->pos) {
		err = fat_chain_start(r->vol, &r->ch, r->first);
		if (err)
			return err;
		r->pos = 0;
	}
	while (r->pos < idx) {
		err = fat_chain_next(r->vol, &r->ch);
		if (err == 1)
			return fat_fail(r->vol, "cluster chain shorter than the file size", -EBADMSG);
		if (err)
			return err;
		r->pos++;
	}
	return 0;
}

/* Read n (<= what is left of the cluster) bytes at byte in of the current cluster. */
static int fat_reader_piece(struct fat_reader *r, uint32_t in, uint8_t *buf, uint32_t n)
{
	struct fat_vol *v = r->vol;
	uint32_t ss = v->g.sector_size, sector = fat_cluster_sector(v, r->ch.cur) + in / ss;
	int err;

	if (in % ss == 0 && n >= ss) {
		err = blkdev_read(v->dev, sector, n / ss, buf);
		return err ? fat_fail(v, "read failed", err) : (int)(n / ss * ss);
	}
	err = fat_sec_load(v, sector);
	if (err)
		return err;
	n = n < ss - in % ss ? n : ss - in % ss;
	memcpy(buf, v->sec_buf + in % ss, n);
	return (int)n;
}

int fat_pread(struct fat_reader *r, uint64_t off, void *buf, size_t len, size_t *got)
{
	uint8_t *p = buf;
	size_t done = 0;

	if (got != NULL)
		*got = 0;
	if (r == NULL || r->vol == NULL || (buf == NULL && len != 0) || got == NULL)
		return -EINVAL;
	if (off >= r->size)
		return 0;
	if (len > r->size - off)
		len = (size_t)(r->size - off);
	while (done < len) {
		uint64_t at = off + done;
		uint32_t cs = r->vol->g.cluster_size, in = (uint32_t)(at % cs);
		size_t want = len - done < cs - in ? len - done : cs - in;
		int n = fat_reader_seek(r, (uint32_t)(at / cs));

		if (n == 0)
			n = fat_reader_piece(r, in, p + done, (uint32_t)want);
		if (n < 0)
			return n;
		done += (size_t)n;
		*got = done;
	}
	return 0;
}
