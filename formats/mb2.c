/*
 * Multiboot2 boot information reader: walks the tag list a multiboot2 loader
 * built and records what postmortem needs (command line, modules, memory
 * maps, framebuffer, EFI and ACPI handles) in a caller-provided struct
 * mb2_info.  Interface and layout: formats/mb2.h.
 *
 * Pure module: no globals, no I/O, no allocation; the same file builds into
 * the freestanding kernel, tools/ and the host tests.  The MBI is hostile
 * input: every tag's size is checked against what remains of total_size
 * before any byte of it is read, each tag type against its fixed part, and
 * arrays are walked by the stride the loader declares.  Fields are read by
 * memcpy into aligned locals, never through a cast pointer into the buffer.
 * Each tag is checked completely before it changes *out, so on error *out
 * holds exactly the tags before the bad one.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/mb2.h"

/* memcpy into wire structs reads little-endian fields as the host's. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

/*
 * Claim a once-only tag type: returns true for the first tag of this type
 * and marks it seen, false (and counts a duplicate) afterwards.  Callers
 * check the tag first, so a malformed duplicate is still an error.
 */
static bool mb2_claim(struct mb2_info *out, uint32_t type)
{
	uint32_t bit = 1u << type;

	if (out->tags_seen & bit) {
		out->duplicate_count++;
		return false;
	}
	out->tags_seen |= bit;
	return true;
}

/* Describe the n bytes at p as a string that may lack its NUL. */
static void mb2_string_set(struct mb2_string *s, const uint8_t *p, size_t n)
{
	const uint8_t *nul;

	if (n == 0) {
		s->ptr = NULL;
		s->len = 0;
		s->terminated = false;
		return;
	}
	nul = memchr(p, 0, n);
	s->ptr = (const char *)p;
	s->len = nul != NULL ? (size_t)(nul - p) : n;
	s->terminated = nul != NULL;
}

/* CMDLINE and BOOT_LOADER_NAME: the payload is a NUL-terminated string. */
static int mb2_tag_string(const uint8_t *tag, uint32_t type, uint32_t size,
			  struct mb2_info *out)
{
	struct mb2_string *s = type == MB2_TAG_CMDLINE ? &out->cmdline
						       : &out->boot_loader_name;

	if (mb2_claim(out, type))
		mb2_string_set(s, tag + sizeof(struct mb2_tag),
			       size - sizeof(struct mb2_tag));
	return 0;
}

/* MODULE: one tag per module; more than MB2_MAX_MODULES sets a flag. */
static int mb2_tag_module(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	struct mb2_tag_module m;
	struct mb2_module *dst;

	if (size < sizeof(m))
		return -EBADMSG;
	memcpy(&m, tag, sizeof(m));
	out->tags_seen |= 1u << MB2_TAG_MODULE;
	if (out->module_count == MB2_MAX_MODULES) {
		out->modules_truncated = true;
		return 0;
	}
	dst = &out->modules[out->module_count++];
	dst->mod_start = m.mod_start;
	dst->mod_end = m.mod_end;
	mb2_string_set(&dst->string, tag + sizeof(m), size - sizeof(m));
	return 0;
}

static int mb2_tag_meminfo(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	struct mb2_tag_basic_meminfo mi;

	if (size < sizeof(mi))
		return -EBADMSG;
	memcpy(&mi, tag, sizeof(mi));
	if (mb2_claim(out, MB2_TAG_BASIC_MEMINFO)) {
		out->mem_lower = mi.mem_lower;
		out->mem_upper = mi.mem_upper;
	}
	return 0;
}

/*
 * MMAP: entries of entry_size bytes (24 today; the spec lets it grow, so
 * walk by the declared stride and read only the fields we know).  A trailing
 * partial entry is ignored.
 */
static int mb2_tag_mmap(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	struct mb2_tag_mmap h;
	struct mb2_tag_mmap_entry e;
	size_t n, i;

	if (size < sizeof(h))
		return -EBADMSG;
	memcpy(&h, tag, sizeof(h));
	if (h.entry_size < sizeof(e))
		return -EBADMSG;
	if (!mb2_claim(out, MB2_TAG_MMAP))
		return 0;
	out->mmap_entry_size = h.entry_size;
	out->mmap_entry_version = h.entry_version;
	n = (size - sizeof(h)) / h.entry_size;
	if (n > MB2_MAX_MMAP) {
		n = MB2_MAX_MMAP;
		out->mmap_truncated = true;
	}
	for (i = 0; i < n; i++) {
		memcpy(&e, tag + sizeof(h) + i * (size_t)h.entry_size, sizeof(e));
		out->mmap[i].base = e.addr;
		out->mmap[i].len = e.len;
		out->mmap[i].type = e.type;
	}
	out->mmap_count = n;
	return 0;
}

