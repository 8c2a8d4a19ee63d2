/*
 * GUID Partition Table reader (UEFI 2.10 section 5.3): the protective MBR,
 * the primary header at LBA 1 and the backup header at the last LBA, the
 * partition entry arrays, and the names of the partition types we meet.
 *
 * Interface.  gpt_read() reads a whole device through blkdev_read() into
 * caller scratch (at least one sector and one entry: 4 KiB reads every
 * table it accepts; more only makes it faster) and fills a caller-owned
 * struct gpt_info: which header it used and why the other was not, the
 * protective MBR's state, and the used partition entries, each checked on
 * its own (struct gpt_part.problem is NULL for a partition that may be
 * used, else why not).  Writing is not offered: postmortem only ever
 * writes inside a partition another tool made, and only where
 * gpt_write_refusal() (the rule the kernel's dump and ESP choices and
 * savecore share) returns NULL, unless the user forces it.  struct gpt_info is large
 * (about 14 KiB): give it static or heap memory, not a small stack.
 *
 * The pure helpers under it (gpt_header_parse, gpt_header_fits,
 * gpt_entry_at, gpt_pmbr_check) take bytes as (buf, len), so the fuzz
 * target and the tests drive them without a device.  Static reason
 * strings (never NULL where documented) say why something was refused; no
 * function prints.
 *
 * Rules the reader applies (section 5.3.2 "GPT Header", 5.3.3 "GPT
 * Partition Entry Array"): signature "EFI PART"; revision 1.x; HeaderSize
 * 92 .. sector size; HeaderCRC32 over HeaderSize bytes with its own field
 * zero; MyLBA the LBA the header was read from; FirstUsableLBA <=
 * LastUsableLBA < last LBA; SizeOfPartitionEntry 128 x 2^n (at most
 * GPT_MAX_ENTRY_SIZE); NumberOfPartitionEntries 1 .. GPT_MAX_ENTRIES; the
 * entry array inside the disk and outside the usable range; its CRC32.
 * The primary is used when it and its array pass; otherwise the backup at
 * the last LBA (the spec's rule, 5.3.2).  A used entry must have
 * FirstUsableLBA <= StartingLBA <= EndingLBA <= LastUsableLBA and overlap
 * no other used entry.
 *
 * Pure module over a struct blkdev: no globals, no printing, memory only
 * from the caller; builds into the kernel, tools/postmortem and the tests.
 * All on-disk integers are little-endian; fields are read with byte-wise
 * getters, never through a cast pointer.
 */
#ifndef FORMATS_GPT_H
#define FORMATS_GPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/blkdev.h"
#include "formats/guid.h"

#define GPT_SIGNATURE		"EFI PART"	/* 8 bytes, no NUL */
#define GPT_REVISION_1_0	0x00010000u
#define GPT_HEADER_MIN_SIZE	92		/* UEFI 2.10 table 5.5 */
#define GPT_ENTRY_MIN_SIZE	128		/* table 5.6 */
#define GPT_MAX_ENTRY_SIZE	4096		/* ours: 128 x 2^5 */
#define GPT_MAX_ENTRIES		1024		/* ours: 128 is the usual count */
#define GPT_MAX_PARTS		128		/* used entries kept in gpt_info */
#define GPT_NAME_UNITS		36		/* PartitionName: 36 CHAR16 */

/*
 * GPT header, table 5.5.  Offsets are the spec's; sizeof is 96 because of
 * tail padding, the header on disk is HeaderSize (>= 92) bytes.  Decoded
 * by gpt_header_parse(), never read through a cast pointer.
 */
