#!/usr/bin/env python3
"""Encrypted dumps in QEMU (docs/encryption.md): a handoff block with a
DUMP_KEY record (`postmortem handoff create --encrypt-to`, an RSA-3072
test key made here) and dump.encrypt=required (as `load --encrypt-to`
gives the crash kernel) make it write the PMENC stream after the target's
own header.  Patterns planted in guest memory with QEMU's generic loader
(random bytes: stored raw in a clear dump) must be nowhere in the disk
image or the serial capture, and `postmortem savecore --key` / `recv
--key` must give back a core file holding every planted byte at its
physical address.  The kernel names the key by its id (SHA-256 of the
public key's DER SubjectPublicKeyInfo, checked against openssl's).

  - dump partition, kdump-compressed (the default format): one pass over
    the pages written at offsets, as a clear dump to a partition takes
    (after a measuring one when the bound does not fit), none on the disk,
    all in savecore --key's file, whose container digest is the one on the
    kernel's last line; savecore without the key refuses, naming it;
  - serial, kdump-compressed: none in the capture, all in recv --key's
    file, and no crash record (it would go in the clear);
  - FAT (dump=fat), the ELF core: none on the volume, dumpinfo.txt says
    format=encrypted and inner=elf, all in savecore --key's file;
  - a dump partition too small: the stream is cut, savecore --key saves
    the chunks that verified and says truncated (exit 4);
  - NMIs sent while the stream is sealed with AES-NI (-cpu max; the ELF
    core of a whole 64 MiB guest): counted and ignored, the stream decrypts
    to every planted byte;
  - dump.encrypt=required and no usable key: refused with one final line
    naming the cause, the disk bit-identical, the after= action (power
    off) taken: no handoff block; a block that does not verify; a verified
    block without a DUMP_KEY record;
  - a block that does not verify, without dump.encrypt=required: the dump
    goes out in the clear, but a line says why (never silently); the search
    for planted bytes finds them in that clear dump.

Prints one line per test and "encrypt_test: N passed, N failed" last.
"""
import hashlib
import os
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest as q  # noqa: E402
from dump_test import Plant, check_kdump, check_planted  # noqa: E402

SETUP = q.DumpSetup("pm-enc-")      # the scratch directory, disks, the kernel's arguments
TOOL, BANNER, TMP = q.TOOL, q.BANNER, SETUP.tmp
KDUMP_COMPLETE, ELF_COMPLETE = q.KDUMP_COMPLETE, q.ELF_COMPLETE
REFUSED = r"^postmortem: dump FAILED: not encrypted, nothing written: "
disk, sha, virtio = SETUP.disk, q.sha256_file, q.virtio_drive


def block(name, *extra):
    path = os.path.join(TMP, name + ".bin")
    subprocess.run([TOOL, "handoff", "create", "-o", path, "--time", "1700000000"] + list(extra),
                   check=True, stdout=subprocess.DEVNULL)
    return path


_key = {}


def key():
    """(private PEM path, public PEM path, key id hex): an RSA-3072 pair made once."""
    if not _key:
        priv, pub = os.path.join(TMP, "key.pem"), os.path.join(TMP, "key.pub.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072",
                        "-out", priv], check=True, capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", priv, "-pubout", "-out", pub], check=True,
                       capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-pubin", "-in", pub, "-outform", "DER"], check=True,
                             capture_output=True).stdout
        _key.update(priv=priv, pub=pub, id=hashlib.sha256(der).hexdigest())
    return _key["priv"], _key["pub"], _key["id"]


def plants(tag):
    return [Plant(tag + "-p1", 0x1000000, 1 << 20, 31), Plant(tag + "-p2", 0x3000000, 256 << 10, 32),
            Plant(tag + "-p3", 0x0a000000 - 4096, 4096, 33)]


