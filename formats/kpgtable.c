/*
 * kpgtable: x86-64 4- and 5-level page-table walk through a read_phys
 * callback.  formats/kpgtable.h is the interface.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/kpgtable.h"

int kpgtable_init(struct kpgtable *pt, const struct kinfo *ki, kpgtable_read_fn read_phys,
		  void *ctx)
{
	if (pt == NULL || ki == NULL || read_phys == NULL)
		return -EINVAL;
	if (ki->v[KINFO_MAX_PHYSMEM_BITS] < 32 || ki->v[KINFO_MAX_PHYSMEM_BITS] > 52)
		return -EINVAL;
	memset(pt, 0, sizeof(*pt));
	pt->root = kinfo_top_pgt_phys(ki);
	pt->l5 = ki->v[KINFO_L5] != 0;
	pt->sme_mask = ki->v[KINFO_SME_MASK];
	pt->phys_limit = 1ull << ki->v[KINFO_MAX_PHYSMEM_BITS];
	pt->read_phys = read_phys;
	pt->ctx = ctx;
	return 0;
}

bool kpgtable_canonical(const struct kpgtable *pt, uint64_t vaddr)
{
	unsigned bits = pt->l5 ? 57 : 48;
	uint64_t top = vaddr >> (bits - 1);

	return top == 0 || top == (~0ull >> (bits - 1));
}

static int kpgtable_entry(const struct kpgtable *pt, uint64_t table, unsigned index,
			  uint64_t *entry)
{
	uint8_t b[8];
	uint64_t e = 0;
	int err;

	if (table >= pt->phys_limit)
		return -EBADMSG;
	err = pt->read_phys(pt->ctx, table + 8ull * index, b, sizeof(b));
	if (err != 0)
		return err < 0 ? err : -EIO;
	for (int i = 7; i >= 0; i--)
		e = e << 8 | b[i];
	*entry = e & ~pt->sme_mask;
	return 0;
}

int kpgtable_translate(const struct kpgtable *pt, uint64_t vaddr, uint64_t *paddr,
		       uint64_t *map_size)
{
	unsigned level = 0, levels;
	uint64_t table, entry = 0, size, base;
	int err;

	if (pt == NULL || paddr == NULL || !kpgtable_canonical(pt, vaddr))
		return -EINVAL;
	levels = pt->l5 ? 5 : 4;
	table = pt->root;
	for (level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);

		err = kpgtable_entry(pt, table & KPGTABLE_ADDR_MASK,
				     (unsigned)(vaddr >> shift) & 511, &entry);
		if (err != 0)
			return err;
		if (!(entry & KPGTABLE_PRESENT))
			return -EFAULT;
		size = 1ull << shift;
		if (level == 1 || ((entry & KPGTABLE_PS) && (level == 2 || level == 3))) {
			base = entry & KPGTABLE_ADDR_MASK & ~(size - 1);
			if (base >= pt->phys_limit || base + size > pt->phys_limit)
				return -EBADMSG;
			*paddr = base | (vaddr & (size - 1));
			if (map_size != NULL)
				*map_size = size;
			return 0;
		}
		if (entry & KPGTABLE_PS)
			return -EBADMSG;	/* PS in PML5 or PML4 */
		table = entry & KPGTABLE_ADDR_MASK;
	}
	return -EBADMSG;	/* not reached */
}

int kpgtable_read_virt(const struct kpgtable *pt, uint64_t vaddr, void *buf, size_t len)
{
	uint8_t *out = buf;
	uint64_t pa, msize, chunk;
	int err;

	if (pt == NULL || (buf == NULL && len != 0))
		return -EINVAL;
	if (len > KPGTABLE_READ_MAX || vaddr + len < vaddr)
		return -E2BIG;
	while (len > 0) {
		err = kpgtable_translate(pt, vaddr, &pa, &msize);
		if (err != 0)
			return err;
		chunk = KINFO_PAGE_SIZE - (vaddr & (KINFO_PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		err = pt->read_phys(pt->ctx, pa, out, (size_t)chunk);
		if (err != 0)
			return err < 0 ? err : -EIO;
		out += chunk;
		vaddr += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

int kpgtable_translate_range(const struct kpgtable *pt, uint64_t vaddr, uint64_t len,
			     struct kpgtable_run *runs, size_t max_runs, size_t max_steps,
			     size_t *nruns)
{
	uint64_t pa, msize, step;
	size_t n = 0, steps = 0;
	int err;

	if (pt == NULL || nruns == NULL || (runs == NULL && max_runs != 0))
		return -EINVAL;
	*nruns = 0;
	if (vaddr + len < vaddr && vaddr + len != 0)
		return -EINVAL;
	while (len > 0) {
		if (steps++ >= max_steps)
			return -E2BIG;
		err = kpgtable_translate(pt, vaddr, &pa, &msize);
		if (err != 0)
			return err;
		step = msize - (vaddr & (msize - 1));
		if (step > len)
			step = len;
		if (n > 0 && runs[n - 1].vaddr + runs[n - 1].len == vaddr &&
		    runs[n - 1].paddr + runs[n - 1].len == pa) {
			runs[n - 1].len += step;
		} else {
			if (n >= max_runs)
				return -E2BIG;
			runs[n].vaddr = vaddr;
			runs[n].paddr = pa;
			runs[n].len = step;
			*nruns = ++n;
		}
		vaddr += step;
		len -= step;
	}
	return 0;
}
