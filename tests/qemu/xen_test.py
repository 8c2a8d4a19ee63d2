#!/usr/bin/env python3
"""postmortem as Xen's crash kernel: Debian's Xen 4.17 hypervisor, booted
by GRUB (multiboot2, an ISO made with grub-mkrescue) with Debian's kernel
as its PV dom0 and the guest initramfs of scripts/mkguest.py (`make
guest`: busybox, Debian's kexec-tools built with Xen support, postmortem).

Xen's own command line reserves the crash memory (crashkernel= is Xen's
here, not dom0's); dom0's /init mounts xenfs on /proc/xen and runs
`postmortem load`, whose kexec -p goes through kexec-tools' Xen path to
Xen's kexec_op hypercall (docs/xen.md).  Then either

  - dom0 panics (sysrq c): Linux calls Xen's kexec_op crash, Xen says
    "Hardware Dom0 crashed: Executing kexec image on cpuN"; or
  - Xen itself crashes: the test types Xen's console keys on the serial
    port (CTRL-a three times switches the input to Xen, then C: "'C'
    pressed -> triggering crashdump");

Xen stops the other CPUs, saves their registers in its per-CPU crash
notes and jumps to postmortem, which must print its banner, find the
elfcorehdr kexec-tools built for the host's memory, write the dump to the
dump partition and power off.  On the host, `postmortem savecore` and
`inspect` on the ELF core:

  - one NT_PRSTATUS ("CORE") note per physical CPU, with Xen's
    XEN_ELFNOTE_CRASH_REGS ("Xen" 0x1000002) beside each, one
    XEN_ELFNOTE_CRASH_INFO ("Xen" 0x1000001) and Xen's VMCOREINFO_XEN;
  - the dump covers the host's machine memory (its PT_LOADs reach past the
    end of dom0's pseudo-physical memory);
  - after a dom0 panic, dom0's log is found in the dump's memory through
    dom0's own VMCOREINFO: the note at the machine address dom0's
    /sys/kernel/vmcoreinfo gave (Linux's Xen PV code gives the machine
    address there), its SYMBOL(prb), phys_base and page_offset_base turn
    dom0's virtual addresses into pseudo-physical ones, and dom0's P2M
    table (its root from Xen's CRASH_INFO note,
    dom0_pfn_to_mfn_frame_list_list) turns those into machine addresses;
    the panic's line must be in the text ring found so.  (Debian's
    xen-hypervisor-4.17-amd64-dbg ships xen-syms without DWARF, so
    makedumpfile --xen-syms cannot read it; docs/xen.md.)

    xen_test.py [CASE...]

Prints one line per case and "xen_test: N passed, N failed" last.
PM_XEN_KEEP=1 keeps the temporary directory (ISOs, disks, cores).
"""
import atexit
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import kdump_read  # noqa: E402

GUEST = os.path.join(q.BUILD, "guest")
TOOL, DUMP_GUID, BANNER = q.TOOL, q.DUMP_GUID, q.BANNER
COMPLETE = r"^postmortem: dump complete: \d+ MiB in ([\d.]+) s"
TMP = tempfile.mkdtemp(prefix="pm-xen-")
if not os.environ.get("PM_XEN_KEEP"):
    atexit.register(shutil.rmtree, TMP, ignore_errors=True)

# Xen + dom0 boot in ~35 s under TCG (SeaBIOS), the load ~10 s, the dump of
# 768 MiB ~10 s; OVMF adds its own start.
TIMEOUT = 480
MEM = 768
XEN_ARGS = "console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all crashkernel=64M " \
    "dom0_mem=384M,max:384M noreboot"
NT_PRSTATUS = 1
# tests/efi/esrtinst.c's two entries, as `handoff show` prints them
ESRT_ENTRIES = [("3ec5a5f0-7e2b-4d4c-9a51-706d65737274", "type 1, version 0x10203, lowest 0x10000, "
                 "capsule flags 0x8010, last attempt 0x10203 status 0"),
                ("3ec5a5f0-7e2b-4d4c-9a51-706d65737275", "type 2, version 0x42, lowest 0x40, "
                 "capsule flags 0x0, last attempt 0x41 status 1")]
BAD_ESRT_CLASS, BAD_ESRT_AT = "3ec5a5f0-7e2b-4d4c-9a51-706d65737276", 0x1000
XEN_CRASH_INFO, XEN_CRASH_REGS = 0x1000001, 0x1000002


