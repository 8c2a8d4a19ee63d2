/*
 * Unit tests for formats/efi.c: the x64 system table (good, wrong CRC,
 * stale CRC after a SetVirtualAddressMap-style pointer change, bad
 * signature and sizes), the firmware vendor string, configuration table
 * arrays, every known GUID by its text form, GUID text round trips, memory
 * maps of stride 40 and 48, the ESRT, and each table placement answer.
 * Tables are built here byte by byte at the spec's offsets (UEFI 2.10),
 * and GUIDs are written as text copied from the sources, so neither
 * depends on efi.h's structs or macros being right.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "crypto/crc32.h"
#include "formats/efi.h"
#include "tests/unit/test.h"

/* ------------------------------------------------------------ system table */

/* Recompute the header CRC32 over hsize bytes with the field zero. */
static void fix_crc(uint8_t *t, uint32_t hsize)
{
	test_put32(t + 16, 0);
	test_put32(t + 16, crc32(t, hsize));
}

/*
 * An x64 system table as OVMF leaves it after ExitBootServices: EDK2
 * DxeMain.c's template (EFI_SYSTEM_TABLE_REVISION = 2.70, HeaderSize =
 * sizeof(EFI_SYSTEM_TABLE) = 0x78), FirmwareRevision 0x00010000 (the
 * MdeModulePkg.dec PcdFirmwareRevision default), BootServices NULL.
 */
static void make_systab(uint8_t *t, uint32_t hsize)
{
	memset(t, 0, hsize);
	memcpy(t, "IBI SYST", 8);
	test_put32(t + 8, (2u << 16) | 70);
	test_put32(t + 12, hsize);
	test_put64(t + 0x18, 0x7fe01000);		/* FirmwareVendor */
	test_put32(t + 0x20, 0x00010000);		/* FirmwareRevision */
	test_put64(t + 0x28, 0x1111);		/* ConsoleInHandle */
	test_put64(t + 0x30, 0x2222);		/* ConIn */
	test_put64(t + 0x38, 0x3333);		/* ConsoleOutHandle */
	test_put64(t + 0x40, 0x4444);		/* ConOut */
	test_put64(t + 0x48, 0x5555);		/* StandardErrorHandle */
	test_put64(t + 0x50, 0x6666);		/* StdErr */
	test_put64(t + 0x58, 0x7fe0a000);		/* RuntimeServices */
	test_put64(t + 0x60, 0);			/* BootServices */
	test_put64(t + 0x68, 11);			/* NumberOfTableEntries */
	test_put64(t + 0x70, 0x7fe0b000);		/* ConfigurationTable */
	fix_crc(t, hsize);
}

TEST(systab_good)
{
	uint8_t t[0x78], copy[0x78];
	struct efi_systab s;
	char rev[16];

	make_systab(t, sizeof(t));
	memcpy(copy, t, sizeof(t));
	CHECK_EQ(efi_systab_parse(t, sizeof(t), &s), 0);
	CHECK(memcmp(t, copy, sizeof(t)) == 0);		/* input never written */
	CHECK_EQ(s.revision, 0x00020046);
	CHECK_EQ(s.rev_major, 2);
	CHECK_EQ(s.rev_minor, 70);
	CHECK_EQ(s.header_size, 0x78);
	CHECK(s.crc_ok);
	CHECK_EQ(s.crc_stored, s.crc_computed);
	CHECK_EQ(s.fw_vendor, 0x7fe01000);
	CHECK_EQ(s.fw_revision, 0x00010000);
	CHECK_EQ(s.con_in_handle, 0x1111);
	CHECK_EQ(s.con_in, 0x2222);
	CHECK_EQ(s.con_out_handle, 0x3333);
	CHECK_EQ(s.con_out, 0x4444);
	CHECK_EQ(s.stderr_handle, 0x5555);
	CHECK_EQ(s.std_err, 0x6666);
	CHECK_EQ(s.runtime_services, 0x7fe0a000);
	CHECK_EQ(s.boot_services, 0);
	CHECK_EQ(s.nr_tables, 11);
	CHECK_EQ(s.tables, 0x7fe0b000);
	CHECK_EQ(efi_revision_format(s.revision, rev, sizeof(rev)), 3);
	CHECK_STR(rev, "2.7");

	/* Unaligned input works the same. */
	uint8_t un[0x79];
	memcpy(un + 1, t, sizeof(t));
	CHECK_EQ(efi_systab_parse(un + 1, sizeof(t), &s), 0);
	CHECK(s.crc_ok);
}

TEST(systab_crc)
{
	uint8_t t[0x80];
	struct efi_systab s;

	/* A wrong stored CRC is reported, not refused. */
	make_systab(t, 0x78);
	t[16] ^= 1;
	CHECK_EQ(efi_systab_parse(t, 0x78, &s), 0);
	CHECK(!s.crc_ok);
	CHECK(s.crc_stored != s.crc_computed);
	CHECK_EQ(s.nr_tables, 11);

	/* A pointer changed (virtual mode) without the CRC being redone. */
	make_systab(t, 0x78);
	uint32_t good = s.crc_computed;
	test_put64(t + 0x58, 0xffffffff7fe0a000ull);
	CHECK_EQ(efi_systab_parse(t, 0x78, &s), 0);
	CHECK(!s.crc_ok);
	CHECK_EQ(s.crc_stored, good);
	CHECK_EQ(s.runtime_services, 0xffffffff7fe0a000ull);
	/* ...and after the firmware recomputed it, as EDK2's RuntimeDxe does. */
	fix_crc(t, 0x78);
	CHECK_EQ(efi_systab_parse(t, 0x78, &s), 0);
	CHECK(s.crc_ok);

	/* A longer HeaderSize: the CRC covers the extra bytes too. */
	make_systab(t, 0x80);
	t[0x7f] = 0x5a;
	fix_crc(t, 0x80);
	CHECK_EQ(efi_systab_parse(t, 0x80, &s), 0);
	CHECK(s.crc_ok);
	CHECK_EQ(s.header_size, 0x80);
	t[0x7f] = 0x5b;
	CHECK_EQ(efi_systab_parse(t, 0x80, &s), 0);
	CHECK(!s.crc_ok);
}

