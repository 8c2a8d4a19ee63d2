/*
 * Unit tests for payload/cmdline.c: every option good and bad, quoting,
 * length limits without a NUL, warning overflow, and the exact lines
 * kexec-tools and kexec_file_load hand a crash kernel.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "payload/cmdline.h"
#include "tests/unit/test.h"

static struct cmdline c;	/* large: keep it off the stack */

static int parse(const char *s)
{
	return cmdline_parse(s, strlen(s), &c);
}

/* True when some warning contains needle. */
static bool warned(const char *needle)
{
	for (size_t i = 0; i < c.n_warnings; i++)
		if (strstr(c.warnings[i], needle) != NULL)
			return true;
	return false;
}

static bool all_default(void)
{
	static struct cmdline d;

	cmdline_defaults(&d);
	return c.n_consoles == 0 && !c.console_none && c.dump.kind == d.dump.kind &&
	       c.dump.dev[0] == '\0' && !c.dump.force && !c.dump.port_set &&
	       c.after == d.after && !c.elfcorehdr_set && !c.memmap_exactmap &&
	       c.n_memmap == 0 && !c.acpi_rsdp_set && !c.handoff_set &&
	       c.test == d.test && !c.inventory && c.zero == d.zero;
}

TEST(test_defaults_and_empty)
{
	CHECK_EQ(parse(""), 0);
	CHECK(all_default());
	CHECK_EQ(c.after, CMDLINE_AFTER_HALT);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_AUTO);
	CHECK_EQ(c.n_words, 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(parse(" \t\n  "), 0);
	CHECK_EQ(c.n_words, 0);
	CHECK_EQ(cmdline_parse(NULL, 0, &c), 0);
	CHECK_EQ(cmdline_parse(NULL, 5, &c), -EINVAL);
	CHECK_EQ(cmdline_parse("x", 1, NULL), -EINVAL);
	/* A lone pair of quotes is an empty word: nothing to say. */
	CHECK_EQ(parse("\"\""), 0);
	CHECK_EQ(c.n_warnings, 0);
}

/* The line kexec_file_load builds (elfcorehdr= prepended in hex). */
TEST(test_kexec_file_line)
{
	CHECK_EQ(parse("elfcorehdr=0x7f000000 console=ttyS0,115200 dump=disk after=reboot"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK(c.elfcorehdr_set);
	CHECK_EQ(c.elfcorehdr_addr, 0x7f000000);
	CHECK_EQ(c.elfcorehdr_size, 0);
	CHECK_EQ(c.n_consoles, 1);
	CHECK_EQ(c.consoles[0].kind, CMDLINE_CONSOLE_SERIAL);
	CHECK_EQ(c.consoles[0].port, 0);
	CHECK_EQ(c.consoles[0].baud, 115200);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_DISK);
	CHECK_STR(c.dump.dev, "");
	CHECK(!c.dump.force);
	CHECK_EQ(c.after, CMDLINE_AFTER_REBOOT);
	CHECK_EQ(c.n_words, 4);
}

/* The line kexec-tools builds for kexec -p (elfcorehdr in KiB, exactmap). */
TEST(test_kexec_tools_line)
{
	CHECK_EQ(parse("console=ttyS0 irqpoll nr_cpus=1 reset_devices elfcorehdr=523260K "
		       "memmap=exactmap memmap=640K@0K memmap=130412K@393216K"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.n_ignored, 3);
	CHECK_EQ(c.n_consoles, 1);
	CHECK_EQ(c.consoles[0].baud, CMDLINE_DEFAULT_BAUD);
	CHECK_EQ(c.elfcorehdr_addr, 523260ull * 1024);
	CHECK(c.memmap_exactmap);
	CHECK_EQ(c.n_memmap, 2);
	CHECK_EQ(c.memmap[0].start, 0);
	CHECK_EQ(c.memmap[0].size, 640 * 1024);
	CHECK_EQ(c.memmap[0].type, CMDLINE_MEM_RAM);
	CHECK_EQ(c.memmap[1].start, 393216ull * 1024);
	CHECK_EQ(c.memmap[1].size, 130412ull * 1024);
	CHECK_EQ(c.memmap[1].type, CMDLINE_MEM_RAM);
}

TEST(test_console)
{
	CHECK_EQ(parse("console=ttyS3,9600n8r console=tty0 console=ttyS1,57600e7"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.n_consoles, 3);
	CHECK_EQ(c.consoles[0].port, 3);
	CHECK_EQ(c.consoles[0].baud, 9600);
	CHECK_EQ(c.consoles[0].parity, 'n');
	CHECK_EQ(c.consoles[0].data_bits, 8);
	CHECK(c.consoles[0].flow);
	CHECK_EQ(c.consoles[1].kind, CMDLINE_CONSOLE_SCREEN);
	CHECK_EQ(c.consoles[2].parity, 'e');
	CHECK_EQ(c.consoles[2].data_bits, 7);
	CHECK(!c.consoles[2].flow);
	/* vga, fb and tty1 are all the screen: one entry. */
	CHECK_EQ(parse("console=vga console=fb console=tty1"), 0);
	CHECK_EQ(c.n_consoles, 1);
	/* A repeat of ttyS0 updates it instead of adding. */
	CHECK_EQ(parse("console=ttyS0,9600 console=ttyS0,38400"), 0);
	CHECK_EQ(c.n_consoles, 1);
	CHECK_EQ(c.consoles[0].baud, 38400);
	/* none drops what came before; a later console= revives. */
	CHECK_EQ(parse("console=ttyS0 console=none"), 0);
	CHECK_EQ(c.n_consoles, 0);
	CHECK(c.console_none);
	CHECK_EQ(parse("console=none console=ttyS2"), 0);
	CHECK_EQ(c.n_consoles, 1);
	CHECK(!c.console_none);
}

TEST(test_console_bad)
{
	static const char *const bad[] = {
		"console=ttyS4", "console=ttyS10", "console=ttyS", "console=ttyS0,",
		"console=ttyS0,0", "console=ttyS0,fast", "console=ttyS0,9600x",
		"console=ttyS0,9600n9", "console=ttyS0,99999999999999999999999",
		"console=ttyS0,4000001", "console=hvc0", "console=tty", "console=tty123",
		"console=", "console", "console=ttys0", "console=\"\"",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i]), 0);
		CHECK_EQ(c.n_consoles, 0);
		CHECK_EQ(c.n_warnings, 1);
		CHECK(warned("console="));
	}
	CHECK_EQ(parse("console=hvc0"), 0);
	CHECK_STR(c.warnings[0], "cmdline: bad value for console= ('hvc0'); ignored");
	CHECK_EQ(parse("console="), 0);
	CHECK_STR(c.warnings[0], "cmdline: empty value for console=; ignored");
	/* A fifth console is refused with the reason. */
	CHECK_EQ(parse("console=ttyS0 console=ttyS1 console=ttyS2 console=ttyS3 console=tty0"), 0);
	CHECK_EQ(c.n_consoles, 4);
	CHECK_STR(c.warnings[0], "cmdline: too many console= (max 4); ignoring 'tty0'");
	CHECK_EQ(c.consoles[3].port, 3);
}

