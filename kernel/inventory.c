/*
 * Print the crash context (context_print in context.h): one EFI line in the
 * shape Linux prints at boot ("efi: EFI v2.7 by EDK II ACPI 2.0=0x... ..."),
 * the ESRT status, a memory map summary in MiB per EFI type, the
 * elfcorehdr summary; with full = true (pm.inventory) every configuration
 * table, descriptor and ESRT entry too.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/context.h"

/* Tables Linux names on its "efi:" line, in its order and with its labels. */
static const struct {
	struct efi_guid guid;
	char label[12];
} efi_line_tables[] = {
	{ EFI_ACPI_20_TABLE_GUID, "ACPI 2.0" },
	{ EFI_ACPI_10_TABLE_GUID, "ACPI" },
	{ EFI_SMBIOS_TABLE_GUID, "SMBIOS" },
	{ EFI_SMBIOS3_TABLE_GUID, "SMBIOS 3.0" },
	{ EFI_SYSTEM_RESOURCE_TABLE_GUID, "ESRT" },
	{ EFI_MEMORY_ATTRIBUTES_TABLE_GUID, "MEMATTR" },
	{ EFI_RT_PROPERTIES_TABLE_GUID, "RTPROP" },
	{ EFI_TCG2_FINAL_EVENTS_TABLE_GUID, "TPMFinalLog" },
	{ EFI_LINUX_RANDOM_SEED_GUID, "RNG" },
	{ EFI_LINUX_TPM_EVENT_LOG_GUID, "TPMEventLog" },
	{ EFI_LINUX_MEMRESERVE_GUID, "MEMRESERVE" },
	{ EFI_LINUX_UNACCEPTED_MEM_GUID, "Unaccepted" },
};

static void print_efi_line(const struct context *ctx)
{
	char rev[16];

	/* A block made from sysfs (handoff create --from-system) knows no revision. */
	if (ctx->efi_revision == 0 || efi_revision_format(ctx->efi_revision, rev, sizeof(rev)) < 0)
		snprintf(rev, sizeof(rev), "?");
	printf("efi: EFI v%s by %s", rev, ctx->fw_vendor[0] ? ctx->fw_vendor : "unknown vendor");
	for (size_t k = 0; k < sizeof(efi_line_tables) / sizeof(efi_line_tables[0]); k++)
		for (unsigned i = 0; i < ctx->table_count; i++) {
			if (!efi_guid_eq(&ctx->tables[i].guid, &efi_line_tables[k].guid))
				continue;
			printf(" %s=0x%llx", efi_line_tables[k].label,
			       (unsigned long long)ctx->tables[i].table);
			if (k == 4 && ctx->esrt_state == CONTEXT_ESRT_COPY)
				printf(" (preserved copy, %u %s)", ctx->esrt_count,
				       ctx->esrt_count == 1 ? "entry" : "entries");
			else if (k == 4 && ctx->esrt_state == CONTEXT_ESRT_IN_PLACE)
				printf(" (in place, %u %s)", ctx->esrt_count,
				       ctx->esrt_count == 1 ? "entry" : "entries");
			else if (k == 4 && ctx->esrt_state == CONTEXT_ESRT_REFUSED)
				printf(" (not read)");
		}
	printf("\n");
	if (ctx->systab_addr)
		printf("efi: system table at 0x%llx", (unsigned long long)ctx->systab_addr);
	else
		printf("efi: system table address unknown");
	printf(" from the %s%s, %u configuration tables%s\n", ctx->efi_source,
	       ctx->systab_crc_ok ? "" : " (header CRC32 does not match)", ctx->table_count,
	       ctx->tables_truncated ? " (more not shown)" : "");
	if (ctx->esrt_state == CONTEXT_ESRT_REFUSED)
		printf("efi: ESRT at 0x%llx %s\n", (unsigned long long)ctx->esrt_addr, ctx->esrt_why);
	if (ctx->esrt_where[0])
		printf("efi: %s\n", ctx->esrt_where);
}

