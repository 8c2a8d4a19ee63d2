/*
 * Unit tests for handoff_verify() and handoff_next() in payload/handoff.c
 * on broken blocks: each byte of a small block flipped, each truncation,
 * garbage, bad magic, version 2, sizes that do not add up, a record length
 * that would wrap, one byte of overrun, record_count, unknown records
 * (skipped) and unknown critical ones (rejected), a buffer that does not
 * start aligned, the digest reason, and iteration over damaged blocks.
 *
 * Hostile inputs are copied into exact-size heap buffers so ASan sees any
 * read past the end.  Tests that must get past the digest patch it with
 * rehash(), as a forger would, so the structure checks are what fails.
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

/* Recompute the digest of a block of total bytes in place. */
static void rehash(uint8_t *b, size_t total)
{
	uint8_t d[SHA256_LEN];

	memset(b + HANDOFF_DIGEST_OFFSET, 0, SHA256_LEN);
	crypto_sha256(b, total, d);
	memcpy(b + HANDOFF_DIGEST_OFFSET, d, SHA256_LEN);
}

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

/* A small block: creator + cmdline + dump range (about 300 bytes). */
static size_t build_small(uint8_t *b, size_t cap)
{
	struct handoff_writer w;
	struct handoff_creator cr = { "h", "r", "t" };
	struct handoff_dump_range dr = { 0x1000, 0x2000 };
	size_t total = 0;

	handoff_writer_init(&w, b, cap, 42);
	handoff_add_creator(&w, &cr);
	handoff_add(&w, HANDOFF_TYPE_CMDLINE, 0, "abc", 3);
	handoff_add_dump_ranges(&w, &dr, 1);
	CHECK_EQ(handoff_finish(&w, &total), 0);
	return total;
}

TEST(test_every_flipped_byte)
{
	size_t total = build_small(blk, CAP);
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	unsigned bad = 0;

	CHECK_EQ(verify_copy(blk, total), 0);
	for (size_t i = 0; i < total; i++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			int r;

			blk[i] ^= masks[m];
			r = verify_copy(blk, total);
			blk[i] ^= masks[m];
			if (r == 0 || st.reason[0] == '\0' || reason_has("ok:"))
				bad++;
		}
	}
	CHECK_EQ(bad, 0);
}

TEST(test_every_truncation)
{
	size_t total = build_small(blk, CAP);
	unsigned bad = 0;

	for (size_t len = 0; len < total; len++) {
		if (verify_copy(blk, len) != -EINVAL)
			bad++;
		if (len < 80 ? !reason_has("too short") : !reason_has("truncated: header says"))
			bad++;
	}
	CHECK_EQ(bad, 0);
	verify_copy(blk, 100);
	CHECK(reason_has("truncated: header says "));
	CHECK(reason_has(", 100 present"));
}

TEST(test_garbage)
{
	uint32_t x = 12345;
	unsigned ok = 0;

	for (size_t len = 0; len < 600; len += 7) {
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			blk[i] = (uint8_t)(x >> 16);
		}
		ok += verify_copy(blk, len) == 0;
	}
	CHECK_EQ(ok, 0);
	CHECK_EQ(handoff_verify(NULL, 100, &st), -EINVAL);
	CHECK_EQ(handoff_verify(blk, 10, NULL), -EINVAL);
}

TEST(test_magic_version_sizes)
{
	size_t total = build_small(blk, CAP);

	blk[0] = 'X';
	CHECK_EQ(verify_copy(blk, total), -EBADMSG);
	CHECK(reason_has("bad magic"));
	blk[0] = 'P';
	put32(blk + 8, 2);
	rehash(blk, total);
	CHECK_EQ(verify_copy(blk, total), -EBADMSG);
	CHECK(reason_has("unsupported version 2"));
	put32(blk + 8, 1);
	put32(blk + 12, 84);
	CHECK_EQ(verify_copy(blk, total), -EBADMSG);
	CHECK(reason_has("bad header_size 84"));
	put32(blk + 12, 80);
	put64(blk + 0x18, 64);
	CHECK_EQ(verify_copy(blk, total), -EBADMSG);
	CHECK(reason_has("bad total_size 64"));
	put64(blk + 0x18, total + 8);
	rehash(blk, total);
	CHECK_EQ(verify_copy(blk, total), -EINVAL);
	CHECK(reason_has("truncated: header says"));
	put64(blk + 0x18, total);
	rehash(blk, total);
	CHECK_EQ(verify_copy(blk, total), 0);
}

