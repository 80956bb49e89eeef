#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Extract checkpatch.pl (and the files it reads) from Debian's linux-source
# package of the newest 6.12 kernel into the cache; print its path.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${WFD_VM_CACHE:-$top/.vm-cache}
kdir=$(bash "$top/tests/vm/fetch-kernel.sh" 6.12)
ver=$(cat "$kdir/version")
dst="$cache/checkpatch-$ver"
if [ ! -x "$dst/scripts/checkpatch.pl" ]; then
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q "linux-source-6.12=$ver" >&2)
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.12_*.deb |
		tar -xO --wildcards '*/linux-source-6.12.tar.xz' |
		tar -xJ -C "$tmp" --wildcards --strip-components=1 \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch'
	mkdir -p "$dst"
	mv "$tmp/scripts" "$dst/"
	rm -rf "$tmp"
fi
echo "$dst/scripts/checkpatch.pl"
