#!/bin/bash
# `postmortem load --dump-file` and `postmortem savecore --from-file` on
# real filesystems in loop devices (docs/dump-file.md), with a stand-in
# kexec: the extents the record names are checked by reading the raw
# device; build/host/dumpgen plays the crash kernel (it checks every
# marker, then writes the dump at the record's sectors); the disk outside
# the file's extents is unchanged by it.  With no disk: a forged file of
# more than 4096 segments is saved.  savecore with no IMAGE finds the file
# through the state file the load wrote ($POSTMORTEM_STATE_DIR, a temporary
# directory here); contrib/postmortem-boot saves a dump from a copy of the
# file as the boot unit does.  Refusals: a file that is not ours, a
# file or directory others could read or swap, a sparse one, one holding
# an unsaved dump, btrfs, dm-crypt (a made-up
# sysfs: real dm-crypt and dm-linear volumes are in the Linux guest,
# tests/qemu/linux_test.py bios-dumpfile-dm), and on the crash side a
# marker changed after the load.  Needs root and loop devices; what this
# machine lacks is a printed "skip" line.
#   tests/dumpfile_tool_test.sh build/postmortem
# Ends with "dumpfile_tool_test: N passed, N failed, N skipped".
tool=${1:?usage: dumpfile_tool_test.sh TOOL}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/lib.sh"
gen=$root/build/host/dumpgen
skipped=0
skip() { echo "skip $*"; skipped=$((skipped + 1)); }
done_() { echo "dumpfile_tool_test: $pass passed, $fail failed, $skipped skipped"; [ "$fail" -eq 0 ]; exit $?; }

cat >"$tmp/kexec" <<EOS
#!/bin/sh
printf '%s\n' "\$@" > "$tmp/kexec.args"
EOS
chmod +x "$tmp/kexec"
printf 'image' >"$tmp/img"
common=(--kexec="$tmp/kexec" --kernel="$tmp/img" --handoff="$tmp/h.bin")
# where load records the dump file for savecore with no IMAGE: never this machine's
export POSTMORTEM_STATE_DIR=$tmp/state

# Options that need no disk
run nosize load "${common[@]}" --size 64M
check rc_is nosize 2
check has nosize "--size is for --dump-file"
run scboth savecore "$tmp/x.img" --from-file "$tmp/x" -o "$tmp/v"
check rc_is scboth 2
run scnone savecore -o "$tmp/v"		# no IMAGE, nothing recorded
check rc_is scnone 2
check has scnone "no dump file is recorded in $tmp/state/dumpfile"
mkdir -p "$tmp/bad"
printf 'relative/path\n' >"$tmp/bad/dumpfile"
run scbad savecore -o "$tmp/v" --state-dir "$tmp/bad"
check rc_is scbad 1
check has scbad "$tmp/bad/dumpfile: ignored: not one absolute path and a newline"
printf '/x\n' >"$tmp/bad/dumpfile"
chmod 666 "$tmp/bad/dumpfile"
run scbad2 savecore -o "$tmp/v" --state-dir "$tmp/bad"
check rc_is scbad2 1
check has scbad2 "ignored: writable by group or others"

