/*
 * Handoff block: decoders for each record type, ESRT and ELF-note walkers,
 * and the names of record types, EFI and e820 memory types and well-known
 * configuration-table GUIDs.  Interface and layouts: payload/handoff.h; the
 * block itself (writer, verifier, iterator) is payload/handoff.c.
 *
 * Pure module, like handoff.c.  A struct handoff_record comes from
 * handoff_next(), so its payload pointer covers `length` readable bytes;
 * within that payload every inner length (array strides, copied-table
 * lengths, SMBIOS parts, ESRT counts, note sizes) is checked against what
 * remains before use, and every field is memcpy'd into the caller's
 * aligned struct.  Tables of names hold arrays, not pointers, so the
 * kernel image needs no relocations for them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/hmac_sha256.h"
#include "formats/guid.h"
#include "payload/handoff.h"

/* ------------------------------------------------------------ fixed records */

/* Copy the first size bytes of a record of this type into out. */
static int handoff_fixed(const struct handoff_record *rec, uint32_t type,
			 void *out, size_t size)
{
	if (rec == NULL || out == NULL || rec->type != type)
		return -EINVAL;
	if (rec->length < size)
		return -EBADMSG;
	memcpy(out, rec->payload, size);
	return 0;
}

int handoff_get_efi_systab(const struct handoff_record *rec, struct handoff_efi_systab *out)
{
	return handoff_fixed(rec, HANDOFF_TYPE_EFI_SYSTAB, out, sizeof(*out));
}

int handoff_get_creator(const struct handoff_record *rec, struct handoff_creator *out)
{
	return handoff_fixed(rec, HANDOFF_TYPE_CREATOR, out, sizeof(*out));
}

int handoff_get_capsule_header(const struct handoff_record *rec,
			       struct handoff_capsule_header *out)
{
	return handoff_fixed(rec, HANDOFF_TYPE_CAPSULE, out, sizeof(*out));
}

/* ---------------------------------------------------------------- DUMP_KEY */

static const char *dump_key_judge(const struct handoff_dump_key *k, uint64_t payload_len)
{
	uint8_t acc = 0;

	if (k->version != HANDOFF_DUMP_KEY_VERSION)
		return "DUMP_KEY: version is not 1";
	if (k->cipher != HANDOFF_DUMP_KEY_CIPHER)
		return "DUMP_KEY: cipher is not 1 (AES-256-GCM)";
	if (k->wrap != HANDOFF_DUMP_KEY_WRAP)
		return "DUMP_KEY: wrap is not 1 (RSA-OAEP SHA-256)";
	if (k->wrapped_len < HANDOFF_DUMP_KEY_WRAPPED_MIN ||
	    k->wrapped_len > HANDOFF_DUMP_KEY_WRAPPED_MAX)
		return "DUMP_KEY: wrapped_len outside 256..1024";
	if (payload_len && payload_len != HANDOFF_DUMP_KEY_HEAD + (uint64_t)k->wrapped_len)
		return "DUMP_KEY: payload length is not 112 + wrapped_len";
	for (size_t i = 0; i < sizeof(k->master); i++)
		acc |= k->master[i];
	if (acc == 0)
		return "DUMP_KEY: master key all zero";
	return NULL;
}

int handoff_dump_key_judge(const struct handoff_dump_key *k, const char **why)
{
	const char *bad = dump_key_judge(k, 0);

	if (why)
		*why = bad;
	return bad ? -EBADMSG : 0;
}

int handoff_get_dump_key(const struct handoff_record *rec, struct handoff_dump_key *out,
			 const char **why)
{
	struct handoff_dump_key k;
	const char *bad;

	if (why)
		*why = NULL;
	if (rec == NULL || out == NULL || rec->type != HANDOFF_TYPE_DUMP_KEY) {
		if (why)
			*why = "not a DUMP_KEY record";
		return -EINVAL;
	}
	if (rec->length < HANDOFF_DUMP_KEY_HEAD) {
		if (why)
			*why = "DUMP_KEY: shorter than its 112-byte head";
		return -EBADMSG;
	}
	memset(&k, 0, sizeof(k));
	memcpy(&k, rec->payload, HANDOFF_DUMP_KEY_HEAD);
	bad = dump_key_judge(&k, rec->length);
	if (bad) {
		crypto_wipe(&k, sizeof(k));
		if (why)
			*why = bad;
		return -EBADMSG;
	}
	memcpy(k.wrapped, rec->payload + HANDOFF_DUMP_KEY_HEAD, k.wrapped_len);
	*out = k;
	crypto_wipe(&k, sizeof(k));
	return 0;
}

