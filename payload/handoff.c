/*
 * Handoff block: the writer, the verifier and the record iterator.  The
 * format and the interface are in payload/handoff.h; the record decoders
 * and names are in payload/handoff_records.c.
 *
 * Pure module: no globals, no I/O, no allocation; builds unchanged into the
 * kernel (freestanding, newlib headers), tools/postmortem and the tests.
 * The block is hostile input until handoff_verify() returns 0: every length
 * is compared with what remains before it is added to an offset (so no sum
 * can wrap), and every field is copied into an aligned local with memcpy.
 * Messages are built by hand (no snprintf in the kernel) into the fixed
 * reason buffer of struct handoff_status, cut short rather than overrun.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/hmac_sha256.h"
#include "crypto/sha256.h"
#include "formats/textbuf.h"
#include "payload/handoff.h"

/* memcpy into wire structs reads little-endian fields as the host's. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

/* Zero bytes that pad n payload bytes to the next multiple of 8. */
static size_t handoff_pad(uint64_t n)
{
	return (size_t)((HANDOFF_ALIGN - n % HANDOFF_ALIGN) % HANDOFF_ALIGN);
}

/* ------------------------------------------------------------------ writer */

struct handoff_part {
	const void *p;
	size_t n;
};

void handoff_writer_init(struct handoff_writer *w, void *buf, size_t cap, uint64_t created)
{
	w->buf = buf;
	w->cap = buf != NULL ? cap : 0;
	w->len = HANDOFF_HEADER_SIZE;	/* > cap when the header cannot fit */
	w->count = 0;
	w->created = created;
	if (w->cap >= HANDOFF_HEADER_SIZE)
		memset(w->buf, 0, HANDOFF_HEADER_SIZE);
}

/*
 * Append one record whose payload is the concatenation of parts.  Checks
 * all the room first, so a record is either written whole or not at all.
 */
static int handoff_put(struct handoff_writer *w, uint32_t type, uint32_t flags,
		       const struct handoff_part *parts, size_t nparts)
{
	struct handoff_record_header h;
	size_t payload = 0, room, pad, off, i;

	for (i = 0; i < nparts; i++) {
		if (parts[i].p == NULL && parts[i].n > 0)
			return -EINVAL;
		if (parts[i].n > SIZE_MAX - payload)
			return -ENOSPC;
		payload += parts[i].n;
	}
	if (w->len > w->cap || w->count == UINT32_MAX)
		return -ENOSPC;
	room = w->cap - w->len;
	pad = handoff_pad(payload);
	if (room < sizeof(h) || payload > room - sizeof(h) ||
	    pad > room - sizeof(h) - payload)
		return -ENOSPC;
	h.type = type;
	h.flags = flags;
	h.length = payload;
	off = w->len;
	memcpy(w->buf + off, &h, sizeof(h));
	off += sizeof(h);
	for (i = 0; i < nparts; i++) {
		if (parts[i].n > 0)
			memcpy(w->buf + off, parts[i].p, parts[i].n);
		off += parts[i].n;
	}
	memset(w->buf + off, 0, pad);
	w->len = off + pad;
	w->count++;
	return 0;
}

int handoff_add(struct handoff_writer *w, uint32_t type, uint32_t flags,
		const void *payload, size_t len)
{
	struct handoff_part p = { payload, len };

	return handoff_put(w, type, flags, &p, 1);
}

/* An array record: the 8-byte array header, then count entries of size. */
static int handoff_put_array(struct handoff_writer *w, uint32_t type,
			     uint32_t entry_size, uint32_t entry_version,
			     const void *entries, size_t count)
{
	struct handoff_array_header ah = { entry_size, entry_version };
	struct handoff_part p[2] = { { &ah, sizeof(ah) }, { entries, 0 } };

	if (entry_size == 0 || entry_size % HANDOFF_ALIGN != 0)
		return -EINVAL;
	if (count > SIZE_MAX / entry_size)
		return -ENOSPC;
	p[1].n = count * entry_size;
	return handoff_put(w, type, 0, p, 2);
}

