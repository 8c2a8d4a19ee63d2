/*
 * Disk identity strings (formats/diskid.c: ATA's byte-swapped words, NVMe
 * and virtio-blk space and NUL padding) and the dump file's disk match
 * (payload/handoff_dumpfile.c handoff_dump_file_disk()).
 */
#include <errno.h>
#include <string.h>

#include "formats/blkdev.h"
#include "formats/diskid.h"
#include "payload/handoff.h"
#include "test.h"

/* An IDENTIFY block with text put into words [first, first + count) as a drive does. */
static void ata_put(uint16_t id[256], unsigned first, unsigned count, const char *text)
{
	char padded[64];

	memset(padded, ' ', sizeof(padded));
	memcpy(padded, text, strlen(text));
	for (unsigned i = 0; i < count; i++)
		id[first + i] = (uint16_t)((uint8_t)padded[2 * i] << 8 | (uint8_t)padded[2 * i + 1]);
}

TEST(test_text)
{
	char out[48];

	diskid_text(out, sizeof(out), "  S3Z9NB0K123456X    ", 21);
	CHECK_STR(out, "S3Z9NB0K123456X");
	/* virtio-blk: NUL padded, or 20 bytes with no NUL at all */
	diskid_text(out, sizeof(out), "pm-dumpfile\0\0\0\0\0\0\0\0\0", 20);
	CHECK_STR(out, "pm-dumpfile");
	diskid_text(out, sizeof(out), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 20);
	CHECK_STR(out, "ABCDEFGHIJKLMNOPQRST");
	/* control and high bytes are shown as '?', inner spaces kept */
	diskid_text(out, sizeof(out), "a\x01" "b\xff" "c d", 7);
	CHECK_STR(out, "a?b?c d");
	/* all spaces, empty, NULL */
	diskid_text(out, sizeof(out), "        ", 8);
	CHECK_STR(out, "");
	diskid_text(out, sizeof(out), NULL, 8);
	CHECK_STR(out, "");
	/* truncated to the room given, always terminated */
	diskid_text(out, 5, "0123456789", 10);
	CHECK_STR(out, "0123");
	diskid_text(out, 1, "0123456789", 10);
	CHECK_STR(out, "");
	/* a cut that ends on a space leaves none at the end */
	diskid_text(out, 5, "abc def", 7);
	CHECK_STR(out, "abc");
}

TEST(test_ata)
{
	uint16_t id[256];
	char out[48];

	memset(id, 0, sizeof(id));
	ata_put(id, DISKID_ATA_SERIAL_WORD, DISKID_ATA_SERIAL_WORDS, "QM00001");
	ata_put(id, DISKID_ATA_MODEL_WORD, DISKID_ATA_MODEL_WORDS, "QEMU HARDDISK");
	/* the bytes of each word are swapped against memory order */
	CHECK_EQ(((const uint8_t *)id)[20], 'M');
	CHECK_EQ(((const uint8_t *)id)[21], 'Q');
	diskid_ata(out, sizeof(out), id, DISKID_ATA_SERIAL_WORD, DISKID_ATA_SERIAL_WORDS);
	CHECK_STR(out, "QM00001");
	diskid_ata(out, sizeof(out), id, DISKID_ATA_MODEL_WORD, DISKID_ATA_MODEL_WORDS);
	CHECK_STR(out, "QEMU HARDDISK");
	/* a right-aligned serial (some drives pad on the left), odd length */
	ata_put(id, DISKID_ATA_SERIAL_WORD, DISKID_ATA_SERIAL_WORDS, "         WD-WX123");
	diskid_ata(out, sizeof(out), id, DISKID_ATA_SERIAL_WORD, DISKID_ATA_SERIAL_WORDS);
	CHECK_STR(out, "WD-WX123");
	/* a 40-character model fills every word */
	ata_put(id, DISKID_ATA_MODEL_WORD, DISKID_ATA_MODEL_WORDS,
		"0123456789012345678901234567890123456789");
	diskid_ata(out, sizeof(out), id, DISKID_ATA_MODEL_WORD, DISKID_ATA_MODEL_WORDS);
	CHECK_STR(out, "0123456789012345678901234567890123456789");
	/* ranges past the block are cut, never read */
	diskid_ata(out, sizeof(out), id, 250, 20);
	CHECK_EQ(strlen(out), 0);
	diskid_ata(out, sizeof(out), id, 300, 20);
	CHECK_STR(out, "");
}

