#!/bin/bash
# T50 cgroup escape. How: raise the own memory.max and pids.max, move into the parent or root cgroup
# through cgroup.procs, and write a v1 release_agent (CVE-2022-0492) after mounting a cgroup v1
# hierarchy, which would run a host command as root when the cgroup empties.
# Expected safe outcome: cgroupfs absent or read-only: no writable limit, procs or release_agent
# file; the v1 mount fails (EPERM). Control: writing /tmp succeeds.
# One fact per line: ok = the operation succeeded (or the stated condition holds).
fact() { printf '{"check":"%s","ok":%s,"errno":"%s"}\n' "$1" "$2" "${3:-}"; }
# Runs a command quietly and records whether it succeeded.
try() { local check=$1; shift; if "$@" >/dev/null 2>&1; then fact "$check" true; else fact "$check" false; fi; }

try write-tmp-control sh -c "echo x > /tmp/t50"
cg=/sys/fs/cgroup
try write-memory-max sh -c "echo max > $cg/memory.max"
try write-pids-max sh -c "echo max > $cg/pids.max"
try write-own-procs sh -c "echo $$ > $cg/cgroup.procs"
try write-parent-procs sh -c "echo $$ > $cg/../cgroup.procs"
try write-release-agent sh -c "echo /tmp/t50 > $cg/release_agent"
mkdir -p /tmp/t50cg
try mount-cgroup-v1 mount -t cgroup -o memory cgroup /tmp/t50cg
try mount-cgroup2 mount -t cgroup2 none /tmp/t50cg
writable=$(find /sys/fs/cgroup -maxdepth 3 -writable -type f 2>/dev/null | head -n 5 | tr "\n" " ")
if [ -n "$writable" ]; then fact cgroup-file-writable true; else fact cgroup-file-writable false; fi