/*
 * Unit tests for formats/efirt_map.c, the pure half of efirt: the
 * EFI_RUNTIME_SERVICES reader (good 2.70 and 1.10 tables, wrong
 * signature, revision, sizes, CRC, truncation), EFI_STATUS names and
 * errnos, ASCII to UTF-16, the runtime map (alignment, wrap, overlap,
 * capacity, EFI memory maps of stride 40 and 48), address translation at
 * region edges, the mode decision for a GRUB-style map (no VAs), a
 * Linux-style kexec runtime map (VAs at 0xfffffffe_xxxxxxxx, each with the
 * PA's offset inside 2 MiB, as efi_map_region() assigns them), and every
 * other answer, and the function-pointer check.  Tables and maps are
 * built byte by byte at the spec's offsets (UEFI 2.10 §4.5, §7.2), so the
 * tests do not depend on efirt_map.h's structs being right.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "crypto/crc32.h"
#include "formats/efirt_map.h"
#include "tests/unit/test.h"

/* ------------------------------------------------------------ the table */

/* A runtime services table of hsize bytes; pointers 0x1000 * (i + 1) + base. */
static void make_rt(uint8_t *t, uint32_t hsize, uint32_t revision, uint64_t base)
{
	memset(t, 0, 256);
	memcpy(t, "RUNTSERV", 8);
	test_put32(t + 8, revision);
	test_put32(t + 12, hsize);
	for (unsigned i = 0; 0x18 + 8 * i + 8 <= hsize; i++)
		test_put64(t + 0x18 + 8 * i, base + 0x1000ull * (i + 1));
	test_put32(t + 16, 0);
	test_put32(t + 16, crc32(t, hsize));
}

TEST(test_rt_good)
{
	uint8_t t[256];
	struct efirt_rt rt;

	make_rt(t, 0x88, 0x00020046, 0xfffffffe00000000ull);
	CHECK_EQ(efirt_rt_parse(t, 0x88, &rt), 0);
	CHECK_EQ(rt.revision, 0x00020046);
	CHECK_EQ(rt.header_size, 0x88);
	CHECK_EQ(rt.crc_stored, rt.crc_computed);
	CHECK_EQ(rt.fn[EFIRT_SVC_GET_TIME], 0xfffffffe00001000ull);		/* 0x18 */
	CHECK_EQ(rt.fn[EFIRT_SVC_SET_VIRTUAL_ADDRESS_MAP], 0xfffffffe00005000ull); /* 0x38 */
	CHECK_EQ(rt.fn[EFIRT_SVC_GET_VARIABLE], 0xfffffffe00007000ull);		/* 0x48 */
	CHECK_EQ(rt.fn[EFIRT_SVC_SET_VARIABLE], 0xfffffffe00009000ull);		/* 0x58 */
	CHECK_EQ(rt.fn[EFIRT_SVC_RESET_SYSTEM], 0xfffffffe0000b000ull);		/* 0x68 */
	CHECK_EQ(rt.fn[EFIRT_SVC_QUERY_VARIABLE_INFO], 0xfffffffe0000e000ull);	/* 0x80 */
	/* A longer buffer than HeaderSize is fine. */
	CHECK_EQ(efirt_rt_parse(t, sizeof(t), &rt), 0);
	/* A newer, larger table (HeaderSize 0x90) keeps the known pointers. */
	make_rt(t, 0x90, 0x00020064, 0);
	CHECK_EQ(efirt_rt_parse(t, 0x90, &rt), 0);
	CHECK_EQ(rt.fn[EFIRT_SVC_QUERY_VARIABLE_INFO], 0xe000);
	CHECK_STR(efirt_service_name(EFIRT_SVC_QUERY_CAPSULE_CAPABILITIES), "QueryCapsuleCapabilities");
	CHECK_STR(efirt_service_name(EFIRT_SVC_COUNT), "?");
}

TEST(test_rt_uefi_1_10)
{
	uint8_t t[256];
	struct efirt_rt rt;

	/* UEFI 1.10 stops after ResetSystem; what follows is not the table's. */
	make_rt(t, 0x70, 0x0001000a, 0x100000);
	memset(t + 0x70, 0xee, 0x18);
	CHECK_EQ(efirt_rt_parse(t, sizeof(t), &rt), 0);
	CHECK_EQ(rt.fn[EFIRT_SVC_RESET_SYSTEM], 0x10b000);
	CHECK_EQ(rt.fn[EFIRT_SVC_UPDATE_CAPSULE], 0);
	CHECK_EQ(rt.fn[EFIRT_SVC_QUERY_VARIABLE_INFO], 0);
}

