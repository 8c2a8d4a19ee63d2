/*
 * The kdump-compressed dump (see kdump.h): bitmaps from the ranges, the
 * dump level applied from the crashed kernel's struct pages, then
 * formats/diskdump's passes through the sink: one pass where the sink
 * takes writes at any offset and hashes what it holds (write_at: the dump
 * partition, the dump file), else in order.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/sha256.h"
#include "drivers/rtc.h"
#include "formats/diskdump.h"
#include "formats/elfcorehdr.h"
#include "kernel/cpu.h"
#include "kernel/kcompress.h"
#include "kernel/kdump.h"
#include "kernel/phasemem.h"
#include "kernel/physread.h"
#include "kernel/progress.h"
#include "kernel/smp.h"
#include "payload/dumphdr.h"
#include "payload/kdumpfile.h"

/* all the memory the file needs, any machine size (kernel/phasemem.h) */
static struct kdumpfile *const kf = &phasemem.dump.b.kdump.kf;

struct src {
	const struct dumpplan_range *r;
	size_t n, cur;			/* cur: the range that held the last whole page */
	uint64_t unreadable;		/* pages (or parts) read as zeros */
	struct progress *prog;
};

struct sinkout {
	struct dumpsink *sink;
	struct src *src;
	struct crypto_sha256 sha;
	uint64_t size;			/* of the file, measured before its first byte */
	const char *compressor;		/* its name, for the writing line */
	bool seekable;			/* one pass: sink->write_at */
};

/* The one pass's pages in batches: the second CPU, when one runs, decides
 * their forms (the zero test, the compression, with its own compressor
 * state) while this one reads the next batches and writes the ones
 * before; a batch that would only queue behind two jobs (batches, or a
 * buffer to hash) this CPU forms itself meanwhile. */
static struct diskdump_batch *const batches = phasemem.dump.a.second.batches;
static uint32_t batch_ticket[DISKDUMP_BATCHES];	/* each batch's job on the second CPU */

static void batch_run(void *arg)
{
	diskdump_batch_form(arg);
}

static int batch_start(void *ctx, struct diskdump_batch *b)
{
	(void)ctx;
	if (smp_queued() >= 2)
		return -EBUSY;
	return smp_post(batch_run, b, &batch_ticket[b - batches]);
}

static int batch_wait(void *ctx, struct diskdump_batch *b)
{
	(void)ctx;
	if (smp_cancel(batch_ticket[b - batches]))
		return -ECANCELED;	/* not started: formed here, no waiting */
	return smp_wait_for(batch_ticket[b - batches]);	/* -EBUSY: lost, as diskdump_offload's wait says */
}

static struct diskdump_offload offload = { batch_start, batch_wait, NULL, NULL,
					     phasemem.dump.a.second.batches };

static int sink_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	struct sinkout *o = ctx;

	if (o->seekable)		/* the sink hashes what it holds */
		return o->sink->write_at(o->sink, off, buf, len);
	/* in order: diskdump writes consecutive offsets from 0 */
	if (!o->sink->hashes)
		crypto_sha256_update(&o->sha, buf, len);
	return o->sink->write(o->sink, buf, len);
}

/* Passes over the pages: the measuring one unless the bound is taken,
 * then one (at any offset) or two (in order). */
static unsigned passes(const struct sinkout *o, bool bound)
{
	return (bound ? 0 : 1) + (o->seekable ? 1 : 2);
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
	physread_copy(dst, from, len);
	return true;
}

/* The page at pfn: from the first range that holds it whole, else pieced
 * together from the ranges that touch it (the rest zero). */
static void read_page(void *ctx, uint64_t pfn, void *out)
{
	struct src *s = ctx;
	uint8_t *page = out;
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
	memset(page, 0, DISKDUMP_BLOCK);
	for (size_t i = s->n; i-- > 0;) {	/* backwards: the first range wins */
		const struct dumpplan_range *r = &s->r[i];
		uint64_t a = pa > r->start ? pa : r->start;
		uint64_t e = pa + DISKDUMP_BLOCK < r->start + r->size ? pa + DISKDUMP_BLOCK :
			     r->start + r->size;

		if (r->size && a < e)
			copy_from(s, r->read_from + (a - r->start), page + (a - pa), (size_t)(e - a));
	}
}

