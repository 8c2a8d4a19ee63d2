#!/bin/sh
# Host program basics: --help, --version, a bad option.
#   tests/tool_test.sh build/postmortem
tool=${1:?usage: tool_test.sh TOOL}
pass=0
fail=0
check() {
	if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*"; fi
}
check sh -c "'$tool' --version | grep -qE '^postmortem [0-9]+\.[0-9]+\.[0-9]+$'"
check sh -c "'$tool' --help | grep -q 'usage: postmortem'"
check sh -c "! '$tool' --frobnicate 2>/dev/null"
check sh -c "'$tool' --frobnicate 2>&1 | grep -q \"unknown option '--frobnicate'\""
check sh -c "! '$tool' nosuchcommand 2>/dev/null"
check sh -c "! '$tool' 2>/dev/null"
echo "tool_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
