/*
 * Character-device interface: what the console multiplexer (kernel/console.c)
 * writes to.  Interface: a driver fills one struct chardev at init and hands
 * it to console_add(); write() must accept any bytes, translate "\n" as the
 * device needs, never block longer than its own bounded timeout, and never
 * fail loudly (a console has nowhere to report its own errors).
 */
#ifndef DRIVERS_CHARDEV_H
#define DRIVERS_CHARDEV_H

#include <stddef.h>

struct chardev {
	const char *name;	/* "ttyS0", "fb0", "vga" */
	void (*write)(struct chardev *dev, const char *buf, size_t len);
	void *priv;
};

#endif
