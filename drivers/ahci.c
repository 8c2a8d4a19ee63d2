/*
 * AHCI SATA disks, polled (Serial ATA AHCI 1.3.1, "AHCI" below; ATA
 * commands from ATA8-ACS; FIS layout from SATA 3.x section 10.5).
 *
 * ahci_probe() walks PCI for class 01h/06h/01h.  For each controller (HBA):
 * map ABAR (BAR5), take it from the BIOS when CAP2.BOH says there is a
 * handoff (AHCI 10.6.3), set GHC.AE, clear GHC.IE, then for every port in
 * PI mask PxIE and stop the port (ST, then FRE; wait CR, FR), whatever the
 * crashed system left on it: a stopped port does no DMA.  A port with a
 * link up (PxSSTS.DET = 3) gets our command list and FIS area, FRE, a
 * COMRESET if the device is busy or never sent its signature, and, if
 * PxSIG says ATA disk (00000101h), ST and IDENTIFY DEVICE.  Anything else
 * stays stopped.  Disks are registered as "ahci0", "ahci1", ...
 *
 * Requests: command slot 0 only, one in flight, polled on PxCI within
 * AHCI_CMD_US.  LBA48 DMA commands (READ/WRITE DMA EXT, FLUSH CACHE EXT)
 * through one 64 KiB bounce buffer described by one PRD, so max_transfer is
 * 64 KiB of sectors.  A failed command (PxIS.TFES or a fatal HBA error)
 * returns -EIO with PxTFD's status and error bytes printed; a command that
 * never completes returns -ETIMEDOUT naming PxCI.  Either way the port is
 * restarted (AHCI 6.2.2.1: clear ST, wait CR, clear PxSERR/PxIS, COMRESET
 * after a timeout or if BSY/DRQ stays set, set ST) so the next request
 * starts clean; a port that will not restart is marked dead and refuses
 * further requests.
 *
 * Memory, one block per port in use, static in our image:
 *
 *   +0x000  command list: 32 command headers x 32 bytes (AHCI 4.2.2; 1 KiB aligned)
 *   +0x400  received-FIS area (AHCI 4.2.1; 256 bytes, 256 aligned)
 *   +0x500  command table for slot 0: CFIS, ACMD, one PRD (AHCI 4.2.3; 128 aligned)
 *
 * Environment: one CPU, interrupts off, memory identity-mapped, so a
 * buffer's address is the bus address the HBA uses (no IOMMU translation
 * is assumed).  ABAR above 4 GiB is mapped with cpu_map_phys() first; an
 * HBA without 64-bit addressing (CAP.S64A = 0) is refused if our buffers lie
 * above 4 GiB.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "drivers/ahci.h"
#include "drivers/blk_services.h"
#include "drivers/clock.h"
#include "drivers/cpu_services.h"
#include "drivers/pci.h"
#include "formats/diskid.h"

#define AHCI_MAX_DISKS		8
#define AHCI_BOUNCE_SIZE	(64u * 1024)
#define AHCI_ABAR_SIZE		0x1100u		/* generic registers + 32 ports */

#define AHCI_STOP_US		500000u		/* AHCI 10.1.2 step 3: CR, FR */
#define AHCI_CMD_US		5000000u	/* one command */
#define AHCI_LINK_US		1000000u	/* PxSSTS.DET = 3 after COMRESET */
#define AHCI_READY_US		10000000u	/* BSY clear after COMRESET (spin-up) */
#define AHCI_BOH_US		25000u		/* AHCI 10.6.3: BIOS sets BB in 25 ms */
#define AHCI_BOH_BUSY_US	2000000u	/* ... and then has 2 s to finish */

/* AHCI 3.1: generic host control, offsets in ABAR. */
#define CAP		0x00
#define GHC		0x04
#define IS		0x08
#define PI		0x0c
#define CAP2		0x24
#define BOHC		0x28

#define CAP_S64A	(1u << 31)
#define GHC_HR		(1u << 0)
#define GHC_IE		(1u << 1)
#define GHC_AE		(1u << 31)
#define CAP2_BOH	(1u << 0)
#define BOHC_BOS	(1u << 0)
#define BOHC_OOS	(1u << 1)
#define BOHC_OOC	(1u << 3)
#define BOHC_BB		(1u << 4)

