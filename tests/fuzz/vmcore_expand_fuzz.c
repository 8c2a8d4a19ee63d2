/*
 * libFuzzer target for tools/vmcore_expand.c: the input is a saved ELF
 * core file, written to a scratch file and expanded in place into the
 * /proc/vmcore shape (VMCORE.expand, then a rename), as savecore and recv
 * do after a complete dump.  It must return 0 or a negative errno, never
 * fault (1 for a file cut short); an expanded file must be expandable again with nothing to do.
 * tests/fuzz/replay.c runs the seeds in tests/fuzz/corpus/vmcore_expand/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tools/vmcore_expand.h"
#include "tests/fuzz/tool_harness.h"

static const char *core;

static int expand_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return vmcore_expand(core, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[] = { "expand", NULL };
	int rc;

	core = th_file("core");
	th_write(core, data, size);
	rc = th_run(expand_main, argv);
	if (rc > 1)		/* 0 done, 1 cut short (left compact), or -errno */
		abort();
	if (rc == 0 && th_run(expand_main, argv) != 0)
		abort();
	return 0;
}
