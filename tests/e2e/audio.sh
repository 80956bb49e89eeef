#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The session's sound output, in the VM with wfd loaded: PipeWire and
# WirePlumber run in a user session of their own (a private runtime
# directory and session bus), and so does wfdd, listening for sinks on
# loopback.  For LPCM, then AAC (the test sink offers one or the other),
# then LPCM again with wfdd as the system service runs it (no access to
# the user's PipeWire) and the user's wfd-audio-agent (and, after LPCM, a
# sink that goes to standby and resumes, the tone played after it):
# the sink connects, a node wfd-output-1 described by the sink's name
# appears while the session lives, a 1 kHz tone played into it with
# pw-play (at 100 % volume, set through pipewire-pulse) reaches the sink
# at its frequency (+-1 %) and level (+-1 dB) without a gap longer than a
# packet while the stream goes on (no RTP silence over 3 s), and the node
# goes when the session ends.  KTAP.
top=$(cd "$(dirname "$0")/../.." && pwd)
wfdd=${WFDD:-$top/build/userspace-release/wfdd/wfdd}
sinkbin=${WFD_TESTSINK:-$top/tests/e2e/wfd_testsink}
check=${CHECK_AUDIO:-$top/tests/e2e/check_audio}
agent=${WFD_AUDIO_AGENT:-$top/build/userspace-release/wfdd/wfd-audio-agent}
out=${WFD_OUT:-/tmp}/audio
mkdir -p "$out"
rm -rf "${out:?}"/*
rtsp=127.0.0.1:7236
formats="32 00 01 01 00000001 00000001 00000040 00 0000 0000 00 none none"
name="Living room"
sysctl -qw net.core.rmem_max=16777216

# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
wfd_hold_timeout 1000

# AUDIO_CASES: some of lpcm, aac, agent (make demo runs lpcm alone).
cases=${AUDIO_CASES:-lpcm aac agent}
# AUDIO_TONE: strict (the default: frequency +-1 %, level +-1 dB, no gap
# longer than a packet) or present (a second of the tone at its level
# +-6 dB, the rest logged).  Under a starved emulator PipeWire's graph
# and pw-play miss cycles and the tone arrives with their gaps: make
# check runs "present" there, make check-audio "strict".
tone_mode=${AUDIO_TONE:-strict}
case "$tone_mode" in strict) check_mode=tone ;; present) check_mode=present ;;
*) echo "audio.sh: AUDIO_TONE is strict or present" >&2; exit 2 ;; esac
echo "KTAP version 1"
planned=$((1 + 3 * $(echo $cases | wc -w)))
# LPCM is followed by the standby and resume case.
[[ " $cases " == *" lpcm "* ]] && planned=$((planned + 1))
echo "1..$planned"

# shellcheck source=tests/e2e/pw_session.sh
. "$top/tests/e2e/pw_session.sh"
rc=0
pw_session_start || rc=1
[ $rc -eq 0 ] || tail -n 20 "$out/pipewire.log" | sed 's/^/# /'
result pipewire_session_runs $rc

"$check" make-tone "$out/tone.wav" 1000 -12 6

"$wfdd" --listen "$rtsp" --allow 127.0.0.1 --output 1 --name "$name" --bitrate 4000 \
	--audio auto -v > "$out/wfdd.log" 2>&1 &
wfdd_pid=$!

# The node of the sink's sound output as pw-dump shows it, one line: name,
# description, media class; nothing if there is none.
node() {
	pw-dump 2> /dev/null > "$out/pw-dump.json"
	python3 - "$out/pw-dump.json" <<'PY'
import json, sys
try:
    objs = json.load(open(sys.argv[1]))
except Exception:
    objs = []
for o in objs:
    p = (o.get("info") or {}).get("props") or {}
    if o.get("type", "").endswith("Node") and p.get("node.name") == "wfd-output-1":
        print("id %s node.name=%s node.description=%s media.class=%s state=%s" % (
            o["id"], p.get("node.name"), p.get("node.description"), p.get("media.class"),
            o["info"].get("state")))
PY
}
wait_node() { # present|absent seconds
	local i got
	for ((i = 0; i < $2 * 2; i++)); do
		got=$(node)
		if [ "$1" = present ] && [ -n "$got" ]; then echo "$got"; return 0; fi
		if [ "$1" = absent ] && [ -z "$got" ]; then return 0; fi
		sleep 0.5
	done
	echo "$got"
	return 1
}

one() { # label, codec, wfd_audio_codecs of the sink
	local label=$1 codec=$2 offer=$3 nd rc client sink gap
	"$top/tests/e2e/pattern_client" 150 > "$out/client-$label.log" 2>&1 &
	client=$!
	# The sink hangs up once the tone has played (SIGUSR1), at the latest after 120 s.
	"$sinkbin" --connect "$rtsp" --rtp-port 19000 --formats "$formats" --audio "$offer" \
		--out "$out/$label.ts" --duration 150 --teardown-after 120 > "$out/sink-$label.log" 2>&1 &
	sink=$!

	# The node appears with the session, named for the output, described by the sink.
	rc=0
	wait_grep "$out/sink-$label.log" "M7 playing" 1 90 || { echo "# $label: the sink never played"; rc=1; }
	nd=$(wait_node present 30) || rc=1
	echo "# $label: during the session, pw-dump: ${nd:-no wfd-output-1}"
	pw-cli ls Node 2> /dev/null | grep -B1 -A6 'wfd-output-1' | sed "s/^/# $label: pw-cli ls Node: /"
	echo "$nd" | grep -q "node.description=$name media.class=Audio/Sink" || rc=1
	grep -m1 "M4 audio" "$out/sink-$label.log" | sed "s/^/# $label: /"
	grep "sent as" "$out/wfdd.log" | tail -n 1 | sed "s/^/# $label: /"
	[ $rc -eq 0 ] || tail -n 20 "$out/wfdd.log" | sed 's/^/# wfdd: /'
	result "node_appears_${label}" $rc

	# A tone at full volume, through PipeWire to the sink.
	pactl set-sink-volume wfd-output-1 100% 2>&1 | sed 's/^/# pactl: /'
	pactl set-sink-mute wfd-output-1 0
	pactl get-sink-volume wfd-output-1 | head -n 1 | sed "s/^/# $label: /"
	# (pw-play waits for ever for a target that is not there.)
	timeout 60 pw-play --target wfd-output-1 "$out/tone.wav" > "$out/pw-play-$label.log" 2>&1
	echo "# $label: pw-play: exit $?"

	# The session ends (the sink's TEARDOWN, once the tone's last packets are
	# in): the node goes.
	sleep 1
	kill -USR1 "$sink"
	rc=0
	wait_status disconnected 60 || { echo "# $label: output still $(status)"; rc=1; }
	wait_node absent 20 > /dev/null || { echo "# $label: the node is still there"; rc=1; }
	echo "# $label: after the session, pw-dump: $(node | grep . || echo 'no wfd-output-1')"
	kill "$client" "$sink" 2> /dev/null
	wait "$client" "$sink" 2> /dev/null
	result "node_vanishes_${label}" $rc

	"$check" "$check_mode" "$out/$label.ts" "$codec" 1000 -12 > "$out/check-$label.log" 2>&1
	rc=$?
	sed "s/^/# /" "$out/check-$label.log"
	# Nor may the stream stop while the sound plays (the sink logs a
	# silence of over 1.5 s; over 3 s fails, an emulator's hiccups aside).
	gap=$(sed -n 's/.*rtp resumed after \([0-9.]*\) s of silence.*/\1/p' "$out/sink-$label.log" |
		sort -n | tail -n 1)
	if [ -n "$gap" ] && awk -v g="$gap" 'BEGIN { exit !(g > 3) }'; then
		echo "# $label: the stream stopped for $gap s while the session played"
		rc=1
	fi
	[ $rc -eq 0 ] || tail -n 5 "$out/sink-$label.log" | sed 's/^/# sink: /'
	result "tone_${label}_${tone_mode}" $rc
}

