#!/usr/bin/env python3
"""make bench, Linux part: postmortem against a Linux kdump kernel.

  1. The smallest crashkernel= with which postmortem still dumps a real
     panic of Debian's kernel (kexec_load, BIOS), trying downwards from 64M.
  2. Time from the panic line to "dump complete" for a 1 GiB guest with
     2 CPUs dumping to virtio-blk, each writing makedumpfile's
     kdump-compressed file at dump level 31: postmortem (dump.format=kdump,
     its default level), then a classic kdump crash kernel (the same Debian
     kernel, crashkernel=256M, a busybox initramfs running
     `makedumpfile -l -d 31 /proc/vmcore /dev/vda`) in the same VM shape,
     same run: both times, the ratio, both file sizes and kept pages
     (the kdump boot's memory differs from postmortem's, so postmortem's
     file is also re-filtered by makedumpfile -l -d 31 for a size of the
     same panic's pages).  Twice: QEMU 7.2's default CPU, then QEMU 10 with
     -cpu max (the SHA extensions), both sides the same each time.
     With PM_BENCH_DD=1 a third boot has the kdump kernel dd the whole
     /proc/vmcore instead, and that ELF core times postmortem compress
     against makedumpfile -l -d 1 on the host.

Needs build/guest (make guest).  TCG unless PM_KVM=1 and the probe passes.
Figures only: nothing here fails a build.  Environment:
  PM_BENCH_MEM     guest MiB for part 2 (default 1024)
  PM_BENCH_SIZES   crashkernel sizes for part 1 (default "64M 32M 16M 8M 6M 5M 4M 3M 2M")
  PM_BENCH_DD      1: also the dd boot (several more minutes under TCG)
  PM_BENCH_ENC_CPUS  -cpu models for part 3 (default "default max")
  PM_BENCH_TIMES   1: every console line after the panic, with its time
  PM_BENCH_PMAPPEND  more crash kernel options for postmortem's boots in
                   part 2 (e.g. smp=off), space-separated, no commas
  PM_BENCH_CPU     -cpu for both sides of part 2, which then runs once (by
                   default it runs twice: QEMU 7.2's default CPU, then QEMU
                   10 with -cpu max, whose TCG has the SHA extensions)
  PM_BENCH_QEMU10  1: that one run under QEMU 10 (scripts/qemu10.sh)

  3. Encrypted against clear (docs/encryption.md): the same 1 GiB guest
     dumping the kdump-compressed file at level 31 to virtio-blk, loaded
     plain and with --encrypt-to (the guest's test key, scripts/mkguest.py),
     with QEMU's default CPU (no AES-NI) and -cpu max (AES-NI, PCLMULQDQ):
     panic to dump complete, and the kernel's own dump time, side by side.

    bench_linux.py [reserve] [kdump] [encrypt]     (default all three)
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
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
import kdump_read  # noqa: E402

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


def boot(mem, crash, pmtest, img, timeout, smp=2, more="", load="", cpu=None, emulator=None):
    """(seconds from panic line to dump complete or None, last lines).
    load: more options for postmortem load, comma-separated; cpu: -cpu;
    emulator: None for the system's QEMU, "qemu10" for QEMU 10."""
    append = ("console=ttyS0,115200 crashkernel=%s panic=0 pmtest=%s "
              "pmload=--dump=disk,--after=poweroff%s %s" % (crash, pmtest, "," + load if load else "",
                                                           more)).strip()
    cmd = [q.EMULATORS[emulator]] + q.accel_args() + (["-cpu", cpu] if cpu else []) + [
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
                if t_panic is not None and os.environ.get("PM_BENCH_TIMES") == "1":
                    print("bench:   +%.2f s %s" % (now - t_panic, line[:110]), flush=True)
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


def compress_vs_makedumpfile(tmp, core, mem):
    """The same ELF vmcore to kdump-compressed (LZO, zero pages shared) on
    the host: postmortem compress against makedumpfile -l at -d 1 and -d 31
    (and -c, zlib, at 31), same run, same input: time, size, kept pages."""
    tool = os.path.join(q.BUILD, "postmortem")
    ours, theirs = (os.path.join(tmp, n) for n in ("vs.pm.kdump", "vs.md.kdump"))
    sz = os.path.getsize(core) >> 20
    for level, comp in (("1", "-l"), ("31", "-l"), ("31", "-c")):
        for f in (ours, theirs):
            if os.path.exists(f):
                os.unlink(f)
        pmc = "zlib" if comp == "-c" else "lzo"     # like for like: -c is zlib
        t_pm = timed([tool, "compress", core, "-o", ours, "-d", level, "-c", pmc])
        t_md = timed(["sh", "-c", "rm -f %s && makedumpfile %s -d %s %s %s" % (
            theirs, comp, level, core, theirs)])
        if t_pm is None or t_md is None:
            print("bench: compress or makedumpfile failed; figures skipped", flush=True)
            return
        print("bench: %d MiB guest's %d MiB vmcore to kdump-compressed on the host, -d %s: "
              "postmortem compress (%s) %.2f s, %.1f MiB, %d pages; makedumpfile %s %.2f s, "
              "%.1f MiB, %d pages; time ratio %.2fx, size ratio %.2f"
              % (mem, sz, level, pmc, t_pm, os.path.getsize(ours) / 1048576, kdump_read.Kdump(ours).kept(),
                 comp, t_md, os.path.getsize(theirs) / 1048576, kdump_read.Kdump(theirs).kept(),
                 t_md / t_pm, os.path.getsize(ours) / os.path.getsize(theirs)), flush=True)
    # Each page compressor on this vmcore: host and in-kernel (docs/compression.md).
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench_compress.py"), core])
    for f in (core, ours, theirs):
        os.unlink(f)


def same_panic(ours):
    """The size beside makedumpfile's for the same panic: the kdump boot
    is another boot, whose memory differs, so the file postmortem wrote
    is also re-filtered by makedumpfile -l -d 31 (the same pages kept,
    compressed by makedumpfile's own LZO): the two sizes then differ only
    by the format and compression."""
    theirs = ours + ".md"
    r = subprocess.run(["makedumpfile", "-l", "-d", "31", ours, theirs], capture_output=True,
                       text=True)
    if r.returncode or not os.path.exists(theirs):
        print("bench: makedumpfile could not re-filter postmortem's file: " +
              (r.stdout + r.stderr)[-200:], flush=True)
        return
    a, b = os.path.getsize(ours), os.path.getsize(theirs)
    print("bench: the same panic, postmortem's file %.1f MiB, %d pages; makedumpfile -l -d 31 "
          "re-filtering it %.1f MiB, %d pages (size ratio %.3f)"
          % (a / 1048576, kdump_read.Kdump(ours).kept(), b / 1048576, kdump_read.Kdump(theirs).kept(),
             a / b), flush=True)
    os.unlink(theirs)


def versus_kdump_shapes(tmp):
    """Part 2 in each VM shape, both sides the same: QEMU 7.2's default CPU
    (qemu64: no SHA extensions), then QEMU 10 with -cpu max (its TCG has
    the SHA extensions, as most x86 CPUs since 2017-2019 have), when
    scripts/qemu10.sh fetched it.  PM_BENCH_CPU / PM_BENCH_QEMU10 pick one."""
    if os.environ.get("PM_BENCH_CPU") or os.environ.get("PM_BENCH_QEMU10"):
        cpu = os.environ.get("PM_BENCH_CPU") or None
        versus_kdump(tmp, cpu, "qemu10" if os.environ.get("PM_BENCH_QEMU10") == "1" else None)
        return
    versus_kdump(tmp, None, None)
    why = q.emulator_missing("qemu10")
    if why:
        print("bench: QEMU 10 with -cpu max skipped: " + why, flush=True)
    else:
        versus_kdump(tmp, "max", "qemu10")


def versus_kdump(tmp, cpu, emu):
    mem = int(os.environ.get("PM_BENCH_MEM", "1024"))
    shape = " (%s%s)" % ("QEMU 10, " if emu else "", "-cpu " + cpu if cpu else "default CPU")
    img = os.path.join(tmp, "vs.img")
    tool = os.path.join(q.BUILD, "postmortem")
    disk(img, mem + 128)
    # The same crashkernel= as the kdump kernel's: the crashed systems then
    # have the same memory (a smaller reservation leaves Linux more RAM, and
    # with it more kernel pages that no filter leaves out, such as its
    # per-CPU page lists), so the two files are comparable.
    extra = os.environ.get("PM_BENCH_PMAPPEND", "").split()
    # The panic on CPU 0, the boot CPU (postmortem may start CPU 1 to hash
    # beside it), then on CPU 1 (the only other CPU is then the boot CPU,
    # which INIT would reset: postmortem runs on one CPU, docs/smp.md).
    pms = []
    for crash in ("cpu0", "cpu1"):
        disk(img, mem + 128)
        pm, lines = boot(mem, "256M", "postmortem", img, 900,
                         more="pmcrash=%s pmappend=%s" % (crash, ",".join(["dump.format=kdump"] + extra)),
                         cpu=cpu, emulator=emu)
        if pm is None:
            print("bench: postmortem did not finish: " + " | ".join(lines), flush=True)
            return
        size = next((ln for ln in lines if ln.startswith("dump: writing")), "")
        smp = next((ln for ln in reversed(lines) if ln.startswith("smp: ")), "smp: (no line)")
        print("bench: %d MiB guest, panic on %s, postmortem (crashkernel=256M, dump.format=kdump) to "
              "virtio-blk: %.2f s from panic to dump complete (%s)" % (mem, crash.replace("cpu", "CPU "),
                                                                       pm, size.replace("dump: ", "")),
              flush=True)
        print("bench:   postmortem " + smp, flush=True)
        for ln in lines:
            if ln.startswith(("dump: kdump level", "dump: kdump-compressed:", "dump: the second CPU",
                              "postmortem: dump complete")):
                print("bench:   postmortem " + ln[:160], flush=True)
        ours = os.path.join(tmp, "vs.pm.kdump")
        r = subprocess.run([tool, "savecore", img, "-o", ours], capture_output=True, text=True)
        if r.returncode or "kdump-compressed" not in r.stdout:
            print("bench: savecore gave no kdump-compressed file: " + (r.stdout + r.stderr)[-200:],
                  flush=True)
            return
        pms.append((crash, pm, os.path.getsize(ours), kdump_read.Kdump(ours).kept()))
        if crash == "cpu0":
            same_panic(ours)
        os.unlink(ours)
    pm_size, pm_kept = pms[0][2], pms[0][3]

    disk(img, mem + 128, gpt=False)
    kd, lines = boot(mem, "256M", "kdump", img, 1800, cpu=cpu, emulator=emu)
    if kd is None:
        print("bench: kdump did not finish: " + " | ".join(lines), flush=True)
        return
    try:
        k = kdump_read.Kdump(img)
        kd_size, kd_kept, kd_level = k.end(), k.kept(), k.level
    except (ValueError, OSError) as e:
        print("bench: kdump's makedumpfile file unreadable: %s" % e, flush=True)
        return
    print("bench: %d MiB guest, Linux kdump (crashkernel=256M, makedumpfile -l -d %d): %.1f s "
          "from panic to dump complete" % (mem, kd_level, kd), flush=True)
    for ln in lines:
        if ln.startswith("kdump: makedumpfile: "):
            print("bench:   " + ln[len("kdump: "):], flush=True)
    print("bench: kdump-compressed at level 31: postmortem %.1f MiB, %d pages; makedumpfile "
          "%.1f MiB, %d pages (size ratio %.2f)" % (pm_size / 1048576, pm_kept, kd_size / 1048576,
                                                    kd_kept, pm_size / kd_size), flush=True)
    for crash, pm, _, _ in pms:
        print("bench: panic on %s%s: postmortem is %.1fx faster from panic to dump complete (%.2f s "
              "against %.1f s)" % (crash.replace("cpu", "CPU "), shape, kd / pm, pm, kd), flush=True)
    pm = max(p[1] for p in pms)

    if os.environ.get("PM_BENCH_DD") == "1":
        disk(img, mem + 128, gpt=False)
        dd, lines = boot(mem, "256M", "kdump", img, 1800, more="pmcopy=dd")
        if dd is None:
            print("bench: kdump (dd) did not finish: " + " | ".join(lines), flush=True)
            return
        copied = next((ln for ln in lines if ln.startswith("kdump: copying")), "")
        print("bench: %d MiB guest, Linux kdump (dd /proc/vmcore): %.1f s (%s); postmortem is "
              "%.1fx faster" % (mem, dd, copied.replace("kdump: ", ""), dd / pm), flush=True)
        m = re.search(r"\((\d+) bytes\)", copied)
        if m:
            core = os.path.join(tmp, "vs.vmcore")
            with open(img, "rb") as f, open(core, "wb") as g:
                n = int(m.group(1))
                while n:
                    chunk = f.read(min(n, 1 << 24))
                    g.write(chunk)
                    n -= len(chunk)
            compress_vs_makedumpfile(tmp, core, mem)
    os.unlink(img)


DUMP_TIME = re.compile(r"^postmortem: dump complete: (\d+) MiB in ([\d.]+) s")


def encrypt_vs_clear(tmp):
    mem = int(os.environ.get("PM_BENCH_MEM", "1024"))
    img = os.path.join(tmp, "enc.img")
    for cpu in os.environ.get("PM_BENCH_ENC_CPUS", "default max").split():
        got = {}
        for enc in (False, True):
            disk(img, mem + 128)
            took, lines = boot(mem, "64M", "postmortem", img, 1200, more="pmappend=dump.format=kdump",
                               load="--encrypt-to,/usr/share/postmortem/enc.pub.pem" if enc else "",
                               cpu=None if cpu == "default" else cpu)
            m = next((DUMP_TIME.match(ln) for ln in lines if DUMP_TIME.match(ln)), None)
            if took is None or m is None or (enc and not any(ln.startswith("dump: encrypted (AES-256-GCM")
                                                             for ln in lines)):
                print("bench: %d MiB guest, -cpu %s, %s: no dump (%s)" % (
                    mem, cpu, "encrypted" if enc else "clear", " | ".join(lines[-3:])), flush=True)
                break
            p = next((re.search(r"; (\d+) pass(es)? over the pages$", ln) for ln in lines
                      if ln.startswith("dump: kdump-compressed:")), None)
            got[enc] = (took, float(m.group(2)), int(m.group(1)), p.group(1) if p else "?")
        if len(got) == 2:
            (pc, dc, mc, nc), (pe, de, me, ne) = got[False], got[True]
            print("bench: %d MiB guest, -cpu %s, kdump-compressed level 31 to virtio-blk: clear %.1f s "
                  "from panic to dump complete (dump %.1f s, %d MiB, %s pass), encrypted %.1f s (dump "
                  "%.1f s, %d MiB, %s pass): %+.0f%% panic to complete, %+.0f%% dump" % (
                      mem, cpu, pc, dc, mc, nc, pe, de, me, ne, (pe - pc) * 100 / pc,
                      (de - dc) * 100 / dc if dc else 0), flush=True)
    if os.path.exists(img):
        os.unlink(img)


def main():
    if not os.path.exists(os.path.join(GUEST, "initrd.img")):
        print("bench: build/guest missing (make guest); Linux figures skipped")
        return 0
    with tempfile.TemporaryDirectory(prefix="pm-bench-linux-") as tmp:
        which = sys.argv[1:] or ["reserve", "kdump", "encrypt"]
        if "reserve" in which:
            smallest_reservation(tmp)
        if "kdump" in which:
            versus_kdump_shapes(tmp)
        if "encrypt" in which:
            encrypt_vs_clear(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
