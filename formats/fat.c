/*
 * FAT volumes: boot sector checks, mount, the FAT itself (entries of 12,
 * 16 and 32 bits), cluster chains, free space and allocation, FSInfo.
 * See formats/fat.h for the interface, formats/fat_impl.h for what the
 * other fat*.c files share.
 *
 * The boot sector is hostile input.  fat_bpb_parse() applies the spec's
 * rules (section 3) in an order where each check only uses fields checked
 * before it, computes every sector sum in 64 bits, and decides the FAT
 * type only from the count of clusters (section 3.5: "This is the one and
 * only way that FAT type is determined").  Cluster values read from the
 * FAT are checked before use: a chain that reaches a free, bad, reserved
 * or out-of-range cluster, loops (Brent's cycle finder), or runs longer
 * than the volume has clusters is -EBADMSG.
 *
 * FAT12 entries are 1.5 bytes and may straddle two sectors: they are read
 * and written a byte at a time through the one-sector FAT cache, so the
 * straddling case is the ordinary one.  FAT32 entries keep their upper 4
 * bits (reserved) when written.
 *
 * Pure module: device access only through blkdev_read/write.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/blkdev.h"
#include "formats/fat.h"
#include "formats/fat_impl.h"

#define FAT_NO_FAT_SECTOR	UINT32_MAX
#define FAT_NO_SECTOR		UINT64_MAX

/* ------------------------------------------------------------ boot sector */

static int fat_bad(const char **why, const char *text)
{
	if (why != NULL)
		*why = text;
	return -EBADMSG;
}

