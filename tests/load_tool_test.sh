#!/bin/bash
# `postmortem load` with a stand-in kexec and a made-up /sys, and
# `postmortem expand` on a core file with zero tails.
#   tests/load_tool_test.sh build/postmortem
# Ends with "load_tool_test: N passed, N failed"; exits 1 on a failure.
tool=${1:?usage: load_tool_test.sh TOOL}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/lib.sh"

# A stand-in kexec that records its arguments, one per line.
cat >"$tmp/kexec" <<EOS
#!/bin/sh
printf '%s\n' "\$@" > "$tmp/kexec.args"
[ -n "\${KEXEC_ERR:-}" ] && echo "\$KEXEC_ERR" >&2
exit \${KEXEC_RC:-0}
EOS
chmod +x "$tmp/kexec"
sys=$tmp/sys
mkdir -p "$sys/kernel"
echo 16777216 >"$sys/kernel/kexec_crash_size"
echo 0 >"$sys/kernel/kexec_crash_loaded"
image=$tmp/pm.bzImage
printf 'image' >"$image"
common=(--sysfs-root="$sys" --kexec="$tmp/kexec" --kernel="$image" --handoff="$tmp/h.bin")

run load load "${common[@]}" --dump=disk --after=poweroff --append="pm.zero=keep"
check rc_is load 0
check has load "postmortem handoff create -o $tmp/h.bin --from-system --sysfs-root $sys"
check has load "postmortem is the crash kernel: dump=disk after=poweroff"
check grep -qx -- -p "$tmp/kexec.args"
check grep -qx -- "$image" "$tmp/kexec.args"
check grep -qx -- "--initrd=$tmp/h.bin" "$tmp/kexec.args"
check grep -q -- "^--append=.*dump=disk after=poweroff pm.zero=keep$" "$tmp/kexec.args"
check bash -c "! grep -qx -- -s '$tmp/kexec.args'"
run verify handoff verify "$tmp/h.bin"
check rc_is verify 0

# --encrypt-to: the block with the key goes to kexec through a memfd (the
# stand-in kexec copies it out), --handoff gets it without the key.
if command -v openssl >/dev/null 2>&1; then
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$tmp/k.pem" 2>/dev/null
	openssl pkey -in "$tmp/k.pem" -pubout -out "$tmp/k.pub" 2>/dev/null
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null |
		openssl pkey -pubout -out "$tmp/small.pub" 2>/dev/null
	kid=$(openssl pkey -pubin -in "$tmp/k.pub" -outform DER | sha256sum | cut -c1-64)
	cat >"$tmp/kexec-copy" <<EOS
#!/bin/sh
printf '%s\n' "\$@" > "$tmp/kexec.args"
for a in "\$@"; do case "\$a" in --initrd=*) cat "\${a#--initrd=}" > "$tmp/loaded.bin";; esac; done
EOS
	chmod +x "$tmp/kexec-copy"
	run enc load "${common[@]}" --kexec="$tmp/kexec-copy" --encrypt-to="$tmp/k.pub"
	check rc_is enc 0
	check has enc "dumps encrypted for RSA-3072 key $kid"
	check has enc "postmortem is the crash kernel: dump=disk after=reboot, dumps encrypted"
	check grep -q -- "^--initrd=/proc/self/fd/[0-9]*$" "$tmp/kexec.args"
	check grep -q -- "^--append=.*dump.encrypt=required" "$tmp/kexec.args"
	run enc_loaded handoff show "$tmp/loaded.bin"
	check rc_is enc_loaded 0
	check has enc_loaded "DUMP_KEY (type 16, critical)"
	check has enc_loaded "to RSA key $kid"
	check has enc_loaded "is not shown"
	run enc_copy handoff show "$tmp/h.bin"
	check rc_is enc_copy 0
	check hasnt enc_copy "DUMP_KEY"
	run enc_small load "${common[@]}" --encrypt-to="$tmp/small.pub"
	check rc_is enc_small 1
	check has enc_small "RSA public key of 2048 bits: encrypted dumps need 3072 to 8192 bits"
	run enc_priv load "${common[@]}" --encrypt-to="$tmp/k.pem"
	check rc_is enc_priv 1
	check has enc_priv "a private key: give the public key"
fi

run file load "${common[@]}" --file-load
check rc_is file 0
check grep -qx -- -s "$tmp/kexec.args"
check grep -q -- "^--append=.*dump=disk after=reboot$" "$tmp/kexec.args"	# the defaults

