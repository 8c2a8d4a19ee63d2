/*
 * `postmortem inspect VMCORE [--at PADDR [--len N] [--raw]]`: what an ELF
 * core file holds (formats/elfcore.h): its notes (names, types, sizes;
 * each CPU's pid and rip, VMCOREINFO's OSRELEASE, postmortem's own note in
 * full), its PT_LOAD segments (paddr, vaddr, file offset, filesz, memsz)
 * and, with --at, the dumped bytes at a physical address as hex (or raw
 * with --raw), zero tails included, which is how the tests check planted
 * patterns.  Interface and exit status: tools/recv.h.
 *
 * Host only.  The file is mapped read-only and read with the pure reader
 * in formats/elfcore_read.c, which never hands out a byte past its end, so
 * a truncated or damaged file shows what it still has.  Text from the
 * file is printed with control bytes escaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/diskdump.h"
#include "formats/elfcore.h"
#include "formats/elfcorehdr.h"
#include "formats/le.h"
#include "formats/xennote.h"
#include "payload/dumphdr.h"
#include "payload/encdump.h"
#include "tools/opts.h"
#include "tools/recv.h"
#include "tools/textesc.h"

#define TOOL "postmortem: inspect"
#define IND "    "

struct inspect_opts {
	const char *path;
	bool at_given, raw;
	uint64_t at, len;
};

/* Bytes as text, control and non-ASCII bytes as \xNN (tools/textesc.h). */
static void put_text(const char *p, size_t n)
{
	textesc_put_all(stdout, p, n);
}

/* KEY=value lines, one per output line, indented. */
static void put_lines(const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len), *nl;
	size_t n;

	len = nul != NULL ? (size_t)(nul - text) : len;
	while (len > 0) {
		nl = memchr(text, '\n', len);
		n = nl != NULL ? (size_t)(nl - text) : len;
		printf(IND IND);
		put_text(text, n);
		printf("\n");
		n += nl != NULL;
		text += n;
		len -= n;
	}
}

static void print_note(const struct elfcorehdr_note *n)
{
	struct elfcorehdr_prstatus prs;
	const char *v;
	size_t vlen;

	printf(IND "\"");
	put_text(n->name != NULL ? n->name : "", n->name_len);
	printf("\" type %" PRIu32 ", %zu bytes", n->type, n->desc_len);
	if (elfcorehdr_note_is(n, ELF64_NOTE_NAME_CORE, ELF64_NT_PRSTATUS)) {
		printf(" (NT_PRSTATUS)");
		if (elfcorehdr_prstatus(n->desc, n->desc_len, &prs) == 0)
			printf(": pid %" PRId32 ", rip 0x%" PRIx64 ", rsp 0x%" PRIx64, prs.pid,
			       prs.regs.rip, prs.regs.rsp);
	} else if (elfcorehdr_note_is(n, ELF64_NOTE_NAME_VMCOREINFO,
				      ELF64_NT_VMCOREINFO)) {
		printf(" (VMCOREINFO)");
		if (n->desc != NULL && elfcorehdr_vmcoreinfo_get(n->desc, n->desc_len, "OSRELEASE",
								 &v, &vlen) == 0) {
			printf(": OSRELEASE=");
			put_text(v, vlen);
		}
	} else if (elfcorehdr_note_is(n, XENNOTE_NAME, XEN_ELFNOTE_CRASH_REGS)) {
		printf(" (XEN_ELFNOTE_CRASH_REGS)");
		if (n->desc_len >= 32)
			printf(": cr3 0x%" PRIx64 ", cr4 0x%" PRIx64,
			       le_get64((const uint8_t *)n->desc + 16), le_get64((const uint8_t *)n->desc + 24));
	} else if (elfcorehdr_note_is(n, XENNOTE_NAME, XEN_ELFNOTE_CRASH_INFO)) {
		const uint8_t *d = n->desc;

		/* crash_xen_info_t: formats/xennote.h */
		printf(" (XEN_ELFNOTE_CRASH_INFO)");
		if (n->desc_len >= XENNOTE_INFO_SIZE)
			printf(": Xen %" PRIu64 ".%" PRIu64 ", tainted 0x%" PRIx64 ", xen_phys_start 0x%"
			       PRIx64 ", dom0 P2M root mfn 0x%" PRIx64, le_get64(d), le_get64(d + 8),
			       le_get64(d + 56), le_get64(d + 64), le_get64(d + 72));
	} else if (elfcorehdr_note_is(n, XENNOTE_NAME_VMCOREINFO, 0)) {
		printf(" (Xen's VMCOREINFO)");
	} else if (elfcorehdr_note_is(n, ELFCORE_NOTE_NAME_PM, ELFCORE_NT_PM_INFO)) {
		printf(" (postmortem):\n");
		if (n->desc != NULL)
			put_lines(n->desc, n->desc_len);
		return;
	}
	printf("\n");
}

