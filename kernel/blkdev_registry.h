/*
 * The machine's block devices: a fixed table of what the drivers
 * registered (drivers/blk_services.h's blkdev_register()), in probe order.
 * One CPU, no locking, no unregistering.
 *
 * blkdev_report_refusals() installs the refusal reporter of
 * formats/blkdev.h that prints one console line per refused request
 * ("blkdev: virtio0 read refused: sectors 100+8 beyond the end (64
 * sectors)"); devices_probe() calls it before the first probe.
 */
#ifndef KERNEL_BLKDEV_REGISTRY_H
#define KERNEL_BLKDEV_REGISTRY_H

#include "drivers/blk_services.h"
#include "formats/blkdev.h"

unsigned blkdev_count(void);
struct blkdev *blkdev_at(unsigned i);
struct blkdev *blkdev_find(const char *name);

/*
 * A device named on the command line: "virtio0" (the whole device, *part
 * 0) or "virtio0p2" (that device, *part 2; the view is the caller's to
 * make from its partition table).  NULL when no such device is registered.
 */
struct blkdev *blkdev_parse_name(const char *name, unsigned *part);

void blkdev_report_refusals(void);

#endif
