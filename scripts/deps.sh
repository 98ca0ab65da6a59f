#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install every Debian package xalloc's build, tests and guests need.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(
	build-essential gcc make flex bison bc libelf-dev libssl-dev
	cpio gzip xz-utils rsync kmod python3 perl
	qemu-system-x86 busybox-static
	linux-source-6.1 linux-source-6.12
	sparse
	gnuplot-nox
	python3-sphinx python3-sphinx-rtd-theme python3-matplotlib
	dkms linux-headers-amd64
)

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

# Headers of the newest Debian 6.12 kernel (bookworm-security), for the DKMS
# build test; its version changes with every security update.
headers612() {
	apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{ print $1 }' | sort -V | tail -1
}
h612=$(headers612)
if [ -z "$h612" ] && ! dpkg-query -W 'linux-headers-6.12.*-amd64' >/dev/null 2>&1; then
	$sudo apt-get update -q
	h612=$(headers612)
fi
if [ -n "$h612" ]; then
	pkgs+=("$h612")
elif ! dpkg-query -W 'linux-headers-6.12.*-amd64' >/dev/null 2>&1; then
	echo "deps: no linux-headers-6.12.*+deb12-amd64 in apt's lists" >&2
	exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages present"
else
	echo "deps: installing ${missing[*]}"
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's own 6.1 kernel for scripts/reliability.sh, not installed: the
# linux-image .deb matching linux-headers-amd64, unpacked in the cache.
kabi=$(debian_kabi)
[ -n "$kabi" ] || { echo "deps: linux-headers-amd64 names no 6.1 kernel" >&2; exit 1; }
deb=${XALLOC_CACHE:-$HOME/.cache/xalloc}/debian
if [ ! -f "$deb/linux-image-$kabi/boot/vmlinuz-$kabi" ]; then
	mkdir -p "$deb"
	(cd "$deb" && apt-get download -q "linux-image-$kabi")
	rm -rf "$deb/linux-image-$kabi"
	dpkg-deb -x "$deb"/linux-image-"$kabi"_*.deb "$deb/linux-image-$kabi"
	rm -rf "$deb"/linux-image-"$kabi"_*.deb "$deb/linux-image-$kabi/lib"
fi
echo "deps: Debian kernel $deb/linux-image-$kabi/boot/vmlinuz-$kabi"
