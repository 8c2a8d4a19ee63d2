#!/usr/bin/env python3
"""Unaccepted memory (TDX / SEV-SNP guests) in QEMU: a handoff block whose
EFI configuration tables point at a planted unaccepted-memory table (Linux's
layout, GUID d5d1de3c-105c-44f9-9ea9-bcef98120031) and an EFI memory map
that types 64..128 MiB EfiUnacceptedMemory, as a TDX firmware leaves it.
The table's bitmap marks some 2 MiB units of that region still unaccepted.

pm.test=unaccepted-guard takes what must never be touched out of
postmortem's own page tables (the marked units; for a refused table the
map's EfiUnacceptedMemory), so any read faults and the run ends "run
FAILED: CPU exception" instead of "dump complete" -- the QEMU stand-in for
a TDX guest dying on the touch.  Patterns planted in marked units must be
absent from the core file (no PT_LOAD covers them, and their bytes are
nowhere in it); patterns in accepted units, including units the crashed
kernel accepted inside the EfiUnacceptedMemory region, are present.

  - version 1, ELF over serial: the marked units left out, the rest dumped;
  - version 1, the table found in the firmware's own configuration table
    array that the block names (as `handoff create --from-system` makes
    it: Linux's sysfs lists only a few GUIDs);
  - version 1, kdump-compressed file on a dump partition (the same planned
    ranges): marked patterns nowhere on the disk, the others there;
  - the guard itself: pm.test=unaccepted-guard-nocarve guards but does not
    leave the units out, and the run must fault (the guard catches reads);
  - version 2 (unknown): refused in one line; only what the EFI memory map
    shows accepted is dumped, so nothing of 64..128 MiB;
  - the same table with no EFI memory map in the block: no memory at all.

Prints one line per test and "unaccepted_test: N passed, N failed" last.
"""
import atexit
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dumpcheck  # noqa: E402
import qemutest as q  # noqa: E402
from dump_test import Plant  # noqa: E402

