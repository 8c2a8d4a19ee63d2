/*
 * dump=fat[:<dev>]: the dump as files on a FAT volume (the ESP unless a
 * device is named), for machines without a dump partition.
 *
 *   \POSTMORTEM\<YYYYMMDD-HHMMSS>\vmcore.000, vmcore.001, ...  the dump file
 *                                  (kdump-compressed or ELF) in parts of
 *                                  pm.fatpart= bytes (default 4095 MiB:
 *                                  FAT files end below 4 GiB)
 *   \POSTMORTEM\<...>\dumpinfo.txt  written last: "status=complete", the
 *                                  format (kdump, elf), size, part count
 *                                  and size, SHA-256
 *
 * Interface: fatsink_open() mounts the volume (kernel/esp.c) and fills
 * the caller's struct dumpsink, or returns -errno with *why a sentence;
 * the caller falls back to serial then.  begin() refuses a dump the free
 * space cannot hold, before anything is written.  `postmortem savecore`
 * reads such a directory (or the image holding it) and joins the parts:
 * docs/dump-fat.md.
 */
#ifndef KERNEL_FATSINK_H
#define KERNEL_FATSINK_H

#include <stdint.h>

#include "kernel/dumpsink.h"

int fatsink_open(struct dumpsink *s, const char *dev, uint64_t part_size, const char **why);

#endif
