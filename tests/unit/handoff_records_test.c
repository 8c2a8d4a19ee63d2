/*
 * Unit tests for payload/handoff_records.c: the record decoders on
 * malformed payloads (array strides, inner lengths, ESRT counts, ELF notes
 * that overrun), and the names and GUID helpers.  Well-formed round trips
 * of every record type are in handoff_test.c.
 *
 * Records are made by hand as struct handoff_record over exact-size heap
 * copies, the way handoff_next() hands them out, so ASan sees any read
 * past a payload.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/handoff.h"
#include "tests/unit/test.h"

static uint8_t *heap;

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof(v)); }

/* A record of type over an exact heap copy of p[0..len) (freed by the next call). */
static struct handoff_record rec_of(uint32_t type, const void *p, size_t len)
{
	struct handoff_record r = { type, 0, len, 80, NULL };

	free(heap);
	heap = malloc(len ? len : 1);
	memcpy(heap, p, len);
	r.payload = heap;
	return r;
}

TEST(test_arrays_malformed)
{
	uint8_t p[8 + 3 * 48];
	struct handoff_record r;
	struct handoff_array a;
	struct handoff_efi_memory_descriptor d;
	struct handoff_dump_range dr;

	memset(p, 0, sizeof(p));
	put32(p, 48);
	r = rec_of(HANDOFF_TYPE_EFI_MEMMAP, p, sizeof(p));
	CHECK_EQ(handoff_get_array(&r, &a), 0);
	CHECK_EQ(a.count, 3);
	r = rec_of(HANDOFF_TYPE_EFI_MEMMAP, p, sizeof(p) - 1);	/* partial entry */
	CHECK_EQ(handoff_get_array(&r, &a), -EBADMSG);
	CHECK_EQ(handoff_efi_memmap_at(&r, 0, &d), -EBADMSG);
	r = rec_of(HANDOFF_TYPE_EFI_MEMMAP, p, 7);	/* no array header */
	CHECK_EQ(handoff_get_array(&r, &a), -EBADMSG);
	r = rec_of(HANDOFF_TYPE_EFI_MEMMAP, p, 8);	/* header only: empty */
	CHECK_EQ(handoff_get_array(&r, &a), 0);
	CHECK_EQ(a.count, 0);
	CHECK_EQ(handoff_efi_memmap_at(&r, 0, &d), -ERANGE);
	for (uint32_t es = 0; es < 48; es++) {
		if (es == 40)
			continue;	/* the smallest good stride */
		put32(p, es);	/* 0, too small, or not a multiple of 8 */
		r = rec_of(HANDOFF_TYPE_EFI_MEMMAP, p, 8 + (es ? es * 2 : 0));
		CHECK_EQ(handoff_get_array(&r, &a), -EBADMSG);
	}
	put32(p, 0xfffffff8u);	/* huge stride: no entries fit, not a multiple */
	r = rec_of(HANDOFF_TYPE_EFI_MEMMAP, p, sizeof(p));
	CHECK_EQ(handoff_get_array(&r, &a), -EBADMSG);
	put32(p, 16);
	r = rec_of(HANDOFF_TYPE_DUMP_RANGES, p, 8 + 32);
	CHECK_EQ(handoff_dump_range_at(&r, 1, &dr), 0);
	r = rec_of(HANDOFF_TYPE_CMDLINE, p, 8 + 32);
	CHECK_EQ(handoff_get_array(&r, &a), -EINVAL);	/* not an array type */
	CHECK_EQ(handoff_dump_range_at(&r, 0, &dr), -EINVAL);
	/* A newer writer's bigger entries: the first 16 bytes of each are read. */
	put32(p, 24);
	put64(p + 8 + 24, 0x5000);
	r = rec_of(HANDOFF_TYPE_DUMP_RANGES, p, 8 + 48);
	CHECK_EQ(handoff_dump_range_at(&r, 1, &dr), 0);
	CHECK_EQ(dr.start, 0x5000);
}

