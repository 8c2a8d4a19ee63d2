/*
 * Kernel command line: Linux-style words into one plain struct.
 *
 * Interface: cmdline_parse() fills a caller-owned struct cmdline from the
 * bytes s[0..len) (stopping early at a NUL), starting from
 * cmdline_defaults().  Words are separated by spaces, tabs and newlines;
 * double quotes group spaces into a word, around the whole word
 * ("key=a b") or the value (key="a b"), and are removed the way Linux
 * removes them.  Words after a lone "--" belong to init and are ignored.
 *
 * Nothing on the line can make parsing fail: an unknown word, or a known
 * key with a malformed value, leaves the option as it was and adds a
 * line to warnings[] (at most CMDLINE_MAX_WARNINGS; the rest are only
 * counted in n_dropped_warnings) for the kernel to print.  Options that
 * Linux or kdump tools put on a crash kernel's line (irqpoll, nr_cpus=,
 * root=, systemd.*, ...) are counted in n_ignored without a warning.
 *
 * Options (README.md documents them for users):
 *   console=ttyS<0-3>[,<baud>[n|o|e[5-8[r]]]]  console=tty<n>|vga|fb
 *   console=none        up to 4 consoles; a repeat updates the earlier one
 *   dump=serial[:ttyS<n>] | disk[:<dev>[,force]] | fat[:<dev>] | file | none
 *   after=halt|poweroff|reboot|capsule
 *   elfcorehdr=<addr> | <size>@<addr>   (kexec-tools: <n>K; kexec_file: 0x..)
 *   memmap=exactmap | <size>{@,#,$,!}<start>[,...]   (Linux e820 types)
 *   acpi_rsdp=<hex addr>  handoff=<addr>,<size>
 *   pm.test=fault|blkdev|efirt|efirt-fault|reentry|unaccepted-guard|
 *           unaccepted-guard-nocarve  pm.inventory  pm.zero=keep|skip
 *   pm.bench=sha256|compress|aesgcm
 *   pm.fatpart=<size>   dump=fat part size (64K .. 4095M, whole 512-byte sectors)
 *   dump.format=kdump|elf   the dump file, on every target: makedumpfile's
 *                       kdump-compressed file (default) or an ELF core
 *   dump.level=<0-31>   makedumpfile's dump level for kdump (default 31)
 *   dump.compress=lzo|zstd|zlib|none   kdump's page compression (default:
 *                       formats/pagecomp.h's PAGECOMP_DEFAULT)
 *   dump.encrypt=required|auto   required: never write a dump in the clear
 *                       (no usable DUMP_KEY record: nothing written); auto
 *                       (default): encrypted when the verified handoff
 *                       block has a DUMP_KEY record.  required is sticky: a
 *                       later auto on the line is refused with a warning
 *   smp=on|off|test|test-hang  one more CPU when safe, never (default), 
 *                       with the two-CPU self-test line, or (test switch)
 *                       with a CPU that hangs on the way (docs/smp.md)
 * Numbers are Linux memparse values (cmdline_memparse), except acpi_rsdp=,
 * which like Linux's is hexadecimal with or without 0x.
 *
 * Pure code: kernel, host tool and tests; freestanding headers only.
 */
#ifndef PAYLOAD_CMDLINE_H
#define PAYLOAD_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMDLINE_MAX_CONSOLES	4
#define CMDLINE_MAX_MEMMAP	64
#define CMDLINE_MAX_WARNINGS	8
#define CMDLINE_WARNING_LEN	96	/* bytes, NUL included */
#define CMDLINE_DEV_LEN		32	/* [a-z0-9]{1,31} and a NUL */
#define CMDLINE_MAX_SERIAL_PORT	3
#define CMDLINE_DEFAULT_BAUD	115200u

enum cmdline_console_kind {
	CMDLINE_CONSOLE_SERIAL,
	CMDLINE_CONSOLE_SCREEN,		/* tty<n>, vga, fb: whatever screen exists */
};

