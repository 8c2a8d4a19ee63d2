/* Host tests for formats/varstore.c: variable stores built here the way
 * OVMF_VARS*.fd lays them out (firmware volume header, block map, store
 * header, variables), in both header formats: empty stores, live,
 * deleted, header-only, blank and in-transition copies (with an added
 * copy before, after or nowhere), padding after every name and data
 * length, names that are not ASCII or too long, then every rule of the
 * volume and store headers broken once, variables whose lengths run past
 * the end or overflow, and the store cut at every byte.  Debian's real
 * OVMF_VARS files and a store OVMF itself wrote are read in
 * tests/varstore_tool_test.sh. */
#include <errno.h>

#include "tests/unit/test.h"
#include "formats/guid.h"
#include "formats/varstore.h"

#define FV_LEN		0x4000u
#define STORE_SIZE	(0x3000u - 0x48u)

static const struct efi_guid global = VARSTORE_GLOBAL_VARIABLE_GUID;
static const struct efi_guid vendor = EFI_GUID_INIT(0x11223344, 0x5566, 0x7788,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00);

static uint8_t img[FV_LEN + 4096];
static size_t fill;		/* where the next variable goes */
static bool auth;
static struct varstore vs;
static struct varstore_var var;
static const char *why;

static void put64(uint8_t *p, uint64_t v)
{
	test_put32(p, (uint32_t)v);
	test_put32(p + 4, (uint32_t)(v >> 32));
}

/* Recompute the FV header checksum over HeaderLength bytes. */
static void fix_checksum(void)
{
	uint16_t sum = 0, hl = (uint16_t)(img[0x30] | img[0x31] << 8);

	test_put16(img + 0x32, 0);
	for (size_t i = 0; i + 1 < hl; i += 2)
		sum = (uint16_t)(sum + (img[i] | img[i + 1] << 8));
	test_put16(img + 0x32, (uint16_t)(0x10000 - sum));
}

/* An empty OVMF-style store: FvLength FV_LEN in 4 KiB blocks, store at 0x48. */
static void mkstore(bool auth_format)
{
	static const struct efi_guid nv = VARSTORE_NV_DATA_FV_GUID;
	static const struct efi_guid a = VARSTORE_AUTH_STORE_GUID, p = VARSTORE_STORE_GUID;

	auth = auth_format;
	memset(img, 0xff, sizeof(img));
	memset(img, 0, 0x48 + 28);
	memcpy(img + 0x10, nv.b, 16);
	put64(img + 0x20, FV_LEN);
	test_put32(img + 0x28, VARSTORE_FVH_SIGNATURE);
	test_put32(img + 0x2c, 0x0004feff);
	test_put16(img + 0x30, 0x48);
	img[0x37] = 2;
	test_put32(img + 0x38, FV_LEN / 0x1000);
	test_put32(img + 0x3c, 0x1000);
	fix_checksum();
	memcpy(img + 0x48, auth ? a.b : p.b, 16);
	test_put32(img + 0x48 + 0x10, STORE_SIZE);
	img[0x48 + 0x14] = VARSTORE_FORMATTED;
	img[0x48 + 0x15] = VARSTORE_HEALTHY;
	fill = 0x64;
}

/* Append a variable (name ASCII, or raw UTF-16 of name_size bytes if raw). */
static size_t addvar_raw(uint8_t state, uint32_t attrs, const uint8_t *name16, uint32_t name_size,
			 const struct efi_guid *g, const void *data, uint32_t data_size)
{
	size_t at = fill, h = auth ? 60 : 32, sizes = auth ? 0x24 : 0x08;
	uint8_t *p = img + at;

	memset(p, 0, h);
	test_put16(p, VARSTORE_VARIABLE_DATA);
	p[2] = state;
	test_put32(p + 4, attrs);
	if (auth) {
		put64(p + 8, 0x1122334455667788ull);
		test_put16(p + 0x10, 2024);
		p[0x12] = 5;
		test_put32(p + 0x20, 7);
	}
	test_put32(p + sizes, name_size);
	test_put32(p + sizes + 4, data_size);
	memcpy(p + sizes + 8, g->b, 16);
	memcpy(p + h, name16, name_size);
	memcpy(p + h + name_size, data, data_size);
	fill = (at + h + name_size + data_size + 3) & ~(size_t)3;
	return at;
}

