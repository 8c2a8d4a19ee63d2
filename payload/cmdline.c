/*
 * Kernel command line parser; see cmdline.h for the options and rules.
 * This file splits the line into words, finds each option in the table
 * and reports problems; payload/cmdline_opts.c parses each option's value
 * (payload/cmdline_impl.h is what the two share).
 *
 * The line comes from whoever booted us (kexec-tools, kexec_file_load,
 * GRUB, QEMU -append, or a user copying /proc/cmdline), so it is read as
 * hostile text: never past len or the first NUL, every number checked
 * for overflow, every option parsed into locals and committed only when
 * the whole value is good.  The source text is never modified; words
 * and values are (pointer, length) spans into it.
 *
 * Quotes follow Linux's next_arg() (lib/cmdline.c): a '"' toggles
 * quoting while a word is scanned; afterwards one leading '"' of the
 * word, or of its value, is dropped together with a final '"'.
 *
 * Warnings are built by hand (no snprintf in the kernel): fixed
 * CMDLINE_WARNING_LEN buffers, quoted text cut to CMDLINE_QUOTE_MAX
 * characters with "...", unprintable bytes shown as '?'.
 *
 * Pure code: kernel, host tool and tests; freestanding headers only.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/textbuf.h"
#include "payload/cmdline.h"
#include "payload/cmdline_impl.h"

#define CMDLINE_QUOTE_MAX	36	/* characters of user text in a warning */

/* Our options.  A switch dispatches on id, so the table needs no relocations. */
static const struct cmdline_option {
	char name[14];
	uint8_t id;
	bool flag;			/* a bare word; a value is an error */
} cmdline_options[] = {
	{ "console", CMDLINE_OPT_CONSOLE, false },
	{ "dump", CMDLINE_OPT_DUMP, false },
	{ "after", CMDLINE_OPT_AFTER, false },
	{ "elfcorehdr", CMDLINE_OPT_ELFCOREHDR, false },
	{ "memmap", CMDLINE_OPT_MEMMAP, false },
	{ "acpi_rsdp", CMDLINE_OPT_ACPI_RSDP, false },
	{ "handoff", CMDLINE_OPT_HANDOFF, false },
	{ "pm.test", CMDLINE_OPT_PM_TEST, false },
	{ "pm.inventory", CMDLINE_OPT_PM_INVENTORY, true },
	{ "pm.zero", CMDLINE_OPT_PM_ZERO, false },
	{ "pm.bench", CMDLINE_OPT_PM_BENCH, false },
	{ "pm.fatpart", CMDLINE_OPT_PM_FATPART, false },
	{ "dump.format", CMDLINE_OPT_DUMP_FORMAT, false },
	{ "dump.level", CMDLINE_OPT_DUMP_LEVEL, false },
	{ "dump.compress", CMDLINE_OPT_DUMP_COMPRESS, false },
	{ "dump.encrypt", CMDLINE_OPT_DUMP_ENCRYPT, false },
	{ "smp", CMDLINE_OPT_SMP, false },
};

/*
 * Linux and kdump options we accept silently, by key (the text before any
 * '=').  A name ending in '.' matches every key that starts with it.
 */
static const char cmdline_ignored_keys[][24] = {
	/* kdump's usual additions (kexec-tools, kdump-tools, RHEL kdump) */
	"irqpoll", "nr_cpus", "maxcpus", "reset_devices", "cgroup_disable",
	"mce", "numa", "udev.", "panic", "acpi_no_memhotplug",
	"transparent_hugepage", "nokaslr", "novmcoredd", "hest_disable",
	"disable_cpu_apicid", "nousb", "rootflags",
	/* copied from the crashed kernel's own command line */
	"root", "ro", "rw", "quiet", "splash", "rhgb", "BOOT_IMAGE", "initrd",
	"crashkernel", "loglevel", "earlyprintk", "earlycon", "noefi", "efi",
	"nosmp", "noapic", "iommu", "intel_iommu", "amd_iommu", "pcie_aspm",
	"systemd.", "rd.", "init", "resume", "rootfstype", "rootwait",
	"nmi_watchdog", "mem", "audit", "selinux", "apparmor", "security",
	"mitigations", "nomodeset", "printk.", "ignore_loglevel", "log_buf_len",
	"vconsole.",
	/* kexec-tools' purgatory entered by Xen's kexec_reloc, which calls it:
	 * it takes the return address for a jump-back entry (docs/xen.md) */
	"kexec_jump_back_entry",
};

