#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: the benchmarks of Documentation/performance.rst, in the test
# VM (tests/vm/run.sh), once per Debian kernel series, then the tables.
#
# Usage: run.sh [SERIES...]     (6.1, 6.12; default both)
# Environment: QUICK=1 (two pipeline points, shorter runs), BENCH_SECONDS
# (measured window of a pipeline point, default 6), BENCH_REPEATS (runs of
# each point, default 3: medians and ranges), BENCH_PARTS (what to run,
# default "kernel pipeline idle evdi sound callgrind").
# WFDD: the wfdd to measure (default: built here in build/bench-release).
# BENCH_OUT: where results go (default bench-out): BENCH_OUT/ABI/ (raw
# logs), BENCH_OUT/ABI/results.{txt,csv,json}, BENCH_OUT/callgrind/ and
# BENCH_OUT/summary.txt.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
log() { echo "bench: $*" >&2; }
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12)
for k in "${kernels[@]}"; do
	case "$k" in 6.1|6.12) ;; *) log "unsupported kernel series '$k' (6.1 or 6.12)"; exit 2 ;; esac
done

bash "$top/tests/deps.sh" >&2
if [ -z "${WFDD:-}" ]; then
	bld=$top/build/bench-release
	[ -d "$bld" ] || meson setup --buildtype=release "$bld" "$top/userspace" >&2
	ninja -C "$bld" >&2
	WFDD=$bld/wfdd/wfdd
fi
make -s -C "$top/tests/bench" >&2
make -s -C "$top/tests/e2e" wfd_testsink pattern_client check_audio av_flash >&2

outdir=${BENCH_OUT:-$top/bench-out}
parts=" ${BENCH_PARTS:-kernel pipeline idle evdi sound callgrind} "
mkdir -p "$outdir"
# The VM shares it by its absolute path (a relative one lost the results).
outdir=$(cd "$outdir" && pwd)
status=0
for series in "${kernels[@]}"; do
	kdir=$(bash "$top/tests/vm/fetch-kernel.sh" "$series")
	abi=$(cat "$kdir/abi")
	out=$outdir/$abi
	rm -rf "$out"
	mkdir -p "$out"
	vkms=$(bash "$top/tests/vm/build-vkms.sh" "$series") || { log "$abi: no vkms"; vkms=""; }
	evdi=""
	# evdi 1.12 builds against 6.1 only.
	if [ "$series" = 6.1 ]; then
		evdi=$(bash "$top/tests/bench/build-evdi.sh" "$series") || { log "$abi: no evdi"; evdi=""; }
	fi
	log "== $abi"
	start=$(date +%s)
	# The guest runs a copy, which edits of the tree during the run cannot reach.
	cp "$top/tests/bench/guest.sh" "$out/guest.sh"
	if ! WFD_VM_OUT=$out nice "$top/tests/vm/run.sh" --kernel "$series" --timeout 14400 -- \
		env QUICK="${QUICK:-0}" BENCH_SECONDS="${BENCH_SECONDS:-6}" \
		BENCH_REPEATS="${BENCH_REPEATS:-3}" BENCH_PARTS="$parts" VKMS_KO="$vkms" \
		EVDI_KO="$evdi" WFDD="$WFDD" BENCH_TOP="$top" bash "$out/guest.sh" \
		> "$out/console.log" 2>&1; then
		log "$abi: the VM run failed (see $out/console.log)"
		status=1
	fi
	echo "vm_seconds $(( $(date +%s) - start ))" >> "$out/info.txt"
	echo "debian_version $(cat "$kdir/version")" >> "$out/info.txt"
	python3 "$top/tests/bench/analyze.py" "$out" || status=1
done
if [[ "$parts" == *" callgrind "* ]]; then
	bash "$top/tests/bench/callgrind.sh" "$outdir/callgrind" > /dev/null || status=1
fi
{
	python3 "$top/tests/bench/analyze.py" --summary "$outdir" "${kernels[@]}"
	# (Only with the callgrind part.)
	cat "$outdir/callgrind/results.txt" 2> /dev/null || true
} | tee "$outdir/summary.txt"
exit $status
