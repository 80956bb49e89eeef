#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run a curated list of IGT subtests on wfd and, for comparison, on vkms,
# inside the test VM (tests/vm/run.sh), once per Debian kernel series.
#
# Usage: run.sh [options] [SERIES...]        (SERIES: 6.1, 6.12; default both)
#   --igt-dir DIR   IGT test binaries (default: $IGT_DIR); DIR or DIR/tests
#                   must hold kms_atomic etc.
#   --list FILE     test list, one test@subtest a line (default wfd.testlist)
#   --fails FILE    expected failures of wfd (default wfd-fails.txt)
#   --timeout SEC   time limit of one subtest (default 60)
#   --driver NAME   run one driver only (wfd or vkms); no comparison
#   -h, --help      this text
# Environment: VKMS_PARAMS (default "enable_cursor=1 enable_writeback=1
# enable_overlay=1") are vkms' module parameters.
#
# vkms is built out of tree from Debian's linux-source package of the very
# version of the kernel image under test, and cached in .vm-cache/vkms-ABI.
# Results: build/igt-out/ABI/{results.txt,results.csv,summary.txt} and, per
# driver, build/igt-out/ABI/DRIVER/ (results.tsv, logs/, dmesg).
# The exit status is 0 when every kernel ran to the end and every subtest
# that passes on vkms either passes on wfd or is listed in the expected
# failures with the status wfd showed.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/igt
igt_dir=${IGT_DIR:-}
list=$here/wfd.testlist
fails=$here/wfd-fails.txt
limit=60
only=""
vkms_params=${VKMS_PARAMS-enable_cursor=1 enable_writeback=1 enable_overlay=1}

usage() { sed -n '4,25s/^# \{0,1\}//p' "$0"; }
die() { echo "igt: $*" >&2; exit 2; }
log() { echo "igt: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--igt-dir) igt_dir=${2:?}; shift 2 ;;
	--list) list=${2:?}; shift 2 ;;
	--fails) fails=${2:?}; shift 2 ;;
	--timeout) limit=${2:?}; shift 2 ;;
	--driver) only=${2:?}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) usage >&2; die "unknown option '$1'" ;;
	*) break ;;
	esac
done
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12)
for k in "${kernels[@]}"; do
	case "$k" in 6.1|6.12) ;; *) die "unsupported kernel series '$k' (6.1 or 6.12)" ;; esac
done
case "$only" in ""|wfd|vkms) ;; *) die "--driver must be wfd or vkms" ;; esac
[[ "$limit" =~ ^[0-9]+$ ]] || die "--timeout needs seconds"

[ -n "$igt_dir" ] || { usage >&2; die "no IGT binaries: pass IGT_DIR=DIR (make igt IGT_DIR=DIR) or --igt-dir DIR"; }
[ -d "$igt_dir" ] || die "IGT_DIR '$igt_dir' is not a directory"
igt_dir=$(cd "$igt_dir" && pwd)
if [ ! -x "$igt_dir/kms_atomic" ] && [ -x "$igt_dir/tests/kms_atomic" ]; then
	igt_dir=$igt_dir/tests
fi
[ -f "$list" ] || die "no test list '$list'"
[ -f "$fails" ] || die "no expected failures file '$fails'"
list=$(cd "$(dirname "$list")" && pwd)/$(basename "$list")

entries=$(grep -Ev '^[[:space:]]*(#|$)' "$list" | sed 's/[[:space:]#].*//')
nentries=$(echo "$entries" | wc -l)
missing=$(echo "$entries" | cut -d@ -f1 | sort -u | while read -r t; do
	[ -x "$igt_dir/$t" ] || echo "$t"
done)
[ "$(echo "$entries" | cut -d@ -f1 | sort -u | wc -l)" -gt "$(echo "$missing" | grep -c .)" ] ||
	die "none of the list's IGT binaries is in $igt_dir"
[ -z "$missing" ] || log "warning: not in $igt_dir (reported as notrun): $(echo "$missing" | paste -sd ' ')"
if [ -x "$igt_dir/igt_runner" ] || [ -x "$igt_dir/../runner/igt_runner" ]; then
	log "(igt_runner is there, but each subtest runs on its own here, so that every one gets its own time limit and kernel log)"
fi

