/*
 * `postmortem load`: make postmortem the crash kernel of the running Linux.
 *
 *   postmortem load [--dump=TARGET] [--after=ACTION] [--append=TEXT]
 *                   [--file-load] [--kernel=PATH] [--handoff=PATH]
 *                   [--capsule=FILE] [--describe=FILE] [--handoff-extra=ARG]...
 *                   [--kexec=PATH] [--dry-run]
 *   postmortem load --unload
 *   postmortem load --status
 *
 * Loading is two steps, both printed before they run:
 *   1. `postmortem handoff create -o HANDOFF --from-system [extra]`: a fresh
 *      handoff block (EFI tables, full memory map, ESRT, SMBIOS, VMCOREINFO
 *      as /sys shows them now; docs/handoff.md);
 *   2. `kexec -p KERNEL --initrd=HANDOFF --append=CMDLINE` (with -s for
 *      --file-load: the kernel's kexec_file_load instead of kexec_load).
 * kexec puts the block where postmortem finds its initrd; kexec itself adds
 * `elfcorehdr=` to the command line.  CMDLINE is the running system's
 * console= options (so postmortem talks where the system did), then dump=,
 * after= and --append's text.
 *
 * Under Xen (a PV dom0, tools/xen.h, docs/xen.md) the same kexec -p goes
 * to Xen's kexec_op through kexec-tools' Xen path: the crash memory is
 * Xen's (crashkernel= on Xen's command line), Linux's kexec_crash_* files
 * say nothing about it, and Xen runs postmortem when dom0 panics or Xen
 * itself crashes.  load and --status ask Xen directly (privcmd).
 *
 * Exit status: 0 done, 1 failed (the failing step says why), 2 bad usage.
 * Host only (POSIX, Linux /sys).
 */
#define _GNU_SOURCE	/* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/dumpfile.h"
#include "tools/dumpfile_state.h"
#include "tools/handoff.h"
#include "tools/load.h"
#include "tools/loadsig.h"
#include "tools/opts.h"
#include "tools/xen.h"

#define TOOL		"postmortem load"
#define MAX_EXTRA	16
#define CMDLINE_MAX	2048

struct load_opts {
	const char *dump, *after, *append, *kernel, *handoff, *kexec, *sysfs;
	const char *state_dir;		/* --state-dir: where the dump file's path is kept */
	const char *dump_file, *size;	/* --dump-file PATH [--size SIZE|auto] */
	const char *encrypt_to;		/* --encrypt-to PUBKEY (docs/encryption.md) */
	bool force;
	const char *extra[MAX_EXTRA * 2];	/* handoff create arguments */
	int nextra;
	bool file_load, unload, status, dry_run;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: postmortem load [OPTIONS]     load postmortem as the crash kernel\n"
		"       postmortem load --unload      unload the crash kernel\n"
		"       postmortem load --status      is a crash kernel loaded, and the reservation\n"
		"\n"
		"options:\n"
		"  --dump=TARGET       dump= for postmortem: disk, disk:DEV, serial, ... (default disk)\n"
		"  --after=ACTION      after=: halt, poweroff, reboot, capsule (default reboot)\n"
		"  --append=TEXT       more postmortem options for its command line, e.g.\n"
		"                      dump.format=elf (the ELF core instead of the default\n"
		"                      kdump-compressed file), dump.level=N (default 31)\n"
		"  --file-load         use kexec_file_load (kexec -s) instead of kexec_load\n"
		"  --kernel=PATH       the postmortem image (default: postmortem.bzImage next to\n"
		"                      this program, then /usr/lib/postmortem/postmortem.bzImage)\n"
		"  --handoff=PATH      where to write the handoff block (default\n"
		"                      /run/postmortem/handoff.bin)\n"
		"  --capsule=FILE      put FILE in the block for after=capsule\n"
		"  --describe=FILE     add the records a description file lists (docs/handoff.md)\n"
		"  --handoff-extra=ARG pass ARG to `postmortem handoff create` (repeatable)\n"
		"  --kexec=PATH        the kexec program (default: kexec from PATH, /sbin, /usr/sbin)\n"
		"  --dump-file=PATH    dump into a preallocated file on this system's own ext4 or\n"
		"                      xfs filesystem: load checks, maps and marks it and names\n"
		"                      it in the handoff block, the crash kernel writes only\n"
		"                      inside it (docs/dump-file.md); implies --dump=file\n"
		"  --size=SIZE|auto    its size (512M, 8G ...; auto: MemTotal/8 + 64 MiB; default:\n"
		"                      an existing file's size, else auto)\n"
		"  --force             reuse a dump file that holds a dump not yet saved\n"
		"  --encrypt-to=KEY    encrypt every dump for this RSA public key (PEM or DER,\n"
		"                      3072 bits or more; docs/encryption.md): a fresh master\n"
		"                      key goes to the crash kernel in a block that is never\n"
		"                      written to a file, and dump.encrypt=required to its\n"
		"                      command line; --handoff gets the block without the key\n"
		"  --dry-run           print the two commands, run neither (a dump file is\n"
		"                      checked and mapped, not written)\n"
		"  --state-dir=DIR     record the dump file's path in DIR/dumpfile for\n"
		"                      `postmortem savecore` with no IMAGE (default\n"
		"                      $POSTMORTEM_STATE_DIR, else /var/lib/postmortem)\n"
		"  --sysfs-root=DIR    read DIR instead of /sys (tests)\n"
		"\n"
		"Needs root, kexec-tools and a crashkernel= reservation (docs/kexec.md).\n"
		"In a Xen dom0: Xen's crashkernel=, and xenfs on /proc/xen (docs/xen.md).\n");
}