static size_t addvar(uint8_t state, uint32_t attrs, const char *name, const struct efi_guid *g,
		     const void *data, uint32_t data_size)
{
	uint8_t n16[600];
	size_t n = strlen(name);

	for (size_t i = 0; i <= n; i++)
		test_put16(n16 + 2 * i, (uint8_t)name[i]);
	return addvar_raw(state, attrs, n16, (uint32_t)(2 * (n + 1)), g, data, data_size);
}

static int open_store(size_t len)
{
	return varstore_open(img, len, &vs, &why);
}

/* Names of the live variables, space-separated, in store order. */
static const char *live_names(void)
{
	static char out[1024];
	size_t cursor = 0;

	out[0] = '\0';
	while (varstore_next(&vs, &cursor, &var) == 0) {
		if (out[0] != '\0')
			strcat(out, " ");
		strcat(out, var.name);
	}
	return out;
}

TEST(test_empty)
{
	for (int a = 0; a < 2; a++) {
		size_t cursor = 0;

		mkstore(a);
		CHECK_EQ(open_store(FV_LEN), 0);
		CHECK(why == NULL);
		CHECK_EQ(vs.auth, a);
		CHECK_EQ(vs.fv_length, FV_LEN);
		CHECK_EQ(vs.fv_header_length, 0x48);
		CHECK_EQ(vs.fv_attributes, 0x0004feff);
		CHECK_EQ(vs.store_size, STORE_SIZE);
		CHECK_EQ(vs.vars_start, 0x64);
		CHECK_EQ(vs.vars_end, 0x3000);
		CHECK_EQ(vs.used_end, 0x64);
		CHECK_EQ(vs.headers, 0);
		CHECK_EQ(vs.live, 0);
		CHECK_EQ(varstore_next(&vs, &cursor, &var), -ENOENT);
		CHECK_EQ(varstore_find(&vs, "BootOrder", &global, &var), -ENOENT);
	}
}

TEST(test_live_variables)
{
	static const uint8_t order[] = { 1, 0, 0, 0 };
	static const uint8_t ind[8] = { 4 };

	for (int a = 0; a < 2; a++) {
		size_t off[4];
		uint64_t v = 0;

		mkstore(a);
		off[0] = addvar(0x3f, 7, "BootOrder", &global, order, 4);
		off[1] = addvar(0x3f, 7, "OsIndications", &global, ind, 8);
		off[2] = addvar(0x3f, 3, "Lang", &vendor, "eng", 3);
		off[3] = addvar(0x3f, 0x27, "E", &vendor, "", 0);
		CHECK_EQ(open_store(FV_LEN), 0);
		CHECK_EQ(vs.headers, 4);
		CHECK_EQ(vs.live, 4);
		CHECK_EQ(vs.used_end, fill);
		CHECK_STR(live_names(), "BootOrder OsIndications Lang E");
		CHECK_EQ(varstore_find(&vs, "OsIndications", &global, &var), 0);
		CHECK_EQ(var.offset, off[1]);
		CHECK_EQ(var.data_size, 8);
		CHECK_EQ(var.attributes, 7);
		CHECK_EQ(var.state, 0x3f);
		CHECK(var.live && var.name_ascii);
		CHECK(efi_guid_eq(&var.guid, &global));
		CHECK_EQ(var.name_size, 28);
		for (int i = 7; i >= 0; i--)
			v = v << 8 | var.data[i];
		CHECK_EQ(v, 4);
		CHECK(var.data == img + off[1] + (a ? 60 : 32) + 28);
		CHECK_EQ(var.monotonic_count, a ? 0x1122334455667788ull : 0);
		CHECK_EQ(var.time_stamp.year, a ? 2024 : 0);
		CHECK_EQ(var.time_stamp.month, a ? 5 : 0);
		CHECK_EQ(var.pub_key_index, a ? 7 : 0);
		CHECK_EQ(varstore_find(&vs, "Lang", &vendor, &var), 0);
		CHECK(memcmp(var.data, "eng", 3) == 0);
		CHECK_EQ(var.offset, off[2]);
		CHECK_EQ(varstore_find(&vs, "E", &vendor, &var), 0);
		CHECK_EQ(var.data_size, 0);
		CHECK_EQ(var.offset, off[3]);
		/* Name and GUID must both match, and the whole name. */
		CHECK_EQ(varstore_find(&vs, "Lang", &global, &var), -ENOENT);
		CHECK_EQ(varstore_find(&vs, "Boot", &global, &var), -ENOENT);
		CHECK_EQ(varstore_find(&vs, "BootOrderX", &global, &var), -ENOENT);
		CHECK_EQ(varstore_find(&vs, "bootorder", &global, &var), -ENOENT);
		CHECK_EQ(varstore_find(&vs, "", &global, &var), -ENOENT);
	}
}