class Case:
    """crash: "dom0" (sysrq c in dom0) or "xen" (Xen's console key C); fmt: "elf" (the
    ELF core) or None (the default, makedumpfile's kdump-compressed file)."""
    def __init__(self, name, firmware="bios", crash="dom0", smp=2, fmt="elf", esrt=False,
                 bad_esrt=False):
        self.name, self.firmware, self.crash, self.smp, self.fmt = name, firmware, crash, smp, fmt
        self.esrt, self.bad_esrt = esrt, bad_esrt


CASES = [
    Case("bios-dom0-panic", "bios", "dom0"),
    Case("bios-xen-crash", "bios", "xen"),
    Case("ovmf-dom0-panic", "ovmf", "dom0", esrt=True),
    # with an ESRT from tests/efi/esrtinst.c, and a description line that gives the
    # block an ESRT copy for another address: the crash kernel must refuse it
    Case("ovmf-xen-crash", "ovmf", "xen", esrt=True, bad_esrt=True),
    # the default format: unfiltered (level 1) under Xen, read back as an ELF core
    Case("bios-dom0-panic-kdump", "bios", "dom0", fmt=None),
]


def make_iso(case, path):
    """GRUB (BIOS and UEFI) booting Xen with dom0's kernel and initramfs as
    multiboot2 modules, at once, on the serial console."""
    d = os.path.join(TMP, case.name + ".isodir")
    os.makedirs(os.path.join(d, "boot", "grub"))
    for f in ("xen.gz", "vmlinuz", "initrd.img") + (("esrtinst.efi",) if case.esrt else ()):
        shutil.copyfile(os.path.join(GUEST, f), os.path.join(d, "boot", f))
    # the firmware gets an ESRT first (tests/efi/esrtinst.c): GRUB starts the
    # application, which installs the table and returns to GRUB
    esrt = "\tchainloader /boot/esrtinst.efi\n\tboot\n" if case.esrt else ""
    dom0 = "console=hvc0 pmload=--dump=disk,--after=poweroff pmcrash=%s" % (
        "xen" if case.crash == "xen" else "sysrq")
    # smp=on (off by default): under Xen postmortem must still start none
    dom0 += " pmappend=smp=on" + (",dump.format=" + case.fmt if case.fmt else "")
    if case.bad_esrt:
        dom0 += " pmdesc=esrt-entry,%s,system,1,1,0,1,0,at,0x%x" % (BAD_ESRT_CLASS, BAD_ESRT_AT)
    with open(os.path.join(d, "boot", "grub", "grub.cfg"), "w") as f:
        f.write("set timeout=0\nset default=0\nserial --unit=0 --speed=115200\n"
                "terminal_input serial\nterminal_output serial\n"
                "menuentry \"xen\" {\n%s"
                "\tmultiboot2 /boot/xen.gz %s\n"
                "\tmodule2 /boot/vmlinuz %s\n"
                "\tmodule2 /boot/initrd.img\n"
                "\tboot\n}\n" % (esrt, XEN_ARGS, dom0))
    r = subprocess.run(["grub-mkrescue", "-o", path, d], capture_output=True, text=True)
    shutil.rmtree(d)
    if r.returncode != 0:
        raise RuntimeError("grub-mkrescue: " + r.stderr[-300:])


def make_disk(path, mem_mb):
    with open(path, "wb") as f:
        f.truncate((mem_mb + 128) << 20)
    subprocess.run(["sgdisk", "-o", "-n", "1:0:0", "-t", "1:" + DUMP_GUID, "-c", "1:pmdump", path],
                   check=True, stdout=subprocess.DEVNULL)


