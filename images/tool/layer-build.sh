#!/bin/sh
# Builds one layer over its parents. Runs as root inside a private mount namespace
# (`unshare --mount --propagation private`), so every mount below disappears with this process,
# whatever way it ends: a failed build never leaves mounts behind on the host.
#
# usage: layer-build.sh <mnt> <lowerdirs> <upper> <work> <aptcache> <sources.list> <steps-file> [package...]
#   lowerdirs: colon-separated, top layer first (overlayfs order)
#   steps-file: shell lines run in the chroot as root after the packages, one per line
set -eu
mnt=$1 lowers=$2 upper=$3 work=$4 aptcache=$5 sources=$6 steps=$7
shift 7

step() { printf '==> %s\n' "$*"; }

# redirect_dir/metacopy/index off: the upper directory must be a self-contained layer that
# later mounts can stack as a plain lower (no references back into this build's lowers).
mount -t overlay overlay -o "lowerdir=$lowers,upperdir=$upper,workdir=$work,redirect_dir=off,metacopy=off,index=off" "$mnt"
mount -t proc proc "$mnt/proc"
mount -t tmpfs -o mode=0755,size=1m tmpfs "$mnt/dev"
for node in null zero full random urandom tty; do
  : > "$mnt/dev/$node"
  mount --bind "/dev/$node" "$mnt/dev/$node"
done
mount -t tmpfs -o mode=1777 tmpfs "$mnt/tmp"
# apt's package lists and downloaded .debs live in a cache outside the layer, shared by builds.
mkdir -p "$aptcache/lists/partial" "$aptcache/archives/partial"
mount --bind "$aptcache/lists" "$mnt/var/lib/apt/lists"
mount --bind "$aptcache/archives" "$mnt/var/cache/apt/archives"
mount --bind -o ro /etc/resolv.conf "$mnt/etc/resolv.conf"
cp "$sources" "$mnt/tmp/bulkhead-sources.list"

# Concurrent builds (two `images build` at once, or CI beside a developer) share the apt cache;
# apt refuses a locked cache outright, so each build waits its turn for the apt steps instead.
apt_in() {
  flock "$aptcache/.bulkhead-apt.lock" env DEBIAN_FRONTEND=noninteractive chroot "$mnt" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive apt-get \
    -o Dir::Etc::SourceList=/tmp/bulkhead-sources.list -o Dir::Etc::SourceParts=/nonexistent \
    -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0 "$@"
}

if [ "$#" -gt 0 ]; then
  step "apt-get update"
  apt_in update
  step "apt-get install $*"
  apt_in install -y --no-install-recommends "$@"
fi

while IFS= read -r line; do
  [ -n "$line" ] || continue
  step "run: $line"
  chroot "$mnt" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 /bin/sh -ec "$line"
done < "$steps"
step "layer steps done"
