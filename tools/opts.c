/*
 * Option parsing with whole names only (see opts.h).
 */
#include <stdio.h>
#include <string.h>

#include "tools/opts.h"

void opts_begin(void)
{
	opterr = 0;
	optind = 0;
}

int opts_next(int argc, char **argv, const char *optstring, const struct option *opts, int *li,
	      int *at)
{
	int c;

	*at = optind > 0 ? optind : 1;
	*li = -1;
	c = getopt_long(argc, argv, optstring, opts, li);
	if (c == -1)
		return -1;
	if (c == ':' && argv[*at][1] == '-')	/* a long option missing its value */
		for (*li = 0; opts[*li].val != optopt; (*li)++)
			;
	if (*li >= 0 && strcspn(argv[*at] + 2, "=") != strlen(opts[*li].name))
		c = '?';
	return c;
}

const char *opts_what(char **argv, int at, int c, char *buf, size_t size)
{
	const char *arg = argv[at];
	char letter[3] = { '-', (char)optopt, 0 };	/* one of a group such as -xo */

	snprintf(buf, size, "%s '%s'", arg[0] == '-' ? "unknown option" : "unexpected argument",
		 c == 1 || arg[1] == '-' ? arg : letter);
	return buf;
}

const char *opts_rest(int argc, char **argv, const char **operand)
{
	if (optind < argc && operand != NULL && *operand == NULL)
		*operand = argv[optind++];
	return optind < argc ? argv[optind] : NULL;
}
