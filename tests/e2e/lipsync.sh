#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Lip-sync, in the VM with wfd loaded, in a PipeWire user session of its
# own: wfdd streams output 1 at 320x240 (x264 is slow under emulation)
# to an RTP receiver on loopback with an LPCM, then an AAC track; a
# client (av_flash) flashes the picture white and plays a click into
# wfd-output-1 at the same CLOCK_MONOTONIC instant, three times.  The
# offset between each flash's PTS and its click's PTS in the received
# stream must stay within +-100 ms (generous: emulation); the figures are
# logged, and so is the audio latency: from the instant a click plays to
# the arrival of the datagram that carries it.  Last, LPCM again with
# av_flash as a deliberately skewed driver of the graph (LIPSYNC_SKEW,
# default 0.004: its clock 0.4 % fast, as a sound card's crystal that is
# off): wfd-output-1 follows it, and the clicks' delay in the stream (PTS
# less the instant played) must not drift by more than 25 ms over six
# flashes (20 s; a clock followed wrongly drifts 80 ms).  KTAP.
top=$(cd "$(dirname "$0")/../.." && pwd)
wfdd=${WFDD:-$top/build/userspace-release/wfdd/wfdd}
check=${CHECK_AUDIO:-$top/tests/e2e/check_audio}
out=${WFD_OUT:-/tmp}/lipsync
mkdir -p "$out"
rm -rf "${out:?}"/*
port=5004
sysctl -qw net.core.rmem_max=16777216

# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
# shellcheck source=tests/e2e/pw_session.sh
. "$top/tests/e2e/pw_session.sh"
wfd_hold_timeout 1000

# LIPSYNC_CODECS: lpcm, aac or both (default); LIPSYNC_FLASHES (default 3);
# LIPSYNC_SKEW: the skewed driver's (empty: no such case).
codecs=${LIPSYNC_CODECS:-lpcm aac}
skew=${LIPSYNC_SKEW-0.004}
cases=$codecs
[ -n "$skew" ] && cases="$cases skewed"
echo "KTAP version 1"
echo "1..$(echo $cases | wc -w)"

# The datagrams' payload (MPEG-TS) into a file, until killed.
receive() { # file
	python3 -u - "$port" "$1" <<'PY' &
import signal, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
s.bind(("127.0.0.1", int(sys.argv[1])))
f = open(sys.argv[2], "wb")
# When each datagram came (CLOCK_MONOTONIC ns) and where its payload starts in the file.
log = open(sys.argv[2] + ".arrivals", "w")
signal.signal(signal.SIGTERM, lambda *a: (f.close(), log.close(), sys.exit(0)))
off = 0
while True:
    d = s.recv(2048)
    if len(d) > 12:
        log.write("%d %d\n" % (time.clock_gettime_ns(time.CLOCK_MONOTONIC), off))
        f.write(d[12:])
        off += len(d) - 12
PY
	rx=$!
	wait_udp_bound "$port" 30
}

if ! pw_session_start; then
	tail -n 20 "$out/pipewire.log" | sed 's/^/# /'
	for c in $cases; do result "lipsync_$c" 1; done
	exit 1
fi

for c in $cases; do
	codec=$c flashes=${LIPSYNC_FLASHES:-3} client_args=() drift=()
	if [ "$c" = skewed ]; then
		codec=lpcm flashes=6 client_args=("$skew") drift=(25)
	fi
	receive "$out/$c.ts"
	"$wfdd" --rtp "127.0.0.1:$port" --output 1 --mode 320x240@30 --bitrate 1000 \
		--name "Lip sync" --audio "$codec" -v > "$out/wfdd-$c.log" 2>&1 &
	wfdd_pid=$!
	timeout 300 "$top/tests/e2e/av_flash" "$flashes" "${client_args[@]}" \
		> "$out/client-$c.log" 2>&1
	rc=$?
	sed "s/^/# $c: /" "$out/client-$c.log"
	# The last flash's picture and click are on their way.
	sleep 2
	kill "$wfdd_pid"
	wait "$wfdd_pid"
	kill "$rx"
	wait "$rx" 2> /dev/null
	grep -E -m3 "sent as|driv" "$out/wfdd-$c.log" | sed "s/^/# $c: /"
	"$check" lipsync "$out/$c.ts" "$codec" 100 "$out/$c.ts.arrivals" \
		"$out/client-$c.log" "${drift[@]}" > "$out/check-$c.log" 2>&1 || rc=1
	sed "s/^/# $c: /" "$out/check-$c.log"
	[ $rc -eq 0 ] || tail -n 10 "$out/wfdd-$c.log" | sed 's/^/# wfdd: /'
	result "lipsync_$c" $rc
done

pw_session_stop
exit $fail
