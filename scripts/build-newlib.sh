#!/bin/sh
# Build newlib's libc for postmortem's freestanding x86-64 kernel, from
# Debian's newlib-source tarball, with the host gcc and the kernel's code
# model (position independent, no red zone, no stack protector).
#
#   scripts/build-newlib.sh CACHE_DIR
#
# Installs headers and libc.a under CACHE_DIR/newlib/{include,lib}; does
# nothing when CACHE_DIR/newlib/lib/libc.a already exists.  The cache is
# never tracked by git (see .gitignore).
set -eu
cache=$(mkdir -p "${1:?usage: build-newlib.sh CACHE_DIR}" && cd "$1" && pwd)
out="$cache/newlib"
# Rebuilt when this script (its flags and options) changes.
stamp=$(sha256sum "$0" | cut -c1-16)
[ -f "$out/lib/libc.a" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ] && exit 0
tarball=$(ls /usr/src/newlib/newlib-*.tar.* 2>/dev/null | head -n 1)
if [ -z "$tarball" ]; then
	echo "build-newlib: no newlib source under /usr/src/newlib (install Debian's newlib-source)" >&2
	exit 1
fi
work="$cache/newlib-build"
rm -rf "$work"
mkdir -p "$work/src" "$work/obj"
echo "build-newlib: unpacking $tarball"
tar -xf "$tarball" -C "$work/src" --strip-components=1
# Our flags: the kernel is a static PIE running with interrupts off and
# exceptions on their own stack; newlib's reentrancy is not needed (one CPU,
# one thread) and its syscalls come from kernel/syscalls.c.
cflags="-O2 -g -fPIE -mno-red-zone -fno-stack-protector -ffunction-sections -fdata-sections -fno-builtin -fvisibility=hidden -fcf-protection=none"
cd "$work/obj"
echo "build-newlib: configuring (log: $work/build.log)"
"$work/src/configure" \
	--target=x86_64-elf --prefix="$work/install" \
	--disable-multilib --disable-newlib-supplied-syscalls \
	--disable-newlib-multithread --enable-newlib-nano-malloc \
	--disable-newlib-io-float --enable-newlib-io-long-long --enable-newlib-io-c99-formats \
	--disable-nls --enable-lite-exit \
	CC_FOR_TARGET=gcc AR_FOR_TARGET=ar AS_FOR_TARGET=as LD_FOR_TARGET=ld \
	RANLIB_FOR_TARGET=ranlib NM_FOR_TARGET=nm OBJDUMP_FOR_TARGET=objdump \
	CFLAGS_FOR_TARGET="$cflags" >"$work/build.log" 2>&1
echo "build-newlib: compiling libc (a few minutes, once)"
make -j"$(nproc)" all-target-newlib >>"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 1; }
make install-target-newlib >>"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 1; }
mkdir -p "$out"
rm -rf "$out/include" "$out/lib"
cp -r "$work/install/x86_64-elf/include" "$out/include"
mkdir -p "$out/lib"
cp "$work/install/x86_64-elf/lib/libc.a" "$work/install/x86_64-elf/lib/libm.a" "$out/lib/"
echo "$stamp" > "$out/stamp"
rm -rf "$work"
echo "build-newlib: done: $out/lib/libc.a"
