/*
 * Unit tests for payload/dumpfile.c (geometry, extent checks, segments,
 * the dump-region mapping, marker and header) and the DUMP_FILE handoff
 * record (payload/handoff.c writer, payload/handoff_dumpfile.c decoder).
 * The mapping is checked against a brute-force reference that marks
 * every marker sector of every segment and numbers the rest.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/blkdev.h"
#include "payload/dumpfile.h"
#include "payload/handoff.h"
#include "tests/unit/test.h"

static const uint8_t nonce[DUMPFILE_NONCE_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
						   13, 14, 15, 16 };

TEST(test_geom)
{
	struct dumpfile_geom g;

	CHECK_EQ(dumpfile_geom_init(&g, 512, DUMPFILE_STRIDE), 0);
	CHECK_EQ(g.marker_sectors, 8);
	CHECK_EQ(g.stride_sectors, 32768);
	CHECK_EQ(dumpfile_geom_init(&g, 4096, 65536), 0);
	CHECK_EQ(g.marker_sectors, 1);
	CHECK_EQ(dumpfile_geom_init(&g, 8192, DUMPFILE_STRIDE), -EINVAL);
	CHECK_EQ(dumpfile_geom_init(&g, 256, DUMPFILE_STRIDE), -EINVAL);
	CHECK_EQ(dumpfile_geom_init(&g, 1536, DUMPFILE_STRIDE), -EINVAL);
	CHECK_EQ(dumpfile_geom_init(&g, 512, 32768), -EINVAL);
	CHECK_EQ(dumpfile_geom_init(&g, 512, 3u << 20), -EINVAL);
	CHECK_EQ(dumpfile_geom_init(&g, 512, 2u << 30), -EINVAL);
	CHECK_EQ(dumpfile_geom_init(NULL, 512, DUMPFILE_STRIDE), -EINVAL);
}

TEST(test_extents_check)
{
	struct dumpfile_geom g;
	struct dumpfile_totals t;
	const char *why;
	struct dumpfile_extent e[3] = { { 1000, 300 }, { 100, 129 }, { 5000, 136 } };

	dumpfile_geom_init(&g, 512, 65536);	/* stride 128 sectors, marker 8 */
	CHECK_EQ(dumpfile_extents_check(e, 3, &g, 0, &t, &why), 0);
	CHECK_EQ(t.file_sectors, 565);
	/* 300 = 128 + 128 + 44 -> 3 segments; 129 -> 1 (tail of 1 stays); 136 -> 1 */
	CHECK_EQ(t.segments, 5);
	CHECK_EQ(t.dump_sectors, 565 - 5 * 8);
	CHECK_EQ(dumpfile_extents_check(e, 3, &g, 5136, &t, &why), 0);
	CHECK_EQ(dumpfile_extents_check(e, 3, &g, 5135, &t, &why), -EBADMSG);
	CHECK_STR(why, "an extent past the end of the disk");
	CHECK_EQ(dumpfile_extents_check(e, 0, &g, 0, &t, &why), -EBADMSG);
	CHECK_EQ(dumpfile_extents_check(e, DUMPFILE_MAX_EXTENTS + 1, &g, 0, &t, &why), -EBADMSG);
	e[1].count = 8;				/* only a marker block */
	CHECK_EQ(dumpfile_extents_check(e, 3, &g, 0, &t, &why), -EBADMSG);
	e[1].count = 129;
	e[2].start = 1299;			/* overlaps extent 0's last sector */
	CHECK_EQ(dumpfile_extents_check(e, 3, &g, 0, &t, &why), -EBADMSG);
	CHECK_STR(why, "two extents share sectors");
	e[2].start = 1300;
	CHECK_EQ(dumpfile_extents_check(e, 3, &g, 0, &t, &why), 0);
	e[2].start = UINT64_MAX - 100;		/* wraps */
	CHECK_EQ(dumpfile_extents_check(e, 3, &g, 0, &t, &why), -EBADMSG);
	e[2].start = 0;
	e[2].count = UINT64_MAX / 2;		/* more than 2^64 bytes */
	CHECK_EQ(dumpfile_extents_check(e, 3, &g, 0, &t, &why), -EBADMSG);
	CHECK_EQ(dumpfile_extents_check(NULL, 3, &g, 0, &t, &why), -EINVAL);
}

