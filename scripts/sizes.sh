#!/bin/sh
# Print the size of each build output (make all ends with this).
#   scripts/sizes.sh BUILD_DIR
set -eu
b=${1:-build}
for f in postmortem.elf postmortem.bzImage postmortem.iso postmortem; do
	[ -f "$b/$f" ] || continue
	printf '  %-22s %9d bytes\n' "$f" "$(stat -c %s "$b/$f")"
done
if [ -f "$b/postmortem.elf" ]; then
	printf '  %-22s %9d bytes (loaded image + .bss + stacks + heap)\n' "memory footprint" \
		"$(scripts/symval.sh "$b/postmortem.elf" __image_end)"
fi
