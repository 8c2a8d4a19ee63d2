/*
 * Handoff block: the DUMP_FILE record (payload/handoff.h, docs/handoff.md,
 * docs/dump-file.md): its validating decoder (the writer,
 * handoff_add_dump_file(), is in payload/handoff.c with the others).  Pure, like
 * payload/handoff.c; the extent list is judged by payload/dumpfile.c, the
 * same code the host used when it wrote the markers.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "payload/dumpfile.h"
#include "payload/handoff.h"

/* The checks both ends share: geometry, extents, file size (handoff_add_dump_file too). */
int handoff_dump_file_judge(const struct handoff_dump_file *h, const struct dumpfile_extent *ext,
			   size_t n, const char **why)
{
	struct dumpfile_geom g;
	struct dumpfile_totals t;
	int r;

	if (dumpfile_geom_init(&g, h->sector_size, h->stride) != 0) {
		*why = "sector size (512 .. 4096) or marker stride (64 KiB .. 1 GiB) out of range";
		return -EBADMSG;
	}
	r = dumpfile_extents_check(ext, n, &g, h->disk_sectors, &t, why);
	if (r != 0)
		return -EBADMSG;
	if (h->file_size != t.file_sectors * h->sector_size) {
		*why = "file size is not the sum of the extents";
		return -EBADMSG;
	}
	return 0;
}

int handoff_get_dump_file(const struct handoff_record *rec, struct handoff_dump_file *head,
			  struct dumpfile_extent *ext, size_t cap, size_t *n, const char **why)
{
	struct handoff_dump_file h;
	const char *dummy;
	uint64_t body;
	int r;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (rec == NULL || head == NULL || ext == NULL || n == NULL ||
	    rec->type != HANDOFF_TYPE_DUMP_FILE) {
		*why = "not a DUMP_FILE record";
		return -EINVAL;
	}
	if (rec->length < sizeof(h)) {
		*why = "shorter than its head";
		return -EBADMSG;
	}
	memcpy(&h, rec->payload, sizeof(h));
	if (h.head_size < sizeof(h) || h.head_size % 8 != 0 || h.head_size > rec->length) {
		*why = "bad head size";
		return -EBADMSG;
	}
	if (h.extent_size < sizeof(struct dumpfile_extent) || h.extent_size % 8 != 0) {
		*why = "bad extent size";
		return -EBADMSG;
	}
	if (h.extent_count == 0 || h.extent_count > DUMPFILE_MAX_EXTENTS) {
		*why = "extent count not 1 .. 4096";
		return -EBADMSG;
	}
	body = rec->length - h.head_size;
	if (body / h.extent_size != h.extent_count || body % h.extent_size != 0) {
		*why = "payload length does not match the extent count";
		return -EBADMSG;
	}
	if (h.extent_count > cap) {
		*why = "more extents than the caller has room for";
		return -ENOSPC;
	}
	for (size_t i = 0; i < h.extent_count; i++)
		memcpy(&ext[i], rec->payload + h.head_size + i * h.extent_size, sizeof(ext[i]));
	r = handoff_dump_file_judge(&h, ext, h.extent_count, why);
	if (r != 0)
		return r;
	*head = h;
	*n = h.extent_count;
	return 0;
}

const char *handoff_disk_kind_name(uint32_t kind)
{
	switch (kind) {
	case HANDOFF_DISK_OTHER:	return "other";
	case HANDOFF_DISK_NVME:		return "nvme";
	case HANDOFF_DISK_VIRTIO_BLK:	return "virtio-blk";
	case HANDOFF_DISK_AHCI:		return "ahci";
	default:			return "unknown";
	}
}
