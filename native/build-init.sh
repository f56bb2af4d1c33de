#!/bin/sh
# Builds sbx-init (called by binding.gyp's sbx-init action): a static-pie executable against
# musl, not glibc. Why musl: glibc's static start-up probes the CPU with dozens of `cpuid`
# instructions (cache sizes, features) before main, and in a virtual machine each one exits to
# the hypervisor. sbx-init is exec'd once per run, so that probe was paid on every run (about
# 0.45 ms of 6.7 ms of CPU per run on the 2-core dev VM, bench/README.md); musl's start-up
# issues none. Why static-pie: the helper that becomes each run's pid 1 gets its code at a
# random address per exec (glibc's -static built a fixed-address executable).
#
#   sh build-init.sh OUTPUT SCRATCH_DIR SOURCE...
# Needs Debian's musl-tools and musl-dev (scripts/deps.sh) and the kernel's uapi headers
# (linux-libc-dev, pulled in by build-essential).
set -eu
out=$1
scratch=$2
shift 2
arch=$(uname -m)
musl=/usr/lib/$arch-linux-musl
if [ ! -f "$musl/rcrt1.o" ] || [ ! -f /usr/include/$arch-linux-musl/stdio.h ]; then
  echo "build-init: musl is missing (apt-get install musl-tools musl-dev, or run scripts/deps.sh)" >&2
  exit 1
fi
# musl's headers replace glibc's, so the kernel's uapi headers come in by name only: linux/,
# asm-generic/ and this architecture's asm/, never the rest of /usr/include (glibc's).
inc=$scratch/sbx-init-include
mkdir -p "$inc"
ln -sfn /usr/include/linux "$inc/linux"
ln -sfn /usr/include/asm-generic "$inc/asm-generic"
ln -sfn "/usr/include/$(gcc -print-multiarch)/asm" "$inc/asm"
# The flags of the other targets (binding.gyp's c_flags), less _FORTIFY_SOURCE: musl has no
# fortified headers. In sbx-init it only checked snprintf calls, each bounded by its buffer's size.
gcc -std=gnu11 -Wall -Wextra -Werror -fstack-protector-strong -D_GNU_SOURCE -O2 -fPIE \
  -nostdinc -isystem "/usr/include/$arch-linux-musl" -isystem "$inc" -isystem "$(gcc -print-file-name=include)" \
  -Iinclude -static-pie -nostdlib -nostartfiles -o "$out" \
  "$musl/rcrt1.o" "$musl/crti.o" "$(gcc -print-file-name=crtbeginS.o)" \
  "$@" \
  -L"$musl" -lc "$(gcc -print-libgcc-file-name)" "$(gcc -print-file-name=crtendS.o)" "$musl/crtn.o"
