#!/usr/bin/env python3
"""AHCI and NVMe driver tests in QEMU (issue: AHCI and NVMe drivers).

Each test writes small raw images (16 MiB of seeded pseudo-random bytes
with a known tag in sector 0), boots build/postmortem.bzImage (the ISO
under OVMF for one) with "pm.test=blkdev after=poweroff", and requires in
order: each driver's probe line, the selftest's sector-0 bytes (the tag)
and per-device result, "blk: selftest: N passed, 0 failed" (or the
expected failures), the final line, and QEMU powering off by itself with
status 0.  Afterwards every image must be byte-identical to what was
written: the selftest restores what it overwrote, and nothing else may be
touched.

Covered: AHCI on q35's built-in controller (by -device and by -hda, whose
default CD-ROM must be left alone) and on a pc machine's added controller;
two disks on one HBA; NVMe on q35 and pc; two namespaces and a second
controller with 4096-byte sectors (32 KiB transfers through a PRP list);
AHCI and NVMe together, also under OVMF from the ISO (controllers the
firmware used first); injected media errors (the driver prints the ATA
status/error bytes or the NVMe SCT/SC, the request fails with -EIO and the
device goes on working); and requests throttled past the 5 s bound (a
-ETIMEDOUT naming PxCI / the missing completion, the port or controller
reset, QEMU ends normally: nothing hangs).

Prints one line per test and "ahci_nvme_test: N passed, N failed" last.
"""
import hashlib
import os
import random
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402

BZ = os.path.join(q.BUILD, "postmortem.bzImage")
APPEND = "console=ttyS0 pm.test=blkdev after=poweroff"
MiB = 1 << 20
TCG_BOOT = 60          # seconds: SeaBIOS + probe + selftest under TCG
TCG_SLOW = 120         # the throttled run waits out two 5 s timeouts
TCG_UEFI = 180
PCI = r"[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]"
OK_END = [r"^postmortem: blkdev selftest complete$"]


class Images:
    """Raw images in a temporary directory, remembered by digest."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pm-ahci-nvme-")
        self.digests = {}

    def make(self, name, tag, size=16 * MiB):
        """An image whose first 16 bytes are tag; returns its path."""
        assert len(tag) == 16
        data = bytearray(random.Random(name).randbytes(size))
        data[0:16] = tag
        path = os.path.join(self.dir, name + ".img")
        with open(path, "wb") as f:
            f.write(data)
        self.digests[path] = hashlib.sha256(data).hexdigest()
        return path

    def file(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def check(self, r):
        """Fail r unless QEMU exited 0 and every image is unchanged."""
        if r.failure is None and r.exited != 0:
            r.failure = "QEMU ended with status %s, not 0 (poweroff)" % r.exited
        for path, digest in self.digests.items():
            with open(path, "rb") as f:
                now = hashlib.sha256(f.read()).hexdigest()
            if r.failure is None and now != digest:
                r.failure = "%s changed (sha256 %s, was %s)" % (
                    os.path.basename(path), now[:16], digest[:16])
        shutil.rmtree(self.dir, ignore_errors=True)
        return r


def drive(path, ident, extra=""):
    return ["-drive", "file=%s,format=raw,if=none,id=%s%s" % (path, ident, extra)]


def ahci_q35(path, ident, port, extra=""):
    """A disk on port `port` of q35's built-in AHCI controller (00:1f.2)."""
    return drive(path, ident, extra) + ["-device", "ide-hd,drive=%s,bus=ide.%d" % (ident, port)]


def nvme(path, ident, serial, extra="", dev_extra=""):
    return drive(path, ident, extra) + ["-device",
                                        "nvme,serial=%s,drive=%s%s" % (serial, ident, dev_extra)]


def boot(machine, args, expect, timeout=TCG_BOOT):
    return q.run_qemu(["-M", machine, "-kernel", BZ, "-append", APPEND] + args,
                      expect, timeout, must_exit=True)


def sector0(name, tag):
    hexes = " ".join("%02x" % b for b in tag)
    return r"^blk: %s: sector 0: %s$" % (re.escape(name), hexes)


def ok(name):
    return r"^blk: selftest: %s: ok: " % re.escape(name)


def summary(passed, failed=0):
    return r"^blk: selftest: %d passed, %d failed$" % (passed, failed)


def ahci_line(name, port, pci=r"00:1f\.2", mib=16, ss=512):
    return r"^ahci: %s on port %d at %s, %d MiB, %d-byte sectors, serial \"[^\"]*\", model \"[^\"]*\"$" % (
        name, port, pci, mib, ss)


def nvme_line(name, pci=PCI, mib=16, ss=512):
    return r"^nvme: %s at %s, %d MiB, %d-byte sectors, serial \"[^\"]*\", model \"[^\"]*\"$" % (
        name, pci, mib, ss)