TEST(test_fixed_short)
{
	struct handoff_efi_systab s;
	struct handoff_creator c;
	struct handoff_capsule_header ch;
	uint8_t p[200];
	struct handoff_record r;

	memset(p, 'A', sizeof(p));
	r = rec_of(HANDOFF_TYPE_EFI_SYSTAB, p, 119);
	CHECK_EQ(handoff_get_efi_systab(&r, &s), -EBADMSG);
	r = rec_of(HANDOFF_TYPE_EFI_SYSTAB, p, 200);	/* longer: tail ignored */
	CHECK_EQ(handoff_get_efi_systab(&r, &s), 0);
	CHECK_EQ(s.fw_vendor[63], 'A');	/* a full field has no NUL */
	r = rec_of(HANDOFF_TYPE_CREATOR, p, 159);
	CHECK_EQ(handoff_get_creator(&r, &c), -EBADMSG);
	r = rec_of(HANDOFF_TYPE_CAPSULE, p, 27);
	CHECK_EQ(handoff_get_capsule_header(&r, &ch), -EBADMSG);
	r = rec_of(HANDOFF_TYPE_CAPSULE, p, 28);
	CHECK_EQ(handoff_get_capsule_header(&r, &ch), 0);
	CHECK_EQ(handoff_get_efi_systab(NULL, &s), -EINVAL);
}

TEST(test_inner_lengths)
{
	uint8_t p[128];
	struct handoff_record r;
	struct handoff_table_copy tc;
	struct handoff_acpi_rsdp ra;
	struct handoff_smbios sm;
	struct handoff_vmcoreinfo vi;
	struct handoff_bytes b, ep, tab;

	memset(p, 0, sizeof(p));
	put64(p + 24, 10);	/* TABLE_COPY says 10 bytes follow */
	r = rec_of(HANDOFF_TYPE_TABLE_COPY, p, 42);
	CHECK_EQ(handoff_get_table_copy(&r, &tc, &b), 0);
	CHECK_EQ(b.len, 10);
	r = rec_of(HANDOFF_TYPE_TABLE_COPY, p, 41);
	CHECK_EQ(handoff_get_table_copy(&r, &tc, &b), -EBADMSG);
	r = rec_of(HANDOFF_TYPE_TABLE_COPY, p, 43);
	CHECK_EQ(handoff_get_table_copy(&r, &tc, &b), -EBADMSG);
	r = rec_of(HANDOFF_TYPE_TABLE_COPY, p, 31);
	CHECK_EQ(handoff_get_table_copy(&r, &tc, &b), -EBADMSG);
	put64(p + 24, UINT64_MAX);
	r = rec_of(HANDOFF_TYPE_TABLE_COPY, p, 64);
	CHECK_EQ(handoff_get_table_copy(&r, &tc, &b), -EBADMSG);
	memset(p, 0, sizeof(p));
	put64(p + 8, 20);	/* RSDP: 20 bytes follow */
	r = rec_of(HANDOFF_TYPE_ACPI_RSDP, p, 36);
	CHECK_EQ(handoff_get_acpi_rsdp(&r, &ra, &b), 0);
	r = rec_of(HANDOFF_TYPE_ACPI_RSDP, p, 35);
	CHECK_EQ(handoff_get_acpi_rsdp(&r, &ra, &b), -EBADMSG);
	memset(p, 0, sizeof(p));
	put64(p + 8, 24);	/* SMBIOS: 24 of entry point, 8 of table */
	put64(p + 24, 8);
	r = rec_of(HANDOFF_TYPE_SMBIOS, p, 64);
	CHECK_EQ(handoff_get_smbios(&r, &sm, &ep, &tab), 0);
	CHECK_EQ(ep.len + tab.len, 32);
	r = rec_of(HANDOFF_TYPE_SMBIOS, p, 63);
	CHECK_EQ(handoff_get_smbios(&r, &sm, &ep, &tab), -EBADMSG);
	put64(p + 8, UINT64_MAX - 3);	/* would wrap ep + table */
	put64(p + 24, 36);
	r = rec_of(HANDOFF_TYPE_SMBIOS, p, 64);
	CHECK_EQ(handoff_get_smbios(&r, &sm, &ep, &tab), -EBADMSG);
	r = rec_of(HANDOFF_TYPE_VMCOREINFO, p, 15);
	CHECK_EQ(handoff_get_vmcoreinfo(&r, &vi, &b), -EBADMSG);
	memcpy(p + 16, "A=1\n\0junk", 9);
	r = rec_of(HANDOFF_TYPE_VMCOREINFO, p, 25);
	CHECK_EQ(handoff_get_vmcoreinfo(&r, &vi, &b), 0);
	CHECK_EQ(b.len, 4);	/* text stops at the NUL */
	r = rec_of(HANDOFF_TYPE_CMDLINE, "ab\0cd", 5);
	CHECK_EQ(handoff_get_bytes(&r, HANDOFF_TYPE_CMDLINE, &b), 0);
	CHECK_EQ(b.len, 2);
	CHECK_EQ(handoff_get_bytes(&r, HANDOFF_TYPE_CAPSULE, &b), -EINVAL);
}

