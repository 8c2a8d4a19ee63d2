/*
 * Host tests for formats/kinfo.c: VMCOREINFO texts of a Debian 6.1 and a
 * 6.12 kernel read into the right values, and every missing, malformed or
 * implausible key refused with a reason that names it.
 */
#include <stdbool.h>
#include <string.h>

#include "formats/kinfo.h"
#include "tests/unit/kfilter_texts.h"
#include "tests/unit/test.h"

static char edited[8192];

/* text with key's line replaced by key=value, or dropped when value is NULL. */
static const char *edit(const char *text, const char *key, const char *value)
{
	size_t klen = strlen(key), out = 0;
	const char *line = text;

	while (*line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t n = nl != NULL ? (size_t)(nl - line) + 1 : strlen(line);

		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			if (value != NULL)
				out += (size_t)snprintf(edited + out, sizeof(edited) - out, "%s=%s\n",
							key, value);
		} else {
			memcpy(edited + out, line, n);
			out += n;
		}
		line += n;
	}
	edited[out] = '\0';
	return edited;
}

static const char *read_text(const char *text, struct kinfo *ki)
{
	return kinfo_read(text, strlen(text), ki);
}

static bool mentions(const char *reason, const char *key)
{
	return reason != NULL && strstr(reason, key) != NULL;
}

TEST(debian_6_1_text_reads_every_value)
{
	static struct kinfo ki;

	CHECK(read_text(KFILTER_TEXT_6_1, &ki) == NULL);
	CHECK_STR(ki.osrelease, "6.1.0-18-amd64");
	CHECK_EQ(ki.v[KINFO_PAGESIZE], 4096);
	CHECK_EQ(ki.v[KINFO_KERNELOFFSET], 0x31000000);
	CHECK_EQ(ki.v[KINFO_PHYS_BASE], 0x28000000);
	CHECK_EQ(ki.v[KINFO_INIT_TOP_PGT], 0xffffffffb380a000ull);
	CHECK_EQ(kinfo_top_pgt_phys(&ki), 0x5b80a000);
	CHECK_EQ(ki.v[KINFO_L5], 0);
	CHECK_EQ(ki.v[KINFO_MEM_SECTION], 0xffff8f3a7ffd3000ull);
	CHECK_EQ(ki.v[KINFO_MEM_SECTION_LEN], 2048);
	CHECK_EQ(ki.v[KINFO_MEM_SECTION_SIZE], 16);
	CHECK_EQ(ki.v[KINFO_SECTION_SIZE_BITS], 27);
	CHECK_EQ(ki.v[KINFO_MAX_PHYSMEM_BITS], 46);
	CHECK_EQ(ki.v[KINFO_SIZE_PAGE], 64);
	CHECK_EQ(ki.v[KINFO_OFF_MAPPING], 24);
	CHECK_EQ(ki.v[KINFO_OFF_MAPCOUNT], 48);
	CHECK_EQ(ki.v[KINFO_OFF_COMPOUND_DTOR], 16);
	CHECK_EQ(ki.v[KINFO_OFF_COMPOUND_ORDER], 17);
	CHECK_EQ(ki.v[KINFO_FREE_AREA_LEN], 11);
	CHECK_EQ(ki.v[KINFO_PG_SLAB], 9);
	CHECK_EQ(ki.v[KINFO_PG_HEAD_MASK], 1u << 16);
	CHECK_EQ(ki.v[KINFO_HUGETLB_PAGE_DTOR], 2);
	CHECK(!ki.page_types);
	CHECK_EQ(kinfo_mapcount_value(&ki, KINFO_BUDDY_VALUE), 0xffffff7f);
	CHECK_EQ(kinfo_mapcount_value(&ki, KINFO_OFFLINE_VALUE), 0xfffffeff);
	CHECK(!kinfo_has(&ki, KINFO_SLAB_VALUE));
	CHECK(!kinfo_has(&ki, KINFO_HUGETLB_VALUE));
	CHECK(!kinfo_has(&ki, KINFO_PG_HUGETLB));
	CHECK_EQ(kinfo_mapcount_value(&ki, KINFO_SLAB_VALUE), 0);
}

TEST(linux_6_12_text_reads_page_types)
{
	static struct kinfo ki;

	CHECK(read_text(KFILTER_TEXT_6_12, &ki) == NULL);
	CHECK(ki.page_types);
	CHECK(!kinfo_has(&ki, KINFO_PG_SLAB));
	CHECK(!kinfo_has(&ki, KINFO_OFF_COMPOUND_DTOR));
	CHECK_EQ(kinfo_mapcount_value(&ki, KINFO_BUDDY_VALUE), 0xf0000000u);
	CHECK_EQ(kinfo_mapcount_value(&ki, KINFO_OFFLINE_VALUE), 0xf1000000u);
	CHECK_EQ(kinfo_mapcount_value(&ki, KINFO_HUGETLB_VALUE), 0xf4000000u);
	CHECK_EQ(kinfo_mapcount_value(&ki, KINFO_SLAB_VALUE), 0xf5000000u);
	CHECK_EQ(kinfo_mapcount_value(&ki, KINFO_UNACCEPTED_VALUE), 0xf7000000u);
	CHECK_EQ(kinfo_top_pgt_phys(&ki), 0x5b40a000);
	/* printed as the unsigned 32-bit number: the same value */
	CHECK(read_text(edit(KFILTER_TEXT_6_12, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "4026531840"),
			&ki) == NULL);
	CHECK_EQ(kinfo_mapcount_value(&ki, KINFO_BUDDY_VALUE), 0xf0000000u);
	CHECK(ki.page_types);
}

