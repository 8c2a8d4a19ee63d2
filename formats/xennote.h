/*
 * xennote: the ELF notes Xen's kexec leaves for a crash kernel (Xen
 * common/kexec.c, docs/xen.md), found among the notes of an elfcorehdr.
 *
 * Per physical CPU Xen keeps one buffer: "CORE"/NT_PRSTATUS (the CPU's
 * registers in Xen), then "Xen"/XEN_ELFNOTE_CRASH_REGS (cr0, cr2, cr3,
 * cr4); CPU 0's buffer also holds the one "Xen"/XEN_ELFNOTE_CRASH_INFO
 * (crash_xen_info_t, 64-bit: ten unsigned longs).  Xen's VMCOREINFO is a
 * separate note named "VMCOREINFO_XEN", type 0, whose desc is the whole
 * buffer: the text, then zeros.
 *
 * Interface.  xennote_scan() walks a notes buffer (formats/elf64.h
 * elfcorehdr_note_next()) and fills a struct xennote: counts, the
 * CRASH_INFO fields, the VMCOREINFO_XEN text (its bytes before the first
 * NUL, pointing into the caller's buffer).  Returns 0 when any Xen note
 * is there, -ENOENT when none is, -EINVAL for NULL arguments.  A
 * CRASH_INFO shorter than its ten fields is counted in info_short and
 * not decoded; a malformed note ends the walk (walk_error = its error).
 *
 * Pure: no globals, no I/O, no allocation.
 */
#ifndef FORMATS_XENNOTE_H
#define FORMATS_XENNOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/kpgtable.h"

#define XENNOTE_NAME		"Xen"
#define XENNOTE_NAME_VMCOREINFO	"VMCOREINFO_XEN"
#define XEN_ELFNOTE_CRASH_INFO	0x1000001u	/* Xen public/elfnote.h */
#define XEN_ELFNOTE_CRASH_REGS	0x1000002u
#define XENNOTE_INFO_SIZE	80u		/* crash_xen_info_t, x86_64 */

/* crash_xen_info_t (xen/include/xen/elfcore.h + x86's two fields) */
struct xennote_info {
	uint64_t major, minor;
	uint64_t extra_version, changeset, compiler, compile_date, compile_time; /* machine addresses */
	uint64_t tainted;
	uint64_t xen_phys_start;
	uint64_t dom0_p2m_root_mfn;	/* dom0's pfn_to_mfn_frame_list_list */
};

struct xennote {
	size_t prstatus;		/* "CORE"/NT_PRSTATUS notes (all of them) */
	size_t crash_regs;		/* "Xen"/XEN_ELFNOTE_CRASH_REGS */
	size_t infos;			/* "Xen"/XEN_ELFNOTE_CRASH_INFO */
	size_t info_short;		/* of which too short to decode */
	bool have_info;			/* info: the first decodable one */
	struct xennote_info info;
	const char *vmcoreinfo;		/* VMCOREINFO_XEN text, NULL if none */
	size_t vmcoreinfo_len;
	int walk_error;			/* 0, or elfcorehdr_note_next()'s error */
};

int xennote_scan(const void *notes, size_t len, struct xennote *out);

/*
 * dom0's memory in a host dump.  A PV dom0 lives in pseudo-physical
 * frames (pfns); its P2M table maps them to machine frames (mfns), and
 * CRASH_INFO gives the table's root: dom0's pfn_to_mfn_frame_list_list,
 * a page of 512 mfns of "mid" pages, each 512 mfns of leaf pages, each
 * 512 mfns (Linux arch/x86/xen/p2m.c, p2m_top_mfn).  dom0's kernel
 * virtual addresses become pfns by its VMCOREINFO's NUMBER(phys_base)
 * (the 0xffffffff80000000 kernel map) and its direct-map base.
 *
 * xennote_p2m(): 0 and *mfn, or -EFAULT when a table page cannot be read
 * (read_phys fails) or an entry is not a machine frame: Linux's invalid
 * entry (~0), identity or foreign frames (bits 62, 63), or an mfn at or
 * past XENNOTE_MFN_LIMIT; -ERANGE for a pfn past the table (512^3).
 * xennote_dom0_read_virt() is a klog_read_fn (formats/klog.h) over it,
 * page by page: -EFAULT for an address in neither map or an unreadable
 * page.  Nothing read is trusted: every entry is checked before use.
 */
#define XENNOTE_MFN_LIMIT	(1ull << 40)	/* 52-bit machine addresses */

struct xennote_dom0 {
	uint64_t p2m_root_mfn;
	uint64_t phys_base;		/* dom0's NUMBER(phys_base) */
	uint64_t page_offset;		/* dom0's direct-map base */
	kpgtable_read_fn read_phys;	/* machine memory */
	void *ctx;
};

int xennote_p2m(const struct xennote_dom0 *d, uint64_t pfn, uint64_t *mfn);
int xennote_dom0_read_virt(void *dom0, uint64_t vaddr, void *buf, size_t len);

#endif
