#!/usr/bin/env python3
"""Is KVM usable here?  Exit 0 only if a postmortem bzImage boots under KVM
past long mode (its banner and boot line, printed from 64-bit C code)
within 15 s.  /dev/kvm existing is not enough: on some hosts a guest stalls
under KVM once paging is on."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemutest  # noqa: E402

if not os.access("/dev/kvm", os.R_OK | os.W_OK):
    print("kvm_probe: /dev/kvm not usable", file=sys.stderr)
    sys.exit(1)
os.environ["PM_KVM"] = "1"
os.environ["PM_KVM_OK"] = "1"
res = qemutest.run_qemu(
    ["-kernel", os.path.join(qemutest.BUILD, "postmortem.bzImage"),
     "-append", "console=ttyS0 after=poweroff dump=none"],
    [r"^postmortem .*crash and recovery kernel", r"^boot: ", r"^postmortem: "],
    timeout=15, must_exit=True)
if res.failure:
    print("kvm_probe: KVM guest did not boot past long mode: " + res.failure, file=sys.stderr)
    sys.exit(1)
print("kvm_probe: KVM works")
