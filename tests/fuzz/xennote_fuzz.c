/*
 * libFuzzer target for formats/xennote.c.  The whole input is walked as a
 * notes buffer (Xen's kexec crash notes); then bytes 0..7 are a P2M root
 * mfn, 8..15 a dom0 virtual address, 16..23 phys_base, and the input from
 * byte 0 is machine memory from address 0: a translation of a few pfns and
 * a 64-byte read through xennote_dom0_read_virt().  Every output is read
 * (ASan checks the VMCOREINFO_XEN text stays inside the input); broken
 * promises abort().  Seeds: tests/fuzz/corpus/xennote/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/le.h"
#include "formats/xennote.h"

struct image {
	const uint8_t *mem;
	size_t len;
};

static int image_read(void *ctx, uint64_t paddr, void *buf, size_t len)
{
	struct image *im = ctx;

	if (paddr >= im->len || len > im->len - paddr)
		return -EIO;
	memcpy(buf, im->mem + paddr, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xennote x;
	struct image im = { data, size };
	struct xennote_dom0 d;
	uint8_t buf[64];
	uint64_t sum = 0, mfn = 0;
	volatile uint64_t sink;
	int r = xennote_scan(data, size, &x);

	if (r != 0 && r != -ENOENT)
		abort();
	if (r == 0 && !x.crash_regs && !x.infos && x.vmcoreinfo == NULL)
		abort();
	if (x.have_info && (x.infos == 0 || x.info_short > x.infos))
		abort();
	for (size_t k = 0; x.vmcoreinfo != NULL && k < x.vmcoreinfo_len; k++)
		sum += (uint8_t)x.vmcoreinfo[k];
	sum += x.prstatus + x.crash_regs + x.info.dom0_p2m_root_mfn + (uint64_t)x.walk_error;
	if (size < 24)
		goto out;
	d = (struct xennote_dom0){ le_get64(data), le_get64(data + 16), 0xffff888000000000ull,
				   image_read, &im };
	for (uint64_t pfn = 0; pfn < 4; pfn++)
		if (xennote_p2m(&d, pfn, &mfn) == 0) {
			if (mfn == 0 || mfn >= XENNOTE_MFN_LIMIT)
				abort();
			sum += mfn;
		}
	if (xennote_dom0_read_virt(&d, le_get64(data + 8), buf, sizeof(buf)) == 0)
		for (size_t k = 0; k < sizeof(buf); k++)
			sum += buf[k];
out:
	sink = sum;
	(void)sink;
	return 0;
}