TEST(test_dump)
{
	CHECK_EQ(parse("dump=serial"), 0);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_SERIAL);
	CHECK(!c.dump.port_set);
	CHECK_EQ(parse("dump=serial:ttyS1"), 0);
	CHECK(c.dump.port_set);
	CHECK_EQ(c.dump.port, 1);
	CHECK_EQ(parse("dump=disk:nvme0n1p3"), 0);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_DISK);
	CHECK_STR(c.dump.dev, "nvme0n1p3");
	CHECK(!c.dump.force);
	CHECK_EQ(parse("dump=disk:vdb,force"), 0);
	CHECK_STR(c.dump.dev, "vdb");
	CHECK(c.dump.force);
	CHECK_EQ(parse("dump=fat"), 0);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_FAT);
	CHECK_EQ(parse("dump=fat:sda1"), 0);
	CHECK_STR(c.dump.dev, "sda1");
	CHECK_EQ(parse("dump=none"), 0);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_NONE);
	CHECK_EQ(parse("dump=file"), 0);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_FILE);
	CHECK_EQ(c.n_warnings, 0);
	/* the file's disk comes from the handoff block, never the line */
	CHECK_EQ(parse("dump=file:virtio0"), 0);
	CHECK_EQ(c.n_warnings, 1);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_AUTO);
	/* 31 characters fit; 32 do not. */
	CHECK_EQ(parse("dump=disk:abcdefghijklmnopqrstuvwxyz01234"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(strlen(c.dump.dev), 31);
	CHECK_EQ(parse("dump=disk:abcdefghijklmnopqrstuvwxyz012345"), 0);
	CHECK_EQ(c.n_warnings, 1);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_AUTO);
	CHECK_STR(c.dump.dev, "");
	/* A later good dump= replaces the device, force and all. */
	CHECK_EQ(parse("dump=disk:sda,force dump=fat"), 0);
	CHECK_STR(c.dump.dev, "");
	CHECK(!c.dump.force);
}

TEST(test_dump_bad)
{
	static const char *const bad[] = {
		"dump=tape", "dump=disk:", "dump=disk:SDA", "dump=disk:sd-a", "dump=disk,force",
		"dump=disk:sda,forced", "dump=disk:sda,force,x", "dump=fat:sda1,force",
		"dump=serial:ttyS4", "dump=serial:", "dump=serial:ttyS0,force", "dump=none:x",
		"dump=", "dump", "dump=:sda", "dump=disk:../sda",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i]), 0);
		CHECK_EQ(c.dump.kind, CMDLINE_DUMP_AUTO);
		CHECK_EQ(c.n_warnings, 1);
		CHECK(warned("dump="));
	}
	/* A bad value keeps the earlier good one and says so. */
	CHECK_EQ(parse("dump=serial dump=disk:/dev/sda"), 0);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_SERIAL);
	CHECK_STR(c.warnings[0], "cmdline: bad value for dump= ('disk:/dev/sda'); using serial");
}