/* Reference: every dump sector's device and file sector, by marking segments. */
static void reference(const struct dumpfile_extent *e, size_t n, const struct dumpfile_geom *g,
		      uint64_t *dev, uint64_t *file, uint64_t *cnt, uint64_t *total)
{
	uint64_t f = 0, d = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t c = e[i].count, S = g->stride_sectors, M = g->marker_sectors;
		uint64_t segs = c / S + (c % S > M);

		if (segs == 0)
			segs = 1;
		for (uint64_t k = 0; k < segs; k++) {
			uint64_t off = k * S, len = k == segs - 1 ? c - off : S;

			for (uint64_t s = M; s < len; s++) {
				dev[d] = e[i].start + off + s;
				file[d] = f + off + s;
				cnt[d] = len - s;
				d++;
			}
		}
		f += c;
	}
	*total = d;
}

TEST(test_map)
{
	struct dumpfile_geom g;
	struct dumpfile_totals t;
	struct dumpfile_run r;
	struct dumpfile_segment s, s2;
	struct dumpfile_cursor cur;
	const uint32_t sizes[] = { 512, 4096 };
	uint64_t dev[4096], file[4096], cnt[4096], total, k;

	for (int si = 0; si < 2; si++) {
		uint32_t ss = sizes[si];
		uint64_t m = 4096 / ss, S = 65536 / ss;
		/* an exact stride, stride + marker (tail stays), odd tails, one tiny extent */
		struct dumpfile_extent e[5] = { { 10000, 2 * S }, { 500, S + m },
						{ 3000, S + m + 1 }, { 20000, m + 1 }, { 7000, 3 * S + 5 } };

		dumpfile_geom_init(&g, ss, 65536);
		CHECK_EQ(dumpfile_extents_check(e, 5, &g, 0, &t, NULL), 0);
		reference(e, 5, &g, dev, file, cnt, &total);
		CHECK_EQ(total, t.dump_sectors);
		for (uint64_t d = 0; d < total; d++) {
			CHECK(dumpfile_map(e, 5, &g, d, &r) == 0 && r.device_sector == dev[d] &&
			      r.file_sector == file[d] && r.count == cnt[d]);
		}
		CHECK_EQ(dumpfile_map(e, 5, &g, total, &r), -ERANGE);
		CHECK_EQ(dumpfile_map(e, 5, &g, UINT64_MAX, &r), -ERANGE);
		/* segments: the walk and random access agree and cover the file */
		memset(&cur, 0, sizeof(cur));
		k = 0;
		uint64_t covered = 0;
		while (dumpfile_segment_next(e, 5, &g, &cur, &s) == 0) {
			CHECK(dumpfile_segment_at(e, 5, &g, k, &s2) == 0 &&
			      memcmp(&s, &s2, sizeof(s)) == 0);
			CHECK_EQ(s.index, k);
			CHECK_EQ(s.file_sector, covered);
			covered += s.sectors;
			k++;
		}
		CHECK_EQ(k, t.segments);
		CHECK_EQ(covered, t.file_sectors);
		CHECK_EQ(dumpfile_segment_at(e, 5, &g, k, &s2), -ERANGE);
	}
}

