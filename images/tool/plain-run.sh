#!/bin/sh
# The plain runner: runs one command in an image without the real sandbox, for the builder (to read
# a version) and the selftest. Started as root by `unshare --mount --pid --net --ipc --uts --fork
# --kill-child --propagation private`, so the mounts die with the namespace and nothing outside the
# image is reachable over the network. It is NOT a security boundary: no seccomp, no cgroup.
#
# usage: plain-run.sh <mnt> <lowerdirs> <boxdir> <uid> VAR=VALUE... argv...   (argv[0] has no '=')
set -eu
mnt=$1 lowers=$2 box=$3 uid=$4
shift 4

# No upperdir: the overlay is read-only, as in the sandbox. overlayfs wants two lowers at least
# without an upper, so a one-layer image is a read-only bind mount instead.
case "$lowers" in
  *:*) mount -t overlay overlay -o "lowerdir=$lowers" "$mnt" ;;
  *) mount --bind "$lowers" "$mnt" && mount -o remount,bind,ro "$mnt" ;;
esac
mount -t proc proc "$mnt/proc"
mount -t tmpfs -o mode=0755,size=1m tmpfs "$mnt/dev"
for node in null zero full random urandom; do
  : > "$mnt/dev/$node"
  mount --bind "/dev/$node" "$mnt/dev/$node"
done
mount -t tmpfs -o mode=1777,size=512m tmpfs "$mnt/tmp"
mount --bind "$box" "$mnt/box"

set +e
# Not exec'd: this shell stays PID 1 of the namespace, so the program is an ordinary process whose
# signals (abort, segfault) are delivered as usual; its status becomes this script's status.
chroot --userspec="$uid:$uid" --groups="$uid" "$mnt" /usr/bin/env -i --chdir=/box "$@"
exit $?
