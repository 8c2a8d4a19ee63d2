/*
 * libFuzzer target for disk identity strings (formats/diskid.c) and the
 * dump file's disk match (payload/handoff_dumpfile.c
 * handoff_dump_file_disk(), handoff_dump_file_disk_text()).  The input's
 * first 512 bytes (zero-padded) are an ATA IDENTIFY block, the rest raw
 * NVMe / virtio-blk text; a DUMP_FILE head is built from the input too
 * (its 64-byte serial and model may hold no NUL).  Every string made must
 * be terminated, printable and without leading or trailing spaces, and a
 * record made from a disk's own identity must match that disk.  Seeds:
 * tests/fuzz/corpus/diskid/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/blkdev.h"
#include "formats/diskid.h"
#include "payload/handoff.h"

static void clean(const char *s, size_t room)
{
	size_t n = strnlen(s, room);

	if (n == room)
		abort();			/* not terminated */
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t id[256];
	struct blkdev d;
	struct handoff_dump_file h;
	char text[200];
	const char *why;
	size_t head = size < sizeof(id) ? size : sizeof(id);
	uint8_t *rest;
	int r;

	memset(id, 0, sizeof(id));
	memcpy(id, data, head);
	memset(&d, 0, sizeof(d));
	d.sector_size = 512;
	d.sectors = 1000;
	d.ident.kind = size > 0 ? data[0] % 5 : 0;
	diskid_ata(d.ident.serial, sizeof(d.ident.serial), id, DISKID_ATA_SERIAL_WORD,
		   DISKID_ATA_SERIAL_WORDS);
	diskid_ata(d.ident.model, sizeof(d.ident.model), id, DISKID_ATA_MODEL_WORD,
		   DISKID_ATA_MODEL_WORDS);
	clean(d.ident.serial, sizeof(d.ident.serial));
	clean(d.ident.model, sizeof(d.ident.model));
	/* the rest, in its own exact-size buffer so ASan sees a read past it */
	rest = malloc(size - head ? size - head : 1);
	if (rest == NULL)
		return 0;
	memcpy(rest, data + head, size - head);
	diskid_text(text, sizeof(text), rest, size - head);
	clean(text, sizeof(text));
	diskid_text(text, (size - head) % 8, rest, size - head);	/* small rooms, 0 too */

	/* a record from the disk's own identity matches it */
	memset(&h, 0, sizeof(h));
	h.disk_kind = d.ident.kind;
	h.sector_size = 512;
	h.disk_sectors = 1000;
	h.ata_port = HANDOFF_ATA_PORT_UNKNOWN;
	memcpy(h.serial, d.ident.serial, strlen(d.ident.serial));
	memcpy(h.model, d.ident.model, strlen(d.ident.model) < 16 || d.ident.kind !=
	       HANDOFF_DISK_AHCI ? strlen(d.ident.model) : 16);
	r = handoff_dump_file_disk(&h, &d, &why);
	if (d.ident.kind >= 1 && d.ident.kind <= 3 && d.ident.serial[0] != '\0' && r != 0 &&
	    !(d.ident.kind == HANDOFF_DISK_AHCI && h.model[15] == ' '))
		abort();
	if (r == 0 && (d.ident.kind == 0 || d.ident.kind > 3 || d.ident.serial[0] == '\0'))
		abort();
	handoff_dump_file_disk_text(&h, text, sizeof(text));
	if (strnlen(text, sizeof(text)) == sizeof(text))
		abort();

	/* a record from raw bytes: serial and model may fill their fields */
	if (size - head >= 2 * HANDOFF_DUMP_FILE_ID_LEN) {
		memcpy(h.serial, rest, HANDOFF_DUMP_FILE_ID_LEN);
		memcpy(h.model, rest + HANDOFF_DUMP_FILE_ID_LEN, HANDOFF_DUMP_FILE_ID_LEN);
		h.ata_port = size % 3 == 0 ? HANDOFF_ATA_PORT_UNKNOWN : (uint32_t)size % 4;
		(void)handoff_dump_file_disk(&h, &d, NULL);
		handoff_dump_file_disk_text(&h, text, sizeof(text));
		if (strnlen(text, sizeof(text)) == sizeof(text))
			abort();
	}
	free(rest);
	return 0;
}