TEST(test_rt_bad)
{
	uint8_t t[256];
	struct efirt_rt rt;

	CHECK_EQ(efirt_rt_parse(NULL, 0x88, &rt), -EINVAL);
	CHECK_EQ(efirt_rt_parse(t, 0x88, NULL), -EINVAL);
	make_rt(t, 0x88, 0x00020046, 0);
	CHECK_EQ(efirt_rt_parse(t, 23, &rt), -EINVAL);
	/* Truncated: HeaderSize says more than the buffer has. */
	CHECK_EQ(efirt_rt_parse(t, 0x87, &rt), -EINVAL);
	CHECK_EQ(rt.header_size, 0x88);
	/* Signature. */
	make_rt(t, 0x88, 0x00020046, 0);
	t[0] = 'r';
	CHECK_EQ(efirt_rt_parse(t, 0x88, &rt), -EBADMSG);
	/* The system table's signature is not this one. */
	make_rt(t, 0x88, 0x00020046, 0);
	memcpy(t, "IBI SYST", 8);
	test_put32(t + 16, 0);
	test_put32(t + 16, crc32(t, 0x88));
	CHECK_EQ(efirt_rt_parse(t, 0x88, &rt), -EBADMSG);
	/* CRC: one pointer changed without recomputing it (a stale table). */
	make_rt(t, 0x88, 0x00020046, 0);
	t[0x68] ^= 1;
	CHECK_EQ(efirt_rt_parse(t, 0x88, &rt), -EBADMSG);
	CHECK(rt.crc_stored != rt.crc_computed);
	CHECK(rt.crc_computed != 0);
	/* Revision major 0 and 10. */
	make_rt(t, 0x88, 0x00000046, 0);
	CHECK_EQ(efirt_rt_parse(t, 0x88, &rt), -EBADMSG);
	make_rt(t, 0x88, 0x000a0000, 0);
	CHECK_EQ(efirt_rt_parse(t, 0x88, &rt), -EBADMSG);
	/* HeaderSize below UEFI 1.10's table, and absurdly large. */
	make_rt(t, 0x68, 0x00020046, 0);
	CHECK_EQ(efirt_rt_parse(t, sizeof(t), &rt), -EBADMSG);
	make_rt(t, 0x88, 0x00020046, 0);
	test_put32(t + 12, EFIRT_RT_SIZE_MAX + 1);
	CHECK_EQ(efirt_rt_parse(t, sizeof(t), &rt), -EBADMSG);
	test_put32(t + 12, 0xffffffffu);
	CHECK_EQ(efirt_rt_parse(t, sizeof(t), &rt), -EBADMSG);
	test_put32(t + 12, 0);
	CHECK_EQ(efirt_rt_parse(t, sizeof(t), &rt), -EBADMSG);
}

/* ------------------------------------------------------------ statuses */

