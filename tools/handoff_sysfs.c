/*
 * `postmortem handoff create --from-system`: what a live Linux exports
 * under /sys (or --sysfs-root), gathered into a struct handoff_plan.
 * Interface: tools/handoff.h; what lands in which record: docs/handoff.md.
 *
 *   firmware/efi/systab                 "ACPI20=0x..." lines -> EFI_CONFIG_TABLES
 *   firmware/efi/{fw_vendor,runtime,config_table,fw_platform_size} -> EFI_SYSTAB
 *   firmware/efi/runtime-map/N/         -> EFI_RUNTIME_MAP
 *   firmware/efi/esrt/ (+ entries/entryN/) -> ESRT rebuilt as a TABLE_COPY
 *   firmware/memmap/N/{start,end,type}  -> MEMMAP (e820 types by name)
 *   firmware/dmi/tables/{smbios_entry_point,DMI} -> SMBIOS
 *   systab ACPI20= (or ACPI=)           -> ACPI_RSDP, address only
 *   kernel/vmcoreinfo "ADDR SIZE"       -> VMCOREINFO, address and size only
 *
 * In a Xen PV dom0 (tools/xen.h, docs/xen.md) firmware/memmap is dom0's
 * pseudo-physical map, not the host's: MEMMAP is Xen's machine memory map
 * instead (XENMEM_machine_memory_map through privcmd), and nothing when
 * that cannot be had.  kernel/vmcoreinfo is a machine address there
 * (Linux's Xen PV code says where the note really is), so it stands.
 * The ESRT: Xen (>= 4.17) moves the firmware's table out of boot-services
 * memory into memory it keeps and points the configuration table at the
 * copy; a dom0 kernel may or may not show it under firmware/efi/esrt
 * (Debian's 6.1 does not), so its address, and without sysfs its bytes,
 * come from Xen: the configuration-table array Xen reports
 * (XENPF_firmware_info), the memory type Xen's EFI memory map gives the
 * table's address (XEN_FW_EFI_MEM_INFO), the bytes mapped read-only
 * through privcmd (firmware memory belongs to Xen's DOMID_IO).
 *
 * Linux formats these files with "0x%lx", "%u", "%pUl" (GUIDs) and, for
 * vmcoreinfo, "%pa %x" (the size in hex without 0x); see
 * drivers/firmware/efi/{efi.c,runtime-map.c,esrt.c}, kernel/ksysfs.c,
 * drivers/firmware/memmap.c.  Every absent file or directory is skipped
 * with one note on stderr, so a BIOS machine still yields a block with its
 * memory map; a file that is present but unparsable is an error.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/efi.h"
#include "payload/handoff.h"
#include "tools/handoff.h"
#include "tools/xen.h"

#define TOOL "postmortem: handoff"

/* Addresses from the systab file that other records need. */
struct sys_addrs {
	uint64_t acpi20, acpi, smbios, smbios3, esrt;
};

static void note(const char *root, const char *rel, const char *what)
{
	fprintf(stderr, "%s: note: %s/%s %s\n", TOOL, root, rel, what);
}

static bool sys_exists(const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct stat s;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return stat(path, &s) == 0;
}

/*
 * root/rel as text with trailing blanks dropped, into buf[cap].  Returns 0,
 * -ENOENT when absent (silently), or -errno after printing why.
 */
static int sys_text(const char *root, const char *rel, char *buf, size_t cap)
{
	char path[PATH_MAX];
	uint8_t *b;
	size_t n;
	int r;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	r = handoff_read_file(path, &b, &n);
	if (r == -ENOENT)
		return r;
	if (r != 0) {
		fprintf(stderr, "%s: cannot read %s: %s\n", TOOL, path, strerror(-r));
		return r;
	}
	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' ' || b[n - 1] == '\t'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, b, n);
	buf[n] = '\0';
	free(b);
	return 0;
}

