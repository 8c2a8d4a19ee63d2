/*
 * 16550 UART, polled, transmit only (what a console needs).
 *
 * Interface: uart16550_init(dev, index, baud) probes the PC COM port
 * ttyS<index> (0x3F8, 0x2F8, 0x3E8, 0x2E8), programs baud/8N1/FIFO and
 * fills dev; -ENODEV when no UART answers (scratch register test), -EINVAL
 * for a bad index or baud.  write() waits for THRE a bounded number of
 * polls per byte and drops the byte when the UART never drains (a wedged
 * port must not hang the dump), counting the drops.
 */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/chardev.h"

#define UART16550_PORTS 4

int uart16550_init(struct chardev *dev, unsigned index, uint32_t baud);
uint16_t uart16550_base(unsigned index);

/* Binary-safe output for the serial dump target: bytes as they are, no
 * newline translation; the port must have been set up by uart16550_init().
 * Returns the number of bytes the UART never took (wedged port), 0 when
 * all went out. */
size_t uart16550_write_raw(unsigned index, const void *buf, size_t len);
bool uart16550_ready(unsigned index);

/* The line speed ttyS<index> is programmed for (its divisor latch), or 0
 * when the port is not set up. */
uint32_t uart16550_baud(unsigned index);

#endif
