#!/bin/sh
# `postmortem fat` (formats/fat*.c, the kernel's FAT writer) judged by
# independent tools: volumes made by mkfs.fat (FAT12, FAT16, FAT32, 4096-
# byte sectors, a GPT disk's EFI system partition addressed as IMAGE:p1);
# after every write fsck.fat -n must find nothing to say and mtools must
# read back the same bytes (mtype | cmp) and list the file (mdir).  Covers
# empty, one-byte, odd-sized and many-cluster files, long names under
# /EFI/UpdateCapsule/, a nearly full volume, fragmented free space, a
# directory and FAT32's root growing into new clusters, a full FAT16 root
# directory, a full volume and an existing name (both refused with the
# image byte-identical), and our ls/cat reading what mtools wrote.
#   tests/fat_tool_test.sh build/postmortem
# Ends with "fat_tool_test: N passed, N failed"; exits 1 on a failure.
tool=${1:?usage: fat_tool_test.sh TOOL}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
export MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8

check() {
	if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*"; fi
}

# run NAME ARGS...: the tool's stdout in $tmp/NAME.out, stderr in NAME.err, exit code in NAME.rc
run() {
	name=$1
	shift
	"$tool" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}
rc_is() { [ "$(cat "$tmp/$1.rc")" -eq "$2" ] || { cat "$tmp/$1.err"; false; }; }
err_has() { grep -qF -- "$2" "$tmp/$1.err" || { echo "--- $1.err:"; cat "$tmp/$1.err"; false; }; }
out_has() { grep -qF -- "$2" "$tmp/$1.out" || { echo "--- $1.out:"; cat "$tmp/$1.out"; false; }; }
one_line() { [ "$(wc -l <"$tmp/$1.err")" -eq 1 ] || { cat "$tmp/$1.err"; false; }; }

# fsck_ok IMG: fsck.fat -n exits 0 and prints only its banner and summary line
fsck_ok() {
	fsck.fat -n "$1" >"$tmp/fsck.out" 2>&1
	rc=$?
	extra=$(grep -cvE '^fsck\.fat [0-9]|: [0-9]+ files, [0-9]+/[0-9]+ clusters$' "$tmp/fsck.out")
	[ "$rc" -eq 0 ] && [ "$extra" -eq 0 ] || { echo "--- fsck.fat -n $1 (exit $rc):"; cat "$tmp/fsck.out"; false; }
}
# same IMG PATH SRC: mtype gives SRC's bytes
same() {
	mtype -i "$1" "::$2" >"$tmp/mtype.out" 2>"$tmp/mtype.err" && cmp -s "$tmp/mtype.out" "$3" ||
		{ echo "--- mtype $2:"; cat "$tmp/mtype.err"; false; }
}
# listed IMG PATH: mdir -b of PATH's directory names it
listed() {
	mdir -b -i "$1" "::$(dirname "$2")" 2>&1 | grep -qxF "::$2" ||
		{ echo "--- mdir $(dirname "$2"):"; mdir -b -i "$1" "::$(dirname "$2")"; false; }
}
# put_ok IMG DEST SRC: put succeeds, fsck clean, mtools read it back and list it
put_ok() {
	run put fat "$1" put "$3" "$2"
	check rc_is put 0
	check fsck_ok "$1"
	check same "$1" "$2" "$3"
	check listed "$1" "$2"
}
# refused IMG NAME TEXT ARGS...: `fat ARGS` exits 1 with one line naming TEXT, IMG byte-identical
refused() {
	file=$1 name=$2 text=$3
	shift 3
	cp "$file" "$tmp/before.img"
	run "$name" fat "$@"
	check rc_is "$name" 1
	check err_has "$name" "$text"
	check one_line "$name"
	check cmp -s "$file" "$tmp/before.img"
}
# rnd FILE BYTES: random contents
rnd() { head -c "$2" /dev/urandom >"$1"; }
# free_clusters IMG: from our df; cluster_size IMG
free_bytes() { "$tool" fat "$1" df | sed -E 's/.* ([0-9]+) bytes free$/\1/'; }
cluster_size() { "$tool" fat "$1" df | sed -E 's/.*, ([0-9]+)-byte clusters.*/\1/'; }

