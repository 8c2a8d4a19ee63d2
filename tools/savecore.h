/*
 * `postmortem savecore`: find the raw dump on a disk image or block device
 * (a GPT partition with the postmortem dump type GUID, or a partition
 * image that starts with a dump header), check its two headers and the
 * body's SHA-256, and write the body (an ELF core file) out.  Format and
 * write order: docs/dump-disk.md.
 *
 * Interface: tools/postmortem.c calls savecore_tool_main() with the words
 * after "savecore".  Exit status: 0 saved and verified (or --list done),
 * 1 refused or failed (nothing kept; an existing VMCORE left as it was),
 * 2 bad usage, 3 written under --force although the dump could not be
 * trusted, 4 saved and verified but TRUNCATED (a partial dump).  The rest is shared by
 * the command's two files: tools/savecore.c (options, finding the dump,
 * --list) and tools/savecore_save.c (writing VMCORE, --clear).  Host only.
 */
#ifndef TOOLS_SAVECORE_H
#define TOOLS_SAVECORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/blkdev.h"
#include "formats/guid.h"
#include "formats/gpt.h"
#include "payload/dumphdr.h"
#include "tools/enckey.h"

#define SAVECORE_SCRATCH	(1u << 20)	/* body chunks, GPT arrays */
#define SAVECORE_PROGRESS_MIN	(64ull << 20)	/* bodies at least this big show progress */
#define SAVECORE_MAX_TARGETS	GPT_MAX_PARTS

enum { SAVECORE_OK = 0, SAVECORE_FAIL = 1, SAVECORE_USAGE = 2, SAVECORE_FORCED = 3,
       SAVECORE_TRUNCATED = 4 };

static const struct efi_guid savecore_dump_type = GPT_TYPE_POSTMORTEM_DUMP;

struct savecore_opts {
	const char *image, *out;
	const char *from_file;		/* --from-file: a dump file (tools/savecore_file.c) */
	const char *key;		/* --key: private key of encrypted dumps */
	bool list, force, clear;
	bool compact;			/* keep zero tails out of the file (no expand) */
	uint32_t partition;		/* 0: every dump partition */
	uint32_t sector_size;		/* 0: the device's, else 512 */
};

/* One partition (or the whole image) that may hold a dump. */
struct savecore_target {
	const struct gpt_part *part;	/* NULL: the whole image is the partition */
	struct blkdev view;
	struct dumphdr lead, trail;
	int lead_err, trail_err;	/* dumphdr_get results */
	const char *lead_why, *trail_why;
	int verdict;			/* dumphdr_check_pair result */
	const char *why;
};

struct savecore_ctx {
	struct savecore_opts o;
	struct blkdev dev;
	uint8_t *scratch;
	struct gpt_info *gpt;		/* NULL when the image has no GPT */
	struct savecore_target t[SAVECORE_MAX_TARGETS];
	unsigned nt;
	bool kdump_body;		/* the body being saved is kdump-compressed, not ELF */
	struct enckey *key;		/* --key, loaded */
	struct encsink *sink;		/* an encrypted body being decrypted, else NULL */
	bool sink_said;			/* its error was printed */
};

/*
 * Encrypted bodies (docs/encryption.md).  savecore_enc_begin(): the body
 * about to be copied to fd is an encrypted stream; every byte then goes
 * through savecore_body_write(), which decrypts it (or writes it as it is
 * when no stream is open).  A body without --key is refused once its
 * header is read, naming the key it needs.  savecore_enc_end(): whether
 * the stream was whole (container_whole: the container's own checks
 * passed), printing the verdict; SAVECORE_OK, SAVECORE_TRUNCATED (the
 * verified chunks before the cut are in the file: mark it incomplete) or
 * SAVECORE_FAIL (wrong key, damaged: keep nothing).  It sets c->kdump_body
 * from the stream's inner format.
 */
int savecore_enc_begin(struct savecore_ctx *c, int fd);
int savecore_body_write(struct savecore_ctx *c, int fd, const void *buf, size_t len);
int savecore_enc_end(struct savecore_ctx *c, bool copied, bool container_whole);

int savecore_tool_main(int argc, char **argv);

/*
 * IMAGE is an encrypted stream saved on its own (`recv` without --key;
 * docs/encryption.md), fd open on it: decrypt it to c->o.out with --key
 * (no container vouches for its length, so a last chunk that does not
 * verify reads as a cut: the chunks before are kept, marked incomplete,
 * SAVECORE_TRUNCATED), or --list it.  SAVECORE_*.
 */
int savecore_stream(struct savecore_ctx *c, int fd);

/*
 * Progress of a copy of len bytes, done so far: one line on stderr each
 * time done passes *next (then *next += step, about a tenth of len), and
 * at the end; nothing for copies below SAVECORE_PROGRESS_MIN.
 */
void savecore_progress(uint64_t done, uint64_t len, uint64_t *next, uint64_t step);

/* dump=fat dumps (tools/savecore_fat.c): IMAGE is a host directory. SAVECORE_*. */
int savecore_fat_dir(struct savecore_ctx *c);
/* ... on the FAT volumes of the opened image: SAVECORE_*, or -ENOENT when none holds one. */
int savecore_fat_image(struct savecore_ctx *c);

/* "disk.img partition 2 (postmortem dump)", or the image's name (static buffer). */
const char *savecore_where(const struct savecore_ctx *c, const struct savecore_target *t);
/* "3 MiB", "3.5 MiB", "700 bytes" into buf. */
const char *savecore_fmt_size(uint64_t bytes, char *buf, size_t len);
/* "dump 0x..., created ..., kernel ..., 3 MiB" (static buffer). */
const char *savecore_fmt_dump(const struct dumphdr *h);
/* COMPLETE or TRUNCATED, also before CLEARED: the header carries a digest. */
bool savecore_has_digest(const struct dumphdr *h);
/* The copy to go by (see savecore.c), NULL when neither decoded. */
const struct dumphdr *savecore_best_header(const struct savecore_target *t);

struct outfile;
/* Bytes VMCORE's filesystem needs for a len-byte body (and its expanded copy). */
uint64_t savecore_need(const struct savecore_ctx *c, uint64_t len);
/* Expand (unless --compact) and put the checked output o in place: rc, or _FORCED/_FAIL. */
int savecore_publish(struct savecore_ctx *c, struct outfile *o, int rc, bool elf);
/*
 * Set makedumpfile's incomplete mark in the header of the output o holds
 * (kdump-compressed when c->kdump_body: status bit 0x8; else ELF e_flags
 * 0x1), for a file saved though not verified whole.  A device or pipe
 * keeps what it got; a file whose first bytes are no such header is left.
 * Call before outfile_done().
 */
void savecore_mark_incomplete(const struct savecore_ctx *c, struct outfile *o);

/* Write t's body to c->o.out and check it: SAVECORE_OK, _FORCED, _TRUNCATED or _FAIL. */
int savecore_save(struct savecore_ctx *c, struct savecore_target *t);
/* --clear: both copies CLEARED, leading first: SAVECORE_OK or _FAIL. */
int savecore_clear(struct savecore_ctx *c, struct savecore_target *t);

#endif