TEST(test_padding)
{
	/* Every name and data length mod 4: headers must land 4-aligned. */
	char name[8];
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	for (int a = 0; a < 2; a++) {
		mkstore(a);
		for (int n = 1; n <= 4; n++)
			for (int d = 0; d <= 7; d++) {
				memset(name, 'a' + d, sizeof(name));
				name[n] = '\0';
				addvar(0x3f, 7, name, &vendor, data, (uint32_t)d);
			}
		CHECK_EQ(open_store(FV_LEN), 0);
		CHECK_EQ(vs.live, 32);
		size_t cursor = 0;
		int count = 0;
		while (varstore_next(&vs, &cursor, &var) == 0) {
			CHECK_EQ(var.offset % 4, 0);
			CHECK_EQ(var.data_size, (uint32_t)(count % 8));
			CHECK(memcmp(var.data, data, var.data_size) == 0);
			count++;
		}
		CHECK_EQ(count, 32);
	}
}

TEST(test_states)
{
	for (int a = 0; a < 2; a++) {
		mkstore(a);
		addvar(0x3c, 7, "Deleted", &global, "x", 1);
		addvar(0x3d, 7, "Deleted2", &global, "x", 1);
		addvar(0x7f, 7, "HeaderOnly", &global, "x", 1);
		addvar(0x3e, 7, "Moving", &global, "old", 3);		/* new copy later */
		addvar(0x3e, 7, "Stuck", &global, "old", 3);		/* no new copy: live */
		addvar(0x3f, 7, "Early", &global, "new", 3);
		addvar(0x3e, 7, "Early", &global, "old", 3);		/* added copy before it */
		addvar(0x3f, 7, "Moving", &global, "new", 3);
		addvar(0x3e, 7, "Other", &vendor, "o", 1);		/* same name, other GUID ... */
		addvar(0x3f, 7, "Other", &global, "g", 1);		/* ... does not hide it */
		addvar(0x12, 7, "Odd", &global, "x", 1);
		CHECK_EQ(open_store(FV_LEN), 0);
		CHECK_EQ(vs.headers, 11);
		CHECK_EQ(vs.live, 5);
		CHECK_STR(live_names(), "Stuck Early Moving Other Other");
		CHECK_EQ(varstore_find(&vs, "Moving", &global, &var), 0);
		CHECK(memcmp(var.data, "new", 3) == 0);
		CHECK_EQ(var.state, 0x3f);
		CHECK_EQ(varstore_find(&vs, "Early", &global, &var), 0);
		CHECK(memcmp(var.data, "new", 3) == 0);
		CHECK_EQ(varstore_find(&vs, "Stuck", &global, &var), 0);
		CHECK_EQ(var.state, 0x3e);
		CHECK(var.live);
		CHECK_EQ(varstore_find(&vs, "Other", &vendor, &var), 0);
		CHECK_EQ(var.data[0], 'o');
		CHECK_EQ(varstore_find(&vs, "Deleted", &global, &var), -ENOENT);
		CHECK_EQ(varstore_find(&vs, "Deleted2", &global, &var), -ENOENT);
		CHECK_EQ(varstore_find(&vs, "HeaderOnly", &global, &var), -ENOENT);
		CHECK_EQ(varstore_find(&vs, "Odd", &global, &var), -ENOENT);
		/* --all sees every header, with live set only where it belongs. */
		size_t cursor = 0;
		unsigned n = 0, live = 0;
		while (varstore_next_any(&vs, &cursor, &var) == 0) {
			n++;
			live += var.live;
		}
		CHECK_EQ(n, 11);
		CHECK_EQ(live, 5);
	}
}

