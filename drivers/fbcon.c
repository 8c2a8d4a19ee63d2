/*
 * Framebuffer text console: draws 8x16 glyphs (drivers/font.h) light grey on
 * black into a linear framebuffer the boot path handed us, and scrolls by
 * moving pixel rows up.  Interface and rules of use: drivers/fbcon.h.
 *
 * Layout: the text grid starts at the top-left pixel; cells are FONT_WIDTH
 * x FONT_HEIGHT; pixel columns and rows that do not fill a whole cell, and
 * the padding between width * bytes_pp and pitch, stay black.
 *
 *   addr -> +--------------------------------------+-----+
 *            | text row 0       (pixel rows 0..15)  | pad |  pitch bytes
 *            | text row 1       (pixel rows 16..31) | pad |  per pixel row
 *            | ...                                  | pad |
 *            | text row rows-1                      | pad |
 *            | height % 16 spare pixel rows         | pad |
 *            +--------------------------------------+-----+
 *             <--------- width * bytes_pp --------->
 *
 * Black is all-zero bits in every RGB layout, so clearing is memset.  The
 * cursor sits one past the last cell written; col == cols means "wrap
 * pending", so a line of exactly `cols` characters followed by \n does not
 * leave an empty line.
 *
 * Environment: kernel, one CPU, called only through the console
 * multiplexer; no allocation, no floating point.  The rendering core
 * (fbcon_draw_glyph, fbcon_pack_color) is pure and runs in host tests.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/fbcon.h"
#include "drivers/font.h"
#include "drivers/textcursor.h"

#define FBCON_MAX_DIM	16384	/* pixels, either way: 16K displays and below */
#define FBCON_GREY	0xaa	/* light grey, the VGA palette's colour 7 */

_Static_assert(sizeof(uintptr_t) == 8, "fb_info.addr is used as a pointer");

struct fbcon_state {
	uint8_t *base;		/* identity-mapped framebuffer */
	uint32_t pitch;		/* bytes per pixel row */
	uint8_t bytes_pp;
	struct text_cursor cur;	/* text cells and the next one */
	uint32_t fg, bg;	/* packed pixel values */
};

static struct fbcon_state fbcon_state;

/*
 * Stores one pixel.  __builtin_memcpy keeps 16- and 32-bit stores single
 * instructions (pitch need not keep them aligned) and, unlike memcpy under
 * -ffreestanding, is always expanded inline.  x86 is little-endian, as the
 * framebuffer's byte order is.
 */
static inline void fbcon_put_pixel(uint8_t *p, uint8_t bytes_pp, uint32_t c)
{
	uint16_t c16 = (uint16_t)c;

	switch (bytes_pp) {
	case 4:
		__builtin_memcpy(p, &c, 4);
		break;
	case 3:
		p[0] = (uint8_t)c;
		p[1] = (uint8_t)(c >> 8);
		p[2] = (uint8_t)(c >> 16);
		break;
	case 2:
		__builtin_memcpy(p, &c16, 2);
		break;
	}
}

void fbcon_draw_glyph(uint8_t *pixels, uint32_t pitch, uint8_t bytes_pp,
		      uint32_t x, uint32_t y, const unsigned char glyph[16],
		      uint32_t fg, uint32_t bg)
{
	uint8_t *line = pixels + (size_t)y * pitch + (size_t)x * bytes_pp;

	for (unsigned r = 0; r < FONT_HEIGHT; r++, line += pitch) {
		uint8_t *p = line;

		for (unsigned bit = 0x80; bit != 0; bit >>= 1, p += bytes_pp)
			fbcon_put_pixel(p, bytes_pp, (glyph[r] & bit) ? fg : bg);
	}
}

/* One channel: v scaled to `size` bits, shifted to `pos`; see fbcon.h. */
static uint32_t fbcon_channel(uint8_t v, uint8_t pos, uint8_t size)
{
	uint32_t s;

	if (size == 0 || size > 16 || pos >= 32)
		return 0;
	if (size <= 8)
		s = (uint32_t)v >> (8 - size);
	else	/* repeat the top bits below, so 0xff becomes all ones */
		s = ((uint32_t)v << (size - 8)) | ((uint32_t)v >> (16 - size));
	return (uint32_t)((uint64_t)s << pos);	/* bits past 31 drop out */
}

