#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make demo, inside the VM: wfdd connects wfd output 1 as a 640x480 sink,
# a KMS client (standing in for a compositor) draws a moving pattern on
# it, ffmpeg receives and decodes the RTP stream; then the receiver goes
# away and wfdd ends the session, which unplugs the output.  Leaves PNGs
# of decoded frames, a report and the logs in $WFD_OUT.
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$WFD_OUT
port=5004
# Emulation is slow: give a conversion time to finish within the hold, and
# the receiver's socket room for IDR bursts (see tests/e2e/stream.sh).
echo 2000 > /sys/module/wfd/parameters/hold_timeout_ms
sysctl -qw net.core.rmem_max=16777216
wfdd=$top/build/userspace-release/wfdd/wfdd
conn=$(ls -d /sys/class/drm/card*-Virtual-1)

printf 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=wfd\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video %d RTP/AVP 33\r\n' \
	"$port" > "$out/stream.sdp"
ffmpeg -nostdin -hide_banner -loglevel error -protocol_whitelist file,rtp,udp \
	-analyzeduration 30M -probesize 20M -buffer_size 16777216 -i "$out/stream.sdp" -frames:v 60 \
	-fps_mode passthrough -f rawvideo -pix_fmt rgb24 -y "$out/frames.rgb" \
	> "$out/receiver.log" 2>&1 < /dev/null &
rx=$!
for _ in $(seq 600); do
	awk -v p=":$(printf %04X $port)\$" '$2 ~ p { f = 1 } END { exit !f }' /proc/net/udp && break
	sleep 0.1
done
sleep 1

echo "demo: output 1 is $(cat "$conn/status") before the session"
"$top/tests/e2e/pattern_client" 120 > "$out/client.log" 2>&1 &
client=$!
"$wfdd" --output 1 --rtp "127.0.0.1:$port" --mode 640x480@30 --name "Demo sink" \
	--bitrate 6000 -v > "$out/wfdd.log" 2>&1 &
wfdd_pid=$!
for _ in $(seq 100); do [ "$(cat "$conn/status")" = connected ] && break; sleep 0.1; done
echo "demo: output 1 is $(cat "$conn/status"), modes: $(tr '\n' ' ' < "$conn/modes")"
modes=$(tr '\n' ' ' < "$conn/modes")

wait "$rx"
echo "demo: the receiver decoded $(( $(stat -c %s "$out/frames.rgb") / (640 * 480 * 3) )) frames and left"
wait "$wfdd_pid"
for _ in $(seq 100); do [ "$(cat "$conn/status")" = disconnected ] && break; sleep 0.1; done
echo "demo: output 1 is $(cat "$conn/status") after the session"
kill "$client" 2>/dev/null

n=$(( $(stat -c %s "$out/frames.rgb") / (640 * 480 * 3) ))
for which in first last; do
	idx=0
	[ "$which" = last ] && idx=$((n - 1))
	ffmpeg -nostdin -loglevel error -f rawvideo -pix_fmt rgb24 -s 640x480 -i "$out/frames.rgb" \
		-vf "select=eq(n\\,$idx)" -frames:v 1 -y "$out/frame-$which.png"
done
"$top/tests/e2e/check_frames" "$out/frames.rgb" 640 480 35 > "$out/check.txt"
rm -f "$out/frames.rgb"

stats=$(grep fps "$out/wfdd.log" | tail -n 1 | sed 's/^wfdd: //')
state=$(cat /sys/kernel/debug/dri/*/wfd_state 2>/dev/null)
ending=$(echo "$state" | grep '^output1.ending' | tail -n 1 | sed 's/^output1.ending: //')
holds=$(echo "$state" | grep '^output1.hold_timeouts' | tail -n 1 | sed 's/^.*: //')
cat > "$out/report.txt" <<REPORT
wfd demo report
kernel:        $(uname -r) (QEMU TCG: absolute figures measure the emulator too)
sink modes:    $modes
mode used:     $(grep -o 'encoding [^ ]*' "$out/wfdd.log" | head -n 1 | cut -d' ' -f2)
encoder:       $(grep -o 'with [a-z0-9]*' "$out/wfdd.log" | head -n 1 | cut -d' ' -f2)
last second:   $stats
decoded:       $(cat "$out/check.txt" | sed 's/^check_frames: //')
session end:   $ending
hold timeouts: $holds
frames:        frame-first.png, frame-last.png (decoded by ffmpeg from the RTP stream)
REPORT
cat "$out/report.txt"
grep -q "0 below" "$out/check.txt"
