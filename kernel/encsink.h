/*
 * Encrypted dumps, the crash kernel's side (docs/encryption.md): the
 * decision, and a sink that wraps a target's sink so that everything after
 * the target's own header is the PMENC stream (payload/encdump.h): the
 * same bytes on a dump partition, a dump file, a FAT volume or serial.
 *
 * Interface: encsink_prepare() once, before any target is opened (a
 * target may write as it opens: the dump file's header).  It reads
 * dump.encrypt= and the verified handoff block's DUMP_KEY record and
 * returns
 *   0        the dump goes in the clear: no key record in a verified
 *            block, or no verified block (then a line says the block could
 *            not enable encryption; dump.encrypt=required refuses instead);
 *   1        encrypted: the key is kept for encsink_wrap(), and a line
 *            names the key and how AES runs (AES-NI or software);
 *   -EPERM   nothing may be written: summary holds the final line,
 *            "dump FAILED: not encrypted, nothing written: <cause>" (no
 *            usable key under dump.encrypt=required; a key record that
 *            cannot be used; the cipher's self-test failed).
 * encsink_wrap(inner) then gives the sink the dump writes to: begin()
 * draws a fresh salt (encsink_salt), derives the dump key and starts the
 * stream on inner (its size: the stream's; a bound maps both ways through
 * room()); write() seals 64 KiB chunks in order; write_at() (only over a
 * target that has it and hashes: the dump partition, the dump file) takes
 * the one-pass kdump-compressed writer's pattern and seals each chunk once
 * it is whole, into the same stream (payload/encdump.h, sealing at
 * offsets; four 64 KiB chunk buffers); finish() seals the last one final
 * and finishes inner with the stream's SHA-256 (the dump partition and
 * dump file record their header block's only: digest_head), which is also
 * the digest the run's last line shows; abort() leaves the stream without a final
 * chunk (it reads as truncated) and aborts inner.  A second begin() after
 * an abort (the ELF core after a kdump-compressed file given up) is a new
 * stream with a new salt.  The crash record over serial is not sent: it
 * would be in the clear.
 *
 * encsink_salt(): the spec's salt for one dump: SHA-256 over RDSEED or
 * RDRAND output (when CPUID has them), the TSC, a per-run attempt counter
 * and the block's load-time salt.
 *
 * encsink_bench(): pm.bench=aesgcm, the sealer's throughput over RAM.
 */
#ifndef KERNEL_ENCSINK_H
#define KERNEL_ENCSINK_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/context.h"
#include "kernel/dumpsink.h"
#include "payload/cmdline.h"

int encsink_prepare(const struct context *ctx, const struct cmdline *opts, char *summary,
		    size_t len);
struct dumpsink *encsink_wrap(struct dumpsink *inner);
void encsink_salt(const uint8_t load_salt[32], uint8_t salt[32]);
void encsink_bench(uint64_t base, uint64_t len);

#endif
