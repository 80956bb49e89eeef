#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The benchmark's measurements, in the VM with wfd loaded (run by
# tests/bench/run.sh through tests/vm/run.sh).  Writes raw logs to
# $WFD_OUT; tests/bench/analyze.py turns them into tables on the host.
#
# Environment: QUICK=1 (a subset), BENCH_SECONDS (measured window of a
# pipeline point, default 6), BENCH_REPEATS (runs of each kernel, pipeline
# and idle point, default 3, wfdd's and the other program's alternating),
# BENCH_PARTS (the parts to run, default "kernel pipeline idle evdi sound"),
# VKMS_KO, EVDI_KO (optional), WFDD.
set -u
# Run as a copy in the output directory: BENCH_TOP is the tree.
top=${BENCH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
kb=$top/tests/bench/kmsbench
rx=$top/tests/bench/rtprecv
testsink=$top/tests/e2e/wfd_testsink
pattern_client=$top/tests/e2e/pattern_client
wfdd=${WFDD:-$top/build/bench-release/wfdd/wfdd}
out=$WFD_OUT
quick=${QUICK:-0}
secs=${BENCH_SECONDS:-6}
ksecs=$((quick == 1 ? 5 : 10))
idle_secs=$((quick == 1 ? 10 : 30))
reps=${BENCH_REPEATS:-3}
parts=" ${BENCH_PARTS:-kernel pipeline idle evdi sound} "
part() { [[ "$parts" == *" $1 "* ]]; }

log() { echo "bench: $*" >&2; }
# Emulation is slow: a conversion must not outlast the hold, which is
# read at load (at most 1000 ms).
# shellcheck disable=SC2086
rmmod wfd && insmod "$WFD_KO" $WFD_PARAMS hold_timeout_ms=1000
sysctl -qw net.core.rmem_max=16777216
: > "$out/points.txt"
{
	echo "kernel $(uname -r)"
	echo "cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "ncpu $(nproc)"
	echo "quick $quick"
	echo "seconds $secs"
	echo "repeats $reps"
} > "$out/info.txt"

# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
status() { cat /sys/class/drm/card*-Virtual-1/status 2> /dev/null | head -n1; }
# stop PID...: SIGTERM, SIGKILL what is left after 20 s, and reap.
stop() {
	local i p left
	kill -TERM "$@" 2> /dev/null
	for i in $(seq 100); do
		left=""
		for p in "$@"; do
			kill -0 "$p" 2> /dev/null && left="$left $p"
		done
		[ -n "$left" ] || break
		sleep 0.2
	done
	for p in $left; do
		log "pid $p ($(cat /proc/"$p"/comm 2> /dev/null)) ignored SIGTERM: killed"
		kill -KILL "$p" 2> /dev/null
	done
	wait "$@" 2> /dev/null
}

# ---- kernel figures ---------------------------------------------------
# Each run: wfd with a session, wfd alone, vkms, in turn (-rN files).
kernel_run() { # rep
	local r=$1
	log "kernel ($r/$reps): wfd flip pacing, commit to FRAME_READY, acquire/release"
	"$kb" session --mode 1280x720@60 --seconds $((ksecs + 30)) --log "$out/k-session-r$r.log" \
		--mark > "$out/k-session-r$r.txt" 2> "$out/k-session-r$r.err" &
	sess=$!
	"$kb" flip --driver wfd --mode 1280x720 --nodraw --check-shared --seconds "$ksecs" \
		--log "$out/k-flip-wfd-r$r.log" > "$out/k-shared-r$r.txt" 2> "$out/k-flip-wfd-r$r.err"
	[ "$r" != 1 ] || cat /sys/kernel/debug/dri/*/wfd_state > "$out/k-wfd_state.txt" 2> /dev/null
	stop "$sess"
	cat "$out/k-shared-r$r.txt" "$out/k-session-r$r.txt" >&2
	wait_status disconnected 10

	# The driver's own pacing, with no session holding frames: the output
	# forced on, as IGT and headless use have it.
	log "kernel ($r/$reps): wfd flip pacing with no session (output forced on)"
	echo on > /sys/class/drm/card*-Virtual-1/status
	"$kb" flip --driver wfd --mode 1280x720 --nodraw --seconds "$ksecs" \
		--log "$out/k-flip-wfd-alone-r$r.log" 2> "$out/k-flip-wfd-alone-r$r.err"
	echo detect > /sys/class/drm/card*-Virtual-1/status
	wait_status disconnected 10

	if [ -n "${VKMS_KO:-}" ]; then
		log "kernel ($r/$reps): vkms flip pacing"
		# shellcheck disable=SC2046
		if modprobe -a $(modinfo -F depends "$VKMS_KO" | tr , ' ') && insmod "$VKMS_KO"; then
			sleep 2
			"$kb" flip --driver vkms --mode 1280x720 --nodraw --seconds "$ksecs" \
				--log "$out/k-flip-vkms-r$r.log" 2> "$out/k-flip-vkms-r$r.err"
			rmmod vkms
		else
			log "cannot load vkms"
		fi
	fi
}
if part kernel; then
	for r in $(seq "$reps"); do
		kernel_run "$r"
	done
	log "kernel: hotplug latency"
	"$kb" hotplug --iterations $((quick == 1 ? 10 : 30)) --log "$out/k-hotplug.log" \
		2> "$out/k-hotplug.err"
fi

# ---- pipeline ---------------------------------------------------------
card=$("$kb" card wfd)
port=5004

# Context switches of all of a process's threads: its wake-ups.
wakeups() { # pid
	cat /proc/"$1"/task/*/status 2> /dev/null |
		awk '/^(voluntary|nonvoluntary)_ctxt_switches/ { n += $2 } END { print n + 0 }'
}

# point TAG PIPELINE WxH FPS KBPS SECONDS [static]: one measured run.
point() {
	local tag=$1 pipe=$2 res=$3 fps=$4 kbps=$5 win=$6 still=${7:-} p="$out/$1"
	local recv sink client enc="" i s1 s2 flip=()
	log "pipeline: $tag"
	rm -f "$p".*
	"$rx" "$port" "$p" 2> "$p.rx.err" &
	recv=$!
	wait_udp_bound "$port" 30
	case "$pipe" in
	x264|openh264)
		"$wfdd" --output 1 --rtp "127.0.0.1:$port" --mode "$res@$fps" --bitrate "$kbps" \
			--encoder "$pipe" --frame-log "$p.frames" > "$p.wfdd.log" 2>&1 &
		sink=$!
		enc=$sink
		;;
	ffmpeg)
		# The output is connected by a session that only hands frames
		# back, so that the committing client is paced as with wfdd.
		"$kb" session --mode "$res@$fps" --seconds 100000 > /dev/null 2> "$p.session.err" &
		sink=$!
		;;
	esac
	flip=(--driver wfd --mode "$res" --seconds 100000 --log "$p.flip")
	[ -z "$still" ] || flip+=(--static)
	"$kb" flip "${flip[@]}" 2> "$p.flip.err" &
	client=$!
	if [ "$pipe" = ffmpeg ]; then
		wait_status connected 30
		sleep 1
		# The same encoder settings as wfdd's x264 (enc_x264.c).  kmsgrab
		# stamps frames in microseconds (a 1 MHz "rate"): the output rate
		# gives the encoder the real one, without duplicating frames.
		ffmpeg -nostdin -hide_banner -loglevel error -f kmsgrab -device "$card" \
			-framerate "$fps" -i - -vf hwdownload,format=bgr0,format=yuv420p \
			-r "$fps" -fps_mode vfr \
			-c:v libx264 -preset ultrafast -tune zerolatency -profile:v baseline \
			-threads 1 -b:v "${kbps}k" -maxrate "${kbps}k" -bufsize "$((kbps / 4))k" \
			-g "$((fps * 2))" -bf 0 -f rtp_mpegts "rtp://127.0.0.1:$port" \
			> "$p.ffmpeg.log" 2>&1 &
		enc=$!
	fi
	# The window starts once the stream flows and has settled.
	for i in $(seq 600); do
		[ -e "$p.flowing" ] && break
		kill -0 "${enc:-$sink}" 2> /dev/null || break
		sleep 0.1
	done
	sleep 1
	s1="$("$kb" stat "$enc") $(wakeups "$enc")"
	sleep "$win"
	s2="$("$kb" stat "$enc") $(wakeups "$enc")"
	stop "$client"
	sleep 0.5
	stop "$enc" "$sink"
	stop "$recv"
	echo "$tag $pipe $res $fps $kbps $s1 $s2 ${still:+static}" >> "$out/points.txt"
	wait_status disconnected 10
	port=$((port + 2))
}

