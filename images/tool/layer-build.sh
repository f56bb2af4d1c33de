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
# Lists are kept per set of sources (bookworm and trixie builds must not delete each other's).
lists="$aptcache/lists-$(sha256sum "$sources" | cut -c1-12)"
mkdir -p "$lists/partial" "$aptcache/archives/partial"
mount --bind "$lists" "$mnt/var/lib/apt/lists"
mount --bind "$aptcache/archives" "$mnt/var/cache/apt/archives"
mount --bind -o ro /etc/resolv.conf "$mnt/etc/resolv.conf"
cp "$sources" "$mnt/tmp/bulkhead-sources.list"

apt_in() {
  DEBIAN_FRONTEND=noninteractive chroot "$mnt" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive apt-get \
    -o Dir::Etc::SourceList=/tmp/bulkhead-sources.list -o Dir::Etc::SourceParts=/nonexistent \
    -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0 "$@"
}

if [ "$#" -gt 0 ]; then
  # Concurrent builds (`build --jobs`, two terminals, CI beside a developer) share the cache, and
  # apt refuses a locked cache outright: they take turns (fd 9 holds the lock) to refresh the lists
  # and download. The install then runs unlocked, beside other builds' installs in their own
  # chroots: its .debs are complete, and a refresh by another build only renames complete list
  # files into place.
  exec 9>"$aptcache/.bulkhead-apt.lock"
  flock 9
  step "apt-get update"
  apt_in update
  step "apt-get install --download-only $*"
  apt_in install -y --no-install-recommends --download-only "$@"
  flock -u 9
  exec 9>&-
  step "apt-get install $*"
  apt_in -o Debug::NoLocking=true install -y --no-install-recommends --no-download "$@"
fi

while IFS= read -r line; do
  [ -n "$line" ] || continue
  step "run: $line"
  chroot "$mnt" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 /bin/sh -ec "$line"
done < "$steps"
step "layer steps done"