/*
 * A record made of a fixed head whose u64 at len_off says how many bytes
 * follow it (TABLE_COPY, ACPI_RSDP): the count must match the payload.
 */
static int handoff_head_and_bytes(const struct handoff_record *rec, uint32_t type,
				  void *head, size_t head_size, size_t len_off,
				  struct handoff_bytes *bytes)
{
	uint64_t n;

	if (rec == NULL || head == NULL || bytes == NULL || rec->type != type)
		return -EINVAL;
	if (rec->length < head_size)
		return -EBADMSG;
	memcpy(&n, rec->payload + len_off, sizeof(n));
	if (n != rec->length - head_size)
		return -EBADMSG;
	memcpy(head, rec->payload, head_size);
	bytes->ptr = rec->payload + head_size;
	bytes->len = (size_t)n;
	return 0;
}

int handoff_get_table_copy(const struct handoff_record *rec,
			   struct handoff_table_copy *hdr, struct handoff_bytes *bytes)
{
	return handoff_head_and_bytes(rec, HANDOFF_TYPE_TABLE_COPY, hdr, sizeof(*hdr),
				      offsetof(struct handoff_table_copy, length), bytes);
}

int handoff_get_acpi_rsdp(const struct handoff_record *rec,
			  struct handoff_acpi_rsdp *hdr, struct handoff_bytes *bytes)
{
	return handoff_head_and_bytes(rec, HANDOFF_TYPE_ACPI_RSDP, hdr, sizeof(*hdr),
				      offsetof(struct handoff_acpi_rsdp, length), bytes);
}

int handoff_get_smbios(const struct handoff_record *rec, struct handoff_smbios *hdr,
		       struct handoff_bytes *ep, struct handoff_bytes *table)
{
	struct handoff_smbios h;
	uint64_t rest;

	if (rec == NULL || hdr == NULL || ep == NULL || table == NULL ||
	    rec->type != HANDOFF_TYPE_SMBIOS)
		return -EINVAL;
	if (rec->length < sizeof(h))
		return -EBADMSG;
	memcpy(&h, rec->payload, sizeof(h));
	rest = rec->length - sizeof(h);
	if (h.entry_point_length > rest || h.table_length != rest - h.entry_point_length)
		return -EBADMSG;
	*hdr = h;
	ep->ptr = rec->payload + sizeof(h);
	ep->len = (size_t)h.entry_point_length;
	table->ptr = ep->ptr + ep->len;
	table->len = (size_t)h.table_length;
	return 0;
}

/* Text ends at the first NUL, if any. */
static struct handoff_bytes handoff_text(const uint8_t *p, size_t n)
{
	const uint8_t *nul = memchr(p, 0, n);
	struct handoff_bytes b = { p, nul != NULL ? (size_t)(nul - p) : n };

	return b;
}

int handoff_get_vmcoreinfo(const struct handoff_record *rec,
			   struct handoff_vmcoreinfo *hdr, struct handoff_bytes *text)
{
	if (rec == NULL || hdr == NULL || text == NULL ||
	    rec->type != HANDOFF_TYPE_VMCOREINFO)
		return -EINVAL;
	if (rec->length < sizeof(*hdr))
		return -EBADMSG;
	memcpy(hdr, rec->payload, sizeof(*hdr));
	*text = handoff_text(rec->payload + sizeof(*hdr), (size_t)rec->length - sizeof(*hdr));
	return 0;
}

int handoff_get_bytes(const struct handoff_record *rec, uint32_t type,
		      struct handoff_bytes *out)
{
	if (rec == NULL || out == NULL || rec->type != type)
		return -EINVAL;
	if (type == HANDOFF_TYPE_CMDLINE) {
		*out = handoff_text(rec->payload, (size_t)rec->length);
		return 0;
	}
	out->ptr = rec->payload;
	out->len = (size_t)rec->length;
	return 0;
}

/* ----------------------------------------------------------- array records */

