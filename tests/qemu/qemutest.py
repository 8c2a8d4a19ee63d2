"""QEMU end-to-end test helpers for postmortem.

A test boots QEMU with the serial port on a pipe, reads lines until every
expected pattern has been seen in order (each within the test's deadline),
then checks how QEMU ended: by itself (after=poweroff/reboot with
-no-reboot) or still running (after=halt, killed by us).  Timeouts are set
for TCG; KVM is used only when PM_KVM=1 and the probe (kvm_probe.py) boots
past long mode.
"""
import atexit
import hashlib
import os
import re
import select
import shutil
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
# QEMU 10 from bookworm-backports, unpacked by scripts/qemu10.sh (run by
# scripts/setup.sh) beside the system's QEMU 7.2: its TCG emulates x2APIC.
QEMU10 = os.path.join(ROOT, ".cache", "qemu10", "qemu-system-x86_64")
EMULATORS = {None: "qemu-system-x86_64", "qemu10": QEMU10}

# What the tests of dump targets share (dump partitions, encrypted dumps):
# the kernel, the host program, the lines they look for, and DumpSetup.
BZIMAGE = os.path.join(BUILD, "postmortem.bzImage")
TOOL = os.path.join(BUILD, "postmortem")
BANNER = r"^postmortem \d+\.\d+\.\d+: crash and recovery kernel"
ELF_COMPLETE = r"^postmortem: dump complete: \d+ MiB in [\d.]+ s \(\d+ MiB/s\), sha256 ([0-9a-f]{64})"
# group 1: the digest, with " (two-part at byte N" when it is two-part (body_sha256)
KDUMP_COMPLETE = (r"^postmortem: dump complete: \d+ MiB in [\d.]+ s \(kdump-compressed\), "
                  r"sha256 ([0-9a-f]{64}(?: \(two-part at byte \d+)?)")
DUMP_GUID = "9cd6ae46-cf19-4c5c-b341-57f4b21dfd41"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def body_sha256(path, digest):
    """The file's digest taken as the kernel's line says (digest: group 1 of
    KDUMP_COMPLETE): plain, or two-part (payload/dumphdr.h
    DUMPHDR_FLAG_DIGEST_SPLIT), given back in the same form."""
    m = re.match(r"[0-9a-f]{64} \(two-part at byte (\d+)$", digest or "")
    if not m:
        return sha256_file(path)
    split = int(m.group(1))
    with open(path, "rb") as f:
        data = f.read()
    cut = min(split, len(data))
    joined = hashlib.sha256(b"PMD2" + split.to_bytes(8, "little") +
                            hashlib.sha256(data[:cut]).digest() +
                            hashlib.sha256(data[cut:]).digest()).hexdigest()
    return joined + digest[64:]


def virtio_drive(img):
    """The QEMU arguments for a raw image on virtio-blk."""
    return ["-drive", "file=%s,format=raw,if=virtio" % img]


