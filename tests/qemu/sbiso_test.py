#!/usr/bin/env python3
"""The Secure Boot recovery ISO (scripts/mkiso.sh with PM_ISO_SB, make
sign-iso; docs/secure-boot.md): Debian's signed shim as the removable-media
loader and Debian's signed GRUB chainloading a signed postmortem, BIOS GRUB
beside them.  Each ISO here has the one-entry test menu (mkiso.sh's
EXTRA_CMDLINE) and a throwaway signing key.

  t_sb_iso_mok_only        OVMF with Secure Boot enforced, the Microsoft-keys
                           store (OVMF_VARS_4M.ms.fd: shim is trusted through
                           Microsoft's UEFI CA in db, GRUB through Debian's
                           certificate in shim) with the test certificate
                           only in shim's MokList (written by virt-fw-vars
                           as MokManager would: non-volatile, boot services
                           only, SHIM_LOCK GUID), not in db: postmortem
                           reaches its banner and inventory.
  t_sb_iso_untrusted_refused  the same ISO and store without the MokList:
                           GRUB's shim verifier refuses the image ("bad shim
                           signature"), so the trust above came from MOK.
  t_sb_iso_unsigned_refused  an unsigned postmortem in the same layout, the
                           test certificate in MokList: refused the same way.
  t_sb_iso_as_disk         the same ISO as a disk (as written to a USB stick):
                           OVMF starts shim from the FAT image's GPT
                           partition and GRUB reads the menu and image from
                           that partition; banner and inventory.
  t_sb_iso_seabios         the signed ISO under SeaBIOS, as a CD and as a
                           disk: BIOS GRUB boots the multiboot2 image to the
                           banner and inventory.
  t_sb_iso_shipped_menu    the ISO with the shipped menu (iso/grub.cfg, as
                           make sign-iso builds it), under Secure Boot with
                           the certificate in MokList: the default entry
                           boots by itself after the timeout, chainloaded
                           with that entry's command line.

Prints one line per test and "sbiso_test: N passed, N failed" last.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402
import secureboot as sb  # noqa: E402

BZ = q.BZIMAGE
ELF = os.path.join(q.BUILD, "postmortem.elf")
BANNER = q.BANNER
EXTRA = "dump=none pm.inventory after=poweroff"
CMDLINE = r"^cmdline: console=ttyS0,115200 " + EXTRA + "$"
TIMEOUT = 240      # OVMF (SMM under TCG), shim, GRUB, the inventory
SHIM = "/usr/lib/shim/shimx64.efi.signed"
GRUB = "/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed"
EFI_INVENTORY = [r"Booting `postmortem \(test\)'", r"postmortem: EFI stub: exiting boot services", BANNER,
                 r"^boot: UEFI application \(EFI stub\) via UEFI EDK II, loaded at 0x[0-9a-f]+", CMDLINE,
                 r"^efi: system table at 0x[0-9a-f]+, memory map \d+ bytes",
                 r"^efirt: runtime services v2\.\d+ \(physical mode\)",
                 r"^postmortem: inventory complete"]
REFUSED = [r"Booting `postmortem \(test\)'", r"error: bad shim signature"]

_tmp = None
_made = {}


def workdir():
    global _tmp
    if _tmp is None:
        _tmp = tempfile.mkdtemp(prefix="pm-sbiso-")
        atexit.register(shutil.rmtree, _tmp, True)
    return _tmp


def missing():
    return sb.missing() or next(("%s missing (Debian's %s)" % (f, p) for f, p in
                                 ((SHIM, "shim-signed"), (GRUB, "grub-efi-amd64-signed"))
                                 if not os.path.exists(f)), None)


def key():
    """The test signing key and certificate, made once."""
    if "key" not in _made:
        _made["key"] = sb.make_key(workdir(), "mok", "postmortem test MOK")
    return _made["key"]


def signed_image():
    if "signed" not in _made:
        _made["signed"] = sb.sign(*key(), BZ, os.path.join(workdir(), "signed.efi"))
    return _made["signed"]


def iso(signed, menu=False):
    """The Secure Boot ISO around the image signed with the test key (or,
    signed=False, the unsigned image) with the one-entry test menu (or,
    menu=True, the shipped one), made once each."""
    if (signed, menu) not in _made:
        image = signed_image() if signed else BZ
        out = os.path.join(workdir(), "sb-%s%s.iso" % ("signed" if signed else "unsigned",
                                                       "-menu" if menu else ""))
        subprocess.run([os.path.join(q.ROOT, "scripts", "mkiso.sh"), ELF,
                        os.path.join(q.ROOT, "iso", "grub.cfg"), out] + ([] if menu else [EXTRA]),
                       check=True, env=dict(os.environ, PM_ISO_SB=image))
        _made[signed, menu] = out
    return _made[signed, menu]


def as_disk(path):
    """A copy of the ISO to use as a disk (QEMU may write to a disk)."""
    out = path[:-4] + ".img"
    shutil.copyfile(path, out)
    return ["-drive", "file=%s,format=raw,if=virtio" % out]


def ovmf_boot(signed, mok, expect, must_exit, menu=False, disk=False):
    why = missing()
    if why:
        return q.skip(why)
    d = tempfile.mkdtemp(prefix="vars-", dir=workdir())
    crt = key()[1]
    vars_file = sb.make_vars(d, mok=[crt] if mok else [])
    medium = as_disk(iso(signed, menu)) if disk else ["-cdrom", iso(signed, menu)]
    return q.run_qemu(sb.qemu_args(vars_file) + ["-nic", "none"] + medium,
                      expect, TIMEOUT, must_exit=must_exit, settle=2.0)


def no_banner(res):
    if res.failure is None and any(ln.startswith("postmortem ") for ln in res.lines):
        res.failure = "postmortem ran although shim should have refused it"
    return res


def t_sb_iso_mok_only():
    return ovmf_boot(True, True, EFI_INVENTORY, True)


def t_sb_iso_untrusted_refused():
    return no_banner(ovmf_boot(True, False, REFUSED, False))


def t_sb_iso_unsigned_refused():
    return no_banner(ovmf_boot(False, True, REFUSED, False))


def t_sb_iso_as_disk():
    # The device path GRUB prints names the partition: HD(2,...).
    return ovmf_boot(True, True, EFI_INVENTORY[:1] + [r"HD\(2,"] + EFI_INVENTORY[1:], True, disk=True)


def t_sb_iso_seabios():
    why = missing()
    if why:
        return q.skip(why)
    expect = [BANNER, r"^boot: multiboot2 via GRUB", CMDLINE, r"^postmortem: inventory complete"]
    res = q.run_qemu(["-cdrom", iso(True)], expect, TIMEOUT, must_exit=True)
    if res.failure is None:
        res = q.run_qemu(as_disk(iso(True)), expect, TIMEOUT, must_exit=True)
        if res.failure is not None:
            res.failure = "as a disk: " + res.failure
    return res



def t_sb_iso_shipped_menu():
    # The default entry dumps to serial; seeing it start with its command
    # line is enough.
    return ovmf_boot(True, True, [r"Booting `postmortem: dump memory to serial \(ttyS0\)'",
                                  r"postmortem: EFI stub: exiting boot services", BANNER,
                                  r"^boot: UEFI application \(EFI stub\)",
                                  r"^cmdline: console=ttyS0,115200 console=tty0 dump=serial after=halt$"],
                     None, menu=True)


if __name__ == "__main__":
    sys.exit(q.main([t_sb_iso_mok_only, t_sb_iso_untrusted_refused, t_sb_iso_unsigned_refused,
                     t_sb_iso_as_disk, t_sb_iso_seabios, t_sb_iso_shipped_menu], "sbiso_test"))