TEST(test_map_first_sector)
{
	struct dumpfile_geom g;
	struct dumpfile_run r;
	struct dumpfile_extent e = { 2048, 1u << 20 };	/* 512 MiB at 1 MiB */

	dumpfile_geom_init(&g, 512, DUMPFILE_STRIDE);
	/* the dump starts at file byte 4096: the second 4 KiB block */
	CHECK_EQ(dumpfile_map(&e, 1, &g, 0, &r), 0);
	CHECK_EQ(r.device_sector, 2048 + 8);
	CHECK_EQ(r.file_sector, 8);
	CHECK_EQ(r.count, 32768 - 8);
	/* the next segment's first dump sector skips its marker block */
	CHECK_EQ(dumpfile_map(&e, 1, &g, 32768 - 8, &r), 0);
	CHECK_EQ(r.device_sector, 2048 + 32768 + 8);
}

TEST(test_marker)
{
	uint8_t b[4096];
	struct dumpfile_segment s = { 3, 1, 123456, 65536, 128 }, o;
	uint8_t other[DUMPFILE_NONCE_LEN];
	const char *why;

	memset(b, 0xee, sizeof(b));
	CHECK_EQ(dumpfile_marker_encode(nonce, &s, 512, b, sizeof(b)), 0);
	CHECK(memcmp(b, "PMDFMARK", 8) == 0);
	CHECK_EQ(b[64], 0xee);			/* only 64 bytes written */
	CHECK_EQ(dumpfile_marker_check(b, sizeof(b), nonce, &s, 512, &why), 0);
	CHECK(why == NULL);
	memcpy(other, nonce, sizeof(other));
	other[15] ^= 1;
	CHECK_EQ(dumpfile_marker_check(b, sizeof(b), other, &s, 512, &why), -EBADMSG);
	CHECK(why != NULL && strstr(why, "nonce") != NULL);
	o = s;
	o.index = 4;
	CHECK_EQ(dumpfile_marker_check(b, sizeof(b), nonce, &o, 512, &why), -EBADMSG);
	o = s;
	o.extent = 0;
	CHECK_EQ(dumpfile_marker_check(b, sizeof(b), nonce, &o, 512, &why), -EBADMSG);
	o = s;
	o.file_sector++;
	CHECK_EQ(dumpfile_marker_check(b, sizeof(b), nonce, &o, 512, &why), -EBADMSG);
	o = s;
	o.device_sector++;
	CHECK_EQ(dumpfile_marker_check(b, sizeof(b), nonce, &o, 512, &why), -EBADMSG);
	CHECK(strstr(why, "moved") != NULL);
	CHECK_EQ(dumpfile_marker_check(b, sizeof(b), nonce, &s, 4096, &why), -EBADMSG);
	o = s;
	o.file_sector = UINT64_MAX;		/* no wrap in the comparison */
	CHECK_EQ(dumpfile_marker_check(b, sizeof(b), nonce, &o, 512, &why), -EBADMSG);
	b[0x20] ^= 1;				/* CRC */
	CHECK_EQ(dumpfile_marker_check(b, sizeof(b), nonce, &s, 512, &why), -EBADMSG);
	CHECK_STR(why, "marker CRC mismatch");
	b[0] = 0;
	CHECK_EQ(dumpfile_marker_check(b, sizeof(b), nonce, &s, 512, &why), -ENODATA);
	CHECK_EQ(dumpfile_marker_check(b, 63, nonce, &s, 512, &why), -EINVAL);
	CHECK_EQ(dumpfile_marker_encode(nonce, &s, 512, b, 63), -EINVAL);
}

static struct dumpfile_header good_header(void)
{
	struct dumpfile_header h;

	memset(&h, 0, sizeof(h));
	h.state = DUMPFILE_READY;
	h.sector_size = 512;
	memcpy(h.nonce, nonce, sizeof(nonce));
	h.file_size = 64u << 20;
	h.extent_count = 2;
	h.stride = DUMPFILE_STRIDE;
	h.segments = 5;
	h.dump_offset = DUMPFILE_BLOCK;
	h.dump_sectors = (64u << 20) / 512 - 5 * 8;
	h.loaded = 1700000000;
	h.changed = 1700000001;
	return h;
}

