/*
 * postmortem compress: an ELF vmcore to a kdump-compressed file (see
 * compress.h and docs/kdump-format.md).
 *
 * payload/kdumpfile runs it, as the crash kernel does: the 1st bitmap
 * marks every page a PT_LOAD describes, the 2nd leaves out what -d LEVEL
 * names (from the crashed kernel's struct pages, through its VMCOREINFO
 * note), both a window at a time; the pages then go, in pfn order, to the
 * writer with the compressor -c names (formats/pagecomp.h, the kernel's own).  An all-zero page
 * becomes a descriptor of the file's one zero page, as makedumpfile
 * writes it.  The input is mapped read-only and checked by
 * formats/elfcore.c's reader first; a page that passes the file's end (a
 * truncated core) reads as zeros and is counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats/diskdump.h"
#include "formats/elfcore.h"
#include "formats/elf64.h"
#include "formats/elfcorehdr.h"
#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "formats/pagecomp.h"
#include "payload/kdumpfile.h"
#include "tools/compress.h"
#include "tools/opts.h"
#include "tools/outfile.h"

#define TOOL "postmortem: compress"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: postmortem compress VMCORE -o OUT [-d LEVEL] [-c NAME]\n"
		"  Write the ELF vmcore VMCORE as a kdump-compressed file (makedumpfile's\n"
		"  format, each page compressed, all-zero pages as one shared page)\n"
		"  that crash, makedumpfile and drgn read.\n"
		"  -o OUT        the output (never replaces OUT until it is whole)\n"
		"  -c NAME       the page compression: lzo (default), zstd, zlib or none, as\n"
		"                the kernel's dump.compress= (Debian 12's makedumpfile reads\n"
		"                lzo and zlib, not zstd; crash reads all three)\n"
		"  -d LEVEL      makedumpfile's dump level, 0-31 (default 1): 2 page cache,\n"
		"                4 page cache with private data, 8 user pages, 16 free\n"
		"                pages are left out, decided from the crashed kernel's\n"
		"                struct pages through its VMCOREINFO\n");
}

struct cin {
	struct elfcore_info info;
	uint64_t max_mapnr, short_pages;
};

/* The lowest PT_LOAD start above pa (UINT64_MAX when none). */
static uint64_t next_load(const struct cin *c, uint64_t pa)
{
	struct elfcore_segment s;
	uint64_t best = UINT64_MAX;
	size_t cursor = 0;

	while (elfcore_load_next(&c->info, &cursor, &s) == 0) {
		if (s.memsz && s.paddr > pa && s.paddr < best)
			best = s.paddr;
	}
	return best;
}

/* The page at pfn from the core: file bytes, zero fill, or zeros past the end. */
static void read_page(void *ctx, uint64_t pfn, void *out)
{
	struct cin *c = ctx;
	uint8_t *page = out;
	uint64_t pa = pfn * DISKDUMP_BLOCK, done = 0;

	while (done < DISKDUMP_BLOCK) {
		struct elfcore_where w;
		uint64_t n = DISKDUMP_BLOCK - done;
		int err = elfcore_find_paddr(&c->info, pa + done, &w);

		if (err == -ENOENT) {		/* a hole: zeros up to the next PT_LOAD */
			uint64_t next = next_load(c, pa + done), hole = next - (pa + done);

			if (hole > DISKDUMP_BLOCK - done)
				hole = DISKDUMP_BLOCK - done;
			memset(page + done, 0, (size_t)hole);
			done += hole;
			continue;
		}
		if (w.avail < n)
			n = w.avail ? w.avail : 1;
		if (err == 0 && w.kind == ELFCORE_WHERE_FILE &&
		    w.file_offset + n <= c->info.len)
			memcpy(page + done, c->info.file + w.file_offset, (size_t)n);
		else {
			if (err == -ENODATA)
				c->short_pages++;
			memset(page + done, 0, (size_t)n);
		}
		done += n;
	}
}

/* The crashed machine's physical memory, as the core holds it. */
static int core_read_phys(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct cin *c = ctx;
	struct elfcore_where w;

	if (elfcore_find_paddr(&c->info, pa, &w) != 0 || w.kind != ELFCORE_WHERE_FILE ||
	    w.avail < len || w.file_offset + len > c->info.len)
		return -EFAULT;
	memcpy(buf, c->info.file + w.file_offset, len);
	return 0;
}

