#!/bin/sh
# The crash kernel's memory footprint, what kexec must find free in the
# crashkernel= reservation: the bzImage header's init_size, which must be
# the image's own end (__image_end: code, data, .bss, stacks, heap), and
# both at most FOOTPRINT_MAX, what a 4M reservation holds beside the rest
# kexec puts there (docs/kexec.md, "Footprint"; linux_test's
# bios-kdump-plant and ovmf-kexec-file dump with crashkernel=4M).
#   tests/footprint_test.sh [BUILD_DIR]
# Ends with "footprint_test: N passed, N failed"; exits 1 on a failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-$root/build}
FOOTPRINT_MAX=$((3120 * 1024))
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

end=$("$root/scripts/symval.sh" "$b/postmortem.elf" __image_end) || end=0
init=$(od -An -tu4 -j $((0x260)) -N4 "$b/postmortem.bzImage" | tr -d ' ')
echo "footprint: __image_end $end bytes, bzImage init_size $init bytes, at most $FOOTPRINT_MAX"
if [ "$end" -gt 0 ] && [ "$init" = "$end" ]; then ok; else bad "init_size $init is not __image_end $end"; fi
if [ "$end" -gt 0 ] && [ "$end" -le "$FOOTPRINT_MAX" ]; then ok; else
	bad "the footprint $end bytes is over $FOOTPRINT_MAX: crashkernel=4M would no longer hold it (kernel/phasemem.h)"
fi
echo "footprint_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
