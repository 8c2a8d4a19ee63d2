/*
 * GPT reader (see gpt.h for the interface and the rules it applies).
 *
 * The disk is hostile input.  Header fields are checked in the order a
 * later check relies on an earlier one (sizes before the CRC that reads
 * header_size bytes, the stride before the array is walked), every LBA sum
 * is written as a subtraction against what remains so nothing wraps, and
 * the entry array is read in chunks of whole entries and whole sectors
 * (both are powers of two, so an entry never straddles a chunk), its CRC32
 * running over exactly NumberOfPartitionEntries x SizeOfPartitionEntry
 * bytes, as section 5.3.2 defines it.
 *
 * Pure module: reads only through blkdev_read(), no globals, no printing.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/crc32.h"
#include "formats/blkdev.h"
#include "formats/efi.h"
#include "formats/gpt.h"
#include "formats/le.h"

#define GPT_CHUNK_MAX_SECTORS	65536u	/* one blkdev_read call at most */

static void gpt_set_why(const char **why, const char *text)
{
	if (why != NULL)
		*why = text;
}

/* Set *why and return err: the one way out of a failed check. */
static int gpt_bad(const char **why, const char *text, int err)
{
	gpt_set_why(why, text);
	return err;
}

static bool gpt_stride_ok(uint32_t entry_size)
{
	/* 128 x 2^n is exactly "a power of two, at least 128". */
	return entry_size >= GPT_ENTRY_MIN_SIZE && entry_size <= GPT_MAX_ENTRY_SIZE &&
	       (entry_size & (entry_size - 1)) == 0;
}

/* ---------------------------------------------------------------- header */

static void gpt_header_decode(const uint8_t *p, struct gpt_header *h)
{
	memcpy(h->signature, p, sizeof(h->signature));
	h->revision = le_get32(p + 0x08);
	h->header_size = le_get32(p + 0x0c);
	h->header_crc32 = le_get32(p + 0x10);
	h->reserved = le_get32(p + 0x14);
	h->my_lba = le_get64(p + 0x18);
	h->alternate_lba = le_get64(p + 0x20);
	h->first_usable_lba = le_get64(p + 0x28);
	h->last_usable_lba = le_get64(p + 0x30);
	memcpy(h->disk_guid.b, p + 0x38, sizeof(h->disk_guid.b));
	h->partition_entry_lba = le_get64(p + 0x48);
	h->number_of_partition_entries = le_get32(p + 0x50);
	h->size_of_partition_entry = le_get32(p + 0x54);
	h->partition_entry_array_crc32 = le_get32(p + 0x58);
}

/* HeaderCRC32 over header_size bytes with the CRC field taken as zero. */
static uint32_t gpt_header_crc(const uint8_t *p, uint32_t header_size)
{
	static const uint8_t zero[4];
	uint32_t crc = crc32_update(0, p, 0x10);

	crc = crc32_update(crc, zero, sizeof(zero));
	return crc32_update(crc, p + 0x14, header_size - 0x14);
}

int gpt_header_parse(const void *sector, size_t len, uint64_t lba, struct gpt_header *out,
		     const char **why)
{
	const uint8_t *p = sector;

	gpt_set_why(why, "no header (NULL or shorter than 92 bytes)");
	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (p == NULL || len < GPT_HEADER_MIN_SIZE)
		return -EINVAL;
	gpt_header_decode(p, out);
	if (memcmp(out->signature, GPT_SIGNATURE, sizeof(out->signature)) != 0)
		return gpt_bad(why, "no \"EFI PART\" signature", -EBADMSG);
	if (out->revision >> 16 != GPT_REVISION_1_0 >> 16)
		return gpt_bad(why, "revision is not 1.x", -EBADMSG);
	if (out->header_size < GPT_HEADER_MIN_SIZE)
		return gpt_bad(why, "HeaderSize below 92", -EBADMSG);
	if (out->header_size > len)
		return gpt_bad(why, "HeaderSize beyond the sector", -EBADMSG);
	if (gpt_header_crc(p, out->header_size) != out->header_crc32)
		return gpt_bad(why, "HeaderCRC32 mismatch", -EBADMSG);
	if (out->my_lba != lba)
		return gpt_bad(why, "MyLBA is not the LBA the header was read from", -EBADMSG);
	if (out->first_usable_lba > out->last_usable_lba)
		return gpt_bad(why, "FirstUsableLBA above LastUsableLBA", -EBADMSG);
	if (!gpt_stride_ok(out->size_of_partition_entry))
		return gpt_bad(why, "SizeOfPartitionEntry is not 128 x 2^n (<= 4096)", -EBADMSG);
	if (out->number_of_partition_entries == 0 ||
	    out->number_of_partition_entries > GPT_MAX_ENTRIES)
		return gpt_bad(why, "NumberOfPartitionEntries is 0 or above 1024", -EBADMSG);
	gpt_set_why(why, NULL);
	return 0;
}

