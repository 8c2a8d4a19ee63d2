/*
 * Raw dump partition header: codec, layout, pair check and the writer
 * (format and interface in payload/dumphdr.h; the byte-by-byte description
 * and the argument for the write order in docs/dump-disk.md).
 *
 * The codec copies the whole 512 bytes between the sector and struct
 * dumphdr (whose layout is the wire layout, asserted in the header), then
 * converts every integer field through little-endian getters and putters
 * listed in one table, so the encoder and the decoder cannot disagree on a
 * field.  Everything read back is hostile: the decoder checks sizes before
 * the CRC reads header_size bytes, computes the geometry with overflow
 * checks, and requires every text field to end inside itself.
 *
 * Pure module over a struct blkdev view: no globals, no printing.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/crc32.h"
#include "crypto/sha256.h"
#include "formats/blkdev.h"
#include "payload/dumphdr.h"

#define DUMPHDR_MAX_BUF	(16u << 20)	/* body writes of at most 16 MiB */

/* ------------------------------------------------------- byte order */

static void dumphdr_put_le(uint8_t *p, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t dumphdr_get_le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

#define DUMPHDR_INT(field) { offsetof(struct dumphdr, field), sizeof(((struct dumphdr *)0)->field) }

/* Every integer field; everything else is bytes and copied as it is. */
static const struct {
	uint16_t off;
	uint8_t size;
} dumphdr_ints[] = {
	DUMPHDR_INT(version), DUMPHDR_INT(header_size), DUMPHDR_INT(status),
	DUMPHDR_INT(flags), DUMPHDR_INT(dump_id), DUMPHDR_INT(created),
	DUMPHDR_INT(finished), DUMPHDR_INT(sector_size), DUMPHDR_INT(body_format),
	DUMPHDR_INT(part_sectors), DUMPHDR_INT(body_offset), DUMPHDR_INT(body_capacity),
	DUMPHDR_INT(body_length), DUMPHDR_INT(needed_length), DUMPHDR_INT(handoff_status),
	DUMPHDR_INT(prev_status), DUMPHDR_INT(digest_split), DUMPHDR_INT(crc32),
};

#define DUMPHDR_NINTS (sizeof(dumphdr_ints) / sizeof(dumphdr_ints[0]))

/* A native integer field of the struct, by its table entry. */
static uint64_t dumphdr_field(const struct dumphdr *h, unsigned i)
{
	const uint8_t *p = (const uint8_t *)h + dumphdr_ints[i].off;
	uint32_t v32;
	uint64_t v64;

	if (dumphdr_ints[i].size == 4) {
		memcpy(&v32, p, sizeof(v32));
		return v32;
	}
	memcpy(&v64, p, sizeof(v64));
	return v64;
}

static void dumphdr_set_field(struct dumphdr *h, unsigned i, uint64_t v)
{
	uint8_t *p = (uint8_t *)h + dumphdr_ints[i].off;
	uint32_t v32 = (uint32_t)v;

	if (dumphdr_ints[i].size == 4)
		memcpy(p, &v32, sizeof(v32));
	else
		memcpy(p, &v, sizeof(v));
}

/* CRC-32 of header_size bytes with the crc32 field taken as zero. */
static uint32_t dumphdr_crc(const uint8_t *p, uint32_t header_size)
{
	static const uint8_t zero[4];
	uint32_t crc = crc32_update(0, p, DUMPHDR_CRC_OFFSET);

	crc = crc32_update(crc, zero, sizeof(zero));
	return crc32_update(crc, p + DUMPHDR_SIZE, header_size - DUMPHDR_SIZE);
}

static bool dumphdr_pow2_sector(uint32_t ss)
{
	return ss >= 512 && (ss & (ss - 1)) == 0;
}

/* (part_sectors - 1 - body_offset) x sector_size, false if it does not exist. */
static bool dumphdr_capacity(uint64_t part_sectors, uint64_t body_offset, uint32_t ss,
			     uint64_t *cap)
{
	uint64_t sectors;

	if (body_offset == 0 || part_sectors < 2 || body_offset >= part_sectors - 1)
		return false;
	sectors = part_sectors - 1 - body_offset;
	if (sectors > UINT64_MAX / ss)
		return false;
	*cap = sectors * ss;
	return true;
}

/* -------------------------------------------------------------- codec */

void dumphdr_set_text(char *field, size_t size, const char *text)
{
	size_t n = 0;

	if (field == NULL || size == 0)
		return;
	while (text != NULL && n + 1 < size && text[n] != '\0') {
		field[n] = text[n];
		n++;
	}
	memset(field + n, 0, size - n);
}

/* A field without a NUL loses its last byte to one; others stay as they are. */
static void dumphdr_terminate(char *field, size_t size)
{
	if (memchr(field, '\0', size) == NULL)
		field[size - 1] = '\0';
}

int dumphdr_encode(const struct dumphdr *h, void *sector, size_t len)
{
	uint8_t *p = sector;
	struct dumphdr c;

	if (h == NULL || p == NULL || len < DUMPHDR_SIZE)
		return -EINVAL;
	c = *h;
	memcpy(c.magic, DUMPHDR_MAGIC, DUMPHDR_MAGIC_LEN);
	c.version = DUMPHDR_VERSION;
	c.header_size = DUMPHDR_SIZE;
	dumphdr_terminate(c.release, sizeof(c.release));
	dumphdr_terminate(c.hostname, sizeof(c.hostname));
	dumphdr_terminate(c.pm_version, sizeof(c.pm_version));
	dumphdr_terminate(c.reason, sizeof(c.reason));
	memcpy(p, &c, DUMPHDR_SIZE);
	memset(p + DUMPHDR_SIZE, 0, len - DUMPHDR_SIZE);
	for (unsigned i = 0; i < DUMPHDR_NINTS; i++)
		dumphdr_put_le(p + dumphdr_ints[i].off, dumphdr_field(&c, i), dumphdr_ints[i].size);
	dumphdr_put_le(p + DUMPHDR_CRC_OFFSET, dumphdr_crc(p, DUMPHDR_SIZE), 4);
	return 0;
}

static int dumphdr_bad(const char **why, const char *text, int err)
{
	if (why != NULL)
		*why = text;
	return err;
}

static bool dumphdr_text_ok(const char *field, size_t size)
{
	return memchr(field, '\0', size) != NULL;
}

/* Lengths against the geometry and the (pre-CLEARED) status. */
static int dumphdr_check_lengths(const struct dumphdr *h, const char **why)
{
	uint32_t st = h->status == DUMPHDR_CLEARED ? h->prev_status : h->status;
	uint64_t cap;

	if (!dumphdr_capacity(h->part_sectors, h->body_offset, h->sector_size, &cap))
		return dumphdr_bad(why, "body_offset outside the partition", -EBADMSG);
	if (h->body_capacity != cap)
		return dumphdr_bad(why, "body_capacity does not match the partition", -EBADMSG);
	if (h->body_length > cap || h->body_length > h->needed_length)
		return dumphdr_bad(why, "body_length beyond the capacity or the needed length",
				   -EBADMSG);
	if (st == DUMPHDR_COMPLETE && h->body_length != h->needed_length)
		return dumphdr_bad(why, "COMPLETE but body_length differs from needed_length",
				   -EBADMSG);
	if (st == DUMPHDR_TRUNCATED && (h->body_length != cap || h->needed_length <= cap))
		return dumphdr_bad(why, "TRUNCATED but the body does not fill the partition",
				   -EBADMSG);
	return 0;
}

/* Everything after the CRC: status, geometry, text. */
static int dumphdr_check_fields(const struct dumphdr *h, const char **why)
{
	if ((h->flags & DUMPHDR_FLAG_DIGEST_HEAD) && h->body_format != DUMPHDR_BODY_ENCRYPTED)
		return dumphdr_bad(why, "a header-only digest on a body that is not encrypted",
				   -EBADMSG);
	if ((h->flags & DUMPHDR_FLAG_DIGEST_SPLIT) && (h->flags & DUMPHDR_FLAG_DIGEST_HEAD))
		return dumphdr_bad(why, "both a two-part and a header-only digest", -EBADMSG);
	if ((h->flags & DUMPHDR_FLAG_DIGEST_SPLIT) && h->body_format == DUMPHDR_BODY_ENCRYPTED)
		return dumphdr_bad(why, "a two-part digest on an encrypted body", -EBADMSG);
	if ((h->flags & DUMPHDR_FLAG_DIGEST_SPLIT) && h->digest_split > h->body_capacity)
		return dumphdr_bad(why, "a digest split past the body's capacity", -EBADMSG);
	if (!(h->flags & DUMPHDR_FLAG_DIGEST_SPLIT) && h->digest_split != 0)
		return dumphdr_bad(why, "a digest split without the two-part digest flag", -EBADMSG);
	if (h->status == 0 || h->status > DUMPHDR_STATUS_MAX)
		return dumphdr_bad(why, "unknown status", -EBADMSG);
	if (h->status == DUMPHDR_CLEARED ? (h->prev_status == 0 || h->prev_status >=
					     DUMPHDR_CLEARED) : h->prev_status != 0)
		return dumphdr_bad(why, "prev_status does not fit the status", -EBADMSG);
	if (!dumphdr_pow2_sector(h->sector_size) || h->header_size > h->sector_size)
		return dumphdr_bad(why, "sector_size not a power of two >= header_size", -EBADMSG);
	if (!dumphdr_text_ok(h->release, sizeof(h->release)) ||
	    !dumphdr_text_ok(h->hostname, sizeof(h->hostname)) ||
	    !dumphdr_text_ok(h->pm_version, sizeof(h->pm_version)) ||
	    !dumphdr_text_ok(h->reason, sizeof(h->reason)))
		return dumphdr_bad(why, "a text field is not NUL-terminated", -EBADMSG);
	return dumphdr_check_lengths(h, why);
}

int dumphdr_decode(const void *sector, size_t len, struct dumphdr *out, const char **why)
{
	const uint8_t *p = sector;

	dumphdr_bad(why, "no header (NULL or shorter than 512 bytes)", 0);
	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (p == NULL || len < DUMPHDR_SIZE)
		return -EINVAL;
	if (memcmp(p, DUMPHDR_MAGIC, DUMPHDR_MAGIC_LEN) != 0)
		return dumphdr_bad(why, "no dump header (magic \"PMDUMPHD\" absent)", -ENODATA);
	memcpy(out, p, DUMPHDR_SIZE);
	for (unsigned i = 0; i < DUMPHDR_NINTS; i++)
		dumphdr_set_field(out, i, dumphdr_get_le(p + dumphdr_ints[i].off,
							 dumphdr_ints[i].size));
	if (out->version != DUMPHDR_VERSION)
		return dumphdr_bad(why, "unknown version", -EBADMSG);
	if (out->header_size < DUMPHDR_SIZE || out->header_size > len || out->header_size % 8)
		return dumphdr_bad(why, "header_size out of range", -EBADMSG);
	if (dumphdr_crc(p, out->header_size) != out->crc32)
		return dumphdr_bad(why, "CRC32 mismatch (a torn or damaged sector)", -EBADMSG);
	return dumphdr_check_fields(out, why) ? -EBADMSG : dumphdr_bad(why, NULL, 0);
}

const char *dumphdr_status_name(uint32_t status)
{
	static const char *const names[] = {
		[DUMPHDR_INCOMPLETE] = "INCOMPLETE", [DUMPHDR_COMPLETE] = "COMPLETE",
		[DUMPHDR_TRUNCATED] = "TRUNCATED", [DUMPHDR_FAILED] = "FAILED",
		[DUMPHDR_CLEARED] = "CLEARED",
	};

	return status >= 1 && status <= DUMPHDR_STATUS_MAX ? names[status] : "unknown";
}

/* ------------------------------------------------------------- layout */

int dumphdr_layout(uint64_t part_sectors, uint32_t sector_size, uint64_t needed_bytes,
		   struct dumphdr_layout *out)
{
	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!dumphdr_pow2_sector(sector_size) || needed_bytes == 0)
		return -EINVAL;
	out->sector_size = sector_size;
	out->part_sectors = part_sectors;
	out->needed = needed_bytes;
	out->body_lba = sector_size < DUMPHDR_BODY_ALIGN ? DUMPHDR_BODY_ALIGN / sector_size : 1;
	out->trail_lba = part_sectors ? part_sectors - 1 : 0;
	if (part_sectors < out->body_lba + 2)
		return -ENOSPC;
	if (!dumphdr_capacity(part_sectors, out->body_lba, sector_size, &out->capacity))
		return -EINVAL;		/* more than 2^64 bytes */
	out->truncated = needed_bytes > out->capacity;
	out->body_bytes = out->truncated ? out->capacity : needed_bytes;
	return 0;
}