/* A number in root/rel (base 0: 0x-hex or decimal; base 16 for vmcoreinfo). */
static int sys_u64(const char *root, const char *rel, int base, uint64_t *v)
{
	char text[64], *end;
	int r = sys_text(root, rel, text, sizeof(text));

	if (r != 0)
		return r;
	errno = 0;
	*v = strtoull(text, &end, base);
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
		fprintf(stderr, "%s: %s/%s: cannot parse '%s' as a number\n", TOOL, root, rel, text);
		return -EINVAL;
	}
	return 0;
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The numbers N of entries "<prefix>N" in root/rel, sorted, into a malloc'd
 * *out.  Returns the count, or -ENOENT when the directory is absent.
 */
static int sys_numbered(const char *root, const char *rel, const char *prefix,
			unsigned long **out)
{
	char path[PATH_MAX], *end;
	size_t pl = strlen(prefix), n = 0;
	unsigned long *v = NULL, x;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	d = opendir(path);
	if (d == NULL)
		return -ENOENT;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, pl) != 0 || e->d_name[pl] < '0' || e->d_name[pl] > '9')
			continue;
		x = strtoul(e->d_name + pl, &end, 10);
		if (*end == '\0')
			handoff_plan_push(&v, &n, sizeof(x), &x);
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_ulong);
	*out = v;
	return (int)n;
}

/* ------------------------------------------------------------------- EFI */

/* systab lines "KEY=0xADDR" -> config tables; keys as Linux prints them. */
static int efi_systab_lines(const char *root, struct handoff_plan *p, struct sys_addrs *a)
{
	static const struct { char key[10]; char guid[10]; } keys[] = {
		{ "ACPI20", "acpi20" }, { "ACPI", "acpi" }, { "SMBIOS", "smbios" },
		{ "SMBIOS3", "smbios3" }, { "MPS", "mps" }, { "HCDP", "hcdp" },
		{ "UGA", "uga" }, { "ESRT", "esrt" },
	};
	uint64_t *slot[] = { &a->acpi20, &a->acpi, &a->smbios, &a->smbios3, NULL, NULL, NULL,
			     &a->esrt };	/* by index in keys[] */
	char text[4096], *line, *save = NULL, *eq, *end;
	struct handoff_config_table t;
	size_t k;

	if (sys_text(root, "firmware/efi/systab", text, sizeof(text)) != 0) {
		note(root, "firmware/efi/systab", "absent or unreadable: no EFI configuration tables");
		return 0;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		for (k = 0; eq != NULL && k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strlen(keys[k].key) == (size_t)(eq - line) &&
			    memcmp(line, keys[k].key, (size_t)(eq - line)) == 0)
				break;
		if (eq == NULL || k == sizeof(keys) / sizeof(keys[0])) {
			fprintf(stderr, "%s: note: %s/firmware/efi/systab: line '%s' skipped\n",
				TOOL, root, line);
			continue;
		}
		errno = 0;
		t.table = strtoull(eq + 1, &end, 16);
		if (errno != 0 || end == eq + 1 || *end != '\0') {
			fprintf(stderr, "%s: %s/firmware/efi/systab: bad address in '%s'\n",
				TOOL, root, line);
			return -EINVAL;
		}
		handoff_guid_by_name(keys[k].guid, strlen(keys[k].guid), t.guid);
		handoff_plan_push(&p->tables, &p->n_tables, sizeof(t), &t);
		if (slot[k] != NULL)
			*slot[k] = t.table;
	}
	return 0;
}

/*
 * The system table's own address: Linux does not print it under
 * firmware/efi, but the boot_params it was started with (exported whole
 * at kernel/boot_params/data) carry it in efi_info: efi_systab at 0x1c4,
 * efi_systab_hi at 0x1d8 (arch/x86/include/uapi/asm/bootparam.h), set by
 * the EFI stub or by kexec.  0 when absent.
 */
static uint64_t efi_systab_from_boot_params(const char *root)
{
	char path[PATH_MAX];
	uint8_t *b;
	size_t n;
	uint64_t addr = 0;

	snprintf(path, sizeof(path), "%s/kernel/boot_params/data", root);
	if (handoff_read_file(path, &b, &n) != 0)
		return 0;
	if (n >= 0x1e0)
		addr = ((uint64_t)b[0x1d8] | (uint64_t)b[0x1d9] << 8 | (uint64_t)b[0x1da] << 16 |
			(uint64_t)b[0x1db] << 24) << 32 |
		       ((uint64_t)b[0x1c4] | (uint64_t)b[0x1c5] << 8 | (uint64_t)b[0x1c6] << 16 |
			(uint64_t)b[0x1c7] << 24);
	free(b);
	return addr;
}

