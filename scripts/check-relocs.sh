#!/bin/sh
# Reject a kernel image our self-relocator (boot/entry64.asm) cannot handle:
# only R_X86_64_RELATIVE dynamic relocations, no PLT, no undefined symbols.
#   scripts/check-relocs.sh build/postmortem.elf
set -eu
elf=${1:?usage: check-relocs.sh ELF}
bad=$(readelf -W -r "$elf" | awk '/^[0-9a-f]+ +[0-9a-f]+ R_X86_64_/ && $3 != "R_X86_64_RELATIVE" {print $3}' | sort | uniq -c)
if [ -n "$bad" ]; then
	echo "check-relocs: $elf has relocations the kernel cannot apply:" >&2
	echo "$bad" >&2
	exit 1
fi
undef=$(nm -u "$elf" | grep -v ' w ' || true)
if [ -n "$undef" ]; then
	echo "check-relocs: $elf has undefined symbols:" >&2
	echo "$undef" >&2
	exit 1
fi
if readelf -W -S "$elf" | grep -qE ' \.plt '; then
	echo "check-relocs: $elf has a .plt" >&2
	exit 1
fi
