#!/bin/sh
# One short libFuzzer run for make test: NAME for SECONDS over a scratch
# copy of its seed corpus.  Prints "fuzz-short NAME: 1 passed, 0 failed"
# when nothing was found, "0 passed, 1 failed" and the crash input otherwise.
set -u
cd "$(dirname "$0")/.."
n=${1:?usage: fuzz-short.sh NAME SECONDS}
secs=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp tests/fuzz/corpus/"$n"/* "$work/corpus/" 2>/dev/null || true
if (cd "$work" && "$OLDPWD/build/fuzz/${n}_fuzz" -max_total_time="$secs" -rss_limit_mb=2048 corpus >log 2>&1); then
	runs=$(grep -oE '#[0-9]+' "$work/log" | tail -n 1)
	echo "fuzz-short $n: ${secs}s, ${runs#\#} runs, no finding"
	echo "fuzz-short $n: 1 passed, 0 failed"
else
	tail -n 30 "$work/log"
	ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null
	echo "fuzz-short $n: 0 passed, 1 failed"
	exit 1
fi
