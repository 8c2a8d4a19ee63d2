#!/bin/sh
# `postmortem savecore` for dump=fat dumps (docs/dump-fat.md), from a FAT
# image made by mkfs.fat and filled by mtools, from a GPT disk holding it,
# and from a directory: the newest complete dump is joined and checked;
# "-10" is newer than "-2", "undated" older than any date; a dump cut short
# (parts but no dumpinfo.txt) is listed and saved only under --force; a
# wrong digest or a missing part is refused; --clear is refused.  A
# kdump-compressed dump (format=kdump, the default) is saved as written,
# never expanded; one saved under --force without being verified is marked
# incomplete in its own header (either format).
#   tests/savecore_fat_tool_test.sh build/postmortem
# Ends with "savecore_fat_tool_test: N passed, N failed".
tool=${1:?usage: savecore_fat_tool_test.sh TOOL}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/lib.sh"
export MTOOLS_SKIP_CHECK=1

# dump DIR PARTSIZE STATUS: an ELF core split into DIR/vmcore.NNN, and dumpinfo.txt
dump() {
	mkdir -p "$tmp/tree/POSTMORTEM/$1"
	python3 "$root/tests/tools/vmcore_same.py" --make "$tmp/core.elf"
	( cd "$tmp/tree/POSTMORTEM/$1" && split -b "$2" -d -a 3 "$tmp/core.elf" vmcore. )
	n=$(ls "$tmp/tree/POSTMORTEM/$1" | grep -c '^vmcore\.')
	[ "$3" = none ] && return 0
	printf 'postmortem-dump 1\nstatus=%s\nformat=elf\nsize=%s\nparts=%s\npart_size=%s\nsha256=%s\ncreated=%s\nrelease=\nhostname=\nhandoff=none\nwriter=test\n' \
		"$3" "$(stat -c %s "$tmp/core.elf")" "$n" "$2" \
		"$(sha256sum "$tmp/core.elf" | cut -d' ' -f1)" "$1" >"$tmp/tree/POSTMORTEM/$1/dumpinfo.txt"
}

# fat IMAGE: a 16 MiB FAT16 volume holding $tmp/tree
fat() {
	rm -f "$1"
	mkfs.fat -C -F 16 "$1" 16384 >/dev/null
	mcopy -s -i "$1" "$tmp/tree/POSTMORTEM" ::/
}

dump 20261122-061500-2 8192 complete
dump 20261122-061500-10 4096 complete
dump undated 8192 complete
cp "$tmp/core.elf" "$tmp/want.elf"
fat "$tmp/fat.img"
run list savecore "$tmp/fat.img" --list
check rc_is list 0
check has list "POSTMORTEM/20261122-061500-10: complete, 16384 bytes in 4 parts"
check has list "POSTMORTEM/undated: complete"
run save savecore "$tmp/fat.img" -o "$tmp/out.elf" --compact
check rc_is save 0
check has save "POSTMORTEM/20261122-061500-10: 4 parts, 16384 bytes, sha256 OK"
check cmp -s "$tmp/out.elf" "$tmp/want.elf"
run whole savecore "$tmp/fat.img" -o "$tmp/whole.elf"
check rc_is whole 0
check python3 "$root/tests/tools/vmcore_same.py" "$tmp/want.elf" "$tmp/whole.elf" --whole

# The same volume inside a GPT disk, and as a directory.
truncate -s 20M "$tmp/disk.img"
sgdisk -o -n 1:2048:+16M -t 1:ef00 "$tmp/disk.img" >/dev/null
dd if="$tmp/fat.img" of="$tmp/disk.img" bs=512 seek=2048 conv=notrunc status=none
run gpt savecore "$tmp/disk.img" -o "$tmp/gpt.elf" --compact
check rc_is gpt 0
check has gpt "partition 1 (FAT): POSTMORTEM/20261122-061500-10"
check cmp -s "$tmp/gpt.elf" "$tmp/want.elf"
run dir savecore "$tmp/tree" -o "$tmp/dir.elf" --compact
check rc_is dir 0
check cmp -s "$tmp/dir.elf" "$tmp/want.elf"
run dir2 savecore "$tmp/tree/POSTMORTEM" -o "$tmp/dir2.elf" --compact
check rc_is dir2 0
run one savecore "$tmp/tree/POSTMORTEM/undated" -o "$tmp/one.elf" --compact
check rc_is one 0
check cmp -s "$tmp/one.elf" "$tmp/want.elf"
mkdir -p "$tmp/other"
run other savecore "$tmp/other" -o "$tmp/x.elf"
check rc_is other 1
check has other "no dump=fat dump here"