/* Sectors the entry array occupies (the header's fields already checked). */
static uint64_t gpt_array_sectors(const struct gpt_header *h, uint32_t sector_size)
{
	uint64_t bytes = (uint64_t)h->number_of_partition_entries * h->size_of_partition_entry;

	return (bytes + sector_size - 1) / sector_size;
}

int gpt_header_fits(const struct gpt_header *h, uint64_t disk_sectors, uint32_t sector_size,
		    const char **why)
{
	uint64_t last = disk_sectors - 1, n, lba;

	if (h == NULL || sector_size < 512 || disk_sectors < 3 || !gpt_stride_ok(h->size_of_partition_entry))
		return gpt_bad(why, "disk or header unusable", -EBADMSG);
	if (h->header_size > sector_size)
		return gpt_bad(why, "HeaderSize larger than a sector", -EBADMSG);
	if (h->first_usable_lba < 2 || h->last_usable_lba >= last)
		return gpt_bad(why, "usable LBAs overlap a header or pass the disk's end", -EBADMSG);
	n = gpt_array_sectors(h, sector_size);
	lba = h->partition_entry_lba;
	if (lba < 2 || lba > last || n > last - lba)
		return gpt_bad(why, "partition entry array outside the disk's metadata area", -EBADMSG);
	if (!(lba + n <= h->first_usable_lba || lba > h->last_usable_lba))
		return gpt_bad(why, "partition entry array overlaps the usable LBAs", -EBADMSG);
	if (h->my_lba >= lba && h->my_lba - lba < n)
		return gpt_bad(why, "partition entry array covers its own header", -EBADMSG);
	gpt_set_why(why, NULL);
	return 0;
}

/* ---------------------------------------------------------------- entries */

int gpt_entry_at(const void *buf, size_t len, uint32_t entry_size, uint32_t index,
		 struct gpt_part *out)
{
	static const struct efi_guid unused;
	const uint8_t *p = buf;
	uint64_t off;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (p == NULL || !gpt_stride_ok(entry_size))
		return -EINVAL;
	off = (uint64_t)index * entry_size;
	if (off > len || len - off < GPT_ENTRY_MIN_SIZE)
		return -ENOENT;
	p += off;
	memcpy(out->type.b, p, sizeof(out->type.b));
	if (efi_guid_eq(&out->type, &unused))
		return -ENOENT;
	out->index = index + 1;
	memcpy(out->unique.b, p + 0x10, sizeof(out->unique.b));
	out->first_lba = le_get64(p + 0x20);
	out->last_lba = le_get64(p + 0x28);
	out->attributes = le_get64(p + 0x30);
	efi_utf16_to_ascii(p + 0x38, 2 * GPT_NAME_UNITS, out->name, sizeof(out->name));
	return 0;
}

int gpt_part_check(const struct gpt_header *h, struct gpt_part *p)
{
	if (p->first_lba > p->last_lba) {
		p->problem = "StartingLBA above EndingLBA";
		return -ERANGE;
	}
	if (p->first_lba < h->first_usable_lba || p->last_lba > h->last_usable_lba) {
		p->problem = "outside the disk's usable LBAs";
		return -ERANGE;
	}
	return 0;
}