/* fw_vendor, runtime, config_table (addresses) and fw_platform_size. */
static int efi_systab_facts(const char *root, struct handoff_plan *p, bool xen_dom0)
{
	static const char *const files[] = {
		"firmware/efi/fw_vendor", "firmware/efi/runtime",
		"firmware/efi/config_table", "firmware/efi/fw_platform_size",
	};
	uint64_t *dst[] = {
		&p->systab.fw_vendor_addr, &p->systab.runtime_services,
		&p->systab.config_table_addr, NULL,
	};
	uint64_t v;
	int r;

	for (size_t i = 0; i < 4; i++) {
		r = sys_u64(root, files[i], 0, &v);
		if (r == -ENOENT) {
			note(root, files[i], "absent, skipped");
			continue;
		}
		if (r != 0)
			return r;
		p->have_systab = true;
		if (dst[i] != NULL)
			*dst[i] = v;
		else if (v == 32 || v == 64)
			p->systab.platform_bits = (uint32_t)v;
	}
	if (p->have_systab && xen_dom0) {
		/* Linux's Xen EFI code builds its own system table from what Xen
		 * tells it and puts that copy's (pseudo-physical) address in
		 * boot_params: not the firmware's, so none is recorded. */
		note(root, "kernel/boot_params/data", "names dom0's own copy of the EFI system "
		     "table under Xen, not the firmware's: system table address left 0");
	} else if (p->have_systab) {
		p->systab.systab_addr = efi_systab_from_boot_params(root);
		if (p->systab.systab_addr == 0)
			note(root, "kernel/boot_params/data", "has no EFI system table address");
	}
	return 0;
}

static int efi_runtime_map(const char *root, struct handoff_plan *p)
{
	static const char *const f[] = { "type", "phys_addr", "virt_addr", "num_pages", "attribute" };
	unsigned long *ids;
	int n = sys_numbered(root, "firmware/efi/runtime-map", "", &ids), r = 0;
	char rel[96];

	if (n < 0) {
		note(root, "firmware/efi/runtime-map", "absent: no EFI runtime map");
		return 0;
	}
	for (int i = 0; i < n && r == 0; i++) {
		struct handoff_runtime_entry e;
		uint64_t v[5];

		memset(&e, 0, sizeof(e));
		for (size_t k = 0; k < 5 && r == 0; k++) {
			snprintf(rel, sizeof(rel), "firmware/efi/runtime-map/%lu/%s", ids[i], f[k]);
			r = sys_u64(root, rel, 0, &v[k]);
		}
		if (r == 0 && v[0] > UINT32_MAX)
			r = -EINVAL;
		if (r != 0)
			break;
		e.type = (uint32_t)v[0];
		e.phys_addr = v[1];
		e.virt_addr = v[2];
		e.num_pages = v[3];
		e.attribute = v[4];
		handoff_plan_push(&p->runtime, &p->n_runtime, sizeof(e), &e);
	}
	free(ids);
	if (r != 0)
		fprintf(stderr, "%s: %s/firmware/efi/runtime-map: incomplete entry\n", TOOL, root);
	return r;
}

