/* Host tests for formats/gpt.c: GPT images built in memory (RAM blkdev)
 * by a small writer here, then read back: a good table, a damaged primary
 * header or entry array with a good backup, both bad, entry sizes 256 and
 * 1024 (entries larger than a sector), too many entries, partitions outside
 * the usable range, reversed or overlapping, more used entries than
 * gpt_info keeps, 4096-byte sectors, read errors, the protective MBR
 * states, name decoding and the pure helpers on bare buffers.  Images made
 * by sgdisk, sfdisk and fdisk are read in tests/savecore_tool_test.sh. */
#include <errno.h>

#include "tests/unit/test.h"
#include "crypto/crc32.h"
#include "formats/blkdev.h"
#include "formats/guid.h"
#include "formats/gpt.h"

#define DISK_MAX	(4u << 20)

static uint8_t disk[DISK_MAX];
static uint8_t scratch[64 << 10];
static struct gpt_info info;

static const struct efi_guid esp = GPT_TYPE_EFI_SYSTEM;
static const struct efi_guid dump = GPT_TYPE_POSTMORTEM_DUMP;
static const struct efi_guid linuxfs = GPT_TYPE_LINUX_FS;
static const struct efi_guid diskid = EFI_GUID_INIT(0x11223344, 0x5566, 0x7788,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00);

static void put64(uint8_t *p, uint64_t v)
{
	test_put32(p, (uint32_t)v);
	test_put32(p + 4, (uint32_t)(v >> 32));
}

struct part_spec {
	const struct efi_guid *type;
	uint64_t first, last;
	const char *name;
	uint32_t slot;		/* entry number - 1 */
};

/* What a table looks like; mkgpt() fills defaults for zero fields. */
struct spec {
	uint32_t ss;
	uint64_t sectors;
	uint32_t n_entries, entry_size;
	const struct part_spec *parts;
	unsigned nparts;
};

static struct blkdev dev;

static void write_entry(uint8_t *e, const struct part_spec *p)
{
	memcpy(e, p->type->b, 16);
	for (int i = 0; i < 16; i++)
		e[16 + i] = (uint8_t)(0xa0 + p->slot + i);
	put64(e + 0x20, p->first);
	put64(e + 0x28, p->last);
	put64(e + 0x30, p->slot == 0 ? GPT_ATTR_REQUIRED : 0);
	for (size_t i = 0; p->name && p->name[i] && i < GPT_NAME_UNITS; i++) {
		e[0x38 + 2 * i] = (uint8_t)p->name[i];
		e[0x38 + 2 * i + 1] = 0;
	}
}

static void write_header(uint8_t *h, const struct spec *s, uint64_t my, uint64_t alt,
			 uint64_t array_lba, uint64_t first, uint64_t last, uint32_t array_crc)
{
	memset(h, 0, s->ss);
	memcpy(h, "EFI PART", 8);
	test_put32(h + 0x08, GPT_REVISION_1_0);
	test_put32(h + 0x0c, 92);
	put64(h + 0x18, my);
	put64(h + 0x20, alt);
	put64(h + 0x28, first);
	put64(h + 0x30, last);
	memcpy(h + 0x38, diskid.b, 16);
	put64(h + 0x48, array_lba);
	test_put32(h + 0x50, s->n_entries);
	test_put32(h + 0x54, s->entry_size);
	test_put32(h + 0x58, array_crc);
	test_put32(h + 0x10, crc32(h, 92));
}

/* Re-seal a header's CRC after a test edited it (header at byte offset off). */
static void reseal(size_t off)
{
	test_put32(disk + off + 0x10, 0);
	test_put32(disk + off + 0x10, crc32(disk + off, 92));
}

