# SPDX-License-Identifier: GPL-2.0
# xalloc: build the modules against KDIR, or test them in QEMU guests.
# The kernel build itself reads Kbuild; this file is only for humans.

KDIR ?= /lib/modules/$(shell uname -r)/build
KERNELS ?= 6.1 6.12
KERNEL ?= 6.1

# User-space tools, static so that they run in the guest's busybox initramfs.
# The kselftest harness comes from the unpacked source of KSFT_KERNEL, found
# through the build directory scripts/kernel.sh prints (its "source" link).
TOOLS_CC ?= gcc
TOOLS_CFLAGS ?= -static -O2 -Wall -Wextra -I include/uapi
KSFT_KERNEL ?= 6.1
TOOLS := tools/build/xallocctl tools/build/xalloc_test tools/build/xalloc_fuzz \
	 tools/build/xalloc_hog

.PHONY: all clean deps check run shell tools bench

all:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	rm -rf build tools/build
	find . -path ./.git -prune -o \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name '.*.d' -o -name modules.order \
		-o -name Module.symvers \) -type f -print0 | xargs -0 rm -f

deps:
	scripts/deps.sh

check: tools
	scripts/check.sh $(KERNELS)

# xalloc against the kernel's allocators on a kernel without bug finders;
# BENCH_ARGS go to xalloc_bench.ko, e.g. BENCH_ARGS="trials=9 scale=200";
# KERNEL is 6.1 (the default), 6.12 (the -O2 bench kernels) or debian
# (Debian's stock 6.1 kernel, booted with init_on_alloc=1 and =0);
# XALLOC_ARGS go to xalloc.ko, e.g. XALLOC_ARGS=sheaves=1.
KERNEL ?= 6.1
bench:
	KERNEL=$(KERNEL) XALLOC_ARGS="$(XALLOC_ARGS)" scripts/bench.sh $(BENCH_ARGS)

# Recorded workloads (traces/) through xalloc and the kernel's allocators on
# the bench kernel; RECORD=1 records them first on Debian's 6.1 kernel
# (Documentation/replay.rst); XALLOC_ARGS go to xalloc.ko as for bench.
.PHONY: replay
replay:
	REPLAY_RECORD=$(RECORD) XALLOC_ARGS="$(XALLOC_ARGS)" scripts/replay.sh $(TRACES)

# xalloc of git revision REV against the working tree's, in one boot of the
# bench kernel, turns A B B A: make bench-ab REV=main BENCH_ARGS=only=fastpath
REV ?= HEAD
ROUNDS ?= 2
.PHONY: bench-ab
bench-ab:
	scripts/bench_ab.sh $(REV) $(ROUNDS) $(BENCH_ARGS)

run: tools
	scripts/boot.sh run $(KERNEL)

shell: tools
	scripts/boot.sh shell $(KERNEL)

# Documentation/ as HTML in build/docs/html, warnings as errors. kernel-doc
# and its Sphinx extension come from the unpacked source of DOCS_KERNEL.
DOCS_KERNEL ?= 6.1
.PHONY: docs dkms-install dkms-remove
docs:
	kdir=$$(scripts/kernel.sh $(DOCS_KERNEL) kunit/debug.config) && \
	XALLOC_KSRC=$$(readlink -f "$$kdir/source") sphinx-build -W --keep-going -q \
		-b html -d build/docs/doctrees Documentation build/docs/html
	@echo "docs: build/docs/html/index.html"

# xalloc for the running kernel (and later ones) with DKMS: see dkms.conf.
dkms-install:
	scripts/dkms.sh install

dkms-remove:
	scripts/dkms.sh remove

tools: $(TOOLS)

tools/build/xallocctl: tools/xallocctl/xallocctl.c tools/xallocctl/top.c \
		      tools/xallocctl/xallocctl.h include/uapi/linux/xalloc.h
	@mkdir -p $(@D)
	$(TOOLS_CC) $(TOOLS_CFLAGS) -o $@ tools/xallocctl/xallocctl.c tools/xallocctl/top.c

tools/build/xalloc_fuzz: tools/testing/xalloc_fuzz.c tools/testing/xalloc_sheaves.h \
			 include/uapi/linux/xalloc.h
	@mkdir -p $(@D)
	$(TOOLS_CC) $(TOOLS_CFLAGS) -o $@ $<

# Memory pressure from user space, for scripts/reliability.sh's elastic run.
tools/build/xalloc_hog: tools/testing/xalloc_hog.c
	@mkdir -p $(@D)
	$(TOOLS_CC) $(TOOLS_CFLAGS) -o $@ $<

tools/build/xalloc_test: tools/testing/xalloc_test.c tools/testing/xalloc_sheaves.h \
			 include/uapi/linux/xalloc.h
	@mkdir -p $(@D)
	kdir=$$(scripts/kernel.sh $(KSFT_KERNEL) kunit/debug.config) && \
	$(TOOLS_CC) $(TOOLS_CFLAGS) -isystem "$$kdir/source/tools/testing/selftests" -o $@ $<