class Core:
    """An ELF core's notes and memory, by machine address."""

    def __init__(self, path):
        self.f = open(path, "rb")
        head = self.f.read(64)
        if head[:4] != b"\x7fELF":
            raise ValueError("not an ELF file")
        phoff, = struct.unpack_from("<Q", head, 0x20)
        phnum, = struct.unpack_from("<H", head, 0x38)
        self.f.seek(phoff)
        table = self.f.read(56 * phnum)
        self.loads, self.notes = [], []
        for i in range(phnum):
            typ, _, off, _, paddr, filesz, memsz, _ = struct.unpack_from("<IIQQQQQQ", table, 56 * i)
            if typ == 1:
                self.loads.append((paddr, memsz, off, filesz))
            elif typ == 4:
                self.f.seek(off)
                self._notes(self.f.read(filesz))

    def _notes(self, data):
        at = 0
        while at + 12 <= len(data):
            namesz, descsz, typ = struct.unpack_from("<III", data, at)
            name = data[at + 12:at + 12 + namesz].rstrip(b"\0").decode("latin-1")
            d = at + 12 + ((namesz + 3) & ~3)
            self.notes.append((name, typ, data[d:d + descsz]))
            at = d + ((descsz + 3) & ~3)

    def read(self, maddr, n):
        """n bytes at machine address maddr, or None outside the dump."""
        for paddr, memsz, off, filesz in self.loads:
            if paddr <= maddr and maddr + n <= paddr + memsz:
                self.f.seek(off + maddr - paddr)
                got = self.f.read(n) if maddr - paddr < filesz else b""
                return got + b"\0" * (n - len(got))
        return None

    def u64(self, maddr):
        b = self.read(maddr, 8)
        return None if b is None else struct.unpack("<Q", b)[0]


def note_counts(core):
    prs = sum(1 for n, t, _ in core.notes if n == "CORE" and t == NT_PRSTATUS)
    regs = sum(1 for n, t, _ in core.notes if n == "Xen" and t == XEN_CRASH_REGS)
    info = [d for n, t, d in core.notes if n == "Xen" and t == XEN_CRASH_INFO]
    vmci = [d for n, t, d in core.notes if n == "VMCOREINFO_XEN"]
    return prs, regs, info, vmci


def vmcoreinfo_fields(text):
    out = {}
    for line in text.split("\n"):
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


def dom0_log(core, info, vmci_addr, vmci_size):
    """dom0's printk text ring through dom0's VMCOREINFO and P2M: (bytes,
    how) or (None, why)."""
    raw = core.read(vmci_addr, vmci_size)
    if raw is None:
        return None, "dom0's VMCOREINFO at 0x%x is outside the dump" % vmci_addr
    namesz, descsz, _ = struct.unpack_from("<III", raw, 0)
    name = raw[12:12 + namesz].rstrip(b"\0")
    if name != b"VMCOREINFO":
        return None, "no VMCOREINFO note at 0x%x (name %r)" % (vmci_addr, name)
    d = 12 + ((namesz + 3) & ~3)
    v = vmcoreinfo_fields(raw[d:d + descsz].split(b"\0")[0].decode("latin-1"))
    try:
        prb = int(v["SYMBOL(prb)"], 16)
        phys_base = int(v.get("NUMBER(phys_base)", "0"), 0)
        page_offset = int(v.get("NUMBER(page_offset_base)", "0xffff888000000000"), 0)
        o_text = int(v["OFFSET(printk_ringbuffer.text_data_ring)"])
        o_bits = int(v["OFFSET(prb_data_ring.size_bits)"])
        o_data = int(v["OFFSET(prb_data_ring.data)"])
    except (KeyError, ValueError) as e:
        return None, "dom0's VMCOREINFO lacks %s" % e
    # CRASH_INFO: 10 unsigned longs, the last dom0_pfn_to_mfn_frame_list_list
    l3 = struct.unpack_from("<10Q", info, 0)[9]

    def p2m(pfn):
        mid = core.u64(l3 * 4096 + (pfn >> 18) * 8)
        leaf = mid is not None and core.u64(mid * 4096 + ((pfn >> 9) & 511) * 8)
        return leaf and core.u64(leaf * 4096 + (pfn & 511) * 8)

    def vread(va, n):
        pa = va - 0xffffffff80000000 + phys_base if va >= 0xffffffff80000000 else va - page_offset
        out = b""
        while n > 0:
            mfn = p2m(pa >> 12)
            k = min(n, 4096 - (pa & 4095))
            b = core.read(mfn * 4096 + (pa & 4095), k) if mfn else None
            if b is None:
                return None
            out, pa, n = out + b, pa + k, n - k
        return out

    ptr = vread(prb, 8)
    if ptr is None:
        return None, "SYMBOL(prb) 0x%x not readable through dom0's P2M (root mfn 0x%x)" % (prb, l3)
    ring = struct.unpack("<Q", ptr)[0]
    hdr = vread(ring + o_text, max(o_bits, o_data) + 8)
    if hdr is None:
        return None, "dom0's printk_ringbuffer at 0x%x not readable" % ring
    bits, = struct.unpack_from("<I", hdr, o_bits)
    data, = struct.unpack_from("<Q", hdr, o_data)
    if not 12 <= bits <= 26:
        return None, "dom0's text ring size_bits %d" % bits
    text = vread(data, 1 << bits)
    if text is None:
        return None, "dom0's text ring at 0x%x not readable" % data
    return text, "dom0 VMCOREINFO at machine 0x%x -> prb 0x%x -> text ring 0x%x (%d KiB) " \
        "through the P2M (root mfn 0x%x)" % (vmci_addr, prb, data, (1 << bits) >> 10, l3)


