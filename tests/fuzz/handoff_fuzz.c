/*
 * libFuzzer target for payload/handoff.c and payload/handoff_records.c:
 * verify the input as a handoff block, walk it with handoff_next() and run
 * every decoder on every record (wrong types included), touching every
 * output field and every byte a decoder points at, so ASan proves all
 * spans stay inside the input.  Random bytes rarely carry a right SHA-256,
 * so the input is then copied, its digest recomputed over total_size and
 * patched in, and verified and walked again: the fuzzer reaches the
 * structure checks behind the digest too.  tests/fuzz/replay.c runs the
 * seeds in tests/fuzz/corpus/handoff/ without libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "payload/handoff.h"

static uint64_t touch(const void *p, size_t n)
{
	uint64_t s = n;

	for (size_t k = 0; p != NULL && k < n; k++)
		s += ((const uint8_t *)p)[k];
	return s;
}

#define T(x) touch(&(x), sizeof(x))	/* every byte of a decoded struct */

static uint64_t arrays(const struct handoff_record *r)
{
	struct handoff_array a = { 0, 0, 0 };
	struct handoff_efi_memory_descriptor md;
	struct handoff_config_table ct;
	struct handoff_runtime_entry rt;
	struct handoff_dump_range dr;
	struct handoff_memmap_entry mm;
	uint64_t s = (uint64_t)handoff_get_array(r, &a) + a.entry_size + a.entry_version;

	for (size_t i = 0; i <= a.count; i++) {	/* one past the end too */
		if (handoff_efi_memmap_at(r, i, &md) == 0)
			s += T(md) + (handoff_efi_type_name(md.type) != NULL);
		if (handoff_config_table_at(r, i, &ct) == 0)
			s += T(ct) + (handoff_guid_name(ct.guid) != NULL);
		if (handoff_runtime_map_at(r, i, &rt) == 0)
			s += T(rt);
		if (handoff_dump_range_at(r, i, &dr) == 0)
			s += T(dr);
		if (handoff_memmap_at(r, i, &mm) == 0)
			s += T(mm) + (handoff_e820_type_name(mm.type) != NULL);
	}
	return s;
}

static uint64_t esrt_and_notes(const struct handoff_bytes *b)
{
	struct handoff_esrt_header eh;
	struct handoff_esrt_entry e;
	struct handoff_note n;
	size_t count = 0, cur = 0;
	uint64_t s = 0;

	if (handoff_esrt_header(b, &eh, &count) == 0)
		s += T(eh);
	for (size_t i = 0; i <= count; i++)
		if (handoff_esrt_entry_at(b, i, &e) == 0)
			s += T(e) + (handoff_guid_name(e.fw_class) != NULL);
	while (handoff_note_next(b, &cur, &n) == 0)
		s += n.type + touch(n.name.ptr, n.name.len) + touch(n.desc.ptr, n.desc.len);
	return s;
}

static uint64_t record(const struct handoff_record *r)
{
	struct handoff_efi_systab sy;
	struct handoff_creator cr;
	struct handoff_capsule_header ch;
	struct handoff_table_copy tc;
	struct handoff_acpi_rsdp rs;
	struct handoff_smbios sm;
	struct handoff_vmcoreinfo vi;
	struct handoff_bytes b, b2;
	uint64_t s = r->type + r->flags + r->offset + touch(r->payload, (size_t)r->length);

	s += (uint64_t)(uintptr_t)handoff_type_name(r->type) + handoff_type_known(r->type);
	s += arrays(r);
	if (handoff_get_efi_systab(r, &sy) == 0)
		s += T(sy);
	if (handoff_get_creator(r, &cr) == 0)
		s += T(cr);
	if (handoff_get_capsule_header(r, &ch) == 0)
		s += T(ch);
	if (handoff_get_table_copy(r, &tc, &b) == 0)
		s += T(tc) + touch(b.ptr, b.len) + esrt_and_notes(&b);
	if (handoff_get_acpi_rsdp(r, &rs, &b) == 0)
		s += T(rs) + touch(b.ptr, b.len);
	if (handoff_get_smbios(r, &sm, &b, &b2) == 0)
		s += T(sm) + touch(b.ptr, b.len) + touch(b2.ptr, b2.len);
	if (handoff_get_vmcoreinfo(r, &vi, &b) == 0)
		s += T(vi) + touch(b.ptr, b.len);
	for (uint32_t t = HANDOFF_TYPE_CPU_NOTES; t <= HANDOFF_TYPE_CAPSULE; t++)
		if (handoff_get_bytes(r, t, &b) == 0)
			s += touch(b.ptr, b.len) + esrt_and_notes(&b);
	{
		static struct dumpfile_extent ext[DUMPFILE_MAX_EXTENTS];
		struct handoff_dump_file df;
		size_t n;

		if (handoff_get_dump_file(r, &df, ext, DUMPFILE_MAX_EXTENTS, &n, NULL) == 0)
			s += T(df) + touch(ext, n * sizeof(ext[0]));
	}
	{
		struct handoff_dump_key dk;
		const char *why;

		if (handoff_get_dump_key(r, &dk, &why) == 0)
			s += T(dk);
		else
			s += touch(why, why ? strlen(why) : 0);
	}
	return s;
}

static uint64_t block(const uint8_t *data, size_t size)
{
	struct handoff_status st;
	struct handoff_record r;
	size_t cur = 0;
	uint64_t s = (uint64_t)handoff_verify(data, size, &st);

	s += touch(st.reason, strlen(st.reason)) + T(st);
	while (handoff_next(data, size, &cur, &r) == 0)
		s += record(&r);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile uint64_t sink;
	uint64_t s = block(data, size), total;
	uint8_t *copy, d[SHA256_LEN];

	if (size >= HANDOFF_HEADER_SIZE) {
		memcpy(&total, data + offsetof(struct handoff_header, total_size), sizeof(total));
		if (total >= HANDOFF_HEADER_SIZE && total <= size && (copy = malloc(size)) != NULL) {
			memcpy(copy, data, size);
			memset(copy + HANDOFF_DIGEST_OFFSET, 0, SHA256_LEN);
			crypto_sha256(copy, (size_t)total, d);
			memcpy(copy + HANDOFF_DIGEST_OFFSET, d, SHA256_LEN);
			s += block(copy, size);
			free(copy);
		}
	}
	sink = s;
	(void)sink;
	return 0;
}
