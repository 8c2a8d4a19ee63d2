#!/bin/sh
# make run: the main job as far as this version goes.  Boots
# build/postmortem.bzImage in QEMU (TCG; PM_KVM=1 to try KVM) with a full
# inventory and power-off, so the run ends by itself, and shows the console.
set -eu
cd "$(dirname "$0")/.."
echo "run: booting build/postmortem.bzImage in QEMU (serial console below)"
timeout 120 scripts/qemu.sh -m 512 -kernel build/postmortem.bzImage \
	-append "console=ttyS0 pm.inventory dump=none after=poweroff" </dev/null
echo "run: QEMU exited; the kernel powered the machine off as asked"
