/*
 * 16550 UART driver (PC16550D datasheet; register names as there).
 * Polled transmit; interrupts masked (IER = 0).  Port I/O only.
 */
#include <errno.h>
#include <stdint.h>

#include "drivers/io.h"
#include "drivers/uart16550.h"

#define RBR 0	/* receive buffer (DLAB=0) */
#define THR 0	/* transmit holding (DLAB=0) */
#define DLL 0	/* divisor latch low (DLAB=1) */
#define IER 1	/* interrupt enable (DLAB=0) */
#define DLM 1	/* divisor latch high (DLAB=1) */
#define FCR 2	/* FIFO control */
#define LCR 3	/* line control */
#define MCR 4	/* modem control */
#define LSR 5	/* line status */
#define SCR 7	/* scratch */

#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define FCR_ENABLE	0x01
#define FCR_CLEAR	0x06
#define MCR_DTR_RTS	0x03
#define LSR_THRE	0x20
#define THRE_POLLS	200000	/* ~0.2 s at ~1 us per port read: > 1 byte at 300 baud */

static const uint16_t uart_ports[UART16550_PORTS] = { 0x3F8, 0x2F8, 0x3E8, 0x2E8 };
static const char *const uart_names[UART16550_PORTS] = { "ttyS0", "ttyS1", "ttyS2", "ttyS3" };

struct uart {
	uint16_t base;
	unsigned dropped;
};
static struct uart uarts[UART16550_PORTS];

uint16_t uart16550_base(unsigned index)
{
	return index < UART16550_PORTS ? uart_ports[index] : 0;
}

static bool uart_putc(struct uart *u, char c)
{
	for (unsigned i = 0; i < THRE_POLLS; i++) {
		if (inb(u->base + LSR) & LSR_THRE) {
			outb(u->base + THR, (uint8_t)c);
			return true;
		}
	}
	u->dropped++;
	return false;
}

bool uart16550_ready(unsigned index)
{
	return index < UART16550_PORTS && uarts[index].base != 0;
}

size_t uart16550_write_raw(unsigned index, const void *buf, size_t len)
{
	const char *p = buf;
	size_t lost = 0;

	if (!uart16550_ready(index))
		return len;
	/* One byte the UART would not take in THRE_POLLS: the port is wedged;
	 * stop here rather than spend 0.2 s on every remaining byte. */
	for (size_t i = 0; i < len; i++)
		if (!uart_putc(&uarts[index], p[i]))
			return len - i;
	return lost;
}

static void uart_write(struct chardev *dev, const char *buf, size_t len)
{
	struct uart *u = dev->priv;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			uart_putc(u, '\r');
		uart_putc(u, buf[i]);
	}
}

int uart16550_init(struct chardev *dev, unsigned index, uint32_t baud)
{
	uint16_t base;
	uint32_t div;

	if (index >= UART16550_PORTS || baud == 0 || baud > 115200)
		return -EINVAL;
	base = uart_ports[index];
	/* Probe: the scratch register holds what we write on a 16450/16550. */
	outb(base + SCR, 0x5A);
	if (inb(base + SCR) != 0x5A)
		return -ENODEV;
	outb(base + SCR, 0xA5);
	if (inb(base + SCR) != 0xA5)
		return -ENODEV;

	div = 115200 / baud;
	if (div == 0 || div > 0xFFFF)
		return -EINVAL;
	outb(base + IER, 0);			/* polled: no interrupts */
	outb(base + LCR, LCR_DLAB);
	outb(base + DLL, (uint8_t)div);
	outb(base + DLM, (uint8_t)(div >> 8));
	outb(base + LCR, LCR_8N1);
	outb(base + FCR, FCR_ENABLE | FCR_CLEAR);
	outb(base + MCR, MCR_DTR_RTS);
	(void)inb(base + RBR);

	uarts[index].base = base;
	uarts[index].dropped = 0;
	dev->name = uart_names[index];
	dev->write = uart_write;
	dev->priv = &uarts[index];
	return 0;
}

uint32_t uart16550_baud(unsigned index)
{
	uint16_t base = uart16550_base(index);
	uint8_t lcr;
	uint32_t div;

	if (base == 0 || !uart16550_ready(index))
		return 0;
	lcr = inb(base + LCR);
	outb(base + LCR, (uint8_t)(lcr | LCR_DLAB));
	div = inb(base + DLL) | (uint32_t)inb(base + DLM) << 8;
	outb(base + LCR, lcr);
	return div ? 115200 / div : 0;
}
