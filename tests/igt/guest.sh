#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside the test VM (started by tests/igt/run.sh through tests/vm/run.sh):
# bring up one KMS driver and run every subtest of a test list with IGT,
# one process per subtest, each under a time limit.
#
# Usage: guest.sh --driver wfd|vkms --igt-dir DIR --list FILE
#                 [--timeout SEC] [--skips FILE] [--vkms-ko PATH]
#                 [--vkms-params "..."]
# Subtests listed in the skips file (test@subtest lines, each after a
# "# reason" line) are not run on this driver: they are known to take the
# whole VM down there.
#
# Results go to $WFD_OUT (the directory shared with the host):
#   results.tsv   subtest <TAB> result <TAB> exit code <TAB> seconds <TAB> detail
#                 (appended to: the host may run the rest of a list in a
#                 new VM when one hangs)
#   current       the subtest under way
#   logs/SUBTEST.log, logs/SUBTEST.dmesg   IGT's output and the kernel log
#   info.txt      driver, kernel, IGT version, connector states
#   done          written once the whole list has run
# result is one of pass, skip, fail, timeout, crash, notrun (IGT refused
# the subtest name or the binary is missing) or dmesg-warn (the subtest
# passed or skipped but the kernel logged a warning meanwhile).
set -uo pipefail

driver="" igt="" list="" limit=60 skips="" vkms_ko="" vkms_params=""
while [ $# -gt 0 ]; do
	case "$1" in
	--driver) driver=$2; shift 2 ;;
	--igt-dir) igt=$2; shift 2 ;;
	--list) list=$2; shift 2 ;;
	--timeout) limit=$2; shift 2 ;;
	--skips) skips=$2; shift 2 ;;
	--vkms-ko) vkms_ko=$2; shift 2 ;;
	--vkms-params) vkms_params=$2; shift 2 ;;
	*) echo "igt-guest: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
out=${WFD_OUT:?igt-guest: WFD_OUT is not set (run me through tests/vm/run.sh)}
if [ -z "$driver" ] || [ ! -d "$igt" ] || [ ! -f "$list" ]; then
	echo "igt-guest: need --driver, --igt-dir and --list" >&2
	exit 2
fi

log() { echo "igt-guest[$driver]: $*"; }

mkdir -p "$out/logs"
rm -f "$out/done"

case "$driver" in
wfd)
	# tests/vm/guest.sh loaded wfd.ko.  Its connectors stay disconnected
	# until forced on.
	for s in /sys/class/drm/card*-Virtual-*/status; do
		[ -e "$s" ] && echo on > "$s"
	done
	;;
vkms)
	[ -f "$vkms_ko" ] || { log "no vkms.ko ($vkms_ko)"; exit 1; }
	# shellcheck disable=SC2046
	modprobe -a $(modinfo -F depends "$vkms_ko" | tr , ' ') || exit 1
	# shellcheck disable=SC2086
	insmod "$vkms_ko" $vkms_params || { log "insmod vkms.ko failed"; exit 1; }
	;;
*)
	log "unknown driver"; exit 2 ;;
esac
# Let the hotplug settle (fbdev emulation, connector probing).
sleep 2

{
	echo "driver: $driver"
	echo "kernel: $(uname -r)"
	[ "$driver" = vkms ] && echo "vkms parameters: ${vkms_params:-none}"
	for c in /sys/class/drm/card*/device/driver; do
		[ -e "$c" ] && echo "$(basename "$(dirname "$(dirname "$c")")"): $(basename "$(readlink "$c")")"
	done
	for s in /sys/class/drm/card*-*/status; do
		[ -e "$s" ] && echo "$(basename "$(dirname "$s")"): $(cat "$s")"
	done
} > "$out/info.txt"
cat "$out/info.txt"

# Kernel log lines that make a subtest suspect, as the VM harness sees them.
bad='WARNING:|BUG:|Oops|general protection|Call Trace|blocked for more than|UBSAN'

