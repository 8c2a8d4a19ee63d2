#!/usr/bin/env python3
"""mkhostile: hostile inputs for the host tools' bounds (tests and fuzz seeds).

  mkhostile.py bigzero CAPTURE [SIZE]   HEADER + one ZERO frame + TRAILER, all
                                        declaring SIZE bytes (default 2^43): 248 bytes;
                                        the TRAILER's digest is right up to 16 MiB
  mkhostile.py sparse CAPTURE N [reverse]
                                        N one-byte DATA frames at every other
                                        offset of a 2N-byte file (N missing ranges,
                                        N jumps), then a TRAILER; reverse: the
                                        frames sent last offset first
  mkhostile.py producer CAPTURE         a complete 64-byte file whose HEADER's
                                        producer holds an escape sequence and a newline
  mkhostile.py crossfat IMAGE [DIRS [staggered] [small]]
                                        a 4 MiB FAT16 image: POSTMORTEM holds DIRS
                                        (default 256) dump directories that all point
                                        at the same clusters, 1000 vmcore.NNN parts
                                        sharing one data cluster plus 15000 other
                                        entries, and a directory LOOP whose chain loops;
                                        staggered: directory i starts i clusters into
                                        that chain (all different, all overlapping);
                                        small: a 128 KiB FAT12 image, 20 parts, 40
                                        other entries (fuzz seeds)

Frames as payload/frame.h; FAT as formats/fat.h (the spec's layout).
"""
import hashlib
import struct
import sys
import zlib

MAGIC = b"\xa5PMFRM\x5a\x0f"
DUMP_ID = 0x1234


def frame(typ, seq, offset, payload, dump_id=DUMP_ID):
    h = MAGIC + struct.pack("<BBHIQQI", 1, typ, len(payload), seq, dump_id, offset,
                            zlib.crc32(payload))
    return h + struct.pack("<I", zlib.crc32(h)) + payload


def header(size, producer=b"mkhostile"):
    return frame(1, 0, 0, struct.pack("<QQIIII32s", size, 0, 1, 1024, 0, 0, producer))


def trailer(seq, size, sent, digest):
    return frame(4, seq, 0, struct.pack("<QQIi32s", size, sent, seq, 0, digest))


def bigzero(path, size=1 << 43):
    digest = hashlib.sha256(bytes(size)).digest() if size <= 1 << 24 else bytes(32)
    out = header(size) + frame(3, 1, 0, struct.pack("<Q", size)) + trailer(2, size, size, digest)
    open(path, "wb").write(out)


def lateheader(path):
    """A good small HEADER, a TRAILER declaring 2^43 bytes, then a HEADER
    frame whose payload is too short to decode, and one wrapping DATA frame."""
    body = bytes(range(64))
    out = (header(64) + frame(2, 1, 0, body) + trailer(2, 1 << 43, 64, bytes(32)) +
           frame(1, 3, 0, b"") + frame(2, 4, (1 << 64) - 8, bytes(8)))
    open(path, "wb").write(out)


def sparse(path, n, reverse=False):
    parts = [header(2 * n)]
    for i in (reversed(range(n)) if reverse else range(n)):
        parts.append(frame(2, 1 + i, 2 * i, b"\x01"))
    parts.append(trailer(n + 1, 2 * n, 2 * n, bytes(32)))
    open(path, "wb").write(b"".join(parts))


def producer(path):
    body = bytes(range(64))
    out = (header(64, b"\x1b[2J\x1b]0;owned\x07\nfake line\\") + frame(2, 1, 0, body) +
           trailer(2, 64, 64, hashlib.sha256(body).digest()))
    open(path, "wb").write(out)


# ------------------------------------------------------------------ FAT
SEC = 512


def short(name, ext, attr, cluster, size=0):
    return struct.pack("<8s3sBBBHHHHHHHI", name.ljust(8).encode(), ext.ljust(3).encode(), attr,
                       0, 0, 0, 0x5a21, 0, 0, 0, 0x5a21, cluster, size)