/* Build a whole GPT disk image per s into disk[] and a RAM blkdev over it. */
static void mkgpt(struct spec *s)
{
	uint64_t bytes, array_sectors, first, last;
	uint8_t *array;
	uint32_t crc;

	s->ss = s->ss ? s->ss : 512;
	s->sectors = s->sectors ? s->sectors : 2048;
	s->n_entries = s->n_entries ? s->n_entries : 128;
	s->entry_size = s->entry_size ? s->entry_size : 128;
	memset(disk, 0, sizeof(disk));
	bytes = (uint64_t)s->n_entries * s->entry_size;
	array_sectors = (bytes + s->ss - 1) / s->ss;
	first = 2 + array_sectors;
	last = s->sectors - 2 - array_sectors;
	array = disk + 2 * s->ss;
	for (unsigned i = 0; i < s->nparts; i++)
		write_entry(array + (size_t)s->parts[i].slot * s->entry_size, &s->parts[i]);
	crc = crc32(array, (size_t)bytes);
	memcpy(disk + (s->sectors - 1 - array_sectors) * s->ss, array, (size_t)bytes);
	write_header(disk + s->ss, s, 1, s->sectors - 1, 2, first, last, crc);
	write_header(disk + (s->sectors - 1) * s->ss, s, s->sectors - 1, 1,
		     s->sectors - 1 - array_sectors, first, last, crc);
	disk[510] = 0x55;			/* protective MBR */
	disk[511] = 0xaa;
	disk[446 + 4] = 0xee;
	test_put32(disk + 446 + 8, 1);
	test_put32(disk + 446 + 12, (uint32_t)(s->sectors - 1));
	blkdev_ram_init(&dev, "ram0", disk, (size_t)(s->sectors * s->ss), s->ss);
}

static const struct part_spec two[] = {
	{ &esp, 2048 / 4, 1023, "EFI system partition", 0 },
	{ &dump, 1024, 1999, "postmortem dump", 1 },
};

