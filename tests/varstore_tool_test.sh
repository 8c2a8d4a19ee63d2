#!/bin/sh
# `postmortem varstore` over real EDK2 variable stores: every OVMF_VARS*.fd
# Debian's ovmf package ships (empty, and with Microsoft or snakeoil keys
# enrolled), and a private copy OVMF itself writes into on a real first
# boot in QEMU (up to GRUB on build/postmortem.iso).  What the tool lists
# is compared with a small independent reader written here in Python;
# --get, --u64 and --all are checked on known variables; damaged files,
# a code volume and bad usage must be refused with the documented exit
# codes (tools/varstorecmd.h, docs/varstore.md).
#   tests/varstore_tool_test.sh build/postmortem
# Ends with "varstore_tool_test: N passed, N failed"; exits 1 on a failure.
#   PM_KVM=1 and a usable /dev/kvm: boot with KVM (else TCG, up to 120 s)
#   PM_SKIP_QEMU=1: leave the boot out (and say so)
tool=${1:?usage: varstore_tool_test.sh TOOL}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
qpid=
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0
OVMF=/usr/share/OVMF
GLOBAL=8be4df61-93ca-11d2-aa0d-00e098032b8c

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
rc_is() { [ "$(cat "$tmp/$1.rc")" -eq "$2" ] || { cat "$tmp/$1.out" "$tmp/$1.err"; false; }; }
has() { grep -qF -- "$2" "$tmp/$1.out" || { echo "--- $1.out:"; cat "$tmp/$1.out"; false; }; }
err_has() { grep -qF -- "$2" "$tmp/$1.err" || { echo "--- $1.err:"; cat "$tmp/$1.err"; false; }; }
# lists NAME VAR: the listing shows a live variable VAR under the global GUID
lists() { grep -qE "^  $2 +$GLOBAL " "$tmp/$1.out" || { echo "--- $1.out lacks $2"; false; }; }

for cmd in python3 qemu-system-x86_64 cmp; do
	if ! command -v $cmd >/dev/null 2>&1; then
		echo "varstore_tool_test: $cmd missing (scripts/setup.sh installs it)"
		echo "varstore_tool_test: 0 passed, 1 failed"
		exit 1
	fi
done

# An independent reader: live variables as "NAME GUID" lines, sorted.  It
# knows only the layout (FV HeaderLength at 0x30, store Signature and Size,
# 32- or 60-byte headers, 4-byte alignment) and the state rule: 0x3f is
# live, 0x3e only without a 0x3f copy of the same name and GUID.
cat >"$tmp/ref.py" <<'EOF'
import struct, sys, uuid
d = open(sys.argv[1], "rb").read()
hl = struct.unpack_from("<H", d, 0x30)[0]
auth = uuid.UUID(bytes_le=d[hl:hl + 16]) == uuid.UUID("aaf32c78-947b-439a-a180-2e144ec37792")
size = struct.unpack_from("<I", d, hl + 0x10)[0]
off, end, hs = (hl + 28 + 3) & ~3, hl + size, 60 if auth else 32
seen = []
while off + hs <= end and struct.unpack_from("<H", d, off)[0] == 0x55AA:
    state = d[off + 2]
    ns, ds = struct.unpack_from("<II", d, off + (0x24 if auth else 8))
    g = uuid.UUID(bytes_le=d[off + hs - 16:off + hs])
    if state == 0xFF or 0xFFFFFFFF in (ns, ds):
        ns = ds = 0
    name = d[off + hs:off + hs + ns].decode("utf-16-le", "replace").split("\0")[0]
    if ns:
        seen.append((state, name, str(g)))
    off = (off + hs + ns + ds + 3) & ~3
added = {(n, g) for s, n, g in seen if s == 0x3F}
live = [(n, g) for s, n, g in seen if s == 0x3F or (s == 0x3E and (n, g) not in added)]
for n, g in sorted(live):
    print(n, g)
EOF

# same_as_ref NAME FILE: the tool's listing NAME names the reference's live variables
same_as_ref() {
	python3 "$tmp/ref.py" "$2" >"$tmp/$1.ref" &&
	python3 -c 'import re, sys
rows = []
for line in open(sys.argv[1]):
    m = re.match(r"^  (.*?) +([0-9a-f-]{36})  ", line)
    if m and m.group(1) != "NAME":
        rows.append("%s %s" % (m.group(1), m.group(2)))
sys.stdout.write("".join(r + "\n" for r in sorted(rows)))' "$tmp/$1.out" >"$tmp/$1.tool" &&
	cmp -s "$tmp/$1.ref" "$tmp/$1.tool" || { diff "$tmp/$1.ref" "$tmp/$1.tool"; false; }
}

