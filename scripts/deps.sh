#!/usr/bin/env bash
# Installs what Bulkhead needs on a Debian 12 host, only what is missing. Idempotent.
# Needs root for apt-get; as another user it only reports what is missing.
set -euo pipefail

# Debian packages: Redis (embedded queue store), the image builder, headers and tools for the
# native addon (libseccomp, libcap, a C toolchain, python3 for node-gyp; musl for sbx-init, see
# native/build-init.sh), the uid-map helpers for
# rootless workers, busybox for the sandbox test rootfs, bubblewrap for the benchmark baseline,
# qemu for the cgroup v2 test guest on cgroup v1 hosts (npm run test:cgroup-v2), clang-format
# for the C formatting check (npm run format:check), and chromium for the playground's browser
# tests (driven by playwright-core; no browser download).
APT_PACKAGES=(
  redis-server mmdebstrap debian-archive-keyring
  build-essential python3 pkg-config libseccomp-dev libcap-dev musl-tools musl-dev clang-format
  uidmap busybox-static bubblewrap seccomp procps iproute2 util-linux ca-certificates
  qemu-system-x86 e2fsprogs
  chromium
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $EUID -ne 0 ]]; then
    echo "deps: missing Debian packages: ${missing[*]} (run as root: sudo bash scripts/deps.sh)" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Node.js ≥ 20.19 is required (Fastify 5, BullMQ 6). Debian 12 ships 18, so we do not install it.
if ! command -v node >/dev/null; then
  echo "deps: Node.js ≥ 20.19 is required and was not found on PATH" >&2
  exit 1
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
  echo "deps: Node.js ≥ 20.19 is required, found $(node --version)" >&2
  exit 1
}
