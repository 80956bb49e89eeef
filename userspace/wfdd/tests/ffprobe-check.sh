#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A real demuxer takes the stream test-encode muxed, without a warning.
set -e
enc=$1
ts=$(mktemp --suffix=.ts)
trap 'rm -f "$ts"' EXIT
"$enc" x264 "$ts" >/dev/null
if ! command -v ffprobe >/dev/null; then
	echo "ffprobe not installed"; exit 77
fi
out=$(ffprobe -v warning -show_entries stream=codec_name,profile,width,height -of csv=p=0 "$ts" 2>&1 | grep -v "^$" | sort -u)
echo "$out"
[ "$out" = "h264,Constrained Baseline,320,240" ]
frames=$(ffprobe -v warning -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$ts" 2>&1 | grep -v "^$" | sort -u)
echo "frames: $frames"
[ "$frames" = 60 ]
