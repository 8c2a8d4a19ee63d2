#!/bin/sh
# `postmortem expand` writes its output like savecore and recv do
# (tools/outfile.h): a new file beside VMCORE, mode 0600, renamed over it;
# a link planted at the old intermediate name VMCORE.expand is not
# followed, a link given as VMCORE is refused, a FIFO is refused and kept,
# a file cut short exits 4 (a partial dump is never exit 0), too little
# space is refused before anything is written.  (savecore's and recv's
# outputs: the end of savecore_tool_test.sh, savecore_fat_tool_test.sh and
# dump_tool_test.sh.)
#   tests/outfile_tool_test.sh build/postmortem
# Ends with "outfile_tool_test: N passed, N failed"; exits 1 on a failure.
tool=${1:?usage: outfile_tool_test.sh TOOL}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outfile_lib.sh"

o=$tmp/out
mkdir "$o"
python3 "$root/tests/tools/vmcore_same.py" --make "$tmp/c.elf"

# mode 0600 whatever the umask; no temporary left
cp "$tmp/c.elf" "$o/x.elf"
chmod 644 "$o/x.elf"
(umask 0; run expand_mode expand "$o/x.elf")
check rc_is expand_mode 0
check has expand_mode "zero pages written as holes"
check mode_is "$o/x.elf" 600
check no_temps "$o" x.elf
check python3 "$root/tests/tools/vmcore_same.py" "$tmp/c.elf" "$o/x.elf" --whole

# a link planted at X.expand is not followed, the victim unchanged
echo victim >"$tmp/victim"
cp "$tmp/c.elf" "$o/p.elf"
ln -s "$tmp/victim" "$o/p.elf.expand"
run planted_expand_link expand "$o/p.elf"
check rc_is planted_expand_link 0
check [ "$(cat "$tmp/victim")" = victim ]
check [ -L "$o/p.elf.expand" ]
check python3 "$root/tests/tools/vmcore_same.py" "$tmp/c.elf" "$o/p.elf" --whole

# a link as VMCORE is refused: neither it nor the file it names changes
cp "$tmp/c.elf" "$tmp/real.elf"
ln -s "$tmp/real.elf" "$o/l.elf"
run target_link_refused expand "$o/l.elf"
check rc_is target_link_refused 1
check has target_link_refused "a symbolic link; not followed"
check [ -L "$o/l.elf" ]
check cmp -s "$tmp/real.elf" "$tmp/c.elf"

# a FIFO (nothing to expand in place) is refused and kept
mkfifo "$o/fifo"
timeout 600 "$tool" expand "$o/fifo" >"$tmp/fifo_refused_kept.out" 2>&1	# never waits for a writer
echo $? >"$tmp/fifo_refused_kept.rc"
check rc_is fifo_refused_kept 1
check has fifo_refused_kept "not a regular file"
check [ -p "$o/fifo" ]

# cut short: left as it was, exit 4; with a failing file too, 1 wins
head -c 5000 "$tmp/c.elf" >"$o/cut.elf"
cp "$o/cut.elf" "$tmp/cut.ref"
run cut_exit_4 expand "$o/cut.elf"
check rc_is cut_exit_4 4
check has cut_exit_4 "is cut short: left compact"
check cmp -s "$o/cut.elf" "$tmp/cut.ref"
printf '%0200d' 0 >"$o/junk"
run cut_and_junk expand "$o/cut.elf" "$o/junk"
check rc_is cut_and_junk 1

# too little space for the expanded copy: refused, the file as it was
if small_fs "$o/small" 24k; then
	cp "$tmp/c.elf" "$o/small/s.elf" 2>/dev/null
	if [ -s "$o/small/s.elf" ] && cmp -s "$o/small/s.elf" "$tmp/c.elf"; then
		run no_space expand "$o/small/s.elf"
		check rc_is no_space 1
		check has no_space "not enough free space: the output needs"
		check cmp -s "$o/small/s.elf" "$tmp/c.elf"
		check [ "$(ls -A "$o/small")" = s.elf ]
	else
		echo "SKIPPED (not counted): the core file does not fit a 24 KiB tmpfs"
	fi
	small_fs_done "$o/small"
fi

finish outfile_tool_test
