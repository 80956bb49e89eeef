#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build vkms out of tree from Debian's linux-source package of the very
# version of a kernel that tests/vm/fetch-kernel.sh fetched, and print the
# path of vkms.ko.  Cached in .vm-cache/vkms-ABI (rebuilt when the kernel's
# version changes).  Used by the IGT runs and the benchmarks.
#
# Usage: build-vkms.sh SERIES        (6.1 or 6.12)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
series=${1:?usage: build-vkms.sh SERIES}
log() { echo "build-vkms: $*" >&2; }

kdir=$(bash "$top/tests/vm/fetch-kernel.sh" "$series")
abi=$(cat "$kdir/abi")
version=$(cat "$kdir/version")
cache=$top/.vm-cache/vkms-$abi
if [ -f "$cache/vkms.ko" ] && [ "$(cat "$cache/version" 2> /dev/null)" = "$version" ]; then
	echo "$cache/vkms.ko"
	exit 0
fi
log "building vkms for $abi from linux-source-$series $version"
rm -rf "$cache"
mkdir -p "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
	"linux-source-$series=$version" >&2); then
	log "cannot download linux-source-$series=$version (apt-get update? is the version still in the archive?)"
	exit 1
fi
deb=$(ls "$tmp"/linux-source-"$series"_*.deb)
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/linux-source-$series.tar.xz" |
	xz -dc | tar -x -C "$tmp" --wildcards "linux-source-$series/drivers/gpu/drm/vkms/*"
mv "$tmp/linux-source-$series/drivers/gpu/drm/vkms" "$cache/src"
hdr=$kdir/root/usr/src/linux-headers-$abi
make -s -C "$hdr" M="$cache/src" CONFIG_DRM_VKMS=m modules >&2 ||
	{ log "building vkms failed"; exit 1; }
cp "$cache/src/vkms.ko" "$cache/vkms.ko"
echo "$version" > "$cache/version"
echo "$cache/vkms.ko"