TEST(systab_bad)
{
	uint8_t t[0x78];
	struct efi_systab s;

	make_systab(t, sizeof(t));
	CHECK_EQ(efi_systab_parse(t, 0x77, &s), -EINVAL);
	CHECK_EQ(efi_systab_parse(NULL, 0x78, &s), -EINVAL);
	CHECK_EQ(efi_systab_parse(t, 0x78, NULL), -EINVAL);
	t[0] = 'J';
	CHECK_EQ(efi_systab_parse(t, sizeof(t), &s), -EBADMSG);
	CHECK_EQ(s.nr_tables, 0);			/* cleared on error */

	make_systab(t, sizeof(t));
	test_put32(t + 12, 0x70);				/* HeaderSize too small */
	fix_crc(t, 0x70);
	CHECK_EQ(efi_systab_parse(t, sizeof(t), &s), -EBADMSG);

	make_systab(t, sizeof(t));
	test_put32(t + 12, 0x1000);				/* more than was mapped */
	CHECK_EQ(efi_systab_parse(t, sizeof(t), &s), -EINVAL);
	CHECK_EQ(s.header_size, 0x1000);		/* so the caller can map more */
	CHECK_EQ(s.tables, 0);
	test_put32(t + 12, 0xffffffffu);
	CHECK_EQ(efi_systab_parse(t, sizeof(t), &s), -EINVAL);
}

TEST(revision_format)
{
	char b[16];

	CHECK_EQ(efi_revision_format((2u << 16) | 70, b, sizeof(b)), 3);
	CHECK_STR(b, "2.7");
	CHECK_EQ(efi_revision_format((2u << 16) | 31, b, sizeof(b)), 5);
	CHECK_STR(b, "2.3.1");
	CHECK_EQ(efi_revision_format((1u << 16) | 10, b, sizeof(b)), 3);
	CHECK_STR(b, "1.1");
	CHECK_EQ(efi_revision_format((2u << 16) | 100, b, sizeof(b)), 4);
	CHECK_STR(b, "2.10");
	CHECK_EQ(efi_revision_format((1u << 16) | 2, b, sizeof(b)), 5);
	CHECK_STR(b, "1.0.2");
	CHECK_EQ(efi_revision_format(0xffffffffu, b, sizeof(b)), 12);
	CHECK_STR(b, "65535.6553.5");
	CHECK_EQ(efi_revision_format((2u << 16) | 70, b, 3), -ENOSPC);
	CHECK_STR(b, "2.");
	CHECK_EQ(efi_revision_format((2u << 16) | 70, b, 4), 3);
	CHECK_EQ(efi_revision_format(0, NULL, 4), -EINVAL);
	CHECK_EQ(efi_revision_format(0, b, 0), -EINVAL);
}

/* ------------------------------------------------------------ vendor string */

/* Store s as UTF-16LE at p; returns the bytes written (no NUL). */
static size_t put_utf16(uint8_t *p, const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n += 2) {
		p[n] = (uint8_t)*s;
		p[n + 1] = 0;
	}
	return n;
}

TEST(vendor_string)
{
	uint8_t u[64];
	char out[32];
	size_t n;

	/* OVMF: PcdFirmwareVendor defaults to L"EDK II" (MdeModulePkg.dec). */
	memset(u, 0, sizeof(u));
	n = put_utf16(u, "EDK II");
	CHECK_EQ(efi_utf16_to_ascii(u, sizeof(u), out, sizeof(out)), 6);
	CHECK_STR(out, "EDK II");
	/* No NUL within len: stop at len. */
	CHECK_EQ(efi_utf16_to_ascii(u, n, out, sizeof(out)), 6);
	CHECK_STR(out, "EDK II");
	/* Odd length: the lone last byte is ignored. */
	CHECK_EQ(efi_utf16_to_ascii(u, n - 1, out, sizeof(out)), 5);
	CHECK_STR(out, "EDK I");
	CHECK_EQ(efi_utf16_to_ascii(u, 1, out, sizeof(out)), 0);
	CHECK_STR(out, "");
	CHECK_EQ(efi_utf16_to_ascii(u, 0, out, sizeof(out)), 0);
	CHECK_EQ(efi_utf16_to_ascii(NULL, 0, out, sizeof(out)), 0);

	/* Non-ASCII: e-acute, a surrogate pair, a control character, 0x7f. */
	memset(u, 0, sizeof(u));
	n = put_utf16(u, "Caf");
	u[n] = 0xe9; n += 2;
	u[n] = 0x3d; u[n + 1] = 0xd8; n += 2;
	u[n] = 0x00; u[n + 1] = 0xde; n += 2;
	u[n] = 0x07; n += 2;
	u[n] = 0x7f; n += 2;
	u[n] = 'x'; u[n + 1] = 0x01; n += 2;	/* U+0178, low byte 'x' */
	CHECK_EQ(efi_utf16_to_ascii(u, n, out, sizeof(out)), 9);
	CHECK_STR(out, "Caf??????");

	/* Output too small: truncated, terminated, -ENOSPC. */
	memset(u, 0, sizeof(u));
	put_utf16(u, "American Megatrends");
	CHECK_EQ(efi_utf16_to_ascii(u, sizeof(u), out, 9), -ENOSPC);
	CHECK_STR(out, "American");
	CHECK_EQ(efi_utf16_to_ascii(u, sizeof(u), out, 1), -ENOSPC);
	CHECK_STR(out, "");
	CHECK_EQ(efi_utf16_to_ascii(u, sizeof(u), out, 20), 19);
	CHECK_EQ(efi_utf16_to_ascii(u, sizeof(u), NULL, 8), -EINVAL);
	CHECK_EQ(efi_utf16_to_ascii(u, sizeof(u), out, 0), -EINVAL);
	CHECK_EQ(efi_utf16_to_ascii(NULL, 4, out, sizeof(out)), -EINVAL);
	CHECK_STR(out, "");
}