TEST(test_status)
{
	CHECK_STR(efirt_status_name(0), "EFI_SUCCESS");
	CHECK_STR(efirt_status_name(0x8000000000000001ull), "EFI_LOAD_ERROR");
	CHECK_STR(efirt_status_name(0x8000000000000002ull), "EFI_INVALID_PARAMETER");
	CHECK_STR(efirt_status_name(0x8000000000000003ull), "EFI_UNSUPPORTED");
	CHECK_STR(efirt_status_name(0x8000000000000004ull), "EFI_BAD_BUFFER_SIZE");
	CHECK_STR(efirt_status_name(0x8000000000000005ull), "EFI_BUFFER_TOO_SMALL");
	CHECK_STR(efirt_status_name(0x8000000000000006ull), "EFI_NOT_READY");
	CHECK_STR(efirt_status_name(0x8000000000000007ull), "EFI_DEVICE_ERROR");
	CHECK_STR(efirt_status_name(0x8000000000000008ull), "EFI_WRITE_PROTECTED");
	CHECK_STR(efirt_status_name(0x8000000000000009ull), "EFI_OUT_OF_RESOURCES");
	CHECK_STR(efirt_status_name(0x800000000000000eull), "EFI_NOT_FOUND");
	CHECK_STR(efirt_status_name(0x800000000000000full), "EFI_ACCESS_DENIED");
	CHECK_STR(efirt_status_name(0x8000000000000012ull), "EFI_TIMEOUT");
	CHECK_STR(efirt_status_name(0x800000000000001aull), "EFI_SECURITY_VIOLATION");
	CHECK_STR(efirt_status_name(0x800000000000001bull), "EFI_CRC_ERROR");
	CHECK_STR(efirt_status_name(0x800000000000001full), "EFI_END_OF_FILE");
	CHECK_STR(efirt_status_name(0x8000000000000023ull), "EFI_HTTP_ERROR");
	CHECK_STR(efirt_status_name(0x800000000000001dull), "EFI_ERROR_UNKNOWN");	/* 29: unassigned */
	CHECK_STR(efirt_status_name(0x8000000000000024ull), "EFI_ERROR_UNKNOWN");
	CHECK_STR(efirt_status_name(0x8000000000000000ull), "EFI_ERROR_UNKNOWN");
	CHECK_STR(efirt_status_name(0xffffffffffffffffull), "EFI_ERROR_UNKNOWN");
	CHECK_STR(efirt_status_name(5), "EFI_WARN_STALE_DATA");
	CHECK_STR(efirt_status_name(7), "EFI_WARN_RESET_REQUIRED");
	CHECK_STR(efirt_status_name(8), "EFI_WARN_UNKNOWN");
	CHECK_EQ(EFIRT_NOT_FOUND, 0x800000000000000eull);
	CHECK_EQ(EFIRT_SECURITY_VIOLATION, 0x800000000000001aull);

	CHECK_EQ(efirt_status_errno(EFIRT_SUCCESS), 0);
	CHECK_EQ(efirt_status_errno(5), 0);		/* warnings are not failures */
	CHECK_EQ(efirt_status_errno(EFIRT_NOT_FOUND), -ENOENT);
	CHECK_EQ(efirt_status_errno(EFIRT_BUFFER_TOO_SMALL), -ENOSPC);
	CHECK_EQ(efirt_status_errno(EFIRT_INVALID_PARAMETER), -EINVAL);
	CHECK_EQ(efirt_status_errno(EFIRT_UNSUPPORTED), -ENOTSUP);
	CHECK_EQ(efirt_status_errno(EFIRT_WRITE_PROTECTED), -EROFS);
	CHECK_EQ(efirt_status_errno(EFIRT_OUT_OF_RESOURCES), -ENOMEM);
	CHECK_EQ(efirt_status_errno(EFIRT_SECURITY_VIOLATION), -EACCES);
	CHECK_EQ(efirt_status_errno(EFIRT_DEVICE_ERROR), -EIO);
	CHECK_EQ(efirt_status_errno(0x8000000000000024ull), -EIO);
}

/* ------------------------------------------------------------ UTF-16 */

TEST(test_utf16)
{
	uint16_t out[16];

	CHECK_EQ(efirt_utf16_from_ascii("OsIndications", out, 16), 13);
	CHECK_EQ(out[0], 'O');
	CHECK_EQ(out[12], 's');
	CHECK_EQ(out[13], 0);
	/* Exactly fits: 15 characters and the NUL. */
	CHECK_EQ(efirt_utf16_from_ascii("abcdefghijklmno", out, 16), 15);
	CHECK_EQ(out[15], 0);
	CHECK_EQ(efirt_utf16_from_ascii("abcdefghijklmnop", out, 16), -ENOSPC);
	CHECK_EQ(out[0], 0);
	CHECK_EQ(efirt_utf16_from_ascii("", out, 16), -EINVAL);
	CHECK_EQ(efirt_utf16_from_ascii("caf\xc3\xa9", out, 16), -EINVAL);
	CHECK_EQ(efirt_utf16_from_ascii("a\tb", out, 16), -EINVAL);
	CHECK_EQ(efirt_utf16_from_ascii(NULL, out, 16), -EINVAL);
	CHECK_EQ(efirt_utf16_from_ascii("a", NULL, 16), -EINVAL);
	CHECK_EQ(efirt_utf16_from_ascii("a", out, 0), -EINVAL);
	CHECK_EQ(efirt_utf16_from_ascii("a", out, 1), -ENOSPC);
}

