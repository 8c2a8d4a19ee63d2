#!/usr/bin/env python3
"""Dump tests in QEMU: plant pseudo-random patterns at physical addresses
with QEMU's generic loader, boot postmortem over them, dump, rebuild the
file on the host (postmortem recv / savecore), and check every planted
byte is in the core file at its physical address, that zero areas cost no
file space, that readelf accepts the file, and that damage is reported.
The ELF cases ask for dump.format=elf; the default, the kdump-compressed
file, goes over serial in t_serial_kdump* (recv writes it as sent, its
SHA-256 is the kernel's, inspect reads it, the planted pages are in it;
a capture cut short is refused and the file marked incomplete).

Prints one line per test and "dump_test: N passed, N failed" last.
"""
import atexit
import os
import re
import shutil
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dumpcheck  # noqa: E402
import qemutest as q  # noqa: E402

BZ = os.path.join(q.BUILD, "postmortem.bzImage")
TOOL = os.path.join(q.BUILD, "postmortem")
BANNER = r"^postmortem \d+\.\d+\.\d+: crash and recovery kernel"
COMPLETE = r"^postmortem: dump complete: \d+ MiB in [\d.]+ s \(\d+ MiB/s\), sha256 ([0-9a-f]{64})$"
KDUMP_COMPLETE = q.KDUMP_COMPLETE.lstrip("^")
TMP = tempfile.mkdtemp(prefix="pm-dump-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)


class Plant:
    def __init__(self, name, addr, size, seed):
        self.addr, self.size = addr, size
        self.data = random.Random(seed).randbytes(size)
        self.path = os.path.join(TMP, name)
        with open(self.path, "wb") as f:
            f.write(self.data)

    def arg(self):
        return ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (self.path, self.addr)]


def check_planted(core, plants):
    loads = dumpcheck.read_loads(core)
    for p in plants:
        got = dumpcheck.read_phys(core, loads, p.addr, p.size)
        if got != p.data:
            return "planted bytes at 0x%x (%d bytes) %s" % (
                p.addr, p.size, "not covered by any PT_LOAD" if got is None else "differ in the core file")
    r = subprocess.run(["readelf", "-lW", core], capture_output=True, text=True)
    if r.returncode != 0 or "LOAD" not in r.stdout:
        return "readelf -lW rejected the core file: " + r.stderr[:200]
    # gdb opens it as a core file and can read planted bytes by address
    # (no executable: the core's segments map physical = virtual when the
    # crashed kernel's addresses were unknown).
    cmds = ["-ex", "core-file " + core]
    r = subprocess.run(["gdb", "-batch", "-nx"] + cmds, capture_output=True, text=True)
    if r.returncode != 0 or "not in executable format" in r.stderr or "not a core dump" in r.stderr:
        return "gdb rejected the core file: " + (r.stderr or r.stdout)[:300]
    return None


def check_kdump(path, plants, digest=None):
    """None, or what is wrong with a kdump-compressed file: its signature,
    `postmortem inspect`, its SHA-256 against the kernel's (digest), the
    planted bytes at their physical addresses (stored raw: random data
    does not compress)."""
    if not dumpcheck.is_kdump(path):
        return "%s is not a kdump-compressed file" % path
    r = subprocess.run([TOOL, "inspect", path], capture_output=True, text=True)
    if r.returncode != 0 or "kdump-compressed (makedumpfile's format" not in r.stdout:
        return "inspect: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-300:])
    if digest is not None and q.body_sha256(path, digest) != digest:
        return "the file's sha256 %s is not the kernel's %s" % (q.body_sha256(path, digest), digest)
    k = dumpcheck.Kdump(path)
    if k.status & dumpcheck.KDUMP_INCOMPLETE:
        return "the kdump header says incomplete"
    for p in plants:
        if k.read_phys(p.addr, p.size) != p.data:
            return "planted bytes at 0x%x (%d bytes) are not in the kdump-compressed file" % (p.addr, p.size)
    return None


sha256_file = q.sha256_file


def kernel_digest(text):
    """The sha256 of the kernel's `dump complete ... (kdump-compressed)` line."""
    m = re.search(KDUMP_COMPLETE, text)
    return m.group(1) if m else None


