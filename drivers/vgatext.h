/*
 * VGA text-mode console: 80x25 cells at physical 0xB8000.
 *
 * Interface: call vgatext_init() once when the boot path says the display
 * is in VGA text mode (e.g. screen_info.orig_video_isVGA == VIDEO_TYPE_VGAC,
 * or a legacy BIOS boot with no framebuffer); on return the chardev (name
 * "vga") is ready for console_add().  The text buffer is identity mapped by
 * our page tables.  Text is light grey on black (attribute 0x07); write()
 * handles \n (as CR LF), \r, \t (stops every 8 columns), \b (moves left,
 * does not erase), wraps, scrolls and moves the hardware cursor; other
 * control bytes are dropped.  Bytes 0x80..0xFF show as code page 437.
 *
 * The screen is not cleared: output continues on the line below the
 * hardware cursor, so whatever the crashed system left on screen (often its
 * panic message) scrolls up rather than vanishing.
 */
#ifndef DRIVERS_VGATEXT_H
#define DRIVERS_VGATEXT_H

#include "drivers/chardev.h"

/* Fills dev for the VGA text console.  Returns 0; there is nothing to probe. */
int vgatext_init(struct chardev *dev);

#endif
