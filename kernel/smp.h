/*
 * A second CPU: one application processor (AP) started with INIT-SIPI-SIPI
 * and kept spinning for work (docs/smp.md).
 *
 * Interface: smp_start() once, after the crash context is gathered and
 * ACPI is up (it needs the MADT and whether Xen crashed; ctx, bi and opts
 * must stay valid for good); it prints one "smp:" line saying which CPU
 * runs or why none does.  Under smp=auto (the default) it only says so,
 * and the dump calls smp_want() when it has work for a second CPU (the
 * kdump-compressed file's pages to hash, kernel/kdump.c): the start is
 * tried then, once, before the dump reads a page, with the same line;
 * smp_want() returns whether a second CPU runs.  Then:
 *   smp_run(fn, arg)  hands fn(arg) to the AP; -ENODEV when no AP is up,
 *                     -EBUSY while earlier work is unfinished.  Stores made
 *                     before smp_run are visible to fn (release/acquire).
 *   smp_wait()        waits for that work; its stores are visible after.
 *                     Returns 0, -EFAULT when the AP took a CPU exception
 *                     (it is then halted), or -ETIMEDOUT when the work took
 *                     longer than SMP_WORK_US, 5 s (the AP is then sent
 *                     INIT, back to wait-for-SIPI); either way one line
 *                     says so and the AP is never used again.
 *   smp_busy()        work handed over and not finished yet.
 *   smp_stop()        the AP back to wait-for-SIPI (INIT), as the crashed
 *                     kernel left it, before the run ends (kernel/after.c):
 *                     it never spins on after the dump.
 * fn runs with interrupts off on the AP's own 64 KiB stack; it must not
 * print (the consoles are the boot CPU's) or call into the device drivers.
 * smp_self_test() (smp=test) runs a SHA-256 on both CPUs and prints one
 * line.  smp_on_ap() and smp_ap_fault() are for kernel/trap.c.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/bootinfo.h"
#include "kernel/context.h"
#include "payload/cmdline.h"

void smp_start(const struct context *ctx, const struct bootinfo *bi, const struct cmdline *opts);
bool smp_want(void);
bool smp_available(void);
bool smp_busy(void);
void smp_stop(void);
int smp_run(void (*fn)(void *), void *arg);
int smp_wait(void);
void smp_self_test(void);

bool smp_on_ap(void);
__attribute__((noreturn)) void smp_ap_fault(uint64_t vector, uint64_t rip);

#endif