/* ---------------------------------------------------------- pair check */

static bool dumphdr_final(uint32_t status)
{
	return status == DUMPHDR_COMPLETE || status == DUMPHDR_TRUNCATED;
}

static bool dumphdr_fits(const struct dumphdr *h, uint64_t part_sectors, uint32_t ss)
{
	return h == NULL || (h->part_sectors == part_sectors && h->sector_size == ss);
}

/* Both copies decoded, same dump: the cases the write order allows. */
static int dumphdr_judge_same(const struct dumphdr *lead, const struct dumphdr *trail,
			      const char **why)
{
	if (trail->status == DUMPHDR_CLEARED)
		return dumphdr_bad(why, "the dump was saved and cleared", -ENODATA);
	if (!dumphdr_final(trail->status))
		return dumphdr_bad(why, "leading header final but the trailing one is not: "
				   "not written in the documented order", -EBADMSG);
	if (memcmp(lead, trail, sizeof(*lead)) != 0)
		return dumphdr_bad(why, "the two headers disagree", -EBADMSG);
	return dumphdr_bad(why, lead->status == DUMPHDR_COMPLETE ? "complete" :
			   "complete but truncated: the partition was too small", 0);
}

int dumphdr_check_pair(const struct dumphdr *lead, const struct dumphdr *trail,
		       uint64_t part_sectors, uint32_t sector_size, const char **why)
{
	if (lead == NULL && trail == NULL)
		return dumphdr_bad(why, "no dump header", -ENODATA);
	if (!dumphdr_fits(lead, part_sectors, sector_size) ||
	    !dumphdr_fits(trail, part_sectors, sector_size))
		return dumphdr_bad(why, "the partition's size or sector size differs from the "
				   "header's (resized since the dump?)", -EBADMSG);
	if (lead != NULL && lead->status == DUMPHDR_INCOMPLETE)
		return dumphdr_bad(why, trail != NULL && trail->dump_id == lead->dump_id &&
				   dumphdr_final(trail->status) ?
				   "the dump was cut short after its trailing header (leading "
				   "header still INCOMPLETE); the body is not trusted" :
				   "the dump was cut short; the body is not trusted", -EINPROGRESS);
	if (lead != NULL && lead->status == DUMPHDR_FAILED)
		return dumphdr_bad(why, "the kernel gave up writing the dump (see its reason)",
				   -ECANCELED);
	if (lead != NULL && lead->status == DUMPHDR_CLEARED &&
	    (trail == NULL || trail->dump_id == lead->dump_id))
		return dumphdr_bad(why, "the dump was saved and cleared", -ENODATA);
	if (lead == NULL)
		return dumphdr_bad(why, "the leading header is missing or damaged", -EBADMSG);
	if (trail == NULL)
		return dumphdr_bad(why, "the trailing header is missing or damaged", -EBADMSG);
	if (lead->dump_id != trail->dump_id)
		return dumphdr_bad(why, "the two headers belong to different dumps", -EBADMSG);
	return dumphdr_judge_same(lead, trail, why);
}

