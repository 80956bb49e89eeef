#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run a command inside a QEMU (TCG) VM booting one of Debian's kernels, with
# wfd.ko built for it and loaded.
#
# Usage: run.sh [options] [--] COMMAND...
#   --kernel SERIES   6.1 (default) or 6.12; 6.12-debug is the debug kernel
#                     tests/vm/build-debug-kernel.sh builds (lockdep, KASAN...)
#   --params "..."    wfd module parameters (default: none)
#   --no-load         do not load wfd.ko (the command loads it itself)
#   --append "..."    extra kernel command line
#   --timeout SEC     whole VM run (default 900)
#   --mem MB          guest memory (default 2048)
#
# The guest sees the host's / read-only over 9p with a tmpfs overlay, so the
# command runs with the host's programs and paths; the current directory is
# kept.  WFD_VM_OUT (default build/vm-out/ABI) is shared writable at the same
# path.  Inside, WFD_KO is the module's path and WFD_ABI the kernel release.
#
# The exit status is the command's.  The run fails (status 125) when the
# kernel logs a WARN, BUG, oops or hung task, or when the VM never reports
# a status (crash or timeout).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
series=6.1 params="" load=1 append="" timeout=900 mem=2048
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) series=$2; shift 2 ;;
	--params) params=$2; shift 2 ;;
	--no-load) load=0; shift ;;
	--append) append=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: run.sh [options] -- COMMAND..." >&2; exit 2; }

case "$series" in
*-debug)
	kdir=$(bash "$top/tests/vm/build-debug-kernel.sh" "${series%-debug}")
	# ACPI's interpreter, with lockdep and KASAN under TCG, runs each
	# device's _PRT into its 30 s loop timeout: route PCI interrupts from
	# the BIOS tables instead.  TCG's "-cpu max" has 5-level paging, and
	# an interrupt that comes early in such a boot trips KASAN (a wild
	# access before the shadow of the 5-level direct map is set up), which
	# taints the kernel and turns lockdep off for the whole run: boot
	# with 4-level paging, as most machines do.
	append="pci=noacpi no5lvl $append" ;;
*) kdir=$(bash "$top/tests/vm/fetch-kernel.sh" "$series") ;;
esac
abi=$(cat "$kdir/abi")
root="$kdir/root"
hdr="$root/usr/src/linux-headers-$abi"

make -s -C "$top" module KDIR="$hdr" >&2
ko="$top/build/kmod-$abi/wfd.ko"

out=${WFD_VM_OUT:-$top/build/vm-out/$abi}
mkdir -p "$out"
rm -f "$out/rc" "$out/dmesg"

# Initramfs: busybox and the modules needed to reach the host's root.
initrd="$top/build/vm/initramfs-$abi.cpio.gz"
# It carries a copy of guest.sh, which the guest runs from its own tmpfs:
# bash reads a script as it goes, so the tree's copy may be edited while a
# VM runs.
if [ ! -f "$initrd" ] || [ "$initrd" -ot "$0" ] ||
   [ "$initrd" -ot "$top/tests/vm/guest.sh" ]; then
	stage=$(mktemp -d)
	mkdir -p "$stage"/{bin,mods,proc,sys,dev,host,rw,newroot}
	cp /bin/busybox "$stage/bin/"
	cp "$top/tests/vm/guest.sh" "$stage/guest.sh"
	for t in sh mount mkdir insmod switch_root cat cp echo poweroff; do
		ln -s busybox "$stage/bin/$t"
	done
	n=0
	for m in virtio_pci 9pnet_virtio 9p overlay; do
		modprobe -d "$root" -S "$abi" --show-depends "$m" |
			sed -n 's/^insmod \([^ ]*\).*/\1/p'
	done | awk '!seen[$0]++' | while read -r f; do
		n=$((n + 1))
		dst=$(printf '%s/mods/%02d-%s' "$stage" "$n" "$(basename "${f%.xz}")")
		dst=${dst%.zst}
		case "$f" in
		*.xz) xz -dc "$f" > "$dst" ;;
		*.zst) zstd -qdc "$f" > "$dst" ;;
		*) cp "$f" "$dst" ;;
		esac
	done
	cat > "$stage/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /mods/*.ko; do insmod "\$m"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 host /host
mount -t tmpfs -o size=1g rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work root /newroot
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
cp /guest.sh /newroot/.wfd-guest.sh
exec switch_root /newroot /bin/bash /.wfd-guest.sh
INIT
	chmod +x "$stage/init"
	mkdir -p "$(dirname "$initrd")"
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	rm -rf "$stage"
fi

# What the guest runs, with the environment it needs.
{
	printf 'export WFD_ABI=%q WFD_KO=%q WFD_LOAD=%q WFD_OUT=%q\n' \
		"$abi" "$ko" "$load" "$out"
	printf 'export WFD_PARAMS=%q WFD_KMODS=%q\n' "$params" "$root/lib/modules"
	printf 'export WFD_DEBUG_KERNEL=%q\n' "$([ "${series%-debug}" != "$series" ] && echo 1)"
} > "$out/env.sh"
{
	printf 'cd %q || exit 125\n' "$PWD"
	printf '%q ' "$@"
	echo
} > "$out/cmd.sh"

accel=(-accel tcg -cpu max)
set +e
timeout --foreground "$timeout" qemu-system-x86_64 "${accel[@]}" -m "$mem" -smp 2 \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$root/boot/vmlinuz-$abi" -initrd "$initrd" \
	-append "console=ttyS0 quiet loglevel=4 panic=-1 no_timer_check WFD_VM_OUT=$out $append" \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$out,mount_tag=out,security_model=none" \
	-device virtio-rng-pci
qrc=$?
set -e

if [ ! -f "$out/rc" ]; then
	echo "run.sh: the VM ended without a status (qemu exit $qrc)" >&2
	exit 125
fi
exec_rc=$(cat "$out/rc")
exit "$exec_rc"
