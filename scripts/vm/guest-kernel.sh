#!/usr/bin/env bash
# Builds (once per recipe) the kernel and initramfs of the cgroup v2 test guest from Debian's
# packages: linux-image-cloud-amd64 (its virtio and overlay modules go into the initramfs) and the
# host's static busybox. Cached outside the clone in $SBX_VM_CACHE (/var/cache/bulkhead/vm) under
# a hash of this script, guest-init.sh, the kernel package version and busybox; prints the
# directory holding vmlinuz and initramfs.cpio.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${SBX_VM_CACHE:-/var/cache/bulkhead/vm}
meta=linux-image-cloud-amd64
kernel_package() { apt-cache depends --no-recommends --no-suggests "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'; }
pkg=$(kernel_package)
# A machine whose package lists were cleaned (container images) knows no package until updated.
if [[ -z $pkg && $EUID -eq 0 ]]; then apt-get update -q >/dev/null; pkg=$(kernel_package); fi
version=$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')
[[ -n $pkg && -n $version && $version != "(none)" ]] || { echo "guest-kernel: $meta not found in the apt sources" >&2; exit 1; }
hash=$( { cat "$here/guest-kernel.sh" "$here/guest-init.sh"; echo "$pkg=$version"; sha256sum /bin/busybox; } | sha256sum | cut -c1-16)
out=$cache_root/$hash
if [[ -f $out/complete ]]; then echo "$out"; exit 0; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-vm-XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download "$pkg=$version" >/dev/null 2>"$work/apt.err") || { cat "$work/apt.err" >&2; exit 1; }
dpkg-deb -x "$work"/*.deb "$work/pkg"
kver=$(ls "$work/pkg/lib/modules")
root=$work/initramfs
mkdir -p "$root"/{bin,proc,sys,dev,modules,newroot}
cp /bin/busybox "$root/bin/busybox"
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"
for m in virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk overlay; do
  f=$(find "$work/pkg/lib/modules/$kver" -name "$m.ko*" | head -1)
  [[ -n $f ]] || { echo "guest-kernel: module $m missing from $pkg" >&2; exit 1; }
  case $f in
    *.ko) cp "$f" "$root/modules/$m.ko" ;;
    *.ko.xz) xz -dc "$f" >"$root/modules/$m.ko" ;;
    *) echo "guest-kernel: unsupported module compression: $f" >&2; exit 1 ;;
  esac
done
mkdir -p "$out.tmp.$$"
(cd "$root" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null) >"$out.tmp.$$/initramfs.cpio"
cp "$work/pkg/boot/vmlinuz-$kver" "$out.tmp.$$/vmlinuz"
echo "$pkg=$version" >"$out.tmp.$$/complete"
rm -rf "$out"
mv "$out.tmp.$$" "$out"
echo "$out"
