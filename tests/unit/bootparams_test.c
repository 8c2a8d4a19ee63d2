/*
 * Unit tests for formats/bootparams.c, the Linux boot_params reader.
 *
 * build_page() fills a 4 KiB zero page the way kexec_file_load does for a
 * crash kernel on UEFI (loader 0xD0, EL64 efi_info, GOP framebuffer above
 * 4 GiB, initrd and command line above 4 GiB through the ext_ fields); each
 * test then changes one thing.  Inputs are parsed from exact-size heap
 * copies so ASan sees any read past the end.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/bootparams.h"
#include "tests/unit/test.h"

static _Alignas(8) uint8_t page[BOOTPARAMS_SIZE];
static struct bootparams_info info;

static void put8(size_t off, uint8_t v) { page[off] = v; }
static void put16(size_t off, uint16_t v) { memcpy(page + off, &v, sizeof(v)); }
static void put32(size_t off, uint32_t v) { memcpy(page + off, &v, sizeof(v)); }
static void put64(size_t off, uint64_t v) { memcpy(page + off, &v, sizeof(v)); }

static void put_e820(uint8_t *p, uint64_t addr, uint64_t size, uint32_t type)
{
	memcpy(p, &addr, 8);
	memcpy(p + 8, &size, 8);
	memcpy(p + 16, &type, 4);
}

/* Copy src into an exact-size heap buffer at offset skew, kept until the next call. */
static const void *heap_copy(const void *src, size_t len, size_t skew)
{
	static uint8_t *copy;

	free(copy);
	copy = malloc(len + skew ? len + skew : 1);
	memcpy(copy + skew, src, len);
	return copy + skew;
}

static int parse_copy(size_t len, size_t skew)
{
	return bootparams_parse(heap_copy(page, len, skew), len, &info);
}

static void build_page(void)
{
	memset(page, 0, sizeof(page));
	/* screen_info: EFI GOP, 1280x800x32, base 0x4_0000_0000 + 0x80000000 */
	put8(0x0f, BOOTPARAMS_VIDEO_TYPE_EFI);
	put16(0x12, 1280);
	put16(0x14, 800);
	put16(0x16, 32);
	put32(0x18, 0x80000000u);
	put32(0x1c, 1280 * 4 * 800);
	put16(0x24, 1280 * 4);
	put8(0x26, 8); put8(0x27, 16);
	put8(0x28, 8); put8(0x29, 8);
	put8(0x2a, 8); put8(0x2b, 0);
	put32(0x36, BOOTPARAMS_VIDEO_CAPABILITY_64BIT_BASE |
		    BOOTPARAMS_VIDEO_CAPABILITY_SKIP_QUIRKS);
	put32(0x3a, 0x4);
	put64(0x070, 0x7fb7e014u);			/* acpi_rsdp_addr */
	put32(0x0c0, 0x1);				/* ext_ramdisk_image */
	put32(0x0c4, 0x0);				/* ext_ramdisk_size */
	put32(0x0c8, 0x2);				/* ext_cmd_line_ptr */
	/* efi_info: "EL64" */
	put32(0x1c0, BOOTPARAMS_EFI64_SIGNATURE);
	put32(0x1c4, 0x7ff3e018u);
	put32(0x1c8, 48);
	put32(0x1cc, 1);
	put32(0x1d0, 0x12340000u);
	put32(0x1d4, 48 * 20);
	put32(0x1d8, 0x0);
	put32(0x1dc, 0x1);
	/* e820 */
	put8(0x1e8, 4);
	put_e820(page + 0x2d0 + 0 * 20, 0x0, 0xa0000, BOOTPARAMS_E820_RAM);
	put_e820(page + 0x2d0 + 1 * 20, 0xf0000, 0x10000, BOOTPARAMS_E820_RESERVED);
	put_e820(page + 0x2d0 + 2 * 20, 0x7fb7e000u, 0x1000, BOOTPARAMS_E820_ACPI);
	put_e820(page + 0x2d0 + 3 * 20, 0x100000000ull, 0x40000000, BOOTPARAMS_E820_RAM);
	/* setup header, protocol 2.15 */
	put16(0x1fe, BOOTPARAMS_BOOT_FLAG);
	put32(0x202, BOOTPARAMS_HDRS);
	put16(0x206, 0x020f);
	put8(0x210, 0xd0);
	put8(0x211, BOOTPARAMS_LOADED_HIGH);
	put32(0x218, 0x7f000000u);
	put32(0x21c, 0x01000000u);
	put32(0x228, 0x00020000u);
	put32(0x230, 0x200000);
	put16(0x236, 0x7f);
	put32(0x238, 2047);
	put64(0x250, 0x12345000u);
	put64(0x258, 0x1000000);
	put32(0x260, 0x2000000);
}

