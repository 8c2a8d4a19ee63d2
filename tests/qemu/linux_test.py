#!/usr/bin/env python3
"""postmortem as the crash kernel of a real Linux: Debian's kernel,
kexec-tools and makedumpfile (guest built by scripts/mkguest.py).

Each case boots the Debian kernel in QEMU (TCG) with crashkernel=, a
virtio disk holding a postmortem dump partition, and the serial console;
the guest's /init (tests/linux/init) runs `postmortem load` with the
case's options, prints /sys/firmware/efi/systab, and panics through
sysrq (on a chosen CPU), waits for an NMI the test sends through QEMU's
monitor, or keeps a CPU in the kernel until the soft-lockup watchdog
panics.  Cases vary the firmware, the kexec call, the dump
target, the CPU count, the CPU model (-cpu max: 5-level paging) and the
QEMU (QEMU 10 from bookworm-backports, scripts/qemu10.sh, for x2APIC;
such a case prints a skip line when it is missing).
Then on the host:

  - postmortem's banner and `dump complete` appear after the panic, and
    QEMU powers off (after=poweroff); with -cpu max the guest says it runs
    5-level paging and postmortem's cpu: line that it kept it; with a
    panic on CPU N the cpu: line names APIC ID N; in an x2APIC case Linux
    says "x2apic enabled" and the cpu: line names x2APIC mode;
  - most cases ask for the ELF core (dump.format=elf): `postmortem
    savecore` (disk) or `postmortem recv` (serial) gives a vmcore with one
    NT_PRSTATUS note per guest CPU;
  - `makedumpfile --dump-dmesg` on it gives the crashed kernel's log with
    the panic's lines (Case.panic_lines; for a CPU-N panic "CPU: N PID:"
    too), and `makedumpfile -c
    -d 31` makes a filtered dump whose log reads the same;
  - with the default format (bios-kdump-format to the dump partition,
    bios-fallback-serial over serial) savecore or recv gives makedumpfile's
    kdump-compressed file as written: level 31, one CPU per guest CPU, the
    panic in makedumpfile's log, nothing (4 pages of slack) more for
    makedumpfile -d 31 to leave out, under a quarter of the ELF core's size;
  - with pages planted before the panic (pmplant, tests/linux/plant.c:
    anonymous memory, tmpfs and block device page cache; docs/filtering.md):
    at level 31 none is in the file, and makedumpfile re-filtering it at
    -d 31 reads the panic from its output (bios-kdump-plant, the default
    format); at
    dump.level=0 every one is, the printed ones at their pfn, and the file
    as an ELF core filtered at 31 by postmortem compress and by
    makedumpfile keeps the same pages (1%) in LZO files of the same size
    (10%), and the level-31 boot's file the same pages within 3%
    (bios-kdump-plant-level0);
    with the ELF core (bios-elf-plant, level 31) no planted page is in
    its file bytes and the kernel writes under half of what it writes at
    dump.level=0 (bios-elf-plant-level0: every planted page, at its pfn);
    the postmortem note says dump_level=;
    over serial recv checks it against the sender's SHA-256, shows the
    crash record sent first, and refuses the same capture cut short;
  - under OVMF, the configuration tables postmortem names (ACPI 2.0, ACPI,
    SMBIOS) are at the addresses the guest printed from
    /sys/firmware/efi/systab;
  - with Secure Boot enforced (ovmf-sb-file-load: OVMF's SMM build, a
    variable store made by virt-fw-vars from OVMF_VARS_4M.ms.fd with a
    test certificate and the Debian kernel's signer added to db; the
    kernel booted with lockdown=integrity): the kernel says Secure Boot is
    on, is locked down, has loaded the test certificate from db into its
    platform keyring; kexec_file_load of the unsigned image (ENODATA) and
    of one signed by another key (ENOKEY) and kexec_load are refused, each
    with `postmortem load` naming signatures or lockdown as the cause; the
    copy signed with the test key (scripts/sign.sh) loads, and its dump
    is checked as any kdump-compressed one;
  - dump=file (docs/dump-file.md; bios-dumpfile-root-ext4,
    bios-dumpfile-root-ext4-nvme, bios-dumpfile-root-xfs,
    bios-dumpfile-root-xfs-frag): the disk
    (virtio-blk or NVMe, serial "pmroot") is one partition with an ext4
    (free space in 4 MiB holes) or xfs filesystem made on the host from
    the initramfs's own files, and the guest boots with it as its root
    (pmroot=: the initramfs mounts it and switch_roots); for xfs the guest
    first fills the free space with 32 KiB files and removes every other
    one (pmfrag=, tests/linux/frag.c): over a thousand extents.  It runs `postmortem load --dump-file
    /var/crash/postmortem.dump --size 96M` and waits for an NMI with the
    root mounted read-write; the host stops QEMU, copies the disk, sends
    the NMI and resumes.  Then the guest boots again from the disk
    (pmtest=savecore: the kernel replays the journal): `postmortem
    savecore -o /var/crash/vmcore --clear` with no dump argument finds the
    file through the load's state file on the root and marks it consumed,
    makedumpfile --dump-dmesg in the guest finds the panic, and the vmcore,
    copied to a second disk, is checked here as any kdump-compressed file.
    After that e2fsck -fn / xfs_repair -n are clean, the file's blocks
    (debugfs dump_extents / xfs_db bmap) are 96 MiB and its header says
    consumed, and of the disk as copied at the NMI only blocks of the file
    changed in the crash kernel's dump (some did).
  - device-mapper (bios-dumpfile-dm: Debian's dm-mod, dm-crypt and
    dmsetup in the guest, pmdm=): `load --dump-file` is refused, naming
    dm-crypt, on an ext4 that the guest makes on a dm-crypt volume
    (aes-xts-plain64) as dmsetup makes it (the table says crypt) and with
    cryptsetup's CRYPT- uuid, and for a file with chattr +j, each leaving
    the file empty and nothing loaded; then a dm-linear volume at sector
    16384 of the disk's first partition (LVM's mapping), holding an ext4
    made here (free space in 4 MiB holes), gets the 64 MiB dump file, is
    remounted read-only and the guest panics on an NMI (the disk copied
    first, as for the roots).  Here: e2fsck -fn is clean, of the disk only
    blocks of the file (debugfs, at the linear offset) changed, and the
    file copied out with debugfs gives, with `postmortem savecore
    --from-file`, a kdump-compressed file checked as any.
  - encrypted (docs/encryption.md; bios-kdump-encrypted, bios-serial-encrypted):
    the guest loads with --encrypt-to its test key (scripts/mkguest.py), the
    crash kernel names that key.  To the dump partition at dump.level=0
    with pages planted: none is on the disk as written, and `savecore
    --key` gives a kdump-compressed file with every one (the printed ones
    at their pfn).  Over serial at the default level 31 (a slow target: no
    plant, the clear bios-fallback-serial's size; planted memory over
    serial is tests/qemu/encrypt_test.py's): no crash record crosses the
    line, none of KEPT_TEXT (the "Linux version 6.1" banner, "Kernel panic
    - not syncing", "sysrq triggered crash": kernel memory a level-31 dump
    keeps) is in the capture from the dump's HEADER frame on (the guest's
    console before it prints the panic in the clear, no leak), as it is or
    in its frames' payloads joined, and `recv --key build/guest/enc.pem`
    gives a kdump-compressed file with all of it in makedumpfile's log,
    which makedumpfile -d 31 finds nothing more to leave out of.  Both
    give the panic in makedumpfile's log.

    linux_test.py [--short] [CASE...]

PM_LINUX_KEEP=1 keeps the temporary directory and each case's files.

--short runs the cases `make test` runs (BIOS kexec_load, OVMF
kexec_file_load, the same under Secure Boot, the OVMF capsule, -cpu max with the panic on CPU 3 of 4,
a guest with intel_iommu=on whose dump disk sits behind QEMU's
intel-iommu: postmortem must turn translation off, a disk without a
dump partition: the fallback to serial sends the crash record first, then
the kdump-compressed file, the default format with planted pages at
dump levels 31 and 0, the dump file on an ext4 and an xfs root on
virtio-blk and on an ext4 root on NVMe, the device-mapper case, and the
encrypted dump to the dump partition and over serial);
without it every case (`make test-linux`).  Prints one
line per case and "linux_test: N passed, N failed" last.
"""
import atexit
import gzip
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402
import secureboot as sb  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import kdump_read  # noqa: E402

GUEST = os.path.join(q.BUILD, "guest")
TOOL = os.path.join(q.BUILD, "postmortem")
DUMP_GUID = "9cd6ae46-cf19-4c5c-b341-57f4b21dfd41"
BANNER = r"^postmortem \d+\.\d+\.\d+: crash and recovery kernel"
COMPLETE = r"^postmortem: dump complete: \d+ MiB in ([\d.]+) s"
TMP = tempfile.mkdtemp(prefix="pm-linux-")
if not os.environ.get("PM_LINUX_KEEP"):     # set: keep TMP (its files: a failed case's dumps)
    atexit.register(shutil.rmtree, TMP, ignore_errors=True)

# TCG on a loaded 2-core machine: the guest boots in ~10 s (BIOS) or ~20 s
# (OVMF); the dump of a 512 MiB guest to virtio takes ~5-10 s.
TIMEOUT = 420


