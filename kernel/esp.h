/*
 * A FAT volume to write on: the EFI system partition (GPT type
 * C12A7328-F81F-11D2-BA4B-00A0C93EC93B) of the first block device that has
 * one, or a device named on the command line ("virtio0p1", or "virtio0"
 * for a disk that is one FAT volume without a partition table).  Used by
 * after=capsule (\EFI\UpdateCapsule\) and dump=fat (\POSTMORTEM\...).
 *
 * Interface: esp_mount(dev, &why) with dev NULL or "" for the first ESP;
 * returns the mounted volume (one, static: both users run at the end of
 * a run, one after the other) or NULL with *why a sentence.  The volume's
 * timestamps come from the CMOS clock (esp_stamp gives the same time as
 * text, "20261122-061803").  Memory: a 64 KiB write scratch and the GPT
 * scratch, static.
 */
#ifndef KERNEL_ESP_H
#define KERNEL_ESP_H

#include "formats/fat.h"

struct esp {
	struct blkdev view;		/* the partition (or whole device) */
	struct fat_vol vol;
	char name[BLKDEV_NAME_LEN];	/* "virtio0p1" */
	char stamp[20];			/* "YYYYMMDD-HHMMSS", or "" with no clock */
};

struct esp *esp_mount(const char *dev, const char **why);

#endif
