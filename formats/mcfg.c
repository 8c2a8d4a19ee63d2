/*
 * ACPI MCFG reader (see mcfg.h).  The table comes from firmware memory a
 * crashed system may have overwritten, so its length is checked against
 * what the caller mapped before any entry is read, and every entry is
 * copied out before its fields are used.
 *
 * Pure code: kernel, host tool and tests; freestanding headers only.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/acpi.h"
#include "formats/mcfg.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "ACPI tables are little-endian and read in place");


/* Check signature and declared length; store the entry count in *n. */
static int mcfg_table(const void *buf, size_t len, size_t *n)
{
	uint32_t length;
	int err = acpi_table_check(buf, len, "MCFG", MCFG_HEADER_LEN, &length);

	if (err == 0)
		*n = (length - MCFG_HEADER_LEN) / MCFG_ALLOC_LEN;
	return err;
}

int mcfg_entry(const void *buf, size_t len, size_t index, struct mcfg_ecam *out)
{
	struct mcfg_table_alloc a;
	size_t n;
	int err;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = mcfg_table(buf, len, &n);
	if (err)
		return err;
	if (index >= n)
		return -ENOENT;
	memcpy(&a, (const uint8_t *)buf + MCFG_HEADER_LEN + index * MCFG_ALLOC_LEN, sizeof(a));
	out->base = a.base_address;
	out->segment = a.pci_segment;
	out->bus_start = a.start_bus;
	out->bus_end = a.end_bus;
	return 0;
}

/* Usable: a real, aligned window whose last bus ends below 2^64. */
static int mcfg_usable(const struct mcfg_ecam *e)
{
	uint64_t end_off = ((uint64_t)e->bus_end + 1) << MCFG_BUS_SHIFT;

	return e->bus_start <= e->bus_end && e->base != 0 &&
	       (e->base & ((1ull << MCFG_BUS_SHIFT) - 1)) == 0 &&
	       e->base + end_off > e->base;
}

int mcfg_find(const void *buf, size_t len, uint16_t segment, struct mcfg_ecam *out)
{
	struct mcfg_ecam e;
	size_t n;
	int err, found = 0;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = mcfg_table(buf, len, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (mcfg_entry(buf, len, i, &e) != 0 || e.segment != segment || !mcfg_usable(&e))
			continue;
		if (!found || e.bus_start < out->bus_start)
			*out = e;
		found = 1;
	}
	return found ? 0 : -ENOENT;
}