TEST(test_header)
{
	uint8_t b[512];
	struct dumpfile_header h = good_header(), o;
	const char *why;

	CHECK_EQ(dumpfile_header_encode(&h, b, sizeof(b)), 0);
	CHECK(memcmp(b, "PMDUMPFL", 8) == 0);
	CHECK_EQ(dumpfile_header_decode(b, sizeof(b), &o, &why), 0);
	CHECK(memcmp(o.nonce, nonce, sizeof(nonce)) == 0);
	CHECK_EQ(o.file_size, h.file_size);
	CHECK_EQ(o.dump_sectors, h.dump_sectors);
	CHECK_EQ(o.changed, h.changed);
	CHECK_EQ(o.state, DUMPFILE_READY);
	CHECK_EQ(dumpfile_header_decode(b, 511, &o, &why), -EINVAL);
	b[0x1f0] = 1;				/* reserved: covered by the CRC */
	CHECK_EQ(dumpfile_header_decode(b, sizeof(b), &o, &why), -EBADMSG);
	CHECK_STR(why, "dump-file header CRC mismatch");
#define BAD(stmt) do { struct dumpfile_header x_ = good_header(); stmt; \
	dumpfile_header_encode(&x_, b, sizeof(b)); \
	CHECK_EQ(dumpfile_header_decode(b, sizeof(b), &o, &why), -EBADMSG); } while (0)
	BAD(x_.state = 0);
	BAD(x_.state = 4);
	BAD(x_.sector_size = 8192);
	BAD(x_.stride = 12345);
	BAD(x_.dump_offset = 0);
	BAD(x_.extent_count = 0);
	BAD(x_.segments = 1);
	BAD(x_.file_size = 1000);
	BAD(x_.dump_sectors++);
	BAD(x_.segments = UINT64_MAX / 8);
	memset(b, 0, sizeof(b));
	CHECK_EQ(dumpfile_header_decode(b, sizeof(b), &o, &why), -ENODATA);
	CHECK_STR(dumpfile_state_name(DUMPFILE_CONSUMED), "consumed");
	CHECK_STR(dumpfile_state_name(9), "unknown");
}

