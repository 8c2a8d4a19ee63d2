/*
 * Xen seen from dom0: sysfs for what kind of guest we are, privcmd for
 * what only Xen knows (tools/xen.h, docs/xen.md).
 *
 * The hypercalls go through Linux's privcmd driver (drivers/xen/privcmd.c):
 * IOCTL_PRIVCMD_HYPERCALL on /dev/xen/privcmd runs one hypercall with the
 * caller's arguments.  Xen reads and writes the argument structures at
 * their user-space addresses, so they live in a page of /dev/xen/hypercall
 * (privcmd-buf: memory Linux keeps mapped and in place for exactly this);
 * without that device, in an mlock()ed page.  The ABI (hypercall numbers,
 * structure layouts) is Xen's public interface, xen/include/public/:
 * xen.h, kexec.h, memory.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tools/handoff.h"
#include "tools/xen.h"

/* xen/include/public/xen.h */
#define HYPERVISOR_platform_op	7
#define HYPERVISOR_memory_op	12
#define HYPERVISOR_kexec_op	37
/* public/kexec.h */
#define KEXEC_CMD_get_range	3
#define KEXEC_CMD_status	6
#define KEXEC_TYPE_CRASH	1
/* public/memory.h */
#define XENMEM_machine_memory_map 10
/* public/platform.h: XENPF_firmware_info, XEN_FW_EFI_INFO */
#define XENPF_INTERFACE_VERSION	0x03000001
#define XENPF_firmware_info	50
#define XEN_FW_EFI_INFO		4
#define XEN_FW_EFI_CONFIG_TABLE	1
#define XEN_FW_EFI_MEM_INFO	3
/* public/xen.h: the owner of memory that is not RAM (firmware, MMIO) */
#define DOMID_IO		0x7ff1

/*
 * struct xen_platform_op with a xenpf_firmware_info inside: cmd,
 * interface_version, then the union at 8: type, index, then the
 * xenpf_efi_info union at 16 (cfg: u64 addr, u32 nent; mem: u64 addr,
 * u64 size, u64 attr, u32 type), in a 128-byte union: 136 bytes in all.
 */
struct platform_efi_op {
	uint32_t cmd, interface_version;
	uint32_t type, index;
	uint64_t addr, size, attr;
	uint32_t mem_type, pad;
	uint8_t rest[136 - 48];
};
_Static_assert(sizeof(struct platform_efi_op) == 136, "xen_platform_op is 136 bytes");

/* include/uapi/xen/privcmd.h */
struct privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
};
#define IOCTL_PRIVCMD_HYPERCALL _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))
struct privcmd_mmap_entry {
	uint64_t va, mfn, npages;
};
struct privcmd_mmap {
	int32_t num;
	uint16_t dom;
	uint16_t pad;
	uint64_t entry;		/* struct privcmd_mmap_entry __user * */
};
#define IOCTL_PRIVCMD_MMAP _IOC(_IOC_NONE, 'P', 2, sizeof(struct privcmd_mmap))

/* xen_kexec_range_t (64-bit guest: int, int, unsigned long, unsigned long) */
struct kexec_range {
	int32_t range;
	int32_t nr;
	uint64_t size;
	uint64_t start;
};
_Static_assert(sizeof(struct kexec_range) == 24, "xen_kexec_range_t is 24 bytes");

/* struct xen_memory_map: unsigned int, then a 64-bit guest handle */
struct memory_map {
	uint32_t nr_entries;
	uint32_t pad;
	uint64_t buffer;
};

#define BUF_SIZE 4096u