def serial_dump(name, plants, mem="256", extra_append="", timeout=120, fmt="elf"):
    """dump=serial into a capture file; fmt "elf" asks for dump.format=elf,
    None leaves the default (the kdump-compressed file)."""
    cap = os.path.join(TMP, name + ".cap")
    fmt_arg = "dump.format=%s " % fmt if fmt else ""
    args = ["-kernel", BZ, "-append", "console=ttyS0 dump=serial after=poweroff " + fmt_arg + extra_append,
            "-chardev", "file,id=cap,path=" + cap]
    # The serial port goes to a file (the capture) and the test reads the
    # console through a second copy: -serial chardev + a mux is awkward, so
    # read the capture itself for the console lines after QEMU exits.
    for p in plants:
        args += p.arg()
    res = q.run_qemu(args + ["-serial", "chardev:cap"], [], timeout, must_exit=True, mem=mem,
                     serial_stdio=False)
    return res, cap


def t_serial_planted():
    plants = [Plant("p1", 0x1000000, 1 << 20, 1), Plant("p2", 0x3000000, 256 << 10, 2),
              Plant("p3", 0x0a000000 - 4096, 4096, 3)]
    res, cap = serial_dump("serial", plants)
    if res.failure:
        return res
    text = open(cap, "rb").read().decode("latin-1")
    if "postmortem: dump complete" not in text:
        res.failure = "no 'postmortem: dump complete' line in the capture"
        return res
    # The honest estimate before a long serial dump (a few MiB: minutes at 115200).
    if not re.search(r"dump: over ttyS0 at 115200 baud this takes up to 0 h \d\d min", text):
        res.failure = "no serial time estimate before the dump"
        return res
    core = os.path.join(TMP, "serial.core")
    r = subprocess.run([TOOL, "recv", cap, "-o", core], capture_output=True, text=True)
    if r.returncode != 0:
        res.failure = "recv failed: " + r.stdout[-300:] + r.stderr[-300:]
        return res
    res.failure = check_planted(core, plants)
    # recv writes the /proc/vmcore shape: zero pages are holes, so count the blocks used.
    used = os.stat(core).st_blocks * 512
    if res.failure is None and used > (4 << 20):
        res.failure = "core file uses %d bytes for 1.3 MiB of data in 256 MiB: zero pages not skipped" % used
    return res


def t_serial_above_4g():
    plants = [Plant("h1", 0x120000000, 64 << 10, 4), Plant("h2", 0x2000000, 64 << 10, 5)]
    res, cap = serial_dump("high", plants, mem="5120", timeout=300)
    if res.failure:
        return res
    core = os.path.join(TMP, "high.core")
    r = subprocess.run([TOOL, "recv", cap, "-o", core], capture_output=True, text=True)
    if r.returncode != 0:
        res.failure = "recv failed: " + r.stdout[-300:]
        return res
    res.failure = check_planted(core, plants)
    return res


