/*
 * Build the crash context (see context.h).  Every byte of firmware or
 * crashed-system memory is mapped with cpu_map_phys() and read through the
 * bounds-checked readers (payload/handoff.c, formats/efi.c,
 * formats/elfcorehdr.c); a problem is one console line and an empty field.
 *
 * Which source wins (documented in docs/handoff.md):
 *   EFI system table + configuration tables: a trusted handoff's records,
 *     else the firmware's table found through the boot path (multiboot2 EFI64
 *     tag, boot_params efi_info).  After a previous OS called
 *     SetVirtualAddressMap the firmware's own pointers are virtual, which is
 *     why the handoff carries physical copies; kexec's SETUP_EFI physical
 *     configuration-table address wins over the system table's pointer.
 *   EFI memory map: the handoff's (the full map; kexec passes only the
 *     runtime part), else the boot path's.
 *   ESRT: the handoff's preserved copy, else the table in place only when
 *     the memory map says it is in runtime or reserved memory; a copy for
 *     another address than the firmware's configuration table gives (read
 *     in place when the block says where and e820 says it is not RAM, as
 *     under Xen) is refused (esrt_where()).
 *   What the dump is made of (struct context_dump; payload/dumpsrc.c does
 *     the assembling): ranges from the elfcorehdr, else the handoff's
 *     DUMP_RANGES, else the memory map; notes from the elfcorehdr's
 *     PT_NOTEs, else the handoff's CPU_NOTES and VMCOREINFO records.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "formats/bootparams.h"
#include "formats/elf64.h"
#include "formats/elfcorehdr.h"
#include "formats/unaccepted.h"
#include "kernel/context.h"
#include "kernel/physread.h"
#include "kernel/cpu.h"
#include "kernel/phasemem.h"
#include "payload/dumpsrc.h"

#define HANDOFF_MAX	(64u << 20)	/* a larger handoff block is refused */
#define EFI_MAP_MAX	(1u << 20)
#define EHDR_SIZE	sizeof(struct elf64_ehdr)
#define NOTES_MAX	(256u << 10)	/* the crashed kernel's notes as the dump carries them */

static const struct efi_guid esrt_guid = EFI_SYSTEM_RESOURCE_TABLE_GUID;
static const struct efi_guid unaccepted_guid = EFI_LINUX_UNACCEPTED_MEM_GUID;

static const uint8_t *map_bytes(uint64_t addr, uint64_t len)
{
	if (addr == 0 || len == 0 || cpu_map_phys(addr, len) != 0)
		return NULL;
	return (const uint8_t *)(uintptr_t)addr;
}

/* ------------------------------------------------------------ handoff */

static bool find_block(const struct bootinfo *bi, const struct cmdline *opts,
		       uint64_t *addr, uint64_t *len, char *src, size_t src_len)
{
	const char *what = NULL;

	if (opts->handoff_set) {
		*addr = opts->handoff_addr;
		*len = opts->handoff_size;
		what = "handoff=";
	}
	for (unsigned i = 0; what == NULL && i < bi->module_count; i++)
		if (strcmp(bi->modules[i].name, "handoff") == 0) {
			*addr = bi->modules[i].base;
			*len = bi->modules[i].len;
			what = "multiboot2 module";
		}
	for (unsigned i = 0; what == NULL && i < bi->module_count; i++)
		if (strcmp(bi->modules[i].name, "initrd") == 0) {
			*addr = bi->modules[i].base;
			*len = bi->modules[i].len;
			what = "initrd";
		}
	if (what == NULL)
		return false;
	snprintf(src, src_len, "%s at 0x%llx, %llu bytes", what, (unsigned long long)*addr,
		 (unsigned long long)*len);
	return true;
}

void context_handoff(struct context *ctx, const struct bootinfo *bi, const struct cmdline *opts)
{
	uint64_t addr, len;
	const uint8_t *p;
	char hex[2 * SHA256_LEN + 1];
	int err;

	memset(ctx, 0, sizeof(*ctx));
	if (!find_block(bi, opts, &addr, &len, ctx->handoff_source, sizeof(ctx->handoff_source))) {
		printf("handoff: none given (no handoff=, multiboot2 module or initrd); using what the boot path gives\n");
		return;
	}
	ctx->handoff = CONTEXT_HANDOFF_UNTRUSTED;
	if (len > HANDOFF_MAX || (p = map_bytes(addr, len)) == NULL) {
		snprintf(ctx->handoff_reason, sizeof(ctx->handoff_reason),
			 "block at 0x%llx (%llu bytes) is too large or not addressable",
			 (unsigned long long)addr, (unsigned long long)len);
	} else if ((err = handoff_verify(p, (size_t)len, &ctx->handoff_status)) != 0) {
		snprintf(ctx->handoff_reason, sizeof(ctx->handoff_reason), "%s",
			 ctx->handoff_status.reason);
	} else {
		ctx->handoff = CONTEXT_HANDOFF_TRUSTED;
		ctx->handoff_block = p;
		ctx->handoff_len = (size_t)ctx->handoff_status.total_size;
		memcpy(ctx->handoff_digest, ctx->handoff_status.digest, SHA256_LEN);
		crypto_sha256_hex(ctx->handoff_digest, hex);
		printf("handoff: verified sha256 %s (%s, %u records)\n", hex, ctx->handoff_source,
		       ctx->handoff_status.record_count);
		return;
	}
	printf("handoff: NOT TRUSTED: %s (%s); using what the boot path gives\n",
	       ctx->handoff_reason, ctx->handoff_source);
}

