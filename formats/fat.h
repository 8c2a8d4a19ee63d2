/*
 * FAT12/16/32 reader and writer (Microsoft "FAT: General Overview of
 * On-Disk Format", version 1.03, 2000; "the spec" below), for the dump
 * target (dump=fat), capsule staging under \EFI\UpdateCapsule\ and the
 * host tool's `postmortem fat`.  docs/fat.md says what it does and does
 * not do and argues the write order.
 *
 *   volume:  | reserved (boot sector, FSInfo) | FAT 1 | FAT 2 | root (12/16) | data clusters 2.. |
 *
 * Interface.  The caller owns a struct fat_vol (about 8 KiB: give it
 * static or heap memory) and calls fat_mount() with a struct blkdev (a
 * whole device, a blkdev_partition() view or a blkdev_ram_init() device)
 * and an optional scratch buffer: reading needs none; writing needs one of
 * at least a cluster (FAT_SCRATCH_SIZE always does).  Then:
 *
 *   read:   fat_lookup(), fat_opendir() + fat_readdir(), fat_open() +
 *           fat_pread(); paths use '/' or '\\', match long (VFAT) and
 *           8.3 names case-insensitively (ASCII case folding).
 *   write:  fat_mkdir_p(); fat_create() + fat_write()... + fat_close()
 *           (or fat_abort()); fat_free_bytes() and fat_space_needed()
 *           to refuse early.
 *
 * The writer only ever adds: a new directory or a new file, never a change
 * to an existing file's data or directory entry.  One file may be open for
 * writing per volume; while it is, fat_create() and fat_mkdir_p() return
 * -EBUSY.  Set v->date and v->time (FAT-packed, fat_pack_date() /
 * fat_pack_time()) for the timestamps of what is created (0: 1980-01-01).
 *
 * Errors are negative errno values: -EINVAL (bad argument or name),
 * -EIO (or the device's own error), -EBADMSG (the volume breaks a rule of
 * the spec), -ENOENT, -ENOTDIR, -EISDIR, -EEXIST, -ENOSPC, -EFBIG,
 * -ENAMETOOLONG, -EBUSY.  After any failure but -EINVAL for a NULL
 * argument or a file that is not open, v->why holds a static text saying
 * why.  No function prints.
 *
 * Pure module over a struct blkdev: no globals, no printing, no
 * allocation; builds into the kernel, tools/postmortem and the tests.
 * On-disk integers are little-endian and read with byte getters; the wire
 * structs below document the layout and give the offsets (offsetof), they
 * are never laid over disk bytes.  Code: fat.c (mount, FAT entries,
 * chains, allocation), fat_dir.c (directories, lookup, reading),
 * fat_name.c (8.3 and long-name encoding), fat_write.c (new entries,
 * directory growth, mkdir, space), fat_file.c (create, write, close);
 * formats/fat_impl.h is shared by those files only.
 */
#ifndef FORMATS_FAT_H
#define FORMATS_FAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/blkdev.h"

#define FAT_SECTOR_MIN		512
#define FAT_SECTOR_MAX		4096
#define FAT_CLUSTER_MAX		65536		/* bytes; the spec's 32 KiB plus what NT allows */
#define FAT_SCRATCH_SIZE	FAT_CLUSTER_MAX	/* enough scratch to write any volume */
#define FAT_NAME_MAX		255		/* UTF-16 units in a long name */
#define FAT_NAME_BUF		(FAT_NAME_MAX * 3 + 1)	/* the same as UTF-8, NUL */
#define FAT_DIR_MAX_ENTRIES	65536		/* 2 MiB of entries: the spec's limit */
#define FAT_FILE_MAX		0xffffffffu	/* DIR_FileSize is 32 bits */
#define FAT_DIRENT_SIZE		32
#define FAT_LFN_CHARS		13		/* UTF-16 units per LFN entry */
#define FAT_LFN_MAX_ENTRIES	20		/* ceil(255 / 13) */

