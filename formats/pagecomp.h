/*
 * pagecomp: the page compressions of makedumpfile's kdump-compressed file
 * (formats/diskdump.h's DISKDUMP_COMPRESSED_* flags), one 4096-byte page
 * at a time, each through a library from Debian's packages linked as it
 * is (the kernel pulls the objects it needs from the package's static
 * archive; the host program links the same archives):
 *
 *   name  flag                        what one page becomes
 *   lzo   DISKDUMP_COMPRESSED_LZO     LZO1X (formats/lzopage.h), read back
 *                                     with liblzo2's lzo1x_decompress_safe()
 *   zstd  DISKDUMP_COMPRESSED_ZSTD    one zstd frame, level PAGECOMP_ZSTD_LEVEL
 *                                     (libzstd), read back with ZSTD_decompress()
 *   zlib  DISKDUMP_COMPRESSED_ZLIB    one zlib stream (RFC 1950), deflate level 1
 *                                     (zlib), what makedumpfile -c writes with
 *                                     compress2() and reads with uncompress()
 *   none  0                           every page stored as it is
 *
 * docs/compression.md has the figures the default was chosen by.
 *
 * Nothing is allocated: init() builds the compressor's state inside the
 * workspace the caller gives (PAGECOMP_WORKSPACE bytes, 64-byte aligned,
 * enough for any of them; one workspace serves whichever is chosen).
 * compress() has diskdump_info's shape: the page in[0..DISKDUMP_BLOCK)
 * into out (room for DISKDUMP_COMPRESS_MAX bytes), 0 and *out_len, or
 * non-zero when the library fails; the writer stores a page raw when the
 * result is not smaller than the page, as makedumpfile does.
 *
 * Pure code: kernel, host program, tests.
 */
#ifndef FORMATS_PAGECOMP_H
#define FORMATS_PAGECOMP_H

#include <stddef.h>
#include <stdint.h>

#define PAGECOMP_WORKSPACE	(96u << 10)
#define PAGECOMP_ZSTD_LEVEL	(-1)
#define PAGECOMP_DEFAULT	"lzo"	/* docs/compression.md: why */

struct pagecomp {
	const char *name;		/* "lzo", "zstd", "zlib", "none" */
	uint32_t flag;			/* DISKDUMP_COMPRESSED_*; 0 for none */
	/* The state in ws[0..len): 0 and *ctx, or -ENOMEM (too small) or
	 * -EIO (the library refused).  NULL for none. */
	int (*init)(void *ws, size_t len, void **ctx);
	int (*compress)(void *ctx, const void *in, void *out, size_t *out_len);
};

/* The compressor called name (exact, lower case), or NULL. */
const struct pagecomp *pagecomp_find(const char *name);
/* Every compressor, in the order of the table above; *n entries. */
const struct pagecomp *pagecomp_all(size_t *n);
/* The names for messages: "lzo|zstd|zlib|none". */
const char *pagecomp_names(void);

#endif
