/*
 * `postmortem handoff create|show|verify`: the command's entry, `create`'s
 * options, and writing a struct handoff_plan as a block with the pure
 * writer of payload/handoff.c (the sources of records are
 * tools/handoff_sysfs.c and tools/handoff_describe.c).  Interface and exit
 * codes: tools/handoff.h; the format: docs/handoff.md.
 *
 * Host only.  The block is built in a buffer that doubles until the writer
 * stops saying -ENOSPC, verified with handoff_verify() as the kernel would,
 * and only then written out.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "crypto/hmac_sha256.h"
#include "payload/handoff.h"
#include "payload/handoff_desc.h"
#include "tools/dumpfile.h"
#include "tools/enckey.h"
#include "tools/handoff.h"
#include "tools/opts.h"

#define TOOL "postmortem: handoff"

static void create_usage(FILE *f)
{
	fprintf(f,
		"usage: postmortem handoff create -o FILE [--from-system] [--sysfs-root DIR]\n"
		"                                 [--describe DESCFILE] [--cmdline TEXT]\n"
		"                                 [--capsule FILE] [--vmcoreinfo FILE]\n"
		"                                 [--dump-range START,SIZE]... [--time UNIX]\n"
		"       postmortem handoff show FILE\n"
		"       postmortem handoff verify FILE\n"
		"\n"
		"Build, print or check a handoff block (format: docs/handoff.md).\n"
		"  --from-system     gather EFI, ESRT, memory map, SMBIOS, VMCOREINFO from /sys\n"
		"  --sysfs-root DIR  read DIR instead of /sys (tests)\n"
		"  --describe FILE   add the records a description file lists\n"
		"  --dump-file-record FILE  add a DUMP_FILE record (written by load --dump-file)\n"
		"  --encrypt-to KEY  add a DUMP_KEY record: dumps encrypted for this RSA public\n"
		"                    key (docs/encryption.md); FILE then holds the raw master key\n"
		"  --copy-without-key FILE  also write the block without its DUMP_KEY record\n"
		"  --time UNIX       creation time to record (default: now)\n");
}

/* ------------------------------------------------------------------ helpers */

void handoff_plan_push(void *arr, size_t *n, size_t elem_size, const void *elem)
{
	uint8_t **a = arr;
	uint8_t *na = realloc(*a, (*n + 1) * elem_size);

	if (na == NULL) {
		fprintf(stderr, "%s: out of memory\n", TOOL);
		exit(1);
	}
	memcpy(na + *n * elem_size, elem, elem_size);
	*a = na;
	(*n)++;
}

