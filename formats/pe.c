/*
 * PE/COFF (PE32+) header reader and layout check: formats/pe.h has the
 * interface and every rule with its source.  All arithmetic on file values
 * is done in 64 bits, so no sum of two 32-bit fields can wrap.
 */
#include <errno.h>
#include <string.h>

#include "formats/le.h"
#include "formats/pe.h"

static int pe_bad(const char **why, const char *text)
{
	if (why != NULL)
		*why = text;
	return -EBADMSG;
}

static int is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static uint64_t round_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) / align * align;
}

int pe_parse(const void *buf, size_t len, struct pe_info *out, const char **why)
{
	const uint8_t *p = buf;
	uint64_t off, opt, opt_size, table;

	if (why != NULL)
		*why = NULL;
	if (out == NULL || (buf == NULL && len != 0))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < PE_MZ_SIZE || p[0] != 'M' || p[1] != 'Z')
		return pe_bad(why, "no MS-DOS header (\"MZ\" at offset 0)");
	off = le_get32(p + PE_LFANEW);
	if (off < PE_MZ_SIZE)
		return pe_bad(why, "e_lfanew points inside the MS-DOS header");
	if (off > len || len - off < 4 + PE_FILE_HEADER_SIZE)
		return pe_bad(why, "e_lfanew points past the end of the file");
	if (memcmp(p + off, "PE\0\0", 4) != 0)
		return pe_bad(why, "no PE signature at e_lfanew");
	out->pe_offset = (uint32_t)off;
	off += 4;
	out->machine = le_get16(p + off);
	out->nsections = le_get16(p + off + 2);
	opt_size = le_get16(p + off + 16);
	out->characteristics = le_get16(p + off + 18);
	opt = off + PE_FILE_HEADER_SIZE;
	if (opt_size < PE_OPT_FIXED_SIZE || len - opt < opt_size)
		return pe_bad(why, "the optional header is too short for PE32+ or runs past the file");
	if (le_get16(p + opt) != PE_MAGIC_PE32PLUS)
		return pe_bad(why, "the optional header is not PE32+ (Magic 0x20B)");
	out->entry = le_get32(p + opt + 16);
	out->image_base = le_get64(p + opt + 24);
	out->section_align = le_get32(p + opt + 32);
	out->file_align = le_get32(p + opt + 36);
	out->size_of_image = le_get32(p + opt + 56);
	out->size_of_headers = le_get32(p + opt + 60);
	out->checksum_offset = (uint32_t)(opt + 64);
	out->subsystem = le_get16(p + opt + 68);
	out->dll_characteristics = le_get16(p + opt + 70);
	out->ndirs = le_get32(p + opt + 108);
	if (out->ndirs > PE_MAX_DIRS)
		return pe_bad(why, "NumberOfRvaAndSizes is above 16");
	if (opt_size < PE_OPT_FIXED_SIZE + 8 * (uint64_t)out->ndirs)
		return pe_bad(why, "SizeOfOptionalHeader is too small for its data directories");
	for (uint32_t i = 0; i < out->ndirs; i++) {
		out->dir_rva[i] = le_get32(p + opt + PE_OPT_FIXED_SIZE + 8 * i);
		out->dir_size[i] = le_get32(p + opt + PE_OPT_FIXED_SIZE + 8 * i + 4);
	}
	if (out->ndirs > PE_DIR_CERT)
		out->cert_dir_offset = (uint32_t)(opt + PE_OPT_FIXED_SIZE + 8 * PE_DIR_CERT);
	if (out->nsections > PE_MAX_SECTIONS)
		return pe_bad(why, "more than 16 sections");
	table = opt + opt_size;
	if (table > len || (len - table) / PE_SECTION_SIZE < out->nsections)
		return pe_bad(why, "the section table runs past the end of the file");
	if (out->size_of_headers > len)
		return pe_bad(why, "SizeOfHeaders is larger than the file");
	if (table + (uint64_t)out->nsections * PE_SECTION_SIZE > out->size_of_headers)
		return pe_bad(why, "the section table runs past SizeOfHeaders");
	for (uint32_t i = 0; i < out->nsections; i++) {
		const uint8_t *s = p + table + (uint64_t)i * PE_SECTION_SIZE;
		struct pe_section *sec = &out->sections[i];

		memcpy(sec->name, s, 8);
		sec->name[8] = '\0';
		sec->virtual_size = le_get32(s + 8);
		sec->rva = le_get32(s + 12);
		sec->raw_size = le_get32(s + 16);
		sec->raw_offset = le_get32(s + 20);
		sec->flags = le_get32(s + 36);
	}
	if (out->ndirs > PE_DIR_CERT && out->dir_size[PE_DIR_CERT] != 0) {
		uint64_t at = out->dir_rva[PE_DIR_CERT], size = out->dir_size[PE_DIR_CERT];

		if (at < out->size_of_headers || at > len || len - at < size)
			return pe_bad(why, "the certificate table lies outside the file or in its headers");
	}
	return 0;
}

const struct pe_section *pe_section_at(const struct pe_info *pi, uint32_t rva)
{
	for (uint32_t i = 0; pi != NULL && i < pi->nsections && i < PE_MAX_SECTIONS; i++) {
		const struct pe_section *s = &pi->sections[i];
		uint64_t size = s->virtual_size > s->raw_size ? s->virtual_size : s->raw_size;

		if (rva >= s->rva && (uint64_t)rva < (uint64_t)s->rva + size)
			return s;
	}
	return NULL;
}