/* Smallest entry of each array type (version 1's); 0 for other types. */
static uint32_t handoff_array_min(uint32_t type)
{
	switch (type) {
	case HANDOFF_TYPE_EFI_MEMMAP:
		return sizeof(struct handoff_efi_memory_descriptor);
	case HANDOFF_TYPE_EFI_CONFIG_TABLES:
		return sizeof(struct handoff_config_table);
	case HANDOFF_TYPE_EFI_RUNTIME_MAP:
		return sizeof(struct handoff_runtime_entry);
	case HANDOFF_TYPE_DUMP_RANGES:
		return sizeof(struct handoff_dump_range);
	case HANDOFF_TYPE_MEMMAP:
		return sizeof(struct handoff_memmap_entry);
	default:
		return 0;
	}
}

int handoff_get_array(const struct handoff_record *rec, struct handoff_array *out)
{
	struct handoff_array_header ah;
	uint32_t min;
	uint64_t body;

	if (rec == NULL || out == NULL)
		return -EINVAL;
	min = handoff_array_min(rec->type);
	if (min == 0)
		return -EINVAL;
	if (rec->length < sizeof(ah))
		return -EBADMSG;
	memcpy(&ah, rec->payload, sizeof(ah));
	if (ah.entry_size < min || ah.entry_size % HANDOFF_ALIGN != 0)
		return -EBADMSG;
	body = rec->length - sizeof(ah);
	if (body % ah.entry_size != 0)
		return -EBADMSG;
	out->entry_size = ah.entry_size;
	out->entry_version = ah.entry_version;
	out->count = (size_t)(body / ah.entry_size);
	return 0;
}

/* Copy the first size bytes of entry i of an array record of this type. */
static int handoff_entry_at(const struct handoff_record *rec, uint32_t type,
			    size_t i, void *out, size_t size)
{
	struct handoff_array a;
	int r;

	if (rec == NULL || out == NULL || rec->type != type)
		return -EINVAL;
	r = handoff_get_array(rec, &a);
	if (r != 0)
		return r;
	if (i >= a.count)
		return -ERANGE;
	memcpy(out, rec->payload + sizeof(struct handoff_array_header) + i * a.entry_size, size);
	return 0;
}

int handoff_efi_memmap_at(const struct handoff_record *rec, size_t i,
			  struct handoff_efi_memory_descriptor *out)
{
	return handoff_entry_at(rec, HANDOFF_TYPE_EFI_MEMMAP, i, out, sizeof(*out));
}

int handoff_config_table_at(const struct handoff_record *rec, size_t i,
			    struct handoff_config_table *out)
{
	return handoff_entry_at(rec, HANDOFF_TYPE_EFI_CONFIG_TABLES, i, out, sizeof(*out));
}

int handoff_runtime_map_at(const struct handoff_record *rec, size_t i,
			   struct handoff_runtime_entry *out)
{
	return handoff_entry_at(rec, HANDOFF_TYPE_EFI_RUNTIME_MAP, i, out, sizeof(*out));
}

int handoff_dump_range_at(const struct handoff_record *rec, size_t i,
			  struct handoff_dump_range *out)
{
	return handoff_entry_at(rec, HANDOFF_TYPE_DUMP_RANGES, i, out, sizeof(*out));
}

int handoff_memmap_at(const struct handoff_record *rec, size_t i,
		      struct handoff_memmap_entry *out)
{
	return handoff_entry_at(rec, HANDOFF_TYPE_MEMMAP, i, out, sizeof(*out));
}

/* ------------------------------------------------------------- ESRT, notes */

int handoff_esrt_header(const struct handoff_bytes *esrt,
			struct handoff_esrt_header *out, size_t *count)
{
	struct handoff_esrt_header h;

	if (esrt == NULL || esrt->ptr == NULL || out == NULL || count == NULL)
		return -EINVAL;
	if (esrt->len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, esrt->ptr, sizeof(h));
	if (h.fw_resource_count > (esrt->len - sizeof(h)) / sizeof(struct handoff_esrt_entry))
		return -EBADMSG;
	*out = h;
	*count = h.fw_resource_count;
	return 0;
}

int handoff_esrt_entry_at(const struct handoff_bytes *esrt, size_t i,
			  struct handoff_esrt_entry *out)
{
	struct handoff_esrt_header h;
	size_t n;
	int r;

	if (out == NULL)
		return -EINVAL;
	r = handoff_esrt_header(esrt, &h, &n);
	if (r != 0)
		return r;
	if (i >= n)
		return -ERANGE;
	memcpy(out, esrt->ptr + sizeof(h) + i * sizeof(*out), sizeof(*out));
	return 0;
}

