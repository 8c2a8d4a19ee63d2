#!/bin/sh
# `postmortem savecore` over disk images made by sgdisk, sfdisk and fdisk:
# a dump written by tests/tools/dumpgen.c (build/host/dumpgen, linked with
# formats/gpt.c + payload/dumphdr.c, the kernel's own writer, in the
# documented order) must come back byte for byte; every cut of the write
# order, a corrupt body, damaged or mismatched headers, a FAILED dump, a
# too-small partition, no dump partition and no GPT must be refused or
# reported as the docs say (docs/dump-disk.md); --clear, --force, --list,
# --partition, a partition image, a backup-only GPT and 4096-byte sectors
# work; disks the kernel's write rule refuses (a stale backup GPT on an
# MBR disk, an MBR-only disk, GPT copies that disagree) are not offered
# and refuse --clear; text from a hostile header reaches the terminal
# escaped.
#   tests/savecore_tool_test.sh build/postmortem
# Ends with "savecore_tool_test: N passed, N failed"; exits 1 on a failure.
tool=${1:?usage: savecore_tool_test.sh TOOL}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/lib.sh"
DUMP_GUID=9cd6ae46-cf19-4c5c-b341-57f4b21dfd41

# gen IMAGE ARGS...: dumpgen must succeed (its output in $tmp/gen.out)
gen() {
	"$dumpgen" "$@" >"$tmp/gen.out" 2>&1 || { cat "$tmp/gen.out"; return 1; }
}

# Flip one byte of a file in place: flip FILE OFFSET
flip() {
	python3 -c 'import sys
p, o = sys.argv[1], int(sys.argv[2])
f = open(p, "r+b"); f.seek(o); b = f.read(1); f.seek(o); f.write(bytes([b[0] ^ 0x10])); f.close()' "$1" "$2"
}

# copy_sector FROM TO LBA [SECTOR_SIZE]: one sector of FROM over the same place in TO
copy_sector() {
	dd if="$1" of="$2" bs="${4:-512}" skip="$3" seek="$3" count=1 conv=notrunc status=none
}

# A 64 MiB image: 1 = 8 MiB ESP, 2 = 32 MiB postmortem dump partition.
mkimg() {
	truncate -s 64M "$1"
	sgdisk -n 1:0:+8M -t 1:ef00 -c 1:EFI -n 2:0:+32M -t 2:$DUMP_GUID -c 2:pmdump "$1" \
		>/dev/null 2>&1
}

# first/last LBA of partition N of IMAGE from sgdisk
first_lba() { sgdisk -i "$2" "$1" | awk '/^First sector/ { print $3 }'; }
last_lba() { sgdisk -i "$2" "$1" | awk '/^Last sector/ { print $3 }'; }

for cmd in sgdisk sfdisk fdisk readelf python3; do
	if ! command -v $cmd >/dev/null 2>&1; then
		echo "savecore_tool_test: $cmd missing (scripts/setup.sh installs it)"
		echo "savecore_tool_test: 0 passed, 1 failed"
		exit 1
	fi
done

# ------------------------------------------------------------ the generator
dumpgen=$root/build/host/dumpgen	# make unit builds it, against the pure library
if [ ! -x "$dumpgen" ]; then
	echo "savecore_tool_test: $dumpgen missing (make unit builds it)"
	echo "savecore_tool_test: 0 passed, 1 failed"
	exit 1
fi

# ------------------------------------------------------------ a whole dump
img=$tmp/disk.img
mkimg "$img"
p2=$(first_lba "$img" 2)
p2_last=$(last_lba "$img" 2)
check [ "$p2" = 18432 ]			# as the listing below says
check [ "$p2_last" = 83967 ]
run empty savecore "$img" --list
check rc_is empty 0
check has empty "$img: GPT (primary header), 2 partitions, protective MBR, 512-byte sectors"
check has empty "    1  EFI system                   2048        18431  \"EFI\""
check has empty "    2  postmortem dump             18432        83967  \"pmdump\""
check has empty "partition 2 (postmortem dump): no dump (no dump header)"
run empty_o savecore "$img" -o "$tmp/none"
check rc_is empty_o 1
check has empty_o "no dump: $img partition 2 (postmortem dump) holds no dump header"
check absent "$tmp/none"

check gen "$img" --elf "$tmp/gen.elf" --load-size 3M
cp "$img" "$tmp/good.img"
sum_before=$(sha256sum <"$img")
run save savecore "$img" -o "$tmp/vmcore"
check rc_is save 0
check has save "savecore: $img partition 2 (postmortem dump): dump 0x0123456789abcdef, created 2023-11-14 22:13:20 UTC, kernel 6.1.0-test, host testhost, 3.0 MiB, sha256 OK → $tmp/vmcore"
check cmp -s "$tmp/vmcore" "$tmp/gen.elf"
check [ "$(stat -c %a "$tmp/vmcore")" = 600 ]
check [ "$(sha256sum <"$img")" = "$sum_before" ]	# read-only without --clear
readelf -h "$tmp/vmcore" >"$tmp/readelf.out" 2>&1
check has readelf "CORE (Core file)"
readelf -n "$tmp/vmcore" >"$tmp/notes.out" 2>&1
check has notes "VMCOREINFO"
run list savecore "$img" --list
check rc_is list 0
check has list "partition 2 (postmortem dump): dump 0x0123456789abcdef, created 2023-11-14 22:13:20 UTC, kernel 6.1.0-test, host testhost, 3.0 MiB: COMPLETE"
# An existing VMCORE is replaced, not appended to.
run again savecore "$img" -o "$tmp/vmcore"
check rc_is again 0
check cmp -s "$tmp/vmcore" "$tmp/gen.elf"

