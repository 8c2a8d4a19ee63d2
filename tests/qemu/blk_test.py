#!/usr/bin/env python3
"""virtio-blk and PCI tests (pm.test=blkdev): the bzImage boots with raw
disk images on virtio-blk-pci and runs the block self-test, which reads
each device's sector 0, then writes, flushes, reads back and restores its
last 8 sectors.

Covered: the modern interface (QEMU's default transitional device and a
modern-only one), the legacy interface, q35 with ECAM from the ACPI MCFG
(one disk behind a PCIe root port), the multiboot2 ISO under OVMF, a disk behind a PCI-to-PCI bridge with
4096-byte blocks, two disks told apart by sector 0, a read-only disk, no
disk at all, and I/O errors injected with QEMU's blkdebug (write, read,
flush) or a throttle slow enough to hit the 5 s request timeout.  Each
test checks the serial lines in order, that QEMU powered off by itself
(after=poweroff), and that every image is byte-for-byte what it was.

Prints one line per test and "blk_test: N passed, N failed" last.
"""
import hashlib
import os
import random
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402

BZ = os.path.join(q.BUILD, "postmortem.bzImage")
APPEND = "console=ttyS0 pm.test=blkdev after=poweroff"
BANNER = r"^postmortem \d+\.\d+\.\d+: crash and recovery kernel"
PASSED = r"^postmortem: blkdev selftest complete$"
FAILED = r"^postmortem: blkdev selftest FAILED$"
TCG_BOOT = 60
TCG_UEFI = 180
IMG_SIZE = 16 << 20
SECTORS = IMG_SIZE // 512
LAST8 = SECTORS - 8


def make_image(tmp, name, label):
    """A 16 MiB raw image: sector 0 starts with `label` (16 bytes), the
    rest is pseudo-random so a restore that is off by a byte shows."""
    head = label.encode().ljust(16, b".")[:16]
    rnd = random.Random(name)
    path = os.path.join(tmp, name + ".img")
    with open(path, "wb") as f:
        f.write(head + rnd.randbytes(512 - 16))
        f.write(rnd.randbytes(IMG_SIZE - 512))
    return path, head


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def sector0(name, head):
    return r"^blk: %s: sector 0: %s$" % (name, " ".join("%02x" % b for b in head))


def run(args, expect, images, timeout=TCG_BOOT):
    """Boot with `args`; the images listed must be unchanged afterwards."""
    before = {p: digest(p) for p in images}
    r = q.run_qemu(["-kernel", BZ, "-append", APPEND] + args, [BANNER] + expect, timeout,
                   must_exit=True)
    for p in images:
        if r.failure is None and digest(p) != before[p]:
            r.failure = "%s changed: the self-test did not restore it" % os.path.basename(p)
    return r


def drive(path, ident, extra=""):
    return ["-drive", "file=%s,format=raw,if=none,id=%s%s" % (path, ident, extra)]


class Tmp:
    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="pm-blk-")
        return self.dir

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)


def ok_lines(name, head, how, sectors=SECTORS, size=512):
    return [r"^virtio-blk: %s at 00:0[0-9a-f]\.0, %s, 16 MiB \(%d sectors of %d bytes\)"
            % (name, how, sectors, size),
            sector0(name, head),
            r"^blk: selftest: %s: ok: sectors %d\+8 written, flushed, read back, restored$"
            % (name, sectors - 8)]


def t_modern_pc():
    # QEMU's default virtio-blk-pci is transitional: the driver must pick modern.
    with Tmp() as d:
        img, head = make_image(d, "a", "PM-BLK-TEST-A")
        return run(["-M", "pc"] + drive(img, "d0") + ["-device", "virtio-blk-pci,drive=d0"],
                   [r"^acpi: no MCFG; PCI configuration through ports 0xcf8/0xcfc$"] +
                   ok_lines("virtio0", head, "modern") +
                   [r"^blk: selftest: 1 passed, 0 failed$", PASSED], [img])


def t_modern_only():
    with Tmp() as d:
        img, head = make_image(d, "a", "PM-BLK-MODERN")
        return run(drive(img, "d0") + ["-device", "virtio-blk-pci,drive=d0,disable-legacy=on"],
                   ok_lines("virtio0", head, "modern") +
                   [r"^blk: selftest: 1 passed, 0 failed$", PASSED], [img])


def t_legacy():
    with Tmp() as d:
        img, head = make_image(d, "a", "PM-BLK-LEGACY")
        return run(drive(img, "d0") + ["-device", "virtio-blk-pci,drive=d0,disable-modern=on"],
                   [r"^virtio-blk: virtio0 at 00:0[0-9a-f]\.0, legacy, 16 MiB .*queue 256"] +
                   ok_lines("virtio0", head, "legacy")[1:] +
                   [r"^blk: selftest: 1 passed, 0 failed$", PASSED], [img])