# Who may own the file and its directory (docs/dump-file.md, "Who may own
# it"): each refusal before anything is written, the file left as it was.
own=$tmp/own
mkdir -m 700 "$own"
refused() {	# NAME PATH TEXT: load --dump-file PATH refuses, saying TEXT
	run "$1" load "${common[@]}" --dump-file "$2" --size 8M
	check rc_is "$1" 1
	check has "$1" "$3"
}
touch "$own/target"
chmod 600 "$own/target"
ln -s target "$own/link"
refused own_link "$own/link" "a symbolic link: name the file itself"
ln "$own/target" "$own/second"
refused own_nlink "$own/target" "it has 2 hard links"
check [ "$(stat -c %s "$own/target")" = 0 ]
install -m 644 /dev/null "$own/open"
refused own_mode "$own/open" "mode 0644: group or others may open it"
check [ "$(stat -c %a "$own/open")" = 644 ]
install -m 620 /dev/null "$own/gw"
refused own_gw "$own/gw" "mode 0620"
mkdir "$own/pub"
chmod 777 "$own/pub"
refused own_pubdir "$own/pub/pm.dump" "is writable by others (mode 0777, no sticky bit)"
check absent "$own/pub/pm.dump"
mkdir "$own/sticky"
chmod 1777 "$own/sticky"
install -m 400 /dev/null "$own/sticky/pm.dump"
run own_sticky load "${common[@]}" --dump-file "$own/sticky/pm.dump" --size 8M
check hasnt own_sticky "writable by others"
check hasnt own_sticky "mode 0400"
check [ "$(stat -c %a "$own/sticky/pm.dump")" = 600 ]	# made 0600 when reused
run own_dir load "${common[@]}" --dump-file "$own" --size 8M
check rc_is own_dir 1
if [ "$(id -u)" = 0 ]; then
	install -m 600 /dev/null "$own/theirs"
	printf 'PMDUMPFL' | dd of="$own/theirs" bs=1 seek=512 conv=notrunc status=none
	chown 65534 "$own/theirs"
	refused own_uid "$own/theirs" "it belongs to uid 65534, not to uid 0 that loads it"
	mkdir -m 755 "$own/nobody"
	chown 65534 "$own/nobody"
	refused own_diruid "$own/nobody/pm.dump" "its directory $own/nobody belongs to uid 65534, neither root nor uid 0"
	check absent "$own/nobody/pm.dump"
else
	skip "dumpfile_tool_test: files and directories of another owner (needs root)"
fi

# More segments than the 4096 extents a load allows: a file forged with the
# smallest marker stride (64 KiB), one long extent and short ones after it
# (tests/tools/mkdumpfile.py; the file is its own disk), a dump written
# into it by dumpgen, saved and cleared by savecore --from-file.
segs=$(python3 "$root/tests/tools/mkdumpfile.py" "$tmp/many.df" "$tmp/many.rec" 512 65536 \
	$((4100 * 128 + 50)) $((3 * 128 + 5)) 128 300)
check [ "$segs" = 4108 ]
"$gen" "$tmp/many.df" --dump-file-record "$tmp/many.rec" --elf "$tmp/many.ref" --load-size 3M \
	>"$tmp/many_gen.out" 2>&1
check grep -q "fit" "$tmp/many_gen.out"
run many savecore --from-file "$tmp/many.df" -o "$tmp/many.vmcore" --compact --clear
check rc_is many 0
check has many "dump file, dump written, 4108 segments"
check has many "sha256 OK"
check has many "marked consumed"
check cmp -s "$tmp/many.vmcore" "$tmp/many.ref"
run many_again savecore --from-file "$tmp/many.df" -o "$tmp/many.vmcore2"
check rc_is many_again 1
check has many_again "consumed, 4108 segments"
rm -f "$tmp/many.df"
# A kdump-compressed dump cut short in a dump file: --force saves it with
# the file's own incomplete mark (status bit 0x8).
python3 "$root/tests/tools/mkdumpfile.py" "$tmp/cut.df" "$tmp/cut.rec" 512 65536 24576 >/dev/null
"$gen" "$tmp/cut.df" --dump-file-record "$tmp/cut.rec" --elf "$tmp/cut.ref" --load-size 2M \
	--kdump --stop body >"$tmp/cut_gen.out" 2>&1
check grep -q "stopped early" "$tmp/cut_gen.out"
run cut savecore --from-file "$tmp/cut.df" -o "$tmp/cut.vmcore"
check rc_is cut 1
run cut_force savecore --from-file "$tmp/cut.df" -o "$tmp/cut.vmcore" --force
check rc_is cut_force 3
check has cut_force "marked incomplete in its header"
run cut_inspect inspect "$tmp/cut.vmcore"
check has cut_inspect "INCOMPLETE (status 0x8)"

if [ "$(id -u)" != 0 ] || ! losetup -f >/dev/null 2>&1; then
	skip "dumpfile_tool_test: loop devices (needs root and /dev/loop-control)"
	done_
