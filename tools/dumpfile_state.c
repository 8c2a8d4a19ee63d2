/*
 * The dump file's state file (interface: tools/dumpfile_state.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/dumpfile_state.h"

const char *dumpfile_state_dir(const char *opt)
{
	const char *env = getenv(DUMPFILE_STATE_ENV);

	if (opt != NULL && opt[0] != '\0')
		return opt;
	return env != NULL && env[0] != '\0' ? env : DUMPFILE_STATE_DIR;
}

static char state_path[PATH_MAX + 32];

static int state_name(const char *dir)
{
	int n = snprintf(state_path, sizeof(state_path), "%s/%s", dir, DUMPFILE_STATE_NAME);

	return n < 0 || (size_t)n >= sizeof(state_path) ? -1 : 0;
}

/* mkdir -p dir, each new directory mode 0755: 0, or -1 with errno. */
static int mkdirs(const char *dir)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char c = p[i];

		p[i] = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return -1;
		p[i] = c;
	}
	return 0;
}

int dumpfile_state_write(const char *dir, const char *dump_file)
{
	char abs[PATH_MAX], tmp[PATH_MAX + 48];
	int fd, dfd, n;

	if (realpath(dump_file, abs) == NULL) {
		fprintf(stderr, "postmortem load: %s: %s\n", dump_file, strerror(errno));
		return -1;
	}
	if (strchr(abs, '\n') != NULL || state_name(dir) != 0) {
		fprintf(stderr, "postmortem load: %s: cannot record this path in %s\n", abs, dir);
		return -1;
	}
	if (mkdirs(dir) != 0) {
		fprintf(stderr, "postmortem load: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, DUMPFILE_STATE_NAME);
	if (n < 0 || (size_t)n >= sizeof(tmp) || (fd = mkstemp(tmp)) < 0) {
		fprintf(stderr, "postmortem load: cannot write in %s: %s\n", dir, strerror(errno));
		return -1;
	}
	size_t len = strlen(abs);

	abs[len] = '\n';
	if (fchmod(fd, 0644) != 0 || write(fd, abs, len + 1) != (ssize_t)(len + 1) ||
	    fsync(fd) != 0 || close(fd) != 0) {
		fprintf(stderr, "postmortem load: cannot write %s: %s\n", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, state_path) != 0) {
		fprintf(stderr, "postmortem load: cannot rename %s to %s: %s\n", tmp, state_path,
			strerror(errno));
		unlink(tmp);
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);	/* the rename itself, durable */
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int dumpfile_state_read(const char *dir, char *out, size_t len, const char **state)
{
	struct stat st;
	ssize_t n;
	int fd;

	*state = dir;
	if (state_name(dir) != 0)
		return 1;
	*state = state_path;
	fd = open(state_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		fprintf(stderr, "postmortem savecore: %s: %s\n", state_path, strerror(errno));
		return -1;
	}
	const char *why = NULL;

	if (fstat(fd, &st) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_uid != geteuid())
		why = "owned by another user";
	else if (st.st_mode & 022)
		why = "writable by group or others";
	if (why == NULL) {
		n = len > 1 ? read(fd, out, len - 1) : -1;
		if (n <= 1 || out[n - 1] != '\n' || out[0] != '/')
			why = "not one absolute path and a newline";
		else {
			out[n - 1] = '\0';
			if (strchr(out, '\n') != NULL || strlen(out) != (size_t)n - 1)
				why = "not one absolute path and a newline";
		}
	}
	close(fd);
	if (why != NULL) {
		fprintf(stderr, "postmortem savecore: %s: ignored: %s\n", state_path, why);
		return -1;
	}
	return 0;
}
