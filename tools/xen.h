/*
 * Xen as the running system's hypervisor, seen from its dom0 (docs/xen.md).
 *
 * Under Xen a PV dom0's `kexec -p` does not load into Linux: kexec-tools
 * (built with libxenctrl, as Debian's is) hands the image to Xen's
 * kexec_op hypercall, and Xen, not Linux, jumps to it when dom0 panics or
 * Xen itself crashes.  The crash memory is Xen's (Xen's own crashkernel=),
 * so Linux's /sys/kernel/kexec_crash_{size,loaded} say nothing about it.
 * What Linux does export about Xen is read from sysfs (the kind of guest);
 * the rest (the crash region, whether an image is loaded, the machine
 * memory map) comes from Xen through privcmd, the hypercall device of
 * Xen's own tools.  Host only (POSIX, Linux).
 */
#ifndef TOOLS_XEN_H
#define TOOLS_XEN_H

#include <stddef.h>
#include <stdint.h>

enum xen_kind {
	XEN_NONE,		/* no Xen (or sysfs does not say) */
	XEN_PV_DOM0,		/* PV dom0: kexec goes to Xen */
	XEN_PV_DOMU,		/* PV guest without control: no kexec at all */
	XEN_HVM,		/* HVM or PVH guest: Linux's own kexec, crashkernel= */
	XEN_PV_NO_XENFS,	/* PV, but /proc/xen is not mounted: dom0 or not unknown */
};

struct xen_info {
	enum xen_kind kind;
	char version[48];	/* "4.17.7" from hypervisor/version/, or "" */
	char guest_type[16];	/* hypervisor/guest_type: "PV", "HVM", "PVH", or "" */
};

/*
 * What sysfs (root, normally /sys) and /proc/xen/capabilities say.  A
 * root other than /sys (tests) reads ROOT/hypervisor/capabilities for
 * the capabilities line instead of /proc/xen.
 */
void xen_detect(const char *root, struct xen_info *x);

/* One line naming the kind, e.g. "Xen 4.17.7, PV dom0". */
const char *xen_kind_name(enum xen_kind k);

/* Xen's kexec ranges (public/kexec.h KEXEC_RANGE_MA_*). */
#define XEN_RANGE_CRASH		0
#define XEN_RANGE_CPU		2
#define XEN_RANGE_VMCOREINFO	6

/*
 * Through privcmd: KEXEC_CMD_kexec_get_range for range (nr: the CPU for
 * XEN_RANGE_CPU).  0 with *start and *size (both 0 when Xen has none), or
 * -errno (no privcmd, not dom0, ...).
 */
int xen_kexec_range(int range, int nr, uint64_t *start, uint64_t *size);

/* KEXEC_CMD_kexec_status for the crash image: 1 loaded, 0 not, -errno. */
int xen_kexec_crash_loaded(void);

struct xen_e820 {
	uint64_t addr, size;
	uint32_t type;		/* e820 type */
};

/*
 * XENMEM_machine_memory_map: the host's own e820 as Xen got it (dom0's
 * /sys/firmware/memmap is its pseudo-physical map).  The number of entries
 * stored (at most max), or -errno.
 */
int xen_machine_memory_map(struct xen_e820 *out, int max);

/*
 * The firmware's EFI configuration-table array as Xen reports it
 * (XENPF_firmware_info, XEN_FW_EFI_CONFIG_TABLE): machine address and
 * entry count.  0 or -errno (-ENOSYS/-EINVAL when Xen did not boot by EFI).
 */
int xen_efi_config_table(uint64_t *addr, uint32_t *nent);

/*
 * The EFI memory descriptor that holds machine address addr, from Xen's
 * copy of the firmware's memory map (XEN_FW_EFI_MEM_INFO): its EFI type,
 * attributes and the bytes from addr to its end.  -ESRCH when no
 * descriptor holds it.
 */
int xen_efi_mem_info(uint64_t addr, uint32_t *type, uint64_t *attr, uint64_t *left);

/*
 * len bytes of machine memory that is not RAM (firmware tables, owned by
 * Xen's DOMID_IO) at addr, mapped read-only through privcmd
 * (IOCTL_PRIVCMD_MMAP).  0 or -errno; Xen refuses RAM (-EPERM/-EINVAL).
 */
#define XEN_READ_MAX (64u << 10)
int xen_read_machine(uint64_t addr, void *buf, size_t len);

#endif
