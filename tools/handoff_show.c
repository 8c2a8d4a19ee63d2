/*
 * `postmortem handoff show FILE` and `postmortem handoff verify FILE`.
 * Interface: tools/handoff.h.
 *
 * show prints the digest status first ("sha256 OK <hex>" or "NOT TRUSTED:
 * <reason>"), then every record it can reach, decoded.  It works on blocks
 * that failed verification: records come from handoff_next(), which checks
 * bounds itself, and every decoder checks its payload, so a damaged block
 * shows what is still well-formed and says where the walk stopped.  Text
 * from the block is printed with control bytes escaped.  verify prints one
 * line and exits 0, or names the file and the reason and exits 1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/hmac_sha256.h"
#include "payload/handoff.h"
#include "tools/handoff.h"

#define TOOL "postmortem: handoff"
#define IND "    "

/* Bytes as text, control and non-ASCII bytes as \xNN; at most max bytes. */
static void put_text(const uint8_t *p, size_t n, size_t max)
{
	for (size_t i = 0; i < n && i < max; i++) {
		if (p[i] == '\\')
			fputs("\\\\", stdout);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	if (n > max)
		printf("... (%zu more bytes)", n - max);
}

/* A fixed NUL-padded field, which may fill its width. */
static void put_field(const char *f, size_t width)
{
	const char *nul = memchr(f, '\0', width);

	put_text((const uint8_t *)f, nul != NULL ? (size_t)(nul - f) : width, width);
}

static double mib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

/* A physical address, where 0 means the producer did not know it. */
static const char *addr(uint64_t v, char buf[24])
{
	if (v == 0)
		return "unknown";
	snprintf(buf, 24, "0x%llx", (unsigned long long)v);
	return buf;
}

static void put_guid(const uint8_t g[16])
{
	char s[37];
	const char *name = handoff_guid_name(g);

	handoff_guid_format(g, s);
	printf("%s%s%s%s", s, name != NULL ? " (" : "", name != NULL ? name : "",
	       name != NULL ? ")" : "");
}

/* EFI_MEMORY_* attribute bits (UEFI 2.10 section 7.2) as names. */
static void put_attr(uint64_t a)
{
	static const struct { uint64_t bit; char name[8]; } bits[] = {
		{ 0x1, "UC" }, { 0x2, "WC" }, { 0x4, "WT" }, { 0x8, "WB" }, { 0x10, "UCE" },
		{ 0x1000, "WP" }, { 0x2000, "RP" }, { 0x4000, "XP" }, { 0x8000, "NV" },
		{ 0x10000, "MR" }, { 0x20000, "RO" }, { 0x40000, "SP" }, { 0x80000, "CRYPTO" },
		{ HANDOFF_EFI_MEMORY_RUNTIME, "RUNTIME" },
	};
	const char *sep = " ";

	printf("0x%016llx", (unsigned long long)a);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (a & bits[i].bit) {
			printf("%s%s", sep, bits[i].name);
			sep = "|";
		}
	}
}

static const char *efi_type(uint32_t t)
{
	const char *n = handoff_efi_type_name(t);

	return n != NULL ? n : "?";
}

static void bad_payload(int r)
{
	printf(IND "malformed payload: %s\n", strerror(-r));
}

/* ------------------------------------------------------------ record kinds */

