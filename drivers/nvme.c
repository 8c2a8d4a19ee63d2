/*
 * NVMe namespaces, polled (NVM Express Base Specification 1.4, "NVMe"
 * below; section numbers are that document's).
 *
 * nvme_probe() walks PCI for class 01h/08h/02h.  For each controller: map
 * BAR0 (64-bit memory), turn MSI/MSI-X and INTx off, then the 7.6.1
 * "Initialization" sequence: disable (CC.EN = 0, wait CSTS.RDY = 0 within
 * CAP.TO), admin queues (AQA/ASQ/ACQ), CC (NVM command set, 4 KiB pages,
 * 64-byte SQ and 16-byte CQ entries), enable (wait CSTS.RDY = 1), INTMS all
 * ones, Identify Controller, Set Features Number of Queues, one I/O
 * completion queue (interrupts off) and one I/O submission queue.  Then
 * the active namespace list (or NSIDs 1..NN before NVMe 1.1), Identify
 * Namespace for each, and every namespace without metadata is registered
 * as "nvme<c>n<nsid>".  Disabling first is also what quiesces a controller
 * the crashed system left running: a disabled controller does no DMA.
 *
 * Requests: one in flight per controller, completion polled by phase tag
 * within NVME_CMD_US.  Data moves through one 64 KiB page-aligned bounce
 * buffer: PRP1 is its first page, PRP2 its second page for up to 8 KiB, or
 * a static PRP list of its remaining pages beyond that; max_transfer is
 * 64 KiB (or MDTS, if smaller) of sectors.  A completion with a non-zero
 * status field returns -EIO with SCT/SC printed.  A command that never
 * completes returns -ETIMEDOUT, and the controller is reset: disabled,
 * which stops its DMA (a late transfer into the bounce buffer would
 * corrupt a later request), then brought up again on fresh queues, so
 * later requests can still succeed.  A controller that cannot be brought
 * back refuses all further requests with -EIO.
 *
 * Memory, static in our image: per controller four 4 KiB pages (admin SQ,
 * admin CQ, I/O SQ, I/O CQ; 16 entries each), plus the shared bounce
 * buffer and PRP list.  Environment: one CPU, interrupts off, memory
 * identity-mapped so a buffer's address is its bus address (no IOMMU
 * translation assumed); registers read and written 32 bits at a time (the
 * 64-bit ones low half first), which every controller must accept.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "drivers/blk_services.h"
#include "drivers/clock.h"
#include "drivers/cpu_services.h"
#include "drivers/nvme.h"
#include "drivers/pci.h"
#include "formats/diskid.h"
#include "formats/le.h"

#define NVME_MAX_CTRLS		4
#define NVME_MAX_NS		8
#define NVME_ENTRIES		16u		/* per queue, if CAP.MQES allows */
#define NVME_PAGE		4096u		/* CC.MPS = 0 */
#define NVME_BOUNCE_SIZE	(64u * 1024)
#define NVME_CMD_US		5000000u	/* one command */
#define NVME_ADMIN		0		/* queue ids */
#define NVME_IO			1

/* NVMe 3.1: controller registers. */
#define CAP		0x00		/* 64-bit */
#define VS		0x08
#define INTMS		0x0c
#define CC		0x14
#define CSTS		0x1c
#define AQA		0x24
#define ASQ		0x28		/* 64-bit */
#define ACQ		0x30		/* 64-bit */
#define DOORBELLS	0x1000u
/* 3.1.24-25: SQ y tail doorbell, CQ y head doorbell, 4 << CAP.DSTRD apart. */
#define SQyTDBL(y, dstrd)	(DOORBELLS + (2u * (y)) * (4u << (dstrd)))
#define CQyHDBL(y, dstrd)	(DOORBELLS + (2u * (y) + 1u) * (4u << (dstrd)))

