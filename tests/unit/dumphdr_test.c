/* Host tests for payload/dumphdr.c: encode/decode round trip, every
 * flipped bit of an encoded header, each status and the rules that tie
 * lengths to it, layouts (too small, truncated, 4096-byte and huge
 * sectors), every pair of copies the pair check must judge, the writer over
 * a RAM partition (whole, in odd pieces, truncated, failed) and a power
 * cut after every sector the writer writes: no cut is ever taken for a
 * whole dump.  The same for the writer at random (a body written in one
 * pass: appends, a jump, sectors filled into the gap; the two-part digest,
 * the pages hashed as written, elsewhere too, the rest read back) and what
 * it refuses. */
#include <errno.h>

#include "tests/unit/test.h"
#include "crypto/crc32.h"
#include "crypto/sha256.h"
#include "formats/blkdev.h"
#include "payload/dumphdr.h"

#define PART_SECTORS	512		/* 256 KiB partition of 512-byte sectors */

static uint8_t disk[(PART_SECTORS + 64) * 512];
static uint8_t sector[4096];
static uint8_t scratch[8192];
static uint8_t body[300000];

/* A valid COMPLETE header of a 256 KiB partition with a 1000-byte body. */
static struct dumphdr sample(void)
{
	struct dumphdr h;
	struct dumphdr_layout l;

	memset(&h, 0, sizeof(h));
	dumphdr_layout(PART_SECTORS, 512, 1000, &l);
	h.status = DUMPHDR_COMPLETE;
	h.dump_id = 0x1122334455667788ull;
	h.created = 1700000000;
	h.finished = 1700000060;
	h.sector_size = 512;
	h.body_format = DUMPHDR_BODY_ELF;
	h.part_sectors = PART_SECTORS;
	h.body_offset = l.body_lba;
	h.body_capacity = l.capacity;
	h.body_length = h.needed_length = 1000;
	for (int i = 0; i < SHA256_LEN; i++)
		h.body_sha256[i] = (uint8_t)i;
	h.handoff_status = DUMPHDR_HANDOFF_OK;
	dumphdr_set_text(h.release, sizeof(h.release), "6.1.0-13-amd64");
	dumphdr_set_text(h.hostname, sizeof(h.hostname), "web1");
	dumphdr_set_text(h.pm_version, sizeof(h.pm_version), "0.1.0");
	return h;
}

/* Encode h, decode it back; returns decode's result. */
static int roundtrip(const struct dumphdr *h, struct dumphdr *out, const char **why)
{
	if (dumphdr_encode(h, sector, 512) != 0)
		return 99;
	return dumphdr_decode(sector, 512, out, why);
}

TEST(round_trip)
{
	struct dumphdr h = sample(), d;
	const char *why = "x";

	CHECK_EQ(roundtrip(&h, &d, &why), 0);
	CHECK(why == NULL);
	CHECK(memcmp(d.magic, "PMDUMPHD", 8) == 0);
	CHECK_EQ(d.version, 1);
	CHECK_EQ(d.header_size, 512);
	h.crc32 = d.crc32;
	memcpy(h.magic, "PMDUMPHD", 8);
	h.version = 1;
	h.header_size = 512;
	CHECK(memcmp(&h, &d, sizeof(h)) == 0);
	/* Little-endian on disk, at the documented offsets. */
	CHECK_EQ(sector[0x10], DUMPHDR_COMPLETE);
	CHECK_EQ(sector[0x18], 0x88);
	CHECK_EQ(sector[0x1f], 0x11);
	CHECK_EQ(sector[0x40], 128);		/* body_offset: 64 KiB / 512 */
	CHECK(memcmp(sector + 0x88, "6.1.0-13-amd64", 15) == 0);
	/* A 4096-byte sector: the rest zero, the header alone counts. */
	memset(sector, 0xee, sizeof(sector));
	CHECK_EQ(dumphdr_encode(&h, sector, sizeof(sector)), 0);
	CHECK_EQ(sector[4095], 0);
	CHECK_EQ(dumphdr_decode(sector, sizeof(sector), &d, NULL), 0);
	h.sector_size = 4096;			/* a 4 KiB-sector partition of 64 sectors */
	h.part_sectors = 64;
	h.body_offset = 16;
	h.body_capacity = 47 * 4096;
	CHECK_EQ(dumphdr_encode(&h, sector, sizeof(sector)), 0);
	CHECK_EQ(dumphdr_decode(sector, sizeof(sector), &d, &why), 0);
	sector[600] = 1;			/* beyond header_size: not covered */
	CHECK_EQ(dumphdr_decode(sector, sizeof(sector), &d, &why), 0);
	CHECK_EQ(dumphdr_encode(&h, sector, 511), -EINVAL);
	CHECK_EQ(dumphdr_encode(NULL, sector, 512), -EINVAL);
	CHECK_EQ(dumphdr_decode(sector, 511, &d, &why), -EINVAL);
	CHECK_EQ(dumphdr_decode(NULL, 512, &d, &why), -EINVAL);
	CHECK_EQ(dumphdr_decode(sector, 512, NULL, &why), -EINVAL);
}

TEST(every_flipped_bit)
{
	struct dumphdr h = sample(), d;
	uint8_t good[512];
	unsigned ok = 0, nodata = 0;

	dumphdr_encode(&h, good, sizeof(good));
	for (unsigned i = 0; i < 512 * 8; i++) {
		memcpy(sector, good, 512);
		sector[i / 8] ^= (uint8_t)(1u << (i % 8));
		int err = dumphdr_decode(sector, 512, &d, NULL);
		ok += err == 0;
		nodata += err == -ENODATA;
	}
	CHECK_EQ(ok, 0);
	CHECK_EQ(nodata, 64);			/* the magic's bits */
	memset(sector, 0, 512);
	CHECK_EQ(dumphdr_decode(sector, 512, &d, NULL), -ENODATA);	/* never written */
}

/* Encode h with its CRC, edit raw bytes, re-seal the CRC and decode. */
static int decode_edited(const struct dumphdr *h, size_t off, const void *bytes, size_t n,
			 const char **why)
{
	struct dumphdr d;
	uint32_t crc;

	dumphdr_encode(h, sector, 512);
	memcpy(sector + off, bytes, n);
	memset(sector + DUMPHDR_CRC_OFFSET, 0, 4);
	crc = crc32(sector, 512);
	for (int i = 0; i < 4; i++)
		sector[DUMPHDR_CRC_OFFSET + i] = (uint8_t)(crc >> (8 * i));
	return dumphdr_decode(sector, 512, &d, why);
}