# The sink goes to standby (M12) and comes back (PLAY): the audio track
# stops with the picture and comes back with it.  The tone plays only
# after the resume, so a sink that got no audio after it fails.
resume() {
	local rc=0 client sink
	"$top/tests/e2e/pattern_client" 150 > "$out/client-resume.log" 2>&1 &
	client=$!
	"$sinkbin" --connect "$rtsp" --rtp-port 19000 --formats "$formats" \
		--audio "LPCM 00000002 00" --out "$out/resume.ts" --duration 150 --standby-after 6 \
		--resume-after 10 --teardown-after 120 > "$out/sink-resume.log" 2>&1 &
	sink=$!
	wait_grep "$out/sink-resume.log" "M7 playing again" 1 90 || { echo "# resume: not resumed"; rc=1; }
	wait_node present 30 > /dev/null || { echo "# resume: no node after the resume"; rc=1; }
	timeout 60 pw-play --target wfd-output-1 "$out/tone.wav" > "$out/pw-play-resume.log" 2>&1
	sleep 1
	kill -USR1 "$sink"
	wait_status disconnected 60 || rc=1
	kill "$client" "$sink" 2> /dev/null
	wait "$client" "$sink" 2> /dev/null
	grep -E "entering standby|resuming|playing again" "$out/sink-resume.log" | sed 's/^/# resume: /'
	"$check" "$check_mode" "$out/resume.ts" lpcm 1000 -12 > "$out/check-resume.log" 2>&1 || rc=1
	sed "s/^/# resume: /" "$out/check-resume.log"
	[ $rc -eq 0 ] || tail -n 10 "$out/sink-resume.log" | sed 's/^/# sink: /'
	result "tone_after_standby_resume_${tone_mode}" $rc
}

case " $cases " in *" lpcm "*) one lpcm lpcm "LPCM 00000002 00"; resume ;; esac
case " $cases " in *" aac "*) one aac aac "AAC 00000001 00" ;; esac

kill "$wfdd_pid" 2> /dev/null
wait "$wfdd_pid" 2> /dev/null
grep -E "sound output|no sound|session ends" "$out/wfdd.log" | sed 's/^/# wfdd: /'
mv "$out/wfdd.log" "$out/wfdd-user.log"

case " $cases " in *" agent "*)
# As the system service: no way to the user's PipeWire (no runtime
# directory, no session bus); the user's wfd-audio-agent makes the node
# and sends the sound over wfdd's socket.
mkdir -p /run/wfdd-1
env -u XDG_RUNTIME_DIR -u DBUS_SESSION_BUS_ADDRESS "$wfdd" --listen "$rtsp" --allow 127.0.0.1 \
	--output 1 --name "$name" --audio auto --audio-socket /run/wfdd-1/audio.sock \
	--audio-user "$(id -un)" -v > "$out/wfdd.log" 2>&1 &
wfdd_pid=$!
pw_wait_file /run/wfdd-1/audio.sock 30
"$agent" --socket /run/wfdd-1/audio.sock -v > "$out/agent.log" 2>&1 &
agent_pid=$!
one agent lpcm "LPCM 00000002 00"
kill "$wfdd_pid" "$agent_pid" 2> /dev/null
wait "$wfdd_pid" "$agent_pid" 2> /dev/null
grep -E "audio agent|sound output|session ends" "$out/wfdd.log" | sed 's/^/# wfdd (service): /'
sed 's/^/# /' "$out/agent.log"
;; esac
pw_session_stop
exit $fail
