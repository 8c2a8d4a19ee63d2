#!/usr/bin/env python3
"""Build the Linux guest that the kexec tests panic: Debian's own kernel
and tools in a small initramfs.

    scripts/mkguest.py OUTDIR [--postmortem BUILD]

Downloads (apt-get download, no installation on this machine) Debian's
linux-image-amd64 kernel, busybox-static, kexec-tools, makedumpfile, dmsetup
and e2fsprogs,
plus the library packages their programs need, into .cache/guest/debs,
unpacks them into .cache/guest/root, and writes:

    OUTDIR/vmlinuz      the Debian kernel (a signed bzImage)
    OUTDIR/initrd.img   newc cpio, gzip: busybox, kexec, makedumpfile,
                        postmortem (host tool + bzImage), pmplant
                        (tests/linux/plant.c, gcc -static), pmfrag
                        (tests/linux/frag.c, the same), the virtio
                        modules (loaded at boot), tcrypt (loaded by /init
                        for pmcrash=softlockup), ext4, xfs and nvme with what
                        they need (loaded by /init for pmroot=), device-mapper
                        (dm-mod, dm-crypt, xts) with Debian's dmsetup, mkfs.ext4
                        (e2fsprogs' mke2fs) and chattr and their libraries
                        (for pmdm=), tests/linux/init as /init, a test
                        capsule (/usr/share/postmortem/test.cap), the public half
                        of a test RSA key (/usr/share/postmortem/enc.pub.pem)
    OUTDIR/enc.pem      that test key's private half (for savecore/recv --key;
                        made here by openssl, never committed)
    OUTDIR/release      the kernel release ("6.1.0-56-amd64")
    OUTDIR/xen.gz       Debian's Xen hypervisor (xen-hypervisor-4.17-amd64),
                        booted by GRUB multiboot2 with this kernel as dom0
                        and the same initramfs (tests/qemu/xen_test.py)
    OUTDIR/xen.iso      GRUB (BIOS and UEFI) booting that to dom0's shell
                        (Xen's crashkernel=128M; by hand, docs/xen.md)

/boot/kdump.img inside it is the classic kdump crash kernel's initramfs
(busybox, makedumpfile and its libraries, the same /init): it saves
/proc/vmcore with makedumpfile or dd (tests/linux/init, pmcopy=).

Libraries are found by following DT_NEEDED from each program through the
unpacked packages first and this machine's /lib second (both Debian 12);
a library found nowhere stops the build with its name.  The download
cache is kept; the output is rebuilt when this script, the init script,
plant.c, frag.c or the postmortem build changes (make decides that).
"""
import gzip
import io
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, ".cache", "guest")
DEBS = os.path.join(CACHE, "debs")
UNPACK = os.path.join(CACHE, "root")
LIBDIRS = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib64", "lib", "usr/lib"]
PACKAGES = ["linux-image-amd64", "busybox-static", "kexec-tools", "makedumpfile"]
# The device-mapper case (pmdm=, tests/linux/init): dmsetup, and e2fsprogs'
# mke2fs (as mkfs.ext4: busybox has its own mke2fs) and chattr.  Only in the
# main initramfs, not in the kdump one.  Their libraries are this machine's
# (/lib: scripts/setup.sh installs dmsetup and e2fsprogs here too).
DM_PACKAGES = ["dmsetup", "e2fsprogs"]
DM_PROGRAMS = {"sbin/dmsetup": "usr/sbin/dmsetup", "sbin/mke2fs": "usr/sbin/mkfs.ext4",
               "usr/bin/chattr": "usr/bin/chattr"}