TAG_A = b"PM-AHCI-DISK-A\x00\x01"
TAG_B = b"PM-AHCI-DISK-B\x00\x02"
TAG_N = b"PM-NVME-DISK-N\x00\x03"
TAG_M = b"PM-NVME-DISK-M\x00\x04"
TAG_K = b"PM-NVME-4KSEC-K\x05"


def t_q35_ahci():
    im = Images()
    a = im.make("a", TAG_A)
    r = boot("q35", ahci_q35(a, "d0", 0),
             [ahci_line("ahci0", 0), r"^blk: ahci0: 32768 sectors of 512 bytes \(16 MiB\)$",
              sector0("ahci0", TAG_A), ok("ahci0"), summary(1)] + OK_END)
    return im.check(r)


def t_q35_ahci_hda_and_cdrom():
    # Plain -hda on q35 lands on the AHCI controller; q35 adds an empty
    # CD-ROM on port 2, which must be reported and left stopped.
    im = Images()
    a = im.make("a", TAG_A)
    r = boot("q35", ["-drive", "file=%s,format=raw,if=ide,index=0" % a],
             [ahci_line("ahci0", 0),
              r"^ahci: 00:1f\.2 port 2: not an ATA disk \(PxSIG 0xeb140101\), left stopped$",
              sector0("ahci0", TAG_A), ok("ahci0"), summary(1)] + OK_END)
    return im.check(r)


def t_q35_ahci_two_disks():
    im = Images()
    a, b = im.make("a", TAG_A), im.make("b", TAG_B)
    r = boot("q35", ahci_q35(a, "d0", 0) + ahci_q35(b, "d1", 4),
             [ahci_line("ahci0", 0), ahci_line("ahci1", 4),
              sector0("ahci0", TAG_A), ok("ahci0"), sector0("ahci1", TAG_B), ok("ahci1"),
              summary(2)] + OK_END)
    return im.check(r)


def t_pc_ahci():
    im = Images()
    a = im.make("a", TAG_A)
    r = boot("pc", ["-device", "ahci,id=ahci"] + drive(a, "d0") +
             ["-device", "ide-hd,drive=d0,bus=ahci.1"],
             [ahci_line("ahci0", 1, pci=PCI), sector0("ahci0", TAG_A), ok("ahci0"),
              summary(1)] + OK_END)
    return im.check(r)


def t_q35_nvme():
    im = Images()
    n = im.make("n", TAG_N)
    r = boot("q35", nvme(n, "n0", "pm-n0"),
             [nvme_line("nvme0n1"), r"^blk: nvme0n1: 32768 sectors of 512 bytes \(16 MiB\)$",
              sector0("nvme0n1", TAG_N), ok("nvme0n1"), summary(1)] + OK_END)
    return im.check(r)


def t_pc_nvme():
    im = Images()
    n = im.make("n", TAG_N)
    r = boot("pc", nvme(n, "n0", "pm-n0"),
             [nvme_line("nvme0n1"), sector0("nvme0n1", TAG_N), ok("nvme0n1"), summary(1)] + OK_END)
    return im.check(r)


def t_nvme_namespaces_and_4k():
    # Controller 0 with namespaces 1 and 3 (the active-namespace list has a
    # hole); controller 1 with 4096-byte sectors, whose 8-sector selftest
    # transfers need a PRP list.
    im = Images()
    n, m, k = im.make("n", TAG_N), im.make("m", TAG_M), im.make("k", TAG_K)
    args = (["-device", "nvme,id=nv0,serial=pm-nv0"] +
            drive(n, "n0") + ["-device", "nvme-ns,drive=n0,bus=nv0,nsid=1"] +
            drive(m, "n1") + ["-device", "nvme-ns,drive=n1,bus=nv0,nsid=3"] +
            nvme(k, "n2", "pm-nv1", dev_extra=",logical_block_size=4096,physical_block_size=4096"))
    r = boot("q35", args,
             [nvme_line("nvme0n1"), nvme_line("nvme0n3"), nvme_line("nvme1n1", ss=4096),
              r"^blk: nvme1n1: 4096 sectors of 4096 bytes \(16 MiB\)$",
              sector0("nvme0n1", TAG_N), ok("nvme0n1"), sector0("nvme0n3", TAG_M), ok("nvme0n3"),
              sector0("nvme1n1", TAG_K), ok("nvme1n1"), summary(3)] + OK_END)
    return im.check(r)


