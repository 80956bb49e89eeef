#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# wfdctl against real sessions, in the VM with wfd loaded: what it prints
# (text and JSON) must agree with what wfdd, the client and debugfs say.
# Then the module is unloaded (wfdctl must say so), installed with
# "make install-module" and loaded back with modprobe.  KTAP.
top=$(cd "$(dirname "$0")/../.." && pwd)
wfdd=${WFDD:-$top/build/userspace-release/wfdd/wfdd}
wfdctl=${WFDCTL:-$top/build/userspace-release/wfdctl/wfdctl}
out=${WFD_OUT:-/tmp}/wfdctl
mkdir -p "$out"
rm -f "$out"/*
port=5010
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
wfd_hold_timeout 1000
dbg() { cat /sys/kernel/debug/dri/*/wfd_state 2>/dev/null | sed -n "s/^$1: //p" | tail -n 1; }
# jq-like access to a JSON file: j FILE EXPR (Python, on the report r and
# its first output o).
j() {
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
o = (r["outputs"] or [None])[0]
print(eval(sys.argv[2]))' "$1" "$2"
}
# Assert a Python condition on a JSON report; print it when false.
jcheck() { # file expr
	if [ "$(j "$1" "$2" 2>&1)" != True ]; then
		echo "# false: $2"
		return 1
	fi
}
show() { sed 's/^/# /' "$1"; }
# Emulation is slow: see stream.sh.

echo "KTAP version 1"
echo "1..8"

# 1: no session yet.
rc=0
"$wfdctl" status > "$out/idle.txt" 2> "$out/idle.err" || { echo "# exit $?"; rc=1; }
"$wfdctl" --json > "$out/idle.json" || rc=1
grep -qx "output 1 (Virtual-1): disconnected" "$out/idle.txt" || rc=1
grep -qx "  session:  none" "$out/idle.txt" || rc=1
jcheck "$out/idle.json" "r['debugfs'] and r['uapi_version'] == 2 and len(r['outputs']) == $(dbg outputs)" || rc=1
jcheck "$out/idle.json" "r['outputs'][0]['session'] is None and not r['outputs'][0]['connected']" || rc=1
[ "$rc" -eq 0 ] || { show "$out/idle.txt"; show "$out/idle.err"; }
result idle_output $rc

# 2: a streaming session: wfdd sends to a UDP socket that reads and drops.
rc=0
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    s.recv(65536)' "$port" &
sink=$!
# Python takes seconds to start under emulation.
wait_udp_bound "$port" 60
"$top/tests/e2e/pattern_client" 600 > "$out/client.log" 2>&1 &
client=$!
"$wfdd" --output 1 --rtp "127.0.0.1:$port" --mode 640x480@30 --name "wfdctl test" -v \
	> "$out/wfdd.log" 2>&1 &
wfdd_pid=$!
# Stream statistics arrive once a second once frames flow.
ok=0
for _ in $(seq 240); do
	if "$wfdctl" --json > "$out/stream.json" 2>/dev/null &&
	   [ "$(j "$out/stream.json" "(r['outputs'][0]['stats'] or {}).get('bitrate_kbps', 0) > 0 and r['outputs'][0]['mode'] is not None")" = True ]; then
		ok=1
		break
	fi
	sleep 0.5
done
[ "$ok" = 1 ] || { echo "# no statistics in 120 s"; rc=1; }
"$wfdctl" status > "$out/stream.txt" || rc=1
session=$(dbg output1.session)
committed=$(dbg output1.frames_committed)
jcheck "$out/stream.json" "o['connected'] and o['session']['state'] == 'connected'" || rc=1
jcheck "$out/stream.json" "o['session']['id'] == $session and o['session']['owner_pid'] == $wfdd_pid" || rc=1
jcheck "$out/stream.json" "o['session']['owner'] == 'wfdd' and o['sink'] == 'wfdctl test'" || rc=1
jcheck "$out/stream.json" "o['mode']['width'] == 640 and o['mode']['height'] == 480 and round(o['mode']['refresh_hz']) == 30" || rc=1
jcheck "$out/stream.json" "o['stats']['fps'] > 0 and o['stats']['frames_encoded'] > 0 and o['stats']['bytes_sent'] > 0" || rc=1
jcheck "$out/stream.json" "0 < o['frames']['committed'] <= $committed" || rc=1
grep -qx "  session:  $session, connected, owner wfdd (pid $wfdd_pid)" "$out/stream.txt" || rc=1
grep -qx "  sink:     wfdctl test" "$out/stream.txt" || rc=1
grep -q "^  mode:     640x480@" "$out/stream.txt" || rc=1
grep -q "^  stream:   [0-9.]* fps, [1-9][0-9]* kbit/s" "$out/stream.txt" || rc=1
show "$out/stream.txt"
[ "$rc" -eq 0 ] || { show "$out/stream.json"; tail -n 5 "$out/wfdd.log" | sed 's/^/# wfdd: /'; }
result streaming_session $rc