def t_q35_ecam():
    # q35 has an MCFG; the second disk sits behind a PCIe root port (bus 1),
    # so both ECAM and the bridge walk are needed to find it.
    with Tmp() as d:
        a, ha = make_image(d, "a", "PM-BLK-Q35-A")
        b, hb = make_image(d, "b", "PM-BLK-Q35-B")
        return run(["-M", "q35"] + drive(a, "d0") + drive(b, "d1") +
                   ["-device", "virtio-blk-pci,drive=d0,addr=0x5",
                    "-device", "pcie-root-port,id=rp1,chassis=1,addr=0x6",
                    "-device", "virtio-blk-pci,drive=d1,bus=rp1"],
                   [r"^pci: ECAM at 0x[0-9a-f]+ for buses 00-ff \(ACPI MCFG\)$",
                    r"^virtio-blk: virtio0 at 00:05\.0, modern, 16 MiB",
                    r"^virtio-blk: virtio1 at 01:00\.0, modern, 16 MiB",
                    sector0("virtio0", ha), r"^blk: selftest: virtio0: ok",
                    sector0("virtio1", hb), r"^blk: selftest: virtio1: ok",
                    r"^blk: selftest: 2 passed, 0 failed$", PASSED], [a, b])


def t_two_disks():
    # One modern, one legacy; sector 0 tells them apart.
    with Tmp() as d:
        a, ha = make_image(d, "a", "PM-BLK-DISK-ONE")
        b, hb = make_image(d, "b", "PM-BLK-DISK-TWO")
        return run(drive(a, "d0") + drive(b, "d1") +
                   ["-device", "virtio-blk-pci,drive=d0,addr=0x4",
                    "-device", "virtio-blk-pci,drive=d1,addr=0x5,disable-modern=on"],
                   [r"^virtio-blk: virtio0 at 00:04\.0, modern, 16 MiB",
                    r"^virtio-blk: virtio1 at 00:05\.0, legacy, 16 MiB",
                    sector0("virtio0", ha), r"^blk: selftest: virtio0: ok",
                    sector0("virtio1", hb), r"^blk: selftest: virtio1: ok",
                    r"^blk: selftest: 2 passed, 0 failed$", PASSED], [a, b])


def t_bridge_4k_blocks():
    # Behind a PCI-to-PCI bridge (bus 1), with 4096-byte logical blocks:
    # capacity stays in 512-byte units on the wire, the blkdev has 4096 of 4 KiB.
    with Tmp() as d:
        img, head = make_image(d, "a", "PM-BLK-BRIDGE")
        return run(drive(img, "d0") +
                   ["-device", "pci-bridge,id=br1,chassis_nr=1",
                    "-device", "virtio-blk-pci,drive=d0,bus=br1,addr=0x3,"
                    "logical_block_size=4096,physical_block_size=4096"],
                   [r"^virtio-blk: virtio0 at 01:03\.0, modern, 16 MiB \(4096 sectors of 4096 bytes\)",
                    sector0("virtio0", head),
                    r"^blk: selftest: virtio0: ok: sectors 4088\+8 written",
                    r"^blk: selftest: 1 passed, 0 failed$", PASSED], [img])


def t_readonly():
    with Tmp() as d:
        img, head = make_image(d, "a", "PM-BLK-READONLY")
        return run(drive(img, "d0", ",readonly=on") + ["-device", "virtio-blk-pci,drive=d0"],
                   [r"^virtio-blk: virtio0 at .*, read-only",
                    sector0("virtio0", head),
                    r"^blk: selftest: virtio0: read-only: sectors %d\+8 read, write test skipped$"
                    % LAST8,
                    r"^blk: selftest: 1 passed, 0 failed$", PASSED], [img])


def t_no_disk():
    return run([], [r"^blk: no block devices found$", r"^blk: selftest: 0 passed, 0 failed$",
                    PASSED], [])


def blkdebug(d, img, rule):
    conf = os.path.join(d, "blkdebug.conf")
    with open(conf, "w") as f:
        f.write("[inject-error]\n" + "".join('%s = "%s"\n' % kv for kv in rule))
    return ["-drive", "file=blkdebug:%s:%s,format=raw,if=none,id=d0,werror=report,rerror=report"
            % (conf, img), "-device", "virtio-blk-pci,drive=d0"]


