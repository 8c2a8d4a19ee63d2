/*
 * `postmortem savecore --from-file PATH`: the dump in a dump file
 * (docs/dump-file.md), read through the filesystem like any file.
 *
 * The file header (head block byte 512) gives the nonce, the sector size,
 * the marker stride and how many segments there are.  The segments are
 * found from the markers themselves, so a copy of the file on another
 * machine reads the same: segment k + 1 starts one stride after segment k
 * when its extent went on, else at the first sector after segment k's
 * marker block that holds marker k + 1 (its nonce, index and own file
 * offset; within stride + 4 KiB).  The segments, as file positions, then
 * become an extent list for payload/dumpfile.c's view: a segment exactly
 * one stride long is merged with the ones after it (the list cuts such a
 * run into the same segments again), so the list is never longer than the
 * load's extent list (at most 4096) however many segments the file has.
 * The view (the file opened as a block device, tools/fileblk.c) hands the
 * dump to the partition code
 * unchanged (payload/dumphdr: both headers, SHA-256, TRUNCATED, kdump or
 * ELF body; tools/savecore_save.c).  --clear marks the dump headers
 * CLEARED and the file header consumed; the blocks stay allocated for the
 * next load.  Host only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats/blkdev.h"
#include "payload/dumpfile.h"
#include "payload/dumphdr.h"
#include "tools/dumpfile.h"
#include "tools/fileblk.h"
#include "tools/savecore.h"

#define TOOL	"savecore"

struct region {
	int fd;
	struct dumpfile_extent *seg;	/* runs of segments as file positions (sectors) */
	size_t n;
	struct dumpfile_geom g;
};

/* Is the marker of segment k at file sector pos? */
static bool marker_at(const uint8_t *b, size_t len, const struct dumpfile_header *h,
		      uint32_t k, uint64_t pos)
{
	struct dumpfile_segment s;
	uint32_t ss;

	return dumpfile_marker_read(b, len, h->nonce, &s, &ss, NULL) == 0 && s.index == k &&
	       s.file_sector == pos && ss == h->sector_size;
}

/* Find the segments from the markers; -1 after a message. */
static int find_segments(const char *path, int fd, const struct dumpfile_header *h,
			 struct region *r)
{
	uint64_t file_sectors = h->file_size / h->sector_size, pos = 0;
	uint64_t M = r->g.marker_sectors, S = r->g.stride_sectors;
	size_t win_len = (size_t)((S + M) * h->sector_size);
	uint8_t *win = malloc(win_len);
	uint8_t blk[DUMPFILE_MARKER_SIZE];

	r->seg = calloc((size_t)h->segments, sizeof(*r->seg));
	if (win == NULL || r->seg == NULL) {
		free(win);
		return -1;
	}
	for (uint32_t k = 1; k <= h->segments; k++) {
		uint64_t next = 0;

		if (k == h->segments) {
			next = file_sectors;
		} else if (pos + S < file_sectors &&
			   pread(fd, blk, sizeof(blk), (off_t)((pos + S) * h->sector_size)) ==
			   (ssize_t)sizeof(blk) && marker_at(blk, sizeof(blk), h, k, pos + S)) {
			next = pos + S;
		} else {
			/* an extent ended: marker k lies in (pos + M, pos + S + M] */
			uint64_t first = pos + M + 1;
			ssize_t got = pread(fd, win, win_len, (off_t)(first * h->sector_size));

			for (uint64_t at = 0; got > 0 && (at + 1) * h->sector_size <= (uint64_t)got;
			     at++)
				if (marker_at(win + at * h->sector_size, (size_t)got -
					      at * h->sector_size, h, k, first + at)) {
					next = first + at;
					break;
				}
			if (next == 0) {
				fprintf(stderr, "postmortem: %s: %s: marker %u not found after file "
					"byte %llu: the file was changed since it was loaded\n", TOOL,
					path, k, (unsigned long long)(pos * h->sector_size));
				free(win);
				return -1;
			}
		}
		if (next <= pos + M || next - pos > S + M) {
			fprintf(stderr, "postmortem: %s: %s: segment %u has a bad length\n", TOOL,
				path, k - 1);
			free(win);
			return -1;
		}
		/* a segment after one stride long goes on the same run */
		if (r->n > 0 && r->seg[r->n - 1].count % S == 0 &&
		    r->seg[r->n - 1].start + r->seg[r->n - 1].count == pos) {
			r->seg[r->n - 1].count += next - pos;
		} else {
			r->seg[r->n].start = pos;
			r->seg[r->n].count = next - pos;
			r->n++;
		}
		pos = next;
	}
	free(win);
	return 0;
}

