#!/usr/bin/env python3
"""make bench, dump part: dump a 1 GiB and a 4 GiB QEMU guest whose memory
is mostly a non-zero pseudo-random pattern (so zero skipping does not
flatter the figures) as ELF cores (dump.format=elf: the write path itself)
to virtio-blk, AHCI, NVMe and serial, and print the
kernel's own figures (MiB, seconds, MiB/s from its final line) next to a
ceiling: the same number of bytes copied by dd on the host into the same
kind of image file.  Figures only; nothing here passes or fails.

  PM_BENCH_SIZES="1024 4096"   guest sizes in MiB (default both)
  PM_BENCH_TARGETS="virtio ahci nvme serial"

Then encrypted against clear (docs/encryption.md): the same 1 GiB guest
to virtio-blk, as the ELF core and as the kdump-compressed file (its
pages do not compress: stored raw), each in the clear and encrypted (a
handoff block with a DUMP_KEY record for a test key made here, and
dump.encrypt=required), with QEMU's default CPU (no AES-NI) and with
-cpu max (AES-NI and PCLMULQDQ under TCG): the kernel's dump time for
each and what encryption adds.

  PM_BENCH_ENC_SIZE=1024       guest MiB for that part (0: skip it)
  PM_BENCH_ENC_CPUS="default max"
"""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
OUT = os.path.join(BUILD, "bench")
DUMP_GUID = "9cd6ae46-cf19-4c5c-b341-57f4b21dfd41"
LINE = re.compile(r"postmortem: dump complete: (\d+) MiB in ([\d.]+) s \((\d+) MiB/s\)")
ANY_LINE = re.compile(r"postmortem: dump complete: (\d+) MiB in ([\d.]+) s \(")


def pattern(name, mib):
    path = os.path.join(OUT, name)
    if os.path.exists(path) and os.path.getsize(path) == mib << 20:
        return path
    block = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for i in range(mib):
            f.write(block[i % 7:] + block[:i % 7])
    return path


CHUNK_MIB = 128     # QEMU's loader reads at most 2 GiB per file: plant in pieces


def plants(mem):
    # Fill all but the first 64 MiB of low RAM (and, for big guests, the
    # RAM QEMU puts above 4 GiB) with the pattern, CHUNK_MIB at a time.
    chunk = pattern("chunk-%d.bin" % CHUNK_MIB, CHUNK_MIB)
    spans = [(0x4000000, min(mem, 3072) - 128)]
    if mem > 3072:
        spans.append((0x100000000, mem - 3072 - 64))
    out = []
    for base, mib in spans:
        for k in range(mib // CHUNK_MIB):
            out += ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (chunk, base + (k * CHUNK_MIB << 20))]
    return out


def disk(mem):
    path = os.path.join(OUT, "disk.img")
    if os.path.exists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.truncate((mem + 256) << 20)
    subprocess.run(["sgdisk", "-o", "-n", "1:0:0", "-t", "1:" + DUMP_GUID, path], check=True,
                   stdout=subprocess.DEVNULL)
    return path


def drive(target, img):
    if target == "virtio":
        return [], ["-drive", "file=%s,format=raw,if=virtio,cache=unsafe" % img]
    if target == "ahci":
        return ["-M", "q35"], ["-drive", "file=%s,format=raw,if=none,id=d0,cache=unsafe" % img,
                               "-device", "ide-hd,drive=d0,bus=ide.0"]
    if target == "nvme":
        return [], ["-drive", "file=%s,format=raw,if=none,id=n0,cache=unsafe" % img,
                    "-device", "nvme,serial=bench,drive=n0"]
    return [], []


def run(mem, target):
    img = disk(mem) if target != "serial" else None
    machine, drv = drive(target, img)
    cap = os.path.join(OUT, "serial.cap")
    serial = ["-serial", "file:" + cap] if target == "serial" else ["-serial", "stdio"]
    dump = "serial" if target == "serial" else "disk"
    t0 = time.monotonic()
    limit = int(os.environ.get("PM_BENCH_TIMEOUT", "1800"))
    try:
        r = subprocess.run(["qemu-system-x86_64", "-accel", "tcg", "-m", str(mem), "-display", "none",
                            "-no-reboot", "-monitor", "none"] + machine + serial +
                           ["-kernel", os.path.join(BUILD, "postmortem.bzImage"),
                            "-append", "console=ttyS0 dump=%s dump.format=elf after=poweroff" % dump] + drv + plants(mem),
                           capture_output=True, timeout=limit, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "did not finish within %d s (PM_BENCH_TIMEOUT)" % limit, None
    wall = time.monotonic() - t0
    text = (open(cap, "rb").read() if target == "serial" else r.stdout).decode("latin-1")
    m = LINE.search(text)
    if not m:
        return "no 'dump complete' line (QEMU status %d)" % r.returncode, None
    mib = int(m.group(1))
    return "%5d MiB in %7.1f s = %5d MiB/s (QEMU wall %.1f s)" % (mib, float(m.group(2)), int(m.group(3)), wall), mib


def enc_key():
    """A handoff block with a DUMP_KEY record for an RSA-3072 key made once."""
    priv, pub, blk = (os.path.join(OUT, n) for n in ("enc.pem", "enc.pub.pem", "enc-handoff.bin"))
    if not os.path.exists(blk):
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072",
                        "-out", priv], check=True, capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", priv, "-pubout", "-out", pub], check=True,
                       capture_output=True)
        subprocess.run([os.path.join(BUILD, "postmortem"), "handoff", "create", "-o", blk,
                        "--encrypt-to", pub], check=True, capture_output=True)
    return blk


