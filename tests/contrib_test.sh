#!/bin/bash
# contrib/: postmortem-boot (what the systemd units run) with a stand-in
# postmortem that records its arguments, and `systemd-analyze verify` of the
# units in a made-up root when systemd is installed.
#   tests/contrib_test.sh build/postmortem
# Ends with "contrib_test: N passed, N failed".
pmreal=${1:?usage: contrib_test.sh TOOL}
root=$(cd "$(dirname "$0")/.." && pwd)
tool=$root/contrib/postmortem-boot
. "$(dirname "$0")/lib.sh"

# the stand-in: each call's arguments as one line in $tmp/calls; exit
# status from $tmp/rc (default 0); `savecore DISK --list` prints $tmp/list
cat >"$tmp/pm" <<EOS
#!/bin/sh
echo "\$*" >>"$tmp/calls"
case "\$*" in *--list*) cat "$tmp/list" 2>/dev/null ;; esac
exit \$(cat "$tmp/rc" 2>/dev/null || echo 0)
EOS
chmod +x "$tmp/pm"
export POSTMORTEM=$tmp/pm POSTMORTEM_CONFIG=$tmp/config
conf() {	# DUMP_FILE DUMP_DISK
	cat >"$tmp/config" <<EOS
DUMP_FILE=$1
DUMP_FILE_SIZE=96M
DUMP_DISK=$2
CRASH_DIR=$tmp/crash
LOAD_OPTS="--after=poweroff --append=dump.level=1"
SAVECORE_OPTS=
EOS
	rm -f "$tmp/calls" "$tmp/rc" "$tmp/list"
}
# a dump file head: the header at byte 512 with STATE at 0x10 (docs/dump-file.md)
mkfile() {	# PATH STATE
	python3 - "$1" "$2" <<'PY'
import struct, sys
b = bytearray(8192)
b[512:520] = b"PMDUMPFL"
struct.pack_into("<II", b, 520, 1, 512)
struct.pack_into("<I", b, 528, int(sys.argv[2]))
open(sys.argv[1], "wb").write(b)
PY
}
calls() { cat "$tmp/calls" 2>/dev/null; }

# load: the dump file's directory made, the options passed on
conf "$tmp/var/crash/pm.dump" ""
run load load
check rc_is load 0
check [ -d "$tmp/var/crash" ]
check [ "$(calls)" = "load --dump-file=$tmp/var/crash/pm.dump --size=96M --after=poweroff --append=dump.level=1" ]
sed -i 's/^DUMP_FILE_SIZE=.*/DUMP_FILE_SIZE=/' "$tmp/config"	# empty: no --size
rm -f "$tmp/calls"
run load_nosize load
check [ "$(calls)" = "load --dump-file=$tmp/var/crash/pm.dump --after=poweroff --append=dump.level=1" ]
conf "" ""
run load_disk load
check [ "$(calls)" = "load --after=poweroff --append=dump.level=1" ]
echo 1 >"$tmp/rc"
run load_fail load
check rc_is load_fail 1

# savecore: only a file in state 2 (dump written) is saved
conf "$tmp/pm.dump" ""
run sc_none savecore
check rc_is sc_none 0
check has sc_none "no dump file yet"
check [ -z "$(calls)" ]
for st in 1 3; do
	mkfile "$tmp/pm.dump" $st
	run "sc_state$st" savecore
	check rc_is "sc_state$st" 0
	check has "sc_state$st" "no dump in it"
	check [ -z "$(calls)" ]
done
printf 'not ours' >"$tmp/pm.dump"
run sc_notours savecore
check has sc_notours "no dump file yet"
mkfile "$tmp/pm.dump" 2
run sc_dump savecore
check rc_is sc_dump 0
d=$(ls -d "$tmp"/crash/*)
check [ "$(calls)" = "savecore --from-file $tmp/pm.dump -o $d/vmcore --clear" ]
check has sc_dump "saved $d/vmcore"
check [ "$(stat -c %a "$d")" = 700 ]
echo 4 >"$tmp/rc"
run sc_trunc savecore
check rc_is sc_trunc 0
check has sc_trunc "TRUNCATED"
check [ "$(ls -d "$tmp"/crash/* | wc -l)" = 2 ]	# a second directory, not the first one again
echo 1 >"$tmp/rc"
run sc_fail savecore
check rc_is sc_fail 1
check has sc_fail "savecore failed (exit 1): the dump is left where it is"

# savecore: the dump partition, saved only when it holds a dump not cleared
conf "" /dev/fakedisk
echo "/dev/fakedisk partition 2 (postmortem dump): no dump (no dump header)" >"$tmp/list"
run sc_disk_none savecore
check rc_is sc_disk_none 0
check [ "$(calls)" = "savecore /dev/fakedisk --list" ]
check has sc_disk_none "no dump on its dump partition"
echo "/dev/fakedisk partition 2 (postmortem dump): dump of host, 2026-01-01: CLEARED (was COMPLETE)" >"$tmp/list"
run sc_disk_cleared savecore
check has sc_disk_cleared "no dump on its dump partition"
echo "/dev/fakedisk partition 2 (postmortem dump): dump of host, 2026-01-01: COMPLETE" >"$tmp/list"
run sc_disk savecore
check rc_is sc_disk 0
check bash -c "tail -n 1 '$tmp/calls' | grep -q '^savecore /dev/fakedisk -o $tmp/crash/.*/vmcore --clear\$'"

run usage nonsense
check rc_is usage 2

# the units, in a made-up root with the programs they name
if command -v systemd-analyze >/dev/null && [ -d /usr/lib/systemd/system ]; then
	r=$tmp/root
	mkdir -p "$r/usr/local/lib/postmortem" "$r/usr/local/sbin" "$r/etc/systemd/system" "$r/usr/lib/systemd"
	cp -a /usr/lib/systemd/system "$r/usr/lib/systemd/"
	cp "$root/contrib/postmortem-boot" "$r/usr/local/lib/postmortem/"
	cp "$pmreal" "$r/usr/local/sbin/postmortem"
	cp "$root"/contrib/*.service "$r/etc/systemd/system/"
	check systemd-analyze verify --root="$r" "$r"/etc/systemd/system/postmortem-*.service
else
	echo "skip contrib_test: systemd-analyze verify (systemd not installed: apt-get install systemd)"
fi

finish contrib_test
