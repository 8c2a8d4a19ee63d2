#!/bin/sh
# `postmortem handoff`: create from a description file, show and verify it;
# --from-system over the fake sysfs trees in tests/data/ (an EFI machine and
# a BIOS one); verify's refusals (a flipped byte, a truncated file, an
# empty file, a missing one); usage errors and bad description lines.
#   tests/handoff_tool_test.sh build/postmortem
# Ends with "handoff_tool_test: N passed, N failed"; exits 1 on a failure.
tool=${1:?usage: handoff_tool_test.sh TOOL}
data=$(cd "$(dirname "$0")/data" && pwd)
. "$(dirname "$0")/lib.sh"

first_line_is() { [ "$(head -n 1 "$tmp/$1.out")" = "$2" ] || head -n 1 "$tmp/$1.out" | grep -q -- "$2"; }

# Flip one byte of a file in place: flip FILE OFFSET
flip() {
	python3 -c 'import sys
p, o = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); b[o] ^= 0x10; open(p, "wb").write(b)' "$1" "$2"
}

# ------------------------------------------------ description file round trip
desc=$data/handoff/full.desc
run create handoff create -o "$tmp/full.bin" --describe "$desc" --time 1700000000
check rc_is create 0
check has create "wrote $tmp/full.bin: 12 records"
run verify handoff verify "$tmp/full.bin"
check rc_is verify 0
check has verify "$tmp/full.bin: sha256 OK "
check [ "$(wc -l <"$tmp/verify.out")" -eq 1 ]
run show handoff show "$tmp/full.bin"
check rc_is show 0
check first_line_is show "^sha256 OK [0-9a-f]\{64\}$"
check has show "created 2023-11-14 22:13:20 UTC"
check has show 'host "testhost", release "6.1.0-test"'
check has show "revision 2.70 (0x00020046)"
check has show 'vendor "EDK II"'
check has show "7 entries of 48 bytes (entry version 1)"
check has show "conventional  0x0000000000100000 0x000000007ef00000     519680     2030.0"
check has show "0x800000000000000f UC|WC|WT|WB|RUNTIME"
check has show "b122a263-3661-4f68-9929-78f8b0d62180 (esrt)"
check has show "originally at 0x7ef00000, 96 bytes"
check has show "ESRT: 2 entries (max 2, version 1)"
check has show "type 2, version 0x7, lowest 0x1, capsule flags 0x0, last attempt 0x6 status 1"
check has show 'signature "RSD PTR ", OEM "BOCHS ", revision 2'
check has show "virt 0xfffffffeff010000"
check has show "0x000000007fbf0000 + 0x10000 (0.1 MiB)"
check has show "OSRELEASE=6.1.0-test"
check has show '"CORE" type 1 (NT_PRSTATUS), 336 bytes'
check has show '"dump=serial after=poweroff"'
check has show "capsule GUID 6a6a8a1c-6d37-4fa0-9e3c-72f2e3e1e95e"
# Same input, same time: the same bytes.
run again handoff create -o "$tmp/again.bin" --describe "$desc" --time 1700000000
check cmp -s "$tmp/full.bin" "$tmp/again.bin"

# Options add to what the description file gives, after it.
printf 'OSRELEASE=9.9\n' >"$tmp/vmci.txt"
printf 'tiny' >"$tmp/x.cap"
run opts handoff create -o "$tmp/opts.bin" --describe "$desc" --cmdline "pm.zero=skip" \
	--dump-range 0x200000,1M --dump-range 4G,2G --vmcoreinfo "$tmp/vmci.txt" --capsule "$tmp/x.cap"
check rc_is opts 0
run opts_show handoff show "$tmp/opts.bin"
check has opts_show '"dump=serial after=poweroff pm.zero=skip"'
check has opts_show "0x0000000000200000 + 0x100000 (1.0 MiB)"
check has opts_show "0x0000000100000000 + 0x80000000 (2048.0 MiB)"
check has opts_show "OSRELEASE=9.9"
check has opts_show "too short for an EFI_CAPSULE_HEADER"

