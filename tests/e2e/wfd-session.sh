#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Wi-Fi Display end-to-end test, in the VM with wfd loaded: wfdd listens
# for sinks on loopback; the test sink connects, the output appears with
# the sink's modes, a KMS client draws, the sink receives and a real
# decoder (ffmpeg) decodes the frames.  Then each misbehaviour of the sink
# must end its session with the right status and unplug the output, and
# the next sink gets a fresh session from the same daemon.  KTAP.
top=$(cd "$(dirname "$0")/../.." && pwd)
wfdd=${WFDD:-$top/build/userspace-release/wfdd/wfdd}
sinkbin=$top/tests/e2e/wfd_testsink
out=${WFD_OUT:-/tmp}/wfd-session
mkdir -p "$out"
rm -f "$out"/*
rtsp=127.0.0.1:7236
# Short keep-alive times, so that a silent sink is found in seconds; the
# 6 s reply window covers a sink the emulated CPU starves for a while.
ka=2000 kato=8000
# 640x360p30 native (HH bit 6), 640x480p60 (CEA bit 0), 800x600p30 (VESA bit 0).
formats="32 00 01 01 00000001 00000001 00000040 00 0000 0000 00 none none"
sysctl -qw net.core.rmem_max=16777216

# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
wfd_hold_timeout 1000
modes() { cat /sys/class/drm/card*-Virtual-1/modes; }
# In the background from before the fault: the wall time at which the
# output, once connected, shows disconnected, into FILE.  (Waiting for the
# fault in the log first would time the script's own polling.)
watch_unplug() { # file
	local i s seen=0 f=(/sys/class/drm/card*-Virtual-1/status)
	for ((i = 0; i < 2400; i++)); do
		read -r s < "${f[0]}"
		if [ "$s" = connected ]; then
			seen=1
		elif [ $seen = 1 ]; then
			echo "$EPOCHREALTIME" > "$1"
			return
		fi
		sleep 0.05
	done
}
# The sink's wall time stamp of its first log line matching a pattern.
sink_time() { # file pattern
	grep -m1 "$2" "$1" | awk '{ print $2 }'
}
wait_file() { # file seconds
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# The measured time from the fault to the unplug.
report_time() { # what t0 t1
	awk -v w="$1" -v a="$2" -v b="$3" 'BEGIN { printf "# %s: unplugged %.2f s after the fault\n", w, b - a }'
}
dump() {
	for f in "$@"; do tail -n 8 "$out/$f" | sed "s/^/# $f: /"; done
}

# One session with a misbehaving sink: NAME, the log line of the fault,
# the expected ending (status name and diag), sink options.
misbehaving() {
	local name=$1 fault=$2 want=$3 rc=0 client before
	shift 3
	before=$(ending)
	rm -f "$out/unplug-$name"
	watch_unplug "$out/unplug-$name" &
	"$top/tests/e2e/pattern_client" 60 > "$out/client-$name.log" 2>&1 &
	client=$!
	"$sinkbin" --connect "$rtsp" --rtp-port 19000 --formats "$formats" --duration 60 "$@" \
		> "$out/sink-$name.log" 2>&1 &
	sink=$!
	if ! wait_grep "$out/sink-$name.log" "$fault" 1 60; then
		echo "# $name: the sink never got to: $fault"
		rc=1
	fi
	wait_status disconnected 30 || { echo "# $name: output still $(status)"; rc=1; }
	wait_file "$out/unplug-$name" 10 &&
		report_time "$name" "$(sink_time "$out/sink-$name.log" "$fault")" \
			"$(cat "$out/unplug-$name")"
	# The ending is recorded once the session is gone.
	wait_ending "$before" 5
	ending | sed 's/^/# /'
	ending | grep -q "status $want" || { echo "# $name: expected status $want"; rc=1; }
	kill "$client" 2>/dev/null
	kill "$sink" 2>/dev/null
	wait "$client" "$sink" 2>/dev/null
	[ "$rc" -eq 0 ] || dump "client-$name.log" "sink-$name.log" wfdd.log
	result "$name" $rc
}

echo "KTAP version 1"
echo "1..18"

# A compositor that sets none of the sink's modes frees the slot after
# --mode-timeout (test 17); every other test sets its mode at once.
"$wfdd" --listen "$rtsp" --allow 127.0.0.1 --output 1 --bitrate 8000 \
	--keepalive $ka --keepalive-timeout $kato --mode-timeout 15000 -v > "$out/wfdd.log" 2>&1 &
wfdd_pid=$!
# Under KASAN in an emulator wfdd takes over half a minute to listen: the
# first sink would give up its retries before (its window is 30 s).
wait_grep "$out/wfdd.log" "waiting for a sink" 1 300 || echo "# wfdd is not listening after 300 s"

# 1: the output connects with the sink's modes, the sink's native first.
rc=0
watch_unplug "$out/unplug-teardown" &
"$top/tests/e2e/pattern_client" 60 > "$out/client.log" 2>&1 &
client=$!
"$sinkbin" --connect "$rtsp" --rtp-port 19000 --formats "$formats" --out "$out/stream.ts" \
	--duration 120 --teardown-after 25 > "$out/sink.log" 2>&1 &
sink=$!
wait_status connected 60 || { echo "# the output never connected"; rc=1; }
got=$(modes | tr '\n' ' ')
echo "# connector modes: $got"
[ "$(modes | head -n 1)" = 640x360 ] || rc=1
[ "$(modes | sort -u | tr '\n' ' ')" = "640x360 640x480 800x600 " ] || rc=1
wait_grep "$out/client.log" "pattern_client:" 1 60 && sed 's/^/# /' "$out/client.log" | head -n 1
[ "$rc" -eq 0 ] || dump wfdd.log sink.log
result output_has_sink_modes $rc

# 2: M4 names exactly the compositor's mode; frames arrive and decode.
rc=0
wait_grep "$out/sink.log" "M7 playing" 1 60 || { echo "# the sink never played"; rc=1; }
# While it streams, wfdd holds no capability at all: it claimed the output
# (the one privileged step) before it opened its socket.
caps=$(grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' "/proc/$wfdd_pid/status" | tr -s '\t' ' ')
echo "$caps" | sed 's/^/# wfdd /'
rc_caps=0
[ "$(echo "$caps" | grep -c ' 0000000000000000$')" -eq 5 ] || rc_caps=1
grep "M4 " "$out/sink.log" | sed 's/^testsink: [0-9.]* /# /'
grep -q "M4 wfd_video_formats: 00 00 01 01 00000000 00000000 00000040 " "$out/sink.log" || rc=1
grep -q "M4 audio wfd_audio_codecs: LPCM 00000002 00" "$out/sink.log" || rc=1
# 3: the sink's TEARDOWN ends the session.
t_fault=""
if wait_grep "$out/sink.log" "sending TEARDOWN" 1 90; then
	t_fault=$(sink_time "$out/sink.log" "sending TEARDOWN")
	wait_status disconnected 30 || { echo "# output still $(status)"; rc3=1; }
	wait_file "$out/unplug-teardown" 10 &&
		report_time teardown "$t_fault" "$(cat "$out/unplug-teardown")"
fi
wait "$sink" 2>/dev/null
kill "$client" 2>/dev/null
wait "$client" 2>/dev/null
grep "done:" "$out/sink.log" | sed 's/^testsink: [0-9.]* /# /'
# Decoded frames are large: keep them off the shared directory.
frames=$(mktemp -p /dev/shm wfd-frames.XXXXXX 2>/dev/null || mktemp)
ffmpeg -nostdin -hide_banner -loglevel error -i "$out/stream.ts" -map 0:v -fps_mode passthrough \
	-f rawvideo -pix_fmt rgb24 -y "$frames" > "$out/ffmpeg.log" 2>&1
ffprobe -v error -show_entries stream=codec_name,sample_rate,channels -of csv=p=0 \
	"$out/stream.ts" 2>/dev/null | sed 's/^/# stream: /'
# Every frame must show a pattern frame, and the picture must move.  The
# PSNR bound is loose: at 640x360 and about 1 Mbit/s, constant-bit-rate
# x264 may spend little on one frame (one in 453 came out at 29.7 dB, mean
# 43.4); a wrong or broken picture scores near 10 dB.
"$top/tests/e2e/check_frames" "$frames" 640 360 25 | tail -n 3 | sed 's/^/# /'
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
rm -f "$frames"
[ "$rc" -eq 0 ] || dump client.log wfdd.log sink.log ffmpeg.log
result frames_decode $rc
result daemon_streams_without_capabilities $rc_caps
rc=${rc3:-0}
[ -n "$t_fault" ] || rc=1
ending | sed 's/^/# /'
ending | grep -q "status sink disconnect request (2) diag 0 " || rc=1
result sink_teardown_ends_session $rc

# 4-8: each misbehaviour, each on a fresh session of the same daemon.
misbehaving missing_keepalive "M16 keep-alive ignored" "missing keep-alive (1) diag -110 " \
	--no-keepalive
misbehaving m4_refused "M4 " "sink failed mode change (4) diag 406 " --refuse-m4
misbehaving connection_closed "closing the connection" "sink disconnect request (2) diag -107 " \
	--close-after 3
misbehaving garbage "sending garbage" "sink disconnect request (2) diag -90 " \
	--garbage-after 3
# An IDR burst and a wrong Session in the sink's replies are survived: the
# session only ends with the sink's TEARDOWN after them.
misbehaving idr_burst_survived "sending TEARDOWN" "sink disconnect request (2) diag 0 " \
	--idr-after 2 --idr-burst 30 --wrong-session --teardown-after 8

# 9: a sink that sends its EDID (1024x768@60 preferred, 800x600@60, named
# "EDID sink") and format bits that do not exist (VESA 0xffffffff): the
# output takes the EDID's modes, the bits are masked, M4 names VESA bit 3.
# (Level 3.2: 3.1 carries neither mode at 60 Hz, and wfdd would leave both
# out of the EDID.)
rc=0
edid="0001 00ffffffffffff005ce401000000000001240104a5000000060000000000000000000000000001010101010101010101010101010101f31500a0400017303020350000000000001ee80d20a0305812203020350000000000001e000000100000000000000000000000000000000000fc00454449442073696e6b0a202020009b"
"$top/tests/e2e/pattern_client" 60 > "$out/client-edid.log" 2>&1 &
client=$!
"$sinkbin" --connect "$rtsp" --rtp-port 19000 --duration 60 --edid "$edid" --teardown-after 3 \
	--formats "00 00 01 02 00000001 ffffffff 00000000 00 0000 0000 00 none none" \
	> "$out/sink-edid.log" 2>&1 &
sink=$!
wait_status connected 60 || { echo "# the output never connected"; rc=1; }
echo "# connector modes: $(modes | tr '\n' ' ')"
[ "$(modes | tr '\n' ' ')" = "1024x768 800x600 " ] || rc=1
# The connector carries the sink's EDID byte for byte.
got=$(od -An -tx1 -v /sys/class/drm/card*-Virtual-1/edid | tr -d ' \n')
[ "$got" = "${edid#0001 }" ] || { echo "# the connector's EDID is not the sink's: $got"; rc=1; }
wait_grep "$out/sink-edid.log" "M4 " 1 60 || rc=1
grep "M4 " "$out/sink-edid.log" | sed 's/^testsink: [0-9.]* /# /'
grep -q "M4 wfd_video_formats: 00 00 01 02 00000000 00000008 00000000 " "$out/sink-edid.log" || rc=1
grep -q "bits that do not exist" "$out/wfdd.log" || { echo "# masked bits not logged"; rc=1; }
wait_status disconnected 60 || rc=1
ending | grep -q "status sink disconnect request (2) diag 0 " || { ending | sed 's/^/# /'; rc=1; }
kill "$client" "$sink" 2>/dev/null
wait "$client" "$sink" 2>/dev/null
[ "$rc" -eq 0 ] || dump client-edid.log sink-edid.log wfdd.log
result sink_edid_and_masked_bits $rc

# 10: the compositor blanks the output (DPMS off): M12 standby to the
# sink and the stream stops; DPMS on: a PLAY trigger, the sink plays again
# and the frames after it decode.
rc=0
"$top/tests/e2e/pattern_client" 60 --dpms-off-at 5 --dpms-on-at 11 > "$out/client-dpms.log" 2>&1 &
client=$!
"$sinkbin" --connect "$rtsp" --rtp-port 19000 --formats "$formats" --out "$out/stream-dpms.ts" \
	--duration 60 --teardown-after 22 > "$out/sink-dpms.log" 2>&1 &
sink=$!
wait_grep "$out/sink-dpms.log" "M12 standby from the source" 1 60 || { echo "# no M12"; rc=1; }
wait_grep "$out/sink-dpms.log" "rtp resumed after" 1 60 || { echo "# the stream never resumed"; rc=1; }
grep -h "DPMS" "$out/client-dpms.log" | sed 's/^/# /'
grep -E "M12|M5 PLAY|rtp resumed" "$out/sink-dpms.log" | sed 's/^testsink: [0-9.]* /# /'
# The output was blank for 6 s: the stream must have stopped for most of it.
gap=$(grep -m1 -o "rtp resumed after [0-9.]*" "$out/sink-dpms.log" | awk '{ print $4 }')
awk -v g="${gap:-0}" 'BEGIN { exit !(g >= 3) }' || { echo "# silence ${gap:-none} s"; rc=1; }
[ "$(grep -c "M5 PLAY" "$out/sink-dpms.log")" -ge 1 ] || { echo "# no PLAY trigger"; rc=1; }
wait_grep "$out/sink-dpms.log" "sending TEARDOWN" 1 90 || rc=1
wait_status disconnected 30 || rc=1
ending | grep -q "status sink disconnect request (2) diag 0 " || { ending | sed 's/^/# /'; rc=1; }
wait "$sink" 2>/dev/null
kill "$client" 2>/dev/null
wait "$client" 2>/dev/null
frames=$(mktemp -p /dev/shm wfd-frames.XXXXXX 2>/dev/null || mktemp)
ffmpeg -nostdin -hide_banner -loglevel error -i "$out/stream-dpms.ts" -map 0:v \
	-fps_mode passthrough -f rawvideo -pix_fmt rgb24 -y "$frames" > "$out/ffmpeg-dpms.log" 2>&1
"$top/tests/e2e/check_frames" "$frames" 640 360 25 | tail -n 1 | sed 's/^/# /'
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
rm -f "$frames"
[ "$rc" -eq 0 ] || dump client-dpms.log sink-dpms.log wfdd.log
result standby_on_dpms_off $rc

# 11: the compositor switches to another of the sink's modes mid-session:
# a second M4 names it, the sink takes it, and its frames decode.
rc=0
"$top/tests/e2e/pattern_client" 60 --mode-at 5 640x480 > "$out/client-mode.log" 2>&1 &
client=$!
"$sinkbin" --connect "$rtsp" --rtp-port 19000 --formats "$formats" --out "$out/stream-mode.ts" \
	--duration 60 --teardown-after 16 > "$out/sink-mode.log" 2>&1 &
sink=$!
wait_grep "$out/sink-mode.log" "sending TEARDOWN" 1 90 || { echo "# the sink never played"; rc=1; }
wait_status disconnected 30 || rc=1
wait "$sink" 2>/dev/null
kill "$client" 2>/dev/null
wait "$client" 2>/dev/null
sed 's/^/# /' "$out/client-mode.log" | head -n 2
grep "M4 wfd" "$out/sink-mode.log" | sed 's/^testsink: [0-9.]* /# /'
# 640x360p30 (HH bit 6) first, then 640x480p60 (CEA bit 0), and nothing else.
grep "M4 wfd" "$out/sink-mode.log" | awk '{ print $9, $10, $11 }' | tr '\n' ' ' |
	grep -qx "00000000 00000000 00000040 00000001 00000000 00000000 " || rc=1
ending | grep -q "status sink disconnect request (2) diag 0 " || { ending | sed 's/^/# /'; rc=1; }
# (A frame with side data, as x264's first IDR with its SEI, ends in a comma.)
sizes=$(ffprobe -v error -select_streams v -show_entries frame=width,height -of csv=p=0 \
	"$out/stream-mode.ts" 2>/dev/null | sed 's/,*$//' | sort | uniq -c |
	awk '{ print $2 ":" $1 }' | tr '\n' ' ')
echo "# decoded frames by size: $sizes"
n360=$(echo "$sizes" | grep -o "640,360:[0-9]*" | cut -d: -f2)
n480=$(echo "$sizes" | grep -o "640,480:[0-9]*" | cut -d: -f2)
[ "${n360:-0}" -ge 1 ] && [ "${n480:-0}" -ge 10 ] || rc=1
[ "$rc" -eq 0 ] || dump client-mode.log sink-mode.log wfdd.log
result mode_change_renegotiates $rc

# 13: a sink that reads one message per recv() and is strict: replies with
# CSeqs 1 to 4 to M1, M3, M4, M5, checks the Public header of the reply to
# its M2, wants server_port in the SETUP reply, and sends SETUP and PLAY to
# the stream URL with the RTSP port.  It must get to play and tear down.
rc=0
"$top/tests/e2e/pattern_client" 60 > "$out/client-strict.log" 2>&1 &
client=$!
"$sinkbin" --connect "$rtsp" --rtp-port 19000 --formats "$formats" --duration 60 \
	--one-per-recv --strict --teardown-after 4 > "$out/sink-strict.log" 2>&1 &
sink=$!
wait_grep "$out/sink-strict.log" "sending TEARDOWN|giving up|connection closed" 1 90 ||
	{ echo "# the strict sink got nowhere"; rc=1; }
grep -E "M1|M3|M4 wfd|M6|M7|lost|strict" "$out/sink-strict.log" | sed 's/^testsink: [0-9.]* /# /'
grep -q "M7 playing" "$out/sink-strict.log" || rc=1
grep -qE "giving up|bytes after it lost" "$out/sink-strict.log" && rc=1
wait_status disconnected 30 || rc=1
ending | grep -q "status sink disconnect request (2) diag 0 " || { ending | sed 's/^/# /'; rc=1; }
kill "$client" "$sink" 2>/dev/null
wait "$client" "$sink" 2>/dev/null
[ "$rc" -eq 0 ] || dump client-strict.log sink-strict.log wfdd.log
result strict_sink_one_message_per_recv $rc

# 14: a sink that takes only Constrained High (640x480p60, level 3.2): M4
# names profile 02, the stream decodes and its SPS says High.
rc=0
"$top/tests/e2e/pattern_client" 60 > "$out/client-chp.log" 2>&1 &
client=$!
"$sinkbin" --connect "$rtsp" --rtp-port 19000 --out "$out/stream-chp.ts" --duration 60 \
	--formats "00 00 02 02 00000001 00000000 00000000 00 0000 0000 00 none none" \
	--teardown-after 6 > "$out/sink-chp.log" 2>&1 &
sink=$!
wait_grep "$out/sink-chp.log" "sending TEARDOWN" 1 90 || { echo "# the sink never played"; rc=1; }
wait "$sink" 2>/dev/null
kill "$client" 2>/dev/null
wait "$client" 2>/dev/null
grep "M4 wfd" "$out/sink-chp.log" | sed 's/^testsink: [0-9.]* /# /'
grep -q "M4 wfd_video_formats: 00 00 02 02 00000001 " "$out/sink-chp.log" || rc=1
profile=$(ffprobe -v error -select_streams v -show_entries stream=profile -of csv=p=0 \
	"$out/stream-chp.ts" 2>/dev/null | head -n 1)
echo "# stream profile: $profile"
[ "$profile" = High ] || rc=1
frames=$(mktemp -p /dev/shm wfd-frames.XXXXXX 2>/dev/null || mktemp)
ffmpeg -nostdin -hide_banner -loglevel error -i "$out/stream-chp.ts" -map 0:v \
	-fps_mode passthrough -f rawvideo -pix_fmt rgb24 -y "$frames" > "$out/ffmpeg-chp.log" 2>&1
"$top/tests/e2e/check_frames" "$frames" 640 480 25 | tail -n 1 | sed 's/^/# /'
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
rm -f "$frames"
wait_status disconnected 30 || rc=1
[ "$rc" -eq 0 ] || dump client-chp.log sink-chp.log wfdd.log
result constrained_high_only_sink $rc

# 15: a sink that offers every mode (all bits, level 4.2, native 640x480p60):
# the output has every one the encoder and the level carry (1920x1200
# fits no level a sink can name), the native one first.
rc=0
"$top/tests/e2e/pattern_client" 60 > "$out/client-all.log" 2>&1 &
client=$!
"$sinkbin" --connect "$rtsp" --rtp-port 19000 --duration 60 \
	--formats "00 00 01 10 0001ffff 3fffffff 00000fff 00 0000 0000 00 none none" \
	--teardown-after 2 > "$out/sink-all.log" 2>&1 &
sink=$!
wait_status connected 60 || { echo "# the output never connected"; rc=1; }
got=$(modes | sort -u | tr '\n' ' ')
echo "# connector modes ($(modes | wc -l), first $(modes | head -n 1)): $got"
want=$(printf '%s\n' 640x480 720x480 720x576 1280x720 1920x1080 \
	800x600 1024x768 1152x864 1280x768 1280x800 1360x768 1366x768 1280x1024 1400x1050 \
	1440x900 1600x900 1600x1200 1680x1024 1680x1050 \
	800x480 854x480 864x480 640x360 960x540 848x480 | sort -u | tr '\n' ' ')
[ "$got" = "$want" ] || { echo "# want: $want"; rc=1; }
[ "$(modes | head -n 1)" = 640x480 ] || rc=1
wait_grep "$out/sink-all.log" "sending TEARDOWN" 1 90 || rc=1
wait_status disconnected 30 || rc=1
kill "$client" "$sink" 2>/dev/null
wait "$client" "$sink" 2>/dev/null
[ "$rc" -eq 0 ] || dump client-all.log sink-all.log wfdd.log
result every_mode_of_the_sink $rc

# 16: a sink slow to start (reads nothing for 8 s): the first request
# waits for it (--first-request-timeout, 15 s by default).
rc=0
"$top/tests/e2e/pattern_client" 60 > "$out/client-slow.log" 2>&1 &
client=$!
"$sinkbin" --connect "$rtsp" --rtp-port 19000 --formats "$formats" --duration 60 \
	--slow-start 8 --teardown-after 2 > "$out/sink-slow.log" 2>&1 &
sink=$!
wait_grep "$out/sink-slow.log" "sending TEARDOWN|connection closed" 1 90 || rc=1
grep -q "M7 playing" "$out/sink-slow.log" || { echo "# the slow sink never played"; rc=1; }
wait_status disconnected 30 || rc=1
ending | grep -q "status sink disconnect request (2) diag 0 " || { ending | sed 's/^/# /'; rc=1; }
kill "$client" "$sink" 2>/dev/null
wait "$client" "$sink" 2>/dev/null
[ "$rc" -eq 0 ] || dump client-slow.log sink-slow.log wfdd.log
result slow_sink_first_request $rc

# 17: no compositor sets a mode: the output is connected, nothing lights
# it, and after --mode-timeout the session ends and frees the slot.
rc=0
before=$(ending)
"$sinkbin" --connect "$rtsp" --rtp-port 19000 --formats "$formats" --duration 40 \
	> "$out/sink-nomode.log" 2>&1 &
sink=$!
wait_status connected 60 || rc=1
t0=$EPOCHREALTIME
wait_status disconnected 40 || { echo "# still connected"; rc=1; }
wait_ending "$before" 5
awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "# unplugged %.1f s after the output connected\n", b - a }'
ending | sed 's/^/# /'
ending | grep -q "status sink failed mode change (4) diag -110 " || rc=1
grep -q "set none of the sink's modes" "$out/wfdd.log" || rc=1
kill "$sink" 2>/dev/null
wait "$sink" 2>/dev/null
[ "$rc" -eq 0 ] || dump sink-nomode.log wfdd.log
result no_mode_frees_the_slot $rc

# 18: SIGTERM: M5 TEARDOWN to the sink, its M8, a graceful end.
rc=0
"$top/tests/e2e/pattern_client" 60 > "$out/client-term.log" 2>&1 &
client=$!
"$sinkbin" --connect "$rtsp" --rtp-port 19000 --formats "$formats" --duration 60 \
	> "$out/sink-term.log" 2>&1 &
sink=$!
wait_grep "$out/sink-term.log" "M7 playing" 1 60 || { echo "# the sink never played"; rc=1; }
kill -TERM "$wfdd_pid"
wait "$wfdd_pid"; wrc=$?
[ "$wrc" -eq 0 ] || { echo "# wfdd exit status $wrc"; rc=1; }
wait_status disconnected 10 || rc=1
grep -q "M5 TEARDOWN" "$out/sink-term.log" || { echo "# no M5 TEARDOWN at the sink"; rc=1; }
ending | sed 's/^/# /'
ending | grep -q graceful || rc=1
kill "$client" "$sink" 2>/dev/null
wait 2>/dev/null
[ "$rc" -eq 0 ] || dump client-term.log sink-term.log wfdd.log
result sigterm_graceful_teardown $rc

exit $fail
