#!/bin/sh
# make bench: figures, not pass/fail.  For now: image sizes and the time
# from QEMU start to power-off for a boot that prints its inventory (TCG
# unless PM_KVM=1 and the KVM probe passes), median of 5.
set -eu
cd "$(dirname "$0")/.."
echo "bench: sizes"
scripts/sizes.sh build
echo "bench: boot to power-off, bzImage under QEMU/SeaBIOS, 5 runs"
times=""
for i in 1 2 3 4 5; do
	s=$(date +%s.%N)
	timeout 120 qemu-system-x86_64 -accel tcg -m 256 -display none -no-reboot -serial null \
		-kernel build/postmortem.bzImage -append "console=ttyS0 pm.inventory dump=none after=poweroff" </dev/null
	e=$(date +%s.%N)
	times="$times $(awk -v s="$s" -v e="$e" 'BEGIN {print e - s}')"
done
echo "$times" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {printf "bench: boot to power-off median %.2f s (min %.2f, max %.2f)\n", a[int((NR+1)/2)], a[1], a[NR]}'
echo "bench: SHA-256 throughput (64 MiB), kernel under QEMU vs host"
gcc -O2 -I. tests/bench/sha256_bench.c crypto/sha256.c -lmbedcrypto -o build/sha256_bench
build/sha256_bench
timeout 300 qemu-system-x86_64 -accel tcg -m 256 -display none -no-reboot -serial stdio -monitor none \
	-kernel build/postmortem.bzImage -append "console=ttyS0 pm.bench=sha256 after=poweroff" </dev/null \
	| tr -d '\r' | grep -E '^bench:|^clock:'
echo "bench: AES-256-GCM sealing throughput (64 MiB, encrypted dumps), kernel under QEMU: default CPU, -cpu max"
for cpu in "" "-cpu max"; do
	# shellcheck disable=SC2086
	timeout 300 qemu-system-x86_64 -accel tcg $cpu -m 256 -display none -no-reboot -serial stdio -monitor none \
		-kernel build/postmortem.bzImage -append "console=ttyS0 pm.bench=aesgcm after=poweroff" </dev/null \
		| tr -d '\r' | grep -E '^bench:'
done
python3 scripts/bench_dump.py
echo "bench: postmortem as a Linux crash kernel (Debian kernel, kexec -p, real panic)"
python3 scripts/bench_linux.py