TEST(test_full_page)
{
	build_page();
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK(info.has_header);
	CHECK_EQ(info.version, 0x020f);
	CHECK_EQ(info.type_of_loader, 0xd0);
	CHECK_EQ(info.loadflags, BOOTPARAMS_LOADED_HIGH);
	CHECK_EQ(info.xloadflags, 0x7f);
	CHECK_EQ(info.cmd_line_ptr, 0x200020000ull);
	CHECK_EQ(info.cmdline_size, 2047);
	CHECK_EQ(info.ramdisk_image, 0x17f000000ull);
	CHECK_EQ(info.ramdisk_size, 0x01000000u);
	CHECK_EQ(info.setup_data, 0x12345000u);
	CHECK_EQ(info.kernel_alignment, 0x200000);
	CHECK_EQ(info.pref_address, 0x1000000);
	CHECK_EQ(info.init_size, 0x2000000);
	CHECK(!info.sentinel);
	CHECK_EQ(info.acpi_rsdp_addr, 0x7fb7e014u);
	CHECK_EQ(info.e820_count, 4);
	CHECK(!info.e820_clamped);
	CHECK_EQ(info.e820[2].addr, 0x7fb7e000u);
	CHECK_EQ(info.e820[2].type, BOOTPARAMS_E820_ACPI);
	CHECK_EQ(info.e820[3].addr, 0x100000000ull);
	CHECK_EQ(info.e820[3].size, 0x40000000);
	CHECK(info.efi_present && info.efi_64bit);
	CHECK_EQ(info.efi_loader_signature, BOOTPARAMS_EFI64_SIGNATURE);
	CHECK_EQ(info.efi_systab, 0x7ff3e018u);
	CHECK_EQ(info.efi_memdesc_size, 48);
	CHECK_EQ(info.efi_memdesc_version, 1);
	CHECK_EQ(info.efi_memmap, 0x112340000ull);
	CHECK_EQ(info.efi_memmap_size, 960);
	CHECK_EQ(info.video_type, BOOTPARAMS_VIDEO_TYPE_EFI);
	CHECK(info.has_lfb);
	CHECK_EQ(info.lfb_base, 0x480000000ull);
	CHECK_EQ(info.lfb_width, 1280);
	CHECK_EQ(info.lfb_height, 800);
	CHECK_EQ(info.lfb_depth, 32);
	CHECK_EQ(info.lfb_linelength, 5120);
	CHECK_EQ(info.lfb_size, 1280 * 4 * 800);
	CHECK_EQ(info.video_capabilities, 3);
	CHECK_EQ(info.red_size, 8);
	CHECK_EQ(info.red_pos, 16);
	CHECK_EQ(info.green_pos, 8);
	CHECK_EQ(info.blue_size, 8);
	CHECK_EQ(info.blue_pos, 0);
}

TEST(test_short_input)
{
	build_page();
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE - 1, 0), -EINVAL);
	CHECK(!info.has_header);
	CHECK_EQ(info.e820_count, 0);
	CHECK_EQ(parse_copy(0, 0), -EINVAL);
	CHECK_EQ(bootparams_parse(NULL, BOOTPARAMS_SIZE, &info), -EINVAL);
	CHECK_EQ(bootparams_parse(page, BOOTPARAMS_SIZE, NULL), -EINVAL);
	/* Exactly one page is enough. */
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
}

TEST(test_e820_clamped)
{
	build_page();
	put8(0x1e8, 200);
	for (size_t i = 0; i < BOOTPARAMS_E820_MAX; i++)
		put_e820(page + 0x2d0 + i * 20, i << 20, 0x1000, BOOTPARAMS_E820_RAM);
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK_EQ(info.e820_count, BOOTPARAMS_E820_MAX);
	CHECK(info.e820_clamped);
	CHECK_EQ(info.e820[127].addr, 127u << 20);
	put8(0x1e8, 255);
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK_EQ(info.e820_count, BOOTPARAMS_E820_MAX);
	put8(0x1e8, 128);
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK(!info.e820_clamped);
}

TEST(test_missing_hdrs)
{
	build_page();
	put32(0x202, 0x53726449u);	/* "IdrS" */
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), -EBADMSG);
	CHECK(!info.has_header);
	CHECK_EQ(info.version, 0);
	CHECK_EQ(info.cmd_line_ptr, 0);
	CHECK_EQ(info.cmdline_size, 0);
	CHECK_EQ(info.ramdisk_image, 0);
	CHECK_EQ(info.setup_data, 0);
	/* ...but what does not hang off the header is there. */
	CHECK_EQ(info.e820_count, 4);
	CHECK_EQ(info.acpi_rsdp_addr, 0x7fb7e014u);
	CHECK_EQ(info.efi_systab, 0x7ff3e018u);
	CHECK_EQ(info.lfb_base, 0x480000000ull);
}

