/*
 * What Debian's prebuilt mbedTLS objects need from a kernel that has no
 * glibc.  They were compiled for a hosted system, so they:
 *  - check a stack canary at %fs:0x28 (kernel/cpu.c points FS at a block
 *    holding one) and call __stack_chk_fail when it was overwritten: that
 *    is our own memory corrupted, so it ends the run;
 *  - call __printf_chk from mbedtls_sha256_self_test (we use our own
 *    self-test; this keeps the link whole and prints if it is ever called);
 *  - call __memcpy_chk (aes.c, _FORTIFY_SOURCE): a copy past the object
 *    the compiler knew ends the run like a smashed stack.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/after.h"

void __stack_chk_fail(void) __attribute__((noreturn));
int __printf_chk(int flag, const char *fmt, ...);
void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen);

void __stack_chk_fail(void)
{
	after_final("run FAILED: stack smashing detected in library code");
}

int __printf_chk(int flag, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)flag;
	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen)
{
	if (len > dstlen)
		after_final("run FAILED: buffer overflow detected in library code");
	return memcpy(dst, src, len);
}
