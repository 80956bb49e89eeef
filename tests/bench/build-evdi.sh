#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build evdi's kernel module from Debian's evdi-dkms package by hand (not
# through DKMS, which targets the running kernel) against the headers of a
# kernel tests/vm/fetch-kernel.sh fetched, and print the path of evdi.ko.
# Cached in .vm-cache/evdi-ABI.  evdi 1.12 builds against Debian's 6.1
# kernels only.
#
# Usage: build-evdi.sh SERIES
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
series=${1:?usage: build-evdi.sh SERIES}
log() { echo "build-evdi: $*" >&2; }

kdir=$(bash "$top/tests/vm/fetch-kernel.sh" "$series")
abi=$(cat "$kdir/abi")
version=$(apt-cache policy evdi-dkms | sed -n 's/^ *Candidate: //p')
[ -n "$version" ] && [ "$version" != "(none)" ] ||
	{ log "no evdi-dkms package (apt-get update?)"; exit 1; }
cache=$top/.vm-cache/evdi-$abi
if [ -f "$cache/evdi.ko" ] && [ "$(cat "$cache/version" 2> /dev/null)" = "$version" ]; then
	echo "$cache/evdi.ko"
	exit 0
fi
log "building evdi $version for $abi"
rm -rf "$cache"
mkdir -p "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "evdi-dkms=$version" >&2) ||
	{ log "cannot download evdi-dkms=$version"; exit 1; }
dpkg-deb -x "$tmp"/evdi-dkms_*.deb "$tmp/x"
mv "$tmp"/x/usr/src/evdi-* "$cache/src"
make -s -C "$kdir/root/usr/src/linux-headers-$abi" M="$cache/src" modules >&2 ||
	{ log "building evdi failed for $abi"; exit 1; }
cp "$cache/src/evdi.ko" "$cache/evdi.ko"
echo "$version" > "$cache/version"
echo "$cache/evdi.ko"
