#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch (and cache) a Debian kernel image and its headers for one supported
# series, without installing anything.  The newest version the configured
# archive offers is picked with apt-cache; nothing is pinned here.
#
# Usage: fetch-kernel.sh SERIES   (SERIES is 6.1 or 6.12)
# Prints the path of the extracted tree on stdout.  Layout of that tree:
#   root/boot/vmlinuz-ABI, root/lib/modules/ABI, root/usr/src/linux-headers-ABI
#   abi            the kernel ABI name (uname -r inside the VM)
#   version        the Debian package version
set -euo pipefail

series=${1:?usage: fetch-kernel.sh 6.1|6.12}
cache=${WFD_VM_CACHE:-$(cd "$(dirname "$0")/../.." && pwd)/.vm-cache}
mkdir -p "$cache"

log() { echo "fetch-kernel: $*" >&2; }

# The metapackage names the newest ABI of a series.
resolve_abi() {
	local pkg
	case "$series" in
	6.1)
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		      sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' |
		      head -n1)
		;;
	6.12)
		pkg=$(apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		      grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
		      sort -V | tail -n1)
		;;
	*)
		log "unsupported series '$series'"; exit 2 ;;
	esac
	[ -n "$pkg" ] || { log "no linux-image package for $series (run apt-get update)"; exit 1; }
	echo "${pkg#linux-image-}"
}

abi=$(resolve_abi)
dir="$cache/$abi"
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

log "fetching $abi"
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
hdr_deps=$(apt-cache depends "linux-headers-$abi" |
	   sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ <]*\)$/\1/p' | sort -u)
(cd "$dir/debs" && apt-get download -q "linux-image-$abi" "linux-headers-$abi" $hdr_deps >&2)
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done

# The headers' Makefile includes the common tree by absolute path; point it
# into the extracted tree instead.
hdr="$dir/root/usr/src/linux-headers-$abi"
sed -i "s|/usr/src/|$dir/root/usr/src/|g" "$hdr/Makefile"
# Symlinks into linux-kbuild are absolute on some versions; make them local.
find "$hdr" "$dir/root/usr/src" -maxdepth 2 -type l | while read -r l; do
	t=$(readlink "$l")
	case "$t" in /usr/*) ln -sfn "$dir/root$t" "$l" ;; esac
done

# The package leaves modules.dep to its postinst.
depmod -b "$dir/root" "$abi"

dpkg-deb -f "$dir/debs/linux-image-${abi}_"*.deb Version > "$dir/version"
echo "$abi" > "$dir/abi"
rm -rf "$dir/debs"
touch "$dir/.complete"
log "cached $abi ($(cat "$dir/version")) in $dir"
echo "$dir"