def leaked(path, ps):
    """The first planted pattern found in the file at path (eight 32-byte
    pieces of each plant, spread over it, the first and last included;
    random bytes: any clear copy holds them), or None."""
    data = open(path, "rb").read()
    for p in ps:
        for off in sorted({(p.size - 32) * k // 7 for k in range(8)}):
            if p.data[off:off + 32] in data:
                return "planted bytes from 0x%x found in %s" % (p.addr + off, os.path.basename(path))
    return None


def enc_boot(tag, append, drive=(), ps=(), serial_cap=None, expect_done=KDUMP_COMPLETE, mem="256",
             scan=None):
    """Boot with a block holding the key and dump.encrypt=required; the
    kernel must say it encrypts for our key id and finish with expect_done.
    Then none of the plants ps may be in the file scan (the disk image or
    the capture) when given."""
    _, pub, kid = key()
    args = SETUP.kernel_args("dump.encrypt=required after=poweroff " + append, drive, ps,
                             initrd=block(tag + "-key", "--encrypt-to", pub))
    want = r"^dump: encrypted \(AES-256-GCM, [^)]+\) for key %s; nothing is written in the clear$" % kid
    if serial_cap:
        res = q.run_qemu(args + ["-chardev", "file,id=cap,path=" + serial_cap, "-serial", "chardev:cap"],
                         [], 180, must_exit=True, serial_stdio=False, mem=mem)
        # the console's lines, without the frames' bytes between them
        res.lines = [ln for ln in open(serial_cap, "rb").read().decode("latin-1").replace("\r", "").split("\n")
                     if ln and all(" " <= c <= "~" for c in ln)]
        for pat in (BANNER, want, expect_done):
            if res.failure is None and not any(re.search(pat, ln) for ln in res.lines):
                res.failure = "the capture lacks /%s/" % pat
    else:
        res = q.run_qemu(args, [BANNER, want, expect_done], 180, must_exit=True, mem=mem)
    if res.failure is None and scan is not None:
        res.failure = leaked(scan, ps)
    return res


def savecore_key(res, img, tag, ps, check=check_planted):
    """`savecore IMG --key` into TAG.core: res.failure is its exit status's
    complaint, else check(core, ps)'s.  Returns savecore's CompletedProcess."""
    core = os.path.join(TMP, tag + ".core")
    r = subprocess.run([TOOL, "savecore", img, "--key", key()[0], "-o", core], capture_output=True, text=True)
    if r.returncode != 0:
        res.failure = "savecore --key (%s): exit %d: %s" % (tag, r.returncode, (r.stdout + r.stderr)[-400:])
    else:
        res.failure = check(core, ps)
    return r


def final_digest(res, pattern=KDUMP_COMPLETE):
    return next((m.group(1) for m in (re.search(pattern, ln) for ln in res.lines) if m), None)


def t_disk_kdump_planted():
    _, _, kid = key()
    img = disk("disk")
    ps = plants("disk")
    res = enc_boot("disk", "dump=disk", virtio(img), ps, scan=img)
    if res.failure:
        return res
    # a dump partition takes the file in one pass written at offsets, the
    # stream sealed as its chunks fill (kernel/encsink.c), as in the clear;
    # after a measuring one when the partition cannot take the file's bound
    bound = any(re.match(r"^dump: writing up to ", ln) for ln in res.lines)
    want = r"^dump: kdump-compressed: .*; %s over the pages$" % ("1 pass" if bound else "2 passes")
    if not any(re.match(want, ln) for ln in res.lines):
        res.failure = "the encrypted dump did not take the one pass: %s" % [
            ln for ln in res.lines if ln.startswith("dump: kdump-compressed:")]
        return res
    core = os.path.join(TMP, "disk.core")
    r = subprocess.run([TOOL, "savecore", img, "-o", core], capture_output=True, text=True)
    if r.returncode == 0 or "encrypted for key " + kid not in r.stdout + r.stderr or os.path.exists(core):
        res.failure = "savecore without --key: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-300:])
        return res
    r = savecore_key(res, img, "disk", ps, check_kdump)
    if res.failure:
        return res
    # the dump header's digest (of the stream, savecore checked it) is the kernel's
    first = int(re.search(r"First sector: (\d+)", subprocess.run(["sgdisk", "-i", "2", img], capture_output=True,
                                                                 text=True).stdout).group(1))
    with open(img, "rb") as f:
        f.seek(first * 512)
        hdr = f.read(512)
    if "sha256 OK" not in r.stdout or hdr[0x60:0x80].hex() != final_digest(res) or \
            struct.unpack_from("<I", hdr, 0x34)[0] != 3:
        res.failure = "the dump header (body_format %d, sha256 %s) is not the kernel's encrypted stream (%s): %s" % (
            struct.unpack_from("<I", hdr, 0x34)[0], hdr[0x60:0x80].hex(), final_digest(res), r.stdout[-300:])
    return res


def t_serial_kdump_planted():
    priv, _, _ = key()
    cap = os.path.join(TMP, "serial.cap")
    # a slow target: less planted, a smaller guest
    ps = [Plant("serial-p1", 0x1000000, 192 << 10, 34), Plant("serial-p2", 0x3000000, 4096, 35)]
    res = enc_boot("serial", "dump=serial", ps=ps, serial_cap=cap, mem="96", scan=cap)
    if res.failure:
        return res
    if not any(ln.startswith("dump: no crash record first: it would cross the serial line in the clear")
               for ln in res.lines):
        res.failure = "no line saying the crash record was not sent"
        return res
    core = os.path.join(TMP, "serial.core")
    r = subprocess.run([TOOL, "recv", cap, "--key", priv, "-o", core], capture_output=True, text=True)
    if r.returncode != 0:
        res.failure = "recv --key: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-400:])
    elif "crash record" in r.stdout:
        res.failure = "recv found a crash record in an encrypted dump's capture"
    else:
        res.failure = check_kdump(core, ps)
    return res


def t_fat_elf_planted():
    img = os.path.join(TMP, "fat.img")
    with open(img, "wb") as f:
        f.truncate(48 << 20)
    subprocess.run(["sgdisk", "-o", "-n", "1:0:+40M", "-t", "1:ef00", img], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["mkfs.fat", "-F", "32", "-s", "1", "--offset", "2048", img, str(40 * 1024)],
                   check=True, capture_output=True)
    # a 40 MiB ESP; the ELF core of 128 MiB of memory skips zero pages
    ps = plants("fat")[:2]
    res = enc_boot("fat", "dump=fat dump.format=elf", virtio(img), ps, expect_done=ELF_COMPLETE, mem="128",
                   scan=img)
    if res.failure:
        return res
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    ls = subprocess.run(["mdir", "-i", img + "@@1M", "-b", "::/POSTMORTEM"], capture_output=True, text=True,
                        env=env).stdout.split()
    info = subprocess.run(["mtype", "-i", img + "@@1M", (ls or ["?"])[0] + "/dumpinfo.txt"],
                          capture_output=True, text=True, env=env).stdout
    if "\nformat=encrypted\ninner=elf\n" not in info or "status=complete" not in info:
        res.failure = "dumpinfo.txt does not say complete, encrypted, inner=elf: %r" % info[:300]
        return res
    savecore_key(res, img, "fat", ps)
    return res


def t_small_partition_truncated():
    priv, _, _ = key()
    img = disk("small", size_mb=16, dump_mb=1)
    ps = plants("small")[:1]
    res = enc_boot("small", "dump=disk", virtio(img), ps, scan=img,
                   expect_done=r"^postmortem: dump FAILED: disk virtio0p2 too small: only the first \d+ of "
                               r"\d+ MiB were kept \(marked TRUNCATED\)")
    if res.failure:
        return res
    core = os.path.join(TMP, "small.core")
    r = subprocess.run([TOOL, "savecore", img, "--key", priv, "-o", core], capture_output=True, text=True)
    if r.returncode != 4 or "truncated after chunk" not in r.stdout + r.stderr:
        res.failure = "savecore --key of a cut stream: exit %d: %s" % (r.returncode,
                                                                      (r.stdout + r.stderr)[-400:])
    return res


def t_nmi_during_encryption():
    """NMIs (QEMU's monitor) while the dump is being sealed, with -cpu max
    (AES-NI: the keystream is computed in XMM registers): the handler keeps
    the SSE state (boot/isr.asm), so the stream still decrypts to every
    planted byte.  The ELF core of all of a 64 MiB guest (zero pages kept):
    most of the run is spent sealing."""
    kid = key()[2]
    img = disk("nmi", size_mb=96, dump_mb=80)
    ps = plants("nmi")[:2]
    mon = os.path.join(TMP, "nmi.sock")
    sent = []

    def on_line(line):
        if re.match(r"^dump: \d+% ", line) and len(sent) < 40:
            for _ in range(5):
                q.monitor_command(mon, "nmi")
                sent.append(line)
    args = SETUP.kernel_args("dump.encrypt=required after=poweroff dump=disk dump.format=elf pm.zero=keep",
                             virtio(img) + q.monitor_args(mon), ps, initrd=block("nmi-key", "--encrypt-to", key()[1]),
                             before=["-cpu", "max"])
    res = q.run_qemu(args, [BANNER, r"^dump: encrypted \(AES-256-GCM, AES-NI[^)]*\) for key %s;" % kid,
                            r"^cpu: [1-9]\d* NMIs arrived during the run and were ignored", ELF_COMPLETE],
                     180, must_exit=True, mem="64", on_line=on_line)
    if res.failure:
        return res
    savecore_key(res, img, "nmi", ps)
    return res


def refused(name, cause, initrd=None, append=""):
    """dump.encrypt=required with no usable key: the one final line naming
    cause, the dump disk bit-identical, QEMU powered off (after=)."""
    img = disk(name)
    before = sha(img)
    args = SETUP.kernel_args("dump=disk dump.encrypt=required after=poweroff " + append, virtio(img), initrd=initrd)
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


def flipped_block(name):
    """A good block (no key) with one bit flipped in its middle: it does not verify."""
    data = bytearray(open(block(name), "rb").read())
    data[len(data) // 2] ^= 0x01
    bad = os.path.join(TMP, name + "-flipped.bin")
    open(bad, "wb").write(bytes(data))
    return bad


def t_required_untrusted_block_refused():
    bad = flipped_block("good")
    return refused("untrusted", re.escape("dump.encrypt=required, and the handoff block is not trusted "
                                          "(its dump key cannot be used)"), initrd=bad)


def t_required_block_without_key_refused():
    return refused("nokey", re.escape("dump.encrypt=required, and the handoff block has no DUMP_KEY record"),
                   initrd=block("nokey"))


def t_untrusted_block_clear_said():
    """Without required, a block that does not verify cannot enable
    encryption: the dump goes out in the clear, and a line says so."""
    bad = flipped_block("good2")
    img = disk("clear", size_mb=96, dump_mb=64)
    ps = [Plant("clear-p1", 0x1000000, 64 << 10, 36)]
    args = SETUP.kernel_args("dump=disk after=poweroff", virtio(img), ps, initrd=bad)
    res = q.run_qemu(args,
                     [BANNER, r"^handoff: NOT TRUSTED",
                      r"^dump: the handoff block is not trusted, so no DUMP_KEY record in it can be used: "
                      r"the dump is written in the clear \(dump\.encrypt=required refuses this\)$",
                      r"^dump: writing .* to disk virtio0p2$", KDUMP_COMPLETE],
                     120, must_exit=True, mem="64")
    # the clear dump holds the planted bytes: what leaked() looks for is there to find
    if res.failure is None and leaked(img, ps) is None:
        res.failure = "leaked() does not find planted bytes in a clear dump"
    return res


TESTS = [t_disk_kdump_planted, t_serial_kdump_planted, t_fat_elf_planted, t_small_partition_truncated,
         t_nmi_during_encryption,
         t_required_no_block_refused, t_required_untrusted_block_refused,
         t_required_block_without_key_refused, t_untrusted_block_clear_said]

if __name__ == "__main__":
    sys.exit(q.main(TESTS, "encrypt_test"))