/* ------------------------------------------------------ configuration table */

TEST(config_tables)
{
	uint8_t b[1 + 3 * 24 + 10];	/* unaligned, with a partial 4th entry */
	uint8_t *a = b + 1;
	struct efi_config_table ct;
	struct efi_guid acpi20;
	size_t bytes;

	memset(b, 0xee, sizeof(b));
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 16; j++)
			a[i * 24 + j] = (uint8_t)(i * 16 + j);
		test_put64(a + i * 24 + 16, 0x7f000000u + (uint64_t)i * 0x1000);
	}
	/* Entry 1 is the ACPI 2.0 table, stored in its on-disk byte order. */
	static const uint8_t acpi20_bytes[16] = {
		0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
		0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81,
	};
	memcpy(a + 24, acpi20_bytes, 16);
	CHECK_EQ(efi_guid_parse("8868e871-e4f1-11d3-bc22-0080c73c8881", 36, &acpi20), 0);

	CHECK_EQ(efi_config_table_at(a, 3 * 24 + 10, 0, &ct), 0);
	CHECK_EQ(ct.guid.b[0], 0);
	CHECK_EQ(ct.guid.b[15], 15);
	CHECK_EQ(ct.table, 0x7f000000);
	CHECK_EQ(efi_config_table_at(a, 3 * 24 + 10, 1, &ct), 0);
	CHECK(efi_guid_eq(&ct.guid, &acpi20));
	CHECK_STR(efi_guid_name(&ct.guid), "ACPI 2.0");
	CHECK_EQ(ct.table, 0x7f001000);
	CHECK_EQ(efi_config_table_at(a, 3 * 24 + 10, 2, &ct), 0);
	CHECK_EQ(ct.table, 0x7f002000);
	/* NumberOfTableEntries says 11, but only 3 whole entries were mapped. */
	for (size_t i = 3; i < 11; i++)
		CHECK_EQ(efi_config_table_at(a, 3 * 24 + 10, i, &ct), -ENOENT);
	CHECK_EQ(ct.table, 0);
	CHECK_EQ(efi_config_table_at(a, 3 * 24 + 10, SIZE_MAX, &ct), -ENOENT);
	CHECK_EQ(efi_config_table_at(a, 23, 0, &ct), -ENOENT);
	CHECK_EQ(efi_config_table_at(NULL, 24, 0, &ct), -EINVAL);
	CHECK_EQ(efi_config_table_at(a, 24, 0, NULL), -EINVAL);

	CHECK_EQ(efi_config_tables_bytes(11, &bytes), 0);
	CHECK_EQ(bytes, 264);
	CHECK_EQ(efi_config_tables_bytes(UINT64_MAX / 24 + 1, &bytes), -EBADMSG);
	CHECK_EQ(bytes, 0);
	CHECK_EQ(efi_config_tables_bytes(1, NULL), -EINVAL);
}

/* ------------------------------------------------------------------ GUIDs */

/* Text as the sources print it (EDK2 .dec / Linux efi.h), and our name. */
static const struct {
	const char *text;
	const char *name;
} known[] = {
	{ "8868e871-e4f1-11d3-bc22-0080c73c8881", "ACPI 2.0" },
	{ "eb9d2d30-2d88-11d3-9a16-0090273fc14d", "ACPI" },
	{ "eb9d2d31-2d88-11d3-9a16-0090273fc14d", "SMBIOS" },
	{ "f2fd1544-9794-4a2c-992e-e5bbcf20e394", "SMBIOS 3.0" },
	{ "eb9d2d2f-2d88-11d3-9a16-0090273fc14d", "MPS" },
	{ "b122a263-3661-4f68-9929-78f8b0d62180", "ESRT" },
	{ "dcfa911d-26eb-469f-a220-38b7dc461220", "MEMATTR" },
	{ "eb66918a-7eef-402a-842e-931d21c38ae9", "RTPROP" },
	{ "880aaca3-4adc-4a04-9079-b747340825e5", "PROP" },
	{ "1e2ed096-30e2-4254-bd89-863bbef82325", "TPMFinalLog" },
	{ "dd4a4648-2de7-4665-964d-21d9ef5fb446", "CCFinalLog" },
	{ "1ce1e5bc-7ceb-42f2-81e5-8aadf180f57b", "RNG" },
	{ "b7799cb0-eca2-4943-9667-1fae07b747fa", "TPMEventLog" },
	{ "888eb0c6-8ede-4ff5-a8f0-9aee5cb977c2", "MEMRESERVE" },
	{ "5568e427-68fc-4f3d-ac74-ca555231cc68", "INITRD" },
	{ "c451ed2b-9694-45d3-baba-ed9f8988a389", "MOKvar" },
	{ "adf956ad-e98c-484c-ae11-b51c7d336447", "CocoSecret" },
	{ "d5d1de3c-105c-44f9-9ea9-bcef98120031", "Unaccepted" },
	{ "800f683f-d08b-423a-a293-965c3c6fe2b4", "LinuxBootMemmap" },
	{ "e03fc20a-85dc-406e-b90e-4ab502371d95", "ScreenInfo" },
	{ "3b13a7d4-633e-11dd-93ec-da2556d89593", "UVsystab" },
	{ "2d9f28a2-a886-456a-97a8-f11ef24ff455", "RCI2" },
	{ "067b1f5f-cf26-44c5-8554-93d777912d42", "CCBlob" },
	{ "05ad34ba-6f02-4214-952e-4da0398e2bb9", "DXE" },
	{ "7739f24c-93d7-11d4-9a3a-0090273fc14d", "HOB" },
	{ "49152e77-1ada-4764-b7a2-7afefed95e8b", "DebugImageInfo" },
	{ "b1b621d5-f19c-41a5-830b-d9152c69aae0", "FDT" },
	{ "d719b2cb-3d3a-4596-a3bc-dad00e67656f", "ImageExecInfo" },
	{ "36122546-f7e7-4c8f-bd9b-eb8525b50c0b", "ConfProfiles" },
	{ "4c19049f-4137-4dd3-9c10-8b97a83ffdfa", "MemTypeInfo" },
	{ "ee4e5898-3914-4259-9d6e-dc7bd79403cf", "LzmaDecompress" },
	{ "4e28ca50-d582-44ac-a11f-e3d56526db34", "SmmCommRegion" },
	{ "ef9fc172-a1b2-4693-b327-6d32fc416042", "HiiDatabase" },
};