struct gpt_header {
	uint8_t signature[8];			/* 0x00 "EFI PART" */
	uint32_t revision;			/* 0x08 0x00010000 */
	uint32_t header_size;			/* 0x0c >= 92 */
	uint32_t header_crc32;			/* 0x10 */
	uint32_t reserved;			/* 0x14 must be zero */
	uint64_t my_lba;			/* 0x18 */
	uint64_t alternate_lba;			/* 0x20 */
	uint64_t first_usable_lba;		/* 0x28 */
	uint64_t last_usable_lba;		/* 0x30 */
	struct efi_guid disk_guid;		/* 0x38 */
	uint64_t partition_entry_lba;		/* 0x48 */
	uint32_t number_of_partition_entries;	/* 0x50 */
	uint32_t size_of_partition_entry;	/* 0x54 */
	uint32_t partition_entry_array_crc32;	/* 0x58 */
};
_Static_assert(sizeof(struct gpt_header) == 96, "gpt_header (92 + tail padding)");
_Static_assert(offsetof(struct gpt_header, revision) == 0x08, "revision");
_Static_assert(offsetof(struct gpt_header, header_size) == 0x0c, "header_size");
_Static_assert(offsetof(struct gpt_header, header_crc32) == 0x10, "header_crc32");
_Static_assert(offsetof(struct gpt_header, my_lba) == 0x18, "my_lba");
_Static_assert(offsetof(struct gpt_header, alternate_lba) == 0x20, "alternate_lba");
_Static_assert(offsetof(struct gpt_header, first_usable_lba) == 0x28, "first_usable_lba");
_Static_assert(offsetof(struct gpt_header, last_usable_lba) == 0x30, "last_usable_lba");
_Static_assert(offsetof(struct gpt_header, disk_guid) == 0x38, "disk_guid");
_Static_assert(offsetof(struct gpt_header, partition_entry_lba) == 0x48, "partition_entry_lba");
_Static_assert(offsetof(struct gpt_header, number_of_partition_entries) == 0x50, "entries");
_Static_assert(offsetof(struct gpt_header, size_of_partition_entry) == 0x54, "entry size");
_Static_assert(offsetof(struct gpt_header, partition_entry_array_crc32) == 0x58, "array crc");

/* GPT partition entry, table 5.6 (the first 128 bytes of each entry). */
struct gpt_entry {
	struct efi_guid partition_type_guid;	/* 0x00 all zero: unused */
	struct efi_guid unique_partition_guid;	/* 0x10 */
	uint64_t starting_lba;			/* 0x20 */
	uint64_t ending_lba;			/* 0x28 inclusive */
	uint64_t attributes;			/* 0x30 */
	uint16_t partition_name[GPT_NAME_UNITS];	/* 0x38 UTF-16LE */
};
_Static_assert(sizeof(struct gpt_entry) == GPT_ENTRY_MIN_SIZE, "gpt_entry");
_Static_assert(offsetof(struct gpt_entry, unique_partition_guid) == 0x10, "unique");
_Static_assert(offsetof(struct gpt_entry, starting_lba) == 0x20, "starting_lba");
_Static_assert(offsetof(struct gpt_entry, ending_lba) == 0x28, "ending_lba");
_Static_assert(offsetof(struct gpt_entry, attributes) == 0x30, "attributes");
_Static_assert(offsetof(struct gpt_entry, partition_name) == 0x38, "partition_name");

/* Attribute bits (table 5.7). */
#define GPT_ATTR_REQUIRED	(1ull << 0)
#define GPT_ATTR_NO_BLOCK_IO	(1ull << 1)
#define GPT_ATTR_LEGACY_BOOT	(1ull << 2)

/* Partition type GUIDs (UEFI 2.10 table 5.7; the rest from the systems that define them). */
#define GPT_TYPE_EFI_SYSTEM	EFI_GUID_INIT(0xc12a7328, 0xf81f, 0x11d2, \
	0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b)
/* postmortem's raw dump partition (docs/dump-disk.md) */
#define GPT_TYPE_POSTMORTEM_DUMP EFI_GUID_INIT(0x9cd6ae46, 0xcf19, 0x4c5c, \
	0xb3, 0x41, 0x57, 0xf4, 0xb2, 0x1d, 0xfd, 0x41)
