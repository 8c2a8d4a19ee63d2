/*
 * `postmortem fat IMAGE[:pN] ls|cat|put|mkdir|df`: read and add files on
 * a FAT12/16/32 volume in a disk image or block device, with the same
 * pure code the kernel writes dump=fat dumps and capsules with
 * (formats/fat.h; docs/fat.md).
 *
 * Interface: tools/postmortem.c calls fatcmd_tool_main() with the words
 * after "fat".  Exit status: 0 done, 1 failed (one line "postmortem fat:
 * ..." on stderr), 2 bad usage.  Host only.
 */
#ifndef TOOLS_FATCMD_H
#define TOOLS_FATCMD_H

int fatcmd_tool_main(int argc, char **argv);

#endif
