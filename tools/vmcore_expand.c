/*
 * Expand a saved dump into the /proc/vmcore shape: every PT_LOAD with
 * p_filesz == p_memsz.
 *
 * postmortem writes zero pages as segment tails that are not in the file
 * (p_filesz < p_memsz), which is valid ELF and keeps the dump small on the
 * wire.  /proc/vmcore never looks like that, and makedumpfile 1.7's mmap
 * read path (makedumpfile.c paddr_to_offset() bounds a segment by
 * p_memsz, not p_filesz) then reads the next segment's bytes where the
 * zeros should be: --dump-dmesg prints nothing, filtering reads garbage.
 * So the host tools write the expanded file: the same headers with new
 * offsets, each segment's bytes at its new place, and the zero tails left
 * as holes of a sparse file (no disk space, no time).
 *
 * Interface: vmcore_expand(path, label) rewrites path (a regular file,
 * never a symbolic link) through a new temporary beside it and a rename
 * (tools/outfile.h: mode 0600, nothing planted is followed); messages
 * name label.  A file already in shape, or one this cannot lay out
 * (notes after the data), is left as it is with a note (0); a file cut
 * short is left compact (1).  A negative errno after printing why: path
 * is then unchanged.  Host only (POSIX).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/elf64.h"
#include "formats/elfcore.h"
#include "tools/opts.h"
#include "tools/outfile.h"
#include "tools/vmcore_expand.h"

#define PAGE	4096u
#define PHDR	sizeof(struct elf64_phdr)

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

static int write_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len > (1u << 24) ? (1u << 24) : len, (off_t)off);
		if (n <= 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Lay the file out again: header and notes where they are (everything
 * before the first PT_LOAD's bytes), then each PT_LOAD in table order at
 * the next page boundary, p_memsz long.  Writes the new program headers
 * into hdr (a copy of file[0..head)).  Returns the new file size, or 0
 * when the file cannot be laid out this way (*why set).
 */
static uint64_t relayout(const struct elfcore_info *ci, uint8_t *hdr, uint64_t head,
			 const char **why)
{
	uint64_t cur = page_up(head);

	if (ci->phoff + (uint64_t)ci->phnum * PHDR > head) {
		*why = "the program headers lie after the memory data";
		return 0;
	}

	for (size_t i = 0; i < ci->phnum; i++) {
		uint8_t *at = hdr + ci->phoff + i * PHDR;
		struct elf64_phdr ph;

		memcpy(&ph, at, sizeof(ph));
		if (ph.p_type == ELF64_PT_NOTE && ph.p_offset + ph.p_filesz > head) {
			*why = "a PT_NOTE lies after the memory data";
			return 0;
		}
		if (ph.p_type != ELF64_PT_LOAD)
			continue;
		if (ph.p_filesz > 0 && ph.p_offset < head) {
			*why = "a PT_LOAD starts inside the headers";
			return 0;
		}
		/* keep offset == paddr modulo a page, as /proc/vmcore (mmap) has it */
		cur = page_up(cur) + (ph.p_paddr & (PAGE - 1));
		if (ph.p_memsz > UINT64_MAX / 2 || cur > UINT64_MAX / 2 - ph.p_memsz) {
			*why = "the segments' sizes add up past any file size";
			return 0;
		}
		ph.p_offset = cur;
		ph.p_filesz = ph.p_memsz;
		memcpy(at, &ph, sizeof(ph));
		cur += ph.p_memsz;
	}
	return cur;
}