MODULES = ["virtio_pci", "virtio_blk"]
# In the initramfs but not loaded at boot: /init loads it for pmcrash=softlockup
# (Debian's kernel has no lkdtm; tcrypt's timed speed tests spin in the kernel).
ON_DEMAND_MODULES = ["tcrypt"]
# Filesystems and the NVMe driver for the dump-file cases (pmroot=,
# tests/linux/init): /init loads these and what they depend on, in
# /etc/fsmodules' order.  ext4 and jbd2 ask the crypto API for crc32c by
# name, and NVMe's integrity code (t10-pi) for crct10dif and crc64-rocksoft,
# which no module dependency names.
FS_MODULES = ["crc32c_generic", "crct10dif_generic", "crc64_rocksoft_generic", "ext4", "xfs", "nvme"]
# Device-mapper for pmdm= (loaded by /init, in /etc/dmmodules' order):
# dm-crypt's aes-xts-plain64 asks the crypto API for xts(aes), which xts
# builds on ecb(aes) (aes itself is built in); no module dependency names them.
DM_MODULES = ["dm_mod", "dm_crypt", "ecb", "xts"]
# Under Xen (dom0): /init loads these when /sys/hypervisor/type says xen:
# xenfs (/proc/xen, which kexec-tools looks for to take its Xen path) and
# privcmd (/dev/xen/privcmd: the hypercalls libxenctrl makes for it).
XEN_MODULES = ["xenfs", "xen_privcmd"]
# The hypervisor the Xen cases boot (GRUB multiboot2, docs/xen.md).
XEN_PACKAGES = ["xen-hypervisor-4.17-amd64"]


def log(msg):
    print("mkguest: " + msg, flush=True)


