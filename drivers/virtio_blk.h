/* virtio_blk: polled virtio-blk (PCI, legacy and modern) driver behind formats/blkdev.h. */
#ifndef DRIVERS_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_BLK_H

/* Find every device of this kind on PCI, initialise it, register its
 * blkdevs; returns how many were registered (0 when none), never fails
 * the boot: a device that does not answer is reported and skipped. */
int virtio_blk_probe(void);

#endif