/* An old header version: newer fields are not read, cmdline_size is 255. */
TEST(test_old_version)
{
	build_page();
	put16(0x206, 0x0204);
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK_EQ(info.cmd_line_ptr, 0x200020000ull);
	CHECK_EQ(info.cmdline_size, BOOTPARAMS_CMDLINE_SIZE_OLD);
	CHECK_EQ(info.kernel_alignment, 0);
	CHECK_EQ(info.setup_data, 0);
	CHECK_EQ(info.pref_address, 0);
	CHECK_EQ(info.init_size, 0);
	CHECK_EQ(info.xloadflags, 0);
	put16(0x206, 0x0201);
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK_EQ(info.cmd_line_ptr, 0);
	CHECK_EQ(info.ramdisk_image, 0x17f000000ull);
	put16(0x206, 0x0209);
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK_EQ(info.setup_data, 0x12345000u);
	CHECK_EQ(info.pref_address, 0);
}

/* Sentinel set: ext_ halves and acpi_rsdp_addr are distrusted. */
TEST(test_sentinel)
{
	build_page();
	put8(0x1ef, 0xff);
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK(info.sentinel);
	CHECK_EQ(info.cmd_line_ptr, 0x00020000u);
	CHECK_EQ(info.ramdisk_image, 0x7f000000u);
	CHECK_EQ(info.acpi_rsdp_addr, 0);
	CHECK_EQ(info.efi_memmap, 0x112340000ull);
	CHECK_EQ(info.e820_count, 4);
}

TEST(test_screen_info)
{
	build_page();
	put32(0x36, 0);			/* no 64BIT_BASE: ext_lfb_base ignored */
	put8(0x0f, BOOTPARAMS_VIDEO_TYPE_VLFB);
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK(info.has_lfb);
	CHECK_EQ(info.video_type, BOOTPARAMS_VIDEO_TYPE_VLFB);
	CHECK_EQ(info.lfb_base, 0x80000000u);
	put8(0x0f, 0x22);		/* VGA text */
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK(!info.has_lfb);
	CHECK_EQ(info.video_type, 0x22);
	CHECK_EQ(info.lfb_base, 0);
	CHECK_EQ(info.lfb_width, 0);
}

TEST(test_efi_signatures)
{
	build_page();
	put32(0x1c0, BOOTPARAMS_EFI32_SIGNATURE);
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK(info.efi_present && !info.efi_64bit);
	CHECK_EQ(info.efi_memmap, 0x12340000u);	/* _hi ignored */
	put32(0x1c0, 0);
	CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, 0), 0);
	CHECK(!info.efi_present);
	CHECK_EQ(info.efi_systab, 0);
	CHECK_EQ(info.efi_memdesc_size, 0);
}

TEST(test_unaligned_page)
{
	build_page();
	for (size_t skew = 1; skew < 8; skew++) {
		CHECK_EQ(parse_copy(BOOTPARAMS_SIZE, skew), 0);
		CHECK_EQ(info.e820[3].addr, 0x100000000ull);
		CHECK_EQ(info.lfb_base, 0x480000000ull);
	}
}

TEST(test_setup_data)
{
	uint8_t node[16 + 8];
	struct bootparams_setup_data sd;
	uint64_t next = 0x9000;
	uint32_t type = BOOTPARAMS_SETUP_RNG_SEED, len = 8;

	memcpy(node, &next, 8);
	memcpy(node + 8, &type, 4);
	memcpy(node + 12, &len, 4);
	memcpy(node + 16, "seedseed", 8);
	const uint8_t *p = heap_copy(node, sizeof(node), 0);
	CHECK_EQ(bootparams_setup_data(p, sizeof(node), &sd), 0);
	CHECK_EQ(sd.next, 0x9000);
	CHECK_EQ(sd.type, BOOTPARAMS_SETUP_RNG_SEED);
	CHECK_EQ(sd.len, 8);
	CHECK(sd.data == p + 16);
	/* Payload overruns: header still reported, so the caller can remap. */
	CHECK_EQ(bootparams_setup_data(p, 16, &sd), -EBADMSG);
	CHECK_EQ(sd.len, 8);
	CHECK_EQ(sd.next, 0x9000);
	CHECK(sd.data == NULL);
	CHECK_EQ(bootparams_setup_data(p, sizeof(node) - 1, &sd), -EBADMSG);
	len = 0xffffffffu;
	memcpy(node + 12, &len, 4);
	p = heap_copy(node, sizeof(node), 3);
	CHECK_EQ(bootparams_setup_data(p, sizeof(node), &sd), -EBADMSG);
	CHECK_EQ(sd.len, 0xffffffffu);
	CHECK_EQ(bootparams_setup_data(p, 15, &sd), -EINVAL);
	CHECK_EQ(sd.next, 0);
	CHECK_EQ(bootparams_setup_data(NULL, 16, &sd), -EINVAL);
	CHECK_EQ(bootparams_setup_data(p, 16, NULL), -EINVAL);
}

