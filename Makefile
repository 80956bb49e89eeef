# SPDX-License-Identifier: GPL-2.0-only
#
# make demo       install what is needed, build, and run weston on a wfd output
#                 streamed to a sink in a VM (DEMO_KERNEL=6.12), then a tone into
#                 its sound output and a lip-sync measurement; results in demo-out/
# make demo-p2p   Wi-Fi Direct in the VM: wfdctl sinks and wfdd --p2p with a
#                 simulated TV; results in demo-out/p2p/
# make            build wfd.ko for KDIR (default: the running kernel's build
#                 tree, else the newest Debian headers tests/vm fetched)
# make check      run the test suite (in-VM tests on Debian 6.1 and 6.12)
# make check-full the same, with the compositor scenario on both kernels
# make check-audio the sound tests in the VM with the tone held strictly
# make check-debug the kernel and session tests on a debug kernel (lockdep,
#                 KASAN, UBSAN, kmemleak), built from Debian's sources once
# make igt        run upstream IGT on wfd and vkms (IGT_DIR=...)
# make bench      benchmarks in the VM (KERNELS=..., QUICK=1) and callgrind
#                 counts of wfdd's stages; tables in bench-out/
# make fuzz       run the libFuzzer target of the Wi-Fi Display protocol code
#                 for FUZZ_SECONDS (default 60), FUZZ_JOBS in parallel (1)
# make fuzz-coverage  line coverage of wfd_source.c, rtsp.c, wfdparams.c by
#                 the seeds and what make fuzz found (fails below 80%)
# make fuzz-kernel run the ioctl fuzzer against wfd.ko in a VM (FUZZ_KERNEL=6.12,
#                 FUZZ_MINUTES=2, FUZZ_SEED, FUZZ_THREADS=4, FUZZ_REPLAY=trace)
# make sparse     build with sparse (C=1) and W=1
# make checkpatch run checkpatch.pl --strict on the kernel sources
# make install    install wfd.ko for KDIR's kernel (+ depmod), wfdd, wfdctl,
#                 libwfd (headers, libwfd.pc), man pages, the udev rule and
#                 wfdd@.service; PREFIX (/usr/local), SYSCONFDIR (/etc), DESTDIR
# make uninstall  remove what make install installed
# make dkms-install    register the module with DKMS (rebuilt for new kernels)
# make dkms-uninstall  remove it from DKMS

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

.PHONY: all module modules clean check check-full check-debug check-kernel igt sparse checkpatch selftests demo demo-p2p userspace
.PHONY: install install-module install-userspace uninstall dkms-install dkms-uninstall

DEMO_KERNEL ?= 6.12

userspace:
	@test -d build/userspace-release || meson setup --buildtype=release build/userspace-release userspace
	ninja -C build/userspace-release
	$(MAKE) -C tests/e2e

demo:
	bash tests/deps.sh
	$(MAKE) userspace
	rm -rf demo-out && mkdir -p demo-out
	@# weston under emulation is slow, and the sound scenes follow: 40 minutes.
	@WFD_VM_OUT=$(CURDIR)/demo-out tests/vm/run.sh --kernel $(DEMO_KERNEL) --timeout 2400 \
		-- tests/demo/demo.sh; rc=$$?; \
	 echo "demo: results in $(CURDIR)/demo-out/: report.txt, frame-*.png (what the sink decoded), weston.log, audio/, lipsync/"; \
	 exit $$rc

# Wi-Fi Direct over simulated radios: wfdctl sinks finds a simulated TV,
# wfdd --p2p casts to it (tests/e2e/p2p.sh --smoke), results in demo-out/p2p/.
demo-p2p:
	bash tests/deps.sh
	$(MAKE) userspace
	rm -rf demo-out/p2p && mkdir -p demo-out
	@WFD_VM_OUT=$(CURDIR)/demo-out tests/vm/run.sh --kernel $(DEMO_KERNEL) --timeout 1200 \
		-- tests/demo/p2p.sh; rc=$$?; \
	 echo "demo-p2p: results in $(CURDIR)/demo-out/p2p/: report.txt, frame-tv.png (what the TV decoded), the logs"; \
	 exit $$rc

all: module

