#!/bin/sh
# `postmortem capsule make` and `postmortem capsule check`: a header written
# by make is read back byte by byte with Python's struct (an independent
# reader); plain, FMP and nested FMP capsules are accepted and named after
# the right GUID; a capsule cut short, two capsules in one file, bad flags,
# an empty body and the EDK2 file-name GUID are refused with exit 1 and
# the numbers the reason speaks of; bad usage exits 2 (docs/capsule.md).
#   tests/capsule_tool_test.sh build/postmortem
# Ends with "capsule_tool_test: N passed, N failed"; exits 1 on a failure.
tool=${1:?usage: capsule_tool_test.sh TOOL}
. "$(dirname "$0")/lib.sh"
FMP=6dcbd5ed-e82d-4c44-bda1-7194199ad92a
VENDOR=11223344-5566-7788-99aa-bbccddeeff00
TYPE=a1b2c3d4-0102-0304-0506-0708090a0b0c
NAMES=98c80a4f-e16b-4d11-939a-abe561260330

if ! command -v python3 >/dev/null 2>&1; then
	echo "capsule_tool_test: python3 missing (scripts/setup.sh installs it)"
	echo "capsule_tool_test: 0 passed, 1 failed"
	exit 1
fi

# An FMP capsule body: header v1, one payload with a v3 image header of type
# $TYPE, a 20-byte image and 4 bytes of vendor code.
python3 - "$tmp/fmp.body" "$TYPE" <<'EOF'
import struct, sys, uuid
img = struct.pack("<I", 3) + uuid.UUID(sys.argv[2]).bytes_le + bytes([1, 0, 0, 0])
img += struct.pack("<IIQQ", 20, 4, 0, 0) + b"\xee" * 24
open(sys.argv[1], "wb").write(struct.pack("<IHHQ", 1, 0, 1, 16) + img)
EOF
printf 'postmortem capsule test payload\n' >"$tmp/payload"

# ------------------------------------------------------------ make
run make capsule make --guid $VENDOR --flags 0x50000 -o "$tmp/plain.cap" "$tmp/payload"
check rc_is make 0
check has make "wrote $tmp/plain.cap: 60 bytes"
check python3 -c 'import struct, sys, uuid
d = open(sys.argv[1], "rb").read()
g, hs, fl, size = uuid.UUID(bytes_le=d[:16]), *struct.unpack_from("<III", d, 16)
assert str(g) == sys.argv[2] and hs == 28 and fl == 0x50000 and size == len(d) == 60, (g, hs, fl, size)
assert d[28:] == open(sys.argv[3], "rb").read()' "$tmp/plain.cap" $VENDOR "$tmp/payload"
run make_default capsule make --guid $VENDOR -o "$tmp/default.cap" "$tmp/payload"
check rc_is make_default 0
check python3 -c 'import struct, sys
assert struct.unpack_from("<I", open(sys.argv[1], "rb").read(), 20)[0] == 0x10000' "$tmp/default.cap"

# ------------------------------------------------------------ accepted
run plain capsule check "$tmp/plain.cap"
check rc_is plain 0
check has plain "  CapsuleGuid       $VENDOR"
check has plain "  HeaderSize        28"
check has plain "  Flags             0x00050000 (PERSIST_ACROSS_RESET|INITIATE_RESET)"
check has plain "  CapsuleImageSize  60 (file: 60 bytes)"
check has plain "  staged as         EFI/UpdateCapsule/postmortem-$VENDOR.cap"
check has plain "verdict: accepted"
run make_fmp capsule make --guid $FMP --flags 0x1ffff -o "$tmp/fmp.cap" "$tmp/fmp.body"
run fmp capsule check "$tmp/fmp.cap"
check rc_is fmp 0
check has fmp "  CapsuleGuid       $FMP (FMP)"
check has fmp "  Flags             0x0001ffff (GUID-defined 0xffff|PERSIST_ACROSS_RESET)"
check has fmp "  FMP               1 payload(s), 0 embedded driver(s); target $TYPE"
check has fmp "  staged as         EFI/UpdateCapsule/postmortem-$TYPE.cap"
run make_nested capsule make --guid $VENDOR -o "$tmp/nested.cap" "$tmp/fmp.cap"
run nested capsule check "$tmp/nested.cap"
check rc_is nested 0
check has nested "  FMP               nested, 1 payload(s), 0 embedded driver(s); target $VENDOR"
check has nested "postmortem-$VENDOR.cap"

