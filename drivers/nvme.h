/* nvme: polled block driver behind drivers/blkdev.h (being written). */
#ifndef DRIVERS_NVME_H
#define DRIVERS_NVME_H

/* Find every device of this kind on PCI, initialise it, register its
 * blkdevs; returns how many were registered (0 when none), never fails
 * the boot: a device that does not answer is reported and skipped. */
int nvme_probe(void);

#endif
