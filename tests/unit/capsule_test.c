/* Host tests for formats/capsule.c: capsules built here byte by byte (a
 * plain one, a direct and a nested FMP capsule with v1/v2/v3 image
 * headers), then every rule broken once: empty and truncated files,
 * HeaderSize below 28, above or equal to CapsuleImageSize, sizes that
 * overflow 32 bits, CapsuleImageSize above and below the file, two
 * capsules in one file, each flag rule, the zero and the EDK2 file-name
 * GUIDs, and each FMP layout rule; then the header writer, the GUID and
 * flag names and the staged file name. */
#include <errno.h>

#include "tests/unit/test.h"
#include "formats/guid.h"
#include "formats/capsule.h"

static const struct efi_guid fmp = CAPSULE_GUID_FMP;
static const struct efi_guid ux = CAPSULE_GUID_WINDOWS_UX;
static const struct efi_guid names = CAPSULE_GUID_EDK2_COD_NAMES;
static const struct efi_guid vendor = EFI_GUID_INIT(0x11223344, 0x5566, 0x7788,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00);
static const struct efi_guid image_type = EFI_GUID_INIT(0xa1b2c3d4, 0x0102, 0x0304,
	0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c);

static uint8_t buf[8192];
static struct capsule_info info;
static const char *why;

static void put64(uint8_t *p, uint64_t v)
{
	test_put32(p, (uint32_t)v);
	test_put32(p + 4, (uint32_t)(v >> 32));
}

/* A plain capsule at p: header + body_len bytes of 0x5a; returns its size. */
static size_t plain(uint8_t *p, const struct efi_guid *g, uint32_t flags, size_t body_len)
{
	memset(p + CAPSULE_HEADER_SIZE, 0x5a, body_len);
	capsule_header_put(p, CAPSULE_HEADER_SIZE, g, flags, body_len);
	return CAPSULE_HEADER_SIZE + body_len;
}

/*
 * An FMP capsule body at p: `drivers` 16-byte drivers, then `payloads`
 * payloads with image headers of version hver, 20-byte images and 4 bytes
 * of vendor code.  Returns the body's size.
 */
static size_t fmp_body(uint8_t *p, uint16_t drivers, uint16_t payloads, uint32_t hver)
{
	uint32_t items = (uint32_t)drivers + payloads;
	uint32_t hsize = hver == 1 ? 32 : hver == 2 ? 40 : 48;
	size_t off = 8 + 8 * (size_t)items;

	test_put32(p, 1);
	test_put16(p + 4, drivers);
	test_put16(p + 6, payloads);
	for (uint32_t i = 0; i < items; i++) {
		put64(p + 8 + 8 * i, off);
		if (i < drivers) {
			memset(p + off, 0xd0 + i, 16);
			off += 16;
			continue;
		}
		memset(p + off, 0, hsize);
		test_put32(p + off, hver);
		memcpy(p + off + 4, image_type.b, 16);
		p[off + 4] = (uint8_t)(p[off + 4] + i - drivers);	/* each payload its own type */
		test_put32(p + off + 0x18, 20);
		test_put32(p + off + 0x1c, 4);
		memset(p + off + hsize, 0xee, 24);
		off += hsize + 24;
	}
	return off;
}

/* A direct FMP capsule in buf; returns its size. */
static size_t fmp_capsule(uint16_t drivers, uint16_t payloads, uint32_t hver, uint32_t flags)
{
	size_t body = fmp_body(buf + CAPSULE_HEADER_SIZE, drivers, payloads, hver);

	capsule_header_put(buf, CAPSULE_HEADER_SIZE, &fmp, flags, body);
	return CAPSULE_HEADER_SIZE + body;
}

static int check(size_t len)
{
	return capsule_check(buf, len, &info, &why);
}