/* One esrt/entries/entryN/ directory. */
static int efi_esrt_entry(const char *root, unsigned long id, struct handoff_esrt_entry *e)
{
	static const char *const f[] = {
		"fw_type", "fw_version", "lowest_supported_fw_version", "capsule_flags",
		"last_attempt_version", "last_attempt_status",
	};
	uint32_t *dst[] = {
		&e->fw_type, &e->fw_version, &e->lowest_supported_fw_version,
		&e->capsule_flags, &e->last_attempt_version, &e->last_attempt_status,
	};
	char rel[128], text[64];
	uint64_t v;
	int r;

	snprintf(rel, sizeof(rel), "firmware/efi/esrt/entries/entry%lu/fw_class", id);
	r = sys_text(root, rel, text, sizeof(text));
	if (r == 0 && handoff_guid_parse(text, strlen(text), e->fw_class) != 0) {
		fprintf(stderr, "%s: %s/%s: bad GUID '%s'\n", TOOL, root, rel, text);
		return -EINVAL;
	}
	for (size_t k = 0; k < 6 && r == 0; k++) {
		snprintf(rel, sizeof(rel), "firmware/efi/esrt/entries/entry%lu/%s", id, f[k]);
		r = sys_u64(root, rel, 0, &v);
		if (r == 0 && v > UINT32_MAX)
			r = -ERANGE;
		if (r == 0)
			*dst[k] = (uint32_t)v;
	}
	if (r != 0)
		fprintf(stderr, "%s: %s/%s: missing or out of range\n", TOOL, root, rel);
	return r;
}

/* The ESRT itself lived in EfiBootServicesData: rebuild its bytes from sysfs. */
static int efi_esrt(const char *root, struct handoff_plan *p, const struct sys_addrs *a,
		    bool ask_xen)
{
	uint64_t count = 0, max = 0, version = 0;
	unsigned long *ids = NULL;
	int n, r;

	if (!sys_exists(root, "firmware/efi/esrt")) {
		note(root, "firmware/efi/esrt", ask_xen ? "absent: the ESRT is asked from Xen"
							: "absent: no ESRT copy");
		return 0;
	}
	r = sys_u64(root, "firmware/efi/esrt/fw_resource_count", 0, &count);
	if (r == 0)
		r = sys_u64(root, "firmware/efi/esrt/fw_resource_count_max", 0, &max);
	if (r == 0)
		r = sys_u64(root, "firmware/efi/esrt/fw_resource_version", 0, &version);
	if (r != 0 || max > UINT32_MAX) {
		fprintf(stderr, "%s: %s/firmware/efi/esrt: header files missing or bad\n", TOOL, root);
		return -EINVAL;
	}
	n = sys_numbered(root, "firmware/efi/esrt/entries", "entry", &ids);
	for (int i = 0; i < n && r == 0; i++) {
		struct handoff_esrt_entry e;

		memset(&e, 0, sizeof(e));
		r = efi_esrt_entry(root, ids[i], &e);
		if (r == 0)
			handoff_plan_push(&p->esrt, &p->n_esrt, sizeof(e), &e);
	}
	free(ids);
	if (r != 0)
		return r;
	if (count != p->n_esrt)
		fprintf(stderr, "%s: note: ESRT says %llu entries, %zu found in sysfs\n", TOOL,
			(unsigned long long)count, p->n_esrt);
	if (a->esrt == 0)
		note(root, "firmware/efi/systab", "has no ESRT= line: ESRT address unknown (0)");
	p->have_esrt = true;
	p->esrt_addr = a->esrt;
	p->esrt_count_max = (uint32_t)max;
	p->esrt_version = version;
	return 0;
}

/*
 * Xen PV dom0: the ESRT as Xen kept it.  Its address from the firmware's
 * configuration-table array as Xen reports it (added to EFI_CONFIG_TABLES:
 * Linux's systab file has no ESRT= line); the table's bytes, when sysfs
 * has none, read from machine memory, only where Xen's EFI memory map says
 * it is memory Xen keeps (ACPI reclaim or runtime-services data).
 */