for cmd in mkfs.fat fsck.fat mdir mtype mcopy mdel mmd sgdisk cmp truncate; do
	if ! command -v $cmd >/dev/null 2>&1; then
		echo "fat_tool_test: $cmd missing (scripts/setup.sh installs it)"
		echo "fat_tool_test: 0 passed, 1 failed"
		exit 1
	fi
done

# ------------------------------------------------------------ files of every size, each type
rnd "$tmp/one" 1
: >"$tmp/zero"
rnd "$tmp/odd" 12345
rnd "$tmp/capsule" 70001
printf 'hello\n' >"$tmp/hello"
for t in 12 16 32; do
	img=$tmp/fat$t.img
	case $t in
	12) mkfs.fat -C -F 12 -s 1 "$img" 2048 >/dev/null ;;	# > 341 clusters: entries straddle FAT sectors
	16) truncate -s 16M "$img" && mkfs.fat -F 16 "$img" >/dev/null ;;
	32) truncate -s 40M "$img" && mkfs.fat -F 32 "$img" >/dev/null ;;
	esac
	run df$t fat "$img" df
	check rc_is df$t 0
	check out_has df$t "FAT$t, 512-byte sectors"
	cs=$(cluster_size "$img")
	rnd "$tmp/multi" $((cs * 5 + 7))
	rnd "$tmp/exact" $((cs * 3))
	rnd "$tmp/big" 600000
	put_ok "$img" /zero.bin "$tmp/zero"
	put_ok "$img" /one.bin "$tmp/one"
	put_ok "$img" /ODD.DAT "$tmp/odd"
	put_ok "$img" /multi "$tmp/multi"
	put_ok "$img" /exact.bin "$tmp/exact"
	put_ok "$img" /big.bin "$tmp/big"
	put_ok "$img" "/EFI/UpdateCapsule/Postmortem Capsule Update (FAT$t).cap" "$tmp/capsule"
	put_ok "$img" "/EFI/UpdateCapsule/a name that goes on and on for well over a hundred characters, to need nine long-name entries in the set.bin" "$tmp/one"
	put_ok "$img" "/EFI/UpdateCapsule/Ünïcödé €.txt" "$tmp/hello"
	put_ok "$img" /EFI/UpdateCapsule/hello.txt "$tmp/hello"
	# Two long names with the same 8.3 basis get different "~N" tails.
	put_ok "$img" "/EFI/UpdateCapsule/Postmortem Capsule Update 2.cap" "$tmp/hello"
	check sh -c "mdir -i '$img' ::/EFI/UpdateCapsule | grep -q '^POSTMO~2 CAP'"
	# Our reader: the same bytes and names.
	run cat$t fat "$img" cat "/efi/updatecapsule/POSTMORTEM CAPSULE UPDATE (FAT$t).CAP"
	check rc_is cat$t 0
	check cmp -s "$tmp/cat$t.out" "$tmp/capsule"
	run ls$t fat "$img" ls /EFI/UpdateCapsule
	check out_has ls$t "Ünïcödé €.txt"
	check out_has ls$t "      70001 "
	# Free space as mtools counts it; ls of a file shows that file.
	check [ "$(free_bytes "$img")" = "$(mdir -i "$img" ::/ | sed -n 's/ bytes free//p' | tr -d ' ')" ]
	run lsf$t fat "$img" ls /EFI/UpdateCapsule/HELLO.TXT
	check out_has lsf$t "-          6 "
	check out_has lsf$t " hello.txt"
	run mkdir$t fat "$img" mkdir /a/b/c
	check rc_is mkdir$t 0
	check fsck_ok "$img"
	check sh -c "mdir -b -i '$img' ::/a/b | grep -qxF ::/a/b/c/"
	run mkdir2$t fat "$img" mkdir /A/B	# exists, in another case: fine, nothing written
	check rc_is mkdir2$t 0
	refused "$img" exists$t "exists" "$img" put "$tmp/odd" /odd.dat
	refused "$img" exists2$t "exists" "$img" put "$tmp/odd" /efi/updatecapsule/POSTMO~1.CAP
	refused "$img" notdir$t "not a directory" "$img" put "$tmp/odd" /one.bin/x