TEST(test_after)
{
	static const struct { const char *s; enum cmdline_after a; } good[] = {
		{ "after=halt", CMDLINE_AFTER_HALT }, { "after=poweroff", CMDLINE_AFTER_POWEROFF },
		{ "after=reboot", CMDLINE_AFTER_REBOOT }, { "after=capsule", CMDLINE_AFTER_CAPSULE },
	};

	for (size_t i = 0; i < 4; i++) {
		CHECK_EQ(parse(good[i].s), 0);
		CHECK_EQ(c.after, good[i].a);
		CHECK_EQ(c.n_warnings, 0);
		CHECK_STR(cmdline_after_name(good[i].a), good[i].s + 6);
	}
	CHECK_EQ(parse("after=sleep"), 0);
	CHECK_EQ(c.after, CMDLINE_AFTER_HALT);
	CHECK_STR(c.warnings[0], "cmdline: bad value for after= ('sleep'); using halt");
	CHECK_EQ(parse("after=reboot after=Reboot"), 0);
	CHECK_EQ(c.after, CMDLINE_AFTER_REBOOT);
	CHECK_STR(c.warnings[0], "cmdline: bad value for after= ('Reboot'); using reboot");
	CHECK_EQ(parse("after="), 0);
	CHECK_STR(c.warnings[0], "cmdline: empty value for after=; using halt");
	CHECK_EQ(parse("after=rebootx"), 0);
	CHECK_EQ(c.after, CMDLINE_AFTER_HALT);
}

TEST(test_elfcorehdr)
{
	CHECK_EQ(parse("elfcorehdr=523260K"), 0);
	CHECK_EQ(c.elfcorehdr_addr, 523260ull << 10);
	CHECK_EQ(parse("elfcorehdr=0x7F000000"), 0);
	CHECK_EQ(c.elfcorehdr_addr, 0x7f000000);
	CHECK_EQ(parse("elfcorehdr=64K@0x7f000000"), 0);
	CHECK_EQ(c.elfcorehdr_addr, 0x7f000000);
	CHECK_EQ(c.elfcorehdr_size, 65536);
	CHECK_EQ(parse("elfcorehdr=2G"), 0);
	CHECK_EQ(c.elfcorehdr_addr, 2ull << 30);
	CHECK_EQ(parse("elfcorehdr=1m"), 0);
	CHECK_EQ(c.elfcorehdr_addr, 1ull << 20);
	CHECK_EQ(parse("elfcorehdr=0"), 0);
	CHECK(c.elfcorehdr_set);
	CHECK_EQ(c.elfcorehdr_addr, 0);

	static const char *const bad[] = {
		"elfcorehdr=", "elfcorehdr=K", "elfcorehdr=0x", "elfcorehdr=12Q",
		"elfcorehdr=12KK", "elfcorehdr=@0x1000", "elfcorehdr=4K@",
		"elfcorehdr=18446744073709551616", "elfcorehdr=0x10000000000000000",
		"elfcorehdr=17179869184G", "elfcorehdr=16E", "elfcorehdr=1@2@3",
		"elfcorehdr=-1", "elfcorehdr= 5",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i]), 0);
		CHECK(!c.elfcorehdr_set);
		CHECK_EQ(c.n_warnings, (i == sizeof(bad) / sizeof(bad[0]) - 1) ? 2 : 1);
	}
	/* The largest value that fits. */
	CHECK_EQ(parse("elfcorehdr=18446744073709551615"), 0);
	CHECK_EQ(c.elfcorehdr_addr, UINT64_MAX);
	CHECK_EQ(parse("elfcorehdr=15E"), 0);
	CHECK_EQ(c.elfcorehdr_addr, 15ull << 60);
}