def t_serial_damaged_capture():
    plants = [Plant("d1", 0x1000000, 128 << 10, 6)]
    res, cap = serial_dump("damaged", plants)
    if res.failure:
        return res
    data = bytearray(open(cap, "rb").read())
    mid = data.find(b"\xa5PMFRM", len(data) // 2)
    data[mid + 60] ^= 0xff                       # inside a frame's payload
    del data[mid + 3000: mid + 5200]              # and drop a couple of frames
    bad = os.path.join(TMP, "damaged-bad.cap")
    open(bad, "wb").write(data)
    core = os.path.join(TMP, "damaged.core")
    r = subprocess.run([TOOL, "recv", bad, "-o", core], capture_output=True, text=True)
    out = r.stdout + r.stderr
    if r.returncode == 0:
        res.failure = "recv accepted a damaged capture"
    elif not os.path.exists(core) or not os.path.exists(core + ".incomplete"):
        res.failure = "recv did not leave the partial file and its .incomplete list"
    elif "missing" not in out:
        res.failure = "recv did not name the missing ranges: " + out[-300:]
    return res


def t_serial_truncated_capture():
    plants = [Plant("t1", 0x1000000, 256 << 10, 7)]
    res, cap = serial_dump("trunc", plants)
    if res.failure:
        return res
    data = open(cap, "rb").read()
    bad = os.path.join(TMP, "trunc-bad.cap")
    open(bad, "wb").write(data[:len(data) // 2])
    r = subprocess.run([TOOL, "recv", bad, "-o", os.path.join(TMP, "trunc.core")], capture_output=True, text=True)
    if r.returncode == 0:
        res.failure = "recv accepted a truncated capture"
    return res


def t_zero_keep():
    # pm.zero=keep: the zero pages are written, so the file holds all of RAM.
    res, cap = serial_dump("keep", [], mem="64", extra_append="pm.zero=keep")
    if res.failure:
        return res
    core = os.path.join(TMP, "keep.core")
    r = subprocess.run([TOOL, "recv", cap, "-o", core], capture_output=True, text=True)
    if r.returncode != 0:
        res.failure = "recv failed"
    elif os.path.getsize(core) < (56 << 20):
        res.failure = "pm.zero=keep file is only %d bytes" % os.path.getsize(core)
    return res


class Sparse(Plant):
    """4 KiB of data every 72 KiB over size bytes: more segments than a
    64 KiB program-header table holds (1168)."""
    def __init__(self, name, addr, size, seed):
        self.addr, self.size = addr, size
        rnd = random.Random(seed)
        data = bytearray(size)
        for off in range(0, size, 72 << 10):
            data[off:off + 4096] = rnd.randbytes(min(4096, size - off))
        self.data = bytes(data)
        self.path = os.path.join(TMP, name)
        with open(self.path, "wb") as f:
            f.write(self.data)


def t_many_segments():
    plants = [Sparse("sparse", 0x2000000, 120 << 20, 9)]
    res, cap = serial_dump("sparse", plants, mem="256", timeout=240)
    if res.failure:
        return res
    core = os.path.join(TMP, "sparse.core")
    r = subprocess.run([TOOL, "recv", cap, "-o", core], capture_output=True, text=True)
    if r.returncode != 0:
        res.failure = "recv failed: " + r.stdout[-300:]
        return res
    n = len(dumpcheck.read_loads(core))
    res.failure = check_planted(core, plants) or (None if n > 1168 else "only %d PT_LOADs" % n)
    return res


def t_serial_kdump():
    """The default: the kdump-compressed file over serial, as sent."""
    plants = [Plant("k1", 0x1000000, 1 << 20, 21), Plant("k2", 0x3000000, 256 << 10, 22),
              Plant("k3", 0x0a000000 - 4096, 4096, 23)]
    res, cap = serial_dump("kdump", plants, fmt=None)
    if res.failure:
        return res
    text = open(cap, "rb").read().decode("latin-1")
    digest = kernel_digest(text)
    if digest is None or not re.search(r"dump: writing \d+ MiB kdump-compressed file \(\d+ of \d+ pages, "
                                       r"\w+, dump level 1\) to serial ttyS0", text):
        res.failure = "no kdump-compressed dump to serial ttyS0 (level 1 without VMCOREINFO) in the capture"
        return res
    core = os.path.join(TMP, "kdump.core")
    r = subprocess.run([TOOL, "recv", cap, "-o", core], capture_output=True, text=True)
    if r.returncode != 0 or "(kdump-compressed, as sent)" not in r.stdout or \
            not re.search(r"^HEADER: kdump-compressed file \d+ bytes", r.stdout, re.M):
        res.failure = "recv: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-400:])
        return res
    res.failure = check_kdump(core, plants, digest)
    return res


def t_serial_kdump_truncated():
    """A capture cut short: recv exits 1, the file's header says incomplete."""
    plants = [Plant("kt1", 0x1000000, 512 << 10, 24)]
    res, cap = serial_dump("kdump-trunc", plants, fmt=None)
    if res.failure:
        return res
    data = open(cap, "rb").read()
    bad = os.path.join(TMP, "kdump-trunc-bad.cap")
    open(bad, "wb").write(data[:len(data) * 2 // 3])
    core = os.path.join(TMP, "kdump-trunc.core")
    r = subprocess.run([TOOL, "recv", bad, "-o", core], capture_output=True, text=True)
    out = r.stdout + r.stderr
    if r.returncode != 1:
        res.failure = "recv took a cut capture: exit %d" % r.returncode
    elif not os.path.exists(core + ".incomplete") or "is INCOMPLETE" not in out:
        res.failure = "recv did not say INCOMPLETE and list it: " + out[-300:]
    elif not dumpcheck.is_kdump(core) or not dumpcheck.Kdump(core).status & dumpcheck.KDUMP_INCOMPLETE:
        res.failure = "the partial file's kdump header is not marked incomplete"
    else:
        # inspect shows the mark.
        r = subprocess.run([TOOL, "inspect", core], capture_output=True, text=True)
        if "incomplete" not in (r.stdout + r.stderr).lower():
            res.failure = "inspect does not say the file is incomplete: " + (r.stdout + r.stderr)[-300:]
    return res


TESTS = [t_many_segments, t_serial_planted, t_serial_damaged_capture, t_serial_truncated_capture, t_zero_keep,
         t_serial_above_4g, t_serial_kdump, t_serial_kdump_truncated]

if __name__ == "__main__":
    sys.exit(q.main(TESTS, "dump_test"))
