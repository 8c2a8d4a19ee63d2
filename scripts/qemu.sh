#!/bin/sh
# Run QEMU the way the tests do, for a person: serial on the terminal, no
# reboot (a reset ends QEMU), 512 MiB.  Extra arguments pass through.
#   scripts/qemu.sh -kernel build/postmortem.bzImage -append "console=ttyS0"
#   PM_KVM=1 scripts/qemu.sh ...    use KVM when /dev/kvm works (see README)
#   PM_UEFI=1 scripts/qemu.sh -cdrom build/postmortem.iso   boot under OVMF
set -eu
accel="-accel tcg"
if [ "${PM_KVM:-0}" = 1 ]; then
	if python3 "$(dirname "$0")/../tests/qemu/kvm_probe.py"; then
		accel="-accel kvm -cpu host"
	else
		echo "qemu.sh: KVM probe failed; using TCG" >&2
	fi
fi
fw=""
if [ "${PM_UEFI:-0}" = 1 ]; then
	vars=$(mktemp)
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
	fw="-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive if=pflash,format=raw,file=$vars"
fi
# shellcheck disable=SC2086
exec qemu-system-x86_64 $accel -m 512 -nographic -no-reboot $fw "$@"