TEST(test_memparse)
{
	uint64_t v;
	size_t used;

	CHECK_EQ(cmdline_memparse("640K@0", 6, &v, &used), 0);
	CHECK_EQ(v, 640 * 1024);
	CHECK_EQ(used, 4);
	CHECK_EQ(cmdline_memparse("0x1000", 6, &v, &used), 0);
	CHECK_EQ(v, 0x1000);
	CHECK_EQ(cmdline_memparse("0xfft", 5, &v, &used), 0);
	CHECK_EQ(v, 0xff * (1ull << 40));
	CHECK_EQ(used, 5);
	/* len limits: "123" read as "12", "0x10" as "0x" (i.e. "0" then 'x'). */
	CHECK_EQ(cmdline_memparse("123", 2, &v, &used), 0);
	CHECK_EQ(v, 12);
	CHECK_EQ(cmdline_memparse("0x10", 2, &v, &used), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(used, 1);
	CHECK_EQ(cmdline_memparse("0x", 2, &v, &used), 0);
	CHECK_EQ(used, 1);
	CHECK_EQ(cmdline_memparse("1E", 2, &v, &used), 0);
	CHECK_EQ(v, 1ull << 60);
	CHECK_EQ(cmdline_memparse("1p", 2, &v, &used), 0);
	CHECK_EQ(v, 1ull << 50);
	CHECK_EQ(cmdline_memparse("010", 3, &v, &used), 0);
	CHECK_EQ(v, 10);	/* decimal, not Linux's octal */
	CHECK_EQ(cmdline_memparse("", 0, &v, &used), -EINVAL);
	CHECK_EQ(cmdline_memparse("K", 1, &v, &used), -EINVAL);
	CHECK_EQ(cmdline_memparse(NULL, 0, &v, &used), -EINVAL);
	CHECK_EQ(cmdline_memparse("99999999999999999999", 20, &v, &used), -ERANGE);
	CHECK_EQ(v, 0);
	CHECK_EQ(used, 0);
	CHECK_EQ(cmdline_memparse("16E", 3, &v, &used), -ERANGE);
	CHECK_EQ(cmdline_memparse("0xffffffffffffffffff", 20, &v, &used), -ERANGE);
	CHECK_EQ(cmdline_memparse("0xffffffffffffffff", 18, &v, &used), 0);
	CHECK_EQ(v, UINT64_MAX);
	CHECK_EQ(cmdline_memparse("8191P", 5, &v, &used), 0);
	CHECK_EQ(cmdline_memparse("16384P", 6, &v, &used), -ERANGE);
}

TEST(test_memmap)
{
	CHECK_EQ(parse("memmap=1M#0x7ff00000 memmap=4K$0xfed00000 memmap=16G!4G"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK(!c.memmap_exactmap);
	CHECK_EQ(c.n_memmap, 3);
	CHECK_EQ(c.memmap[0].type, CMDLINE_MEM_ACPI);
	CHECK_EQ(c.memmap[0].start, 0x7ff00000);
	CHECK_EQ(c.memmap[0].size, 1 << 20);
	CHECK_EQ(c.memmap[1].type, CMDLINE_MEM_RESERVED);
	CHECK_EQ(c.memmap[2].type, CMDLINE_MEM_PRAM);
	CHECK_EQ(c.memmap[2].start, 4ull << 30);
	CHECK_EQ(c.memmap[2].size, 16ull << 30);
	/* Comma lists, and exactmap dropping what came before (as Linux). */
	CHECK_EQ(parse("memmap=1M@0 memmap=exactmap memmap=100M@2G,100M#3G,1G!1024G"), 0);
	CHECK_EQ(c.n_memmap, 3);
	CHECK_EQ(c.memmap[0].start, 2ull << 30);
	CHECK_EQ(c.memmap[2].start, 1024ull << 30);
	/* A bad item adds none of its list. */
	CHECK_EQ(parse("memmap=100M@2G,100M%3G"), 0);
	CHECK_EQ(c.n_memmap, 0);
	CHECK_STR(c.warnings[0], "cmdline: bad value for memmap= ('100M@2G,100M%3G'); ignored");

	static const char *const bad[] = {
		"memmap=", "memmap=1G", "memmap=0@0", "memmap=@0", "memmap=1M@",
		"memmap=1M@0x", "memmap=1M@0,", "memmap=,1M@0", "memmap=16E@0",
		"memmap=2@0xffffffffffffffff", "memmap=exactmap2",
		"memmap=1M-0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i]), 0);
		CHECK_EQ(c.n_memmap, 0);
		CHECK(!c.memmap_exactmap);
		CHECK(c.n_warnings >= 1);
		CHECK(warned("memmap="));
	}
	/* Exactly to the top of the address space but not past it. */
	CHECK_EQ(parse("memmap=1@0xfffffffffffffffe"), 0);
	CHECK_EQ(c.n_memmap, 1);
}

TEST(test_memmap_limit)
{
	static char line[64 * 16 + 64];
	size_t n = 0;

	for (int i = 0; i < 64; i++)
		n += (size_t)sprintf(line + n, "memmap=4K@%dM ", i);
	CHECK_EQ(cmdline_parse(line, n, &c), 0);
	CHECK_EQ(c.n_memmap, 64);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.memmap[63].start, 63ull << 20);
	n += (size_t)sprintf(line + n, "memmap=4K@100M");
	CHECK_EQ(cmdline_parse(line, n, &c), 0);
	CHECK_EQ(c.n_memmap, 64);
	CHECK_STR(c.warnings[0], "cmdline: too many memmap= (max 64); ignoring '4K@100M'");
	/* With 63 taken, a two-item list would overflow: it adds nothing. */
	n = 0;
	for (int i = 0; i < 63; i++)
		n += (size_t)sprintf(line + n, "memmap=4K@%dM ", i);
	n += (size_t)sprintf(line + n, "memmap=1K@0,1K@1M");
	CHECK_EQ(cmdline_parse(line, n, &c), 0);
	CHECK_EQ(c.n_memmap, 63);
	CHECK(warned("too many memmap="));
	CHECK_EQ(parse("memmap=exactmap memmap=1K@0,1K@1M"), 0);
	CHECK_EQ(c.n_memmap, 2);
}

TEST(test_acpi_rsdp_handoff)
{
	CHECK_EQ(parse("acpi_rsdp=0xf0490 handoff=0x7e000000,64K"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK(c.acpi_rsdp_set);
	CHECK_EQ(c.acpi_rsdp, 0xf0490);
	CHECK(c.handoff_set);
	CHECK_EQ(c.handoff_addr, 0x7e000000);
	CHECK_EQ(c.handoff_size, 65536);
	/* Linux reads acpi_rsdp= in base 16 even without 0x. */
	CHECK_EQ(parse("acpi_rsdp=7fe0014"), 0);
	CHECK_EQ(c.acpi_rsdp, 0x7fe0014);

	static const char *const bad[] = {
		"acpi_rsdp=", "acpi_rsdp=0x", "acpi_rsdp=xyz", "acpi_rsdp=1000K",
		"acpi_rsdp=0x10000000000000000", "handoff=", "handoff=0x1000",
		"handoff=0x1000,", "handoff=,4K", "handoff=0x1000,0", "handoff=4K,4K,4K",
		"handoff=0xfffffffffffff000,8K",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i]), 0);
		CHECK(!c.acpi_rsdp_set);
		CHECK(!c.handoff_set);
		CHECK_EQ(c.n_warnings, 1);
	}
}

TEST(test_pm_options)
{
	CHECK_EQ(parse("pm.test=fault pm.inventory pm.zero=skip"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.test, CMDLINE_TEST_FAULT);
	CHECK(c.inventory);
	CHECK_EQ(c.zero, CMDLINE_ZERO_SKIP);
	CHECK_EQ(parse("pm.zero=keep"), 0);
	CHECK_EQ(c.zero, CMDLINE_ZERO_KEEP);
	CHECK_EQ(parse("pm.test=explode"), 0);
	CHECK_EQ(c.test, CMDLINE_TEST_NONE);
	CHECK_STR(c.warnings[0], "cmdline: bad value for pm.test= ('explode'); using none");
	CHECK_EQ(parse("pm.test=blkdev"), 0);
	CHECK_EQ(c.test, CMDLINE_TEST_BLKDEV);
	CHECK_EQ(parse("pm.test=efirt"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.test, CMDLINE_TEST_EFIRT);
	CHECK_EQ(parse("pm.test=efirt pm.test=efi"), 0);
	CHECK_EQ(c.test, CMDLINE_TEST_EFIRT);
	CHECK_STR(c.warnings[0], "cmdline: bad value for pm.test= ('efi'); using efirt");
	CHECK_EQ(parse("pm.test=efirt-fault"), 0);
	CHECK_EQ(c.test, CMDLINE_TEST_EFIRT_FAULT);
	CHECK_EQ(parse("pm.test=efirt-fault pm.test=efirt-faults"), 0);
	CHECK_STR(c.warnings[0], "cmdline: bad value for pm.test= ('efirt-faults'); using efirt-fault");
	CHECK_EQ(parse("pm.test=reentry pm.test=reenter"), 0);
	CHECK_EQ(c.test, CMDLINE_TEST_REENTRY);
	CHECK_STR(c.warnings[0], "cmdline: bad value for pm.test= ('reenter'); using reentry");
	CHECK_EQ(parse("pm.inventory=yes"), 0);
	CHECK(!c.inventory);
	CHECK(warned("pm.inventory (takes no value)"));
	CHECK_EQ(parse("pm.zero=drop"), 0);
	CHECK_EQ(c.zero, CMDLINE_ZERO_DEFAULT);
	CHECK_STR(c.warnings[0], "cmdline: bad value for pm.zero= ('drop'); using default");
	CHECK_EQ(parse("pm.bogus=1"), 0);
	CHECK_STR(c.warnings[0], "cmdline: ignoring unknown option 'pm.bogus=1'");
	CHECK_EQ(parse("pm.bench=sha256"), 0);
	CHECK_EQ(c.bench, CMDLINE_BENCH_SHA256);
	CHECK_EQ(parse("pm.bench=compress"), 0);
	CHECK_EQ(c.bench, CMDLINE_BENCH_COMPRESS);
	CHECK_EQ(parse("pm.bench=compress pm.bench=lz4"), 0);
	CHECK_STR(c.warnings[0], "cmdline: bad value for pm.bench= ('lz4'); using compress");
	CHECK_EQ(parse("pm.bench=aesgcm"), 0);
	CHECK_EQ(c.bench, CMDLINE_BENCH_AESGCM);
	CHECK_EQ(parse("pm.bench=aesgcm pm.bench=aes"), 0);
	CHECK_STR(c.warnings[0], "cmdline: bad value for pm.bench= ('aes'); using aesgcm");
	CHECK_EQ(parse("pm.bench=md5"), 0);
	CHECK_EQ(c.bench, CMDLINE_BENCH_NONE);
	CHECK_STR(c.warnings[0], "cmdline: bad value for pm.bench= ('md5'); using none");
}

TEST(test_fatpart)
{
	static const char *const bad[] = {
		"pm.fatpart=0", "pm.fatpart=63K", "pm.fatpart=4096M", "pm.fatpart=5G",
		"pm.fatpart=100000", "pm.fatpart=1Q", "pm.fatpart=",
	};

	CHECK_EQ(parse(""), 0);
	CHECK_EQ(c.fat_part, CMDLINE_FATPART_DEFAULT);
	CHECK_EQ(parse("pm.fatpart=1M"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.fat_part, 1u << 20);
	CHECK_EQ(parse("pm.fatpart=64K"), 0);
	CHECK_EQ(c.fat_part, 64u << 10);
	CHECK_EQ(parse("pm.fatpart=4095M"), 0);
	CHECK_EQ(c.fat_part, CMDLINE_FATPART_MAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i]), 0);
		CHECK_EQ(c.fat_part, CMDLINE_FATPART_DEFAULT);
		CHECK_EQ(c.n_warnings, 1);
	}
}

TEST(test_ignored)
{
	CHECK_EQ(parse("BOOT_IMAGE=/vmlinuz-6.1 root=UUID=1234 ro quiet splash "
		       "crashkernel=256M loglevel=7 systemd.unit=kdump.target "
		       "rd.lvm.lv=vg/root udev.children-max=2 cgroup_disable=memory "
		       "mce=off numa=off panic=10 acpi_no_memhotplug "
		       "transparent_hugepage=never nokaslr novmcoredd hest_disable "
		       "disable_cpu_apicid=0 maxcpus=1 earlyprintk=serial noefi efi=noruntime "
		       "nosmp noapic iommu=off intel_iommu=off amd_iommu=off pcie_aspm=off "
		       "init=/bin/sh initrd=/initrd.img rw"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.n_ignored, 33);
	CHECK(all_default());
	/* Prefix entries need something after the dot; case matters. */
	CHECK_EQ(parse("systemd. rd Root=x"), 0);
	CHECK_EQ(c.n_ignored, 0);
	CHECK_EQ(c.n_warnings, 3);
	/* Words after "--" are init's. */
	CHECK_EQ(parse("after=reboot -- after=poweroff single"), 0);
	CHECK_EQ(c.after, CMDLINE_AFTER_REBOOT);
	CHECK_EQ(c.n_ignored, 2);
	CHECK_EQ(c.n_warnings, 0);
}

TEST(test_unknown_and_truncation)
{
	CHECK_EQ(parse("foo=bar"), 0);
	CHECK_STR(c.warnings[0], "cmdline: ignoring unknown option 'foo=bar'");
	CHECK_EQ(parse("=x"), 0);
	CHECK_STR(c.warnings[0], "cmdline: ignoring unknown option '=x'");
	/* Long and unprintable text is cut and masked. */
	CHECK_EQ(parse("after=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"), 0);
	CHECK_STR(c.warnings[0], "cmdline: bad value for after= "
		  "('abcdefghijklmnopqrstuvwxyzabcdefg...'); using halt");
	CHECK_EQ(parse("\x1b[2J\xff"), 0);
	CHECK_STR(c.warnings[0], "cmdline: ignoring unknown option '?[2J?'");
	for (size_t i = 0; i < c.n_warnings; i++)
		CHECK(strlen(c.warnings[i]) < CMDLINE_WARNING_LEN);
}

TEST(test_quotes)
{
	CHECK_EQ(parse("\"dump=disk:sda\" after=\"reboot\""), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_DISK);
	CHECK_STR(c.dump.dev, "sda");
	CHECK_EQ(c.after, CMDLINE_AFTER_REBOOT);
	/* Quoted spaces stay inside one word: a bad value, not two words. */
	CHECK_EQ(parse("after=\"a b\" dump=none"), 0);
	CHECK_EQ(c.n_words, 2);
	CHECK_STR(c.warnings[0], "cmdline: bad value for after= ('a b'); using halt");
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_NONE);
	CHECK_EQ(parse("\"foo=a b\""), 0);
	CHECK_STR(c.warnings[0], "cmdline: ignoring unknown option 'foo=a b'");
	/* An unterminated quote swallows the rest of the line, with a warning. */
	CHECK_EQ(parse("after=reboot \"dump=disk after=poweroff"), 0);
	CHECK_EQ(c.n_words, 2);
	CHECK_EQ(c.after, CMDLINE_AFTER_REBOOT);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_AUTO);
	CHECK(warned("unterminated quote"));
	CHECK(warned("bad value for dump="));
	CHECK_EQ(parse("after=\"reboot"), 0);
	CHECK_EQ(c.after, CMDLINE_AFTER_REBOOT);
	CHECK(warned("unterminated quote"));
	CHECK_EQ(parse("\""), 0);
	CHECK_EQ(c.n_warnings, 1);
	CHECK(all_default());
}

