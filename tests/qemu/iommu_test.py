#!/usr/bin/env python3
"""postmortem booted directly (-kernel, no crashed OS before it) on a q35
machine with an IOMMU that nobody turned on: QEMU's intel-iommu (with a
modern-only virtio-blk-pci and an NVMe disk whose DMA goes through it) and
QEMU's amd-iommu.  The IOMMU is found from ACPI (DMAR, IVRS), reported in
one calm "translation off already" line and left alone; nothing says a
unit was translating or a request went unanswered, and the dump is
written to the disk and read back by savecore with the kernel's digest.

A disk that never answers (throttled to 50 bytes/s) next to the idle
intel-iommu: the timeout line says the IOMMU was present and not
translating, and the fallback to serial names the disk and that cause.

(The case where a crashed Linux left VT-d translating is linux_test.py's
bios-intel-iommu.)

Prints one line per test and "iommu_test: N passed, N failed" last.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402
import disk_dump_test as dd  # noqa: E402

# Lines that would mean postmortem saw, or caused, trouble with the IOMMU.
ALARMS = ("was translating", "did NOT turn off", "no completion", "still set after",
          "left alone", "malformed", "bus mastering turned off")


VTD_IDLE = "iommu: VT-d unit at 0xfed90000: translation off already; nothing to do"


def dump_behind(name, iommu, unit_line, drive_args, append=""):
    """Dump to `name`'s disk on q35 with `iommu`; `unit_line` must be printed."""
    img = dd.disk(name)
    res, got = dd.dump_and_check(name, drive_args(img), machine=["-M", "q35", "-device", iommu],
                                 append=append)
    if res.failure is None and not any(unit_line in ln for ln in res.lines):
        res.failure = "no line %r" % unit_line
    alarm = next((ln for ln in res.lines if any(a in ln for a in ALARMS)), None)
    if res.failure is None and alarm:
        res.failure = "alarming line: " + alarm
    return dd.extract_and_verify(res, img, got) if got and res.failure is None else res


def t_intel_iommu_off_virtio_writes_normally():
    return dump_behind("vtd-virtio", "intel-iommu", VTD_IDLE, lambda img: [
        "-drive", "file=%s,format=raw,if=none,id=d0" % img,
        "-device", "virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on"])


def t_intel_iommu_off_nvme_writes_normally():
    return dump_behind("vtd-nvme", "intel-iommu", VTD_IDLE, lambda img: [
        "-drive", "file=%s,format=raw,if=none,id=n0" % img,
        "-device", "nvme,serial=pm1,drive=n0"], append="dump=disk:nvme0n1p2")


def t_amd_iommu_off_virtio_writes_normally():
    return dump_behind("amdvi-virtio", "amd-iommu",
                       "iommu: AMD-Vi unit at 0xfed80000: translation off already; nothing to do",
                       lambda img: ["-drive", "file=%s,format=raw,if=none,id=d0" % img,
                                    "-device", "virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on"])


def t_stalled_disk_fallback_names_the_cause():
    # 50 bytes/s: the first read (one sector) outlasts the 5 s bound.  The
    # timeout line says what the IOMMU was doing, and the fallback to serial
    # names the disk that never answered instead of only "not found".
    img = dd.disk("vtd-stalled")
    note = r" \(an IOMMU is present, not translating\)"
    return q.run_qemu(["-M", "q35", "-device", "intel-iommu", "-kernel", dd.BZ,
                       "-append", "console=ttyS0 after=poweroff",
                       "-drive", "file=%s,format=raw,if=none,id=d0,throttling.bps-total=50" % img,
                       "-device", "virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on"],
                      [dd.BANNER, "^" + VTD_IDLE,
                       r"^virtio-blk: virtio0: read of .*: no completion in 5000 ms" + note,
                       r"^dump: no postmortem dump partition found: virtio0 gave no completion for "
                       r"read of .*" + note + "; falling back to serial ttyS0", dd.ANY_COMPLETE],
                      120, must_exit=True)


TESTS = [t_intel_iommu_off_virtio_writes_normally, t_intel_iommu_off_nvme_writes_normally,
         t_amd_iommu_off_virtio_writes_normally, t_stalled_disk_fallback_names_the_cause]

if __name__ == "__main__":
    sys.exit(q.main(TESTS, "iommu_test"))
