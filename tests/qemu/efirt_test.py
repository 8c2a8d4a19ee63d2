#!/usr/bin/env python3
r"""EFI runtime services tests (kernel/efirt.c, docs/efirt.md).

  ovmf_selftest     the ISO under OVMF (GRUB: physical mode) with pm.test=efirt
                    and a private copy of OVMF_VARS_4M.fd as pflash unit 1: the
                    mode line, OsIndicationsSupported, the test variable
                    written, read back and deleted, the capsule-on-disk request,
                    "efirt: test passed"; then the VARS file itself, read here
                    (EDK2 variable store), must hold OsIndications with bit 0x4
  ovmf_reboot       after=reboot under OVMF with -no-reboot: ResetSystem is tried
                    first and QEMU exits without any fallback having been tried
  ovmf_fw_fault     pm.test=efirt-fault after=reboot: the firmware itself page
                    faults; the exception report names the service, ResetSystem
                    is skipped and the hardware reset still ends the run
  seabios_bzimage   bzImage by -kernel under SeaBIOS, after=reboot: no runtime
                    services, and the fallbacks reset the machine
  seabios_iso       the ISO under SeaBIOS, the same
  ovmf_kexec_virtual
                    virtual mode: Debian's Linux (which called
                    SetVirtualAddressMap) boots under OVMF, loads postmortem
                    with `postmortem load` (kexec_load) and pm.test=efirt,
                    panics; postmortem must find the runtime services at
                    Linux's VAs, pass the same test through them, and reset
                    with ResetSystem in virtual mode.  The guest is built
                    afresh around this build (scripts/mkguest.py, from the
                    .cache/guest download cache) in a temporary directory.

Every expected line, the way QEMU ended, and each line that must NOT appear
is one check; the last line is "efirt_test: N passed, N failed".

For the kexec harness (tests/qemu/linux_test.py), the lines that show
virtual mode worked are, in order:
  ^efirt: virtual mode: RuntimeServices 0xffff[0-9a-f]+ lies in the VA range
  ^efirt: runtime services v\d+\.\d\d \(virtual mode\)$
and, with pm.test=efirt, "^efirt: test passed$"; with after=reboot,
"^after: trying EFI ResetSystem\(EfiResetCold\) \(virtual mode\)$" then
QEMU's exit with no "after: trying the ACPI" line.  The unit tests
(tests/unit/efirt_map_test.c) cover the decision and the VA-to-PA
translation for a Linux-shaped runtime map.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402

BZ = os.path.join(q.BUILD, "postmortem.bzImage")
BANNER = r"^postmortem \d+\.\d+\.\d+: crash and recovery kernel"
PHYS_WHY = r"^efirt: physical mode: no runtime region of \d+ from .* carries a virtual address, " \
           r"and RuntimeServices 0x[0-9a-f]+ lies in a Runtime\w+ region$"
PHYS_LINE = r"^efirt: runtime services v2\.\d\d \(physical mode\)$"
NOT_AVAIL = r"^efirt: runtime services not available: no EFI system table"
TCG_BOOT = 60      # seconds: SeaBIOS + our kernel under TCG
TCG_UEFI = 180     # OVMF + GRUB under TCG (10-20 s here, more on a loaded host)
TCG_KEXEC = 420    # OVMF + Debian's Linux + kexec + us (15-30 s here; linux_test.py's budget)

GLOBAL_GUID = bytes.fromhex("61dfe48bca93d211aa0d00e098032b8c")   # 8BE4DF61-93CA-11D2-AA0D-00E098032B8C
VAR_ADDED = 0x3F


class Checks:
    """Named checks of one test; a test fails when any check does."""
    def __init__(self, name):
        self.name = name
        self.items = []

    def add(self, what, ok, detail=""):
        self.items.append((what, bool(ok), detail))


def ovmf_private(tmpdir):
    """OVMF code read-only as pflash unit 0, a private VARS copy as unit 1."""
    vars_copy = os.path.join(tmpdir, "OVMF_VARS.fd")
    shutil.copyfile(q.OVMF_VARS, vars_copy)
    return vars_copy, ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + q.OVMF_CODE,
                       "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]


def expect_in_order(c, r, patterns):
    """One check per pattern: seen, after the previous one."""
    i = 0
    for p in patterns:
        rx = re.compile(p)
        j = i
        while j < len(r.lines) and not rx.search(r.lines[j]):
            j += 1
        c.add("line /%s/" % p, j < len(r.lines))
        if j < len(r.lines):        # a missing line does not hide the ones after it
            i = j + 1


def expect_absent(c, r, pattern):
    rx = re.compile(pattern)
    hit = [s for s in r.lines if rx.search(s)]
    c.add("no line /%s/" % pattern, not hit, hit[0] if hit else "")


def expect_exit(c, r):
    c.add("QEMU ended by itself (reset or power-off)", r.exited is not None,
          r.failure or "exit %s" % r.exited)


def varstore_u64(path, name, guid):
    """Values of the live (State ADDED) 8-byte variable `name` under `guid`
    in an EDK2 variable store image (authenticated or plain headers,
    MdeModulePkg/Include/Guid/VariableFormat.h)."""
    data = open(path, "rb").read()
    key = name.encode("utf-16-le") + b"\0\0"
    found = []
    at = data.find(key)
    while at >= 0:
        # AUTHENTICATED_VARIABLE_HEADER is 60 bytes, VARIABLE_HEADER 32.
        for hsize, off in ((60, 36), (32, 8)):
            h = at - hsize
            if h < 0 or data[h:h + 2] != b"\xaa\x55":
                continue
            state = data[h + 2]
            name_size, data_size = struct.unpack_from("<II", data, h + off)
            g = data[h + off + 8:h + off + 24]
            if name_size == len(key) and data_size == 8 and g == guid and state == VAR_ADDED:
                found.append(struct.unpack_from("<Q", data, at + len(key))[0])
        at = data.find(key, at + 1)
    return found


def t_ovmf_selftest():
    c = Checks("ovmf_selftest")
    iso = q.test_iso("pm.test=efirt after=poweroff dump=none")
    with tempfile.TemporaryDirectory() as d:
        vars_copy, args = ovmf_private(d)
        r = q.run_qemu(args + ["-cdrom", iso],
                       [BANNER, r"^postmortem: efirt test"], TCG_UEFI, must_exit=True)
        expect_in_order(c, r, [
            BANNER, r"^boot: multiboot2 via GRUB", PHYS_WHY, PHYS_LINE,
            r"^efirt: OsIndicationsSupported=0x[0-9a-f]+ \(attributes 0x[0-9a-f]+\)$",
            r"^efirt: OsIndications(=0x[0-9a-f]+ \(attributes| absent \(EFI_NOT_FOUND\))",
            r"^efirt: PostmortemTest written and read back \(0x[0-9a-f]+, attributes 0x7\)$",
            r"^efirt: (firmware does not advertise capsule-on-disk \(OsIndicationsSupported=0x[0-9a-f]+\); "
            r"setting the request anyway|firmware advertises capsule-on-disk)",
            r"^efirt: capsule-on-disk requested: OsIndications 0x[0-9a-f]+ -> 0x[0-9a-f]+$",
            r"^efirt: [1-9]\d* runtime regions read the same through upper-half aliases",
            r"^efirt: GetVariable called at its upper-half alias 0xffffc[0-9a-f]+ answers the same",
            r"^efirt: test passed$", r"^postmortem: efirt test complete$"])
        expect_absent(c, r, r"FAILED|^trap:")
        expect_exit(c, r)
        m = [re.search(r"OsIndicationsSupported=(0x[0-9a-f]+) \(", s) for s in r.lines]
        m = [x for x in m if x]
        c.supported = m[0].group(1) if m else "?"
        vals = varstore_u64(vars_copy, "OsIndications", GLOBAL_GUID)
        c.add("VARS file holds OsIndications (NV) with bit 0x4", any(v & 4 for v in vals),
              "live values found: %s" % [hex(v) for v in vals])
        c.add("VARS file holds no live PostmortemTest (deleted)",
              not varstore_u64(vars_copy, "PostmortemTest",
                               bytes.fromhex("2b9b695c9d89ba49b0fba73ba3d216da")))
    c.result = r
    return c


def t_ovmf_reboot():
    c = Checks("ovmf_reboot")
    iso = q.test_iso("after=reboot dump=none")
    with tempfile.TemporaryDirectory() as d:
        _, args = ovmf_private(d)
        r = q.run_qemu(args + ["-cdrom", iso],
                       [BANNER, r"^after: trying EFI ResetSystem"], TCG_UEFI, must_exit=True)
    expect_in_order(c, r, [BANNER, PHYS_LINE, r"^postmortem: dump skipped",
                           r"^after: trying EFI ResetSystem\(EfiResetCold\) \(physical mode\)$"])
    expect_exit(c, r)
    # Had ResetSystem returned, these would follow it (each fallback waits 500 ms first).
    expect_absent(c, r, r"^after: EFI ResetSystem returned")
    expect_absent(c, r, r"^after: trying the ACPI FADT reset register")
    expect_absent(c, r, r"^after: trying reset port 0xCF9")
    c.result = r
    return c


def t_ovmf_fw_fault():
    c = Checks("ovmf_fw_fault")
    iso = q.test_iso("pm.test=efirt-fault after=reboot dump=none")
    with tempfile.TemporaryDirectory() as d:
        _, args = ovmf_private(d)
        r = q.run_qemu(args + ["-cdrom", iso],
                       [BANNER, r"^postmortem: run FAILED"], TCG_UEFI, must_exit=True)
    expect_in_order(c, r, [
        PHYS_LINE, r"^pm.test=efirt-fault: calling GetVariable with its name at 0x10000000000",
        r"^trap: CPU exception 14 \(#PF page fault\)", r"^  cr2 0x0000010000000000",
        r"^  stack\+00: ",
        r"^  inside the EFI runtime service GetVariable \(physical mode\)",
        r"^postmortem: run FAILED: CPU exception #PF page fault at rip 0x",
        r"^after: skipping EFI ResetSystem: GetVariable faulted inside the firmware$",
        r"^after: trying the ACPI FADT reset register$"])
    expect_absent(c, r, r"^after: trying EFI ResetSystem")
    expect_absent(c, r, r"^efirt: GetVariable returned")
    expect_exit(c, r)
    c.result = r
    return c


def seabios(name, args):
    c = Checks(name)
    r = q.run_qemu(args, [BANNER, r"^postmortem: "], TCG_BOOT, must_exit=True)
    expect_in_order(c, r, [BANNER, NOT_AVAIL, r"^postmortem: dump skipped",
                           r"^after: EFI ResetSystem not available \(no runtime services\)$",
                           r"^after: trying the ACPI FADT reset register$"])
    expect_absent(c, r, r"^after: trying EFI ResetSystem")
    expect_exit(c, r)
    c.result = r
    return c


def t_seabios_bzimage():
    return seabios("seabios_bzimage", ["-kernel", BZ, "-append", "console=ttyS0 after=reboot dump=none"])


def t_seabios_iso():
    return seabios("seabios_iso", ["-cdrom", q.test_iso("after=reboot dump=none")])


def t_ovmf_kexec_virtual():
    c = Checks("ovmf_kexec_virtual")
    with tempfile.TemporaryDirectory() as d:
        guest = os.path.join(d, "guest")
        b = subprocess.run([sys.executable, os.path.join(q.ROOT, "scripts", "mkguest.py"), guest],
                           capture_output=True, text=True)
        c.add("guest built around this build (scripts/mkguest.py)", b.returncode == 0,
              (b.stdout + b.stderr)[-300:])
        if b.returncode != 0:
            c.result = q.Result()
            return c
        vars_copy, args = ovmf_private(d)
        append = ("console=ttyS0,115200 crashkernel=64M panic=0 "
                  "pmload=--dump=none,--after=reboot,--append=pm.test=efirt")
        r = q.run_qemu(args + ["-machine", "q35", "-smp", "2",
                               "-kernel", os.path.join(guest, "vmlinuz"),
                               "-initrd", os.path.join(guest, "initrd.img"), "-append", append],
                       [r"^guest: postmortem loaded", BANNER, r"^after: "], TCG_KEXEC,
                       must_exit=True, mem="512")
        expect_in_order(c, r, [
            r"^guest: postmortem loaded", r"sysrq: Trigger a crash", BANNER,
            r"^boot: linux \(64-bit entry\) via kexec",
            r"^efirt: virtual mode: RuntimeServices 0xffff[0-9a-f]+ lies in the VA range of a "
            r"Runtime\w+ region \(VA 0xffff[0-9a-f]+ = PA 0x[0-9a-f]+\); \d+ of \d+ runtime regions",
            r"^efirt: runtime services v2\.\d\d \(virtual mode\)$",
            r"^efirt: OsIndicationsSupported=0x[0-9a-f]+ \(attributes 0x[0-9a-f]+\)$",
            r"^efirt: PostmortemTest written and read back \(0x[0-9a-f]+, attributes 0x7\)$",
            r"^efirt: capsule-on-disk requested: OsIndications 0x[0-9a-f]+ -> 0x[0-9a-f]+$",
            r"^efirt: [1-9]\d* runtime regions read the same through upper-half aliases",
            r"^efirt: GetVariable is already called at its virtual address 0xffff[0-9a-f]+$",
            r"^efirt: test passed$", r"^postmortem: efirt test complete$",
            r"^after: trying EFI ResetSystem\(EfiResetCold\) \(virtual mode\)$"])
        expect_absent(c, r, r"FAILED|^trap:|^efirt: runtime services not available")
        expect_absent(c, r, r"^after: EFI ResetSystem returned")
        expect_absent(c, r, r"^after: trying the ACPI FADT reset register")
        expect_exit(c, r)
        vals = varstore_u64(vars_copy, "OsIndications", GLOBAL_GUID)
        c.add("VARS file holds OsIndications with bit 0x4 (written in virtual mode)",
              any(v & 4 for v in vals), "live values found: %s" % [hex(v) for v in vals])
    c.result = r
    return c


TESTS = [t_ovmf_selftest, t_ovmf_reboot, t_ovmf_fw_fault, t_seabios_bzimage, t_seabios_iso,
         t_ovmf_kexec_virtual]


def main():
    only = sys.argv[1:]
    passed = failed = 0
    try:
        for t in TESTS:
            if only and t.__name__ not in only and t.__name__[2:] not in only:
                continue
            c = t()
            bad = [i for i in c.items if not i[1]]
            for what, ok, detail in c.items:
                print("%s %s: %s%s" % ("ok  " if ok else "FAIL", c.name, what,
                                       " (%s)" % detail if detail and not ok else ""))
            if c.name == "ovmf_selftest":
                print("     ovmf_selftest: OVMF reports OsIndicationsSupported=%s" % c.supported)
            if bad:
                for line in c.result.lines[-30:]:
                    print("    | " + line)
            passed += len(c.items) - len(bad)
            failed += len(bad)
            sys.stdout.flush()
    finally:
        q.cleanup()
    print("efirt_test: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