TEST(test_len_limits_and_nul)
{
	static const char line[] = "after=reboot dump=none";

	/* len cuts mid-word: "after=reb" is a bad value. */
	CHECK_EQ(cmdline_parse(line, 9, &c), 0);
	CHECK_EQ(c.after, CMDLINE_AFTER_HALT);
	CHECK_STR(c.warnings[0], "cmdline: bad value for after= ('reb'); using halt");
	CHECK_EQ(cmdline_parse(line, 12, &c), 0);
	CHECK_EQ(c.after, CMDLINE_AFTER_REBOOT);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_AUTO);
	CHECK_EQ(cmdline_parse(line, 0, &c), 0);
	CHECK_EQ(c.n_words, 0);
	/* A NUL ends the line even when len goes on. */
	CHECK_EQ(cmdline_parse("after=reboot\0dump=none", 22, &c), 0);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_AUTO);
	CHECK_EQ(c.n_words, 1);
	/* Every prefix of a real line parses cleanly under ASan (exact-size copy). */
	static const char full[] = "console=ttyS0,115200n8 dump=disk:vda,force "
				   "memmap=640K@0K \"after=poweroff\" elfcorehdr=64K@0x1000";
	for (size_t n = 0; n <= sizeof(full) - 1; n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, full, n);
		CHECK_EQ(cmdline_parse(copy, n, &c), 0);
		free(copy);
	}
	CHECK_EQ(c.n_warnings, 0);
	CHECK(c.dump.force);
	CHECK_EQ(c.elfcorehdr_size, 65536);
}

