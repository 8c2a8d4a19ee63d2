/*
 * libFuzzer target for payload/kdumpfile.c, the kdump-compressed dump in
 * windows.  The input is a machine: byte 0 the dump level, byte 1 how many
 * memory ranges (0..8), then each range as a start (u32, below 2 GiB: the
 * bitmaps span two windows and a part) and a size (u16 * 16 bytes, up to 1
 * MiB: the pages stay few), then struct pages for the vmemmap of the
 * first 128 MiB (as in tests/fuzz/pagefilter_fuzz.c: repeated, every read
 * past them fails; the machine's page tables and mem_section are fixed).
 * Pages read as a pattern of their pfn.  Promises checked (abort() when
 * broken): planning and writing succeed or say why, the file reads back
 * with diskdump_read() with the plan's counts, the 1st bitmap is exactly
 * the pages the ranges touch (a model counts them), the level recorded is
 * the level or, when classification could not run, level & 1, the
 * measured size is the size written, and one pass into a target written
 * at any offset (formats/diskdump.h) gives the same bytes, each written
 * once.  Seeds: tests/fuzz/corpus/kdumpfile/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/diskdump.h"
#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "payload/kdumpfile.h"
#include "tests/unit/kfilter_texts.h"
#include "tests/unit/synth_kernel.h"

#define PML4		0x5b80a000ull		/* where the 6.1 text's init_top_pgt is */
#define PAGES		0x100000000ull
#define NPFN		32768ull		/* struct pages: the first section */
#define MAXPFN		((1ull << 19) + 256)	/* 2 GiB and the largest range */
#define OUT_CAP		(16u << 20)

static const uint8_t *in;
static size_t in_len;
static uint64_t starts[8], sizes[8];
static size_t nranges;

static uint64_t synth_word(uint64_t pa)
{
	uint64_t w;

	if (synth_pgtable_word(PML4, PAGES, 1, pa, &w) || synth_sections_word(1, pa, &w))
		return w;
	return 0;
}

static int synth_read(void *ctx, uint64_t paddr, void *buf, size_t len)
{
	uint8_t *out = buf;

	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		uint64_t a = paddr + i;

		if (a >= PAGES && a < PAGES + NPFN * 64) {
			if (in_len == 0 || a - PAGES >= in_len * 64)
				return -EIO;
			out[i] = in[(a - PAGES) % in_len];
		} else {
			out[i] = (uint8_t)(synth_word(a & ~7ull) >> (8 * (a & 7)));
		}
	}
	return 0;
}

static int range_next(void *ctx, size_t *cursor, uint64_t *start, uint64_t *size)
{
	(void)ctx;
	if (*cursor >= nranges)
		return -ENOENT;
	*start = starts[*cursor];
	*size = sizes[*cursor];
	++*cursor;
	return 0;
}

static void read_page(void *ctx, uint64_t pfn, void *page)
{
	(void)ctx;
	memset(page, 0, DISKDUMP_BLOCK);
	if (pfn % 3)
		memcpy(page, &pfn, sizeof(pfn));
}

static uint8_t out[OUT_CAP];
static uint64_t out_len, measured;

static int mem_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	(void)ctx;
	if (off != out_len || off + len > OUT_CAP)
		abort();		/* out of order, or larger than such a machine's file */
	memcpy(out + off, buf, len);
	out_len += len;
	return 0;
}

static uint8_t out2[OUT_CAP], done2[OUT_CAP];
static uint64_t end2;

/* One pass: anywhere inside the file's room, never a byte twice. */
static int seek_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	(void)ctx;
	if (off > OUT_CAP || len > OUT_CAP - off)
		abort();
	for (size_t i = 0; i < len; i++)
		if (done2[off + i]++)
			abort();
	memcpy(out2 + off, buf, len);
	if (off + len > end2)
		end2 = off + len;
	return 0;
}

