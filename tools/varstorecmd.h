/*
 * `postmortem varstore`: read an OVMF / EDK2 variable store file (an
 * OVMF_VARS*.fd flash image) on the host: list its live variables, or
 * print one.
 *
 * Interface: tools/postmortem.c calls varstore_tool_main() with the words
 * from "varstore" on (argv[0] is "varstore").  The format is read by the
 * pure reader formats/varstore.c; this file reads the file and prints.
 * Host only (glibc, stdio, malloc).  Exit status: 0 the store was read
 * (and, with --get, the variable was found), 1 the variable is not there
 * or the file cannot be read or is not a valid store, 2 bad usage.
 */
#ifndef TOOLS_VARSTORECMD_H
#define TOOLS_VARSTORECMD_H

int varstore_tool_main(int argc, char **argv);

#endif