TEST(guid_names)
{
	struct efi_guid g;
	char text[EFI_GUID_STR_LEN + 1];

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		CHECK_EQ(efi_guid_parse(known[i].text, 36, &g), 0);
		CHECK_STR(efi_guid_name(&g), known[i].name);
		efi_guid_format(&g, text);
		CHECK_STR(text, known[i].text);
		/* Names are distinct: no two GUIDs map to one name by mistake. */
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(known[i].name, known[j].name) != 0);
	}
	/* The header's macros agree with the text copied from the sources. */
	static const struct efi_guid macros[] = {
		EFI_ACPI_20_TABLE_GUID, EFI_SYSTEM_RESOURCE_TABLE_GUID,
		EFI_LINUX_MEMRESERVE_GUID, EFI_LINUX_UNACCEPTED_MEM_GUID,
	};
	static const char *const texts[] = {
		"8868e871-e4f1-11d3-bc22-0080c73c8881", "b122a263-3661-4f68-9929-78f8b0d62180",
		"888eb0c6-8ede-4ff5-a8f0-9aee5cb977c2", "d5d1de3c-105c-44f9-9ea9-bcef98120031",
	};
	for (size_t i = 0; i < 4; i++) {
		efi_guid_format(&macros[i], text);
		CHECK_STR(text, texts[i]);
	}
	/* Unknown and near-miss GUIDs have no name. */
	CHECK_EQ(efi_guid_parse("9cd6ae46-cf19-4c5c-b341-57f4b21dfd41", 36, &g), 0);
	CHECK(efi_guid_name(&g) == NULL);
	CHECK_EQ(efi_guid_parse("8868e871-e4f1-11d3-bc22-0080c73c8880", 36, &g), 0);
	CHECK(efi_guid_name(&g) == NULL);
	CHECK(efi_guid_name(NULL) == NULL);
}

TEST(guid_text)
{
	static const uint8_t acpi20[16] = {
		0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
		0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81,
	};
	const char *upper = "8868E871-E4F1-11D3-BC22-0080C73C8881";
	struct efi_guid g, h;
	char text[EFI_GUID_STR_LEN + 1];

	CHECK_EQ(efi_guid_parse(upper, strlen(upper), &g), 0);
	CHECK(memcmp(g.b, acpi20, 16) == 0);
	efi_guid_format(&g, text);
	CHECK_STR(text, "8868e871-e4f1-11d3-bc22-0080c73c8881");
	CHECK_EQ(efi_guid_parse(text, strlen(text), &h), 0);
	CHECK(efi_guid_eq(&g, &h));
	h.b[15] ^= 1;
	CHECK(!efi_guid_eq(&g, &h));
	CHECK(!efi_guid_eq(&g, NULL));

	/* Round trip of every byte value through text. */
	for (int i = 0; i < 16; i++)
		g.b[i] = (uint8_t)(i * 17 + 3);
	efi_guid_format(&g, text);
	CHECK_EQ(efi_guid_parse(text, 36, &h), 0);
	CHECK(efi_guid_eq(&g, &h));

	/* Bad text: length, dashes, digits; *out is cleared. */
	static const char *const bad[] = {
		"8868e871-e4f1-11d3-bc22-0080c73c888",		/* 35 */
		"8868e871-e4f1-11d3-bc22-0080c73c88811",	/* 37 */
		"8868e871_e4f1-11d3-bc22-0080c73c8881",
		"8868e871-e4f1-11d3-bc220-080c73c8881",
		"8868e87-1e4f1-11d3-bc22-0080c73c8881",
		"8868e871-e4f1-11d3-bc22-0080c73c888g",
		"g868e871-e4f1-11d3-bc22-0080c73c8881",
		"8868e871-e4f1-11d3-bc22-0080c73c 881",
		"{868e871-e4f1-11d3-bc22-0080c73c881}",
		"------------------------------------",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&h, 0xaa, sizeof(h));
		CHECK_EQ(efi_guid_parse(bad[i], strlen(bad[i]), &h), -EINVAL);
		CHECK_EQ(h.b[0] | h.b[15], 0);
	}
	/* A correct GUID inside a longer string: len decides. */
	CHECK_EQ(efi_guid_parse("8868e871-e4f1-11d3-bc22-0080c73c8881xyz", 36, &h), 0);
	CHECK_EQ(efi_guid_parse(NULL, 36, &h), -EINVAL);
	CHECK_EQ(efi_guid_parse(upper, 36, NULL), -EINVAL);
	efi_guid_format(NULL, text);
	CHECK_STR(text, "00000000-0000-0000-0000-000000000000");
}

/* ------------------------------------------------------------- memory map */

/* Descriptor i of a map with stride `stride`, fields at the spec's offsets. */
static void put_desc(uint8_t *map, uint32_t stride, size_t i, uint32_t type,
		     uint64_t phys, uint64_t pages, uint64_t attr)
{
	uint8_t *d = map + i * stride;

	memset(d, 0xcc, stride);		/* padding and extra bytes: noise */
	test_put32(d, type);
	test_put64(d + 8, phys);
	test_put64(d + 16, phys ? phys + 0xffff800000000000ull : 0);
	test_put64(d + 24, pages);
	test_put64(d + 32, attr);
}

