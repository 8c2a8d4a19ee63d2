/*
 * libFuzzer target for formats/elfcore_read.c: read the input as an ELF
 * core file, walk every PT_LOAD and every note, and map physical addresses
 * (each load's first and last byte, and numbers from the input) with
 * elfcore_find_paddr().  Every byte a result points at is read, so ASan
 * proves each offset and length stays inside the input; broken invariants
 * abort().  tests/fuzz/replay.c runs the seeds in tests/fuzz/corpus/elfcore/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/elfcore.h"

static uint64_t touch(const void *p, size_t n)
{
	uint64_t s = n;

	for (size_t k = 0; p != NULL && k < n; k++)
		s += ((const uint8_t *)p)[k];
	return s;
}

static uint64_t where(const struct elfcore_info *info, uint64_t paddr)
{
	struct elfcore_where w;
	int rc = elfcore_find_paddr(info, paddr, &w);

	if (rc == 0 && w.kind == ELFCORE_WHERE_FILE) {
		if (w.avail == 0 || w.file_offset >= info->len || w.avail > info->len - w.file_offset)
			abort();
		return touch(info->file + w.file_offset, w.avail < 64 ? w.avail : 64) +
		       info->file[w.file_offset + w.avail - 1];
	}
	if (rc == 0 && (w.kind != ELFCORE_WHERE_ZERO || w.avail == 0))
		abort();
	return (uint64_t)rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfcore_info info;
	struct elfcore_segment g;
	struct elfcore_note_cursor c = { 0, 0 };
	struct elfcorehdr_note n;
	volatile uint64_t sink;
	uint64_t s = 0, v;
	size_t cursor = 0, loads = 0;
	int rc;

	if (elfcore_read(data, size, &info) != 0)
		return 0;
	while (elfcore_load_next(&info, &cursor, &g) == 0) {
		if (g.filesz > g.memsz || g.range >= info.phnum || loads++ >= info.load_count)
			abort();
		s += where(&info, g.paddr) + (g.memsz ? where(&info, g.paddr + (g.memsz - 1)) : 0);
	}
	while ((rc = elfcore_note_next(&info, &c, &n)) != -ENOENT) {
		if (rc == 0 && ((n.name != NULL && n.name[n.name_len] != '\0') ||
				(const uint8_t *)n.desc + n.desc_len > data + size))
			abort();
		s += rc == 0 ? touch(n.desc, n.desc_len) + touch(n.name, n.name_len) + n.type : 1;
	}
	for (size_t k = 0; k + 8 <= size && k < 512; k += 8) {
		memcpy(&v, data + k, 8);
		s += where(&info, v);
	}
	sink = s + loads;
	(void)sink;
	return 0;
}
