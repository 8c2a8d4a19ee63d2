/*
 * EFI runtime services (see efirt.h; docs/efirt.md for the whole story).
 *
 * efirt_init():
 *
 *   system table (context: handoff or boot path) -> RuntimeServices pointer
 *   runtime map: handoff EFI_RUNTIME_MAP records, else the boot path's EFI
 *     memory map (kexec: the runtime map with Linux's VAs; GRUB: the full
 *     map, VAs 0), else the context's map; only EFI_MEMORY_RUNTIME regions
 *   efirt_map_decide -> physical or virtual (or none), one line saying why
 *   map: physical mode identity-maps every region (cpu_map_phys); virtual
 *     mode maps every remapped region at its VA (cpu_map_virt, beside the
 *     identity map in the upper half) and identity-maps it as well, as
 *     Linux does for firmware that still uses a physical pointer
 *   read the table through its physical address, efirt_rt_parse (signature,
 *     revision, HeaderSize, CRC32), check the pointers we call lie in
 *     runtime code, print "efirt: runtime services vX.YY (mode)"
 *
 * Calls.  The firmware uses the Microsoft x64 convention (UEFI 2.10
 * §2.3.4.2): rcx, rdx, r8, r9, then the stack above 32 bytes of shadow
 * space; rsp 16-byte aligned at the call; rbx, rbp, rdi, rsi, r12-r15
 * and xmm6-15 preserved; direction flag clear.  GCC generates that for an
 * __attribute__((ms_abi)) function pointer, so efirt_fw() is plain C.
 * What C cannot do is change stacks: efirt_on_stack() is the inline-asm
 * thunk that switches to efirt_stack (32 KiB of our .bss: the spec asks
 * the OS for no particular size, Linux gives runtime calls a 16 KiB
 * kernel stack, and our C stack's depth at the call site is not ours to
 * bound), with interrupts off, calls efirt_fw() there and switches back.
 * Every service takes at most five integer or pointer arguments, so one
 * five-argument ms_abi type serves them all (unused registers are
 * ignored by the callee; the caller owns the stack arguments).  Pointers
 * we pass (names, GUIDs, buffers) are identity addresses of our own
 * memory, which our page tables map in both modes.
 *
 * Faults.  efirt_busy holds the service in progress.  An exception inside
 * the firmware never returns here, so it stays set: the exception report
 * names it (efirt_faulted_service) and efirt_available() turns false, so
 * the after-action's reset chain skips ResetSystem and uses the hardware
 * paths.
 *
 * The capsule-on-disk request and the pm.test=efirt self-test, which need
 * only the wrappers, are in efirt_vars.c; the page-table test hooks that
 * need this file's state are at its end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/cpu.h"
#include "kernel/efirt.h"
#include "payload/handoff.h"

#define EFIRT_STACK_SIZE	32768	/* at least 16 KiB: see above */
#define EFIRT_NAME_MAX		64	/* UTF-16 characters of a variable name, NUL included */
#define EFIRT_MMAP_MAX		(1u << 20)

/* The one prototype every service fits: five integer/pointer arguments. */
typedef uint64_t (__attribute__((ms_abi)) *efirt_fn_t)(uint64_t, uint64_t, uint64_t, uint64_t,
						      uint64_t);

struct efirt_call {
	uint64_t fn;			/* address to call, in the current mode */
	uint64_t arg[5];
	uint64_t status;		/* EFI_STATUS returned */
};

static struct efirt_map map;
static struct efirt_rt rt;
static enum efirt_mode mode;
static bool ready;
static bool usable[EFIRT_SVC_COUNT];
static unsigned efirt_busy;		/* service + 1 while a call runs */
static uint64_t last_status;
static uint8_t efirt_stack[EFIRT_STACK_SIZE] __attribute__((aligned(16)));
static uint16_t name16[EFIRT_NAME_MAX];

/* ------------------------------------------------------------ calls */

