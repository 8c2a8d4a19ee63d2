/*
 * libFuzzer target for formats/pe.c: each input is parsed as a PE32+ image,
 * and when the headers decode, the layout check, the section lookup and
 * the certificate walk run over it.  Seeds: tests/fuzz/corpus/pe/ (the
 * headers of build/postmortem.bzImage with its sections cut short, a small
 * signed image, and broken ones).
 */
#include <stdint.h>
#include <string.h>

#include "formats/pe.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pe_info pi;
	struct pe_cert certs[4];
	const char *why = NULL;
	size_t n = 0;
	uint64_t v = (uint64_t)pe_parse(data, size, &pi, &why);

	v += why != NULL ? strlen(why) : 0;
	if (v == 0) {
		v += (uint64_t)pe_check_layout(&pi, size, &why);
		v += why != NULL ? strlen(why) : 0;
		const struct pe_section *s = pe_section_at(&pi, pi.entry);
		v += s != NULL ? s->flags + strlen(s->name) : 0;
		v += (uint64_t)pe_certs(data, size, &pi, certs, 4, &n, &why);
		for (size_t i = 0; i < n && i < 4; i++)
			v += certs[i].offset + certs[i].length + certs[i].type;
	}
	sink = v;
	return 0;
}