/* The PT_LOADs as the driver's ranges. */
static int range_next(void *ctx, size_t *cursor, uint64_t *start, uint64_t *size)
{
	struct cin *c = ctx;
	struct elfcore_segment s;

	if (elfcore_load_next(&c->info, cursor, &s) != 0)
		return -ENOENT;
	*start = s.paddr;
	*size = s.memsz;
	return 0;
}

static int out_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	int fd = *(int *)ctx;
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* Notes re-encoded one after another; VMCOREINFO found; CPUs counted. */
static size_t gather_notes(struct cin *c, uint8_t *buf, size_t cap, const char **vi, size_t *vlen,
			   int *cpus)
{
	struct elfcore_note_cursor cur = { 0, 0 };
	struct elfcorehdr_note nt;
	size_t used = 0;
	int err;

	*vi = NULL;
	*vlen = 0;
	*cpus = 0;
	while ((err = elfcore_note_next(&c->info, &cur, &nt)) != -ENOENT) {
		size_t total, nl;
		struct elf64_nhdr h;

		if (err != 0 || nt.name == NULL)
			continue;
		nl = nt.name_len + 1;
		if (elfcorehdr_note_size(nl, nt.desc_len, &total) != 0 || total > cap - used)
			continue;
		h.n_namesz = (uint32_t)nl;
		h.n_descsz = (uint32_t)nt.desc_len;
		h.n_type = nt.type;
		memset(buf + used, 0, total);
		memcpy(buf + used, &h, sizeof(h));
		memcpy(buf + used + sizeof(h), nt.name, nt.name_len);
		if (nt.desc_len)
			memcpy(buf + used + sizeof(h) + elf64_note_align(nl), nt.desc, nt.desc_len);
		if (elfcorehdr_note_is(&nt, ELF64_NOTE_NAME_VMCOREINFO, ELF64_NT_VMCOREINFO) &&
		    *vi == NULL) {
			*vi = (const char *)buf + used + sizeof(h) + elf64_note_align(nl);
			*vlen = nt.desc_len;
		}
		if (elfcorehdr_note_is(&nt, ELF64_NOTE_NAME_CORE, ELF64_NT_PRSTATUS))
			(*cpus)++;
		used += total;
	}
	return used;
}

