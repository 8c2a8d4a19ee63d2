#!/usr/bin/env python3
"""make run: the main job, end to end in QEMU.

Plants three pseudo-random patterns in a 256 MiB guest's memory (QEMU's
generic loader), boots build/postmortem.bzImage over them with a virtual
disk that has a postmortem dump partition, lets it dump and power off,
extracts the dump with `build/postmortem savecore`, and checks every
planted byte is in the core file at its physical address.  Files go to
build/demo/.  Exit status 0 only when everything checked out.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import dumpcheck  # noqa: E402

BUILD = os.path.join(ROOT, "build")
OUT = os.path.join(BUILD, "demo")
TOOL = os.path.join(BUILD, "postmortem")
PLANTS = [(0x01000000, 4 << 20, 1), (0x06400000, 1 << 20, 2), (0x0c800000, 64 << 10, 3)]


def main():
    import random
    os.makedirs(OUT, exist_ok=True)
    disk = os.path.join(OUT, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(200 << 20)
    subprocess.run(["sgdisk", "-o", "-n", "1:0:+16M", "-t", "1:ef00", "-n", "2:0:0",
                    "-t", "2:9cd6ae46-cf19-4c5c-b341-57f4b21dfd41", "-c", "2:postmortem-dump", disk],
                   check=True, stdout=subprocess.DEVNULL)
    args = []
    for addr, size, seed in PLANTS:
        path = os.path.join(OUT, "plant-%x.bin" % addr)
        with open(path, "wb") as f:
            f.write(random.Random(seed).randbytes(size))
        args += ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (path, addr)]
    print("run: booting postmortem in QEMU over 256 MiB with %d planted patterns; dump to %s"
          % (len(PLANTS), disk), flush=True)
    accel = ["-accel", "tcg"]
    r = subprocess.run(["qemu-system-x86_64"] + accel + [
        "-m", "256", "-nographic", "-no-reboot", "-kernel", os.path.join(BUILD, "postmortem.bzImage"),
        "-append", "console=ttyS0 dump=disk after=poweroff",
        "-drive", "file=%s,format=raw,if=virtio" % disk] + args, stdin=subprocess.DEVNULL, timeout=300)
    if r.returncode != 0:
        print("run: QEMU ended with status %d" % r.returncode)
        return 1
    core = os.path.join(OUT, "vmcore")
    print("run: $ build/postmortem savecore %s -o %s" % (os.path.relpath(disk, ROOT), os.path.relpath(core, ROOT)),
          flush=True)
    if subprocess.run([TOOL, "savecore", disk, "-o", core]).returncode != 0:
        return 1
    loads = dumpcheck.read_loads(core)
    print("run: %s: %d bytes, %d PT_LOAD segments covering %d MiB of memory"
          % (os.path.relpath(core, ROOT), os.path.getsize(core), len(loads),
             sum(l[3] for l in loads) >> 20))
    bad = 0
    for addr, size, seed in PLANTS:
        ok = dumpcheck.read_phys(core, loads, addr, size) == random.Random(seed).randbytes(size)
        bad += not ok
        print("run: planted %7d bytes at 0x%08x: %s" % (size, addr, "found, identical" if ok else "MISSING OR DIFFERENT"))
    print("run: %s" % ("all planted memory is in the dump" if bad == 0 else "%d planted ranges wrong" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
