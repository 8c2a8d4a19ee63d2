/*
 * Block device discovery (see devices.h).
 */
#include <stdio.h>

#include "drivers/ahci.h"
#include "drivers/blkdev.h"
#include "drivers/nvme.h"
#include "drivers/virtio_blk.h"
#include "kernel/devices.h"

void devices_probe(void)
{
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

int devices_selftest(void)
{
	printf("blk: selftest: 0 passed, 0 failed\n");
	return 0;
}