TEST(five_level_text_reads)
{
	static struct kinfo ki;

	CHECK(read_text(KFILTER_TEXT_6_12_L5, &ki) == NULL);
	CHECK_EQ(ki.v[KINFO_L5], 1);
	CHECK_EQ(ki.v[KINFO_MAX_PHYSMEM_BITS], 52);
	CHECK_EQ(ki.v[KINFO_MEM_SECTION_LEN], 131072);
	/* 131073 roots cannot exist with 52 bits and 27-bit sections */
	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_12_L5, "LENGTH(mem_section)", "131073"), &ki),
		       "LENGTH(mem_section)"));
	/* a 5-level direct-map address is no kernel address under 4 levels */
	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_12_L5, "NUMBER(pgtable_l5_enabled)", "0"),
				 &ki), "SYMBOL(mem_section)"));
}

TEST(every_missing_required_key_is_named)
{
	static const char *const required[] = {
		"PAGESIZE", "NUMBER(phys_base)", "SYMBOL(init_top_pgt)", "SYMBOL(mem_section)",
		"LENGTH(mem_section)", "SIZE(mem_section)", "OFFSET(mem_section.section_mem_map)",
		"NUMBER(SECTION_SIZE_BITS)", "NUMBER(MAX_PHYSMEM_BITS)", "SIZE(page)",
		"OFFSET(page.flags)", "OFFSET(page.mapping)", "OFFSET(page._mapcount)",
		"OFFSET(page.private)", "OFFSET(page.compound_head)", "LENGTH(zone.free_area)",
		"NUMBER(PG_lru)", "NUMBER(PG_private)", "NUMBER(PG_swapcache)",
		"NUMBER(PG_swapbacked)", "NUMBER(PG_head_mask)",
		"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "OSRELEASE",
	};
	static struct kinfo ki;

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const char *why = read_text(edit(KFILTER_TEXT_6_1, required[i], NULL), &ki);

		CHECK(mentions(why, required[i]));
		CHECK(mentions(why, "lacks"));
	}
	/* optional keys may go */
	CHECK(read_text(edit(KFILTER_TEXT_6_1, "NUMBER(PG_hwpoison)", NULL), &ki) == NULL);
	CHECK(read_text(edit(KFILTER_TEXT_6_1, "KERNELOFFSET", NULL), &ki) == NULL);
	CHECK(read_text(edit(KFILTER_TEXT_6_1, "NUMBER(pgtable_l5_enabled)", NULL), &ki) == NULL);
	CHECK(read_text(edit(KFILTER_TEXT_6_1, "OFFSET(page.compound_dtor)", NULL), &ki) == NULL);
	/* slab needs one of the two ways */
	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_1, "NUMBER(PG_slab)", NULL), &ki),
		       "NUMBER(PG_slab)"));
	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_12, "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)", NULL),
				 &ki), "PAGE_SLAB_MAPCOUNT_VALUE"));
}

TEST(malformed_values_are_named)
{
	static struct kinfo ki;

	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_1, "PAGESIZE", "4k"), &ki), "PAGESIZE"));
	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_1, "SIZE(page)", ""), &ki), "SIZE(page)"));
	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_1, "SYMBOL(mem_section)", "zz"), &ki),
		       "SYMBOL(mem_section)"));
	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_1, "NUMBER(PG_hwpoison)", "99999999999999999999"),
				 &ki), "NUMBER(PG_hwpoison)"));
	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_1, "OSRELEASE", "6.1 with space"), &ki),
		       "OSRELEASE"));
	CHECK(kinfo_read(NULL, 0, &ki) != NULL);
	CHECK(kinfo_read("PAGESIZE=4096", 13, NULL) != NULL);
	CHECK(kinfo_check(NULL) != NULL);
	CHECK_STR(kinfo_key_name(KINFO_OFF_MAPCOUNT), "OFFSET(page._mapcount)");
	CHECK_STR(kinfo_key_name(KINFO_KEY_COUNT), "?");
}

struct bad_value {
	const char *key;
	const char *value;
	const char *named;
};

