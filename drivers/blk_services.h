/*
 * What the block drivers need from the kernel that runs them, declared
 * here so that drivers/ never includes kernel/ (docs/architecture.md,
 * "Layers").
 *
 * blkdev_register() adds a probed device to the kernel's list
 * (kernel/blkdev_registry.c): 0, -EINVAL (sector_size not a power of two
 * >= 512, or max_transfer 0) or -ENOSPC (BLKDEV_MAX devices already).
 * A driver whose request never completed prints its own line, with
 * iommu_dma_note() appended (kernel/iommu.c: "" when no IOMMU is known,
 * else a parenthesised phrase saying what it was doing; never NULL), and
 * then calls devices_note_timeout(name, what) ("virtio0", "read of 1
 * sectors at 0"; kernel/devices.c keeps the first for the dump target's
 * fallback message).
 */
#ifndef DRIVERS_BLK_SERVICES_H
#define DRIVERS_BLK_SERVICES_H

#include "formats/blkdev.h"

#define BLKDEV_MAX	16

int blkdev_register(struct blkdev *dev);
const char *iommu_dma_note(void);
void devices_note_timeout(const char *name, const char *what);

#endif