BZ = os.path.join(q.BUILD, "postmortem.bzImage")
TOOL = os.path.join(q.BUILD, "postmortem")
COMPLETE = r"^postmortem: dump complete: \d+ MiB in [\d.]+ s \(\d+ MiB/s\), sha256 ([0-9a-f]{64})"
DUMP_GUID = "9cd6ae46-cf19-4c5c-b341-57f4b21dfd41"
TMP = tempfile.mkdtemp(prefix="pm-unacc-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)

MiB = 1 << 20
TABLE_AT = 0x3800000            # accepted (conventional) memory
BASE, UNIT, UNITS = 64 * MiB, 2 * MiB, 32
MARKED = [2, 3, 9, 31]          # 0x4400000-0x4800000, 0x5200000, 0x7e00000


def table(version=1, marked=MARKED):
    bits = bytearray(UNITS // 8)
    for u in marked:
        bits[u // 8] |= 1 << (u % 8)
    return struct.pack("<IIQQ", version, UNIT, BASE, len(bits)) + bytes(bits)


ARRAY_AT = 0x3700000            # the firmware's configuration table array (fw_array cases)


def fw_array():
    """An EFI_CONFIGURATION_TABLE array: ACPI 2.0, then the unaccepted table."""
    import uuid
    acpi = uuid.UUID("8868e871-e4f1-11d3-bc22-0080c73c8881").bytes_le
    unacc = uuid.UUID("d5d1de3c-105c-44f9-9ea9-bcef98120031").bytes_le
    return acpi + struct.pack("<Q", 0xf0000) + unacc + struct.pack("<Q", TABLE_AT)


def block(name, with_map=True, fw_array_only=False):
    lines = ["creator testhost 6.1.0-test"]
    if fw_array_only:       # as `handoff create --from-system` makes it: the array named, not listed
        lines += ["systab 0x7f9e0018 2.70 config-table=0x%x config-count=2 platform=64 EDK II" % ARRAY_AT,
                  "config-table acpi20 0xf0000"]
    else:
        lines += ["systab 0x7f9e0018 2.70 config-table=0x7f9eef18 config-count=1 platform=64 EDK II",
                  "config-table linux-unaccepted 0x%x" % TABLE_AT]
    lines += ["dump-range 0x100000 0xff00000", "cmdline after=poweroff"]
    if with_map:
        lines += ["efi-mmap conventional 0x0       0x4000 0xf",
                  "efi-mmap unaccepted   0x4000000 0x4000 0xf",
                  "efi-mmap conventional 0x8000000 0x8000 0xf"]
    desc = os.path.join(TMP, name + ".desc")
    with open(desc, "w") as f:
        f.write("\n".join(lines) + "\n")
    path = os.path.join(TMP, name + ".bin")
    subprocess.run([TOOL, "handoff", "create", "-o", path, "--describe", desc], check=True,
                   stdout=subprocess.DEVNULL)
    return path


def plants(tag):
    """(marked, accepted): patterns in units the table marks, and in units
    around them that are accepted (inside and outside the map's region)."""
    marked = [Plant(tag + "-m1", 0x4400000, 64 << 10, 101), Plant(tag + "-m2", 0x47f0000, 64 << 10, 102),
              Plant(tag + "-m3", 0x5300000, 4096, 103), Plant(tag + "-m4", 0x7ff0000, 64 << 10, 104)]
    accepted = [Plant(tag + "-a1", 0x43f0000, 64 << 10, 201), Plant(tag + "-a2", 0x4800000, 64 << 10, 202),
                Plant(tag + "-a3", 0x5000000, 64 << 10, 203), Plant(tag + "-a4", 0x8000000, 64 << 10, 204),
                Plant(tag + "-a5", 0x1000000, 64 << 10, 205)]
    return marked, accepted


def boot(name, tbl, extra_args, append, expect, with_map=True, all_plants=(), fw_array_only=False):
    tpath = os.path.join(TMP, name + ".table")
    with open(tpath, "wb") as f:
        f.write(tbl)
    args = ["-kernel", BZ, "-initrd", block(name, with_map, fw_array_only), "-append", "console=ttyS0 " + append,
            "-device", "loader,file=%s,addr=0x%x,force-raw=on" % (tpath, TABLE_AT)] + extra_args
    if fw_array_only:
        apath = os.path.join(TMP, name + ".array")
        with open(apath, "wb") as f:
            f.write(fw_array())
        args += ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (apath, ARRAY_AT)]
    for p in all_plants:
        args += p.arg()
    return args


def serial_run(name, tbl, append, with_map=True, marked=(), accepted=(), fw_array_only=False):
    cap = os.path.join(TMP, name + ".cap")
    args = boot(name, tbl, ["-chardev", "file,id=cap,path=" + cap, "-serial", "chardev:cap"],
                "dump=serial dump.format=elf " + append, [], with_map, list(marked) + list(accepted), fw_array_only)
    res = q.run_qemu(args, [], 180, must_exit=True, serial_stdio=False)
    text = open(cap, "rb").read().decode("latin-1") if os.path.exists(cap) else ""
    # The console went to the capture: show its lines when a check fails.
    res.lines = [line for line in lines_of(text) if line.isprintable()]
    return res, cap, text


def lines_of(text):
    return [line.rstrip("\r") for line in text.split("\n")]


def need(res, text, patterns):
    lines = lines_of(text)
    for p in patterns:
        if not any(re.search(p, line) for line in lines):
            res.failure = "no console line matching %r" % p
            return False
    return True


def check_core(core, marked, accepted):
    data = open(core, "rb").read()
    loads = dumpcheck.read_loads(core)
    for p in marked:
        if dumpcheck.read_phys(core, loads, p.addr, 1) is not None or \
           dumpcheck.read_phys(core, loads, p.addr + p.size - 1, 1) is not None:
            return "a PT_LOAD covers the unaccepted pattern at 0x%x" % p.addr
        if p.data[:64] in data or p.data[-64:] in data:
            return "bytes of the unaccepted pattern at 0x%x are in the core file" % p.addr
    for p in accepted:
        got = dumpcheck.read_phys(core, loads, p.addr, p.size)
        if got != p.data:
            return "accepted pattern at 0x%x %s" % (p.addr, "not covered" if got is None else "differs")
    return None


def recv(res, name, cap):
    core = os.path.join(TMP, name + ".core")
    r = subprocess.run([TOOL, "recv", cap, "-o", core], capture_output=True, text=True)
    if r.returncode != 0:
        res.failure = "recv failed: " + r.stdout[-300:] + r.stderr[-300:]
        return None
    return core


def t_v1_serial_units_left_out():
    marked, accepted = plants("v1")
    res, cap, text = serial_run("v1", table(), "pm.test=unaccepted-guard", True, marked, accepted)
    if res.failure or not need(res, text, [
            r"^pm\.test: 8 MiB of unaccepted memory unmapped: a touch faults$",
            r"^unaccepted: table at 0x3800000 \(2048 KiB units, 0x4000000-0x8000000, 4 unaccepted\): "
            r"4 units \(8 MiB\) of the dump's memory left out, never read$", COMPLETE]):
        return res
    core = recv(res, "v1", cap)
    if core:
        res.failure = check_core(core, marked, accepted)
    return res


def t_v1_found_in_firmware_array():
    # The handoff lists only some tables (as from /sys); the firmware's
    # own array, which the block names, has the unaccepted table.
    marked, accepted = plants("fa")
    res, cap, text = serial_run("fwarray", table(), "pm.test=unaccepted-guard", True, marked, accepted,
                                fw_array_only=True)
    if res.failure or not need(res, text, [
            r"^unaccepted: table at 0x3800000 \(listed in the firmware's configuration tables at 0x3700000\) "
            r"\(2048 KiB units, .*\): 4 units \(8 MiB\) of the dump's memory left out, never read$", COMPLETE]):
        return res
    core = recv(res, "fwarray", cap)
    if core:
        res.failure = check_core(core, marked, accepted)
    return res


def t_v1_kdump_units_left_out():
    marked, accepted = plants("kd")
    img = os.path.join(TMP, "kd.img")
    with open(img, "wb") as f:
        f.truncate(320 << 20)
    subprocess.run(["sgdisk", "-o", "-n", "1:0:+300M", "-t", "1:" + DUMP_GUID, img], check=True,
                   stdout=subprocess.DEVNULL)
    args = boot("kd", table(), ["-drive", "file=%s,format=raw,if=virtio" % img],
                "dump=disk dump.format=kdump dump.level=0 pm.test=unaccepted-guard", [], True,
                marked + accepted)
    res = q.run_qemu(args, [r"^unaccepted: table at 0x3800000 .*: 4 units \(8 MiB\) of the dump's memory left out",
                            r"^dump: writing (?:up to )?\d+ MiB kdump-compressed file .* to disk virtio0p1",
                            r"^postmortem: dump complete: "], 180, must_exit=True)
    if res.failure:
        return res
    data = open(img, "rb").read()
    for p in marked:
        if p.data[:64] in data or p.data[-64:] in data:
            res.failure = "bytes of the unaccepted pattern at 0x%x are on the disk" % p.addr
            return res
    for p in accepted:      # random pages do not compress: LZO stores them as they are
        if p.data[:4096] not in data:
            res.failure = "the accepted pattern at 0x%x is not on the disk" % p.addr
            return res
    return res


def t_guard_catches_a_touch():
    # Guarded but not left out: the dump reads a unit and the run faults.
    marked, accepted = plants("nc")
    res, cap, text = serial_run("nocarve", table(), "pm.test=unaccepted-guard-nocarve", True, marked, accepted)
    if res.failure:
        return res
    if "postmortem: dump complete" in text:
        res.failure = "the dump completed although it read guarded memory"
    elif not need(res, text, [r"NOT left out", r"^postmortem: run FAILED: CPU exception"]):
        return res
    return res


def t_v2_refused_map_accepted_only():
    marked, accepted = plants("v2")
    res, cap, text = serial_run("v2", table(version=2), "pm.test=unaccepted-guard", True, marked, accepted)
    if res.failure or not need(res, text, [
            r"^pm\.test: 64 MiB of unaccepted memory unmapped: a touch faults$",
            r"^unaccepted: table at 0x3800000 REFUSED \(unknown version \(only 1 is known\): version 2, "
            r"unit 2097152 bytes, base 0x4000000, bitmap 4 bytes\); only memory the EFI memory map shows "
            r"accepted is dumped: 64 MiB left out, never read$", COMPLETE]):
        return res
    core = recv(res, "v2", cap)
    if core:
        inside = [p for p in accepted if BASE <= p.addr < BASE + UNITS * UNIT]
        res.failure = check_core(core, marked + inside, [p for p in accepted if p not in inside])
    return res


def t_v2_no_map_no_memory():
    marked, accepted = plants("nm")
    res, cap, text = serial_run("nomap", table(version=2), "", False, marked, accepted)
    if res.failure or not need(res, text, [
            r"^unaccepted: table at 0x3800000 REFUSED \(unknown version .*\); no EFI memory map shows what "
            r"is accepted: no memory is dumped \(\d+ MiB left out\)$",
            r"^dump: plan: 0 ranges from handoff dump ranges, 0 MiB", COMPLETE]):
        return res
    core = recv(res, "nomap", cap)
    if core:
        res.failure = check_core(core, marked + accepted, [])
        if res.failure is None and dumpcheck.read_loads(core):
            res.failure = "the core file has PT_LOADs"
    return res


TESTS = [t_v1_serial_units_left_out, t_v1_found_in_firmware_array, t_v1_kdump_units_left_out, t_guard_catches_a_touch,
         t_v2_refused_map_accepted_only, t_v2_no_map_no_memory]

if __name__ == "__main__":
    sys.exit(q.main(TESTS, "unaccepted_test"))
