/*
 * libFuzzer target for payload/pagefilter.c.  The page tables and the
 * mem_section table of a 128 MiB machine are fixed (as in
 * tests/unit/pagefilter_test.c); the input is its struct pages (byte 0
 * the dump level in its low 5 bits and the window size in its top 3,
 * byte 1 the batch size in struct pages, the rest repeated over the
 * vmemmap; past its end every read fails).  The machine is filtered in one
 * window, then in windows of the chosen size.  Promises checked (abort()
 * when broken): only pages of the 1st bitmap are ever cleared, a level
 * without bits 2..16 clears only poisoned and offline pages (never read at
 * any level), the counts fit the machine, the work stays bounded, and
 * windows that are a multiple of the batch give exactly the one-window
 * result (bits and totals).  Seeds: tests/fuzz/corpus/pagefilter/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "payload/pagefilter.h"
#include "tests/unit/kfilter_texts.h"
#include "tests/unit/synth_kernel.h"

#define PML4		0x1000ull
#define PAGES		0x40000000ull
#define NPFN		32768ull

static const uint8_t *in;
static size_t in_len;
static uint64_t reads;

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
	if (++reads > 24 * NPFN + 64)	/* a batch: <= 8 walk reads for the section, 2 x (3 + 2) for the pages */
		abort();	/* unbounded work */
	for (size_t i = 0; i < len; i++) {
		uint64_t a = paddr + i;

		if (a >= PAGES && a < PAGES + NPFN * 64) {
			if (a - PAGES >= in_len * 64)
				return -EIO;
			out[i] = in[(a - PAGES) % in_len];
		} else {
			out[i] = (uint8_t)(synth_word(a & ~7ull) >> (8 * (a & 7)));
		}
	}
	return 0;
}

/* bm2 from bm1 in windows of win pfns (byte-aligned: win a multiple of 8). */
static const char *filter(struct pagefilter *pf, const struct kinfo *ki, const struct kpgtable *pt,
			  unsigned level, uint64_t win, const uint8_t *bm1, uint8_t *bm2, void *buf,
			  size_t batch)
{
	const char *why;

	memcpy(bm2, bm1, NPFN / 8);
	reads = 0;
	why = pagefilter_init(pf, ki, pt, level, NPFN, buf, batch);
	for (uint64_t p0 = 0; why == NULL && p0 < NPFN; p0 += win)
		why = pagefilter_window(pf, p0, p0 + win < NPFN ? p0 + win : NPFN, bm2 + p0 / 8);
	return why ? why : pagefilter_finish(pf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t wins[8] = { NPFN, 8, 64, 104, 1024, 4096, 32776, 16 };
	static struct kinfo ki;
	static struct kpgtable pt;
	static struct pagefilter pf;
	static uint8_t bm1[NPFN / 8], bm2[NPFN / 8], whole[NPFN / 8], buf[PAGEFILTER_BUF];
	static int ready;
	struct pagefilter_stats st;
	const char *why, *why2;
	unsigned level;
	size_t batch;
	uint64_t win;

	if (!ready) {
		char text[8192];

		snprintf(text, sizeof(text), "%sSYMBOL(mem_section)=%llx\n", KFILTER_TEXT_6_1,
			 (unsigned long long)(SYNTH_DMAP + SYNTH_ROOTS));
		memcpy(strstr(text, "SYMBOL(mem_section)="), "SYMBOL(mem_sectioX)=", 20);
		if (kinfo_read(text, strlen(text), &ki) != NULL ||
		    kpgtable_init(&pt, &ki, synth_read, NULL) != 0)
			abort();
		pt.root = PML4;
		ready = 1;
	}
	if (size < 3)
		return 0;
	level = data[0] & 31;
	win = wins[data[0] >> 5];
	batch = ((size_t)data[1] + 2) * 64;
	in = data + 2;
	in_len = size - 2;
	for (size_t i = 0; i < sizeof(bm1); i++)
		bm1[i] = (uint8_t)(0xff ^ (i * 37));
	why = filter(&pf, &ki, &pt, level, NPFN, bm1, bm2, buf, batch);
	st = pf.st;
	memcpy(whole, bm2, sizeof(whole));
	for (size_t i = 0; i < sizeof(bm1); i++)
		if (bm2[i] & ~bm1[i])
			abort();		/* a bit outside the 1st bitmap */
	if ((level & 30) == 0 &&
	    st.left_out != st.counts[PAGECLASS_HWPOISON] + st.counts[PAGECLASS_OFFLINE])
		abort();	/* cleared what the level does not name (poisoned, offline: always) */
	if (st.left_out > st.pages || st.pages > NPFN)
		abort();
	if (win == NPFN || win % pf.per_buf != 0)
		return 0;
	why2 = filter(&pf, &ki, &pt, level, win, bm1, bm2, buf, batch);
	if ((why == NULL) != (why2 == NULL) || (why && strcmp(why, why2) != 0) ||
	    memcmp(whole, bm2, sizeof(whole)) != 0 || pf.st.left_out != st.left_out ||
	    pf.st.unreadable != st.unreadable || pf.st.no_struct_page != st.no_struct_page ||
	    memcmp(pf.st.counts, st.counts, sizeof(st.counts)) != 0)
		abort();	/* windows differ from the one-window result */
	return 0;
}
