/*
 * Unit tests for payload/handoff.c and payload/handoff_records.c, the
 * handoff block writer, verifier, iterator and record decoders.
 *
 * A block with every record type is written, verified, walked and decoded
 * field by field; a block made independently (docs/handoff.md's worked
 * example) must come out byte for byte; the writer must stay consistent
 * when the buffer runs out.  Broken blocks are in handoff_verify_test.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "payload/handoff.h"
#include "tests/unit/test.h"

#define CAP 8192

static _Alignas(8) uint8_t blk[CAP];
static struct handoff_status st;

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof(v)); }

/* verify() over an exact-size heap copy of b[0..len). */
static int verify_copy(const uint8_t *b, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);
	int r;

	memcpy(c, b, len);
	r = handoff_verify(c, len, &st);
	free(c);
	return r;
}

static bool reason_has(const char *s)
{
	return strstr(st.reason, s) != NULL;
}

/* ------------------------------------------------------------ full block */

static const uint8_t guid_esrt[16] = HANDOFF_GUID_ESRT;
static const uint8_t guid_fw[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const char vmci[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";
static const char cmdl[] = "dump=serial after=poweroff";
static const uint8_t rsdp[36] = "RSD PTR ";
static const uint8_t smb_ep[24] = "_SM3_";
static const uint8_t smb_tab[10] = { 0x7f, 4, 0, 0, 0, 0 };

/* ESRT bytes: header + 2 entries. */
static size_t make_esrt(uint8_t *out)
{
	struct handoff_esrt_header h = { 2, 4, HANDOFF_ESRT_VERSION };
	struct handoff_esrt_entry e[2];

	memset(e, 0, sizeof(e));
	memcpy(e[0].fw_class, guid_fw, 16);
	e[0].fw_type = 1;
	e[0].fw_version = 0x10203;
	e[0].lowest_supported_fw_version = 0x10000;
	e[0].capsule_flags = 0x8010;
	e[0].last_attempt_version = 0x10203;
	e[1].fw_type = 2;
	e[1].last_attempt_status = 6;
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), e, sizeof(e));
	return sizeof(h) + sizeof(e);
}

/* CPU notes: one "CORE" NT_PRSTATUS note of 336 bytes and the empty note. */
static size_t make_notes(uint8_t *out)
{
	struct handoff_note_header nh = { 5, 336, 1 };
	size_t n = 0;

	memcpy(out, &nh, sizeof(nh));
	n += sizeof(nh);
	memcpy(out + n, "CORE\0\0\0", 8);
	n += 8;
	memset(out + n, 0xab, 336);
	n += 336;
	memset(out + n, 0, 12);
	return n + 12;
}

/* Adds that failed in the last build_full() (a small cap makes some fail). */
static unsigned add_errors;

#define ADD(e) do { if ((e) != 0) add_errors++; } while (0)