int compress_tool_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "dump-level", required_argument, NULL, 'd' },
		{ "compress", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct kdumpfile kf;
	static uint8_t notes[1u << 20];
	static uint8_t wrk[PAGECOMP_WORKSPACE] __attribute__((aligned(64)));
	const struct pagecomp *pc = pagecomp_find(PAGECOMP_DEFAULT);
	void *pctx = NULL;
	const char *in = NULL, *outp = NULL, *vi, *v;
	struct cin c;
	struct stat st;
	struct outfile o;
	struct diskdump_info di;
	struct kdumpfile_src src = { range_next, read_page, core_read_phys, NULL, NULL, NULL };
	struct kdumpfile_dst dst;
	uint64_t base = 0;
	size_t vlen, nlen, cursor = 0, vl;
	char release[65] = "", line[320];
	int cpus, fd, opt, li, at, err, rc = 1;
	unsigned level = 1;
	void *map;

	opts_begin();
	while ((opt = opts_next(argc, argv, "-:o:d:c:h", opts, &li, &at)) != -1) {
		switch (opt) {
		case 1:
			if (in) {
				fprintf(stderr, "%s: unexpected argument '%s'\n", TOOL, optarg);
				usage(stderr);
				return 2;
			}
			in = optarg;
			break;
		case 'o':
			outp = optarg;
			break;
		case 'd': {
			char *end;
			unsigned long lv = strtoul(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || lv > 31) {
				fprintf(stderr, "%s: -d wants a dump level from 0 to 31, not '%s'\n", TOOL,
					optarg);
				return 2;
			}
			level = (unsigned)lv;
			break;
		}
		case 'c':
			pc = pagecomp_find(optarg);
			if (pc == NULL) {
				fprintf(stderr, "%s: -c wants %s, not '%s'\n", TOOL, pagecomp_names(),
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "%s: %s needs a value\n", TOOL, argv[at]);
			usage(stderr);
			return 2;
		default:
			fprintf(stderr, "%s: unknown option '%s'\n", TOOL, argv[at]);
			usage(stderr);
			return 2;
		}
	}
	if (in == NULL || outp == NULL) {
		usage(stderr);
		return 2;
	}
	fd = open(in, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		fprintf(stderr, "%s: %s: %s\n", TOOL, in, fd < 0 ? strerror(errno) : "not a non-empty regular file");
		if (fd >= 0)
			close(fd);
		return 1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		fprintf(stderr, "%s: %s: %s\n", TOOL, in, strerror(errno));
		return 1;
	}
	memset(&c, 0, sizeof(c));
	err = elfcore_read(map, (size_t)st.st_size, &c.info);
	if (err) {
		fprintf(stderr, "%s: %s: not an x86-64 ELF core file (%s)\n", TOOL, in,
			err == -ENOEXEC ? "not ELF64 ET_CORE EM_X86_64" : "malformed program headers");
		goto out_unmap;
	}
	{
		struct elfcore_segment s;

		while (elfcore_load_next(&c.info, &cursor, &s) == 0) {
			uint64_t end = s.paddr + s.memsz;

			if (s.memsz && (end + DISKDUMP_BLOCK - 1) / DISKDUMP_BLOCK > c.max_mapnr)
				c.max_mapnr = (end + DISKDUMP_BLOCK - 1) / DISKDUMP_BLOCK;
		}
	}
	if (c.max_mapnr == 0 || c.max_mapnr > (1ull << 32)) {
		fprintf(stderr, "%s: %s: %s\n", TOOL, in, c.max_mapnr ? "memory past 16 TiB: not supported" :
			"no memory (PT_LOAD) in it");
		goto out_unmap;
	}
	nlen = gather_notes(&c, notes, sizeof(notes), &vi, &vlen, &cpus);
	src.ctx = &c;
	err = kdumpfile_plan(&kf, &src, level, vi, vlen);
	if (err) {
		fprintf(stderr, "%s: %s: cannot plan the file (%s)\n", TOOL, in, strerror(-err));
		goto out_unmap;
	}
	if (level & ~1u) {	/* what the level did, or why it could not */
		kdumpfile_level_line(&kf, line, sizeof(line));
		printf("%s: %s\n", TOOL, line);
	}
	if (vi && elfcorehdr_vmcoreinfo_get(vi, vlen, "OSRELEASE", &v, &vl) == 0)
		snprintf(release, sizeof(release), "%.*s", (int)vl, v);
	if (vi)
		(void)elfcorehdr_vmcoreinfo_u64(vi, vlen, "NUMBER(phys_base)", &base);

	if (outfile_open(&o, "compress", outp, 0, OUTFILE_SEEKABLE) != 0)
		goto out_unmap;
	if (pc->init && (err = pc->init(wrk, sizeof(wrk), &pctx)) != 0) {
		fprintf(stderr, "%s: the %s compressor refused its workspace (error %d)\n", TOOL,
			pc->name, err);
		outfile_discard(&o);
		goto out_unmap;
	}
	memset(&di, 0, sizeof(di));
	di.sysname = "Linux";
	di.release = release;
	di.machine = "x86_64";
	di.tv_sec = (int64_t)time(NULL);
	di.phys_base = base;
	di.nr_cpus = cpus;
	di.notes = nlen ? notes : NULL;
	di.notes_len = nlen;
	di.vmcoreinfo = vi;
	di.vmcoreinfo_len = vlen;
	di.compression = pc->flag;
	di.compress = pc->compress;
	di.compress_ctx = pctx;
	/* The output is seekable (a regular file, or staged in one): the
	 * pages once, each descriptor block written at its place
	 * (formats/diskdump.h, "in one pass"). */
	dst = (struct kdumpfile_dst){ { out_write, &o.fd, true }, NULL, NULL, NULL, NULL };
	err = kdumpfile_write(&kf, &di, &dst);
	if (err) {
		fprintf(stderr, "%s: %s: write failed: %s\n", TOOL, outp, strerror(-err));
		outfile_discard(&o);
		goto out_unmap;
	}
	if (outfile_done(&o) != 0 || outfile_publish(&o) != 0)
		goto out_unmap;
	printf("wrote %s: %" PRIu64 " of %" PRIu64 " pages (%" PRIu64 " compressed with %s, %" PRIu64
	       " stored, %" PRIu64 " zero), %" PRIu64 " bytes, %d CPUs%s\n", outp, kf.pages,
	       kf.max_mapnr, kf.w.compressed, pc->name, kf.w.stored, kf.w.zero, kf.w.pos, cpus,
	       vi ? "" : "; no VMCOREINFO note: crash and makedumpfile will need the vmlinux");
	if (c.short_pages)
		printf("%s: the input ends early: %" PRIu64 " page pieces read as zeros\n", TOOL,
		       c.short_pages);
	rc = 0;
out_unmap:
	munmap(map, (size_t)st.st_size);
	return rc;
}
