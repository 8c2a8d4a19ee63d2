/*
 * mkstream: make a dump=serial capture the way the kernel's serial dump
 * does, for tests/dump_tool_test.sh.
 *
 *   mkstream ELF CAPTURE [--text] [--drop SEQ] [--corrupt SEQ[:BYTE]]
 *            [--dup SEQ] [--abort-after BYTES] [--id N] [--keep-zero]
 *            [--send FILE [--format N]]
 *
 * A synthetic machine (three memory ranges with planted data, zero runs
 * and an unaligned end) is planned with formats/elfcore.c (zero runs of
 * 16 pages skipped unless --keep-zero), its notes built with
 * elfcore_note_put() (a "CORE" NT_PRSTATUS, VMCOREINFO with OSRELEASE, a
 * "POSTMORTEM" note), and the file's pieces (elfcore_piece_next()) are
 * written both to ELF, as the expected file, and through payload/frame.c's
 * sender to CAPTURE.  --text puts console lines before the first frame,
 * between frames and after the last, as the kernel's console would on a
 * shared UART.  Damage, applied as frames are emitted (SEQ counts frames
 * from 0, the HEADER): --drop leaves a frame out, --corrupt flips one byte
 * (default: the 11th payload byte), --dup sends a frame twice;
 * --abort-after stops after BYTES file bytes, as a failing read would, and
 * ends with a TRAILER of status -EIO.  Truncation is the script's `head -c`.
 *
 * --send FILE sends FILE's bytes instead of the synthetic machine (e.g. a
 * kdump-compressed file from `postmortem compress`, as the kernel sends
 * one), with the HEADER's body_format N (default 0, what senders before
 * the field wrote); ELF then gets a copy of FILE.
 *
 * Planted strings, for `postmortem inspect --at`: "PMPLANT@<16 hex digits>"
 * (24 bytes) at physical 0x100000, 0x123456, 0x13ff00 and 0x2000000 + 0x7000.
 * Prints one line "mkstream: ..." with the sizes; exit 0 or 1.
 *
 * Built by the test script against formats/elfcore.c, payload/frame.c,
 * formats/elfcorehdr.c and crypto/.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/dumpplan.h"
#include "formats/elfcore.h"
#include "payload/frame.h"

#define NRANGES		3
#define MAXSEGS		64
#define MAXDAMAGE	16

struct damage {
	long drop[MAXDAMAGE], corrupt[MAXDAMAGE], corrupt_at[MAXDAMAGE], dup[MAXDAMAGE];
	int ndrop, ncorrupt, ndup;
};

struct out {
	FILE *cap;
	bool text;
	long seq;		/* frames emitted so far (before damage) */
	struct damage dmg;
};

/* The machine: ranges and their bytes, one buffer per range. */
static const struct dumpplan_range ranges[NRANGES] = {
	{ .start = 0x100000, .size = 0x40000, .read_from = 0x100000, .vaddr = 0xffff888000100000ull },
	{ .start = 0x2000000, .size = 0x80000, .read_from = 0x2000000, .vaddr = 0xffff888002000000ull },
	{ .start = 0x3000000, .size = 0x12345, .read_from = 0x3000000, .vaddr = 0 },
};
static uint8_t *mem[NRANGES];

static uint8_t *mem_at(uint64_t addr)
{
	for (int i = 0; i < NRANGES; i++)
		if (addr >= ranges[i].read_from && addr - ranges[i].read_from < ranges[i].size)
			return mem[i] + (addr - ranges[i].read_from);
	return NULL;
}

static void plant(uint64_t addr)
{
	char s[25];

	snprintf(s, sizeof(s), "PMPLANT@%016llx", (unsigned long long)addr);
	memcpy(mem_at(addr), s, 24);
}

/* Data in some pages, zero runs long and short, as a real machine has. */
static void make_machine(void)
{
	for (int i = 0; i < NRANGES; i++)
		mem[i] = calloc(1, ranges[i].size);
	for (uint64_t o = 0; o < 0x40000; o++)		/* range 0: data but a hole */
		mem[0][o] = o >= 0x20000 && o < 0x38000 ? 0 : (uint8_t)(o * 13 + (o >> 9));
	memset(mem[0] + 0x8000, 0, 0x3000);		/* a short run: kept as data */
	for (uint64_t o = 0x7000; o < 0x9000; o++)	/* range 1: two data pages */
		mem[1][o] = (uint8_t)(o ^ 0xa5);
	mem[1][0x7ffff] = 0x77;				/* ... and its last byte */
	for (uint64_t o = 0x10000; o < 0x12345; o++)	/* range 2: data at its end */
		mem[2][o] = (uint8_t)o;
	plant(0x100000);
	plant(0x123456);
	plant(0x13ff00);
	plant(0x2007000);
}

