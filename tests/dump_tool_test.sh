#!/bin/sh
# `postmortem recv` and `postmortem inspect` over captures made by
# tests/tools/mkstream.c (build/host/mkstream, linked with formats/elfcore.c and
# payload/frame.c, as the kernel's serial dump uses them): a clean capture
# with console text rebuilds the identical file, which readelf (and gdb,
# when installed) accept and inspect reads; then damage -- a corrupted
# payload byte, a corrupted header, a dropped frame, a truncated capture,
# a sender that gave up, a digest mismatch under good CRCs -- must give
# exit 1, name the exact missing byte ranges, and leave the partial file
# (missing bytes zero, e_flags incomplete) with VMCORE.incomplete beside it.
# Encrypted captures (docs/encryption.md, with openssl and build/host/dumpgen):
# recv --key, recv without --key and savecore --key on the saved stream.
#   tests/dump_tool_test.sh build/postmortem
# Ends with "dump_tool_test: N passed, N failed"; exits 1 on a failure.
tool=${1:?usage: dump_tool_test.sh TOOL}
case $tool in /*) ;; *) tool=$(pwd)/$tool ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() {
	if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*"; fi
}

# run NAME ARGS...: stdout in $tmp/NAME.out, stderr in $tmp/NAME.err, exit code in $tmp/NAME.rc
run() {
	name=$1
	shift
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}
rc_is() { [ "$(cat "$tmp/$1.rc")" -eq "$2" ]; }
has() { grep -qF -- "$2" "$tmp/$1.out"; }
err_has() { grep -qF -- "$2" "$tmp/$1.err"; }
empty() { [ ! -s "$tmp/$1" ]; }

# ---------------------------------------------------------------- generator
mkstream=$root/build/host/mkstream	# make unit builds it, against the pure library
if [ ! -x "$mkstream" ]; then
	echo "dump_tool_test: $mkstream missing (make unit builds it)"
	echo "dump_tool_test: 0 passed, 1 failed"
	exit 1
fi
gen() { "$mkstream" "$@" >/dev/null; }

# Only the listed ranges of OUT may differ from ORIG, and there OUT is zero;
# e_flags may carry the incomplete bit.  same_outside ORIG OUT SIDECAR
same_outside() {
	python3 - "$1" "$2" "$3" <<'EOF'
import re, sys
a = open(sys.argv[1], "rb").read(); b = bytearray(open(sys.argv[2], "rb").read())
if len(a) != len(b): sys.exit("sizes differ: %d %d" % (len(a), len(b)))
miss = [(int(x, 16), int(y, 16) + 1) for x, y in
        re.findall(r"^missing 0x([0-9a-f]+)-0x([0-9a-f]+)", open(sys.argv[3]).read(), re.M)]
if not miss: sys.exit("no missing ranges listed")
for lo, hi in miss:
    if any(b[lo:hi]): sys.exit("missing range 0x%x-0x%x not zero" % (lo, hi))
    b[lo:hi] = a[lo:hi]
b[0x30] &= ~1
if bytes(b) != a:
    i = next(i for i in range(len(a)) if a[i] != b[i])
    sys.exit("differs outside the listed ranges at 0x%x" % i)
EOF
}

# A decrypted dump with chunks not kept: OUT is ORIG's first bytes, zero in
# every plaintext range SIDECAR lists as "left zero", ORIG elsewhere (e_flags
# may carry the incomplete bit).  enc_same ORIG OUT SIDECAR
enc_same() {
	python3 - "$1" "$2" "$3" <<'EOF'
import re, sys
a = open(sys.argv[1], "rb").read(); b = bytearray(open(sys.argv[2], "rb").read())
if len(b) > len(a): sys.exit("longer than the original: %d %d" % (len(b), len(a)))
a = a[:len(b)]
zero = [(int(x, 16), int(y, 16) + 1) for x, y in re.findall(
    r"plaintext 0x([0-9a-f]+)-0x([0-9a-f]+) \(\d+ bytes\) left zero", open(sys.argv[3]).read())]
for lo, hi in zero:
    if hi > len(b): sys.exit("range 0x%x-0x%x past the end" % (lo, hi))
    if any(b[lo:hi]): sys.exit("range 0x%x-0x%x not zero" % (lo, hi))
    b[lo:hi] = a[lo:hi]
if len(b) > 0x30: b[0x30] &= ~1
if bytes(b) != a:
    i = next(i for i in range(len(a)) if a[i] != b[i])
    sys.exit("differs outside the listed ranges at 0x%x" % i)
EOF
}

# Rewrite one DATA frame's payload byte and fix both CRCs: a digest mismatch
# that no frame check can see.  forge_data CAPTURE SEQ
forge_data() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys, zlib
p, want = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); m = b"\xa5PMFRM\x5a\x0f"; i = b.find(m)
while i >= 0:
    ver, typ, ln, seq = struct.unpack_from("<BBHI", b, i + 8)
    if seq == want and typ == 2:
        b[i + 40] ^= 0xff
        struct.pack_into("<I", b, i + 32, zlib.crc32(bytes(b[i + 40:i + 40 + ln])))
        struct.pack_into("<I", b, i + 36, zlib.crc32(bytes(b[i:i + 36])))
        open(p, "wb").write(b); sys.exit(0)
    i = b.find(m, i + 1)
sys.exit("frame not found")
EOF
}

# ------------------------------------------------------------ a clean dump
gen "$tmp/orig.elf" "$tmp/clean.cap" --text
run clean "$tool" recv --compact "$tmp/clean.cap" -o "$tmp/clean.elf"
check rc_is clean 0
check cmp -s "$tmp/orig.elf" "$tmp/clean.elf"
check has clean "0 bad headers, 0 bad payloads, 0 cut off"
check has clean "TRAILER: seen: "
check has clean "frames: 178 expected, 0 missing"
check has clean "sha256 OK "
check has clean "wrote $tmp/clean.elf: $(stat -c %s "$tmp/orig.elf") bytes, complete, sha256 OK"
check grep -q "console text and other bytes: [1-9]" "$tmp/clean.out"
check empty clean.err
check [ ! -e "$tmp/clean.elf.incomplete" ]
# Without --compact: the /proc/vmcore shape, the same memory.
run whole "$tool" recv "$tmp/clean.cap" -o "$tmp/whole.elf"
check rc_is whole 0
check python3 "$root/tests/tools/vmcore_same.py" "$tmp/orig.elf" "$tmp/whole.elf" --whole
check sh -c "readelf -lW '$tmp/clean.elf' >'$tmp/readelf.out' 2>&1"
check sh -c "! grep -qi 'warning\|error' '$tmp/readelf.out'"
check [ "$(grep -c ' LOAD ' "$tmp/readelf.out")" -eq 6 ]
check grep -q "NOTE  *0x001000 " "$tmp/readelf.out"
check sh -c "readelf -nW '$tmp/clean.elf' | grep -q 'CORE .*NT_PRSTATUS'"
if command -v gdb >/dev/null 2>&1; then
	run gdb gdb -batch -ex "core-file $tmp/clean.elf" -ex "x/s 0xffff888000123456" \
		-ex "x/2xg 0xffff888000130000"
	check has gdb "0xffff888000123456:	\"PMPLANT@0000000000123456\""
	check has gdb "0x0000000000000000	0x0000000000000000"
	check has gdb "0xffffffff81234567"
else
	echo "dump_tool_test: gdb not installed: its checks not run"
fi
# A stale sidecar goes once the file is whole; --quiet says nothing.
echo stale >"$tmp/clean.elf.incomplete"
run quiet "$tool" recv --compact --quiet "$tmp/clean.cap" -o "$tmp/clean.elf"
check rc_is quiet 0
check empty quiet.out
check empty quiet.err
check [ ! -e "$tmp/clean.elf.incomplete" ]
# Without console text; with all-zero pages kept; a frame twice.
gen "$tmp/raw.elf" "$tmp/raw.cap"
run raw "$tool" recv --compact "$tmp/raw.cap" -o "$tmp/raw.out.elf"
check rc_is raw 0
check has raw "console text and other bytes: 0 "
check cmp -s "$tmp/raw.elf" "$tmp/raw.out.elf"
gen "$tmp/keep.elf" "$tmp/keep.cap" --keep-zero --text
run keep "$tool" recv --compact "$tmp/keep.cap" -o "$tmp/keep.out.elf"
check rc_is keep 0
check cmp -s "$tmp/keep.elf" "$tmp/keep.out.elf"
check [ "$(readelf -lW "$tmp/keep.elf" | grep -c ' LOAD ')" -eq 3 ]
gen "$tmp/dup.elf" "$tmp/dup.cap" --dup 30 --text
run dup "$tool" recv --compact "$tmp/dup.cap" -o "$tmp/dup.out.elf"
check rc_is dup 0
check has dup "1 duplicates"
check cmp -s "$tmp/dup.elf" "$tmp/dup.out.elf"

# ------------------------------------------------------------ inspect
run inspect "$tool" inspect "$tmp/clean.elf"
check rc_is inspect 0
check has inspect "7 program headers"
check has inspect '"CORE" type 1, 336 bytes (NT_PRSTATUS): pid 4242, rip 0xffffffff81234567'
check has inspect "OSRELEASE=6.1.0-mkstream"
check has inspect '"POSTMORTEM" type 1347223553, 57 bytes (postmortem):'
check has inspect "DUMP_ID=0x0123456789abcdef"
check has inspect "segments (6 PT_LOAD):"
check has inspect "0x0000000002000000 0xffff888002000000 0x2e000"
check has inspect "memory: 860997 bytes described, 230213 in the file, 630784 zero-filled"
for a in 0x100000 0x123456 0x13ff00 0x2007000; do
	printf 'PMPLANT@%016x' "$a" >"$tmp/want"
	run at "$tool" inspect "$tmp/clean.elf" --at "$a" --len 24 --raw
	check cmp -s "$tmp/want" "$tmp/at.out"
done
run hex "$tool" inspect "$tmp/clean.elf" --at 0x123456 --len 32
check has hex "0x0000000000123456  50 4d 50 4c 41 4e 54 40 30 30 30 30 30 30 30 30  |PMPLANT@00000000|"
run tail "$tool" inspect "$tmp/clean.elf" --at 0x130000 --len 16	# a zero tail
check has tail "0x0000000000130000  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
run span "$tool" inspect "$tmp/clean.elf" --at 0x137ffe --len 4 --raw	# zero tail, next segment
check rc_is span 0
check [ "$(od -An -tx1 "$tmp/span.out" | tr -d ' \n')" = "0000c0cd" ]
run hole "$tool" inspect "$tmp/clean.elf" --at 0x140000
check rc_is hole 1
check err_has hole "physical address 0x140000 is not in the dump"
run notelf "$tool" inspect "$tmp/clean.cap"
check rc_is notelf 1
check err_has notelf "not a readable x86_64 ELF core file"
run inspect_usage "$tool" inspect
check rc_is inspect_usage 2
# Option spellings: "--opt=VALUE" as well as "--opt VALUE"; "--" before
# VMCORE; an unknown option, a missing value, a second VMCORE are named
# before the usage.
printf 'PMPLANT@%016x' 0x123456 >"$tmp/want"
run at_eq "$tool" inspect --at=0x123456 --len=24 --raw -- "$tmp/clean.elf"
check rc_is at_eq 0
check cmp -s "$tmp/want" "$tmp/at_eq.out"
run inspect_bad "$tool" inspect "$tmp/clean.elf" --frob
check rc_is inspect_bad 2
check err_has inspect_bad "inspect: unknown option '--frob'"
check err_has inspect_bad "usage: postmortem inspect VMCORE"
run inspect_short "$tool" inspect "$tmp/clean.elf" -x
check rc_is inspect_short 2
check err_has inspect_short "inspect: unknown option '-x'"
run inspect_noval "$tool" inspect "$tmp/clean.elf" --at
check rc_is inspect_noval 2
check err_has inspect_noval "inspect: --at needs a value"
run inspect_two "$tool" inspect "$tmp/clean.elf" "$tmp/clean.elf"
check rc_is inspect_two 2
check err_has inspect_two "inspect: unexpected argument '$tmp/clean.elf'"
run inspect_prefix "$tool" inspect "$tmp/clean.elf" --at 0x123456 --ra
check rc_is inspect_prefix 2
check err_has inspect_prefix "inspect: unknown option '--ra'"

# ------------------------------------------------------------ damage
# A corrupted payload byte: exactly that frame's 1024 bytes are missing.
gen "$tmp/orig.elf" "$tmp/bad.cap" --text --corrupt 40
run bad "$tool" recv --compact "$tmp/bad.cap" -o "$tmp/bad.elf"
check rc_is bad 1
check has bad "1 bad payloads"
check grep -q "^missing 0x\([0-9a-f]*\)-0x\([0-9a-f]*\) (1024 bytes): frame seq 40 (DATA 0x\1-0x\2) payload CRC wrong$" "$tmp/bad.out"
check err_has bad "$tmp/bad.elf is INCOMPLETE: 1024 bytes missing in 1 ranges (zero-filled); listed in $tmp/bad.elf.incomplete"
check [ -s "$tmp/bad.elf.incomplete" ]
check grep -q "^missing .*frame seq 40" "$tmp/bad.elf.incomplete"
check same_outside "$tmp/orig.elf" "$tmp/bad.elf" "$tmp/bad.elf.incomplete"
run bad_inspect "$tool" inspect "$tmp/bad.elf"
check has bad_inspect "INCOMPLETE (e_flags 0x1)"
run bad_quiet "$tool" recv --compact -q "$tmp/bad.cap" -o "$tmp/bad2.elf"
check rc_is bad_quiet 1
check empty bad_quiet.out
check err_has bad_quiet "payload CRC wrong"

# A corrupted header byte: the frame is gone, its bytes missing, the seq too.
gen "$tmp/orig.elf" "$tmp/hdr.cap" --text --corrupt 50:20
run hdr "$tool" recv --compact "$tmp/hdr.cap" -o "$tmp/hdr.elf"
check rc_is hdr 1
check has hdr "1 bad headers"
check has hdr "frames: 178 expected, 1 missing: seq 50"
check grep -q "^missing 0x[0-9a-f]*-0x[0-9a-f]* (1024 bytes): frame seq 50 not received$" "$tmp/hdr.out"
check same_outside "$tmp/orig.elf" "$tmp/hdr.elf" "$tmp/hdr.elf.incomplete"

# Frames dropped: two in a row, and a ZERO frame (seq 37: 12 KiB of zeros).
gen "$tmp/orig.elf" "$tmp/drop.cap" --text --drop 20 --drop 21 --drop 37
run drop "$tool" recv --compact "$tmp/drop.cap" -o "$tmp/drop.elf"
check rc_is drop 1
check has drop "frames: 178 expected, 3 missing: seq 20-21, 37"
check has drop "(2048 bytes): frames seq 20-21 not received"
check has drop "missing 0xa000-0xcfff (12288 bytes): frame seq 37 not received"
check [ "$(grep -c '^missing 0x' "$tmp/drop.elf.incomplete")" -eq 2 ]
check same_outside "$tmp/orig.elf" "$tmp/drop.elf" "$tmp/drop.elf.incomplete"

# The capture ends half way: no TRAILER, the rest missing, file full size.
gen "$tmp/orig.elf" "$tmp/full.cap" --text
head -c 90000 "$tmp/full.cap" >"$tmp/cut.cap"
run cut "$tool" recv --compact "$tmp/cut.cap" -o "$tmp/cut.elf"
check rc_is cut 1
check has cut "TRAILER: not received"
check has cut "1 cut off"
check grep -q "cut off by the capture's end; the capture ends before the file does" "$tmp/cut.out"
check err_has cut "no TRAILER"
check grep -q "^TRAILER not received" "$tmp/cut.elf.incomplete"
check grep -q "^missing 0x[0-9a-f]*-0x$(printf '%x' $(($(stat -c %s "$tmp/orig.elf") - 1))) " "$tmp/cut.elf.incomplete"
check [ "$(stat -c %s "$tmp/cut.elf")" -eq "$(stat -c %s "$tmp/orig.elf")" ]
check same_outside "$tmp/orig.elf" "$tmp/cut.elf" "$tmp/cut.elf.incomplete"

# The sender gave up after 100000 bytes: TRAILER with its status.
gen "$tmp/abort.elf" "$tmp/abort.cap" --text --abort-after 100000
run abort "$tool" recv --compact "$tmp/abort.cap" -o "$tmp/abort.out.elf"
check rc_is abort 1
check has abort "status -5 (the sender gave up)"
check grep -q "^the sender stopped early: status -5" "$tmp/abort.out.elf.incomplete"
check has abort "sha256 OK "		# of the bytes that were sent

# Every CRC good but a byte changed: only the SHA-256 can tell.
cp "$tmp/full.cap" "$tmp/forged.cap"
check forge_data "$tmp/forged.cap" 60
run forged "$tool" recv --compact "$tmp/forged.cap" -o "$tmp/forged.elf"
check rc_is forged 1
check has forged "0 bad headers, 0 bad payloads"
check has forged "sha256 MISMATCH"
check err_has forged "sha256 MISMATCH"
check grep -q "^sha256 MISMATCH" "$tmp/forged.elf.incomplete"

# Two dumps in one capture: the last with a HEADER is taken unless
# --dump-id says; a dump cut off before its end comes first, as when a
# serial log is kept across crashes.
gen "$tmp/one.elf" "$tmp/one.cap" --text --id 1
gen "$tmp/two.elf" "$tmp/two.cap" --text --id 2
cat "$tmp/one.cap" "$tmp/two.cap" >"$tmp/both.cap"
run both "$tool" recv --compact "$tmp/both.cap" -o "$tmp/both.elf"
check rc_is both 0
check has both "the capture holds 2 dumps: 0x0000000000000001 (178 frames) 0x0000000000000002 (178 frames); taking 0x0000000000000002"
check cmp -s "$tmp/two.elf" "$tmp/both.elf"
run first "$tool" recv --compact "$tmp/both.cap" -o "$tmp/first.elf" --dump-id 1
check rc_is first 0
check cmp -s "$tmp/one.elf" "$tmp/first.elf"
head -c 50000 "$tmp/one.cap" | cat - "$tmp/two.cap" >"$tmp/retry.cap"
run retry "$tool" recv --compact "$tmp/retry.cap" -o "$tmp/retry.elf"
check rc_is retry 0
check cmp -s "$tmp/two.elf" "$tmp/retry.elf"
run noid "$tool" recv --compact "$tmp/both.cap" -o "$tmp/noid.elf" --dump-id 3
check rc_is noid 1
check err_has noid "no frames of that dump found"

# ------------------------------------------------------------ crash record
# BRIEF frames (the crash record: panic line, registers, log tail) come
# before the HEADER; recv prints them first, even when no dump follows.
# mkbrief TEXT ID OUT [SKIP]: BRIEF frames of TEXT for dump ID, console
# text before them, the frame with seq SKIP left out.
mkbrief() {
	python3 - "$@" <<'EOF'
import struct, sys, zlib
text, did, out = sys.argv[1].encode(), int(sys.argv[2], 0), sys.argv[3]
skip = int(sys.argv[4]) if len(sys.argv) > 4 else -1
b = b"dump: the crash record first\r\n"
for seq, off in enumerate(range(0, len(text), 1016)):
    pay = struct.pack("<II", len(text), 0) + text[off:off + 1016]
    h = b"\xa5PMFRM\x5a\x0f" + struct.pack("<BBHIQQI", 1, 5, len(pay), seq, did, off, zlib.crc32(pay))
    if seq != skip:
        b += h + struct.pack("<I", zlib.crc32(h)) + pay
open(out, "wb").write(b + b"\r\n")
EOF
}
rec='postmortem crash record, dump 0x0000000000000002
panic: sysrq triggered crash
[    2.000000] Kernel panic - not syncing: sysrq triggered crash
end of crash record
'
mkbrief "$rec" 2 "$tmp/brief.part"
cat "$tmp/brief.part" "$tmp/two.cap" >"$tmp/brief.cap"
run brief "$tool" recv --compact "$tmp/brief.cap" -o "$tmp/brief.elf"
check rc_is brief 0
check cmp -s "$tmp/two.elf" "$tmp/brief.elf"
check has brief "crash record (sent before the dump):"
check has brief "[    2.000000] Kernel panic - not syncing: sysrq triggered crash"
check [ "$(head -1 "$tmp/brief.out")" = "crash record (sent before the dump):" ]
# The record only: printed, then no dump.
run brief_only "$tool" recv --compact "$tmp/brief.part" -o "$tmp/brief_only.elf"
check rc_is brief_only 1
check has brief_only "panic: sysrq triggered crash"
check err_has brief_only "no frames of a dump found"
# Another dump's record is not this one's.
mkbrief "$rec" 1 "$tmp/brief1.part"
cat "$tmp/brief1.part" "$tmp/two.cap" >"$tmp/brief_other.cap"
run brief_other "$tool" recv --compact "$tmp/brief_other.cap" -o "$tmp/brief_other.elf"
check rc_is brief_other 0
check [ "$(grep -c "crash record" "$tmp/brief_other.out")" -eq 0 ]
# A long record with its second frame lost: the gap shown as ~, said so.
long=$(python3 -c 'print("".join("[%5d.000000] line %d\n" % (i, i) for i in range(200)), end="")')
mkbrief "$long" 2 "$tmp/brief_gap.part" 1
cat "$tmp/brief_gap.part" "$tmp/two.cap" >"$tmp/brief_gap.cap"
run brief_gap "$tool" recv --compact "$tmp/brief_gap.cap" -o "$tmp/brief_gap.elf"
check rc_is brief_gap 0
check has brief_gap "crash record (sent before the dump; incomplete: $((${#long} - 1016)) of ${#long} bytes arrived):"
check has brief_gap "[1016 bytes lost]"
check has brief_gap "[  199.000000] line 199"
# A later crash that sent only its record (dump 3) after a whole dump (2):
# its record is shown first and named, the whole dump still taken.
mkbrief "postmortem crash record, dump 0x0000000000000003
panic: a later crash
" 3 "$tmp/brief3.part"
cat "$tmp/brief.cap" "$tmp/brief3.part" >"$tmp/later.cap"
run later "$tool" recv --compact "$tmp/later.cap" -o "$tmp/later.elf"
check rc_is later 0
check has later "crash record of a later crash, dump 0x0000000000000003 (its dump never arrived; --dump-id 0x0000000000000003 takes what did):"
check has later "panic: a later crash"
check has later "panic: sysrq triggered crash"
check cmp -s "$tmp/two.elf" "$tmp/later.elf"
# Refused before anything is written (--max-size, a directory that does
# not exist): the record that arrived is still shown.
run brief_max "$tool" recv --compact --max-size 1000 "$tmp/brief.cap" -o "$tmp/brief_max.elf"
check rc_is brief_max 1
check has brief_max "panic: sysrq triggered crash"
run brief_nodir "$tool" recv --compact "$tmp/brief.cap" -o "$tmp/no/such/dir.elf"
check rc_is brief_nodir 1
check has brief_nodir "panic: sysrq triggered crash"
# -o /dev/stdout: the dump alone on stdout, the record on stderr.
"$tool" recv --compact "$tmp/brief.cap" -o /dev/stdout 2>"$tmp/stdout.err" | cat >"$tmp/stdout.elf"
check cmp -s "$tmp/two.elf" "$tmp/stdout.elf"
check grep -qF "panic: sysrq triggered crash" "$tmp/stdout.err"
# Control bytes in a record are escaped, never sent to the terminal.
mkbrief "$(printf 'x\033[2J\033]0;owned\007y\n')" 2 "$tmp/brief_esc.part"
cat "$tmp/brief_esc.part" "$tmp/two.cap" >"$tmp/brief_esc.cap"
run brief_esc "$tool" recv --compact "$tmp/brief_esc.cap" -o "$tmp/brief_esc.elf"
check has brief_esc 'x\x1b[2J\x1b]0;owned\x07y'
check [ "$(grep -c "$(printf '\033')" "$tmp/brief_esc.out")" -eq 0 ]

# ------------------------------------------------------------ kdump-compressed
# postmortem compress makes makedumpfile's format from the clean core, and
# inspect reads it back (header, pages, notes); --at refuses it.
run compress "$tool" compress "$tmp/clean.elf" -o "$tmp/clean.kdump"
check rc_is compress 0
check has compress "wrote $tmp/clean.kdump: "
check [ "$(head -c 8 "$tmp/clean.kdump")" = "KDUMP   " ]
run inspect_kdump "$tool" inspect "$tmp/clean.kdump"
check rc_is inspect_kdump 0
check has inspect_kdump "kdump-compressed (makedumpfile's format, header version 6)"
check has inspect_kdump "dump level 1, compression lzo"
check has inspect_kdump " present, "
run inspect_kdump_at "$tool" inspect "$tmp/clean.kdump" --at 0x1000 --len 16
check rc_is inspect_kdump_at 1
check err_has inspect_kdump_at "--at reads ELF cores only"
head -c 9000 "$tmp/clean.kdump" >"$tmp/cut.kdump"
run inspect_kdump_cut "$tool" inspect "$tmp/cut.kdump"
check rc_is inspect_kdump_cut 1
check err_has inspect_kdump_cut "a kdump-compressed file whose header does not hold"
run compress_level "$tool" compress "$tmp/clean.elf" -o "$tmp/clean31.kdump" -d 31
check rc_is compress_level 0
check has compress_level "not filtering ("
run compress_badlevel "$tool" compress "$tmp/clean.elf" -o "$tmp/x.kdump" -d 32
check rc_is compress_badlevel 2
check err_has compress_badlevel "-d wants a dump level from 0 to 31"
# -c: each of the kernel's compressors; every page decoded the way
# makedumpfile and crash decode its flag (tests/tools/kdump_pages.py) is
# the clean core's memory.
for c in lzo zstd zlib none; do
	run "compress_$c" "$tool" compress "$tmp/clean.elf" -o "$tmp/clean_$c.kdump" -c "$c"
	check rc_is "compress_$c" 0
	run "inspect_$c" "$tool" inspect "$tmp/clean_$c.kdump"
	check has "inspect_$c" "dump level 1, compression $c"
	run "pages_$c" python3 "$root/tests/tools/kdump_pages.py" "$tmp/clean_$c.kdump" -o "$tmp/clean_$c.elf"
	check rc_is "pages_$c" 0
	check python3 "$root/tests/tools/vmcore_same.py" "$tmp/clean.elf" "$tmp/clean_$c.elf"
done
check has compress_zstd " compressed with zstd, "
check has pages_zstd "zstd "
check has compress_none "(0 compressed with none, "
run compress_badc "$tool" compress "$tmp/clean.elf" -o "$tmp/x.kdump" -c lz4
check rc_is compress_badc 2
check err_has compress_badc "-c wants lzo|zstd|zlib|none, not 'lz4'"

# ------------------------------------------------------------ kdump-compressed over serial
# The kernel sends its kdump-compressed file with body_format 2 in the
# HEADER: recv writes it as sent (never expanded), checked against the
# TRAILER's SHA-256.  A HEADER without the field (0) leaves it to the
# file's signature.  A capture cut short: exit 1, and the partial file
# says INCOMPLETE in its own header.
gen --send "$tmp/clean.kdump" --format 2 --text "$tmp/kd.sent" "$tmp/kd.cap"
run kd_recv "$tool" recv "$tmp/kd.cap" -o "$tmp/kd.out"
check rc_is kd_recv 0
check has kd_recv "HEADER: kdump-compressed file "
check has kd_recv "complete, sha256 OK (kdump-compressed, as sent)"
check cmp -s "$tmp/kd.out" "$tmp/clean.kdump"
gen --send "$tmp/clean.kdump" "$tmp/kd0.sent" "$tmp/kd0.cap"
run kd_recv0 "$tool" recv "$tmp/kd0.cap" -o "$tmp/kd0.out"
check rc_is kd_recv0 0
check has kd_recv0 "(kdump-compressed, as sent)"
check cmp -s "$tmp/kd0.out" "$tmp/clean.kdump"
head -c $(($(stat -c %s "$tmp/kd.cap") / 2)) "$tmp/kd.cap" >"$tmp/kdcut.cap"
run kd_cut "$tool" recv "$tmp/kdcut.cap" -o "$tmp/kdcut.out"
check rc_is kd_cut 1
check err_has kd_cut "is INCOMPLETE"
check [ -e "$tmp/kdcut.out.incomplete" ]
run kd_cut_inspect "$tool" inspect "$tmp/kdcut.out"
check has kd_cut_inspect "INCOMPLETE (status 0x8)"

# ------------------------------------------------------------ encrypted over serial
# A dump=serial run under `load --encrypt-to` sends the encrypted stream
# (docs/encryption.md) with HEADER body_format 3.  The streams come from
# tests/tools/dumpgen.c --encrypt-to --stream (payload/encdump.c sealing, as
# the kernel seals), wrapped into captures by mkstream --send --format 3.
# recv --key decrypts into the usual file; without --key the stream is
# saved as received and `savecore --key` decrypts it later.  A wrong key, a
# public key, a changed header or chunk byte write nothing; a cut capture
# keeps the authenticated chunks before the cut, marked incomplete, exit 1.
dumpgen=$root/build/host/dumpgen
if command -v openssl >/dev/null 2>&1 && [ -x "$dumpgen" ]; then
	k=$tmp/k.pem
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$k" 2>/dev/null
	openssl pkey -in "$k" -pubout -out "$tmp/k.pub" 2>/dev/null
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$tmp/other.pem" 2>/dev/null
	kid=$(openssl pkey -pubin -in "$tmp/k.pub" -outform DER | sha256sum | cut -c1-64)
	# encgen NAME [dumpgen options]: $tmp/NAME.plain, $tmp/NAME.stream, $tmp/NAME.cap
	encgen() {
		n=$1
		shift
		truncate -s 8M "$tmp/$n.img"
		"$dumpgen" "$tmp/$n.img" --whole --elf "$tmp/$n.plain" --encrypt-to "$tmp/k.pub" \
			--stream "$tmp/$n.stream" "$@" >/dev/null &&
		gen --send "$tmp/$n.stream" --format 3 --text "$tmp/$n.sent" "$tmp/$n.cap" &&
		rm -f "$tmp/$n.img"
	}
	# flip FILE OFFSET: one byte changed in place
	flip() {
		python3 -c 'import sys
f = open(sys.argv[1], "r+b"); o = int(sys.argv[2]); f.seek(o); b = f.read(1); f.seek(o)
f.write(bytes([b[0] ^ 0x10]))' "$1" "$2"
	}
	# 1 MiB of memory: a 1052672-byte ELF core, 17 chunks of 65536 + 16 bytes.
	check encgen enc --load-size 1M --id 0x77
	check [ "$(stat -c %s "$tmp/enc.stream")" -eq 1057040 ]
	run enc_recv "$tool" recv "$tmp/enc.cap" -o "$tmp/enc.vmcore" --key "$k"
	check rc_is enc_recv 0
	check has enc_recv "HEADER: encrypted stream 1057040 bytes"
	check has enc_recv "encrypted (docs/encryption.md) for key $kid: ELF core inside, 65536-byte chunks"
	check has enc_recv "sha256 OK "
	check has enc_recv "decrypted with key $kid: 1052672 bytes (ELF core), every chunk authenticated, the last one final"
	check has enc_recv "wrote $tmp/enc.vmcore: 1052672 bytes, complete"
	check cmp -s "$tmp/enc.vmcore" "$tmp/enc.plain"
	check [ ! -e "$tmp/enc.vmcore.incomplete" ]
	run enc_recv_q "$tool" recv -q --compact --key="$k" "$tmp/enc.cap" -o "$tmp/enc_q.vmcore"
	check rc_is enc_recv_q 0
	check cmp -s "$tmp/enc_q.vmcore" "$tmp/enc.plain"
	check empty enc_recv_q.err
	check empty enc_recv_q.out
	# Only the TRAILER lost: every stream byte arrived and the final chunk
	# authenticates the end, so the dump is whole.
	"$mkstream" --send "$tmp/enc.stream" --format 3 --drop 1033 "$tmp/encnt.sent" "$tmp/encnt.cap" >"$tmp/encnt.gen"
	check grep -q "1034 frames" "$tmp/encnt.gen"
	run enc_notrailer "$tool" recv "$tmp/encnt.cap" -o "$tmp/encnt.vmcore" --key "$k"
	check rc_is enc_notrailer 0
	check has enc_notrailer "TRAILER: not received"
	check has enc_notrailer "the last one final (the TRAILER did not arrive: the stream vouches for its end)"
	check cmp -s "$tmp/encnt.vmcore" "$tmp/enc.plain"
	check [ ! -e "$tmp/encnt.vmcore.incomplete" ]
	"$tool" recv -q "$tmp/enc.cap" --key "$k" -o /dev/stdout 2>"$tmp/enc_stdout.err" | cat >"$tmp/enc_stdout.vmcore"
	check cmp -s "$tmp/enc_stdout.vmcore" "$tmp/enc.plain"
	# Inside, a kdump-compressed file: saved as it is.
	check encgen enckd --load-size 1M --kdump
	run enckd_recv "$tool" recv "$tmp/enckd.cap" -o "$tmp/enckd.vmcore" --key "$k"
	check rc_is enckd_recv 0
	check has enckd_recv "(kdump-compressed), every chunk authenticated"
	check cmp -s "$tmp/enckd.vmcore" "$tmp/enckd.plain"
	# Without --key: the stream as received, said in one line; savecore
	# --key and inspect take the saved stream.
	run enc_nokey "$tool" recv "$tmp/enc.cap" -o "$tmp/enc.saved"
	check rc_is enc_nokey 0
	check has enc_nokey "wrote $tmp/enc.saved: 1057040 bytes, complete, sha256 OK (encrypted stream)"
	check has enc_nokey "$tmp/enc.saved is the ENCRYPTED stream as received, for key $kid (no --key): \`postmortem savecore --key PRIVATE.pem $tmp/enc.saved -o VMCORE\` decrypts it"
	check [ "$(grep -c "ENCRYPTED stream as received" "$tmp/enc_nokey.out")" -eq 1 ]
	check cmp -s "$tmp/enc.saved" "$tmp/enc.stream"
	run enc_saved "$tool" savecore "$tmp/enc.saved" --key "$k" -o "$tmp/enc_saved.vmcore"
	check rc_is enc_saved 0
	check has enc_saved "decrypted with key $kid"
	check cmp -s "$tmp/enc_saved.vmcore" "$tmp/enc.plain"
	run enc_saved_nokey "$tool" savecore "$tmp/enc.saved" -o "$tmp/enc_saved2.vmcore"
	check rc_is enc_saved_nokey 1
	check err_has enc_saved_nokey "the dump is encrypted for key $kid: give --key PRIVATE.pem"
	check [ ! -e "$tmp/enc_saved2.vmcore" ]
	run enc_saved_inspect "$tool" inspect "$tmp/enc.saved"
	check rc_is enc_saved_inspect 0
	check has enc_saved_inspect "ENCRYPTED dump (PMENC version 1), 1057040 bytes"
	# --key on a capture in the clear: said, and not used.
	run clear_key "$tool" recv -q "$tmp/kd.cap" -o "$tmp/clear_key.out" --key "$k"
	check rc_is clear_key 0
	check err_has clear_key "the dump is not encrypted; --key is not used"
	check cmp -s "$tmp/clear_key.out" "$tmp/clean.kdump"
	# Refusals: nothing written, an existing VMCORE left as it was, no sidecar.
	echo old >"$tmp/keep.vmcore"
	run enc_wrong "$tool" recv "$tmp/enc.cap" -o "$tmp/keep.vmcore" --key "$tmp/other.pem"
	check rc_is enc_wrong 1
	check err_has enc_wrong "encrypted dump: encrypted for key $kid, this key is "
	check err_has enc_wrong "keep.vmcore: nothing written, left as it was"
	check [ "$(cat "$tmp/keep.vmcore")" = old ]
	check [ ! -e "$tmp/keep.vmcore.incomplete" ]
	run enc_pub "$tool" recv "$tmp/enc.cap" -o "$tmp/pub.vmcore" --key "$tmp/k.pub"
	check rc_is enc_pub 1
	check err_has enc_pub "--key $tmp/k.pub: a public key: decrypting needs the private key"
	check [ ! -e "$tmp/pub.vmcore" ]
	run enc_nofile "$tool" recv "$tmp/enc.cap" -o "$tmp/pub.vmcore" --key "$tmp/nosuch.pem"
	check rc_is enc_nofile 1
	check [ ! -e "$tmp/pub.vmcore" ]
	# One byte changed in the stream as sent (every frame CRC and the
	# TRAILER's SHA-256 good): header field, salt, wrapped key, header tag.
	# Nothing can be decrypted: nothing written.
	for t in "8:encrypted header: version" "72:header_tag does not verify: header damaged" \
		 "110:wrapped key damaged or not this key" "1130:header_tag does not verify"; do
		off=${t%%:*}
		cp "$tmp/enc.stream" "$tmp/tamper.stream"
		flip "$tmp/tamper.stream" "$off"
		gen --send "$tmp/tamper.stream" --format 3 "$tmp/tamper.sent" "$tmp/tamper.cap"
		run enc_tamper "$tool" recv "$tmp/tamper.cap" -o "$tmp/keep.vmcore" --key "$k"
		check rc_is enc_tamper 1
		check has enc_tamper "sha256 OK "
		check err_has enc_tamper "encrypted dump: ${t#*:}"
		check err_has enc_tamper "nothing written, left as it was"
		check [ "$(cat "$tmp/keep.vmcore")" = old ]
		check [ ! -e "$tmp/keep.vmcore.incomplete" ]
	done
	# ... in the first, a middle and the last chunk: that chunk is named and
	# dropped, every other one kept; its plaintext left zero (the last one:
	# the file ends before it), marked incomplete, exit 1.  The in-file mark
	# needs chunk 0, which holds the ELF header.
	for t in "0:4096:0x0-0xffff (65536 bytes) left zero:1052672" \
		 "8:$((4096 + 8 * 65552 + 100)):0x80000-0x8ffff (65536 bytes) left zero:1052672" \
		 "16:$((4096 + 16 * 65552 + 5)):0x100000-0x100fff (4096 bytes) not in the file, which ends at 0x100000:1048576"; do
		c=${t%%:*}; t=${t#*:}; off=${t%%:*}; t=${t#*:}; size=${t##*:}; plain=${t%:*}
		cp "$tmp/enc.stream" "$tmp/tamper.stream"
		flip "$tmp/tamper.stream" "$off"
		gen --send "$tmp/tamper.stream" --format 3 "$tmp/tamper.sent" "$tmp/tamper.cap"
		rm -f "$tmp/tamper.vmcore" "$tmp/tamper.vmcore.incomplete"
		run enc_tamper "$tool" recv "$tmp/tamper.cap" -o "$tmp/tamper.vmcore" --key "$k"
		check rc_is enc_tamper 1
		check has enc_tamper "sha256 OK "
		check has enc_tamper "encrypted stream: 16 of 17 chunks (65536 bytes of plaintext each) authenticated and kept"
		check has enc_tamper "chunk $c fails authentication (damaged), dropped: stream 0x"
		check has enc_tamper "plaintext $plain"
		check err_has enc_tamper "tamper.vmcore is INCOMPLETE: decrypting the stream chunk by chunk: 16 of 17 chunks authenticated; not kept: chunk $c (fails authentication: damaged)"
		check [ "$(stat -c %s "$tmp/tamper.vmcore")" -eq "$size" ]
		check enc_same "$tmp/enc.plain" "$tmp/tamper.vmcore" "$tmp/tamper.vmcore.incomplete"
		check grep -q "chunk $c fails authentication (damaged), dropped" "$tmp/tamper.vmcore.incomplete"
		run enc_tamper_inspect "$tool" inspect "$tmp/tamper.vmcore"
		if [ "$c" = 0 ]; then
			check [ "$(head -c 4 "$tmp/tamper.vmcore" | od -An -tx1 | tr -d ' ')" = 00000000 ]
		else
			check has enc_tamper_inspect "INCOMPLETE (e_flags 0x1)"
		fi
	done
	# Cut half way: chunks 0-7 arrived whole and verify, chunk 8 is cut.
	# The 8 chunks are kept, marked incomplete in the ELF header, with the
	# sidecar; exit 1, as for a cut capture in the clear.
	head -c $(($(stat -c %s "$tmp/enc.cap") / 2)) "$tmp/enc.cap" >"$tmp/enccut.cap"
	run enc_cut "$tool" recv "$tmp/enccut.cap" -o "$tmp/enccut.vmcore" --key "$k"
	check rc_is enc_cut 1
	check err_has enc_cut "enccut.vmcore is INCOMPLETE: decrypting the stream chunk by chunk: 8 of 17 chunks authenticated; not kept: chunks 8-16 (not received: truncated after chunk 7)"
	check err_has enc_cut "the 524288 bytes of the chunks kept are written (every one authenticated), the others' plaintext left zero or cut off, marked incomplete; listed in $tmp/enccut.vmcore.incomplete"
	check has enc_cut "chunks 8-16 not received whole: stream 0x81080-0x10210f, plaintext 0x80000-0x100fff (528384 bytes) not in the file, which ends at 0x80000 (truncated)"
	check has enc_cut "TRAILER not received"
	check [ "$(stat -c %s "$tmp/enccut.vmcore")" -eq 524288 ]
	check cmp -s -i 52 -n $((524288 - 52)) "$tmp/enccut.vmcore" "$tmp/enc.plain"
	check grep -q "^chunks 8-16 not received whole: .* (truncated)$" "$tmp/enccut.vmcore.incomplete"
	check grep -q "^# postmortem recv: .*enccut.vmcore is INCOMPLETE" "$tmp/enccut.vmcore.incomplete"
	run enc_cut_inspect "$tool" inspect "$tmp/enccut.vmcore"
	check has enc_cut_inspect "INCOMPLETE (e_flags 0x1)"
	# ... and over an existing VMCORE: to VMCORE.partial, VMCORE kept.
	run enc_cut_keep "$tool" recv -q "$tmp/enccut.cap" -o "$tmp/keep.vmcore" --key "$k"
	check rc_is enc_cut_keep 1
	check [ "$(cat "$tmp/keep.vmcore")" = old ]
	check cmp -s "$tmp/keep.vmcore.partial" "$tmp/enccut.vmcore"
	rm -f "$tmp/keep.vmcore.partial" "$tmp/keep.vmcore.incomplete"
	# The same cut without --key: the stream up to its first missing byte,
	# which savecore --key later turns into the same 8 chunks (exit 4).
	run enc_cut_nokey "$tool" recv -q "$tmp/enccut.cap" -o "$tmp/enccut.saved"
	check rc_is enc_cut_nokey 1
	check err_has enc_cut_nokey "is the ENCRYPTED stream as received, for key $kid"
	check cmp -s "$tmp/enccut.saved" "$tmp/enc.stream" -n "$(stat -c %s "$tmp/enccut.saved")"
	check [ "$(stat -c %s "$tmp/enccut.saved")" -lt 1057040 ]
	check grep -q "kept up to its first missing byte" "$tmp/enccut.saved.incomplete"
	run enc_cut_saved "$tool" savecore "$tmp/enccut.saved" --key "$k" -o "$tmp/enccut2.vmcore"
	check rc_is enc_cut_saved 4
	check err_has enc_cut_saved "truncated after chunk 7"
	check has enc_cut_saved "TRUNCATED: the stream ends early"
	check cmp -s "$tmp/enccut2.vmcore" "$tmp/enccut.vmcore"
	# Gaps in the middle of the capture (frames lost on the line): every
	# chunk that arrived whole is authenticated on its own (its index is in
	# its IV and AAD) and kept, after a gap as before it; the chunks with a
	# gap are named with their stream and plaintext ranges, their plaintext
	# left zero, the file marked incomplete.  Frame seq 4 carries stream
	# offset 4096 (seqs 1-3: the header block, its zero tail one ZERO
	# frame), so chunk i starts in seq 4 + (i * 65552) / 1024.
	# enc_lossy NAME STREAM SIZE ERR [MKSTREAM DAMAGE...]: STREAM sent with
	# that damage; recv --key exits 1 saying ERR, and NAME.vmcore is SIZE
	# bytes of the plaintext, zero where NAME.vmcore.incomplete says so.
	enc_lossy() {
		n=$1 s=$2 size=$3 e=$4
		shift 4
		gen --send "$s" --format 3 "$@" "$tmp/$n.sent" "$tmp/$n.cap"
		run "$n" "$tool" recv "$tmp/$n.cap" -o "$tmp/$n.vmcore" --key "$k"
		check rc_is "$n" 1
		check err_has "$n" "$n.vmcore is INCOMPLETE: decrypting the stream chunk by chunk: $e"
		check [ "$(stat -c %s "$tmp/$n.vmcore")" -eq "$size" ]
		check enc_same "$tmp/enc.plain" "$tmp/$n.vmcore" "$tmp/$n.vmcore.incomplete"
	}
	# A frame with a wrong CRC in chunk 4 (seq 300):
	enc_lossy enc_crc "$tmp/enc.stream" 1052672 \
		"16 of 17 chunks authenticated; not kept: chunk 4 (not received whole)" --corrupt 300
	check has enc_crc "payload CRC wrong"
	check has enc_crc "chunk 4 not received whole: stream 0x41040-0x5104f, plaintext 0x40000-0x4ffff (65536 bytes) left zero"
	# A frame dropped in chunk 5 (seq 340), console text around the frames:
	enc_lossy enc_gap "$tmp/enc.stream" 1052672 \
		"16 of 17 chunks authenticated; not kept: chunk 5 (not received whole)" --text --drop 340
	check has enc_gap "frame seq 340 not received"
	check has enc_gap "encrypted stream: 16 of 17 chunks (65536 bytes of plaintext each) authenticated and kept, 987136 bytes; the decrypted file is 1052672 bytes, marked incomplete"
	check has enc_gap "chunk 5 not received whole: stream 0x51050-0x6105f, plaintext 0x50000-0x5ffff (65536 bytes) left zero"
	check cmp -s "$tmp/enc_gap.vmcore" "$tmp/enc.plain" -i 0x60000 -n $((1052672 - 0x60000))
	check grep -q "^chunk 5 not received whole: .* left zero" "$tmp/enc_gap.vmcore.incomplete"
	check grep -q "^missing 0x" "$tmp/enc_gap.vmcore.incomplete"
	run enc_gap_inspect "$tool" inspect "$tmp/enc_gap.vmcore"
	check has enc_gap_inspect "INCOMPLETE (e_flags 0x1)"
	# Two gaps, in chunks 3 (seq 210) and 10 (seq 660):
	enc_lossy enc_gap2 "$tmp/enc.stream" 1052672 \
		"15 of 17 chunks authenticated; not kept: chunk 3 (not received whole), chunk 10 (not received whole)" \
		--drop 210 --drop 660
	check has enc_gap2 "chunk 3 not received whole: stream 0x31030-0x4103f, plaintext 0x30000-0x3ffff (65536 bytes) left zero"
	check has enc_gap2 "chunk 10 not received whole: stream 0xa10a0-0xb10af, plaintext 0xa0000-0xaffff (65536 bytes) left zero"
	check [ "$(grep -c "left zero" "$tmp/enc_gap2.vmcore.incomplete")" -eq 2 ]
	# A gap in the final chunk (seq 1031), the TRAILER received: never
	# whole; the file ends with chunk 15.
	enc_lossy enc_gapf "$tmp/enc.stream" 1048576 \
		"16 of 17 chunks authenticated; not kept: chunk 16 (not received: truncated after chunk 15)" --drop 1031
	check has enc_gapf "TRAILER: seen"
	check has enc_gapf "chunk 16 not received whole: stream 0x101100-0x10210f, plaintext 0x100000-0x100fff (4096 bytes) not in the file, which ends at 0x100000 (truncated)"
	run enc_gapf_inspect "$tool" inspect "$tmp/enc_gapf.vmcore"
	check has enc_gapf_inspect "INCOMPLETE (e_flags 0x1)"
	# ... a gap before it too (chunk 5), and the final chunk's frames but
	# its first (seqs 1029-1032) lost with the TRAILER (1033):
	enc_lossy enc_gapf2 "$tmp/enc.stream" 1048576 \
		"15 of 17 chunks authenticated; not kept: chunk 5 (not received whole), chunk 16 (not received: truncated after chunk 15)" \
		--drop 340 --drop 1029 --drop 1030 --drop 1031 --drop 1032 --drop 1033
	check has enc_gapf2 "TRAILER: not received"
	# A chunk that fails authentication after a gap (chunk 9 changed before
	# framing, so every CRC is good; chunk 5 lost): named and dropped, never
	# written; the chunks around both kept.
	cp "$tmp/enc.stream" "$tmp/encbad.stream"
	flip "$tmp/encbad.stream" $((4096 + 9 * 65552 + 100))
	enc_lossy enc_gapbad "$tmp/encbad.stream" 1052672 \
		"15 of 17 chunks authenticated; not kept: chunk 5 (not received whole), chunk 9 (fails authentication: damaged)" \
		--drop 340
	check has enc_gapbad "chunk 5 not received whole: stream 0x51050-0x6105f, plaintext 0x50000-0x5ffff (65536 bytes) left zero"
	check has enc_gapbad "chunk 9 fails authentication (damaged), dropped: stream 0x91090-0xa109f, plaintext 0x90000-0x9ffff (65536 bytes) left zero"
	check grep -q "^chunk 9 fails authentication (damaged), dropped" "$tmp/enc_gapbad.vmcore.incomplete"
	# Only a chunk with a gap, nothing else arrived whole (the header and
	# part of chunk 0): nothing to keep, nothing written.
	gen --send "$tmp/enc.stream" --format 3 --drop 10 "$tmp/encnone.sent" "$tmp/encnone.cap"
	head -c 40000 "$tmp/encnone.cap" >"$tmp/encnone2.cap"
	run enc_none "$tool" recv "$tmp/encnone2.cap" -o "$tmp/encnone.vmcore" --key "$k"
	check rc_is enc_none 1
	check err_has enc_none "encrypted dump: 0 of 17 chunks authenticated; not kept: chunks 0-16 (not received whole)"
	check [ ! -e "$tmp/encnone.vmcore" ]
	# Cut inside the stream's header: nothing decrypted, nothing written.
	head -c 2000 "$tmp/enc.cap" >"$tmp/enchdr.cap"
	run enc_hdrcut "$tool" recv "$tmp/enchdr.cap" -o "$tmp/enchdr.vmcore" --key "$k"
	check rc_is enc_hdrcut 1
	check err_has enc_hdrcut "encrypted dump: truncated inside the 4096-byte encrypted header"
	check [ ! -e "$tmp/enchdr.vmcore" ]
	check [ ! -e "$tmp/enchdr.vmcore.incomplete" ]
else
	echo "dump_tool_test: openssl or build/host/dumpgen missing: encrypted cases skipped"
fi

# ------------------------------------------------------------ usage
printf 'just console text\r\n' >"$tmp/text.cap"
run noframes "$tool" recv --compact "$tmp/text.cap" -o "$tmp/none.elf"
check rc_is noframes 1
check err_has noframes "no frames of a dump found"
check [ ! -e "$tmp/none.elf" ]
run missing "$tool" recv --compact "$tmp/nosuch.cap" -o "$tmp/x.elf"
check rc_is missing 1
check err_has missing "nosuch.cap: No such file or directory"
run noargs "$tool" recv
check rc_is noargs 2
run noout "$tool" recv --compact "$tmp/clean.cap"
check rc_is noout 2
# Option spellings: "--opt=VALUE" as well as "--opt VALUE", -q, -oFILE; "--"
# before CAPTURE; an unknown option, a missing value, a second CAPTURE are
# named before the usage.
run recv_eq "$tool" recv --compact -q --dump-id=1 --max-size=64M -o"$tmp/eq.elf" -- "$tmp/both.cap"
check rc_is recv_eq 0
check cmp -s "$tmp/one.elf" "$tmp/eq.elf"
run recv_bad "$tool" recv "$tmp/clean.cap" -o "$tmp/x.elf" --frob
check rc_is recv_bad 2
check err_has recv_bad "recv: unknown option '--frob'"
check err_has recv_bad "usage: postmortem recv CAPTURE -o VMCORE"
check [ ! -e "$tmp/x.elf" ]
run recv_short "$tool" recv "$tmp/clean.cap" -o "$tmp/x.elf" -x
check rc_is recv_short 2
check err_has recv_short "recv: unknown option '-x'"
run recv_noval "$tool" recv "$tmp/clean.cap" -o
check rc_is recv_noval 2
check err_has recv_noval "recv: -o needs a value"
run recv_noval2 "$tool" recv "$tmp/clean.cap" -o "$tmp/x.elf" --max-size
check rc_is recv_noval2 2
check err_has recv_noval2 "recv: --max-size needs a value"
run recv_two "$tool" recv "$tmp/clean.cap" "$tmp/clean.cap" -o "$tmp/x.elf"
check rc_is recv_two 2
check err_has recv_two "recv: unexpected argument '$tmp/clean.cap'"
run recv_prefix "$tool" recv "$tmp/clean.cap" -o "$tmp/x.elf" --comp
check rc_is recv_prefix 2
check err_has recv_prefix "recv: unknown option '--comp'"
check [ ! -e "$tmp/x.elf" ]
run help "$tool" recv --compact --help
check rc_is help 0
check has help "usage: postmortem recv CAPTURE -o VMCORE"
run top "$tool" --help
check has top "recv CAPTURE -o VMCORE"
check has top "inspect VMCORE"

# ------------------------------------------------------------ output files
# recv's files are safe to write as root on a hostile disk (tools/outfile.h):
# VMCORE and VMCORE.incomplete mode 0600 whatever the umask, renamed into
# place at the end, planted links never followed, a capture without frames
# leaves an existing VMCORE as it was, devices and FIFOs get the file and
# are never removed, a full filesystem is refused first.
. "$root/tests/outfile_lib.sh"
o=$tmp/out
mkdir "$o"
(umask 0; run out_mode "$tool" recv "$tmp/clean.cap" -o "$o/vmcore")
check rc_is out_mode 0
check mode_is "$o/vmcore" 600
check no_temps "$o" vmcore
(umask 0; run out_mode_incomplete "$tool" recv "$tmp/bad.cap" -o "$o/partial")
check rc_is out_mode_incomplete 1
check mode_is "$o/partial" 600
check mode_is "$o/partial.incomplete" 600
check no_temps "$o" partial
check no_temps "$o" partial.incomplete
# Not a capture: an existing good VMCORE is left as it was.
cp "$o/vmcore" "$tmp/keep.ref"
run keep_on_no_frames "$tool" recv "$tmp/text.cap" -o "$o/vmcore"
check rc_is keep_on_no_frames 1
check err_has keep_on_no_frames "nothing written, VMCORE left as it was"
check cmp -s "$o/vmcore" "$tmp/keep.ref"
check no_temps "$o" vmcore
# An incomplete dump never replaces an existing VMCORE: it goes to VMCORE.partial.
run keep_on_incomplete "$tool" recv "$tmp/bad.cap" -o "$o/vmcore"
check rc_is keep_on_incomplete 1
check err_has keep_on_incomplete "vmcore exists and is kept: the incomplete dump goes to $o/vmcore.partial"
check cmp -s "$o/vmcore" "$tmp/keep.ref"
check mode_is "$o/vmcore.partial" 600
check grep -q "vmcore.partial is INCOMPLETE" "$o/vmcore.incomplete"
rm -f "$o/vmcore.partial" "$o/vmcore.incomplete"
# Links planted at the sidecar's and the old intermediate's names are not
# followed; a link as VMCORE itself is refused.
echo victim >"$tmp/victim"
ln -s "$tmp/victim" "$o/p.vmcore.incomplete"
ln -s "$tmp/victim" "$o/p.vmcore.expand"
run planted_sidecar_link "$tool" recv "$tmp/bad.cap" -o "$o/p.vmcore"
check rc_is planted_sidecar_link 1
check [ "$(cat "$tmp/victim")" = victim ]
check [ ! -L "$o/p.vmcore.incomplete" ]		# the link itself replaced
check grep -q "frame seq 40" "$o/p.vmcore.incomplete"
run planted_expand_link "$tool" recv "$tmp/clean.cap" -o "$o/p.vmcore"
check rc_is planted_expand_link 0
check [ "$(cat "$tmp/victim")" = victim ]
check [ -L "$o/p.vmcore.expand" ]
check [ ! -e "$o/p.vmcore.incomplete" ]		# the stale sidecar of the last run
ln -s "$tmp/victim" "$o/l.vmcore"
run target_link_refused "$tool" recv "$tmp/clean.cap" -o "$o/l.vmcore"
check rc_is target_link_refused 1
check err_has target_link_refused "a symbolic link to a regular file; not followed"
check [ "$(cat "$tmp/victim")" = victim ]
# Devices and FIFOs: the finished file (compact) is copied there, never removed.
if [ "$(id -u)" = 0 ]; then
	run devnull_kept "$tool" recv "$tmp/clean.cap" -o /dev/null
	check rc_is devnull_kept 0
	check null_intact
	run devnull_incomplete_kept "$tool" recv "$tmp/bad.cap" -o /dev/null
	check rc_is devnull_incomplete_kept 1
	check err_has devnull_incomplete_kept "a device or pipe: no sidecar"
	check null_intact
	check [ ! -e /dev/null.incomplete ]
	mkfifo "$o/fifo"
	fifo_read "$o/fifo" "$tmp/fifo.got"
	run fifo_gets_bytes "$tool" recv "$tmp/clean.cap" -o "$o/fifo"
	wait $fifo_pid
	check rc_is fifo_gets_bytes 0
	check [ -p "$o/fifo" ]
	check cmp -s "$tmp/fifo.got" "$tmp/clean.elf"
	fifo_read "$o/fifo" "$tmp/fifo.bad"
	run fifo_incomplete_kept "$tool" recv "$tmp/bad.cap" -o "$o/fifo"
	wait $fifo_pid
	check rc_is fifo_incomplete_kept 1
	check [ -p "$o/fifo" ]
	check [ ! -e "$o/fifo.incomplete" ]
	# No frames: the FIFO is not even opened (no reader needed), and kept
	run fifo_no_frames timeout 600 "$tool" recv "$tmp/text.cap" -o "$o/fifo"
	check rc_is fifo_no_frames 1
	check err_has fifo_no_frames "no frames of a dump found"
	check [ -p "$o/fifo" ]
	# /dev/stdout into a pipe: the dump alone goes down it, the report to stderr
	"$tool" recv "$tmp/clean.cap" -o /dev/stdout 2>"$tmp/stdout_pipe.err" | cat >"$tmp/stdout.got"
	check cmp -s "$tmp/stdout.got" "$tmp/clean.elf"
	check err_has stdout_pipe "complete, sha256 OK"
else
	echo "SKIPPED (not counted): /dev/null and FIFO targets are tested as root"
fi
# Too little space: refused before anything is written, both numbers named.
if small_fs "$o/small" 64k; then
	run no_space "$tool" recv "$tmp/clean.cap" -o "$o/small/vmcore"
	check rc_is no_space 1
	check err_has no_space "not enough free space: the output needs"
	check err_has no_space "the filesystem has 65536 bytes (64 KiB) free"
	check [ -z "$(ls -A "$o/small")" ]
	small_fs_done "$o/small"
fi
# ------------------------------------------------------------ bounds
# Hostile captures from tests/tools/mkhostile.py; each run is under
# `timeout` so a regression fails (exit 124) instead of hanging the suite.
hostile() { python3 "$root/tests/tools/mkhostile.py" "$@"; }

# 248 bytes declaring a 2^43-byte file: refused before anything is created.
hostile bigzero "$tmp/big.cap"
run big_refused timeout 20 "$tool" recv "$tmp/big.cap" -o "$tmp/big.elf"
check rc_is big_refused 1
check err_has big_refused "declares a file of 8796093022208 bytes (its HEADER), more than the limit of 68719476736 bytes; nothing written (--max-size raises the limit)"
check [ ! -e "$tmp/big.elf" ]
check [ ! -e "$tmp/big.elf.incomplete" ]
# A later HEADER that does not decode does not hand the size over to a
# TRAILER declaring 2^43 bytes, and a DATA frame whose end wraps past 2^64
# is counted as outside the file: the output stays 64 bytes.
hostile lateheader "$tmp/late.cap"
run late_header_keeps_size timeout 20 "$tool" recv --compact "$tmp/late.cap" -o "$tmp/late.elf"
check rc_is late_header_keeps_size 1
check [ "$(stat -c %s "$tmp/late.elf")" -eq 64 ]
check has late_header_keeps_size "file: 64 bytes, 0 missing"
# A FIFO planted at the sidecar's name is replaced, never opened (no hang).
mkfifo "$tmp/fifo-side.elf.incomplete"
run sidecar_fifo_replaced timeout 20 "$tool" recv --compact "$tmp/late.cap" -o "$tmp/fifo-side.elf"
check rc_is sidecar_fifo_replaced 1
check [ -f "$tmp/fifo-side.elf.incomplete" ]
# A 64 KiB all-zero file sent as one ZERO frame: its digest is computed from
# the bookkeeping (zeros never read back); --max-size below it refuses it.
hostile bigzero "$tmp/zero64k.cap" 65536
run zero_digest timeout 20 "$tool" recv --compact "$tmp/zero64k.cap" -o "$tmp/zero64k.elf"
check rc_is zero_digest 0
check has zero_digest "sha256 OK de2f256064a0af797747c2b97505dc0b9f3df0de4f489eac731c23ae9ca9cc31"
check cmp -s "$tmp/zero64k.elf" /dev/zero -n 65536
check [ "$(stat -c %s "$tmp/zero64k.elf")" -eq 65536 ]
run max_size timeout 20 "$tool" recv --compact --max-size 32K "$tmp/zero64k.cap" -o "$tmp/zero32.elf"
check rc_is max_size 1
check err_has max_size "declares a file of 65536 bytes (its HEADER), more than the limit of 32768 bytes"
run max_size_bad "$tool" recv --max-size 12Q "$tmp/zero64k.cap" -o "$tmp/zero32.elf"
check rc_is max_size_bad 2

# 160000 one-byte DATA frames at every other offset: 160000 missing ranges
# and as many jumps; the bookkeeping is a sort, not a scan per range, and
# the lists are cut ("... and N more").  In order, then last offset first.
hostile sparse "$tmp/sparse.cap" 160000
run sparse_linear timeout 120 "$tool" recv --compact "$tmp/sparse.cap" -o "$tmp/sparse.elf"
check rc_is sparse_linear 1
check has sparse_linear "file: 320000 bytes, 160000 missing in 160000 ranges"
check has sparse_linear "missing 0x1-0x1 (1 bytes): no frame received"
check has sparse_linear "... and 159980 more missing ranges"
check [ "$(grep -c '^missing ' "$tmp/sparse_linear.out")" -eq 20 ]
check grep -qF "... and 159000 more missing ranges" "$tmp/sparse.elf.incomplete"
check [ "$(grep -c '^missing ' "$tmp/sparse.elf.incomplete")" -eq 1000 ]
hostile sparse "$tmp/reverse.cap" 160000 reverse
run sparse_reverse timeout 120 "$tool" recv --compact "$tmp/reverse.cap" -o "$tmp/reverse.elf"
check rc_is sparse_reverse 1
check has sparse_reverse "file: 320000 bytes, 160000 missing in 160000 ranges"
check has sparse_reverse "0 duplicates"

# Text from the capture reaches the terminal escaped.
hostile producer "$tmp/producer.cap"
run producer_escaped "$tool" recv --compact "$tmp/producer.cap" -o "$tmp/producer.elf"
check rc_is producer_escaped 0
check has producer_escaped 'by "\x1b[2J\x1b]0;owned\x07\x0afake line\x5c"'
check [ "$(grep -c "$(printf '\033')" "$tmp/producer_escaped.out")" -eq 0 ]

echo "dump_tool_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