static int xen_esrt(struct handoff_plan *p, struct sys_addrs *a)
{
	static const uint8_t esrt_guid[16] = HANDOFF_GUID_ESRT;
	static const struct efi_guid esrt_g = EFI_SYSTEM_RESOURCE_TABLE_GUID;
	uint8_t cfg[256 * 24], *buf = NULL;
	struct handoff_config_table t;
	struct efi_config_table ent;
	uint64_t ct = 0, attr = 0, left = 0, addr = 0;
	uint32_t nent = 0, type = 0;
	struct efi_esrt e;
	size_t len;
	int r;

	r = xen_efi_config_table(&ct, &nent);
	if (r == 0 && (nent == 0 || nent > 256))
		r = -ERANGE;
	if (r == 0)
		r = xen_read_machine(ct, cfg, (size_t)nent * 24);
	if (r != 0) {
		fprintf(stderr, "%s: note: Xen's EFI configuration tables (%u at 0x%llx): %s: "
			"no ESRT from Xen\n", TOOL, nent, (unsigned long long)ct, strerror(-r));
		return 0;
	}
	if (p->have_systab) {	/* for the crash kernel to check the ESRT's address */
		p->systab.config_table_addr = ct;
		p->systab.config_table_count = nent;
	}
	for (uint32_t i = 0; i < nent && addr == 0; i++)
		if (efi_config_table_at(cfg, sizeof(cfg), i, &ent) == 0 && efi_guid_eq(&ent.guid, &esrt_g))
			addr = ent.table;
	if (addr == 0) {
		fprintf(stderr, "%s: note: no ESRT among the firmware's %u configuration tables "
			"(as Xen reports them)\n", TOOL, nent);
		return 0;
	}
	bool listed = false;
	for (size_t i = 0; i < p->n_tables; i++)
		listed |= memcmp(p->tables[i].guid, esrt_guid, 16) == 0;
	if (!listed) {
		memcpy(t.guid, esrt_guid, 16);
		t.table = addr;
		handoff_plan_push(&p->tables, &p->n_tables, sizeof(t), &t);
	}
	a->esrt = addr;
	if (p->have_esrt) {		/* the entries came from sysfs */
		p->esrt_addr = addr;
		fprintf(stderr, "%s: note: ESRT at 0x%llx (the firmware's configuration table, "
			"as Xen reports it)\n", TOOL, (unsigned long long)addr);
		return 0;
	}
	r = xen_efi_mem_info(addr, &type, &attr, &left);
	if (r != 0) {
		fprintf(stderr, "%s: note: ESRT at 0x%llx: Xen's EFI memory map: %s: no copy\n",
			TOOL, (unsigned long long)addr, strerror(-r));
		return 0;
	}
	if (type != EFI_ACPI_RECLAIM_MEMORY && type != EFI_RUNTIME_SERVICES_DATA) {
		fprintf(stderr, "%s: note: ESRT at 0x%llx lies in %s memory, which Xen does not "
			"keep: no copy\n", TOOL, (unsigned long long)addr, efi_mem_type_name(type));
		return 0;
	}
	uint8_t hdr[16];
	uint32_t count;

	r = left < sizeof(hdr) ? -ERANGE : xen_read_machine(addr, hdr, sizeof(hdr));
	memcpy(&count, hdr, sizeof(count));
	len = sizeof(hdr) + (size_t)count * 40;
	if (r == 0 && (count > EFI_ESRT_MAX_ENTRIES || len > left))
		r = -ERANGE;
	if (r == 0 && (buf = malloc(len)) == NULL)
		r = -ENOMEM;
	if (r == 0)
		r = xen_read_machine(addr, buf, len);
	if (r == 0 && efi_esrt_parse(buf, len, &e) != 0)
		r = -EBADMSG;
	if (r != 0) {
		fprintf(stderr, "%s: note: ESRT at 0x%llx (%s): %s: no copy\n", TOOL,
			(unsigned long long)addr, efi_mem_type_name(type), strerror(-r));
		free(buf);
		return 0;
	}
	for (uint32_t i = 0; i < e.count; i++) {
		struct handoff_esrt_entry he;

		memcpy(&he, buf + 16 + (size_t)i * 40, sizeof(he));
		handoff_plan_push(&p->esrt, &p->n_esrt, sizeof(he), &he);
	}
	free(buf);
	p->have_esrt = true;
	p->esrt_addr = addr;
	p->esrt_count_max = e.count_max;
	p->esrt_version = e.version;
	fprintf(stderr, "%s: note: ESRT: %u %s at 0x%llx, in %s memory (kept by Xen), read "
		"through Xen\n", TOOL, e.count, e.count == 1 ? "entry" : "entries",
		(unsigned long long)addr, efi_mem_type_name(type));
	fprintf(stderr, "%s: note: Xen without its fix \"EFI: Fix relocating ESRT for dom0\" "
		"(2026; 4.17 among them) copies the ESRT 16 bytes short: the last entry's lowest "
		"version, capsule flags and last attempt may not be the firmware's\n", TOOL);
	return 0;
}

