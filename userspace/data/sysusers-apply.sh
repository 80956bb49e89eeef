#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# meson install script: create the wfd group from the sysusers.d file $1
# (its absolute path) right away, so that the udev rule and wfdd@.service
# find it.  Not into a staging tree (DESTDIR): the package runs
# systemd-sysusers when it is installed.  Without root or without
# systemd-sysusers, say what to run instead.
[ -n "$DESTDIR" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v systemd-sysusers >/dev/null 2>&1; then
	echo "wfd: run 'systemd-sysusers $1' as root to create the wfd group"
	exit 0
fi
exec systemd-sysusers "$1"
