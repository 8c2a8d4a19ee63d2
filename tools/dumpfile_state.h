/*
 * Where the last `postmortem load --dump-file` left its dump file, so that
 * `postmortem savecore` with no IMAGE finds it (docs/dump-file.md).  The
 * state file DIR/dumpfile holds the file's absolute path and a newline;
 * DIR is --state-dir, else $POSTMORTEM_STATE_DIR, else /var/lib/postmortem.
 * Host only.
 */
#ifndef TOOLS_DUMPFILE_STATE_H
#define TOOLS_DUMPFILE_STATE_H

#include <stddef.h>

#define DUMPFILE_STATE_DIR	"/var/lib/postmortem"
#define DUMPFILE_STATE_ENV	"POSTMORTEM_STATE_DIR"
#define DUMPFILE_STATE_NAME	"dumpfile"

/* The state directory: opt if given, else the environment's, else the default. */
const char *dumpfile_state_dir(const char *opt);

/*
 * Record dump_file (made absolute) in DIR/dumpfile: DIR and its parents
 * are made if missing (mode 0755), the text written to a new file in DIR and renamed over the
 * old one, so a reader sees the old path or the new one, never a mix.
 * 0, or -1 with one line on stderr.
 */
int dumpfile_state_write(const char *dir, const char *dump_file);

/*
 * The recorded path into out.  1 when there is none (no state file), 0 when
 * found, -1 with one line on stderr when the state file is unusable: not a
 * regular file, not owned by this user, writable by group or others, or not
 * one absolute path.  *state gets the state file's path (static storage).
 */
int dumpfile_state_read(const char *dir, char *out, size_t len, const char **state);

#endif