int handoff_read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL, *nb;
	size_t n = 0, cap = 0, got;

	if (f == NULL)
		return -errno;
	for (;;) {
		if (cap - n < 2) {
			cap = cap ? cap * 2 : 4096;
			nb = realloc(b, cap);
			if (nb == NULL) {
				free(b);
				fclose(f);
				return -ENOMEM;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(b);
		fclose(f);
		return -e;
	}
	fclose(f);
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

int handoff_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	if (fgets(buf, (int)len, f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

bool handoff_smbios_table_of(const uint8_t *ep, size_t len, uint64_t *addr, uint64_t *size)
{
	uint32_t a32 = 0, max32 = 0;
	uint16_t len16 = 0;

	/* SMBIOS 3.x (DSP0134 section 5.2.2): table max size @0x0c, address @0x10. */
	if (len >= 0x18 && memcmp(ep, "_SM3_", 5) == 0) {
		memcpy(&max32, ep + 0x0c, 4);
		memcpy(addr, ep + 0x10, 8);
		*size = max32;
		return true;
	}
	/* SMBIOS 2.1 (section 5.2.1): table length @0x16, address @0x18. */
	if (len >= 0x1f && memcmp(ep, "_SM_", 4) == 0) {
		memcpy(&len16, ep + 0x16, 2);
		memcpy(&a32, ep + 0x18, 4);
		*addr = a32;
		*size = len16;
		return true;
	}
	return false;
}

/* Append text to the command line, one space between pieces. */
void handoff_plan_cmdline(struct handoff_plan *p, const char *s, size_t n)
{
	uint8_t *nb = realloc(p->cmdline, p->cmdline_len + n + 2);

	if (nb == NULL)
		exit(1);
	if (p->cmdline_len > 0)
		nb[p->cmdline_len++] = ' ';
	memcpy(nb + p->cmdline_len, s, n);
	p->cmdline_len += n;
	p->cmdline = nb;
}

/* ------------------------------------------------------------ plan -> block */

#define TRY(x) do { int r_ = (x); if (r_ != 0) return r_; } while (0)

/* The ESRT as firmware lays it out: 16-byte header, then 40-byte entries. */
static int add_esrt(struct handoff_writer *w, const struct handoff_plan *p)
{
	static const uint8_t guid[16] = HANDOFF_GUID_ESRT;
	struct handoff_esrt_header h;
	size_t len = sizeof(h) + p->n_esrt * sizeof(struct handoff_esrt_entry);
	uint8_t *b = malloc(len);
	int r;

	if (b == NULL)
		exit(1);
	h.fw_resource_count = (uint32_t)p->n_esrt;
	h.fw_resource_count_max = p->esrt_count_max > p->n_esrt ? p->esrt_count_max
								 : (uint32_t)p->n_esrt;
	h.fw_resource_version = p->esrt_version ? p->esrt_version : HANDOFF_ESRT_VERSION;
	memcpy(b, &h, sizeof(h));
	if (p->n_esrt > 0)
		memcpy(b + sizeof(h), p->esrt, p->n_esrt * sizeof(struct handoff_esrt_entry));
	r = handoff_add_table_copy(w, guid, p->esrt_addr, b, len);
	free(b);
	return r;
}

/* Descriptors at the stride firmware uses, the tail of each zero. */
static int add_efi_memmap(struct handoff_writer *w, const struct handoff_plan *p)
{
	uint8_t *b = calloc(p->n_efi_md, HANDOFF_TOOL_EFI_DESC_SIZE);
	int r;

	if (b == NULL)
		exit(1);
	for (size_t i = 0; i < p->n_efi_md; i++)
		memcpy(b + i * HANDOFF_TOOL_EFI_DESC_SIZE, &p->efi_md[i], sizeof(p->efi_md[i]));
	r = handoff_add_efi_memmap(w, HANDOFF_TOOL_EFI_DESC_SIZE, 1, b, p->n_efi_md);
	free(b);
	return r;
}

/* Every record of the plan, in the order docs/handoff.md recommends. */
static int plan_fill(struct handoff_writer *w, const struct handoff_plan *p)
{
	TRY(handoff_add_creator(w, &p->creator));
	if (p->have_systab)
		TRY(handoff_add_efi_systab(w, &p->systab));
	if (p->n_efi_md > 0)
		TRY(add_efi_memmap(w, p));
	if (p->n_memmap > 0)
		TRY(handoff_add_memmap(w, p->memmap, p->n_memmap));
	if (p->n_tables > 0)
		TRY(handoff_add_config_tables(w, p->tables, p->n_tables));
	if (p->have_esrt)
		TRY(add_esrt(w, p));
	for (size_t i = 0; i < p->n_copies; i++)
		TRY(handoff_add_table_copy(w, p->copies[i].guid, p->copies[i].address,
					   p->copies[i].bytes, p->copies[i].len));
	if (p->have_rsdp)
		TRY(handoff_add_acpi_rsdp(w, p->rsdp_addr, p->rsdp, p->rsdp_len));
	if (p->have_smbios)
		TRY(handoff_add_smbios(w, p->smbios_ep_addr, p->smbios_ep, p->smbios_ep_len,
				       p->smbios_table_addr, p->smbios_table, p->smbios_table_len));
	if (p->n_runtime > 0)
		TRY(handoff_add_runtime_map(w, p->runtime, p->n_runtime));
	if (p->n_ranges > 0)
		TRY(handoff_add_dump_ranges(w, p->ranges, p->n_ranges));
	if (p->have_vmcoreinfo)
		TRY(handoff_add_vmcoreinfo(w, p->vmcoreinfo_addr, p->vmcoreinfo_size,
					   (const char *)p->vmcoreinfo, p->vmcoreinfo_len));
	if (p->notes_len > 0)
		TRY(handoff_add(w, HANDOFF_TYPE_CPU_NOTES, 0, p->notes, p->notes_len));
	if (p->cmdline_len > 0)
		TRY(handoff_add(w, HANDOFF_TYPE_CMDLINE, 0, p->cmdline, p->cmdline_len));
	if (p->capsule_len > 0)
		TRY(handoff_add(w, HANDOFF_TYPE_CAPSULE, 0, p->capsule, p->capsule_len));
	if (p->have_dumpfile)
		TRY(handoff_add_dump_file(w, &p->dumpfile, p->dumpfile_ext, p->n_dumpfile_ext));
	if (p->have_dumpkey)
		TRY(handoff_add_dump_key(w, &p->dumpkey));
	return 0;
}

/* Write the plan into a malloc'd block, growing the buffer until it fits. */
static int plan_write(const struct handoff_plan *p, uint64_t created, uint8_t **out,
		      size_t *len)
{
	size_t cap = 65536 + p->capsule_len + p->smbios_table_len + p->notes_len +
		     p->n_dumpfile_ext * sizeof(struct dumpfile_extent);
	struct handoff_writer w;
	uint8_t *b;
	int r;

	for (;;) {
		b = malloc(cap);
		if (b == NULL)
			return -ENOMEM;
		handoff_writer_init(&w, b, cap, created);
		r = plan_fill(&w, p);
		if (r == 0)
			r = handoff_finish(&w, len);
		if (r != -ENOSPC || cap > SIZE_MAX / 2)
			break;
		free(b);
		cap *= 2;
	}
	if (r != 0) {
		free(b);
		return r;
	}
	*out = b;
	return 0;
}

static void plan_free(struct handoff_plan *p)
{
	for (size_t i = 0; i < p->n_copies; i++)
		free(p->copies[i].bytes);
	free(p->copies);
	free(p->efi_md);
	free(p->memmap);
	free(p->tables);
	free(p->esrt);
	free(p->rsdp);
	free(p->smbios_ep);
	free(p->smbios_table);
	free(p->runtime);
	free(p->ranges);
	free(p->vmcoreinfo);
	free(p->notes);
	free(p->cmdline);
	free(p->capsule);
	free(p->dumpfile_ext);
	crypto_wipe(&p->dumpkey, sizeof(p->dumpkey));
}

/* Host name, kernel release and our version, unless a description set them. */
static void fill_creator(struct handoff_plan *p)
{
	struct utsname u;
	char host[sizeof(p->creator.host) + 1];

	snprintf(p->creator.tool, sizeof(p->creator.tool), "postmortem %s", PM_VERSION);
	if (p->creator_set)
		return;
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		strncpy(p->creator.host, host, sizeof(p->creator.host));
	}
	if (uname(&u) == 0)
		strncpy(p->creator.release, u.release, sizeof(p->creator.release));
}

static int write_out(const char *path, const uint8_t *b, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f != NULL;

	if (ok) {
		ok = fwrite(b, 1, len, f) == len;
		ok = fclose(f) == 0 && ok;
	}
	if (!ok) {
		fprintf(stderr, "%s: cannot write %s: %s\n", TOOL, path, strerror(errno));
		return -EIO;
	}
	return 0;
}

/* ------------------------------------------------------------------ create */

struct create_opts {
	const char *out, *sysfs_root, *describe, *capsule, *vmcoreinfo, *dumpfile_record;
	const char *encrypt_to, *copy_without_key;
	bool from_system;
	uint64_t created;
	const char **ranges, **cmdlines;	/* applied after the other sources */
	size_t n_ranges, n_cmdlines;
};

/* --dump-range START,SIZE, in the description file's syntax; p NULL: check only. */
static int opt_dump_range(struct handoff_plan *p, const char *arg)
{
	struct handoff_desc_line d;
	char line[128];
	char *comma;

	if (strlen(arg) > sizeof(line) - 16 || strchr(arg, ',') == NULL) {
		fprintf(stderr, "%s: --dump-range '%s': want START,SIZE\n", TOOL, arg);
		return -EINVAL;
	}
	snprintf(line, sizeof(line), "dump-range %s", arg);
	comma = strchr(line, ',');
	*comma = ' ';
	if (handoff_desc_parse_line(line, strlen(line), &d) != 0) {
		fprintf(stderr, "%s: --dump-range '%s': %s\n", TOOL, arg, d.error);
		return -EINVAL;
	}
	if (p != NULL)
		handoff_plan_push(&p->ranges, &p->n_ranges, sizeof(d.range), &d.range);
	return 0;
}

/* Parse create's options; returns 0, or 2 for a usage error (message printed). */
static int create_parse(int argc, char **argv, struct create_opts *o)
{
	enum { FROM_SYSTEM = 256, SYSFS_ROOT, DESCRIBE, CAPSULE, VMCOREINFO, CMDLINE,
	       DUMP_RANGE, TIME, DUMPFILE_RECORD, ENCRYPT_TO, COPY_WITHOUT_KEY };
	static const struct option opts[] = {
		{ "from-system", no_argument, NULL, FROM_SYSTEM },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "sysfs-root", required_argument, NULL, SYSFS_ROOT },
		{ "describe", required_argument, NULL, DESCRIBE },
		{ "capsule", required_argument, NULL, CAPSULE },
		{ "vmcoreinfo", required_argument, NULL, VMCOREINFO },
		{ "cmdline", required_argument, NULL, CMDLINE },
		{ "dump-range", required_argument, NULL, DUMP_RANGE },
		{ "time", required_argument, NULL, TIME },
		{ "dump-file-record", required_argument, NULL, DUMPFILE_RECORD },
		{ "encrypt-to", required_argument, NULL, ENCRYPT_TO },
		{ "copy-without-key", required_argument, NULL, COPY_WITHOUT_KEY },
		{ NULL, 0, NULL, 0 },
	};
	const char *v;
	char *end;
	int c, li, at;
	char what[512];

	/* whole option names, arguments in order (tools/opts.h) */
	opts_begin();
	while ((c = opts_next(argc, argv, "-:ho:", opts, &li, &at)) != -1) {
		v = optarg;
		switch (c) {
		case FROM_SYSTEM: o->from_system = true; break;
		case 'h':
			create_usage(stdout);
			exit(0);
		case 'o': o->out = v; break;
		case SYSFS_ROOT: o->sysfs_root = v; break;
		case DESCRIBE: o->describe = v; break;
		case CAPSULE: o->capsule = v; break;
		case VMCOREINFO: o->vmcoreinfo = v; break;
		case DUMPFILE_RECORD: o->dumpfile_record = v; break;
		case ENCRYPT_TO: o->encrypt_to = v; break;
		case COPY_WITHOUT_KEY: o->copy_without_key = v; break;
		case CMDLINE:
			handoff_plan_push(&o->cmdlines, &o->n_cmdlines, sizeof(v), &v);
			break;
		case DUMP_RANGE:
			if (opt_dump_range(NULL, v) != 0)
				return 2;
			handoff_plan_push(&o->ranges, &o->n_ranges, sizeof(v), &v);
			break;
		case TIME:
			errno = 0;
			o->created = strtoull(v, &end, 10);
			if (errno != 0 || *end != '\0' || end == v || v[0] == '-') {
				fprintf(stderr, "%s create: --time '%s': want seconds since 1970\n",
					TOOL, v);
				return 2;
			}
			break;
		case ':':
			fprintf(stderr, "%s create: %s needs a value (see --help)\n", TOOL,
				argv[at][1] == '-' ? argv[at] : "-o");
			return 2;
		default:	/* '?', or 1: an argument (create takes none) */
			fprintf(stderr, "%s create: %s (see --help)\n", TOOL,
				opts_what(argv, at, c, what, sizeof(what)));
			return 2;
		}
	}
	if (optind < argc) {	/* after "--" */
		fprintf(stderr, "%s create: unexpected argument '%s' (see --help)\n", TOOL,
			argv[optind]);
		return 2;
	}
	if (o->out == NULL) {
		fprintf(stderr, "%s create: -o FILE is required (see --help)\n", TOOL);
		return 2;
	}
	return 0;
}

/* --dump-range and --cmdline (checked by create_parse()), after the other sources. */
static void apply_options(const struct create_opts *o, struct handoff_plan *p)
{
	for (size_t i = 0; i < o->n_ranges; i++)
		opt_dump_range(p, o->ranges[i]);
	for (size_t i = 0; i < o->n_cmdlines; i++)
		handoff_plan_cmdline(p, o->cmdlines[i], strlen(o->cmdlines[i]));
}

/* --capsule and --vmcoreinfo: whole files. */
static int read_option_file(const char *path, uint8_t **buf, size_t *len)
{
	int r;

	free(*buf);
	*buf = NULL;
	r = handoff_read_file(path, buf, len);
	if (r != 0)
		fprintf(stderr, "%s: cannot read %s: %s\n", TOOL, path, strerror(-r));
	return r;
}

static int gather(const struct create_opts *o, struct handoff_plan *p)
{
	if (o->from_system && handoff_sysfs_gather(o->sysfs_root, p) != 0)
		return -EINVAL;
	if (o->describe != NULL && handoff_describe_load(o->describe, p) != 0)
		return -EINVAL;
	if (o->capsule != NULL && read_option_file(o->capsule, &p->capsule, &p->capsule_len) != 0)
		return -EINVAL;
	if (o->dumpfile_record != NULL) {
		struct dumpfile_record r;

		if (dumpfile_record_read(o->dumpfile_record, &r) != 0)
			return -EINVAL;
		p->have_dumpfile = true;
		p->dumpfile = r.head;
		p->dumpfile_ext = r.ext;
		p->n_dumpfile_ext = r.n;
	}
	if (o->vmcoreinfo != NULL) {
		if (read_option_file(o->vmcoreinfo, &p->vmcoreinfo, &p->vmcoreinfo_len) != 0)
			return -EINVAL;
		p->have_vmcoreinfo = true;
	}
	if (o->encrypt_to != NULL) {
		struct enckey k;
		char err[ENCKEY_ERR_LEN], id[65];

		if (enckey_public_load(&k, o->encrypt_to, err) != 0) {
			fprintf(stderr, "%s: --encrypt-to %s\n", TOOL, err);
			return -EINVAL;
		}
		if (enckey_dump_key(&k, &p->dumpkey, err) != 0) {
			fprintf(stderr, "%s: --encrypt-to %s: %s\n", TOOL, o->encrypt_to, err);
			enckey_free(&k);
			return -EINVAL;
		}
		enckey_id_hex(k.key_id, id);
		printf("%s: dumps encrypted for RSA-%u key %s\n", TOOL, k.bits, id);
		enckey_free(&k);
		p->have_dumpkey = true;
	}
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	struct create_opts o = { .sysfs_root = "/sys", .created = (uint64_t)time(NULL) };
	struct handoff_plan p;
	struct handoff_status st;
	uint8_t *b = NULL;
	size_t len = 0;
	char hex[2 * SHA256_LEN + 1];
	int r;

	memset(&p, 0, sizeof(p));
	r = create_parse(argc, argv, &o);
	if (r == 0 && gather(&o, &p) != 0)
		r = 1;
	if (r == 0) {
		apply_options(&o, &p);
		fill_creator(&p);
		if (plan_write(&p, o.created, &b, &len) != 0) {
			fprintf(stderr, "%s: %s: cannot build the block: out of memory\n", TOOL, o.out);
			r = 1;
		}
	}
	if (r == 0 && handoff_verify(b, len, &st) != 0) {
		fprintf(stderr, "%s: %s: the block just built does not verify: %s\n",
			TOOL, o.out, st.reason);
		r = 1;
	}
	if (r == 0 && write_out(o.out, b, len) != 0)
		r = 1;
	if (r == 0) {
		crypto_sha256_hex(st.digest, hex);
		printf("%s: wrote %s: %u records, %zu bytes, sha256 %s\n", TOOL, o.out,
		       st.record_count, len, hex);
	}
	if (b != NULL)
		crypto_wipe(b, len);	/* the master key, when there is one */
	free(b);
	b = NULL;
	if (r == 0 && o.copy_without_key != NULL) {
		p.have_dumpkey = false;
		if (plan_write(&p, o.created, &b, &len) != 0 || write_out(o.copy_without_key, b, len) != 0)
			r = 1;
		else
			printf("%s: wrote %s: the same block without its DUMP_KEY record, %zu bytes\n",
			       TOOL, o.copy_without_key, len);
		free(b);
	}
	free(o.ranges);
	free(o.cmdlines);
	plan_free(&p);
	return r;
}

int handoff_tool_main(int argc, char **argv)
{
	if (argc < 2) {
		create_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		create_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "create") == 0)
		return cmd_create(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0 || strcmp(argv[1], "verify") == 0) {
		static const struct option none[] = { { NULL, 0, NULL, 0 } };
		const char *file = argv[argc - 1];
		int opt;

		/* No options; "--" goes before a FILE that starts with '-'; "-" is none */
		opterr = 0;
		optind = 0;
		opt = getopt_long(argc - 1, argv + 1, "+", none, NULL) != -1 ||
		      (optind == 1 && argc > 2 && strcmp(argv[2], "-") == 0);
		if (opt)
			fprintf(stderr, "%s %s: unknown option '%s'\n", TOOL, argv[1], argv[2]);
		if (opt || optind != argc - 2) {
			fprintf(stderr, "usage: postmortem handoff %s FILE\n", argv[1]);
			return 2;
		}
		return argv[1][0] == 's' ? handoff_show_file(file) : handoff_verify_file(file);
	}
	fprintf(stderr, "%s: unknown subcommand '%s' (create, show, verify)\n", TOOL, argv[1]);
	return 2;
}
