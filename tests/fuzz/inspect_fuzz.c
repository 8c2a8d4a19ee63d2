/*
 * libFuzzer target for `postmortem inspect` (tools/inspect.c): the input
 * is an ELF core file, written to a scratch file and inspected as a user
 * would -- the notes and segments report, then the bytes at a physical
 * address (0x100000, where the test machines plant data) as hex and raw.
 * Every path must end in exit status 0 or 1, with what it prints escaped
 * (tools/textesc.h).  tests/fuzz/replay.c runs the seeds in
 * tests/fuzz/corpus/inspect/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tools/recv.h"
#include "tests/fuzz/tool_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *core = th_file("core");
	char *report[] = { "inspect", (char *)core, NULL };
	char *at[] = { "inspect", (char *)core, "--at", "0x100000", "--len", "64", NULL };
	char *raw[] = { "inspect", (char *)core, "--at", "0x100000", "--len", "4096", "--raw", NULL };
	char **runs[] = { report, at, raw };

	th_write(core, data, size);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		int rc = th_run(inspect_tool_main, runs[i]);

		if (rc != 0 && rc != 1)
			abort();
	}
	return 0;
}