class Case:
    """cpu: QEMU -cpu model (None: QEMU's default); panic: "sysrq", "cpuN"
    (sysrq on guest CPU N), "nmi" (QEMU monitor `nmi`, unknown_nmi_panic) or
    "softlockup" (the soft-lockup watchdog with softlockup_panic, CPU 1 stuck)."""
    def __init__(self, name, firmware="bios", load=(), dump="disk", smp=2, mem=512,
                 crash="64M", extra_append="", short=False, capsule=False, cpu=None,
                 panic="sysrq", qemu=(), disk_dev="virtio-blk-pci", expect=(), fallback=False,
                 fmt="elf", emulator=None, apic=None, level=None, plant=False, root=None,
                 frag=False, encrypt=False, dm=False, timeout=TIMEOUT, crash_opts=(), expect_after=()):
        self.name, self.firmware, self.load, self.dump = name, firmware, list(load), dump
        # Lines after "dump: writing" (expect: before it).
        self.expect_after = list(expect_after)
        self.smp, self.mem, self.crash, self.extra_append = smp, mem, crash, extra_append
        self.short, self.capsule, self.cpu, self.panic = short, capsule, cpu, panic
        # Extra QEMU arguments (given first), the dump disk's QEMU device (and
        # options), and console lines expected between the banner and the dump.
        self.qemu, self.disk_dev, self.expect = list(qemu), disk_dev, list(expect)
        # fallback: the disk has no dump partition, so the dump goes to the
        # serial console, the crash record first.
        self.fallback = fallback
        # fmt "elf": the case asks for the ELF core (dump.format=elf); None:
        # the default, makedumpfile's kdump-compressed file at dump level 31.
        self.fmt = fmt
        self.kdump = fmt is None
        # emulator: None for the system's QEMU 7.2, "qemu10" for QEMU 10
        # (qemutest.EMULATORS; the case is skipped without it).  apic: the
        # APIC mode postmortem's cpu: line must name ("x2APIC"), or None.
        self.emulator, self.apic = emulator, apic
        # level: dump.level= for a kdump case (None: postmortem's default,
        # 31).  plant: pmplant pages of known content before the panic
        # (tests/linux/plant.c, PLANT), checked absent at 31, present at 0.
        self.level, self.plant = level, plant
        # root: "ext4" or "xfs": the disk (disk_dev) is one partition with
        # that filesystem holding the guest's files (make_root_disk); the
        # guest boots with it as its root (pmroot=), loads with --dump-file
        # /var/crash/postmortem.dump (ROOT_FILE_SIZE) and waits for the NMI
        # (panic="nmi"), the root still mounted read-write; QEMU is stopped
        # and the disk copied then, to show afterwards that the crash kernel
        # wrote nothing outside the file (check_root).  frag: the guest cuts
        # the free space into ROOT_FRAG_KIB holes first (files over all of
        # it, every other one removed): a dump file of thousands of extents.
        self.root, self.frag = root, frag
        # encrypt: load --encrypt-to the guest's test key (scripts/mkguest.py):
        # the kernel must say it encrypts for that key; no planted page may
        # be on the disk or in the capture as written, no crash record sent;
        # savecore/recv --key build/guest/enc.pem give the file checked as
        # any.  plant then may be (USER_MIB, CACHE_MIB) instead of True.
        self.encrypt = encrypt
        # dm: device-mapper in the guest (pmdm=, make_dm_disk, check_dm):
        # dm-crypt and chattr +j refused, then the dump file on a dm-linear
        # volume (DM_FILE); QEMU stopped and the disk copied at the NMI.
        self.dm = dm
        # timeout: how long the run may take before it counts as hung
        # (seconds, from QEMU's start to its exit).
        self.timeout = timeout
        # crash_opts: more words for postmortem's command line (pmappend=).
        self.crash_opts = list(crash_opts)

    def serial(self):
        return self.dump == "serial" or self.fallback

    def panic_cpu(self):
        """The guest CPU that panics, when the case decides it (else None)."""
        if self.panic.startswith("cpu"):
            return self.panic[3:]
        return "1" if self.panic == "softlockup" else None

    def panic_lines(self):
        """What the guest prints at the panic (also looked for in the dump's log)."""
        if self.panic == "nmi":
            return ["NMI received for unknown reason", "Kernel panic - not syncing: NMI"]
        if self.panic == "softlockup":
            return ["watchdog: BUG: soft lockup - CPU#1 stuck for ",
                    "Kernel panic - not syncing: softlockup: hung tasks"]
        return ["sysrq: Trigger a crash", "Kernel panic - not syncing: sysrq triggered crash"]


ENC_LINE = (r"^dump: encrypted \(AES-256-GCM, [^)]+\) for key [0-9a-f]{64}; nothing is written in "
            r"the clear$")
ENC_PUB = "/usr/share/postmortem/enc.pub.pem"     # in the guest (scripts/mkguest.py)
ENC_KEY = os.path.join(GUEST, "enc.pem")          # its private half, here
VIRTIO_IOMMU = "virtio-blk-pci,disable-legacy=on,iommu_platform=on"   # modern only can offer it
ROOT_FILE = "/var/crash/postmortem.dump"
# 95 MiB: load cut off a last extent too short for a marker block (fragmented xfs)
DUMPFILE_CHECKING = r"^dump: dump file /var/crash/postmortem\.dump: %s \(serial \"pmroot\"\), %s extents, " \
    r"9[56] MiB; checking its markers"
DUMPFILE_CHECKED = r"^dump: dump file /var/crash/postmortem\.dump on %s: \d+ markers and the header check out"
VTD_OFF = r"^iommu: VT-d unit at 0xfed90000 was translating; translation turned off"


def smp_test_expect(mode):
    """smp=test on a crash from CPU 3: the CPU started is APIC ID 1, the
    first that is neither this one nor the boot CPU (APIC ID 0, listed
    first in the MADT), which INIT would reset (docs/smp.md)."""
    return [r"^smp: CPU with APIC ID 1 started \(%s, page 0x[0-9a-f]+, \d+ us\); 4 CPUs enabled" % mode,
            r"^smp: test passed: CPU 1 and this CPU each hashed our image"]