/* ------------------------------------------------------------ the map */

TEST(test_map_add)
{
	static struct efirt_map m;

	efirt_map_init(&m);
	CHECK_EQ(efirt_map_add(NULL, 5, 0x1000, 0, 1, 0), -EINVAL);
	CHECK_EQ(efirt_map_add(&m, 5, 0x1000, 0, 1, 0), 0);
	CHECK_EQ(efirt_map_add(&m, 5, 0x1000, 0, 0, 0), -EBADMSG);		/* no pages */
	CHECK_EQ(efirt_map_add(&m, 5, 0x1800, 0, 1, 0), -EBADMSG);		/* PA misaligned */
	CHECK_EQ(efirt_map_add(&m, 5, 0x1000, 0xfffffffe00000800ull, 1, 0), -EBADMSG);
	CHECK_EQ(efirt_map_add(&m, 5, 0xfffffffffffff000ull, 0, 2, 0), -EBADMSG); /* PA wraps */
	CHECK_EQ(efirt_map_add(&m, 5, 0x1000, 0xfffffffffffff000ull, 2, 0), -EBADMSG); /* VA wraps */
	CHECK_EQ(efirt_map_add(&m, 5, 0, 0, 1ull << 52, 0), -EBADMSG);	/* pages << 12 overflows */
	/* A range must end below 2^64: the last page of the space is refused
	 * (no firmware or OS puts runtime code there; Linux stops at -4 GiB). */
	CHECK_EQ(efirt_map_add(&m, 5, 0x2000, 0xfffffffffffff000ull, 1, 0), -EBADMSG);
	CHECK_EQ(efirt_map_add(&m, 5, 0x2000, 0xffffffffffffe000ull, 1, 0), 0);
	CHECK_EQ(m.count, 2);
	CHECK_EQ(m.dropped, 7);
	/* Remapped regions: the same VA range twice with different PAs conflicts. */
	CHECK_EQ(efirt_map_add(&m, 6, 0x100000, 0xfffffffe00100000ull, 16, 0), 0);
	CHECK_EQ(efirt_map_add(&m, 6, 0x200000, 0xfffffffe0010f000ull, 2, 0), -EEXIST);
	/* ... but an overlap that says the same thing is accepted. */
	CHECK_EQ(efirt_map_add(&m, 6, 0x10f000, 0xfffffffe0010f000ull, 2, 0), 0);
	/* Regions without a VA never conflict by VA. */
	CHECK_EQ(efirt_map_add(&m, 6, 0x300000, 0, 2, 0), 0);
	CHECK_EQ(efirt_map_add(&m, 6, 0x300000, 0x300000, 2, 0), 0);	/* VA == PA */
	CHECK_EQ(m.count, 6);
	CHECK_EQ(m.dropped, 8);
	CHECK(efirt_region_remapped(&m.r[1]));
	CHECK(efirt_region_remapped(&m.r[3]));
	CHECK(!efirt_region_remapped(&m.r[4]));
	CHECK(!efirt_region_remapped(&m.r[5]));
	CHECK(!efirt_region_remapped(NULL));
	/* Full. */
	efirt_map_init(&m);
	for (unsigned i = 0; i < EFIRT_MAP_MAX; i++)
		CHECK_EQ(efirt_map_add(&m, 5, 0x1000ull * i, 0, 1, 0), 0);
	CHECK_EQ(efirt_map_add(&m, 5, 0x800000, 0, 1, 0), -ENOSPC);
	CHECK_EQ(m.count, EFIRT_MAP_MAX);
	CHECK_EQ(m.dropped, 1);
}

/* One EFI_MEMORY_DESCRIPTOR (UEFI 2.10 §7.2) at d. */
static void put_desc(uint8_t *d, uint32_t type, uint64_t pa, uint64_t va, uint64_t pages,
		     uint64_t attr)
{
	test_put32(d, type);
	test_put32(d + 4, 0);
	test_put64(d + 8, pa);
	test_put64(d + 16, va);
	test_put64(d + 24, pages);
	test_put64(d + 32, attr);
}

#define RT	(1ull << 63)	/* EFI_MEMORY_RUNTIME */
#define WB	(1ull << 3)
#define UC	(1ull << 0)