int handoff_add_efi_memmap(struct handoff_writer *w, uint32_t desc_size,
			   uint32_t desc_version, const void *descs, size_t count)
{
	if (desc_size < sizeof(struct handoff_efi_memory_descriptor))
		return -EINVAL;
	return handoff_put_array(w, HANDOFF_TYPE_EFI_MEMMAP, desc_size,
				 desc_version, descs, count);
}

int handoff_add_config_tables(struct handoff_writer *w,
			      const struct handoff_config_table *t, size_t count)
{
	return handoff_put_array(w, HANDOFF_TYPE_EFI_CONFIG_TABLES, sizeof(*t), 0, t, count);
}

int handoff_add_runtime_map(struct handoff_writer *w,
			    const struct handoff_runtime_entry *e, size_t count)
{
	return handoff_put_array(w, HANDOFF_TYPE_EFI_RUNTIME_MAP, sizeof(*e), 0, e, count);
}

int handoff_add_dump_ranges(struct handoff_writer *w,
			    const struct handoff_dump_range *r, size_t count)
{
	return handoff_put_array(w, HANDOFF_TYPE_DUMP_RANGES, sizeof(*r), 0, r, count);
}

int handoff_add_memmap(struct handoff_writer *w,
		       const struct handoff_memmap_entry *e, size_t count)
{
	return handoff_put_array(w, HANDOFF_TYPE_MEMMAP, sizeof(*e), 0, e, count);
}

int handoff_add_dump_file(struct handoff_writer *w, const struct handoff_dump_file *head,
			  const struct dumpfile_extent *ext, size_t n)
{
	struct handoff_dump_file h;
	struct handoff_part p[2] = { { &h, sizeof(h) }, { ext, 0 } };
	const char *why;

	if (w == NULL || head == NULL || ext == NULL || n > DUMPFILE_MAX_EXTENTS)
		return -EINVAL;
	h = *head;
	h.head_size = sizeof(h);
	h.extent_size = sizeof(*ext);
	h.extent_count = (uint32_t)n;
	memset(h.reserved0, 0, sizeof(h.reserved0));
	if (handoff_dump_file_judge(&h, ext, n, &why) != 0)
		return -EINVAL;
	p[1].n = n * sizeof(*ext);
	return handoff_put(w, HANDOFF_TYPE_DUMP_FILE, 0, p, 2);
}

int handoff_add_dump_key(struct handoff_writer *w, const struct handoff_dump_key *k)
{
	struct handoff_dump_key h;
	struct handoff_part p[2] = { { &h, HANDOFF_DUMP_KEY_HEAD }, { NULL, 0 } };
	int ret = -EINVAL;

	if (w == NULL || k == NULL)
		return -EINVAL;
	h = *k;
	h.version = HANDOFF_DUMP_KEY_VERSION;
	h.cipher = HANDOFF_DUMP_KEY_CIPHER;
	h.wrap = HANDOFF_DUMP_KEY_WRAP;
	if (handoff_dump_key_judge(&h, NULL) == 0) {
		p[1].p = h.wrapped;
		p[1].n = h.wrapped_len;
		ret = handoff_put(w, HANDOFF_TYPE_DUMP_KEY, HANDOFF_RECORD_CRITICAL, p, 2);
	}
	crypto_wipe(&h, sizeof(h));	/* the master key leaves no copy here */
	return ret;
}

int handoff_add_efi_systab(struct handoff_writer *w, const struct handoff_efi_systab *s)
{
	return handoff_add(w, HANDOFF_TYPE_EFI_SYSTAB, 0, s, sizeof(*s));
}

int handoff_add_creator(struct handoff_writer *w, const struct handoff_creator *c)
{
	return handoff_add(w, HANDOFF_TYPE_CREATOR, 0, c, sizeof(*c));
}

