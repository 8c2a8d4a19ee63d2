/*
 * elf64: the note walker over a buffer of ELF notes (interface:
 * formats/elf64.h).  The buffer is hostile: each part of a note is
 * compared with what is left before a byte of it is read, and the header
 * is copied into an aligned local.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/elf64.h"

/* memcpy into wire structs reads little-endian fields as the host's. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

static bool elf64_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/*
 * Sizes are computed in uint64_t from 32-bit fields, so neither the
 * rounding nor the sum can wrap; each part is compared with what is left.
 */
int elfcorehdr_note_next(const void *buf, size_t len, size_t *cursor,
			 struct elfcorehdr_note *out)
{
	const uint8_t *p = buf;
	struct elf64_nhdr nh;
	uint64_t name_pad, desc_pad;
	size_t off, left;
	const uint8_t *name;

	if (buf == NULL || cursor == NULL || out == NULL || *cursor > len)
		return -EINVAL;
	off = *cursor;
	left = len - off;
	if (left < sizeof(nh))
		return elf64_all_zero(p + off, left) ? -ENOENT : -EBADMSG;
	memcpy(&nh, p + off, sizeof(nh));
	if (nh.n_namesz == 0 && nh.n_descsz == 0 && nh.n_type == 0)
		return -ENOENT;
	left -= sizeof(nh);
	name_pad = elf64_note_align(nh.n_namesz);
	desc_pad = elf64_note_align(nh.n_descsz);
	if (name_pad > left || desc_pad > left - name_pad)
		return -EBADMSG;
	name = p + off + sizeof(nh);
	if (nh.n_namesz != 0 && name[nh.n_namesz - 1] != '\0')
		return -EBADMSG;
	out->offset = off;
	out->name = nh.n_namesz != 0 ? (const char *)name : NULL;
	out->name_len = nh.n_namesz != 0 ? strlen((const char *)name) : 0;
	out->type = nh.n_type;
	out->desc = nh.n_descsz != 0 ? name + name_pad : NULL;
	out->desc_len = nh.n_descsz;
	*cursor = off + sizeof(nh) + (size_t)name_pad + (size_t)desc_pad;
	return 0;
}

bool elfcorehdr_note_is(const struct elfcorehdr_note *note, const char *name,
			uint32_t type)
{
	size_t n;

	if (note == NULL || name == NULL || note->name == NULL)
		return false;
	n = strlen(name);
	return note->type == type && note->name_len == n &&
	       memcmp(note->name, name, n) == 0;
}

int elfcorehdr_note_size(size_t namesz, size_t descsz, size_t *total)
{
	uint64_t t;

	if (total == NULL)
		return -EINVAL;
	if ((uint64_t)namesz > UINT32_MAX || (uint64_t)descsz > UINT32_MAX)
		return -EOVERFLOW;
	t = sizeof(struct elf64_nhdr) + elf64_note_align(namesz) +
	    elf64_note_align(descsz);
	if ((size_t)t != t)
		return -EOVERFLOW;
	*total = (size_t)t;
	return 0;
}
