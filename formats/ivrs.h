/*
 * ACPI IVRS reader: where AMD-Vi IOMMUs live (their IVHD blocks), plus
 * the register facts needed to turn one off.
 *
 * Interface: pure.  The caller maps the table (kernel/iommu.c finds it
 * through the RSDT/XSDT and checks its checksum with acpi_sdt_check) and
 * passes its bytes as (buf, len); a table whose declared length exceeds
 * len is refused, never read past.  ivrs_parse() reads the fixed part;
 * ivrs_ivhd() returns the index-th IVHD block as it stands (unjudged: the
 * caller checks the base address).  Firmware may describe one IOMMU with
 * several IVHD types (10h, 11h, 40h) at the same base: the caller keeps
 * one per base.  Results go to caller-owned structs, cleared first.
 * Errors: -EINVAL (NULL, or a buffer too short for the header or the
 * declared length), -EBADMSG (not "IVRS", a length below the 48-byte
 * fixed part, or a malformed block before the one asked for: shorter than
 * its 4-byte header, running past the table, or an IVHD shorter than its
 * type's fixed part), -ENOENT (index past the last IVHD).  The walk cannot
 * skip a malformed block, so everything after it is lost.
 *
 * Layout (AMD I/O Virtualization Technology (IOMMU) Specification,
 * rev. 3.x, §5.2):
 *
 *    0  ACPI table header (36 bytes, signature "IVRS")
 *   36  u32 IVinfo, 8 reserved bytes
 *   48  blocks { u8 type, u8 flags, u16 length, ... } to the end
 *
 *   IVHD (types 10h, 11h, 40h): 4 u16 IOMMU device id, 6 u16 capability
 *   offset, 8 u64 IOMMU MMIO base address, 16 u16 PCI segment group,
 *   18 u16 IOMMU info, 20 u32 IOMMU attributes; 10h's device entries
 *   start at 24; 11h and 40h carry the EFR register image at 24 and their
 *   device entries start at 40.  IVMD blocks (20h-22h) are stepped over.
 *
 * Environment: kernel, host tool and tests alike; freestanding headers.
 */
#ifndef FORMATS_IVRS_H
#define FORMATS_IVRS_H

#include <stddef.h>
#include <stdint.h>

#define IVRS_HEADER_LEN		48u	/* ACPI header + IVinfo + reserved */
#define IVRS_BLOCK_HDR_LEN	4u	/* u8 type, u8 flags, u16 length */
#define IVRS_IVHD10_LEN		24u
#define IVRS_IVHD11_LEN		40u	/* also type 40h */

#define IVRS_TYPE_IVHD10	0x10
#define IVRS_TYPE_IVHD11	0x11
#define IVRS_TYPE_IVHD40	0x40

/*
 * IOMMU MMIO registers (§3.4), offsets from the IVHD's base address.  The
 * control register's enables: IommuEn turns translation (and interrupt
 * remapping) on; the others run the command buffer and the logs, which
 * read and write memory by DMA themselves.
 */
#define AMDVI_REG_CONTROL	0x18	/* u64 */
#define AMDVI_PCI_CAP_ID	0x0f	/* the IOMMU's PCI capability: base at +4, +8 */
#define AMDVI_REG_PAGE		4096u
#define AMDVI_CTL_IOMMU_EN	(1ull << 0)
#define AMDVI_CTL_EVENT_LOG_EN	(1ull << 2)
#define AMDVI_CTL_EVENT_INT_EN	(1ull << 3)
#define AMDVI_CTL_COMWAIT_INT_EN (1ull << 4)
#define AMDVI_CTL_CMD_BUF_EN	(1ull << 12)
#define AMDVI_CTL_PPR_LOG_EN	(1ull << 13)
#define AMDVI_CTL_PPR_INT_EN	(1ull << 14)
#define AMDVI_CTL_PPR_EN	(1ull << 15)
#define AMDVI_CTL_GA_LOG_EN	(1ull << 28)
#define AMDVI_CTL_GA_INT_EN	(1ull << 29)
#define AMDVI_CTL_OFF_MASK	(AMDVI_CTL_IOMMU_EN | AMDVI_CTL_EVENT_LOG_EN | \
				 AMDVI_CTL_EVENT_INT_EN | AMDVI_CTL_COMWAIT_INT_EN | \
				 AMDVI_CTL_CMD_BUF_EN | AMDVI_CTL_PPR_LOG_EN | \
				 AMDVI_CTL_PPR_INT_EN | AMDVI_CTL_PPR_EN | \
				 AMDVI_CTL_GA_LOG_EN | AMDVI_CTL_GA_INT_EN)

struct ivrs_info {
	uint32_t ivinfo;
};

struct ivrs_ivhd {
	uint64_t base;			/* IOMMU MMIO base, as found */
	uint64_t efr;			/* EFR image (types 11h/40h), else 0 */
	uint32_t attributes;
	uint32_t offset;		/* of the block in the table */
	uint16_t length;
	uint16_t device_id;		/* the IOMMU's own PCI requester id */
	uint16_t cap_offset;
	uint16_t segment;
	uint16_t info;
	uint8_t type;			/* IVRS_TYPE_IVHD* */
	uint8_t flags;
};

/* The fixed part.  Returns 0, -EINVAL or -EBADMSG. */
int ivrs_parse(const void *buf, size_t len, struct ivrs_info *out);

/* The index-th IVHD, unjudged.  Returns 0, -ENOENT, -EINVAL or -EBADMSG. */
int ivrs_ivhd(const void *buf, size_t len, size_t index, struct ivrs_ivhd *out);

/* The control register value with translation, the command buffer, the
 * logs and their interrupts turned off; every other bit kept. */
uint64_t amdvi_control_off(uint64_t control);

#endif
