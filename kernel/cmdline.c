/*
 * Kernel command line parser; see cmdline.h for the options and rules.
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

#include "kernel/cmdline.h"

#define CMDLINE_QUOTE_MAX	36	/* characters of user text in a warning */

/* A piece of the command line: never NUL-terminated. */
struct cmdline_span {
	const char *p;
	size_t n;
};

enum cmdline_opt_id {
	OPT_CONSOLE,
	OPT_DUMP,
	OPT_AFTER,
	OPT_ELFCOREHDR,
	OPT_MEMMAP,
	OPT_ACPI_RSDP,
	OPT_HANDOFF,
	OPT_PM_TEST,
	OPT_PM_INVENTORY,
	OPT_PM_ZERO,
	OPT_PM_BENCH,
	OPT_PM_FATPART,
};

/* Our options.  A switch dispatches on id, so the table needs no relocations. */
static const struct cmdline_option {
	char name[14];
	uint8_t id;
	bool flag;			/* a bare word; a value is an error */
} cmdline_options[] = {
	{ "console", OPT_CONSOLE, false },
	{ "dump", OPT_DUMP, false },
	{ "after", OPT_AFTER, false },
	{ "elfcorehdr", OPT_ELFCOREHDR, false },
	{ "memmap", OPT_MEMMAP, false },
	{ "acpi_rsdp", OPT_ACPI_RSDP, false },
	{ "handoff", OPT_HANDOFF, false },
	{ "pm.test", OPT_PM_TEST, false },
	{ "pm.inventory", OPT_PM_INVENTORY, true },
	{ "pm.zero", OPT_PM_ZERO, false },
	{ "pm.bench", OPT_PM_BENCH, false },
	{ "pm.fatpart", OPT_PM_FATPART, false },
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
};