if [ "$quick" = 1 ]; then
	points="640x480@30 1280x720@60"
else
	points="640x480@30 640x480@60 1280x720@30 1280x720@60 1920x1080@30 1920x1080@60"
fi
part pipeline || points=""
for pt in $points; do
	res=${pt%@*} fps=${pt#*@}
	case "$res" in
	640x480) kbps=2000 ;;
	1280x720) kbps=4000 ;;
	*) kbps=8000 ;;
	esac
	for r in $(seq "$reps"); do
		for pipe in x264 openh264 ffmpeg; do
			point "p-$res-$fps-$pipe-r$r" "$pipe" "$res" "$fps" "$kbps" "$secs"
		done
	done
done

# ---- idle: a static picture ---------------------------------------------
idle_reps=$reps
part idle || idle_reps=0
for r in $(seq "$idle_reps"); do
	point "i-1280x720-30-x264-r$r" x264 1280x720 30 4000 "$idle_secs" static
	[ "$quick" = 1 ] || point "i-1280x720-30-ffmpeg-r$r" ffmpeg 1280x720 30 4000 "$idle_secs" static
done

# ---- idle: Wi-Fi Display sessions ---------------------------------------
# wfd_idle TAG FORMATS SINK_OPTIONS CLIENT...: wfdd serves the test sink
# at 1280x720p30 while CLIENT draws; once the sink has played for 4 s (and
# whatever SINK_OPTIONS make it do meanwhile), wfdd's wake-ups and CPU
# over a window.
wfd_idle() {
	local tag=$1 formats=$2 sinkopts=$3 p="$out/$1" wfdd_pid sink client i w1 w2 s1 s2
	shift 3
	log "idle: $tag"
	"$wfdd" --listen 127.0.0.1:7236 --allow 127.0.0.1 --output 1 --bitrate 4000 \
		> "$p.wfdd.log" 2>&1 &
	wfdd_pid=$!
	"$@" > "$p.client.log" 2>&1 &
	client=$!
	# shellcheck disable=SC2086
	"$testsink" --connect 127.0.0.1:7236 --rtp-port "$port" --formats "$formats" \
		--duration 100000 $sinkopts > "$p.sink.log" 2>&1 &
	sink=$!
	for i in $(seq 600); do
		grep -q "M7 playing" "$p.sink.log" 2> /dev/null && break
		sleep 0.1
	done
	sleep 4
	w1=$(wakeups "$wfdd_pid")
	s1=$("$kb" stat "$wfdd_pid")
	sleep "$idle_secs"
	w2=$(wakeups "$wfdd_pid")
	s2=$("$kb" stat "$wfdd_pid")
	stop "$client"
	stop "$sink"
	stop "$wfdd_pid"
	echo "$tag $s1 $w1 $s2 $w2" >> "$out/idle.txt"
	wait_status disconnected 10
	port=$((port + 2))
}
# 1280x720p30 (CEA bit 5), frame skipping (11: and rate change) or none.
skip="00 00 01 01 00000020 00000000 00000000 00 0000 0000 11 none none"
noskip="00 00 01 01 00000020 00000000 00000000 00 0000 0000 00 none none"
static=("$kb" flip --driver wfd --mode 1280x720 --seconds 100000 --static)
moving=("$kb" flip --driver wfd --mode 1280x720 --seconds 100000)
: > "$out/idle.txt"
for r in $(seq "$idle_reps"); do
	wfd_idle "w-static-skip-r$r" "$skip" "" "${static[@]}"
	wfd_idle "w-static-noskip-r$r" "$noskip" "" "${static[@]}"
	# The sink goes to standby (M12) while the client draws on.
	wfd_idle "w-paused-r$r" "$skip" "--standby-after 1" "${moving[@]}"
	# The compositor blanks the output: standby from our side.
	wfd_idle "w-dpms-r$r" "$skip" "" "$pattern_client" 100000 --dpms-off-at 2 --dpms-on-at 100000
