#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xalloc with DKMS (Debian's dkms package), as dkms.conf describes it.
#
# usage: scripts/dkms.sh install [KERNEL]   make dkms-install
#        scripts/dkms.sh remove             make dkms-remove
#        scripts/dkms.sh test DIR KERNEL    make check: build in a private
#                                           DKMS tree under DIR, install nothing
#
# install copies the module's sources (no build artifacts) to
# /usr/src/xalloc-<version>, then runs dkms add, build and install for
# KERNEL (default: the running one, whose headers must be installed:
# apt-get install linux-headers-$(uname -r)). dkms then rebuilds xalloc for
# every kernel installed later. remove undoes all of it, for every kernel.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
name=xalloc
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$repo/dkms.conf")
[ -n "$version" ] || { echo "dkms: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

# stage DIR: the files a module build needs, nothing else.
stage() {
	$sudo mkdir -p "$1"
	$sudo rsync -a --delete --prune-empty-dirs \
		--include=/dkms.conf --include=/Kbuild --include=/Makefile \
		--include='/include/***' --include=/mm/ --include=/bench/ \
		--include=/kunit/ --include='/mm/*.[ch]' --include='/bench/*.[ch]' \
		--include='/kunit/*.[ch]' --exclude='*' "$repo/" "$1/"
}

case "${1:-}" in
install)
	kernel=${2:-$(uname -r)}
	if [ ! -e "/lib/modules/$kernel/build" ]; then
		echo "dkms: no headers for $kernel: apt-get install linux-headers-$kernel" >&2
		exit 1
	fi
	$sudo dkms remove "$name/$version" --all >/dev/null 2>&1 || true
	stage "/usr/src/$name-$version"
	$sudo dkms add "$name/$version"
	$sudo dkms build "$name/$version" -k "$kernel"
	$sudo dkms install "$name/$version" -k "$kernel"
	$sudo dkms status "$name"
	;;
remove)
	$sudo dkms remove "$name/$version" --all || true
	$sudo rm -rf "/usr/src/$name-$version"
	;;
test)
	kernel=$3
	rm -rf "$2"
	mkdir -p "$2"
	dir=$(cd "$2" && pwd)
	mkdir -p "$dir/source" "$dir/tree" "$dir/install"
	stage "$dir/source/$name-$version"
	trees=(--dkmstree "$dir/tree" --sourcetree "$dir/source" --installtree "$dir/install")
	dkms "${trees[@]}" add "$name/$version"
	dkms "${trees[@]}" build "$name/$version" -k "$kernel"
	ls "$dir/tree/$name/$version/$kernel/"*/module/$name.ko*
	;;
*)
	sed -n 's/^# \{0,1\}//; 3,14p' "$0" >&2
	exit 1
	;;
esac
