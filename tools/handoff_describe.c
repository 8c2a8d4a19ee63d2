/*
 * `postmortem handoff create --describe FILE`: a description file's lines,
 * parsed by the pure payload/handoff_desc.c, applied to a struct
 * handoff_plan.  Interface: tools/handoff.h; syntax: docs/handoff.md.
 *
 * Host only.  Every bad line is reported as "file:line: what" before the
 * command gives up (all of them, not just the first), and files a line
 * names are read relative to the description file's directory.  A keyword
 * that names one thing (systab, capsule, rsdp, ...) keeps its last line;
 * list keywords (efi-mmap, esrt-entry, dump-range, ...) add an entry each;
 * cmdline lines are joined with spaces.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payload/handoff.h"
#include "payload/handoff_desc.h"
#include "tools/handoff.h"

#define TOOL "postmortem: handoff"

/* "dir of base" + name, unless name is absolute; malloc'd. */
static char *path_near(const char *base, const struct handoff_desc_text *name)
{
	const char *slash = strrchr(base, '/');
	size_t dl = (name->len > 0 && name->ptr[0] == '/') || slash == NULL
		    ? 0 : (size_t)(slash - base) + 1;
	char *p = malloc(dl + name->len + 1);

	if (p == NULL)
		exit(1);
	memcpy(p, base, dl);
	memcpy(p + dl, name->ptr, name->len);
	p[dl + name->len] = '\0';
	return p;
}

/* Read the file a description line names; prints "file:line: ..." on failure. */
static int read_named(const char *desc, size_t line, const struct handoff_desc_text *name,
		      uint8_t **buf, size_t *len)
{
	char *path = path_near(desc, name);
	int r = handoff_read_file(path, buf, len);

	if (r != 0)
		fprintf(stderr, "%s:%zu: cannot read %s: %s\n", desc, line, path, strerror(-r));
	free(path);
	return r;
}

/* SMBIOS from two files; the table address comes from the entry point. */
static int apply_smbios(struct handoff_plan *p, const struct handoff_desc_line *d,
			const char *desc, size_t line)
{
	uint64_t size;

	free(p->smbios_ep);
	free(p->smbios_table);
	p->smbios_ep = p->smbios_table = NULL;
	if (read_named(desc, line, &d->text, &p->smbios_ep, &p->smbios_ep_len) != 0 ||
	    read_named(desc, line, &d->text2, &p->smbios_table, &p->smbios_table_len) != 0)
		return -EINVAL;
	if (!handoff_smbios_table_of(p->smbios_ep, p->smbios_ep_len, &p->smbios_table_addr, &size)) {
		fprintf(stderr, "%s:%zu: smbios: %.*s is not an SMBIOS entry point "
			"(no \"_SM_\" or \"_SM3_\" anchor)\n", desc, line,
			(int)d->text.len, d->text.ptr);
		return -EINVAL;
	}
	p->have_smbios = true;
	p->smbios_ep_addr = d->addr;
	return 0;
}

/* Files named by a line: capsule, vmcoreinfo, cpu-notes, rsdp, table-copy. */
static int apply_file(struct handoff_plan *p, const struct handoff_desc_line *d,
		      const char *desc, size_t line)
{
	struct handoff_plan_copy c;
	uint8_t *b = NULL;
	size_t n = 0;

	if (d->text.len > 0 && read_named(desc, line, &d->text, &b, &n) != 0)
		return -EINVAL;
	switch (d->kind) {
	case HANDOFF_DESC_CAPSULE:
		free(p->capsule);
		p->capsule = b;
		p->capsule_len = n;
		return 0;
	case HANDOFF_DESC_VMCOREINFO:
		free(p->vmcoreinfo);
		p->have_vmcoreinfo = true;
		p->vmcoreinfo = b;
		p->vmcoreinfo_len = n;
		return 0;
	case HANDOFF_DESC_CPU_NOTES:
		free(p->notes);
		p->notes = b;
		p->notes_len = n;
		return 0;
	case HANDOFF_DESC_RSDP:
		free(p->rsdp);
		p->have_rsdp = true;
		p->rsdp_addr = d->addr;
		p->rsdp = b;
		p->rsdp_len = n;
		return 0;
	default:	/* HANDOFF_DESC_TABLE_COPY */
		memcpy(c.guid, d->table.guid, sizeof(c.guid));
		c.address = d->table.table;
		c.bytes = b;
		c.len = n;
		handoff_plan_push(&p->copies, &p->n_copies, sizeof(c), &c);
		return 0;
	}
}

static int apply_line(struct handoff_plan *p, const struct handoff_desc_line *d,
		      const char *desc, size_t line)
{
	switch (d->kind) {
	case HANDOFF_DESC_EMPTY:
		return 0;
	case HANDOFF_DESC_EFI_MMAP:
		handoff_plan_push(&p->efi_md, &p->n_efi_md, sizeof(d->efi_md), &d->efi_md);
		return 0;
	case HANDOFF_DESC_MEMMAP:
		handoff_plan_push(&p->memmap, &p->n_memmap, sizeof(d->memmap), &d->memmap);
		return 0;
	case HANDOFF_DESC_SYSTAB:
		p->have_systab = true;
		p->systab = d->systab;
		return 0;
	case HANDOFF_DESC_CONFIG_TABLE:
		handoff_plan_push(&p->tables, &p->n_tables, sizeof(d->table), &d->table);
		return 0;
	case HANDOFF_DESC_ESRT_ENTRY:
		p->have_esrt = true;
		if (d->esrt_at)
			p->esrt_addr = d->esrt_addr;
		handoff_plan_push(&p->esrt, &p->n_esrt, sizeof(d->esrt), &d->esrt);
		return 0;
	case HANDOFF_DESC_RUNTIME_MAP:
		handoff_plan_push(&p->runtime, &p->n_runtime, sizeof(d->runtime), &d->runtime);
		return 0;
	case HANDOFF_DESC_DUMP_RANGE:
		handoff_plan_push(&p->ranges, &p->n_ranges, sizeof(d->range), &d->range);
		return 0;
	case HANDOFF_DESC_CMDLINE:
		handoff_plan_cmdline(p, d->text.ptr, d->text.len);
		return 0;
	case HANDOFF_DESC_SMBIOS:
		return apply_smbios(p, d, desc, line);
	case HANDOFF_DESC_CREATOR:
		p->creator_set = true;
		memcpy(p->creator.host, d->creator.host, sizeof(p->creator.host));
		memcpy(p->creator.release, d->creator.release, sizeof(p->creator.release));
		return 0;
	default:
		return apply_file(p, d, desc, line);
	}
}

int handoff_describe_load(const char *path, struct handoff_plan *p)
{
	struct handoff_desc_line d;
	uint8_t *text;
	size_t len, line = 0, bad = 0;
	int r = handoff_read_file(path, &text, &len);
	const char *s, *end;

	if (r != 0) {
		fprintf(stderr, "%s: cannot read %s: %s\n", TOOL, path, strerror(-r));
		return r;
	}
	for (s = (const char *)text, end = s + len; s < end; ) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);

		line++;
		if (handoff_desc_parse_line(s, n, &d) != 0) {
			fprintf(stderr, "%s:%zu: %s\n", path, line, d.error);
			bad++;
		} else if (apply_line(p, &d, path, line) != 0) {
			bad++;
		}
		s += n + 1;
	}
	free(text);
	return bad ? -EINVAL : 0;
}