done

# ---- evdi (optional, last) ---------------------------------------------
if part evdi && [ -n "${EVDI_KO:-}" ] && [ -x "$top/tests/bench/evdigrab" ]; then
	log "evdi: hand-over to user space"
	# shellcheck disable=SC2046
	if modprobe -a $(modinfo -F depends "$EVDI_KO" | tr , ' ') &&
	   insmod "$EVDI_KO" initial_device_count=1; then
		sleep 2
		# The KMS client opens the card first and is its master, as a
		# compositor would be; it waits for the output to connect.
		"$kb" flip --driver evdi --seconds "$ksecs" --log "$out/e-flip.log" 2> "$out/e-flip.err" &
		client=$!
		sleep 1
		"$top/tests/bench/evdigrab" --mode 1920x1080@60 --seconds $((ksecs + 60)) \
			--log "$out/e-grab.log" > "$out/e-grab.txt" 2> "$out/e-grab.err" &
		grab=$!
		wait "$client"
		stop "$grab"
		cat "$out/e-grab.txt" >&2
		# evdi 1.12 oopses when unloaded on 6.1 (evdi_painter_dpms_notify):
		# it stays loaded, which is why this part comes last.
	else
		log "cannot load evdi"
	fi
	log "evdi: the same on wfd"
	"$kb" session --mode 1920x1080@60 --seconds $((ksecs + 40)) --log "$out/e-wfd-session.log" \
		> "$out/e-wfd-session.txt" 2> "$out/e-wfd-session.err" &
	sess=$!
	"$kb" flip --driver wfd --mode 1920x1080 --seconds "$ksecs" --log "$out/e-wfd-flip.log" \
		2> "$out/e-wfd-flip.err"
	stop "$sess"
	wait_status disconnected 10
fi

# Sound, in a PipeWire session of its own: audio latency (a click played
# into wfd-output-1 -> the datagram that carries it) and the A/V offset
# (click PTS - flash PTS), LPCM and AAC, 10 flashes each at 320x240; and
# the AAC encoder's CPU per second of audio.
if part sound && [ -x "$top/tests/e2e/av_flash" ] && command -v pipewire > /dev/null; then
	log "sound: lip-sync and latency, LPCM and AAC"
	LIPSYNC_FLASHES=${AUDIO_FLASHES:-10} LIPSYNC_SKEW= WFD_OUT=$out WFDD=$WFDD \
		"$top/tests/e2e/lipsync.sh" > "$out/audio-lipsync.log" 2>&1
	grep -h "^audio-row" "$out"/lipsync/check-*.log > "$out/audio.txt" 2> /dev/null
	"$top/tests/bench/aaccost" 30 >> "$out/audio.txt" 2>&1
fi
log "done"
exit 0