/* One DUMP_FILE record in a block, found again by the reader. */
TEST(test_record)
{
	uint8_t block[8192];
	struct handoff_writer w;
	struct handoff_dump_file h, out;
	struct handoff_record rec;
	struct dumpfile_extent e[2] = { { 2048, 65536 }, { 100000, 65536 } }, got[4];
	size_t cur = 0, total, n;
	const char *why;

	memset(&h, 0, sizeof(h));
	h.disk_kind = HANDOFF_DISK_NVME;
	h.sector_size = 512;
	h.stride = DUMPFILE_STRIDE;
	h.disk_sectors = 1u << 24;
	h.file_size = 2 * 65536 * 512ull;
	memcpy(h.nonce, nonce, sizeof(nonce));
	h.nsid = 1;
	strcpy(h.serial, "SN123");
	strcpy(h.model, "QEMU NVMe Ctrl");
	strcpy(h.path, "/var/crash/postmortem.dump");
	handoff_writer_init(&w, block, sizeof(block), 1700000000);
	CHECK_EQ(handoff_add_dump_file(&w, &h, e, 2), 0);
	CHECK_EQ(handoff_finish(&w, &total), 0);
	CHECK_EQ(handoff_verify(block, total, NULL), 0);
	CHECK_EQ(handoff_next(block, total, &cur, &rec), 0);
	CHECK_EQ(rec.type, HANDOFF_TYPE_DUMP_FILE);
	CHECK_EQ(rec.length, 328 + 32);
	CHECK_EQ(handoff_get_dump_file(&rec, &out, got, 4, &n, &why), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(got[1].start, 100000);
	CHECK_EQ(out.head_size, 328);
	CHECK_EQ(out.extent_count, 2);
	CHECK_STR(out.serial, "SN123");
	CHECK_EQ(out.nsid, 1);
	CHECK_STR(handoff_type_name(rec.type), "DUMP_FILE");
	CHECK_STR(handoff_disk_kind_name(out.disk_kind), "nvme");
	CHECK_EQ(handoff_get_dump_file(&rec, &out, got, 1, &n, &why), -ENOSPC);

	/* the writer refuses what the reader would */
	h.file_size += 512;
	CHECK_EQ(handoff_add_dump_file(&w, &h, e, 2), -EINVAL);
	h.file_size -= 512;
	e[1].start = 2049;
	CHECK_EQ(handoff_add_dump_file(&w, &h, e, 2), -EINVAL);
	e[1].start = 100000;
	h.disk_sectors = 100000;
	CHECK_EQ(handoff_add_dump_file(&w, &h, e, 2), -EINVAL);
}

/* Hand-made payloads: every size field and every extent rule. */
TEST(test_record_malformed)
{
	uint8_t p[328 + 3 * 16 + 8];
	struct handoff_record r = { HANDOFF_TYPE_DUMP_FILE, 0, 0, 80, p };
	struct handoff_dump_file out;
	struct dumpfile_extent got[4];
	size_t n;
	const char *why;

#define RESET() do { memset(p, 0, sizeof(p)); test_put32(p, 328); test_put32(p + 4, 16); \
	test_put32(p + 8, 2); test_put32(p + 0x10, 512); test_put32(p + 0x14, 65536); \
	test_put64(p + 0x20, 2 * 200 * 512); test_put64(p + 328, 0); test_put64(p + 336, 200); \
	test_put64(p + 344, 1000); test_put64(p + 352, 200); r.length = 328 + 32; } while (0)
	RESET();
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), 0);
	r.length = 327;
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); r.length += 8;			/* trailing bytes */
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put32(p, 320);
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put32(p, 0xfffffff8);
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put32(p + 4, 12);
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put32(p + 4, 24);		/* a bigger stride needs a bigger payload */
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put32(p + 8, 0);
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put32(p + 8, 0x10000002);	/* count * size wraps 32 bits */
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put32(p + 0x10, 520);
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put64(p + 344, 100);	/* overlap */
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put64(p + 352, 0);	/* empty extent */
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put64(p + 0x18, 1100);	/* past the disk */
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put64(p + 0x20, 512);	/* file size */
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); test_put64(p + 344, UINT64_MAX - 10);	/* wrap */
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EBADMSG);
	RESET(); r.type = HANDOFF_TYPE_CMDLINE;
	CHECK_EQ(handoff_get_dump_file(&r, &out, got, 4, &n, &why), -EINVAL);
}

/*
 * A RAM disk with a dump file laid out as the host lays it out: verify
 * passes, a dump written through the view lands only in the extents past
 * the marker blocks, set_state rewrites the header; a changed marker or
 * header is refused before anything is written.
 */