TEST(test_plain_ok)
{
	size_t n = plain(buf, &vendor, CAPSULE_FLAGS_PERSIST_ACROSS_RESET | 0x1234, 100);

	CHECK_EQ(check(n), 0);
	CHECK(why == NULL);
	CHECK_EQ(info.refused, CAPSULE_PART_NONE);
	CHECK_EQ(info.hdr.header_size, 28);
	CHECK_EQ(info.hdr.flags, 0x11234);
	CHECK_EQ(info.hdr.capsule_image_size, 128);
	CHECK_EQ(info.file_size, 128);
	CHECK(efi_guid_eq(&info.hdr.capsule_guid, &vendor));
	CHECK(efi_guid_eq(&info.target, &vendor));
	CHECK(info.guid_name == NULL);
	CHECK(!info.fmp && !info.nested);
	/* Every flag combination the rules allow. */
	for (uint32_t f = 0; f < 8; f++) {
		uint32_t flags = f << 16;
		bool ok = (flags & CAPSULE_FLAGS_PERSIST_ACROSS_RESET) != 0 || flags == 0;

		plain(buf, &vendor, flags, 10);
		CHECK_EQ(check(38) == 0, ok);
	}
	/* A larger HeaderSize (GUID-defined header fields) is allowed. */
	plain(buf, &ux, 0, 40);
	test_put32(buf + 0x10, 36);
	CHECK_EQ(check(68), 0);
	CHECK_STR(info.guid_name, "Windows UX");
	CHECK_EQ(info.hdr.header_size, 36);
}

TEST(test_null_and_short)
{
	CHECK_EQ(capsule_check(NULL, 100, &info, &why), -EINVAL);
	CHECK_EQ(capsule_check(buf, 100, NULL, &why), -EINVAL);
	CHECK_EQ(capsule_check(buf, 0, &info, NULL), -EBADMSG);
	plain(buf, &vendor, 0, 100);
	for (size_t n = 0; n < 28; n++) {
		CHECK_EQ(check(n), -EBADMSG);
		CHECK_STR(why, "the file is shorter than an EFI_CAPSULE_HEADER (28 bytes)");
		CHECK_EQ(info.file_size, n);
		CHECK_EQ(info.refused, CAPSULE_PART_SIZE);
	}
	/* Truncated anywhere inside the body. */
	for (size_t n = 28; n < 128; n += 7) {
		CHECK_EQ(check(n), -EBADMSG);
		CHECK_STR(why, "CapsuleImageSize is larger than the file: the file is cut short");
		CHECK_EQ(info.hdr.capsule_image_size, 128);
		CHECK_EQ(info.refused, CAPSULE_PART_SIZE);
	}
}

TEST(test_size_fields)
{
	plain(buf, &vendor, 0, 100);
	test_put32(buf + 0x10, 27);
	CHECK_EQ(check(128), -EBADMSG);
	CHECK_STR(why, "HeaderSize is below 28, the size of EFI_CAPSULE_HEADER");
	test_put32(buf + 0x10, 0);
	CHECK_EQ(check(128), -EBADMSG);
	test_put32(buf + 0x10, 129);
	CHECK_EQ(check(128), -EBADMSG);
	CHECK_STR(why, "HeaderSize is larger than CapsuleImageSize");
	test_put32(buf + 0x10, 0xffffffff);
	CHECK_EQ(check(128), -EBADMSG);
	CHECK_STR(why, "HeaderSize is larger than CapsuleImageSize");
	test_put32(buf + 0x10, 128);
	CHECK_EQ(check(128), -EBADMSG);
	CHECK_STR(why, "the capsule has no body (HeaderSize equals CapsuleImageSize), "
		  "which firmware refuses");
	plain(buf, &vendor, 0, 0);
	CHECK_EQ(check(28), -EBADMSG);
	/* CapsuleImageSize at the top of its range: never wraps into "fits". */
	plain(buf, &vendor, 0, 100);
	test_put32(buf + 0x18, 0xffffffff);
	CHECK_EQ(check(128), -EBADMSG);
	CHECK_STR(why, "CapsuleImageSize is larger than the file: the file is cut short");
	CHECK_EQ(info.hdr.capsule_image_size, 0xffffffff);
	test_put32(buf + 0x10, 0xffffffff);
	CHECK_EQ(check(128), -EBADMSG);
	CHECK_STR(why, "the capsule has no body (HeaderSize equals CapsuleImageSize), "
		  "which firmware refuses");
	/* Trailing bytes. */
	plain(buf, &vendor, 0, 100);
	CHECK_EQ(check(129), -EBADMSG);
	CHECK_STR(why, "CapsuleImageSize is smaller than the file: bytes follow the capsule");
	CHECK_EQ(info.file_size, 129);
	memset(buf + 128, 0, 64);
	CHECK_EQ(check(192), -EBADMSG);
	CHECK_STR(why, "CapsuleImageSize is smaller than the file: bytes follow the capsule");
}