static bool cmdline_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool cmdline_span_is(struct cmdline_span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* Length of a name in a fixed-width table: a full-width one has no NUL. */
static size_t cmdline_name_len(const char *name, size_t width)
{
	const char *nul = memchr(name, '\0', width);

	return nul ? (size_t)(nul - name) : width;
}

/* Split s at the first c: head before, tail after; false if there is none. */
bool cmdline_split_at(struct cmdline_span s, char c, struct cmdline_span *head,
			     struct cmdline_span *tail)
{
	const char *at = s.n ? memchr(s.p, c, s.n) : NULL;

	*head = s;
	tail->p = s.p + s.n;
	tail->n = 0;
	if (at == NULL)
		return false;
	head->n = (size_t)(at - s.p);
	tail->p = at + 1;
	tail->n = s.n - head->n - 1;
	return true;
}

/* Drop one leading '"' and, if one is left at the end, the final '"'. */
static struct cmdline_span cmdline_unquote(struct cmdline_span s)
{
	if (s.n > 0 && s.p[0] == '"') {
		s.p++;
		s.n--;
		if (s.n > 0 && s.p[s.n - 1] == '"')
			s.n--;
	}
	return s;
}

/* ------------------------------------------------------------ numbers */

/* Digits in base 10 or 16 at s[0..len); -EINVAL if none, -ERANGE on overflow. */
int cmdline_digits(const char *s, size_t len, unsigned base, uint64_t *out,
			  size_t *used)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (i == 0)
		return -EINVAL;
	*out = v;
	*used = i;
	return 0;
}

/* A 0x prefix counts only when a hex digit follows, as in Linux. */
bool cmdline_hex_prefix(const char *s, size_t len)
{
	if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	return (s[2] >= '0' && s[2] <= '9') || (s[2] >= 'a' && s[2] <= 'f') ||
	       (s[2] >= 'A' && s[2] <= 'F');
}

int cmdline_memparse(const char *s, size_t len, uint64_t *out, size_t *used)
{
	static const char suffixes[] = "KMGTPE";
	size_t skip = 0, n = 0;
	uint64_t v = 0;
	int rc;

	*out = 0;
	*used = 0;
	if (s == NULL)
		return -EINVAL;
	if (cmdline_hex_prefix(s, len))
		skip = 2;
	rc = cmdline_digits(s + skip, len - skip, skip ? 16 : 10, &v, &n);
	if (rc != 0)
		return rc;
	n += skip;
	if (n < len) {
		char c = (s[n] >= 'a' && s[n] <= 'z') ? (char)(s[n] - 'a' + 'A') : s[n];
		const char *at = c ? strchr(suffixes, c) : NULL;

		if (at != NULL) {
			unsigned shift = 10u * (unsigned)(at - suffixes + 1);

			if (v > (UINT64_MAX >> shift))
				return -ERANGE;
			v <<= shift;
			n++;
		}
	}
	*out = v;
	*used = n;
	return 0;
}

/* The whole of s must be one memparse value. */
int cmdline_memparse_all(struct cmdline_span s, uint64_t *v)
{
	size_t used;
	int rc = cmdline_memparse(s.p, s.n, v, &used);

	if (rc == 0 && used != s.n)
		rc = -EINVAL;
	return rc;
}

/* ------------------------------------------------------------ warnings */

