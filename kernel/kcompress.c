/*
 * The kernel's page compressor (see kcompress.h).
 */
#include <stdio.h>
#include <string.h>

#include "drivers/clock.h"
#include "formats/bootparams.h"
#include "formats/diskdump.h"
#include "kernel/kcompress.h"
#include "kernel/phasemem.h"

/*
 * libzstd calls these tracing hooks when they are defined (weak
 * references; Debian builds it with tracing).  An undefined weak call
 * would go through a PLT the kernel cannot have (scripts/check-relocs.sh),
 * so they are defined here: begin returns 0, "not tracing", and zstd
 * then never calls end.
 */
struct ZSTD_CCtx_s;
unsigned long long ZSTD_trace_compress_begin(const struct ZSTD_CCtx_s *cctx);
void ZSTD_trace_compress_end(unsigned long long ctx, const void *trace);

unsigned long long ZSTD_trace_compress_begin(const struct ZSTD_CCtx_s *cctx)
{
	(void)cctx;
	return 0;
}

void ZSTD_trace_compress_end(unsigned long long ctx, const void *trace)
{
	(void)ctx;
	(void)trace;
}

static enum cmdline_compress chosen = CMDLINE_COMPRESS_DEFAULT;

void kcompress_choose(enum cmdline_compress c)
{
	chosen = c;
}

static const struct pagecomp *ready(const struct pagecomp *pc, void **ctx)
{
	int err;

	*ctx = NULL;
	if (pc == NULL || pc->init == NULL)
		return pagecomp_find("none");
	err = pc->init(phasemem.dump.b.kdump.ws, sizeof(phasemem.dump.b.kdump.ws), ctx);
	if (err) {
		printf("dump: the %s compressor refused its %u KiB workspace (error %d); pages stored "
		       "uncompressed\n", pc->name, PAGECOMP_WORKSPACE >> 10, err);
		*ctx = NULL;
		return pagecomp_find("none");
	}
	return pc;
}

/* The second CPU's state for pc, in a workspace of its own (both CPUs
 * compress at once), or NULL (one line: that CPU then compresses nothing). */
void *kcompress_second(const struct pagecomp *pc)
{
	void *ctx = NULL;
	int err;

	if (pc == NULL || pc->init == NULL)
		return NULL;
	err = pc->init(phasemem.dump.a.second.ws, sizeof(phasemem.dump.a.second.ws), &ctx);
	if (err) {
		printf("dump: the %s compressor refused the second CPU's workspace (error %d); this "
		       "CPU compresses every page\n", pc->name, err);
		return NULL;
	}
	return ctx;
}

const struct pagecomp *kcompress_open(void **ctx)
{
	const char *name = chosen == CMDLINE_COMPRESS_DEFAULT ? PAGECOMP_DEFAULT :
			   cmdline_compress_name(chosen);

	return ready(pagecomp_find(name), ctx);
}

/* A page the bench leaves out: all zero, or postmortem's own. */
static bool skip_page(const struct bootinfo *bi, uint64_t pa)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)pa;
	uint64_t acc = 0;

	if (pa + DISKDUMP_BLOCK > bi->load_base && pa < bi->load_base + bi->image_size)
		return true;
	for (size_t i = 0; i < DISKDUMP_BLOCK; i += 8) {
		uint64_t v;

		memcpy(&v, p + i, 8);
		acc |= v;
	}
	return acc == 0;
}

void kcompress_bench(const struct bootinfo *bi)
{
	static uint8_t out[DISKDUMP_COMPRESS_MAX] __attribute__((aligned(64)));
	uint64_t base = 0, len = 0, pages = 0;
	const struct pagecomp *all;
	size_t n;

	for (unsigned i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == BOOTPARAMS_E820_RAM && bi->mem[i].len > len &&
		    bi->mem[i].base + bi->mem[i].len <= (4ull << 30)) {
			base = bi->mem[i].base;
			len = bi->mem[i].len;
		}
	base = (base + DISKDUMP_BLOCK - 1) & ~(uint64_t)(DISKDUMP_BLOCK - 1);
	if (len > (64u << 20))
		len = 64u << 20;
	len &= ~((1ull << 20) - 1);
	for (uint64_t off = 0; off < len; off += DISKDUMP_BLOCK)
		pages += !skip_page(bi, base + off);
	if (pages == 0) {
		printf("bench: no non-zero RAM to compress\n");
		return;
	}
	printf("bench: compress: %llu non-zero pages (%llu KiB) of %llu MiB at 0x%llx\n",
	       (unsigned long long)pages, (unsigned long long)(pages * 4),
	       (unsigned long long)(len >> 20), (unsigned long long)base);
	all = pagecomp_all(&n);
	for (size_t k = 0; k < n; k++) {
		const struct pagecomp *pc = &all[k];
		uint64_t t0, t1, stored = 0, raw = 0;
		void *ctx;

		if (pc->compress == NULL || ready(pc, &ctx) != pc)
			continue;
		t0 = clock_us();
		for (uint64_t off = 0; off < len; off += DISKDUMP_BLOCK) {
			const uint8_t *p = (const uint8_t *)(uintptr_t)(base + off);
			size_t clen = 0;

			if (skip_page(bi, base + off))
				continue;
			if (pc->compress(ctx, p, out, &clen) != 0 || clen >= DISKDUMP_BLOCK) {
				clen = DISKDUMP_BLOCK;
				raw++;
			}
			stored += clen;
		}
		t1 = clock_us();
		printf("bench: compress %-4s %llu KiB in %llu ms = %llu MiB/s, stored %llu KiB "
		       "(%llu.%01llu%%, %llu pages raw)%s\n", pc->name,
		       (unsigned long long)(pages * 4), (unsigned long long)((t1 - t0) / 1000),
		       (unsigned long long)(t1 > t0 ? pages * 4096 * 1000000ull / (t1 - t0) >> 20 : 0),
		       (unsigned long long)(stored >> 10),
		       (unsigned long long)(stored * 100 / (pages * 4096)),
		       (unsigned long long)(stored * 1000 / (pages * 4096) % 10),
		       (unsigned long long)raw, clock_estimated() ? " (clock estimated)" : "");
	}
}
