"""Check a dump file from postmortem against planted memory, independent
of our own C readers.

ELF core: read_loads(path) -> list of (paddr, offset, filesz, memsz);
read_phys(path, loads, paddr, length) the bytes at a physical address
(zero tails included).

kdump-compressed file (makedumpfile's format): Kdump(path) reads the
header, both bitmaps and the page descriptors; .read_phys(paddr, length)
gives the bytes of pages stored raw or as the shared zero page (planted
random data never compresses, so it is stored raw), None where a page is
not in the file or is compressed.
"""
import struct

KDUMP_SIG = b"KDUMP   "
KDUMP_INCOMPLETE = 0x8


def read_loads(path):
    with open(path, "rb") as f:
        data = f.read(64)
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[16] != 4:
            raise ValueError("not an ELF64 core file")
        phoff, = struct.unpack_from("<Q", data, 32)
        phentsize, phnum = struct.unpack_from("<HH", data, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        p_type, _flags, off, _va, pa, filesz, memsz, _al = struct.unpack_from("<IIQQQQQQ", ph, i * phentsize)
        if p_type == 1:
            loads.append((pa, off, filesz, memsz))
    return loads


def read_phys(path, loads, paddr, length):
    """Bytes [paddr, paddr+length) as the core file says, or None where no
    PT_LOAD covers them."""
    out = bytearray()
    with open(path, "rb") as f:
        while length:
            seg = next((l for l in loads if l[0] <= paddr < l[0] + l[3]), None)
            if seg is None:
                return None
            pa, off, filesz, memsz = seg
            n = min(length, pa + memsz - paddr)
            rel = paddr - pa
            if rel < filesz:
                k = min(n, filesz - rel)
                f.seek(off + rel)
                out += f.read(k)
                out += bytes(n - k)
            else:
                out += bytes(n)
            paddr += n
            length -= n
    return bytes(out)


def is_kdump(path):
    with open(path, "rb") as f:
        return f.read(8) == KDUMP_SIG


class Kdump:
    BLOCK = 4096

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            hdr = f.read(self.BLOCK)
            if hdr[:8] != KDUMP_SIG:
                raise ValueError("not a kdump-compressed file")
            self.version, = struct.unpack_from("<i", hdr, 8)
            self.status, block, self.sub_hdr_size, bitmap_blocks = struct.unpack_from("<IiiI", hdr, 0x1a8)
            if block != self.BLOCK:
                raise ValueError("block size %d" % block)
            f.seek(self.BLOCK)
            sub = f.read(0x68)
            self.phys_base, self.dump_level = struct.unpack_from("<Qi", sub, 0)
            self.max_mapnr, = struct.unpack_from("<Q", sub, 0x60)
            half = bitmap_blocks * self.BLOCK // 2
            f.seek((1 + self.sub_hdr_size) * self.BLOCK)
            self.bitmap1 = f.read(half)
            self.bitmap2 = f.read(half)
            self.descs_at = (1 + self.sub_hdr_size + bitmap_blocks) * self.BLOCK
        # Index of each 2nd-bitmap page among the set bits: prefix counts per byte.
        self.prefix = [0] * (len(self.bitmap2) + 1)
        n = 0
        for i, b in enumerate(self.bitmap2):
            self.prefix[i] = n
            n += bin(b).count("1")
        self.prefix[len(self.bitmap2)] = n
        self.pages = n

    def dumped(self, pfn):
        return pfn < self.max_mapnr and (self.bitmap2[pfn >> 3] >> (pfn & 7)) & 1

    def present(self, pfn):
        return pfn < self.max_mapnr and (self.bitmap1[pfn >> 3] >> (pfn & 7)) & 1

    def desc(self, pfn):
        """(offset, size, flags) of pfn's page, or None when not in the file."""
        if not self.dumped(pfn):
            return None
        low = self.bitmap2[pfn >> 3] & ((1 << (pfn & 7)) - 1)
        idx = self.prefix[pfn >> 3] + bin(low).count("1")
        with open(self.path, "rb") as f:
            f.seek(self.descs_at + 24 * idx)
            off, size, flags = struct.unpack("<QII", f.read(16))
        return off, size, flags

    def page(self, pfn):
        d = self.desc(pfn)
        if d is None or d[2] != 0 or d[1] != self.BLOCK:
            return None
        with open(self.path, "rb") as f:
            f.seek(d[0])
            data = f.read(self.BLOCK)
        return data if len(data) == self.BLOCK else None

    def read_phys(self, paddr, length):
        out = bytearray()
        while length:
            pfn, rel = divmod(paddr, self.BLOCK)
            n = min(length, self.BLOCK - rel)
            pg = self.page(pfn)
            if pg is None:
                return None
            out += pg[rel:rel + n]
            paddr += n
            length -= n
        return bytes(out)
