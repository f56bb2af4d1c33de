#!/bin/busybox sh
# /init of the cgroup v2 test guest (busybox, in the initramfs). Mounts the payload disk
# (/dev/vda, ext4, read-only) as the new root, gives it a pure cgroup v2 hierarchy, runs the
# command from the kernel command line (sbx.cmd=, base64) there and powers off. The host reads
# the serial console; the guest's exit status comes back as the line "guest-rc=<n>".
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# No modprobe (no depmod data): load in passes until every module is in; each pass loads at least
# the modules whose dependencies the previous passes loaded.
pending="virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk overlay"
for _ in 1 2 3 4; do
  left=""
  for m in $pending; do insmod "/modules/$m.ko" 2>/dev/null || left="$left $m"; done
  pending=$left
done
[ -z "$pending" ] || echo "guest: modules not loaded:$pending"
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; sleep 0.2; done
mkdir -p /newroot
# Read-only: the run's layers live here, and nothing of the guest run needs to write the disk.
mount -t ext4 -o ro /dev/vda /newroot || { echo "guest: no payload disk"; echo "guest-rc=125"; poweroff -f; }
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t cgroup2 -o nsdelegate cgroup2 /newroot/sys/fs/cgroup
mount -t devtmpfs devtmpfs /newroot/dev
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
cmd=$(sed -n 's/.*sbx\.cmd=\([^ ]*\).*/\1/p' /proc/cmdline | base64 -d)
# switch_root, not chroot: a chrooted process may not create user namespaces (EPERM), and
# pivot_root (the sandbox's) refuses a root that is the initramfs itself.
exec switch_root /newroot /bin/sh -c "$cmd; echo guest-rc=\$?; exec /bin/busybox poweroff -f"