TEST(test_e820_ext)
{
	uint8_t raw[3 * 20];
	struct bootparams_e820 e[4];
	size_t n = 99;

	for (size_t i = 0; i < 3; i++)
		put_e820(raw + i * 20, 0x100000000ull * (i + 1), 0x1000,
			 BOOTPARAMS_E820_PMEM);
	const void *p = heap_copy(raw, sizeof(raw), 1);
	CHECK_EQ(bootparams_e820_ext(p, 60, e, 4, &n), 0);
	CHECK_EQ(n, 3);
	CHECK_EQ(e[2].addr, 0x300000000ull);
	CHECK_EQ(e[2].type, BOOTPARAMS_E820_PMEM);
	CHECK_EQ(bootparams_e820_ext(p, 30, e, 4, &n), -EBADMSG);
	CHECK_EQ(n, 0);
	CHECK_EQ(bootparams_e820_ext(p, 59, e, 4, &n), -EBADMSG);
	CHECK_EQ(bootparams_e820_ext(p, 60, e, 2, &n), -ENOSPC);
	CHECK_EQ(n, 2);
	CHECK_EQ(e[1].addr, 0x200000000ull);
	CHECK_EQ(bootparams_e820_ext(NULL, 0, e, 4, &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(bootparams_e820_ext(NULL, 20, e, 4, &n), -EINVAL);
	CHECK_EQ(bootparams_e820_ext(p, 60, NULL, 4, &n), -EINVAL);
	CHECK_EQ(bootparams_e820_ext(p, 60, e, 4, NULL), -EINVAL);
}

TEST(test_efi_setup)
{
	uint64_t raw[12] = { 0x7ff00000, 0x7fe00000, 0x7fd00000, 0x7fc00000 };
	struct bootparams_efi_setup es;

	const void *p = heap_copy(raw, sizeof(raw), 5);
	CHECK_EQ(bootparams_efi_setup(p, 96, &es), 0);
	CHECK_EQ(es.fw_vendor, 0x7ff00000);
	CHECK_EQ(es.runtime, 0x7fe00000);
	CHECK_EQ(es.tables, 0x7fd00000);
	CHECK_EQ(es.smbios, 0x7fc00000);
	p = heap_copy(raw, BOOTPARAMS_EFI_SETUP_MIN, 0);
	CHECK_EQ(bootparams_efi_setup(p, BOOTPARAMS_EFI_SETUP_MIN, &es), 0);
	CHECK_EQ(es.smbios, 0x7fc00000);
	CHECK_EQ(bootparams_efi_setup(p, BOOTPARAMS_EFI_SETUP_MIN - 1, &es), -EBADMSG);
	CHECK_EQ(es.fw_vendor, 0);
	CHECK_EQ(bootparams_efi_setup(p, 0, &es), -EBADMSG);
	CHECK_EQ(bootparams_efi_setup(NULL, 96, &es), -EINVAL);
	CHECK_EQ(bootparams_efi_setup(p, 96, NULL), -EINVAL);
}

TEST(test_type_names)
{
	CHECK_STR(bootparams_e820_type_name(BOOTPARAMS_E820_RAM), "usable");
	CHECK_STR(bootparams_e820_type_name(BOOTPARAMS_E820_RESERVED), "reserved");
	CHECK_STR(bootparams_e820_type_name(BOOTPARAMS_E820_ACPI), "ACPI data");
	CHECK_STR(bootparams_e820_type_name(BOOTPARAMS_E820_NVS), "ACPI NVS");
	CHECK_STR(bootparams_e820_type_name(BOOTPARAMS_E820_UNUSABLE), "unusable");
	CHECK_STR(bootparams_e820_type_name(BOOTPARAMS_E820_PMEM), "persistent (type 7)");
	CHECK_STR(bootparams_e820_type_name(BOOTPARAMS_E820_PRAM), "persistent (type 12)");
	CHECK_STR(bootparams_e820_type_name(6), "unknown");
	CHECK_STR(bootparams_e820_type_name(0), "unknown");
}

TEST_MAIN(test_full_page, test_short_input, test_e820_clamped, test_missing_hdrs,
	  test_old_version, test_sentinel, test_screen_info, test_efi_signatures,
	  test_unaligned_page, test_setup_data, test_e820_ext, test_efi_setup,
	  test_type_names)
