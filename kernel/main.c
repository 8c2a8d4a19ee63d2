/*
 * postmortem's main flow: enter -> gather -> verify -> dump -> after
 * (docs/architecture.md).  This build does enter and gather (boot information,
 * command line, consoles, EFI runtime services, ACPI) and the
 * after-actions; verify and dump come with the handoff and dump pipeline.
 *
 * Environment: one CPU (whichever the loader entered on: kexec enters on
 * the CPU that panicked, and the others are never waited for; kernel/smp.c
 * may start one more, which only runs work handed to it), interrupts
 * off, our own stack/GDT/IDT/page tables from cpu_init(); printf goes to
 * every console.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/sha256.h"
#include "drivers/clock.h"
#include "drivers/fbcon.h"
#include "drivers/uart16550.h"
#include "drivers/vgatext.h"
#include "formats/bootparams.h"
#include "kernel/after.h"
#include "kernel/boot.h"
#include "kernel/bootinfo.h"
#include "kernel/capsule_stage.h"
#include "kernel/console.h"
#include "kernel/context.h"
#include "kernel/cpu.h"
#include "kernel/devices.h"
#include "kernel/dump.h"
#include "kernel/efirt.h"
#include "kernel/encsink.h"
#include "kernel/kcompress.h"
#include "kernel/platform.h"
#include "kernel/smp.h"
#include "kernel/trap.h"
#include "kernel/xen.h"
#include "payload/cmdline.h"

_Static_assert(BOOT_MB2 == 1 && BOOT_LINUX32 == 2 && BOOT_LINUX64 == 3 && BOOT_EFI == 4,
	       "enum boot_path must match boot/boot.inc PM_BOOT_*");

static struct bootinfo bi;
static struct cmdline opts;
static struct context ctx;
static char summary[256];
static bool sha_ok;
static struct chardev serial_devs[UART16550_PORTS];
static struct chardev screen_dev;

const char *boot_path_name(uint32_t path)
{
	switch (path) {
	case BOOT_MB2: return "multiboot2";
	case BOOT_LINUX32: return "linux (32-bit entry)";
	case BOOT_LINUX64: return "linux (64-bit entry)";
	case BOOT_EFI: return "UEFI application (EFI stub)";
	}
	return "unknown";
}

static void add_serial(unsigned port, uint32_t baud)
{
	if (serial_devs[port].write != NULL)
		return;			/* named twice */
	if (uart16550_init(&serial_devs[port], port, baud) == 0)
		console_add(&serial_devs[port]);
}

static void add_screen(void)
{
	if (screen_dev.write != NULL)
		return;
	if (bi.have_fb && cpu_map_phys(bi.fb.addr, (uint64_t)bi.fb.pitch * bi.fb.height) == 0 &&
	    fbcon_init(&screen_dev, &bi.fb) == 0)
		console_add(&screen_dev);
	else if (bi.vga_text && vgatext_init(&screen_dev) == 0)
		console_add(&screen_dev);
}

/* console= as given; without any: ttyS0 at 115200 and the screen. */
static void consoles_setup(void)
{
	console_init();
	if (opts.console_none)
		return;
	if (opts.n_consoles == 0) {
		add_serial(0, CMDLINE_DEFAULT_BAUD);
		add_screen();
		return;
	}
	for (size_t i = 0; i < opts.n_consoles; i++) {
		if (opts.consoles[i].kind == CMDLINE_CONSOLE_SERIAL)
			add_serial(opts.consoles[i].port, opts.consoles[i].baud);
		else
			add_screen();
	}
}

