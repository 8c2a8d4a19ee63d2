#!/usr/bin/env python3
"""after=capsule and dump=fat in QEMU.

after=capsule (the ISO under OVMF, a private copy of the variable store,
-no-reboot so the reset ends QEMU): the capsule arrives as a multiboot2
module named "capsule"; postmortem checks it, writes it under
\\EFI\\UpdateCapsule\\ on the ESP of a virtio disk, sets bit 0x4 in
OsIndications through the runtime services and resets with ResetSystem.
Checked from outside: fsck.fat -n is clean, mtools reads the file back
byte for byte, `postmortem varstore` finds OsIndications with 0x4 in the
store file, QEMU exited (the reset).  Also: a bad capsule is refused and
nothing is written; no ESP; a file of the same name with other bytes is
left alone; under SeaBIOS the file is staged but OsIndications cannot be
set, and the reset still happens.

dump=fat: planted memory dumped as \\POSTMORTEM\\<time>\\vmcore.NNN parts of
pm.fatpart=1M, joined again by `postmortem savecore` from the disk image
and from a directory copy; the volume passes fsck.fat -n; a volume too
small refuses before writing anything.  Both formats: the ELF core
(dump.format=elf, given the /proc/vmcore shape) and the default
kdump-compressed file (dumpinfo.txt format=kdump, saved as written, its
SHA-256 the kernel's).

Prints one line per test and "capsule_test: N passed, N failed" last.
"""
import atexit
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402
from dump_test import Plant, check_planted, check_kdump, kernel_digest  # noqa: E402

