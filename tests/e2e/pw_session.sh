# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# A user session of its own for the sound tests, sourced: a private
# runtime directory and session bus, PipeWire, WirePlumber and
# pipewire-pulse, logging into $out.  pw_session_start returns non-zero
# if PipeWire does not answer; pw_session_stop ends them.

pw_wait_file() { # file seconds
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

pw_session_start() {
	local d
	# WirePlumber's logind module (loaded for Bluetooth) fails, and
	# WirePlumber with it, where logind's directories are missing (the
	# test VM's /run is a fresh tmpfs).
	for d in seats sessions users machines; do
		[ -d "/run/systemd/$d" ] || mkdir -p "/run/systemd/$d"
	done
	export XDG_RUNTIME_DIR=/run/wfd-audio-user
	rm -rf "$XDG_RUNTIME_DIR"
	mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
	# (No process substitution: the test VM has no /dev/fd.)
	local bus
	bus=$(dbus-daemon --session --fork --print-address=1 --print-pid=1) || return 1
	DBUS_SESSION_BUS_ADDRESS=${bus%%$'\n'*}
	pw_dbus_pid=${bus##*$'\n'}
	export DBUS_SESSION_BUS_ADDRESS
	pipewire > "$out/pipewire.log" 2>&1 &
	pw_pid=$!
	pw_wait_file "$XDG_RUNTIME_DIR/pipewire-0" 30 || return 1
	pw-cli info 0 > /dev/null 2>&1
	# Under emulation WirePlumber has been seen to lose its connection to
	# PipeWire while it starts (and exit): keep one running.
	(
		while :; do
			WIREPLUMBER_DEBUG=${WIREPLUMBER_DEBUG:-3} wireplumber &
			echo $! > "$XDG_RUNTIME_DIR/wireplumber.pid"
			wait $!
			echo "pw_session: wireplumber exited ($?), starting it again"
			sleep 1
		done
	) >> "$out/wireplumber.log" 2>&1 &
	pw_wp_pid=$!
	pipewire-pulse > "$out/pipewire-pulse.log" 2>&1 &
	pw_pp_pid=$!
	pw_wait_file "$XDG_RUNTIME_DIR/pulse/native" 30 || return 1
	pw-cli info 0 > /dev/null 2>&1
}

pw_session_stop() {
	# The keeper first, then the WirePlumber it runs.
	kill -KILL "$pw_wp_pid" 2> /dev/null
	kill "$(cat "$XDG_RUNTIME_DIR/wireplumber.pid" 2> /dev/null)" 2> /dev/null
	kill "$pw_pp_pid" "$pw_pid" "$pw_dbus_pid" 2> /dev/null
	wait "$pw_pp_pid" "$pw_wp_pid" "$pw_pid" 2> /dev/null
	return 0
}
