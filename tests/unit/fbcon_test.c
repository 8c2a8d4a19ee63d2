/*
 * Host tests of drivers/fbcon.c: glyph drawing at 16, 24 and 32 bpp into a
 * malloc'd pixel buffer, colour packing, fbcon_init's geometry checks, and
 * the console's control characters, wrapping and scrolling, read back by
 * decoding the pixels of each text cell.
 *
 * fbcon.c is #included rather than linked: the Makefile links unit tests
 * with the pure library, which fbcon.c (a driver) is not in, and including
 * it gives the tests its static state and write function.  The font is a
 * fake defined here, so the test needs neither build/font.c nor the kbd
 * fonts: each fake glyph's first row is its own code, which makes a drawn
 * cell decodable.  fbcon_init gets the malloc'd buffer's address as
 * fb_info.addr, just as the identity-mapping kernel gets a physical one.
 */
#include "../../drivers/fbcon.c"

#include "test.h"

/* Rows: own code first, then a pattern using both edges, then ~code. */
#define FAKE(c) [c] = { (c), 0x80, 0x01, 0xff, 0x00, 0x3c, 0x42, (unsigned char)~(c), \
			0x81, 0x7e, 0x18, 0x24, 0x00, 0xf0, 0x0f, (c) }

const unsigned char font8x16[256][16] = {
	FAKE('A'), FAKE('B'), FAKE('C'), FAKE('D'), FAKE('E'), FAKE('F'),
	FAKE('G'), FAKE('H'), FAKE('x'), FAKE(0xb2),
};

/* 32 bpp x8r8g8b8, the usual GOP layout. */
static const struct fb_info layout_888 = {
	.bpp = 32, .red_pos = 16, .red_size = 8, .green_pos = 8, .green_size = 8,
	.blue_pos = 0, .blue_size = 8,
};

/* 16 bpp r5g6b5. */
static const struct fb_info layout_565 = {
	.bpp = 16, .red_pos = 11, .red_size = 5, .green_pos = 5, .green_size = 6,
	.blue_pos = 0, .blue_size = 5,
};

static uint32_t get_pixel(const uint8_t *p, uint8_t bytes_pp)
{
	uint32_t v = 0;

	memcpy(&v, p, bytes_pp);	/* little-endian host, as x86 */
	return v;
}

/*
 * Draws the fake 'A' at (x, y) of a w x h buffer with pitch and checks every
 * pixel in the box, then that no byte outside the box changed.
 */
