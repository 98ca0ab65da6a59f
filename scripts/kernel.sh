#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) a test kernel from Debian's linux-source-<version> package:
# tinyconfig plus the given fragments. Prints the build directory (O=) on
# stdout. Builds are cached in $XALLOC_CACHE (default ~/.cache/xalloc),
# keyed by the package version and the fragments' contents, so a second run
# rebuilds nothing. A fragment F.config brings F-VERSION.config along if that
# exists: options for one kernel version only.
#
# usage: scripts/kernel.sh VERSION FRAGMENT...
set -euo pipefail

ver=$1
shift
frags=()
for frag in "$@"; do
	frags+=("$frag")
	[ ! -f "${frag%.config}-$ver.config" ] || frags+=("${frag%.config}-$ver.config")
done
set -- "${frags[@]}"
cache=${XALLOC_CACHE:-$HOME/.cache/xalloc}
tarball=/usr/src/linux-source-$ver.tar.xz
pkgver=$(dpkg-query -W -f='${Version}' "linux-source-$ver")
src=$cache/src/linux-source-$ver-$pkgver
key=$( (echo "$pkgver"; cat "$@") | sha1sum | cut -c1-12)
out=$cache/$ver-$key

mkdir -p "$cache/src"
exec 9>"$cache/$ver.lock"
flock 9

log() { echo "kernel $ver: $*" >&2; }

if [ ! -f "$src/.xalloc-unpacked" ]; then
	log "unpacking $tarball"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.xalloc-unpacked"
	mv "$src.tmp" "$src"
fi

if [ -f "$out/.xalloc-built" ]; then
	echo "$out"
	exit 0
fi

log "configuring in $out"
rm -rf "$out"
mkdir -p "$out"
# merge_config.sh is chatty: keep its output in a log, show it only on failure.
if ! {
	make -s -C "$src" O="$out" tinyconfig &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$@" &&
		make -s -C "$src" O="$out" olddefconfig
} >"$out/config.log" 2>&1; then
	tail -20 "$out/config.log" >&2
	exit 1
fi

# olddefconfig silently drops options whose dependencies are missing.
missing=0
for frag in "$@"; do
	while read -r line; do
		case "$line" in
		CONFIG_*=*) want=$line ;;
		"# CONFIG_"*" is not set") want=$line ;;
		*) continue ;;
		esac
		name=${want#\# }
		name=${name%%[= ]*}
		if [ "${want#\#}" != "$want" ]; then
			! grep -q "^$name=" "$out/.config" && continue
		else
			grep -qx "$want" "$out/.config" && continue
		fi
		log "option lost in .config: $want"
		missing=1
	done <"$frag"
done
[ $missing -eq 0 ] || exit 1

log "building (log: $out/build.log)"
start=$SECONDS
if ! make -C "$src" O="$out" -j"$(nproc)" bzImage modules >"$out/build.log" 2>&1; then
	tail -40 "$out/build.log" >&2
	exit 1
fi
log "built in $((SECONDS - start)) s"
touch "$out/.xalloc-built"
echo "$out"