CASES = [
    Case("bios-kexec", "bios", short=True),
    # crashkernel=4M, the smallest reservation the footprint is kept for
    # (tests/footprint_test.sh): kexec_file_load under OVMF here, kexec_load
    # under SeaBIOS with the second CPU's batches in bios-kdump-plant.
    Case("ovmf-kexec-file", "ovmf", load=["--file-load"], short=True, crash="4M"),
    Case("bios-kexec-file", "bios", load=["--file-load"]),
    # The ELF core with planted pages: at dump.level=0 every one is in it;
    # at the default level 31 none is (left-out runs are zero tails, as
    # makedumpfile -E writes them) and the file is much smaller.
    Case("bios-elf-plant-level0", "bios", level=0, plant=True,
         expect=[r"^dump: ELF level 0: every page kept"]),
    Case("bios-elf-plant", "bios", plant=True,
         expect=[r"^dump: ELF level 31: left out \d+ of \d+ pages \(free \d+, cache \d+"]),
    # The default format: the kdump-compressed file, filtered at level 31.
    Case("bios-kdump-format", "bios", fmt=None,
         expect=[r"^dump: kdump level 31: left out \d+ of \d+ pages \(free \d+, cache \d+"]),
    # The same with pages of known content planted before the panic (user,
    # tmpfs and block device cache): none of them in the level-31 file; all
    # of them, at their physical addresses, at dump.level=0, where the same
    # memory filtered at 31 by postmortem compress and makedumpfile is compared.
    # The panic on CPU 0, the boot CPU: the default smp=auto starts CPU 1,
    # which hashes the pages beside the writing (the two-part digest).
    Case("bios-kdump-plant", "bios", fmt=None, plant=True, short=True, panic="cpu0", crash="4M",
         expect=[r"^dump: kdump level 31: left out \d+ of \d+ pages \(free \d+, cache \d+",
                 r"^smp: CPU with APIC ID 1 started \(xAPIC, "],
         expect_after=[r"^dump: the second CPU hashed \d+ KiB of pages"]),
    Case("bios-kdump-plant-level0", "bios", fmt=None, level=0, plant=True, short=True,
         expect=[r"^dump: kdump level 0: every page kept"]),
    Case("ovmf-kexec", "ovmf"),
    Case("bios-serial", "bios", dump="serial", mem=256, crash="32M",
         extra_append="init_on_free=1 pmslim=1"),
    # dump=disk, but the disk has no dump partition: the fallback to serial
    # sends the crash record (panic line, registers, log tail) first.
    # Then the default format, the kdump-compressed file, as over any target.
    Case("bios-fallback-serial", "bios", mem=256, crash="32M", fallback=True, short=True,
         extra_append="init_on_free=1 pmslim=1", fmt=None,
         expect=[r"^dump: no postmortem dump partition found; falling back to serial ttyS0",
                 r"^dump: crash record: 2 CPUs, the newest \d+ log records",
                 r"^dump: the crash record first: \d+ bytes over ttyS0, about \d+ s at 115200 baud",
                 r"^dump: writing \d+ MiB kdump-compressed file \(\d+ of \d+ pages, \w+, dump level 31\) "
                 r"to serial ttyS0"]),
    Case("bios-smp4", "bios", smp=4),
    Case("ovmf-capsule", "ovmf", capsule=True, short=True),
    # Secure Boot enforced (OVMF's SMM build, Debian's Microsoft-keyed store
    # with a test certificate and the Debian kernel's signer added to db by
    # virt-fw-vars): the guest is locked down (integrity); kexec_file_load
    # refuses the unsigned image and one signed by another key, kexec_load
    # is refused, and the copy signed with the test key loads and dumps.
    Case("ovmf-sb-file-load", "ovmf-sb", load=["--file-load"], short=True, fmt=None,
         expect=[r"^dump: kdump level 31: left out \d+ of \d+ pages"]),
    # Linux leaves VT-d translating: postmortem must turn it off before its DMA.
    Case("bios-intel-iommu", "bios", qemu=["-device", "intel-iommu"], extra_append="intel_iommu=on",
         disk_dev=VIRTIO_IOMMU, short=True, expect=[VTD_OFF]),
    Case("bios-intel-iommu-nvme", "bios", qemu=["-device", "intel-iommu"], extra_append="intel_iommu=on",
         disk_dev="nvme,serial=pmdump", expect=[VTD_OFF]),
    # q35's own AHCI (00:1f.2), which the guest has no driver for, behind VT-d.
    Case("bios-intel-iommu-ahci", "bios", qemu=["-device", "intel-iommu"], extra_append="intel_iommu=on",
         disk_dev="ide-hd,bus=ide.0", expect=[VTD_OFF]),
    Case("bios-amd-iommu", "bios", qemu=["-device", "amd-iommu"], extra_append="amd_iommu=on",
         disk_dev=VIRTIO_IOMMU,
         expect=[r"^iommu: AMD-Vi unit at 0xfed80000 was translating; translation turned off"]),
    # -cpu max offers 5-level paging and Debian's kernel uses it: kexec
    # enters us with CR4.LA57 set.  Combined with a panic on the last of 4
    # CPUs (APIC ID 3, not the boot CPU) to cost one guest boot, not two.
    # smp=test: postmortem starts a CPU Linux's crash path parked (APIC ID
    # 1: never the boot CPU, 0) under 5-level paging and hashes on it
    # (docs/smp.md); the dump is then written as always.
    Case("bios-max-la57-cpu3", "bios", smp=4, cpu="max", panic="cpu3", short=True,
         crash_opts=["smp=test"], expect=smp_test_expect("xAPIC")),
    # QEMU 10's TCG emulates x2APIC (QEMU 7.2's does not).  Linux turns it
    # on only with interrupt remapping in x2APIC mode (or when the firmware
    # did), as on real servers: q35's VT-d with intremap and eim.  Debian's
    # kernel then runs its local APICs in x2APIC mode, and its crash path
    # leaves them so: kexec enters us in x2APIC mode, with 5-level paging
    # (-cpu max), on CPU 3 of 4, VT-d translating and remapping interrupts.
    # The kdump-compressed file (the default format): the started CPU then
    # hashes its pages beside the writing, in x2APIC mode under LA57.
    Case("bios-qemu10-x2apic", "bios", smp=4, cpu="max", panic="cpu3", emulator="qemu10",
         apic="x2APIC", qemu=["-device", "intel-iommu,intremap=on,eim=on"], crash_opts=["smp=test"],
         fmt=None, expect=smp_test_expect("x2APIC") + [VTD_OFF + r".*\(interrupt remapping on"],
         expect_after=[r"^dump: the second CPU hashed \d+ KiB of pages"]),
    Case("bios-max-kexec-file", "bios", load=["--file-load"], cpu="max"),   # needs XLF_5LEVEL
    Case("ovmf-max-capsule", "ovmf", capsule=True, cpu="max"),     # EFI runtime calls under 5-level paging
    Case("bios-nmi", "bios", panic="nmi"),
    # The watchdog's hrtimer interrupt panics on the CPU that is stuck (1).
    Case("bios-softlockup", "bios", panic="softlockup"),
    # dump=file (docs/dump-file.md): the guest's root filesystem on the
    # disk, the dump file in it, mounted read-write through the crash.
    Case("bios-dumpfile-root-ext4", "bios", fmt=None, panic="nmi", root="ext4",
         disk_dev="virtio-blk-pci,serial=pmroot", short=True,
         expect=[DUMPFILE_CHECKING % (r"virtio0", r"([2-9]|\d\d+)"), DUMPFILE_CHECKED % "virtio0"]),
    # The same on xfs, the file in a few extents (the fragmented xfs below
    # takes about 1.6 times as long: make test-linux's).
    Case("bios-dumpfile-root-xfs", "bios", fmt=None, panic="nmi", root="xfs",
         disk_dev="virtio-blk-pci,serial=pmroot", short=True,
         expect=[DUMPFILE_CHECKING % (r"virtio0", r"\d+"), DUMPFILE_CHECKED % "virtio0"]),
    # Encrypted (docs/encryption.md).  To the dump partition: planted pages
    # at dump.level=0, so a clear dump would hold every one; none is on the
    # disk as written, all are in savecore --key's file.
    Case("bios-kdump-encrypted", "bios", fmt=None, level=0, plant=True, encrypt=True, short=True,
         expect=[ENC_LINE, r"^dump: kdump level 0: every page kept"]),
    # Over serial (a slow target: the default level 31, no plant, so as
    # many MiB as the clear bios-fallback-serial sends): no crash record,
    # none of KEPT_TEXT (kernel memory a level-31 dump certainly keeps)
    # among the bytes from the dump's HEADER frame on, and recv --key's
    # file holds it all in makedumpfile's log, filtered as a clear one.
    # Planted memory over serial is encrypt_test.py's.  117-174 s on 2
    # cores at a load of 3-5, as the clear case (125 s at 2-4): TIMEOUT's.
    Case("bios-serial-encrypted", "bios", dump="serial", mem=256, crash="32M", fmt=None,
         encrypt=True, extra_append="init_on_free=1 pmslim=1", short=True,
         expect=[ENC_LINE, r"^dump: no crash record first: it would cross the serial line in the clear",
                 r"^dump: writing \d+ MiB kdump-compressed file \(\d+ of \d+ pages, \w+, dump level 31\) "
                 r"to serial ttyS0"]),
    Case("bios-dumpfile-root-ext4-nvme", "bios", fmt=None, panic="nmi", root="ext4",
         disk_dev="nvme,serial=pmroot", short=True,
         expect=[DUMPFILE_CHECKING % (r"nvme\w*", r"([2-9]|\d\d+)"), DUMPFILE_CHECKED % r"nvme\w*"]),
    # xfs, its free space cut into small holes: thousands of extents (more
    # than one FIEMAP call's 512, an extent btree of two levels in xfs).
    Case("bios-dumpfile-root-xfs-frag", "bios", fmt=None, panic="nmi", root="xfs", frag=True,
         disk_dev="virtio-blk-pci,serial=pmroot",
         expect=[DUMPFILE_CHECKING % (r"virtio0", r"\d{4}"), DUMPFILE_CHECKED % "virtio0"]),
    # Real device-mapper in the guest (Debian's dm-mod, dm-crypt, dmsetup):
    # a file on dm-crypt is refused, so is one with chattr +j, and the
    # dump file on a dm-linear volume at a non-zero offset (LVM's mapping)
    # gets the dump through the table.
    Case("bios-dumpfile-dm", "bios", fmt=None, panic="nmi", dm=True,
         disk_dev="virtio-blk-pci,serial=pmdm", short=True,
         expect=[r"^dump: dump file /dm/postmortem\.dump: virtio0 \(serial \"pmdm\"\), \d+ extents, "
                 r"6[34] MiB; checking its markers",
                 r"^dump: dump file /dm/postmortem\.dump on virtio0: \d+ markers and the header check out"]),
]
ROOT_FILE_SIZE = "96M"
# the root filesystem's partition: byte offset and size (xfs wants 300 MB at least)
ROOT_PART = {"ext4": (1 << 20, 320 << 20), "xfs": (1 << 20, 384 << 20)}
# What the root filesystem leaves out of the initramfs: the kernel modules
# (loaded before the switch) and /boot (the kdump cases' kernel).
ROOT_SKIP = ("boot", "lib/modules")
# frag: the guest fills the free space with files of ROOT_FRAG_KIB and
# removes every other one before the load (pmfrag, tests/linux/frag.c).
ROOT_FRAG_KIB = 32
# ext4: files of 4 MiB over all the free space but this, every other one
# removed on the host (debugfs): the dump file gets a few dozen extents.
ROOT_EXT4_SLACK = 16 << 20
# dm: one disk (serial "pmdm"): partition 1 (DM_PART) holds at
# DM_LINEAR_OFF of it an ext4 of DM_LINEAR_SIZE (free space in 4 MiB
# holes), the guest's dm-linear volume; partition 2 (DM_CRYPT_SIZE) the
# guest's dm-crypt volume.
DM_PART = (1 << 20, 176 << 20)
DM_LINEAR_OFF, DM_LINEAR_SIZE = 8 << 20, 160 << 20
DM_CRYPT_SIZE = 48 << 20
DM_FILE, DM_FILE_SIZE = "/dm/postmortem.dump", "64M"
DM_EXPECT = [
    r"^guest: dm: crypt: load exit 1, file size 0, crash kernel loaded 0",
    r"^guest: dm: crypt: postmortem load: dump file /crypt/postmortem\.dump: refused: it is on dm-\d+ "
    r"\(pmcrypt\), a device-mapper 'crypt' target \(dm-crypt\): only linear targets \(LVM\) map to one disk",
    r"^guest: dm: crypt-uuid: load exit 1, file size 0, crash kernel loaded 0",
    r"^guest: dm: crypt-uuid: postmortem load: dump file /crypt/postmortem\.dump: refused: it is on "
    r"dm-crypt \(dm-\d+, pmcrypt\): the disk holds ciphertext",
    r"^guest: dm: pmlin: 0 %d linear \d+:\d+ %d$" % (DM_LINEAR_SIZE // 512, DM_LINEAR_OFF // 512),
    r"^guest: dm: plusj: load exit 1, file size 0, crash kernel loaded 0",
    r"^guest: dm: plusj: postmortem load: dump file /dm/plusj: refused: ext4 journals this file's data "
    r"\(chattr \+j\)",
    r"^guest: postmortem loaded",
    r"^guest: dm: /dm remounted read-only"]
CAPSULE = "/usr/share/postmortem/test.cap"
STAGED = "postmortem-e3a0d1a0-5b8b-4f3c-9d2a-6c1e7b3f4a21.cap"


def make_disk(name, mem_mb, esp=False):
    """A dump partition for the whole memory; with esp, a 40 MiB FAT32 ESP first."""
    path = os.path.join(TMP, name + ".img")
    with open(path, "wb") as f:
        f.truncate((mem_mb + 128 + (40 if esp else 0)) << 20)
    parts = ["-n", "1:0:+40M", "-t", "1:ef00", "-n", "2:0:0", "-t", "2:" + DUMP_GUID] if esp else \
        ["-n", "1:0:0", "-t", "1:" + DUMP_GUID, "-c", "1:pmdump"]
    subprocess.run(["sgdisk", "-o"] + parts + [path], check=True, stdout=subprocess.DEVNULL)
    if esp:
        subprocess.run(["mkfs.fat", "-F", "32", "-s", "1", "--offset", "2048", path, str(40 * 1024)],
                       check=True, capture_output=True)
    return path


_TREE = []


def guest_tree():
    """The guest's initramfs (build/guest/initrd.img, newc) unpacked into a
    directory, less ROOT_SKIP, once per run: (directory, [(name, mode,
    symlink target or None)] in archive order, parents first)."""
    if _TREE:
        return _TREE[0]
    data = gzip.open(os.path.join(GUEST, "initrd.img")).read()
    top = os.path.join(TMP, "root-tree")
    os.makedirs(top)
    ents, pos = [], 0
    while data[pos:pos + 6] == b"070701":
        f = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        mode, size, nsize = f[1], f[6], f[11]
        name = data[pos + 110:pos + 109 + nsize].decode()
        body = (pos + 110 + nsize + 3) & ~3
        blob = data[body:body + size]
        pos = (body + size + 3) & ~3
        if name == "TRAILER!!!":
            break
        if any(name == k or name.startswith(k + "/") for k in ROOT_SKIP):
            continue
        path = os.path.join(top, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if stat.S_ISDIR(mode):
            os.makedirs(path, exist_ok=True)
        elif stat.S_ISLNK(mode):
            os.symlink(blob.decode(), path)
        elif stat.S_ISREG(mode):
            with open(path, "wb") as g:
                g.write(blob)
            os.chmod(path, mode & 0o7777)
        else:
            continue
        ents.append((name, mode, blob.decode() if stat.S_ISLNK(mode) else None))
    _TREE.append((top, ents))
    return _TREE[0]


def xfs_proto(path, top, ents):
    """mkfs.xfs's protofile (-p) for the tree, every file owned by root."""
    kids = {"": []}
    for name, mode, target in ents:
        kids.setdefault(os.path.dirname(name), []).append((name, mode, target))
        if stat.S_ISDIR(mode):
            kids.setdefault(name, [])
    lines = ["/dev/null", "0 0", "d--755 0 0"]

    def emit(d):
        for name, mode, target in kids.get(d, []):
            base, perm = os.path.basename(name), "%03o" % (mode & 0o777)
            if stat.S_ISDIR(mode):
                lines.append("%s d--%s 0 0" % (base, perm))
                emit(name)
                lines.append("$")
            elif target is not None:
                lines.append("%s l--%s 0 0 %s" % (base, perm, target))
            else:
                lines.append("%s ---%s 0 0 %s" % (base, perm, os.path.join(top, name)))
    emit("")
    lines.append("$")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def make_root_disk(case):
    """A GPT disk of one partition (ROOT_PART) holding a new ext4 or xfs
    filesystem with the guest's files (guest_tree: mkfs.ext4 -d, or
    mkfs.xfs -p and a protofile), the guest's root.  ext4: free space in
    4 MiB holes between files, as on a filesystem in use (a few dozen
    extents; ROOT_EXT4_SLACK left whole).  (xfs with frag: the guest cuts
    its free space into holes itself, pmfrag=.)"""
    path = os.path.join(TMP, case.name + ".img")
    part = path + ".part"
    off, size = ROOT_PART[case.root]
    top, ents = guest_tree()
    with open(part, "wb") as f:
        f.truncate(size)
    if case.root == "ext4":
        subprocess.run(["mkfs.ext4", "-q", "-F", "-b", "4096", "-d", top, part], check=True,
                       capture_output=True)
        ext4_holes(part)
    else:
        proto = part + ".proto"
        xfs_proto(proto, top, ents)
        subprocess.run(["mkfs.xfs", "-q", "-f", "-p", proto, part], check=True, capture_output=True)
        os.unlink(proto)
    with open(path, "wb") as f:
        f.truncate(off + size + (1 << 20))
    subprocess.run(["sgdisk", "-o", "-n", "1:%d:+%dM" % (off // 512, size >> 20), "-t", "1:8300", path],
                   check=True, stdout=subprocess.DEVNULL)
    with open(path, "r+b") as f, open(part, "rb") as g:
        f.seek(off)
        shutil.copyfileobj(g, f, 1 << 20)
    os.unlink(part)
    return path


def ext4_holes(part):
    """Files of 4 MiB over the free space of the ext4 image part but
    ROOT_EXT4_SLACK, every other one removed (debugfs): a file then gets
    a few dozen extents."""
    r = run_tool("dumpe2fs", "-h", part)
    free = int(re.search(r"^Free blocks:\s+(\d+)", r.stdout, re.M).group(1)) * 4096
    n = (free - ROOT_EXT4_SLACK) // (4 << 20)
    # blocks allocated (unwritten extents), no data written: fast
    cmds = ["write /dev/null fill.%d\nfallocate fill.%d 0 1023" % (i, i) for i in range(n)] + \
        ["rm fill.%d" % i for i in range(0, n, 2)]
    with open(part + ".cmds", "w") as f:
        f.write("\n".join(cmds) + "\n")
    subprocess.run(["debugfs", "-w", "-f", part + ".cmds", part], check=True, capture_output=True)
    os.unlink(part + ".cmds")


def make_dm_disk(case):
    """The dm case's disk: GPT, partition 1 (DM_PART) with an ext4 of
    DM_LINEAR_SIZE (root's, free space in 4 MiB holes) at DM_LINEAR_OFF in
    it and a pattern around it, partition 2 of DM_CRYPT_SIZE for dm-crypt."""
    path = os.path.join(TMP, case.name + ".img")
    part = path + ".part"
    off, size = DM_PART
    with open(part, "wb") as f:
        f.truncate(DM_LINEAR_SIZE)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-b", "4096", "-E", "root_owner=0:0", part], check=True,
                   capture_output=True)
    ext4_holes(part)
    with open(path, "wb") as f:
        f.write(b"PMDMPAD!" * ((off + size) // 8))     # what a wrong mapping would read or write
        f.truncate(off + size + DM_CRYPT_SIZE + (1 << 20))
    subprocess.run(["sgdisk", "-o", "-n", "1:%d:+%dM" % (off // 512, size >> 20), "-t", "1:8e00",
                    "-n", "2:0:+%dM" % (DM_CRYPT_SIZE >> 20), path], check=True, stdout=subprocess.DEVNULL)
    with open(path, "r+b") as f, open(part, "rb") as g:
        f.seek(off + DM_LINEAR_OFF)
        shutil.copyfileobj(g, f, 1 << 20)
    os.unlink(part)
    return path


def check_dm(case, disk, snap, res):
    """After the dump into DM_FILE on the dm-linear volume (remounted
    read-only before the NMI): of the disk as copied at the NMI only blocks
    of the file changed (debugfs on the ext4 where the linear table puts
    it), and some did; e2fsck -fn is clean; the file, copied out with
    debugfs, gives with `postmortem savecore --from-file` a
    kdump-compressed file checked as any (check_kdump)."""
    changed = changed_blocks(snap, disk)
    os.unlink(snap)
    at = DM_PART[0] + DM_LINEAR_OFF
    part, dump, core = disk + ".part", disk + ".dump", os.path.join(TMP, case.name + ".vmcore")
    with open(disk, "rb") as f, open(part, "wb") as g:
        f.seek(at)
        g.write(f.read(DM_LINEAR_SIZE))
    r = run_tool("e2fsck", "-fn", part)
    if r.returncode != 0:
        return "e2fsck -fn after the dump (exit %d): %s" % (r.returncode, (r.stdout + r.stderr)[-300:])
    name = DM_FILE[len("/dm"):]
    blocks = fs_blocks(part, name)
    if not (64 << 20) - (64 << 10) <= len(blocks) * 4096 <= 64 << 20:
        return "%d blocks found for %s, not 64 MiB of them (less a short last extent)" % (len(blocks), DM_FILE)
    outside = sorted(changed - set(at // 4096 + b for b in blocks))
    if outside:
        return "%d blocks outside the dump file changed at the crash, the first at byte %d" % (
            len(outside), outside[0] * 4096)
    if not changed:
        return "the dump file's blocks are as they were before the panic"
    r = run_tool("debugfs", "-R", "dump %s %s" % (name, dump), part)
    if r.returncode != 0 or not os.path.exists(dump):
        return "debugfs could not copy the dump file out: " + (r.stdout + r.stderr)[-300:]
    r = run_tool(TOOL, "savecore", "--from-file", dump, "-o", core)
    if r.returncode != 0 or "kdump-compressed" not in r.stdout:
        return "savecore --from-file (exit %d): %s" % (r.returncode, (r.stdout + r.stderr)[-400:])
    why = check_kdump(core, case, res)
    if why:
        return why
    ext = next((m.group(1) for m in (re.search(r"\), (\d+) extents?, 6[34] MiB", ln) for ln in res.lines) if m),
               "?")
    res.note = "dm-crypt and chattr +j refused; dm-linear at sector %d: %s extents, %d of %d file blocks " \
        "written, nothing outside; %s" % (DM_LINEAR_OFF // 512, ext, len(changed), len(blocks),
                                         getattr(res, "note", ""))
    return None


def root_devs(case):
    """The guest's names of its root partition and of the disk the second
    boot copies the vmcore to (the first virtio disk after the root's)."""
    if case.disk_dev.startswith("nvme"):
        return "/dev/nvme0n1p1", "/dev/vda"
    return "/dev/vda1", "/dev/vdb"


def fs_blocks(part, path):
    """The data blocks (4096 bytes) of path in the ext4 image part, from
    debugfs's leaf extents (not the extent tree's own blocks)."""
    r = run_tool("debugfs", "-R", "dump_extents -l " + path, part)
    out = []
    for m in re.finditer(r"^\s*\d+/\s*\d+\s+\d+/\s*\d+\s+\d+\s*-\s*\d+\s+(\d+)\s*-\s*(\d+)\s+\d+",
                         r.stdout, re.M):
        out += range(int(m.group(1)), int(m.group(2)) + 1)
    return out


def xfs_blocks(part, path):
    """The data blocks (4096 bytes, in file order) of path in the xfs image part, from xfs_db."""
    r = run_tool("xfs_db", "-r", "-c", "sb 0", "-c", "p agblocks", "-c", "p blocksize", part)
    m = re.search(r"agblocks = (\d+)\s+blocksize = (\d+)", r.stdout)
    if not m or m.group(2) != "4096":
        return []
    agblocks = int(m.group(1))
    r = run_tool("xfs_db", "-r", "-c", "path " + path, "-c", "bmap", part)
    out = []
    for m in re.finditer(r"^data offset (\d+) startblock \d+ \((\d+)/(\d+)\) count (\d+) flag (\d+)",
                         r.stdout, re.M):
        if int(m.group(1)) != len(out) or m.group(5) != "0":   # in order, written
            return []
        first = int(m.group(2)) * agblocks + int(m.group(3))
        out += range(first, first + int(m.group(4)))
    return out


def changed_blocks(a, b):
    """The 4 KiB blocks (byte offset / 4096) in which files a and b differ."""
    out = set()
    with open(a, "rb") as f, open(b, "rb") as g:
        pos = 0
        while True:
            x, y = f.read(1 << 20), g.read(1 << 20)
            if not x and not y:
                break
            if x != y:
                for i in range(0, max(len(x), len(y)), 4096):
                    if x[i:i + 4096] != y[i:i + 4096]:
                        out.add((pos + i) // 4096)
            pos += 1 << 20
    return out


def fsck_root(case, disk, when):
    """None, or what e2fsck -fn / xfs_repair -n says of the root partition."""
    off, size = ROOT_PART[case.root]
    part = disk + ".part"
    with open(disk, "rb") as f, open(part, "wb") as g:
        f.seek(off)
        g.write(f.read(size))
    fsck = ["e2fsck", "-fn"] if case.root == "ext4" else ["xfs_repair", "-n", "-f"]
    r = run_tool(*(fsck + [part]))
    if r.returncode != 0:
        os.unlink(part)
        return "%s %s (exit %d): %s" % (" ".join(fsck), when, r.returncode, (r.stdout + r.stderr)[-300:])
    return None


def check_root(case, disk, snap, res):
    """After the dump into /var/crash/postmortem.dump on the guest's root
    (mounted read-write at the panic): the disk changed only inside the
    file's blocks since QEMU was stopped for the NMI (snap), and in some of
    them; the guest boots again from the disk (the kernel replays the
    journal) and saves the dump with plain `postmortem savecore -o
    /var/crash/vmcore --clear` (the file found through the load's state
    file on the root), makedumpfile --dump-dmesg there finds the panic; the
    vmcore it copies out is checked here as any kdump-compressed file
    (check_kdump); then e2fsck -fn / xfs_repair -n are clean, the file's
    blocks (debugfs, xfs_db) are 96 MiB and its header says consumed."""
    if not any(ln.startswith("guest: savecore would read " + ROOT_FILE) for ln in res.lines):
        return "the guest's load recorded no dump file for savecore"
    changed = changed_blocks(snap, disk)
    os.unlink(snap)
    core = os.path.join(TMP, case.name + ".vmcore")
    why = reboot_savecore(case, disk, core)
    if why:
        return why
    why = check_kdump(core, case, res) or fsck_root(case, disk, "after the dump and the next boot")
    if why:
        return why
    part = disk + ".part"
    blocks = fs_blocks(part, ROOT_FILE) if case.root == "ext4" else xfs_blocks(part, ROOT_FILE)
    os.unlink(part)
    if not (96 << 20) - (64 << 10) <= len(blocks) * 4096 <= 96 << 20:
        return "%d blocks found for %s, not 96 MiB of them (less a short last extent)" % (
            len(blocks), ROOT_FILE)
    off = ROOT_PART[case.root][0]
    inside = set(off // 4096 + b for b in blocks)
    outside = sorted(changed - inside)
    if outside:
        return "%d blocks outside the dump file changed at the crash, the first at byte %d" % (
            len(outside), outside[0] * 4096)
    if not changed:
        return "the dump file's blocks are as they were before the panic"
    with open(disk, "rb") as f:
        f.seek(off + blocks[0] * 4096 + 512)
        head = f.read(0x14)
    if head[:8] != b"PMDUMPFL" or struct.unpack_from("<I", head, 0x10)[0] != 3:
        return "the dump file's header does not say consumed after savecore --clear: %r" % head
    ext = next((m.group(1) for m in (re.search(r"\), (\d+) extents?, 9[56] MiB", ln) for ln in res.lines) if m),
               "?")
    frag = next((ln[len("guest: "):] for ln in res.lines if ln.startswith("guest: pmfrag:")), None)
    res.note = "%s root: %s extents%s, %d of %d file blocks written, nothing outside; %s" % (
        case.root, ext, " (%s)" % frag if frag else "", len(changed), len(blocks),
        getattr(res, "note", ""))
    return None


def reboot_savecore(case, disk, core):
    """The next boot (pmtest=savecore) from the same root: `postmortem
    savecore -o /var/crash/vmcore --clear` with no dump argument finds the
    dump file its load recorded in /var/lib/postmortem and marks it
    consumed, makedumpfile there reads the panic from the vmcore, which it
    copies to a second disk (into core here); / is remounted read-only."""
    root, outdev = root_devs(case)
    out = disk + ".out"
    with open(out, "wb") as f:
        f.truncate(96 << 20)
    args = ["-machine", "q35", "-smp", str(case.smp),
            "-kernel", os.path.join(GUEST, "vmlinuz"), "-initrd", os.path.join(GUEST, "initrd.img"),
            "-append", "console=ttyS0,115200 pmtest=savecore pmroot=%s pmout=%s" % (root, outdev),
            "-drive", "file=%s,format=raw,if=none,id=dump" % disk, "-device", case.disk_dev + ",drive=dump",
            "-drive", "file=%s,format=raw,if=none,id=out" % out, "-device", "virtio-blk-pci,drive=out"]
    res = q.run_qemu(args, [
        r"^guest: root %s \(%s\), switching to it" % (root, case.root),
        r"^guest: savecore: savecore: the dump file %s \(recorded in "
        r"/var/lib/postmortem/dumpfile by" % re.escape(ROOT_FILE),
        r"^guest: savecore: .*marked consumed",
        r"^guest: savecore exit 0",
        r"^guest: vmcore log: .*" + re.escape(case.panic_lines()[-1]),
        r"^guest: vmcore (\d+) bytes on " + outdev,
        r"^guest: / remounted read-only"], TIMEOUT, must_exit=True, mem=str(case.mem))
    if res.failure:
        return "the boot after the crash: %s; its lines: %s" % (
            res.failure, [ln for ln in res.lines if ln.startswith("guest:")][-12:])
    size = next(int(m.group(1)) for m in (re.match(r"^guest: vmcore (\d+) bytes", ln) for ln in res.lines) if m)
    with open(out, "rb") as f, open(core, "wb") as g:
        g.write(f.read(size))
    os.unlink(out)
    return None


def qemu_args(case, disk, tmpdir):
    load = ["--dump=" + case.dump] + case.load
    if case.encrypt:
        load += ["--encrypt-to", ENC_PUB]
    if case.root:
        load = ["--dump-file", ROOT_FILE, "--size", ROOT_FILE_SIZE] + case.load
    if case.dm:
        load = ["--dump-file", DM_FILE, "--size", DM_FILE_SIZE] + case.load
    more = []
    if case.fmt:        # the ELF core named; None: the default, kdump-compressed
        more.append("dump.format=" + case.fmt)
    if case.level is not None:
        more.append("dump.level=%d" % case.level)
    more += case.crash_opts
    load += ["--after=capsule", "--capsule=" + CAPSULE] if case.capsule else ["--after=poweroff"]
    append = ("console=ttyS0,115200 crashkernel=%s panic=0 pmload=%s pmcrash=%s %s" %
              (case.crash, ",".join(load), case.panic, case.extra_append)).strip()
    if more:
        append += " pmappend=" + ",".join(more)
    if case.plant:
        user, cache = case.plant if isinstance(case.plant, tuple) else (PLANT_USER_MIB, PLANT_CACHE_MIB)
        append += " pmplant=%d,%d,%d" % (PLANT_SEED, user, cache)
    if case.root:
        append += " pmroot=" + root_devs(case)[0] + (" pmfrag=/fill:%d" % ROOT_FRAG_KIB if case.frag else "")
    if case.dm:
        append += " pmdm=/dev/vda1:%d:%d:/dev/vda2" % (DM_LINEAR_OFF // 512, DM_LINEAR_SIZE // 512)
    initrd = os.path.join(GUEST, "initrd.img")
    if case.firmware == "ovmf-sb":
        append += " lockdown=integrity pmsb=/sb"
        initrd = sb_initrd(tmpdir)
    args = (["-cpu", case.cpu] if case.cpu else []) + (
            ["-machine", "q35"] if case.firmware != "ovmf-sb" else []) + ["-smp", str(case.smp),
            "-kernel", os.path.join(GUEST, "vmlinuz"),
            "-initrd", initrd,
            "-append", append,
            "-drive", "file=%s,format=raw,if=none,id=dump" % disk,
            "-device", case.disk_dev + ",drive=dump"]
    if case.plant:      # pmplant's disk: its first bytes name it, the rest is written in the guest
        plant = os.path.join(tmpdir, "plant.img")
        with open(plant, "wb") as f:
            f.write(b"PMPLANTDISK")
            f.truncate(((case.plant[1] if isinstance(case.plant, tuple) else PLANT_CACHE_MIB) + 2) << 20)
        args += ["-drive", "file=%s,format=raw,if=none,id=plant" % plant,
                 "-device", "virtio-blk-pci,drive=plant"]
    args = case.qemu + args
    if case.firmware == "ovmf":
        args = q.ovmf_args(tmpdir) + args
    if case.firmware == "ovmf-sb":
        args = sb.qemu_args(os.path.join(tmpdir, "OVMF_VARS.sb.fd")) + args
    return args


def sb_initrd(tmpdir):
    """For a Secure Boot case: keys made here (a test key enrolled in db, and
    another), the variable store (OVMF_VARS_4M.ms.fd with the test
    certificate and the signer of Debian's kernel added to db, so that
    OVMF starts that kernel), build/postmortem.bzImage signed with each key
    (make sign's scripts/sign.sh) and the guest's initramfs with a second
    archive in front of it holding them as /sb/signed.bzImage and
    /sb/other.bzImage.  Returns that initramfs."""
    key, crt = sb.make_key(tmpdir, "db", "postmortem test db")
    okey, ocrt = sb.make_key(tmpdir, "other", "postmortem test other")
    deb = sb.signer_cert(os.path.join(GUEST, "vmlinuz"), os.path.join(tmpdir, "debian.pem"))
    sb.make_vars(tmpdir, db=[crt, deb])
    bz = os.path.join(q.BUILD, "postmortem.bzImage")
    files = {"sb/signed.bzImage": sb.sign(key, crt, bz, os.path.join(tmpdir, "signed.bzImage")),
             "sb/other.bzImage": sb.sign(okey, ocrt, bz, os.path.join(tmpdir, "other.bzImage"))}
    out = os.path.join(tmpdir, "initrd.img")
    with open(out, "wb") as f:
        f.write(sb.cpio({k: open(v, "rb").read() for k, v in files.items()}))
        with open(os.path.join(GUEST, "initrd.img"), "rb") as g:
            shutil.copyfileobj(g, f)
    return out


# What a Secure Boot case must show before the load that works: Secure Boot
# on, the kernel locked down, the test certificate in its platform keyring
# (from db), the unsigned image and the other key's refused by the kernel
# with postmortem load naming the signature, and kexec_load refused.
SB_EXPECT = [
    r"^guest: lockdown .*\[integrity\]",
    r"^guest: dmesg: .*secureboot: Secure boot enabled",
    r"^guest: dmesg: .*Loaded X\.509 cert 'postmortem test db",
    r"^guest: sb unsigned: postmortem load: kexec failed \(exit \d+\): the kernel refused "
    r"/usr/lib/postmortem/postmortem\.bzImage: it has no signature",
    r"^guest: sb unsigned exit 1",
    r"^guest: sb other: postmortem load: kexec failed \(exit \d+\): the kernel refused "
    r"/sb/other\.bzImage's signature \(Required key not available; lockdown: integrity\): no key it trusts",
    r"^guest: sb other exit 1",
    r"^guest: sb kexec_load: postmortem load: kexec failed \(exit \d+\): the kernel refused kexec_load "
    r"\((Operation not permitted|Permission denied); lockdown: integrity\)",
    r"^guest: sb kexec_load exit 1",
]

def run_tool(*argv):
    return subprocess.run(list(argv), capture_output=True, text=True)


# pmplant (tests/linux/plant.c): MiB of anonymous memory and of each page cache kind
PLANT_SEED = int.from_bytes(os.urandom(4), "little") | 1
PLANT_USER_MIB, PLANT_CACHE_MIB = 64, 16
PLANT_KINDS = {"U": "user (anonymous)", "C": "tmpfs cache", "B": "block device cache"}


def plant_page(kind, index, seed=PLANT_SEED):
    """The 4096 bytes pmplant writes for page index of kind."""
    out = bytearray(b"PMPLANT" + kind.encode() + struct.pack("<II", seed, index))
    m = (1 << 64) - 1
    x = ((seed << 32) ^ (ord(kind) << 24) ^ index ^ 0x9e3779b97f4a7c15) & m
    for _ in range(510):
        x ^= x >> 12
        x ^= (x << 25) & m
        x ^= x >> 27
        out += struct.pack("<Q", (x * 0x2545f4914f6cdd1d) & m)
    return bytes(out)


def plant_scan(path, pfns=()):
    """Over a kdump-compressed file's pages: ({kind: set of page indices
    found at a page's start}, hits elsewhere in a page, {pfn: page} of pfns)."""
    found, odd, got = {k: set() for k in PLANT_KINDS}, 0, {}
    pat = re.compile(b"PMPLANT([UCB])" + re.escape(struct.pack("<I", PLANT_SEED)) + b"(....)", re.S)
    want = set(pfns)
    for pfn, data in kdump_read.Kdump(path).pages():
        if pfn in want:
            got[pfn] = data
        if b"PMPLANT" not in data:
            continue
        for m in pat.finditer(data):
            if m.start():
                odd += 1
            else:
                found[m.group(1).decode()].add(struct.unpack("<I", m.group(2))[0])
    return found, odd, got


def plant_lines(res):
    """(pages per kind, [(kind, index, pfn)]) from the guest's plant: lines, or None."""
    counts, where = None, []
    for line in res.lines:
        m = re.match(r"^guest: plant seed 0x([0-9a-f]+): (\d+) user pages, (\d+) tmpfs cache pages, "
                     r"(\d+) block device cache pages", line)
        if m and int(m.group(1), 16) == PLANT_SEED:
            counts = {"U": int(m.group(2)), "C": int(m.group(3)), "B": int(m.group(4))}
        m = re.match(r"^guest: plant ([UCB]) page (\d+) pfn 0x([0-9a-f]+)", line)
        if m:
            where.append((m.group(1), int(m.group(2)), int(m.group(3), 16)))
    return (counts, where) if counts and any(ln.startswith("guest: plant ready") for ln in res.lines) \
        else None


def kept_pages(path):
    return kdump_read.Kdump(path).kept()


# Figures of the plant cases, for the level-0 case's comparison with the
# level-31 one (separate boots): kept pages and file size of the kernel's
# level-31 file.
PLANT_FIGURES = {}


def check_plant_absent(core, case, res):
    """Level 31: none of the planted pages is in the kernel's file;
    makedumpfile re-filters it at -d 31 (zlib) and reads the result."""
    if plant_lines(res) is None:
        return "the guest did not plant (no 'guest: plant seed 0x%x ... ready' lines)" % PLANT_SEED
    found, odd, _ = plant_scan(core)
    left = {k: len(v) for k, v in found.items() if v}
    if left or odd:
        return "planted pages in the level-31 dump: %s (%d more not page-aligned)" % (left, odd)
    md = core + ".refilter"
    r = run_tool("makedumpfile", "-c", "-d", "31", core, md)
    if r.returncode != 0:
        return "makedumpfile -c -d 31 of the kernel's file failed: " + (r.stdout + r.stderr)[-300:]
    PLANT_FIGURES[31] = (kept_pages(core), os.path.getsize(core), os.path.getsize(md))
    r = run_tool("makedumpfile", "--dump-dmesg", md, md + ".dmesg")
    if r.returncode != 0 or case.panic_lines()[-1] not in open(md + ".dmesg", errors="replace").read():
        # makedumpfile writes the input's notes and points offset_vmcoreinfo
        # at the same offset: a VMCOREINFO outside the notes is lost.
        vi, _, note, note_len = struct.unpack_from("<QQQQ", open(core, "rb").read(0x1040), 0x1020)
        return ("makedumpfile cannot read the log of its -d 31 re-filter of the file (%s); the "
                "file's VMCOREINFO at 0x%x is %s its notes (0x%x, %d bytes)") % (
                    " ".join((r.stdout + r.stderr).split())[-120:], vi,
                    "inside" if note <= vi < note + note_len else "outside", note, note_len)
    res.note += "; no planted page in it (%d user, %d tmpfs and %d block device cache MiB planted)" % (
        PLANT_USER_MIB, PLANT_CACHE_MIB, PLANT_CACHE_MIB)
    return None


def check_plant_kept(core, case, res, level):
    """An encrypted case, decrypted: every planted page the level keeps (all
    at 0; the user pages at 23, which leaves out cache and free pages) is in
    the file, the printed ones at their pfn."""
    planted = plant_lines(res)
    if planted is None:
        return "the guest did not plant (no 'guest: plant seed 0x%x ... ready' lines)" % PLANT_SEED
    counts, where = planted
    kinds = "UCB" if level == 0 else "U" if level == 23 else ""
    found, odd, got = plant_scan(core, [pfn for k, _, pfn in where if k in kinds])
    for k in kinds:
        if found[k] != set(range(counts[k])):
            return "level %d: %d of %d %s pages found (%d not page-aligned)" % (
                level, len(found[k] & set(range(counts[k]))), counts[k], PLANT_KINDS[k], odd)
    for k, i, pfn in where:
        if k in kinds and (not pfn or got.get(pfn) != plant_page(k, i)):
            return "level %d: %s page %d is not at pfn 0x%x" % (level, PLANT_KINDS[k], i, pfn)
    res.note = "%d planted pages in the decrypted file (level %d), the %d printed at their pfn; none as " \
        "written" % (sum(counts[k] for k in kinds), level, sum(1 for k, _, _ in where if k in kinds))
    return None


def check_plant_level0(core, case, res):
    """Level 0: every planted page is in the file, the printed ones at their
    physical address; then the same memory filtered at 31 by postmortem
    compress and by makedumpfile (-l and -c): kept pages and sizes."""
    planted = plant_lines(res)
    if planted is None:
        return "the guest did not plant (no 'guest: plant seed 0x%x ... ready' lines)" % PLANT_SEED
    counts, where = planted
    found, odd, got = plant_scan(core, [pfn for _, _, pfn in where])
    for k, n in counts.items():
        if found[k] != set(range(n)):
            return "level 0: %d of %d %s pages found (%d not page-aligned)" % (
                len(found[k] & set(range(n))), n, PLANT_KINDS[k], odd)
    for k, i, pfn in where:
        if not pfn or got.get(pfn) != plant_page(k, i):
            return "level 0: %s page %d is not at pfn 0x%x" % (PLANT_KINDS[k], i, pfn)
    # The same memory at level 31: postmortem compress (payload/pagefilter,
    # as the crash kernel) against makedumpfile -l (LZO, same compressor)
    # and -c (zlib), all from the file as an ELF core.
    pm, mdl, mdc, elf = core + ".pm31", core + ".mdl31", core + ".mdc31", core + ".elf"
    kdump_read.Kdump(core).write_elf(elf)
    pmz = core + ".pmz31"
    for out, comp in ((pm, "lzo"), (pmz, "zlib")):
        r = run_tool(TOOL, "compress", elf, "-o", out, "-d", "31", "-c", comp)
        if r.returncode != 0:
            return "postmortem compress -d 31 -c %s failed: %s" % (comp, (r.stdout + r.stderr)[-300:])
    for out, comp in ((mdl, "-l"), (mdc, "-c")):
        r = run_tool("makedumpfile", comp, "-d", "31", elf, out)
        if r.returncode != 0:
            return "makedumpfile %s -d 31 failed: %s" % (comp, (r.stdout + r.stderr)[-300:])
    os.unlink(elf)
    k_pm, k_md = kept_pages(pm), kept_pages(mdl)
    s_pm, s_pmz, s_mdl, s_mdc = (os.path.getsize(f) for f in (pm, pmz, mdl, mdc))
    res.note = ("%d planted pages found, %d at their pfn; at -d 31 of this memory: postmortem compress "
                "keeps %d pages, %.1f MiB (LZO), %.1f MiB (zlib); makedumpfile keeps %d, -l %.1f MiB, "
                "-c %.1f MiB" % (sum(counts.values()), len(where), k_pm, s_pm / 1048576,
                                 s_pmz / 1048576, k_md, s_mdl / 1048576, s_mdc / 1048576))
    if abs(k_pm - k_md) > max(4, k_md // 100):
        return "postmortem and makedumpfile keep %d and %d pages at -d 31: " % (k_pm, k_md) + res.note
    if s_pm > s_mdl * 1.1:
        return "postmortem's LZO file is more than 10%% larger than makedumpfile -l's: " + res.note
    # makedumpfile -c is zlib: the same compressor (dump.compress=zlib) makes
    # a file within 10% of it (the default, LZO, trades size for speed:
    # docs/compression.md).
    if s_pmz > s_mdc * 1.1:
        return "postmortem's zlib file is more than 10%% larger than makedumpfile -c's: " + res.note
    a = PLANT_FIGURES.get(31)
    if a:
        res.note += "; the level-31 boot's kernel file: %d pages, %.1f MiB (makedumpfile -c of it " \
            "%.1f MiB)" % (a[0], a[1] / 1048576, a[2] / 1048576)
        # Two boots of the same script: the kernel's own pages differ a
        # little (timing, slab, the log; 44 of 20687 when measured), the
        # planted pages are out in both.  3% leaves room for that, and is
        # far below what a filter that kept one planted kind would add
        # (4096 pages of each cache kind, 16384 user pages).
        if abs(a[0] - k_md) > max(64, k_md * 3 // 100):
            return "the level-31 boot kept %d pages, makedumpfile -d 31 of this one %d: %s" % (
                a[0], k_md, res.note)
    return None


def elf_plant_scan(path, pfns=()):
    """plant_scan() over an ELF core's file bytes (its PT_LOADs' p_filesz)."""
    found, odd, got = {k: set() for k in PLANT_KINDS}, 0, {}
    pat = re.compile(b"PMPLANT([UCB])" + re.escape(struct.pack("<I", PLANT_SEED)) + b"(....)", re.S)
    with open(path, "rb") as f:
        head = f.read(64)
        phoff, = struct.unpack_from("<Q", head, 0x20)
        phnum, = struct.unpack_from("<H", head, 0x38)
        f.seek(phoff)
        table = f.read(56 * phnum)
        for i in range(phnum):
            typ, _, off, _, paddr, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", table, 56 * i)
            if typ != 1 or not filesz:
                continue
            f.seek(off)
            data = f.read(filesz)
            for m in pat.finditer(data):
                if (paddr + m.start()) % 4096:
                    odd += 1
                else:
                    found[m.group(1).decode()].add(struct.unpack("<I", m.group(2))[0])
            for pfn in pfns:
                at = pfn * 4096 - paddr
                if 0 <= at and at + 4096 <= filesz:
                    got[pfn] = data[at:at + 4096]
    return found, odd, got


# case name -> (dump level, bytes) of this run's ELF plant cases
ELF_PLANT = {}


def check_elf_plant(core, case, res):
    """The ELF core with planted pages: all of them (the printed ones at their
    pfn) at level 0; none at 31, in a file much smaller than level 0's."""
    planted = plant_lines(res)
    if planted is None:
        return "the guest did not plant (no 'guest: plant seed 0x%x ... ready' lines)" % PLANT_SEED
    counts, where = planted
    level = 31 if case.level is None else case.level
    r = run_tool(TOOL, "inspect", core)
    if "dump_level=%d\n" % level not in r.stdout:
        return "inspect shows no dump_level=%d in the postmortem note" % level
    if not any(re.match(r"^dump: writing \d+ MiB ELF core \(\d+ segments, zero pages skipped, "
                        r"dump level %d; " % level, ln) for ln in res.lines):
        return "no writing line naming dump level %d" % level
    found, odd, got = elf_plant_scan(core, [pfn for _, _, pfn in where])
    # What the kernel wrote (savecore's copy has the /proc/vmcore shape:
    # every PT_LOAD whole, the tails as holes of a sparse file).
    size = next((int(m.group(1)) << 20 for m in (re.match(r"^dump: writing (\d+) MiB ELF core", ln)
                                                 for ln in res.lines) if m), 0)
    ELF_PLANT[level] = size
    mem = next((int(m.group(1)) for m in (re.match(r"^dump: plan: .*, (\d+) MiB of memory", ln)
                                          for ln in res.lines) if m), 0)
    if level == 0:
        for k, n in counts.items():
            if found[k] != set(range(n)):
                return "ELF level 0: %d of %d %s pages found (%d not page-aligned)" % (
                    len(found[k] & set(range(n))), n, PLANT_KINDS[k], odd)
        for k, i, pfn in where:
            if not pfn or got.get(pfn) != plant_page(k, i):
                return "ELF level 0: %s page %d is not at pfn 0x%x" % (PLANT_KINDS[k], i, pfn)
        res.note = "%d planted pages in the %.0f MiB ELF core written, %d at their pfn" % (
            sum(counts.values()), size / 1048576, len(where))
        return None
    left = {k: len(v) for k, v in found.items() if v}
    if left or odd:
        return "planted pages in the level-31 ELF core: %s (%d more not page-aligned)" % (left, odd)
    whole = ELF_PLANT.get(0)
    res.note = "no planted page in the %.0f MiB ELF core written (%s; %d MiB of memory)" % (
        size / 1048576, "level 0's: %.0f MiB" % (whole / 1048576) if whole else "no level-0 case ran",
        mem)
    if not size or (whole and size * 2 > whole) or not mem or size * 3 > mem << 20:
        return "the level-31 ELF core is not much smaller: " + res.note
    return None


def kdump_bitmap2(path):
    """The 2nd bitmap (pages in the file) of a kdump-compressed file."""
    with open(path, "rb") as f:
        head = f.read(0x1c0)
        sub, blocks = struct.unpack_from("<iI", head, 0x1b0)
        f.seek((1 + sub) * 4096 + blocks * 4096 // 2)
        return f.read(blocks * 4096 // 2)


def check_vmcore(core, case):
    """None, or what is wrong with the saved vmcore."""
    r = run_tool(TOOL, "inspect", core)
    if r.returncode != 0:
        return "inspect failed: " + r.stderr[-300:]
    prstatus = len(re.findall(r"NT_PRSTATUS", r.stdout))
    if prstatus != case.smp:
        return "%d NT_PRSTATUS notes for %d CPUs" % (prstatus, case.smp)
    log = core + ".dmesg"
    r = run_tool("makedumpfile", "--dump-dmesg", core, log)
    if r.returncode != 0 or not os.path.exists(log):
        return "makedumpfile --dump-dmesg failed: " + (r.stdout + r.stderr)[-400:]
    text = open(log, errors="replace").read()
    wants = case.panic_lines()
    if case.panic_cpu() is not None:
        wants.append("CPU: %s PID: " % case.panic_cpu())     # the oops names the CPU
    for want in wants:
        if want not in text:
            return "makedumpfile's log (%d lines) lacks %r" % (text.count("\n"), want)
    # The same core as a kdump-compressed file (postmortem compress), at
    # dump level 1 (LZO) and, filtered from the crashed kernel's struct
    # pages, at 31 (zlib streams, as makedumpfile -c writes them):
    # makedumpfile must read the same log from both, and at 31 leave out
    # the same pages as makedumpfile -l -d 31 (a page or two of slack).
    for level, comp in (("1", "lzo"), ("31", "zlib")):
        kd = core + ".kdump" + level
        r = run_tool(TOOL, "compress", core, "-o", kd, "-d", level, "-c", comp)
        if r.returncode != 0 or "not filtering" in r.stdout:
            return "postmortem compress -d %s: %s" % (level, (r.stdout + r.stderr)[-300:])
        r = run_tool("makedumpfile", "--dump-dmesg", kd, kd + ".dmesg")
        if r.returncode != 0 or open(kd + ".dmesg", errors="replace").read() != text:
            return "makedumpfile's log of the -d %s kdump-compressed file differs: %s" % (
                level, (r.stdout + r.stderr)[-300:])
    md = core + ".md31"
    r = run_tool("makedumpfile", "-l", "-d", "31", core, md)
    if r.returncode != 0:
        return "makedumpfile -l -d 31 failed: " + (r.stdout + r.stderr)[-300:]
    ours, theirs = kdump_bitmap2(core + ".kdump31"), kdump_bitmap2(md)
    differ = sum(bin(a ^ b).count("1") for a, b in zip(ours, theirs))
    if len(ours) != len(theirs) or differ > 4:
        return "postmortem -d 31 and makedumpfile -d 31 disagree on %d pages" % differ
    for f in (core + ".kdump1", core + ".kdump31", md):
        os.unlink(f)
    small = core + ".small"
    r = run_tool("makedumpfile", "-c", "-d", "31", core, small)
    if r.returncode != 0:
        return "makedumpfile -c -d 31 failed: " + (r.stdout + r.stderr)[-400:]
    log2 = small + ".dmesg"
    r = run_tool("makedumpfile", "--dump-dmesg", small, log2)
    if r.returncode != 0 or "Kernel panic" not in open(log2, errors="replace").read():
        return "the filtered dump's log lacks the panic"
    return None


# case name -> (MiB of the ELF core the kernel wrote, bytes of savecore's
# /proc/vmcore-shaped copy), from this run's ELF disk cases
ELF_SIZES = {}


def check_kdump(core, case, res):
    """None, or what is wrong with the saved kdump-compressed file; sets res.note."""
    with open(core, "rb") as f:
        head = f.read(0x1d0)
    if head[:8] != b"KDUMP   ":
        return "savecore's file starts with %r, not the kdump signature" % head[:8]
    level = struct.unpack_from("<i", open(core, "rb").read(4096 + 16), 4096 + 8)[0]
    cpus = struct.unpack_from("<i", head, 0x1cc)[0]
    want = 31 if case.level is None else case.level
    if level != want or cpus != case.smp:
        return "kdump header: dump level %d, %d CPUs (want %d, %d)" % (level, cpus, want, case.smp)
    log = core + ".dmesg"
    r = run_tool("makedumpfile", "--dump-dmesg", core, log)
    if r.returncode != 0 or not os.path.exists(log):
        return "makedumpfile --dump-dmesg failed: " + (r.stdout + r.stderr)[-400:]
    text = open(log, errors="replace").read()
    for want in case.panic_lines():
        if want not in text:
            return "makedumpfile's log (%d lines) lacks %r" % (text.count("\n"), want)
    if case.encrypt:
        missing = [t.decode() for t in KEPT_TEXT if t.decode() not in text]
        if missing:
            return "makedumpfile's log of the decrypted file lacks %s" % missing
        if case.plant:
            return check_plant_kept(core, case, res, level)
    if level == 0:
        return check_plant_level0(core, case, res) if case.plant else None
    # makedumpfile re-filtering our file at level 31 must find (nearly)
    # nothing more to leave out: the kernel's filter agrees with it.
    md = core + ".md31"
    r = run_tool("makedumpfile", "-l", "-d", "31", core, md)
    if r.returncode != 0:
        return "makedumpfile -l -d 31 on the kdump-compressed file failed: " + (r.stdout + r.stderr)[-300:]
    ours, theirs = kdump_bitmap2(core), kdump_bitmap2(md)
    os.unlink(md)
    more = sum(bin(a & ~b & 0xff).count("1") for a, b in zip(ours, theirs))
    if len(ours) != len(theirs) or more > 4 or any(b & ~a & 0xff for a, b in zip(ours, theirs)):
        return "makedumpfile -d 31 leaves out %d more pages of the kernel's level-31 file" % more
    size = os.path.getsize(core)
    mem = next((int(m.group(1)) for m in (re.match(r"^dump: plan: .*, (\d+) MiB of memory", ln)
                                          for ln in res.lines) if m), 0)
    # Against an ELF core of every page (level 0) when one ran: the
    # level-31 ELF cores leave the same pages out, only uncompressed.
    name, (elf, whole) = next(((k, v) for k, v in ELF_SIZES.items() if k.endswith("level0")),
                              ("", (0, 0)))
    res.note = "kdump-compressed %.1f MiB written; %s; %d MiB of memory" % (
        size / 1048576, "%s's ELF core %d MiB written, %.1f MiB saved" % (name, elf, whole / 1048576)
        if name else "no ELF case ran", mem)
    if not mem or size * 4 > mem << 20 or (elf and size * 4 > elf << 20):
        return "the kdump-compressed file is not much smaller: " + res.note
    return check_plant_absent(core, case, res) if case.plant else None


def check_tables(res):
    """Under OVMF: postmortem's efi: line names the guest's systab tables."""
    guest = {}
    for line in res.lines:
        m = re.match(r"^guest: systab (\w+)=(0x[0-9a-f]+)", line)
        if m:
            guest[m.group(1)] = int(m.group(2), 16)
    if not guest:
        return "the guest printed no /sys/firmware/efi/systab"
    efi = next((ln for ln in res.lines if ln.startswith("efi: EFI v")), None)
    if efi is None:
        return "postmortem printed no efi: line"
    ours = {k.replace(" ", ""): int(v, 16) for k, v in re.findall(r" ([A-Z][A-Za-z0-9. ]*?)=(0x[0-9a-f]+)", efi)}
    names = {"ACPI20": "ACPI2.0", "ACPI": "ACPI", "SMBIOS": "SMBIOS", "SMBIOS3": "SMBIOS3.0",
             "ESRT": "ESRT", "MEMATTR": "MEMATTR", "RNG": "RNG", "TPMEventLog": "TPMEventLog"}
    for key, addr in guest.items():
        ourkey = names.get(key, key)
        if ours.get(ourkey) != addr:
            return "guest systab %s=0x%x but postmortem says %s" % (
                key, addr, "0x%x" % ours[ourkey] if ourkey in ours else "nothing")
    return None


def check_capsule(disk, vars_file):
    """The capsule staged on the ESP (fsck clean, same bytes) and OsIndications bit 0x4."""
    part = disk + ".esp"
    with open(disk, "rb") as f, open(part, "wb") as g:
        f.seek(2048 * 512)
        g.write(f.read(40 << 20))
    r = subprocess.run(["fsck.fat", "-n", part], capture_output=True, text=True)
    if r.returncode != 0 or len(r.stdout.strip().splitlines()) != 2:
        return "fsck.fat -n on the ESP: " + r.stdout[-300:]
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    got = subprocess.run(["mtype", "-i", part, "::/EFI/UpdateCapsule/" + STAGED], capture_output=True,
                         env=env).stdout
    os.unlink(part)
    want = open(os.path.join(GUEST, "test.cap"), "rb").read()    # the same bytes mkguest put in
    if not want or got != want:
        return "the staged capsule's bytes differ from the guest's %s" % CAPSULE
    r = run_tool(TOOL, "varstore", vars_file, "--get", "OsIndications", "--u64")
    if r.returncode != 0 or not int(r.stdout.split()[0], 0) & 4:
        return "OsIndications without bit 0x4 in the variable store: " + (r.stdout + r.stderr)[-200:]
    return None


def check_record(out, case):
    """None, or what recv's printout of the crash record lacks."""
    panic = case.panic_lines()[-1]
    wants = ["crash record (sent before the dump):",
             "panic: " + panic.split("not syncing: ", 1)[1],
             "cpus: %d saved by the crashed kernel" % case.smp,
             "cpu %d: pid " % (case.smp - 1),
             "] " + panic + "\n", "end of crash record"]
    if case.fallback:
        wants.append("target: no postmortem dump partition found; falling back to serial ttyS0")
    missing = [w for w in wants if w not in out]
    return "recv's crash record lacks %r" % missing if missing else None


def check_not_clear(path):
    """An encrypted case: none of pmplant's pages (their first bytes name the
    seed) in the disk image or capture as the crash kernel left it."""
    pat = re.compile(b"PMPLANT[UCB]" + re.escape(struct.pack("<I", PLANT_SEED)))
    with open(path, "rb") as f:
        tail = b""
        for chunk in iter(lambda: f.read(16 << 20), b""):
            if pat.search(tail + chunk):
                return "a planted page is in %s as written: the dump is not encrypted" % os.path.basename(path)
            tail = chunk[-16:]
    return None


# Kernel memory a level-31 dump of the Debian guest certainly keeps: its
# banner (linux_banner, read-only data) and the panic as its log holds it.
KEPT_TEXT = [b"Linux version 6.1", b"Kernel panic - not syncing", b"sysrq triggered crash"]
FRAME_MAGIC = b"\xa5PMFRM\x5a\x0f"      # docs/dump-serial.md


def dump_start(data):
    """Where the dump's HEADER frame (version 1, header CRC good) starts in a
    serial capture, or -1.  Before it the line carries console text only."""
    at = data.find(FRAME_MAGIC)
    while at >= 0:
        if data[at + 8:at + 10] == b"\x01\x01" and len(data) >= at + 40 and \
                zlib.crc32(data[at:at + 36]) == struct.unpack_from("<I", data, at + 36)[0]:
            return at
        at = data.find(FRAME_MAGIC, at + 1)
    return -1


def frame_payloads(data, at):
    """The payloads of the frames from data[at] on whose header CRC is good,
    joined in capture order: the file's bytes as a clear dump sends them,
    whole where a frame boundary would split them in the capture."""
    out = []
    at = data.find(FRAME_MAGIC, at)
    while at >= 0 and at + 40 <= len(data):
        if zlib.crc32(data[at:at + 36]) == struct.unpack_from("<I", data, at + 36)[0]:
            n = struct.unpack_from("<H", data, at + 10)[0]
            out.append(data[at + 40:at + 40 + n])
            at = data.find(FRAME_MAGIC, at + 40 + n)
        else:
            at = data.find(FRAME_MAGIC, at + 1)
    return b"".join(out)


def check_frames_clear(cap, res):
    """An encrypted serial case: none of KEPT_TEXT from the dump's HEADER
    frame on, in the capture as it is or in its frames' payloads joined
    (the guest's console before the HEADER prints the panic in the clear:
    that is no leak); sets res.leak_note."""
    data = open(cap, "rb").read()
    at = dump_start(data)
    if at < 0:
        return "no HEADER frame in the serial capture"
    joined = frame_payloads(data, at)
    found = [t.decode() for t in KEPT_TEXT if t in data[at:] or t in joined]
    if found:
        return "%s in the capture's %d bytes from the dump's HEADER frame on: kernel memory in the clear" % (
            found, len(data) - at)
    res.leak_note = "none of %s in the %.1f MiB from the HEADER frame on (%d bytes of console before it)" % (
        [t.decode() for t in KEPT_TEXT], (len(data) - at) / 1048576, at)
    return None


def run_case(case):
    why = q.emulator_missing(case.emulator) or (sb.missing() if case.firmware == "ovmf-sb" else None)
    if why:
        return q.skip(why)
    if case.fallback:
        disk = os.path.join(TMP, case.name + ".img")
        with open(disk, "wb") as f:          # a blank disk: nothing to dump to
            f.truncate(64 << 20)
    elif case.root:
        disk = make_root_disk(case)
    elif case.dm:
        disk = make_dm_disk(case)
    else:
        disk = make_disk(case.name, case.mem, esp=case.capsule)
    snap = disk + ".snap"
    with tempfile.TemporaryDirectory(dir=TMP) as d:
        args = qemu_args(case, disk, d)
        if case.serial():
            cap = os.path.join(TMP, case.name + ".cap")
            args += ["-chardev", "file,id=cap,path=" + cap, "-serial", "chardev:cap"]
            res = q.run_qemu(args, [], case.timeout, must_exit=True, mem=str(case.mem),
                             serial_stdio=False, emulator=case.emulator)
            data = open(cap, "rb").read()
            res.lines = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", ln.decode("utf-8", "replace")).rstrip("\r")
                         for ln in data.split(b"\n")]
            if res.failure is None:
                seen = [p for p in ("guest: postmortem loaded", "sysrq: Trigger a crash")
                        if not any(p in ln for ln in res.lines)]
                seen += [e for e in case.expect if not any(re.search(e, ln) for ln in res.lines)]
                if not any(re.search(COMPLETE, ln) for ln in res.lines):
                    seen.append("dump complete")
                if seen:
                    res.failure = "serial capture lacks %s; its dump: lines: %s" % (
                        seen, [ln for ln in res.lines if ln.startswith("dump:")])
        else:
            # A panic in NMI context kexecs before its lines reach the
            # console: they are only in the dump's log (check_vmcore).
            expect = [r"^guest: postmortem loaded"] + \
                [re.escape(p) for p in case.panic_lines() if case.panic != "nmi"] + \
                [BANNER] + case.expect + [r"^dump: writing .* to disk "] + case.expect_after + [COMPLETE]
            if case.plant:
                expect.insert(1, r"^guest: plant ready")
            if case.firmware == "ovmf-sb":
                expect[0:0] = SB_EXPECT
            if case.cpu == "max":       # the guest really ran 5-level paging...
                expect[0:0] = [r"^guest: la57: 5-level paging on"]
            if case.apic == "x2APIC":   # ...or x2APIC mode (Linux says so early)
                expect[0:0] = [r"^\[ *[\d.]+\] x2apic enabled$"]
            if case.cpu == "max" or case.panic_cpu() is not None or case.apic:  # ...we kept it, on that CPU
                expect.insert(expect.index(BANNER) + 1, r"^cpu: APIC ID %s \(%s\), %s-level paging" % (
                    case.panic_cpu() or r"\d+", case.apic or ".*",
                    "5" if case.cpu == "max" else "4"))
            on_line = None
            if case.panic == "nmi":
                mon = os.path.join(d, "mon.sock")
                args += q.monitor_args(mon)
                expect.insert(1, r"^guest: waiting for an NMI")

                def on_line(line, mon=mon):
                    if line.startswith("guest: waiting for an NMI"):
                        if case.root or case.dm:
                            # the disk as the crash kernel finds it: QEMU
                            # stopped (its disk requests drained), copied,
                            # the NMI sent and QEMU resumed to take it
                            q.monitor_command(mon, "stop")
                            shutil.copyfile(disk, snap)
                            q.monitor_command(mon, "nmi")
                            q.monitor_command(mon, "cont")
                        else:
                            q.monitor_command(mon, "nmi")
                if case.root:
                    expect[0:1] = [r"^guest: root %s \(%s\), switching to it" % (root_devs(case)[0], case.root),
                                   r"^guest: running on the root filesystem \(%s\)" % case.root] + \
                        ([r"^guest: pmfrag: \d+ files of %d KiB in /fill, the odd ones removed" % ROOT_FRAG_KIB]
                         if case.frag else []) + \
                        [r"^guest: postmortem loaded",
                         r"^guest: savecore would read " + re.escape(ROOT_FILE)]
                if case.dm:
                    expect[0:1] = DM_EXPECT
            if case.root or case.dm:
                expect[expect.index(r"^dump: writing .* to disk ")] = \
                    r"^dump: writing .* to the dump file on \w+"
            if case.capsule:
                at = expect.index(r"^dump: writing .* to disk ")
                expect[at:at] = [r"^efirt: runtime services v2\.\d+ \(virtual mode\)",
                               r"^capsule: from the handoff block, \d+ bytes, .*accepted"]
                expect += [r"^capsule: staged \\EFI\\UpdateCapsule\\%s on virtio0p1" % STAGED,
                           r"^efirt: capsule-on-disk requested: OsIndications 0x[0-9a-f]+ -> ",
                           r"^after: trying EFI ResetSystem\(EfiResetCold\) \(virtual mode\)"]
            res = q.run_qemu(args, expect, case.timeout, must_exit=True, mem=str(case.mem),
                             on_line=on_line, emulator=case.emulator)
            if res.failure is None and case.capsule:
                res.failure = check_capsule(disk, os.path.join(d, "OVMF_VARS.fd"))
    if res.failure:
        return res
    core = os.path.join(TMP, case.name + ".vmcore")
    key = ["--key", ENC_KEY] if case.encrypt else []
    if case.encrypt:
        res.failure = check_not_clear(cap if case.serial() else disk)
        if res.failure is None and case.serial():
            res.failure = check_frames_clear(cap, res)
        if res.failure:
            return res
    if case.serial():
        if case.fallback:       # the capture cut short: recv must not call it whole
            cut = cap + ".cut"
            data = open(cap, "rb").read()
            with open(cut, "wb") as f:
                f.write(data[:len(data) * 2 // 3])
            r = run_tool(TOOL, "recv", cut, "-o", core + ".cut")
            res.failure = check_record(r.stdout, case)
            if res.failure is None and (r.returncode != 1 or "INCOMPLETE" not in r.stdout + r.stderr):
                res.failure = "recv took a cut-off dump for whole: " + (r.stdout + r.stderr)[-300:]
            for f in (cut, core + ".cut", core + ".cut.incomplete"):
                if os.path.exists(f):
                    os.unlink(f)
            if res.failure:
                return res
        r = run_tool(*([TOOL, "recv", cap, "-o", core] + key))
        if r.returncode == 0 or case.fallback:
            res.failure = check_record(r.stdout, case) if not case.encrypt else \
                "recv found a crash record in an encrypted case's capture" if "crash record" in r.stdout \
                else None
            if res.failure:
                return res
    elif case.root or case.dm:
        res.failure = check_root(case, disk, snap, res) if case.root else check_dm(case, disk, snap, res)
        cleanup(case)
        return res
    else:
        r = run_tool(*([TOOL, "savecore", disk, "-o", core] + key))
    if r.returncode != 0:
        res.failure = "%s failed: %s" % ("recv" if case.serial() else "savecore",
                                          (r.stdout + r.stderr)[-400:])
        return res
    if case.kdump:
        if "kdump-compressed" not in r.stdout:
            res.failure = "%s did not say kdump-compressed: %s" % (
                "recv" if case.serial() else "savecore", r.stdout[-300:])
        else:
            res.failure = check_kdump(core, case, res)
            if res.failure is None and getattr(res, "leak_note", None):
                res.note = (res.note + "; " if getattr(res, "note", None) else "") + res.leak_note + \
                    ", all in the decrypted file's log"
    else:
        res.failure = check_vmcore(core, case)
        if res.failure is None and case.plant:
            res.failure = check_elf_plant(core, case, res)
        if res.failure is None and case.dump == "disk":
            written = next((int(m.group(1)) for m in (re.match(r"^dump: writing (\d+) MiB ELF core", ln)
                                                      for ln in res.lines) if m), 0)
            ELF_SIZES[case.name] = (written, os.path.getsize(core))
    if res.failure is None and case.firmware in ("ovmf", "ovmf-sb"):
        res.failure = check_tables(res)
    cleanup(case)
    return res


def cleanup(case):
    """The case's files go (PM_LINUX_KEEP=1 keeps them)."""
    for f in os.listdir(TMP) if not os.environ.get("PM_LINUX_KEEP") else ():
        if f.startswith(case.name + "."):
            os.unlink(os.path.join(TMP, f))


def main():
    argv = sys.argv[1:]
    short = "--short" in argv
    names = [a for a in argv if not a.startswith("--")]
    cases = [c for c in CASES if (c.name in names if names else (c.short or not short))]
    if not os.path.exists(os.path.join(GUEST, "initrd.img")):
        print("linux_test: %s missing (make guest builds it)" % GUEST)
        print("linux_test: 0 passed, 1 failed")
        return 1
    passed = failed = skipped = 0
    for c in cases:
        t0 = time.monotonic()
        res = run_case(c)
        took = time.monotonic() - t0
        if res.skipped:
            skipped += 1
            print("skip %s: %s" % (c.name, res.skipped), flush=True)
        elif res.failure is None:
            passed += 1
            note = getattr(res, "note", None)
            print("ok   %s (%.0f s)%s" % (c.name, took, ": " + note if note else ""), flush=True)
        else:
            failed += 1
            print("FAIL %s: %s" % (c.name, res.failure), flush=True)
            for line in res.lines[-40:]:
                print("    | " + line[:200])
    print("linux_test: %d passed, %d failed%s" % (passed, failed,
                                                  ", %d skipped" % skipped if skipped else ""))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
