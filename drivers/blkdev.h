/*
 * Block devices: one small ops table per device, and the checks every
 * caller gets for free.
 *
 * Interface: a driver fills struct blkdev (name, sector_size, sectors,
 * max_transfer, ops, priv) at probe and calls blkdev_register().  Callers
 * never call ops directly: blkdev_read()/blkdev_write() check that the
 * range lies inside the device (or partition view), that the buffer and
 * count are sane, split requests at max_transfer, and print one line with
 * the numbers when they refuse (-EINVAL, -ERANGE).  Drivers may trust their
 * arguments.  Every driver wait is bounded; a driver returns -ETIMEDOUT or
 * -EIO and names the register that never changed.
 *
 * blkdev_partition() makes a view of part of a device ("virtio0p1") that
 * maps LBAs and bounds them.  blkdev_ram_init() gives a RAM-backed device
 * for tests and host tools.  Pure except for the drivers behind ops: this
 * file builds into the kernel, the host tool and the tests.
 */
#ifndef DRIVERS_BLKDEV_H
#define DRIVERS_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLKDEV_NAME_LEN	16
#define BLKDEV_MAX	16

struct blkdev;

struct blkdev_ops {
	int (*read)(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf);
	int (*write)(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf);
	int (*flush)(struct blkdev *dev);
};

struct blkdev {
	char name[BLKDEV_NAME_LEN];	/* "virtio0", "ahci0", "nvme0n1", "virtio0p2" */
	uint32_t sector_size;		/* bytes, power of two, >= 512 */
	uint64_t sectors;		/* device (or view) size in sectors */
	uint32_t max_transfer;		/* sectors per ops call, >= 1 */
	const struct blkdev_ops *ops;	/* NULL for a partition view */
	void *priv;
	struct blkdev *parent;		/* partition view: the whole device */
	uint64_t offset;		/* partition view: first LBA on parent */
};

int blkdev_register(struct blkdev *dev);
unsigned blkdev_count(void);
struct blkdev *blkdev_at(unsigned i);
struct blkdev *blkdev_find(const char *name);

int blkdev_read(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf);
int blkdev_write(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf);
int blkdev_flush(struct blkdev *dev);

/*
 * A device named on the command line: "virtio0" (the whole device, *part
 * 0) or "virtio0p2" (that device, *part 2; the view is the caller's to
 * make from its partition table).  NULL when no such device is registered.
 */
struct blkdev *blkdev_parse_name(const char *name, unsigned *part);

/* A view of [first, first + sectors) of parent named "<parent>p<index>". */
int blkdev_partition(struct blkdev *view, struct blkdev *parent, unsigned index,
		     uint64_t first, uint64_t sectors);

/* A device over caller memory (len a multiple of sector_size). */
int blkdev_ram_init(struct blkdev *dev, const char *name, void *mem, size_t len,
		    uint32_t sector_size);

#endif