def check_core(core_path, case, res):
    if case.fmt is None:        # kdump-compressed: its notes and pages as an ELF core
        with open(core_path, "rb") as f:
            head = f.read(8)
        if head != b"KDUMP   ":
            return "savecore's file starts with %r, not the kdump signature" % head
        kd = kdump_read.Kdump(core_path)
        level = struct.unpack_from("<i", open(core_path, "rb").read(4096 + 16), 4096 + 8)[0]
        if level != 1:
            return "kdump-compressed file at dump level %d, not 1 (unfiltered)" % level
        kd.write_elf(core_path + ".elf")
        core_path += ".elf"
    core = Core(core_path)
    prs, regs, info, vmci = note_counts(core)
    if prs != case.smp or regs != case.smp:
        return "%d NT_PRSTATUS and %d XEN_ELFNOTE_CRASH_REGS notes for %d physical CPUs" % (
            prs, regs, case.smp)
    if len(info) != 1 or len(info[0]) < 80:
        return "%d XEN_ELFNOTE_CRASH_INFO notes" % len(info)
    major, minor = struct.unpack_from("<2Q", info[0], 0)
    if (major, minor) != (4, 17):
        return "CRASH_INFO says Xen %d.%d" % (major, minor)
    if len(vmci) != 1 or b"SYMBOL(domain_list)=" not in vmci[0]:
        return "no VMCOREINFO_XEN note with SYMBOL(domain_list)"
    # host memory: dom0 has 384 MiB of pseudo-physical memory; the dump's
    # PT_LOADs cover the machine's (less Xen's crash region)
    top = max(p + m for p, m, _, _ in core.loads)
    total = sum(m for _, m, _, _ in core.loads)
    # (the kdump file leaves zero pages out: only its top is checked)
    if (total < (MEM - 64 - 8) << 20 and case.fmt) or top < (MEM - 64) << 20:
        return "the dump covers %d MiB up to 0x%x, not the host's %d MiB" % (total >> 20, top, MEM)
    res.note = "%d CPUs' PRSTATUS + CRASH_REGS, CRASH_INFO (Xen %d.%d), VMCOREINFO_XEN; %d MiB " \
        "of host memory" % (prs, major, minor, total >> 20)
    if case.crash != "dom0":
        return None
    m = next((re.match(r"^guest: vmcoreinfo (0x[0-9a-f]+) ([0-9a-f]+)", ln) for ln in res.lines
              if ln.startswith("guest: vmcoreinfo ")), None)
    if not m:
        return "dom0 printed no /sys/kernel/vmcoreinfo"
    text, how = dom0_log(core, info[0], int(m.group(1), 16), int(m.group(2), 16))
    if text is None:
        return how
    want = b"Kernel panic - not syncing: sysrq triggered crash"
    if want not in text:
        return "dom0's log (%s) lacks %r" % (how, want)
    res.note += "; the panic in dom0's log: " + how
    return None


