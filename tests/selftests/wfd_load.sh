#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Load/unload cycles of wfd.ko with different output counts; bad parameters
# are refused; the wfd_session tests that need other parameters, each as
# one result here.  KTAP output.  Needs WFD_KO (set by tests/vm/run.sh)
# and ends with wfd loaded with one output.
ko=${WFD_KO:?WFD_KO is not set}
dir=$(cd "$(dirname "$0")" && pwd)
n=0 fail=0
result() { # name rc
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then echo "ok $n $1"; else echo "not ok $n $1"; fail=1; fi
}
connectors() {
	ls -d /sys/class/drm/card*-Virtual-* 2>/dev/null | wc -l
}
# session_tests NAME...: run those wfd_session tests on the loaded module;
# their KTAP goes into comments.  Fails unless every one passed.
session_tests() {
	local out r t
	out=$("$dir/wfd_session" "$@" 2>&1)
	r=$?
	echo "$out" | sed 's/^/# /'
	[ "$r" -eq 0 ] || return 1
	for t in "$@"; do
		echo "$out" | grep -qx "ok [0-9]* $t" || return 1
	done
}

echo "KTAP version 1"
echo "1..6"

rc=0
rmmod wfd 2>/dev/null
for i in 1 2 3 4 5 6 7 8 1 8; do
	insmod "$ko" outputs=$i || { rc=1; echo "# insmod outputs=$i failed"; break; }
	got=$(connectors)
	[ "$got" -eq "$i" ] || { rc=1; echo "# outputs=$i: $got connectors"; }
	rmmod wfd || { rc=1; echo "# rmmod failed"; break; }
done
result load_unload_cycles $rc

rc=0
for bad in outputs=0 outputs=9 outputs=-1; do
	if insmod "$ko" $bad 2>/dev/null; then
		rc=1; echo "# insmod $bad was accepted"; rmmod wfd
	fi
done
result bad_parameters_refused $rc

rc=0
# fbdev emulation sets up its framebuffer once an output is connected.
insmod "$ko" fbdev=1 outputs=2 || rc=1
[ -e /dev/fb0 ] && { echo "# fbdev=1: /dev/fb0 before any output connected"; rc=1; }
echo on > "$(ls -d /sys/class/drm/card*-Virtual-1)/status"
for _ in $(seq 50); do [ -e /dev/fb0 ] && break; sleep 0.1; done
grep -q wfd /sys/class/graphics/fb0/name 2>/dev/null ||
	{ echo "# fbdev=1: no wfd framebuffer after connect"; rc=1; }
rmmod wfd || rc=1
[ "$rc" -eq 0 ] && { [ ! -e /dev/fb0 ] || { echo "# /dev/fb0 stays after unload"; rc=1; }; }
result fbdev_emulation $rc

rc=0
# One daemon thread serving two outputs lit by one commit.
if insmod "$ko" outputs=2; then
	session_tests two_outputs_one_commit || rc=1
	rmmod wfd || rc=1
else
	rc=1
fi
result two_outputs_one_commit $rc

rc=0
# hold_timeout_ms is read at load: taken out of range (clamped), never
# writable, and the holds follow another value.
param=/sys/module/wfd/parameters/hold_timeout_ms
for v in 1 5000; do
	if insmod "$ko" hold_timeout_ms=$v; then
		echo "# hold_timeout_ms=$v: reads $(cat $param), mode $(stat -c %a $param)"
		[ "$(stat -c %a $param)" = 444 ] || rc=1
		rmmod wfd || rc=1
	else
		echo "# insmod hold_timeout_ms=$v failed"; rc=1
	fi
done
if insmod "$ko" hold_timeout_ms=600; then
	[ "$(cat $param)" = 600 ] || rc=1
	session_tests hold_blocks_retiring_flip commit_never_waits_on_daemon || rc=1
	rmmod wfd || rc=1
else
	rc=1
fi
result hold_timeout_param $rc

rc=0
insmod "$ko" || rc=1
[ "$(cat /sys/module/wfd/refcnt)" -eq 0 ] || rc=1
[ ! -e /dev/fb0 ] || { echo "# fbdev is on by default"; rc=1; }
result reload_clean $rc

exit $fail