static int begin(void *ctx, uint64_t size, uint32_t *status)
{
	(void)ctx, (void)status;
	measured = size;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kdumpfile_src src = { range_next, read_page, synth_read, NULL, NULL,
						  NULL };
	static struct diskdump_batch batches[DISKDUMP_BATCHES];
	static const struct diskdump_offload inline_batches = { NULL, NULL, NULL, NULL, batches };
	static const struct kdumpfile_dst dst = { { mem_write, NULL, false }, begin, NULL, NULL, NULL };
	static const struct kdumpfile_dst dst2 = { { seek_write, NULL, true }, begin, NULL, NULL, NULL };
	/* the one pass in batches (formed by the writer itself): the same file */
	static const struct kdumpfile_dst dst3 = { { seek_write, NULL, true }, begin, NULL, NULL,
						   &inline_batches };
	static struct kdumpfile kf;
	static uint8_t model[MAXPFN / 8];
	static char text[8192];
	struct diskdump_summary d;
	struct diskdump_info di;
	uint64_t present = 0;
	unsigned level;
	size_t at = 2;
	int err;

	if (text[0] == '\0') {
		snprintf(text, sizeof(text), "%sSYMBOL(mem_section)=%llx\n", KFILTER_TEXT_6_1,
			 (unsigned long long)(SYNTH_DMAP + SYNTH_ROOTS));
		memcpy(strstr(text, "SYMBOL(mem_section)="), "SYMBOL(mem_sectioX)=", 20);
	}
	if (size < 2)
		return 0;
	level = data[0] & 31;
	nranges = data[1] % 9;
	memset(model, 0, sizeof(model));
	for (size_t i = 0; i < nranges; i++) {
		uint32_t s = 0;
		uint16_t z = 0;

		if (at + 6 <= size) {
			memcpy(&s, data + at, 4);
			memcpy(&z, data + at + 4, 2);
		}
		at += 6;
		starts[i] = s & 0x7fffffffu;
		sizes[i] = (uint64_t)z * 16;
		if (sizes[i])
			diskdump_bits_set(model, starts[i] / DISKDUMP_BLOCK,
					  (starts[i] + sizes[i] + DISKDUMP_BLOCK - 1) / DISKDUMP_BLOCK);
	}
	in = at < size ? data + at : NULL;
	in_len = at < size ? size - at : 0;
	present = diskdump_bits_count(model, 0, MAXPFN);

	err = kdumpfile_plan(&kf, &src, level, text, strlen(text));
	if (err == -ENOENT && present == 0)
		return 0;
	if (err != 0 || kf.present != present || kf.pages > kf.present ||
	    kf.level_recorded != (kf.why ? (level & 1) : level) || (kf.filtered && kf.why))
		abort();
	memset(&di, 0, sizeof(di));
	di.sysname = "Linux";
	di.vmcoreinfo = text;
	di.vmcoreinfo_len = strlen(text);
	out_len = 0;
	if (kdumpfile_write(&kf, &di, &dst) != 0 || measured != out_len)
		abort();
	if (diskdump_read(out, (size_t)out_len, &d) != 0 || d.pages_present != present ||
	    d.pages_dumped != kf.pages || d.max_mapnr != kf.max_mapnr ||
	    d.dump_level != (int32_t)kf.level_recorded ||
	    memcmp(out + d.descs_offset - 2 * diskdump_bitmap_bytes(d.max_mapnr), model,
		   (size_t)((d.max_mapnr + 7) / 8)) != 0)
		abort();
	memset(done2, 0, (size_t)(end2 > out_len ? end2 : out_len));	/* the last input's too */
	end2 = 0;
	if (kdumpfile_write(&kf, &di, &dst2) != 0 || !kf.single || end2 != out_len ||
	    measured != out_len || memcmp(out2, out, (size_t)out_len) != 0)
		abort();
	for (uint64_t i = 0; i < out_len; i++)
		if (done2[i] != 1)
			abort();
	memset(done2, 0, (size_t)out_len);
	memset(out2, 0, (size_t)out_len);
	end2 = 0;
	if (kdumpfile_write(&kf, &di, &dst3) != 0 || !kf.single || end2 != out_len ||
	    memcmp(out2, out, (size_t)out_len) != 0)
		abort();
	for (uint64_t i = 0; i < out_len; i++)
		if (done2[i] != 1)
			abort();
	return 0;
}