# The body starts 64 KiB into the partition; the headers sit at both ends.
check [ "$(dd if="$img" bs=512 skip="$p2" count=1 status=none | head -c 8)" = PMDUMPHD ]
check [ "$(dd if="$img" bs=512 skip="$p2_last" count=1 status=none | head -c 8)" = PMDUMPHD ]
check cmp -s -n 4096 "$tmp/gen.elf" -i 0:$(((p2 + 128) * 512)) "$img"

# ------------------------------------------------------------ kdump-compressed body
# dump.format=kdump: body_format 2; saved as it is (no /proc/vmcore
# expansion), named in the output.
kimg=$tmp/kdump.img
mkimg "$kimg"
check gen "$kimg" --elf "$tmp/gen.kdump" --load-size 1M --kdump
check has gen "kdump-compressed file, body at sector"
run ksave savecore "$kimg" -o "$tmp/vmcore.kdump"
check rc_is ksave 0
check has ksave "kernel 6.1.0-test, host testhost, 1.0 MiB, kdump-compressed, sha256 OK → $tmp/vmcore.kdump"
check cmp -s "$tmp/vmcore.kdump" "$tmp/gen.kdump"
check [ "$(head -c 8 "$tmp/vmcore.kdump")" = "KDUMP   " ]
run klist savecore "$kimg" --list
check rc_is klist 0
check has klist "1.0 MiB, kdump-compressed: COMPLETE"
run kcompact savecore "$kimg" -o "$tmp/vmcore2.kdump" --compact
check rc_is kcompact 0
check cmp -s "$tmp/vmcore2.kdump" "$tmp/gen.kdump"

# ------------------------------------------------------------ cuts
# Each point of the write order a power cut can stop at.
for stop in begin body trail; do
	cp "$tmp/good.img" "$tmp/cut.img"
	check gen "$tmp/cut.img" --elf "$tmp/cut.elf" --load-size 2M --id 0x2222 --stop $stop
	run cut_$stop savecore "$tmp/cut.img" -o "$tmp/cut.vmcore"
	check rc_is cut_$stop 1
	check has cut_$stop "the body is not trusted"
	check has cut_$stop "nothing written (--force writes what is there anyway)"
	check absent "$tmp/cut.vmcore"
	run cutlist_$stop savecore "$tmp/cut.img" --list
	check has cutlist_$stop "dump 0x0000000000002222"
	check has cutlist_$stop "INCOMPLETE"
done
check has cut_body "the dump was cut short; the body is not trusted"
check has cut_trail "the dump was cut short after its trailing header"
# --force writes what is there, says so, exits 3.  Cut after the trailing
# header: that copy's digest still proves the body whole.
run cut_force savecore "$tmp/cut.img" -o "$tmp/cut.vmcore" --force
check rc_is cut_force 3
check has cut_force "--force: writing 2101248 bytes anyway, unverified"
check has cut_force "sha256 OK"
check cmp -s "$tmp/cut.vmcore" "$tmp/cut.elf"
# Cut before it: the planned length, nothing to check it against.
cp "$tmp/good.img" "$tmp/cut.img"
check gen "$tmp/cut.img" --elf "$tmp/cut.elf" --load-size 2M --id 0x2222 --stop body
run cut_force2 savecore "$tmp/cut.img" -o "$tmp/cut.vmcore" --force
check rc_is cut_force2 3
check has cut_force2 "sha256 NOT VERIFIED"
check has cut_force2 "marked incomplete in its header"
# the same bytes but for makedumpfile's incomplete mark (e_flags 0x1, byte 48)
check cmp -s -n 48 "$tmp/cut.vmcore" "$tmp/cut.elf"
check cmp -s -i 52 "$tmp/cut.vmcore" "$tmp/cut.elf"
run cut_force2_inspect inspect "$tmp/cut.vmcore"
check has cut_force2_inspect "INCOMPLETE (e_flags 0x1)"
check hasnt cut_force "marked incomplete"	# proven whole by the trailer's digest: left as it is
# A kdump-compressed body cut short: saved under --force with status bit 0x8.
cp "$tmp/good.img" "$tmp/kcut.img"
check gen "$tmp/kcut.img" --elf "$tmp/kcut.kdump" --load-size 2M --stop body --kdump
run kcut_force savecore "$tmp/kcut.img" -o "$tmp/kcut.vmcore" --force
check rc_is kcut_force 3
check has kcut_force "sha256 NOT VERIFIED"
check has kcut_force "marked incomplete in its header"
run kcut_inspect inspect "$tmp/kcut.vmcore"
check has kcut_inspect "INCOMPLETE (status 0x8)"
run kcut_orig inspect "$tmp/kcut.kdump"
check hasnt kcut_orig "INCOMPLETE"

# ------------------------------------------------------------ corruption
cp "$tmp/good.img" "$tmp/bad.img"
flip "$tmp/bad.img" $(((p2 + 128) * 512 + 100000))
run digest savecore "$tmp/bad.img" -o "$tmp/bad.vmcore"
check rc_is digest 1
check has digest "sha256 MISMATCH: the body is corrupt"
check absent "$tmp/bad.vmcore"
run digest_force savecore "$tmp/bad.img" -o "$tmp/bad.vmcore" --force
check rc_is digest_force 3
check has digest_force "kept $tmp/bad.vmcore although its digest does not match"
check [ "$(stat -c %s "$tmp/bad.vmcore")" = "$(stat -c %s "$tmp/gen.elf")" ]

