/*
 * After-actions (see after.h).  The final line is printed before the
 * action so that a test reading the serial port always sees how the run
 * ended, even when the action itself then works and the machine is gone.
 */
#include <stdio.h>

#include "drivers/reset.h"
#include "kernel/after.h"
#include "kernel/cpu.h"
#include "kernel/platform.h"

static enum after_action action = AFTER_HALT;
static int finishing;

void after_configure(enum after_action a)
{
	action = a;
}

const char *after_name(enum after_action a)
{
	switch (a) {
	case AFTER_HALT: return "halt";
	case AFTER_POWEROFF: return "poweroff";
	case AFTER_REBOOT: return "reboot";
	case AFTER_CAPSULE: return "capsule";
	}
	return "?";
}

static void reboot(void)
{
	platform_acpi_reset();
	printf("after: trying reset port 0xCF9\n");
	reset_cf9();
	reset_delay_ms(500);
	printf("after: trying the keyboard controller reset\n");
	reset_kbc();
	reset_delay_ms(500);
	printf("after: no reset path worked\n");
}

void after_final(const char *summary)
{
	if (finishing++) {
		printf("postmortem: after-action failed while running; halting\n");
		cpu_halt_forever();
	}
	printf("postmortem: %s\n", summary);
	switch (action) {
	case AFTER_HALT:
		cpu_halt_forever();
	case AFTER_POWEROFF:
		platform_poweroff();
		break;
	case AFTER_REBOOT:
		reboot();
		break;
	case AFTER_CAPSULE:
		printf("after: capsule staging is not part of this build\n");
		break;
	}
	printf("after: %s did not happen; halting\n", after_name(action));
	cpu_halt_forever();
	__builtin_unreachable();
}