/* Two used partitions sharing a sector: neither may be written. */
static void gpt_mark_overlaps(struct gpt_info *info)
{
	for (unsigned i = 0; i < info->nparts; i++) {
		struct gpt_part *a = &info->parts[i];

		for (unsigned j = i + 1; j < info->nparts; j++) {
			struct gpt_part *b = &info->parts[j];

			if (a->first_lba > a->last_lba || b->first_lba > b->last_lba)
				continue;
			if (a->first_lba <= b->last_lba && b->first_lba <= a->last_lba) {
				if (a->problem == NULL)
					a->problem = "overlaps another partition";
				if (b->problem == NULL)
					b->problem = "overlaps another partition";
			}
		}
	}
}

static void gpt_keep(struct gpt_info *info, const struct gpt_header *h, struct gpt_part *p)
{
	gpt_part_check(h, p);
	if (info->nparts < GPT_MAX_PARTS)
		info->parts[info->nparts++] = *p;
	else
		info->dropped++;
}

/*
 * Walk the entry array of h: CRC32 over its bytes and, when keep != NULL,
 * the used entries into keep.  Returns 0 (CRC matches), -EBADMSG with *why,
 * or a read error.
 */
static int gpt_walk_array(struct blkdev *dev, const struct gpt_header *h, uint8_t *scratch,
			  size_t scratch_len, struct gpt_info *keep, const char **why)
{
	uint32_t ss = dev->sector_size, es = h->size_of_partition_entry, index = 0;
	uint32_t unit = es > ss ? es : ss;
	uint64_t left = (uint64_t)h->number_of_partition_entries * es, lba = h->partition_entry_lba;
	uint64_t chunk = scratch_len / unit * unit / ss;
	uint32_t crc = 0;

	if (chunk == 0)
		return gpt_bad(why, "SizeOfPartitionEntry larger than the scratch buffer", -EBADMSG);
	if (chunk > GPT_CHUNK_MAX_SECTORS)
		chunk = GPT_CHUNK_MAX_SECTORS;
	while (left) {
		uint64_t n = (left + ss - 1) / ss < chunk ? (left + ss - 1) / ss : chunk;
		size_t bytes = (size_t)(n * ss < left ? n * ss : left);
		struct gpt_part p;
		int err = blkdev_read(dev, lba, (uint32_t)n, scratch);

		if (err)
			return gpt_bad(why, "partition entry array unreadable", err);
		crc = crc32_update(crc, scratch, bytes);
		for (uint32_t i = 0; keep != NULL && i < bytes / es; i++)
			if (gpt_entry_at(scratch, bytes, es, i, &p) == 0) {
				p.index = index + i + 1;
				gpt_keep(keep, h, &p);
			}
		index += (uint32_t)(bytes / es);
		left -= bytes;
		lba += n;
	}
	if (crc != h->partition_entry_array_crc32)
		return gpt_bad(why, "PartitionEntryArrayCRC32 mismatch", -EBADMSG);
	return 0;
}

/*
 * Read, parse and place the header at lba, then walk its array.  Returns
 * 0, -EBADMSG (*why says which rule) or a read error (*why set too).
 */
static int gpt_try(struct blkdev *dev, uint64_t lba, uint8_t *scratch, size_t scratch_len,
		   struct gpt_header *h, struct gpt_info *keep, const char **why)
{
	int err = blkdev_read(dev, lba, 1, scratch);

	if (err)
		return gpt_bad(why, "header sector unreadable", err);
	err = gpt_header_parse(scratch, dev->sector_size, lba, h, why);
	if (err == 0)
		err = gpt_header_fits(h, dev->sectors, dev->sector_size, why);
	if (err == 0)
		err = gpt_walk_array(dev, h, scratch, scratch_len, keep, why);
	if (err && keep != NULL) {
		keep->nparts = 0;
		keep->dropped = 0;
	}
	return err;
}

