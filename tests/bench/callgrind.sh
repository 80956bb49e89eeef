#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Instructions per frame of wfdd's user-space stages (convert, encode,
# mux+send), and per second of its stream on a static picture (idle.c),
# counted by callgrind on this machine (native, not TCG: an instruction
# count does not depend on the emulator's speed).
#
# Usage: callgrind.sh [OUTDIR]     (default bench-out/callgrind)
# Environment: FRAMES (default 30), QUICK=1 (640x480 and 1280x720 only),
# IDLE_SECONDS (default 10).
# Writes OUTDIR/results.{txt,csv,json}, OUTDIR/idle.csv and the callgrind
# outputs.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/bench-out/callgrind}
frames=${FRAMES:-30}
bash "$top/tests/deps.sh" >&2
make -s -C "$top/tests/bench" stages idle >&2
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
# A static 1920x1080@30 picture: what the stream costs a second, for each
# kind of receiver (tests/bench/idle.c), after a second of settling.
secs=${IDLE_SECONDS:-10}
{
	echo
	echo "callgrind: instructions per second of wfdd's stream on a static 1920x1080@30 picture (x264, $secs s)"
	printf '  %-52s %14s %9s %6s %9s\n' receiver "Ir/s" pictures IDRs "wakes/s"
} >> "$out/results.txt"
echo "receiver,seconds,ir_per_s,pictures,idrs,wakeups_per_s" > "$out/idle.csv"
for mode in skip noskip direct; do
	case "$mode" in
	skip) what="Wi-Fi Display sink that skips frames, asks for IDRs" ;;
	noskip) what="Wi-Fi Display sink that does not skip frames" ;;
	direct) what="direct mode (--rtp); every sink before this cut" ;;
	esac
	f=$out/callgrind.idle.$mode.out
	line=$(nice valgrind -q --tool=callgrind --toggle-collect=run_idle --callgrind-out-file="$f" \
		"$top/tests/bench/idle" 1920x1080 "$secs" "$mode" 2> /dev/null)
	ir=$(callgrind_annotate "$f" 2> /dev/null | awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1 }')
	# "idle: MODE WxH, S s: P pictures, I IDRs, W wake-ups, D datagrams"
	echo "$line" | awk -v what="$what" -v ir="$ir" -v secs="$secs" -v mode="$mode" \
		-v csv="$out/idle.csv" '{
		printf "  %-52s %14.0f %9d %6d %9.1f\n", what, ir / secs, $6, $8, $10 / secs
		printf "%s,%d,%.0f,%d,%d,%.1f\n", mode, secs, ir / secs, $6, $8, $10 / secs >> csv
	}' >> "$out/results.txt"
done
python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
json.dump(rows, open(sys.argv[2], "w"), indent=1)' "$out/results.csv" "$out/results.json"
cat "$out/results.txt"