TEST(test_esrt_malformed)
{
	uint8_t p[16 + 2 * 40];
	struct handoff_bytes b = { p, sizeof(p) };
	struct handoff_esrt_header h;
	struct handoff_esrt_entry e;
	size_t n = 99;

	memset(p, 0, sizeof(p));
	put32(p, 2);
	CHECK_EQ(handoff_esrt_header(&b, &h, &n), 0);
	CHECK_EQ(n, 2);
	put32(p, 3);	/* claims more entries than fit */
	CHECK_EQ(handoff_esrt_header(&b, &h, &n), -EBADMSG);
	CHECK_EQ(handoff_esrt_entry_at(&b, 0, &e), -EBADMSG);
	put32(p, 0xffffffffu);
	CHECK_EQ(handoff_esrt_header(&b, &h, &n), -EBADMSG);
	b.len = 15;
	CHECK_EQ(handoff_esrt_header(&b, &h, &n), -EBADMSG);
	put32(p, 0);
	b.len = 16;
	CHECK_EQ(handoff_esrt_header(&b, &h, &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(handoff_esrt_entry_at(&b, 0, &e), -ERANGE);
}

TEST(test_notes_malformed)
{
	uint8_t p[64];
	struct handoff_bytes b = { p, 0 };
	struct handoff_note note;
	size_t cur = 0;

	memset(p, 0, sizeof(p));
	CHECK_EQ(handoff_note_next(&b, &cur, &note), -ENOENT);	/* empty */
	b.len = 11;
	CHECK_EQ(handoff_note_next(&b, &cur, &note), -EBADMSG);	/* short header */
	put32(p, 5);
	put32(p + 4, 8);
	b.len = 12 + 8 + 8;
	CHECK_EQ(handoff_note_next(&b, &cur, &note), 0);
	CHECK_EQ(cur, 28);
	cur = 0;
	b.len = 12 + 8 + 7;	/* desc overruns by one */
	CHECK_EQ(handoff_note_next(&b, &cur, &note), -EBADMSG);
	put32(p, 0xffffffffu);	/* name size that would wrap when padded */
	b.len = sizeof(p);
	CHECK_EQ(handoff_note_next(&b, &cur, &note), -EBADMSG);
	put32(p, 4);
	put32(p + 4, 0xfffffffdu);
	CHECK_EQ(handoff_note_next(&b, &cur, &note), -EBADMSG);
	cur = 65;
	CHECK_EQ(handoff_note_next(&b, &cur, &note), -EINVAL);
}

TEST(test_names)
{
	CHECK_STR(handoff_type_name(HANDOFF_TYPE_EFI_MEMMAP), "EFI_MEMMAP");
	CHECK_STR(handoff_type_name(HANDOFF_TYPE_MEMMAP), "MEMMAP");
	CHECK_STR(handoff_type_name(0), "unknown");
	CHECK_STR(handoff_type_name(16), "DUMP_KEY");
	CHECK_STR(handoff_type_name(17), "unknown");
	CHECK(!handoff_type_known(0));
	CHECK(handoff_type_known(16));
	CHECK(!handoff_type_known(17));
	for (uint32_t t = 1; t <= HANDOFF_TYPE_MAX_KNOWN; t++)
		CHECK(strcmp(handoff_type_name(t), "unknown") != 0);
	CHECK_STR(handoff_efi_type_name(7), "conventional");
	CHECK_STR(handoff_efi_type_name(4), "boot-data");
	CHECK_STR(handoff_efi_type_name(15), "unaccepted");
	CHECK(handoff_efi_type_name(16) == NULL);
	CHECK_STR(handoff_e820_type_name(1), "ram");
	CHECK_STR(handoff_e820_type_name(HANDOFF_E820_SOFT_RESERVED), "soft-reserved");
	CHECK(handoff_e820_type_name(6) == NULL);
}

TEST(test_guids)
{
	static const uint8_t esrt[16] = HANDOFF_GUID_ESRT;
	uint8_t g[16];
	char s[37];

	handoff_guid_format(esrt, s);
	CHECK_STR(s, "b122a263-3661-4f68-9929-78f8b0d62180");
	CHECK_STR(handoff_guid_name(esrt), "esrt");
	CHECK_EQ(handoff_guid_parse("B122A263-3661-4F68-9929-78F8B0D62180", 36, g), 0);
	CHECK_EQ(memcmp(g, esrt, 16), 0);
	CHECK_EQ(handoff_guid_by_name("smbios3", 7, g), 0);
	handoff_guid_format(g, s);
	CHECK_STR(s, "f2fd1544-9794-4a2c-992e-e5bbcf20e394");
	CHECK_EQ(handoff_guid_by_name("acpi20", 6, g), 0);
	handoff_guid_format(g, s);
	CHECK_STR(s, "8868e871-e4f1-11d3-bc22-0080c73c8881");
	CHECK_EQ(handoff_guid_by_name("acpi2", 5, g), -ENOENT);
	CHECK_EQ(handoff_guid_parse("b122a263-3661-4f68-9929-78f8b0d6218", 35, g), -EINVAL);
	CHECK_EQ(handoff_guid_parse("b122a263-3661-4f68-9929+78f8b0d62180", 36, g), -EINVAL);
	CHECK_EQ(handoff_guid_parse("b122a263-3661-4f68-9929-78f8b0d6218g", 36, g), -EINVAL);
	CHECK_EQ(handoff_guid_parse(NULL, 36, g), -EINVAL);
	memset(g, 0, 16);
	CHECK(handoff_guid_name(g) == NULL);
}

static void cleanup(void)
{
	free(heap);
	heap = NULL;
}

/* DUMP_KEY: written, found, decoded; every field check; no short read. */
TEST(test_dump_key)
{
	struct handoff_dump_key k, out;
	struct handoff_writer w;
	struct handoff_record r;
	uint8_t block[4096], pay[HANDOFF_DUMP_KEY_HEAD + 1024 + 8];
	size_t total, cur = 0;
	const char *why;

	memset(&k, 0, sizeof(k));
	k.wrapped_len = 384;
	for (int i = 0; i < 32; i++) {
		k.master[i] = (uint8_t)(i + 1);
		k.key_id[i] = (uint8_t)(0x40 + i);
		k.load_salt[i] = (uint8_t)(0x80 + i);
	}
	for (int i = 0; i < 384; i++)
		k.wrapped[i] = (uint8_t)(i * 5);
	handoff_writer_init(&w, block, sizeof(block), 1);
	CHECK_EQ(handoff_add_dump_key(&w, &k), 0);
	CHECK_EQ(handoff_finish(&w, &total), 0);
	CHECK_EQ(handoff_verify(block, total, NULL), 0);
	CHECK_EQ(handoff_next(block, total, &cur, &r), 0);
	CHECK_EQ(r.type, HANDOFF_TYPE_DUMP_KEY);
	CHECK_EQ(r.flags, HANDOFF_RECORD_CRITICAL);
	CHECK_EQ(r.length, HANDOFF_DUMP_KEY_HEAD + 384);
	CHECK_EQ(handoff_get_dump_key(&r, &out, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(out.version, 1);
	CHECK_EQ(out.cipher, 1);
	CHECK_EQ(out.wrap, 1);
	CHECK(memcmp(out.master, k.master, 32) == 0);
	CHECK(memcmp(out.key_id, k.key_id, 32) == 0);
	CHECK(memcmp(out.load_salt, k.load_salt, 32) == 0);
	CHECK(memcmp(out.wrapped, k.wrapped, 384) == 0);
	CHECK_STR(handoff_type_name(r.type), "DUMP_KEY");

	/* The writer refuses what the reader would. */
	struct handoff_dump_key bad = k;
	bad.wrapped_len = 255;
	CHECK_EQ(handoff_add_dump_key(&w, &bad), -EINVAL);
	bad.wrapped_len = 1025;
	CHECK_EQ(handoff_add_dump_key(&w, &bad), -EINVAL);
	bad = k;
	memset(bad.master, 0, 32);
	CHECK_EQ(handoff_add_dump_key(&w, &bad), -EINVAL);

	/* Decoder checks over exact-size copies. */
	memcpy(pay, r.payload, r.length);
	struct { size_t off; uint32_t v; size_t len; const char *part; } f[] = {
		{ 0x00, 2, 0, "version" }, { 0x04, 2, 0, "cipher" }, { 0x08, 0, 0, "wrap" },
		{ 0x0c, 255, 0, "wrapped_len" }, { 0x0c, 1025, 0, "wrapped_len" },
		{ 0x0c, 0xffffffffu, 0, "wrapped_len" }, { 0x0c, 385, 0, "payload length" },
		{ 0x0c, 384, HANDOFF_DUMP_KEY_HEAD + 383, "payload length" },
		{ 0x0c, 384, HANDOFF_DUMP_KEY_HEAD + 385, "payload length" },
		{ 0x0c, 384, HANDOFF_DUMP_KEY_HEAD - 1, "shorter" },
		{ 0x0c, 384, 0, NULL },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		uint8_t c[sizeof(pay)];
		size_t len = f[i].len ? f[i].len : (size_t)r.length;

		memcpy(c, pay, sizeof(c));
		put32(c + f[i].off, f[i].v);
		struct handoff_record rr = rec_of(HANDOFF_TYPE_DUMP_KEY, c, len);
		memset(&out, 0x55, sizeof(out));
		int ret = handoff_get_dump_key(&rr, &out, &why);
		if (f[i].part == NULL) {
			CHECK_EQ(ret, 0);
			continue;
		}
		CHECK_EQ(ret, -EBADMSG);
		CHECK(why != NULL && strstr(why, f[i].part) != NULL);
		CHECK_EQ(out.version, 0x55555555u);	/* unchanged on error */
	}
	uint8_t z[sizeof(pay)];
	memcpy(z, pay, sizeof(z));
	memset(z + 0x10, 0, 32);
	r = rec_of(HANDOFF_TYPE_DUMP_KEY, z, HANDOFF_DUMP_KEY_HEAD + 384);
	CHECK_EQ(handoff_get_dump_key(&r, &out, &why), -EBADMSG);
	CHECK(strstr(why, "all zero") != NULL);
	r = rec_of(HANDOFF_TYPE_DUMP_FILE, pay, HANDOFF_DUMP_KEY_HEAD + 384);
	CHECK_EQ(handoff_get_dump_key(&r, &out, &why), -EINVAL);
	CHECK_EQ(handoff_get_dump_key(NULL, &out, &why), -EINVAL);
}

TEST_MAIN(test_dump_key, test_arrays_malformed, test_fixed_short, test_inner_lengths,
	  test_esrt_malformed, test_notes_malformed, test_names, test_guids, cleanup)
