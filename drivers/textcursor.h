/*
 * Where the next byte goes on a text console of rows x cols cells: the
 * control characters and the wrap rule the screen consoles (fbcon,
 * vgatext) share.  The cursor sits one past the last cell written; col ==
 * cols means "wrap pending", so a line of exactly cols characters followed
 * by \n does not leave an empty row.  Tabs stop every TEXT_CURSOR_TAB
 * columns; \b moves back within the row; other control bytes and DEL are
 * dropped.
 *
 * Interface.  text_cursor_step(c, byte, scroll, ctx) moves the cursor for
 * one byte and returns true when the byte is a glyph to draw at (c->row,
 * c->col); the caller draws it and then does c->col++.  When the cursor
 * must leave the last row, scroll(ctx) is called first to move the screen
 * up one row and blank the last one (the console's own work).  Header
 * only and pure: no hardware, no globals.
 */
#ifndef DRIVERS_TEXTCURSOR_H
#define DRIVERS_TEXTCURSOR_H

#include <stdbool.h>

#define TEXT_CURSOR_TAB	8

struct text_cursor {
	unsigned col, row;	/* next cell; col == cols: wrap pending */
	unsigned cols, rows;	/* the grid, both >= 1 */
};

static inline void text_cursor_newline(struct text_cursor *c, void (*scroll)(void *), void *ctx)
{
	c->col = 0;
	if (c->row + 1 < c->rows)
		c->row++;
	else
		scroll(ctx);
}

static inline bool text_cursor_step(struct text_cursor *c, unsigned char byte,
				    void (*scroll)(void *), void *ctx)
{
	switch (byte) {
	case '\n':
		text_cursor_newline(c, scroll, ctx);
		return false;
	case '\r':
		c->col = 0;
		return false;
	case '\t':
		if (c->col >= c->cols)
			text_cursor_newline(c, scroll, ctx);
		c->col = (c->col / TEXT_CURSOR_TAB + 1) * TEXT_CURSOR_TAB;
		if (c->col > c->cols)
			c->col = c->cols;
		return false;
	case '\b':
		if (c->col > 0)
			c->col--;
		return false;
	}
	if (byte < 0x20 || byte == 0x7f)
		return false;
	if (c->col >= c->cols)
		text_cursor_newline(c, scroll, ctx);
	return true;
}

#endif
