/*
 * after=capsule: stage a UEFI capsule for capsule-on-disk (UEFI 2.10
 * §8.5.5) and ask the firmware to process it at the next boot.
 *
 * Interface: capsule_stage_prepare(ctx, bi) early in the run finds the
 * capsule (the trusted handoff block's CAPSULE record, else a multiboot2
 * module named "capsule"), checks its EFI_CAPSULE_HEADER (formats/capsule.c)
 * and prints one line either way, so a bad capsule is known before the
 * dump starts.  capsule_stage_run() at the end (from after_final) writes it
 * as \EFI\UpdateCapsule\postmortem-<guid>.cap on the ESP (kernel/esp.c)
 * and sets bit 0x4 in OsIndications through the runtime services
 * (kernel/efirt.c).  It returns 0 when the file is staged (the request may
 * still have failed: said so), or a negative errno after one clear line;
 * the caller resets either way (docs/capsule.md).
 */
#ifndef KERNEL_CAPSULE_STAGE_H
#define KERNEL_CAPSULE_STAGE_H

#include "kernel/bootinfo.h"
#include "kernel/context.h"

void capsule_stage_prepare(const struct context *ctx, const struct bootinfo *bi);
int capsule_stage_run(void);

#endif
