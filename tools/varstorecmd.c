/*
 * `postmortem varstore FILE [--all]` and `postmortem varstore FILE --get
 * NAME [--guid GUID] [--u64]` (interface and exit status:
 * tools/varstorecmd.h; the format: docs/varstore.md).
 *
 * The listing starts with one line about the store (format, sizes,
 * counts), then one line per live variable: name, vendor GUID (and its
 * name when known), attributes by name, data size.  --all lists every
 * header with its State instead.  --get prints the variable's data as a
 * hex dump, or with --u64 its 8 bytes as one little-endian number
 * ("0x4"); the GUID defaults to EFI_GLOBAL_VARIABLE.  Names from the file
 * are printed with anything but printable ASCII as '?'.  Host only.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/guid.h"
#include "formats/varstore.h"
#include "tools/handoff.h"
#include "tools/varstorecmd.h"
#include "tools/opts.h"

#define TOOL "postmortem: varstore"

struct varstore_opts {
	const char *path;
	const char *get;
	const char *guid;
	bool u64, all;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: postmortem varstore FILE [--all]\n"
		"       postmortem varstore FILE --get NAME [--guid GUID] [--u64]\n"
		"\n"
		"Read an OVMF/EDK2 variable store (OVMF_VARS*.fd; docs/varstore.md).\n"
		"  (no option)   list the live variables: name, GUID, attributes, size\n"
		"  --all         list every variable header, with its State\n"
		"  --get NAME    print that variable's data as hex\n"
		"  --guid GUID   its vendor GUID (default EFI_GLOBAL_VARIABLE,\n"
		"                8be4df61-93ca-11d2-aa0d-00e098032b8c)\n"
		"  --u64         print the data, exactly 8 bytes, as a little-endian\n"
		"                number (e.g. OsIndications: 0x4)\n"
		"Exit 0 found, 1 not found or not a valid store, 2 bad usage.\n");
}

/* Attributes as "NV|BS|RT", unknown bits as hex. */
static void print_attrs(uint32_t attrs)
{
	const char *sep = "";
	int n = 0;

	for (uint32_t bit = 1; bit != 0; bit <<= 1) {
		if ((attrs & bit) == 0)
			continue;
		if (varstore_attr_name(bit) != NULL)
			n += printf("%s%s", sep, varstore_attr_name(bit));
		else
			n += printf("%s0x%x", sep, bit);
		sep = "|";
	}
	if (attrs == 0)
		n += printf("-");
	printf("%*s", n < 12 ? 12 - n : 1, "");
}

static void print_var(const struct varstore_var *v, bool state)
{
	char g[EFI_GUID_STR_LEN + 1];
	const char *gname = varstore_guid_name(&v->guid);

	efi_guid_format(&v->guid, g);
	printf("  %-24s %s  ", v->name, g);
	print_attrs(v->attributes);
	printf("%8" PRIu32, v->data_size);
	if (state)
		printf("  0x%02x %s", v->state, varstore_state_name(v->state));
	if (gname != NULL)
		printf("  (%s)", gname);
	if (!v->name_ascii && v->name_size != 0)
		printf("  [name not plain ASCII]");
	printf("\n");
}

static void print_store(const char *path, const struct varstore *vs, bool all)
{
	struct varstore_var v;
	size_t cursor = 0;

	printf("%s: EDK2 variable store (%s variable headers), firmware volume %#" PRIx64
	       " bytes, store %#" PRIx32 " bytes at %#x, %u live variables in %u headers, "
	       "%#zx bytes free\n", path, vs->auth ? "authenticated" : "plain", vs->fv_length,
	       vs->store_size, vs->fv_header_length, vs->live, vs->headers,
	       vs->vars_end - vs->used_end);
	if ((all ? vs->headers : vs->live) == 0)
		return;
	printf("  %-24s %-36s  %-12s%8s%s\n", "NAME", "GUID", "ATTRIBUTES", "SIZE",
	       all ? "  STATE" : "");
	while ((all ? varstore_next_any(vs, &cursor, &v) : varstore_next(vs, &cursor, &v)) == 0)
		print_var(&v, all);
}

static void hexdump(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i += 16) {
		printf("%08zx ", i);
		for (size_t j = i; j < i + 16; j++)
			j < n ? printf(" %02x", b[j]) : printf("   ");
		printf("  |");
		for (size_t j = i; j < i + 16 && j < n; j++)
			putchar(b[j] >= 0x20 && b[j] < 0x7f ? b[j] : '.');
		printf("|\n");
	}
}

static int get_var(const struct varstore_opts *o, const struct varstore *vs)
{
	struct efi_guid g = VARSTORE_GLOBAL_VARIABLE_GUID;
	struct varstore_var v;
	uint64_t value = 0;

	if (o->guid != NULL && efi_guid_parse(o->guid, strlen(o->guid), &g) != 0) {
		fprintf(stderr, "%s: '%s' is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)\n",
			TOOL, o->guid);
		return 2;
	}
	if (varstore_find(vs, o->get, &g, &v) != 0) {
		char text[EFI_GUID_STR_LEN + 1];

		efi_guid_format(&g, text);
		fprintf(stderr, "%s: %s: no live variable %s under %s\n", TOOL, o->path, o->get,
			text);
		return 1;
	}
	if (!o->u64) {
		hexdump(v.data, v.data_size);
		return 0;
	}
	if (v.data_size != 8) {
		fprintf(stderr, "%s: %s: %s holds %" PRIu32 " bytes, not the 8 of a UINT64\n",
			TOOL, o->path, o->get, v.data_size);
		return 1;
	}
	for (int i = 7; i >= 0; i--)
		value = value << 8 | v.data[i];
	printf("%#" PRIx64 "\n", value);
	return 0;
}

static int parse_args(struct varstore_opts *o, int argc, char **argv)
{
	enum { GET = 256, GUID, U64, ALL };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "get", required_argument, NULL, GET },
		{ "guid", required_argument, NULL, GUID },
		{ "u64", no_argument, NULL, U64 },
		{ "all", no_argument, NULL, ALL },
		{ NULL, 0, NULL, 0 },
	};
	int c, li, at;
	char what[512];
	const char *extra;

	/* whole option names, arguments in order (tools/opts.h) */
	opts_begin();
	while ((c = opts_next(argc, argv, "-:h", opts, &li, &at)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case GET: o->get = optarg; break;
		case GUID: o->guid = optarg; break;
		case U64: o->u64 = true; break;
		case ALL: o->all = true; break;
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
	if (o->path == NULL || (o->get == NULL && (o->guid != NULL || o->u64)) ||
	    (o->get != NULL && o->all))
		return -1;
	return 0;
}

int varstore_tool_main(int argc, char **argv)
{
	struct varstore_opts o = { 0 };
	struct varstore vs;
	const char *why = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (parse_args(&o, argc, argv) != 0) {
		usage(stderr);
		return 2;
	}
	rc = handoff_read_file(o.path, &buf, &len);
	if (rc != 0) {
		fprintf(stderr, "%s: cannot read %s: %s\n", TOOL, o.path, strerror(-rc));
		return 1;
	}
	if (varstore_open(buf, len, &vs, &why) != 0) {
		fprintf(stderr, "%s: %s: not a valid variable store: %s (at offset %#zx)\n", TOOL,
			o.path, why, vs.bad_offset);
		free(buf);
		return 1;
	}
	if (o.get != NULL)
		rc = get_var(&o, &vs);
	else
		print_store(o.path, &vs, o.all);
	free(buf);
	return rc;
}
