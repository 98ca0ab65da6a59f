# SPDX-License-Identifier: GPL-2.0
# xalloc: build the modules against KDIR, or test them in QEMU guests.
# The kernel build itself reads Kbuild; this file is only for humans.

KDIR ?= /lib/modules/$(shell uname -r)/build
KERNELS ?= 6.1 6.12
KERNEL ?= 6.1

.PHONY: all clean deps check run shell

all:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	rm -rf build
	find . -path ./.git -prune -o \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name '.*.d' -o -name modules.order \
		-o -name Module.symvers \) -type f -print0 | xargs -0 rm -f

deps:
	scripts/deps.sh

check:
	scripts/check.sh $(KERNELS)

run:
	scripts/boot.sh run $(KERNEL)

shell:
	scripts/boot.sh shell $(KERNEL)