def check_esrt(case, res):
    """The ESRT from the firmware to the crash kernel: esrtinst's table in
    boot-services memory, Xen's copy elsewhere (dom0's efi: line), the
    load's block holding that copy's address and entries, the crash
    kernel finding the firmware's configuration table pointing at it (or
    refusing a copy for another address)."""
    def find(pattern):
        for ln in res.lines:
            m = re.search(pattern, ln)
            if m:
                return m
        return None
    orig = find(r"esrtinst: ESRT \(2 entries\) installed at 0x([0-9a-f]+)")
    kept = find(r"^guest: dmesg: .*efi: .*ESRT=0x([0-9a-f]+)")
    if not orig or not kept:
        return "no esrtinst line or no ESRT= in dom0's efi: line"
    orig, kept = int(orig.group(1), 16), int(kept.group(1), 16)
    if orig == kept:
        return "dom0 sees the ESRT at the firmware's own address 0x%x: Xen did not move it" % orig
    load = find(r"^postmortem: handoff: note: ESRT: 2 entries at 0x([0-9a-f]+)")
    if int(load.group(1), 16) != kept:
        return "the load read the ESRT at %s, dom0 says 0x%x" % (load.group(1), kept)
    block = [ln[len("guest: block: "):] for ln in res.lines if ln.startswith("guest: block: ")]
    want_at = BAD_ESRT_AT if case.bad_esrt else kept
    head = "table b122a263-3661-4f68-9929-78f8b0d62180 (esrt), originally at 0x%x" % want_at
    if not block or not block[0].startswith(head):
        return "the block's ESRT copy: %r, not %r" % (block[:1], head)
    classes = [b.split()[1] for b in block if b.startswith("fw_class ")]
    fields = [b for b in block if b.startswith("type ")]
    if classes[:2] != [c for c, _ in ESRT_ENTRIES] or len(fields) < 2:
        return "the block's ESRT entries: %r" % block
    if fields[0] != ESRT_ENTRIES[0][1]:
        return "the block's first ESRT entry: %r, not %r" % (fields[0], ESRT_ENTRIES[0][1])
    # Xen 4.17 copies FwResourceCount * 40 bytes from the table's start (its
    # get_esrt_size leaves the 16-byte header out): the last entry's class,
    # type and version survive, its last 16 bytes are not the firmware's
    if not fields[1].startswith("type 2, version 0x42, "):
        return "the block's second ESRT entry: %r" % fields[1]
    tail = fields[1][len("type 2, version 0x42, "):]
    if tail == ESRT_ENTRIES[1][1][len("type 2, version 0x42, "):]:
        return "Xen's copy now has the last entry whole: this Xen has the fix \"EFI: Fix relocating " \
            "ESRT for dom0\"; docs/xen.md and this test say otherwise"
    res.note = "; ESRT: the firmware's at 0x%x, Xen's copy at 0x%x in the block%s; the last entry's " \
        "tail in Xen's copy: %s (the firmware's: lowest 0x40, flags 0x0, last 0x41, status 1)" % (
            orig, kept, " (and refused for 0x%x)" % BAD_ESRT_AT if case.bad_esrt else "", tail)
    return None