/* FRAMEBUFFER: the common part, plus the channel layout for RGB. */
static int mb2_tag_framebuffer(const uint8_t *tag, uint32_t size,
			       struct mb2_info *out)
{
	struct mb2_tag_framebuffer f;
	struct mb2_framebuffer_rgb rgb;

	if (size < sizeof(f))
		return -EBADMSG;
	memcpy(&f, tag, sizeof(f));
	memset(&rgb, 0, sizeof(rgb));
	if (f.framebuffer_type == MB2_FRAMEBUFFER_TYPE_RGB) {
		if (size - sizeof(f) < sizeof(rgb))
			return -EBADMSG;
		memcpy(&rgb, tag + sizeof(f), sizeof(rgb));
	}
	if (!mb2_claim(out, MB2_TAG_FRAMEBUFFER))
		return 0;
	out->fb.addr = f.framebuffer_addr;
	out->fb.pitch = f.framebuffer_pitch;
	out->fb.width = f.framebuffer_width;
	out->fb.height = f.framebuffer_height;
	out->fb.bpp = f.framebuffer_bpp;
	out->fb.type = f.framebuffer_type;
	out->fb.red_pos = rgb.framebuffer_red_field_position;
	out->fb.red_size = rgb.framebuffer_red_mask_size;
	out->fb.green_pos = rgb.framebuffer_green_field_position;
	out->fb.green_size = rgb.framebuffer_green_mask_size;
	out->fb.blue_pos = rgb.framebuffer_blue_field_position;
	out->fb.blue_size = rgb.framebuffer_blue_mask_size;
	return 0;
}

/* EFI64 and EFI64_IH: one 64-bit pointer each. */
static int mb2_tag_efi64(const uint8_t *tag, uint32_t type, uint32_t size,
			 struct mb2_info *out)
{
	struct mb2_tag_efi64 e;

	if (size < sizeof(e))
		return -EBADMSG;
	memcpy(&e, tag, sizeof(e));
	if (!mb2_claim(out, type))
		return 0;
	if (type == MB2_TAG_EFI64)
		out->efi64_systab = e.pointer;
	else
		out->efi64_image_handle = e.pointer;
	return 0;
}

/*
 * ACPI_OLD and ACPI_NEW: the loader's copy of the RSDP.  Its signature,
 * checksum and own length field are the ACPI reader's to check.
 */
static int mb2_tag_acpi(const uint8_t *tag, uint32_t type, uint32_t size,
			struct mb2_info *out)
{
	const uint8_t *p = tag + sizeof(struct mb2_tag);
	size_t n = size - sizeof(struct mb2_tag);

	if (!mb2_claim(out, type))
		return 0;
	if (type == MB2_TAG_ACPI_OLD) {
		out->rsdp_old = n != 0 ? p : NULL;
		out->rsdp_old_len = n;
	} else {
		out->rsdp_new = n != 0 ? p : NULL;
		out->rsdp_new_len = n;
	}
	return 0;
}

static int mb2_tag_smbios(const uint8_t *tag, uint32_t size, struct mb2_info *out)
{
	struct mb2_tag_smbios s;
	size_t n;

	if (size < sizeof(s))
		return -EBADMSG;
	memcpy(&s, tag, sizeof(s));
	if (!mb2_claim(out, MB2_TAG_SMBIOS))
		return 0;
	n = size - sizeof(s);
	out->smbios_major = s.major;
	out->smbios_minor = s.minor;
	out->smbios_tables = n != 0 ? tag + sizeof(s) : NULL;
	out->smbios_tables_len = n;
	return 0;
}

/*
 * EFI_MMAP: GetMemoryMap's buffer.  descr_size is the stride; UEFI allows it
 * to exceed sizeof(EFI_MEMORY_DESCRIPTOR) but never to be smaller, and keeps
 * descriptors 8-byte aligned.  The length is cut to whole descriptors.
 */