static int parse(int argc, char **argv, struct load_opts *o)
{
	enum { DUMP = 256, AFTER, APPEND, KERNEL, HANDOFF, KEXEC, CAPSULE, DESCRIBE,
	       HANDOFF_EXTRA, SYSFS_ROOT, STATUS, DRY_RUN, DUMP_FILE, SIZE, FORCE, STATE_DIR,
	       ENCRYPT_TO };
	static const struct option opts[] = {
		{ "file-load", no_argument, NULL, 's' },
		{ "unload", no_argument, NULL, 'u' },
		{ "status", no_argument, NULL, STATUS },
		{ "dry-run", no_argument, NULL, DRY_RUN },
		{ "help", no_argument, NULL, 'h' },
		{ "dump", required_argument, NULL, DUMP },
		{ "after", required_argument, NULL, AFTER },
		{ "append", required_argument, NULL, APPEND },
		{ "kernel", required_argument, NULL, KERNEL },
		{ "handoff", required_argument, NULL, HANDOFF },
		{ "kexec", required_argument, NULL, KEXEC },
		{ "capsule", required_argument, NULL, CAPSULE },
		{ "describe", required_argument, NULL, DESCRIBE },
		{ "handoff-extra", required_argument, NULL, HANDOFF_EXTRA },
		{ "sysfs-root", required_argument, NULL, SYSFS_ROOT },
		{ "dump-file", required_argument, NULL, DUMP_FILE },
		{ "size", required_argument, NULL, SIZE },
		{ "force", no_argument, NULL, FORCE },
		{ "state-dir", required_argument, NULL, STATE_DIR },
		{ "encrypt-to", required_argument, NULL, ENCRYPT_TO },
		{ NULL, 0, NULL, 0 },
	};
	int c, li, at;
	char what[512];
	const char *extra;

	/* whole option names, arguments in order (tools/opts.h) */
	opts_begin();
	while ((c = opts_next(argc, argv, "-:suh", opts, &li, &at)) != -1) {
		if (c != '?' && c != ':' && li >= 0 && opts[li].has_arg && *optarg == '\0') {
			fprintf(stderr, "%s: --%s needs a value (see --help)\n", TOOL, opts[li].name);
			return -1;
		}
		switch (c) {
		case 's': o->file_load = true; break;
		case 'u': o->unload = true; break;
		case STATUS: o->status = true; break;
		case DRY_RUN: o->dry_run = true; break;
		case 'h':
			usage(stdout);
			exit(0);
		case DUMP: o->dump = optarg; break;
		case AFTER: o->after = optarg; break;
		case APPEND: o->append = optarg; break;
		case KERNEL: o->kernel = optarg; break;
		case HANDOFF: o->handoff = optarg; break;
		case KEXEC: o->kexec = optarg; break;
		case SYSFS_ROOT: o->sysfs = optarg; break;
		case DUMP_FILE: o->dump_file = optarg; break;
		case SIZE: o->size = optarg; break;
		case FORCE: o->force = true; break;
		case STATE_DIR: o->state_dir = optarg; break;
		case ENCRYPT_TO: o->encrypt_to = optarg; break;
		case CAPSULE:
		case DESCRIBE:
		case HANDOFF_EXTRA:
			if (o->nextra + 2 > MAX_EXTRA * 2) {
				fprintf(stderr, "%s: too many handoff options (at most %d)\n",
					TOOL, MAX_EXTRA);
				return -1;
			}
			if (c == CAPSULE)
				o->extra[o->nextra++] = "--capsule";
			else if (c == DESCRIBE)
				o->extra[o->nextra++] = "--describe";
			o->extra[o->nextra++] = optarg;
			break;
		case ':':
			fprintf(stderr, "%s: %s needs a value (see --help)\n", TOOL, argv[at]);
			return -1;
		default:	/* '?', or 1: an argument (load takes none) */
			fprintf(stderr, "%s: %s (see --help)\n", TOOL,
				opts_what(argv, at, c, what, sizeof(what)));
			return -1;
		}
	}
	if ((extra = opts_rest(argc, argv, NULL)) != NULL) {	/* after "--" */
		fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", TOOL, extra);
		return -1;
	}
	if (o->size != NULL && o->dump_file == NULL) {
		fprintf(stderr, "%s: --size is for --dump-file\n", TOOL);
		return -1;
	}
	if ((o->unload || o->status) && (o->dump || o->after || o->append || o->nextra ||
					 o->dump_file || o->encrypt_to)) {
		fprintf(stderr, "%s: --unload and --status take no load options\n", TOOL);
		return -1;
	}
	if (o->unload && o->status) {
		fprintf(stderr, "%s: --unload or --status, not both\n", TOOL);
		return -1;
	}
	return 0;
}

