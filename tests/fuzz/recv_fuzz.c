/*
 * libFuzzer target for `postmortem recv` (tools/recv.c) and its interval
 * bookkeeping (tools/spans.c).  The input is a serial capture: it is
 * written to a scratch file and rebuilt as the command would, twice --
 * --compact --quiet, and the default /proc/vmcore shape (tools/
 * vmcore_expand.c on a complete file) -- with --max-size 1M, so a capture
 * that declares more is refused as a user's would be (the seeds include
 * the 248-byte one declaring 2^43 bytes).  Then the input's first bytes,
 * read as (start, length) pairs on a 512-value line, go through
 * spans_add() in their arbitrary order and every query is checked against
 * a plain bitmap: spans_has(), spans_total(), spans_gaps(), and that the
 * normalized set is sorted, disjoint and never touching.
 * tests/fuzz/replay.c runs the seeds in tests/fuzz/corpus/recv/.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/recv.h"
#include "tools/spans.h"
#include "tests/fuzz/tool_harness.h"

#define LINE 512

static void check_spans(const uint8_t *data, size_t size)
{
	struct spans s = { 0 }, g = { 0 };
	bool in[LINE] = { false };
	uint64_t total = 0, gap_total = 0;

	for (size_t i = 0; i + 2 < size && i < 3 * 200; i += 3) {
		uint64_t a = ((uint64_t)data[i] << 1 | (data[i + 2] & 1)) % LINE;
		uint64_t b = a + data[i + 1] % 64;

		b = b > LINE ? LINE : b;
		spans_add(&s, a, b);
		for (uint64_t x = a; x < b; x++)
			in[x] = true;
		if (data[i + 2] & 2) {	/* query in between: normalizes mid-way */
			if (spans_has(&s, a) != (a < b || in[a]))
				abort();
		}
	}
	for (uint64_t x = 0; x < LINE; x++) {
		total += in[x];
		if (spans_has(&s, x) != in[x])
			abort();
	}
	if (spans_total(&s) != total)
		abort();
	for (size_t i = 0; i < s.n; i++)
		if (s.v[i].a >= s.v[i].b || (i > 0 && s.v[i - 1].b >= s.v[i].a))
			abort();
	spans_gaps(&s, 0, LINE, &g);
	for (size_t i = 0; i < g.n; i++)
		for (uint64_t x = g.v[i].a; x < g.v[i].b; x++)
			if (in[x])
				abort();
	gap_total = spans_total(&g);
	if (gap_total + total != LINE)
		abort();
	free(s.v);
	free(g.v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *cap = th_file("capture"), *out = th_file("vmcore");
	char *quiet[] = { "recv", (char *)cap, "-o", (char *)out, "--compact", "--quiet",
			  "--max-size", "1M", NULL };
	char *whole[] = { "recv", (char *)cap, "-o", (char *)out, "--max-size", "1M", NULL };
	int rc;

	th_write(cap, data, size);
	rc = th_run(recv_tool_main, quiet);
	if (rc != 0 && rc != 1)
		abort();
	rc = th_run(recv_tool_main, whole);
	if (rc != 0 && rc != 1)
		abort();
	check_spans(data, size);
	return 0;
}