/* AHCI 3.3: port registers, at 100h + port * 80h. */
#define PORT_REGS(n)	(0x100u + (n) * 0x80u)
#define PxCLB		0x00
#define PxCLBU		0x04
#define PxFB		0x08
#define PxFBU		0x0c
#define PxIS		0x10
#define PxIE		0x14
#define PxCMD		0x18
#define PxTFD		0x20
#define PxSIG		0x24
#define PxSSTS		0x28
#define PxSCTL		0x2c
#define PxSERR		0x30
#define PxCI		0x38

#define PxCMD_ST	(1u << 0)
#define PxCMD_FRE	(1u << 4)
#define PxCMD_FR	(1u << 14)
#define PxCMD_CR	(1u << 15)
#define PxIS_TFES	(1u << 30)
#define PxIS_HBFS	(1u << 29)
#define PxIS_HBDS	(1u << 28)
#define PxIS_IFS	(1u << 27)
#define PxIS_ERRORS	(PxIS_TFES | PxIS_HBFS | PxIS_HBDS | PxIS_IFS)
#define PxTFD_ERR	(1u << 0)	/* STS.ERR */
#define PxTFD_DRQ	(1u << 3)	/* STS.DRQ */
#define PxTFD_BSY	(1u << 7)	/* STS.BSY */
#define PxSSTS_DET_MASK	0xfu
#define PxSSTS_DET_PHY	3u		/* device present, PHY communication up */
#define PxSCTL_DET_MASK	0xfu
#define PxSCTL_DET_INIT	1u		/* COMRESET */
#define PxSCTL_IPM_MASK	(0xfu << 8)
#define PxSCTL_IPM_NONE	(3u << 8)	/* no Partial, no Slumber */
#define SIG_ATA		0x00000101u
#define SIG_NONE	0xffffffffu	/* no D2H Register FIS since reset */

/* AHCI 4.2.2: command header; flags = CFL[4:0] A W P R B C rsvd PMP[15:12]. */
struct ahci_cmd_header {
	uint16_t flags;
	uint16_t prdtl;		/* PRD entries */
	uint32_t prdbc;		/* bytes transferred (HBA writes) */
	uint32_t ctba;		/* command table, 128-byte aligned */
	uint32_t ctbau;
	uint32_t reserved[4];
};
_Static_assert(sizeof(struct ahci_cmd_header) == 32, "ahci_cmd_header");
_Static_assert(offsetof(struct ahci_cmd_header, prdbc) == 0x04, "prdbc");
_Static_assert(offsetof(struct ahci_cmd_header, ctba) == 0x08, "ctba");

#define CMDH_W		(1u << 6)	/* write: host to device */

/* AHCI 4.2.3.3: physical region descriptor; dbc_i = DBC[21:0] (bytes - 1), I[31]. */
struct ahci_prd {
	uint32_t dba;
	uint32_t dbau;
	uint32_t reserved;
	uint32_t dbc_i;
};
_Static_assert(sizeof(struct ahci_prd) == 16, "ahci_prd");

/* AHCI 4.2.3: command table with the one PRD we use. */
struct ahci_cmd_table {
	uint8_t cfis[64];
	uint8_t acmd[16];
	uint8_t reserved[48];
	struct ahci_prd prdt[1];
};
_Static_assert(offsetof(struct ahci_cmd_table, acmd) == 0x40, "acmd");
_Static_assert(offsetof(struct ahci_cmd_table, prdt) == 0x80, "prdt");

/* SATA 3.x 10.5.5: Register Host to Device FIS (20 bytes). */
struct sata_fis_h2d {
	uint8_t fis_type;	/* 27h */
	uint8_t pmp_c;		/* PM port [3:0], C [7]: command register update */
	uint8_t command;
	uint8_t features;
	uint8_t lba0, lba1, lba2;
	uint8_t device;
	uint8_t lba3, lba4, lba5;
	uint8_t features_exp;
	uint8_t count, count_exp;
	uint8_t icc;
	uint8_t control;
	uint8_t reserved[4];
};
_Static_assert(sizeof(struct sata_fis_h2d) == 20, "sata_fis_h2d");
_Static_assert(offsetof(struct sata_fis_h2d, device) == 7, "device");
_Static_assert(offsetof(struct sata_fis_h2d, count) == 12, "count");