TEST(statuses_and_rules)
{
	struct dumphdr h = sample(), d;
	const char *why;
	uint32_t v;

	for (uint32_t st = DUMPHDR_INCOMPLETE; st <= DUMPHDR_CLEARED; st++) {
		h = sample();
		h.status = st;
		if (st == DUMPHDR_TRUNCATED) {
			h.body_length = h.body_capacity;
			h.needed_length = h.body_capacity + 1;
		}
		if (st == DUMPHDR_CLEARED)
			h.prev_status = DUMPHDR_COMPLETE;
		CHECK_EQ(roundtrip(&h, &d, &why), 0);
		CHECK_EQ(d.status, st);
	}
	CHECK_STR(dumphdr_status_name(DUMPHDR_TRUNCATED), "TRUNCATED");
	CHECK_STR(dumphdr_status_name(0), "unknown");
	CHECK_STR(dumphdr_status_name(6), "unknown");
	h = sample();
	h.status = 0;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	CHECK_STR(why, "unknown status");
	h.status = 6;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	h = sample();
	h.body_length = 999;			/* COMPLETE must have all of it */
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	CHECK_STR(why, "COMPLETE but body_length differs from needed_length");
	h.status = DUMPHDR_TRUNCATED;		/* TRUNCATED must fill the partition */
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	CHECK_STR(why, "TRUNCATED but the body does not fill the partition");
	h.status = DUMPHDR_FAILED;		/* FAILED: any prefix */
	CHECK_EQ(roundtrip(&h, &d, &why), 0);
	h.body_length = 1001;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	h = sample();
	h.status = DUMPHDR_CLEARED;		/* needs the status before it */
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	CHECK_STR(why, "prev_status does not fit the status");
	h.status = DUMPHDR_COMPLETE;
	h.prev_status = DUMPHDR_COMPLETE;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	h = sample();
	h.body_capacity += 512;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	CHECK_STR(why, "body_capacity does not match the partition");
	h = sample();
	h.body_offset = 0;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	CHECK_STR(why, "body_offset outside the partition");
	h.body_offset = PART_SECTORS - 1;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	h = sample();
	h.part_sectors = UINT64_MAX;		/* capacity would overflow */
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	h = sample();
	h.sector_size = 768;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	CHECK_STR(why, "sector_size not a power of two >= header_size");
	/* Raw edits the encoder would never make, CRC re-sealed. */
	h = sample();
	v = 2;
	CHECK_EQ(decode_edited(&h, 0x08, &v, 4, &why), -EBADMSG);
	CHECK_STR(why, "unknown version");
	v = 1024;
	CHECK_EQ(decode_edited(&h, 0x0c, &v, 4, &why), -EBADMSG);
	CHECK_STR(why, "header_size out of range");
	v = 516;
	CHECK_EQ(decode_edited(&h, 0x0c, &v, 4, &why), -EBADMSG);
	memset(scratch, 'A', DUMPHDR_RELEASE_LEN);
	CHECK_EQ(decode_edited(&h, 0x88, scratch, DUMPHDR_RELEASE_LEN, &why), -EBADMSG);
	CHECK_STR(why, "a text field is not NUL-terminated");
	CHECK_EQ(decode_edited(&h, 0x1e8, "xx", 2, &why), 0);	/* reserved: ignored */
	CHECK_EQ(decode_edited(&h, 0x1e0, "xx", 2, &why), -EBADMSG);	/* a split without its flag */
	CHECK_STR(why, "a digest split without the two-part digest flag");
}