static void mmap_stride(uint32_t stride)
{
	uint8_t map[3 * 48 + 20];
	struct efi_mmap_desc d;
	size_t len = 3 * stride + 20;		/* a trailing partial descriptor */

	put_desc(map, stride, 0, EFI_CONVENTIONAL_MEMORY, 0, 0xa0, EFI_MEMORY_WB);
	put_desc(map, stride, 1, EFI_BOOT_SERVICES_DATA, 0x100000, 0x700, EFI_MEMORY_WB);
	put_desc(map, stride, 2, EFI_RUNTIME_SERVICES_DATA, 0x7fe00000, 0x20,
		 EFI_MEMORY_WB | EFI_MEMORY_RUNTIME | EFI_MEMORY_XP);
	memset(map + 3 * stride, 0x11, 20);
	CHECK_EQ(efi_mmap_count(len, stride), 3);
	CHECK_EQ(efi_mmap_desc_at(map, len, stride, 0, &d), 0);
	CHECK_EQ(d.type, EFI_CONVENTIONAL_MEMORY);
	CHECK_EQ(d.phys_start, 0);
	CHECK_EQ(d.num_pages, 0xa0);
	CHECK_EQ(d.attribute, EFI_MEMORY_WB);
	CHECK_EQ(efi_mmap_desc_at(map, len, stride, 2, &d), 0);
	CHECK_EQ(d.type, EFI_RUNTIME_SERVICES_DATA);
	CHECK_EQ(d.phys_start, 0x7fe00000);
	CHECK_EQ(d.virt_start, 0xffff80007fe00000ull);
	CHECK_EQ(d.num_pages, 0x20);
	CHECK_EQ(d.attribute, EFI_MEMORY_WB | EFI_MEMORY_RUNTIME | EFI_MEMORY_XP);
	CHECK_EQ(efi_mmap_desc_at(map, len, stride, 3, &d), -ENOENT);
	CHECK_EQ(efi_mmap_desc_at(map, len, stride, SIZE_MAX, &d), -ENOENT);
}

TEST(mmap_walk)
{
	uint8_t map[96];
	struct efi_mmap_desc d;

	mmap_stride(40);
	mmap_stride(48);
	memset(map, 0, sizeof(map));
	static const uint32_t bad[] = { 0, 8, 32, 36, 39, 41, 44, 52 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(efi_mmap_count(sizeof(map), bad[i]), 0);
		CHECK_EQ(efi_mmap_desc_at(map, sizeof(map), bad[i], 0, &d), -EINVAL);
	}
	CHECK_EQ(efi_mmap_desc_at(NULL, 96, 48, 0, &d), -EINVAL);
	CHECK_EQ(efi_mmap_desc_at(map, 96, 48, 0, NULL), -EINVAL);
	CHECK_EQ(efi_mmap_desc_at(map, 39, 40, 0, &d), -ENOENT);
	CHECK_EQ(efi_mmap_count(96, 96), 1);

	/* Pages overflow: num_pages << 12, and the region's end, must fit. */
	put_desc(map, 48, 0, EFI_CONVENTIONAL_MEMORY, 0, 1ull << 52, 0);
	CHECK_EQ(efi_mmap_desc_at(map, 48, 48, 0, &d), -EBADMSG);
	CHECK_EQ(d.num_pages, 1ull << 52);		/* still filled in */
	put_desc(map, 48, 0, EFI_CONVENTIONAL_MEMORY, 0, (1ull << 52) - 1, 0);
	CHECK_EQ(efi_mmap_desc_at(map, 48, 48, 0, &d), 0);
	put_desc(map, 48, 0, EFI_CONVENTIONAL_MEMORY, 0x1000, (1ull << 52) - 1, 0);
	CHECK_EQ(efi_mmap_desc_at(map, 48, 48, 0, &d), -EBADMSG);
	put_desc(map, 48, 0, EFI_MEMORY_MAPPED_IO, 0xfffffffffffff000ull, 1, 0);
	CHECK_EQ(efi_mmap_desc_at(map, 48, 48, 0, &d), -EBADMSG);
	put_desc(map, 48, 0, EFI_MEMORY_MAPPED_IO, 0xffffffffffffe000ull, 1, 0);
	CHECK_EQ(efi_mmap_desc_at(map, 48, 48, 0, &d), 0);
}

TEST(mem_types)
{
	static const char *const names[16] = {
		"Reserved", "LoaderCode", "LoaderData", "BootServicesCode",
		"BootServicesData", "RuntimeServicesCode", "RuntimeServicesData",
		"Conventional", "Unusable", "ACPIReclaim", "ACPINVS", "MMIO",
		"MMIOPortSpace", "PalCode", "Persistent", "Unaccepted",
	};
	static const bool ram[16] = {
		false, true, true, true, true, true, true, true,
		false, true, true, false, false, false, false, false,
	};

	for (uint32_t t = 0; t < 16; t++) {
		CHECK_STR(efi_mem_type_name(t), names[t]);
		CHECK_EQ(efi_mem_type_is_ram(t), ram[t]);
	}
	CHECK_STR(efi_mem_type_name(16), "Invalid");
	CHECK_STR(efi_mem_type_name(0x6fffffff), "Invalid");
	CHECK_STR(efi_mem_type_name(0x70000000), "OEMDefined");
	CHECK_STR(efi_mem_type_name(0x80000000), "OSDefined");
	CHECK_STR(efi_mem_type_name(0xffffffff), "OSDefined");
	CHECK(!efi_mem_type_is_ram(0x80000000));
	CHECK_EQ(EFI_MEMORY_RUNTIME, 0x8000000000000000ull);
	CHECK_EQ(EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB, 0xf);
	CHECK_EQ(EFI_MEMORY_XP, 0x4000);
	CHECK_EQ(EFI_MEMORY_RO, 0x20000);
	CHECK_EQ(EFI_MEMORY_SP, 0x40000);
}

