/*
 * Block-device registry and the kernel's refusal lines (see
 * blkdev_registry.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/blkdev_registry.h"

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

static void print_refusal(const struct blkdev *dev, const char *what, uint64_t lba,
			  uint32_t count, int err)
{
	if (err == -EINVAL)
		printf("blkdev: %s %s refused: empty request\n", dev->name, what);
	else
		printf("blkdev: %s %s refused: sectors %llu+%u beyond the end (%llu sectors)\n",
		       dev->name, what, (unsigned long long)lba, count,
		       (unsigned long long)dev->sectors);
}

void blkdev_report_refusals(void)
{
	blkdev_set_refusal_report(print_refusal);
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