TEST(text_fields)
{
	struct dumphdr h = sample(), d;
	char long_text[300];

	memset(long_text, 'r', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	dumphdr_set_text(h.reason, sizeof(h.reason), long_text);
	CHECK_EQ(strlen(h.reason), DUMPHDR_REASON_LEN - 1);
	dumphdr_set_text(h.hostname, sizeof(h.hostname), NULL);
	CHECK_EQ(h.hostname[0], 0);
	memset(h.release, 'x', sizeof(h.release));	/* unterminated: encode cuts it */
	CHECK_EQ(roundtrip(&h, &d, NULL), 0);
	CHECK_EQ(strlen(d.release), DUMPHDR_RELEASE_LEN - 1);
	dumphdr_set_text(h.release, 4, "abcdef");
	CHECK_STR(h.release, "abc");
}

TEST(layouts)
{
	struct dumphdr_layout l;

	CHECK_EQ(dumphdr_layout(65536, 512, 1000, &l), 0);	/* 32 MiB */
	CHECK_EQ(l.body_lba, 128);
	CHECK_EQ(l.trail_lba, 65535);
	CHECK_EQ(l.capacity, (65535ull - 128) * 512);
	CHECK_EQ(l.body_bytes, 1000);
	CHECK(!l.truncated);
	CHECK_EQ(dumphdr_layout(65536, 512, 64ull << 20, &l), 0);	/* needs 64 MiB */
	CHECK(l.truncated);
	CHECK_EQ(l.needed, 64ull << 20);
	CHECK_EQ(l.body_bytes, l.capacity);
	CHECK_EQ(dumphdr_layout(65536, 512, l.capacity, &l), 0);	/* exactly fits */
	CHECK(!l.truncated);
	CHECK_EQ(dumphdr_layout(65536, 512, l.capacity + 1, &l), 0);
	CHECK(l.truncated);
	CHECK_EQ(dumphdr_layout(8192, 4096, 1, &l), 0);
	CHECK_EQ(l.body_lba, 16);
	CHECK_EQ(l.capacity, (8191ull - 16) * 4096);
	CHECK_EQ(dumphdr_layout(4, 131072, 1, &l), 0);		/* sectors above 64 KiB */
	CHECK_EQ(l.body_lba, 1);
	CHECK_EQ(l.capacity, 2 * 131072);
	CHECK_EQ(dumphdr_layout(130, 512, 5000, &l), 0);		/* one body sector */
	CHECK_EQ(l.capacity, 512);
	CHECK(l.truncated);
	CHECK_EQ(dumphdr_layout(129, 512, 1, &l), -ENOSPC);
	CHECK_EQ(l.capacity, 0);
	CHECK_EQ(l.body_lba, 128);
	CHECK_EQ(dumphdr_layout(0, 512, 1, &l), -ENOSPC);
	CHECK_EQ(dumphdr_layout(65536, 512, 0, &l), -EINVAL);
	CHECK_EQ(dumphdr_layout(65536, 768, 1, &l), -EINVAL);
	CHECK_EQ(dumphdr_layout(65536, 256, 1, &l), -EINVAL);
	CHECK_EQ(dumphdr_layout(UINT64_MAX, 512, 1, &l), -EINVAL);
	CHECK_EQ(dumphdr_layout(65536, 512, 1, NULL), -EINVAL);
}

static int pair(uint32_t lead_st, uint32_t trail_st, uint64_t trail_id, const char **why)
{
	struct dumphdr a = sample(), b = sample();

	a.status = lead_st;
	b.status = trail_st;
	b.dump_id = trail_id;
	if (lead_st == DUMPHDR_CLEARED)
		a.prev_status = DUMPHDR_COMPLETE;
	if (trail_st == DUMPHDR_CLEARED)
		b.prev_status = DUMPHDR_COMPLETE;
	return dumphdr_check_pair(&a, &b, PART_SECTORS, 512, why);
}

TEST(pair_checks)
{
	struct dumphdr a = sample(), b = sample();
	uint64_t id = a.dump_id;
	const char *why;

	CHECK_EQ(pair(DUMPHDR_COMPLETE, DUMPHDR_COMPLETE, id, &why), 0);
	CHECK_STR(why, "complete");
	CHECK_EQ(pair(DUMPHDR_INCOMPLETE, DUMPHDR_INCOMPLETE, id, &why), -EINPROGRESS);
	CHECK_STR(why, "the dump was cut short; the body is not trusted");
	CHECK_EQ(pair(DUMPHDR_INCOMPLETE, DUMPHDR_COMPLETE, id, &why), -EINPROGRESS);
	CHECK(strstr(why, "after its trailing header") != NULL);
	CHECK_EQ(pair(DUMPHDR_INCOMPLETE, DUMPHDR_COMPLETE, 7, &why), -EINPROGRESS);
	CHECK_STR(why, "the dump was cut short; the body is not trusted");
	CHECK_EQ(pair(DUMPHDR_COMPLETE, DUMPHDR_INCOMPLETE, id, &why), -EBADMSG);
	CHECK(strstr(why, "documented order") != NULL);
	CHECK_EQ(pair(DUMPHDR_COMPLETE, DUMPHDR_FAILED, id, &why), -EBADMSG);
	CHECK_EQ(pair(DUMPHDR_COMPLETE, DUMPHDR_COMPLETE, 7, &why), -EBADMSG);
	CHECK_STR(why, "the two headers belong to different dumps");
	CHECK_EQ(pair(DUMPHDR_FAILED, DUMPHDR_FAILED, id, &why), -ECANCELED);
	CHECK_EQ(pair(DUMPHDR_FAILED, DUMPHDR_INCOMPLETE, id, &why), -ECANCELED);
	CHECK_EQ(pair(DUMPHDR_CLEARED, DUMPHDR_CLEARED, id, &why), -ENODATA);
	CHECK_EQ(pair(DUMPHDR_CLEARED, DUMPHDR_COMPLETE, id, &why), -ENODATA);	/* cut mid-clear */
	CHECK_EQ(pair(DUMPHDR_COMPLETE, DUMPHDR_CLEARED, id, &why), -ENODATA);
	CHECK_EQ(pair(DUMPHDR_CLEARED, DUMPHDR_COMPLETE, 7, &why), -EBADMSG);
	/* Same dump, one field differs. */
	b.finished++;
	CHECK_EQ(dumphdr_check_pair(&a, &b, PART_SECTORS, 512, &why), -EBADMSG);
	CHECK_STR(why, "the two headers disagree");
	b = a;
	b.status = a.status = DUMPHDR_TRUNCATED;
	CHECK_EQ(dumphdr_check_pair(&a, &b, PART_SECTORS, 512, &why), 0);
	/* Missing copies. */
	a = sample();
	CHECK_EQ(dumphdr_check_pair(NULL, NULL, PART_SECTORS, 512, &why), -ENODATA);
	CHECK_EQ(dumphdr_check_pair(NULL, &a, PART_SECTORS, 512, &why), -EBADMSG);
	CHECK_STR(why, "the leading header is missing or damaged");
	CHECK_EQ(dumphdr_check_pair(&a, NULL, PART_SECTORS, 512, &why), -EBADMSG);
	a.status = DUMPHDR_INCOMPLETE;
	CHECK_EQ(dumphdr_check_pair(&a, NULL, PART_SECTORS, 512, &why), -EINPROGRESS);
	a.status = DUMPHDR_CLEARED;
	a.prev_status = DUMPHDR_COMPLETE;
	CHECK_EQ(dumphdr_check_pair(&a, NULL, PART_SECTORS, 512, &why), -ENODATA);
	/* The partition changed size or sector size since. */
	a = b = sample();
	CHECK_EQ(dumphdr_check_pair(&a, &b, PART_SECTORS + 1, 512, &why), -EBADMSG);
	CHECK(strstr(why, "resized") != NULL);
	CHECK_EQ(dumphdr_check_pair(&a, &b, PART_SECTORS, 4096, &why), -EBADMSG);
}

/* ------------------------------------------------------------- writer */

static struct blkdev ram, part;

static void fresh_partition(void)
{
	memset(disk, 0, sizeof(disk));
	blkdev_ram_init(&ram, "ram0", disk, sizeof(disk), 512);
	blkdev_partition(&part, &ram, 2, 32, PART_SECTORS);
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)(i * 7 + i / 511);
}

static struct dumphdr tmpl(uint64_t id)
{
	struct dumphdr t;

	memset(&t, 0, sizeof(t));
	t.dump_id = id;
	t.created = 1700000000;
	t.status = DUMPHDR_FAILED;		/* ignored: begin sets its own */
	t.body_length = 12345;			/* ignored */
	dumphdr_set_text(t.release, sizeof(t.release), "6.1.0-test");
	return t;
}

