#!/bin/sh
# scripts/check-layers.sh, the layer rule of docs/architecture.md: this
# tree passes; a scratch tree with one include per rule that reaches too
# high (formats/ -> kernel/, payload/ -> drivers/, drivers/ -> kernel/,
# tools/ -> drivers/ and kernel/, kernel/ -> tools/, a ../ path) fails
# with one "layer violation:" line each, naming the file, the header and
# what the folder may include; allowed includes (own folder without a
# path, lower layers, system and library headers) pass.
#   tests/layers_test.sh
# Ends with "layers_test: N passed, N failed"; exits 1 on a failure.
root=$(cd "$(dirname "$0")/.." && pwd)
check=$root/scripts/check-layers.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if "$check" >"$tmp/tree.out" 2>&1; then ok; else cat "$tmp/tree.out"; bad "this tree has layer violations"; fi

t=$tmp/t
mkdir -p "$t/crypto" "$t/formats" "$t/payload" "$t/drivers" "$t/kernel" "$t/tools" "$t/tests"
printf '#include <stdint.h>\n#include "crypto/crc32.h"\n#include "gpt.h"\n#include <mbedtls/sha256.h>\n' >"$t/formats/ok.c"
printf '#include "formats/efi.h"\n#include "crypto/sha256.h"\n' >"$t/payload/ok.h"
printf '#include "drivers/cpu_services.h"\n#include "formats/blkdev.h"\n#include "payload/frame.h"\n' >"$t/drivers/ok.c"
printf '#include "drivers/pci.h"\n#include "payload/handoff.h"\n' >"$t/kernel/ok.c"
printf '#include "tools/spans.h"\n#include "formats/gpt.h"\n' >"$t/tools/ok.c"
printf '#include "kernel/cpu.h"\n#include "tools/recv.h"\n' >"$t/tests/ok.c"
if "$check" "$t" >"$tmp/ok.out" 2>&1 && [ ! -s "$tmp/ok.out" ]; then ok; else cat "$tmp/ok.out"; bad "allowed includes refused"; fi

printf '#include "kernel/cpu.h"\n' >"$t/formats/up.c"
printf '#include "../drivers/pci.h"\n' >"$t/formats/rel.h"
printf '#include "drivers/clock.h"\n' >"$t/payload/up.c"
printf '#include "kernel/cpu.h"\n' >"$t/drivers/up.c"
printf '#include "drivers/pci.h"\n#  include "kernel/cpu.h"\n' >"$t/tools/up.c"
printf '#include "tools/recv.h"\n' >"$t/kernel/up.c"
"$check" "$t" >"$tmp/bad.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ]; then ok; else bad "violations: exit $rc, not 1"; fi
for want in \
	"layer violation: formats/up.c includes kernel/cpu.h (formats/ may include only formats/, crypto/)" \
	"layer violation: formats/rel.h includes ../drivers/pci.h (formats/ may include only formats/, crypto/)" \
	"layer violation: payload/up.c includes drivers/clock.h (payload/ may include only payload/, formats/, crypto/)" \
	"layer violation: drivers/up.c includes kernel/cpu.h (drivers/ may include only drivers/, payload/, formats/, crypto/)" \
	"layer violation: tools/up.c includes drivers/pci.h (tools/ may include only tools/, payload/, formats/, crypto/)" \
	"layer violation: tools/up.c includes kernel/cpu.h (tools/ may include only tools/, payload/, formats/, crypto/)" \
	"layer violation: kernel/up.c includes tools/recv.h (kernel/ may include only kernel/, drivers/, payload/, formats/, crypto/)"; do
	if grep -qxF -- "$want" "$tmp/bad.out"; then ok; else bad "missing: $want"; fi
done
n=$(grep -c '^layer violation:' "$tmp/bad.out")
if [ "$n" -eq 7 ]; then ok; else cat "$tmp/bad.out"; bad "$n violation lines, not 7"; fi

echo "layers_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