TEST(test_view_verify)
{
	enum { SS = 512, DISK = 4096 };
	static uint8_t disk[DISK * SS], copy[DISK * SS], scratch[DUMPFILE_BLOCK];
	struct dumpfile_extent e[2] = { { 100, 300 }, { 1000, 200 } };
	struct dumpfile_geom g;
	struct dumpfile_totals t;
	struct dumpfile_cursor cur = { 0, 0, 0, 0 };
	struct dumpfile_segment s;
	struct dumpfile_header h, got;
	struct dumpfile_view v;
	struct blkdev dev;
	uint8_t buf[SS * 4];
	uint32_t bad;
	const char *why;

	memset(disk, 0x5a, sizeof(disk));
	CHECK_EQ(blkdev_ram_init(&dev, "ram", disk, sizeof(disk), SS), 0);
	dumpfile_geom_init(&g, SS, 65536);
	CHECK_EQ(dumpfile_extents_check(e, 2, &g, DISK, &t, NULL), 0);
	while (dumpfile_segment_next(e, 2, &g, &cur, &s) == 0) {
		memset(disk + s.device_sector * SS, 0, DUMPFILE_BLOCK);
		dumpfile_marker_encode(nonce, &s, SS, disk + s.device_sector * SS, DUMPFILE_BLOCK);
	}
	h = good_header();
	h.file_size = 500 * SS;
	h.stride = 65536;
	h.segments = t.segments;
	h.dump_sectors = t.dump_sectors;
	dumpfile_header_encode(&h, disk + 100 * SS + DUMPFILE_HEADER_OFFSET, DUMPFILE_HEADER_SIZE);
	CHECK_EQ(dumpfile_verify(&dev, e, 2, &g, nonce, scratch, &got, &bad, &why), 0);
	CHECK_EQ(got.dump_sectors, t.dump_sectors);

	/* write the whole region through the view: only non-marker extent sectors change */
	memcpy(copy, disk, sizeof(disk));
	CHECK_EQ(dumpfile_view_init(&v, &dev, e, 2, &g, t.dump_sectors), 0);
	memset(buf, 0xc3, sizeof(buf));
	for (uint64_t d = 0; d < t.dump_sectors; d += 4)
		CHECK_EQ(blkdev_write(&v.dev, d, t.dump_sectors - d < 4 ? (uint32_t)(t.dump_sectors - d) : 4,
				      buf), 0);
	CHECK_EQ(blkdev_write(&v.dev, t.dump_sectors, 1, buf), -ERANGE);
	uint64_t changed = 0, outside = 0;
	for (uint64_t k = 0; k < DISK; k++)
		if (memcmp(disk + k * SS, copy + k * SS, SS) != 0) {
			changed++;
			struct dumpfile_run r;
			bool in = false;
			for (uint64_t d = 0; d < t.dump_sectors && !in; d++)
				in = dumpfile_map(e, 2, &g, d, &r) == 0 && r.device_sector == k;
			outside += !in;
		}
	CHECK_EQ(changed, t.dump_sectors);
	CHECK_EQ(outside, 0);
	CHECK_EQ(blkdev_read(&v.dev, t.dump_sectors - 1, 1, buf), 0);
	CHECK_EQ(buf[0], 0xc3);
	CHECK_EQ(dumpfile_verify(&dev, e, 2, &g, nonce, scratch, &got, &bad, &why), 0);

	CHECK_EQ(dumpfile_set_state(&dev, e, 2, &g, DUMPFILE_WRITTEN, 42, scratch), 0);
	CHECK_EQ(dumpfile_verify(&dev, e, 2, &g, nonce, scratch, &got, &bad, &why), 0);
	CHECK_EQ(got.state, DUMPFILE_WRITTEN);
	CHECK_EQ(got.changed, 42);

	/* a defragmenter moved the second extent: its marker is gone */
	memcpy(copy, disk, sizeof(disk));
	memset(disk + 1000 * SS, 0, SS);
	CHECK_EQ(dumpfile_verify(&dev, e, 2, &g, nonce, scratch, &got, &bad, &why), -ENODATA);
	CHECK_EQ(bad, 3);	/* 300 sectors = 3 segments, then extent 1 */
	memcpy(disk, copy, sizeof(disk));
	uint8_t other[DUMPFILE_NONCE_LEN] = { 0 };
	CHECK_EQ(dumpfile_verify(&dev, e, 2, &g, other, scratch, &got, &bad, &why), -EBADMSG);
	/* the header disagrees with the list */
	e[1].count = 199;
	CHECK_EQ(dumpfile_verify(&dev, e, 2, &g, nonce, scratch, &got, &bad, &why), -EBADMSG);
	e[1].count = 200;
	CHECK_EQ(dumpfile_set_state(&dev, e, 2, &g, 9, 0, scratch), -EINVAL);
}