TEST(mmap_summary)
{
	uint8_t map[6 * 48];
	uint64_t pages[16], other;

	put_desc(map, 48, 0, EFI_CONVENTIONAL_MEMORY, 0, 0xa0, 0);
	put_desc(map, 48, 1, EFI_CONVENTIONAL_MEMORY, 0x100000, 0x700, 0);
	put_desc(map, 48, 2, EFI_BOOT_SERVICES_DATA, 0x800000, 0x10, 0);
	put_desc(map, 48, 3, EFI_UNACCEPTED_MEMORY, 0x1000000, 0x200, 0);
	put_desc(map, 48, 4, 0x80000001u, 0x2000000, 0x3, 0);
	put_desc(map, 48, 5, EFI_ACPI_MEMORY_NVS, 0x3000000, 0x4, 0);
	CHECK_EQ(efi_mmap_summarise(map, sizeof(map), 48, pages, &other), 0);
	CHECK_EQ(pages[EFI_CONVENTIONAL_MEMORY], 0x7a0);
	CHECK_EQ(pages[EFI_BOOT_SERVICES_DATA], 0x10);
	CHECK_EQ(pages[EFI_UNACCEPTED_MEMORY], 0x200);
	CHECK_EQ(pages[EFI_ACPI_MEMORY_NVS], 4);
	CHECK_EQ(pages[EFI_RESERVED_MEMORY_TYPE], 0);
	CHECK_EQ(other, 3);

	/* A bad descriptor is left out and reported; the rest still count. */
	put_desc(map, 48, 2, EFI_BOOT_SERVICES_DATA, 0x800000, 1ull << 60, 0);
	CHECK_EQ(efi_mmap_summarise(map, sizeof(map), 48, pages, &other), -EBADMSG);
	CHECK_EQ(pages[EFI_BOOT_SERVICES_DATA], 0);
	CHECK_EQ(pages[EFI_CONVENTIONAL_MEMORY], 0x7a0);

	CHECK_EQ(efi_mmap_summarise(map, sizeof(map), 44, pages, &other), -EINVAL);
	CHECK_EQ(pages[EFI_CONVENTIONAL_MEMORY], 0);
	CHECK_EQ(efi_mmap_summarise(map, sizeof(map), 48, NULL, &other), -EINVAL);
	CHECK_EQ(efi_mmap_summarise(map, sizeof(map), 48, pages, NULL), -EINVAL);
	CHECK_EQ(efi_mmap_summarise(map, 0, 48, pages, &other), 0);

	/* Sums saturate: 4097 regions of 2^52 - 1 pages exceed 2^64. */
	size_t n = 4097;
	uint8_t *big = malloc(n * 40);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		put_desc(big, 40, i, EFI_CONVENTIONAL_MEMORY, 0, (1ull << 52) - 1, 0);
	CHECK_EQ(efi_mmap_summarise(big, n * 40, 40, pages, &other), 0);
	CHECK_EQ(pages[EFI_CONVENTIONAL_MEMORY], UINT64_MAX);
	free(big);
}

/* --------------------------------------------------------------- placement */

/*
 * A map like the one Linux hands a kexec'd kernel, plus traps (stride 48):
 *
 *   0x000000-0x09ffff Conventional        0x240000-0x24ffff Reserved
 *   0x090000-0x090fff RuntimeData (overlaps the first!)   gap to 0x300000
 *   0x100000-0x1fffff BootServicesData    0x300000-0x30ffff LoaderData
 *   0x200000-0x20ffff BootServicesData|RUNTIME (efi_mem_reserve'd ESRT)
 *   0x210000-0x21ffff RuntimeServicesData|RUNTIME
 *   0x220000-0x22ffff ACPIReclaim         0x308000-0x308fff RuntimeData (inside)
 *   0x230000-0x23ffff ACPINVS             0x400000-0x40ffff Unaccepted
 *   0xfed00000        MMIO|RUNTIME        0x500000 +2^52 pages (overflows: absent)
 */
static size_t make_place_map(uint8_t *m)
{
	size_t i = 0;

	put_desc(m, 48, i++, EFI_CONVENTIONAL_MEMORY, 0, 0xa0, EFI_MEMORY_WB);
	put_desc(m, 48, i++, EFI_BOOT_SERVICES_DATA, 0x100000, 0x100, EFI_MEMORY_WB);
	put_desc(m, 48, i++, EFI_BOOT_SERVICES_DATA, 0x200000, 0x10,
		 EFI_MEMORY_WB | EFI_MEMORY_RUNTIME);
	put_desc(m, 48, i++, EFI_RUNTIME_SERVICES_DATA, 0x210000, 0x10,
		 EFI_MEMORY_WB | EFI_MEMORY_RUNTIME);
	put_desc(m, 48, i++, EFI_ACPI_RECLAIM_MEMORY, 0x220000, 0x10, EFI_MEMORY_WB);
	put_desc(m, 48, i++, EFI_ACPI_MEMORY_NVS, 0x230000, 0x10, EFI_MEMORY_WB);
	put_desc(m, 48, i++, EFI_RESERVED_MEMORY_TYPE, 0x240000, 0x10, 0);
	put_desc(m, 48, i++, EFI_LOADER_DATA, 0x300000, 0x10, EFI_MEMORY_WB);
	put_desc(m, 48, i++, EFI_MEMORY_MAPPED_IO, 0xfed00000, 1,
		 EFI_MEMORY_UC | EFI_MEMORY_RUNTIME);
	put_desc(m, 48, i++, EFI_UNACCEPTED_MEMORY, 0x400000, 0x10, EFI_MEMORY_WB);
	put_desc(m, 48, i++, EFI_RUNTIME_SERVICES_DATA, 0x90000, 1, EFI_MEMORY_RUNTIME);
	put_desc(m, 48, i++, EFI_RUNTIME_SERVICES_DATA, 0x308000, 1, EFI_MEMORY_RUNTIME);
	put_desc(m, 48, i++, EFI_RUNTIME_SERVICES_DATA, 0x500000, 1ull << 52, 0);
	return i * 48;
}

