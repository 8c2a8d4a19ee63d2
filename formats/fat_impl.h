/*
 * Shared by formats/fat.c, fat_dir.c, fat_name.c and fat_write.c only:
 * not an interface (formats/fat.h is).  Little-endian byte getters, the
 * two sector caches, FAT entries, chains, allocation, the raw directory
 * walk and name helpers, each defined in the file its comment names.
 *
 * Caches.  v->fat_buf holds one sector of the FAT (index within a FAT,
 * read from the active copy, written to every copy when it is dirty and
 * another sector is needed, or on fat_fat_flush()).  v->sec_buf holds one
 * sector of anything else (directories, FSInfo, partial file sectors);
 * every write of ours goes through fat_dev_write(), which drops that
 * cache when it covers the cached sector, so it never goes stale.
 */
#ifndef FORMATS_FAT_IMPL_H
#define FORMATS_FAT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/fat.h"
#include "formats/le.h"

#define FAT_TAIL_MAX	1024		/* "~1" .. "~1023" are tried */

/* Set v->why and return err: the one way out of a failed check. */
static inline int fat_fail(struct fat_vol *v, const char *why, int err)
{
	v->why = why;
	return err;
}

/* Highest valid cluster number. */
static inline uint32_t fat_max_cluster(const struct fat_vol *v)
{
	return v->g.clusters + 1;
}

static inline bool fat_cluster_ok(const struct fat_vol *v, uint32_t c)
{
	return c >= 2 && c <= fat_max_cluster(v);
}

/* Volume sector of cluster c's first sector (c checked). */
static inline uint32_t fat_cluster_sector(const struct fat_vol *v, uint32_t c)
{
	return v->g.data_start + (c - 2) * v->g.sec_per_clus;
}

/* The root's first cluster: 0 for the fixed FAT12/16 root. */
static inline uint32_t fat_root_first(const struct fat_vol *v)
{
	return v->g.type == 32 ? v->g.root_cluster : 0;
}

/* fat.c: device access through the caches */
int fat_dev_write(struct fat_vol *v, uint32_t sector, uint32_t count, const void *buf);
int fat_sec_load(struct fat_vol *v, uint32_t sector);
int fat_sec_store(struct fat_vol *v);

/* fat.c: FAT entries, chains, allocation */
uint32_t fat_eoc(const struct fat_vol *v);
int fat_get(struct fat_vol *v, uint32_t c, uint32_t *val);
int fat_set(struct fat_vol *v, uint32_t c, uint32_t val);
int fat_fat_flush(struct fat_vol *v);
int fat_chain_start(struct fat_vol *v, struct fat_chain *ch, uint32_t first);
int fat_chain_next(struct fat_vol *v, struct fat_chain *ch);
int fat_count_free(struct fat_vol *v);
int fat_find_run(struct fat_vol *v, uint32_t want, uint32_t *start, uint32_t *n);
int fat_fsinfo_sync(struct fat_vol *v);

/* fat_dir.c: raw directory walk and decoding */
void fat_dir_begin(struct fat_vol *v, uint32_t first, struct fat_dir *d);
int fat_dir_next_raw(struct fat_dir *d, uint8_t e[FAT_DIRENT_SIZE], uint32_t *sector,
		     uint32_t *off);
int fat_dir_decode(struct fat_dir *d, const uint8_t e[FAT_DIRENT_SIZE], struct fat_dirent *out);
void fat_root_entry(const struct fat_vol *v, struct fat_dirent *out);
int fat_find_in(struct fat_vol *v, uint32_t dir, const char *name, size_t len,
		struct fat_dirent *out);
const char *fat_next_component(const char *p, const char *end, size_t *len);
int fat_dir_first(struct fat_vol *v, const struct fat_dirent *e, uint32_t *first);
int fat_lookup_len(struct fat_vol *v, const char *path, size_t len, struct fat_dirent *out);

/* fat_name.c: names */
bool fat_name_eq(const char *a, size_t alen, const char *b);
int fat_name_check(const char *name, size_t len);
int fat_utf8_to_utf16(const char *s, size_t len, uint16_t *out, unsigned max, unsigned *n);
void fat_utf16_to_utf8(const uint16_t *in, unsigned n, char *out, size_t outlen);
uint32_t fat_tail_of(const uint8_t have[11], const uint8_t basis[11]);
extern const uint8_t fat_lfn_unit_at[FAT_LFN_CHARS];

/* fat_write.c: adding entries (used by fat_file.c) */
#define FAT_SET_MAX	(FAT_LFN_MAX_ENTRIES + 1)
#define FAT_RUN_MAX	65536u		/* clusters per data write */

struct fat_slot {
	uint32_t sector;
	uint32_t off;
};

/* What a scan of a directory found for a set of `need` entries named `name`. */
struct fat_scan {
	const char *name;		/* in: the long name; NULL: only find slots */
	size_t len;
	const uint8_t *basis;		/* in: its basis short name */
	unsigned need;			/* in: entries in the set */
	bool exists;			/* out: an entry has that name (long or short) */
	uint8_t exists_attr;
	uint32_t exists_cluster;
	bool basis_taken;		/* a short name equals the basis */
	uint8_t tails[FAT_TAIL_MAX / 8];	/* "~N" tails of the basis in use */
	bool found;			/* slots[] holds a free run of need entries */
	struct fat_slot slots[FAT_SET_MAX];
	uint32_t run_start;		/* index of slots[0] */
	uint32_t end;			/* index of the first end marker (or count) */
	uint32_t count;			/* entries walked */
	uint32_t last;			/* a cluster directory's last cluster */
	uint32_t grow;			/* !found: clusters to add */
};

/* A new entry set: short name, optional long name, what it points to. */
struct fat_newent {
	uint8_t short_name[11];
	const uint16_t *lfn;
	unsigned lfn_len;		/* 0: no LFN entries */
	uint8_t attr;
	uint32_t cluster;
	uint32_t size;
};

/* A new name checked, in UTF-16, with its short name chosen against dir. */
struct fat_plan {
	struct fat_scan s;
	struct fat_newent ne;
	uint16_t lfn[FAT_NAME_MAX];
};

int fat_writable(struct fat_vol *v);
int fat_scan_dir(struct fat_vol *v, uint32_t dir, struct fat_scan *s);
int fat_plan(struct fat_vol *v, uint32_t dir, const char *name, size_t len, struct fat_plan *p);
int fat_commit(struct fat_vol *v, uint32_t dir, struct fat_scan *s, const struct fat_newent *ne);

#endif
