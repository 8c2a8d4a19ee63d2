#!/usr/bin/env python3
"""The second CPU (kernel/smp.c, docs/smp.md) in QEMU, booted directly:

  t_smp1            -smp 1: one line saying there is no other CPU
  t_smp2            -smp 2: APIC ID 1 started (xAPIC); smp=test's SHA-256
                    on both CPUs matches
  t_smp4_cpu_max    -smp 4 -cpu max (QEMU 7.2): the same with every CPU
                    feature TCG has
  t_smp_off         smp=off, and the default (auto) with no dump: one line,
                    no CPU started
  t_x2apic          QEMU 10 (x2APIC in TCG): pm.test=reentry's copy runs
                    in x2APIC mode and starts the CPU through the x2APIC ICR
  t_efi_stub        OVMF starts the bzImage as an EFI application, -smp 2:
                    the CPU OVMF parked is started the same way
  t_iso_grub        the ISO (GRUB, multiboot2), -smp 2
  t_dump_low_page   a pattern planted in the page the start-up code borrows
                    is in the dump byte for byte (the page is put back
                    before anything is dumped), -smp 2 with smp on; the
                    dump's low memory is the same as with smp=off
  t_hang_timeout    smp=test-hang: a CPU that starts but never reaches
                    64-bit mode costs one line and the limit; the page is
                    put back and the dump written
  t_disk_pages_hashed  the kdump-compressed file to a dump partition, -smp 2,
                    the default smp=auto: the second CPU is started when the
                    dump begins, compresses batches of pages and hashes
                    them as they are written (two-part digest, nothing
                    read back but the headers and descriptors); savecore
                    checks it, the planted pages are in the file
  t_auto_no_work    smp=auto, -smp 2, the ELF core to a dump partition and
                    the kdump-compressed file over serial: no CPU started
  t_sha_extensions  QEMU 10 -cpu max: the SHA extensions are checked,
                    timed against our C rounds and, slower under TCG, left
                    for them; the dump's two-part digest holds
  t_work_stall      smp=test-stall: the second CPU takes its first job (a
                    batch of pages to compress) and never finishes; after
                    smp_wait_for's limit one line, INIT, and the same dump,
                    compressed and hashed on the boot CPU

5-level paging and a crash on a CPU other than the boot CPU come through
Linux: tests/qemu/linux_test.py bios-max-la57-cpu3 and bios-qemu10-x2apic
run with smp=test.  Prints one line per test and "smp_test: N passed,
N failed" last.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dump_test as d  # noqa: E402
import dumpcheck  # noqa: E402
import qemutest as q  # noqa: E402

BZ = q.BZIMAGE
BANNER = q.BANNER
TIMEOUT = 90
STARTED = r"^smp: CPU with APIC ID 1 started \(%s, page 0x[0-9a-f]+, \d+ us\); %d CPUs enabled in the MADT$"
PASSED = (r"^smp: test passed: CPU 1 and this CPU each hashed our image \(\d+ KiB\) in parallel in \d+ ms "
          r"\(one alone: \d+ ms\); SHA-256 [0-9a-f]{8}\.\.\. on both$")
# QEMU -kernel: conventional memory ends at 0x9fc00 (SeaBIOS's EBDA above),
# so the highest whole RAM page below 640 KiB is 0x9e000.
LOW_PAGE = 0x9e000
# Low pages that differ between any two boots: SeaBIOS's stack (timer
# values) and QEMU's copy of the command line (smp=on against smp=off).
NOISE_PAGES = {0x6000, 0x20000}


def boot(append, expect, smp, qemu=(), emulator=None):
    return q.run_qemu(list(qemu) + ["-smp", str(smp), "-kernel", BZ, "-append",
                                    "console=ttyS0 after=poweroff dump=none " + append],
                      [BANNER] + expect + [r"^postmortem: dump skipped \(dump=none\)"],
                      TIMEOUT, must_exit=True, emulator=emulator)


def no_line(res, pattern, why):
    if res.failure is None and any(re.search(pattern, ln) for ln in res.lines):
        res.failure = why
    return res


def t_smp1():
    r = boot("smp=test", [r"^smp: no other CPU: the MADT lists only this one$",
                          r"^smp: test: no second CPU to test"], 1)
    return no_line(r, r"started", "a CPU was started with -smp 1")


def t_smp2():
    return boot("smp=test", [STARTED % ("xAPIC", 2), PASSED], 2)


def t_smp4_cpu_max():
    return boot("smp=test", [r"^cpu: APIC ID 0 \(xAPIC\)", STARTED % ("xAPIC", 4), PASSED], 4,
                qemu=["-cpu", "max"])


def t_smp_off():
    # smp=off, and the default (auto: started only when the dump has work
    # for a second CPU; dump=none has none)
    r = boot("smp=off", [r"^smp: off \(smp=off"], 2)
    r = no_line(r, r"^smp: CPU with", "smp=off started a CPU")
    if r.failure is None:
        r = boot("", [r"^smp: auto: one more CPU is started if the dump has work for it"], 2)
        r = no_line(r, r"^smp: CPU with", "the default started a CPU without work for it")
    return r


def t_x2apic():
    # The first run switches to x2APIC mode and enters a copy of the image
    # (given as the initrd) through the 64-bit entry; the copy starts APIC
    # ID 1 with IPIs through MSR 0x830.
    return boot("pm.test=reentry smp=test",
                [r"^pm.test=reentry: starting the copy .* x2APIC mode,", BANNER,
                 r"^cpu: APIC ID 0 \(x2APIC\)", STARTED % ("x2APIC", 2), PASSED], 2,
                qemu=["-cpu", "max", "-initrd", BZ], emulator="qemu10")


def t_efi_stub():
    # Started by OVMF as an EFI application (no crashed kernel): the other
    # CPU is where the firmware parked it after ExitBootServices.
    with tempfile.TemporaryDirectory() as tmp:
        return boot("smp=test", [r"^boot: UEFI application", STARTED % ("xAPIC", 2), PASSED], 2,
                    qemu=q.ovmf_args(tmp) + ["-machine", "q35", "-nic", "none"])


def t_iso_grub():
    # The ISO: GRUB's multiboot2 entry, SeaBIOS, two CPUs.
    iso = q.test_iso("console=ttyS0 after=poweroff dump=none smp=test")
    return q.run_qemu(["-smp", "2", "-cdrom", iso],
                      [BANNER, r"^boot: multiboot2 via GRUB", STARTED % ("xAPIC", 2), PASSED,
                       r"^postmortem: dump skipped \(dump=none\)"], TIMEOUT, must_exit=True)


def low_dump(name, plants, smp):
    """As dump_test.serial_dump, with two CPUs: the capture is the serial
    port.  Returns (Result, console text, core file)."""
    cap = os.path.join(d.TMP, name + ".cap")
    core = os.path.join(d.TMP, name + ".core")
    args = ["-smp", "2", "-kernel", BZ, "-append",
            "console=ttyS0 dump=serial after=poweroff dump.format=elf smp=" + smp,
            "-chardev", "file,id=cap,path=" + cap, "-serial", "chardev:cap"]
    for p in plants:
        args += p.arg()
    res = q.run_qemu(args, [], TIMEOUT * 2, must_exit=True, serial_stdio=False)
    text = open(cap, "rb").read().decode("latin-1") if os.path.exists(cap) else ""
    if res.failure is None:
        r = subprocess.run([d.TOOL, "recv", cap, "-o", core], capture_output=True, text=True)
        if r.returncode != 0:
            res.failure = "recv failed: " + r.stdout[-300:] + r.stderr[-300:]
    return res, text, core


def t_dump_low_page():
    plants = [d.Plant("smp-low", LOW_PAGE, 4096, 11), d.Plant("smp-mid", 0x2000000, 64 << 10, 12)]
    res, text, core = low_dump("smp-low", plants, "on")
    if res.failure:
        return res
    res.lines = [ln for ln in text.split("\n")[:80] if ln.isprintable()]
    m = re.search(r"^smp: CPU with APIC ID 1 started \(xAPIC, page (0x[0-9a-f]+),", text, re.M)
    if m is None:
        res.failure = "no 'smp: CPU with APIC ID 1 started' line before the dump"
        return res
    if int(m.group(1), 16) != LOW_PAGE:
        res.failure = "the start-up page is %s, not 0x%x where the pattern is" % (m.group(1), LOW_PAGE)
        return res
    if "postmortem: dump complete" not in text:
        res.failure = "no 'postmortem: dump complete' line in the capture"
        return res
    res.failure = d.check_planted(core, plants)
    if res.failure:
        return res
    # The same boot with smp=off: the dump's low memory is page for page
    # the same, but for two pages that differ from any boot to the next.
    off, _, core_off = low_dump("smp-low-off", plants, "off")
    if off.failure:
        return off
    lo, hi = 0x1000, LOW_PAGE + 0x1000
    a = dumpcheck.read_phys(core, dumpcheck.read_loads(core), lo, hi - lo)
    b = dumpcheck.read_phys(core_off, dumpcheck.read_loads(core_off), lo, hi - lo)
    if a is None or b is None:
        res.failure = "low memory [0x%x, 0x%x) is not all in the dumps" % (lo, hi)
        return res
    diff = [lo + i for i in range(0, hi - lo, 4096) if a[i:i + 4096] != b[i:i + 4096]]
    diff = [hex(p) for p in diff if p not in NOISE_PAGES]
    if diff:
        res.failure = "low memory differs between smp=on and smp=off dumps at pages %s" % diff[:8]
    return res


def t_hang_timeout():
    # smp=test-hang: the CPU gives its sign of life, then spins before
    # 64-bit mode.  After the limit: one line, INIT again, the page put
    # back (the pattern in it is in the dump), and the dump goes on.
    plants = [d.Plant("smp-hang", LOW_PAGE, 4096, 13)]
    res, text, core = low_dump("smp-hang", plants, "test-hang")
    if res.failure:
        return res
    res.lines = [ln for ln in text.split("\n")[:80] if ln.isprintable()]
    want = (r"^smp: CPU with APIC ID 1 not used: it started but did not reach 64-bit mode "
            r"\(within \d+ ms, page 0x%x\); going on with one CPU\r?$" % LOW_PAGE)
    if not re.search(want, text, re.M):
        res.failure = "no /%s/ line" % want
    elif "postmortem: dump complete" not in text:
        res.failure = "no 'postmortem: dump complete' line after the timeout"
    else:
        res.failure = d.check_planted(core, plants)
    return res


def disk_dump(name, smp, expect, qemu=(), emulator=None):
    """A kdump-compressed dump to a dump partition with two CPUs: (result,
    the kernel's digest, the saved file, the plants, savecore's output)."""
    img = os.path.join(d.TMP, name + ".img")
    with open(img, "wb") as f:
        f.truncate(160 << 20)
    subprocess.run(["sgdisk", "-o", "-n", "1:0:0", "-t", "1:" + q.DUMP_GUID, img], check=True,
                   stdout=subprocess.DEVNULL)
    # the page the start-up code borrows too: under smp=auto it is borrowed
    # in the middle of the dump, and must be in the file as it was
    plants = [d.Plant(name + "-1", 0x1000000, 1 << 20, 21), d.Plant(name + "-2", 0x5000000, 256 << 10, 22),
              d.Plant(name + "-low", LOW_PAGE, 4096, 23)]
    args = ["-smp", "2", "-kernel", BZ, "-append", "console=ttyS0 after=poweroff dump=disk smp=" + smp,
            "-drive", "file=%s,format=raw,if=virtio" % img]
    for p in plants:
        args += p.arg()
    res = q.run_qemu(list(qemu) + args, [BANNER] + expect + [q.KDUMP_COMPLETE], TIMEOUT * 2,
                     must_exit=True, mem="160", emulator=emulator)
    if res.failure:
        return res, None, None, plants, ""
    digest = next((m.group(1) for m in (re.search(q.KDUMP_COMPLETE, ln) for ln in res.lines) if m), None)
    core = img + ".core"
    r = subprocess.run([d.TOOL, "savecore", img, "-o", core], capture_output=True, text=True)
    if r.returncode != 0 or "sha256 OK" not in r.stdout:
        res.failure = "savecore: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-300:])
    return res, digest, core, plants, r.stdout


def two_part_checked(res, digest, core, plants, out):
    """res, failed unless the kernel's digest is two-part, savecore
    checked it as such, and the file holds the planted pages."""
    if res.failure:
        return res
    if "two-part at byte" not in digest:
        res.failure = "the kernel's digest is not two-part: " + digest
    elif "(two-part: the first " not in out:
        res.failure = "savecore did not say the digest is two-part: " + out[-300:]
    else:
        res.failure = d.check_kdump(core, plants, digest)
    return res


def t_disk_pages_hashed():
    # the default, smp=auto: the CPU is started once the dump knows it
    # writes the kdump-compressed file in one pass.  QEMU 7.2's default CPU
    # has no SHA extensions: both CPUs hash through postmortem's own C
    # rounds, checked against mbedTLS's first.
    res, digest, core, plants, out = disk_dump(
        "smp-hash", "auto", [r"^crypto: SHA-256 through postmortem's own C rounds \(checked against "
                             r"mbedTLS's rounds\)$", r"^smp: auto: ", r"^dump: kdump level ", STARTED % ("xAPIC", 2),
                             r"^dump: writing up to \d+ MiB kdump-compressed file", r"^dump: the second CPU hashed \d+ KiB of pages beside the writing$",
                           r"^dump: kdump-compressed: .*; 1 pass over the pages$"])
    return two_part_checked(res, digest, core, plants, out)


def t_work_stall():
    res, digest, core, plants, out = disk_dump(
        "smp-stall", "test-stall",
        [STARTED % ("xAPIC", 2), r"^smp: the CPU with APIC ID 1 did not finish its work within 5000 ms; "
                                 r"sent INIT, going on with one CPU$"])
    if res.failure:
        return res
    # The first job it takes, a batch of pages to compress, never ends: that
    # batch is compressed here after the limit, and the rest of the dump
    # runs on this CPU (its pages hashed here too: the two-part digest,
    # checked by savecore).
    if any("the second CPU hashed" in ln or "the second CPU compressed" in ln for ln in res.lines):
        res.failure = "the kernel says the second CPU did work although it never finished"
    elif "two-part at byte" not in digest:
        res.failure = "the pages, all hashed here, lost their two-part digest: " + digest
    else:
        res.failure = d.check_kdump(core, plants, digest)
    return res


def t_sha_extensions():
    # QEMU 10's TCG has the SHA extensions under -cpu max (QEMU 7.2's has
    # not): the kernel checks them against mbedTLS's rounds, times them
    # against our own C rounds, and under TCG keeps the C rounds (the
    # emulated instructions are slower) and says so; both CPUs hash with
    # them; the file's two-part digest is checked by savecore and from the
    # file, the planted pages are in it.
    res, digest, core, plants, out = disk_dump(
        "smp-sha-ni", "auto", [r"^crypto: SHA-256 through postmortem's own C rounds \(checked against "
                               r"mbedTLS's rounds\)$",
                               r"^crypto: the CPU's SHA extensions are there but \d+\.\dx slower here "
                               r"\(emulated\?\)$", STARTED % ("xAPIC", 2),
                               r"^dump: the second CPU hashed \d+ KiB of pages beside the writing$"],
        qemu=["-cpu", "max"], emulator="qemu10")
    return two_part_checked(res, digest, core, plants, out)


def t_auto_no_work():
    # smp=auto with two CPUs but no work for the second: the ELF core to a
    # dump partition (written in order, hashed as it goes) and the
    # kdump-compressed file over serial (a stream): no CPU is started.
    img = os.path.join(d.TMP, "smp-auto-elf.img")
    with open(img, "wb") as f:
        f.truncate(96 << 20)
    subprocess.run(["sgdisk", "-o", "-n", "1:0:0", "-t", "1:" + q.DUMP_GUID, img], check=True,
                   stdout=subprocess.DEVNULL)
    r = q.run_qemu(["-smp", "2", "-kernel", BZ, "-append", "console=ttyS0 after=poweroff dump=disk "
                    "dump.format=elf", "-drive", "file=%s,format=raw,if=virtio" % img],
                   [BANNER, r"^smp: auto: ", q.ELF_COMPLETE], TIMEOUT * 2, must_exit=True, mem="64")
    r = no_line(r, r"^smp: CPU with|^smp: not starting", "smp=auto tried a CPU for an ELF core")
    if r.failure:
        return r
    cap = os.path.join(d.TMP, "smp-auto-serial.cap")
    r = q.run_qemu(["-smp", "2", "-kernel", BZ, "-append", "console=ttyS0 dump=serial after=poweroff",
                    "-chardev", "file,id=cap,path=" + cap, "-serial", "chardev:cap"], [],
                   TIMEOUT * 2, must_exit=True, serial_stdio=False, mem="64")
    text = open(cap, "rb").read().decode("latin-1") if os.path.exists(cap) else ""
    if r.failure is None:
        if "smp: auto: " not in text or "postmortem: dump complete" not in text:
            r.failure = "the serial capture lacks the smp: auto line or the dump complete line"
        elif re.search(r"^smp: (CPU with|not starting)", text, re.M):
            r.failure = "smp=auto tried a CPU for a serial dump"
    return r


TESTS = [t_smp1, t_smp2, t_smp4_cpu_max, t_smp_off, t_x2apic, t_efi_stub, t_iso_grub, t_dump_low_page, t_hang_timeout,
         t_disk_pages_hashed, t_work_stall, t_auto_no_work, t_sha_extensions]

if __name__ == "__main__":
    sys.exit(q.main(TESTS, "smp_test"))