int handoff_add_table_copy(struct handoff_writer *w, const uint8_t guid[16],
			   uint64_t address, const void *bytes, size_t len)
{
	struct handoff_table_copy h;
	struct handoff_part p[2] = { { &h, sizeof(h) }, { bytes, len } };

	if (guid == NULL)
		return -EINVAL;
	memcpy(h.guid, guid, sizeof(h.guid));
	h.address = address;
	h.length = len;
	return handoff_put(w, HANDOFF_TYPE_TABLE_COPY, 0, p, 2);
}

int handoff_add_acpi_rsdp(struct handoff_writer *w, uint64_t address,
			  const void *bytes, size_t len)
{
	struct handoff_acpi_rsdp h = { address, len };
	struct handoff_part p[2] = { { &h, sizeof(h) }, { bytes, len } };

	return handoff_put(w, HANDOFF_TYPE_ACPI_RSDP, 0, p, 2);
}

int handoff_add_smbios(struct handoff_writer *w, uint64_t ep_address,
		       const void *ep, size_t ep_len, uint64_t table_address,
		       const void *table, size_t table_len)
{
	struct handoff_smbios h = { ep_address, ep_len, table_address, table_len };
	struct handoff_part p[3] = {
		{ &h, sizeof(h) }, { ep, ep_len }, { table, table_len },
	};

	return handoff_put(w, HANDOFF_TYPE_SMBIOS, 0, p, 3);
}

int handoff_add_vmcoreinfo(struct handoff_writer *w, uint64_t note_address,
			   uint64_t note_size, const char *text, size_t len)
{
	struct handoff_vmcoreinfo h = { note_address, note_size };
	struct handoff_part p[2] = { { &h, sizeof(h) }, { text, len } };

	return handoff_put(w, HANDOFF_TYPE_VMCOREINFO, 0, p, 2);
}

int handoff_finish(struct handoff_writer *w, size_t *total)
{
	struct handoff_header h;
	uint8_t digest[SHA256_LEN];

	if (w->len > w->cap)
		return -ENOSPC;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, HANDOFF_MAGIC, HANDOFF_MAGIC_LEN);
	h.version = HANDOFF_VERSION;
	h.header_size = HANDOFF_HEADER_SIZE;
	h.record_count = w->count;
	h.total_size = w->len;
	h.created = w->created;
	/* The digest covers the block with its own field zero, as written here. */
	memcpy(w->buf, &h, sizeof(h));
	crypto_sha256(w->buf, w->len, digest);
	memcpy(w->buf + HANDOFF_DIGEST_OFFSET, digest, SHA256_LEN);
	if (total != NULL)
		*total = w->len;
	return 0;
}

/* ---------------------------------------------------------------- messages */

/*
 * Set the reason: one line, cut at its buffer's end if it must be; every
 * message goes through here.
 */