# --clear is the raw partition's; never silently ignored
run clear savecore "$tmp/fat.img" -o "$tmp/c.elf" --clear
check rc_is clear 2
check has clear "--clear is for the raw dump partition"

# A newer dump cut short: listed, refused, saved under --force (exit 3)
dump 20261123-000000 4096 none
fat "$tmp/cut.img"
run cutlist savecore "$tmp/cut.img" --list
check has cutlist "POSTMORTEM/20261123-000000: cut short (no dumpinfo.txt), 16384 bytes in 4 parts"
run cut savecore "$tmp/cut.img" -o "$tmp/cut.elf"
check rc_is cut 0				# the newest COMPLETE one is saved
check has cut "POSTMORTEM/20261122-061500-10"
rm -rf "$tmp/tree/POSTMORTEM/20261122-061500-2" "$tmp/tree/POSTMORTEM/20261122-061500-10" \
	"$tmp/tree/POSTMORTEM/undated"
fat "$tmp/cutonly.img"
run cutonly savecore "$tmp/cutonly.img" -o "$tmp/c1.elf"
check rc_is cutonly 1
check has cutonly "none complete"
check absent "$tmp/c1.elf"
run cutforce savecore "$tmp/cutonly.img" -o "$tmp/c2.elf" --force --compact
check rc_is cutforce 3
check has cutforce "NOT VERIFIED"
check has cutforce "marked incomplete in its header"
check cmp -s -i 64 "$tmp/c2.elf" "$tmp/want.elf"	# the same after the ELF header
run cutforce_inspect inspect "$tmp/c2.elf"
check has cutforce_inspect "INCOMPLETE (e_flags 0x1)"

# A wrong digest and a missing part are refused, nothing kept
rm -rf "$tmp/tree/POSTMORTEM"
dump 20261124-000000 4096 complete
sed -i 's/^sha256=./sha256=0/' "$tmp/tree/POSTMORTEM/20261124-000000/dumpinfo.txt"
fat "$tmp/bad.img"
run bad savecore "$tmp/bad.img" -o "$tmp/bad.elf"
check rc_is bad 1
check has bad "sha256 MISMATCH"
check absent "$tmp/bad.elf"
# A part larger than dumpinfo.txt announced is never copied past that size
# (a hostile volume's parts could claim terabytes): refused, nothing kept.
rm -rf "$tmp/tree/POSTMORTEM"
dump 20261124-000000 4096 complete
head -c 65536 /dev/zero >>"$tmp/tree/POSTMORTEM/20261124-000000/vmcore.003"
fat "$tmp/big.img"
run oversized_part_refused savecore "$tmp/big.img" -o "$tmp/big.elf"
check rc_is oversized_part_refused 1
check has oversized_part_refused "POSTMORTEM/20261124-000000/vmcore.003 holds"
check absent "$tmp/big.elf"
rm -rf "$tmp/tree/POSTMORTEM"
dump 20261125-000000 4096 complete
rm "$tmp/tree/POSTMORTEM/20261125-000000/vmcore.002"
fat "$tmp/gap.img"
run gap savecore "$tmp/gap.img" -o "$tmp/gap.elf"
check rc_is gap 1
check has gap "vmcore.002 missing"
check absent "$tmp/gap.elf"

