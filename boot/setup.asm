; boot/setup.asm: the real-mode part of build/postmortem.bzImage, and its
; PE/COFF header.
;
; Assembled alone (nasm -f bin) and put in front of build/kernel.bin; the
; Makefile passes SYSSIZE (bytes of kernel.bin), INIT_SIZE (__image_end:
; everything the image needs once running, .bss and .boot included) and
; EFI_ENTRY (pm_efi_entry's offset in the image, boot/efistub.asm).
;
; The setup header (Linux Documentation/arch/x86/boot.rst, protocol 2.15,
; offsets from arch/x86/include/uapi/asm/bootparam.h) is what kexec-tools,
; kexec_file_load, QEMU and bootloaders read; the kexec loaders only use the
; header and start the 64-bit entry at load address + 0x200
; (boot/head.asm).  The 16-bit code runs only when a bootloader or QEMU
; -kernel starts us the old way:
;
; Receives: real mode, CS = setup segment + 0x20, IP = 0, DS = ES = SS =
; setup segment (the 64 KiB the loader gave us: header at 0x1F1), interrupts
; off or on.  The loader has written cmd_line_ptr, ramdisk_* and
; heap_end_ptr into the header in memory.
;
; Does: build a zeroed boot_params at BP_OFF in our segment with the header
; copied in, the BIOS E820 map (INT 15h AX=E820h, up to 128 entries) and VGA
; text screen_info; enable A20; enter 32-bit protected mode with the boot
; protocol's flat segments (CS 0x10, DS 0x18) and jump to code32_start with
; esi = &boot_params, as the 32-bit boot protocol specifies.
;
; PE/COFF (Microsoft PE/COFF specification 11, "PE Format"; UEFI 2.10
; section 2.1.1): the same file is a PE32+ EFI application, so that UEFI
; firmware and boot managers can start it and sbsign/pesign can sign it
; (Authenticode: the certificate table is appended after the last section,
; which Linux's kexec_file_load checks under lockdown).  The MZ header's
; e_lfanew at 0x3C points at the PE header in this first sector, before the
; setup header at 0x1F1.  File and memory layout (docs/boot.md):
;
;   file 0x0000-0x0BFF  headers (SizeOfHeaders): MZ, PE, section table,
;                       setup header, 16-bit code; RVA 0, never run by EFI
;   file 0x0C00-0x0DFF  .sbat   RVA 0x1000  shim's SBAT metadata (CSV)
;   file 0x0E00-0x0FFF  .reloc  RVA 0x2000  one empty base-relocation block:
;                       the image relocates itself (boot/entry64.asm)
;   file 0x1000-...     .text   RVA 0x3000  kernel.bin padded to 512 bytes;
;                       VirtualSize INIT_SIZE, so the loader zeroes .bss and
;                       .boot; AddressOfEntryPoint = 0x3000 + EFI_ENTRY
;
; The bzImage's protected-mode part starts at file offset (setup_sects + 1)
; * 512 = 0x1000 for every other loader, so .text is exactly that part:
; firmware places it 4 KiB-aligned (SectionAlignment) at ImageBase + 0x3000.
; Sections tile the file from SizeOfHeaders to its end without a gap, so
; an Authenticode digest covers every byte but the checksum and the
; certificate table entry (tests/unit/pe_test.c checks the layout).
bits 16
org 0

%define BP_OFF		0x2000		; our boot_params inside the setup segment
%define BP_E820_ENTRIES	0x1E8
%define BP_E820_TABLE	0x2D0
%define E820_MAX	128
%define SMAP		0x534D4150

%define SETUP_SIZE	0x1000		; setup sectors + boot sector: .text starts here
%define HEADERS_SIZE	0x0C00		; SizeOfHeaders
%define SBAT_FILE	0x0C00
%define RELOC_FILE	0x0E00
%define SBAT_RVA	0x1000
%define RELOC_RVA	0x2000
%define TEXT_RVA	0x3000
%define FILE_ALIGN	0x200
%define SECT_ALIGN	0x1000
%define TEXT_RAW	((SYSSIZE + FILE_ALIGN - 1) / FILE_ALIGN * FILE_ALIGN)
%define IMAGE_SIZE	(TEXT_RVA + (INIT_SIZE + SECT_ALIGN - 1) / SECT_ALIGN * SECT_ALIGN)

; MS-DOS header: only e_magic and e_lfanew matter (PE/COFF 2.1).
mz:	db	"MZ"
	times	0x3C - ($ - $$) db 0
	dd	pe_header			; e_lfanew

pe_header:
	db	"PE", 0, 0
	; COFF file header (PE/COFF 3.3)
	dw	0x8664				; Machine: x86-64
	dw	(section_table_end - section_table) / 40	; NumberOfSections
	dd	0				; TimeDateStamp: reproducible
	dd	0				; PointerToSymbolTable
	dd	0				; NumberOfSymbols
	dw	opt_header_end - opt_header	; SizeOfOptionalHeader
	dw	0x0222				; EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE | DEBUG_STRIPPED
opt_header:
	; optional header, PE32+ (PE/COFF 3.4)
	dw	0x020B				; Magic: PE32+
	db	0, 0				; linker version
	dd	TEXT_RAW			; SizeOfCode
	dd	(RELOC_FILE - SBAT_FILE) + FILE_ALIGN	; SizeOfInitializedData (.sbat, .reloc)
	dd	0				; SizeOfUninitializedData (.bss is inside .text)
	dd	TEXT_RVA + EFI_ENTRY		; AddressOfEntryPoint: pm_efi_entry
	dd	TEXT_RVA			; BaseOfCode
	dq	0x100000			; ImageBase (any: the image relocates itself)
	dd	SECT_ALIGN			; SectionAlignment
	dd	FILE_ALIGN			; FileAlignment
	dw	0, 0				; operating system version
	dw	0, 0				; image version
	dw	0, 0				; subsystem version
	dd	0				; Win32VersionValue
	dd	IMAGE_SIZE			; SizeOfImage: .text's VirtualSize covers .bss
	dd	HEADERS_SIZE			; SizeOfHeaders
	dd	0				; CheckSum (not used by UEFI)
	dw	10				; Subsystem: EFI_APPLICATION
	dw	0				; DllCharacteristics
	dq	0, 0, 0, 0			; stack and heap reserve/commit
	dd	0				; LoaderFlags
	dd	16				; NumberOfRvaAndSizes
	; data directories (PE/COFF 3.4.3)
	dq	0				; 0 export
	dq	0				; 1 import
	dq	0				; 2 resource
	dq	0				; 3 exception
	dq	0				; 4 certificate table: sbsign/pesign fill it
	dd	RELOC_RVA, reloc_block_end - reloc_block	; 5 base relocation
	times	10 dq 0				; 6..15
opt_header_end:

; section table (PE/COFF 4): sorted by RVA, which is also file order
section_table:
	db	".sbat", 0, 0, 0
	dd	sbat_end - sbat			; VirtualSize
	dd	SBAT_RVA			; VirtualAddress
	dd	FILE_ALIGN			; SizeOfRawData
	dd	SBAT_FILE			; PointerToRawData
	dd	0, 0				; relocations, line numbers
	dw	0, 0
	dd	0x40000040			; INITIALIZED_DATA | MEM_READ

	db	".reloc", 0, 0
	dd	reloc_block_end - reloc_block	; VirtualSize
	dd	RELOC_RVA			; VirtualAddress
	dd	FILE_ALIGN			; SizeOfRawData
	dd	RELOC_FILE			; PointerToRawData
	dd	0, 0
	dw	0, 0
	dd	0x42000040			; INITIALIZED_DATA | MEM_DISCARDABLE | MEM_READ

	db	".text", 0, 0, 0
	dd	INIT_SIZE			; VirtualSize: image, .bss, .boot
	dd	TEXT_RVA			; VirtualAddress
	dd	TEXT_RAW			; SizeOfRawData
	dd	SETUP_SIZE			; PointerToRawData
	dd	0, 0
	dw	0, 0
	dd	0xE0000020			; CODE | MEM_EXECUTE | MEM_READ | MEM_WRITE
section_table_end:

	times	0x1F1 - ($ - $$) db 0
hdr:
setup_sects:	db	(setup_end - $$ - 512) / 512		; 0x1F1
root_flags:	dw	0				; 0x1F2
syssize:	dd	(SYSSIZE + 15) / 16		; 0x1F4
ram_size:	dw	0				; 0x1F8
vid_mode:	dw	0xFFFF				; 0x1FA: normal
root_dev:	dw	0				; 0x1FC
boot_flag:	dw	0xAA55				; 0x1FE
jump:		jmp	short start_of_setup		; 0x200: byte 0x201 ends the header
header:		db	"HdrS"				; 0x202
version:	dw	0x020F				; 0x206: protocol 2.15
realmode_swtch:	dd	0				; 0x208
start_sys_seg:	dw	0x1000				; 0x20C
kernel_version:	dw	version_str - $$ - 0x200		; 0x20E
type_of_loader:	db	0				; 0x210
loadflags:	db	0x01				; 0x211: LOADED_HIGH
setup_move_size: dw	0x8000				; 0x212
code32_start:	dd	0x100000			; 0x214
ramdisk_image:	dd	0				; 0x218
ramdisk_size:	dd	0				; 0x21C
bootsect_kludge: dd	0				; 0x220
heap_end_ptr:	dw	0				; 0x224
ext_loader_ver:	db	0				; 0x226
ext_loader_type: db	0				; 0x227
cmd_line_ptr:	dd	0				; 0x228
initrd_addr_max: dd	0x7FFFFFFF			; 0x22C
kernel_alignment: dd	0x1000				; 0x230: page tables need 4 KiB
relocatable_kernel: db	1				; 0x234
min_alignment:	db	12				; 0x235
xloadflags:	dw	0x0033				; 0x236: KERNEL_64 | CAN_BE_LOADED_ABOVE_4G | EFI_KEXEC | 5LEVEL
; XLF_5LEVEL: the 64-bit entry copes with 5-level paging (it keeps it).  A
; kernel running 5-level paging refuses kexec_file_load of an image without
; it; XLF_5LEVEL_ENABLED (we turn 5-level paging on ourselves) stays clear.
cmdline_size:	dd	4095				; 0x238
hardware_subarch: dd	0				; 0x23C
hardware_subarch_data: dq 0				; 0x240
payload_offset:	dd	0				; 0x248
payload_length:	dd	0				; 0x24C
setup_data:	dq	0				; 0x250
pref_address:	dq	0x100000			; 0x258
init_size:	dd	INIT_SIZE			; 0x260
handover_offset: dd	0				; 0x264
kernel_info_offset: dd	0				; 0x268
hdr_end:

; kexec-tools copies at most 0x7F bytes after 0x202 (docs/interfaces.md); the
; jump displacement at 0x201 (0x6A here) says how many the header has.

start_of_setup:
	cli
	cld
	mov	ax, ds
	mov	es, ax
	mov	ss, ax
	; stack: below the loader's heap end when it gave one, else top of segment
	mov	sp, 0xFFF0
	test	byte [loadflags], 0x80		; CAN_USE_HEAP
	jz	.stack_ok
	mov	sp, [heap_end_ptr]
	add	sp, 0x200 - 16
.stack_ok:
	push	ds
	push	.normalised
	retf					; CS = DS, IP = file offset
.normalised:
	; boot_params: zeroed, then the header as the loader left it
	mov	di, BP_OFF
	mov	cx, 2048
	xor	ax, ax
	rep stosw
	mov	si, hdr
	mov	di, BP_OFF + 0x1F1
	mov	cx, hdr_end - hdr
	rep movsb

	; A20 through the system control port A (fast A20)
	in	al, 0x92
	or	al, 2
	and	al, 0xFE
	out	0x92, al

	call	e820

	; screen_info: VGA text, cursor where the BIOS left it (INT 10h AH=03h)
	mov	ah, 0x03
	xor	bh, bh
	int	0x10
	mov	[BP_OFF + 0x00], dl		; orig_x
	mov	[BP_OFF + 0x01], dh		; orig_y
	mov	byte [BP_OFF + 0x06], 3		; orig_video_mode
	mov	byte [BP_OFF + 0x07], 80	; orig_video_cols
	mov	byte [BP_OFF + 0x0E], 25	; orig_video_lines
	mov	byte [BP_OFF + 0x0F], 0x22	; orig_video_isVGA = VIDEO_TYPE_VGAC

	; protected mode with the boot protocol's flat segments
	cli
	xor	eax, eax
	mov	ax, ds
	shl	eax, 4				; eax = linear base of our segment
	lea	edx, [eax + gdt]
	mov	[gdtr + 2], edx
	lgdt	[gdtr]
	mov	ecx, [BP_OFF + 0x214]		; code32_start, as the loader set it
	mov	[farptr], ecx
	lea	ebx, [eax + farptr]
	lea	esi, [eax + BP_OFF]
	mov	eax, cr0
	or	al, 1
	mov	cr0, eax
	mov	ax, 0x18
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	fs, ax
	mov	gs, ax
	xor	ebp, ebp
	xor	edi, edi
	jmp	dword far [ebx]

; INT 15h AX=E820h into boot_params.e820_table (ACPI 6.5 section 15.1).
e820:
	xor	ebx, ebx
	xor	bp, bp
	mov	di, BP_OFF + BP_E820_TABLE
.next:	mov	eax, 0xE820
	mov	edx, SMAP
	mov	ecx, 20
	int	0x15
	jc	.done
	cmp	eax, SMAP
	jne	.done
	cmp	ecx, 20
	jb	.skip
	inc	bp
	add	di, 20
.skip:	test	ebx, ebx
	jz	.done
	cmp	bp, E820_MAX
	jb	.next
.done:	mov	ax, bp
	mov	[BP_OFF + BP_E820_ENTRIES], al
	ret

align 8
gdt:	dq	0
	dq	0
	dq	0x00CF9A000000FFFF		; 0x10: 32-bit code, flat
	dq	0x00CF92000000FFFF		; 0x18: data, flat
gdt_end:
gdtr:	dw	gdt_end - gdt - 1
	dd	0
farptr:	dd	0
	dw	0x10

version_str:	db	"postmortem ", VERSION_STR, 0

	; the 16-bit code and data must end before the sections' raw data
	times	HEADERS_SIZE - ($ - $$) db 0

; .sbat (shim's SBAT, https://github.com/rhboot/shim/blob/main/SBAT.md):
; the format's own line, then postmortem's generation 1.
sbat:	db	"sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md", 10
	db	"postmortem,1,postmortem,postmortem,", VERSION_STR, ",docs/secure-boot.md", 10
sbat_end:
	times	RELOC_FILE - ($ - $$) db 0

; .reloc: one base-relocation block (PE/COFF 6.6) for the page at .text
; with two IMAGE_REL_BASED_ABSOLUTE entries, which loaders skip.  Loaders
; that move an image want the directory present; there is nothing to fix
; up, as the image applies its own relocations wherever it runs.
reloc_block:
	dd	TEXT_RVA			; PageRVA
	dd	reloc_block_end - reloc_block	; BlockSize
	dw	0, 0				; type 0 (ABSOLUTE), padding to 32 bits
reloc_block_end:
	times	SETUP_SIZE - ($ - $$) db 0
setup_end:
