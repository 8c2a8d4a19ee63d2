#!/bin/sh
# Print the value of one symbol of an ELF file in decimal.
#   scripts/symval.sh ELF SYMBOL
set -eu
v=$(nm "${1:?usage: symval.sh ELF SYMBOL}" | awk -v s="${2:?}" '$3 == s {print $1; exit}')
[ -n "$v" ] || { echo "symval: no symbol $2 in $1" >&2; exit 1; }
printf '%d\n' "0x$v"