TEST(test_nvme_fields)
{
	uint8_t idc[4096];
	char sn[48], mn[48];

	memset(idc, 0, sizeof(idc));
	memcpy(idc + DISKID_NVME_SN, "deadbeef            ", DISKID_NVME_SN_LEN);
	memcpy(idc + DISKID_NVME_MN, "QEMU NVMe Ctrl                          ", DISKID_NVME_MN_LEN);
	memcpy(idc + DISKID_NVME_MN + DISKID_NVME_MN_LEN, "FW", 2);	/* FR follows MN */
	diskid_text(sn, sizeof(sn), idc + DISKID_NVME_SN, DISKID_NVME_SN_LEN);
	diskid_text(mn, sizeof(mn), idc + DISKID_NVME_MN, DISKID_NVME_MN_LEN);
	CHECK_STR(sn, "deadbeef");
	CHECK_STR(mn, "QEMU NVMe Ctrl");
}

static struct blkdev disk(uint32_t kind, const char *serial, const char *model, uint32_t nsid,
			  uint32_t port)
{
	struct blkdev d;

	memset(&d, 0, sizeof(d));
	strcpy(d.name, "disk0");
	d.sector_size = 512;
	d.sectors = 1u << 20;
	d.ident.kind = kind;
	strcpy(d.ident.serial, serial);
	strcpy(d.ident.model, model);
	d.ident.nsid = nsid;
	d.ident.port = port;
	return d;
}

static struct handoff_dump_file record(uint32_t kind, const char *serial, const char *model)
{
	struct handoff_dump_file h;

	memset(&h, 0, sizeof(h));
	h.disk_kind = kind;
	h.sector_size = 512;
	h.disk_sectors = 1u << 20;
	h.ata_port = HANDOFF_ATA_PORT_UNKNOWN;
	strncpy(h.serial, serial, sizeof(h.serial));
	strncpy(h.model, model, sizeof(h.model));
	return h;
}

TEST(test_match)
{
	struct handoff_dump_file h = record(HANDOFF_DISK_VIRTIO_BLK, "pm-file", "");
	struct blkdev d = disk(BLKDEV_KIND_VIRTIO_BLK, "pm-file", "", 0, 0);
	const char *why = NULL;
	char text[160];

	CHECK_EQ(handoff_dump_file_disk(&h, &d, &why), 0);
	CHECK(why == NULL);
	d = disk(BLKDEV_KIND_VIRTIO_BLK, "pm-other", "", 0, 0);
	CHECK_EQ(handoff_dump_file_disk(&h, &d, &why), -ENODEV);
	d = disk(BLKDEV_KIND_NVME, "pm-file", "", 1, 0);		/* another kind */
	CHECK_EQ(handoff_dump_file_disk(&h, &d, &why), -ENODEV);
	d = disk(BLKDEV_KIND_OTHER, "", "", 0, 0);
	CHECK_EQ(handoff_dump_file_disk(&h, &d, &why), -ENODEV);
	/* geometry: same identity, another sector size or size */
	d = disk(BLKDEV_KIND_VIRTIO_BLK, "pm-file", "", 0, 0);
	d.sector_size = 4096;
	CHECK_EQ(handoff_dump_file_disk(&h, &d, &why), -ERANGE);
	CHECK_STR(why, "its logical sector size is not the record's");
	d.sector_size = 512;
	d.sectors++;
	CHECK_EQ(handoff_dump_file_disk(&h, &d, &why), -ERANGE);
	CHECK_STR(why, "its size is not the record's");
	h.disk_sectors = 0;				/* size unknown: not compared */
	CHECK_EQ(handoff_dump_file_disk(&h, &d, &why), 0);
	/* a record without a serial, or of kind other, names no disk */
	h = record(HANDOFF_DISK_VIRTIO_BLK, "", "");
	d = disk(BLKDEV_KIND_VIRTIO_BLK, "", "", 0, 0);
	CHECK_EQ(handoff_dump_file_disk(&h, &d, &why), -ENODEV);
	h = record(HANDOFF_DISK_OTHER, "x", "");
	d = disk(BLKDEV_KIND_OTHER, "x", "", 0, 0);
	CHECK_EQ(handoff_dump_file_disk(&h, &d, &why), -ENODEV);
	h = record(7, "x", "");				/* a kind this reader does not know */
	d = disk(7, "x", "", 0, 0);
	CHECK_EQ(handoff_dump_file_disk(&h, &d, &why), -ENODEV);
	/* a serial that fills the record's 64 bytes with no NUL */
	h = record(HANDOFF_DISK_VIRTIO_BLK, "", "");
	memset(h.serial, 'A', sizeof(h.serial));
	d = disk(BLKDEV_KIND_VIRTIO_BLK, "AAAA", "", 0, 0);
	CHECK_EQ(handoff_dump_file_disk(&h, &d, &why), -ENODEV);
	handoff_dump_file_disk_text(&h, text, sizeof(text));
	CHECK(strlen(text) < sizeof(text));
	h = record(HANDOFF_DISK_VIRTIO_BLK, "pm-file", "");
	handoff_dump_file_disk_text(&h, text, sizeof(text));
	CHECK_STR(text, "virtio-blk disk with serial \"pm-file\"");
}