static void show_arrays(const struct handoff_record *rec)
{
	struct handoff_array a;
	struct handoff_efi_memory_descriptor d;
	struct handoff_runtime_entry rt;
	struct handoff_config_table t;
	struct handoff_dump_range r;
	struct handoff_memmap_entry m;
	int e = handoff_get_array(rec, &a);

	if (e != 0) {
		bad_payload(e);
		return;
	}
	printf(IND "%zu entries of %u bytes (entry version %u)\n", a.count, a.entry_size,
	       a.entry_version);
	if (rec->type == HANDOFF_TYPE_EFI_MEMMAP && a.count > 0)
		printf(IND "%-13s %-18s %-18s %10s %10s  attribute\n", "type", "start",
		       "end (excl.)", "pages", "MiB");
	for (size_t i = 0; i < a.count; i++) {
		if (handoff_efi_memmap_at(rec, i, &d) == 0) {
			uint64_t bytes = d.number_of_pages * HANDOFF_EFI_PAGE_SIZE;

			printf(IND "%-13s 0x%016llx 0x%016llx %10llu %10.1f  ", efi_type(d.type),
			       (unsigned long long)d.physical_start,
			       (unsigned long long)(d.physical_start + bytes),
			       (unsigned long long)d.number_of_pages, mib(bytes));
			put_attr(d.attribute);
			putchar('\n');
		} else if (handoff_runtime_map_at(rec, i, &rt) == 0) {
			printf(IND "%-13s phys 0x%016llx virt 0x%016llx %8llu pages  ",
			       efi_type(rt.type), (unsigned long long)rt.phys_addr,
			       (unsigned long long)rt.virt_addr, (unsigned long long)rt.num_pages);
			put_attr(rt.attribute);
			putchar('\n');
		} else if (handoff_config_table_at(rec, i, &t) == 0) {
			printf(IND "0x%016llx  ", (unsigned long long)t.table);
			put_guid(t.guid);
			putchar('\n');
		} else if (handoff_dump_range_at(rec, i, &r) == 0) {
			printf(IND "0x%016llx + 0x%llx (%.1f MiB)\n", (unsigned long long)r.start,
			       (unsigned long long)r.size, mib(r.size));
		} else if (handoff_memmap_at(rec, i, &m) == 0) {
			const char *n = handoff_e820_type_name(m.type);

			printf(IND "%-13s 0x%016llx 0x%016llx %10.1f MiB\n", n != NULL ? n : "?",
			       (unsigned long long)m.start, (unsigned long long)(m.start + m.size),
			       mib(m.size));
		}
	}
}

static void show_systab(const struct handoff_record *rec)
{
	struct handoff_efi_systab s;
	int e = handoff_get_efi_systab(rec, &s);

	if (e != 0) {
		bad_payload(e);
		return;
	}
	char a1[24], a2[24], a3[24];

	printf(IND "system table %s, ", addr(s.systab_addr, a1));
	if (s.revision != 0)
		printf("revision %u.%02u (0x%08x), ", s.revision >> 16, s.revision & 0xffff,
		       s.revision);
	else
		printf("revision unknown, ");
	printf("firmware revision 0x%08x, %u-bit firmware\n", s.fw_revision, s.platform_bits);
	printf(IND "vendor \"");
	put_field(s.fw_vendor, sizeof(s.fw_vendor));
	printf("\" (string at %s)\n", addr(s.fw_vendor_addr, a1));
	printf(IND "runtime services %s, configuration tables %s (%llu)\n",
	       addr(s.runtime_services, a2), addr(s.config_table_addr, a3),
	       (unsigned long long)s.config_table_count);
}

static void show_esrt(const struct handoff_bytes *b)
{
	struct handoff_esrt_header h;
	struct handoff_esrt_entry e;
	size_t n;
	int r = handoff_esrt_header(b, &h, &n);

	if (r != 0) {
		printf(IND "ESRT: malformed (%zu bytes)\n", b->len);
		return;
	}
	printf(IND "ESRT: %u entries (max %u, version %llu)\n", h.fw_resource_count,
	       h.fw_resource_count_max, (unsigned long long)h.fw_resource_version);
	for (size_t i = 0; i < n && handoff_esrt_entry_at(b, i, &e) == 0; i++) {
		printf(IND "  fw_class ");
		put_guid(e.fw_class);
		printf("\n" IND "    type %u, version 0x%x, lowest 0x%x, capsule flags 0x%x, "
		       "last attempt 0x%x status %u\n", e.fw_type, e.fw_version,
		       e.lowest_supported_fw_version, e.capsule_flags, e.last_attempt_version,
		       e.last_attempt_status);
	}
}

