#!/usr/bin/env python3
"""Read a kdump-compressed file (makedumpfile's format, docs/kdump-format.md)
in the tests: its pages, and an ELF core of it for the tools that take one.

    kdump_read.py FILE                 pages in the file, by compression
    kdump_read.py FILE --elf OUT       FILE as an ELF core (notes, one
                                       PT_LOAD per run of existing pages;
                                       left-out pages read as zeros)

Pages compressed with zlib (makedumpfile -c) are inflated by Python's
zlib, LZO (postmortem, makedumpfile -l) by the system's liblzo2
(Debian's liblzo2-2, a dependency of liblzo2-dev) through ctypes.
For tests: the input is trusted to be well formed.
"""
import ctypes
import ctypes.util
import struct
import sys
import zlib

PAGE = 4096
DUMP_LZO, DUMP_ZLIB = 0x2, 0x1
_lzo = None


def _lzo_decompress(src):
    global _lzo
    if _lzo is None:
        _lzo = ctypes.CDLL(ctypes.util.find_library("lzo2") or "liblzo2.so.2")
        _lzo.lzo1x_decompress_safe.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p,
                                               ctypes.POINTER(ctypes.c_ulong), ctypes.c_void_p]
    out = ctypes.create_string_buffer(PAGE)
    n = ctypes.c_ulong(PAGE)
    if _lzo.lzo1x_decompress_safe(src, ctypes.c_ulong(len(src)), out, ctypes.byref(n), None) != 0:
        raise ValueError("bad LZO page")
    return out.raw[:n.value]


class Kdump:
    def __init__(self, path):
        self.f = open(path, "rb")
        head = self.f.read(0x1d0)
        if head[:8] != b"KDUMP   ":
            raise ValueError("%s: not kdump-compressed" % path)
        self.block, self.sub_blocks, self.bitmap_blocks = struct.unpack_from("<iiI", head, 0x1ac)
        self.f.seek(self.block)
        sub = self.f.read(0x68)
        self.phys_base, self.level = struct.unpack_from("<Qi", sub, 0)
        off_vi, size_vi, off_note, size_note = struct.unpack_from("<QQQQ", sub, 0x20)
        self.max_mapnr = struct.unpack_from("<Q", sub, 0x60)[0]
        self.f.seek(off_note)
        self.notes = self.f.read(size_note)
        half = self.bitmap_blocks * self.block // 2
        self.f.seek((1 + self.sub_blocks) * self.block)
        self.bitmap1 = self.f.read(half)
        self.bitmap2 = self.f.read(half)
        self.desc_at = (1 + self.sub_blocks + self.bitmap_blocks) * self.block

    @staticmethod
    def _pfns(bitmap):
        for i, b in enumerate(bitmap):
            while b:
                low = b & -b
                yield i * 8 + low.bit_length() - 1
                b ^= low

    def present(self):
        return self._pfns(self.bitmap1)

    def kept(self):
        return sum(bin(b).count("1") for b in self.bitmap2)

    def end(self):
        """Bytes from the file's start to the end of its last page's data
        (the file's length, also when it sits at the start of a disk)."""
        n = self.kept()
        self.f.seek(self.desc_at)
        descs = self.f.read(24 * n)
        end = self.desc_at + 24 * n
        for k in range(n):
            off, size = struct.unpack_from("<qI", descs, 24 * k)
            end = max(end, off + size)
        return end

    def pages(self):
        """(pfn, 4096 bytes) of every page in the file, in pfn order."""
        self.f.seek(self.desc_at)
        pfns = list(self._pfns(self.bitmap2))
        descs = self.f.read(24 * len(pfns))
        for k, pfn in enumerate(pfns):
            off, size, flags = struct.unpack_from("<qII", descs, 24 * k)
            self.f.seek(off)
            data = self.f.read(size)
            if flags & DUMP_LZO:
                data = _lzo_decompress(data)
            elif flags & DUMP_ZLIB:
                data = zlib.decompress(data)
            elif flags:
                raise ValueError("pfn 0x%x: compression flags 0x%x" % (pfn, flags))
            if len(data) != PAGE:
                raise ValueError("pfn 0x%x: %d bytes" % (pfn, len(data)))
            yield pfn, data

    def write_elf(self, out):
        """An ELF core of the file: PT_NOTE, then a PT_LOAD per run of
        existing pages (p_vaddr 0: not kernel text), zeros where left out."""
        runs, start, prev = [], None, None
        for pfn in self.present():
            if start is None or pfn != prev + 1:
                if start is not None:
                    runs.append((start, prev + 1))
                start = pfn
            prev = pfn
        if start is not None:
            runs.append((start, prev + 1))
        nph = 1 + len(runs)
        note_off = 64 + 56 * nph
        data_off = (note_off + len(self.notes) + PAGE - 1) // PAGE * PAGE
        with open(out, "wb") as f:
            f.write(b"\x7fELF\x02\x01\x01" + b"\0" * 9)
            f.write(struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, nph, 0, 0, 0))
            f.write(struct.pack("<IIQQQQQQ", 4, 0, note_off, 0, 0, len(self.notes), len(self.notes), 0))
            off = data_off
            for a, b in runs:
                size = (b - a) * PAGE
                f.write(struct.pack("<IIQQQQQQ", 1, 7, off, 0, a * PAGE, size, size, 0))
                off += size
            f.write(self.notes)
            where = {}
            off = data_off
            for a, b in runs:
                where[a] = off
                off += (b - a) * PAGE
            f.truncate(off)
            starts = sorted(where)
            import bisect
            for pfn, data in self.pages():
                a = starts[bisect.bisect_right(starts, pfn) - 1]
                f.seek(where[a] + (pfn - a) * PAGE)
                f.write(data)


def main():
    k = Kdump(sys.argv[1])
    if "--elf" in sys.argv:
        k.write_elf(sys.argv[sys.argv.index("--elf") + 1])
        return 0
    print("dump level %d, phys_base 0x%x, %d pages present, %d in the file" % (
        k.level, k.phys_base, sum(1 for _ in k.present()), k.kept()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
