#!/usr/bin/env python3
"""Handoff block and crash-context tests in QEMU: a valid block gives an
inventory that matches it (through the initrd, a multiboot2 module and
handoff=ADDR,SIZE); damaged blocks give the right one-line reason and the
safe path; under OVMF the real firmware's tables are found.

Prints one line per test and "handoff_test: N passed, N failed" last.
"""
import atexit
import os
import shutil
import random
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402

BZ = os.path.join(q.BUILD, "postmortem.bzImage")
TOOL = os.path.join(q.BUILD, "postmortem")
DESC = os.path.join(q.ROOT, "tests", "data", "handoff", "full.desc")
BANNER = r"^postmortem \d+\.\d+\.\d+: crash and recovery kernel"
FINAL = r"^postmortem: "
TCG_BOOT = 60
TCG_UEFI = 180
EFI_LINE = (r"^efi: EFI v2\.7 by EDK II ACPI 2\.0=0x7fbfa014 SMBIOS 3\.0=0x7f8f0000 "
            r"ESRT=0x7ef00000 \(preserved copy, 2 entries\) MEMATTR=0x7ef01000$")
TMP = tempfile.mkdtemp(prefix="pm-handoff-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)


def make_block():
    path = os.path.join(TMP, "good.bin")
    subprocess.run([TOOL, "handoff", "create", "-o", path, "--describe", DESC, "--time", "1700000000"],
                   check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([TOOL, "handoff", "verify", path], check=True, capture_output=True,
                         text=True).stdout
    digest = re.search(r"sha256 OK ([0-9a-f]{64})", out).group(1)
    return path, open(path, "rb").read(), digest


GOOD, BLOB, DIGEST = make_block()


def variant(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def boot_initrd(path, expect, append="console=ttyS0 after=poweroff"):
    return q.run_qemu(["-kernel", BZ, "-initrd", path, "-append", append],
                      [BANNER] + expect + [FINAL], TCG_BOOT, must_exit=True)


def t_valid_block_inventory():
    # after=poweroff comes from the block's CMDLINE record: QEMU exiting
    # proves the additions were applied.
    return q.run_qemu(["-kernel", BZ, "-initrd", GOOD, "-append", "console=ttyS0 pm.inventory"],
                      [BANNER, r"^handoff: verified sha256 %s \(initrd at 0x[0-9a-f]+, %d bytes, 12 records\)"
                       % (DIGEST, len(BLOB)),
                       r"^cmdline: \+ dump=serial after=poweroff \(from the handoff\)$",
                       EFI_LINE, r"^efi: system table at 0x7f9e0018 from the handoff, 4 configuration tables",
                       r"^  esrt entry 0: class 6a6a8a1c-6d37-4fa0-9e3c-72f2e3e1e95e type SystemFirmware version 0x10002",
                       r"^efi: memory map from the handoff, 7 descriptors: .*Conventional 2030 MiB",
                       r"^postmortem: inventory complete"], TCG_BOOT, must_exit=True)


def untrusted(reason):
    return [r"^handoff: NOT TRUSTED: %s.*; using what the boot path gives$" % reason,
            r"^efi: no EFI system table"]


def t_flipped_byte():
    data = bytearray(BLOB)
    data[len(data) // 2] ^= 0x01
    return boot_initrd(variant("flipped.bin", bytes(data)),
                       untrusted(r"digest mismatch: block says %s\.\.\., computed [0-9a-f]{16}" % DIGEST[:16]))


def t_every_region_flipped():
    # One flip in the header's digest, one in a record header, one in padding-free payload.
    results = []
    for off in (0x30, 80 + 4, len(BLOB) - 1):
        data = bytearray(BLOB)
        data[off] ^= 0x80
        r = boot_initrd(variant("flip%d.bin" % off, bytes(data)), untrusted(r"(digest mismatch|record)"))
        if r.failure:
            r.failure = "flip at offset %d: %s" % (off, r.failure)
            return r
        results.append(r)
    return results[-1]


def t_truncated():
    return boot_initrd(variant("trunc.bin", BLOB[:1000]),
                       untrusted(r"truncated: header says %d bytes, 1000 present" % len(BLOB)))


def t_garbage():
    rnd = random.Random(7)
    return boot_initrd(variant("garbage.bin", bytes(rnd.randrange(256) for _ in range(4096))),
                       untrusted(r"bad magic"))


def t_oversized_record_length():
    data = bytearray(BLOB)
    struct.pack_into("<Q", data, 80 + 8, 0xFFFFFFFFFFFFFFF0)   # first record's length
    return boot_initrd(variant("oversized.bin", bytes(data)), untrusted(r"record 0 \(type \d+\) length"))


def t_no_block():
    return q.run_qemu(["-kernel", BZ, "-append", "console=ttyS0 after=poweroff"],
                      [BANNER, r"^handoff: none given", FINAL], TCG_BOOT, must_exit=True)


def t_handoff_cmdline_address():
    # The block names 2 GiB of RAM: the ELF core, as in t_esrt_boot_services_refused.
    return q.run_qemu(["-kernel", BZ, "-device", "loader,file=%s,addr=0x2000000,force-raw=on" % GOOD,
                       "-append", "console=ttyS0 dump.format=elf handoff=0x2000000,%d" % len(BLOB)],
                      [BANNER, r"^handoff: verified sha256 %s \(handoff= at 0x2000000" % DIGEST,
                       EFI_LINE, FINAL], TCG_BOOT, must_exit=True)


def t_multiboot2_module():
    # The block's command line adds dump=serial, and it names 2 GiB of RAM:
    # the ELF core, as in t_esrt_boot_services_refused.
    iso = q.test_iso("after=poweroff dump=none dump.format=elf", modules=[(GOOD, "handoff")])
    return q.run_qemu(["-cdrom", iso],
                      [BANNER, r"^module: handoff at 0x[0-9a-f]+, %d bytes" % len(BLOB),
                       r"^handoff: verified sha256 %s \(multiboot2 module" % DIGEST, EFI_LINE, FINAL],
                      TCG_BOOT, must_exit=True)


def t_ovmf_firmware_tables():
    iso = q.test_iso("after=poweroff dump=none")
    with tempfile.TemporaryDirectory() as d:
        return q.run_qemu(q.ovmf_args(d) + ["-cdrom", iso],
                          [BANNER, r"^handoff: none given",
                           r"^efi: EFI v2\.\d+ by EDK II .*ACPI 2\.0=0x[0-9a-f]+ .*SMBIOS=0x[0-9a-f]+",
                           r"^efi: system table at 0x[0-9a-f]+ from the firmware, \d+ configuration tables",
                           r"^efi: memory map from the boot path, \d+ descriptors: .*Conventional \d+ MiB",
                           FINAL], TCG_UEFI, must_exit=True)


def desc_variant(name, drop_esrt_entries, esrt_at=None):
    lines = []
    for line in open(DESC):
        if drop_esrt_entries and line.startswith("esrt-entry"):
            continue
        if esrt_at and line.startswith("config-table esrt"):
            line = "config-table esrt %s\n" % esrt_at
        lines.append(line)
    desc = os.path.join(os.path.dirname(DESC), ".%s.desc" % name)   # next to the files it names
    with open(desc, "w") as f:
        f.writelines(lines)
    path = os.path.join(TMP, name + ".bin")
    try:
        subprocess.run([TOOL, "handoff", "create", "-o", path, "--describe", desc], check=True,
                       stdout=subprocess.DEVNULL)
    finally:
        os.unlink(desc)
    return path


def t_esrt_boot_services_refused():
    # The ESRT sits in EfiBootServicesData and the block has no copy: it
    # must not be dereferenced, and the reason is said.
    # The block's dump ranges name 2 GiB of RAM the 256 MiB guest lacks;
    # the kdump-compressed file reads every page three times, longer than
    # this boot's limit under TCG; the ELF core's single pass fits.
    block = desc_variant("noesrt", True)
    return boot_initrd(block, [r"ESRT=0x7ef00000 \(not read\)",
                               r"^efi: ESRT at 0x7ef00000 in boot-services memory without a preserved copy, not dereferenced"],
                       append="console=ttyS0 after=poweroff dump.format=elf")


def t_esrt_runtime_in_place():
    # The ESRT in EfiRuntimeServicesData is read where it is (planted there).
    block = desc_variant("esrtrt", True, esrt_at="0x7f010000")
    esrt = struct.pack("<IIQ", 1, 1, 1) + bytes(range(16)) + struct.pack("<IIIIII", 1, 0x20001, 0x20000, 0, 0x20001, 0)
    planted = variant("esrt-table.bin", esrt)
    return q.run_qemu(["-kernel", BZ, "-initrd", block, "-device",
                       "loader,file=%s,addr=0x7f010000,force-raw=on" % planted,
                       "-append", "console=ttyS0 pm.inventory after=poweroff"],
                      [BANNER, r"ESRT=0x7f010000 \(in place, 1 entry\)",
                       r"^  esrt entry 0: class 03020100-0504-0706-0809-0a0b0c0d0e0f type SystemFirmware version 0x20001",
                       FINAL], TCG_BOOT, must_exit=True, mem="2048")


TESTS = [t_esrt_boot_services_refused, t_esrt_runtime_in_place, t_valid_block_inventory, t_flipped_byte, t_every_region_flipped, t_truncated, t_garbage,
         t_oversized_record_length, t_no_block, t_handoff_cmdline_address, t_multiboot2_module,
         t_ovmf_firmware_tables]

if __name__ == "__main__":
    sys.exit(q.main(TESTS, "handoff_test"))
