/*
 * Dump targets (see dumpsink.h).
 *
 * Every target takes either body (the kdump-compressed file or the ELF
 * core) and records which: the dump header's body_format, the serial
 * HEADER frame's body_format, dumpinfo.txt's format= line.
 *
 * Serial: frames (docs/dump-serial.md) written raw to the UART, between
 * console lines; `postmortem recv` rebuilds the file.  The port is set up
 * at 115200 if it is not a console already.
 *
 * Disk: a GPT partition with the postmortem dump type GUID (the first one
 * found, or the one named: dump=disk:virtio0p2) on a disk the write rule
 * allows (formats/gpt.c gpt_write_refusal: a protective or hybrid MBR,
 * both GPT copies valid and agreeing, the partition clear of everything
 * else; a refusal is one console line naming the reason), or any device
 * or partition named with ",force".  Layout and write order: docs/dump-disk.md
 * (both headers INCOMPLETE first, body, then COMPLETE), so a dump cut short
 * is never taken for whole.  A kdump-compressed body is written in one
 * pass, its descriptor blocks at their place (write_at); its digest is
 * two-part (payload/dumphdr.h DUMPHDR_FLAG_DIGEST_SPLIT): the pages
 * hashed as they are written, by the second CPU when one runs (smp_want),
 * the part before them read back from the disk before the headers say
 * COMPLETE.  An encrypted body's digest is of its stream header only
 * (DUMPHDR_FLAG_DIGEST_HEAD: the AES-GCM tags authenticate the rest),
 * neither hashed as written nor read back.  A disk without the GUID is never written unless forced.
 *
 * FAT: files on the ESP or a named FAT volume (kernel/fatsink.c).
 *
 * File: the dump file the verified handoff block names (kernel/filesink.c):
 * the disk target above, written through a view of the file's dump region.
 *
 * Fallback: when the chosen target is missing, say so and use serial if a
 * serial console exists (documented in the README).
 */
#include <stdio.h>
#include <string.h>

#include "drivers/rtc.h"
#include "drivers/uart16550.h"
#include "formats/gpt.h"
#include "kernel/blkdev_registry.h"
#include "kernel/cpu.h"
#include "kernel/devices.h"
#include "kernel/dumpsink.h"
#include "kernel/fatsink.h"
#include "kernel/filesink.h"
#include "kernel/progress.h"
#include "kernel/smp.h"
#include "payload/dumpfile.h"
#include "payload/dumphdr.h"
#include "payload/frame.h"

static struct dumpsink sink;

/* ------------------------------------------------------------ serial */

static struct frame_sender sender;
static unsigned serial_port;

static int serial_emit(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	return uart16550_write_raw(serial_port, frame, len) ? -EIO : 0;
}

/*
 * An honest time before a long serial dump: each 1024-byte DATA frame
 * costs 1064 bytes on the line and 8N1 moves baud / 10 bytes a second
 * (zero runs cost almost nothing, so this is the most it takes).
 */
static void serial_estimate(uint64_t file_size)
{
	uint32_t baud = uart16550_baud(serial_port);
	uint64_t secs;

	if (baud == 0)
		return;
	secs = file_size / 1024 * 1064 / (baud / 10) + 1;
	if (secs < 60)
		return;
	printf("dump: over ttyS%u at %u baud this takes up to %llu h %02llu min; a dump partition "
	       "(dump=disk) takes seconds\n", serial_port, baud, (unsigned long long)(secs / 3600),
	       (unsigned long long)(secs / 60 % 60));
}

static int serial_begin(struct dumpsink *s, uint64_t file_size, size_t nsegs)
{
	struct frame_dump_header h;

	/* A second begin() (the ELF core after a kdump-compressed file that
	 * was given up) is another dump: its own id, so that recv never mixes
	 * the two files' frames. */
	if (s->begun)
		s->dump_id = cpu_rdtsc_id();
	s->begun = true;
	memset(&h, 0, sizeof(h));
	h.file_size = file_size;
	h.segment_count = s->body_format == DUMPHDR_BODY_ENCRYPTED ? 0 : (uint32_t)nsegs;
	h.body_format = s->body_format == DUMPHDR_BODY_KDUMP ? FRAME_BODY_KDUMP :
			s->body_format == DUMPHDR_BODY_ENCRYPTED ? FRAME_BODY_ENCRYPTED : FRAME_BODY_ELF;
	snprintf(h.producer, sizeof(h.producer), "postmortem %s", PM_VERSION);
	serial_estimate(file_size);
	if (frame_sender_begin(&sender, &h, s->dump_id, serial_emit, NULL) != 0) {
		snprintf(s->why, sizeof(s->why), "serial port ttyS%u stopped taking bytes", serial_port);
		return -EIO;
	}
	return 0;
}