TEST(implausible_values_are_named)
{
	static const struct bad_value bad[] = {
		{ "PAGESIZE", "8192", "PAGESIZE" },
		{ "SIZE(page)", "16", "SIZE(page)" },
		{ "SIZE(page)", "4096", "SIZE(page)" },
		{ "SIZE(page)", "66", "SIZE(page)" },
		{ "OFFSET(page.mapping)", "60", "OFFSET(page.mapping)" },
		{ "OFFSET(page._mapcount)", "61", "OFFSET(page._mapcount)" },
		{ "OFFSET(page.compound_order)", "64", "OFFSET(page.compound_order)" },
		{ "OFFSET(page.flags)", "-8", "OFFSET(page.flags)" },
		{ "NUMBER(SECTION_SIZE_BITS)", "46", "SECTION_SIZE_BITS" },
		{ "NUMBER(SECTION_SIZE_BITS)", "12", "SECTION_SIZE_BITS" },
		{ "NUMBER(MAX_PHYSMEM_BITS)", "53", "MAX_PHYSMEM_BITS" },
		{ "NUMBER(MAX_PHYSMEM_BITS)", "31", "MAX_PHYSMEM_BITS" },
		{ "SIZE(mem_section)", "12", "SIZE(mem_section)" },
		{ "SIZE(mem_section)", "8192", "SIZE(mem_section)" },
		{ "OFFSET(mem_section.section_mem_map)", "9", "section_mem_map" },
		{ "LENGTH(mem_section)", "0", "LENGTH(mem_section)" },
		{ "LENGTH(mem_section)", "2049", "LENGTH(mem_section)" },
		{ "SYMBOL(mem_section)", "7ffd3000", "SYMBOL(mem_section)" },
		{ "SYMBOL(mem_section)", "ffff8f3a7ffd3004", "SYMBOL(mem_section)" },
		{ "SYMBOL(init_top_pgt)", "ffff8f3a7ffd3000", "init_top_pgt" },
		{ "SYMBOL(init_top_pgt)", "ffffffffb380a800", "init_top_pgt" },
		{ "NUMBER(phys_base)", "-1946157056", "phys_base" },
		{ "NUMBER(phys_base)", "70368744177664", "phys_base" },
		{ "NUMBER(phys_base)", "671088641", "phys_base" },
		{ "NUMBER(pgtable_l5_enabled)", "2", "pgtable_l5_enabled" },
		{ "NUMBER(sme_mask)", "3", "sme_mask" },
		{ "NUMBER(sme_mask)", "0x10000000000000", "sme_mask" },
		{ "KERNELOFFSET", "40000000", "KERNELOFFSET" },
		{ "LENGTH(zone.free_area)", "0", "LENGTH(zone.free_area)" },
		{ "LENGTH(zone.free_area)", "21", "LENGTH(zone.free_area)" },
		{ "NUMBER(PG_head_mask)", "3", "PG_head_mask" },
		{ "NUMBER(PG_head_mask)", "0", "PG_head_mask" },
		{ "NUMBER(PG_lru)", "64", "PG_lru" },
		{ "NUMBER(PG_private)", "4", "PG_private" },		/* = PG_lru */
		{ "NUMBER(PG_slab)", "16", "PG_slab" },		/* = head */
		{ "NUMBER(HUGETLB_PAGE_DTOR)", "256", "HUGETLB_PAGE_DTOR" },
		{ "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "-128", "PAGE_BUDDY" },
		{ "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "-131", "PAGE_BUDDY" },
		{ "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "4294967296", "PAGE_BUDDY" },
		{ "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", "-129", "PAGE_OFFLINE" },
		{ "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", "-251658240", "PAGE_OFFLINE" },
	};
	static struct kinfo ki;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = read_text(edit(KFILTER_TEXT_6_1, bad[i].key, bad[i].value), &ki);

		if (!mentions(why, bad[i].named))
			fprintf(stderr, "%s=%s: %s\n", bad[i].key, bad[i].value,
				why != NULL ? why : "accepted");
		CHECK(mentions(why, bad[i].named));
	}
	/* page-type scheme: every value must be PGTY << 24 */
	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_12, "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)", "-129"),
				 &ki), "PAGE_SLAB"));
	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_12, "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)",
				      "-16777216"), &ki), "PAGE_HUGETLB"));	/* 0xff << 24 */
	CHECK(mentions(read_text(edit(KFILTER_TEXT_6_12, "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)",
				      "-268435456"), &ki), "PAGE_HUGETLB"));	/* = buddy */
}

TEST(check_reruns_after_a_change)
{
	static struct kinfo ki;

	CHECK(read_text(KFILTER_TEXT_6_1, &ki) == NULL);
	ki.v[KINFO_OFF_PRIVATE] = 60;
	CHECK(mentions(kinfo_check(&ki), "OFFSET(page.private)"));
	ki.v[KINFO_OFF_PRIVATE] = 40;
	ki.have &= ~(1ull << KINFO_OFF_MAPPING);
	CHECK(mentions(kinfo_check(&ki), "OFFSET(page.mapping)"));
}

TEST_MAIN(debian_6_1_text_reads_every_value, linux_6_12_text_reads_page_types,
	  five_level_text_reads, every_missing_required_key_is_named,
	  malformed_values_are_named, implausible_values_are_named,
	  check_reruns_after_a_change)