TEST(test_blank_fields)
{
	/* A header whose write was cut short: sizes read as 0, as EDK2 does. */
	static const uint32_t which[] = { 0, 1, 2, 3 };

	for (int a = 0; a < 2; a++)
		for (size_t w = 0; w < 4; w++) {
			size_t h = a ? 60 : 32, sizes = a ? 0x24 : 0x08, at;

			mkstore(a);
			at = fill;
			addvar(0x3f, 7, "Cut", &global, "data", 4);
			if (which[w] == 0)
				img[at + 2] = 0xff;
			else if (which[w] == 1)
				test_put32(img + at + 4, 0xffffffff);
			else
				test_put32(img + at + sizes + 4 * (which[w] - 2), 0xffffffff);
			/* The next header sits right after the cut one's header. */
			fill = at + h;
			addvar(0x3f, 7, "Next", &global, "n", 1);
			CHECK_EQ(open_store(FV_LEN), 0);
			CHECK_EQ(vs.headers, 2);
			CHECK_STR(live_names(), "Next");
		}
}

TEST(test_names)
{
	uint8_t n16[600];
	char longname[300];

	mkstore(true);
	test_put16(n16, 'A');
	test_put16(n16 + 2, 0x00e9);		/* é */
	test_put16(n16 + 4, 0);
	addvar_raw(0x3f, 7, n16, 6, &vendor, "x", 1);
	memset(longname, 'L', 200);
	longname[200] = '\0';
	addvar(0x3f, 7, longname, &vendor, "y", 1);
	test_put16(n16, 'B');
	test_put16(n16 + 2, 0);
	test_put16(n16 + 4, 'C');
	test_put16(n16 + 6, 0);
	addvar_raw(0x3f, 7, n16, 8, &vendor, "z", 1);		/* NUL inside */
	CHECK_EQ(open_store(FV_LEN), 0);
	size_t cursor = 0;
	CHECK_EQ(varstore_next(&vs, &cursor, &var), 0);
	CHECK_STR(var.name, "A?");
	CHECK(!var.name_ascii);
	CHECK_EQ(varstore_next(&vs, &cursor, &var), 0);
	CHECK_EQ(strlen(var.name), VARSTORE_NAME_MAX);
	CHECK(!var.name_ascii);
	CHECK_EQ(varstore_next(&vs, &cursor, &var), 0);
	CHECK_STR(var.name, "B");
	CHECK(!var.name_ascii);
	CHECK_EQ(varstore_find(&vs, longname, &vendor, &var), 0);
	CHECK_EQ(var.data[0], 'y');
	CHECK_EQ(varstore_find(&vs, "B", &vendor, &var), -ENOENT);
	/* A live variable's name must be whole: empty, odd or unterminated is refused. */
	static const uint32_t bad_sizes[] = { 0, 1, 3 };
	for (size_t i = 0; i < 3; i++) {
		mkstore(false);
		addvar_raw(0x3f, 7, (const uint8_t *)"A\0\0\0", bad_sizes[i], &vendor, "x", 1);
		CHECK_EQ(open_store(FV_LEN), -EBADMSG);
		CHECK_STR(why, "a live variable's name is empty, odd-sized or not NUL-terminated");
		CHECK_EQ(vs.bad_offset, 0x64);
	}
	mkstore(false);
	addvar_raw(0x3e, 7, (const uint8_t *)"A\0B\0", 4, &vendor, "x", 1);
	CHECK_EQ(open_store(FV_LEN), -EBADMSG);
	/* A deleted one may be anything. */
	mkstore(false);
	addvar_raw(0x3c, 7, (const uint8_t *)"A\0B", 3, &vendor, "x", 1);
	CHECK_EQ(open_store(FV_LEN), 0);
	CHECK_EQ(vs.headers, 1);
	CHECK_EQ(vs.live, 0);
}

/* Break one rule of the headers; expect -EBADMSG with this reason. */
static void expect_bad(size_t len, const char *reason)
{
	CHECK_EQ(open_store(len), -EBADMSG);
	CHECK_STR(why, reason);
}

