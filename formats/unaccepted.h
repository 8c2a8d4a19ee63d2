/*
 * unaccepted: Linux's EFI unaccepted-memory table (configuration table
 * GUID d5d1de3c-105c-44f9-9ea9-bcef98120031, EFI_LINUX_UNACCEPTED_MEM_GUID),
 * as include/linux/efi.h lays it out (struct efi_unaccepted_memory):
 *
 *   +0  u32 version       1 (the only one known)
 *   +4  u32 unit_size     bytes one bit stands for (Linux: 2 MiB)
 *   +8  u64 phys_base     physical address of unit 0
 *   +16 u64 size          bytes of bitmap that follow
 *   +24 u8  bitmap[size]  bit i (byte i / 8, bit i % 8: a little-endian
 *                         Linux bitmap) set = unit i not yet accepted
 *
 * Unit i covers [phys_base + i * unit_size, + unit_size).  On a TDX or
 * SEV-SNP guest the firmware leaves memory unaccepted, Linux accepts it
 * lazily and clears the bits as it goes; the e820 map calls all of it RAM.
 * Touching a unit whose bit is still set kills such a guest, so the dump
 * must leave those units out (docs/unaccepted.md).
 *
 * Interface: unaccepted_header() checks the 24-byte header alone and says
 * how many bytes the whole table has (unaccepted_table_bytes()), so a
 * caller maps the header first and then exactly the table;
 * unaccepted_parse() checks the header and that the bitmap is all there.
 * Both return 0 or an UNACCEPTED_E* code (unaccepted_strerror() names it).
 * A table is refused unless: version 1; unit_size a power of two from
 * 4 KiB to 1 GiB; phys_base 4 KiB aligned; size at most
 * UNACCEPTED_BITMAP_MAX; everything it covers, phys_base +
 * 8 * size * unit_size, below UNACCEPTED_PHYS_LIMIT (2^52, x86-64's
 * widest physical address), computed without overflow.
 *
 * unaccepted_next() answers "which parts of [a, b) are unaccepted", one run
 * of set units at a time, clipped to [a, b).  unaccepted_carve() copies a
 * finished dump plan leaving out every unaccepted byte, both of the
 * addresses a range describes and of the addresses it is read from (kexec's
 * backup region reads low memory from elsewhere).  unaccepted_keep_in()
 * copies a finished plan keeping only what lies inside another finished
 * plan (the refused-table path: memory the firmware's memory map shows as
 * accepted).  Both stop adding when the output is full and count what they
 * had to drop: memory left out, never memory read.
 *
 * Pure: no globals, no printing, no allocation.
 */
#ifndef FORMATS_UNACCEPTED_H
#define FORMATS_UNACCEPTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/dumpplan.h"

#define UNACCEPTED_HEADER_SIZE	24u
#define UNACCEPTED_VERSION	1u
#define UNACCEPTED_UNIT_MIN	4096u
#define UNACCEPTED_UNIT_MAX	(1u << 30)
#define UNACCEPTED_BITMAP_MAX	(64ull << 20)	/* 2^29 units: 1 PiB at 2 MiB */
#define UNACCEPTED_PHYS_LIMIT	(1ull << 52)

enum unaccepted_error {
	UNACCEPTED_OK,
	UNACCEPTED_ESHORT,	/* fewer bytes than the header */
	UNACCEPTED_EVERSION,	/* version other than 1 */
	UNACCEPTED_EUNIT,	/* unit_size not a power of two in 4 KiB..1 GiB */
	UNACCEPTED_EBASE,	/* phys_base not 4 KiB aligned */
	UNACCEPTED_ESIZE,	/* bitmap larger than UNACCEPTED_BITMAP_MAX */
	UNACCEPTED_ERANGE,	/* covered memory reaches UNACCEPTED_PHYS_LIMIT */
	UNACCEPTED_ETRUNC,	/* the bitmap is not all in the buffer */
};

struct unaccepted_table {
	uint32_t version;
	uint32_t unit_size;
	uint64_t phys_base;
	uint64_t size;			/* bitmap bytes */
	uint64_t end;			/* phys_base + 8 * size * unit_size */
	const uint8_t *bitmap;		/* NULL after unaccepted_header() */
};

/* The fields are filled from whatever header bytes there are, even when
 * the table is refused (for the message); end only when valid. */
int unaccepted_header(const void *buf, size_t len, struct unaccepted_table *t);
int unaccepted_parse(const void *buf, size_t len, struct unaccepted_table *t);
const char *unaccepted_strerror(int err);

/* Header plus bitmap, for a table unaccepted_header() accepted. */
uint64_t unaccepted_table_bytes(const struct unaccepted_table *t);

/* The units whose bit is set, in total (a parsed table). */
uint64_t unaccepted_count(const struct unaccepted_table *t);

/*
 * The first unaccepted run inside [a, b) (a parsed table): true with
 * [*s, *e) set, a <= *s < *e <= b, the run clipped to [a, b); false when
 * none.  To walk them all, call again with a = *e.
 */
bool unaccepted_next(const struct unaccepted_table *t, uint64_t a, uint64_t b, uint64_t *s,
		     uint64_t *e);

struct unaccepted_carve_stats {
	uint64_t units;			/* distinct set units the plan touched */
	uint64_t bytes;			/* planned bytes left out as unaccepted */
	uint64_t dropped;		/* accepted bytes left out: out was full */
};

/*
 * out = in minus every unaccepted byte (in finished: sorted, disjoint;
 * out may not be in).  out is finished on return.  0, or -ENOSPC when
 * out filled up (what did not fit is counted in st->dropped, never kept).
 */
int unaccepted_carve(const struct unaccepted_table *t, const struct dumpplan *in,
		     struct dumpplan *out, struct unaccepted_carve_stats *st);

/*
 * out = the parts of in (finished) that lie inside allowed (finished),
 * read_from and vaddr shifted with them; *left_out = in's bytes not kept.
 * 0, or -ENOSPC as above.
 */
int unaccepted_keep_in(const struct dumpplan *in, const struct dumpplan *allowed,
		       struct dumpplan *out, uint64_t *left_out);

#endif
