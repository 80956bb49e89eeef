#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The product end to end, in the VM with wfd loaded: a real compositor
# (weston's DRM backend on the wfd card, pixman renderer, started while the
# output is disconnected) with a real Wayland client, and wfdd listening
# for Wi-Fi Display sinks on loopback.  A test sink connects: weston lights
# the output with the sink's native mode and the decoded stream shows the
# client's pixels; the sink stops answering keep-alives, the output
# unplugs and weston drops it but keeps running; a second sink brings it
# back with another mode, and after its connection drops a third with the
# same mode, which weston lights with no modeset.  Every claim about weston is read from weston's own log
# or from a Wayland client (wayland-info), never from our code.  KTAP.
#
# Environment: WFDD (the daemon), WESTON_E2E_OUT (where the logs and PNGs
# go), WESTON_E2E_DESKTOP=1 (also show weston's desktop with an animated
# client during the last session, for make demo).
top=$(cd "$(dirname "$0")/../.." && pwd)
wfdd=${WFDD:-$top/build/userspace-release/wfdd/wfdd}
sinkbin=$top/tests/e2e/wfd_testsink
out=${WESTON_E2E_OUT:-${WFD_OUT:-/tmp}/weston}
mkdir -p "$out"
rm -f "$out"/*
# Decoded frames stay in the guest's memory, not on the shared directory.
tmp=$(mktemp -d /run/wfd-weston.XXXXXX)
rtsp=127.0.0.1:7236
# The sinks' wfd_video_formats: 640x480p60, 1280x720p30 (CEA bits 0, 5)
# and 1024x768p30 (VESA bit 2).  The first sink's native mode is
# 1024x768p30: weston must pick it, the connector's preferred mode, not the
# largest.  The second sink's is 1280x720p30, so weston must change modes.
# (A sink with the same native mode as the last one gets no M4 today: wfdd
# learns the mode from the MODE_SET of a modeset, and weston's CRTC is still
# lit with that mode.)
formats1="11 00 01 01 00000021 00000004 00000000 00 0000 0000 00 none none"
formats2="28 00 01 01 00000021 00000004 00000000 00 0000 0000 00 none none"
mode_w=1024 mode_h=768 mode_r=30
# A silent sink is asked after 5 s and given up 15 s after its last word:
# seconds in the test, and room for a sink the emulator stalls.
keepalive=(--keepalive 5000 --keepalive-timeout 15000)
export XDG_RUNTIME_DIR=$tmp/xdg WAYLAND_DISPLAY=wfd-e2e
mkdir -m 0700 "$XDG_RUNTIME_DIR"
wlog=$out/weston.log

# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
# Emulation is slow: a conversion must not outlast the buffer hold.
wfd_hold_timeout 1000
t_step=$SECONDS
# result, with the time each step took.
result() {
	n=$((n + 1))
	echo "# $((SECONDS - t_step)) s"
	t_step=$SECONDS
	if [ "$2" -eq 0 ]; then echo "ok $n $1"; else echo "not ok $n $1"; fail=1; fi
}
conn=$(ls -d /sys/class/drm/card*-Virtual-1)
card=$(basename "${conn%-Virtual-1}")
status() { cat "$conn/status"; }
alive() { kill -0 "$1" 2>/dev/null; }
# weston's log lines for enabling the output and for dropping it.
enabled="Output 'Virtual-1' enabled with head"
gone="Output 'Virtual-1' no heads left, disabling"
count() { grep -cE "$1" "$wlog"; }
# What a Wayland client sees: one line per wl_output mode flagged current.
current_modes() {
	wayland-info 2>/dev/null | awk '
		/interface: .wl_output./ { out = 1; next }
		/interface:/ { out = 0 }
		out && /width: .* px, height: .* px/ { m = $0 }
		out && /flags:.*current/ { print m }'
}
# Log files of a failed step, indented as KTAP diagnostics.
show() {
	local f
	for f in "$@"; do
		[ -f "$f" ] && tail -n 8 "$f" | sed "s|^|# $(basename "$f"): |"
	done
}

# The source: wfdd waits for sinks, one session each.  A session is a test
# sink connecting (session_start NAME), the sink freezing, so that it
# answers no keep-alive (session_fail), or a graceful end (session_stop).
# The sink writes the MPEG-TS it receives to $tmp/NAME.ts.
daemon_start() {
	"$wfdd" --listen "$rtsp" --allow 127.0.0.1 --output 1 --bitrate 6000 "${keepalive[@]}" -v \
		> "$out/wfdd.log" 2>&1 &
	wfdd_pid=$!
}
session_start() { # NAME FORMATS
	sname=$1
	"$sinkbin" --connect "$rtsp" --rtp-port 19000 --formats "$2" --out "$tmp/$sname.ts" \
		--duration 3600 > "$out/sink-$sname.log" 2>&1 &
	sink_pid=$!
}
session_fail() {
	kill -STOP "$sink_pid"
}
session_stop() {
	kill -TERM "$wfdd_pid"
}
# session_end_status SECONDS: wfdd's exit status once it stopped.
session_end_status() {
	for _ in $(seq $(($1 * 10))); do
		alive "$wfdd_pid" || break
		sleep 0.1
	done
	if alive "$wfdd_pid"; then
		echo "# wfdd still runs $1 s after it was told to stop"
		kill "$wfdd_pid"
	fi
	wait "$wfdd_pid"
}
# latest_frame: decode what the sink received so far (a real decoder,
# ffmpeg) into $tmp/NAME.rgb, the newest frame as raw RGB.
latest_frame() {
	ffmpeg -nostdin -hide_banner -loglevel error -i "$tmp/$sname.ts" -map 0:v \
		-fps_mode passthrough -c:v rawvideo -pix_fmt rgb24 -f image2 -update 1 \
		-y "$tmp/$sname.rgb" > "$tmp/decode.log" 2>&1 < /dev/null
}
# expect_picture FRAME PNG SECONDS: the sink's newest decoded frame shows
# pattern frame FRAME, as wl_pattern drew it, within 35 dB.
expect_picture() {
	local r=1 end=$((SECONDS + $3))
	while [ "$SECONDS" -lt "$end" ]; do
		# A frame still arriving decodes partly: the next try has it whole.
		if latest_frame &&
		   "$top/tests/e2e/check_still" "$tmp/$sname.rgb" "$mode_w" "$mode_h" 35 "$1" \
			"$tmp/still.ppm" > "$tmp/check.txt"; then
			r=0
			break
		fi
		sleep 2
	done
	sed 's/^/# /' "$tmp/check.txt" 2>/dev/null
	[ -f "$tmp/still.ppm" ] && ffmpeg -nostdin -loglevel error -i "$tmp/still.ppm" -y "$out/$2"
	return $r
}

cleanup() {
	[ -n "$client" ] && alive "$client" && kill "$client"
	[ -n "$flower" ] && alive "$flower" && kill "$flower"
	[ -n "$wfdd_pid" ] && alive "$wfdd_pid" && kill "$wfdd_pid"
	# KILL: a frozen sink does not see TERM.
	[ -n "$sink_pid" ] && alive "$sink_pid" && kill -KILL "$sink_pid"
	[ -n "$weston" ] && alive "$weston" && kill "$weston"
	wait 2>/dev/null
	[ -n "$udevd" ] && udevadm control --exit
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "KTAP version 1"
echo "1..8"

# 1: weston starts on the wfd card while the output is disconnected.  It
# learns of hotplug through udev's netlink group: udevd must run.
rc=0
udevd=""
if ! udevadm control --ping 2>/dev/null; then
	mkdir -p /run/udev
	/lib/systemd/systemd-udevd --daemon 2> "$tmp/udevd.log" && udevd=1
	udevadm trigger --action=add --subsystem-match=drm
	udevadm settle --timeout=60
fi
udevadm control --ping || { echo "# systemd-udevd does not run"; rc=1; }
[ "$(status)" = disconnected ] || { echo "# output 1 is $(status) before any session"; rc=1; }
weston --backend=drm-backend.so --drm-device="$card" --tty=2 --use-pixman \
	--continue-without-input --idle-time=0 --no-config --socket="$WAYLAND_DISPLAY" \
	--log="$wlog" > "$out/weston.stdout" 2>&1 &
weston=$!
# weston is ready once its desktop shell runs.
wait_grep "$wlog" "launching .*weston-desktop-shell" 1 120 || rc=1
wait_grep "$wlog" "head 'Virtual-1' found, connector [0-9]+ is disconnected" 1 10 || rc=1
sleep 2
alive "$weston" || { echo "# weston exited"; rc=1; }
[ -z "$(current_modes)" ] || { echo "# a wl_output exists before the session"; rc=1; }
# A client of weston's own runs on the output-less desktop.
weston-flower > "$out/flower.log" 2>&1 &
flower=$!
sleep 5
alive "$flower" || { echo "# weston-flower exited"; rc=1; }
daemon_start
wait_grep "$out/wfdd.log" "waiting for a sink" 1 60 || { echo "# wfdd does not listen"; rc=1; }
[ "$(status)" = disconnected ] || { echo "# output 1 is $(status) without a sink"; rc=1; }
[ "$rc" -eq 0 ] || show "$wlog" "$out/flower.log" "$out/wfdd.log"
result weston_and_wfdd_start_without_output $rc

# 2: a sink connects; weston enables the output with the sink's native mode.
rc=0
session_start first "$formats1"
wait_status connected 90 || { echo "# output 1 is $(status)"; rc=1; }
if wait_grep "$wlog" "$enabled" 1 120; then
	grep -E "$enabled|${mode_w}x${mode_h}@" "$wlog" | head -n 4 | sed 's/^/# weston: /'
else
	echo "# weston did not enable an output"
	rc=1
fi
grep -qE "^ *${mode_w}x${mode_h}@${mode_r}(\.0+)?, preferred, current" "$wlog" ||
	{ echo "# weston's log shows no current preferred ${mode_w}x${mode_h}@$mode_r mode"; rc=1; }
modes=$(current_modes)
echo "# wayland-info: current mode:${modes:- none}"
echo "$modes" | grep -q "width: $mode_w px, height: $mode_h px" || rc=1
[ "$rc" -eq 0 ] || show "$wlog" "$out/wfdd.log"
result output_enabled_with_preferred_mode $rc

# 3: the sink's decoded picture is the surface of a fullscreen client.
rc=0
"$top/tests/e2e/wl_pattern" 0 32 > "$out/client.log" 2>&1 &
client=$!
wait_grep "$out/client.log" "frame 0 ${mode_w}x${mode_h}" 1 120 ||
	{ echo "# the client never drew at ${mode_w}x${mode_h}"; rc=1; }
expect_picture 0 frame-before.png 180 || rc=1
[ "$rc" -eq 0 ] || show "$out/client.log" "$out/wfdd.log" "$out/sink-first.log"
result stream_shows_client $rc

# 4: the client changes its picture; the stream follows.
rc=0
kill -USR1 "$client"
wait_grep "$out/client.log" "frame 32 ${mode_w}x${mode_h}" 1 60 ||
	{ echo "# the client did not redraw"; rc=1; }
expect_picture 32 frame-after.png 120 || rc=1
grep fps "$out/wfdd.log" | tail -n 2 | sed 's/^/# /'
grep "M4 wfd_video_formats" "$out/sink-first.log" | sed 's/^testsink: [0-9.]* /# sink: /'
grep -q "M4 wfd_video_formats: 00 00 01 01 00000000 00000004 " "$out/sink-first.log" ||
	{ echo "# M4 does not name 1024x768p30 alone"; rc=1; }
[ "$rc" -eq 0 ] || show "$out/client.log" "$out/wfdd.log" "$out/sink-first.log"
result stream_follows_client_change $rc

# 5: the sink stops answering keep-alives: the session ends with
# MISSING_KEEPALIVE, the output unplugs, weston drops it and keeps running,
# and wfdd waits for the next sink.
rc=0
gone_before=$(count "$gone")
ending_before=$(ending)
session_fail
wait_ending "$ending_before" 60 || { echo "# the session did not end"; rc=1; }
ending | sed 's/^/# /'
ending | grep -q "missing keep-alive" || rc=1
kill -KILL "$sink_pid"
wait "$sink_pid" 2>/dev/null
wait_status disconnected 20 || { echo "# output 1 is $(status)"; rc=1; }
if wait_grep "$wlog" "$gone" $((gone_before + 1)) 30; then
	grep -E "$gone" "$wlog" | tail -n 1 | sed 's/^/# weston: /'
else
	echo "# weston's log does not show the output going"; rc=1
fi
for _ in $(seq 30); do [ -z "$(current_modes)" ] && break; sleep 1; done
[ -z "$(current_modes)" ] || { echo "# wayland-info still lists the output"; rc=1; }
alive "$weston" || { echo "# weston exited"; rc=1; }
alive "$client" && alive "$flower" || { echo "# a client exited"; rc=1; }
alive "$wfdd_pid" || { echo "# wfdd exited"; rc=1; }
[ "$rc" -eq 0 ] || show "$wlog" "$out/wfdd.log" "$out/client.log" "$out/sink-first.log"
result silent_sink_output_dropped $rc

# 6: a second sink: the output comes back with its native mode, and a
# client's fullscreen window fills it.  (weston 10 does not resize a
# fullscreen window left from the output's last life: a new client draws.)
rc=0
mode_w=1280 mode_h=720 mode_r=30
session_start second "$formats2"
wait_status connected 90 || { echo "# output 1 is $(status)"; rc=1; }
wait_grep "$wlog" "$enabled" 2 120 || { echo "# weston did not enable the output again"; rc=1; }
grep -E "^ *[0-9]+x[0-9]+@[0-9.]+, preferred, current" "$wlog" | tail -n 1 | sed 's/^ */# weston: /'
grep -E "^ *[0-9]+x[0-9]+@[0-9.]+, preferred, current" "$wlog" | tail -n 1 |
	grep -qE "^ *${mode_w}x${mode_h}@${mode_r}(\.0+)?," ||
	{ echo "# weston's log shows no current preferred ${mode_w}x${mode_h}@$mode_r mode"; rc=1; }
