/*
 * Console multiplexer (see console.h).  Runs with interrupts off on one
 * CPU: no locking.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/console.h"

static struct chardev *devs[CONSOLE_MAX];
static unsigned ndevs;
static char early[CONSOLE_EARLY_MAX];
static size_t early_len;

void console_init(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	setvbuf(stderr, NULL, _IONBF, 0);
}

int console_add(struct chardev *dev)
{
	if (ndevs == CONSOLE_MAX)
		return -ENOSPC;
	devs[ndevs++] = dev;
	if (early_len)
		dev->write(dev, early, early_len);
	return 0;
}

void console_write(const char *buf, size_t len)
{
	if (ndevs == 0) {
		size_t n = len < sizeof(early) - early_len ? len : sizeof(early) - early_len;

		memcpy(early + early_len, buf, n);
		early_len += n;
		return;
	}
	for (unsigned i = 0; i < ndevs; i++)
		devs[i]->write(devs[i], buf, len);
}

unsigned console_count(void)
{
	return ndevs;
}

const char *console_name(unsigned i)
{
	return i < ndevs ? devs[i]->name : NULL;
}
