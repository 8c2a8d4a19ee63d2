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
#include <stdio.h>
#include <string.h>

#include "formats/blkdev.h"
#include "formats/diskid.h"
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

_Static_assert(HANDOFF_DISK_NVME == BLKDEV_KIND_NVME && HANDOFF_DISK_VIRTIO_BLK ==
	       BLKDEV_KIND_VIRTIO_BLK && HANDOFF_DISK_AHCI == BLKDEV_KIND_AHCI, "disk kinds");

/* SCSI INQUIRY's product field, which is all Linux shows of an ATA model. */
#define ATA_SCSI_MODEL_LEN	16

/* A record's string field (may fill the field with no NUL), trimmed like the driver's. */
static void field(char out[HANDOFF_DUMP_FILE_ID_LEN + 1], const char *f)
{
	diskid_text(out, HANDOFF_DUMP_FILE_ID_LEN + 1, f, HANDOFF_DUMP_FILE_ID_LEN);
}

int handoff_dump_file_disk(const struct handoff_dump_file *h, const struct blkdev *dev,
			   const char **why)
{
	char serial[HANDOFF_DUMP_FILE_ID_LEN + 1], model[HANDOFF_DUMP_FILE_ID_LEN + 1];
	char have[BLKDEV_ID_LEN];
	const struct blkdev_ident *id;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (h == NULL || dev == NULL)
		return -ENODEV;
	id = &dev->ident;
	field(serial, h->serial);
	field(model, h->model);
	if ((h->disk_kind != HANDOFF_DISK_NVME && h->disk_kind != HANDOFF_DISK_VIRTIO_BLK &&
	     h->disk_kind != HANDOFF_DISK_AHCI) || id->kind != h->disk_kind || serial[0] == '\0' ||
	    strcmp(serial, id->serial) != 0)
		return -ENODEV;
	switch (h->disk_kind) {
	case HANDOFF_DISK_NVME:
		if (strcmp(model, id->model) != 0 || h->nsid != id->nsid)
			return -ENODEV;
		break;
	case HANDOFF_DISK_AHCI:
		/* the host saw the model only through SCSI INQUIRY: 16 characters */
		diskid_text(have, sizeof(have), id->model,
			    strnlen(id->model, ATA_SCSI_MODEL_LEN));
		if (strcmp(model, have) != 0 ||
		    (h->ata_port != HANDOFF_ATA_PORT_UNKNOWN && h->ata_port != id->port))
			return -ENODEV;
		break;
	default:
		break;
	}
	if (dev->sector_size != h->sector_size) {
		*why = "its logical sector size is not the record's";
		return -ERANGE;
	}
	if (h->disk_sectors != 0 && dev->sectors != h->disk_sectors) {
		*why = "its size is not the record's";
		return -ERANGE;
	}
	return 0;
}

void handoff_dump_file_disk_text(const struct handoff_dump_file *h, char *buf, size_t len)
{
	char serial[HANDOFF_DUMP_FILE_ID_LEN + 1], model[HANDOFF_DUMP_FILE_ID_LEN + 1];
	int n;

	if (buf == NULL || len == 0)
		return;
	field(serial, h->serial);
	field(model, h->model);
	switch (h->disk_kind) {
	case HANDOFF_DISK_NVME:
		n = snprintf(buf, len, "NVMe disk with serial \"%s\", model \"%s\", namespace %u",
			     serial, model, (unsigned)h->nsid);
		break;
	case HANDOFF_DISK_VIRTIO_BLK:
		n = snprintf(buf, len, "virtio-blk disk with serial \"%s\"", serial);
		break;
	case HANDOFF_DISK_AHCI:
		n = snprintf(buf, len, "AHCI disk with serial \"%s\", model \"%s\"", serial, model);
		if (n >= 0 && (size_t)n < len && h->ata_port != HANDOFF_ATA_PORT_UNKNOWN)
			snprintf(buf + n, len - (size_t)n, ", port %u", (unsigned)h->ata_port);
		return;
	default:
		n = snprintf(buf, len, "disk of kind %s", handoff_disk_kind_name(h->disk_kind));
		break;
	}
	(void)n;
}