TEST(good_table)
{
	struct spec s = { .parts = two, .nparts = 2 };
	char g[EFI_GUID_STR_LEN + 1];

	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_EQ(info.pmbr, GPT_PMBR_PROTECTIVE);
	CHECK(!info.used_backup);
	CHECK(info.primary_problem == NULL);
	CHECK(info.backup_problem == NULL);
	CHECK_EQ(info.nparts, 2);
	CHECK_EQ(info.dropped, 0);
	CHECK_EQ(info.hdr.first_usable_lba, 34);
	CHECK_EQ(info.hdr.last_usable_lba, 2048 - 34);
	CHECK(efi_guid_eq(&info.hdr.disk_guid, &diskid));
	CHECK_EQ(info.parts[0].index, 1);
	CHECK_EQ(info.parts[0].first_lba, 512);
	CHECK_EQ(info.parts[0].last_lba, 1023);
	CHECK_EQ(info.parts[0].attributes, GPT_ATTR_REQUIRED);
	CHECK_STR(info.parts[0].name, "EFI system partition");
	CHECK_STR(gpt_type_name(&info.parts[0].type), "EFI system");
	CHECK_EQ(info.parts[1].index, 2);
	CHECK_STR(gpt_type_name(&info.parts[1].type), "postmortem dump");
	CHECK_EQ(info.parts[1].unique.b[0], 0xa1);
	CHECK(info.parts[1].problem == NULL);
	CHECK(gpt_find_type(&info, &dump, 0) == &info.parts[1]);
	CHECK(gpt_find_type(&info, &dump, 1) == NULL);
	CHECK(gpt_find_type(&info, &linuxfs, 0) == NULL);
	CHECK(gpt_find_index(&info, 2) == &info.parts[1]);
	CHECK(gpt_find_index(&info, 3) == NULL);
	efi_guid_format(&info.parts[1].type, g);
	CHECK_STR(g, "9cd6ae46-cf19-4c5c-b341-57f4b21dfd41");
	efi_guid_format(&info.parts[0].type, g);
	CHECK_STR(g, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
	/* Any scratch of at least one sector does: one sector per read. */
	CHECK_EQ(gpt_read(&dev, scratch, 512, &info), 0);
	CHECK_EQ(info.nparts, 2);
	CHECK_EQ(gpt_read(&dev, scratch, 511, &info), -EINVAL);
	CHECK_EQ(gpt_read(NULL, scratch, 512, &info), -EINVAL);
}

TEST(primary_bad_backup_good)
{
	struct spec s = { .parts = two, .nparts = 2 };

	mkgpt(&s);
	disk[512 + 0x30] ^= 1;			/* LastUsableLBA, CRC now wrong */
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(info.used_backup);
	CHECK_STR(info.primary_problem, "HeaderCRC32 mismatch");
	CHECK(info.backup_problem == NULL);
	CHECK_EQ(info.hdr.my_lba, 2047);
	CHECK_EQ(info.hdr.partition_entry_lba, 2047 - 32);
	CHECK_EQ(info.nparts, 2);
	CHECK_STR(info.parts[1].name, "postmortem dump");

	mkgpt(&s);
	disk[2 * 512 + 128 + 0x20] ^= 1;	/* primary array: entry 2's StartingLBA */
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(info.used_backup);
	CHECK_STR(info.primary_problem, "PartitionEntryArrayCRC32 mismatch");
	CHECK_EQ(info.parts[1].first_lba, 1024);

	mkgpt(&s);
	put64(disk + 512 + 0x18, 2);		/* MyLBA wrong, CRC resealed */
	reseal(512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_STR(info.primary_problem, "MyLBA is not the LBA the header was read from");

	mkgpt(&s);				/* backup bad: primary used, problem noted */
	disk[2047 * 512] = 'X';
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(!info.used_backup);
	CHECK_STR(info.backup_problem, "no \"EFI PART\" signature");
	CHECK_EQ(info.nparts, 2);
}

TEST(both_bad)
{
	struct spec s = { .parts = two, .nparts = 2 };

	mkgpt(&s);
	disk[512] = 'X';
	disk[2047 * 512 + 0x10] ^= 0x80;
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), -ENODEV);
	CHECK_STR(info.primary_problem, "no \"EFI PART\" signature");
	CHECK_STR(info.backup_problem, "HeaderCRC32 mismatch");
	CHECK_EQ(info.nparts, 0);
	CHECK_EQ(info.pmbr, GPT_PMBR_PROTECTIVE);

	memset(disk, 0, 4096);			/* a device of 2 sectors */
	blkdev_ram_init(&dev, "tiny", disk, 1024, 512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), -ENODEV);
	CHECK_STR(info.primary_problem, "device too small for a GPT");
}

TEST(backup_disagrees)
{
	struct spec s = { .parts = two, .nparts = 2 };

	mkgpt(&s);
	disk[2047 * 512 + 0x38] ^= 1;		/* backup DiskGUID */
	reseal(2047 * 512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(!info.used_backup);
	CHECK_STR(info.backup_problem, "backup header's DiskGUID differs from the primary's");
}

TEST(entry_sizes)
{
	struct spec s = { .entry_size = 256, .parts = two, .nparts = 2 };

	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_EQ(info.hdr.size_of_partition_entry, 256);
	CHECK_EQ(info.hdr.first_usable_lba, 2 + 64);
	CHECK_EQ(info.nparts, 2);
	CHECK_STR(info.parts[1].name, "postmortem dump");
	CHECK_EQ(info.parts[1].first_lba, 1024);
	/* 1024-byte entries on 512-byte sectors: each spans two sectors. */
	s = (struct spec){ .entry_size = 1024, .n_entries = 16, .parts = two, .nparts = 2 };
	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_EQ(info.nparts, 2);
	CHECK_EQ(info.parts[1].index, 2);
	CHECK_STR(info.parts[1].name, "postmortem dump");
	CHECK_EQ(gpt_read(&dev, scratch, 512, &info), -ENODEV);	/* scratch < one entry */
	CHECK_STR(info.primary_problem, "SizeOfPartitionEntry larger than the scratch buffer");
	/* Not 128 x 2^n. */
	s = (struct spec){ .entry_size = 192, .parts = two, .nparts = 2 };
	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), -ENODEV);
	CHECK_STR(info.primary_problem, "SizeOfPartitionEntry is not 128 x 2^n (<= 4096)");
	s = (struct spec){ .entry_size = 8192, .n_entries = 4, .parts = two, .nparts = 2 };
	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), -ENODEV);
}