/* Runs on efirt_stack: the MS-ABI call itself. */
static void efirt_fw(struct efirt_call *c)
{
	efirt_fn_t fn = (efirt_fn_t)(uintptr_t)c->fn;

	c->status = fn(c->arg[0], c->arg[1], c->arg[2], c->arg[3], c->arg[4]);
}

/*
 * Call efirt_fw(c) on efirt_stack with interrupts off.  rbx (preserved by
 * efirt_fw under the SysV convention) keeps our stack pointer; the call
 * pushes its return address onto a 16-byte aligned top, so efirt_fw
 * starts with the alignment both conventions expect.  Everything a SysV
 * call may change is an output or a clobber.  The pushfq lands below our
 * rsp, which is safe only because the kernel is built -mno-red-zone.
 */
static void efirt_on_stack(struct efirt_call *c)
{
	void (*fn)(struct efirt_call *) = efirt_fw;
	uint64_t top = (uint64_t)(uintptr_t)(efirt_stack + sizeof(efirt_stack));

	__asm__ volatile(
		"pushfq\n\t"
		"cli\n\t"
		"mov %%rsp, %%rbx\n\t"
		"mov %[top], %%rsp\n\t"
		"cld\n\t"
		"call *%[fn]\n\t"
		"mov %%rbx, %%rsp\n\t"
		"popfq"
		: "+D"(c), [fn] "+a"(fn), [top] "+S"(top)
		:
		: "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "memory", "cc",
		  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
		  "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
}

static uint64_t efirt_call(unsigned svc, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4)
{
	struct efirt_call c = { rt.fn[svc], { a0, a1, a2, a3, a4 }, 0 };

	efirt_busy = svc + 1;
	efirt_on_stack(&c);
	efirt_busy = 0;
	last_status = c.status;
	return c.status;
}

bool efirt_available(void)
{
	return ready && efirt_busy == 0;
}

const char *efirt_mode_name(void)
{
	if (!ready)
		return "none";
	return mode == EFIRT_MODE_VIRTUAL ? "virtual" : "physical";
}

const char *efirt_faulted_service(void)
{
	return efirt_busy ? efirt_service_name(efirt_busy - 1) : NULL;
}

uint64_t efirt_last_status(void)
{
	return last_status;
}

static bool can_call(unsigned svc)
{
	return efirt_available() && usable[svc];
}

/* ------------------------------------------------------------ wrappers */

int efirt_get_variable(const char *ascii_name, const struct efi_guid *guid, uint32_t *attr,
		       void *buf, size_t *size)
{
	struct efi_guid g __attribute__((aligned(8)));	/* EFI_GUID is 4-byte aligned */
	uint64_t sz, st;
	uint32_t a = 0;
	int n;

	if (!can_call(EFIRT_SVC_GET_VARIABLE))
		return -ENODEV;
	if (guid == NULL || size == NULL || (buf == NULL && *size != 0))
		return -EINVAL;
	n = efirt_utf16_from_ascii(ascii_name, name16, EFIRT_NAME_MAX);
	if (n < 0)
		return -EINVAL;
	g = *guid;
	sz = *size;
	st = efirt_call(EFIRT_SVC_GET_VARIABLE, (uint64_t)(uintptr_t)name16,
			(uint64_t)(uintptr_t)&g, (uint64_t)(uintptr_t)&a, (uint64_t)(uintptr_t)&sz,
			(uint64_t)(uintptr_t)buf);
	if (st == EFIRT_SUCCESS || st == EFIRT_BUFFER_TOO_SMALL)
		*size = (size_t)sz;
	if (st == EFIRT_SUCCESS && attr != NULL)
		*attr = a;
	return efirt_status_errno(st);
}

int efirt_set_variable(const char *ascii_name, const struct efi_guid *guid, uint32_t attr,
		       const void *buf, size_t size)
{
	struct efi_guid g __attribute__((aligned(8)));
	int n;

	if (!can_call(EFIRT_SVC_SET_VARIABLE))
		return -ENODEV;
	if (guid == NULL || (buf == NULL && size != 0))
		return -EINVAL;
	n = efirt_utf16_from_ascii(ascii_name, name16, EFIRT_NAME_MAX);
	if (n < 0)
		return -EINVAL;
	g = *guid;
	return efirt_status_errno(efirt_call(EFIRT_SVC_SET_VARIABLE, (uint64_t)(uintptr_t)name16,
					     (uint64_t)(uintptr_t)&g, attr, size,
					     (uint64_t)(uintptr_t)buf));
}

int efirt_reset_system(uint32_t type)
{
	int err;

	if (!can_call(EFIRT_SVC_RESET_SYSTEM))
		return -ENODEV;
	if (type > EFIRT_RESET_SHUTDOWN)
		return -EINVAL;
	err = efirt_status_errno(efirt_call(EFIRT_SVC_RESET_SYSTEM, type, EFIRT_SUCCESS, 0, 0, 0));
	return err ? err : -EIO;
}

/* ------------------------------------------------------------ init */

static void add_handoff_runtime_map(const struct context *ctx, bool *found)
{
	struct handoff_record rec;
	struct handoff_array arr;
	struct handoff_runtime_entry e;
	size_t cursor = 0;

	while (context_handoff_next(ctx, HANDOFF_TYPE_EFI_RUNTIME_MAP, &cursor, &rec)) {
		if (handoff_get_array(&rec, &arr) != 0)
			continue;
		*found = true;
		for (size_t i = 0; i < arr.count && handoff_runtime_map_at(&rec, i, &e) == 0; i++)
			efirt_map_add(&map, e.type, e.phys_addr, e.virt_addr, e.num_pages, e.attribute);
	}
}

/* Fill the map; returns where it came from. */
static const char *build_map(const struct context *ctx, const struct bootinfo *bi)
{
	bool found = false;

	efirt_map_init(&map);
	add_handoff_runtime_map(ctx, &found);
	if (found && map.count)
		return "the handoff's runtime map";
	if (found) {
		printf("efirt: the handoff's runtime map has no usable region (%zu refused); trying the boot path's\n",
		       map.dropped);
		efirt_map_init(&map);
	}
	if (bi->efi_mmap && bi->efi_mmap_size && bi->efi_mmap_size <= EFIRT_MMAP_MAX &&
	    cpu_map_phys(bi->efi_mmap, bi->efi_mmap_size) == 0 &&
	    efirt_map_add_efi_mmap(&map, (const void *)(uintptr_t)bi->efi_mmap,
				   (size_t)bi->efi_mmap_size, bi->efi_desc_size) > 0)
		return "the boot path's EFI memory map";
	efirt_map_init(&map);
	if (ctx->efi_mmap != NULL && ctx->efi_mmap != (const uint8_t *)(uintptr_t)bi->efi_mmap &&
	    efirt_map_add_efi_mmap(&map, ctx->efi_mmap, ctx->efi_mmap_len, ctx->efi_desc_size) > 0)
		return "the handoff's EFI memory map";
	efirt_map_init(&map);
	return "nowhere";
}

static void print_decision(const struct efirt_decision *d, uint64_t ptr, const char *src)
{
	const struct efirt_region *r = map.count ? &map.r[d->region] : NULL;

	switch (d->why) {
	case EFIRT_WHY_VIRTUAL:
		printf("efirt: virtual mode: RuntimeServices 0x%llx lies in the VA range of a %s region (VA 0x%llx = PA 0x%llx); %zu of %zu runtime regions from %s carry a VA of their own\n",
		       (unsigned long long)ptr, efi_mem_type_name(r->type),
		       (unsigned long long)r->virt, (unsigned long long)r->phys,
		       d->remapped, map.count, src);
		return;
	case EFIRT_WHY_PHYSICAL:
		printf("efirt: physical mode: no runtime region of %zu from %s carries a virtual address, and RuntimeServices 0x%llx lies in a %s region\n",
		       map.count, src, (unsigned long long)ptr, efi_mem_type_name(r->type));
		return;
	case EFIRT_WHY_PHYSICAL_DESPITE_REMAP:
		printf("efirt: physical mode: RuntimeServices 0x%llx is a physical address in a %s region, though %zu of %zu regions from %s carry a VA (SetVirtualAddressMap not reflected in the table?)\n",
		       (unsigned long long)ptr, efi_mem_type_name(r->type), d->remapped, map.count, src);
		return;
	case EFIRT_WHY_NO_MAP_PHYSICAL:
		printf("efirt: physical mode (unchecked): no runtime memory map was handed over; RuntimeServices 0x%llx taken as physical\n",
		       (unsigned long long)ptr);
		return;
	case EFIRT_WHY_NO_MAP_HIGH:
		printf("efirt: no mode: RuntimeServices 0x%llx is not a physical address and no runtime map says where it lives\n",
		       (unsigned long long)ptr);
		return;
	case EFIRT_WHY_OUTSIDE:
		printf("efirt: no mode: RuntimeServices 0x%llx lies in none of the %zu runtime regions from %s, by VA or by PA\n",
		       (unsigned long long)ptr, map.count, src);
		return;
	case EFIRT_WHY_NO_POINTER:
		printf("efirt: no mode: the system table's RuntimeServices pointer is 0\n");
		return;
	}
}

static bool region_uncached(const struct efirt_region *r)
{
	return r->type == EFI_MEMORY_MAPPED_IO || r->type == EFI_MEMORY_MAPPED_IO_PORT_SPACE ||
	       ((r->attribute & EFI_MEMORY_UC) && !(r->attribute & EFI_MEMORY_WB));
}

/* Map every region as the mode needs; 0 or prints why not and returns an errno. */
static int map_regions(void)
{
	for (size_t i = 0; i < map.count; i++) {
		const struct efirt_region *r = &map.r[i];
		uint64_t len = r->pages << 12;
		int err = cpu_map_phys(r->phys, len);

		if (err == 0 && mode == EFIRT_MODE_VIRTUAL && efirt_region_remapped(r))
			err = cpu_map_virt(r->virt, r->phys, len, region_uncached(r));
		if (err) {
			printf("efirt: runtime region PA 0x%llx VA 0x%llx (%llu pages, %s) cannot be mapped (error %d%s)\n",
			       (unsigned long long)r->phys, (unsigned long long)r->virt,
			       (unsigned long long)r->pages, efi_mem_type_name(r->type), err,
			       err == -ERANGE ? ": PA above 2^47, or VA not in the upper half" :
			       err == -EEXIST ? ": overlaps another mapping" :
			       err == -ENOMEM ? ": page-table pool exhausted" : "");
			return err;
		}
	}
	return 0;
}

/* Read and check the table at ptr (its bytes at PA pa); 0 or an errno. */
static int read_table(uint64_t ptr, uint64_t pa)
{
	struct efi_table_header h;
	uint64_t pa2;
	size_t len;
	int err;

	if (pa >= (1ull << 47) || cpu_map_phys(pa, EFIRT_RT_SIZE_MAX) != 0) {
		printf("efirt: runtime services table at PA 0x%llx is not addressable\n",
		       (unsigned long long)pa);
		return -EFAULT;
	}
	memcpy(&h, (const void *)(uintptr_t)pa, sizeof(h));
	len = h.header_size < sizeof(h) ? sizeof(h) :
	      h.header_size > EFIRT_RT_SIZE_MAX ? EFIRT_RT_SIZE_MAX : h.header_size;
	err = efirt_rt_parse((const void *)(uintptr_t)pa, len, &rt);
	if (err != 0 && h.signature != EFIRT_RUNTIME_SERVICES_SIGNATURE) {
		printf("efirt: no runtime services table at 0x%llx: signature 0x%016llx, not \"RUNTSERV\"\n",
		       (unsigned long long)ptr, (unsigned long long)h.signature);
		return err;
	}
	if (err != 0 && rt.crc_stored != rt.crc_computed && rt.crc_computed != 0) {
		printf("efirt: runtime services table at 0x%llx refused: CRC32 0x%08x, computed 0x%08x\n",
		       (unsigned long long)ptr, rt.crc_stored, rt.crc_computed);
		return err;
	}
	if (err != 0) {
		printf("efirt: runtime services table at 0x%llx refused: revision 0x%08x, HeaderSize %u\n",
		       (unsigned long long)ptr, h.revision, h.header_size);
		return err;
	}
	/* All of it must lie in the region its header does. */
	if ((map.count && mode == EFIRT_MODE_VIRTUAL &&
	     (efirt_map_virt_to_phys(&map, ptr, len, &pa2, NULL) != 0 || pa2 != pa)) ||
	    (map.count && mode == EFIRT_MODE_PHYSICAL && efirt_map_find_phys(&map, pa, len, NULL) != 0)) {
		printf("efirt: runtime services table at 0x%llx (%zu bytes) runs past its runtime region\n",
		       (unsigned long long)ptr, len);
		return -EFAULT;
	}
	return 0;
}

/* Which services may be called: each one we use must lie in runtime code. */
static int check_services(void)
{
	static const unsigned used[] = {
		EFIRT_SVC_GET_VARIABLE, EFIRT_SVC_SET_VARIABLE, EFIRT_SVC_RESET_SYSTEM,
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++) {
		unsigned s = used[i];
		uint64_t fn = rt.fn[s];
		int err;

		if (fn == 0)
			err = -ENOENT;
		else if (map.count == 0)
			err = fn < (1ull << 47) ? 0 : -ERANGE;
		else
			err = efirt_map_check_fn(&map, mode, fn);
		usable[s] = err == 0;
		n += usable[s];
		if (err)
			printf("efirt: %s at 0x%llx %s; it will not be called\n", efirt_service_name(s),
			       (unsigned long long)fn,
			       fn == 0 ? "is missing" : err == -EPERM ? "lies in MMIO or reserved memory" :
			       "lies in no runtime region");
	}
	return n ? 0 : -ENOENT;
}

static int unavailable(const char *why)
{
	ready = false;
	printf("efirt: runtime services not available: %s\n", why);
	return -ENODEV;
}

int efirt_init(const struct context *ctx, const struct bootinfo *bi)
{
	uint64_t systab = ctx->systab_addr ? ctx->systab_addr : bi->efi_systab;
	struct efirt_decision d;
	struct efi_systab st;
	const char *src;

	ready = false;
	mode = EFIRT_MODE_NONE;
	if (systab == 0)
		return unavailable("no EFI system table (BIOS boot, or none handed over)");
	if (cpu_map_phys(systab, EFI_SYSTAB_SIZE) != 0 ||
	    efi_systab_parse((const void *)(uintptr_t)systab, EFI_SYSTAB_SIZE, &st) != 0)
		return unavailable("the EFI system table is not readable");
	src = build_map(ctx, bi);
	efirt_map_decide(&map, st.runtime_services, sizeof(struct efi_table_header), &d);
	print_decision(&d, st.runtime_services, src);
	if (map.dropped)
		printf("efirt: %zu runtime regions from %s were refused (misaligned, overlapping or too many)\n",
		       map.dropped, src);
	mode = d.mode;
	if (mode == EFIRT_MODE_NONE)
		return unavailable("the runtime services table cannot be located");
	if (map_regions() != 0)
		return unavailable("runtime memory cannot be mapped");
	if (read_table(st.runtime_services, d.table_phys) != 0)
		return unavailable("the runtime services table is not valid");
	if (check_services() != 0)
		return unavailable("none of the services postmortem uses can be called safely");
	ready = true;
	printf("efirt: runtime services v%u.%02u (%s mode)\n", rt.revision >> 16,
	       rt.revision & 0xffff, efirt_mode_name());
	return 0;
}

/* ------------------------------------------------------------ test hooks */

#define EFIRT_TEST_ALIAS	0xffffc00000000000ull	/* PML4 slot 384: nothing else uses it */

/*
 * Map every RAM-backed runtime region again at EFIRT_TEST_ALIAS + PA
 * with cpu_map_virt(), the call virtual mode depends on, and compare up
 * to 64 KiB of each with the identity view: a wrong page-table entry
 * shows up here even on a machine entered in physical mode.
 */
static int alias_check(void)
{
	size_t n = 0;

	for (size_t i = 0; i < map.count; i++) {
		const struct efirt_region *r = &map.r[i];
		uint64_t len = r->pages << 12, va = EFIRT_TEST_ALIAS + r->phys;
		int err;

		if (r->type == EFI_MEMORY_MAPPED_IO || r->type == EFI_MEMORY_MAPPED_IO_PORT_SPACE ||
		    r->type == EFI_RESERVED_MEMORY_TYPE || r->phys >= (1ull << 46))
			continue;
		err = cpu_map_virt(va, r->phys, len, false);
		if (err) {
			printf("efirt: test FAILED: cpu_map_virt(0x%llx -> 0x%llx, %llu pages): error %d\n",
			       (unsigned long long)va, (unsigned long long)r->phys,
			       (unsigned long long)r->pages, err);
			return err;
		}
		if (memcmp((const void *)(uintptr_t)va, (const void *)(uintptr_t)r->phys,
			   len < 65536 ? len : 65536) != 0) {
			printf("efirt: test FAILED: region PA 0x%llx reads differently through VA 0x%llx\n",
			       (unsigned long long)r->phys, (unsigned long long)va);
			return -EIO;
		}
		n++;
	}
	printf("efirt: %zu runtime regions read the same through upper-half aliases (cpu_map_virt)\n", n);
	return 0;
}

/*
 * In physical mode, call GetVariable(OsIndicationsSupported) again at its
 * alias: the firmware code then runs at an upper-half VA of our page
 * tables, as it does in virtual mode (its absolute pointers are physical
 * and identity-mapped, its RIP-relative ones go through the alias), and
 * must answer as it did at its physical address.
 */
static int alias_call_check(uint64_t expect)
{
	static const struct efi_guid global = EFIRT_GLOBAL_VARIABLE_GUID;
	uint64_t saved = rt.fn[EFIRT_SVC_GET_VARIABLE], v = 0;
	size_t size = sizeof(v);
	int err;

	if (mode != EFIRT_MODE_PHYSICAL || saved >= (1ull << 46)) {
		printf("efirt: GetVariable is already called at its virtual address 0x%llx\n",
		       (unsigned long long)saved);
		return 0;
	}
	rt.fn[EFIRT_SVC_GET_VARIABLE] = EFIRT_TEST_ALIAS + saved;
	err = efirt_get_variable("OsIndicationsSupported", &global, NULL, &v, &size);
	rt.fn[EFIRT_SVC_GET_VARIABLE] = saved;
	if (err || v != expect) {
		printf("efirt: test FAILED: GetVariable at its alias 0x%llx: %s, 0x%llx (expected 0x%llx)\n",
		       (unsigned long long)(EFIRT_TEST_ALIAS + saved), efirt_status_name(last_status),
		       (unsigned long long)v, (unsigned long long)expect);
		return err ? err : -EIO;
	}
	printf("efirt: GetVariable called at its upper-half alias 0x%llx answers the same (0x%llx)\n",
	       (unsigned long long)(EFIRT_TEST_ALIAS + saved), (unsigned long long)v);
	return 0;
}

int efirt_alias_check(uint64_t supported)
{
	int err = alias_check();

	return err ? err : alias_call_check(supported);
}

int efirt_provoke_fault(void)
{
	static const struct efi_guid pm_guid __attribute__((aligned(8))) = EFIRT_POSTMORTEM_VENDOR_GUID;
	uint64_t size = 0;
	uint32_t attr;

	if (!can_call(EFIRT_SVC_GET_VARIABLE))
		return -ENODEV;
	printf("pm.test=efirt-fault: calling GetVariable with its name at 0x%llx, which is not mapped\n",
	       1ull << 40);
	efirt_call(EFIRT_SVC_GET_VARIABLE, 1ull << 40, (uint64_t)(uintptr_t)&pm_guid,
		   (uint64_t)(uintptr_t)&attr, (uint64_t)(uintptr_t)&size, 0);
	printf("efirt: GetVariable returned %s without faulting\n", efirt_status_name(last_status));
	return -EIO;
}
