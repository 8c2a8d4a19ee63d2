/*
 * The dump (see dump.h).  One pass over memory, streaming:
 *
 *   plan (formats/dumpplan.c)  ranges: elfcorehdr PT_LOADs, else the
 *                             handoff's DUMP_RANGES, else the memory map's
 *                             RAM; minus our image and boot modules
 *   notes                     the crashed kernel's (elfcorehdr PT_NOTEs, or
 *                             the handoff's CPU_NOTES + VMCOREINFO) and ours
 *   crash record              serial only: panic line, registers, the log's
 *   (payload/brief)           newest lines, sent before the file
 *   layout (formats/elfcore)  segments split at runs of zero pages
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
#include "kernel/progress.h"
#include "payload/brief.h"
#include "payload/dumphdr.h"

#define CHUNK		(64u << 10)
#define NOTES_MAX	(256u << 10)
#define SEGS_MAX	8192

static struct dumpplan plan;
static struct dumpplan_range ranges[DUMPPLAN_MAX + 1];
static struct elfcore_segment segs[SEGS_MAX];
static uint8_t notes[NOTES_MAX];
static uint8_t chunk[CHUNK] __attribute__((aligned(64)));

static void plan_from_map(const struct context *ctx, const struct bootinfo *bi, const char **src)
{
	struct efi_mmap_desc d;
	size_t n = ctx->efi_mmap ? efi_mmap_count(ctx->efi_mmap_len, ctx->efi_desc_size) : 0;

	for (size_t i = 0; i < n; i++)
		if (efi_mmap_desc_at(ctx->efi_mmap, ctx->efi_mmap_len, ctx->efi_desc_size, i, &d) == 0 &&
		    efi_mem_type_is_ram(d.type))
			dumpplan_add(&plan, d.phys_start, d.num_pages * 4096, d.phys_start, 0);
	if (plan.n) {
		*src = "EFI memory map";
		return;
	}
	for (unsigned i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == 1)
			dumpplan_add(&plan, bi->mem[i].base, bi->mem[i].len, bi->mem[i].base, 0);
	*src = "e820 RAM";
}

static bool plan_from_handoff(const struct context *ctx)
{
	size_t cursor = 0;
	struct handoff_record rec;
	struct handoff_array arr;
	struct handoff_dump_range r;

	while (context_handoff_next(ctx, HANDOFF_TYPE_DUMP_RANGES, &cursor, &rec)) {
		if (handoff_get_array(&rec, &arr) != 0)
			continue;
		for (size_t i = 0; i < arr.count && handoff_dump_range_at(&rec, i, &r) == 0; i++)
			dumpplan_add(&plan, r.start, r.size, r.start, 0);
	}
	return plan.n != 0;
}

/* The crashed kernel's direct-map base from the handoff's VMCOREINFO
 * (NUMBER(page_offset_base)), or 0 when it does not say. */
static uint64_t handoff_direct_map(const struct context *ctx)
{
	size_t cursor = 0;
	struct handoff_record rec;
	struct handoff_vmcoreinfo vi;
	struct handoff_bytes b;
	uint64_t base;

	while (context_handoff_next(ctx, HANDOFF_TYPE_VMCOREINFO, &cursor, &rec))
		if (handoff_get_vmcoreinfo(&rec, &vi, &b) == 0 &&
		    elfcorehdr_direct_map_base((const char *)b.ptr, b.len, &base) == 0)
			return base;
	return 0;
}

/* The ranges, in file order; returns how many (the kernel-text PT_LOAD of
 * an elfcorehdr is kept as its own range after the RAM ones, as Linux's
 * /proc/vmcore has it, since it overlaps RAM by design). */
