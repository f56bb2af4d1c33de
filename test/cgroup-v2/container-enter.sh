#!/bin/sh
# Builds an unprivileged container the way rootless Podman does and runs the worker test in it.
# Started by suite.ts, as an unprivileged user, through
#   unshare --user --map-root-user --map-auto --mount --pid --fork
# so container root is that user (no host root inside) and 1..65535 are its /etc/subuid ids.
#   container-enter.sh <delegated cgroup> <base layer> <app layer> <command...>
# 1. cgroup: like a runtime, it joins a child `container` of the cgroup delegated to the user
#    (whose launcher sits in a sibling, so the delegated cgroup holds no process and may enable
#    controllers for its children), then unshares the cgroup namespace there: the container sees
#    that cgroup as its root.
# 2. root: an overlay of the project's Debian base image layer and an app layer (node, the addon,
#    the bundled test); /proc of this pid namespace; /sys/fs/cgroup a cgroup2 mount of the cgroup
#    namespace; /dev with bind-mounted nodes only; then pivot_root.
set -eu
if [ "$1" != --in-cgroupns ]; then
  cg=$1
  echo "+memory +pids +cpu" >"$cg/cgroup.subtree_control"
  mkdir -p "$cg/container"
  echo $$ >"$cg/container/cgroup.procs"
  exec /usr/bin/unshare --cgroup /bin/sh "$0" --in-cgroupns "$@"
fi
base=$3 app=$4
shift 4
c=/tmp/container
mkdir -p $c
mount -t tmpfs -o mode=0755 tmpfs $c
mkdir -p $c/upper $c/work $c/root
mount -t overlay overlay -o "lowerdir=$app:$base,upperdir=$c/upper,workdir=$c/work" $c/root
r=$c/root
mount -t proc proc $r/proc
# No sysfs: a user namespace may not mount one of its own without its own network namespace,
# and over a recursive bind of the host's the kernel refuses the cgroup2 mount. The worker needs
# only /sys/fs/cgroup.
mount -t tmpfs -o mode=0755 tmpfs $r/sys
mkdir -p $r/sys/fs/cgroup
mount -t cgroup2 cgroup2 $r/sys/fs/cgroup
mount -t tmpfs -o mode=1777 tmpfs $r/tmp
mount -t tmpfs -o mode=0755 tmpfs $r/dev
for n in null zero full random urandom; do
  touch $r/dev/$n
  mount -o bind /dev/$n $r/dev/$n
done
mkdir -p $r/.old
cd $r
# pivot_root, not chroot: a chrooted process may not create the user namespaces of runs.
pivot_root . .old
umount -l /.old
exec "$@"