/* ----------------------------------------------------------- one copy */

int dumphdr_get(struct blkdev *part, bool trailing, void *scratch, size_t scratch_len,
		struct dumphdr *out, const char **why)
{
	int err;

	dumphdr_bad(why, "no partition or scratch", 0);
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (part == NULL || scratch == NULL || out == NULL || part->sectors == 0 ||
	    scratch_len < part->sector_size)
		return -EINVAL;
	err = blkdev_read(part, trailing ? part->sectors - 1 : 0, 1, scratch);
	if (err)
		return dumphdr_bad(why, "read error", err);
	return dumphdr_decode(scratch, part->sector_size, out, why);
}

int dumphdr_put(struct blkdev *part, bool trailing, const struct dumphdr *h, void *scratch,
		size_t scratch_len)
{
	int err;

	if (part == NULL || h == NULL || scratch == NULL || part->sectors == 0 ||
	    scratch_len < part->sector_size)
		return -EINVAL;
	err = dumphdr_encode(h, scratch, part->sector_size);
	if (err == 0)
		err = blkdev_write(part, trailing ? part->sectors - 1 : 0, 1, scratch);
	if (err == 0)
		err = blkdev_flush(part);	/* orders this header before the next write */
	return err;
}

/* ------------------------------------------------------------- writer */