static void print_banner(void)
{
	struct cpu_entry ce;

	printf("postmortem %s: crash and recovery kernel\n", PM_VERSION);
	printf("boot: %s via %s, loaded at 0x%llx, %llu KiB in memory\n",
	       boot_path_name(bi.path), bi.loader, (unsigned long long)bi.load_base,
	       (unsigned long long)(bi.image_size >> 10));
	printf("cmdline: %s%s\n", bi.cmdline, bi.cmdline_truncated ? " [truncated]" : "");
	printf("clock: TSC %llu MHz%s\n", (unsigned long long)(clock_hz() / 1000000),
	       clock_estimated() ? " (PIT did not answer: times are estimates)" : "");
	cpu_entry_info(&ce);
	printf("cpu: APIC ID %u (%s), %d-level paging%s; entered with CR0 0x%llx CR4 0x%llx EFER 0x%llx\n",
	       ce.apic_id, ce.apic_mode, ce.paging_levels,
	       ce.paging_levels == 5 ? " (CR4.LA57 as the loader left it)" : "",
	       (unsigned long long)ce.cr0, (unsigned long long)ce.cr4, (unsigned long long)ce.efer);
	printf("console:");
	for (unsigned i = 0; i < console_count(); i++)
		printf(" %s", console_name(i));
	printf("\n");
}

static void print_memory(void)
{
	static const uint32_t types[] = {
		BOOTPARAMS_E820_RAM, BOOTPARAMS_E820_RESERVED, BOOTPARAMS_E820_ACPI,
		BOOTPARAMS_E820_NVS, BOOTPARAMS_E820_UNUSABLE, BOOTPARAMS_E820_PMEM,
	};

	printf("memory: %u ranges from %s:", bi.mem_count, bi.mem_source);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		uint64_t t = bootinfo_mem_total(&bi, types[i]);

		if (t)
			printf(" %s %llu MiB", bootparams_e820_type_name(types[i]),
			       (unsigned long long)(t >> 20));
	}
	printf("\n");
	if (opts.inventory)
		for (unsigned i = 0; i < bi.mem_count; i++)
			printf("  [mem 0x%016llx-0x%016llx] %s\n",
			       (unsigned long long)bi.mem[i].base,
			       (unsigned long long)(bi.mem[i].base + bi.mem[i].len - 1),
			       bootparams_e820_type_name(bi.mem[i].type));
	if (bi.efi_systab)
		printf("efi: system table at 0x%llx, memory map %llu bytes (descriptor %u bytes, v%u)\n",
		       (unsigned long long)bi.efi_systab, (unsigned long long)bi.efi_mmap_size,
		       bi.efi_desc_size, bi.efi_desc_version);
	for (unsigned i = 0; i < bi.module_count; i++)
		printf("module: %s at 0x%llx, %llu bytes\n", bi.modules[i].name,
		       (unsigned long long)bi.modules[i].base, (unsigned long long)bi.modules[i].len);
}

/* Up to 64 MiB (whole MiB) of the largest RAM range below 4 GiB, for the
 * pm.bench= runs; 0 when there is none. */
static uint64_t bench_range(uint64_t *base)
{
	uint64_t len = 0;

	for (unsigned i = 0; i < bi.mem_count; i++)
		if (bi.mem[i].type == BOOTPARAMS_E820_RAM && bi.mem[i].len > len &&
		    bi.mem[i].base + bi.mem[i].len <= (4ull << 30)) {
			*base = bi.mem[i].base;
			len = bi.mem[i].len;
		}
	if (len > (64u << 20))
		len = 64u << 20;
	len &= ~((1ull << 20) - 1);
	if (len == 0)
		printf("bench: no RAM range to read\n");
	return len;
}

/* pm.bench=aesgcm: seal up to 64 MiB of RAM as an encrypted dump stream
 * (64 KiB chunks, nothing written) and print the throughput. */
static void bench_aesgcm(void)
{
	uint64_t base = 0, len = bench_range(&base);

	if (len)
		encsink_bench(base, len);
}

/* pm.bench=sha256: hash up to 64 MiB of the largest RAM range (read only)
 * and print the throughput; make bench puts it next to the host's. */
static void bench_sha256(void)
{
	uint64_t base = 0, len = bench_range(&base), t0, t1;
	uint8_t d[SHA256_LEN];

	if (len == 0)
		return;
	t0 = clock_us();
	crypto_sha256((const void *)(uintptr_t)base, len, d);
	t1 = clock_us();
	printf("bench: sha256 in-kernel: %llu MiB in %llu ms = %llu MiB/s%s\n",
	       (unsigned long long)(len >> 20), (unsigned long long)((t1 - t0) / 1000),
	       (unsigned long long)(t1 > t0 ? (len >> 20) * 1000000ull / (t1 - t0) : 0),
	       clock_estimated() ? " (clock estimated)" : "");
}