static void print_notes(const struct elfcore_info *info)
{
	struct elfcore_note_cursor c = { 0, 0 };
	struct elfcorehdr_note n;
	size_t count = 0;
	int rc;

	printf("notes (%zu PT_NOTE):\n", info->note_count);
	while ((rc = elfcore_note_next(info, &c, &n)) != -ENOENT) {
		if (rc != 0) {
			printf(IND "(a PT_NOTE is malformed or cut short; the rest of it skipped)\n");
			continue;
		}
		print_note(&n);
		count++;
	}
	if (count == 0)
		printf(IND "(none)\n");
}

/* A kdump-compressed file (makedumpfile's format, formats/diskdump.h). */
static int print_kdump(const char *path, const uint8_t *file, size_t len)
{
	struct diskdump_summary d;
	struct elfcorehdr_note n;
	size_t cursor = 0, count = 0;
	int rc = diskdump_read(file, len, &d);
	uint32_t comp;

	if (rc != 0) {
		fprintf(stderr, "%s: %s: a kdump-compressed file whose header does not hold (%s)\n",
			TOOL, path, rc == -EBADMSG ? "sizes or offsets past the file" : strerror(-rc));
		return 1;
	}
	comp = d.status & (DISKDUMP_COMPRESSED_ZLIB | DISKDUMP_COMPRESSED_LZO |
			   DISKDUMP_COMPRESSED_SNAPPY | DISKDUMP_COMPRESSED_ZSTD);
	printf("%s: kdump-compressed (makedumpfile's format, header version %" PRId32 "), %zu bytes%s%s\n",
	       path, d.header_version, len, d.status & DISKDUMP_INCOMPLETE ? ", INCOMPLETE (status 0x8)" : "",
	       d.descs_cut ? ", CUT SHORT (page descriptors pass the end)" : "");
	printf(IND "kernel ");
	put_text(d.release[0] ? d.release : "unknown", strlen(d.release[0] ? d.release : "unknown"));
	printf(", host ");
	put_text(d.nodename[0] ? d.nodename : "unknown", strlen(d.nodename[0] ? d.nodename : "unknown"));
	printf(", dump level %" PRId32 ", compression %s, %" PRId32 " CPUs\n", d.dump_level,
	       comp == DISKDUMP_COMPRESSED_LZO ? "lzo" : comp == DISKDUMP_COMPRESSED_ZLIB ? "zlib" :
	       comp == DISKDUMP_COMPRESSED_SNAPPY ? "snappy" : comp == DISKDUMP_COMPRESSED_ZSTD ? "zstd" :
	       comp == 0 ? "none" : "mixed", d.nr_cpus);
	printf(IND "pages: %" PRIu64 " page frames, %" PRIu64 " present, %" PRIu64 " in the file\n",
	       d.max_mapnr, d.pages_present, d.pages_dumped);
	printf("notes (%" PRIu64 " bytes):\n", d.notes_len);
	while (d.notes_len && elfcorehdr_note_next(file + d.notes_offset, (size_t)d.notes_len, &cursor,
						   &n) == 0) {
		print_note(&n);
		count++;
	}
	if (count == 0)
		printf(IND "(none)\n");
	return 0;
}

static void print_segments(const struct elfcore_info *info)
{
	struct elfcore_segment g;
	size_t cursor = 0;

	printf("segments (%zu PT_LOAD):\n", info->load_count);
	printf(IND "%-5s %-18s %-18s %-12s %-12s %-12s\n", "phdr", "paddr", "vaddr", "offset",
	       "filesz", "memsz");
	while (elfcore_load_next(info, &cursor, &g) == 0) {
		printf(IND "%-5zu 0x%016" PRIx64 " 0x%016" PRIx64 " 0x%-10" PRIx64 " 0x%-10" PRIx64
		       " 0x%-10" PRIx64 "%s\n", g.range, g.paddr, g.vaddr, g.file_offset, g.filesz,
		       g.memsz, g.file_offset + g.filesz > info->len && g.filesz ? "  (cut short)" : "");
	}
	printf("memory: %" PRIu64 " bytes described, %" PRIu64 " in the file, %" PRIu64
	       " zero-filled\n", info->mem_bytes, info->file_bytes,
	       info->mem_bytes - info->file_bytes);
}

