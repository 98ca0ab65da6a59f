#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Copy the sources to MODDIR and build the modules there against KDIR.
# Out-of-tree builds write objects next to the sources, so each kernel gets
# its own copy; --delete drops stale objects, so every build is a full one
# and prints all of its warnings.
#
# usage: scripts/modules.sh KDIR MODDIR [MAKE ARGUMENTS...]
set -euo pipefail

kdir=$1
moddir=$2
shift 2
repo=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$moddir"
rsync -a --delete --exclude=/build/ --exclude=.git "$repo/" "$moddir/"
make -C "$kdir" M="$moddir" "$@" modules