static size_t build_ranges(const struct context *ctx, const struct bootinfo *bi, const char **src)
{
	const struct elfcorehdr *eh = ctx->have_elfcorehdr ? ctx->elfcore : NULL;
	size_t n = 0;

	dumpplan_init(&plan);
	if (eh != NULL) {
		for (size_t i = 0; i < eh->load_count; i++)
			if (i != eh->kernel_text_index)
				dumpplan_add(&plan, eh->loads[i].p_paddr, eh->loads[i].p_filesz,
					     eh->loads[i].p_offset, eh->loads[i].p_vaddr);
		*src = "elfcorehdr";
	} else if (plan_from_handoff(ctx)) {
		*src = "handoff dump ranges";
	} else {
		plan_from_map(ctx, bi, src);
	}
	dumpplan_exclude(&plan, bi->load_base, bi->image_size);
	for (unsigned i = 0; i < bi->module_count; i++)
		if (bi->modules[i].len)
			dumpplan_exclude(&plan, bi->modules[i].base, bi->modules[i].len);
	dumpplan_finish(&plan);
	uint64_t dmap = eh == NULL ? handoff_direct_map(ctx) : 0;

	for (size_t i = 0; i < plan.n; i++) {
		ranges[n] = plan.r[i];
		if (dmap && ranges[n].vaddr == 0)
			ranges[n].vaddr = dmap + ranges[n].start;
		n++;
	}
	if (eh != NULL && eh->kernel_text_index < eh->load_count) {
		const struct elfcorehdr_load *t = &eh->loads[eh->kernel_text_index];

		ranges[n++] = (struct dumpplan_range){ t->p_paddr, t->p_filesz, t->p_offset, t->p_vaddr };
	}
	return n;
}

/* ------------------------------------------------------------ notes */

static size_t put_note(size_t used, const char *name, uint32_t type, const void *desc, size_t len)
{
	size_t n = 0;

	if (elfcore_note_put(notes + used, sizeof(notes) - used, name, type, desc, len, &n) != 0) {
		printf("dump: note %s type %u (%zu bytes) does not fit; left out\n", name, type, len);
		return used;
	}
	return used + n;
}

/* Copy every note of an ELF notes buffer (stops at the zero terminator). */
static size_t copy_notes(size_t used, const void *buf, size_t len)
{
	struct elfcorehdr_note nt;
	char name[32];
	size_t cursor = 0;

	while (elfcorehdr_note_next(buf, len, &cursor, &nt) == 0) {
		size_t nl = strnlen(nt.name, nt.name_len);

		if (nl >= sizeof(name))
			continue;
		memcpy(name, nt.name, nl);
		name[nl] = '\0';
		used = put_note(used, name, nt.type, nt.desc, nt.desc_len);
	}
	return used;
}

static size_t notes_from_elfcorehdr(const struct elfcorehdr *eh, size_t used)
{
	for (size_t i = 0; i < eh->note_count; i++) {
		uint64_t a = eh->notes[i].p_offset, l = eh->notes[i].p_filesz;

		if (l > NOTES_MAX || cpu_map_phys(a, l) != 0) {
			printf("dump: PT_NOTE at 0x%llx (%llu bytes) unreadable; left out\n",
			       (unsigned long long)a, (unsigned long long)l);
			continue;
		}
		used = copy_notes(used, (const void *)(uintptr_t)a, (size_t)l);
	}
	return used;
}

static size_t notes_from_handoff(const struct context *ctx, size_t used)
{
	size_t cursor = 0;
	struct handoff_record rec;
	struct handoff_bytes b;
	struct handoff_vmcoreinfo vi;

	while (context_handoff_next(ctx, CONTEXT_HANDOFF_ANY, &cursor, &rec)) {
		if (rec.type == HANDOFF_TYPE_CPU_NOTES && handoff_get_bytes(&rec, rec.type, &b) == 0)
			used = copy_notes(used, b.ptr, b.len);
		if (rec.type == HANDOFF_TYPE_VMCOREINFO && handoff_get_vmcoreinfo(&rec, &vi, &b) == 0)
			used = put_note(used, "VMCOREINFO", 0, b.ptr, b.len);
	}
	return used;
}