# What this script and tests/vm/run.sh need on a fresh machine.
need() {
	local p missing=()
	for p in "$@"; do
		dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
}
need qemu-system-x86 cpio xz-utils zstd kmod make gcc-12 libc6-dev libelf-dev
[ -x /bin/busybox ] || need busybox

# build_vkms SERIES KDIR: prints the path of vkms.ko for that kernel.
build_vkms() {
	bash "$top/tests/vm/build-vkms.sh" "$1"
}

# The expected failures as TSV: subtest, status, reason, kernel series
# (an optional third field of a line: the series it applies to, e.g. "6.12").
expected=$(awk '
	/^[[:space:]]*#/ { sub(/^[[:space:]]*#[[:space:]]*/, ""); reason = $0; next }
	/^[[:space:]]*$/ { reason = ""; next }
	{
		n = split($0, f, ",")
		gsub(/[[:space:]]/, "", f[1]); gsub(/[[:space:]]/, "", f[2])
		print f[1] "\t" f[2] "\t" reason "\t" (n > 2 ? f[3] : "")
	}' "$fails")

# merge ABI DIR: writes results.txt, results.csv and summary.txt, prints
# the summary, and returns 1 on an unexpected difference.
merge() {
	local abi=$1 dir=$2 series=$3
	printf '%s\n' "$expected" > "$dir/.expected.tsv"
	echo "$entries" > "$dir/.entries"
	local res=() d
	for d in wfd vkms; do
		[ ! -f "$dir/$d/results.tsv" ] || res+=("$dir/$d/results.tsv")
	done
	awk -F'\t' -v dir="$dir" -v series="$series" -v only="$only" \
		-v header="$(cat "$dir/.header")" '
	function st(r) {	# drm/ci spelling of a result
		if (r == "pass") return "Pass"
		if (r == "fail") return "Fail"
		if (r == "skip") return "Skip"
		if (r == "timeout") return "Timeout"
		if (r == "crash") return "Crash"
		if (r == "dmesg-warn") return "Warn"
		if (r == "hang") return "Hang"
		return "NotRun"
	}
	function bad(r) { return r != "pass" && r != "skip" }
	function csv(s) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
	function applies(k,	n, i, a) {	# does an expectation for series k apply?
		if (k ~ /^[[:space:]]*$/) return 1
		n = split(k, a, /[[:space:]]+/)
		for (i = 1; i <= n; i++) if (a[i] == series) return 1
		return 0
	}
	FILENAME == dir "/.expected.tsv" {
		if ($1 != "" && applies($4)) { xst[$1] = $2; xwhy[$1] = $3 }
		next
	}
	FILENAME == dir "/wfd/results.tsv" { w[$1] = $2; ws[$1] = $4; wd[$1] = $5; next }
	FILENAME == dir "/vkms/results.tsv" { v[$1] = $2; vs[$1] = $4; vd[$1] = $5; next }
	FILENAME == dir "/.entries" { order[++n] = $1; next }
	END {
		txt = dir "/results.txt"; out = dir "/results.csv"; sum = dir "/summary.txt"
		print header > txt
		printf "%-58s %-10s %-10s %s\n", "SUBTEST", "WFD", "VKMS", "NOTE" > txt
		print "subtest,wfd,vkms,wfd_seconds,vkms_seconds,verdict,reason,wfd_detail,vkms_detail" > out
		for (i = 1; i <= n; i++)
			inlist[order[i]] = 1
		for (t in xst)
			if (!(t in inlist))
				stl[++ns] = sprintf("  %-58s %s", t, "listed in the expected failures, but not in the test list")
		for (i = 1; i <= n; i++) {
			t = order[i]
			a = (t in w) ? w[t] : (only == "vkms" ? "-" : "notrun")
			b = (t in v) ? v[t] : (only == "wfd" ? "-" : "notrun")
			cw[a]++; cv[b]++
			verdict = ""; reason = ""; note = ""
			if (t in xst) reason = xwhy[t]
			if (only != "") {
				verdict = ""
			} else if (b == "pass" && a != "pass") {
				if ((t in xst) && xst[t] == st(a)) {
					verdict = "expected"; note = "expected: " reason
				} else if (t in xst) {
					verdict = "mismatch"; unexp++
					note = "MISMATCH: expected " xst[t] ", got " st(a) " (" reason ")"
				} else {
					verdict = "unexpected"; unexp++
					note = "UNEXPECTED: not in the expected failures; " wd[t]
				}
				diff[++nd] = sprintf("  %-58s wfd %-10s %s", t, a, note)
			} else if ((t in xst) && a == "pass") {
				verdict = "stale"
				note = "STALE: listed as " xst[t] ", but passes on wfd"
				stl[++ns] = sprintf("  %-58s %s", t, note)
			} else if (t in xst) {
				verdict = "listed"
				note = "listed as " xst[t] "; vkms " b " on this kernel"
			} else if (a == "pass" && b != "pass") {
				verdict = "wfd-only"
			}
			if (verdict == "" && bad(a) && a != "-") note = wd[t]
			printf "%-58s %-10s %-10s %s\n", t, a, b, note > txt
			print csv(t) "," a "," b "," ws[t] "," vs[t] "," verdict "," csv(reason) "," csv(wd[t]) "," csv(vd[t]) > out
		}
		print header > sum
		for (d = 1; d <= 2; d++) {
			name = d == 1 ? "wfd" : "vkms"
			if (only != "" && only != name) continue
			if (d == 1) { p = cw["pass"]; s = cw["skip"]; f = n - p - s }
			else        { p = cv["pass"]; s = cv["skip"]; f = n - p - s }
			printf "  %-5s %3d pass, %3d fail, %3d skip (of %d)\n", name, p, f, s, n > sum
		}
		if (only == "") {
			printf "passes on vkms but not on wfd (%d):\n", nd > sum
			for (i = 1; i <= nd; i++) print diff[i] > sum
			if (ns) {
				printf "expected failures that did not happen (%d):\n", ns > sum
				for (i = 1; i <= ns; i++) print stl[i] > sum
			}
			printf "unexpected differences: %d\n", unexp + 0 > sum
		}
		close(sum)
		exit unexp ? 1 : 0
	}' "$dir/.expected.tsv" "$dir/.entries" "${res[@]}"
}

# The processes under PID, deepest last.
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1"); do
		echo "$c"
		descendants "$c"
	done
}