for _ in $(seq 30); do [ -n "$(current_modes)" ] && break; sleep 1; done
modes=$(current_modes)
echo "# wayland-info: current mode:${modes:- none}"
echo "$modes" | grep -q "width: $mode_w px, height: $mode_h px" || rc=1
alive "$client" || { echo "# the first client exited"; rc=1; }
kill "$client"
wait "$client" 2>/dev/null
"$top/tests/e2e/wl_pattern" 32 > "$out/client2.log" 2>&1 &
client=$!
wait_grep "$out/client2.log" "frame 32 ${mode_w}x${mode_h}" 1 120 ||
	{ echo "# the new client did not draw at ${mode_w}x${mode_h}"; rc=1; }
expect_picture 32 frame-second-session.png 180 || rc=1
grep "M4 wfd_video_formats" "$out/sink-second.log" | sed 's/^testsink: [0-9.]* /# sink: /'
grep -q "M4 wfd_video_formats: 00 00 01 01 00000020 00000000 " "$out/sink-second.log" ||
	{ echo "# M4 does not name 1280x720p30 alone"; rc=1; }
[ "$rc" -eq 0 ] || show "$wlog" "$out/client2.log" "$out/wfdd.log" "$out/sink-second.log"
result output_back_with_second_sink $rc

# 7: that sink's connection drops, and a third sink with the same mode
# connects.  weston keeps the CRTC lit across the unplug, so its commit is
# no modeset: the session must still learn the mode (the kernel reports it
# at connect) and negotiate it in M4.
rc=0
gone_before=$(count "$gone")
ending_before=$(ending)
kill -KILL "$sink_pid"
wait "$sink_pid" 2>/dev/null
wait_ending "$ending_before" 60 || { echo "# the session did not end"; rc=1; }
ending | sed 's/^/# /'
ending | grep -q "sink disconnect request" || rc=1
wait_status disconnected 20 || { echo "# output 1 is $(status)"; rc=1; }
wait_grep "$wlog" "$gone" $((gone_before + 1)) 30 || { echo "# weston's log does not show the output going"; rc=1; }
session_start third "$formats2"
wait_status connected 90 || { echo "# output 1 is $(status)"; rc=1; }
wait_grep "$wlog" "$enabled" 3 120 || { echo "# weston did not enable the output again"; rc=1; }
for _ in $(seq 120); do grep -q "M4 wfd_video_formats" "$out/sink-third.log" && break; sleep 1; done
grep "M4 wfd_video_formats" "$out/sink-third.log" | sed 's/^testsink: [0-9.]* /# sink: /'
grep -q "M4 wfd_video_formats: 00 00 01 01 00000020 00000000 " "$out/sink-third.log" ||
	{ echo "# M4 does not name 1280x720p30 alone"; rc=1; }