static int range_next(void *ctx, size_t *cursor, uint64_t *start, uint64_t *size)
{
	struct src *s = ctx;

	if (*cursor >= s->n)
		return -ENOENT;
	*start = s->r[*cursor].start;
	*size = s->r[*cursor].size;
	++*cursor;
	return 0;
}

static int read_phys(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct src *s = ctx;
	struct physread rd = { s->r, s->n };

	return physread_ranges(&rd, pa, buf, len);
}

/* Each pass reads exactly as the others: the same range for a page (the
 * search restarts at the first range). */
static void rewind_src(void *ctx)
{
	((struct src *)ctx)->cur = 0;
}

static void progress_pages(void *ctx, uint64_t pages)
{
	progress_update(((struct src *)ctx)->prog, pages * DISKDUMP_BLOCK);
}

/* The target's room for a file whose size it records at the end. */
static uint64_t room_sink(void *ctx)
{
	struct sinkout *o = ctx;

	return o->sink->room ? o->sink->room(o->sink) : 0;
}

/* The size is known (kf->bound: at most that): the sink's header, the
 * INCOMPLETE flag when it will not fit. */
static int begin_sink(void *ctx, uint64_t size, uint32_t *status)
{
	struct sinkout *o = ctx;
	int err;

	o->size = size;
	printf("dump: writing %s%llu MiB kdump-compressed file (%llu of %llu pages, %s, dump level "
	       "%u) to %s\n", kf->bound ? "up to " : "", (unsigned long long)(size >> 20),
	       (unsigned long long)kf->pages, (unsigned long long)kf->max_mapnr, o->compressor,
	       kf->level_recorded, o->sink->name);
	if (kf->bound)	/* no measuring pass */
		o->src->prog->total = passes(o, true) * kf->pages * DISKDUMP_BLOCK;
	o->sink->body_format = DUMPHDR_BODY_KDUMP;
	o->sink->size_bound = kf->bound;
	crypto_sha256_init(&o->sha);
	o->src->unreadable = 0;		/* the count of the file's own passes */
	err = o->sink->begin(o->sink, size, 0);
	if (o->sink->truncated)	/* the file says so itself, for crash and makedumpfile */
		*status |= DISKDUMP_INCOMPLETE;
	return err;
}