int vmcore_expand(const char *path, const char *label)
{
	struct elfcore_info ci;
	struct outfile o = { .fd = -1, .dirfd = -1, .devfd = -1 };
	struct stat st;
	const char *why = NULL;
	uint8_t *hdr = NULL;
	void *map = MAP_FAILED;
	int in = -1, err = -EIO;

	if (label == NULL)
		label = path;
	if (lstat(path, &st) != 0) {
		fprintf(stderr, "postmortem: expand: %s: %s\n", label, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "postmortem: expand: %s: %s\n", label, S_ISLNK(st.st_mode) ?
			"a symbolic link; not followed (give the file itself)" :
			"not a regular file");
		return -EINVAL;
	}
	in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(struct elf64_ehdr)) {
		fprintf(stderr, "postmortem: expand: %s: cannot read\n", label);
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, in, 0);
	if (map == MAP_FAILED || elfcore_read(map, (size_t)st.st_size, &ci) != 0) {
		fprintf(stderr, "postmortem: expand: %s: not an ELF core file\n", label);
		goto out;
	}
	if (ci.file_bytes == ci.mem_bytes) {
		err = 0;	/* already the /proc/vmcore shape */
		goto out;
	}
	if (ci.truncated) {
		fprintf(stderr, "postmortem: expand: %s is cut short: left compact "
			"(zero tails as p_filesz < p_memsz)\n", label);
		err = 1;
		goto out;
	}
	/* head: everything before the first PT_LOAD's bytes; data: what needs disk space */
	uint64_t head = (uint64_t)st.st_size, data = 0;
	size_t cursor = 0;
	struct elfcore_segment s;
	while (elfcore_load_next(&ci, &cursor, &s) == 0) {
		if (s.filesz > 0 && s.file_offset < head)
			head = s.file_offset;
		data += s.filesz;
	}
	hdr = malloc(head);
	if (hdr == NULL) {
		fprintf(stderr, "postmortem: expand: %s: out of memory for %llu header bytes\n",
			label, (unsigned long long)head);
		err = -ENOMEM;
		goto out;
	}
	memcpy(hdr, map, head);
	uint64_t size = relayout(&ci, hdr, head, &why);
	if (size == 0) {
		fprintf(stderr, "postmortem: expand: %s: %s: left compact\n", label,
			why ? why : "nothing to lay out");
		err = 0;
		goto out;
	}
	/* a new file beside path, renamed over it when whole (tools/outfile.h) */
	if (outfile_open(&o, "expand", path, head + data, 0) != 0) {
		fprintf(stderr, "postmortem: expand: %s left compact\n", label);
		goto out;
	}
	if (write_all(o.fd, hdr, head, 0) != 0)
		goto fail;
	cursor = 0;
	while (elfcore_load_next(&ci, &cursor, &s) == 0) {
		struct elf64_phdr ph;

		memcpy(&ph, hdr + ci.phoff + s.range * PHDR, sizeof(ph));
		if (write_all(o.fd, (const uint8_t *)map + s.file_offset, s.filesz, ph.p_offset) != 0)
			goto fail;
	}
	if (ftruncate(o.fd, (off_t)size) != 0 || outfile_done(&o) != 0 || outfile_publish(&o) != 0)
		goto fail;
	fprintf(stderr, "postmortem: %s: zero pages written as holes: %llu MiB file, "
		"%llu MiB of data (/proc/vmcore shape)\n", label,
		(unsigned long long)(size >> 20), (unsigned long long)(ci.file_bytes >> 20));
	err = 0;
	goto out;
fail:
	fprintf(stderr, "postmortem: expand: cannot write the expanded copy of %s: %s; %s left "
		"compact\n", label, strerror(errno), label);
	outfile_discard(&o);
	err = -EIO;
out:
	free(hdr);
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (in >= 0)
		close(in);
	return err;
}

/* `postmortem expand VMCORE...`: the same rewrite for files saved with --compact. */
int vmcore_expand_tool_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int rc = 0, r, c, li, at;
	char what[512];

	/*
	 * "+": options only before the first VMCORE (a later "-h" is a file's
	 * name); --help is the only one, so one call reads it or the error
	 * (whole names only, tools/opts.h).
	 */
	opts_begin();
	c = opts_next(argc, argv, "+h", opts, &li, &at);
	if (c != -1 && c != 'h') {
		fprintf(stderr, "postmortem: expand: %s (see --help)\n",
			opts_what(argv, at, c, what, sizeof(what)));
		return 2;
	}
	if (c == 'h' || optind == argc) {
		fprintf(c != 'h' ? stderr : stdout,
			"usage: postmortem expand VMCORE...\n"
			"\n"
			"Rewrite ELF dumps in place so every PT_LOAD has p_filesz == p_memsz (the\n"
			"/proc/vmcore shape makedumpfile needs), zero pages as sparse holes.\n"
			"savecore and recv do this by default; this is for files kept --compact.\n"
			"The new file (mode 0600) is written beside VMCORE and renamed over it;\n"
			"symbolic links are not followed.\n"
			"exit status: 0 expanded or already in shape, 1 a file failed (left as it\n"
			"             was), 2 usage, 4 a file is cut short (a partial dump: left\n"
			"             compact); 1 wins over 4\n");
		return c != 'h' ? 2 : 0;
	}
	for (int i = optind; i < argc; i++) {
		r = vmcore_expand(argv[i], NULL);
		if (r < 0)
			rc = 1;
		else if (r > 0 && rc == 0)
			rc = 4;
	}
	return rc;
}