/* Fill out[0..n) with the dump's bytes from paddr on; -errno when absent. */
static int bytes_at(const struct elfcore_info *info, uint64_t paddr, uint8_t *out, uint64_t n)
{
	struct elfcore_where w;
	uint64_t k;
	int rc;

	while (n > 0) {
		rc = elfcore_find_paddr(info, paddr, &w);
		if (rc != 0) {
			fprintf(stderr, "%s: physical address 0x%" PRIx64 " %s\n", TOOL, paddr,
				rc == -ENOENT ? "is not in the dump" : "is past the end of the file");
			return rc;
		}
		k = w.avail < n ? w.avail : n;
		if (w.kind == ELFCORE_WHERE_FILE)
			memcpy(out, info->file + w.file_offset, k);
		else
			memset(out, 0, k);
		out += k;
		paddr += k;
		n -= k;
	}
	return 0;
}

static void hexdump(uint64_t paddr, const uint8_t *b, uint64_t n)
{
	for (uint64_t i = 0; i < n; i += 16) {
		printf("0x%016" PRIx64 " ", paddr + i);
		for (uint64_t j = i; j < i + 16; j++)
			j < n ? printf(" %02x", b[j]) : printf("   ");
		printf("  |");
		for (uint64_t j = i; j < i + 16 && j < n; j++)
			putchar(b[j] >= 0x20 && b[j] < 0x7f ? b[j] : '.');
		printf("|\n");
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: postmortem inspect VMCORE [--at PADDR [--len N] [--raw]]\n"
		"\n"
		"Print an ELF core file's notes and PT_LOAD segments.\n"
		"  --at PADDR   dump the bytes at this physical address (0x... or decimal)\n"
		"  --len N      how many (default 256)\n"
		"  --raw        write them to stdout as they are, nothing else\n");
}

static bool number(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno == 0 && end != s && *end == '\0' && s[0] != '-';
}

static int parse_args(struct inspect_opts *o, int argc, char **argv)
{
	enum { AT = 256, LEN, RAW };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "at", required_argument, NULL, AT },
		{ "len", required_argument, NULL, LEN },
		{ "raw", no_argument, NULL, RAW },
		{ NULL, 0, NULL, 0 },
	};
	int c, li, at;
	char what[512];
	const char *extra;

	o->len = 256;
	/* whole option names, arguments in order (tools/opts.h) */
	opts_begin();
	while ((c = opts_next(argc, argv, "-:h", opts, &li, &at)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case AT:
			if (!number(optarg, &o->at))
				return -1;
			o->at_given = true;
			break;
		case LEN:
			if (!number(optarg, &o->len) || o->len == 0 || o->len > (1ull << 30))
				return -1;
			break;
		case RAW: o->raw = true; break;
		case ':':
			fprintf(stderr, "%s: %s needs a value\n", TOOL, argv[at]);
			return -1;
		case 1:
			if (optarg[0] != '-' && o->path == NULL) {
				o->path = optarg;
				break;
			}
			/* fall through - a second argument, or "-" */
		default:	/* '?' */
			fprintf(stderr, "%s: %s\n", TOOL,
				opts_what(argv, at, c, what, sizeof(what)));
			return -1;
		}
	}
	if ((extra = opts_rest(argc, argv, &o->path)) != NULL) {	/* after "--" */
		fprintf(stderr, "%s: unexpected argument '%s'\n", TOOL, extra);
		return -1;
	}
	return o->path != NULL && (o->at_given || !o->raw) ? 0 : -1;
}

static int inspect_at(const struct inspect_opts *o, const struct elfcore_info *info)
{
	uint8_t *b = malloc(o->len);
	int rc;

	if (b == NULL)
		return 1;
	rc = bytes_at(info, o->at, b, o->len);
	if (rc == 0 && o->raw)
		rc = fwrite(b, 1, o->len, stdout) == o->len ? 0 : -EIO;
	else if (rc == 0)
		hexdump(o->at, b, o->len);
	free(b);
	return rc == 0 ? 0 : 1;
}

/*
 * An encrypted stream (docs/encryption.md) at off: a saved stream, or the
 * body of a dump partition image.  Prints its header; 0, or 1 when the
 * header does not check out.
 */