# ------------------------------------------------------------ output files
# The joined VMCORE is safe to write as root (tools/outfile.h): mode 0600
# whatever the umask, renamed into place only once checked, planted links
# never followed, a FIFO gets the bytes and stays, no space is refused first.
. "$root/tests/outfile_lib.sh"
o=$tmp/out
mkdir "$o"
(umask 0; run out_mode savecore "$tmp/fat.img" -o "$o/vmcore")
check rc_is out_mode 0
check mode_is "$o/vmcore" 600
check no_temps "$o" vmcore
cp "$o/vmcore" "$tmp/keep.ref"
run keep_on_bad_sha savecore "$tmp/bad.img" -o "$o/vmcore"
check rc_is keep_on_bad_sha 1
check has keep_on_bad_sha "not saved: $o/vmcore left as it was"
check cmp -s "$o/vmcore" "$tmp/keep.ref"
check no_temps "$o" vmcore
echo victim >"$tmp/victim"
ln -s "$tmp/victim" "$o/p.vmcore.expand"
run planted_expand_link savecore "$tmp/fat.img" -o "$o/p.vmcore"
check rc_is planted_expand_link 0
check cmp -s "$o/p.vmcore" "$tmp/keep.ref"
check [ "$(cat "$tmp/victim")" = victim ]
ln -s "$tmp/victim" "$o/l.vmcore"
run target_link_refused savecore "$tmp/fat.img" -o "$o/l.vmcore"
check rc_is target_link_refused 1
check [ "$(cat "$tmp/victim")" = victim ]
if [ "$(id -u)" = 0 ]; then
	run devnull_kept savecore "$tmp/fat.img" -o /dev/null
	check rc_is devnull_kept 0
	check null_intact
	mkfifo "$o/fifo"
	fifo_read "$o/fifo" "$tmp/fifo.got"
	run fifo_gets_bytes savecore "$tmp/fat.img" -o "$o/fifo"
	wait $fifo_pid
	check rc_is fifo_gets_bytes 0
	check [ -p "$o/fifo" ]
	check cmp -s "$tmp/fifo.got" "$tmp/want.elf"
	fifo_read "$o/fifo" "$tmp/fifo.bad"
	run fifo_bad_sha_kept savecore "$tmp/bad.img" -o "$o/fifo"
	wait $fifo_pid
	check rc_is fifo_bad_sha_kept 1
	check has fifo_bad_sha_kept "already received the corrupt dump"
	check [ -p "$o/fifo" ]
else
	echo "SKIPPED (not counted): /dev/null and FIFO targets are tested as root"
fi
if small_fs "$o/small" 8k; then
	run no_space savecore "$tmp/fat.img" -o "$o/small/vmcore"
	check rc_is no_space 1
	check has no_space "not enough free space: the output needs 32768 bytes"
	check [ -z "$(ls -A "$o/small")" ]
	small_fs_done "$o/small"
fi
# ------------------------------------------------------------ bounds
# Hostile volumes and directories (tests/tools/mkhostile.py); each run under
# `timeout` so a regression fails (exit 124) instead of hanging the suite.
# run_t NAME ARGS...: as run, with a 120-second limit
run_t() {
	name=$1
	shift
	timeout 120 "$tool" "$@" >"$tmp/$name.out" 2>&1
	echo $? >"$tmp/$name.rc"
}
hostile() { python3 "$root/tests/tools/mkhostile.py" "$@"; }

# 256 dump directories cross-linked onto one chain of 1000 parts and 15000
# other entries (4 MiB FAT16), plus a looping directory past the 256th:
# listed once, found by binary search, duplicates named and skipped.
hostile crossfat "$tmp/cross.img"
run_t crosslinked_prompt savecore "$tmp/cross.img" --list
check rc_is crosslinked_prompt 0
check has crosslinked_prompt "POSTMORTEM/D000: cut short (no dumpinfo.txt), 512000 bytes in 1000 parts"
check has crosslinked_prompt "POSTMORTEM/D001 is the same directory as POSTMORTEM/D000 (cross-linked clusters): skipped"
check has crosslinked_prompt "... and 251 more cross-linked dump directories skipped"
check has crosslinked_prompt "POSTMORTEM holds 1 more directories than the 256 read"
run_t crosslinked_save savecore "$tmp/cross.img" -o "$tmp/cross.elf" --force --compact
check rc_is crosslinked_save 3
check has crosslinked_save "POSTMORTEM/D000: 1000 parts, 512000 bytes, sha256 NOT VERIFIED"
check [ "$(stat -c %s "$tmp/cross.elf")" -eq 512000 ]
# Every directory starts one cluster further into that chain: all different,
# all overlapping; the volume's entry budget stops the listing.
hostile crossfat "$tmp/stag.img" 256 staggered
run_t staggered_budget savecore "$tmp/stag.img" --list
check rc_is staggered_budget 0
check has staggered_budget "the directories list more entries than the volume has room for (cross-linked clusters); not reading further"
# A directory whose cluster chain loops (the FAT reader's cycle check).
hostile crossfat "$tmp/loop.img" 255
run_t loop_bounded savecore "$tmp/loop.img" --list
check rc_is loop_bounded 0
check has loop_bounded "POSTMORTEM/LOOP: cluster chain loops"