static size_t build_notes(const struct context *ctx, const struct bootinfo *bi, const char *target)
{
	char info[512], hex[2 * SHA256_LEN + 1];
	size_t used = 0;
	int n;

	if (ctx->have_elfcorehdr)
		used = notes_from_elfcorehdr(ctx->elfcore, used);
	else
		used = notes_from_handoff(ctx, used);
	crypto_sha256_hex(ctx->handoff_digest, hex);
	n = snprintf(info, sizeof(info),
		     "version=%s\nboot=%s\nloader=%s\nhandoff=%s%s%s\ntarget=%s\nuptime_us=%llu\n",
		     PM_VERSION, boot_path_name(bi->path), bi->loader,
		     ctx->handoff == CONTEXT_HANDOFF_TRUSTED ? "verified sha256 " :
		     ctx->handoff == CONTEXT_HANDOFF_UNTRUSTED ? "NOT TRUSTED: " : "none",
		     ctx->handoff == CONTEXT_HANDOFF_TRUSTED ? hex : "",
		     ctx->handoff == CONTEXT_HANDOFF_UNTRUSTED ? ctx->handoff_reason : "",
		     target, (unsigned long long)clock_us());
	return put_note(used, ELFCORE_NOTE_NAME_PM, ELFCORE_NT_PM_INFO, info,
			n < 0 ? 0 : (size_t)n + 1);
}

/* What the dump header records about the crash: OSRELEASE from the
 * VMCOREINFO note we carry, the host name from the handoff's creator. */
static void describe_crash(const struct context *ctx, struct dumpsink *sink, size_t notes_len)
{
	struct elfcorehdr_note nt;
	struct handoff_record rec;
	struct handoff_creator cr;
	const char *v;
	size_t cursor = 0, vl;

	while (elfcorehdr_note_next(notes, notes_len, &cursor, &nt) == 0)
		if (elfcorehdr_note_is(&nt, "VMCOREINFO", 0) &&
		    elfcorehdr_vmcoreinfo_get(nt.desc, nt.desc_len, "OSRELEASE", &v, &vl) == 0)
			snprintf(sink->release, sizeof(sink->release), "%.*s", (int)vl, v);
	cursor = 0;
	while (context_handoff_next(ctx, HANDOFF_TYPE_CREATOR, &cursor, &rec))
		if (handoff_get_creator(&rec, &cr) == 0)
			snprintf(sink->hostname, sizeof(sink->hostname), "%.*s",
				 (int)strnlen(cr.host, sizeof(cr.host)), cr.host);
	sink->handoff_status = ctx->handoff == CONTEXT_HANDOFF_TRUSTED ? DUMPHDR_HANDOFF_OK :
			       ctx->handoff == CONTEXT_HANDOFF_UNTRUSTED ? DUMPHDR_HANDOFF_BAD :
			       DUMPHDR_HANDOFF_NONE;
}

/* ------------------------------------------------------------ crash record */

struct brief_mem {
	size_t nranges;
	struct kpgtable pt;
};

/* The crashed system's RAM only (the planned ranges, our image excluded). */
static int brief_read_phys(void *c, uint64_t pa, void *buf, size_t len)
{
	const struct brief_mem *m = c;

	for (size_t i = 0; i < m->nranges; i++) {
		const struct dumpplan_range *r = &ranges[i];
		uint64_t from;

		if (pa < r->start || pa - r->start >= r->size || len > r->size - (pa - r->start))
			continue;
		from = r->read_from + (pa - r->start);
		if (cpu_map_phys(from, len) != 0)
			return -EFAULT;
		memcpy(buf, (const void *)(uintptr_t)from, len);
		return 0;
	}
	return -EFAULT;
}

static int brief_read_virt(void *c, uint64_t va, void *buf, size_t len)
{
	return kpgtable_read_virt(&((struct brief_mem *)c)->pt, va, buf, len);
}

/*
 * Before a serial dump: the crash record, so the panic text and the
 * registers arrive in seconds even when the whole file takes hours.
 */
static void send_brief(struct dumpsink *sink, size_t nranges, size_t notes_len)
{
	static char text[BRIEF_MAX];
	static struct brief_mem mem;
	struct brief_src src = { sink->dump_id, sink->release, sink->hostname, sink->fallback,
				 notes, notes_len, NULL, &mem };
	struct brief_stats st;
	struct elfcorehdr_note nt;
	const char *why = "no VMCOREINFO note";
	size_t cursor = 0, len;

	mem.nranges = nranges;
	while (elfcorehdr_note_next(notes, notes_len, &cursor, &nt) == 0)
		if (elfcorehdr_note_is(&nt, "VMCOREINFO", 0) && nt.desc) {
			why = brief_pgtable(nt.desc, nt.desc_len, &mem.pt, brief_read_phys, &mem);
			break;
		}
	if (why == NULL)
		src.read_virt = brief_read_virt;
	else
		src.no_log_why = why;
	len = brief_build(&src, text, sizeof(text), &st);
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

	memset(chunk, 0, sizeof(chunk));
	while (len && err == 0) {
		size_t n = len < sizeof(chunk) ? (size_t)len : sizeof(chunk);

		err = emit(st, chunk, n);
		len -= n;
	}
	return err;
}

