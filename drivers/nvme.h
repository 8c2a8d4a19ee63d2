/*
 * NVMe namespaces: a polled block driver behind formats/blkdev.h.
 *
 * Interface: nvme_probe() once, after PCI access is set up.  It finds every
 * NVMe controller on PCI (class 01h/08h/02h), resets it into a state we
 * own (disabled, then enabled on our admin queues with interrupts masked),
 * creates one I/O queue pair, and registers each active namespace it can
 * serve as a blkdev named "nvme<controller>n<nsid>" ("nvme0n1"), printing
 * one line per namespace.  A controller or namespace we cannot use is
 * reported in one line and skipped; the probe never fails the boot and
 * never waits unbounded.
 *
 * The blkdevs move at most 64 KiB per call (less if the controller's MDTS
 * says so) through one bounce buffer, one command at a time; errors come
 * back as -EIO (status SCT/SC printed) or -ETIMEDOUT (the controller is
 * then reset and re-initialised; if that fails it refuses further
 * requests with -EIO).
 */
#ifndef DRIVERS_NVME_H
#define DRIVERS_NVME_H

/* Returns how many namespaces were registered (0 when none). */
int nvme_probe(void);

#endif
