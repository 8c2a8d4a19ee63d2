/*
 * dumpgen: write a test dump onto a disk image the way the kernel's raw
 * dump target does, for tests/savecore_tool_test.sh.
 *
 *   dumpgen IMAGE --elf OUT [--partition N | --whole] [--load-size BYTES]
 *           [--release TEXT] [--host TEXT] [--id N] [--time UNIX]
 *           [--sector-size N] [--stop begin|body|trail] [--fail TEXT] [--force]
 *           [--kdump] [--encrypt-to PUB.pem [--stream FILE] [--chunk-size N]]
 *   dumpgen DEVICE --dump-file-record REC --elf OUT [options]
 *
 * It finds the target with formats/gpt.c (the first usable partition with
 * the postmortem dump type GUID, or entry N, which must carry that type
 * unless --force; --whole: the image itself is the partition), makes a
 * small ELF64 core file (one PT_NOTE holding VMCOREINFO, one PT_LOAD of
 * --load-size pattern bytes), writes it to OUT and streams the same bytes
 * through payload/dumphdr.c's writer: begin (both headers INCOMPLETE),
 * body, finish (trailing then leading header final).  --stop ends the run
 * early at a step of the documented order, as a power cut would; --fail
 * marks the dump FAILED after the body.  --kdump: the body (and OUT) is
 * instead a kdump-compressed file of the same pages made by
 * formats/diskdump.c (pages stored raw; body_format DUMPHDR_BODY_KDUMP),
 * as the kernel writes under dump.format=kdump.  --encrypt-to: OUT gets
 * the plaintext, the disk its encrypted stream (payload/encdump.c sealing,
 * a DUMP_KEY from tools/enckey.c, body_format DUMPHDR_BODY_ENCRYPTED), as
 * the kernel writes under a DUMP_KEY record; --stream also writes that
 * stream to FILE (what a dump=serial run sends, for recv's tests);
 * --chunk-size seals chunks of N plaintext bytes instead of the kernel's
 * 65536 (small captures with many chunks, for fuzz seeds).  Prints
 * one line; exit 0 or 1.
 *
 * --dump-file-record: DEVICE is the raw disk under a dump file and REC the
 * DUMP_FILE payload `postmortem load --dump-file` wrote; dumpgen does what
 * the crash kernel does with dump=file: check every marker and the file
 * header on the disk (payload/dumpfile.c dumpfile_verify(); on a mismatch
 * it prints "dumpgen: refused: ..." and writes nothing), mark the file
 * header "dump written", and write the dump through the dump-file view at
 * the record's sectors.
 *
 * Built by the test script against formats/gpt.c, payload/dumphdr.c,
 * formats/blkdev.c, tools/fileblk.c, formats/efi.c and crypto/.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/blkdev.h"
#include "formats/diskdump.h"
#include "formats/gpt.h"
#include "payload/dumpfile.h"
#include "payload/dumphdr.h"
#include "payload/handoff.h"
#include "payload/encdump.h"
#include "tools/enckey.h"
#include "tools/fileblk.h"

#define CHUNK		(256u << 10)
#define NOTE_NAME	"VMCOREINFO"	/* 10 bytes + NUL, padded to 12 */

struct opts {
	const char *image, *elf, *stop, *fail, *release, *host, *record;
	const char *encrypt_to;		/* --encrypt-to PUB: the body is a PMENC stream */
	const char *stream;		/* --stream FILE: that stream, also to FILE */
	uint32_t partition, sector_size;
	uint32_t chunk_size;		/* --chunk-size: 0, the kernel's */
	bool whole, force, kdump;
	uint64_t load_size, id, time;
};

static int die(const char *what)
{
	fprintf(stderr, "dumpgen: %s\n", what);
	return 1;
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (*end == 'K' || *end == 'k')
		v <<= 10;
	else if (*end == 'M' || *end == 'm')
		v <<= 20;
	return v;
}