# A line or two of IGT's output saying why a subtest skipped, failed or
# crashed (the debug dump that follows a failure is left out).
detail() { # logfile
	awk '
	function keep(l) { buf[++n] = l }
	/^\*\*\*\* DEBUG \*\*\*\*/ { dbg = 1; next }
	/^\*\*\*\*  END  \*\*\*\*/ { dbg = 0; next }
	dbg || /-DEBUG: / { next }
	/^Starting subtest: / { n = 0; msg = 0; next }
	{ sub(/^\([^)]*\) /, ""); sub(/^[A-Za-z0-9_]+-CRITICAL: /, "CRITICAL: ") }
	/^CRITICAL: Test assertion failure function/ { next }
	/^CRITICAL: / {
		# An ioctl number spelled out by the preprocessor.
		if (match($0, /\(\(\(2U\|1U\) <<.*<< \(\(0\+8\)\+8\)\)\)\)/)) {
			nr = substr($0, RSTART, RLENGTH)
			sub(/.*\(\(\(0x/, "0x", nr); sub(/\).*/, "", nr)
			$0 = substr($0, 1, RSTART - 1) "DRM_IOCTL(" nr ")" substr($0, RSTART + RLENGTH)
		}
		keep($0); next
	}
	/^(Received signal|Unknown subtest|Unknown dynamic subtest|No dynamic tests executed)/ { keep($0); next }
	/^Test requirement: / { keep($0); msg = 1; next }
	msg && $0 != "" && !/^(Subtest|Dynamic subtest|Test requirement|Starting|Last errno)/ { keep($0) }
	{ msg = 0 }
	END { for (i = 1; i <= n; i++) print buf[i] }' "$1" |
		awk '!seen[$0]++' | head -n 3 | paste -sd '|' | tr '\t' ' ' | cut -c1-240
}

total=$(grep -cEv '^[[:space:]]*(#|$)' "$list")
n=0
while read -r entry; do
	entry=${entry%%#*}
	entry=$(echo "$entry" | tr -d '[:space:]')
	[ -n "$entry" ] || continue
	n=$((n + 1))
	IFS=@ read -r test sub dyn <<< "$entry"
	args=()
	[ -n "$sub" ] && args+=(--run-subtest "$sub")
	[ -n "$dyn" ] && args+=(--dynamic-subtest "$dyn")
	logf="$out/logs/$entry.log"
	dm="$out/logs/$entry.dmesg"

	skip_why=""
	[ -z "$skips" ] || skip_why=$(awk -v e="$entry" '
		/^[[:space:]]*#/ { sub(/^[[:space:]]*#[[:space:]]*/, ""); r = $0; next }
		{ gsub(/[[:space:]]/, "") }
		$0 == e { print (r == "" ? "listed" : r); exit }' "$skips")
	if [ -n "$skip_why" ]; then
		echo "not run: $skip_why" > "$logf"
		printf '%s\tnotrun\t-\t0\tnot run on %s: %s\n' "$entry" "$driver" "$skip_why" >> "$out/results.tsv"
		log "[$n/$total] $entry: notrun ($(basename "$skips"))"
		continue
	fi
	if [ ! -x "$igt/$test" ]; then
		echo "no IGT binary $igt/$test" > "$logf"
		printf '%s\tnotrun\t-\t0\tno binary %s\n' "$entry" "$test" >> "$out/results.tsv"
		log "[$n/$total] $entry: notrun (no binary)"
		continue
	fi

	echo "$entry" > "$out/current"
	nk=$(dmesg | wc -l)
	echo "[IGT-RUN] $entry" > /dev/kmsg
	t0=$(date +%s%N)
	IGT_FORCE_DRIVER=$driver timeout -k 10 "$limit" "$igt/$test" "${args[@]}" \
		> "$logf" 2>&1 < /dev/null
	rc=$?
	t1=$(date +%s%N)
	dmesg | tail -n +"$((nk + 1))" > "$dm"
	secs=$(( (t1 - t0) / 1000000 ))
	secs=$(printf '%d.%03d' $((secs / 1000)) $((secs % 1000)))

	case $rc in
	0) res=pass ;;
	77) res=skip ;;
	78|124|137) res=timeout ;;
	79) res=notrun ;;
	129|1[3-9][0-9]|2[0-5][0-9]) res=crash ;;
	*) res=fail ;;
	esac
	if grep -qE "$bad" "$dm"; then
		case $res in pass|skip) res=dmesg-warn ;; esac
	fi
	why=""
	case $res in
	pass) ;;
	timeout) why="no result within ${limit}s" ;;
	dmesg-warn) why=$(grep -m1 -E "$bad" "$dm" | sed 's/^\[[ 0-9.]*\] //' | cut -c1-200) ;;
	*) why=$(detail "$logf") ;;
	esac
	printf '%s\t%s\t%s\t%s\t%s\n' "$entry" "$res" "$rc" "$secs" "$why" >> "$out/results.tsv"
	log "[$n/$total] $entry: $res (${secs}s)"
	# A subtest must not leave the next one without a device.
	if [ "$driver" = wfd ] && ! ls /sys/class/drm/card*-Virtual-* > /dev/null 2>&1; then
		log "the wfd device is gone; stopping"
		break
	fi
done < "$list"

igt_version=$(cat "$out"/logs/*.log 2> /dev/null | awk '/^IGT-Version:/ { print; exit }')
echo "igt: ${igt_version:-unknown}" >> "$out/info.txt"
rm -f "$out/current"
date > "$out/done"
exit 0
