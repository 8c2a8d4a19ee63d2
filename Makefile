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
# Pure code: builds unchanged into the kernel, the host tool and the tests.
PURE_SRCS := \
	crypto/sha256.c \
	crypto/crc32.c \
	kernel/cmdline.c \
	kernel/cmdline_opts.c \
	kernel/mb2.c \
	kernel/bootparams.c \
	kernel/acpi.c \
	kernel/efi.c \
	kernel/elfcorehdr.c \
	kernel/mcfg.c \
	kernel/dmar.c \
	kernel/ivrs.c \
	kernel/dumpplan.c \
	kernel/efirt_map.c \
	payload/handoff.c \
	payload/handoff_records.c \
	payload/handoff_desc.c \
	payload/gpt.c \
	payload/fat.c \
	payload/fat_dir.c \
	payload/fat_name.c \
	payload/fat_write.c \
	payload/fat_file.c \
	payload/dumphdr.c \
	payload/elfcore.c \
	payload/elfcore_read.c \
	payload/frame.c \
	payload/capsule.c \
	payload/varstore.c \
	payload/kinfo.c \
	payload/kpgtable.c \
	payload/memsect.c \
	payload/pageclass.c \
	payload/klog.c \
	payload/brief.c \
	payload/textbuf.c \
	drivers/blkdev.c

KERNEL_SRCS := \
	kernel/main.c \
	kernel/bootinfo.c \
	kernel/context.c \
	kernel/inventory.c \
	kernel/console.c \
	kernel/cpu.c \
	kernel/trap.c \
	kernel/after.c \
	kernel/efirt.c \
	kernel/efirt_vars.c \
	kernel/platform.c \
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
	kernel/dumpsink.c \
	kernel/fatsink.c \
	kernel/esp.c \
	kernel/capsule_stage.c \
	drivers/rtc.c \
	crypto/mbedtls_shim.c \
	$(PURE_SRCS)

BOOT_SRCS := \
	boot/head.asm \
	boot/entry32.asm \
	boot/entry64.asm \
	boot/isr.asm

TOOL_SRCS := \
	tools/postmortem.c \
	tools/handoff.c \
	tools/handoff_describe.c \
	tools/handoff_sysfs.c \
	tools/handoff_show.c \
	tools/savecore.c \
	tools/savecore_save.c \
	tools/savecore_fat.c \
	tools/textesc.c \
	tools/fileblk.c \
	tools/recv.c \
	tools/inspect.c \
	tools/spans.c \
	tools/fatcmd.c \
	tools/capsulecmd.c \
	tools/varstorecmd.c \
	tools/load.c \
	tools/vmcore_expand.c \
	tools/outfile.c \
	$(PURE_SRCS)