/* Decode both copies and judge them; *id gets the leading copy's dump id. */
static int judge(uint64_t *id, struct dumphdr *lead_out)
{
	struct dumphdr lead, trail;
	int el = dumphdr_get(&part, false, sector, sizeof(sector), &lead, NULL);
	int et = dumphdr_get(&part, true, sector, sizeof(sector), &trail, NULL);

	*id = el == 0 ? lead.dump_id : 0;
	if (lead_out != NULL)
		*lead_out = lead;
	return dumphdr_check_pair(el ? NULL : &lead, et ? NULL : &trail, part.sectors,
				  part.sector_size, NULL);
}

static const uint8_t *part_bytes(uint64_t lba)
{
	return disk + (32 + lba) * 512;
}

TEST(writer_whole)
{
	struct dumphdr t = tmpl(0xabc), h;
	struct dumphdr_writer w;
	uint8_t d[SHA256_LEN];
	uint64_t id;
	size_t len = 100003, at = 0, step = 1;

	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, len, scratch, sizeof(scratch)), 0);
	CHECK_EQ(judge(&id, &h), -EINPROGRESS);
	CHECK_EQ(h.status, DUMPHDR_INCOMPLETE);
	CHECK_EQ(h.needed_length, len);
	CHECK_EQ(h.body_length, 0);
	while (at < len) {			/* odd pieces: 1, 2, 4, ... bytes */
		size_t n = len - at < step ? len - at : step;
		CHECK_EQ(dumphdr_writer_body(&w, body + at, n), 0);
		at += n;
		step = step * 2 + 1;
	}
	CHECK_EQ(judge(&id, NULL), -EINPROGRESS);
	CHECK_EQ(dumphdr_writer_finish(&w, 1700000099), 0);
	CHECK_EQ(judge(&id, &h), 0);
	CHECK_EQ(id, 0xabc);
	CHECK_EQ(h.status, DUMPHDR_COMPLETE);
	CHECK_EQ(h.body_length, len);
	CHECK_EQ(h.finished, 1700000099);
	CHECK_EQ(h.body_offset, 128);
	CHECK_STR(h.release, "6.1.0-test");
	crypto_sha256(body, len, d);
	CHECK(memcmp(h.body_sha256, d, SHA256_LEN) == 0);
	CHECK(memcmp(part_bytes(128), body, len) == 0);
	CHECK_EQ(part_bytes(128)[len], 0);		/* last sector zero padded */
	CHECK_EQ(part_bytes(128)[(len + 511) / 512 * 512 - 1], 0);
	CHECK_EQ(disk[31 * 512], 0);			/* nothing before the partition */
	CHECK_EQ(disk[(32 + PART_SECTORS) * 512], 0);	/* nor after it */
	CHECK_EQ(dumphdr_writer_body(&w, body, 1), -EINVAL);	/* after the end */
}

TEST(writer_truncated_and_failed)
{
	struct dumphdr t = tmpl(0xdef), h;
	struct dumphdr_writer w;
	uint8_t d[SHA256_LEN];
	uint64_t id, cap = (PART_SECTORS - 1 - 128) * 512ull;

	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, sizeof(body), scratch, sizeof(scratch)), 0);
	CHECK(w.layout.truncated);
	CHECK_EQ(dumphdr_writer_body(&w, body, sizeof(body)), 0);
	CHECK_EQ(dumphdr_writer_finish(&w, 5), 0);
	CHECK_EQ(judge(&id, &h), 0);
	CHECK_EQ(h.status, DUMPHDR_TRUNCATED);
	CHECK_EQ(h.body_length, cap);
	CHECK_EQ(h.needed_length, sizeof(body));
	crypto_sha256(body, (size_t)cap, d);
	CHECK(memcmp(h.body_sha256, d, SHA256_LEN) == 0);
	CHECK(memcmp(part_bytes(128), body, (size_t)cap) == 0);

	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 50000, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body(&w, body, 20000), 0);
	CHECK_EQ(dumphdr_writer_fail(&w, "nvme0: write timed out (CSTS 0x1)", 9), 0);
	CHECK_EQ(judge(&id, &h), -ECANCELED);
	CHECK_EQ(h.status, DUMPHDR_FAILED);
	CHECK_STR(h.reason, "nvme0: write timed out (CSTS 0x1)");
	CHECK_EQ(h.body_length, 16384);		/* what reached the disk: two 8 KiB flushes */

	/* A partition with no room: -ENOSPC and not a byte written. */
	fresh_partition();
	blkdev_partition(&part, &ram, 2, 32, 129);
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 10, scratch, sizeof(scratch)), -ENOSPC);
	for (size_t i = 0; i < sizeof(disk); i++)
		if (disk[i] != 0) {
			CHECK(!"written");
			break;
		}
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 10, scratch, 511), -EINVAL);
	CHECK_EQ(dumphdr_writer_fail(&w, "x", 0), -EINVAL);
}

/* A device that loses power after `budget` sectors: the write that crosses
 * it lands partly, then every write fails. */
static long budget;
static int cut_write(struct blkdev *d, uint64_t lba, uint32_t count, const void *buf)
{
	uint32_t n = budget <= 0 ? 0 : budget < (long)count ? (uint32_t)budget : count;

	memcpy((uint8_t *)d->priv + lba * 512, buf, (size_t)n * 512);
	budget -= n;
	return n == count ? 0 : -EIO;
}
static int cut_read(struct blkdev *d, uint64_t lba, uint32_t count, void *buf)
{
	memcpy(buf, (uint8_t *)d->priv + lba * 512, (size_t)count * 512);
	return 0;
}
static const struct blkdev_ops cut_ops = { cut_read, cut_write, NULL };

/* Write dump `id` over whatever the partition holds, losing power after budget sectors. */
static void write_dump(uint64_t id, size_t len, long sectors)
{
	struct dumphdr t = tmpl(id);
	struct dumphdr_writer w;

	budget = sectors;
	if (dumphdr_writer_begin(&w, &part, &t, len, scratch, sizeof(scratch)) == 0 &&
	    dumphdr_writer_body(&w, body + id % 7, len) == 0)
		dumphdr_writer_finish(&w, 1);
}

