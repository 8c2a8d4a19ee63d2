/*
 * virtio-blk over PCI, polled, one request in flight (see virtio_blk.h).
 *
 * Specs: virtio 1.2 (OASIS, cs01) §3.1.1 driver initialisation, §4.1.4
 * PCI capabilities, §4.1.4.10 legacy interface, §2.7 split virtqueues,
 * §5.2 block device.  Two transports, chosen per device:
 *
 *  - modern (virtio 1.0+): vendor-specific PCI capabilities point into
 *    BARs at the common configuration (features, status, queue set-up),
 *    the notification area (doorbells) and the device configuration.
 *    QEMU's default transitional virtio-blk-pci and disable-legacy=on.
 *  - legacy (transitional device 0x1001 without usable capabilities, e.g.
 *    QEMU disable-modern=on): fixed registers in I/O BAR 0, the queue size
 *    the device dictates, and the ring laid out with 4096-byte alignment.
 *
 * Every request is one descriptor chain on queue 0:
 *
 *   desc[0] header   16 bytes  {type, reserved, sector}  device reads
 *   desc[1] data     the bounce buffer, count * 512 << shift bytes
 *                    (absent for a flush; device writes it for a read,
 *                    and its 20-byte serial for GET_ID at probe)
 *   desc[2] status   1 byte                              device writes
 *
 * posted at avail.ring[avail.idx % size], published by bumping avail.idx,
 * announced by writing 0 to queue 0's doorbell, and completed when
 * used.idx moves; we then read the status byte.  Waits are bounded by
 * VIRTIO_BLK_TIMEOUT_US on clock_us(); a timeout resets the device (so it
 * cannot write into our memory later) and disables it.
 *
 * Memory: the rings of each device and one bounce buffer, header and
 * status byte shared by all devices (one CPU, one request at a time) are
 * page-aligned statics in .bss: our own memory, identity-mapped, so a
 * static's address is its physical address.  Interrupts stay off:
 * pci_msi_disable() and INTx disable at probe, VIRTQ_AVAIL_F_NO_INTERRUPT,
 * and modern MSI-X vectors set to VIRTIO_MSI_NO_VECTOR; we never read ISR.
 *
 * Barriers: x86 keeps stores in order and loads in order, so the release
 * and acquire fences below only stop the compiler; the full fence before
 * the doorbell orders our ring stores with the device's view even when the
 * doorbell is MMIO.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "drivers/blk_services.h"
#include "drivers/clock.h"
#include "drivers/cpu_services.h"
#include "formats/diskid.h"
#include "drivers/io.h"
#include "drivers/pci.h"
#include "drivers/virtio.h"
#include "drivers/virtio_blk.h"

#define VIRTIO_BLK_MAX		8		/* devices we keep rings for */
#define VIRTIO_BLK_QSIZE	16		/* modern: entries we ask for */
#define VIRTIO_BLK_LEGACY_QMAX	256		/* legacy: largest size we can lay out */
#define VIRTIO_BLK_RING_BYTES	(3 * 4096)	/* legacy layout of 256 entries */
#define VIRTIO_BLK_BOUNCE	(64u << 10)
#define VIRTIO_BLK_TIMEOUT_US	5000000u
#define VIRTIO_RESET_TIMEOUT_US	1000000u
#define VIRTIO_LEGACY_CONFIG_LEN 0x40		/* legacy device config we may read */

/* ACCESS_PLATFORM is accepted when offered: our addresses are physical,
 * which is what a device behind no (or a disabled) IOMMU uses anyway. */
#define VIRTIO_BLK_WANTED	(VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_RO | \
				 VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH | \
				 VIRTIO_F_VERSION_1 | VIRTIO_F_ACCESS_PLATFORM)

/* A register window: I/O ports or (identity-mapped) memory. */
struct vio_reg {
	uint64_t base;
	uint32_t len;
	bool io;
};

struct vblk {
	struct blkdev blk;
	struct pci_addr pci;
	bool modern, ro, flush, dead;
	uint64_t features;
	struct vio_reg common;		/* modern common cfg, or legacy BAR 0 */
	struct vio_reg notify;		/* queue 0's doorbell */
	struct vio_reg devcfg;		/* struct virtio_blk_config */
	uint32_t notify_mult;		/* modern: notify_off_multiplier */
	uint16_t qsize, avail_idx, used_idx;
	unsigned shift;			/* log2(sector_size / 512) */
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
};

