#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make demo-p2p, inside the VM: Wi-Fi Direct over simulated radios
# (tests/e2e/p2p.sh --smoke): wfdctl sinks finds the simulated TV and not
# the phone beside it, wfdd --p2p "Living Room TV" forms the group and
# casts, the TV leaves and the output unplugs.  Leaves in $WFD_OUT/p2p
# the logs, what the TV received (cast-1.ts), a PNG of a frame it decoded
# and report.txt (the sinks found, the times of each step).
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$WFD_OUT/p2p

"$top/tests/e2e/p2p.sh" --smoke | tee /run/p2p.ktap
rc=${PIPESTATUS[0]}
cp /run/p2p.ktap "$out/p2p.ktap"
ffmpeg -nostdin -hide_banner -loglevel error -sseof -3 -i "$out/tv-a/cast-1.ts" -frames:v 1 \
	-y "$out/frame-tv.png" 2>/dev/null
{
	echo "kernel: $(uname -r)"
	echo "wfdctl sinks (the TV and a phone in range; the phone is no Wi-Fi Display sink):"
	sed 's/^/  /' "$out/sinks.txt"
	grep -E "found sink|connecting|group .* started|address after|waiting for sink|left group" \
		"$out/wfdd-a.log" | sed 's/^/  /'
	grep -E '^# (times|the TV left|cast 1:)' /run/p2p.ktap | sed 's/^# /  /'
	grep -E '^(ok|not ok) ' /run/p2p.ktap | sed 's/^/  /'
} > "$out/report.txt"
cat "$out/report.txt"
exit "$rc"