TEST(power_cut_anywhere)
{
	const size_t len = 20000;		/* 40 body sectors */
	long total;
	unsigned whole_new = 0, whole_old = 0, bad = 0;

	fresh_partition();
	ram.ops = &cut_ops;
	write_dump(1, len, 1 << 30);		/* an old, whole dump 1 */
	total = (1 << 30) - budget;
	CHECK_EQ(total, 4 + 40);		/* 2 + body + 2 */
	static uint8_t old[sizeof(disk)];
	memcpy(old, disk, sizeof(disk));
	for (long k = 0; k <= total; k++) {
		uint64_t id;
		struct dumphdr h;

		memcpy(disk, old, sizeof(disk));
		write_dump(2, len, k);
		/* The order itself: the trailing copy turns final at the second-last
		 * write, the leading copy at the last, never earlier. */
		struct dumphdr lc, tc;
		if (dumphdr_get(&part, false, sector, 512, &lc, NULL) == 0 && lc.dump_id == 2 &&
		    lc.status != DUMPHDR_INCOMPLETE && k < total)
			bad++;
		if (dumphdr_get(&part, true, sector, 512, &tc, NULL) == 0 && tc.dump_id == 2 &&
		    tc.status != DUMPHDR_INCOMPLETE && k < total - 1)
			bad++;
		if (dumphdr_get(&part, true, sector, 512, &tc, NULL) == 0 && tc.dump_id == 1 &&
		    k >= 2)
			bad++;			/* the old trailer is gone before the body */
		if (judge(&id, &h) != 0)
			continue;		/* refused: fine at any cut */
		/* Taken as whole: it must really be whole. */
		if (id == 1 && k == 0 && memcmp(part_bytes(128), body + 1, len) == 0)
			whole_old++;
		else if (id == 2 && k == total && memcmp(part_bytes(128), body + 2, len) == 0)
			whole_new++;
		else
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(whole_old, 1);			/* nothing written yet: the old dump stands */
	CHECK_EQ(whole_new, 1);			/* only the last write completes the new one */
	ram.ops = NULL;
}

TEST(get_put)
{
	struct dumphdr h = sample(), d;
	const char *why;

	fresh_partition();
	blkdev_partition(&part, &ram, 2, 32, PART_SECTORS);
	CHECK_EQ(dumphdr_get(&part, false, sector, sizeof(sector), &d, &why), -ENODATA);
	CHECK_EQ(dumphdr_put(&part, true, &h, sector, sizeof(sector)), 0);
	CHECK(memcmp(part_bytes(PART_SECTORS - 1), "PMDUMPHD", 8) == 0);
	CHECK_EQ(dumphdr_get(&part, true, sector, sizeof(sector), &d, &why), 0);
	CHECK_EQ(d.dump_id, h.dump_id);
	CHECK_EQ(dumphdr_get(&part, true, sector, 100, &d, &why), -EINVAL);
	CHECK_EQ(dumphdr_put(&part, true, NULL, sector, sizeof(sector)), -EINVAL);
}

/* body_format 2 (kdump-compressed) is decoded and written as given; 0 means ELF. */
TEST(body_formats)
{
	struct dumphdr h = sample(), d, t = tmpl(0xdef);
	struct dumphdr_writer w;
	const char *why = "x";
	uint64_t id;

	h.body_format = DUMPHDR_BODY_KDUMP;
	CHECK_EQ(roundtrip(&h, &d, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(d.body_format, 2);
	CHECK_EQ(sector[0x34], 2);
	fresh_partition();
	t.body_format = DUMPHDR_BODY_KDUMP;
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 4096, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body(&w, body, 4096), 0);
	CHECK_EQ(dumphdr_writer_finish(&w, 1700000099), 0);
	CHECK_EQ(judge(&id, &d), 0);
	CHECK_EQ(d.body_format, DUMPHDR_BODY_KDUMP);
	fresh_partition();
	t.body_format = 0;
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 4096, scratch, sizeof(scratch)), 0);
	CHECK_EQ(judge(&id, &d), -EINPROGRESS);
	CHECK_EQ(d.body_format, DUMPHDR_BODY_ELF);
}


/* ------------------------------------------------------------- at random */

/* The one-pass pattern over body[0, len): [0, 8192) appended, a jump to
 * 16384, the rest appended in odd pieces, the gap's two blocks filled in
 * between (the second at the end).  Returns the first error. */
static int write_at_random(struct dumphdr_writer *w, size_t len)
{
	size_t at = 16384, step = 3;
	int err = dumphdr_writer_body_at(w, 0, body, 5000);

	if (err == 0)
		err = dumphdr_writer_body_at(w, 5000, body + 5000, 3192);
	if (err == 0)
		err = dumphdr_writer_body_at(w, 16384, body + 16384, 1000);
	at += 1000;
	if (err == 0)
		err = dumphdr_writer_body_at(w, 8192, body + 8192, 4096);
	while (err == 0 && at < len) {
		size_t n = len - at < step ? len - at : step;

		err = dumphdr_writer_body_at(w, at, body + at, n);
		at += n;
		step = step * 2 + 1;
	}
	if (err == 0)
		err = dumphdr_writer_body_at(w, 12288, body + 12288, 4096);
	return err;
}

/* The two-part digest computed here from its definition: SHA-256("PMD2"
 * || le64 split || SHA-256(b[0, split)) || SHA-256(b[split, len))). */
static void two_part(const uint8_t *b, size_t len, uint64_t split, uint8_t out[SHA256_LEN])
{
	uint8_t in[4 + 8 + 2 * SHA256_LEN];
	size_t s = split < len ? (size_t)split : len;

	memcpy(in, "PMD2", 4);
	for (int i = 0; i < 8; i++)
		in[4 + i] = (uint8_t)(split >> (8 * i));
	crypto_sha256(b, s, in + 12);
	crypto_sha256(b + s, len - s, in + 12 + SHA256_LEN);
	crypto_sha256(in, sizeof(in), out);
}

static uint64_t progress_done;

static void progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	CHECK(done <= total);
	progress_done = done;
}