bool context_handoff_next(const struct context *ctx, uint32_t type, size_t *cursor,
			  struct handoff_record *rec)
{
	if (ctx->handoff != CONTEXT_HANDOFF_TRUSTED)
		return false;
	while (handoff_next(ctx->handoff_block, ctx->handoff_len, cursor, rec) == 0)
		if (type == CONTEXT_HANDOFF_ANY || rec->type == type)
			return true;
	return false;
}

/* First record of a type in a trusted block. */
static bool handoff_find(const struct context *ctx, uint32_t type, struct handoff_record *rec)
{
	size_t cursor = 0;

	return context_handoff_next(ctx, type, &cursor, rec);
}

const char *context_handoff_cmdline(const struct context *ctx, size_t *len)
{
	struct handoff_record rec;
	struct handoff_bytes b;

	if (!handoff_find(ctx, HANDOFF_TYPE_CMDLINE, &rec) ||
	    handoff_get_bytes(&rec, HANDOFF_TYPE_CMDLINE, &b) != 0)
		return NULL;
	*len = b.len;
	return (const char *)b.ptr;
}

/* ------------------------------------------------------------ EFI */

static void efi_from_handoff(struct context *ctx)
{
	struct handoff_record rec;
	struct handoff_efi_systab st;
	struct handoff_array arr;
	struct handoff_config_table t;

	if (!handoff_find(ctx, HANDOFF_TYPE_EFI_SYSTAB, &rec) || handoff_get_efi_systab(&rec, &st) != 0)
		return;
	ctx->have_efi = true;
	ctx->efi_source = "handoff";
	ctx->systab_addr = st.systab_addr;
	ctx->efi_revision = st.revision;
	ctx->systab_crc_ok = true;
	snprintf(ctx->fw_vendor, sizeof(ctx->fw_vendor), "%.*s",
		 (int)strnlen(st.fw_vendor, sizeof(st.fw_vendor)), st.fw_vendor);
	if (!handoff_find(ctx, HANDOFF_TYPE_EFI_CONFIG_TABLES, &rec) || handoff_get_array(&rec, &arr) != 0)
		return;
	for (size_t i = 0; i < arr.count; i++) {
		if (ctx->table_count == CONTEXT_TABLES_MAX) {
			ctx->tables_truncated = true;
			break;
		}
		if (handoff_config_table_at(&rec, i, &t) != 0)
			break;
		memcpy(ctx->tables[ctx->table_count].guid.b, t.guid, 16);
		ctx->tables[ctx->table_count++].table = t.table;
	}
}

static void efi_from_firmware(struct context *ctx, uint64_t systab, uint64_t bi_setup_tables)
{
	struct efi_systab st;
	const uint8_t *p = map_bytes(systab, 0x78);
	size_t bytes;

	if (p == NULL || efi_systab_parse(p, 0x78, &st) != 0) {
		printf("efi: no valid system table at 0x%llx (bad signature or size)\n",
		       (unsigned long long)systab);
		return;
	}
	ctx->have_efi = true;
	ctx->efi_source = "firmware";
	ctx->systab_addr = systab;
	ctx->efi_revision = st.revision;
	ctx->systab_crc_ok = st.crc_ok;
	snprintf(ctx->fw_vendor, sizeof(ctx->fw_vendor), "unknown");
	if ((p = map_bytes(st.fw_vendor, 128)) != NULL)
		efi_utf16_to_ascii(p, 128, ctx->fw_vendor, sizeof(ctx->fw_vendor));
	/* After SetVirtualAddressMap the table's pointer is the previous OS's
	 * virtual address; kexec passes the physical one in SETUP_EFI. */
	if (bi_setup_tables && st.tables != bi_setup_tables) {
		printf("efi: configuration tables at 0x%llx per SETUP_EFI (system table says 0x%llx); using SETUP_EFI's\n",
		       (unsigned long long)bi_setup_tables, (unsigned long long)st.tables);
		st.tables = bi_setup_tables;
	}
	if (efi_config_tables_bytes(st.nr_tables, &bytes) != 0 || (p = map_bytes(st.tables, bytes)) == NULL) {
		printf("efi: configuration table array at 0x%llx (%llu entries) not addressable\n",
		       (unsigned long long)st.tables, (unsigned long long)st.nr_tables);
		return;
	}
	for (size_t i = 0; i < st.nr_tables; i++) {
		if (ctx->table_count == CONTEXT_TABLES_MAX) {
			ctx->tables_truncated = true;
			break;
		}
		if (efi_config_table_at(p, bytes, i, &ctx->tables[ctx->table_count]) != 0)
			break;
		ctx->table_count++;
	}
}

