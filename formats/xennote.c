/*
 * xennote: Xen's kexec crash notes (see xennote.h).
 */
#include <errno.h>
#include <string.h>

#include "formats/elf64.h"
#include "formats/le.h"
#include "formats/xennote.h"

static void decode_info(const uint8_t *d, struct xennote_info *i)
{
	uint64_t *f[] = { &i->major, &i->minor, &i->extra_version, &i->changeset, &i->compiler,
			  &i->compile_date, &i->compile_time, &i->tainted, &i->xen_phys_start,
			  &i->dom0_p2m_root_mfn };

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		*f[k] = le_get64(d + 8 * k);
}

int xennote_scan(const void *notes, size_t len, struct xennote *out)
{
	struct elfcorehdr_note nt;
	size_t cursor = 0;
	int r;

	if (out == NULL || (notes == NULL && len != 0))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (notes == NULL)
		return -ENOENT;
	while ((r = elfcorehdr_note_next(notes, len, &cursor, &nt)) == 0) {
		if (elfcorehdr_note_is(&nt, ELF64_NOTE_NAME_CORE, ELF64_NT_PRSTATUS)) {
			out->prstatus++;
		} else if (elfcorehdr_note_is(&nt, XENNOTE_NAME, XEN_ELFNOTE_CRASH_REGS)) {
			out->crash_regs++;
		} else if (elfcorehdr_note_is(&nt, XENNOTE_NAME, XEN_ELFNOTE_CRASH_INFO)) {
			out->infos++;
			if (nt.desc_len < XENNOTE_INFO_SIZE)
				out->info_short++;
			else if (!out->have_info) {
				decode_info(nt.desc, &out->info);
				out->have_info = true;
			}
		} else if (elfcorehdr_note_is(&nt, XENNOTE_NAME_VMCOREINFO, 0) &&
			   out->vmcoreinfo == NULL && nt.desc != NULL) {
			const char *t = nt.desc;
			const char *nul = memchr(t, '\0', nt.desc_len);

			out->vmcoreinfo = t;
			out->vmcoreinfo_len = nul != NULL ? (size_t)(nul - t) : nt.desc_len;
		}
	}
	if (r != -ENOENT)
		out->walk_error = r;
	return out->crash_regs || out->infos || out->vmcoreinfo != NULL ? 0 : -ENOENT;
}

#define P2M_PER_PAGE	512u
#define KERNEL_MAP	0xffffffff80000000ull
#define PSEUDO_LIMIT	(1ull << 46)

/* Entry idx of the table page at machine frame mfn, checked as an mfn. */
static int p2m_entry(const struct xennote_dom0 *d, uint64_t mfn, uint64_t idx, uint64_t *out)
{
	uint8_t b[8];
	uint64_t v;

	if (mfn == 0 || mfn >= XENNOTE_MFN_LIMIT ||
	    d->read_phys(d->ctx, mfn * 4096 + idx * 8, b, sizeof(b)) != 0)
		return -EFAULT;
	v = le_get64(b);
	if (v == 0 || v >= XENNOTE_MFN_LIMIT)	/* ~0, identity/foreign bits, past the limit */
		return -EFAULT;
	*out = v;
	return 0;
}

int xennote_p2m(const struct xennote_dom0 *d, uint64_t pfn, uint64_t *mfn)
{
	uint64_t mid, leaf;

	if (d == NULL || mfn == NULL || d->read_phys == NULL)
		return -EINVAL;
	if (pfn >= (uint64_t)P2M_PER_PAGE * P2M_PER_PAGE * P2M_PER_PAGE)
		return -ERANGE;
	if (p2m_entry(d, d->p2m_root_mfn, pfn / (P2M_PER_PAGE * P2M_PER_PAGE), &mid) != 0 ||
	    p2m_entry(d, mid, (pfn / P2M_PER_PAGE) % P2M_PER_PAGE, &leaf) != 0 ||
	    p2m_entry(d, leaf, pfn % P2M_PER_PAGE, mfn) != 0)
		return -EFAULT;
	return 0;
}

int xennote_dom0_read_virt(void *dom0, uint64_t vaddr, void *buf, size_t len)
{
	const struct xennote_dom0 *d = dom0;
	uint8_t *out = buf;

	if (d == NULL || (buf == NULL && len != 0) || d->read_phys == NULL)
		return -EINVAL;
	while (len > 0) {
		uint64_t pa, mfn;
		size_t n;

		if (vaddr >= KERNEL_MAP)
			pa = vaddr - KERNEL_MAP + d->phys_base;
		else if (vaddr >= d->page_offset && vaddr - d->page_offset < PSEUDO_LIMIT)
			pa = vaddr - d->page_offset;
		else
			return -EFAULT;
		if (pa >= PSEUDO_LIMIT || xennote_p2m(d, pa / 4096, &mfn) != 0)
			return -EFAULT;
		n = 4096 - (size_t)(pa % 4096);
		if (n > len)
			n = len;
		if (d->read_phys(d->ctx, mfn * 4096 + pa % 4096, out, n) != 0)
			return -EFAULT;
		out += n;
		vaddr += n;
		len -= n;
	}
	return 0;
}
