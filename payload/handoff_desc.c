/*
 * Handoff description-file parser: one line of text into one struct
 * handoff_desc_line.  Syntax and interface: payload/handoff_desc.h.
 *
 * The text is hostile (fuzzed, and hand-written by people): it is never
 * read past len, numbers are checked for overflow and range, and a line is
 * either parsed whole or rejected with a sentence naming the word that is
 * wrong, quoted and cut short.  Words are split on spaces and tabs; the
 * first HANDOFF_DESC_MAX_WORDS are kept, with the count of all of them, so
 * "too many words" is an error too.  Pure code; messages are built into
 * out->error with formats/textbuf.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/textbuf.h"
#include "payload/handoff.h"
#include "payload/handoff_desc.h"

#define HANDOFF_DESC_MAX_WORDS	12
#define HANDOFF_DESC_QUOTE_MAX	32	/* characters of a word in a message */

struct desc_ctx {
	struct handoff_desc_text w[HANDOFF_DESC_MAX_WORDS];
	size_t n;			/* words on the line (may exceed the array) */
	const char *end;		/* end of the line, trailing blanks dropped */
	struct handoff_desc_line *out;
	struct textbuf err;		/* over out->error */
};

/* ---------------------------------------------------------------- messages */

static void desc_err(struct desc_ctx *c, const char *s)
{
	textbuf_add_part(&c->err, "%s", s);
}

/* Append 'word', cut to HANDOFF_DESC_QUOTE_MAX characters, '?' for unprintables. */
static void desc_err_word(struct desc_ctx *c, struct handoff_desc_text t)
{
	char q[HANDOFF_DESC_QUOTE_MAX + 6];
	size_t n = 0;

	q[n++] = '\'';
	for (size_t i = 0; i < t.len && i < HANDOFF_DESC_QUOTE_MAX; i++)
		q[n++] = (t.ptr[i] >= 0x20 && t.ptr[i] < 0x7f) ? t.ptr[i] : '?';
	if (t.len > HANDOFF_DESC_QUOTE_MAX) {
		memcpy(q + n, "...", 3);
		n += 3;
	}
	q[n++] = '\'';
	q[n] = '\0';
	desc_err(c, q);
}

/* "<keyword>: <s>" as the start of a message; returns -EINVAL to pass on. */
static int desc_fail(struct desc_ctx *c, const char *s)
{
	textbuf_init(&c->err, c->out->error, sizeof(c->out->error));
	if (c->n > 0 && c->w[0].len < 24) {
		struct handoff_desc_text k = c->w[0];
		char kw[24];

		memcpy(kw, k.ptr, k.len);
		kw[k.len] = '\0';
		desc_err(c, kw);
		desc_err(c, ": ");
	}
	desc_err(c, s);
	return -EINVAL;
}

/* "<keyword>: bad <what> 'word' (<hint>)". */
static int desc_bad(struct desc_ctx *c, size_t i, const char *what, const char *hint)
{
	desc_fail(c, "bad ");
	desc_err(c, what);
	desc_err(c, " ");
	desc_err_word(c, c->w[i]);
	desc_err(c, " (");
	desc_err(c, hint);
	desc_err(c, ")");
	return -EINVAL;
}

/* ------------------------------------------------------------------ values */

static bool desc_is(struct handoff_desc_text t, const char *lit)
{
	return t.len == strlen(lit) && memcmp(t.ptr, lit, t.len) == 0;
}

