/*
 * libFuzzer target for formats/pageclass.c.  Input: byte 0 picks a
 * VMCOREINFO layout (Debian 6.1, 6.12, 6.12 5-level), bytes 1..9 change
 * one of its values (key index, then the value), bytes 10..17 are the
 * pfn, the rest two struct pages (the page and its first tail), zero
 * padded.  When the changed set still passes kinfo_check(), classify and
 * check the result (class in range, nr_pages = 2^order, a free block no
 * larger than LENGTH(zone.free_area) allows, the run aligned to the pfn),
 * with the pages in buffers of exactly SIZE(page) bytes so ASan catches a
 * read past them; feed the counts to pageclass_implausible().  Seeds:
 * tests/fuzz/corpus/pageclass/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/le.h"
#include "formats/pageclass.h"
#include "tests/unit/kfilter_texts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const texts[] = { KFILTER_TEXT_6_1, KFILTER_TEXT_6_12,
					     KFILTER_TEXT_6_12_L5 };
	static struct kinfo ki;
	struct pageclass_result r;
	uint64_t counts[PAGECLASS_COUNT] = { 0 }, pfn;
	uint8_t *page, *next;
	size_t psize, rest;
	volatile uint64_t sink = 0;

	if (size < 18)
		return 0;
	if (kinfo_read(texts[data[0] % 3], strlen(texts[data[0] % 3]), &ki) != NULL)
		abort();
	if (data[1] % (KINFO_KEY_COUNT + 1) < KINFO_KEY_COUNT) {
		ki.v[data[1] % (KINFO_KEY_COUNT + 1)] = le_get64(data + 2);
		if (data[0] & 0x80)
			ki.have ^= 1ull << (data[1] % (KINFO_KEY_COUNT + 1));
	}
	if (kinfo_check(&ki) != NULL)
		return 0;
	pfn = le_get64(data + 10);
	psize = (size_t)ki.v[KINFO_SIZE_PAGE];
	page = calloc(1, psize);
	next = calloc(1, psize);
	if (page == NULL || next == NULL)
		abort();
	rest = size - 18;
	memcpy(page, data + 18, rest < psize ? rest : psize);
	if (rest > psize)
		memcpy(next, data + 18 + psize, rest - psize < psize ? rest - psize : psize);
	if (pageclass_classify(&ki, pfn, page, (data[0] & 0x40) ? NULL : next, &r) != 0)
		abort();
	if (r.cls >= PAGECLASS_COUNT || r.order > 40 || r.nr_pages != 1ull << r.order ||
	    (pfn & (r.nr_pages - 1)) != 0)
		abort();
	if (r.cls == PAGECLASS_FREE && r.order >= ki.v[KINFO_FREE_AREA_LEN])
		abort();
	counts[r.cls] += r.nr_pages;
	sink = (uint64_t)(uintptr_t)pageclass_implausible(counts, pfn) +
	       pageclass_keep(r.cls, data[0] & 31) + strlen(pageclass_name(r.cls));
	(void)sink;
	free(page);
	free(next);
	return 0;
}
