/*
 * The kdump-compressed dump (see kdump.h): bitmaps from the ranges, the
 * dump level applied from the crashed kernel's struct pages, then
 * formats/diskdump's passes through the sink, in order.
 */
#include <errno.h>
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <string.h>

#include "crypto/sha256.h"
#include "drivers/rtc.h"
#include "formats/diskdump.h"
#include "formats/elfcorehdr.h"
#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "kernel/cpu.h"
#include "kernel/kdump.h"
#include "kernel/physread.h"
#include "kernel/progress.h"
#include "payload/dumphdr.h"
#include "payload/pagefilter.h"

static uint8_t bitmap1[KDUMP_BITMAP_MAX];
static uint8_t bitmap2[KDUMP_BITMAP_MAX];
static uint8_t fbuf[64u << 10] __attribute__((aligned(64)));	/* 1024 struct pages a read */
static uint8_t page[DISKDUMP_BLOCK] __attribute__((aligned(64)));
static lzo_align_t lzo_wrk[(LZO1X_1_11_MEM_COMPRESS + sizeof(lzo_align_t) - 1) / sizeof(lzo_align_t)];
static struct diskdump_writer w;
static struct kinfo ki;
static struct kpgtable pt;

struct src {
	const struct dumpplan_range *r;
	size_t n, cur;			/* cur: the range that held the last whole page */
	uint64_t unreadable;		/* pages (or parts) read as zeros */
	uint64_t max_mapnr, pages;
};

struct sinkout {
	struct dumpsink *sink;
	struct crypto_sha256 sha;
	uint64_t size;			/* the counting writer: bytes it would write */
};

static int count_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	struct sinkout *o = ctx;

	(void)buf;
	if (off + len > o->size)
		o->size = off + len;
	return 0;
}

static int sink_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	struct sinkout *o = ctx;

	(void)off;			/* diskdump writes consecutive offsets from 0 */
	if (!o->sink->hashes)
		crypto_sha256_update(&o->sha, buf, len);
	return o->sink->write(o->sink, buf, len);
}

static int lzo_compress(void *ctx, const void *in, void *out, size_t *out_len)
{
	lzo_uint n = 0;

	if (lzo1x_1_11_compress(in, DISKDUMP_BLOCK, out, &n, ctx) != LZO_E_OK)
		return -1;
	*out_len = n;
	return 0;
}

static bool copy_from(struct src *s, uint64_t from, void *dst, size_t len)
{
	if (cpu_map_phys(from, len) != 0) {
		if (s->unreadable == 0)
			printf("dump: memory at 0x%llx cannot be mapped; written as zeros\n",
			       (unsigned long long)from);
		s->unreadable++;
		memset(dst, 0, len);
		return false;
	}
	memcpy(dst, (const void *)(uintptr_t)from, len);
	return true;
}

/* The page at pfn: from the first range that holds it whole, else pieced
 * together from the ranges that touch it (the rest zero). */
static void read_page(struct src *s, uint64_t pfn)
{
	uint64_t pa = pfn * DISKDUMP_BLOCK;

	for (size_t k = 0; k < s->n; k++) {
		size_t i = (s->cur + k) % s->n;
		const struct dumpplan_range *r = &s->r[i];

		if (pa >= r->start && pa - r->start < r->size &&
		    r->size - (pa - r->start) >= DISKDUMP_BLOCK) {
			s->cur = i;
			copy_from(s, r->read_from + (pa - r->start), page, DISKDUMP_BLOCK);
			return;
		}
	}
	memset(page, 0, sizeof(page));
	for (size_t i = s->n; i-- > 0;) {	/* backwards: the first range wins */
		const struct dumpplan_range *r = &s->r[i];
		uint64_t a = pa > r->start ? pa : r->start;
		uint64_t e = pa + DISKDUMP_BLOCK < r->start + r->size ? pa + DISKDUMP_BLOCK :
			     r->start + r->size;

		if (r->size && a < e)
			copy_from(s, r->read_from + (a - r->start), page + (a - pa), (size_t)(e - a));
	}
}

/* Every page the ranges touch in both bitmaps; false past the cap. */
static bool build_bitmaps(struct src *s)
{
	s->max_mapnr = s->pages = 0;
	for (size_t i = 0; i < s->n; i++) {
		uint64_t end = (s->r[i].start + s->r[i].size + DISKDUMP_BLOCK - 1) / DISKDUMP_BLOCK;

		if (s->r[i].size && end > s->max_mapnr)
			s->max_mapnr = end;
	}
	if (s->max_mapnr == 0 || diskdump_bitmap_bytes(s->max_mapnr) > KDUMP_BITMAP_MAX)
		return false;
	memset(bitmap1, 0, sizeof(bitmap1));
	for (size_t i = 0; i < s->n; i++) {
		const struct dumpplan_range *r = &s->r[i];
		uint64_t end = (r->start + r->size + DISKDUMP_BLOCK - 1) / DISKDUMP_BLOCK;

		for (uint64_t pfn = r->start / DISKDUMP_BLOCK; r->size && pfn < end; pfn++)
			if (!diskdump_bit(bitmap1, pfn)) {
				diskdump_set_bit(bitmap1, pfn);
				s->pages++;
			}
	}
	memcpy(bitmap2, bitmap1, sizeof(bitmap2));
	return true;
}