# 3: without root: the card's group sees the session, not the details;
# others are told they may not open the card.
rc=0
card=$(ls -d /sys/class/drm/card*-Virtual-1 | sed 's|.*/\(card[0-9]*\)-.*|/dev/dri/\1|')
video=$(getent group video | cut -d: -f3)
# Without udev the node is root's alone: give it udev's usual group and mode.
chgrp video "$card" && chmod 0660 "$card"
setpriv --reuid=65534 --regid=65534 --groups="$video" --inh-caps=-all "$wfdctl" > "$out/user.txt" 2>&1 ||
	{ echo "# exit $? as a member of video"; rc=1; }
grep -qx "  session:  $session, connected" "$out/user.txt" || rc=1
grep -qx "  sink:     wfdctl test" "$out/user.txt" || rc=1
grep -q "not readable: Permission denied; run as root" "$out/user.txt" || rc=1
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$wfdctl" > "$out/denied.txt" 2>&1
[ $? -eq 1 ] || { echo "# a stranger's wfdctl did not fail"; rc=1; }
grep -q "permission denied" "$out/denied.txt" || rc=1
chmod 0600 "$card" && chgrp root "$card"
show "$out/user.txt"
show "$out/denied.txt"
result unprivileged $rc

# 4: the sink goes away: the ending is listed with its status and diag.
rc=0
ended=$(dbg output1.sessions_ended)
kill "$sink"
for _ in $(seq 200); do kill -0 "$wfdd_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$wfdd_pid" 2>/dev/null && { echo "# wfdd still runs 20 s after the sink left"; kill "$wfdd_pid"; rc=1; }
wait "$wfdd_pid"
for _ in $(seq 100); do
	[ "$(dbg output1.sessions_ended)" = $((ended + 1)) ] && break
	sleep 0.1
done
"$wfdctl" --json > "$out/ended.json" || rc=1
"$wfdctl" > "$out/ended.txt" || rc=1
jcheck "$out/ended.json" "o['session'] is None and not o['connected'] and o['sessions_ended'] == $((ended + 1))" || rc=1
jcheck "$out/ended.json" "o['endings'][-1] == dict(o['endings'][-1], session=$session, status='sink disconnect request', status_code=2, diag=-111)" || rc=1
grep -qx "    session $session: sink disconnect request, diag -111, after [0-9]*\.[0-9]* s" "$out/ended.txt" || rc=1
show "$out/ended.txt"
kill "$client" 2>/dev/null
wait 2>/dev/null
result ending_listed $rc

# 5: no module, a clear error.
rc=0
rmmod wfd || rc=1
"$wfdctl" > "$out/nodev.txt" 2>&1
[ $? -eq 1 ] || rc=1
grep -q "the wfd module is not loaded" "$out/nodev.txt" || rc=1
show "$out/nodev.txt"
result no_device $rc

# 6: make install-module lays wfd.ko out where depmod and modprobe find it.
# It goes to a staging tree (DESTDIR): depmod over the kernel's thousands
# of compressed modules takes minutes under emulation, so the tree holds
# links to wfd's dependencies only, and modprobe -d loads from it.
rc=0
hdr=$WFD_KMODS/../../usr/src/linux-headers-$WFD_ABI
stage=$(mktemp -d)
kmods=$stage/lib/modules/$WFD_ABI
make -s -C "$top" install-module KDIR="$hdr" DESTDIR="$stage" > "$out/install.log" 2>&1 ||
	{ show "$out/install.log"; rc=1; }
cmp -s "$kmods/updates/wfd.ko" "$WFD_KO" || { echo "# $kmods/updates/wfd.ko is not the built module"; rc=1; }
mkdir -p "$kmods/kernel"
cp /lib/modules/"$WFD_ABI"/modules.builtin* "$kmods/"
: > "$kmods/modules.order"
for dep in $(modinfo -F depends "$WFD_KO" | tr , ' '); do
	modprobe --show-depends "$dep" | sed -n 's/^insmod \([^ ]*\).*/\1/p'