# ------------------------------------------------------------ Debian's stores
n=0
for f in "$OVMF"/OVMF_VARS*.fd; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	run deb$n varstore "$f"
	check rc_is deb$n 0
	check has deb$n "$f: EDK2 variable store (authenticated variable headers)"
	check same_as_ref deb$n "$f"
done
check [ "$n" -ge 2 ]			# OVMF_VARS.fd and OVMF_VARS_4M.fd at least
run empty varstore "$OVMF/OVMF_VARS_4M.fd"
check has empty "firmware volume 0x84000 bytes, store 0x3ffb8 bytes at 0x48, 0 live variables in 0 headers"
run small varstore "$OVMF/OVMF_VARS.fd"
check has small "firmware volume 0x20000 bytes, store 0xdfb8 bytes at 0x48, 0 live variables in 0 headers"
if [ -f "$OVMF/OVMF_VARS_4M.ms.fd" ]; then
	run ms varstore "$OVMF/OVMF_VARS_4M.ms.fd"
	check rc_is ms 0
	check lists ms PK
	check lists ms KEK
	check grep -qE "^  db +d719b2cb-3d3a-4596-a3bc-dad00e67656f  NV\|BS\|RT\|AT .*\(image security\)" \
		"$tmp/ms.out"
	run ms_all varstore "$OVMF/OVMF_VARS_4M.ms.fd" --all
	check has ms_all "0x3c deleted"
	check has ms_all "0x3f added"
	# SecureBootEnable is one byte, 1.
	run sbe varstore "$OVMF/OVMF_VARS_4M.ms.fd" --get SecureBootEnable \
		--guid F0A30BC7-AF08-4556-99C4-001009C93A44
	check rc_is sbe 0
	check has sbe "00000000  01"
	run pk_u64 varstore "$OVMF/OVMF_VARS_4M.ms.fd" --get PK --u64
	check rc_is pk_u64 1
	check err_has pk_u64 "PK holds "
fi

# ------------------------------------------------------------ refusals, usage
head -c 4096 "$OVMF/OVMF_VARS_4M.fd" >"$tmp/cut.fd"
run cut varstore "$tmp/cut.fd"
check rc_is cut 1
check err_has cut "not a valid variable store: FvLength is larger than the file: the file is cut short"
cp "$OVMF/OVMF_VARS_4M.fd" "$tmp/flip.fd"
printf '\001' | dd of="$tmp/flip.fd" bs=1 seek=$((0x33)) conv=notrunc status=none
run flip varstore "$tmp/flip.fd"
check rc_is flip 1
check err_has flip "16-bit sum is not zero (at offset 0x32)"
run code varstore "$OVMF/OVMF_CODE_4M.fd"
check rc_is code 1
check err_has code "FileSystemGuid is not EFI_SYSTEM_NV_DATA_FV_GUID"
run missing varstore "$tmp/nonexistent.fd"
check rc_is missing 1
run nofile varstore
check rc_is nofile 2
run u64_alone varstore "$OVMF/OVMF_VARS_4M.fd" --u64
check rc_is u64_alone 2
run two_files varstore "$OVMF/OVMF_VARS_4M.fd" "$OVMF/OVMF_VARS.fd"
check rc_is two_files 2
run badguid varstore "$OVMF/OVMF_VARS_4M.fd" --get X --guid 1234
check rc_is badguid 2
# Option spellings: "--opt=VALUE" as well as "--opt VALUE"; "--" before
# FILE; an unknown option, a missing value, a shortened name are named
# before the usage.
run eq_guid varstore --get=X --guid=1234 -- "$OVMF/OVMF_VARS_4M.fd"
check rc_is eq_guid 2
check err_has eq_guid "'1234' is not a GUID"
run eq_get varstore "$OVMF/OVMF_VARS_4M.fd" --get=NoSuchVariable
check rc_is eq_get 1
check err_has eq_get "no live variable NoSuchVariable under 8be4df61-93ca-11d2-aa0d-00e098032b8c"
run badopt varstore "$OVMF/OVMF_VARS_4M.fd" --frob
check rc_is badopt 2
check err_has badopt "varstore: unknown option '--frob'"
check err_has badopt "usage: postmortem varstore FILE"
run badshort varstore "$OVMF/OVMF_VARS_4M.fd" -x
check rc_is badshort 2
check err_has badshort "varstore: unknown option '-x'"
run noval varstore "$OVMF/OVMF_VARS_4M.fd" --get
check rc_is noval 2
check err_has noval "varstore: --get needs a value"
run prefix varstore "$OVMF/OVMF_VARS_4M.fd" --al
check rc_is prefix 2
check err_has prefix "varstore: unknown option '--al'"
run help varstore --help
check rc_is help 0
check has help "usage: postmortem varstore FILE"