/* The backup must describe the same disk and the same entries. */
static const char *gpt_backup_disagrees(const struct gpt_header *pri, const struct gpt_header *bak)
{
	if (!efi_guid_eq(&pri->disk_guid, &bak->disk_guid))
		return "backup header's DiskGUID differs from the primary's";
	if (pri->partition_entry_array_crc32 != bak->partition_entry_array_crc32 ||
	    pri->number_of_partition_entries != bak->number_of_partition_entries ||
	    pri->size_of_partition_entry != bak->size_of_partition_entry)
		return "backup entry array differs from the primary's";
	if (pri->first_usable_lba != bak->first_usable_lba ||
	    pri->last_usable_lba != bak->last_usable_lba)
		return "backup header's usable LBAs differ from the primary's";
	if (pri->alternate_lba != bak->my_lba)
		return "primary's AlternateLBA is not the last LBA";
	if (bak->alternate_lba != pri->my_lba)
		return "backup's AlternateLBA is not LBA 1";
	return NULL;
}

int gpt_read(struct blkdev *dev, void *scratch, size_t scratch_len, struct gpt_info *out)
{
	struct gpt_header bak;
	int ep, eb;

	if (dev == NULL || scratch == NULL || out == NULL || scratch_len < dev->sector_size)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->sector_size = dev->sector_size;
	out->disk_sectors = dev->sectors;
	out->pmbr = GPT_PMBR_ABSENT;
	if (dev->sectors < 3) {
		out->primary_problem = out->backup_problem = "device too small for a GPT";
		return -ENODEV;
	}
	ep = blkdev_read(dev, 0, 1, scratch);
	if (ep)
		return ep;
	out->pmbr = gpt_pmbr_check(scratch, dev->sector_size);
	gpt_mbr_records(scratch, dev->sector_size, out->mbr);
	/* A read error in one copy is that copy's problem; the other may do. */
	ep = gpt_try(dev, 1, scratch, scratch_len, &out->hdr, out, &out->primary_problem);
	eb = gpt_try(dev, dev->sectors - 1, scratch, scratch_len, &bak, ep ? out : NULL,
		     &out->backup_problem);
	out->primary_ok = ep == 0;
	out->backup_ok = eb == 0;
	if (ep == 0 && eb == 0) {
		out->alt = bak;
		out->backup_problem = gpt_backup_disagrees(&out->hdr, &bak);
	}
	if (ep != 0 && eb != 0)
		return ep != -EBADMSG || eb != -EBADMSG ? -EIO : -ENODEV;
	if (ep != 0) {
		out->hdr = bak;
		out->used_backup = true;
	}
	gpt_mark_overlaps(out);
	return 0;
}

/* ------------------------------------------------------------ the write rule */

/* Sectors [a0, a1] and [b0, b1] (inclusive, a0 <= a1) share one. */
static bool gpt_ranges_meet(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 <= b1 && b0 <= a1;
}

/* p shares a sector with h's header or entry array. */
static bool gpt_part_meets_header(const struct gpt_info *info, const struct gpt_header *h,
				  const struct gpt_part *p)
{
	uint64_t n = gpt_array_sectors(h, info->sector_size);

	if (gpt_ranges_meet(p->first_lba, p->last_lba, h->my_lba, h->my_lba))
		return true;
	return n > 0 && gpt_ranges_meet(p->first_lba, p->last_lba, h->partition_entry_lba,
					 h->partition_entry_lba + n - 1);
}

const char *gpt_disk_refusal(const struct gpt_info *info)
{
	if (info == NULL || info->sector_size == 0)
		return "no GPT was read";
	if (!info->primary_ok && !info->backup_ok)
		return info->pmbr == GPT_PMBR_NONE ?
		       "no valid GPT and an MBR without a protective 0xEE entry (an MBR disk)" :
		       "no valid GPT (neither the primary nor the backup header passes)";
	if (info->pmbr == GPT_PMBR_NONE)
		return !info->primary_ok ?
		       "a GPT only in its backup copy and an MBR without a protective 0xEE entry (an MBR disk)" :
		       "a GPT but an MBR without a protective 0xEE entry (an MBR disk: systems ignore the GPT)";
	if (info->pmbr == GPT_PMBR_ABSENT)
		return !info->primary_ok ?
		       "a GPT only in its backup copy and no MBR (no 0x55aa in LBA 0)" :
		       "no protective MBR (no 0x55aa in LBA 0)";
	if (!info->primary_ok)
		return "only the backup GPT is valid (the primary is damaged or was wiped)";
	if (!info->backup_ok)
		return "only the primary GPT is valid (the backup at the disk's end is damaged or missing)";
	if (info->backup_problem != NULL)
		return "primary and backup GPT disagree (two different partition tables)";
	if (info->dropped > 0)
		return "more used GPT entries than postmortem checks (128)";
	return NULL;
}

