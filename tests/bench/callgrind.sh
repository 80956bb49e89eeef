#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Instructions per frame of wfdd's user-space stages (convert, encode,
# mux+send), counted by callgrind on this machine (native, not TCG: an
# instruction count does not depend on the emulator's speed).
#
# Usage: callgrind.sh [OUTDIR]     (default bench-out/callgrind)
# Environment: FRAMES (default 30), QUICK=1 (640x480 and 1280x720 only).
# Writes OUTDIR/results.{txt,csv,json} and the callgrind outputs.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/bench-out/callgrind}
frames=${FRAMES:-30}
bash "$top/tests/deps.sh" >&2
make -s -C "$top/tests/bench" stages >&2
mkdir -p "$out"
sizes="640x480 1280x720 1920x1080"
[ "${QUICK:-0}" != 1 ] || sizes="640x480 1280x720"
{
	echo "callgrind: instructions per frame (Ir, native $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), $frames frames of the moving pattern, 30 fps"
	printf '  %-16s %-9s %14s %14s %14s %14s\n' mode encoder convert encode mux+send total
} > "$out/results.txt"
echo "mode,encoder,frames,convert_ir,encode_ir,mux_send_ir" > "$out/results.csv"
# The last point is wfdd's idle refresh: the same picture encoded again.
for point in $sizes 1280x720@static; do
	size=${point%@*} still=""
	[ "$point" = "$size" ] || still=static
	case "$size" in 640x480) kbps=2000 ;; 1280x720) kbps=4000 ;; *) kbps=8000 ;; esac
	for enc in x264 openh264; do
		f=$out/callgrind.$enc.$point.out
		nice valgrind -q --tool=callgrind --callgrind-out-file="$f" \
			"$top/tests/bench/stages" "$enc" "$size" "$frames" 30 "$kbps" $still > /dev/null
		# Inclusive cost of each stage function, per frame.
		callgrind_annotate --inclusive=yes "$f" 2> /dev/null |
			awk -v size="$size${still:+ $still}" -v enc="$enc" -v n="$frames" -v csv="$out/results.csv" '
			/stage_convert|stage_encode|stage_mux_send/ {
				ir = $1; gsub(/,/, "", ir)
				if ($0 ~ /stage_convert/) c = ir
				else if ($0 ~ /stage_encode/) e = ir
				else m = ir
			}
			END {
				printf "  %-16s %-9s %14.0f %14.0f %14.0f %14.0f\n", size, enc, c / n, e / n, m / n, (c + e + m) / n
				printf "%s,%s,%d,%.0f,%.0f,%.0f\n", size, enc, n, c / n, e / n, m / n >> csv
			}' >> "$out/results.txt"
	done
done
python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
json.dump(rows, open(sys.argv[2], "w"), indent=1)' "$out/results.csv" "$out/results.json"
cat "$out/results.txt"
