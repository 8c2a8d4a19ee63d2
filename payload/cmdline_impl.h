/*
 * Shared by payload/cmdline.c (words, quotes, numbers, warnings, the option
 * table) and payload/cmdline_opts.c (each option's value) only; everyone
 * else includes payload/cmdline.h.  Pure code.
 */
#ifndef PAYLOAD_CMDLINE_IMPL_H
#define PAYLOAD_CMDLINE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payload/cmdline.h"

/* A piece of the command line: never NUL-terminated. */
struct cmdline_span {
	const char *p;
	size_t n;
};

enum cmdline_opt_id {
	CMDLINE_OPT_CONSOLE,
	CMDLINE_OPT_DUMP,
	CMDLINE_OPT_AFTER,
	CMDLINE_OPT_ELFCOREHDR,
	CMDLINE_OPT_MEMMAP,
	CMDLINE_OPT_ACPI_RSDP,
	CMDLINE_OPT_HANDOFF,
	CMDLINE_OPT_PM_TEST,
	CMDLINE_OPT_PM_INVENTORY,
	CMDLINE_OPT_PM_ZERO,
	CMDLINE_OPT_PM_BENCH,
	CMDLINE_OPT_PM_FATPART,
	CMDLINE_OPT_DUMP_FORMAT,
	CMDLINE_OPT_DUMP_LEVEL,
	CMDLINE_OPT_DUMP_COMPRESS,
	CMDLINE_OPT_DUMP_ENCRYPT,
	CMDLINE_OPT_SMP,
};

/* payload/cmdline.c */
bool cmdline_span_is(struct cmdline_span s, const char *lit);
bool cmdline_split_at(struct cmdline_span s, char c, struct cmdline_span *head, struct cmdline_span *tail);
int cmdline_digits(const char *s, size_t len, unsigned base, uint64_t *out, size_t *used);
bool cmdline_hex_prefix(const char *s, size_t len);
int cmdline_memparse_all(struct cmdline_span s, uint64_t *v);

/* payload/cmdline_opts.c: parse value v of option id into out (0, or -errno: out unchanged;
 * -EPERM: the value would lower a setting that only goes up, dump.encrypt=required). */
int cmdline_apply(struct cmdline *out, uint8_t id, struct cmdline_span v);
/* What option id keeps after a bad value, for "; using X"; NULL: "; ignored". */
const char *cmdline_current(const struct cmdline *out, uint8_t id);

#endif
