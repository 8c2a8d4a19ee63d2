#!/bin/sh
# Sign a postmortem image for UEFI Secure Boot and kexec_file_load
# (Authenticode, with Debian's sbsigntool; docs/secure-boot.md):
#   scripts/sign.sh KEY CERT IN OUT
# KEY is a PEM private key without a passphrase, CERT its PEM (or DER)
# certificate.  The signature is checked against CERT before OUT is
# written (through a temporary file next to it), then listed.
set -eu
[ $# -eq 4 ] || { echo "usage: scripts/sign.sh KEY CERT IN OUT" >&2; exit 2; }
key=$1 cert=$2 in=$3 out=$4
for f in "$key" "$cert" "$in"; do
	[ -r "$f" ] || { echo "sign: $f: not readable" >&2; exit 1; }
done
command -v sbsign >/dev/null || { echo "sign: sbsign missing (apt-get install sbsigntool)" >&2; exit 1; }
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
sbsign --key "$key" --cert "$cert" --output "$tmp" "$in" 2>&1 | grep -v '^Signing Unsigned original image$' >&2 || true
if ! sbverify --cert "$cert" "$tmp" >/dev/null 2>&1; then
	echo "sign: the signed image does not verify against $cert (a key and certificate that do not match?)" >&2
	exit 1
fi
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "sign: $out signed with $cert"
sbverify --list "$out"