/*
 * The most extents a dump file may have (DUMPFILE_MAX_EXTENTS), each the
 * shortest possible (a marker block and one sector), in the reverse of
 * disk order with a sector between them, as on a badly fragmented
 * filesystem: the record carries them through a handoff block, the crash
 * side's walk checks every marker, a dump through the view fills exactly
 * the sector after each marker, the header's state is rewritten.  One
 * more extent is refused by the writer and the decoder.
 */
TEST(test_max_extents)
{
	enum { SS = 512, N = DUMPFILE_MAX_EXTENTS, LEN = 9, STEP = LEN + 1, BASE = 16 };
	enum { DISK = BASE + N * STEP + BASE };
	static uint8_t disk[DISK * SS], copy[DISK * SS], scratch[DUMPFILE_BLOCK];
	static uint8_t block[N * 16 + 4096], payload[328 + (N + 1) * 16];
	static struct dumpfile_extent e[N + 1], got[N + 1];
	struct handoff_writer w;
	struct handoff_dump_file h, out;
	struct handoff_record rec;
	struct dumpfile_geom g;
	struct dumpfile_totals t;
	struct dumpfile_cursor cur = { 0, 0, 0, 0 };
	struct dumpfile_segment seg;
	struct dumpfile_header fh, fgot;
	struct dumpfile_view v;
	struct blkdev dev;
	size_t total, at = 0, n;
	uint32_t bad;
	uint8_t buf[SS];
	const char *why;

	for (size_t i = 0; i <= N; i++)
		e[i] = (struct dumpfile_extent){ BASE + (N - 1 - i) * STEP, LEN };
	e[N].start = DISK - BASE + 1;		/* the one too many: after the others */
	CHECK_EQ(dumpfile_geom_init(&g, SS, DUMPFILE_STRIDE), 0);
	CHECK_EQ(dumpfile_extents_check(e, N, &g, DISK, &t, &why), 0);
	CHECK_EQ(t.segments, N);
	CHECK_EQ(t.dump_sectors, N);
	CHECK_EQ(dumpfile_extents_check(e, N + 1, &g, DISK, &t, &why), -EBADMSG);
	CHECK_EQ(dumpfile_extents_check(e, N, &g, DISK, &t, &why), 0);

	/* the record, through a handoff block */
	memset(&h, 0, sizeof(h));
	h.disk_kind = HANDOFF_DISK_VIRTIO_BLK;
	h.sector_size = SS;
	h.stride = DUMPFILE_STRIDE;
	h.disk_sectors = DISK;
	h.file_size = (uint64_t)N * LEN * SS;
	memcpy(h.nonce, nonce, sizeof(nonce));
	strcpy(h.serial, "pmroot");
	strcpy(h.path, "/var/crash/postmortem.dump");
	handoff_writer_init(&w, block, sizeof(block), 1700000000);
	CHECK_EQ(handoff_add_dump_file(&w, &h, e, N + 1), -EINVAL);
	CHECK_EQ(handoff_add_dump_file(&w, &h, e, N), 0);
	CHECK_EQ(handoff_finish(&w, &total), 0);
	CHECK_EQ(handoff_verify(block, total, NULL), 0);
	CHECK_EQ(handoff_next(block, total, &at, &rec), 0);
	CHECK_EQ(rec.length, 328 + N * 16);
	CHECK_EQ(handoff_get_dump_file(&rec, &out, got, N, &n, &why), 0);
	CHECK_EQ(n, N);
	CHECK(memcmp(got, e, N * sizeof(e[0])) == 0);
	CHECK_EQ(handoff_get_dump_file(&rec, &out, got, N - 1, &n, &why), -ENOSPC);
	/* the same payload with one extent more: the decoder refuses the count */
	memcpy(payload, rec.payload, rec.length);
	memcpy(payload + rec.length, &e[N], sizeof(e[N]));
	test_put32(payload + 8, N + 1);
	test_put64(payload + 0x20, h.file_size + LEN * SS);
	rec.payload = payload;
	rec.length += 16;
	CHECK_EQ(handoff_get_dump_file(&rec, &out, got, N + 1, &n, &why), -EBADMSG);
	CHECK_STR(why, "extent count not 1 .. 4096");

	/* the file on a RAM disk: every marker, the header in the first extent */
	memset(disk, 0x5a, sizeof(disk));
	CHECK_EQ(blkdev_ram_init(&dev, "ram", disk, sizeof(disk), SS), 0);
	while (dumpfile_segment_next(e, N, &g, &cur, &seg) == 0) {
		memset(disk + seg.device_sector * SS, 0, DUMPFILE_BLOCK);
		dumpfile_marker_encode(nonce, &seg, SS, disk + seg.device_sector * SS, DUMPFILE_BLOCK);
	}
	CHECK_EQ(cur.index, N);
	fh = good_header();
	fh.file_size = h.file_size;
	fh.extent_count = N;
	fh.segments = t.segments;
	fh.dump_sectors = t.dump_sectors;
	dumpfile_header_encode(&fh, disk + e[0].start * SS + DUMPFILE_HEADER_OFFSET, DUMPFILE_HEADER_SIZE);
	CHECK_EQ(dumpfile_verify(&dev, e, N, &g, nonce, scratch, &fgot, &bad, &why), 0);
	CHECK_EQ(fgot.extent_count, N);

	/* a dump through the view: the sector after each marker, nothing else */
	memcpy(copy, disk, sizeof(disk));
	CHECK_EQ(dumpfile_view_init(&v, &dev, e, N, &g, t.dump_sectors), 0);
	uint64_t failed = 0;

	for (uint64_t d = 0; d < t.dump_sectors; d++) {
		memset(buf, (int)(d & 0xff) ^ 0xa5, sizeof(buf));
		failed += blkdev_write(&v.dev, d, 1, buf) != 0;
	}
	CHECK_EQ(failed, 0);
	CHECK_EQ(blkdev_write(&v.dev, t.dump_sectors, 1, buf), -ERANGE);
	uint64_t wrong = 0, outside = 0;
	for (uint64_t k = 0; k < DISK; k++) {
		bool data = k >= BASE && k < BASE + N * STEP && (k - BASE) % STEP == LEN - 1;
		uint8_t want = (uint8_t)(((N - 1 - (k - BASE) / STEP) & 0xff) ^ 0xa5);

		if (data)
			wrong += disk[k * SS] != want || disk[k * SS + SS - 1] != want;
		else
			outside += memcmp(disk + k * SS, copy + k * SS, SS) != 0;
	}
	CHECK_EQ(wrong, 0);
	CHECK_EQ(outside, 0);
	CHECK_EQ(dumpfile_verify(&dev, e, N, &g, nonce, scratch, &fgot, &bad, &why), 0);
	CHECK_EQ(dumpfile_set_state(&dev, e, N, &g, DUMPFILE_WRITTEN, 42, scratch), 0);
	CHECK_EQ(dumpfile_verify(&dev, e, N, &g, nonce, scratch, &fgot, &bad, &why), 0);
	CHECK_EQ(fgot.state, DUMPFILE_WRITTEN);

	/* the last extent's marker overwritten: found, nothing else read as good */
	memset(disk + e[N - 1].start * SS, 0, SS);
	CHECK_EQ(dumpfile_verify(&dev, e, N, &g, nonce, scratch, &fgot, &bad, &why), -ENODATA);
	CHECK_EQ(bad, N - 1);
}

TEST_MAIN(test_max_extents, test_view_verify, test_geom, test_extents_check, test_map, test_map_first_sector, test_marker,
	  test_header, test_record, test_record_malformed)