/* The crash record (payload/brief.h) as BRIEF frames, seconds at any baud. */
static int serial_brief(struct dumpsink *s, const char *text, size_t len)
{
	uint32_t baud = uart16550_baud(serial_port);
	uint64_t line = len + (len / (FRAME_PAYLOAD_MAX - 8) + 1) * (FRAME_HEADER_SIZE + 8);

	printf("dump: the crash record first: %zu bytes over ttyS%u%s", len, serial_port,
	       baud ? "" : "\n");
	if (baud)
		printf(", about %llu s at %u baud\n",
		       (unsigned long long)(line * 10 / baud + 1), baud);
	if (frame_send_brief(serial_emit, NULL, s->dump_id, text, len, sender.frame) != 0) {
		snprintf(s->why, sizeof(s->why), "serial port ttyS%u stopped taking bytes", serial_port);
		return -EIO;
	}
	uart16550_write_raw(serial_port, "\r\n", 2);	/* console text starts on a new line */
	return 0;
}

static int serial_write(struct dumpsink *s, const void *buf, size_t len)
{
	int err = frame_sender_write(&sender, buf, len);

	if (err)
		snprintf(s->why, sizeof(s->why), "serial port ttyS%u stopped taking bytes", serial_port);
	return err;
}

static int serial_finish(struct dumpsink *s, const uint8_t digest[SHA256_LEN])
{
	int err = frame_sender_end(&sender, 0);

	(void)digest;
	uart16550_write_raw(serial_port, "\r\n", 2);	/* console text starts on a new line */
	if (err)
		snprintf(s->why, sizeof(s->why), "serial trailer not sent");
	return err ? -EIO : 0;
}

static void serial_abort(struct dumpsink *s, const char *reason)
{
	(void)s, (void)reason;
	frame_sender_end(&sender, -EIO);	/* tells recv the stream stopped short */
	uart16550_write_raw(serial_port, "\r\n", 2);
}

static struct dumpsink *open_serial(unsigned port, char *summary, size_t len)
{
	struct chardev dev;

	if (!uart16550_ready(port) && uart16550_init(&dev, port, 115200) != 0) {
		snprintf(summary, len, "dump FAILED: serial port ttyS%u not present", port);
		return NULL;
	}
	serial_port = port;
	memset(&sink, 0, sizeof(sink));
	snprintf(sink.namebuf, sizeof(sink.namebuf), "serial ttyS%u", port);
	sink.name = sink.namebuf;
	sink.begin = serial_begin;
	sink.write = serial_write;
	sink.finish = serial_finish;
	sink.abort = serial_abort;
	sink.brief = serial_brief;
	sink.dump_id = cpu_rdtsc_id();
	return &sink;
}

/* ------------------------------------------------------------ disk */

static struct dumphdr_writer dw;
static struct blkdev part_view;
static struct gpt_info gpt;
static uint8_t scratch[128u << 10] __attribute__((aligned(4096)));
static const struct efi_guid dump_type = GPT_TYPE_POSTMORTEM_DUMP;
static bool forced;		/* written under ,force: DUMPHDR_FLAG_FORCED */

/* Now, from the CMOS clock, for the dump header; 0 (unknown) without one. */
static uint64_t now_unix(void)
{
	struct rtc_time t;

	return rtc_read(&t) == 0 ? rtc_unix_time(&t) : 0;
}

/* The second CPU hashes each written buffer of pages while this one
 * reads and compresses the next (payload/dumphdr.h hash_start), queued
 * after the batches it may be compressing (kernel/kdump.c); one it has
 * not started when the writer needs the buffer again is hashed here. */
static struct {
	struct crypto_sha256 *sha;
	const void *p;
	size_t len;
} ap_hash;

static void ap_hash_run(void *arg)
{
	(void)arg;
	crypto_sha256_update(ap_hash.sha, ap_hash.p, ap_hash.len);
}

static uint64_t ap_hashed;	/* bytes the second CPU hashed */
static uint32_t ap_hash_ticket;	/* the last hash_start's job in the second CPU's queue */

static int ap_hash_start(void *ctx, struct crypto_sha256 *sha, const void *p, size_t len)
{
	(void)ctx;
	ap_hash.sha = sha;	/* the writer waits for a job before it starts another */
	ap_hash.p = p;
	ap_hash.len = len;
	return smp_post(ap_hash_run, NULL, &ap_hash_ticket);
}