# ------------------------------------------------------------ refused
head -c 50 "$tmp/plain.cap" >"$tmp/cut.cap"
run cut capsule check "$tmp/cut.cap"
check rc_is cut 1
check has cut "verdict: refused: CapsuleImageSize is larger than the file: the file is cut short (HeaderSize 28, CapsuleImageSize 60, file 50 bytes)"
head -c 20 "$tmp/plain.cap" >"$tmp/short.cap"
run short capsule check "$tmp/short.cap"
check rc_is short 1
check has short "verdict: refused: the file is shorter than an EFI_CAPSULE_HEADER (28 bytes) (file 20 bytes)"
cat "$tmp/plain.cap" "$tmp/default.cap" >"$tmp/two.cap"
run two capsule check "$tmp/two.cap"
check rc_is two 1
check has two "the file holds more than one capsule; capsule-on-disk takes one capsule per file (HeaderSize 28, CapsuleImageSize 60, file 120 bytes)"
for f in 0x40000:INITIATE_RESET 0x20000:POPULATE_SYSTEM_TABLE 0x80000:Flags; do
	run "flags${f%%:*}" capsule make --guid $VENDOR --flags "${f%%:*}" -o "$tmp/f.cap" "$tmp/payload"
	run "flagsc${f%%:*}" capsule check "$tmp/f.cap"
	check rc_is "flagsc${f%%:*}" 1
	check has "flagsc${f%%:*}" "verdict: refused: ${f#*:}"
done
run make_pop capsule make --guid $FMP --flags 0x30000 -o "$tmp/pop.cap" "$tmp/fmp.body"
run pop capsule check "$tmp/pop.cap"
check rc_is pop 1
check has pop "verdict: refused: an FMP capsule must not set POPULATE_SYSTEM_TABLE (Flags 0x00030000)"
: >"$tmp/empty"
run make_empty capsule make --guid $VENDOR -o "$tmp/empty.cap" "$tmp/empty"
check rc_is make_empty 0
run empty capsule check "$tmp/empty.cap"
check rc_is empty 1
check has empty "the capsule has no body"
run make_names capsule make --guid $NAMES -o "$tmp/names.cap" "$tmp/payload"
run names capsule check "$tmp/names.cap"
check rc_is names 1
check has names "CapsuleGuid is EDK2's capsule-on-disk file-name list"
run make_zero capsule make --guid 00000000-0000-0000-0000-000000000000 -o "$tmp/zero.cap" "$tmp/payload"
run zero capsule check "$tmp/zero.cap"
check rc_is zero 1
check has zero "verdict: refused: CapsuleGuid is all zero"
python3 -c 'import sys
d = bytearray(open(sys.argv[1], "rb").read()); d[28 + 16 + 0x18] ^= 1
open(sys.argv[2], "wb").write(d)' "$tmp/fmp.cap" "$tmp/fmpbad.cap"
run fmpbad capsule check "$tmp/fmpbad.cap"
check rc_is fmpbad 1
check has fmpbad "verdict: refused: an FMP payload's UpdateImageSize and UpdateVendorCodeSize do not fill its item (0 driver(s) + 1 payload(s); item 0)"

# ------------------------------------------------------------ usage
run missing capsule check "$tmp/nonexistent.cap"
check rc_is missing 1
run noargs capsule
check rc_is noargs 2
run badguid capsule make --guid 1234 -o "$tmp/x.cap" "$tmp/payload"
check rc_is badguid 2
run badflags capsule make --guid $VENDOR --flags 0x100000000 -o "$tmp/x.cap" "$tmp/payload"
check rc_is badflags 2
run noout capsule make --guid $VENDOR "$tmp/payload"
check rc_is noout 2
# Option spellings: "--opt=VALUE" and -oFILE make the same file as the
# spaced form; "--" before PAYLOAD or FILE; an unknown option, a missing
# value, a second PAYLOAD are named before the usage.
run make_eq capsule make --guid=$VENDOR --flags=0x50000 -o"$tmp/eq.cap" -- "$tmp/payload"
check rc_is make_eq 0
check cmp -s "$tmp/plain.cap" "$tmp/eq.cap"
run check_dash capsule check -- "$tmp/plain.cap"
check rc_is check_dash 0
run make_bad capsule make --guid $VENDOR -o "$tmp/x.cap" --frob "$tmp/payload"
check rc_is make_bad 2
check has make_bad "capsule make: unknown option '--frob'"
check has make_bad "usage: postmortem capsule check FILE"
check [ ! -e "$tmp/x.cap" ]
run make_short capsule make --guid $VENDOR -x -o "$tmp/x.cap" "$tmp/payload"
check rc_is make_short 2
check has make_short "capsule make: unknown option '-x'"
run make_noval capsule make -o "$tmp/x.cap" "$tmp/payload" --guid
check rc_is make_noval 2
check has make_noval "capsule make: --guid needs a value"
run make_noval_o capsule make --guid $VENDOR "$tmp/payload" -o
check rc_is make_noval_o 2
check has make_noval_o "capsule make: -o needs a value"
run make_two capsule make --guid $VENDOR -o "$tmp/x.cap" "$tmp/payload" "$tmp/payload"
check rc_is make_two 2
check has make_two "capsule make: unexpected argument '$tmp/payload'"
run make_prefix capsule make --gu $VENDOR -o "$tmp/x.cap" "$tmp/payload"
check rc_is make_prefix 2
check has make_prefix "capsule make: unknown option '--gu'"
check [ ! -e "$tmp/x.cap" ]
run check_bad capsule check --frob "$tmp/plain.cap"
check rc_is check_bad 2
check has check_bad "capsule check: unknown option '--frob'"
run help capsule --help
check rc_is help 0
check has help "usage: postmortem capsule check FILE"

finish capsule_tool_test