TEST(test_match_nvme)
{
	struct handoff_dump_file h = record(HANDOFF_DISK_NVME, "deadbeef", "QEMU NVMe Ctrl");
	struct blkdev d = disk(BLKDEV_KIND_NVME, "deadbeef", "QEMU NVMe Ctrl", 1, 0);
	char text[160];

	h.nsid = 1;
	CHECK_EQ(handoff_dump_file_disk(&h, &d, NULL), 0);
	d.ident.nsid = 2;				/* another namespace of the same controller */
	CHECK_EQ(handoff_dump_file_disk(&h, &d, NULL), -ENODEV);
	d = disk(BLKDEV_KIND_NVME, "deadbeef", "Other Model", 1, 0);
	CHECK_EQ(handoff_dump_file_disk(&h, &d, NULL), -ENODEV);
	handoff_dump_file_disk_text(&h, text, sizeof(text));
	CHECK_STR(text, "NVMe disk with serial \"deadbeef\", model \"QEMU NVMe Ctrl\", namespace 1");
}

TEST(test_match_ahci)
{
	/* the host reads only SCSI INQUIRY's 16-character model */
	struct handoff_dump_file h = record(HANDOFF_DISK_AHCI, "QM00001", "Samsung SSD 870");
	struct blkdev d = disk(BLKDEV_KIND_AHCI, "QM00001", "Samsung SSD 870 EVO 1TB", 0, 2);
	char text[160];

	CHECK_EQ(handoff_dump_file_disk(&h, &d, NULL), 0);
	h.ata_port = 2;
	CHECK_EQ(handoff_dump_file_disk(&h, &d, NULL), 0);
	h.ata_port = 3;					/* moved to another port */
	CHECK_EQ(handoff_dump_file_disk(&h, &d, NULL), -ENODEV);
	h.ata_port = 2;
	d = disk(BLKDEV_KIND_AHCI, "QM00001", "Samsung SSD 860 EVO 1TB", 0, 2);
	CHECK_EQ(handoff_dump_file_disk(&h, &d, NULL), -ENODEV);
	d = disk(BLKDEV_KIND_AHCI, "QM00002", "Samsung SSD 870 EVO 1TB", 0, 2);
	CHECK_EQ(handoff_dump_file_disk(&h, &d, NULL), -ENODEV);
	/* a model whose 16th character is a space: trimmed as Linux shows it */
	h = record(HANDOFF_DISK_AHCI, "QM00001", "QEMU HARDDISK");
	d = disk(BLKDEV_KIND_AHCI, "QM00001", "QEMU HARDDISK", 0, 0);
	CHECK_EQ(handoff_dump_file_disk(&h, &d, NULL), 0);
	h.ata_port = 0;
	handoff_dump_file_disk_text(&h, text, sizeof(text));
	CHECK_STR(text, "AHCI disk with serial \"QM00001\", model \"QEMU HARDDISK\", port 0");
}

TEST_MAIN(test_text, test_ata, test_nvme_fields, test_match, test_match_nvme, test_match_ahci)