static struct vblk vblks[VIRTIO_BLK_MAX];
static unsigned nvblks;
static uint8_t rings[VIRTIO_BLK_MAX][VIRTIO_BLK_RING_BYTES] __attribute__((aligned(4096)));
static uint8_t bounce[VIRTIO_BLK_BOUNCE] __attribute__((aligned(4096)));
static struct {
	struct virtio_blk_req_hdr hdr;
	uint8_t status;
} req __attribute__((aligned(64)));
static char why[160];			/* the reason a probe step failed */

#define wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)

static uint64_t phys(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static uint8_t rd8(const struct vio_reg *r, uint32_t off)
{
	return r->io ? inb((uint16_t)(r->base + off)) :
		*(volatile uint8_t *)(uintptr_t)(r->base + off);
}

static uint16_t rd16(const struct vio_reg *r, uint32_t off)
{
	return r->io ? inw((uint16_t)(r->base + off)) :
		*(volatile uint16_t *)(uintptr_t)(r->base + off);
}

static uint32_t rd32(const struct vio_reg *r, uint32_t off)
{
	return r->io ? inl((uint16_t)(r->base + off)) :
		*(volatile uint32_t *)(uintptr_t)(r->base + off);
}

static void wr8(const struct vio_reg *r, uint32_t off, uint8_t v)
{
	if (r->io)
		outb((uint16_t)(r->base + off), v);
	else
		*(volatile uint8_t *)(uintptr_t)(r->base + off) = v;
}

static void wr16(const struct vio_reg *r, uint32_t off, uint16_t v)
{
	if (r->io)
		outw((uint16_t)(r->base + off), v);
	else
		*(volatile uint16_t *)(uintptr_t)(r->base + off) = v;
}

static void wr32(const struct vio_reg *r, uint32_t off, uint32_t v)
{
	if (r->io)
		outl((uint16_t)(r->base + off), v);
	else
		*(volatile uint32_t *)(uintptr_t)(r->base + off) = v;
}

/* 64-bit common-cfg fields are written as two 32-bit halves, low first (§4.1.3.1). */
static void wr64(const struct vio_reg *r, uint32_t off, uint64_t v)
{
	wr32(r, off, (uint32_t)v);
	wr32(r, off + 4, (uint32_t)(v >> 32));
}

static uint32_t status_reg(const struct vblk *v)
{
	return v->modern ? VIRTIO_COMMON(device_status) : VIRTIO_LEGACY_DEVICE_STATUS;
}

static uint8_t get_status(const struct vblk *v)
{
	return rd8(&v->common, status_reg(v));
}

static void add_status(const struct vblk *v, uint8_t bits)
{
	wr8(&v->common, status_reg(v), (uint8_t)(get_status(v) | bits));
}

__attribute__((format(printf, 1, 2)))
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return -EIO;
}

/* Reset (§2.4): write 0, then wait until device_status reads back 0, which
 * a modern device uses to say the reset is complete. */
static int vio_reset(const struct vblk *v)
{
	uint64_t deadline = clock_us() + VIRTIO_RESET_TIMEOUT_US;
	uint8_t s;

	wr8(&v->common, status_reg(v), 0);
	while ((s = get_status(v)) != 0) {
		if (clock_us() > deadline) {
			fail("reset: device_status stayed 0x%02x for %u ms", s,
			     VIRTIO_RESET_TIMEOUT_US / 1000);
			return -ETIMEDOUT;
		}
		__asm__ volatile("pause");
	}
	return 0;
}

/* The window [off, off + len) of BAR bar, mapped when it is memory; on
 * failure why[] says what was wrong with it. */
static int bar_window(struct pci_addr a, uint8_t bar, uint32_t off, uint32_t len,
		      struct vio_reg *r)
{
	struct pci_bar b;
	int err = pci_bar(a, bar, &b);