# A torn leading header (CRC), then headers from two different dumps.
cp "$tmp/good.img" "$tmp/torn.img"
flip "$tmp/torn.img" $((p2 * 512 + 0x20))
run torn savecore "$tmp/torn.img" -o "$tmp/torn.vmcore"
check rc_is torn 1
check has torn "the leading header is missing or damaged"
run torn_list savecore "$tmp/torn.img" --list
check has torn_list "COMPLETE: the leading header is missing or damaged"
run torn_force savecore "$tmp/torn.img" -o "$tmp/torn.vmcore" --force
check rc_is torn_force 3
check cmp -s "$tmp/torn.vmcore" "$tmp/gen.elf"

cp "$tmp/good.img" "$tmp/other.img"
check gen "$tmp/other.img" --elf "$tmp/other.elf" --load-size 3M --id 0x3333
cp "$tmp/good.img" "$tmp/mixed.img"
copy_sector "$tmp/other.img" "$tmp/mixed.img" "$p2"
run mixed savecore "$tmp/mixed.img" -o "$tmp/mixed.vmcore"
check rc_is mixed 1
check has mixed "the two headers belong to different dumps"
check absent "$tmp/mixed.vmcore"

# ------------------------------------------------------------ FAILED, CLEARED
cp "$tmp/good.img" "$tmp/failed.img"
check gen "$tmp/failed.img" --elf "$tmp/f.elf" --load-size 1M --id 0x4444 --fail "nvme0: write timed out"
run failed savecore "$tmp/failed.img" -o "$tmp/failed.vmcore"
check rc_is failed 1
check has failed "the kernel gave up writing the dump"
check has failed "the kernel said: nvme0: write timed out"
run failed_list savecore "$tmp/failed.img" --list
check has failed_list "reason: nvme0: write timed out"

cp "$tmp/good.img" "$tmp/clear.img"
run clear savecore "$tmp/clear.img" -o "$tmp/clear.vmcore" --clear
check rc_is clear 0
check has clear "sha256 OK"
check has clear "headers marked CLEARED"
check cmp -s "$tmp/clear.vmcore" "$tmp/gen.elf"
run cleared savecore "$tmp/clear.img" -o "$tmp/cleared.vmcore"
check rc_is cleared 1
check has cleared "the dump was saved and cleared"
run cleared_list savecore "$tmp/clear.img" --list
check has cleared_list "CLEARED (was COMPLETE)"
run cleared_force savecore "$tmp/clear.img" -o "$tmp/cleared.vmcore" --force
check rc_is cleared_force 3
check cmp -s "$tmp/cleared.vmcore" "$tmp/gen.elf"
run list_clear savecore "$tmp/clear.img" --list --clear
check rc_is list_clear 2

# ------------------------------------------------------------ too small
small=$tmp/small.img
truncate -s 16M "$small"
sgdisk -n 1:0:+4M -t 1:ef00 -n 2:0:+1M -t 2:$DUMP_GUID "$small" >/dev/null 2>&1
check gen "$small" --elf "$tmp/small.elf" --load-size 2M --id 0x5555
check has gen "(truncated)"
run small savecore "$small" -o "$tmp/small.vmcore"
check rc_is small 4	# TRUNCATED: a partial dump is never exit 0
check has small "sha256 OK"
check has small "TRUNCATED: the partition held"
# 1 MiB partition: 64 KiB leading area, one trailing sector.
check [ "$(stat -c %s "$tmp/small.vmcore")" = $((1048576 - 65536 - 512)) ]
# what fitted, with makedumpfile's incomplete mark (e_flags 0x1, byte 48) added
check cmp -s -n 48 "$tmp/small.vmcore" "$tmp/small.elf"
check cmp -s -i 52 -n $((1048576 - 65536 - 512 - 52)) "$tmp/small.vmcore" "$tmp/small.elf"
check has small "marked incomplete in its header"
run small_inspect inspect "$tmp/small.vmcore"
check has small_inspect "INCOMPLETE (e_flags 0x1)"
run small_list savecore "$small" --list
check has small_list "TRUNCATED: complete but truncated"

# ------------------------------------------------------------ no dump here
truncate -s 32M "$tmp/esp.img"
sgdisk -n 1:0:+8M -t 1:ef00 -n 2:0:+8M -t 2:8300 "$tmp/esp.img" >/dev/null 2>&1
run nodump savecore "$tmp/esp.img" -o "$tmp/x.vmcore"
check rc_is nodump 1
check has nodump "no postmortem dump partition (type $DUMP_GUID) among its 2 GPT partitions"
run nodump_list savecore "$tmp/esp.img" --list
check rc_is nodump_list 1
check has nodump_list "    2  Linux filesystem"
truncate -s 8M "$tmp/zero.img"
run nogpt savecore "$tmp/zero.img" -o "$tmp/x.vmcore"
check rc_is nogpt 1
check has nogpt "no GPT (primary header: no \"EFI PART\" signature; backup header: no \"EFI PART\" signature) and no dump header at its start"
check absent "$tmp/x.vmcore"
run nofile savecore "$tmp/nonexistent.img" -o "$tmp/x.vmcore"
check rc_is nofile 1
check has nofile "No such file or directory"