TEST(writer_at_random)
{
	struct dumphdr t = tmpl(0x1234), h;
	struct dumphdr_writer w;
	uint8_t d[SHA256_LEN];
	uint64_t id, cap = (PART_SECTORS - 1 - 128) * 512ull;
	size_t len = 100003;

	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, len, scratch, sizeof(scratch)), 0);
	w.progress = progress_cb;
	CHECK_EQ(write_at_random(&w, len), 0);
	CHECK_EQ(judge(&id, NULL), -EINPROGRESS);
	CHECK_EQ(dumphdr_writer_finish(&w, 1700000099), 0);
	CHECK_EQ(judge(&id, &h), 0);
	CHECK_EQ(id, 0x1234);
	CHECK_EQ(h.status, DUMPHDR_COMPLETE);
	CHECK_EQ(h.body_length, len);
	CHECK_EQ(h.needed_length, len);
	/* two-part: the jump's target splits it; only the part before is read back */
	CHECK(h.flags & DUMPHDR_FLAG_DIGEST_SPLIT);
	CHECK_EQ(h.digest_split, 16384);
	two_part(body, len, 16384, d);
	CHECK(memcmp(h.body_sha256, d, SHA256_LEN) == 0);
	CHECK(memcmp(part_bytes(128), body, len) == 0);
	CHECK_EQ(part_bytes(128)[len], 0);		/* last sector zero padded */
	CHECK_EQ(progress_done, 16384);
	CHECK_EQ(disk[31 * 512], 0);
	CHECK_EQ(disk[(32 + PART_SECTORS) * 512], 0);

	/* Too small: what lies past the capacity dropped, fills too;
	 * TRUNCATED, the digest over what is there. */
	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, sizeof(body), scratch, sizeof(scratch)), 0);
	CHECK(w.layout.truncated);
	CHECK_EQ(write_at_random(&w, sizeof(body)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, cap, body + cap, 4096), 0);	/* dropped */
	CHECK_EQ(dumphdr_writer_finish(&w, 5), 0);
	CHECK_EQ(judge(&id, &h), 0);
	CHECK_EQ(h.status, DUMPHDR_TRUNCATED);
	CHECK_EQ(h.body_length, cap);
	CHECK_EQ(h.needed_length, sizeof(body));
	two_part(body, (size_t)cap, 16384, d);
	CHECK(memcmp(h.body_sha256, d, SHA256_LEN) == 0);
	CHECK(memcmp(part_bytes(128), body, (size_t)cap) == 0);
	CHECK_EQ(disk[(32 + PART_SECTORS) * 512], 0);

	/* A jump past the capacity: nothing more lands, the gap up to the
	 * capacity still has to be filled. */
	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, cap + 8192, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, cap + 4096, body, 4096), 0);
	for (uint64_t at = 4096; at + 4096 <= cap + 4096; at += 4096)
		CHECK_EQ(dumphdr_writer_body_at(&w, at, body + at, at + 4096 <= cap ? 4096 :
						 (size_t)(cap - at) / 512 * 512), 0);
	CHECK_EQ(dumphdr_writer_finish(&w, 5), 0);
	CHECK_EQ(judge(&id, &h), 0);
	CHECK_EQ(h.status, DUMPHDR_TRUNCATED);
	CHECK(memcmp(part_bytes(128), body, (size_t)cap) == 0);
	CHECK_EQ(h.digest_split, cap);			/* no pages kept: all read back */
	two_part(body, (size_t)cap, cap, d);
	CHECK(memcmp(h.body_sha256, d, SHA256_LEN) == 0);
}

/* The pages hashed elsewhere (another CPU in the kernel): the fake takes
 * the work at hash_start and does it only at hash_wait, so a buffer the
 * writer filled again before waiting would give a wrong digest. */
static struct {
	struct crypto_sha256 *sha;
	const uint8_t *p;
	size_t len;
	uint8_t copy[8192];
	unsigned starts, waits;
	int start_err, wait_err;
	bool pending;
} fake;

static int fake_start(void *ctx, struct crypto_sha256 *sha, const void *p, size_t len)
{
	CHECK(ctx == &fake);
	CHECK(!fake.pending);			/* one piece of work at a time */
	if (fake.start_err)
		return fake.start_err;
	CHECK(len <= sizeof(fake.copy));
	fake.sha = sha;
	fake.p = p;
	fake.len = len;
	memcpy(fake.copy, p, len);
	fake.pending = true;
	fake.starts++;
	return 0;
}

static int fake_wait(void *ctx)
{
	CHECK(ctx == &fake);
	CHECK(fake.pending);
	fake.pending = false;
	fake.waits++;
	CHECK(memcmp(fake.copy, fake.p, fake.len) == 0);	/* untouched meanwhile */
	crypto_sha256_update(fake.sha, fake.p, fake.len);
	return fake.waits == 2 ? fake.wait_err : 0;
}

static void write_hashed_elsewhere(struct dumphdr_writer *w, size_t len, int start_err, int wait_err)
{
	struct dumphdr t = tmpl(0x55);

	fresh_partition();
	memset(&fake, 0, sizeof(fake));
	fake.start_err = start_err;
	fake.wait_err = wait_err;
	/* 8 KiB of scratch: two 4 KiB halves once the pages start */
	CHECK_EQ(dumphdr_writer_begin(w, &part, &t, len, scratch, sizeof(scratch)), 0);
	w->hash_start = fake_start;
	w->hash_wait = fake_wait;
	w->hash_ctx = &fake;
	CHECK_EQ(write_at_random(w, len), 0);
	CHECK_EQ(dumphdr_writer_finish(w, 9), 0);
	CHECK(!fake.pending);
}

TEST(writer_at_random_hashed_elsewhere)
{
	struct dumphdr_writer w;
	struct dumphdr h;
	uint8_t d[SHA256_LEN];
	uint64_t id;
	size_t len = 100003;

	write_hashed_elsewhere(&w, len, 0, 0);
	CHECK_EQ(judge(&id, &h), 0);
	CHECK(h.flags & DUMPHDR_FLAG_DIGEST_SPLIT);
	two_part(body, len, 16384, d);
	CHECK(memcmp(h.body_sha256, d, SHA256_LEN) == 0);
	CHECK(memcmp(part_bytes(128), body, len) == 0);
	CHECK_EQ(fake.starts, (len - 16384 + 4095) / 4096);	/* every buffer of pages */
	CHECK_EQ(fake.waits, fake.starts);

	/* The other CPU cannot take work: hashed here, same digest. */
	write_hashed_elsewhere(&w, len, -ENODEV, 0);
	CHECK_EQ(judge(&id, &h), 0);
	CHECK_EQ(fake.starts, 0);
	CHECK(memcmp(h.body_sha256, d, SHA256_LEN) == 0);

	/* Its work failed (a fault, a timeout): the whole body read back,
	 * a plain digest, no flag. */
	write_hashed_elsewhere(&w, len, 0, -EFAULT);
	CHECK_EQ(judge(&id, &h), 0);
	CHECK(!(h.flags & DUMPHDR_FLAG_DIGEST_SPLIT));
	CHECK_EQ(h.digest_split, 0);
	crypto_sha256(body, len, d);
	CHECK(memcmp(h.body_sha256, d, SHA256_LEN) == 0);
	CHECK_EQ(fake.waits, 2);			/* nothing handed over after it failed */
}