static enum after_action after_from_cmdline(enum cmdline_after a);

/*
 * pm.test=reentry, first run (entered from a loader, not through the
 * 64-bit entry): the initrd is a copy of our bzImage.  Its protected-mode
 * part goes to a free 2 MiB-aligned place above our image, and
 * cpu_enter_hostile() starts it at +0x200 with the same boot_params and
 * the CPU in every state a crashed kernel could leave it.  The copy runs
 * through as usual (it sees the 64-bit path and does not do this again).
 */
static void reentry_test(uint64_t boot_params)
{
	char what[256];
	const struct bootinfo_module *m = bi.module_count ? &bi.modules[0] : NULL;
	const uint8_t *img = m ? (const uint8_t *)(uintptr_t)m->base : NULL;
	uint64_t off, len, need, dst;
	uint32_t hdrs, init_size;

	if (bi.path == BOOT_LINUX64)
		return;
	if (bi.path != BOOT_LINUX32 || m == NULL || m->len < 0x264 || cpu_map_phys(m->base, m->len))
		after_final("reentry test FAILED: needs the Linux boot protocol and our bzImage as the initrd");
	memcpy(&hdrs, img + 0x202, 4);
	memcpy(&init_size, img + 0x260, 4);
	off = ((uint64_t)(img[0x1f1] ? img[0x1f1] : 4) + 1) * 512;
	if (hdrs != BOOTPARAMS_HDRS || off >= m->len || init_size < m->len - off)
		after_final("reentry test FAILED: the initrd is not a postmortem bzImage");
	len = m->len - off;
	need = init_size;
	dst = (bi.load_base + bi.image_size + (4ull << 20) - 1) & ~((2ull << 20) - 1);
	if (dst < m->base + m->len && m->base < dst + need)
		dst = (m->base + m->len + (2ull << 20) - 1) & ~((2ull << 20) - 1);
	bool ram = false;
	for (unsigned i = 0; i < bi.mem_count; i++)
		if (bi.mem[i].type == BOOTPARAMS_E820_RAM && bi.mem[i].base <= dst &&
		    dst + need <= bi.mem[i].base + bi.mem[i].len)
			ram = true;
	if (!ram || dst + need > (4ull << 30) || cpu_map_phys(dst, need))
		after_final("reentry test FAILED: no free RAM for the copy");
	memcpy((void *)(uintptr_t)dst, img + off, len);
	cpu_hostile_describe(what, sizeof(what));
	printf("pm.test=reentry: starting the copy at 0x%llx through its 64-bit entry with %s\n",
	       (unsigned long long)dst, what);
	cpu_enter_hostile(dst + 0x200, boot_params);
}

/* A trusted handoff may add to our command line (its CMDLINE record). */
static void apply_handoff_cmdline(void)
{
	size_t n, have = strlen(bi.cmdline);
	const char *add = context_handoff_cmdline(&ctx, &n);

	if (add == NULL || n == 0)
		return;
	n = strnlen(add, n);
	if (have + 1 + n >= sizeof(bi.cmdline)) {
		printf("cmdline: the handoff's additions (%zu bytes) do not fit; ignored\n", n);
		return;
	}
	bi.cmdline[have] = ' ';
	memcpy(bi.cmdline + have + 1, add, n);
	bi.cmdline[have + 1 + n] = '\0';
	printf("cmdline: + %.*s (from the handoff)\n", (int)n, add);
	cmdline_parse(bi.cmdline, strlen(bi.cmdline), &opts);
	for (size_t i = 0; i < opts.n_warnings; i++)
		printf("%s\n", opts.warnings[i]);
	after_configure(after_from_cmdline(opts.after));
}

static enum after_action after_from_cmdline(enum cmdline_after a)
{
	switch (a) {
	case CMDLINE_AFTER_POWEROFF: return AFTER_POWEROFF;
	case CMDLINE_AFTER_REBOOT: return AFTER_REBOOT;
	case CMDLINE_AFTER_CAPSULE: return AFTER_CAPSULE;
	case CMDLINE_AFTER_HALT: break;
	}
	return AFTER_HALT;
}

