/*
 * The 8x16 console font (drivers/fbcon.c draws with it).
 *
 * Interface: font8x16[c] is the glyph for byte c read as code page 437, the
 * VGA text-mode character set, so the framebuffer and VGA text consoles show
 * the same picture for the same byte.  Each glyph is FONT_HEIGHT rows of one
 * byte, top row first, most significant bit the leftmost pixel.
 *
 * The definition is generated at build time by scripts/mkfont.sh into
 * build/font.c from a PC Screen Font that Debian ships (kbd /
 * console-setup-linux); no font is committed to our tree.  Host tests that
 * need glyphs define their own small font8x16.
 */
#ifndef DRIVERS_FONT_H
#define DRIVERS_FONT_H

#define FONT_WIDTH	8
#define FONT_HEIGHT	16

extern const unsigned char font8x16[256][FONT_HEIGHT];

#endif
