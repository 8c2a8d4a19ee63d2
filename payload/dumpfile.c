/*
 * The dump file's pure parts (payload/dumpfile.h): geometry, the extent
 * list's validation, segments, the dump-region mapping, the marker and the
 * file header.  Every number read from a file, a disk or a handoff record
 * is bounded before use; sums are compared with what remains, never
 * computed first.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/crc32.h"
#include "formats/blkdev.h"
#include "payload/dumpfile.h"

static bool pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

int dumpfile_geom_init(struct dumpfile_geom *g, uint32_t sector_size, uint32_t stride)
{
	if (g == NULL || sector_size < 512 || sector_size > DUMPFILE_BLOCK || !pow2(sector_size) ||
	    stride < DUMPFILE_STRIDE_MIN || stride > DUMPFILE_STRIDE_MAX || !pow2(stride))
		return -EINVAL;
	g->sector_size = sector_size;
	g->stride = stride;
	g->marker_sectors = DUMPFILE_BLOCK / sector_size;
	g->stride_sectors = stride / sector_size;
	return 0;
}

/*
 * Segments of an extent of count sectors: one every stride, except that a
 * tail no longer than a marker block stays with the segment before it (so
 * the last segment is 1 .. stride + marker block sectors long).
 */
static uint64_t extent_segments(const struct dumpfile_geom *g, uint64_t count)
{
	uint64_t s = count / g->stride_sectors + (count % g->stride_sectors > g->marker_sectors);

	return s != 0 ? s : 1;
}

/* Length of the segment that starts `left` sectors before its extent's end. */
static uint64_t segment_len(const struct dumpfile_geom *g, uint64_t left)
{
	return extent_segments(g, left) == 1 ? left : g->stride_sectors;
}

int dumpfile_extents_check(const struct dumpfile_extent *ext, size_t n,
			   const struct dumpfile_geom *g, uint64_t disk_sectors,
			   struct dumpfile_totals *t, const char **why)
{
	struct dumpfile_totals sum = { 0, 0, 0 };
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (ext == NULL || g == NULL || t == NULL || g->marker_sectors == 0 ||
	    g->stride_sectors <= g->marker_sectors) {
		*why = "bad arguments";
		return -EINVAL;
	}
	if (n == 0 || n > DUMPFILE_MAX_EXTENTS) {
		*why = n == 0 ? "no extents" : "more extents than 4096";
		return -EBADMSG;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t s = ext[i].start, c = ext[i].count, segs;

		/* each segment of the extent needs its marker block and a sector after it */
		if (c <= g->marker_sectors) {
			*why = "an extent shorter than a marker block and one sector";
			return -EBADMSG;
		}
		if (s > UINT64_MAX - c) {
			*why = "an extent that wraps past 2^64 sectors";
			return -EBADMSG;
		}
		if (disk_sectors != 0 && s + c > disk_sectors) {
			*why = "an extent past the end of the disk";
			return -EBADMSG;
		}
		if (c > UINT64_MAX - sum.file_sectors || c > UINT64_MAX / g->sector_size -
		    sum.file_sectors) {
			*why = "extents that add up past 2^64 bytes";
			return -EBADMSG;
		}
		segs = extent_segments(g, c);
		if (segs > UINT32_MAX - sum.segments) {
			*why = "more than 2^32 segments";
			return -EBADMSG;
		}
		sum.file_sectors += c;
		sum.segments += segs;
		sum.dump_sectors += c - segs * g->marker_sectors;
		for (size_t j = 0; j < i; j++)
			if (s < ext[j].start + ext[j].count && ext[j].start < s + c) {
				*why = "two extents share sectors";
				return -EBADMSG;
			}
	}
	*t = sum;
	return 0;
}

int dumpfile_segment_next(const struct dumpfile_extent *ext, size_t n,
			  const struct dumpfile_geom *g, struct dumpfile_cursor *c,
			  struct dumpfile_segment *out)
{
	uint64_t left;

