/*
 * `postmortem capsule`: check a UEFI capsule file before it is staged for
 * capsule-on-disk, and wrap a payload in a capsule header (for tests).
 *
 * Interface: tools/postmortem.c calls capsule_tool_main() with the words
 * from "capsule" on (argv[0] is "capsule").  The rules are
 * formats/capsule.c's, the pure checker the kernel uses too; this file
 * reads the file and prints.  Host only (glibc, stdio, malloc).
 * Exit status: 0 the capsule is accepted / the file was written, 1 it is
 * refused or cannot be read or written, 2 bad usage.
 */
#ifndef TOOLS_CAPSULECMD_H
#define TOOLS_CAPSULECMD_H

int capsule_tool_main(int argc, char **argv);

#endif