static bool cmdline_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool cmdline_span_is(struct cmdline_span s, const char *lit)
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
static bool cmdline_split_at(struct cmdline_span s, char c, struct cmdline_span *head,
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
static int cmdline_digits(const char *s, size_t len, unsigned base, uint64_t *out,
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
static bool cmdline_hex_prefix(const char *s, size_t len)
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
static int cmdline_memparse_all(struct cmdline_span s, uint64_t *v)
{
	size_t used;
	int rc = cmdline_memparse(s.p, s.n, v, &used);

	if (rc == 0 && used != s.n)
		rc = -EINVAL;
	return rc;
}

/* ------------------------------------------------------------ warnings */

struct cmdline_msg {
	char *buf;
	size_t pos;
};

/* Claim the next warning line, or count it as dropped. */
static bool cmdline_msg_begin(struct cmdline *out, struct cmdline_msg *m)
{
	if (out->n_warnings >= CMDLINE_MAX_WARNINGS) {
		out->n_dropped_warnings++;
		return false;
	}
	m->buf = out->warnings[out->n_warnings++];
	m->buf[0] = '\0';
	m->pos = 0;
	return true;
}

/* Append n bytes, unprintable ones as '?'; stops at the buffer's end. */
static void cmdline_msg_add(struct cmdline_msg *m, const char *s, size_t n)
{
	for (size_t i = 0; i < n && m->pos < CMDLINE_WARNING_LEN - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		m->buf[m->pos++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	m->buf[m->pos] = '\0';
}

static void cmdline_msg_str(struct cmdline_msg *m, const char *s)
{
	cmdline_msg_add(m, s, strlen(s));
}

/* Append 'text', cut to CMDLINE_QUOTE_MAX characters with "...". */
static void cmdline_msg_quote(struct cmdline_msg *m, struct cmdline_span t)
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

static void cmdline_msg_uint(struct cmdline_msg *m, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[sizeof(digits) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	cmdline_msg_add(m, digits + sizeof(digits) - n, n);
}

static void cmdline_warn_word(struct cmdline *out, const char *what, struct cmdline_span w)
{
	struct cmdline_msg m;

	if (!cmdline_msg_begin(out, &m))
		return;
	cmdline_msg_str(&m, "cmdline: ");
	cmdline_msg_str(&m, what);
	cmdline_msg_quote(&m, w);
}

/* ------------------------------------------------------------ options */

/* Indexed by the enums; arrays of arrays, so again no relocations. */
static const char cmdline_after_names[][9] = { "halt", "poweroff", "reboot", "capsule" };
static const char cmdline_dump_names[][7] = { "auto", "serial", "disk", "fat", "none" };
static const char cmdline_zero_names[][8] = { "default", "keep", "skip" };

const char *cmdline_after_name(enum cmdline_after after)
{
	return (unsigned)after <= CMDLINE_AFTER_CAPSULE ? cmdline_after_names[after] : "?";
}

const char *cmdline_dump_name(enum cmdline_dump_kind kind)
{
	return (unsigned)kind <= CMDLINE_DUMP_NONE ? cmdline_dump_names[kind] : "?";
}

/* "ttyS<0-3>" exactly: one digit, so ttyS10 is refused, not read as 1. */
static int cmdline_serial_port(struct cmdline_span s, uint8_t *port)
{
	if (s.n != 5 || memcmp(s.p, "ttyS", 4) != 0 || s.p[4] < '0' ||
	    s.p[4] > '0' + CMDLINE_MAX_SERIAL_PORT)
		return -EINVAL;
	*port = (uint8_t)(s.p[4] - '0');
	return 0;
}

/* Serial options after the comma: <baud>[parity[bits[r]]], as in Linux. */
static int cmdline_serial_options(struct cmdline_span s, struct cmdline_console *c)
{
	uint64_t baud;
	size_t i;

	if (cmdline_digits(s.p, s.n, 10, &baud, &i) != 0 || baud == 0 || baud > 4000000)
		return -EINVAL;
	c->baud = (uint32_t)baud;
	if (i < s.n && (s.p[i] == 'n' || s.p[i] == 'o' || s.p[i] == 'e'))
		c->parity = s.p[i++];
	if (i < s.n && s.p[i] >= '5' && s.p[i] <= '8')
		c->data_bits = (uint8_t)(s.p[i++] - '0');
	if (i < s.n && s.p[i] == 'r') {
		c->flow = true;
		i++;
	}
	return i == s.n ? 0 : -EINVAL;
}

/* tty<n> (a virtual terminal), vga, fb: the screen. */
static bool cmdline_is_screen(struct cmdline_span s)
{
	if (cmdline_span_is(s, "vga") || cmdline_span_is(s, "fb"))
		return true;
	if (s.n < 4 || s.n > 5 || memcmp(s.p, "tty", 3) != 0)
		return false;
	for (size_t i = 3; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

/* Add c, or update the entry for the same device, as Linux does. */
static int cmdline_add_console(struct cmdline *out, const struct cmdline_console *c)
{
	size_t i;

	for (i = 0; i < out->n_consoles; i++)
		if (out->consoles[i].kind == c->kind &&
		    (c->kind == CMDLINE_CONSOLE_SCREEN || out->consoles[i].port == c->port))
			break;
	if (i == CMDLINE_MAX_CONSOLES)
		return -ENOSPC;
	out->consoles[i] = *c;
	if (i == out->n_consoles)
		out->n_consoles++;
	out->console_none = false;
	return 0;
}

static int cmdline_opt_console(struct cmdline *out, struct cmdline_span v)
{
	struct cmdline_console c = { .kind = CMDLINE_CONSOLE_SERIAL, .data_bits = 8,
				     .parity = 'n', .baud = CMDLINE_DEFAULT_BAUD };
	struct cmdline_span dev, opts;

	if (cmdline_span_is(v, "none")) {
		out->n_consoles = 0;
		out->console_none = true;
		return 0;
	}
	if (cmdline_is_screen(v)) {
		c.kind = CMDLINE_CONSOLE_SCREEN;
		return cmdline_add_console(out, &c);
	}
	bool has_opts = cmdline_split_at(v, ',', &dev, &opts);
	if (cmdline_serial_port(dev, &c.port) != 0)
		return -EINVAL;
	if (has_opts && cmdline_serial_options(opts, &c) != 0)
		return -EINVAL;
	return cmdline_add_console(out, &c);
}

/* A device name: [a-z0-9]{1,31}, copied NUL-terminated into dev. */
static int cmdline_device(struct cmdline_span s, char dev[CMDLINE_DEV_LEN])
{
	if (s.n == 0 || s.n >= CMDLINE_DEV_LEN)
		return -EINVAL;
	for (size_t i = 0; i < s.n; i++)
		if (!((s.p[i] >= 'a' && s.p[i] <= 'z') || (s.p[i] >= '0' && s.p[i] <= '9')))
			return -EINVAL;
	memcpy(dev, s.p, s.n);
	dev[s.n] = '\0';
	return 0;
}

static int cmdline_opt_dump(struct cmdline *out, struct cmdline_span v)
{
	struct cmdline_dump d;
	struct cmdline_span kind, arg, dev, flag;
	bool has_arg = cmdline_split_at(v, ':', &kind, &arg);

	memset(&d, 0, sizeof(d));
	if (cmdline_span_is(kind, "serial")) {
		d.kind = CMDLINE_DUMP_SERIAL;
		if (has_arg && cmdline_serial_port(arg, &d.port) != 0)
			return -EINVAL;
		d.port_set = has_arg;
	} else if (cmdline_span_is(kind, "disk") || cmdline_span_is(kind, "fat")) {
		d.kind = kind.p[0] == 'd' ? CMDLINE_DUMP_DISK : CMDLINE_DUMP_FAT;
		bool has_flag = cmdline_split_at(arg, ',', &dev, &flag);
		if (has_arg && cmdline_device(dev, d.dev) != 0)
			return -EINVAL;
		/* Only a raw disk named explicitly may be forced. */
		if (has_flag && (d.kind != CMDLINE_DUMP_DISK || !cmdline_span_is(flag, "force")))
			return -EINVAL;
		d.force = has_flag;
	} else if (cmdline_span_is(kind, "none") && !has_arg) {
		d.kind = CMDLINE_DUMP_NONE;
	} else {
		return -EINVAL;
	}
	out->dump = d;
	return 0;
}

static int cmdline_opt_after(struct cmdline *out, struct cmdline_span v)
{
	for (int a = CMDLINE_AFTER_HALT; a <= CMDLINE_AFTER_CAPSULE; a++) {
		if (cmdline_span_is(v, cmdline_after_name((enum cmdline_after)a))) {
			out->after = (enum cmdline_after)a;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * elfcorehdr=<addr> or <size>@<addr>, as Linux's setup_elfcorehdr():
 * kexec-tools writes the address in KiB ("523260K"), kexec_file in hex.
 */
static int cmdline_opt_elfcorehdr(struct cmdline *out, struct cmdline_span v)
{
	struct cmdline_span first, second;
	uint64_t a, b = 0;

	if (cmdline_split_at(v, '@', &first, &second)) {
		if (cmdline_memparse_all(first, &b) != 0 || cmdline_memparse_all(second, &a) != 0)
			return -EINVAL;
	} else if (cmdline_memparse_all(v, &a) != 0) {
		return -EINVAL;
	}
	out->elfcorehdr_set = true;
	out->elfcorehdr_addr = a;
	out->elfcorehdr_size = b;
	return 0;
}

/* One memmap= range: <size><@#$!><start>; Linux's limit-only form is refused. */
static int cmdline_memmap_range(struct cmdline_span s, struct cmdline_memmap *e)
{
	static const char marks[] = "@#$!";
	static const uint8_t types[] = {
		CMDLINE_MEM_RAM, CMDLINE_MEM_ACPI, CMDLINE_MEM_RESERVED, CMDLINE_MEM_PRAM,
	};
	struct cmdline_span start;
	const char *mark;
	uint64_t size;
	size_t used;

	if (cmdline_memparse(s.p, s.n, &size, &used) != 0 || used == s.n || size == 0)
		return -EINVAL;
	mark = s.p[used] ? strchr(marks, s.p[used]) : NULL;
	if (mark == NULL)
		return -EINVAL;
	e->type = (enum cmdline_mem_type)types[mark - marks];
	start.p = s.p + used + 1;
	start.n = s.n - used - 1;
	if (cmdline_memparse_all(start, &e->start) != 0 || e->start + size < e->start)
		return -EINVAL;
	e->size = size;
	return 0;
}

/*
 * memmap=exactmap, or comma-separated ranges (Linux's parse_memmap_opt).
 * All ranges are checked before any is added, so a bad one adds none.
 */
static int cmdline_opt_memmap(struct cmdline *out, struct cmdline_span v)
{
	struct cmdline_span rest = v, one;
	struct cmdline_memmap e;
	size_t count = 0;

	if (cmdline_span_is(v, "exactmap")) {
		out->memmap_exactmap = true;
		out->n_memmap = 0;
		return 0;
	}
	for (bool more = true; more; count++) {
		more = cmdline_split_at(rest, ',', &one, &rest);
		if (cmdline_memmap_range(one, &e) != 0)
			return -EINVAL;
	}
	if (count > CMDLINE_MAX_MEMMAP - out->n_memmap)
		return -ENOSPC;
	rest = v;
	for (bool more = true; more;) {
		more = cmdline_split_at(rest, ',', &one, &rest);
		cmdline_memmap_range(one, &out->memmap[out->n_memmap++]);
	}
	return 0;
}

/* acpi_rsdp=: hexadecimal with an optional 0x, like Linux's kstrtoul(, 16). */
static int cmdline_opt_acpi_rsdp(struct cmdline *out, struct cmdline_span v)
{
	size_t skip = cmdline_hex_prefix(v.p, v.n) ? 2 : 0, used;
	uint64_t a;

	if (cmdline_digits(v.p + skip, v.n - skip, 16, &a, &used) != 0 || used != v.n - skip)
		return -EINVAL;
	out->acpi_rsdp_set = true;
	out->acpi_rsdp = a;
	return 0;
}

static int cmdline_opt_handoff(struct cmdline *out, struct cmdline_span v)
{
	struct cmdline_span first, second;
	uint64_t a, n;

	if (!cmdline_split_at(v, ',', &first, &second) ||
	    cmdline_memparse_all(first, &a) != 0 || cmdline_memparse_all(second, &n) != 0 ||
	    n == 0 || a + n < a)
		return -EINVAL;
	out->handoff_set = true;
	out->handoff_addr = a;
	out->handoff_size = n;
	return 0;
}

static int cmdline_opt_pm(struct cmdline *out, uint8_t id, struct cmdline_span v)
{
	switch (id) {
	case OPT_PM_TEST:
		if (cmdline_span_is(v, "fault"))
			out->test = CMDLINE_TEST_FAULT;
		else if (cmdline_span_is(v, "blkdev"))
			out->test = CMDLINE_TEST_BLKDEV;
		else if (cmdline_span_is(v, "efirt"))
			out->test = CMDLINE_TEST_EFIRT;
		else if (cmdline_span_is(v, "efirt-fault"))
			out->test = CMDLINE_TEST_EFIRT_FAULT;
		else
			return -EINVAL;
		return 0;
	case OPT_PM_INVENTORY:
		out->inventory = true;
		return 0;
	case OPT_PM_ZERO:
		if (cmdline_span_is(v, "keep"))
			out->zero = CMDLINE_ZERO_KEEP;
		else if (cmdline_span_is(v, "skip"))
			out->zero = CMDLINE_ZERO_SKIP;
		else
			return -EINVAL;
		return 0;
	case OPT_PM_BENCH:
		if (!cmdline_span_is(v, "sha256"))
			return -EINVAL;
		out->bench = CMDLINE_BENCH_SHA256;
		return 0;
	case OPT_PM_FATPART: {
		uint64_t size;

		/* dump=fat part size: 64K .. the FAT file limit, whole sectors */
		if (cmdline_memparse_all(v, &size) != 0 || size < (64u << 10) ||
		    size > CMDLINE_FATPART_MAX || size % 512 != 0)
			return -ERANGE;
		out->fat_part = size;
		return 0;
	}
	}
	return -EINVAL;
}

static int cmdline_apply(struct cmdline *out, uint8_t id, struct cmdline_span v)
{
	switch (id) {
	case OPT_CONSOLE:
		return cmdline_opt_console(out, v);
	case OPT_DUMP:
		return cmdline_opt_dump(out, v);
	case OPT_AFTER:
		return cmdline_opt_after(out, v);
	case OPT_ELFCOREHDR:
		return cmdline_opt_elfcorehdr(out, v);
	case OPT_MEMMAP:
		return cmdline_opt_memmap(out, v);
	case OPT_ACPI_RSDP:
		return cmdline_opt_acpi_rsdp(out, v);
	case OPT_HANDOFF:
		return cmdline_opt_handoff(out, v);
	default:
		return cmdline_opt_pm(out, id, v);
	}
}

/* What an option keeps after a bad value, for "; using X"; NULL: "; ignored". */
static const char *cmdline_current(const struct cmdline *out, uint8_t id)
{
	switch (id) {
	case OPT_DUMP:
		return cmdline_dump_name(out->dump.kind);
	case OPT_AFTER:
		return cmdline_after_name(out->after);
	case OPT_PM_TEST:
		return out->test == CMDLINE_TEST_FAULT ? "fault" :
		       out->test == CMDLINE_TEST_BLKDEV ? "blkdev" :
		       out->test == CMDLINE_TEST_EFIRT ? "efirt" :
		       out->test == CMDLINE_TEST_EFIRT_FAULT ? "efirt-fault" : "none";
	case OPT_PM_ZERO:
		return cmdline_zero_names[out->zero];
	case OPT_PM_BENCH:
		return out->bench == CMDLINE_BENCH_SHA256 ? "sha256" : "none";
	}
	return NULL;
}

/* "cmdline: bad value for after= ('sleep'); using halt" and friends. */
static void cmdline_warn_value(struct cmdline *out, const struct cmdline_option *o,
			       struct cmdline_span v, int rc)
{
	const char *keep = cmdline_current(out, o->id);
	struct cmdline_msg m;

	if (!cmdline_msg_begin(out, &m))
		return;
	cmdline_msg_str(&m, rc == -ENOSPC ? "cmdline: too many " : "cmdline: ");
	if (rc != -ENOSPC)
		cmdline_msg_str(&m, v.n ? "bad value for " : "empty value for ");
	cmdline_msg_add(&m, o->name, cmdline_name_len(o->name, sizeof(o->name)));
	cmdline_msg_str(&m, o->flag ? " (takes no value)" : "=");
	if (rc == -ENOSPC) {
		cmdline_msg_str(&m, " (max ");
		cmdline_msg_uint(&m, o->id == OPT_CONSOLE ? CMDLINE_MAX_CONSOLES
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
