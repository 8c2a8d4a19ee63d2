/*
 * EFI runtime services, callable whichever way postmortem was entered:
 * physical mode (GRUB: boot services exited, SetVirtualAddressMap never
 * called) or virtual mode (kexec from a Linux that called it, so the
 * firmware must be called at that Linux's virtual addresses).
 * docs/efirt.md explains the modes, how one is chosen, the calling
 * convention, the stack and the page tables.
 *
 * Interface: efirt_init() once, after context_gather() (it needs the EFI
 * system table and the runtime memory map the context found) and before
 * anything that calls the firmware; it only reads tables and maps memory,
 * never calls the firmware, and prints a line saying which mode and why,
 * then "efirt: runtime services vX.YY (physical mode)" or why they are
 * not available.  Every other call checks efirt_available() itself and
 * returns -ENODEV when it is false.  SetVirtualAddressMap is never called.
 *
 * Results are 0 or a negative errno (efirt_status_errno() in
 * efirt_map.h maps each EFI_STATUS); the EFI_STATUS itself is kept in
 * efirt_last_status() for messages (efirt_status_name()).  The wrappers
 * print nothing; efirt_request_capsule_on_disk() and efirt_selftest()
 * print what they did.
 *
 * A CPU exception inside the firmware goes to the usual exception report
 * (kernel/trap.c), which names the service; from then on
 * efirt_available() is false and efirt_faulted_service() names it, so
 * the after-action does not call the firmware again.
 *
 * Environment: kernel only; one CPU, interrupts off.
 */
#ifndef KERNEL_EFIRT_H
#define KERNEL_EFIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/guid.h"
#include "formats/efirt_map.h"
#include "kernel/bootinfo.h"
#include "kernel/context.h"

/* Find, check and map the runtime services; 0 or -ENODEV (not available). */
int efirt_init(const struct context *ctx, const struct bootinfo *bi);

/* True when efirt_init succeeded and no firmware call has faulted. */
bool efirt_available(void);

/* "physical", "virtual" or "none". */
const char *efirt_mode_name(void);

/* The service a CPU exception interrupted (it never returned), or NULL. */
const char *efirt_faulted_service(void);

/* The EFI_STATUS of the last firmware call (EFIRT_SUCCESS before any). */
uint64_t efirt_last_status(void);

/*
 * GetVariable(ascii_name as UTF-16, guid).  *size: buffer bytes in, data
 * bytes out (also on -ENOSPC, EFI_BUFFER_TOO_SMALL: the size needed).
 * *attr (may be NULL) gets the attributes on success.  Returns 0,
 * -ENODEV, -EINVAL (bad name or arguments), or the status's errno
 * (-ENOENT for EFI_NOT_FOUND ...).
 */
int efirt_get_variable(const char *ascii_name, const struct efi_guid *guid, uint32_t *attr,
		       void *buf, size_t *size);

/* SetVariable; size 0 deletes.  Returns 0, -ENODEV, -EINVAL or the status's errno. */
int efirt_set_variable(const char *ascii_name, const struct efi_guid *guid, uint32_t attr,
		       const void *buf, size_t size);

/*
 * ResetSystem(type, EFI_SUCCESS, 0, NULL) with EFIRT_RESET_COLD, _WARM or
 * _SHUTDOWN.  Does not return when it works; returns -ENODEV, -EINVAL
 * (unknown type) or the errno of what the firmware returned (-EIO if that
 * was a success or a warning, as returning at all is a failure).
 */
int efirt_reset_system(uint32_t type);

/*
 * The capsule-on-disk request (UEFI 2.10 §8.5.5, docs/interfaces.md): read
 * OsIndicationsSupported and say whether it advertises
 * EFI_OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED (0x4) (the request
 * is made either way), read OsIndications (absent = 0), set bit 0x4
 * keeping the others, write it NV|BS|RT, read it back and check.  Prints
 * one line per step.  Returns 0 or a negative errno.
 */
int efirt_request_capsule_on_disk(void);

/*
 * pm.test=efirt: print OsIndicationsSupported and OsIndications, write,
 * read back and delete the variable "PostmortemTest" (NV|BS|RT, 8 bytes)
 * under EFIRT_POSTMORTEM_VENDOR_GUID, make the capsule-on-disk request,
 * check cpu_map_virt() by reading every runtime region through an
 * upper-half alias, and (physical mode) call GetVariable once more at its
 * alias, as virtual mode would.  Prints "efirt: test passed" or what
 * failed; returns 0 or a negative errno.
 */
int efirt_selftest(void);

/*
 * pm.test=efirt's page-table check: map every RAM-backed runtime region
 * again at an upper-half alias with cpu_map_virt() and compare the bytes
 * with the identity view; in physical mode also call GetVariable
 * (OsIndicationsSupported) at its alias and expect `supported` again.
 * Prints one line per check; returns 0 or a negative errno.
 */
int efirt_alias_check(uint64_t supported);

/*
 * pm.test=efirt-fault: call GetVariable with its name pointer at 1 TiB,
 * which nothing maps, so the firmware itself takes the page fault and the
 * exception report (which must name the service) ends the run.  Returns
 * -ENODEV when there is no firmware to call, -EIO if it did not fault.
 */
int efirt_provoke_fault(void);

#endif