static void efi_memory_map(struct context *ctx, const struct bootinfo *bi)
{
	struct handoff_record rec;
	struct handoff_array arr;

	if (handoff_find(ctx, HANDOFF_TYPE_EFI_MEMMAP, &rec) && handoff_get_array(&rec, &arr) == 0 &&
	    arr.count) {
		ctx->efi_mmap = rec.payload + sizeof(struct handoff_array_header);
		ctx->efi_mmap_len = (size_t)arr.count * arr.entry_size;
		ctx->efi_desc_size = arr.entry_size;
		ctx->efi_mmap_source = "handoff";
		return;
	}
	if (bi->efi_mmap && bi->efi_mmap_size && bi->efi_mmap_size <= EFI_MAP_MAX) {
		ctx->efi_mmap = map_bytes(bi->efi_mmap, bi->efi_mmap_size);
		ctx->efi_mmap_len = ctx->efi_mmap ? (size_t)bi->efi_mmap_size : 0;
		ctx->efi_desc_size = bi->efi_desc_size;
		ctx->efi_mmap_source = "boot path";
	}
}

/* A preserved ESRT copy in the handoff, for the table at addr. */
static bool esrt_copy(struct context *ctx)
{
	size_t cursor = 0;
	struct handoff_record rec;
	struct handoff_table_copy tc;
	struct handoff_bytes b;

	while (context_handoff_next(ctx, HANDOFF_TYPE_TABLE_COPY, &cursor, &rec)) {
		if (handoff_get_table_copy(&rec, &tc, &b) != 0 || memcmp(tc.guid, esrt_guid.b, 16) != 0)
			continue;
		ctx->esrt = b.ptr;
		ctx->esrt_len = b.len;
		ctx->esrt_copy_addr = tc.address;
		if (ctx->esrt_addr == 0)
			ctx->esrt_addr = tc.address;
		return true;
	}
	return false;
}

/* The ESRT in place: NULL and *why set when it may not be read there. */
static const uint8_t *esrt_in_place(struct context *ctx, size_t *len, char *why, size_t whylen)
{
	const size_t hdr = sizeof(struct efi_system_resource_table);
	const size_t ent = sizeof(struct efi_system_resource_entry);
	enum efi_table_where where;
	const uint8_t *p;
	uint32_t count;

	if (ctx->efi_mmap == NULL) {
		snprintf(why, whylen, "no memory map to place it, not dereferenced");
		return NULL;
	}
	where = efi_table_placement(ctx->efi_mmap, ctx->efi_mmap_len, ctx->efi_desc_size,
				    ctx->esrt_addr, hdr);
	if (!efi_table_readable(where)) {
		snprintf(why, whylen, "in %s without a preserved copy, not dereferenced",
			 efi_table_where_name(where));
		return NULL;
	}
	if ((p = map_bytes(ctx->esrt_addr, hdr)) == NULL) {
		snprintf(why, whylen, "header not addressable");
		return NULL;
	}
	memcpy(&count, p, sizeof(count));	/* FwResourceCount; the parser checks the rest */
	if (count > EFI_ESRT_MAX_ENTRIES) {
		snprintf(why, whylen, "claims %u entries (at most %u)", count, EFI_ESRT_MAX_ENTRIES);
		return NULL;
	}
	*len = hdr + (size_t)count * ent;
	where = efi_table_placement(ctx->efi_mmap, ctx->efi_mmap_len, ctx->efi_desc_size,
				    ctx->esrt_addr, *len);
	p = efi_table_readable(where) ? map_bytes(ctx->esrt_addr, *len) : NULL;
	if (p == NULL)
		snprintf(why, whylen, "entries reach outside runtime memory");
	return p;
}

static void efi_esrt(struct context *ctx)
{
	struct efi_esrt e;

	for (unsigned i = 0; i < ctx->table_count; i++)
		if (efi_guid_eq(&ctx->tables[i].guid, &esrt_guid))
			ctx->esrt_addr = ctx->tables[i].table;
	if (esrt_copy(ctx)) {
		ctx->esrt_state = CONTEXT_ESRT_COPY;
	} else if (ctx->esrt_addr == 0) {
		return;
	} else {
		ctx->esrt_state = CONTEXT_ESRT_IN_PLACE;
		ctx->esrt = esrt_in_place(ctx, &ctx->esrt_len, ctx->esrt_why, sizeof(ctx->esrt_why));
	}
	if (ctx->esrt != NULL && efi_esrt_parse(ctx->esrt, ctx->esrt_len, &e) != 0) {
		ctx->esrt = NULL;
		snprintf(ctx->esrt_why, sizeof(ctx->esrt_why), "malformed (version, count or size)");
	}
	if (ctx->esrt == NULL) {
		ctx->esrt_state = CONTEXT_ESRT_REFUSED;
		return;
	}
	ctx->esrt_count = e.count;
}

