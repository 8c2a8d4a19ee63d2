#!/bin/sh
# mkfont.sh OUT.c: generate the 8x16 console font the framebuffer console
# (drivers/fbcon.c) draws with, as `const unsigned char font8x16[256][16]`
# (declared in drivers/font.h), from a PC Screen Font that Debian ships.
# The font is never committed to our tree; the Makefile runs this into build/.
#
# Code points: index i holds the glyph for byte i read as code page 437, the
# VGA text-mode character set, so drivers/vgatext.c and drivers/fbcon.c
# show the same picture for the same byte.  PSF fonts order glyphs their own
# way (console-setup's put a copyright sign at glyph 0), so the script does
# not take the first 256 glyphs: it reads the font's Unicode table and looks
# up each CP437 byte's Unicode scalar.  A font without a table is taken to be
# in CP437 order already (kbd's default8x16.psfu).  Either way, ASCII is
# sanity-checked before anything is written (blank space, 62 distinct
# letters and digits, '_' and '.' low, '-' in the middle).  Half blocks and
# the dark shade, which console-setup's fonts lack, are drawn here; NUL is
# blank; other missing glyphs become U+FFFD (a warning names printable ones;
# the CP437 dingbats at 0x01-0x1F may be stand-ins, as the consoles never
# draw control bytes).
#
# Formats (kbd's doc/font-formats, "The PSF font file format"):
#   PSF1: 36 04 | mode | charsize, then 256 or 512 (mode bit 0) glyphs of
#         charsize bytes; with a table (mode 0x02/0x04) each glyph's entry is
#         u16le code points, 0xFFFE opening sequences, 0xFFFF ending it.
#   PSF2: 72 b5 4a 86 | u32le version, headersize, flags, length, charsize,
#         height, width; glyphs at headersize; with a table (flags bit 0)
#         each entry is UTF-8, 0xFE opening sequences, 0xFF ending it.
# Glyph rows are one byte each here (width 8), most significant bit leftmost.
#
# Environment: MKFONT_FONT=path picks a font file (.psf, .psfu, or gzipped);
# otherwise the first of $FONT_CANDIDATES found in /usr/share/consolefonts.
# Needs only POSIX sh, od, awk, gzip; dpkg-query and sha256sum when present
# (for the provenance comment).
set -eu

out=${1:?usage: scripts/mkfont.sh OUT.c}
fontdir=/usr/share/consolefonts
# Uni2-VGA16 (console-setup-linux, which Debian's kbd pulls in) is the IBM
# VGA face and covers all of CP437; default8x16 is kbd upstream's.
FONT_CANDIDATES="Uni2-VGA16.psf.gz default8x16.psfu.gz default8x16.psf.gz"

font=${MKFONT_FONT:-}
if [ -z "$font" ]; then
	for f in $FONT_CANDIDATES; do
		if [ -r "$fontdir/$f" ]; then
			font=$fontdir/$f
			break
		fi
	done
fi
if [ -z "$font" ] || [ ! -r "$font" ]; then
	echo "mkfont: no 8x16 console font (${font:-tried $FONT_CANDIDATES in $fontdir}):" \
		"install Debian's kbd package (apt-get install kbd console-setup-linux)" >&2
	exit 1
fi

# Provenance for the generated file's header.
pkg=unknown
if command -v dpkg-query >/dev/null 2>&1; then
	p=$(dpkg-query -S "$font" 2>/dev/null | sed -n '1s/:.*//p') || p=
	if [ -n "$p" ]; then
		pkg="$p $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo '?')"
	fi
fi
sum=unknown
if command -v sha256sum >/dev/null 2>&1; then
	sum=$(sha256sum <"$font" | cut -d' ' -f1)
fi

tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT HUP INT TERM
mkdir -p "$(dirname "$out")"