static int is_zero(void *ctx, uint64_t read_from, uint64_t len)
{
	const uint8_t *p = mem_at(read_from);

	(void)ctx;
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static size_t make_notes(uint8_t *buf, size_t cap, uint64_t id)
{
	static const char vmci[] = "OSRELEASE=6.1.0-mkstream\nPAGESIZE=4096\nCRASHTIME=1700000000\n";
	struct elfcorehdr_elf_prstatus prs;
	char pm[128];
	size_t used = 0;

	memset(&prs, 0, sizeof(prs));
	prs.pr_pid = 4242;
	prs.pr_reg.rip = 0xffffffff81234567ull;
	prs.pr_reg.rsp = 0xffffc90000123f00ull;
	snprintf(pm, sizeof(pm), "VERSION=mkstream\nDUMP_ID=0x%016llx\nZERO=skip,16\n",
		 (unsigned long long)id);
	if (elfcore_note_put(buf, cap, ELF64_NOTE_NAME_CORE, ELF64_NT_PRSTATUS, &prs, sizeof(prs), &used) ||
	    elfcore_note_put(buf, cap, ELF64_NOTE_NAME_VMCOREINFO, ELF64_NT_VMCOREINFO, vmci, sizeof(vmci) - 1, &used) ||
	    elfcore_note_put(buf, cap, ELFCORE_NOTE_NAME_PM, ELFCORE_NT_PM_INFO, pm, strlen(pm), &used))
		return 0;
	return used;
}

static bool listed(const long *v, int n, long seq, int *at)
{
	for (int i = 0; i < n; i++)
		if (v[i] == seq) {
			if (at != NULL)
				*at = i;
			return true;
		}
	return false;
}

static int emit(void *ctx, const void *frame, size_t len)
{
	struct out *o = ctx;
	uint8_t copy[FRAME_MAX_SIZE];
	long seq = o->seq++;
	int k;

	if (o->text && seq % 5 == 0)
		fprintf(o->cap, "postmortem: dump: frame %ld\r\n", seq);
	if (listed(o->dmg.drop, o->dmg.ndrop, seq, NULL))
		return 0;
	memcpy(copy, frame, len);
	if (listed(o->dmg.corrupt, o->dmg.ncorrupt, seq, &k))
		copy[(size_t)o->dmg.corrupt_at[k] % len] ^= 0x10;
	for (int i = 0; i < 1 + listed(o->dmg.dup, o->dmg.ndup, seq, NULL); i++)
		if (fwrite(copy, 1, len, o->cap) != len)
			return -EIO;
	return 0;
}

struct opts {
	const char *elf, *cap, *send;
	uint32_t format;		/* --format: the HEADER's body_format */
	bool keep_zero;
	uint64_t id, abort_after;
	struct out out;
};

static int parse(struct opts *o, int argc, char **argv)
{
	struct damage *d = &o->out.dmg;
	char *colon;

	o->id = 0x0123456789abcdefull;
	o->abort_after = UINT64_MAX;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--text") == 0)
			o->out.text = true;
		else if (strcmp(a, "--keep-zero") == 0)
			o->keep_zero = true;
		else if (v == NULL && a[0] == '-')
			return -1;
		else if (strcmp(a, "--drop") == 0 && d->ndrop < MAXDAMAGE)
			d->drop[d->ndrop++] = strtol(argv[++i], NULL, 0);
		else if (strcmp(a, "--dup") == 0 && d->ndup < MAXDAMAGE)
			d->dup[d->ndup++] = strtol(argv[++i], NULL, 0);
		else if (strcmp(a, "--corrupt") == 0 && d->ncorrupt < MAXDAMAGE) {
			d->corrupt[d->ncorrupt] = strtol(argv[++i], &colon, 0);
			d->corrupt_at[d->ncorrupt++] = *colon == ':' ? strtol(colon + 1, NULL, 0) :
						       FRAME_HEADER_SIZE + 10;
		} else if (strcmp(a, "--abort-after") == 0)
			o->abort_after = strtoull(argv[++i], NULL, 0);
		else if (strcmp(a, "--id") == 0)
			o->id = strtoull(argv[++i], NULL, 0);
		else if (strcmp(a, "--send") == 0)
			o->send = argv[++i];
		else if (strcmp(a, "--format") == 0)
			o->format = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (a[0] != '-' && o->elf == NULL)
			o->elf = a;
		else if (a[0] != '-' && o->cap == NULL)
			o->cap = a;
		else
			return -1;
	}
	return o->elf != NULL && o->cap != NULL ? 0 : -1;
}

/* Write the file's pieces to elf and through the sender; 0 or -errno. */
static int write_pieces(const struct elfcore_segment *segs, size_t n, const uint8_t *notes,
			size_t notes_len, FILE *elf, struct frame_sender *snd, uint64_t abort_after)
{
	static uint8_t hdr[4096], zero[4096];
	struct elfcore_piece p;
	size_t cursor = 0;
	const uint8_t *src;
	uint64_t sent = 0;
	int err;

	while (elfcore_piece_next(segs, n, notes_len, &cursor, &p) == 0) {
		for (uint64_t at = 0; at < p.len; at += 4096) {
			size_t k = p.len - at < 4096 ? (size_t)(p.len - at) : 4096;

			/* The kernel's way: a window of the headers into its buffer. */
			if (p.kind == ELFCORE_PIECE_HEADERS &&
			    elfcore_headers_part(segs, n, notes_len, p.offset + at, hdr, k) != 0)
				return -EINVAL;
			src = p.kind == ELFCORE_PIECE_HEADERS ? hdr : p.kind == ELFCORE_PIECE_NOTES ?
			      notes + at : p.kind == ELFCORE_PIECE_ZERO ? zero : mem_at(p.read_from + at);
			if (fwrite(src, 1, k, elf) != k)
				return -EIO;
			if (sent + k > abort_after)
				return -EIO;	/* as a failed read would stop the kernel */
			err = p.kind == ELFCORE_PIECE_ZERO ? frame_sender_zero(snd, k) :
			      frame_sender_write(snd, src, k);
			if (err != 0)
				return err;
			sent += k;
		}
	}
	return 0;
}

