/*
 * Host SHA-256 throughput through the same wrapper and library the kernel
 * uses (crypto/sha256.c over Debian's mbedTLS), for make bench to print
 * next to the in-kernel figure.  Prints "bench: sha256 host: ... MiB/s".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/sha256.h"

int main(void)
{
	const size_t len = 64u << 20;
	unsigned char *buf = malloc(len);
	uint8_t d[SHA256_LEN];
	struct timespec a, b;

	if (buf == NULL)
		return 1;
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 2654435761u >> 24);
	clock_gettime(CLOCK_MONOTONIC, &a);
	crypto_sha256(buf, len, d);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("bench: sha256 host: %zu MiB in %.0f ms = %.1f MiB/s\n", len >> 20, s * 1e3,
	       (double)(len >> 20) / s);
	free(buf);
	return 0;
}
