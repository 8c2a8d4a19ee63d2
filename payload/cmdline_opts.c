/*
 * The value of each command-line option (see cmdline.h for the syntax):
 * console=, dump=, after=, elfcorehdr=, memmap=, acpi_rsdp=, handoff=,
 * pm.*.  Each parser reads a span of hostile text, builds the result in
 * locals and commits it to struct cmdline only when the whole value is
 * good; payload/cmdline.c turns a refusal into the warning line.
 *
 * Pure code: kernel, host tool and tests; freestanding headers only.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "payload/cmdline.h"
#include "payload/cmdline_impl.h"

/* ------------------------------------------------------------ options */

/* Indexed by the enums; arrays of arrays, so again no relocations. */
static const char cmdline_after_names[][9] = { "halt", "poweroff", "reboot", "capsule" };
static const char cmdline_dump_names[][7] = { "auto", "serial", "disk", "fat", "none", "file" };
static const char cmdline_zero_names[][8] = { "default", "keep", "skip" };
static const char cmdline_format_names[][6] = { "elf", "kdump" };
static const char cmdline_compress_names[][8] = { "default", "lzo", "zstd", "zlib", "none" };
static const char cmdline_encrypt_names[][9] = { "auto", "required" };
static const char cmdline_level_names[][3] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
	"16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
};

const char *cmdline_after_name(enum cmdline_after after)
{
	return (unsigned)after <= CMDLINE_AFTER_CAPSULE ? cmdline_after_names[after] : "?";
}

const char *cmdline_dump_name(enum cmdline_dump_kind kind)
{
	return (unsigned)kind <= CMDLINE_DUMP_FILE ? cmdline_dump_names[kind] : "?";
}

const char *cmdline_compress_name(enum cmdline_compress c)
{
	return (unsigned)c <= CMDLINE_COMPRESS_NONE ? cmdline_compress_names[c] : "?";
}

