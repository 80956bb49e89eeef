# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers shared by the in-VM end-to-end scripts; sourced, after which a
# script may redefine any of them.

# shellcheck disable=SC2034  # the sourcing script reads fail
n=0 fail=0
# result NAME RC: the next KTAP result line.
result() { n=$((n + 1)); if [ "$2" -eq 0 ]; then echo "ok $n $1"; else echo "not ok $n $1"; fail=1; fi; }

# The connector status of wfd's first output (vgem has no connectors).
status() { local s; read -r s < /sys/class/drm/card*-Virtual-1/status; echo "$s"; }

# wait_status WANT SECONDS: until status says WANT.
wait_status() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(status)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# wfd_state KEY: the last line of wfd's debugfs state that starts with KEY.
wfd_state() { cat /sys/kernel/debug/dri/*/wfd_state 2>/dev/null | grep "^$1" | tail -n 1; }
# How the last session of output 1 ended.
ending() { wfd_state output1.ending; }

# wait_udp_bound PORT SECONDS: until a socket is bound to UDP PORT.
# Receivers start slowly under emulation, and a sender whose datagrams
# find the port closed for 3 s gets ECONNREFUSED long enough to end its
# session.
wait_udp_bound() {
	local hex i
	hex=$(printf ':%04X' "$1")
	for ((i = 0; i < $2 * 10; i++)); do
		awk -v p="$hex" '$2 ~ p "$" { found = 1 } END { exit !found }' /proc/net/udp &&
			return 0
		sleep 0.1
	done
	return 1
}

# wait_grep FILE PATTERN COUNT SECONDS: until FILE has COUNT lines matching
# the extended regular expression PATTERN.
# (Seconds of wall clock: under a loaded emulator each round takes far
# longer than its sleep.)
wait_grep() {
	local c end=$((SECONDS + $4))
	while :; do
		c=$(grep -cE "$2" "$1" 2>/dev/null)
		[ "${c:-0}" -ge "$3" ] && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}
# wait_ending BEFORE SECONDS: until the kernel records a new session ending.
wait_ending() {
	for _ in $(seq $(($2 * 5))); do
		[ "$(ending)" != "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# hold_timeout_ms is read once at load: reload wfd with MS when it differs.
# Under emulation a conversion can outlast the default 200 ms hold; the
# longest hold the driver takes is 1000 ms.  Call before any client opens
# the card.
wfd_hold_timeout() { # ms
	local p=/sys/module/wfd/parameters/hold_timeout_ms
	[ "$(cat "$p" 2>/dev/null)" = "$1" ] && return 0
	# shellcheck disable=SC2086
	rmmod wfd && insmod "$WFD_KO" $WFD_PARAMS hold_timeout_ms="$1"
}