# mbedTLS: Debian's libmbedcrypto.a objects, linked as they are.
MBEDTLS_A := /usr/lib/x86_64-linux-gnu/libmbedcrypto.a
MBEDTLS_OBJS := sha256.c.o platform_util.c.o

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
HOSTLIBS := -lmbedcrypto
TESTCFLAGS := $(HOSTCFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZCFLAGS := -g -O1 -I. -fsanitize=fuzzer,address,undefined

NASMFLAGS := -f elf64 -w+all -I boot/

# ---------------------------------------------------------------- objects
KOBJS := $(patsubst %.c,$(B)/k/%.o,$(KERNEL_SRCS)) $(patsubst %.asm,$(B)/k/%.o,$(BOOT_SRCS)) \
	$(B)/k/font.o $(addprefix $(B)/k/mbedtls/,$(MBEDTLS_OBJS))

UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/host/%,$(wildcard tests/unit/*_test.c))
FUZZ_NAMES := $(patsubst tests/fuzz/%_fuzz.c,%,$(wildcard tests/fuzz/*_fuzz.c))
FUZZ_REPLAYS := $(addprefix $(B)/host/,$(addsuffix _replay,$(FUZZ_NAMES)))
FUZZERS := $(addprefix $(B)/fuzz/,$(addsuffix _fuzz,$(FUZZ_NAMES)))

.PHONY: all kernel tools iso guest test test-linux unit fuzz fuzz-build bench run qemu qemu-gdb deps clean
all: $(B)/postmortem.elf $(B)/postmortem.bzImage $(B)/postmortem.iso $(B)/postmortem
	@scripts/sizes.sh $(B)

deps:
	@scripts/setup.sh

# Everything that builds first has the packages checked (and installed, as
# root) once per build tree: a fresh clone's first make does the set-up.
SETUP := $(B)/.setup-done
$(SETUP): scripts/setup.sh scripts/build-newlib.sh
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

$(B)/k/crypto/sha256.o: crypto/sha256.c $(B)/include/mbedtls/sha256.h | $(SETUP) $(NEWLIB)/lib/libc.a
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -I$(B)/include -c $< -o $@

# Debian's files: present once the set-up has installed libmbedtls-dev (a
# fresh machine's first make must run the set-up before it looks for them).
$(MBEDTLS_A) /usr/include/mbedtls/sha256.h: | $(SETUP)
	@test -e $@ || { echo "$@ missing: run scripts/setup.sh as root" >&2; exit 1; }

$(B)/k/mbedtls/%: $(MBEDTLS_A)
	@mkdir -p $(@D)
	cd $(@D) && ar x $(abspath $(MBEDTLS_A)) $*

$(B)/font.c: scripts/mkfont.sh | $(SETUP)
	@mkdir -p $(@D)
	scripts/mkfont.sh $@

$(B)/k/font.o: $(B)/font.c
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -c $< -o $@

$(B)/postmortem.elf: $(KOBJS) linker.ld scripts/check-relocs.sh $(NEWLIB)/lib/libc.a
	$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(NEWLIB)/lib/libc.a $(shell $(CC) -print-libgcc-file-name)
	scripts/check-relocs.sh $@

$(B)/kernel.bin: $(B)/postmortem.elf
	$(OBJCOPY) -O binary -R .bss -R .boot $< $@

$(B)/setup.bin: boot/setup.asm $(B)/kernel.bin $(B)/postmortem.elf
	$(NASM) -f bin -I boot/ \
		-DVERSION_STR="'\"$(VERSION)\"'" -DSYSSIZE=$$(stat -c %s $(B)/kernel.bin) \
		-DINIT_SIZE=$$(scripts/symval.sh $(B)/postmortem.elf __image_end) \
		$< -o $@

$(B)/postmortem.bzImage: $(B)/setup.bin $(B)/kernel.bin
	cat $^ > $@

# ---------------------------------------------------------------- ISO
$(B)/postmortem.iso: $(B)/postmortem.elf iso/grub.cfg scripts/mkiso.sh
	scripts/mkiso.sh $(B)/postmortem.elf iso/grub.cfg $@

# ---------------------------------------------------------------- host tool
$(B)/postmortem: $(TOOL_SRCS) | $(SETUP)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $(TOOL_SRCS) $(HOSTLIBS)

# ---------------------------------------------------------------- tests
$(B)/host/%_test: tests/unit/%_test.c $(PURE_SRCS) tests/unit/test.h | $(SETUP)
	@mkdir -p $(@D)
	$(HOSTCC) $(TESTCFLAGS) -o $@ $< $(PURE_SRCS) $(HOSTLIBS)

# tools/textesc.c is host-only: its test links it beside the pure sources.
$(B)/host/textesc_test: tests/unit/textesc_test.c tools/textesc.c $(PURE_SRCS) tests/unit/test.h | $(SETUP)
	@mkdir -p $(@D)
	$(HOSTCC) $(TESTCFLAGS) -o $@ $< tools/textesc.c $(PURE_SRCS) $(HOSTLIBS)

$(B)/host/%_replay: tests/fuzz/%_fuzz.c tests/fuzz/replay.c $(PURE_SRCS) | $(SETUP)
	@mkdir -p $(@D)
	$(HOSTCC) $(TESTCFLAGS) -o $@ $< tests/fuzz/replay.c $(PURE_SRCS) $(FUZZ_EXTRA_SRCS) $(HOSTLIBS)

$(B)/fuzz/%_fuzz: tests/fuzz/%_fuzz.c $(PURE_SRCS) | $(SETUP)
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZCFLAGS) $(FUZZ_EXTRA_FLAGS) -o $@ $< $(PURE_SRCS) $(FUZZ_EXTRA_SRCS) $(HOSTLIBS)

# Fuzz targets that drive the host tool's commands (tests/fuzz/tool_harness.h)
# link its sources too, without tools/postmortem.c's main.
FUZZ_TOOL_SRCS := $(filter-out tools/postmortem.c $(PURE_SRCS),$(TOOL_SRCS))
FUZZ_TOOL_NAMES := recv inspect vmcore_expand savecore_fat
FUZZ_TOOL_BINS := $(addprefix $(B)/host/,$(addsuffix _replay,$(FUZZ_TOOL_NAMES))) \
	$(addprefix $(B)/fuzz/,$(addsuffix _fuzz,$(FUZZ_TOOL_NAMES)))
$(FUZZ_TOOL_BINS): FUZZ_EXTRA_SRCS := $(FUZZ_TOOL_SRCS)
$(FUZZ_TOOL_BINS): FUZZ_EXTRA_FLAGS := -DPM_VERSION=\"$(VERSION)\"
$(FUZZ_TOOL_BINS): $(FUZZ_TOOL_SRCS) tests/fuzz/tool_harness.h

unit: $(UNIT_TESTS) $(FUZZ_REPLAYS)

# ---------------------------------------------------------------- Linux guest
# Debian's kernel, kexec-tools, makedumpfile and busybox in an initramfs
# with our tool and image (scripts/mkguest.py; downloads into .cache/guest).
$(B)/guest/initrd.img: scripts/mkguest.py tests/linux/init $(B)/postmortem $(B)/postmortem.bzImage
	python3 scripts/mkguest.py $(B)/guest

guest: $(B)/guest/initrd.img

test: all unit fuzz-build guest
	@scripts/run-tests.sh

# Every Linux kexec case (BIOS and UEFI, kexec_load and kexec_file_load,
# disk and serial); make test runs the short list.
test-linux: all guest
	@python3 tests/qemu/linux_test.py

fuzz-build: $(FUZZERS)

fuzz: $(FUZZERS)
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

-include $(shell find $(B) -name '*.d' 2>/dev/null)