#define FIS_TYPE_REG_H2D	0x27
#define FIS_H2D_C		0x80
#define ATA_DEV_LBA		0x40	/* device register bit 6: LBA addressing */
#define ATA_CMD_READ_DMA_EXT	0x25
#define ATA_CMD_WRITE_DMA_EXT	0x35
#define ATA_CMD_FLUSH_CACHE_EXT	0xea
#define ATA_CMD_IDENTIFY	0xec

/* One port's DMA structures (see the diagram above). */
struct ahci_port_mem {
	struct ahci_cmd_header cmd_list[32];
	uint8_t rfis[256];
	struct ahci_cmd_table table;
} __attribute__((aligned(1024)));
_Static_assert(offsetof(struct ahci_port_mem, rfis) == 0x400, "rfis");
_Static_assert(offsetof(struct ahci_port_mem, table) == 0x500, "table");

struct ahci_hba {
	uintptr_t abar;
	uint32_t cap;
	char pci[8];		/* "00:1f.2" */
	struct pci_addr addr;
};

struct ahci_port {
	struct blkdev blk;	/* name empty until registered */
	uintptr_t regs;		/* ABAR + PORT_REGS(n) */
	struct ahci_port_mem *mem;
	bool dead;
	char label[24];		/* "00:1f.2 port 0" */
};

static struct ahci_port_mem port_mem[AHCI_MAX_DISKS];
static uint8_t bounce[AHCI_BOUNCE_SIZE] __attribute__((aligned(4096)));
static struct ahci_port ports[AHCI_MAX_DISKS];
static unsigned nslots, ndisks;	/* port_mem blocks in use, disks registered */

/* Our memory is identity-mapped: a pointer is the physical (bus) address. */
static uint64_t phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Registers are 32-bit and read/written whole (AHCI 3). */
static uint32_t hba_rd(const struct ahci_hba *h, uint32_t off)
{
	return *(volatile uint32_t *)(h->abar + off);
}

static void hba_wr(const struct ahci_hba *h, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(h->abar + off) = v;
}

static uint32_t port_rd(const struct ahci_port *p, uint32_t off)
{
	return *(volatile uint32_t *)(p->regs + off);
}

static void port_wr(const struct ahci_port *p, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(p->regs + off) = v;
}

static const char *port_name(const struct ahci_port *p)
{
	return p->blk.name[0] ? p->blk.name : p->label;
}

/* Poll until (register & mask) == want, for at most us microseconds.
 * Returns 0, or -ETIMEDOUT after printing the field that never changed. */
static int port_wait(const struct ahci_port *p, uint32_t reg, const char *field, uint32_t mask,
		     uint32_t want, uint32_t us)
{
	uint64_t start = clock_us();
	uint32_t v;

	for (;;) {
		v = port_rd(p, reg);
		if ((v & mask) == want)
			return 0;
		if (clock_us() - start >= us)
			break;
		__asm__ volatile("pause");
	}
	printf("ahci: %s: %s not 0x%x after %u ms (register 0x%08x)\n", port_name(p), field,
	       (unsigned)want, (unsigned)(us / 1000), (unsigned)v);
	return -ETIMEDOUT;
}

/* AHCI 10.1.2 step 3 ("ensure the port is idle"): clear ST and wait for CR,
 * then clear FRE and wait for FR.  Once this returns 0 the port fetches no
 * commands and posts no FISes, so its memory may be reused. */
static int port_stop(struct ahci_port *p)
{
	uint32_t cmd = port_rd(p, PxCMD);
	int err;

	if (cmd & PxCMD_ST)
		port_wr(p, PxCMD, cmd & ~PxCMD_ST);
	err = port_wait(p, PxCMD, "PxCMD.CR", PxCMD_CR, 0, AHCI_STOP_US);
	if (err)
		return err;
	cmd = port_rd(p, PxCMD);
	if (cmd & PxCMD_FRE)
		port_wr(p, PxCMD, cmd & ~PxCMD_FRE);
	return port_wait(p, PxCMD, "PxCMD.FR", PxCMD_FR, 0, AHCI_STOP_US);
}

