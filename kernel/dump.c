/*
 * The dump (see dump.h).  One pass over memory, streaming, from what the
 * crash context resolved while it gathered (struct context_dump in
 * kernel/context.h: the ranges, the crashed kernel's notes, OSRELEASE and
 * the host name):
 *
 *   notes                     the crashed kernel's, then ours (a second
 *                             buffer, written right after theirs)
 *   crash record              serial only: panic line, registers, the log's
 *   (payload/brief)           newest lines, sent before the file
 *   kdump-compressed file     the default (dump.format=kdump): kernel/kdump.c
 *                             writes it to any sink; when it cannot, or with
 *                             dump.format=elf, the ELF core:
 *   layout (formats/elfcore)  segments split at runs of zero pages and of
 *   (payload/elffilter)       pages the dump level leaves out
 *   pieces                    headers, notes, padding, segment bytes, in
 *                             file order, to a sink (kernel/dumpsink.c)
 *
 * Memory is read only through cpu_map_phys()'d identity mappings, 64 KiB
 * at a time; the SHA-256 of the file is computed on the way.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/sha256.h"
#include "drivers/clock.h"
#include "formats/dumpplan.h"
#include "formats/elfcore.h"
#include "kernel/boot.h"
#include "kernel/cpu.h"
#include "kernel/dump.h"
#include "kernel/dumpsink.h"
#include "kernel/encsink.h"
#include "kernel/kcompress.h"
#include "kernel/kdump.h"
#include "kernel/phasemem.h"
#include "kernel/physread.h"
#include "kernel/progress.h"
#include "payload/brief.h"
#include "payload/dumphdr.h"
#include "payload/elffilter.h"

#define OWN_NOTE_MAX	1024

static uint8_t own_note[OWN_NOTE_MAX];	/* ours, after the crashed kernel's */
/* The ELF core's segments, the level over it (any machine size) and its
 * copy buffer: kernel/phasemem.h. */
#define elf (phasemem.dump.b.elf)

/* What gather met while it resolved the ranges and notes. */
static void print_warnings(const struct context_dump *d)
{
	for (unsigned i = 0; i < d->warn_count; i++)
		printf("%s\n", d->warnings[i]);
	if (d->warn_dropped)
		printf("dump: %u more notes left out or unreadable\n", d->warn_dropped);
}

/* postmortem's own note; returns its length (0: left out). */
static size_t build_own_note(const struct context *ctx, const struct bootinfo *bi, const char *target,
			     unsigned level)
{
	char info[512], hex[2 * SHA256_LEN + 1];
	size_t used = 0, len;
	int n;

	crypto_sha256_hex(ctx->handoff_digest, hex);
	n = snprintf(info, sizeof(info),
		     "version=%s\nboot=%s\nloader=%s\nhandoff=%s%s%s\ntarget=%s\nuptime_us=%llu\n"
		     "dump_level=%u\n",
		     PM_VERSION, boot_path_name(bi->path), bi->loader,
		     ctx->handoff == CONTEXT_HANDOFF_TRUSTED ? "verified sha256 " :
		     ctx->handoff == CONTEXT_HANDOFF_UNTRUSTED ? "NOT TRUSTED: " : "none",
		     ctx->handoff == CONTEXT_HANDOFF_TRUSTED ? hex : "",
		     ctx->handoff == CONTEXT_HANDOFF_UNTRUSTED ? ctx->handoff_reason : "",
		     target, (unsigned long long)clock_us(), level);
	len = n < 0 ? 0 : (size_t)n + 1;
	if (elfcore_note_put(own_note, sizeof(own_note), ELFCORE_NOTE_NAME_PM, ELFCORE_NT_PM_INFO,
			     info, len, &used) != 0) {
		printf("dump: note %s type %u (%zu bytes) does not fit; left out\n",
		       ELFCORE_NOTE_NAME_PM, ELFCORE_NT_PM_INFO, len);
		return 0;
	}
	return used;
}

/* What the dump header records about the crash. */
static void describe_crash(const struct context *ctx, struct dumpsink *sink)
{
	snprintf(sink->release, sizeof(sink->release), "%s", ctx->dump.osrelease);
	snprintf(sink->hostname, sizeof(sink->hostname), "%s", ctx->dump.hostname);
	sink->handoff_status = ctx->handoff == CONTEXT_HANDOFF_TRUSTED ? DUMPHDR_HANDOFF_OK :
			       ctx->handoff == CONTEXT_HANDOFF_UNTRUSTED ? DUMPHDR_HANDOFF_BAD :
			       DUMPHDR_HANDOFF_NONE;
}

/* ------------------------------------------------------------ crash record */

struct brief_mem {
	struct physread rd;	/* the planned ranges: the crashed system's RAM only */
	struct kpgtable pt;
};

static int brief_read_virt(void *c, uint64_t va, void *buf, size_t len)
{
	return kpgtable_read_virt(&((struct brief_mem *)c)->pt, va, buf, len);
}

/*
 * Before a serial dump: the crash record, so the panic text and the
 * registers arrive in seconds even when the whole file takes hours.
 */
