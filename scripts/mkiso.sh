#!/bin/sh
# Build a GRUB rescue ISO (BIOS + UEFI) around the multiboot2 kernel.
#   scripts/mkiso.sh KERNEL.elf GRUB.cfg OUT.iso [EXTRA_CMDLINE]
# EXTRA_CMDLINE, when given, replaces the menu with one entry that boots
# at once with "console=ttyS0,115200 EXTRA_CMDLINE" (the tests use this).
# PM_ISO_MODULES="FILE:NAME ..." adds each FILE as a multiboot2 module whose
# string is NAME (e.g. a handoff block named "handoff").
set -eu
kernel=${1:?usage: mkiso.sh KERNEL GRUBCFG OUT [EXTRA]}
cfg=${2:?}
out=${3:?}
extra=${4-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/boot/grub"
cp "$kernel" "$tmp/boot/postmortem.elf"
modlines=""
i=0
for m in ${PM_ISO_MODULES-}; do
	cp "${m%%:*}" "$tmp/boot/module$i"
	modlines="$modlines	module2 /boot/module$i ${m##*:}
"
	i=$((i + 1))
done
if [ -n "$extra" ]; then
	cat > "$tmp/boot/grub/grub.cfg" <<CFG
set timeout=0
insmod all_video
set default=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "postmortem (test)" {
	multiboot2 /boot/postmortem.elf console=ttyS0,115200 $extra
$modlines	boot
}
CFG
else
	cp "$cfg" "$tmp/boot/grub/grub.cfg"
fi
grub-mkrescue -o "$out" "$tmp" >"$tmp.log" 2>&1 || { cat "$tmp.log" >&2; rm -f "$tmp.log"; exit 1; }
rm -f "$tmp.log"