/* AHCI 10.4.2 "Port Reset" (COMRESET), with ST clear and FRE set so the
 * device's first D2H Register FIS lands in PxTFD/PxSIG.  Returns 0 once the
 * link is up again and the device no longer BSY/DRQ, or -ETIMEDOUT. */
static int port_comreset(struct ahci_port *p)
{
	uint32_t sctl = port_rd(p, PxSCTL) & ~(PxSCTL_DET_MASK | PxSCTL_IPM_MASK);
	int err;

	port_wr(p, PxSCTL, sctl | PxSCTL_IPM_NONE | PxSCTL_DET_INIT);
	clock_delay_us(2000);		/* COMRESET held at least 1 ms */
	port_wr(p, PxSCTL, sctl | PxSCTL_IPM_NONE);
	err = port_wait(p, PxSSTS, "PxSSTS.DET", PxSSTS_DET_MASK, PxSSTS_DET_PHY, AHCI_LINK_US);
	if (err)
		return err;
	/* PxSERR.DIAG.X is set by the link coming up; until it is cleared some
	 * HBAs do not take the device's status into PxTFD. */
	port_wr(p, PxSERR, ~0u);
	return port_wait(p, PxTFD, "PxTFD.STS.BSY/DRQ", PxTFD_BSY | PxTFD_DRQ, 0, AHCI_READY_US);
}

/* AHCI 10.3.1: set ST, but only with BSY and DRQ clear; COMRESET first if
 * the device is still in the middle of something (the crashed system's
 * command, or ours that failed) or reset says so.  PxSERR and PxIS start
 * clear. */
static int port_start(struct ahci_port *p, bool reset)
{
	int err;

	port_wr(p, PxSERR, ~0u);
	port_wr(p, PxIS, ~0u);
	if (reset || (port_rd(p, PxTFD) & (PxTFD_BSY | PxTFD_DRQ))) {
		err = port_comreset(p);
		if (err)
			return err;
		port_wr(p, PxIS, ~0u);
	}
	port_wr(p, PxCMD, port_rd(p, PxCMD) | PxCMD_ST);
	return 0;
}

/* AHCI 6.2.2.1 "Non-queued error recovery": stop the command engine (which
 * abandons slot 0), then start it again.  After a timeout the device may
 * still be moving the command's data, so it is reset (COMRESET) whatever
 * PxTFD says: only that guarantees no late DMA lands in the bounce buffer
 * during the next request.  (QEMU's HBA, for one, lets an abandoned DMA run
 * on after ST is cleared.) */
static void port_recover(struct ahci_port *p, bool timed_out)
{
	int err;

	port_wr(p, PxCMD, port_rd(p, PxCMD) & ~PxCMD_ST);
	err = port_wait(p, PxCMD, "PxCMD.CR", PxCMD_CR, 0, AHCI_STOP_US);
	if (!err)
		err = port_start(p, timed_out);
	if (err) {
		p->dead = true;
		printf("ahci: %s: port did not recover (%d); no more requests\n", port_name(p),
		       err);
	}
}

static const char *cmd_name(uint8_t command)
{
	switch (command) {
	case ATA_CMD_READ_DMA_EXT: return "READ DMA EXT";
	case ATA_CMD_WRITE_DMA_EXT: return "WRITE DMA EXT";
	case ATA_CMD_FLUSH_CACHE_EXT: return "FLUSH CACHE EXT";
	default: return "IDENTIFY DEVICE";
	}
}

/* Build slot 0's command: a Register H2D FIS and, when bytes != 0, one PRD
 * over the bounce buffer. */
