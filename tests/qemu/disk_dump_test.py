#!/usr/bin/env python3
"""Raw dump partition tests in QEMU: dump=disk to virtio-blk, AHCI and
NVMe, extracted with `postmortem savecore` and checked byte for byte
against planted memory; a disk without the dump type GUID is never
written, nor is one the write rule refuses (a stale backup GPT on an MBR
disk, an MBR-only disk, GPT copies that disagree: each left bit-identical,
with one console line naming the reason), while ,force on a named
partition still writes; a partition too small gives a TRUNCATED dump; an I/O error and a
QEMU killed mid-dump leave a dump savecore refuses as incomplete.  The
planted-memory cases ask for the ELF core (dump.format=elf); the default,
the kdump-compressed file, is checked too: written whole, cut short by a
small partition (its own header says incomplete) or by a kill, and the
same dump from the dump partition (one pass), a FAT volume and serial (in
order): each complete with the kernel's SHA-256, the same pages in the
file, the planted pages identical; and in one pass to a partition of
4096-byte sectors.

Prints one line per test and "disk_dump_test: N passed, N failed" last.
"""
import os
import shutil
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dumpcheck  # noqa: E402
import qemutest as q  # noqa: E402
from dump_test import Plant, check_planted, check_kdump  # noqa: E402

SETUP = q.DumpSetup("pm-disk-")     # the scratch directory, disks, the kernel's arguments
BZ, TOOL, BANNER, DUMP_GUID, TMP = q.BZIMAGE, q.TOOL, q.BANNER, q.DUMP_GUID, SETUP.tmp
COMPLETE, KDUMP_COMPLETE = q.ELF_COMPLETE, q.KDUMP_COMPLETE
# either format: for the cases about which disk is written, not what
ANY_COMPLETE = r"^postmortem: dump complete: \d+ MiB in [\d.]+ s \((?:\d+ MiB/s|kdump-compressed)\), sha256 [0-9a-f]{64}"
disk, sha = SETUP.disk, q.sha256_file


def savecore(img, core, *extra):
    return subprocess.run([TOOL, "savecore", img, "-o", core] + list(extra), capture_output=True, text=True)


def dump_and_check(name, drive_args, machine=(), append="", plants=None):
    plants = plants or [Plant(name + "-p1", 0x1000000, 512 << 10, 11), Plant(name + "-p2", 0x4000000, 64 << 10, 12)]
    args = SETUP.kernel_args("after=poweroff dump.format=elf " + append, drive_args, plants, before=machine)
    res = q.run_qemu(args, [BANNER, r"^dump: writing \d+ MiB ELF core .* to disk ", COMPLETE], 120, must_exit=True)
    if res.failure:
        return res, None
    digest = next(re.search(COMPLETE, line).group(1) for line in res.lines if re.search(COMPLETE, line))
    return res, (plants, digest)


def extract_and_verify(res, img, got):
    plants, digest = got
    core = img + ".core"
    r = savecore(img, core, "--compact")      # the body as written: its digest is the kernel's
    if r.returncode != 0:
        res.failure = "savecore failed: " + r.stdout[-200:] + r.stderr[-300:]
    elif sha(core) != digest:
        res.failure = "savecore's file sha256 %s differs from the kernel's %s" % (sha(core), digest)
    else:
        res.failure = check_planted(core, plants)
    return res


def t_virtio_disk():
    img = disk("virtio")
    res, got = dump_and_check("virtio", ["-drive", "file=%s,format=raw,if=virtio" % img])
    return extract_and_verify(res, img, got) if got else res


def t_ahci_disk():
    img = disk("ahci")
    res, got = dump_and_check("ahci", ["-drive", "file=%s,format=raw,if=none,id=d0" % img,
                                       "-device", "ide-hd,drive=d0,bus=ide.0"], machine=["-M", "q35"])
    return extract_and_verify(res, img, got) if got else res


def t_nvme_named_partition():
    img = disk("nvme")
    res, got = dump_and_check("nvme", ["-drive", "file=%s,format=raw,if=none,id=n0" % img,
                                       "-device", "nvme,serial=pm1,drive=n0"],
                              append="dump=disk:nvme0n1p2")
    return extract_and_verify(res, img, got) if got else res