	if (err || b.base + off < b.base) {
		fail("BAR%u holds no usable address (%d)", bar, err);
		return -ENOENT;
	}
	r->base = b.base + off;
	r->len = len;
	r->io = b.io;
	if (r->io)
		err = r->base + len <= 0x10000 ? 0 : -ERANGE;
	else
		err = cpu_map_phys(r->base, len);
	if (err)
		fail("BAR%u window 0x%llx+0x%x cannot be %s (%d)", bar,
		     (unsigned long long)r->base, len, r->io ? "addressed" : "mapped", err);
	return err;
}

/*
 * §4.1.4: take the first common, notify and device capability whose BAR
 * and length are usable (§4.1.4.1: the driver uses the first it can).  The
 * ISR capability is not needed: we never take interrupts.  Returns 0 when
 * all three were found, -ENOENT when the device has none of them (a legacy
 * device), or -EIO with why[] naming the one that could not be used.
 */
static int find_modern(struct vblk *v)
{
	struct pci_addr a = v->pci;
	bool have[VIRTIO_PCI_CAP_DEVICE_CFG + 1] = { false };
	bool seen = false;
	uint16_t cap = 0;

	for (unsigned n = 0; n < PCI_CAP_MAX; n++) {
		uint8_t type, bar, len;
		uint32_t off, size;
		struct vio_reg r;

		cap = pci_cap_find(a, PCI_CAP_ID_VNDR, cap);
		if (cap == 0)
			break;
		type = pci_read8(a, cap + offsetof(struct virtio_pci_cap, cfg_type));
		bar = pci_read8(a, cap + offsetof(struct virtio_pci_cap, bar));
		len = pci_read8(a, cap + offsetof(struct virtio_pci_cap, cap_len));
		off = pci_read32(a, cap + offsetof(struct virtio_pci_cap, offset));
		size = pci_read32(a, cap + offsetof(struct virtio_pci_cap, length));
		/* Other types (ISR, PCI cfg access, 1.2's shared memory...) and
		 * reserved BAR numbers are skipped, as §4.1.4.1 asks. */
		if ((type != VIRTIO_PCI_CAP_COMMON_CFG && type != VIRTIO_PCI_CAP_NOTIFY_CFG &&
		     type != VIRTIO_PCI_CAP_DEVICE_CFG) || have[type] || bar > 5 || len < 16 ||
		    (type == VIRTIO_PCI_CAP_NOTIFY_CFG && len < 20))
			continue;
		seen = true;
		if ((type == VIRTIO_PCI_CAP_COMMON_CFG && size < sizeof(struct virtio_pci_common_cfg)) ||
		    (type == VIRTIO_PCI_CAP_NOTIFY_CFG && size < 2) ||
		    (type == VIRTIO_PCI_CAP_DEVICE_CFG && size < sizeof(uint64_t))) {
			fail("capability type %u at 0x%02x is only %u bytes long", type, cap, size);
			continue;
		}
		if (bar_window(a, bar, off, size, &r) != 0)
			continue;
		if (type == VIRTIO_PCI_CAP_COMMON_CFG) {
			v->common = r;
		} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG) {
			v->devcfg = r;
		} else {
			v->notify = r;
			v->notify_mult = pci_read32(a, cap + offsetof(struct virtio_pci_cap,
								      notify_off_multiplier));
		}
		have[type] = true;
	}
	if (have[VIRTIO_PCI_CAP_COMMON_CFG] && have[VIRTIO_PCI_CAP_NOTIFY_CFG] &&
	    have[VIRTIO_PCI_CAP_DEVICE_CFG])
		return 0;
	if (!seen)
		return -ENOENT;
	if (why[0] == '\0')
		fail("virtio 1.0 capabilities incomplete (common %d, notify %d, device %d)",
		     have[VIRTIO_PCI_CAP_COMMON_CFG], have[VIRTIO_PCI_CAP_NOTIFY_CFG],
		     have[VIRTIO_PCI_CAP_DEVICE_CFG]);
	return -EIO;
}

static int find_legacy(struct vblk *v)
{
	struct pci_bar b;

	if (pci_bar(v->pci, 0, &b) != 0 || !b.io ||
	    b.base + VIRTIO_LEGACY_CONFIG + VIRTIO_LEGACY_CONFIG_LEN > 0x10000)
		return -ENOENT;
	v->common = (struct vio_reg){ b.base, VIRTIO_LEGACY_CONFIG, true };
	v->notify = (struct vio_reg){ b.base + VIRTIO_LEGACY_QUEUE_NOTIFY, 2, true };
	v->devcfg = (struct vio_reg){ b.base + VIRTIO_LEGACY_CONFIG, VIRTIO_LEGACY_CONFIG_LEN, true };
	return 0;
}