/* Write a block with one record of every type; returns its size. */
static size_t build_full(uint8_t *b, size_t cap)
{
	struct handoff_writer w;
	struct handoff_efi_systab sys = { 0x7f9e0018, 0x20046, 0x10000, 0x7f9eeb98,
					  0x7f9eef18, 11, 0x7f9eff18, 64, 0, "EDK II" };
	struct handoff_config_table ct[2] = { { HANDOFF_GUID_ESRT, 0x7e0a4000 }, { { 7 }, 9 } };
	struct handoff_runtime_entry rt[2] = {
		{ 5, 0, 0x7f000000, 0xfffffffeff000000ull, 16, HANDOFF_EFI_MEMORY_RUNTIME | 0xf },
		{ 6, 0, 0x7f010000, 0xfffffffeff010000ull, 4, HANDOFF_EFI_MEMORY_RUNTIME | 0xf },
	};
	struct handoff_dump_range dr[1] = { { 0x100000, 0x7ff00000 } };
	struct handoff_memmap_entry mm[2] = { { 0, 0x9fc00, 1, 0 }, { 0xf0000, 0x10000, 2, 0 } };
	struct handoff_creator cr = { "box", "6.1.0-13-amd64", "postmortem test" };
	uint8_t md[2][48], esrt[16 + 80], notes[400], capsule[64];
	size_t ne, nn, total = 0;

	memset(md, 0, sizeof(md));
	put32(md[0], 7);
	put64(md[0] + 8, 0x100000);
	put64(md[0] + 24, 256);
	put64(md[0] + 32, 0xf);
	put32(md[1], 4);
	put64(md[1] + 8, 0x7e0a4000);
	put64(md[1] + 24, 1);
	memset(capsule, 0x5a, sizeof(capsule));
	memcpy(capsule, guid_fw, 16);
	put32(capsule + 16, 28);
	put32(capsule + 20, 0x50000);
	put32(capsule + 24, sizeof(capsule));
	ne = make_esrt(esrt);
	nn = make_notes(notes);
	add_errors = 0;
	handoff_writer_init(&w, b, cap, 1700000000);
	ADD(handoff_add_creator(&w, &cr));
	ADD(handoff_add_efi_systab(&w, &sys));
	ADD(handoff_add_efi_memmap(&w, 48, 1, md, 2));
	ADD(handoff_add_memmap(&w, mm, 2));
	ADD(handoff_add_config_tables(&w, ct, 2));
	ADD(handoff_add_table_copy(&w, guid_esrt, 0x7e0a4000, esrt, ne));
	ADD(handoff_add_acpi_rsdp(&w, 0x7fbfa014, rsdp, sizeof(rsdp)));
	ADD(handoff_add_smbios(&w, 0x7f8f0000, smb_ep, sizeof(smb_ep), 0x7f8e0000,
				    smb_tab, sizeof(smb_tab)));
	ADD(handoff_add_runtime_map(&w, rt, 2));
	ADD(handoff_add_dump_ranges(&w, dr, 1));
	ADD(handoff_add_vmcoreinfo(&w, 0x1234000, 4096, vmci, strlen(vmci)));
	ADD(handoff_add(&w, HANDOFF_TYPE_CPU_NOTES, 0, notes, nn));
	ADD(handoff_add(&w, HANDOFF_TYPE_CMDLINE, 0, cmdl, strlen(cmdl)));
	ADD(handoff_add(&w, HANDOFF_TYPE_CAPSULE, 0, capsule, sizeof(capsule)));
	if (handoff_finish(&w, &total) != 0)
		add_errors++;
	return total;
}

/* Find the first record of a type; false if none. */
static bool find(const uint8_t *b, size_t len, uint32_t type, struct handoff_record *rec)
{
	size_t cur = 0;

	while (handoff_next(b, len, &cur, rec) == 0)
		if (rec->type == type)
			return true;
	return false;
}

TEST(test_round_trip_header)
{
	size_t total = build_full(blk, CAP), cur = 0, n = 0;
	struct handoff_record rec;
	struct handoff_header h;

	CHECK_EQ(add_errors, 0);
	CHECK_EQ(handoff_verify(blk, total, &st), 0);
	CHECK(reason_has("ok: 14 records"));
	CHECK(st.digest_checked);
	CHECK_EQ(memcmp(st.digest, st.stored_digest, SHA256_LEN), 0);
	memcpy(&h, blk, sizeof(h));
	CHECK_EQ(memcmp(h.magic, "PMHANDOF", 8), 0);
	CHECK_EQ(h.version, 1);
	CHECK_EQ(h.header_size, 80);
	CHECK_EQ(h.record_count, 14);
	CHECK_EQ(h.total_size, total);
	CHECK_EQ(h.created, 1700000000);
	CHECK_EQ(total % 8, 0);
	while (handoff_next(blk, total, &cur, &rec) == 0) {
		CHECK_EQ(rec.offset % 8, 0);
		CHECK(handoff_type_known(rec.type));
		n++;
	}
	CHECK_EQ(n, 14);
	CHECK_EQ(handoff_next(blk, total, &cur, &rec), -ENOENT);
	/* A longer buffer than the block is fine: total_size bounds it. */
	CHECK_EQ(handoff_verify(blk, CAP, &st), 0);
}