TEST(test_two_capsules)
{
	size_t a = plain(buf, &vendor, 0, 100);
	size_t b = plain(buf + a, &ux, 0, 50);

	CHECK_EQ(check(a + b), -EBADMSG);
	CHECK_STR(why, "the file holds more than one capsule; "
		  "capsule-on-disk takes one capsule per file");
	CHECK_EQ(check(a), 0);		/* the first alone is fine */
	/* The second cut short still reads as a second capsule? No: its size does not fit. */
	CHECK_EQ(check(a + b - 1), -EBADMSG);
	CHECK_STR(why, "CapsuleImageSize is smaller than the file: bytes follow the capsule");
}

TEST(test_flags)
{
	static const uint32_t bad_bits[] = { 0x80000, 0x100000, 0x80000000u, 0xfff80000u };

	for (size_t i = 0; i < sizeof(bad_bits) / sizeof(bad_bits[0]); i++) {
		plain(buf, &vendor, CAPSULE_FLAGS_PERSIST_ACROSS_RESET | bad_bits[i], 10);
		CHECK_EQ(check(38), -EBADMSG);
		CHECK_STR(why, "Flags sets bits above INITIATE_RESET, which UEFI does not define");
		CHECK_EQ(info.hdr.flags, CAPSULE_FLAGS_PERSIST_ACROSS_RESET | bad_bits[i]);
		CHECK_EQ(info.refused, CAPSULE_PART_FLAGS);
	}
	plain(buf, &vendor, CAPSULE_FLAGS_POPULATE_SYSTEM_TABLE, 10);
	CHECK_EQ(check(38), -EBADMSG);
	CHECK_STR(why, "POPULATE_SYSTEM_TABLE is set without PERSIST_ACROSS_RESET");
	plain(buf, &vendor, CAPSULE_FLAGS_INITIATE_RESET | 0xffff, 10);
	CHECK_EQ(check(38), -EBADMSG);
	CHECK_STR(why, "INITIATE_RESET is set without PERSIST_ACROSS_RESET");
	plain(buf, &vendor, CAPSULE_FLAGS_INITIATE_RESET | CAPSULE_FLAGS_POPULATE_SYSTEM_TABLE, 10);
	CHECK_EQ(check(38), -EBADMSG);
	/* GUID-defined bits alone are the GUID's business. */
	plain(buf, &vendor, 0xffff, 10);
	CHECK_EQ(check(38), 0);
	/* FMP with POPULATE_SYSTEM_TABLE, even with PERSIST_ACROSS_RESET. */
	size_t n = fmp_capsule(0, 1, 3, CAPSULE_FLAGS_PERSIST_ACROSS_RESET |
			       CAPSULE_FLAGS_POPULATE_SYSTEM_TABLE);
	CHECK_EQ(check(n), -EBADMSG);
	CHECK_STR(why, "an FMP capsule must not set POPULATE_SYSTEM_TABLE");
	CHECK_EQ(info.refused, CAPSULE_PART_FLAGS);
	n = fmp_capsule(0, 1, 3, CAPSULE_FLAGS_PERSIST_ACROSS_RESET | CAPSULE_FLAGS_INITIATE_RESET);
	CHECK_EQ(check(n), 0);
}

