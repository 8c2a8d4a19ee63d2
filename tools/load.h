/*
 * `postmortem load`: load postmortem as the running Linux's crash kernel
 * (a fresh handoff block, then kexec -p).  See tools/load.c and
 * docs/kexec.md.  Returns the exit status: 0 done, 1 failed, 2 bad usage.
 */
#ifndef TOOLS_LOAD_H
#define TOOLS_LOAD_H

int load_tool_main(int argc, char **argv);

#endif