static int parse(int argc, char **argv, struct opts *o)
{
	o->load_size = 1 << 20;
	o->release = "6.1.0-test";
	o->host = "testhost";
	o->id = 0x0123456789abcdefull;
	o->time = 1700000000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--kdump") == 0) {
			o->kdump = true;
			continue;
		}
		if (strcmp(a, "--whole") == 0 || strcmp(a, "--force") == 0) {
			*(a[2] == 'w' ? &o->whole : &o->force) = true;
			continue;
		}
		if (a[0] != '-') {
			o->image = a;
			continue;
		}
		if (v == NULL)
			return -EINVAL;
		i++;
		if (strcmp(a, "--elf") == 0) o->elf = v;
		else if (strcmp(a, "--partition") == 0) o->partition = (uint32_t)num(v);
		else if (strcmp(a, "--load-size") == 0) o->load_size = num(v);
		else if (strcmp(a, "--release") == 0) o->release = v;
		else if (strcmp(a, "--host") == 0) o->host = v;
		else if (strcmp(a, "--id") == 0) o->id = num(v);
		else if (strcmp(a, "--time") == 0) o->time = num(v);
		else if (strcmp(a, "--sector-size") == 0) o->sector_size = (uint32_t)num(v);
		else if (strcmp(a, "--stop") == 0) o->stop = v;
		else if (strcmp(a, "--fail") == 0) o->fail = v;
		else if (strcmp(a, "--dump-file-record") == 0) o->record = v;
		else if (strcmp(a, "--encrypt-to") == 0) o->encrypt_to = v;
		else if (strcmp(a, "--stream") == 0) o->stream = v;
		else if (strcmp(a, "--chunk-size") == 0) o->chunk_size = (uint32_t)num(v);
		else return -EINVAL;
	}
	return o->image && o->elf && (o->stream == NULL || o->encrypt_to) ? 0 : -EINVAL;
}

/* ---------------------------------------------------------- the ELF file */

struct elf {
	uint8_t head[4096];	/* Ehdr, 2 Phdrs, the note */
	size_t head_len;
	uint64_t total;
	uint8_t *kdump;		/* --kdump: the whole body */
};

static void make_elf(struct elf *e, const struct opts *o)
{
	Elf64_Ehdr eh = { .e_type = ET_CORE, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			  .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
			  .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2 };
	Elf64_Phdr ph[2] = { { .p_type = PT_NOTE }, { .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X } };
	char desc[256];
	Elf64_Nhdr nh = { .n_namesz = sizeof(NOTE_NAME), .n_type = 0 };
	size_t off = sizeof(eh) + sizeof(ph), dlen;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	snprintf(desc, sizeof(desc), "OSRELEASE=%s\nPAGESIZE=4096\n", o->release);
	dlen = (strlen(desc) + 3) & ~(size_t)3;
	nh.n_descsz = (uint32_t)strlen(desc);
	memset(e->head, 0, sizeof(e->head));
	memcpy(e->head + off, &nh, sizeof(nh));
	memcpy(e->head + off + sizeof(nh), NOTE_NAME, sizeof(NOTE_NAME));
	memcpy(e->head + off + sizeof(nh) + 12, desc, strlen(desc));
	ph[0].p_offset = off;
	ph[0].p_filesz = sizeof(nh) + 12 + dlen;
	e->head_len = (off + ph[0].p_filesz + 4095) & ~(size_t)4095;
	ph[1].p_offset = e->head_len;
	ph[1].p_paddr = 0x100000;
	ph[1].p_vaddr = 0xffff888000100000ull;
	ph[1].p_filesz = ph[1].p_memsz = o->load_size;
	ph[1].p_align = 4096;
	memcpy(e->head, &eh, sizeof(eh));
	memcpy(e->head + sizeof(eh), ph, sizeof(ph));
	e->total = e->head_len + o->load_size;
}

/* Byte i of the PT_LOAD: a pattern that differs per sector and per dump. */
static void load_bytes(uint8_t *buf, uint64_t at, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t x = (at + i) / 8 * 0x9e3779b97f4a7c15ull ^ id;

		buf[i] = (uint8_t)(x >> (8 * ((at + i) % 8)));
	}
}

/* ---------------------------------------------------------- --kdump */

struct membuf {
	uint8_t *p;
	uint64_t len;
};

static int mem_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	struct membuf *m = ctx;
	uint8_t *p;

	if (off != m->len || (p = realloc(m->p, (size_t)(m->len + len))) == NULL)
		return -EIO;
	memcpy(p + off, buf, len);
	m->p = p;
	m->len += len;
	return 0;
}

static int no_compress(void *ctx, const void *in, void *out, size_t *out_len)
{
	(void)ctx, (void)in, (void)out, (void)out_len;
	return -1;			/* every page stored raw */
}

struct kpages {
	uint64_t first, n, id;		/* pfns [first, first + n) */
	uint8_t page[DISKDUMP_BLOCK];
};

