/* ahci: polled block driver behind drivers/blkdev.h (being written). */
#ifndef DRIVERS_AHCI_H
#define DRIVERS_AHCI_H

/* Find every device of this kind on PCI, initialise it, register its
 * blkdevs; returns how many were registered (0 when none), never fails
 * the boot: a device that does not answer is reported and skipped. */
int ahci_probe(void);

#endif
