#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Wi-Fi Direct end to end, in the VM with wfd loaded, over simulated
# radios: mac80211_hwsim with three radios, the source's in the root
# network namespace with its wpa_supplicant (per-interface control
# sockets under /run/wpa_supplicant, group netdev, as Debian runs it),
# a TV's in namespace "tv" with a second wpa_supplicant driven by
# p2p_tv.py (a primary sink that behaves as Miracast TVs do) and the
# project's test sink, and a phone's in namespace "phone" (P2P, no WFD).
# The two namespaces make the traffic cross the simulated air.
#
# wfdctl sinks lists the TV and not the phone; then wfdd --p2p casts to
# the TV: wfdd as group owner (it serves DHCP), the TV leaving mid-stream
# (the session ends, the output unplugs), a second cast from the same
# daemon with the TV as group owner (it answers the negotiation after its
# user accepts), a TV that is a persistent group owner (join), a TV with
# no session available (listed as such, not connected) that becomes
# available and is connected by PIN.  Frames decode at the TV in every
# cast.  Prints the discovery, negotiation, DHCP and first-media times of
# each cast.  KTAP.
#
# usage: p2p.sh [--smoke|--full]   (--smoke: discovery, one cast, the TV
# leaving; the default on kernels other than 6.12, the suite's budget)
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${WFD_BIN:-$top/build/userspace-release}
wfdd=$bin/wfdd/wfdd
wfdctl=$bin/wfdctl/wfdctl
sinkbin=$top/tests/e2e/wfd_testsink
tvpy=$top/tests/e2e/p2p_tv.py
out=${WFD_OUT:-/tmp}/p2p
case "$(uname -r) ${1:-}" in
*" --smoke") smoke=1 ;;
*" --full"|6.12.*) smoke=0 ;;
*) smoke=1 ;;
esac
# Logs stay on tmpfs while the radios work (wpa_supplicant's probe
# responses come late when it logs to the 9p share): copied at the end.
run=/run/wfd-p2p-test
mkdir -p "$out" "$run"
rm -rf "${out:?}"/* "${run:?}"/*
# 640x360p30 native (HH bit 6), 640x480p60 (CEA bit 0), 800x600p30 (VESA bit 0).
formats="32 00 01 01 00000001 00000001 00000040 00 0000 0000 00 none none"
pin=12345670

# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"

planned=$((smoke ? 4 : 12))
echo "KTAP version 1"
echo "1..$planned"

skip_all() {
	for ((i = n + 1; i <= planned; i++)); do echo "ok $i p2p # SKIP $1"; done
	exit 0
}

t0=$EPOCHREALTIME
since() { awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# ---- the radios, the namespaces and the supplicants ----
if ! modprobe mac80211_hwsim radios=3 2>"$out/modprobe.log"; then
	skip_all "mac80211_hwsim does not load: $(head -c 200 "$out/modprobe.log")"
fi
# The guest does not autoload: CCMP needs ccm (and ctr on 6.1, where it is a module).
modprobe -a ctr ccm gcm cmac seqiv ghash_generic 2>/dev/null
wfd_hold_timeout 1000
phys=()
for p in /sys/class/ieee80211/*; do
	[ -e "$p/device/driver" ] && [ "$(basename "$(readlink -f "$p/device/driver")")" = mac80211_hwsim ] &&
		phys+=("$(basename "$p")")
done
[ ${#phys[@]} -ge 3 ] || skip_all "hwsim made ${#phys[@]} radios"
ifname_of() { local n=("/sys/class/ieee80211/$1/device/net/"*); basename "${n[0]}"; }
src_if=$(ifname_of "${phys[0]}")
tv_if=$(ifname_of "${phys[1]}")
phone_if=$(ifname_of "${phys[2]}")
for ns in tv phone; do
	ip netns del $ns 2>/dev/null
	ip netns add $ns
done
iw phy "${phys[1]}" set netns name tv
iw phy "${phys[2]}" set netns name phone
ip netns exec tv ip link set lo up
ip netns exec phone ip link set lo up

getent group netdev >/dev/null || groupadd -r netdev 2>/dev/null
common="p2p_listen_reg_class=81
p2p_oper_reg_class=81
p2p_oper_channel=6"
cat > "$run/src.conf" <<EOF
ctrl_interface=DIR=/run/wpa_supplicant GROUP=netdev
update_config=0
p2p_listen_channel=1
$common
EOF
cat > "$run/tv.conf" <<EOF
ctrl_interface=$run/tv-ctrl
p2p_listen_channel=6
$common
EOF
cat > "$run/phone.conf" <<EOF
ctrl_interface=$run/phone-ctrl
device_name=phone
device_type=10-0050F204-5
config_methods=virtual_push_button
p2p_listen_channel=11
$common
EOF
rm -rf /run/wpa_supplicant
wpa_supplicant -B -Dnl80211 -i "$src_if" -c "$run/src.conf" -P "$run/src.pid" -d -t \
	-f "$run/wpa-src.log"
ip netns exec tv wpa_supplicant -B -Dnl80211 -i "$tv_if" -c "$run/tv.conf" -g "$run/tv.global" \
	-P "$run/tv.pid" -d -t -f "$run/wpa-tv.log"
ip netns exec phone wpa_supplicant -B -Dnl80211 -i "$phone_if" -c "$run/phone.conf" \
	-g "$run/phone.global" -P "$run/phone.pid" -d -t -f "$run/wpa-phone.log"
for f in /run/wpa_supplicant/p2p-dev-$src_if "$run/tv.global" "$run/phone.global"; do
	for _ in $(seq 100); do [ -S "$f" ] && break; sleep 0.1; done
done
ip netns exec phone wpa_cli -g "$run/phone.global" p2p_listen 3600 >/dev/null
echo "# radios ${phys[*]}, supplicants up after $(since) s"

cleanup() {
	kill "$tv_pid" "$wfdd_pid" 2>/dev/null
	wait 2>/dev/null
	for f in src tv phone; do
		[ -f "$run/$f.pid" ] && kill "$(cat "$run/$f.pid")" 2>/dev/null
	done
	sleep 1
	cp "$run"/*.log "$out/" 2>/dev/null
	for ns in tv phone; do ip netns del $ns 2>/dev/null; done
	rmmod mac80211_hwsim 2>/dev/null
}
trap cleanup EXIT

dump() {
	for f in "$@"; do tail -n 15 "$out/$f" 2>/dev/null | sed "s/^/# $f: /"; done
}

# The TV: p2p_tv.py in its namespace, its files in $out/NAME, its log NAME.log.
start_tv() { # name args...
	local name=$1
	shift
	mkdir -p "$out/$name"
	ip netns exec tv /usr/bin/python3 "$tvpy" --ctrl "$run/tv.global" --dev "p2p-dev-$tv_if" \
		--dir "$out/$name" --sink "$sinkbin" --formats "$formats" "$@" > "$out/$name.log" 2>&1 &
	tv_pid=$!
	wait_grep "$out/$name.log" "ready" 1 60
}

start_wfdd() { # log args...
	local log=$1
	shift
	"$wfdd" --output 1 --bitrate 2000 --keepalive 2000 --keepalive-timeout 8000 -v "$@" \
		> "$out/$log" 2>&1 &
	wfdd_pid=$!
}

stop_wfdd() {
	kill -TERM "$wfdd_pid" 2>/dev/null
	wait "$wfdd_pid"
}

# The time stamp of the first line of the TV's log matching a pattern.
tv_time() { grep -m1 "$2" "$out/$1" | awk '{ print $2 }'; }
# "found sink ... after X s" and the like from wfdd's link process, the Nth.
link_secs() { grep "$2" "$out/$1" | sed -n "${3}p" | grep -o 'after [0-9.]* s' | awk '{ print $2 }'; }
diff_s() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "?"; else printf "%.1f", b - a }'; }

# Decoded frames of a cast (the TV's DIR and cast N) must be the pattern's
# (PSNR >= 25 dB) and move.  The last LAST frames are left out: the sink
# stops recording mid-frame when the session ends, or the TV leaves the
# group with a frame in the air.  A datagram lost on the (simulated) air
# damages the frames up to the IDR wfdd sends for it: up to one frame in
# twenty may be below the bound, no more.
frames_ok() { # dir cast last
	local frames line size=$((640 * 360 * 3))
	frames=$(mktemp -p /dev/shm wfd-frames.XXXXXX 2>/dev/null || mktemp)
	ffmpeg -nostdin -hide_banner -loglevel error -i "$out/$1/cast-$2.ts" -map 0:v \
		-fps_mode passthrough -f rawvideo -pix_fmt rgb24 -y "$frames" > "$out/$1/ffmpeg-$2.log" 2>&1
	truncate -s $(( ($(stat -c %s "$frames") / size - $3) * size )) "$frames" 2>/dev/null
	line=$("$top/tests/e2e/check_frames" "$frames" 640 360 25 | tail -n 1)
	rm -f "$frames"
	echo "# $1 cast $2: $line"
	# "check_frames: N frames, D distinct pattern frames, PSNR min .. mean .. dB, B below 25 dB"
	echo "$line" | awk '{ n = $2; d = $4; b = $(NF - 3) }
		END { exit !(n >= 10 && d > n / 4 && b * 20 <= n) }'
}

# One line of times for a cast: wfdd's log WLOG (its Nth attempt), the TV's log.
times() { # name wlog n tvlog cast
	local disc nego dhcp first
	disc=$(link_secs "$2" "found sink" "$3")
	nego=$(link_secs "$2" "(negotiation)" "$3")
	dhcp=$(diff_s "$(tv_time "$4" "cast $5: group .* started\|cast $5: .* asks to join")" \
		"$(tv_time "$4" "cast $5: address done")")
	first=$(diff_s "$(tv_time "$4" "cast $5: address done")" "$(tv_time "$4" "cast $5: first media")")
	echo "# times $1: discovery ${disc:-?} s, negotiation ${nego:-?} s, DHCP $dhcp s, RTSP to first media $first s"
}

# In the background: the wall time at which the connected output unplugs, into FILE.
watch_unplug() { # file
	local s seen=0 f=(/sys/class/drm/card*-Virtual-1/status)
	for _ in $(seq 2400); do
		read -r s < "${f[0]}"
		if [ "$s" = connected ]; then seen=1
		elif [ $seen = 1 ]; then echo "$EPOCHREALTIME" > "$1"; return; fi
		sleep 0.05
	done
}

caps_of() { grep -E '^Cap(Eff|Prm|Amb|Bnd):' "/proc/$1/status" | awk '{ print $2 }' | tr '\n' ' '; }

# ---- 1: wfdctl sinks ----
rc=0
start_tv tv-a --role client go --leave-after 12 0 --teardown-after 0 10 --casts $((smoke ? 1 : 2)) ||
	{ echo "# the TV did not start"; dump tv-a.log; rc=1; }
ts=$EPOCHREALTIME
"$wfdctl" sinks --all --json --timeout 20 > "$out/sinks.json" 2> "$out/sinks.err"
echo "# wfdctl sinks --all took $(diff_s "$ts" "$EPOCHREALTIME") s"
"$wfdctl" sinks --timeout 5 > "$out/sinks.txt" 2>> "$out/sinks.err"
sed 's/^/# /' "$out/sinks.txt"
/usr/bin/python3 - "$out/sinks.json" <<'EOF' || rc=1
import json, sys
every = {s['name']: s for s in json.load(open(sys.argv[1]))}
tv, phone = every.get('Living Room TV'), every.get('phone')
assert tv and tv['wfd'] and tv['device_type'] == 'primary sink' and tv['session_available'] \
    and tv['rtsp_port'] == 7236 and not tv['group_owner'], tv
assert phone and not phone['wfd'], ('the phone must be found, as not WFD', phone)
EOF
grep -q "^Living Room TV .* primary sink .* available .* 7236" "$out/sinks.txt" || rc=1
grep -q "phone" "$out/sinks.txt" && { echo "# the phone is listed as a sink"; rc=1; }
[ "$rc" -eq 0 ] || dump sinks.err sinks.json
result sinks_lists_the_tv_not_the_phone $rc

# ---- 2-3: wfdd as group owner; the TV leaves mid-stream ----
rc=0
"$top/tests/e2e/pattern_client" 120 > "$out/client-1.log" 2>&1 &
client=$!
start_wfdd wfdd-a.log --p2p "Living Room TV"
wait_status connected 180 || { echo "# the output never connected"; rc=1; }
grep -E "found sink|connecting|group .* started|address after|waiting for sink" "$out/wfdd-a.log" |
	sed 's/^/# /'
grep -q "this side GO" "$out/wfdd-a.log" || { echo "# wfdd was not the group owner"; rc=1; }
# The stream process holds nothing, the link process the network's three.
link_pid=$(pgrep -P "$wfdd_pid" -x wfdd | head -n 1)
echo "# capabilities (eff prm amb bnd): stream $(caps_of "$wfdd_pid"), link $(caps_of "$link_pid")"
[ "$(caps_of "$wfdd_pid")" = "0000000000000000 0000000000000000 0000000000000000 0000000000000000 " ] || rc=1
[ "$(caps_of "$link_pid" | cut -d' ' -f1-3)" = "0000000000003400 0000000000003400 0000000000003400" ] || rc=1
before=$(ending)
rm -f "$out/unplug-1"
watch_unplug "$out/unplug-1" &
wait_grep "$out/tv-a.log" "cast 1: leaves" 1 180 || { echo "# the TV never left"; rc=1; }
wait_status disconnected 30 || { echo "# output still $(status)"; rc=1; }
wait_ending "$before" 10
ending1=$(ending)
frames_ok tv-a 1 2 || rc=1
[ "$rc" -eq 0 ] || dump wfdd-a.log tv-a.log tv-a/sink-1.log
times wfdd_as_go wfdd-a.log 1 tv-a.log 1
result wfdd_as_group_owner $rc
rc=0
for _ in $(seq 50); do [ -s "$out/unplug-1" ] && break; sleep 0.1; done
t_leave=$(tv_time tv-a.log "cast 1: leaves")
unplug=$(diff_s "$t_leave" "$(cat "$out/unplug-1" 2>/dev/null)")
echo "# the TV left: unplugged $unplug s later"
echo "# $ending1"
echo "$ending1" | grep -q "status sink disconnect request (2) diag -100 " || rc=1
awk -v u="$unplug" 'BEGIN { exit !(u != "?" && u < 15) }' || { echo "# not within 15 s"; rc=1; }
grep -q "the sink .* left group" "$out/wfdd-a.log" || rc=1
[ "$rc" -eq 0 ] || dump wfdd-a.log
result tv_leaves_mid_stream $rc
kill "$client" 2>/dev/null
wait "$client" 2>/dev/null

if [ $smoke = 0 ]; then
	# ---- 4-5: a second cast from the same daemon, the TV as group owner ----
	rc=0
	"$top/tests/e2e/pattern_client" 120 > "$out/client-2.log" 2>&1 &
	client=$!
	before=$(ending)
	wait_grep "$out/tv-a.log" "cast 2: first media" 1 240 || { echo "# no second cast"; rc=1; }
	wait_grep "$out/tv-a.log" "cast 2: sink done" 1 120 || rc=1
	wait_status disconnected 30 || rc=1
	wait_ending "$before" 10
	grep -q "this side client" "$out/wfdd-a.log" || { echo "# the TV did not own the group"; rc=1; }
	grep -q "GO negotiation request" "$out/tv-a.log" || rc=1
	ending | grep -q "status sink disconnect request (2) diag 0 " || { ending | sed 's/^/# /'; rc=1; }
	frames_ok tv-a 2 1 || rc=1
	[ "$rc" -eq 0 ] || dump wfdd-a.log tv-a.log tv-a/sink-2.log
	times tv_as_go wfdd-a.log 2 tv-a.log 2
	result tv_as_group_owner $rc
	rc=0
	[ "$(grep -c "sink .* connected" "$out/wfdd-a.log")" -ge 2 ] || rc=1
	kill -0 "$wfdd_pid" 2>/dev/null || { echo "# wfdd is gone"; rc=1; }
	result second_cast_same_daemon $rc
	kill "$client" 2>/dev/null
	wait "$client" "$tv_pid" 2>/dev/null
	stop_wfdd
	wrc=$?

	# ---- 6: a TV that owns a persistent group: join ----
	rc=0
	[ "$wrc" -eq 0 ] || { echo "# wfdd exit status $wrc after SIGTERM"; }
	start_tv tv-b --persistent --teardown-after 10 --casts 1 || rc=1
	tv_mac=$(/usr/bin/python3 -c 'import json,sys; print([s["address"] for s in json.load(open(sys.argv[1])) if s["name"] == "Living Room TV"][0])' "$out/sinks.json")
	"$top/tests/e2e/pattern_client" 120 > "$out/client-3.log" 2>&1 &
	client=$!
	before=$(ending)
	start_wfdd wfdd-b.log --p2p "$tv_mac"
	wait_grep "$out/tv-b.log" "cast 1: sink done" 1 300 || { echo "# no cast"; rc=1; }
	wait_status disconnected 30 || rc=1
	wait_ending "$before" 10
	grep -E "found sink|connecting|group .* started" "$out/wfdd-b.log" | sed 's/^/# /'
	grep -q "by join" "$out/wfdd-b.log" || { echo "# wfdd did not join"; rc=1; }
	frames_ok tv-b 1 1 || rc=1
	[ "$rc" -eq 0 ] || dump wfdd-b.log tv-b.log tv-b/sink-1.log
	times persistent_go_join wfdd-b.log 1 tv-b.log 1
	result persistent_group_owner_join $rc
	kill "$client" 2>/dev/null
	stop_wfdd
	kill "$tv_pid" 2>/dev/null
	wait "$client" "$tv_pid" 2>/dev/null
	# The TV's persistent group goes with its agent.
	ip netns exec tv wpa_cli -g "$run/tv.global" p2p_group_remove '*' >/dev/null 2>&1
	ip netns exec tv wpa_cli -g "$run/tv.global" p2p_flush >/dev/null 2>&1
	wpa_cli -p /run/wpa_supplicant -i "p2p-dev-$src_if" p2p_flush >/dev/null 2>&1

	# ---- 7-8: no session available, listed so, not connected; then PIN ----
	rc=0
	rm -f "$run/available"
	start_tv tv-c --unavailable-until "$run/available" --pin "$pin" --role client \
		--teardown-after 10 --casts 1 || rc=1
	"$top/tests/e2e/pattern_client" 180 > "$out/client-4.log" 2>&1 &
	client=$!
	start_wfdd wfdd-c.log --p2p "Living Room TV" --p2p-method pin-display --p2p-pin "$pin"
	wait_grep "$out/wfdd-c.log" "has no session available" 1 120 ||
		{ echo "# wfdd did not see the busy TV"; rc=1; }
	# A find runs (wfdd's): wfdctl lists what it found, starts none.
	"$wfdctl" sinks --json --timeout 5 > "$out/sinks-busy.json" 2> "$out/sinks-busy.err"
	sed 's/^/# wfdctl: /' "$out/sinks-busy.err"
	grep -q "under way" "$out/sinks-busy.err" || { echo "# wfdctl started a find of its own"; rc=1; }
	/usr/bin/python3 -c 'import json,sys; tv = [s for s in json.load(open(sys.argv[1])) if s["name"] == "Living Room TV"]; assert tv and tv[0]["session_available"] is False, tv' \
		"$out/sinks-busy.json" || rc=1
	sleep 10
	if grep -q "group .* started" "$out/wfdd-c.log" || [ "$(status)" = connected ]; then
		echo "# wfdd connected to a TV with no session available"
		rc=1
	fi
	[ "$rc" -eq 0 ] || dump wfdd-c.log tv-c.log
	result session_not_available_not_connected $rc
	rc=0
	before=$(ending)
	touch "$run/available"
	wait_grep "$out/tv-c.log" "cast 1: sink done" 1 300 || { echo "# no cast"; rc=1; }
	wait_status disconnected 30 || rc=1
	wait_ending "$before" 10
	grep -E "found sink|connecting|PIN|group .* started" "$out/wfdd-c.log" | sed 's/^/# /'
	grep -q "by pin-display" "$out/wfdd-c.log" || rc=1
	grep -q "with $pin" "$out/tv-c.log" || rc=1
	frames_ok tv-c 1 1 || rc=1
	[ "$rc" -eq 0 ] || dump wfdd-c.log tv-c.log tv-c/sink-1.log
	times pin wfdd-c.log 1 tv-c.log 1
	result pin_display $rc
	kill "$client" 2>/dev/null
	wait "$client" "$tv_pid" 2>/dev/null

	# ---- 9: SIGTERM: nothing of wfdd's is left ----
	rc=0
	link_pid=$(pgrep -P "$wfdd_pid" -x wfdd | head -n 1)
	stop_wfdd || { echo "# wfdd exit status $?"; rc=1; }
	[ -n "$link_pid" ] && kill -0 "$link_pid" 2>/dev/null && { echo "# the link process is left"; rc=1; }
	pgrep -x dnsmasq >/dev/null && { echo "# dnsmasq left behind"; rc=1; }
	pgrep -x dhclient >/dev/null && { echo "# dhclient left behind"; rc=1; }
	for _ in $(seq 50); do
		ls /run/wpa_supplicant | grep -q "^p2p-$src_if-" || break
		sleep 0.1
	done
	ls /run/wpa_supplicant | grep -q "^p2p-$src_if-" && { echo "# a group left behind"; rc=1; }
	result sigterm_leaves_nothing_behind $rc

	# ---- 10: the first find gives up with what it found ----
	rc=0
	ip netns exec tv wpa_cli -g "$run/tv.global" p2p_listen 300 >/dev/null
	start_wfdd wfdd-d.log --p2p "Kitchen TV" --p2p-timeout 20
	wait "$wfdd_pid"
	wrc=$?
	grep "no sink" "$out/wfdd-d.log" | sed 's/^/# /'
	[ "$wrc" -eq 1 ] || { echo "# exit status $wrc"; rc=1; }
	grep -q 'no sink "Kitchen TV" found in 20 s; sinks in range: "Living Room TV"' "$out/wfdd-d.log" ||
		rc=1
	result not_found_lists_what_is_there $rc

	# ---- 11-12: NetworkManager owns the source's radio ----
	# A system bus, udev, wpa_supplicant as NetworkManager drives it (D-Bus)
	# and NetworkManager managing the source's interface only.
	rc=0
	kill "$(cat "$run/src.pid")" 2>/dev/null
	for _ in $(seq 50); do [ -S "/run/wpa_supplicant/p2p-dev-$src_if" ] || break; sleep 0.1; done
	rm -rf /run/wpa_supplicant
	mkdir -p /run/dbus /run/udev "$run/nm"
	dbus-daemon --system --fork 2> "$out/dbus.log"
	/lib/systemd/systemd-udevd --daemon 2> "$out/udevd.log"
	udevadm trigger --action=add --subsystem-match=net
	udevadm settle --timeout=60
	wpa_supplicant -B -u -s -O "DIR=/run/wpa_supplicant GROUP=netdev" -P "$run/src-dbus.pid" \
		-d -t -f "$run/wpa-src-nm.log"
	printf '%s\n' "[main]" "plugins=keyfile" "no-auto-default=*" "firewall-backend=none" \
		"[keyfile]" "path=$run/nm/connections" \
		"unmanaged-devices=except:interface-name:$src_if;except:interface-name:p2p-dev-$src_if" \
		"[logging]" "level=INFO" "domains=WIFI,DEVICE,CORE,IP4,DHCP4,SUPPLICANT" \
		> "$run/nm/NetworkManager.conf"
	NetworkManager --debug --config="$run/nm/NetworkManager.conf" > "$run/nm.log" 2>&1 &
	nm_pid=$!
	for _ in $(seq 120); do
		nmcli -t -f DEVICE,TYPE device 2>/dev/null | grep -q "^p2p-dev-$src_if:wifi-p2p" && break
		sleep 0.5
	done
	nmcli device 2>&1 | sed 's/^/# nmcli: /'
	start_tv tv-n --role go client --teardown-after 10 10 --casts 2 || rc=1
	"$wfdctl" sinks --p2p-backend nm --json --timeout 20 > "$out/sinks-nm.json" 2> "$out/sinks-nm.err"
	/usr/bin/python3 -c 'import json,sys; tv = [s for s in json.load(open(sys.argv[1])) if s["name"] == "Living Room TV"]; assert tv and tv[0]["session_available"] and tv[0]["rtsp_port"] == 7236, tv' \
		"$out/sinks-nm.json" || { echo "# the TV is not listed"; rc=1; }
	[ "$rc" -eq 0 ] || dump sinks-nm.err sinks-nm.json
	result nm_sinks $rc
	rc=0
	"$top/tests/e2e/pattern_client" 240 > "$out/client-5.log" 2>&1 &
	client=$!
	# No --p2p-backend: "auto" must see that NetworkManager owns the radio.
	start_wfdd wfdd-n.log --p2p "Living Room TV"
	end=$((SECONDS + 420))
	while [ "$SECONDS" -lt "$end" ]; do
		grep -q "cast 2: sink done" "$out/tv-n.log" && break
		kill -0 "$wfdd_pid" 2>/dev/null || { echo "# wfdd ended"; break; }
		sleep 2
	done
	grep -q "cast 2: sink done" "$out/tv-n.log" || { echo "# not two casts"; rc=1; }
	grep -q "with nm on" "$out/wfdd-n.log" ||
		{ echo "# auto did not pick the nm backend"; rc=1; }
	wait_status disconnected 30 || rc=1
	grep -E "found sink|connecting|group .* started|address after|waiting for sink" "$out/wfdd-n.log" |
		sed 's/^/# /'
	grep -q "this side client" "$out/wfdd-n.log" || { echo "# not client of the TV's group"; rc=1; }
	grep -q "this side GO" "$out/wfdd-n.log" || { echo "# not owner of the group"; rc=1; }
	frames_ok tv-n 1 1 || rc=1
	frames_ok tv-n 2 1 || rc=1
	[ "$rc" -eq 0 ] || { dump wfdd-n.log tv-n.log; tail -n 30 "$run/nm.log" | sed 's/^/# nm: /'; }
	times nm_tv_as_go wfdd-n.log 1 tv-n.log 1
	times nm_wfdd_as_go wfdd-n.log 2 tv-n.log 2
	stop_wfdd
	kill "$client" "$tv_pid" 2>/dev/null
	wait "$client" "$tv_pid" 2>/dev/null
	result nm_casts_both_roles $rc
	kill "$nm_pid" "$(cat "$run/src-dbus.pid" 2>/dev/null)" 2>/dev/null
	wait "$nm_pid" 2>/dev/null
	udevadm control --exit 2>/dev/null
	kill "$(cat /run/dbus/pid 2>/dev/null)" 2>/dev/null
else
	kill "$tv_pid" 2>/dev/null
	wait "$tv_pid" 2>/dev/null
	# ---- 4: SIGTERM ----
	rc=0
	stop_wfdd || { echo "# wfdd exit status $?"; rc=1; }
	pgrep -x dnsmasq >/dev/null && { echo "# dnsmasq left behind"; rc=1; }
	result sigterm_leaves_nothing_behind $rc
fi
echo "# whole P2P run: $(since) s"
exit $fail
