#!/bin/sh
# Install what postmortem needs from Debian's packages (Debian 12).
# As root: apt-get update + install of whatever is missing.  Otherwise:
# print the exact apt-get line and stop with status 1.  Then builds
# newlib's libc into .cache/ (once), unpacks QEMU 10 from
# bookworm-backports into .cache/qemu10/ (scripts/qemu10.sh: for the
# x2APIC tests; without it they print a skip line) and virt-fw-vars
# (python3-virt-firmware) into .cache/virt-firmware/ (scripts/virtfw.sh:
# for the Secure Boot tests' variable stores; likewise).  Both fetch
# through scripts/backports-unpack.sh.
set -eu
cd "$(dirname "$0")/.."
PACKAGES="make gcc binutils libc6-dev clang libclang-rt-14-dev lld nasm python3 \
grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools dosfstools fdisk gdisk \
qemu-system-x86 ovmf newlib-source libmbedtls-dev liblzo2-dev libzstd-dev zlib1g-dev kbd console-setup-linux gdb \
makedumpfile e2fsprogs xfsprogs btrfs-progs dmsetup sbsigntool openssl python3-cryptography python3-pefile \
shim-signed grub-efi-amd64-signed \
python3-pkg-resources"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: missing Debian packages:$missing" >&2
		echo "setup: run as root:  apt-get update && apt-get install -y$missing" >&2
		exit 1
	fi
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
scripts/build-newlib.sh .cache
if ! scripts/qemu10.sh; then
	echo "setup: no QEMU 10 in .cache/qemu10/: the tests that need it (x2APIC) will be skipped" >&2
fi
if ! scripts/virtfw.sh; then
	echo "setup: no virt-fw-vars in .cache/virt-firmware/: the Secure Boot tests will be skipped" >&2
fi
