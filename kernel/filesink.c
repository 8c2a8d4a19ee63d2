/*
 * dump=file (see filesink.h).  The order is the safety argument of
 * docs/dump-file.md: nothing is written before the block is verified, the
 * record decodes, exactly one disk carries the record's identity and
 * geometry, and every marker and the file header read back from that disk
 * are this load's; then the one write that is not the dump, the header's
 * state, goes to the head block, inside the file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drivers/rtc.h"
#include "formats/diskid.h"
#include "kernel/blkdev_registry.h"
#include "kernel/filesink.h"
#include "payload/dumpfile.h"
#include "payload/handoff.h"

static struct dumpfile_extent ext[DUMPFILE_MAX_EXTENTS];
static struct dumpfile_view view;
static uint8_t scratch[DUMPFILE_BLOCK] __attribute__((aligned(4096)));

static uint64_t now_unix(void)
{
	struct rtc_time t;

	return rtc_read(&t) == 0 ? rtc_unix_time(&t) : 0;
}

/* The record's disk, or NULL with why[] said. */
static struct blkdev *find_disk(const struct handoff_dump_file *h, char *why, size_t len)
{
	struct blkdev *found = NULL;
	unsigned matches = 0;
	char disk[224], hint[40] = "";
	const char *geom = NULL;

	handoff_dump_file_disk_text(h, disk, sizeof(disk));
	if (h->pci_flags & HANDOFF_PCI_VALID)
		snprintf(hint, sizeof(hint), " (at PCI %02x:%02x.%x when loaded)", h->pci_bus,
			 h->pci_dev, h->pci_fn);
	if (h->disk_kind == HANDOFF_DISK_OTHER || h->serial[0] == '\0') {
		snprintf(why, len, "the dump file's disk has no identity the drivers can check "
			 "(%s, no serial)", handoff_disk_kind_name(h->disk_kind));
		return NULL;
	}
	for (unsigned i = 0; i < blkdev_count(); i++) {
		struct blkdev *d = blkdev_at(i);
		const char *w = NULL;
		int r = handoff_dump_file_disk(h, d, &w);

		if (r == -ENODEV)
			continue;
		if (r != 0) {
			snprintf(why, len, "%s is the dump file's %s, but %s (%u-byte sectors, %llu "
				 "sectors; the record: %u, %llu)", d->name, disk, w, d->sector_size,
				 (unsigned long long)d->sectors, h->sector_size,
				 (unsigned long long)h->disk_sectors);
			geom = w;
			continue;
		}
		matches++;
		found = d;
	}
	if (matches == 1)
		return found;
	if (matches > 1)
		snprintf(why, len, "%u disks are the dump file's %s: not written to any", matches, disk);
	else if (geom == NULL)
		snprintf(why, len, "no %s%s", disk, hint);
	return NULL;
}

int filesink_open(const struct context *ctx, struct blkdev *out, char *why, size_t len)
{
	struct handoff_dump_file h;
	struct handoff_record rec;
	struct dumpfile_header fh;
	struct dumpfile_geom g;
	struct dumpfile_segment seg;
	struct blkdev *disk;
	char path[HANDOFF_DUMP_FILE_PATH_LEN + 1], cause[320];
	const char *w = NULL;
	size_t cursor = 0, n = 0;
	uint32_t bad = 0;
	int r;

	if (ctx->handoff != CONTEXT_HANDOFF_TRUSTED) {
		snprintf(why, len, "dump=file: %s; a dump file is written only from a verified block",
			 ctx->handoff == CONTEXT_HANDOFF_NONE ? "no handoff block" :
			 "the handoff block is not verified");
		return -EPERM;
	}
	if (!context_handoff_next(ctx, HANDOFF_TYPE_DUMP_FILE, &cursor, &rec)) {
		snprintf(why, len, "dump=file: the handoff block has no DUMP_FILE record");
		return -ENOENT;
	}
	r = handoff_get_dump_file(&rec, &h, ext, DUMPFILE_MAX_EXTENTS, &n, &w);
	if (r != 0) {
		snprintf(why, len, "dump=file: the DUMP_FILE record is not usable: %s", w);
		return -EBADMSG;
	}
	diskid_text(path, sizeof(path), h.path, HANDOFF_DUMP_FILE_PATH_LEN);
	if (dumpfile_geom_init(&g, h.sector_size, h.stride) != 0) {	/* judged by the decoder */
		snprintf(why, len, "dump file %s: bad geometry", path);
		return -EBADMSG;
	}
	disk = find_disk(&h, cause, sizeof(cause));
	if (disk == NULL) {
		snprintf(why, len, "dump file %s: %s; nothing written", path, cause);
		return -ENODEV;
	}
	printf("dump: dump file %s: %s (serial \"%s\"), %zu extents, %llu MiB; checking its "
	       "markers\n", path, disk->name, disk->ident.serial, n,
	       (unsigned long long)(h.file_size >> 20));
	r = dumpfile_verify(disk, ext, n, &g, h.nonce, scratch, &fh, &bad, &w);
	if (r != 0) {
		uint64_t sector = dumpfile_segment_at(ext, n, &g, bad, &seg) == 0 ?
				  seg.device_sector : 0;

		snprintf(why, len, "dump file %s on %s: segment %u (sector %llu): %s; nothing "
			 "written", path, disk->name, bad, (unsigned long long)sector,
			 w != NULL ? w : "read error");
		return r;
	}
	if (fh.state != DUMPFILE_READY)
		printf("dump: dump file %s was %s; written again\n", path,
		       dumpfile_state_name(fh.state));
	/* the header says "dump written" before the first byte of the dump */
	r = dumpfile_set_state(disk, ext, n, &g, DUMPFILE_WRITTEN, now_unix(), scratch);
	if (r == 0)
		r = dumpfile_view_init(&view, disk, ext, n, &g, fh.dump_sectors);
	if (r != 0) {
		snprintf(why, len, "dump file %s on %s: the header cannot be marked \"dump "
			 "written\" (error %d)", path, disk->name, r);
		return r;
	}
	snprintf(view.dev.name, sizeof(view.dev.name), "%.10s-file", disk->name);
	printf("dump: dump file %s on %s: %llu markers and the header check out; %llu MiB for "
	       "the dump\n", path, disk->name, (unsigned long long)fh.segments,
	       (unsigned long long)(fh.dump_sectors * g.sector_size >> 20));
	*out = view.dev;
	return 0;
}
