# Helpers for the tests of the tools' output files (tools/outfile.h), POSIX
# sh; source after lib.sh or a test's own $tmp/check/run:
#   no_temps DIR NAME    no temporary .NAME.XXXXXX left behind in DIR
#   mode_is FILE MODE    FILE's permission bits are MODE (600)
#   null_intact          /dev/null is still the character device 1,3 (if not,
#                        it is made again, and the check fails)
#   fifo_read FIFO OUT   a reader copying FIFO to OUT in the background
#                        ($fifo_pid; `wait $fifo_pid`; it gives up after 10
#                        minutes so that a writer that never comes cannot hang
#                        make test)
#   small_fs DIR [SIZE]  a tmpfs of SIZE (1M) mounted on DIR (root only); false, with
#                        the reason printed, when it cannot be mounted
#   small_fs_done DIR    unmount it
no_temps() {
	! ls -A "$1" | grep -q "^\.$2\.[a-z0-9]\{6\}\$" || { ls -A "$1"; false; }
}

mode_is() {
	[ "$(stat -c %a "$1")" = "$2" ] || { echo "$1: mode $(stat -c %a "$1"), want $2"; false; }
}

null_intact() {
	[ -c /dev/null ] && [ "$(stat -c %t,%T /dev/null)" = 1,3 ] && return 0
	rm -f /dev/null
	mknod -m 666 /dev/null c 1 3
	echo "/dev/null was replaced or removed (made again)"
	false
}

fifo_read() {
	timeout 600 cat "$1" >"$2" &
	fifo_pid=$!
}

small_fs() {
	mkdir -p "$1"
	if [ "$(id -u)" != 0 ]; then
		echo "SKIPPED (not counted): the free-space tests need root to mount a tmpfs"
		return 1
	fi
	mount -t tmpfs -o "size=${2:-1M}" tmpfs "$1" 2>"$tmp/mount.err" && return 0
	echo "SKIPPED (not counted): cannot mount a tmpfs: $(cat "$tmp/mount.err")"
	return 1
}

small_fs_done() { umount "$1"; }