TEST(test_guids)
{
	static const struct efi_guid zero;

	plain(buf, &zero, 0, 10);
	CHECK_EQ(check(38), -EBADMSG);
	CHECK_STR(why, "CapsuleGuid is all zero");
	CHECK_EQ(info.refused, CAPSULE_PART_GUID);
	plain(buf, &names, CAPSULE_FLAGS_PERSIST_ACROSS_RESET, 10);
	CHECK_EQ(check(38), -EBADMSG);
	CHECK_STR(why, "CapsuleGuid is EDK2's capsule-on-disk file-name list, "
		  "which only the firmware writes");
	CHECK_STR(info.guid_name, "EDK2 capsule-on-disk names");
	CHECK_STR(capsule_guid_name(&fmp), "FMP");
	CHECK_STR(capsule_guid_name(&ux), "Windows UX");
	{
		const struct efi_guid j = CAPSULE_GUID_JSON, m = CAPSULE_GUID_MEMORY_RANGE;

		CHECK_STR(capsule_guid_name(&j), "JSON");
		CHECK_STR(capsule_guid_name(&m), "memory range");
	}
	CHECK(capsule_guid_name(&vendor) == NULL);
	CHECK(capsule_guid_name(NULL) == NULL);
}

TEST(test_fmp_ok)
{
	for (uint32_t v = 1; v <= 3; v++) {
		size_t n = fmp_capsule(0, 1, v, CAPSULE_FLAGS_PERSIST_ACROSS_RESET);

		CHECK_EQ(check(n), 0);
		CHECK(info.fmp && !info.nested);
		CHECK_EQ(info.fmp_payloads, 1);
		CHECK_EQ(info.fmp_drivers, 0);
		CHECK(efi_guid_eq(&info.target, &image_type));
		CHECK_STR(info.guid_name, "FMP");
	}
	/* Two drivers, three payloads: the target is the first payload's type. */
	size_t n = fmp_capsule(2, 3, 2, 0);
	CHECK_EQ(check(n), 0);
	CHECK_EQ(info.fmp_drivers, 2);
	CHECK_EQ(info.fmp_payloads, 3);
	CHECK(efi_guid_eq(&info.target, &image_type));
	/* Drivers only: nothing names a target, so the CapsuleGuid does. */
	n = fmp_capsule(1, 0, 3, 0);
	CHECK_EQ(check(n), 0);
	CHECK(efi_guid_eq(&info.target, &fmp));
}