const char *gpt_write_refusal(const struct gpt_info *info, const struct gpt_part *p)
{
	const char *why = gpt_disk_refusal(info);

	if (why != NULL)
		return why;
	if (p == NULL)
		return "no such partition";
	if (p->problem != NULL)
		return p->problem;
	if (p->first_lba > p->last_lba || p->last_lba >= info->disk_sectors)
		return "outside the disk";
	if (gpt_part_meets_header(info, &info->hdr, p) || gpt_part_meets_header(info, &info->alt, p))
		return "overlaps a GPT header or entry array";
	if (info->pmbr == GPT_PMBR_HYBRID)
		for (unsigned i = 0; i < 4; i++) {
			const struct gpt_mbr_rec *r = &info->mbr[i];

			if (r->type == 0 || r->type == 0xee || r->sectors == 0)
				continue;
			if (gpt_ranges_meet(p->first_lba, p->last_lba, r->first_lba,
					    (uint64_t)r->first_lba + r->sectors - 1))
				return "overlaps a partition of the hybrid MBR (a record other than 0xEE)";
		}
	return NULL;
}

const struct gpt_part *gpt_find_type_any(const struct gpt_info *info, const struct efi_guid *type,
					 unsigned nth)
{
	for (unsigned i = 0; info != NULL && i < info->nparts; i++) {
		const struct gpt_part *p = &info->parts[i];

		if (efi_guid_eq(&p->type, type) && nth-- == 0)
			return p;
	}
	return NULL;
}

/* ------------------------------------------------------------ MBR, names */

void gpt_mbr_records(const void *sector, size_t len, struct gpt_mbr_rec mbr[4])
{
	const uint8_t *p = sector;

	memset(mbr, 0, 4 * sizeof(*mbr));
	if (p == NULL || len < 512 || p[510] != 0x55 || p[511] != 0xaa)
		return;
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *r = p + 446 + 16 * i;

		mbr[i].type = r[4];
		mbr[i].first_lba = le_get32(r + 8);
		mbr[i].sectors = le_get32(r + 12);
	}
}

enum gpt_pmbr gpt_pmbr_check(const void *sector, size_t len)
{
	const uint8_t *p = sector;
	unsigned ee = 0, other = 0;

	if (p == NULL || len < 512 || p[510] != 0x55 || p[511] != 0xaa)
		return GPT_PMBR_ABSENT;
	for (unsigned i = 0; i < 4; i++) {
		uint8_t type = p[446 + 16 * i + 4];	/* OSType */

		if (type == 0xee)
			ee++;
		else if (type != 0)
			other++;
	}
	if (ee == 0)
		return GPT_PMBR_NONE;
	return other ? GPT_PMBR_HYBRID : GPT_PMBR_PROTECTIVE;
}

const char *gpt_pmbr_name(enum gpt_pmbr s)
{
	switch (s) {
	case GPT_PMBR_PROTECTIVE:
		return "protective MBR";
	case GPT_PMBR_HYBRID:
		return "hybrid MBR";
	case GPT_PMBR_NONE:
		return "MBR without a GPT record";
	case GPT_PMBR_ABSENT:
		break;
	}
	return "no MBR";
}

