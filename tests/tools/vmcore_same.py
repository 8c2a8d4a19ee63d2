#!/usr/bin/env python3
"""Compare two ELF core files as memory, not as bytes.

    vmcore_same.py A B [--whole]      exit 0 when every PT_LOAD byte of A
                                      (zeros past p_filesz) reads the same
                                      at its p_paddr in B, and B's notes
                                      are A's; --whole: also require every
                                      PT_LOAD of B to have p_filesz == p_memsz
    vmcore_same.py --make OUT         write a small core with zero tails, a
                                      segment with no file bytes, and a note

An independent reader for tests (tests/load_tool_test.sh): it shares no
code with the tool that wrote B.
"""
import struct
import sys


def phdrs(data):
    if data[:4] != b"\x7fELF":
        raise SystemExit("not ELF")
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    phnum = struct.unpack_from("<H", data, 0x38)[0]
    return [struct.unpack_from("<IIQQQQQQ", data, phoff + 56 * i) for i in range(phnum)]


def read_mem(data, ph, paddr, n):
    for typ, _, off, _, pa, fs, ms, _ in ph:
        if typ == 1 and pa <= paddr and paddr + n <= pa + ms:
            rel = paddr - pa
            got = data[off + rel:off + min(fs, rel + n)] if rel < fs else b""
            return got + b"\0" * (n - len(got))
    return None


def notes(data, ph):
    return b"".join(data[off:off + fs] for typ, _, off, _, _, fs, _, _ in ph if typ == 4)


def make(out):
    # ehdr + 4 phdrs, a note, then data: load 0 has 2 pages + 3 zero pages,
    # load 1 is all zero (no file bytes), load 2 one page of pattern.
    nph = 4
    note = struct.pack("<III", 5, 4, 1) + b"CORE\0\0\0\0" + b"ABCD"
    hdr_end = 64 + 56 * nph
    note_off = hdr_end
    data_off = 0x1000
    p0 = bytes((i * 7 + 1) & 0xff for i in range(0x2000))
    p2 = bytes((i * 13 + 5) & 0xff for i in range(0x1000))
    loads = [(data_off, 0x100000, len(p0), 0x5000), (note_off, 0x200000, 0, 0x3000),
             (data_off + 0x2000, 0x300000, len(p2), 0x1000)]
    eh = bytearray(64)
    eh[:16] = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    struct.pack_into("<HHIQQQIHHHHHH", eh, 16, 4, 62, 1, 0, 64, 0, 0, 64, 56, nph, 0, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 4, 0, note_off, 0, 0, len(note), len(note), 0)
    for off, pa, fs, ms in loads:
        ph += struct.pack("<IIQQQQQQ", 1, 7, off, 0xffff888000000000 + pa, pa, fs, ms, 0)
    body = bytes(eh) + ph + note
    body += b"\0" * (data_off - len(body)) + p0 + p2
    open(out, "wb").write(body)


def main():
    a = sys.argv[1:]
    if a[0] == "--make":
        make(a[1])
        return 0
    A, B = open(a[0], "rb").read(), open(a[1], "rb").read()
    pa, pb = phdrs(A), phdrs(B)
    if notes(A, pa) != notes(B, pb):
        print("notes differ")
        return 1
    for typ, _, _, _, paddr, _, ms, _ in pa:
        if typ != 1:
            continue
        for o in range(0, ms, 4096):
            n = min(4096, ms - o)
            x, y = read_mem(A, pa, paddr + o, n), read_mem(B, pb, paddr + o, n)
            if x != y:
                print("memory differs at paddr 0x%x" % (paddr + o))
                return 1
    if "--whole" in a and any(p[0] == 1 and p[5] != p[6] for p in pb):
        print("a PT_LOAD of %s has p_filesz != p_memsz" % a[1])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