def t_no_dump_guid_untouched():
    img = disk("linux", guid="0fc63daf-8483-4772-8e79-3d69d8477de4")
    before = sha(img)
    res = q.run_qemu(["-kernel", BZ, "-append", "console=ttyS0 dump=disk after=poweroff",
                      "-drive", "file=%s,format=raw,if=virtio" % img],
                     [BANNER, r"^dump: no postmortem dump partition found; falling back to serial ttyS0",
                      ANY_COMPLETE], 120, must_exit=True)
    if res.failure is None and sha(img) != before:
        res.failure = "a disk without the dump GUID was written"
    named = q.run_qemu(["-kernel", BZ, "-append", "console=ttyS0 dump=disk:virtio0p2 after=poweroff",
                        "-drive", "file=%s,format=raw,if=virtio" % img],
                       [r"^dump: virtio0p2 is not a postmortem dump partition .*not written \(use ,force\)"],
                       120, must_exit=True)
    if res.failure is None and (named.failure or sha(img) != before):
        res.failure = named.failure or "dump=disk:virtio0p2 wrote a non-dump partition"
    return res


FORCE_HINT = r": not written; name the partition with ,force to write anyway \(dump=disk:virtio0p2,force\)$"
FALLBACK = r"^dump: no writable postmortem dump partition found; falling back to serial ttyS0"


def refused_untouched(img, append, expect, refusal_prefix="dump: virtio0"):
    """Boot with img on virtio and `append`; expect the lines (the fallback
    to serial keeps the run short: memory is mostly zero pages); the image
    must be bit-identical afterwards and exactly one console line may start
    with refusal_prefix."""
    before = sha(img)
    res = q.run_qemu(["-kernel", BZ, "-append", "console=ttyS0 after=poweroff " + append,
                      "-drive", "file=%s,format=raw,if=virtio" % img], [BANNER] + expect, 120, must_exit=True)
    if res.failure is None and sha(img) != before:
        res.failure = "the refused disk was written (sha256 changed)"
    n = sum(1 for line in res.lines if line.startswith(refusal_prefix))
    if res.failure is None and n != 1:
        res.failure = "%d console lines start with %r, want exactly one" % (n, refusal_prefix)
    return res