/* ELF notes: name and desc each padded to 4 (ELF-64 gABI, as /proc/vmcore). */
int handoff_note_next(const struct handoff_bytes *notes, size_t *cursor,
		      struct handoff_note *out)
{
	struct handoff_note_header nh;
	size_t off, left;
	uint64_t name_pad, desc_pad;

	if (notes == NULL || cursor == NULL || out == NULL || *cursor > notes->len ||
	    (notes->ptr == NULL && notes->len > 0))
		return -EINVAL;
	off = *cursor;
	if (off == notes->len)
		return -ENOENT;
	left = notes->len - off;
	if (left < sizeof(nh))
		return -EBADMSG;
	memcpy(&nh, notes->ptr + off, sizeof(nh));
	left -= sizeof(nh);
	name_pad = ((uint64_t)nh.namesz + 3) & ~(uint64_t)3;
	desc_pad = ((uint64_t)nh.descsz + 3) & ~(uint64_t)3;
	if (name_pad > left || desc_pad > left - name_pad)
		return -EBADMSG;
	off += sizeof(nh);
	out->type = nh.type;
	out->name.ptr = notes->ptr + off;
	out->name.len = nh.namesz;
	out->desc.ptr = notes->ptr + off + name_pad;
	out->desc.len = nh.descsz;
	*cursor = off + (size_t)name_pad + (size_t)desc_pad;
	return 0;
}

/* ------------------------------------------------------------------- names */

bool handoff_type_known(uint32_t type)
{
	return type >= 1 && type <= HANDOFF_TYPE_MAX_KNOWN;
}

const char *handoff_type_name(uint32_t type)
{
	switch (type) {
	case HANDOFF_TYPE_EFI_MEMMAP:		return "EFI_MEMMAP";
	case HANDOFF_TYPE_EFI_SYSTAB:		return "EFI_SYSTAB";
	case HANDOFF_TYPE_EFI_CONFIG_TABLES:	return "EFI_CONFIG_TABLES";
	case HANDOFF_TYPE_TABLE_COPY:		return "TABLE_COPY";
	case HANDOFF_TYPE_ACPI_RSDP:		return "ACPI_RSDP";
	case HANDOFF_TYPE_SMBIOS:		return "SMBIOS";
	case HANDOFF_TYPE_EFI_RUNTIME_MAP:	return "EFI_RUNTIME_MAP";
	case HANDOFF_TYPE_DUMP_RANGES:		return "DUMP_RANGES";
	case HANDOFF_TYPE_VMCOREINFO:		return "VMCOREINFO";
	case HANDOFF_TYPE_CPU_NOTES:		return "CPU_NOTES";
	case HANDOFF_TYPE_CMDLINE:		return "CMDLINE";
	case HANDOFF_TYPE_CAPSULE:		return "CAPSULE";
	case HANDOFF_TYPE_CREATOR:		return "CREATOR";
	case HANDOFF_TYPE_MEMMAP:		return "MEMMAP";
	case HANDOFF_TYPE_DUMP_FILE:		return "DUMP_FILE";
	case HANDOFF_TYPE_DUMP_KEY:		return "DUMP_KEY";
	default:				return "unknown";
	}
}

/* EFI_MEMORY_TYPE 0..15 (UEFI 2.10 section 7.2; 15 = EfiUnacceptedMemoryType). */
static const char handoff_efi_types[][14] = {
	"reserved", "loader-code", "loader-data", "boot-code", "boot-data",
	"runtime-code", "runtime-data", "conventional", "unusable",
	"acpi-reclaim", "acpi-nvs", "mmio", "mmio-port", "pal-code",
	"persistent", "unaccepted",
};

const char *handoff_efi_type_name(uint32_t type)
{
	if (type >= sizeof(handoff_efi_types) / sizeof(handoff_efi_types[0]))
		return NULL;
	return handoff_efi_types[type];
}

const char *handoff_e820_type_name(uint32_t type)
{
	switch (type) {
	case HANDOFF_E820_RAM:			return "ram";
	case HANDOFF_E820_RESERVED:		return "reserved";
	case HANDOFF_E820_ACPI:			return "acpi";
	case HANDOFF_E820_NVS:			return "nvs";
	case HANDOFF_E820_UNUSABLE:		return "unusable";
	case HANDOFF_E820_PMEM:			return "pmem";
	case HANDOFF_E820_PRAM:			return "pram";
	case HANDOFF_E820_SOFT_RESERVED:	return "soft-reserved";
	default:				return NULL;
	}
}