/* The e820 type of the entry that holds all of [addr, addr + len), else 0. */
static uint32_t e820_type_at(const struct bootinfo *bi, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < bi->mem_count; i++)
		if (addr >= bi->mem[i].base && addr - bi->mem[i].base <= bi->mem[i].len &&
		    len <= bi->mem[i].len - (addr - bi->mem[i].base))
			return bi->mem[i].type;
	return 0;
}

/*
 * The handoff's ESRT copy against the firmware's configuration table, when
 * the block says where that array is and how long (under Xen the host tool
 * asks Xen, tools/xen.c; a block made from Linux's sysfs alone has no
 * count) and e820 says it lies outside RAM: the copy must be for the
 * address the firmware's table points at (Xen points it at the copy it
 * keeps), else it is refused; when that address is outside RAM too, the
 * table there is compared with the copy.
 */
static void esrt_where(struct context *ctx, const struct bootinfo *bi)
{
	static const struct efi_guid esrt_g = EFI_SYSTEM_RESOURCE_TABLE_GUID;
	struct handoff_record rec;
	struct handoff_efi_systab st;
	struct efi_config_table ct;
	const uint8_t *p;
	uint64_t found = 0;
	size_t bytes;
	uint32_t type;

	if (ctx->esrt_state != CONTEXT_ESRT_COPY || ctx->esrt_addr == 0 ||
	    !handoff_find(ctx, HANDOFF_TYPE_EFI_SYSTAB, &rec) || handoff_get_efi_systab(&rec, &st) != 0 ||
	    st.config_table_addr == 0 || st.config_table_count == 0)
		return;
	if (st.config_table_count > 256 || efi_config_tables_bytes(st.config_table_count, &bytes) != 0) {
		snprintf(ctx->esrt_where, sizeof(ctx->esrt_where), "the handoff's count of "
			 "configuration tables (%llu) is implausible: the ESRT copy's address not checked",
			 (unsigned long long)st.config_table_count);
		return;
	}
	type = e820_type_at(bi, st.config_table_addr, bytes);
	if (type == 0 || type == BOOTPARAMS_E820_RAM ||
	    (p = map_bytes(st.config_table_addr, bytes)) == NULL) {
		snprintf(ctx->esrt_where, sizeof(ctx->esrt_where), "the firmware's configuration "
			 "tables at 0x%llx are not outside RAM (e820 %s): the ESRT copy's address not "
			 "checked", (unsigned long long)st.config_table_addr,
			 type ? bootparams_e820_type_name(type) : "does not hold them");
		return;
	}
	for (uint64_t i = 0; i < st.config_table_count && found == 0; i++)
		if (efi_config_table_at(p, bytes, (size_t)i, &ct) == 0 && efi_guid_eq(&ct.guid, &esrt_g))
			found = ct.table;
	uint64_t want = ctx->esrt_copy_addr ? ctx->esrt_copy_addr : ctx->esrt_addr;

	if (found != want) {
		if (found == 0)
			snprintf(ctx->esrt_why, sizeof(ctx->esrt_why), "(the handoff's copy): the "
				 "firmware's %llu configuration tables at 0x%llx have no ESRT; copy not used",
				 (unsigned long long)st.config_table_count,
				 (unsigned long long)st.config_table_addr);
		else
			snprintf(ctx->esrt_why, sizeof(ctx->esrt_why), "(the handoff's copy, for 0x%llx): "
				 "not where the firmware's configuration table puts the ESRT (0x%llx); "
				 "copy not used", (unsigned long long)want, (unsigned long long)found);
		ctx->esrt_state = CONTEXT_ESRT_REFUSED;
		ctx->esrt = NULL;
		return;
	}
	type = e820_type_at(bi, found, ctx->esrt_len);
	if (type == 0 || type == BOOTPARAMS_E820_RAM || (p = map_bytes(found, ctx->esrt_len)) == NULL) {
		snprintf(ctx->esrt_where, sizeof(ctx->esrt_where), "ESRT at 0x%llx: the firmware's "
			 "configuration table points there; in e820 %s, not compared with the copy",
			 (unsigned long long)found, type ? bootparams_e820_type_name(type) : "nothing");
		return;
	}
	snprintf(ctx->esrt_where, sizeof(ctx->esrt_where), "ESRT at 0x%llx: the firmware's "
		 "configuration table points there (e820 %s) and the table there %s the handoff's copy",
		 (unsigned long long)found, bootparams_e820_type_name(type),
		 memcmp(p, ctx->esrt, ctx->esrt_len) == 0 ? "matches" : "differs from (the copy is used)");
}

