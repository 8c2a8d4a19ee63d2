/*
 * Unit tests for formats/mb2.c, the multiboot2 boot information reader.
 *
 * A small builder lays out MBIs the way GRUB does (8-byte header, tags
 * padded to 8, end tag); each test then breaks one thing: lengths,
 * strides, alignment, sizes that would wrap.  Hostile inputs are copied
 * into exact-size heap buffers so ASan sees any read past the end.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/mb2.h"
#include "tests/unit/test.h"

#define MBI_CAP 16384

struct mbi {
	_Alignas(8) uint8_t buf[MBI_CAP];
	size_t len;
};

static struct mbi mbi_scratch;
static struct mb2_info info;

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof(v)); }

static struct mbi *mbi_init(void)
{
	memset(&mbi_scratch, 0, sizeof(mbi_scratch));
	mbi_scratch.len = 8;
	return &mbi_scratch;
}

/* Append a tag of `size` bytes (head included), padded to 8; return it. */
static uint8_t *mbi_tag(struct mbi *m, uint32_t type, uint32_t size)
{
	uint8_t *t = m->buf + m->len;

	put32(t, type);
	put32(t + 4, size);
	m->len += (size + 7u) & ~7u;
	return t;
}

static uint8_t *mbi_string(struct mbi *m, uint32_t type, const char *s)
{
	uint8_t *t = mbi_tag(m, type, (uint32_t)(8 + strlen(s) + 1));

	memcpy(t + 8, s, strlen(s) + 1);
	return t;
}

static uint8_t *mbi_module(struct mbi *m, uint32_t start, uint32_t end,
			   const char *s)
{
	uint8_t *t = mbi_tag(m, MB2_TAG_MODULE, (uint32_t)(16 + strlen(s) + 1));

	put32(t + 8, start);
	put32(t + 12, end);
	memcpy(t + 16, s, strlen(s) + 1);
	return t;
}

/* A memory map tag with n entries of stride entry_size. */
static uint8_t *mbi_mmap(struct mbi *m, uint32_t entry_size, size_t n)
{
	uint8_t *t = mbi_tag(m, MB2_TAG_MMAP, (uint32_t)(16 + n * entry_size));

	put32(t + 8, entry_size);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = t + 16 + i * entry_size;
		put64(e, 0x100000ull * i);
		put64(e + 8, 0x1000ull * (i + 1));
		put32(e + 16, (uint32_t)(i % 5 + 1));
	}
	return t;
}

static size_t mbi_finish(struct mbi *m)
{
	mbi_tag(m, MB2_TAG_END, 8);
	put32(m->buf, (uint32_t)m->len);
	return m->len;
}

/*
 * Parse len bytes of src from an exact-size heap copy at offset skew.  The
 * copy lives until the next call, as info's pointers point into it.
 */
static int parse_copy(const void *src, size_t len, size_t skew)
{
	static uint8_t *copy;

	free(copy);
	copy = malloc(len + skew ? len + skew : 1);
	memcpy(copy + skew, src, len);
	return mb2_parse(copy + skew, len, &info);
}