done

# ------------------------------------------------------------ 4096-byte sectors
img=$tmp/s4k.img
mkfs.fat -C -S 4096 -F 16 "$img" 65536 >/dev/null
put_ok "$img" /EFI/UpdateCapsule/four-k.bin "$tmp/big"
run df4k fat "$img" df
check out_has df4k "FAT16, 4096-byte sectors"

# ------------------------------------------------------------ GPT disk, ESP as :p1
disk=$tmp/disk.img
truncate -s 48M "$disk"
sgdisk -n 1:2048:+40M -t 1:C12A7328-F81F-11D2-BA4B-00A0C93EC93B -c 1:ESP "$disk" >/dev/null 2>&1
mkfs.fat -F 32 --offset 2048 "$disk" 40960 >/dev/null 2>&1
esp_ok() {		# the partition as its own file, for fsck.fat
	dd if="$disk" of="$tmp/esp.img" bs=512 skip=2048 count=81920 status=none && fsck_ok "$tmp/esp.img"
}
run gptput fat "$disk:p1" put "$tmp/capsule" "/EFI/UpdateCapsule/capsule.bin"
check rc_is gptput 0
check esp_ok
check same "$disk@@1M" /EFI/UpdateCapsule/capsule.bin "$tmp/capsule"
check listed "$disk@@1M" /EFI/UpdateCapsule/capsule.bin
run gptcat fat "$disk:p1" cat /EFI/UpdateCapsule/capsule.bin
check cmp -s "$tmp/gptcat.out" "$tmp/capsule"
refused "$disk" nopart "partition 2: no such GPT partition" "$disk:p2" ls
run whole fat "$disk" ls
check rc_is whole 1
check err_has whole "not a usable FAT volume"

# ------------------------------------------------------------ reading what mtools wrote
img=$tmp/m.img
truncate -s 16M "$img" && mkfs.fat -F 16 "$img" >/dev/null
mmd -i "$img" "::/Some Directory" "::/Some Directory/Sub dir with a long name"
mcopy -i "$img" "$tmp/odd" "::/Some Directory/Sub dir with a long name/A file written by mtools.dat"
mcopy -i "$img" "$tmp/one" "::/Some Directory/short.txt"
run mls fat "$img" ls "/some directory"
check out_has mls "Sub dir with a long name"
check out_has mls "short.txt"
run mcat fat "$img" cat "\\SOME DIRECTORY\\sub dir with a long name\\a file written by mtools.dat"
check rc_is mcat 0
check cmp -s "$tmp/mcat.out" "$tmp/odd"
run mnone fat "$img" cat "/Some Directory/nothing"
check rc_is mnone 1
check err_has mnone "no such file or directory"
check one_line mnone

# ------------------------------------------------------------ nearly full, then full
img=$tmp/full.img
truncate -s 16M "$img" && mkfs.fat -F 16 "$img" >/dev/null
cs=$(cluster_size "$img")
head -c $(($(free_bytes "$img") - 3 * cs)) /dev/zero >"$tmp/filler"
mcopy -i "$img" "$tmp/filler" ::/filler
rnd "$tmp/three" $((3 * cs - 100))
put_ok "$img" /EFI/last.bin "$tmp/one"	# two clusters: EFI and the file
check [ "$(free_bytes "$img")" -eq "$cs" ]
refused "$img" full "not enough free space" "$img" put "$tmp/three" /three.bin
refused "$img" fulldir "not enough free space" "$img" put "$tmp/one" /new/dir/x.bin
refused "$img" fullmk "not enough free space" "$img" mkdir /x/y
put_ok "$img" /fits.bin "$tmp/one"
refused "$img" full2 "not enough free space" "$img" put "$tmp/one" /more.bin
put_ok "$img" /empty.bin "$tmp/zero"	# needs no cluster