fi

loops=()
mounts=()
cleanup() {
	for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# A loop device over a new image with filesystem $1 mounted at $tmp/$2.
mkfs_loop() {
	local fs=$1 name=$2 img=$tmp/$2.img
	truncate -s 320M "$img"
	dev=$(losetup -f --show "$img") || return 1
	loops+=("$dev")
	case $fs in
	ext4) mkfs.ext4 -q -b 4096 "$dev" ;;
	xfs) mkfs.xfs -q -f "$dev" ;;
	btrfs) mkfs.btrfs -q -f "$dev" ;;
	esac >/dev/null 2>&1 || return 1
	mkdir -p "$tmp/$2"
	mount "$dev" "$tmp/$2" || return 1
	mounts+=("$tmp/$2")
}

# Every extent of the record starts with a marker of this file, read from the raw device.
markers_on_disk() {	# RECORD DEVICE
	python3 - "$1" "$2" <<'PY'
import struct, sys
rec = open(sys.argv[1], "rb").read()
head, esz, n, kind, ss = struct.unpack_from("<IIIII", rec, 0)
nonce = rec[0x28:0x38]
dev = open(sys.argv[2], "rb")
file_off = 0
for i in range(n):
    start, count = struct.unpack_from("<QQ", rec, head + i * esz)
    dev.seek(start * ss)
    m = dev.read(64)
    idx, ext = struct.unpack_from("<II", m, 0x1c)
    off, dsec = struct.unpack_from("<QQ", m, 0x28)
    if m[:8] != b"PMDFMARK" or m[8:24] != nonce or ext != i or off != file_off or dsec != start:
        sys.exit("extent %d: no marker of this file at sector %d" % (i, start))
    file_off += count * ss
PY
}

# sha256 of every sector of IMAGE outside the record's extents.
outside_sum() {	# RECORD IMAGE
	python3 - "$1" "$2" <<'PY'
import hashlib, struct, sys
rec = open(sys.argv[1], "rb").read()
head, esz, n, kind, ss = struct.unpack_from("<IIIII", rec, 0)
ext = sorted(struct.unpack_from("<QQ", rec, head + i * esz) for i in range(n))
h = hashlib.sha256()
f = open(sys.argv[2], "rb")
pos = 0
for start, count in ext + [(None, None)]:
    f.seek(pos)
    want = None if start is None else start * ss - pos
    while want is None or want > 0:
        b = f.read(1 << 20 if want is None else min(1 << 20, want))
        if not b:
            break
        h.update(b)
        if want is not None:
            want -= len(b)
    if start is not None:
        pos = (start + count) * ss
print(h.hexdigest())
PY
}