/* An MBI like GRUB 2.12's on UEFI with a GOP framebuffer, every tag used. */
static size_t build_grub(struct mbi *m)
{
	static const uint8_t rsdp1[20] = "RSD PTR \x5a" "BOCHS \x00";
	static const uint8_t rsdp2[36] = "RSD PTR \x33" "BOCHS \x02";
	uint8_t *t;

	mbi_string(m, MB2_TAG_CMDLINE, "console=ttyS0,115200 pm.disk=nvme0");
	mbi_string(m, MB2_TAG_BOOT_LOADER_NAME, "GRUB 2.12");
	mbi_module(m, 0x200000, 0x280000, "/boot/initrd.img");
	mbi_module(m, 0x300000, 0x301000, "");
	t = mbi_tag(m, MB2_TAG_BASIC_MEMINFO, 16);
	put32(t + 8, 639);
	put32(t + 12, 2096000);
	t = mbi_tag(m, MB2_TAG_BOOTDEV, 20);
	put32(t + 8, 0xe0);
	mbi_mmap(m, 24, 6);
	t = mbi_tag(m, MB2_TAG_FRAMEBUFFER, 38);
	put64(t + 8, 0xfd000000ull);
	put32(t + 16, 4096);
	put32(t + 20, 1024);
	put32(t + 24, 768);
	t[28] = 32;
	t[29] = MB2_FRAMEBUFFER_TYPE_RGB;
	memcpy(t + 32, "\x10\x08\x08\x08\x00\x08", 6);
	t = mbi_tag(m, MB2_TAG_EFI64, 16);
	put64(t + 8, 0x7ff3e018ull);
	t = mbi_tag(m, MB2_TAG_SMBIOS, 16 + 24);
	t[8] = 3;
	t[9] = 2;
	memcpy(t + 16, "_SM3_", 5);
	t = mbi_tag(m, MB2_TAG_ACPI_OLD, 8 + sizeof(rsdp1));
	memcpy(t + 8, rsdp1, sizeof(rsdp1));
	t = mbi_tag(m, MB2_TAG_ACPI_NEW, 8 + sizeof(rsdp2));
	memcpy(t + 8, rsdp2, sizeof(rsdp2));
	t = mbi_tag(m, MB2_TAG_EFI_MMAP, 16 + 3 * 48);
	put32(t + 8, 48);
	put32(t + 12, 1);
	put32(t + 16 + 48, 7);		/* second descriptor: conventional */
	mbi_tag(m, MB2_TAG_EFI_BS, 8);
	t = mbi_tag(m, MB2_TAG_EFI64_IH, 16);
	put64(t + 8, 0x7e9a1b98ull);
	t = mbi_tag(m, MB2_TAG_LOAD_BASE_ADDR, 12);
	put32(t + 8, 0x1000000);
	mbi_tag(m, 99, 8);		/* from a future loader */
	return mbi_finish(m);
}

TEST(test_grub_mbi)
{
	struct mbi *m = mbi_init();
	size_t total = build_grub(m);

	CHECK_EQ(mb2_parse(m->buf, total, &info), 0);
	CHECK_EQ(info.total_size, total);
	CHECK_EQ(info.tag_count, 17);
	CHECK_EQ(info.unknown_count, 2);
	CHECK_EQ(info.duplicate_count, 0);
	CHECK_EQ(info.error_offset, 0);
	CHECK(mb2_has(&info, MB2_TAG_CMDLINE) && info.cmdline.terminated);
	CHECK_STR(info.cmdline.ptr, "console=ttyS0,115200 pm.disk=nvme0");
	CHECK_EQ(info.cmdline.len, 34);
	CHECK_STR(info.boot_loader_name.ptr, "GRUB 2.12");
	CHECK_EQ(info.module_count, 2);
	CHECK(!info.modules_truncated);
	CHECK_EQ(info.modules[0].mod_start, 0x200000);
	CHECK_EQ(info.modules[0].mod_end, 0x280000);
	CHECK_STR(info.modules[0].string.ptr, "/boot/initrd.img");
	CHECK_EQ(info.modules[1].string.len, 0);
	CHECK(info.modules[1].string.terminated);
	CHECK_EQ(info.mem_lower, 639);
	CHECK_EQ(info.mem_upper, 2096000);
	CHECK(!mb2_has(&info, MB2_TAG_BOOTDEV));
	CHECK_EQ(info.mmap_entry_size, 24);
	CHECK_EQ(info.mmap_entry_version, 0);
	CHECK_EQ(info.mmap_count, 6);
	CHECK(!info.mmap_truncated);
	CHECK_EQ(info.mmap[5].base, 0x500000);
	CHECK_EQ(info.mmap[5].len, 0x6000);
	CHECK_EQ(info.mmap[5].type, 1);
	CHECK_EQ(info.fb.addr, 0xfd000000ull);
	CHECK_EQ(info.fb.pitch, 4096);
	CHECK_EQ(info.fb.width, 1024);
	CHECK_EQ(info.fb.height, 768);
	CHECK_EQ(info.fb.bpp, 32);
	CHECK_EQ(info.fb.type, MB2_FRAMEBUFFER_TYPE_RGB);
	CHECK_EQ(info.fb.red_pos, 16);
	CHECK_EQ(info.fb.red_size, 8);
	CHECK_EQ(info.fb.green_pos, 8);
	CHECK_EQ(info.fb.green_size, 8);
	CHECK_EQ(info.fb.blue_pos, 0);
	CHECK_EQ(info.fb.blue_size, 8);
	CHECK_EQ(info.efi64_systab, 0x7ff3e018ull);
	CHECK_EQ(info.efi64_image_handle, 0x7e9a1b98ull);
	CHECK_EQ(info.smbios_major, 3);
	CHECK_EQ(info.smbios_minor, 2);
	CHECK_EQ(info.smbios_tables_len, 24);
	CHECK(info.smbios_tables != NULL && memcmp(info.smbios_tables, "_SM3_", 5) == 0);
	CHECK_EQ(info.rsdp_old_len, 20);
	CHECK(info.rsdp_old != NULL && memcmp(info.rsdp_old, "RSD PTR ", 8) == 0);
	CHECK_EQ(info.rsdp_new_len, 36);
	CHECK(info.rsdp_new != NULL && ((const uint8_t *)info.rsdp_new)[15] == 2);
	CHECK_EQ(info.efi_descr_size, 48);
	CHECK_EQ(info.efi_descr_vers, 1);
	CHECK_EQ(info.efi_mmap_len, 144);
	CHECK(info.efi_mmap != NULL && ((const uint8_t *)info.efi_mmap)[48] == 7);
	CHECK(info.efi_bs_not_terminated);
	CHECK_EQ(info.load_base_addr, 0x1000000);
	/* Pointers lie inside the buffer that was parsed. */
	CHECK((const uint8_t *)info.rsdp_new > m->buf &&
	      (const uint8_t *)info.rsdp_new + 36 <= m->buf + total);
}

