/*
 * Disk identity strings as controllers report them, made comparable with
 * what Linux shows in sysfs (struct blkdev_ident, formats/blkdev.h):
 *
 *   ATA IDENTIFY DEVICE (ACS-3 7.12.7): serial number words 10-19, model
 *     number words 27-46; each word holds two characters, the first in its
 *     high byte (the bytes of every word are swapped against memory
 *     order); padded with spaces.
 *   NVMe Identify Controller (NVMe 2.0 base, figure 275): SN bytes 4-23,
 *     MN bytes 24-63, ASCII padded with spaces.
 *   virtio-blk VIRTIO_BLK_T_GET_ID (virtio 1.2 §5.2.6): 20 bytes, NUL
 *     padded when shorter (and no NUL when it fills them).
 *
 * diskid_text() copies raw[0..len) up to the first NUL, turns every byte
 * outside printable ASCII into '?', drops leading and trailing spaces and
 * always NUL-terminates out (truncating to outlen - 1, and dropping the
 * spaces the cut leaves at the end).  Linux trims the
 * same spaces (NVMe, libata) and the host tool trims what sysfs shows, so
 * equal identities compare equal with strcmp.  diskid_ata() does the byte
 * swap first.  Pure, bounded, no allocation.
 */
#ifndef FORMATS_DISKID_H
#define FORMATS_DISKID_H

#include <stddef.h>
#include <stdint.h>

#define DISKID_ATA_SERIAL_WORD	10
#define DISKID_ATA_SERIAL_WORDS	10
#define DISKID_ATA_MODEL_WORD	27
#define DISKID_ATA_MODEL_WORDS	20
#define DISKID_NVME_SN		4
#define DISKID_NVME_SN_LEN	20
#define DISKID_NVME_MN		24
#define DISKID_NVME_MN_LEN	40
#define DISKID_VIRTIO_LEN	20	/* VIRTIO_BLK_ID_BYTES */

void diskid_text(char *out, size_t outlen, const void *raw, size_t len);

/* Words [first, first + count) of a 256-word IDENTIFY block (count <= 32). */
void diskid_ata(char *out, size_t outlen, const uint16_t id[256], unsigned first, unsigned count);

#endif