/* ------------------------------------------------------------- digest */

void dumphdr_digest_init(struct dumphdr_digest *d, const struct dumphdr *h)
{
	memset(d, 0, sizeof(*d));
	crypto_sha256_init(&d->part[0]);
	crypto_sha256_init(&d->part[1]);
	d->limit = UINT64_MAX;
	d->split = UINT64_MAX;
	if (h->flags & DUMPHDR_FLAG_DIGEST_HEAD)
		d->limit = DUMPHDR_HEAD_DIGEST;
	else if (h->flags & DUMPHDR_FLAG_DIGEST_SPLIT) {
		d->two = true;
		d->split = h->digest_split;
	}
}

void dumphdr_digest_update(struct dumphdr_digest *d, const void *p, size_t len)
{
	const uint8_t *b = p;

	if (len > d->limit - d->at)
		len = (size_t)(d->limit - d->at);
	while (len) {
		size_t n = len;

		if (d->at < d->split && n > d->split - d->at)
			n = (size_t)(d->split - d->at);
		crypto_sha256_update(&d->part[d->at < d->split ? 0 : 1], b, n);
		d->at += n;
		b += n;
		len -= n;
	}
}

void dumphdr_digest_join(uint64_t split, const uint8_t meta[SHA256_LEN],
			 const uint8_t data[SHA256_LEN], uint8_t out[SHA256_LEN])
{
	struct crypto_sha256 sha;
	uint8_t le[8];

	dumphdr_put_le(le, split, sizeof(le));
	crypto_sha256_init(&sha);
	crypto_sha256_update(&sha, (const uint8_t *)DUMPHDR_SPLIT_TAG, 4);
	crypto_sha256_update(&sha, le, sizeof(le));
	crypto_sha256_update(&sha, meta, SHA256_LEN);
	crypto_sha256_update(&sha, data, SHA256_LEN);
	crypto_sha256_final(&sha, out);
}

