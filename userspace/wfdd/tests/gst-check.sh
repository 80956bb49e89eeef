#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# GStreamer takes what test-encode muxed, for each software encoder, with
# no warning or error from any element: the MPEG-TS file through tsdemux,
# h264parse and avdec_h264, and the same stream in RTP (RFC 4571 framed
# in a file, so no datagram can be lost) through rtpmp2tdepay first.
# Every one of the 60 pictures must come out of the decoder.
set -e
enc=$1
if ! command -v gst-launch-1.0 >/dev/null; then
	echo "gst-launch-1.0 not installed"; exit 77
fi
for e in tsdemux h264parse avdec_h264 rtpstreamdepay rtpmp2tdepay; do
	if ! gst-inspect-1.0 "$e" >/dev/null 2>&1; then
		echo "GStreamer element $e not installed"; exit 77
	fi
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
rtp_caps='application/x-rtp,media=video,clock-rate=90000,encoding-name=MP2T,payload=33'
decode='tsdemux ! h264parse ! avdec_h264 ! fakesink silent=false sync=false'

run() { # name, pipeline...
	name=$1; shift
	# *:2 logs every WARNING and ERROR of every element; -v prints one
	# "chain" line per decoded picture reaching the fakesink.
	if ! GST_DEBUG='*:2' GST_DEBUG_NO_COLOR=1 gst-launch-1.0 -v "$@" \
		> "$dir/out" 2> "$dir/log"; then
		echo "$name: gst-launch-1.0 failed"; cat "$dir/log"; return 1
	fi
	# One warning is gst-launch's and not about the stream: filesrc
	# starting before its pad is active.  Any other one fails.
	if grep -E '(WARN|ERROR) ' "$dir/log" |
		grep -v '<filesrc0> pad not activated yet$'; then
		echo "$name: GStreamer warned"; return 1
	fi
	frames=$(grep -c 'chain   \*' "$dir/out" || true)
	echo "$name: $frames pictures decoded"
	[ "$frames" = 60 ]
}

for e in x264 openh264; do
	"$enc" "$e" "$dir/$e.ts" "$dir/$e.rtp" > /dev/null
	# shellcheck disable=SC2086 # $decode is a pipeline fragment
	run "$e TS" filesrc location="$dir/$e.ts" ! $decode
	# shellcheck disable=SC2086
	run "$e RTP" filesrc location="$dir/$e.rtp" ! application/x-rtp-stream ! \
		rtpstreamdepay ! "$rtp_caps" ! rtpmp2tdepay ! $decode
done
