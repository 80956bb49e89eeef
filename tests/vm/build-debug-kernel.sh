#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build a debug kernel for the test VM from Debian's linux-source package of
# the very version of the image tests/vm/fetch-kernel.sh fetched: a small
# VM configuration (what the rig and the tests load, nothing else) with
# lockdep (which also checks the dma-fence signalling annotations),
# DEBUG_ATOMIC_SLEEP, KASAN, UBSAN, kmemleak, debug objects, PROVE_RCU and
# DRM_DEBUG_MODESET_LOCK.
#
# The build takes long (most of an hour on 2 cores), so it is cached
# outside the clone, keyed by the source version, and built once per
# machine: WFD_DEBUG_KERNEL_CACHE, default /var/cache/wfd/debug-kernel.
#
# Usage: build-debug-kernel.sh SERIES     (6.12)
# Prints the path of the tree, laid out as fetch-kernel.sh's:
#   root/boot/vmlinuz-ABI, root/lib/modules/ABI, root/usr/src/linux-headers-ABI
#   (the build tree itself), abi, version
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
series=${1:?usage: build-debug-kernel.sh SERIES}
cache=${WFD_DEBUG_KERNEL_CACHE:-/var/cache/wfd/debug-kernel}
log() { echo "build-debug-kernel: $*" >&2; }

kdir=$(bash "$top/tests/vm/fetch-kernel.sh" "$series")
version=$(cat "$kdir/version")
dir=$cache/$version
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

# One build at a time: a second caller waits for the first.
mkdir -p "$cache"
exec 9> "$cache/.lock"
flock 9
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

log "building a debug $series kernel from linux-source-$series $version in $dir"
start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir/root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
	"linux-source-$series=$version" >&2); then
	log "cannot download linux-source-$series=$version (apt-get update? is the version still in the archive?)"
	exit 1
fi
dpkg-deb --fsys-tarfile "$tmp"/linux-source-"$series"_*.deb |
	tar -xO "./usr/src/linux-source-$series.tar.xz" | xz -dc | tar -x -C "$dir"
src=$dir/linux-source-$series

# The configuration: x86_64 defconfig and the kernel's own KVM guest
# fragment (virtio), then what the rig and the tests need, then the
# debug options.  Built in: what the initramfs would otherwise load.
cat > "$tmp/wfd.config" <<'EOF'
CONFIG_LOCALVERSION="-wfd-debug"
CONFIG_LOCALVERSION_AUTO=n
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_EXPERT=y
CONFIG_MODULE_SIG=n
CONFIG_DEBUG_INFO_NONE=y
CONFIG_DEBUG_INFO_BTF=n
CONFIG_BLK_DEV_INITRD=y
CONFIG_RD_GZIP=y
CONFIG_DEVTMPFS=y
CONFIG_TMPFS=y
CONFIG_TMPFS_POSIX_ACL=y
CONFIG_OVERLAY_FS=y
CONFIG_NET_9P=y
CONFIG_NET_9P_VIRTIO=y
CONFIG_9P_FS=y
CONFIG_9P_FS_POSIX_ACL=y
CONFIG_VIRTIO_PCI=y
CONFIG_HW_RANDOM_VIRTIO=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_UNIX=y
CONFIG_INET=y
CONFIG_IPV6=y
CONFIG_NAMESPACES=y
CONFIG_NET_NS=y
CONFIG_USER_NS=y
CONFIG_VETH=m
CONFIG_PACKET=y
CONFIG_INPUT_EVDEV=y
CONFIG_INPUT_UINPUT=m
CONFIG_SYNC_FILE=y
CONFIG_SW_SYNC=y
CONFIG_UDMABUF=y
CONFIG_DMABUF_HEAPS=y
CONFIG_DRM=m
CONFIG_DRM_FBDEV_EMULATION=y
CONFIG_DRM_VGEM=m
CONFIG_DRM_VKMS=m
CONFIG_DRM_BOCHS=n
CONFIG_DRM_VIRTIO_GPU=n
CONFIG_DRM_I915=n
CONFIG_FB=y
CONFIG_SOUND=m
CONFIG_SND=m
CONFIG_SND_ALOOP=m
CONFIG_WLAN=y
CONFIG_CFG80211=m
CONFIG_MAC80211=m
CONFIG_MAC80211_HWSIM=m
CONFIG_CRYPTO_CCM=m
CONFIG_CRYPTO_GCM=y
CONFIG_CRYPTO_CMAC=m
CONFIG_CRYPTO_AES=y
CONFIG_CRYPTO_ARC4=m
CONFIG_CRYPTO_SHA256=y
CONFIG_CRYPTO_USER_API_SKCIPHER=m
CONFIG_CRYPTO_USER_API_HASH=m
CONFIG_RFKILL=m
CONFIG_DEBUG_FS=y
CONFIG_DEBUG_KERNEL=y
CONFIG_FAULT_INJECTION=y
CONFIG_FAULT_INJECTION_DEBUG_FS=y
CONFIG_FUNCTION_ERROR_INJECTION=y
CONFIG_FAIL_FUNCTION=y
CONFIG_KPROBES=y
CONFIG_GCOV_KERNEL=y
CONFIG_PROVE_LOCKING=y
CONFIG_PROVE_RCU=y
CONFIG_DEBUG_LOCKDEP=n
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_OBJECTS=y
CONFIG_DEBUG_OBJECTS_TIMERS=y
CONFIG_DEBUG_OBJECTS_WORK=y
CONFIG_DEBUG_OBJECTS_RCU_HEAD=y
CONFIG_DEBUG_OBJECTS_FREE=y
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_UBSAN=y
CONFIG_UBSAN_BOUNDS=y
CONFIG_UBSAN_SHIFT=y
CONFIG_DEBUG_KMEMLEAK=y
CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=64000
CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN=n
CONFIG_DRM_DEBUG_MODESET_LOCK=y
CONFIG_DMA_FENCE_TRACE=n
CONFIG_DETECT_HUNG_TASK=y
CONFIG_SOFTLOCKUP_DETECTOR=y
EOF
{
	make -C "$src" -s x86_64_defconfig
	make -C "$src" -s kvm_guest.config
	"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$tmp/wfd.config"
	make -C "$src" -s olddefconfig
} >&2
# Report what the merge could not set (a dependency missing).
missing=0
while IFS= read -r line; do
	case "$line" in
	*=n) grep -qx "${line%=n}=[ym]" "$src/.config" && { log "still set: $line"; missing=1; } ;;
	CONFIG_LOCALVERSION=*|CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=*) ;;
	*) grep -qx "$line" "$src/.config" || { log "not set: $line"; missing=1; } ;;
	esac
done < "$tmp/wfd.config"
[ "$missing" = 0 ] || log "the configuration lacks some options (above); building anyway"

make -C "$src" -s -j"$(nproc)" bzImage modules >&2 ||
	{ log "the build failed"; exit 1; }
abi=$(make -C "$src" -s kernelrelease)
mkdir -p "$dir/root/boot" "$dir/root/usr/src"
cp "$src/arch/x86/boot/bzImage" "$dir/root/boot/vmlinuz-$abi"
make -C "$src" -s INSTALL_MOD_PATH="$dir/root" modules_install >&2
ln -sfn "$src" "$dir/root/usr/src/linux-headers-$abi"
# modules_install links build/ and source/ to the tree; the guest sees
# them at the same paths.
echo "$abi" > "$dir/abi"
echo "$version" > "$dir/version"
touch "$dir/.complete"
log "built $abi in $(( $(date +%s) - start )) s"
echo "$dir"