void dumphdr_digest_final(struct dumphdr_digest *d, uint8_t out[SHA256_LEN])
{
	uint8_t meta[SHA256_LEN], data[SHA256_LEN];

	if (!d->two) {
		crypto_sha256_final(&d->part[0], out);
		return;
	}
	crypto_sha256_final(&d->part[0], meta);
	crypto_sha256_final(&d->part[1], data);
	dumphdr_digest_join(d->split, meta, data, out);
}

/* ------------------------------------------------------------- writer */

int dumphdr_writer_begin(struct dumphdr_writer *w, struct blkdev *part,
			 const struct dumphdr *tmpl, uint64_t needed_bytes, void *scratch,
			 size_t scratch_len)
{
	struct dumphdr *h;
	int err;

	if (w == NULL || part == NULL || tmpl == NULL || scratch == NULL)
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	if (scratch_len < part->sector_size)
		return -EINVAL;
	err = dumphdr_layout(part->sectors, part->sector_size, needed_bytes, &w->layout);
	if (err)
		return err;
	w->part = part;
	w->buf = scratch;
	w->buf_len = (scratch_len < DUMPHDR_MAX_BUF ? scratch_len : DUMPHDR_MAX_BUF) /
		     part->sector_size * part->sector_size;
	w->lba = w->layout.body_lba;
	crypto_sha256_init(&w->sha);
	h = &w->hdr;
	h->dump_id = tmpl->dump_id;
	h->created = tmpl->created;
	h->flags = tmpl->flags;
	h->body_format = tmpl->body_format ? tmpl->body_format : DUMPHDR_BODY_ELF;
	h->handoff_status = tmpl->handoff_status;
	memcpy(h->release, tmpl->release, sizeof(h->release));
	memcpy(h->hostname, tmpl->hostname, sizeof(h->hostname));
	memcpy(h->pm_version, tmpl->pm_version, sizeof(h->pm_version));
	/* An encrypted body: the digest of its stream header only (see end_body). */
	w->head_only = h->body_format == DUMPHDR_BODY_ENCRYPTED;
	if (w->head_only)
		h->flags |= DUMPHDR_FLAG_DIGEST_HEAD;
	h->status = DUMPHDR_INCOMPLETE;
	h->sector_size = part->sector_size;
	h->part_sectors = part->sectors;
	h->body_offset = w->layout.body_lba;
	h->body_capacity = w->layout.capacity;
	h->needed_length = needed_bytes;
	/* Step 1, leading INCOMPLETE; step 2, trailing INCOMPLETE (docs/dump-disk.md). */
	err = dumphdr_put(part, false, h, w->buf, w->buf_len);
	if (err == 0)
		err = dumphdr_put(part, true, h, w->buf, w->buf_len);
	w->err = err;
	return err;
}