#define FAT12_MAX_CLUSTERS	4084		/* fewer than 4085 clusters: FAT12 */
#define FAT16_MAX_CLUSTERS	65524		/* fewer than 65525: FAT16; more: FAT32 */
#define FAT32_MAX_CLUSTERS	0x0ffffff5u	/* highest cluster 0x0ffffff6 stays below "bad" */

/* DIR_Attr bits (spec section 6) */
#define FAT_ATTR_READ_ONLY	0x01
#define FAT_ATTR_HIDDEN		0x02
#define FAT_ATTR_SYSTEM		0x04
#define FAT_ATTR_VOLUME_ID	0x08
#define FAT_ATTR_DIRECTORY	0x10
#define FAT_ATTR_ARCHIVE	0x20
#define FAT_ATTR_LONG_NAME	0x0f		/* RO | HIDDEN | SYSTEM | VOLUME_ID */
#define FAT_ATTR_LONG_NAME_MASK	0x3f

/* DIR_Name[0] markers and DIR_NTRes case bits (Windows NT, read only) */
#define FAT_DIR_FREE		0xe5		/* deleted entry */
#define FAT_DIR_END		0x00		/* free, and nothing after it is used */
#define FAT_DIR_KANJI_E5	0x05		/* a real 0xE5 first byte */
#define FAT_NTRES_LOWER_BASE	0x08
#define FAT_NTRES_LOWER_EXT	0x10
#define FAT_LFN_LAST		0x40		/* LDIR_Ord of the last (first stored) entry */

/* FSInfo (spec section 5) */
#define FAT_FSI_LEAD_SIG	0x41615252u
#define FAT_FSI_STRUC_SIG	0x61417272u
#define FAT_FSI_TRAIL_SIG	0xaa550000u
#define FAT_FSI_UNKNOWN		0xffffffffu

/*
 * Boot sector and BPB, spec section 3.1 (common part, offsets 0..35) and
 * 3.2 / 3.3 (the FAT12/16 and FAT32 extensions from 36).  Fields the spec
 * places misaligned are byte arrays.  0x55 0xAA sits at 510..511 whatever
 * the sector size.
 */