# ------------------------------------------------------------ --from-system
run efi handoff create -o "$tmp/efi.bin" --from-system --sysfs-root "$data/sysfs-efi"
check rc_is efi 0
check has efi "wrote $tmp/efi.bin: 9 records"
run efi_verify handoff verify "$tmp/efi.bin"
check rc_is efi_verify 0
run efi_show handoff show "$tmp/efi.bin"
check has efi_show "[1] EFI_SYSTAB"
check has efi_show "runtime services 0x7f9eeb98, configuration tables 0x7f9eef18"
check has efi_show "5 entries of 24 bytes"
check has efi_show "0x000000007f8f0000  f2fd1544-9794-4a2c-992e-e5bbcf20e394 (smbios3)"
check has efi_show "originally at 0x7e0a4000, 56 bytes"
check has efi_show "fw_class 6a6a8a1c-6d37-4fa0-9e3c-72f2e3e1e95e"
check has efi_show "type 1, version 0x10002, lowest 0x10000, capsule flags 0x8010"
check has efi_show "RSDP at 0x7fbfa014, 0 bytes copied (address only)"
check has efi_show "entry point at 0x7f8f0000, 24 bytes (SMBIOS 3.x)"
check has efi_show "structure table at 0x7f8e0000, 49 bytes"
check has efi_show "runtime-code  phys 0x000000007f000000 virt 0xfffffffeff000000       16 pages"
check has efi_show "ram           0x0000000000100000 0x000000007ffe0000     2046.9 MiB"
check has efi_show "note at 0x1a3c000, 4096 bytes; no text"

run bios handoff create -o "$tmp/bios.bin" --from-system --sysfs-root "$data/sysfs-bios"
check rc_is bios 0
check has bios "firmware/efi absent: not booted by EFI, no EFI records"
check has bios "wrote $tmp/bios.bin: 4 records"
run bios_show handoff show "$tmp/bios.bin"
check rc_is bios_show 0
check has bios_show "5 entries of 24 bytes"
check has bios_show "entry point at unknown, 31 bytes (SMBIOS 2.x)"
check has bios_show "structure table at 0xf0ab0, 49 bytes"
check sh -c "! grep -q EFI_ '$tmp/bios_show.out'"

# An empty root: every source absent, still a valid block (creator only).
mkdir "$tmp/emptyroot"
run none handoff create -o "$tmp/none.bin" --from-system --sysfs-root "$tmp/emptyroot"
check rc_is none 0
check has none "firmware/memmap absent: no memory map"
run none_verify handoff verify "$tmp/none.bin"
check rc_is none_verify 0

# ------------------------------------------------------------ bad blocks
cp "$tmp/full.bin" "$tmp/flip.bin"
flip "$tmp/flip.bin" 1000
run flip handoff verify "$tmp/flip.bin"
check rc_is flip 1
check has flip "$tmp/flip.bin: NOT TRUSTED: digest mismatch: block says "
run flip_show handoff show "$tmp/flip.bin"
check rc_is flip_show 1
check first_line_is flip_show "^NOT TRUSTED: digest mismatch"
check has flip_show "[11] CAPSULE"		# still shows every record
cp "$tmp/full.bin" "$tmp/magic.bin"
flip "$tmp/magic.bin" 0
run magic handoff verify "$tmp/magic.bin"
check rc_is magic 1
check has magic "bad magic"
head -c 1000 "$tmp/full.bin" >"$tmp/trunc.bin"
run trunc handoff verify "$tmp/trunc.bin"
check rc_is trunc 1
check has trunc "truncated: header says $(wc -c <"$tmp/full.bin") bytes, 1000 present"
run trunc_show handoff show "$tmp/trunc.bin"
check has trunc_show "[3] EFI_CONFIG_TABLES"
check has trunc_show "stopped here"
: >"$tmp/empty.bin"
run empty handoff verify "$tmp/empty.bin"
check rc_is empty 1
check has empty "$tmp/empty.bin: NOT TRUSTED: too short: 0 bytes"
run missing handoff verify "$tmp/nosuch.bin"
check rc_is missing 1
check has missing "$tmp/nosuch.bin: No such file or directory"