done | sort -u | while read -r f; do ln -s "$f" "$kmods/kernel/"; done
depmod -b "$stage" "$WFD_ABI" || rc=1
grep "^updates/wfd.ko:" "$kmods/modules.dep" | sed 's/^/# modules.dep: /'
[ "$(modinfo -b "$stage" -k "$WFD_ABI" -F filename wfd)" = "$kmods/updates/wfd.ko" ] || rc=1
modprobe -d "$stage" wfd || rc=1
"$wfdctl" > "$out/modprobe.txt" 2>&1 || rc=1
grep -qx "output 1 (Virtual-1): disconnected" "$out/modprobe.txt" || rc=1
show "$out/modprobe.txt"
rm -rf "$stage"
result installed_module_modprobe $rc

# 7: the udev rule names the wfd card /dev/dri/wfd (not vgem's, loaded by
# the suite) and tags it for systemd; wfdctl takes that name.
rc=0
mkdir -p /run/udev/rules.d
cp "$top/userspace/data/70-wfd.rules" /run/udev/rules.d/
# The group the rule names, as the package creates it (the guest's /etc is
# a throw-away overlay).
getent group wfd > /dev/null || systemd-sysusers "$top/userspace/data/wfd.sysusers"
udevd=""
if ! udevadm control --ping 2>/dev/null; then
	/lib/systemd/systemd-udevd --daemon 2> "$out/udevd.log" && udevd=1
fi
udevadm control --reload
udevadm trigger --action=add --subsystem-match=drm
udevadm settle --timeout=60
wfd_card=$(ls -d /sys/class/drm/card*-Virtual-1 | sed 's|.*/\(card[0-9]*\)-.*|/dev/dri/\1|')
[ "$(readlink -f /dev/dri/wfd)" = "$wfd_card" ] ||
	{ echo "# /dev/dri/wfd -> $(readlink -f /dev/dri/wfd), the wfd card is $wfd_card"; rc=1; }
udevadm info -q property -n /dev/dri/wfd | grep -E "^(DEVLINKS|TAGS)=" | sed 's/^/# /'
udevadm info -q property -n /dev/dri/wfd | grep -q "^TAGS=.*:systemd:" || rc=1
"$wfdctl" --device /dev/dri/wfd > "$out/udev.txt" 2>&1 || rc=1
head -n 1 "$out/udev.txt" | grep -qx "/dev/dri/wfd: wfd UAPI 2, 1 output" || { show "$out/udev.txt"; rc=1; }
result udev_rule $rc

# 8: what wfdd@.service grants is enough: a user that is not root, in the
# groups wfd (the card's, as udev set it up just now) and render, not in
# video, with CAP_SYS_ADMIN as its one capability, streams; without the
# capability it may not.
rc=0
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    s.recv(65536)' "$port" &
sink=$!
wait_udp_bound "$port" 60
ls -l "$(readlink -f /dev/dri/wfd)" | sed 's/^/# /'
[ "$(stat -c %G:%a "$(readlink -f /dev/dri/wfd)")" = wfd:660 ] ||
	{ echo "# the udev rule did not give the card to group wfd, mode 0660"; rc=1; }
unit=(setpriv --reuid=65534 --regid=65534
	--groups="$(getent group wfd | cut -d: -f3),$(getent group render | cut -d: -f3)")
"${unit[@]}" --inh-caps=-all --bounding-set=-all "$wfdd" --device /dev/dri/wfd --output 1 \
	--rtp "127.0.0.1:$port" --mode 640x480@30 > "$out/nocap.log" 2>&1
nocap=$?
if [ "$nocap" -ne 1 ] || ! grep -q "cannot start a session.*Permission denied" "$out/nocap.log"; then
	echo "# without CAP_SYS_ADMIN: exit $nocap"; show "$out/nocap.log"; rc=1
fi
"${unit[@]}" --inh-caps=-all,+sys_admin --ambient-caps=+sys_admin --bounding-set=-all,+sys_admin \
	"$wfdd" --device /dev/dri/wfd --output 1 --rtp "127.0.0.1:$port" --mode 640x480@30 \
	> "$out/unit.log" 2>&1 &
wfdd_pid=$!
for _ in $(seq 300); do
	"$wfdctl" --json > "$out/unit.json" 2>/dev/null &&
		[ "$(j "$out/unit.json" "o['connected']")" = True ] && break
	sleep 0.2
done
jcheck "$out/unit.json" "o['connected'] and o['session']['owner_pid'] == $wfdd_pid" || rc=1
kill -TERM "$wfdd_pid"
wait "$wfdd_pid" || { echo "# wfdd exit status $?"; rc=1; }
kill "$sink"
wait 2>/dev/null
[ "$rc" -eq 0 ] || show "$out/unit.log"
rm /run/udev/rules.d/70-wfd.rules
[ -n "$udevd" ] && udevadm control --exit
result unit_privileges $rc
# The next suite expects the module loaded, which it is again.
exit $fail
