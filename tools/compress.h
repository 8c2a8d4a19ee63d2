/*
 * `postmortem compress VMCORE -o OUT`: an ELF vmcore (from savecore, recv
 * or /proc/vmcore) as makedumpfile's kdump-compressed file
 * (formats/diskdump.h), LZO-compressed page by page, zero pages left out
 * (makedumpfile's dump level 1), notes and VMCOREINFO carried over.
 */
#ifndef TOOLS_COMPRESS_H
#define TOOLS_COMPRESS_H

int compress_tool_main(int argc, char **argv);

#endif
