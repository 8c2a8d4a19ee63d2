/*
 * `postmortem capsule check FILE` and `postmortem capsule make --guid G
 * [--flags F] -o FILE PAYLOAD` (interface and exit status:
 * tools/capsulecmd.h; what is checked and why: docs/capsule.md).
 *
 * check prints the header as decoded (GUID and its name, HeaderSize,
 * Flags by name, CapsuleImageSize against the file size, the FMP layout),
 * the name postmortem would stage the file under, and one verdict line:
 * "verdict: accepted" or "verdict: refused: <reason> (<numbers>)".  make
 * writes a 28-byte header and the payload unchecked, so tests can build
 * good and bad capsules alike.  Host only.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/capsule.h"
#include "formats/guid.h"
#include "tools/capsulecmd.h"
#include "tools/handoff.h"
#include "tools/opts.h"

#define TOOL "postmortem: capsule"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: postmortem capsule check FILE\n"
		"       postmortem capsule make --guid GUID [--flags FLAGS] -o FILE PAYLOAD\n"
		"\n"
		"check: print a capsule file's EFI_CAPSULE_HEADER (and FMP layout) and say\n"
		"whether capsule-on-disk can deliver it (docs/capsule.md); exit 0 accepted,\n"
		"1 refused or unreadable.\n"
		"make: write PAYLOAD behind a 28-byte EFI_CAPSULE_HEADER with CapsuleGuid\n"
		"GUID and Flags FLAGS (default 0x10000, PERSIST_ACROSS_RESET; any number\n"
		"strtoul takes), unchecked.\n");
}

/* Flags as "0x00050000 (PERSIST_ACROSS_RESET|INITIATE_RESET)". */
static void print_flags(uint32_t flags)
{
	const char *sep = "";

	printf("0x%08x (", flags);
	if (flags == 0)
		printf("none");
	if ((flags & CAPSULE_FLAGS_GUID_MASK) != 0) {
		printf("GUID-defined 0x%04x", flags & CAPSULE_FLAGS_GUID_MASK);
		sep = "|";
	}
	for (uint32_t bit = 0x10000; bit != 0; bit <<= 1) {
		if ((flags & bit) == 0)
			continue;
		if (capsule_flag_name(bit) != NULL)
			printf("%s%s", sep, capsule_flag_name(bit));
		else
			printf("%sundefined 0x%x", sep, bit);
		sep = "|";
	}
	printf(")");
}

static void print_header(const struct capsule_info *ci)
{
	char g[EFI_GUID_STR_LEN + 1];

	efi_guid_format(&ci->hdr.capsule_guid, g);
	printf("  CapsuleGuid       %s%s%s%s\n", g, ci->guid_name != NULL ? " (" : "",
	       ci->guid_name != NULL ? ci->guid_name : "", ci->guid_name != NULL ? ")" : "");
	printf("  HeaderSize        %u\n", ci->hdr.header_size);
	printf("  Flags             ");
	print_flags(ci->hdr.flags);
	printf("\n  CapsuleImageSize  %u (file: %llu bytes)\n", ci->hdr.capsule_image_size,
	       (unsigned long long)ci->file_size);
}

static void print_accepted(const struct capsule_info *ci)
{
	char g[EFI_GUID_STR_LEN + 1], name[CAPSULE_FILE_NAME_LEN + 1];

	if (ci->fmp) {
		efi_guid_format(&ci->target, g);
		printf("  FMP               %s%u payload(s), %u embedded driver(s); target %s\n",
		       ci->nested ? "nested, " : "", ci->fmp_payloads, ci->fmp_drivers, g);
		if (ci->fmp_drivers != 0)
			printf("  note: EDK2 runs embedded drivers only where "
			       "PcdCapsuleEmbeddedDriverSupport is set\n");
	}
	if (capsule_file_name(&ci->target, name, sizeof(name)) > 0)
		printf("  staged as         %s/%s\n", CAPSULE_DIRECTORY, name);
	printf("verdict: accepted\n");
}

/* The verdict and the numbers the reason speaks of. */
static void print_refused(const struct capsule_info *ci, const char *why)
{
	printf("verdict: refused: %s", why);
	switch (ci->refused) {
	case CAPSULE_PART_SIZE:
		if (ci->file_size < CAPSULE_HEADER_SIZE) {
			printf(" (file %llu bytes)", (unsigned long long)ci->file_size);
			break;
		}
		printf(" (HeaderSize %u, CapsuleImageSize %u, file %llu bytes)",
		       ci->hdr.header_size, ci->hdr.capsule_image_size,
		       (unsigned long long)ci->file_size);
		break;
	case CAPSULE_PART_FLAGS:
		printf(" (Flags 0x%08x)", ci->hdr.flags);
		break;
	case CAPSULE_PART_FMP:
		if (ci->fmp_drivers + ci->fmp_payloads > 0)
			printf(" (%u driver(s) + %u payload(s); item %u)", ci->fmp_drivers,
			       ci->fmp_payloads, ci->fmp_item);
		break;
	default:
		break;
	}
	printf("\n");
}

