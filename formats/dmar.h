/*
 * ACPI DMAR reader: where Intel VT-d remapping units (DRHDs) live and
 * which devices each one covers, plus the register facts needed to turn a
 * unit's translation off.
 *
 * Interface: pure.  The caller maps the table (kernel/iommu.c finds it
 * through the RSDT/XSDT and checks its checksum with acpi_sdt_check) and
 * passes its bytes as (buf, len); a table whose declared length exceeds
 * len is refused, never read past.  dmar_parse() reads the fixed part;
 * dmar_drhd() returns the index-th DRHD structure as it stands (unjudged:
 * the caller checks the register base); dmar_scope() the scope-th device
 * scope entry of that DRHD.  Results go to caller-owned structs, cleared
 * first.  Errors: -EINVAL (NULL, or a buffer too short for the header or
 * the declared length), -EBADMSG (not "DMAR", a length below the 48-byte
 * fixed part, or a malformed structure before the one asked for: a
 * remapping structure shorter than its 4-byte header or running past the
 * table, a DRHD shorter than 16 bytes, a device scope entry shorter than
 * 6 bytes, of odd path length, or running past its DRHD), -ENOENT (index
 * past the last one).  The walk cannot skip a malformed structure (its
 * length is what finds the next one), so everything after it is lost.
 *
 * Layout (Intel VT-d specification, rev. 4.1, §8.1-§8.3):
 *
 *    0  ACPI table header (36 bytes, signature "DMAR")
 *   36  u8 host address width - 1, u8 flags, 10 reserved bytes
 *   48  remapping structures { u16 type, u16 length, ... } to the end
 *
 *   DRHD (type 0): 4 u8 flags (bit 0 INCLUDE_PCI_ALL), 5 u8 size (bits
 *   3:0: the register set is 2^size 4 KiB pages; 0 in older tables),
 *   6 u16 segment, 8 u64 register base address, 16 device scope entries
 *   { u8 type, u8 length, u8 flags, u8 reserved, u8 enumeration id,
 *   u8 start bus, (u8 device, u8 function) path... }.
 *
 * Environment: kernel, host tool and tests alike; freestanding headers.
 */
#ifndef FORMATS_DMAR_H
#define FORMATS_DMAR_H

#include <stddef.h>
#include <stdint.h>

#define DMAR_HEADER_LEN		48u	/* ACPI header + width, flags, reserved */
#define DMAR_STRUCT_HDR_LEN	4u	/* u16 type, u16 length */
#define DMAR_DRHD_LEN		16u	/* DRHD before its device scopes */
#define DMAR_SCOPE_HDR_LEN	6u	/* a device scope before its path */

/* DMAR flags (byte 37). */
#define DMAR_FLAG_INTR_REMAP		(1u << 0)
#define DMAR_FLAG_X2APIC_OPT_OUT	(1u << 1)
#define DMAR_FLAG_DMA_CTRL_OPT_IN	(1u << 2)

/* Remapping structure types (§8.2). */
#define DMAR_TYPE_DRHD		0
#define DMAR_TYPE_RMRR		1
#define DMAR_TYPE_ATSR		2
#define DMAR_TYPE_RHSA		3
#define DMAR_TYPE_ANDD		4
#define DMAR_TYPE_SATC		5

/* DRHD flags. */
#define DMAR_DRHD_INCLUDE_PCI_ALL	(1u << 0)

/* Device scope types (§8.3.1). */
#define DMAR_SCOPE_PCI_ENDPOINT		1
#define DMAR_SCOPE_PCI_SUBHIERARCHY	2
#define DMAR_SCOPE_IOAPIC		3
#define DMAR_SCOPE_HPET			4
#define DMAR_SCOPE_ACPI_NAMESPACE	5

#define DMAR_SCOPE_PATH_MAX	8	/* path elements kept; more are counted */

/*
 * Remapping hardware registers (§11.4), offsets from the DRHD's register
 * base; the first 4 KiB page holds all of them.
 */
