/*
 * AHCI SATA disks: a polled block driver behind formats/blkdev.h.
 *
 * Interface: ahci_probe() once, after PCI access is set up.  It finds every
 * AHCI controller on PCI (class 01h/06h/01h), takes it over (BIOS/OS
 * handoff, AHCI mode, interrupts masked, every implemented port stopped),
 * and registers each SATA disk it finds as a blkdev named "ahci0",
 * "ahci1", ... in PCI then port order, printing one line per disk.  A
 * controller or port that does not answer is reported in one line and
 * skipped; the probe never fails the boot and never waits unbounded.
 *
 * The blkdevs move at most 64 KiB per call (max_transfer) through one
 * bounce buffer, one command at a time; errors come back as -EIO (device
 * said no: status and error bytes printed) or -ETIMEDOUT (register named).
 */
#ifndef DRIVERS_AHCI_H
#define DRIVERS_AHCI_H

/* Returns how many disks were registered (0 when none). */
int ahci_probe(void);

#endif