for fs in ext4 xfs; do
	if ! command -v "mkfs.$fs" >/dev/null; then
		skip "dumpfile_tool_test: $fs (mkfs.$fs missing: apt-get install ${fs/ext4/e2fsprogs}progs)"
		continue
	fi
	if ! mkfs_loop "$fs" "$fs"; then
		skip "dumpfile_tool_test: $fs (cannot make or mount it on a loop device here)"
		continue
	fi
	f=$tmp/$fs/pm.dump
	run "${fs}_load" load "${common[@]}" --dump-file "$f" --size 96M
	check rc_is "${fs}_load" 0
	check has "${fs}_load" "markers back from"
	check has "${fs}_load" "dump=file after=reboot"
	check has "${fs}_load" "is not an NVMe, virtio-blk or AHCI disk"	# a loop device
	check grep -q -- "--dump-file-record $tmp/h.bin.dumpfile" "$tmp/${fs}_load.out"
	check [ "$(cat "$tmp/state/dumpfile")" = "$(realpath "$f")" ]
	run "${fs}_show" handoff show "$tmp/h.bin"
	check has "${fs}_show" "DUMP_FILE (type 15)"
	check has "${fs}_show" "file \"$f\", 100663296 bytes"
	check [ "$(stat -c %s "$f")" = 100663296 ]
	cp "$tmp/h.bin.dumpfile" "$tmp/$fs.rec"
	umount "$tmp/$fs"			# as at a crash: the disk as the kernel sees it
	check markers_on_disk "$tmp/$fs.rec" "$dev"
	before=$(outside_sum "$tmp/$fs.rec" "$tmp/$fs.img")
	"$gen" "$dev" --dump-file-record "$tmp/$fs.rec" --elf "$tmp/$fs.ref" --load-size 3M \
		>"$tmp/${fs}_gen.out" 2>&1
	check grep -q "fit" "$tmp/${fs}_gen.out"
	check [ "$(outside_sum "$tmp/$fs.rec" "$tmp/$fs.img")" = "$before" ]
	mount "$dev" "$tmp/$fs"
	run "${fs}_busy" load "${common[@]}" --dump-file "$f"
	check rc_is "${fs}_busy" 1
	check has "${fs}_busy" "it holds a dump not yet saved"
	# contrib/postmortem-boot savecore (the boot unit) on a copy of the file
	cp "$f" "$tmp/copy.dump"
	printf 'DUMP_FILE=%s\nCRASH_DIR=%s\nSAVECORE_OPTS=--compact\n' "$tmp/copy.dump" "$tmp/crash.$fs" \
		>"$tmp/boot.conf"
	POSTMORTEM=$tool POSTMORTEM_CONFIG=$tmp/boot.conf "$root/contrib/postmortem-boot" savecore \
		>"$tmp/${fs}_boot.out" 2>&1
	check [ $? -eq 0 ]
	check grep -q "postmortem-boot: saved $tmp/crash.$fs/.*/vmcore" "$tmp/${fs}_boot.out"
	check cmp -s "$tmp"/crash.$fs/*/vmcore "$tmp/$fs.ref"
	check [ "$(od -An -tu4 -j528 -N4 "$tmp/copy.dump" | tr -d ' ')" = 3 ]	# consumed
	POSTMORTEM=$tool POSTMORTEM_CONFIG=$tmp/boot.conf "$root/contrib/postmortem-boot" savecore \
		>"$tmp/${fs}_boot2.out" 2>&1
	check grep -q "copy.dump: no dump in it" "$tmp/${fs}_boot2.out"
	rm -f "$tmp/copy.dump"
	# no IMAGE: the file the load recorded (read only: no --clear here)
	run "${fs}_noarg" savecore -o "$tmp/$fs.vmcore0" --compact
	check rc_is "${fs}_noarg" 0
	check has "${fs}_noarg" "savecore: the dump file $(realpath "$f") (recorded in $tmp/state/dumpfile by"
	check cmp -s "$tmp/$fs.vmcore0" "$tmp/$fs.ref"
	run "${fs}_save" savecore --from-file "$f" -o "$tmp/$fs.vmcore" --compact --clear
	check rc_is "${fs}_save" 0
	check has "${fs}_save" "sha256 OK"
	check has "${fs}_save" "marked consumed"
	check cmp -s "$tmp/$fs.vmcore" "$tmp/$fs.ref"
	run "${fs}_again" savecore --from-file "$f" -o "$tmp/$fs.vmcore2"
	check rc_is "${fs}_again" 1
	check has "${fs}_again" "saved and cleared"
	run "${fs}_status" load --status --handoff "$tmp/h.bin"
	check has "${fs}_status" "dump file: $f, 96 MiB"
	check has "${fs}_status" "state consumed"
	run "${fs}_reuse" load "${common[@]}" --dump-file "$f"	# reuse: same blocks, new nonce
	check rc_is "${fs}_reuse" 0
	check [ "$(stat -c %s "$f")" = 100663296 ]
	check bash -c "cmp -s <(tail -c +329 '$tmp/$fs.rec') <(tail -c +329 '$tmp/h.bin.dumpfile')"
	run "${fs}_dry" load "${common[@]}" --dump-file "$f" --dry-run
	check rc_is "${fs}_dry" 0
	check has "${fs}_dry" "nothing written"
	run "${fs}_list" savecore --list --state-dir "$tmp/state"
	check rc_is "${fs}_list" 1
	check has "${fs}_list" "no dump in it"
	# crash side: a marker changed after the load (a defragmenter moved the
	# extent): the check refuses, the disk is left bit for bit
	cp "$tmp/h.bin.dumpfile" "$tmp/$fs.rec2"
	umount "$tmp/$fs"
	python3 - "$tmp/$fs.rec2" "$dev" <<'PY'
import struct, sys
rec = open(sys.argv[1], "rb").read()
head, esz, n, kind, ss = struct.unpack_from("<IIIII", rec, 0)
start, count = struct.unpack_from("<QQ", rec, head + (n - 1) * esz)
with open(sys.argv[2], "r+b") as d:
    d.seek(start * ss)
    d.write(b"\0" * ss)
PY
	sum_before=$(sha256sum <"$tmp/$fs.img")
	"$gen" "$dev" --dump-file-record "$tmp/$fs.rec2" --elf "$tmp/$fs.ref2" >"$tmp/${fs}_moved.out" 2>&1
	check [ $? -eq 1 ]
	check grep -q "refused: segment .*: no marker" "$tmp/${fs}_moved.out"
	check [ "$(sha256sum <"$tmp/$fs.img")" = "$sum_before" ]
	mount "$dev" "$tmp/$fs"
	# refusals of load
	head -c 8192 /dev/urandom >"$tmp/$fs/notours"
	chmod 600 "$tmp/$fs/notours"
	cp "$tmp/$fs/notours" "$tmp/notours.orig"
	run "${fs}_notours" load "${common[@]}" --dump-file "$tmp/$fs/notours"
	check rc_is "${fs}_notours" 1
	check has "${fs}_notours" "not a postmortem dump file"
	check cmp -s "$tmp/$fs/notours" "$tmp/notours.orig"
	fallocate --punch-hole -o 32M -l 1M "$f"
	run "${fs}_sparse" load "${common[@]}" --dump-file "$f"
	check rc_is "${fs}_sparse" 1
	check has "${fs}_sparse" "it is sparse: a hole at bytes 33554432"
done

# xfs with its free space in 16 KiB holes (16 KiB files over all of it but
# 8 MiB, synced, every other one removed): a file of more extents than a
# dump file may have is refused and left empty; a smaller one of over a
# thousand extents (FIEMAP in several calls, an xfs extent btree) loads,
# dumpgen writes a dump at its sectors, the rest of the disk is unchanged,
# xfs_repair -n is clean and savecore reads the dump back.
if ! command -v mkfs.xfs >/dev/null || ! mkfs_loop xfs xfrag; then
	skip "dumpfile_tool_test: fragmented xfs (cannot make or mount it on a loop device here)"
else
	d=$tmp/xfrag
	mkdir "$d/fill"
	avail=$(df --output=avail -k "$d" | tail -n 1)
	head -c $(((avail - 8192) * 1024)) /dev/zero | split -a 5 -d -b 16k - "$d/fill/f"
	sync
	rm -f "$d"/fill/f*[13579]
	sync
	run frag_many load "${common[@]}" --dump-file "$d/big.dump" --size 96M
	check rc_is frag_many 1
	check has frag_many "extents, more than the 4096 a dump file may have (what the handoff record holds): the filesystem's free space is too fragmented"
	check has frag_many "its blocks freed again (left empty)"
	check test -e "$d/big.dump"
	check test ! -s "$d/big.dump"
	run frag load "${common[@]}" --dump-file "$d/pm.dump" --size 40M
	check rc_is frag 0
	n=$(sed -n 's/.* MiB, \([0-9]*\) extents on .*/\1/p' "$tmp/frag.out")
	check [ "${n:-0}" -gt 1024 ]
	cp "$tmp/h.bin.dumpfile" "$tmp/frag.rec"
	umount "$d"
	check markers_on_disk "$tmp/frag.rec" "$dev"
	before=$(outside_sum "$tmp/frag.rec" "$tmp/xfrag.img")
	"$gen" "$dev" --dump-file-record "$tmp/frag.rec" --elf "$tmp/frag.ref" --load-size 24M \
		>"$tmp/frag_gen.out" 2>&1
	check grep -q "fit" "$tmp/frag_gen.out"
	check [ "$(outside_sum "$tmp/frag.rec" "$tmp/xfrag.img")" = "$before" ]
	check sh -c "xfs_repair -n '$dev' >/dev/null 2>&1"
	mount "$dev" "$d"
	run frag_save savecore --from-file "$d/pm.dump" -o "$tmp/frag.vmcore" --compact --clear
	check rc_is frag_save 0
	check has frag_save "sha256 OK"
	check cmp -s "$tmp/frag.vmcore" "$tmp/frag.ref"