TEST(entry_counts)
{
	static struct part_spec many[200];
	struct spec s = { .n_entries = 2000, .sectors = 8192, .parts = two, .nparts = 2 };

	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), -ENODEV);
	CHECK_STR(info.primary_problem, "NumberOfPartitionEntries is 0 or above 1024");
	/* 1024 entries: the limit itself is fine; 200 used, 128 kept. */
	for (unsigned i = 0; i < 200; i++)
		many[i] = (struct part_spec){ &linuxfs, 600 + 10 * i, 600 + 10 * i + 9, "p", i };
	s = (struct spec){ .n_entries = 1024, .sectors = 8192, .parts = many, .nparts = 200 };
	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, 4096, &info), 0);
	CHECK_EQ(info.nparts, GPT_MAX_PARTS);
	CHECK_EQ(info.dropped, 200 - GPT_MAX_PARTS);
	CHECK_EQ(info.parts[127].index, 128);
	CHECK(info.parts[127].problem == NULL);
	/* Used entries anywhere in the array keep their own numbers. */
	many[0] = (struct part_spec){ &dump, 1024, 1999, "late", 99 };
	s = (struct spec){ .parts = many, .nparts = 1 };
	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_EQ(info.nparts, 1);
	CHECK_EQ(info.parts[0].index, 100);
	s = (struct spec){ .n_entries = 0, .parts = two, .nparts = 2 };
	mkgpt(&s);
	test_put32(disk + 512 + 0x50, 0);
	reseal(512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);	/* backup fine */
	CHECK(info.used_backup);
}

TEST(partition_ranges)
{
	static const struct part_spec bad[] = {
		{ &linuxfs, 10, 100, "before usable", 0 },
		{ &linuxfs, 2000, 2040, "past usable", 1 },
		{ &linuxfs, 900, 800, "reversed", 2 },
		{ &dump, 1000, 1200, "dump", 3 },
		{ &linuxfs, 1200, 1300, "shares 1200", 4 },
		{ &dump, 1400, 1500, "fine dump", 5 },
	};
	struct spec s = { .parts = bad, .nparts = 6 };

	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_EQ(info.nparts, 6);
	CHECK_STR(info.parts[0].problem, "outside the disk's usable LBAs");
	CHECK_STR(info.parts[1].problem, "outside the disk's usable LBAs");
	CHECK_STR(info.parts[2].problem, "StartingLBA above EndingLBA");
	CHECK_STR(info.parts[3].problem, "overlaps another partition");
	CHECK_STR(info.parts[4].problem, "overlaps another partition");
	CHECK(info.parts[5].problem == NULL);
	CHECK(gpt_find_type(&info, &dump, 0) == &info.parts[5]);	/* skips the overlap */
	CHECK(gpt_find_index(&info, 4) == &info.parts[3]);		/* found, unusable */
}