const char *cmdline_encrypt_name(enum cmdline_encrypt e)
{
	return (unsigned)e <= CMDLINE_ENCRYPT_REQUIRED ? cmdline_encrypt_names[e] : "?";
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
	} else if (cmdline_span_is(kind, "file") && !has_arg) {
		d.kind = CMDLINE_DUMP_FILE;	/* the disk and sectors come from the handoff block */
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
	case CMDLINE_OPT_PM_TEST:
		if (cmdline_span_is(v, "fault"))
			out->test = CMDLINE_TEST_FAULT;
		else if (cmdline_span_is(v, "blkdev"))
			out->test = CMDLINE_TEST_BLKDEV;
		else if (cmdline_span_is(v, "efirt"))
			out->test = CMDLINE_TEST_EFIRT;
		else if (cmdline_span_is(v, "efirt-fault"))
			out->test = CMDLINE_TEST_EFIRT_FAULT;
		else if (cmdline_span_is(v, "reentry"))
			out->test = CMDLINE_TEST_REENTRY;
		else if (cmdline_span_is(v, "unaccepted-guard"))
			out->test = CMDLINE_TEST_UNACCEPTED_GUARD;
		else if (cmdline_span_is(v, "unaccepted-guard-nocarve"))
			out->test = CMDLINE_TEST_UNACCEPTED_NOCARVE;
		else
			return -EINVAL;
		return 0;
	case CMDLINE_OPT_PM_INVENTORY:
		out->inventory = true;
		return 0;
	case CMDLINE_OPT_PM_ZERO:
		if (cmdline_span_is(v, "keep"))
			out->zero = CMDLINE_ZERO_KEEP;
		else if (cmdline_span_is(v, "skip"))
			out->zero = CMDLINE_ZERO_SKIP;
		else
			return -EINVAL;
		return 0;
	case CMDLINE_OPT_PM_BENCH:
		if (cmdline_span_is(v, "sha256"))
			out->bench = CMDLINE_BENCH_SHA256;
		else if (cmdline_span_is(v, "compress"))
			out->bench = CMDLINE_BENCH_COMPRESS;
		else if (cmdline_span_is(v, "aesgcm"))
			out->bench = CMDLINE_BENCH_AESGCM;
		else
			return -EINVAL;
		return 0;
	case CMDLINE_OPT_PM_FATPART: {
		uint64_t size;

		/* dump=fat part size: 64K .. the FAT file limit, whole sectors */
		if (cmdline_memparse_all(v, &size) != 0 || size < (64u << 10) ||
		    size > CMDLINE_FATPART_MAX || size % 512 != 0)
			return -ERANGE;
		out->fat_part = size;
		return 0;
	}
	case CMDLINE_OPT_DUMP_FORMAT:
		if (cmdline_span_is(v, "elf"))
			out->format = CMDLINE_FORMAT_ELF;
		else if (cmdline_span_is(v, "kdump"))
			out->format = CMDLINE_FORMAT_KDUMP;
		else
			return -EINVAL;
		return 0;
	case CMDLINE_OPT_DUMP_LEVEL: {
		uint64_t lv;
		size_t used;

		/* decimal 0..31, nothing after it */
		if (cmdline_digits(v.p, v.n, 10, &lv, &used) != 0 || used != v.n ||
		    lv > CMDLINE_DUMP_LEVEL_MAX)
			return -ERANGE;
		out->dump_level = (unsigned)lv;
		return 0;
	}
	case CMDLINE_OPT_DUMP_COMPRESS:
		/* one of the names, exactly; "default" is not one */
		for (unsigned i = CMDLINE_COMPRESS_LZO; i <= CMDLINE_COMPRESS_NONE; i++)
			if (cmdline_span_is(v, cmdline_compress_names[i])) {
				out->compress = (enum cmdline_compress)i;
				return 0;
			}
		return -EINVAL;
	case CMDLINE_OPT_DUMP_ENCRYPT:
		/* required only goes up: whoever added it (postmortem load
		 * --encrypt-to) is not undone by a word after it */
		if (cmdline_span_is(v, "required"))
			out->encrypt = CMDLINE_ENCRYPT_REQUIRED;
		else if (!cmdline_span_is(v, "auto"))
			return -EINVAL;
		else if (out->encrypt == CMDLINE_ENCRYPT_REQUIRED)
			return -EPERM;
		return 0;
	case CMDLINE_OPT_SMP:
		if (cmdline_span_is(v, "auto"))
			out->smp = CMDLINE_SMP_AUTO;
		else if (cmdline_span_is(v, "on"))
			out->smp = CMDLINE_SMP_ON;
		else if (cmdline_span_is(v, "off"))
			out->smp = CMDLINE_SMP_OFF;
		else if (cmdline_span_is(v, "test"))
			out->smp = CMDLINE_SMP_TEST;
		else if (cmdline_span_is(v, "test-hang"))
			out->smp = CMDLINE_SMP_TEST_HANG;
		else if (cmdline_span_is(v, "test-stall"))
			out->smp = CMDLINE_SMP_TEST_STALL;
		else
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

int cmdline_apply(struct cmdline *out, uint8_t id, struct cmdline_span v)
{
	switch (id) {
	case CMDLINE_OPT_CONSOLE:
		return cmdline_opt_console(out, v);
	case CMDLINE_OPT_DUMP:
		return cmdline_opt_dump(out, v);
	case CMDLINE_OPT_AFTER:
		return cmdline_opt_after(out, v);
	case CMDLINE_OPT_ELFCOREHDR:
		return cmdline_opt_elfcorehdr(out, v);
	case CMDLINE_OPT_MEMMAP:
		return cmdline_opt_memmap(out, v);
	case CMDLINE_OPT_ACPI_RSDP:
		return cmdline_opt_acpi_rsdp(out, v);
	case CMDLINE_OPT_HANDOFF:
		return cmdline_opt_handoff(out, v);
	default:
		return cmdline_opt_pm(out, id, v);
	}
}

/* What an option keeps after a bad value, for "; using X"; NULL: "; ignored". */
const char *cmdline_current(const struct cmdline *out, uint8_t id)
{
	switch (id) {
	case CMDLINE_OPT_DUMP:
		return cmdline_dump_name(out->dump.kind);
	case CMDLINE_OPT_AFTER:
		return cmdline_after_name(out->after);
	case CMDLINE_OPT_PM_TEST:
		return out->test == CMDLINE_TEST_FAULT ? "fault" :
		       out->test == CMDLINE_TEST_BLKDEV ? "blkdev" :
		       out->test == CMDLINE_TEST_EFIRT ? "efirt" :
		       out->test == CMDLINE_TEST_EFIRT_FAULT ? "efirt-fault" :
		       out->test == CMDLINE_TEST_REENTRY ? "reentry" :
		       out->test == CMDLINE_TEST_UNACCEPTED_GUARD ? "unaccepted-guard" :
		       out->test == CMDLINE_TEST_UNACCEPTED_NOCARVE ? "unaccepted-guard-nocarve" : "none";
	case CMDLINE_OPT_PM_ZERO:
		return cmdline_zero_names[out->zero];
	case CMDLINE_OPT_PM_BENCH:
		return out->bench == CMDLINE_BENCH_SHA256 ? "sha256" :
		       out->bench == CMDLINE_BENCH_COMPRESS ? "compress" :
		       out->bench == CMDLINE_BENCH_AESGCM ? "aesgcm" : "none";
	case CMDLINE_OPT_DUMP_FORMAT:
		return cmdline_format_names[out->format == CMDLINE_FORMAT_KDUMP];
	case CMDLINE_OPT_DUMP_LEVEL:
		return out->dump_level <= CMDLINE_DUMP_LEVEL_MAX ? cmdline_level_names[out->dump_level] : "31";
	case CMDLINE_OPT_DUMP_COMPRESS:
		return cmdline_compress_name(out->compress);
	case CMDLINE_OPT_DUMP_ENCRYPT:
		return cmdline_encrypt_name(out->encrypt);
	case CMDLINE_OPT_SMP:
		return out->smp == CMDLINE_SMP_AUTO ? "auto" : out->smp == CMDLINE_SMP_OFF ? "off" :
		       out->smp == CMDLINE_SMP_TEST ? "test" :
		       out->smp == CMDLINE_SMP_TEST_HANG ? "test-hang" :
		       out->smp == CMDLINE_SMP_TEST_STALL ? "test-stall" : "on";
	}
	return NULL;
}

