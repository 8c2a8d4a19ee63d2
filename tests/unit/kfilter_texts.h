/*
 * VMCOREINFO texts for the page-filtering tests and fuzz targets
 * (formats/kinfo.h, kpgtable.h, memsect.h, pageclass.h).
 *
 * KFILTER_TEXT_6_1 has the keys and values a Debian 12 x86-64 6.1 kernel
 * writes (kernel/crash_core.c, arch/x86/kernel/crash_core_64.c): PG_slab
 * as a flag, ~PG_x page types, compound_dtor/compound_order in the first
 * tail page, KASLR on (KERNELOFFSET, phys_base consistent with it:
 * _text at physical 0x5a000000).  KFILTER_TEXT_6_12 is written by hand
 * from Linux 6.12 (kernel/vmcore_info.c, include/linux/page-flags.h): no
 * PG_slab, PGTY_x << 24 page types printed as the signed long of the int,
 * the compound order in the first tail page's flags.  KFILTER_TEXT_6_12_L5
 * is the same kernel with 5-level paging.  Only the keys page filtering
 * reads, plus a few it must skip.
 */
#ifndef TESTS_UNIT_KFILTER_TEXTS_H
#define TESTS_UNIT_KFILTER_TEXTS_H

#define KFILTER_TEXT_6_1 \
	"OSRELEASE=6.1.0-18-amd64\n" \
	"BUILD-ID=4b5b2f0c8e3b8a2f9d2c1e6a7b8c9d0e1f2a3b4c\n" \
	"PAGESIZE=4096\n" \
	"SYMBOL(init_uts_ns)=ffffffffb3a13d40\n" \
	"SYMBOL(swapper_pg_dir)=ffffffffb380a000\n" \
	"SYMBOL(_stext)=ffffffffb2000000\n" \
	"SYMBOL(mem_section)=ffff8f3a7ffd3000\n" \
	"LENGTH(mem_section)=2048\n" \
	"SIZE(mem_section)=16\n" \
	"OFFSET(mem_section.section_mem_map)=0\n" \
	"NUMBER(SECTION_SIZE_BITS)=27\n" \
	"NUMBER(MAX_PHYSMEM_BITS)=46\n" \
	"SIZE(page)=64\n" \
	"SIZE(pglist_data)=172672\n" \
	"SIZE(zone)=1664\n" \
	"SIZE(free_area)=88\n" \
	"OFFSET(page.flags)=0\n" \
	"OFFSET(page._refcount)=52\n" \
	"OFFSET(page.mapping)=24\n" \
	"OFFSET(page.lru)=8\n" \
	"OFFSET(page._mapcount)=48\n" \
	"OFFSET(page.private)=40\n" \
	"OFFSET(page.compound_dtor)=16\n" \
	"OFFSET(page.compound_order)=17\n" \
	"OFFSET(page.compound_head)=8\n" \
	"OFFSET(pglist_data.node_zones)=0\n" \
	"OFFSET(zone.free_area)=192\n" \
	"LENGTH(zone.free_area)=11\n" \
	"LENGTH(free_area.free_list)=5\n" \
	"NUMBER(NR_FREE_PAGES)=0\n" \
	"NUMBER(PG_lru)=4\n" \
	"NUMBER(PG_private)=13\n" \
	"NUMBER(PG_swapcache)=10\n" \
	"NUMBER(PG_swapbacked)=19\n" \
	"NUMBER(PG_slab)=9\n" \
	"NUMBER(PG_hwpoison)=23\n" \
	"NUMBER(PG_head_mask)=65536\n" \
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n" \
	"NUMBER(HUGETLB_PAGE_DTOR)=2\n" \
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n" \
	"NUMBER(phys_base)=671088640\n" \
	"SYMBOL(init_top_pgt)=ffffffffb380a000\n" \
	"NUMBER(pgtable_l5_enabled)=0\n" \
	"SYMBOL(node_data)=ffffffffb3af1c00\n" \
	"LENGTH(node_data)=1024\n" \
	"KERNELOFFSET=31000000\n" \
	"NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n" \
	"NUMBER(sme_mask)=0\n" \
	"CRASHTIME=1700000000\n"

#define KFILTER_TEXT_6_12_COMMON \
	"BUILD-ID=1f7a0c5e9b2d4c6a8e0f1a2b3c4d5e6f7a8b9c0d\n" \
	"PAGESIZE=4096\n" \
	"SYMBOL(_stext)=ffffffff9a000000\n" \
	"SIZE(mem_section)=16\n" \
	"OFFSET(mem_section.section_mem_map)=0\n" \
	"NUMBER(SECTION_SIZE_BITS)=27\n" \
	"SIZE(page)=64\n" \
	"OFFSET(page.flags)=0\n" \
	"OFFSET(page._refcount)=52\n" \
	"OFFSET(page.mapping)=24\n" \
	"OFFSET(page.lru)=8\n" \
	"OFFSET(page._mapcount)=48\n" \
	"OFFSET(page.private)=40\n" \
	"OFFSET(page.compound_head)=8\n" \
	"LENGTH(zone.free_area)=11\n" \
	"NUMBER(NR_FREE_PAGES)=0\n" \
	"NUMBER(PG_lru)=5\n" \
	"NUMBER(PG_private)=14\n" \
	"NUMBER(PG_swapcache)=10\n" \
	"NUMBER(PG_swapbacked)=17\n" \
	"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n" \
	"NUMBER(PG_hwpoison)=21\n" \
	"NUMBER(PG_head_mask)=64\n" \
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n" \
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n" \
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240\n" \
	"NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=-150994944\n" \
	"SYMBOL(kallsyms_names)=ffffffff9a8e1a48\n" \
	"NUMBER(phys_base)=1073741824\n" \
	"SYMBOL(init_top_pgt)=ffffffff9b40a000\n" \
	"KERNELOFFSET=19000000\n" \
	"NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n" \
	"NUMBER(sme_mask)=0\n" \
	"CRASHTIME=1717171717\n"

#define KFILTER_TEXT_6_12 \
	"OSRELEASE=6.12.9-amd64\n" \
	"SYMBOL(mem_section)=ffff9c5e7ffd3000\n" \
	"LENGTH(mem_section)=2048\n" \
	"NUMBER(MAX_PHYSMEM_BITS)=46\n" \
	"NUMBER(pgtable_l5_enabled)=0\n" \
	KFILTER_TEXT_6_12_COMMON

#define KFILTER_TEXT_6_12_L5 \
	"OSRELEASE=6.12.9-amd64\n" \
	"SYMBOL(mem_section)=ff11000fffbd1000\n" \
	"LENGTH(mem_section)=131072\n" \
	"NUMBER(MAX_PHYSMEM_BITS)=52\n" \
	"NUMBER(pgtable_l5_enabled)=1\n" \
	KFILTER_TEXT_6_12_COMMON

#endif