struct cmdline_console {
	enum cmdline_console_kind kind;
	uint8_t port;			/* serial: ttyS<port> */
	uint8_t data_bits;		/* serial: 5..8, default 8 */
	char parity;			/* serial: 'n', 'o' or 'e', default 'n' */
	bool flow;			/* serial: 'r' (RTS/CTS) given */
	uint32_t baud;			/* serial: default CMDLINE_DEFAULT_BAUD */
};

enum cmdline_dump_kind {
	CMDLINE_DUMP_AUTO,		/* no dump= : the kernel chooses */
	CMDLINE_DUMP_SERIAL,
	CMDLINE_DUMP_DISK,
	CMDLINE_DUMP_FAT,
	CMDLINE_DUMP_NONE,
	CMDLINE_DUMP_FILE,		/* the handoff's DUMP_FILE (docs/dump-file.md) */
};

struct cmdline_dump {
	enum cmdline_dump_kind kind;
	bool port_set;			/* serial:ttyS<port> given */
	uint8_t port;
	bool force;			/* disk:<dev>,force */
	char dev[CMDLINE_DEV_LEN];	/* disk/fat device, "" when not given */
};

enum cmdline_after {
	CMDLINE_AFTER_HALT,		/* default */
	CMDLINE_AFTER_POWEROFF,
	CMDLINE_AFTER_REBOOT,
	CMDLINE_AFTER_CAPSULE,
};

/* memmap= types carry Linux's e820 numbers. */
enum cmdline_mem_type {
	CMDLINE_MEM_RAM = 1,		/* @ */
	CMDLINE_MEM_RESERVED = 2,	/* $ */
	CMDLINE_MEM_ACPI = 3,		/* # */
	CMDLINE_MEM_PRAM = 12,		/* ! */
};

struct cmdline_memmap {
	uint64_t start;
	uint64_t size;			/* > 0; start + size does not wrap */
	enum cmdline_mem_type type;
};

enum cmdline_test {
	CMDLINE_TEST_NONE,
	CMDLINE_TEST_FAULT,
	CMDLINE_TEST_BLKDEV,		/* pm.test=blkdev */
	CMDLINE_TEST_EFIRT,		/* pm.test=efirt */
	CMDLINE_TEST_EFIRT_FAULT,	/* pm.test=efirt-fault */
	CMDLINE_TEST_REENTRY,		/* pm.test=reentry */
	CMDLINE_TEST_UNACCEPTED_GUARD,	/* pm.test=unaccepted-guard */
	CMDLINE_TEST_UNACCEPTED_NOCARVE, /* pm.test=unaccepted-guard-nocarve */
};

/* pm.fatpart=: dump=fat splits the file into parts of this size (FAT's file limit is 4 GiB - 1). */
#define CMDLINE_FATPART_DEFAULT	(4095ull << 20)
#define CMDLINE_FATPART_MAX	(4095ull << 20)

/* pm.bench=: a measurement run instead of a dump (make bench). */
enum cmdline_bench {
	CMDLINE_BENCH_NONE,
	CMDLINE_BENCH_SHA256,
	CMDLINE_BENCH_COMPRESS,		/* each page compressor's speed (kernel/kcompress.h) */
	CMDLINE_BENCH_AESGCM,		/* AES-256-GCM sealing speed (encrypted dumps) */
};

enum cmdline_zero {
	CMDLINE_ZERO_DEFAULT,		/* no pm.zero= : the kernel chooses */
	CMDLINE_ZERO_KEEP,
	CMDLINE_ZERO_SKIP,
};

enum cmdline_format {
	CMDLINE_FORMAT_ELF,		/* the ELF core, /proc/vmcore's shape */
	CMDLINE_FORMAT_KDUMP,		/* makedumpfile's kdump-compressed file (default) */
};

enum cmdline_compress {
	CMDLINE_COMPRESS_DEFAULT,	/* no dump.compress= : the kernel chooses */
	CMDLINE_COMPRESS_LZO,
	CMDLINE_COMPRESS_ZSTD,
	CMDLINE_COMPRESS_ZLIB,
	CMDLINE_COMPRESS_NONE,
};

