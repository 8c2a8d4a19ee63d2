/*
 * libFuzzer target for `postmortem savecore` on a disk image
 * (tools/savecore.c's probe and tools/savecore_fat.c's dump=fat path):
 * the input is the image -- a FAT volume with POSTMORTEM/<dump>/vmcore.NNN
 * and dumpinfo.txt, or anything else -- written to a scratch file, then
 * listed (--list) and saved (--force --compact, so whatever is there is
 * joined).  Cross-linked and looping directories (the seeds have both)
 * must be bounded; every run ends in one of savecore's exit statuses.
 * tests/fuzz/replay.c runs the seeds in tests/fuzz/corpus/savecore_fat/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tools/savecore.h"
#include "tests/fuzz/tool_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *img = th_file("disk.img"), *out = th_file("vmcore");
	char *list[] = { "savecore", (char *)img, "--list", NULL };
	char *save[] = { "savecore", (char *)img, "-o", (char *)out, "--force", "--compact", NULL };
	char **runs[] = { list, save };

	th_write(img, data, size);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		int rc = th_run(savecore_tool_main, runs[i]);

		if (rc < SAVECORE_OK || rc > SAVECORE_FORCED)
			abort();
	}
	return 0;
}