static void sys_path(const struct load_opts *o, const char *rel, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", o->sysfs != NULL ? o->sysfs : "/sys", rel);
}

/* Reserved crash memory in bytes, or -1 if the file is missing. */
static long long crash_size(const struct load_opts *o)
{
	char path[512], buf[64];

	sys_path(o, "kernel/kexec_crash_size", path, sizeof(path));
	if (handoff_read_line(path, buf, sizeof(buf)) != 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

static const char *sys_root(const struct load_opts *o)
{
	return o->sysfs != NULL ? o->sysfs : "/sys";
}

/* Xen's crash region, as "N MiB at 0x..." in buf; -errno if Xen would not say. */
static int xen_region(const struct load_opts *o, char *buf, size_t len, uint64_t *size)
{
	uint64_t start = 0;
	int r;

	*size = 0;
	if (o->sysfs != NULL) {
		snprintf(buf, len, "not asked (--sysfs-root: no hypercalls)");
		return -ENOSYS;
	}
	r = xen_kexec_range(XEN_RANGE_CRASH, 0, &start, size);
	if (r != 0)
		snprintf(buf, len, "unknown (Xen's kexec_op get_range: %s)", strerror(-r));
	else if (*size == 0)
		snprintf(buf, len, "none (add crashkernel= to Xen's command line, not dom0's, "
			 "e.g. crashkernel=128M)");
	else
		snprintf(buf, len, "%llu KiB (%llu MiB) at 0x%llx, Xen's crashkernel=",
			 (unsigned long long)(*size >> 10), (unsigned long long)(*size >> 20),
			 (unsigned long long)start);
	return r;
}

static int xen_status(const struct load_opts *o, const struct xen_info *x)
{
	char region[160];
	uint64_t size;
	int loaded = o->sysfs != NULL ? -ENOSYS : xen_kexec_crash_loaded();

	printf("hypervisor: Xen %s, %s: the crash kernel is Xen's (kexec -p goes to Xen's "
	       "kexec_op), run on a dom0 panic or a Xen crash\n",
	       x->version[0] ? x->version : "(version unknown)", xen_kind_name(x->kind));
	if (loaded < 0)
		printf("crash kernel: unknown (Xen's kexec_op status: %s)\n", strerror(-loaded));
	else
		printf("crash kernel: %s\n", loaded ? "loaded" : "not loaded");
	xen_region(o, region, sizeof(region), &size);
	printf("reservation: %s\n", region);
	return loaded == 1 ? 0 : 1;
}

static int status(const struct load_opts *o)
{
	char path[512], buf[64];
	long long size = crash_size(o);
	struct xen_info x;

	xen_detect(sys_root(o), &x);
	if (x.kind == XEN_PV_DOM0)
		return xen_status(o, &x);
	if (x.kind == XEN_PV_DOMU || x.kind == XEN_PV_NO_XENFS)
		printf("hypervisor: Xen %s, %s: kexec is dom0's (Xen's kexec_op)%s\n", x.version,
		       xen_kind_name(x.kind), x.kind == XEN_PV_NO_XENFS ?
		       "; mount -t xenfs xenfs /proc/xen if this is dom0" : "");
	else if (x.kind == XEN_HVM)
		printf("hypervisor: Xen %s, %s guest: Linux's own kexec and crashkernel=\n",
		       x.version, x.guest_type);

	sys_path(o, "kernel/kexec_crash_loaded", path, sizeof(path));
	if (handoff_read_line(path, buf, sizeof(buf)) != 0) {
		printf("crash kernel: unknown (%s unreadable: kernel without kexec?)\n", path);
		return 1;
	}
	printf("crash kernel: %s\n", strcmp(buf, "1") == 0 ? "loaded" : "not loaded");
	if (size < 0)
		printf("reservation: unknown\n");
	else if (size == 0)
		printf("reservation: none (boot with crashkernel=, e.g. crashkernel=16M)\n");
	else
		printf("reservation: %lld KiB (%lld MiB)\n", size / 1024, size >> 20);
	return strcmp(buf, "1") == 0 ? 0 : 1;
}

/* The kexec program: --kexec, else the first in PATH, /sbin, /usr/sbin. */
static const char *find_kexec(const struct load_opts *o, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char dirs[4096];

	if (o->kexec != NULL)
		return o->kexec;
	snprintf(dirs, sizeof(dirs), "%s:/sbin:/usr/sbin", path != NULL ? path : "");
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d != NULL;
	     d = strtok_r(NULL, ":", &save)) {
		if (*d != '/')
			continue;	/* only absolute directories: never ./kexec as root */
		snprintf(buf, len, "%s/kexec", d);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

/* The postmortem image: --kernel, else next to this program, else installed. */
static const char *find_kernel(const struct load_opts *o, char *buf, size_t len)
{
	char self[900];
	ssize_t n;

	if (o->kernel != NULL)
		return access(o->kernel, R_OK) == 0 ? o->kernel : NULL;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(buf, len, "%s/postmortem.bzImage", self);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	snprintf(buf, len, "/usr/lib/postmortem/postmortem.bzImage");
	if (access(buf, R_OK) == 0)
		return buf;
	return NULL;
}

/* Append " word" to cmd if it fits; -1 if not. */
static int cmd_add(char *cmd, size_t len, const char *word)
{
	size_t used = strlen(cmd);
	int n = snprintf(cmd + used, len - used, "%s%s", used ? " " : "", word);

	return n < 0 || (size_t)n >= len - used ? -1 : 0;
}

/*
 * postmortem's command line: the running system's console= options (so
 * postmortem speaks where the system did), dump=, after=, --append.
 */
static int build_cmdline(const struct load_opts *o, char *cmd, size_t len)
{
	char now[4096];
	bool own_console = o->append != NULL && strstr(o->append, "console=") != NULL;

	cmd[0] = '\0';
	if (!own_console && handoff_read_line("/proc/cmdline", now, sizeof(now)) == 0) {
		for (char *save = NULL, *w = strtok_r(now, " ", &save); w != NULL;
		     w = strtok_r(NULL, " ", &save))
			if (strncmp(w, "console=hvc", 11) == 0)
				continue;	/* Xen's or a hypervisor's console: not ours to use */
			else if (strncmp(w, "console=", 8) == 0 && cmd_add(cmd, len, w) != 0)
				return -1;
	}
	char word[512];
	snprintf(word, sizeof(word), "dump=%s", o->dump != NULL ? o->dump :
		 o->dump_file != NULL ? "file" : "disk");
	if (cmd_add(cmd, len, word) != 0)
		return -1;
	snprintf(word, sizeof(word), "after=%s", o->after != NULL ? o->after : "reboot");
	if (cmd_add(cmd, len, word) != 0)
		return -1;
	if (o->encrypt_to != NULL && cmd_add(cmd, len, "dump.encrypt=required") != 0)
		return -1;
	if (o->append != NULL && cmd_add(cmd, len, o->append) != 0)
		return -1;
	return 0;
}

static void print_argv(const char *const *argv)
{
	for (int i = 0; argv[i] != NULL; i++)
		printf(i ? (strchr(argv[i], ' ') ? " '%s'" : " %s") : "%s", argv[i]);
	printf("\n");
	fflush(stdout);
}

/* Run argv, wait; its exit status, or -1 if it could not run. */
static int run(const char *const *argv)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", TOOL, argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * run() for kexec: its stderr passes through to ours and its first
 * errlen - 1 bytes are kept in err (NUL-terminated), so that a refusal can
 * be explained (tools/loadsig.c).
 */
static int run_capture(const char *const *argv, char *err, size_t errlen)
{
	int fds[2], st;
	size_t kept = 0;
	pid_t pid;

	err[0] = '\0';
	if (pipe(fds) != 0)
		return run(argv);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], 2) < 0)
			_exit(127);
		close(fds[1]);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", TOOL, argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		char chunk[512];
		ssize_t n = read(fds[0], chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		fwrite(chunk, 1, (size_t)n, stderr);
		if (kept + 1 < errlen) {
			size_t take = (size_t)n < errlen - 1 - kept ? (size_t)n : errlen - 1 - kept;

			memcpy(err + kept, chunk, take);
			kept += take;
			err[kept] = '\0';
		}
	}
	fflush(stderr);
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int unload(const struct load_opts *o)
{
	char kbuf[1024];
	const char *kexec = find_kexec(o, kbuf, sizeof(kbuf));
	const char *argv[] = { kexec, "-p", "-u", NULL };

	if (kexec == NULL) {
		fprintf(stderr, "%s: kexec not found (install kexec-tools or give --kexec)\n", TOOL);
		return 1;
	}
	print_argv(argv);
	if (o->dry_run)
		return 0;
	if (run(argv) != 0) {
		fprintf(stderr, "%s: kexec -p -u failed\n", TOOL);
		return 1;
	}
	return 0;
}

/* Step 1: the handoff block, by this program's own `handoff create`. */
static int make_handoff(const struct load_opts *o, const char *out, const char *record,
			const char *copy)
{
	const char *argv[14 + MAX_EXTRA * 2] = { "handoff", "create", "-o", out, "--from-system" };
	int n = 5;

	if (o->encrypt_to != NULL) {
		argv[n++] = "--encrypt-to";
		argv[n++] = o->encrypt_to;
		argv[n++] = "--copy-without-key";
		argv[n++] = copy;
	}
	if (record != NULL) {
		argv[n++] = "--dump-file-record";
		argv[n++] = record;
	}
	if (o->sysfs != NULL) {
		argv[n++] = "--sysfs-root";
		argv[n++] = o->sysfs;
	}
	for (int i = 0; i < o->nextra; i++)
		argv[n++] = o->extra[i];
	argv[n] = NULL;
	printf("postmortem");
	for (int i = 0; i < n; i++)
		printf(" %s", argv[i]);
	printf("\n");
	fflush(stdout);
	if (o->dry_run)
		return 0;
	return handoff_tool_main(n, (char **)argv);
}

static int load(const struct load_opts *o)
{
	char kbuf[1024], ibuf[1024], cmd[CMDLINE_MAX], initrd[1100], append[CMDLINE_MAX + 16];
	const char *kexec = find_kexec(o, kbuf, sizeof(kbuf));
	const char *image = find_kernel(o, ibuf, sizeof(ibuf));
	const char *handoff = o->handoff != NULL ? o->handoff : "/run/postmortem/handoff.bin";
	long long size = crash_size(o);

	if (kexec == NULL) {
		fprintf(stderr, "%s: kexec not found (install kexec-tools or give --kexec)\n", TOOL);
		return 1;
	}
	if (image == NULL) {
		fprintf(stderr, "%s: %s not found%s\n", TOOL,
			o->kernel != NULL ? o->kernel : "postmortem.bzImage",
			o->kernel != NULL ? " or unreadable" : " (give --kernel)");
		return 1;
	}
	struct xen_info x;

	xen_detect(sys_root(o), &x);
	if (x.kind == XEN_PV_DOMU) {
		fprintf(stderr, "%s: this is a Xen PV guest, not dom0: only dom0 can load a crash "
			"kernel (Xen's kexec_op); load postmortem in dom0 for the whole host\n", TOOL);
		return 1;
	}
	if (x.kind == XEN_PV_NO_XENFS) {
		fprintf(stderr, "%s: Xen PV, but /proc/xen is not mounted: kexec-tools takes its Xen "
			"path only with it (mount -t xenfs xenfs /proc/xen), and Linux's own kexec "
			"cannot work in a PV guest\n", TOOL);
		return 1;
	}
	if (x.kind == XEN_PV_DOM0) {
		char region[160];
		uint64_t xsize;
		int r = xen_region(o, region, sizeof(region), &xsize);

		if (o->file_load) {
			fprintf(stderr, "%s: under Xen kexec -p goes to Xen's kexec_op, which "
				"kexec_file_load (--file-load) cannot reach: load without it\n", TOOL);
			return 1;
		}
		printf("under Xen %s (%s): the crash kernel is Xen's; crash memory: %s\n",
		       x.version[0] ? x.version : "(version unknown)", xen_kind_name(x.kind), region);
		fflush(stdout);
		if (r == 0 && xsize == 0 && !o->dry_run) {
			fprintf(stderr, "%s: Xen reserved no crash memory: add crashkernel= to Xen's "
				"command line (e.g. crashkernel=128M; dom0's crashkernel= does not "
				"count) and try again\n", TOOL);
			return 1;
		}
	} else if (size == 0 && !o->dry_run) {
		fprintf(stderr, "%s: no crash memory reserved: boot with crashkernel= "
			"(e.g. crashkernel=16M) and try again\n", TOOL);
		return 1;
	}
	if (build_cmdline(o, cmd, sizeof(cmd)) != 0) {
		fprintf(stderr, "%s: command line longer than %d bytes\n", TOOL, CMDLINE_MAX);
		return 1;
	}
	if (o->handoff == NULL && !o->dry_run && mkdir("/run/postmortem", 0700) != 0 &&
	    errno != EEXIST) {
		fprintf(stderr, "%s: cannot create /run/postmortem: %s\n", TOOL, strerror(errno));
		return 1;
	}
	char record[1100];
	if (o->dump_file != NULL) {
		struct dumpfile_opts d = { o->dump_file, o->size, o->sysfs, record, o->dry_run,
					   o->force };

		snprintf(record, sizeof(record), "%s.dumpfile", handoff);
		if (dumpfile_load(&d) != 0) {
			fprintf(stderr, "%s: nothing loaded\n", TOOL);
			return 1;
		}
	}
	/*
	 * --encrypt-to: the block holds the master key, so it goes to kexec
	 * through a memfd (/proc/self/fd/N, inherited by kexec) and never to a
	 * file; --handoff gets the same block without the key.
	 */
	char kblock[64];
	int memfd = -1;
	if (o->encrypt_to != NULL) {
		memfd = memfd_create("postmortem-handoff", 0);
		if (memfd < 0) {
			fprintf(stderr, "%s: memfd_create: %s; nothing loaded\n", TOOL, strerror(errno));
			return 1;
		}
		snprintf(kblock, sizeof(kblock), "/proc/self/fd/%d", memfd);
	}
	if (make_handoff(o, memfd >= 0 ? kblock : handoff, o->dump_file != NULL ? record : NULL,
			 handoff) != 0) {
		fprintf(stderr, "%s: the handoff block could not be made; nothing loaded\n", TOOL);
		if (memfd >= 0)
			close(memfd);
		return 1;
	}
	snprintf(initrd, sizeof(initrd), "--initrd=%s", memfd >= 0 ? kblock : handoff);
	snprintf(append, sizeof(append), "--append=%s", cmd);
	const char *argv[] = { kexec, "-p", image, initrd, append, o->file_load ? "-s" : NULL,
			       NULL };
	print_argv(argv);
	if (o->dry_run) {
		if (memfd >= 0)
			close(memfd);
		return 0;
	}
	char err[2048];
	int rc = run_capture(argv, err, sizeof(err));
	if (memfd >= 0)
		close(memfd);	/* the key now lives only in the crash kernel's reservation */
	if (rc != 0) {
		char path[512], now[16], lockdown[32], why[1024];
		struct loadsig_image img;

		loadsig_image(image, &img);
		loadsig_lockdown(o->sysfs, lockdown, sizeof(lockdown));
		if (loadsig_explain(image, &img, o->file_load, err, lockdown, why, sizeof(why)))
			fprintf(stderr, "%s: kexec failed (exit %d): %s\n", TOOL, rc, why);
		else
			fprintf(stderr, "%s: kexec failed (exit %d)%s\n", TOOL, rc,
				o->file_load ? "; the kernel refused kexec_file_load (lockdown or "
				"signature policy?) -- see dmesg, or try without --file-load" : "");
		/* the kernel drops the old crash image before it loads a new one */
		sys_path(o, "kernel/kexec_crash_loaded", path, sizeof(path));
		if (x.kind == XEN_PV_DOM0) {
			int loaded = xen_kexec_crash_loaded();

			if (loaded >= 0)
				fprintf(stderr, "%s: %s\n", TOOL, loaded ?
					"Xen still has a crash kernel loaded (the earlier one)" :
					"Xen has no crash kernel loaded now: a crash will not be dumped");
		} else if (handoff_read_line(path, now, sizeof(now)) == 0)
			fprintf(stderr, "%s: %s\n", TOOL, strcmp(now, "1") == 0 ?
				"a crash kernel is still loaded (the earlier one)" :
				"no crash kernel is loaded now: a panic will not be dumped");
		return 1;
	}
	/* savecore with no IMAGE finds the file here (tools/dumpfile_state.h) */
	if (o->dump_file != NULL && dumpfile_state_write(dumpfile_state_dir(o->state_dir),
							 o->dump_file) != 0)
		fprintf(stderr, "%s: the dump file is loaded, but `postmortem savecore` will "
			"need --from-file %s\n", TOOL, o->dump_file);
	printf("postmortem is the crash kernel: dump=%s after=%s%s\n",
	       o->dump != NULL ? o->dump : o->dump_file != NULL ? "file" : "disk",
	       o->after != NULL ? o->after : "reboot",
	       o->encrypt_to != NULL ? ", dumps encrypted" : "");
	return 0;
}

int load_tool_main(int argc, char **argv)
{
	struct load_opts o = { 0 };

	if (parse(argc, argv, &o) != 0)
		return 2;
	if (o.status) {
		int rc = status(&o);

		dumpfile_status(o.handoff != NULL ? o.handoff : "/run/postmortem/handoff.bin");
		return rc;
	}
	if (geteuid() != 0 && !o.dry_run)
		fprintf(stderr, "%s: not root: kexec will likely refuse\n", TOOL);
	if (o.unload)
		return unload(&o);
	return load(&o);
}
