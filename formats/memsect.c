/*
 * memsect: SPARSEMEM_EXTREME mem_section walk.  formats/memsect.h is the
 * interface.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/kinfo.h"
#include "formats/kpgtable.h"
#include "formats/memsect.h"

int memsect_init(struct memsect *ms, const struct kinfo *ki, const struct kpgtable *pt)
{
	uint64_t mpb, ssb, size, by_bits;

	if (ms == NULL || ki == NULL || pt == NULL)
		return -EINVAL;
	mpb = ki->v[KINFO_MAX_PHYSMEM_BITS];
	ssb = ki->v[KINFO_SECTION_SIZE_BITS];
	size = ki->v[KINFO_MEM_SECTION_SIZE];
	if (mpb > 52 || ssb <= KINFO_PAGE_SHIFT || ssb >= mpb || size < 8 ||
	    size > KINFO_PAGE_SIZE || ki->v[KINFO_MEM_SECTION_LEN] == 0 ||
	    ki->v[KINFO_MEM_SECTION_LEN] > (1ull << 40) ||
	    ki->v[KINFO_OFF_SECTION_MEM_MAP] > size - 8 ||
	    ki->v[KINFO_SIZE_PAGE] < KINFO_PAGE_STRUCT_MIN ||
	    ki->v[KINFO_SIZE_PAGE] > KINFO_PAGE_STRUCT_MAX)
		return -EINVAL;
	memset(ms, 0, sizeof(*ms));
	ms->ki = ki;
	ms->pt = pt;
	ms->per_root = KINFO_PAGE_SIZE / size;
	ms->pfn_section_shift = (unsigned)(ssb - KINFO_PAGE_SHIFT);
	by_bits = 1ull << (mpb - ssb);
	ms->nr_sections = ki->v[KINFO_MEM_SECTION_LEN] * ms->per_root;
	if (ms->nr_sections > by_bits)
		ms->nr_sections = by_bits;
	return 0;
}

static int memsect_read_u64(const struct kpgtable *pt, uint64_t va, uint64_t *out)
{
	uint8_t b[8];
	uint64_t v = 0;
	int err = kpgtable_read_virt(pt, va, b, sizeof(b));

	if (err != 0)
		return err;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	*out = v;
	return 0;
}

int memsect_section(const struct memsect *ms, uint64_t nr, uint64_t *mem_map)
{
	const struct kinfo *ki;
	uint64_t root, word, map, start_pfn;
	int err;

	if (ms == NULL || mem_map == NULL)
		return -EINVAL;
	if (nr >= ms->nr_sections)
		return -ERANGE;
	ki = ms->ki;
	err = memsect_read_u64(ms->pt, ki->v[KINFO_MEM_SECTION] + 8 * (nr / ms->per_root), &root);
	if (err != 0)
		return err;
	if (root == 0)
		return -ENOENT;
	if (root < KINFO_KERNEL_HALF)
		return -EBADMSG;
	err = memsect_read_u64(ms->pt, root + (nr % ms->per_root) * ki->v[KINFO_MEM_SECTION_SIZE] +
			       ki->v[KINFO_OFF_SECTION_MEM_MAP], &word);
	if (err != 0)
		return err;
	if ((word & (MEMSECT_MARKED_PRESENT | MEMSECT_HAS_MEM_MAP)) !=
	    (MEMSECT_MARKED_PRESENT | MEMSECT_HAS_MEM_MAP) || (word & MEMSECT_MAP_MASK) == 0)
		return -ENOENT;
	start_pfn = nr << ms->pfn_section_shift;
	map = (word & MEMSECT_MAP_MASK) + start_pfn * ki->v[KINFO_SIZE_PAGE];
	/* the whole section's struct pages must be kernel addresses */
	if (map < KINFO_KERNEL_HALF ||
	    map + (ki->v[KINFO_SIZE_PAGE] << ms->pfn_section_shift) < map)
		return -EBADMSG;
	*mem_map = word & MEMSECT_MAP_MASK;
	return 0;
}

int memsect_page(const struct memsect *ms, uint64_t pfn, uint64_t *page_vaddr)
{
	uint64_t map;
	int err;

	if (ms == NULL || page_vaddr == NULL)
		return -EINVAL;
	if ((pfn >> ms->pfn_section_shift) >= ms->nr_sections)
		return -ERANGE;
	err = memsect_section(ms, pfn >> ms->pfn_section_shift, &map);
	if (err != 0)
		return err;
	*page_vaddr = map + pfn * ms->ki->v[KINFO_SIZE_PAGE];
	return 0;
}