/* Wait for the other CPU's hashing of the half written before; a failure
 * leaves the two-part digest to a whole read-back. */
static void dumphdr_writer_settle(struct dumphdr_writer *w)
{
	if (!w->pending)
		return;
	w->pending = false;
	if (w->hash_wait(w->hash_ctx) != 0)
		w->split_off = true;
}

/* Write the buffered bytes as whole sectors, the last one zero padded;
 * pages of a two-part digest are hashed (or handed to hash_start, and
 * the other half filled meanwhile) once written. */
static int dumphdr_writer_flush(struct dumphdr_writer *w)
{
	uint32_t ss = w->layout.sector_size;
	size_t sectors = (w->fill + ss - 1) / ss;
	int err;

	memset(w->buf + w->fill, 0, sectors * ss - w->fill);
	err = blkdev_write(w->part, w->lba, (uint32_t)sectors, w->buf);
	if (err)
		return w->err = err;
	dumphdr_writer_settle(w);	/* the other half is free again */
	if (w->split_set && !w->split_off) {
		if (w->half[0] != NULL &&
		    w->hash_start(w->hash_ctx, &w->data, w->buf, w->fill) == 0) {
			w->pending = true;
			w->cur ^= 1;
			w->buf = w->half[w->cur];
		} else {
			crypto_sha256_update(&w->data, w->buf, w->fill);
		}
	}
	w->lba += sectors;
	w->fill = 0;
	return 0;
}

/* Append (hashing in order unless the body is written at random: then
 * the pages are hashed as each buffer is flushed, the rest read back). */
static int dumphdr_writer_append(struct dumphdr_writer *w, const uint8_t *p, size_t len)
{
	w->offered += len;
	while (len && w->accepted < w->layout.capacity) {
		size_t n = w->buf_len - w->fill;

		if (n > len)
			n = len;
		if (n > w->layout.capacity - w->accepted)
			n = (size_t)(w->layout.capacity - w->accepted);
		memcpy(w->buf + w->fill, p, n);
		if (!w->random && !w->head_only)
			crypto_sha256_update(&w->sha, p, n);
		w->fill += n;
		w->accepted += n;
		p += n;
		len -= n;
		if (w->fill == w->buf_len && dumphdr_writer_flush(w))
			return w->err;
	}
	return 0;
}