for _ in $(seq 120); do latest_frame && break; sleep 1; done
[ -s "$tmp/third.rgb" ] || { echo "# no frame decoded from the third sink's stream"; rc=1; }
[ "$rc" -eq 0 ] || show "$wlog" "$out/wfdd.log" "$out/sink-third.log"
result third_sink_same_mode $rc

if [ "${WESTON_E2E_DESKTOP:-0}" = 1 ]; then
	# For the demo: weston's own desktop, with an animated client of its own.
	kill "$client"
	wait "$client" 2>/dev/null
	weston-simple-shm > "$out/simple-shm.log" 2>&1 &
	client=$!
	sleep 20
	latest_frame &&
		ffmpeg -nostdin -loglevel error -f rawvideo -pix_fmt rgb24 -s "${mode_w}x${mode_h}" \
			-i "$tmp/$sname.rgb" -y "$out/frame-desktop.png"
fi

# 8: SIGTERM to wfdd: TEARDOWN, a graceful end; weston runs on, and exits
# cleanly.
rc=0
gone_before=$(count "$gone")
session_stop
session_end_status 30; wrc=$?
[ "$wrc" -eq 0 ] || { echo "# wfdd exit status $wrc"; rc=1; }
ending | sed 's/^/# /'
ending | grep -q graceful || rc=1
wait_status disconnected 20 || { echo "# output 1 is $(status)"; rc=1; }
grep -q "M5 TEARDOWN" "$out/sink-$sname.log" || { echo "# the sink got no TEARDOWN trigger"; rc=1; }
wait_grep "$wlog" "$gone" $((gone_before + 1)) 30 || { echo "# weston's log does not show the output going"; rc=1; }
sleep 2
if alive "$weston"; then
	kill -TERM "$weston"
	wait "$weston"; wrc=$?
	[ "$wrc" -eq 0 ] || { echo "# weston exit status $wrc"; rc=1; }
else
	echo "# weston exited"; rc=1
fi
weston=""
[ "$rc" -eq 0 ] || show "$wlog" "$out/wfdd.log" "$out/sink-$sname.log"
result graceful_end_weston_survives $rc
exit $fail