uint32_t fbcon_pack_color(const struct fb_info *fb, uint8_t r, uint8_t g, uint8_t b)
{
	return fbcon_channel(r, fb->red_pos, fb->red_size) |
	       fbcon_channel(g, fb->green_pos, fb->green_size) |
	       fbcon_channel(b, fb->blue_pos, fb->blue_size);
}

static bool fbcon_channel_ok(uint8_t pos, uint8_t size, uint8_t bpp)
{
	return size != 0 && size <= 16 && (unsigned)pos + size <= bpp;
}

/* Moves to the start of the next text row, scrolling at the bottom. */
/* Moves the screen up one text row and blanks the last (the cursor stays). */
static void fbcon_scroll(void *ctx)
{
	struct fbcon_state *st = ctx;
	size_t text_row = (size_t)st->pitch * FONT_HEIGHT;

	/*
	 * Reading the framebuffer back is slow on real hardware (it is mapped
	 * uncached or write-combining), but it needs no shadow copy of the
	 * screen, and a crash console scrolls only as fast as it prints.
	 */
	memmove(st->base, st->base + text_row, text_row * (st->cur.rows - 1));
	memset(st->base + text_row * (st->cur.rows - 1), 0, text_row);
}

static void fbcon_putc(struct fbcon_state *st, unsigned char c)
{
	if (!text_cursor_step(&st->cur, c, fbcon_scroll, st))
		return;
	fbcon_draw_glyph(st->base, st->pitch, st->bytes_pp, st->cur.col * FONT_WIDTH,
			 st->cur.row * FONT_HEIGHT, font8x16[c], st->fg, st->bg);
	st->cur.col++;
}

static void fbcon_write(struct chardev *dev, const char *buf, size_t len)
{
	struct fbcon_state *st = dev->priv;

	for (size_t i = 0; i < len; i++)
		fbcon_putc(st, (unsigned char)buf[i]);
}

int fbcon_init(struct chardev *dev, const struct fb_info *fb)
{
	uint8_t bytes_pp;
	uint64_t size;

	if (dev == NULL || fb == NULL || fb->addr == 0)
		return -EINVAL;
	if (fb->bpp != 15 && fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
		return -EINVAL;
	if (fb->width < FONT_WIDTH || fb->width > FBCON_MAX_DIM ||
	    fb->height < FONT_HEIGHT || fb->height > FBCON_MAX_DIM)
		return -EINVAL;
	bytes_pp = (uint8_t)((fb->bpp + 7) / 8);
	if (fb->pitch < (uint64_t)fb->width * bytes_pp)
		return -EINVAL;
	/* pitch < 2^32 and height <= 2^14, so the product fits; the sum may not. */
	size = (uint64_t)fb->pitch * fb->height;
	if (fb->addr + size < fb->addr)
		return -EINVAL;
	if (!fbcon_channel_ok(fb->red_pos, fb->red_size, fb->bpp) ||
	    !fbcon_channel_ok(fb->green_pos, fb->green_size, fb->bpp) ||
	    !fbcon_channel_ok(fb->blue_pos, fb->blue_size, fb->bpp))
		return -EINVAL;

	fbcon_state = (struct fbcon_state){
		.base = (uint8_t *)(uintptr_t)fb->addr,
		.pitch = fb->pitch,
		.bytes_pp = bytes_pp,
		.cur.cols = fb->width / FONT_WIDTH,
		.cur.rows = fb->height / FONT_HEIGHT,
		.fg = fbcon_pack_color(fb, FBCON_GREY, FBCON_GREY, FBCON_GREY),
		.bg = fbcon_pack_color(fb, 0, 0, 0),
	};
	memset(fbcon_state.base, 0, (size_t)size);

	dev->name = "fb0";
	dev->write = fbcon_write;
	dev->priv = &fbcon_state;
	return 0;
}