/* --send: FILE's bytes as the dump file, in 4096-byte writes as the kernel's sink gets them. */
static int send_file(struct opts *o, struct frame_sender *snd)
{
	static uint8_t buf[4096];
	struct frame_dump_header h;
	FILE *in = fopen(o->send, "rb"), *copy = fopen(o->elf, "wb");
	uint64_t size = 0, sent = 0;
	size_t k;
	int err, status = 0;

	if (in == NULL || copy == NULL || fseek(in, 0, SEEK_END) != 0 || (size = (uint64_t)ftell(in)) == 0 ||
	    fseek(in, 0, SEEK_SET) != 0 || (o->out.cap = fopen(o->cap, "wb")) == NULL) {
		fprintf(stderr, "mkstream: cannot read %s or write %s, %s\n", o->send, o->elf, o->cap);
		return 1;
	}
	if (o->out.text)
		fprintf(o->out.cap, "postmortem 0.1.0: dump=serial to ttyS0\r\n");
	memset(&h, 0, sizeof(h));
	h.file_size = size;
	h.created = 1700000000;
	h.body_format = o->format;
	snprintf(h.producer, sizeof(h.producer), "mkstream");
	err = frame_sender_begin(snd, &h, o->id, emit, &o->out);
	while (err == 0 && status == 0 && (k = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (fwrite(buf, 1, k, copy) != k || sent + k > o->abort_after)
			status = -EIO;
		else
			status = frame_sender_write(snd, buf, k);
		sent += k;
	}
	err = frame_sender_end(snd, err ? err : status);
	if (o->out.text)
		fprintf(o->out.cap, "\r\npostmortem: dump %s\r\n", err ? "FAILED" : "complete");
	fclose(in);
	fclose(copy);
	fclose(o->out.cap);
	printf("mkstream: sent %s, %llu bytes, body_format %u, %ld frames, status %d\n", o->send,
	       (unsigned long long)size, o->format, o->out.seq, err);
	return 0;
}

int main(int argc, char **argv)
{
	static struct opts o;
	static struct elfcore_segment segs[MAXSEGS];
	static struct frame_sender snd;
	struct elfcore_zero_scan z = { ELFCORE_ZERO_RUN_DEFAULT, is_zero, NULL };
	struct frame_dump_header h;
	uint8_t notes[1024];
	size_t notes_len, n;
	uint64_t size;
	FILE *elf;
	int err, status;

	if (parse(&o, argc, argv) != 0) {
		fprintf(stderr, "usage: mkstream ELF CAPTURE [--text] [--drop SEQ] [--corrupt SEQ[:BYTE]]"
			" [--dup SEQ] [--abort-after BYTES] [--id N] [--keep-zero] [--send FILE [--format N]]\n");
		return 1;
	}
	if (o.send != NULL)
		return send_file(&o, &snd);
	make_machine();
	notes_len = make_notes(notes, sizeof(notes), o.id);
	err = elfcore_plan(ranges, NRANGES, notes_len, o.keep_zero ? NULL : &z, segs, MAXSEGS, &n, &size);
	elf = fopen(o.elf, "wb");
	o.out.cap = fopen(o.cap, "wb");
	if (notes_len == 0 || err != 0 || elf == NULL || o.out.cap == NULL) {
		fprintf(stderr, "mkstream: set-up failed (plan %d)\n", err);
		return 1;
	}
	if (o.out.text)
		fprintf(o.out.cap, "postmortem 0.1.0: dump=serial to ttyS0\r\ncmdline: console=ttyS0\r\n");
	memset(&h, 0, sizeof(h));
	h.file_size = size;
	h.created = 1700000000;
	h.segment_count = (uint32_t)n;
	snprintf(h.producer, sizeof(h.producer), "mkstream");
	err = frame_sender_begin(&snd, &h, o.id, emit, &o.out);
	status = err ? err : write_pieces(segs, n, notes, notes_len, elf, &snd, o.abort_after);
	err = frame_sender_end(&snd, status);
	if (o.out.text)
		fprintf(o.out.cap, "\r\npostmortem: dump %s\r\n", err ? "FAILED" : "complete");
	fclose(elf);
	fclose(o.out.cap);
	printf("mkstream: ELF %llu bytes, %zu segments, %ld frames, status %d\n",
	       (unsigned long long)size, n, o.out.seq, err);
	return 0;
}