# run_driver SERIES DIR DRIVER: run the list on one driver in the VM, the
# results going to DIR.  When the guest shows no progress for longer than a
# subtest may take, it is taken as hung: the VM is stopped, the subtest under
# way is recorded as "hang" (as "crash" when the VM died by itself), and the
# rest of the list goes on in a new VM, up to $max_boots boots.  Notes for
# the report are added to vm_notes; returns 1 on a problem with wfd.
run_driver() {
	local series=$1 d=$2 drv=$3 boot=0 rc=0 vmpid last size now cur what bad=0
	local vmargs gargs p
	rm -rf "${d:?}"
	mkdir -p "$d/logs"
	# The guest reads copies, which edits of the tree during the run
	# cannot reach.
	cp "$here/guest.sh" "$d/guest.sh"
	: > "$d/results.tsv"
	: > "$d/console.log"
	vmargs=(--kernel "$series" --timeout "$vm_timeout")
	gargs=(--driver "$drv" --igt-dir "$igt_dir" --list "$d/testlist" --timeout "$limit")
	if [ "$drv" = vkms ]; then
		vmargs+=(--no-load)
		gargs+=(--vkms-ko "$vkms_ko" --vkms-params "$vkms_params")
	fi
	if [ -f "$here/$drv-skips.txt" ]; then
		cp "$here/$drv-skips.txt" "$d/skips.txt"
		gargs+=(--skips "$d/skips.txt")
	fi
	while :; do
		# What is left of the list.
		echo "$entries" > "$d/testlist.all"
		awk -F'\t' -v r="$d/results.tsv" 'FILENAME == r { seen[$1] = 1; next } !($1 in seen)' \
			"$d/results.tsv" "$d/testlist.all" > "$d/testlist"
		[ -s "$d/testlist" ] || break
		boot=$((boot + 1))
		if [ "$boot" -gt "$max_boots" ]; then
			vm_notes+=("$drv: gave up after $max_boots VM boots; $(wc -l < "$d/testlist") subtests not run")
			bad=1
			break
		fi
		[ "$boot" -eq 1 ] || log "$drv: going on in a new VM with $(wc -l < "$d/testlist") subtests"
		rm -f "$d/done" "$d/current"
		size=$(stat -c %s "$d/console.log")
		WFD_VM_OUT=$d bash "$top/tests/vm/run.sh" "${vmargs[@]}" -- \
			bash "$d/guest.sh" "${gargs[@]}" >> "$d/console.log" 2>&1 &
		vmpid=$!
		tail -c +"$((size + 1))" -f --pid="$vmpid" "$d/console.log" &
		what=""
		last=$(date +%s)
		while kill -0 "$vmpid" 2> /dev/null; do
			sleep 5
			now=$(date +%s)
			if [ "$(stat -c %s "$d/console.log")" != "$size" ]; then
				size=$(stat -c %s "$d/console.log")
				last=$now
			elif [ $((now - last)) -gt "$stall" ]; then
				log "$drv: no output from the VM for ${stall}s: taking it as hung, stopping it"
				what=hang
				for p in $(descendants "$vmpid"); do
					case "$(ps -o comm= -p "$p" 2> /dev/null)" in
					qemu-system*) kill "$p" 2> /dev/null ;;
					esac
				done
				break
			fi
		done
		set +e
		wait "$vmpid"
		rc=$?
		set -e
		wait 2> /dev/null || true	# the tail
		for p in dmesg dmesg.bad; do
			[ ! -f "$d/$p" ] || mv "$d/$p" "$d/$p.boot$boot"
		done
		[ ! -f "$d/done" ] || break
		cur=$(cat "$d/current" 2> /dev/null || true)
		if [ -n "$cur" ]; then
			if [ "$what" = hang ]; then
				printf '%s\thang\t-\t-\tthe guest hung during this subtest (no output for %ss); see console.log\n' \
					"$cur" "$stall" >> "$d/results.tsv"
			else
				printf '%s\tcrash\t-\t-\tthe VM died during this subtest (exit %s); see console.log\n' \
					"$cur" "$rc" >> "$d/results.tsv"
			fi
			vm_notes+=("$drv: the VM $([ "$what" = hang ] && echo hung || echo died) during $cur (boot $boot)")
		else
			vm_notes+=("$drv: the VM ended early (exit $rc, boot $boot)")
		fi
		bad=1
	done
	if cat "$d"/dmesg.bad.boot* 2> /dev/null | grep -q .; then
		vm_notes+=("$drv: the kernel logged warnings (see $d/dmesg.bad.boot*)")
		bad=1
	elif [ "$bad" -eq 0 ] && [ "$rc" -ne 0 ]; then
		vm_notes+=("$drv: the list ran, but the VM ended badly (exit $rc, see $d/console.log)")
		bad=1
	fi
	rm -f "$d/current"
	[ "$bad" -eq 0 ] || [ "$drv" != wfd ]
}