struct fat_bpb {
	uint8_t bs_jmp_boot[3];			/* 0x00 BS_jmpBoot */
	uint8_t bs_oem_name[8];			/* 0x03 BS_OEMName */
	uint8_t byts_per_sec[2];		/* 0x0b BPB_BytsPerSec */
	uint8_t sec_per_clus;			/* 0x0d BPB_SecPerClus */
	uint16_t rsvd_sec_cnt;			/* 0x0e BPB_RsvdSecCnt */
	uint8_t num_fats;			/* 0x10 BPB_NumFATs */
	uint8_t root_ent_cnt[2];		/* 0x11 BPB_RootEntCnt */
	uint8_t tot_sec16[2];			/* 0x13 BPB_TotSec16 */
	uint8_t media;				/* 0x15 BPB_Media */
	uint16_t fat_sz16;			/* 0x16 BPB_FATSz16 */
	uint16_t sec_per_trk;			/* 0x18 BPB_SecPerTrk */
	uint16_t num_heads;			/* 0x1a BPB_NumHeads */
	uint32_t hidd_sec;			/* 0x1c BPB_HiddSec */
	uint32_t tot_sec32;			/* 0x20 BPB_TotSec32 */
	/* FAT32 (section 3.3); FAT12/16 put BS_DrvNum.. here instead */
	uint32_t fat_sz32;			/* 0x24 BPB_FATSz32 */
	uint16_t ext_flags;			/* 0x28 BPB_ExtFlags */
	uint16_t fs_ver;			/* 0x2a BPB_FSVer */
	uint32_t root_clus;			/* 0x2c BPB_RootClus */
	uint16_t fs_info;			/* 0x30 BPB_FSInfo */
	uint16_t bk_boot_sec;			/* 0x32 BPB_BkBootSec */
	uint8_t reserved[12];			/* 0x34 BPB_Reserved */
	uint8_t bs_drv_num;			/* 0x40 BS_DrvNum */
	uint8_t bs_reserved1;			/* 0x41 BS_Reserved1 */
	uint8_t bs_boot_sig;			/* 0x42 BS_BootSig */
	uint8_t bs_vol_id[4];			/* 0x43 BS_VolID */
	uint8_t bs_vol_lab[11];			/* 0x47 BS_VolLab */
	uint8_t bs_fil_sys_type[8];		/* 0x52 BS_FilSysType */
};
_Static_assert(sizeof(struct fat_bpb) == 92, "fat_bpb (90 + tail padding)");
_Static_assert(offsetof(struct fat_bpb, byts_per_sec) == 0x0b, "BPB_BytsPerSec");
_Static_assert(offsetof(struct fat_bpb, sec_per_clus) == 0x0d, "BPB_SecPerClus");
_Static_assert(offsetof(struct fat_bpb, rsvd_sec_cnt) == 0x0e, "BPB_RsvdSecCnt");
_Static_assert(offsetof(struct fat_bpb, num_fats) == 0x10, "BPB_NumFATs");
_Static_assert(offsetof(struct fat_bpb, root_ent_cnt) == 0x11, "BPB_RootEntCnt");
_Static_assert(offsetof(struct fat_bpb, tot_sec16) == 0x13, "BPB_TotSec16");
_Static_assert(offsetof(struct fat_bpb, media) == 0x15, "BPB_Media");
_Static_assert(offsetof(struct fat_bpb, fat_sz16) == 0x16, "BPB_FATSz16");
_Static_assert(offsetof(struct fat_bpb, tot_sec32) == 0x20, "BPB_TotSec32");
_Static_assert(offsetof(struct fat_bpb, fat_sz32) == 0x24, "BPB_FATSz32");
_Static_assert(offsetof(struct fat_bpb, ext_flags) == 0x28, "BPB_ExtFlags");
_Static_assert(offsetof(struct fat_bpb, fs_ver) == 0x2a, "BPB_FSVer");
_Static_assert(offsetof(struct fat_bpb, root_clus) == 0x2c, "BPB_RootClus");
_Static_assert(offsetof(struct fat_bpb, fs_info) == 0x30, "BPB_FSInfo");
_Static_assert(offsetof(struct fat_bpb, bs_boot_sig) == 0x42, "BS_BootSig (FAT32)");
#define FAT_BPB_EXT_ACTIVE_MASK	0x000f		/* BPB_ExtFlags: active FAT when not mirrored */
#define FAT_BPB_EXT_NO_MIRROR	0x0080		/* BPB_ExtFlags bit 7 */
#define FAT_BOOT_SIG_OFFSET	510		/* 0x55 0xAA */

/* FSInfo sector, spec section 5. */
struct fat_fsinfo {
	uint32_t lead_sig;			/* 0x000 FSI_LeadSig 0x41615252 */
	uint8_t reserved1[480];			/* 0x004 FSI_Reserved1 */
	uint32_t struc_sig;			/* 0x1e4 FSI_StrucSig 0x61417272 */
	uint32_t free_count;			/* 0x1e8 FSI_Free_Count */
	uint32_t nxt_free;			/* 0x1ec FSI_Nxt_Free */
	uint8_t reserved2[12];			/* 0x1f0 FSI_Reserved2 */
	uint32_t trail_sig;			/* 0x1fc FSI_TrailSig 0xAA550000 */
};
_Static_assert(sizeof(struct fat_fsinfo) == 512, "fat_fsinfo");
_Static_assert(offsetof(struct fat_fsinfo, struc_sig) == 0x1e4, "FSI_StrucSig");
_Static_assert(offsetof(struct fat_fsinfo, free_count) == 0x1e8, "FSI_Free_Count");
_Static_assert(offsetof(struct fat_fsinfo, nxt_free) == 0x1ec, "FSI_Nxt_Free");
_Static_assert(offsetof(struct fat_fsinfo, trail_sig) == 0x1fc, "FSI_TrailSig");