int savecore_from_file(struct savecore_ctx *c, const char *path)
{
	uint8_t head[DUMPFILE_HEADER_OFFSET + DUMPFILE_HEADER_SIZE];
	struct dumpfile_header h;
	struct dumpfile_totals t;
	struct dumpfile_segment s0;
	struct region r = { -1, NULL, 0, { 0, 0, 0, 0 } };
	struct blkdev file = { 0 };
	struct dumpfile_view view;
	struct savecore_target *tg = &c->t[0];
	struct stat st;
	const char *why;
	uint32_t ss;
	int rc = SAVECORE_FAIL, err;

	c->o.image = path;
	r.fd = open(path, (c->o.clear ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (r.fd < 0 || fstat(r.fd, &st) != 0) {
		fprintf(stderr, "postmortem: %s: %s: %s\n", TOOL, path, strerror(errno));
		goto out;
	}
	if (pread(r.fd, head, sizeof(head), 0) != (ssize_t)sizeof(head)) {
		fprintf(stderr, "postmortem: %s: %s: not a dump file (too short)\n", TOOL, path);
		goto out;
	}
	err = dumpfile_header_decode(head + DUMPFILE_HEADER_OFFSET, DUMPFILE_HEADER_SIZE, &h, &why);
	if (err != 0) {
		fprintf(stderr, "postmortem: %s: %s: not a usable dump file: %s\n", TOOL, path, why);
		goto out;
	}
	if ((uint64_t)st.st_size != h.file_size) {
		fprintf(stderr, "postmortem: %s: %s: %llu bytes, its header says %llu: the file "
			"was changed since it was loaded\n", TOOL, path,
			(unsigned long long)st.st_size, (unsigned long long)h.file_size);
		goto out;
	}
	if (dumpfile_marker_read(head, sizeof(head), h.nonce, &s0, &ss, &why) != 0 ||
	    s0.index != 0 || s0.file_sector != 0) {
		fprintf(stderr, "postmortem: %s: %s: the head block's marker is bad (%s)\n", TOOL,
			path, why != NULL ? why : "not segment 0");
		goto out;
	}
	dumpfile_geom_init(&r.g, h.sector_size, h.stride);	/* checked by the decode */
	if (find_segments(path, r.fd, &h, &r) != 0)
		goto out;
	if (dumpfile_extents_check(r.seg, r.n, &r.g, 0, &t, &why) != 0 ||
	    t.dump_sectors != h.dump_sectors || t.segments != h.segments) {
		fprintf(stderr, "postmortem: %s: %s: its segments do not add up (%s)\n", TOOL, path,
			why != NULL ? why : "dump region size or segment count differs from the "
			"header");
		goto out;
	}
	char when[40] = "at an unknown time";
	time_t lt = (time_t)h.loaded;
	struct tm tm;

	if (h.loaded != 0 && gmtime_r(&lt, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("%s: %s: dump file, %s, %llu segments, loaded %s, %llu MiB for the dump\n", TOOL,
	       path, dumpfile_state_name(h.state), (unsigned long long)h.segments, when,
	       (unsigned long long)(h.dump_sectors * h.sector_size >> 20));
	/* the file as a device (the descriptor checked above, never the name again),
	 * the dump region as a view of it: the kernel's own code */
	if (fileblk_open_fd(&file, r.fd, h.sector_size, &why) != 0 ||
	    dumpfile_view_init(&view, &file, r.seg, r.n, &r.g, h.dump_sectors) != 0) {
		fprintf(stderr, "postmortem: %s: %s: %s\n", TOOL, path, why);
		goto out;
	}
	memset(tg, 0, sizeof(*tg));
	tg->view = view.dev;
	tg->view.priv = &view;
	c->nt = 1;
	tg->lead_err = dumphdr_get(&tg->view, false, c->scratch, SAVECORE_SCRATCH, &tg->lead,
				   &tg->lead_why);
	tg->trail_err = dumphdr_get(&tg->view, true, c->scratch, SAVECORE_SCRATCH, &tg->trail,
				    &tg->trail_why);
	if (tg->lead_err == -ENODATA && tg->trail_err == -ENODATA) {
		fprintf(stderr, "postmortem: %s: %s: no dump in it (state %s: the crash kernel has "
			"not written one)\n", TOOL, path, dumpfile_state_name(h.state));
		goto out;
	}
	if ((tg->lead_err && tg->lead_err != -ENODATA && tg->lead_err != -EBADMSG) ||
	    (tg->trail_err && tg->trail_err != -ENODATA && tg->trail_err != -EBADMSG)) {
		fprintf(stderr, "postmortem: %s: %s: read error\n", TOOL, path);
		goto out;
	}
	tg->verdict = dumphdr_check_pair(tg->lead_err ? NULL : &tg->lead,
					 tg->trail_err ? NULL : &tg->trail, tg->view.sectors,
					 tg->view.sector_size, &tg->why);
	if (c->o.list) {
		const struct dumphdr *bh = savecore_best_header(tg);

		printf("%s: %s%s%s\n", path, bh != NULL ? savecore_fmt_dump(bh) : "damaged headers",
		       bh != NULL ? ": " : "", bh != NULL ? dumphdr_status_name(bh->status) : "");
		rc = SAVECORE_OK;
		goto out;
	}
	rc = savecore_save(c, tg);
	if (rc != SAVECORE_FAIL && c->o.clear) {
		if (savecore_clear(c, tg) != SAVECORE_OK ||
		    dumpfile_set_state(&file, r.seg, r.n, &r.g, DUMPFILE_CONSUMED,
				       (uint64_t)time(NULL), c->scratch) != 0) {
			fprintf(stderr, "postmortem: %s: %s: marking it consumed failed\n", TOOL, path);
			rc = SAVECORE_FAIL;
		} else {
			printf("%s: %s: marked consumed; the next load reuses its blocks\n", TOOL, path);
		}
	}
out:
	fileblk_close(&file);
	if (r.fd >= 0)
		close(r.fd);
	free(r.seg);
	return rc;
}