TEST(test_fv_header)
{
	static const struct efi_guid other = EFI_GUID_INIT(0x1, 0x2, 0x3, 4, 5, 6, 7, 8, 9, 10, 11);

	CHECK_EQ(varstore_open(NULL, 100, &vs, &why), -EINVAL);
	CHECK_EQ(varstore_open(img, 100, NULL, &why), -EINVAL);
	mkstore(true);
	for (size_t n = 0; n < 56; n += 5)
		expect_bad(n, "the file is shorter than a firmware volume header (56 bytes)");
	img[0x28] = 'x';
	expect_bad(FV_LEN, "no \"_FVH\" signature: not a firmware volume");
	CHECK_EQ(vs.bad_offset, 0x28);
	mkstore(true);
	memcpy(img + 0x10, other.b, 16);
	expect_bad(FV_LEN, "FileSystemGuid is not EFI_SYSTEM_NV_DATA_FV_GUID: "
		   "not a variable store volume");
	mkstore(true);
	img[0x37] = 1;
	expect_bad(FV_LEN, "the firmware volume Revision is not 2");
	static const uint16_t bad_hl[] = { 0, 0x40, 0x46, 0x49 };
	for (size_t i = 0; i < 4; i++) {
		mkstore(true);
		test_put16(img + 0x30, bad_hl[i]);
		expect_bad(FV_LEN, "HeaderLength is odd or below 72 bytes");
	}
	mkstore(true);
	test_put16(img + 0x30, 0xfffe);
	expect_bad(0x1000, "HeaderLength runs past the end of the file");
	mkstore(true);
	img[0x32] ^= 1;
	expect_bad(FV_LEN, "the firmware volume header's 16-bit sum is not zero");
	CHECK_EQ(vs.bad_offset, 0x32);
	/* Block map: no terminator, zero entries, overflow, wrong total. */
	mkstore(true);
	test_put32(img + 0x40, 1);
	test_put32(img + 0x44, 0x1000);
	fix_checksum();
	expect_bad(FV_LEN, "the block map has no {0,0} end inside HeaderLength");
	mkstore(true);
	test_put32(img + 0x38, 0);
	fix_checksum();
	expect_bad(FV_LEN, "a block map entry has zero blocks or zero-length blocks");
	mkstore(true);
	test_put32(img + 0x3c, 0);
	fix_checksum();
	expect_bad(FV_LEN, "a block map entry has zero blocks or zero-length blocks");
	mkstore(true);			/* 0xffffffff^2 twice overflows 64 bits */
	test_put16(img + 0x30, 0x58);
	memmove(img + 0x58, img + 0x48, 28);
	test_put32(img + 0x38, 0xffffffff);
	test_put32(img + 0x3c, 0xffffffff);
	test_put32(img + 0x40, 0xffffffff);
	test_put32(img + 0x44, 0xffffffff);
	put64(img + 0x48, 0);
	put64(img + 0x50, 0);
	fix_checksum();
	expect_bad(FV_LEN, "the block map overflows 64 bits");
	mkstore(true);
	test_put32(img + 0x38, FV_LEN / 0x1000 - 1);
	fix_checksum();
	expect_bad(FV_LEN, "the block map does not add up to FvLength");
	/* FvLength against HeaderLength and the file. */
	mkstore(true);
	put64(img + 0x20, 0x40);
	test_put32(img + 0x38, 1);
	test_put32(img + 0x3c, 0x40);
	fix_checksum();
	expect_bad(FV_LEN, "FvLength is smaller than HeaderLength");
	mkstore(true);
	expect_bad(FV_LEN - 1, "FvLength is larger than the file: the file is cut short");
	CHECK_EQ(vs.bad_offset, 0x20);
	mkstore(true);
	put64(img + 0x20, UINT64_MAX);
	fix_checksum();
	expect_bad(FV_LEN, "FvLength is larger than the file: the file is cut short");
	/* A longer file (a combined OVMF.fd) is fine. */
	mkstore(true);
	CHECK_EQ(open_store(sizeof(img)), 0);
	/* HeaderLength longer than 0x48: the store follows it. */
	mkstore(false);
	memmove(img + 0x50, img + 0x48, 28);
	test_put16(img + 0x30, 0x50);
	put64(img + 0x48, 0);
	fix_checksum();
	test_put32(img + 0x50 + 0x10, STORE_SIZE - 8);
	fill = 0x6c;
	addvar(0x3f, 7, "X", &global, "x", 1);
	CHECK_EQ(open_store(FV_LEN), 0);
	CHECK_EQ(vs.vars_start, 0x6c);
	CHECK_STR(live_names(), "X");
}

