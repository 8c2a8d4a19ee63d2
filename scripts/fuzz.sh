#!/bin/sh
# make fuzz: run each libFuzzer target for PM_FUZZ_SECONDS (default 60)
# over a scratch copy of its seed corpus; a crash stops with its input kept
# in build/fuzz/ (add it to tests/fuzz/corpus/<name>/ and a unit test).
#   scripts/fuzz.sh NAME...
set -eu
cd "$(dirname "$0")/.."
secs=${PM_FUZZ_SECONDS:-60}
for n in "$@"; do
	work="build/fuzz/corpus-$n"
	rm -rf "$work"
	mkdir -p "$work"
	cp tests/fuzz/corpus/"$n"/* "$work"/ 2>/dev/null || true
	echo "fuzz: $n for ${secs}s"
	(cd build/fuzz && "./${n}_fuzz" -max_total_time="$secs" -print_final_stats=1 "corpus-$n" 2>&1 | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' || true)
	if ls build/fuzz/crash-* >/dev/null 2>&1; then
		echo "fuzz: $n found a crash: $(ls build/fuzz/crash-*)" >&2
		exit 1
	fi
done
echo "fuzz: all targets ran ${secs}s without a finding"