/* The writer waits for every job it started: counted here, once. */
static int ap_hash_wait(void *ctx)
{
	int err;

	(void)ctx;
	if (smp_cancel(ap_hash_ticket)) {
		/* not started: the writer hashes it here, no waiting */
		crypto_sha256_update(ap_hash.sha, ap_hash.p, ap_hash.len);
		return 0;
	}
	err = smp_wait_for(ap_hash_ticket);
	if (err == 0)
		ap_hashed += ap_hash.len;
	return err;
}

static int disk_begin(struct dumpsink *s, uint64_t file_size, size_t nsegs)
{
	struct dumphdr tmpl;
	int err;

	(void)nsegs;
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.dump_id = cpu_rdtsc_id();
	tmpl.created = now_unix();
	tmpl.body_format = s->body_format ? s->body_format : DUMPHDR_BODY_ELF;
	tmpl.flags = forced ? DUMPHDR_FLAG_FORCED : 0;
	dumphdr_set_text(tmpl.pm_version, sizeof(tmpl.pm_version), "postmortem " PM_VERSION);
	dumphdr_set_text(tmpl.release, sizeof(tmpl.release), s->release);
	dumphdr_set_text(tmpl.hostname, sizeof(tmpl.hostname), s->hostname);
	tmpl.handoff_status = s->handoff_status;
	err = dumphdr_writer_begin(&dw, &part_view, &tmpl, file_size, scratch, sizeof(scratch));
	if (err == 0 && smp_available()) {	/* the pages hashed by the second CPU */
		dw.hash_start = ap_hash_start;
		dw.hash_wait = ap_hash_wait;
	}
	if (err) {
		snprintf(s->why, sizeof(s->why), "%s: cannot start the dump (error %d)", part_view.name, err);
		return err;
	}
	if (dw.layout.truncated) {
		s->truncated = true;
		s->kept = dw.layout.body_bytes;
		printf("dump: %s holds %llu MiB, the dump needs %llu MiB: writing what fits, marked TRUNCATED\n",
		       part_view.name, (unsigned long long)(dw.layout.capacity >> 20),
		       (unsigned long long)(dw.layout.needed >> 20));
	}
	return 0;
}

/* The body's capacity: a bound up to it is never cut (the headers get the
 * bytes written at finish: dumphdr_writer_end_body). */
static uint64_t disk_room(struct dumpsink *s)
{
	struct dumphdr_layout l;

	(void)s;
	if (dumphdr_layout(part_view.sectors, part_view.sector_size, 1, &l) != 0)
		return 0;
	return l.capacity;
}

static int disk_write(struct dumpsink *s, const void *buf, size_t len)
{
	int err = dumphdr_writer_body(&dw, buf, len);

	if (err)
		snprintf(s->why, sizeof(s->why), "%s: write error", part_view.name);
	return err;
}

/* The kdump-compressed file in one pass (kernel/kdump.c): at any offset
 * of the body (payload/dumphdr.h dumphdr_writer_body_at). */
static int disk_write_at(struct dumpsink *s, uint64_t off, const void *buf, size_t len)
{
	int err = dumphdr_writer_body_at(&dw, off, buf, len);

	if (err)
		snprintf(s->why, sizeof(s->why), "%s: write error", part_view.name);
	return err;
}

static void digest_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)total;
	progress_update(ctx, done);
}

static int disk_finish(struct dumpsink *s, const uint8_t digest[SHA256_LEN])
{
	static struct progress prog;
	int err;

	(void)digest;
	if (dw.random && !dw.head_only) {	/* the digest: the part before the pages read back */
		bool two = dw.split_set && !dw.split_off;

		progress_start(&prog, two ? "dump: SHA-256 of the headers and descriptors, read back" :
			       "dump: SHA-256 of the body, read back",
			       two && dw.split < dw.accepted ? dw.split : dw.accepted);
		dw.progress = digest_progress;
		dw.progress_ctx = &prog;
	}
	err = dumphdr_writer_finish(&dw, now_unix());
	if (err && (dw.random || dw.head_only) && dw.filled != dw.gap)
		snprintf(s->why, sizeof(s->why), "%s: the body was not written whole", part_view.name);
	else if (err && dw.random)
		snprintf(s->why, sizeof(s->why), "%s: reading the body back or the final header "
			 "write failed", part_view.name);
	else if (err)
		snprintf(s->why, sizeof(s->why), "%s: final header write failed", part_view.name);
	if (err == 0 && (dw.hdr.flags & DUMPHDR_FLAG_DIGEST_SPLIT) && ap_hashed)
		printf("dump: the second CPU hashed %llu KiB of pages beside the writing\n",
		       (unsigned long long)(ap_hashed >> 10));
	memcpy(s->digest, dw.hdr.body_sha256, SHA256_LEN);
	s->digest_head = (dw.hdr.flags & DUMPHDR_FLAG_DIGEST_HEAD) != 0;
	s->digest_split = (dw.hdr.flags & DUMPHDR_FLAG_DIGEST_SPLIT) ? dw.hdr.digest_split : 0;
	return err;
}

