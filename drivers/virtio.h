/*
 * Virtio wire formats and registers that drivers/virtio_blk.c uses, under
 * the spec's names: OASIS virtio 1.2 (cs01) §2.1 device status, §2.7
 * split virtqueues, §4.1.4 PCI capabilities and common configuration,
 * §4.1.4.10 the legacy I/O BAR, §5.2 the block device.  Multi-byte fields
 * are little-endian (modern) or guest-endian (legacy): on x86 the same.
 *
 * Interface: definitions only, no code; every struct is followed by
 * asserts on the offsets the spec fixes.  The legacy registers are offsets
 * into I/O BAR 0, not a struct, since they are reached by port I/O.
 */
#ifndef DRIVERS_VIRTIO_H
#define DRIVERS_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

#define VIRTIO_PCI_VENDOR		0x1af4
#define VIRTIO_PCI_DEVICE_BLK_TRANS	0x1001	/* transitional, §4.1.2.1 */
#define VIRTIO_PCI_DEVICE_BLK		0x1042	/* 0x1040 + device type 2 */

#define VIRTIO_LEGACY_ALIGN		4096	/* legacy used-ring alignment, §2.7.2 */
#define VIRTIO_MSI_NO_VECTOR		0xffff	/* §4.1.4.3 */

/* Device status, §2.1. */
#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Feature bits, §5.2.3 and §6. */
#define VIRTIO_BLK_F_SIZE_MAX		(1ull << 1)
#define VIRTIO_BLK_F_RO			(1ull << 5)
#define VIRTIO_BLK_F_BLK_SIZE		(1ull << 6)
#define VIRTIO_BLK_F_FLUSH		(1ull << 9)
#define VIRTIO_F_VERSION_1		(1ull << 32)
#define VIRTIO_F_ACCESS_PLATFORM	(1ull << 33)

/* Request types and status values, §5.2.6. */
#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8	/* §5.2.6: the device's serial, 20 bytes */
#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2

/* Virtio PCI capability, §4.1.4, with the notify capability's extra
 * field (struct virtio_pci_notify_cap, §4.1.4.4) folded in; cfg_type values. */
struct virtio_pci_cap {
	uint8_t cap_vndr;		/* PCI_CAP_ID_VNDR */
	uint8_t cap_next;
	uint8_t cap_len;
	uint8_t cfg_type;
	uint8_t bar;
	uint8_t id;
	uint8_t padding[2];
	uint32_t offset;		/* within the BAR */
	uint32_t length;
	uint32_t notify_off_multiplier;	/* VIRTIO_PCI_CAP_NOTIFY_CFG only */
};
_Static_assert(sizeof(struct virtio_pci_cap) == 20, "virtio_pci_cap");
_Static_assert(offsetof(struct virtio_pci_cap, cfg_type) == 3, "cfg_type");	/* 3 */
_Static_assert(offsetof(struct virtio_pci_cap, bar) == 4, "bar");		/* 4 */
_Static_assert(offsetof(struct virtio_pci_cap, offset) == 8, "offset");	/* 8 */
_Static_assert(offsetof(struct virtio_pci_cap, length) == 12, "length");	/* 12 */
_Static_assert(offsetof(struct virtio_pci_cap, notify_off_multiplier) == 16, "mult"); /* 16 */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_DEVICE_CFG	4

/* Common configuration, §4.1.4.3 (the virtio 1.0 part). */
struct virtio_pci_common_cfg {
	uint32_t device_feature_select;
	uint32_t device_feature;
	uint32_t driver_feature_select;
	uint32_t driver_feature;
	uint16_t config_msix_vector;
	uint16_t num_queues;
	uint8_t device_status;
	uint8_t config_generation;
	uint16_t queue_select;
	uint16_t queue_size;
	uint16_t queue_msix_vector;
	uint16_t queue_enable;
	uint16_t queue_notify_off;
	uint64_t queue_desc;
	uint64_t queue_driver;
	uint64_t queue_device;
};
_Static_assert(sizeof(struct virtio_pci_common_cfg) == 0x38, "common cfg");
_Static_assert(offsetof(struct virtio_pci_common_cfg, config_msix_vector) == 0x10, "msix");
_Static_assert(offsetof(struct virtio_pci_common_cfg, device_status) == 0x14, "status");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_select) == 0x16, "q_select");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_enable) == 0x1c, "q_enable");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_desc) == 0x20, "q_desc");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_device) == 0x30, "q_device");
#define VIRTIO_COMMON(field)	((uint32_t)offsetof(struct virtio_pci_common_cfg, field))

/* Legacy registers in I/O BAR 0, §4.1.4.10.  The device configuration
 * follows at 0x14 while MSI-X is off, at 0x18 when it is on (two MSI-X
 * vector registers come first); the driver turns MSI-X off. */
#define VIRTIO_LEGACY_HOST_FEATURES	0x00
#define VIRTIO_LEGACY_GUEST_FEATURES	0x04
#define VIRTIO_LEGACY_QUEUE_PFN		0x08
#define VIRTIO_LEGACY_QUEUE_SIZE	0x0c
#define VIRTIO_LEGACY_QUEUE_SELECT	0x0e
#define VIRTIO_LEGACY_QUEUE_NOTIFY	0x10
#define VIRTIO_LEGACY_DEVICE_STATUS	0x12
#define VIRTIO_LEGACY_CONFIG		0x14	/* with MSI-X off */

/* Block device configuration, §5.2.4 (the part we read). */
struct virtio_blk_config {
	uint64_t capacity;		/* 512-byte sectors, always */
	uint32_t size_max;
	uint32_t seg_max;
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors;
	uint32_t blk_size;
};
_Static_assert(sizeof(struct virtio_blk_config) == 0x18, "blk config");
_Static_assert(offsetof(struct virtio_blk_config, size_max) == 0x08, "size_max");
_Static_assert(offsetof(struct virtio_blk_config, blk_size) == 0x14, "blk_size");
#define VIRTIO_BLK_CFG(field)	((uint32_t)offsetof(struct virtio_blk_config, field))

/* Split virtqueue, §2.7.5, §2.7.6, §2.7.8. */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc");
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];		/* then u16 used_event */
};
_Static_assert(offsetof(struct virtq_avail, idx) == 2, "avail idx");		/* 2 */
_Static_assert(offsetof(struct virtq_avail, ring) == 4, "avail ring");		/* 4 */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem");

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];	/* then u16 avail_event */
};
_Static_assert(offsetof(struct virtq_used, idx) == 2, "used idx");		/* 2 */
_Static_assert(offsetof(struct virtq_used, ring) == 4, "used ring");		/* 4 */

struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;		/* 512-byte units whatever blk_size is */
};
_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "req hdr");

#endif