TEST(test_fmp_bad)
{
	size_t n;

	/* Body shorter than the FMP header. */
	plain(buf, &fmp, 0, 7);
	CHECK_EQ(check(35), -EBADMSG);
	CHECK_STR(why, "the FMP capsule body is shorter than its 8-byte header");
	n = fmp_capsule(0, 1, 3, 0);
	test_put32(buf + 28, 2);
	CHECK_EQ(check(n), -EBADMSG);
	CHECK_STR(why, "the FMP capsule header's Version is not 1");
	/* No items: a bare 8-byte FMP header. */
	n = fmp_capsule(0, 0, 3, 0);
	CHECK_EQ(n, 36);
	CHECK_EQ(check(n), -EBADMSG);
	CHECK_STR(why, "the FMP capsule holds no driver and no payload, "
		  "which firmware does not process");
	/* Counts whose offset list cannot fit (65535 + 65535 items). */
	n = fmp_capsule(0, 1, 3, 0);
	test_put16(buf + 28 + 4, 0xffff);
	test_put16(buf + 28 + 6, 0xffff);
	CHECK_EQ(check(n), -EBADMSG);
	CHECK_STR(why, "the FMP ItemOffsetList runs past the end of the capsule");
	/* An offset inside the offset list, past the end, at 2^64 - 1. */
	static const uint64_t bad_off[] = { 0, 15, 200000, UINT64_MAX };
	for (size_t i = 0; i < sizeof(bad_off) / sizeof(bad_off[0]); i++) {
		n = fmp_capsule(0, 1, 3, 0);
		put64(buf + 28 + 8, bad_off[i]);
		CHECK_EQ(check(n), -EBADMSG);
		CHECK_STR(why, "an FMP item offset points outside the capsule body");
		CHECK_EQ(info.fmp_item, 0);
	}
	/* Offsets out of order, or equal. */
	n = fmp_capsule(1, 2, 3, 0);
	put64(buf + 28 + 8 + 16, 24 + 16);	/* item 2 at item 1's place */
	CHECK_EQ(check(n), -EBADMSG);
	CHECK_STR(why, "the FMP item offsets are not in ascending order");
	CHECK_EQ(info.fmp_item, 2);
	CHECK_EQ(info.refused, CAPSULE_PART_FMP);
	/* Unknown image header versions. */
	static const uint32_t bad_ver[] = { 0, 4, 0xffffffff };
	for (size_t i = 0; i < sizeof(bad_ver) / sizeof(bad_ver[0]); i++) {
		n = fmp_capsule(0, 1, 3, 0);
		test_put32(buf + 28 + 16, bad_ver[i]);
		CHECK_EQ(check(n), -EBADMSG);
		CHECK_STR(why, "an FMP payload's image header version is not 1, 2 or 3");
	}
	/* Sizes that do not fill the item: short, long, overflowing 32 bits. */
	static const uint32_t bad_size[] = { 19, 21, 0xffffffff };
	for (size_t i = 0; i < sizeof(bad_size) / sizeof(bad_size[0]); i++) {
		n = fmp_capsule(0, 1, 3, 0);
		test_put32(buf + 28 + 16 + 0x18, bad_size[i]);
		CHECK_EQ(check(n), -EBADMSG);
		CHECK_STR(why, "an FMP payload's UpdateImageSize and "
			  "UpdateVendorCodeSize do not fill its item");
	}
	n = fmp_capsule(0, 1, 3, 0);
	test_put32(buf + 28 + 16 + 0x1c, 0xffffffff);
	CHECK_EQ(check(n), -EBADMSG);
	/* The last payload's header grows from v1 to v3: its sizes no longer fill the item. */
	n = fmp_capsule(0, 2, 1, 0);
	test_put32(buf + 28 + 8 + 16 + 32 + 24, 3);
	CHECK_EQ(check(n), -EBADMSG);
	CHECK_EQ(info.fmp_item, 1);
	/* An item of fewer than 4 bytes at the very end. */
	n = fmp_capsule(0, 1, 3, 0);
	put64(buf + 28 + 8, n - 28 - 3);
	CHECK_EQ(check(n), -EBADMSG);
	CHECK_STR(why, "an FMP payload item is too short for its image header");
}

TEST(test_nested)
{
	size_t inner = fmp_capsule(0, 1, 3, CAPSULE_FLAGS_PERSIST_ACROSS_RESET);
	uint8_t copy[1024];

	memcpy(copy, buf, inner);
	memcpy(buf + CAPSULE_HEADER_SIZE, copy, inner);
	capsule_header_put(buf, CAPSULE_HEADER_SIZE, &vendor,
			   CAPSULE_FLAGS_PERSIST_ACROSS_RESET | CAPSULE_FLAGS_INITIATE_RESET, inner);
	CHECK_EQ(check(CAPSULE_HEADER_SIZE + inner), 0);
	CHECK(info.fmp && info.nested);
	CHECK(efi_guid_eq(&info.target, &vendor));	/* the ESRT GUID outside */
	CHECK_EQ(info.fmp_payloads, 1);
	/* Inner header sizes that do not fit the body. */
	test_put32(buf + CAPSULE_HEADER_SIZE + 0x18, (uint32_t)inner - 1);
	CHECK_EQ(check(CAPSULE_HEADER_SIZE + inner), -EBADMSG);
	CHECK_STR(why, "the nested FMP capsule's header sizes do not fit the body");
	CHECK_EQ(info.refused, CAPSULE_PART_FMP);
	test_put32(buf + CAPSULE_HEADER_SIZE + 0x18, (uint32_t)inner);
	test_put32(buf + CAPSULE_HEADER_SIZE + 0x10, (uint32_t)inner);
	CHECK_EQ(check(CAPSULE_HEADER_SIZE + inner), -EBADMSG);
	test_put32(buf + CAPSULE_HEADER_SIZE + 0x10, 27);
	CHECK_EQ(check(CAPSULE_HEADER_SIZE + inner), -EBADMSG);
	/* The inner FMP body's own rules. */
	test_put32(buf + CAPSULE_HEADER_SIZE + 0x10, 28);
	test_put32(buf + 2 * CAPSULE_HEADER_SIZE, 5);
	CHECK_EQ(check(CAPSULE_HEADER_SIZE + inner), -EBADMSG);
	CHECK_STR(why, "the FMP capsule header's Version is not 1");
	/* A body that merely starts with the FMP GUID but is too short for a header. */
	plain(buf, &vendor, 0, 20);
	memcpy(buf + CAPSULE_HEADER_SIZE, fmp.b, 16);
	CHECK_EQ(check(48), 0);
	CHECK(!info.fmp);
}