static void show_copies(const struct handoff_record *rec)
{
	static const uint8_t esrt[16] = HANDOFF_GUID_ESRT;
	struct handoff_table_copy tc;
	struct handoff_acpi_rsdp ra;
	struct handoff_bytes b;
	char a1[24];
	int e;

	if (rec->type == HANDOFF_TYPE_TABLE_COPY) {
		e = handoff_get_table_copy(rec, &tc, &b);
		if (e != 0) {
			bad_payload(e);
			return;
		}
		printf(IND "table ");
		put_guid(tc.guid);
		printf(", originally at %s, %zu bytes\n", addr(tc.address, a1), b.len);
		if (memcmp(tc.guid, esrt, 16) == 0)
			show_esrt(&b);
		return;
	}
	e = handoff_get_acpi_rsdp(rec, &ra, &b);
	if (e != 0) {
		bad_payload(e);
		return;
	}
	printf(IND "RSDP at %s, %zu bytes copied%s\n", addr(ra.address, a1), b.len,
	       b.len == 0 ? " (address only)" : "");
	/* ACPI 6.5 section 5.2.5.3: signature, checksum, OEMID @9, revision @15. */
	if (b.len >= 20) {
		printf(IND "signature \"");
		put_text(b.ptr, 8, 8);
		printf("\", OEM \"");
		put_text(b.ptr + 9, 6, 6);
		printf("\", revision %u\n", b.ptr[15]);
	}
}

static void show_smbios(const struct handoff_record *rec)
{
	struct handoff_smbios s;
	struct handoff_bytes ep, tab;
	char a1[24];
	int e = handoff_get_smbios(rec, &s, &ep, &tab);

	if (e != 0) {
		bad_payload(e);
		return;
	}
	printf(IND "entry point at %s, %zu bytes (%s)\n", addr(s.entry_point_address, a1), ep.len,
	       ep.len >= 5 && memcmp(ep.ptr, "_SM3_", 5) == 0 ? "SMBIOS 3.x"
	       : ep.len >= 4 && memcmp(ep.ptr, "_SM_", 4) == 0 ? "SMBIOS 2.x" : "no anchor");
	printf(IND "structure table at %s, %zu bytes\n", addr(s.table_address, a1), tab.len);
}

static void show_vmcoreinfo(const struct handoff_record *rec)
{
	struct handoff_vmcoreinfo vi;
	struct handoff_bytes b;
	char a1[24];
	int e = handoff_get_vmcoreinfo(rec, &vi, &b);

	if (e != 0) {
		bad_payload(e);
		return;
	}
	printf(IND "note at %s, %llu bytes; %s\n", addr(vi.note_address, a1),
	       (unsigned long long)vi.note_size, b.len > 0 ? "text:" : "no text");
	for (const uint8_t *p = b.ptr, *end = b.ptr + b.len; p < end; ) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		printf(IND "  ");
		put_text(p, len, 200);
		putchar('\n');
		p += len + 1;
	}
}

static void show_notes(const struct handoff_record *rec)
{
	struct handoff_bytes b;
	struct handoff_note n;
	size_t cur = 0, count = 0;
	int e;

	handoff_get_bytes(rec, rec->type, &b);
	while ((e = handoff_note_next(&b, &cur, &n)) == 0) {
		/* The name's NUL, when it has one, is not shown. */
		size_t nl = n.name.len > 0 && n.name.ptr[n.name.len - 1] == 0
			    ? n.name.len - 1 : n.name.len;

		printf(IND "note %zu: \"", count++);
		put_text(n.name.ptr, nl, 32);
		printf("\" type %u%s, %zu bytes\n", n.type,
		       n.type == 1 ? " (NT_PRSTATUS)" : "", n.desc.len);
	}
	if (e != -ENOENT)
		printf(IND "malformed note at offset %zu; stopped\n", cur);
}