# --partition N names an entry whatever its type; a dump-less one says so.
run named savecore "$img" -o "$tmp/x.vmcore" --partition 1
check rc_is named 1
check has named "partition 1 is not a postmortem dump partition (EFI system); reading it because it was named"
run named2 savecore "$img" -o "$tmp/named.vmcore" --partition 2
check rc_is named2 0
check cmp -s "$tmp/named.vmcore" "$tmp/gen.elf"
run named9 savecore "$img" -o "$tmp/x.vmcore" --partition 9
check rc_is named9 1
check has named9 "no partition 9 in the GPT"
# Two dump partitions that both hold a dump: savecore wants --partition.
two=$tmp/two.img
truncate -s 64M "$two"
sgdisk -n 1:0:+16M -t 1:$DUMP_GUID -n 2:0:+16M -t 2:$DUMP_GUID "$two" >/dev/null 2>&1
check gen "$two" --partition 1 --elf "$tmp/two1.elf" --load-size 1M --id 0x71
check gen "$two" --partition 2 --elf "$tmp/two2.elf" --load-size 2M --id 0x72
run two savecore "$two" -o "$tmp/two.vmcore"
check rc_is two 1
check has two "2 dump partitions hold dumps; choose one with --partition N"
run two2 savecore "$two" -o "$tmp/two.vmcore" --partition 2
check rc_is two2 0
check cmp -s "$tmp/two.vmcore" "$tmp/two2.elf"

# The writer refuses a partition of another type unless forced.
cp "$tmp/esp.img" "$tmp/forced.img"
"$dumpgen" "$tmp/forced.img" --partition 2 --elf "$tmp/fo.elf" >"$tmp/gen_noforce.out" 2>&1
check [ $? -eq 1 ]
check has gen_noforce "partition is not of the dump type (--force)"
run forced_clear savecore "$tmp/forced.img" -o "$tmp/fo.vmcore" --partition 2 --clear
check rc_is forced_clear 1
check has forced_clear "no dump header"

# ------------------------------------------------------------ other layouts
# A partition image (no GPT): the dump header at its start is enough.
dd if="$img" of="$tmp/part.img" bs=512 skip="$p2" count=$((p2_last - p2 + 1)) status=none
run part savecore "$tmp/part.img" -o "$tmp/part.vmcore"
check rc_is part 0
check has part "savecore: $tmp/part.img: dump 0x0123456789abcdef"
check cmp -s "$tmp/part.vmcore" "$tmp/gen.elf"

# Primary GPT header destroyed: the backup at the last LBA is read, but
# only one valid copy fails the write rule, so the partition is not
# offered; --partition 2 reads it.
cp "$tmp/good.img" "$tmp/backup.img"
dd if=/dev/zero of="$tmp/backup.img" bs=512 seek=1 count=1 conv=notrunc status=none
run backup savecore "$tmp/backup.img" -o "$tmp/backup.vmcore"
check rc_is backup 1
check has backup "primary GPT header bad (no \"EFI PART\" signature); using the backup"
check has backup "partition 2 (postmortem dump) is not usable: only the backup GPT is valid (the primary is damaged or was wiped) (--partition 2 reads it anyway)"
check absent "$tmp/backup.vmcore"
run backup_named savecore "$tmp/backup.img" -o "$tmp/backup.vmcore" --partition 2
check rc_is backup_named 0
check cmp -s "$tmp/backup.vmcore" "$tmp/gen.elf"
# Entry array damaged too: still the backup's array.
cp "$tmp/good.img" "$tmp/backup2.img"
flip "$tmp/backup2.img" $((2 * 512 + 32))
run backup2 savecore "$tmp/backup2.img" --list
check rc_is backup2 1
check has backup2 "primary GPT header bad (PartitionEntryArrayCRC32 mismatch); using the backup"
check has backup2 "GPT (backup header), 2 partitions"
check has backup2 "UNUSABLE: only the backup GPT is valid"

# ------------------------------------------------------------ the write rule
# The disks the kernel never writes to without force are not offered by
# --list or the automatic choice, say why, and refuse --clear.
# stale_gpt_on_mbr_disk: a dump disk wiped over its first MiB and made an
# MBR disk (one 0x83 partition over all of it); the backup GPT, and the
# dump in the old partition 2, are still there.
stale=$tmp/stale.img
cp "$tmp/good.img" "$stale"
dd if=/dev/zero of="$stale" bs=1M count=1 conv=notrunc status=none
echo 'start=2048, type=83' | sfdisk --label dos "$stale" >/dev/null 2>&1
check [ "$(sfdisk -J "$stale" | python3 -c 'import json,sys; print(json.load(sys.stdin)["partitiontable"]["label"])')" = dos ]
stale_sum=$(sha256sum <"$stale")
run stale_list savecore "$stale" --list
check rc_is stale_list 1
check has stale_list "GPT (backup header), 2 partitions, MBR without a GPT record"
check has stale_list "not a disk postmortem writes to without force: a GPT only in its backup copy and an MBR without a protective 0xEE entry (an MBR disk)"
check has stale_list "\"pmdump\"  UNUSABLE: a GPT only in its backup copy and an MBR without a protective 0xEE entry (an MBR disk)"
check hasnt stale_list "partition 2 (postmortem dump): dump 0x"
run stale_o savecore "$stale" -o "$tmp/stale.vmcore"
check rc_is stale_o 1
check absent "$tmp/stale.vmcore"
run stale_clear savecore "$stale" -o "$tmp/stale.vmcore" --partition 2 --clear
check rc_is stale_clear 1
check has stale_clear "--clear refused: a GPT only in its backup copy and an MBR without a protective 0xEE entry (an MBR disk)"
check absent "$tmp/stale.vmcore"
check [ "$(sha256sum <"$stale")" = "$stale_sum" ]
run stale_read savecore "$stale" -o "$tmp/stale.vmcore" --partition 2
check rc_is stale_read 0
check cmp -s "$tmp/stale.vmcore" "$tmp/gen.elf"
# mbr_only_disk: no GPT at all.
mbr=$tmp/mbr.img
truncate -s 64M "$mbr"
echo 'start=2048, type=83' | sfdisk --label dos "$mbr" >/dev/null 2>&1
run mbr_list savecore "$mbr" --list
check rc_is mbr_list 1
check has mbr_list "no GPT (primary header: no \"EFI PART\" signature; backup header: no \"EFI PART\" signature)"
check has mbr_list "an MBR disk (no protective 0xEE entry): postmortem never writes to it"
# gpt_copies_disagree: both copies valid, their entry arrays differ (the
# backup from a copy where sgdisk renamed partition 1).
dis=$tmp/disagree.img
cp "$tmp/good.img" "$dis"
cp "$tmp/good.img" "$tmp/renamed.img"
sgdisk -c 1:OTHER "$tmp/renamed.img" >/dev/null 2>&1
dd if="$tmp/renamed.img" of="$dis" bs=512 skip=$((131072 - 33)) seek=$((131072 - 33)) count=33 \
	conv=notrunc status=none