TEST(test_long_word)
{
	static char big[4096];

	memset(big, 'a', sizeof(big));
	CHECK_EQ(cmdline_parse(big, sizeof(big), &c), 0);
	CHECK_EQ(c.n_words, 1);
	CHECK_EQ(c.n_warnings, 1);
	CHECK(strlen(c.warnings[0]) < CMDLINE_WARNING_LEN);
	CHECK(warned("aaa...'"));
	memcpy(big, "after=", 6);
	CHECK_EQ(cmdline_parse(big, sizeof(big), &c), 0);
	CHECK_EQ(c.after, CMDLINE_AFTER_HALT);
	CHECK(warned("; using halt"));
	memcpy(big, "elfcorehdr=", 11);
	memset(big + 11, '9', sizeof(big) - 11);
	CHECK_EQ(cmdline_parse(big, sizeof(big), &c), 0);
	CHECK(!c.elfcorehdr_set);
	CHECK_EQ(c.n_warnings, 1);
}

TEST(test_warning_overflow)
{
	CHECK_EQ(parse("a b c d e f g h i j k l after=poweroff"), 0);
	CHECK_EQ(c.n_warnings, CMDLINE_MAX_WARNINGS);
	CHECK_EQ(c.n_dropped_warnings, 4);
	CHECK_STR(c.warnings[0], "cmdline: ignoring unknown option 'a'");
	CHECK_STR(c.warnings[7], "cmdline: ignoring unknown option 'h'");
	CHECK_EQ(c.after, CMDLINE_AFTER_POWEROFF);
	CHECK_EQ(c.n_words, 13);
}