/*
 * §3.1.1 steps 4-6: read the device's features, keep those we use, write
 * them back and (modern) set FEATURES_OK and check the device kept it.
 */
static int negotiate(struct vblk *v)
{
	uint64_t offered, take;

	if (!v->modern) {
		offered = rd32(&v->common, VIRTIO_LEGACY_HOST_FEATURES);
		take = offered & VIRTIO_BLK_WANTED;
		wr32(&v->common, VIRTIO_LEGACY_GUEST_FEATURES, (uint32_t)take);
		v->features = take;
		return 0;		/* legacy devices have no FEATURES_OK */
	}
	wr32(&v->common, VIRTIO_COMMON(device_feature_select), 0);
	offered = rd32(&v->common, VIRTIO_COMMON(device_feature));
	wr32(&v->common, VIRTIO_COMMON(device_feature_select), 1);
	offered |= (uint64_t)rd32(&v->common, VIRTIO_COMMON(device_feature)) << 32;
	if (!(offered & VIRTIO_F_VERSION_1))
		return fail("modern interface without VIRTIO_F_VERSION_1 (features 0x%llx)",
			    (unsigned long long)offered);
	take = offered & VIRTIO_BLK_WANTED;
	wr32(&v->common, VIRTIO_COMMON(driver_feature_select), 0);
	wr32(&v->common, VIRTIO_COMMON(driver_feature), (uint32_t)take);
	wr32(&v->common, VIRTIO_COMMON(driver_feature_select), 1);
	wr32(&v->common, VIRTIO_COMMON(driver_feature), (uint32_t)(take >> 32));
	/* Step 5: FEATURES_OK; step 6: re-read it to see the device accepted. */
	add_status(v, VIRTIO_STATUS_FEATURES_OK);
	if (!(get_status(v) & VIRTIO_STATUS_FEATURES_OK))
		return fail("device refused features 0x%llx (FEATURES_OK cleared, status 0x%02x)",
			    (unsigned long long)take, get_status(v));
	v->features = take;
	return 0;
}

/* Place desc, avail and used for qsize entries in ring memory r; used is
 * aligned to `align` (4 modern, 4096 legacy).  False if it does not fit. */
static bool ring_layout(struct vblk *v, uint8_t *r, uint16_t qsize, uint32_t align)
{
	uint32_t avail_off = 16u * qsize;
	uint32_t used_off = (avail_off + 6u + 2u * qsize + align - 1) & ~(align - 1);

	if (used_off + 6u + 8u * qsize > VIRTIO_BLK_RING_BYTES)
		return false;
	memset(r, 0, VIRTIO_BLK_RING_BYTES);
	v->qsize = qsize;
	v->desc = (volatile struct virtq_desc *)r;
	v->avail = (volatile struct virtq_avail *)(r + avail_off);
	v->used = (volatile struct virtq_used *)(r + used_off);
	v->avail_idx = v->used_idx = 0;
	/* We poll: ask the device not to interrupt (§2.7.7). */
	v->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	return true;
}

