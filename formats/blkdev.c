/*
 * Checked block access, partition views and RAM devices (see blkdev.h).
 * Pure: no device list and no output; the kernel's registry and its
 * refusal lines are kernel/blkdev_registry.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "formats/blkdev.h"

static blkdev_refusal_fn *refusal_report;

void blkdev_set_refusal_report(blkdev_refusal_fn *fn)
{
	refusal_report = fn;
}

static int refuse(const struct blkdev *dev, const char *what, uint64_t lba, uint32_t count,
		  int err)
{
	if (refusal_report != NULL)
		refusal_report(dev, what, lba, count, err);
	return err;
}

/* Bounds: [lba, lba + count) inside the view; the reporter hears why not. */
static int check(const struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf,
		 const char *what)
{
	if (buf == NULL || count == 0)
		return refuse(dev, what, lba, count, -EINVAL);
	if (lba >= dev->sectors || count > dev->sectors - lba)
		return refuse(dev, what, lba, count, -ERANGE);
	return 0;
}

static int transfer(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf, bool write)
{
	uint8_t *p = buf;

	while (dev->parent != NULL) {		/* a view: translate to the device */
		lba += dev->offset;
		dev = dev->parent;
	}
	while (count) {
		uint32_t n = count < dev->max_transfer ? count : dev->max_transfer;
		int err = write ? dev->ops->write(dev, lba, n, p) : dev->ops->read(dev, lba, n, p);

		if (err)
			return err;
		lba += n;
		count -= n;
		p += (size_t)n * dev->sector_size;
	}
	return 0;
}

int blkdev_read(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf)
{
	int err = check(dev, lba, count, buf, "read");

	return err ? err : transfer(dev, lba, count, buf, false);
}

int blkdev_write(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf)
{
	int err = check(dev, lba, count, buf, "write");

	return err ? err : transfer(dev, lba, count, (void *)buf, true);
}

int blkdev_flush(struct blkdev *dev)
{
	while (dev->parent != NULL)
		dev = dev->parent;
	return dev->ops->flush ? dev->ops->flush(dev) : 0;
}

int blkdev_partition(struct blkdev *view, struct blkdev *parent, unsigned index,
		     uint64_t first, uint64_t sectors)
{
	if (sectors == 0 || first >= parent->sectors || sectors > parent->sectors - first)
		return -ERANGE;
	memset(view, 0, sizeof(*view));
	snprintf(view->name, sizeof(view->name), "%.10sp%u", parent->name, index);
	view->sector_size = parent->sector_size;
	view->sectors = sectors;
	view->max_transfer = parent->max_transfer;
	view->parent = parent;
	view->offset = first;
	return 0;
}

struct ram {
	uint8_t *mem;
};

static int ram_read(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf)
{
	memcpy(buf, (uint8_t *)dev->priv + lba * dev->sector_size, (size_t)count * dev->sector_size);
	return 0;
}

static int ram_write(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf)
{
	memcpy((uint8_t *)dev->priv + lba * dev->sector_size, buf, (size_t)count * dev->sector_size);
	return 0;
}

static const struct blkdev_ops ram_ops = { ram_read, ram_write, NULL };

int blkdev_ram_init(struct blkdev *dev, const char *name, void *mem, size_t len,
		    uint32_t sector_size)
{
	if (sector_size < 512 || (sector_size & (sector_size - 1)) || len % sector_size || len == 0)
		return -EINVAL;
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->sector_size = sector_size;
	dev->sectors = len / sector_size;
	dev->max_transfer = 256;
	dev->ops = &ram_ops;
	dev->priv = mem;
	return 0;
}