# ------------------------------------------------------------ a real first boot
# OVMF boots the ISO from a private copy of the empty store, writing its
# boot options and console variables; QEMU is stopped once GRUB's menu is
# on the serial line (the default entry would go on to dump memory).
iso=$root/build/postmortem.iso
vars=$tmp/OVMF_VARS_4M.fd
cp "$OVMF/OVMF_VARS_4M.fd" "$vars"
before=$(sha256sum <"$OVMF/OVMF_VARS_4M.fd")
accel=tcg
limit=120
if [ "${PM_KVM:-0}" = 1 ] && [ -w /dev/kvm ]; then
	accel=kvm
	limit=60
fi
if [ "${PM_SKIP_QEMU:-0}" = 1 ]; then
	echo "varstore_tool_test: the first boot in QEMU is skipped (PM_SKIP_QEMU=1)"
elif [ ! -f "$iso" ]; then
	echo "FAIL: $iso missing (make build/postmortem.iso)"
	fail=$((fail + 1))
else
	: >"$tmp/serial.log"
	timeout $((limit + 30)) qemu-system-x86_64 -accel $accel -machine q35 -m 256 -nographic \
		-no-reboot -drive if=pflash,format=raw,unit=0,readonly=on,file="$OVMF/OVMF_CODE_4M.fd" \
		-drive if=pflash,format=raw,unit=1,file="$vars" \
		-drive file="$iso",format=raw,media=cdrom </dev/null >"$tmp/serial.log" 2>&1 &
	qpid=$!
	t=0
	while [ $t -lt $limit ] && ! grep -aq "GNU GRUB" "$tmp/serial.log"; do
		kill -0 "$qpid" 2>/dev/null || break
		sleep 1
		t=$((t + 1))
	done
	sleep 2			# let GRUB draw its menu; the variables are written before it starts
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	qpid=
	if ! grep -aq "GNU GRUB" "$tmp/serial.log"; then
		echo "FAIL: no GRUB on the serial line within ${limit}s ($accel); last lines:"
		tail -c 2000 "$tmp/serial.log" | tr -d '\033' | tail -n 10
		fail=$((fail + 1))
	else
		echo "OVMF reached GRUB after ${t}s ($accel)"
		pass=$((pass + 1))
	fi
	check [ "$(sha256sum <"$OVMF/OVMF_VARS_4M.fd")" = "$before" ]
	run boot varstore "$vars"
	check rc_is boot 0
	check same_as_ref boot "$vars"
	for v in BootOrder Boot0000 Boot0001 Timeout Lang PlatformLang ConIn ConOut ErrOut \
		Key0000 Key0001; do
		check lists boot $v
	done
	check grep -qE "^  MTC +eb704011-1402-11d3-8e77-00a0c969723b  NV\|BS\|RT " "$tmp/boot.out"
	check grep -qE "^  MemoryTypeInformation +4c19049f-4137-4dd3-9c10-8b97a83ffdfa  NV\|BS " \
		"$tmp/boot.out"
	check grep -qE "^  BootOrder +$GLOBAL  NV\|BS\|RT " "$tmp/boot.out"
	run lang varstore "$vars" --get Lang
	check rc_is lang 0
	check has lang "|eng.|"
	run plang varstore "$vars" --get PlatformLang --guid $GLOBAL
	check rc_is plang 0
	check has plang "|en.|"
	# BootOrder: UINT16 numbers, each naming a Boot#### that is listed.
	run order varstore "$vars" --get BootOrder
	check rc_is order 0
	for num in $(python3 -c 'import re, sys
b = bytes(int(x, 16) for l in open(sys.argv[1]) for x in re.findall(r" ([0-9a-f]{2})", l.split("|")[0][9:]))
print(" ".join("%04X" % (b[i] | b[i + 1] << 8) for i in range(0, len(b), 2)))' "$tmp/order.out"); do
		check lists boot "Boot$num"
	done
	run timeout_u64 varstore "$vars" --get Timeout --u64
	check rc_is timeout_u64 1
	check err_has timeout_u64 "Timeout holds 2 bytes, not the 8 of a UINT64"
	# Nothing has asked for capsule processing: OsIndications is not there.
	run osind varstore "$vars" --get OsIndications --u64
	check rc_is osind 1
	check err_has osind "no live variable OsIndications under $GLOBAL"
	# The firmware rewrote the console variables: --all shows the deleted copies.
	run boot_all varstore "$vars" --all
	check has boot_all "0x3c deleted"
fi

echo "varstore_tool_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
