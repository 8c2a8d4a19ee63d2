/*
 * Finding the machine's block devices.
 *
 * Interface: devices_probe() once, after the consoles and ACPI (whose
 * platform_acpi_init() hands the MCFG's ECAM window to drivers/pci.c):
 * runs every block driver's probe and prints one line per device found
 * ("blk: virtio0 ...").  devices_selftest() is the documented test switch
 * pm.test=blkdev: for every device it prints sector 0's first 16 bytes,
 * then reads its last 8 sectors, writes a pattern, flushes, reads it back,
 * and restores and re-checks the original (a device whose writes return
 * -EROFS is reported read-only and counts as passed on its reads).  It
 * prints one line per device and "blk: selftest: N passed, N failed", and
 * returns 0, or -EIO when any device failed.
 *
 * devices_probe() first turns off any IOMMU the crashed system left
 * translating (kernel/iommu.h).  A driver whose request never completed
 * calls devices_note_timeout(name, what) ("virtio0", "read of 1 sectors at
 * 0"; declared in drivers/blk_services.h) after printing its own line.  devices_dma_cause() is then the first
 * such failure as a suffix for the dump target's fallback message (": virtio0
 * gave no completion for read of 1 sectors at 0 (an IOMMU was translating:
 * DMA may have been blocked)"), or "" when every request completed.
 */
#ifndef KERNEL_DEVICES_H
#define KERNEL_DEVICES_H

#include "drivers/blk_services.h"	/* devices_note_timeout */

void devices_probe(void);
int devices_selftest(void);
const char *devices_dma_cause(void);

#endif
