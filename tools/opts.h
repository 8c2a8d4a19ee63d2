/*
 * The host commands' option parsing: getopt_long with whole option names
 * only (GNU getopt_long also takes any unique prefix: "--cl" for
 * "--clear"; the commands never did).
 *
 * Interface.  opts_begin() before a command's loop (opterr off: the
 * command names the problem itself; optind 0: a full restart of GNU
 * getopt, since load runs handoff create's parser after its own and the
 * fuzz harnesses call commands repeatedly).  opts_next() is getopt_long
 * with an optstring that starts "-:" (arguments in order, never permuted,
 * so *at is the index of the argument just read; ':' tells a missing
 * value from an unknown option), or "+" for a command whose only option
 * (--help) stands before its first operand and is read in one call (fat,
 * expand: what follows is not theirs to parse): it returns what
 * getopt_long returns, except '?' for a long option given by a prefix of
 * its name, and sets *li to the long option's index (-1 for a short one
 * or none).
 * opts_what() words what opts_next() returned as '?' (an unknown option)
 * or 1 (an argument the command does not take) for the command's message;
 * opts_rest() after the loop takes the one operand "--" may leave into
 * *operand when it is still NULL and returns the first argument beyond
 * (NULL when none: the command names it as unexpected).  Host only.
 */
#ifndef TOOLS_OPTS_H
#define TOOLS_OPTS_H

#include <getopt.h>
#include <stddef.h>

void opts_begin(void);
int opts_next(int argc, char **argv, const char *optstring, const struct option *opts, int *li,
	      int *at);
const char *opts_what(char **argv, int at, int c, char *buf, size_t size);
const char *opts_rest(int argc, char **argv, const char **operand);

#endif
