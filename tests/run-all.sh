#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: build the tests, run the in-VM suite on each kernel series
# given (default 6.1 6.12; 6.12-debug is the debug kernel, which runs the
# kernel and session tests only), and end with one line
#   N passed, N failed, N skipped
# counted over every KTAP result.  A VM that dies or a kernel WARN counts
# as a failure.  Exits non-zero on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12)
logdir="$top/build/check"
mkdir -p "$logdir"
pass=0 fail=0 skip=0
start=$(date +%s)

# Count KTAP results; a result the plan announced but that never came
# (a test program that crashed) is a failure.
count() { # log
	local p f s
	read -r p f s < <(awk '
		/^KTAP version/ { missing += planned - seen; planned = 0; seen = 0 }
		/^1\.\.[0-9]+/ { planned = substr($0, 4) + 0 }
		/^ok [0-9]+ .*# SKIP/ { s++; seen++; next }
		/^ok [0-9]+ / { p++; seen++ }
		/^not ok [0-9]+ / { f++; seen++ }
		END { missing += planned - seen; print p + 0, f + missing, s + 0 }' "$1")
	pass=$((pass + p)) skip=$((skip + s)) fail=$((fail + f))
	echo "$1: $p passed, $f failed, $s skipped"
}

# Native user-space unit tests, under ASan/UBSan.
ubuild="$top/build/userspace-check"
if { [ -d "$ubuild" ] || meson setup -Db_sanitize=address,undefined "$ubuild" "$top/userspace" >/dev/null; } &&
   meson test -C "$ubuild" --print-errorlogs > "$logdir/unit.log" 2>&1; then
	:
fi
cat "$logdir/unit.log"
read -r uok ufail < <(awk '/^Ok:/ { ok = $2 } /^Fail:/ { f = $2 } END { print ok + 0, f + 0 }' "$logdir/unit.log")
if [ "$uok" -eq 0 ] && [ "$ufail" -eq 0 ]; then
	echo "the user-space unit tests did not run"
	ufail=1
fi
pass=$((pass + uok)) fail=$((fail + ufail))
echo "unit tests: $uok passed, $ufail failed"

# Native build of the in-VM tests (the VM runs the host's binaries).
rbuild="$top/build/userspace-release"
if ! { { [ -d "$rbuild" ] || meson setup --buildtype=release "$rbuild" "$top/userspace" >/dev/null; } &&
       ninja -C "$rbuild" >/dev/null && make -s -C "$top/tests/e2e" all &&
       make -s -C "$top/tests/selftests" all; }; then
	echo "building the selftests failed"
	fail=$((fail + 1))
fi

for k in "${kernels[@]}"; do
	log="$logdir/vm-$k.log"
	echo "=== in-VM tests on Debian $k"
	# The compositor scenario (tests/e2e/weston.sh) alone takes up to
	# 15 minutes on a busy host.
	suite_opt=${WFD_CHECK_FULL:+--full}
	case "$k" in *-debug) suite_opt=--debug ;; esac
	"$top/tests/vm/run.sh" --kernel "$k" --timeout 3600 -- "$top/tests/vm/suite.sh" $suite_opt 2>&1 |
		tee "$log"
	vmrc=${PIPESTATUS[0]}
	count "$log"
	if [ "$vmrc" -eq 125 ]; then
		echo "not ok: VM on $k ended badly (kernel warning, crash or timeout)"
		fail=$((fail + 1))
	fi
done

echo "check took $(( $(date +%s) - start )) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