/* A 32 KiB body written at random that could not keep its two-part
 * digest: finished, its digest is the plain SHA-256 of want, the whole
 * body as read back. */
static void finish_read_back_whole(struct dumphdr_writer *w, const uint8_t *want)
{
	struct dumphdr h;
	uint8_t d[SHA256_LEN];
	uint64_t id;

	CHECK_EQ(dumphdr_writer_finish(w, 9), 0);
	CHECK_EQ(judge(&id, &h), 0);
	CHECK(!(h.flags & DUMPHDR_FLAG_DIGEST_SPLIT));
	crypto_sha256(want, 32768, d);
	CHECK(memcmp(h.body_sha256, d, SHA256_LEN) == 0);
}

/* A second jump: the pages are not one run, so the whole body is read back. */
TEST(writer_at_random_two_jumps)
{
	struct dumphdr t = tmpl(0x66);
	struct dumphdr_writer w;

	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 32768, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 8192, body + 8192, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 16384, body + 16384, 16384), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 4096, body + 4096, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 12288, body + 12288, 4096), 0);
	finish_read_back_whole(&w, body);
}

/* dumphdr_digest (what savecore uses) gives each kind's digest from the
 * body in pieces of any size; the decoder refuses a split without its
 * flag and the two kinds together. */
TEST(digest_kinds_and_checks)
{
	struct dumphdr h, d;
	struct dumphdr_digest dg;
	uint8_t want[SHA256_LEN], got[SHA256_LEN];
	const char *why;
	size_t len = 50000;

	for (int kind = 0; kind < 3; kind++) {
		memset(&h, 0, sizeof(h));
		h.flags = kind == 1 ? DUMPHDR_FLAG_DIGEST_HEAD : kind == 2 ? DUMPHDR_FLAG_DIGEST_SPLIT : 0;
		h.digest_split = kind == 2 ? 12345 : 0;
		if (kind == 0)
			crypto_sha256(body, len, want);
		else if (kind == 1)
			crypto_sha256(body, DUMPHDR_HEAD_DIGEST, want);
		else
			two_part(body, len, 12345, want);
		for (size_t step = 1; step < len; step = step * 3 + 7) {
			dumphdr_digest_init(&dg, &h);
			for (size_t at = 0; at < len; at += step)
				dumphdr_digest_update(&dg, body + at, len - at < step ? len - at : step);
			dumphdr_digest_final(&dg, got);
			CHECK(memcmp(got, want, SHA256_LEN) == 0);
		}
	}
	/* a split past the end: all of it is the first part */
	memset(&h, 0, sizeof(h));
	h.flags = DUMPHDR_FLAG_DIGEST_SPLIT;
	h.digest_split = len + 1;
	dumphdr_digest_init(&dg, &h);
	dumphdr_digest_update(&dg, body, len);
	dumphdr_digest_final(&dg, got);
	two_part(body, len, len + 1, want);
	CHECK(memcmp(got, want, SHA256_LEN) == 0);

	h = sample();
	h.digest_split = 4096;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	CHECK(why != NULL && strstr(why, "split") != NULL);
	h.flags |= DUMPHDR_FLAG_DIGEST_SPLIT;
	CHECK_EQ(roundtrip(&h, &d, &why), 0);
	CHECK_EQ(d.digest_split, 4096);
	CHECK_EQ(sector[0x1e0], 0x00);
	CHECK_EQ(sector[0x1e1], 0x10);
	h.digest_split = h.body_capacity + 1;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	CHECK_STR(why, "a digest split past the body's capacity");
	h.digest_split = 4096;
	h.body_format = DUMPHDR_BODY_ENCRYPTED;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	CHECK_STR(why, "a two-part digest on an encrypted body");
	h.flags |= DUMPHDR_FLAG_DIGEST_HEAD;
	CHECK_EQ(roundtrip(&h, &d, &why), -EBADMSG);
	CHECK_STR(why, "both a two-part and a header-only digest");
}

/* A fill over pages already hashed (the kdump writer never makes one):
 * the whole body is read back for a plain digest, which matches the
 * medium, never a two-part digest that does not; and a dump that fails
 * after its digest was taken keeps no two-part flag. */
TEST(writer_at_random_fill_over_pages)
{
	struct dumphdr t = tmpl(0x88), h;
	struct dumphdr_writer w;

	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 32768, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 8192, body + 8192, 24576), 0);
	/* the gap left as it is and a page written over instead: the byte
	 * count of the fills is right, the pages' hash is not */
	CHECK_EQ(dumphdr_writer_body_at(&w, 8192, body + 100000, 4096), 0);
	finish_read_back_whole(&w, part_bytes(128));

	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 100003, scratch, sizeof(scratch)), 0);
	CHECK_EQ(write_at_random(&w, 100003), 0);
	CHECK_EQ(dumphdr_writer_end_body(&w), 0);
	CHECK(w.hdr.flags & DUMPHDR_FLAG_DIGEST_SPLIT);
	CHECK_EQ(dumphdr_writer_fail(&w, "the final header write failed", 9), 0);
	CHECK_EQ(dumphdr_get(&part, false, scratch, sizeof(scratch), &h, NULL), 0);
	CHECK_EQ(h.status, DUMPHDR_FAILED);
	CHECK(!(h.flags & DUMPHDR_FLAG_DIGEST_SPLIT));
	CHECK_EQ(h.digest_split, 0);
}

