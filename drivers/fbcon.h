/*
 * Text console on a linear framebuffer.
 *
 * Interface: the boot code fills a struct fb_info from the multiboot2
 * framebuffer tag (type RGB) or Linux's screen_info (VIDEO_TYPE_EFI / VLFB)
 * and calls fbcon_init() once; on success the chardev is ready for
 * console_add().  There is one framebuffer console: a second fbcon_init()
 * takes it over for the new framebuffer.  The caller must have mapped
 * [addr, addr + pitch * height) identity (as our page tables map all low
 * memory) before calling; fbcon never touches bytes outside that range.
 *
 * Text is light grey on black in 8x16 cells (drivers/font.h, code page 437);
 * write() handles \n (as CR LF), \r, \t (stops every 8 columns), \b (moves
 * left, does not erase), wraps long lines and scrolls; other control bytes
 * are dropped.
 *
 * fbcon_draw_glyph() and fbcon_pack_color() are pure and touch only the
 * memory they are given, so host tests drive them on a malloc'd buffer.
 */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H

#include <stdint.h>

#include "drivers/chardev.h"

/*
 * A framebuffer as the boot path describes it: physical address, bytes per
 * scan line, size in pixels, bits per pixel (15, 16, 24 or 32), and each
 * colour channel's bit position and width inside a pixel (as in multiboot2's
 * color_info and screen_info's red_pos/red_size).
 */
struct fb_info {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp;
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
};

/*
 * Checks fb, clears the screen and fills dev (name "fb0").  Refuses with
 * -EINVAL: a NULL argument, addr 0, bpp other than 15/16/24/32, width
 * outside 8..16384, height outside 16..16384, pitch below width * bytes per
 * pixel, a range addr + pitch * height that wraps, or a colour channel of
 * width 0 or over 16 or reaching past bpp.  On failure neither the
 * framebuffer nor dev is touched.  Returns 0 on success.
 */
int fbcon_init(struct chardev *dev, const struct fb_info *fb);

/*
 * Draws one 8x16 glyph with its top-left pixel at (x, y) of the pixel array
 * `pixels` (pitch bytes per line, bytes_pp 2, 3 or 4 bytes per pixel): set
 * bits get colour fg, clear bits bg, both already packed by
 * fbcon_pack_color().  The caller guarantees the 8x16 box lies inside the
 * array; nothing outside the box is written.
 */
void fbcon_draw_glyph(uint8_t *pixels, uint32_t pitch, uint8_t bytes_pp,
		      uint32_t x, uint32_t y, const unsigned char glyph[16],
		      uint32_t fg, uint32_t bg);

/*
 * Returns the pixel value for 8-bit channels r, g, b in fb's layout: each
 * channel scaled to its width (narrower: top bits kept; wider: bits
 * repeated, so 255 stays full) and shifted to its position.  A channel of
 * width 0 or over 16, or at position 32 or above, contributes nothing.
 */
uint32_t fbcon_pack_color(const struct fb_info *fb, uint8_t r, uint8_t g, uint8_t b);

#endif