/* Short (8.3) directory entry, spec section 6. */
struct fat_dirent_raw {
	uint8_t name[11];			/* 0x00 DIR_Name: 8 + 3, space padded */
	uint8_t attr;				/* 0x0b DIR_Attr */
	uint8_t nt_res;				/* 0x0c DIR_NTRes */
	uint8_t crt_time_tenth;			/* 0x0d DIR_CrtTimeTenth */
	uint16_t crt_time;			/* 0x0e DIR_CrtTime */
	uint16_t crt_date;			/* 0x10 DIR_CrtDate */
	uint16_t lst_acc_date;			/* 0x12 DIR_LstAccDate */
	uint16_t fst_clus_hi;			/* 0x14 DIR_FstClusHI (0 on FAT12/16) */
	uint16_t wrt_time;			/* 0x16 DIR_WrtTime */
	uint16_t wrt_date;			/* 0x18 DIR_WrtDate */
	uint16_t fst_clus_lo;			/* 0x1a DIR_FstClusLO */
	uint32_t file_size;			/* 0x1c DIR_FileSize */
};
_Static_assert(sizeof(struct fat_dirent_raw) == FAT_DIRENT_SIZE, "fat_dirent_raw");
_Static_assert(offsetof(struct fat_dirent_raw, attr) == 0x0b, "DIR_Attr");
_Static_assert(offsetof(struct fat_dirent_raw, nt_res) == 0x0c, "DIR_NTRes");
_Static_assert(offsetof(struct fat_dirent_raw, crt_time) == 0x0e, "DIR_CrtTime");
_Static_assert(offsetof(struct fat_dirent_raw, fst_clus_hi) == 0x14, "DIR_FstClusHI");
_Static_assert(offsetof(struct fat_dirent_raw, wrt_time) == 0x16, "DIR_WrtTime");
_Static_assert(offsetof(struct fat_dirent_raw, fst_clus_lo) == 0x1a, "DIR_FstClusLO");
_Static_assert(offsetof(struct fat_dirent_raw, file_size) == 0x1c, "DIR_FileSize");

/* Long-name (VFAT) entry, spec section 7: 13 UTF-16LE units in 3 pieces. */
struct fat_lfn_raw {
	uint8_t ord;				/* 0x00 LDIR_Ord: 1..20, | 0x40 on the last */
	uint8_t name1[10];			/* 0x01 LDIR_Name1: units 1-5 */
	uint8_t attr;				/* 0x0b LDIR_Attr: 0x0f */
	uint8_t type;				/* 0x0c LDIR_Type: 0 */
	uint8_t chksum;				/* 0x0d LDIR_Chksum of the short name */
	uint8_t name2[12];			/* 0x0e LDIR_Name2: units 6-11 */
	uint16_t fst_clus_lo;			/* 0x1a LDIR_FstClusLO: 0 */
	uint8_t name3[4];			/* 0x1c LDIR_Name3: units 12-13 */
};
_Static_assert(sizeof(struct fat_lfn_raw) == FAT_DIRENT_SIZE, "fat_lfn_raw");
_Static_assert(offsetof(struct fat_lfn_raw, name1) == 0x01, "LDIR_Name1");
_Static_assert(offsetof(struct fat_lfn_raw, chksum) == 0x0d, "LDIR_Chksum");
_Static_assert(offsetof(struct fat_lfn_raw, name2) == 0x0e, "LDIR_Name2");
_Static_assert(offsetof(struct fat_lfn_raw, fst_clus_lo) == 0x1a, "LDIR_FstClusLO");
_Static_assert(offsetof(struct fat_lfn_raw, name3) == 0x1c, "LDIR_Name3");

/* ------------------------------------------------------------ in memory */