rm -f "$tmp/kexec.args"
run dry load "${common[@]}" --dry-run
check rc_is dry 0
check has dry "$tmp/kexec -p $image --initrd=$tmp/h.bin"
check [ ! -e "$tmp/kexec.args" ]

KEXEC_RC=1 run refused load "${common[@]}" --file-load
check rc_is refused 1
check has refused "kexec failed (exit 1); the kernel refused kexec_file_load"

# Refusals named by what kexec printed (strerror of the kernel's errno),
# the image's own signature table and the lockdown state (tools/loadsig.c).
err() { python3 -c "import os, sys; print(sys.argv[1] + os.strerror(int(sys.argv[2])))" "$1" "$2"; }
EPERM=1 ENODATA=61 ENOKEY=126 EKEYREJECTED=129
bz=$root/build/postmortem.bzImage
openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=load test/" \
	-keyout "$tmp/t.key" -out "$tmp/t.crt" >/dev/null 2>&1
"$root/scripts/sign.sh" "$tmp/t.key" "$tmp/t.crt" "$bz" "$tmp/signed.bzImage" >/dev/null
mkdir -p "$sys/kernel/security"
echo "none [integrity] confidentiality" >"$sys/kernel/security/lockdown"
sig=(--sysfs-root="$sys" --kexec="$tmp/kexec" --handoff="$tmp/h.bin" --file-load)
KEXEC_RC=1 KEXEC_ERR=$(err "kexec_file_load failed: " $ENODATA) run unsigned load "${sig[@]}" --kernel="$bz"
check rc_is unsigned 1
check has unsigned "the kernel refused $bz: it has no signature, and this kernel requires a valid one"
check has unsigned "lockdown: integrity"
KEXEC_RC=1 KEXEC_ERR=$(err "kexec_file_load failed: " $EPERM) run unsigned2 load "${sig[@]}" --kernel="$bz"
check has unsigned2 "it has no signature"
KEXEC_RC=1 KEXEC_ERR=$(err "kexec_file_load failed: " $ENOKEY) run nokey load "${sig[@]}" \
	--kernel="$tmp/signed.bzImage"
check rc_is nokey 1
check has nokey "signature (Required key not available; lockdown: integrity): no key it trusts signed it"
KEXEC_RC=1 KEXEC_ERR=$(err "kexec_file_load failed: " $EKEYREJECTED) run rejected load "${sig[@]}" \
	--kernel="$tmp/signed.bzImage"
check has rejected "signature (Key was rejected by service; lockdown: integrity): it does not match"
KEXEC_RC=1 KEXEC_ERR=$(err "kexec_file_load failed: " $EPERM) run eperm load "${sig[@]}" \
	--kernel="$tmp/signed.bzImage"
check has eperm "signed 1 time, but by no key the kernel trusts"
KEXEC_RC=1 KEXEC_ERR=$(err "kexec_file_load failed: " $EPERM) run notpe load "${sig[@]}" --kernel="$image"
check has notpe "it is not a PE/COFF image (no MS-DOS header"
KEXEC_RC=1 KEXEC_ERR=$(err "kexec_load failed: " $EPERM) run locked load "${common[@]}"
check has locked "the kernel refused kexec_load (Operation not permitted; lockdown: integrity)"
check has locked "use --file-load with a signed image"
KEXEC_RC=1 KEXEC_ERR=$(err "kexec_load failed: " 13) run ima load "${common[@]}"
check has ima "the kernel refused kexec_load (Permission denied; lockdown: integrity)"
rm "$sys/kernel/security/lockdown"
KEXEC_RC=1 KEXEC_ERR=$(err "kexec_file_load failed: " $EPERM) run unknown load "${sig[@]}" \
	--kernel="$tmp/signed.bzImage"
check has unknown "the kernel refused kexec_file_load (lockdown or signature policy?)"

run unload load --kexec="$tmp/kexec" --unload
check rc_is unload 0
check [ "$(tr '\n' ' ' <"$tmp/kexec.args")" = "-p -u " ]

run status0 load --sysfs-root="$sys" --status
check rc_is status0 1
check has status0 "crash kernel: not loaded"
check has status0 "reservation: 16384 KiB (16 MiB)"
echo 1 >"$sys/kernel/kexec_crash_loaded"
run status1 load --sysfs-root="$sys" --status
check rc_is status1 0
check has status1 "crash kernel: loaded"

echo 0 >"$sys/kernel/kexec_crash_size"
run noreserve load "${common[@]}"
check rc_is noreserve 1
check has noreserve "no crash memory reserved: boot with crashkernel="

