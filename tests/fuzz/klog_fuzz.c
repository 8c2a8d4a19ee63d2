/*
 * libFuzzer target for formats/klog.c and payload/brief.c: the crashed
 * kernel's log and the crash record from hostile memory.  Input: byte 0
 * chooses the layout (bit 0: printk_log instead of the ring buffer) and
 * where VMCOREINFO comes from (bit 1: the input, up to its first NUL,
 * else the fixed 6.1 / 4.19 text of tests/unit/klog_image.h); byte 1 the
 * output size; the rest is the dead kernel's memory from KIMG_BASE.
 * Promises checked (abort() when broken): the text ends inside the
 * buffer with a NUL at out_len, holds only printable ASCII and newlines,
 * and the work stays bounded.  Seeds: tests/fuzz/corpus/klog/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/brief.h"
#include "formats/klog.h"
#include "tests/unit/klog_image.h"

struct fimage {
	const uint8_t *mem;
	size_t len;
	uint64_t reads;
};

static int fimage_read(void *ctx, uint64_t va, void *buf, size_t len)
{
	struct fimage *im = ctx;

	if (++im->reads > 16u * KLOG_MAX_VISITS)
		abort();	/* unbounded work */
	if (va < KIMG_BASE || va - KIMG_BASE > im->len || len > im->len - (va - KIMG_BASE))
		return -EFAULT;
	memcpy(buf, im->mem + (va - KIMG_BASE), len);
	return 0;
}

static void check_text(const char *out, size_t cap, size_t len)
{
	if (len >= cap || out[len] != '\0' || strlen(out) != len)
		abort();
	for (size_t i = 0; i < len; i++)
		if (!((out[i] >= 0x20 && out[i] <= 0x7e) || out[i] == '\n'))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[BRIEF_MAX];
	static char vi[4096];
	static uint8_t notes[1024];
	struct fimage im = { 0 };
	struct klog_stats st;
	struct brief_src src;
	const char *text;
	size_t vlen, cap, len = 0, off = 2;

	if (size < 2)
		return 0;
	cap = (size_t)data[1] * 64 + 2;
	if (data[0] & 2) {
		const uint8_t *nul = memchr(data + 2, 0, size - 2 < sizeof(vi) - 1 ? size - 2 : sizeof(vi) - 1);

		vlen = nul ? (size_t)(nul - (data + 2)) : 0;
		memcpy(vi, data + 2, vlen);
		vi[vlen] = '\0';
		text = vi;
		off += vlen + (nul != NULL);
	} else {
		text = data[0] & 1 ? KIMG_VMCOREINFO_LEGACY : KIMG_VMCOREINFO_RING;
		vlen = strlen(text);
	}
	im.mem = data + off;
	im.len = size - off;
	if (klog_tail(text, vlen, fimage_read, &im, out, cap, &len, &st) == NULL)
		check_text(out, cap, len);
	if (st.shown > st.visited || st.visited > KLOG_MAX_VISITS)
		abort();

	/* The whole record over the same memory, a VMCOREINFO note included. */
	memset(notes, 0, sizeof(notes));
	{
		uint32_t nl = 11, dl = (uint32_t)(vlen < 900 ? vlen : 900), type = 0;

		memcpy(notes, &nl, 4);
		memcpy(notes + 4, &dl, 4);
		memcpy(notes + 8, &type, 4);
		memcpy(notes + 12, "VMCOREINFO", 11);
		memcpy(notes + 24, text, dl);
	}
	memset(&src, 0, sizeof(src));
	src.release = "fuzz";
	src.hostname = "";
	src.notes = notes;
	src.notes_len = sizeof(notes);
	src.read_virt = fimage_read;
	src.rctx = &im;
	im.reads = 0;
	len = brief_build(&src, out, cap, NULL);
	check_text(out, cap, len);
	return 0;
}
