/*
 * libFuzzer target for the VMCOREINFO readers in formats/elfcorehdr.c: the
 * input is the note's text (not NUL-terminated).  Looks up keys Linux
 * writes in each number format, plus the input's own first key so that
 * matches happen, and reads every byte a returned value points at; a value
 * outside the input aborts.  Seeds: tests/fuzz/corpus/vmcoreinfo/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "formats/elfcorehdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"OSRELEASE", "PAGESIZE", "SYMBOL(init_uts_ns)", "KERNELOFFSET",
		"NUMBER(phys_base)", "NUMBER(VMALLOC_START)", "CRASHTIME",
		"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "NUMBER(page_offset_base)", NULL };
	const char *text = (const char *)data, *val;
	char first[64];
	size_t k, vlen;
	uint64_t v = 0, s = 0;
	volatile uint64_t sink;

	for (k = 0; k < size && k < sizeof(first) - 1 && text[k] != '=' && text[k] != '\n'; k++)
		first[k] = text[k];
	first[k] = '\0';
	for (const char *const *key = keys; ; key++) {
		const char *name = *key != NULL ? *key : first;
		if (elfcorehdr_vmcoreinfo_get(text, size, name, &val, &vlen) == 0) {
			if (val < text || vlen > size || val - text > (ptrdiff_t)(size - vlen))
				abort();
			for (size_t i = 0; i < vlen; i++)
				s += (uint8_t)val[i];
		}
		s += (uint64_t)elfcorehdr_vmcoreinfo_u64(text, size, name, &v) + v;
		if (*key == NULL)
			break;
	}
	s += (uint64_t)elfcorehdr_direct_map_base(text, size, &v) + v;
	sink = s;
	(void)sink;
	return 0;
}
