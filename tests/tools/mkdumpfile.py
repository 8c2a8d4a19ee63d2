#!/usr/bin/env python3
"""Forge a dump file's layout (docs/dump-file.md, payload/dumpfile.h) in a
plain file, without a filesystem or FIEMAP, for tests: the file stands in
for both the file and its disk (extent i starts at the file sector where it
lies), so dumpgen can write a dump into it through a record and savecore
--from-file can read it back.  The file is sparse apart from the marker
blocks.

    mkdumpfile.py FILE RECORD SECTOR_SIZE STRIDE COUNT...

COUNT: each extent's length in sectors, in file order.  Writes FILE (marker
blocks and header, state ready) and RECORD (the DUMP_FILE payload
`load --dump-file` writes) and prints the number of segments.
"""
import os, struct, sys, zlib

path, rec_path = sys.argv[1], sys.argv[2]
ss, stride = int(sys.argv[3]), int(sys.argv[4])
counts = [int(c) for c in sys.argv[5:]]
M, S = 4096 // ss, stride // ss
nonce = os.urandom(16)

def segments(count):	# payload/dumpfile.c extent_segments()
    s = count // S + (count % S > M)
    return s if s else 1

segs, file_sec = [], 0
for i, c in enumerate(counts):
    n = segments(c)
    for k in range(n):
        segs.append((i, file_sec + k * S))
    file_sec += c
dump_sectors = file_sec - len(segs) * M

def marker(index, ext, fs):
    b = bytearray(64)
    b[0:8] = b"PMDFMARK"
    b[8:24] = nonce
    struct.pack_into("<IIII", b, 0x18, 1, index, ext, 0)
    struct.pack_into("<QQI", b, 0x28, fs * ss, fs, ss)
    struct.pack_into("<I", b, 0x3c, zlib.crc32(bytes(b[:0x3c])))
    return bytes(b)

with open(path, "wb") as f:
    f.truncate(file_sec * ss)
    for idx, (ext, fs) in enumerate(segs):
        f.seek(fs * ss)
        f.write(marker(idx, ext, fs))
    h = bytearray(512)
    h[0:8] = b"PMDUMPFL"
    struct.pack_into("<IIII", h, 8, 1, 512, 1, ss)
    h[0x18:0x28] = nonce
    struct.pack_into("<QIIQQQQQ", h, 0x28, file_sec * ss, len(counts), stride, len(segs),
                     4096, dump_sectors, 1700000000, 1700000000)
    struct.pack_into("<I", h, 0x1fc, zlib.crc32(bytes(h)))
    f.seek(512)
    f.write(h)

rec = bytearray(328)
struct.pack_into("<IIIIIIQQ", rec, 0, 328, 16, len(counts), 0, ss, stride, 0, file_sec * ss)
rec[0x28:0x38] = nonce
struct.pack_into("<I", rec, 0x3c, 0xffffffff)
p = path.encode()[:127]
rec[0xc8:0xc8 + len(p)] = p
start = 0
for c in counts:
    rec += struct.pack("<QQ", start, c)
    start += c
open(rec_path, "wb").write(rec)
print(len(segs))
