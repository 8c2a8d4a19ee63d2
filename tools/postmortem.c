/*
 * build/postmortem: the host side of postmortem.
 *
 * The command dispatcher: one subcommand per file under tools/ (the usage
 * text below lists them), --help and --version.  Exit status: 0 ok, 1
 * the work failed, 2 bad usage; subcommands document any other status.
 */
#include <stdio.h>
#include <string.h>

#include "tools/capsulecmd.h"
#include "tools/compress.h"
#include "tools/fatcmd.h"
#include "tools/handoff.h"
#include "tools/load.h"
#include "tools/recv.h"
#include "tools/savecore.h"
#include "tools/varstorecmd.h"
#include "tools/vmcore_expand.h"

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
		"  savecore IMAGE -o VMCORE     save the dump on a raw dump partition\n"
		"                               (postmortem savecore --help)\n"
		"  recv CAPTURE -o VMCORE       rebuild a dump=serial dump from a capture\n"
		"                               (postmortem recv --help)\n"
		"  inspect VMCORE [--at PADDR]  print a dump's notes and segments, or bytes\n"
		"                               (postmortem inspect --help)\n"
		"  fat IMAGE[:pN] ls|cat|put|mkdir|df\n"
		"                               read or add files on a FAT volume\n"
		"                               (postmortem fat --help)\n"
		"  capsule check FILE | make    check a capsule file for capsule-on-disk, or\n"
		"                               build one (postmortem capsule --help)\n"
		"  varstore FILE [--get NAME]   list an OVMF variable store, or print one\n"
		"                               variable (postmortem varstore --help)\n"
		"  expand VMCORE...             give a --compact dump the /proc/vmcore shape\n"
		"  compress VMCORE -o OUT       an ELF vmcore as a kdump-compressed file (LZO)\n"
		"                               (postmortem compress --help)\n"
		"  load [--dump=..] [--file-load] make postmortem this system's crash kernel\n"
		"       --unload | --status      (postmortem load --help)\n");
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
	if (strcmp(argv[1], "savecore") == 0)
		return savecore_tool_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "recv") == 0)
		return recv_tool_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "expand") == 0)
		return vmcore_expand_tool_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "compress") == 0)
		return compress_tool_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "load") == 0)
		return load_tool_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "inspect") == 0)
		return inspect_tool_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "fat") == 0)
		return fatcmd_tool_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "capsule") == 0)
		return capsule_tool_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "varstore") == 0)
		return varstore_tool_main(argc - 1, argv + 1);
	if (argv[1][0] == '-') {
		fprintf(stderr, "postmortem: unknown option '%s' (see --help)\n", argv[1]);
		return 2;
	}
	fprintf(stderr, "postmortem: unknown command '%s' (see --help)\n", argv[1]);
	return 2;
}