static void send_brief(const struct context_dump *d, struct dumpsink *sink)
{
	char *text = phasemem.dump.a.brief_text;	/* a serial target: no second CPU's batches */
	static struct brief_mem mem;
	struct brief_src src = { sink->dump_id, sink->release, sink->hostname, sink->fallback,
				 d->notes, d->notes_len, NULL, &mem, NULL };
	struct brief_stats st;
	const char *why = "no VMCOREINFO note";
	size_t len;

	mem.rd = (struct physread){ d->ranges, d->range_count };
	if (d->vmcoreinfo)
		why = brief_pgtable(d->vmcoreinfo, d->vmcoreinfo_len, &mem.pt, physread_ranges, &mem.rd);
	if (why == NULL)
		src.read_virt = brief_read_virt;
	else
		src.no_log_why = why;
	len = brief_build(&src, text, sizeof(phasemem.dump.a.brief_text), &st);
	if (st.log_why)
		printf("dump: crash record without the kernel log: %s\n", st.log_why);
	else
		printf("dump: crash record: %zu CPUs, the newest %llu log records%s\n", st.cpus,
		       (unsigned long long)st.log.shown,
		       st.log.skipped ? " (some could not be read)" : "");
	if (sink->brief(sink, text, len) != 0)
		printf("dump: the crash record could not be sent: %s\n", sink->why);
}

/* ------------------------------------------------------------ streaming */

static int zero_check(void *ctx, uint64_t addr, uint64_t len)
{
	const uint64_t *p;

	(void)ctx;
	if (cpu_map_phys(addr, len) != 0)
		return 0;
	p = (const uint64_t *)(uintptr_t)addr;
	for (uint64_t i = 0; i < len / 8; i++)
		if (p[i])
			return 0;
	return 1;
}

struct stream {
	struct dumpsink *sink;
	struct crypto_sha256 sha;
	struct progress prog;
	uint64_t written, unreadable;
};

static int emit(struct stream *st, const void *buf, size_t len)
{
	if (!st->sink->hashes)
		crypto_sha256_update(&st->sha, buf, len);
	st->written += len;
	return st->sink->write(st->sink, buf, len);
}

static int emit_zero(struct stream *st, uint64_t len)
{
	int err = 0;

	memset(elf.chunk, 0, sizeof(elf.chunk));
	while (len && err == 0) {
		size_t n = len < sizeof(elf.chunk) ? (size_t)len : sizeof(elf.chunk);

		err = emit(st, elf.chunk, n);
		len -= n;
	}
	return err;
}

static int emit_memory(struct stream *st, uint64_t from, uint64_t len)
{
	int err = 0;

	while (len && err == 0) {
		size_t n = len < sizeof(elf.chunk) ? (size_t)len : sizeof(elf.chunk);

		if (cpu_map_phys(from, n) == 0) {
			physread_copy(elf.chunk, from, n);
		} else {
			if (st->unreadable == 0)
				printf("dump: memory at 0x%llx cannot be mapped; written as zeros\n",
				       (unsigned long long)from);
			st->unreadable += n;
			memset(elf.chunk, 0, n);
		}
		err = emit(st, elf.chunk, n);
		from += n;
		len -= n;
		progress_update(&st->prog, st->written);
	}
	return err;
}

static int stream_file(struct stream *st, const struct context_dump *d, size_t nsegs,
		       size_t own_len)
{
	size_t notes_len = d->notes_len + own_len;
	struct elfcore_piece pc;
	size_t cursor = 0, hl;
	int err;

	while ((err = elfcore_piece_next(elf.segs, nsegs, notes_len, &cursor, &pc)) == 0) {
		switch (pc.kind) {
		case ELFCORE_PIECE_HEADERS:
			/* The program header table can outgrow the chunk
			 * (56 bytes a segment): write it a window at a time. */
			for (uint64_t off = 0; err == 0 && off < pc.len; off += hl) {
				hl = pc.len - off < sizeof(elf.chunk) ? (size_t)(pc.len - off) : sizeof(elf.chunk);
				err = elfcore_headers_part(elf.segs, nsegs, notes_len, pc.offset + off, elf.chunk, hl);
				if (err == 0)
					err = emit(st, elf.chunk, hl);
			}
			break;
		case ELFCORE_PIECE_NOTES:
			err = emit(st, d->notes, d->notes_len);
			if (err == 0)
				err = emit(st, own_note, own_len);
			break;
		case ELFCORE_PIECE_ZERO:
			err = emit_zero(st, pc.len);
			break;
		case ELFCORE_PIECE_SEGMENT:
			err = emit_memory(st, pc.read_from, pc.len);
			break;
		}
		if (err)
			return err;
	}
	return err == -ENOENT ? 0 : err;
}