TEST(test_round_trip_fixed)
{
	size_t total = build_full(blk, CAP);
	struct handoff_record rec;
	struct handoff_efi_systab s;
	struct handoff_creator c;
	struct handoff_capsule_header ch;
	struct handoff_bytes b;

	CHECK(find(blk, total, HANDOFF_TYPE_EFI_SYSTAB, &rec));
	CHECK_EQ(handoff_get_efi_systab(&rec, &s), 0);
	CHECK_EQ(s.systab_addr, 0x7f9e0018);
	CHECK_EQ(s.revision, 0x20046);
	CHECK_EQ(s.fw_revision, 0x10000);
	CHECK_EQ(s.runtime_services, 0x7f9eeb98);
	CHECK_EQ(s.config_table_addr, 0x7f9eef18);
	CHECK_EQ(s.config_table_count, 11);
	CHECK_EQ(s.fw_vendor_addr, 0x7f9eff18);
	CHECK_EQ(s.platform_bits, 64);
	CHECK_STR(s.fw_vendor, "EDK II");
	CHECK_EQ(handoff_get_creator(&rec, &c), -EINVAL);	/* wrong type */
	CHECK(find(blk, total, HANDOFF_TYPE_CREATOR, &rec));
	CHECK_EQ(handoff_get_creator(&rec, &c), 0);
	CHECK_STR(c.host, "box");
	CHECK_STR(c.release, "6.1.0-13-amd64");
	CHECK_STR(c.tool, "postmortem test");
	CHECK(find(blk, total, HANDOFF_TYPE_CAPSULE, &rec));
	CHECK_EQ(handoff_get_capsule_header(&rec, &ch), 0);
	CHECK_EQ(memcmp(ch.capsule_guid, guid_fw, 16), 0);
	CHECK_EQ(ch.header_size, 28);
	CHECK_EQ(ch.flags, 0x50000);
	CHECK_EQ(ch.capsule_image_size, 64);
	CHECK_EQ(handoff_get_bytes(&rec, HANDOFF_TYPE_CAPSULE, &b), 0);
	CHECK_EQ(b.len, 64);
	CHECK_EQ(b.ptr[40], 0x5a);
	CHECK(find(blk, total, HANDOFF_TYPE_CMDLINE, &rec));
	CHECK_EQ(handoff_get_bytes(&rec, HANDOFF_TYPE_CMDLINE, &b), 0);
	CHECK_EQ(b.len, strlen(cmdl));
	CHECK_EQ(memcmp(b.ptr, cmdl, b.len), 0);
	CHECK_EQ(rec.length, strlen(cmdl));
}

TEST(test_round_trip_bytes)
{
	size_t total = build_full(blk, CAP);
	struct handoff_record rec;
	struct handoff_table_copy tc;
	struct handoff_acpi_rsdp ra;
	struct handoff_smbios sm;
	struct handoff_vmcoreinfo vi;
	struct handoff_bytes b, ep, tab;

	CHECK(find(blk, total, HANDOFF_TYPE_TABLE_COPY, &rec));
	CHECK_EQ(handoff_get_table_copy(&rec, &tc, &b), 0);
	CHECK_EQ(memcmp(tc.guid, guid_esrt, 16), 0);
	CHECK_EQ(tc.address, 0x7e0a4000);
	CHECK_EQ(tc.length, 96);
	CHECK_EQ(b.len, 96);
	CHECK(find(blk, total, HANDOFF_TYPE_ACPI_RSDP, &rec));
	CHECK_EQ(handoff_get_acpi_rsdp(&rec, &ra, &b), 0);
	CHECK_EQ(ra.address, 0x7fbfa014);
	CHECK_EQ(ra.length, 36);
	CHECK_EQ(b.len, 36);
	CHECK_EQ(memcmp(b.ptr, "RSD PTR ", 8), 0);
	CHECK(find(blk, total, HANDOFF_TYPE_SMBIOS, &rec));
	CHECK_EQ(handoff_get_smbios(&rec, &sm, &ep, &tab), 0);
	CHECK_EQ(sm.entry_point_address, 0x7f8f0000);
	CHECK_EQ(sm.table_address, 0x7f8e0000);
	CHECK_EQ(ep.len, 24);
	CHECK_EQ(memcmp(ep.ptr, "_SM3_", 5), 0);
	CHECK_EQ(tab.len, 10);
	CHECK_EQ(tab.ptr[0], 0x7f);
	CHECK(find(blk, total, HANDOFF_TYPE_VMCOREINFO, &rec));
	CHECK_EQ(handoff_get_vmcoreinfo(&rec, &vi, &b), 0);
	CHECK_EQ(vi.note_address, 0x1234000);
	CHECK_EQ(vi.note_size, 4096);
	CHECK_EQ(b.len, strlen(vmci));
	CHECK_EQ(memcmp(b.ptr, vmci, b.len), 0);
}

