/*
 * libFuzzer target for formats/kpgtable.c and formats/memsect.c.  Input:
 * bytes 0..7 a virtual address, byte 8 the mode (bit 0 5-level, bits 1..6
 * an SME bit), bytes 9..10 a section number, the rest the dead system's
 * physical memory from address 0, with the top page table at 0.  Walks the
 * address (at most KPGTABLE_MAX_READS reads, a result below the physical
 * limit), reads 24 bytes there, describes a range around it with caps,
 * and looks up a section and a struct page through a mem_section table at
 * the direct map's base (0xffff888000000000, or 0xff11000000000000 when
 * 5-level).  Broken promises abort().  Seeds: tests/fuzz/corpus/kpgtable/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "formats/le.h"
#include "formats/memsect.h"
#include "tests/unit/kfilter_texts.h"

struct image {
	const uint8_t *mem;
	size_t len;
	unsigned reads;
};

static int image_read(void *ctx, uint64_t paddr, void *buf, size_t len)
{
	struct image *im = ctx;

	im->reads++;
	if (paddr >= im->len || len > im->len - paddr)
		return -EIO;
	memcpy(buf, im->mem + paddr, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kinfo ki;
	struct image im;
	struct kpgtable pt;
	struct memsect ms;
	struct kpgtable_run runs[8];
	uint64_t va, pa = 0, msize = 0, map = 0, sum = 0;
	uint8_t buf[24];
	size_t n = 0;
	volatile uint64_t sink;

	if (size < 11)
		return 0;
	if (kinfo_read(KFILTER_TEXT_6_1, strlen(KFILTER_TEXT_6_1), &ki) != NULL)
		abort();
	va = le_get64(data);
	im.mem = data + 11;
	im.len = size - 11;
	im.reads = 0;
	if (data[8] & 1) {
		ki.v[KINFO_L5] = 1;
		ki.v[KINFO_MAX_PHYSMEM_BITS] = 52;
	}
	ki.v[KINFO_SME_MASK] = (data[8] >> 1) ? 1ull << (11 + (data[8] >> 1) % 41) : 0;
	ki.v[KINFO_MEM_SECTION] = (data[8] & 1) ? 0xff11000000000000ull : 0xffff888000000000ull;
	if (kpgtable_init(&pt, &ki, image_read, &im) != 0)
		abort();
	pt.root = 0;
	if (kpgtable_translate(&pt, va, &pa, &msize) == 0) {
		if (pa >= pt.phys_limit || (msize != 4096 && msize != 2u << 20 && msize != 1u << 30))
			abort();
		sum += pa + msize;
	}
	if (im.reads > KPGTABLE_MAX_READS)
		abort();
	if (kpgtable_read_virt(&pt, va, buf, sizeof(buf)) == 0)
		for (size_t i = 0; i < sizeof(buf); i++)
			sum += buf[i];
	if (kpgtable_translate_range(&pt, va & ~0xfffull, (uint64_t)data[9] << 14, runs, 8, 64,
				     &n) != -EINVAL) {
		if (n > 8)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (runs[i].len == 0 || runs[i].paddr >= pt.phys_limit)
				abort();
			sum += runs[i].vaddr + runs[i].paddr + runs[i].len;
		}
	}
	if (memsect_init(&ms, &ki, &pt) != 0)
		abort();
	im.reads = 0;
	if (memsect_section(&ms, (uint64_t)data[9] | (uint64_t)data[10] << 8, &map) == 0)
		sum += map;
	if (im.reads > 2 * 2 * KPGTABLE_MAX_READS)
		abort();
	if (memsect_page(&ms, va >> 12, &map) == 0)
		sum += map;
	sink = sum;
	(void)sink;
	return 0;
}
