#!/usr/bin/env python3
"""The kernel's page compressors in QEMU: dump.format=kdump with
dump.compress=lzo, zstd and zlib (one boot each) to a virtio dump
partition, planted memory (compressible text-like pages and random pages
that are stored raw).  The file savecore extracts must say the
compression in `postmortem inspect`, hold pages of that compression, and
give back every planted byte when each page is decoded with the library
call makedumpfile and crash use for its flag (tests/tools/kdump_pages.py:
uncompress(), lzo1x_decompress_safe(), ZSTD_decompress()); the core it
makes is checked as disk_dump_test checks ELF dumps (readelf, gdb).

Prints one line per test and "kdump_compress_test: N passed, N failed" last.
"""
import os
import random
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402
from disk_dump_test import BANNER, BZ, TMP, TOOL, disk, savecore  # noqa: E402
from dump_test import Plant, check_planted  # noqa: E402

PAGES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools",
                     "kdump_pages.py")
WORDS = [b"task_struct", b"0000", b"ffff8880", b"lock", b"kmalloc-64", b"\x00" * 8, b"panic",
         b"/usr/lib/x86_64-linux-gnu/", b"\xde\xad\xbe\xef", b"irq", b" ", b"\n"]


class TextPlant(Plant):
    """Compressible pages: words from a small vocabulary, seeded."""

    def __init__(self, name, addr, size, seed):
        rnd = random.Random(seed)
        data = bytearray()
        while len(data) < size:
            data += rnd.choice(WORDS)
        self.addr, self.size, self.data = addr, size, bytes(data[:size])
        self.path = os.path.join(TMP, name)
        with open(self.path, "wb") as f:
            f.write(self.data)


def kdump_case(comp):
    img = disk("kdump-" + comp, size_mb=160, dump_mb=140)
    plants = [TextPlant(comp + "-text", 0x1000000, 1 << 20, 21),
              Plant(comp + "-rand", 0x3000000, 64 << 10, 22)]
    args = ["-kernel", BZ, "-append",
            "console=ttyS0 after=poweroff dump.format=kdump dump.level=1 dump.compress=" + comp,
            "-drive", "file=%s,format=raw,if=virtio" % img]
    for p in plants:
        args += p.arg()
    res = q.run_qemu(args, [BANNER,
                            r"^dump: writing (?:up to )?\d+ MiB kdump-compressed file \(\d+ of \d+ pages, %s, "
                            r"dump level 1\) to disk virtio0p2" % comp,
                            r"^dump: kdump-compressed: [1-9]\d* pages compressed, [1-9]\d* stored raw",
                            r"^postmortem: dump complete: .*\(kdump-compressed\)"],
                     120, must_exit=True, mem="128")
    if res.failure:
        return res
    core = img + ".kdump"
    r = savecore(img, core)
    if r.returncode != 0 or "kdump-compressed" not in r.stdout:
        res.failure = "savecore: " + (r.stdout + r.stderr)[-300:]
        return res
    r = subprocess.run([TOOL, "inspect", core], capture_output=True, text=True)
    if r.returncode != 0 or ("dump level 1, compression %s" % comp) not in r.stdout:
        res.failure = "inspect does not say compression %s: %s" % (comp, (r.stdout + r.stderr)[-300:])
        return res
    elf = core + ".elf"
    r = subprocess.run([sys.executable, PAGES, core, "-o", elf], capture_output=True, text=True)
    m = re.search(r"%s (\d+)" % comp, r.stdout)
    if r.returncode != 0 or not m or int(m.group(1)) == 0:
        res.failure = "kdump_pages.py: no %s pages read: %s" % (comp, (r.stdout + r.stderr)[-300:])
        return res
    res.failure = check_planted(elf, plants)
    for f in (img, core, elf):
        os.unlink(f)
    return res


def t_kdump_lzo():
    return kdump_case("lzo")


def t_kdump_zstd():
    return kdump_case("zstd")


def t_kdump_zlib():
    return kdump_case("zlib")


TESTS = [t_kdump_lzo, t_kdump_zstd, t_kdump_zlib]

if __name__ == "__main__":
    sys.exit(q.main(TESTS, "kdump_compress_test"))