TOOL = os.path.join(q.BUILD, "postmortem")
BZ = os.path.join(q.BUILD, "postmortem.bzImage")
TMP = tempfile.mkdtemp(prefix="pm-capsule-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)
FINAL = r"^postmortem: "
TCG_UEFI = 240
GUID = "e3a0d1a0-5b8b-4f3c-9d2a-6c1e7b3f4a21"
STAGED = "postmortem-%s.cap" % GUID
ESP_START = 2048             # sectors: where sgdisk puts partition 1


def make_capsule(name, payload, flags="0x50000"):
    body = os.path.join(TMP, name + ".body")
    with open(body, "wb") as f:
        f.write(payload)
    out = os.path.join(TMP, name + ".cap")
    subprocess.run([TOOL, "capsule", "make", "--guid", GUID, "--flags", flags, "-o", out, body],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def esp_disk(name, esp_mb=48, disk_mb=64, esp=True):
    img = os.path.join(TMP, name + ".img")
    with open(img, "wb") as f:
        f.truncate(disk_mb << 20)
    subprocess.run(["sgdisk", "-o", "-n", "1:0:+%dM" % esp_mb, "-t", "1:%s" % ("ef00" if esp else "8300"),
                    img], check=True, stdout=subprocess.DEVNULL)
    # FAT32 with -s 1: enough clusters that every reader (mtools decides by count) agrees
    fat = ["-s", "1", "-F", "32"] if esp_mb >= 40 else ["-F", "16" if esp_mb >= 16 else "12"]
    subprocess.run(["mkfs.fat"] + fat + ["--offset", str(ESP_START), img, str(esp_mb * 1024)],
                   check=True, capture_output=True)
    return img


def part_image(img, esp_mb=48):
    """The FAT partition alone, for fsck.fat (which takes no offset)."""
    out = img + ".part"
    with open(img, "rb") as f, open(out, "wb") as g:
        f.seek(ESP_START * 512)
        g.write(f.read(esp_mb << 20))
    return out


def fsck_clean(part):
    r = subprocess.run(["fsck.fat", "-n", part], capture_output=True, text=True)
    lines = [ln for ln in r.stdout.splitlines()[1:] if not re.match(r"^\S+: \d+ files, \d+/\d+ clusters$", ln)]
    if r.returncode != 0 or lines:
        return "fsck.fat -n: exit %d: %s" % (r.returncode, " | ".join(lines)[:300])
    return None


def mtype(part, path):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    r = subprocess.run(["mtype", "-i", part, "::" + path], capture_output=True, env=env)
    return r.stdout if r.returncode == 0 else None


def osindications(vars_file):
    r = subprocess.run([TOOL, "varstore", vars_file, "--get", "OsIndications", "--u64"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None
    return int(r.stdout.split()[0], 0)


def boot_ovmf(extra, modules, disk, expect, vars_dir):
    iso = q.test_iso(extra, modules=modules)
    args = q.ovmf_args(vars_dir) + ["-cdrom", iso]
    if disk:
        args += ["-drive", "file=%s,format=raw,if=virtio" % disk]
    return q.run_qemu(args, expect, TCG_UEFI, must_exit=True)


def t_ovmf_capsule_staged():
    cap = make_capsule("good", os.urandom(5000))
    disk = esp_disk("staged")
    d = tempfile.mkdtemp(dir=TMP)
    res = boot_ovmf("after=capsule dump=none", [(cap, "capsule")], disk,
                    [r"^efirt: runtime services v2\.\d+ \(physical mode\)",
                     r"^capsule: from the multiboot2 module, 5028 bytes, GUID %s.*accepted" % GUID,
                     FINAL, r"^capsule: staged \\EFI\\UpdateCapsule\\%s on virtio0p1 \(5028 bytes\)" % STAGED,
                     r"^efirt: (firmware does not advertise capsule-on-disk|.*advertises)",
                     r"^efirt: capsule-on-disk requested: OsIndications 0x[0-9a-f]+ -> 0x[0-9a-f]*[4567cdef]$",
                     r"^after: trying EFI ResetSystem\(EfiResetCold\) \(physical mode\)"], d)
    if res.failure:
        return res
    part = part_image(disk)
    res.failure = fsck_clean(part)
    if res.failure is None and mtype(part, "/EFI/UpdateCapsule/" + STAGED) != open(cap, "rb").read():
        res.failure = "mtype does not give the capsule's bytes back"
    if res.failure is None:
        v = osindications(os.path.join(d, "OVMF_VARS.fd"))
        if v is None or not v & 4:
            res.failure = "OsIndications in the variable store is %s, want bit 0x4" % v
    sup = next((ln for ln in res.lines if "OsIndicationsSupported" in ln), "")
    print("    (OVMF: %s)" % sup.strip())
    return res


def t_ovmf_capsule_bad():
    good = open(make_capsule("bad", b"x" * 100), "rb").read()
    bad = os.path.join(TMP, "bad-size.cap")
    with open(bad, "wb") as f:
        f.write(good + b"trailing")           # CapsuleImageSize no longer the file size
    disk = esp_disk("bad")
    before = hashlib.sha256(open(disk, "rb").read()).hexdigest()
    d = tempfile.mkdtemp(dir=TMP)
    res = boot_ovmf("after=capsule dump=none", [(bad, "capsule")], disk,
                    [r"^capsule: REFUSED from the multiboot2 module \(136 bytes.*\): ",
                     FINAL, r"^capsule: the capsule was refused \(see above\); resetting without staging it",
                     r"^after: trying EFI ResetSystem"], d)
    if res.failure is None and hashlib.sha256(open(disk, "rb").read()).hexdigest() != before:
        res.failure = "the disk changed although the capsule was refused"
    if res.failure is None and osindications(os.path.join(d, "OVMF_VARS.fd")) is not None:
        res.failure = "OsIndications was written for a refused capsule"
    return res


def t_ovmf_no_esp():
    cap = make_capsule("noesp", b"y" * 64)
    disk = esp_disk("noesp", esp=False)
    d = tempfile.mkdtemp(dir=TMP)
    return boot_ovmf("after=capsule dump=none", [(cap, "capsule")], disk,
                     [FINAL, r"^capsule: not staged: no EFI system partition on any disk",
                      r"^after: trying EFI ResetSystem"], d)


def t_ovmf_existing_name():
    cap = make_capsule("again", b"new bytes" * 10)
    disk = esp_disk("existing")
    part = part_image(disk)
    other = os.path.join(TMP, "other.cap")
    with open(other, "wb") as f:
        f.write(b"an older capsule, not ours to change")
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    img = "%s@@%d" % (disk, ESP_START * 512)
    for cmd in (["mmd", "-i", img, "::/EFI"], ["mmd", "-i", img, "::/EFI/UpdateCapsule"],
                ["mcopy", "-i", img, other, "::/EFI/UpdateCapsule/" + STAGED]):
        subprocess.run(cmd, check=True, env=env, capture_output=True)
    d = tempfile.mkdtemp(dir=TMP)
    res = boot_ovmf("after=capsule dump=none", [(cap, "capsule")], disk,
                    [FINAL, r"^capsule: staged \\EFI\\UpdateCapsule\\postmortem-%s-1\.cap" % GUID], d)
    if res.failure:
        return res
    part = part_image(disk)
    res.failure = fsck_clean(part)
    if res.failure is None and mtype(part, "/EFI/UpdateCapsule/" + STAGED) != open(other, "rb").read():
        res.failure = "the existing file was changed"
    if res.failure is None and mtype(part, "/EFI/UpdateCapsule/postmortem-%s-1.cap" % GUID) != open(cap, "rb").read():
        res.failure = "the new capsule is not under the -1 name"
    return res


def t_seabios_capsule():
    cap = make_capsule("bios", b"z" * 300)
    disk = esp_disk("bios")
    iso = q.test_iso("after=capsule dump=none", modules=[(cap, "capsule")])
    res = q.run_qemu(["-boot", "d", "-cdrom", iso, "-drive", "file=%s,format=raw,if=virtio" % disk],
                     [FINAL, r"^capsule: staged ", r"^capsule: EFI runtime services cannot be called",
                      r"^after: EFI ResetSystem not available",
                      r"^after: trying the ACPI FADT reset register"], 120, must_exit=True)
    if res.failure is None:
        res.failure = fsck_clean(part_image(disk))
    return res


def fat_dump(name, esp_mb, disk_mb, plants, extra=""):
    disk = esp_disk(name, esp_mb=esp_mb, disk_mb=disk_mb)
    args = ["-kernel", BZ, "-append", "console=ttyS0 dump=fat pm.fatpart=1M after=poweroff " + extra,
            "-drive", "file=%s,format=raw,if=virtio" % disk]
    for p in plants:
        args += p.arg()
    return disk, args


def t_fat_dump_parts():
    plants = [Plant("fat-a", 0x2000000, 3 << 20, 11), Plant("fat-b", 0x6000000, 1 << 20, 12)]
    disk, args = fat_dump("fatdump", 48, 64, plants, "dump.format=elf")
    res = q.run_qemu(args, [r"^dump: writing \\POSTMORTEM\\\d{8}-\d{6}\\vmcore\.000\.\.\. on virtio0p1 \(\d+ parts of up to 1 MiB\)",
                            r"^postmortem: dump complete"], 120, must_exit=True)
    if res.failure:
        return res
    core = os.path.join(TMP, "fat.core")
    r = subprocess.run([TOOL, "savecore", disk, "-o", core], capture_output=True, text=True)
    if r.returncode != 0 or not re.search(r"partition 1 \(FAT\): POSTMORTEM/\d{8}-\d{6}: \d+ parts, .*sha256 OK", r.stdout):
        res.failure = "savecore from the image: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-300:])
        return res
    res.failure = check_planted(core, plants) or fsck_clean(part_image(disk))
    if res.failure:
        return res
    # The same from a directory, as from a mounted ESP: mcopy the tree out.
    tree = os.path.join(TMP, "esp-tree")
    os.makedirs(tree, exist_ok=True)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    subprocess.run(["mcopy", "-s", "-i", "%s@@%d" % (disk, ESP_START * 512), "::/POSTMORTEM", tree],
                   check=True, env=env, capture_output=True)
    core2 = os.path.join(TMP, "fat2.core")
    r = subprocess.run([TOOL, "savecore", tree, "-o", core2], capture_output=True, text=True)
    if r.returncode != 0:
        res.failure = "savecore from a directory: " + (r.stdout + r.stderr)[-300:]
    elif open(core, "rb").read() != open(core2, "rb").read():
        res.failure = "the directory and the image give different files"
    return res


def t_fat_dump_kdump():
    """The default format on FAT: dumpinfo.txt says format=kdump; savecore
    joins the parts and saves the file as written."""
    plants = [Plant("fatk-a", 0x2000000, 3 << 20, 31), Plant("fatk-b", 0x6000000, 1 << 20, 32)]
    disk, args = fat_dump("fatkdump", 48, 64, plants)
    res = q.run_qemu(args, [r"^dump: writing (?:up to )?\d+ MiB kdump-compressed file .* to fat virtio0p1",
                            r"^dump: writing \\POSTMORTEM\\\d{8}-\d{6}\\vmcore\.000\.\.\. on virtio0p1",
                            r"^postmortem: dump complete: .*\(kdump-compressed\), sha256"], 120, must_exit=True)
    if res.failure:
        return res
    digest = kernel_digest("\n".join(res.lines))
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    part = part_image(disk)
    r = subprocess.run(["mtype", "-i", part, "::/POSTMORTEM/*/dumpinfo.txt"], capture_output=True, env=env)
    if b"\nformat=kdump\n" not in r.stdout or b"\nstatus=complete\n" not in r.stdout:
        res.failure = "dumpinfo.txt does not say format=kdump, status=complete: %r" % r.stdout[:300]
        return res
    core = os.path.join(TMP, "fatk.core")
    r = subprocess.run([TOOL, "savecore", disk, "-o", core], capture_output=True, text=True)
    if r.returncode != 0 or not re.search(r"partition 1 \(FAT\): POSTMORTEM/\d{8}-\d{6}: \d+ parts, \d+ bytes, "
                                          r"kdump-compressed, sha256 OK", r.stdout):
        res.failure = "savecore from the image: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-300:])
        return res
    res.failure = check_kdump(core, plants, digest) or fsck_clean(part)
    return res


def t_fat_dump_too_small():
    """The default kdump-compressed file does not fit: refused before
    anything is written (planted random data does not compress)."""
    return fat_too_small("fatsmall", "")


def t_fat_dump_too_small_elf():
    return fat_too_small("fatsmall-elf", "dump.format=elf")


def fat_too_small(name, extra):
    plants = [Plant(name + "-a", 0x2000000, 8 << 20, 13)]
    disk, args = fat_dump(name, 4, 8, plants, extra)
    res = q.run_qemu(args, [r"^postmortem: dump FAILED: virtio0p1 has \d+ MiB free, the dump needs \d+ MiB"],
                     120, must_exit=True)
    if res.failure is None:
        r = subprocess.run([TOOL, "savecore", disk, "-o", os.path.join(TMP, name + ".core")],
                           capture_output=True, text=True)
        if r.returncode != 1:
            res.failure = "savecore took something from a refused dump: exit %d" % r.returncode
            return res
        part = part_image(disk, 4)
        res.failure = fsck_clean(part)
        env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
        r = subprocess.run(["mdir", "-i", part, "::/POSTMORTEM"], capture_output=True, env=env)
        if res.failure is None and r.returncode == 0:
            res.failure = "POSTMORTEM was created although the dump was refused"
    return res


TESTS = [t_ovmf_capsule_staged, t_ovmf_capsule_bad, t_ovmf_no_esp, t_ovmf_existing_name,
         t_seabios_capsule, t_fat_dump_parts, t_fat_dump_kdump, t_fat_dump_too_small,
         t_fat_dump_too_small_elf]

if __name__ == "__main__":
    sys.exit(q.main(TESTS, "capsule_test"))