# ------------------------------------------------------------ bad input
printf '# ok\nefi-mmap conventional 0x100001 1 0xf\ndump-range 0x1000 0\nfrobnicate\n' >"$tmp/bad.desc"
run baddesc handoff create -o "$tmp/bad.bin" --describe "$tmp/bad.desc"
check rc_is baddesc 1
check has baddesc "$tmp/bad.desc:2: efi-mmap: phys-start is not 4 KiB aligned"
check has baddesc "$tmp/bad.desc:3: dump-range: size is 0"
check has baddesc "$tmp/bad.desc:4: unknown keyword 'frobnicate'"
check [ ! -e "$tmp/bad.bin" ]
printf 'capsule missing.cap\n' >"$tmp/nofile.desc"
run nofile handoff create -o "$tmp/nofile.bin" --describe "$tmp/nofile.desc"
check rc_is nofile 1
check has nofile "$tmp/nofile.desc:1: cannot read $tmp/missing.cap: No such file or directory"
run noout handoff create --describe "$desc"
check rc_is noout 2
check has noout "-o FILE is required"
run badopt handoff create -o "$tmp/x.bin" --frob
check rc_is badopt 2
check has badopt "unknown option '--frob'"
run badrange handoff create -o "$tmp/x.bin" --dump-range 0x1000
check rc_is badrange 2
check has badrange "--dump-range '0x1000': want START,SIZE"
run badrange2 handoff create -o "$tmp/x.bin" --dump-range 0x1000,0
check rc_is badrange2 2
check has badrange2 "dump-range: size is 0"
run badtime handoff create -o "$tmp/x.bin" --time yesterday
check rc_is badtime 2
# Option spellings: "--opt=VALUE" and -oFILE build the same bytes as the
# spaced form; a missing value, a shortened name, an unknown short option,
# an argument (create takes none, not even after "--").
run eqform handoff create -o"$tmp/eq.bin" --describe="$desc" --time=1700000000
check rc_is eqform 0
check cmp -s "$tmp/full.bin" "$tmp/eq.bin"
run eqout handoff create --output="$tmp/eq2.bin" --describe "$desc" --time 1700000000
check rc_is eqout 0
check cmp -s "$tmp/full.bin" "$tmp/eq2.bin"
run novalue handoff create -o "$tmp/x.bin" --describe
check rc_is novalue 2
check has novalue "create: --describe needs a value (see --help)"
run novalue_o handoff create -o
check rc_is novalue_o 2
check has novalue_o "create: -o needs a value"
run prefix handoff create -o "$tmp/x.bin" --from
check rc_is prefix 2
check has prefix "unknown option '--from' (see --help)"
run badshort handoff create -o "$tmp/x.bin" -x
check rc_is badshort 2
check has badshort "unknown option '-x'"
run extra handoff create -o "$tmp/x.bin" -- stray
check rc_is extra 2
check has extra "unexpected argument 'stray'"
check [ ! -e "$tmp/x.bin" ]
# show and verify take no options: named, exit 2; "--" before FILE.
run showopt handoff show --frob "$tmp/full.bin"
check rc_is showopt 2
check has showopt "handoff show: unknown option '--frob'"
check has showopt "usage: postmortem handoff show FILE"
run verifyopt handoff verify -x "$tmp/full.bin"
check rc_is verifyopt 2
check has verifyopt "handoff verify: unknown option '-x'"
run verifydash handoff verify -- "$tmp/full.bin"
check rc_is verifydash 0
check has verifydash "sha256 OK"
run nosub handoff
check rc_is nosub 2
run badsub handoff frob
check rc_is badsub 2
check has badsub "unknown subcommand 'frob'"
run showargs handoff show
check rc_is showargs 2
run help handoff --help
check rc_is help 0
check has help "usage: postmortem handoff create -o FILE"
run tophelp --help
check has tophelp "handoff create|show|verify"

finish handoff_tool_test
