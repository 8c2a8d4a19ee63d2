# Shared helpers of the shell tool tests (tests/*_tool_test.sh), POSIX sh.
# Source it after setting `tool`; it makes $tmp (removed on exit) and the
# counters, and gives:
#   check CMD...        run CMD: counts a pass, or a failure with "FAIL: CMD"
#   run NAME ARGS...    "$tool" ARGS, stdout+stderr in $tmp/NAME.out, exit code in $tmp/NAME.rc
#   rc_is NAME N        NAME exited N (else its output is shown)
#   has NAME TEXT       NAME's output holds TEXT (else the output is shown)
#   hasnt NAME TEXT     NAME's output does not hold TEXT
#   absent PATH         PATH does not exist
#   finish NAME         prints "NAME: N passed, N failed" (the line run-tests.sh reads)
#                       and exits non-zero after a failure
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() {
	if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*"; fi
}

run() {
	name=$1
	shift
	"$tool" "$@" >"$tmp/$name.out" 2>&1
	echo $? >"$tmp/$name.rc"
}

rc_is() { [ "$(cat "$tmp/$1.rc")" -eq "$2" ] || { cat "$tmp/$1.out"; false; }; }
has() { grep -qF -- "$2" "$tmp/$1.out" || { echo "--- $1.out:"; cat "$tmp/$1.out"; false; }; }
hasnt() { ! grep -qF -- "$2" "$tmp/$1.out"; }
absent() { [ ! -e "$1" ]; }

finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}