TEST(test_names)
{
	CHECK_STR(cmdline_dump_name(CMDLINE_DUMP_AUTO), "auto");
	CHECK_STR(cmdline_dump_name(CMDLINE_DUMP_FAT), "fat");
	CHECK_STR(cmdline_dump_name(CMDLINE_DUMP_FILE), "file");
	CHECK_STR(cmdline_dump_name((enum cmdline_dump_kind)99), "?");
	CHECK_STR(cmdline_after_name((enum cmdline_after)99), "?");
}

TEST(test_dump_format_level)
{
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(c.format, CMDLINE_FORMAT_KDUMP);	/* the default */
	CHECK_EQ(c.dump_level, 31);
	CHECK_EQ(parse("dump.format=kdump dump.level=1"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.format, CMDLINE_FORMAT_KDUMP);
	CHECK_EQ(c.dump_level, 1);
	CHECK_EQ(parse("dump=disk dump.format=elf dump.level=0"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.dump.kind, CMDLINE_DUMP_DISK);
	CHECK_EQ(c.format, CMDLINE_FORMAT_ELF);
	CHECK_EQ(c.dump_level, 0);
	CHECK_EQ(parse("dump.level=31"), 0);
	CHECK_EQ(c.dump_level, 31);
	CHECK_EQ(parse("dump.format=kdump dump.format=lzo"), 0);
	CHECK_EQ(c.format, CMDLINE_FORMAT_KDUMP);
	CHECK_STR(c.warnings[0], "cmdline: bad value for dump.format= ('lzo'); using kdump");
	CHECK_EQ(parse("dump.format=ELF"), 0);
	CHECK_EQ(c.format, CMDLINE_FORMAT_KDUMP);
	CHECK_STR(c.warnings[0], "cmdline: bad value for dump.format= ('ELF'); using kdump");
	CHECK_EQ(parse("dump.format=elf dump.format=ELF"), 0);
	CHECK_EQ(c.format, CMDLINE_FORMAT_ELF);
	CHECK_STR(c.warnings[0], "cmdline: bad value for dump.format= ('ELF'); using elf");
	CHECK_EQ(parse("dump.level=7 dump.level=32"), 0);
	CHECK_EQ(c.dump_level, 7);
	CHECK_STR(c.warnings[0], "cmdline: bad value for dump.level= ('32'); using 7");
	const char *bad[] = { "dump.level=-1", "dump.level=0x1f", "dump.level=3k", "dump.level=",
			      "dump.level=99999999999999999999999", "dump.level=1.0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i]), 0);
		CHECK_EQ(c.dump_level, 31);
		CHECK_EQ(c.n_warnings, 1);
	}
	CHECK_EQ(parse("dump.format="), 0);
	CHECK_EQ(c.format, CMDLINE_FORMAT_KDUMP);
	CHECK_EQ(c.n_warnings, 1);
}

TEST(test_dump_compress)
{
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(c.compress, CMDLINE_COMPRESS_DEFAULT);
	CHECK_EQ(parse("dump.format=kdump dump.compress=zstd"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.compress, CMDLINE_COMPRESS_ZSTD);
	CHECK_EQ(parse("dump.compress=zlib"), 0);
	CHECK_EQ(c.compress, CMDLINE_COMPRESS_ZLIB);
	CHECK_EQ(parse("dump.compress=lzo"), 0);
	CHECK_EQ(c.compress, CMDLINE_COMPRESS_LZO);
	CHECK_EQ(parse("dump.compress=none"), 0);
	CHECK_EQ(c.compress, CMDLINE_COMPRESS_NONE);
	CHECK_EQ(parse("dump.compress=zstd dump.compress=lz4"), 0);
	CHECK_EQ(c.compress, CMDLINE_COMPRESS_ZSTD);
	CHECK_STR(c.warnings[0], "cmdline: bad value for dump.compress= ('lz4'); using zstd");
	const char *bad[] = { "dump.compress=", "dump.compress=default", "dump.compress=LZO",
			      "dump.compress=zstd1", "dump.compress=zl", "dump.compress=\"zlib \"" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i]), 0);
		CHECK_EQ(c.compress, CMDLINE_COMPRESS_DEFAULT);
		CHECK_EQ(c.n_warnings, 1);
	}
	CHECK_STR(c.warnings[0], "cmdline: bad value for dump.compress= ('zlib '); using default");
	CHECK_STR(cmdline_compress_name(CMDLINE_COMPRESS_NONE), "none");
	CHECK_STR(cmdline_compress_name((enum cmdline_compress)99), "?");
}