TEST(test_store_header)
{
	mkstore(true);
	put64(img + 0x20, 0x1000);
	test_put32(img + 0x38, 1);
	fix_checksum();
	CHECK_EQ(open_store(FV_LEN), -EBADMSG);		/* store Size past the FV */
	mkstore(true);
	put64(img + 0x20, 0x50);
	test_put32(img + 0x38, 1);
	test_put32(img + 0x3c, 0x50);
	fix_checksum();
	expect_bad(FV_LEN, "no room for the variable store header after the firmware volume header");
	mkstore(true);
	memset(img + 0x48, 0xff, 28);
	expect_bad(FV_LEN, "the variable store is erased (never formatted)");
	CHECK_EQ(vs.bad_offset, 0x48);
	mkstore(true);
	img[0x48] ^= 1;
	expect_bad(FV_LEN, "the store Signature is neither gEfiAuthenticatedVariableGuid "
		   "nor gEfiVariableGuid");
	mkstore(true);
	img[0x48 + 0x14] = 0x5b;
	expect_bad(FV_LEN, "the store Format is not 0x5A (formatted)");
	mkstore(true);
	img[0x48 + 0x15] = 0xff;
	expect_bad(FV_LEN, "the store State is not 0xFE (healthy)");
	mkstore(true);
	test_put32(img + 0x48 + 0x10, 27);
	expect_bad(FV_LEN, "the store Size is smaller than its own header");
	static const uint32_t big[] = { FV_LEN - 0x48 + 1, 0x7fffffff, 0xffffffff };
	for (size_t i = 0; i < 3; i++) {
		mkstore(true);
		test_put32(img + 0x48 + 0x10, big[i]);
		expect_bad(FV_LEN, "the store Size runs past the end of the firmware volume");
	}
	/* The largest Size that fits; and the smallest (header only: no variables). */
	mkstore(true);
	test_put32(img + 0x48 + 0x10, FV_LEN - 0x48);
	CHECK_EQ(open_store(FV_LEN), 0);
	CHECK_EQ(vs.vars_end, FV_LEN);
	mkstore(true);
	test_put32(img + 0x48 + 0x10, 28);
	CHECK_EQ(open_store(FV_LEN), 0);
	CHECK_EQ(vs.headers, 0);
}

TEST(test_lengths)
{
	for (int a = 0; a < 2; a++) {
		size_t h = a ? 60 : 32, sizes = a ? 0x24 : 0x08, at;

		mkstore(a);
		at = addvar(0x3f, 7, "Big", &global, "data", 4);
		test_put32(img + at + sizes, STORE_SIZE);
		expect_bad(FV_LEN, "a variable's NameSize runs past the end of the store");
		CHECK_EQ(vs.bad_offset, at);
		test_put32(img + at + sizes, 0xfffffffe);
		expect_bad(FV_LEN, "a variable's NameSize runs past the end of the store");
		test_put32(img + at + sizes, 8);
		test_put32(img + at + sizes + 4, 0xfffffffe);
		expect_bad(FV_LEN, "a variable's DataSize runs past the end of the store");
		test_put32(img + at + sizes + 4, 0x3000 - 0x64 - (uint32_t)h - 8 + 1);
		expect_bad(FV_LEN, "a variable's DataSize runs past the end of the store");
		test_put32(img + at + sizes + 4, 0x3000 - 0x64 - (uint32_t)h - 8);
		CHECK_EQ(open_store(FV_LEN), 0);		/* fills the store exactly */
		CHECK_EQ(vs.used_end, 0x3000);
		/* A header that does not fit before the end. */
		mkstore(a);
		test_put32(img + 0x48 + 0x10, 28 + (uint32_t)h - 1);
		addvar(0x3f, 7, "A", &global, "", 0);
		expect_bad(FV_LEN, "a variable header runs past the end of the store");
		/* StartId in the last byte but one: the walk ends there. */
		mkstore(a);
		test_put32(img + 0x48 + 0x10, 28 + 1);
		addvar(0x3f, 7, "A", &global, "", 0);
		CHECK_EQ(open_store(FV_LEN), 0);
		CHECK_EQ(vs.headers, 0);
	}
}