#define VTD_REG_VER		0x00	/* u32 */
#define VTD_REG_CAP		0x08	/* u64 */
#define VTD_REG_ECAP		0x10	/* u64 */
#define VTD_REG_GCMD		0x18	/* u32, write only */
#define VTD_REG_GSTS		0x1c	/* u32 */
#define VTD_REG_FSTS		0x34	/* u32 */
#define VTD_REG_PMEN		0x64	/* u32 */
#define VTD_REG_PAGE		4096u

/* GCMD/GSTS bits: persistent ones are re-stated on every GCMD write. */
#define VTD_GSTS_TES		(1u << 31)	/* translation enabled */
#define VTD_GSTS_RTPS		(1u << 30)	/* one-shot: root table pointer set */
#define VTD_GSTS_FLS		(1u << 29)	/* one-shot: fault log set */
#define VTD_GSTS_AFLS		(1u << 28)	/* advanced fault logging */
#define VTD_GSTS_WBFS		(1u << 27)	/* one-shot: write buffer flush */
#define VTD_GSTS_QIES		(1u << 26)	/* queued invalidation enabled */
#define VTD_GSTS_IRES		(1u << 25)	/* interrupt remapping enabled */
#define VTD_GSTS_IRTPS		(1u << 24)	/* one-shot: interrupt table pointer set */
#define VTD_GSTS_CFIS		(1u << 23)	/* compatibility format interrupts */
#define VTD_GSTS_ONE_SHOT	(VTD_GSTS_RTPS | VTD_GSTS_FLS | VTD_GSTS_WBFS | VTD_GSTS_IRTPS)

#define VTD_CAP_PLMR		(1ull << 5)	/* protected low-memory region */
#define VTD_CAP_PHMR		(1ull << 6)	/* protected high-memory region */
#define VTD_PMEN_EPM		(1u << 31)	/* enable protected memory */
#define VTD_PMEN_PRS		(1u << 0)	/* protected region status */

struct dmar_info {
	uint8_t host_addr_width;	/* in bits: the table's value + 1 */
	uint8_t flags;			/* DMAR_FLAG_* */
};

struct dmar_drhd {
	uint64_t reg_base;		/* as found: not yet judged */
	uint16_t segment;
	uint8_t flags;			/* DMAR_DRHD_* */
	uint8_t size;			/* register set: 2^size 4 KiB pages */
	uint32_t offset;		/* of the structure in the table */
	uint16_t length;
};

struct dmar_scope {
	uint8_t type;			/* DMAR_SCOPE_* */
	uint8_t enum_id;		/* IOAPIC id, HPET number, ACPI device */
	uint8_t start_bus;
	uint8_t path_len;		/* (device, function) pairs in the entry */
	struct {
		uint8_t dev, fn;
	} path[DMAR_SCOPE_PATH_MAX];	/* the first DMAR_SCOPE_PATH_MAX of them */
};

/* The fixed part.  Returns 0, -EINVAL or -EBADMSG. */
int dmar_parse(const void *buf, size_t len, struct dmar_info *out);

/* The index-th DRHD, unjudged.  Returns 0, -ENOENT, -EINVAL or -EBADMSG. */
int dmar_drhd(const void *buf, size_t len, size_t index, struct dmar_drhd *out);

/*
 * The scope-th device scope entry of the index-th DRHD.  Returns 0,
 * -ENOENT (no such DRHD or entry), -EINVAL or -EBADMSG.
 */
int dmar_scope(const void *buf, size_t len, size_t index, size_t scope,
	       struct dmar_scope *out);

/*
 * The GCMD value that leaves every persistent command as GSTS reports it
 * except those in `clear` (VTD_GSTS_* bits): the one-shot bits are never
 * re-issued (§11.4.4.2).
 */
uint32_t vtd_gcmd_clear(uint32_t gsts, uint32_t clear);

#endif