static bool fat_pow2(uint32_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* Bytes the FAT needs for entries 0 .. clusters + 1. */
static uint64_t fat_bytes_needed(unsigned type, uint32_t clusters)
{
	uint64_t entries = (uint64_t)clusters + 2;

	if (type == 12)
		return (entries * 3 + 1) / 2;
	return entries * (type == 16 ? 2 : 4);
}

/* Section 3.1's common BPB fields.  Fills sector size, cluster, FAT layout. */
static int fat_bpb_common(const uint8_t *p, uint32_t dev_ss, struct fat_geom *g, const char **why)
{
	uint32_t spc = p[offsetof(struct fat_bpb, sec_per_clus)];
	uint8_t media = p[offsetof(struct fat_bpb, media)];

	g->sector_size = le_get16(p + offsetof(struct fat_bpb, byts_per_sec));
	if (g->sector_size < FAT_SECTOR_MIN || g->sector_size > FAT_SECTOR_MAX ||
	    !fat_pow2(g->sector_size))
		return fat_bad(why, "BPB_BytsPerSec is not 512, 1024, 2048 or 4096");
	if (g->sector_size != dev_ss)
		return fat_bad(why, "BPB_BytsPerSec differs from the device's sector size");
	if (!fat_pow2(spc) || spc > 128)
		return fat_bad(why, "BPB_SecPerClus is not a power of two from 1 to 128");
	if (spc * g->sector_size > FAT_CLUSTER_MAX)
		return fat_bad(why, "cluster larger than 64 KiB");
	g->sec_per_clus = spc;
	g->cluster_size = spc * g->sector_size;
	g->fat_start = le_get16(p + offsetof(struct fat_bpb, rsvd_sec_cnt));
	if (g->fat_start == 0)
		return fat_bad(why, "BPB_RsvdSecCnt is 0");
	g->num_fats = p[offsetof(struct fat_bpb, num_fats)];
	if (g->num_fats != 1 && g->num_fats != 2)
		return fat_bad(why, "BPB_NumFATs is not 1 or 2");
	g->root_entries = le_get16(p + offsetof(struct fat_bpb, root_ent_cnt));
	if (g->root_entries * FAT_DIRENT_SIZE % g->sector_size != 0)
		return fat_bad(why, "BPB_RootEntCnt is not a whole number of sectors of entries");
	if (media != 0xf0 && media < 0xf8)
		return fat_bad(why, "BPB_Media is not 0xF0 or 0xF8..0xFF");
	g->media = media;
	return 0;
}

/* Total sectors and FAT size (16- or 32-bit fields) against the device. */
static int fat_bpb_sizes(const uint8_t *p, uint64_t dev_sectors, struct fat_geom *g,
			 const char **why)
{
	uint32_t tot16 = le_get16(p + offsetof(struct fat_bpb, tot_sec16));
	uint32_t tot32 = le_get32(p + offsetof(struct fat_bpb, tot_sec32));
	uint32_t fsz16 = le_get16(p + offsetof(struct fat_bpb, fat_sz16));

	if (tot16 == 0 && tot32 == 0)
		return fat_bad(why, "BPB_TotSec16 and BPB_TotSec32 are both 0");
	if (tot16 != 0 && tot32 != 0 && tot16 != tot32)
		return fat_bad(why, "BPB_TotSec16 and BPB_TotSec32 disagree");
	g->total_sectors = tot16 ? tot16 : tot32;
	if (g->total_sectors > dev_sectors)
		return fat_bad(why, "BPB_TotSec larger than the device");
	g->fat_sectors = fsz16 ? fsz16 : le_get32(p + offsetof(struct fat_bpb, fat_sz32));
	if (g->fat_sectors == 0)
		return fat_bad(why, "BPB_FATSz16 and BPB_FATSz32 are both 0");
	return 0;
}

/* Section 3.3's FAT32 fields, once the cluster count said FAT32. */
static int fat_bpb_fat32(const uint8_t *p, struct fat_geom *g, const char **why)
{
	uint16_t flags = le_get16(p + offsetof(struct fat_bpb, ext_flags));
	uint32_t fsinfo = le_get16(p + offsetof(struct fat_bpb, fs_info));

	if (le_get16(p + offsetof(struct fat_bpb, fat_sz16)) != 0)
		return fat_bad(why, "FAT32 volume with BPB_FATSz16 set");
	if (g->root_entries != 0)
		return fat_bad(why, "FAT32 volume with BPB_RootEntCnt set");
	if (le_get16(p + offsetof(struct fat_bpb, tot_sec16)) != 0)
		return fat_bad(why, "FAT32 volume with BPB_TotSec16 set");
	if (le_get16(p + offsetof(struct fat_bpb, fs_ver)) != 0)
		return fat_bad(why, "BPB_FSVer is not 0.0");
	if (g->clusters > FAT32_MAX_CLUSTERS)
		return fat_bad(why, "more clusters than FAT32 can number");
	g->root_cluster = le_get32(p + offsetof(struct fat_bpb, root_clus));
	if (g->root_cluster < 2 || g->root_cluster > g->clusters + 1)
		return fat_bad(why, "BPB_RootClus outside the volume's clusters");
	g->mirrored = !(flags & FAT_BPB_EXT_NO_MIRROR);
	g->active_fat = g->mirrored ? 0 : flags & FAT_BPB_EXT_ACTIVE_MASK;
	if (g->active_fat >= g->num_fats)
		return fat_bad(why, "BPB_ExtFlags names an active FAT that does not exist");
	/* A BPB_FSInfo outside the reserved area (0xFFFF: none) means no FSInfo. */
	g->fsinfo_sector = fsinfo >= 1 && fsinfo < g->fat_start ? fsinfo : 0;
	return 0;
}

int fat_bpb_parse(const void *sector, size_t len, uint64_t dev_sectors, uint32_t dev_sector_size,
		  struct fat_geom *g, const char **why)
{
	const uint8_t *p = sector;
	uint64_t meta, root_secs;
	int err;

	if (why != NULL)
		*why = "no boot sector (NULL or shorter than 512 bytes)";
	if (g == NULL)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	if (p == NULL || len < FAT_SECTOR_MIN)
		return -EINVAL;
	if (p[FAT_BOOT_SIG_OFFSET] != 0x55 || p[FAT_BOOT_SIG_OFFSET + 1] != 0xaa)
		return fat_bad(why, "no 0x55 0xAA signature at offset 510");
	err = fat_bpb_common(p, dev_sector_size, g, why);
	if (err == 0)
		err = fat_bpb_sizes(p, dev_sectors, g, why);
	if (err)
		return err;
	root_secs = ((uint64_t)g->root_entries * FAT_DIRENT_SIZE + g->sector_size - 1) /
		    g->sector_size;
	meta = g->fat_start + (uint64_t)g->num_fats * g->fat_sectors + root_secs;
	if (meta >= g->total_sectors)
		return fat_bad(why, "reserved sectors, FATs and root directory fill the volume");
	g->clusters = (uint32_t)((g->total_sectors - meta) / g->sec_per_clus);
	if (g->clusters == 0)
		return fat_bad(why, "no data clusters");
	/*
	 * The spec decides the type by the cluster count alone.  mkfs.fat
	 * (with a warning), and other tools, make FAT32 volumes below 65525
	 * clusters, and the readers that matter here take the BPB's layout
	 * as the answer: EDK2's FAT driver (FatOpenDevice: SectorsPerFat 0
	 * means FAT32) and Linux (fat_fill_super: fat_length 0 means FAT32).
	 * So a FAT32-shaped BPB (BPB_FATSz16 0, BPB_RootEntCnt 0) is FAT32
	 * whatever the count, and the count chooses between 12 and 16.
	 */
	if (le_get16(p + offsetof(struct fat_bpb, fat_sz16)) == 0 && g->root_entries == 0)
		g->type = 32;
	else if (g->clusters > FAT16_MAX_CLUSTERS)
		return fat_bad(why, "FAT12/16 layout with more clusters than FAT16 can number");
	else
		g->type = g->clusters <= FAT12_MAX_CLUSTERS ? 12 : 16;
	g->mirrored = true;
	g->root_start = (uint32_t)(meta - root_secs);
	g->data_start = (uint32_t)meta;
	if (g->type == 32)
		err = fat_bpb_fat32(p, g, why);
	else if (g->root_entries == 0)
		err = fat_bad(why, "FAT12/16 volume with BPB_RootEntCnt 0");
	else if (le_get16(p + offsetof(struct fat_bpb, fat_sz16)) == 0)
		err = fat_bad(why, "FAT12/16 volume with BPB_FATSz16 0");
	if (err)
		return err;
	if (fat_bytes_needed(g->type, g->clusters) > (uint64_t)g->fat_sectors * g->sector_size)
		return fat_bad(why, "BPB_FATSz too small for the cluster count");
	if (why != NULL)
		*why = NULL;
	return 0;
}

/* ------------------------------------------------------------ mount */

/* An FSInfo sector with its three signatures (spec section 5). */
static bool fat_fsinfo_valid(const uint8_t *p)
{
	return le_get32(p) == FAT_FSI_LEAD_SIG &&
	       le_get32(p + offsetof(struct fat_fsinfo, struc_sig)) == FAT_FSI_STRUC_SIG &&
	       le_get32(p + offsetof(struct fat_fsinfo, trail_sig)) == FAT_FSI_TRAIL_SIG;
}

/* FAT32: take FSInfo's next-free hint if its three signatures are right. */
static int fat_fsinfo_read(struct fat_vol *v)
{
	const uint8_t *p = v->sec_buf;
	uint32_t hint;
	int err;

	if (v->g.fsinfo_sector == 0)
		return 0;
	err = fat_sec_load(v, v->g.fsinfo_sector);
	if (err)
		return err;
	if (!fat_fsinfo_valid(p))
		return 0;	/* ignored, and never written */
	v->fsinfo_ok = true;
	hint = le_get32(p + offsetof(struct fat_fsinfo, nxt_free));
	if (fat_cluster_ok(v, hint))
		v->next_free = hint;
	return 0;
}

int fat_mount(struct fat_vol *v, struct blkdev *dev, void *scratch, size_t scratch_len)
{
	int err;

	if (v == NULL)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	v->fat_cached = FAT_NO_FAT_SECTOR;
	v->sec_cached = FAT_NO_SECTOR;
	v->free_clusters = FAT_FSI_UNKNOWN;
	v->next_free = 2;
	if (dev == NULL)
		return fat_fail(v, "no device", -EINVAL);
	if (dev->sector_size < FAT_SECTOR_MIN || dev->sector_size > FAT_SECTOR_MAX)
		return fat_fail(v, "device sectors are not 512 to 4096 bytes", -EINVAL);
	v->dev = dev;
	v->scratch = scratch;
	v->scratch_len = scratch != NULL ? scratch_len : 0;
	err = fat_sec_load(v, 0);
	if (err)
		return fat_fail(v, "boot sector unreadable", err);
	err = fat_bpb_parse(v->sec_buf, dev->sector_size, dev->sectors, dev->sector_size, &v->g,
			    &v->why);
	if (err)
		return err;
	err = fat_fsinfo_read(v);
	if (err)
		return fat_fail(v, "FSInfo sector unreadable", err);
	v->why = NULL;
	return 0;
}

/* ------------------------------------------------------------ caches */

int fat_dev_write(struct fat_vol *v, uint32_t sector, uint32_t count, const void *buf)
{
	int err;

	if (v->sec_cached >= sector && v->sec_cached - sector < count)
		v->sec_cached = FAT_NO_SECTOR;
	err = blkdev_write(v->dev, sector, count, buf);
	return err ? fat_fail(v, "write failed", err) : 0;
}

/* Make v->sec_buf hold volume sector `sector`. */
int fat_sec_load(struct fat_vol *v, uint32_t sector)
{
	int err;

	if (v->sec_cached == sector)
		return 0;
	v->sec_cached = FAT_NO_SECTOR;
	err = blkdev_read(v->dev, sector, 1, v->sec_buf);
	if (err)
		return fat_fail(v, "read failed", err);
	v->sec_cached = sector;
	return 0;
}

/* Write v->sec_buf back to the sector it caches. */
int fat_sec_store(struct fat_vol *v)
{
	int err;

	if (v->sec_cached == FAT_NO_SECTOR)
		return fat_fail(v, "internal: no sector cached", -EINVAL);
	err = blkdev_write(v->dev, v->sec_cached, 1, v->sec_buf);
	return err ? fat_fail(v, "write failed", err) : 0;
}

/* Write the cached FAT sector to every FAT copy written (all when mirrored). */
int fat_fat_flush(struct fat_vol *v)
{
	if (!v->fat_dirty)
		return 0;
	for (uint32_t k = 0; k < v->g.num_fats; k++) {
		uint64_t lba = v->g.fat_start + (uint64_t)k * v->g.fat_sectors + v->fat_cached;
		int err;

		if (!v->g.mirrored && k != v->g.active_fat)
			continue;
		err = blkdev_write(v->dev, lba, 1, v->fat_buf);
		if (err)
			return fat_fail(v, "FAT write failed", err);
	}
	v->fat_dirty = false;
	return 0;
}

/* The FAT byte at off (checked by the caller to lie inside the FAT). */
static int fat_byte(struct fat_vol *v, uint32_t off, uint8_t **p)
{
	uint32_t sec = off / v->g.sector_size;
	int err;

	if (v->fat_cached != sec) {
		err = fat_fat_flush(v);
		if (err)
			return err;
		v->fat_cached = FAT_NO_FAT_SECTOR;
		err = blkdev_read(v->dev, v->g.fat_start +
				  (uint64_t)v->g.active_fat * v->g.fat_sectors + sec, 1, v->fat_buf);
		if (err)
			return fat_fail(v, "FAT sector unreadable", err);
		v->fat_cached = sec;
	}
	*p = v->fat_buf + off % v->g.sector_size;
	return 0;
}

/* ------------------------------------------------------------ entries */

uint32_t fat_eoc(const struct fat_vol *v)
{
	return v->g.type == 12 ? 0xfff : v->g.type == 16 ? 0xffff : 0x0fffffff;
}

/* Byte offset and width of entry c (c <= clusters + 1: inside the FAT, checked at mount). */
static uint32_t fat_entry_off(const struct fat_vol *v, uint32_t c, unsigned *bytes)
{
	*bytes = v->g.type == 32 ? 4 : 2;
	if (v->g.type == 12)
		return c + c / 2;
	return c * (v->g.type / 8);
}

int fat_get(struct fat_vol *v, uint32_t c, uint32_t *val)
{
	unsigned bytes;
	uint32_t off = fat_entry_off(v, c, &bytes), x = 0;
	uint8_t *p;

	if (c > fat_max_cluster(v))
		return fat_fail(v, "internal: cluster beyond the FAT", -EINVAL);
	for (unsigned i = 0; i < bytes; i++) {
		int err = fat_byte(v, off + i, &p);

		if (err)
			return err;
		x |= (uint32_t)*p << (8 * i);
	}
	if (v->g.type == 12)
		x = c & 1 ? x >> 4 : x & 0xfff;
	else if (v->g.type == 32)
		x &= 0x0fffffff;
	*val = x;
	return 0;
}

int fat_set(struct fat_vol *v, uint32_t c, uint32_t val)
{
	unsigned bytes;
	uint32_t off = fat_entry_off(v, c, &bytes), old = 0, x;
	uint8_t *p;
	int err;

	if (c < 2 || c > fat_max_cluster(v))
		return fat_fail(v, "internal: cluster outside the volume", -EINVAL);
	for (unsigned i = 0; i < bytes; i++) {
		err = fat_byte(v, off + i, &p);
		if (err)
			return err;
		old |= (uint32_t)*p << (8 * i);
	}
	if (v->g.type == 12)	/* odd entries own the high 12 bits of their two bytes */
		x = c & 1 ? (old & 0x000f) | (val & 0xfff) << 4 : (old & 0xf000) | (val & 0xfff);
	else if (v->g.type == 32)
		x = (old & 0xf0000000) | (val & 0x0fffffff);
	else
		x = val & 0xffff;
	for (unsigned i = 0; i < bytes; i++) {
		err = fat_byte(v, off + i, &p);
		if (err)
			return err;
		*p = (uint8_t)(x >> (8 * i));
		v->fat_dirty = true;
	}
	return 0;
}

/* ------------------------------------------------------------ chains */

int fat_chain_start(struct fat_vol *v, struct fat_chain *ch, uint32_t first)
{
	memset(ch, 0, sizeof(*ch));
	if (!fat_cluster_ok(v, first))
		return fat_fail(v, "first cluster outside the volume", -EBADMSG);
	ch->cur = first;
	ch->saved = first;
	ch->power = 1;
	return 0;
}

/*
 * Step ch to the next cluster.  Returns 0 (ch->cur moved), 1 (end of
 * chain: ch->cur is the last cluster) or -EBADMSG / a read error.
 */
int fat_chain_next(struct fat_vol *v, struct fat_chain *ch)
{
	uint32_t next;
	int err = fat_get(v, ch->cur, &next);

	if (err)
		return err;
	if (next >= (fat_eoc(v) & ~7u))
		return 1;
	if (next == 0)
		return fat_fail(v, "cluster chain runs into a free cluster", -EBADMSG);
	if (!fat_cluster_ok(v, next))
		return fat_fail(v, "cluster chain leaves the volume (bad or out-of-range cluster)",
				-EBADMSG);
	if (++ch->steps >= v->g.clusters)
		return fat_fail(v, "cluster chain longer than the volume's cluster count", -EBADMSG);
	/* Brent: compare with a cluster saved at each power of two of steps. */
	if (ch->lam == ch->power) {
		ch->saved = ch->cur;
		ch->power *= 2;
		ch->lam = 0;
	}
	ch->cur = next;
	ch->lam++;
	if (ch->cur == ch->saved)
		return fat_fail(v, "cluster chain loops", -EBADMSG);
	return 0;
}

/* ------------------------------------------------------------ free space */

int fat_count_free(struct fat_vol *v)
{
	uint32_t n = 0, val;

	if (v->free_clusters != FAT_FSI_UNKNOWN)
		return 0;
	for (uint32_t c = 2; c <= fat_max_cluster(v); c++) {
		int err = fat_get(v, c, &val);

		if (err)
			return err;
		n += val == 0;
	}
	v->free_clusters = n;
	return 0;
}

int fat_free_bytes(struct fat_vol *v, uint64_t *bytes)
{
	int err;

	if (v == NULL || bytes == NULL || v->dev == NULL)
		return -EINVAL;
	*bytes = 0;
	err = fat_count_free(v);
	if (err)
		return err;
	*bytes = (uint64_t)v->free_clusters * v->g.cluster_size;
	return 0;
}

/*
 * The first run of free clusters from the next-free hint on (wrapping
 * once), at most want long and not wrapping.  Returns 0 with *start, *n
 * (>= 1) or -ENOSPC.  Moves the hint past the run; nothing is marked.
 */
int fat_find_run(struct fat_vol *v, uint32_t want, uint32_t *start, uint32_t *n)
{
	uint32_t max = fat_max_cluster(v), c = fat_cluster_ok(v, v->next_free) ? v->next_free : 2;
	uint32_t val, len = 1;
	int err;

	for (uint32_t seen = 0;; seen++, c = c == max ? 2 : c + 1) {
		if (seen == v->g.clusters)
			return fat_fail(v, "volume full", -ENOSPC);
		err = fat_get(v, c, &val);
		if (err)
			return err;
		if (val == 0)
			break;
	}
	while (len < want && c + len <= max) {
		err = fat_get(v, c + len, &val);
		if (err)
			return err;
		if (val != 0)
			break;
		len++;
	}
	*start = c;
	*n = len;
	v->next_free = c + len > max ? 2 : c + len;
	return 0;
}

/* FAT32: write the free count and next-free hint into a valid FSInfo. */
int fat_fsinfo_sync(struct fat_vol *v)
{
	uint8_t *p = v->sec_buf;
	int err;

	if (!v->fsinfo_ok || v->free_clusters == FAT_FSI_UNKNOWN)
		return 0;
	err = fat_sec_load(v, v->g.fsinfo_sector);
	if (err)
		return err;
	if (!fat_fsinfo_valid(p))
		return 0;
	le_put32(p + offsetof(struct fat_fsinfo, free_count), v->free_clusters);
	le_put32(p + offsetof(struct fat_fsinfo, nxt_free), v->next_free);
	return fat_sec_store(v);
}
