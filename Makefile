# postmortem: one non-recursive Makefile.  Outputs only under build/;
# third-party code (newlib, mbedTLS) comes from Debian's packages into
# .cache/, never into the tree.  Targets: all test fuzz bench run qemu
# qemu-gdb iso clean (see README.md).
MAKEFLAGS += -rR
.SUFFIXES:
.DELETE_ON_ERROR:
SHELL := /bin/bash

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
B := build
CACHE := .cache
NEWLIB := $(CACHE)/newlib

CC := gcc
HOSTCC := gcc
FUZZCC := clang
NASM := nasm
LD := ld
OBJCOPY := objcopy

# ---------------------------------------------------------------- sources
# Pure code (docs/architecture.md, "Layers"): every C file in crypto/,
# formats/ and payload/.  It builds once per flavour into a static archive,
# libpure.a, that the kernel, the host tool, the unit tests, the fuzzers
# and the test generators link:
#   $(B)/k/libpure.a     kernel: freestanding, newlib (KCFLAGS)
#   $(B)/tool/libpure.a  host tool and test generators: gcc (HOSTCFLAGS)
#   $(B)/san/libpure.a   unit tests and corpus replays: gcc with ASan/UBSan
#   $(B)/fz/libpure.a    libFuzzer targets: clang with coverage, ASan/UBSan
PURE_DIRS := crypto formats payload
PURE_SRCS := $(sort $(wildcard $(addsuffix /*.c,$(PURE_DIRS))))

KERNEL_SRCS := \
	kernel/main.c \
	kernel/bootinfo.c \
	kernel/efistub.c \
	kernel/context.c \
	kernel/inventory.c \
	kernel/xen.c \
	kernel/console.c \
	kernel/cpu.c \
	kernel/trap.c \
	kernel/after.c \
	kernel/efirt.c \
	kernel/efirt_vars.c \
	kernel/platform.c \
	kernel/smp.c \
	kernel/syscalls.c \
	drivers/uart16550.c \
	drivers/vgatext.c \
	drivers/fbcon.c \
	drivers/reset.c \
	drivers/clock.c \
	drivers/pci.c \
	drivers/virtio_blk.c \
	drivers/ahci.c \
	drivers/nvme.c \
	kernel/iommu.c \
	kernel/devices.c \
	kernel/progress.c \
	kernel/dump.c \
	kernel/physread.c \
	kernel/kdump.c \
	kernel/phasemem.c \
	kernel/kcompress.c \
	kernel/dumpsink.c \
	kernel/fatsink.c \
	kernel/encsink.c \
	kernel/mbedtls_gcm.c \
	kernel/filesink.c \
	kernel/esp.c \
	kernel/capsule_stage.c \
	kernel/blkdev_registry.c \
	kernel/libc.c \
	drivers/rtc.c

BOOT_SRCS := \
	boot/head.asm \
	boot/entry32.asm \
	boot/entry64.asm \
	boot/efistub.asm \
	boot/isr.asm \
	boot/smp_tramp.asm

TOOL_SRCS := \
	tools/postmortem.c \
	tools/handoff.c \
	tools/handoff_describe.c \
	tools/handoff_sysfs.c \
	tools/handoff_show.c \
	tools/savecore.c \
	tools/savecore_save.c \
	tools/savecore_fat.c \
	tools/savecore_file.c \
	tools/dumpfile.c \
	tools/dumpfile_state.c \
	tools/textesc.c \
	tools/fileblk.c \
	tools/recv.c \
	tools/inspect.c \
	tools/spans.c \
	tools/fatcmd.c \
	tools/capsulecmd.c \
	tools/varstorecmd.c \
	tools/load.c \
	tools/loadsig.c \
	tools/xen.c \
	tools/vmcore_expand.c \
	tools/compress.c \
	tools/opts.c \
	tools/outfile.c \
	tools/enckey.c

# mbedTLS: Debian's libmbedcrypto.a objects, linked as they are: SHA-256,
# and AES for encrypted dumps (aes, and aesni: AES-NI only where CPUID has
# it).  GCM itself is crypto/gcm_fast.c behind kernel/mbedtls_gcm.c (the
# mbedtls_gcm_* calls crypto/aesgcm.c makes), not gcm.c.o: docs/encryption.md.
MBEDTLS_A := /usr/lib/x86_64-linux-gnu/libmbedcrypto.a
MBEDTLS_OBJS := sha256.c.o platform_util.c.o aes.c.o aesni.c.o
# LZO: pages are compressed by formats/lzopage.c (postmortem's own LZO1X
# encoder: docs/compression.md); Debian's liblzo2 is only the host tests'
# decompressor, the one makedumpfile and crash read the pages with.
# zstd and zlib: Debian's libzstd.a and libz.a, linked as archives (the
# linker takes only the members formats/pagecomp.c reaches: the one-shot
# compressors, never their decompressors or zstd's threads).  pagecomp
# gives them their memory; docs/compression.md has what each costs.
ZSTD_A := /usr/lib/x86_64-linux-gnu/libzstd.a
ZLIB_A := /usr/lib/x86_64-linux-gnu/libz.a
# zstd's match finders for the strategies pagecomp never uses: traps in
# their place (scripts/zstd-traps.sh), so the linker leaves them out.
ZSTD_UNUSED := zstd_lazy.o zstd_opt.o zstd_double_fast.o

# ---------------------------------------------------------------- flags
# Kernel: freestanding static PIE at link address 0, relocated by itself.
KCFLAGS := \
	-std=gnu11 \
	-O2 -g \
	-ffreestanding \
	-fPIE \
	-mno-red-zone \
	-fno-stack-protector \
	-fcf-protection=none \
	-fno-asynchronous-unwind-tables \
	-ffunction-sections -fdata-sections \
	-include kernel/hidden.h \
	-Wall -Wextra -Wshadow -Wvla -Werror \
	-I. -isystem $(NEWLIB)/include \
	-DPM_VERSION=\"$(VERSION)\" \
	-MMD -MP
# -mno-red-zone: exceptions arrive on the interrupted stack's neighbour (IST),
# but firmware calls and future nested handlers must not clobber leaf frames.
# -include kernel/hidden.h: hidden visibility everywhere, so no GOT or PLT.

KLDFLAGS := -static -pie --no-dynamic-linker -z noexecstack -z norelro --no-warn-rwx-segments \
	--gc-sections -T linker.ld --build-id=none

HOSTCFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Wshadow -Wvla -Werror -I. \
	-DPM_VERSION=\"$(VERSION)\" -MMD -MP
HOSTLIBS := -lmbedcrypto -llzo2 -lzstd -lz
TESTCFLAGS := $(HOSTCFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZCFLAGS := -g -O1 -I. -fsanitize=fuzzer,address,undefined
# Objects a fuzzer links (its library, the host tool's sources): coverage
# and sanitizers, libFuzzer's main only at the final link.
FUZZOBJCFLAGS := -g -O1 -I. -fsanitize=fuzzer-no-link,address,undefined \
	-DPM_VERSION=\"$(VERSION)\" -MMD -MP

NASMFLAGS := -f elf64 -w+all -I boot/

# ---------------------------------------------------------------- objects
KOBJS := $(patsubst %.c,$(B)/k/%.o,$(KERNEL_SRCS)) $(patsubst %.asm,$(B)/k/%.o,$(BOOT_SRCS)) \
	$(B)/k/font.o $(addprefix $(B)/k/mbedtls/,$(MBEDTLS_OBJS)) \
	$(B)/k/zstd_traps.o
TOOL_OBJS := $(patsubst %.c,$(B)/tool/%.o,$(TOOL_SRCS))

LIBPURE_K := $(B)/k/libpure.a
LIBPURE_TOOL := $(B)/tool/libpure.a
LIBPURE_SAN := $(B)/san/libpure.a
LIBPURE_FZ := $(B)/fz/libpure.a

UNIT_NAMES := $(patsubst tests/unit/%_test.c,%,$(wildcard tests/unit/*_test.c))
UNIT_TESTS := $(addprefix $(B)/host/,$(addsuffix _test,$(UNIT_NAMES)))
FUZZ_NAMES := $(patsubst tests/fuzz/%_fuzz.c,%,$(wildcard tests/fuzz/*_fuzz.c))
FUZZ_REPLAYS := $(addprefix $(B)/host/,$(addsuffix _replay,$(FUZZ_NAMES)))
FUZZERS := $(addprefix $(B)/fuzz/,$(addsuffix _fuzz,$(FUZZ_NAMES)))
# Programs the shell tests (tests/*_tool_test.sh) write their inputs with.
TEST_GENS := $(B)/host/mkstream $(B)/host/dumpgen

# The layer rule, checked before anything is built (scripts/check-layers.sh).
LAYER_FILES := $(wildcard $(addsuffix /*.[ch],crypto formats payload drivers kernel tools))
LAYERS_OK := $(B)/.layers-ok

.PHONY: all kernel tools iso guest sign sign-iso test test-host test-linux test-xen unit unit-run replay-run fuzz \
	fuzz-build fuzz-run check-layers bench run qemu qemu-gdb deps clean
all: $(LAYERS_OK) $(B)/postmortem.elf $(B)/postmortem.bzImage $(B)/postmortem.iso $(B)/postmortem
	@scripts/sizes.sh $(B)

$(LAYERS_OK): scripts/check-layers.sh $(LAYER_FILES)
	@mkdir -p $(@D)
	@scripts/check-layers.sh
	@touch $@

check-layers:
	@scripts/check-layers.sh && echo "check-layers: every #include keeps to its layer"

deps:
	@scripts/setup.sh

# Everything that builds first has the packages checked (and installed, as
# root) once per build tree: a fresh clone's first make does the set-up.
SETUP := $(B)/.setup-done
$(SETUP): scripts/setup.sh scripts/build-newlib.sh scripts/qemu10.sh scripts/virtfw.sh \
		scripts/backports-unpack.sh
	@mkdir -p $(@D)
	@scripts/setup.sh
	@touch $@

$(NEWLIB)/lib/libc.a: | $(SETUP)
	@scripts/setup.sh

# ---------------------------------------------------------------- kernel
$(B)/k/%.o: %.c | $(SETUP) $(NEWLIB)/lib/libc.a
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -c $< -o $@

$(B)/k/%.o: %.asm | $(SETUP)
	@mkdir -p $(@D)
	$(NASM) $(NASMFLAGS) -MD $(B)/k/$*.d -MP $< -o $@

# mbedTLS's headers, copied from Debian's package (the kernel must not see
# the rest of /usr/include, which is glibc's).
$(B)/include/mbedtls/sha256.h: /usr/include/mbedtls/sha256.h
	@mkdir -p $(B)/include
	rm -rf $(B)/include/mbedtls && cp -r /usr/include/mbedtls $(B)/include/

# The crypto/ wrappers over mbedTLS (SHA-256, AES-GCM and GCM's block
# cipher, crypto/gcm_block.c) see those copies.
MBEDTLS_WRAPPERS := sha256 aesgcm gcm_block gcm_fast
$(B)/k/kernel/mbedtls_gcm.o: kernel/mbedtls_gcm.c $(B)/include/mbedtls/sha256.h | $(SETUP) $(NEWLIB)/lib/libc.a
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -I$(B)/include -c $< -o $@
$(patsubst %,$(B)/k/crypto/%.o,$(MBEDTLS_WRAPPERS)): $(B)/k/crypto/%.o: crypto/%.c \
		$(B)/include/mbedtls/sha256.h | $(SETUP) $(NEWLIB)/lib/libc.a
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -I$(B)/include -c $< -o $@

# Debian's files: present once the set-up has installed libmbedtls-dev (a
# fresh machine's first make must run the set-up before it looks for them).
$(MBEDTLS_A) /usr/include/mbedtls/sha256.h: | $(SETUP)
	@test -e $@ || { echo "$@ missing: run scripts/setup.sh as root" >&2; exit 1; }

$(B)/k/mbedtls/%: $(MBEDTLS_A)
	@mkdir -p $(@D)
	cd $(@D) && ar x $(abspath $(MBEDTLS_A)) $*

# zstd's and zlib's headers, copied from libzstd-dev and zlib1g-dev.
$(B)/include/zstd.h: /usr/include/zstd.h
	@mkdir -p $(B)/include
	cp /usr/include/zstd.h /usr/include/zstd_errors.h $(B)/include/

$(B)/include/zlib.h: /usr/include/zlib.h
	@mkdir -p $(B)/include
	cp /usr/include/zlib.h /usr/include/zconf.h $(B)/include/

$(B)/k/formats/pagecomp.o: formats/pagecomp.c $(B)/include/zstd.h \
		$(B)/include/zlib.h | $(SETUP) $(NEWLIB)/lib/libc.a
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -I$(B)/include -c $< -o $@

$(B)/k/zstd_traps.o: $(ZSTD_A) scripts/zstd-traps.sh Makefile
	@mkdir -p $(@D)
	scripts/zstd-traps.sh $(abspath $(ZSTD_A)) $(ZSTD_UNUSED) > $(B)/k/zstd_traps.S
	$(CC) -c $(B)/k/zstd_traps.S -o $@

$(ZSTD_A) $(ZLIB_A) /usr/include/zstd.h /usr/include/zlib.h: | $(SETUP)
	@test -e $@ || { echo "$@ missing: run scripts/setup.sh as root" >&2; exit 1; }

$(B)/font.c: scripts/mkfont.sh | $(SETUP)
	@mkdir -p $(@D)
	scripts/mkfont.sh $@

$(B)/k/font.o: $(B)/font.c
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -c $< -o $@

# One archive per flavour, from that flavour's objects of PURE_SRCS.
$(LIBPURE_K): $(patsubst %.c,$(B)/k/%.o,$(PURE_SRCS))
$(LIBPURE_TOOL): $(patsubst %.c,$(B)/tool/%.o,$(PURE_SRCS))
$(LIBPURE_SAN): $(patsubst %.c,$(B)/san/%.o,$(PURE_SRCS))
$(LIBPURE_FZ): $(patsubst %.c,$(B)/fz/%.o,$(PURE_SRCS))
$(LIBPURE_K) $(LIBPURE_TOOL) $(LIBPURE_SAN) $(LIBPURE_FZ): | $(LAYERS_OK)
	rm -f $@
	ar rcsD $@ $(filter %.o,$^)

$(B)/postmortem.elf: $(KOBJS) $(LIBPURE_K) linker.ld scripts/check-relocs.sh $(NEWLIB)/lib/libc.a \
		$(ZSTD_A) $(ZLIB_A)
	$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(LIBPURE_K) $(ZSTD_A) $(ZLIB_A) $(NEWLIB)/lib/libc.a \
		$(shell $(CC) -print-libgcc-file-name)
	scripts/check-relocs.sh $@

$(B)/kernel.bin: $(B)/postmortem.elf
	$(OBJCOPY) -O binary -R .bss -R .boot $< $@

$(B)/setup.bin: boot/setup.asm $(B)/kernel.bin $(B)/postmortem.elf
	$(NASM) -f bin -I boot/ \
		-DVERSION_STR="'\"$(VERSION)\"'" -DSYSSIZE=$$(stat -c %s $(B)/kernel.bin) \
		-DINIT_SIZE=$$(scripts/symval.sh $(B)/postmortem.elf __image_end) \
		-DEFI_ENTRY=$$(scripts/symval.sh $(B)/postmortem.elf pm_efi_entry) \
		$< -o $@

# The setup (with the PE/COFF header) and the image, padded to the PE
# FileAlignment (512): .text's raw data ends the file (boot/setup.asm).
$(B)/postmortem.bzImage: $(B)/setup.bin $(B)/kernel.bin
	cat $^ > $@
	truncate -s %512 $@

# make sign KEY=key.pem CERT=cert.pem: an Authenticode-signed copy for UEFI
# Secure Boot and kexec_file_load under lockdown (docs/secure-boot.md).
sign: $(B)/postmortem.bzImage
	@test -n "$(KEY)" -a -n "$(CERT)" || { echo "usage: make sign KEY=key.pem CERT=cert.pem" >&2; exit 2; }
	@scripts/sign.sh "$(KEY)" "$(CERT)" $(B)/postmortem.bzImage $(B)/postmortem.signed.bzImage

# make sign-iso KEY=key.pem CERT=cert.pem: the signed copy above, and the
# Secure Boot recovery ISO around it: Debian's signed shim and GRUB
# chainloading it under UEFI, the multiboot2 menu under BIOS.
sign-iso: sign $(B)/postmortem.elf iso/grub.cfg scripts/mkiso.sh
	PM_ISO_SB=$(B)/postmortem.signed.bzImage scripts/mkiso.sh $(B)/postmortem.elf iso/grub.cfg \
		$(B)/postmortem-sb.iso
	@echo "sign-iso: $(B)/postmortem-sb.iso"

# ---------------------------------------------------------------- ISO
$(B)/postmortem.iso: $(B)/postmortem.elf iso/grub.cfg scripts/mkiso.sh
	scripts/mkiso.sh $(B)/postmortem.elf iso/grub.cfg $@

# ---------------------------------------------------------------- host tool
$(B)/tool/%.o: %.c | $(SETUP)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTCFLAGS) -c $< -o $@

$(B)/postmortem: $(TOOL_OBJS) $(LIBPURE_TOOL)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $(TOOL_OBJS) $(LIBPURE_TOOL) $(HOSTLIBS)

# ---------------------------------------------------------------- tests
# Unit tests and corpus replays link the sanitized library; a test of code
# outside the pure layer names that object as an extra prerequisite.
$(B)/san/%.o: %.c | $(SETUP)
	@mkdir -p $(@D)
	$(HOSTCC) $(TESTCFLAGS) -c $< -o $@

$(B)/fz/%.o: %.c | $(SETUP)
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZOBJCFLAGS) -c $< -o $@

$(B)/host/textesc_test: $(B)/san/tools/textesc.o
$(B)/host/fileblk_test: $(B)/san/tools/fileblk.o
$(B)/host/blkdev_test: $(B)/san/kernel/blkdev_registry.o
# mbedTLS's GCM from Debian's gcm.c.o, aes.c.o and aesni.c.o with
# crypto/gcm_block.c under them instead of mbedTLS's cipher layer (the
# kernel's own GCM, crypto/gcm_fast.c, is tests/unit/gcm_fast_test.c's).
AESGCM_KOBJS := gcm.c.o aes.c.o aesni.c.o
$(B)/host/aesgcm_test: $(addprefix $(B)/host/mbedtls/,$(AESGCM_KOBJS))
$(B)/host/mbedtls/%: $(MBEDTLS_A)
	@mkdir -p $(@D)
	cd $(@D) && ar x $(abspath $(MBEDTLS_A)) $*
# pe_test also checks the built image's layout (boot/setup.asm).
$(B)/host/pe_test: $(B)/postmortem.bzImage

$(B)/host/%_test: tests/unit/%_test.c tests/unit/test.h $(LIBPURE_SAN) | $(SETUP)
	@mkdir -p $(@D)
	$(HOSTCC) $(TESTCFLAGS) -o $@ $< $(filter %.o,$^) $(LIBPURE_SAN) $(HOSTLIBS)

$(B)/host/%_replay: tests/fuzz/%_fuzz.c tests/fuzz/replay.c $(LIBPURE_SAN) | $(SETUP)
	@mkdir -p $(@D)
	$(HOSTCC) $(TESTCFLAGS) -o $@ $< tests/fuzz/replay.c $(filter %.o,$^) $(LIBPURE_SAN) $(HOSTLIBS)

$(B)/fuzz/%_fuzz: tests/fuzz/%_fuzz.c $(LIBPURE_FZ) | $(SETUP)
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZCFLAGS) $(FUZZ_EXTRA_FLAGS) -o $@ $< $(filter %.o,$^) $(LIBPURE_FZ) $(HOSTLIBS)

# Fuzz targets that drive the host tool's commands (tests/fuzz/tool_harness.h)
# link its objects too, without tools/postmortem.c's main.
FUZZ_TOOL_SRCS := $(filter-out tools/postmortem.c,$(TOOL_SRCS))
FUZZ_TOOL_NAMES := recv inspect vmcore_expand savecore_fat
FUZZ_TOOL_REPLAYS := $(addprefix $(B)/host/,$(addsuffix _replay,$(FUZZ_TOOL_NAMES)))
FUZZ_TOOL_FUZZERS := $(addprefix $(B)/fuzz/,$(addsuffix _fuzz,$(FUZZ_TOOL_NAMES)))
$(FUZZ_TOOL_REPLAYS): $(patsubst %.c,$(B)/san/%.o,$(FUZZ_TOOL_SRCS)) tests/fuzz/tool_harness.h
$(FUZZ_TOOL_FUZZERS): $(patsubst %.c,$(B)/fz/%.o,$(FUZZ_TOOL_SRCS)) tests/fuzz/tool_harness.h
$(FUZZ_TOOL_FUZZERS): FUZZ_EXTRA_FLAGS := -DPM_VERSION=\"$(VERSION)\"

# The shell tests' input generators: the pure code the kernel writes with.
$(B)/host/dumpgen: $(B)/tool/tools/fileblk.o $(B)/tool/tools/enckey.o
$(TEST_GENS): $(B)/host/%: tests/tools/%.c $(LIBPURE_TOOL) | $(SETUP)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $< $(filter %.o,$^) $(LIBPURE_TOOL) $(HOSTLIBS)

unit: $(LAYERS_OK) $(UNIT_TESTS) $(FUZZ_REPLAYS) $(TEST_GENS)

# One test by name (see tests/README.md): make unit-run T=gpt runs
# tests/unit/gpt_test.c, make replay-run T=gpt replays tests/fuzz/corpus/gpt
# through tests/fuzz/gpt_fuzz.c, make fuzz-run T=gpt fuzzes it for
# PM_FUZZ_SECONDS.
ifneq ($(T),)
unit-run: $(B)/host/$(T)_test
replay-run: $(B)/host/$(T)_replay
fuzz-run: $(B)/fuzz/$(T)_fuzz
endif
unit-run: $(LAYERS_OK)
	@test -n "$(T)" || { echo "usage: make unit-run T=NAME (tests/unit/NAME_test.c)" >&2; exit 2; }
	$(B)/host/$(T)_test

replay-run: $(LAYERS_OK)
	@test -n "$(T)" || { echo "usage: make replay-run T=NAME (tests/fuzz/NAME_fuzz.c)" >&2; exit 2; }
	$(B)/host/$(T)_replay tests/fuzz/corpus/$(T)

fuzz-run: $(LAYERS_OK)
	@test -n "$(T)" || { echo "usage: make fuzz-run T=NAME (tests/fuzz/NAME_fuzz.c)" >&2; exit 2; }
	@scripts/fuzz.sh $(T)

# ---------------------------------------------------------------- Linux guest
# Debian's kernel, kexec-tools, makedumpfile and busybox in an initramfs
# with our tool and image (scripts/mkguest.py; downloads into .cache/guest).
$(B)/guest/initrd.img: scripts/mkguest.py tests/linux/init tests/linux/plant.c tests/linux/frag.c \
		$(B)/postmortem $(B)/postmortem.bzImage
	python3 scripts/mkguest.py $(B)/guest

# A test-only UEFI application that installs an ESRT before GRUB boots Xen
# (OVMF has none; tests/efi/esrtinst.c, tests/qemu/xen_test.py).
$(B)/guest/esrtinst.efi: tests/efi/esrtinst.c
	@mkdir -p $(@D)
	clang -target x86_64-unknown-windows -ffreestanding -fno-stack-protector -fshort-wchar \
		-mno-red-zone -fno-builtin -O2 -Wall -Wextra -Werror -c $< -o $(@:.efi=.o)
	lld-link -subsystem:efi_application -entry:efi_main -nodefaultlib -out:$@ $(@:.efi=.o)

guest: $(B)/guest/initrd.img $(B)/guest/esrtinst.efi

test: all unit fuzz-build guest
	@scripts/run-tests.sh

# make test without the QEMU boots (no guest needed).
test-host: all unit fuzz-build
	@PM_SKIP_QEMU=1 scripts/run-tests.sh

# Every Linux kexec case (BIOS and UEFI, kexec_load and kexec_file_load,
# disk and serial); make test runs the short list.
test-linux: all guest
	@python3 tests/qemu/linux_test.py

# postmortem as Xen's crash kernel (Debian's Xen 4.17, dom0 and Xen
# crashes, SeaBIOS and OVMF; docs/xen.md): 1.5 to 2.5 minutes a case.
test-xen: all guest
	@python3 tests/qemu/xen_test.py

fuzz-build: $(LAYERS_OK) $(FUZZERS)

fuzz: $(LAYERS_OK) $(FUZZERS)
	@scripts/fuzz.sh $(FUZZ_NAMES)

bench: all guest
	@scripts/bench.sh

run: all
	@scripts/run.sh

qemu: $(B)/postmortem.bzImage
	scripts/qemu.sh -kernel $(B)/postmortem.bzImage -append "console=ttyS0 $(APPEND)"

qemu-gdb: $(B)/postmortem.bzImage
	scripts/qemu.sh -s -S -kernel $(B)/postmortem.bzImage -append "console=ttyS0 $(APPEND)"

clean:
	rm -rf $(B)

# A build tree from before the pure library (build/postmortem.d, which the
# host tool no longer writes, exists) has dependency files of programs once
# compiled from source lists, naming sources that have since moved: drop
# them once, so the first make in such a tree rebuilds instead of stopping.
ifneq ($(wildcard $(B)/postmortem.d),)
$(shell rm -f $(B)/postmortem.d $(B)/host/*.d)
endif
-include $(shell find $(B) -name '*.d' 2>/dev/null)