TEST(test_header_put)
{
	uint8_t h[28];

	CHECK_EQ(capsule_header_put(NULL, 28, &vendor, 0, 0), -EINVAL);
	CHECK_EQ(capsule_header_put(h, 28, NULL, 0, 0), -EINVAL);
	CHECK_EQ(capsule_header_put(h, 27, &vendor, 0, 0), -EINVAL);
	CHECK_EQ(capsule_header_put(h, 28, &vendor, 0, UINT32_MAX - 27), -ERANGE);
	CHECK_EQ(capsule_header_put(h, 28, &vendor, 0, UINT64_MAX), -ERANGE);
	CHECK_EQ(capsule_header_put(h, 28, &vendor, 0x50000, UINT32_MAX - 28), 0);
	CHECK(memcmp(h, vendor.b, 16) == 0);
	CHECK_EQ(h[16] | h[17] << 8 | h[18] << 16 | (uint32_t)h[19] << 24, 28);
	CHECK_EQ(h[20] | h[21] << 8 | h[22] << 16 | (uint32_t)h[23] << 24, 0x50000);
	CHECK_EQ(h[24] | h[25] << 8 | h[26] << 16 | (uint32_t)h[27] << 24, UINT32_MAX);
}

TEST(test_names)
{
	char out[64];

	CHECK_STR(capsule_flag_name(CAPSULE_FLAGS_PERSIST_ACROSS_RESET), "PERSIST_ACROSS_RESET");
	CHECK_STR(capsule_flag_name(CAPSULE_FLAGS_POPULATE_SYSTEM_TABLE), "POPULATE_SYSTEM_TABLE");
	CHECK_STR(capsule_flag_name(CAPSULE_FLAGS_INITIATE_RESET), "INITIATE_RESET");
	CHECK(capsule_flag_name(0x80000) == NULL);
	CHECK(capsule_flag_name(1) == NULL);
	CHECK(capsule_flag_name(0x30000) == NULL);
	CHECK_EQ(capsule_file_name(&fmp, out, sizeof(out)), CAPSULE_FILE_NAME_LEN);
	CHECK_STR(out, "postmortem-6dcbd5ed-e82d-4c44-bda1-7194199ad92a.cap");
	CHECK_EQ(strlen(out), CAPSULE_FILE_NAME_LEN);
	CHECK_EQ(capsule_file_name(&fmp, out, CAPSULE_FILE_NAME_LEN + 1), CAPSULE_FILE_NAME_LEN);
	CHECK_EQ(capsule_file_name(&fmp, out, CAPSULE_FILE_NAME_LEN), -ENOSPC);
	CHECK_STR(out, "");
	CHECK_EQ(capsule_file_name(&fmp, out, 0), -ENOSPC);
	CHECK_EQ(capsule_file_name(NULL, out, sizeof(out)), -EINVAL);
	CHECK_EQ(capsule_file_name(&fmp, NULL, sizeof(out)), -EINVAL);
}

TEST_MAIN(test_plain_ok, test_null_and_short, test_size_fields, test_two_capsules, test_flags,
	  test_guids, test_fmp_ok, test_fmp_bad, test_nested, test_header_put, test_names)