/*
 * The OVMF map GRUB hands over (runtime part as seen in our QEMU runs,
 * VAs 0) with non-runtime descriptors around it, at stride ds.
 */
static size_t grub_map(uint8_t *buf, uint32_t ds)
{
	size_t n = 0;

	memset(buf, 0, 8 * ds);
	put_desc(buf + ds * n++, 7, 0x100000, 0, 0x700, WB);			/* conventional */
	put_desc(buf + ds * n++, 5, 0xf5a0000, 0, 0x40, WB | RT);		/* RT code */
	put_desc(buf + ds * n++, 6, 0xf5e0000, 0, 0x100, WB | RT);		/* RT data */
	put_desc(buf + ds * n++, 4, 0xf6e0000, 0, 0x80, WB);			/* BS data */
	put_desc(buf + ds * n++, 10, 0xf7f0000, 0, 0x10, WB);			/* ACPI NVS */
	put_desc(buf + ds * n++, 11, 0xffc00000, 0, 0x400, UC | RT);		/* flash */
	return n * ds;
}

/*
 * The runtime map a Linux that called SetVirtualAddressMap hands a
 * kexec'd kernel (boot_params EFI map, docs/interfaces.md): runtime
 * descriptors only, each VA below 0xffffffff00000000 going down, with
 * the PA's offset inside 2 MiB (arch/x86/platform/efi/efi_64.c
 * efi_map_region()).
 */
static size_t linux_map(uint8_t *buf, uint32_t ds)
{
	size_t n = 0;

	memset(buf, 0, 4 * ds);
	/* efi_va = -4 GiB - size, then the PA's offset inside 2 MiB (one
	 * 2 MiB lower when that would go up), or 2 MiB-aligned for an aligned PA. */
	put_desc(buf + ds * n++, 5, 0xf5a0000, 0xfffffffefffa0000ull, 0x40, WB | RT);
	put_desc(buf + ds * n++, 6, 0xf5e0000, 0xfffffffeffde0000ull, 0x100, WB | RT);
	put_desc(buf + ds * n++, 11, 0xffc00000, 0xfffffffeff800000ull, 0x400, UC | RT);
	return n * ds;
}

TEST(test_map_efi_mmap)
{
	static struct efirt_map m;
	uint8_t buf[8 * 48];
	size_t len;

	efirt_map_init(&m);
	len = grub_map(buf, 48);
	CHECK_EQ(efirt_map_add_efi_mmap(&m, buf, len, 48), 3);
	CHECK_EQ(m.count, 3);
	CHECK_EQ(m.r[0].type, 5);
	CHECK_EQ(m.r[0].phys, 0xf5a0000);
	CHECK_EQ(m.r[2].type, 11);
	CHECK_EQ(m.r[2].attribute, UC | RT);
	efirt_map_init(&m);
	len = linux_map(buf, 40);
	CHECK_EQ(efirt_map_add_efi_mmap(&m, buf, len, 40), 3);
	CHECK_EQ(m.r[1].virt, 0xfffffffeffde0000ull);
	/* A trailing partial descriptor is not read. */
	efirt_map_init(&m);
	CHECK_EQ(efirt_map_add_efi_mmap(&m, buf, len - 1, 40), 2);
	/* Bad strides; empty map. */
	CHECK_EQ(efirt_map_add_efi_mmap(&m, buf, len, 36), -EINVAL);
	CHECK_EQ(efirt_map_add_efi_mmap(&m, buf, len, 44), -EINVAL);
	CHECK_EQ(efirt_map_add_efi_mmap(&m, buf, len, 0), -EINVAL);
	CHECK_EQ(efirt_map_add_efi_mmap(NULL, buf, len, 40), -EINVAL);
	CHECK_EQ(efirt_map_add_efi_mmap(&m, NULL, len, 40), -EINVAL);
	efirt_map_init(&m);
	CHECK_EQ(efirt_map_add_efi_mmap(&m, buf, 0, 40), 0);
	/* A runtime descriptor whose size overflows is dropped, not added. */
	put_desc(buf, 5, 0xfffffffffff00000ull, 0, 0x200, RT);
	CHECK_EQ(efirt_map_add_efi_mmap(&m, buf, 40, 40), 0);
	CHECK_EQ(m.dropped, 1);
	/* ... and a non-runtime one is simply skipped. */
	put_desc(buf, 7, 0xfffffffffff00000ull, 0, 0x200, WB);
	CHECK_EQ(efirt_map_add_efi_mmap(&m, buf, 40, 40), 0);
	CHECK_EQ(m.dropped, 1);
}