fi

# ext4 that journals file data: a journal replay could write old blocks
# over a dump (the filesystem mounted data=journal; one file's +j).
if mkfs_loop ext4 ext4j; then
	install -m 600 /dev/null "$tmp/ext4j/plusj"
	if chattr +j "$tmp/ext4j/plusj" 2>/dev/null; then
		run plusj load "${common[@]}" --dump-file "$tmp/ext4j/plusj" --size 32M
		check rc_is plusj 1
		check has plusj "ext4 journals this file's data (chattr +j)"
	else
		skip "dumpfile_tool_test: chattr +j (not permitted here; linux_test.py bios-dumpfile-dm checks it in the guest)"
	fi
	umount "$tmp/ext4j"
	if mount -o data=journal "${loops[${#loops[@]}-1]}" "$tmp/ext4j"; then
		run dataj load "${common[@]}" --dump-file "$tmp/ext4j/pm.dump" --size 32M
		check rc_is dataj 1
		check has dataj "mounted data=journal"
		check [ ! -s "$tmp/ext4j/pm.dump" ]
	else
		skip "dumpfile_tool_test: ext4 data=journal (cannot mount it so here)"
	fi
else
	skip "dumpfile_tool_test: ext4 data=journal (cannot make an ext4 loop device here)"
fi

