#!/usr/bin/env python3
"""A kdump-compressed file's pages, decompressed the way its readers do.

    kdump_pages.py KDUMP -o ELF     write every page of the 2nd bitmap as an
                                    ELF core (one PT_LOAD per run of pages,
                                    p_paddr = pfn * 4096), then print
                                    "pages N: raw N, zero N, lzo N, zlib N, zstd N"

Each page is decoded with the library call makedumpfile and crash make
for its descriptor's flag: zlib's uncompress() (Python's zlib module:
a zlib stream), liblzo2's lzo1x_decompress_safe() and libzstd's
ZSTD_decompress() (ctypes, Debian's shared libraries); a page must come
out exactly 4096 bytes.  For tests (tests/dump_tool_test.sh,
tests/qemu/kdump_compress_test.py): it shares no code with the writer, and
reads zstd pages, which Debian 12's makedumpfile (built without zstd)
cannot.  Exit 1 with one line on anything malformed.
"""
import ctypes
import struct
import sys
import zlib

BLOCK = 4096
FLAGS = {0x1: "zlib", 0x2: "lzo", 0x4: "snappy", 0x20: "zstd"}


def fail(msg):
    sys.stderr.write("kdump_pages: %s\n" % msg)
    sys.exit(1)


class Decoders:
    def __init__(self):
        self.lzo = self.zstd = None

    def page(self, flag, data):
        if flag == 0:
            out = data
        elif flag == 0x1:
            out = zlib.decompress(data)
        elif flag == 0x2:
            if self.lzo is None:
                self.lzo = ctypes.CDLL("liblzo2.so.2")
            dst = ctypes.create_string_buffer(BLOCK)
            n = ctypes.c_ulong(BLOCK)
            rc = self.lzo.lzo1x_decompress_safe(data, ctypes.c_ulong(len(data)), dst,
                                                ctypes.byref(n), None)
            if rc != 0:
                fail("lzo1x_decompress_safe: error %d" % rc)
            out = dst.raw[:n.value]
        elif flag == 0x20:
            if self.zstd is None:
                self.zstd = ctypes.CDLL("libzstd.so.1")
                self.zstd.ZSTD_decompress.restype = ctypes.c_size_t
                self.zstd.ZSTD_isError.argtypes = [ctypes.c_size_t]
            dst = ctypes.create_string_buffer(BLOCK)
            n = self.zstd.ZSTD_decompress(dst, ctypes.c_size_t(BLOCK), data,
                                          ctypes.c_size_t(len(data)))
            if self.zstd.ZSTD_isError(ctypes.c_size_t(n)):
                fail("ZSTD_decompress: error")
            out = dst.raw[:n]
        else:
            fail("page flag 0x%x not read here" % flag)
        if len(out) != BLOCK:
            fail("a page decompressed to %d bytes" % len(out))
        return out


def read(path):
    """[(pfn, page bytes)] in pfn order, the per-form counts, the ELF notes."""
    f = open(path, "rb").read()
    if f[:8] != b"KDUMP   ":
        fail("not a kdump-compressed file")
    bs, sub, bmb, mapnr = struct.unpack_from("<iiII", f, 0x1ac)
    if bs != BLOCK:
        fail("block size %d" % bs)
    if len(f) >= (1 + sub) * bs:
        mapnr = struct.unpack_from("<Q", f, bs + 0x60)[0] or mapnr
    note_off, note_size = struct.unpack_from("<QQ", f, bs + 0x30)
    notes = f[note_off:note_off + note_size]
    half = bmb * bs // 2
    bm2 = f[(1 + sub) * bs + half:(1 + sub) * bs + 2 * half]
    desc = (1 + sub + bmb) * bs
    dec = Decoders()
    counts = {"raw": 0, "zero": 0, "lzo": 0, "zlib": 0, "zstd": 0}
    pages = []
    for pfn in range(min(mapnr, len(bm2) * 8)):
        if not bm2[pfn >> 3] & (1 << (pfn & 7)):
            continue
        if desc + 24 > len(f):
            fail("descriptors past the end")
        off, size, flag, _ = struct.unpack_from("<QIIQ", f, desc)
        desc += 24
        if off + size > len(f):
            fail("page %d's bytes past the end" % pfn)
        page = dec.page(flag, f[off:off + size])
        if flag:
            counts[FLAGS.get(flag, "raw")] += 1
        elif page == bytes(BLOCK):
            counts["zero"] += 1
        else:
            counts["raw"] += 1
        pages.append((pfn, page))
    return pages, counts, notes


def write_elf(path, pages, notes):
    runs = []
    for pfn, page in pages:
        if runs and runs[-1][0] + len(runs[-1][1]) == pfn:
            runs[-1][1].append(page)
        else:
            runs.append((pfn, [page]))
    phoff = 64
    off = phoff + 56 * (len(runs) + 1)
    hdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    hdr += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, phoff, 0, 0, 64, 56, len(runs) + 1, 0, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 4, 0, off, 0, 0, len(notes), 0, 4)
    body = [(off, notes)]
    off = (off + len(notes) + BLOCK - 1) // BLOCK * BLOCK
    for pfn, pgs in runs:
        n = len(pgs) * BLOCK
        ph += struct.pack("<IIQQQQQQ", 1, 7, off, 0, pfn * BLOCK, n, n, BLOCK)
        body.append((off, b"".join(pgs)))
        off += n
    with open(path, "wb") as out:
        out.write(hdr + ph)
        for o, data in body:
            out.seek(o)
            out.write(data)


def main():
    a = sys.argv[1:]
    if len(a) != 3 or a[1] != "-o":
        fail("usage: kdump_pages.py KDUMP -o ELF")
    pages, counts, notes = read(a[0])
    write_elf(a[2], pages, notes)
    print("pages %d: raw %d, zero %d, lzo %d, zlib %d, zstd %d" % (
        len(pages), counts["raw"], counts["zero"], counts["lzo"], counts["zlib"], counts["zstd"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
