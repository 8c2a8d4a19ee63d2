/*
 * tool_harness: run one of build/postmortem's commands (recv, inspect,
 * expand, savecore) from a fuzz target, on the input written to a scratch
 * file, as a user would run it.  The commands print a report: while one
 * runs, the stdout and stderr streams point at /dev/null (glibc lets a
 * program assign them); file descriptors 1 and 2 are left alone, so a
 * sanitizer's report (written to fd 2) is still shown and still aborts.
 *
 * Interface: th_file("in") gives a path in a per-process scratch
 * directory (removed at exit); th_write() puts the input there;
 * th_run(main, argv) calls the command with argc counted from the
 * NULL-terminated argv.  Test code only.
 */
#ifndef TESTS_FUZZ_TOOL_HARNESS_H
#define TESTS_FUZZ_TOOL_HARNESS_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char th_dir[64];

static void th_cleanup(void)
{
	char path[600];
	struct dirent *e;
	DIR *d = opendir(th_dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", th_dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(th_dir);
}

static const char *th_file(const char *name)
{
	static char bufs[8][128];
	static unsigned next;
	char *p = bufs[next++ % 8];

	if (th_dir[0] == '\0') {
		snprintf(th_dir, sizeof(th_dir), "/tmp/pmfuzz.XXXXXX");
		if (mkdtemp(th_dir) == NULL)
			abort();
		atexit(th_cleanup);
	}
	snprintf(p, 128, "%s/%s", th_dir, name);
	return p;
}

static void th_write(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
}

static int th_run(int (*fn)(int argc, char **argv), char **argv)
{
	static FILE *null;
	FILE *out = stdout, *err = stderr;
	int argc = 0, rc;

	while (argv[argc] != NULL)
		argc++;
	if (null == NULL && (null = fopen("/dev/null", "w")) == NULL)
		abort();
	fflush(stdout);
	fflush(stderr);
	stdout = null;		/* glibc: the streams are plain variables */
	stderr = null;
	rc = fn(argc, argv);
	fflush(null);
	stdout = out;
	stderr = err;
	return rc;
}

#endif