static int mb2_tag_efi_mmap(const uint8_t *tag, uint32_t size,
			    struct mb2_info *out)
{
	struct mb2_tag_efi_mmap h;
	size_t n;

	if (size < sizeof(h))
		return -EBADMSG;
	memcpy(&h, tag, sizeof(h));
	if (h.descr_size < MB2_EFI_DESC_MIN || h.descr_size % 8 != 0)
		return -EBADMSG;
	if (!mb2_claim(out, MB2_TAG_EFI_MMAP))
		return 0;
	n = (size - sizeof(h)) / h.descr_size * h.descr_size;
	out->efi_descr_size = h.descr_size;
	out->efi_descr_vers = h.descr_vers;
	out->efi_mmap = n != 0 ? tag + sizeof(h) : NULL;
	out->efi_mmap_len = n;
	return 0;
}

static int mb2_tag_load_base(const uint8_t *tag, uint32_t size,
			     struct mb2_info *out)
{
	struct mb2_tag_load_base_addr lb;

	if (size < sizeof(lb))
		return -EBADMSG;
	memcpy(&lb, tag, sizeof(lb));
	if (mb2_claim(out, MB2_TAG_LOAD_BASE_ADDR))
		out->load_base_addr = lb.load_base_addr;
	return 0;
}

/* Decode one tag whose size is known to be >= 8 and to fit total_size. */
static int mb2_tag_dispatch(const uint8_t *tag, const struct mb2_tag *t,
			    struct mb2_info *out)
{
	switch (t->type) {
	case MB2_TAG_CMDLINE:
	case MB2_TAG_BOOT_LOADER_NAME:
		return mb2_tag_string(tag, t->type, t->size, out);
	case MB2_TAG_MODULE:
		return mb2_tag_module(tag, t->size, out);
	case MB2_TAG_BASIC_MEMINFO:
		return mb2_tag_meminfo(tag, t->size, out);
	case MB2_TAG_MMAP:
		return mb2_tag_mmap(tag, t->size, out);
	case MB2_TAG_FRAMEBUFFER:
		return mb2_tag_framebuffer(tag, t->size, out);
	case MB2_TAG_EFI64:
	case MB2_TAG_EFI64_IH:
		return mb2_tag_efi64(tag, t->type, t->size, out);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		return mb2_tag_acpi(tag, t->type, t->size, out);
	case MB2_TAG_SMBIOS:
		return mb2_tag_smbios(tag, t->size, out);
	case MB2_TAG_EFI_MMAP:
		return mb2_tag_efi_mmap(tag, t->size, out);
	case MB2_TAG_EFI_BS:
		/* No payload: its presence is the message. */
		if (mb2_claim(out, MB2_TAG_EFI_BS))
			out->efi_bs_not_terminated = true;
		return 0;
	case MB2_TAG_LOAD_BASE_ADDR:
		return mb2_tag_load_base(tag, t->size, out);
	default:
		out->unknown_count++;
		return 0;
	}
}

/*
 * Offsets are kept in uint64_t: off + size + 7 stays far below 2^64 because
 * size <= total_size < 2^32, so rounding up to 8 cannot wrap; the next
 * iteration then rejects an offset past total_size.
 */
int mb2_parse(const void *mbi, size_t len, struct mb2_info *out)
{
	const uint8_t *base = mbi;
	struct mb2_info_header h;
	struct mb2_tag t;
	uint64_t off;
	int err;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (mbi == NULL || len < sizeof(h))
		return -EINVAL;
	memcpy(&h, base, sizeof(h));
	out->total_size = h.total_size;
	if (h.total_size < sizeof(h) || h.total_size > len)
		return -EINVAL;
	for (off = sizeof(h);; off += ((uint64_t)t.size + 7) & ~(uint64_t)7) {
		out->error_offset = (size_t)off;
		if (off > h.total_size || h.total_size - off < sizeof(t))
			return -EBADMSG;	/* no end tag */
		memcpy(&t, base + off, sizeof(t));
		if (t.size < sizeof(t) || t.size > h.total_size - off)
			return -EBADMSG;
		if (t.type == MB2_TAG_END)
			break;
		err = mb2_tag_dispatch(base + off, &t, out);
		if (err != 0)
			return err;
		out->tag_count++;
	}
	if (t.size != sizeof(t))
		return -EBADMSG;
	out->error_offset = 0;
	return 0;
}