run dis_list savecore "$dis" --list
check rc_is dis_list 1
check has dis_list "GPT (primary header), 2 partitions, protective MBR"
check has dis_list "note: backup GPT header: backup entry array differs from the primary's"
check has dis_list "UNUSABLE: primary and backup GPT disagree (two different partition tables)"
check hasnt dis_list "partition 2 (postmortem dump): dump 0x"
run dis_clear savecore "$dis" -o "$tmp/dis.vmcore" --partition 2 --clear
check rc_is dis_clear 1
check has dis_clear "--clear refused: primary and backup GPT disagree"
# hostile_header_text_escaped: a header's host name, release and reason
# with ESC, BEL, CR, DEL and 0xff reach the terminal as \xNN.
host=$(printf 'evil\033]0;pwn\007\r\033[2Jx\177\377')
esc=$(printf '\033')
cp "$tmp/good.img" "$tmp/hostile.img"
check gen "$tmp/hostile.img" --elf "$tmp/hostile.elf" --load-size 64K --host "$host" \
	--release "$(printf '6.1\033[31m')" --fail "$(printf 'bad\rdisk\033[0m')"
run hostile savecore "$tmp/hostile.img" --list
check has hostile "kernel 6.1\x1b[31m, host evil\x1b]0;pwn\x07\x0d\x1b[2Jx\x7f\xff"
check has hostile "reason: bad\x0ddisk\x1b[0m"
check hasnt hostile "$esc"
run hostile_o savecore "$tmp/hostile.img" -o "$tmp/hostile.vmcore" --force
check has hostile_o "host evil\x1b]0;pwn\x07\x0d\x1b[2Jx\x7f\xff"
check hasnt hostile_o "$(printf '\007')"
# Both gone: no GPT.
dd if=/dev/zero of="$tmp/backup.img" bs=512 seek=$((131072 - 1)) count=1 conv=notrunc status=none
run nobackup savecore "$tmp/backup.img" -o "$tmp/x.vmcore"
check rc_is nobackup 1
check has nobackup "no GPT"

# Type names: sgdisk's type codes, so its GUIDs check formats/gpt.c's.
types=$tmp/types.img
truncate -s 32M "$types"
args=""
i=1
for c in 8300 8200 8e00 fd00 ef02 8304 8302 ea00 8309 0700 0c01 2700 a503 a502 ef00; do
	args="$args -n $i:0:+1M -t $i:$c"
	i=$((i + 1))
done
sgdisk $args "$types" >/dev/null 2>&1
run types savecore "$types" --list
check rc_is types 1				# no dump partition among them
n=1
for name in "Linux filesystem" "Linux swap" "Linux LVM" "Linux RAID" "BIOS boot" \
	"Linux root (x86-64)" "Linux home" "Linux extended boot" "Linux LUKS" \
	"Microsoft basic data" "Microsoft reserved" "Windows recovery" "FreeBSD UFS" \
	"FreeBSD swap" "EFI system"; do
	check has types "$(printf '  %3u  %-20s' $n "$name")"
	n=$((n + 1))
done

# sfdisk-made table, names and type by GUID.
sf=$tmp/sf.img
truncate -s 64M "$sf"
printf 'label: gpt\n\nsize=8M, type=U, name="esp"\nsize=32M, type=%s, name="crash dump"\n' \
	$DUMP_GUID | sfdisk -q "$sf" >/dev/null 2>&1
check gen "$sf" --elf "$tmp/sf.elf" --load-size 5M --id 0x6666 --release "6.12.0-sf"
run sf savecore "$sf" -o "$tmp/sf.vmcore"
check rc_is sf 0
check has sf "kernel 6.12.0-sf"
check cmp -s "$tmp/sf.vmcore" "$tmp/sf.elf"
run sf_list savecore "$sf" --list
check has sf_list "\"crash dump\""

# 4096-byte sectors (fdisk -b 4096): found with --sector-size, hinted without.
f4=$tmp/f4k.img
truncate -s 64M "$f4"
printf 'g\nn\n1\n\n+8M\nn\n2\n\n+32M\nt\n2\n%s\nw\n' $DUMP_GUID | fdisk -b 4096 "$f4" >/dev/null 2>&1
check gen "$f4" --sector-size 4096 --elf "$tmp/f4.elf" --load-size 3M --id 0x4096
check has gen "body at sector 16"
run f4 savecore "$f4" -o "$tmp/f4.vmcore" --sector-size 4096
check rc_is f4 0
check cmp -s "$tmp/f4.vmcore" "$tmp/f4.elf"
run f4_512 savecore "$f4" -o "$tmp/x.vmcore"
check rc_is f4_512 1
check has f4_512 "try --sector-size 4096"

