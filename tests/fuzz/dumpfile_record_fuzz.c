/*
 * libFuzzer target for the DUMP_FILE handoff record
 * (payload/handoff_dumpfile.c handoff_get_dump_file(), payload/handoff.c
 * handoff_add_dump_file()): the input is a record payload, copied to an
 * exact-size buffer so ASan sees any read past it.  A record that decodes
 * is written again by the writer and must decode to the same head and
 * extents; its dump region is mapped at both ends.  Then again with the
 * head's size fields forced to the version-1 values, so the extent checks
 * behind them are reached.  Seeds: tests/fuzz/corpus/dumpfile_record/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/dumpfile.h"
#include "payload/handoff.h"

static struct dumpfile_extent ext[DUMPFILE_MAX_EXTENTS], again[DUMPFILE_MAX_EXTENTS];
static uint8_t block[80 + 16 + 328 + DUMPFILE_MAX_EXTENTS * 16 + 8];

static uint64_t one(const uint8_t *p, size_t len)
{
	struct handoff_record r = { HANDOFF_TYPE_DUMP_FILE, 0, len, 80, p };
	struct handoff_dump_file h, h2;
	struct handoff_writer w;
	struct handoff_record r2;
	struct dumpfile_geom g;
	struct dumpfile_totals t;
	struct dumpfile_run run;
	const char *why;
	size_t n, n2, total, cur = 0;

	if (handoff_get_dump_file(&r, &h, ext, DUMPFILE_MAX_EXTENTS, &n, &why) != 0)
		return why != NULL ? strlen(why) : 0;
	if (dumpfile_geom_init(&g, h.sector_size, h.stride) != 0 ||
	    dumpfile_extents_check(ext, n, &g, h.disk_sectors, &t, NULL) != 0 ||
	    t.file_sectors * h.sector_size != h.file_size)
		abort();
	if (t.dump_sectors > 0 && (dumpfile_map(ext, n, &g, 0, &run) != 0 ||
				   dumpfile_map(ext, n, &g, t.dump_sectors - 1, &run) != 0))
		abort();
	memset(h.reserved0, 0, sizeof(h.reserved0));	/* the writer zeroes them */
	handoff_writer_init(&w, block, sizeof(block), 0);
	if (handoff_add_dump_file(&w, &h, ext, n) != 0 || handoff_finish(&w, &total) != 0 ||
	    handoff_next(block, total, &cur, &r2) != 0 ||
	    handoff_get_dump_file(&r2, &h2, again, DUMPFILE_MAX_EXTENTS, &n2, NULL) != 0 ||
	    n2 != n || memcmp(again, ext, n * sizeof(ext[0])) != 0 ||
	    memcmp(&h2.disk_kind, &h.disk_kind, sizeof(h) - offsetof(struct handoff_dump_file,
								     disk_kind)) != 0)
		abort();
	return strlen(handoff_disk_kind_name(h.disk_kind)) + run.device_sector;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	volatile uint64_t sink;

	if (p == NULL)
		return 0;
	memcpy(p, data, size);
	sink = one(p, size);
	if (size >= 328) {
		uint32_t head = 328, es = 16, count = (uint32_t)((size - 328) / 16);

		memcpy(p, &head, 4);
		memcpy(p + 4, &es, 4);
		memcpy(p + 8, &count, 4);
		sink += one(p, 328 + (size_t)count * 16);
	}
	(void)sink;
	free(p);
	return 0;
}
