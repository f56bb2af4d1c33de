#!/bin/bash
# T45 pid namespace leak. How: count the pids in /proc and look for host processes by name (the
# worker node process, redis-server, systemd, sshd).
# Expected safe outcome: only the run own handful of processes is visible; no host process.
# Control: the own pid is visible.
# One fact per line: ok = the operation succeeded (or the stated condition holds).
fact() { printf '{"check":"%s","ok":%s,"errno":"%s"}\n' "$1" "$2" "${3:-}"; }
# Runs a command quietly and records whether it succeeded.
try() { local check=$1; shift; if "$@" >/dev/null 2>&1; then fact "$check" true; else fact "$check" false; fi; }

pids=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)
printf '{"visiblePids":%s}\n' "$pids"
try own-pid-visible-control test -d /proc/$$
if [ "$pids" -le 10 ]; then fact few-pids-visible true; else fact few-pids-visible false; fi
host=false
for c in /proc/[0-9]*/comm; do
  case $(cat "$c" 2>/dev/null) in node|redis-server|systemd|sshd|containerd|dockerd|kthreadd) host=true ;; esac
done
fact host-process-visible $host