# The module is built in a copy of the sources per kernel, so that builds
# for several kernels do not share object files.
module modules:
	@test -n "$(KDIR)" || { echo "no kernel build tree: set KDIR=, or run tests/vm/fetch-kernel.sh 6.1" >&2; exit 1; }
	@abi=$$(sed -n "s/.*UTS_RELEASE \"\(.*\)\"/\1/p" $(KDIR)/include/generated/utsrelease.h) && \
	 out=$(BUILD)/kmod-$$abi && mkdir -p $$out && \
	 tar cf - $(KSRC) | tar xmf - -C $$out --keep-newer-files 2>/dev/null; \
	 $(MAKE) -C $(KDIR) M=$$out W=$(W) C=$(C) WFD_WERROR=y modules && \
	 echo "built $$out/wfd.ko"

# Installation.  The module goes to updates/, which depmod prefers to the
# kernel's own directories; user space is installed by meson from its own
# build directory, configured with PREFIX and SYSCONFDIR.
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
DEPMOD ?= depmod
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
IBUILD := $(BUILD)/userspace-install
KABI = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

install:
	$(MAKE) module
	$(MAKE) install-module install-userspace

# Installs what "make" built, like the kernel's modules_install.  depmod
# only for the running system: a DESTDIR is a staging tree whose package
# runs depmod when it is installed.
install-module:
	@test -f $(BUILD)/kmod-$(KABI)/wfd.ko || { echo "install: no wfd.ko for '$(KABI)': run make first (KDIR=$(KDIR))" >&2; exit 1; }
	install -D -m 0644 $(BUILD)/kmod-$(KABI)/wfd.ko $(DESTDIR)/lib/modules/$(KABI)/updates/wfd.ko
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KABI)
else
	@echo "install: not running depmod in DESTDIR=$(DESTDIR); run 'depmod -a $(KABI)' on the target"
endif

install-userspace:
	@test -d $(IBUILD) || meson setup --buildtype=release --prefix=$(PREFIX) \
		--sysconfdir=$(SYSCONFDIR) $(IBUILD) userspace
	meson configure -Dprefix=$(PREFIX) -Dsysconfdir=$(SYSCONFDIR) $(IBUILD)
	ninja -C $(IBUILD)
	meson install -C $(IBUILD) --no-rebuild $(if $(DESTDIR),--destdir $(DESTDIR))
ifeq ($(DESTDIR),)
	ldconfig
	@# Not an error where neither runs (a container, a chroot).
	@udevadm control --reload 2>/dev/null || true
	@systemctl daemon-reload 2>/dev/null || true
endif

