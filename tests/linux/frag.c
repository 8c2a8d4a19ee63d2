/*
 * pmfrag: cut a filesystem's free space into small holes, as years of use
 * do, so that a file allocated next gets many short extents.  Built
 * static by scripts/mkguest.py into the guest as /usr/bin/pmfrag; run by
 * tests/linux/init for pmfrag=DIR:KIB before `postmortem load --dump-file`.
 *
 *   pmfrag DIR KIB
 *
 * Creates DIR and in it files f00000, f00001, ... of KIB KiB each, their
 * blocks allocated with fallocate (no data written: fast under emulation),
 * until the filesystem says it is full; syncs; removes every other file
 * (the odd ones), so each leaves a hole of KIB KiB between two kept ones;
 * syncs again.  One line: "guest: pmfrag: N files of KIB KiB in DIR, the
 * odd ones removed".  Exit 0, or 1 with a line saying why.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 1000000

int main(int argc, char **argv)
{
	char path[4096];
	long kib, n = 0;
	int err = 0;

	if (argc != 3 || (kib = strtol(argv[2], NULL, 10)) <= 0 || kib > (1L << 20)) {
		fprintf(stderr, "usage: pmfrag DIR KIB\n");
		return 1;
	}
	if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
		printf("guest: pmfrag: mkdir %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (; n < MAX_FILES; n++) {
		int fd, r;

		snprintf(path, sizeof(path), "%s/f%05ld", argv[1], n);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			err = errno;
			break;
		}
		r = fallocate(fd, 0, 0, kib << 10);
		err = errno;
		close(fd);
		if (r != 0) {
			unlink(path);
			break;
		}
		err = 0;
	}
	if (err != ENOSPC) {
		printf("guest: pmfrag: %s: %s\n", path, err ? strerror(err) : "the filesystem never filled");
		return 1;
	}
	sync();
	for (long i = 1; i < n; i += 2) {
		snprintf(path, sizeof(path), "%s/f%05ld", argv[1], i);
		if (unlink(path) != 0) {
			printf("guest: pmfrag: unlink %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	sync();
	printf("guest: pmfrag: %ld files of %ld KiB in %s, the odd ones removed\n", n, kib, argv[1]);
	return 0;
}
