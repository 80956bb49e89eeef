# SPDX-License-Identifier: GPL-2.0-only
#
# make demo       install what is needed, build, and run weston on a wfd output
#                 streamed to a sink in a VM (DEMO_KERNEL=6.12); results in demo-out/
# make            build wfd.ko for KDIR (default: the running kernel's build
#                 tree, else the newest Debian headers tests/vm fetched)
# make check      run the test suite (in-VM tests on Debian 6.1 and 6.12)
# make igt        run upstream IGT on wfd and vkms (IGT_DIR=...)
# make bench      benchmarks in the VM (KERNELS=..., QUICK=1) and callgrind
#                 counts of wfdd's stages; tables in bench-out/
# make fuzz       run the libFuzzer target of the Wi-Fi Display protocol code
#                 for FUZZ_SECONDS (default 60)
# make sparse     build with sparse (C=1) and W=1
# make checkpatch run checkpatch.pl --strict on the kernel sources

KERNELS ?= 6.1 6.12
CACHE := $(CURDIR)/.vm-cache
BUILD := $(CURDIR)/build

ifeq ($(KDIR),)
  ifneq ($(wildcard /lib/modules/$(shell uname -r)/build/Makefile),)
    KDIR := /lib/modules/$(shell uname -r)/build
  else
    KDIR := $(lastword $(sort $(wildcard $(CACHE)/*/root/usr/src/linux-headers-*-amd64)))
  endif
endif

KSRC := Kbuild $(wildcard kernel/*.c kernel/*.h kernel/*.sh) include/uapi/drm/wfd_drm.h

.PHONY: all module modules clean check check-kernel igt sparse checkpatch selftests demo userspace

DEMO_KERNEL ?= 6.12

userspace:
	@test -d build/userspace-release || meson setup --buildtype=release build/userspace-release userspace
	ninja -C build/userspace-release
	$(MAKE) -C tests/e2e

demo:
	bash tests/deps.sh
	$(MAKE) userspace
	rm -rf demo-out && mkdir -p demo-out
	@# weston under emulation is slow: the VM gets half an hour.
	@WFD_VM_OUT=$(CURDIR)/demo-out tests/vm/run.sh --kernel $(DEMO_KERNEL) --timeout 1800 \
		-- tests/demo/demo.sh; rc=$$?; \
	 echo "demo: results in $(CURDIR)/demo-out/: report.txt, frame-*.png (what the sink decoded), weston.log"; \
	 exit $$rc

all: module

# The module is built in a copy of the sources per kernel, so that builds
# for several kernels do not share object files.
module modules:
	@test -n "$(KDIR)" || { echo "no kernel build tree: set KDIR=, or run tests/vm/fetch-kernel.sh 6.1" >&2; exit 1; }
	@abi=$$(sed -n "s/.*UTS_RELEASE \"\(.*\)\"/\1/p" $(KDIR)/include/generated/utsrelease.h) && \
	 out=$(BUILD)/kmod-$$abi && mkdir -p $$out && \
	 tar cf - $(KSRC) | tar xmf - -C $$out --keep-newer-files 2>/dev/null; \
	 $(MAKE) -C $(KDIR) M=$$out W=$(W) C=$(C) modules && \
	 echo "built $$out/wfd.ko"

sparse:
	$(MAKE) module C=2 W=1

checkpatch:
	@cp=$$(bash tests/vm/fetch-checkpatch.sh) && \
	 $$cp --strict --no-tree --ignore FILE_PATH_CHANGES \
		-f $(wildcard kernel/*.c kernel/*.h) include/uapi/drm/wfd_drm.h

selftests:
	$(MAKE) -C tests/selftests

check:
	@bash tests/run-all.sh $(KERNELS)

igt:
	@bash tests/igt/run.sh $(KERNELS)

.PHONY: fuzz
FUZZ_SECONDS ?= 60
FUZZ_SRC := $(addprefix userspace/wfdd/,tests/fuzz-wfd.c rtsp.c wfdparams.c wfd_source.c)
fuzz:
	@mkdir -p $(BUILD)/fuzz/corpus
	clang -std=c11 -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
		-Iuserspace/wfdd -Iuserspace/lib -Iinclude/uapi/drm $$(pkg-config --cflags libdrm) \
		$(FUZZ_SRC) -o $(BUILD)/fuzz/fuzz-wfd
	$(BUILD)/fuzz/fuzz-wfd -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(BUILD)/fuzz/corpus

.PHONY: bench bench-callgrind
bench:
	@QUICK=$(QUICK) bash tests/bench/run.sh $(KERNELS)

bench-callgrind:
	@QUICK=$(QUICK) bash tests/bench/callgrind.sh

clean:
	rm -rf $(BUILD)
	$(MAKE) -C tests/selftests clean