static void build_cmd(struct ahci_port *p, uint8_t command, uint64_t lba, uint32_t count,
		      uint32_t bytes, bool write)
{
	struct ahci_cmd_header *h = &p->mem->cmd_list[0];
	struct ahci_cmd_table *t = &p->mem->table;
	struct sata_fis_h2d fis;

	memset(&fis, 0, sizeof(fis));
	fis.fis_type = FIS_TYPE_REG_H2D;
	fis.pmp_c = FIS_H2D_C;
	fis.command = command;
	fis.device = command == ATA_CMD_IDENTIFY ? 0 : ATA_DEV_LBA;
	fis.lba0 = (uint8_t)lba;
	fis.lba1 = (uint8_t)(lba >> 8);
	fis.lba2 = (uint8_t)(lba >> 16);
	fis.lba3 = (uint8_t)(lba >> 24);
	fis.lba4 = (uint8_t)(lba >> 32);
	fis.lba5 = (uint8_t)(lba >> 40);
	fis.count = (uint8_t)count;
	fis.count_exp = (uint8_t)(count >> 8);
	memset(t, 0, sizeof(*t));
	memcpy(t->cfis, &fis, sizeof(fis));
	t->prdt[0].dba = (uint32_t)phys(bounce);
	t->prdt[0].dbau = (uint32_t)(phys(bounce) >> 32);
	t->prdt[0].dbc_i = bytes ? bytes - 1 : 0;	/* DBC: byte count - 1, even count */
	h->flags = (uint16_t)(sizeof(fis) / 4 | (write ? CMDH_W : 0));
	h->prdtl = bytes ? 1 : 0;
	h->prdbc = 0;
	h->ctba = (uint32_t)phys(t);
	h->ctbau = (uint32_t)(phys(t) >> 32);
}

/* Poll slot 0 until PxCI clears, PxIS shows an error (AHCI 6.2.2: on
 * TFES the HBA stops and leaves PxCI set) or AHCI_CMD_US pass.  Returns
 * 0, -EIO or -ETIMEDOUT, with the last PxIS in *is. */
static int port_poll(const struct ahci_port *p, uint32_t *is)
{
	uint64_t start = clock_us();

	for (;;) {
		*is = port_rd(p, PxIS);
		if (*is & PxIS_ERRORS)
			return -EIO;
		if (!(port_rd(p, PxCI) & 1u))
			return 0;
		if (clock_us() - start >= AHCI_CMD_US)
			return -ETIMEDOUT;
		__asm__ volatile("pause");
	}
}

/* Run one command in slot 0 and wait for it.  Returns 0, -EIO (device or
 * HBA error; status and error bytes printed) or -ETIMEDOUT (PxCI never
 * cleared); after either failure the port has been restarted. */
static int port_exec(struct ahci_port *p, uint8_t command, uint64_t lba, uint32_t count,
		     uint32_t bytes, bool write)
{
	uint32_t is, tfd;
	int err;

	if (p->dead)
		return -EIO;
	build_cmd(p, command, lba, count, bytes, write);
	port_wr(p, PxIS, ~0u);
	/* Order the command header, table and bounce data (ordinary stores)
	 * before the PxCI store that makes the HBA fetch them.  x86 keeps
	 * stores in order; the fence also covers a write-combining BAR, and the
	 * clobber keeps the compiler from sinking the stores past it. */
	__asm__ volatile("sfence" : : : "memory");
	port_wr(p, PxCI, 1u);
	err = port_poll(p, &is);
	tfd = port_rd(p, PxTFD);
	if (err == 0 && (tfd & PxTFD_ERR))
		err = -EIO;
	/* The PxCI load that saw the slot done comes before any load of the
	 * data the HBA wrote: x86 does not reorder loads, the clobber stops
	 * the compiler from doing so. */
	__asm__ volatile("" : : : "memory");
	if (err == -EIO)
		printf("ahci: %s: %s lba %llu count %u failed: status 0x%02x error 0x%02x "
		       "(PxIS 0x%08x PxSERR 0x%08x)\n", port_name(p), cmd_name(command),
		       (unsigned long long)lba, (unsigned)count, (unsigned)(tfd & 0xff),
		       (unsigned)((tfd >> 8) & 0xff), (unsigned)is, (unsigned)port_rd(p, PxSERR));
	else if (err) {
		printf("ahci: %s: %s lba %llu count %u: PxCI bit 0 still set after %u ms%s "
		       "(PxTFD 0x%08x PxIS 0x%08x)\n", port_name(p), cmd_name(command),
		       (unsigned long long)lba, (unsigned)count, AHCI_CMD_US / 1000,
		       iommu_dma_note(), (unsigned)tfd, (unsigned)is);
		devices_note_timeout(port_name(p), cmd_name(command));
	}
	if (err)
		port_recover(p, err == -ETIMEDOUT);
	return err;
}