/* ------------------------------------------------------------ elfcorehdr */

static void gather_elfcorehdr(struct context *ctx, const struct cmdline *opts)
{
	struct elfcorehdr *eh = &phasemem.gather.eh;	/* large: off the stack, dead after the gather */
	uint16_t phnum;
	uint64_t phoff, len;
	const uint8_t *p;
	int err;

	if (!opts->elfcorehdr_set)
		return;
	ctx->elfcorehdr_addr = opts->elfcorehdr_addr;
	if ((p = map_bytes(opts->elfcorehdr_addr, EHDR_SIZE)) == NULL) {
		snprintf(ctx->elfcorehdr_problem, sizeof(ctx->elfcorehdr_problem), "not addressable");
		return;
	}
	{
		struct elf64_ehdr eh64;

		memcpy(&eh64, p, sizeof(eh64));
		phoff = eh64.e_phoff;
		phnum = eh64.e_phnum;
	}
	len = phoff + (uint64_t)phnum * sizeof(struct elf64_phdr);
	if (phoff > (1u << 20) || (p = map_bytes(opts->elfcorehdr_addr, len < EHDR_SIZE ? EHDR_SIZE : len)) == NULL) {
		snprintf(ctx->elfcorehdr_problem, sizeof(ctx->elfcorehdr_problem),
			 "program headers at +0x%llx not addressable", (unsigned long long)phoff);
		return;
	}
	err = elfcorehdr_parse(p, len < EHDR_SIZE ? EHDR_SIZE : (size_t)len, eh);
	if (err) {
		snprintf(ctx->elfcorehdr_problem, sizeof(ctx->elfcorehdr_problem),
			 "malformed ELF core header (error %d at offset %zu)", err, eh->error_offset);
		return;
	}
	ctx->have_elfcorehdr = true;
	ctx->elfcore = eh;
	ctx->elfcore_loads = eh->load_count;
	ctx->elfcore_notes = eh->note_count;
	for (size_t i = 0; i < eh->load_count; i++)
		ctx->elfcore_bytes += eh->loads[i].p_memsz;
}

/* ------------------------------------------------------------ what the dump is made of */

