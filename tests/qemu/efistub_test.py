#!/usr/bin/env python3
"""build/postmortem.bzImage as a UEFI application (its PE/COFF entry,
kernel/efistub.c; docs/boot.md, docs/secure-boot.md):

  t_ovmf_kernel_efi_stub   OVMF (no Secure Boot) starts the bzImage given
                           with -kernel through its PE entry point: the EFI
                           stub exits boot services and postmortem boots
                           with the firmware's memory map, system table
                           and the -append line as its command line.
  t_sb_signed_direct       OVMF with Secure Boot enforced (the SMM build, a
                           variable store made by virt-fw-vars from
                           OVMF_VARS_4M.ms.fd with a test certificate in db
                           and a boot entry for the image on a FAT disk,
                           its arguments as the entry's optional data)
                           starts the copy signed with the test key
                           (scripts/sign.sh): banner, EFI facts, inventory,
                           power-off.
  t_sb_unsigned_refused    the same store and entry with the unsigned image:
                           the firmware refuses it, postmortem never runs.
  t_sb_other_key_refused   ... and with a copy signed by a key not in db.
  t_sb_shim_grub_chain     Debian's signed shim (shim-signed) and signed
                           GRUB (grub-efi-amd64-signed) on a FAT disk, as
                           \EFI\BOOT\BOOTX64.EFI and grubx64.efi, with
                           \EFI\debian\grub.cfg chainloading the signed
                           copy with its arguments: under Secure Boot
                           (OVMF_VARS_4M.ms.fd with the test certificate
                           added to db) it reaches the banner and inventory.
  t_sb_shim_unsigned_refused  the same chain with the unsigned image: GRUB's
                           shim verifier refuses it ("bad shim signature").

Prints one line per test and "efistub_test: N passed, N failed" last.
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402
import secureboot as sb  # noqa: E402

BZ = os.path.join(q.BUILD, "postmortem.bzImage")
BANNER = r"^postmortem \d+\.\d+\.\d+: crash and recovery kernel"
ARGS = "console=ttyS0 dump=none pm.inventory after=poweroff"
TIMEOUT = 240      # OVMF (SMM under TCG) + the inventory
PATH = "\\EFI\\postmortem\\postmortem.efi"
# (not anchored: the firmware's screen escapes may start the line)
INVENTORY = [r"postmortem: EFI stub: exiting boot services", BANNER,
             r"^boot: UEFI application \(EFI stub\) via UEFI EDK II, loaded at 0x[0-9a-f]+",
             r"^cmdline: " + ARGS + "$",
             r"^memory: \d+ ranges from multiboot2: usable",
             r"^efi: system table at 0x[0-9a-f]+, memory map \d+ bytes \(descriptor \d+ bytes, v1\)",
             r"^efi: EFI v2\.\d+ by EDK II ACPI 2\.0=0x[0-9a-f]+ ",
             r"^efi: memory map from the boot path, \d+ descriptors: .*LoaderCode",
             r"^efirt: runtime services v2\.\d+ \(physical mode\)",
             r"^acpi: RSDP copy, .*FADT found",
             r"^postmortem: inventory complete"]


def t_ovmf_kernel_efi_stub():
    d = tempfile.mkdtemp(prefix="pm-efistub-")
    try:
        return q.run_qemu(q.ovmf_args(d) + ["-machine", "q35", "-nic", "none", "-kernel", BZ,
                                            "-append", ARGS], INVENTORY, TIMEOUT, must_exit=True)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def sb_boot(image_of, expect, must_exit):
    """Boot the image image_of(tmpdir, key, crt) returns under Secure Boot."""
    why = sb.missing()
    if why:
        return q.skip(why)
    d = tempfile.mkdtemp(prefix="pm-efistub-sb-")
    try:
        key, crt = sb.make_key(d, "db", "postmortem test db")
        image = image_of(d, key, crt)
        disk = sb.esp_image(d, {PATH.replace("\\", "/"): image})
        vars_file = sb.make_vars(d, db=[crt], json=sb.boot_next_json(d, PATH, ARGS))
        return q.run_qemu(sb.qemu_args(vars_file) + ["-nic", "none", "-drive",
                                                     "file=%s,format=raw,if=virtio" % disk],
                          expect, TIMEOUT, must_exit=must_exit, settle=5.0)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def t_sb_signed_direct():
    return sb_boot(lambda d, key, crt: sb.sign(key, crt, BZ, os.path.join(d, "signed.efi")),
                   INVENTORY, True)


REFUSED = [r'^BdsDxe: failed to (load|start) Boot0010 "postmortem" .*: (Access Denied|Security Violation)']


def no_banner(res):
    if res.failure is None and any(ln.startswith("postmortem ") for ln in res.lines):
        res.failure = "postmortem ran although the firmware should have refused it"
    return res


def t_sb_unsigned_refused():
    return no_banner(sb_boot(lambda d, key, crt: BZ, REFUSED, False))


def t_sb_other_key_refused():
    def other(d, key, crt):
        okey, ocrt = sb.make_key(d, "other", "postmortem test other")
        return sb.sign(okey, ocrt, BZ, os.path.join(d, "other.efi"))
    return no_banner(sb_boot(other, REFUSED, False))


SHIM = "/usr/lib/shim/shimx64.efi.signed"
GRUB = "/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed"


def shim_boot(image_of, expect, must_exit):
    """Boot shim -> GRUB -> chainloader image_of(tmpdir, key, crt) under Secure Boot."""
    why = sb.missing() or next(("%s missing (Debian's %s)" % (f, p) for f, p in
                                ((SHIM, "shim-signed"), (GRUB, "grub-efi-amd64-signed"))
                                if not os.path.exists(f)), None)
    if why:
        return q.skip(why)
    d = tempfile.mkdtemp(prefix="pm-efistub-shim-")
    try:
        key, crt = sb.make_key(d, "db", "postmortem test db")
        cfg = os.path.join(d, "grub.cfg")
        with open(cfg, "w") as f:
            f.write("set timeout=0\nmenuentry postmortem {\n\tchainloader %s %s\n\tboot\n}\n" %
                    (PATH.replace("\\", "/"), ARGS))
        disk = sb.esp_image(d, {"EFI/BOOT/BOOTX64.EFI": SHIM, "EFI/BOOT/grubx64.efi": GRUB,
                                "EFI/debian/grub.cfg": cfg,
                                PATH.replace("\\", "/"): image_of(d, key, crt)})
        vars_file = sb.make_vars(d, db=[crt])
        return q.run_qemu(sb.qemu_args(vars_file) + ["-nic", "none", "-drive",
                                                     "file=%s,format=raw,if=virtio" % disk],
                          expect, TIMEOUT, must_exit=must_exit, settle=5.0)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def t_sb_shim_grub_chain():
    return shim_boot(lambda d, key, crt: sb.sign(key, crt, BZ, os.path.join(d, "signed.efi")),
                     [r"Booting `postmortem'"] + INVENTORY, True)


def t_sb_shim_unsigned_refused():
    return no_banner(shim_boot(lambda d, key, crt: BZ,
                               [r"Booting `postmortem'", r"error: bad shim signature"], False))


if __name__ == "__main__":
    sys.exit(q.main([t_ovmf_kernel_efi_stub, t_sb_signed_direct, t_sb_unsigned_refused,
                     t_sb_other_key_refused, t_sb_shim_grub_chain, t_sb_shim_unsigned_refused],
                    "efistub_test"))