static void disk_abort(struct dumpsink *s, const char *reason)
{
	(void)s;
	dumphdr_writer_fail(&dw, reason, now_unix());
}

/*
 * The one console line for a disk or partition the write rule refuses
 * (formats/gpt.c gpt_write_refusal), with the way to write it anyway.
 */
static void refuse(const struct blkdev *dev, const struct gpt_part *p, const char *why)
{
	if (gpt_disk_refusal(&gpt) != NULL)
		printf("dump: %s: %s: not written; name the partition with ,force to write anyway "
		       "(dump=disk:%sp%u,force)\n", dev->name, why, dev->name, p->index);
	else
		printf("dump: %sp%u: %s: not written; name the partition with ,force to write anyway "
		       "(dump=disk:%sp%u,force)\n", dev->name, p->index, why, dev->name, p->index);
}

/*
 * The dump partition of dev postmortem may write without force: the first
 * one of the dump type the write rule allows.  NULL when there is none;
 * *refused set when one was there but the rule refused it (said on the
 * console, once per disk).  A disk without a GPT or without a dump-type
 * entry is passed over silently.
 */
static const struct gpt_part *auto_part(struct blkdev *dev, bool *refused)
{
	const struct gpt_part *p, *first = NULL;
	const char *why = NULL;

	if (gpt_read(dev, scratch, sizeof(scratch), &gpt) != 0)
		return NULL;
	for (unsigned n = 0; (p = gpt_find_type_any(&gpt, &dump_type, n)) != NULL; n++) {
		const char *w = gpt_write_refusal(&gpt, p);

		if (w == NULL)
			return p;
		if (first == NULL) {
			first = p;
			why = w;
		}
		if (gpt_disk_refusal(&gpt) != NULL)
			break;		/* the disk's fault: the same for every entry */
	}
	if (first != NULL) {
		refuse(dev, first, why);
		*refused = true;
	}
	return NULL;
}

/* Entry `want` of dev, named on the command line; force skips the write rule. */
static const struct gpt_part *named_part(struct blkdev *dev, unsigned want, bool force,
					 bool *refused)
{
	const struct gpt_part *p;
	const char *why;

	if (gpt_read(dev, scratch, sizeof(scratch), &gpt) != 0) {
		printf("dump: %s: %s: no GPT partition %u to write\n", dev->name,
		       gpt_disk_refusal(&gpt), want);
		*refused = true;
		return NULL;
	}
	if ((p = gpt_find_index(&gpt, want)) == NULL)
		return NULL;
	if (force)
		return p;
	if (!efi_guid_eq(&p->type, &dump_type)) {
		printf("dump: %sp%u is not a postmortem dump partition (type GUID); not written (use ,force)\n",
		       dev->name, want);
		*refused = true;
		return NULL;
	}
	if ((why = gpt_write_refusal(&gpt, p)) != NULL) {
		refuse(dev, p, why);
		*refused = true;
		return NULL;
	}
	return p;
}

static bool use_part(struct blkdev *dev, const struct gpt_part *p)
{
	if (p == NULL)
		return false;
	if (blkdev_partition(&part_view, dev, p->index, p->first_lba,
			     p->last_lba - p->first_lba + 1) != 0) {
		printf("dump: %sp%u: runs past the end of %s: not written\n", dev->name, p->index,
		       dev->name);
		return false;
	}
	return true;
}

/* Choose part_view; *refused: a candidate was turned down (and said so). */
static bool choose_disk(const struct cmdline *opts, bool *refused)
{
	unsigned want;
	struct blkdev *d;

	forced = false;
	if (opts->dump.dev[0] == '\0') {
		for (unsigned i = 0; i < blkdev_count(); i++)
			if (use_part(blkdev_at(i), auto_part(blkdev_at(i), refused)))
				return true;
		return false;
	}
	if ((d = blkdev_parse_name(opts->dump.dev, &want)) == NULL)
		return false;
	if (want) {
		forced = opts->dump.force;
		return use_part(d, named_part(d, want, opts->dump.force, refused));
	}
	if (opts->dump.force) {		/* the whole device, as asked */
		part_view = *d;
		part_view.parent = NULL;
		forced = true;
		return true;
	}
	return use_part(d, auto_part(d, refused));
}