static int ahci_read(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf)
{
	uint32_t bytes = count * dev->sector_size;
	int err = port_exec(dev->priv, ATA_CMD_READ_DMA_EXT, lba, count, bytes, false);

	if (err == 0)
		memcpy(buf, bounce, bytes);
	return err;
}

static int ahci_write(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf)
{
	uint32_t bytes = count * dev->sector_size;

	memcpy(bounce, buf, bytes);
	return port_exec(dev->priv, ATA_CMD_WRITE_DMA_EXT, lba, count, bytes, true);
}

static int ahci_flush(struct blkdev *dev)
{
	return port_exec(dev->priv, ATA_CMD_FLUSH_CACHE_EXT, 0, 0, 0, false);
}

static const struct blkdev_ops ahci_ops = { ahci_read, ahci_write, ahci_flush };

/* IDENTIFY DEVICE (ATA8-ACS 7.16): capacity from words 100-103 (LBA48
 * required: word 83 bit 10), logical sector size from words 117-118 when
 * word 106 says it is valid and larger than 256 words; serial (words
 * 10-19) and model (27-46) into the blkdev's identity.  Returns 0, -EIO,
 * -ETIMEDOUT or -ENODEV (a device we cannot drive, said why). */
static int port_identify(struct ahci_port *p, uint64_t *sectors, uint32_t *sector_size)
{
	uint16_t id[256];
	uint8_t sum = 0;
	int err;

	err = port_exec(p, ATA_CMD_IDENTIFY, 0, 1, sizeof(id), false);
	if (err)
		return err;
	memcpy(id, bounce, sizeof(id));
	if ((id[255] & 0xff) == 0xa5) {		/* word 255: integrity word present */
		for (unsigned i = 0; i < sizeof(id); i++)
			sum = (uint8_t)(sum + ((const uint8_t *)id)[i]);
		if (sum != 0) {
			printf("ahci: %s: IDENTIFY data checksum bad (word 255 0x%04x)\n",
			       p->label, id[255]);
			return -EIO;
		}
	}
	if (!(id[83] & (1u << 10))) {
		printf("ahci: %s: no 48-bit LBA (IDENTIFY word 83 0x%04x)\n", p->label, id[83]);
		return -ENODEV;
	}
	*sectors = (uint64_t)id[100] | (uint64_t)id[101] << 16 | (uint64_t)id[102] << 32 |
		   (uint64_t)id[103] << 48;
	*sector_size = 512;
	if ((id[106] & 0xc000) == 0x4000 && (id[106] & (1u << 12)))
		*sector_size = ((uint32_t)id[117] | (uint32_t)id[118] << 16) * 2;
	if (*sectors == 0 || *sector_size < 512 || *sector_size > AHCI_BOUNCE_SIZE ||
	    (*sector_size & (*sector_size - 1))) {
		printf("ahci: %s: unusable geometry (%llu sectors of %u bytes)\n", p->label,
		       (unsigned long long)*sectors, (unsigned)*sector_size);
		return -ENODEV;
	}
	p->blk.ident.kind = BLKDEV_KIND_AHCI;
	diskid_ata(p->blk.ident.serial, sizeof(p->blk.ident.serial), id,
		   DISKID_ATA_SERIAL_WORD, DISKID_ATA_SERIAL_WORDS);
	diskid_ata(p->blk.ident.model, sizeof(p->blk.ident.model), id,
		   DISKID_ATA_MODEL_WORD, DISKID_ATA_MODEL_WORDS);
	return 0;
}

/* AHCI 10.1.2 steps 5-6 and 10.3.1 for a port with a link: our command list
 * and FIS area, FRE, a COMRESET if no signature has arrived or the device
 * is busy, then ST for an ATA disk.  Returns 0 with the port running, or
 * -ENODEV (not a disk) / -ETIMEDOUT with the port possibly still receiving
 * FISes (the caller stops it). */