TEST(test_round_trip_esrt_notes)
{
	size_t total = build_full(blk, CAP), n = 9, cur = 0;
	struct handoff_record rec;
	struct handoff_table_copy tc;
	struct handoff_bytes b;
	struct handoff_esrt_header eh;
	struct handoff_esrt_entry e;
	struct handoff_note note;

	CHECK(find(blk, total, HANDOFF_TYPE_TABLE_COPY, &rec));
	CHECK_EQ(handoff_get_table_copy(&rec, &tc, &b), 0);
	CHECK_EQ(handoff_esrt_header(&b, &eh, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(eh.fw_resource_count_max, 4);
	CHECK_EQ(eh.fw_resource_version, 1);
	CHECK_EQ(handoff_esrt_entry_at(&b, 0, &e), 0);
	CHECK_EQ(memcmp(e.fw_class, guid_fw, 16), 0);
	CHECK_EQ(e.fw_type, 1);
	CHECK_EQ(e.fw_version, 0x10203);
	CHECK_EQ(e.lowest_supported_fw_version, 0x10000);
	CHECK_EQ(e.capsule_flags, 0x8010);
	CHECK_EQ(e.last_attempt_version, 0x10203);
	CHECK_EQ(e.last_attempt_status, 0);
	CHECK_EQ(handoff_esrt_entry_at(&b, 1, &e), 0);
	CHECK_EQ(e.fw_type, 2);
	CHECK_EQ(e.last_attempt_status, 6);
	CHECK_EQ(handoff_esrt_entry_at(&b, 2, &e), -ERANGE);
	CHECK(find(blk, total, HANDOFF_TYPE_CPU_NOTES, &rec));
	CHECK_EQ(handoff_get_bytes(&rec, HANDOFF_TYPE_CPU_NOTES, &b), 0);
	CHECK_EQ(handoff_note_next(&b, &cur, &note), 0);
	CHECK_EQ(note.type, 1);
	CHECK_EQ(note.name.len, 5);
	CHECK_EQ(memcmp(note.name.ptr, "CORE", 5), 0);
	CHECK_EQ(note.desc.len, 336);
	CHECK_EQ(note.desc.ptr[335], 0xab);
	CHECK_EQ(handoff_note_next(&b, &cur, &note), 0);	/* the empty note */
	CHECK_EQ(note.name.len + note.desc.len + note.type, 0);
	CHECK_EQ(handoff_note_next(&b, &cur, &note), -ENOENT);
}

TEST(test_round_trip_arrays)
{
	size_t total = build_full(blk, CAP);
	struct handoff_record rec;
	struct handoff_array a;
	struct handoff_efi_memory_descriptor d;
	struct handoff_config_table t;
	struct handoff_runtime_entry r;
	struct handoff_dump_range dr;
	struct handoff_memmap_entry m;

	CHECK(find(blk, total, HANDOFF_TYPE_EFI_MEMMAP, &rec));
	CHECK_EQ(handoff_get_array(&rec, &a), 0);
	CHECK_EQ(a.entry_size, 48);
	CHECK_EQ(a.entry_version, 1);
	CHECK_EQ(a.count, 2);
	CHECK_EQ(handoff_efi_memmap_at(&rec, 1, &d), 0);
	CHECK_EQ(d.type, 4);
	CHECK_EQ(d.physical_start, 0x7e0a4000);
	CHECK_EQ(d.number_of_pages, 1);
	CHECK_EQ(handoff_efi_memmap_at(&rec, 0, &d), 0);
	CHECK_EQ(d.attribute, 0xf);
	CHECK_EQ(handoff_efi_memmap_at(&rec, 2, &d), -ERANGE);
	CHECK_EQ(handoff_config_table_at(&rec, 0, &t), -EINVAL);	/* wrong type */
	CHECK(find(blk, total, HANDOFF_TYPE_EFI_CONFIG_TABLES, &rec));
	CHECK_EQ(handoff_config_table_at(&rec, 0, &t), 0);
	CHECK_EQ(memcmp(t.guid, guid_esrt, 16), 0);
	CHECK_EQ(t.table, 0x7e0a4000);
	CHECK_EQ(handoff_config_table_at(&rec, 1, &t), 0);
	CHECK_EQ(t.table, 9);
	CHECK(find(blk, total, HANDOFF_TYPE_EFI_RUNTIME_MAP, &rec));
	CHECK_EQ(handoff_runtime_map_at(&rec, 1, &r), 0);
	CHECK_EQ(r.type, 6);
	CHECK_EQ(r.phys_addr, 0x7f010000);
	CHECK_EQ(r.virt_addr, 0xfffffffeff010000ull);
	CHECK_EQ(r.num_pages, 4);
	CHECK_EQ(r.attribute, HANDOFF_EFI_MEMORY_RUNTIME | 0xf);
	CHECK(find(blk, total, HANDOFF_TYPE_DUMP_RANGES, &rec));
	CHECK_EQ(handoff_dump_range_at(&rec, 0, &dr), 0);
	CHECK_EQ(dr.start, 0x100000);
	CHECK_EQ(dr.size, 0x7ff00000);
	CHECK(find(blk, total, HANDOFF_TYPE_MEMMAP, &rec));
	CHECK_EQ(handoff_memmap_at(&rec, 1, &m), 0);
	CHECK_EQ(m.start, 0xf0000);
	CHECK_EQ(m.size, 0x10000);
	CHECK_EQ(m.type, 2);
}


TEST(test_writer_enospc)
{
	static uint8_t b2[CAP];
	size_t full = build_full(blk, CAP);
	unsigned bad = 0;

	/* Every capacity: the block holds the records that fit and verifies. */
	for (size_t cap = 0; cap <= full; cap++) {
		size_t total = 0;

		build_full(b2, cap);
		if (cap < 80) {
			struct handoff_writer w;

			handoff_writer_init(&w, b2, cap, 0);
			bad += handoff_finish(&w, &total) != -ENOSPC;
			continue;
		}
		bad += handoff_verify(b2, cap, &st) != 0;
		bad += (st.total_size == full) != (cap == full);
	}
	CHECK_EQ(bad, 0);
}

TEST(test_writer_atomic)
{
	struct handoff_writer w;
	uint8_t big[200];
	size_t before, total;

	memset(big, 1, sizeof(big));
	handoff_writer_init(&w, blk, 300, 7);
	CHECK_EQ(handoff_add(&w, HANDOFF_TYPE_CMDLINE, 0, "a", 1), 0);
	before = w.len;
	CHECK_EQ(handoff_add(&w, HANDOFF_TYPE_CAPSULE, 0, big, sizeof(big)), -ENOSPC);
	CHECK_EQ(w.len, before);
	CHECK_EQ(w.count, 1);
	CHECK_EQ(handoff_add(&w, HANDOFF_TYPE_CAPSULE, 0, big, 100), 0);
	CHECK_EQ(handoff_add(&w, HANDOFF_TYPE_CAPSULE, 0, NULL, 5), -EINVAL);
	CHECK_EQ(handoff_add_efi_memmap(&w, 36, 1, big, 1), -EINVAL);
	CHECK_EQ(handoff_finish(&w, &total), 0);
	CHECK_EQ(handoff_verify(blk, total, &st), 0);
	CHECK_EQ(st.record_count, 2);
}

/* The worked example of docs/handoff.md, byte for byte (made there with Python). */
TEST(test_known_block)
{
	static const uint8_t want[112] = {
		'P', 'M', 'H', 'A', 'N', 'D', 'O', 'F', 1, 0, 0, 0, 80, 0, 0, 0,
		0, 0, 0, 0, 1, 0, 0, 0, 112, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0xf1, 0x53, 0x65, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x51, 0x83, 0x9c, 0x79, 0xb7, 0xcc, 0x93, 0x27, 0xaf, 0x58, 0x26, 0xf2, 0xa7, 0xe8, 0xb9, 0xd7,
		0xa2, 0x7d, 0xb1, 0x64, 0x42, 0xad, 0xbe, 0x9b, 0x57, 0x4b, 0x64, 0x73, 0xe8, 0x59, 0x23, 0xa1,
		11, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0,
		'd', 'u', 'm', 'p', '=', 'n', 'o', 'n', 'e', 0, 0, 0, 0, 0, 0, 0,
	};
	struct handoff_writer w;
	size_t total = 0;

	memset(blk, 0xcc, sizeof(blk));
	handoff_writer_init(&w, blk, CAP, 1700000000);
	CHECK_EQ(handoff_add(&w, HANDOFF_TYPE_CMDLINE, 0, "dump=none", 9), 0);
	CHECK_EQ(handoff_finish(&w, &total), 0);
	CHECK_EQ(total, sizeof(want));
	CHECK_EQ(memcmp(blk, want, sizeof(want)), 0);
	CHECK_EQ(verify_copy(want, sizeof(want)), 0);
}

TEST_MAIN(test_known_block, test_round_trip_header, test_round_trip_fixed,
	  test_round_trip_bytes, test_round_trip_esrt_notes, test_round_trip_arrays,
	  test_writer_enospc, test_writer_atomic)