def run_case(case):
    iso = os.path.join(TMP, case.name + ".iso")
    disk = os.path.join(TMP, case.name + ".img")
    make_iso(case, iso)
    make_disk(disk, MEM)
    with tempfile.TemporaryDirectory(dir=TMP) as d:
        args = ["-machine", "q35", "-smp", str(case.smp), "-cdrom", iso, "-boot", "d",
                "-drive", "file=%s,format=raw,if=none,id=dump" % disk,
                "-device", "virtio-blk-pci,drive=dump"]
        if case.firmware == "ovmf":
            args = q.ovmf_args(d) + args
        expect = [r"^guest: Xen 4\.17", r"^guest: postmortem load ",
                  r"^under Xen 4\.17[^ ]* \(PV dom0\): the crash kernel is Xen's; crash memory: "
                  r"65536 KiB \(64 MiB\) at 0x",
                  r"^guest: postmortem loaded",
                  r"^guest: hypervisor: Xen 4\.17.*PV dom0",
                  r"^guest: crash kernel: loaded"]
        if case.crash == "dom0":
            expect += [r"sysrq: Trigger a crash", r"Kernel panic - not syncing: sysrq triggered crash",
                       r"^\(XEN\) Hardware Dom0 crashed: Executing kexec image on cpu\d"]
        else:
            expect += [r"^guest: waiting for Xen's crash key",
                       r"^\(XEN\) \*\*\* Serial input to Xen",
                       r"^\(XEN\) 'C' pressed -> triggering crashdump",
                       r"^\(XEN\) Executing kexec image on cpu\d"]
        expect += [BANNER, r"^boot: linux \(64-bit entry\) via kexec", r"^handoff: verified sha256 "]
        if case.firmware == "ovmf":     # the firmware's tables as Xen passed them to dom0
            expect += [r"^efi: .*ACPI 2\.0=0x[0-9a-f]+" + (
                r".* ESRT=0x[0-9a-f]+ \((preserved copy, 2 entries|not read)\)" if case.esrt else "")]
        if case.esrt and not case.bad_esrt:
            expect += [r"^efi: ESRT at 0x[0-9a-f]+: the firmware's configuration table points there "
                       r"\(e820 ACPI data\) and the table there matches the handoff's copy"]
        elif case.bad_esrt:
            expect += [r"^efi: ESRT at 0x[0-9a-f]+ \(the handoff's copy, for 0x%x\): not where the "
                       r"firmware's configuration table puts the ESRT \(0x[0-9a-f]+\); copy not used"
                       % BAD_ESRT_AT]
        expect += [r"^elfcorehdr: at 0x[0-9a-f]+, \d+ PT_LOAD \(\d+ MiB\), %d PT_NOTE" % (case.smp + 1),
                   r"^xen: crashed under Xen 4\.17: %d CPUs' notes \(NT_PRSTATUS %d, CRASH_REGS %d\), "
                   r"CRASH_INFO \(.*dom0 P2M root mfn 0x[0-9a-f]+\), VMCOREINFO_XEN \d+ bytes" % (
                       case.smp, case.smp, case.smp),
                   r"^xen: dumping the host's machine memory unfiltered",
                   r"^xen: dom0's log through its VMCOREINFO at 0x[0-9a-f]+ and its P2M: \d+ records; " + (
                       re.escape("panic: Kernel panic - not syncing: sysrq triggered crash")
                       if case.crash == "dom0" else "no panic line"),
                   # Xen parked its CPUs itself: postmortem starts none (docs/smp.md)
                   r"^smp: not starting another CPU: the crash came through Xen",
                   r"^dump: writing .* to disk ", COMPLETE]
        if case.firmware == "ovmf":     # Xen booted through GRUB on UEFI, not on a BIOS
            expect.insert(0, r"^\(XEN\) EFI RAM map:")
        if case.esrt:   # the firmware's ESRT, then where Xen kept it, as dom0 and the load see it
            expect.insert(0, r"esrtinst: ESRT \(2 entries\) installed at 0x[0-9a-f]+ \(boot services data\)")
            at = expect.index(r"^guest: postmortem load ")
            expect.insert(at, r"^guest: dmesg: .*efi: .*ESRT=0x[0-9a-f]+")
            at = expect.index(r"^guest: postmortem loaded")
            expect.insert(at, r"^postmortem: handoff: note: ESRT: 2 entries at 0x[0-9a-f]+, in ACPIReclaim "
                          r"memory \(kept by Xen\), read through Xen")

        def on_line(line):
            if line.startswith("guest: waiting for Xen's crash key"):
                time.sleep(0.5)
                return b"\x01\x01\x01"
            if line.startswith("(XEN) *** Serial input to Xen"):
                time.sleep(0.5)
                return b"C"
            return None
        res = q.run_qemu(args, expect, TIMEOUT, must_exit=True, mem=str(MEM), on_line=on_line,
                         serial_input=case.crash == "xen")
    with open(os.path.join(TMP, case.name + ".log"), "w") as f:   # PM_XEN_KEEP=1 keeps it
        f.write("\n".join(res.lines) + "\n")
    if res.failure:
        return res
    core = os.path.join(TMP, case.name + ".vmcore")
    r = subprocess.run([TOOL, "savecore", disk, "-o", core], capture_output=True, text=True)
    if r.returncode != 0:
        res.failure = "savecore failed: " + (r.stdout + r.stderr)[-400:]
        return res
    res.note = ""
    res.failure = check_esrt(case, res) if case.esrt else None
    if res.failure is None:
        esrt_note = res.note
        res.failure = check_core(core, case, res)
        res.note += esrt_note
    if not os.environ.get("PM_XEN_KEEP"):
        for f in (iso, disk, core, core + ".elf"):
            if os.path.exists(f):
                os.unlink(f)
    return res


def main():
    names = [a for a in sys.argv[1:] if not a.startswith("--")]
    cases = [c for c in CASES if not names or c.name in names]
    for f in ("xen.gz", "vmlinuz", "initrd.img"):
        if not os.path.exists(os.path.join(GUEST, f)):
            print("xen_test: %s missing (make guest builds it)" % os.path.join(GUEST, f))
            print("xen_test: 0 passed, 1 failed")
            return 1
    passed = failed = 0
    for c in cases:
        t0 = time.monotonic()
        res = run_case(c)
        took = time.monotonic() - t0
        if res.failure is None:
            passed += 1
            print("ok   %s (%.0f s): %s" % (c.name, took, getattr(res, "note", "")), flush=True)
        else:
            failed += 1
            print("FAIL %s (%.0f s): %s" % (c.name, took, res.failure), flush=True)
            for line in res.lines[-40:]:
                print("    | " + line[:200])
    print("xen_test: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
