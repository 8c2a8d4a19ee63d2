/*
 * libFuzzer target for formats/gpt.c.  The input is a disk image (padded
 * to whole sectors; 4096-byte sectors when the first byte is odd, else
 * 512): gpt_read() over a RAM blkdev with a small scratch buffer, then the
 * pure helpers on the raw bytes and the write rule (gpt_disk_refusal,
 * gpt_write_refusal) on every partition read.  Random bytes rarely carry
 * right CRCs, so a copy then gets both headers' entry-array and header
 * CRC32s recomputed and is read again: the fuzzer reaches the checks
 * behind them.  Every output field is touched.  Seeds: tests/fuzz/corpus/gpt/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crc32.h"
#include "formats/blkdev.h"
#include "formats/gpt.h"

static struct gpt_info info;
static uint8_t scratch[4096];

static uint64_t touch(const void *p, size_t n)
{
	uint64_t s = n;

	for (size_t k = 0; k < n; k++)
		s += ((const uint8_t *)p)[k];
	return s;
}

static uint64_t read_image(uint8_t *img, size_t len, uint32_t ss)
{
	struct blkdev dev;
	uint64_t s;

	if (blkdev_ram_init(&dev, "fuzz", img, len, ss))
		return 0;
	s = (uint64_t)gpt_read(&dev, scratch, sizeof(scratch), &info) + touch(&info.hdr, 92);
	s += info.pmbr + info.used_backup + info.dropped + strlen(gpt_pmbr_name(info.pmbr));
	s += info.primary_problem ? strlen(info.primary_problem) : 0;
	s += info.backup_problem ? strlen(info.backup_problem) : 0;
	for (unsigned i = 0; i < info.nparts; i++) {
		const struct gpt_part *p = &info.parts[i];

		s += p->index + p->first_lba + p->last_lba + p->attributes + strlen(p->name);
		s += touch(&p->type, 16) + touch(&p->unique, 16) + (p->problem ? strlen(p->problem) : 0);
		s += gpt_type_name(&p->type) != NULL;
		s += strlen(gpt_write_refusal(&info, p) ? gpt_write_refusal(&info, p) : "");
	}
	s += strlen(gpt_disk_refusal(&info) ? gpt_disk_refusal(&info) : "") + info.primary_ok +
	     info.backup_ok + touch(&info.alt, 92) + touch(info.mbr, sizeof(info.mbr));
	return s + (gpt_find_type(&info, &info.parts[0].type, 0) != NULL);
}

/* Recompute the entry-array and header CRCs of the header at lba, if sane. */
static void fix_crcs(uint8_t *img, size_t len, uint32_t ss, uint64_t lba)
{
	uint8_t *h = img + lba * ss;
	uint32_t hs, n, es, crc;
	uint64_t alba;

	memcpy(&hs, h + 0x0c, 4);
	memcpy(&alba, h + 0x48, 8);
	memcpy(&n, h + 0x50, 4);
	memcpy(&es, h + 0x54, 4);
	if (hs < 92 || hs > ss)
		return;
	if (n <= 1024 && es <= 4096 && alba < len / ss && (uint64_t)n * es <= len - alba * ss) {
		crc = crc32(img + alba * ss, (size_t)n * es);
		memcpy(h + 0x58, &crc, 4);
	}
	memset(h + 0x10, 0, 4);
	crc = crc32(h, hs);
	memcpy(h + 0x10, &crc, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t ss = size && (data[0] & 1) ? 4096 : 512;
	size_t len = (size + ss - 1) / ss * ss;
	struct gpt_header h;
	struct gpt_part p;
	const char *why;
	volatile uint64_t sink;
	uint64_t s = 0;
	uint8_t *img;

	if (size > (1u << 20) || (img = calloc(1, len ? len : ss)) == NULL)
		return 0;
	memcpy(img, data, size);
	s += gpt_header_parse(data, size, 1, &h, &why) + touch(&h, 92) + (why ? strlen(why) : 0);
	s += gpt_header_fits(&h, size / 512, 512, &why) + (why ? strlen(why) : 0);
	for (uint32_t i = 0; i < 64; i++)
		if (gpt_entry_at(data, size, 128u << (i % 4), i, &p) == 0)
			s += touch(&p, sizeof(p.type) * 2) + strlen(p.name) + p.first_lba + p.last_lba;
	struct gpt_mbr_rec mbr[4];
	gpt_mbr_records(data, size, mbr);
	s += touch(mbr, sizeof(mbr));
	s += gpt_pmbr_check(data, size) + read_image(img, len, ss);
	if (len / ss >= 3) {
		fix_crcs(img, len, ss, 1);
		fix_crcs(img, len, ss, len / ss - 1);
		s += read_image(img, len, ss);
	}
	free(img);
	sink = s;
	(void)sink;
	return 0;
}
