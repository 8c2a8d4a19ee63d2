#!/usr/bin/env python3
"""Boot-path tests (issue: bootable kernel): the bzImage by QEMU -kernel
under SeaBIOS, and the GRUB ISO under SeaBIOS and OVMF.  Each checks the
banner and the final "postmortem:" line, and how QEMU ended.

Prints one line per test and "boot_test: N passed, N failed" last.
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402

BZ = os.path.join(q.BUILD, "postmortem.bzImage")
BANNER = r"^postmortem \d+\.\d+\.\d+: crash and recovery kernel"
FINAL = r"^postmortem: "
TCG_BOOT = 60      # seconds: SeaBIOS + our kernel under TCG
TCG_UEFI = 180     # OVMF + GRUB under TCG


def bz(append):
    return ["-kernel", BZ, "-append", append]


def t_bzimage_poweroff():
    r = q.run_qemu(bz("console=ttyS0 after=poweroff"),
                   [BANNER, r"^boot: linux \(32-bit entry\) via QEMU, loaded at 0x100000",
                    r"^cmdline: console=ttyS0 after=poweroff$", r"^memory: .*usable",
                    r"^acpi: .*FADT found.*_S5 found", FINAL], TCG_BOOT, must_exit=True)
    return r


def t_bzimage_halt_stays():
    # Default after-action is halt: the final line, then QEMU keeps running.
    return q.run_qemu(bz("console=ttyS0"), [BANNER, FINAL], TCG_BOOT,
                      must_exit=False, settle=2.0)


def t_bzimage_reboot():
    # -no-reboot turns the reset into QEMU's exit.
    return q.run_qemu(bz("console=ttyS0 after=reboot"), [BANNER, FINAL], TCG_BOOT,
                      must_exit=True)


def t_bzimage_fault_report():
    r = q.run_qemu(bz("console=ttyS0 pm.test=fault after=poweroff"),
                   [BANNER, r"^pm.test=fault: reading 0x10000000000",
                    r"^trap: CPU exception 14 \(#PF page fault\), error code 0x0",
                    r"^  rip 0x[0-9a-f]{16} \(image\+0x[0-9a-f]+\)",
                    r"^  cr2 0x0000010000000000", r"^  rax [0-9a-f]{16}",
                    r"^  stack\+00: ",
                    r"^postmortem: run FAILED: CPU exception #PF page fault at rip 0x"],
                   TCG_BOOT, must_exit=True)
    return r


def t_bzimage_bad_cmdline():
    r = q.run_qemu(bz("console=ttyS0 after=sleep dump=floppy frobnicate=1 console=ttyS9 after=poweroff"),
                   [BANNER, r"^cmdline: .*after=.*sleep", r"^cmdline: .*dump=.*floppy",
                    r"^cmdline: ignoring unknown option 'frobnicate=1'",
                    r"^cmdline: .*ttyS9", FINAL], TCG_BOOT, must_exit=True)
    return r


def t_bzimage_inventory():
    return q.run_qemu(bz("console=ttyS0 pm.inventory after=poweroff"),
                      [BANNER, r"^  \[mem 0x0000000000000000-0x[0-9a-f]+\] usable",
                       r"^postmortem: inventory complete"], TCG_BOOT, must_exit=True)


def t_bzimage_high_memory():
    # More than 4 GiB of RAM: the e820 map above 4 GiB is read and summed.
    return q.run_qemu(bz("console=ttyS0 after=poweroff pm.inventory"),
                      [BANNER, r"^  \[mem 0x0000000100000000-0x[0-9a-f]+\] usable", FINAL],
                      TCG_BOOT, must_exit=True, mem="4608")


def t_bzimage_cpu_max():
    # -cpu max offers every CPU feature TCG has (5-level paging, SMEP,
    # SMAP, PKU, ...): the 32-bit entry still builds 4-level tables.
    return q.run_qemu(["-cpu", "max"] + bz("console=ttyS0 after=poweroff dump=none"),
                      [BANNER, r"^cpu: APIC ID 0 \(xAPIC\), 4-level paging; entered with ",
                       r"^acpi: .*_S5 found", FINAL], TCG_BOOT, must_exit=True)


CR4_BITS = {"PGE": 7, "UMIP": 11, "FSGSBASE": 16, "PCIDE": 17, "OSXSAVE": 18, "SMEP": 20,
            "SMAP": 21, "PKE": 22, "CET": 23, "PKS": 24}


def reentry(emulator, apic):
    """pm.test=reentry under `emulator`: the copy must be entered in `apic`
    mode, with every CR4 bit the first run says it set."""
    r = q.run_qemu(["-cpu", "max", "-initrd", BZ] +
                   bz("console=ttyS0 after=poweroff dump=none pm.test=reentry"),
                   [BANNER, r"^boot: linux \(32-bit entry\)",
                    r"^pm.test=reentry: starting the copy at 0x[0-9a-f]+ through its 64-bit entry with CR4 .*SMEP SMAP"
                    r".*RFLAGS\.DF and IF set",
                    BANNER, r"^boot: linux \(64-bit entry\) via QEMU, loaded at 0x[0-9a-f]+",
                    r"^cpu: APIC ID 0 \(%s\), 4-level paging; entered with " % apic,
                    r"^acpi: .*_S5 found", r"^postmortem: dump skipped \(dump=none\)"],
                   TCG_BOOT, must_exit=True, emulator=emulator)
    if r.failure is None and r.skipped is None:
        said = next(ln for ln in r.lines if ln.startswith("pm.test=reentry: starting"))
        m = [re.search(r"entered with CR0 (0x[0-9a-f]+) CR4 (0x[0-9a-f]+) EFER (0x[0-9a-f]+)", ln)
             for ln in r.lines if ln.startswith("cpu: ")][-1]
        cr0, cr4, efer = (int(x, 16) for x in m.groups())
        want = {"CR0.TS": cr0 & 0x8, "CR4.SMEP": cr4 & (1 << 20), "CR4.SMAP": cr4 & (1 << 21),
                "CR4.PGE": cr4 & (1 << 7), "EFER.NXE": efer & (1 << 11)}
        # Every CR4 bit the first run set (CPUID decides which) reached the copy.
        bits = re.search(r" with CR4 (.*?) on,", said).group(1).split()
        want.update(("CR4." + b, cr4 & (1 << CR4_BITS[b])) for b in bits)
        if apic == "x2APIC" and ("x2APIC mode," not in said or "through the x2APIC MSRs)" not in said):
            want["x2APIC mode (the first run did not switch first, then mask through the MSRs)"] = 0
        missing = [k for k, v in want.items() if not v]
        if missing:
            r.failure = "the copy was not entered with %s" % ", ".join(missing)
    return r


def t_bzimage_reentry_hostile_state():
    # pm.test=reentry: the first run starts a copy of the bzImage (given as
    # the initrd) through the 64-bit entry with every CR4 bit -cpu max has
    # set, CR0.TS, EFER.NXE, a foreign GDT and IDT, RSP 0, DF and IF set
    # (the 8259s and the LAPIC timer and LINT0 masked, so nothing fires into
    # the foreign IDT before the entry's cli); the copy must say it was
    # entered so and run to the end.  QEMU 7.2's TCG has no x2APIC.
    return reentry(None, "xAPIC")


def t_bzimage_reentry_x2apic():
    # The same under QEMU 10 (scripts/qemu10.sh), whose TCG -cpu max has
    # x2APIC: the first run switches the local APIC to x2APIC mode, masks
    # its LVT timer and LINT0 through the x2APIC MSRs, and the copy must
    # run in x2APIC mode.
    return reentry("qemu10", "x2APIC")


def t_iso_seabios_cpu_max():
    iso = q.test_iso("after=poweroff dump=none")
    return q.run_qemu(["-cpu", "max", "-cdrom", iso],
                      [BANNER, r"^boot: multiboot2 via GRUB", r"^cpu: APIC ID 0 \(.*\), 4-level paging",
                       FINAL], TCG_BOOT, must_exit=True)


def t_iso_seabios_poweroff():
    iso = q.test_iso("after=poweroff dump=none")
    return q.run_qemu(["-cdrom", iso],
                      [BANNER, r"^boot: multiboot2 via GRUB", r"^memory: .*from multiboot2",
                       r"^acpi: .*_S5 found", FINAL], TCG_BOOT, must_exit=True)


def t_iso_seabios_fault():
    iso = q.test_iso("after=poweroff pm.test=fault")
    return q.run_qemu(["-cdrom", iso],
                      [BANNER, r"^boot: multiboot2", r"^trap: CPU exception 14",
                       r"^postmortem: run FAILED: CPU exception"], TCG_BOOT, must_exit=True)


def t_iso_ovmf_poweroff():
    iso = q.test_iso("after=poweroff dump=none console=tty0")
    with tempfile.TemporaryDirectory() as d:
        return q.run_qemu(q.ovmf_args(d) + ["-cdrom", iso],
                          [BANNER, r"^boot: multiboot2 via GRUB", r"^console: ttyS0 fb0",
                           r"^efi: system table at 0x[0-9a-f]+",
                           r"^acpi: .*rev 2.*XSDT.*_S5 found", FINAL], TCG_UEFI, must_exit=True)


def t_iso_ovmf_fault():
    iso = q.test_iso("after=poweroff pm.test=fault")
    with tempfile.TemporaryDirectory() as d:
        return q.run_qemu(q.ovmf_args(d) + ["-cdrom", iso],
                          [BANNER, r"^trap: CPU exception 14",
                           r"^postmortem: run FAILED: CPU exception"], TCG_UEFI, must_exit=True)


def t_iso_shipped_menu_default():
    # The ISO users get: the default entry boots by itself after the menu timeout.
    iso = os.path.join(q.BUILD, "postmortem.iso")
    return q.run_qemu(["-cdrom", iso], [BANNER, r"^cmdline: console=ttyS0,115200 console=tty0 dump=serial after=halt",
                                        FINAL], TCG_BOOT + 10, must_exit=False, settle=1.0)


TESTS = [
    t_bzimage_poweroff, t_bzimage_halt_stays, t_bzimage_reboot, t_bzimage_fault_report,
    t_bzimage_bad_cmdline, t_bzimage_inventory, t_bzimage_high_memory, t_bzimage_cpu_max,
    t_bzimage_reentry_hostile_state, t_bzimage_reentry_x2apic,
    t_iso_seabios_poweroff, t_iso_seabios_cpu_max, t_iso_seabios_fault, t_iso_shipped_menu_default,
    t_iso_ovmf_poweroff, t_iso_ovmf_fault,
]


if __name__ == "__main__":
    sys.exit(q.main(TESTS, "boot_test"))