void kmain(uint32_t path, uint64_t info, uint64_t magic, uint64_t load_base)
{
	cpu_init(load_base);
	clock_init();
	bootinfo_gather(&bi, path, info, magic, load_base);
	cmdline_parse(bi.cmdline, strlen(bi.cmdline), &opts);
	after_configure(after_from_cmdline(opts.after));
	consoles_setup();

	print_banner();
	for (unsigned i = 0; i < bi.warn_count; i++)
		printf("%s\n", bi.warnings[i]);
	for (size_t i = 0; i < opts.n_warnings; i++)
		printf("%s\n", opts.warnings[i]);
	if (opts.n_dropped_warnings)
		printf("cmdline: %zu more warnings not shown\n", opts.n_dropped_warnings);

	sha_ok = crypto_sha256_selftest() == 0;
	unsigned faster = sha_ok ? crypto_sha256_rank(cpu_rdtsc) : 0;
	if (!sha_ok)
		printf("crypto: SHA-256 self-test FAILED (FIPS 180-2 vectors): no digest can be trusted\n");
	else if (strcmp(crypto_sha256_rounds(), "mbedTLS's rounds") != 0)
		printf("crypto: SHA-256 through %s (checked against mbedTLS's rounds)\n",
		       crypto_sha256_rounds());
	if (faster)
		printf("crypto: the CPU's SHA extensions are there but %u.%ux slower here (emulated?)\n",
		       faster / 10, faster % 10);
	print_memory();
	if (opts.test == CMDLINE_TEST_REENTRY)
		reentry_test(info);
	context_handoff(&ctx, &bi, &opts);
	if (!sha_ok && ctx.handoff == CONTEXT_HANDOFF_TRUSTED) {
		/* A digest from a broken SHA-256 proves nothing. */
		ctx.handoff = CONTEXT_HANDOFF_UNTRUSTED;
		ctx.handoff_block = NULL;
		snprintf(ctx.handoff_reason, sizeof(ctx.handoff_reason), "SHA-256 self-test failed");
		printf("handoff: NOT TRUSTED: SHA-256 self-test failed; using what the boot path gives\n");
	}
	apply_handoff_cmdline();
	context_gather(&ctx, &bi, &opts);
	context_print(&ctx, opts.inventory);
	xen_report(&ctx);
	efirt_init(&ctx, &bi);
	if (opts.after == CMDLINE_AFTER_CAPSULE)
		capsule_stage_prepare(&ctx, &bi);
	platform_acpi_init(opts.acpi_rsdp_set ? opts.acpi_rsdp : bi.rsdp_addr,
			   bi.rsdp_copy, bi.rsdp_copy_len);
	if (opts.test == CMDLINE_TEST_EFIRT)
		after_final(efirt_selftest() == 0 ? "efirt test complete" : "efirt test FAILED");
	if (opts.test == CMDLINE_TEST_EFIRT_FAULT && efirt_provoke_fault() == -ENODEV)
		after_final("efirt fault test FAILED: no runtime services");
	if (opts.test == CMDLINE_TEST_EFIRT_FAULT)
		after_final("efirt fault test FAILED: the firmware did not fault");

	smp_start(&ctx, &bi, &opts);
	if (opts.smp == CMDLINE_SMP_TEST)
		smp_self_test();
	devices_probe();
	if (opts.test == CMDLINE_TEST_BLKDEV)
		after_final(devices_selftest() == 0 ? "blkdev selftest complete" : "blkdev selftest FAILED");
	if (opts.bench == CMDLINE_BENCH_SHA256) {
		bench_sha256();
		after_final("bench complete");
	}
	if (opts.bench == CMDLINE_BENCH_AESGCM) {
		bench_aesgcm();
		after_final("bench complete");
	}
	if (opts.bench == CMDLINE_BENCH_COMPRESS) {
		kcompress_bench(&bi);
		after_final("bench complete");
	}
	if (opts.test == CMDLINE_TEST_FAULT)
		trap_provoke_fault();
	if (opts.inventory)
		after_final("inventory complete");
	dump_run(&ctx, &bi, &opts, summary, sizeof(summary));
	if (trap_nmi_count())
		printf("cpu: %u NMIs arrived during the run and were ignored\n", trap_nmi_count());
	after_final(summary);
}
