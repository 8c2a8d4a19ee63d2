#!/bin/sh
# make sign (scripts/sign.sh) on build/postmortem.bzImage with throwaway
# keys made here: the signed copy lists one signature (sbverify --list),
# verifies against its certificate and not against another, keeps the PE
# layout (tests/unit/pe_test.c's checks over it through PM_BZIMAGE); a key
# that does not match the certificate is refused and nothing is written.
#   tests/sign_tool_test.sh [IMAGE]
cd "$(dirname "$0")/.." || exit 1
image=${1:-build/postmortem.bzImage}
tool=scripts/sign.sh
. tests/lib.sh

for who in a b; do
	openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=postmortem test $who/" \
		-keyout "$tmp/$who.key" -out "$tmp/$who.crt" >/dev/null 2>&1
done
run sign "$tmp/a.key" "$tmp/a.crt" "$image" "$tmp/signed"
check rc_is sign 0
check has sign "signature 1"
check has sign "subject: /CN=postmortem test a"
check sh -c "sbverify --cert '$tmp/a.crt' '$tmp/signed' >/dev/null 2>&1"
check sh -c "! sbverify --cert '$tmp/b.crt' '$tmp/signed' >/dev/null 2>&1"
check sh -c "! sbverify --cert '$tmp/a.crt' '$image' >/dev/null 2>&1"
PM_BZIMAGE=$tmp/signed build/host/pe_test >"$tmp/pe.out" 2>&1
check sh -c "[ $? -eq 0 ] || cat '$tmp/pe.out'"
run mismatch "$tmp/b.key" "$tmp/a.crt" "$image" "$tmp/wrong"
check rc_is mismatch 1
check absent "$tmp/wrong"
check sh -c "[ -z \"\$(ls '$tmp' | grep '^wrong')\" ]"
run usage "$tmp/a.key"
check rc_is usage 2
finish sign_tool_test