TEST(test_larger_header_accepted)
{
	size_t total = build_small(blk, CAP);
	static uint8_t b2[CAP];

	/* A newer writer's 88-byte header: 8 extra bytes before the records. */
	memcpy(b2, blk, 80);
	memset(b2 + 80, 0xee, 8);
	memcpy(b2 + 88, blk + 80, total - 80);
	put32(b2 + 12, 88);
	put64(b2 + 0x18, total + 8);
	rehash(b2, total + 8);
	CHECK_EQ(verify_copy(b2, total + 8), 0);
	CHECK_EQ(st.records_walked, 3);
}

TEST(test_record_length_wraps)
{
	size_t total = build_small(blk, CAP);

	put64(blk + 80 + 8, 0xFFFFFFFFFFFFFFF0ull);
	rehash(blk, total);
	CHECK_EQ(verify_copy(blk, total), -EBADMSG);
	CHECK(reason_has("record 0 (type 13) length 18446744073709551600 overruns"));
	CHECK(reason_has("at offset 80"));
	put64(blk + 80 + 8, UINT64_MAX);
	rehash(blk, total);
	CHECK_EQ(verify_copy(blk, total), -EBADMSG);
}

TEST(test_record_overrun_by_one)
{
	size_t total = build_small(blk, CAP), cur = 0, last = 0;
	struct handoff_record rec;

	while (handoff_next(blk, total, &cur, &rec) == 0)
		last = rec.offset;
	/* Last record's payload one byte past the block's end. */
	put64(blk + last + 8, total - last - 16 + 1);
	rehash(blk, total);
	CHECK_EQ(verify_copy(blk, total), -EBADMSG);
	CHECK(reason_has("overruns the block"));
	CHECK_EQ(st.error_offset, last);
	/* Payload fits but its padding does not (total_size not a multiple of 8). */
	put64(blk + 0x18, total - 4);
	put64(blk + last + 8, total - 4 - last - 16);
	rehash(blk, total - 4);
	CHECK_EQ(verify_copy(blk, total), -EBADMSG);
	CHECK(reason_has("padding"));
	put64(blk + 0x18, total);
	/* Trailing bytes too few for a record header. */
	put64(blk + last + 8, total - last - 16 - 8);
	rehash(blk, total);
	CHECK_EQ(verify_copy(blk, total), -EBADMSG);
	CHECK(reason_has("header at offset"));
}

TEST(test_record_count_mismatch)
{
	size_t total = build_small(blk, CAP);

	put32(blk + 0x14, 4);
	rehash(blk, total);
	CHECK_EQ(verify_copy(blk, total), -EBADMSG);
	CHECK(reason_has("record_count says 4, but 3 records"));
	put32(blk + 0x14, 2);
	rehash(blk, total);
	CHECK_EQ(verify_copy(blk, total), -EBADMSG);
}

TEST(test_unknown_records)
{
	struct handoff_writer w;
	struct handoff_record rec;
	size_t total, cur = 0, n = 0;

	handoff_writer_init(&w, blk, CAP, 0);
	handoff_add(&w, HANDOFF_TYPE_CMDLINE, 0, "x", 1);
	CHECK_EQ(handoff_add(&w, 0x1000, 0, "future", 6), 0);
	CHECK_EQ(handoff_add(&w, 0, 0, NULL, 0), 0);	/* type 0: unknown too */
	CHECK_EQ(handoff_add(&w, HANDOFF_TYPE_DUMP_RANGES, HANDOFF_RECORD_CRITICAL, NULL, 0), 0);
	handoff_finish(&w, &total);
	CHECK_EQ(verify_copy(blk, total), 0);	/* critical + known is fine */
	CHECK_EQ(st.unknown_records, 2);
	while (handoff_next(blk, total, &cur, &rec) == 0)
		n += rec.type == 0x1000 && rec.length == 6;
	CHECK_EQ(n, 1);
	CHECK_STR(handoff_type_name(0x1000), "unknown");
	CHECK_EQ(handoff_add(&w, 0x1001, HANDOFF_RECORD_CRITICAL | 2, "y", 1), 0);
	handoff_finish(&w, &total);
	CHECK_EQ(verify_copy(blk, total), -EPROTO);
	CHECK(reason_has("record 4 (type 4097)"));
	CHECK(reason_has("critical and unknown"));
}

