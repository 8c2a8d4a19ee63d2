/*
 * libFuzzer target for formats/kinfo.c: the input is a VMCOREINFO text.
 * Whatever kinfo_read() accepts must keep the promises the page-filtering
 * code relies on (every OFFSET(page.*) field inside SIZE(page), the top
 * table below 2^MAX_PHYSMEM_BITS, a second check agreeing), and must be
 * safe to classify struct pages with: an accepted set classifies an
 * all-zero and an all-ones struct page (and first tail) of exactly
 * SIZE(page) bytes, so ASan catches any read past it.  Broken promises
 * abort().  Seeds: tests/fuzz/corpus/kinfo/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/pageclass.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kinfo ki;
	struct pageclass_result r;
	const char *why = kinfo_read((const char *)data, size, &ki);
	uint8_t *page;
	size_t psize;

	if (why != NULL)
		return 0;
	if (kinfo_check(&ki) != NULL || memchr(ki.osrelease, '\0', sizeof(ki.osrelease)) == NULL)
		abort();
	if ((kinfo_top_pgt_phys(&ki) >> ki.v[KINFO_MAX_PHYSMEM_BITS]) != 0)
		abort();
	psize = (size_t)ki.v[KINFO_SIZE_PAGE];
	if (psize < KINFO_PAGE_STRUCT_MIN || psize > KINFO_PAGE_STRUCT_MAX)
		abort();
	for (int fill = 0; fill <= 0xff; fill += 0xff) {
		page = malloc(psize);
		uint8_t *next = malloc(psize);

		if (page == NULL || next == NULL)
			abort();
		memset(page, fill, psize);
		memset(next, fill, psize);
		for (uint64_t pfn = 0; pfn < 2; pfn++) {
			if (pageclass_classify(&ki, pfn << 20, page, next, &r) != 0 ||
			    r.cls >= PAGECLASS_COUNT || r.nr_pages != 1ull << r.order)
				abort();
			if (pageclass_classify(&ki, pfn, page, NULL, &r) != 0)
				abort();
		}
		free(page);
		free(next);
	}
	return 0;
}