class DumpSetup:
    """A dump-target test's set-up: a scratch directory (removed at exit),
    disk images with a dump partition in it, and the QEMU arguments that
    boot the kernel with a command line, planted memory and drives."""

    def __init__(self, prefix):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        atexit.register(shutil.rmtree, self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def disk(self, name, size_mb=160, dump_mb=128, guid=DUMP_GUID):
        """NAME.img: size_mb MiB, a GPT with an 8 MiB ESP, then a dump_mb
        MiB partition of type guid (the postmortem dump type)."""
        path = self.path(name + ".img")
        with open(path, "wb") as f:
            f.truncate(size_mb << 20)
        subprocess.run(["sgdisk", "-o", "-n", "1:0:+8M", "-t", "1:ef00",
                        "-n", "2:0:+%dM" % dump_mb, "-t", "2:" + guid, path],
                       check=True, stdout=subprocess.DEVNULL)
        return path

    @staticmethod
    def kernel_args(append, drives=(), plants=(), initrd=None, before=()):
        """QEMU arguments: `before`, the kernel with console=ttyS0 and
        `append`, the initrd when given, the drives, each plant's loader."""
        args = list(before) + ["-kernel", BZIMAGE] + (["-initrd", initrd] if initrd else []) + [
            "-append", "console=ttyS0 " + append] + list(drives)
        for p in plants:
            args += p.arg()
        return args


def emulator_missing(emulator):
    """None when `emulator` (a key of EMULATORS) runs here, else why not."""
    if emulator is None:
        return None
    path = EMULATORS[emulator]
    if not os.access(path, os.X_OK):
        return "%s missing: scripts/qemu10.sh (run by scripts/setup.sh) could not fetch " \
            "QEMU 10 from bookworm-backports" % os.path.relpath(path, ROOT)
    return None


def accel_args():
    if os.environ.get("PM_KVM") == "1" and os.environ.get("PM_KVM_OK") == "1":
        return ["-accel", "kvm", "-cpu", "host"]
    return ["-accel", "tcg"]


def monitor_args(path):
    """A human monitor on a Unix socket at `path`, beside -monitor none."""
    return ["-chardev", "socket,id=pmmon,path=%s,server=on,wait=off" % path,
            "-mon", "chardev=pmmon,mode=readline"]


def monitor_command(path, command):
    """Send one command line to the monitor_args() socket."""
    import socket

    def prompt(s):
        got = b""
        while not got.endswith(b"(qemu) "):
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect(path)
        prompt(s)
        s.sendall(command.encode() + b"\n")
        prompt(s)               # the next prompt: QEMU has run it


def ovmf_args(tmpdir):
    vars_copy = os.path.join(tmpdir, "OVMF_VARS.fd")
    shutil.copyfile(OVMF_VARS, vars_copy)
    return ["-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
            "-drive", "if=pflash,format=raw,file=" + vars_copy]


class Result:
    def __init__(self):
        self.lines = []
        self.exited = None      # QEMU exit code, or None if we killed it
        self.failure = None
        self.skipped = None     # why the test could not run (then failure stays None)

    def text(self):
        return "\n".join(self.lines)


def skip(reason):
    r = Result()
    r.skipped = reason
    return r


def run_qemu(args, expect, timeout, must_exit=None, settle=0.0, mem="256", serial_stdio=True,
             on_line=None, emulator=None, serial_input=False):
    """Boot QEMU with `args`; `expect` is a list of regexes to see in order.
    on_line, if given, is called with every line as it is read (to act on
    the guest, e.g. through a monitor socket); with serial_input, QEMU's
    standard input (the serial port's input with -serial stdio) is a pipe,
    and bytes that on_line returns are written to it.

    must_exit: True = QEMU must end by itself within the timeout after the
    last pattern; False = it must still be running `settle` seconds later;
    None = don't care.  emulator: None for the system's QEMU, "qemu10"
    for QEMU 10 (a skipped Result when it is missing).  Returns a Result
    whose .failure is None on success.
    """
    why = emulator_missing(emulator)
    if why:
        return skip(why)
    res = Result()
    cmd = [EMULATORS[emulator]] + accel_args() + [
        "-m", mem, "-display", "none", "-no-reboot", "-monitor", "none"] + (
        ["-serial", "stdio"] if serial_stdio else []) + args
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if serial_input else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    pending = [re.compile(p) for p in expect]
    buf = b""
    try:
        while pending or must_exit is not None:
            now = time.monotonic()
            if not pending and must_exit is False and settle <= 0:
                break
            if now >= deadline:
                break
            r, _, _ = select.select([proc.stdout], [], [], min(0.2, deadline - now))
            if r:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    s = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "",
                               line.decode("utf-8", "replace")).rstrip("\r")
                    s = s.split("\r")[-1]      # a carriage return starts the line over
                    res.lines.append(s)
                    if on_line is not None:
                        typed = on_line(s)
                        if typed and serial_input:
                            proc.stdin.write(typed)
                            proc.stdin.flush()
                    if pending and pending[0].search(s):
                        pending.pop(0)
                        if not pending and must_exit is False:
                            deadline = min(deadline, time.monotonic() + settle)
            if proc.poll() is not None and not r:
                break
        if buf:
            res.lines.append(buf.decode("utf-8", "replace"))
        if pending:
            res.failure = "did not see /%s/ within %ds" % (pending[0].pattern, timeout)
        if must_exit is True:
            try:
                res.exited = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                res.failure = res.failure or "QEMU did not exit by itself"
        elif must_exit is False and proc.poll() is not None:
            res.failure = res.failure or "QEMU exited (%s) but should still run" % proc.returncode
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        if proc.stdin is not None:
            proc.stdin.close()
    return res


_iso_cache = {}


def test_iso(extra, modules=()):
    """An ISO whose only entry boots at once with `extra` on the command line,
    with multiboot2 modules given as (file, name) pairs."""
    key = (extra, tuple(modules))
    if key in _iso_cache:
        return _iso_cache[key]
    fd, path = tempfile.mkstemp(prefix="pm-test-", suffix=".iso")
    os.close(fd)
    env = dict(os.environ, PM_ISO_MODULES=" ".join("%s:%s" % m for m in modules))
    subprocess.run([os.path.join(ROOT, "scripts", "mkiso.sh"),
                    os.path.join(BUILD, "postmortem.elf"),
                    os.path.join(ROOT, "iso", "grub.cfg"), path, extra], check=True, env=env)
    _iso_cache[key] = path
    return path


def cleanup():
    for p in _iso_cache.values():
        try:
            os.unlink(p)
        except OSError:
            pass


def main(tests, name):
    """Run `tests` (functions returning a Result), or those named in argv;
    print one line each and "<name>: N passed, N failed" last (", N
    skipped" after it when a test could not run, e.g. without QEMU 10)."""
    import sys
    only = sys.argv[1:]
    passed = failed = skipped = 0
    try:
        for t in tests:
            if only and t.__name__ not in only:
                continue
            r = t()
            if r.skipped:
                skipped += 1
                print("skip %s: %s" % (t.__name__, r.skipped))
            elif r.failure:
                failed += 1
                print("FAIL %s: %s" % (t.__name__, r.failure))
                for line in r.lines[-25:]:
                    print("    | " + line)
            else:
                passed += 1
                print("ok   %s" % t.__name__)
            sys.stdout.flush()
    finally:
        cleanup()
    print("%s: %d passed, %d failed%s" % (name, passed, failed,
                                          ", %d skipped" % skipped if skipped else ""))
    return 1 if failed else 0
