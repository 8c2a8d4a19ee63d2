#!/bin/sh
# Build a GRUB rescue ISO (BIOS + UEFI) around the multiboot2 kernel.
#   scripts/mkiso.sh KERNEL.elf GRUB.cfg OUT.iso [EXTRA_CMDLINE]
# EXTRA_CMDLINE, when given, replaces the menu with one entry that boots
# at once with "console=ttyS0,115200 EXTRA_CMDLINE" (the tests use this).
# PM_ISO_MODULES="FILE:NAME ..." adds each FILE as a multiboot2 module whose
# string is NAME (e.g. a handoff block named "handoff").
#
# PM_ISO_SB=SIGNED.efi builds the Secure Boot ISO (docs/secure-boot.md):
# the BIOS side is the same GRUB and multiboot2 menu, but the UEFI side is
# Debian's signed shim (shim-signed) as the removable-media loader
# \EFI\BOOT\BOOTX64.EFI with Debian's signed GRUB (grub-efi-amd64-signed)
# and MokManager beside it, in the FAT image that is the ISO's El Torito
# EFI entry (and its GPT partition, for a USB stick).  That GRUB has
# its prefix built in: it reads \EFI\debian\grub.cfg from the device it
# was loaded from.  That file is the BIOS menu with each
# "multiboot2 /boot/postmortem.elf ARGS" turned into
# "chainloader /EFI/postmortem/postmortem.efi ARGS", SIGNED.efi being
# that postmortem.efi (make sign-iso).  The device is the whole CD (ISO
# 9660) when the firmware boots the El Torito entry (OVMF does), the FAT
# partition when it boots a USB stick's GPT: both hold the two files.
set -eu
kernel=${1:?usage: mkiso.sh KERNEL GRUBCFG OUT [EXTRA]}
cfg=${2:?}
out=${3:?}
extra=${4-}
sb=${PM_ISO_SB-}
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
if [ -n "$sb" ] && [ -n "$modlines" ]; then
	echo "mkiso: PM_ISO_MODULES needs multiboot2; the Secure Boot side chainloads an EFI image" >&2
	exit 1
fi
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
set --
if [ -n "$sb" ]; then
	shim=/usr/lib/shim/shimx64.efi.signed
	mm=/usr/lib/shim/mmx64.efi.signed
	grub=/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed
	for f in "$shim" "$mm" "$grub"; do
		[ -r "$f" ] || { echo "mkiso: $f missing (apt-get install shim-signed grub-efi-amd64-signed)" >&2; exit 1; }
	done
	[ -r "$sb" ] || { echo "mkiso: $sb: not readable" >&2; exit 1; }
	mkdir -p "$tmp/EFI/debian" "$tmp/EFI/postmortem"
	cp "$sb" "$tmp/EFI/postmortem/postmortem.efi"
	if ! grep -q '^[[:space:]]*multiboot2 /boot/postmortem\.elf' "$tmp/boot/grub/grub.cfg"; then
		echo "mkiso: no \"multiboot2 /boot/postmortem.elf\" entry in $cfg to chainload" >&2
		exit 1
	fi
	{
		echo "# The Secure Boot menu (Debian's signed GRUB behind shim): scripts/mkiso.sh"
		echo "# made it from the BIOS menu, chainloading the signed postmortem.efi instead"
		echo "# of multiboot2 (which Secure Boot does not allow) with the same arguments."
		sed 's|^\([[:space:]]*\)multiboot2 /boot/postmortem\.elf|\1chainloader /EFI/postmortem/postmortem.efi|' \
			"$tmp/boot/grub/grub.cfg"
	} >"$tmp/EFI/debian/grub.cfg"
	# The FAT image: the files, 1 MiB spare for the FAT and directories.
	kib=$(du -k -c "$shim" "$mm" "$grub" "$sb" | tail -n 1 | cut -f 1)
	esp=$tmp/boot/efi.img
	truncate -s $(((kib / 1024 + 2) * 1024 * 1024)) "$esp"
	mkfs.fat -n POSTMORTEM "$esp" >/dev/null
	export MTOOLS_SKIP_CHECK=1
	mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/EFI/debian ::/EFI/postmortem
	mcopy -i "$esp" "$shim" ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i "$esp" "$grub" ::/EFI/BOOT/grubx64.efi
	mcopy -i "$esp" "$mm" ::/EFI/BOOT/mmx64.efi
	mcopy -i "$esp" "$tmp/EFI/debian/grub.cfg" ::/EFI/debian/grub.cfg
	mcopy -i "$esp" "$sb" ::/EFI/postmortem/postmortem.efi
	# BIOS from grub-mkrescue as below (i386-pc only), the FAT image as
	# the second El Torito entry and as a GPT partition.
	set -- -d /usr/lib/grub/i386-pc -eltorito-alt-boot -e boot/efi.img -no-emul-boot \
		-efi-boot-part --efi-boot-image
fi
grub-mkrescue "$@" -o "$out" "$tmp" >"$tmp.log" 2>&1 || { cat "$tmp.log" >&2; rm -f "$tmp.log"; exit 1; }
rm -f "$tmp.log"
