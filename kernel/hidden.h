/*
 * Included first in every kernel translation unit (-include): every symbol
 * gets hidden visibility, so the static PIE kernel has no GOT or PLT and
 * every reference is PC-relative.  linker.ld asserts the result.
 */
#pragma GCC visibility push(hidden)
