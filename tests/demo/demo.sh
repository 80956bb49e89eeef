#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make demo, inside the VM: the compositor scenario of tests/e2e/weston.sh
# (weston on the wfd card, a client, wfdd listening, a Wi-Fi Display sink
# whose session ends badly, a second one), with weston's desktop shown
# during the second session.
# Then a 1 kHz tone played into the session's sound output and a lip-sync
# measurement (tests/e2e/audio.sh and lipsync.sh, LPCM).
# Leaves in $WFD_OUT the PNGs the sink decoded, weston's log, the daemon's
# and the sink's logs, the scenarios' KTAP and report.txt.
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$WFD_OUT

# The scenario empties $out first: its KTAP goes there afterwards.
WESTON_E2E_OUT=$out WESTON_E2E_DESKTOP=1 "$top/tests/e2e/weston.sh" | tee /run/scenario.ktap
rc=${PIPESTATUS[0]}
cp /run/scenario.ktap "$out/scenario.ktap"

# Sound: a 1 kHz tone played into the session's PipeWire sink (LPCM), and
# the lip-sync of a flash and a click, each with its own short session.
AUDIO_CASES=lpcm AUDIO_TONE=present "$top/tests/e2e/audio.sh" > "$out/audio.ktap" 2>&1 || rc=1
LIPSYNC_CODECS=lpcm LIPSYNC_SKEW= "$top/tests/e2e/lipsync.sh" > "$out/lipsync.ktap" 2>&1 || rc=1

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
	echo "modes used:  $(awk '/^wfdd: format / { sub(/,$/, "", $3); printf "%s%s", sep, $3; sep = ", then " }' "$out/wfdd.log") (the formats of wfdd's M4s)"
	echo "encoder:     $(grep -m1 -o 'with [a-z0-9-]*' "$out/wfdd.log" | cut -d' ' -f2), target $(grep -m1 -o 'at [0-9]* kbit/s' "$out/wfdd.log" | cut -d' ' -f2) kbit/s"
	echo "streaming:   $(stats "$out/wfdd.log")"
	endings | sed '1s/^/endings:     /; 2,$s/^/             /'
	echo "             (wfdd: $(grep 'session ends' "$out/wfdd.log" | sed 's/^wfdd: //' | tr '\n' ';' | sed 's/;$//; s/;/; /g'))"
	echo "scenario:    $(grep -c '^ok' "$out/scenario.ktap") of $(grep -c '^\(not \)\?ok' "$out/scenario.ktap") checks passed (scenario.ktap)"
	echo "sound:       $(grep -m1 -o 'M4 audio.*' "$out/audio/sink-lpcm.log"), played into $(grep -m1 -o 'pw-dump: id.*' "$out/audio.ktap" | sed 's/pw-dump: id [0-9]* //')"
	echo "             the sink decoded: $(grep -m1 -o 'check_audio: lpcm.*' "$out/audio.ktap" | sed 's/^check_audio: //')"
	echo "lip-sync:    $(grep -m1 -o 'lip-sync lpcm.*' "$out/lipsync.ktap")"
	echo "             $(grep -m1 -o 'audio latency.*' "$out/lipsync.ktap")"
	echo "sound checks: $(cat "$out/audio.ktap" "$out/lipsync.ktap" | grep -c '^ok') of $(cat "$out/audio.ktap" "$out/lipsync.ktap" | grep -c '^\(not \)\?ok') passed (audio.ktap, lipsync.ktap)"
	echo "frames:      frame-before.png (pattern client), frame-after.png (after the client changed),"
	echo "             frame-second-session.png (the output back), frame-desktop.png (weston's desktop),"
	echo "             each decoded by ffmpeg from the MPEG-TS the sink received"
	echo "logs:        weston.log, wfdd.log, sink-first.log, sink-second.log, client*.log"
} > "$out/report.txt"
cat "$out/report.txt"
exit "$rc"
