/*
 * libFuzzer target for formats/elfcorehdr.c: parse the input as an ELF core
 * header, then walk the same bytes as a PT_NOTE buffer, decoding each desc
 * as NT_PRSTATUS and as VMCOREINFO text.  Every output field and every byte
 * an output points at is read (a name's NUL included), so ASan proves each
 * pointer and length stays inside the input; broken invariants abort().
 * tests/fuzz/replay.c runs the seeds in tests/fuzz/corpus/elfcorehdr/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "formats/elfcorehdr.h"

static uint64_t touch(const void *p, size_t n)
{
	uint64_t s = n;

	for (size_t k = 0; p != NULL && k < n; k++)
		s += ((const uint8_t *)p)[k];
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "OSRELEASE", "PAGESIZE", "SYMBOL(_stext)",
					    "KERNELOFFSET", "NUMBER(phys_base)" };
	static struct elfcorehdr h;
	struct elfcorehdr_note n;
	struct elfcorehdr_prstatus prs;
	volatile uint64_t sink;
	uint64_t v = 0, s = (uint64_t)elfcorehdr_parse(data, size, &h);
	const char *val;
	size_t cursor = 0, vlen;

	if (h.load_count > ELFCOREHDR_MAX_LOADS || h.note_count > ELFCOREHDR_MAX_NOTES ||
	    h.phdr_count > h.e_phnum || h.error_offset > size)
		abort();
	s += h.e_phoff + h.other_count + h.loads_truncated + h.loads_overlap +
	     h.kernel_text_index + h.notes_truncated + touch(h.loads, h.load_count *
	     sizeof(h.loads[0])) + touch(h.notes, h.note_count * sizeof(h.notes[0]));
	s += (uint64_t)elfcorehdr_loads_direct_map_base(&h, &v) + v;
	while (elfcorehdr_note_next(data, size, &cursor, &n) == 0) {
		if (cursor > size || (n.name != NULL && n.name[n.name_len] != '\0'))
			abort();
		s += n.offset + n.type + touch(n.name, n.name != NULL ? n.name_len + 1 : 0) +
		     touch(n.desc, n.desc_len) + elfcorehdr_note_is(&n, "CORE", 1);
		if (elfcorehdr_prstatus(n.desc, n.desc_len, &prs) == 0)
			s += (uint64_t)prs.pid + (uint64_t)prs.cursig + touch(&prs.regs, sizeof(prs.regs));
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			s += (uint64_t)elfcorehdr_vmcoreinfo_u64(n.desc, n.desc_len, keys[k], &v) + v;
		if (elfcorehdr_vmcoreinfo_get(n.desc, n.desc_len, "OSRELEASE", &val, &vlen) == 0)
			s += touch(val, vlen);
		s += (uint64_t)elfcorehdr_direct_map_base(n.desc, n.desc_len, &v) + v;
	}
	sink = s;
	(void)sink;
	return 0;
}
