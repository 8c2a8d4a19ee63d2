#!/bin/bash
# The layer rule (docs/architecture.md, "Layers"): a file may include only
# its own folder and the folders below it.
#
#   crypto/   crypto/
#   formats/  formats/ crypto/
#   payload/  payload/ formats/ crypto/
#   drivers/  drivers/ payload/ formats/ crypto/
#   kernel/   kernel/ drivers/ payload/ formats/ crypto/
#   tools/    tools/ payload/ formats/ crypto/
#
# plus the C library and system headers (<...> that are not project
# folders).  tests/ may include anything.  Every #include of every .c and
# .h in those folders is read; a quoted name without a folder is the
# including file's own folder, and ../ is resolved.  Each violation prints
#   layer violation: FILE includes HEADER (formats/ may include only formats/, crypto/)
# and the script exits 1; with none it prints nothing and exits 0.
#   scripts/check-layers.sh [ROOT]     (ROOT: the tree to check, default this one)
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

files=()
for dir in crypto formats payload drivers kernel tools; do
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -e "$f" ] && files+=("$f")
	done
done
[ ${#files[@]} -gt 0 ] || exit 0
grep -HE '^[[:space:]]*#[[:space:]]*include' "${files[@]}" | awk '
BEGIN {
	allow["crypto"] = "crypto"
	allow["formats"] = "formats crypto"
	allow["payload"] = "payload formats crypto"
	allow["drivers"] = "drivers payload formats crypto"
	allow["kernel"] = "kernel drivers payload formats crypto"
	allow["tools"] = "tools payload formats crypto"
	# Folders an #include can name; anything else is a system or library
	# header (<stdint.h>, <mbedtls/sha256.h>).
	split("boot crypto drivers formats kernel payload tools tests build", p, " ")
	for (i in p)
		project[p[i]] = 1
	bad = 0
}
{
	colon = index($0, ":")
	file = substr($0, 1, colon - 1)
	line = substr($0, colon + 1)
	dir = file
	sub(/\/.*/, "", dir)
	if (!match(line, /["<][^">]+[">]/))
		next
	name = substr(line, RSTART + 1, RLENGTH - 2)
	quoted = substr(line, RSTART, 1) == "\""
	path = name
	if (quoted && index(name, "/") == 0)
		path = dir "/" name		# the including file'"'"'s own folder
	if (quoted && (name ~ /^\.\.?\//)) {	# resolve ./ and ../ against the file
		n = split(dir "/" name, parts, "/")
		m = 0
		for (i = 1; i <= n; i++) {
			if (parts[i] == "." || parts[i] == "")
				continue
			if (parts[i] == "..") { if (m > 0) m--; continue }
			out[++m] = parts[i]
		}
		path = out[1]
		for (i = 2; i <= m; i++)
			path = path "/" out[i]
	}
	if (index(path, "/") == 0)
		next
	top = path
	sub(/\/.*/, "", top)
	if (!(top in project))
		next
	if (index(" " allow[dir] " ", " " top " "))
		next
	list = allow[dir]
	gsub(/ /, "/, ", list)
	printf "layer violation: %s includes %s (%s/ may include only %s/)\n", file, name, dir, list
	bad++
}
END {
	if (bad) {
		printf "check-layers: %d layer violation(s); the rule is in docs/architecture.md (\"Layers\")\n", bad
		exit 1
	}
}'