def enc_run(mem, fmt, cpu, encrypt):
    """(kernel's dump seconds, MiB) of one virtio dump, or (None, why)."""
    img = disk(mem)
    limit = int(os.environ.get("PM_BENCH_TIMEOUT", "1800"))
    extra = (["-cpu", cpu] if cpu != "default" else []) + \
        (["-initrd", enc_key()] if encrypt else [])
    append = "console=ttyS0 dump=disk dump.format=%s after=poweroff%s" % (
        fmt, " dump.encrypt=required" if encrypt else "")
    try:
        r = subprocess.run(["qemu-system-x86_64", "-accel", "tcg", "-m", str(mem), "-display", "none",
                            "-no-reboot", "-monitor", "none", "-serial", "stdio"] + extra +
                           ["-kernel", os.path.join(BUILD, "postmortem.bzImage"), "-append", append] +
                           drive("virtio", img)[1] + plants(mem),
                           capture_output=True, timeout=limit, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, "did not finish within %d s" % limit
    text = r.stdout.decode("latin-1")
    m = ANY_LINE.search(text)
    if not m:
        return None, "no 'dump complete' line (QEMU status %d)" % r.returncode
    if encrypt and "dump: encrypted (AES-256-GCM" not in text:
        return None, "the kernel did not say it encrypts"
    return float(m.group(2)), int(m.group(1))


def enc_section():
    mem = int(os.environ.get("PM_BENCH_ENC_SIZE", "1024"))
    if not mem:
        return
    print("bench: encryption: %d MiB guest (a non-zero pattern) -> virtio, dump time from the kernel's "
          "last line, clear vs encrypted (AES-256-GCM, 64 KiB chunks)" % mem, flush=True)
    for cpu in os.environ.get("PM_BENCH_ENC_CPUS", "default max").split():
        for fmt in ("elf", "kdump"):
            clear, cmib = enc_run(mem, fmt, cpu, False)
            enc, emib = enc_run(mem, fmt, cpu, True)
            if clear is None or enc is None:
                print("bench:   -cpu %-7s %-5s clear: %s; encrypted: %s" % (
                    cpu, fmt, cmib if clear is None else "%.1f s" % clear,
                    emib if enc is None else "%.1f s" % enc), flush=True)
                continue
            print("bench:   -cpu %-7s %-5s %4d MiB: clear %6.1f s, encrypted %6.1f s (%4d MiB): "
                  "+%.0f%%" % (cpu, fmt, cmib, clear, enc, emib, (enc - clear) * 100 / clear if clear else 0),
                  flush=True)


def dd_ceiling(mib):
    img = os.path.join(OUT, "dd.img")
    src = pattern("ceiling-%d.bin" % mib, mib)
    t0 = time.monotonic()
    subprocess.run(["dd", "if=" + src, "of=" + img, "bs=1M", "conv=fsync", "status=none"], check=True)
    s = time.monotonic() - t0
    os.unlink(img)
    return "%5d MiB in %7.1f s = %5d MiB/s" % (mib, s, mib / s if s else 0)


def main():
    os.makedirs(OUT, exist_ok=True)
    sizes = [int(x) for x in os.environ.get("PM_BENCH_SIZES", "1024 4096").split()]
    targets = os.environ.get("PM_BENCH_TARGETS", "virtio ahci nvme serial").split()
    print("bench: dump of a guest whose RAM is mostly a non-zero pattern, TCG (QEMU's emulation bounds these)")
    for mem in sizes:
        mib = None
        for t in targets:
            line, got = run(mem, t)
            mib = got or mib
            print("bench: %4d MiB guest -> %-6s %s" % (mem, t, line), flush=True)
        if mib:
            print("bench: %4d MiB guest    dd ceiling (host, same bytes into an image file): %s"
                  % (mem, dd_ceiling(mib)), flush=True)
    enc_section()
    return 0


if __name__ == "__main__":
    sys.exit(main())
