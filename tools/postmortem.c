/*
 * build/postmortem: the host side of postmortem.
 *
 * Subcommands arrive with the issues that need them (handoff today; load,
 * savecore, recv, inspect later); this is the command dispatcher with
 * --help and --version.  Exit status: 0 ok, 1 the work failed, 2 bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "tools/handoff.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: postmortem [--help] [--version] COMMAND [ARGS]\n"
		"\n"
		"The host side of the postmortem crash kernel.\n"
		"\n"
		"options:\n"
		"  --help       show this help and exit\n"
		"  --version    print the version and exit\n"
		"\n"
		"commands:\n"
		"  handoff create|show|verify   build, print or check a handoff block\n"
		"                               (postmortem handoff --help)\n"
		"\n"
		"load, savecore, recv and inspect are planned; see README.md.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("postmortem %s\n", PM_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "handoff") == 0)
		return handoff_tool_main(argc - 1, argv + 1);
	if (argv[1][0] == '-') {
		fprintf(stderr, "postmortem: unknown option '%s' (see --help)\n", argv[1]);
		return 2;
	}
	fprintf(stderr, "postmortem: unknown command '%s' (see --help)\n", argv[1]);
	return 2;
}