#define GPT_TYPE_LINUX_FS	EFI_GUID_INIT(0x0fc63daf, 0x8483, 0x4772, \
	0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4)
#define GPT_TYPE_LINUX_SWAP	EFI_GUID_INIT(0x0657fd6d, 0xa4ab, 0x43c4, \
	0x84, 0xe5, 0x09, 0x33, 0xc8, 0x4b, 0x4f, 0x4f)

/* Protective MBR states (section 5.2.3). */
enum gpt_pmbr {
	GPT_PMBR_PROTECTIVE,	/* 0x55aa and one 0xEE record from LBA 1 */
	GPT_PMBR_HYBRID,	/* an 0xEE record beside other records */
	GPT_PMBR_NONE,		/* an MBR without an 0xEE record */
	GPT_PMBR_ABSENT,	/* no 0x55aa signature */
};

/* One record of the MBR in LBA 0 (section 5.2.1), kept for the hybrid check. */
struct gpt_mbr_rec {
	uint8_t type;			/* OSType; 0 unused */
	uint32_t first_lba;		/* StartingLBA */
	uint32_t sectors;		/* SizeInLBA */
};

/* One used partition entry. */
struct gpt_part {
	uint32_t index;			/* 1-based entry number, as Linux numbers it */
	struct efi_guid type;
	struct efi_guid unique;
	uint64_t first_lba;
	uint64_t last_lba;		/* inclusive */
	uint64_t attributes;
	char name[GPT_NAME_UNITS + 1];	/* ASCII; '?' for anything else */
	const char *problem;		/* NULL: usable; else why it must not be used */
};

struct gpt_info {
	uint32_t sector_size;
	uint64_t disk_sectors;
	enum gpt_pmbr pmbr;
	struct gpt_mbr_rec mbr[4];	/* LBA 0's records (all zero without 0x55aa) */
	bool primary_ok;		/* the primary and its array passed on their own */
	bool backup_ok;			/* the backup and its array passed on their own */
	bool used_backup;		/* hdr is the backup header */
	const char *primary_problem;	/* NULL when the primary passed */
	const char *backup_problem;	/* NULL when the backup passed */
	struct gpt_header hdr;		/* the header used */
	struct gpt_header alt;		/* the backup, when both passed (hdr is the primary) */
	unsigned nparts;		/* entries in parts[] */
	unsigned dropped;		/* used entries beyond GPT_MAX_PARTS */
	struct gpt_part parts[GPT_MAX_PARTS];	/* in entry order */
};

/*
 * Read the GPT of dev.  scratch: at least one sector, and at least
 * SizeOfPartitionEntry bytes for the table to be read (4096 covers every
 * table accepted).  Returns 0 (info filled; either header may have been
 * used; a copy that could not be read or failed a rule has its problem
 * set), -EINVAL (NULL, scratch smaller than a sector), -ENODEV (no valid
 * GPT: info->primary_problem and backup_problem say why, pmbr is set),
 * -EIO (no valid GPT and a copy was unreadable) or blkdev_read()'s error
 * for LBA 0.
 */
int gpt_read(struct blkdev *dev, void *scratch, size_t scratch_len, struct gpt_info *out);

/*
 * Decode and check the header in sector[0..len) read from LBA lba: every
 * rule above that needs no disk size.  Returns 0, -EINVAL (NULL or len <
 * 92) or -EBADMSG; *why (if why != NULL) names the broken rule, or is
 * NULL on success.  *out is filled as far as decoded, even on -EBADMSG.
 */
int gpt_header_parse(const void *sector, size_t len, uint64_t lba, struct gpt_header *out,
		     const char **why);

/*
 * The rules that need the disk: usable range and entry array inside a
 * disk of disk_sectors sectors of sector_size bytes, array outside the
 * usable range, header size within a sector.  Returns 0 or -EBADMSG with
 * *why set.
 */