/* Both bitmaps: the PT_LOAD's pages. */
static int kd_fill(void *ctx, int which, uint64_t pfn0, uint64_t n, uint8_t *bits)
{
	const struct kpages *k = ctx;
	uint64_t a = k->first > pfn0 ? k->first : pfn0, e = k->first + k->n;

	(void)which;
	if (e > pfn0 + n)
		e = pfn0 + n;
	if (a < e)
		diskdump_bits_set(bits, a - pfn0, e - pfn0);
	return 0;
}

static const void *kd_page(void *ctx, uint64_t pfn)
{
	struct kpages *k = ctx;

	load_bytes(k->page, (pfn - k->first) * DISKDUMP_BLOCK, DISKDUMP_BLOCK, k->id);
	return k->page;
}

/* The PT_LOAD's pages (at 0x100000) as a kdump-compressed file. */
static int make_kdump(struct elf *e, const struct opts *o)
{
	static struct diskdump_writer w;
	static struct kpages k;
	static uint8_t window[4096];
	const Elf64_Phdr *note = (const Elf64_Phdr *)(e->head + sizeof(Elf64_Ehdr));
	struct diskdump_info di = { 0 };
	struct membuf m = { NULL, 0 };
	struct diskdump_out out = { mem_write, &m, false };
	struct diskdump_bitmaps bm = { kd_fill, &k, window, sizeof(window) };
	struct diskdump_pages pg = { kd_page, &k, NULL, NULL };
	int err;

	if (o->load_size % DISKDUMP_BLOCK)
		return -EINVAL;
	k.first = 0x100000 / DISKDUMP_BLOCK;
	k.n = o->load_size / DISKDUMP_BLOCK;
	k.id = o->id;
	di.sysname = "Linux";
	di.nodename = o->host;
	di.release = o->release;
	di.machine = "x86_64";
	di.tv_sec = (int64_t)o->time;
	di.dump_level = 31;
	di.max_mapnr = k.first + k.n;
	di.notes = e->head + note->p_offset;
	di.notes_len = note->p_filesz;
	di.vmcoreinfo = e->head + note->p_offset + sizeof(Elf64_Nhdr) + 12;
	di.vmcoreinfo_len = ((const Elf64_Nhdr *)(e->head + note->p_offset))->n_descsz;
	di.compression = DISKDUMP_COMPRESSED_LZO;
	di.compress = no_compress;
	err = diskdump_begin(&w, &di, &bm, k.n, &out);
	if (err == 0)
		err = diskdump_descs(&w, &pg);
	if (err == 0)
		err = diskdump_data(&w);
	if (err == 0)
		err = diskdump_pages(&w, &pg);
	if (err == 0)
		err = diskdump_end(&w);
	if (err) {
		free(m.p);
		return err;
	}
	e->kdump = m.p;
	e->total = m.len;
	return 0;
}

/* ---------------------------------------------------------- the target */

static int find_target(struct blkdev *dev, struct blkdev *view, const struct opts *o,
		       uint32_t *flags)
{
	static const struct efi_guid dump = GPT_TYPE_POSTMORTEM_DUMP;
	static struct gpt_info info;
	static uint8_t scratch[1 << 16];
	const struct gpt_part *p;

	if (o->whole) {
		*view = *dev;
		return 0;
	}
	if (gpt_read(dev, scratch, sizeof(scratch), &info))
		return die("no GPT");
	p = o->partition ? gpt_find_index(&info, o->partition) : gpt_find_type(&info, &dump, 0);
	if (p == NULL || p->problem != NULL)
		return die("no usable dump partition");
	if (!efi_guid_eq(&p->type, &dump)) {
		if (!o->force)
			return die("partition is not of the dump type (--force)");
		*flags |= DUMPHDR_FLAG_FORCED;
	}
	return blkdev_partition(view, dev, p->index, p->first_lba, p->last_lba - p->first_lba + 1)
	       ? die("partition beyond the disk") : 0;
}

/* Stream the ELF to the file and the writer; stop after the body if asked. */
static int write_body(struct dumphdr_writer *w, const struct elf *e, const struct opts *o,
		      FILE *f)
{
	static uint8_t chunk[CHUNK];
	uint64_t at = 0;

	if (e->kdump)
		return fwrite(e->kdump, 1, (size_t)e->total, f) != e->total ||
		       dumphdr_writer_body(w, e->kdump, (size_t)e->total) ? -EIO : 0;
	if (fwrite(e->head, 1, e->head_len, f) != e->head_len ||
	    dumphdr_writer_body(w, e->head, e->head_len))
		return -EIO;
	while (at < o->load_size) {
		size_t n = o->load_size - at < CHUNK ? (size_t)(o->load_size - at) : CHUNK;

		load_bytes(chunk, at, n, o->id);
		if (fwrite(chunk, 1, n, f) != n || dumphdr_writer_body(w, chunk, n))
			return -EIO;
		at += n;
	}
	return 0;
}