TEST(names)
{
	static const struct part_spec named[] = {
		{ &linuxfs, 100, 199, "abcdefghijklmnopqrstuvwxyz0123456789", 0 },
		{ &linuxfs, 200, 299, "", 1 },
	};
	struct spec s = { .parts = named, .nparts = 2 };

	mkgpt(&s);
	/* Entry 2: "Ü-ok" then a surrogate, as UTF-16LE. */
	uint8_t *e = disk + 2 * 512 + 128 + 0x38;
	const uint16_t name[] = { 0x00dc, '-', 'o', 'k', 0xd83d, 0xde00, 0 };
	for (size_t i = 0; i < sizeof(name) / 2; i++) {
		e[2 * i] = (uint8_t)name[i];
		e[2 * i + 1] = (uint8_t)(name[i] >> 8);
	}
	test_put32(disk + 512 + 0x58, crc32(disk + 1024, 128 * 128));
	reseal(512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(!info.used_backup);
	CHECK_STR(info.parts[0].name, "abcdefghijklmnopqrstuvwxyz0123456789");	/* 36, no NUL */
	CHECK_STR(info.parts[1].name, "?-ok??");
}

TEST(sectors_4k)
{
	static const struct part_spec p4[] = {
		{ &esp, 256, 300, "esp", 0 },
		{ &dump, 301, 900, "dump", 1 },
	};
	struct spec s = { .ss = 4096, .sectors = 1024, .parts = p4, .nparts = 2 };

	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_EQ(info.sector_size, 4096);
	CHECK_EQ(info.hdr.partition_entry_lba, 2);
	CHECK_EQ(info.hdr.first_usable_lba, 6);
	CHECK_EQ(info.nparts, 2);
	CHECK_EQ(gpt_read(&dev, scratch, 2048, &info), -EINVAL);	/* < one sector */
	/* The same bytes seen with 512-byte sectors: no GPT at LBA 1. */
	blkdev_ram_init(&dev, "ram512", disk, 1024 * 4096, 512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), -ENODEV);
}

/* A RAM device whose reads of one LBA fail. */
static uint64_t bad_lba;
static int failing_read(struct blkdev *d, uint64_t lba, uint32_t count, void *buf)
{
	if (bad_lba >= lba && bad_lba - lba < count)
		return -EIO;
	memcpy(buf, (uint8_t *)d->priv + lba * d->sector_size, (size_t)count * d->sector_size);
	return 0;
}
static const struct blkdev_ops failing_ops = { failing_read, NULL, NULL };

TEST(read_errors)
{
	struct spec s = { .parts = two, .nparts = 2 };

	mkgpt(&s);
	dev.ops = &failing_ops;
	bad_lba = 1;
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(info.used_backup);
	CHECK_STR(info.primary_problem, "header sector unreadable");
	bad_lba = 5;				/* inside the primary array */
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_STR(info.primary_problem, "partition entry array unreadable");
	bad_lba = 0;
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), -EIO);
	bad_lba = 2047;				/* backup unreadable: primary still used */
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_STR(info.backup_problem, "header sector unreadable");
}