def stale_disk(name):
    """A dump disk wiped over its first MiB with dd and made an MBR disk: one
    0x83 partition over all of it.  Its backup GPT (and dump partition 2)
    is still at the end."""
    img = disk(name)
    with open(img, "r+b") as f:
        f.write(bytes(1 << 20))
    subprocess.run(["sfdisk", "--label", "dos", img], input=b"start=2048, type=83\n", check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if shutil.which("mkfs.ext4"):
        subprocess.run(["mkfs.ext4", "-q", "-F", "-E", "offset=%d" % (2048 * 512), img, "%dk" % (150 << 10)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return img


def t_stale_backup_gpt_on_mbr_disk_untouched():
    img = stale_disk("stale")
    return refused_untouched(img, "", [
        r"^dump: virtio0: a GPT only in its backup copy and an MBR without a protective 0xEE entry "
        r"\(an MBR disk\)" + FORCE_HINT, FALLBACK, ANY_COMPLETE])


def t_stale_backup_gpt_named_without_force_untouched():
    img = stale_disk("stalenamed")
    return refused_untouched(img, "dump=disk:virtio0p2", [
        r"^dump: virtio0: a GPT only in its backup copy" + r".*" + FORCE_HINT,
        r"^dump: no writable postmortem dump partition on virtio0p2 found; falling back to serial ttyS0",
        ANY_COMPLETE])


def t_stale_backup_gpt_force_writes():
    img = stale_disk("staleforce")
    res, got = dump_and_check("staleforce", ["-drive", "file=%s,format=raw,if=virtio" % img],
                              append="dump=disk:virtio0p2,force")
    if not got:
        return res
    plants, digest = got
    core = img + ".core"
    r = savecore(img, core, "--compact", "--partition", "2")
    if r.returncode != 0:
        res.failure = "savecore --partition 2 failed: " + r.stdout[-200:] + r.stderr[-300:]
    elif sha(core) != digest:
        res.failure = "savecore's file sha256 %s differs from the kernel's %s" % (sha(core), digest)
    else:
        res.failure = check_planted(core, plants)
    return res


def t_stale_backup_gpt_esp_not_chosen():
    """dump=fat picks an ESP by itself: the stale GPT's old ESP is refused too."""
    img = stale_disk("staleesp")
    return refused_untouched(img, "dump=fat", [
        r"^dump: no FAT volume for dump=fat \(virtio0: a GPT only in its backup copy and an MBR without a "
        r"protective 0xEE entry \(an MBR disk\): its EFI system partition virtio0p1 not used unless named\); "
        r"falling back to serial ttyS0", ANY_COMPLETE], refusal_prefix="dump: no FAT volume")


def t_mbr_only_disk_untouched():
    img = os.path.join(TMP, "mbr.img")
    with open(img, "wb") as f:
        f.truncate(64 << 20)
    subprocess.run(["sfdisk", "--label", "dos", img], input=b"start=2048, type=83\n", check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    res = refused_untouched(img, "", [r"^dump: no postmortem dump partition found; falling back to serial ttyS0",
                                      ANY_COMPLETE], refusal_prefix="dump: no postmortem")
    if res.failure:
        return res
    return refused_untouched(img, "dump=disk:virtio0p1", [
        r"^dump: virtio0: no valid GPT and an MBR without a protective 0xEE entry \(an MBR disk\): "
        r"no GPT partition 1 to write$", ANY_COMPLETE])


def t_gpt_copies_disagree_untouched():
    img = disk("disagree")
    other = disk("disagree-other")
    subprocess.run(["sgdisk", "-c", "1:OTHER", other], check=True, stdout=subprocess.DEVNULL)
    size = os.path.getsize(img)
    with open(other, "rb") as f:
        f.seek(size - 33 * 512)
        tail = f.read()
    with open(img, "r+b") as f:     # the backup array and header of a renamed table
        f.seek(size - 33 * 512)
        f.write(tail)
    return refused_untouched(img, "", [
        r"^dump: virtio0: primary and backup GPT disagree \(two different partition tables\)" + FORCE_HINT,
        FALLBACK, ANY_COMPLETE])


def t_partition_too_small():
    img = disk("small", size_mb=40, dump_mb=4)
    res = q.run_qemu(["-kernel", BZ, "-append", "console=ttyS0 dump=disk dump.format=elf pm.zero=keep after=poweroff",
                      "-drive", "file=%s,format=raw,if=virtio" % img],
                     [BANNER, r"^dump: virtio0p2 holds \d+ MiB, the dump needs \d+ MiB: writing what fits, marked TRUNCATED",
                      r"^postmortem: dump FAILED: disk virtio0p2 too small: only the first 3 of \d+ MiB were kept \(marked TRUNCATED\)"],
                     240, must_exit=True, mem="64")
    if res.failure:
        return res
    r = savecore(img, img + ".core")
    if "TRUNCATED" not in (r.stdout + r.stderr).upper():
        res.failure = "savecore did not report the truncated dump: " + r.stdout[-200:] + r.stderr[-200:]
    return res


def t_write_error():
    img = disk("eio")
    conf = os.path.join(TMP, "eio.conf")
    with open(conf, "w") as f:
        f.write('[inject-error]\nevent = "write_aio"\nerrno = "5"\nsector = "%d"\n' % (34816 + 8192 + 2000))
    res = q.run_qemu(["-kernel", BZ, "-append", "console=ttyS0 dump=disk dump.format=elf pm.zero=keep after=poweroff",
                      "-drive", "file=blkdebug:%s:%s,format=raw,if=virtio,werror=report" % (conf, img)],
                     [BANNER, r"^postmortem: dump FAILED: .*virtio0p2: write error"], 240, must_exit=True, mem="64")
    if res.failure:
        return res
    r = savecore(img, img + ".core")
    if r.returncode == 0:
        res.failure = "savecore accepted a dump that failed"
    return res


def t_killed_mid_dump():
    return killed_mid_dump("killed", "dump.format=elf pm.zero=keep", 0)


def t_killed_mid_kdump():
    """The kdump-compressed file, killed part way through writing it.  The
    partition cannot hold its upper bound (every page kept, raw), so the
    first half of the progress is the measuring pass, which writes
    nothing; the second is the one pass that writes the file (the
    partition takes writes at any offset), and at 54% it is inside the
    planted pages, whose writes the throttled disk takes slowly."""
    plants = [Plant("killedk-p", 0x1000000, 32 << 20, 41)]    # random: ~32 MiB to write
    return killed_mid_dump("killedk", "", 54, plants)


def killed_mid_dump(name, append, percent, plants=()):
    img = disk(name)
    cmd = ["qemu-system-x86_64"] + q.accel_args() + [
        "-m", "256", "-display", "none", "-no-reboot", "-monitor", "none", "-serial", "stdio",
        "-kernel", BZ, "-append", "console=ttyS0 dump=disk after=poweroff " + append,
        "-drive", "file=%s,format=raw,if=virtio,throttling.bps-write=4000000" % img]
    for pl in plants:
        cmd += pl.arg()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    res = q.Result()
    deadline = time.monotonic() + 120
    seen = False
    for raw in p.stdout:
        line = raw.decode("latin-1").rstrip("\r\n")
        res.lines.append(line)
        m = re.search(r"^dump: (\d+)% ", line)
        if m and int(m.group(1)) >= percent:       # a progress line: mid-dump
            seen = True
            break
        if time.monotonic() > deadline:
            break
    p.kill()
    p.wait()
    if not seen:
        res.failure = "no progress line before the kill"
        return res
    r = savecore(img, img + ".core")
    if r.returncode == 0:
        res.failure = "savecore took a dump cut short for whole"
    elif "INCOMPLETE" not in (r.stdout + r.stderr).upper() and "cut short" not in (r.stdout + r.stderr):
        res.failure = "savecore did not say the dump was cut short: " + r.stdout[-200:] + r.stderr[-200:]
    return res


def t_partition_too_small_kdump():
    """The kdump-compressed file cut by a small partition: TRUNCATED in the
    dump header, INCOMPLETE in its own; savecore exits 4.  (The file's
    upper bound does not fit: its size is measured first, "writing N MiB",
    not "up to".)"""
    img = disk("smallk", size_mb=40, dump_mb=4)
    plants = [Plant("smallk-p", 0x1000000, 8 << 20, 42)]    # random: does not compress
    args = ["-kernel", BZ, "-append", "console=ttyS0 dump=disk after=poweroff",
            "-drive", "file=%s,format=raw,if=virtio" % img]
    for pl in plants:
        args += pl.arg()
    res = q.run_qemu(args, [BANNER, r"^dump: writing \d+ MiB kdump-compressed file",
                            r"^dump: virtio0p2 holds \d+ MiB, the dump needs \d+ MiB: writing what fits, marked TRUNCATED",
                            r"^postmortem: dump FAILED: disk virtio0p2 too small: only the first 3 of \d+ MiB were kept"],
                     240, must_exit=True, mem="64")
    if res.failure:
        return res
    core = img + ".core"
    r = savecore(img, core)
    if r.returncode != 4 or "TRUNCATED" not in r.stdout or "kdump-compressed file ends early" not in r.stdout:
        res.failure = "savecore: exit %d (want 4, TRUNCATED): %s" % (r.returncode, (r.stdout + r.stderr)[-300:])
    elif not dumpcheck.is_kdump(core) or not dumpcheck.Kdump(core).status & dumpcheck.KDUMP_INCOMPLETE:
        res.failure = "the saved kdump-compressed file is not marked incomplete in its header"
    return res


def t_kdump_targets_agree():
    """The default format to the dump partition, a FAT volume (the ESP of
    the same disk) and serial, over the same planted memory: each complete,
    saved as written with the kernel's SHA-256; the same pages in each file
    (both bitmaps), the planted pages byte for byte.  (The files are not
    byte-identical: each boot's own memory differs, e.g. the command line
    and the timestamp.)"""
    plants = [Plant("agree-p1", 0x1000000, 512 << 10, 43), Plant("agree-p2", 0x4000000, 64 << 10, 44)]
    files = {}
    for target in ("disk", "fat", "serial"):
        img = disk("agree-" + target, dump_mb=148)     # room for a 128 MiB guest's upper bound
        subprocess.run(["mkfs.fat", "--offset", "2048", img, str(8 << 10)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cap = os.path.join(TMP, "agree.cap")
        args = ["-kernel", BZ, "-append", "console=ttyS0 after=poweroff dump=" + target,
                "-drive", "file=%s,format=raw,if=virtio" % img]
        for pl in plants:
            args += pl.arg()
        if target == "serial":
            args += ["-chardev", "file,id=cap,path=" + cap, "-serial", "chardev:cap"]
            res = q.run_qemu(args, [], 120, must_exit=True, serial_stdio=False, mem="128")
            lines = open(cap, "rb").read().decode("latin-1").splitlines()
        else:
            res = q.run_qemu(args, [BANNER, KDUMP_COMPLETE], 120, must_exit=True, mem="128")
            lines = res.lines
        if res.failure:
            res.failure = "dump=%s: %s" % (target, res.failure)
            return res
        # The partition holds the file's upper bound and takes writes at
        # any offset: one pass, its size recorded at the end.  The 8 MiB
        # FAT volume cannot hold the bound and serial declares the size
        # first: measured, then two passes in order.
        want = {"disk": r"dump: writing up to \d+ MiB kdump-compressed file",
                "serial": r"dump: writing \d+ MiB kdump-compressed file"}.get(target)
        if want and not any(re.search(want, ln) for ln in lines):
            res.failure = "dump=%s: no line %s" % (target, want)
            return res
        passes = {"disk": "1 pass", "fat": "3 passes", "serial": "3 passes"}[target]
        if not any(re.search(r"^dump: kdump-compressed: .*; %s over the pages" % passes, ln)
                   for ln in lines):
            res.failure = "dump=%s: not %s over the pages" % (target, passes)
            return res
        digest = next((m.group(1) for m in (re.search(KDUMP_COMPLETE.lstrip("^"), ln) for ln in lines) if m), None)
        core = os.path.join(TMP, "agree-%s.core" % target)
        if target == "serial":
            r = subprocess.run([TOOL, "recv", cap, "-o", core], capture_output=True, text=True)
        else:
            r = savecore(img, core)
        if r.returncode != 0 or "kdump-compressed" not in r.stdout:
            res.failure = "dump=%s: saving: exit %d: %s" % (target, r.returncode, (r.stdout + r.stderr)[-300:])
            return res
        res.failure = check_kdump(core, plants, digest)
        if res.failure:
            res.failure = "dump=%s: %s" % (target, res.failure)
            return res
        files[target] = dumpcheck.Kdump(core)
    ref = files["disk"]
    for target, k in files.items():
        if (k.max_mapnr, k.bitmap1, k.bitmap2) != (ref.max_mapnr, ref.bitmap1, ref.bitmap2):
            res.failure = "dump=%s's file holds other pages than dump=disk's" % target
    return res


def t_kdump_4k_sectors():
    """The kdump-compressed file in one pass to a dump partition of
    4096-byte sectors (a block of descriptors is one sector): complete,
    saved as written with the kernel's SHA-256, the planted pages in it."""
    img = os.path.join(TMP, "k4k.img")
    with open(img, "wb") as f:
        f.truncate(170 << 20)
    script = "g\nn\n1\n\n+8M\nn\n2\n\n+148M\nt\n2\n%s\nw\n" % DUMP_GUID
    subprocess.run(["fdisk", "-b", "4096", img], input=script.encode(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    plants = [Plant("k4k-p1", 0x1000000, 512 << 10, 45), Plant("k4k-p2", 0x4000000, 64 << 10, 46)]
    args = ["-kernel", BZ, "-append", "console=ttyS0 after=poweroff",
            "-drive", "file=%s,format=raw,if=none,id=d0" % img,
            "-device", "virtio-blk-pci,drive=d0,logical_block_size=4096,physical_block_size=4096"]
    for pl in plants:
        args += pl.arg()
    res = q.run_qemu(args, [BANNER, r"^virtio-blk: virtio0 .*sectors of 4096 bytes",
                            r"^dump: writing up to \d+ MiB kdump-compressed file .* to disk virtio0p2",
                            r"^dump: kdump-compressed: .*; 1 pass over the pages", KDUMP_COMPLETE],
                     120, must_exit=True, mem="128")
    if res.failure:
        return res
    digest = next((m.group(1) for m in (re.search(KDUMP_COMPLETE.lstrip("^"), ln) for ln in res.lines) if m), None)
    core = img + ".core"
    r = savecore(img, core, "--sector-size", "4096")
    if r.returncode != 0 or "kdump-compressed" not in r.stdout or "sha256 OK" not in r.stdout:
        res.failure = "savecore: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-300:])
        return res
    res.failure = check_kdump(core, plants, digest)
    return res


TESTS = [t_virtio_disk, t_ahci_disk, t_nvme_named_partition, t_no_dump_guid_untouched,
         t_stale_backup_gpt_on_mbr_disk_untouched, t_stale_backup_gpt_named_without_force_untouched,
         t_stale_backup_gpt_force_writes, t_stale_backup_gpt_esp_not_chosen,
         t_mbr_only_disk_untouched, t_gpt_copies_disagree_untouched,
         t_partition_too_small, t_write_error, t_killed_mid_dump, t_partition_too_small_kdump,
         t_killed_mid_kdump, t_kdump_targets_agree, t_kdump_4k_sectors]

if __name__ == "__main__":
    sys.exit(q.main(TESTS, "disk_dump_test"))
