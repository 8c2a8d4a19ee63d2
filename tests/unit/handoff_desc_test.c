/*
 * Unit tests for payload/handoff_desc.c, the handoff description-file line
 * parser: every keyword with good lines (numbers in each form, names for
 * types and GUIDs, optional parts), then bad lines, each checked for the
 * sentence it produces.  Lines are copied into exact-size heap buffers
 * without a NUL, so ASan sees any read past len.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/handoff.h"
#include "payload/handoff_desc.h"
#include "tests/unit/test.h"

static struct handoff_desc_line d;
static char *heap;

/* Parse s (no NUL handed over); the spans in d stay valid until the next call. */
static int parse(const char *s)
{
	size_t n = strlen(s);

	free(heap);
	heap = malloc(n ? n : 1);
	memcpy(heap, s, n);
	return handoff_desc_parse_line(heap, n, &d);
}

static bool text_is(struct handoff_desc_text t, const char *s)
{
	return t.len == strlen(s) && memcmp(t.ptr, s, t.len) == 0;
}

static bool err_has(const char *s)
{
	return strstr(d.error, s) != NULL;
}

TEST(test_empty_and_comments)
{
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_EMPTY);
	CHECK_EQ(parse("   \t \r"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_EMPTY);
	CHECK_EQ(parse("# efi-mmap nonsense"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_EMPTY);
	CHECK_EQ(parse("  #indented comment"), 0);
	CHECK_EQ(handoff_desc_parse_line(NULL, 0, &d), 0);
}

TEST(test_efi_mmap_memmap)
{
	CHECK_EQ(parse("efi-mmap conventional 0x100000 256 0xf"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_EFI_MMAP);
	CHECK_EQ(d.efi_md.type, 7);
	CHECK_EQ(d.efi_md.physical_start, 0x100000);
	CHECK_EQ(d.efi_md.number_of_pages, 256);
	CHECK_EQ(d.efi_md.attribute, 0xf);
	CHECK_EQ(parse("efi-mmap\t4  16M 1K 0x800000000000000f\r"), 0);
	CHECK_EQ(d.efi_md.type, 4);
	CHECK_EQ(d.efi_md.physical_start, 16 << 20);
	CHECK_EQ(d.efi_md.number_of_pages, 1024);
	CHECK_EQ(d.efi_md.attribute, 0x800000000000000full);
	CHECK_EQ(parse("memmap 0 0x9fc00 ram"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_MEMMAP);
	CHECK_EQ(d.memmap.size, 0x9fc00);
	CHECK_EQ(d.memmap.type, 1);
	CHECK_EQ(parse("memmap 4G 2G soft-reserved"), 0);
	CHECK_EQ(d.memmap.start, 4ull << 30);
	CHECK_EQ(d.memmap.type, HANDOFF_E820_SOFT_RESERVED);
	CHECK_EQ(parse("memmap 0xf0000 64K 12"), 0);
	CHECK_EQ(d.memmap.type, 12);
}

TEST(test_systab)
{
	CHECK_EQ(parse("systab 0x7f9e0018 2.70 EDK II"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_SYSTAB);
	CHECK_EQ(d.systab.systab_addr, 0x7f9e0018);
	CHECK_EQ(d.systab.revision, 0x20046);
	CHECK_STR(d.systab.fw_vendor, "EDK II");
	CHECK_EQ(parse("systab 0x1000 2.7 runtime=0x2000 fw-revision=0x10000 "
		       "config-table=0x3000 config-count=11 vendor-addr=0x4000 platform=64  "
		       "American Megatrends  "), 0);
	CHECK_EQ(d.systab.revision, 0x20046);
	CHECK_EQ(d.systab.runtime_services, 0x2000);
	CHECK_EQ(d.systab.fw_revision, 0x10000);
	CHECK_EQ(d.systab.config_table_addr, 0x3000);
	CHECK_EQ(d.systab.config_table_count, 11);
	CHECK_EQ(d.systab.fw_vendor_addr, 0x4000);
	CHECK_EQ(d.systab.platform_bits, 64);
	CHECK_STR(d.systab.fw_vendor, "American Megatrends");
	CHECK_EQ(parse("systab 0x1000 0x2001f"), 0);
	CHECK_EQ(d.systab.revision, 0x2001f);
	CHECK_EQ(d.systab.fw_vendor[0], 0);
	CHECK_EQ(parse("systab 0x1000 2.31 x"), 0);
	CHECK_EQ(d.systab.revision, 0x2001f);
	/* 64 bytes of vendor fill the field; 65 do not fit. */
	CHECK_EQ(parse("systab 1 1 0123456789012345678901234567890123456789012345678901234567890123"), 0);
	CHECK_EQ(d.systab.fw_vendor[63], '3');
	CHECK_EQ(parse("systab 1 1 01234567890123456789012345678901234567890123456789012345678901234"),
		 -EINVAL);
	CHECK(err_has("systab: vendor is longer than the field"));
}

TEST(test_tables_and_esrt)
{
	static const uint8_t esrt[16] = HANDOFF_GUID_ESRT;
	char s[37];

	CHECK_EQ(parse("config-table esrt 0x7e0a4000"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_CONFIG_TABLE);
	CHECK_EQ(memcmp(d.table.guid, esrt, 16), 0);
	CHECK_EQ(d.table.table, 0x7e0a4000);
	CHECK_EQ(parse("config-table 8868E871-E4F1-11D3-BC22-0080C73C8881 0xf0000"), 0);
	handoff_guid_format(d.table.guid, s);
	CHECK_STR(s, "8868e871-e4f1-11d3-bc22-0080c73c8881");
	CHECK_EQ(parse("esrt-entry 01020304-0506-0708-090a-0b0c0d0e0f10 system 3 1 0x8010 2 0"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_ESRT_ENTRY);
	CHECK_EQ(d.esrt.fw_class[0], 4);
	CHECK_EQ(d.esrt.fw_type, 1);
	CHECK_EQ(d.esrt.fw_version, 3);
	CHECK_EQ(d.esrt.lowest_supported_fw_version, 1);
	CHECK_EQ(d.esrt.capsule_flags, 0x8010);
	CHECK_EQ(d.esrt.last_attempt_version, 2);
	CHECK_EQ(d.esrt.last_attempt_status, 0);
	CHECK(!d.esrt_at);
	CHECK_EQ(parse("esrt-entry esrt 2 3 1 0 2 6 at 0x7e0a4000"), 0);
	CHECK(d.esrt_at);
	CHECK_EQ(d.esrt_addr, 0x7e0a4000);
	CHECK_EQ(d.esrt.fw_type, 2);
	CHECK_EQ(d.esrt.last_attempt_status, 6);
	CHECK_EQ(parse("table-copy linux-memreserve 0x1000 tables/memres.bin"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_TABLE_COPY);
	CHECK_EQ(d.table.table, 0x1000);
	CHECK(text_is(d.text, "tables/memres.bin"));
}

TEST(test_runtime_ranges_text)
{
	CHECK_EQ(parse("runtime-map runtime-data 0x7f000000 0xfffffffeff000000 16 0x800000000000000f"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_RUNTIME_MAP);
	CHECK_EQ(d.runtime.type, 6);
	CHECK_EQ(d.runtime.virt_addr, 0xfffffffeff000000ull);
	CHECK_EQ(d.runtime.num_pages, 16);
	CHECK_EQ(parse("dump-range 0x100000 1G"), 0);
	CHECK_EQ(d.range.start, 0x100000);
	CHECK_EQ(d.range.size, 1ull << 30);
	CHECK_EQ(parse("dump-range 0xfffffffffffff000 4K"), 0);	/* ends exactly at 2^64 */
	CHECK_EQ(parse("cmdline   dump=serial  after=poweroff  "), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_CMDLINE);
	CHECK(text_is(d.text, "dump=serial  after=poweroff"));
	CHECK_EQ(parse("capsule fw.cap"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_CAPSULE);
	CHECK(text_is(d.text, "fw.cap"));
	CHECK_EQ(parse("vmcoreinfo vmci.txt"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_VMCOREINFO);
	CHECK_EQ(parse("cpu-notes notes.bin"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_CPU_NOTES);
	CHECK_EQ(parse("rsdp 0xf0490"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_RSDP);
	CHECK_EQ(d.addr, 0xf0490);
	CHECK_EQ(d.text.len, 0);
	CHECK_EQ(parse("rsdp 0xf0490 rsdp.bin"), 0);
	CHECK(text_is(d.text, "rsdp.bin"));
	CHECK_EQ(parse("smbios 0xf0000 ep.bin dmi.bin"), 0);
	CHECK_EQ(d.kind, HANDOFF_DESC_SMBIOS);
	CHECK(text_is(d.text2, "dmi.bin"));
	CHECK_EQ(parse("creator testhost 6.1.0-test"), 0);
	CHECK_STR(d.creator.host, "testhost");
	CHECK_STR(d.creator.release, "6.1.0-test");
}

/* Each bad line, and a piece of the sentence it must produce. */
static const struct {
	const char *line;
	const char *error;
} bad_lines[] = {
	{ "frobnicate 1 2", "unknown keyword 'frobnicate'" },
	{ "efi-mmap conventional 0x100000 256", "efi-mmap: too few words; usage: efi-mmap <type>" },
	{ "efi-mmap conventional 0x100000 256 0xf 9", "efi-mmap: too many words" },
	{ "efi-mmap convntional 0x100000 256 0xf", "efi-mmap: bad EFI memory type 'convntional'" },
	{ "efi-mmap 7 0x100001 256 0xf", "phys-start is not 4 KiB aligned" },
	{ "efi-mmap 7 0x1000 0x10000000000000 0", "range wraps past 2^64" },
	{ "efi-mmap 7 0xfffffffffffff000 2 0", "range wraps past 2^64" },
	{ "efi-mmap 7 0x10g0 1 0", "efi-mmap: bad phys-start '0x10g0'" },
	{ "efi-mmap 7 0x 1 0", "bad phys-start '0x'" },
	{ "efi-mmap 7 99999999999999999999 1 0", "bad phys-start" },
	{ "efi-mmap 7 16777216T 1 0", "bad phys-start" },
	{ "efi-mmap 0x100000000 0 1 0", "bad EFI memory type" },
	{ "memmap 0 0 ram", "memmap: size is 0" },
	{ "memmap 0 4K bogus", "memmap: bad e820 type 'bogus'" },
	{ "systab 0x1000", "systab: too few words" },
	{ "systab 0x1000 2.700 x", "bad revision '2.700'" },
	{ "systab 0x1000 2. x", "bad revision" },
	{ "systab 0x1000 0x10000.1 x", "bad revision" },
	{ "systab 0x1000 2.7 runtme=0x1 EDK", "systab: bad key 'runtme=0x1'" },
	{ "systab 0x1000 2.7 platform=48 EDK", "bad key 'platform=48'" },
	{ "systab 0x1000 2.7 runtime=zz EDK", "bad value 'runtime=zz'" },
	{ "config-table esrt", "config-table: too few words" },
	{ "config-table nosuch 0x1000", "config-table: bad GUID 'nosuch'" },
	{ "config-table b122a263-3661-4f68-9929-78f8b0d6218 1", "bad GUID" },
	{ "esrt-entry esrt 1 1 1 1 1", "esrt-entry: too few words" },
	{ "esrt-entry esrt 9x 1 1 1 1 1", "bad type '9x'" },
	{ "esrt-entry esrt 1 0x100000000 1 1 1 1", "bad version '0x100000000' (a number below 2^32)" },
	{ "esrt-entry esrt 1 1 1 1 1 1 on 0x1000", "only \"at <esrt-addr>\" may follow" },
	{ "esrt-entry esrt 1 1 1 1 1 1 at", "only \"at <esrt-addr>\" may follow" },
	{ "esrt-entry esrt 1 1 1 1 1 1 at 1 2", "esrt-entry: too many words" },
	{ "esrt-entry esrt 1 1 1 1 1 1 at x", "bad ESRT address 'x'" },
	{ "runtime-map 5 0x1000 0x1000 1", "runtime-map: too few words" },
	{ "dump-range 0x1000", "dump-range: too few words" },
	{ "dump-range 0x1000 0", "dump-range: size is 0" },
	{ "dump-range 0xffffffffffffffff 2", "range wraps past 2^64" },
	{ "cmdline", "cmdline: too few words" },
	{ "capsule", "capsule: too few words" },
	{ "capsule a b", "capsule: too many words" },
	{ "rsdp", "rsdp: too few words" },
	{ "smbios 0xf0000 ep.bin", "smbios: too few words" },
	{ "creator host", "creator: too few words" },
	{ "creator 01234567890123456789012345678901234567890123456789012345678901234 r",
	  "creator: host is longer than the field" },
	{ "table-copy esrt 0x1000", "table-copy: too few words" },
	{ "dump-range 1 2 3 4 5 6 7 8 9 10 11 12 13 14", "dump-range: too many words" },
	{ "config-table \x01\x02\x7f 1", "bad GUID '?\?\?'" },
	{ "cmdline 0123456789012345678901234567890123456789", NULL },
	{ "frobnicate_0123456789012345678901234567890123456789",
	  "unknown keyword 'frobnicate_012345678901234567890...'" },
};

TEST(test_bad_lines)
{
	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		int r = parse(bad_lines[i].line);

		if (bad_lines[i].error == NULL) {
			CHECK_EQ(r, 0);
			continue;
		}
		CHECK_EQ(r, -EINVAL);
		if (!err_has(bad_lines[i].error))
			fprintf(stderr, "line '%s': error '%s', wanted '%s'\n",
				bad_lines[i].line, d.error, bad_lines[i].error);
		CHECK(err_has(bad_lines[i].error));
		CHECK(strlen(d.error) < HANDOFF_DESC_ERROR_LEN);
	}
}

TEST(test_nul_and_long)
{
	static char line[4096];

	CHECK_EQ(handoff_desc_parse_line("cmdline a\0b", 11, &d), -EINVAL);
	CHECK(err_has("NUL byte"));
	/* A very long cmdline is one span; the error buffer never overflows. */
	memset(line, 'x', sizeof(line) - 1);
	memcpy(line, "cmdline ", 8);
	CHECK_EQ(parse(line), 0);
	CHECK_EQ(d.text.len, sizeof(line) - 1 - 8);
	memcpy(line, "dump-rng", 8);
	CHECK_EQ(parse(line), -EINVAL);
	CHECK(strlen(d.error) < HANDOFF_DESC_ERROR_LEN);
}

static void cleanup(void)
{
	free(heap);
	heap = NULL;
}

TEST_MAIN(test_empty_and_comments, test_efi_mmap_memmap, test_systab,
	  test_tables_and_esrt, test_runtime_ranges_text, test_bad_lines, test_nul_and_long,
	  cleanup)
