#!/usr/bin/env python3
"""make bench, compression part: each kdump page compressor on a real vmcore.

    scripts/bench_compress.py VMCORE

  1. Host: `postmortem compress -c NAME -d 1` of VMCORE for each of lzo,
     zstd, zlib and none: seconds and file size, and the share of the
     non-zero pages' bytes each one stores.
  2. Kernel under QEMU (TCG unless PM_KVM=1 and the probe passes): the
     first 32 MiB of VMCORE's non-zero pages planted in RAM, then
     pm.bench=compress: each compressor's MiB/s over them and what it
     stores (kernel/kcompress.c).

Figures only (docs/compression.md has the ones the default was chosen by).
"""
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import dumpcheck  # noqa: E402
import qemutest as q  # noqa: E402

TOOL = os.path.join(q.BUILD, "postmortem")
BZ = os.path.join(q.BUILD, "postmortem.bzImage")
SAMPLE = 32 << 20


def sample(vmcore, out):
    """The first SAMPLE bytes of vmcore's non-zero pages, into out."""
    loads = dumpcheck.read_loads(vmcore)
    got = 0
    zero = bytes(4096)
    with open(vmcore, "rb") as f, open(out, "wb") as o:
        for ld in loads:
            off, size = ld[1], ld[2]
            f.seek(off)
            for _ in range(size // 4096):
                page = f.read(4096)
                if len(page) == 4096 and page != zero:
                    o.write(page)
                    got += 4096
                    if got >= SAMPLE:
                        return got
    return got


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench_compress.py VMCORE")
    vmcore = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="pm-benchc-") as d:
        none = None
        print("bench: compress: host, postmortem compress -d 1 of a %d MiB vmcore" %
              (os.path.getsize(vmcore) >> 20))
        rows = []
        for c in ("none", "lzo", "zstd", "zlib"):
            out = os.path.join(d, c + ".kdump")
            t = time.monotonic()
            r = subprocess.run([TOOL, "compress", vmcore, "-o", out, "-d", "1", "-c", c],
                               capture_output=True, text=True)
            t = time.monotonic() - t
            if r.returncode != 0:
                print("bench: compress -c %s failed: %s" % (c, r.stderr.strip()[-200:]))
                continue
            size = os.path.getsize(out)
            if c == "none":
                none = size
            rows.append((c, t, size))
            os.unlink(out)
        for c, t, size in rows:
            print("bench: compress host %-4s %6.2f s, %5.1f MiB file%s" % (
                c, t, size / 1048576.0,
                ", %.1f%% of the uncompressed file" % (100.0 * size / none) if none else ""))
        plant = os.path.join(d, "sample")
        n = sample(vmcore, plant)
        print("bench: compress: kernel under QEMU, %d MiB of the vmcore's non-zero pages planted" %
              (n >> 20))
        cmd = ["qemu-system-x86_64"] + q.accel_args() + [
            "-m", "256", "-display", "none", "-no-reboot", "-monitor", "none", "-serial", "stdio",
            "-kernel", BZ, "-append", "console=ttyS0 pm.bench=compress after=poweroff",
            "-device", "loader,file=%s,addr=0x2000000,force-raw=on" % plant]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                           stdin=subprocess.DEVNULL)
        for line in r.stdout.replace("\r", "").splitlines():
            if re.match(r"^(bench:|clock:)", line):
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
