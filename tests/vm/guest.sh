#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# PID 1 of the test VM (see run.sh): prepares the system, loads wfd.ko,
# runs the command, checks the kernel log and powers off.  The VM's only
# output channel besides the console is the shared directory $WFD_VM_OUT.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

# /tmp stays the host's (under the writable overlay): the tree under test
# may live there.
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p "$WFD_VM_OUT"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out "$WFD_VM_OUT"
# shellcheck source=/dev/null
. "$WFD_VM_OUT/env.sh"
ip link set lo up 2>/dev/null
hostname wfd-vm

# A debug kernel's kmemleak: what leaked before the tests is not theirs.
kmemleak=/sys/kernel/debug/kmemleak
if [ -n "$WFD_DEBUG_KERNEL" ] && [ -w "$kmemleak" ]; then
	echo scan > "$kmemleak"
	echo clear > "$kmemleak"
fi

# Leaks since the start, reported like the kernel's other findings.
kmemleak_report() {
	[ -n "$WFD_DEBUG_KERNEL" ] && [ -w "$kmemleak" ] || return 0
	# Objects must be unreferenced over two scans, a few seconds apart.
	echo scan > "$kmemleak"
	sleep 5
	echo scan > "$kmemleak"
	if grep -q unreferenced "$kmemleak"; then
		echo "kmemleak: BUG: memory leak" > /dev/kmsg
		cat "$kmemleak" > "$WFD_OUT/kmemleak"
		head -n 40 "$WFD_OUT/kmemleak"
	fi
}

finish() {
	local rc=$1
	kmemleak_report
	dmesg > "$WFD_OUT/dmesg"
	if grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace|blocked for more than|UBSAN|do not call blocking ops|possible recursive locking|circular locking|KASAN|Disabling lock debugging' \
		"$WFD_OUT/dmesg" > "$WFD_OUT/dmesg.bad"; then
		echo "vm: the kernel reported a problem:"
		cat "$WFD_OUT/dmesg.bad"
		[ "$rc" -ne 0 ] || rc=125
	fi
	echo "$rc" > "$WFD_OUT/rc"
	sync
	echo o > /proc/sysrq-trigger
	# The shared root may be gone before sleep runs: nothing to report then.
	sleep 10 2> /dev/null
}

# The kernel's modules (modules.dep was made on the host by fetch-kernel.sh).
mkdir -p /lib/modules
mount --bind "$WFD_KMODS" /lib/modules

# wfd-load [PARAMS...]: load wfd.ko and the modules it needs.
wfd_load() {
	# shellcheck disable=SC2046
	modprobe -a $(modinfo -F depends "$WFD_KO" | tr , ' ') &&
		insmod "$WFD_KO" "$@"
}

if [ "$WFD_LOAD" = 1 ]; then
	# shellcheck disable=SC2086
	if ! wfd_load $WFD_PARAMS; then
		echo "vm: loading wfd.ko failed"
		finish 125
	fi
fi

bash "$WFD_OUT/cmd.sh"
finish $?
