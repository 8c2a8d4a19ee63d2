/*
 * pmplant: plant recognisable pseudo-random pages in a Linux guest before
 * it panics, so a test can tell which kinds of memory a dump kept.
 * Built static by scripts/mkguest.py into the guest as /usr/bin/pmplant;
 * run by tests/linux/init for pmplant=SEED,USER_MIB,CACHE_MIB.
 *
 *   pmplant SEED USER_MIB CACHE_MIB
 *
 * Three kinds of page, each page 4096 bytes: "PMPLANT" + kind + SEED
 * (u32 little-endian) + the page's index (u32), then a xorshift64* stream
 * seeded from (SEED, kind, index) (tests/qemu/linux_test.py regenerates it):
 *
 *   U  USER_MIB of anonymous memory of this process (makedumpfile: user
 *      data, -d 8);
 *   C  a CACHE_MIB file on the initramfs's tmpfs, /tmp/pmplant.cache
 *      (shmem: on the LRU, mapping not anonymous, so page cache, -d 2);
 *   B  CACHE_MIB written at 1 MiB into the virtio disk whose first
 *      sector starts "PMPLANTDISK" (the block device's page cache; its
 *      pages carry buffer heads, PG_private: cache with private data, -d 4).
 *
 * The process pins itself to CPU 0 and plants C and B before U: a page
 * sits in its CPU's LRU batch (without PG_lru, so not yet "cache") until
 * 15 more pages follow it there, and U's pages push the cache pages out.
 * Then it prints, for a few pages of each kind, the physical frame number
 * (from /proc/self/pagemap, as root; the cache files are mapped for this
 * and unmapped again), forks, and the parent exits once the child holds
 * everything; the child sleeps until the panic.  Lines start "guest: plant".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096u
#define SHOWN 4				/* pages per kind whose pfn is printed */

static void fill(uint8_t *p, uint32_t seed, char kind, uint32_t index)
{
	memcpy(p, "PMPLANT", 7);
	p[7] = (uint8_t)kind;
	memcpy(p + 8, &seed, 4);
	memcpy(p + 12, &index, 4);
	uint64_t x = ((uint64_t)seed << 32) ^ ((uint64_t)(uint8_t)kind << 24) ^ index ^ 0x9e3779b97f4a7c15ull;
	for (unsigned i = 16; i < PAGE; i += 8) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		uint64_t v = x * 0x2545f4914f6cdd1dull;
		memcpy(p + i, &v, 8);
	}
}

static void die(const char *what)
{
	printf("guest: plant failed: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

/* pfn of the page at addr in this process, or 0 when not present. */
static uint64_t pfn_of(const void *addr)
{
	static int fd = -2;
	if (fd == -2)
		fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return 0;
	uint64_t e = 0;
	if (pread(fd, &e, 8, (off_t)((uintptr_t)addr / PAGE) * 8) != 8)
		return 0;
	return (e >> 63) ? (e & ((1ull << 55) - 1)) : 0;
}

/* Print the pfns of SHOWN pages spread over n pages mapped at base. */
static void show(const char *base, char kind, uint32_t n)
{
	for (unsigned k = 0; k < SHOWN; k++) {
		uint32_t i = (uint32_t)((uint64_t)(n - 1) * k / (SHOWN - 1));
		volatile char c = base[(size_t)i * PAGE];	/* map it */
		(void)c;
		printf("guest: plant %c page %u pfn 0x%llx\n", kind, i, (unsigned long long)pfn_of(base + (size_t)i * PAGE));
	}
}

static void write_pages(int fd, off_t at, uint32_t seed, char kind, uint32_t n, const char *what)
{
	static uint8_t page[PAGE];
	for (uint32_t i = 0; i < n; i++) {
		fill(page, seed, kind, i);
		if (pwrite(fd, page, PAGE, at + (off_t)i * PAGE) != (ssize_t)PAGE)
			die(what);
	}
	if (fsync(fd) != 0)
		die(what);
	memset(page, 0, sizeof(page));
}

static void show_file(int fd, off_t at, char kind, uint32_t n)
{
	char *m = mmap(NULL, (size_t)n * PAGE, PROT_READ, MAP_SHARED, fd, at);
	if (m == MAP_FAILED)
		die("mmap");
	show(m, kind, n);
	munmap(m, (size_t)n * PAGE);
}

static int find_disk(void)
{
	char path[32], head[12];
	for (char c = 'a'; c <= 'z'; c++) {
		snprintf(path, sizeof(path), "/dev/vd%c", c);
		int fd = open(path, O_RDWR);
		if (fd < 0)
			continue;
		if (pread(fd, head, 11, 0) == 11 && memcmp(head, "PMPLANTDISK", 11) == 0) {
			printf("guest: plant disk %s\n", path);
			return fd;
		}
		close(fd);
	}
	return -1;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: pmplant SEED USER_MIB CACHE_MIB\n");
		return 2;
	}
	uint32_t seed = (uint32_t)strtoul(argv[1], NULL, 0);
	uint32_t user = (uint32_t)strtoul(argv[2], NULL, 0) * (1u << 20) / PAGE;
	uint32_t cache = (uint32_t)strtoul(argv[3], NULL, 0) * (1u << 20) / PAGE;
	int ready[2];
	if (pipe(ready) != 0)
		die("pipe");
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid > 0) {
		char ok = 0;
		close(ready[1]);
		return read(ready[0], &ok, 1) == 1 && ok == 'y' ? 0 : 1;
	}
	close(ready[0]);
	setsid();
	cpu_set_t cpu0;
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0) != 0)
		die("sched_setaffinity");

	int cf = open("/tmp/pmplant.cache", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (cf < 0)
		die("/tmp/pmplant.cache");
	write_pages(cf, 0, seed, 'C', cache, "/tmp/pmplant.cache");
	int bf = find_disk();
	if (bf < 0) {
		errno = ENOENT;
		die("no disk starting PMPLANTDISK");
	}
	write_pages(bf, 1 << 20, seed, 'B', cache, "plant disk");

	uint8_t *u = mmap(NULL, (size_t)user * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u == MAP_FAILED)
		die("mmap anonymous");
	for (uint32_t i = 0; i < user; i++)
		fill(u + (size_t)i * PAGE, seed, 'U', i);

	printf("guest: plant seed 0x%x: %u user pages, %u tmpfs cache pages, %u block device cache pages\n",
	       seed, user, cache, cache);
	show((const char *)u, 'U', user);
	show_file(cf, 0, 'C', cache);
	show_file(bf, 1 << 20, 'B', cache);
	printf("guest: plant ready\n");
	fflush(stdout);
	if (write(ready[1], "y", 1) != 1)
		die("write");
	for (;;)
		pause();
}