TEST(test_empty)
{
	uint8_t b[16] = { 0 };

	CHECK_EQ(mb2_parse(NULL, 0, &info), -EINVAL);
	CHECK_EQ(mb2_parse(b, 0, &info), -EINVAL);
	CHECK_EQ(mb2_parse(b, 7, &info), -EINVAL);
	CHECK_EQ(mb2_parse(b, 16, NULL), -EINVAL);
	put32(b, 0);		/* total_size 0 */
	CHECK_EQ(parse_copy(b, 16, 0), -EINVAL);
	put32(b, 4);
	CHECK_EQ(parse_copy(b, 16, 0), -EINVAL);
	put32(b, 8);		/* header only: no end tag */
	CHECK_EQ(parse_copy(b, 8, 0), -EBADMSG);
	CHECK_EQ(info.error_offset, 8);
	put32(b, 16);		/* the smallest valid MBI */
	put32(b + 8, 0);
	put32(b + 12, 8);
	CHECK_EQ(parse_copy(b, 16, 0), 0);
	CHECK_EQ(info.tag_count, 0);
	CHECK_EQ(info.tags_seen, 0);
}

/* Every prefix of a valid MBI: with its own total_size, or claiming to end. */
TEST(test_prefixes)
{
	static uint8_t full[MBI_CAP], cut[MBI_CAP];
	struct mbi *m = mbi_init();
	size_t total = build_grub(m);
	unsigned bad = 0;

	memcpy(full, m->buf, total);
	for (size_t l = 0; l <= total; l++) {
		int want = l == total ? 0 : -EINVAL;
		if (parse_copy(full, l, 0) != want)
			bad++;
		memcpy(cut, full, l);
		if (l >= 4)
			put32(cut, (uint32_t)l);
		int r = parse_copy(cut, l, 0);
		if (l < total && (r == 0 || info.error_offset >= l + 8 || info.tag_count > 17))
			bad++;
		if (l == total && r != 0)
			bad++;
	}
	CHECK_EQ(bad, 0);
}

TEST(test_tag_overruns_total)
{
	struct mbi *m = mbi_init();
	uint8_t *t;
	size_t total;

	mbi_string(m, MB2_TAG_CMDLINE, "quiet");
	t = mbi_tag(m, MB2_TAG_BOOT_LOADER_NAME, 16);
	total = mbi_finish(m);
	put32(t + 4, 64);	/* runs 32 bytes past the end */
	CHECK_EQ(parse_copy(m->buf, total, 0), -EBADMSG);
	CHECK_EQ(info.error_offset, (size_t)(t - m->buf));
	CHECK_STR(info.cmdline.ptr, "quiet");	/* tags before it survive */
	CHECK(!mb2_has(&info, MB2_TAG_BOOT_LOADER_NAME));
	put32(t + 4, (uint32_t)(total - (size_t)(t - m->buf)) + 1);
	CHECK_EQ(parse_copy(m->buf, total, 0), -EBADMSG);
}

