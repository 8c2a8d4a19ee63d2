#!/usr/bin/env python3
"""make bench, Linux part: postmortem against a Linux kdump kernel.

  1. The smallest crashkernel= with which postmortem still dumps a real
     panic of Debian's kernel (kexec_load, BIOS), trying downwards from 64M.
  2. Time from the panic line to "dump complete" for a 1 GiB guest dumping
     to virtio-blk: postmortem, then a classic kdump crash kernel (the same
     Debian kernel with a busybox initramfs doing dd of /proc/vmcore to
     /dev/vda) in the same VM shape, same run; both figures and the ratio.

Needs build/guest (make guest).  TCG unless PM_KVM=1 and the probe passes.
Figures only: nothing here fails a build.  Environment:
  PM_BENCH_MEM     guest MiB for part 2 (default 1024)
  PM_BENCH_SIZES   crashkernel sizes for part 1 (default "64M 32M 16M 8M 6M 5M 4M 3M 2M")
"""
import os
import re
import select
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import qemutest as q  # noqa: E402

GUEST = os.path.join(q.BUILD, "guest")
DUMP_GUID = "9cd6ae46-cf19-4c5c-b341-57f4b21dfd41"
PANIC = re.compile(r"sysrq: Trigger a crash")
DONE = re.compile(r"^(postmortem|kdump): dump complete")
FAILED = re.compile(r"postmortem load failed|kdump load failed|kdump: dump failed|"
                    r"postmortem: run FAILED|postmortem: dump (FAILED|failed)")


def disk(path, mb, gpt=True):
    with open(path, "wb") as f:
        f.truncate(mb << 20)
    if gpt:
        subprocess.run(["sgdisk", "-o", "-n", "1:0:0", "-t", "1:" + DUMP_GUID, path],
                       check=True, stdout=subprocess.DEVNULL)


def boot(mem, crash, pmtest, img, timeout, smp=2):
    """(seconds from panic line to dump complete or None, last lines)."""
    append = ("console=ttyS0,115200 crashkernel=%s panic=0 pmtest=%s "
              "pmload=--dump=disk,--after=poweroff" % (crash, pmtest))
    cmd = ["qemu-system-x86_64"] + q.accel_args() + [
        "-machine", "q35", "-m", str(mem), "-smp", str(smp), "-display", "none",
        "-no-reboot", "-monitor", "none", "-serial", "stdio",
        "-kernel", os.path.join(GUEST, "vmlinuz"), "-initrd", os.path.join(GUEST, "initrd.img"),
        "-append", append, "-drive", "file=%s,format=raw,if=virtio" % img]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    t_panic = t_done = None
    lines, buf = [], b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and t_done is None:
            r, _, _ = select.select([proc.stdout], [], [], 0.2)
            if not r:
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            now = time.monotonic()
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("utf-8", "replace").rstrip("\r")
                lines.append(line)
                if t_panic is None and PANIC.search(line):
                    t_panic = now
                elif t_panic is not None and DONE.search(line):
                    t_done = now
                elif FAILED.search(line):
                    deadline = 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if t_panic is None or t_done is None:
        return None, lines[-8:]
    return t_done - t_panic, lines


def smallest_reservation(tmp):
    sizes = os.environ.get("PM_BENCH_SIZES", "64M 32M 16M 8M 6M 5M 4M 3M 2M").split()
    img = os.path.join(tmp, "small.img")
    best = None
    for size in sizes:
        disk(img, 640)
        took, lines = boot(512, size, "postmortem", img, 300)
        if took is None:
            why = next((ln for ln in reversed(lines) if ln.strip()), "?")
            print("bench: crashkernel=%-4s postmortem: no dump (%s)" % (size, why.strip()[:100]),
                  flush=True)
            break
        print("bench: crashkernel=%-4s postmortem: dump complete %.1f s after the panic" %
              (size, took), flush=True)
        best = size
    os.unlink(img)
    print("bench: smallest crashkernel= that dumps: %s (Debian's kdump-tools default "
          "for this much RAM would reserve well over 100M)" % (best or "none"), flush=True)


def timed(argv, runs=3):
    """Median wall time of argv over runs, or None when it fails."""
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        if subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
            return None
        times.append(time.monotonic() - t0)
    return sorted(times)[len(times) // 2]


def compress_vs_makedumpfile(tmp, img, mem):
    """The same vmcore to kdump-compressed (LZO, zero pages shared): postmortem
    compress against makedumpfile -l -d 1, same run, same input."""
    tool = os.path.join(q.BUILD, "postmortem")
    core, ours, theirs = (os.path.join(tmp, n) for n in ("vs.vmcore", "vs.pm.kdump", "vs.md.kdump"))
    if subprocess.run([tool, "savecore", img, "-o", core], capture_output=True).returncode:
        print("bench: savecore failed; kdump-compressed figures skipped", flush=True)
        return
    for f in (ours, theirs):
        if os.path.exists(f):
            os.unlink(f)
    t_pm = timed([tool, "compress", core, "-o", ours])
    t_md = timed(["sh", "-c", "rm -f %s && makedumpfile -l -d 1 %s %s" % (theirs, core, theirs)])
    if t_pm is None or t_md is None:
        print("bench: compress or makedumpfile failed; figures skipped", flush=True)
        return
    sz = os.path.getsize(core) >> 20
    print("bench: %d MiB guest's %d MiB vmcore to kdump-compressed (LZO, -d 1): postmortem "
          "compress %.2f s, %d MiB; makedumpfile -l -d 1 %.2f s, %d MiB; ratio %.2fx"
          % (mem, sz, t_pm, os.path.getsize(ours) >> 20, t_md, os.path.getsize(theirs) >> 20,
             t_md / t_pm), flush=True)
    # Each page compressor on this vmcore: host and in-kernel (docs/compression.md).
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench_compress.py"), core])
    for f in (core, ours, theirs):
        os.unlink(f)


def versus_kdump(tmp):
    mem = int(os.environ.get("PM_BENCH_MEM", "1024"))
    img = os.path.join(tmp, "vs.img")
    disk(img, mem + 128)
    pm, lines = boot(mem, "64M", "postmortem", img, 900)
    if pm is None:
        print("bench: postmortem did not finish: " + " | ".join(lines), flush=True)
        return
    size = next((ln for ln in lines if ln.startswith("dump: writing")), "")
    print("bench: %d MiB guest, postmortem to virtio-blk: %.1f s from panic to dump complete (%s)"
          % (mem, pm, size.replace("dump: ", "")), flush=True)
    compress_vs_makedumpfile(tmp, img, mem)
    disk(img, mem + 128, gpt=False)
    kd, lines = boot(mem, "256M", "kdump", img, 1800)
    if kd is None:
        print("bench: kdump did not finish: " + " | ".join(lines), flush=True)
        return
    copied = next((ln for ln in lines if ln.startswith("kdump: copying")), "")
    print("bench: %d MiB guest, Linux kdump (crashkernel=256M, dd /proc/vmcore): %.1f s (%s)"
          % (mem, kd, copied.replace("kdump: ", "")), flush=True)
    print("bench: postmortem is %.1fx faster from panic to dump complete" % (kd / pm), flush=True)
    os.unlink(img)


def main():
    if not os.path.exists(os.path.join(GUEST, "initrd.img")):
        print("bench: build/guest missing (make guest); Linux figures skipped")
        return 0
    with tempfile.TemporaryDirectory(prefix="pm-bench-linux-") as tmp:
        which = sys.argv[1:] or ["reserve", "kdump"]
        if "reserve" in which:
            smallest_reservation(tmp)
        if "kdump" in which:
            versus_kdump(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