# A large body shows progress on stderr.
big=$tmp/big.img
truncate -s 160M "$big"
sgdisk -n 1:0:+100M -t 1:$DUMP_GUID "$big" >/dev/null 2>&1
check gen "$big" --elf "$tmp/big.elf" --load-size 70M --id 0xb16
run big savecore "$big" -o "$tmp/big.vmcore"
check rc_is big 0
check has big "100% (70 of 70 MiB)"
check cmp -s "$tmp/big.vmcore" "$tmp/big.elf"
rm -f "$big" "$tmp/big.elf" "$tmp/big.vmcore"

# ------------------------------------------------------------ usage
run u1 savecore
check rc_is u1 2
run u2 savecore "$img"
check rc_is u2 2
check has u2 "-o VMCORE or --list is required"
run u3 savecore "$img" -o
check rc_is u3 2
run u4 savecore "$img" --partition x -o "$tmp/x"
check rc_is u4 2
run u5 savecore "$img" --bogus
check rc_is u5 2
check has u5 "unknown option '--bogus'"
# Option spellings: "--opt=VALUE" as well as "--opt VALUE", -f; "--"
# before IMAGE; a missing value, a shortened name, an unknown short option,
# a second IMAGE.
run eqform savecore --output="$tmp/eq.vmcore" --partition=2 --sector-size=512 -f -- "$tmp/good.img"
check rc_is eqform 0
check cmp -s "$tmp/eq.vmcore" "$tmp/gen.elf"
run eqlist savecore "$tmp/good.img" --list --partition=2
check rc_is eqlist 0
check has eqlist "COMPLETE"
run u6 savecore "$img" -o "$tmp/x" --partition
check rc_is u6 2
check has u6 "savecore: --partition needs a value (see --help)"
run u7 savecore "$img" -o "$tmp/x" --partition=0
check rc_is u7 2
check has u7 "--partition '0': want a positive number"
run u8 savecore "$img" --list --cl
check rc_is u8 2
check has u8 "unknown option '--cl' (see --help)"
run u9 savecore "$img" --list -x
check rc_is u9 2
check has u9 "unknown option '-x'"
run u10 savecore "$img" "$img" --list
check rc_is u10 2
check has u10 "unexpected argument '$img'"
run u11 savecore --list -- "$img" "$img"
check rc_is u11 2
check has u11 "unexpected argument '$img'"
run u12 savecore "$img" --list --force=yes
check rc_is u12 2
check has u12 "unknown option '--force=yes'"
run help savecore --help
check rc_is help 0
check has help "usage: postmortem savecore"
run top --help
check has top "savecore IMAGE -o VMCORE"

# ------------------------------------------------------------ output files
# VMCORE is safe to write as root on a hostile disk (tools/outfile.h):
# mode 0600 whatever the umask, written beside the target and renamed over
# it only once checked, planted links never followed, devices and FIFOs
# written in place and never removed, a full filesystem refused first.
. "$root/tests/outfile_lib.sh"
o=$tmp/out
mkdir "$o"
(umask 0; run out_mode savecore "$tmp/good.img" -o "$o/vmcore")
check rc_is out_mode 0
check mode_is "$o/vmcore" 600
check no_temps "$o" vmcore
cp "$o/vmcore" "$tmp/keep.ref"
# An existing good VMCORE survives a run whose dump fails its digest.
run keep_on_bad_sha savecore "$tmp/bad.img" -o "$o/vmcore"
check rc_is keep_on_bad_sha 1
check has keep_on_bad_sha "not saved: $o/vmcore left as it was"
check cmp -s "$o/vmcore" "$tmp/keep.ref"
check no_temps "$o" vmcore
# A link planted at the old intermediate name is not followed; one at the
# target itself is refused, and the file it points to is unchanged.
echo victim >"$tmp/victim"
ln -s "$tmp/victim" "$o/p.vmcore.expand"
run planted_expand_link savecore "$tmp/good.img" -o "$o/p.vmcore"
check rc_is planted_expand_link 0
check cmp -s "$o/p.vmcore" "$tmp/keep.ref"
check [ "$(cat "$tmp/victim")" = victim ]
check [ -L "$o/p.vmcore.expand" ]
ln -s "$tmp/victim" "$o/l.vmcore"
run target_link_refused savecore "$tmp/good.img" -o "$o/l.vmcore"
check rc_is target_link_refused 1
check has target_link_refused "a symbolic link to a regular file; not followed"
check [ "$(cat "$tmp/victim")" = victim ]
check [ -L "$o/l.vmcore" ]
# Devices and FIFOs: written in place (compact), never removed.
"$tool" savecore "$tmp/good.img" --compact -o "$o/compact.vmcore" >/dev/null 2>&1
if [ "$(id -u)" = 0 ]; then
	run devnull_kept savecore "$tmp/good.img" -o /dev/null
	check rc_is devnull_kept 0
	check null_intact
	run devnull_bad_sha_kept savecore "$tmp/bad.img" -o /dev/null
	check rc_is devnull_bad_sha_kept 1
	check has devnull_bad_sha_kept "already received the corrupt body"
	check null_intact
	ln -s /dev/null "$o/null.link"
	run link_to_devnull savecore "$tmp/good.img" -o "$o/null.link"
	check rc_is link_to_devnull 0
	check [ -L "$o/null.link" ]
	check null_intact
	mkfifo "$o/fifo"
	fifo_read "$o/fifo" "$tmp/fifo.got"
	run fifo_gets_bytes savecore "$tmp/good.img" -o "$o/fifo"
	wait $fifo_pid
	check rc_is fifo_gets_bytes 0
	check [ -p "$o/fifo" ]
	check cmp -s "$tmp/fifo.got" "$o/compact.vmcore"
	fifo_read "$o/fifo" "$tmp/fifo.bad"
	run fifo_bad_sha_kept savecore "$tmp/bad.img" -o "$o/fifo"
	wait $fifo_pid
	check rc_is fifo_bad_sha_kept 1
	check [ -p "$o/fifo" ]