static int emit_memory(struct stream *st, uint64_t from, uint64_t len)
{
	int err = 0;

	while (len && err == 0) {
		size_t n = len < sizeof(chunk) ? (size_t)len : sizeof(chunk);

		if (cpu_map_phys(from, n) == 0) {
			memcpy(chunk, (const void *)(uintptr_t)from, n);
		} else {
			if (st->unreadable == 0)
				printf("dump: memory at 0x%llx cannot be mapped; written as zeros\n",
				       (unsigned long long)from);
			st->unreadable += n;
			memset(chunk, 0, n);
		}
		err = emit(st, chunk, n);
		from += n;
		len -= n;
		progress_update(&st->prog, st->written);
	}
	return err;
}

static int stream_file(struct stream *st, size_t nsegs, size_t notes_len)
{
	struct elfcore_piece pc;
	size_t cursor = 0, hl;
	int err;

	while ((err = elfcore_piece_next(segs, nsegs, notes_len, &cursor, &pc)) == 0) {
		switch (pc.kind) {
		case ELFCORE_PIECE_HEADERS:
			/* The program header table can outgrow the chunk
			 * (56 bytes a segment): write it a window at a time. */
			for (uint64_t off = 0; err == 0 && off < pc.len; off += hl) {
				hl = pc.len - off < sizeof(chunk) ? (size_t)(pc.len - off) : sizeof(chunk);
				err = elfcore_headers_part(segs, nsegs, notes_len, pc.offset + off, chunk, hl);
				if (err == 0)
					err = emit(st, chunk, hl);
			}
			break;
		case ELFCORE_PIECE_NOTES:
			err = emit(st, notes, notes_len);
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
	const char *src = "none";
	struct elfcore_zero_scan zs = { ELFCORE_ZERO_RUN_DEFAULT, zero_check, NULL };
	size_t n, nsegs = 0, notes_len;
	uint64_t file_size = 0, us;
	uint8_t digest[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	int err;

	st.sink = dumpsink_open(bi, opts, summary, len);
	if (st.sink == NULL)
		return;				/* dumpsink_open wrote the summary */
	n = build_ranges(ctx, bi, &src);
	notes_len = build_notes(ctx, bi, st.sink->name);
	describe_crash(ctx, st.sink, notes_len);
	if (st.sink->brief)
		send_brief(st.sink, n, notes_len);
	printf("dump: plan: %zu ranges from %s, %llu MiB of memory, notes %zu bytes\n", n, src,
	       (unsigned long long)(plan.total >> 20), notes_len);
	err = elfcore_plan(ranges, n, notes_len, opts->zero == CMDLINE_ZERO_KEEP ? NULL : &zs,
			   segs, SEGS_MAX, &nsegs, &file_size);
	if (err) {
		snprintf(summary, len, "dump FAILED: cannot lay out the ELF file (error %d)", err);
		st.sink->abort(st.sink, summary);
		return;
	}
	printf("dump: writing %llu MiB ELF core (%zu segments, zero pages %s) to %s\n",
	       (unsigned long long)(file_size >> 20), nsegs,
	       opts->zero == CMDLINE_ZERO_KEEP ? "kept" : "skipped", st.sink->name);
	err = st.sink->begin(st.sink, file_size, nsegs);
	crypto_sha256_init(&st.sha);
	st.written = st.unreadable = 0;
	progress_start(&st.prog, "dump", file_size);
	if (err == 0)
		err = stream_file(&st, nsegs, notes_len);
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
	snprintf(summary, len, "dump complete: %llu MiB in %llu.%01llu s (%llu MiB/s), sha256 %s",
		 (unsigned long long)(file_size >> 20), (unsigned long long)(us / 1000000),
		 (unsigned long long)(us / 100000 % 10),
		 (unsigned long long)progress_rate(file_size, us), hex);
}
