/*
 * libFuzzer target for payload/handoff_desc.c: split the input into lines
 * as tools/handoff.c does and parse each one, then touch every field of the
 * result and every byte its text spans cover, so ASan proves each span lies
 * inside the line; a rejected line's error must be a NUL-terminated string
 * inside its buffer.  tests/fuzz/replay.c runs the seeds in
 * tests/fuzz/corpus/handoff_desc/ without libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "payload/handoff_desc.h"

static uint64_t touch(const void *p, size_t n)
{
	uint64_t s = n;

	for (size_t k = 0; p != NULL && k < n; k++)
		s += ((const uint8_t *)p)[k];
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct handoff_desc_line d;
	volatile uint64_t sink;
	const char *p = (const char *)data, *end = p + size;
	uint64_t s = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		s += (uint64_t)handoff_desc_parse_line(p, n, &d) + d.kind + d.esrt_at + d.addr +
		     d.esrt_addr + touch(&d.efi_md, sizeof(d.efi_md)) +
		     touch(&d.memmap, sizeof(d.memmap)) + touch(&d.systab, sizeof(d.systab)) +
		     touch(&d.table, sizeof(d.table)) + touch(&d.esrt, sizeof(d.esrt)) +
		     touch(&d.runtime, sizeof(d.runtime)) + touch(&d.range, sizeof(d.range)) +
		     touch(&d.creator, sizeof(d.creator)) + touch(d.text.ptr, d.text.len) +
		     touch(d.text2.ptr, d.text2.len) + touch(d.error, strlen(d.error) + 1);
		p += n + 1;
	}
	sink = s;
	(void)sink;
	return 0;
}