else
	echo "SKIPPED (not counted): /dev/null and FIFO targets are tested as root"
fi
# Too little space: refused before anything is written, both numbers named.
if small_fs "$o/small"; then
	run no_space savecore "$tmp/good.img" -o "$o/small/vmcore"
	check rc_is no_space 1
	check has no_space "not enough free space: the output needs"
	check has no_space "the filesystem has 1048576 bytes (1.0 MiB) free"
	check [ -z "$(ls -A "$o/small")" ]
	small_fs_done "$o/small"
fi

# ------------------------------------------------------------ encrypted (docs/encryption.md)
# dumpgen --encrypt-to writes what the crash kernel writes under a DUMP_KEY
# record; savecore --key decrypts it, and refuses every damage by name.
if command -v openssl >/dev/null 2>&1; then
	k=$tmp/k.pem
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$k" 2>/dev/null
	openssl pkey -in "$k" -pubout -out "$tmp/k.pub" 2>/dev/null
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$tmp/other.pem" 2>/dev/null
	kid=$(openssl pkey -pubin -in "$tmp/k.pub" -outform DER | sha256sum | cut -c1-64)
	enc=$tmp/enc.img
	mkimg "$enc"
	check gen "$enc" --elf "$tmp/enc.elf" --load-size 1M --id 0x77 --encrypt-to "$tmp/k.pub"
	check has gen "encrypted stream"
	run enc_nokey savecore "$enc" -o "$tmp/enc.vmcore"
	check rc_is enc_nokey 1
	check has enc_nokey "the dump is encrypted for key $kid: give --key"
	check absent "$tmp/enc.vmcore"
	run enc_ok savecore "$enc" -o "$tmp/enc.vmcore" --key "$k"
	check rc_is enc_ok 0
	check has enc_ok "decrypted with key $kid"
	check has enc_ok "stream header sha256 OK, chunks authenticated by AES-GCM tags"
	check cmp -s "$tmp/enc.vmcore" "$tmp/enc.elf"
	rm -f "$tmp/enc.vmcore"
	# The dump header's digest of an encrypted body is its stream header's
	# (flag DIGEST_HEAD): one changed in both copies (CRC made good) is a
	# named mismatch, nothing saved.
	cp "$enc" "$tmp/dig.img"
	python3 -c 'import sys, zlib, struct
f = open(sys.argv[1], "r+b"); data = f.read(); n = 0
for at in range(0, len(data), 512):
    if data[at:at + 8] == b"PMDUMPHD":
        h = bytearray(data[at:at + 512])
        assert struct.unpack_from("<I", h, 0x14)[0] & 2 and struct.unpack_from("<I", h, 0x34)[0] == 3
        h[0x60] ^= 1; h[0x1fc:0x200] = bytes(4)
        h[0x1fc:0x200] = struct.pack("<I", zlib.crc32(bytes(h)) & 0xffffffff)
        f.seek(at); f.write(h); n += 1
assert n == 2' "$tmp/dig.img"
	run enc_dig savecore "$tmp/dig.img" -o "$tmp/dig.vmcore" --key "$k"
	check rc_is enc_dig 1
	check has enc_dig "sha256 MISMATCH: the encrypted stream's header block is not the one the dump header names"
	check absent "$tmp/dig.vmcore"
	run enc_wrong savecore "$enc" -o "$tmp/enc.vmcore" --key "$tmp/other.pem"
	check rc_is enc_wrong 1
	check has enc_wrong "encrypted for key $kid, this key is"
	check absent "$tmp/enc.vmcore"
	run enc_pub savecore "$enc" -o "$tmp/enc.vmcore" --key "$tmp/k.pub"
	check rc_is enc_pub 1
	check has enc_pub "a public key: decrypting needs the private key"
	# One flipped byte per class: header field, salt, wrapped key, header tag,
	# first, middle and last chunk (17 chunks of 65536 + 16 bytes).
	body=$(( $(first_lba "$enc" 2) * 512 + 65536 ))
	for t in "8:encrypted header: version" "72:header_tag does not verify" \
		 "110:wrapped key damaged or not this key" "1130:header_tag does not verify" \
		 "4096:chunk 0 fails authentication" "$((4096 + 8 * 65552 + 100)):chunk 8 fails" \
		 "$((4096 + 16 * 65552 + 5)):chunk 16 fails"; do
		off=${t%%:*}
		cp "$enc" "$tmp/tamper.img"
		flip "$tmp/tamper.img" $((body + off))
		run tamper savecore "$tmp/tamper.img" -o "$tmp/tamper.vmcore" --key "$k"
		check rc_is tamper 1
		check has tamper "${t#*:}"
		check absent "$tmp/tamper.vmcore"
	done
	python3 -c 'import sys
f = open(sys.argv[1], "rb"); f.seek(int(sys.argv[2])); open(sys.argv[3], "wb").write(f.read(32 << 20))' \
		"$enc" "$((body - 65536))" "$tmp/encpart.img"
	run enc_inspect inspect "$tmp/encpart.img"
	check rc_is enc_inspect 0
	check has enc_inspect "ENCRYPTED dump (PMENC version 1) in a dump partition's body, 1057040 bytes"
	check has enc_inspect "17 chunks here"
	check has enc_inspect "key id $kid"
	check has enc_inspect "dump header's sha256: of the stream's 4096-byte header, OK; the chunks are authenticated by AES-GCM tags"
	# dump=fat: the same stream as vmcore.000, dumpinfo.txt format=encrypted.
	fd=$tmp/fatenc/POSTMORTEM/20260101-000000
	mkdir -p "$fd"
	python3 -c 'import sys
