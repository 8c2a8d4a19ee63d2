"""Secure Boot for the QEMU tests (docs/secure-boot.md): throwaway keys,
signed copies of build/postmortem.bzImage (scripts/sign.sh, Debian's
sbsign), OVMF variable stores with certificates enrolled (virt-fw-vars
from Debian's python3-virt-firmware, unpacked by scripts/virtfw.sh), and
QEMU's arguments for OVMF with Secure Boot enforced (the SMM build,
OVMF_CODE_4M.secboot.fd: its variable store can be changed only through
authenticated writes).
"""
import os
import struct
import subprocess

import qemutest as q

OVMF_SB_CODE = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
OVMF_MS_VARS = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"   # PK/KEK/db enrolled, Secure Boot on
VIRT_FW_VARS = os.path.join(q.ROOT, ".cache", "virt-firmware", "virt-fw-vars")
SIGN = os.path.join(q.ROOT, "scripts", "sign.sh")
# the owner GUID of the certificates we enrol (any GUID; this one is ours)
OWNER = "5d1a5a8e-0f3c-4b0e-9c41-70737472746d"


def missing():
    """None when the tools are here, else why not (the case then skips)."""
    for path, what in ((OVMF_SB_CODE, "Debian's ovmf (Secure Boot build)"), (OVMF_MS_VARS, "Debian's ovmf"),
                       ("/usr/bin/sbsign", "sbsigntool"), ("/usr/bin/openssl", "openssl")):
        if not os.path.exists(path):
            return "%s missing (%s)" % (path, what)
    if not os.access(VIRT_FW_VARS, os.X_OK):
        return "%s missing: scripts/virtfw.sh (run by scripts/setup.sh) could not fetch " \
            "python3-virt-firmware from bookworm-backports" % os.path.relpath(VIRT_FW_VARS, q.ROOT)
    return None


def make_key(tmpdir, name, cn):
    """A self-signed RSA-2048 certificate and its key: (key, crt) paths."""
    key, crt = os.path.join(tmpdir, name + ".key"), os.path.join(tmpdir, name + ".crt")
    subprocess.run(["openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                    "-days", "3650", "-subj", "/CN=%s/" % cn, "-keyout", key, "-out", crt],
                   check=True, capture_output=True)
    return key, crt


def sign(key, crt, image, out):
    subprocess.run([SIGN, key, crt, image, out], check=True, capture_output=True)
    return out


def signer_cert(image, out):
    """The certificates of image's first Authenticode signature as PEM in out
    (for a Debian kernel: its signer, issued by Debian's Secure Boot CA)."""
    data = open(image, "rb").read()
    pe, = struct.unpack_from("<I", data, 0x3c)
    opt = pe + 24
    off, size = struct.unpack_from("<II", data, opt + 112 + 8 * 4)
    if not size:
        raise ValueError("%s is not signed" % image)
    length, = struct.unpack_from("<I", data, off)
    der = os.path.join(os.path.dirname(out), "sig.p7")
    with open(der, "wb") as f:
        f.write(data[off + 8:off + length])
    r = subprocess.run(["openssl", "pkcs7", "-inform", "DER", "-in", der, "-print_certs", "-out", out],
                       capture_output=True, text=True)
    os.unlink(der)
    if r.returncode != 0:
        raise ValueError("openssl pkcs7 on %s's signature: %s" % (image, r.stderr[-200:]))
    return out


def make_vars(tmpdir, db=(), mok=(), base=OVMF_MS_VARS, name="OVMF_VARS.sb.fd", json=None):
    """base with each certificate of db added to db and of mok to MokList
    (and the variables of a --set-json file)."""
    out = os.path.join(tmpdir, name)
    args = [VIRT_FW_VARS, "-i", base, "-o", out] + (["--set-json", json] if json else [])
    for c in db:
        args += ["--add-db", OWNER, c]
    for c in mok:
        args += ["--add-mok", OWNER, c]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("virt-fw-vars failed: " + (r.stdout + r.stderr)[-400:])
    return out


def qemu_args(vars_file):
    """OVMF's Secure Boot build on q35 with SMM (the caller gives no other -machine)."""
    return ["-machine", "q35,smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on",
            "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_SB_CODE,
            "-drive", "if=pflash,format=raw,unit=1,file=" + vars_file]


def cpio(files):
    """A newc archive (uncompressed) of {path: bytes}, directories made as needed."""
    out, ino, seen = bytearray(), 1, set()

    def entry(name, mode, data=b""):
        nonlocal ino
        out.extend(("070701" + "%08X" * 13 % (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
                                                len(name) + 1, 0)).encode() + name.encode() + b"\0")
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))
        ino += 1
    for path, data in files.items():
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in seen:
                seen.add(d)
                entry(d, 0o040755)
        entry(path.strip("/"), 0o100644, data)
    entry("TRAILER!!!", 0)
    out.extend(b"\0" * (-len(out) % 512))
    return bytes(out)


def load_option(title, path, args):
    """An EFI_LOAD_OPTION (UEFI 2.10 3.1.3) for the file path (a short-form
    device path: one File Path Media node, which the boot manager looks up
    on every filesystem) with args as its OptionalData (UCS-2): what the
    image gets as LoadOptions."""
    desc = (title + "\0").encode("utf-16-le")
    p = (path + "\0").encode("utf-16-le")
    fp = struct.pack("<BBH", 4, 4, 4 + len(p)) + p + struct.pack("<BBH", 0x7f, 0xff, 4)
    return struct.pack("<IH", 1, len(fp)) + desc + fp + args.encode("utf-16-le")


def boot_next_json(tmpdir, path, args, number=0x10):
    """A virt-fw-vars --set-json file: Boot#### (number) for path with args,
    and BootNext pointing at it."""
    import json
    glob = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
    out = os.path.join(tmpdir, "boot.json")
    with open(out, "w") as f:
        json.dump({"version": 2, "variables": [
            {"name": "Boot%04X" % number, "guid": glob, "attr": 7,
             "data": load_option("postmortem", path, args).hex()},
            {"name": "BootNext", "guid": glob, "attr": 7, "data": struct.pack("<H", number).hex()}]}, f)
    return out


def esp_image(tmpdir, files, name="esp.img"):
    """A 32 MiB FAT disk image (no partition table; OVMF reads it as a
    filesystem) holding {path: host file}."""
    img = os.path.join(tmpdir, name)
    with open(img, "wb") as f:
        f.truncate(32 << 20)
    subprocess.run(["mkfs.fat", "-F", "16", img], check=True, capture_output=True)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    made = set()
    for path, src in files.items():
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in made:
                made.add(d)
                subprocess.run(["mmd", "-i", img, "::/" + d], check=True, capture_output=True, env=env)
        subprocess.run(["mcopy", "-i", img, src, "::/" + "/".join(parts)], check=True,
                       capture_output=True, env=env)
    return img
