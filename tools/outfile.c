/*
 * Output files of the host tools: a temporary beside the target renamed
 * over it once checked, or an existing device/FIFO written in place (see
 * tools/outfile.h).  Temporaries are created with O_EXCL|O_NOFOLLOW under
 * a random name relative to an open directory, so nothing that someone
 * planted in the directory (a symbolic link, a file) is followed,
 * truncated or removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "tools/outfile.h"

#define COPY_CHUNK	(1u << 20)

/* "3.5 MiB", or "64 KiB" below one MiB */
static const char *mib(uint64_t b, char *buf, size_t len)
{
	if (b < (1u << 20))
		snprintf(buf, len, "%llu KiB", (unsigned long long)(b >> 10));
	else
		snprintf(buf, len, "%llu.%01llu MiB", (unsigned long long)(b >> 20),
			 (unsigned long long)((b & 0xfffff) * 10 >> 20));
	return buf;
}

int outfile_check_space(int fd, const char *tool, const char *label, uint64_t need)
{
	struct statvfs vfs;
	uint64_t avail;
	char a[32], b[32];

	if (need == 0)
		return 0;
	if (fstatvfs(fd, &vfs) != 0) {
		int e = errno;

		fprintf(stderr, "postmortem: %s: %s: cannot tell the free space: %s\n", tool, label,
			strerror(e));
		return -e;
	}
	avail = (uint64_t)(geteuid() == 0 ? vfs.f_bfree : vfs.f_bavail) * vfs.f_frsize;
	if (need <= avail)
		return 0;
	fprintf(stderr, "postmortem: %s: %s: not enough free space: the output needs %llu bytes "
		"(%s), the filesystem has %llu bytes (%s) free; nothing written\n", tool, label,
		(unsigned long long)need, mib(need, a, sizeof(a)), (unsigned long long)avail,
		mib(avail, b, sizeof(b)));
	return -ENOSPC;
}

/*
 * A new file ".BASE.XXXXXX" in dirfd, 0600, never through a link and never
 * an existing file; its name into name.  Returns the fd or -errno.
 */
static int make_temp(int dirfd, const char *base, char name[256])
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	for (int tries = 0; tries < 100; tries++) {
		uint8_t r[6];
		char sfx[7];
		int fd;

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
			uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20) ^ (uint64_t)tries;
			for (size_t i = 0; i < sizeof(r); i++)
				r[i] = (uint8_t)(t >> (8 * i));
		}
		for (size_t i = 0; i < sizeof(r); i++)
			sfx[i] = digits[r[i] % (sizeof(digits) - 1)];
		sfx[6] = '\0';
		snprintf(name, 256, ".%.240s.%s", base, sfx);
		fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static void reset(struct outfile *o, const char *tool, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->tool = tool;
	o->path = path;
	o->fd = o->dirfd = o->devfd = -1;
}

/* Build a seekable output for a direct target in $TMPDIR, unlinked at once. */
static int open_stage(struct outfile *o, uint64_t need)
{
	const char *dir = getenv("TMPDIR");
	int dfd, fd;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		fprintf(stderr, "postmortem: %s: %s: %s (a temporary copy is built there for %s)\n",
			o->tool, dir, strerror(errno), o->path);
		return -ENOENT;
	}
	if (outfile_check_space(dfd, o->tool, dir, need) != 0) {
		close(dfd);
		return -ENOSPC;
	}
	fd = make_temp(dfd, "postmortem-out", o->tmpname);
	if (fd < 0) {
		fprintf(stderr, "postmortem: %s: %s: cannot create a temporary file: %s\n", o->tool,
			dir, strerror(-fd));
		close(dfd);
		return fd;
	}
	unlinkat(dfd, o->tmpname, 0);
	close(dfd);
	o->devfd = o->fd;
	o->fd = fd;
	o->staged = true;
	return 0;
}