static void dump_warn(struct context_dump *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void dump_warn(struct context_dump *d, const char *fmt, ...)
{
	va_list ap;

	if (d->warn_count == CONTEXT_DUMP_WARN_MAX) {
		d->warn_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(d->warnings[d->warn_count++], CONTEXT_DUMP_WARN_LEN, fmt, ap);
	va_end(ap);
}

static void note_left_out(void *arg, const char *name, uint32_t type, size_t len)
{
	dump_warn(arg, "dump: note %s type %u (%zu bytes) does not fit; left out", name, type, len);
}

/* ------------------------------------------------------------ unaccepted memory */

/*
 * Linux's unaccepted-memory table, read live: the 24-byte header first,
 * then exactly header + bitmap (formats/unaccepted.h).  NULL with *t set,
 * or why it is refused.
 */
static const char *unaccepted_read(const struct context *ctx, uint64_t addr,
				   struct unaccepted_table *t, char *why, size_t whylen)
{
	const uint8_t *p;
	uint64_t len = UNACCEPTED_HEADER_SIZE;
	int err;

	for (int pass = 0; pass < 2; pass++) {
		if (ctx->efi_mmap != NULL &&
		    efi_table_placement(ctx->efi_mmap, ctx->efi_mmap_len, ctx->efi_desc_size, addr, len) ==
		    EFI_TABLE_IN_UNSAFE) {
			snprintf(why, whylen, "%llu bytes at 0x%llx lie in memory the EFI memory map says must not be read",
				 (unsigned long long)len, (unsigned long long)addr);
			return why;
		}
		if ((p = map_bytes(addr, len)) == NULL) {
			snprintf(why, whylen, "%llu bytes at 0x%llx not addressable", (unsigned long long)len,
				 (unsigned long long)addr);
			return why;
		}
		err = pass == 0 ? unaccepted_header(p, (size_t)len, t) : unaccepted_parse(p, (size_t)len, t);
		if (err) {
			snprintf(why, whylen, "%s: version %u, unit %u bytes, base 0x%llx, bitmap %llu bytes",
				 unaccepted_strerror(err), t->version, t->unit_size,
				 (unsigned long long)t->phys_base, (unsigned long long)t->size);
			return why;
		}
		len = unaccepted_table_bytes(t);
	}
	{
		uint64_t s, e;

		if (unaccepted_next(t, addr, addr + len, &s, &e)) {
			snprintf(why, whylen, "the table lies in memory its own bitmap calls unaccepted (0x%llx)",
				 (unsigned long long)s);
			return why;
		}
	}
	return NULL;
}

/* The EFI memory map's EfiUnacceptedMemory descriptors: each passed to fn;
 * returns their bytes. */
static uint64_t map_unaccepted(const struct context *ctx, void (*fn)(void *arg, uint64_t a, uint64_t len),
			       void *arg)
{
	size_t n = ctx->efi_mmap ? efi_mmap_count(ctx->efi_mmap_len, ctx->efi_desc_size) : 0;
	struct efi_mmap_desc d;
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t len;

		if (efi_mmap_desc_at(ctx->efi_mmap, ctx->efi_mmap_len, ctx->efi_desc_size, i, &d) != 0 ||
		    d.type != EFI_UNACCEPTED_MEMORY || d.num_pages == 0)
			continue;
		/* A descriptor that would wrap reaches to the end of memory. */
		len = d.num_pages > (UINT64_MAX - d.phys_start) / 4096 ? UINT64_MAX - d.phys_start :
		      d.num_pages * 4096;
		if (len)
			fn(arg, d.phys_start, len);
		total += len;
	}
	return total;
}

static void exclude_fn(void *arg, uint64_t a, uint64_t len)
{
	dumpplan_exclude(arg, a, len);
}

static void guard_fn(void *arg, uint64_t a, uint64_t len)
{
	int64_t n = cpu_guard_phys(a, len);

	if (n > 0)
		*(uint64_t *)arg += (uint64_t)n;
	else if (n < 0)
		printf("pm.test: cannot guard 0x%llx+0x%llx (error %lld)\n", (unsigned long long)a,
		       (unsigned long long)len, (long long)n);
}

/*
 * pm.test=unaccepted-guard: unmap what must never be touched, so a touch
 * faults (the run then ends "run FAILED: CPU exception", never "dump
 * complete"): the units a valid table marks, else the EFI memory map's
 * EfiUnacceptedMemory.
 */
static void unaccepted_guard(const struct context *ctx, const struct unaccepted_table *t)
{
	uint64_t guarded = 0, s, e;

	if (t != NULL)
		for (uint64_t a = 0; unaccepted_next(t, a, UINT64_MAX, &s, &e); a = e)
			guard_fn(&guarded, s, e - s);
	else
		map_unaccepted(ctx, guard_fn, &guarded);
	printf("pm.test: %llu MiB of unaccepted memory unmapped: a touch faults\n",
	       (unsigned long long)(guarded >> 20));
}

/*
 * The table's address in the firmware's own configuration table array,
 * which a handoff block names (EFI_SYSTAB) but `handoff create
 * --from-system` cannot list in full (Linux's sysfs shows only a few
 * GUIDs).  The array lives in runtime memory; read in place, bounded.
 */
#define FW_TABLES_MAX	1024u
static bool unaccepted_in_fw_array(const struct context *ctx, uint64_t *addr, uint64_t *array)
{
	struct handoff_record rec;
	struct handoff_efi_systab st;
	struct efi_config_table t;
	const uint8_t *p;
	size_t bytes;

	if (!handoff_find(ctx, HANDOFF_TYPE_EFI_SYSTAB, &rec) || handoff_get_efi_systab(&rec, &st) != 0 ||
	    st.config_table_addr == 0 || st.config_table_count == 0 ||
	    st.config_table_count > FW_TABLES_MAX ||
	    efi_config_tables_bytes(st.config_table_count, &bytes) != 0)
		return false;
	if (ctx->efi_mmap != NULL &&
	    efi_table_placement(ctx->efi_mmap, ctx->efi_mmap_len, ctx->efi_desc_size, st.config_table_addr,
				bytes) == EFI_TABLE_IN_UNSAFE)
		return false;
	if ((p = map_bytes(st.config_table_addr, bytes)) == NULL)
		return false;
	for (size_t i = 0; i < st.config_table_count; i++)
		if (efi_config_table_at(p, bytes, i, &t) == 0 && efi_guid_eq(&t.guid, &unaccepted_guid)) {
			*addr = t.table;
			*array = st.config_table_addr;
			return true;
		}
	return false;
}

/*
 * Leave unaccepted memory out of the finished plan, before anything reads
 * a page of it (docs/unaccepted.md).  A valid table: every unit its live
 * bitmap still marks.  A table present but refused: only memory the EFI
 * memory map shows the firmware had accepted (a RAM type other than
 * EfiUnacceptedMemory) is kept; with no map, no memory at all.  No table:
 * the map's EfiUnacceptedMemory, if it has any.  One console line.
 */
static void unaccepted_plan(const struct context *ctx, const struct cmdline *opts, struct dumpplan *plan)
{
	struct dumpplan *out = &phasemem.gather.unaccepted_out;
	struct dumpplan *allowed = &phasemem.gather.unaccepted_allowed;
	static struct unaccepted_table t;
	static char why[200];
	bool guard = opts->test == CMDLINE_TEST_UNACCEPTED_GUARD ||
		     opts->test == CMDLINE_TEST_UNACCEPTED_NOCARVE;
	const char *bad = NULL;
	uint64_t addr = 0, left = 0, array = 0;
	bool found = false;
	char via[80] = "";

	for (unsigned i = 0; i < ctx->table_count && !found; i++)
		if (efi_guid_eq(&ctx->tables[i].guid, &unaccepted_guid)) {
			addr = ctx->tables[i].table;
			found = true;
		}
	if (!found && unaccepted_in_fw_array(ctx, &addr, &array)) {
		found = true;
		snprintf(via, sizeof(via), " (listed in the firmware's configuration tables at 0x%llx)",
			 (unsigned long long)array);
	}
	if (!found && ctx->tables_truncated) {
		bad = "the EFI configuration tables were cut short, it may be among those left out";
	} else if (!found) {
		if (guard)
			unaccepted_guard(ctx, NULL);
		left = map_unaccepted(ctx, exclude_fn, plan);
		dumpplan_finish(plan);
		if (left)
			printf("unaccepted: no unaccepted-memory table, but the EFI memory map has %llu MiB of "
			       "EfiUnacceptedMemory: left out, never read\n", (unsigned long long)(left >> 20));
		return;
	} else {
		bad = unaccepted_read(ctx, addr, &t, why, sizeof(why));
	}
	if (bad == NULL) {
		struct unaccepted_carve_stats st = { 0, 0, 0 };

		if (guard)
			unaccepted_guard(ctx, &t);
		if (opts->test != CMDLINE_TEST_UNACCEPTED_NOCARVE) {
			unaccepted_carve(&t, plan, out, &st);
			*plan = *out;
		}
		printf("unaccepted: table at 0x%llx%s (%u KiB units, 0x%llx-0x%llx, %llu unaccepted): "
		       "%llu units (%llu MiB) of the dump's memory left out, never read",
		       (unsigned long long)addr, via, t.unit_size >> 10, (unsigned long long)t.phys_base,
		       (unsigned long long)t.end, (unsigned long long)unaccepted_count(&t),
		       (unsigned long long)st.units, (unsigned long long)(st.bytes >> 20));
		if (st.dropped)
			printf("; %llu MiB more left out: the plan is full", (unsigned long long)(st.dropped >> 20));
		if (opts->test == CMDLINE_TEST_UNACCEPTED_NOCARVE)
			printf(" (pm.test=unaccepted-guard-nocarve: NOT left out)");
		printf("\n");
		return;
	}
	if (guard)
		unaccepted_guard(ctx, NULL);
	dumpplan_init(allowed);
	if (ctx->efi_mmap != NULL)
		dumpsrc_ranges_from_efi_mmap(ctx->efi_mmap, ctx->efi_mmap_len, ctx->efi_desc_size, allowed);
	dumpplan_finish(allowed);
	unaccepted_keep_in(plan, allowed, out, &left);
	*plan = *out;
	if (found)
		printf("unaccepted: table at 0x%llx%s REFUSED (%s); ", (unsigned long long)addr, via, bad);
	else
		printf("unaccepted: table unknown (%s); ", bad);
	if (allowed->n)
		printf("only memory the EFI memory map shows accepted is dumped: %llu MiB left out, never read\n",
		       (unsigned long long)(left >> 20));
	else
		printf("no EFI memory map shows what is accepted: no memory is dumped (%llu MiB left out)\n",
		       (unsigned long long)(left >> 20));
}

/* The ranges, in file order (see struct context_dump). */
static void gather_ranges(struct context *ctx, const struct bootinfo *bi, const struct cmdline *opts)
{
	static struct dumpplan plan;
	static struct dumpplan_range ranges[DUMPPLAN_MAX + 1];
	struct context_dump *d = &ctx->dump;
	const struct elfcorehdr *eh = ctx->have_elfcorehdr ? ctx->elfcore : NULL;
	bool trusted = ctx->handoff == CONTEXT_HANDOFF_TRUSTED;

	dumpplan_init(&plan);
	if (eh != NULL) {
		dumpsrc_ranges_from_elfcorehdr(eh, &plan);
		d->ranges_source = "elfcorehdr";
	} else if (trusted && dumpsrc_ranges_from_handoff(ctx->handoff_block, ctx->handoff_len, &plan)) {
		d->ranges_source = "handoff dump ranges";
	} else if (dumpsrc_ranges_from_efi_mmap(ctx->efi_mmap, ctx->efi_mmap_len, ctx->efi_desc_size,
						&plan)) {
		d->ranges_source = "EFI memory map";
	} else {
		for (unsigned i = 0; i < bi->mem_count; i++)
			if (bi->mem[i].type == 1)
				dumpplan_add(&plan, bi->mem[i].base, bi->mem[i].len, bi->mem[i].base, 0);
		d->ranges_source = "e820 RAM";
	}
	dumpplan_exclude(&plan, bi->load_base, bi->image_size);
	for (unsigned i = 0; i < bi->module_count; i++)
		if (bi->modules[i].len)
			dumpplan_exclude(&plan, bi->modules[i].base, bi->modules[i].len);
	dumpplan_finish(&plan);
	unaccepted_plan(ctx, opts, &plan);
	if (eh == NULL && trusted &&
	    dumpsrc_direct_map_from_handoff(ctx->handoff_block, ctx->handoff_len, &d->direct_map_base) != 0)
		d->direct_map_base = 0;
	d->ranges = ranges;
	d->range_count = dumpsrc_ranges_list(&plan, eh, d->direct_map_base, ranges);
	d->range_bytes = plan.total;
}

/* The crashed kernel's notes, and what they and the handoff say. */
/* [a, a+l) lies wholly in memory the plan reads in place: the notes are
 * read only where the dump itself reads, never in memory the plan left out
 * (unaccepted memory above all: touching it kills a TDX or SEV-SNP guest). */
static bool in_plan(const struct context_dump *d, uint64_t a, uint64_t l)
{
	uint64_t end = a + l;

	if (end < a)
		return false;
	while (a < end) {
		size_t i;

		for (i = 0; i < d->range_count; i++) {
			const struct dumpplan_range *r = &d->ranges[i];

			if (r->read_from == r->start && a >= r->start && a - r->start < r->size)
				break;
		}
		if (i == d->range_count)
			return false;
		a = d->ranges[i].start + d->ranges[i].size;
	}
	return true;
}

static void gather_notes(struct context *ctx)
{
	static uint8_t notes[NOTES_MAX];
	uint8_t *bounce = phasemem.gather.note_bounce;	/* a PT_NOTE copied out before it is parsed */
	struct context_dump *d = &ctx->dump;
	struct dumpsrc_notes nb;

	dumpsrc_notes_init(&nb, notes, sizeof(notes), note_left_out, d);
	if (ctx->have_elfcorehdr) {
		for (size_t i = 0; i < ctx->elfcore->note_count; i++) {
			uint64_t a = ctx->elfcore->notes[i].p_offset, l = ctx->elfcore->notes[i].p_filesz;

			if (l > PHASEMEM_NOTE_BOUNCE || !in_plan(d, a, l)) {
				dump_warn(d, "dump: PT_NOTE at 0x%llx (%llu bytes) is not in memory the dump "
					  "reads (or over 64 KiB); left out", (unsigned long long)a, (unsigned long long)l);
				continue;
			}
			if (cpu_map_phys(a, l) != 0) {
				dump_warn(d, "dump: PT_NOTE at 0x%llx (%llu bytes) unreadable; left out",
					  (unsigned long long)a, (unsigned long long)l);
				continue;
			}
			/* exactly its bytes (physread_copy never reads past them) */
			physread_copy(bounce, a, (size_t)l);
			dumpsrc_notes_copy(&nb, bounce, (size_t)l);
		}
	} else if (ctx->handoff == CONTEXT_HANDOFF_TRUSTED) {
		dumpsrc_notes_from_handoff(&nb, ctx->handoff_block, ctx->handoff_len);
	}
	d->notes = notes;
	d->notes_len = nb.len;
	dumpsrc_vmcoreinfo(notes, nb.len, &d->vmcoreinfo, &d->vmcoreinfo_len);
	dumpsrc_osrelease(notes, nb.len, d->osrelease, sizeof(d->osrelease));
	if (ctx->handoff == CONTEXT_HANDOFF_TRUSTED)
		dumpsrc_creator_host(ctx->handoff_block, ctx->handoff_len, d->hostname,
				     sizeof(d->hostname));
}

void context_gather(struct context *ctx, const struct bootinfo *bi, const struct cmdline *opts)
{
	efi_from_handoff(ctx);
	if (ctx->have_efi && ctx->systab_addr && bi->efi_systab && bi->efi_systab != ctx->systab_addr)
		printf("efi: handoff says system table at 0x%llx, boot path says 0x%llx; using the handoff's\n",
		       (unsigned long long)ctx->systab_addr, (unsigned long long)bi->efi_systab);
	if (!ctx->have_efi && bi->efi_systab)
		efi_from_firmware(ctx, bi->efi_systab, bi->efi_setup_tables);
	efi_memory_map(ctx, bi);
	if (ctx->have_efi) {
		efi_esrt(ctx);
		esrt_where(ctx, bi);
	}
	gather_elfcorehdr(ctx, opts);
	gather_ranges(ctx, bi, opts);
	gather_notes(ctx);
	ctx->elfcore = NULL;	/* kernel/phasemem.h: its memory is the dump's from here on */
}