static int print_encrypted(const char *path, const uint8_t *b, size_t len, size_t off)
{
	struct encdump_header h;
	const char *why = NULL;
	char id[2 * SHA256_LEN + 1];
	uint64_t rest = len - off > ENCDUMP_HEADER_SIZE ? len - off - ENCDUMP_HEADER_SIZE : 0;

	if (encdump_header_parse(b + off, len - off, &h, &why) != 0) {
		printf("%s: an encrypted dump whose header does not check out: %s\n", path, why);
		return 1;
	}
	crypto_sha256_hex(h.key_id, id);
	printf("%s: ENCRYPTED dump (PMENC version %u)%s, %zu bytes: the content cannot be read "
	       "without the private key (postmortem savecore --key)\n", path, h.version,
	       off ? " in a dump partition's body" : "", len - off);
	printf("  cipher AES-256-GCM, %u-byte chunks, each with a 16-byte tag: %llu chunk%s here\n",
	       h.chunk_size, (unsigned long long)((rest + ENCDUMP_CHUNK_WIRE(h.chunk_size) - 1) /
						 ENCDUMP_CHUNK_WIRE(h.chunk_size)),
	       rest > ENCDUMP_CHUNK_WIRE(h.chunk_size) ? "s" : "");
	printf("  key id %s (SHA-256 of the RSA public key)\n", id);
	printf("  master key wrapped with RSA-OAEP SHA-256 (%u bytes: RSA-%u)\n", h.wrapped_len,
	       8 * h.wrapped_len);
	printf("  inner format %s\n", encdump_inner_name(h.inner_format));
	return 0;
}

int inspect_tool_main(int argc, char **argv)
{
	struct inspect_opts o = { 0 };
	struct elfcore_info info;
	struct stat st;
	void *map = NULL;
	int fd, rc;

	if (parse_args(&o, argc, argv) != 0) {
		usage(stderr);
		return 2;
	}
	fd = open(o.path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "%s: %s: %s\n", TOOL, o.path, strerror(errno));
		return 1;
	}
	if (st.st_size > 0)
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED || map == NULL) {
		fprintf(stderr, "%s: %s: %s\n", TOOL, o.path, map == NULL ? "empty file" : strerror(errno));
		return 1;
	}
	if (encdump_is_encrypted(map, (size_t)st.st_size) ||
	    ((size_t)st.st_size >= DUMPHDR_BODY_ALIGN + 8 && memcmp(map, DUMPHDR_MAGIC, 8) == 0 &&
	     encdump_is_encrypted((uint8_t *)map + DUMPHDR_BODY_ALIGN, 8))) {
		size_t off = encdump_is_encrypted(map, (size_t)st.st_size) ? 0 : DUMPHDR_BODY_ALIGN;
		size_t len = (size_t)st.st_size;
		struct dumphdr dh;

		/* a partition image: the body's own length, as its header says */
		if (off && dumphdr_decode(map, len, &dh, NULL) == 0 && dh.body_length < len - off)
			len = off + (size_t)dh.body_length;
		rc = o.at_given ? 1 : print_encrypted(o.path, map, len, off);
		if (o.at_given)
			fprintf(stderr, "%s: %s: encrypted: --at needs the decrypted core "
				"(postmortem savecore --key)\n", TOOL, o.path);
		munmap(map, (size_t)st.st_size);
		return rc;
	}
	if ((size_t)st.st_size >= 8 && memcmp(map, DISKDUMP_SIGNATURE, 8) == 0) {
		if (o.at_given) {
			fprintf(stderr, "%s: %s: --at reads ELF cores only; this is a kdump-compressed file "
				"(makedumpfile or crash read its pages)\n", TOOL, o.path);
			rc = 1;
		} else {
			rc = print_kdump(o.path, map, (size_t)st.st_size);
		}
		munmap(map, (size_t)st.st_size);
		return rc;
	}
	rc = elfcore_read(map, (size_t)st.st_size, &info);
	if (rc != 0) {
		fprintf(stderr, "%s: %s: not a readable x86_64 ELF core file (%s)\n", TOOL, o.path,
			strerror(-rc));
		munmap(map, (size_t)st.st_size);
		return 1;
	}
	if (o.at_given) {
		rc = inspect_at(&o, &info);
	} else {
		printf("%s: ELF64 core, x86_64, %" PRIu16 " program headers, %zu bytes%s%s\n", o.path,
		       info.phnum, info.len, info.incomplete ? ", INCOMPLETE (e_flags 0x1)" : "",
		       info.truncated ? ", CUT SHORT (segments pass the end)" : "");
		print_notes(&info);
		print_segments(&info);
		rc = 0;
	}
	munmap(map, (size_t)st.st_size);
	return rc;
}
