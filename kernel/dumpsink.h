/*
 * Where the dump goes: one small interface over the serial framed stream
 * (payload/frame.c), the raw dump partition (payload/dumphdr.c) and FAT
 * files (kernel/fatsink.c); each takes either body format and records
 * which (body_format).
 *
 * Interface: dumpsink_open() picks the target from dump= (see README:
 * serial[:ttyS<n>], disk[:<dev>[,force]], fat[:<dev>], file (the handoff
 * block's dump file: ctx), none, or nothing:
 * the first postmortem dump partition, else serial) and says which on the
 * console; NULL means no dump will be written and summary holds the final
 * line ("dump skipped ..." / "dump FAILED ...").  Then begin(file_size),
 * write() the file in order (or write_at() it, where the target has it),
 * finish(digest) or abort(reason).  A target
 * with room() (the dump partition, FAT) also takes an upper bound for
 * file_size (size_bound set before begin()) and records the size written
 * at finish(); serial needs the exact size (its HEADER frame).  why holds a
 * sentence when a call failed; truncated is set when a partition was too
 * small and only the start of the file was kept (the header says so).
 */
#ifndef KERNEL_DUMPSINK_H
#define KERNEL_DUMPSINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "kernel/bootinfo.h"
#include "payload/cmdline.h"

struct dumpsink {
	const char *name;
	char namebuf[48];
	char why[96];
	bool truncated;
	uint64_t kept;			/* truncated: bytes of the file kept */
	bool hashes;			/* finish() fills digest: the caller need not hash */
	uint8_t digest[SHA256_LEN];
	/* Set by finish(): digest is of the encrypted stream's 4096-byte
	 * header only (the dump header's DUMPHDR_FLAG_DIGEST_HEAD); the
	 * stream's chunks are authenticated by their AES-GCM tags. */
	bool digest_head;
	/* Set by finish(): nonzero when digest is two-part, the file's first
	 * digest_split bytes and the rest hashed apart and joined (the dump
	 * header's DUMPHDR_FLAG_DIGEST_SPLIT, payload/dumphdr.h). */
	uint64_t digest_split;
	/* Set by the caller before begin(), recorded where the target can. */
	char release[72];		/* crashed kernel's OSRELEASE, "" unknown */
	char hostname[72];
	uint32_t handoff_status;	/* DUMPHDR_HANDOFF_* */
	/* The body's format (DUMPHDR_BODY_*; 0: ELF), set before begin();
	 * every target records it where the host tools look. */
	uint32_t body_format;
	/* body_format DUMPHDR_BODY_ENCRYPTED (kernel/encsink.c): what the
	 * stream holds, DUMPHDR_BODY_KDUMP or _ELF, for a target that says so
	 * beside the marker (FAT's dumpinfo.txt inner=). */
	uint32_t inner_format;
	/* Set before begin(): file_size is an upper bound; finish() records
	 * the bytes written as the size (a target with room() only). */
	bool size_bound;
	bool begun;			/* serial: begin() was called before */
	/* The sink takes its bytes in order only, never at an offset of the
	 * writer's choosing: an encrypted stream (kernel/encsink.c) over a
	 * target that only appends (serial, FAT).  The kdump-compressed
	 * writer then takes its sequential passes. */
	bool sequential;
	/* Why the dump goes here when it is a fallback ("" when chosen). */
	char fallback[256];
	uint64_t dump_id;		/* serial: the frames' dump_id */
	/* Serial only (NULL elsewhere): send the crash record before begin(). */
	int (*brief)(struct dumpsink *s, const char *text, size_t len);
	int (*begin)(struct dumpsink *s, uint64_t file_size, size_t nsegs);
	int (*write)(struct dumpsink *s, const void *buf, size_t len);
	/* NULL (the target only appends: serial, FAT), or: len bytes at file
	 * offset off, in the pattern of a kdump-compressed file written in
	 * one pass (formats/diskdump.h: appends, one jump forward, whole
	 * 4096-byte blocks into the gap); finish() then takes the digest by
	 * reading the file back (hashes is set; an encrypted body: its
	 * header's only, digest_head).  The dump partition and the dump file
	 * have it (sectors of at most 4096 bytes), and an encrypted stream
	 * over them (kernel/encsink.c seals its chunks as they fill). */
	int (*write_at)(struct dumpsink *s, uint64_t off, const void *buf, size_t len);
	/* Set by the target: written through write_at, the kdump-compressed
	 * file's pages are hashed as they come, and a second CPU can do that
	 * (kernel/smp.h smp_want; the dump partition and the dump file, not
	 * an encrypted stream over them, whose body is never hashed whole).
	 * Only such a sink's one pass reads its pages in batches
	 * (kernel/phasemem.h: their memory is the encryption's). */
	bool second_cpu;
	int (*finish)(struct dumpsink *s, const uint8_t digest[SHA256_LEN]);
	void (*abort)(struct dumpsink *s, const char *reason);
	/* NULL, or the largest file begin() takes as an upper bound without
	 * cutting or refusing it (0: none). */
	uint64_t (*room)(struct dumpsink *s);
};

struct context;
struct dumpsink *dumpsink_open(const struct context *ctx, const struct bootinfo *bi,
			       const struct cmdline *opts, char *summary, size_t len);

#endif
