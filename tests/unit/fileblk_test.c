/* Host tests for tools/fileblk.c's fileblk_open_fd(): the device reads the
 * very file the caller opened and checked, even after another file took its
 * name; writes go to it when the descriptor is writable; closing the device
 * leaves the caller's descriptor open; a bad descriptor is refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "formats/blkdev.h"
#include "tests/unit/test.h"
#include "tools/fileblk.h"

static char dir[] = "/tmp/fileblk_test.XXXXXX";

static void make(const char *path, uint8_t fill, size_t len)
{
	uint8_t b[4096];
	FILE *f = fopen(path, "wb");

	memset(b, fill, sizeof(b));
	for (size_t done = 0; f != NULL && done < len; done += sizeof(b))
		fwrite(b, 1, sizeof(b), f);
	if (f != NULL)
		fclose(f);
}

TEST(reads_the_checked_file_not_the_name)
{
	char path[64], other[64];
	uint8_t buf[512];
	struct blkdev dev;
	const char *why = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/dump", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	make(path, 0xaa, 8192);
	make(other, 0x55, 16384);
	fd = open(path, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(rename(other, path) == 0);	/* the name now is another file */
	CHECK_EQ(fileblk_open_fd(&dev, fd, 512, &why), 0);
	CHECK_EQ(dev.sectors, 16);		/* 8192 bytes: the file opened */
	CHECK_EQ(blkdev_read(&dev, 15, 1, buf), 0);
	CHECK_EQ(buf[0], 0xaa);
	CHECK_EQ(buf[511], 0xaa);
	memset(buf, 0x11, sizeof(buf));
	CHECK_EQ(blkdev_write(&dev, 0, 1, buf), 0);
	CHECK(blkdev_read(&dev, 16, 1, buf) < 0);	/* past its end */
	fileblk_close(&dev);
	memset(buf, 0, sizeof(buf));
	CHECK(pread(fd, buf, 1, 0) == 1);	/* the caller's descriptor stays open */
	CHECK_EQ(buf[0], 0x11);
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);	/* the other file was not written */
	CHECK(fd >= 0 && pread(fd, buf, 1, 0) == 1);
	CHECK_EQ(buf[0], 0x55);
	close(fd);
	unlink(path);
}

TEST(bad_descriptor_refused)
{
	struct blkdev dev;
	const char *why = NULL;

	CHECK_EQ(fileblk_open_fd(&dev, -1, 512, &why), (uint64_t)-EBADF);
	CHECK(why != NULL);
	CHECK(dev.priv == NULL);
	fileblk_close(&dev);			/* harmless */
	CHECK(fileblk_open_fd(&dev, 12345, 512, &why) < 0);	/* not open */
}

TEST(not_a_file_refused)
{
	struct blkdev dev;
	const char *why = NULL;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	CHECK_EQ(fileblk_open_fd(&dev, fd, 512, &why), (uint64_t)-ENOTBLK);
	CHECK_STR(why, "neither a regular file nor a block device");
	CHECK(fcntl(fd, F_GETFD) >= 0);		/* the caller's, still open */
	close(fd);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	reads_the_checked_file_not_the_name();
	bad_descriptor_refused();
	not_a_file_refused();
	rmdir(dir);
	printf("%s: %u passed, %u failed\n", __FILE__, test_passed, test_failed);
	return test_failed != 0;
}
