/*
 * libFuzzer target for formats/fat*.c.  The input is the start of a
 * volume: the device is as large as the boot sector says (at most 128 MiB
 * of 512-byte sectors), reads past the input give zeros and writes there
 * are dropped, so FAT32 (which needs 65525 clusters) is reachable from a
 * seed of a few hundred KiB.  The sector size is BPB_BytsPerSec when that
 * is 512..4096 and a power of two.  Mount, count free space, list every
 * directory (depth and entry budget bounded), read every file (byte
 * budget), then mkdir -p /EFI/UpdateCapsule, create + write + close a
 * file with a size hint and one without (aborted on odd inputs), look at
 * the root again; also the pure name helpers on the input's bytes.  Must
 * never crash, hang or read past anything.  Seeds: tests/fuzz/corpus/fat/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/blkdev.h"
#include "formats/fat.h"

#define FUZZ_MAX_INPUT	(1u << 20)
#define FUZZ_MAX_SECTORS (1u << 18)
#define FUZZ_MAX_DEPTH	6

struct fuzz_disk {
	uint8_t *mem;
	size_t len;
	unsigned entries;		/* budget: directory entries still to visit */
	size_t bytes;			/* budget: file bytes still to read */
	uint64_t sum;
};

static struct fat_vol vol;
static uint8_t scratch[FAT_SCRATCH_SIZE], chunk[4096];
static struct fuzz_disk disk;

static int fuzz_read(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf)
{
	struct fuzz_disk *d = dev->priv;
	uint64_t off = lba * dev->sector_size, n = (uint64_t)count * dev->sector_size;

	memset(buf, 0, (size_t)n);
	if (off < d->len)
		memcpy(buf, d->mem + off, (size_t)(d->len - off < n ? d->len - off : n));
	return 0;
}

static int fuzz_write(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf)
{
	struct fuzz_disk *d = dev->priv;
	uint64_t off = lba * dev->sector_size, n = (uint64_t)count * dev->sector_size;

	if (off < d->len)
		memcpy(d->mem + off, buf, (size_t)(d->len - off < n ? d->len - off : n));
	return 0;
}

static const struct blkdev_ops fuzz_ops = { fuzz_read, fuzz_write, NULL };

static void read_file(const struct fat_dirent *e)
{
	struct fat_reader r;
	size_t got = 1;
	uint64_t off = 0;

	if (fat_open_entry(&vol, e, &r) != 0)
		return;
	while (got > 0 && disk.bytes >= sizeof(chunk)) {
		if (fat_pread(&r, off, chunk, sizeof(chunk), &got) != 0)
			break;
		disk.bytes -= sizeof(chunk);
		disk.sum += got + chunk[0];
		off += got;
	}
}

static void walk(const struct fat_dirent *dir, unsigned depth)
{
	struct fat_dirent e;
	struct fat_dir d;

	if (depth > FUZZ_MAX_DEPTH || fat_opendir_entry(&vol, dir, &d) != 0)
		return;
	while (disk.entries > 0 && fat_readdir(&d, &e) == 1) {
		disk.entries--;
		disk.sum += strlen(e.name) + strlen(e.short_name) + e.attr + e.size + e.cluster +
			    e.wrt_date + e.wrt_time + e.has_long;
		if (e.attr & FAT_ATTR_DIRECTORY)
			walk(&e, depth + 1);
		else
			read_file(&e);
	}
}

static void write_files(const uint8_t *data, size_t size)
{
	struct fat_file f;
	uint64_t need;

	disk.sum += (uint64_t)fat_mkdir_p(&vol, "/EFI/UpdateCapsule");
	disk.sum += (uint64_t)fat_space_needed(&vol, "/EFI/UpdateCapsule/x/y.cap", size, &need);
	if (fat_create(&vol, "/EFI/UpdateCapsule", "fuzz capsule.bin", size, &f) == 0) {
		fat_write(&f, data, size / 3);
		fat_write(&f, data + size / 3, size - size / 3);
		disk.sum += (uint64_t)fat_close(&f);
	}
	if (fat_create(&vol, "/FUZZ.BIN", NULL, 0, &f) == 0) {
		for (int i = 0; i < 3; i++)
			fat_write(&f, chunk, 2500);
		disk.sum += (uint64_t)(size && (data[size - 1] & 1) ? fat_abort(&f) : fat_close(&f));
	}
}

/* Sector size from BPB_BytsPerSec when usable, else 512; device size from BPB_TotSec. */
static void geometry(const uint8_t *data, size_t size, uint32_t *ss, uint64_t *sectors)
{
	uint32_t bps = size >= 13 ? (uint32_t)(data[11] | data[12] << 8) : 0, tot = 0;

	*ss = bps >= 512 && bps <= 4096 && (bps & (bps - 1)) == 0 ? bps : 512;
	if (size >= 36)
		tot = data[19] | data[20] << 8 ? (uint32_t)(data[19] | data[20] << 8) :
		      (uint32_t)data[32] | (uint32_t)data[33] << 8 | (uint32_t)data[34] << 16 |
		      (uint32_t)data[35] << 24;
	*sectors = (size + *ss - 1) / *ss;
	if (tot > *sectors)
		*sectors = tot < FUZZ_MAX_SECTORS ? tot : FUZZ_MAX_SECTORS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blkdev dev;
	struct fat_dirent root;
	volatile uint64_t sink;
	uint8_t sn[11];
	uint32_t ss;
	uint64_t sectors, free_bytes;

	if (size == 0 || size > FUZZ_MAX_INPUT)
		return 0;
	geometry(data, size, &ss, &sectors);
	disk = (struct fuzz_disk){ .len = size, .entries = 4000, .bytes = 1u << 20 };
	disk.mem = malloc(size);
	if (disk.mem == NULL)
		return 0;
	memcpy(disk.mem, data, size);
	memset(&dev, 0, sizeof(dev));
	dev.sector_size = ss;
	dev.sectors = sectors;
	dev.max_transfer = 64;
	dev.ops = &fuzz_ops;
	dev.priv = &disk;
	disk.sum += fat_short_basis((const char *)data, size < 300 ? size : 300, sn) + sn[0];
	disk.sum += fat_lfn_checksum(sn);
	if (fat_mount(&vol, &dev, scratch, sizeof(scratch)) == 0) {
		vol.date = fat_pack_date(2024, 1, 2);
		disk.sum += (uint64_t)fat_free_bytes(&vol, &free_bytes) + free_bytes;
		if (fat_lookup(&vol, "/", &root) == 0)
			walk(&root, 0);
		write_files(data, size);
		disk.entries = 200;
		if (fat_lookup(&vol, "/", &root) == 0)
			walk(&root, 0);
	}
	disk.sum += vol.why != NULL ? strlen(vol.why) : 0;
	free(disk.mem);
	sink = disk.sum;
	(void)sink;
	return 0;
}