TEST(placement)
{
	uint8_t m[13 * 48];
	size_t len = make_place_map(m);

#define PLACE(a, s) efi_table_placement(m, len, 48, (a), (s))
	CHECK_EQ(PLACE(0x200000, 0x60), EFI_TABLE_IN_RUNTIME);	/* reserved ESRT */
	CHECK_EQ(PLACE(0x210100, 0x100), EFI_TABLE_IN_RUNTIME);
	CHECK_EQ(PLACE(0x20fff0, 0x20), EFI_TABLE_IN_RUNTIME);	/* two runtime */
	CHECK_EQ(PLACE(0x200000, 0x50000), EFI_TABLE_IN_RUNTIME); /* five of them */
	CHECK_EQ(PLACE(0x220000, 0x10000), EFI_TABLE_IN_RUNTIME);	/* ACPIReclaim */
	CHECK_EQ(PLACE(0x23fff0, 0x10), EFI_TABLE_IN_RUNTIME);	/* ACPINVS */
	CHECK_EQ(PLACE(0x240000, 1), EFI_TABLE_IN_RUNTIME);		/* Reserved */
	CHECK_EQ(PLACE(0x1ff000, 0x100), EFI_TABLE_IN_BOOT_SERVICES);
	CHECK_EQ(PLACE(0x100000, 0x100000), EFI_TABLE_IN_BOOT_SERVICES);
	CHECK_EQ(PLACE(0x1000, 0x10), EFI_TABLE_IN_CONVENTIONAL);
	CHECK_EQ(PLACE(0x300000, 0x100), EFI_TABLE_IN_CONVENTIONAL);	/* LoaderData */
	CHECK_EQ(PLACE(0xfed00000, 0x40), EFI_TABLE_IN_UNSAFE);	/* MMIO|RUNTIME */
	CHECK_EQ(PLACE(0x400000, 0x10), EFI_TABLE_IN_UNSAFE);		/* Unaccepted */
	CHECK_EQ(PLACE(0x1ffff0, 0x20), EFI_TABLE_SPANS);		/* boot->runtime */
	CHECK_EQ(PLACE(0x8f000, 0x2000), EFI_TABLE_SPANS);		/* overlap */
	CHECK_EQ(PLACE(0x90800, 0x10), EFI_TABLE_SPANS);
	CHECK_EQ(PLACE(0x301000, 0x8000), EFI_TABLE_SPANS);		/* one inside */
	CHECK_EQ(PLACE(0x301000, 0x7000), EFI_TABLE_IN_CONVENTIONAL);
	CHECK_EQ(PLACE(0x24fff0, 0x20), EFI_TABLE_NOT_IN_MAP);	/* into the gap */
	CHECK_EQ(PLACE(0x260000, 0x10), EFI_TABLE_NOT_IN_MAP);
	CHECK_EQ(PLACE(0x9f000, 0x2000), EFI_TABLE_NOT_IN_MAP);
	CHECK_EQ(PLACE(0x500000, 0x10), EFI_TABLE_NOT_IN_MAP);	/* bad descriptor */
	CHECK_EQ(PLACE(0xffffffffffff0000ull, 0x10000), EFI_TABLE_NOT_IN_MAP);
	CHECK_EQ(PLACE(0x200000, 0), EFI_TABLE_INVALID);
	CHECK_EQ(PLACE(0xffffffffffff0000ull, 0x10001), EFI_TABLE_INVALID);
	CHECK_EQ(PLACE(UINT64_MAX, 2), EFI_TABLE_INVALID);
	CHECK_EQ(PLACE(UINT64_MAX, 1), EFI_TABLE_NOT_IN_MAP);
#undef PLACE
	CHECK_EQ(efi_table_placement(m, len, 44, 0x200000, 0x10), EFI_TABLE_INVALID);
	CHECK_EQ(efi_table_placement(NULL, len, 48, 0x200000, 0x10), EFI_TABLE_INVALID);
	CHECK_EQ(efi_table_placement(m, 0, 48, 0x200000, 0x10), EFI_TABLE_NOT_IN_MAP);
	/* Read as stride 96, only every other descriptor is seen. */
	CHECK_EQ(efi_table_placement(m, len, 96, 0x100000, 0x10), EFI_TABLE_NOT_IN_MAP);
	CHECK_EQ(efi_table_placement(m, len, 96, 0x200000, 0x10), EFI_TABLE_IN_RUNTIME);

	/* Only runtime memory may be read in place. */
	for (int w = EFI_TABLE_INVALID; w <= EFI_TABLE_SPANS; w++) {
		CHECK_EQ(efi_table_readable((enum efi_table_where)w), w == EFI_TABLE_IN_RUNTIME);
		CHECK(efi_table_where_name((enum efi_table_where)w) != NULL);
		for (int v = EFI_TABLE_INVALID; v < w; v++)
			CHECK(strcmp(efi_table_where_name((enum efi_table_where)w),
				     efi_table_where_name((enum efi_table_where)v)) != 0);
	}
	CHECK_STR(efi_table_where_name(EFI_TABLE_IN_BOOT_SERVICES), "boot-services memory");
}

/* --------------------------------------------------------------------- ESRT */

static size_t make_esrt(uint8_t *e, uint32_t count, uint32_t max, uint64_t version)
{
	memset(e, 0, 16 + (size_t)count * 40);
	test_put32(e, count);
	test_put32(e + 4, max);
	test_put64(e + 8, version);
	for (uint32_t i = 0; i < count; i++) {
		uint8_t *r = e + 16 + i * 40;

		for (int j = 0; j < 16; j++)
			r[j] = (uint8_t)(0xa0 + i + j);
		test_put32(r + 16, i == 0 ? 1 : 2);		/* system, then device */
		test_put32(r + 20, 0x00010000 + i);		/* FwVersion */
		test_put32(r + 24, 0x00010000);		/* LowestSupportedFwVersion */
		test_put32(r + 28, 0x1000 + i);		/* CapsuleFlags */
		test_put32(r + 32, 0x0000ffff);		/* LastAttemptVersion */
		test_put32(r + 36, i);			/* LastAttemptStatus */
	}
	return 16 + (size_t)count * 40;
}