void xen_detect(const char *root, struct xen_info *x)
{
	char path[600], type[32] = "", caps[256] = "", maj[16] = "", min[16] = "", extra[24] = "";
	bool live = strcmp(root, "/sys") == 0;

	memset(x, 0, sizeof(*x));
	snprintf(path, sizeof(path), "%s/hypervisor/type", root);
	if (handoff_read_line(path, type, sizeof(type)) != 0 || strcmp(type, "xen") != 0)
		return;			/* XEN_NONE */
	snprintf(path, sizeof(path), "%s/hypervisor/version/major", root);
	handoff_read_line(path, maj, sizeof(maj));
	snprintf(path, sizeof(path), "%s/hypervisor/version/minor", root);
	handoff_read_line(path, min, sizeof(min));
	snprintf(path, sizeof(path), "%s/hypervisor/version/extra", root);
	handoff_read_line(path, extra, sizeof(extra));
	if (maj[0] != '\0')
		snprintf(x->version, sizeof(x->version), "%.8s.%.8s%.20s", maj, min, extra);
	snprintf(path, sizeof(path), "%s/hypervisor/guest_type", root);
	handoff_read_line(path, x->guest_type, sizeof(x->guest_type));
	if (strcmp(x->guest_type, "PV") != 0) {
		x->kind = XEN_HVM;	/* HVM, PVH: Linux's own kexec */
		return;
	}
	if (live)
		snprintf(path, sizeof(path), "/proc/xen/capabilities");
	else
		snprintf(path, sizeof(path), "%s/hypervisor/capabilities", root);
	if (access(path, F_OK) != 0) {
		x->kind = XEN_PV_NO_XENFS;
		return;
	}
	handoff_read_line(path, caps, sizeof(caps));	/* empty in a domU */
	x->kind = strstr(caps, "control_d") != NULL ? XEN_PV_DOM0 : XEN_PV_DOMU;
}

const char *xen_kind_name(enum xen_kind k)
{
	switch (k) {
	case XEN_PV_DOM0: return "PV dom0";
	case XEN_PV_DOMU: return "PV guest (not dom0)";
	case XEN_HVM: return "HVM/PVH guest";
	case XEN_PV_NO_XENFS: return "PV (xenfs not mounted on /proc/xen)";
	case XEN_NONE: break;
	}
	return "none";
}

struct hcall {
	int fd, buf_fd;
	void *buf;
};

static int hcall_open(struct hcall *h)
{
	h->buf_fd = -1;
	h->buf = MAP_FAILED;
	h->fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
	if (h->fd < 0)
		h->fd = open("/proc/xen/privcmd", O_RDWR | O_CLOEXEC);
	if (h->fd < 0)
		return -errno;
	h->buf_fd = open("/dev/xen/hypercall", O_RDWR | O_CLOEXEC);
	if (h->buf_fd >= 0)
		h->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, h->buf_fd, 0);
	if (h->buf == MAP_FAILED) {
		h->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h->buf != MAP_FAILED && mlock(h->buf, BUF_SIZE) != 0) {
			munmap(h->buf, BUF_SIZE);
			h->buf = MAP_FAILED;
		}
	}
	if (h->buf == MAP_FAILED) {
		int e = errno;

		close(h->fd);
		if (h->buf_fd >= 0)
			close(h->buf_fd);
		return -e;
	}
	memset(h->buf, 0, BUF_SIZE);
	return 0;
}

static void hcall_close(struct hcall *h)
{
	munmap(h->buf, BUF_SIZE);
	close(h->fd);
	if (h->buf_fd >= 0)
		close(h->buf_fd);
}

/* The hypercall's return value (>= 0), or -errno. */
static long hcall(struct hcall *h, uint64_t op, uint64_t a0, uint64_t a1)
{
	struct privcmd_hypercall c = { op, { a0, a1, 0, 0, 0 } };
	long r = ioctl(h->fd, IOCTL_PRIVCMD_HYPERCALL, &c);

	return r < 0 ? -errno : r;
}

int xen_kexec_range(int range, int nr, uint64_t *start, uint64_t *size)
{
	struct hcall h;
	int r = hcall_open(&h);

	if (r != 0)
		return r;
	struct kexec_range *kr = h.buf;

	kr->range = range;
	kr->nr = nr;
	long v = hcall(&h, HYPERVISOR_kexec_op, KEXEC_CMD_get_range, (uint64_t)(uintptr_t)kr);
	if (v >= 0) {
		*start = kr->start;
		*size = kr->size;
	}
	hcall_close(&h);
	return v < 0 ? (int)v : 0;
}

int xen_kexec_crash_loaded(void)
{
	struct hcall h;
	int r = hcall_open(&h);

	if (r != 0)
		return r;
	uint8_t *type = h.buf;	/* xen_kexec_status_t: uint8_t type */

	*type = KEXEC_TYPE_CRASH;
	long v = hcall(&h, HYPERVISOR_kexec_op, KEXEC_CMD_status, (uint64_t)(uintptr_t)type);
	hcall_close(&h);
	return v < 0 ? (int)v : v != 0;
}