static void check_draw(uint8_t bytes_pp, uint32_t pitch, uint32_t h, uint32_t x, uint32_t y,
		       uint32_t fg, uint32_t bg)
{
	size_t size = (size_t)pitch * h;
	uint8_t *buf = malloc(size);
	unsigned bad = 0, outside = 0;

	memset(buf, 0x5a, size);
	fbcon_draw_glyph(buf, pitch, bytes_pp, x, y, font8x16['A'], fg, bg);
	for (uint32_t r = 0; r < 16; r++)
		for (uint32_t c = 0; c < 8; c++) {
			uint32_t want = (font8x16['A'][r] & (0x80 >> c)) ? fg : bg;
			const uint8_t *p = buf + (size_t)(y + r) * pitch + (size_t)(x + c) * bytes_pp;

			bad += get_pixel(p, bytes_pp) != want;
		}
	for (size_t i = 0; i < size; i++) {
		size_t row = i / pitch, byte = i % pitch;
		int in_box = row >= y && row < y + 16 && byte >= (size_t)x * bytes_pp &&
			     byte < (size_t)(x + 8) * bytes_pp;

		outside += !in_box && buf[i] != 0x5a;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(outside, 0);
	free(buf);
}

TEST(draw_glyph_32bpp)
{
	check_draw(4, 3 * 8 * 4 + 12, 40, 8, 16, 0x00aabbcc, 0x11223344);
	check_draw(4, 8 * 4, 16, 0, 0, 0xffffffff, 0);	/* exactly one cell */
}

TEST(draw_glyph_16bpp)
{
	/* Odd pitch and x: every 16-bit store is misaligned; UBSan would say so. */
	check_draw(2, 3 * 8 * 2 + 1, 35, 3, 17, 0xad55, 0x0841);
}

TEST(draw_glyph_24bpp)
{
	check_draw(3, 2 * 8 * 3 + 5, 32, 5, 9, 0xaabbcc, 0x010203);
}

TEST(pack_color)
{
	struct fb_info bgr = layout_888, ten = layout_888, odd = layout_565;

	CHECK_EQ(fbcon_pack_color(&layout_565, 0xff, 0, 0), 0xf800);
	CHECK_EQ(fbcon_pack_color(&layout_565, 0, 0xff, 0), 0x07e0);
	CHECK_EQ(fbcon_pack_color(&layout_565, 0, 0, 0xff), 0x001f);
	CHECK_EQ(fbcon_pack_color(&layout_565, 0xaa, 0xaa, 0xaa), 0xad55);
	CHECK_EQ(fbcon_pack_color(&layout_565, 0, 0, 0), 0);
	CHECK_EQ(fbcon_pack_color(&layout_888, 0x12, 0x34, 0x56), 0x123456);
	CHECK_EQ(fbcon_pack_color(&layout_888, 0xff, 0xff, 0xff), 0xffffff);
	bgr.red_pos = 0;
	bgr.blue_pos = 16;
	CHECK_EQ(fbcon_pack_color(&bgr, 0x12, 0x34, 0x56), 0x563412);
	/* 10 bits a channel: full scale stays full, bits repeat below. */
	ten.red_pos = 20; ten.red_size = 10;
	ten.green_pos = 10; ten.green_size = 10;
	ten.blue_pos = 0; ten.blue_size = 10;
	CHECK_EQ(fbcon_pack_color(&ten, 0xff, 0xff, 0xff), 0x3fffffff);
	CHECK_EQ(fbcon_pack_color(&ten, 0x80, 0, 0), 0x202u << 20);
	/* Channels that cannot be drawn contribute nothing, and do not shift by >= 32. */
	odd.red_size = 0;
	odd.green_pos = 200;
	odd.blue_pos = 30; odd.blue_size = 5;
	CHECK_EQ(fbcon_pack_color(&odd, 0xff, 0xff, 0xff), 0xc0000000);
}

/* A valid 32 bpp framebuffer of cols x rows cells plus spare pixels, in buf. */
static struct fb_info make_fb(uint8_t *buf, uint32_t w, uint32_t h, uint32_t pitch)
{
	struct fb_info fb = layout_888;

	fb.addr = (uint64_t)(uintptr_t)buf;
	fb.width = w;
	fb.height = h;
	fb.pitch = pitch;
	return fb;
}

TEST(init_rejects)
{
	uint8_t *buf = malloc(4096);
	struct fb_info good = make_fb(buf, 8, 16, 32), fb;
	struct chardev dev = { 0 };
	struct fb_info bad[20];
	unsigned n = 0, untouched = 1;

	memset(buf, 0x5a, 4096);
	fb = good; fb.bpp = 8; bad[n++] = fb;
	fb = good; fb.bpp = 0; bad[n++] = fb;
	fb = good; fb.bpp = 31; bad[n++] = fb;
	fb = good; fb.width = 0; bad[n++] = fb;
	fb = good; fb.height = 0; bad[n++] = fb;
	fb = good; fb.width = 7; bad[n++] = fb;
	fb = good; fb.height = 15; bad[n++] = fb;
	fb = good; fb.width = 16385; fb.pitch = 16385 * 4; bad[n++] = fb;
	fb = good; fb.height = 16385; bad[n++] = fb;
	fb = good; fb.pitch = 31; bad[n++] = fb;	/* below 8 * 4 */
	fb = good; fb.pitch = 0; bad[n++] = fb;
	fb = good; fb.addr = 0; bad[n++] = fb;
	/* addr + pitch * height wraps past 2^64 (2^46 bytes from 2^64 - 2^40). */
	fb = good; fb.pitch = UINT32_MAX; fb.height = 16384;
	fb.addr = UINT64_MAX - (1ull << 40); bad[n++] = fb;
	fb = good; fb.addr = UINT64_MAX - 255; bad[n++] = fb;	/* 512 bytes from the top */
	fb = good; fb.red_size = 0; bad[n++] = fb;
	fb = good; fb.green_size = 17; bad[n++] = fb;
	fb = good; fb.blue_pos = 28; bad[n++] = fb;	/* 28 + 8 > 32 */
	fb = good; fb.bpp = 16; fb.pitch = 16; bad[n++] = fb;	/* red at 16..23 > 16 bpp */

	for (unsigned i = 0; i < n; i++) {
		int rc = fbcon_init(&dev, &bad[i]);

		if (rc != -EINVAL)
			fprintf(stderr, "init_rejects: case %u returned %d\n", i, rc);
		CHECK_EQ(rc, -EINVAL);
	}
	CHECK_EQ(fbcon_init(NULL, &good), -EINVAL);
	CHECK_EQ(fbcon_init(&dev, NULL), -EINVAL);
	CHECK(dev.name == NULL && dev.write == NULL && dev.priv == NULL);
	for (size_t i = 0; i < 4096; i++)
		untouched &= buf[i] == 0x5a;
	CHECK(untouched);
	/* The limits themselves are accepted. */
	CHECK_EQ(fbcon_init(&dev, &good), 0);
	free(buf);
}

TEST(init_accepts)
{
	uint32_t w = 4 * 8, h = 3 * 16 + 5, pitch = w * 4 + 16;
	uint8_t *buf = malloc((size_t)pitch * h);
	struct fb_info fb = make_fb(buf, w, h, pitch);
	struct chardev dev = { 0 };
	unsigned cleared = 1;

	memset(buf, 0xff, (size_t)pitch * h);
	CHECK_EQ(fbcon_init(&dev, &fb), 0);
	CHECK_STR(dev.name, "fb0");
	CHECK(dev.write == fbcon_write);
	CHECK(dev.priv == &fbcon_state);
	CHECK_EQ(fbcon_state.cur.cols, 4);
	CHECK_EQ(fbcon_state.cur.rows, 3);
	CHECK_EQ(fbcon_state.fg, 0xaaaaaa);
	CHECK_EQ(fbcon_state.bg, 0);
	for (size_t i = 0; i < (size_t)pitch * h; i++)
		cleared &= buf[i] == 0;
	CHECK(cleared);
	free(buf);
}

/*
 * Decodes text row `row` of the console into out (cols chars + NUL): ' ' for
 * a blank cell, the character whose fake glyph was drawn, '?' for pixels
 * that are neither fg nor bg or do not form a whole glyph.
 */
static const char *screen_row(unsigned row, char *out)
{
	const struct fbcon_state *st = &fbcon_state;

	for (uint32_t col = 0; col < st->cur.cols; col++) {
		unsigned char g[16] = { 0 };
		int ok = 1, blank = 1;

		for (uint32_t r = 0; r < 16; r++)
			for (uint32_t c = 0; c < 8; c++) {
				size_t off = (size_t)(row * 16 + r) * st->pitch +
					     (size_t)(col * 8 + c) * st->bytes_pp;
				uint32_t v = get_pixel(st->base + off, st->bytes_pp);

				if (v == st->fg)
					g[r] |= (unsigned char)(0x80 >> c);
				else if (v != st->bg)
					ok = 0;
			}
		for (int r = 0; r < 16; r++)
			blank &= g[r] == 0;
		if (!ok)
			out[col] = '?';
		else if (blank)
			out[col] = ' ';
		else if (memcmp(g, font8x16[g[0]], 16) == 0)
			out[col] = g[0] >= 0x80 ? '#' : (char)g[0];	/* '#': the 0xb2 glyph */
		else
			out[col] = '?';
	}
	out[st->cur.cols] = '\0';
	return out;
}

/* A 32 bpp console of 20 x 3 cells and 5 spare pixel rows, freshly cleared. */
static uint8_t *console(struct chardev *dev, uint8_t bpp)
{
	uint32_t w = 20 * 8, h = 3 * 16 + 5, pitch = w * 4 + 4;
	uint8_t *buf = malloc((size_t)pitch * h);
	struct fb_info fb = make_fb(buf, w, h, pitch);

	if (bpp == 16) {
		fb = layout_565;
		fb.addr = (uint64_t)(uintptr_t)buf;
		fb.width = w;
		fb.height = h;
		fb.pitch = w * 2 + 2;
	}
	if (fbcon_init(dev, &fb) != 0)
		abort();
	return buf;
}

static void put(struct chardev *dev, const char *s)
{
	dev->write(dev, s, strlen(s));
}

TEST(write_controls)
{
	struct chardev dev;
	uint8_t *buf = console(&dev, 32);
	char row[32];

	put(&dev, "AB\rC");
	CHECK_STR(screen_row(0, row), "CB                  ");
	put(&dev, "\bD\b\bE");	/* \b moves left without erasing */
	CHECK_STR(screen_row(0, row), "EB                  ");
	put(&dev, "\rA\tB\tC\tD");	/* stops at 8 and 16, then past the end */
	CHECK_STR(screen_row(0, row), "AB      B       C   ");
	CHECK_STR(screen_row(1, row), "D                   ");
	put(&dev, "\x01\x1b\x7f" "\xb2");	/* controls dropped, high byte drawn */
	CHECK_STR(screen_row(1, row), "D#                  ");
	put(&dev, "\b\b\b");	/* stops at column 0 */
	put(&dev, "E");
	CHECK_STR(screen_row(1, row), "E#                  ");
	put(&dev, "\nA\t\t\t\bB");	/* the last tab stops at the edge; \b steps back onto it */
	CHECK_STR(screen_row(2, row), "A                  B");
	free(buf);
}

TEST(write_wrap_and_scroll)
{
	struct chardev dev;
	uint8_t *buf = console(&dev, 32);
	const struct fbcon_state *st = &fbcon_state;
	size_t spare = (size_t)3 * 16 * st->pitch;
	unsigned spare_black = 1;
	char row[32];

	/* Exactly a full line, then \n: no empty line in between. */
	put(&dev, "AAAAAAAAAAAAAAAAAAAA\nB");
	CHECK_STR(screen_row(0, row), "AAAAAAAAAAAAAAAAAAAA");
	CHECK_STR(screen_row(1, row), "B                   ");
	/* A long line wraps onto the next. */
	put(&dev, "\rCCCCCCCCCCCCCCCCCCCCD");
	CHECK_STR(screen_row(1, row), "CCCCCCCCCCCCCCCCCCCC");
	CHECK_STR(screen_row(2, row), "D                   ");
	/* At the bottom, a newline moves everything up one text row. */
	put(&dev, "\nE");
	CHECK_STR(screen_row(0, row), "CCCCCCCCCCCCCCCCCCCC");
	CHECK_STR(screen_row(1, row), "D                   ");
	CHECK_STR(screen_row(2, row), "E                   ");
	put(&dev, "\n\n\nF\tG");
	CHECK_STR(screen_row(0, row), "                    ");
	CHECK_STR(screen_row(1, row), "                    ");
	CHECK_STR(screen_row(2, row), "F       G           ");
	CHECK_EQ(st->cur.row, 2);
	/* The 5 pixel rows below the last text row are never drawn on. */
	for (size_t i = spare; i < spare + 5 * (size_t)st->pitch; i++)
		spare_black &= buf[i] == 0;
	CHECK(spare_black);
	free(buf);
}

TEST(write_16bpp)
{
	struct chardev dev;
	uint8_t *buf = console(&dev, 16);
	char row[32];

	CHECK_EQ(fbcon_state.bytes_pp, 2);
	CHECK_EQ(fbcon_state.fg, 0xad55);
	put(&dev, "x\nA\nB\nC");
	CHECK_STR(screen_row(0, row), "A                   ");
	CHECK_STR(screen_row(2, row), "C                   ");
	free(buf);
}

TEST_MAIN(draw_glyph_32bpp, draw_glyph_16bpp, draw_glyph_24bpp, pack_color, init_rejects,
	  init_accepts, write_controls, write_wrap_and_scroll, write_16bpp)