# btrfs: copy-on-write moves blocks; NOCOW files' FIEMAP is btrfs-logical
if ! command -v mkfs.btrfs >/dev/null; then
	skip "dumpfile_tool_test: btrfs (mkfs.btrfs missing: apt-get install btrfs-progs)"
elif ! mkfs_loop btrfs btrfs; then
	skip "dumpfile_tool_test: btrfs (cannot make or mount it on a loop device here)"
else
	run btrfs load "${common[@]}" --dump-file "$tmp/btrfs/pm.dump" --size 32M
	check rc_is btrfs 1
	check has btrfs "refused: btrfs copy-on-write file"
	install -m 600 /dev/null "$tmp/btrfs/nocow"
	chattr +C "$tmp/btrfs/nocow"
	run nocow load "${common[@]}" --dump-file "$tmp/btrfs/nocow" --size 32M
	check rc_is nocow 1
	check has nocow "btrfs: even a NOCOW file's FIEMAP addresses are btrfs logical"
fi

# The device stack, from a made-up sysfs over a real ext4 file: dm-crypt
# refuses; dm linear and a partition add their offsets.  Real dm-crypt
# and dm-linear volumes (Debian's kernel and dmsetup): linux_test.py
# bios-dumpfile-dm.
if mkfs_loop ext4 stack; then
	f=$tmp/stack/pm.dump
	run stack_real load "${common[@]}" --dump-file "$f" --size 8M
	check rc_is stack_real 0
	cp "$tmp/h.bin.dumpfile" "$tmp/stack.rec"
	mm=$(printf '%d:%d' "0x$(stat -c %t "$dev")" "0x$(stat -c %T "$dev")")
	sys=$tmp/fakesys
	fake() {	# KIND: the loop device seen as a dm-crypt, dm linear or partition
		rm -rf "$sys"
		mkdir -p "$sys/dev/block" "$sys/devices/virtual/block/dm-7/dm" "$sys/devices/disk/fakedisk/queue" \
			"$sys/devices/disk/fakedisk/fakedisk1"
		echo 7:250 >"$sys/devices/disk/fakedisk/dev"
		echo 4194304 >"$sys/devices/disk/fakedisk/size"
		echo 512 >"$sys/devices/disk/fakedisk/queue/logical_block_size"
		ln -s ../../devices/disk/fakedisk "$sys/dev/block/7:250"
		case $1 in
		crypt)
			echo CRYPT-LUKS2-0123-root >"$sys/devices/virtual/block/dm-7/dm/uuid"
			echo root >"$sys/devices/virtual/block/dm-7/dm/name"
			echo "0 655360 crypt aes-xts-plain64 - 0 7:250 4096" >"$sys/devices/virtual/block/dm-7/dm/table"
			ln -s ../../devices/virtual/block/dm-7 "$sys/dev/block/$mm" ;;
		linear)
			echo LVM-abc >"$sys/devices/virtual/block/dm-7/dm/uuid"
			echo vg-root >"$sys/devices/virtual/block/dm-7/dm/name"
			printf '0 100000 linear 7:250 2048\n100000 555360 linear 7:250 300000\n' \
				>"$sys/devices/virtual/block/dm-7/dm/table"
			ln -s ../../devices/virtual/block/dm-7 "$sys/dev/block/$mm" ;;
		snapshot)
			echo LVM-abc >"$sys/devices/virtual/block/dm-7/dm/uuid"
			echo "0 655360 snapshot 7:250 7:251 P 8" >"$sys/devices/virtual/block/dm-7/dm/table"
			ln -s ../../devices/virtual/block/dm-7 "$sys/dev/block/$mm" ;;
		part)
			touch "$sys/devices/disk/fakedisk/fakedisk1/partition"
			echo 4096 >"$sys/devices/disk/fakedisk/fakedisk1/start"
			ln -s ../../devices/disk/fakedisk/fakedisk1 "$sys/dev/block/$mm" ;;
		esac
	}
	fake crypt
	run crypt load "${common[@]}" --sysfs-root "$sys" --dump-file "$f"
	check rc_is crypt 1
	check has crypt "refused: it is on dm-crypt (dm-7, root)"
	fake snapshot
	run snap load "${common[@]}" --sysfs-root "$sys" --dump-file "$f"
	check rc_is snap 1
	check has snap "a device-mapper 'snapshot' target: only linear targets (LVM) map to one disk"
	# the expected sectors: the real ones through the made-up tables
	expect() {	# KIND -> "start count" per line, merged as the tool merges
		python3 - "$tmp/stack.rec" "$1" <<'PY'
import struct, sys
rec = open(sys.argv[1], "rb").read()
head, esz, n = struct.unpack_from("<III", rec, 0)
out = []
for i in range(n):
    s, c = struct.unpack_from("<QQ", rec, head + i * esz)
    while c:
        if sys.argv[2] == "part":
            m, k = s + 4096, c
        elif s < 100000:
            k = min(c, 100000 - s); m = s + 2048
        else:
            k = c; m = s - 100000 + 300000
        if out and out[-1][0] + out[-1][1] == m:
            out[-1][1] += k
        else:
            out.append([m, k])
        s += k; c -= k
for m, k in out:
    print(m, k)
PY
	}
	records() {
		python3 - "$tmp/h.bin.dumpfile" <<'PY'
import struct, sys
rec = open(sys.argv[1], "rb").read()
head, esz, n = struct.unpack_from("<III", rec, 0)
for i in range(n):
    print(*struct.unpack_from("<QQ", rec, head + i * esz))
PY
	}
	for kind in linear part; do
		fake $kind
		run "$kind" load "${common[@]}" --sysfs-root "$sys" --dump-file "$f"
		check rc_is "$kind" 0
		check has "$kind" "markers not read back"	# the made-up disk has no /dev node
		check [ "$(records)" = "$(expect $kind)" ]
	done
else
	skip "dumpfile_tool_test: device stacks (cannot make an ext4 loop device here)"
fi

done_