int dumphdr_writer_body(struct dumphdr_writer *w, const void *data, size_t len)
{
	if (w == NULL || (data == NULL && len != 0))
		return -EINVAL;
	if (w->err || w->body_done)
		return w->err ? w->err : -EINVAL;
	return dumphdr_writer_append(w, data, len);
}

int dumphdr_writer_body_at(struct dumphdr_writer *w, uint64_t off, const void *data, size_t len)
{
	uint32_t ss;
	uint64_t cap, n, at;
	int err;

	if (w == NULL || (data == NULL && len != 0))
		return -EINVAL;
	if (w->err || w->body_done)
		return w->err ? w->err : -EINVAL;
	ss = w->layout.sector_size;
	cap = w->layout.capacity;
	w->random = true;
	if (off == w->offered)
		return dumphdr_writer_append(w, data, len);
	if (off % ss != 0)
		return w->err = -EINVAL;	/* not on a sector boundary */
	if (off > w->offered) {
		/* Forward: the appends go on at off; [offered, off) is a gap
		 * that whole sectors fill later.  What is buffered goes now,
		 * and must end on a sector boundary. */
		if (w->offered % ss != 0)
			return w->err = -EINVAL;
		if (w->fill && dumphdr_writer_flush(w))
			return w->err;
		at = off < cap ? off : cap;
		if (w->head_only) {
			/* encrypted: only its header block is hashed (end_body) */
		} else if (w->split_set) {
			w->split_off = true;	/* the pages are not one run: read all back */
		} else {
			/* The pages start here: hashed as they are written. */
			w->split_set = true;
			w->split = at;
			crypto_sha256_init(&w->data);
			if (w->hash_start != NULL && w->hash_wait != NULL &&
			    w->buf_len >= 2 * (size_t)ss) {
				w->buf_len = w->buf_len / 2 / ss * ss;
				w->half[0] = w->buf;
				w->half[1] = w->buf + w->buf_len;
				w->cur = 0;
			}
		}
		w->gap += at - w->accepted;
		w->accepted = at;
		w->lba = w->layout.body_lba + at / ss;
		w->offered = off;
		return dumphdr_writer_append(w, data, len);
	}
	/* Below the appends: whole sectors into a gap, never over the bytes
	 * still waiting in the buffer; what lies past the capacity dropped. */
	if (len % ss != 0)
		return w->err = -EINVAL;
	if (off >= cap || len == 0)
		return 0;
	n = cap - off < len ? cap - off : len;
	if (n > w->accepted - w->fill || off > w->accepted - w->fill - n)
		return w->err = -EINVAL;
	if (w->split_set && off + n > w->split)
		w->split_off = true;	/* over pages already hashed: read all back */
	err = blkdev_write(w->part, w->layout.body_lba + off / ss, (uint32_t)(n / ss), data);
	if (err)
		return w->err = err;
	w->filled += n;
	return 0;
}

/* Hash the body's first n bytes as the medium holds them into w->sha. */
static int dumphdr_writer_read_back(struct dumphdr_writer *w, uint64_t n, bool progress)
{
	uint32_t ss = w->layout.sector_size;

	crypto_sha256_init(&w->sha);
	for (uint64_t at = 0; at < n;) {
		uint64_t m = n - at < w->buf_len ? n - at : w->buf_len;
		int err = blkdev_read(w->part, w->layout.body_lba + at / ss,
				      (uint32_t)((m + ss - 1) / ss), w->buf);

		if (err)
			return w->err = err;
		crypto_sha256_update(&w->sha, w->buf, (size_t)m);
		at += m;
		if (progress && w->progress)
			w->progress(w->progress_ctx, at, n);
	}
	return 0;
}

