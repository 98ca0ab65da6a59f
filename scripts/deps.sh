#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install every Debian package xalloc's build, tests and guests need.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail

pkgs=(
	build-essential gcc make flex bison bc libelf-dev libssl-dev
	cpio gzip xz-utils rsync kmod python3 perl
	qemu-system-x86 busybox-static
	linux-source-6.1 linux-source-6.12
	sparse
)

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi
echo "deps: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