int pe_check_layout(const struct pe_info *pi, size_t len, const char **why)
{
	uint64_t fa, sa, data_end, next_raw, prev_end = 0;
	uint32_t order[PE_MAX_SECTIONS];
	uint32_t n = 0;
	const struct pe_section *entry;

	if (why != NULL)
		*why = NULL;
	if (pi == NULL || pi->nsections > PE_MAX_SECTIONS)
		return -EINVAL;
	fa = pi->file_align;
	sa = pi->section_align;
	if (!is_pow2(fa) || fa < 512 || fa > 65536)
		return pe_bad(why, "FileAlignment is not a power of 2 from 512 to 64 KiB");
	if (!is_pow2(sa) || sa < fa)
		return pe_bad(why, "SectionAlignment is not a power of 2 at least FileAlignment");
	if (pi->size_of_headers % fa != 0)
		return pe_bad(why, "SizeOfHeaders is not a multiple of FileAlignment");
	if (pi->size_of_image % sa != 0)
		return pe_bad(why, "SizeOfImage is not a multiple of SectionAlignment");
	data_end = len;
	if (pi->ndirs > PE_DIR_CERT && pi->dir_size[PE_DIR_CERT] != 0) {
		uint64_t at = pi->dir_rva[PE_DIR_CERT];

		if (at % 8 != 0)
			return pe_bad(why, "the certificate table is not 8-byte aligned");
		if (at + pi->dir_size[PE_DIR_CERT] != len)
			return pe_bad(why, "the certificate table does not run to the end of the file");
		data_end = at;
	}
	for (uint32_t i = 0; i < pi->nsections; i++) {
		const struct pe_section *s = &pi->sections[i];
		uint64_t vsize = s->virtual_size > s->raw_size ? s->virtual_size : s->raw_size;

		if (s->rva % sa != 0)
			return pe_bad(why, "a section's VirtualAddress is not a multiple of SectionAlignment");
		if (s->rva < pi->size_of_headers)
			return pe_bad(why, "a section's VirtualAddress lies inside the headers");
		if (s->raw_offset % fa != 0 || s->raw_size % fa != 0)
			return pe_bad(why, "a section's raw data is not aligned to FileAlignment");
		if (s->raw_size != 0 && (s->raw_offset < pi->size_of_headers ||
					 (uint64_t)s->raw_offset + s->raw_size > data_end))
			return pe_bad(why, "a section's raw data lies outside the file's sections area");
		if ((uint64_t)s->rva + vsize > pi->size_of_image)
			return pe_bad(why, "a section ends past SizeOfImage");
		if (i > 0 && s->rva < prev_end)
			return pe_bad(why, "sections overlap in memory or are not in address order");
		prev_end = round_up((uint64_t)s->rva + vsize, sa);
		if (s->raw_size != 0)
			order[n++] = i;
	}
	/* raw data by file offset (few sections: insertion sort) */
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && pi->sections[order[j]].raw_offset <
					     pi->sections[order[j - 1]].raw_offset; j--) {
			uint32_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	next_raw = pi->size_of_headers;
	for (uint32_t i = 0; i < n; i++) {
		const struct pe_section *s = &pi->sections[order[i]];

		if (s->raw_offset < next_raw)
			return pe_bad(why, "sections overlap in the file");
		if (s->raw_offset > next_raw)
			return pe_bad(why, "a gap between sections in the file (outside the signed digest)");
		next_raw = (uint64_t)s->raw_offset + s->raw_size;
	}
	if (next_raw != data_end)
		return pe_bad(why, "bytes after the last section (outside the signed digest)");
	entry = pe_section_at(pi, pi->entry);
	if (entry == NULL || (entry->flags & PE_SCN_MEM_EXECUTE) == 0)
		return pe_bad(why, "AddressOfEntryPoint is not inside an executable section");
	if (pi->ndirs > PE_DIR_BASERELOC && pi->dir_size[PE_DIR_BASERELOC] != 0) {
		const struct pe_section *r = pe_section_at(pi, pi->dir_rva[PE_DIR_BASERELOC]);

		if (r == NULL || (uint64_t)pi->dir_rva[PE_DIR_BASERELOC] + pi->dir_size[PE_DIR_BASERELOC] >
				 (uint64_t)r->rva + (r->virtual_size > r->raw_size ? r->virtual_size :
						     r->raw_size))
			return pe_bad(why, "the base relocation directory is not inside one section");
	}
	return 0;
}

int pe_certs(const void *buf, size_t len, const struct pe_info *pi, struct pe_cert *certs,
	     size_t max, size_t *count, const char **why)
{
	const uint8_t *p = buf;
	uint64_t at, end;
	size_t n = 0;

	if (why != NULL)
		*why = NULL;
	if (pi == NULL || count == NULL || (buf == NULL && len != 0) || (certs == NULL && max != 0))
		return -EINVAL;
	*count = 0;
	if (pi->ndirs <= PE_DIR_CERT || pi->dir_size[PE_DIR_CERT] == 0)
		return 0;
	at = pi->dir_rva[PE_DIR_CERT];
	end = at + pi->dir_size[PE_DIR_CERT];
	if (at > len || end > len)
		return pe_bad(why, "the certificate table lies outside the file");
	while (at < end) {
		uint32_t length;

		if (end - at < PE_WIN_CERT_HEADER)
			return pe_bad(why, "a certificate entry is shorter than its 8-byte header");
		length = le_get32(p + at);
		if (length < PE_WIN_CERT_HEADER || length > end - at)
			return pe_bad(why, "a certificate entry's dwLength runs outside the table");
		if (n < max)
			certs[n] = (struct pe_cert){ (uint32_t)at, length, le_get16(p + at + 4),
						     le_get16(p + at + 6) };
		n++;
		at = round_up(at + length, 8);
	}
	*count = n;
	return 0;
}