/* What the boot sector says, checked (fat_bpb_parse). Sectors are volume-relative. */
struct fat_geom {
	unsigned type;			/* 12, 16 or 32: from the cluster count only */
	uint32_t sector_size;		/* BPB_BytsPerSec */
	uint32_t sec_per_clus;
	uint32_t cluster_size;		/* bytes */
	uint32_t total_sectors;
	uint32_t fat_start;		/* first sector of FAT 0 (BPB_RsvdSecCnt) */
	uint32_t fat_sectors;		/* per FAT */
	uint32_t num_fats;		/* 1 or 2 */
	uint32_t active_fat;		/* the FAT read (BPB_ExtFlags, else 0) */
	bool mirrored;			/* writes go to every FAT, else only active_fat */
	uint32_t root_start;		/* FAT12/16 fixed root directory */
	uint32_t root_entries;		/* FAT12/16; 0 on FAT32 */
	uint32_t root_cluster;		/* FAT32 BPB_RootClus; 0 on FAT12/16 */
	uint32_t data_start;		/* sector of cluster 2 */
	uint32_t clusters;		/* data clusters: numbers 2 .. clusters + 1 */
	uint32_t fsinfo_sector;		/* FAT32 BPB_FSInfo when in the reserved area, else 0 */
	uint8_t media;
};

struct fat_vol {
	struct blkdev *dev;
	struct fat_geom g;
	const char *why;		/* after a failure: static text saying why */
	uint16_t date, time;		/* caller: FAT-packed stamp of created entries */
	uint8_t *scratch;		/* caller's; a cluster of file data while writing */
	size_t scratch_len;
	bool fsinfo_ok;			/* FAT32 FSInfo with valid signatures: kept up to date */
	bool busy;			/* a struct fat_file is open for writing */
	uint32_t free_clusters;		/* FAT_FSI_UNKNOWN until counted */
	uint32_t next_free;		/* where allocation searches from */
	/* one cached sector of the FAT (index within a FAT) and one of anything else */
	uint32_t fat_cached;		/* UINT32_MAX: none */
	bool fat_dirty;
	uint64_t sec_cached;		/* volume sector; UINT64_MAX: none */
	uint8_t fat_buf[FAT_SECTOR_MAX];
	uint8_t sec_buf[FAT_SECTOR_MAX];
};

/* One directory entry as a reader sees it. */
struct fat_dirent {
	char name[FAT_NAME_BUF];	/* long name (UTF-8, '?' for what cannot be), else the 8.3 name */
	char short_name[13];		/* "NAME.EXT" as stored (NTRes case bits applied in name only) */
	bool has_long;			/* name came from a valid LFN set */
	bool root;			/* the root directory (fat_lookup of "/") */
	uint8_t attr;
	uint32_t size;
	uint32_t cluster;		/* first cluster; 0: none (empty file, or the root for "..") */
	uint16_t wrt_date, wrt_time;
};

/* Brent's cycle finder over a cluster chain, plus a length bound. */
struct fat_chain {
	uint32_t cur;			/* current cluster */
	uint32_t saved;			/* Brent: the cluster compared against */
	uint32_t power, lam;
	uint32_t steps;			/* clusters visited */
};

/* Directory iterator (fat_opendir / fat_readdir).  Caller-owned, ~600 bytes. */
struct fat_dir {
	struct fat_vol *vol;
	uint32_t first;			/* first cluster; 0: the fixed FAT12/16 root */
	uint32_t index;			/* next entry to read */
	struct fat_chain ch;		/* cluster holding entry index (cluster dirs) */
	uint32_t ch_index;		/* first entry index in ch.cur */
	bool done;
	/* the long name being assembled */
	uint16_t lfn[FAT_LFN_MAX_ENTRIES * FAT_LFN_CHARS];
	uint8_t lfn_next;		/* next LDIR_Ord expected (0: none pending) */
	uint8_t lfn_count;		/* entries in the set */
	uint8_t lfn_sum;
};

/* File reader (fat_open / fat_pread). */
struct fat_reader {
	struct fat_vol *vol;
	uint32_t first, size;
	struct fat_chain ch;		/* ch.cur is cluster number pos of the file */
	uint32_t pos;
};