bool kdump_run(struct dumpsink *sink, const struct dumpplan_range *ranges, size_t n,
	       const void *notes, size_t notes_len, unsigned level, char *summary, size_t len)
{
	static struct sinkout o;
	static const struct kdumpfile_src ksrc_ops = { range_next, read_page, read_phys, rewind_src,
						       progress_pages, NULL };
	struct kdumpfile_src ksrc = ksrc_ops;
	struct kdumpfile_dst dst;
	struct progress prog;
	struct src s = { ranges, n, 0, 0, &prog };
	struct diskdump_info di;
	struct elfcorehdr_note nt;
	struct rtc_time t;
	const char *vi = NULL;
	size_t vlen = 0, cursor = 0;
	uint64_t base = 0, us;
	uint8_t digest[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], line[320], how[120] = "";
	int cpus = 0, err;
	bool batched;
	const struct pagecomp *pc;

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
	/* The bitmaps, a window at a time, and the level applied
	 * (payload/kdumpfile.h): no memory that grows with the machine. */
	ksrc.ctx = &s;
	err = kdumpfile_plan(kf, &ksrc, level, vi, vlen);
	if (err) {
		printf("dump: dump.format=kdump: %s; writing ELF\n", err == -ENOENT ?
		       "no memory ranges" : "memory past what the format can name");
		return false;
	}
	kdumpfile_level_line(kf, line, sizeof(line));
	printf("dump: %s\n", line);

	memset(&di, 0, sizeof(di));
	di.sysname = "Linux";
	di.nodename = sink->hostname;
	di.release = sink->release;
	di.machine = "x86_64";
	di.tv_sec = rtc_read(&t) == 0 ? (int64_t)rtc_unix_time(&t) : 0;
	di.phys_base = base;
	di.nr_cpus = cpus;
	di.notes = notes_len ? notes : NULL;
	di.notes_len = notes_len;
	di.vmcoreinfo = vi;
	di.vmcoreinfo_len = vlen;
	pc = kcompress_open(&di.compress_ctx);
	di.compression = pc->flag;
	di.compress = pc->compress;

	/* The pages once where the target takes writes at any offset and
	 * hashes what it holds (the dump partition, the dump file: write_at),
	 * else twice in order, the descriptors then the data; no measuring
	 * pass first where the target holds the file's upper bound and
	 * records its size at the end (those two, FAT), else one more for the
	 * size the sink's begin() needs (serial, a target too small). */
	o.sink = sink;
	o.src = &s;
	o.compressor = pc->name;
	o.size = 0;
	/* One pass where the target takes writes at offsets (an encrypted
	 * stream over such a target too); a sink marked sequential (an
	 * encrypted stream over serial or FAT) is always written in order. */
	o.seekable = sink->write_at != NULL && sink->hashes && !sink->sequential;
	/* Work for a second CPU: hashing the pages as they are written (the
	 * dump partition and dump file's two-part digest; an encrypted body
	 * is never hashed whole).  smp=auto starts it now, before the pass
	 * reads a page (the start borrows a low page and puts it back). */
	/* The batches only where a second CPU may take some: their memory is
	 * the encryption's (kernel/phasemem.h), and an encrypted stream's
	 * sink has no second_cpu (kernel/encsink.c); its one pass goes page
	 * by page. */
	batched = o.seekable && sink->second_cpu;
	offload.compress_ctx = NULL;	/* NULL: this CPU forms every batch */
	if (batched && smp_want() && pc->compress)
		offload.compress_ctx = kcompress_second(pc);
	dst = (struct kdumpfile_dst){ { sink_write, &o, o.seekable }, begin_sink, &o, room_sink,
				      batched ? &offload : NULL };
	progress_start(&prog, "dump", passes(&o, false) * kf->pages * DISKDUMP_BLOCK);
	err = kdumpfile_write(kf, &di, &dst);
	o.size = kf->size;	/* with a bound: the size written */
	if (!kf->measured) {	/* nothing written yet: the ELF core instead */
		progress_end(&prog);
		printf("dump: cannot lay out the kdump-compressed file (error %d); writing ELF\n", err);
		return false;
	}
	crypto_sha256_final(&o.sha, digest);
	if (err == 0)
		err = sink->finish(sink, digest);
	us = progress_end(&prog);	/* with finish: one pass reads a clear body back there */
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
		sink->size_bound = false;
		sink->truncated = false;
		sink->kept = 0;
		sink->why[0] = '\0';
		return false;
	}
	if (err) {
		snprintf(summary, len, "dump FAILED: %s (error %d after %llu of %llu MiB)",
			 sink->why[0] ? sink->why : "kdump-compressed write error", err,
			 (unsigned long long)(kf->w.pos >> 20), (unsigned long long)(o.size >> 20));
		sink->abort(sink, summary);
		return true;
	}
	if (s.unreadable)
		printf("dump: %llu unmappable pieces of memory were written as zeros\n",
		       (unsigned long long)s.unreadable);
	printf("dump: kdump-compressed: %llu pages compressed, %llu stored raw, %llu zero; %u "
	       "pass%s over the pages\n", (unsigned long long)kf->w.compressed,
	       (unsigned long long)kf->w.stored, (unsigned long long)kf->w.zero,
	       passes(&o, kf->bound), passes(&o, kf->bound) == 1 ? "" : "es");
	if (kf->w.batches_away)
		printf("dump: the second CPU compressed %llu of %llu batches of %u pages beside the "
		       "reading and writing\n", (unsigned long long)kf->w.batches_away,
		       (unsigned long long)kf->w.batches, DISKDUMP_BATCH);
	if (sink->truncated) {
		snprintf(summary, len, "dump FAILED: %s too small: only the first %llu of %llu MiB "
			 "were kept (marked TRUNCATED)", sink->name,
			 (unsigned long long)(sink->kept >> 20), (unsigned long long)(o.size >> 20));
		return true;
	}
	crypto_sha256_hex(digest, hex);
	if (sink->digest_head)
		snprintf(how, sizeof(how), " (the encrypted stream's header; its chunks: AES-GCM tags)");
	else if (sink->digest_split)
		snprintf(how, sizeof(how), " (two-part at byte %llu: headers and descriptors, then "
			 "the pages; savecore checks it)", (unsigned long long)sink->digest_split);
	snprintf(summary, len, "dump complete: %llu MiB in %llu.%01llu s (kdump-compressed), sha256 %s%s",
		 (unsigned long long)(o.size >> 20), (unsigned long long)(us / 1000000),
		 (unsigned long long)(us / 100000 % 10), hex, how);
	return true;
}