static struct dumpsink *open_disk(void)
{
	memset(&sink, 0, sizeof(sink));
	snprintf(sink.namebuf, sizeof(sink.namebuf), "disk %s", part_view.name);
	sink.name = sink.namebuf;
	sink.hashes = true;	/* the dump header's digest is over the same bytes */
	sink.begin = disk_begin;
	sink.write = disk_write;
	/* At any offset where a 4096-byte block is whole sectors. */
	sink.write_at = part_view.sector_size <= 4096 ? disk_write_at : NULL;
	sink.second_cpu = sink.write_at != NULL;
	sink.finish = disk_finish;
	sink.abort = disk_abort;
	sink.room = disk_room;
	return &sink;
}

/* ------------------------------------------------------------ choice */

static int first_serial_console(const struct cmdline *opts)
{
	for (size_t i = 0; i < opts->n_consoles; i++)
		if (opts->consoles[i].kind == CMDLINE_CONSOLE_SERIAL)
			return opts->consoles[i].port;
	return opts->n_consoles == 0 && !opts->console_none && uart16550_ready(0) ? 0 : -1;
}

static struct dumpsink *fallback(const struct cmdline *opts, const char *missing, char *summary,
				 size_t len)
{
	int port = first_serial_console(opts);

	if (port < 0) {
		snprintf(summary, len, "dump FAILED: %s, and no serial console to fall back to", missing);
		return NULL;
	}
	printf("dump: %s; falling back to serial ttyS%d\n", missing, port);
	if (open_serial((unsigned)port, summary, len) == NULL)
		return NULL;
	snprintf(sink.fallback, sizeof(sink.fallback), "%s; falling back to serial ttyS%d", missing,
		 port);
	return &sink;
}

struct dumpsink *dumpsink_open(const struct context *ctx, const struct bootinfo *bi,
			       const struct cmdline *opts, char *summary, size_t len)
{
	static char file_why[384];
	char missing[512];	/* room for the cause devices_dma_cause() gives */
	bool refused = false;
	int port;

	(void)bi;
	switch (opts->dump.kind) {
	case CMDLINE_DUMP_NONE:
		snprintf(summary, len, "dump skipped (dump=none)");
		return NULL;
	case CMDLINE_DUMP_SERIAL:
		port = opts->dump.port_set ? opts->dump.port : first_serial_console(opts);
		return open_serial(port < 0 ? 0 : (unsigned)port, summary, len);
	case CMDLINE_DUMP_FAT: {
		const char *why = NULL;

		if (fatsink_open(&sink, opts->dump.dev, opts->fat_part, &why) == 0)
			return &sink;
		snprintf(missing, sizeof(missing), "no FAT volume for dump=fat%s%s (%s)%s",
			 opts->dump.dev[0] ? ":" : "", opts->dump.dev, why, devices_dma_cause());
		return fallback(opts, missing, summary, len);
	}
	case CMDLINE_DUMP_DISK:
		if (choose_disk(opts, &refused))
			return open_disk();
		snprintf(missing, sizeof(missing), "no %spostmortem dump partition%s%s found%s",
			 refused ? "writable " : "", opts->dump.dev[0] ? " on " : "", opts->dump.dev,
			 devices_dma_cause());
		return fallback(opts, missing, summary, len);
	case CMDLINE_DUMP_FILE:
		if (filesink_open(ctx, &part_view, file_why, sizeof(file_why)) == 0) {
			forced = false;
			open_disk();
			snprintf(sink.namebuf, sizeof(sink.namebuf), "the dump file on %s",
				 ((struct dumpfile_view *)part_view.priv)->parent->name);
			return &sink;
		}
		snprintf(missing, sizeof(missing), "%s%s", file_why, devices_dma_cause());
		return fallback(opts, missing, summary, len);
	case CMDLINE_DUMP_AUTO:
		if (choose_disk(opts, &refused))
			return open_disk();
		snprintf(missing, sizeof(missing), "no %spostmortem dump partition found%s",
			 refused ? "writable " : "", devices_dma_cause());
		return fallback(opts, missing, summary, len);
	}
	snprintf(summary, len, "dump FAILED: unknown dump target");
	return NULL;
}