/*
 * Configuration-table GUIDs: UEFI 2.10 section 4.6 and EDK2 MdePkg
 * (ACPI, SMBIOS, ESRT, properties, memory attributes, RT properties, HOB,
 * DXE services), Linux include/linux/efi.h (LINUX_EFI_*).
 */
static const struct {
	char guid[37];
	char name[19];
} handoff_guids[] = {
	{ "8868e871-e4f1-11d3-bc22-0080c73c8881", "acpi20" },
	{ "eb9d2d30-2d88-11d3-9a16-0090273fc14d", "acpi" },
	{ "eb9d2d31-2d88-11d3-9a16-0090273fc14d", "smbios" },
	{ "f2fd1544-9794-4a2c-992e-e5bbcf20e394", "smbios3" },
	{ "b122a263-3661-4f68-9929-78f8b0d62180", "esrt" },
	{ "eb9d2d2f-2d88-11d3-9a16-0090273fc14d", "mps" },
	{ "eb9d2d32-2d88-11d3-9a16-0090273fc14d", "sal" },
	{ "f951938d-620b-42ef-8279-a84b79617898", "hcdp" },
	{ "61a4d49e-6f68-4f1b-b922-a86eed0b07a2", "uga" },
	{ "880aaca3-4adc-4a04-9079-b747340825e5", "properties" },
	{ "dcfa911d-26eb-469f-a220-38b7dc461220", "memattr" },
	{ "eb66918a-7eef-402a-842e-931d21c38ae9", "rt-properties" },
	{ "7739f24c-93d7-11d4-9a3a-0090273fc14d", "hob-list" },
	{ "05ad34ba-6f02-4214-952e-4da0398e2bb9", "dxe-services" },
	{ "4c19049f-4137-4dd3-9c10-8b97a83ffdfa", "memory-type-info" },
	{ "888eb0c6-8ede-4ff5-a8f0-9aee5cb977c2", "linux-memreserve" },
	{ "1ce1e5bc-7ceb-42f2-81e5-8aadf180f57b", "linux-rng-seed" },
	{ "b7799cb0-eca2-4943-9667-1fae07b747fa", "linux-tpm-log" },
	{ "1e2ed096-30e2-4254-bd89-863bbef82325", "tpm-final-log" },
	{ "e03fc20a-85dc-406e-b90e-4ab502371d95", "linux-screen-info" },
	{ "d5d1de3c-105c-44f9-9ea9-bcef98120031", "linux-unaccepted" },
};

#define HANDOFF_NGUIDS (sizeof(handoff_guids) / sizeof(handoff_guids[0]))

const char *handoff_guid_name(const uint8_t guid[16])
{
	char text[37];

	handoff_guid_format(guid, text);
	for (size_t i = 0; i < HANDOFF_NGUIDS; i++)
		if (memcmp(text, handoff_guids[i].guid, sizeof(text)) == 0)
			return handoff_guids[i].name;
	return NULL;
}

int handoff_guid_by_name(const char *name, size_t len, uint8_t out[16])
{
	for (size_t i = 0; i < HANDOFF_NGUIDS; i++)
		if (strlen(handoff_guids[i].name) == len &&
		    memcmp(handoff_guids[i].name, name, len) == 0)
			return handoff_guid_parse(handoff_guids[i].guid, 36, out);
	return -ENOENT;
}

/*
 * EFI_GUID is { u32 Data1; u16 Data2; u16 Data3; u8 Data4[8] } stored
 * little-endian, so the text's first three groups appear byte-reversed.
 * text_order[k] is the byte of the GUID printed k-th.
 */
/* GUID text: one implementation, formats/efi.c's (same byte order). */
void handoff_guid_format(const uint8_t guid[16], char out[37])
{
	struct efi_guid g;

	memcpy(g.b, guid, sizeof(g.b));
	efi_guid_format(&g, out);
}

/* Parse canonical GUID text; out is left untouched on failure. */
int handoff_guid_parse(const char *s, size_t len, uint8_t out[16])
{
	struct efi_guid g;
	int err = efi_guid_parse(s, len, &g);

	if (err == 0)
		memcpy(out, g.b, sizeof(g.b));
	return err;
}