/* File being written (fat_create .. fat_close).  Caller-owned, ~600 bytes. */
struct fat_file {
	struct fat_vol *vol;
	int err;			/* sticky: a failed write leaves the file unfinished */
	bool open;
	bool linked;			/* the entry may be on disk: the chain is never freed */
	uint64_t size;			/* bytes accepted */
	uint32_t first, last;		/* chain so far; 0 when none */
	uint32_t nclusters;
	uint32_t tail_len;		/* bytes of a partial cluster in vol->scratch */
	uint32_t dir;			/* parent's first cluster; 0: fixed root */
	uint32_t dir_grow;		/* clusters the parent needs for the new entries */
	uint32_t saved_next_free;	/* to put back on abort */
	uint8_t short_name[11];
	uint8_t nslots;			/* entries: LFN entries + 1 */
	uint16_t lfn[FAT_NAME_MAX];
	uint8_t lfn_len;		/* UTF-16 units; 0: no LFN */
};

/* ------------------------------------------------------------ mount, space */

/*
 * Check the boot sector in sector[0..len) for a device of dev_sectors
 * sectors of dev_sector_size bytes and fill *g.  Returns 0, -EINVAL (NULL,
 * len below 512 or the sector size) or -EBADMSG; *why (if why != NULL)
 * names the broken rule, NULL on success.  *g is zeroed first.
 */
int fat_bpb_parse(const void *sector, size_t len, uint64_t dev_sectors, uint32_t dev_sector_size,
		  struct fat_geom *g, const char **why);

/*
 * Mount the volume on dev: read and check the boot sector (and FAT32's
 * FSInfo; one with bad signatures is ignored and never written).  scratch
 * may be NULL (read only); writing needs scratch_len >= the cluster size.
 * Returns 0, -EINVAL, -EBADMSG or the device's read error; v->why says why.
 */
int fat_mount(struct fat_vol *v, struct blkdev *dev, void *scratch, size_t scratch_len);

/* Free space: counts the FAT once, then kept up to date.  0 or an error. */
int fat_free_bytes(struct fat_vol *v, uint64_t *bytes);

/*
 * Bytes of free space that creating path as a file of size bytes takes,
 * its missing parent directories (fat_mkdir_p) and any directory growth
 * included: exact as long as nothing else changes the volume.  Returns 0,
 * -EEXIST (path exists), -ENOTDIR, -EFBIG, -ENOSPC (a fixed root that
 * cannot take the entry), -EINVAL, -ENAMETOOLONG, -EBADMSG or -EIO.
 */
int fat_space_needed(struct fat_vol *v, const char *path, uint64_t size, uint64_t *bytes);

/* FAT-packed date (1980..2107) and time (2-second resolution). */
static inline uint16_t fat_pack_date(unsigned year, unsigned month, unsigned day)
{
	return (uint16_t)((year < 1980 ? 0 : year - 1980 > 127 ? 127 : year - 1980) << 9 |
			  (month & 15) << 5 | (day & 31));
}

static inline uint16_t fat_pack_time(unsigned hour, unsigned min, unsigned sec)
{
	return (uint16_t)((hour & 31) << 11 | (min & 63) << 5 | ((sec / 2) & 31));
}

/* ------------------------------------------------------------ reading */

/*
 * Look up path ("/", "/EFI/UpdateCapsule/x.cap", '\\' separators too).  The
 * root gives a directory entry with cluster 0 (FAT12/16) or BPB_RootClus.
 * Returns 0, -ENOENT, -ENOTDIR (a middle component is a file),
 * -ENAMETOOLONG (a component over 255 units), -EBADMSG or -EIO.
 */
int fat_lookup(struct fat_vol *v, const char *path, struct fat_dirent *out);

/* Open the directory at path (or entry e) for fat_readdir.  -ENOTDIR for a file. */
int fat_opendir(struct fat_vol *v, const char *path, struct fat_dir *d);
int fat_opendir_entry(struct fat_vol *v, const struct fat_dirent *e, struct fat_dir *d);

/*
 * The next entry of d, skipping ".", "..", the volume label and deleted
 * entries.  Returns 1 (*out filled), 0 (end) or an error (-EBADMSG for a
 * broken cluster chain).  Stops after FAT_DIR_MAX_ENTRIES entries.
 */
int fat_readdir(struct fat_dir *d, struct fat_dirent *out);

/* Open the file at path (or entry e) for fat_pread.  -EISDIR for a directory. */
int fat_open(struct fat_vol *v, const char *path, struct fat_reader *r);
int fat_open_entry(struct fat_vol *v, const struct fat_dirent *e, struct fat_reader *r);