TEST(test_translate)
{
	static struct efirt_map m;
	uint8_t buf[4 * 40];
	uint64_t pa = 0;
	size_t i = 99;

	efirt_map_init(&m);
	efirt_map_add_efi_mmap(&m, buf, linux_map(buf, 40), 40);
	CHECK_EQ(efirt_map_virt_to_phys(&m, 0xfffffffeffde0000ull, 1, &pa, &i), 0);
	CHECK_EQ(pa, 0xf5e0000);
	CHECK_EQ(i, 1);
	/* Last byte of the region, and a range ending exactly at its end. */
	CHECK_EQ(efirt_map_virt_to_phys(&m, 0xfffffffeffedffffull, 1, &pa, NULL), 0);
	CHECK_EQ(pa, 0xf6dffff);
	CHECK_EQ(efirt_map_virt_to_phys(&m, 0xfffffffeffedff78ull, 0x88, &pa, NULL), 0);
	/* One byte past, straddling, before. */
	pa = 1;
	CHECK_EQ(efirt_map_virt_to_phys(&m, 0xfffffffeffee0000ull, 1, &pa, NULL), -ENOENT);
	CHECK_EQ(efirt_map_virt_to_phys(&m, 0xfffffffeffedff80ull, 0x88, &pa, NULL), -ENOENT);
	CHECK_EQ(efirt_map_virt_to_phys(&m, 0xfffffffeffddffffull, 1, &pa, NULL), -ENOENT);
	CHECK_EQ(pa, 1);
	/* A PA is not a VA. */
	CHECK_EQ(efirt_map_virt_to_phys(&m, 0xf5e0000, 1, &pa, NULL), -ENOENT);
	CHECK_EQ(efirt_map_find_phys(&m, 0xf5e0000, 0x100000, &i), 0);
	CHECK_EQ(i, 1);
	CHECK_EQ(efirt_map_find_phys(&m, 0xf5e0000, 0x100001, &i), -ENOENT);
	/* Wrap and empty ranges. */
	CHECK_EQ(efirt_map_virt_to_phys(&m, 0xffffffffffffffffull, 2, &pa, NULL), -EINVAL);
	CHECK_EQ(efirt_map_virt_to_phys(&m, 0xfffffffeffde0000ull, 0, &pa, NULL), -EINVAL);
	CHECK_EQ(efirt_map_find_phys(&m, 0xffffffffffffffffull, 2, NULL), -EINVAL);
	CHECK_EQ(efirt_map_virt_to_phys(NULL, 0, 1, &pa, NULL), -EINVAL);
	CHECK_EQ(efirt_map_virt_to_phys(&m, 0, 1, NULL, NULL), -EINVAL);
}

