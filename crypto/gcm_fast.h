/*
 * AES-256-GCM (NIST SP 800-38D) with 12-byte IVs and 16-byte tags, built
 * for throughput where the crash kernel seals a dump: the same results as
 * mbedTLS's GCM (tests/unit/gcm_fast_test.c checks them against it), but
 *
 *  - counter mode four blocks at a time with AES-NI when CPUID has it
 *    (mbedTLS's aesni.c says so), else mbedTLS's table-driven block
 *    function, from Debian's aes.c.o;
 *  - GHASH by tables: H times every value of every 4-bit position of the
 *    block (32 x 16 entries, 8 KiB per key), so a block is 32 lookups and
 *    XORs, no shifts, no reduction, no carry-less multiply.  mbedTLS 2.28
 *    takes 32 table steps with shifts and reductions, or four PCLMULQDQ,
 *    per block: PCLMULQDQ is fast on hardware and very slow emulated (QEMU
 *    7.2's TCG does it bit by bit), the tables are fast on both.
 *
 * Interface: gcm_fast_setkey() once per key (ctx is plain memory, used in
 * place: never copy a keyed ctx), then gcm_fast_seal() / gcm_fast_open()
 * any number of times, then gcm_fast_free() (wipes the key schedule and the
 * tables).  in and out may be the same buffer; open checks the tag in
 * constant time and returns -EBADMSG with out[0..len) zeroed when it does
 * not match.  gcm_fast_aesni() says whether AES-NI is used.
 *
 * Pure: no I/O, no globals, no allocation (mbedTLS's aesni.c reads CPUID
 * once and keeps the answer).
 */
#ifndef CRYPTO_GCM_FAST_H
#define CRYPTO_GCM_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GCM_FAST_KEY_LEN	32
#define GCM_FAST_IV_LEN		12
#define GCM_FAST_TAG_LEN	16

struct gcm_fast {
	uint64_t aes[40];		/* an mbedtls_aes_context (gcm_fast.c asserts it fits) */
	uint64_t m[32][16][2];		/* H x (v at 4-bit position p): [p][v] = {hi, lo} */
	bool aesni;
};

/* 0, or -EIO when mbedTLS refuses the key. */
int gcm_fast_setkey(struct gcm_fast *g, const uint8_t key[GCM_FAST_KEY_LEN]);
void gcm_fast_seal(struct gcm_fast *g, const uint8_t iv[GCM_FAST_IV_LEN], const void *aad,
		   size_t aad_len, const void *in, void *out, size_t len,
		   uint8_t tag[GCM_FAST_TAG_LEN]);
/* 0, or -EBADMSG (out zeroed). */
int gcm_fast_open(struct gcm_fast *g, const uint8_t iv[GCM_FAST_IV_LEN], const void *aad,
		  size_t aad_len, const void *in, void *out, size_t len,
		  const uint8_t tag[GCM_FAST_TAG_LEN]);
void gcm_fast_free(struct gcm_fast *g);
bool gcm_fast_aesni(const struct gcm_fast *g);

#endif