TEST(test_stop_and_cut)
{
	/* The walk stops at the first StartId that is not 0x55AA. */
	mkstore(true);
	addvar(0x3f, 7, "One", &global, "1", 1);
	size_t end_one = fill;
	addvar(0x3f, 7, "Two", &global, "22", 2);
	size_t end_two = fill;
	addvar(0x3f, 7, "Three", &global, "333", 3);
	img[end_two] = 0x00;
	CHECK_EQ(open_store(FV_LEN), 0);
	CHECK_STR(live_names(), "One Two");
	CHECK_EQ(vs.used_end, end_two);
	img[end_two] = 0xaa;
	/* Cut the store (its Size) at every byte: a whole prefix or a refusal. */
	for (uint32_t size = 28; size <= fill - 0x48 + 8; size++) {
		int rc;

		test_put32(img + 0x48 + 0x10, size);
		rc = open_store(FV_LEN);
		CHECK(rc == 0 || rc == -EBADMSG);
		/* "One" is 60 + 8 + 1 bytes from 0x64, then padded to end_one. */
		if (0x48 + size >= 0x64 + 69 && 0x48 + size <= end_one)
			CHECK(rc == 0 && vs.headers == 1);
		if (0x48 + size < 0x64 + 69)
			CHECK(rc == -EBADMSG || vs.headers == 0);
	}
	/* Cut the file at every byte: never read past it. */
	test_put32(img + 0x48 + 0x10, STORE_SIZE);
	for (size_t n = 0; n < FV_LEN; n += 97)
		CHECK_EQ(open_store(n), -EBADMSG);
	/* A cursor past the end, and NULL arguments. */
	CHECK_EQ(open_store(FV_LEN), 0);
	size_t cursor = SIZE_MAX;
	CHECK_EQ(varstore_next_any(&vs, &cursor, &var), -ENOENT);
	cursor = 0;
	CHECK_EQ(varstore_next(NULL, &cursor, &var), -EINVAL);
	CHECK_EQ(varstore_next(&vs, NULL, &var), -EINVAL);
	CHECK_EQ(varstore_next(&vs, &cursor, NULL), -EINVAL);
	CHECK_EQ(varstore_find(&vs, NULL, &global, &var), -EINVAL);
	CHECK_EQ(varstore_find(&vs, "One", NULL, &var), -EINVAL);
}

TEST(test_names_of_things)
{
	static const struct efi_guid db = EFI_GUID_INIT(0xd719b2cb, 0x3d3a, 0x4596,
		0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f);

	CHECK_STR(varstore_attr_name(VARSTORE_ATTR_NV), "NV");
	CHECK_STR(varstore_attr_name(VARSTORE_ATTR_BS), "BS");
	CHECK_STR(varstore_attr_name(VARSTORE_ATTR_RT), "RT");
	CHECK_STR(varstore_attr_name(VARSTORE_ATTR_HR), "HR");
	CHECK_STR(varstore_attr_name(VARSTORE_ATTR_AW), "AW");
	CHECK_STR(varstore_attr_name(VARSTORE_ATTR_AT), "AT");
	CHECK_STR(varstore_attr_name(VARSTORE_ATTR_AP), "AP");
	CHECK_STR(varstore_attr_name(VARSTORE_ATTR_EA), "EA");
	CHECK(varstore_attr_name(0x100) == NULL);
	CHECK(varstore_attr_name(3) == NULL);
	CHECK_STR(varstore_state_name(0x3f), "added");
	CHECK_STR(varstore_state_name(0x3e), "in deleted transition");
	CHECK_STR(varstore_state_name(0x3c), "deleted");
	CHECK_STR(varstore_state_name(0x3d), "deleted");
	CHECK_STR(varstore_state_name(0x7f), "header only");
	CHECK_STR(varstore_state_name(0xff), "blank");
	CHECK_STR(varstore_state_name(0x00), "unknown");
	CHECK_STR(varstore_guid_name(&global), "EFI global");
	CHECK_STR(varstore_guid_name(&db), "image security");
	CHECK(varstore_guid_name(&vendor) == NULL);
}

TEST_MAIN(test_empty, test_live_variables, test_padding, test_states, test_blank_fields,
	  test_names, test_fv_header, test_store_header, test_lengths, test_stop_and_cut,
	  test_names_of_things)