/* The level applied; the line saying what was left out.  Returns the
 * level the file records (level & 1 when filtering could not run). */
static unsigned filter(struct src *s, const char *vi, size_t vlen, unsigned level)
{
	struct physread rd = { s->r, s->n };
	struct pagefilter_stats st;
	const char *why;

	if ((level & ~1u) == 0) {
		printf("dump: kdump level %u: every page kept (%llu pages; zero pages stored as one)\n",
		       level, (unsigned long long)s->pages);
		return level;
	}
	memset(&st, 0, sizeof(st));
	why = vi == NULL ? "no VMCOREINFO note" : kinfo_read(vi, vlen, &ki);
	if (why == NULL && kpgtable_init(&pt, &ki, physread_ranges, &rd) != 0)
		why = "the page-table walker refused the layout";
	if (why == NULL)
		why = pagefilter_run(&ki, &pt, level, s->max_mapnr, bitmap1, bitmap2, fbuf,
				     sizeof(fbuf), &st);
	if (why) {
		printf("dump: kdump level %u: not filtering (%s): every page kept\n", level, why);
		memcpy(bitmap2, bitmap1, sizeof(bitmap2));
		return level & 1;
	}
	printf("dump: kdump level %u: left out %llu of %llu pages (free %llu, cache %llu, cache with "
	       "private data %llu, user %llu, hugetlb %llu, poisoned or offline %llu)\n", level,
	       (unsigned long long)st.left_out, (unsigned long long)s->pages,
	       (unsigned long long)(st.counts[PAGECLASS_FREE] + st.counts[PAGECLASS_UNACCEPTED]),
	       (unsigned long long)st.counts[PAGECLASS_CACHE],
	       (unsigned long long)st.counts[PAGECLASS_CACHE_PRIVATE],
	       (unsigned long long)st.counts[PAGECLASS_USER],
	       (unsigned long long)st.counts[PAGECLASS_HUGETLB],
	       (unsigned long long)(st.counts[PAGECLASS_HWPOISON] + st.counts[PAGECLASS_OFFLINE]));
	s->pages -= st.left_out;
	return level;
}

/* begin, then the two passes over the 2nd bitmap's pages. */
static int write_file(struct src *s, const struct diskdump_info *di, struct diskdump_out *out,
		      bool dry, struct progress *prog, uint64_t *done)
{
	int err;

	/* Each pass reads exactly as the others: the same range for a page
	 * (the first that holds it), the unmappable count its own. */
	s->cur = 0;
	s->unreadable = 0;
	err = diskdump_begin(&w, di, bitmap1, bitmap2, s->pages, out);

	for (uint64_t pfn = 0; err == 0 && pfn < s->max_mapnr; pfn++)
		if (diskdump_bit(bitmap2, pfn)) {
			read_page(s, pfn);
			err = diskdump_desc(&w, pfn, page);
			*done += DISKDUMP_BLOCK;
			progress_update(prog, *done);
		}
	if (dry || err)
		return err;
	err = diskdump_data(&w);
	for (uint64_t pfn = 0; err == 0 && pfn < s->max_mapnr; pfn++)
		if (diskdump_bit(bitmap2, pfn)) {
			read_page(s, pfn);
			err = diskdump_page(&w, pfn, page);
			*done += DISKDUMP_BLOCK;
			progress_update(prog, *done);
		}
	if (err == 0)
		err = diskdump_end(&w);
	return err;
}