/* ------------------------------------------------------- memmap, DMI, ... */

/* Linux e820_type_to_string() names (arch/x86/kernel/e820.c). */
static uint32_t e820_type_of(const char *name)
{
	static const struct { char name[28]; uint32_t type; } names[] = {
		{ "System RAM", HANDOFF_E820_RAM },
		{ "Reserved", HANDOFF_E820_RESERVED },
		{ "ACPI Tables", HANDOFF_E820_ACPI },
		{ "ACPI Non-volatile Storage", HANDOFF_E820_NVS },
		{ "Unusable memory", HANDOFF_E820_UNUSABLE },
		{ "Persistent Memory (legacy)", HANDOFF_E820_PRAM },
		{ "Persistent Memory", HANDOFF_E820_PMEM },
		{ "Soft Reserved", HANDOFF_E820_SOFT_RESERVED },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].type;
	fprintf(stderr, "%s: note: memmap type '%s' unknown, recorded as reserved\n", TOOL, name);
	return HANDOFF_E820_RESERVED;
}

static int sys_memmap(const char *root, struct handoff_plan *p)
{
	unsigned long *ids;
	int n = sys_numbered(root, "firmware/memmap", "", &ids), r = 0;
	char rel[96], type[64];

	if (n < 0) {
		note(root, "firmware/memmap", "absent: no memory map");
		return 0;
	}
	for (int i = 0; i < n && r == 0; i++) {
		struct handoff_memmap_entry e = { 0, 0, 0, 0 };
		uint64_t end = 0;

		snprintf(rel, sizeof(rel), "firmware/memmap/%lu/start", ids[i]);
		r = sys_u64(root, rel, 0, &e.start);
		snprintf(rel, sizeof(rel), "firmware/memmap/%lu/end", ids[i]);
		if (r == 0)
			r = sys_u64(root, rel, 0, &end);
		snprintf(rel, sizeof(rel), "firmware/memmap/%lu/type", ids[i]);
		if (r == 0)
			r = sys_text(root, rel, type, sizeof(type));
		if (r == 0 && (end < e.start || end - e.start == UINT64_MAX))
			r = -EINVAL;
		if (r != 0) {
			fprintf(stderr, "%s: %s/firmware/memmap/%lu: incomplete or bad entry\n",
				TOOL, root, ids[i]);
			break;
		}
		e.size = end - e.start + 1;	/* "end" is inclusive */
		e.type = e820_type_of(type);
		handoff_plan_push(&p->memmap, &p->n_memmap, sizeof(e), &e);
	}
	free(ids);
	return r;
}

/*
 * Xen PV dom0: the host's memory map from Xen (dom0's own firmware/memmap
 * has dom0's pseudo-physical addresses, which no crash kernel can use).
 */
static int xen_memmap(const char *root, struct handoff_plan *p, const struct xen_info *x)
{
	struct xen_e820 e820[128];
	int n = strcmp(root, "/sys") == 0 ? xen_machine_memory_map(e820, 128) : -ENOSYS;

	fprintf(stderr, "%s: note: Xen %s %s: %s/firmware/memmap is dom0's pseudo-physical map, "
		"not the host's: left out\n", TOOL, x->version, xen_kind_name(x->kind), root);
	if (n < 0) {
		fprintf(stderr, "%s: note: Xen's machine memory map: %s: no MEMMAP record\n", TOOL,
			n == -ENOSYS ? "not asked (not the live /sys)" : strerror(-n));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		struct handoff_memmap_entry e = { e820[i].addr, e820[i].size, e820[i].type, 0 };

		if (e.size == 0 || e.start + e.size < e.start)
			continue;
		handoff_plan_push(&p->memmap, &p->n_memmap, sizeof(e), &e);
	}
	fprintf(stderr, "%s: note: MEMMAP from Xen's machine memory map (%d entries)\n", TOOL, n);
	return 0;
}