def t_write_error():
    # Every write fails with EIO: reported, nothing written, no hang.
    with Tmp() as d:
        img, head = make_image(d, "a", "PM-BLK-WRITE-EIO")
        return run(blkdebug(d, img, [("event", "write_aio"), ("errno", "5")]),
                   [sector0("virtio0", head),
                    r"^virtio-blk: virtio0: write of 8 sectors at %d failed: VIRTIO_BLK_S_IOERR" % LAST8,
                    r"^blk: selftest: virtio0: FAILED: write .* -5 \(EIO\)$",
                    r"^blk: selftest: 0 passed, 1 failed$", FAILED], [img])


def t_read_error():
    # Reads of the test area fail (sector 0 still reads).
    with Tmp() as d:
        img, head = make_image(d, "a", "PM-BLK-READ-EIO")
        return run(blkdebug(d, img, [("event", "read_aio"), ("errno", "5"),
                                     ("sector", str(LAST8 + 4))]),
                   [sector0("virtio0", head),
                    r"^virtio-blk: virtio0: read of 8 sectors at %d failed: VIRTIO_BLK_S_IOERR" % LAST8,
                    r"^blk: selftest: virtio0: FAILED: read of sectors %d\+8: -5 \(EIO\)$" % LAST8,
                    r"^blk: selftest: 0 passed, 1 failed$", FAILED], [img])


def t_flush_error_restores():
    # One flush fails after the pattern is written: reported, and the
    # original contents are still put back.
    with Tmp() as d:
        img, head = make_image(d, "a", "PM-BLK-FLUSH-EIO")
        return run(blkdebug(d, img, [("event", "flush_to_disk"), ("errno", "5"), ("once", "on")]),
                   [sector0("virtio0", head),
                    r"^virtio-blk: virtio0: flush failed: VIRTIO_BLK_S_IOERR",
                    r"^blk: selftest: virtio0: FAILED: flush after the pattern write .* -5 \(EIO\)$",
                    r"^blk: selftest: 0 passed, 1 failed$", FAILED], [img])


def t_timeout():
    # 400 bytes/s: a request of a few KiB outlasts the 5 s bound.  The
    # driver names the register that never moved, resets the device and
    # gives up on it; the run still ends and powers off.
    with Tmp() as d:
        img, _ = make_image(d, "a", "PM-BLK-SLOW")
        return run(drive(img, "d0", ",throttling.bps-total=400") +
                   ["-device", "virtio-blk-pci,drive=d0"],
                   [r"^virtio-blk: virtio0: .*: no completion in 5000 ms \(used ring idx stayed \d+, "
                    r"device_status 0x[0-9a-f]{2}\); device reset and disabled$",
                    r"^blk: selftest: virtio0: FAILED: .*\(ETIMEDOUT\)$",
                    r"^blk: selftest: 0 passed, 1 failed$", FAILED], [img], timeout=TCG_BOOT + 30)


def t_iso_ovmf_q35():
    # The multiboot2 ISO under OVMF, whose BAR placement differs from
    # SeaBIOS's: OVMF puts 64-bit BARs high (0xe000000000 on QEMU 7.2), past
    # what cpu_map_phys() reaches, so a transitional device may have to fall
    # back to legacy; either way it must be found, tested and restored.
    with Tmp() as d:
        img, head = make_image(d, "a", "PM-BLK-OVMF")
        iso = q.test_iso("after=poweroff pm.test=blkdev")
        before = digest(img)
        r = q.run_qemu(q.ovmf_args(d) + ["-M", "q35", "-cdrom", iso] + drive(img, "d0") +
                       ["-device", "virtio-blk-pci,drive=d0"],
                       [BANNER, r"^boot: multiboot2 via GRUB",
                        r"^pci: ECAM at 0x[0-9a-f]+ for buses 00-ff \(ACPI MCFG\)$",
                        r"^virtio-blk: virtio0 at 00:0[0-9a-f]\.0, (modern|legacy), 16 MiB",
                        sector0("virtio0", head), r"^blk: selftest: virtio0: ok",
                        r"^blk: selftest: 1 passed, 0 failed$", PASSED], TCG_UEFI, must_exit=True)
        if r.failure is None and digest(img) != before:
            r.failure = "a.img changed: the self-test did not restore it"
        return r


TESTS = [
    t_modern_pc, t_modern_only, t_legacy, t_q35_ecam, t_two_disks, t_bridge_4k_blocks,
    t_readonly, t_no_disk, t_write_error, t_read_error, t_flush_error_restores, t_timeout,
    t_iso_ovmf_q35,
]


if __name__ == "__main__":
    sys.exit(q.main(TESTS, "blk_test"))