int xen_machine_memory_map(struct xen_e820 *out, int max)
{
	enum { ENTRY = 20 };	/* struct e820entry: u64 addr, u64 size, u32 type, packed */
	struct hcall h;
	int r = hcall_open(&h);

	if (r != 0)
		return r;
	struct memory_map *m = h.buf;
	uint8_t *entries = (uint8_t *)h.buf + 64;
	uint32_t room = (BUF_SIZE - 64) / ENTRY;

	m->nr_entries = room;
	m->buffer = (uint64_t)(uintptr_t)entries;
	long v = hcall(&h, HYPERVISOR_memory_op, XENMEM_machine_memory_map, (uint64_t)(uintptr_t)m);
	int n = 0;

	if (v >= 0) {
		uint32_t got = m->nr_entries < room ? m->nr_entries : room;

		for (uint32_t i = 0; i < got && n < max; i++, n++) {
			memcpy(&out[n].addr, entries + i * ENTRY, 8);
			memcpy(&out[n].size, entries + i * ENTRY + 8, 8);
			memcpy(&out[n].type, entries + i * ENTRY + 16, 4);
		}
	}
	hcall_close(&h);
	return v < 0 ? (int)v : n;
}

/* XENPF_firmware_info / XEN_FW_EFI_INFO with index and address in; 0 or -errno. */
static int efi_info(uint32_t index, uint64_t addr, struct platform_efi_op *out)
{
	struct hcall h;
	int r = hcall_open(&h);

	if (r != 0)
		return r;
	struct platform_efi_op *op = h.buf;

	memset(op, 0, sizeof(*op));
	op->cmd = XENPF_firmware_info;
	op->interface_version = XENPF_INTERFACE_VERSION;
	op->type = XEN_FW_EFI_INFO;
	op->index = index;
	op->addr = addr;
	op->size = addr != 0 ? UINT64_MAX - addr : 0;
	long v = hcall(&h, HYPERVISOR_platform_op, (uint64_t)(uintptr_t)op, 0);
	if (v >= 0)
		memcpy(out, op, sizeof(*out));
	hcall_close(&h);
	return v < 0 ? (int)v : 0;
}

int xen_efi_config_table(uint64_t *addr, uint32_t *nent)
{
	struct platform_efi_op op;
	int r = efi_info(XEN_FW_EFI_CONFIG_TABLE, 0, &op);

	if (r == 0) {
		*addr = op.addr;
		memcpy(nent, &op.size, sizeof(*nent));	/* cfg.nent follows cfg.addr */
	}
	return r;
}

int xen_efi_mem_info(uint64_t addr, uint32_t *type, uint64_t *attr, uint64_t *left)
{
	struct platform_efi_op op;
	int r = efi_info(XEN_FW_EFI_MEM_INFO, addr, &op);

	if (r == 0) {
		*type = op.mem_type;
		*attr = op.attr;
		*left = op.size;
	}
	return r;
}

int xen_read_machine(uint64_t addr, void *buf, size_t len)
{
	uint64_t first = addr >> 12, pages = ((addr + len + 4095) >> 12) - first;
	struct privcmd_mmap_entry e;
	struct privcmd_mmap m;
	int fd, r = 0;
	void *va;

	if (len == 0 || len > XEN_READ_MAX || addr >= (1ull << 52) || addr + len > (1ull << 52))
		return -EINVAL;		/* beyond x86-64's machine addresses (no page count wraps) */
	fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	va = mmap(NULL, pages << 12, PROT_READ, MAP_SHARED, fd, 0);
	if (va == MAP_FAILED) {
		r = -errno;
		close(fd);
		return r;
	}
	e.va = (uint64_t)(uintptr_t)va;
	e.mfn = first;
	e.npages = pages;
	memset(&m, 0, sizeof(m));
	m.num = 1;
	m.dom = DOMID_IO;
	m.entry = (uint64_t)(uintptr_t)&e;
	if (ioctl(fd, IOCTL_PRIVCMD_MMAP, &m) < 0)
		r = -errno;
	else
		memcpy(buf, (const uint8_t *)va + (addr & 4095), len);
	munmap(va, pages << 12);
	close(fd);
	return r;
}