def lfn_entries(long_name, short11):
    s = 0
    for c in short11:
        s = (((s & 1) << 7) + (s >> 1) + c) & 0xff
    units = [ord(c) for c in long_name] + [0]
    units += [0xffff] * (-len(units) % 13)
    out = []
    for k in range(len(units) // 13):
        u = units[13 * k:13 * k + 13]
        ordv = k + 1 | (0x40 if k == len(units) // 13 - 1 else 0)
        out.append(struct.pack("<B10sBBB12sH4s", ordv, struct.pack("<5H", *u[0:5]), 0x0f, 0, s,
                               struct.pack("<6H", *u[5:11]), 0, struct.pack("<2H", *u[11:13])))
    return b"".join(reversed(out))


def crossfat(path, ndirs=256, staggered=False, small=False):
    """FAT16 4 MiB (1000 parts, 15000 other entries), or FAT12 128 KiB when small
    (20 parts, 40 other entries), as the usage text says."""
    total, fatsz, rootent = (256, 1, 16) if small else (8192, 32, 512)
    nparts, njunk = (20, 40) if small else (1000, 15000)
    rsvd, nfats = 1, 2
    root_start = rsvd + nfats * fatsz
    data_start = root_start + rootent * 32 // SEC
    img = bytearray(total * SEC)
    bs = struct.pack("<3s8sHBHBHHBHHHII", b"\xeb\x3c\x90", b"MKHOSTIL", SEC, 1, rsvd, nfats,
                     rootent, total, 0xf8, fatsz, 32, 2, 0, 0)
    bs += struct.pack("<BBBI11s8s", 0x80, 0, 0x29, 0x1234, b"HOSTILE    ",
                      b"FAT12   " if small else b"FAT16   ")
    img[0:len(bs)] = bs
    img[510:512] = b"\x55\xaa"
    eoc = 0xfff if small else 0xffff
    fat = [0] * (fatsz * SEC * 2 // 3 if small else fatsz * SEC // 2)
    fat[0], fat[1] = eoc - 7, eoc
    nxt = [2]

    def alloc(nclusters):
        first = nxt[0]
        for c in range(first, first + nclusters):
            fat[c] = c + 1 if c + 1 < first + nclusters else eoc
        nxt[0] += nclusters
        return first

    def put(cluster, data):
        at = (data_start + cluster - 2) * SEC
        img[at:at + len(data)] = data

    data_cl = alloc(1)                                  # the one cluster every part uses
    put(data_cl, b"\x7fELF" + bytes(SEC - 4))
    dots = [b".          \x10".ljust(32, b"\0"), b"..         \x10".ljust(32, b"\0")]
    entries = dots + [short("VMCORE", "%03d" % i, 0x20, data_cl, SEC) for i in range(nparts)]
    entries += [short("J%07d" % i, "TXT", 0x20, data_cl, 1) for i in range(njunk)]
    blob = b"".join(entries)
    shared = alloc((len(blob) + SEC - 1) // SEC)
    put(shared, blob)
    loop = alloc(2)
    fat[loop + 1] = loop                                # LOOP: cluster a -> b -> a
    put(loop, b"".join(short("L%07d" % i, "TXT", 0x20, data_cl, 1) for i in range(32)))  # both clusters
    pm = list(dots)
    pm += [short("D%03d" % i, "", 0x10, shared + (i if staggered else 0)) for i in range(ndirs)]
    pm += [short("LOOP", "", 0x10, loop)]
    blob = b"".join(pm)
    pm_cl = alloc((len(blob) + SEC - 1) // SEC)
    put(pm_cl, blob)
    s11 = b"POSTMO~1   "
    root = lfn_entries("POSTMORTEM", s11) + short("POSTMO~1", "", 0x10, pm_cl)
    img[root_start * SEC:root_start * SEC + len(root)] = root
    if small:
        raw = bytearray(fatsz * SEC)
        for n, v in enumerate(fat):
            o = n + n // 2
            if o + 1 >= len(raw):
                break
            if n % 2 == 0:
                raw[o] = v & 0xff
                raw[o + 1] = (raw[o + 1] & 0xf0) | (v >> 8)
            else:
                raw[o] = (raw[o] & 0x0f) | ((v << 4) & 0xf0)
                raw[o + 1] = v >> 4
    else:
        raw = struct.pack("<%dH" % len(fat), *fat)
    for k in range(nfats):
        at = (rsvd + k * fatsz) * SEC
        img[at:at + len(raw)] = raw
    open(path, "wb").write(img)


def main():
    a = sys.argv[1:]
    if len(a) >= 2 and a[0] == "bigzero":
        bigzero(a[1], int(a[2], 0) if len(a) > 2 else 1 << 43)
    elif len(a) in (3, 4) and a[0] == "sparse":
        sparse(a[1], int(a[2]), a[3:] == ["reverse"])
    elif len(a) == 2 and a[0] == "lateheader":
        lateheader(a[1])
    elif len(a) == 2 and a[0] == "producer":
        producer(a[1])
    elif len(a) >= 2 and a[0] == "crossfat":
        crossfat(a[1], int(a[2]) if len(a) > 2 else 256, "staggered" in a[3:], "small" in a[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