#define CAP_MQES(c)	((uint32_t)(c) & 0xffffu)
#define CAP_TO(c)	((uint32_t)((c) >> 24) & 0xffu)
#define CAP_DSTRD(c)	((uint32_t)((c) >> 32) & 0xfu)
#define CAP_CSS_NVM	(1ull << 37)
#define CAP_MPSMIN(c)	((uint32_t)((c) >> 48) & 0xfu)
#define CC_EN		(1u << 0)
#define CC_CSS_NVM	(0u << 4)
#define CC_MPS_4K	(0u << 7)
#define CC_AMS_RR	(0u << 11)
#define CC_SHN_MASK	(3u << 14)
#define CC_IOSQES_64	(6u << 16)
#define CC_IOCQES_16	(4u << 20)
#define CSTS_RDY	(1u << 0)
#define CSTS_CFS	(1u << 1)

/* NVMe 4.2: submission queue entry. */
struct nvme_sqe {
	uint8_t opc;
	uint8_t flags;		/* FUSE [1:0], PSDT [7:6]: 0 = PRPs */
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2, cdw3;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
_Static_assert(sizeof(struct nvme_sqe) == 64, "nvme_sqe");
_Static_assert(offsetof(struct nvme_sqe, nsid) == 4, "nsid");
_Static_assert(offsetof(struct nvme_sqe, mptr) == 16, "mptr");
_Static_assert(offsetof(struct nvme_sqe, prp1) == 24, "prp1");
_Static_assert(offsetof(struct nvme_sqe, cdw10) == 40, "cdw10");

/* NVMe 4.6: completion queue entry; status = P [0], SC [8:1], SCT [11:9],
 * CRD [13:12], M [14], DNR [15]. */
struct nvme_cqe {
	uint32_t dw0;
	uint32_t dw1;
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	uint16_t status;
};
_Static_assert(sizeof(struct nvme_cqe) == 16, "nvme_cqe");
_Static_assert(offsetof(struct nvme_cqe, sqhd) == 8, "sqhd");
_Static_assert(offsetof(struct nvme_cqe, cid) == 12, "cid");

#define STATUS_P	1u
#define STATUS_SC(s)	(((s) >> 1) & 0xffu)
#define STATUS_SCT(s)	(((s) >> 9) & 0x7u)
#define STATUS_DNR	(1u << 15)

/* NVMe 5 (admin) and 6 (NVM command set) opcodes, Identify CNS, features. */
#define ADM_CREATE_IO_SQ	0x01
#define ADM_CREATE_IO_CQ	0x05
#define ADM_IDENTIFY		0x06
#define ADM_SET_FEATURES	0x09
#define NVM_FLUSH		0x00
#define NVM_WRITE		0x01
#define NVM_READ		0x02
#define CNS_NAMESPACE		0x00
#define CNS_CONTROLLER		0x01
#define CNS_ACTIVE_NS_LIST	0x02
#define FID_NUMBER_OF_QUEUES	0x07
#define QUEUE_PC		(1u << 0)	/* physically contiguous; IEN (bit 1) stays 0 */

/* Figure 247 (Identify Controller) and 245 (Identify Namespace) offsets. */
#define IDC_MDTS	77
#define IDC_NN		516
#define IDN_NSZE	0
#define IDN_NLBAF	25
#define IDN_FLBAS	26
#define IDN_LBAF0	128		/* 4 bytes each: MS [15:0], LBADS [23:16] */

struct nvme_queue {
	uint8_t *ring;
	uint16_t pos;		/* SQ: tail; CQ: head */
	uint8_t phase;		/* CQ: phase tag of the next new entry */
};

struct nvme_ctrl {
	uintptr_t regs;
	uint64_t cap;
	uint32_t dstrd;
	uint32_t entries;
	uint32_t ready_us;	/* CAP.TO */
	uint32_t max_bytes;	/* per command: bounce buffer or MDTS */
	uint16_t cid;
	bool dead;		/* refuses requests */
	bool no_recover;	/* while (re)initialising: a timeout just fails */
	unsigned index;
	uint8_t (*mem)[NVME_PAGE];	/* its 4 queue pages */
	char pci[8];		/* "00:04.0" */
	struct pci_addr addr;
	char serial[BLKDEV_ID_LEN];	/* Identify Controller SN, trimmed (formats/diskid.h) */
	char model[BLKDEV_ID_LEN];	/* MN */
	struct nvme_queue sq[2], cq[2];
};

struct nvme_ns {
	struct blkdev blk;
	struct nvme_ctrl *ctrl;
	uint32_t nsid;
};

static uint8_t queue_mem[NVME_MAX_CTRLS][4][NVME_PAGE] __attribute__((aligned(4096)));
static uint8_t bounce[NVME_BOUNCE_SIZE] __attribute__((aligned(4096)));
static uint64_t prp_list[NVME_PAGE / 8] __attribute__((aligned(4096)));
static struct nvme_ctrl ctrls[NVME_MAX_CTRLS];
static struct nvme_ns nss[NVME_MAX_NS];
static unsigned nctrls, nns;

/* Our memory is identity-mapped: a pointer is the physical (bus) address. */
static uint64_t phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static uint32_t rd32(const struct nvme_ctrl *c, uint32_t off)
{
	return *(volatile uint32_t *)(c->regs + off);
}

static void wr32(const struct nvme_ctrl *c, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(c->regs + off) = v;
}

static void wr64(const struct nvme_ctrl *c, uint32_t off, uint64_t v)
{
	wr32(c, off, (uint32_t)v);
	wr32(c, off + 4, (uint32_t)(v >> 32));
}

/* Wait for CSTS.RDY == want within CAP.TO.  Returns 0, or -ETIMEDOUT (also
 * when CSTS.CFS says the controller failed, or it reads all ones), said so
 * when report is set. */
static int wait_ready(const struct nvme_ctrl *c, uint32_t want, bool report)
{
	uint64_t start = clock_us();
	uint32_t csts;

	for (;;) {
		csts = rd32(c, CSTS);
		if (csts != 0xffffffffu && (csts & CSTS_RDY) == want)
			return 0;
		if ((want && (csts & CSTS_CFS)) || clock_us() - start >= c->ready_us)
			break;
		__asm__ volatile("pause");
	}
	if (report)
		printf("nvme: %s: CSTS.RDY not %u after %u ms (CSTS 0x%08x CC 0x%08x)\n", c->pci,
		       (unsigned)want, (unsigned)((clock_us() - start) / 1000), (unsigned)csts,
		       (unsigned)rd32(c, CC));
	return -ETIMEDOUT;
}

/* 7.6.1 step 1 / 7.3.2 "Controller Reset": CC.EN = 0, wait CSTS.RDY = 0.
 * An enable still in progress (EN = 1, RDY = 0) is let finish first, as
 * some controllers mishandle EN cleared before RDY is set. */
static int ctrl_disable(struct nvme_ctrl *c)
{
	uint32_t cc = rd32(c, CC);

	if ((cc & CC_EN) && !(rd32(c, CSTS) & CSTS_RDY))
		(void)wait_ready(c, CSTS_RDY, false);
	wr32(c, CC, cc & ~(CC_EN | CC_SHN_MASK));
	return wait_ready(c, 0, true);
}

static int ctrl_enable(struct nvme_ctrl *c);
static int ctrl_queues(struct nvme_ctrl *c, uint32_t *nn);

/* After a timeout or a broken completion: reset the controller (disabling
 * it stops its DMA) and bring it up again on fresh queues.  If that fails,
 * or the failure happened while (re)initialising, it stays disabled and
 * refuses further requests. */
static void ctrl_recover(struct nvme_ctrl *c)
{
	uint32_t nn;
	int err;

	if (c->no_recover) {
		c->dead = true;
		return;			/* the initialiser disables it */
	}
	c->no_recover = true;
	err = ctrl_disable(c);
	if (!err)
		err = ctrl_enable(c);
	if (!err)
		err = ctrl_queues(c, &nn);
	c->no_recover = false;
	if (!err) {
		printf("nvme: %s: controller reset; requests continue\n", c->pci);
		return;
	}
	c->dead = true;
	printf("nvme: %s: controller reset failed (%d); %s, no more requests\n", c->pci, err,
	       ctrl_disable(c) == 0 ? "disabled" : "NOT disabled");
}

static const char *opc_name(unsigned q, uint8_t opc)
{
	if (q == NVME_IO)
		return opc == NVM_READ ? "READ" : opc == NVM_WRITE ? "WRITE" : "FLUSH";
	switch (opc) {
	case ADM_CREATE_IO_SQ: return "CREATE I/O SQ";
	case ADM_CREATE_IO_CQ: return "CREATE I/O CQ";
	case ADM_IDENTIFY: return "IDENTIFY";
	default: return "SET FEATURES";
	}
}

/* "READ nsid 1 lba 2048 count 8" or "IDENTIFY nsid 0 cdw10 0x1", for messages. */
static const char *describe(unsigned q, const struct nvme_sqe *cmd, char *buf, size_t len)
{
	if (q == NVME_IO && cmd->opc != NVM_FLUSH)
		snprintf(buf, len, "%s nsid %u lba %llu count %u", opc_name(q, cmd->opc),
			 (unsigned)cmd->nsid,
			 (unsigned long long)((uint64_t)cmd->cdw11 << 32 | cmd->cdw10),
			 (unsigned)(cmd->cdw12 & 0xffffu) + 1);
	else
		snprintf(buf, len, "%s nsid %u cdw10 0x%x", opc_name(q, cmd->opc),
			 (unsigned)cmd->nsid, (unsigned)cmd->cdw10);
	return buf;
}

/* Poll queue q's next completion entry for its phase tag.  Returns 0 with
 * *out filled, or -ETIMEDOUT (CSTS.CFS or NVME_CMD_US). */
static int wait_cqe(struct nvme_ctrl *c, unsigned q, struct nvme_cqe *out)
{
	volatile struct nvme_cqe *e = (volatile struct nvme_cqe *)c->cq[q].ring + c->cq[q].pos;
	uint64_t start = clock_us();

	for (unsigned n = 1;; n++) {
		if ((e->status & STATUS_P) == c->cq[q].phase)
			break;
		if ((n % 1024 == 0 && (rd32(c, CSTS) & CSTS_CFS)) ||
		    clock_us() - start >= NVME_CMD_US)
			return -ETIMEDOUT;
		__asm__ volatile("pause");
	}
	/* The phase-tag load comes before the loads of the rest of the entry
	 * and of the data: x86 does not reorder loads, the clobber keeps the
	 * compiler from doing so. */
	__asm__ volatile("" : : : "memory");
	out->dw0 = e->dw0;
	out->sqid = e->sqid;
	out->cid = e->cid;
	out->status = e->status;
	if (++c->cq[q].pos == c->entries) {
		c->cq[q].pos = 0;
		c->cq[q].phase ^= 1;
	}
	wr32(c, CQyHDBL(q, c->dstrd), c->cq[q].pos);
	return 0;
}

/* Submit cmd on queue q and wait for its completion.  Returns 0 (with the
 * entry's DW0 in *dw0 if not NULL), -EIO (status printed, or the controller
 * was already failed) or -ETIMEDOUT (controller then failed). */
static int submit(struct nvme_ctrl *c, unsigned q, struct nvme_sqe *cmd, uint32_t *dw0,
		  const char *who)
{
	struct nvme_cqe cqe;
	char what[64];
	int err;

	if (c->dead)
		return -EIO;
	cmd->cid = c->cid;
	c->cid = (uint16_t)(c->cid + 1 == 0xffff ? 0 : c->cid + 1);
	memcpy(c->sq[q].ring + (size_t)c->sq[q].pos * sizeof(*cmd), cmd, sizeof(*cmd));
	c->sq[q].pos = (uint16_t)((c->sq[q].pos + 1) % c->entries);
	/* Order the queue entry and bounce data (ordinary stores) before the
	 * doorbell store that lets the controller fetch them.  x86 keeps
	 * stores in order; the fence also covers a write-combining BAR, the
	 * clobber keeps the compiler from sinking the stores past it. */
	__asm__ volatile("sfence" : : : "memory");
	wr32(c, SQyTDBL(q, c->dstrd), c->sq[q].pos);
	err = wait_cqe(c, q, &cqe);
	if (err) {
		printf("nvme: %s: %s: no completion after %u ms%s (CQ %u head %u, CSTS 0x%08x)\n",
		       who, describe(q, cmd, what, sizeof(what)), NVME_CMD_US / 1000,
		       iommu_dma_note(), q, c->cq[q].pos, (unsigned)rd32(c, CSTS));
		devices_note_timeout(who, what);
		ctrl_recover(c);
		return err;
	}
	if (cqe.cid != cmd->cid || cqe.sqid != q) {
		printf("nvme: %s: %s: completion for cid %u on SQ %u, expected cid %u on SQ %u\n",
		       who, describe(q, cmd, what, sizeof(what)), cqe.cid, cqe.sqid, cmd->cid, q);
		ctrl_recover(c);
		return -EIO;
	}
	if (STATUS_SC(cqe.status) || STATUS_SCT(cqe.status)) {
		printf("nvme: %s: %s failed: SCT 0x%x SC 0x%02x%s\n", who,
		       describe(q, cmd, what, sizeof(what)), STATUS_SCT(cqe.status),
		       STATUS_SC(cqe.status),
		       (cqe.status & STATUS_DNR) ? " (do not retry)" : "");
		return -EIO;
	}
	if (dw0 != NULL)
		*dw0 = cqe.dw0;
	return 0;
}

/* Identify (5.15) into the first page of the bounce buffer. */
static int identify(struct nvme_ctrl *c, uint8_t cns, uint32_t nsid)
{
	struct nvme_sqe cmd;

	memset(&cmd, 0, sizeof(cmd));
	memset(bounce, 0, NVME_PAGE);
	cmd.opc = ADM_IDENTIFY;
	cmd.nsid = nsid;
	cmd.prp1 = phys(bounce);
	cmd.cdw10 = cns;
	return submit(c, NVME_ADMIN, &cmd, NULL, c->pci);
}

/* One admin command with PRP1 and CDW10-11 only. */
static int admin(struct nvme_ctrl *c, uint8_t opc, uint64_t prp1, uint32_t cdw10, uint32_t cdw11)
{
	struct nvme_sqe cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = opc;
	cmd.prp1 = prp1;
	cmd.cdw10 = cdw10;
	cmd.cdw11 = cdw11;
	return submit(c, NVME_ADMIN, &cmd, NULL, c->pci);
}

/* 7.6.1 steps 2-5: admin queues, CC, CC.EN = 1, wait CSTS.RDY; then
 * INTMS all ones (MSI-X is off, so INTMS is ours to use). */
static int ctrl_enable(struct nvme_ctrl *c)
{
	uint32_t cc = CC_CSS_NVM | CC_MPS_4K | CC_AMS_RR | CC_IOSQES_64 | CC_IOCQES_16;
	int err;

	memset(c->mem, 0, 4 * NVME_PAGE);
	for (unsigned q = 0; q < 2; q++) {
		c->sq[q].ring = c->mem[2 * q];
		c->cq[q].ring = c->mem[2 * q + 1];
		c->sq[q].pos = c->cq[q].pos = 0;
		c->cq[q].phase = 1;	/* the zeroed ring holds phase 0 */
	}
	wr32(c, AQA, (c->entries - 1) << 16 | (c->entries - 1));	/* ACQS, ASQS */
	wr64(c, ASQ, phys(c->sq[NVME_ADMIN].ring));
	wr64(c, ACQ, phys(c->cq[NVME_ADMIN].ring));
	wr32(c, CC, cc);
	wr32(c, CC, cc | CC_EN);
	err = wait_ready(c, CSTS_RDY, true);
	if (err)
		return err;
	wr32(c, INTMS, 0xffffffffu);
	return 0;
}

/* 7.6.1 steps 6-8: Identify Controller (NN, MDTS), Set Features Number of
 * Queues (one pair), Create I/O CQ 1 then I/O SQ 1, both physically
 * contiguous, the CQ without interrupts.  Returns 0 with *nn set. */
static int ctrl_queues(struct nvme_ctrl *c, uint32_t *nn)
{
	uint32_t qsize = (c->entries - 1) << 16 | NVME_IO;	/* QSIZE, QID */
	uint8_t mdts;
	int err;

	err = identify(c, CNS_CONTROLLER, 0);
	if (err)
		return err;
	*nn = le_get32(bounce + IDC_NN);
	mdts = bounce[IDC_MDTS];
	diskid_text(c->serial, sizeof(c->serial), bounce + DISKID_NVME_SN, DISKID_NVME_SN_LEN);
	diskid_text(c->model, sizeof(c->model), bounce + DISKID_NVME_MN, DISKID_NVME_MN_LEN);
	c->max_bytes = NVME_BOUNCE_SIZE;
	if (mdts != 0 && mdts < 16 && (NVME_PAGE << mdts) < c->max_bytes)
		c->max_bytes = NVME_PAGE << mdts;	/* units of CAP.MPSMIN = 4 KiB */
	/* NCQR = NSQR = 0 (0-based): one I/O queue pair */
	err = admin(c, ADM_SET_FEATURES, 0, FID_NUMBER_OF_QUEUES, 0);
	if (!err)
		err = admin(c, ADM_CREATE_IO_CQ, phys(c->cq[NVME_IO].ring), qsize, QUEUE_PC);
	if (!err)
		err = admin(c, ADM_CREATE_IO_SQ, phys(c->sq[NVME_IO].ring), qsize,
			    (uint32_t)NVME_IO << 16 | QUEUE_PC);	/* CQID */
	return err;
}

static int ns_io(struct nvme_ns *ns, uint8_t opc, uint64_t lba, uint32_t count)
{
	uint32_t bytes = count * ns->blk.sector_size;
	struct nvme_sqe cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = opc;
	cmd.nsid = ns->nsid;
	if (opc != NVM_FLUSH) {
		cmd.prp1 = phys(bounce);
		if (bytes > 2 * NVME_PAGE)
			cmd.prp2 = phys(prp_list);
		else if (bytes > NVME_PAGE)
			cmd.prp2 = phys(bounce + NVME_PAGE);
		cmd.cdw10 = (uint32_t)lba;		/* SLBA */
		cmd.cdw11 = (uint32_t)(lba >> 32);
		cmd.cdw12 = count - 1;			/* NLB, 0-based */
	}
	return submit(ns->ctrl, NVME_IO, &cmd, NULL, ns->blk.name);
}

static int nvme_read(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf)
{
	int err = ns_io(dev->priv, NVM_READ, lba, count);

	if (err == 0)
		memcpy(buf, bounce, (size_t)count * dev->sector_size);
	return err;
}

static int nvme_write(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf)
{
	memcpy(bounce, buf, (size_t)count * dev->sector_size);
	return ns_io(dev->priv, NVM_WRITE, lba, count);
}

static int nvme_flush(struct blkdev *dev)
{
	return ns_io(dev->priv, NVM_FLUSH, 0, 0);
}

static const struct blkdev_ops nvme_ops = { nvme_read, nvme_write, nvme_flush };

/* Identify Namespace nsid and register it if active and usable.  Returns
 * false only when the controller has failed (stop asking it). */
static bool ns_add(struct nvme_ctrl *c, uint32_t nsid)
{
	struct nvme_ns *ns = &nss[nns];
	uint32_t lbaf, ms, lbads;
	uint64_t nsze;
	unsigned fmt;

	if (identify(c, CNS_NAMESPACE, nsid) != 0)
		return !c->dead;
	nsze = le_get64(bounce + IDN_NSZE);
	if (nsze == 0)
		return true;			/* inactive */
	fmt = bounce[IDN_FLBAS] & 0xfu;
	lbaf = le_get32(bounce + IDN_LBAF0 + 4 * fmt);
	ms = lbaf & 0xffffu;
	lbads = (lbaf >> 16) & 0xffu;
	if (fmt > bounce[IDN_NLBAF] || ms != 0 || lbads < 9 || lbads > 16 ||
	    (1u << lbads) > c->max_bytes) {
		printf("nvme: nvme%un%u: LBA format %u (FLBAS 0x%02x LBAF 0x%08x, %u metadata "
		       "bytes) unusable, skipped\n", c->index, (unsigned)nsid, fmt,
		       bounce[IDN_FLBAS], (unsigned)lbaf, (unsigned)ms);
		return true;
	}
	if (nns == NVME_MAX_NS) {
		printf("nvme: nvme%un%u: more than %u namespaces, skipped\n", c->index,
		       (unsigned)nsid, NVME_MAX_NS);
		return true;
	}
	memset(ns, 0, sizeof(*ns));
	snprintf(ns->blk.name, sizeof(ns->blk.name), "nvme%un%u", c->index, (unsigned)nsid);
	ns->blk.sector_size = 1u << lbads;
	ns->blk.sectors = nsze;
	ns->blk.max_transfer = c->max_bytes >> lbads;
	ns->blk.ops = &nvme_ops;
	ns->blk.priv = ns;
	ns->ctrl = c;
	ns->nsid = nsid;
	ns->blk.ident.kind = BLKDEV_KIND_NVME;
	memcpy(ns->blk.ident.serial, c->serial, sizeof(c->serial));
	memcpy(ns->blk.ident.model, c->model, sizeof(c->model));
	ns->blk.ident.nsid = nsid;
	ns->blk.ident.pci_valid = true;
	ns->blk.ident.pci_bus = c->addr.bus;
	ns->blk.ident.pci_dev = c->addr.dev;
	ns->blk.ident.pci_fn = c->addr.fn;
	if (blkdev_register(&ns->blk) != 0) {
		printf("nvme: %s: block device table full, skipped\n", ns->blk.name);
		return true;
	}
	printf("nvme: %s at %s, %llu MiB, %u-byte sectors, serial \"%s\", model \"%s\"\n",
	       ns->blk.name, c->pci, (unsigned long long)((nsze << lbads) >> 20),
	       ns->blk.sector_size, c->serial, c->model);
	nns++;
	return true;
}

/* The active namespace list (CNS 02h, NVMe 1.1+), else NSIDs 1..NN. */
static void ctrl_namespaces(struct nvme_ctrl *c, uint32_t nn)
{
	uint32_t ids[NVME_MAX_NS + 1];
	unsigned n = 0;

	if (rd32(c, VS) >= 0x00010100u && identify(c, CNS_ACTIVE_NS_LIST, 0) == 0) {
		for (unsigned i = 0; i < NVME_PAGE / 4 && n < NVME_MAX_NS + 1; i++) {
			ids[n] = le_get32(bounce + 4 * i);
			if (ids[n] == 0)
				break;
			n++;
		}
		for (unsigned i = 0; i < n && ns_add(c, ids[i]); i++)
			;
		return;
	}
	for (uint32_t nsid = 1; nsid <= nn && nsid <= 1024 && nns < NVME_MAX_NS; nsid++)
		if (!ns_add(c, nsid))
			return;
}

/* Map BAR0 and read CAP; check what we need of it (NVM command set, 4 KiB
 * pages).  Returns 0 or -ENODEV, said why. */
static int ctrl_map(struct nvme_ctrl *c, const struct pci_func *f)
{
	struct pci_bar bar;
	uint64_t len = 0x2000;
	int err;

	err = pci_bar(f->addr, 0, &bar);
	if (err || bar.io) {
		printf("nvme: %s: BAR0 is %s (%d), skipped\n", c->pci,
		       err ? "unassigned or invalid" : "I/O space", err);
		return -ENODEV;
	}
	for (int pass = 0; pass < 2; pass++) {
		if (!cpu_is_mapped(bar.base, len) && (err = cpu_map_phys(bar.base, len)) != 0) {
			printf("nvme: %s: cannot map BAR0 at 0x%llx+0x%llx (%d), skipped\n", c->pci,
			       (unsigned long long)bar.base, (unsigned long long)len, err);
			return -ENODEV;
		}
		c->regs = (uintptr_t)bar.base;
		if (pass == 0) {
			pci_msi_disable(f->addr);
			pci_enable(f->addr, true, false, true);
			c->cap = rd32(c, CAP) | (uint64_t)rd32(c, CAP + 4) << 32;
			c->dstrd = CAP_DSTRD(c->cap);
			len = CQyHDBL(NVME_IO, c->dstrd) + 4;	/* through our last doorbell */
		}
	}
	if (c->cap == ~0ull || !(c->cap & CAP_CSS_NVM) || CAP_MPSMIN(c->cap) != 0) {
		printf("nvme: %s: CAP 0x%016llx: %s, skipped\n", c->pci, (unsigned long long)c->cap,
		       c->cap == ~0ull ? "registers read all ones" :
		       !(c->cap & CAP_CSS_NVM) ? "no NVM command set" : "no 4 KiB pages");
		return -ENODEV;
	}
	c->entries = CAP_MQES(c->cap) + 1 < NVME_ENTRIES ? CAP_MQES(c->cap) + 1 : NVME_ENTRIES;
	c->ready_us = (CAP_TO(c->cap) ? CAP_TO(c->cap) : 1) * 500000u;
	return 0;
}

static void ctrl_probe(const struct pci_func *f)
{
	struct nvme_ctrl *c;
	uint32_t nn;

	if (nctrls == NVME_MAX_CTRLS) {
		printf("nvme: more than %u controllers, %02x:%02x.%x skipped\n", NVME_MAX_CTRLS,
		       f->addr.bus, f->addr.dev, f->addr.fn);
		return;
	}
	c = &ctrls[nctrls];
	memset(c, 0, sizeof(*c));
	c->index = nctrls;
	c->mem = queue_mem[nctrls];
	c->no_recover = true;
	snprintf(c->pci, sizeof(c->pci), "%02x:%02x.%x", f->addr.bus & 0xffu,
		 f->addr.dev & 0x1fu, f->addr.fn & 7u);
	c->addr = f->addr;
	if (ctrl_map(c, f) != 0)
		return;
	if (ctrl_disable(c) != 0) {
		printf("nvme: %s: controller will not disable, skipped\n", c->pci);
		nctrls++;		/* it may still own its queue pages: keep them */
		return;
	}
	if (ctrl_enable(c) != 0 || ctrl_queues(c, &nn) != 0) {
		printf("nvme: %s: initialisation failed, skipped\n", c->pci);
		if (ctrl_disable(c) != 0)
			nctrls++;
		return;
	}
	c->no_recover = false;
	nctrls++;
	ctrl_namespaces(c, nn);
}

static int probe_cb(const struct pci_func *f, void *ctx)
{
	(void)ctx;
	if (f->class_code == 0x01 && f->subclass == 0x08 && f->prog_if == 0x02)
		ctrl_probe(f);
	return 0;
}

int nvme_probe(void)
{
	/* PRP list for transfers over two pages: the bounce buffer's pages
	 * after the first (PRP1 carries that one). */
	for (unsigned i = 0; i + 1 < NVME_BOUNCE_SIZE / NVME_PAGE; i++)
		prp_list[i] = phys(bounce + (size_t)(i + 1) * NVME_PAGE);
	pci_scan(probe_cb, NULL);
	return (int)nns;
}
