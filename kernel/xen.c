/*
 * Crashed under Xen (kernel/xen.h).
 */
#include <stdio.h>
#include <string.h>

#include "formats/elf64.h"
#include "formats/elfcorehdr.h"
#include "formats/klog.h"
#include "formats/xennote.h"
#include "kernel/physread.h"
#include "kernel/xen.h"
#include "payload/handoff.h"

#define PANIC_PREFIX	"Kernel panic - not syncing: "
#define NOTE_MAX	8192u	/* dom0's VMCOREINFO note: a page and headers */

/*
 * dom0's VMCOREINFO text, read from the machine address the handoff block
 * recorded, into buf.  NULL with *why set when it cannot be had.
 */
static const char *dom0_vmcoreinfo(const struct context *ctx, struct physread *rd, uint8_t *buf,
				   size_t *len, uint64_t *addr, const char **why)
{
	struct handoff_record rec;
	struct handoff_vmcoreinfo h;
	struct handoff_bytes text;
	struct elfcorehdr_note nt;
	size_t cursor = 0;

	if (!context_handoff_next(ctx, HANDOFF_TYPE_VMCOREINFO, &cursor, &rec) ||
	    handoff_get_vmcoreinfo(&rec, &h, &text) != 0 || h.note_address == 0) {
		*why = "no VMCOREINFO record in a trusted handoff block";
		return NULL;
	}
	*addr = h.note_address;
	if (h.note_size < 12 || h.note_size > NOTE_MAX) {
		*why = "the handoff's VMCOREINFO size is implausible";
		return NULL;
	}
	if (physread_ranges(rd, h.note_address, buf, (size_t)h.note_size) != 0) {
		*why = "dom0's VMCOREINFO note is not in the dumped memory";
		return NULL;
	}
	cursor = 0;
	if (elfcorehdr_note_next(buf, (size_t)h.note_size, &cursor, &nt) != 0 ||
	    !elfcorehdr_note_is(&nt, ELF64_NOTE_NAME_VMCOREINFO, ELF64_NT_VMCOREINFO) || !nt.desc) {
		*why = "no VMCOREINFO note at that address";
		return NULL;
	}
	const char *t = nt.desc;
	const char *nul = memchr(t, '\0', nt.desc_len);

	*len = nul != NULL ? (size_t)(nul - t) : nt.desc_len;
	return t;
}

/* The last "Kernel panic - not syncing: " line of a log text, or "". */
static void panic_line(const char *log, size_t len, char *out, size_t cap)
{
	size_t pl = sizeof(PANIC_PREFIX) - 1, at = len;

	out[0] = '\0';
	for (size_t i = 0; i + pl <= len; i++)
		if (memcmp(log + i, PANIC_PREFIX, pl) == 0)
			at = i;
	if (at == len)
		return;
	size_t n = 0;

	while (at + n < len && log[at + n] != '\n' && n + 1 < cap)
		n++;
	memcpy(out, log + at, n);
	out[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			out[i] = '?';
}

static void dom0_log(const struct context *ctx, const struct xennote *x)
{
	static uint8_t note[NOTE_MAX];
	static char log[16u << 10];
	struct physread rd = { ctx->dump.ranges, ctx->dump.range_count };
	struct xennote_dom0 d = { x->info.dom0_p2m_root_mfn, 0, ELFCOREHDR_X86_64_PAGE_OFFSET_L4,
				  physread_ranges, &rd };
	struct klog_stats st;
	const char *why = NULL, *vi;
	size_t vlen = 0, loglen = 0;
	uint64_t addr = 0;
	char line[160];

	vi = dom0_vmcoreinfo(ctx, &rd, note, &vlen, &addr, &why);
	if (vi == NULL) {
		printf("xen: dom0's log not read: %s\n", why);
		return;
	}
	if (elfcorehdr_vmcoreinfo_u64(vi, vlen, "NUMBER(phys_base)", &d.phys_base) != 0) {
		printf("xen: dom0's log not read: no NUMBER(phys_base) in its VMCOREINFO\n");
		return;
	}
	(void)elfcorehdr_direct_map_base(vi, vlen, &d.page_offset);
	why = klog_tail(vi, vlen, xennote_dom0_read_virt, &d, log, sizeof(log), &loglen, &st);
	if (why != NULL) {
		printf("xen: dom0's log not read (VMCOREINFO at 0x%llx, P2M root mfn 0x%llx): %s\n",
		       (unsigned long long)addr, (unsigned long long)d.p2m_root_mfn, why);
		return;
	}
	panic_line(log, loglen, line, sizeof(line));
	printf("xen: dom0's log through its VMCOREINFO at 0x%llx and its P2M: %llu records%s; %s%s\n",
	       (unsigned long long)addr, (unsigned long long)st.shown,
	       st.skipped ? " (some could not be read)" : "",
	       line[0] ? "panic: " : "no panic line (Xen itself crashed?)", line);
}

void xen_report(const struct context *ctx)
{
	struct xennote x;

	if (xennote_scan(ctx->dump.notes, ctx->dump.notes_len, &x) != 0)
		return;
	if (x.have_info)
		printf("xen: crashed under Xen %llu.%llu: %zu CPUs' notes (NT_PRSTATUS %zu, CRASH_REGS "
		       "%zu), CRASH_INFO (xen_phys_start 0x%llx, tainted 0x%llx, dom0 P2M root mfn "
		       "0x%llx), VMCOREINFO_XEN %zu bytes\n",
		       (unsigned long long)x.info.major, (unsigned long long)x.info.minor,
		       x.prstatus, x.prstatus, x.crash_regs,
		       (unsigned long long)x.info.xen_phys_start, (unsigned long long)x.info.tainted,
		       (unsigned long long)x.info.dom0_p2m_root_mfn, x.vmcoreinfo_len);
	else
		printf("xen: crashed under Xen (no usable CRASH_INFO note): %zu NT_PRSTATUS, %zu "
		       "CRASH_REGS, VMCOREINFO_XEN %zu bytes\n", x.prstatus, x.crash_regs,
		       x.vmcoreinfo_len);
	printf("xen: dumping the host's machine memory unfiltered (dom0's page structures "
	       "describe its pseudo-physical frames)\n");
	if (x.have_info && x.info.dom0_p2m_root_mfn != 0)
		dom0_log(ctx, &x);
}
