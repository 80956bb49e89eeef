#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make fuzz-coverage: line coverage of the protocol files by the fuzz
# corpus (the committed seeds and what make fuzz found since), one line
# per file; fails when a file is below MIN percent (default 80).
#
# usage: coverage.sh COVERAGE_BINARY OUT_DIR CORPUS_DIR...
set -euo pipefail

bin=$1 out=$2
shift 2
min=${MIN:-80}
top=$(cd "$(dirname "$0")/../../../.." && pwd)
files=("$top/userspace/wfdd/wfd_source.c" "$top/userspace/wfdd/rtsp.c" "$top/userspace/wfdd/wfdparams.c")

mkdir -p "$out"
rm -f "$out"/*.profraw
inputs=$(find "$@" -type f | wc -l)
LLVM_PROFILE_FILE="$out/%p.profraw" "$bin" -runs=0 "$@" > "$out/run.log" 2>&1
llvm-profdata merge -sparse "$out"/*.profraw -o "$out/wfd.profdata"
llvm-cov report "$bin" -instr-profile="$out/wfd.profdata" "${files[@]}" > "$out/report.txt"
echo "fuzz-coverage: $inputs inputs (lines covered, of lines; functions)"
# llvm-cov's columns: file, regions (3), functions (3), lines (3), branches (3).
awk -v min="$min" '
	$1 ~ /\.c$/ {
		name = $1; sub(/.*\//, "", name)
		cover = $10; sub(/%/, "", cover)
		printf "  %-14s %6.2f%% of %4d lines  %s of functions\n", name, cover, $8, $7
		if (cover + 0 < min) { low = 1 }
	}
	END { exit low }' "$out/report.txt" || { echo "fuzz-coverage: a file is below $min%"; exit 1; }
