/*
 * Crashed under Xen: what Xen's kexec handed over, said once after the
 * inventory, and dom0's log found through dom0's VMCOREINFO (the handoff
 * block's VMCOREINFO record: a machine address in a PV dom0) and dom0's
 * P2M (its root from Xen's CRASH_INFO note).  formats/xennote.h reads
 * both; docs/xen.md.  Silent when the notes are not Xen's.
 */
#ifndef KERNEL_XEN_H
#define KERNEL_XEN_H

#include "kernel/context.h"

void xen_report(const struct context *ctx);

#endif