	if (ext == NULL || g == NULL || c == NULL || out == NULL || g->stride_sectors == 0)
		return -EINVAL;
	while (c->extent < n && c->within >= ext[c->extent].count) {
		c->file += ext[c->extent].count;
		c->within = 0;
		c->extent++;
	}
	if (c->extent >= n)
		return -ENOENT;
	left = ext[c->extent].count - c->within;
	out->index = c->index;
	out->extent = (uint32_t)c->extent;
	out->device_sector = ext[c->extent].start + c->within;
	out->file_sector = c->file + c->within;
	out->sectors = segment_len(g, left);
	c->within += out->sectors;
	c->index++;
	return 0;
}

int dumpfile_segment_at(const struct dumpfile_extent *ext, size_t n,
			const struct dumpfile_geom *g, uint64_t k, struct dumpfile_segment *out)
{
	uint64_t file = 0, first = 0;

	if (ext == NULL || g == NULL || out == NULL || g->stride_sectors == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		uint64_t segs = extent_segments(g, ext[i].count);

		if (k - first < segs) {
			uint64_t off = (k - first) * g->stride_sectors;

			out->index = (uint32_t)k;
			out->extent = (uint32_t)i;
			out->device_sector = ext[i].start + off;
			out->file_sector = file + off;
			out->sectors = segment_len(g, ext[i].count - off);
			return 0;
		}
		first += segs;
		file += ext[i].count;
	}
	return -ERANGE;
}

int dumpfile_map(const struct dumpfile_extent *ext, size_t n, const struct dumpfile_geom *g,
		 uint64_t d, struct dumpfile_run *out)
{
	uint64_t file = 0, per;

	if (ext == NULL || g == NULL || out == NULL || g->stride_sectors <= g->marker_sectors)
		return -EINVAL;
	per = g->stride_sectors - g->marker_sectors;	/* dump sectors of a whole segment */
	for (size_t i = 0; i < n; i++) {
		uint64_t c = ext[i].count, segs = extent_segments(g, c);
		uint64_t cap = c - segs * g->marker_sectors;

		if (d < cap) {
			uint64_t k = d / per < segs - 1 ? d / per : segs - 1, o = d - k * per;
			uint64_t seg_off = k * g->stride_sectors;
			uint64_t seg_len = segment_len(g, c - seg_off);

			out->device_sector = ext[i].start + seg_off + g->marker_sectors + o;
			out->file_sector = file + seg_off + g->marker_sectors + o;
			out->count = seg_len - g->marker_sectors - o;
			return 0;
		}
		d -= cap;
		file += c;
	}
	return -ERANGE;
}

/* ------------------------------------------------------------------ marker */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

int dumpfile_marker_encode(const uint8_t nonce[DUMPFILE_NONCE_LEN],
			   const struct dumpfile_segment *s, uint32_t sector_size,
			   void *buf, size_t len)
{
	uint8_t *b = buf;

	if (nonce == NULL || s == NULL || b == NULL || len < DUMPFILE_MARKER_SIZE)
		return -EINVAL;
	memset(b, 0, DUMPFILE_MARKER_SIZE);
	memcpy(b, DUMPFILE_MARKER_MAGIC, 8);
	memcpy(b + 0x08, nonce, DUMPFILE_NONCE_LEN);
	put32(b + 0x18, DUMPFILE_VERSION);
	put32(b + 0x1c, s->index);
	put32(b + 0x20, s->extent);
	put64(b + 0x28, s->file_sector * sector_size);
	put64(b + 0x30, s->device_sector);
	put32(b + 0x38, sector_size);
	put32(b + 0x3c, crc32(b, 0x3c));
	return 0;
}

