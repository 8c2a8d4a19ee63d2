/*
 * Console multiplexer: everything printed goes to every registered device
 * (serial ports, framebuffer, VGA text).
 *
 * Interface: console_add() registers a device (up to CONSOLE_MAX);
 * console_write() is what newlib's write(1 or 2, ...) ends in, so printf()
 * is the way to print.  console_init() makes stdout/stderr unbuffered so a
 * line is out before anything that may fault next.  Output written before
 * any device exists is kept (up to CONSOLE_EARLY_MAX bytes) and replayed to
 * each device as it is added.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

#include "drivers/chardev.h"

#define CONSOLE_MAX 6
#define CONSOLE_EARLY_MAX 4096

void console_init(void);
int console_add(struct chardev *dev);
void console_write(const char *buf, size_t len);
unsigned console_count(void);
const char *console_name(unsigned i);

#endif