TEST(test_tag_size_below_8)
{
	for (uint32_t size = 0; size < 8; size++) {
		struct mbi *m = mbi_init();
		uint8_t *t = mbi_tag(m, MB2_TAG_CMDLINE, 8);
		size_t total = mbi_finish(m);
		put32(t + 4, size);
		CHECK_EQ(parse_copy(m->buf, total, 0), -EBADMSG);
		CHECK_EQ(info.error_offset, 8);
	}
}

/* A producer that forgot the padding: the next tag sits at 8 + 12 = 20. */
TEST(test_misaligned_next_tag)
{
	struct mbi *m = mbi_init();
	uint8_t *t = mbi_tag(m, MB2_TAG_LOAD_BASE_ADDR, 12);

	put32(t + 8, 0x200000);
	put32(m->buf + 20, MB2_TAG_END);
	put32(m->buf + 24, 8);
	put32(m->buf, 28);
	CHECK_EQ(parse_copy(m->buf, 28, 0), -EBADMSG);
	CHECK_EQ(info.load_base_addr, 0x200000);
	CHECK_EQ(info.error_offset, 24);
}

/* The MBI itself at odd addresses: no access may assume alignment. */
TEST(test_unaligned_base)
{
	struct mbi *m = mbi_init();
	size_t total = build_grub(m);

	for (size_t skew = 1; skew < 8; skew++) {
		CHECK_EQ(parse_copy(m->buf, total, skew), 0);
		CHECK_EQ(info.mmap_count, 6);
		CHECK_EQ(info.efi64_systab, 0x7ff3e018ull);
	}
}

TEST(test_total_size_beyond_len)
{
	struct mbi *m = mbi_init();
	size_t total = build_grub(m);

	CHECK_EQ(parse_copy(m->buf, total - 1, 0), -EINVAL);
	CHECK_EQ(info.total_size, total);
	put32(m->buf, 0xfffffff0u);
	CHECK_EQ(parse_copy(m->buf, total, 0), -EINVAL);
	put32(m->buf, 0xffffffffu);
	CHECK_EQ(parse_copy(m->buf, total, 0), -EINVAL);
}

TEST(test_mmap_truncated)
{
	struct mbi *m = mbi_init();
	size_t total;

	mbi_mmap(m, 24, 300);
	total = mbi_finish(m);
	CHECK_EQ(parse_copy(m->buf, total, 0), 0);
	CHECK_EQ(info.mmap_count, MB2_MAX_MMAP);
	CHECK(info.mmap_truncated);
	CHECK_EQ(info.mmap[255].base, 0x100000ull * 255);
	CHECK_EQ(info.mmap[255].len, 0x1000ull * 256);

	m = mbi_init();
	mbi_mmap(m, 24, MB2_MAX_MMAP);
	total = mbi_finish(m);
	CHECK_EQ(parse_copy(m->buf, total, 0), 0);
	CHECK_EQ(info.mmap_count, MB2_MAX_MMAP);
	CHECK(!info.mmap_truncated);
}

TEST(test_mmap_entry_size)
{
	static const uint32_t bad[] = { 0, 1, 8, 16, 20, 23 };
	struct mbi *m;
	uint8_t *t;
	size_t total;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = mbi_init();
		t = mbi_mmap(m, 24, 2);
		total = mbi_finish(m);
		put32(t + 8, bad[i]);
		CHECK_EQ(parse_copy(m->buf, total, 0), -EBADMSG);
		CHECK_EQ(info.error_offset, 8);
		CHECK(!mb2_has(&info, MB2_TAG_MMAP));
	}
	/* A longer stride is walked by its declared size... */
	m = mbi_init();
	t = mbi_mmap(m, 40, 3);
	put32(t + 4, 16 + 3 * 40 + 30);	/* ...and a trailing partial entry ignored */
	m->len = 8 + ((16 + 3 * 40 + 30 + 7) & ~7u);
	total = mbi_finish(m);
	CHECK_EQ(parse_copy(m->buf, total, 0), 0);
	CHECK_EQ(info.mmap_count, 3);
	CHECK_EQ(info.mmap[2].base, 0x200000);
	CHECK_EQ(info.mmap[2].type, 3);
}

