/*
 * Block device discovery (see devices.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "drivers/ahci.h"
#include "drivers/clock.h"
#include "drivers/nvme.h"
#include "drivers/virtio_blk.h"
#include "kernel/blkdev_registry.h"
#include "kernel/devices.h"
#include "kernel/phasemem.h"
#include "kernel/iommu.h"

static char dma_cause[160];

void devices_note_timeout(const char *name, const char *what)
{
	if (dma_cause[0] != '\0')
		return;			/* the first one is the cause */
	snprintf(dma_cause, sizeof(dma_cause), ": %s gave no completion for %s%s", name, what,
		 iommu_dma_note());
}

const char *devices_dma_cause(void)
{
	return dma_cause;
}

void devices_probe(void)
{
	blkdev_report_refusals();
	iommu_quiesce();	/* before the first DMA */
	virtio_blk_probe();
	ahci_probe();
	nvme_probe();
	for (unsigned i = 0; i < blkdev_count(); i++) {
		struct blkdev *d = blkdev_at(i);

		printf("blk: %s: %llu sectors of %u bytes (%llu MiB)\n", d->name,
		       (unsigned long long)d->sectors, d->sector_size,
		       (unsigned long long)((d->sectors * d->sector_size) >> 20));
	}
	if (blkdev_count() == 0)
		printf("blk: no block devices found\n");
}

/*
 * pm.test=blkdev.  Per device, on its last SELFTEST_SECTORS sectors (fewer
 * when its sectors are large or it is small):
 *
 *   read the original -> write it back unchanged (a device that answers
 *   -EROFS is read-only: reads were checked, writes are skipped) ->
 *   write a pattern -> flush -> read back and compare -> write the
 *   original again -> flush -> read back and compare with the original.
 *
 * The pattern is seeded from the clock, so an earlier run's bytes cannot
 * pass for this one's.  Once the pattern may be on the disk, the original
 * is restored whatever else failed.  Sector 0's first 16 bytes are printed
 * too, so a test can tell which disk is which.
 */
#define SELFTEST_SECTORS	8u
#define SELFTEST_BYTES		PHASEMEM_SELFTEST

/* The pattern and the copy read back: kernel/phasemem.h (no dump follows). */
#define st_orig (phasemem.selftest.orig)
#define st_work (phasemem.selftest.work)

static const char *err_name(int err)
{
	switch (err) {
	case -EIO: return "EIO";
	case -ETIMEDOUT: return "ETIMEDOUT";
	case -EROFS: return "EROFS";
	case -EINVAL: return "EINVAL";
	case -ERANGE: return "ERANGE";
	case -ENODEV: return "ENODEV";
	}
	return "error";
}

/* The pattern's 64-bit word k for seed s (splitmix64's finaliser), so any
 * part of it can be checked without keeping a copy. */
static uint64_t pattern_word(uint64_t s, uint64_t k)
{
	uint64_t z = s + (k + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void pattern_fill(uint8_t *p, size_t n, uint64_t s)
{
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint64_t w = pattern_word(s, i / 8);

		memcpy(p + i, &w, sizeof(w));
	}
}

/* Offset of the first byte of p that is not the pattern, or n. */
static size_t pattern_check(const uint8_t *p, size_t n, uint64_t s)
{
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint64_t w = pattern_word(s, i / 8);

		if (memcmp(p + i, &w, sizeof(w)) != 0)
			return i;
	}
	return n;
}

