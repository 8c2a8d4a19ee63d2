#!/bin/sh
# virt-firmware's virt-fw-vars (Debian's python3-virt-firmware, from
# bookworm-backports) unpacked into .cache/virt-firmware/, for the Secure
# Boot tests: it writes OVMF variable stores with a test certificate
# enrolled in db or in shim's MokList, and boot entries
# (docs/secure-boot.md).  Bookworm itself does not have the
# package; it is pure Python over bookworm's python3-cryptography and
# python3-pefile (scripts/setup.sh installs those).
#
# Nothing is installed and /etc/apt is not touched: as for scripts/qemu10.sh,
# scripts/backports-unpack.sh downloads the package and unpacks it with
# dpkg -x.
# .cache/virt-firmware/virt-fw-vars is a wrapper that runs it with the
# system's /usr/bin/python3.  Idempotent; exit 1 with the reason when the
# download or the unpacked tool does not work (the tests that need it then
# print a skip line).
set -eu
cd "$(dirname "$0")/.."
DEST=$PWD/.cache/virt-firmware
WRAP=$DEST/virt-fw-vars
PKGS="python3-virt-firmware"

if [ -x "$WRAP" ] && "$WRAP" --help >/dev/null 2>&1; then
	exit 0
fi

say() { echo "virtfw: $*" >&2; }
# shellcheck disable=SC2086
if ! scripts/backports-unpack.sh "$DEST" $PKGS; then
	say "FAILED: could not fetch $PKGS from bookworm-backports"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$DEST.new/virt-fw-vars" <<'WRAPPER'
#!/bin/sh
R=$(dirname "$0")/root
PYTHONPATH=$R/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
export PYTHONPATH
exec /usr/bin/python3 -c 'import sys; from virt.firmware.vars import main; sys.argv[0] = "virt-fw-vars"; sys.exit(main())' "$@"
WRAPPER
chmod +x "$DEST.new/virt-fw-vars"
if ! "$DEST.new/virt-fw-vars" --help >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	say "FAILED: the unpacked virt-fw-vars does not run (python3-cryptography, python3-pefile missing?)"
	exit 1
fi
rm -rf "$DEST"
mv "$DEST.new" "$DEST"
