/*
 * Unit tests for formats/xennote.c: Xen's kexec crash notes and dom0's
 * P2M in a host dump.
 *
 * Notes are laid out as Xen's kexec_init_cpu_notes() does (per CPU:
 * "CORE"/NT_PRSTATUS of 336 bytes, "Xen"/CRASH_REGS of 32 bytes; CPU 0
 * also "Xen"/CRASH_INFO of 80 bytes) followed by crash_save_vmcoreinfo()'s
 * "VMCOREINFO_XEN" note padded with zeros, as kexec-tools' elfcorehdr
 * lists them.  The P2M is a three-level table in a small fake machine
 * memory.  Hostile inputs are parsed from exact-size heap copies.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/le.h"
#include "formats/xennote.h"
#include "tests/unit/test.h"

struct nb {
	uint8_t buf[16384];
	size_t len;
};

static void note(struct nb *b, const char *name, uint32_t type, const void *desc, size_t dlen)
{
	size_t nl = strlen(name) + 1;

	le_put32(b->buf + b->len, (uint32_t)nl);
	le_put32(b->buf + b->len + 4, (uint32_t)dlen);
	le_put32(b->buf + b->len + 8, type);
	b->len += 12;
	memcpy(b->buf + b->len, name, nl);
	b->len += (nl + 3) & ~3u;
	if (desc)
		memcpy(b->buf + b->len, desc, dlen);
	b->len += (dlen + 3) & ~3u;
}

static void xen_notes(struct nb *b, int cpus, size_t info_len)
{
	uint8_t prs[336] = { 0 }, regs[32] = { 1 }, info[80] = { 0 }, vmci[4068] = { 0 };
	const char *text = "PAGESIZE=4096\nSYMBOL(domain_list)=ffff82d0405d3b60\n";

	memset(b, 0, sizeof(*b));
	le_put64(info, 4);
	le_put64(info + 8, 17);
	le_put64(info + 56, 0x10);		/* tainted */
	le_put64(info + 64, 0x3f800000);	/* xen_phys_start */
	le_put64(info + 72, 0x2459d);		/* dom0 P2M root */
	memcpy(vmci, text, strlen(text));
	for (int c = 0; c < cpus; c++) {
		note(b, "CORE", 1, prs, sizeof(prs));
		note(b, "Xen", XEN_ELFNOTE_CRASH_REGS, regs, sizeof(regs));
		if (c == 0)
			note(b, "Xen", XEN_ELFNOTE_CRASH_INFO, info, info_len);
	}
	note(b, "VMCOREINFO_XEN", 0, vmci, sizeof(vmci));
}

static int scan_copy(const struct nb *b, size_t len, struct xennote *x)
{
	uint8_t *c = malloc(len ? len : 1);
	int r;

	memcpy(c, b->buf, len);
	r = xennote_scan(c, len, x);
	if (x->vmcoreinfo)	/* must point inside the copy */
		CHECK((const uint8_t *)x->vmcoreinfo >= c &&
		      (const uint8_t *)x->vmcoreinfo + x->vmcoreinfo_len <= c + len);
	free(c);
	return r;
}

TEST(xen_shaped_notes)
{
	static struct nb b;
	struct xennote x;

	xen_notes(&b, 4, 80);
	CHECK_EQ(xennote_scan(b.buf, b.len, &x), 0);
	CHECK_EQ(x.prstatus, 4u);
	CHECK_EQ(x.crash_regs, 4u);
	CHECK_EQ(x.infos, 1u);
	CHECK(x.have_info);
	CHECK_EQ(x.info.major, 4u);
	CHECK_EQ(x.info.minor, 17u);
	CHECK_EQ(x.info.tainted, 0x10u);
	CHECK_EQ(x.info.xen_phys_start, 0x3f800000u);
	CHECK_EQ(x.info.dom0_p2m_root_mfn, 0x2459du);
	CHECK(x.vmcoreinfo != NULL);
	/* the text only, not the zeros after it */
	CHECK_EQ(x.vmcoreinfo_len, strlen("PAGESIZE=4096\nSYMBOL(domain_list)=ffff82d0405d3b60\n"));
	CHECK_EQ(x.walk_error, 0);
}

TEST(linux_notes_are_not_xen)
{
	static struct nb b;
	struct xennote x;
	uint8_t prs[336] = { 0 };
	const char vi[] = "OSRELEASE=6.1.0\n";

	memset(&b, 0, sizeof(b));
	note(&b, "CORE", 1, prs, sizeof(prs));
	note(&b, "VMCOREINFO", 0, vi, sizeof(vi) - 1);
	CHECK_EQ(xennote_scan(b.buf, b.len, &x), -ENOENT);
	CHECK_EQ(x.prstatus, 1u);
	CHECK(x.vmcoreinfo == NULL);
	CHECK_EQ(xennote_scan(NULL, 0, &x), -ENOENT);
	CHECK_EQ(xennote_scan(NULL, 4, &x), -EINVAL);
	CHECK_EQ(xennote_scan(b.buf, b.len, NULL), -EINVAL);
}

