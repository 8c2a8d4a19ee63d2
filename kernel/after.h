/*
 * The after-action: what postmortem does once a run has ended.
 *
 * Interface: after_configure() once the command line is known (default
 * halt).  after_final(summary) prints the run's last line,
 * "postmortem: <summary>", then carries out the action: halt; poweroff
 * (ACPI S5); reboot (FADT reset register, then port 0xCF9, then the
 * keyboard controller, each only if the previous did not take); capsule
 * (not built yet: said so, then halt).  It never returns; if the action
 * fails it says so in one line and halts.
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