bool kdump_run(struct dumpsink *sink, const struct dumpplan_range *ranges, size_t n,
	       const void *notes, size_t notes_len, unsigned level, char *summary, size_t len)
{
	static struct sinkout o;
	struct src s = { ranges, n, 0, 0, 0, 0 };
	struct diskdump_info di;
	struct diskdump_out out;
	struct elfcorehdr_note nt;
	struct progress prog;
	struct rtc_time t;
	const char *vi = NULL;
	size_t vlen = 0, cursor = 0;
	uint64_t base = 0, done = 0, us;
	uint8_t digest[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	int cpus = 0, err;

	if (!build_bitmaps(&s)) {
		if (s.max_mapnr == 0)
			printf("dump: dump.format=kdump: no memory ranges; writing ELF\n");
		else
			printf("dump: dump.format=kdump: memory up to %llu MiB needs bitmaps over the "
			       "%u KiB postmortem has; writing ELF\n",
			       (unsigned long long)((s.max_mapnr * DISKDUMP_BLOCK) >> 20),
			       KDUMP_BITMAP_MAX >> 10);
		return false;
	}
	while (elfcorehdr_note_next(notes, notes_len, &cursor, &nt) == 0) {
		if (vi == NULL && elfcorehdr_note_is(&nt, "VMCOREINFO", 0) && nt.desc) {
			vi = nt.desc;
			vlen = nt.desc_len;
		}
		if (elfcorehdr_note_is(&nt, "CORE", 1))
			cpus++;
	}
	if (vi)
		(void)elfcorehdr_vmcoreinfo_u64(vi, vlen, "NUMBER(phys_base)", &base);
	level = filter(&s, vi, vlen, level);

	memset(&di, 0, sizeof(di));
	di.sysname = "Linux";
	di.nodename = sink->hostname;
	di.release = sink->release;
	di.machine = "x86_64";
	di.tv_sec = rtc_read(&t) == 0 ? (int64_t)rtc_unix_time(&t) : 0;
	di.phys_base = base;
	di.dump_level = (int32_t)level;
	di.nr_cpus = cpus;
	di.max_mapnr = s.max_mapnr;
	di.notes = notes_len ? notes : NULL;
	di.notes_len = notes_len;
	di.vmcoreinfo = vi;
	di.vmcoreinfo_len = vlen;
	di.compression = DISKDUMP_COMPRESSED_LZO;
	di.compress = lzo_compress;
	di.compress_ctx = lzo_wrk;

	/* Three passes over the pages: the size (begin() needs it), then
	 * the descriptors and the data. */
	o.sink = sink;
	o.size = 0;
	progress_start(&prog, "dump", 3 * s.pages * DISKDUMP_BLOCK);
	out = (struct diskdump_out){ count_write, &o };
	err = write_file(&s, &di, &out, true, &prog, &done);
	if (err == 0)
		o.size = w.data_end;
	if (err) {		/* nothing written yet: the ELF core instead */
		progress_end(&prog);
		printf("dump: cannot lay out the kdump-compressed file (error %d); writing ELF\n", err);
		return false;
	}
	printf("dump: writing %llu MiB kdump-compressed file (%llu of %llu pages, LZO, dump level %u) "
	       "to %s\n", (unsigned long long)(o.size >> 20), (unsigned long long)s.pages,
	       (unsigned long long)s.max_mapnr, level, sink->name);
	sink->body_format = DUMPHDR_BODY_KDUMP;
	crypto_sha256_init(&o.sha);
	err = sink->begin(sink, o.size, 0);
	out = (struct diskdump_out){ sink_write, &o };
	if (sink->truncated)	/* the file says so itself, for crash and makedumpfile */
		di.status_flags |= DISKDUMP_INCOMPLETE;
	if (err == 0)
		err = write_file(&s, &di, &out, false, &prog, &done);
	crypto_sha256_final(&o.sha, digest);
	us = progress_end(&prog);
	if (err == 0)
		err = sink->finish(sink, digest);
	if (sink->hashes)
		memcpy(digest, sink->digest, SHA256_LEN);
	if (err == -ESTALE) {
		/* Memory changed between the passes (a device still writing into
		 * the crashed system's RAM): the descriptors no longer match.
		 * Never a wrong file, never no dump: the ELF core instead, which
		 * reads every page once. */
		printf("dump: memory changed while the kdump-compressed file was written (a device "
		       "still writing into RAM?); writing the ELF core instead\n");
		sink->abort(sink, "memory changed during the kdump-compressed dump; ELF core follows");
		sink->body_format = DUMPHDR_BODY_ELF;
		sink->truncated = false;
		sink->kept = 0;
		sink->why[0] = '\0';
		return false;
	}
	if (err) {
		snprintf(summary, len, "dump FAILED: %s (error %d after %llu of %llu MiB)",
			 sink->why[0] ? sink->why : "kdump-compressed write error", err,
			 (unsigned long long)(w.pos >> 20), (unsigned long long)(o.size >> 20));
		sink->abort(sink, summary);
		return true;
	}
	if (s.unreadable)
		printf("dump: %llu unmappable pieces of memory were written as zeros\n",
		       (unsigned long long)s.unreadable);
	printf("dump: kdump-compressed: %llu pages compressed, %llu stored raw, %llu zero\n",
	       (unsigned long long)w.compressed, (unsigned long long)w.stored,
	       (unsigned long long)w.zero);
	if (sink->truncated) {
		snprintf(summary, len, "dump FAILED: %s too small: only the first %llu of %llu MiB "
			 "were kept (marked TRUNCATED)", sink->name,
			 (unsigned long long)(sink->kept >> 20), (unsigned long long)(o.size >> 20));
		return true;
	}
	crypto_sha256_hex(digest, hex);
	snprintf(summary, len, "dump complete: %llu MiB in %llu.%01llu s (kdump-compressed), sha256 %s",
		 (unsigned long long)(o.size >> 20), (unsigned long long)(us / 1000000),
		 (unsigned long long)(us / 100000 % 10), hex);
	return true;
}