/* Claim the next warning line, or count it as dropped. */
static bool cmdline_msg_begin(struct cmdline *out, struct textbuf *m)
{
	if (out->n_warnings >= CMDLINE_MAX_WARNINGS) {
		out->n_dropped_warnings++;
		return false;
	}
	textbuf_init(m, out->warnings[out->n_warnings++], CMDLINE_WARNING_LEN);
	return true;
}

/* Append n bytes, unprintable ones as '?'; stops at the buffer's end. */
static void cmdline_msg_add(struct textbuf *m, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char out = (c >= 0x20 && c < 0x7f) ? (char)c : '?';

		if (!textbuf_put(m, &out, 1))
			break;
	}
}

static void cmdline_msg_str(struct textbuf *m, const char *s)
{
	cmdline_msg_add(m, s, strlen(s));
}

/* Append 'text', cut to CMDLINE_QUOTE_MAX characters with "...". */
static void cmdline_msg_quote(struct textbuf *m, struct cmdline_span t)
{
	cmdline_msg_str(m, "'");
	if (t.n <= CMDLINE_QUOTE_MAX) {
		cmdline_msg_add(m, t.p, t.n);
	} else {
		cmdline_msg_add(m, t.p, CMDLINE_QUOTE_MAX - 3);
		cmdline_msg_str(m, "...");
	}
	cmdline_msg_str(m, "'");
}

static void cmdline_msg_uint(struct textbuf *m, uint64_t v)
{
	textbuf_add_part(m, "%llu", (unsigned long long)v);
}

static void cmdline_warn_word(struct cmdline *out, const char *what, struct cmdline_span w)
{
	struct textbuf m;

	if (!cmdline_msg_begin(out, &m))
		return;
	cmdline_msg_str(&m, "cmdline: ");
	cmdline_msg_str(&m, what);
	cmdline_msg_quote(&m, w);
}

/* "cmdline: bad value for after= ('sleep'); using halt" and friends. */
static void cmdline_warn_value(struct cmdline *out, const struct cmdline_option *o,
			       struct cmdline_span v, int rc)
{
	const char *keep = cmdline_current(out, o->id);
	struct textbuf m;

	if (!cmdline_msg_begin(out, &m))
		return;
	if (rc == -EPERM) {	/* "cmdline: dump.encrypt=required stays; ignoring 'auto'" */
		cmdline_msg_str(&m, "cmdline: ");
		cmdline_msg_add(&m, o->name, cmdline_name_len(o->name, sizeof(o->name)));
		cmdline_msg_str(&m, "=");
		cmdline_msg_str(&m, keep ? keep : "?");
		cmdline_msg_str(&m, " stays; ignoring ");
		cmdline_msg_quote(&m, v);
		return;
	}
	cmdline_msg_str(&m, rc == -ENOSPC ? "cmdline: too many " : "cmdline: ");
	if (rc != -ENOSPC)
		cmdline_msg_str(&m, v.n ? "bad value for " : "empty value for ");
	cmdline_msg_add(&m, o->name, cmdline_name_len(o->name, sizeof(o->name)));
	cmdline_msg_str(&m, o->flag ? " (takes no value)" : "=");
	if (rc == -ENOSPC) {
		cmdline_msg_str(&m, " (max ");
		cmdline_msg_uint(&m, o->id == CMDLINE_OPT_CONSOLE ? CMDLINE_MAX_CONSOLES
							  : CMDLINE_MAX_MEMMAP);
		cmdline_msg_str(&m, ")");
	}
	if (v.n) {
		cmdline_msg_str(&m, rc == -ENOSPC ? "; ignoring " : " (");
		cmdline_msg_quote(&m, v);
		cmdline_msg_str(&m, rc == -ENOSPC ? "" : ")");
	}
	if (rc == -ENOSPC)
		return;
	cmdline_msg_str(&m, keep ? "; using " : "; ignored");
	cmdline_msg_str(&m, keep ? keep : "");
}

