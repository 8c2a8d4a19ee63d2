#!/bin/sh
# Fetch Debian packages from bookworm-backports and unpack them, without
# installing anything: scripts/qemu10.sh (QEMU 10) and scripts/virtfw.sh
# (virt-fw-vars) use it for tools bookworm itself lacks.
#   scripts/backports-unpack.sh DEST PKG...
# makes DEST.new/root (each PKG unpacked with dpkg -x) and DEST.new/VERSIONS
# (one "Package: NAME Version: V" line each); the caller adds its wrapper,
# checks that the tool runs, and only then replaces DEST with DEST.new.
#
# /etc/apt is not touched: apt-get reads a temporary sources list and keeps
# its package lists and downloads in a temporary directory, so the system's
# apt set-up and lists stay as they are.  Exit 1 with the reason (apt's own
# output first) when the update or the download fails.
set -eu
[ $# -ge 2 ] || { echo "usage: scripts/backports-unpack.sh DEST PKG..." >&2; exit 2; }
DEST=$1
shift
SUITE="deb http://deb.debian.org/debian bookworm-backports main"

say() { echo "backports-unpack: $*" >&2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/debs"
echo "$SUITE" >"$tmp/sources.list"
apt="-q -o Dir::Etc::sourcelist=$tmp/sources.list -o Dir::Etc::sourceparts=-
	-o APT::Get::List-Cleanup=0 -o Dir::State::Lists=$tmp/lists -o Dir::Cache=$tmp/cache
	-o APT::Sandbox::User=root"
# shellcheck disable=SC2086
if ! apt-get $apt update >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	say "FAILED: apt-get update of bookworm-backports (no network to Debian's archive?)"
	exit 1
fi
# shellcheck disable=SC2086
if ! (cd "$tmp/debs" && apt-get $apt download "$@") >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	say "FAILED: apt-get download $* from bookworm-backports"
	exit 1
fi
rm -rf "$DEST.new"
mkdir -p "$DEST.new/root"
for d in "$tmp"/debs/*.deb; do
	dpkg -x "$d" "$DEST.new/root"
	dpkg-deb -f "$d" Package Version | tr '\n' ' ' >>"$DEST.new/VERSIONS"
	echo >>"$DEST.new/VERSIONS"
done