static int cmd_check(const char *path)
{
	struct capsule_info ci;
	const char *why = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	rc = handoff_read_file(path, &buf, &len);
	if (rc != 0) {
		fprintf(stderr, "%s: cannot read %s: %s\n", TOOL, path, strerror(-rc));
		return 1;
	}
	rc = capsule_check(buf, len, &ci, &why);
	free(buf);
	printf("%s: %llu bytes\n", path, (unsigned long long)len);
	if (len >= CAPSULE_HEADER_SIZE)
		print_header(&ci);
	if (rc == 0) {
		print_accepted(&ci);
		return 0;
	}
	print_refused(&ci, why != NULL ? why : "not a capsule");
	return 1;
}

static int write_capsule(const char *out, const struct efi_guid *g, uint32_t flags,
			 const uint8_t *body, size_t body_len)
{
	uint8_t hdr[CAPSULE_HEADER_SIZE];
	FILE *f;

	if (capsule_header_put(hdr, sizeof(hdr), g, flags, body_len) != 0) {
		fprintf(stderr, "%s: the payload (%zu bytes) does not fit CapsuleImageSize\n",
			TOOL, body_len);
		return 1;
	}
	f = fopen(out, "wb");
	if (f == NULL || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    fwrite(body, 1, body_len, f) != body_len || fclose(f) != 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", TOOL, out, strerror(errno));
		return 1;
	}
	printf("wrote %s: %zu bytes\n", out, sizeof(hdr) + body_len);
	return 0;
}

static int cmd_make(int argc, char **argv)
{
	enum { GUID = 256, FLAGS };
	static const struct option opts[] = {
		{ "guid", required_argument, NULL, GUID },
		{ "flags", required_argument, NULL, FLAGS },
		{ NULL, 0, NULL, 0 },
	};
	const char *guid = NULL, *out = NULL, *payload = NULL;
	unsigned long flags = CAPSULE_FLAGS_PERSIST_ACROSS_RESET;
	struct efi_guid g;
	uint8_t *body = NULL;
	size_t len = 0;
	char *end;
	int rc, c, li, at;
	char what[512];
	const char *extra;

	/* whole option names, arguments in order (tools/opts.h) */
	opts_begin();
	while ((c = opts_next(argc, argv, "-:o:", opts, &li, &at)) != -1) {
		switch (c) {
		case GUID: guid = optarg; break;
		case FLAGS:
			errno = 0;
			flags = strtoul(optarg, &end, 0);
			if (errno != 0 || *end != '\0' || end == optarg || flags > UINT32_MAX)
				return 2;
			break;
		case 'o': out = optarg; break;
		case ':':
			fprintf(stderr, "%s make: %s needs a value\n", TOOL,
				argv[at][1] == '-' ? argv[at] : "-o");
			return 2;
		case 1:
			if (optarg[0] != '-' && payload == NULL) {
				payload = optarg;
				break;
			}
			/* fall through - a second PAYLOAD, or "-" */
		default:	/* '?' */
			fprintf(stderr, "%s make: %s\n", TOOL,
				opts_what(argv, at, c, what, sizeof(what)));
			return 2;
		}
	}
	if ((extra = opts_rest(argc, argv, &payload)) != NULL) {	/* after "--" */
		fprintf(stderr, "%s make: unexpected argument '%s'\n", TOOL, extra);
		return 2;
	}
	if (guid == NULL || out == NULL || payload == NULL)
		return 2;
	if (efi_guid_parse(guid, strlen(guid), &g) != 0) {
		fprintf(stderr, "%s: '%s' is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)\n",
			TOOL, guid);
		return 2;
	}
	rc = handoff_read_file(payload, &body, &len);
	if (rc != 0) {
		fprintf(stderr, "%s: cannot read %s: %s\n", TOOL, payload, strerror(-rc));
		return 1;
	}
	rc = write_capsule(out, &g, (uint32_t)flags, body, len);
	free(body);
	return rc;
}

int capsule_tool_main(int argc, char **argv)
{
	int rc;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "check") == 0) {
		static const struct option none[] = { { NULL, 0, NULL, 0 } };
		int opt;

		/* No options; "--" goes before a FILE that starts with '-'; "-" is none */
		opterr = 0;
		optind = 0;
		opt = getopt_long(argc - 1, argv + 1, "+", none, NULL) != -1 ||
		      (optind == 1 && argc > 2 && strcmp(argv[2], "-") == 0);
		if (opt)
			fprintf(stderr, "%s check: unknown option '%s'\n", TOOL, argv[2]);
		if (!opt && optind == argc - 2)
			return cmd_check(argv[argc - 1]);
	}
	if (argc >= 2 && strcmp(argv[1], "make") == 0) {
		rc = cmd_make(argc - 1, argv + 1);
		if (rc != 2)
			return rc;
	}
	usage(stderr);
	return 2;
}