static const struct {
	struct efi_guid guid;
	const char *name;
} gpt_types[] = {
	{ GPT_TYPE_EFI_SYSTEM, "EFI system" },
	{ GPT_TYPE_POSTMORTEM_DUMP, "postmortem dump" },
	{ GPT_TYPE_LINUX_FS, "Linux filesystem" },
	{ GPT_TYPE_LINUX_SWAP, "Linux swap" },
	/* The rest as util-linux's libfdisk and the Discoverable Partitions Specification list them. */
	{ EFI_GUID_INIT(0x21686148, 0x6449, 0x6e6f, 0x74, 0x4e, 0x65, 0x65, 0x64, 0x45, 0x46, 0x49),
	  "BIOS boot" },
	{ EFI_GUID_INIT(0x4f68bce3, 0xe8cd, 0x4db1, 0x96, 0xe7, 0xfb, 0xca, 0xf9, 0x84, 0xb7, 0x09),
	  "Linux root (x86-64)" },
	{ EFI_GUID_INIT(0xbc13c2ff, 0x59e6, 0x4262, 0xa3, 0x52, 0xb2, 0x75, 0xfd, 0x6f, 0x71, 0x72),
	  "Linux extended boot" },
	{ EFI_GUID_INIT(0x933ac7e1, 0x2eb4, 0x4f13, 0xb8, 0x44, 0x0e, 0x14, 0xe2, 0xae, 0xf9, 0x15),
	  "Linux home" },
	{ EFI_GUID_INIT(0xe6d6d379, 0xf507, 0x44c2, 0xa2, 0x3c, 0x23, 0x8f, 0x2a, 0x3d, 0xf9, 0x28),
	  "Linux LVM" },
	{ EFI_GUID_INIT(0xa19d880f, 0x05fc, 0x4d3b, 0xa0, 0x06, 0x74, 0x3f, 0x0f, 0x84, 0x91, 0x1e),
	  "Linux RAID" },
	{ EFI_GUID_INIT(0xca7d7ccb, 0x63ed, 0x4c53, 0x86, 0x1c, 0x17, 0x42, 0x53, 0x60, 0x59, 0xcc),
	  "Linux LUKS" },
	{ EFI_GUID_INIT(0xebd0a0a2, 0xb9e5, 0x4433, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7),
	  "Microsoft basic data" },
	{ EFI_GUID_INIT(0xe3c9e316, 0x0b5c, 0x4db8, 0x81, 0x7d, 0xf9, 0x2d, 0xf0, 0x02, 0x15, 0xae),
	  "Microsoft reserved" },
	{ EFI_GUID_INIT(0xde94bba4, 0x06d1, 0x4d40, 0xa1, 0x6a, 0xbf, 0xd5, 0x01, 0x79, 0xd6, 0xac),
	  "Windows recovery" },
	{ EFI_GUID_INIT(0x516e7cb6, 0x6ecf, 0x11d6, 0x8f, 0xf8, 0x00, 0x02, 0x2d, 0x09, 0x71, 0x2b),
	  "FreeBSD UFS" },
	{ EFI_GUID_INIT(0x516e7cb5, 0x6ecf, 0x11d6, 0x8f, 0xf8, 0x00, 0x02, 0x2d, 0x09, 0x71, 0x2b),
	  "FreeBSD swap" },
};

const char *gpt_type_name(const struct efi_guid *type)
{
	for (size_t i = 0; i < sizeof(gpt_types) / sizeof(gpt_types[0]); i++)
		if (efi_guid_eq(type, &gpt_types[i].guid))
			return gpt_types[i].name;
	return NULL;
}

const struct gpt_part *gpt_find_type(const struct gpt_info *info, const struct efi_guid *type,
				     unsigned nth)
{
	for (unsigned i = 0; info != NULL && i < info->nparts; i++) {
		const struct gpt_part *p = &info->parts[i];

		if (p->problem == NULL && efi_guid_eq(&p->type, type) && nth-- == 0)
			return p;
	}
	return NULL;
}

const struct gpt_part *gpt_find_index(const struct gpt_info *info, uint32_t index)
{
	for (unsigned i = 0; info != NULL && i < info->nparts; i++)
		if (info->parts[i].index == index)
			return &info->parts[i];
	return NULL;
}