f = open(sys.argv[1], "rb"); f.seek(int(sys.argv[2])); open(sys.argv[3], "wb").write(f.read(int(sys.argv[4])))' \
		"$enc" "$body" "$fd/vmcore.000" "$(awk '{print $3}' "$tmp/gen.out" | tr -dc 0-9 | head -c 12)"
	check [ -s "$fd/vmcore.000" ]
	sz=$(stat -c %s "$fd/vmcore.000")
	printf 'postmortem-dump 1\nstatus=complete\nformat=encrypted\ninner=elf\nsize=%s\nparts=1\npart_size=%s\nsha256=%s\ncreated=20260101-000000\n' \
		"$sz" "$sz" "$(sha256sum "$fd/vmcore.000" | cut -c1-64)" >"$fd/dumpinfo.txt"
	run fatenc savecore "$tmp/fatenc" -o "$tmp/fatenc.vmcore" --key "$k"
	check rc_is fatenc 0
	check has fatenc "decrypted with key $kid"
	check cmp -s "$tmp/fatenc.vmcore" "$tmp/enc.elf"
	run fatenc_nokey savecore "$tmp/fatenc" -o "$tmp/fatenc2.vmcore"
	check rc_is fatenc_nokey 1
	check has fatenc_nokey "encrypted for key $kid: give --key"
	check absent "$tmp/fatenc2.vmcore"
	run fatenc_inspect inspect "$fd/vmcore.000"
	check rc_is fatenc_inspect 0
	check has fatenc_inspect "ENCRYPTED dump (PMENC version 1), 1057040 bytes"
	# A partition too small: the stream is cut; the verified chunks are kept,
	# marked incomplete, exit 4, never 0.
	esmall=$tmp/esmall.img
	truncate -s 16M "$esmall"
	sgdisk -n 1:0:+4M -t 1:ef00 -n 2:0:+1M -t 2:$DUMP_GUID "$esmall" >/dev/null 2>&1
	check gen "$esmall" --elf "$tmp/esmall.elf" --load-size 2M --encrypt-to "$tmp/k.pub"
	run esmall savecore "$esmall" -o "$tmp/esmall.vmcore" --key "$k"
	check rc_is esmall 4
	check has esmall "truncated after chunk 13"
	check has esmall "marked incomplete in its header"
	check [ "$(stat -c %s "$tmp/esmall.vmcore")" = $((14 * 65536)) ]
	check cmp -s -i 52 -n $((14 * 65536 - 52)) "$tmp/esmall.vmcore" "$tmp/esmall.elf"
	# The stream on its own (what `recv` without --key saves): decrypted with
	# --key; cut: the chunks before the cut, marked incomplete, exit 4; no
	# key, a wrong key, a changed chunk: nothing written; --list says what it is.
	truncate -s 8M "$tmp/st.img"
	check gen "$tmp/st.img" --whole --elf "$tmp/st.elf" --load-size 1M --encrypt-to "$tmp/k.pub" \
		--stream "$tmp/st.stream"
	run st_ok savecore "$tmp/st.stream" --key "$k" -o "$tmp/st.vmcore"
	check rc_is st_ok 0
	check has st_ok "decrypted with key $kid: 1052672 bytes (ELF core), every chunk authenticated"
	check has st_ok "st.stream: encrypted stream, 1.0 MiB"
	check cmp -s "$tmp/st.vmcore" "$tmp/st.elf"
	run st_list savecore "$tmp/st.stream" --list
	check rc_is st_list 0
	check has st_list "an encrypted dump stream, 1.0 MiB, for key $kid, ELF core inside"
	run st_nokey savecore "$tmp/st.stream" -o "$tmp/st2.vmcore"
	check rc_is st_nokey 1
	check has st_nokey "the dump is encrypted for key $kid: give --key"
	check absent "$tmp/st2.vmcore"
	run st_wrong savecore "$tmp/st.stream" -o "$tmp/st2.vmcore" --key "$tmp/other.pem"
	check rc_is st_wrong 1
	check has st_wrong "encrypted for key $kid, this key is"
	check absent "$tmp/st2.vmcore"
	cp "$tmp/st.stream" "$tmp/st_bad.stream"
	flip "$tmp/st_bad.stream" $((4096 + 3 * 65552 + 7))
	run st_bad savecore "$tmp/st_bad.stream" -o "$tmp/st2.vmcore" --key "$k"
	check rc_is st_bad 1
	check has st_bad "chunk 3 fails authentication (damaged)"
	check absent "$tmp/st2.vmcore"
	head -c $((4096 + 5 * 65552 + 1000)) "$tmp/st.stream" >"$tmp/st_cut.stream"
	run st_cut savecore "$tmp/st_cut.stream" -o "$tmp/st_cut.vmcore" --key "$k"
	check rc_is st_cut 4
	check has st_cut "truncated after chunk 4"
	check has st_cut "marked incomplete in its header"
	check [ "$(stat -c %s "$tmp/st_cut.vmcore")" = $((5 * 65536)) ]
	check cmp -s -i 52 -n $((5 * 65536 - 52)) "$tmp/st_cut.vmcore" "$tmp/st.elf"
	run st_clear savecore "$tmp/st.stream" -o "$tmp/st3.vmcore" --key "$k" --clear
	check rc_is st_clear 2
	check absent "$tmp/st3.vmcore"
else
	echo "savecore_tool_test: openssl missing: encrypted cases skipped (scripts/setup.sh installs it)"
fi

finish savecore_tool_test
