/*
 * IOMMUs the crashed system left translating.
 *
 * A Linux booted with intel_iommu=on (or amd_iommu on AMD) leaves its DMA
 * remapping units translating when it panics: every device address is
 * then looked up in the dead kernel's tables, where postmortem's buffers
 * are not, and the first disk request faults in the IOMMU and never
 * completes.  iommu_quiesce() finds the units from ACPI (DMAR for Intel
 * VT-d, IVRS for AMD-Vi; parsed by formats/dmar.c and formats/ivrs.c) and
 * turns translation off on every unit that has it on, so device addresses
 * are physical addresses again, as the drivers assume.
 *
 * Interface: iommu_quiesce() once, after platform_acpi_init() and before
 * any driver probes (devices_probe() calls it first).  It prints one
 * "iommu:" line per unit: translation turned off, off already, or why the
 * unit was left alone; with no DMAR and no IVRS it is silent.  When some unit was translating, it first clears bus mastering
 * on every PCI endpoint (header type 0), so that DMA the crashed system
 * left running cannot land at the physical addresses its device addresses
 * name once translation is off; drivers set it again on the devices they
 * take (pci_enable()).  Units are left otherwise as found (interrupt
 * remapping, queued invalidation: postmortem polls and issues no
 * invalidations).
 *
 * iommu_dma_note() (declared in drivers/blk_services.h) is what a driver appends to its "no completion"
 * message: "" when no IOMMU is known, else a parenthesised phrase saying
 * what the IOMMU was doing.  Never NULL; static storage.
 */
#ifndef KERNEL_IOMMU_H
#define KERNEL_IOMMU_H

#include "drivers/blk_services.h"	/* iommu_dma_note */

void iommu_quiesce(void);

#endif