static int finish(struct dumphdr_writer *w, const struct opts *o)
{
	if (o->fail != NULL)
		return dumphdr_writer_fail(w, o->fail, o->time + 60);
	if (o->stop == NULL)
		return dumphdr_writer_finish(w, o->time + 60);
	if (dumphdr_writer_end_body(w))
		return -EIO;
	if (strcmp(o->stop, "trail") == 0) {	/* finish's first half */
		w->hdr.status = w->accepted < w->offered ? DUMPHDR_TRUNCATED : DUMPHDR_COMPLETE;
		w->hdr.finished = o->time + 60;
		return dumphdr_put(w->part, true, &w->hdr, w->buf, w->buf_len);
	}
	return 0;
}

/* ------------------------------------------------------- --encrypt-to */

struct encbuf {
	uint8_t *p;
	size_t len, cap;
};

static int mb_write(void *ctx, const void *buf, size_t len)
{
	struct encbuf *m = ctx;

	if (m->len + len > m->cap) {
		m->cap = (m->len + len) * 2;
		m->p = realloc(m->p, m->cap);
		if (m->p == NULL)
			return -ENOMEM;
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

/*
 * Write the plaintext body to OUT and replace e's body with its encrypted
 * stream (what the crash kernel writes under a DUMP_KEY record): a fresh
 * master key wrapped for the public key, a random salt.
 */
static int encrypt_body(struct elf *e, const struct opts *o, FILE *f)
{
	static uint8_t chunk[CHUNK], buf[ENCDUMP_CHUNK_WIRE(ENCDUMP_CHUNK_MAX)];
	struct encbuf plain = { 0 }, out = { 0 };
	struct handoff_dump_key dk;
	struct encdump_params p = { 0 };
	struct encdump_sealer s;
	struct enckey k;
	char err[ENCKEY_ERR_LEN];
	uint8_t key[32];
	const char *why;
	uint64_t at = 0;

	if (e->kdump) {
		mb_write(&plain, e->kdump, (size_t)e->total);
	} else {
		mb_write(&plain, e->head, e->head_len);
		while (at < o->load_size) {
			size_t n = o->load_size - at < CHUNK ? (size_t)(o->load_size - at) : CHUNK;

			load_bytes(chunk, at, n, o->id);
			mb_write(&plain, chunk, n);
			at += n;
		}
	}
	if (fwrite(plain.p, 1, plain.len, f) != plain.len)
		return die("cannot write OUT");
	if (enckey_public_load(&k, o->encrypt_to, err) != 0 || enckey_dump_key(&k, &dk, err) != 0)
		return die(err);
	enckey_free(&k);
	p.inner_format = o->kdump ? ENCDUMP_INNER_KDUMP : ENCDUMP_INNER_ELF;
	p.chunk_size = o->chunk_size;
	memcpy(p.key_id, dk.key_id, sizeof(p.key_id));
	if (enckey_random(p.salt, sizeof(p.salt)) != 0)
		return die("getrandom failed");
	p.wrapped = dk.wrapped;
	p.wrapped_len = dk.wrapped_len;
	encdump_derive_key(dk.master, p.salt, key);
	if (encdump_seal_init(&s, &p, key, buf, sizeof(buf), mb_write, &out, &why) != 0 ||
	    encdump_seal_write(&s, plain.p, plain.len) != 0 || encdump_seal_finish(&s) != 0)
		return die("sealing failed");
	free(plain.p);
	if (o->stream != NULL) {
		FILE *sf = fopen(o->stream, "wb");

		if (sf == NULL || fwrite(out.p, 1, out.len, sf) != out.len || fclose(sf) != 0)
			return die("cannot write --stream FILE");
	}
	free(e->kdump);
	e->kdump = out.p;
	e->total = out.len;
	return 0;
}

/* Begin, body, finish (or stop early); returns 0 or 1 (message printed). */
static int run(struct blkdev *view, const struct opts *o, const struct dumphdr *tmpl)
{
	static uint8_t scratch[1 << 20];
	static struct elf e;
	struct dumphdr_writer w;
	bool body = o->stop == NULL || strcmp(o->stop, "begin") != 0;
	FILE *f;
	int err;

	make_elf(&e, o);
	if (o->kdump && make_kdump(&e, o))
		return die("cannot make the kdump-compressed file (--load-size: whole pages)");
	f = fopen(o->elf, "wb");
	if (f == NULL)
		return die("cannot create the ELF file");
	if (o->encrypt_to != NULL && encrypt_body(&e, o, f))
		return 1;
	err = dumphdr_writer_begin(&w, view, tmpl, e.total, scratch, sizeof(scratch));
	if (err)
		return die(err == -ENOSPC ? "partition too small for a dump" : "begin failed");
	if (o->encrypt_to != NULL)	/* the plaintext went to OUT: the stream to the disk */
		err = body && dumphdr_writer_body(&w, e.kdump, (size_t)e.total) ? -EIO : 0;
	else
		err = body ? write_body(&w, &e, o, f) : 0;
	if (fclose(f) || err)
		return die("body write failed");
	if (body && finish(&w, o))
		return die("finish failed");
	printf("dumpgen: %s: %llu-byte %s, body at sector %llu, %llu bytes fit%s%s\n", view->name,
	       (unsigned long long)e.total, o->encrypt_to ? "encrypted stream" :
	       o->kdump ? "kdump-compressed file" : "ELF",
	       (unsigned long long)w.layout.body_lba,
	       (unsigned long long)w.layout.body_bytes, w.layout.truncated ? " (truncated)" : "",
	       o->stop ? ", stopped early" : "");
	return 0;
}

/* dump=file: verify, mark written, write through the view (see the top). */
static int dump_file(struct blkdev *dev, const struct opts *o, const struct dumphdr *tmpl)
{
	static uint8_t rec[328 + DUMPFILE_MAX_EXTENTS * 16 + 1];
	static struct dumpfile_extent ext[DUMPFILE_MAX_EXTENTS];
	static uint8_t scratch[DUMPFILE_BLOCK];
	static struct dumpfile_view view;
	struct handoff_dump_file h;
	struct dumpfile_header fh;
	struct dumpfile_geom g;
	const char *why = NULL;
	uint32_t bad;
	size_t len, n;
	FILE *f = fopen(o->record, "rb");

	if (f == NULL)
		return die("cannot open the record");
	len = fread(rec, 1, sizeof(rec), f);
	fclose(f);
	struct handoff_record r = { HANDOFF_TYPE_DUMP_FILE, 0, len, 0, rec };
	if (handoff_get_dump_file(&r, &h, ext, DUMPFILE_MAX_EXTENTS, &n, &why) != 0)
		return die(why);
	if (dev->sector_size != h.sector_size || dumpfile_geom_init(&g, h.sector_size, h.stride))
		return die("sector size differs from the record's");
	if (dumpfile_verify(dev, ext, n, &g, h.nonce, scratch, &fh, &bad, &why) != 0) {
		fprintf(stderr, "dumpgen: refused: segment %u: %s; nothing written\n", bad, why);
		return 1;
	}
	if (dumpfile_set_state(dev, ext, n, &g, DUMPFILE_WRITTEN, o->time, scratch) != 0 ||
	    dumpfile_view_init(&view, dev, ext, n, &g, fh.dump_sectors) != 0)
		return die("cannot mark the file written");
	return run(&view.dev, o, tmpl);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct blkdev dev, view;
	struct dumphdr tmpl = { 0 };
	const char *why;
	int rc;

	if (parse(argc, argv, &o))
		return die("usage: dumpgen IMAGE --elf OUT [--partition N|--whole] [options]");
	if (fileblk_open(&dev, o.image, true, o.sector_size, &why))
		return die(why);
	tmpl.dump_id = o.id;
	tmpl.created = o.time;
	tmpl.handoff_status = DUMPHDR_HANDOFF_OK;
	tmpl.body_format = o.encrypt_to ? DUMPHDR_BODY_ENCRYPTED :
			   o.kdump ? DUMPHDR_BODY_KDUMP : DUMPHDR_BODY_ELF;
	dumphdr_set_text(tmpl.release, sizeof(tmpl.release), o.release);
	dumphdr_set_text(tmpl.hostname, sizeof(tmpl.hostname), o.host);
	dumphdr_set_text(tmpl.pm_version, sizeof(tmpl.pm_version), "dumpgen");
	if (o.record != NULL) {
		rc = dump_file(&dev, &o, &tmpl);
		fileblk_close(&dev);
		return rc;
	}
	rc = find_target(&dev, &view, &o, &tmpl.flags);
	if (rc == 0)
		rc = run(&view, &o, &tmpl);
	fileblk_close(&dev);
	return rc;
}
