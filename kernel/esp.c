/*
 * Finding and mounting the FAT volume postmortem writes to (see esp.h).
 * An ESP found by type must pass the same write rule as a raw dump
 * partition (formats/gpt.c gpt_write_refusal): a protective or hybrid MBR,
 * both GPT copies valid and agreeing, nothing overlapping.  A partition
 * or device named by the user is taken as named.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drivers/rtc.h"
#include "formats/gpt.h"
#include "kernel/blkdev_registry.h"
#include "kernel/esp.h"

static struct esp esp;
static struct gpt_info gpt;
static uint8_t scratch[FAT_SCRATCH_SIZE] __attribute__((aligned(4096)));
static const struct efi_guid esp_type = GPT_TYPE_EFI_SYSTEM;

static char why_buf[192];

/*
 * The ESP of dev (want 0), or its partition number want whatever the type.
 * An ESP chosen automatically must pass the write rule (formats/gpt.c
 * gpt_write_refusal); when it does not, *why says so (once set, kept:
 * the first disk's reason is the one reported).
 */
static int find_part(struct blkdev *dev, unsigned want, const char **why)
{
	const struct gpt_part *p;
	const char *no;

	if (gpt_read(dev, scratch, sizeof(scratch), &gpt) != 0)
		return -ENOENT;
	p = want ? gpt_find_index(&gpt, want) : gpt_find_type_any(&gpt, &esp_type, 0);
	if (p == NULL)
		return -ENOENT;
	if (want == 0 && (no = gpt_write_refusal(&gpt, p)) != NULL) {
		if (*why == NULL) {
			snprintf(why_buf, sizeof(why_buf), "%s: %s: its EFI system partition %sp%u "
				 "not used unless named", dev->name, no, dev->name, p->index);
			*why = why_buf;
		}
		return -EPERM;
	}
	if (p->problem != NULL)
		return -ENOENT;
	return blkdev_partition(&esp.view, dev, p->index, p->first_lba,
				p->last_lba - p->first_lba + 1);
}

static void set_clock(void)
{
	struct rtc_time t;

	esp.vol.date = fat_pack_date(1980, 1, 1);	/* no clock: FAT's first day */
	esp.vol.time = 0;
	esp.stamp[0] = '\0';
	if (rtc_read(&t) != 0)
		return;
	esp.vol.date = fat_pack_date(t.year, t.month, t.day);
	esp.vol.time = fat_pack_time(t.hour, t.min, t.sec);
	snprintf(esp.stamp, sizeof(esp.stamp), "%04u%02u%02u-%02u%02u%02u", t.year, t.month, t.day,
		 t.hour, t.min, t.sec);
}

struct esp *esp_mount(const char *dev, const char **why)
{
	int err = -ENOENT;

	memset(&esp.view, 0, sizeof(esp.view));
	if (dev == NULL || dev[0] == '\0') {
		const char *refused = NULL;

		for (unsigned i = 0; i < blkdev_count() && err != 0; i++)
			err = find_part(blkdev_at(i), 0, &refused);
		if (err) {
			*why = refused ? refused : "no EFI system partition on any disk";
			return NULL;
		}
	} else {
		unsigned want;
		struct blkdev *d = blkdev_parse_name(dev, &want);

		if (d == NULL) {
			*why = "no such device";
			return NULL;
		}
		if (want == 0) {
			esp.view = *d;		/* the whole device is the volume */
			esp.view.parent = NULL;
		} else if (find_part(d, want, why) != 0) {
			*why = "no such usable partition";
			return NULL;
		}
	}
	snprintf(esp.name, sizeof(esp.name), "%s", esp.view.name);
	if (fat_mount(&esp.vol, &esp.view, scratch, sizeof(scratch)) != 0) {
		*why = esp.vol.why;
		return NULL;
	}
	set_clock();
	return &esp;
}
