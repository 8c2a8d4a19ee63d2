/*
 * VGA text-mode console: 80x25 cells of (attribute << 8 | CP437 byte) at
 * physical 0xB8000, light grey on black, with the hardware cursor kept at
 * the next cell.  Interface and rules of use: drivers/vgatext.h.
 *
 * Hardware (IBM VGA Technical Reference, "CRT Controller Registers"): the
 * CRT controller is an index/data port pair, 0x3D4/0x3D5 in colour
 * emulation (the 0x3B4 mono pair and its 0xB0000 buffer are not handled).
 * Start Address High/Low (0x0C/0x0D) say which cell of the 32 KiB window
 * is the top-left of the screen; Cursor Location High/Low (0x0E/0x0F) give
 * the cursor as an absolute cell index in the same window.
 *
 * Linux's vgacon scrolls by moving Start Address instead of copying, so a
 * crashed Linux may leave the visible screen anywhere in the window.
 * vgatext_init() copies that screen to the start of the window, resets
 * Start Address to 0 and continues below the cursor, keeping the previous
 * system's last words (its panic message) on screen; if the registers make
 * no sense (no VGA, graphics mode), it clears the screen instead.
 *
 * Environment: kernel, one CPU, the text buffer identity mapped.  Cells are
 * accessed through a volatile pointer: it is device memory.
 */
#include <stddef.h>
#include <stdint.h>

#include "drivers/io.h"
#include "drivers/textcursor.h"
#include "drivers/vgatext.h"

#define VGATEXT_BASE		0xb8000UL
#define VGATEXT_WINDOW_CELLS	16384	/* 0xB8000..0xBFFFF, two bytes each */
#define VGATEXT_COLS		80
#define VGATEXT_ROWS		25
#define VGATEXT_CELLS		(VGATEXT_COLS * VGATEXT_ROWS)
#define VGATEXT_BLANK		0x0720	/* space, attribute 0x07 */
#define VGATEXT_ATTR		0x07	/* light grey on black */

#define VGATEXT_CRTC_INDEX	0x3d4
#define VGATEXT_CRTC_DATA	0x3d5
#define VGATEXT_CRTC_START_HI	0x0c	/* Start Address High; Low is 0x0d */
#define VGATEXT_CRTC_CURSOR_HI	0x0e	/* Cursor Location High; Low is 0x0f */

struct vgatext_state {
	volatile uint16_t *cells;
	struct text_cursor cur;	/* VGATEXT_COLS x VGATEXT_ROWS */
};

static struct vgatext_state vgatext_state;

/* Reads a High/Low CRTC register pair (the Low one's index is High + 1). */
static unsigned vgatext_crtc_read16(uint8_t hi_index)
{
	unsigned v;

	outb(VGATEXT_CRTC_INDEX, hi_index);
	v = (unsigned)inb(VGATEXT_CRTC_DATA) << 8;
	outb(VGATEXT_CRTC_INDEX, (uint8_t)(hi_index + 1));
	return v | inb(VGATEXT_CRTC_DATA);
}

static void vgatext_crtc_write16(uint8_t hi_index, unsigned v)
{
	outb(VGATEXT_CRTC_INDEX, hi_index);
	outb(VGATEXT_CRTC_DATA, (uint8_t)(v >> 8));
	outb(VGATEXT_CRTC_INDEX, (uint8_t)(hi_index + 1));
	outb(VGATEXT_CRTC_DATA, (uint8_t)v);
}

/* Moves the cells up one row and blanks the last (the cursor stays). */
static void vgatext_scroll(void *ctx)
{
	struct vgatext_state *st = ctx;

	for (unsigned i = 0; i < VGATEXT_CELLS - VGATEXT_COLS; i++)
		st->cells[i] = st->cells[i + VGATEXT_COLS];
	for (unsigned i = VGATEXT_CELLS - VGATEXT_COLS; i < VGATEXT_CELLS; i++)
		st->cells[i] = VGATEXT_BLANK;
}

static void vgatext_putc(struct vgatext_state *st, unsigned char c)
{
	if (!text_cursor_step(&st->cur, c, vgatext_scroll, st))
		return;
	st->cells[st->cur.row * VGATEXT_COLS + st->cur.col] = (uint16_t)(VGATEXT_ATTR << 8 | c);
	st->cur.col++;
}

/* The hardware cursor shows where the next byte goes (last column if a wrap is pending). */
static void vgatext_update_cursor(const struct vgatext_state *st)
{
	unsigned col = st->cur.col < VGATEXT_COLS ? st->cur.col : VGATEXT_COLS - 1;

	vgatext_crtc_write16(VGATEXT_CRTC_CURSOR_HI, st->cur.row * VGATEXT_COLS + col);
}

static void vgatext_write(struct chardev *dev, const char *buf, size_t len)
{
	struct vgatext_state *st = dev->priv;

	for (size_t i = 0; i < len; i++)
		vgatext_putc(st, (unsigned char)buf[i]);
	vgatext_update_cursor(st);
}

int vgatext_init(struct chardev *dev)
{
	struct vgatext_state *st = &vgatext_state;
	unsigned start = vgatext_crtc_read16(VGATEXT_CRTC_START_HI);
	unsigned cursor = vgatext_crtc_read16(VGATEXT_CRTC_CURSOR_HI);

	st->cells = (volatile uint16_t *)VGATEXT_BASE;
	st->cur = (struct text_cursor){ .cols = VGATEXT_COLS, .rows = VGATEXT_ROWS };
	if (start + VGATEXT_CELLS <= VGATEXT_WINDOW_CELLS &&
	    cursor >= start && cursor < start + VGATEXT_CELLS) {
		/* Keep the old screen: move it to the window's start (dest < src). */
		for (unsigned i = 0; start != 0 && i < VGATEXT_CELLS; i++)
			st->cells[i] = st->cells[start + i];
		st->cur.row = (cursor - start) / VGATEXT_COLS;
		if ((cursor - start) % VGATEXT_COLS != 0)
			text_cursor_newline(&st->cur, vgatext_scroll, st);
	} else {
		for (unsigned i = 0; i < VGATEXT_CELLS; i++)
			st->cells[i] = VGATEXT_BLANK;
	}
	vgatext_crtc_write16(VGATEXT_CRTC_START_HI, 0);
	vgatext_update_cursor(st);

	dev->name = "vga";
	dev->write = vgatext_write;
	dev->priv = st;
	return 0;
}
