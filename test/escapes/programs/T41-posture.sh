#!/bin/bash
# T41 capability, no_new_privs and seccomp posture, read from /proc/self/status.
# Expected safe outcome: CapInh=CapPrm=CapEff=CapBnd=CapAmb=0, NoNewPrivs=1, Seccomp=2 (filter).
# Control: /proc/self/status is readable.
# One fact per line: ok = the operation succeeded (or the stated condition holds).
fact() { printf '{"check":"%s","ok":%s,"errno":"%s"}\n' "$1" "$2" "${3:-}"; }
# Runs a command quietly and records whether it succeeded.
try() { local check=$1; shift; if "$@" >/dev/null 2>&1; then fact "$check" true; else fact "$check" false; fi; }

status=$(cat /proc/self/status 2>/dev/null)
try read-status-control test -n "$status"
field() { printf '%s\n' "$status" | awk -v k="$1:" '$1 == k { print $2 }'; }
for cap in CapInh CapPrm CapEff CapBnd CapAmb; do
  if [ "$(field $cap)" = 0000000000000000 ]; then fact "$cap-zero" true; else fact "$cap-zero" false; fi
done
if [ "$(field NoNewPrivs)" = 1 ]; then fact no-new-privs true; else fact no-new-privs false; fi
if [ "$(field Seccomp)" = 2 ]; then fact seccomp-filter true; else fact seccomp-filter false; fi