#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The product end to end, in the VM with wfd loaded: a real compositor
# (weston's DRM backend on the wfd card, pixman renderer, started while the
# output is disconnected) with a real Wayland client; a sink session
# connects the output, weston lights it with the sink's preferred mode and
# the decoded stream shows the client's pixels; the sink goes away, the
# output unplugs and weston drops it but keeps running; a second session
# brings it back.  Every claim about weston is read from weston's own log
# or from a Wayland client (wayland-info), never from our code.  KTAP.
#
# Environment: WFDD (the daemon), WESTON_E2E_OUT (where the logs and PNGs
# go), WESTON_E2E_DESKTOP=1 (also show weston's desktop with an animated
# client during the second session, for make demo).
top=$(cd "$(dirname "$0")/../.." && pwd)
wfdd=${WFDD:-$top/build/userspace-release/wfdd/wfdd}
out=${WESTON_E2E_OUT:-${WFD_OUT:-/tmp}/weston}
mkdir -p "$out"
rm -f "$out"/*
# Decoded frames stay in the guest's memory, not on the shared directory.
tmp=$(mktemp -d /run/wfd-weston.XXXXXX)
port=5008
# The sink's modes, preferred first: weston must pick the preferred one,
# not the largest (1280x720 has more pixels).
mode_w=1024 mode_h=768 mode_r=30
sink_modes=(--mode "${mode_w}x${mode_h}@$mode_r" --mode 1280x720@30 --mode 640x480@60)
export XDG_RUNTIME_DIR=$tmp/xdg WAYLAND_DISPLAY=wfd-e2e
mkdir -m 0700 "$XDG_RUNTIME_DIR"
wlog=$out/weston.log

# Emulation is slow: a conversion must not outlast the buffer hold, and an
# IDR burst must fit the receiver's socket buffer (see stream.sh).
hold_was=$(cat /sys/module/wfd/parameters/hold_timeout_ms)
echo 2000 > /sys/module/wfd/parameters/hold_timeout_ms
sysctl -qw net.core.rmem_max=16777216

n=0 fail=0
t_step=$SECONDS
result() {
	n=$((n + 1))
	echo "# $((SECONDS - t_step)) s"
	t_step=$SECONDS
	if [ "$2" -eq 0 ]; then echo "ok $n $1"; else echo "not ok $n $1"; fail=1; fi
}
conn=$(ls -d /sys/class/drm/card*-Virtual-1)
card=$(basename "${conn%-Virtual-1}")
status() { cat "$conn/status"; }
ending() { cat /sys/kernel/debug/dri/*/wfd_state 2>/dev/null | grep '^output1.ending' | tail -n 1; }
wait_status() { # want seconds
	for _ in $(seq $(($2 * 10))); do
		[ "$(status)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# wait_grep FILE PATTERN COUNT SECONDS: until FILE has COUNT matching lines.
wait_grep() {
	local c
	for _ in $(seq $(($4 * 5))); do
		c=$(grep -cE "$2" "$1" 2>/dev/null)
		[ "${c:-0}" -ge "$3" ] && return 0
		sleep 0.2
	done
	return 1
}
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

# A session: a sink that decodes the stream, and wfdd feeding it from
# wfd output 1.  session_start NAME, session_fail (the sink disappears:
# the session must end with an error status), session_stop (graceful).
# The sink keeps the newest decoded frame in $tmp/NAME.rgb.
session_start() {
	local hex
	sname=$1
	printf 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=wfd\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video %d RTP/AVP 33\r\n' \
		"$port" > "$tmp/stream.sdp"
	ffmpeg -nostdin -hide_banner -loglevel error -protocol_whitelist file,rtp,udp \
		-analyzeduration 30M -probesize 20M -fpsprobesize 0 -buffer_size 16777216 \
		-i "$tmp/stream.sdp" \
		-fps_mode passthrough -c:v rawvideo -pix_fmt rgb24 -f image2 -update 1 \
		-atomic_writing 1 -progress "$tmp/$sname.progress" -y "$tmp/$sname.rgb" \
		> "$out/sink-$sname.log" 2>&1 < /dev/null &
	sink_pid=$!
	# ffmpeg takes seconds to start under emulation: wait for its socket.
	hex=$(printf ':%04X' "$port")
	for _ in $(seq 600); do
		awk -v p="$hex" '$2 ~ p "$" { f = 1 } END { exit !f }' /proc/net/udp && break
		sleep 0.1
	done
	"$wfdd" --output 1 --rtp "127.0.0.1:$port" "${sink_modes[@]}" --name "wfd e2e sink" \
		--bitrate 6000 -v > "$out/wfdd-$sname.log" 2>&1 &
	wfdd_pid=$!
}
session_fail() {
	kill "$sink_pid"
	wait "$sink_pid" 2>/dev/null
}
session_stop() {
	kill -TERM "$wfdd_pid"
}
# session_end_status SECONDS: wfdd's exit status once the session is over.
session_end_status() {
	for _ in $(seq $(($1 * 10))); do
		alive "$wfdd_pid" || break
		sleep 0.1
	done
	if alive "$wfdd_pid"; then
		echo "# wfdd still runs $1 s after the session should have ended"
		kill "$wfdd_pid"
	fi
	wait "$wfdd_pid"
}
# expect_picture FRAME PNG SECONDS: the sink's newest decoded frame shows
# pattern frame FRAME, as wl_pattern drew it, within 35 dB.
expect_picture() {
	local r=1
	for _ in $(seq $(($3 / 2))); do
		if [ -f "$tmp/$sname.rgb" ] &&
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
	[ -n "$sink_pid" ] && alive "$sink_pid" && kill "$sink_pid"
	[ -n "$weston" ] && alive "$weston" && kill "$weston"
	wait 2>/dev/null
	[ -n "$udevd" ] && udevadm control --exit
	echo "$hold_was" > /sys/module/wfd/parameters/hold_timeout_ms
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "KTAP version 1"
echo "1..7"

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
[ "$rc" -eq 0 ] || show "$wlog" "$out/flower.log"
result weston_starts_without_output $rc

# 2: a session connects the output; weston enables it with the preferred mode.
rc=0
session_start first
wait_status connected 30 || { echo "# output 1 is $(status)"; rc=1; }
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
[ "$rc" -eq 0 ] || show "$wlog" "$out/wfdd-first.log"
result output_enabled_with_preferred_mode $rc

# 3: the sink's decoded picture is the surface of a fullscreen client.
rc=0
"$top/tests/e2e/wl_pattern" 0 32 > "$out/client.log" 2>&1 &
client=$!
wait_grep "$out/client.log" "frame 0 ${mode_w}x${mode_h}" 1 120 ||
	{ echo "# the client never drew at ${mode_w}x${mode_h}"; rc=1; }
expect_picture 0 frame-before.png 180 || rc=1
[ "$rc" -eq 0 ] || show "$out/client.log" "$out/wfdd-first.log" "$out/sink-first.log"
result stream_shows_client $rc

# 4: the client changes its picture; the stream follows.
rc=0
kill -USR1 "$client"
wait_grep "$out/client.log" "frame 32 ${mode_w}x${mode_h}" 1 60 ||
	{ echo "# the client did not redraw"; rc=1; }
expect_picture 32 frame-after.png 120 || rc=1
grep fps "$out/wfdd-first.log" | tail -n 2 | sed 's/^/# /'
[ "$rc" -eq 0 ] || show "$out/client.log" "$out/wfdd-first.log" "$out/sink-first.log"
result stream_follows_client_change $rc

# 5: the sink goes away: the session ends with an error status, the output
# unplugs, weston drops it and keeps running.
rc=0
gone_before=$(count "$gone")
session_fail
session_end_status 30; wrc=$?
[ "$wrc" -eq 1 ] || { echo "# wfdd exit status $wrc"; rc=1; }
ending | sed 's/^/# /'
ending | grep -q "sink disconnect request" || rc=1
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
[ "$rc" -eq 0 ] || show "$wlog" "$out/wfdd-first.log" "$out/client.log"
result sink_gone_output_dropped $rc

# 6: a second session: the output comes back, with the client on it.
rc=0
session_start second
wait_status connected 30 || { echo "# output 1 is $(status)"; rc=1; }
wait_grep "$wlog" "$enabled" 2 120 || { echo "# weston did not enable the output again"; rc=1; }
for _ in $(seq 30); do [ -n "$(current_modes)" ] && break; sleep 1; done
modes=$(current_modes)
echo "# wayland-info: current mode:${modes:- none}"
echo "$modes" | grep -q "width: $mode_w px, height: $mode_h px" || rc=1
expect_picture 32 frame-second-session.png 180 || rc=1
[ "$rc" -eq 0 ] || show "$wlog" "$out/client.log" "$out/wfdd-second.log" "$out/sink-second.log"
result output_back_in_second_session $rc

if [ "${WESTON_E2E_DESKTOP:-0}" = 1 ]; then
	# For the demo: weston's own desktop, with an animated client of its own.
	kill "$client"
	wait "$client" 2>/dev/null
	weston-simple-shm > "$out/simple-shm.log" 2>&1 &
	client=$!
	sleep 20
	cp "$tmp/second.rgb" "$tmp/desk.rgb" 2>/dev/null &&
		ffmpeg -nostdin -loglevel error -f rawvideo -pix_fmt rgb24 -s "${mode_w}x${mode_h}" \
			-i "$tmp/desk.rgb" -y "$out/frame-desktop.png"
fi

# 7: a graceful end: SIGTERM to wfdd; weston runs on, and exits cleanly.
rc=0
gone_before=$(count "$gone")
session_stop
session_end_status 30; wrc=$?
[ "$wrc" -eq 0 ] || { echo "# wfdd exit status $wrc"; rc=1; }
ending | sed 's/^/# /'
ending | grep -q graceful || rc=1
wait_status disconnected 20 || { echo "# output 1 is $(status)"; rc=1; }
session_fail
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
[ "$rc" -eq 0 ] || show "$wlog" "$out/wfdd-second.log"
result graceful_end_weston_survives $rc
exit $fail
