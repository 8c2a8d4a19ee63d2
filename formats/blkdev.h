/*
 * Block devices: one small ops table per device, and the checks every
 * caller gets for free.
 *
 * Interface: a driver fills struct blkdev (name, sector_size, sectors,
 * max_transfer, ops, priv) at probe and hands it to the kernel's registry
 * (blkdev_register(), drivers/blk_services.h; the list of devices is
 * kernel/blkdev_registry.h).  Callers never call ops directly:
 * blkdev_read()/blkdev_write() check that the range lies inside the device
 * (or partition view), that the buffer and count are sane, split requests
 * at max_transfer, and refuse with -EINVAL (empty request) or -ERANGE
 * (beyond the end), telling the refusal reporter when one is set (the
 * kernel's prints one line with the numbers).  Drivers may trust their
 * arguments.  Every driver wait is bounded; a driver returns -ETIMEDOUT or
 * -EIO and names the register that never changed.
 *
 * blkdev_partition() makes a view of part of a device ("virtio0p1") that
 * maps LBAs and bounds them.  blkdev_ram_init() gives a RAM-backed device
 * for tests and host tools.  Pure: this file builds into the kernel, the
 * host tool and the tests; it sits in formats/ because the GPT and FAT
 * code read and write through it (docs/architecture.md).
 */
#ifndef FORMATS_BLKDEV_H
#define FORMATS_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLKDEV_NAME_LEN	16
#define BLKDEV_ID_LEN	48	/* an identity string, NUL included (formats/diskid.h) */

/* The kind of disk an identity describes (the same numbers as the handoff's DUMP_FILE record). */
#define BLKDEV_KIND_OTHER	0	/* no identity known */
#define BLKDEV_KIND_NVME	1
#define BLKDEV_KIND_VIRTIO_BLK	2
#define BLKDEV_KIND_AHCI	3

/*
 * What a disk's controller says it is, filled by its driver at probe (all
 * zero, kind OTHER, when the driver knows nothing): the dump file's disk
 * is found by this (docs/dump-file.md).  Strings are printable ASCII with
 * leading and trailing spaces removed (formats/diskid.h), "" unknown.
 */
struct blkdev_ident {
	uint32_t kind;			/* BLKDEV_KIND_* */
	char serial[BLKDEV_ID_LEN];	/* NVMe SN, virtio-blk GET_ID, ATA IDENTIFY words 10-19 */
	char model[BLKDEV_ID_LEN];	/* NVMe MN, ATA IDENTIFY words 27-46 */
	uint32_t nsid;			/* NVMe namespace id; 0 otherwise */
	uint32_t port;			/* AHCI port (0-based); unused for other kinds */
	bool pci_valid;			/* the controller's PCI address, a hint only */
	uint8_t pci_bus, pci_dev, pci_fn;
};

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
	struct blkdev_ident ident;	/* whole disks: what the driver read (zero: none) */
};

int blkdev_read(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf);
int blkdev_write(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf);
int blkdev_flush(struct blkdev *dev);

/*
 * Refusals: fn (NULL: none, the default) hears every request
 * blkdev_read()/blkdev_write() refuse, with what ("read", "write") and the
 * error they return.  Pure code never prints; the kernel installs a
 * reporter that does (kernel/blkdev_registry.c).
 */
typedef void blkdev_refusal_fn(const struct blkdev *dev, const char *what, uint64_t lba,
			       uint32_t count, int err);
void blkdev_set_refusal_report(blkdev_refusal_fn *fn);

/* A view of [first, first + sectors) of parent named "<parent>p<index>". */
int blkdev_partition(struct blkdev *view, struct blkdev *parent, unsigned index,
		     uint64_t first, uint64_t sectors);

/* A device over caller memory (len a multiple of sector_size). */
int blkdev_ram_init(struct blkdev *dev, const char *name, void *mem, size_t len,
		    uint32_t sector_size);

#endif