static size_t first_difference(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Print why step `what` failed; returns 1 (one failure). */
static int st_fail(const struct blkdev *d, const char *what, uint64_t lba, uint32_t n, int err)
{
	printf("blk: selftest: %s: FAILED: %s of sectors %llu+%u: %d (%s)\n", d->name, what,
	       (unsigned long long)lba, n, err, err_name(err));
	return 1;
}

static void print_sector0(struct blkdev *d)
{
	int err = blkdev_read(d, 0, 1, st_work);

	if (err) {
		printf("blk: %s: sector 0 unreadable: %d (%s)\n", d->name, err, err_name(err));
		return;
	}
	printf("blk: %s: sector 0:", d->name);
	for (unsigned i = 0; i < 16; i++)
		printf(" %02x", st_work[i]);
	printf("\n");
}

/* Restore the original and check it; 0 or 1 (failures). */
static int st_restore(struct blkdev *d, uint64_t lba, uint32_t n, size_t bytes)
{
	int err = blkdev_write(d, lba, n, st_orig);

	if (err)
		return st_fail(d, "restoring the original", lba, n, err);
	err = blkdev_flush(d);
	if (err)
		return st_fail(d, "flush after restoring the original", lba, n, err);
	err = blkdev_read(d, lba, n, st_work);
	if (err)
		return st_fail(d, "reading back the restored original", lba, n, err);
	if (memcmp(st_work, st_orig, bytes) != 0) {
		printf("blk: selftest: %s: FAILED: restored sectors %llu+%u differ at byte %zu\n",
		       d->name, (unsigned long long)lba, n, first_difference(st_work, st_orig, bytes));
		return 1;
	}
	return 0;
}

/* Pattern out, flush, read back, compare; 0 or 1 (failures).  The
 * caller restores the original whatever happens here. */
static int st_pattern(struct blkdev *d, uint64_t lba, uint32_t n, size_t bytes, uint64_t seed)
{
	size_t off;
	int err;

	pattern_fill(st_work, bytes, seed);
	err = blkdev_write(d, lba, n, st_work);
	if (err)
		return st_fail(d, "pattern write", lba, n, err);
	err = blkdev_flush(d);
	if (err)
		return st_fail(d, "flush after the pattern write", lba, n, err);
	memset(st_work, 0, bytes);
	err = blkdev_read(d, lba, n, st_work);
	if (err)
		return st_fail(d, "pattern read-back", lba, n, err);
	off = pattern_check(st_work, bytes, seed);
	if (off != bytes) {
		printf("blk: selftest: %s: FAILED: pattern read back differs in sector %llu "
		       "(byte %zu of %zu)\n", d->name,
		       (unsigned long long)(lba + off / d->sector_size), off, bytes);
		return 1;
	}
	return 0;
}

/* One device: 0 passed, 1 failed. */
static int selftest_one(struct blkdev *d, uint64_t seed)
{
	uint32_t n = SELFTEST_SECTORS;
	uint64_t lba;
	size_t bytes;
	int err, failed;

	if (d->sector_size > SELFTEST_BYTES || d->sectors == 0) {
		printf("blk: selftest: %s: FAILED: %llu sectors of %u bytes: cannot test "
		       "(up to %u-byte sectors)\n", d->name, (unsigned long long)d->sectors,
		       d->sector_size, SELFTEST_BYTES);
		return 1;
	}
	print_sector0(d);
	if (d->sector_size > SELFTEST_BYTES / n)
		n = SELFTEST_BYTES / d->sector_size;
	if (n > d->sectors)
		n = (uint32_t)d->sectors;
	lba = d->sectors - n;
	bytes = (size_t)n * d->sector_size;

	err = blkdev_read(d, lba, n, st_orig);
	if (err)
		return st_fail(d, "read", lba, n, err);
	err = blkdev_write(d, lba, n, st_orig);	/* unchanged: probes writability */
	if (err == -EROFS) {
		printf("blk: selftest: %s: read-only: sectors %llu+%u read, write test skipped\n",
		       d->name, (unsigned long long)lba, n);
		return 0;
	}
	if (err)
		return st_fail(d, "write (original contents)", lba, n, err);
	failed = st_pattern(d, lba, n, bytes, seed);
	failed |= st_restore(d, lba, n, bytes);
	if (!failed)
		printf("blk: selftest: %s: ok: sectors %llu+%u written, flushed, read back, "
		       "restored\n", d->name, (unsigned long long)lba, n);
	return failed;
}

int devices_selftest(void)
{
	unsigned passed = 0, failed = 0;
	uint64_t seed = clock_us();

	for (unsigned i = 0; i < blkdev_count(); i++) {
		if (selftest_one(blkdev_at(i), seed + i))
			failed++;
		else
			passed++;
	}
	printf("blk: selftest: %u passed, %u failed\n", passed, failed);
	return failed ? -EIO : 0;
}
