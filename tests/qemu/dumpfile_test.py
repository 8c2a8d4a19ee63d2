#!/usr/bin/env python3
"""dump=file in QEMU (docs/dump-file.md): an ext4 disk image made on the
host, a preallocated dump file in it loaded with `postmortem load
--dump-file` (on a loop device), the DUMP_FILE record put in a handoff
block given with -initrd.  The loop device is no disk the crash kernel can
name, so the test writes into the record the identity QEMU's disk will
report (virtio-blk serial=..., or NVMe serial, model and namespace).

  - complete: the crash kernel finds the disk by its serial, checks every
    marker, writes the dump into the file's extents (free space is cut into
    4 MiB holes first, so the file has a dozen of them); `savecore
    --from-file` on the file (copied out of the image with debugfs, as a
    reader of the filesystem sees it) saves it with the kernel's SHA-256
    and the planted pages; every sector outside the file's extents is
    unchanged and e2fsck -fn is clean.  On virtio-blk an ELF core that fills
    nearly the whole file (every extent written); on NVMe and on AHCI
    (port 2) the default kdump-compressed file.
  - encrypted: a block with a DUMP_KEY record too (handoff create
    --encrypt-to) and dump.encrypt=required: no planted byte anywhere in
    the image, savecore --from-file --key gives the file with all of them.
  - truncated: a file smaller than the dump is written TRUNCATED and
    savecore says so.
  - refusals, each with its one line, falling back to serial, the image bit
    for bit as before: a marker changed after the load (one extent's first
    sector rewritten, as a defragmenter that moved it would leave it), a
    disk with another serial, no disk at all, a handoff block that does not
    verify.

Needs root, loop devices, mkfs.ext4 and debugfs; without them each test is
skipped.  Prints one line per test and "dumpfile_test: N passed, N failed"
last.
"""
import atexit
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402
from dump_test import Plant, check_kdump, check_planted  # noqa: E402

