#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make fuzz-kernel, inside the test VM (tests/vm/run.sh): reload wfd with
# FUZZ_OUTPUTS outputs (default 2) so that claims and commits of several
# threads meet, load vgem for PRIME, then run wfd_ioctl_fuzz
#   1. as root for FUZZ_MINUTES (default 2),
#   2. without capabilities for a quarter of that (at least 30 s): CLAIM
#      must fail with EACCES there, and claim fds passed by a privileged
#      parent over SCM_RIGHTS must work.
# FUZZ_SEED (default: the time) seeds phase 1, FUZZ_SEED + 1000 phase 2;
# FUZZ_THREADS threads (default 4).  With FUZZ_REPLAY=TRACE, only that
# trace is replayed.  Traces go to $WFD_OUT.  KTAP: one result per phase,
# the fuzzer's own output nested.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fuzz=$top/build/fuzz-kernel/wfd_ioctl_fuzz
minutes=${FUZZ_MINUTES:-2}
seed=${FUZZ_SEED:-$(date +%s)}
threads=${FUZZ_THREADS:-4}
outputs=${FUZZ_OUTPUTS:-2}
replay=${FUZZ_REPLAY:-}
out=${WFD_OUT:-/tmp}

[ -x "$fuzz" ] || { echo "run-in-vm.sh: $fuzz is not built (make -C tests/fuzz)" >&2; exit 2; }

modprobe vgem 2>/dev/null || echo "# vgem did not load: no vgem PRIME"
if [ -n "${WFD_KO:-}" ] && [ "$(cat /sys/module/wfd/parameters/outputs 2>/dev/null)" != "$outputs" ]; then
	rmmod wfd 2>/dev/null
	insmod "$WFD_KO" outputs="$outputs" || { echo "run-in-vm.sh: insmod wfd outputs=$outputs failed" >&2; exit 2; }
fi
# The card node appears asynchronously after insmod.
for _ in $(seq 50); do
	ls /dev/dri/card* >/dev/null 2>&1 && break
	sleep 0.1
done

n=0 rc=0
phase() { # name fuzzer-args...
	local name=$1 prc
	shift
	n=$((n + 1))
	"$fuzz" "$@" 2>&1 | sed 's/^/    /'
	prc=${PIPESTATUS[0]}
	if [ "$prc" -eq 0 ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		rc=1
	fi
}

echo "KTAP version 1"
if [ -n "$replay" ]; then
	echo "1..1"
	phase fuzz_replay --replay "$replay" --trace "$out/fuzz-replay.txt"
	exit $rc
fi
nocaps_seconds=$((minutes * 15))
[ "$nocaps_seconds" -ge 30 ] || nocaps_seconds=30
echo "1..2"
echo "# seed $seed, $threads threads, $minutes min as root, $nocaps_seconds s without capabilities"
phase fuzz_root --seed "$seed" --threads "$threads" --minutes "$minutes" \
	--trace "$out/fuzz-trace.txt"
phase fuzz_nocaps --nocaps --seed "$((seed + 1000))" --threads "$threads" \
	--seconds "$nocaps_seconds" --trace "$out/fuzz-trace-nocaps.txt"
exit $rc