run nokexec load --sysfs-root="$sys" --kexec="$tmp/none" --kernel="$image" 2>/dev/null
check rc_is nokexec 1
run nokernel load --sysfs-root="$sys" --kexec="$tmp/kexec" --kernel="$tmp/missing"
check rc_is nokernel 1
check has nokernel "$tmp/missing not found or unreadable"
run badopt load --frobnicate
check rc_is badopt 2
check has badopt "unknown option '--frobnicate'"
run novalue load --dump
check rc_is novalue 2
check has novalue "--dump needs a value"
run both load --status --unload
check rc_is both 2
# Option spellings: "--opt VALUE" as well as "--opt=VALUE", -s for
# --file-load; a name only whole, an empty value, a short option it does not
# know, an argument (load takes none, not even after "--").
run spaced load --sysfs-root "$sys" --kexec "$tmp/kexec" --kernel "$image" --handoff "$tmp/h.bin" \
	--dump serial --after halt -s --dry-run
check rc_is spaced 0
check has spaced "dump=serial after=halt"
check has spaced "$tmp/kexec -p $image --initrd=$tmp/h.bin"
check has spaced " -s"
run novalue2 load --dry-run --kernel
check rc_is novalue2 2
check has novalue2 "--kernel needs a value (see --help)"
run empty load --dump=
check rc_is empty 2
check has empty "--dump needs a value"
# --dump-file in the help: what load does, what the crash kernel does
run loadhelp load --help
check rc_is loadhelp 0
check has loadhelp "load checks, maps and marks it and names"
check has loadhelp "the crash kernel writes only"
run prefix load --dry
check rc_is prefix 2
check has prefix "unknown option '--dry' (see --help)"
run short load -x
check rc_is short 2
check has short "unknown option '-x'"
run noarg load --dry-run -- foo
check rc_is noarg 2
check has noarg "unexpected argument 'foo' (see --help)"
run flagval load --dry-run=yes
check rc_is flagval 2
check has flagval "unknown option '--dry-run=yes'"

# ------------------------------------------------------------ Xen
# A Xen PV dom0's /sys (docs/xen.md): Linux's own crash files say 0, the
# crash memory is Xen's.  With --sysfs-root the hypercalls are not made;
# ROOT/hypervisor/capabilities stands for /proc/xen/capabilities.
xs=$tmp/xsys
mkdir -p "$xs/kernel" "$xs/hypervisor/version" "$xs/firmware/memmap/0"
echo 0 >"$xs/kernel/kexec_crash_size"
echo 0 >"$xs/kernel/kexec_crash_loaded"
echo xen >"$xs/hypervisor/type"
echo PV >"$xs/hypervisor/guest_type"
echo 4 >"$xs/hypervisor/version/major"
echo 17 >"$xs/hypervisor/version/minor"
echo .7 >"$xs/hypervisor/version/extra"
echo control_d >"$xs/hypervisor/capabilities"
echo 0x0 >"$xs/firmware/memmap/0/start"
echo 0x9fbff >"$xs/firmware/memmap/0/end"
echo "System RAM" >"$xs/firmware/memmap/0/type"
xcommon=(--sysfs-root="$xs" --kexec="$tmp/kexec" --kernel="$image" --handoff="$tmp/xh.bin")
rm -f "$tmp/kexec.args"
run xload load "${xcommon[@]}" --dump=disk --after=poweroff
check rc_is xload 0
check has xload "under Xen 4.17.7 (PV dom0): the crash kernel is Xen's"
check has xload "/firmware/memmap is dom0's pseudo-physical map, not the host's: left out"
check grep -qx -- -p "$tmp/kexec.args"
run xshow handoff show "$tmp/xh.bin"
check rc_is xshow 0
check hasnt xshow "MEMMAP"
run xstatus load --sysfs-root="$xs" --status
check rc_is xstatus 1
check has xstatus "hypervisor: Xen 4.17.7, PV dom0: the crash kernel is Xen's"
check has xstatus "reservation: not asked (--sysfs-root: no hypercalls)"
check hasnt xstatus "crashkernel=16M"
run xfile load "${xcommon[@]}" --file-load
check rc_is xfile 1
check has xfile "kexec_file_load (--file-load) cannot reach"
: >"$xs/hypervisor/capabilities"
run xdomu load "${xcommon[@]}"
check rc_is xdomu 1
check has xdomu "this is a Xen PV guest, not dom0"
rm "$xs/hypervisor/capabilities"
run xnofs load "${xcommon[@]}"
check rc_is xnofs 1
check has xnofs "mount -t xenfs xenfs /proc/xen"
echo HVM >"$xs/hypervisor/guest_type"
run xhvm load --sysfs-root="$xs" --status
check has xhvm "HVM guest: Linux's own kexec and crashkernel="
check has xhvm "reservation: none (boot with crashkernel="
run xhvmload load "${xcommon[@]}"
check rc_is xhvmload 1
check has xhvmload "no crash memory reserved: boot with crashkernel="

