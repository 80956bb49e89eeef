#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The in-VM test suite, run by tests/run-all.sh through tests/vm/run.sh with
# wfd.ko loaded.  Each program prints flat KTAP; this prints one
# "# suite: NAME" line before each.
top=$(cd "$(dirname "$0")/../.." && pwd)
rc=0
modprobe vgem || echo "# vgem.ko did not load: PRIME tests will skip"
# The sound tests' tone: present at its level here (TCG starves PipeWire's
# graph; make check-audio asserts it strictly, see tests/e2e/audio.sh).
export AUDIO_TONE=${AUDIO_TONE:-present}
# The compositor scenario takes minutes under emulation: one kernel runs it,
# every kernel with --full (make check-full; make demo runs it too).
weston=()
case "$(uname -r) ${1:-}" in
*-wfd-debug" "*) ;;
6.12.*|*" --full") weston=("$top/tests/e2e/weston.sh") ;;
esac
tests=("$top/tests/selftests/wfd_kms" "$top/tests/selftests/wfd_session" \
       "$top/tests/selftests/wfd_hold_race" \
       "$top/build/userspace-release/wfdd/test-vaprobe" \
       "$top/build/userspace-release/wfdd/test-fallback" \
       "$top/build/userspace-release/wfdd/test-vaapi-fake" \
       "$top/tests/e2e/stream.sh" "$top/tests/e2e/wfd-session.sh" \
       "$top/tests/e2e/two-outputs.sh" \
       "$top/tests/e2e/wfdctl.sh" "$top/tests/e2e/audio.sh" "$top/tests/e2e/lipsync.sh" \
       "${weston[@]}" \
       "$top/tests/e2e/p2p.sh" \
       "$top/tests/selftests/wfd_load.sh")
# p2p.sh runs every Wi-Fi Direct case on 6.12 and a smoke case on other
# kernels, all in this one boot.
# make check-debug: the kernel's own tests and the session end to end,
# which is what the debug kernel's checks are for (TCG with KASAN is slow).
if [ "${1:-}" = --debug ]; then
	tests=("$top/tests/selftests/wfd_kms" "$top/tests/selftests/wfd_session" \
	       "$top/tests/selftests/wfd_hold_race" "$top/tests/e2e/wfd-session.sh" "$top/tests/selftests/wfd_load.sh")
fi
for t in "${tests[@]}"; do
	echo "# suite: $(basename "$t")"
	"$t" || rc=1
done
exit $rc