/* smp= (docs/smp.md): start one more CPU when it is safe and the dump has
 * work for it (default), never, at boot, or at boot with the two-CPU
 * self-test. */
enum cmdline_smp {
	CMDLINE_SMP_AUTO,
	CMDLINE_SMP_OFF,
	CMDLINE_SMP_ON,
	CMDLINE_SMP_TEST,
	CMDLINE_SMP_TEST_HANG,		/* test switch: the started CPU hangs in 32-bit mode */
	CMDLINE_SMP_TEST_STALL,		/* test switch: the started CPU never finishes its work */
};

/* dump.encrypt= (docs/encryption.md). */
enum cmdline_encrypt {
	CMDLINE_ENCRYPT_AUTO,		/* default: encrypted when the block has a key */
	CMDLINE_ENCRYPT_REQUIRED,	/* never in the clear */
};

#define CMDLINE_DUMP_LEVEL_DEFAULT	31
#define CMDLINE_DUMP_LEVEL_MAX		31

struct cmdline {
	/* console=: in order given; none given and !console_none: defaults. */
	size_t n_consoles;
	struct cmdline_console consoles[CMDLINE_MAX_CONSOLES];
	bool console_none;

	struct cmdline_dump dump;
	enum cmdline_after after;

	bool elfcorehdr_set;
	uint64_t elfcorehdr_addr;
	uint64_t elfcorehdr_size;	/* 0 unless <size>@<addr> */

	/* memmap=: exactmap, as in Linux, also drops the entries before it. */
	bool memmap_exactmap;
	size_t n_memmap;
	struct cmdline_memmap memmap[CMDLINE_MAX_MEMMAP];

	bool acpi_rsdp_set;
	uint64_t acpi_rsdp;

	bool handoff_set;
	uint64_t handoff_addr;
	uint64_t handoff_size;		/* > 0 */

	enum cmdline_test test;
	bool inventory;
	enum cmdline_zero zero;
	enum cmdline_bench bench;
	uint64_t fat_part;		/* pm.fatpart=: dump=fat part size in bytes */
	enum cmdline_format format;	/* dump.format= */
	unsigned dump_level;		/* dump.level=: 0..31 (both formats) */
	enum cmdline_compress compress;	/* dump.compress= (kdump only) */
	enum cmdline_encrypt encrypt;	/* dump.encrypt= */
	enum cmdline_smp smp;		/* smp= */

	size_t n_words;			/* words seen */
	size_t n_ignored;		/* known foreign options and init's words */
	size_t n_warnings;
	size_t n_dropped_warnings;
	char warnings[CMDLINE_MAX_WARNINGS][CMDLINE_WARNING_LEN];
};

/* Set every option to its default: no consoles, dump auto, after halt. */
void cmdline_defaults(struct cmdline *out);

/*
 * Parse s[0..len), stopping at the first NUL; s need not be terminated.
 * Returns 0, with problems in out->warnings, or -EINVAL when out is NULL
 * or s is NULL with len > 0.
 */
int cmdline_parse(const char *s, size_t len, struct cmdline *out);

/*
 * Linux memparse over s[0..len): decimal or 0x hex (no octal), then an
 * optional K, M, G, T, P or E (either case) multiplying by 2^10 .. 2^60.
 * Stores the value and the number of characters consumed; the caller
 * decides whether trailing text is allowed.  Returns 0, -EINVAL (no
 * digits) or -ERANGE (does not fit in 64 bits); on error *out and
 * *used are 0.
 */
int cmdline_memparse(const char *s, size_t len, uint64_t *out, size_t *used);

/* Names for messages: "halt", ...; "auto", "serial", ...; never NULL. */
const char *cmdline_after_name(enum cmdline_after after);
const char *cmdline_dump_name(enum cmdline_dump_kind kind);
/* "default", "lzo", "zstd", "zlib", "none": formats/pagecomp.h's names. */
const char *cmdline_compress_name(enum cmdline_compress c);
/* "auto", "required". */
const char *cmdline_encrypt_name(enum cmdline_encrypt e);

#endif