/* §4.1.5.1.3 (modern) and §4.1.4.10 (legacy): set up queue 0 in ring memory r. */
static int queue_setup(struct vblk *v, uint8_t *r)
{
	uint16_t size, notify_off;
	uint64_t doorbell;

	if (!v->modern) {
		/* Legacy: the size is the device's, the ring one block at a PFN. */
		wr16(&v->common, VIRTIO_LEGACY_QUEUE_SELECT, 0);
		size = rd16(&v->common, VIRTIO_LEGACY_QUEUE_SIZE);
		if (size == 0 || size > VIRTIO_BLK_LEGACY_QMAX ||
		    !ring_layout(v, r, size, VIRTIO_LEGACY_ALIGN))
			return fail("legacy queue 0 has %u entries (this driver lays out 1-%u)",
				    size, VIRTIO_BLK_LEGACY_QMAX);
		wr32(&v->common, VIRTIO_LEGACY_QUEUE_PFN, (uint32_t)(phys(r) / VIRTIO_LEGACY_ALIGN));
		return 0;
	}
	wr16(&v->common, VIRTIO_COMMON(queue_select), 0);
	size = rd16(&v->common, VIRTIO_COMMON(queue_size));
	if (size == 0)
		return fail("queue 0 does not exist (queue_size 0)");
	if (rd16(&v->common, VIRTIO_COMMON(queue_enable)) != 0)
		return fail("queue 0 still enabled after reset");
	/* Sizes are powers of two; a smaller one than the device's is allowed. */
	ring_layout(v, r, size < VIRTIO_BLK_QSIZE ? size : VIRTIO_BLK_QSIZE, 4);
	wr16(&v->common, VIRTIO_COMMON(queue_size), v->qsize);
	/* No MSI-X vector for the queue nor for configuration changes. */
	wr16(&v->common, VIRTIO_COMMON(queue_msix_vector), VIRTIO_MSI_NO_VECTOR);
	wr16(&v->common, VIRTIO_COMMON(config_msix_vector), VIRTIO_MSI_NO_VECTOR);
	wr64(&v->common, VIRTIO_COMMON(queue_desc), phys(v->desc));
	wr64(&v->common, VIRTIO_COMMON(queue_driver), phys(v->avail));
	wr64(&v->common, VIRTIO_COMMON(queue_device), phys(v->used));
	/* §4.1.4.4: the doorbell is at cap.offset + queue_notify_off * multiplier. */
	notify_off = rd16(&v->common, VIRTIO_COMMON(queue_notify_off));
	doorbell = (uint64_t)notify_off * v->notify_mult;
	if (doorbell + 2 > v->notify.len)
		return fail("queue 0 doorbell at +0x%llx lies outside the %u-byte notify area",
			    (unsigned long long)doorbell, v->notify.len);
	v->notify.base += doorbell;
	v->notify.len = 2;
	wr16(&v->common, VIRTIO_COMMON(queue_enable), 1);
	return 0;
}

/* The block configuration (§5.2.4): capacity, and blk_size / size_max when
 * negotiated.  A modern device may change it under us: re-read until
 * config_generation is the same before and after (§4.1.4.3.1); a legacy one
 * has no generation, so capacity is read until two reads agree. */
static void read_config(const struct vblk *v, uint64_t *capacity, uint32_t *blk_size,
			uint32_t *size_max)
{
	for (unsigned tries = 0; tries < 16; tries++) {
		uint8_t gen = v->modern ? rd8(&v->common, VIRTIO_COMMON(config_generation)) : 0;
		uint64_t again;

		*capacity = rd32(&v->devcfg, VIRTIO_BLK_CFG(capacity)) |
			    (uint64_t)rd32(&v->devcfg, VIRTIO_BLK_CFG(capacity) + 4) << 32;
		*blk_size = 512;
		*size_max = 0;
		if ((v->features & VIRTIO_BLK_F_BLK_SIZE) &&
		    v->devcfg.len >= VIRTIO_BLK_CFG(blk_size) + 4)
			*blk_size = rd32(&v->devcfg, VIRTIO_BLK_CFG(blk_size));
		if ((v->features & VIRTIO_BLK_F_SIZE_MAX) &&
		    v->devcfg.len >= VIRTIO_BLK_CFG(size_max) + 4)
			*size_max = rd32(&v->devcfg, VIRTIO_BLK_CFG(size_max));
		if (v->modern) {
			if (gen == rd8(&v->common, VIRTIO_COMMON(config_generation)))
				return;
			continue;
		}
		again = rd32(&v->devcfg, VIRTIO_BLK_CFG(capacity)) |
			(uint64_t)rd32(&v->devcfg, VIRTIO_BLK_CFG(capacity) + 4) << 32;
		if (again == *capacity)
			return;
	}
}

/* "read of 8 sectors at 32760" or "flush", for messages. */
static const char *describe(uint32_t type, uint64_t lba, uint32_t count)
{
	static char buf[64];

	if (type == VIRTIO_BLK_T_FLUSH)
		return "flush";
	if (type == VIRTIO_BLK_T_GET_ID)
		return "GET_ID";
	snprintf(buf, sizeof(buf), "%s of %u sectors at %llu",
		 type == VIRTIO_BLK_T_IN ? "read" : "write", count, (unsigned long long)lba);
	return buf;
}