int gpt_header_fits(const struct gpt_header *h, uint64_t disk_sectors, uint32_t sector_size,
		    const char **why);

/*
 * Entry `index` (0-based) of an entry array in buf[0..len) with stride
 * entry_size (128 x 2^n).  Returns 0 (a used entry: out->index is index +
 * 1, out->problem NULL, range rules not yet applied), -ENOENT (unused
 * entry or index past the end) or -EINVAL (NULL, bad stride).
 */
int gpt_entry_at(const void *buf, size_t len, uint32_t entry_size, uint32_t index,
		 struct gpt_part *out);

/*
 * Apply the per-partition rules to p against header h: inside the usable
 * range, first <= last.  Returns 0 or -ERANGE with p->problem set.
 */
int gpt_part_check(const struct gpt_header *h, struct gpt_part *p);

/*
 * May postmortem write partition p of this disk without being forced?
 * NULL: yes; else a static reason (never NULL otherwise).  The rule, and
 * why each part of it (docs/dump-disk.md, "Which disks are written"):
 *
 *  - LBA 0 holds a protective or hybrid MBR (an 0xEE record).  Without
 *    one, Linux, Windows and UEFI firmware take the disk for an MBR disk
 *    and ignore any GPT on it: whatever GPT postmortem finds there is
 *    stale, and the sectors belong to the MBR's partitions.
 *  - Both GPT copies are valid and agree (DiskGUID, usable range, entry
 *    array CRC, count and size, each pointing at the other).  With only
 *    one valid copy the disk is damaged or was repartitioned by a tool
 *    that wiped one end only (dd over the first MiB leaves the backup);
 *    the two cannot be told apart from the disk, so the automatic choice
 *    refuses and says why.  Copies that disagree describe two different
 *    layouts, and a firmware may "repair" either way.
 *  - Every used entry was seen (no more than GPT_MAX_PARTS), so the
 *    overlap check below saw them all.
 *  - p passed its own checks: inside the usable LBAs, first <= last, no
 *    overlap with another used entry.
 *  - p overlaps no GPT structure (either header, either entry array),
 *    checked here even though the usable range already excludes them.
 *  - In a hybrid MBR, p overlaps no record other than 0xEE: BIOS-booting
 *    systems use those records and would see the sectors as theirs.
 *
 * gpt_disk_refusal() is the part about the disk alone (NULL when the disk
 * is postmortem's to judge by its entries); gpt_write_refusal() adds the
 * partition's part.  Both are pure; info must come from gpt_read().
 */
const char *gpt_disk_refusal(const struct gpt_info *info);
const char *gpt_write_refusal(const struct gpt_info *info, const struct gpt_part *p);

/* The nth (0-based) used partition of a type, usable or not, or NULL. */
const struct gpt_part *gpt_find_type_any(const struct gpt_info *info, const struct efi_guid *type,
					 unsigned nth);

/* Fill mbr[4] from LBA 0's bytes (len >= 512); all zero without 0x55aa. */
void gpt_mbr_records(const void *sector, size_t len, struct gpt_mbr_rec mbr[4]);

/* The protective MBR state of LBA 0's bytes (len >= 512). */
enum gpt_pmbr gpt_pmbr_check(const void *sector, size_t len);
const char *gpt_pmbr_name(enum gpt_pmbr s);

/* A known partition type's name ("EFI system", "postmortem dump", ...), or NULL. */
const char *gpt_type_name(const struct efi_guid *type);

/* The nth (0-based) usable partition of a type, or NULL. */
const struct gpt_part *gpt_find_type(const struct gpt_info *info, const struct efi_guid *type,
				     unsigned nth);

/* The partition with a 1-based entry number, usable or not, or NULL. */
const struct gpt_part *gpt_find_index(const struct gpt_info *info, uint32_t index);

#endif
