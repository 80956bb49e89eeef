#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End-to-end test, in the VM with wfd loaded: wfdd streams output 1 at
# 640x480 to a real receiver (ffmpeg) on loopback while a KMS client draws
# a moving pattern; the decoded frames must match the pattern.  Then the
# receiver goes away (wfdd must end the session with SINK_DISCONNECT_REQUEST
# and the output unplug), and SIGTERM ends a session gracefully.  KTAP.
top=$(cd "$(dirname "$0")/../.." && pwd)
wfdd=${WFDD:-$top/build/userspace-release/wfdd/wfdd}
out=${WFD_OUT:-/tmp}/e2e
mkdir -p "$out"
rm -f "$out"/*
port=5004
# Emulation is slow: a conversion must not outlast the hold, which would
# let the client draw into the buffer being read (the timeout path has its
# own test), and a slow receiver must not lose an IDR burst to a small
# socket buffer.
sysctl -qw net.core.rmem_max=16777216
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
wfd_hold_timeout 1000
receiver() { # frames file; sets rx
	# An SDP names the static payload type 33 (MPEG-TS) on our port.
	printf 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=wfd\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video %d RTP/AVP 33\r\n' \
		"$port" > "$out/stream.sdp"
	ffmpeg -nostdin -hide_banner -loglevel error -protocol_whitelist file,rtp,udp \
		-analyzeduration 30M -probesize 20M -buffer_size 16777216 \
		-i "$out/stream.sdp" -frames:v "$1" -fps_mode passthrough -f rawvideo -pix_fmt rgb24 -y "$2" \
		> "$out/ffmpeg.log" 2>&1 < /dev/null &
	rx=$!
	# ffmpeg takes seconds to start under emulation: wait for its socket.
	if wait_udp_bound "$port" 60; then
		sleep 1
		return 0
	fi
	echo "# the receiver never bound port $port"
}

echo "KTAP version 1"
echo "1..3"

# 1: the stream a real decoder decodes shows what the client drew.
rc=0
receiver 40 "$out/frames.rgb"
# The client waits for the output, as a compositor does.
"$top/tests/e2e/pattern_client" 60 > "$out/client.log" 2>&1 &
client=$!
"$wfdd" --output 1 --rtp "127.0.0.1:$port" --mode 640x480@30 --bitrate 8000 -v \
	> "$out/wfdd.log" 2>&1 &
wfdd_pid=$!
for _ in $(seq 600); do kill -0 "$rx" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$rx" 2>/dev/null; then
	echo "# the receiver decoded too few frames in 60 s"
	kill "$rx"; rc=1
fi
wait "$rx" 2>/dev/null
"$top/tests/e2e/check_frames" "$out/frames.rgb" 640 480 35 | sed 's/^/# /'
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
grep -E "fps" "$out/wfdd.log" | tail -n 3 | sed 's/^/# wfdd: /'
wfd_state output1.hold_timeouts | sed 's/^/# /'
if [ "$rc" -ne 0 ]; then
	for f in client.log wfdd.log ffmpeg.log; do
		tail -n 5 "$out/$f" | sed "s/^/# $f: /"
	done
fi
result decoded_frames_match_pattern $rc

# 2: the receiver is gone: wfdd ends the session, the output unplugs.
rc=0
t0=$(date +%s.%N)
wait_status disconnected 20 || { echo "# output still $(status)"; rc=1; }
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "# unplugged %.2f s after the receiver exited\n", b - a }'
wait "$wfdd_pid"; wrc=$?
[ "$wrc" -eq 1 ] || { echo "# wfdd exit status $wrc"; rc=1; }
ending | sed 's/^/# /'
ending | grep -q "sink disconnect request" || rc=1
grep "session ends" "$out/wfdd.log" | sed 's/^/# /'
result receiver_gone_unplugs $rc

# 3: SIGTERM is a graceful end.
rc=0
receiver 100000 /dev/null
"$wfdd" --output 1 --rtp "127.0.0.1:$port" --mode 640x480@30 > "$out/wfdd2.log" 2>&1 &
wfdd_pid=$!
wait_status connected 20 || { echo "# never connected"; rc=1; }
sleep 2
kill -TERM "$wfdd_pid"
wait "$wfdd_pid"; wrc=$?
[ "$wrc" -eq 0 ] || { echo "# wfdd exit status $wrc"; rc=1; }
wait_status disconnected 10 || rc=1
ending | grep -q graceful || { ending | sed 's/^/# /'; rc=1; }
kill "$rx" "$client" 2>/dev/null
wait 2>/dev/null
result sigterm_graceful $rc
exit $fail