TEST(esrt_good)
{
	uint8_t e[16 + 2 * 40 + 40];
	struct efi_esrt h;
	struct efi_esrt_entry r;
	size_t len = make_esrt(e, 2, 4, 1);

	CHECK_EQ(len, 96);
	CHECK_EQ(efi_esrt_parse(e, len, &h), 0);
	CHECK_EQ(h.count, 2);
	CHECK_EQ(h.count_max, 4);
	CHECK_EQ(h.version, 1);
	CHECK_EQ(efi_esrt_size(&h), 96);
	CHECK_EQ(efi_esrt_entry_at(e, len, 0, &r), 0);
	CHECK_EQ(r.fw_class.b[0], 0xa0);
	CHECK_EQ(r.fw_class.b[15], 0xaf);
	CHECK_EQ(r.fw_type, EFI_ESRT_FW_TYPE_SYSTEM);
	CHECK_STR(efi_esrt_fw_type_name(r.fw_type), "SystemFirmware");
	CHECK_EQ(r.fw_version, 0x00010000);
	CHECK_EQ(r.lowest_supported_fw_version, 0x00010000);
	CHECK_EQ(r.capsule_flags, 0x1000);
	CHECK_EQ(r.last_attempt_version, 0xffff);
	CHECK_EQ(r.last_attempt_status, 0);
	CHECK_EQ(efi_esrt_entry_at(e, len, 1, &r), 0);
	CHECK_EQ(r.fw_class.b[0], 0xa1);
	CHECK_EQ(r.fw_type, EFI_ESRT_FW_TYPE_DEVICE);
	CHECK_EQ(r.fw_version, 0x00010001);
	CHECK_EQ(r.capsule_flags, 0x1001);
	CHECK_EQ(r.last_attempt_status, 1);
	CHECK_EQ(efi_esrt_entry_at(e, len, 2, &r), -ENOENT);
	CHECK_EQ(r.fw_version, 0);
	CHECK_EQ(efi_esrt_entry_at(e, len, SIZE_MAX, &r), -ENOENT);

	CHECK_STR(efi_esrt_fw_type_name(0), "Unknown");
	CHECK_STR(efi_esrt_fw_type_name(2), "DeviceFirmware");
	CHECK_STR(efi_esrt_fw_type_name(3), "UefiDriver");
	CHECK_STR(efi_esrt_fw_type_name(4), "Reserved");
	CHECK_EQ(efi_esrt_size(NULL), 0);

	/* An empty table is accepted, as Linux does. */
	len = make_esrt(e, 0, 0, 1);
	CHECK_EQ(efi_esrt_parse(e, len, &h), 0);
	CHECK_EQ(efi_esrt_size(&h), 16);
	CHECK_EQ(efi_esrt_entry_at(e, len, 0, &r), -ENOENT);
}

TEST(esrt_bad)
{
	static uint8_t e[16 + 129 * 40];
	struct efi_esrt h;
	struct efi_esrt_entry r;
	size_t len;

	len = make_esrt(e, 2, 4, 2);				/* version 2 */
	CHECK_EQ(efi_esrt_parse(e, len, &h), -EBADMSG);
	CHECK_EQ(efi_esrt_entry_at(e, len, 0, &r), -EBADMSG);
	len = make_esrt(e, 2, 4, 0);
	CHECK_EQ(efi_esrt_parse(e, len, &h), -EBADMSG);
	len = make_esrt(e, 2, 4, 1ull << 32 | 1);
	CHECK_EQ(efi_esrt_parse(e, len, &h), -EBADMSG);

	len = make_esrt(e, 128, 128, 1);			/* the limit itself */
	CHECK_EQ(efi_esrt_parse(e, len, &h), 0);
	CHECK_EQ(efi_esrt_entry_at(e, len, 127, &r), 0);
	CHECK_EQ(r.fw_class.b[0], (uint8_t)(0xa0 + 127));
	len = make_esrt(e, 129, 200, 1);			/* over Linux's 128 */
	CHECK_EQ(efi_esrt_parse(e, len, &h), -EBADMSG);
	test_put32(e, 0xffffffffu);
	test_put32(e + 4, 0xffffffffu);
	CHECK_EQ(efi_esrt_parse(e, sizeof(e), &h), -EBADMSG);

	len = make_esrt(e, 3, 2, 1);				/* count > max */
	CHECK_EQ(efi_esrt_parse(e, len, &h), -EBADMSG);
	CHECK_EQ(h.count, 0);

	len = make_esrt(e, 2, 2, 1);				/* overrun */
	CHECK_EQ(efi_esrt_parse(e, len - 1, &h), -EINVAL);
	CHECK_EQ(efi_esrt_entry_at(e, len - 1, 0, &r), -EINVAL);
	CHECK_EQ(efi_esrt_parse(e, 15, &h), -EINVAL);
	CHECK_EQ(efi_esrt_parse(NULL, 16, &h), -EINVAL);
	CHECK_EQ(efi_esrt_parse(e, 16, NULL), -EINVAL);
	CHECK_EQ(efi_esrt_entry_at(e, len, 0, NULL), -EINVAL);
	CHECK_EQ(efi_esrt_parse(e, len, &h), 0);
}

/* The B6 decision for an ESRT: find it, place it, read it only if preserved. */
TEST(esrt_placement)
{
	uint8_t m[13 * 48];
	size_t len = make_place_map(m);
	uint8_t e[96];
	struct efi_esrt h;

	make_esrt(e, 2, 2, 1);
	CHECK_EQ(efi_esrt_parse(e, sizeof(e), &h), 0);
	/* As Linux leaves it after efi_mem_reserve(): readable. */
	CHECK(efi_table_readable(efi_table_placement(m, len, 48, 0x200000,
						     efi_esrt_size(&h))));
	/* Left in plain BootServicesData (no kexec reservation): not. */
	CHECK_EQ(efi_table_placement(m, len, 48, 0x180000, efi_esrt_size(&h)),
		 EFI_TABLE_IN_BOOT_SERVICES);
	CHECK(!efi_table_readable(EFI_TABLE_IN_BOOT_SERVICES));
	/* Xen >= 4.17 moves it to ACPIReclaim: readable. */
	CHECK(efi_table_readable(efi_table_placement(m, len, 48, 0x220000, 96)));
}

TEST_MAIN(systab_good, systab_crc, systab_bad, revision_format, vendor_string,
	  config_tables, guid_names, guid_text, mmap_walk, mem_types, mmap_summary,
	  placement, esrt_good, esrt_bad, esrt_placement)
