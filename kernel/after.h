/*
 * The after-action: what postmortem does once a run has ended.
 *
 * Interface: after_configure() once the command line is known (default
 * halt).  after_final(summary) prints the run's last line,
 * "postmortem: <summary>", then carries out the action: halt; poweroff
 * (ACPI S5, then EFI ResetSystem(EfiResetShutdown) when runtime services
 * are available); reboot (EFI ResetSystem(EfiResetCold) when runtime
 * services are available, then the FADT reset register, port 0xCF9 and
 * the keyboard controller, each only if the previous did not take, one
 * line per attempt); capsule (kernel/capsule_stage.c stages the capsule
 * and asks for capsule-on-disk, then the reboot chain).  It never returns; if the action fails it says so in one line and halts.
 */
#ifndef KERNEL_AFTER_H
#define KERNEL_AFTER_H

enum after_action {
	AFTER_HALT,
	AFTER_POWEROFF,
	AFTER_REBOOT,
	AFTER_CAPSULE,
};

void after_configure(enum after_action action);
const char *after_name(enum after_action action);
void after_final(const char *summary) __attribute__((noreturn));

#endif