TEST(test_huge_sizes)
{
	struct mbi *m = mbi_init();
	uint8_t *t = mbi_tag(m, MB2_TAG_CMDLINE, 16);
	size_t total = mbi_finish(m);

	put32(t + 4, 0xfffffff0u);
	CHECK_EQ(parse_copy(m->buf, total, 0), -EBADMSG);
	put32(t + 4, 0xffffffffu);
	CHECK_EQ(parse_copy(m->buf, total, 0), -EBADMSG);

	m = mbi_init();
	t = mbi_mmap(m, 24, 2);
	total = mbi_finish(m);
	put32(t + 8, 0xfffffff0u);	/* stride larger than the tag */
	CHECK_EQ(parse_copy(m->buf, total, 0), 0);
	CHECK_EQ(info.mmap_count, 0);

	m = mbi_init();
	t = mbi_tag(m, MB2_TAG_EFI_MMAP, 16 + 96);
	put32(t + 8, 0xfffffff0u);
	total = mbi_finish(m);
	CHECK_EQ(parse_copy(m->buf, total, 0), 0);
	CHECK_EQ(info.efi_mmap_len, 0);
	CHECK(info.efi_mmap == NULL);
}

TEST(test_modules_truncated)
{
	struct mbi *m = mbi_init();
	size_t total;

	for (uint32_t i = 0; i < MB2_MAX_MODULES + 2; i++)
		mbi_module(m, i << 20, (i << 20) + 0x1000, "mod");
	total = mbi_finish(m);
	CHECK_EQ(parse_copy(m->buf, total, 0), 0);
	CHECK_EQ(info.module_count, MB2_MAX_MODULES);
	CHECK(info.modules_truncated);
	CHECK_EQ(info.modules[15].mod_start, 15u << 20);
}

TEST(test_strings)
{
	struct mbi *m = mbi_init();
	uint8_t *t = mbi_tag(m, MB2_TAG_CMDLINE, 8 + 5);
	size_t total;

	memcpy(t + 8, "abcde", 5);	/* no NUL inside the tag */
	mbi_tag(m, MB2_TAG_BOOT_LOADER_NAME, 8);
	t = mbi_tag(m, MB2_TAG_MODULE, 16 + 6);
	memcpy(t + 16, "ab\0cd", 6);
	total = mbi_finish(m);
	CHECK_EQ(parse_copy(m->buf, total, 0), 0);
	CHECK_EQ(info.cmdline.len, 5);
	CHECK(!info.cmdline.terminated);
	CHECK(info.boot_loader_name.ptr == NULL);
	CHECK_EQ(info.boot_loader_name.len, 0);
	CHECK(mb2_has(&info, MB2_TAG_BOOT_LOADER_NAME));
	CHECK_EQ(info.modules[0].string.len, 2);
	CHECK(info.modules[0].string.terminated);
}

TEST(test_efi_mmap)
{
	static const uint32_t bad[] = { 0, 24, 36, 39, 44, 52 };
	struct mbi *m;
	uint8_t *t;
	size_t total;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = mbi_init();
		t = mbi_tag(m, MB2_TAG_EFI_MMAP, 16 + 96);
		put32(t + 8, bad[i]);
		total = mbi_finish(m);
		CHECK_EQ(parse_copy(m->buf, total, 0), -EBADMSG);
	}
	m = mbi_init();
	t = mbi_tag(m, MB2_TAG_EFI_MMAP, 16 + 2 * 40 + 8);	/* partial third */
	put32(t + 8, 40);
	total = mbi_finish(m);
	CHECK_EQ(parse_copy(m->buf, total, 0), 0);
	CHECK_EQ(info.efi_mmap_len, 80);
}