TEST(writer_at_random_refuses)
{
	struct dumphdr t = tmpl(0x99), h;
	struct dumphdr_writer w;
	uint64_t id;

	/* A gap left unfilled: never COMPLETE, the headers stay INCOMPLETE. */
	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 20480, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 8192, body + 8192, 12288), 0);
	CHECK_EQ(dumphdr_writer_finish(&w, 5), -EIO);
	CHECK_EQ(judge(&id, &h), -EINPROGRESS);
	/* More filled than the gap (a block written again): the same. */
	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 20480, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 12288, body + 12288, 8192), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 4096, body + 4096, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 4096, body + 4096, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 4096, body + 4096, 4096), 0);
	CHECK_EQ(dumphdr_writer_finish(&w, 5), -EIO);
	CHECK_EQ(judge(&id, &h), -EINPROGRESS);
	/* Not on a sector; not whole sectors; over bytes still buffered; a
	 * jump from inside a sector: -EINVAL, sticky. */
	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 20480, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 100, body, 512), -EINVAL);
	CHECK_EQ(dumphdr_writer_body_at(&w, 4096, body, 10), -EINVAL);	/* latched */
	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 20480, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 100), -EINVAL);
	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 20480, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 4096), 0);	/* in the 8 KiB buffer */
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 512), -EINVAL);
	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 20480, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 4000), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 8192, body, 4096), -EINVAL);
	CHECK_EQ(dumphdr_writer_body_at(NULL, 0, body, 1), -EINVAL);
	/* FAILED at random: what the appends put on the disk, no digest. */
	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 50000, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 4096), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 8192, body + 8192, 12000), 0);
	CHECK_EQ(dumphdr_writer_fail(&w, "memory changed", 9), 0);
	CHECK_EQ(judge(&id, &h), -ECANCELED);
	CHECK_EQ(h.body_length, 16384);
}

/* Write dump `id` at random over the partition, losing power after budget sectors. */
static void write_dump_at_random(uint64_t id, size_t len, long sectors)
{
	struct dumphdr t = tmpl(id);
	struct dumphdr_writer w;

	budget = sectors;
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)(i * 7 + i / 511 + id);
	if (dumphdr_writer_begin(&w, &part, &t, len, scratch, sizeof(scratch)) == 0 &&
	    write_at_random(&w, len) == 0)
		dumphdr_writer_finish(&w, 1);
}

TEST(power_cut_at_random)
{
	const size_t len = 30000;
	static uint8_t old[sizeof(disk)], want[sizeof(body)];
	long total;
	unsigned whole_new = 0, bad = 0;

	fresh_partition();
	ram.ops = &cut_ops;
	write_dump_at_random(1, len, 1 << 30);
	total = (1 << 30) - budget;
	memcpy(old, disk, sizeof(disk));
	write_dump_at_random(2, len, 1 << 30);
	memcpy(want, body, len);
	for (long k = 0; k <= total; k++) {
		uint64_t id;
		struct dumphdr h;

		memcpy(disk, old, sizeof(disk));
		write_dump_at_random(2, len, k);
		if (judge(&id, &h) != 0)
			continue;		/* refused: fine at any cut */
		if (id == 2 && k == total && memcmp(part_bytes(128), want, len) == 0)
			whole_new++;
		else if (!(id == 1 && k == 0))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(whole_new, 1);
	ram.ops = NULL;
}

/* An encrypted body: never hashed whole; the digest is of its first 4096
 * bytes (the stream's header block), in order and at random alike, and the
 * header says so (DUMPHDR_FLAG_DIGEST_HEAD), on an encrypted body only. */
TEST(encrypted_body_digest_of_its_head)
{
	struct dumphdr t = tmpl(0x5150), h, d;
	struct dumphdr_writer w;
	uint8_t want[SHA256_LEN];
	const char *why = NULL;
	uint64_t id;
	size_t len = 100003;

	t.body_format = DUMPHDR_BODY_ENCRYPTED;
	for (int random = 0; random < 2; random++) {
		fresh_partition();
		crypto_sha256(body, DUMPHDR_HEAD_DIGEST, want);
		CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, len, scratch, sizeof(scratch)), 0);
		w.progress = progress_cb;
		progress_done = 0;
		if (random)
			CHECK_EQ(write_at_random(&w, len), 0);
		else
			CHECK_EQ(dumphdr_writer_body(&w, body, len), 0);
		CHECK_EQ(dumphdr_writer_finish(&w, 1700000099), 0);
		CHECK_EQ(judge(&id, &h), 0);
		CHECK_EQ(h.status, DUMPHDR_COMPLETE);
		CHECK_EQ(h.body_format, DUMPHDR_BODY_ENCRYPTED);
		CHECK(h.flags & DUMPHDR_FLAG_DIGEST_HEAD);
		CHECK_EQ(h.body_length, len);
		CHECK(memcmp(h.body_sha256, want, SHA256_LEN) == 0);
		CHECK_EQ(progress_done, 0);			/* nothing read back */
		CHECK(memcmp(part_bytes(128), body, len) == 0);
	}
	/* a gap not filled is still refused */
	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, len, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 0, body, 8192), 0);
	CHECK_EQ(dumphdr_writer_body_at(&w, 16384, body + 16384, 100), 0);
	CHECK_EQ(dumphdr_writer_finish(&w, 5), -EIO);
	/* a body shorter than the head: the digest of what is there */
	fresh_partition();
	CHECK_EQ(dumphdr_writer_begin(&w, &part, &t, 1000, scratch, sizeof(scratch)), 0);
	CHECK_EQ(dumphdr_writer_body(&w, body, 1000), 0);
	CHECK_EQ(dumphdr_writer_finish(&w, 5), 0);
	CHECK_EQ(judge(&id, &h), 0);
	crypto_sha256(body, 1000, want);
	CHECK(memcmp(h.body_sha256, want, SHA256_LEN) == 0);
	/* the flag on a clear body does not decode */
	d = sample();
	d.flags |= DUMPHDR_FLAG_DIGEST_HEAD;
	CHECK_EQ(roundtrip(&d, &h, &why), -EBADMSG);
	CHECK(why != NULL && strstr(why, "not encrypted") != NULL);
	d.body_format = DUMPHDR_BODY_ENCRYPTED;
	CHECK_EQ(roundtrip(&d, &h, &why), 0);
}

TEST_MAIN(round_trip, body_formats, every_flipped_bit, statuses_and_rules, text_fields, layouts, pair_checks,
	  writer_whole, writer_truncated_and_failed, power_cut_anywhere, get_put, writer_at_random,
	  writer_at_random_refuses, power_cut_at_random, encrypted_body_digest_of_its_head,
	  writer_at_random_hashed_elsewhere, writer_at_random_two_jumps, digest_kinds_and_checks,
	  writer_at_random_fill_over_pages)