int dumpfile_marker_check(const void *buf, size_t len, const uint8_t nonce[DUMPFILE_NONCE_LEN],
			  const struct dumpfile_segment *s, uint32_t sector_size,
			  const char **why)
{
	const uint8_t *b = buf;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (b == NULL || nonce == NULL || s == NULL || len < DUMPFILE_MARKER_SIZE) {
		*why = "no marker to check";
		return -EINVAL;
	}
	if (memcmp(b, DUMPFILE_MARKER_MAGIC, 8) != 0) {
		*why = "no marker (the block was overwritten, or the file moved)";
		return -ENODATA;
	}
	if (get32(b + 0x3c) != crc32(b, 0x3c))
		*why = "marker CRC mismatch";
	else if (get32(b + 0x18) != DUMPFILE_VERSION)
		*why = "marker of an unknown version";
	else if (memcmp(b + 0x08, nonce, DUMPFILE_NONCE_LEN) != 0)
		*why = "marker of another load (nonce differs: the file was remade or moved)";
	else if (get32(b + 0x1c) != s->index || get32(b + 0x20) != s->extent)
		*why = "marker of another segment";
	else if (s->file_sector > UINT64_MAX / sector_size ||
		 get64(b + 0x28) != s->file_sector * sector_size)
		*why = "marker of another file offset";
	else if (get64(b + 0x30) != s->device_sector || get32(b + 0x38) != sector_size)
		*why = "marker written for another disk sector (the file moved)";
	return *why == NULL ? 0 : -EBADMSG;
}

int dumpfile_marker_read(const void *buf, size_t len, const uint8_t nonce[DUMPFILE_NONCE_LEN],
			 struct dumpfile_segment *s, uint32_t *sector_size, const char **why)
{
	const uint8_t *b = buf;
	const char *dummy;
	uint32_t ss;
	uint64_t off;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (b == NULL || nonce == NULL || s == NULL || sector_size == NULL ||
	    len < DUMPFILE_MARKER_SIZE) {
		*why = "no marker to read";
		return -EINVAL;
	}
	if (memcmp(b, DUMPFILE_MARKER_MAGIC, 8) != 0) {
		*why = "no marker";
		return -ENODATA;
	}
	ss = get32(b + 0x38);
	off = get64(b + 0x28);
	if (get32(b + 0x3c) != crc32(b, 0x3c))
		*why = "marker CRC mismatch";
	else if (get32(b + 0x18) != DUMPFILE_VERSION)
		*why = "marker of an unknown version";
	else if (memcmp(b + 0x08, nonce, DUMPFILE_NONCE_LEN) != 0)
		*why = "marker of another load (nonce differs)";
	else if (ss < 512 || ss > DUMPFILE_BLOCK || !pow2(ss) || off % ss != 0)
		*why = "marker with a bad sector size or file offset";
	if (*why != NULL)
		return -EBADMSG;
	s->index = get32(b + 0x1c);
	s->extent = get32(b + 0x20);
	s->device_sector = get64(b + 0x30);
	s->file_sector = off / ss;
	s->sectors = 0;
	*sector_size = ss;
	return 0;
}

/* ------------------------------------------------------------------ header */

int dumpfile_header_encode(const struct dumpfile_header *h, void *buf, size_t len)
{
	uint8_t *b = buf;

	if (h == NULL || b == NULL || len < DUMPFILE_HEADER_SIZE)
		return -EINVAL;
	memset(b, 0, DUMPFILE_HEADER_SIZE);
	memcpy(b, DUMPFILE_HEADER_MAGIC, 8);
	put32(b + 0x008, DUMPFILE_VERSION);
	put32(b + 0x00c, DUMPFILE_HEADER_SIZE);
	put32(b + 0x010, h->state);
	put32(b + 0x014, h->sector_size);
	memcpy(b + 0x018, h->nonce, DUMPFILE_NONCE_LEN);
	put64(b + 0x028, h->file_size);
	put32(b + 0x030, h->extent_count);
	put32(b + 0x034, h->stride);
	put64(b + 0x038, h->segments);
	put64(b + 0x040, h->dump_offset);
	put64(b + 0x048, h->dump_sectors);
	put64(b + 0x050, h->loaded);
	put64(b + 0x058, h->changed);
	put32(b + DUMPFILE_HEADER_CRC, crc32(b, DUMPFILE_HEADER_SIZE));
	return 0;
}

