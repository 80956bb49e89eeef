#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The hardening of a built program, read from its ELF headers: PIE, full
# RELRO (BIND_NOW), the stack protector, and, with "fortify", calls to
# the C library's checked functions (_FORTIFY_SOURCE).
#
# usage: check-hardening.sh PROGRAM fortify|no-fortify
exe=$1
fail=0
say() { echo "$exe: $*"; fail=1; }
readelf -hW "$exe" | grep -Eq 'Type: +DYN' || say "not PIE"
readelf -lW "$exe" | grep -q GNU_RELRO || say "no RELRO segment"
readelf -dW "$exe" | grep -Eq 'BIND_NOW|FLAGS_1.* NOW' || say "not BIND_NOW (partial RELRO)"
syms=$(readelf --dyn-syms -W "$exe")
echo "$syms" | grep -q ' __stack_chk_fail' || say "no stack protector"
if [ "$2" = fortify ]; then
	n=$(echo "$syms" | grep -Ec ' __[a-z0-9_]+_chk(@|$)')
	[ "$n" -gt 0 ] || say "no fortified call"
	echo "$exe: $n fortified calls"
fi
[ $fail = 0 ] && echo "$exe: PIE, full RELRO, stack protector"
exit $fail