void dump_run(const struct context *ctx, const struct bootinfo *bi, const struct cmdline *opts,
	      char *summary, size_t len)
{
	static struct stream st;
	const struct context_dump *d = &ctx->dump;
	struct elfcore_zero_scan zs = { ELFCORE_ZERO_RUN_DEFAULT, zero_check, NULL };
	size_t nsegs = 0, own_len, notes_len;
	uint64_t file_size = 0, us, absent = 0;
	uint8_t digest[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], line[320];
	struct physread rd;
	int err, enc = 0;

	/* Encrypted or not is settled before a target is opened: opening
	 * one may write (the dump file's header), and a refusal writes
	 * nothing anywhere (kernel/encsink.h). */
	if (opts->dump.kind != CMDLINE_DUMP_NONE &&
	    (enc = encsink_prepare(ctx, opts, summary, len)) < 0)
		return;				/* encsink_prepare wrote the summary */
	st.sink = dumpsink_open(ctx, bi, opts, summary, len);
	if (st.sink == NULL)
		return;				/* dumpsink_open wrote the summary */
	if (enc)
		st.sink = encsink_wrap(st.sink);
	print_warnings(d);
	own_len = build_own_note(ctx, bi, st.sink->name, opts->dump_level);
	notes_len = d->notes_len + own_len;
	describe_crash(ctx, st.sink);
	if (st.sink->brief)
		send_brief(d, st.sink);
	printf("dump: plan: %zu ranges from %s, %llu MiB of memory, notes %zu bytes\n",
	       d->range_count, d->ranges_source, (unsigned long long)(d->range_bytes >> 20), notes_len);
	kcompress_choose(opts->compress);
	if (opts->format == CMDLINE_FORMAT_KDUMP &&
	    kdump_run(st.sink, d->ranges, d->range_count, d->notes, d->notes_len, opts->dump_level,
		      summary, len))
		return;
	/* The segments, with the level applied (payload/elffilter.h): pages
	 * it leaves out are cut like runs of zero pages, the 2nd bitmap a
	 * window at a time; the level recorded goes in our note. */
	rd = (struct physread){ d->ranges, d->range_count };
	err = elffilter_plan(&elf.ef, d->ranges, d->range_count, opts->dump_level, d->vmcoreinfo,
			     d->vmcoreinfo_len, physread_ranges, &rd,
			     opts->zero == CMDLINE_ZERO_KEEP ? NULL : &zs, elf.segs, PHASEMEM_SEGS);
	if (err == 0) {
		elffilter_level_line(&elf.ef, line, sizeof(line));
		printf("dump: %s\n", line);
		own_len = build_own_note(ctx, bi, st.sink->name, elf.ef.level_recorded);
		notes_len = d->notes_len + own_len;
		nsegs = elf.ef.nsegs;
		err = elfcore_layout(elf.segs, nsegs, notes_len, &file_size);
	}
	if (err) {
		snprintf(summary, len, "dump FAILED: cannot lay out the ELF file (error %d)", err);
		st.sink->abort(st.sink, summary);
		return;
	}
	for (size_t i = 0; i < nsegs; i++)
		absent += elf.segs[i].memsz - elf.segs[i].filesz;
	printf("dump: writing %llu MiB ELF core (%zu segments, zero pages %s, dump level %u; "
	       "%llu MiB of memory not in the file, runs under %llu pages written) to %s\n",
	       (unsigned long long)(file_size >> 20), nsegs,
	       opts->zero == CMDLINE_ZERO_KEEP ? "kept" : "skipped", elf.ef.level_recorded,
	       (unsigned long long)(absent >> 20), (unsigned long long)elf.ef.min_run, st.sink->name);
	err = st.sink->begin(st.sink, file_size, nsegs);
	crypto_sha256_init(&st.sha);
	st.written = st.unreadable = 0;
	progress_start(&st.prog, "dump", file_size);
	if (err == 0)
		err = stream_file(&st, d, nsegs, own_len);
	crypto_sha256_final(&st.sha, digest);
	us = progress_end(&st.prog);
	if (err == 0)
		err = st.sink->finish(st.sink, digest);
	if (st.sink->hashes)
		memcpy(digest, st.sink->digest, SHA256_LEN);
	if (err) {
		snprintf(summary, len, "dump FAILED: %s (error %d after %llu of %llu MiB)",
			 st.sink->why[0] ? st.sink->why : "target write error", err,
			 (unsigned long long)(st.written >> 20), (unsigned long long)(file_size >> 20));
		st.sink->abort(st.sink, summary);
		return;
	}
	if (st.sink->truncated) {
		snprintf(summary, len, "dump FAILED: %s too small: only the first %llu of %llu MiB were kept (marked TRUNCATED)",
			 st.sink->name, (unsigned long long)(st.sink->kept >> 20),
			 (unsigned long long)(file_size >> 20));
		return;
	}
	crypto_sha256_hex(digest, hex);
	snprintf(summary, len, "dump complete: %llu MiB in %llu.%01llu s (%llu MiB/s), sha256 %s%s",
		 (unsigned long long)(file_size >> 20), (unsigned long long)(us / 1000000),
		 (unsigned long long)(us / 100000 % 10),
		 (unsigned long long)progress_rate(file_size, us), hex, st.sink->digest_head ?
		 " (the encrypted stream's header; its chunks: AES-GCM tags)" : "");
}