# Removes wfd.ko from updates/ of every kernel it was installed for (not the
# DKMS copies: dkms-uninstall does), and the files meson installed.
uninstall:
	@for ko in $(wildcard $(DESTDIR)/lib/modules/*/updates/wfd.ko); do \
		echo "rm $$ko"; rm -f "$$ko"; \
		abi=$${ko#$(DESTDIR)/lib/modules/}; abi=$${abi%%/*}; \
		if [ -z "$(DESTDIR)" ]; then $(DEPMOD) -a "$$abi"; fi; \
	done
	@# meson's log lists what the last install put where: refuse to
	@# remove it for another DESTDIR.
	@log=$(IBUILD)/meson-logs/install-log.txt; \
	if [ ! -f $$log ]; then \
		echo "uninstall: $(IBUILD) has no install log: nothing of user space to remove"; \
	elif grep -v '^#' $$log | grep -Eqv '^$(DESTDIR)(/|$$)'; then \
		echo "uninstall: the last install of user space was not to DESTDIR=$(DESTDIR)" >&2; exit 1; \
	else \
		cd $(IBUILD) && meson --internal uninstall && \
		if [ -z "$(DESTDIR)" ]; then ldconfig; fi; \
	fi

# Copies the module's sources to /usr/src/wfd-VERSION (replacing an earlier
# registration of the same version), then builds and installs it for the
# running kernel; DKMS rebuilds it for every kernel installed later.
dkms-install:
ifeq ($(DESTDIR),)
	@if dkms status -m wfd -v $(VERSION) | grep -q .; then dkms remove -m wfd -v $(VERSION) --all; fi
endif
	rm -rf $(DESTDIR)/usr/src/wfd-$(VERSION)
	mkdir -p $(DESTDIR)/usr/src/wfd-$(VERSION)
	tar cf - dkms.conf $(KSRC) | tar xf - -C $(DESTDIR)/usr/src/wfd-$(VERSION)
ifeq ($(DESTDIR),)
	dkms install -m wfd -v $(VERSION)
endif

dkms-uninstall:
	-dkms remove -m wfd -v $(VERSION) --all
	rm -rf $(DESTDIR)/usr/src/wfd-$(VERSION)

sparse:
	$(MAKE) module C=2 W=1

checkpatch:
	@cp=$$(bash tests/vm/fetch-checkpatch.sh) && \
	 $$cp --strict --no-tree --ignore FILE_PATH_CHANGES \
		-f $(wildcard kernel/*.c kernel/*.h) include/uapi/drm/wfd_drm.h

selftests:
	$(MAKE) -C tests/selftests

# Like make demo, check installs what it needs first (idempotent).
check:
	@bash tests/deps.sh
	@bash tests/run-all.sh $(KERNELS)

# The kernel and session tests on a debug build of Debian's 6.12 (lockdep,
# KASAN, UBSAN, kmemleak...), built once per machine and cached outside the
# clone (tests/vm/build-debug-kernel.sh); fails on any report of theirs.
check-debug:
	@bash tests/deps.sh
	@bash tests/run-all.sh 6.12-debug

# As check, with the compositor scenario on every kernel, not only 6.12.
check-full:
	@WFD_CHECK_FULL=1 bash tests/run-all.sh $(KERNELS)

igt:
	@bash tests/igt/run.sh $(KERNELS)

# The sound tests with the tone held to the issue's bounds (frequency
# +-1 %, level +-1 dB, no gap over a packet): make check runs them with
# the tone only present, which a starved emulator still allows.
.PHONY: check-audio
AUDIO_KERNEL ?= 6.12
check-audio:
	bash tests/deps.sh
	$(MAKE) userspace
	tests/vm/run.sh --kernel $(AUDIO_KERNEL) --timeout 1800 -- \
		env AUDIO_TONE=strict bash -c '$(CURDIR)/tests/e2e/audio.sh; a=$$?; $(CURDIR)/tests/e2e/lipsync.sh && exit $$a'

.PHONY: fuzz fuzz-coverage
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
FUZZ_DIR := userspace/wfdd/tests/fuzz
FUZZ_SRC := $(addprefix userspace/wfdd/,tests/fuzz-wfd.c rtsp.c wfdparams.c wfd_source.c)
FUZZ_CFLAGS := -std=c11 -g -Wall -Wextra -Werror -Iuserspace/wfdd -Iuserspace/lib \
	-Iinclude/uapi/drm $$(pkg-config --cflags libdrm)
# New inputs go to build/fuzz/corpus; the committed seeds (a whole M1-M16
# dialogue both ways, misbehaving sinks; $(FUZZ_DIR)/mkcorpus.py) are read.
fuzz:
	@mkdir -p $(BUILD)/fuzz/corpus
	clang $(FUZZ_CFLAGS) -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(FUZZ_SRC) -o $(BUILD)/fuzz/fuzz-wfd
	cd $(BUILD)/fuzz && ./fuzz-wfd -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
		$(if $(filter-out 1,$(FUZZ_JOBS)),-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS)) \
		-print_final_stats=1 \
		-dict=$(CURDIR)/$(FUZZ_DIR)/wfd.dict corpus $(CURDIR)/$(FUZZ_DIR)/corpus

fuzz-coverage:
	@mkdir -p $(BUILD)/fuzz/corpus
	clang $(FUZZ_CFLAGS) -O0 -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping \
		$(FUZZ_SRC) -o $(BUILD)/fuzz/fuzz-wfd-cov
	@$(FUZZ_DIR)/coverage.sh $(BUILD)/fuzz/fuzz-wfd-cov $(BUILD)/fuzz/cov \
		$(BUILD)/fuzz/corpus $(FUZZ_DIR)/corpus

# The multi-threaded ioctl fuzzer (tests/fuzz/README.rst); traces in build/vm-out/.
.PHONY: fuzz-kernel
FUZZ_KERNEL ?= 6.12
FUZZ_MINUTES ?= 2
FUZZ_THREADS ?= 4
FUZZ_SEED ?= $(shell date +%s)
fuzz-kernel:
	$(MAKE) -C tests/fuzz
	tests/vm/run.sh --kernel $(FUZZ_KERNEL) --mem 4096 --timeout $$(( $(FUZZ_MINUTES) * 90 + 900 )) -- \
		env FUZZ_MINUTES=$(FUZZ_MINUTES) FUZZ_SEED=$(FUZZ_SEED) FUZZ_THREADS=$(FUZZ_THREADS) \
		FUZZ_REPLAY=$(FUZZ_REPLAY) tests/fuzz/run-in-vm.sh

.PHONY: bench bench-callgrind
bench:
	@QUICK=$(QUICK) bash tests/bench/run.sh $(KERNELS)

bench-callgrind:
	@QUICK=$(QUICK) bash tests/bench/callgrind.sh

clean:
	rm -rf $(BUILD)
	$(MAKE) -C tests/selftests clean
