/*
 * Option parsing with whole names only (see opts.h).
 */
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