static void handoff_say(struct handoff_status *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void handoff_say(struct handoff_status *st, const char *fmt, ...)
{
	struct textbuf t;
	va_list ap;

	textbuf_init(&t, st->reason, sizeof(st->reason));
	va_start(ap, fmt);
	textbuf_vadd_part(&t, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ reader */

enum handoff_bad {
	HANDOFF_OK,
	HANDOFF_BAD_HEAD,	/* record header crosses the end */
	HANDOFF_BAD_PAYLOAD,	/* payload crosses the end */
	HANDOFF_BAD_PAD,	/* padding crosses the end */
};

/*
 * Check the record at off (a multiple of 8, <= limit) of b[0..limit): its
 * header, payload and padding must end by limit.  On success *next is the
 * following record's offset.  Every comparison is against what remains, so
 * a length near 2^64 cannot wrap an offset.
 */
static enum handoff_bad handoff_record_at(const uint8_t *b, size_t off, size_t limit,
					  struct handoff_record_header *rh, size_t *next)
{
	size_t left = limit - off;

	if (left < sizeof(*rh))
		return HANDOFF_BAD_HEAD;
	memcpy(rh, b + off, sizeof(*rh));
	left -= sizeof(*rh);
	if (rh->length > left)
		return HANDOFF_BAD_PAYLOAD;
	left -= (size_t)rh->length;
	if (handoff_pad(rh->length) > left)
		return HANDOFF_BAD_PAD;
	*next = limit - left + handoff_pad(rh->length);
	return HANDOFF_OK;
}

/* Checks of the fixed header, in the documented order. */
static int handoff_check_header(const uint8_t *b, size_t len, struct handoff_status *st,
				struct handoff_header *h)
{

	if (len < HANDOFF_HEADER_SIZE) {
		handoff_say(st, "too short: %zu bytes, a handoff header needs 80", len);
		return -EINVAL;
	}
	memcpy(h, b, sizeof(*h));
	if (memcmp(h->magic, HANDOFF_MAGIC, HANDOFF_MAGIC_LEN) != 0) {
		handoff_say(st, "bad magic: not a handoff block (no \"PMHANDOF\" at offset 0)");
		return -EBADMSG;
	}
	st->version = h->version;
	st->record_count = h->record_count;
	st->total_size = h->total_size;
	st->created = h->created;
	memcpy(st->stored_digest, h->sha256, SHA256_LEN);
	if (h->version != HANDOFF_VERSION) {
		handoff_say(st, "unsupported version %llu (this reader knows version 1)",
			    (unsigned long long)h->version);
		return -EBADMSG;
	}
	if (h->header_size < HANDOFF_HEADER_SIZE || h->header_size % HANDOFF_ALIGN != 0) {
		handoff_say(st, "bad header_size %llu (must be >= 80 and a multiple of 8)",
			    (unsigned long long)h->header_size);
		return -EBADMSG;
	}
	if (h->total_size < h->header_size) {
		handoff_say(st, "bad total_size %llu: smaller than the %llu-byte header",
			    (unsigned long long)h->total_size, (unsigned long long)h->header_size);
		return -EBADMSG;
	}
	if (h->total_size > len) {
		handoff_say(st, "truncated: header says %llu bytes, %zu present",
			    (unsigned long long)h->total_size, len);
		return -EINVAL;
	}
	return 0;
}

/* Say why the record at off does not fit in a block of total bytes. */
static void handoff_msg_overrun(struct handoff_status *st, enum handoff_bad why,
				uint32_t index, const struct handoff_record_header *rh,
				size_t off, size_t total)
{
	if (why == HANDOFF_BAD_HEAD) {
		handoff_say(st, "record %" PRIu32 " header at offset %zu overruns the block "
			    "(%zu bytes left, a record header needs 16)", index, off, total - off);
		return;
	}
	handoff_say(st, "record %" PRIu32 " (type %llu) %s %llu overruns the block at offset "
		    "%zu (block is %zu bytes)", index, (unsigned long long)rh->type,
		    why == HANDOFF_BAD_PAD ? "padding of length" : "length",
		    (unsigned long long)rh->length, off, total);
}

/*
 * Walk every record of b[header_size..total): bounds, then record_count,
 * then unknown critical records (reported in that order).
 */
static int handoff_walk(const uint8_t *b, const struct handoff_header *h,
			struct handoff_status *st)
{
	struct handoff_record_header rh;
	size_t off = h->header_size, total = (size_t)h->total_size, next = 0;
	size_t crit_off = 0;
	uint32_t n = 0, crit_index = 0, crit_type = 0;
	bool crit = false;
	enum handoff_bad why;

	while (off < total) {
		why = handoff_record_at(b, off, total, &rh, &next);
		if (why != HANDOFF_OK) {
			st->error_offset = off;
			handoff_msg_overrun(st, why, n, &rh, off, total);
			return -EBADMSG;
		}
		if (!handoff_type_known(rh.type)) {
			if ((rh.flags & HANDOFF_RECORD_CRITICAL) && !crit) {
				crit = true;
				crit_index = n;
				crit_type = rh.type;
				crit_off = off;
			}
			st->unknown_records++;
		}
		st->records_walked = ++n;
		off = next;
	}
	if (n != h->record_count) {
		handoff_say(st, "record_count says %llu, but %" PRIu32 " records fill the block",
			    (unsigned long long)h->record_count, n);
		return -EBADMSG;
	}
	if (crit) {
		st->error_offset = crit_off;
		handoff_say(st, "record %" PRIu32 " (type %" PRIu32 ") at offset %zu is critical "
			    "and unknown to this reader", crit_index, crit_type, crit_off);
		return -EPROTO;
	}
	return 0;
}

/* SHA-256 of b[0..total) with the digest field read as zero. */
static void handoff_digest(const uint8_t *b, size_t total, uint8_t out[SHA256_LEN])
{
	static const uint8_t zero[SHA256_LEN];
	struct crypto_sha256 ctx;

	crypto_sha256_init(&ctx);
	crypto_sha256_update(&ctx, b, HANDOFF_DIGEST_OFFSET);
	crypto_sha256_update(&ctx, zero, SHA256_LEN);
	crypto_sha256_update(&ctx, b + HANDOFF_DIGEST_OFFSET + SHA256_LEN,
			     total - HANDOFF_DIGEST_OFFSET - SHA256_LEN);
	crypto_sha256_final(&ctx, out);
}

int handoff_verify(const void *buf, size_t len, struct handoff_status *st)
{
	struct handoff_status local;
	struct handoff_header h;
	char said[2 * SHA256_LEN + 1], got[2 * SHA256_LEN + 1];
	const uint8_t *b = buf;
	int r;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (buf == NULL) {
		handoff_say(st, "no block (NULL buffer)");
		return -EINVAL;
	}
	r = handoff_check_header(b, len, st, &h);
	if (r == 0)
		r = handoff_walk(b, &h, st);
	if (r != 0)
		return r;
	handoff_digest(b, (size_t)h.total_size, st->digest);
	st->digest_checked = true;
	if (memcmp(st->digest, h.sha256, SHA256_LEN) != 0) {
		st->error_offset = HANDOFF_DIGEST_OFFSET;
		crypto_sha256_hex(h.sha256, said);
		crypto_sha256_hex(st->digest, got);
		handoff_say(st, "digest mismatch: block says %.16s..., computed %.16s...", said, got);
		return -HANDOFF_EDIGEST;
	}
	handoff_say(st, "ok: %llu records, %llu bytes", (unsigned long long)h.record_count,
		    (unsigned long long)h.total_size);
	return 0;
}

int handoff_next(const void *buf, size_t len, size_t *cursor, struct handoff_record *rec)
{
	struct handoff_header h;
	struct handoff_record_header rh;
	const uint8_t *b = buf;
	size_t limit = len, off, next = 0;

	if (buf == NULL || cursor == NULL || rec == NULL)
		return -EINVAL;
	if (len < HANDOFF_HEADER_SIZE)
		return -EBADMSG;
	memcpy(&h, b, sizeof(h));
	if (memcmp(h.magic, HANDOFF_MAGIC, HANDOFF_MAGIC_LEN) != 0 ||
	    h.version != HANDOFF_VERSION || h.header_size < HANDOFF_HEADER_SIZE ||
	    h.header_size % HANDOFF_ALIGN != 0 || h.header_size > len)
		return -EBADMSG;
	/* A sane total_size bounds the walk; a truncated block walks what is here. */
	if (h.total_size >= h.header_size && h.total_size < len)
		limit = (size_t)h.total_size;
	off = *cursor != 0 ? *cursor : h.header_size;
	if (off < h.header_size || off % HANDOFF_ALIGN != 0 || off > limit)
		return -EINVAL;
	if (off == limit)
		return -ENOENT;
	if (handoff_record_at(b, off, limit, &rh, &next) != HANDOFF_OK)
		return -EBADMSG;
	rec->type = rh.type;
	rec->flags = rh.flags;
	rec->length = rh.length;
	rec->offset = off;
	rec->payload = b + off + sizeof(rh);
	*cursor = next;
	return 0;
}