TEST(short_info_and_truncation)
{
	static struct nb b;
	struct xennote x;

	xen_notes(&b, 2, 56);		/* a CRASH_INFO too short to decode */
	CHECK_EQ(scan_copy(&b, b.len, &x), 0);
	CHECK_EQ(x.infos, 1u);
	CHECK_EQ(x.info_short, 1u);
	CHECK(!x.have_info);
	xen_notes(&b, 2, 80);
	for (size_t cut = 0; cut < b.len; cut += 7) {	/* every cut: no read past the end */
		int r = scan_copy(&b, cut, &x);

		CHECK(r == 0 || r == -ENOENT);
		CHECK(x.crash_regs <= 2 && x.prstatus <= 2);
	}
	CHECK_EQ(scan_copy(&b, b.len - 4, &x), 0);	/* VMCOREINFO_XEN cut: the walk stops */
	CHECK(x.vmcoreinfo == NULL);
	CHECK_EQ(x.walk_error, -EBADMSG);
}

/* ------------------------------------------------------------ P2M */

#define MEM_PAGES 16
struct mem {
	uint8_t page[MEM_PAGES][4096];
	unsigned reads;
};

static int mem_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct mem *m = ctx;

	m->reads++;
	if (pa >= sizeof(m->page) || len > sizeof(m->page) - pa)
		return -EIO;
	memcpy(buf, (uint8_t *)m->page + pa, len);
	return 0;
}

/* root mfn 1 -> mid mfn 2 -> leaf mfn 3; pfn 0 -> mfn 9, pfn 1 -> mfn 5,
 * pfn 2 invalid (~0), pfn 3 identity (bit 62), pfn 4 past the limit */
static void p2m_setup(struct mem *m, struct xennote_dom0 *d)
{
	memset(m, 0, sizeof(*m));
	le_put64(m->page[1], 2);
	le_put64(m->page[2], 3);
	le_put64(m->page[3] + 0, 9);
	le_put64(m->page[3] + 8, 5);
	le_put64(m->page[3] + 16, ~0ull);
	le_put64(m->page[3] + 24, (1ull << 62) | 3);
	le_put64(m->page[3] + 32, XENNOTE_MFN_LIMIT);
	memcpy(m->page[9] + 4090, "dom0 l", 6);		/* pfn 0 ends, pfn 1 goes on */
	memcpy(m->page[5], "og text", 7);
	*d = (struct xennote_dom0){ 1, 0, 0xffff888000000000ull, mem_read, m };
}

TEST(p2m_translation)
{
	static struct mem m;
	struct xennote_dom0 d;
	uint64_t mfn = 0;
	char buf[16] = { 0 };

	p2m_setup(&m, &d);
	CHECK_EQ(xennote_p2m(&d, 0, &mfn), 0);
	CHECK_EQ(mfn, 9u);
	CHECK_EQ(xennote_p2m(&d, 1, &mfn), 0);
	CHECK_EQ(mfn, 5u);
	CHECK_EQ(xennote_p2m(&d, 2, &mfn), -EFAULT);
	CHECK_EQ(xennote_p2m(&d, 3, &mfn), -EFAULT);
	CHECK_EQ(xennote_p2m(&d, 4, &mfn), -EFAULT);
	CHECK_EQ(xennote_p2m(&d, 512, &mfn), -EFAULT);	/* mid entry 1 is 0 */
	CHECK_EQ(xennote_p2m(&d, 512ull * 512 * 512, &mfn), -ERANGE);
	/* a read across two pfns whose frames are not adjacent, both maps */
	CHECK_EQ(xennote_dom0_read_virt(&d, 0xffff888000000000ull + 4090, buf, 13), 0);
	CHECK_STR(buf, "dom0 log text");
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(xennote_dom0_read_virt(&d, 0xffffffff80000000ull + 4090, buf, 13), 0);
	CHECK_STR(buf, "dom0 log text");
	d.phys_base = 4096;		/* the kernel map shifted one page: pfn 1 then 2 */
	CHECK_EQ(xennote_dom0_read_virt(&d, 0xffffffff80000000ull, buf, 8), 0);
	CHECK_EQ(xennote_dom0_read_virt(&d, 0xffffffff80000000ull + 4095, buf, 2), -EFAULT);
	CHECK_EQ(xennote_dom0_read_virt(&d, 0x1000, buf, 1), -EFAULT);	/* user space */
	CHECK_EQ(xennote_dom0_read_virt(&d, 0xffff888000000000ull + (1ull << 46), buf, 1), -EFAULT);
	d.p2m_root_mfn = 0;
	CHECK_EQ(xennote_p2m(&d, 0, &mfn), -EFAULT);
	d.p2m_root_mfn = XENNOTE_MFN_LIMIT;
	CHECK_EQ(xennote_p2m(&d, 0, &mfn), -EFAULT);
	d.p2m_root_mfn = 100;		/* outside memory: the reader says no */
	CHECK_EQ(xennote_p2m(&d, 0, &mfn), -EFAULT);
	d.read_phys = NULL;
	CHECK_EQ(xennote_p2m(&d, 0, &mfn), -EINVAL);
	CHECK_EQ(xennote_dom0_read_virt(&d, 0, buf, 1), -EINVAL);
	CHECK_EQ(xennote_p2m(NULL, 0, &mfn), -EINVAL);
}

TEST_MAIN(xen_shaped_notes, linux_notes_are_not_xen, short_info_and_truncation, p2m_translation)
