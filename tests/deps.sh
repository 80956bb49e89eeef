#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install, as root on Debian 12, the packages the build and the test VMs
# need.  Does nothing when they are all there.
set -euo pipefail

pkgs=(
	build-essential pkg-config kmod cpio xz-utils zstd
	dwarves sparse
	qemu-system-x86 busybox-static
	libdrm-dev meson ninja-build
	libx264-dev libopenh264-dev libyuv-dev libavcodec-dev libavutil-dev ffmpeg
	libevdi0-dev valgrind python3
	libva-dev gstreamer1.0-tools gstreamer1.0-plugins-bad gstreamer1.0-libav
	weston wayland-utils udev libwayland-dev wayland-protocols
	clang
	# sound: the PipeWire sink (libpipewire) and its in-VM test (a user session)
	libpipewire-0.3-dev libspa-0.2-dev pipewire pipewire-bin wireplumber pipewire-pulse
	pipewire-alsa pulseaudio-utils alsa-utils dbus
	# Wi-Fi Direct: the link step and its in-VM test (simulated radios)
	wpasupplicant dnsmasq-base isc-dhcp-client iw libsystemd-dev network-manager
	# make check-debug builds a debug kernel from Debian's sources
	flex bison bc libelf-dev libssl-dev
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The VM rig picks kernels with apt-cache: make sure the lists exist.
if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
	apt-get update -q
fi
# libFuzzer (make fuzz) ships in the runtime package of clang's version,
# which clang only recommends.
rt=libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev
if ! dpkg-query -W -f '${Status}' "$rt" 2>/dev/null | grep -q 'install ok installed'; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$rt"
fi
