#!/bin/sh
# QEMU 10 from Debian's bookworm-backports, unpacked into .cache/qemu10/
# beside (not instead of) the system's QEMU 7.2, for the tests that need
# what QEMU 7.2's TCG cannot emulate: the local APIC in x2APIC mode
# (boot_test t_bzimage_reentry_x2apic, linux_test bios-qemu10-x2apic).
#
# Nothing is installed and /etc/apt is not touched:
# scripts/backports-unpack.sh downloads qemu-system-x86, -common and -data
# and unpacks them with dpkg -x.  The firmware is the system's (bookworm's
# seabios, ipxe-qemu).
#
# .cache/qemu10/qemu-system-x86_64 is a wrapper that runs it with its own
# data and module directories; the tests call it.  Idempotent: does
# nothing when the wrapper already runs.  Exit 1, with the reason, when
# the download or the unpacked QEMU does not work; the tests that need it
# then print a skip line.
set -eu
cd "$(dirname "$0")/.."
DEST=$PWD/.cache/qemu10
WRAP=$DEST/qemu-system-x86_64
PKGS="qemu-system-x86 qemu-system-common qemu-system-data"

if [ -x "$WRAP" ] && "$WRAP" --version 2>/dev/null | grep -q "^QEMU emulator version 1[0-9]\."; then
	exit 0
fi

say() { echo "qemu10: $*" >&2; }
# shellcheck disable=SC2086
if ! scripts/backports-unpack.sh "$DEST" $PKGS; then
	say "FAILED: could not fetch $PKGS from bookworm-backports"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$DEST.new/root/usr/bin/qemu-system-x86_64
missing=$(ldd "$bin" | grep "not found" || true)
if [ -n "$missing" ]; then
	say "FAILED: the unpacked QEMU needs libraries bookworm lacks:"
	echo "$missing" >&2
	exit 1
fi
# Its own option ROMs (linuxboot_dma.bin, kvmvapic.bin...) first, then
# bookworm's SeaBIOS and iPXE ROMs; its own modules, not QEMU 7.2's.
cat >"$DEST.new/qemu-system-x86_64" <<'EOF'
#!/bin/sh
R=$(dirname "$0")/root
QEMU_MODULE_DIR=$R/usr/lib/x86_64-linux-gnu/qemu
export QEMU_MODULE_DIR
exec "$R/usr/bin/qemu-system-x86_64" -L "$R/usr/share/qemu" -L /usr/share/seabios \
	-L /usr/lib/ipxe/qemu "$@"
EOF
chmod +x "$DEST.new/qemu-system-x86_64"
if ! "$DEST.new/qemu-system-x86_64" --version >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	say "FAILED: the unpacked QEMU does not run"
	exit 1
fi
rm -rf "$DEST"
mv "$DEST.new" "$DEST"
# The wrapper finds its tree relative to itself, so the move is fine.
say "$(head -n 1 "$tmp/log") in .cache/qemu10/"
