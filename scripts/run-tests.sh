#!/bin/bash
# make test: every host unit test, every fuzz corpus replay, a short pass
# of each fuzzer, the layer check's test and the host tool's shell tests,
# then the QEMU boot tests.  Each runner prints "...: N passed, N failed";
# this adds them up and ends with one line "N passed, N failed" (the line
# CI reads; before it a "skipped: N" line when a test could not run here,
# e.g. without QEMU 10, and each skipped test's "skip" line is shown).
#   PM_SKIP_QEMU=1  host tests only (says so in its output)
set -u
cd "$(dirname "$0")/.."
B=build
total_pass=0
total_fail=0
total_skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Run one runner; count its summary line, or one failure if it has none.
run() {
	local name=$1
	shift
	"$@" >"$log" 2>&1
	local rc=$?
	local line
	line=$(grep -aoE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		cat "$log"
		echo "$name: no summary line (exit $rc): counted as 1 failed"
		total_fail=$((total_fail + 1))
		return
	fi
	local p f
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1		# crashed after its summary, or a sanitizer report
	fi
	if [ "$f" -ne 0 ]; then
		cat "$log"
	fi
	local s
	s=$(grep -aoE '[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log" | tail -n 1)
	s=${s##*failed, }
	s=${s%% skipped}
	s=${s:-0}
	if [ "$s" -ne 0 ]; then
		grep -a '^skip ' "$log"
		echo "$name: $p passed, $f failed, $s skipped"
	else
		echo "$name: $p passed, $f failed"
	fi
	total_skip=$((total_skip + s))
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

for t in "$B"/host/*_test; do
	[ -x "$t" ] || continue
	run "unit $(basename "$t")" "$t"
done
for r in "$B"/host/*_replay; do
	[ -x "$r" ] || continue
	n=$(basename "$r" _replay)
	run "fuzz-replay $n" "$r" "tests/fuzz/corpus/$n"
done
# A short libFuzzer pass per target (make fuzz runs them longer).
for f in "$B"/fuzz/*_fuzz; do
	[ -x "$f" ] || continue
	n=$(basename "$f" _fuzz)
	run "fuzz-short $n" scripts/fuzz-short.sh "$n" "${PM_FUZZ_SHORT_SECONDS:-3}"
done
run "layer check" tests/layers_test.sh
run "footprint" tests/footprint_test.sh
run "host tool" tests/tool_test.sh "$B/postmortem"
run "handoff tool" tests/handoff_tool_test.sh "$B/postmortem"
run "savecore tool" tests/savecore_tool_test.sh "$B/postmortem"
run "fat tool" tests/fat_tool_test.sh "$B/postmortem"
run "savecore fat tool" tests/savecore_fat_tool_test.sh "$B/postmortem"
run "dump tool" tests/dump_tool_test.sh "$B/postmortem"
run "load tool" tests/load_tool_test.sh "$B/postmortem"
run "dump file tool" tests/dumpfile_tool_test.sh "$B/postmortem"
run "contrib units" tests/contrib_test.sh "$B/postmortem"
run "outfile tool" tests/outfile_tool_test.sh "$B/postmortem"
run "capsule tool" tests/capsule_tool_test.sh "$B/postmortem"
run "varstore tool" tests/varstore_tool_test.sh "$B/postmortem"
run "sign tool" tests/sign_tool_test.sh "$B/postmortem.bzImage"
if [ "${PM_SKIP_QEMU:-0}" = 1 ]; then
	echo "qemu tests: skipped (PM_SKIP_QEMU=1)"
else
	if [ "${PM_KVM:-0}" = 1 ] && python3 tests/qemu/kvm_probe.py; then
		export PM_KVM_OK=1
	fi
	run "qemu boot" python3 tests/qemu/boot_test.py
	run "qemu smp" python3 tests/qemu/smp_test.py
	run "qemu efi stub" python3 tests/qemu/efistub_test.py
	run "qemu secure boot iso" python3 tests/qemu/sbiso_test.py
	run "qemu handoff" python3 tests/qemu/handoff_test.py
	run "qemu blk" python3 tests/qemu/blk_test.py
	run "qemu ahci/nvme" python3 tests/qemu/ahci_nvme_test.py
	run "qemu dump" python3 tests/qemu/dump_test.py
	run "qemu disk dump" python3 tests/qemu/disk_dump_test.py
	run "qemu dump file" python3 tests/qemu/dumpfile_test.py
	run "qemu unaccepted" python3 tests/qemu/unaccepted_test.py
	run "qemu encrypt" python3 tests/qemu/encrypt_test.py
	run "qemu kdump compress" python3 tests/qemu/kdump_compress_test.py
	run "qemu iommu" python3 tests/qemu/iommu_test.py
	run "qemu linux kexec" python3 tests/qemu/linux_test.py --short
	run "qemu xen" python3 tests/qemu/xen_test.py bios-dom0-panic-kdump
	run "qemu efirt" python3 tests/qemu/efirt_test.py
	run "qemu capsule/fat" python3 tests/qemu/capsule_test.py
fi
if [ "$total_skip" -ne 0 ]; then
	echo "skipped: $total_skip tests could not run here (their skip lines are above)"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