/* Every tag type's fixed part must fit in the tag. */
TEST(test_fixed_parts)
{
	static const struct { uint32_t type, size; } cases[] = {
		{ MB2_TAG_MODULE, 15 }, { MB2_TAG_BASIC_MEMINFO, 12 },
		{ MB2_TAG_MMAP, 12 }, { MB2_TAG_FRAMEBUFFER, 31 },
		{ MB2_TAG_EFI64, 12 }, { MB2_TAG_SMBIOS, 15 },
		{ MB2_TAG_EFI_MMAP, 12 }, { MB2_TAG_EFI64_IH, 15 },
		{ MB2_TAG_LOAD_BASE_ADDR, 8 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mbi *m = mbi_init();
		mbi_tag(m, cases[i].type, cases[i].size);
		size_t total = mbi_finish(m);
		CHECK_EQ(parse_copy(m->buf, total, 0), -EBADMSG);
		CHECK_EQ(info.tags_seen, 0);
	}
}

TEST(test_framebuffer)
{
	struct mbi *m = mbi_init();
	uint8_t *t = mbi_tag(m, MB2_TAG_FRAMEBUFFER, 32);
	size_t total;

	t[29] = MB2_FRAMEBUFFER_TYPE_RGB;	/* RGB without its color_info */
	total = mbi_finish(m);
	CHECK_EQ(parse_copy(m->buf, total, 0), -EBADMSG);
	t[29] = MB2_FRAMEBUFFER_TYPE_EGA_TEXT;
	put64(t + 8, 0xb8000);
	CHECK_EQ(parse_copy(m->buf, total, 0), 0);
	CHECK_EQ(info.fb.addr, 0xb8000);
	CHECK_EQ(info.fb.type, MB2_FRAMEBUFFER_TYPE_EGA_TEXT);
	CHECK_EQ(info.fb.red_size, 0);
}

TEST(test_duplicates)
{
	struct mbi *m = mbi_init();
	uint8_t *t;
	size_t total;

	mbi_string(m, MB2_TAG_CMDLINE, "first");
	mbi_string(m, MB2_TAG_CMDLINE, "second");
	mbi_mmap(m, 24, 2);
	mbi_mmap(m, 24, 5);
	t = mbi_mmap(m, 24, 1);
	total = mbi_finish(m);
	CHECK_EQ(parse_copy(m->buf, total, 0), 0);
	CHECK_STR(info.cmdline.ptr, "first");
	CHECK_EQ(info.mmap_count, 2);
	CHECK_EQ(info.duplicate_count, 3);
	put32(t + 8, 8);		/* a malformed duplicate is still an error */
	CHECK_EQ(parse_copy(m->buf, total, 0), -EBADMSG);
	CHECK_EQ(info.error_offset, (size_t)(t - m->buf));
}

TEST(test_end_tag)
{
	struct mbi *m = mbi_init();
	size_t total;

	mbi_tag(m, MB2_TAG_EFI_BS, 8);
	mbi_tag(m, MB2_TAG_END, 16);	/* end tag of the wrong size */
	put32(m->buf, (uint32_t)m->len);
	total = m->len;
	CHECK_EQ(parse_copy(m->buf, total, 0), -EBADMSG);
	CHECK_EQ(info.error_offset, 16);
	CHECK(info.efi_bs_not_terminated);

	m = mbi_init();		/* bytes after the end tag are ignored */
	mbi_tag(m, MB2_TAG_END, 8);
	mbi_tag(m, MB2_TAG_CMDLINE, 16);
	put32(m->buf, (uint32_t)m->len);
	CHECK_EQ(parse_copy(m->buf, m->len, 0), 0);
	CHECK(!mb2_has(&info, MB2_TAG_CMDLINE));
}

TEST(test_header_constants)
{
	struct mb2_header h = {
		MB2_HEADER_MAGIC, MB2_ARCHITECTURE_I386, 24,
		MB2_HEADER_CHECKSUM(MB2_ARCHITECTURE_I386, 24),
	};

	CHECK_EQ((uint32_t)(h.magic + h.architecture + h.header_length + h.checksum), 0);
	CHECK_EQ(MB2_BOOTLOADER_MAGIC, 0x36d76289u);
}

TEST_MAIN(test_grub_mbi, test_empty, test_prefixes, test_tag_overruns_total,
	  test_tag_size_below_8, test_misaligned_next_tag, test_unaligned_base,
	  test_total_size_beyond_len, test_mmap_truncated, test_mmap_entry_size,
	  test_huge_sizes, test_modules_truncated, test_strings, test_efi_mmap,
	  test_fixed_parts, test_framebuffer, test_duplicates, test_end_tag,
	  test_header_constants)
