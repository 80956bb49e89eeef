#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Two wireless outputs at once, as deployed: wfd loaded with two outputs,
# one wfdd per output (each its own claim), one test sink per wfdd with a
# mode of its own, and one KMS client that lights and flips both CRTCs in
# one atomic commit, as a compositor with two monitors does.  Each sink
# must get its own stream in its own mode, with no hold timeout on either
# output.  KTAP.
top=$(cd "$(dirname "$0")/../.." && pwd)
wfdd=${WFDD:-$top/build/userspace-release/wfdd/wfdd}
sinkbin=$top/tests/e2e/wfd_testsink
out=${WFD_OUT:-/tmp}/two-outputs
mkdir -p "$out"
rm -f "$out"/*
# Sink 1: 640x360p30 (HH bit 6); sink 2: 640x480p60 (CEA bit 0).
formats1="00 00 01 01 00000000 00000000 00000040 00 0000 0000 00 none none"
formats2="00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none"

# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
echo "KTAP version 1"
echo "1..3"

# Two outputs, and a hold as long as emulation needs.
# shellcheck disable=SC2086
if ! { rmmod wfd && insmod "$WFD_KO" $WFD_PARAMS outputs=2 hold_timeout_ms=1000; }; then
	echo "# cannot load wfd with two outputs"
	for t in both_outputs_connect each_sink_own_stream no_hold_timeout; do result $t 1; done
	exit 1
fi
sysctl -qw net.core.rmem_max=16777216

for i in 1 2; do
	"$wfdd" --listen "127.0.0.1:$((7235 + i))" --allow 127.0.0.1 --output "$i" \
		--bitrate 4000 -v > "$out/wfdd$i.log" 2>&1 &
	eval "wfdd$i=\$!"
done
wait_grep "$out/wfdd1.log" "waiting for a sink|listening" 1 60
wait_grep "$out/wfdd2.log" "waiting for a sink|listening" 1 60
"$top/tests/e2e/dual_client" 40 > "$out/client.log" 2>&1 &
client=$!
"$sinkbin" --connect 127.0.0.1:7236 --rtp-port 19000 --formats "$formats1" \
	--out "$out/stream1.ts" --duration 90 --teardown-after 30 > "$out/sink1.log" 2>&1 &
sink1=$!
"$sinkbin" --connect 127.0.0.1:7237 --rtp-port 19002 --formats "$formats2" \
	--out "$out/stream2.ts" --duration 90 --teardown-after 30 > "$out/sink2.log" 2>&1 &
sink2=$!

# 1: both outputs connect with their own sink's mode; the client lights both.
rc=0
wait_grep "$out/client.log" "dual_client: .* and " 1 90 || rc=1
sed 's/^/# /' "$out/client.log" | head -n 1
grep -q "640x360 and 640x480" "$out/client.log" || rc=1
wait_grep "$out/sink1.log" "M7 playing" 1 90 || { echo "# sink 1 never played"; rc=1; }
wait_grep "$out/sink2.log" "M7 playing" 1 90 || { echo "# sink 2 never played"; rc=1; }
result both_outputs_connect $rc

# 2: each sink decodes its own stream, in its own size, with the pattern.
rc=0
wait "$sink1" "$sink2" 2>/dev/null
wait "$client" 2>/dev/null
sed 's/^/# /' "$out/client.log" | tail -n 1
for i in 1 2; do
	w=640 h=$((i == 1 ? 360 : 480))
	# (The stream's size is printed once for its program, once for itself.)
	size=$(ffprobe -v error -select_streams v -show_entries stream=width,height -of csv=p=0 \
		"$out/stream$i.ts" 2>/dev/null | grep -m1 .)
	echo "# sink $i: stream ${size:-none}"
	[ "$size" = "$w,$h" ] || rc=1
	frames=$(mktemp -p /dev/shm wfd-frames.XXXXXX 2>/dev/null || mktemp)
	ffmpeg -nostdin -hide_banner -loglevel error -i "$out/stream$i.ts" -map 0:v \
		-fps_mode passthrough -f rawvideo -pix_fmt rgb24 -y "$frames" > "$out/ffmpeg$i.log" 2>&1
	"$top/tests/e2e/check_frames" "$frames" "$w" "$h" 25 | tail -n 2 | sed "s/^/# sink $i: /"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	rm -f "$frames"
done
[ "$rc" -eq 0 ] || for f in wfdd1.log wfdd2.log sink1.log sink2.log; do
	tail -n 6 "$out/$f" | sed "s/^/# $f: /"
done
result each_sink_own_stream $rc

# 3: no spurious hold timeout on either output.
rc=0
for i in 1 2; do
	t=$(wfd_state "output$i.hold_timeouts" | awk '{ print $2 }')
	d=$(wfd_state "output$i.frames_delivered" | awk '{ print $2 }')
	echo "# output $i: frames_delivered ${d:-?} hold_timeouts ${t:-?}"
	[ "${t:-1}" = 0 ] && [ "${d:-0}" -gt 0 ] || rc=1
done
result no_hold_timeout $rc

kill -TERM "$wfdd1" "$wfdd2" 2>/dev/null
wait 2>/dev/null
# Back to the suite's module.
# shellcheck disable=SC2086
rmmod wfd && insmod "$WFD_KO" $WFD_PARAMS
exit $fail
