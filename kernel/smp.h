/*
 * A second CPU: one application processor (AP) started with INIT-SIPI-SIPI
 * and kept spinning for work (docs/smp.md).
 *
 * Interface: smp_start() once, after the crash context is gathered and
 * ACPI is up (it needs the MADT and whether Xen crashed; ctx, bi and opts
 * must stay valid for good); it prints one "smp:" line saying which CPU
 * runs or why none does.  Under smp=auto (the default) it only says so,
 * and the dump calls smp_want() when it has work for a second CPU (the
 * kdump-compressed file's pages to compress and hash, kernel/kdump.c): the start is
 * tried then, once, before the dump reads a page, with the same line;
 * smp_want() returns whether a second CPU runs.  Then:
 *   smp_post(fn, arg, &ticket)
 *                     queues fn(arg) for the AP, which runs its jobs in
 *                     the order posted (up to 4 waiting); -ENODEV when no
 *                     AP is up, -EBUSY when the queue is full, -EFAULT
 *                     when the AP took a CPU exception.  Stores made before
 *                     smp_post are visible to fn (release/acquire).
 *   smp_cancel(ticket)
 *                     takes a job back that the AP has not started (also
 *                     once the AP was given up on): true, and the AP never
 *                     runs it (the caller does the work); false when it
 *                     started or ended (then wait for it).
 *   smp_wait_for(ticket)
 *                     waits for that job (and so for every earlier one);
 *                     its stores are visible after.  Returns 0 (also for a
 *                     job that ended before the AP was given up on);
 *                     -ENODEV (no AP, or it was given up on earlier: the
 *                     memory is the boot CPU's again); -EFAULT when the AP took a
 *                     CPU exception (it is then halted); -ETIMEDOUT when
 *                     the job did not end within SMP_WORK_US, 5 s (the AP
 *                     is then sent INIT, back to wait-for-SIPI); -EBUSY
 *                     when, on that timeout, even the INIT was not
 *                     delivered: the AP may still run the job, so its
 *                     memory must never be used again.  Any error but
 *                     -ENODEV prints one line, and the AP is never used
 *                     again.
 *   smp_queued()      jobs posted and not run yet (0 without an AP).
 *   smp_run(fn, arg)  smp_post() when no job is waiting (-EBUSY else);
 *   smp_wait()        smp_wait_for() the last job posted.
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
int smp_post(void (*fn)(void *), void *arg, uint32_t *ticket);
int smp_wait_for(uint32_t ticket);
bool smp_cancel(uint32_t ticket);
unsigned smp_queued(void);
int smp_run(void (*fn)(void *), void *arg);
int smp_wait(void);
void smp_self_test(void);

bool smp_on_ap(void);
__attribute__((noreturn)) void smp_ap_fault(uint64_t vector, uint64_t rip);

#endif
