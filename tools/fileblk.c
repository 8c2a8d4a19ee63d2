/*
 * File-backed block device (see fileblk.h).  Reads and writes loop over
 * short transfers and EINTR; a read past the end of the file (a file that
 * shrank under us) is -EIO, never zeros.  flush is fsync().
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/blkdev.h"
#include "tools/fileblk.h"

struct fileblk {
	int fd;
};

static int fileblk_fd(const struct blkdev *dev)
{
	return ((const struct fileblk *)dev->priv)->fd;
}

static int fileblk_read(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf)
{
	size_t len = (size_t)count * dev->sector_size, done = 0;
	off_t off = (off_t)(lba * dev->sector_size);

	while (done < len) {
		ssize_t n = pread(fileblk_fd(dev), (uint8_t *)buf + done, len - done,
				  off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static int fileblk_write(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf)
{
	size_t len = (size_t)count * dev->sector_size, done = 0;
	off_t off = (off_t)(lba * dev->sector_size);

	while (done < len) {
		ssize_t n = pwrite(fileblk_fd(dev), (const uint8_t *)buf + done, len - done,
				   off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static int fileblk_flush(struct blkdev *dev)
{
	return fsync(fileblk_fd(dev)) ? -errno : 0;
}

static const struct blkdev_ops fileblk_ops = { fileblk_read, fileblk_write, fileblk_flush };

/* Size in bytes and, for a block device, the logical sector size. */
static int fileblk_size(int fd, uint64_t *bytes, uint32_t *dev_ss)
{
	struct stat st;
	int ss = 0;

	if (fstat(fd, &st))
		return -errno;
	*dev_ss = 0;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, bytes))
			return -errno;
		if (ioctl(fd, BLKSSZGET, &ss) == 0 && ss > 0)
			*dev_ss = (uint32_t)ss;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return -ENOTBLK;
	*bytes = (uint64_t)st.st_size;
	return 0;
}

/* Fill dev over fd, which it then owns (closed on failure too). */
static int fileblk_attach(struct blkdev *dev, int fd, uint32_t sector_size, const char **why)
{
	struct fileblk *f;
	uint64_t bytes;
	uint32_t dev_ss;
	int err;

	memset(dev, 0, sizeof(*dev));
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	err = fileblk_size(fd, &bytes, &dev_ss);
	if (err)
		goto close;
	if (sector_size == 0)
		sector_size = dev_ss ? dev_ss : 512;
	err = -EINVAL;
	if (sector_size < 512 || sector_size > 65536 || (sector_size & (sector_size - 1)))
		goto close;
	err = -ENOSPC;
	if (bytes / sector_size == 0)
		goto close;
	err = -ENOMEM;
	f = malloc(sizeof(*f));
	if (f == NULL)
		goto close;
	f->fd = fd;
	snprintf(dev->name, sizeof(dev->name), "file");
	dev->sector_size = sector_size;
	dev->sectors = bytes / sector_size;
	dev->max_transfer = (1u << 20) / sector_size ? (1u << 20) / sector_size : 1;
	dev->ops = &fileblk_ops;
	dev->priv = f;
	return 0;
close:
	close(fd);
fail:
	if (why != NULL)
		*why = err == -EINVAL ? "sector size is not a power of two from 512 to 65536" :
		       err == -ENOSPC ? "smaller than one sector" :
		       err == -ENOTBLK ? "neither a regular file nor a block device" : strerror(-err);
	return err;
}

int fileblk_open(struct blkdev *dev, const char *path, bool writable, uint32_t sector_size,
		 const char **why)
{
	return fileblk_attach(dev, open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC),
			      sector_size, why);
}

int fileblk_open_fd(struct blkdev *dev, int fd, uint32_t sector_size, const char **why)
{
	if (fd < 0) {
		memset(dev, 0, sizeof(*dev));
		if (why != NULL)
			*why = "no file";
		return -EBADF;
	}
	return fileblk_attach(dev, fcntl(fd, F_DUPFD_CLOEXEC, 0), sector_size, why);
}

void fileblk_close(struct blkdev *dev)
{
	struct fileblk *f = dev->priv;

	if (f != NULL && dev->ops == &fileblk_ops) {
		close(f->fd);
		free(f);
	}
	dev->priv = NULL;
}