# inspect names Xen's crash notes (a core shaped as under Xen, docs/xen.md)
run xinspect inspect "$root/tests/fuzz/corpus/inspect/xen-notes"
check rc_is xinspect 0
check has xinspect "(XEN_ELFNOTE_CRASH_REGS): cr3 0x2aa10000, cr4 0x660"
check has xinspect "(XEN_ELFNOTE_CRASH_INFO): Xen 4.17, tainted 0x0, xen_phys_start 0x3f800000, dom0 P2M root mfn 0x2459d"
check has xinspect "(Xen's VMCOREINFO)"

# ------------------------------------------------------------ expand
python3 "$root/tests/tools/vmcore_same.py" --make "$tmp/c.elf"
cp "$tmp/c.elf" "$tmp/x.elf"
run expand expand "$tmp/x.elf"
check rc_is expand 0
check has expand "zero pages written as holes"
check python3 "$root/tests/tools/vmcore_same.py" "$tmp/c.elf" "$tmp/x.elf" --whole
check bash -c "readelf -lW '$tmp/x.elf' >/dev/null"
check [ "$(du -k "$tmp/x.elf" | cut -f1)" -le 16 ]	# the zeros are holes
cp "$tmp/x.elf" "$tmp/y.elf"
run again expand "$tmp/y.elf"
check rc_is again 0
check cmp -s "$tmp/x.elf" "$tmp/y.elf"			# already whole: untouched
head -c 5000 "$tmp/c.elf" >"$tmp/cut.elf"
run cut expand "$tmp/cut.elf"
check rc_is cut 4	# cut short: a partial dump is never exit 0
check has cut "is cut short: left compact"
# Hostile layouts are left alone, never rewritten: program headers after
# the data, and segment sizes that add up past 2^64.
python3 - "$tmp" <<'PY'
import struct, sys
d = sys.argv[1]
def core(path, phoff, loads, body_len):
    eh = bytearray(64)
    eh[:16] = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    struct.pack_into("<HHIQQQIHHHHHH", eh, 16, 4, 62, 1, 0, phoff, 0, 0, 64, 56, len(loads), 0, 0, 0)
    f = bytearray(max(body_len, phoff + 56 * len(loads)))
    f[:64] = eh
    for i, (off, pa, fs, ms) in enumerate(loads):
        struct.pack_into("<IIQQQQQQ", f, phoff + 56 * i, 1, 7, off, 0, pa, fs, ms, 0)
    open(path, "wb").write(f)
core(d + "/late.elf", 8192, [(64, 0, 56, 8192)], 8192)
core(d + "/wrap.elf", 64, [(4096, 0, 4096, 2**64 - 4096), (4096, 0x100000, 4096, 8192)], 8192)
PY
for bad in late wrap; do
	cp "$tmp/$bad.elf" "$tmp/$bad.orig"
	run "exp_$bad" expand "$tmp/$bad.elf"
	check cmp -s "$tmp/$bad.elf" "$tmp/$bad.orig"
	check has "exp_$bad" "left compact"
done
printf '%0200d' 0 >"$tmp/junk"
run junk expand "$tmp/junk"
check rc_is junk 1
check has junk "not an ELF core file"
run none expand
check rc_is none 2
# Options only before the first file: an unknown one is named (exit 2, no
# file touched); "--" before a file whose name starts with '-'.
cp "$tmp/c.elf" "$tmp/-dash.elf"
run expopt expand --frob "$tmp/-dash.elf"
check rc_is expopt 2
check has expopt "unknown option '--frob' (see --help)"
check cmp -s "$tmp/c.elf" "$tmp/-dash.elf"
run expshort expand -x
check rc_is expshort 2
check has expshort "unknown option '-x'"
toolpath=$(realpath "$tool")
(cd "$tmp" && "$toolpath" expand -- -dash.elf >"$tmp/expdash.out" 2>&1; echo $? >"$tmp/expdash.rc")
check rc_is expdash 0
check python3 "$root/tests/tools/vmcore_same.py" "$tmp/c.elf" "$tmp/-dash.elf" --whole
run exphelp expand -h
check rc_is exphelp 0
check has exphelp "usage: postmortem expand VMCORE..."

finish load_tool_test