int dumpfile_header_decode(const void *buf, size_t len, struct dumpfile_header *out,
			   const char **why)
{
	const uint8_t *b = buf;
	uint8_t copy[DUMPFILE_HEADER_SIZE];
	struct dumpfile_geom g;
	struct dumpfile_header h;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (b == NULL || out == NULL || len < DUMPFILE_HEADER_SIZE) {
		*why = "shorter than a dump-file header";
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (memcmp(b, DUMPFILE_HEADER_MAGIC, 8) != 0) {
		*why = "no dump-file header (magic PMDUMPFL not found)";
		return -ENODATA;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, b, 8);
	h.version = get32(b + 0x008);
	h.header_size = get32(b + 0x00c);
	h.state = get32(b + 0x010);
	h.sector_size = get32(b + 0x014);
	memcpy(h.nonce, b + 0x018, DUMPFILE_NONCE_LEN);
	h.file_size = get64(b + 0x028);
	h.extent_count = get32(b + 0x030);
	h.stride = get32(b + 0x034);
	h.segments = get64(b + 0x038);
	h.dump_offset = get64(b + 0x040);
	h.dump_sectors = get64(b + 0x048);
	h.loaded = get64(b + 0x050);
	h.changed = get64(b + 0x058);
	h.crc32 = get32(b + DUMPFILE_HEADER_CRC);
	*out = h;
	memcpy(copy, b, sizeof(copy));
	put32(copy + DUMPFILE_HEADER_CRC, 0);
	if (h.version != DUMPFILE_VERSION)
		*why = "dump-file header of an unknown version";
	else if (h.header_size != DUMPFILE_HEADER_SIZE)
		*why = "dump-file header of an unknown size";
	else if (h.crc32 != crc32(copy, sizeof(copy)))
		*why = "dump-file header CRC mismatch";
	else if (h.state == 0 || h.state > DUMPFILE_STATE_MAX)
		*why = "dump-file header with an unknown state";
	else if (dumpfile_geom_init(&g, h.sector_size, h.stride) != 0)
		*why = "dump-file header with a bad sector size or marker stride";
	else if (h.dump_offset != DUMPFILE_BLOCK)
		*why = "dump-file header with a dump offset other than 4096";
	else if (h.extent_count == 0 || h.extent_count > DUMPFILE_MAX_EXTENTS ||
		 h.segments < h.extent_count || h.segments > UINT32_MAX)
		*why = "dump-file header with a bad extent or segment count";
	else if (h.file_size % h.sector_size != 0 ||
		 h.file_size / h.sector_size / g.marker_sectors < h.segments ||
		 h.dump_sectors != h.file_size / h.sector_size - h.segments * g.marker_sectors ||
		 h.dump_sectors < 3)
		*why = "dump-file header whose sizes disagree";
	return *why == NULL ? 0 : -EBADMSG;
}

const char *dumpfile_state_name(uint32_t state)
{
	switch (state) {
	case DUMPFILE_READY:	return "ready";
	case DUMPFILE_WRITTEN:	return "dump written";
	case DUMPFILE_CONSUMED:	return "consumed";
	default:		return "unknown";
	}
}

/* --------------------------------------------------------- block device */

static int view_io(struct blkdev *dev, uint64_t lba, uint32_t count, uint8_t *buf,
		   const uint8_t *wbuf)
{
	struct dumpfile_view *v = dev->priv;

	while (count > 0) {
		struct dumpfile_run run;
		uint32_t k;
		int r = dumpfile_map(v->ext, v->n, &v->g, lba, &run);

		if (r != 0)
			return r;
		k = run.count < count ? (uint32_t)run.count : count;
		r = wbuf != NULL ? blkdev_write(v->parent, run.device_sector, k, wbuf) :
			blkdev_read(v->parent, run.device_sector, k, buf);
		if (r != 0)
			return r;
		if (wbuf != NULL)
			wbuf += (size_t)k * v->g.sector_size;
		else
			buf += (size_t)k * v->g.sector_size;
		lba += k;
		count -= k;
	}
	return 0;
}

static int view_read(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf)
{
	return view_io(dev, lba, count, buf, NULL);
}

static int view_write(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf)
{
	return view_io(dev, lba, count, NULL, buf);
}

static int view_flush(struct blkdev *dev)
{
	return blkdev_flush(((struct dumpfile_view *)dev->priv)->parent);
}

static const struct blkdev_ops dumpfile_view_ops = { view_read, view_write, view_flush };

int dumpfile_view_init(struct dumpfile_view *v, struct blkdev *parent,
		       const struct dumpfile_extent *ext, size_t n, const struct dumpfile_geom *g,
		       uint64_t dump_sectors)
{
	if (v == NULL || parent == NULL || ext == NULL || g == NULL || dump_sectors == 0 ||
	    parent->sector_size != g->sector_size)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	memcpy(v->dev.name, "dumpfile", 9);
	v->dev.sector_size = g->sector_size;
	v->dev.sectors = dump_sectors;
	v->dev.max_transfer = parent->max_transfer;
	v->dev.ops = &dumpfile_view_ops;
	v->dev.priv = v;
	v->parent = parent;
	v->ext = ext;
	v->n = n;
	v->g = *g;
	return 0;
}

int dumpfile_verify(struct blkdev *parent, const struct dumpfile_extent *ext, size_t n,
		    const struct dumpfile_geom *g, const uint8_t nonce[DUMPFILE_NONCE_LEN],
		    void *scratch, struct dumpfile_header *hdr, uint32_t *bad, const char **why)
{
	struct dumpfile_cursor cur = { 0, 0, 0, 0 };
	struct dumpfile_segment s;
	struct dumpfile_totals t;
	const char *dummy;
	int r;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (parent == NULL || scratch == NULL || hdr == NULL || bad == NULL || nonce == NULL ||
	    parent->sector_size != g->sector_size) {
		*why = "bad arguments";
		return -EINVAL;
	}
	*bad = 0;
	r = dumpfile_extents_check(ext, n, g, parent->sectors, &t, why);
	if (r != 0)
		return r;
	while (dumpfile_segment_next(ext, n, g, &cur, &s) == 0) {
		*bad = s.index;
		r = blkdev_read(parent, s.device_sector, (uint32_t)g->marker_sectors, scratch);
		if (r != 0) {
			*why = "read error";
			return r;
		}
		r = dumpfile_marker_check(scratch, DUMPFILE_BLOCK, nonce, &s, g->sector_size, why);
		if (r != 0)
			return r;
		if (s.index != 0)
			continue;
		r = dumpfile_header_decode((uint8_t *)scratch + DUMPFILE_HEADER_OFFSET,
					   DUMPFILE_HEADER_SIZE, hdr, why);
		if (r != 0)
			return r;
		if (memcmp(hdr->nonce, nonce, DUMPFILE_NONCE_LEN) != 0 ||
		    hdr->sector_size != g->sector_size || hdr->stride != g->stride ||
		    hdr->extent_count != n || hdr->segments != t.segments ||
		    hdr->dump_sectors != t.dump_sectors ||
		    hdr->file_size / g->sector_size != t.file_sectors) {
			*why = "the file header does not describe these extents";
			return -EBADMSG;
		}
	}
	return 0;
}

int dumpfile_set_state(struct blkdev *parent, const struct dumpfile_extent *ext, size_t n,
		       const struct dumpfile_geom *g, uint32_t state, uint64_t now, void *scratch)
{
	struct dumpfile_header h;
	uint8_t *b = scratch;
	int r;

	if (parent == NULL || ext == NULL || n == 0 || g == NULL || b == NULL ||
	    state == 0 || state > DUMPFILE_STATE_MAX)
		return -EINVAL;
	r = blkdev_read(parent, ext[0].start, (uint32_t)g->marker_sectors, b);
	if (r != 0)
		return r;
	r = dumpfile_header_decode(b + DUMPFILE_HEADER_OFFSET, DUMPFILE_HEADER_SIZE, &h, NULL);
	if (r != 0)
		return -EBADMSG;
	h.state = state;
	h.changed = now;
	dumpfile_header_encode(&h, b + DUMPFILE_HEADER_OFFSET, DUMPFILE_HEADER_SIZE);
	r = blkdev_write(parent, ext[0].start, (uint32_t)g->marker_sectors, b);
	return r != 0 ? r : blkdev_flush(parent);
}
