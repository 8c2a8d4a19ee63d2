/*
 * Rewrite a saved ELF dump so that every PT_LOAD has p_filesz == p_memsz
 * (the /proc/vmcore shape makedumpfile expects), zero tails as sparse
 * holes.  See tools/vmcore_expand.c.  Host only.
 */
#ifndef TOOLS_VMCORE_EXPAND_H
#define TOOLS_VMCORE_EXPAND_H

/*
 * 0: expanded, or left as it was (with a note); 1: cut short, left compact;
 * negative errno: path unchanged.  Messages name label (NULL: path).
 */
int vmcore_expand(const char *path, const char *label);

/* `postmortem expand`: 0 all done, 1 a file failed, 2 usage, 4 a file cut short. */
int vmcore_expand_tool_main(int argc, char **argv);

#endif