/* " Type 12 MiB", or KiB below a MiB, so small regions do not read as 0. */
static void print_size(const char *name, uint64_t pages)
{
	if (pages >= 256)
		printf(" %s %llu MiB", name, (unsigned long long)(pages >> 8));
	else
		printf(" %s %llu KiB", name, (unsigned long long)(pages * 4));
}

static void print_mmap(const struct context *ctx, bool full)
{
	uint64_t pages[16], other = 0;
	struct efi_mmap_desc d;
	size_t n = efi_mmap_count(ctx->efi_mmap_len, ctx->efi_desc_size);

	if (efi_mmap_summarise(ctx->efi_mmap, ctx->efi_mmap_len, ctx->efi_desc_size, pages, &other) != 0) {
		printf("efi: memory map (%s) unreadable (descriptor size %u)\n", ctx->efi_mmap_source,
		       ctx->efi_desc_size);
		return;
	}
	printf("efi: memory map from the %s, %zu descriptors:", ctx->efi_mmap_source, n);
	for (unsigned t = 0; t < 16; t++)
		if (pages[t])
			print_size(efi_mem_type_name(t), pages[t]);
	if (other)
		print_size("other", other);
	printf("\n");
	for (size_t i = 0; full && i < n && efi_mmap_desc_at(ctx->efi_mmap, ctx->efi_mmap_len,
							   ctx->efi_desc_size, i, &d) == 0; i++)
		printf("  efi [mem 0x%016llx-0x%016llx] %-20s attr 0x%016llx\n",
		       (unsigned long long)d.phys_start,
		       (unsigned long long)(d.phys_start + d.num_pages * 4096 - 1),
		       efi_mem_type_name(d.type), (unsigned long long)d.attribute);
}

static void print_full(const struct context *ctx)
{
	char g[37];
	struct efi_esrt_entry e;

	for (unsigned i = 0; i < ctx->table_count; i++) {
		const char *name = efi_guid_name(&ctx->tables[i].guid);

		efi_guid_format(&ctx->tables[i].guid, g);
		printf("  config table %s %-16s at 0x%llx\n", g, name ? name : "",
		       (unsigned long long)ctx->tables[i].table);
	}
	for (uint32_t i = 0; ctx->esrt && i < ctx->esrt_count &&
	     efi_esrt_entry_at(ctx->esrt, ctx->esrt_len, i, &e) == 0; i++) {
		efi_guid_format(&e.fw_class, g);
		printf("  esrt entry %u: class %s type %s version 0x%x lowest 0x%x flags 0x%x last attempt 0x%x status %u\n",
		       i, g, efi_esrt_fw_type_name(e.fw_type), e.fw_version,
		       e.lowest_supported_fw_version, e.capsule_flags, e.last_attempt_version,
		       e.last_attempt_status);
	}
}

void context_print(const struct context *ctx, bool full)
{
	if (ctx->have_efi) {
		print_efi_line(ctx);
		if (full)
			print_full(ctx);
	} else {
		printf("efi: no EFI system table (BIOS boot, or none handed over)\n");
	}
	if (ctx->efi_mmap)
		print_mmap(ctx, full);
	if (ctx->have_elfcorehdr)
		printf("elfcorehdr: at 0x%llx, %zu PT_LOAD (%llu MiB), %zu PT_NOTE\n",
		       (unsigned long long)ctx->elfcorehdr_addr, ctx->elfcore_loads,
		       (unsigned long long)(ctx->elfcore_bytes >> 20), ctx->elfcore_notes);
	else if (ctx->elfcorehdr_problem[0])
		printf("elfcorehdr: at 0x%llx %s; dumping the memory map's RAM instead\n",
		       (unsigned long long)ctx->elfcorehdr_addr, ctx->elfcorehdr_problem);
}