/*
 * Read up to len bytes at off into buf; *got says how many (fewer only at
 * the end of the file).  Sequential reads are fast (the chain position is
 * kept); a backward seek walks the chain from its start.  Returns 0,
 * -EBADMSG (chain shorter than the size, loops, leaves the volume) or
 * -EIO; *got holds the bytes read before the failure.
 */
int fat_pread(struct fat_reader *r, uint64_t off, void *buf, size_t len, size_t *got);

/* ------------------------------------------------------------ writing */

/*
 * Create every missing directory of path ("/EFI/UpdateCapsule"); existing
 * ones are fine.  Space for all of them is checked first (-ENOSPC leaves
 * the volume unchanged).  Returns 0, -ENOTDIR (a component is a file),
 * -ENOSPC, -EINVAL (bad name), -EBUSY, -EBADMSG or -EIO.
 */
int fat_mkdir_p(struct fat_vol *v, const char *path);

/*
 * Start a new file name in the existing directory dir (name NULL: dir is
 * the whole path and its last component the name).  size_hint: the final
 * size if known (0: unknown); when known, free space for it is checked
 * here and -ENOSPC returned before anything is written.  Returns 0 (f
 * open; nothing is visible until fat_close), -EEXIST (the name exists, in
 * any case, long or short), -ENOENT / -ENOTDIR (no such directory),
 * -ENOSPC (volume or fixed root directory full), -EFBIG (hint over 4 GiB
 * - 1), -EINVAL (bad name, scratch smaller than a cluster), -ENAMETOOLONG,
 * -EBUSY, -EBADMSG or -EIO.
 */
int fat_create(struct fat_vol *v, const char *dir, const char *name, uint64_t size_hint,
	       struct fat_file *f);

/*
 * Append len bytes.  Whole clusters go from buf to the device in
 * contiguous runs; a partial cluster waits in the scratch buffer.  Returns
 * 0; -EFBIG (the file would pass 4 GiB - 1: nothing of this call taken,
 * the file stays usable); -ENOSPC (volume full: what was allocated is
 * freed again, the file is dead); -EIO.  After any error but -EFBIG every
 * call fails with the same error and fat_close() frees what it can.
 */
int fat_write(struct fat_file *f, const void *buf, size_t len);

/*
 * Finish: write the partial cluster, flush the FAT chain (both copies),
 * write the directory entries (growing the directory if needed), update
 * FAT32's FSInfo, flush the device.  Returns 0 (the file is complete and
 * visible) or the error; on an error the file is not visible and its
 * clusters are freed when that is still possible.  f is closed either way.
 */
int fat_close(struct fat_file *f);

/* Give up on f: free its clusters, write no entry.  Returns 0 or an error. */
int fat_abort(struct fat_file *f);

/* ------------------------------------------------------------ names (pure) */

/* LDIR_Chksum of an 11-byte short name (spec section 7). */
uint8_t fat_lfn_checksum(const uint8_t short_name[11]);

/*
 * The basis short name of a long name (spec section 7's basis-name
 * algorithm): uppercase, invalid characters as '_', spaces and extra
 * periods dropped, 8 + 3.  Returns FAT_BASIS_EXACT (the long name is
 * exactly this 8.3 name: no LFN entries), FAT_BASIS_CASE (the same name
 * in another case: LFN entries, no tail) or FAT_BASIS_LOSSY (LFN entries
 * and a "~N" tail).
 */
#define FAT_BASIS_EXACT		0
#define FAT_BASIS_CASE		1
#define FAT_BASIS_LOSSY		2
int fat_short_basis(const char *name, size_t len, uint8_t out[11]);

/* Put the numeric tail "~n" (1 <= n <= 999999) into a basis name, in place. */
void fat_short_tail(uint8_t name[11], uint32_t n);

/* "NAME.EXT" from 11 bytes (out: at least 13 bytes). */
void fat_short_format(const uint8_t name[11], char *out);

#endif