/* SMBIOS entry point and table; root-only files on a real system. */
static int sys_dmi(const char *root, struct handoff_plan *p, const struct sys_addrs *a)
{
	char path[PATH_MAX];
	uint64_t size;
	int r;

	snprintf(path, sizeof(path), "%s/firmware/dmi/tables/smbios_entry_point", root);
	r = handoff_read_file(path, &p->smbios_ep, &p->smbios_ep_len);
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/firmware/dmi/tables/DMI", root);
		r = handoff_read_file(path, &p->smbios_table, &p->smbios_table_len);
	}
	if (r != 0) {
		fprintf(stderr, "%s: note: %s: %s: no SMBIOS copy\n", TOOL, path, strerror(-r));
		free(p->smbios_ep);
		p->smbios_ep = NULL;
		p->smbios_ep_len = 0;
		return 0;
	}
	if (!handoff_smbios_table_of(p->smbios_ep, p->smbios_ep_len, &p->smbios_table_addr, &size))
		fprintf(stderr, "%s: note: %s/firmware/dmi/tables/smbios_entry_point has no "
			"SMBIOS anchor: table address unknown\n", TOOL, root);
	p->have_smbios = true;
	p->smbios_ep_addr = p->smbios_ep_len >= 5 && memcmp(p->smbios_ep, "_SM3_", 5) == 0
			    ? a->smbios3 : a->smbios;
	return 0;
}

/* "0x<addr> <hex size>": the note's place, not its text (that is in memory). */
static int sys_vmcoreinfo(const char *root, struct handoff_plan *p)
{
	char text[64], *end, *sp;
	int r = sys_text(root, "kernel/vmcoreinfo", text, sizeof(text));

	if (r == -ENOENT) {
		note(root, "kernel/vmcoreinfo", "absent: no VMCOREINFO address");
		return 0;
	}
	if (r != 0)
		return r;
	sp = strchr(text, ' ');
	errno = 0;
	if (sp != NULL) {
		p->vmcoreinfo_addr = strtoull(text, &end, 16);
		if (errno == 0 && end == sp)
			p->vmcoreinfo_size = strtoull(sp + 1, &end, 16);
	}
	if (sp == NULL || errno != 0 || *end != '\0') {
		fprintf(stderr, "%s: %s/kernel/vmcoreinfo: cannot parse '%s'\n", TOOL, root, text);
		return -EINVAL;
	}
	p->have_vmcoreinfo = true;
	return 0;
}

int handoff_sysfs_gather(const char *root, struct handoff_plan *p)
{
	struct sys_addrs a = { 0, 0, 0, 0, 0 };
	struct xen_info x;
	int r = 0;

	xen_detect(root, &x);
	if (sys_exists(root, "firmware/efi")) {
		r = efi_systab_lines(root, p, &a);
		if (r == 0)
			r = efi_systab_facts(root, p, x.kind == XEN_PV_DOM0);
		if (r == 0)
			r = efi_runtime_map(root, p);
		bool ask_xen = x.kind == XEN_PV_DOM0 && strcmp(root, "/sys") == 0;

		if (r == 0)
			r = efi_esrt(root, p, &a, ask_xen);
		if (r == 0 && ask_xen)
			r = xen_esrt(p, &a);
	} else {
		note(root, "firmware/efi", "absent: not booted by EFI, no EFI records");
	}
	if (r == 0 && x.kind == XEN_PV_DOM0)
		r = xen_memmap(root, p, &x);
	else if (r == 0)
		r = sys_memmap(root, p);
	if (r == 0)
		r = sys_dmi(root, p, &a);
	if (r == 0)
		r = sys_vmcoreinfo(root, p);
	if (r == 0 && (a.acpi20 != 0 || a.acpi != 0)) {
		/* Linux exports no RSDP bytes (/sys/firmware/acpi/tables has none). */
		p->have_rsdp = true;
		p->rsdp_addr = a.acpi20 != 0 ? a.acpi20 : a.acpi;
	} else if (r == 0) {
		fprintf(stderr, "%s: note: RSDP address unknown (no ACPI20=/ACPI= in systab)\n", TOOL);
	}
	return r;
}