static int port_setup(struct ahci_port *p)
{
	uint32_t sig;
	int err;

	memset(p->mem, 0, sizeof(*p->mem));
	port_wr(p, PxCLB, (uint32_t)phys(p->mem->cmd_list));
	port_wr(p, PxCLBU, (uint32_t)(phys(p->mem->cmd_list) >> 32));
	port_wr(p, PxFB, (uint32_t)phys(p->mem->rfis));
	port_wr(p, PxFBU, (uint32_t)(phys(p->mem->rfis) >> 32));
	port_wr(p, PxSERR, ~0u);
	port_wr(p, PxIS, ~0u);
	port_wr(p, PxCMD, port_rd(p, PxCMD) | PxCMD_FRE);
	err = port_wait(p, PxCMD, "PxCMD.FR", PxCMD_FR, PxCMD_FR, AHCI_STOP_US);
	if (err)
		return err;
	if (port_rd(p, PxSIG) == SIG_NONE || (port_rd(p, PxTFD) & (PxTFD_BSY | PxTFD_DRQ))) {
		err = port_comreset(p);
		if (err)
			return err;
	}
	sig = port_rd(p, PxSIG);
	if (sig != SIG_ATA) {
		printf("ahci: %s: not an ATA disk (PxSIG 0x%08x), left stopped\n", p->label,
		       (unsigned)sig);
		return -ENODEV;
	}
	return port_start(p, false);
}

/* Take one implemented port: quiesce it; if a disk is there, bring it up,
 * identify and register it. */
static void port_probe(struct ahci_hba *h, unsigned num)
{
	struct ahci_port *p;
	struct ahci_port tmp;
	uint64_t sectors;
	uint32_t ssize;

	memset(&tmp, 0, sizeof(tmp));
	tmp.regs = h->abar + PORT_REGS(num);
	snprintf(tmp.label, sizeof(tmp.label), "%s port %u", h->pci, num);
	port_wr(&tmp, PxIE, 0);			/* mask the port's interrupts */
	if (port_stop(&tmp) != 0) {
		printf("ahci: %s: port will not stop, skipped\n", tmp.label);
		return;
	}
	if ((port_rd(&tmp, PxSSTS) & PxSSTS_DET_MASK) != PxSSTS_DET_PHY)
		return;				/* nothing attached */
	if (nslots == AHCI_MAX_DISKS) {
		printf("ahci: %s: more than %u disks, skipped\n", tmp.label, AHCI_MAX_DISKS);
		return;
	}
	p = &ports[nslots];
	*p = tmp;
	p->mem = &port_mem[nslots];
	if (port_setup(p) != 0 || port_identify(p, &sectors, &ssize) != 0)
		goto fail;
	snprintf(p->blk.name, sizeof(p->blk.name), "ahci%u", ndisks);
	p->blk.ident.port = num;
	p->blk.ident.pci_valid = true;
	p->blk.ident.pci_bus = h->addr.bus;
	p->blk.ident.pci_dev = h->addr.dev;
	p->blk.ident.pci_fn = h->addr.fn;
	p->blk.sector_size = ssize;
	p->blk.sectors = sectors;
	p->blk.max_transfer = AHCI_BOUNCE_SIZE / ssize;
	p->blk.ops = &ahci_ops;
	p->blk.priv = p;
	if (blkdev_register(&p->blk) != 0) {
		printf("ahci: %s: block device table full, %s skipped\n", p->label, p->blk.name);
		p->blk.name[0] = '\0';
		goto fail;
	}
	printf("ahci: %s on port %u at %s, %llu MiB, %u-byte sectors, serial \"%s\", model \"%s\"\n",
	       p->blk.name, num, h->pci, (unsigned long long)((sectors * ssize) >> 20),
	       (unsigned)ssize, p->blk.ident.serial, p->blk.ident.model);
	nslots++;
	ndisks++;
	return;
fail:
	/* Stopped, the port no longer touches p->mem and the slot can be
	 * reused; if it will not stop, the slot stays the port's. */
	if (port_stop(p) != 0)
		nslots++;
}

/* AHCI 10.6.3 BIOS/OS handoff: set OOS, give the BIOS 25 ms to clear BOS,
 * 2 s more if it says it is busy (BB).  A BIOS that never lets go is
 * reported and overruled: there is no one else to ask. */