TEST(test_decide)
{
	static struct efirt_map m;
	struct efirt_decision d;
	uint8_t buf[8 * 48];

	/* GRUB: runtime regions without VAs, pointer physical. */
	efirt_map_init(&m);
	efirt_map_add_efi_mmap(&m, buf, grub_map(buf, 48), 48);
	efirt_map_decide(&m, 0xf5ebb98, 24, &d);
	CHECK_EQ(d.mode, EFIRT_MODE_PHYSICAL);
	CHECK_EQ(d.why, EFIRT_WHY_PHYSICAL);
	CHECK_EQ(d.table_phys, 0xf5ebb98);
	CHECK_EQ(d.region, 1);
	CHECK_EQ(d.remapped, 0);
	/* ... and a pointer in no runtime region (boot services data). */
	efirt_map_decide(&m, 0xf6e0100, 24, &d);
	CHECK_EQ(d.mode, EFIRT_MODE_NONE);
	CHECK_EQ(d.why, EFIRT_WHY_OUTSIDE);
	/* ... or straddling the end of the region. */
	efirt_map_decide(&m, 0xf6dfff0, 24, &d);
	CHECK_EQ(d.mode, EFIRT_MODE_NONE);

	/* kexec from Linux: every region remapped, pointer virtual. */
	efirt_map_init(&m);
	efirt_map_add_efi_mmap(&m, buf, linux_map(buf, 40), 40);
	efirt_map_decide(&m, 0xfffffffeffe4bb98ull, 24, &d);
	CHECK_EQ(d.mode, EFIRT_MODE_VIRTUAL);
	CHECK_EQ(d.why, EFIRT_WHY_VIRTUAL);
	CHECK_EQ(d.table_phys, 0xf64bb98);
	CHECK_EQ(d.region, 1);
	CHECK_EQ(d.remapped, 3);
	/* Remapped map but a physical pointer (table not converted). */
	efirt_map_decide(&m, 0xf5ebb98, 24, &d);
	CHECK_EQ(d.mode, EFIRT_MODE_PHYSICAL);
	CHECK_EQ(d.why, EFIRT_WHY_PHYSICAL_DESPITE_REMAP);
	/* A VA in no region. */
	efirt_map_decide(&m, 0xfffffffe00000000ull, 24, &d);
	CHECK_EQ(d.mode, EFIRT_MODE_NONE);
	CHECK_EQ(d.why, EFIRT_WHY_OUTSIDE);
	/* No pointer. */
	efirt_map_decide(&m, 0, 24, &d);
	CHECK_EQ(d.mode, EFIRT_MODE_NONE);
	CHECK_EQ(d.why, EFIRT_WHY_NO_POINTER);

	/* No map at all: a low pointer is taken as physical, a high one refused. */
	efirt_map_init(&m);
	efirt_map_decide(&m, 0xf5ebb98, 24, &d);
	CHECK_EQ(d.mode, EFIRT_MODE_PHYSICAL);
	CHECK_EQ(d.why, EFIRT_WHY_NO_MAP_PHYSICAL);
	efirt_map_decide(NULL, 0xf5ebb98, 24, &d);
	CHECK_EQ(d.mode, EFIRT_MODE_PHYSICAL);
	efirt_map_decide(&m, 0xfffffffeffe4bb98ull, 24, &d);
	CHECK_EQ(d.mode, EFIRT_MODE_NONE);
	CHECK_EQ(d.why, EFIRT_WHY_NO_MAP_HIGH);
	efirt_map_decide(&m, (1ull << 47) - 8, 24, &d);
	CHECK_EQ(d.mode, EFIRT_MODE_NONE);
	efirt_map_decide(&m, 0xf5ebb98, 24, NULL);	/* ignored, no crash */
}

TEST(test_check_fn)
{
	static struct efirt_map m;
	uint8_t buf[8 * 48];

	efirt_map_init(&m);
	efirt_map_add_efi_mmap(&m, buf, grub_map(buf, 48), 48);
	CHECK_EQ(efirt_map_add(&m, 0, 0x9000, 0, 1, RT), 0);		/* reserved, runtime */
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_PHYSICAL, 0xf5a1234), 0);
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_PHYSICAL, 0xf5e0010), 0);	/* RT data: allowed */
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_PHYSICAL, 0xffc00010), -EPERM);	/* MMIO */
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_PHYSICAL, 0x9010), -EPERM);	/* reserved */
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_PHYSICAL, 0x100010), -ENOENT); /* not runtime */
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_VIRTUAL, 0xf5a1234), -ENOENT); /* no VAs */
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_NONE, 0xf5a1234), -EINVAL);
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_PHYSICAL, 0), -EINVAL);
	CHECK_EQ(efirt_map_check_fn(NULL, EFIRT_MODE_PHYSICAL, 0xf5a1234), -EINVAL);

	efirt_map_init(&m);
	efirt_map_add_efi_mmap(&m, buf, linux_map(buf, 40), 40);
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_VIRTUAL, 0xfffffffefffa1234ull), 0);
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_VIRTUAL, 0xfffffffeff800010ull), -EPERM);
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_VIRTUAL, 0xf5a1234), -ENOENT);
	CHECK_EQ(efirt_map_check_fn(&m, EFIRT_MODE_PHYSICAL, 0xf5a1234), 0);
}

TEST_MAIN(test_rt_good, test_rt_uefi_1_10, test_rt_bad, test_status, test_utf16,
	  test_map_add, test_map_efi_mmap, test_translate, test_decide, test_check_fn)
