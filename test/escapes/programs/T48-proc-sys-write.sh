#!/bin/bash
# T48 writes to kernel tunables. How: write core_pattern (a "|helper" there runs as root on every
# crash), sysrq-trigger, binfmt_misc/register (registers an interpreter run for matching binaries),
# uevent_helper, drop_caches and a sysctl, each a known container escape or host DoS.
# Expected safe outcome: every open for writing fails (EROFS, EACCES or ENOENT). Control: writing
# /tmp succeeds.
# One fact per line: ok = the operation succeeded (or the stated condition holds).
fact() { printf '{"check":"%s","ok":%s,"errno":"%s"}\n' "$1" "$2" "${3:-}"; }
# Runs a command quietly and records whether it succeeded.
try() { local check=$1; shift; if "$@" >/dev/null 2>&1; then fact "$check" true; else fact "$check" false; fi; }

try write-tmp-control sh -c "echo x > /tmp/t48"
try write-core-pattern sh -c "echo \"|/tmp/t48\" > /proc/sys/kernel/core_pattern"
try write-sysrq-trigger sh -c "echo h > /proc/sysrq-trigger"
try write-binfmt-register sh -c "echo \":t48:E::t48::/tmp/t48:\" > /proc/sys/fs/binfmt_misc/register"
try write-uevent-helper sh -c "echo /tmp/t48 > /sys/kernel/uevent_helper"
try write-drop-caches sh -c "echo 3 > /proc/sys/vm/drop_caches"
try write-hostname-sysctl sh -c "echo t48 > /proc/sys/kernel/hostname"
try write-sys-class sh -c "echo 1 > /sys/class/net/lo/mtu"