/* Digits of base 10 or 16 with an optional K/M/G/T suffix; false on junk or overflow. */
static bool desc_parse_u64(struct handoff_desc_text t, uint64_t *v)
{
	const char *p = t.ptr, *e = t.ptr + t.len;
	unsigned base = 10, shift = 0;
	uint64_t x = 0;

	if (e - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (p < e && base == 10) {
		const char *sfx = memchr("KMGT", e[-1], 4);

		if (sfx != NULL) {
			shift = 10 * (unsigned)(sfx - "KMGT" + 1);
			e--;
		}
	}
	if (p == e)
		return false;
	for (; p < e; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f'))
			d = (unsigned)((*p | 0x20) - 'a' + 10);
		else
			return false;
		if (x > (UINT64_MAX - d) / base)
			return false;
		x = x * base + d;
	}
	if (shift != 0 && x > (UINT64_MAX >> shift))
		return false;
	*v = x << shift;
	return true;
}

#define DESC_NUM_HINT "a number: 4096, 0x1000, 4K"

static int desc_u64(struct desc_ctx *c, size_t i, const char *what, uint64_t *v)
{
	return desc_parse_u64(c->w[i], v) ? 0 : desc_bad(c, i, what, DESC_NUM_HINT);
}

static int desc_u32(struct desc_ctx *c, size_t i, const char *what, uint32_t *v)
{
	uint64_t x;

	if (!desc_parse_u64(c->w[i], &x) || x > UINT32_MAX)
		return desc_bad(c, i, what, "a number below 2^32");
	*v = (uint32_t)x;
	return 0;
}

/* A GUID as text or a well-known name. */
static int desc_guid(struct desc_ctx *c, size_t i, const char *what, uint8_t g[16])
{
	if (handoff_guid_parse(c->w[i].ptr, c->w[i].len, g) == 0 ||
	    handoff_guid_by_name(c->w[i].ptr, c->w[i].len, g) == 0)
		return 0;
	return desc_bad(c, i, what, "8-4-4-4-12 hex digits, or acpi20, smbios3, esrt, ...");
}

/*
 * A type given as a number below 2^32 or as one of the names name_of(t)
 * returns for t in [0, max); e.g. EFI memory types and e820 types.
 */
static int desc_named(struct desc_ctx *c, size_t i, const char *what, const char *hint,
		      const char *(*name_of)(uint32_t), uint32_t first, uint32_t last,
		      uint32_t *type)
{
	uint64_t x;

	for (uint32_t t = first; t <= last; t++) {
		const char *name = name_of(t);

		if (name != NULL && desc_is(c->w[i], name)) {
			*type = t;
			return 0;
		}
	}
	if (desc_parse_u64(c->w[i], &x) && x <= UINT32_MAX) {
		*type = (uint32_t)x;
		return 0;
	}
	return desc_bad(c, i, what, hint);
}

static int desc_efi_type(struct desc_ctx *c, size_t i, uint32_t *type)
{
	return desc_named(c, i, "EFI memory type",
			  "a number or conventional, boot-data, runtime-code, ...",
			  handoff_efi_type_name, 0, 15, type);
}

static int desc_e820_type(struct desc_ctx *c, size_t i, uint32_t *type)
{
	if (desc_is(c->w[i], "soft-reserved")) {
		*type = HANDOFF_E820_SOFT_RESERVED;
		return 0;
	}
	return desc_named(c, i, "e820 type", "a number or ram, reserved, acpi, nvs, ...",
			  handoff_e820_type_name, HANDOFF_E820_RAM, HANDOFF_E820_PRAM, type);
}

/* ESRT FwType names (UEFI 2.10 section 23.4). */
static const char *desc_fw_type_name(uint32_t t)
{
	static const char names[][8] = { "unknown", "system", "device", "driver" };

	return t < 4 ? names[t] : NULL;
}

/* A word count the keyword accepts. */
static int desc_words(struct desc_ctx *c, size_t min, size_t max, const char *usage)
{
	if (c->n >= min && c->n <= max)
		return 0;
	desc_fail(c, c->n < min ? "too few words; usage: " : "too many words; usage: ");
	desc_err(c, usage);
	return -EINVAL;
}

/* From word i to the end of the line (trailing blanks already dropped). */
static struct handoff_desc_text desc_rest(const struct desc_ctx *c, size_t i)
{
	struct handoff_desc_text t = { c->w[i].ptr, (size_t)(c->end - c->w[i].ptr) };

	return t;
}

/* Copy text into a fixed NUL-padded field; it may fill the field exactly. */
static int desc_fixed(struct desc_ctx *c, struct handoff_desc_text t, char *dst,
		      size_t width, const char *what)
{
	if (t.len > width) {
		desc_fail(c, what);
		desc_err(c, " is longer than the field");
		return -EINVAL;
	}
	memset(dst, 0, width);
	memcpy(dst, t.ptr, t.len);
	return 0;
}

/* start + size must not pass 2^64 (size 0 is allowed only when zero_ok). */
static int desc_range(struct desc_ctx *c, uint64_t start, uint64_t size, bool zero_ok)
{
	if (size == 0 && !zero_ok)
		return desc_fail(c, "size is 0");
	if (size != 0 && size - 1 > UINT64_MAX - start)
		return desc_fail(c, "range wraps past 2^64");
	return 0;
}

/* ---------------------------------------------------------------- keywords */

static int desc_efi_mmap(struct desc_ctx *c)
{
	struct handoff_efi_memory_descriptor *d = &c->out->efi_md;

	if (desc_words(c, 5, 5, "efi-mmap <type> <phys-start> <pages> <attr>") ||
	    desc_efi_type(c, 1, &d->type) ||
	    desc_u64(c, 2, "phys-start", &d->physical_start) ||
	    desc_u64(c, 3, "pages", &d->number_of_pages) ||
	    desc_u64(c, 4, "attr", &d->attribute))
		return -EINVAL;
	if (d->physical_start % HANDOFF_EFI_PAGE_SIZE != 0)
		return desc_fail(c, "phys-start is not 4 KiB aligned");
	if (d->number_of_pages > UINT64_MAX / HANDOFF_EFI_PAGE_SIZE)
		return desc_fail(c, "range wraps past 2^64");
	return desc_range(c, d->physical_start, d->number_of_pages * HANDOFF_EFI_PAGE_SIZE, true);
}

static int desc_memmap(struct desc_ctx *c)
{
	struct handoff_memmap_entry *e = &c->out->memmap;

	if (desc_words(c, 4, 4, "memmap <start> <size> <e820-type>") ||
	    desc_u64(c, 1, "start", &e->start) || desc_u64(c, 2, "size", &e->size) ||
	    desc_e820_type(c, 3, &e->type))
		return -EINVAL;
	return desc_range(c, e->start, e->size, false);
}

/* UEFI revisions: "2.70" or "2.7" = (2 << 16) | 70, or a plain number. */
static int desc_revision(struct desc_ctx *c, size_t i, uint32_t *rev)
{
	struct handoff_desc_text t = c->w[i], major, minor;
	const char *dot = memchr(t.ptr, '.', t.len);
	uint64_t ma, mi;

	if (dot == NULL)
		return desc_u32(c, i, "revision", rev);
	major.ptr = t.ptr;
	major.len = (size_t)(dot - t.ptr);
	minor.ptr = dot + 1;
	minor.len = t.len - major.len - 1;
	if (minor.len < 1 || minor.len > 2 || !desc_parse_u64(major, &ma) || !desc_parse_u64(minor, &mi) || ma > 0xffff ||
	    (minor.len == 2 && mi > 99))
		return desc_bad(c, i, "revision", "2.70, 2.7 or a number");
	*rev = (uint32_t)(ma << 16 | (minor.len == 1 ? mi * 10 : mi));
	return 0;
}

/* One key=value word of systab: 0 used, 1 not a key (vendor text starts). */
static int desc_systab_key(struct desc_ctx *c, size_t i, struct handoff_efi_systab *s)
{
	struct handoff_desc_text t = c->w[i], v;
	const char *eq = memchr(t.ptr, '=', t.len);
	uint64_t x;

	if (eq == NULL)
		return 1;
	t.len = (size_t)(eq - t.ptr);
	v.ptr = eq + 1;
	v.len = (size_t)(c->w[i].ptr + c->w[i].len - v.ptr);
	if (!desc_parse_u64(v, &x))
		return desc_bad(c, i, "value", DESC_NUM_HINT);
	if (desc_is(t, "runtime"))
		s->runtime_services = x;
	else if (desc_is(t, "config-table"))
		s->config_table_addr = x;
	else if (desc_is(t, "config-count"))
		s->config_table_count = x;
	else if (desc_is(t, "vendor-addr"))
		s->fw_vendor_addr = x;
	else if (desc_is(t, "fw-revision") && x <= UINT32_MAX)
		s->fw_revision = (uint32_t)x;
	else if (desc_is(t, "platform") && (x == 32 || x == 64))
		s->platform_bits = (uint32_t)x;
	else
		return desc_bad(c, i, "key", "runtime=, config-table=, config-count=, "
				"vendor-addr=, fw-revision=<u32>, platform=32|64");
	return 0;
}

static int desc_systab(struct desc_ctx *c)
{
	struct handoff_efi_systab *s = &c->out->systab;
	struct handoff_desc_text vendor = { "", 0 };
	size_t i;
	int r = 0;

	if (desc_words(c, 3, SIZE_MAX, "systab <addr> <revision> [key=value ...] [<vendor>]") ||
	    desc_u64(c, 1, "addr", &s->systab_addr) || desc_revision(c, 2, &s->revision))
		return -EINVAL;
	for (i = 3; i < c->n && i < HANDOFF_DESC_MAX_WORDS; i++) {
		r = desc_systab_key(c, i, s);
		if (r < 0)
			return r;
		if (r > 0)
			break;
	}
	if (i < c->n) {
		if (i >= HANDOFF_DESC_MAX_WORDS)
			return desc_fail(c, "too many key=value words");
		vendor = desc_rest(c, i);
	}
	return desc_fixed(c, vendor, s->fw_vendor, sizeof(s->fw_vendor), "vendor");
}

static int desc_config_table(struct desc_ctx *c)
{
	struct handoff_config_table *t = &c->out->table;

	if (desc_words(c, 3, 3, "config-table <guid> <addr>") ||
	    desc_guid(c, 1, "GUID", t->guid) || desc_u64(c, 2, "addr", &t->table))
		return -EINVAL;
	return 0;
}

static int desc_esrt_entry(struct desc_ctx *c)
{
	struct handoff_esrt_entry *e = &c->out->esrt;

	if (desc_words(c, 8, 10, "esrt-entry <fw-class-guid> <type> <version> <lowest> "
		       "<flags> <last-version> <last-status> [at <addr>]") ||
	    desc_guid(c, 1, "fw-class GUID", e->fw_class) ||
	    desc_named(c, 2, "type", "a number or unknown, system, device, driver",
		       desc_fw_type_name, 0, 3, &e->fw_type) ||
	    desc_u32(c, 3, "version", &e->fw_version) ||
	    desc_u32(c, 4, "lowest", &e->lowest_supported_fw_version) ||
	    desc_u32(c, 5, "flags", &e->capsule_flags) ||
	    desc_u32(c, 6, "last-version", &e->last_attempt_version) ||
	    desc_u32(c, 7, "last-status", &e->last_attempt_status))
		return -EINVAL;
	if (c->n == 8)
		return 0;
	if (c->n != 10 || !desc_is(c->w[8], "at"))
		return desc_fail(c, "after the 7 values only \"at <esrt-addr>\" may follow");
	c->out->esrt_at = true;
	return desc_u64(c, 9, "ESRT address", &c->out->esrt_addr);
}

static int desc_runtime_map(struct desc_ctx *c)
{
	struct handoff_runtime_entry *e = &c->out->runtime;

	if (desc_words(c, 6, 6, "runtime-map <type> <phys> <virt> <pages> <attr>") ||
	    desc_efi_type(c, 1, &e->type) || desc_u64(c, 2, "phys", &e->phys_addr) ||
	    desc_u64(c, 3, "virt", &e->virt_addr) || desc_u64(c, 4, "pages", &e->num_pages) ||
	    desc_u64(c, 5, "attr", &e->attribute))
		return -EINVAL;
	if (e->num_pages > UINT64_MAX / HANDOFF_EFI_PAGE_SIZE)
		return desc_fail(c, "range wraps past 2^64");
	return desc_range(c, e->phys_addr, e->num_pages * HANDOFF_EFI_PAGE_SIZE, true);
}

static int desc_dump_range(struct desc_ctx *c)
{
	struct handoff_dump_range *r = &c->out->range;

	if (desc_words(c, 3, 3, "dump-range <start> <size>") ||
	    desc_u64(c, 1, "start", &r->start) || desc_u64(c, 2, "size", &r->size))
		return -EINVAL;
	return desc_range(c, r->start, r->size, false);
}

/* capsule, vmcoreinfo, cpu-notes: one file name. */
static int desc_file(struct desc_ctx *c, const char *usage)
{
	if (desc_words(c, 2, 2, usage))
		return -EINVAL;
	c->out->text = c->w[1];
	return 0;
}

static int desc_rsdp(struct desc_ctx *c)
{
	if (desc_words(c, 2, 3, "rsdp <addr> [<file>]") ||
	    desc_u64(c, 1, "addr", &c->out->addr))
		return -EINVAL;
	if (c->n == 3)
		c->out->text = c->w[2];
	return 0;
}

static int desc_smbios(struct desc_ctx *c)
{
	if (desc_words(c, 4, 4, "smbios <entry-point-addr> <entry-point-file> <table-file>") ||
	    desc_u64(c, 1, "entry-point address", &c->out->addr))
		return -EINVAL;
	c->out->text = c->w[2];
	c->out->text2 = c->w[3];
	return 0;
}

static int desc_table_copy(struct desc_ctx *c)
{
	struct handoff_config_table *t = &c->out->table;

	if (desc_words(c, 4, 4, "table-copy <guid> <addr> <file>") ||
	    desc_guid(c, 1, "GUID", t->guid) || desc_u64(c, 2, "addr", &t->table))
		return -EINVAL;
	c->out->text = c->w[3];
	return 0;
}

static int desc_creator(struct desc_ctx *c)
{
	struct handoff_creator *k = &c->out->creator;

	if (desc_words(c, 3, 3, "creator <host> <release>") ||
	    desc_fixed(c, c->w[1], k->host, sizeof(k->host), "host") ||
	    desc_fixed(c, c->w[2], k->release, sizeof(k->release), "release"))
		return -EINVAL;
	return 0;
}

/* ---------------------------------------------------------------- dispatch */

static const struct {
	char name[13];
	uint8_t kind;
} desc_keywords[] = {
	{ "efi-mmap", HANDOFF_DESC_EFI_MMAP },
	{ "memmap", HANDOFF_DESC_MEMMAP },
	{ "systab", HANDOFF_DESC_SYSTAB },
	{ "config-table", HANDOFF_DESC_CONFIG_TABLE },
	{ "esrt-entry", HANDOFF_DESC_ESRT_ENTRY },
	{ "runtime-map", HANDOFF_DESC_RUNTIME_MAP },
	{ "dump-range", HANDOFF_DESC_DUMP_RANGE },
	{ "cmdline", HANDOFF_DESC_CMDLINE },
	{ "capsule", HANDOFF_DESC_CAPSULE },
	{ "vmcoreinfo", HANDOFF_DESC_VMCOREINFO },
	{ "cpu-notes", HANDOFF_DESC_CPU_NOTES },
	{ "rsdp", HANDOFF_DESC_RSDP },
	{ "smbios", HANDOFF_DESC_SMBIOS },
	{ "table-copy", HANDOFF_DESC_TABLE_COPY },
	{ "creator", HANDOFF_DESC_CREATOR },
};

static int desc_dispatch(struct desc_ctx *c, enum handoff_desc_kind kind)
{
	switch (kind) {
	case HANDOFF_DESC_EFI_MMAP:	return desc_efi_mmap(c);
	case HANDOFF_DESC_MEMMAP:	return desc_memmap(c);
	case HANDOFF_DESC_SYSTAB:	return desc_systab(c);
	case HANDOFF_DESC_CONFIG_TABLE:	return desc_config_table(c);
	case HANDOFF_DESC_ESRT_ENTRY:	return desc_esrt_entry(c);
	case HANDOFF_DESC_RUNTIME_MAP:	return desc_runtime_map(c);
	case HANDOFF_DESC_DUMP_RANGE:	return desc_dump_range(c);
	case HANDOFF_DESC_CMDLINE:
		if (desc_words(c, 2, SIZE_MAX, "cmdline <text>"))
			return -EINVAL;
		c->out->text = desc_rest(c, 1);
		return 0;
	case HANDOFF_DESC_CAPSULE:	return desc_file(c, "capsule <file>");
	case HANDOFF_DESC_VMCOREINFO:	return desc_file(c, "vmcoreinfo <file>");
	case HANDOFF_DESC_CPU_NOTES:	return desc_file(c, "cpu-notes <file>");
	case HANDOFF_DESC_RSDP:		return desc_rsdp(c);
	case HANDOFF_DESC_SMBIOS:	return desc_smbios(c);
	case HANDOFF_DESC_TABLE_COPY:	return desc_table_copy(c);
	case HANDOFF_DESC_CREATOR:	return desc_creator(c);
	default:			return 0;
	}
}

static bool desc_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Split into words; c->end is the end of the last word. */
static void desc_split(struct desc_ctx *c, const char *line, size_t len)
{
	const char *p = line, *e = line + len;

	c->end = line;
	while (p < e) {
		const char *s;

		while (p < e && desc_blank(*p))
			p++;
		if (p == e)
			break;
		s = p;
		while (p < e && !desc_blank(*p))
			p++;
		if (c->n < HANDOFF_DESC_MAX_WORDS) {
			c->w[c->n].ptr = s;
			c->w[c->n].len = (size_t)(p - s);
		}
		c->n++;
		c->end = p;
	}
}

int handoff_desc_parse_line(const char *line, size_t len, struct handoff_desc_line *out)
{
	struct desc_ctx c;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.out = out;
	if (line == NULL && len > 0)
		return desc_fail(&c, "no line (NULL)");
	if (len > 0 && memchr(line, '\0', len) != NULL)
		return desc_fail(&c, "the line holds a NUL byte");
	desc_split(&c, line, len);
	if (c.n == 0 || c.w[0].ptr[0] == '#')
		return 0;
	for (size_t k = 0; k < sizeof(desc_keywords) / sizeof(desc_keywords[0]); k++) {
		if (!desc_is(c.w[0], desc_keywords[k].name))
			continue;
		r = desc_dispatch(&c, (enum handoff_desc_kind)desc_keywords[k].kind);
		if (r == 0)
			out->kind = (enum handoff_desc_kind)desc_keywords[k].kind;
		return r;
	}
	c.n = 0;	/* no "keyword: " prefix for an unknown keyword */
	desc_fail(&c, "unknown keyword ");
	desc_err_word(&c, c.w[0]);
	desc_err(&c, " (efi-mmap, memmap, systab, config-table, esrt-entry, ...)");
	return -EINVAL;
}
