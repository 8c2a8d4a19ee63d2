/*
 * The platform as ACPI describes it: where the RSDP, FADT and DSDT are,
 * and what power-off and reset need from them.
 *
 * Interface: platform_acpi_init() once, after the consoles are up (it
 * prints one "acpi:" line and a warning per table it could not use).  Then
 * platform_poweroff() / platform_acpi_reset() try their one path and
 * return (with a negative errno and a printed reason) when the machine is
 * still running afterwards.
 *
 * platform_acpi_table(sig, index, &len) is the index-th table whose
 * signature is the 4 characters sig among those the RSDT/XSDT lists,
 * mapped and checksum-checked (tables over 4 MiB are refused), with its
 * length in *len; NULL when there is none (or no RSDP was found).
 */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

int platform_acpi_init(uint64_t rsdp_hint, const void *rsdp_copy, size_t copy_len);
int platform_poweroff(void);
int platform_acpi_reset(void);
const void *platform_acpi_table(const char *sig, size_t index, size_t *len);

#endif
