/*
 * Block-device registry, checked access and views (see blkdev.h).  The
 * registry is a fixed table: one CPU, no locking, no unregistering.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drivers/blkdev.h"

static struct blkdev *devs[BLKDEV_MAX];
static unsigned ndevs;

int blkdev_register(struct blkdev *dev)
{
	if (ndevs == BLKDEV_MAX)
		return -ENOSPC;
	if (dev->sector_size < 512 || (dev->sector_size & (dev->sector_size - 1)) ||
	    dev->max_transfer == 0)
		return -EINVAL;
	devs[ndevs++] = dev;
	return 0;
}

unsigned blkdev_count(void)
{
	return ndevs;
}

struct blkdev *blkdev_at(unsigned i)
{
	return i < ndevs ? devs[i] : NULL;
}

struct blkdev *blkdev_find(const char *name)
{
	for (unsigned i = 0; i < ndevs; i++)
		if (strcmp(devs[i]->name, name) == 0)
			return devs[i];
	return NULL;
}

/* Bounds: [lba, lba + count) inside the view; say the numbers if not. */
static int check(const struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf,
		 const char *what)
{
	if (buf == NULL || count == 0) {
		printf("blkdev: %s %s refused: empty request\n", dev->name, what);
		return -EINVAL;
	}
	if (lba >= dev->sectors || count > dev->sectors - lba) {
		printf("blkdev: %s %s refused: sectors %llu+%u beyond the end (%llu sectors)\n",
		       dev->name, what, (unsigned long long)lba, count,
		       (unsigned long long)dev->sectors);
		return -ERANGE;
	}
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

struct blkdev *blkdev_parse_name(const char *name, unsigned *part)
{
	char base[BLKDEV_NAME_LEN];
	const char *p = strrchr(name, 'p');
	struct blkdev *d = blkdev_find(name);

	*part = 0;
	if (d != NULL)
		return d;
	if (p == NULL || p == name || p[1] < '1' || p[1] > '9' || (size_t)(p - name) >= sizeof(base))
		return NULL;
	for (const char *q = p + 1; *q; q++) {
		if (*q < '0' || *q > '9' || *part > 100000)
			return NULL;
		*part = *part * 10 + (unsigned)(*q - '0');
	}
	memcpy(base, name, (size_t)(p - name));
	base[p - name] = '\0';
	return blkdev_find(base);
}