# A FIFO named dumpinfo.txt is reported and skipped, never opened for a
# blocking read: from the ESP root and from the dump's own directory.
mkdir -p "$tmp/fifo/POSTMORTEM/20261126-000000"
mkfifo "$tmp/fifo/POSTMORTEM/20261126-000000/dumpinfo.txt"
printf x >"$tmp/fifo/POSTMORTEM/20261126-000000/vmcore.000"
run_t fifo_nonblocking savecore "$tmp/fifo" --list
check rc_is fifo_nonblocking 0
check has fifo_nonblocking "POSTMORTEM/20261126-000000/dumpinfo.txt is not a regular file; ignored"
check has fifo_nonblocking "POSTMORTEM/20261126-000000: cut short (no dumpinfo.txt), 1 bytes in 1 part"
run_t fifo_onedir savecore "$tmp/fifo/POSTMORTEM/20261126-000000" --list
check rc_is fifo_onedir 0
check has fifo_onedir "./dumpinfo.txt is not a regular file; ignored"
# A symlink named vmcore.000 is not followed (O_NOFOLLOW; the index says it
# is not a regular file): no parts, no dump.
mkdir -p "$tmp/link/POSTMORTEM/20261127-000000"
ln -s /etc/passwd "$tmp/link/POSTMORTEM/20261127-000000/vmcore.000"
run_t symlink_part savecore "$tmp/link" --list
check rc_is symlink_part 1
check has symlink_part "no dump=fat dump here"

# Names and dumpinfo.txt text from the disk reach the terminal escaped.
esc=$(printf '\033')
mkdir -p "$tmp/esc/POSTMORTEM/x${esc}[2Jy"
printf 'postmortem-dump 1\nstatus=%s]0;owned\007\n' "$esc" >"$tmp/esc/POSTMORTEM/x${esc}[2Jy/dumpinfo.txt"
run_t names_escaped savecore "$tmp/esc" --list
check has names_escaped 'POSTMORTEM/x\x1b[2Jy: \x1b]0;owned\x07, 0 bytes in 0 parts'
check [ "$(grep -c "$esc" "$tmp/names_escaped.out")" -eq 0 ]

# ------------------------------------------------------------ kdump-compressed
# The default format: dumpinfo.txt says format=kdump; savecore saves the
# joined file as written (no /proc/vmcore shape, --compact or not) and says
# so.  Without dumpinfo.txt (cut short, --force) the signature decides and
# the saved copy says INCOMPLETE in its header.
rm -rf "$tmp/tree"
python3 "$root/tests/tools/vmcore_same.py" --make "$tmp/kcore.elf"
run kcompress compress "$tmp/kcore.elf" -o "$tmp/want.kdump"
check rc_is kcompress 0
kdump_dir() {
	mkdir -p "$tmp/tree/POSTMORTEM/$1"
	( cd "$tmp/tree/POSTMORTEM/$1" && split -b 4096 -d -a 3 "$tmp/want.kdump" vmcore. )
	n=$(ls "$tmp/tree/POSTMORTEM/$1" | grep -c '^vmcore\.')
	[ "$2" = none ] && return 0
	printf 'postmortem-dump 1\nstatus=complete\nformat=kdump\nsize=%s\nparts=%s\npart_size=4096\nsha256=%s\ncreated=%s\nrelease=\nhostname=\nhandoff=none\nwriter=test\n' \
		"$(stat -c %s "$tmp/want.kdump")" "$n" "$(sha256sum "$tmp/want.kdump" | cut -d' ' -f1)" \
		"$1" >"$tmp/tree/POSTMORTEM/$1/dumpinfo.txt"
}
kdump_dir 20261127-000000 complete
fat "$tmp/kdump.img"
run ksave savecore "$tmp/kdump.img" -o "$tmp/k.out"
check rc_is ksave 0
check has ksave "kdump-compressed, sha256 OK"
check cmp -s "$tmp/k.out" "$tmp/want.kdump"
run kdir savecore "$tmp/tree" -o "$tmp/kd.out" --compact
check rc_is kdir 0
check cmp -s "$tmp/kd.out" "$tmp/want.kdump"
run kinspect inspect "$tmp/k.out"
check rc_is kinspect 0
check hasnt kinspect "INCOMPLETE"
rm -rf "$tmp/tree"
kdump_dir 20261128-000000 none
fat "$tmp/kcut.img"
run kcut savecore "$tmp/kcut.img" -o "$tmp/kc.out"
check rc_is kcut 1
check absent "$tmp/kc.out"
run kcutforce savecore "$tmp/kcut.img" -o "$tmp/kc.out" --force
check rc_is kcutforce 3
check has kcutforce "kdump-compressed, sha256 NOT VERIFIED"
check has kcutforce "marked incomplete in its header"
run kcut_inspect inspect "$tmp/kc.out"
check has kcut_inspect "INCOMPLETE (status 0x8)"

finish savecore_fat_tool_test