TEST(test_unaligned_buffer)
{
	size_t total = build_small(blk, CAP);
	static uint8_t b2[CAP + 8];
	struct handoff_record rec;
	struct handoff_dump_range r;
	struct handoff_writer w;

	for (size_t shift = 1; shift < 8; shift++) {
		size_t cur = 0;

		memcpy(b2 + shift, blk, total);
		CHECK_EQ(handoff_verify(b2 + shift, total, &st), 0);
		while (handoff_next(b2 + shift, total, &cur, &rec) == 0 &&
		       rec.type != HANDOFF_TYPE_DUMP_RANGES)
			;
		CHECK_EQ(handoff_dump_range_at(&rec, 0, &r), 0);
		CHECK_EQ(r.start, 0x1000);
		CHECK_EQ(r.size, 0x2000);
	}
	/* The writer too: a block written at an odd address verifies. */
	handoff_writer_init(&w, b2 + 3, CAP, 1);
	CHECK_EQ(handoff_add(&w, HANDOFF_TYPE_CMDLINE, 0, "odd", 3), 0);
	CHECK_EQ(handoff_finish(&w, &total), 0);
	CHECK_EQ(handoff_verify(b2 + 3, total, &st), 0);
}

TEST(test_digest_reason)
{
	size_t total = build_small(blk, CAP);
	char hex[65];

	blk[total - 1] ^= 1;
	CHECK_EQ(verify_copy(blk, total), -HANDOFF_EDIGEST);
	CHECK(st.digest_checked);
	crypto_sha256_hex(st.stored_digest, hex);
	hex[16] = '\0';
	CHECK(reason_has("digest mismatch: block says "));
	CHECK(reason_has(hex));
	crypto_sha256_hex(st.digest, hex);
	hex[16] = '\0';
	CHECK(reason_has(hex));
}

TEST(test_next_on_bad_blocks)
{
	size_t total = build_small(blk, CAP), cur = 0, n = 0;
	struct handoff_record rec;
	int r;

	/* Truncated inside the last record: the first two, then -EBADMSG. */
	while ((r = handoff_next(blk, total - 4, &cur, &rec)) == 0)
		n++;
	CHECK_EQ(n, 2);
	CHECK_EQ(r, -EBADMSG);
	/* A digest mismatch does not stop iteration (show uses it). */
	blk[total - 1] ^= 0x40;
	cur = 0;
	n = 0;
	while (handoff_next(blk, total, &cur, &rec) == 0)
		n++;
	CHECK_EQ(n, 3);
	/* Bad cursors and headers. */
	cur = 81;
	CHECK_EQ(handoff_next(blk, total, &cur, &rec), -EINVAL);
	cur = total + 8;
	CHECK_EQ(handoff_next(blk, total, &cur, &rec), -EINVAL);
	cur = 0;
	CHECK_EQ(handoff_next(blk, 79, &cur, &rec), -EBADMSG);
	blk[3] ^= 1;
	CHECK_EQ(handoff_next(blk, total, &cur, &rec), -EBADMSG);
	blk[3] ^= 1;
	put32(blk + 12, 8192);
	CHECK_EQ(handoff_next(blk, total, &cur, &rec), -EBADMSG);
	put32(blk + 12, 80);
	/* total_size below the header: the walk uses len. */
	put64(blk + 0x18, 8);
	n = 0;
	while (handoff_next(blk, total, &cur, &rec) == 0)
		n++;
	CHECK_EQ(n, 3);
}

TEST_MAIN(test_every_flipped_byte, test_every_truncation, test_garbage,
	  test_magic_version_sizes, test_larger_header_accepted, test_record_length_wraps,
	  test_record_overrun_by_one, test_record_count_mismatch, test_unknown_records,
	  test_unaligned_buffer, test_digest_reason, test_next_on_bad_blocks)