static void hba_handoff(struct ahci_hba *h)
{
	uint64_t start;
	uint32_t bohc;

	if (!(hba_rd(h, CAP2) & CAP2_BOH))
		return;
	hba_wr(h, BOHC, (hba_rd(h, BOHC) & ~BOHC_OOC) | BOHC_OOS);
	start = clock_us();
	for (;;) {
		bohc = hba_rd(h, BOHC);
		if (!(bohc & BOHC_BOS))
			return;
		if (clock_us() - start >= ((bohc & BOHC_BB) ? AHCI_BOH_BUSY_US : AHCI_BOH_US))
			break;
		__asm__ volatile("pause");
	}
	printf("ahci: %s: BOHC.BOS still set after the handoff request (BOHC 0x%08x); "
	       "taking the HBA anyway\n", h->pci, (unsigned)bohc);
}

/* AHCI 10.1.2 step 1: GHC.AE (read-only 1 when CAP.SAM); some HBAs need it
 * written alone, and more than once.  Then GHC.IE = 0: no interrupts.
 * Returns 0 or -EIO (AE never stuck, said so). */
static int hba_enable(struct ahci_hba *h)
{
	uint32_t ghc = hba_rd(h, GHC);

	for (unsigned i = 0; i < 5 && !(ghc & GHC_AE); i++) {
		hba_wr(h, GHC, (ghc & ~GHC_HR) | GHC_AE);
		clock_delay_us(10000);
		ghc = hba_rd(h, GHC);
	}
	if (!(ghc & GHC_AE)) {
		printf("ahci: %s: GHC.AE will not set (GHC 0x%08x CAP 0x%08x), skipped\n", h->pci,
		       (unsigned)ghc, (unsigned)h->cap);
		return -EIO;
	}
	hba_wr(h, GHC, (ghc & ~(GHC_HR | GHC_IE)) | GHC_AE);
	return 0;
}

/* One HBA: map it, take it over and probe its ports.  Nothing of it is
 * kept but each disk's port register address. */
static void hba_probe(const struct pci_func *f)
{
	struct ahci_hba hba, *h = &hba;
	struct pci_bar bar;
	uint32_t pi;
	int err;

	snprintf(h->pci, sizeof(h->pci), "%02x:%02x.%x", f->addr.bus & 0xffu,
		 f->addr.dev & 0x1fu, f->addr.fn & 7u);
	h->addr = f->addr;
	err = pci_bar(f->addr, 5, &bar);
	if (err || bar.io) {
		printf("ahci: %s: BAR5 (ABAR) is %s (%d), skipped\n", h->pci,
		       err ? "unassigned or invalid" : "I/O space", err);
		return;
	}
	if (!cpu_is_mapped(bar.base, AHCI_ABAR_SIZE) &&
	    (err = cpu_map_phys(bar.base, AHCI_ABAR_SIZE)) != 0) {
		printf("ahci: %s: cannot map ABAR at 0x%llx (%d), skipped\n", h->pci,
		       (unsigned long long)bar.base, err);
		return;
	}
	pci_enable(f->addr, true, false, true);
	h->abar = (uintptr_t)bar.base;
	h->cap = hba_rd(h, CAP);
	if (h->cap == 0xffffffffu) {
		printf("ahci: %s: ABAR at 0x%llx reads all ones, skipped\n", h->pci,
		       (unsigned long long)bar.base);
		return;
	}
	if (!(h->cap & CAP_S64A) && (phys(port_mem + AHCI_MAX_DISKS) > (1ull << 32) ||
				     phys(bounce + sizeof(bounce)) > (1ull << 32))) {
		printf("ahci: %s: 32-bit HBA (CAP 0x%08x) but our buffers are above 4 GiB, "
		       "skipped\n", h->pci, (unsigned)h->cap);
		return;
	}
	hba_handoff(h);
	if (hba_enable(h) != 0)
		return;
	pi = hba_rd(h, PI);
	for (unsigned n = 0; n < 32; n++)
		if (pi & (1u << n))
			port_probe(h, n);
	hba_wr(h, IS, hba_rd(h, IS));		/* RWC: nothing pending from us */
	if (pi == 0)
		printf("ahci: %s: no ports implemented (PI 0)\n", h->pci);
}

static int probe_cb(const struct pci_func *f, void *ctx)
{
	(void)ctx;
	if (f->class_code == 0x01 && f->subclass == 0x06 && f->prog_if == 0x01)
		hba_probe(f);
	return 0;
}

int ahci_probe(void)
{
	pci_scan(probe_cb, NULL);
	return (int)ndisks;
}
