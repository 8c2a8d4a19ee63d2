/*
 * `postmortem recv` and `postmortem inspect`: the host side of the dump
 * file (formats/elfcore.h) and of the serial stream (payload/frame.h).
 *
 * Interface: tools/postmortem.c calls recv_tool_main() / inspect_tool_main()
 * with the words from the command on (argv[0] is "recv" / "inspect").
 * recv rebuilds the ELF core file from a serial capture (tools/recv.c);
 * inspect prints an ELF core file's segments and notes and dumps bytes at a
 * physical address (tools/inspect.c).  Host only (glibc, stdio, malloc).
 * Exit status: 0 ok (recv: the file is complete and its SHA-256 matches),
 * 1 the work failed or the result is incomplete, 2 bad usage.
 */
#ifndef TOOLS_RECV_H
#define TOOLS_RECV_H

int recv_tool_main(int argc, char **argv);
int inspect_tool_main(int argc, char **argv);

#endif