TEST(pmbr_states)
{
	uint8_t mbr[512] = { 0 };

	CHECK_EQ(gpt_pmbr_check(mbr, sizeof(mbr)), GPT_PMBR_ABSENT);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	CHECK_EQ(gpt_pmbr_check(mbr, sizeof(mbr)), GPT_PMBR_NONE);
	mbr[446 + 16 + 4] = 0xee;
	CHECK_EQ(gpt_pmbr_check(mbr, sizeof(mbr)), GPT_PMBR_PROTECTIVE);
	mbr[446 + 4] = 0x83;
	CHECK_EQ(gpt_pmbr_check(mbr, sizeof(mbr)), GPT_PMBR_HYBRID);
	CHECK_EQ(gpt_pmbr_check(mbr, 511), GPT_PMBR_ABSENT);
	CHECK_STR(gpt_pmbr_name(GPT_PMBR_HYBRID), "hybrid MBR");
	CHECK_STR(gpt_pmbr_name((enum gpt_pmbr)42), "no MBR");
	/* A GPT without any MBR is still read, and says so. */
	struct spec s = { .parts = two, .nparts = 2 };
	mkgpt(&s);
	memset(disk, 0, 512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_EQ(info.pmbr, GPT_PMBR_ABSENT);
}

TEST(pure_helpers)
{
	struct spec s = { .parts = two, .nparts = 2 };
	struct gpt_header h;
	struct gpt_part p;
	const char *why;

	mkgpt(&s);
	CHECK_EQ(gpt_header_parse(disk + 512, 512, 1, &h, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(gpt_header_parse(disk + 512, 92, 1, &h, &why), 0);
	CHECK_EQ(gpt_header_parse(disk + 512, 91, 1, &h, &why), -EINVAL);
	CHECK_EQ(gpt_header_parse(NULL, 512, 1, &h, &why), -EINVAL);
	CHECK_EQ(gpt_header_parse(disk + 512, 512, 1, NULL, NULL), -EINVAL);
	CHECK_EQ(gpt_header_parse(disk + 512, 512, 3, &h, &why), -EBADMSG);
	CHECK_EQ(gpt_header_fits(&h, 2048, 512, &why), 0);
	CHECK_EQ(gpt_header_fits(&h, 1000, 512, &why), -EBADMSG);	/* disk shrank */
	CHECK_STR(why, "usable LBAs overlap a header or pass the disk's end");
	h.partition_entry_lba = 100;
	CHECK_EQ(gpt_header_fits(&h, 2048, 512, &why), -EBADMSG);
	CHECK_STR(why, "partition entry array overlaps the usable LBAs");
	h.partition_entry_lba = 2040;
	CHECK_EQ(gpt_header_fits(&h, 2048, 512, &why), -EBADMSG);
	CHECK_STR(why, "partition entry array outside the disk's metadata area");
	h.partition_entry_lba = 1;
	CHECK_EQ(gpt_header_fits(&h, 2048, 512, &why), -EBADMSG);
	test_put32(disk + 512 + 0x0c, 600);		/* HeaderSize past the buffer */
	reseal(512);
	CHECK_EQ(gpt_header_parse(disk + 512, 512, 1, &h, &why), -EBADMSG);
	CHECK_STR(why, "HeaderSize beyond the sector");
	test_put32(disk + 512 + 0x0c, 92);
	test_put32(disk + 512 + 0x08, 0x00020000);
	reseal(512);
	CHECK_EQ(gpt_header_parse(disk + 512, 512, 1, &h, &why), -EBADMSG);
	CHECK_STR(why, "revision is not 1.x");
	test_put32(disk + 512 + 0x08, 0x00010003);	/* 1.3: accepted */
	reseal(512);
	CHECK_EQ(gpt_header_parse(disk + 512, 512, 1, &h, &why), 0);
	put64(disk + 512 + 0x28, 3000);		/* FirstUsable > LastUsable */
	reseal(512);
	CHECK_EQ(gpt_header_parse(disk + 512, 512, 1, &h, &why), -EBADMSG);
	CHECK_STR(why, "FirstUsableLBA above LastUsableLBA");

	CHECK_EQ(gpt_entry_at(disk + 1024, 16384, 128, 1, &p), 0);
	CHECK_EQ(p.index, 2);
	CHECK_EQ(gpt_entry_at(disk + 1024, 16384, 128, 2, &p), -ENOENT);	/* unused */
	CHECK_EQ(gpt_entry_at(disk + 1024, 16384, 128, 128, &p), -ENOENT);	/* past end */
	CHECK_EQ(gpt_entry_at(disk + 1024, 255, 128, 1, &p), -ENOENT);	/* partial */
	CHECK_EQ(gpt_entry_at(disk + 1024, 16384, 100, 1, &p), -EINVAL);
	CHECK_EQ(gpt_entry_at(NULL, 16384, 128, 1, &p), -EINVAL);
	CHECK_EQ(gpt_entry_at(disk + 1024, 16384, 128, 0xffffffffu, &p), -ENOENT);
	CHECK(gpt_type_name(&diskid) == NULL);
	CHECK_STR(gpt_type_name(&linuxfs), "Linux filesystem");
}

/* Rewrite the backup array's entry `slot` StartingLBA and re-seal its CRCs (2048-sector disk). */
static void backup_entry_first(uint32_t slot, uint64_t first)
{
	size_t arr = (2047 - 32) * 512, hdr = 2047 * 512;

	put64(disk + arr + slot * 128 + 0x20, first);
	test_put32(disk + hdr + 0x58, crc32(disk + arr, 128 * 128));
	reseal(hdr);
}

/* LBA 0 as an MBR disk: one 0x83 record over the whole disk, no 0xEE. */
static void mbr_disk(void)
{
	memset(disk, 0, 446 + 64);
	disk[446 + 4] = 0x83;
	test_put32(disk + 446 + 8, 2048 / 4);
	test_put32(disk + 446 + 12, 2048 - 2048 / 4);
	disk[510] = 0x55;
	disk[511] = 0xaa;
}

TEST(write_rule_good_disk)
{
	struct spec s = { .parts = two, .nparts = 2 };

	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(info.primary_ok && info.backup_ok);
	CHECK_EQ(info.alt.my_lba, 2047);
	CHECK(gpt_disk_refusal(&info) == NULL);
	CHECK(gpt_write_refusal(&info, &info.parts[1]) == NULL);
	CHECK(gpt_write_refusal(&info, &info.parts[0]) == NULL);
	CHECK(gpt_find_type_any(&info, &dump, 0) == &info.parts[1]);
	CHECK(gpt_find_type_any(&info, &dump, 1) == NULL);
	CHECK_STR(gpt_disk_refusal(NULL), "no GPT was read");
	CHECK_STR(gpt_write_refusal(&info, NULL), "no such partition");
}

/* dd over the first MiB, then an MBR with one Linux partition: the backup GPT is stale. */
TEST(write_rule_stale_backup_gpt_on_mbr_disk)
{
	struct spec s = { .parts = two, .nparts = 2 };

	mkgpt(&s);
	memset(disk, 0, 34 * 512);
	mbr_disk();
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(info.used_backup);
	CHECK_EQ(info.pmbr, GPT_PMBR_NONE);
	CHECK(!info.primary_ok && info.backup_ok);
	CHECK_EQ(info.mbr[0].type, 0x83);
	CHECK_EQ(info.mbr[0].first_lba, 512);
	CHECK(gpt_find_type(&info, &dump, 0) != NULL);	/* the entry itself looks fine */
	CHECK_STR(gpt_write_refusal(&info, gpt_find_type_any(&info, &dump, 0)),
		  "a GPT only in its backup copy and an MBR without a protective 0xEE entry (an MBR disk)");
	/* Primary intact too but the MBR has no 0xEE: still an MBR disk. */
	mkgpt(&s);
	mbr_disk();
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_STR(gpt_disk_refusal(&info),
		  "a GPT but an MBR without a protective 0xEE entry (an MBR disk: systems ignore the GPT)");
	/* No GPT at all on an MBR disk. */
	memset(disk + 512, 0, 512);
	memset(disk + 2047 * 512, 0, 512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), -ENODEV);
	CHECK_STR(gpt_disk_refusal(&info),
		  "no valid GPT and an MBR without a protective 0xEE entry (an MBR disk)");
	/* No MBR signature at all. */
	mkgpt(&s);
	memset(disk, 0, 512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_STR(gpt_disk_refusal(&info), "no protective MBR (no 0x55aa in LBA 0)");
	memset(disk + 512, 0, 512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_STR(gpt_disk_refusal(&info),
		  "a GPT only in its backup copy and no MBR (no 0x55aa in LBA 0)");
}

TEST(write_rule_one_copy_only)
{
	struct spec s = { .parts = two, .nparts = 2 };

	mkgpt(&s);
	disk[512] = 'X';			/* primary gone, protective MBR kept */
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_STR(gpt_write_refusal(&info, gpt_find_type_any(&info, &dump, 0)),
		  "only the backup GPT is valid (the primary is damaged or was wiped)");
	mkgpt(&s);
	disk[2047 * 512] = 'X';			/* backup gone */
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(info.primary_ok && !info.backup_ok);
	CHECK_STR(gpt_write_refusal(&info, gpt_find_type_any(&info, &dump, 0)),
		  "only the primary GPT is valid (the backup at the disk's end is damaged or missing)");
}

TEST(write_rule_copies_disagree)
{
	struct spec s = { .parts = two, .nparts = 2 };

	mkgpt(&s);
	backup_entry_first(1, 1100);		/* both valid, different arrays */
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(info.primary_ok && info.backup_ok);
	CHECK_STR(info.backup_problem, "backup entry array differs from the primary's");
	CHECK_STR(gpt_write_refusal(&info, &info.parts[1]),
		  "primary and backup GPT disagree (two different partition tables)");
	mkgpt(&s);
	put64(disk + 2047 * 512 + 0x30, 2000);	/* backup's LastUsableLBA */
	reseal(2047 * 512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_STR(info.backup_problem, "backup header's usable LBAs differ from the primary's");
	CHECK(gpt_disk_refusal(&info) != NULL);
	mkgpt(&s);
	put64(disk + 2047 * 512 + 0x20, 5);	/* backup's AlternateLBA */
	reseal(2047 * 512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_STR(info.backup_problem, "backup's AlternateLBA is not LBA 1");
	CHECK(gpt_disk_refusal(&info) != NULL);
}

TEST(write_rule_overlaps)
{
	static const struct part_spec overlap[] = {
		{ &linuxfs, 512, 1100, "data", 0 },
		{ &dump, 1024, 1999, "postmortem dump", 1 },
	};
	struct spec s = { .parts = overlap, .nparts = 2 };
	struct gpt_part p;

	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(gpt_disk_refusal(&info) == NULL);
	CHECK_STR(gpt_write_refusal(&info, &info.parts[1]), "overlaps another partition");
	/* GPT structures: an entry that passed no range check (built by hand). */
	s.parts = two;
	mkgpt(&s);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	p = info.parts[1];
	p.first_lba = 2040;
	p.last_lba = 2047;
	CHECK_STR(gpt_write_refusal(&info, &p), "overlaps a GPT header or entry array");
	p.first_lba = 20;
	p.last_lba = 30;
	CHECK_STR(gpt_write_refusal(&info, &p), "overlaps a GPT header or entry array");
	p.first_lba = 1;
	p.last_lba = 1;
	CHECK_STR(gpt_write_refusal(&info, &p), "overlaps a GPT header or entry array");
	p.last_lba = 2048;
	CHECK_STR(gpt_write_refusal(&info, &p), "outside the disk");
	info.dropped = 1;
	CHECK_STR(gpt_disk_refusal(&info), "more used GPT entries than postmortem checks (128)");
}

TEST(write_rule_hybrid_mbr)
{
	struct spec s = { .parts = two, .nparts = 2 };

	mkgpt(&s);
	disk[446 + 16 + 4] = 0x0c;		/* a FAT record over the ESP only */
	test_put32(disk + 446 + 16 + 8, 512);
	test_put32(disk + 446 + 16 + 12, 512);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_EQ(info.pmbr, GPT_PMBR_HYBRID);
	CHECK(gpt_write_refusal(&info, &info.parts[1]) == NULL);
	CHECK_STR(gpt_write_refusal(&info, &info.parts[0]),
		  "overlaps a partition of the hybrid MBR (a record other than 0xEE)");
	test_put32(disk + 446 + 16 + 12, 513);	/* now one sector into the dump partition */
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK_STR(gpt_write_refusal(&info, &info.parts[1]),
		  "overlaps a partition of the hybrid MBR (a record other than 0xEE)");
	test_put32(disk + 446 + 16 + 8, 0xffffffffu);	/* a record past the disk: no wrap */
	test_put32(disk + 446 + 16 + 12, 0xffffffffu);
	CHECK_EQ(gpt_read(&dev, scratch, sizeof(scratch), &info), 0);
	CHECK(gpt_write_refusal(&info, &info.parts[1]) == NULL);
}

TEST_MAIN(good_table, primary_bad_backup_good, both_bad, backup_disagrees, entry_sizes,
	  entry_counts, partition_ranges, names, sectors_4k, read_errors, pmbr_states,
	  pure_helpers, write_rule_good_disk, write_rule_stale_backup_gpt_on_mbr_disk,
	  write_rule_one_copy_only, write_rule_copies_disagree, write_rule_overlaps,
	  write_rule_hybrid_mbr)