def t_q35_ahci_and_nvme():
    im = Images()
    a, n = im.make("a", TAG_A), im.make("n", TAG_N)
    r = boot("q35", ahci_q35(a, "d0", 0) + nvme(n, "n0", "pm-n0"),
             [ahci_line("ahci0", 0), nvme_line("nvme0n1"),
              sector0("ahci0", TAG_A), ok("ahci0"), sector0("nvme0n1", TAG_N), ok("nvme0n1"),
              summary(2)] + OK_END)
    return im.check(r)


def t_ovmf_iso_ahci_and_nvme():
    # OVMF's own AHCI and NVMe drivers use the controllers first, and OVMF
    # puts the NVMe BAR in its 64-bit window far above RAM (896 GiB here):
    # the driver maps it there.
    im = Images()
    a, n = im.make("a", TAG_A), im.make("n", TAG_N)
    iso = q.test_iso("after=poweroff pm.test=blkdev")
    d = tempfile.mkdtemp(prefix="pm-ovmf-")
    try:
        r = q.run_qemu(q.ovmf_args(d) + ["-M", "q35",
                                         "-cdrom", iso] +
                       ahci_q35(a, "d0", 0) + nvme(n, "n0", "pm-n0"),
                       [r"^boot: multiboot2 via GRUB", ahci_line("ahci0", 0), nvme_line("nvme0n1"),
                        sector0("ahci0", TAG_A), ok("ahci0"), sector0("nvme0n1", TAG_N),
                        ok("nvme0n1"), summary(2)] + OK_END, TCG_UEFI, must_exit=True)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return im.check(r)


def t_media_errors():
    # Every read touching sector 0 fails (blkdebug, EIO reported to the
    # guest).  The drivers print the device's own words, the selftest's
    # sector-0 read gets -EIO, and the device keeps working: its selftest on
    # the last sectors passes.
    im = Images()
    a, n = im.make("a", TAG_A), im.make("n", TAG_N)
    rules = im.file("errors.conf",
                    '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "0"\n')
    bd = lambda p: "blkdebug:%s:%s" % (rules, p)  # noqa: E731
    err = ",rerror=report,werror=report"
    r = boot("q35", ahci_q35(bd(a), "d0", 0, err) + nvme(bd(n), "n0", "pm-n0", err),
             [ahci_line("ahci0", 0), nvme_line("nvme0n1"),
              r"^ahci: ahci0: READ DMA EXT lba 0 count 1 failed: status 0x41 error 0x04 "
              r"\(PxIS 0x[0-9a-f]{8} PxSERR 0x[0-9a-f]{8}\)$",
              r"^blk: ahci0: sector 0 unreadable: -5 \(EIO\)$", ok("ahci0"),
              r"^nvme: nvme0n1: READ nsid 1 lba 0 count 1 failed: SCT 0x2 SC 0x81",
              r"^blk: nvme0n1: sector 0 unreadable: -5 \(EIO\)$", ok("nvme0n1"),
              summary(2)] + OK_END)
    return im.check(r)


def t_timeouts_bounded():
    # 600 bytes/s: the 4 KiB selftest requests take longer than the drivers'
    # 5 s bound.  Each driver reports the timeout, resets the port or
    # controller, the selftest records the failure, and the kernel still
    # reaches its final line and powers off.
    im = Images()
    a, n = im.make("a", TAG_A), im.make("n", TAG_N)
    slow = ",throttling.bps-total=600"
    r = boot("q35", ahci_q35(a, "d0", 0, slow) + nvme(n, "n0", "pm-n0", slow),
             [ahci_line("ahci0", 0), nvme_line("nvme0n1"),
              r"^ahci: ahci0: (READ|WRITE) DMA EXT lba \d+ count \d+: PxCI bit 0 still set after "
              r"5000 ms \(PxTFD 0x[0-9a-f]{8} PxIS 0x[0-9a-f]{8}\)$",
              r"^blk: selftest: ahci0: FAILED: .*: -116 \(ETIMEDOUT\)$",
              r"^nvme: nvme0n1: (READ|WRITE) nsid 1 lba \d+ count \d+: no completion after 5000 ms",
              r"^nvme: " + PCI + r": controller reset; requests continue$",
              r"^blk: selftest: nvme0n1: FAILED: .*: -116 \(ETIMEDOUT\)$",
              summary(0, 2), r"^postmortem: blkdev selftest FAILED$"], TCG_SLOW)
    return im.check(r)


TESTS = [
    t_q35_ahci, t_q35_ahci_hda_and_cdrom, t_q35_ahci_two_disks, t_pc_ahci,
    t_q35_nvme, t_pc_nvme, t_nvme_namespaces_and_4k, t_q35_ahci_and_nvme,
    t_ovmf_iso_ahci_and_nvme, t_media_errors, t_timeouts_bounded,
]


if __name__ == "__main__":
    sys.exit(q.main(TESTS, "ahci_nvme_test"))
