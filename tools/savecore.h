/*
 * `postmortem savecore`: find the raw dump on a disk image or block device
 * (a GPT partition with the postmortem dump type GUID, or a partition
 * image that starts with a dump header), check its two headers and the
 * body's SHA-256, and write the body (an ELF core file) out.  Format and
 * write order: docs/dump-disk.md.
 *
 * Interface: tools/postmortem.c calls savecore_tool_main() with the words
 * after "savecore".  Exit status: 0 saved and verified (or --list done),
 * 1 refused or failed (nothing kept), 2 bad usage, 3 written under
 * --force although the dump could not be trusted.  Host only.
 */
#ifndef TOOLS_SAVECORE_H
#define TOOLS_SAVECORE_H

int savecore_tool_main(int argc, char **argv);

#endif