static void set_desc(volatile struct virtq_desc *d, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* A request that never completed: say which register never moved, then
 * reset the device so it cannot write into our memory later. */
static int request_timed_out(struct vblk *v, uint32_t type, uint64_t lba, uint32_t count)
{
	printf("virtio-blk: %s: %s: no completion in %u ms%s (used ring idx stayed %u, "
	       "device_status 0x%02x); device reset and disabled\n", v->blk.name,
	       describe(type, lba, count), VIRTIO_BLK_TIMEOUT_US / 1000, iommu_dma_note(),
	       v->used_idx, get_status(v));
	devices_note_timeout(v->blk.name, describe(type, lba, count));
	v->dead = true;
	vio_reset(v);
	return -ETIMEDOUT;
}

/*
 * Post one request of count sectors at lba (blkdev units) through the
 * bounce buffer, ring the doorbell and poll for its completion (len: the
 * data bytes, count sectors' worth but for GET_ID).  Returns 0, -ETIMEDOUT,
 * -ENOTSUP (VIRTIO_BLK_S_UNSUPP for GET_ID, not printed) or -EIO (the
 * device's status byte was not OK, or the device is disabled).
 */
static int vblk_post(struct vblk *v, uint32_t type, uint64_t lba, uint32_t count, uint32_t len)
{
	uint16_t last = 1;
	uint64_t deadline;
	uint32_t id;
	uint8_t st;

	if (v->dead) {
		printf("virtio-blk: %s: %s refused: device disabled after an earlier timeout\n",
		       v->blk.name, describe(type, lba, count));
		return -EIO;
	}
	req.hdr.type = type;
	req.hdr.reserved = 0;
	req.hdr.sector = lba << v->shift;
	req.status = 0xff;		/* no device status: shows a completion without one */
	set_desc(&v->desc[0], phys(&req.hdr), sizeof(req.hdr), VIRTQ_DESC_F_NEXT, 1);
	if (len) {
		set_desc(&v->desc[1], phys(bounce), len, (uint16_t)(VIRTQ_DESC_F_NEXT |
			 (type != VIRTIO_BLK_T_OUT ? VIRTQ_DESC_F_WRITE : 0)), 2);
		last = 2;
	}
	set_desc(&v->desc[last], phys(&req.status), 1, VIRTQ_DESC_F_WRITE, 0);
	v->avail->ring[v->avail_idx % v->qsize] = 0;
	/* §2.7.13: header, data, descriptors and the ring slot are in memory
	 * before the idx that hands them to the device. */
	wmb();
	v->avail->idx = ++v->avail_idx;
	/* §2.7.13.4: the new idx is visible before the doorbell is rung. */
	mb();
	wr16(&v->notify, 0, 0);		/* queue 0 */

	deadline = clock_us() + VIRTIO_BLK_TIMEOUT_US;
	while (v->used->idx == v->used_idx) {
		if (clock_us() > deadline)
			return request_timed_out(v, type, lba, count);
		__asm__ volatile("pause");
	}
	/* §2.7.14: the used element and the status byte are read only after
	 * the used idx that published them. */
	rmb();
	id = v->used->ring[v->used_idx % v->qsize].id;
	v->used_idx++;
	st = *(volatile uint8_t *)&req.status;
	if (id != 0) {
		/* We posted only chain 0: the device is not following the ring. */
		printf("virtio-blk: %s: %s: used ring returned chain %u, not 0; device reset "
		       "and disabled\n", v->blk.name, describe(type, lba, count), id);
		v->dead = true;
		vio_reset(v);
		return -EIO;
	}
	if (st == VIRTIO_BLK_S_UNSUPP && type == VIRTIO_BLK_T_GET_ID)
		return -ENOTSUP;
	if (st != VIRTIO_BLK_S_OK) {
		printf("virtio-blk: %s: %s failed: %s (status byte %u)\n", v->blk.name,
		       describe(type, lba, count), st == VIRTIO_BLK_S_IOERR ? "VIRTIO_BLK_S_IOERR" :
		       st == VIRTIO_BLK_S_UNSUPP ? "VIRTIO_BLK_S_UNSUPP" : "unknown status", st);
		return -EIO;
	}
	return 0;
}

static int vblk_request(struct vblk *v, uint32_t type, uint64_t lba, uint32_t count)
{
	return vblk_post(v, type, lba, count, count << (9 + v->shift));
}

/*
 * The device's serial (§5.2.6 VIRTIO_BLK_T_GET_ID: 20 bytes, NUL padded)
 * into the blkdev's identity; a device that does not support it (or has
 * no serial) leaves it empty, and no dump file can name it.
 */
static void vblk_identify(struct vblk *v)
{
	struct blkdev_ident *id = &v->blk.ident;

	memset(id, 0, sizeof(*id));
	id->kind = BLKDEV_KIND_VIRTIO_BLK;
	id->pci_valid = true;
	id->pci_bus = v->pci.bus;
	id->pci_dev = v->pci.dev;
	id->pci_fn = v->pci.fn;
	memset(bounce, 0, DISKID_VIRTIO_LEN);
	if (vblk_post(v, VIRTIO_BLK_T_GET_ID, 0, 0, DISKID_VIRTIO_LEN) == 0)
		diskid_text(id->serial, sizeof(id->serial), bounce, DISKID_VIRTIO_LEN);
}

static int vblk_read(struct blkdev *dev, uint64_t lba, uint32_t count, void *buf)
{
	struct vblk *v = dev->priv;
	int err = vblk_request(v, VIRTIO_BLK_T_IN, lba, count);

	if (err == 0)
		memcpy(buf, bounce, (size_t)count << (9 + v->shift));
	return err;
}

static int vblk_write(struct blkdev *dev, uint64_t lba, uint32_t count, const void *buf)
{
	struct vblk *v = dev->priv;

	if (v->ro)
		return -EROFS;		/* VIRTIO_BLK_F_RO: the device would fail it */
	memcpy(bounce, buf, (size_t)count << (9 + v->shift));
	return vblk_request(v, VIRTIO_BLK_T_OUT, lba, count);
}

static int vblk_flush(struct blkdev *dev)
{
	struct vblk *v = dev->priv;

	/* Without VIRTIO_BLK_F_FLUSH the device writes through (§5.2.5). */
	if (!v->flush || v->ro)
		return 0;
	return vblk_request(v, VIRTIO_BLK_T_FLUSH, 0, 0);
}

static const struct blkdev_ops vblk_ops = { vblk_read, vblk_write, vblk_flush };

/* Geometry of the blkdev from the configuration; 0 or -EIO with why[] set. */
static int vblk_geometry(struct vblk *v)
{
	uint64_t capacity;
	uint32_t blk_size, size_max, max_bytes = VIRTIO_BLK_BOUNCE;

	read_config(v, &capacity, &blk_size, &size_max);
	if (blk_size < 512 || blk_size > VIRTIO_BLK_BOUNCE || (blk_size & (blk_size - 1)))
		return fail("blk_size %u is not a power of two in 512-%u", blk_size,
			    VIRTIO_BLK_BOUNCE);
	for (v->shift = 0; (512u << v->shift) < blk_size; v->shift++)
		;
	if (size_max && size_max < max_bytes)
		max_bytes = size_max;
	if (max_bytes < blk_size)
		return fail("size_max %u is below one %u-byte block", size_max, blk_size);
	v->blk.sector_size = blk_size;
	v->blk.sectors = capacity >> v->shift;
	v->blk.max_transfer = max_bytes / blk_size;
	v->ro = v->features & VIRTIO_BLK_F_RO;
	v->flush = v->features & VIRTIO_BLK_F_FLUSH;
	return 0;
}

/*
 * §3.1.1 for one device.  Returns 0 with the device live (DRIVER_OK), or
 * an error with why[] saying which step failed and the device left with
 * FAILED set (or reset, when it never got that far).
 */
static int vblk_init(struct vblk *v, uint8_t *ring)
{
	bool io;
	int err;

	/* Quiesce first: whatever the crashed kernel left, no MSI/MSI-X (the
	 * legacy registers move while MSI-X is on) and no INTx.  Then decode
	 * only the space our windows are in, and bus mastering for our DMA. */
	pci_msi_disable(v->pci);
	err = find_modern(v);
	v->modern = err == 0;
	if (err && find_legacy(v) != 0) {
		char modern_why[sizeof(why)];

		if (err == -ENOENT)
			return fail("neither virtio 1.0 capabilities nor a legacy I/O BAR 0");
		memcpy(modern_why, why, sizeof(why));
		return fail("modern interface unusable: %.80s; no legacy I/O BAR 0", modern_why);
	}
	if (err == -EIO)
		printf("virtio-blk: %02x:%02x.%x: modern interface unusable: %s; using the "
		       "legacy one\n", v->pci.bus, v->pci.dev, v->pci.fn, why);
	io = v->common.io || v->notify.io || v->devcfg.io;
	pci_enable(v->pci, !(v->common.io && v->notify.io && v->devcfg.io), io, true);

	/* Step 1: reset the device. */
	err = vio_reset(v);
	if (err)
		return err;
	/* Steps 2 and 3: ACKNOWLEDGE (we noticed it), DRIVER (we can drive it). */
	add_status(v, VIRTIO_STATUS_ACKNOWLEDGE);
	add_status(v, VIRTIO_STATUS_DRIVER);
	/* Steps 4-6: feature negotiation, FEATURES_OK. */
	err = negotiate(v);
	/* Step 7: device-specific set-up: queue 0 and the configuration. */
	if (err == 0)
		err = queue_setup(v, ring);
	if (err == 0)
		err = vblk_geometry(v);
	if (err) {
		add_status(v, VIRTIO_STATUS_FAILED);
		return err;
	}
	/* Step 8: DRIVER_OK: the device is live. */
	add_status(v, VIRTIO_STATUS_DRIVER_OK);
	if (get_status(v) & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) {
		err = fail("device reports an error after DRIVER_OK (device_status 0x%02x)",
			   get_status(v));
		vio_reset(v);
	}
	return err;
}

static int vblk_probe_one(const struct pci_func *f, void *ctx)
{
	struct vblk *v;
	unsigned long long mib;
	int err;

	(void)ctx;
	if (f->vendor != VIRTIO_PCI_VENDOR ||
	    (f->device != VIRTIO_PCI_DEVICE_BLK_TRANS && f->device != VIRTIO_PCI_DEVICE_BLK))
		return 0;
	if (nvblks == VIRTIO_BLK_MAX) {
		printf("virtio-blk: %02x:%02x.%x: more than %u devices; skipped\n",
		       f->addr.bus, f->addr.dev, f->addr.fn, VIRTIO_BLK_MAX);
		return 0;
	}
	v = &vblks[nvblks];
	memset(v, 0, sizeof(*v));
	v->pci = f->addr;
	why[0] = '\0';
	err = vblk_init(v, rings[nvblks]);
	if (err == 0) {
		snprintf(v->blk.name, sizeof(v->blk.name), "virtio%u", nvblks);
		vblk_identify(v);
		v->blk.ops = &vblk_ops;
		v->blk.priv = v;
		err = blkdev_register(&v->blk);
		if (err) {
			fail("the block layer refused it (%d)", err);
			vio_reset(v);
		}
	}
	if (err) {
		printf("virtio-blk: %02x:%02x.%x: %s; skipped\n", f->addr.bus, f->addr.dev,
		       f->addr.fn, why);
		return 0;
	}
	nvblks++;
	mib = (unsigned long long)((v->blk.sectors * v->blk.sector_size) >> 20);
	printf("virtio-blk: %s at %02x:%02x.%x, %s, %llu MiB (%llu sectors of %u bytes), "
	       "queue %u%s%s%s%s%s\n", v->blk.name, f->addr.bus, f->addr.dev, f->addr.fn,
	       v->modern ? "modern" : "legacy", mib, (unsigned long long)v->blk.sectors,
	       v->blk.sector_size, v->qsize, v->ro ? ", read-only" : "",
	       v->flush ? ", flush" : "", v->blk.ident.serial[0] ? ", serial \"" : "",
	       v->blk.ident.serial, v->blk.ident.serial[0] ? "\"" : "");
	return 0;
}

int virtio_blk_probe(void)
{
	pci_scan(vblk_probe_one, NULL);
	return (int)nvblks;
}