static const struct cmdline_option *cmdline_find_option(struct cmdline_span key)
{
	for (size_t i = 0; i < sizeof(cmdline_options) / sizeof(cmdline_options[0]); i++) {
		const char *k = cmdline_options[i].name;
		size_t n = cmdline_name_len(k, sizeof(cmdline_options[i].name));

		if (key.n == n && memcmp(key.p, k, n) == 0)
			return &cmdline_options[i];
	}
	return NULL;
}

static bool cmdline_is_ignored(struct cmdline_span key)
{
	for (size_t i = 0; i < sizeof(cmdline_ignored_keys) / sizeof(cmdline_ignored_keys[0]); i++) {
		const char *k = cmdline_ignored_keys[i];
		size_t n = cmdline_name_len(k, sizeof(cmdline_ignored_keys[0]));

		if (k[n - 1] == '.' ? key.n > n && memcmp(key.p, k, n) == 0
				    : key.n == n && memcmp(key.p, k, n) == 0)
			return true;
	}
	return false;
}

/* One word, quotes still in it: split key=value and act on it. */
static void cmdline_word(struct cmdline *out, struct cmdline_span w)
{
	struct cmdline_span key, val;
	const struct cmdline_option *o;
	bool has_val;
	int rc;

	w = cmdline_unquote(w);
	if (w.n == 0)
		return;
	has_val = cmdline_split_at(w, '=', &key, &val);
	val = cmdline_unquote(val);
	o = cmdline_find_option(key);
	if (o == NULL) {
		if (key.n > 0 && cmdline_is_ignored(key))
			out->n_ignored++;
		else
			cmdline_warn_word(out, "ignoring unknown option ", w);
		return;
	}
	if (o->flag ? has_val : val.n == 0)
		rc = -EINVAL;
	else
		rc = cmdline_apply(out, o->id, val);
	if (rc != 0)
		cmdline_warn_value(out, o, has_val ? val : (struct cmdline_span){ w.p, 0 }, rc);
}

void cmdline_defaults(struct cmdline *out)
{
	memset(out, 0, sizeof(*out));
	out->dump.kind = CMDLINE_DUMP_AUTO;
	out->after = CMDLINE_AFTER_HALT;
	out->test = CMDLINE_TEST_NONE;
	out->zero = CMDLINE_ZERO_DEFAULT;
	out->fat_part = CMDLINE_FATPART_DEFAULT;
	out->format = CMDLINE_FORMAT_KDUMP;
	out->dump_level = CMDLINE_DUMP_LEVEL_DEFAULT;
	out->compress = CMDLINE_COMPRESS_DEFAULT;
	out->encrypt = CMDLINE_ENCRYPT_AUTO;
}

/* The next word at or after *pos: quotes toggle whether spaces split. */
static bool cmdline_next_word(const char *s, size_t len, size_t *pos,
			      struct cmdline_span *w, bool *unterminated)
{
	size_t i = *pos, start;
	bool quoted = false;

	while (i < len && cmdline_is_space(s[i]))
		i++;
	if (i == len) {
		*pos = i;
		return false;
	}
	for (start = i; i < len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && cmdline_is_space(s[i]))
			break;
	}
	w->p = s + start;
	w->n = i - start;
	*unterminated = quoted;
	*pos = i;
	return true;
}

int cmdline_parse(const char *s, size_t len, struct cmdline *out)
{
	struct cmdline_span w;
	const char *nul;
	bool unterminated, for_init = false;
	size_t pos = 0;

	if (out == NULL)
		return -EINVAL;
	cmdline_defaults(out);
	if (s == NULL)
		return len == 0 ? 0 : -EINVAL;
	nul = len ? memchr(s, '\0', len) : NULL;
	if (nul != NULL)
		len = (size_t)(nul - s);
	while (cmdline_next_word(s, len, &pos, &w, &unterminated)) {
		out->n_words++;
		if (for_init) {
			out->n_ignored++;
			continue;
		}
		if (cmdline_span_is(w, "--")) {
			for_init = true;
			continue;
		}
		if (unterminated)
			cmdline_warn_word(out, "unterminated quote in ", w);
		cmdline_word(out, w);
	}
	return 0;
}