/* CMDLINE and CAPSULE. */
static void show_cmdline_capsule(const struct handoff_record *rec)
{
	struct handoff_capsule_header ch;
	struct handoff_bytes b;

	if (rec->type == HANDOFF_TYPE_CMDLINE) {
		handoff_get_bytes(rec, rec->type, &b);
		printf(IND "\"");
		put_text(b.ptr, b.len, 4096);
		printf("\"\n");
		return;
	}
	if (handoff_get_capsule_header(rec, &ch) != 0) {
		printf(IND "%llu bytes, too short for an EFI_CAPSULE_HEADER\n",
		       (unsigned long long)rec->length);
		return;
	}
	printf(IND "%llu bytes, capsule GUID ", (unsigned long long)rec->length);
	put_guid(ch.capsule_guid);
	printf("\n" IND "header %u bytes, flags 0x%x, image %u bytes%s\n", ch.header_size,
	       ch.flags, ch.capsule_image_size,
	       ch.capsule_image_size != rec->length || ch.header_size > rec->length
	       ? " (does not match the bytes stored)" : "");
}

/* DUMP_FILE: the disk, the file, the extents (the first 8 and the last). */
static void show_dump_file(const struct handoff_record *rec)
{
	struct dumpfile_extent *e = calloc(DUMPFILE_MAX_EXTENTS, sizeof(*e));
	struct handoff_dump_file h;
	const char *why = NULL;
	size_t n = 0;

	if (e == NULL || handoff_get_dump_file(rec, &h, e, DUMPFILE_MAX_EXTENTS, &n, &why) != 0) {
		printf(IND "malformed: %s\n", why != NULL ? why : "out of memory");
		free(e);
		return;
	}
	printf(IND "file \"");
	put_field(h.path, sizeof(h.path));
	printf("\", %llu bytes, marker stride %u\n", (unsigned long long)h.file_size, h.stride);
	printf(IND "disk %s, serial \"", handoff_disk_kind_name(h.disk_kind));
	put_field(h.serial, sizeof(h.serial));
	printf("\", model \"");
	put_field(h.model, sizeof(h.model));
	printf("\"");
	if (h.nsid)
		printf(", namespace %u", h.nsid);
	if (h.ata_port != HANDOFF_ATA_PORT_UNKNOWN)
		printf(", port %u", h.ata_port);
	if (h.pci_flags & HANDOFF_PCI_VALID)
		printf(", PCI %04x:%02x:%02x.%x", h.pci_segment, h.pci_bus, h.pci_dev, h.pci_fn);
	printf("\n" IND "%u-byte sectors, disk %llu sectors%s, %zu extents:\n", h.sector_size,
	       (unsigned long long)h.disk_sectors, h.disk_sectors ? "" : " (unknown)", n);
	for (size_t i = 0; i < n; i++)
		if (i < 8 || i == n - 1)
			printf(IND "  sector %llu, %llu sectors\n", (unsigned long long)e[i].start,
			       (unsigned long long)e[i].count);
		else if (i == 8)
			printf(IND "  ...\n");
	free(e);
}

/* DUMP_KEY: what the key is for, never the master key itself. */
static void show_dump_key(const struct handoff_record *rec)
{
	struct handoff_dump_key k;
	const char *why = NULL;
	char id[2 * SHA256_LEN + 1];

	if (handoff_get_dump_key(rec, &k, &why) != 0) {
		printf(IND "malformed: %s (a crash kernel will not dump with it)\n", why);
		return;
	}
	crypto_sha256_hex(k.key_id, id);
	printf(IND "dumps encrypted with AES-256-GCM to RSA key %s\n", id);
	printf(IND "master key wrapped with RSA-OAEP SHA-256 (%u bytes: a %u-bit key); "
	       "the raw master key is in this block and is not shown\n",
	       k.wrapped_len, 8 * k.wrapped_len);
	crypto_wipe(&k, sizeof(k));
}

