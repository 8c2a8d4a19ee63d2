/*
 * The host tools' output files (savecore, recv, expand), safe when run as
 * root on a disk or in a directory that others can write.
 *
 * A target that does not exist, or is a regular file, is never opened
 * itself: the output is written to a new temporary in the target's
 * directory (".NAME.XXXXXX", created O_CREAT|O_EXCL|O_NOFOLLOW, mode
 * 0600, so a planted symbolic link or file is never followed or
 * truncated), and renamed over the target by outfile_publish() only after
 * the caller has checked it; the directory is then fsynced.  Until then
 * an existing target is untouched, and outfile_discard() removes the
 * temporary.
 *
 * A target that exists and is not a regular file (a character or block
 * device, a FIFO, a socket), or a symbolic link to one (/dev/stdout), is
 * written directly, never created, truncated, removed or renamed over:
 * what was written there cannot be taken back, so the caller checks while
 * streaming and says so in its exit status.  With OUTFILE_SEEKABLE (a
 * writer that needs pwrite/pread) the output is built in an unlinked
 * temporary in $TMPDIR (else /tmp) and copied to the target by
 * outfile_publish().  A symbolic link to a regular file, to a directory
 * or to nothing is refused: give the file itself.  A directory is refused.
 *
 * Before anything is created the free space of the filesystem that gets
 * the output is checked against need (bytes that must be allocated; 0:
 * unknown, no check): root may use the reserved blocks, others not.
 *
 * Every function prints its own message ("postmortem: TOOL: PATH: cause")
 * and returns 0 or a negative errno.  Host only (POSIX, Linux).
 */
#ifndef TOOLS_OUTFILE_H
#define TOOLS_OUTFILE_H

#include <stdbool.h>
#include <stdint.h>

#define OUTFILE_SEEKABLE	1u	/* the writer seeks: stage non-regular targets */
#define OUTFILE_REPLACE_LINK	2u	/* a name of the tool's own (a sidecar): a link,
					   FIFO or device there is replaced itself,
					   never followed or opened */

struct outfile {
	const char *tool;	/* "savecore", for messages */
	const char *path;	/* the target as given */
	char tmp[4096 + 256];	/* the temporary's path (empty when direct, unstaged) */
	char name[256];		/* the target's last component */
	char tmpname[256];	/* the temporary's last component */
	int fd;			/* write here; -1 after outfile_done() (not staged) */
	int dirfd;		/* the target's directory (temporary mode) */
	int devfd;		/* the target itself (staged) */
	bool direct;		/* an existing non-regular target, written in place */
	bool is_stdout;		/* direct, and the very file of fd 1 (/dev/stdout) */
	bool staged;		/* direct, but built in an unlinked temporary first */
};

/* Open path for writing as above; need: bytes to allocate (0: unknown). */
int outfile_open(struct outfile *o, const char *tool, const char *path, uint64_t need,
		 unsigned flags);
/*
 * When the output is the tool's own stdout (-o /dev/stdout into a pipe),
 * point fd 1 at stderr so that reports do not mix with the dump.
 */
void outfile_keep_stdout_clean(const struct outfile *o);
/*
 * Writing is over: fsync and close the temporary (o->tmp can then be read
 * or rewritten by path); direct: fsync where the target supports it.
 */
int outfile_done(struct outfile *o);
/*
 * Put the checked output in place (rename, or the staged copy); closes
 * all.  Non-zero: the target is as it was (temporary removed), or for a
 * device or pipe, the copy failed part way.
 */
int outfile_publish(struct outfile *o);
/* Give up: the temporary is removed, the target left as it was; closes all. */
void outfile_discard(struct outfile *o);

/*
 * The free space check on its own: 0 when the filesystem holding fd has
 * need bytes free for this user, else -ENOSPC with a message naming where
 * (label), both numbers, and the tool.
 */
int outfile_check_space(int fd, const char *tool, const char *label, uint64_t need);

#endif