def die(msg):
    print("mkguest: error: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def depends(pkg):
    """Direct Depends of pkg (first alternative), as apt-cache sees them."""
    out = run(["apt-cache", "depends", "--no-recommends", "--no-suggests",
               "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", pkg])
    deps = []
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Depends:") or line.startswith("|Depends:"):
            name = line.split(":", 1)[1].strip()
            if not name.startswith("<"):
                deps.append(name)
    return deps


def resolve_virtual(pkg):
    """linux-image-amd64 -> linux-image-<release>-amd64 (its one Depends)."""
    if pkg == "linux-image-amd64":
        for d in depends(pkg):
            if d.startswith("linux-image-"):
                return d
        die("linux-image-amd64 has no linux-image-* dependency")
    return pkg


def download(pkgs):
    os.makedirs(DEBS, exist_ok=True)
    have = {f.split("_")[0] for f in os.listdir(DEBS) if f.endswith(".deb")}
    want = [p for p in pkgs if p not in have]
    if want:
        log("downloading " + " ".join(want))
        # apt-get download drops privileges to _apt where it can; the
        # cache directory may not be writable by it, which only warns.
        cmd = ["apt-get", "download", "-q"] + want
        if subprocess.run(cmd, cwd=DEBS, stdout=subprocess.DEVNULL).returncode != 0:
            log("apt-get download failed: apt-get update, then once more")
            subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
            subprocess.run(cmd, cwd=DEBS, check=True, stdout=subprocess.DEVNULL)
    for f in sorted(os.listdir(DEBS)):
        if f.endswith(".deb"):
            stamp = os.path.join(UNPACK, ".unpacked-" + f)
            if not os.path.exists(stamp):
                subprocess.run(["dpkg-deb", "-x", os.path.join(DEBS, f), UNPACK], check=True)
                open(stamp, "w").close()


def needed(path):
    out = run(["readelf", "-d", path])
    libs = []
    for line in out.splitlines():
        if "(NEEDED)" in line:
            libs.append(line.split("[", 1)[1].split("]", 1)[0])
    return libs


def interp(path):
    out = run(["readelf", "-l", path])
    for line in out.splitlines():
        if "Requesting program interpreter:" in line:
            return line.split(":", 1)[1].strip().rstrip("]").strip()
    return None


def find_lib(name):
    for base in (UNPACK, "/"):
        for d in LIBDIRS:
            p = os.path.join(base, d, name)
            if os.path.exists(p):
                return os.path.realpath(p)
    return None


def lib_closure(programs):
    """Every shared library the programs load, as {soname: real path}."""
    found = {}
    todo = list(programs)
    missing = set()
    while todo:
        prog = todo.pop()
        for lib in needed(prog):
            if lib in found or lib in missing:
                continue
            p = find_lib(lib)
            if p is None:
                missing.add(lib)
                continue
            found[lib] = p
            todo.append(p)
    return found, missing


def module_closure(release, names):
    moddir = os.path.join(UNPACK, "lib/modules", release)
    paths = {}
    for dirpath, _, files in os.walk(moddir):
        for f in files:
            if f.endswith(".ko"):
                paths[f[:-3].replace("-", "_")] = os.path.join(dirpath, f)
    order = []

    def deps_of(name):
        data = open(paths[name], "rb").read()
        i = data.find(b"\0depends=")
        if i < 0:
            return []
        s = data[i + 9:data.index(b"\0", i + 1)].decode()
        return [d.replace("-", "_") for d in s.split(",") if d]

    def visit(name):
        if name in order:
            return
        if name not in paths:
            die("module %s not in the kernel package" % name)
        for d in deps_of(name):
            visit(d)
        order.append(name)

    for m in names:
        visit(m)
    return [(m, paths[m]) for m in order]


def test_capsule(build):
    """A small capsule made by `postmortem capsule make` (a vendor GUID)."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        body = os.path.join(d, "body")
        with open(body, "wb") as f:
            f.write(bytes(range(256)) * 16)
        out = os.path.join(d, "test.cap")
        run([os.path.join(build, "postmortem"), "capsule", "make", "--guid",
             "e3a0d1a0-5b8b-4f3c-9d2a-6c1e7b3f4a21", "--flags", "0x50000", "-o", out, body])
        return open(out, "rb").read()


def test_enc_key(out):
    """An RSA-3072 test key pair for the encrypted-dump cases: the private
    half stays in OUTDIR/enc.pem, the public half goes into the guest.
    Kept across rebuilds, so a guest and its key always match."""
    key = os.path.join(out, "enc.pem")
    if not os.path.exists(key):
        run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072",
             "-out", key + ".tmp"])
        os.replace(key + ".tmp", key)
    return subprocess.run(["openssl", "pkey", "-in", key, "-pubout"], check=True,
                          capture_output=True).stdout


class Cpio:
    """newc archive writer (what the kernel's initramfs unpacker reads)."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1
        self.names = set()

    def _entry(self, name, mode, data=b"", nlink=1):
        hdr = "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X" % (
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0)
        self.ino += 1
        self.buf.write(hdr.encode() + name.encode() + b"\0")
        self.buf.write(b"\0" * ((4 - self.buf.tell() % 4) % 4))
        self.buf.write(data)
        self.buf.write(b"\0" * ((4 - self.buf.tell() % 4) % 4))

    def dir(self, name):
        name = name.strip("/")
        if not name or name in self.names:
            return
        self.dir(os.path.dirname(name))
        self.names.add(name)
        self._entry(name, 0o040755, nlink=2)

    def file(self, name, data, mode=0o644):
        name = name.strip("/")
        self.dir(os.path.dirname(name))
        if name in self.names:
            return
        self.names.add(name)
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name, target):
        name = name.strip("/")
        self.dir(os.path.dirname(name))
        if name in self.names:
            return
        self.names.add(name)
        self._entry(name, 0o120777, target.encode())

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return self.buf.getvalue()


def xen_iso(out):
    """OUTDIR/xen.iso: GRUB (BIOS and UEFI) booting Xen with this kernel as
    dom0 and this initramfs, to dom0's shell (by hand: docs/xen.md)."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "boot", "grub"))
        for f in ("xen.gz", "vmlinuz", "initrd.img"):
            shutil.copyfile(os.path.join(out, f), os.path.join(d, "boot", f))
        with open(os.path.join(d, "boot", "grub", "grub.cfg"), "w") as f:
            f.write("set timeout=0\nset default=0\nserial --unit=0 --speed=115200\n"
                    "terminal_input serial\nterminal_output serial\n"
                    "menuentry \"Xen, dom0 shell\" {\n"
                    "\tmultiboot2 /boot/xen.gz console=com1 com1=115200,8n1 crashkernel=128M "
                    "dom0_mem=512M,max:512M noreboot\n"
                    "\tmodule2 /boot/vmlinuz console=hvc0 pmtest=shell\n"
                    "\tmodule2 /boot/initrd.img\n\tboot\n}\n")
        run(["grub-mkrescue", "-o", os.path.join(out, "xen.iso"), d])


def main():
    if len(sys.argv) < 2:
        die("usage: scripts/mkguest.py OUTDIR [--postmortem BUILD]")
    out = sys.argv[1]
    build = os.path.join(ROOT, "build")
    if "--postmortem" in sys.argv:
        build = sys.argv[sys.argv.index("--postmortem") + 1]
    os.makedirs(UNPACK, exist_ok=True)
    os.makedirs(out, exist_ok=True)

    pkgs = [resolve_virtual(p) for p in PACKAGES]
    download(pkgs + XEN_PACKAGES + DM_PACKAGES)
    programs = [os.path.join(UNPACK, "sbin/kexec"), os.path.join(UNPACK, "usr/bin/makedumpfile"),
                os.path.join(build, "postmortem")]
    # Library packages: follow Depends of what is downloaded until every
    # DT_NEEDED resolves (kexec needs Xen's libraries, makedumpfile elfutils').
    seen = set(pkgs)
    frontier = list(pkgs[1:])
    for _ in range(6):
        libs, missing = lib_closure(programs)
        if not missing:
            break
        more = []
        for p in frontier:
            for d in depends(p):
                if d.startswith("lib") and d not in seen:
                    seen.add(d)
                    more.append(d)
        if not more:
            die("libraries not found: " + " ".join(sorted(missing)))
        download(more)
        frontier = more
    libs, missing = lib_closure(programs)
    if missing:
        die("libraries not found: " + " ".join(sorted(missing)))
    dm_libs, missing = lib_closure([os.path.join(UNPACK, p) for p in DM_PROGRAMS])
    if missing:
        die("libraries not found: " + " ".join(sorted(missing)))

    kpkg = pkgs[0]
    release = kpkg[len("linux-image-"):]
    vmlinuz = os.path.join(UNPACK, "boot", "vmlinuz-" + release)
    if not os.path.exists(vmlinuz):
        die("no " + vmlinuz)

    mods = module_closure(release, MODULES)
    extra_mods = [m for m in module_closure(release, ON_DEMAND_MODULES) if m not in mods]
    fs_mods = [m for m in module_closure(release, FS_MODULES) if m not in mods and m not in extra_mods]
    dm_mods = [m for m in module_closure(release, DM_MODULES)
               if m not in mods and m not in extra_mods and m not in fs_mods]
    xen_mods = [m for m in module_closure(release, XEN_MODULES)
                if m not in mods and m not in extra_mods and m not in fs_mods and m not in dm_mods]

    def base():
        """What both initramfs share: busybox, the virtio modules, /init,
        makedumpfile and the libraries (kexec's and makedumpfile's)."""
        c = Cpio()
        for d in ["bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "mnt",
                  "run", "lib/modules", "etc", "root", "boot"]:
            c.dir(d)
        c.file("bin/busybox", open(os.path.join(UNPACK, "bin/busybox"), "rb").read(), 0o755)
        for a in run([os.path.join(UNPACK, "bin/busybox"), "--list-full"]).split():
            if a != "bin/busybox":
                c.symlink(a, "/bin/busybox")
        for name, path in mods:
            c.file("lib/modules/%s.ko" % name, open(path, "rb").read())
        c.file("etc/modules", ("\n".join(n for n, _ in mods) + "\n").encode())
        for name, path in xen_mods:
            c.file("lib/modules/%s.ko" % name, open(path, "rb").read())
        c.file("etc/xenmodules", ("\n".join(n for n, _ in xen_mods) + "\n").encode())
        c.file("etc/release", (release + "\n").encode())
        c.file("init", open(os.path.join(ROOT, "tests/linux/init"), "rb").read(), 0o755)
        c.file("usr/bin/makedumpfile", open(programs[1], "rb").read(), 0o755)
        ld = interp(programs[0])
        c.file(ld, open(os.path.realpath(ld), "rb").read(), 0o755)
        for soname, path in sorted(libs.items()):
            c.file("lib/x86_64-linux-gnu/" + soname, open(path, "rb").read(), 0o755)
        return c

    # The kdump comparison's crash kernel: the same Debian kernel with only
    # the shared part (makedumpfile -l -d 31 or dd of /proc/vmcore).
    kdump_img = gzip.compress(base().finish(), compresslevel=6)

    # pmplant: pages of known content before the panic (tests/linux/init).
    plant = os.path.join(out, "pmplant")
    subprocess.run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", plant,
                    os.path.join(ROOT, "tests/linux/plant.c")], check=True)
    # pmfrag: free space cut into small holes before a dump-file load.
    frag = os.path.join(out, "pmfrag")
    subprocess.run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", frag,
                    os.path.join(ROOT, "tests/linux/frag.c")], check=True)

    c = base()
    c.file("sbin/kexec", open(programs[0], "rb").read(), 0o755)
    c.file("usr/bin/postmortem", open(programs[2], "rb").read(), 0o755)
    c.file("usr/bin/pmplant", open(plant, "rb").read(), 0o755)
    c.file("usr/bin/pmfrag", open(frag, "rb").read(), 0o755)
    for name, path in extra_mods + fs_mods:
        c.file("lib/modules/%s.ko" % name, open(path, "rb").read())
    c.file("etc/fsmodules", ("\n".join(n for n, _ in fs_mods) + "\n").encode())
    for name, path in dm_mods:
        c.file("lib/modules/%s.ko" % name, open(path, "rb").read())
    c.file("etc/dmmodules", ("\n".join(n for n, _ in dm_mods) + "\n").encode())
    for src, dst in DM_PROGRAMS.items():
        c.file(dst, open(os.path.join(UNPACK, src), "rb").read(), 0o755)
    for soname, path in sorted(dm_libs.items()):
        c.file("lib/x86_64-linux-gnu/" + soname, open(path, "rb").read(), 0o755)
    c.file("etc/mke2fs.conf", open(os.path.join(UNPACK, "etc/mke2fs.conf"), "rb").read())
    c.file("usr/lib/postmortem/postmortem.bzImage",
           open(os.path.join(build, "postmortem.bzImage"), "rb").read())
    c.file("boot/vmlinuz", open(vmlinuz, "rb").read())
    c.file("boot/kdump.img", kdump_img)
    # A capsule for the after=capsule case (tests/qemu/linux_test.py).
    cap = test_capsule(build)
    c.file("usr/share/postmortem/test.cap", cap)
    with open(os.path.join(out, "test.cap"), "wb") as f:
        f.write(cap)
    # The public key of the encrypted-dump cases (load --encrypt-to).
    c.file("usr/share/postmortem/enc.pub.pem", test_enc_key(out))
    data = c.finish()

    with open(os.path.join(out, "initrd.img.tmp"), "wb") as f:
        f.write(gzip.compress(data, compresslevel=6))
    os.replace(os.path.join(out, "initrd.img.tmp"), os.path.join(out, "initrd.img"))
    shutil.copyfile(vmlinuz, os.path.join(out, "vmlinuz"))
    xen = sorted(f for f in os.listdir(os.path.join(UNPACK, "boot")) if re.match(r"xen-[\d.]+-amd64\.gz$", f))
    if not xen:
        die("no xen-*-amd64.gz in " + os.path.join(UNPACK, "boot"))
    shutil.copyfile(os.path.join(UNPACK, "boot", xen[-1]), os.path.join(out, "xen.gz"))
    xen_iso(out)
    with open(os.path.join(out, "release"), "w") as f:
        f.write(release + "\n")
    log("%s: kernel %s, initramfs %d KiB (%d libraries, modules %s; on demand %s)" % (
        out, release, os.path.getsize(os.path.join(out, "initrd.img")) // 1024, len(libs),
        " ".join(n for n, _ in mods), " ".join(n for n, _ in extra_mods + fs_mods + dm_mods + xen_mods)))


if __name__ == "__main__":
    main()