# ------------------------------------------------------------ fragmented free space
img=$tmp/frag.img
mkfs.fat -C -F 12 -s 1 "$img" 1024 >/dev/null
cs=$(cluster_size "$img")
rnd "$tmp/c1" "$cs"
i=0
while [ $i -lt 60 ]; do
	mcopy -i "$img" "$tmp/c1" "::/F$i.BIN"
	i=$((i + 1))
done
head -c $(($(free_bytes "$img"))) /dev/zero >"$tmp/rest"
mcopy -i "$img" "$tmp/rest" ::/rest
i=0
while [ $i -lt 60 ]; do
	mdel -i "$img" "::/F$i.BIN"
	i=$((i + 2))
done
check [ "$(free_bytes "$img")" -eq $((30 * cs)) ]	# 30 holes of one cluster
rnd "$tmp/frag" $((20 * cs + 11))
put_ok "$img" /fragmented.bin "$tmp/frag"
check fsck_ok "$img"

# ------------------------------------------------------------ directories that grow
img=$tmp/grow.img
truncate -s 16M "$img" && mkfs.fat -F 16 -s 1 "$img" >/dev/null	# 512-byte clusters: 16 entries
i=0
while [ $i -lt 40 ]; do
	run grow fat "$img" put "$tmp/hello" "/dir/file number $i.txt"
	[ "$(cat "$tmp/grow.rc")" -eq 0 ] || break
	i=$((i + 1))
done
check [ $i -eq 40 ]
check fsck_ok "$img"
check [ "$(mdir -b -i "$img" ::/dir | wc -l)" -eq 40 ]
check same "$img" "/dir/file number 39.txt" "$tmp/hello"
img=$tmp/grow32.img
truncate -s 40M "$img" && mkfs.fat -F 32 -s 1 "$img" >/dev/null	# FAT32's root is a chain too
i=0
while [ $i -lt 30 ]; do
	run grow32 fat "$img" put "$tmp/one" "/root file $i.bin"
	[ "$(cat "$tmp/grow32.rc")" -eq 0 ] || break
	i=$((i + 1))
done
check [ $i -eq 30 ]
check fsck_ok "$img"
check same "$img" "/root file 29.bin" "$tmp/one"

# ------------------------------------------------------------ full FAT16 root directory
img=$tmp/root.img
truncate -s 16M "$img" && mkfs.fat -F 16 -r 16 "$img" >/dev/null	# mkfs.fat makes it 64
i=0
while [ $i -lt 100 ]; do
	run root fat "$img" put "$tmp/one" "/F$i.BIN"
	[ "$(cat "$tmp/root.rc")" -eq 0 ] || break
	i=$((i + 1))
done
check [ $i -eq 64 ]
check err_has root "root directory full"
check fsck_ok "$img"
refused "$img" rootfull "root directory full" "$img" put "$tmp/one" /G.BIN
refused "$img" rootmk "root directory full" "$img" mkdir /D

# ------------------------------------------------------------ usage
run usage fat "$img"
check rc_is usage 2
run badcmd fat "$img" frob
check rc_is badcmd 2
# Options (--help alone) only before IMAGE: another is named, exit 2;
# "--" before IMAGE; after IMAGE everything is the command's.
run badopt fat --frob "$img" ls
check rc_is badopt 2
check err_has badopt "unknown option '--frob' (see --help)"
run badshort fat -x "$img" ls
check rc_is badshort 2
check err_has badshort "unknown option '-x'"
run prefix fat --he
check rc_is prefix 2
check err_has prefix "unknown option '--he'"
run dashdash fat -- "$img" df
check rc_is dashdash 0
check out_has dashdash "512-byte sectors"
run cmdopt fat "$img" --help
check rc_is cmdopt 2
check err_has cmdopt "unknown command '--help'"
run help fat --help
check rc_is help 0
check out_has help "usage: postmortem fat IMAGE[:pN] ls [PATH]"
run noimg fat "$tmp/nonexistent.img" ls
check rc_is noimg 1
check one_line noimg

echo "fat_tool_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