/* An existing device, FIFO or socket (or a link to one): write it in place. */
static int open_direct(struct outfile *o, bool via_link, uint64_t need, unsigned flags)
{
	struct stat st;

	o->fd = open(o->path, O_WRONLY | O_NOCTTY | O_CLOEXEC | (via_link ? 0 : O_NOFOLLOW));
	if (o->fd < 0) {
		int e = errno;

		fprintf(stderr, "postmortem: %s: %s: %s\n", o->tool, o->path, strerror(e));
		return -e;
	}
	if (fstat(o->fd, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		fprintf(stderr, "postmortem: %s: %s: changed while it was opened; nothing written\n",
			o->tool, o->path);
		close(o->fd);
		o->fd = -1;
		return -EAGAIN;
	}
	o->direct = true;
	struct stat out1;
	o->is_stdout = fstat(STDOUT_FILENO, &out1) == 0 && out1.st_dev == st.st_dev &&
		       out1.st_ino == st.st_ino;
	if ((flags & OUTFILE_SEEKABLE) && open_stage(o, need) != 0) {
		close(o->fd);
		o->fd = -1;
		return -EIO;
	}
	return 0;
}

int outfile_open(struct outfile *o, const char *tool, const char *path, uint64_t need,
		 unsigned flags)
{
	struct stat lst, st;
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd;

	reset(o, tool, path);
	if (lstat(path, &lst) == 0) {
		if (S_ISLNK(lst.st_mode) && !(flags & OUTFILE_REPLACE_LINK)) {
			bool dangling = stat(path, &st) != 0;

			if (dangling || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
				fprintf(stderr, "postmortem: %s: %s: a symbolic link to %s; not "
					"followed (give the file itself, or remove the link)\n",
					tool, path, dangling ? "nothing reachable" :
					S_ISDIR(st.st_mode) ? "a directory" : "a regular file");
				return -ELOOP;
			}
			return open_direct(o, true, need, flags);
		}
		if (S_ISDIR(lst.st_mode)) {
			fprintf(stderr, "postmortem: %s: %s: is a directory (-o names the file)\n",
				tool, path);
			return -EISDIR;
		}
		/* a name of the tool's own: whatever was planted there is replaced */
		if (!S_ISREG(lst.st_mode) && !S_ISLNK(lst.st_mode) && !(flags & OUTFILE_REPLACE_LINK))
			return open_direct(o, false, need, flags);
	} else if (errno != ENOENT) {
		int e = errno;

		fprintf(stderr, "postmortem: %s: %s: %s\n", tool, path, strerror(e));
		return -e;
	}

	/* new or a regular file: a temporary in the same directory */
	if (slash != NULL && slash[1] == '\0') {
		fprintf(stderr, "postmortem: %s: %s: names a directory (-o names the file)\n",
			tool, path);
		return -EISDIR;
	}
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (strlen(slash ? slash + 1 : path) >= sizeof(o->name) - 16) {
		fprintf(stderr, "postmortem: %s: %s: name too long\n", tool, path);
		return -ENAMETOOLONG;
	}
	snprintf(o->name, sizeof(o->name), "%s", slash ? slash + 1 : path);
	o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dirfd < 0) {
		int e = errno;

		fprintf(stderr, "postmortem: %s: %s: the directory %s: %s\n", tool, path, dir,
			strerror(e));
		return -e;
	}
	if (outfile_check_space(o->dirfd, tool, path, need) != 0) {
		close(o->dirfd);
		o->dirfd = -1;
		return -ENOSPC;
	}
	fd = make_temp(o->dirfd, o->name, o->tmpname);
	if (fd < 0) {
		fprintf(stderr, "postmortem: %s: %s: cannot create a temporary file in %s: %s\n",
			tool, path, dir, strerror(-fd));
		close(o->dirfd);
		o->dirfd = -1;
		return fd;
	}
	o->fd = fd;
	snprintf(o->tmp, sizeof(o->tmp), "%s/%s", dir, o->tmpname);
	return 0;
}

/* fsync a direct target; a FIFO, socket or terminal has nothing to flush (EINVAL). */
static int sync_direct(const struct outfile *o, int fd)
{
	if (fsync(fd) == 0 || errno == EINVAL || errno == EROFS || errno == ENOTSUP)
		return 0;
	fprintf(stderr, "postmortem: %s: %s: flushing failed: %s\n", o->tool, o->path,
		strerror(errno));
	return -EIO;
}

void outfile_keep_stdout_clean(const struct outfile *o)
{
	if (!o->is_stdout)
		return;
	fflush(stdout);
	dup2(STDERR_FILENO, STDOUT_FILENO);
}

int outfile_done(struct outfile *o)
{
	int err = 0;

	if (o->staged || o->fd < 0)
		return 0;
	if (o->direct)
		return sync_direct(o, o->fd);
	if (fsync(o->fd) != 0)
		err = -errno;
	if (close(o->fd) != 0 && err == 0)
		err = -errno;
	o->fd = -1;
	if (err)
		fprintf(stderr, "postmortem: %s: %s: writing %s failed: %s\n", o->tool, o->path,
			o->tmp, strerror(-err));
	return err;
}

/* The staged file onto the device or pipe. */
static int copy_stage(struct outfile *o)
{
	char *buf = malloc(COPY_CHUNK);
	uint64_t at = 0;
	int err = 0;

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t n = pread(o->fd, buf, COPY_CHUNK, (off_t)at), w = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : 0;
			break;
		}
		while (w < n) {
			ssize_t k = write(o->devfd, buf + w, (size_t)(n - w));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				err = k < 0 ? -errno : -EIO;
				goto out;
			}
			w += k;
		}
		at += (uint64_t)n;
	}
out:
	free(buf);
	if (err)
		fprintf(stderr, "postmortem: %s: %s: writing failed after %llu bytes: %s\n", o->tool,
			o->path, (unsigned long long)at, strerror(-err));
	return err;
}

static void close_all(struct outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->devfd >= 0)
		close(o->devfd);
	if (o->dirfd >= 0)
		close(o->dirfd);
	o->fd = o->devfd = o->dirfd = -1;
}

int outfile_publish(struct outfile *o)
{
	int err = 0;

	if (o->staged) {
		err = copy_stage(o);
		o->staged = false;
		if (err == 0)
			err = sync_direct(o, o->devfd);
		close_all(o);
		return err;
	}
	if (o->direct) {
		close_all(o);
		return 0;
	}
	if (o->fd >= 0 && (err = outfile_done(o)) != 0) {
		outfile_discard(o);
		return err;
	}
	if (renameat(o->dirfd, o->tmpname, o->dirfd, o->name) != 0) {
		err = -errno;
		fprintf(stderr, "postmortem: %s: %s: cannot rename %s over it: %s; nothing "
			"changed\n", o->tool, o->path, o->tmp, strerror(errno));
		outfile_discard(o);
		return err;
	}
	o->tmp[0] = '\0';
	/* in place now: a directory that cannot be flushed is only warned about */
	if (fsync(o->dirfd) != 0)
		fprintf(stderr, "postmortem: %s: %s: written, but flushing its directory failed "
			"(the new name may not survive a power cut): %s\n", o->tool, o->path,
			strerror(errno));
	close_all(o);
	return 0;
}

void outfile_discard(struct outfile *o)
{
	if (!o->direct && o->tmp[0] != '\0' && o->dirfd >= 0)
		unlinkat(o->dirfd, o->tmpname, 0);
	o->tmp[0] = '\0';
	close_all(o);
}