static void show_record(unsigned index, const struct handoff_record *rec)
{
	struct handoff_creator c;

	printf("[%u] %s (type %u%s), %llu bytes at offset %zu\n", index,
	       handoff_type_name(rec->type), rec->type,
	       rec->flags & HANDOFF_RECORD_CRITICAL ? ", critical" : "",
	       (unsigned long long)rec->length, rec->offset);
	switch (rec->type) {
	case HANDOFF_TYPE_CREATOR:
		if (handoff_get_creator(rec, &c) != 0) {
			bad_payload(-EBADMSG);
			return;
		}
		printf(IND "host \"");
		put_field(c.host, sizeof(c.host));
		printf("\", release \"");
		put_field(c.release, sizeof(c.release));
		printf("\", tool \"");
		put_field(c.tool, sizeof(c.tool));
		printf("\"\n");
		return;
	case HANDOFF_TYPE_EFI_SYSTAB:
		show_systab(rec);
		return;
	case HANDOFF_TYPE_TABLE_COPY:
	case HANDOFF_TYPE_ACPI_RSDP:
		show_copies(rec);
		return;
	case HANDOFF_TYPE_SMBIOS:
		show_smbios(rec);
		return;
	case HANDOFF_TYPE_VMCOREINFO:
		show_vmcoreinfo(rec);
		return;
	case HANDOFF_TYPE_CPU_NOTES:
		show_notes(rec);
		return;
	case HANDOFF_TYPE_CMDLINE:
	case HANDOFF_TYPE_CAPSULE:
		show_cmdline_capsule(rec);
		return;
	case HANDOFF_TYPE_DUMP_FILE:
		show_dump_file(rec);
		return;
	case HANDOFF_TYPE_DUMP_KEY:
		show_dump_key(rec);
		return;
	default:
		if (handoff_type_known(rec->type))
			show_arrays(rec);
		else
			printf(IND "unknown to this reader: skipped\n");
	}
}

/* ---------------------------------------------------------------- commands */

static int load(const char *path, uint8_t **b, size_t *len)
{
	int r = handoff_read_file(path, b, len);

	if (r != 0)
		fprintf(stderr, "%s: %s: %s\n", TOOL, path, strerror(-r));
	return r;
}

int handoff_show_file(const char *path)
{
	struct handoff_status st;
	struct handoff_record rec;
	uint8_t *b;
	size_t len, cur = 0;
	unsigned n = 0;
	char hex[2 * SHA256_LEN + 1], when[32] = "?";
	int r, e;

	if (load(path, &b, &len) != 0)
		return 1;
	r = handoff_verify(b, len, &st);
	crypto_sha256_hex(st.digest, hex);
	if (r == 0)
		printf("sha256 OK %s\n", hex);
	else
		printf("NOT TRUSTED: %s\n", st.reason);
	if (st.version != 0) {
		time_t t = (time_t)st.created;
		struct tm tm;

		if (gmtime_r(&t, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		printf("block %s: %zu bytes, version %u, %u records, total_size %llu, created %s\n",
		       path, len, st.version, st.record_count, (unsigned long long)st.total_size, when);
	}
	while ((e = handoff_next(b, len, &cur, &rec)) == 0)
		show_record(n++, &rec);
	if (e != -ENOENT && n > 0)
		printf("[%u] at offset %zu: record overruns the data (damaged or truncated); "
		       "stopped here\n", n, cur);
	free(b);
	return r == 0 ? 0 : 1;
}

int handoff_verify_file(const char *path)
{
	struct handoff_status st;
	uint8_t *b;
	size_t len;
	char hex[2 * SHA256_LEN + 1];
	int r;

	if (load(path, &b, &len) != 0)
		return 1;
	r = handoff_verify(b, len, &st);
	free(b);
	if (r != 0) {
		fprintf(stderr, "%s: %s: NOT TRUSTED: %s\n", TOOL, path, st.reason);
		return 1;
	}
	crypto_sha256_hex(st.digest, hex);
	printf("%s: sha256 OK %s (%u records, %llu bytes)\n", path, hex, st.record_count,
	       (unsigned long long)st.total_size);
	return 0;
}