int dumphdr_writer_end_body(struct dumphdr_writer *w)
{
	bool two;
	int err;

	if (w == NULL)
		return -EINVAL;
	if (w->err || w->body_done)
		return w->err;
	if (w->fill && dumphdr_writer_flush(w))
		return w->err;
	dumphdr_writer_settle(w);
	/* Step 3's end: the body is on the medium before any header says COMPLETE. */
	err = blkdev_flush(w->part);
	if (err)
		return w->err = err;
	/* Written at random: every gap filled, as many bytes as jumped over
	 * (in order both stay 0). */
	if (w->filled != w->gap)
		return w->err = -EIO;
	two = w->split_set && !w->split_off;
	if (w->head_only) {
		/* An encrypted body: the digest of its first DUMPHDR_HEAD_DIGEST
		 * bytes (the stream's header block, as the medium holds it); the
		 * AES-GCM tags authenticate the rest, so the body is neither
		 * hashed as it goes nor read back. */
		err = dumphdr_writer_read_back(w, w->accepted < DUMPHDR_HEAD_DIGEST ? w->accepted :
					       DUMPHDR_HEAD_DIGEST, false);
	} else if (two) {
		/* The pages in one run, hashed as written: the part before them
		 * (headers, bitmaps, descriptors) read back, the two joined. */
		err = dumphdr_writer_read_back(w, w->split < w->accepted ? w->split : w->accepted, true);
	} else if (w->random) {
		/* Otherwise at random: the body as the medium holds it, read back. */
		err = dumphdr_writer_read_back(w, w->accepted, true);
	}
	if (err)
		return w->err;
	if (two) {
		uint8_t meta[SHA256_LEN], data[SHA256_LEN];

		crypto_sha256_final(&w->sha, meta);
		crypto_sha256_final(&w->data, data);
		dumphdr_digest_join(w->split, meta, data, w->hdr.body_sha256);
		w->hdr.flags |= DUMPHDR_FLAG_DIGEST_SPLIT;
		w->hdr.digest_split = w->split;
	} else {
		crypto_sha256_final(&w->sha, w->hdr.body_sha256);
	}
	w->hdr.body_length = w->accepted;
	w->hdr.needed_length = w->offered;
	w->body_done = true;
	return 0;
}

int dumphdr_writer_finish(struct dumphdr_writer *w, uint64_t finished_time)
{
	int err = dumphdr_writer_end_body(w);

	if (err)
		return err;
	w->hdr.status = w->accepted < w->offered ? DUMPHDR_TRUNCATED : DUMPHDR_COMPLETE;
	w->hdr.finished = finished_time;
	/* Step 4, trailing final; step 5, leading final: the leading copy goes last. */
	err = dumphdr_put(w->part, true, &w->hdr, w->buf, w->buf_len);
	if (err == 0)
		err = dumphdr_put(w->part, false, &w->hdr, w->buf, w->buf_len);
	w->err = err;
	return err;
}

int dumphdr_writer_fail(struct dumphdr_writer *w, const char *reason, uint64_t finished_time)
{
	struct dumphdr *h;
	uint64_t written;
	int err, err2;

	if (w == NULL || w->part == NULL || w->buf == NULL)
		return -EINVAL;
	dumphdr_writer_settle(w);	/* no other CPU still reading our buffer */
	h = &w->hdr;
	written = (w->lba - w->layout.body_lba) * w->layout.sector_size;
	h->status = DUMPHDR_FAILED;
	h->finished = finished_time;
	if (h->needed_length < w->offered)
		h->needed_length = w->offered;
	/* What reached the medium, for a forced read; no digest over it. */
	h->body_length = written < w->accepted ? written : w->accepted;
	memset(h->body_sha256, 0, sizeof(h->body_sha256));
	h->flags &= ~DUMPHDR_FLAG_DIGEST_SPLIT;
	h->digest_split = 0;
	dumphdr_set_text(h->reason, sizeof(h->reason), reason);
	err = dumphdr_put(w->part, true, h, w->buf, w->buf_len);
	err2 = dumphdr_put(w->part, false, h, w->buf, w->buf_len);
	w->err = err ? err : err2;
	return w->err;
}