drivers=(wfd vkms)
[ -z "$only" ] || drivers=("$only")
status=0
vm_timeout=$((nentries * (limit + 20) + 600))
stall=$((limit + 120))	# no output for this long: the guest is hung
max_boots=4
for series in "${kernels[@]}"; do
	start=$(date +%s)
	kdir=$(bash "$top/tests/vm/fetch-kernel.sh" "$series")
	abi=$(cat "$kdir/abi")
	dir=$top/build/igt-out/$abi
	mkdir -p "$dir"
	rm -f "$dir"/results.* "$dir/summary.txt"
	vkms_ko=""
	if [[ " ${drivers[*]} " == *" vkms "* ]]; then
		vkms_ko=$(build_vkms "$series" "$kdir") || { status=1; continue; }
	fi
	vm_notes=()
	for drv in "${drivers[@]}"; do
		log "== $abi: $drv, $nentries subtests"
		run_driver "$series" "$dir/$drv" "$drv" || status=1
	done
	igtv=$(sed -n 's/^igt: //p' "$dir/${drivers[0]}/info.txt" 2> /dev/null | head -n1)
	{
		echo "# IGT on ${drivers[*]}, kernel $abi (Debian $(cat "$kdir/version")); ${igtv:-IGT version unknown}"
		[ -z "$vkms_ko" ] || echo "# vkms parameters: ${vkms_params:-none}"
		for n in "${vm_notes[@]+"${vm_notes[@]}"}"; do echo "# $n"; done
		echo "# time: $(( $(date +%s) - start )) s"
	} > "$dir/.header"
	merge "$abi" "$dir" "$series" || status=1
	rm -f "$dir/.header" "$dir/.expected.tsv" "$dir/.entries"
	[ -f "$dir/summary.txt" ] || { log "$abi: no summary"; status=1; continue; }
	echo
	cat "$dir/results.txt"
	echo
	cat "$dir/summary.txt"
	log "results in $dir"
done
exit $status
