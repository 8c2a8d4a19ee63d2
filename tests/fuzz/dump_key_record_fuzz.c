/*
 * libFuzzer target for the DUMP_KEY handoff record (payload/handoff.h
 * handoff_get_dump_key(), handoff_add_dump_key()): the input is a record
 * payload, copied to an exact-size buffer so ASan sees any read past it.
 * A record that decodes is written again by the writer and must decode to
 * the same fields, flagged critical.  Seeds: tests/fuzz/corpus/dump_key_record/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/handoff.h"

static uint8_t block[80 + 16 + HANDOFF_DUMP_KEY_HEAD + HANDOFF_DUMP_KEY_WRAPPED_MAX + 8];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	struct handoff_record r = { HANDOFF_TYPE_DUMP_KEY, HANDOFF_RECORD_CRITICAL, size, 80, p };
	struct handoff_dump_key k, k2;
	struct handoff_writer w;
	struct handoff_record r2;
	const char *why;
	size_t total, cur = 0;
	volatile size_t sink;

	if (p == NULL)
		return 0;
	memcpy(p, data, size);
	if (handoff_get_dump_key(&r, &k, &why) != 0) {
		if (why == NULL)
			abort();
		sink = strlen(why);
		(void)sink;
		free(p);
		return 0;
	}
	handoff_writer_init(&w, block, sizeof(block), 0);
	if (handoff_add_dump_key(&w, &k) != 0 || handoff_finish(&w, &total) != 0 ||
	    handoff_verify(block, total, NULL) != 0 || handoff_next(block, total, &cur, &r2) != 0 ||
	    r2.flags != HANDOFF_RECORD_CRITICAL || r2.length != size ||
	    memcmp(r2.payload, p, size) != 0 || handoff_get_dump_key(&r2, &k2, NULL) != 0 ||
	    memcmp(&k, &k2, HANDOFF_DUMP_KEY_HEAD + k.wrapped_len) != 0)
		abort();
	free(p);
	return 0;
}