/* dump.encrypt=: required or auto; required is never lowered by a later word. */
TEST(test_dump_encrypt)
{
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(c.encrypt, CMDLINE_ENCRYPT_AUTO);
	CHECK_EQ(parse("dump.encrypt=required"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.encrypt, CMDLINE_ENCRYPT_REQUIRED);
	CHECK_EQ(parse("dump.encrypt=auto"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.encrypt, CMDLINE_ENCRYPT_AUTO);
	CHECK_EQ(parse("dump.encrypt=auto dump.encrypt=required dump.encrypt=required"), 0);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(c.encrypt, CMDLINE_ENCRYPT_REQUIRED);
	/* the kexec line has required, something later says auto: required stays */
	CHECK_EQ(parse("console=ttyS0 dump.encrypt=required dump=disk dump.encrypt=auto"), 0);
	CHECK_EQ(c.encrypt, CMDLINE_ENCRYPT_REQUIRED);
	CHECK_EQ(c.n_warnings, 1);
	CHECK_STR(c.warnings[0], "cmdline: dump.encrypt=required stays; ignoring 'auto'");
	CHECK_EQ(parse("dump.encrypt=required dump.encrypt=off"), 0);
	CHECK_EQ(c.encrypt, CMDLINE_ENCRYPT_REQUIRED);
	CHECK_STR(c.warnings[0], "cmdline: bad value for dump.encrypt= ('off'); using required");
	const char *bad[] = { "dump.encrypt=", "dump.encrypt", "dump.encrypt=REQUIRED",
			      "dump.encrypt=require", "dump.encrypt=requiredx", "dump.encrypt=yes",
			      "dump.encrypt=\"required \"", "dump.encrypt=required,auto" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(parse(bad[i]), 0);
		CHECK_EQ(c.encrypt, CMDLINE_ENCRYPT_AUTO);
		CHECK_EQ(c.n_warnings, 1);
	}
	CHECK_STR(c.warnings[0], "cmdline: bad value for dump.encrypt= ('required,auto'); using auto");
	CHECK_EQ(parse("\"dump.encrypt=required\""), 0);
	CHECK_EQ(c.encrypt, CMDLINE_ENCRYPT_REQUIRED);
	CHECK_EQ(parse("dump.encrypt=\"required\""), 0);
	CHECK_EQ(c.encrypt, CMDLINE_ENCRYPT_REQUIRED);
	/* words after "--" belong to init */
	CHECK_EQ(parse("-- dump.encrypt=required"), 0);
	CHECK_EQ(c.encrypt, CMDLINE_ENCRYPT_AUTO);
	CHECK_STR(cmdline_encrypt_name(CMDLINE_ENCRYPT_REQUIRED), "required");
	CHECK_STR(cmdline_encrypt_name(CMDLINE_ENCRYPT_AUTO), "auto");
	CHECK_STR(cmdline_encrypt_name((enum cmdline_encrypt)7), "?");
}

/* smp=: auto (default), off, on, test; a bad value keeps what was there. */
TEST(test_smp)
{
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(c.smp, CMDLINE_SMP_AUTO);
	CHECK_EQ(parse("smp=off smp=auto"), 0);
	CHECK_EQ(c.smp, CMDLINE_SMP_AUTO);
	CHECK_EQ(parse("smp=off"), 0);
	CHECK_EQ(c.smp, CMDLINE_SMP_OFF);
	CHECK_EQ(c.n_warnings, 0);
	CHECK_EQ(parse("smp=test"), 0);
	CHECK_EQ(c.smp, CMDLINE_SMP_TEST);
	CHECK_EQ(parse("smp=test-hang"), 0);
	CHECK_EQ(c.smp, CMDLINE_SMP_TEST_HANG);
	CHECK_EQ(parse("smp=test-stall"), 0);
	CHECK_EQ(c.smp, CMDLINE_SMP_TEST_STALL);
	CHECK_EQ(parse("smp=off smp=on"), 0);
	CHECK_EQ(c.smp, CMDLINE_SMP_ON);
	CHECK_EQ(parse("smp=off smp=2"), 0);
	CHECK_EQ(c.smp, CMDLINE_SMP_OFF);
	CHECK_EQ(c.n_warnings, 1);
	CHECK_STR(c.warnings[0], "cmdline: bad value for smp= ('2'); using off");
	CHECK_EQ(parse("smp"), 0);
	CHECK_EQ(c.smp, CMDLINE_SMP_AUTO);
	CHECK_EQ(c.n_warnings, 1);
	CHECK_EQ(parse("smp=on nosmp"), 0);	/* Linux's own switches on a kdump line are not ours */
	CHECK_EQ(c.smp, CMDLINE_SMP_ON);
	CHECK_EQ(parse("nosmp nr_cpus=1 maxcpus=1"), 0);
	CHECK_EQ(c.smp, CMDLINE_SMP_AUTO);
	CHECK_EQ(c.n_warnings, 0);
}

TEST_MAIN(test_smp, test_defaults_and_empty, test_dump_format_level, test_dump_compress, test_dump_encrypt, test_kexec_file_line, test_kexec_tools_line,
	  test_console, test_console_bad, test_dump, test_dump_bad, test_after,
	  test_elfcorehdr, test_memparse, test_memmap, test_memmap_limit,
	  test_acpi_rsdp_handoff, test_pm_options, test_fatpart, test_ignored,
	  test_unknown_and_truncation, test_quotes, test_len_limits_and_nul,
	  test_long_word, test_warning_overflow, test_names)
