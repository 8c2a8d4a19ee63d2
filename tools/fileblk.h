/*
 * A struct blkdev over a host file or block device, for build/postmortem:
 * disk images and /dev nodes read with pread/pwrite, so the pure readers
 * and writers in payload/ (GPT, dump header) run on the host unchanged.
 *
 * Interface: fileblk_open() fills a caller-owned struct blkdev (not
 * registered: the registry is the kernel's) and opens the file read-only
 * unless writable.  The sector size is sector_size when non-zero, else the
 * device's logical sector size (BLKSSZGET) for a block device, else 512;
 * it must be a power of two from 512 to 65536.
 * A file whose size is not a multiple of the sector size is used up to the
 * last whole sector.  fileblk_open_fd() does the same over a file the
 * caller has already opened (and checked): it works on a duplicate of fd,
 * so the very file checked is the one read, and the caller still closes
 * its own fd.  fileblk_close() closes it.  Errors: negative errno;
 * *why (if not NULL) gets a short text for the message.
 *
 * Host only (POSIX, Linux ioctls).
 */
#ifndef TOOLS_FILEBLK_H
#define TOOLS_FILEBLK_H

#include <stdbool.h>
#include <stdint.h>

#include "formats/blkdev.h"

int fileblk_open(struct blkdev *dev, const char *path, bool writable, uint32_t sector_size,
		 const char **why);
int fileblk_open_fd(struct blkdev *dev, int fd, uint32_t sector_size, const char **why);
void fileblk_close(struct blkdev *dev);

#endif
