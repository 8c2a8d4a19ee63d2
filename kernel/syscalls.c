/*
 * The system calls newlib needs, for a kernel with one console and no
 * files.  newlib's x86_64-elf configuration (configure.host) builds with
 * MISSING_SYSCALL_NAMES, so its reentrant wrappers (_write_r, _sbrk_r, ...)
 * call the unprefixed names defined here and read the global errno.
 *
 *   write  fd 1 and 2 go to every console; other fds fail with EBADF.
 *   sbrk   hands out a fixed heap inside our .bss (HEAP_SIZE, 16 KiB: the
 *          dumps of the tests, encrypted ones too, asked for none of it;
 *          only a calloc of crypto/gcm_block.c could); past its end it
 *          fails with ENOMEM, so malloc returns NULL, never more.
 *   the rest: fail with an errno (ENOSYS, EBADF, ...); none aborts.
 *   _exit  ends the run through the after-action (kernel/after.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <sys/time.h>

#include "kernel/after.h"
#include "kernel/console.h"

#undef errno
int errno;

#define HEAP_SIZE (16u << 10)

static uint8_t heap[HEAP_SIZE] __attribute__((aligned(64)));
static size_t heap_used;

int write(int fd, const void *buf, size_t len);
void *sbrk(ptrdiff_t incr);
int read(int fd, void *buf, size_t len);
int close(int fd);
int fstat(int fd, struct stat *st);
int isatty(int fd);
off_t lseek(int fd, off_t off, int whence);
int open(const char *path, int flags, ...);
int kill(int pid, int sig);
int getpid(void);
void _exit(int status);
int gettimeofday(struct timeval *tv, void *tz);
clock_t times(struct tms *t);
int link(const char *a, const char *b);
int unlink(const char *p);
int stat(const char *p, struct stat *st);
int fork(void);
int execve(const char *p, char *const argv[], char *const envp[]);
int wait(int *status);

int write(int fd, const void *buf, size_t len)
{
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	console_write(buf, len);
	return (int)len;
}

void *sbrk(ptrdiff_t incr)
{
	size_t old = heap_used;

	if (incr < 0 ? (size_t)-incr > heap_used : (size_t)incr > HEAP_SIZE - heap_used) {
		errno = ENOMEM;
		return (void *)-1;
	}
	heap_used += incr;
	return heap + old;
}

int read(int fd, void *buf, size_t len)
{
	(void)fd, (void)buf, (void)len;
	errno = EBADF;
	return -1;
}

int close(int fd)
{
	(void)fd;
	errno = EBADF;
	return -1;
}

int fstat(int fd, struct stat *st)
{
	if (fd < 0 || fd > 2) {
		errno = EBADF;
		return -1;
	}
	st->st_mode = S_IFCHR;
	st->st_blksize = 0;
	return 0;
}

int isatty(int fd)
{
	return fd >= 0 && fd <= 2;
}

off_t lseek(int fd, off_t off, int whence)
{
	(void)fd, (void)off, (void)whence;
	errno = ESPIPE;
	return -1;
}

int open(const char *path, int flags, ...)
{
	(void)path, (void)flags;
	errno = ENOSYS;
	return -1;
}

int kill(int pid, int sig)
{
	(void)pid, (void)sig;
	errno = EINVAL;
	return -1;
}

int getpid(void)
{
	return 1;
}

void _exit(int status)
{
	after_final(status == 0 ? "exit" : "abort");
}

int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tv, (void)tz;
	errno = ENOSYS;
	return -1;
}

clock_t times(struct tms *t)
{
	(void)t;
	errno = ENOSYS;
	return (clock_t)-1;
}

int link(const char *a, const char *b)
{
	(void)a, (void)b;
	errno = ENOSYS;
	return -1;
}

int unlink(const char *p)
{
	(void)p;
	errno = ENOSYS;
	return -1;
}

int stat(const char *p, struct stat *st)
{
	(void)p, (void)st;
	errno = ENOSYS;
	return -1;
}

int fork(void)
{
	errno = ENOSYS;
	return -1;
}

int execve(const char *p, char *const argv[], char *const envp[])
{
	(void)p, (void)argv, (void)envp;
	errno = ENOSYS;
	return -1;
}

int wait(int *status)
{
	(void)status;
	errno = ECHILD;
	return -1;
}