BZ = os.path.join(q.BUILD, "postmortem.bzImage")
TOOL = os.path.join(q.BUILD, "postmortem")
BANNER = r"^postmortem \d+\.\d+\.\d+: crash and recovery kernel"
ELF_COMPLETE = r"^postmortem: dump complete: \d+ MiB in [\d.]+ s \(\d+ MiB/s\), sha256 ([0-9a-f]{64})"
KDUMP_COMPLETE = q.KDUMP_COMPLETE
SERIAL = "pm-dumpfile-01"
NVME_SERIAL = "pm-nvme-01"
NVME_MODEL = "QEMU NVMe Ctrl"
ATA_SERIAL = "pm-ata-01"
IMG_MB = 224
TMP = tempfile.mkdtemp(prefix="pm-dumpfile-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)
FALLBACK = r"; nothing written; falling back to serial ttyS0$"

_setup = {}


def sh(*cmd, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, **kw)


def setup():
    """The pristine image (ext4 with pm.dump, 64 MiB, and small.dump, 8 MiB,
    both loaded, in many extents) and each file's record; or the reason it
    cannot be made."""
    if _setup:
        return _setup
    if os.geteuid() != 0:
        _setup["skip"] = "needs root (loop devices)"
        return _setup
    for tool in ("mkfs.ext4", "debugfs", "e2fsck", "losetup", "fallocate"):
        if shutil.which(tool) is None:
            _setup["skip"] = "%s missing (apt-get install e2fsprogs mount)" % tool
            return _setup
    img = os.path.join(TMP, "pristine.img")
    with open(img, "wb") as f:
        f.truncate(IMG_MB << 20)
    if sh("mkfs.ext4", "-q", "-F", "-b", "4096", img).returncode != 0:
        _setup["skip"] = "mkfs.ext4 failed"
        return _setup
    r = sh("losetup", "-f", "--show", img)
    if r.returncode != 0:
        _setup["skip"] = "no loop device: " + r.stderr.strip()
        return _setup
    dev = r.stdout.strip()
    mnt = os.path.join(TMP, "mnt")
    os.makedirs(mnt, exist_ok=True)
    kexec = os.path.join(TMP, "kexec")
    with open(kexec, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(kexec, 0o755)
    kernel = os.path.join(TMP, "kernel")
    with open(kernel, "w") as f:
        f.write("image")
    try:
        if sh("mount", dev, mnt).returncode != 0:
            _setup["skip"] = "cannot mount ext4 from a loop device here"
            return _setup
        try:
            # free space in 4 MiB holes between files, so that the dump
            # file has many extents, as on a filesystem in use
            n = 0
            while True:
                st = os.statvfs(mnt)
                if st.f_bavail * st.f_frsize < (6 << 20):
                    break
                if sh("fallocate", "-l", "4M", os.path.join(mnt, "fill.%d" % n)).returncode != 0:
                    break
                n += 1
            for i in range(0, n, 2):
                os.unlink(os.path.join(mnt, "fill.%d" % i))
            for name, size in (("small.dump", "8M"), ("pm.dump", "64M")):
                hb = os.path.join(TMP, "h.bin")
                r = sh(TOOL, "load", "--kexec=" + kexec, "--kernel=" + kernel, "--handoff=" + hb,
                       "--dump-file", os.path.join(mnt, name), "--size", size,
                       "--state-dir", os.path.join(TMP, "state"))
                if r.returncode != 0:
                    _setup["fail"] = "load --dump-file %s: %s" % (name, (r.stdout + r.stderr)[-400:])
                    return _setup
                shutil.copy(hb + ".dumpfile", os.path.join(TMP, name + ".rec"))
        finally:
            sh("umount", mnt)
    finally:
        sh("losetup", "-d", dev)
    _setup["img"] = img
    return _setup


def extents(rec_path):
    rec = open(rec_path, "rb").read()
    head, esz, n, kind, ss = struct.unpack_from("<IIIII", rec, 0)
    return ss, [struct.unpack_from("<QQ", rec, head + i * esz) for i in range(n)]


def record(name, kind=2, serial=SERIAL, model="", nsid=0, port=0xffffffff):
    """The load's record of file `name` with the identity QEMU's disk reports."""
    if "img" not in setup():
        return b""                                                  # the test is skipped
    rec = bytearray(open(os.path.join(TMP, name + ".rec"), "rb").read())
    struct.pack_into("<I", rec, 0x0c, kind)
    struct.pack_into("<Q", rec, 0x18, (IMG_MB << 20) // 512)      # the disk's size in sectors
    struct.pack_into("<I", rec, 0x38, nsid)
    struct.pack_into("<I", rec, 0x3c, port)
    rec[0x45] = 0                                                   # no PCI hint
    rec[0x48:0x88] = serial.encode().ljust(64, b"\0")
    rec[0x88:0xc8] = model.encode().ljust(64, b"\0")
    return bytes(rec)


def enc_key():
    """(private, public) PEM paths of an RSA-3072 key made once, for the encrypted case."""
    priv, pub = os.path.join(TMP, "enc.pem"), os.path.join(TMP, "enc.pub.pem")
    if not os.path.exists(pub):
        sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072", "-out", priv)
        sh("openssl", "pkey", "-in", priv, "-pubout", "-out", pub)
    return priv, pub


def block(tag, rec, flip=False, encrypt=False):
    recp = os.path.join(TMP, tag + ".rec")
    with open(recp, "wb") as f:
        f.write(rec)
    path = os.path.join(TMP, tag + ".block")
    subprocess.run([TOOL, "handoff", "create", "-o", path, "--dump-file-record", recp,
                    "--time", "1700000000"] + (["--encrypt-to", enc_key()[1]] if encrypt else []),
                   check=True, capture_output=True)
    if flip:
        data = bytearray(open(path, "rb").read())
        data[-1] ^= 0x40                                            # inside the record: digest mismatch
        open(path, "wb").write(bytes(data))
    return path


def image(tag):
    path = os.path.join(TMP, tag + ".img")
    shutil.copyfile(_setup["img"], path)
    return path


sha = q.sha256_file


def outside_sum(img, rec_name):
    """sha256 of every byte of img outside the file's extents."""
    ss, ext = extents(os.path.join(TMP, rec_name + ".rec"))
    h = hashlib.sha256()
    pos = 0
    with open(img, "rb") as f:
        for start, count in sorted(ext) + [(None, None)]:
            f.seek(pos)
            want = None if start is None else start * ss - pos
            while want is None or want > 0:
                b = f.read(1 << 20 if want is None else min(1 << 20, want))
                if not b:
                    break
                h.update(b)
                if want is not None:
                    want -= len(b)
            if start is not None:
                pos = (start + count) * ss
    return h.hexdigest()


def copy_out(img, name):
    """The file as the filesystem holds it (debugfs reads ext4 without mounting)."""
    out = os.path.join(TMP, os.path.basename(img) + "." + name)
    r = sh("debugfs", "-R", "dump /%s %s" % (name, out), img)
    return out if os.path.exists(out) else None


def skipped():
    s = setup()
    if "skip" in s:
        return q.skip(s["skip"])
    if "fail" in s:
        r = q.Result()
        r.failure = s["fail"]
        return r
    return None


def boot(blk, drive, append="", expect=(), mem="256", plants=()):
    args = ["-kernel", BZ, "-initrd", blk, "-append",
            "console=ttyS0 after=poweroff dump=file " + append] + list(drive)
    for p in plants:
        args += p.arg()
    return q.run_qemu(args, [BANNER] + list(expect), 120, must_exit=True, mem=mem)


def virtio(img, serial=SERIAL):
    return ["-drive", "if=none,id=d0,format=raw,file=" + img,
            "-device", "virtio-blk-pci,drive=d0,serial=" + serial]


def complete(tag, drive_fn, rec, elf=False, encrypt=False):
    """Dump into pm.dump on the disk drive_fn(img) gives; save and check it.
    elf: the ELF core of all 64 MiB of memory (zero pages kept), which fills
    nearly the whole file, so every extent is written; else the default
    kdump-compressed file.  encrypt: the block holds a DUMP_KEY record and
    the line dump.encrypt=required: no planted byte anywhere in the image,
    savecore --from-file --key gives them all back."""
    r = skipped()
    if r:
        return r
    img = image(tag)
    before = outside_sum(img, "pm.dump")
    plants = [Plant(tag + "-p1", 0x1000000, 512 << 10, 71), Plant(tag + "-p2", 0x3800000, 64 << 10, 72)]
    done = ELF_COMPLETE if elf else KDUMP_COMPLETE
    res = boot(block(tag, rec, encrypt=encrypt), drive_fn(img),
               ("dump.format=elf pm.zero=keep" if elf else "") + (" dump.encrypt=required" if encrypt else ""),
               mem="64" if elf else "256", plants=plants, expect=[
        r"^dump: dump file \S+/pm\.dump: \w+ \(serial \"[^\"]+\"\), ([2-9]|\d\d+) extents, 64 MiB; checking its markers",
        r"^dump: dump file \S+/pm\.dump on \w+: \d+ markers and the header check out",
        r"^dump: writing \d+ MiB (ELF core|kdump-compressed file) .* to the dump file on \w+",
        done])
    if res.failure:
        return res
    digest = next(m.group(1) for m in (re.search(done, ln) for ln in res.lines) if m)
    if outside_sum(img, "pm.dump") != before:
        res.failure = "sectors outside the dump file's extents changed"
        return res
    r = sh("e2fsck", "-fn", img)
    if r.returncode != 0:
        res.failure = "e2fsck -fn after the dump: exit %d: %s" % (r.returncode, r.stdout[-300:])
        return res
    if encrypt:
        data = open(img, "rb").read()
        if any(p.data[o:o + 32] in data for p in plants for o in range(0, p.size - 32, 4096)):
            res.failure = "planted bytes are in the image: the dump file is not encrypted"
            return res
    copy = copy_out(img, "pm.dump")
    core = os.path.join(TMP, tag + ".vmcore")
    r = sh(*[TOOL, "savecore", "--from-file", copy or "(no copy)", "-o", core, "--compact"] +
           (["--key", enc_key()[0]] if encrypt else []))
    if r.returncode != 0 or "dump written" not in r.stdout or "sha256 OK" not in r.stdout:
        res.failure = "savecore --from-file: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-400:])
        return res
    if elf:
        res.failure = check_planted(core, plants)
        if not res.failure and sha(core) != digest:
            res.failure = "the saved core's sha256 is not the kernel's"
    else:   # encrypted: the kernel's digest is the stream's, savecore checked it
        res.failure = check_kdump(core, plants, None if encrypt else digest)
    return res


def t_virtio_complete():
    return complete("virtio", virtio, record("pm.dump"), elf=True)


def t_nvme_complete():
    def nvme(img):
        return ["-drive", "if=none,id=n0,format=raw,file=" + img,
                "-device", "nvme,drive=n0,serial=" + NVME_SERIAL]
    return complete("nvme", nvme, record("pm.dump", kind=1, serial=NVME_SERIAL, model=NVME_MODEL, nsid=1))


def t_ahci_complete():
    """The ATA IDENTIFY serial and model (byte-swapped words) and the port."""
    def ahci(img):
        return ["-device", "ahci,id=ahci", "-drive", "if=none,id=a0,format=raw,file=" + img,
                "-device", "ide-hd,drive=a0,bus=ahci.2,serial=" + ATA_SERIAL]
    return complete("ahci", ahci, record("pm.dump", kind=3, serial=ATA_SERIAL, model="QEMU HARDDISK", port=2))


def t_virtio_encrypted():
    """docs/encryption.md: the same file, the stream in it (kdump-compressed inside)."""
    return complete("virtioenc", virtio, record("pm.dump"), encrypt=True)


def t_truncated():
    """An ELF core of all 64 MiB of memory into an 8 MiB file: what fits, TRUNCATED."""
    r = skipped()
    if r:
        return r
    img = image("trunc")
    before = outside_sum(img, "small.dump")
    res = boot(block("trunc", record("small.dump")), virtio(img), "dump.format=elf pm.zero=keep", mem="64",
               expect=[r"^dump: virtio0-file holds \d+ MiB, the dump needs \d+ MiB: writing what fits, marked TRUNCATED",
                       r"^postmortem: dump FAILED: the dump file on virtio0 too small: only the first \d+ of \d+ MiB "
                       r"were kept \(marked TRUNCATED\)"])
    if res.failure:
        return res
    if outside_sum(img, "small.dump") != before:
        res.failure = "sectors outside the dump file's extents changed"
        return res
    copy = copy_out(img, "small.dump")
    r = sh(TOOL, "savecore", "--from-file", copy or "(no copy)", "-o", os.path.join(TMP, "trunc.core"))
    if r.returncode == 0 or "TRUNCATED" not in (r.stdout + r.stderr).upper():
        res.failure = "savecore did not refuse the truncated dump: exit %d: %s" % (
            r.returncode, (r.stdout + r.stderr)[-300:])
    return res


def refused(tag, expect, drive=None, rec=None, flip=False, prepare=None):
    """A boot that must write nothing to the disk: the image bit for bit as before."""
    r = skipped()
    if r:
        return r
    img = image(tag)
    if prepare:
        prepare(img)
    before = sha(img)
    res = boot(block(tag, rec or record("pm.dump"), flip), virtio(img) if drive is None else drive(img),
               mem="128", expect=[expect, r"^postmortem: dump complete: "])
    if not res.failure and sha(img) != before:
        res.failure = "the disk image changed"
    return res


def t_marker_changed():
    """One extent's first sector rewritten after the load (the last one: a
    defragmenter moved it), as the tool test does for dumpgen."""
    def rewrite(img):
        ss, ext = extents(os.path.join(TMP, "pm.dump.rec"))
        with open(img, "r+b") as f:
            f.seek(ext[-1][0] * ss)
            f.write(b"\0" * ss)
    return refused("moved", r"^dump: dump file \S+/pm\.dump on virtio0: segment \d+ \(sector \d+\): no marker"
                   + r".*" + FALLBACK, prepare=rewrite)


def t_wrong_serial():
    return refused("serial", r"^dump: dump file \S+/pm\.dump: no virtio-blk disk with serial \"%s\"" % SERIAL
                   + FALLBACK, drive=lambda img: virtio(img, "pm-other-disk"))


def t_disk_missing():
    return refused("missing", r"^dump: dump file \S+/pm\.dump: no virtio-blk disk with serial \"%s\"" % SERIAL
                   + FALLBACK, drive=lambda img: [])


def t_unverified_block():
    return refused("unverified", r"^dump: dump=file: the handoff block is not verified; a dump file is "
                   r"written only from a verified block; falling back to serial ttyS0$", flip=True)


TESTS = [t_virtio_complete, t_virtio_encrypted, t_nvme_complete, t_ahci_complete, t_truncated, t_marker_changed, t_wrong_serial,
         t_disk_missing, t_unverified_block]

if __name__ == "__main__":
    sys.exit(q.main(TESTS, "dumpfile_test"))
