/*
 * After-actions (see after.h).  The final line is printed before the
 * action so that a test reading the serial port always sees how the run
 * ended, even when the action itself then works and the machine is gone.
 *
 * Reset order (docs/efirt.md): EFI ResetSystem(EfiResetCold) first when
 * runtime services are available (the firmware knows its platform's
 * reset, and a capsule-on-disk request is only honoured through a reset
 * the firmware sees coming), then the ACPI FADT reset register, port
 * 0xCF9, the keyboard controller; one line per attempt, each only when
 * the one before did not take.  Power-off tries ACPI S5 first, as it
 * always did, and EFI ResetSystem(EfiResetShutdown) only when S5 fails.
 * If ResetSystem itself faults, the exception report comes back here
 * through after_final() and the hardware paths are still tried.
 */
#include <errno.h>
#include <stdio.h>

#include "drivers/reset.h"
#include "kernel/after.h"
#include "kernel/capsule_stage.h"
#include "kernel/cpu.h"
#include "kernel/efirt.h"
#include "kernel/platform.h"
#include "kernel/smp.h"

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

/* The resets that need no firmware: FADT register, 0xCF9, 8042. */
static void reboot_hardware(void)
{
	printf("after: trying the ACPI FADT reset register\n");
	if (platform_acpi_reset() == -ENOENT)
		printf("after: no usable FADT reset register\n");
	printf("after: trying reset port 0xCF9\n");
	reset_cf9();
	reset_delay_ms(500);
	printf("after: trying the keyboard controller reset\n");
	reset_kbc();
	reset_delay_ms(500);
	printf("after: no reset path worked\n");
}

static void reboot(void)
{
	const char *faulted = efirt_faulted_service();
	int err;

	if (efirt_available()) {
		printf("after: trying EFI ResetSystem(EfiResetCold) (%s mode)\n", efirt_mode_name());
		err = efirt_reset_system(EFIRT_RESET_COLD);
		printf("after: EFI ResetSystem returned (%s, error %d)\n",
		       efirt_status_name(efirt_last_status()), err);
	} else if (faulted != NULL) {
		printf("after: skipping EFI ResetSystem: %s faulted inside the firmware\n", faulted);
	} else {
		printf("after: EFI ResetSystem not available (no runtime services)\n");
	}
	reboot_hardware();
}

static void poweroff(void)
{
	platform_poweroff();
	if (!efirt_available())
		return;
	printf("after: trying EFI ResetSystem(EfiResetShutdown) (%s mode)\n", efirt_mode_name());
	efirt_reset_system(EFIRT_RESET_SHUTDOWN);
	printf("after: EFI ResetSystem(EfiResetShutdown) returned (%s)\n",
	       efirt_status_name(efirt_last_status()));
}

void after_final(const char *summary)
{
	if (finishing++) {
		/* A fault inside the firmware (ResetSystem, or the capsule
		 * request's variable calls): the hardware resets may still work. */
		if (finishing == 2 && (action == AFTER_REBOOT || action == AFTER_CAPSULE) &&
		    efirt_faulted_service() != NULL) {
			printf("after: EFI %s faulted; trying the hardware reset paths\n",
			       efirt_faulted_service());
			reboot_hardware();
		}
		printf("postmortem: after-action failed while running; halting\n");
		cpu_halt_forever();
	}
	printf("postmortem: %s\n", summary);
	smp_stop();		/* the second CPU parked again, not spinning on */
	switch (action) {
	case AFTER_HALT:
		cpu_halt_forever();
	case AFTER_POWEROFF:
		poweroff();
		break;
	case AFTER_REBOOT:
		reboot();
		break;
	case AFTER_CAPSULE:
		/* staged or not (said why), the machine goes back to its firmware */
		capsule_stage_run();
		reboot();
		break;
	}
	printf("after: %s did not happen; halting\n", after_name(action));
	cpu_halt_forever();
	__builtin_unreachable();
}