# gzip -dcf passes an uncompressed font through unchanged.
gzip -dcf "$font" | od -An -v -tu1 | awk -v font="$font" -v pkg="$pkg" -v sum="$sum" '
function die(msg) { print "mkfont: " font ": " msg > "/dev/stderr"; failed = 1; exit 1 }
function u16(o) { return b[o] + 256 * b[o + 1] }
function u32(o) { return u16(o) + 65536 * u16(o + 2) }
function bit(v, k) { return int(v / 2 ^ k) % 2 }
# map[ucs] = first glyph listing it; sequences (after the marker) are skipped.
function psf1_table(off,    g, u, inseq) {
	for (g = 0; g < nglyph; g++) {
		inseq = 0
		for (;;) {
			if (off + 1 >= n) die("unicode table truncated at glyph " g)
			u = u16(off); off += 2
			if (u == 65535) break
			if (u == 65534) inseq = 1
			if (!inseq && !(u in map)) map[u] = g
		}
	}
}
function psf2_table(off,    g, c, u, k, inseq) {
	for (g = 0; g < nglyph; g++) {
		inseq = 0
		for (;;) {
			if (off >= n) die("unicode table truncated at glyph " g)
			c = b[off++]
			if (c == 255) break
			if (c == 254) { inseq = 1; continue }
			# UTF-8: lead byte gives the length; continuation bits append.
			if (c < 128) { u = c; k = 0 }
			else if (c >= 240) { u = c - 240; k = 3 }
			else if (c >= 224) { u = c - 224; k = 2 }
			else if (c >= 192) { u = c - 192; k = 1 }
			else die("bad UTF-8 in unicode table at glyph " g)
			for (; k > 0; k--) {
				if (off >= n || b[off] < 128 || b[off] >= 192)
					die("bad UTF-8 in unicode table at glyph " g)
				u = u * 64 + b[off++] - 128
			}
			if (!inseq && !(u in map)) map[u] = g
		}
	}
}
function row(c, r) { return glyph[c] == -2 ? synrow[c, r] : b[gbase + glyph[c] * charsize + r] }
# Block elements are geometry, not type design: draw them when the font has
# none (Uni2-VGA16 lacks U+2580/2584/258C/2590/2593).  Returns 0
# for any other code point.
function synth(c, u,    r, v) {
	for (r = 0; r < 16; r++) {
		if (u == 9600) v = (r < 8) ? 255 : 0		# U+2580 upper half
		else if (u == 9604) v = (r < 8) ? 0 : 255	# U+2584 lower half
		else if (u == 9612) v = 240			# U+258C left half
		else if (u == 9616) v = 15			# U+2590 right half
		else if (u == 9619) v = (r % 2) ? 119 : 221	# U+2593 dark shade, as VGA
		else return 0
		synrow[c, r] = v
	}
	glyph[c] = -2
	drawn = drawn sprintf(" U+%04X", u)
	return 1
}
function blank(c,    r) { for (r = 0; r < 16; r++) if (row(c, r)) return 0; return 1 }
# 1 when character c has ink only in rows lo..hi.
function inkonly(c, lo, hi,    r) {
	for (r = 0; r < 16; r++) if ((r < lo || r > hi) && row(c, r)) return 0
	return !blank(c)
}
function picture(c,    r, k, s, v) {
	s = ""
	for (r = 0; r < 16; r++) {
		v = row(c, r); s = s " *   "
		for (k = 7; k >= 0; k--) s = s (bit(v, k) ? "#" : ".")
		s = s "\n"
	}
	return s
}
{ for (i = 1; i <= NF; i++) b[n++] = $i + 0 }
END {
	if (failed) exit 1
	if (n >= 4 && b[0] == 54 && b[1] == 4) {
		format = "PSF1"; mode = b[2]; charsize = b[3]; gbase = 4
		nglyph = bit(mode, 0) ? 512 : 256
		height = charsize; width = 8
		hastab = bit(mode, 1) || bit(mode, 2)
	} else if (n >= 32 && b[0] == 114 && b[1] == 181 && b[2] == 74 && b[3] == 134) {
		format = "PSF2"; gbase = u32(8); hastab = bit(u32(12), 0)
		nglyph = u32(16); charsize = u32(20); height = u32(24); width = u32(28)
	} else {
		die("not a PC Screen Font (no PSF1 or PSF2 magic)")
	}
	if (width != 8 || height != 16 || charsize != 16)
		die("not an 8x16 font (" format " width " width " height " height " charsize " charsize ")")
	if (nglyph < 256 && !hastab) die("only " nglyph " glyphs and no unicode table")
	if (gbase + nglyph * charsize > n) die("glyph data truncated (" n " bytes)")
	if (hastab && format == "PSF1") psf1_table(gbase + nglyph * charsize)
	if (hastab && format == "PSF2") psf2_table(gbase + nglyph * charsize)

	# CP437 byte -> Unicode; 0x01-0x1F and 0x7F are the graphic forms VGA shows.
	split("263A 263B 2665 2666 2663 2660 2022 25D8 25CB 25D9 2642 2640 266A 266B 263C " \
	    "25BA 25C4 2195 203C 00B6 00A7 25AC 21A8 2191 2193 2192 2190 221F 2194 25B2 25BC", lo, " ")
	split("00C7 00FC 00E9 00E2 00E4 00E0 00E5 00E7 00EA 00EB 00E8 00EF 00EE 00EC 00C4 00C5 " \
	    "00C9 00E6 00C6 00F4 00F6 00F2 00FB 00F9 00FF 00D6 00DC 00A2 00A3 00A5 20A7 0192 " \
	    "00E1 00ED 00F3 00FA 00F1 00D1 00AA 00BA 00BF 2310 00AC 00BD 00BC 00A1 00AB 00BB " \
	    "2591 2592 2593 2502 2524 2561 2562 2556 2555 2563 2551 2557 255D 255C 255B 2510 " \
	    "2514 2534 252C 251C 2500 253C 255E 255F 255A 2554 2569 2566 2560 2550 256C 2567 " \
	    "2568 2564 2565 2559 2558 2552 2553 256B 256A 2518 250C 2588 2584 258C 2590 2580 " \
	    "03B1 00DF 0393 03C0 03A3 03C3 00B5 03C4 03A6 0398 03A9 03B4 221E 03C6 03B5 2229 " \
	    "2261 00B1 2265 2264 2320 2321 00F7 2248 00B0 2219 00B7 221A 207F 00B2 25A0 00A0", hi, " ")
	for (k = 0; k < 16; k++) hexval[substr("0123456789ABCDEF", k + 1, 1)] = k
	for (c = 0; c < 256; c++) {
		if (c == 0) hex = "0000"
		else if (c < 32) hex = lo[c]
		else if (c == 127) hex = "2302"
		else if (c < 127) hex = ""
		else hex = hi[c - 127]
		u = c
		if (hex != "") { u = 0; for (k = 1; k <= 4; k++) u = u * 16 + hexval[substr(hex, k, 1)] }
		ucs[c] = u
		if (!hastab) glyph[c] = c
		else if (c == 0) glyph[c] = (32 in map) ? map[32] : -1
		else if (u in map) glyph[c] = map[u]
		else if (!synth(c, u)) glyph[c] = -1
		# The consoles interpret or drop control bytes, so only a missing
		# printable glyph is worth a warning.
		if (glyph[c] == -1 && c >= 32 && c != 127)
			missing = missing sprintf(" %02X(U+%04X)", c, u)
	}
	# A code point the font lacks shows as U+FFFD, else "?".
	if (hastab) {
		sub_g = (65533 in map) ? map[65533] : glyph[63]
		if (sub_g < 0) die("font has no glyph for \"?\"")
		for (c = 0; c < 256; c++) if (glyph[c] == -1) glyph[c] = sub_g
		if (missing != "")
			print "mkfont: " font ": no glyph for" missing "; using a stand-in" > "/dev/stderr"
	}

	# Sanity: catch a wrong offset or a non-ASCII order before we write it.
	if (!blank(32)) die("space is not blank: glyph order is not ASCII")
	chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for (k = 1; k <= length(chars); k++) {
		c = 47 + k; if (k > 10) c = 54 + k; if (k > 36) c = 60 + k
		if (blank(c)) die(sprintf("glyph for 0x%02X is blank", c))
		key = ""; for (r = 0; r < 16; r++) key = key "," row(c, r)
		if (key in seen) die(sprintf("glyphs 0x%02X and 0x%02X are identical", seen[key], c))
		seen[key] = c
	}
	if (!inkonly(95, 10, 15)) die("\"_\" is not at the bottom: glyph order is not ASCII")
	if (!inkonly(46, 8, 15)) die("\".\" is not in the lower half: glyph order is not ASCII")
	if (!inkonly(45, 4, 11)) die("\"-\" is not in the middle: glyph order is not ASCII")

	print "/*"
	print " * GENERATED by scripts/mkfont.sh: do not edit, do not commit."
	print " *"
	print " * 8x16 console font for drivers/fbcon.c, indexed by code page 437 byte"
	print " * (the VGA text-mode set); each glyph is 16 rows of one byte, most"
	print " * significant bit leftmost.  Declared in drivers/font.h."
	print " *"
	print " * Source: " font " (" format ", " nglyph " glyphs" (hastab ? ", unicode table" : "") ")"
	print " * Package: " pkg " (licence: /usr/share/doc/<package>/copyright)"
	print " * SHA-256: " sum
	if (drawn != "") print " * Drawn by the script (block elements the font lacks):" drawn
	print " *"
	print " * 0x41 \"A\" as drawn:"
	printf "%s", picture(65)
	print " */"
	print "/* No #include: this file stands alone; drivers/font.h declares the same type. */"
	print "const unsigned char font8x16[256][16] = {"
	for (c = 0; c < 256; c++) {
		s = ""
		for (r = 0; r < 16; r++) s = s sprintf("0x%02x,", row(c, r))
		desc = (c > 32 && c < 127 && c != 42 && c != 47 && c != 92) ? sprintf(" \"%c\"", c) : ""
		printf "\t{%s}, /* 0x%02X U+%04X%s */\n", s, c, ucs[c], desc
	}
	print "};"
}' >"$tmp"

mv "$tmp" "$out"
trap - EXIT HUP INT TERM
