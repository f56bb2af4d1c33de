#!/bin/bash
# T60 shell tools that manipulate namespaces and mounts: unshare, nsenter, mount, chroot, capsh,
# setpriv. They are thin wrappers over the same syscalls, so containment must not depend on them
# being absent from the image.
# Expected safe outcome: every tool fails (missing from the image, or refused by seccomp and
# capabilities). Control: "id -u" runs and prints 1000.
# One fact per line: ok = the operation succeeded (or the stated condition holds).
fact() { printf '{"check":"%s","ok":%s,"errno":"%s"}\n' "$1" "$2" "${3:-}"; }
# Runs a command quietly and records whether it succeeded.
try() { local check=$1; shift; if "$@" >/dev/null 2>&1; then fact "$check" true; else fact "$check" false; fi; }

if [ "$(id -u 2>/dev/null)" = 1000 ]; then fact id-uid-1000-control true; else fact id-uid-1000-control false; fi
try unshare-user unshare -r true
try unshare-mount unshare -m true
try nsenter-pid1 nsenter -t 1 -m -u -n true
try mount-tmpfs mount -t tmpfs none /tmp
try chroot-tmp chroot /tmp /bin/true
try capsh-gain capsh --caps=cap_sys_admin+ep -- -c true
try setpriv-caps setpriv --inh-caps +all true