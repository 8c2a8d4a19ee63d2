"""Check an ELF core file from postmortem against planted memory.

read_loads(path) -> list of (paddr, offset, filesz, memsz); byte_at-style
checks that every planted byte is at its physical address (zero tails
included), independent of our own C reader.
"""
import struct


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
