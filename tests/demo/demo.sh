#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make demo, inside the VM: the compositor scenario of tests/e2e/weston.sh
# (weston on the wfd card, a client, a sink session that ends badly, a
# second one), with weston's desktop shown during the second session.
# Leaves in $WFD_OUT the PNGs the sink decoded, weston's log, the daemon's
# and the sink's logs, the scenario's KTAP and report.txt.
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$WFD_OUT

WESTON_E2E_OUT=$out WESTON_E2E_DESKTOP=1 "$top/tests/e2e/weston.sh" | tee "$out/scenario.ktap"
rc=${PIPESTATUS[0]}

# The statistics wfdd printed each second (-v), averaged over the seconds
# in which it sent frames: an idle desktop sends none.
stats() { # LOG
	awk '/^wfdd: .* fps,/ && $2 > 0 {
		n++
		for (i = 2; i <= NF; i++) {
			if ($i == "fps,") fps += $(i - 1)
			if ($i == "kbit/s,") kb += $(i - 1)
			if ($i == "encode") enc += $(i + 1)
			if ($i == "commit-to-send") lat += $(i + 1)
		}
	}
	END {
		if (!n) { print "no frames sent"; exit }
		printf "%.1f fps, %.0f kbit/s, encode %.0f ms, commit-to-send %.0f ms (means of %d busy seconds)\n",
			fps / n, kb / n, enc / n / 1000, lat / n / 1000, n
	}' "$1"
}
# The sink's modes as weston lists them when it enables the output.
weston_modes() {
	awk '/Virtual-1 .*video modes:/ { m = 1; next }
	     m && /^ +[0-9]+x[0-9]+@/ { sub(/^ +/, ""); printf "%s%s", sep, $0; sep = "; "; next }
	     m { exit }' "$out/weston.log"
}
endings() { grep '^# output1.ending' "$out/scenario.ktap" | sed 's/^# output1.ending: //'; }

{
	echo "wfd demo report"
	echo "kernel:      $(uname -r) under QEMU TCG (figures measure the emulator too)"
	echo "compositor:  $(weston --version 2>&1), DRM backend, pixman renderer, on $(basename /sys/class/drm/card*-Virtual-1)"
	echo "sink modes:  $(weston_modes) (weston's log)"
	echo "mode used:   $(grep -m1 -o 'encoding [^ ]*' "$out/wfdd-first.log" | cut -d' ' -f2)"
	echo "encoder:     $(grep -m1 -o 'with [a-z0-9-]*' "$out/wfdd-first.log" | cut -d' ' -f2), target $(grep -m1 -o 'at [0-9]* kbit/s' "$out/wfdd-first.log" | cut -d' ' -f2) kbit/s"
	echo "session 1:   $(stats "$out/wfdd-first.log")"
	echo "session 2:   $(stats "$out/wfdd-second.log") (with weston-simple-shm animating)"
	echo "endings:     $(endings | head -n 1)"
	echo "             $(endings | tail -n 1)"
	echo "             (wfdd: $(grep -h 'session ends\|stopping' "$out/wfdd-first.log" "$out/wfdd-second.log" | tr '\n' ';' | sed 's/;$//'))"
	echo "scenario:    $(grep -c '^ok' "$out/scenario.ktap") of $(grep -c '^\(not \)\?ok' "$out/scenario.ktap") checks passed (scenario.ktap)"
	echo "frames:      frame-before.png (pattern client), frame-after.png (after the client changed),"
	echo "             frame-second-session.png (the output back), frame-desktop.png (weston's desktop),"
	echo "             each as the sink decoded it from the RTP stream"
	echo "logs:        weston.log, wfdd-first.log, wfdd-second.log, sink-*.log, client.log"
} > "$out/report.txt"
cat "$out/report.txt"
exit "$rc"
